//! Spec text → YAML → model → resolve → emit, and the linter, on any bytes.
//!
//! Invariants: nothing panics; an invalid spec gives at least one diagnostic, and every
//! diagnostic renders; a valid spec renders to Rust that parses (an "internal error" from
//! `output::render` is a generator bug, so it fails the run).
#![no_main]

use libfuzzer_sys::fuzz_target;
use topgen::diag::SourceFile;
use topgen::{lint, load, output, parse, yaml};

fuzz_target!(|data: &[u8]| {
    // `load_dir` refuses non-UTF-8 files before parsing; lossy text reaches the parser with
    // the most structure left.
    let text = String::from_utf8_lossy(data).into_owned();
    // resolve insists that a spec be named after its method; naming the file after the
    // method the input states lets resolve and emit run instead of stopping at that check.
    let file = SourceFile::new("specs/fuzz.yaml", text.clone());
    let method = yaml::parse(&file)
        .ok()
        .and_then(|root| parse::spec(&root, &mut Vec::new()))
        .map(|spec| spec.method.value)
        .filter(|m| topgen::names::is_valid_method(m))
        .unwrap_or_else(|| "fuzz.input".to_owned());
    let path = format!("specs/{method}.yaml");
    match load::load_str(&path, text.clone()) {
        Ok((api, _)) => {
            if let Err(e) = output::render(&[api]) {
                panic!("a valid spec does not render: {e}");
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "an invalid spec without a diagnostic");
            for d in &diags {
                let _ = d.render();
            }
        }
    }
    match lint::lint(&path, text) {
        Ok(warnings) | Err(warnings) => {
            for d in &warnings {
                let _ = d.render();
            }
        }
    }
});
