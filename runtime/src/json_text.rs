//! Compact JSON text of a [`JsonView`]: what a struct parameter sends.
//!
//! Byte for byte what `serde_json::to_string` writes for the view (the tests compare the two
//! on every shape), without serde's per-member dispatch. Text is copied in runs between the
//! bytes that need escaping, which is where serde_json spent most of its time on the call
//! path. `Json` values are handed to serde_json itself: they are rare and arbitrary.
//!
//! [`JsonView::write_compact`] is how [`crate::view::to_json_text`] reaches it.

use crate::digits::push_i64;
use crate::view::JsonView;

impl JsonView<'_> {
    /// Appends the compact JSON text of the view to `out`. An inherent method defined here,
    /// with the writer, so that `view` needs nothing from this module: the layering reads
    /// `json_text` → `view`, never back.
    pub(crate) fn write_compact(&self, out: &mut String) {
        write(self, out);
    }
}

/// Appends the JSON text of `view` to `out`.
fn write(view: &JsonView<'_>, out: &mut String) {
    match view {
        JsonView::Absent => out.push_str("null"),
        JsonView::Text(text) => write_str(text, out),
        JsonView::Number(n) => push_i64(*n, out),
        JsonView::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Digits, dashes, colons and a space: nothing to escape.
        JsonView::Date(date) => {
            out.push('"');
            date.push_wire(out);
            out.push('"');
        }
        // The text is a JSON number by construction (what its `Serialize` writes raw).
        JsonView::Decimal(decimal) => out.push_str(decimal.as_str()),
        JsonView::Json(value) => write_serde(value, out),
        JsonView::Map(map) => write_serde(map, out),
        JsonView::File(file) => {
            out.push_str("{\"file_name\":");
            write_str(file.file_name(), out);
            out.push_str(",\"mime_type\":");
            write_str(file.mime_type(), out);
            out.push_str(",\"size\":");
            push_i64(i64::try_from(file.len()).unwrap_or(i64::MAX), out);
            out.push('}');
        }
        JsonView::Object(object) => {
            out.push('{');
            for (i, (name, value)) in object.members().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(name, out);
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
        JsonView::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
    }
}

fn write_serde<T: serde::Serialize + ?Sized>(value: &T, out: &mut String) {
    // A `Value` or map of string keys always serializes; `null` is the fallback for the
    // impossible error, keeping the text valid JSON.
    match serde_json::to_string(value) {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("null"),
    }
}

/// serde_json's escape of each byte below 0x80 (0 = as it is): `"` and `\` with a
/// backslash, the controls with their short form or `u00XX`. Everything else, DEL and all
/// of non-ASCII included, is written raw, as serde_json does.
const ESCAPE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

fn needs_escape(b: u8) -> bool {
    b < 0x80 && ESCAPE[usize::from(b)] != 0
}

/// A JSON string: the runs between escaped bytes are copied whole.
pub(crate) fn write_str(text: &str, out: &mut String) {
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest.bytes().position(needs_escape) {
        // `at` is an ASCII byte, so both halves are on char boundaries.
        let (run, tail) = rest.split_at(at);
        out.push_str(run);
        let b = tail.as_bytes()[0];
        match ESCAPE[usize::from(b)] {
            b'u' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0F)]));
            }
            short => {
                out.push('\\');
                out.push(char::from(short));
            }
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{AsJson, JsonObject};
    use crate::{DateTime, Decimal, FileItem};
    use serde_json::json;

    fn text(view: &JsonView<'_>) -> String {
        let mut out = String::new();
        write(view, &mut out);
        out
    }

    fn assert_like_serde(view: &JsonView<'_>) {
        assert_eq!(text(view), serde_json::to_string(view).unwrap());
    }

    #[test]
    fn every_byte_escapes_as_serde_json_escapes_it() {
        let all: String = (0u8..=0x7F).map(char::from).collect();
        assert_like_serde(&JsonView::Text(&all));
        for s in [
            "",
            "plain",
            "张三 \u{2028}\u{7f}é",
            "\"\\\"",
            "a\u{0}b\u{1f}",
            "\n\r\t\u{8}\u{c}",
            "😀\"x",
        ] {
            assert_like_serde(&JsonView::Text(s));
        }
    }

    #[test]
    fn numbers_dates_decimals_and_files_as_serde_json_writes_them() {
        for n in [0, 7, -7, 10, 3882527336184474047, i64::MIN, i64::MAX] {
            assert_like_serde(&JsonView::Number(n));
        }
        for b in [true, false] {
            assert_like_serde(&JsonView::Bool(b));
        }
        let date: DateTime = "2016-01-01 12:00:00".parse().unwrap();
        assert_like_serde(&JsonView::Date(&date));
        let far = DateTime::from_epoch_millis(-70_000_000_000_000).unwrap();
        assert_like_serde(&JsonView::Date(&far));
        for d in ["0.10", "-3", "99999999999999999.99", "1e5"] {
            if let Ok(d) = d.parse::<Decimal>() {
                assert_like_serde(&JsonView::Decimal(&d));
            }
        }
        let file = FileItem::from_bytes("a \"b\".txt", b"abc".to_vec());
        assert_like_serde(&JsonView::File(&file));
        assert_like_serde(&JsonView::Absent);
    }

    #[test]
    fn structs_lists_and_json_values_as_serde_json_writes_them() {
        let value = json!({"z": [1, 2.5, null, {"k": "v\n"}], "a": true, "n": -0.0});
        let map = value.as_object().unwrap().clone();
        let list = vec![Some("x".to_owned()), None];
        let names = vec!["a".to_owned(), "b\"".to_owned()];
        let mut inner = JsonObject::new();
        inner.put("names", &names);
        inner.put("none", &None::<String>);
        let (inner_view, empty, nothing) = (
            JsonView::from(inner.clone()),
            JsonView::from(JsonObject::new()),
            Vec::<i64>::new(),
        );
        let mut object = JsonObject::new();
        object.put("json", &value);
        object.put("map", &map);
        object.put("list", &list);
        object.put("we\"ird", "name");
        object.put("inner", &inner_view);
        object.put("empty", &empty);
        object.put("nothing", &nothing);
        assert_like_serde(&JsonView::from(object));
        assert_like_serde(&JsonView::from(inner));
    }

    impl AsJson for JsonView<'_> {
        fn as_json(&self) -> JsonView<'_> {
            self.clone()
        }
    }
}
