//! Typed TMC message content: `TmcMessage::decode` over every topic with a spec and one
//! without.
//!
//! Input: one byte choosing the topic (`TOPICS[b % (len + 1)]`, the last choice a topic
//! without a spec), then the content, read as UTF-8 with invalid bytes replaced.
//!
//! Invariants: nothing panics; a known topic decodes to its own variant; an unknown one is
//! kept as received; what decodes serializes, its serialized content decodes, and after one such
//! round the JSON is a fixed point; an error shows without panicking.
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
            let written = serde_json::to_value(&message).expect("decoded content serializes");
            match &message {
                TmcMessage::Unknown { content: kept, .. } => {
                    assert!(!TOPICS.contains(&topic));
                    assert_eq!(kept, &*content);
                }
                _ => {
                    // Once read back, the JSON is a fixed point. Not after the first read: a
                    // Decimal written as the JSON number `0.10` or `200.0` reads back through
                    // f64 as `0.1` or `200`.
                    let reread = |json: &serde_json::Value| {
                        let again = TmcMessage::decode(topic, &json.to_string())
                            .expect("serialized content decodes");
                        assert_eq!(again.topic(), topic);
                        serde_json::to_value(&again).expect("serializes")
                    };
                    let once = reread(&written);
                    assert_eq!(reread(&once), once, "round trip");
                }
            }
        }
        Err(e) => {
            assert!(TOPICS.contains(&topic));
            let _ = e.to_string();
        }
    }
});
