//! Fingerprints the generator itself: everything that shapes the generated files (the
//! emitter's source, the templates, the locked dependency versions). `topgen check` trusts a
//! generated file without re-rendering it only when it was stamped by this same generator.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Dependencies whose version can change the generated text.
const OUTPUT_SHAPING: &[&str] = &[
    "askama",
    "heck",
    "prettyplease",
    "proc-macro2",
    "quote",
    "schemars",
    "serde_json",
    "syn",
];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let inputs = [
        manifest.join("src"),
        manifest.join("templates"),
        manifest.join("Cargo.toml"),
        manifest.join("askama.toml"),
    ];
    let mut files = Vec::new();
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
        if input.is_dir() {
            files_under(input, &mut files);
        } else if input.exists() {
            files.push(input.clone());
        }
    }
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&manifest)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            (rel, p)
        })
        .collect();
    named.sort();
    let mut hasher = Sha256::new();
    for (rel, path) in named {
        // Line ends normalised: a checkout with CRLF must fingerprint the same.
        let text = fs::read(&path).unwrap_or_default();
        let text: Vec<u8> = text.into_iter().filter(|b| *b != b'\r').collect();
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(&text);
    }
    // The versions of the crates that shape the output text, not the whole lock file: an
    // unrelated `cargo update` must not make every generated file look stale. Only the
    // versions topgen itself links: another package may pull in a second major version of
    // one of these (criterion brings syn 2 through zerocopy-derive), which shapes nothing.
    // A packaged topgen carries its own lock file (it has a binary); in the repository the
    // lock is the workspace's.
    let own = manifest.join("Cargo.lock");
    let lock = if own.is_file() {
        own
    } else {
        manifest.join("../Cargo.lock")
    };
    println!("cargo:rerun-if-changed={}", lock.display());
    let lock = fs::read_to_string(lock).unwrap_or_default();
    let field = |package: &str, key: &str| {
        package.lines().find_map(|l| {
            l.strip_prefix(key)
                .map(|v| v.trim().trim_matches('"').to_owned())
        })
    };
    // topgen's own entry lists its dependencies as `name`, or `name version` when the lock
    // holds several versions of that name.
    let linked: Option<Vec<(String, Option<String>)>> = lock
        .split("[[package]]")
        .find(|p| field(p, "name = ").as_deref() == Some("topgen"))
        .map(|p| {
            p.lines()
                .skip_while(|l| !l.starts_with("dependencies = ["))
                .skip(1)
                .take_while(|l| !l.starts_with(']'))
                .map(|l| {
                    let mut parts = l.trim().trim_end_matches(',').trim_matches('"').split(' ');
                    let name = parts.next().unwrap_or_default().to_owned();
                    (name, parts.next().map(str::to_owned))
                })
                .collect()
        });
    for package in lock.split("[[package]]") {
        if let (Some(name), Some(version)) =
            (field(package, "name = "), field(package, "version = "))
            && OUTPUT_SHAPING.contains(&name.as_str())
            && linked.as_ref().is_none_or(|deps| {
                deps.iter()
                    .any(|(n, v)| *n == name && v.as_ref().is_none_or(|v| *v == version))
            })
        {
            hasher.update(format!("{name}@{version}\n").as_bytes());
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=TOPGEN_GENERATOR_ID={hex}");
}
