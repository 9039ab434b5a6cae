//! Typed TMC message content: `TmcMessage::decode` over every topic with a spec and one
//! without.
//!
//! Input: one byte choosing the topic (`TOPICS[b % (len + 1)]`, the last choice a topic
//! without a spec), then the content, read as UTF-8 with invalid bytes replaced.
//!
//! Invariants: nothing panics; a known topic decodes to its own variant; an unknown one is
//! kept as received; what decodes serializes, and when that is readable JSON it decodes
//! again keeping its shape (members, texts, integers; floats within f64 parsing); an error
//! shows without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use top_apis::messages::{TOPICS, TmcMessage};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, content)) = data.split_first() else {
        return;
    };
    let topic = TOPICS
        .get(usize::from(choice) % (TOPICS.len() + 1))
        .copied()
        .unwrap_or("taobao_fuzz_NoSpec");
    let content = String::from_utf8_lossy(content);
    match TmcMessage::decode(topic, &content) {
        Ok(message) => {
            assert_eq!(message.topic(), topic);
            let _ = format!("{message:?}");
            let written = serde_json::to_string(&message).expect("decoded content serializes");
            match &message {
                TmcMessage::Unknown { content: kept, .. } => {
                    assert!(!TOPICS.contains(&topic));
                    assert_eq!(kept, &*content);
                }
                // A Decimal is written as its text, which may be a number no JSON reader
                // takes (`1e999999`, accepted on input): only readable output is read back.
                _ => {
                    if let Ok(once) = serde_json::from_str::<serde_json::Value>(&written) {
                        // Read back, the JSON keeps its shape: the same members, texts,
                        // integers. Floats may move: a Decimal written as the JSON number
                        // `0.10` reads back through f64 as `0.1`, and serde_json's default
                        // float parsing can be one ULP off.
                        let again = TmcMessage::decode(topic, &written)
                            .expect("serialized content decodes");
                        assert_eq!(again.topic(), topic);
                        let twice = serde_json::to_string(&again).expect("serializes");
                        if let Ok(twice) = serde_json::from_str::<serde_json::Value>(&twice) {
                            assert!(same_shape(&once, &twice), "round trip: {once} → {twice}");
                        }
                    }
                }
            }
        }
        Err(e) => {
            assert!(TOPICS.contains(&topic));
            let _ = e.to_string();
        }
    }
});

/// Equal but for the values of non-integer numbers.
fn same_shape(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_shape(v, w))
        }
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        },
        _ => a == b,
    }
}
