//! `tests/messages.rs` of the generated crate: every topic's documented content decodes, a
//! sample with every field in its loose wire form (numbers as text, non-ASCII text) decodes
//! to every field, a misfit value is an error at its path that does not repeat the value,
//! and topics without a spec stay `Unknown`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::ident;
use crate::ir::{Message, Scalar, Type};

/// A value of `ty` in the loosest form lenient decoding accepts, and how it reads back as
/// JSON (`Serialize`); `None` for types without one fixed sample (structs, JSON).
fn sample(ty: &Type) -> Option<(serde_json::Value, serde_json::Value)> {
    use serde_json::json;
    Some(match ty {
        Type::Scalar(Scalar::String) => (json!("张三·测试 ✓"), json!("张三·测试 ✓")),
        Type::Scalar(Scalar::Number) => (json!("2231958349"), json!(2231958349_i64)),
        Type::Scalar(Scalar::Boolean) => (json!("true"), json!(true)),
        Type::Scalar(Scalar::Date) => (json!("2026-01-02 03:04:05"), json!("2026-01-02 03:04:05")),
        Type::Scalar(Scalar::Decimal) => (json!("200.07"), json!(200.07)),
        Type::Enum(_, Scalar::Number) => (json!("90210"), json!(90210)),
        Type::Enum(_, _) => (json!("未列出的值"), json!("未列出的值")),
        Type::List(inner) => {
            let (wire, read) = sample(inner)?;
            (json!([wire]), json!([read]))
        }
        _ => return None,
    })
}

pub fn messages_tests(messages: &[Message], lib: &str) -> TokenStream {
    let lib = format_ident!("{}", lib);
    let tests = messages.iter().map(|m| {
        let topic = &m.topic;
        let module = &m.module;
        let content = ident(&m.content.rust_name);
        let mut wire = serde_json::Map::new();
        let mut read = serde_json::Map::new();
        for f in &m.content.fields {
            if let Some((w, r)) = sample(&f.ty) {
                wire.insert(f.wire_name.clone(), w);
                read.insert(f.wire_name.clone(), r);
            }
        }
        wire.insert("成员_未文档化".into(), serde_json::json!({"nested": [1, 2]}));
        let wire = serde_json::Value::Object(wire).to_string();
        let read = serde_json::Value::Object(read).to_string();
        let documented = format_ident!("{}_documented_content_decodes", module);
        let loose = format_ident!("{}_loose_content_decodes_every_field", module);
        let misfit = format_ident!("{}_misfit_is_an_error_at_its_path", module);
        let example = m.example.as_ref().map(|example| {
            quote! {
                #[test]
                fn #documented() {
                    let message = TmcMessage::decode(#topic, #example).expect("the documented content decodes");
                    assert_eq!(message.topic(), #topic);
                    assert!(matches!(message, TmcMessage::#content(_)));
                }
            }
        });
        let number = m.content.fields.iter().find(|f| {
            matches!(f.ty, Type::Scalar(Scalar::Number | Scalar::Decimal | Scalar::Date | Scalar::Boolean))
        });
        let misfit = number.map(|f| {
            let wire_name = &f.wire_name;
            let bad = serde_json::json!({ wire_name.clone(): "买家的秘密" }).to_string();
            quote! {
                #[test]
                fn #misfit() {
                    let error = TmcMessage::decode(#topic, #bad).expect_err("text is not a number");
                    assert_eq!(error.path(), #wire_name);
                    assert!(!error.to_string().contains("买家的秘密"), "{error}");
                }
            }
        });
        quote! {
            #example

            #[test]
            fn #loose() {
                let message = TmcMessage::decode(#topic, #wire).expect("loose content decodes");
                assert!(matches!(message, TmcMessage::#content(_)));
                let written = serde_json::to_value(&message).expect("serializes");
                let expected: serde_json::Value = serde_json::from_str(#read).expect("JSON");
                assert_eq!(written, expected);
                assert!(!format!("{message:?}").contains("张三"), "Debug shows no content");
            }

            #misfit
        }
    });
    let first = messages.first().map(|m| &m.topic);
    let not_json = first.map(|topic| {
        quote! {
            #[test]
            fn content_that_is_not_json_is_an_error() {
                for content in ["", "{", "[1, 2]", "\"text\"", "42"] {
                    assert!(TmcMessage::decode(#topic, content).is_err(), "{content:?}");
                }
            }
        }
    });
    let count = messages.len();
    quote! {
        //! The typed TMC messages: every topic's content decoded from its documented and its
        //! loosest form; misfits and unknown topics.

        use #lib::messages::{TmcMessage, TOPICS};

        #(#tests)*

        #not_json

        #[test]
        fn every_topic_is_listed_once() {
            assert_eq!(TOPICS.len(), #count);
            for topic in TOPICS {
                assert_eq!(TOPICS.iter().filter(|t| *t == topic).count(), 1);
            }
        }

        #[test]
        fn a_topic_without_a_spec_is_kept_as_received() {
            let content = "{\"tid\": \"not even checked\", \"买家\": \"张三\"}";
            let message = TmcMessage::decode("taobao_nothing_NoSuchTopic", content).expect("any content");
            assert_eq!(message.topic(), "taobao_nothing_NoSuchTopic");
            assert_eq!(
                message,
                TmcMessage::Unknown {
                    topic: "taobao_nothing_NoSuchTopic".to_owned(),
                    content: content.to_owned(),
                }
            );
            assert!(!format!("{message:?}").contains("张三"));
            assert_eq!(serde_json::to_value(&message).expect("serializes"), serde_json::Value::String(content.to_owned()));
        }
    }
}
