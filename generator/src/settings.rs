//! What the generated crate depends on besides the specs: its package name, how it reaches
//! `top-runtime`, and the command that regenerates it in its project. Every generated file's
//! stamp covers these, so that changing one makes `check` render again.

use sha2::{Digest, Sha256};

/// How the generated crate's `Cargo.toml` depends on `top-runtime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDep {
    /// A version requirement on the published crate, e.g. `0.1.0`.
    Version(String),
    /// A path, as written into `Cargo.toml` (relative to the crate's directory, or absolute).
    Path(String),
    /// A git repository holding the runtime, at a revision when one is given.
    Git { url: String, rev: Option<String> },
}

impl RuntimeDep {
    /// The version of this topgen: the runtime it was built with.
    pub fn matching_this_topgen() -> Self {
        RuntimeDep::Version(env!("CARGO_PKG_VERSION").to_owned())
    }

    /// The inline table's keys before `features`, as TOML: `version = "0.1.0"`, …
    pub fn toml_keys(&self) -> String {
        match self {
            RuntimeDep::Version(req) => format!("version = {}", toml_string(req)),
            RuntimeDep::Path(path) => format!("path = {}", toml_string(path)),
            RuntimeDep::Git { url, rev: None } => format!("git = {}", toml_string(url)),
            RuntimeDep::Git {
                url,
                rev: Some(rev),
            } => {
                format!("git = {}, rev = {}", toml_string(url), toml_string(rev))
            }
        }
    }
}

/// A TOML basic string. YAML's double-quoted escapes (`\"`, `\\`, `\n`, `\uXXXX` for the
/// rest that is not printable) are TOML's too, so the spec writer's quoting serves.
pub fn toml_string(text: &str) -> String {
    crate::yamlout::double_quoted(text)
}

/// The generated crate's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateSettings {
    /// The package name, e.g. `top-apis`.
    pub name: String,
    pub runtime: RuntimeDep,
    /// How topgen is run in this project, e.g. `topgen` or `cargo run -p topgen --`:
    /// generated headers tell the reader to run `<this> generate`.
    pub topgen: String,
    /// How generated files name the specs directory, relative to the project (`specs`).
    pub specs_shown: String,
    /// Whether the manifest declares its own (empty) `[workspace]`: for a crate generated
    /// inside another workspace's directory that must not join it (`topgen sample`).
    pub own_workspace: bool,
}

impl Default for CrateSettings {
    /// A project without `topgen.toml`: the crate `top-apis` from `specs/`, depending on the
    /// runtime version this topgen was built with.
    fn default() -> Self {
        Self {
            name: "top-apis".to_owned(),
            runtime: RuntimeDep::matching_this_topgen(),
            topgen: "topgen".to_owned(),
            specs_shown: "specs".to_owned(),
            own_workspace: false,
        }
    }
}

impl CrateSettings {
    /// The crate's name in Rust paths: `top-apis` → `top_apis`.
    pub fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The command that regenerates the crate: `topgen generate`.
    pub fn regenerate_command(&self) -> String {
        format!("{} generate", self.topgen)
    }

    /// The command that checks the crate is in sync: `topgen check`.
    pub fn check_command(&self) -> String {
        format!("{} check", self.topgen)
    }

    /// A hash of every setting, folded into each generated file's stamp.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.name.as_str(),
            &self.runtime.toml_keys(),
            &self.topgen,
            &self.specs_shown,
            if self.own_workspace { "own" } else { "member" },
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Why `name` is not a package name for a generated crate, if it is not: lowercase ASCII
/// letters, digits, `-` and `_`, starting with a letter (or `_`), and not a Rust keyword.
pub fn package_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a package name cannot be empty".to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "`{name}` is not a valid package name: `{c}` is not allowed (only ASCII letters, digits, `-` and `_`)"
        ));
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        // Cargo accepts it, but rustc warns on every build of a crate not named in snake case.
        return Some(format!(
            "`{name}` is not a valid package name here: use lowercase (`{}`), as Rust crate names are snake case",
            name.to_ascii_lowercase()
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return Some(format!(
            "`{name}` is not a valid package name: it must start with a letter or `_`"
        ));
    }
    let lib = name.replace('-', "_");
    if syn::parse_str::<syn::Ident>(&lib).is_err() || lib == "_" {
        return Some(format!(
            "`{name}` is not a valid package name: `{lib}` is a Rust keyword"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_follow_cargo() {
        assert_eq!(package_name_problem("shop-top"), None);
        assert_eq!(package_name_problem("top_apis2"), None);
        for bad in [
            "", "2top", "-x", "a.b", "my crate", "self", "fn", "_", "Top",
        ] {
            assert!(package_name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn every_setting_changes_the_fingerprint() {
        let base = CrateSettings::default();
        let variants = [
            CrateSettings {
                name: "other".into(),
                ..base.clone()
            },
            CrateSettings {
                runtime: RuntimeDep::Path("../runtime".into()),
                ..base.clone()
            },
            CrateSettings {
                topgen: "cargo run -p topgen --".into(),
                ..base.clone()
            },
            CrateSettings {
                specs_shown: "api-specs".into(),
                ..base.clone()
            },
            CrateSettings {
                own_workspace: true,
                ..base.clone()
            },
        ];
        for v in &variants {
            assert_ne!(v.fingerprint(), base.fingerprint(), "{v:?}");
        }
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(toml_string("x\u{1}"), "\"x\\u0001\"");
    }
}
