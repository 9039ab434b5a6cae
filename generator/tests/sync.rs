//! The checked-in `generated/` crate and `specs/spec.schema.json` must be exactly what the
//! specs generate (rust-analyzer's codegen-test idea): this fails with a diff when they are
//! stale, so `cargo test` catches a spec edited without regenerating, or a hand edit.

use std::path::Path;

use topgen::config::Config;
use topgen::output;

#[test]
fn generated_crate_is_in_sync_with_specs() {
    // The repository describes itself with a topgen.toml, as a user's project does.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = Config::load(&root.join("topgen.toml")).unwrap_or_else(|e| panic!("{e}"));
    let layout = config.layout().unwrap_or_else(|e| panic!("{e}"));
    let apis = match topgen::load::load_dir(&layout.specs) {
        Ok(apis) => apis,
        Err(e) => panic!("the specs are invalid:\n{e}"),
    };
    let messages = match topgen::load::load_messages(&layout.specs) {
        Ok(messages) => messages,
        Err(e) => panic!("the message specs are invalid:\n{e}"),
    };
    let rendered = output::render_with(
        &apis,
        &messages,
        &layout.settings,
        &topgen::progress::Progress::hidden(),
    )
    .expect("renders");
    let drift = output::check(&layout, &rendered).expect("reads generated/");
    if !drift.is_clean() {
        let mut report = String::new();
        for (_, diff) in &drift.changed {
            report.push_str(diff);
        }
        for path in &drift.missing {
            report.push_str(&format!("missing: {path}\n"));
        }
        for path in &drift.extra {
            report.push_str(&format!("extra: {path}\n"));
        }
        panic!("generated files are stale; run `cargo run -p topgen -- generate`\n{report}");
    }
}
