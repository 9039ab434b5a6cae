//! The runtime's modules import each other one way only: no module reaches, through any
//! chain of `crate::` paths, back to itself. Read from the sources (outside `#[cfg(test)]`
//! modules and comments), so a new cycle fails here rather than in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module each `crate::` path starts in: a module name, or an item the crate root
/// re-exports from one (`crate::FileItem` is `file`).
fn resolve(
    first: &str,
    modules: &BTreeSet<String>,
    root: &BTreeMap<String, String>,
) -> Option<String> {
    if modules.contains(first) {
        Some(first.to_owned())
    } else {
        root.get(first).cloned()
    }
}

/// The code of a module without its test module and comment lines.
fn code_of(text: &str) -> String {
    let code = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every `crate::` path in `code` (each name of a `crate::{a, b}` group).
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                if !name.is_empty() {
                    out.push(name.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// The root's `pub use module::{A, B};` re-exports: item → module.
fn root_exports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        if module == "crate" {
            continue;
        }
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let item = item.trim();
            if !item.is_empty() {
                out.insert(item.to_owned(), module.to_owned());
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if path.extension().is_some_and(|e| e == "rs") && name != "lib" {
            texts.insert(
                name,
                std::fs::read_to_string(&path).expect("a module is readable"),
            );
        }
    }
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let root = root_exports(&lib);
    texts
        .iter()
        .map(|(name, text)| {
            let uses = crate_paths(&code_of(text))
                .iter()
                .filter_map(|first| resolve(first, &modules, &root))
                .filter(|used| used != name)
                .collect();
            (name.clone(), uses)
        })
        .collect()
}

/// A chain of imports from `from` back to `from`, if there is one.
fn cycle_through(from: &str, graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(chain) = stack.pop() {
        let last = chain.last().cloned().unwrap_or_default();
        for next in graph.get(&last).into_iter().flatten() {
            if next == from {
                let mut cycle = chain.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = chain.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn modules_import_each_other_one_way() {
    let graph = graph();
    assert!(graph.len() > 20, "the modules were found: {graph:?}");
    // The reader sees real edges (a check that cannot see any would pass vacuously).
    assert!(graph["client"].contains("retry"), "{graph:?}");
    assert!(graph["retry"].contains("call_error"), "{graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|module| cycle_through(module, &graph))
        .map(|cycle| cycle.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

/// The layers `lib.rs` lists, lowest first: the comment lines after "The layering reads
/// one way".
fn documented_layers() -> Vec<Vec<String>> {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs is readable");
    lib.lines()
        .skip_while(|line| !line.contains("The layering reads one way"))
        .skip(2)
        .map_while(|line| line.strip_prefix("//   "))
        .map(|line| line.split(',').map(|m| m.trim().to_owned()).collect())
        .collect()
}

#[test]
fn every_import_goes_to_a_lower_layer_as_lib_rs_lists_them() {
    let graph = graph();
    let layers = documented_layers();
    let layer_of = |module: &str| layers.iter().position(|l| l.iter().any(|m| m == module));
    let mut wrong = Vec::new();
    for (module, uses) in &graph {
        let Some(mine) = layer_of(module) else {
            wrong.push(format!("{module} is in no layer of lib.rs"));
            continue;
        };
        for used in uses {
            match layer_of(used) {
                Some(theirs) if theirs < mine => {}
                _ => wrong.push(format!(
                    "{module} (line {mine}) uses {used}, not on a line above"
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_reader_finds_a_cycle_when_there_is_one() {
    let mut graph = graph();
    graph
        .entry("view".into())
        .or_default()
        .insert("json_text".into());
    assert!(cycle_through("view", &graph).is_some());
}
