//! Strict reading of requests from JSON: the `call` binary's request files and generated
//! requests' `Deserialize`.
//!
//! A request is what the caller means to send, so nothing is guessed: each value must have
//! its own JSON type, a required member must be there, and a member the request does not
//! have is an error rather than silently dropped (a misspelt optional parameter would
//! otherwise vanish). Errors name the full path in wire names: `bill.biz_no`.
//!
//! As for responses ([`crate::lenient`]), generated structs read themselves in one
//! non-generic function over [`Fields`]; each `Fields::required::<T>` is shared by every
//! field of type `T` in the crate. A serde derive cost a visitor, a field enum and a
//! generic `deserialize` per struct, monomorphized again per deserializer.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

pub use crate::lenient::Error;
use crate::lenient::describe;

/// A request value read strictly from JSON.
pub trait Item: Sized {
    /// Reads the value; a value of the wrong shape is an error.
    fn from_json(value: Value) -> Result<Self, Error>;
}

/// Reads `value` as `T`: the whole request, or any part of it.
pub fn read<T: Item>(value: Value) -> Result<T, Error> {
    T::from_json(value)
}

/// The body of a generated request struct's `Deserialize`: any self-describing format,
/// read as a JSON value, then strictly as `T`.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Item,
{
    read(Value::deserialize(deserializer)?).map_err(D::Error::custom)
}

/// [`Item::from_json`] for a type with its own `Deserialize` (a hand-written request): the
/// error keeps serde's path, and a missing member is worded and placed as
/// [`Fields::required`] reports it.
pub fn via_serde<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let error = Error::from_serde(e);
        let parent = match error.path() {
            "." => "",
            path => path,
        };
        match missing_field(error.message()) {
            Some(field) if parent.is_empty() => Error::at(field, error.message()),
            Some(field) => Error::at(format!("{parent}.{field}"), error.message()),
            None => Error::at(parent, error.message()),
        }
    })
}

/// Whether `error` says a required member is missing (its path is then the member's).
pub fn is_missing(error: &Error) -> bool {
    missing_field(error.message()).is_some()
}

/// The member a `missing field` message names: serde's wording, which [`Fields::required`]
/// uses too.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field)
}

/// The members of a request object, taken out one by one by a generated `from_json`:
///
/// ```ignore
/// let mut fields = Fields::new(value)?;
/// let biz_no = fields.required("biz_no");
/// let memo = fields.optional("memo");
/// match (biz_no,) {
///     (Some(biz_no),) => { fields.finish()?; Ok(Self { biz_no, memo }) }
///     _ => Err(fields.into_error()),
/// }
/// ```
///
/// The first member that is missing or does not fit is recorded, in field order, and
/// reading goes on (no early return per field); [`Fields::finish`] then also rejects
/// members left over.
pub struct Fields {
    members: Map<String, Value>,
    taken: Vec<&'static str>,
    error: Option<Error>,
}

impl Fields {
    /// The members of `value`, which must be an object (read as a `Map` is).
    pub fn new(value: Value) -> Result<Fields, Error> {
        Ok(Fields {
            members: Map::from_json(value)?,
            taken: Vec::new(),
            error: None,
        })
    }

    /// Member `name`, which must be present and not `null`; `None` (recorded) otherwise.
    pub fn required<T: Item>(&mut self, name: &'static str) -> Option<T> {
        let value = self.optional(name);
        if value.is_none() {
            // Kept only when nothing was recorded before: not when the member was there
            // but did not fit (recorded by `optional`), nor after an earlier field's error.
            self.fail(Error::at(name, format!("missing field `{name}`")));
        }
        value
    }

    /// Member `name`; `None` when missing or `null`.
    pub fn optional<T: Item>(&mut self, name: &'static str) -> Option<T> {
        self.taken.push(name);
        match self.members.remove(name)? {
            Value::Null => None,
            raw => match T::from_json(raw) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.fail(e.in_field(name));
                    None
                }
            },
        }
    }

    /// Not generic: the error path exists once, not once per field type.
    #[cold]
    fn fail(&mut self, error: Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// `Ok` when every member was there and fit and none is left over.
    pub fn finish(self) -> Result<(), Error> {
        match self.error {
            Some(e) => Err(e),
            None => match self.members.keys().next() {
                None => Ok(()),
                Some(unknown) => Err(unknown_member(unknown, &self.taken)),
            },
        }
    }

    /// The error that made a required member `None`.
    #[cold]
    pub fn into_error(self) -> Error {
        match self.finish() {
            Err(e) => e,
            // Unreachable from generated code, which calls this only after a required
            // member came back `None`, which is always recorded.
            Ok(()) => Error::new("a required member is missing"),
        }
    }
}

#[cold]
fn unknown_member(name: &str, known: &[&str]) -> Error {
    let expected = if known.is_empty() {
        "it has no members".to_owned()
    } else {
        let names: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
        format!("expected one of {}", names.join(", "))
    };
    Error::at(name, format!("unknown field `{name}`, {expected}"))
}

/// Leaf types read as their own `Deserialize` reads them (one instantiation each).
macro_rules! via_own_deserialize {
    ($($ty:ty),* $(,)?) => {$(
        impl Item for $ty {
            fn from_json(value: Value) -> Result<Self, Error> {
                leaf(value)
            }
        }
    )*};
}

via_own_deserialize!(
    String,
    i64,
    bool,
    crate::DateTime,
    crate::Decimal,
    crate::FileItem,
);

fn leaf<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| Error::new(e.to_string()))
}

/// `Json`: any JSON value.
impl Item for Value {
    fn from_json(value: Value) -> Result<Self, Error> {
        Ok(value)
    }
}

/// `Map`: a JSON object.
impl Item for Map<String, Value> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(map),
            other => Err(Error::new(format!(
                "expected an object, found {}",
                describe(&other)
            ))),
        }
    }
}

/// A list: a JSON array, each element read as `T`.
impl<T: Item> Item for Vec<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        let items = elements(value)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            out.push(T::from_json(item).map_err(|e| e.in_element(i))?);
        }
        Ok(out)
    }
}

/// Not generic: the array check exists once.
fn elements(value: Value) -> Result<Vec<Value>, Error> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(Error::new(format!(
            "expected a list, found {}",
            describe(&other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq)]
    struct Inner {
        biz_no: String,
        memo: Option<String>,
    }
    impl Item for Inner {
        fn from_json(value: Value) -> Result<Self, Error> {
            let mut fields = Fields::new(value)?;
            let biz_no = fields.required("biz_no");
            let memo = fields.optional("memo");
            match (biz_no,) {
                (Some(biz_no),) => {
                    fields.finish()?;
                    Ok(Inner { biz_no, memo })
                }
                _ => Err(fields.into_error()),
            }
        }
    }
    #[derive(Debug, PartialEq)]
    struct Outer {
        bill: Inner,
        items: Option<Vec<i64>>,
    }
    impl Item for Outer {
        fn from_json(value: Value) -> Result<Self, Error> {
            let mut fields = Fields::new(value)?;
            let bill = fields.required("bill");
            let items = fields.optional("items");
            match (bill,) {
                (Some(bill),) => {
                    fields.finish()?;
                    Ok(Outer { bill, items })
                }
                _ => Err(fields.into_error()),
            }
        }
    }

    fn error(value: Value) -> (String, String) {
        let e = read::<Outer>(value).unwrap_err();
        (e.path().to_owned(), e.message().to_owned())
    }

    #[test]
    fn reads_what_fits() {
        let read = read::<Outer>(json!({"bill": {"biz_no": "7", "memo": null}, "items": [1, 2]}));
        let bill = Inner {
            biz_no: "7".into(),
            memo: None,
        };
        assert_eq!(
            read,
            Ok(Outer {
                bill,
                items: Some(vec![1, 2])
            })
        );
    }

    #[test]
    fn a_missing_member_is_named_with_its_full_path() {
        let (path, message) = error(json!({"bill": {}}));
        assert_eq!(
            (path.as_str(), message.as_str()),
            ("bill.biz_no", "missing field `biz_no`")
        );
        let e = read::<Outer>(json!({"bill": {"biz_no": null}})).unwrap_err();
        assert!(is_missing(&e), "{e}");
        assert_eq!(e.to_string(), "at `bill.biz_no`: missing field `biz_no`");
        assert_eq!(error(json!({})).0, "bill");
    }

    #[test]
    fn nothing_is_guessed() {
        let (path, message) = error(json!({"bill": {"biz_no": 7}}));
        assert_eq!(path, "bill.biz_no");
        assert!(message.contains("expected a string"), "{message}");
        assert_eq!(
            error(json!({"bill": {"biz_no": "7"}, "items": [1, "2"]})).0,
            "items[1]"
        );
        assert_eq!(
            error(json!({"bill": {"biz_no": "7"}, "items": 1})).0,
            "items"
        );
        assert_eq!(error(json!([])).1, "expected an object, found []");
    }

    #[test]
    fn an_unknown_member_is_an_error_that_lists_the_known_ones() {
        let (path, message) = error(json!({"bill": {"biz_no": "7", "mmo": "x"}}));
        assert_eq!(path, "bill.mmo");
        assert_eq!(
            message,
            "unknown field `mmo`, expected one of `biz_no`, `memo`"
        );
    }

    #[test]
    fn the_first_problem_in_field_order_wins() {
        let (path, _) = error(json!({"bill": {"memo": 1}, "items": "x"}));
        assert_eq!(path, "bill.biz_no");
        let (path, message) = error(json!({"bill": {"biz_no": 1}}));
        assert_eq!(path, "bill.biz_no");
        assert!(!message.starts_with("missing"), "{message}");
    }

    #[test]
    fn hand_written_serde_types_get_the_same_paths() {
        #[derive(Debug, serde::Deserialize)]
        struct Bill {
            #[allow(dead_code)]
            biz_no: String,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Req {
            #[allow(dead_code)]
            bill: Bill,
        }
        let e = via_serde::<Req>(json!({"bill": {}})).unwrap_err();
        assert!(is_missing(&e));
        assert_eq!(e.path(), "bill.biz_no");
        let e = via_serde::<Req>(json!({"bill": {"biz_no": 1}})).unwrap_err();
        assert!(!is_missing(&e));
        assert_eq!(e.path(), "bill.biz_no");
    }
}
