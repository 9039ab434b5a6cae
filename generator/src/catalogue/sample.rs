//! `topgen sample`: a deterministic sample of the catalogue (or all of it), generated as a
//! crate outside the workspace, so that catalogue APIs cost nothing until a user adds them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::Catalogue;
use crate::import::command::{self, DocReport};
use crate::ir::{Scalar, Type};
use crate::output::{self, Layout};
use crate::progress::Progress;
use crate::settings::{CrateSettings, RuntimeDep};

/// Options of `topgen sample`.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// A catalogue directory; `None` for the built-in catalogue.
    pub catalogue: Option<PathBuf>,
    /// Where to write `specs/` and the crate `generated/`.
    pub out: PathBuf,
    /// Every doc, not a sample.
    pub all: bool,
    /// A fixed sample of this many docs, evenly spaced in path order (`--pick 100`): the
    /// same docs on every machine, for compile-cost benchmarks.
    pub pick: Option<usize>,
    /// Directories of hand-written specs to add to the sample.
    pub extra: Vec<PathBuf>,
    /// The `top-runtime` crate to depend on.
    pub runtime: PathBuf,
    /// A `Cargo.lock` to copy beside the crate, so that it builds with the workspace's
    /// dependency versions (and shares their build artifacts).
    pub lock: Option<PathBuf>,
    /// Split the APIs into this many crates (`OUT/part-01/`…), so that compiling thousands
    /// of APIs needs the memory of one part at a time; 1 (or 0) writes one crate in `OUT/`.
    pub split: usize,
}

/// `topgen sample`: imports the catalogue, picks the sample (or takes everything), writes the
/// specs to `OUT/specs/` and generates a standalone crate in `OUT/generated/`.
pub fn sample(options: &SampleOptions) -> Result<u8, String> {
    let catalogue = Catalogue::open(options.catalogue.as_deref())?;
    let (summary, reports) = command::import_all(&catalogue.sources());
    eprintln!("{}", summary.line());
    let imported: Vec<&DocReport> = reports
        .iter()
        .filter(|r| !r.failed && r.yaml.is_some() && r.method.is_some())
        .collect();
    let chosen = match (options.all, options.pick) {
        (true, _) => imported,
        (false, Some(n)) => pick(&imported, n),
        (false, None) => select(&imported),
    };
    let parts = options.split.max(1);
    if parts == 1 {
        write_crate(options, &options.out, &chosen, true)?;
    } else {
        let size = chosen.len().div_ceil(parts).max(1);
        for (i, chunk) in chosen.chunks(size).enumerate() {
            let out = options.out.join(format!("part-{:02}", i + 1));
            // Hand-written extras go in the first part only: one crate per spec.
            write_crate(options, &out, chunk, i == 0)?;
        }
    }
    Ok(0)
}

/// Writes `out/specs/` (the chosen specs, and the extras when `with_extras`) and generates the
/// standalone crate `out/generated/` from them.
fn write_crate(
    options: &SampleOptions,
    out: &Path,
    chosen: &[&DocReport],
    with_extras: bool,
) -> Result<(), String> {
    let specs = out.join("specs");
    std::fs::create_dir_all(&specs)
        .map_err(|e| format!("error: cannot create {}: {e}", specs.display()))?;
    clear_specs(&specs)?;
    for report in chosen {
        if let (Some(method), Some(yaml)) = (&report.method, &report.yaml) {
            write(&specs.join(format!("{method}.yaml")), yaml)?;
        }
    }
    let mut extras = 0;
    let extra_dirs: &[PathBuf] = if with_extras { &options.extra } else { &[] };
    for dir in extra_dirs {
        for name in crate::load::spec_file_names(dir)
            .map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?
        {
            let text = std::fs::read_to_string(dir.join(&name))
                .map_err(|e| format!("error: cannot read {name}: {e}"))?;
            write(&specs.join(&name), &text)?;
            extras += 1;
        }
    }
    let apis = crate::load::load_dir(&specs).map_err(|e| e.to_string())?;
    let runtime = std::fs::canonicalize(&options.runtime).map_err(|e| {
        format!(
            "error: no runtime crate at {}: {e}",
            options.runtime.display()
        )
    })?;
    let runtime = runtime.to_string_lossy().replace('\\', "/");
    let settings = CrateSettings {
        runtime: RuntimeDep::Path(runtime),
        own_workspace: true,
        ..CrateSettings::default()
    };
    let layout = Layout {
        specs: specs.clone(),
        out: out.join("generated"),
        schema: specs.join("spec.schema.json"),
        settings,
    };
    let progress = Progress::start(apis.len(), "rendering");
    let rendered = output::render_with(&apis, &[], &layout.settings, &progress)?;
    let report =
        output::write(&layout, &rendered).map_err(|e| format!("error: cannot write: {e}"))?;
    if let Some(lock) = &options.lock
        && lock.is_file()
    {
        std::fs::copy(lock, layout.out.join("Cargo.lock"))
            .map_err(|e| format!("error: cannot copy {}: {e}", lock.display()))?;
    }
    eprintln!(
        "sample: {} catalogue API(s) and {extras} extra spec(s) in {}; {} file(s) written, {} unchanged",
        chosen.len(),
        layout.out.display(),
        report.written.len(),
        report.unchanged
    );
    eprintln!(
        "build it: cargo test --manifest-path {}/Cargo.toml --target-dir target",
        layout.out.display()
    );
    Ok(())
}

/// What a sample must cover, each told by a line of the imported spec: every spec type the
/// catalogue uses, lists, every kind of limit, coded values, renamed structs.
const FEATURES: &[&str] = &[
    "type: File",
    "type: File[]",
    "type: Price",
    "type: BigDecimal",
    "type: BigDecimal[]",
    "type: Json",
    "type: Json[]",
    "type: Map",
    "type: Map[]",
    "type: Date",
    "type: Date[]",
    "type: Boolean",
    "type: String[]",
    "type: Number[]",
    "max_length:",
    "max_items:",
    "min_value:",
    "max_value:",
    "values:",
    "enum_name:",
    "rust_name:",
    "- name: Result",
];

/// The deterministic sample: the first doc (in path order) of every category, then for each
/// feature not yet covered the first doc that has it, then the `fields` helper of each
/// parameter type, then method names of every shape.
pub fn select<'a>(imported: &[&'a DocReport]) -> Vec<&'a DocReport> {
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    let mut categories: BTreeSet<String> = BTreeSet::new();
    for (i, report) in imported.iter().enumerate() {
        let category = Path::new(&report.shown)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if categories.insert(category) {
            chosen.insert(i);
        }
    }
    // `key:` features match any value; the others match a whole line.
    let has_line = |report: &DocReport, wanted: &str| {
        report.yaml.as_deref().is_some_and(|y| {
            y.lines().any(|l| {
                let l = l.trim();
                if wanted.ends_with(':') {
                    l.starts_with(wanted)
                } else {
                    l == wanted
                }
            })
        })
    };
    for feature in FEATURES {
        let covered = chosen.iter().any(|&i| has_line(imported[i], feature));
        if !covered && let Some(i) = imported.iter().position(|r| has_line(r, feature)) {
            chosen.insert(i);
        }
    }
    // The `fields` helper with each parameter type, preferably where `all_fields()` alone
    // builds a request: its protocol test then checks the value sent.
    let helpers: Vec<(usize, &str, bool)> = imported
        .iter()
        .enumerate()
        .filter_map(|(i, r)| fields_helper(r).map(|(kind, alone)| (i, kind, alone)))
        .collect();
    for kind in ["String", "String[]", "FieldList"] {
        let of_kind = || helpers.iter().filter(move |h| h.1 == kind);
        let covered = of_kind().any(|h| h.2 && chosen.contains(&h.0));
        let first = of_kind().find(|h| h.2).or_else(|| of_kind().next());
        if !covered && let Some(&(i, _, _)) = first {
            chosen.insert(i);
        }
    }
    let shapes: [fn(&str) -> bool; 3] = [
        |m| m.chars().any(|c| c.is_ascii_uppercase()),
        |m| m.contains('-'),
        |m| {
            m.split('.')
                .any(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        },
    ];
    for shape in shapes {
        let covered = chosen
            .iter()
            .any(|&i| imported[i].method.as_deref().is_some_and(shape));
        if !covered
            && let Some(i) = imported
                .iter()
                .position(|r| r.method.as_deref().is_some_and(shape))
        {
            chosen.insert(i);
        }
    }
    chosen.into_iter().map(|i| imported[i]).collect()
}

/// The parameter type of a doc's generated `all_fields()` helper, and whether it alone
/// builds the request (see `emit::fields_param`).
fn fields_helper(report: &DocReport) -> Option<(&'static str, bool)> {
    let yaml = report.yaml.as_deref()?;
    // Most docs have no such parameter: only these few are loaded.
    if !yaml.contains("name: fields\n") {
        return None;
    }
    let method = report.method.as_deref()?;
    let (api, _) = crate::load::load_str(&format!("specs/{method}.yaml"), yaml.to_owned()).ok()?;
    let fields = crate::emit::fields_param::of(&api)?;
    if !fields.all_fields() {
        return None;
    }
    let kind = match fields.param.ty {
        Type::Scalar(Scalar::String) => "String",
        Type::Scalar(Scalar::FieldList) => "FieldList",
        _ => "String[]",
    };
    Some((kind, fields.alone()))
}

/// `n` docs evenly spaced in path order: every k-th, k = total / n (all of them when there
/// are no more than `n`).
pub fn pick<'a>(imported: &[&'a DocReport], n: usize) -> Vec<&'a DocReport> {
    if n == 0 {
        return Vec::new();
    }
    let step = (imported.len() / n).max(1);
    imported.iter().step_by(step).take(n).copied().collect()
}

/// Removes the `*.yaml` a previous sample wrote, so that the sample is exactly the selection.
fn clear_specs(dir: &Path) -> Result<(), String> {
    for name in crate::load::spec_file_names(dir)
        .map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?
    {
        std::fs::remove_file(dir.join(&name))
            .map_err(|e| format!("error: cannot remove {name}: {e}"))?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}
