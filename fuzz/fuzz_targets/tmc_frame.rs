//! The TMC frame decoder, on any bytes.
//!
//! Invariants: decoding never panics; a decoded frame encodes to bytes that decode to the same
//! frame, and a message it carries reads the same from both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use top_runtime::tmc::{Message, decode, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = decode(data) else {
        return;
    };
    let again = decode(&encode(&frame));
    assert_eq!(again.as_ref(), Ok(&frame), "decode(encode(f)) != f");
    let _ = format!("{frame:?}");
    if let Ok(again) = again {
        assert_eq!(Message::from_frame(&frame), Message::from_frame(&again));
    }
});
