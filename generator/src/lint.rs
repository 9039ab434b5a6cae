//! `topgen lint`: warnings about specs that are valid but probably incomplete. They never
//! stop generation; `--deny warnings` makes them fail CI.
//!
//! Rules (each warning names its rule in brackets):
//! - `missing-description`: a field without `description`.
//! - `missing-example`: a String/Number/Boolean/Date field (or list of one) without `example`;
//!   struct-typed fields are exempt, since they take none.
//! - `string-without-max-length`: a request-side `String` without `max_length` (and without
//!   coded `values`, which bound it already). Response fields are exempt: responses are
//!   decoded leniently and limits are not checked on them; lists take `max_items` instead.
//! - `generic-struct-name`: a struct used by one field under a generic name (`Struct`,
//!   `Object`, `DTO`, …) without a `rust_name`: the generated type would be called that.
//! - `example-restates-type`: an example that only names the type (`String`, `数字`,
//!   `yyyy-MM-dd HH:mm:ss`) rather than giving a value.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use crate::ir::Role;
use crate::load::load_str;
use crate::spec::{Field, Spec};

/// Struct names that say nothing about what the struct holds.
const GENERIC_NAMES: &[&str] = &[
    "Struct", "Object", "Obj", "Dto", "DTO", "Data", "Info", "Param", "Params", "Item", "Model",
    "Entity", "Bean", "Vo", "VO", "Request", "Response", "Result", "Value",
];

/// Examples that only restate a type.
const TYPE_WORDS: &[&str] = &[
    "string",
    "str",
    "number",
    "long",
    "int",
    "integer",
    "boolean",
    "bool",
    "date",
    "datetime",
    "struct",
    "字符串",
    "数字",
    "数值",
    "整数",
    "布尔",
    "布尔值",
    "日期",
    "时间",
    "yyyy-mm-dd hh:mm:ss",
    "yyyy-mm-dd",
];

/// Lints one spec: `Err` with the errors when it is invalid, else its warnings in file order.
pub fn lint(path: &str, text: String) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let (api, spec) = load_str(path, text.clone())?;
    let file = Arc::new(SourceFile::new(path, text));
    let mut roles: HashMap<&str, Role> = HashMap::new();
    for s in &api.structs {
        roles.insert(s.spec_name.as_str(), s.role);
    }
    let mut uses: HashMap<String, usize> = HashMap::new();
    let all_fields = spec
        .request
        .iter()
        .chain(&spec.response)
        .chain(spec.structs.iter().flat_map(|s| &s.fields));
    for field in all_fields {
        let base = field.ty.value.trim().trim_end_matches("[]").trim_end();
        *uses.entry(base.to_owned()).or_default() += 1;
    }
    let mut warnings = Vec::new();
    let check = |fields: &[Field], role: Role, warnings: &mut Vec<Diagnostic>| {
        for field in fields {
            field_warnings(&spec, field, role, warnings);
        }
    };
    check(&spec.request, Role::Request, &mut warnings);
    check(&spec.response, Role::Response, &mut warnings);
    for def in &spec.structs {
        let role = roles
            .get(def.name.value.as_str())
            .copied()
            .unwrap_or(Role::Response);
        check(&def.fields, role, &mut warnings);
        let name = def.name.value.as_str();
        if def.rust_name.is_none()
            && GENERIC_NAMES.contains(&name)
            && uses.get(name).copied().unwrap_or(0) == 1
        {
            warnings.push(
                Diagnostic::warning(
                    def.name.span,
                    format!("[generic-struct-name] the struct `{name}` is used once under a generic name"),
                )
                .with_label("give it a `rust_name` that says what it holds"),
            );
        }
    }
    let mut warnings: Vec<Diagnostic> = warnings.into_iter().map(|d| d.in_file(&file)).collect();
    warnings.sort_by_key(|d| d.span.start);
    Ok(warnings)
}

/// Lints one message spec (`messages/<topic>.yaml`) by the field rules that apply to
/// content (which is read like a response): `Err` with the errors when it is invalid.
pub fn lint_message(path: &str, text: String) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    crate::load::load_message_str(path, text.clone())?;
    let file = Arc::new(SourceFile::new(path, text));
    let root = crate::yaml::parse(&file).map_err(|d| vec![d.in_file(&file)])?;
    let mut errors = Vec::new();
    let Some(message) = crate::parse::message(&root, &mut errors) else {
        return Ok(Vec::new());
    };
    let at = message.topic.span;
    let spec = Spec {
        method: message.topic,
        title: None,
        description: None,
        category: None,
        client: crate::spec::Located {
            value: crate::spec::Client::Top,
            span: at,
        },
        session: crate::spec::Located {
            value: crate::spec::Session::None,
            span: at,
        },
        request: Vec::new(),
        response: message.content,
        structs: message.structs,
        examples: None,
    };
    let mut warnings = Vec::new();
    let fields = spec
        .response
        .iter()
        .chain(spec.structs.iter().flat_map(|s| &s.fields));
    for field in fields {
        field_warnings(&spec, field, Role::Response, &mut warnings);
    }
    let mut warnings: Vec<Diagnostic> = warnings.into_iter().map(|d| d.in_file(&file)).collect();
    warnings.sort_by_key(|d| d.span.start);
    Ok(warnings)
}

fn field_warnings(spec: &Spec, field: &Field, role: Role, out: &mut Vec<Diagnostic>) {
    let name = &field.name;
    let ty = field.ty.value.trim();
    let (base, list) = match ty.strip_suffix("[]") {
        Some(b) => (b.trim_end(), true),
        None => (ty, false),
    };
    let scalar = matches!(base, "String" | "Number" | "Boolean" | "Date")
        && !spec.structs.iter().any(|s| s.name.value == base);
    if field.description.is_none() {
        out.push(
            Diagnostic::warning(
                name.span,
                format!("[missing-description] `{}` has no description", name.value),
            )
            .with_label("add the page's 描述"),
        );
    }
    match &field.example {
        None if scalar => out.push(
            Diagnostic::warning(
                name.span,
                format!("[missing-example] `{}` has no example", name.value),
            )
            .with_label("add the page's 示例值; protocol tests use it"),
        ),
        Some(example) if TYPE_WORDS.contains(&example.value.trim().to_lowercase().as_str()) => out
            .push(
                Diagnostic::warning(
                    example.span,
                    format!(
                        "[example-restates-type] the example of `{}` only restates its type",
                        name.value
                    ),
                )
                .with_label("give a real value"),
            ),
        _ => {}
    }
    if role == Role::Request
        && base == "String"
        && !list
        && field.max_length.is_none()
        && field.values.is_none()
    {
        out.push(
            Diagnostic::warning(
                name.span,
                format!(
                    "[string-without-max-length] the request String `{}` has no max_length",
                    name.value
                ),
            )
            .with_label("add the page's 最大长度, if it states one"),
        );
    }
}

/// `topgen lint`: lints every spec given (or every `*.yaml` in `specs`), prints warnings
/// rustc-style on stderr. Returns the exit status: 1 when a spec is invalid, or when `deny`
/// and any warning; else 0.
pub fn command(
    specs: &std::path::Path,
    files: &[std::path::PathBuf],
    deny: bool,
) -> Result<u8, String> {
    let mut paths: Vec<std::path::PathBuf> = files.to_vec();
    if paths.is_empty() {
        let entries = std::fs::read_dir(specs)
            .map_err(|e| format!("error: cannot read {}: {e}", specs.display()))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("error: cannot read {}: {e}", specs.display()))?;
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                paths.push(path);
            }
        }
        paths.sort();
        let messages = crate::load::messages_dir(specs);
        for name in crate::load::spec_file_names(&messages).unwrap_or_default() {
            paths.push(messages.join(name));
        }
    }
    let mut warnings = 0;
    let mut invalid = 0;
    for path in &paths {
        let shown = path.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("error: cannot read {shown}: {e}"))?;
        let is_message = path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "messages");
        let linted = if is_message {
            lint_message(&shown, text)
        } else {
            lint(&shown, text)
        };
        match linted {
            Ok(found) => {
                for w in &found {
                    eprintln!("{}", w.render());
                }
                warnings += found.len();
            }
            Err(errors) => {
                for e in &errors {
                    eprintln!("{}", e.render());
                }
                invalid += 1;
            }
        }
    }
    let denied = if deny && warnings > 0 {
        " (denied)"
    } else {
        ""
    };
    eprintln!(
        "{} spec(s): {warnings} warning(s){denied}, {invalid} invalid",
        paths.len()
    );
    Ok(u8::from(invalid > 0 || (deny && warnings > 0)))
}
