//! Located diagnostics: `specs/x.yaml:12:5: message`, rendered with the source line and a
//! caret the way rustc does.

use std::fmt;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// A spec file's text, with the line index needed to turn byte offsets into positions.
#[derive(Debug)]
pub struct SourceFile {
    path: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// `path` is how diagnostics name the file, e.g. `specs/x.yaml`.
    pub fn new(path: impl Into<String>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The span of bytes `start..end`, with the 1-based line and column (in characters) of
    /// `start`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = floor_char_boundary(&self.text, start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, end.clamp(start, self.text.len()));
        let line_index = self.line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..start].chars().count() + 1;
        Span {
            start,
            end,
            line: line_index + 1,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where something is in a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// Byte offsets into the file.
    pub start: usize,
    pub end: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One problem with a spec, at one place.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    /// Shown under the caret: usually what was expected.
    pub label: Option<String>,
    file: Option<Arc<SourceFile>>,
    /// A warning (`topgen lint`) rather than an error.
    warning: bool,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            label: None,
            file: None,
            warning: false,
        }
    }

    /// A problem that does not stop generation (`topgen lint`).
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Self {
            warning: true,
            ..Self::error(span, message)
        }
    }

    pub fn is_warning(&self) -> bool {
        self.warning
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn in_file(mut self, file: &Arc<SourceFile>) -> Self {
        self.file = Some(Arc::clone(file));
        self
    }

    /// The file's path as given to [`SourceFile::new`], or `<unknown>`.
    pub fn path(&self) -> &str {
        self.file.as_ref().map_or("<unknown>", |f| f.path())
    }

    /// The rustc-style rendering: message, `--> file:line:column`, the line and a caret.
    pub fn render(&self) -> String {
        let (level, word) = if self.warning {
            (Level::WARNING, "warning")
        } else {
            (Level::ERROR, "error")
        };
        let Some(file) = &self.file else {
            return format!("{word}: {}", self.message);
        };
        let mut annotation = AnnotationKind::Primary.span(self.span.start..self.span.end);
        if let Some(label) = &self.label {
            annotation = annotation.label(label.as_str());
        }
        let report = &[level.primary_title(self.message.as_str()).element(
            Snippet::source(file.text())
                .path(file.path())
                .annotation(annotation),
        )];
        Renderer::plain().render(report).to_string()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path(),
            self.span.line,
            self.span.column,
            self.message
        )?;
        if let Some(label) = &self.label {
            write!(f, " ({label})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let file = SourceFile::new("a.yaml", "x: 1\ntitle: 天猫 y\n".to_owned());
        let at = file.text().find('y').unwrap();
        let span = file.span(at, at + 1);
        assert_eq!((span.line, span.column), (2, 11));
    }

    #[test]
    fn renders_location_source_and_caret() {
        let file = Arc::new(SourceFile::new(
            "specs/a.yaml",
            "method: x\nfoo: 1\n".to_owned(),
        ));
        let d = Diagnostic::error(file.span(10, 13), "unknown key `foo`")
            .with_label("expected one of: method")
            .in_file(&file);
        assert_eq!(
            d.to_string(),
            "specs/a.yaml:2:1: unknown key `foo` (expected one of: method)"
        );
        let text = d.render();
        assert!(text.contains("--> specs/a.yaml:2:1"), "{text}");
        assert!(text.contains("foo: 1"), "{text}");
        assert!(text.contains("^^^ expected one of: method"), "{text}");
    }
}
