//! The build-script mode, for crates that do not check generated code in (prost-build's
//! way): a `build.rs` calls [`Builder`], which generates every API of a specs directory into
//! one file in `OUT_DIR`, and the crate brings it in with one `include!`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), topgen::BuildError> {
//!     topgen::Builder::new().specs("specs").generate()?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs: the APIs, as the module `top`
//! pub mod top {
//!     include!(concat!(env!("OUT_DIR"), "/top_apis.rs"));
//! }
//! ```
//!
//! The crate depends on `top-runtime` (the generated code names it as `::top_runtime`) and
//! has `topgen` as a build-dependency. An invalid spec fails the build with the same located
//! diagnostics `topgen generate` prints.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};

/// The file [`Builder::generate`] writes unless told otherwise.
pub const DEFAULT_FILE: &str = "top_apis.rs";

/// Generates the APIs of a specs directory into one file, from a build script.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    specs: Option<PathBuf>,
    config: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    quiet: bool,
}

/// Why generation failed: invalid specs (every located diagnostic, rendered as
/// `topgen generate` does), an unreadable config, or a file that cannot be written.
/// `Debug` prints the same text as `Display`, so that `fn main() -> Result<(), BuildError>`
/// shows the diagnostics readably when a build script fails.
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// A builder reading `specs/` of the crate being built (or the `specs` of a config given
    /// with [`Builder::config`]) into `$OUT_DIR/top_apis.rs`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The specs directory; relative paths are from the crate's manifest directory (where
    /// cargo runs build scripts).
    pub fn specs(mut self, dir: impl Into<PathBuf>) -> Self {
        self.specs = Some(dir.into());
        self
    }

    /// A `topgen.toml` whose `specs` to read (unless [`Builder::specs`] names a directory).
    pub fn config(mut self, file: impl Into<PathBuf>) -> Self {
        self.config = Some(file.into());
        self
    }

    /// Where to write; default: `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file's name in the output directory; default [`DEFAULT_FILE`].
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Print no `cargo:rerun-if-changed` lines (for use outside a build script).
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Loads and checks every spec, writes the file (only when its content changed, so that
    /// the crate is not rebuilt for nothing) and returns its path. In a build script it also
    /// tells cargo to rerun when a spec, the specs directory or the config changes.
    pub fn generate(self) -> Result<PathBuf, BuildError> {
        let fail = |message: String| BuildError(message);
        let config = match &self.config {
            Some(file) => Some(Config::load(file).map_err(fail)?),
            None => None,
        };
        let specs = match (&self.specs, &config) {
            (Some(dir), _) => dir.clone(),
            (None, Some(config)) => config.resolve(&config.specs),
            (None, None) => PathBuf::from("specs"),
        };
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                fail("error: OUT_DIR is not set: call topgen::Builder from a build script, or set Builder::out_dir".to_owned())
            })?,
        };
        if !self.quiet {
            if let Some(file) = &self.config {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            // The directory itself: a spec added or removed changes its listing.
            println!("cargo:rerun-if-changed={}", specs.display());
            for name in crate::load::spec_file_names(&specs).map_err(|e| {
                fail(format!(
                    "error: cannot read the specs directory {}: {e}",
                    specs.display()
                ))
            })? {
                println!("cargo:rerun-if-changed={}", specs.join(name).display());
            }
            let messages = crate::load::messages_dir(&specs);
            if messages.is_dir() {
                println!("cargo:rerun-if-changed={}", messages.display());
                for name in crate::load::spec_file_names(&messages).unwrap_or_default() {
                    println!("cargo:rerun-if-changed={}", messages.join(name).display());
                }
            }
        }
        let apis = crate::load::load_dir(&specs).map_err(|e| fail(e.to_string()))?;
        let messages = crate::load::load_messages(&specs).map_err(|e| fail(e.to_string()))?;
        let shown = config::slashed(&config::normalize(&specs));
        let tokens = crate::emit::single_file::apis_rs(&apis, &messages, &shown, |api| {
            format!("{shown}/{}.yaml", api.method)
        });
        let header = format!(
            "// @generated by topgen::Builder from {shown}/*.yaml in a build script: change a spec and rebuild.\n"
        );
        let text = crate::emit::render_included(tokens, &header).map_err(|e| {
            fail(format!(
                "internal error: the generated code does not parse: {e}"
            ))
        })?;
        let path = out_dir.join(self.file_name.as_deref().unwrap_or(DEFAULT_FILE));
        write_if_changed(&path, &text).map_err(fail)?;
        Ok(path)
    }
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}
