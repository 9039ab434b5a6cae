//! Generated structs as JSON, borrowed: what their `Serialize` writes and what a struct
//! parameter sends.
//!
//! Each generated struct builds its [`JsonView`] in one non-generic function
//! ([`AsJson::as_json`]), and the one `Serialize` impl here writes it for every serializer.
//! A serde derive instead cost a generic `serialize` per struct, monomorphized again per
//! serializer. Output is what the derive wrote: members in field order, absent ones left
//! out, each value by its own `Serialize` (dates as text, decimals as exact numbers); a
//! struct is written as a map, which self-describing formats such as JSON do not tell apart.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{DateTime, Decimal, FileItem};

/// A value as it is written, borrowed from the struct that holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonView<'a> {
    /// An absent optional value: left out of its struct; `null` anywhere else.
    Absent,
    /// Text, or a text code.
    Text(&'a str),
    /// A Number, or a number code.
    Number(i64),
    /// A Boolean.
    Bool(bool),
    /// A Date.
    Date(&'a DateTime),
    /// A Price or BigDecimal.
    Decimal(&'a Decimal),
    /// A Json value, as given or received.
    Json(&'a Value),
    /// A Map.
    Map(&'a Map<String, Value>),
    /// A file (request parameters only): written as its summary, never its bytes.
    File(&'a FileItem),
    /// A struct: its present members in field order.
    Object(JsonObject<'a>),
    /// A list.
    List(Vec<JsonView<'a>>),
}

/// The present members of a struct, in field order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonObject<'a>(Vec<(&'static str, JsonView<'a>)>);

impl<'a> JsonObject<'a> {
    /// No member yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No member yet, room for `fields` (one allocation for the whole struct).
    pub fn with_capacity(fields: usize) -> Self {
        JsonObject(Vec::with_capacity(fields))
    }

    /// Adds member `name` unless the value is absent (`None`).
    pub fn put<T: AsJson + ?Sized>(&mut self, name: &'static str, value: &'a T) {
        self.push(name, value.as_json());
    }

    /// Adds member `name` with a view built by hand, unless it is [`JsonView::Absent`].
    pub fn push(&mut self, name: &'static str, view: JsonView<'a>) {
        if !matches!(view, JsonView::Absent) {
            self.0.push((name, view));
        }
    }

    /// The members, in field order.
    pub fn members(&self) -> &[(&'static str, JsonView<'a>)] {
        &self.0
    }
}

impl<'a> From<JsonObject<'a>> for JsonView<'a> {
    fn from(object: JsonObject<'a>) -> Self {
        JsonView::Object(object)
    }
}

impl Serialize for JsonView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            JsonView::Absent => serializer.serialize_none(),
            JsonView::Text(s) => serializer.serialize_str(s),
            JsonView::Number(n) => serializer.serialize_i64(*n),
            JsonView::Bool(b) => serializer.serialize_bool(*b),
            JsonView::Date(d) => d.serialize(serializer),
            JsonView::Decimal(d) => d.serialize(serializer),
            JsonView::Json(v) => v.serialize(serializer),
            JsonView::Map(m) => m.serialize(serializer),
            JsonView::File(f) => f.serialize(serializer),
            JsonView::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.0.len()))?;
                for (name, value) in &object.0 {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            JsonView::List(items) => serializer.collect_seq(items),
        }
    }
}

/// A value that can be written as JSON: see [`JsonView`].
pub trait AsJson {
    /// The value as written.
    fn as_json(&self) -> JsonView<'_>;
}

/// The body of a generated struct's `Serialize`: its view, written by `serializer`.
pub fn serialize<T: AsJson + ?Sized, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.as_json().serialize(serializer)
}

/// Compact JSON text of a value, as a struct or JSON parameter is sent: non-ASCII written
/// raw, members in field order. `None` when there is nothing to send (absent, or `null`).
pub fn to_json_text<T: AsJson + ?Sized>(value: &T) -> Option<String> {
    match value.as_json() {
        JsonView::Absent | JsonView::Json(Value::Null) => None,
        view => {
            // Room for a typical struct parameter at once, rather than growing from nothing.
            let mut text = String::with_capacity(256);
            view.write_compact(&mut text);
            Some(text)
        }
    }
}

impl AsJson for String {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Text(self)
    }
}

impl AsJson for str {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Text(self)
    }
}

impl AsJson for i64 {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Number(*self)
    }
}

impl AsJson for bool {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Bool(*self)
    }
}

impl AsJson for DateTime {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Date(self)
    }
}

impl AsJson for Decimal {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Decimal(self)
    }
}

impl AsJson for Value {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Json(self)
    }
}

impl AsJson for Map<String, Value> {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::Map(self)
    }
}

impl AsJson for FileItem {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::File(self)
    }
}

impl<T: AsJson> AsJson for Vec<T> {
    fn as_json(&self) -> JsonView<'_> {
        JsonView::List(self.iter().map(AsJson::as_json).collect())
    }
}

impl<T: AsJson> AsJson for Option<T> {
    fn as_json(&self) -> JsonView<'_> {
        match self {
            Some(value) => value.as_json(),
            None => JsonView::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn views_write_what_a_derive_wrote() {
        let price: Decimal = "0.10".parse().unwrap();
        let date: DateTime = "2016-01-01 12:00:00".parse().unwrap();
        let (text, flag, none) = (Some("a".to_owned()), Some(true), None::<i64>);
        let (price, date, list) = (Some(price), Some(date), Some(vec![1i64, 2]));
        let required = "张三".to_owned();
        let mut object = JsonObject::with_capacity(7);
        object.put("z_text", &text);
        object.put("absent", &none);
        object.put("flag", &flag);
        object.put("price", &price);
        object.put("date", &date);
        object.put("list", &list);
        object.put("name", &required);
        let view = JsonView::from(object);
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            r#"{"z_text":"a","flag":true,"price":0.10,"date":"2016-01-01 12:00:00","list":[1,2],"name":"张三"}"#
        );
    }

    #[test]
    fn json_text_is_what_a_parameter_sends() {
        assert_eq!(to_json_text(&None::<Value>), None);
        assert_eq!(to_json_text(&json!(null)), None);
        assert_eq!(
            to_json_text(&json!({"k": "张三\n"})).as_deref(),
            Some("{\"k\":\"张三\\n\"}")
        );
        let file = FileItem::from_bytes("a.txt", b"abcdef".to_vec()).with_mime_type("text/plain");
        assert_eq!(
            to_json_text(&file).as_deref(),
            Some(r#"{"file_name":"a.txt","mime_type":"text/plain","size":6}"#)
        );
    }
}
