//! Protocol tests for each API, derived from its spec (smithy-rs style): the documented
//! example request validates and serializes to the documented values, a request breaking
//! each documented rule is rejected with that rule at that path, and the documented
//! response decodes, also in the all-text form XML gives it.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::ir::{Api, Encoding, Enum, Field, Scalar, Struct, Type};

/// `tests/protocol/main.rs`: the shared helpers and one module per API.
pub fn main_rs(apis: &[Api], lib: &str) -> TokenStream {
    let lib = format_ident!("{}", lib);
    let modules = apis.iter().map(|api| {
        let module = format_ident!("{}", api.module);
        let feature = &api.module;
        quote!(#[cfg(feature = #feature)] mod #module;)
    });
    quote! {
        //! Protocol tests derived from the specs' documented examples and rules.
        #![forbid(unsafe_code)]
        // With some APIs' features off, helpers only they use go unused.
        #![cfg_attr(not(feature = "all"), allow(dead_code, unused_imports))]

        use serde::de::DeserializeOwned;
        use serde_json::Value;
        use #lib::top_runtime::prepare::Format;
        use #lib::top_runtime::response::{self, ResponseError, ResponseSpec};
        use serde::Serialize;
        use #lib::top_runtime::{lenient, ApiRequest, ClientFamily, Rule, Validate, Violation};

        #(#modules)*

        /// `example` with the value at JSON pointer `pointer` replaced (or removed: `None`).
        fn mutate(example: &str, pointer: &str, value: Option<Value>) -> Value {
            let mut json: Value = serde_json::from_str(example).expect("the example is JSON");
            let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
            let key = key.replace("~1", "/").replace("~0", "~");
            let parent = json.pointer_mut(parent).expect("the parent is in the example");
            match (parent, value) {
                (Value::Object(map), Some(v)) => { map.insert(key, v); }
                (Value::Object(map), None) => { map.remove(&key); }
                (Value::Array(items), Some(v)) => { items[key.parse::<usize>().expect("an index")] = v; }
                _ => panic!("cannot change {pointer}"),
            }
            json
        }

        /// Asserts that the example with `pointer` set to `value` fails validation, each
        /// violation at `path`, one of them `rule`.
        fn assert_violation<T: DeserializeOwned + Validate>(example: &str, pointer: &str, value: Value, path: &str, rule: Rule) {
            let request: T = serde_json::from_value(mutate(example, pointer, Some(value))).expect("the changed example still deserializes");
            let violations: Vec<Violation> = request.validate().expect_err("the broken request must be rejected").into_iter().collect();
            assert!(violations.iter().all(|v| v.path == path), "{violations:?} not all at {path}");
            assert!(violations.iter().any(|v| v.rule == rule), "{violations:?} lacks {rule:?}");
        }

        /// Asserts that the example without the value at `pointer` does not deserialize, and
        /// that the error names the field.
        fn assert_required<T: DeserializeOwned + std::fmt::Debug>(example: &str, pointer: &str, wire_name: &str) {
            let error = serde_json::from_value::<T>(mutate(example, pointer, None)).expect_err("a required value was left out");
            let expected = format!("missing field `{wire_name}`");
            assert!(error.to_string().contains(&expected), "{error}");
        }

        /// The documented example deserializes, validates, and serializes back to itself.
        fn assert_example_round_trips<R: DeserializeOwned + Serialize + Validate>(example: &str) {
            let request: R = serde_json::from_str(example).expect("the documented example deserializes");
            assert_eq!(request.validate(), Ok(()));
            let written = serde_json::to_value(&request).expect("serializes");
            assert_eq!(written, serde_json::from_str::<Value>(example).expect("JSON"));
        }

        /// The wire parameters of the documented example.
        fn example_params<R: DeserializeOwned + ApiRequest>(example: &str) -> Vec<(&'static str, String)> {
            let request: R = serde_json::from_str(example).expect("the documented example deserializes");
            wire_params(&request)
        }

        /// The text parameters a request is sent with.
        fn wire_params<R: ApiRequest>(request: &R) -> Vec<(&'static str, String)> {
            let params = #lib::top_runtime::api::Params::of(request);
            params.texts().map(|(name, text)| (name, text.to_owned())).collect()
        }

        /// The response written with the documented values decodes to itself, also with every
        /// scalar as text (as XML carries it).
        fn assert_response_decodes<T: lenient::Item + Serialize + PartialEq + std::fmt::Debug>(example: &str) {
            let expected: Value = serde_json::from_str(example).expect("JSON");
            let response: T = lenient::read(expected.clone()).expect("the documented response decodes");
            assert_eq!(serde_json::to_value(&response).expect("serializes"), expected);
            let from_text: T = lenient::read(as_text(expected)).expect("text scalars decode");
            assert_eq!(from_text, response);
        }

        // Used by APIs whose spec documents a response body; a crate may have none.
        #[allow(dead_code)]
        fn response_spec<R: ApiRequest>(format: Format) -> ResponseSpec<'static> {
            ResponseSpec::new(R::METHOD, format).qimen(R::CLIENT == ClientFamily::Qimen)
        }

        /// The page's response example decodes through the runtime to the documented values.
        #[allow(dead_code)]
        fn assert_documented_response<R: ApiRequest>(format: Format, body: &str, example: &str)
        where
            R::Response: PartialEq + std::fmt::Debug,
        {
            let decoded: R::Response = response::decode_response::<R>(body.as_bytes(), &response_spec::<R>(format)).expect("the documented response decodes");
            let expected = R::read_response(serde_json::from_str(example).expect("JSON")).expect("the example decodes");
            assert_eq!(decoded, expected);
        }

        /// The page's error example decodes to the API error it shows.
        #[allow(dead_code)]
        fn assert_documented_error<R: ApiRequest>(format: Format, body: &str, expected: (&str, &str, Option<&str>, Option<&str>))
        where
            R::Response: std::fmt::Debug,
        {
            match response::decode_response::<R>(body.as_bytes(), &response_spec::<R>(format)) {
                Err(ResponseError::Api(e)) => {
                    assert_eq!((e.code.as_str(), e.msg.as_str(), e.sub_code.as_deref(), e.sub_msg.as_deref()), expected);
                }
                other => panic!("expected the documented API error, got {other:?}"),
            }
        }

        /// The encoded value of parameter `name`, which must be present.
        fn param<'a>(params: &'a [(&'static str, String)], name: &str) -> &'a str {
            let found = params.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no parameter {name}"));
            &found.1
        }

        /// Asserts that parameter `name` is sent as exactly `expected`.
        fn assert_text_param(params: &[(&'static str, String)], name: &str, expected: &str) {
            assert_eq!(param(params, name), expected, "parameter {name}");
        }

        /// Asserts that parameter `name` is sent as JSON equal to `expected`.
        fn assert_json_param(params: &[(&'static str, String)], name: &str, expected: &str) {
            let sent: Value = serde_json::from_str(param(params, name)).expect("a JSON parameter");
            assert_eq!(sent, serde_json::from_str::<Value>(expected).expect("JSON"), "parameter {name}");
        }

        /// The list at `pointer` in `example` with its first element repeated `count` times.
        fn repeat_first(example: &str, pointer: &str, count: usize) -> Value {
            let json: Value = serde_json::from_str(example).expect("the example is JSON");
            let first = json.pointer(pointer).and_then(|list| list.get(0)).expect("a list with an element");
            Value::Array(vec![first.clone(); count])
        }

        /// The value with every scalar written as text, as an XML response carries it.
        fn as_text(value: Value) -> Value {
            match value {
                Value::Number(n) => Value::String(n.to_string()),
                Value::Bool(b) => Value::String(b.to_string()),
                Value::Array(items) => Value::Array(items.into_iter().map(as_text).collect()),
                Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_text(v))).collect()),
                other => other,
            }
        }
    }
}

/// One API's test module; `spec_path` is how its doc names the spec, `lib` the crate.
pub fn api_tests(api: &Api, spec_path: &str, lib: &str) -> TokenStream {
    let lib = format_ident!("{}", lib);
    let structs = &api.structs;
    let module = format_ident!("{}", api.module);
    let request = format_ident!("{}", api.request.rust_name);
    let response = format_ident!("{}", api.response.rust_name);
    let lookup = |name: &str| structs.iter().find(|s| s.rust_name == name);

    let request_example = example_object(&api.request, &lookup);
    let request_text = Literal::string(&pretty(&request_example));
    let response_example = example_object(&api.response, &lookup);
    let response_text = Literal::string(&pretty(&response_example));

    let complete = is_complete(&api.request, &request_example, &lookup);
    // Only a complete example is used: it must validate.
    let request_const = complete.then(|| {
        quote! {
            /// The request written with the documented example values, under the wire names.
            const REQUEST_EXAMPLE: &str = #request_text;
        }
    });
    let example_test = complete.then(|| {
        quote! {
            #[test]
            fn documented_example_request_validates_and_round_trips() {
                assert_example_round_trips::<#request>(REQUEST_EXAMPLE);
            }
        }
    });

    let wire_test = complete
        .then(|| {
            let checks: Vec<TokenStream> = api
                .request
                .fields
                .iter()
                .filter_map(|f| {
                    let expected = request_example.get(&f.wire_name)?;
                    let wire = &f.wire_name;
                    Some(if f.ty.encoding() == Encoding::Json {
                        let json = Literal::string(&expected.to_string());
                        quote!(assert_json_param(&params, #wire, #json);)
                    } else {
                        let text = Literal::string(&wire_text(expected));
                        quote!(assert_text_param(&params, #wire, #text);)
                    })
                })
                .collect();
            // An example with no documented values states nothing about the wire.
            (!checks.is_empty()).then(|| {
                quote! {
                    #[test]
                    fn documented_example_encodes_to_the_documented_wire_parameters() {
                        let params = example_params::<#request>(REQUEST_EXAMPLE);
                        #(#checks)*
                    }
                }
            })
        })
        .flatten();

    let mut cases = Vec::new();
    if complete {
        rule_cases(
            &api.request,
            &request_example,
            "",
            "",
            &lookup,
            &api.enums,
            &request,
            &mut cases,
        );
    }
    let rules_test = (!cases.is_empty()).then(|| {
        quote! {
            #[test]
            fn each_documented_rule_is_enforced() {
                #(#cases)*
            }
        }
    });

    let required: Vec<&str> = api
        .request
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.wire_name.as_str())
        .collect();
    let builder_test = quote! {
        #[test]
        fn an_empty_builder_reports_every_required_parameter() {
            let result = #request::builder().build();
            let missing: Vec<String> = result.err().map(|e| e.into_iter().map(|v| { assert_eq!(v.rule, Rule::Missing); v.path }).collect()).unwrap_or_default();
            let required: &[&str] = &[#(#required),*];
            assert_eq!(missing, required);
        }
    };

    let all_fields_test = super::fields_param::of(api)
        .filter(|f| f.all_fields())
        .map(|fields| all_fields_test(api, &request, &fields));

    let documented_bodies = [
        ("xml", &api.response_example.xml, &api.error_example.xml),
        ("json", &api.response_example.json, &api.error_example.json),
    ]
    .into_iter()
    .map(|(format, success, error)| {
        let format_ident = format_ident!("{}", if format == "xml" { "Xml" } else { "Json" });
        let success_test = success.as_ref().map(|body| {
            let name = format_ident!("documented_{}_response_decodes_to_the_documented_values", format);
            let body = Literal::string(body);
            quote! {
                #[test]
                fn #name() {
                    assert_documented_response::<#request>(Format::#format_ident, #body, RESPONSE_EXAMPLE);
                }
            }
        });
        let error_test = error.as_ref().map(|body| {
            let name = format_ident!("documented_{}_error_decodes_to_an_api_error", format);
            let field = |tag: &str| xml_text(body, tag);
            let code = field("code").unwrap_or_default();
            let msg = field("msg").unwrap_or_default();
            let option = |v: Option<String>| match v {
                Some(v) => quote!(Some(#v)),
                None => quote!(None),
            };
            let (sub_code, sub_msg) = (option(field("sub_code")), option(field("sub_msg")));
            let body = Literal::string(body);
            quote! {
                #[test]
                fn #name() {
                    assert_documented_error::<#request>(Format::#format_ident, #body, (#code, #msg, #sub_code, #sub_msg));
                }
            }
        });
        quote!(#success_test #error_test)
    });
    let doc = format!("Protocol tests of `{}`, from `{spec_path}`.", api.method);
    let doc = super::docs::inner(&doc);
    quote! {
        #doc
        use super::*;
        use #lib::#module::{#request, #response};

        #request_const
        /// The response written with the documented example values.
        const RESPONSE_EXAMPLE: &str = #response_text;

        #example_test
        #wire_test
        #rules_test
        #builder_test
        #all_fields_test

        #(#documented_bodies)*

        #[test]
        fn documented_response_decodes_from_json_and_from_text_scalars() {
            assert_response_decodes::<#response>(RESPONSE_EXAMPLE);
        }
    }
}

/// `all_fields()` asks for every name of the response struct: when `fields` is the only
/// required parameter, the built request sends them comma-joined; otherwise the parameter
/// is set and valid, so that only the other required parameters are missing.
fn all_fields_test(
    api: &Api,
    request: &proc_macro2::Ident,
    fields: &super::fields_param::FieldsParam<'_>,
) -> TokenStream {
    let wire = &fields.param.wire_name;
    let body = if fields.alone() {
        let value = Literal::string(&fields.wire_value());
        quote! {
            let request = #request::builder().all_fields().build().expect("all_fields() sets the only required parameter");
            assert_text_param(&wire_params(&request), #wire, #value);
        }
    } else {
        let others = api
            .request
            .fields
            .iter()
            .filter(|f| f.required && f.wire_name != *wire)
            .map(|f| f.wire_name.as_str());
        quote! {
            let result = #request::builder().all_fields().build();
            let missing: Vec<String> = result.err().map(|e| e.into_iter().map(|v| { assert_eq!(v.rule, Rule::Missing); v.path }).collect()).unwrap_or_default();
            let required: &[&str] = &[#(#others),*];
            assert_eq!(missing, required);
        }
    };
    quote! {
        #[test]
        fn all_fields_asks_for_every_response_field() {
            #body
        }
    }
}

/// The text of the first `<tag>…</tag>` in a documented XML example, to state what its
/// decoding must give.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..end].trim().to_owned())
}

/// The text a plain example value is sent as: a list comma-joined.
fn wire_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(wire_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A JSON object of the documented examples of `s`'s fields, nested structs included.
fn example_object<'a>(s: &Struct, lookup: &impl Fn(&str) -> Option<&'a Struct>) -> Value {
    let mut map = Map::new();
    for f in &s.fields {
        if let Some(v) = example_value(f, &f.ty, lookup) {
            map.insert(f.wire_name.clone(), v);
        }
    }
    Value::Object(map)
}

fn example_value<'a>(
    f: &Field,
    ty: &Type,
    lookup: &impl Fn(&str) -> Option<&'a Struct>,
) -> Option<Value> {
    match ty {
        Type::Struct(name) => {
            let nested = example_object(lookup(name)?, lookup);
            nested
                .as_object()
                .is_some_and(|m| !m.is_empty())
                .then_some(nested)
        }
        Type::List(inner) => match inner.as_ref() {
            Type::Struct(_) => example_value(f, inner, lookup).map(|v| Value::Array(vec![v])),
            _ => {
                let text = f.example.as_deref()?;
                let items = text
                    .split(',')
                    .map(|item| scalar(item.trim(), inner))
                    .collect::<Option<Vec<_>>>()?;
                Some(Value::Array(items))
            }
        },
        _ => scalar(f.example.as_deref()?, ty),
    }
}

fn scalar(text: &str, ty: &Type) -> Option<Value> {
    Some(match ty.scalar()? {
        Scalar::Number => Value::from(text.parse::<i64>().ok()?),
        Scalar::Boolean => Value::Bool(text.parse().ok()?),
        Scalar::String | Scalar::Date => Value::String(text.to_owned()),
        // A decimal is written as a JSON number, exactly as documented.
        Scalar::Decimal => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_number)?,
        Scalar::Json | Scalar::JsonMap => serde_json::from_str(text).ok()?,
        Scalar::FieldList => Value::Array(
            text.split(',')
                .map(|name| Value::String(name.trim().to_owned()))
                .collect(),
        ),
        // No text stands for a file's bytes.
        Scalar::File => return None,
    })
}

/// Whether the example has every required value, so that it should validate.
fn is_complete<'a>(
    s: &Struct,
    example: &Value,
    lookup: &impl Fn(&str) -> Option<&'a Struct>,
) -> bool {
    s.fields.iter().all(|f| {
        let value = example.get(&f.wire_name);
        match (value, &f.ty) {
            (None, _) => !f.required,
            (Some(v), Type::Struct(name)) => {
                lookup(name).is_some_and(|n| is_complete(n, v, lookup))
            }
            (Some(Value::Array(items)), Type::List(inner)) => match inner.as_ref() {
                Type::Struct(name) => {
                    lookup(name).is_some_and(|n| items.iter().all(|i| is_complete(n, i, lookup)))
                }
                _ => true,
            },
            _ => true,
        }
    })
}

fn pointer_key(wire: &str) -> String {
    wire.replace('~', "~0").replace('/', "~1")
}

/// One assertion per documented rule of every field reachable in the example.
#[allow(clippy::too_many_arguments)]
fn rule_cases<'a>(
    s: &Struct,
    example: &Value,
    pointer: &str,
    path: &str,
    lookup: &impl Fn(&str) -> Option<&'a Struct>,
    enums: &[Enum],
    request: &proc_macro2::Ident,
    out: &mut Vec<TokenStream>,
) {
    for f in &s.fields {
        let ptr = format!("{pointer}/{}", pointer_key(&f.wire_name));
        let at = if path.is_empty() {
            f.wire_name.clone()
        } else {
            format!("{path}.{}", f.wire_name)
        };
        let present = example.get(&f.wire_name);
        let violation_with = |value: TokenStream, rule: TokenStream| {
            quote! {
                assert_violation::<#request>(REQUEST_EXAMPLE, #ptr, #value, #at, #rule);
            }
        };
        let violation = |value: Value, rule: TokenStream| {
            let value = Literal::string(&value.to_string());
            violation_with(quote!(serde_json::from_str(#value).expect("JSON")), rule)
        };
        let is_text = f.ty.scalar() == Some(Scalar::String) && !matches!(f.ty, Type::List(_));
        if f.required {
            if is_text {
                out.push(violation(Value::String("  ".into()), quote!(Rule::Missing)));
            } else if matches!(f.ty, Type::List(_)) {
                out.push(violation(Value::Array(Vec::new()), quote!(Rule::Missing)));
            } else {
                let wire = &f.wire_name;
                out.push(quote!(assert_required::<#request>(REQUEST_EXAMPLE, #ptr, #wire);));
            }
        }
        let l = &f.limits;
        match (&f.ty, l.max_length) {
            (Type::Scalar(Scalar::String) | Type::Enum(_, Scalar::String), Some(max)) => {
                let too_long = "张".repeat(max as usize + 1);
                let (max, actual) = (
                    Literal::usize_unsuffixed(max as usize),
                    Literal::usize_unsuffixed(max as usize + 1),
                );
                out.push(violation(
                    Value::String(too_long),
                    quote!(Rule::MaxLength { max: #max, actual: #actual }),
                ));
            }
            (Type::Scalar(Scalar::Number) | Type::Enum(_, Scalar::Number), Some(max))
                if max < 19 =>
            {
                let value = 10i64.pow(max as u32);
                let (max, actual) = (
                    Literal::usize_unsuffixed(max as usize),
                    Literal::usize_unsuffixed(max as usize + 1),
                );
                out.push(violation(
                    Value::from(value),
                    quote!(Rule::MaxLength { max: #max, actual: #actual }),
                ));
            }
            _ => {}
        }
        if let (Some(max), Some(Value::Array(items))) = (l.max_items, present)
            && !items.is_empty()
        {
            let (max, actual) = (
                Literal::usize_unsuffixed(max as usize),
                Literal::usize_unsuffixed(max as usize + 1),
            );
            out.push(violation_with(
                quote!(repeat_first(REQUEST_EXAMPLE, #ptr, #actual)),
                quote!(Rule::MaxItems { max: #max, actual: #actual }),
            ));
        }
        if let Some(min) = l.min_value.filter(|&m| m > i64::MIN) {
            let (limit, actual) = (
                Literal::i64_unsuffixed(min),
                Literal::i64_unsuffixed(min - 1),
            );
            out.push(violation(
                Value::from(min - 1),
                quote!(Rule::MinValue { min: #limit, actual: #actual }),
            ));
        }
        if let Some(max) = l.max_value.filter(|&m| m < i64::MAX) {
            let (limit, actual) = (
                Literal::i64_unsuffixed(max),
                Literal::i64_unsuffixed(max + 1),
            );
            out.push(violation(
                Value::from(max + 1),
                quote!(Rule::MaxValue { max: #limit, actual: #actual }),
            ));
        }
        if let Type::Enum(name, base) = &f.ty {
            let codes: Vec<String> = enums
                .iter()
                .find(|e| &e.rust_name == name)
                .map(|e| e.variants.iter().map(|v| v.code.clone()).collect())
                .unwrap_or_default();
            let (value, actual) = match base {
                Scalar::Number => {
                    let n = codes
                        .iter()
                        .filter_map(|c| c.parse::<i64>().ok())
                        .max()
                        .unwrap_or(0)
                        .saturating_add(1);
                    (Value::from(n), n.to_string())
                }
                _ => ("UNDOCUMENTED".into(), "UNDOCUMENTED".to_owned()),
            };
            if f.limits
                .max_length
                .is_none_or(|m| actual.chars().count() as u64 <= m)
            {
                out.push(violation(value, quote!(Rule::UnknownCode { actual: #actual.into(), allowed: vec![#(#codes.into()),*] })));
            }
        }
        // Descend into nested structs the example holds.
        let nested = match (&f.ty, present) {
            (Type::Struct(name), Some(v)) => Some((name, v.clone(), ptr.clone(), at.clone())),
            (Type::List(inner), Some(Value::Array(items))) => match (inner.as_ref(), items.first())
            {
                (Type::Struct(name), Some(first)) => {
                    Some((name, first.clone(), format!("{ptr}/0"), format!("{at}[0]")))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((name, value, ptr, at)) = nested
            && let Some(def) = lookup(name)
        {
            rule_cases(def, &value, &ptr, &at, lookup, enums, request, out);
        }
    }
}
