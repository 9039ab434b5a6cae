//! The catalogue of real TOP API docs: the built-in one (`catalogue/top-docs`, packed into
//! topgen so that the installed binary needs no files beside it) or a directory given with
//! `--catalogue`; finding a method's doc, and `topgen add` (import into the specs directory
//! and regenerate). `topgen sample` is in [`mod@sample`].

pub mod browse;
pub mod doc;
pub mod pack;
pub mod sample;
pub mod search;

pub use sample::{SampleOptions, pick, sample, select};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::import::command::{self, CATEGORY_FILE, Source};
use crate::output::{self, Layout};

/// The built-in catalogue: `catalogue/top-docs` of the topgen repository, packed.
static BUILT_IN: &[u8] = include_bytes!("../../catalogue/top-docs.pack");

/// How reports name a doc of the built-in catalogue: `catalogue:<category>/<file>.json`.
const BUILT_IN_PREFIX: &str = "catalogue:";

/// A catalogue's files, with how messages name it.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// `the built-in catalogue`, or the directory.
    pub name: String,
    /// The directory, for a catalogue read from disk.
    dir: Option<PathBuf>,
    files: Vec<pack::File>,
}

/// One API doc of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The method the doc documents.
    pub method: String,
    /// The doc, ready to import.
    pub source: Source,
}

impl Catalogue {
    /// The catalogue compiled into topgen.
    pub fn built_in() -> Result<Self, String> {
        let files = pack::unpack(BUILT_IN).map_err(|e| format!("internal error: {e}"))?;
        Ok(Self {
            name: "the built-in catalogue".to_owned(),
            dir: None,
            files,
        })
    }

    /// A catalogue directory: `<category>/<doc>.json` and a `catelog.json` per category.
    pub fn from_dir(dir: &Path) -> Result<Self, String> {
        if !dir.is_dir() {
            return Err(format!(
                "error: no catalogue at {} (a directory of TOP doc JSON, as catalogue/top-docs in topgen's repository; without --catalogue the built-in one is used)",
                dir.display()
            ));
        }
        let files = pack::read_dir(dir)
            .map_err(|e| format!("error: cannot read the catalogue {}: {e}", dir.display()))?;
        Ok(Self {
            name: dir.display().to_string(),
            dir: Some(dir.to_path_buf()),
            files,
        })
    }

    /// `--catalogue DIR` when given, else the built-in catalogue.
    pub fn open(dir: Option<&Path>) -> Result<Self, String> {
        match dir {
            Some(dir) => Self::from_dir(dir),
            None => Self::built_in(),
        }
    }

    /// Every file, docs and `catelog.json` files, in path order.
    pub fn files(&self) -> &[pack::File] {
        &self.files
    }

    /// How reports name the file at `rel`.
    fn shown(&self, rel: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(rel).display().to_string(),
            None => format!("{BUILT_IN_PREFIX}{rel}"),
        }
    }

    /// Every doc (all files but the `catelog.json` ones), in path order, with the category
    /// the nearest `catelog.json` names.
    pub fn sources(&self) -> Vec<Source> {
        let categories: BTreeMap<&str, Result<String, String>> = self
            .files
            .iter()
            .filter_map(|f| {
                let dir = f.path.strip_suffix(CATEGORY_FILE)?;
                (dir.is_empty() || dir.ends_with('/')).then(|| {
                    let found = command::category_name(&f.bytes, &self.shown(&f.path));
                    (dir, found)
                })
            })
            .collect();
        // The nearest directory's: `a/b/`, then `a/`, then the catalogue's root.
        let category_of = |path: &str| {
            let mut end = path.len();
            while let Some(cut) = path[..end].rfind('/') {
                if let Some(found) = categories.get(&path[..=cut]) {
                    return Some(found.clone());
                }
                end = cut;
            }
            categories.get("").cloned()
        };
        self.files
            .iter()
            .filter(|f| {
                !(f.path == CATEGORY_FILE || f.path.ends_with(&format!("/{CATEGORY_FILE}")))
            })
            .map(|f| {
                let (category, category_note) = match category_of(&f.path) {
                    Some(Ok(name)) => (Some(name), None),
                    Some(Err(note)) => (None, Some(note)),
                    None => (None, None),
                };
                Source {
                    path: self.dir.as_ref().map(|d| d.join(&f.path)),
                    content: Some(Arc::from(f.bytes.as_slice())),
                    shown: self.shown(&f.path),
                    category,
                    category_note,
                }
            })
            .collect()
    }

    /// Every doc with the method it names, in path order. A doc that does not parse has no
    /// method to find it by (`import` reports it).
    pub fn index(&self) -> Vec<Entry> {
        #[derive(serde::Deserialize)]
        struct Named {
            name: Option<String>,
            data: Option<Box<Named>>,
        }
        self.sources()
            .into_iter()
            .filter_map(|source| {
                let bytes = source.content.as_deref()?;
                let named = serde_json::from_slice::<Named>(bytes).ok()?;
                let method = named.data.and_then(|d| d.name).or(named.name)?;
                Some(Entry {
                    method: method.trim().to_owned(),
                    source,
                })
            })
            .collect()
    }
}

/// Up to three catalogue methods close to `wanted`: by edit distance, or containing it.
pub fn suggestions<'a>(wanted: &str, entries: &'a [Entry]) -> Vec<&'a str> {
    suggest(wanted, entries.iter().map(|e| e.method.as_str()))
}

/// Up to three of `methods` close to `wanted`: by edit distance, or containing it.
pub fn suggest<'a>(wanted: &str, methods: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = methods
        .into_iter()
        .filter_map(|method| {
            let distance = crate::parse::edit_distance(wanted, method);
            let close = distance <= 3.max(wanted.len() / 5);
            let contains = wanted.len() >= 4 && method.contains(wanted);
            (close || contains).then_some((if close { distance } else { 100 }, method))
        })
        .collect();
    scored.sort();
    scored.dedup_by_key(|(_, m)| *m);
    scored.into_iter().take(3).map(|(_, m)| m).collect()
}

/// Options of `topgen add`.
#[derive(Debug, Clone)]
pub struct AddOptions {
    /// The methods to add.
    pub methods: Vec<String>,
    /// A catalogue directory; `None` for the built-in catalogue.
    pub catalogue: Option<PathBuf>,
    /// Where specs and the generated crate live.
    pub layout: Layout,
    /// Replace existing specs (keeping their Rust names).
    pub force: bool,
    /// List every file written.
    pub verbose: bool,
}

/// `topgen add`: imports each method's doc into the specs directory (never over an existing
/// spec without `--force`, which keeps its Rust names), then regenerates the crate. An
/// unknown method stops everything before anything is written. Returns the exit status.
pub fn add(options: &AddOptions) -> Result<u8, String> {
    let catalogue = Catalogue::open(options.catalogue.as_deref())?;
    let entries = catalogue.index();
    let mut sources = Vec::new();
    let mut unknown = 0;
    for method in &options.methods {
        match entries.iter().find(|e| &e.method == method) {
            Some(entry) => sources.push(entry.source.clone()),
            None => {
                unknown += 1;
                let close = suggestions(method, &entries);
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", quoted(&close))
                };
                eprintln!(
                    "error: `{method}` is not in the catalogue ({}){hint}",
                    catalogue.name
                );
            }
        }
    }
    if unknown > 0 {
        eprintln!("error: nothing added");
        return Ok(1);
    }
    let status = command::run_sources(
        &sources,
        &crate::import::Options {
            inputs: Vec::new(),
            out: Some(options.layout.specs.clone()),
            force: options.force,
            keep_names_from: None,
            quiet: false,
            verbose: options.verbose,
        },
    )?;
    // Whatever was written, the crate follows the specs.
    let apis = crate::load::load_dir(&options.layout.specs).map_err(|e| e.to_string())?;
    let messages = crate::load::load_messages(&options.layout.specs).map_err(|e| e.to_string())?;
    output::regenerate(&apis, &messages, &options.layout, options.verbose)?;
    Ok(status)
}

/// `` `a`, `b` `` for a did-you-mean.
pub fn quoted(methods: &[&str]) -> String {
    let quoted: Vec<String> = methods.iter().map(|m| format!("`{m}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(method: &str) -> Entry {
        Entry {
            method: method.to_owned(),
            source: Source::default(),
        }
    }

    #[test]
    fn suggests_close_and_containing_methods() {
        let entries: Vec<Entry> = [
            "taobao.picture.upload",
            "taobao.product.img.upload",
            "taobao.item.get",
            "tmall.item.get",
        ]
        .into_iter()
        .map(entry)
        .collect();
        assert_eq!(
            suggestions("taobao.pictur.upload", &entries),
            ["taobao.picture.upload"]
        );
        assert_eq!(
            suggestions("item.get", &entries),
            ["taobao.item.get", "tmall.item.get"]
        );
        assert!(suggestions("zzz.yyy", &entries).is_empty());
    }
}
