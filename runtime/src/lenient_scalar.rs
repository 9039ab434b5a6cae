//! The lenient scalar types: how each reads from a `Value` and from a [`Reader`].
//!
//! The reader's fast paths take the common shapes straight from the text (a string, a
//! plain integer, a boolean); every other shape goes through the tree reading, so that a
//! value is accepted, and a misfit worded, the same way on both paths.

use serde_json::Value;

use crate::decimal::ParseDecimalError;
use crate::lenient::{Error, Item, Reader, Scalar, describe};
use crate::{DateTime, Decimal};

impl Item for String {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(text_from_json(value)?)
    }

    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        match reader.scalar()? {
            Scalar::Text(text) => Ok(Some(text.into_owned())),
            Scalar::Null => Ok(None),
            // A plain JSON integer that fits a u64 is written back as serde_json writes it:
            // the same digits. A longer one serde_json holds as an f64, and the tree reader
            // writes that (found by fuzz/json_pull): the `other` arm gives the same text.
            Scalar::Number(n) if n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Some(n.to_owned()))
            }
            other => Self::from_json(other.into_value()),
        }
    }
}

fn text_from_json(value: Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        // The Java SDK maps any scalar onto a String field by its text.
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("expected a string, found {}", describe(&other))),
    }
}

impl Item for i64 {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(integer_from_json(value)?)
    }

    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        match reader.scalar()? {
            // serde_json reads `-0` as a float: left to the tree reader.
            Scalar::Number(n) if !n.starts_with("-0") => match n.parse() {
                Ok(n) => Ok(Some(n)),
                Err(_) => Self::from_json(Scalar::Number(n).into_value()),
            },
            Scalar::Text(text) => match text.trim() {
                "" => Ok(None),
                t => match t.parse() {
                    Ok(n) => Ok(Some(n)),
                    Err(_) => Self::from_json(Value::String(text.into_owned())),
                },
            },
            Scalar::Null => Ok(None),
            other => Self::from_json(other.into_value()),
        }
    }
}

fn integer_from_json(value: Value) -> Result<Option<i64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("expected an integer (i64), found {n}")),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| {
            format!(
                "expected an integer (i64), found {}",
                describe(&Value::String(s))
            )
        }),
        other => Err(format!("expected an integer, found {}", describe(&other))),
    }
}

impl Item for bool {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(boolean_from_json(value)?)
    }

    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        match reader.scalar()? {
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Null => Ok(None),
            Scalar::Text(text) => match text.trim() {
                "" => Ok(None),
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Self::from_json(Value::String(text.into_owned())),
            },
            other => Self::from_json(other.into_value()),
        }
    }
}

fn boolean_from_json(value: Value) -> Result<Option<bool>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) => match s.trim() {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(format!(
                "expected true or false, found {}",
                describe(&Value::String(s))
            )),
        },
        other => Err(format!(
            "expected true or false, found {}",
            describe(&other)
        )),
    }
}

impl Item for DateTime {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(date_from_json(value)?)
    }

    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        match reader.scalar()? {
            Scalar::Text(text) => Ok(date_from_text(&text)?),
            Scalar::Null => Ok(None),
            other => Self::from_json(other.into_value()),
        }
    }
}

/// Epoch milliseconds read as a date. Only the years TOP's text form `yyyy-MM-dd HH:mm:ss`
/// can hold (0000–9999) are taken: a date read from a response must write back as one.
fn from_millis(ms: i64) -> Result<Option<DateTime>, String> {
    DateTime::from_epoch_millis(ms)
        .filter(|date| (0..=9999).contains(&date.civil().year()))
        .map(Some)
        .ok_or_else(|| format!("epoch milliseconds {ms} are out of range"))
}

fn date_from_json(value: Value) -> Result<Option<DateTime>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(ms) => from_millis(ms),
            None => Err(format!("expected a date, found {n}")),
        },
        Value::String(s) => date_from_text(&s),
        other => Err(format!("expected a date, found {}", describe(&other))),
    }
}

/// A date as text: `yyyy-MM-dd HH:mm:ss`, or epoch milliseconds; blank is absent.
fn date_from_text(s: &str) -> Result<Option<DateTime>, String> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else if t.bytes().all(|b| b.is_ascii_digit()) {
        let ms = t
            .parse()
            .map_err(|_| format!("expected a date, found {t}"))?;
        from_millis(ms)
    } else {
        t.parse()
            .map(Some)
            .map_err(|e: crate::datetime::DateTimeParseError| e.to_string())
    }
}

/// `Price` / `BigDecimal`: a decimal string (exact) or a JSON number (integers exact, floats
/// as their shortest round-trip text); blank text means absent.
impl Item for Decimal {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(Decimal::from_json(value)?)
    }

    fn read(reader: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        match reader.scalar()? {
            Scalar::Text(text) => match text.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|e: ParseDecimalError| Error::new(e.to_string())),
            },
            Scalar::Null => Ok(None),
            other => <Self as Item>::from_json(other.into_value()),
        }
    }
}

/// `Json`: whatever the gateway sends (XML gives text or nested objects); `null` is absent.
impl Item for Value {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok((!value.is_null()).then_some(value))
    }
}

/// `Map`: a JSON object. Anything else (null, an empty XML element, a scalar) reads as
/// absent rather than failing the whole response, as for the other lenient types' "absent"
/// shapes: a map has nothing else to be.
impl Item for crate::JsonMap {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(match value {
            Value::Object(map) => Some(map),
            _ => None,
        })
    }
}
