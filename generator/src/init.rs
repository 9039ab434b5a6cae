//! `topgen init <DIR>`: a topgen project in a team's own repository — `DIR/topgen.toml`, the
//! specs directory and a generated crate that builds with no API yet, joining the enclosing
//! Cargo workspace the way `cargo new` does. Nothing that exists is overwritten.

use std::path::{Path, PathBuf};

use crate::config::{self, Config, RuntimeSource};
use crate::output;
use crate::settings::package_name_problem;

/// Options of `topgen init`.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The project's (and the crate's) directory, created when missing.
    pub dir: PathBuf,
    /// The crate's package name; default: the directory's name.
    pub name: Option<String>,
    /// How the crate depends on `top-runtime`; a relative path is from the working directory.
    pub runtime: RuntimeSource,
}

/// The Cargo workspace a new crate joins.
#[derive(Debug)]
struct Workspace {
    manifest: PathBuf,
    /// The crate's directory relative to the workspace root, `/`-separated.
    member: String,
    doc: toml_edit::DocumentMut,
    already: bool,
}

/// `topgen init`. Returns the exit status.
pub fn run(options: &InitOptions) -> Result<u8, String> {
    let dir = &options.dir;
    for existing in [config::FILE_NAME, "Cargo.toml"] {
        let path = dir.join(existing);
        if path.exists() {
            return Err(format!(
                "error: {} exists; topgen init overwrites nothing (edit it, or init another directory)",
                path.display()
            ));
        }
    }
    let absolute = std::path::absolute(dir)
        .map(|p| config::normalize(&p))
        .map_err(|e| format!("error: cannot resolve {}: {e}", dir.display()))?;
    let name = match &options.name {
        Some(name) => name.clone(),
        None => absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if let Some(problem) = package_name_problem(&name) {
        return Err(format!(
            "error: {problem}\nhelp: pass `--name <CRATE>` to choose the package name"
        ));
    }
    let runtime = match &options.runtime {
        RuntimeSource::Path(path) => RuntimeSource::Path(runtime_path(path, &absolute)?),
        other => other.clone(),
    };
    // Everything that can fail without writing is checked before anything is written.
    let workspace = enclosing_workspace(&absolute)?;

    std::fs::create_dir_all(dir)
        .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    let config = Config {
        file: Some(dir.join(config::FILE_NAME)),
        root: dir.clone(),
        name: name.clone(),
        specs: PathBuf::from("specs"),
        out: PathBuf::from("."),
        schema: None,
        topgen: "topgen".to_owned(),
        runtime,
    };
    write_new(&dir.join(config::FILE_NAME), &config.to_toml())?;
    let layout = config.layout()?;
    std::fs::create_dir_all(&layout.specs)
        .map_err(|e| format!("error: cannot create {}: {e}", layout.specs.display()))?;
    let apis = crate::load::load_dir(&layout.specs).map_err(|e| e.to_string())?;
    output::regenerate(&apis, &[], &layout, false)?;
    eprintln!(
        "created the topgen project `{name}` in {}: topgen.toml, specs/, and the crate",
        dir.display()
    );
    match workspace {
        Some(ws) if ws.already => eprintln!(
            "the crate is already a member of the workspace {}",
            ws.manifest.display()
        ),
        Some(ws) => {
            join(ws)?;
        }
        None => eprintln!("no enclosing Cargo workspace: the crate is its own workspace root"),
    }
    eprintln!(
        "next: cd {} && topgen add <method>   (`topgen search <words>` finds one in the catalogue)",
        dir.display()
    );
    Ok(0)
}

/// The runtime path as `topgen.toml` states it: relative to the project's directory when
/// given relative (to the working directory), absolute when given absolute. It must hold a
/// crate.
fn runtime_path(given: &Path, project: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(given)
        .map(|p| config::normalize(&p))
        .map_err(|e| format!("error: cannot resolve {}: {e}", given.display()))?;
    if !absolute.join("Cargo.toml").is_file() {
        return Err(format!(
            "error: --runtime-path {}: no Cargo.toml there (expected the top-runtime crate, e.g. a topgen clone's runtime/)",
            given.display()
        ));
    }
    Ok(if given.is_absolute() {
        absolute
    } else {
        config::relative(project, &absolute)
    })
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("error: cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// The nearest `Cargo.toml` with a `[workspace]` above `crate_dir` (as cargo looks for one),
/// with whether it already takes the crate in.
fn enclosing_workspace(crate_dir: &Path) -> Result<Option<Workspace>, String> {
    for root in crate_dir.ancestors().skip(1) {
        let manifest = root.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e| format!("error: cannot read {}: {e}", manifest.display()))?;
        let Some(workspace) = doc.get("workspace").and_then(toml_edit::Item::as_table) else {
            continue;
        };
        let member = config::slashed(&config::relative(root, crate_dir));
        let listed = |key: &str| {
            workspace
                .get(key)
                .and_then(toml_edit::Item::as_array)
                .is_some_and(|a| {
                    a.iter()
                        .filter_map(toml_edit::Value::as_str)
                        .any(|pattern| glob_matches(pattern, &member))
                })
        };
        if listed("exclude") {
            return Ok(None);
        }
        let already = listed("members");
        return Ok(Some(Workspace {
            manifest,
            member,
            doc,
            already,
        }));
    }
    Ok(None)
}

/// Adds the crate to the workspace's `members`, keeping the manifest's formatting.
fn join(mut ws: Workspace) -> Result<(), String> {
    let workspace = ws
        .doc
        .get_mut("workspace")
        .and_then(toml_edit::Item::as_table_mut)
        .ok_or_else(|| format!("error: {} lost its [workspace]", ws.manifest.display()))?;
    let members = workspace
        .entry("members")
        .or_insert_with(|| toml_edit::value(toml_edit::Array::new()));
    let Some(array) = members.as_array_mut() else {
        return Err(format!(
            "error: `workspace.members` in {} is not an array; add \"{}\" to it by hand",
            ws.manifest.display(),
            ws.member
        ));
    };
    // A multi-line list stays one: the new entry gets the last entry's indentation.
    let decor = array
        .iter()
        .last()
        .and_then(|last| last.decor().prefix().and_then(|p| p.as_str()))
        .filter(|prefix| prefix.contains('\n'))
        .map(str::to_owned);
    array.push(ws.member.as_str());
    if let (Some(prefix), Some(new)) = (decor, array.iter_mut().last()) {
        new.decor_mut().set_prefix(prefix);
    }
    std::fs::write(&ws.manifest, ws.doc.to_string())
        .map_err(|e| format!("error: cannot write {}: {e}", ws.manifest.display()))?;
    eprintln!(
        "added \"{}\" to the members of the workspace {}",
        ws.member,
        ws.manifest.display()
    );
    Ok(())
}

/// Whether a workspace `members`/`exclude` pattern takes `path`: component by component,
/// `*` matching any run of characters and `?` one, as cargo's globs do within a component.
fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern
        .trim_end_matches('/')
        .split('/')
        .filter(|p| *p != ".")
        .collect();
    let path: Vec<&str> = path.split('/').filter(|p| *p != ".").collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, c)| component_matches(p.as_bytes(), c.as_bytes()))
}

fn component_matches(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            component_matches(&pattern[1..], text)
                || (!text.is_empty() && component_matches(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => component_matches(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => component_matches(&pattern[1..], &text[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_per_component() {
        assert!(glob_matches("crates/*", "crates/shop"));
        assert!(glob_matches("shop", "shop"));
        assert!(glob_matches("./shop/", "shop"));
        assert!(glob_matches("cr?tes/s*p", "crates/shop"));
        assert!(!glob_matches("crates/*", "crates/a/b"));
        assert!(!glob_matches("crates/*", "other/shop"));
        assert!(!glob_matches("sho", "shop"));
    }
}
