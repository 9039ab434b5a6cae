//! Reading a specs directory: every `*.yaml` file parsed, checked and resolved, with all
//! problems of all files collected.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use crate::ir::{Api, Message};
use crate::{parse, resolve, spec, yaml};

/// Why specs could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The specs are invalid; every problem found.
    Invalid(Vec<Diagnostic>),
    /// The directory or a file could not be read.
    Io(String, std::io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Invalid(diags) => {
                for d in diags {
                    writeln!(f, "{}", d.render())?;
                }
                write!(f, "{} error(s) in specs", diags.len())
            }
            LoadError::Io(path, e) => write!(f, "cannot read {path}: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses and resolves one spec's text; `path` names it in diagnostics and must end in
/// `<method>.yaml`.
pub fn load_str(path: &str, text: String) -> Result<(Api, spec::Spec), Vec<Diagnostic>> {
    load_located(path, text).map(|(api, spec, _)| (api, spec))
}

/// [`load_str`], also giving the source, so that checks across specs can point into it.
fn load_located(
    path: &str,
    text: String,
) -> Result<(Api, spec::Spec, Arc<SourceFile>), Vec<Diagnostic>> {
    let source_hash = crate::fingerprint::spec_hash(text.as_bytes());
    let file = Arc::new(SourceFile::new(path, text));
    let attach = |diags: Vec<Diagnostic>| {
        diags
            .into_iter()
            .map(|d| d.in_file(&file))
            .collect::<Vec<_>>()
    };
    let root = yaml::parse(&file).map_err(|d| attach(vec![d]))?;
    let mut errors = Vec::new();
    let spec = parse::spec(&root, &mut errors);
    let partial = !errors.is_empty();
    let resolved = spec
        .as_ref()
        .map(|spec| resolve::resolve(spec, path, partial));
    match (spec, resolved) {
        (Some(spec), Some(Ok(api))) if errors.is_empty() => {
            Ok((Api { source_hash, ..api }, spec, Arc::clone(&file)))
        }
        (_, resolved) => {
            if let Some(Err(semantic)) = resolved {
                errors.extend(semantic);
            }
            errors.sort_by_key(|d| d.span.start);
            Err(attach(errors))
        }
    }
}

/// Parses and resolves one message spec's text; `path` names it in diagnostics and must end
/// in `<topic>.yaml`.
pub fn load_message_str(path: &str, text: String) -> Result<Message, Vec<Diagnostic>> {
    let source_hash = crate::fingerprint::spec_hash(text.as_bytes());
    let file = Arc::new(SourceFile::new(path, text));
    let attach = |diags: Vec<Diagnostic>| {
        diags
            .into_iter()
            .map(|d| d.in_file(&file))
            .collect::<Vec<_>>()
    };
    let root = yaml::parse(&file).map_err(|d| attach(vec![d]))?;
    let mut errors = Vec::new();
    let spec = parse::message(&root, &mut errors);
    let partial = !errors.is_empty();
    match spec.map(|spec| resolve::resolve_message(&spec, path, partial)) {
        Some(Ok(message)) if errors.is_empty() => Ok(Message {
            source_hash,
            ..message
        }),
        resolved => {
            if let Some(Err(semantic)) = resolved {
                errors.extend(semantic);
            }
            errors.sort_by_key(|d| d.span.start);
            Err(attach(errors))
        }
    }
}

/// The directory of the message specs in a specs directory: `<specs>/messages`.
pub fn messages_dir(specs: &Path) -> std::path::PathBuf {
    specs.join("messages")
}

/// Loads every message spec in `<specs>/messages` (none when that directory does not
/// exist), sorted by file name, with all problems of all files collected.
pub fn load_messages(specs: &Path) -> Result<Vec<Message>, LoadError> {
    let dir = messages_dir(specs);
    let shown = dir.to_string_lossy().replace('\\', "/");
    let names = match spec_file_names(&dir) {
        Ok(names) => names,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(LoadError::Io(shown, e)),
    };
    let mut messages: Vec<Message> = Vec::with_capacity(names.len());
    let mut errors = Vec::new();
    for name in &names {
        let path = format!("{shown}/{name}");
        let bytes = std::fs::read(dir.join(name)).map_err(|e| LoadError::Io(path.clone(), e))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let file = Arc::new(SourceFile::new(path, String::new()));
                errors.push(
                    Diagnostic::error(file.span(0, 0), format!("the file is not UTF-8: {e}"))
                        .in_file(&file),
                );
                continue;
            }
        };
        match load_message_str(&path, text.clone()) {
            Ok(mut message) => {
                message.spec_path = format!("specs/messages/{name}");
                // Distinct topics can make one name (`a_bC` and `a_b_c`).
                if let Some(other) = messages.iter().find(|m| {
                    m.module == message.module || m.content.rust_name == message.content.rust_name
                }) {
                    let file = Arc::new(SourceFile::new(path, text));
                    errors.push(
                        Diagnostic::error(
                            file.span(0, 0),
                            format!(
                                "topics `{}` and `{}` both generate `{}`",
                                message.topic, other.topic, message.module
                            ),
                        )
                        .with_label("rename one of the message specs' topics")
                        .in_file(&file),
                    );
                    continue;
                }
                messages.push(message);
            }
            Err(diags) => errors.extend(diags),
        }
    }
    if errors.is_empty() {
        Ok(messages)
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// The names of the spec files in `dir` (`*.yaml`, and `*.yml` so that a misnamed one is
/// reported), sorted so that output never depends on the order the file system lists them.
pub fn spec_file_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Loads every spec in `dir`, sorted by file name so that output never depends on the
/// order the file system lists them in.
pub fn load_dir(dir: &Path) -> Result<Vec<Api>, LoadError> {
    let shown = dir.to_string_lossy().replace('\\', "/");
    let shown = shown.trim_end_matches('/');
    let names = spec_file_names(dir).map_err(|e| LoadError::Io(shown.to_owned(), e))?;
    let mut files = Vec::with_capacity(names.len());
    for name in &names {
        let path = format!("{shown}/{name}");
        let text = std::fs::read(dir.join(name)).map_err(|e| LoadError::Io(path.clone(), e))?;
        files.push((path, text));
    }
    let results = crate::parallel::map(files, |(path, bytes)| match String::from_utf8(bytes) {
        Ok(text) => load_located(&path, text).map(|(mut api, spec, file)| {
            // Generated files name their spec the same way whatever path topgen was given,
            // so that output does not depend on where it ran from.
            let name = path.rsplit('/').next().unwrap_or(&path);
            api.spec_path = format!("specs/{name}");
            (api, spec.method.span, file)
        }),
        Err(e) => {
            let file = Arc::new(SourceFile::new(path, String::new()));
            Err(vec![
                Diagnostic::error(file.span(0, 0), format!("the file is not UTF-8: {e}"))
                    .in_file(&file),
            ])
        }
    });
    let mut apis = Vec::with_capacity(results.len());
    let mut methods = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((api, span, file)) => {
                apis.push(api);
                methods.push((span, file));
            }
            Err(diags) => errors.extend(diags),
        }
    }
    check_crate_names(&apis, &methods, &mut errors);
    if errors.is_empty() {
        Ok(apis)
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// Names that must be unique across the crate: modules (and so cargo features), and the
/// root re-exports. Distinct methods can collide (`a.b_c` and `a.bC` both make `a_b_c`):
/// each such pair is an error at the later spec's method, naming both.
fn check_crate_names(
    apis: &[Api],
    methods: &[(crate::diag::Span, Arc<SourceFile>)],
    errors: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, api) in apis.iter().enumerate() {
        for name in [&api.module, &api.request.rust_name, &api.response.rust_name] {
            if let Some(first) = seen.insert(name, i)
                && first != i
            {
                let other = &apis[first];
                let (span, file) = &methods[i];
                errors.push(
                    Diagnostic::error(
                        *span,
                        format!(
                            "`{}` and `{}` both generate `{name}`",
                            api.method, other.method
                        ),
                    )
                    .with_label(format!(
                        "`{}` is in {}; rename one of the spec files' methods",
                        other.method, other.spec_path
                    ))
                    .in_file(file),
                );
            }
        }
    }
}
