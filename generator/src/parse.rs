//! YAML nodes → the spec model, reporting every structural problem with its location:
//! unknown keys, missing keys, values of the wrong kind.

use crate::diag::{Diagnostic, Span};
use crate::spec::{
    Client, CodedValue, Examples, Field, Located, MessageSpec, Payload, Session, Spec, StructDef,
};
use crate::yaml::{Node, NodeKind};

pub const SPEC_KEYS: &[&str] = &[
    "method",
    "title",
    "description",
    "category",
    "client",
    "session",
    "request",
    "response",
    "structs",
    "examples",
];
pub const MESSAGE_KEYS: &[&str] = &[
    "topic",
    "title",
    "description",
    "category",
    "source",
    "content",
    "structs",
    "example",
];
pub const FIELD_KEYS: &[&str] = &[
    "name",
    "rust_name",
    "type",
    "required",
    "example",
    "description",
    "max_length",
    "max_items",
    "min_value",
    "max_value",
    "values",
    "enum_name",
];
pub const CODED_VALUE_KEYS: &[&str] = &["code", "description", "rust_name"];
pub const STRUCT_KEYS: &[&str] = &["name", "rust_name", "description", "fields"];
pub const EXAMPLES_KEYS: &[&str] = &["response", "error"];
pub const PAYLOAD_KEYS: &[&str] = &["xml", "json"];

/// Reads a spec from its YAML tree, pushing every problem to `errors`. What could be read
/// is returned even then (`None` only when a required top-level value is unusable), so that
/// semantic checks can report their problems in the same run.
pub fn spec(root: &Node, errors: &mut Vec<Diagnostic>) -> Option<Spec> {
    Reader { errors }.spec(root)
}

/// Reads a message spec (`messages/<topic>.yaml`) from its YAML tree, as [`spec`] does.
pub fn message(root: &Node, errors: &mut Vec<Diagnostic>) -> Option<MessageSpec> {
    Reader { errors }.message(root)
}

struct Reader<'e> {
    errors: &'e mut Vec<Diagnostic>,
}

/// The entries of one mapping, each taken at most once; what is left is unknown.
struct Entries<'n> {
    span: Span,
    entries: Vec<(&'n str, &'n Node, &'n Node, bool)>,
}

impl<'n> Entries<'n> {
    fn take(&mut self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter_mut()
            .find(|(k, _, _, taken)| *k == key && !*taken)
            .map(|entry| {
                entry.3 = true;
                entry.2
            })
    }
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.errors
            .push(Diagnostic::error(span, message).with_label(label));
    }

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Entries<'n>> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.error(
                node.span,
                format!("expected {what} (a mapping), found {}", node.describe()),
                "expected a mapping",
            );
            return None;
        };
        let mut entries: Vec<(&str, &Node, &Node, bool)> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let NodeKind::Scalar { text, .. } = &key.kind else {
                self.error(
                    key.span,
                    format!("expected a key, found {}", key.describe()),
                    "keys are plain words",
                );
                continue;
            };
            if let Some(first) = entries.iter().find(|e| e.0 == text) {
                let first_line = first.1.span.line;
                self.error(
                    key.span,
                    format!("duplicate key `{text}`"),
                    format!("first given on line {first_line}"),
                );
                continue;
            }
            entries.push((text.as_str(), key, value, false));
        }
        Some(Entries {
            span: node.span,
            entries,
        })
    }

    /// Reports keys nobody took, and required keys that are missing.
    fn finish(&mut self, entries: Entries<'_>, allowed: &[&str]) {
        for (key, key_node, _, taken) in entries.entries {
            if !taken {
                let hint = match closest(key, allowed) {
                    Some(close) => format!(
                        "did you mean `{close}`? expected one of: {}",
                        allowed.join(", ")
                    ),
                    None => format!("expected one of: {}", allowed.join(", ")),
                };
                self.error(key_node.span, format!("unknown key `{key}`"), hint);
            }
        }
    }

    fn required<'n>(
        &mut self,
        entries: &mut Entries<'n>,
        key: &str,
        what: &str,
    ) -> Option<&'n Node> {
        let node = entries.take(key);
        if node.is_none() {
            let at = Span {
                end: entries.span.start,
                ..entries.span
            };
            self.error(
                at,
                format!("missing key `{key}` ({what})"),
                format!("add `{key}:` here"),
            );
        }
        node
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<Located<String>> {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Some(Located {
                value: text.clone(),
                span: node.span,
            }),
            _ => {
                self.error(
                    node.span,
                    format!("expected {what} (text), found {}", node.describe()),
                    "expected text",
                );
                None
            }
        }
    }

    fn opt_text(
        &mut self,
        entries: &mut Entries<'_>,
        key: &str,
        what: &str,
    ) -> Option<Located<String>> {
        let node = entries.take(key)?;
        if node.kind == NodeKind::Null {
            return None;
        }
        self.text(node, what)
    }

    fn keyword<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        names: &[&str],
        values: &[T],
    ) -> Option<Located<T>> {
        let found = match &node.kind {
            NodeKind::Scalar { text, .. } => names.iter().position(|n| n == text),
            _ => None,
        };
        match found {
            Some(i) => Some(Located {
                value: values[i],
                span: node.span,
            }),
            None => {
                self.error(
                    node.span,
                    format!("invalid {what}: found {}", node.describe()),
                    format!("expected one of: {}", names.join(", ")),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<Located<bool>> {
        self.keyword(node, what, &["true", "false"], &[true, false])
    }

    fn integer<T: std::str::FromStr>(
        &mut self,
        node: &Node,
        what: &str,
        kind: &str,
    ) -> Option<Located<T>> {
        if let NodeKind::Scalar {
            text,
            quoted: false,
        } = &node.kind
            && let Ok(value) = text.parse::<T>()
        {
            return Some(Located {
                value,
                span: node.span,
            });
        }
        let quoted = matches!(node.kind, NodeKind::Scalar { quoted: true, .. });
        self.error(
            node.span,
            format!("invalid {what}: found {}", node.describe()),
            if quoted {
                format!("expected {kind}, written without quotes")
            } else {
                format!("expected {kind}")
            },
        );
        None
    }

    fn list<'n, T>(
        &mut self,
        node: &'n Node,
        what: &str,
        mut item: impl FnMut(&mut Self, &'n Node) -> Option<T>,
    ) -> Vec<T> {
        match &node.kind {
            NodeKind::Null => Vec::new(),
            NodeKind::Seq(items) => items.iter().filter_map(|n| item(self, n)).collect(),
            _ => {
                self.error(
                    node.span,
                    format!("expected {what} (a list), found {}", node.describe()),
                    "expected a list",
                );
                Vec::new()
            }
        }
    }

    fn spec(&mut self, root: &Node) -> Option<Spec> {
        let mut m = self.mapping(root, "a spec")?;
        let method = self
            .required(&mut m, "method", "the TOP method name")
            .and_then(|n| self.text(n, "the method name"));
        let title = self.opt_text(&mut m, "title", "the title");
        let description = self.opt_text(&mut m, "description", "the description");
        let category = self.opt_text(&mut m, "category", "the category");
        let client = self
            .required(&mut m, "client", "`top` or `qimen`")
            .and_then(|n| self.keyword(n, "client", Client::NAMES, &[Client::Top, Client::Qimen]));
        let session = self
            .required(&mut m, "session", "`none`, `optional` or `required`")
            .and_then(|n| {
                self.keyword(
                    n,
                    "session",
                    Session::NAMES,
                    &[Session::None, Session::Optional, Session::Required],
                )
            });
        let request = m
            .take("request")
            .map(|n| self.list(n, "request parameters", |r, n| r.field(n)))
            .unwrap_or_default();
        let response = m
            .take("response")
            .map(|n| self.list(n, "response parameters", |r, n| r.field(n)))
            .unwrap_or_default();
        let structs = m
            .take("structs")
            .map(|n| self.list(n, "struct definitions", |r, n| r.struct_def(n)))
            .unwrap_or_default();
        let examples = m.take("examples").and_then(|n| self.examples(n));
        self.finish(m, SPEC_KEYS);
        Some(Spec {
            method: method?,
            title,
            description,
            category,
            client: client?,
            session: session?,
            request,
            response,
            structs,
            examples,
        })
    }

    fn message(&mut self, root: &Node) -> Option<MessageSpec> {
        let mut m = self.mapping(root, "a message spec")?;
        let topic = self
            .required(
                &mut m,
                "topic",
                "the TMC topic, e.g. `taobao_trade_TradeBuyerPay`",
            )
            .and_then(|n| self.text(n, "the topic"));
        let title = self.opt_text(&mut m, "title", "the title");
        let description = self.opt_text(&mut m, "description", "the description");
        let category = self.opt_text(&mut m, "category", "the category");
        let source = self.opt_text(&mut m, "source", "the source");
        let content = m
            .take("content")
            .map(|n| self.list(n, "content fields", |r, n| r.field(n)))
            .unwrap_or_default();
        let structs = m
            .take("structs")
            .map(|n| self.list(n, "struct definitions", |r, n| r.struct_def(n)))
            .unwrap_or_default();
        let example = self.opt_text(&mut m, "example", "a JSON example");
        self.finish(m, MESSAGE_KEYS);
        Some(MessageSpec {
            topic: topic?,
            title,
            description,
            category,
            source,
            content,
            structs,
            example,
        })
    }

    fn field(&mut self, node: &Node) -> Option<Field> {
        let mut m = self.mapping(node, "a field")?;
        let name = self
            .required(&mut m, "name", "the wire name")
            .and_then(|n| self.text(n, "the wire name"));
        let rust_name = self.opt_text(&mut m, "rust_name", "a Rust name");
        let ty = self
            .required(
                &mut m,
                "type",
                "String, Number, Boolean, Date, a struct, or `Type[]`",
            )
            .and_then(|n| self.text(n, "a type"));
        let required = m
            .take("required")
            .and_then(|n| self.boolean(n, "`required`"));
        let example = self.opt_text(&mut m, "example", "an example");
        let description = self.opt_text(&mut m, "description", "a description");
        let max_length = m
            .take("max_length")
            .and_then(|n| self.integer(n, "max_length", "a whole number ≥ 0"));
        let max_items = m
            .take("max_items")
            .and_then(|n| self.integer(n, "max_items", "a whole number ≥ 0"));
        let min_value = m
            .take("min_value")
            .and_then(|n| self.integer(n, "min_value", "an integer"));
        let max_value = m
            .take("max_value")
            .and_then(|n| self.integer(n, "max_value", "an integer"));
        let values = m.take("values").map(|n| Located {
            value: self.list(n, "coded values", |r, n| r.coded_value(n)),
            span: n.span,
        });
        let enum_name = self.opt_text(&mut m, "enum_name", "an enum name");
        self.finish(m, FIELD_KEYS);
        Some(Field {
            name: name?,
            rust_name,
            ty: ty?,
            required,
            example,
            description,
            max_length,
            max_items,
            min_value,
            max_value,
            values,
            enum_name,
        })
    }

    fn coded_value(&mut self, node: &Node) -> Option<CodedValue> {
        let mut m = self.mapping(node, "a coded value")?;
        let code = self
            .required(&mut m, "code", "the value as sent")
            .and_then(|n| self.text(n, "a code"));
        let description = self.opt_text(&mut m, "description", "a description");
        let rust_name = self.opt_text(&mut m, "rust_name", "a variant name");
        self.finish(m, CODED_VALUE_KEYS);
        Some(CodedValue {
            code: code?,
            description,
            rust_name,
        })
    }

    fn struct_def(&mut self, node: &Node) -> Option<StructDef> {
        let mut m = self.mapping(node, "a struct definition")?;
        let name = self
            .required(&mut m, "name", "the type name")
            .and_then(|n| self.text(n, "a type name"));
        let rust_name = self.opt_text(&mut m, "rust_name", "a Rust name");
        let description = self.opt_text(&mut m, "description", "a description");
        let fields = self
            .required(&mut m, "fields", "the struct's fields")
            .map(|n| self.list(n, "fields", |r, n| r.field(n)));
        self.finish(m, STRUCT_KEYS);
        Some(StructDef {
            name: name?,
            rust_name,
            description,
            fields: fields?,
        })
    }

    fn examples(&mut self, node: &Node) -> Option<Examples> {
        if node.kind == NodeKind::Null {
            return None;
        }
        let mut m = self.mapping(node, "examples")?;
        let response = m.take("response").and_then(|n| self.payload(n));
        let error = m.take("error").and_then(|n| self.payload(n));
        self.finish(m, EXAMPLES_KEYS);
        Some(Examples { response, error })
    }

    fn payload(&mut self, node: &Node) -> Option<Payload> {
        if node.kind == NodeKind::Null {
            return None;
        }
        let mut m = self.mapping(node, "an example payload")?;
        let xml = self.opt_text(&mut m, "xml", "an XML example");
        let json = self.opt_text(&mut m, "json", "a JSON example");
        self.finish(m, PAYLOAD_KEYS);
        Some(Payload { xml, json })
    }
}

/// The allowed key closest to a misspelt one, if any is close.
pub(crate) fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(closest("requried", FIELD_KEYS), Some("required"));
        assert_eq!(closest("max_lenght", FIELD_KEYS), Some("max_length"));
        assert_eq!(closest("zzz", FIELD_KEYS), None);
    }
}
