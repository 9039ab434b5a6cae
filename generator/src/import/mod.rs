//! `topgen import`: TOP API documentation → specs. Two readers produce the same model
//! ([`Spec`] + TODO [`Comments`] + located [`Note`]s): `page` reads the text a browser copies
//! from an API page, [`doc_json`] the doc JSON the documentation site serves. What both
//! share lives beside them: [`fields`] (facts stated in prose), [`rust_names`] (placeholder
//! Rust names), [`keep`] (names carried over on re-import) and [`command`] (the batch: read,
//! validate, write, report).

pub mod command;
pub mod doc_json;
pub mod fields;
pub mod keep;
mod page;
mod page_build;
pub mod prose;
pub mod rust_names;
pub mod sample;

pub use command::{Options, read_spec};
pub use page::import;

use crate::diag::Span;
use crate::spec::{Field, Located, Spec};
use crate::yamlout::{self, Comments};

/// How serious a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something in the doc that the spec does not hold, or a guess worth checking.
    Warning,
    /// A required part is missing or contradicts itself: no spec is produced.
    Error,
}

/// Where in its source a note is: a page line, or a JSON pointer into a doc JSON.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// 1-based line of a page's text.
    Line(usize),
    /// An RFC 6901 JSON pointer (`/requestParams/3/subParams/0`); empty for the whole doc.
    Pointer(String),
}

/// Something about one place of the doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub severity: Severity,
    pub at: Location,
    pub message: String,
}

impl Note {
    fn new(severity: Severity, line: usize, message: impl Into<String>) -> Self {
        Note {
            severity,
            at: Location::Line(line),
            message: message.into(),
        }
    }

    fn at_pointer(severity: Severity, pointer: &str, message: impl Into<String>) -> Self {
        Note {
            severity,
            at: Location::Pointer(pointer.to_owned()),
            message: message.into(),
        }
    }

    /// The page line, when the note is located by one.
    pub fn line(&self) -> Option<usize> {
        match self.at {
            Location::Line(line) => Some(line),
            Location::Pointer(_) => None,
        }
    }

    /// `page.txt:12: warning: …`, `doc.json:/requestParams/3: error: …`, or `doc.json:
    /// warning: …` for the whole doc.
    pub fn render(&self, file: &str) -> String {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match &self.at {
            Location::Line(line) => format!("{file}:{line}: {level}: {}", self.message),
            Location::Pointer(p) if p.is_empty() => format!("{file}: {level}: {}", self.message),
            Location::Pointer(p) => format!("{file}:{p}: {level}: {}", self.message),
        }
    }
}

/// The result of reading a page.
#[derive(Debug)]
pub struct Imported {
    /// `None` when a required part is missing (see the error notes).
    pub spec: Option<Spec>,
    /// TODO comments for names the page does not state.
    pub comments: Comments,
    /// Sorted by line.
    pub notes: Vec<Note>,
}

impl Imported {
    pub fn has_errors(&self) -> bool {
        self.notes.iter().any(|n| n.severity == Severity::Error)
    }

    /// The spec as YAML, or `None` when there is none.
    pub fn yaml(&self) -> Option<String> {
        self.spec.as_ref().map(|s| yamlout::emit(s, &self.comments))
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Request => "request",
            Role::Response => "response",
        }
    }
}

fn loc<T>(value: T) -> Located<T> {
    Located {
        value,
        span: Span::default(),
    }
}

/// A field with its wire name and type and nothing else stated yet: what each reader starts
/// from before filling in what its doc says.
fn bare_field(name: String, ty: String) -> Field {
    Field {
        name: loc(name),
        rust_name: None,
        ty: loc(ty),
        required: None,
        example: None,
        description: None,
        max_length: None,
        max_items: None,
        min_value: None,
        max_value: None,
        values: None,
        enum_name: None,
    }
}
