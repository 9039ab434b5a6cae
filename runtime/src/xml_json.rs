//! An XML response as the JSON text of the value `response` builds from it, written in one
//! pass over quick-xml's events, so that XML is read by the same pull reader as JSON.
//!
//! The mapping is `response`'s (see its module docs): text-only elements are strings,
//! elements with children objects whose repeated names (and every child of a `list="true"`
//! element) become arrays in document order, blank elements `""` (`{}` for lists),
//! non-blank text beside children the member `"$text"`. Each element's JSON is written to
//! one buffer when it ends; a parent then copies its children's pieces, grouped by name,
//! after them. `None` for anything the tree decoder must judge: malformed XML, nesting past
//! the cap, text outside the root, a child named `$text`.

use std::ops::Range;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::json_pull::MAX_DEPTH;
use crate::json_text::write_str;

/// Whether the element carries `list="true"`. Malformed attributes are ignored: they carry
/// nothing the decoder needs.
pub(crate) fn is_list(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == "list" && a.value.trim() == "true")
}

/// An element whose end has not been read yet.
struct Open {
    name: Range<usize>,
    list: bool,
    /// Where its children start in `Writer::children`, its text in `Writer::text`.
    children: usize,
    text: usize,
}

/// A finished element: its name in `names`, its JSON in `out`.
#[derive(Clone)]
struct Piece {
    name: Range<usize>,
    json: Range<usize>,
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    names: String,
    children: Vec<Piece>,
    text: String,
    open: Vec<Open>,
    top: Vec<Piece>,
    scratch: String,
}

/// The document's top-level elements as (name, JSON text of the value), or `None`.
pub(crate) fn convert(xml: &str) -> Option<Vec<(String, String)>> {
    let mut reader = Reader::from_str(xml);
    let mut w = Writer {
        out: Vec::with_capacity(xml.len()),
        ..Writer::default()
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                if w.open.len() >= MAX_DEPTH {
                    return None;
                }
                let name = w.name(e.name().as_ref());
                let open = Open {
                    name,
                    list: is_list(&e),
                    children: w.children.len(),
                    text: w.text.len(),
                };
                w.open.push(open);
            }
            Event::Empty(e) => {
                let name = w.name(e.name().as_ref());
                let start = w.out.len();
                w.out
                    .extend_from_slice(if is_list(&e) { b"{}" } else { b"\"\"" });
                w.finished(Piece {
                    name,
                    json: start..w.out.len(),
                });
            }
            Event::End(_) => {
                let open = w.open.pop()?;
                let json = w.element(&open)?;
                w.children.truncate(open.children);
                w.text.truncate(open.text);
                w.finished(Piece {
                    name: open.name,
                    json,
                });
            }
            Event::Text(t) => w.push_text(&t.xml10_content())?,
            Event::CData(c) => w.push_text(&c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().ok()? {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(r.as_ref())?.to_owned(),
                };
                w.push_text(&resolved)?;
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !w.open.is_empty() {
        return None;
    }
    let top = std::mem::take(&mut w.top);
    top.into_iter()
        .map(|p| {
            let json = std::str::from_utf8(w.out.get(p.json)?).ok()?;
            Some((w.names.get(p.name)?.to_owned(), json.to_owned()))
        })
        .collect()
}

impl Writer {
    fn name(&mut self, name: &str) -> Range<usize> {
        let start = self.names.len();
        self.names.push_str(name);
        start..self.names.len()
    }

    fn push_text(&mut self, s: &str) -> Option<()> {
        if self.open.is_empty() {
            // Text-like content is only allowed inside an element.
            return s.trim().is_empty().then_some(());
        }
        self.text.push_str(s);
        Some(())
    }

    fn finished(&mut self, piece: Piece) {
        if self.open.is_empty() {
            self.top.push(piece);
        } else {
            self.children.push(piece);
        }
    }

    /// Writes the JSON of the element that just ended; its range in `out`.
    fn element(&mut self, open: &Open) -> Option<Range<usize>> {
        let text = self.text.get(open.text..)?;
        let blank = text.trim().is_empty();
        let children = self.children.get(open.children..)?;
        let start = self.out.len();
        if children.is_empty() && !open.list {
            if blank {
                self.out.extend_from_slice(b"\"\"");
            } else {
                self.scratch.clear();
                write_str(text, &mut self.scratch);
                self.out.extend_from_slice(self.scratch.as_bytes());
            }
            return Some(start..self.out.len());
        }
        // Grouped by name, each group in document order (a stable sort).
        let mut order: Vec<Piece> = children.to_vec();
        let names = &self.names;
        let name_of = |p: &Piece| names.get(p.name.clone()).unwrap_or_default();
        if order.len() > 1 {
            order.sort_by(|a, b| name_of(a).cmp(name_of(b)));
        }
        if order.iter().any(|p| name_of(p) == "$text") {
            return None;
        }
        self.out.push(b'{');
        let mut i = 0;
        while i < order.len() {
            let name = name_of(&order[i]);
            let mut end = i + 1;
            while end < order.len() && name_of(&order[end]) == name {
                end += 1;
            }
            if i > 0 {
                self.out.push(b',');
            }
            self.scratch.clear();
            write_str(name, &mut self.scratch);
            self.out.extend_from_slice(self.scratch.as_bytes());
            self.out.push(b':');
            let array = open.list || end - i > 1;
            if array {
                self.out.push(b'[');
            }
            for (k, piece) in order[i..end].iter().enumerate() {
                if k > 0 {
                    self.out.push(b',');
                }
                self.out.extend_from_within(piece.json.clone());
            }
            if array {
                self.out.push(b']');
            }
            i = end;
        }
        if !blank {
            if !order.is_empty() {
                self.out.push(b',');
            }
            self.scratch.clear();
            write_str(text, &mut self.scratch);
            self.out.extend_from_slice(b"\"$text\":");
            self.out.extend_from_slice(self.scratch.as_bytes());
        }
        self.out.push(b'}');
        Some(start..self.out.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn value_of(xml: &str) -> Value {
        let top = convert(xml).expect("converts");
        assert_eq!(top.len(), 1);
        serde_json::from_str(&top[0].1).expect("valid JSON")
    }

    #[test]
    fn elements_map_as_the_tree_decoder_maps_them() {
        let got = value_of(
            r#"<r><a>1</a><l list="true"><i>x</i></l><a>2</a><b> </b><e/><m>t<c>u</c></m><n list="true"/><s>&amp;&#x41;"</s></r>"#,
        );
        assert_eq!(
            got,
            json!({"a": ["1", "2"], "l": {"i": ["x"]}, "b": "", "e": "", "m": {"c": "u", "$text": "t"}, "n": {}, "s": "&A\""})
        );
        assert!(convert("<r><$text>1</$text></r>").is_none());
        assert!(convert("<r>").is_none());
        assert!(convert("x<r/>").is_none());
    }
}
