//! Lenient decoding of response fields, as the official SDKs practise it.
//!
//! The gateway is loose with scalars (a Number may come as `"12"`, a Boolean as `"true"`, a
//! Date as epoch milliseconds), XML carries every scalar as text, and without `simplify` a list
//! arrives wrapped as `{"items": {"item": [...]}}`. Generated response fields read through
//! [`value`] or [`list`], which accept all of these and nothing that would lose data.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::DateTime;

/// A type that can be read leniently from any JSON shape TOP uses for it.
pub trait Item: Sized {
    /// Reads the value; `Ok(None)` for the shapes TOP uses to say "absent" for this type.
    fn from_json(value: Value) -> Result<Option<Self>, String>;
}

/// Reads a struct with its own (lenient) `Deserialize`; an empty XML element means absent.
pub fn from_json_object<T: DeserializeOwned>(value: Value) -> Result<Option<T>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        // The inner path is kept in the message: the outer decoder's path stops here.
        other => serde_path_to_error::deserialize(other)
            .map(Some)
            .map_err(|e| format!("at `{}`: {}", e.path(), e.inner())),
    }
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

impl Item for String {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            // The Java SDK maps any scalar onto a String field by its text.
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            other => Err(format!("expected a string, found {}", describe(&other))),
        }
    }
}

impl Item for i64 {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
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
}

impl Item for bool {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
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
}

impl Item for DateTime {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
        let from_millis = |ms: i64| {
            DateTime::from_epoch_millis(ms)
                .ok_or_else(|| format!("epoch milliseconds {ms} are out of range"))
        };
        match value {
            Value::Null => Ok(None),
            Value::Number(n) => match n.as_i64() {
                Some(ms) => from_millis(ms).map(Some),
                None => Err(format!("expected a date, found {n}")),
            },
            Value::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Ok(None)
                } else if t.bytes().all(|b| b.is_ascii_digit()) {
                    let ms = t
                        .parse()
                        .map_err(|_| format!("expected a date, found {t}"))?;
                    from_millis(ms).map(Some)
                } else {
                    t.parse()
                        .map(Some)
                        .map_err(|e: crate::datetime::DateTimeParseError| e.to_string())
                }
            }
            other => Err(format!("expected a date, found {}", describe(&other))),
        }
    }
}

/// `Price` / `BigDecimal`: a decimal string (exact) or a JSON number (integers exact, floats
/// as their shortest round-trip text); blank text means absent.
impl Item for crate::Decimal {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
        crate::Decimal::from_json(value)
    }
}

/// `Json`: whatever the gateway sends (XML gives text or nested objects); `null` is absent.
impl Item for Value {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
        Ok((!value.is_null()).then_some(value))
    }
}

/// `Map`: a JSON object. Anything else (null, an empty XML element, a scalar) reads as
/// absent rather than failing the whole response, as for the other lenient types' "absent"
/// shapes: a map has nothing else to be.
impl Item for crate::JsonMap {
    fn from_json(value: Value) -> Result<Option<Self>, String> {
        Ok(match value {
            Value::Object(map) => Some(map),
            _ => None,
        })
    }
}

/// `deserialize_with` for an optional scalar or struct field of a response.
pub fn value<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    let raw = Value::deserialize(deserializer)?;
    T::from_json(raw).map_err(D::Error::custom)
}

/// `deserialize_with` for an optional list field of a response: a plain array, TOP's
/// `{"item": [...]}` wrapper (any single key), a lone element, or a comma-joined string of
/// scalars.
pub fn list<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    let raw = Value::deserialize(deserializer)?;
    list_from_json(raw).map_err(D::Error::custom)
}

fn list_from_json<T: Item>(raw: Value) -> Result<Option<Vec<T>>, String> {
    let elements = match raw {
        Value::Null => return Ok(None),
        Value::Array(items) => items,
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some((_, Value::Array(items))) => items,
            Some((_, single)) => vec![single],
            None => Vec::new(),
        },
        Value::Object(map) if map.is_empty() => Vec::new(),
        Value::String(s) if s.trim().is_empty() => Vec::new(),
        Value::String(s) => s.split(',').map(|p| Value::String(p.to_owned())).collect(),
        single => vec![single],
    };
    let mut out = Vec::with_capacity(elements.len());
    for (i, element) in elements.into_iter().enumerate() {
        match T::from_json(element) {
            Ok(Some(v)) => out.push(v),
            Ok(None) => {}
            Err(e) => return Err(format!("element {i}: {e}")),
        }
    }
    Ok(Some(out))
}

/// Lets a generated response struct be read leniently as a field or list element.
///
/// `top_runtime::lenient_struct!(BillStatusResponseTop);`
#[macro_export]
macro_rules! lenient_struct {
    ($name:ident) => {
        impl $crate::lenient::Item for $name {
            fn from_json(
                value: $crate::__private::serde_json::Value,
            ) -> ::core::result::Result<::core::option::Option<Self>, ::std::string::String> {
                $crate::lenient::from_json_object(value)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_accept_numeric_strings_beyond_f64_precision() {
        assert_eq!(
            i64::from_json(json!("3882527336184474047")),
            Ok(Some(3882527336184474047))
        );
        assert_eq!(
            i64::from_json(json!(3882527336184474047i64)),
            Ok(Some(3882527336184474047))
        );
        assert_eq!(i64::from_json(json!("")), Ok(None));
        assert!(i64::from_json(json!("12a")).is_err());
        assert!(i64::from_json(json!(1.5)).is_err());
    }

    #[test]
    fn booleans_and_dates_accept_their_text_forms() {
        assert_eq!(bool::from_json(json!("true")), Ok(Some(true)));
        assert!(bool::from_json(json!("ture")).is_err());
        let d = DateTime::from_json(json!(1_451_620_800_000i64))
            .unwrap()
            .unwrap();
        assert_eq!(d.to_string(), "2016-01-01 12:00:00");
        let d = DateTime::from_json(json!("2016-01-01 12:00:00"))
            .unwrap()
            .unwrap();
        assert_eq!(d.to_string(), "2016-01-01 12:00:00");
    }

    #[test]
    fn decimals_json_and_maps() {
        use crate::{Decimal, JsonMap};
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(Decimal::from_json(json!("0.10")), Ok(Some(d("0.10"))));
        assert_eq!(Decimal::from_json(json!(200.07)), Ok(Some(d("200.07"))));
        assert_eq!(
            Decimal::from_json(json!(3882527336184474047i64)),
            Ok(Some(d("3882527336184474047")))
        );
        assert!(Decimal::from_json(json!("12a")).is_err());
        assert_eq!(
            list_from_json::<Decimal>(json!({"price": ["1.10", 2]})),
            Ok(Some(vec![d("1.10"), d("2")]))
        );
        assert_eq!(Value::from_json(json!(null)), Ok(None));
        assert_eq!(Value::from_json(json!([1, "a"])), Ok(Some(json!([1, "a"]))));
        assert_eq!(Value::from_json(json!("x")), Ok(Some(json!("x"))));
        let map = JsonMap::from_json(json!({"k": {"n": 1}})).unwrap().unwrap();
        assert_eq!(map.get("k"), Some(&json!({"n": 1})));
        assert_eq!(JsonMap::from_json(json!("")), Ok(None));
        assert_eq!(JsonMap::from_json(json!([1])), Ok(None));
    }

    #[test]
    fn lists_unwrap_every_shape() {
        let want = Some(vec![1i64, 2]);
        assert_eq!(list_from_json::<i64>(json!([1, "2"])), Ok(want.clone()));
        assert_eq!(
            list_from_json::<i64>(json!({"number": [1, 2]})),
            Ok(want.clone())
        );
        assert_eq!(list_from_json::<i64>(json!("1,2")), Ok(want));
        assert_eq!(
            list_from_json::<i64>(json!({"number": 7})),
            Ok(Some(vec![7]))
        );
        assert_eq!(list_from_json::<i64>(json!("")), Ok(Some(vec![])));
        assert!(
            list_from_json::<i64>(json!([1, "x"]))
                .unwrap_err()
                .contains("element 1")
        );
    }
}
