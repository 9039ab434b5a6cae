//! Rustdoc text for generated items, from the spec's descriptions, limits and examples.

use crate::ir::{Api, Encoding, Field, Role, Scalar, Type};
use crate::spec::{Client, Session};

/// The doc of a field: description, then what constrains it.
pub fn field(field: &Field, role: Role) -> String {
    let mut facts = vec![format!("Wire name `{}`", field.wire_name)];
    if role == Role::Request {
        facts.push(if field.required {
            "required".into()
        } else {
            "optional".into()
        });
    }
    let l = &field.limits;
    let file = field.ty.scalar() == Some(Scalar::File)
        || matches!(&field.ty, Type::List(inner) if inner.scalar() == Some(Scalar::File));
    if let Some(n) = l.max_length {
        facts.push(if file {
            format!("at most {n} bytes")
        } else {
            format!("max length {n}")
        });
    }
    if let Some(n) = l.max_items {
        facts.push(format!("at most {n} items"));
    }
    if let Some(n) = l.min_value {
        facts.push(format!("min {n}"));
    }
    if let Some(n) = l.max_value {
        facts.push(format!("max {n}"));
    }
    if let Some(e) = &field.example {
        facts.push(format!("example {}", code(e)));
    }
    match field.ty.scalar() {
        Some(Scalar::Date) => facts.push("`yyyy-MM-dd HH:mm:ss`, China time".into()),
        Some(Scalar::Decimal) => facts.push("an exact decimal, sent as its text".into()),
        Some(Scalar::FieldList) => facts.push("field names, sent comma-separated".into()),
        _ => {}
    }
    if role == Role::Response {
        // How a value is sent says nothing about a response.
    } else if file {
        facts.push("a file upload: sent as a `multipart/form-data` part, never signed".into());
    } else if field.ty.encoding() == Encoding::Json {
        facts.push("sent as JSON text".into());
    }
    let facts = facts.join(" · ");
    match &field.description {
        Some(d) => format!("{}\n\n{facts}.", escape(d)),
        None => format!("{facts}."),
    }
}

/// Inline code that survives backticks inside the text.
pub fn code(text: &str) -> String {
    let fence = if text.contains('`') { "`` " } else { "`" };
    let close = if text.contains('`') { " ``" } else { "`" };
    format!("{fence}{text}{close}")
}

/// Page text as Markdown: brackets and angle brackets would otherwise be read as links and
/// HTML by rustdoc, and a bare URL is written as an autolink (`<http://…>`), which rustdoc
/// asks for.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = url_len(rest) {
            out.push('<');
            out.push_str(&rest[..len]);
            out.push('>');
            rest = &rest[len..];
            continue;
        }
        if matches!(c, '[' | ']' | '<' | '>' | '*' | '`') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of the URL `text` starts with: `http://` or `https://` and the ASCII that may
/// follow in an autolink, without trailing punctuation (a sentence's, not the URL's).
fn url_len(text: &str) -> Option<usize> {
    let scheme = ["https://", "http://"].into_iter().find(|s| {
        text.get(..s.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(s))
    })?;
    let end = text
        .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'']);
    (url.len() > scheme.len()).then_some(url.len())
}

/// The module doc of an API.
pub fn module(api: &Api, spec_path: &str) -> String {
    let mut doc = format!("`{}`", api.method);
    if let Some(t) = &api.title {
        doc.push_str(&format!(": {}", escape(t)));
    }
    doc.push_str("\n\n");
    if let Some(d) = &api.description {
        doc.push_str(&escape(d));
        doc.push_str("\n\n");
    }
    if let Some(c) = &api.category {
        doc.push_str(&format!("- Category (API类目): {}\n", escape(c)));
    }
    doc.push_str(match api.client {
        Client::Top => "- Client: TOP (`DefaultTaobaoClient`)\n",
        Client::Qimen => {
            "- Client: Qimen (`DefaultQimenCloudClient`), sent with `target_app_key`\n"
        }
    });
    doc.push_str(match api.session {
        Session::None => "- Session key: not needed\n",
        Session::Optional => "- Session key: optional\n",
        Session::Required => "- Session key: required\n",
    });
    doc.push_str(&format!("\nGenerated from `{spec_path}`."));
    doc
}

/// Documented example payloads as fenced blocks.
pub fn examples(title: &str, example: &crate::ir::Example) -> String {
    let mut doc = String::new();
    for (lang, text) in [("xml", &example.xml), ("json", &example.json)] {
        if let Some(text) = text {
            doc.push_str(&format!(
                "\n\n{title} ({}):\n\n```{lang}\n{}\n```",
                lang.to_uppercase(),
                text.trim_end()
            ));
        }
    }
    doc
}

/// `#[doc]` attributes, one per line, so that the printed code has `///` lines.
pub fn outer(text: &str) -> proc_macro2::TokenStream {
    let lines = doc_lines(text);
    quote::quote!(#(#[doc = #lines])*)
}

/// `#![doc]` attributes, one per line, so that the printed code has `//!` lines.
pub fn inner(text: &str) -> proc_macro2::TokenStream {
    let lines = doc_lines(text);
    quote::quote!(#(#![doc = #lines])*)
}

/// The `#[doc]` lines of a text: each after a space, tabs (which doc pages contain, and
/// clippy rejects in docs) as four spaces.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {}", l.replace('\t', "    "))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            escape("如：http://img07.taobaocdn.com/i7/T2_!!2.jpg，或[x]"),
            "如：<http://img07.taobaocdn.com/i7/T2_!!2.jpg>，或\\[x\\]"
        );
        assert_eq!(
            escape("see https://open.taobao.com/doc. Then"),
            "see <https://open.taobao.com/doc>. Then"
        );
        assert_eq!(escape("http:// alone"), "http:// alone");
        assert_eq!(escape("<a href=\"x\">"), "\\<a href=\"x\"\\>");
    }
}
