//! The page reader: the text of a TOP API documentation page, as a browser's copy gives it,
//! → a spec.
//!
//! The page is read in sections (请求参数, 响应参数, 请求示例, …). Parameter rows come in
//! two layouts, often mixed on one page: a whole row on one line (`orderId Number 必须 1`)
//! or one cell per bullet line (`• └ restAmount`, `• String`, `• 可选`, …); tabs between
//! cells are read as cell boundaries. The Java sample code is evidence used to name `Struct`
//! types, to place nested rows in the right struct, and to tell a lone example from a lone
//! description. Everything else on the page lands in the spec or becomes a [`Note`] with its
//! line; a missing method or parameter type is an error.

use super::page_build::Builder;
use super::rust_names::choose_rust_names;
use super::sample::{self, Sample};
use super::{Imported, Note, Role, Severity, loc};
use crate::resolve::is_valid_method;
use crate::spec::{Client, Examples, Payload, Session, Spec};
use crate::yamlout::Comments;

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

/// One cell of a parameter row.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) line: usize,
    /// The rest of a one-line row after 是否必须: may hold the example and the description.
    pub(super) rest_of_line: bool,
}

/// One parameter row, its cells after the name (type first) in page order.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) line: usize,
    pub(super) nested: bool,
    pub(super) name: String,
    pub(super) cells: Vec<Cell>,
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
            .sort_by(|a, b| (&a.at, &a.message).cmp(&(&b.at, &b.message)));
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

pub(super) fn is_wire_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '-')
}

/// The type a cell names, normalised (`RiskInfoSyncDTO []` → `RiskInfoSyncDTO[]`).
pub(super) fn type_like(cell: &str) -> Option<String> {
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
    // Types are class names, but for the doc's lowercase `byte` (a file upload as `byte[]`).
    let ok = base == "byte"
        || (chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'));
    ok.then(|| format!("{base}{}", if list { "[]" } else { "" }))
}

pub(super) fn required_cell(text: &str) -> Option<bool> {
    match text {
        "必须" | "必填" | "是" => Some(true),
        "可选" | "选填" | "否" => Some(false),
        _ => None,
    }
}

/// Splits off the first whitespace-separated token.
pub(super) fn first_token(text: &str) -> (&str, &str) {
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
pub(super) fn span_of(row: &Row) -> String {
    let last = row.cells.iter().map(|c| c.line).max().unwrap_or(row.line);
    if last > row.line {
        format!(" (lines {}–{last})", row.line)
    } else {
        String::new()
    }
}
