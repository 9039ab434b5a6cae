//! The doc JSON reader: the document the TOP documentation site serves for one API
//! (`getDocument.json`, bare or wrapped as `{"success": true, "data": {...}}`) → a spec.
//!
//! The doc states method, title, description, and the parameters with their types,
//! `required`, limits and nested `subParams`; every one of these lands in the spec, or in a
//! comment with a warning [`Note`] located by its JSON pointer. It states no client, session
//! or examples: the spec gets defaults marked `# TODO`. A doc that cannot give a spec (no
//! method, two parameters of one name at one level, malformed parameters) gets error notes.

use serde_json::{Map, Value};

use super::fields::{self, LimitSources};
use super::rust_names::choose_rust_names;
use super::{Imported, Note, Role, Severity, bare_field, loc};
use crate::resolve::{builtin_type_names, is_valid_method};
use crate::spec::{Client, Field, Session, Spec, StructDef};
use crate::yamlout::{self, Comments};

/// Whether a text is doc JSON rather than a page's text: it is a JSON object.
pub fn is_doc_json(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.trim_start().starts_with('{')
}

/// Reads one doc. `category` is the name from the category's `catelog.json`, if known.
/// Never panics, whatever the text.
pub fn import(text: &str, category: Option<&str>) -> Imported {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::default();
    let spec = match serde_json::from_str::<Value>(text) {
        Ok(value) => reader.doc(&value, category),
        Err(e) => {
            reader.notes.push(Note::new(
                Severity::Error,
                e.line().max(1),
                format!("not valid JSON: {e}"),
            ));
            None
        }
    };
    let failed = reader.notes.iter().any(|n| n.severity == Severity::Error);
    Imported {
        spec: if failed { None } else { spec },
        comments: reader.comments,
        notes: reader.notes,
    }
}

/// Keys of a doc that hold no fact about the API: the documentation site's own id.
const IGNORED_DOC_KEYS: &[&str] = &["id"];
const DOC_KEYS: &[&str] = &[
    "name",
    "apiChineseName",
    "description",
    "requestParams",
    "responseParams",
];
const PARAM_KEYS: &[&str] = &[
    "name",
    "type",
    "description",
    "required",
    "maxLength",
    "maxListSize",
    "minValue",
    "maxValue",
    "subParams",
];

/// One spec struct as it is being built.
struct Built {
    def: StructDef,
    role: Role,
    /// The doc's type name (its base, without `[]`), as the doc writes it.
    doc_type: String,
    /// Where the first parameter of this type comes in the doc (pre-order), for the order
    /// of `structs:` (a parent before its children, as on the page).
    order: usize,
}

#[derive(Default)]
struct Reader {
    notes: Vec<Note>,
    comments: Comments,
    structs: Vec<Built>,
    /// Pre-order count of struct-typed parameters met so far.
    seen_structs: usize,
}

/// A field before its owner is known: the comments to attach under the owner's key.
struct Pending {
    field: Field,
    comments: Vec<String>,
}

impl Reader {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.notes
            .push(Note::at_pointer(Severity::Warning, pointer, message));
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.notes
            .push(Note::at_pointer(Severity::Error, pointer, message));
    }

    fn doc(&mut self, value: &Value, category: Option<&str>) -> Option<Spec> {
        let Some(root) = value.as_object() else {
            self.error("", "a doc is a JSON object");
            return None;
        };
        // The site's response wraps the doc: `{"success": true, "data": {...}}`.
        let (doc, base) = if root.contains_key("data") && !root.contains_key("name") {
            if let Some(success) = root.get("success")
                && success != &Value::Bool(true)
            {
                self.error(
                    "/success",
                    format!("the response says `success: {success}`: it holds no doc"),
                );
                return None;
            }
            let Some(doc) = root.get("data").and_then(Value::as_object) else {
                self.error("/data", "`data` is not a JSON object");
                return None;
            };
            (doc, "/data")
        } else {
            (root, "")
        };
        for key in doc.keys() {
            if !DOC_KEYS.contains(&key.as_str()) && !IGNORED_DOC_KEYS.contains(&key.as_str()) {
                self.warn(&child(base, key), format!("not placed: the key `{key}`"));
            }
        }
        let method = self.text(doc, base, "name");
        let Some(method) = method else {
            self.error(
                &child(base, "name"),
                "no method name (`name`, e.g. `taobao.item.get`)",
            );
            return None;
        };
        if !is_valid_method(&method) {
            self.error(
                &child(base, "name"),
                format!("`{method}` is not a valid TOP method name"),
            );
        }
        let title = self.text(doc, base, "apiChineseName");
        let description = self.text(doc, base, "description");
        let request = self.top_level(doc, base, "requestParams", Role::Request);
        let response = self.top_level(doc, base, "responseParams", Role::Response);

        let client = if method.starts_with("qimen.") {
            Client::Qimen
        } else {
            Client::Top
        };
        self.comments.insert(
            yamlout::top_key("client"),
            vec![format!(
                "TODO: the doc JSON names no client; `{}` is assumed from the method name: check the API's page (its sample code).",
                if client == Client::Qimen { "qimen" } else { "top" }
            )],
        );
        self.comments.insert(
            yamlout::top_key("session"),
            vec!["TODO: the doc JSON states no session requirement; `optional` (callable with or without a session key) is a default: check the API's page.".to_owned()],
        );
        let mut structs = std::mem::take(&mut self.structs);
        // Stable: structs met at one place keep their order of creation.
        structs.sort_by_key(|b| b.order);
        let mut spec = Spec {
            method: loc(method),
            title: title.map(loc),
            description: description.map(loc),
            category: category
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| loc(c.to_owned())),
            client: loc(client),
            session: loc(Session::Optional),
            request,
            response,
            structs: structs.into_iter().map(|b| b.def).collect(),
            examples: None,
        };
        choose_rust_names(&mut spec, &mut self.comments);
        Some(spec)
    }

    /// A top-level text (`name`, `apiChineseName`, `description`); empty counts as absent.
    fn text(&mut self, doc: &Map<String, Value>, base: &str, key: &str) -> Option<String> {
        match doc.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => (!s.trim().is_empty()).then(|| s.clone()),
            Some(other) => {
                self.warn(
                    &child(base, key),
                    format!("not placed: `{key}` is not a text: {other}"),
                );
                None
            }
        }
    }

    fn top_level(
        &mut self,
        doc: &Map<String, Value>,
        base: &str,
        key: &str,
        role: Role,
    ) -> Vec<Field> {
        let pointer = child(base, key);
        let pending = self.params(doc.get(key), &pointer, role);
        let owner = role.key();
        self.place(owner, pending)
    }

    /// Files the fields' comments under their owner's key and returns the fields.
    fn place(&mut self, owner: &str, pending: Vec<Pending>) -> Vec<Field> {
        let mut fields = Vec::with_capacity(pending.len());
        for p in pending {
            if !p.comments.is_empty() {
                self.comments
                    .entry(yamlout::field_key(owner, &p.field.name.value))
                    .or_default()
                    .extend(p.comments);
            }
            fields.push(p.field);
        }
        fields
    }

    /// The parameters of one level (`requestParams`, or a struct's `subParams`).
    fn params(&mut self, value: Option<&Value>, pointer: &str, role: Role) -> Vec<Pending> {
        let list = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.error(
                    pointer,
                    format!("a parameter list is a JSON array, not {}", kind(other)),
                );
                return Vec::new();
            }
        };
        let mut out: Vec<Pending> = Vec::with_capacity(list.len());
        // Where each wire name was first seen, by name: linear in the number of parameters.
        let mut first_at: std::collections::HashMap<String, String> =
            std::collections::HashMap::new();
        for (i, param) in list.iter().enumerate() {
            let at = child(pointer, &i.to_string());
            let Some(p) = self.param(param, &at, role) else {
                continue;
            };
            let wire = p.field.name.value.clone();
            if let Some(first) = first_at.get(&wire) {
                let first = first.clone();
                self.error(
                    &child(&at, "name"),
                    format!(
                        "a second parameter named `{wire}` at one level (the first is {first}): the doc contradicts itself"
                    ),
                );
                continue;
            }
            first_at.insert(wire, at);
            out.push(p);
        }
        out
    }

    /// One parameter: its field, and the struct it defines when it has `subParams`.
    fn param(&mut self, value: &Value, at: &str, role: Role) -> Option<Pending> {
        let Some(param) = value.as_object() else {
            self.error(
                at,
                format!("a parameter is a JSON object, not {}", kind(value)),
            );
            return None;
        };
        for key in param.keys() {
            if !PARAM_KEYS.contains(&key.as_str()) {
                self.warn(&child(at, key), format!("not placed: the key `{key}`"));
            }
        }
        let raw_name = match param.get("name") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => {
                self.error(&child(at, "name"), "the parameter has no name");
                return None;
            }
        };
        let mut comments = Vec::new();
        let name = raw_name.trim().to_owned();
        if name != raw_name {
            self.warn(
                &child(at, "name"),
                format!("the name `{raw_name}` has spaces around it: read as `{name}`"),
            );
            comments.push(format!("The doc writes the name as `{raw_name}`."));
        }
        let raw_type = match param.get("type") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.warn(
                    &child(at, "type"),
                    format!("the type of `{name}` is not a text: {other}"),
                );
                String::new()
            }
        };
        let sub_params = match param.get("subParams") {
            Some(Value::Array(list)) if !list.is_empty() => Some(list),
            None | Some(Value::Null) | Some(Value::Array(_)) => None,
            Some(other) => {
                self.error(
                    &child(at, "subParams"),
                    format!("`subParams` is a JSON array, not {}", kind(other)),
                );
                return None;
            }
        };
        let (base, depth) = normalize_type(&raw_type);
        let ty = match sub_params {
            Some(_) => self.struct_type(
                &name,
                &raw_type,
                (&base, depth),
                param.get("subParams"),
                at,
                role,
                &mut comments,
            ),
            None => self.plain_type(&name, &raw_type, &base, depth, at, role),
        };
        let scalar = sub_params.is_none();
        let mut field = bare_field(name.clone(), ty);
        match param.get("required") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => match role {
                Role::Request => field.required = Some(loc(true)),
                // A response has no request rule: `required` says the field is always there.
                Role::Response => comments.push(
                    "The doc marks this response field `required`: it is always present."
                        .to_owned(),
                ),
            },
            Some(other) => {
                self.warn(
                    &child(at, "required"),
                    format!("not placed: `required: {other}` of `{name}` is not true or false"),
                );
                comments.push(format!("The doc states `required: {other}`."));
            }
        }
        match param.get("description") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                field.description = (!s.trim().is_empty()).then(|| loc(s.clone()));
            }
            Some(other) => {
                self.warn(
                    &child(at, "description"),
                    format!("not placed: the description of `{name}` is not a text: {other}"),
                );
                comments.push(format!("The doc's description: {other}"));
            }
        }
        self.limits(&mut field, param, at, &mut comments);
        let sources = LimitSources {
            max_length: "`maxLength`",
            max_items: "`maxListSize`",
        };
        for warning in fields::apply_description(&mut field, scalar, sources) {
            self.warn(&child(at, "description"), warning);
        }
        Some(Pending { field, comments })
    }

    /// `maxLength`, `maxListSize`, `minValue`, `maxValue`: numbers or numeric texts, each
    /// placed when it applies to the field's type, else kept in a comment with a warning.
    fn limits(
        &mut self,
        field: &mut Field,
        param: &Map<String, Value>,
        at: &str,
        comments: &mut Vec<String>,
    ) {
        let ty = field.ty.value.clone();
        let (base, list) = match ty.strip_suffix("[]") {
            Some(base) => (base, true),
            None => (ty.as_str(), false),
        };
        let name = field.name.value.clone();
        for key in ["maxLength", "maxListSize", "minValue", "maxValue"] {
            let Some(value) = param.get(key).filter(|v| !v.is_null()) else {
                continue;
            };
            let shown = format!("`{key}: {value}`");
            let Some(n) = integer(value) else {
                self.warn(
                    &child(at, key),
                    format!("not placed: {shown} of `{name}` is not an integer"),
                );
                comments.push(format!("The doc states {shown}."));
                continue;
            };
            let applies = match key {
                "maxLength" => !list && matches!(base, "String" | "Number" | "File"),
                "maxListSize" => list || base == "String",
                _ => !list && base == "Number",
            };
            if !applies {
                self.warn(
                    &child(at, key),
                    format!("not placed: {shown} does not apply to `{name}` of type `{ty}`"),
                );
                comments.push(format!(
                    "The doc states {shown}, which does not apply to a `{ty}`."
                ));
                continue;
            }
            let placed = match key {
                "maxLength" => u64::try_from(n)
                    .ok()
                    .map(|n| field.max_length = Some(loc(n))),
                "maxListSize" => u64::try_from(n)
                    .ok()
                    .map(|n| field.max_items = Some(loc(n))),
                "minValue" => i64::try_from(n)
                    .ok()
                    .map(|n| field.min_value = Some(loc(n))),
                _ => i64::try_from(n)
                    .ok()
                    .map(|n| field.max_value = Some(loc(n))),
            };
            if placed.is_none() {
                self.warn(
                    &child(at, key),
                    format!("not placed: {shown} of `{name}` is out of range"),
                );
                comments.push(format!("The doc states {shown}."));
            }
        }
        if let (Some(min), Some(max)) = (&field.min_value, &field.max_value)
            && min.value > max.value
        {
            let (min, max) = (min.value, max.value);
            self.warn(
                &child(at, "maxValue"),
                format!(
                    "not placed: the bounds of `{name}`: `minValue` {min} is above `maxValue` {max}"
                ),
            );
            comments.push(format!(
                "The doc states `minValue: {min}` above `maxValue: {max}`."
            ));
            field.min_value = None;
            field.max_value = None;
        }
    }

    /// The spec type of a parameter without `subParams`.
    fn plain_type(
        &mut self,
        name: &str,
        raw: &str,
        base: &str,
        depth: usize,
        at: &str,
        role: Role,
    ) -> String {
        let nested = at.contains("/subParams/");
        let at = child(at, "type");
        let list = |t: &str| {
            if depth == 1 {
                format!("{t}[]")
            } else {
                t.to_owned()
            }
        };
        // Only a top-level request parameter can be a multipart part. Anywhere else the value
        // travels in JSON, where Java writes a `Byte` as a number and a `byte[]` as base64;
        // a `byte[][]` is a list of such texts.
        if base == "byte" && (nested || role == Role::Response) && depth <= 2 {
            let (ty, what) = match depth {
                0 => ("Number", "a number (Java `Byte`)"),
                1 => (
                    "String",
                    "base64 text (Java's JSON writers send `byte[]` so)",
                ),
                _ => (
                    "String[]",
                    "a list of base64 texts (Java's JSON writers send each `byte[]` so)",
                ),
            };
            let place = if nested {
                "inside a struct"
            } else {
                "in a response"
            };
            self.warn(
                &at,
                format!("the type `{raw}` of `{name}` {place} is read as `{ty}`: {what}; no file can travel there"),
            );
            return ty.to_owned();
        }
        // `byte` is one file and `byte[]` its bytes: both are one upload.
        if base == "byte" {
            return match depth {
                0 | 1 => "File".to_owned(),
                2 => {
                    self.warn(
                        &at,
                        format!("the type `{raw}` of `{name}` is read as `File[]` (several files)"),
                    );
                    "File[]".to_owned()
                }
                _ => self.json(&at, name, raw, "a list of lists"),
            };
        }
        if depth > 1 {
            return self.json(&at, name, raw, "a list of lists");
        }
        let lower = base.to_ascii_lowercase();
        let (ty, why): (&str, Option<&str>) = match base {
            "String" | "Number" | "Boolean" | "Date" | "Price" | "BigDecimal" | "Json" | "Map" => {
                (base, None)
            }
            "FieldList" if depth == 0 => ("FieldList", None),
            "FieldList" => ("String", Some("a list of field lists is a list of texts")),
            _ => match lower.as_str() {
                "long" | "integer" | "int" | "short" => ("Number", Some("a whole number")),
                "double" | "float" => ("BigDecimal", Some("an exact decimal")),
                "" | "null" | "object" => ("Json", Some("any JSON value")),
                "string" | "number" | "boolean" | "date" | "price" | "bigdecimal" | "json"
                | "map" => {
                    let built_in = builtin_type_names()
                        .find(|t| t.to_ascii_lowercase() == lower)
                        .unwrap_or("Json");
                    (built_in, Some("the built-in type of that name"))
                }
                _ if is_type_name(base) => (
                    "Map",
                    Some("a JSON object: the doc names a struct type but lists no fields"),
                ),
                _ => ("Json", Some("any JSON value: it is not a type name")),
            },
        };
        if let Some(why) = why {
            self.warn(
                &at,
                format!(
                    "the type `{raw}` of `{name}` is read as `{}` ({why})",
                    list(ty)
                ),
            );
        }
        list(ty)
    }

    fn json(&mut self, at: &str, name: &str, raw: &str, what: &str) -> String {
        self.warn(
            at,
            format!("the type `{raw}` of `{name}` is {what}: read as `Json` (any JSON value)"),
        );
        "Json".to_owned()
    }

    /// The spec type of a parameter with `subParams`: a struct named by the doc's type
    /// (whatever it is), defined once per distinct field list on each side.
    #[allow(clippy::too_many_arguments)]
    fn struct_type(
        &mut self,
        name: &str,
        raw: &str,
        (base, depth): (&str, usize),
        sub_params: Option<&Value>,
        at: &str,
        role: Role,
        comments: &mut Vec<String>,
    ) -> String {
        if depth > 1 {
            self.warn(
                &child(at, "subParams"),
                format!(
                    "not placed: the fields of `{name}`, whose type `{raw}` is a list of lists"
                ),
            );
            comments.push(format!(
                "The doc's type is `{raw}` with fields: a list of lists of a struct."
            ));
            return self.json(&child(at, "type"), name, raw, "a list of lists");
        }
        let order = self.seen_structs;
        self.seen_structs += 1;
        let doc_type = if is_type_name(base) && yamlout::is_safe_plain(base) {
            base.to_owned()
        } else {
            let cleaned: String = base
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let chosen = crate::names::type_name(if cleaned.is_empty() { name } else { &cleaned });
            let chosen = crate::names::unraw(&chosen)
                .trim_start_matches('_')
                .to_owned();
            let chosen = if chosen.is_empty() {
                "Struct".to_owned()
            } else {
                chosen
            };
            self.warn(
                &child(at, "type"),
                format!("the type `{raw}` of `{name}` is not a type name: its struct is named `{chosen}`"),
            );
            chosen
        };
        let pending = self.params(sub_params, &child(at, "subParams"), role);
        let spec_name = self.struct_for(&doc_type, pending, role, order);
        if depth == 1 {
            format!("{spec_name}[]")
        } else {
            spec_name
        }
    }

    /// The spec struct for a doc type with these fields on one side: an identical one is
    /// reused; otherwise a new one, named by the doc's type when free.
    fn struct_for(
        &mut self,
        doc_type: &str,
        pending: Vec<Pending>,
        role: Role,
        order: usize,
    ) -> String {
        if let Some(same) = self.structs.iter().find(|b| {
            b.role == role
                && b.doc_type == doc_type
                && b.def.fields.len() == pending.len()
                && b.def
                    .fields
                    .iter()
                    .zip(&pending)
                    .all(|(a, p)| *a == p.field)
        }) {
            return same.def.name.value.clone();
        }
        let mut todo = Vec::new();
        let mut base = doc_type.to_owned();
        if builtin_type_names().any(|t| t == doc_type) {
            base = format!("{doc_type}Struct");
            todo.push(format!(
                "TODO: the doc calls this struct `{doc_type}`, a built-in spec type; `{base}` is a placeholder."
            ));
        }
        let other_side = self
            .structs
            .iter()
            .any(|b| b.role != role && b.doc_type == doc_type);
        if role == Role::Response && other_side {
            base = format!("{base}Response");
            todo.push(format!(
                "TODO: the doc's type `{doc_type}` is used by the request too; this is the response's own copy (requests and responses are generated differently)."
            ));
        }
        let same_side_variant = self
            .structs
            .iter()
            .any(|b| b.role == role && b.doc_type == doc_type);
        let mut chosen = base.clone();
        let mut n = 2;
        while self.structs.iter().any(|b| b.def.name.value == chosen) {
            chosen = format!("{base}{n}");
            n += 1;
        }
        if chosen != base {
            let why = if same_side_variant {
                format!("the doc's type `{doc_type}` has other fields elsewhere in this doc")
            } else {
                format!("the name `{base}` is taken by another of the doc's types")
            };
            todo.push(format!("TODO: {why}; `{chosen}` is a placeholder name."));
        }
        if !todo.is_empty() {
            self.comments
                .entry(yamlout::struct_key(&chosen))
                .or_default()
                .extend(todo);
        }
        let fields = self.place(&chosen, pending);
        self.structs.push(Built {
            def: StructDef {
                name: loc(chosen.clone()),
                rust_name: None,
                description: None,
                fields,
            },
            role,
            doc_type: doc_type.to_owned(),
            order,
        });
        chosen
    }
}

/// `X []`, `X[][]`, `Field List` → the base (`X`, `FieldList`) and how many `[]` follow it.
fn normalize_type(raw: &str) -> (String, usize) {
    let mut base = raw.trim();
    let mut depth = 0;
    while let Some(rest) = base.strip_suffix("[]") {
        base = rest.trim_end();
        depth += 1;
    }
    let base = if base == "Field List" {
        "FieldList"
    } else {
        base
    };
    (base.to_owned(), depth)
}

/// A name the spec accepts as a type: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_type_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A whole number given as a JSON number (`20`, `20.0`) or a numeric text (`"20"`).
fn integer(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                    // Exact: integral and inside i64's range.
                    .map(|f| f as i128)
            }),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    }
}

/// The pointer to a member or element of what `pointer` points at (RFC 6901 escapes).
fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
