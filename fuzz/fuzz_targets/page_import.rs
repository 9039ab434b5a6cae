//! `topgen import` of a doc page's text, on any bytes.
//!
//! Invariants: nothing panics; every note renders; a spec that import produces is written as
//! YAML that reads back (the YAML writer must quote whatever the page held).
#![no_main]

use libfuzzer_sys::fuzz_target;
use topgen::diag::SourceFile;

fuzz_target!(|data: &[u8]| {
    // The command reads pages with `from_utf8_lossy` too.
    let text = String::from_utf8_lossy(data);
    let imported = topgen::import::import(&text);
    for note in &imported.notes {
        let _ = note.render("page.txt");
    }
    if let Some(yaml) = imported.yaml() {
        let file = SourceFile::new("specs/imported.yaml", yaml.clone());
        if let Err(d) = topgen::yaml::parse(&file) {
            panic!(
                "import wrote YAML that does not read back: {}\n{yaml}",
                d.message
            );
        }
    }
});
