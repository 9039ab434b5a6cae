//! Lenient decoding of response fields, as the official SDKs practise it.
//!
//! The gateway is loose with scalars (a Number may come as `"12"`, a Boolean as `"true"`, a
//! Date as epoch milliseconds), XML carries every scalar as text, and without `simplify` a list
//! arrives wrapped as `{"items": {"item": [...]}}`. Every lenient type implements [`Item`],
//! which accepts all of these and nothing that would lose data.
//!
//! Generated response structs read themselves with [`Fields`], member by member, in one
//! non-generic function per struct: no serde derive, no visitor, no per-field
//! `deserialize_with` instantiation. Each `Fields::value::<T>` is shared by every field of
//! type `T` in the crate, which is what keeps thousands of response types cheap to compile.
//! [`value`] and [`list`] remain for hand-written serde structs (`deserialize_with`).

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::DateTime;

/// A JSON value that does not fit its type, and where it sits: `result.items[2].price`.
/// Shared by responses, read leniently here, and requests, read strictly by [`crate::strict`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    path: String,
    message: String,
}

impl Error {
    /// A value that does not fit, at the place being read.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            path: String::new(),
            message: message.into(),
        }
    }

    /// A value that does not fit at `path` (wire names, `a.b[2].c`; empty for the top).
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            path: path.into(),
            message: message.into(),
        }
    }

    /// What serde said about a value read with its own `Deserialize`, at the path it gave.
    pub(crate) fn from_serde(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        Error::at(error.path().to_string(), error.into_inner().to_string())
    }

    /// Where the value sits, in wire names, relative to what was read; empty for the top.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error seen from the object holding it as member `name`. Errors are rare, so the
    /// path is built by prepending on the way out rather than tracked on the way in.
    #[cold]
    pub(crate) fn in_field(mut self, name: &str) -> Self {
        self.path = if self.path.is_empty() {
            name.to_owned()
        } else if self.path.starts_with('[') {
            format!("{name}{}", self.path)
        } else {
            format!("{name}.{}", self.path)
        };
        self
    }

    /// The error seen from the list holding it as element `index`.
    #[cold]
    pub(crate) fn in_element(mut self, index: usize) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            format!("[{index}]{}", self.path)
        } else {
            format!("[{index}].{}", self.path)
        };
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::new(message)
    }
}

/// A type that can be read leniently from any JSON shape TOP uses for it.
pub trait Item: Sized {
    /// Reads the value; `Ok(None)` for the shapes TOP uses to say "absent" for this type.
    fn from_json(value: Value) -> Result<Option<Self>, Error>;
}

/// Reads a struct with its own `Deserialize` (for hand-written serde structs); an empty XML
/// element means absent.
pub fn from_json_object<T: DeserializeOwned>(value: Value) -> Result<Option<T>, Error> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        other => serde_path_to_error::deserialize(other)
            .map(Some)
            .map_err(Error::from_serde),
    }
}

/// The members of a response object, taken out one by one by a generated `from_json`:
///
/// ```ignore
/// let Some(mut fields) = Fields::new(value)? else { return Ok(None) };
/// let read = Self { code: fields.value("code"), items: fields.list("items") };
/// fields.finish()?;
/// Ok(Some(read))
/// ```
///
/// Members the struct does not name are ignored, missing ones are `None`, as a
/// `#[serde(default)]` derive would have it. A member that does not fit is recorded rather
/// than returned at once, so that each field costs a call and a move, with no early return
/// (and no drop of the fields read so far) per field; [`Fields::finish`] reports the first,
/// in field order.
pub struct Fields {
    members: Map<String, Value>,
    error: Option<Error>,
}

impl Fields {
    /// The object's members; `None` for the shapes that mean absent (`null`, an empty XML
    /// element: blank text). An empty array reads as an empty object (what a serde derive
    /// with `#[serde(default)]` made of it); any other value is an error.
    pub fn new(value: Value) -> Result<Option<Fields>, Error> {
        let members = match value {
            Value::Object(map) => map,
            Value::Null => return Ok(None),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::Array(items) if items.is_empty() => Map::new(),
            other => {
                return Err(Error::new(format!(
                    "expected an object, found {}",
                    describe(&other)
                )));
            }
        };
        Ok(Some(Fields {
            members,
            error: None,
        }))
    }

    /// Member `name` read as one `T`; `None` when it is missing or absent (or does not fit:
    /// then [`Fields::finish`] fails).
    pub fn value<T: Item>(&mut self, name: &str) -> Option<T> {
        let raw = self.members.remove(name)?;
        match T::from_json(raw) {
            Ok(value) => value,
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Member `name` read as a list of `T` in any of TOP's list shapes (see [`list`]).
    pub fn list<T: Item>(&mut self, name: &str) -> Option<Vec<T>> {
        let raw = self.members.remove(name)?;
        match list_from_json(raw) {
            Ok(value) => value,
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }

    /// Not generic: the error path exists once, not once per field type.
    #[cold]
    fn fail(&mut self, name: &str, error: Error) {
        if self.error.is_none() {
            self.error = Some(error.in_field(name));
        }
    }

    /// `Ok` when every member read fit, else the first that did not.
    pub fn finish(self) -> Result<(), Error> {
        match self.error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// Reads a whole response result (an object) as `T`; the error names the full path.
pub fn read<T: Item>(value: Value) -> Result<T, Error> {
    T::from_json(value)?.ok_or_else(|| Error::new("expected an object, found nothing"))
}

/// The body of a generated response struct's `Deserialize`: any self-describing format,
/// read as a JSON value, then leniently as `T`.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    read(Value::deserialize(deserializer)?).map_err(D::Error::custom)
}

pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

impl Item for String {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(text_from_json(value)?)
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
}

fn date_from_json(value: Value) -> Result<Option<DateTime>, String> {
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

/// `Price` / `BigDecimal`: a decimal string (exact) or a JSON number (integers exact, floats
/// as their shortest round-trip text); blank text means absent.
impl Item for crate::Decimal {
    fn from_json(value: Value) -> Result<Option<Self>, Error> {
        Ok(crate::Decimal::from_json(value)?)
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

fn list_from_json<T: Item>(raw: Value) -> Result<Option<Vec<T>>, Error> {
    let Some(elements) = list_elements(raw) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(elements.len());
    for (i, element) in elements.into_iter().enumerate() {
        match T::from_json(element) {
            Ok(Some(v)) => out.push(v),
            Ok(None) => {}
            Err(e) => return Err(e.in_element(i)),
        }
    }
    Ok(Some(out))
}

/// The elements of a list in any of its shapes; `None` for `null`. Not generic, so that the
/// unwrapping exists once rather than once per element type.
fn list_elements(raw: Value) -> Option<Vec<Value>> {
    Some(match raw {
        Value::Null => return None,
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
    })
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

    #[derive(Debug, PartialEq)]
    struct Inner {
        price: Option<crate::Decimal>,
    }
    impl Item for Inner {
        fn from_json(value: Value) -> Result<Option<Self>, Error> {
            let Some(mut fields) = Fields::new(value)? else {
                return Ok(None);
            };
            let read = Inner {
                price: fields.value("price"),
            };
            fields.finish()?;
            Ok(Some(read))
        }
    }
    #[derive(Debug, PartialEq)]
    struct Outer {
        flag: Option<bool>,
        items: Option<Vec<Inner>>,
    }
    impl Item for Outer {
        fn from_json(value: Value) -> Result<Option<Self>, Error> {
            let Some(mut fields) = Fields::new(value)? else {
                return Ok(None);
            };
            let read = Outer {
                flag: fields.value("flag"),
                items: fields.list("items"),
            };
            fields.finish()?;
            Ok(Some(read))
        }
    }

    #[test]
    fn fields_read_structs_leniently_and_name_the_full_path() {
        let got = read::<Outer>(json!({"items": {"inner": {"price": "1.5"}}, "extra": 1}));
        let price = Some("1.5".parse().unwrap());
        assert_eq!(
            got,
            Ok(Outer {
                flag: None,
                items: Some(vec![Inner { price }])
            })
        );
        assert_eq!(Outer::from_json(json!("")), Ok(None));
        assert_eq!(Outer::from_json(json!(null)), Ok(None));
        assert!(Outer::from_json(json!([])).unwrap().is_some());
        assert!(Outer::from_json(json!(3)).is_err());
        // The first field that does not fit, in field order, with its whole path.
        let e = read::<Outer>(json!({"items": [{}, {"price": "x"}], "flag": "maybe"})).unwrap_err();
        assert_eq!(e.path(), "flag");
        let e = read::<Outer>(json!({"items": [{}, {"price": "x"}]})).unwrap_err();
        assert_eq!(e.path(), "items[1].price");
        assert!(e.to_string().starts_with("at `items[1].price`: "), "{e}");
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
        let e = list_from_json::<i64>(json!([1, "x"])).unwrap_err();
        assert_eq!(e.path(), "[1]");
        assert_eq!(
            e.to_string(),
            "at `[1]`: expected an integer (i64), found \"x\""
        );
    }
}
