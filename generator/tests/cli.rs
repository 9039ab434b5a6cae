//! The `topgen` binary end to end, in a scratch copy of the repository's specs.

mod common;
use common::topgen;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const SPECS: &[(&str, &str)] = &[
    (
        "tmall.fin.car.open.bill.notify.yaml",
        include_str!("../../specs/tmall.fin.car.open.bill.notify.yaml"),
    ),
    (
        "qimen.tmall.car.lease.signstatus.synchronize.yaml",
        include_str!("../../specs/qimen.tmall.car.lease.signstatus.synchronize.yaml"),
    ),
    (
        "taobao.aliauto.risk.info.tmall.yc.service.sync.yaml",
        include_str!("../../specs/taobao.aliauto.risk.info.tmall.yc.service.sync.yaml"),
    ),
];

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let specs = dir.path().join("specs");
    fs::create_dir_all(&specs).expect("mkdir");
    for (name, body) in SPECS {
        fs::write(specs.join(name), body).expect("write spec");
    }
    let root = dir.path().to_path_buf();
    (dir, root)
}

#[test]
fn check_finds_every_kind_of_drift_and_generate_fixes_it() {
    let (_guard, root) = scratch();
    let gen_dir = root.join("generated");

    // Nothing generated yet: every file is missing.
    let out = topgen(&root, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("missing: generated/src/lib.rs"),
        "{}",
        text(&out)
    );
    // Without a topgen.toml, the command is the installed one.
    assert!(
        text(&out).contains("fix: topgen generate"),
        "{}",
        text(&out)
    );

    let out = topgen(&root, &["generate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A summary, not a line per file: thousands of APIs would bury it.
    assert!(!text(&out).contains("wrote "), "{}", text(&out));
    assert!(
        // The crate's 11 files, the spec schema and the message spec schema.
        text(&out).contains("3 API(s): 13 file(s) written"),
        "{}",
        text(&out)
    );
    let out = topgen(&root, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A hand edit of a generated file.
    let module = gen_dir.join("src/tmall_fin_car_open_bill_notify.rs");
    let original = fs::read_to_string(&module).expect("read");
    fs::write(
        &module,
        original.replace("pub biz_no: ::std::string::String", "pub biz_no: i64"),
    )
    .expect("edit");
    let out = topgen(&root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out);
    assert!(
        report.contains("-    pub biz_no: i64,")
            && report.contains("+    pub biz_no: ::std::string::String,"),
        "{report}"
    );
    assert!(
        report.contains("generated/src/tmall_fin_car_open_bill_notify.rs (on disk)"),
        "{report}"
    );

    // An extra file, and a deleted one.
    fs::write(gen_dir.join("src/stray.rs"), "// not generated\n").expect("write");
    fs::remove_file(gen_dir.join("README.md")).expect("rm");
    let out = topgen(&root, &["check"]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        report.contains("extra (no spec generates it): generated/src/stray.rs"),
        "{report}"
    );
    assert!(report.contains("missing: generated/README.md"), "{report}");
    assert!(
        report.contains("(1 changed, 1 missing, 1 extra)"),
        "{report}"
    );

    // generate repairs all three, and only rewrites what differs; --verbose lists them.
    let out = topgen(&root, &["generate", "--verbose"]);
    assert!(
        text(&out).contains("3 file(s) written") || text(&out).contains("2 file(s) written"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("deleted generated/src/stray.rs"),
        "{}",
        text(&out)
    );
    assert_eq!(fs::read_to_string(&module).expect("read"), original);
    assert_eq!(topgen(&root, &["check"]).status.code(), Some(0));
}

#[test]
fn editing_or_removing_a_spec_is_caught_by_check() {
    let (_guard, root) = scratch();
    assert_eq!(topgen(&root, &["generate"]).status.code(), Some(0));

    let spec = root.join("specs/tmall.fin.car.open.bill.notify.yaml");
    let body = fs::read_to_string(&spec).expect("read");
    fs::write(
        &spec,
        body.replace(
            "max_length: 64\n        description: 最大长度:64,业务单据",
            "max_length: 65\n        description: 最大长度:64,业务单据",
        ),
    )
    .expect("edit");
    let out = topgen(&root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("Rules::REQUIRED.max_length(65)"),
        "{}",
        text(&out)
    );

    fs::remove_file(&spec).expect("rm");
    let out = topgen(&root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(
            "extra (no spec generates it): generated/src/tmall_fin_car_open_bill_notify.rs"
        ),
        "{}",
        text(&out)
    );
    assert_eq!(topgen(&root, &["generate"]).status.code(), Some(0));
    assert!(
        !root
            .join("generated/src/tmall_fin_car_open_bill_notify.rs")
            .exists()
    );
    assert!(
        !root
            .join("generated/tests/protocol/tmall_fin_car_open_bill_notify.rs")
            .exists()
    );
}

#[test]
fn invalid_specs_exit_1_with_located_errors_and_usage_errors_exit_2() {
    let (_guard, root) = scratch();
    fs::write(
        root.join("specs/taobao.bad.thing.yaml"),
        "method: taobao.bad.thing\nclient: top\nsession: none\nrequest:\n  - name: a\n    type: Strin\n    colour: red\n",
    )
    .expect("write");
    let out = topgen(&root, &["generate"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out);
    assert!(
        report.contains("--> specs/taobao.bad.thing.yaml:6:11"),
        "{report}"
    );
    assert!(report.contains("unknown type `Strin`"), "{report}");
    assert!(
        report.contains("--> specs/taobao.bad.thing.yaml:7:5"),
        "{report}"
    );
    assert!(report.contains("unknown key `colour`"), "{report}");
    assert!(report.contains('^'), "{report}");
    assert!(
        !root.join("generated").exists(),
        "nothing is written when specs are invalid"
    );

    assert_eq!(
        topgen(&root, &["generate", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(topgen(&root, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let out = topgen(Path::new(env!("CARGO_MANIFEST_DIR")), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(printed, include_str!("../../specs/spec.schema.json"));
    let schema: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let props = schema["properties"].as_object().expect("properties");
    let keys: Vec<&str> = props.keys().map(String::as_str).collect();
    let mut expected = topgen::parse::SPEC_KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "schema and parser accept the same keys");
}
