//! The page reader's second half: parameter rows → fields and structs (types, 必须/可选,
//! 更多限制, example vs description, coded values).

use top_runtime::DateTime;
use top_runtime::validate::utf16_len;

use super::fields::{self, LimitSources};
use super::page::{Cell, Row, first_token, is_wire_name, required_cell, span_of, type_like};
use super::prose::{self, Limit};
use super::sample::{self, Sample};
use super::{Note, Role, Severity, bare_field, loc};
use crate::names;
use crate::spec::{Field, StructDef};
use crate::yamlout::Comments;

/// Builds fields and structs from rows.
pub(super) struct Builder<'s> {
    pub(super) sample: &'s Sample,
    /// Struct definitions in order of first appearance, with the side they are used on.
    pub(super) structs: Vec<(StructDef, Role)>,
    pub(super) notes: Vec<Note>,
    pub(super) comments: Comments,
    pub(super) response_values: Vec<(String, String)>,
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

    pub(super) fn fields(&mut self, rows: &[Row], role: Role) -> Vec<Field> {
        let mut top: Vec<Field> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        // Wire names placed so far per owner (`None`: the top level): a page with a million
        // rows must not compare each with all the others.
        let mut placed: std::collections::HashMap<
            Option<usize>,
            std::collections::HashSet<String>,
        > = std::collections::HashMap::new();
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
            if !placed
                .entry(parent)
                .or_default()
                .insert(read.field.name.value.clone())
            {
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
                    at: super::Location::Line(line),
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
            "Price" | "BigDecimal" | "Json" | "Map" | "FieldList" | "File" => {
                (page_base.clone(), None)
            }
            // A `byte[]` is a file upload, but only a top-level request parameter can be a
            // multipart part: elsewhere it travels in JSON (a Java `byte[]` as base64 text).
            "byte" | "FileItem" => {
                let top_level = role == Role::Request && parent_class == sample::ROOT;
                if top_level {
                    ("File".to_owned(), None)
                } else {
                    self.warn(
                        ty_cell.line,
                        format!("the type `{page_base}` of `{}` is not a top-level request parameter: read as String (base64 text); no file can travel there", row.name),
                    );
                    ("String".to_owned(), None)
                }
            }
            "Byte" => {
                self.warn(
                    ty_cell.line,
                    format!(
                        "the type `Byte` of `{}` is read as Number (a Java Byte)",
                        row.name
                    ),
                );
                ("Number".to_owned(), None)
            }
            "Double" | "Float" => {
                self.warn(
                    ty_cell.line,
                    format!("the type `{page_base}` of `{}` is read as BigDecimal (an exact decimal, never a float)", row.name),
                );
                ("BigDecimal".to_owned(), None)
            }
            "Object" => {
                self.warn(
                    ty_cell.line,
                    format!(
                        "the type `Object` of `{}` is read as Json (any JSON value)",
                        row.name
                    ),
                );
                ("Json".to_owned(), None)
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
            required,
            ..bare_field(row.name.clone(), format!("{base}{suffix}"))
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
        let sources = LimitSources {
            max_length: "更多限制",
            max_items: "更多限制",
        };
        for warning in fields::apply_description(&mut field, scalar, sources) {
            self.warn(row.line, warning);
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
    // Whole-value examples: JSON text is not split at its commas.
    match base {
        "Json" | "Map" => {
            return match serde_json::from_str::<serde_json::Value>(text) {
                Err(_) => problem("not JSON".to_owned()),
                Ok(v) if base == "Map" && !list && !v.is_object() => {
                    problem("not a JSON object".to_owned())
                }
                Ok(_) => None,
            };
        }
        "FieldList" => return None,
        "File" => return problem("a file takes no example".to_owned()),
        _ => {}
    }
    for item in &items {
        match base {
            "Price" | "BigDecimal" if !crate::resolve::is_decimal(item) => {
                return problem("not a decimal number".to_owned());
            }
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
        if !matches!(
            base,
            "String" | "Number" | "Boolean" | "Date" | "Price" | "BigDecimal"
        ) {
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
