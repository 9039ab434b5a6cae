//! The `topgen import` command: reads inputs, validates each result, writes or prints it and
//! reports every note.

use super::{import, keep};
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
    /// The page file, or `-` for standard input.
    pub page: String,
    /// Write `<dir>/<method>.yaml` instead of printing the spec.
    pub out: Option<std::path::PathBuf>,
    /// Overwrite an existing spec (keeping its Rust names unless `keep_names_from` is given).
    pub force: bool,
    /// Carry `rust_name`/`enum_name`/variant names over from this spec.
    pub keep_names_from: Option<std::path::PathBuf>,
}

/// `topgen import`: reads the page, reports every note on stderr, prints or writes the spec.
/// Returns the exit status: 0 written, 1 a required part missing or the result invalid.
pub fn run(options: &Options) -> Result<u8, String> {
    use std::io::Read as _;
    let (shown, text) = if options.page == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let bytes = std::fs::read(&options.page)
            .map_err(|e| format!("error: cannot read {}: {e}", options.page))?;
        (options.page.clone(), bytes)
    };
    let text = String::from_utf8_lossy(&text);
    let mut imported = import(&text);
    for note in &imported.notes {
        eprintln!("{}", note.render(&shown));
    }
    let Some(spec) = imported.spec.as_mut() else {
        eprintln!("error: {shown}: no spec written (see the errors above)");
        return Ok(1);
    };
    let method = spec.method.value.clone();
    let target = options
        .out
        .as_ref()
        .map(|dir| dir.join(format!("{method}.yaml")));
    let mut names_from = options.keep_names_from.clone();
    if let Some(target) = &target
        && target.exists()
    {
        if !options.force {
            eprintln!(
                "error: {} exists; pass --force to replace it (its Rust names are kept)",
                target.display()
            );
            return Ok(1);
        }
        names_from.get_or_insert_with(|| target.clone());
    }
    if let Some(from) = &names_from {
        let shown_from = from.display().to_string();
        let text = std::fs::read_to_string(from)
            .map_err(|e| format!("error: cannot read {shown_from}: {e}"))?;
        let existing = read_spec(&shown_from, text).map_err(|diags| {
            let shown: Vec<String> = diags.iter().map(|d| d.render()).collect();
            format!(
                "{}\nerror: cannot take names from {shown_from}",
                shown.join("\n")
            )
        })?;
        let carried = keep::keep_names(spec, &mut imported.comments, &existing);
        eprintln!("kept {carried} Rust name(s) from {shown_from}");
    }
    let Some(yaml) = imported.yaml() else {
        return Ok(1);
    };
    // The importer's own output must pass the same checks as a hand-written spec.
    if let Err(diags) = crate::load::load_str(&format!("specs/{method}.yaml"), yaml.clone()) {
        for d in &diags {
            eprintln!("{}", d.render());
        }
        eprintln!(
            "error: the imported spec does not validate (a bug in import, or a page it misread); not written"
        );
        return Ok(1);
    }
    match target {
        Some(target) => {
            std::fs::write(&target, &yaml)
                .map_err(|e| format!("error: cannot write {}: {e}", target.display()))?;
            eprintln!("wrote {}", target.display());
        }
        None => print!("{yaml}"),
    }
    Ok(0)
}
