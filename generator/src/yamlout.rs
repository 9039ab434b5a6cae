//! The spec model → YAML text, for specs that topgen writes itself (`import`).
//!
//! A small emitter rather than serde_yaml (archived) or a generic serializer: the output must
//! look like the hand-written seed specs (key order, blank lines between sections), carry
//! comments, and quote exactly the scalars that YAML would otherwise read differently
//! (`"002"`, `"{}"`, dates, `true`), since `yaml.rs` keeps scalars as written and a
//! generic emitter would not know which ones are text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::spec::{Client, CodedValue, Field, Payload, Session, Spec, StructDef};

/// The first line of every spec: editors find the schema through it.
pub const SCHEMA_LINE: &str = "# yaml-language-server: $schema=spec.schema.json";

/// Comment lines to print above items, keyed by [`field_key`], [`struct_key`], [`top_key`]
/// or [`value_key`]. Each entry is printed as `# <line>` at the item's indentation.
pub type Comments = BTreeMap<String, Vec<String>>;

/// The comment key of a field: `owner` is `request`, `response` or a struct's name.
pub fn field_key(owner: &str, wire: &str) -> String {
    format!("{owner}/{wire}")
}

/// The comment key of a struct definition.
pub fn struct_key(name: &str) -> String {
    format!("struct {name}")
}

/// The comment key of a top-level entry (`client`, `session`).
pub fn top_key(key: &str) -> String {
    format!("top {key}")
}

/// The comment key of one coded value of a field.
pub fn value_key(owner: &str, wire: &str, code: &str) -> String {
    format!("{owner}/{wire}={code}")
}

/// The spec as YAML, deterministic: the same model always gives the same bytes.
pub fn emit(spec: &Spec, comments: &Comments) -> String {
    let mut w = Writer {
        out: String::new(),
        comments,
    };
    w.out.push_str(SCHEMA_LINE);
    w.out.push('\n');
    w.scalar_entry(0, "method", &spec.method.value, Style::Text);
    for (key, value) in [
        ("title", &spec.title),
        ("description", &spec.description),
        ("category", &spec.category),
    ] {
        if let Some(v) = value {
            w.scalar_entry(0, key, &v.value, Style::Text);
        }
    }
    let client = match spec.client.value {
        Client::Top => "top",
        Client::Qimen => "qimen",
    };
    w.comment(0, &top_key("client"));
    w.scalar_entry(0, "client", client, Style::Raw);
    let session = match spec.session.value {
        Session::None => "none",
        Session::Optional => "optional",
        Session::Required => "required",
    };
    w.comment(0, &top_key("session"));
    w.scalar_entry(0, "session", session, Style::Raw);
    for (key, fields) in [("request", &spec.request), ("response", &spec.response)] {
        if !fields.is_empty() {
            w.out.push_str(&format!("\n{key}:\n"));
            for field in fields {
                w.field(2, key, field);
            }
        }
    }
    if !spec.structs.is_empty() {
        w.out.push_str("\nstructs:\n");
        for (i, def) in spec.structs.iter().enumerate() {
            if i > 0 {
                w.out.push('\n');
            }
            w.struct_def(def);
        }
    }
    if let Some(examples) = &spec.examples {
        let parts = [("response", &examples.response), ("error", &examples.error)];
        if parts
            .iter()
            .any(|(_, p)| p.as_ref().is_some_and(has_payload))
        {
            w.out.push_str("\nexamples:\n");
            for (key, payload) in parts {
                let Some(payload) = payload.as_ref().filter(|p| has_payload(p)) else {
                    continue;
                };
                w.out.push_str(&format!("  {key}:\n"));
                for (format, text) in [("xml", &payload.xml), ("json", &payload.json)] {
                    if let Some(text) = text {
                        w.scalar_entry(4, format, &text.value, Style::Text);
                    }
                }
            }
        }
    }
    w.out
}

fn has_payload(p: &Payload) -> bool {
    p.xml.is_some() || p.json.is_some()
}

/// How a scalar may be written.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Text: quoted whenever YAML would read the plain form as anything else.
    Text,
    /// An example of a Number field: plain when it is a plain integer, else as text.
    Number,
    /// A keyword or integer topgen itself writes (`top`, `true`, `32`): always plain.
    Raw,
}

struct Writer<'c> {
    out: String,
    comments: &'c Comments,
}

impl Writer<'_> {
    fn comment(&mut self, indent: usize, key: &str) {
        if let Some(lines) = self.comments.get(key) {
            // A comment ends at the line end: text with line breaks becomes several lines.
            for line in lines.iter().flat_map(|l| l.lines()) {
                // A comment holds any character but controls, which YAML rejects anywhere:
                // those are shown escaped (a doc's text may hold a NUL).
                let mut shown = String::with_capacity(line.len());
                for c in line.trim_end().chars() {
                    if c != '\t' && !is_printable(c) {
                        let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
                    } else {
                        shown.push(c);
                    }
                }
                let _ = writeln!(self.out, "{:indent$}# {shown}", "");
            }
        }
    }

    /// `key: value` at `indent`, the value quoted or as a block scalar when it must be.
    fn scalar_entry(&mut self, indent: usize, key: &str, value: &str, style: Style) {
        let _ = write!(self.out, "{:indent$}{key}:", "");
        self.value(indent, value, style);
    }

    /// A value after `key:` (or `- key:`), `indent` being the key's column.
    fn value(&mut self, indent: usize, value: &str, style: Style) {
        if value.contains('\n')
            && let Some(block) = block_scalar(value, indent + 2)
        {
            self.out.push_str(&block);
            return;
        }
        let plain = match style {
            Style::Raw => true,
            Style::Number => is_plain_integer(value) || is_safe_plain(value),
            Style::Text => is_safe_plain(value),
        };
        self.out.push(' ');
        if plain {
            self.out.push_str(value);
        } else {
            self.out.push_str(&double_quoted(value));
        }
        self.out.push('\n');
    }

    fn field(&mut self, indent: usize, owner: &str, field: &Field) {
        let wire = &field.name.value;
        self.comment(indent, &field_key(owner, wire));
        let _ = write!(self.out, "{:indent$}- name:", "");
        self.value(indent + 2, wire, Style::Text);
        let inner = indent + 2;
        if let Some(n) = &field.rust_name {
            self.scalar_entry(inner, "rust_name", &n.value, Style::Text);
        }
        self.scalar_entry(inner, "type", &field.ty.value, Style::Text);
        if let Some(r) = &field.required {
            self.scalar_entry(inner, "required", bool_text(r.value), Style::Raw);
        }
        if let Some(e) = &field.example {
            // A Number example is the number as written; anything else is text.
            let is_number = field.ty.value.trim() == "Number";
            let style = if is_number {
                Style::Number
            } else {
                Style::Text
            };
            self.scalar_entry(inner, "example", &e.value, style);
        }
        for (key, v) in [
            ("max_length", field.max_length.as_ref().map(|l| l.value)),
            ("max_items", field.max_items.as_ref().map(|l| l.value)),
        ] {
            if let Some(v) = v {
                self.scalar_entry(inner, key, &v.to_string(), Style::Raw);
            }
        }
        for (key, v) in [
            ("min_value", field.min_value.as_ref().map(|l| l.value)),
            ("max_value", field.max_value.as_ref().map(|l| l.value)),
        ] {
            if let Some(v) = v {
                self.scalar_entry(inner, key, &v.to_string(), Style::Raw);
            }
        }
        if let Some(d) = &field.description {
            self.scalar_entry(inner, "description", &d.value, Style::Text);
        }
        if let Some(n) = &field.enum_name {
            self.scalar_entry(inner, "enum_name", &n.value, Style::Text);
        }
        if let Some(values) = &field.values {
            if values.value.is_empty() {
                let _ = writeln!(self.out, "{:inner$}values: []", "");
            } else {
                let _ = writeln!(self.out, "{:inner$}values:", "");
                for v in &values.value {
                    self.coded_value(inner + 2, owner, wire, v);
                }
            }
        }
    }

    fn coded_value(&mut self, indent: usize, owner: &str, wire: &str, v: &CodedValue) {
        self.comment(indent, &value_key(owner, wire, &v.code.value));
        let _ = write!(self.out, "{:indent$}- code:", "");
        self.value(indent + 2, &v.code.value, Style::Text);
        if let Some(n) = &v.rust_name {
            self.scalar_entry(indent + 2, "rust_name", &n.value, Style::Text);
        }
        if let Some(d) = &v.description {
            self.scalar_entry(indent + 2, "description", &d.value, Style::Text);
        }
    }

    fn struct_def(&mut self, def: &StructDef) {
        let name = &def.name.value;
        self.comment(2, &struct_key(name));
        self.out.push_str("  - name:");
        self.value(4, name, Style::Text);
        if let Some(n) = &def.rust_name {
            self.scalar_entry(4, "rust_name", &n.value, Style::Text);
        }
        if let Some(d) = &def.description {
            self.scalar_entry(4, "description", &d.value, Style::Text);
        }
        if def.fields.is_empty() {
            self.out.push_str("    fields: []\n");
        } else {
            self.out.push_str("    fields:\n");
            for field in &def.fields {
                self.field(6, name, field);
            }
        }
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn is_plain_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Whether `text` reads back as the same text when written without quotes.
pub fn is_safe_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.trim() != text || text.contains(['\n', '\r', '\t']) {
        return false;
    }
    // Indicators that start something other than a plain scalar.
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return false;
    }
    if text.chars().any(|c| !is_printable(c)) {
        return false;
    }
    !looks_like_non_text(text)
}

/// Numbers, booleans, nulls, dates and times in YAML 1.1 or 1.2: anything a YAML reader
/// might type as other than a string.
fn looks_like_non_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "null"
            | "~"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) {
        return true;
    }
    let first = text.chars().next().unwrap_or(' ');
    let numeric_start = first.is_ascii_digit() || matches!(first, '+' | '-' | '.');
    numeric_start
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || "+-.:_ xXoOT".contains(c))
}

/// `"…"` with YAML's double-quoted escapes.
/// Whether YAML lets `c` stand as itself: not a control character, a byte-order mark, or
/// one of the noncharacters U+FFFE and U+FFFF (YAML 1.2's printable set). Anything else is
/// written escaped in a double-quoted scalar.
fn is_printable(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
}

pub(crate) fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !is_printable(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A literal block scalar (`|`, `|-`, `|+`) indented to `indent`, or `None` when the text
/// cannot be one (control characters, trailing spaces YAML would keep ambiguous).
fn block_scalar(text: &str, indent: usize) -> Option<String> {
    if text
        .chars()
        .any(|c| c != '\n' && c != '\t' && !is_printable(c))
    {
        return None;
    }
    let body = text.trim_end_matches('\n');
    let trailing = text.len() - body.len();
    if body.is_empty() {
        return None;
    }
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // Leading spaces on the first line would be taken for indentation: say how much it is.
    let first = body.lines().next().unwrap_or("");
    let indicator = if first.starts_with([' ', '\t']) {
        if first.starts_with('\t') {
            return None;
        }
        "2"
    } else {
        ""
    };
    // A tab cannot start a line inside the block without being read as content after
    // the indentation; that is fine, but a line of only spaces can change the indentation
    // detection: such lines are written empty, so they must be empty in the text.
    if body.lines().any(|l| !l.is_empty() && l.trim().is_empty()) {
        return None;
    }
    let mut out = format!(" |{indicator}{chomp}\n");
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{:indent$}{line}", "");
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_yaml_would_retype() {
        for quoted in [
            "002",
            "{}",
            "2019-09-08 22:33:34",
            "true",
            "False",
            "100000",
            "1.5",
            "",
            " x",
            "a: b",
            "- x",
            "null",
            "#x",
            "0x1F",
        ] {
            assert!(!is_safe_plain(quoted), "{quoted:?} must be quoted");
        }
        for plain in [
            "ture",
            "XXXXX",
            "123,456,789",
            "浙AA12345",
            "最大长度:32,客户类型:ALI 阿里客户",
            "TMALL_CAR",
            "ALI",
        ] {
            assert!(is_safe_plain(plain), "{plain:?} may be plain");
        }
    }

    #[test]
    fn block_scalars_keep_trailing_newlines() {
        assert_eq!(
            block_scalar("<a>\n  <b/>\n</a>\n", 6).as_deref(),
            Some(" |\n      <a>\n        <b/>\n      </a>\n")
        );
        assert_eq!(block_scalar("a\nb", 2).as_deref(), Some(" |-\n  a\n  b\n"));
        assert_eq!(
            block_scalar("  a\nb\n", 2).as_deref(),
            Some(" |2\n    a\n  b\n")
        );
    }
}
