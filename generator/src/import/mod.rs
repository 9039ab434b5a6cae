//! `topgen import`: the text of a TOP API documentation page, as a browser's copy gives it,
//! → a spec.
//!
//! The page is read in sections (请求参数, 响应参数, 请求示例, …). Parameter rows come in
//! two layouts, often mixed on one page: a whole row on one line (`orderId Number 必须 1`)
//! or one cell per bullet line (`• └ restAmount`, `• String`, `• 可选`, …); tabs between
//! cells are read as cell boundaries. The Java sample code is evidence used to name `Struct`
//! types, to place nested rows in the right struct, and to tell a lone example from a lone
//! description. Everything else on the page lands in the spec or becomes a [`Note`] with its
//! line; a missing method or parameter type is an error.

pub mod keep;
pub mod prose;
pub mod sample;

use std::collections::{HashMap, HashSet};

use top_runtime::DateTime;
use top_runtime::validate::utf16_len;

use crate::diag::Span;
use crate::names;
use crate::resolve::is_valid_method;
use crate::spec::{
    Client, CodedValue, Examples, Field, Located, Payload, Session, Spec, StructDef,
};
use crate::yamlout::{self, Comments};
use prose::Limit;
use sample::Sample;

/// How serious a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something on the page that the spec does not hold, or a guess worth checking.
    Warning,
    /// A required part is missing: no spec is produced.
    Error,
}

/// Something about one line of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub severity: Severity,
    /// 1-based line in the page.
    pub line: usize,
    pub message: String,
}

impl Note {
    fn new(severity: Severity, line: usize, message: impl Into<String>) -> Self {
        Note {
            severity,
            line,
            message: message.into(),
        }
    }

    /// `page.txt:12: warning: …`
    pub fn render(&self, page: &str) -> String {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        format!("{page}:{}: {level}: {}", self.line, self.message)
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

/// Reads a page. Never panics, whatever the text.
pub fn import(text: &str) -> Imported {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            Line {
                no: i + 1,
                raw,
                text: raw.trim(),
            }
        })
        .collect();
    let mut page = Page::default();
    page.read(&lines);
    page.finish()
}

#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    /// Without the line end.
    raw: &'a str,
    /// Trimmed of all whitespace (spaces, tabs, NBSP, full-width spaces).
    text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Preamble,
    Public,
    Request,
    Response,
    Sample,
    ResponseExample,
    ErrorExample,
    ErrorCodes,
    /// API工具, 如何获得此API, FAQ, 返回, 顶部: the page's navigation.
    Navigation,
}

fn heading(text: &str) -> Option<Section> {
    Some(match text {
        "公共参数" => Section::Public,
        "请求参数" => Section::Request,
        "响应参数" => Section::Response,
        "请求示例" => Section::Sample,
        "响应示例" => Section::ResponseExample,
        "异常示例" => Section::ErrorExample,
        "错误码解释" => Section::ErrorCodes,
        "API工具" | "如何获得此API" | "FAQ" | "返回" | "顶部" => Section::Navigation,
        _ => return None,
    })
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

/// One cell of a parameter row.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    line: usize,
    /// The rest of a one-line row after 是否必须: may hold the example and the description.
    rest_of_line: bool,
}

/// One parameter row, its cells after the name (type first) in page order.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    nested: bool,
    name: String,
    cells: Vec<Cell>,
}

#[derive(Default)]
struct Page {
    notes: Vec<Note>,
    comments: Comments,
    category: Option<String>,
    method: Option<(String, usize)>,
    title: Option<String>,
    description: Vec<String>,
    request_rows: Vec<Row>,
    response_rows: Vec<Row>,
    sample_lines: Vec<(usize, String)>,
    response_example: Vec<(usize, String)>,
    error_example: Vec<(usize, String)>,
}

impl Page {
    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Note::new(Severity::Warning, line, message));
    }

    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Note::new(Severity::Error, line, message));
    }

    fn read(&mut self, lines: &[Line<'_>]) {
        let mut section = Section::Preamble;
        let mut i = 0;
        let mut navigation_reported = false;
        let mut public_reported = false;
        while i < lines.len() {
            let line = lines[i];
            if let Some(next) = heading(line.text) {
                section = next;
                i += 1;
                continue;
            }
            match section {
                Section::Preamble => self.preamble_line(line),
                Section::Public => {
                    if !line.text.is_empty() && !public_reported {
                        public_reported = true;
                        self.warn(
                            line.no,
                            "not placed: public parameters (公共参数) are the same for every API and are not part of a spec",
                        );
                    }
                }
                Section::Request | Section::Response => {
                    let end = lines[i..]
                        .iter()
                        .position(|l| heading(l.text).is_some())
                        .map_or(lines.len(), |p| i + p);
                    let role = if section == Section::Request {
                        Role::Request
                    } else {
                        Role::Response
                    };
                    let rows = self.rows(&lines[i..end], role);
                    match role {
                        Role::Request => self.request_rows.extend(rows),
                        Role::Response => self.response_rows.extend(rows),
                    }
                    i = end;
                    continue;
                }
                Section::Sample => {
                    if !line.text.is_empty() && !is_tab_label(line.text) {
                        self.sample_lines.push((line.no, line.raw.to_owned()));
                    }
                }
                Section::ResponseExample | Section::ErrorExample => {
                    if !is_tab_label(line.text) {
                        let into = if section == Section::ResponseExample {
                            &mut self.response_example
                        } else {
                            &mut self.error_example
                        };
                        into.push((line.no, line.raw.to_owned()));
                    }
                }
                Section::ErrorCodes => {
                    let header = line.text.starts_with("错误码") && line.text.contains("错误描述");
                    if !line.text.is_empty() && !header {
                        self.warn(
                            line.no,
                            format!(
                                "not placed: the error code row `{}` (the spec format has no error codes)",
                                line.text
                            ),
                        );
                    }
                }
                Section::Navigation => {
                    if !line.text.is_empty() && !navigation_reported {
                        navigation_reported = true;
                        self.warn(
                            line.no,
                            format!("not placed: `{}` (page navigation)", line.text),
                        );
                    }
                }
            }
            i += 1;
        }
    }

    fn preamble_line(&mut self, line: Line<'_>) {
        let text = line.text;
        if text.is_empty() {
            return;
        }
        if self.method.is_none() {
            if text.contains('>') && self.category.is_none() {
                // 文档中心 > API类目 > 天猫汽车: the last entry is the category.
                let last = text.rsplit('>').next().unwrap_or("").trim();
                if !last.is_empty() {
                    self.category = Some(last.to_owned());
                }
                return;
            }
            if let Some((method, title)) = method_line(text) {
                self.method = Some((method, line.no));
                self.title = title;
                return;
            }
            self.warn(
                line.no,
                format!("not placed: `{text}` (before the method name)"),
            );
            return;
        }
        self.description.push(text.to_owned());
    }

    /// Splits a parameter table into rows.
    fn rows(&mut self, lines: &[Line<'_>], role: Role) -> Vec<Row> {
        let lines: Vec<&Line<'_>> = lines.iter().filter(|l| !l.text.is_empty()).collect();
        let mut rows: Vec<Row> = Vec::new();
        for (k, line) in lines.iter().enumerate() {
            let text = line.text;
            if text.starts_with("名称") && (text.contains("类型") || text.contains("描述")) {
                continue; // the table's header
            }
            let (bullet, content) = match strip_bullet(text) {
                Some(content) => (true, content),
                None => (false, text),
            };
            let next_is_type = lines
                .get(k + 1)
                .and_then(|l| strip_bullet(l.text))
                .is_some_and(|c| type_like(c).is_some());
            let starts_nested =
                content.starts_with('└') || (bullet && is_wire_name(content) && next_is_type);
            if starts_nested {
                let content = content.trim_start_matches(['└', ' ', '\t', '\u{3000}']);
                rows.push(row_from(content, line.no, true, role));
                continue;
            }
            if !bullet && let Some(row) = one_line_row(text, line.no, role) {
                rows.push(row);
                continue;
            }
            match rows.last_mut() {
                Some(row) => split_cells(content, line.no, &mut row.cells),
                None => self.warn(
                    line.no,
                    format!("not placed: `{text}` is not a parameter row"),
                ),
            }
        }
        rows
    }

    fn finish(mut self) -> Imported {
        let sample = Sample::read(self.sample_lines.iter().map(|(no, l)| (*no, l.as_str())));
        let Some((method, method_line)) = self.method.clone() else {
            self.error(
                1,
                "no method name: expected a line such as `taobao.item.get (标题)` before 请求参数",
            );
            return self.done(None);
        };
        let client = match sample.client {
            Some((client, _)) => client,
            None => {
                let client = if method.starts_with("qimen.") {
                    Client::Qimen
                } else {
                    Client::Top
                };
                self.warn(
                    method_line,
                    format!(
                        "no sample code names the client: assumed `{}` from the method name",
                        if client == Client::Qimen {
                            "qimen"
                        } else {
                            "top"
                        }
                    ),
                );
                client
            }
        };
        let session = match sample.session {
            Some((session, _)) => session,
            None => {
                self.warn(
                    method_line,
                    "no sample code shows `client.execute(…)`: assumed the session is not needed (`session: none`)",
                );
                Session::None
            }
        };
        let mut builder = Builder {
            sample: &sample,
            structs: Vec::new(),
            notes: Vec::new(),
            comments: Comments::new(),
            response_values: Vec::new(),
        };
        builder.response_values = example_values(&self.response_example);
        let request_rows = std::mem::take(&mut self.request_rows);
        let response_rows = std::mem::take(&mut self.response_rows);
        let request = builder.fields(&request_rows, Role::Request);
        let response = builder.fields(&response_rows, Role::Response);
        let response_example = self.payload(&self.response_example.clone());
        let error_example = self.payload(&self.error_example.clone());
        let examples =
            (response_example.is_some() || error_example.is_some()).then_some(Examples {
                response: response_example,
                error: error_example,
            });
        let Builder {
            structs,
            notes,
            comments,
            ..
        } = builder;
        self.notes.extend(notes);
        self.comments.extend(comments);
        let mut spec = Spec {
            method: loc(method),
            title: self.title.clone().map(loc),
            description: (!self.description.is_empty()).then(|| loc(self.description.join("\n"))),
            category: self.category.clone().map(loc),
            client: loc(client),
            session: loc(session),
            request,
            response,
            structs: structs.into_iter().map(|(def, _)| def).collect(),
            examples,
        };
        choose_rust_names(&mut spec, &mut self.comments);
        if !is_valid_method(&spec.method.value) {
            self.error(
                method_line,
                format!("`{}` is not a valid TOP method name", spec.method.value),
            );
        }
        self.done(Some(spec))
    }

    fn done(mut self, spec: Option<Spec>) -> Imported {
        self.notes
            .sort_by(|a, b| (a.line, &a.message).cmp(&(b.line, &b.message)));
        self.notes.dedup();
        let spec = if self.notes.iter().any(|n| n.severity == Severity::Error) {
            None
        } else {
            spec
        };
        Imported {
            spec,
            comments: self.comments,
            notes: self.notes,
        }
    }

    /// The XML and JSON of one example section, dedented, trailing blank lines dropped.
    fn payload(&mut self, lines: &[(usize, String)]) -> Option<Payload> {
        let mut xml: Vec<&(usize, String)> = Vec::new();
        let mut json: Vec<&(usize, String)> = Vec::new();
        let mut depth: i64 = 0;
        let mut in_json = false;
        for entry in lines {
            let text = entry.1.trim();
            if !in_json && (text.starts_with('{') || text.starts_with('[')) {
                in_json = true;
                depth = 0;
            }
            if in_json {
                depth += json_depth_change(text);
                json.push(entry);
                if depth <= 0 {
                    in_json = false;
                }
            } else if text.starts_with('<') || (!xml.is_empty() && !text.is_empty()) {
                xml.push(entry);
            } else if text.is_empty() {
                if !xml.is_empty() {
                    xml.push(entry);
                }
            } else {
                self.warn(
                    entry.0,
                    format!("not placed: `{text}` in an example section"),
                );
            }
        }
        let xml = block(&xml);
        let json = block(&json);
        (xml.is_some() || json.is_some()).then(|| Payload {
            xml: xml.map(loc),
            json: json.map(loc),
        })
    }
}

/// The change in JSON nesting over one line, ignoring brackets inside strings.
fn json_depth_change(text: &str) -> i64 {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Lines as one text: the common indentation removed, blank lines at the ends dropped, one
/// final newline.
fn block(lines: &[&(usize, String)]) -> Option<String> {
    let lines: Vec<&str> = lines.iter().map(|(_, l)| l.trim_end()).collect();
    let start = lines.iter().position(|l| !l.is_empty())?;
    let end = lines.iter().rposition(|l| !l.is_empty())? + 1;
    let lines = &lines[start..end];
    let indent = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in lines {
        let cut = if line.is_char_boundary(indent.min(line.len())) {
            indent.min(line.len())
        } else {
            0
        };
        // Only whitespace is cut: the common indentation is whitespace on every line.
        let (head, tail) = line.split_at(cut);
        out.push_str(if head.trim().is_empty() { tail } else { line });
        out.push('\n');
    }
    Some(out)
}

/// `<tag>value</tag>` and `"key": value` pairs of the response example, to recognise a
/// response field's lone cell as its example.
fn example_values(lines: &[(usize, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, line) in lines {
        let text = line.trim();
        if let Some(rest) = text.strip_prefix('<')
            && let Some((tag, rest)) = rest.split_once('>')
            && let Some((value, _)) = rest.split_once("</")
        {
            out.push((sample::key(tag), value.to_owned()));
        }
        if let Some((k, v)) = text.split_once(':')
            && let Some(k) = k.trim().strip_prefix('"').and_then(|k| k.strip_suffix('"'))
        {
            let v = v.trim().trim_end_matches(',').trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            out.push((sample::key(k), v.to_owned()));
        }
    }
    out
}

fn loc<T>(value: T) -> Located<T> {
    Located {
        value,
        span: Span::default(),
    }
}

/// `• JAVA`, `• XML示例`: the tabs of the sample and example boxes.
fn is_tab_label(text: &str) -> bool {
    let Some(label) = strip_bullet(text) else {
        return false;
    };
    matches!(
        label,
        "JAVA" | ".NET" | "PHP" | "CURL" | "Python" | "C/C++" | "NodeJS" | "XML示例" | "JSON示例"
    )
}

fn strip_bullet(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(['•', '·', '●', '▪', '◦'])?;
    Some(rest.trim())
}

/// `taobao.item.get (标题)` → the method and the title.
fn method_line(text: &str) -> Option<(String, Option<String>)> {
    let end = text
        .find(|c: char| c.is_whitespace() || c == '(' || c == '（')
        .unwrap_or(text.len());
    let method = &text[..end];
    if !is_valid_method(method) {
        return None;
    }
    let rest = text[end..].trim();
    if rest.is_empty() {
        return Some((method.to_owned(), None));
    }
    let inner = rest
        .strip_prefix(['(', '（'])
        .and_then(|r| r.strip_suffix([')', '）']))?;
    let inner = inner.trim();
    Some((
        method.to_owned(),
        (!inner.is_empty()).then(|| inner.to_owned()),
    ))
}

fn is_wire_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '-')
}

/// The type a cell names, normalised (`RiskInfoSyncDTO []` → `RiskInfoSyncDTO[]`).
fn type_like(cell: &str) -> Option<String> {
    let cell = cell.trim();
    let (base, list) = match cell.strip_suffix("[]") {
        Some(base) => (base.trim_end(), true),
        None => (cell, false),
    };
    let base = if base == "Field List" {
        "FieldList"
    } else {
        base
    };
    let mut chars = base.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then(|| format!("{base}{}", if list { "[]" } else { "" }))
}

fn required_cell(text: &str) -> Option<bool> {
    match text {
        "必须" | "必填" | "是" => Some(true),
        "可选" | "选填" | "否" => Some(false),
        _ => None,
    }
}

/// Splits off the first whitespace-separated token.
fn first_token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    }
}

/// A row written on one line: `name Type [必须|可选] rest…`, cells split by tabs when
/// the copy has them.
fn one_line_row(text: &str, line: usize, role: Role) -> Option<Row> {
    let (name, rest) = if text.contains('\t') {
        let (name, rest) = text.split_once('\t')?;
        (name.trim(), rest)
    } else {
        first_token(text)
    };
    if !is_wire_name(name) {
        return None;
    }
    let (ty, _) = first_token(rest);
    let names_type = type_like(ty).is_some();
    let names_required = required_cell(ty).is_some();
    // A name alone is not a row: the first word of a sentence would be one.
    if !(names_type || (names_required && role == Role::Request)) {
        return None;
    }
    Some(row_from(text, line, false, role))
}

/// A row from its first line (the name, and whatever cells follow on that line).
fn row_from(content: &str, line: usize, nested: bool, role: Role) -> Row {
    let mut cells = Vec::new();
    if content.contains('\t') {
        let mut parts = content.split('\t').map(str::trim).filter(|p| !p.is_empty());
        let name = parts.next().unwrap_or("").to_owned();
        for part in parts {
            cells.push(Cell {
                text: part.to_owned(),
                line,
                rest_of_line: false,
            });
        }
        return Row {
            line,
            nested,
            name,
            cells,
        };
    }
    let (name, mut rest) = first_token(content);
    let (ty, after) = first_token(rest);
    if !ty.is_empty() {
        let (maybe_list, after_list) = first_token(after);
        let (ty, after) = if maybe_list == "[]" {
            (format!("{ty}[]"), after_list)
        } else if ty == "Field" && maybe_list == "List" {
            // TOP's `Field List` type is two words.
            ("Field List".to_owned(), after_list)
        } else {
            (ty.to_owned(), after)
        };
        cells.push(Cell {
            text: ty,
            line,
            rest_of_line: false,
        });
        rest = after;
        if role == Role::Request {
            let (req, after) = first_token(rest);
            if required_cell(req).is_some() {
                cells.push(Cell {
                    text: req.to_owned(),
                    line,
                    rest_of_line: false,
                });
                rest = after;
            }
        }
        if !rest.is_empty() {
            cells.push(Cell {
                text: rest.to_owned(),
                line,
                rest_of_line: true,
            });
        }
    }
    Row {
        line,
        nested,
        name: name.to_owned(),
        cells,
    }
}

/// Continuation cells: one per bullet line, or several when the copy separates them by tabs.
fn split_cells(content: &str, line: usize, cells: &mut Vec<Cell>) {
    for part in content.split('\t').map(str::trim).filter(|p| !p.is_empty()) {
        cells.push(Cell {
            text: part.to_owned(),
            line,
            rest_of_line: false,
        });
    }
}

/// ` (lines 9–12)` when a row spans several lines: a dropped row names all of them.
fn span_of(row: &Row) -> String {
    let last = row.cells.iter().map(|c| c.line).max().unwrap_or(row.line);
    if last > row.line {
        format!(" (lines {}–{last})", row.line)
    } else {
        String::new()
    }
}

/// Builds fields and structs from rows.
struct Builder<'s> {
    sample: &'s Sample,
    /// Struct definitions in order of first appearance, with the side they are used on.
    structs: Vec<(StructDef, Role)>,
    notes: Vec<Note>,
    comments: Comments,
    response_values: Vec<(String, String)>,
}

/// An open struct that nested rows may belong to.
struct Frame {
    index: usize,
}

/// A scalar or struct field read from a row, before it is placed.
struct Read {
    field: Field,
    /// The struct (by page type name) the field holds, if any.
    struct_name: Option<String>,
}

impl Builder<'_> {
    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Note::new(Severity::Warning, line, message));
    }

    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Note::new(Severity::Error, line, message));
    }

    fn fields(&mut self, rows: &[Row], role: Role) -> Vec<Field> {
        let mut top: Vec<Field> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        for row in rows {
            // The owner: the top level, or the struct the nested row belongs to.
            let parent = if row.nested {
                if frames.is_empty() {
                    self.warn(
                        row.line,
                        format!(
                            "not placed: `{}` is a nested row (└) but no struct-typed parameter comes before it{}",
                            row.name,
                            span_of(row)
                        ),
                    );
                    continue;
                }
                let chosen = self.choose_frame(&frames, &row.name);
                frames.truncate(chosen + 1);
                Some(frames[chosen].index)
            } else {
                frames.clear();
                None
            };
            let parent_class = match parent {
                Some(i) => self.structs[i].0.name.value.clone(),
                None => sample::ROOT.to_owned(),
            };
            let Some(read) = self.read_row(row, role, &parent_class) else {
                continue;
            };
            let owned = match parent {
                Some(i) => &mut self.structs[i].0.fields,
                None => &mut top,
            };
            if owned.iter().any(|f| f.name.value == read.field.name.value) {
                self.warn(
                    row.line,
                    format!(
                        "not placed: a second row named `{}` in the same place",
                        row.name
                    ),
                );
                continue;
            }
            let struct_name = read.struct_name.clone();
            let mut field = read.field;
            if let Some(name) = struct_name {
                let (index, name) = self.struct_for(&name, role, row.line);
                let list = field.ty.value.ends_with("[]");
                field.ty.value = if list { format!("{name}[]") } else { name };
                frames.push(Frame { index });
            }
            let owned = match parent {
                Some(i) => &mut self.structs[i].0.fields,
                None => &mut top,
            };
            owned.push(field);
        }
        for (def, r) in &self.structs {
            if *r == role && def.fields.is_empty() {
                let line = rows
                    .iter()
                    .find(|row| {
                        row.cells
                            .first()
                            .is_some_and(|c| c.text.trim_end_matches("[]") == def.name.value)
                    })
                    .map_or(1, |row| row.line);
                self.notes.push(Note {
                    severity: Severity::Warning,
                    line,
                    message: format!("the page lists no fields for struct `{}`", def.name.value),
                });
            }
        }
        top
    }

    /// The innermost open struct whose sample-code class sets this field; the innermost
    /// one when the sample says nothing either way.
    fn choose_frame(&self, frames: &[Frame], name: &str) -> usize {
        let innermost = frames.len() - 1;
        for (i, frame) in frames.iter().enumerate().rev() {
            let class = &self.structs[frame.index].0.name.value;
            if self.sample.sets(class, name) {
                return i;
            }
        }
        innermost
    }

    /// The struct definition for a page type name on one side: reused when already defined
    /// there, renamed (with a note) when the other side already uses the name.
    fn struct_for(&mut self, name: &str, role: Role, line: usize) -> (usize, String) {
        if let Some(i) = self
            .structs
            .iter()
            .position(|(d, r)| d.name.value == name && *r == role)
        {
            return (i, name.to_owned());
        }
        let mut chosen = name.to_owned();
        if self.structs.iter().any(|(d, _)| d.name.value == chosen) {
            let suffix = match role {
                Role::Request => "Request",
                Role::Response => "Response",
            };
            chosen = format!("{name}{suffix}");
            let mut n = 2;
            while self.structs.iter().any(|(d, _)| d.name.value == chosen) {
                chosen = format!("{name}{suffix}{n}");
                n += 1;
            }
            self.warn(
                line,
                format!(
                    "the struct `{name}` is used by both the request and the response; the {} one is named `{chosen}` in the spec",
                    role.key()
                ),
            );
        }
        self.structs.push((
            StructDef {
                name: loc(chosen.clone()),
                rust_name: None,
                description: None,
                fields: Vec::new(),
            },
            role,
        ));
        (self.structs.len() - 1, chosen)
    }

    /// Reads one row into a field: type, 必须/可选, limits, example, description, codes.
    fn read_row(&mut self, row: &Row, role: Role, parent_class: &str) -> Option<Read> {
        if !is_wire_name(&row.name) {
            self.warn(
                row.line,
                format!(
                    "not placed: `{}` is not a parameter name{}",
                    row.name,
                    span_of(row)
                ),
            );
            return None;
        }
        let mut cells = row.cells.iter().peekable();
        let Some(ty_cell) = cells.next_if(|c| !c.rest_of_line && type_like(&c.text).is_some())
        else {
            self.error(
                row.line,
                format!(
                    "the parameter `{}` has no type (String, Number, Boolean, Date, a struct, or `Type []`){}",
                    row.name,
                    span_of(row)
                ),
            );
            return None;
        };
        let page_ty = type_like(&ty_cell.text).unwrap_or_default();
        let (page_base, list) = match page_ty.strip_suffix("[]") {
            Some(b) => (b.to_owned(), true),
            None => (page_ty.clone(), false),
        };
        let suffix = if list { "[]" } else { "" };
        let (base, struct_name) = match page_base.as_str() {
            "String" | "Number" | "Boolean" | "Date" => (page_base.clone(), None),
            "Long" | "Integer" | "Int" | "Short" => {
                self.warn(
                    ty_cell.line,
                    format!("the type `{page_base}` of `{}` is read as Number", row.name),
                );
                ("Number".to_owned(), None)
            }
            "Price" | "Json" | "FieldList" => {
                self.warn(
                    ty_cell.line,
                    format!(
                        "the type `{page_base}` of `{}` is read as String (it is sent as text)",
                        row.name
                    ),
                );
                ("String".to_owned(), None)
            }
            "Byte" | "Double" | "Float" | "File" | "Object" | "Map" => {
                self.error(
                    ty_cell.line,
                    format!("the type `{page_base}` of `{}` has no equivalent in the spec format (String, Number, Boolean, Date, a struct){}", row.name, span_of(row)),
                );
                return None;
            }
            "Struct" => {
                // The sample code builds requests only.
                let class = (role == Role::Request)
                    .then(|| {
                        self.sample
                            .child_class(Some(parent_class), &row.name)
                            .or_else(|| self.sample.child_class(None, &row.name))
                    })
                    .flatten();
                let name = match class {
                    Some(class) => class,
                    None => {
                        let name = names::type_name(&row.name);
                        self.warn(
                            ty_cell.line,
                            format!("the type column of `{}` says only `Struct` and no sample code names the class: named it `{name}`", row.name),
                        );
                        name
                    }
                };
                (name.clone(), Some(name))
            }
            other => (other.to_owned(), Some(other.to_owned())),
        };
        let mut required = None;
        if let Some(cell) = cells.next_if(|c| !c.rest_of_line && required_cell(&c.text).is_some()) {
            let is_required = required_cell(&cell.text) == Some(true);
            match role {
                Role::Request => required = is_required.then(|| loc(true)),
                Role::Response => self.warn(
                    cell.line,
                    format!("not placed: `{}` on the response field `{}` (response fields are never required)", cell.text, row.name),
                ),
            }
        } else if role == Role::Request {
            self.warn(
                row.line,
                format!("`{}` has no 必须/可选 cell: read as optional", row.name),
            );
        }
        let mut field = Field {
            name: loc(row.name.clone()),
            rust_name: None,
            ty: loc(format!("{base}{suffix}")),
            required,
            example: None,
            description: None,
            max_length: None,
            max_items: None,
            min_value: None,
            max_value: None,
            values: None,
            enum_name: None,
        };
        // 更多限制 cells are recognised wherever they are; the rest is example/description.
        let mut content: Vec<&Cell> = Vec::new();
        for cell in cells {
            match prose::limit_cell(&cell.text) {
                Some(limit) => self.apply_limit(&mut field, limit, cell, list),
                None => content.push(cell),
            }
        }
        let scalar = struct_name.is_none();
        let (example, description) =
            self.example_and_description(&content, &field, scalar, role, parent_class);
        field.description = description.map(loc);
        if let Some(d) = field.description.as_ref().map(|d| d.value.clone()) {
            self.prose_limits(&mut field, &d, list, row.line);
            if scalar
                && !list
                && matches!(base.as_str(), "String" | "Number")
                && let Some(codes) = prose::coded_values(&d, base == "Number")
            {
                field.values = Some(loc(codes
                    .into_iter()
                    .map(|c| CodedValue {
                        code: loc(c.code),
                        description: c.description.map(loc),
                        rust_name: None,
                    })
                    .collect()));
            }
        }
        if let Some((text, line)) = example {
            match example_problem(&field, &text, &base, list) {
                None => field.example = Some(loc(text)),
                Some(problem) if problem.coded && field.values.is_some() => {
                    // The codes come from reading prose; the example is the page's own cell.
                    field.example = Some(loc(text));
                    field.values = None;
                    self.warn(line, format!("not placed: the coded values read from the description of `{}` ({}); they do not include the example", row.name, problem.message));
                }
                Some(problem) => self.warn(
                    line,
                    format!(
                        "not placed: the example `{text}` of `{}`: {}",
                        row.name, problem.message
                    ),
                ),
            }
        }
        Some(Read { field, struct_name })
    }

    fn apply_limit(&mut self, field: &mut Field, limit: Limit, cell: &Cell, list: bool) {
        let ty = field.ty.value.clone();
        let number = ty == "Number";
        let fits = match limit {
            Limit::MaxLength(n) if !list && (number || ty == "String") => {
                field.max_length = Some(loc(n));
                true
            }
            Limit::MaxItems(n) if list => {
                field.max_items = Some(loc(n));
                true
            }
            Limit::MinValue(n) if number && !list => {
                field.min_value = Some(loc(n));
                true
            }
            Limit::MaxValue(n) if number && !list => {
                field.max_value = Some(loc(n));
                true
            }
            _ => false,
        };
        if !fits {
            self.warn(
                cell.line,
                format!(
                    "not placed: the limit `{}` does not apply to `{}` of type `{ty}`",
                    cell.text, field.name.value
                ),
            );
        }
    }

    fn prose_limits(&mut self, field: &mut Field, description: &str, list: bool, line: usize) {
        let ty = field.ty.value.as_str();
        if !list
            && matches!(ty, "String" | "Number")
            && let Some(n) = prose::max_length_in(description)
        {
            match &field.max_length {
                None => field.max_length = Some(loc(n)),
                Some(l) if l.value != n => {
                    let cell = l.value;
                    self.warn(line, format!("`{}`: the description says 最大长度 {n} but 更多限制 says {cell}; kept {cell}", field.name.value));
                }
                Some(_) => {}
            }
        }
        if list && let Some(n) = prose::max_items_in(description) {
            match &field.max_items {
                None => field.max_items = Some(loc(n)),
                Some(l) if l.value != n => {
                    let cell = l.value;
                    self.warn(line, format!("`{}`: the description says at most {n} items but 更多限制 says {cell}; kept {cell}", field.name.value));
                }
                Some(_) => {}
            }
        }
    }

    /// Which content cells are the example and which the description.
    fn example_and_description(
        &mut self,
        content: &[&Cell],
        field: &Field,
        scalar: bool,
        role: Role,
        parent_class: &str,
    ) -> (Option<(String, usize)>, Option<String>) {
        if content.is_empty() {
            return (None, None);
        }
        if !scalar {
            // A struct takes no example: every cell is description.
            let text: Vec<&str> = content.iter().map(|c| c.text.as_str()).collect();
            return (None, Some(text.join("\n")));
        }
        if content.len() >= 2 {
            let example = (content[0].text.clone(), content[0].line);
            let description: Vec<&str> = content[1..].iter().map(|c| c.text.as_str()).collect();
            return (Some(example), Some(description.join("\n")));
        }
        let cell = content[0];
        let ty = field.ty.value.trim_end_matches("[]");
        if cell.rest_of_line {
            // `1 type=分期,…` or `2000-01-01 00:00:00 服务核销时间`: the example is the first
            // word (two for a date), the description the rest.
            let (first, rest) = first_token(&cell.text);
            let (second, after) = first_token(rest);
            let date = format!("{first} {second}");
            let (example, description) = if ty == "Date" && date.parse::<DateTime>().is_ok() {
                (date, after)
            } else {
                (first.to_owned(), rest)
            };
            if !description.is_empty() {
                return (Some((example, cell.line)), Some(description.to_owned()));
            }
        }
        // One cell: the example if the sample code or the response example shows it as the
        // field's value, or if it is a value of the type; otherwise the description.
        let text = cell.text.as_str();
        let shown = match role {
            Role::Request => self.sample.value(Some(parent_class), &field.name.value) == Some(text),
            Role::Response => {
                let k = sample::key(&field.name.value);
                self.response_values
                    .iter()
                    .any(|(key, v)| *key == k && v == text)
            }
        };
        let typed_value = match ty {
            "Number" => text.parse::<i64>().is_ok(),
            "Boolean" => matches!(text, "true" | "false"),
            "Date" => text.parse::<DateTime>().is_ok(),
            _ => false,
        };
        if shown || typed_value {
            (Some((text.to_owned(), cell.line)), None)
        } else {
            if ty == "String" && text.is_ascii() && !text.contains(' ') {
                self.warn(
                    cell.line,
                    format!("`{text}` is read as the description of `{}`; if it is the example, move it to `example:`", field.name.value),
                );
            }
            (None, Some(text.to_owned()))
        }
    }
}

/// Why an example breaks its field's rules.
struct ExampleProblem {
    message: String,
    /// Only because it is not one of the coded values.
    coded: bool,
}

fn example_problem(field: &Field, text: &str, base: &str, list: bool) -> Option<ExampleProblem> {
    let items: Vec<&str> = if list {
        text.split(',').map(str::trim).collect()
    } else {
        vec![text]
    };
    let problem = |message: String| {
        Some(ExampleProblem {
            message,
            coded: false,
        })
    };
    if let Some(max) = field.max_items.as_ref().map(|m| m.value)
        && items.len() as u64 > max
    {
        return problem(format!("{} items, more than {max}", items.len()));
    }
    for item in &items {
        match base {
            "Number" => match item.parse::<i64>() {
                Err(_) => return problem("not a Number (a 64-bit integer)".to_owned()),
                Ok(n) => {
                    if let Some(max) = field.max_length.as_ref().map(|m| m.value)
                        && n.to_string().len() as u64 > max
                    {
                        return problem(format!("more than {max} digits"));
                    }
                    if field.min_value.as_ref().is_some_and(|m| n < m.value)
                        || field.max_value.as_ref().is_some_and(|m| n > m.value)
                    {
                        return problem("out of the documented bounds".to_owned());
                    }
                }
            },
            "Boolean" if !matches!(*item, "true" | "false") => {
                return problem("not `true` or `false`".to_owned());
            }
            "Date" if item.parse::<DateTime>().is_err() => {
                return problem("not a `yyyy-MM-dd HH:mm:ss` date".to_owned());
            }
            "String" => {
                if let Some(max) = field.max_length.as_ref().map(|m| m.value)
                    && utf16_len(item) as u64 > max
                {
                    return problem(format!("longer than the maximum length {max}"));
                }
            }
            _ => {}
        }
        if base != "String" && base != "Number" && base != "Boolean" && base != "Date" {
            return problem("a struct-typed field takes no example".to_owned());
        }
    }
    if let Some(values) = &field.values {
        let codes: Vec<&str> = values.value.iter().map(|v| v.code.value.as_str()).collect();
        if let Some(item) = items.iter().find(|i| !codes.contains(i)) {
            return Some(ExampleProblem {
                message: format!("`{item}` is not one of {}", codes.join(", ")),
                coded: true,
            });
        }
    }
    None
}

/// Types of the Rust prelude that generated code names without a path.
const PRELUDE: &[&str] = &[
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "Send",
    "Sync",
    "Sized",
    "Fn",
    "Into",
    "From",
    "Iterator",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "Drop",
];

/// Gives every name the page cannot state a valid default and a TODO comment: variant names
/// of digit codes (`Code0`), enum names that would clash, Rust field names that collide.
fn choose_rust_names(spec: &mut Spec, comments: &mut Comments) {
    let prefix = names::api_type_prefix(&spec.method.value);
    // Names the generated module uses unqualified: a type of that name would shadow them
    // and the module would not compile.
    let mut taken: HashSet<String> = PRELUDE.iter().map(|s| (*s).to_owned()).collect();
    for name in [format!("{prefix}Request"), format!("{prefix}Response")] {
        taken.insert(format!("{name}Builder"));
        taken.insert(name);
    }
    // Struct names first, as resolve claims them.
    let mut struct_names: HashMap<String, String> = HashMap::new();
    for def in &mut spec.structs {
        let mut name = names::type_name(&def.name.value);
        if taken.contains(&name) {
            let base = name.clone();
            name = format!("{base}Struct");
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            def.rust_name = Some(loc(name.clone()));
            let why = if PRELUDE.contains(&base.as_str()) {
                "would shadow the Rust prelude's"
            } else {
                "is taken"
            };
            comments
                .entry(yamlout::struct_key(&def.name.value))
                .or_default()
                .push(format!(
                    "TODO: `{base}` {why}; `{name}` is a placeholder Rust name."
                ));
        } else if def.name.value == "Struct" {
            comments.entry(yamlout::struct_key(&def.name.value)).or_default().push(
                "TODO: the page's type column says only `Struct` (the sample code's class name); give it a `rust_name`."
                    .to_owned(),
            );
        }
        taken.insert(name.clone());
        struct_names.insert(def.name.value.clone(), name);
    }
    let mut owners: Vec<(String, String, &mut Vec<Field>)> = vec![
        (
            "request".to_owned(),
            "Request".to_owned(),
            &mut spec.request,
        ),
        (
            "response".to_owned(),
            "Response".to_owned(),
            &mut spec.response,
        ),
    ];
    for def in &mut spec.structs {
        let rust = struct_names
            .get(&def.name.value)
            .cloned()
            .unwrap_or_default();
        owners.push((def.name.value.clone(), rust, &mut def.fields));
    }
    for (owner, owner_rust, fields) in owners {
        let mut rust_fields: HashSet<String> = HashSet::new();
        for field in fields.iter_mut() {
            let wire = field.name.value.clone();
            let mut rust = names::field_name(&wire);
            if rust_fields.contains(&rust) {
                let base = rust.clone();
                let mut n = 2;
                while rust_fields.contains(&rust) {
                    rust = format!("{}_{n}", names::unraw(&base));
                    n += 1;
                }
                field.rust_name = Some(loc(rust.clone()));
                comments.entry(yamlout::field_key(&owner, &wire)).or_default().push(format!(
                    "TODO: `{wire}` and another field both become `{base}`; `{rust}` is a placeholder."
                ));
            }
            rust_fields.insert(rust.clone());
            let Some(values) = field.values.as_mut() else {
                continue;
            };
            let mut enum_name = names::type_name(names::unraw(&rust));
            if taken.contains(&enum_name) {
                let base = enum_name.clone();
                enum_name = format!("{owner_rust}{base}");
                let mut n = 2;
                while taken.contains(&enum_name) {
                    enum_name = format!("{owner_rust}{base}{n}");
                    n += 1;
                }
                field.enum_name = Some(loc(enum_name.clone()));
                comments
                    .entry(yamlout::field_key(&owner, &wire))
                    .or_default()
                    .push(format!(
                        "TODO: the enum name `{base}` is taken; `{enum_name}` is a placeholder."
                    ));
            }
            taken.insert(enum_name);
            let mut variants: HashSet<String> = HashSet::new();
            for value in &mut values.value {
                let code = value.code.value.clone();
                let derived = code
                    .starts_with(|c: char| c.is_ascii_alphabetic())
                    .then(|| names::type_name(&code));
                let name = match derived {
                    Some(name) if name != "Unknown" && !variants.contains(&name) => name,
                    _ => {
                        let digits = code.replace('-', "Minus");
                        let mut name = format!("Code{digits}");
                        let mut n = 2;
                        while variants.contains(&name) || !names::is_identifier(&name) {
                            name = format!("Code{n}");
                            n += 1;
                        }
                        value.rust_name = Some(loc(name.clone()));
                        let meaning = value
                            .description
                            .as_ref()
                            .map(|d| format!(" (it means {})", d.value))
                            .unwrap_or_default();
                        comments
                            .entry(yamlout::value_key(&owner, &wire, &code))
                            .or_default()
                            .push(format!("TODO: `{name}` is a placeholder variant name for the code {code}{meaning}."));
                        name
                    }
                };
                variants.insert(name);
            }
        }
    }
}

/// Reads a spec's text into the model without the semantic checks (whose file-name check
/// would tie it to one path), for `--keep-names-from`.
pub fn read_spec(path: &str, text: String) -> Result<Spec, Vec<crate::diag::Diagnostic>> {
    let file = std::sync::Arc::new(crate::diag::SourceFile::new(path, text));
    let attach = |diags: Vec<crate::diag::Diagnostic>| {
        diags
            .into_iter()
            .map(|d| d.in_file(&file))
            .collect::<Vec<_>>()
    };
    let root = crate::yaml::parse(&file).map_err(|d| attach(vec![d]))?;
    let mut errors = Vec::new();
    let spec = crate::parse::spec(&root, &mut errors);
    match spec {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => Err(attach(errors)),
    }
}

/// Options of `topgen import`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The page file, or `-` for standard input.
    pub page: String,
    /// Write `<dir>/<method>.yaml` instead of printing the spec.
    pub out: Option<std::path::PathBuf>,
    /// Overwrite an existing spec (keeping its Rust names unless `keep_names_from` is given).
    pub force: bool,
    /// Carry `rust_name`/`enum_name`/variant names over from this spec.
    pub keep_names_from: Option<std::path::PathBuf>,
}

/// `topgen import`: reads the page, reports every note on stderr, prints or writes the spec.
/// Returns the exit status: 0 written, 1 a required part missing or the result invalid.
pub fn command(options: &Options) -> Result<u8, String> {
    use std::io::Read as _;
    let (shown, text) = if options.page == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let bytes = std::fs::read(&options.page)
            .map_err(|e| format!("error: cannot read {}: {e}", options.page))?;
        (options.page.clone(), bytes)
    };
    let text = String::from_utf8_lossy(&text);
    let mut imported = import(&text);
    for note in &imported.notes {
        eprintln!("{}", note.render(&shown));
    }
    let Some(spec) = imported.spec.as_mut() else {
        eprintln!("error: {shown}: no spec written (see the errors above)");
        return Ok(1);
    };
    let method = spec.method.value.clone();
    let target = options
        .out
        .as_ref()
        .map(|dir| dir.join(format!("{method}.yaml")));
    let mut names_from = options.keep_names_from.clone();
    if let Some(target) = &target
        && target.exists()
    {
        if !options.force {
            eprintln!(
                "error: {} exists; pass --force to replace it (its Rust names are kept)",
                target.display()
            );
            return Ok(1);
        }
        names_from.get_or_insert_with(|| target.clone());
    }
    if let Some(from) = &names_from {
        let shown_from = from.display().to_string();
        let text = std::fs::read_to_string(from)
            .map_err(|e| format!("error: cannot read {shown_from}: {e}"))?;
        let existing = read_spec(&shown_from, text).map_err(|diags| {
            let shown: Vec<String> = diags.iter().map(|d| d.render()).collect();
            format!(
                "{}\nerror: cannot take names from {shown_from}",
                shown.join("\n")
            )
        })?;
        let carried = keep::keep_names(spec, &mut imported.comments, &existing);
        eprintln!("kept {carried} Rust name(s) from {shown_from}");
    }
    let Some(yaml) = imported.yaml() else {
        return Ok(1);
    };
    // The importer's own output must pass the same checks as a hand-written spec.
    if let Err(diags) = crate::load::load_str(&format!("specs/{method}.yaml"), yaml.clone()) {
        for d in &diags {
            eprintln!("{}", d.render());
        }
        eprintln!(
            "error: the imported spec does not validate (a bug in import, or a page it misread); not written"
        );
        return Ok(1);
    }
    match target {
        Some(target) => {
            std::fs::write(&target, &yaml)
                .map_err(|e| format!("error: cannot write {}: {e}", target.display()))?;
            eprintln!("wrote {}", target.display());
        }
        None => print!("{yaml}"),
    }
    Ok(0)
}
