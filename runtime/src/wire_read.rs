//! A request read back from the text parameters it was sent with, for a mock to match it as
//! the typed value the caller built.
//!
//! The wire keeps no types: `42`, `true`, `1,2` and `{"a":1}` are all text. Each parameter is
//! offered to the request's strict reader ([`strict::Item`]) in turn as the JSON values it
//! could have been written from, most faithful first, and the reader's first complaint, which
//! names the parameter, moves that parameter on to its next reading:
//!
//! 1. the JSON the text is, when it is an object or an array, or a number or boolean that
//!    writes back to exactly the same text (so `1.50` stays text, and a `Price` exact);
//! 2. the text as a string;
//! 3. a comma-joined list: the pieces as strings, then as numbers and booleans where they
//!    read exactly.
//!
//! Limits: a decimal inside a struct parameter reads as its shortest number (`0.10` → `0.1`),
//! and a `Json` parameter holding a bare JSON string keeps its quotes (read as a `String` would).
//! Files are not read back.

use serde_json::{Map, Value};

use crate::strict;

/// The most readings tried per parameter before giving up.
const MAX_CANDIDATES: usize = 4;

/// `params` (wire name, text, as sent) read as `R`; the error is the reader's last complaint.
pub(crate) fn read_request<R: strict::Item>(params: &[(String, String)]) -> Result<R, String> {
    let candidates: Vec<Vec<Value>> = params.iter().map(|(_, text)| readings(text)).collect();
    let mut chosen = vec![0usize; params.len()];
    // Every complaint moves one parameter one reading on, so this ends.
    for _ in 0..=params.len() * MAX_CANDIDATES {
        let mut object = Map::new();
        for (i, (name, _)) in params.iter().enumerate() {
            object.insert(name.clone(), candidates[i][chosen[i]].clone());
        }
        let error = match strict::read::<R>(Value::Object(object)) {
            Ok(request) => return Ok(request),
            Err(error) => error,
        };
        let member = error.path().split(['.', '[']).next().unwrap_or_default();
        let Some(i) = params.iter().position(|(name, _)| name == member) else {
            return Err(error.to_string());
        };
        if chosen[i] + 1 >= candidates[i].len() {
            return Err(error.to_string());
        }
        chosen[i] += 1;
    }
    Err("the request does not read back from its parameters".to_owned())
}

/// The JSON values `text` may have been sent for, most faithful first (never empty).
fn readings(text: &str) -> Vec<Value> {
    let mut out = Vec::with_capacity(MAX_CANDIDATES);
    if let Some(value) = exact_json(text) {
        out.push(value);
    }
    out.push(Value::String(text.to_owned()));
    if !matches!(out.first(), Some(Value::Array(_) | Value::Object(_))) {
        let pieces: Vec<&str> = text.split(',').collect();
        out.push(Value::Array(
            pieces
                .iter()
                .map(|p| Value::String((*p).to_owned()))
                .collect(),
        ));
        let typed: Vec<Value> = pieces
            .iter()
            .map(|p| exact_json(p).unwrap_or_else(|| Value::String((*p).to_owned())))
            .collect();
        if typed.iter().any(|v| !v.is_string()) {
            out.push(Value::Array(typed));
        }
    }
    out.truncate(MAX_CANDIDATES);
    out
}

/// The JSON `text` is, when it is an object or array, or a number or boolean written exactly
/// as serde_json writes it (no value is lost reading it so).
fn exact_json(text: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(text).ok()?;
    match &value {
        Value::Object(_) | Value::Array(_) => Some(value),
        Value::Number(_) | Value::Bool(_) => {
            let written = serde_json::to_string(&value).ok()?;
            (written == text).then_some(value)
        }
        Value::Null | Value::String(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_most_faithful_first() {
        assert_eq!(readings("42")[0], Value::from(42));
        assert_eq!(readings("42")[1], Value::from("42"));
        assert_eq!(readings("1.50")[0], Value::from("1.50"));
        assert_eq!(readings("true")[0], Value::from(true));
        assert_eq!(
            readings(r#"{"a":1}"#),
            [serde_json::json!({"a": 1}), Value::from(r#"{"a":1}"#)]
        );
        assert_eq!(
            readings("1,2"),
            [
                Value::from("1,2"),
                serde_json::json!(["1", "2"]),
                serde_json::json!([1, 2])
            ]
        );
        assert_eq!(readings("a,b").len(), 2);
        assert_eq!(readings(r#""q""#)[0], Value::from(r#""q""#));
    }
}
