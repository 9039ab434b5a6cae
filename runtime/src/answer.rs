//! Answers written as the gateway writes them, for a mock: a typed response or an error, in
//! JSON or XML, simplified or not, TOP or Qimen, so that the client reads back exactly the
//! value given.
//!
//! - JSON, plain: `{"<method>_response": {…, "request_id": …}}`, each list wrapped as TOP
//!   wraps it, `{"items": {"item": […]}}` (the element name is always `item`; the client takes
//!   any). Simplified: the members at the root, plain arrays.
//! - Prices and other decimals as JSON strings (as TOP sends them, and exact); dates as text.
//! - XML (the same with or without `simplify`): the `<…_response>` root, a list as
//!   `<items list="true"><item>…</item></items>`. An empty struct is written with
//!   `list="true"` too, which reads as an empty object rather than an absent one.
//!   Whitespace-only text reads back empty, and `Json` values come back as XML gives them
//!   (scalars as text), as from the real gateway.
//! - Qimen: the `{"response": {"flag": "success", …}}` envelope, `failure` for errors.

use serde_json::Value;

use crate::options::Format;
use crate::view::{JsonObject, JsonView};

/// How to answer one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnswerSpec<'a> {
    pub(crate) method: &'a str,
    pub(crate) format: Format,
    pub(crate) simplify: bool,
    pub(crate) qimen: bool,
    pub(crate) request_id: &'a str,
}

/// A TOP error answer's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorAnswer {
    pub(crate) code: i64,
    pub(crate) msg: String,
    pub(crate) sub_code: Option<String>,
    pub(crate) sub_msg: Option<String>,
}

/// The body of a success whose result is `result` (a struct's view).
pub(crate) fn success(result: &JsonView<'_>, spec: &AnswerSpec<'_>) -> Vec<u8> {
    let members: &[(&'static str, JsonView<'_>)] = match result {
        JsonView::Object(object) => object.members(),
        _ => &[],
    };
    let mut object = JsonObject::with_capacity(members.len() + 2);
    if spec.qimen {
        object.push("flag", JsonView::Text("success"));
    }
    for (name, view) in members {
        object.push(name, view.clone());
    }
    // A result with a `request_id` of its own keeps it.
    if !members.iter().any(|(name, _)| *name == "request_id") {
        object.push("request_id", JsonView::Text(spec.request_id));
    }
    let root = JsonView::from(object);
    let wrapper = wrapper_name(spec);
    match spec.format {
        Format::Json => {
            let wrap_lists = !spec.simplify && !spec.qimen;
            let root = for_json(&root, wrap_lists);
            json_body(wrapper.as_deref(), &root)
        }
        Format::Xml => xml_body(wrapper.as_deref().unwrap_or("response"), &root),
    }
}

/// The body of an error answer: `error_response`, or a Qimen `failure`.
pub(crate) fn error(error: &ErrorAnswer, spec: &AnswerSpec<'_>) -> Vec<u8> {
    let code = error.code.to_string();
    let mut object = JsonObject::with_capacity(6);
    let (wrapper, msg_name, sub_msg_name) = if spec.qimen {
        object.push("flag", JsonView::Text("failure"));
        ("response", "message", "sub_message")
    } else {
        ("error_response", "msg", "sub_msg")
    };
    object.push(
        "code",
        if spec.qimen {
            JsonView::Text(&code)
        } else {
            JsonView::Number(error.code)
        },
    );
    object.push(msg_name, JsonView::Text(&error.msg));
    if let Some(sub_code) = &error.sub_code {
        object.push("sub_code", JsonView::Text(sub_code));
    }
    if let Some(sub_msg) = &error.sub_msg {
        object.push(sub_msg_name, JsonView::Text(sub_msg));
    }
    object.push("request_id", JsonView::Text(spec.request_id));
    let root = JsonView::from(object);
    match spec.format {
        Format::Json => json_body(Some(wrapper), &root),
        Format::Xml => xml_body(wrapper, &root),
    }
}

/// The root member (JSON) or element (XML) around the result; `None`: the result is the
/// root (simplified JSON).
fn wrapper_name(spec: &AnswerSpec<'_>) -> Option<String> {
    if spec.qimen {
        Some("response".to_owned())
    } else if spec.simplify && spec.format == Format::Json {
        None
    } else {
        Some(crate::response::response_key(spec.method))
    }
}

/// The view as TOP's JSON holds it: decimals as strings, lists wrapped unless simplified.
fn for_json<'a>(view: &JsonView<'a>, wrap_lists: bool) -> JsonView<'a> {
    match view {
        JsonView::Decimal(decimal) => JsonView::Text(decimal.as_str()),
        JsonView::Object(object) => {
            let mut out = JsonObject::with_capacity(object.members().len());
            for (name, member) in object.members() {
                out.push(name, for_json(member, wrap_lists));
            }
            out.into()
        }
        JsonView::List(items) => {
            let items = JsonView::List(items.iter().map(|i| for_json(i, wrap_lists)).collect());
            if wrap_lists {
                let mut wrapper = JsonObject::with_capacity(1);
                wrapper.push("item", items);
                wrapper.into()
            } else {
                items
            }
        }
        other => other.clone(),
    }
}

fn json_body(wrapper: Option<&str>, root: &JsonView<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    match wrapper {
        Some(name) => {
            out.push('{');
            crate::json_text::write_str(name, &mut out);
            out.push(':');
            root.write_compact(&mut out);
            out.push('}');
        }
        None => root.write_compact(&mut out),
    }
    out.into_bytes()
}

fn xml_body(root_name: &str, root: &JsonView<'_>) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\" ?>");
    xml_element(root_name, root, &mut out);
    // The real gateway appends such a comment; the client must skip it.
    out.push_str("<!--top-runtime mock-->");
    out.into_bytes()
}

fn xml_element(name: &str, view: &JsonView<'_>, out: &mut String) {
    let text = |out: &mut String, text: &str| {
        open(name, out);
        escape_text(text, out);
        close(name, out);
    };
    match view {
        JsonView::Absent => {}
        JsonView::Text(s) => text(out, s),
        JsonView::Number(n) => text(out, &n.to_string()),
        JsonView::Bool(b) => text(out, if *b { "true" } else { "false" }),
        JsonView::Date(date) => text(out, &date.to_string()),
        JsonView::Decimal(decimal) => text(out, decimal.as_str()),
        JsonView::Json(value) => xml_value(name, value, out),
        JsonView::Map(map) => xml_members(name, map.iter(), out),
        JsonView::File(file) => {
            let size = file.len().to_string();
            let mut summary = JsonObject::with_capacity(3);
            summary.push("file_name", JsonView::Text(file.file_name()));
            summary.push("mime_type", JsonView::Text(file.mime_type()));
            summary.push("size", JsonView::Text(&size));
            xml_element(name, &summary.into(), out);
        }
        JsonView::Object(object) if object.members().is_empty() => empty_object(name, out),
        JsonView::Object(object) => {
            open(name, out);
            for (member, value) in object.members() {
                xml_element(member, value, out);
            }
            close(name, out);
        }
        JsonView::List(items) => {
            open_list(name, out);
            for item in items {
                xml_element("item", item, out);
            }
            close(name, out);
        }
    }
}

fn xml_value(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::String(s) => {
            open(name, out);
            escape_text(s, out);
            close(name, out);
        }
        Value::Bool(_) | Value::Number(_) => {
            open(name, out);
            out.push_str(&value.to_string());
            close(name, out);
        }
        Value::Object(map) => xml_members(name, map.iter(), out),
        Value::Array(items) => {
            open_list(name, out);
            for item in items {
                xml_value("item", item, out);
            }
            close(name, out);
        }
    }
}

fn xml_members<'v>(
    name: &str,
    members: impl ExactSizeIterator<Item = (&'v String, &'v Value)>,
    out: &mut String,
) {
    if members.len() == 0 {
        return empty_object(name, out);
    }
    open(name, out);
    for (member, value) in members {
        xml_value(member, value, out);
    }
    close(name, out);
}

/// `list="true"` makes an element without children read as `{}`, not as absent.
fn empty_object(name: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push_str(" list=\"true\"/>");
}

fn open(name: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn open_list(name: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push_str(" list=\"true\">");
}

fn close(name: &str, out: &mut String) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Markup characters as entities; CR and other controls as character references, which
/// the reader resolves rather than normalising line ends.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push_str(&format!("&#x{:X};", u32::from(c))),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{ResponseSpec, decode_value};

    /// Every character a string may hold reads back from the XML written for it.
    #[test]
    fn xml_text_reads_back_exactly() {
        let all: String = (1u32..0x80)
            .filter_map(char::from_u32)
            .chain("张三😀\u{7f}\u{85}".chars())
            .collect();
        let spec = AnswerSpec {
            method: "taobao.a.b",
            format: Format::Xml,
            simplify: false,
            qimen: false,
            request_id: "r",
        };
        let mut object = JsonObject::new();
        object.push("text", JsonView::Text(&all));
        let body = success(&object.into(), &spec);
        let value = decode_value(&body, &ResponseSpec::new("taobao.a.b", Format::Xml))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value["text"], Value::String(all));
    }
}
