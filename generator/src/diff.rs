//! `topgen diff` and `topgen check --breaking`: classify each change between two versions of
//! a spec as breaking for callers of the generated crate or compatible, as `buf breaking`
//! and `cargo semver-checks` do for their worlds.
//!
//! Specs are compared after resolution (the IR), so only what reaches the wire or the
//! generated Rust API counts, and fields are matched by wire-name paths through structs
//! (`request.bill_status_equest_top.customer_id`): a struct renamed in the spec but
//! unchanged on the wire shows as the Rust type renamed, not as every field replaced.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use crate::ir::{Api, Field, Limits, Role, Scalar, Type};
use crate::spec::{Client, Session};
use crate::{parse, resolve, yaml};

/// Whether a change can break existing callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Breaking,
    Compatible,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    /// `request.bill_status_equest_top.customer_id`, `session`, …
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            Kind::Breaking => "breaking",
            Kind::Compatible => "compatible",
        };
        write!(f, "{kind}: {}: {}", self.path, self.message)
    }
}

/// Loads a spec from any path: the file-name check of `load_str` is meant for `specs/`,
/// while an old version may live anywhere (`/tmp/old.yaml`, `HEAD~1:specs/x.yaml`).
pub fn load_any(path: &str, text: String) -> Result<Api, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(path, text));
    let attach = |diags: Vec<Diagnostic>| diags.into_iter().map(|d| d.in_file(&file)).collect();
    let root = yaml::parse(&file).map_err(|d| attach(vec![d]))?;
    let mut errors = Vec::new();
    let spec = parse::spec(&root, &mut errors);
    let Some(spec) = spec else {
        return Err(attach(errors));
    };
    let own_name = format!("specs/{}.yaml", spec.method.value);
    match resolve::resolve(&spec, &own_name, !errors.is_empty()) {
        Ok(api) if errors.is_empty() => Ok(api),
        Ok(_) => Err(attach(errors)),
        Err(semantic) => {
            errors.extend(semantic);
            errors.sort_by_key(|d| d.span.start);
            Err(attach(errors))
        }
    }
}

/// What matters about one field for compatibility.
#[derive(Debug, Clone)]
struct Info<'a> {
    role: Role,
    field: &'a Field,
}

/// Every field of an API by wire-name path, in page order.
fn flatten(api: &Api) -> BTreeMap<String, (usize, Info<'_>)> {
    let mut out = BTreeMap::new();
    let mut order = 0;
    for (root, s) in [("request", &api.request), ("response", &api.response)] {
        let mut seen = HashSet::new();
        walk(
            api, root, &s.fields, s.role, &mut seen, &mut out, &mut order,
        );
    }
    out
}

fn walk<'a>(
    api: &'a Api,
    prefix: &str,
    fields: &'a [Field],
    role: Role,
    seen: &mut HashSet<String>,
    out: &mut BTreeMap<String, (usize, Info<'a>)>,
    order: &mut usize,
) {
    for field in fields {
        let path = format!("{prefix}.{}", field.wire_name);
        *order += 1;
        out.insert(path.clone(), (*order, Info { role, field }));
        if let Some(name) = struct_of(&field.ty)
            && let Some(s) = api.structs.iter().find(|s| s.rust_name == name)
            // A struct may hold itself through a list: walk it once per path.
            && seen.insert(name.to_owned())
        {
            walk(api, &path, &s.fields, role, seen, out, order);
            seen.remove(name);
        }
    }
}

fn struct_of(ty: &Type) -> Option<&str> {
    match ty {
        Type::Struct(name) => Some(name),
        Type::List(inner) => struct_of(inner),
        _ => None,
    }
}

fn scalar_name(s: Scalar) -> &'static str {
    match s {
        Scalar::String => "String",
        Scalar::Number => "Number",
        Scalar::Boolean => "Boolean",
        Scalar::Date => "Date",
        Scalar::Decimal => "Decimal",
        Scalar::Json => "Json",
        Scalar::JsonMap => "Map",
        Scalar::FieldList => "FieldList",
        Scalar::File => "File",
    }
}

/// The type as the wire sees it: struct and enum names left out.
fn wire_shape(ty: &Type) -> String {
    match ty {
        Type::Scalar(s) | Type::Enum(_, s) => scalar_name(*s).to_owned(),
        Type::Struct(_) => "struct".to_owned(),
        Type::List(inner) => format!("{}[]", wire_shape(inner)),
    }
}

/// The type as the generated Rust API shows it.
fn rust_shape(ty: &Type) -> String {
    match ty {
        Type::Scalar(s) => scalar_name(*s).to_owned(),
        Type::Enum(name, s) => format!("enum {name} ({})", scalar_name(*s)),
        Type::Struct(name) => format!("struct {name}"),
        Type::List(inner) => format!("{}[]", rust_shape(inner)),
    }
}

fn enum_of(ty: &Type) -> Option<&str> {
    match ty {
        Type::Enum(name, _) => Some(name),
        Type::List(inner) => enum_of(inner),
        _ => None,
    }
}

/// Every change from `old` to `new`, breaking ones and compatible ones, in page order.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |kind, path: &str, message: String| {
        changes.push(Change {
            kind,
            path: path.to_owned(),
            message,
        })
    };
    if old.client != new.client {
        let name = |c: Client| if c == Client::Top { "top" } else { "qimen" };
        push(
            Kind::Breaking,
            "client",
            format!(
                "client family changed from {} to {}",
                name(old.client),
                name(new.client)
            ),
        );
    }
    if old.session != new.session {
        let name = |s: Session| match s {
            Session::None => "none",
            Session::Optional => "optional",
            Session::Required => "required",
        };
        let (kind, verb) = if new.session > old.session {
            (Kind::Breaking, "raised")
        } else {
            (Kind::Compatible, "lowered")
        };
        push(
            kind,
            "session",
            format!(
                "session requirement {verb} from {} to {}",
                name(old.session),
                name(new.session)
            ),
        );
    }
    for (what, a, b) in [
        ("title", &old.title, &new.title),
        ("description", &old.description, &new.description),
        ("category", &old.category, &new.category),
    ] {
        if a != b {
            push(Kind::Compatible, what, "documentation changed".to_owned());
        }
    }
    if old.response_example != new.response_example || old.error_example != new.error_example {
        push(
            Kind::Compatible,
            "examples",
            "documented examples changed".to_owned(),
        );
    }

    let before = flatten(old);
    let after = flatten(new);
    let mut paths: Vec<(usize, usize, &String)> = Vec::new();
    for (path, (i, _)) in &before {
        paths.push((*i, 0, path));
    }
    for (path, (i, _)) in &after {
        if !before.contains_key(path) {
            // Added fields follow the old order's end, in their own order.
            paths.push((usize::MAX / 2 + *i, 1, path));
        }
    }
    paths.sort();
    for (_, _, path) in paths {
        match (before.get(path), after.get(path)) {
            (Some((_, a)), Some((_, b))) => field_changes(path, (old, new), a, b, &mut push),
            (Some((_, a)), None) => {
                // A field inside a removed parent is covered by the parent's removal.
                let parent_gone = path
                    .rsplit_once('.')
                    .is_some_and(|(p, _)| before.contains_key(p) && !after.contains_key(p));
                if !parent_gone {
                    let what = if a.role == Role::Request {
                        "request"
                    } else {
                        "response"
                    };
                    push(
                        Kind::Breaking,
                        path,
                        format!("{what} field removed (or renamed)"),
                    );
                }
            }
            (None, Some((_, b))) => {
                let parent_new = path
                    .rsplit_once('.')
                    .is_some_and(|(p, _)| after.contains_key(p) && !before.contains_key(p));
                if parent_new {
                    continue;
                }
                if b.role == Role::Request && b.field.required {
                    push(
                        Kind::Breaking,
                        path,
                        "required request field added".to_owned(),
                    );
                } else if b.role == Role::Request {
                    push(
                        Kind::Compatible,
                        path,
                        "optional request field added".to_owned(),
                    );
                } else {
                    push(Kind::Compatible, path, "response field added".to_owned());
                }
            }
            (None, None) => {}
        }
    }
    changes
}

fn field_changes(
    path: &str,
    apis: (&Api, &Api),
    a: &Info<'_>,
    b: &Info<'_>,
    push: &mut impl FnMut(Kind, &str, String),
) {
    let (fa, fb) = (a.field, b.field);
    let request = b.role == Role::Request;
    if fa.rust_name != fb.rust_name {
        push(
            Kind::Breaking,
            path,
            format!(
                "Rust field renamed from `{}` to `{}`",
                fa.rust_name, fb.rust_name
            ),
        );
    }
    let (wa, wb) = (wire_shape(&fa.ty), wire_shape(&fb.ty));
    let (ra, rb) = (rust_shape(&fa.ty), rust_shape(&fb.ty));
    if wa != wb {
        push(
            Kind::Breaking,
            path,
            format!("type changed from {wa} to {wb}"),
        );
    } else if ra != rb {
        let message = match (enum_of(&fa.ty), enum_of(&fb.ty)) {
            (None, Some(e)) => {
                format!("coded values added: the Rust type becomes `{e}` (was {ra})")
            }
            (Some(e), None) => format!("coded values removed: the Rust type `{e}` becomes {rb}"),
            _ => format!("Rust type renamed from {ra} to {rb}"),
        };
        push(Kind::Breaking, path, message);
    }
    if request && fa.required != fb.required {
        if fb.required {
            push(Kind::Breaking, path, "optional became required".to_owned());
        } else {
            push(
                Kind::Breaking,
                path,
                "required became optional: the generated Rust field becomes `Option<…>`".to_owned(),
            );
        }
    }
    limit_changes(path, &fa.limits, &fb.limits, request, push);
    for change in variant_changes(path, apis.0, apis.1, fa, fb) {
        push(change.kind, path, change.message);
    }
    if fa.description != fb.description {
        push(Kind::Compatible, path, "description changed".to_owned());
    }
    if fa.example != fb.example {
        push(Kind::Compatible, path, "example changed".to_owned());
    }
}

fn limit_changes(
    path: &str,
    a: &Limits,
    b: &Limits,
    request: bool,
    push: &mut impl FnMut(Kind, &str, String),
) {
    // (name, old, new, whether a larger value is looser)
    let pairs = [
        (
            "max_length",
            a.max_length.map(i128::from),
            b.max_length.map(i128::from),
            true,
        ),
        (
            "max_items",
            a.max_items.map(i128::from),
            b.max_items.map(i128::from),
            true,
        ),
        (
            "min_value",
            a.min_value.map(i128::from),
            b.min_value.map(i128::from),
            false,
        ),
        (
            "max_value",
            a.max_value.map(i128::from),
            b.max_value.map(i128::from),
            true,
        ),
    ];
    for (name, old, new, larger_is_looser) in pairs {
        if old == new {
            continue;
        }
        let tightened = match (old, new) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(o), Some(n)) => (n < o) == larger_is_looser,
            (None, None) => false,
        };
        let show = |v: Option<i128>| v.map_or("none".to_owned(), |v| v.to_string());
        let verb = if tightened { "tightened" } else { "loosened" };
        let message = format!("{name} {verb} from {} to {}", show(old), show(new));
        if !request {
            push(
                Kind::Compatible,
                path,
                format!("{message} (responses are not validated)"),
            );
        } else if tightened {
            push(Kind::Breaking, path, message);
        } else {
            push(Kind::Compatible, path, message);
        }
    }
}

/// Coded values of both versions compared by code (enums are found by Rust name).
fn variant_changes(path: &str, old: &Api, new: &Api, fa: &Field, fb: &Field) -> Vec<Change> {
    let find = |api: &Api, f: &Field| {
        enum_of(&f.ty).and_then(|n| api.enums.iter().find(|e| e.rust_name == n).cloned())
    };
    let (Some(ea), Some(eb)) = (find(old, fa), find(new, fb)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for va in &ea.variants {
        match eb.variants.iter().find(|v| v.code == va.code) {
            None => out.push(Change {
                kind: Kind::Breaking,
                path: path.to_owned(),
                message: format!("coded value `{}` removed", va.code),
            }),
            Some(vb) if vb.rust_name != va.rust_name => out.push(Change {
                kind: Kind::Breaking,
                path: path.to_owned(),
                message: format!(
                    "variant of `{}` renamed from `{}` to `{}`",
                    va.code, va.rust_name, vb.rust_name
                ),
            }),
            Some(vb) if vb.description != va.description => out.push(Change {
                kind: Kind::Compatible,
                path: path.to_owned(),
                message: format!("meaning of coded value `{}` changed", va.code),
            }),
            Some(_) => {}
        }
    }
    for vb in &eb.variants {
        if !ea.variants.iter().any(|v| v.code == vb.code) {
            out.push(Change {
                kind: Kind::Compatible,
                path: path.to_owned(),
                message: format!(
                    "coded value `{}` added (it was decoded as `Unknown` before)",
                    vb.code
                ),
            });
        }
    }
    out
}

/// Prints the changes and returns the exit status: 1 when any is breaking.
fn report(prefix: &str, changes: &[Change]) -> bool {
    for c in changes {
        println!("{prefix}{c}");
    }
    changes.iter().any(|c| c.kind == Kind::Breaking)
}

fn load_file(path: &Path) -> Result<Api, String> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {shown}: {e}"))?;
    load_any(&shown, text).map_err(|diags| render_all(&diags, &shown))
}

fn render_all(diags: &[Diagnostic], shown: &str) -> String {
    let mut text: Vec<String> = diags.iter().map(Diagnostic::render).collect();
    text.push(format!("error: {shown} is not a valid spec"));
    text.join("\n")
}

/// `topgen diff OLD NEW`: 0 when nothing is breaking, 1 otherwise.
pub fn command_diff(old: &Path, new: &Path) -> Result<u8, String> {
    let (a, b) = (load_file(old)?, load_file(new)?);
    let changes = diff(&a, &b);
    let breaking = report("", &changes);
    summary(&changes);
    Ok(u8::from(breaking))
}

fn summary(changes: &[Change]) {
    let breaking = changes.iter().filter(|c| c.kind == Kind::Breaking).count();
    eprintln!(
        "{} change(s): {breaking} breaking, {} compatible",
        changes.len(),
        changes.len() - breaking
    );
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("error: cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "error: git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// `topgen check --breaking REV`: every spec in `specs` at `rev` (read with `git show`)
/// compared with the working tree. A deleted spec is breaking, a new one compatible.
pub fn command_breaking(specs: &Path, rev: &str) -> Result<u8, String> {
    let commit = format!("{rev}^{{commit}}");
    git(&["rev-parse", "--verify", "--quiet", &commit])
        .map_err(|_| format!("error: `{rev}` is not a git revision"))?;
    let dir = specs.to_string_lossy().replace('\\', "/");
    let dir = dir.trim_end_matches('/');
    // ls-tree and `REV:./path` take paths relative to the current directory, as `--specs`
    // is.
    let listed = git(&[
        "ls-tree",
        "--name-only",
        "-z",
        rev,
        "--",
        &format!("{dir}/"),
    ])?;
    let mut old_specs: BTreeMap<String, Api> = BTreeMap::new();
    let mut failed = false;
    for path in listed.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let bytes = git(&["show", &format!("{rev}:./{path}")])?;
        let shown = format!("{rev}:{path}");
        match load_any(&shown, String::from_utf8_lossy(&bytes).into_owned()) {
            Ok(api) => {
                old_specs.insert(api.method.clone(), api);
            }
            Err(diags) => {
                eprintln!("{}", render_all(&diags, &shown));
                failed = true;
            }
        }
    }
    let mut new_specs: BTreeMap<String, Api> = BTreeMap::new();
    let entries = std::fs::read_dir(specs).map_err(|e| format!("error: cannot read {dir}: {e}"))?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    for path in paths {
        match load_file(&path) {
            Ok(api) => {
                new_specs.insert(api.method.clone(), api);
            }
            Err(message) => {
                eprintln!("{message}");
                failed = true;
            }
        }
    }
    let mut all = Vec::new();
    let mut breaking = false;
    for (method, old) in &old_specs {
        let changes = match new_specs.get(method) {
            Some(new) => diff(old, new),
            None => vec![Change {
                kind: Kind::Breaking,
                path: "api".to_owned(),
                message: "the API was removed".to_owned(),
            }],
        };
        breaking |= report(&format!("{method}: "), &changes);
        all.extend(changes);
    }
    for method in new_specs.keys().filter(|m| !old_specs.contains_key(*m)) {
        let change = Change {
            kind: Kind::Compatible,
            path: "api".to_owned(),
            message: "new API".to_owned(),
        };
        report(&format!("{method}: "), std::slice::from_ref(&change));
        all.push(change);
    }
    summary(&all);
    Ok(u8::from(breaking || failed))
}
