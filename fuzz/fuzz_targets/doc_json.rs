//! `topgen import` of doc JSON (the TOP doc site's `getDocument.json`), on any bytes.
//!
//! Invariants: nothing panics; every note renders; a spec that import produces is written as
//! YAML that reads back, and validates as the command requires before writing it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topgen::diag::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if !topgen::import::doc_json::is_doc_json(&text) {
        return;
    }
    let imported = topgen::import::doc_json::import(&text, Some("类目"));
    for note in &imported.notes {
        let _ = note.render("doc.json");
    }
    if let (Some(yaml), Some(spec)) = (imported.yaml(), imported.spec.as_ref()) {
        let file = SourceFile::new("specs/imported.yaml", yaml.clone());
        if let Err(d) = topgen::yaml::parse(&file) {
            panic!(
                "import wrote YAML that does not read back: {}\n{yaml}",
                d.message
            );
        }
        // What the command validates before writing: may fail, never panic.
        let path = format!("specs/{}.yaml", spec.method.value);
        let _ = topgen::load::load_str(&path, yaml);
    }
});
