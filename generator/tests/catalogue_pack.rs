//! The catalogue compiled into topgen (`generator/catalogue/top-docs.pack`) must hold exactly
//! the vendored `catalogue/top-docs` (rust-analyzer's codegen-test idea): when it does not,
//! this test writes the fresh pack and fails, so that a second run (and CI) passes with it
//! committed.

use std::path::Path;

use topgen::catalogue::{Catalogue, pack};

#[test]
fn the_built_in_catalogue_is_the_vendored_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vendored = pack::read_dir(&root.join("../catalogue/top-docs")).expect("reads catalogue/");
    assert!(vendored.len() > 3000, "{} files", vendored.len());
    let built_in = Catalogue::built_in().map(|c| c.files().to_vec());
    if built_in.as_ref().ok() == Some(&vendored) {
        return;
    }
    let target = root.join("catalogue/top-docs.pack");
    std::fs::write(&target, pack::pack(&vendored)).expect("writes the pack");
    let problem = match built_in {
        Err(e) => e,
        Ok(files) => {
            let differ = files
                .iter()
                .zip(&vendored)
                .find(|(a, b)| a != b)
                .map_or_else(
                    || {
                        format!(
                            "{} files built in, {} vendored",
                            files.len(),
                            vendored.len()
                        )
                    },
                    |(a, b)| format!("first difference: {} / {}", a.path, b.path),
                );
            format!("the pack is stale ({differ})")
        }
    };
    panic!(
        "{problem}; wrote a fresh {}: rebuild (cargo test again) and commit it",
        target.display()
    );
}

#[test]
fn the_built_in_catalogue_names_its_docs_and_categories() {
    let catalogue = Catalogue::built_in().expect("the pack reads");
    let sources = catalogue.sources();
    assert!(sources.iter().all(|s| s.shown.starts_with("catalogue:")));
    assert!(sources.iter().all(|s| !s.shown.ends_with("/catelog.json")));
    let index = catalogue.index();
    let picture = index
        .iter()
        .find(|e| e.method == "taobao.picture.upload")
        .expect("a known API");
    assert!(picture.source.category.is_some(), "{:?}", picture.source);
}
