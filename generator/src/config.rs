//! `topgen.toml`: a project's settings (crate name, where specs and the crate live, how the
//! crate depends on `top-runtime`), found like cargo finds `Cargo.toml`: in the working
//! directory or the nearest parent. Errors are located and rendered like spec errors.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};
use crate::output::Layout;
use crate::settings::{CrateSettings, RuntimeDep, package_name_problem, toml_string};

/// The file's name.
pub const FILE_NAME: &str = "topgen.toml";

const TOP_KEYS: &[&str] = &["name", "specs", "out", "schema", "topgen", "runtime"];
const RUNTIME_KEYS: &[&str] = &["version", "path", "git", "rev"];

/// Where the generated crate gets `top-runtime`, as the config states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A version requirement on the published crate.
    Version(String),
    /// A directory holding the runtime crate, relative to the config's directory or absolute.
    Path(PathBuf),
    /// A git repository, optionally at a revision.
    Git { url: String, rev: Option<String> },
}

/// A project's settings. Relative paths are relative to [`Config::root`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The `topgen.toml` these settings came from; `None` for the defaults.
    pub file: Option<PathBuf>,
    /// The directory relative paths start from: the config's directory, as a path from the
    /// working directory (`.`, `..`, …), so that messages name files the way the user sees
    /// them.
    pub root: PathBuf,
    /// The generated crate's package name.
    pub name: String,
    /// The specs directory.
    pub specs: PathBuf,
    /// The generated crate's directory; topgen owns its `Cargo.toml`, `README.md`, `src/`,
    /// `tests/` and `examples/`.
    pub out: PathBuf,
    /// Where the spec format's JSON Schema is written; default `<specs>/spec.schema.json`.
    pub schema: Option<PathBuf>,
    /// How topgen is run in this project; generated headers name `<topgen> generate`.
    pub topgen: String,
    pub runtime: RuntimeSource,
}

impl Config {
    /// The settings of a project without `topgen.toml`, rooted at `root`: `specs/`, the crate
    /// `top-apis` in `generated/`, the runtime version of this topgen.
    pub fn defaults(root: impl Into<PathBuf>) -> Self {
        Self {
            file: None,
            root: root.into(),
            name: "top-apis".to_owned(),
            specs: PathBuf::from("specs"),
            out: PathBuf::from("generated"),
            schema: None,
            topgen: "topgen".to_owned(),
            runtime: RuntimeSource::Version(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }

    /// The settings in effect: `explicit` (`--config FILE`) when given, else the nearest
    /// `topgen.toml` from the working directory up, else [`Config::defaults`].
    pub fn discover(explicit: Option<&Path>) -> Result<Self, String> {
        match explicit {
            Some(file) => Self::load(file),
            None => match find_upwards()? {
                Some(file) => Self::load(&file),
                None => Ok(Self::defaults(".")),
            },
        }
    }

    /// Reads one `topgen.toml`.
    pub fn load(file: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("error: cannot read {}: {e}", file.display()))?;
        let root = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let shown = file.to_string_lossy().replace('\\', "/");
        Self::parse(&shown, text, root).map_err(|diags| {
            let mut out: Vec<String> = diags.iter().map(Diagnostic::render).collect();
            out.push(format!("{} error(s) in {shown}", diags.len()));
            out.join("\n")
        })
    }

    /// Parses a config's text; `shown` names it in diagnostics.
    pub fn parse(shown: &str, text: String, root: PathBuf) -> Result<Self, Vec<Diagnostic>> {
        let file = Arc::new(SourceFile::new(shown, text));
        let mut reader = Reader {
            file: Arc::clone(&file),
            errors: Vec::new(),
        };
        let config = reader.config(root);
        match config {
            Some(config) if reader.errors.is_empty() => Ok(Self {
                file: Some(PathBuf::from(shown)),
                ..config
            }),
            _ => Err(reader.errors),
        }
    }

    /// `root/path`, without a leading `./` for the working directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.root == Path::new(".") {
            path.to_path_buf()
        } else {
            self.root.join(path)
        }
    }

    /// Where things are, as paths from the working directory, with the crate's settings.
    pub fn layout(&self) -> Result<Layout, String> {
        // The crate's owned parts are rewritten and pruned on every `generate`: specs there
        // would be deleted.
        let (out, specs) = (normalize(&self.out), normalize(&self.specs));
        let inside = if out == Path::new(".") {
            Some(specs.as_path())
        } else {
            specs.strip_prefix(&out).ok()
        };
        if let Some(rest) = inside
            && crate::output::is_owned(rest)
        {
            return Err(format!(
                "error: {}: the specs directory `{}` is inside the generated crate's `{}`, which topgen rewrites; move it (e.g. `specs = \"specs\"`)",
                self.file
                    .as_deref()
                    .map_or_else(|| "the settings".to_owned(), |f| f.display().to_string()),
                slashed(&self.specs),
                rest.components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
        }
        let schema = match &self.schema {
            Some(schema) => self.resolve(schema),
            None => self.resolve(&self.specs).join("spec.schema.json"),
        };
        Ok(Layout {
            specs: self.resolve(&self.specs),
            out: self.resolve(&self.out),
            schema,
            settings: self.settings()?,
        })
    }

    /// What the generated files depend on: a runtime path is rewritten relative to the
    /// crate's directory, as `Cargo.toml` reads it.
    pub fn settings(&self) -> Result<CrateSettings, String> {
        let runtime = match &self.runtime {
            RuntimeSource::Version(req) => RuntimeDep::Version(req.clone()),
            RuntimeSource::Git { url, rev } => RuntimeDep::Git {
                url: url.clone(),
                rev: rev.clone(),
            },
            RuntimeSource::Path(path) if path.is_absolute() => RuntimeDep::Path(slashed(path)),
            RuntimeSource::Path(path) => {
                let root = std::path::absolute(&self.root)
                    .map_err(|e| format!("error: cannot resolve {}: {e}", self.root.display()))?;
                let from = normalize(&root.join(&self.out));
                let to = normalize(&root.join(path));
                RuntimeDep::Path(slashed(&relative(&from, &to)))
            }
        };
        Ok(CrateSettings {
            name: self.name.clone(),
            runtime,
            topgen: self.topgen.clone(),
            specs_shown: slashed(&normalize(&self.specs)),
            own_workspace: false,
        })
    }

    /// The file `topgen init` writes: every setting, each with a comment saying what it does.
    pub fn to_toml(&self) -> String {
        let runtime = match &self.runtime {
            RuntimeSource::Version(req) => format!("version = {}", toml_string(req)),
            RuntimeSource::Path(path) => format!("path = {}", toml_string(&slashed(path))),
            RuntimeSource::Git { url, rev: None } => format!("git = {}", toml_string(url)),
            RuntimeSource::Git {
                url,
                rev: Some(rev),
            } => {
                format!("git = {}\nrev = {}", toml_string(url), toml_string(rev))
            }
        };
        format!(
            "# topgen's settings for this project (README: \"topgen.toml\"). Paths are relative to\n\
             # this file; `topgen` finds it from this directory or any directory below.\n\
             \n\
             # The generated crate's package name.\n\
             name = {name}\n\
             # The specs, one `<method>.yaml` per API (`topgen add` and `topgen new` write here).\n\
             specs = {specs}\n\
             # The generated crate: topgen owns its Cargo.toml, README.md, src/, tests/ and examples/.\n\
             out = {out}\n\
             # How topgen is run here: generated files say to run `<this> generate`.\n\
             topgen = {topgen}\n\
             \n\
             # How the crate depends on top-runtime: one of `version = \"<requirement>\"`,\n\
             # `path = \"<dir>\"` (relative to this file), or `git = \"<url>\"` with an optional\n\
             # `rev = \"<commit>\"`.\n\
             [runtime]\n\
             {runtime}\n",
            name = toml_string(&self.name),
            specs = toml_string(&slashed(&self.specs)),
            out = toml_string(&slashed(&self.out)),
            topgen = toml_string(&self.topgen),
        )
    }
}

/// The nearest `topgen.toml` from the working directory up, as a path from it
/// (`topgen.toml`, `../topgen.toml`, …).
fn find_upwards() -> Result<Option<PathBuf>, String> {
    let cwd = std::env::current_dir()
        .map_err(|e| format!("error: cannot read the working directory: {e}"))?;
    let mut relative = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join(FILE_NAME).is_file() {
            return Ok(Some(relative.join(FILE_NAME)));
        }
        relative.push("..");
    }
    Ok(None)
}

/// `path` with `/` separators.
pub fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` without `.` components and with `..` applied where a name precedes it (lexically:
/// symbolic links are not followed). An empty result is `.`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The path from directory `from` to `to`, both absolute and normalized.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &to[common..] {
        out.push(component.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Walks the parsed document, collecting every problem.
struct Reader {
    file: Arc<SourceFile>,
    errors: Vec<Diagnostic>,
}

impl Reader {
    fn error(&mut self, span: Option<std::ops::Range<usize>>, message: String, label: &str) {
        let span = span.unwrap_or(0..0);
        let mut d = Diagnostic::error(self.file.span(span.start, span.end), message);
        if !label.is_empty() {
            d = d.with_label(label);
        }
        self.errors.push(d.in_file(&self.file));
    }

    fn config(&mut self, root: PathBuf) -> Option<Config> {
        let doc = match toml_edit::Document::parse(self.file.text().to_owned()) {
            Ok(doc) => doc,
            Err(e) => {
                let message = e.message().trim().to_owned();
                self.error(e.span(), format!("invalid TOML: {message}"), "");
                return None;
            }
        };
        let mut config = Config::defaults(root);
        let table = doc.as_table();
        self.unknown_keys(table, TOP_KEYS, "");
        if let Some(name) = self.string(table, "name") {
            if let Some(problem) = package_name_problem(&name) {
                let span = table.get("name").and_then(toml_edit::Item::span);
                self.error(span, problem, "the generated crate's package name");
            }
            config.name = name;
        }
        for (key, slot) in [("specs", &mut config.specs), ("out", &mut config.out)] {
            if let Some(path) = self.path(table, key) {
                *slot = path;
            }
        }
        config.schema = self.path(table, "schema");
        if let Some(topgen) = self.string(table, "topgen") {
            config.topgen = topgen;
        }
        match table.get("runtime") {
            None => {}
            Some(toml_edit::Item::Table(runtime)) => {
                if let Some(source) = self.runtime(runtime) {
                    config.runtime = source;
                }
            }
            Some(other) => self.error(
                other.span(),
                "`runtime` must be a table".to_owned(),
                "expected `[runtime]` with one of: version, path, git",
            ),
        }
        Some(config)
    }

    fn unknown_keys(&mut self, table: &toml_edit::Table, allowed: &[&str], prefix: &str) {
        for (key, _) in table.iter() {
            if allowed.contains(&key) {
                continue;
            }
            let span = table.key(key).and_then(toml_edit::Key::span);
            let hint = match crate::parse::closest(key, allowed) {
                Some(close) => format!("did you mean `{close}`? "),
                None => String::new(),
            };
            self.error(
                span,
                format!("unknown key `{prefix}{key}`"),
                &format!("{hint}expected one of: {}", allowed.join(", ")),
            );
        }
    }

    /// A non-empty string value, or an error when the key holds anything else.
    fn string(&mut self, table: &toml_edit::Table, key: &str) -> Option<String> {
        let item = table.get(key)?;
        match item.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.to_owned()),
            Some(_) => {
                self.error(item.span(), format!("`{key}` is empty"), "expected a value");
                None
            }
            None => {
                self.error(
                    item.span(),
                    format!("`{key}` must be a string"),
                    "expected a quoted string",
                );
                None
            }
        }
    }

    fn path(&mut self, table: &toml_edit::Table, key: &str) -> Option<PathBuf> {
        self.string(table, key).map(PathBuf::from)
    }

    fn runtime(&mut self, table: &toml_edit::Table) -> Option<RuntimeSource> {
        self.unknown_keys(table, RUNTIME_KEYS, "runtime.");
        let given: Vec<&str> = ["version", "path", "git"]
            .into_iter()
            .filter(|k| table.contains_key(k))
            .collect();
        let span = table.span();
        if given.len() != 1 {
            let found = if given.is_empty() {
                "none".to_owned()
            } else {
                given.join(", ")
            };
            self.error(
                span,
                format!("`[runtime]` needs exactly one of `version`, `path`, `git`; found {found}"),
                "how the generated crate depends on top-runtime",
            );
            return None;
        }
        let rev = self.string(table, "rev");
        if rev.is_some() && given[0] != "git" {
            let span = table.key("rev").and_then(toml_edit::Key::span);
            self.error(
                span,
                "`rev` applies to `git` only".to_owned(),
                "remove it, or use `git = \"<url>\"`",
            );
        }
        match given[0] {
            "version" => self.string(table, "version").map(RuntimeSource::Version),
            "path" => self.path(table, "path").map(RuntimeSource::Path),
            _ => self
                .string(table, "git")
                .map(|url| RuntimeSource::Git { url, rev }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse("topgen.toml", text.to_owned(), PathBuf::from(".")).map_err(|diags| {
            diags
                .iter()
                .map(|d| d.render())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    #[test]
    fn reads_every_setting() {
        let config = parse(
            "name = \"shop-top\"\nspecs = \"api\"\nout = \"crate\"\ntopgen = \"tg\"\n[runtime]\ngit = \"https://example.com/topgen\"\nrev = \"abc\"\n",
        )
        .expect("valid");
        assert_eq!(config.name, "shop-top");
        assert_eq!(config.specs, Path::new("api"));
        assert_eq!(config.out, Path::new("crate"));
        assert_eq!(config.topgen, "tg");
        assert_eq!(
            config.runtime,
            RuntimeSource::Git {
                url: "https://example.com/topgen".into(),
                rev: Some("abc".into())
            }
        );
    }

    #[test]
    fn what_init_writes_reads_back() {
        let mut config = Config::defaults(".");
        config.name = "shop".into();
        config.out = PathBuf::from(".");
        for runtime in [
            RuntimeSource::Version("0.1".into()),
            RuntimeSource::Path(PathBuf::from("../topgen/runtime")),
            RuntimeSource::Git {
                url: "https://example.com/t".into(),
                rev: Some("1234".into()),
            },
        ] {
            config.runtime = runtime;
            let back = parse(&config.to_toml()).expect("reads back");
            assert_eq!(Config { file: None, ..back }, config);
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located() {
        let err = parse("name = \"x\"\nspecz = \"s\"\n[runtime]\nversion = 1\n").unwrap_err();
        assert!(err.contains("unknown key `specz`"), "{err}");
        assert!(err.contains("--> topgen.toml:2:1"), "{err}");
        assert!(err.contains("did you mean `specs`?"), "{err}");
        assert!(err.contains("`version` must be a string"), "{err}");
        assert!(err.contains("--> topgen.toml:4:11"), "{err}");

        let err = parse("name = \"2x\"\n").unwrap_err();
        assert!(err.contains("must start with a letter"), "{err}");
        let err = parse("[runtime]\nversion = \"1\"\npath = \"r\"\n").unwrap_err();
        assert!(err.contains("exactly one of"), "{err}");
        let err = parse("[runtime]\npath = \"r\"\nrev = \"x\"\n").unwrap_err();
        assert!(err.contains("`rev` applies to `git` only"), "{err}");
        let err = parse("name = \n").unwrap_err();
        assert!(err.contains("invalid TOML"), "{err}");
        assert!(err.contains("topgen.toml:1:"), "{err}");
        let err = parse("runtime = \"x\"\n").unwrap_err();
        assert!(err.contains("`runtime` must be a table"), "{err}");
    }

    #[test]
    fn a_runtime_path_is_written_relative_to_the_crate() {
        let mut config = Config::defaults("/w/project");
        config.out = PathBuf::from("crates/top");
        config.runtime = RuntimeSource::Path(PathBuf::from("../topgen/runtime"));
        let settings = config.settings().expect("settings");
        assert_eq!(
            settings.runtime,
            RuntimeDep::Path("../../../topgen/runtime".into())
        );
        config.out = PathBuf::from(".");
        config.runtime = RuntimeSource::Path(PathBuf::from("./vendor/../runtime"));
        assert_eq!(
            config.settings().expect("settings").runtime,
            RuntimeDep::Path("runtime".into())
        );
    }

    #[test]
    fn specs_inside_what_topgen_rewrites_are_refused() {
        let mut config = Config::defaults(".");
        config.out = PathBuf::from(".");
        config.specs = PathBuf::from("./src/specs");
        let err = config.layout().unwrap_err();
        assert!(err.contains("inside the generated crate's `src`"), "{err}");
        config.out = PathBuf::from("gen");
        config.specs = PathBuf::from("gen/tests");
        assert!(config.layout().is_err());
        config.specs = PathBuf::from("gen/specs");
        assert!(config.layout().is_ok());
        config.specs = PathBuf::from("specs");
        assert!(config.layout().is_ok());
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("./a/../b/./c")), Path::new("b/c"));
        assert_eq!(normalize(Path::new("../a")), Path::new("../a"));
        assert_eq!(normalize(Path::new("a/..")), Path::new("."));
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/c/d")),
            Path::new("../c/d")
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), Path::new("."));
    }
}
