//! The generated files as a whole: rendering them in memory, writing them atomically, and
//! comparing them with what is on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use askama::Template;

use crate::emit;
use crate::fingerprint;
use crate::ir::{Api, Message};
use crate::progress::Progress;
use crate::settings::CrateSettings;
use crate::templates::{ApiRow, CargoToml, Readme};

/// Where things live, relative to the working directory, and the generated crate's settings.
#[derive(Debug, Clone)]
pub struct Layout {
    pub specs: PathBuf,
    pub out: PathBuf,
    pub schema: PathBuf,
    pub settings: CrateSettings,
}

impl Layout {
    /// The default layout under `root`: `specs/`, `generated/`, `specs/spec.schema.json`,
    /// with the default crate settings.
    pub fn under(root: &Path) -> Self {
        Self {
            specs: root.join("specs"),
            out: root.join("generated"),
            schema: root.join("specs").join("spec.schema.json"),
            settings: CrateSettings::default(),
        }
    }
}

/// The top-level entries of the output directory that topgen owns: everything else there
/// (`topgen.toml`, the specs, `target/`, a lock file) is the user's and never touched.
const OWNED: &[&str] = &["Cargo.toml", "README.md", "src", "tests", "examples"];

/// Every generated file: path (relative to the output directory, `/`-separated) → text.
/// The schema is kept apart since it lives beside the specs.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub crate_files: BTreeMap<String, String>,
    pub schema: String,
    /// The message spec format's schema, kept beside [`Output::schema`].
    pub message_schema: String,
}

/// Renders every file of the crate from the resolved APIs with the default settings, the
/// per-API files on all cores.
pub fn render(apis: &[Api]) -> Result<Output, String> {
    render_reusing(
        apis,
        &[],
        &CrateSettings::default(),
        None,
        &Progress::hidden(),
    )
}

/// [`render`] with message specs too.
pub fn render_all(apis: &[Api], messages: &[Message]) -> Result<Output, String> {
    render_reusing(
        apis,
        messages,
        &CrateSettings::default(),
        None,
        &Progress::hidden(),
    )
}

/// [`render`] with the given settings and a progress bar.
pub fn render_with(
    apis: &[Api],
    messages: &[Message],
    settings: &CrateSettings,
    progress: &Progress,
) -> Result<Output, String> {
    render_reusing(apis, messages, settings, None, progress)
}

/// Like [`render_with`] for `layout`, but a per-API file already on disk under `layout`
/// whose stamp proves it is what rendering would give (same spec text, same settings, same
/// generator, untouched) is taken as it is instead of rendered: after editing one spec of
/// thousands, only that spec's files are rendered again.
pub fn render_incremental(
    apis: &[Api],
    messages: &[Message],
    layout: &Layout,
) -> Result<Output, String> {
    render_reusing(
        apis,
        messages,
        &layout.settings,
        Some(layout),
        &Progress::hidden(),
    )
}

/// [`render_incremental`] with a progress bar.
pub fn render_incremental_with(
    apis: &[Api],
    messages: &[Message],
    layout: &Layout,
    progress: &Progress,
) -> Result<Output, String> {
    render_reusing(apis, messages, &layout.settings, Some(layout), progress)
}

/// The stamp input of the files generated from one spec: its hash and the settings'.
fn api_input(spec_hash: &str, settings_hash: &str) -> String {
    fingerprint::combined_hash([spec_hash, settings_hash])
}

/// The stamp input of the crate-wide files: every spec, every message spec (after a
/// marker, so that moving a spec between the two changes it) and the settings.
fn crate_input<'a>(
    spec_hashes: impl IntoIterator<Item = &'a str>,
    message_hashes: impl IntoIterator<Item = &'a str>,
    settings: &CrateSettings,
) -> String {
    let settings = settings.fingerprint();
    let mut hashes: Vec<&str> = spec_hashes.into_iter().collect();
    let messages: Vec<&str> = message_hashes.into_iter().collect();
    if !messages.is_empty() {
        hashes.push("messages");
        hashes.extend(messages);
    }
    fingerprint::combined_hash(hashes.into_iter().chain([settings.as_str()]))
}

/// The files generated only when there are message specs.
const MESSAGE_FILES: &[&str] = &["src/messages.rs", "tests/messages.rs", "examples/tmc.rs"];

/// How generated files name one API's spec: `specs/<method>.yaml`.
fn spec_shown(api: &Api, settings: &CrateSettings) -> String {
    format!("{}/{}.yaml", settings.specs_shown, api.method)
}

fn render_reusing(
    apis: &[Api],
    messages: &[Message],
    settings: &CrateSettings,
    reuse: Option<&Layout>,
    progress: &Progress,
) -> Result<Output, String> {
    let stamped_on_disk = |path: &str, input: &str| {
        let layout = reuse?;
        let text = std::fs::read_to_string(layout.out.join(path)).ok()?;
        fingerprint::verify(path, &text, input).then_some(text)
    };
    let regenerate = settings.regenerate_command();
    let rust = |path: &str, tokens, source: &str, input: &str| {
        emit::render(tokens, source, &regenerate)
            .map(|text| fingerprint::stamp(path, &text, input))
            .map_err(|e| format!("internal error: generated code for {path} does not parse: {e}"))
    };
    let lib = settings.lib_name();
    let settings_hash = settings.fingerprint();
    let per_api = crate::parallel::map(apis.iter().collect(), |api| {
        let module = format!("src/{}.rs", api.module);
        let tests = format!("tests/protocol/{}.rs", api.module);
        let input = api_input(&api.source_hash, &settings_hash);
        let source = spec_shown(api, settings);
        let module_text = match stamped_on_disk(&module, &input) {
            Some(text) => text,
            None => rust(
                &module,
                emit::types::api_module(api, &source),
                &source,
                &input,
            )?,
        };
        let tests_text = match stamped_on_disk(&tests, &input) {
            Some(text) => text,
            None => rust(
                &tests,
                emit::protocol_tests::api_tests(api, &source, &lib),
                &source,
                &input,
            )?,
        };
        progress.tick();
        Ok::<_, String>([(module, module_text), (tests, tests_text)])
    });
    progress.finish();
    let mut files = BTreeMap::new();
    for pair in per_api {
        files.extend(pair?);
    }
    let all = crate_input(
        apis.iter().map(|a| a.source_hash.as_str()),
        messages.iter().map(|m| m.source_hash.as_str()),
        settings,
    );
    let all_specs = format!("{}/*.yaml", settings.specs_shown);
    if !messages.is_empty() {
        let path = "src/messages.rs";
        let source = format!("{}/messages/*.yaml", settings.specs_shown);
        let tokens = emit::messages::messages_module(messages, &settings.specs_shown);
        files.insert(path.to_owned(), rust(path, tokens, &source, &all)?);
        let path = "examples/tmc.rs";
        let tokens = emit::tmc_example::tmc_rs(settings);
        files.insert(path.to_owned(), rust(path, tokens, &source, &all)?);
        let path = "tests/messages.rs";
        let tokens = emit::message_tests::messages_tests(messages, &lib);
        files.insert(path.to_owned(), rust(path, tokens, &source, &all)?);
    }
    for (path, tokens) in [
        (
            "src/lib.rs",
            emit::lib_rs::lib_rs(apis, !messages.is_empty(), settings),
        ),
        (
            "examples/call.rs",
            emit::call_example::call_rs(apis, settings),
        ),
        (
            "tests/protocol/main.rs",
            emit::protocol_tests::main_rs(apis, &lib),
        ),
    ] {
        files.insert(path.to_owned(), rust(path, tokens, &all_specs, &all)?);
    }
    let rows: Vec<ApiRow> = apis.iter().map(ApiRow::new).collect();
    let header = emit::header("#", &all_specs, &regenerate);
    let cargo = CargoToml {
        header: header.trim_end(),
        apis: &rows,
        messages: !messages.is_empty(),
        settings,
    };
    let cargo = with_newline(cargo.render().map_err(|e| e.to_string())?);
    files.insert(
        "Cargo.toml".into(),
        fingerprint::stamp("Cargo.toml", &cargo, &all),
    );
    let readme = Readme {
        header: header.trim_start_matches("# ").trim_end(),
        apis: rows,
        settings,
    };
    let readme = with_newline(readme.render().map_err(|e| e.to_string())?);
    files.insert(
        "README.md".into(),
        fingerprint::stamp("README.md", &readme, &all),
    );
    Ok(Output {
        crate_files: files,
        schema: crate::spec::json_schema(),
        message_schema: crate::spec::message_json_schema(),
    })
}

/// `generate` for `apis`: renders what changed (a progress bar on a terminal), writes it,
/// prints the files written and deleted when `verbose`, then the summary line. Shared by the
/// commands that end by regenerating (`generate`, `add`).
pub fn regenerate(
    apis: &[Api],
    messages: &[Message],
    layout: &Layout,
    verbose: bool,
) -> Result<(), String> {
    let progress = Progress::start(apis.len(), "rendering");
    let rendered = render_incremental_with(apis, messages, layout, &progress)?;
    let report = write(layout, &rendered).map_err(|e| format!("error: cannot write: {e}"))?;
    if verbose {
        for path in &report.written {
            eprintln!("wrote {path}");
        }
        for path in &report.deleted {
            eprintln!("deleted {path}");
        }
    }
    eprintln!(
        "{} API(s): {} file(s) written, {} unchanged, {} deleted",
        apis.len(),
        report.written.len(),
        report.unchanged,
        report.deleted.len()
    );
    Ok(())
}

/// Whether everything on disk is certainly in sync, decided from the stamps alone: every
/// spec's generated files carry that spec's current input hash and untouched content, the
/// crate-wide files carry the hash of all specs, and nothing else is in the output
/// directory. Reads files and hashes them; parses and renders nothing. `false` means "not
/// proven": render and compare to find out what differs.
pub fn in_sync_by_stamps(layout: &Layout) -> std::io::Result<bool> {
    let names = crate::load::spec_file_names(&layout.specs)?;
    let settings = layout.settings.fingerprint();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut hashes = Vec::with_capacity(names.len());
    for name in &names {
        let Some(method) = name.strip_suffix(".yaml") else {
            return Ok(false);
        };
        let hash = fingerprint::spec_hash(&std::fs::read(layout.specs.join(name))?);
        let module = crate::names::module_name(method);
        let input = api_input(&hash, &settings);
        expected.insert(format!("src/{module}.rs"), input.clone());
        expected.insert(format!("tests/protocol/{module}.rs"), input);
        hashes.push(hash);
    }
    let message_dir = crate::load::messages_dir(&layout.specs);
    let message_names = match crate::load::spec_file_names(&message_dir) {
        Ok(names) => names,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut message_hashes = Vec::with_capacity(message_names.len());
    for name in &message_names {
        message_hashes.push(fingerprint::spec_hash(&std::fs::read(
            message_dir.join(name),
        )?));
    }
    let all = crate_input(
        hashes.iter().map(String::as_str),
        message_hashes.iter().map(String::as_str),
        &layout.settings,
    );
    if !message_names.is_empty() {
        for path in MESSAGE_FILES {
            expected.insert((*path).to_owned(), all.clone());
        }
    }
    if std::fs::read(message_schema_path(layout)).ok().as_deref()
        != Some(crate::spec::message_json_schema().as_bytes())
    {
        return Ok(false);
    }
    for path in [
        "src/lib.rs",
        "examples/call.rs",
        "tests/protocol/main.rs",
        "README.md",
        "Cargo.toml",
    ] {
        expected.insert(path.to_owned(), all.clone());
    }
    if files_under(&layout.out)?.len() != expected.len()
        || std::fs::read(&layout.schema).ok().as_deref()
            != Some(crate::spec::json_schema().as_bytes())
    {
        return Ok(false);
    }
    let stamped: Vec<(String, String)> = expected.into_iter().collect();
    let verified = crate::parallel::map(stamped, |(rel, input)| {
        std::fs::read_to_string(layout.out.join(&rel))
            .is_ok_and(|text| fingerprint::verify(&rel, &text, &input))
    });
    Ok(verified.into_iter().all(|ok| ok))
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// How the disk differs from the generated output.
#[derive(Debug, Default, PartialEq)]
pub struct Drift {
    /// Files whose content differs, with a unified diff (disk → generated).
    pub changed: Vec<(String, String)>,
    /// Files that should exist and do not.
    pub missing: Vec<String>,
    /// Files in the output directory that nothing generates.
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Every file topgen owns under the output directory `dir` (see [`OWNED`]), relative and
/// `/`-separated, sorted.
fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = Vec::new();
    for name in OWNED {
        let path = dir.join(name);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => stack.push(path),
            Ok(_) => out.push((*name).to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(display(rel));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether `path` (relative to the output directory) is inside what topgen owns there.
pub fn is_owned(path: &Path) -> bool {
    path.components()
        .next()
        .is_some_and(|first| OWNED.iter().any(|o| first.as_os_str() == *o))
}

/// Every file to compare: full path → expected text.
fn expected<'a>(
    layout: &'a Layout,
    output: &'a Output,
) -> impl Iterator<Item = (PathBuf, &'a str)> {
    // Borrowed, not copied: at thousands of APIs the texts are a hundred megabytes.
    output
        .crate_files
        .iter()
        .map(|(rel, text)| (layout.out.join(rel), text.as_str()))
        .chain([
            (layout.schema.clone(), output.schema.as_str()),
            (message_schema_path(layout), output.message_schema.as_str()),
        ])
}

/// Where the message spec format's schema is kept: beside the spec format's,
/// `message.schema.json`.
pub fn message_schema_path(layout: &Layout) -> PathBuf {
    layout.schema.with_file_name("message.schema.json")
}

/// Refuses any generated path that could leave the output directory. Names come from
/// validated method names today; this keeps a future naming bug from writing anywhere else.
fn check_paths(output: &Output) -> std::io::Result<()> {
    for rel in output.crate_files.keys() {
        let plain = !rel.is_empty()
            && !rel.contains(['\0', '\\', ':'])
            && rel
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !plain {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write {rel:?}: not a plain path inside the output directory"),
            ));
        }
    }
    Ok(())
}

/// Compares the disk with `output`.
pub fn check(layout: &Layout, output: &Output) -> std::io::Result<Drift> {
    check_paths(output)?;
    let mut drift = Drift::default();
    for (path, text) in expected(layout, output) {
        match std::fs::read(&path) {
            Ok(bytes) if bytes == text.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let shown = display(&path);
                let diff = similar::TextDiff::from_lines(old.as_ref(), text)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{shown} (on disk)"),
                        &format!("{shown} (generated)"),
                    )
                    .to_string();
                drift.changed.push((shown, diff));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drift.missing.push(display(&path))
            }
            Err(e) => return Err(e),
        }
    }
    for rel in files_under(&layout.out)? {
        if !output.crate_files.contains_key(&rel) {
            drift.extra.push(display(&layout.out.join(rel)));
        }
    }
    Ok(drift)
}

/// What `write` did.
#[derive(Debug, Default, PartialEq)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub deleted: Vec<String>,
}

/// Writes `output`, touching only files whose content changed (each through a temporary
/// file renamed into place, so an interrupted run never leaves half a file), and deletes
/// files in the output directory that nothing generates any more.
pub fn write(layout: &Layout, output: &Output) -> std::io::Result<WriteReport> {
    check_paths(output)?;
    let mut report = WriteReport::default();
    for (path, text) in expected(layout, output) {
        if std::fs::read(&path).is_ok_and(|b| b == text.as_bytes()) {
            report.unchanged += 1;
            continue;
        }
        write_atomic(&path, text.as_bytes())?;
        report.written.push(display(&path));
    }
    for rel in files_under(&layout.out)? {
        if !output.crate_files.contains_key(&rel) {
            let path = layout.out.join(&rel);
            std::fs::remove_file(&path)?;
            report.deleted.push(display(&path));
            remove_empty_parents(&path, &layout.out);
        }
    }
    Ok(report)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.topgen-{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn remove_empty_parents(path: &Path, stop: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == stop || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_output_directory_are_refused() {
        let root = tempfile::tempdir().expect("temp dir");
        let layout = Layout::under(root.path());
        for rel in [
            "../x.rs",
            "src/../../x.rs",
            "/abs/x.rs",
            "src/a\0b.rs",
            "src\\..\\x",
            "",
            "src//x.rs",
            "C:x",
        ] {
            let output = Output {
                crate_files: BTreeMap::from([(rel.to_owned(), String::new())]),
                schema: String::new(),
                message_schema: String::new(),
            };
            let err = write(&layout, &output).expect_err(rel);
            assert!(
                err.to_string().contains("refusing to write"),
                "{rel:?}: {err}"
            );
            assert!(check(&layout, &output).is_err(), "{rel:?}");
        }
        assert!(!root.path().join("x.rs").exists());
        assert!(!root.path().join("generated").exists());
    }
}
