//! The vendored catalogue (`catalogue/top-docs`): every doc imports, validates and generates;
//! `topgen add` brings one API into a repository; `topgen sample` picks a covering sample.

mod common;
use common::{stderr, topgen};

use std::fs;
use std::path::{Path, PathBuf};

use topgen::import::command;

fn catalogue() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalogue/top-docs")
}

/// The docs that contradict themselves (two parameters of one name at one level): the only
/// docs that may fail, each with a located error.
const SELF_CONTRADICTING: &[&str] = &[
    "alsc/alibaba_alsc_crm_card_bindcustomer.json",
    "nazca/alibaba_infodept_lassen_casestatistics_get.json",
    "qimen/taobao_qimen_inventory_report.json",
    "shop/alibaba_interact_sensor_clipbroad.json",
];

#[test]
fn every_vendored_doc_imports_validates_and_generates() {
    let (summary, reports) = command::import_dir(&catalogue()).expect("reads the catalogue");
    assert_eq!(summary.docs, 5312, "{}", summary.line());
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| r.failed)
        .map(|r| {
            let path = Path::new(&r.shown);
            let category = path.parent().and_then(Path::file_name).unwrap_or_default();
            let file = path.file_name().unwrap_or_default();
            format!("{}/{}", category.to_string_lossy(), file.to_string_lossy())
        })
        .collect();
    assert_eq!(failed, SELF_CONTRADICTING, "{}", summary.line());
    for report in reports.iter().filter(|r| r.failed) {
        let located = report.lines.iter().any(|l| {
            l.contains(".json:/") && l.contains(": error: ") && l.contains("contradicts itself")
        });
        assert!(located, "{:#?}", report.lines);
    }

    // Every imported spec, as a specs directory: valid together (no two share a module or
    // type name), and the whole crate renders.
    let dir = tempfile::tempdir().expect("temp dir");
    for report in reports.iter().filter(|r| !r.failed) {
        let method = report.method.as_deref().expect("a method");
        let yaml = report.yaml.as_deref().expect("a validated spec");
        fs::write(dir.path().join(format!("{method}.yaml")), yaml).expect("write");
    }
    let apis = topgen::load::load_dir(dir.path()).expect("every imported spec validates");
    assert_eq!(apis.len(), 5308);
    let rendered = topgen::output::render(&apis).expect("every API generates");
    // A module and a protocol-test file per API, and the crate's five shared files.
    assert_eq!(rendered.crate_files.len(), 2 * apis.len() + 5);

    // The `fields` helper: of the APIs with a `fields` parameter, those whose response has
    // one struct get the names; `all_fields()` where all of them keep to the doc's limit.
    let with_param = apis
        .iter()
        .filter(|api| api.request.fields.iter().any(|f| f.wire_name == "fields"))
        .count();
    let modules = |needle: &str| {
        rendered
            .crate_files
            .iter()
            .filter(|(path, text)| path.starts_with("src/") && text.contains(needle))
            .count()
    };
    assert_eq!(
        (
            with_param,
            modules("pub const RESPONSE_FIELDS"),
            modules("pub fn all_fields(")
        ),
        (92, 91, 89)
    );
}

#[test]
fn add_imports_an_api_and_regenerates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("specs")).expect("mkdir");
    let catalogue = catalogue();
    let catalogue = catalogue.to_str().expect("a UTF-8 path");
    let add = |args: &[&str]| {
        let mut all = vec!["add", "--catalogue", catalogue];
        all.extend_from_slice(args);
        topgen(root, &all)
    };

    let out = add(&["taobao.picture.upload"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let spec = root.join("specs/taobao.picture.upload.yaml");
    let text = fs::read_to_string(&spec).expect("the spec is written");
    assert!(text.contains("method: taobao.picture.upload\n"), "{text}");
    assert!(text.contains("type: File\n"), "{text}");
    let module = fs::read_to_string(root.join("generated/src/taobao_picture_upload.rs"))
        .expect("the crate is regenerated");
    assert!(module.contains("::top_runtime::FileItem"), "{module}");
    assert_eq!(topgen(root, &["check"]).status.code(), Some(0));

    // An existing spec is never replaced without --force; with it, its Rust names stay.
    let renamed = text.replace(
        "  - name: img\n",
        "  - name: img\n    rust_name: image_bytes\n",
    );
    assert_ne!(renamed, text, "the upload parameter is `img`");
    fs::write(&spec, &renamed).expect("edit");
    let out = add(&["taobao.picture.upload"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exists; pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&spec).expect("kept"), renamed);
    let out = add(&["taobao.picture.upload", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let replaced = fs::read_to_string(&spec).expect("replaced");
    assert!(replaced.contains("rust_name: image_bytes"), "{replaced}");

    // An unknown method: suggestions, and nothing written.
    let out = add(&["taobao.pictur.upload", "taobao.item.get"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`taobao.pictur.upload` is not in the catalogue")
            && err.contains("did you mean `taobao.picture.upload`"),
        "{err}"
    );
    assert!(!root.join("specs/taobao.item.get.yaml").exists());
}

#[test]
fn the_sample_covers_every_category_and_doc_type() {
    let (_, reports) = command::import_dir(&catalogue()).expect("reads the catalogue");
    let imported: Vec<&command::DocReport> = reports.iter().filter(|r| !r.failed).collect();
    let sample = topgen::catalogue::select(&imported);
    let categories = |reports: &[&command::DocReport]| {
        let mut c: Vec<String> = reports
            .iter()
            .filter_map(|r| {
                Path::new(&r.shown)
                    .parent()
                    .map(|p| p.display().to_string())
            })
            .collect();
        c.sort();
        c.dedup();
        c
    };
    assert_eq!(categories(&sample), categories(&imported));
    let yaml: String = sample.iter().filter_map(|r| r.yaml.clone()).collect();
    for ty in [
        "File",
        "Price",
        "BigDecimal",
        "Json",
        "Json[]",
        "Map",
        "Date",
        "Number[]",
    ] {
        assert!(
            yaml.contains(&format!("type: {ty}\n")),
            "no {ty} in the sample"
        );
    }
    for key in [
        "max_length:",
        "max_items:",
        "min_value:",
        "max_value:",
        "values:",
    ] {
        assert!(yaml.contains(key), "no {key} in the sample");
    }
    assert!(
        sample
            .iter()
            .any(|r| r.method.as_deref().is_some_and(|m| m.contains('-')))
    );
    // `all_fields()` of a text and of a list parameter, each alone building its request, so
    // that their protocol tests check the names sent.
    let mut helpers: Vec<String> = sample
        .iter()
        .filter_map(|r| {
            let method = r.method.as_deref()?;
            let yaml = r.yaml.clone()?;
            let (api, _) = topgen::load::load_str(&format!("specs/{method}.yaml"), yaml).ok()?;
            let fields = topgen::emit::fields_param::of(&api)?;
            (fields.all_fields() && fields.alone()).then(|| format!("{:?}", fields.param.ty))
        })
        .collect();
    helpers.sort();
    helpers.dedup();
    assert_eq!(helpers, ["List(Scalar(String))", "Scalar(String)"]);
    // Deterministic: the same docs give the same sample.
    let again = topgen::catalogue::select(&imported);
    let methods =
        |s: &[&command::DocReport]| s.iter().map(|r| r.method.clone()).collect::<Vec<_>>();
    assert_eq!(methods(&sample), methods(&again));
}
