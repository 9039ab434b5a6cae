//! YAML text → a tree of nodes that remember where they came from.
//!
//! Built on granit-parser (the parser under serde-saphyr) rather than serde: scalars stay
//! as the raw text the author wrote (`002` stays `002`, not the integer 2), every node keeps
//! its span, and the reader in `parse` can report every problem in a file instead of the
//! first one serde would stop at.

use granit_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use crate::diag::{Diagnostic, SourceFile, Span};

/// Deepest nesting of collections accepted. A spec nests five levels at most (`structs`,
/// a struct, `fields`, a field, `values`); the cap keeps hostile input from building a tree
/// whose recursive walks and drop could exhaust the stack, and says so plainly instead of
/// the parser's own "recursion limit exceeded" further in.
const MAX_DEPTH: usize = 64;

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `~`, `null` or nothing at all.
    Null,
    /// Any scalar, as written; `quoted` when the author used quotes or a block scalar.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What the node is, for "expected …, found …" messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "nothing".to_owned(),
            NodeKind::Scalar { text, .. } => format!("`{}`", shorten(text)),
            NodeKind::Seq(_) => "a list".to_owned(),
            NodeKind::Map(_) => "a mapping".to_owned(),
        }
    }
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut s: String = line.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn span_of(file: &SourceFile, span: YamlSpan) -> Span {
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start).max(start);
    file.span(start, end)
}

/// Parses one YAML document. An empty file is an empty mapping's absence: `Null`.
pub fn parse(file: &SourceFile) -> Result<Node, Diagnostic> {
    let mut builder = TreeBuilder {
        file,
        stack: Vec::new(),
        root: None,
    };
    let mut documents = 0;
    for event in Parser::new_from_str(file.text()) {
        let (event, span) = event.map_err(|e| {
            let marker = e.marker();
            let mut at = marker.byte_offset().unwrap_or(0);
            if e.info().contains("tab") {
                at = tab_near(file.text(), at);
            }
            Diagnostic::error(file.span(at, at), format!("invalid YAML: {}", e.info()))
        })?;
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(Diagnostic::error(
                        span_of(file, span),
                        "a spec holds one YAML document; found a second one",
                    ));
                }
            }
            Event::Alias(_) => {
                return Err(Diagnostic::error(
                    span_of(file, span),
                    "YAML aliases are not supported in specs; write the value out",
                ));
            }
            Event::Scalar(text, style, anchor, _) => {
                if anchor != 0 {
                    return Err(anchor_error(file, span));
                }
                let quoted = style != ScalarStyle::Plain;
                let kind =
                    if !quoted && matches!(text.as_ref(), "~" | "null" | "Null" | "NULL" | "") {
                        NodeKind::Null
                    } else {
                        NodeKind::Scalar {
                            text: text.into_owned(),
                            quoted,
                        }
                    };
                builder.push_node(Node {
                    span: span_of(file, span),
                    kind,
                });
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _)
                if anchor != 0 =>
            {
                return Err(anchor_error(file, span));
            }
            Event::SequenceStart(..) => {
                builder.open(span_of(file, span), NodeKind::Seq(Vec::new()))?
            }
            Event::MappingStart(..) => {
                builder.open(span_of(file, span), NodeKind::Map(Vec::new()))?
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span_of(file, span)),
            _ => {}
        }
    }
    Ok(builder.root.unwrap_or(Node {
        span: file.span(0, 0),
        kind: NodeKind::Null,
    }))
}

/// Where the tab is that a tab error at byte `at` is about. The scanner's marker is not
/// always on it: a plain scalar that stops at the line break before an indented tab reports
/// the scalar's own position, a line (or several) too early. The tab meant is the first one
/// in the indentation of a non-blank line, from the marker's line on; failing that, the
/// first tab from the marker; failing that, the marker itself.
fn tab_near(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut offset = line_start;
    for line in text[line_start..].split_inclusive('\n') {
        let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
        let indent = &line[..indent_len];
        let content = line[indent_len..].trim_end_matches(['\r', '\n']);
        if !content.is_empty()
            && let Some(tab) = indent.find('\t')
        {
            return offset + tab;
        }
        offset += line.len();
    }
    text[at..].find('\t').map_or(at, |tab| at + tab)
}

fn anchor_error(file: &SourceFile, span: YamlSpan) -> Diagnostic {
    Diagnostic::error(
        span_of(file, span),
        "YAML anchors are not supported in specs; write the value out",
    )
}

struct TreeBuilder<'a> {
    file: &'a SourceFile,
    /// Open collections, each with the key waiting for its value when it is a mapping.
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
}

impl TreeBuilder<'_> {
    fn open(&mut self, span: Span, kind: NodeKind) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                span,
                format!("collections nested deeper than {MAX_DEPTH} levels; no spec nests so deep"),
            ));
        }
        self.stack.push((Node { span, kind }, None));
        Ok(())
    }

    fn close(&mut self, end: Span) {
        if let Some((mut node, _)) = self.stack.pop() {
            // Cover the whole collection so that errors about it point at its first line.
            let end_byte = end.end.max(node.span.start);
            node.span = self.file.span(node.span.start, end_byte.max(node.span.end));
            self.push_node(node);
        }
    }

    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((parent, pending_key)) => match &mut parent.kind {
                NodeKind::Seq(items) => items.push(node),
                NodeKind::Map(entries) => match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, Diagnostic> {
        parse(&SourceFile::new("t.yaml", text.to_owned()))
    }

    #[test]
    fn keeps_raw_scalar_text_and_locations() {
        let node = parse_str("a: 002\nb: 'x'\nc:\nd: [1, ~]\n").unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!("not a map")
        };
        assert_eq!(
            entries[0].1.kind,
            NodeKind::Scalar {
                text: "002".into(),
                quoted: false
            }
        );
        assert_eq!((entries[0].1.span.line, entries[0].1.span.column), (1, 4));
        assert_eq!(
            entries[1].1.kind,
            NodeKind::Scalar {
                text: "x".into(),
                quoted: true
            }
        );
        assert_eq!(entries[2].1.kind, NodeKind::Null);
        let NodeKind::Seq(items) = &entries[3].1.kind else {
            panic!("not a seq")
        };
        assert_eq!(items[1].kind, NodeKind::Null);
        assert_eq!((entries[3].0.span.line, entries[3].0.span.column), (4, 1));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse_str("a: [1\nb: x").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert_eq!(err.span.line, 2);
    }

    /// Where a tab in indentation is reported: its own line and column, whichever rule of
    /// the YAML scanner trips on it (it can stop at the end of the scalar before the tab).
    #[test]
    fn a_tab_in_indentation_is_reported_where_it_is() {
        for (text, line, column) in [
            ("a:\n\tb: 1\n", 2, 1),
            ("a:\n  b: 1\n\tc: 2\n", 3, 1),
            ("a: 1\n\tb: 2\n", 2, 1),
            ("a:\n  - 1\n\t- 2\n", 3, 1),
            ("a:\n  b: 1\n \tc: 2\n", 3, 2),
            ("a:\n  b: 1\n\n\n\tc: 2\n", 5, 1),
            ("a:\n  b: |\n    x\n\ty\n", 4, 1),
            (
                "request:\n  - name: a\n    type: String\n\t- name: b\n",
                4,
                1,
            ),
            (
                "structs:\n  - name: X\n    fields:\n      - name: a\n\t\ttype: String\n",
                5,
                1,
            ),
        ] {
            let err = parse_str(text).unwrap_err();
            assert!(err.message.contains("tab"), "{text:?}: {}", err.message);
            assert_eq!(
                (err.span.line, err.span.column),
                (line, column),
                "{text:?}: {}",
                err.message
            );
        }
    }

    #[test]
    fn aliases_are_rejected() {
        let err = parse_str("a: &x 1\nb: *x\n").unwrap_err();
        assert!(err.message.contains("anchors"), "{}", err.message);
    }
}
