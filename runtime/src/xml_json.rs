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
    /// Whether a child was written (then its `{`, and for a list the `[`, are too).
    opened: bool,
    /// The name every child of a list shares (the first child's).
    item: Range<usize>,
    /// Where its text starts in `Writer::text`, its children's names in `Writer::seen`.
    text: usize,
    seen: usize,
}

/// The JSON text of a document's top-level elements, one after the other.
pub(crate) struct Converted {
    pub(crate) json: String,
    /// Each top-level element's name and the range of its value in `json`.
    pub(crate) top: Vec<(String, Range<usize>)>,
}

#[derive(Default)]
struct Writer {
    out: String,
    names: String,
    /// The names of the children of each open element, for the check that none repeats.
    seen: Vec<Range<usize>>,
    text: String,
    open: Vec<Open>,
    top: Vec<(String, Range<usize>)>,
}

/// The document as JSON text, written as it is read: each element's value goes out in
/// document order, so a shape that would need regrouping (a name repeated outside a list,
/// a list whose children differ in name) is left to the tree decoder: `None`.
pub(crate) fn convert(xml: &str) -> Option<Converted> {
    let mut reader = Reader::from_str(xml);
    let mut w = Writer {
        out: String::with_capacity(xml.len()),
        ..Writer::default()
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                if w.open.len() >= MAX_DEPTH {
                    return None;
                }
                let name = w.child(e.name().as_ref())?;
                let open = Open {
                    name,
                    list: is_list(&e),
                    opened: false,
                    item: 0..0,
                    text: w.text.len(),
                    seen: w.seen.len(),
                };
                w.open.push(open);
            }
            Event::Empty(e) => {
                let name = w.child(e.name().as_ref())?;
                w.out.push_str(if is_list(&e) { "{}" } else { "\"\"" });
                w.ended(name);
            }
            Event::End(_) => {
                let open = w.open.pop()?;
                w.close(&open)?;
                w.ended(open.name);
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
    Some(Converted {
        json: w.out,
        top: w.top,
    })
}

impl Writer {
    fn name_of(&self, range: &Range<usize>) -> &str {
        self.names.get(range.clone()).unwrap_or_default()
    }

    /// An element starts: the member it is written as in its parent (`None` for what the
    /// tree decoder must judge), or the start of a top-level value.
    fn child(&mut self, name: &str) -> Option<Range<usize>> {
        if name == "$text" {
            return None;
        }
        let start = self.names.len();
        self.names.push_str(name);
        let range = start..self.names.len();
        let Some(parent) = self.open.last_mut() else {
            self.top
                .push((name.to_owned(), self.out.len()..self.out.len()));
            return Some(range);
        };
        if parent.list {
            if !parent.opened {
                parent.opened = true;
                parent.item = range.clone();
                self.out.push('{');
                write_str(name, &mut self.out);
                self.out.push_str(":[");
            } else {
                let item = parent.item.clone();
                if self.names.get(item) != Some(name) {
                    return None;
                }
                self.out.push(',');
            }
        } else {
            self.out.push(if parent.opened { ',' } else { '{' });
            parent.opened = true;
            write_str(name, &mut self.out);
            self.out.push(':');
            self.seen.push(range.clone());
        }
        Some(range)
    }

    /// An element's value was written: a top-level one's range is complete.
    fn ended(&mut self, _name: Range<usize>) {
        if self.open.is_empty()
            && let Some((_, range)) = self.top.last_mut()
        {
            range.end = self.out.len();
        }
    }

    fn push_text(&mut self, s: &str) -> Option<()> {
        if self.open.is_empty() {
            // Text-like content is only allowed inside an element.
            return s.trim().is_empty().then_some(());
        }
        self.text.push_str(s);
        Some(())
    }

    /// Writes the end of the element that just ended.
    fn close(&mut self, open: &Open) -> Option<()> {
        let text = self.text.get(open.text..)?;
        let blank = text.trim().is_empty();
        if open.opened {
            if open.list {
                self.out.push(']');
            } else if self.seen.len() - open.seen > 1 {
                let mut names: Vec<&str> = self.seen[open.seen..]
                    .iter()
                    .map(|r| self.name_of(r))
                    .collect();
                names.sort_unstable();
                if names.windows(2).any(|w| w[0] == w[1]) {
                    return None;
                }
            }
            if !blank {
                self.out.push_str(",\"$text\":");
                write_str(text, &mut self.out);
            }
            self.out.push('}');
        } else if open.list {
            if blank {
                self.out.push_str("{}");
            } else {
                self.out.push_str("{\"$text\":");
                write_str(text, &mut self.out);
                self.out.push('}');
            }
        } else if blank {
            self.out.push_str("\"\"");
        } else {
            write_str(text, &mut self.out);
        }
        self.text.truncate(open.text);
        self.seen.truncate(open.seen);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn value_of(xml: &str) -> Value {
        let converted = convert(xml).expect("converts");
        assert_eq!(converted.top.len(), 1);
        let range = converted.top[0].1.clone();
        serde_json::from_str(&converted.json[range]).expect("valid JSON")
    }

    #[test]
    fn elements_map_as_the_tree_decoder_maps_them() {
        let got = value_of(
            r#"<r><a>1</a><l list="true"><i>x</i><i><k/></i></l><b> </b><e/><m>t<c>u</c></m><n list="true"/><s>&amp;&#x41;"</s><o list="true">x</o></r>"#,
        );
        assert_eq!(
            got,
            json!({"a": "1", "l": {"i": ["x", {"k": ""}]}, "b": "", "e": "", "m": {"c": "u", "$text": "t"}, "n": {}, "s": "&A\"", "o": {"$text": "x"}})
        );
        // Shapes that need regrouping are the tree decoder's.
        assert!(convert("<r><a>1</a><b/><a>2</a></r>").is_none());
        assert!(convert(r#"<r list="true"><a>1</a><b/></r>"#).is_none());
        assert!(convert("<r><$text>1</$text></r>").is_none());
        assert!(convert("<r>").is_none());
        assert!(convert("x<r/>").is_none());
    }
}
