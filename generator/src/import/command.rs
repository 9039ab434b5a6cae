//! The `topgen import` command: expands the inputs (files, directories, `-`), reads each doc
//! with the reader its content calls for, validates the spec, writes or prints it, and
//! reports every doc on its own. One bad doc never stops the batch.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::{Imported, Severity, doc_json, keep, page};
use crate::spec::Spec;

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
    /// Doc files (page text or doc JSON), directories (their `*.json`, recursively), or
    /// `-` for standard input.
    pub inputs: Vec<String>,
    /// Write `<dir>/<method>.yaml` instead of printing the spec.
    pub out: Option<PathBuf>,
    /// Overwrite an existing spec (keeping its Rust names unless `keep_names_from` is given).
    pub force: bool,
    /// Carry `rust_name`/`enum_name`/variant names over from this spec (one doc only).
    pub keep_names_from: Option<PathBuf>,
    /// Do not print warnings.
    pub quiet: bool,
    /// Print each file written.
    pub verbose: bool,
}

/// One doc to import: where it is, and the category its directory's `catelog.json` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// The file, or `None` for standard input or a doc held in memory.
    pub path: Option<PathBuf>,
    /// The doc's bytes, when they are not read from `path` (the built-in catalogue).
    pub content: Option<std::sync::Arc<[u8]>>,
    /// How reports name it: the path as given or found, or `<stdin>`.
    pub shown: String,
    pub category: Option<String>,
    /// A problem with the category file, reported with the doc.
    pub category_note: Option<String>,
}

/// What became of one doc.
#[derive(Debug, Clone, Default)]
pub struct DocReport {
    /// The doc, as [`Source::shown`].
    pub shown: String,
    /// The method, when the doc names one.
    pub method: Option<String>,
    /// Every note and diagnostic about this doc, rendered (`FILE:LOCATION: warning: …`).
    pub lines: Vec<String>,
    pub warnings: usize,
    /// No spec written (or printed) for it.
    pub failed: bool,
    /// The spec, when it validated.
    pub yaml: Option<String>,
    /// Where it was written, with `--out`.
    pub written: Option<PathBuf>,
}

/// The counts of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub docs: usize,
    pub failed: usize,
    pub warnings: usize,
}

impl Summary {
    /// `imported N of M API docs (W warnings, F failed)`
    pub fn line(&self) -> String {
        format!(
            "imported {} of {} API docs ({} warnings, {} failed)",
            self.docs - self.failed,
            self.docs,
            self.warnings,
            self.failed
        )
    }
}

/// `topgen import`: imports every input, reports each doc on stderr, prints or writes the
/// specs, and ends with the summary line. Returns the exit status: 0 when no doc failed.
pub fn run(options: &Options) -> Result<u8, String> {
    run_sources(&sources(&options.inputs)?, options)
}

/// [`run`] for sources already found (`topgen add` passes catalogue docs).
pub fn run_sources(sources: &[Source], options: &Options) -> Result<u8, String> {
    if sources.len() > 1 && options.out.is_none() {
        return Err(format!(
            "error: {} docs to import: pass --out DIR to write their specs",
            sources.len()
        ));
    }
    if sources.len() > 1 && options.keep_names_from.is_some() {
        return Err(
            "error: --keep-names-from names one spec, for one doc; for many docs use --out DIR --force, which keeps each replaced spec's names".to_owned(),
        );
    }
    let progress = crate::progress::Progress::start(sources.len(), "importing");
    let summary = import_sources(sources, options, |report| {
        progress.tick();
        for line in &report.lines {
            if !(options.quiet && line.contains(": warning: ")) {
                progress.println(line);
            }
        }
        if let Some(path) = &report.written
            && options.verbose
        {
            progress.println(&format!("wrote {}", path.display()));
        }
        if options.out.is_none()
            && let Some(yaml) = &report.yaml
        {
            print!("{yaml}");
        }
    });
    progress.finish();
    eprintln!("{}", summary.line());
    Ok(u8::from(summary.failed > 0))
}

/// Imports the docs in order, calling `each` with every doc's report as soon as it is done
/// (a progress display hooks in here). Specs are written when `options.out` is set.
pub fn import_sources(
    sources: &[Source],
    options: &Options,
    mut each: impl FnMut(&DocReport),
) -> Summary {
    let mut summary = Summary::default();
    // Methods written by this run: a second doc for one method would replace the first.
    let mut written: HashMap<String, String> = HashMap::new();
    let mut stdin: Option<Vec<u8>> = None;
    for source in sources {
        let bytes = match (&source.content, &source.path) {
            (Some(content), _) => Ok(content.to_vec()),
            (None, Some(path)) => std::fs::read(path).map_err(|e| format!("cannot read it: {e}")),
            (None, None) => Ok(stdin
                .get_or_insert_with(|| {
                    let mut bytes = Vec::new();
                    // An unreadable stdin reads as empty: the doc then fails to import.
                    let _ = std::io::stdin().read_to_end(&mut bytes);
                    bytes
                })
                .clone()),
        };
        let report = match bytes {
            Ok(bytes) => import_one(
                source,
                &String::from_utf8_lossy(&bytes),
                options,
                &mut written,
            ),
            Err(e) => DocReport {
                shown: source.shown.clone(),
                lines: vec![format!("{}: error: {e}", source.shown)],
                failed: true,
                ..DocReport::default()
            },
        };
        summary.docs += 1;
        summary.warnings += report.warnings;
        summary.failed += usize::from(report.failed);
        each(&report);
    }
    summary
}

/// Imports every doc under `dir` (its `*.json`, recursively) without writing anything: the
/// reports hold the validated specs. For tests over a whole catalogue.
pub fn import_dir(dir: &Path) -> Result<(Summary, Vec<DocReport>), String> {
    Ok(import_all(&sources(&[dir.display().to_string()])?))
}

/// [`import_dir`] for sources already found (the built-in catalogue's).
pub fn import_all(sources: &[Source]) -> (Summary, Vec<DocReport>) {
    let mut reports = Vec::new();
    let summary = import_sources(sources, &Options::default(), |r| reports.push(r.clone()));
    (summary, reports)
}

/// Reads one doc (page text or doc JSON, told by its content), validates the spec and, with
/// `--out`, writes it.
fn import_one(
    source: &Source,
    text: &str,
    options: &Options,
    written: &mut HashMap<String, String>,
) -> DocReport {
    let shown = source.shown.clone();
    let mut report = DocReport {
        shown: shown.clone(),
        ..DocReport::default()
    };
    if let Some(note) = &source.category_note {
        report.lines.push(note.clone());
        report.warnings += 1;
    }
    let mut imported: Imported = if doc_json::is_doc_json(text) {
        doc_json::import(text, source.category.as_deref())
    } else {
        page::import(text)
    };
    for note in &imported.notes {
        report.lines.push(note.render(&shown));
        if note.severity == Severity::Warning {
            report.warnings += 1;
        }
    }
    let fail = |mut report: DocReport, line: String| {
        report.lines.push(line);
        report.failed = true;
        report
    };
    let Some(spec) = imported.spec.as_mut() else {
        return fail(
            report,
            format!("error: {shown}: no spec written (see the errors above)"),
        );
    };
    let method = spec.method.value.clone();
    report.method = Some(method.clone());
    let target = options
        .out
        .as_ref()
        .map(|dir| dir.join(format!("{method}.yaml")));
    if let Some(first) = written.get(&method) {
        let line =
            format!("error: {shown}: {first} already gave `{method}` in this run; no spec written");
        return fail(report, line);
    }
    let mut names_from = options.keep_names_from.clone();
    if let Some(target) = &target
        && target.exists()
    {
        if !options.force {
            let line = format!(
                "error: {} exists; pass --force to replace it (its Rust names are kept)",
                target.display()
            );
            return fail(report, line);
        }
        names_from.get_or_insert_with(|| target.clone());
    }
    if let Some(from) = &names_from {
        match names_of(from) {
            Ok(existing) => {
                let carried = keep::keep_names(spec, &mut imported.comments, &existing);
                report.lines.push(format!(
                    "kept {carried} Rust name(s) from {}",
                    from.display()
                ));
            }
            Err(line) => return fail(report, line),
        }
    }
    let Some(yaml) = imported.yaml() else {
        return fail(report, format!("error: {shown}: no spec"));
    };
    // The importer's own output must pass the same checks as a hand-written spec.
    if let Err(diags) = crate::load::load_str(&format!("specs/{method}.yaml"), yaml.clone()) {
        report.lines.extend(diags.iter().map(|d| d.render()));
        let line = format!(
            "error: {shown}: the imported spec does not validate (a bug in import, or a doc it misread); not written"
        );
        return fail(report, line);
    }
    if let Some(target) = target {
        // `--out` is created on the first spec written into it.
        let written_out = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, &yaml));
        if let Err(e) = written_out {
            let line = format!("error: cannot write {}: {e}", target.display());
            return fail(report, line);
        }
        written.insert(method, shown);
        report.written = Some(target);
    }
    report.yaml = Some(yaml);
    report
}

/// The spec whose Rust names to keep.
fn names_of(from: &Path) -> Result<Spec, String> {
    let shown = from.display().to_string();
    let text =
        std::fs::read_to_string(from).map_err(|e| format!("error: cannot read {shown}: {e}"))?;
    read_spec(&shown, text).map_err(|diags| {
        let mut lines: Vec<String> = diags.iter().map(|d| d.render()).collect();
        lines.push(format!("error: cannot take names from {shown}"));
        lines.join("\n")
    })
}

/// The docs the inputs name, in order: files as given, directories' `*.json` (but
/// `catelog.json`) recursively in sorted order, `-` for standard input. Each doc's category
/// is the `name` of the nearest `catelog.json`: in its directory, or above it up to the
/// directory given (a file given alone looks in its own directory only).
pub fn sources(inputs: &[String]) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    let mut categories = Categories::default();
    for input in inputs {
        if input == "-" {
            out.push(Source {
                path: None,
                content: None,
                shown: "<stdin>".to_owned(),
                category: None,
                category_note: None,
            });
            continue;
        }
        let path = PathBuf::from(input);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(&path, &mut files).map_err(|e| format!("error: cannot read {input}: {e}"))?;
            for file in files {
                let (category, category_note) = categories.of(&file, &path);
                out.push(Source {
                    shown: file.display().to_string(),
                    path: Some(file),
                    content: None,
                    category,
                    category_note,
                });
            }
        } else {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let (category, category_note) = categories.of(&path, &dir);
            out.push(Source {
                shown: input.clone(),
                path: Some(path),
                content: None,
                category,
                category_note,
            });
        }
    }
    Ok(out)
}

/// Every `*.json` under `dir` but `catelog.json`, sorted by path.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        // A symlinked directory is not followed: a link to an ancestor would never end.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json")
            && path.file_name().is_some_and(|n| n != CATEGORY_FILE)
        {
            files.push(path);
        }
    }
    Ok(())
}

/// The file in a category's directory that names it.
pub const CATEGORY_FILE: &str = "catelog.json";

/// `catelog.json` files read so far, by directory: a category holds many docs.
#[derive(Default)]
struct Categories {
    /// The category's name, or the reason it has none.
    by_dir: BTreeMap<PathBuf, Option<Result<String, String>>>,
}

impl Categories {
    /// The category of the doc at `file`, looking up to `root`; and a note when the
    /// category file is unreadable.
    fn of(&mut self, file: &Path, root: &Path) -> (Option<String>, Option<String>) {
        let mut dir = file.parent();
        while let Some(d) = dir {
            let found = self
                .by_dir
                .entry(d.to_path_buf())
                .or_insert_with(|| read_category(&d.join(CATEGORY_FILE)));
            match found {
                Some(Ok(name)) => return (Some(name.clone()), None),
                Some(Err(e)) => return (None, Some(e.clone())),
                None => {}
            }
            if d == root || d.as_os_str().is_empty() {
                break;
            }
            dir = d.parent();
        }
        (None, None)
    }
}

/// `None` when there is no such file; the category's `name`, or a warning line.
fn read_category(path: &Path) -> Option<Result<String, String>> {
    let text = std::fs::read(path).ok()?;
    Some(category_name(&text, &path.display().to_string()))
}

/// The category a `catelog.json` names, or a warning line naming the file as `shown`.
pub fn category_name(text: &[u8], shown: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| format!("{shown}: warning: not valid JSON ({e}): no category"))?;
    match value.get("name").and_then(serde_json::Value::as_str) {
        Some(name) if !name.trim().is_empty() => Ok(name.trim().to_owned()),
        _ => Err(format!("{shown}: warning: no `name`: no category")),
    }
}
