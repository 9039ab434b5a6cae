//! The authoring commands end to end: `import`, `new`, `diff`, `check --breaking`, `lint`.

mod common;
use common::{stderr, stdout, topgen, topgen_with_stdin};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SEEDS: &[&str] = &[
    "qimen.tmall.car.lease.signstatus.synchronize",
    "taobao.aliauto.risk.info.tmall.yc.service.sync",
    "tmall.fin.car.open.bill.notify",
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory with `specs/` holding the seed specs and `pages/` the test pages.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let specs = dir.path().join("specs");
    fs::create_dir_all(&specs).expect("mkdir");
    for method in SEEDS {
        let name = format!("{method}.yaml");
        fs::copy(manifest().join("../specs").join(&name), specs.join(&name)).expect("copy spec");
    }
    let pages = dir.path().join("pages");
    fs::create_dir_all(&pages).expect("mkdir");
    for entry in fs::read_dir(manifest().join("tests/pages")).expect("pages") {
        let entry = entry.expect("entry");
        fs::copy(entry.path(), pages.join(entry.file_name())).expect("copy page");
    }
    dir
}

#[test]
fn import_prints_writes_refuses_to_overwrite_and_keeps_names_with_force() {
    let dir = scratch();
    let root = dir.path();
    let page = "pages/tmall.fin.car.open.bill.notify.txt";

    // To stdout, and from stdin.
    let out = topgen(root, &["import", page]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(
        "# yaml-language-server: $schema=spec.schema.json\nmethod: tmall.fin.car.open.bill.notify\n"
    ));
    let page_bytes = fs::read(root.join(page)).expect("page");
    let piped = topgen_with_stdin(root, &["import", "-"], &page_bytes);
    assert_eq!(stdout(&piped), stdout(&out));

    // --out never replaces a spec without --force.
    let spec = root.join("specs/tmall.fin.car.open.bill.notify.yaml");
    let seed = fs::read_to_string(&spec).expect("seed");
    let out = topgen(root, &["import", page, "--out", "specs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exists; pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&spec).expect("spec"), seed);

    // --force replaces it, keeping the Rust names it chose: here the seed comes back.
    let out = topgen(root, &["import", page, "--out", "specs", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("kept 3 Rust name(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&spec).expect("spec"), seed);

    // A new API goes into specs/ and generates a valid crate with the others.
    let out = topgen(
        root,
        &[
            "import",
            "pages/taobao.demo.order.sync.txt",
            "--out",
            "specs",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("taobao.demo.order.sync.txt:154: warning: not placed: the error code row")
    );
    assert_eq!(topgen(root, &["validate"]).status.code(), Some(0));
    assert_eq!(topgen(root, &["generate"]).status.code(), Some(0));
}

#[test]
fn import_keep_names_from_and_failures() {
    let dir = scratch();
    let root = dir.path();
    let out = topgen(
        root,
        &[
            "import",
            "pages/qimen.tmall.car.lease.signstatus.synchronize.txt",
            "--keep-names-from",
            "specs/qimen.tmall.car.lease.signstatus.synchronize.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let yaml = stdout(&out);
    assert!(
        yaml.contains("rust_name: LeaseType") && yaml.contains("rust_name: Buyout"),
        "{yaml}"
    );
    assert!(!yaml.contains("TODO"), "{yaml}");

    let out = topgen(
        root,
        &["import", "pages/bad.missing_type.txt", "--out", "specs"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("pages/bad.missing_type.txt:8: error: the parameter `item_id` has no type"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert!(!root.join("specs/taobao.demo.broken.get.yaml").exists());

    assert_eq!(topgen(root, &["import"]).status.code(), Some(2));
    assert_eq!(
        topgen(root, &["import", "pages/nope.txt"]).status.code(),
        Some(1)
    );
}

#[test]
fn help_import_documents_the_naming_options() {
    let out = topgen(&manifest(), &["help", "import"]);
    let help = stdout(&out);
    for needle in ["--keep-names-from", "--force", "--out", "TODO", "Code0"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

#[test]
fn new_writes_a_valid_skeleton_once() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path();
    let out = topgen(root, &["new", "qimen.demo.thing.sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = root.join("specs/qimen.demo.thing.sync.yaml");
    let text = fs::read_to_string(&path).expect("written");
    assert!(text.starts_with("# yaml-language-server: $schema=spec.schema.json\n"));
    assert!(text.contains("client: qimen\n"), "{text}");
    assert_eq!(topgen(root, &["validate"]).status.code(), Some(0));

    fs::write(&path, "edited").expect("edit");
    let out = topgen(root, &["new", "qimen.demo.thing.sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"));
    assert_eq!(fs::read_to_string(&path).expect("kept"), "edited");

    assert_eq!(
        topgen(root, &["new", "Not.A.Method"]).status.code(),
        Some(2)
    );
}

/// The bill-notify seed, edited: one change of each kind.
fn edited_bill_notify(seed: &str) -> String {
    let edits = [
        ("session: none", "session: required"),
        (
            "max_length: 32\n        description: 最大长度:32,客户id",
            "max_length: 16\n        description: 最大长度:16,客户id",
        ),
        ("max_length: 1024", "max_length: 2048"),
        (
            "      - name: extend_info\n        type: String\n",
            "      - name: extend_info\n        type: String\n        required: true\n",
        ),
        (
            "      - name: retry\n        type: Boolean\n        example: \"false\"\n        description: 是否重试\n",
            "",
        ),
        ("rust_name: Success", "rust_name: Ok"),
        (
            "          - code: TMALL_CAR\n",
            "          - code: TMALL_CAR\n          - code: TMALL_NEW\n",
        ),
        (
            "      - name: biz_no\n        type: String\n        required: true\n        example: \"123\"\n        max_length: 64\n",
            "      - name: biz_no\n        type: Number\n        required: true\n        example: \"123\"\n        max_length: 19\n",
        ),
        ("    description: 结果\n", "    description: 结果对象\n"),
    ];
    let mut text = seed.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    text
}

#[test]
fn diff_classifies_each_change() {
    let dir = scratch();
    let root = dir.path();
    let seed =
        fs::read_to_string(root.join("specs/tmall.fin.car.open.bill.notify.yaml")).expect("seed");
    fs::write(root.join("new.yaml"), edited_bill_notify(&seed)).expect("write");
    let out = topgen(
        root,
        &[
            "diff",
            "specs/tmall.fin.car.open.bill.notify.yaml",
            "new.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    for line in [
        "breaking: session: session requirement raised from none to required",
        "breaking: request.bill_status_equest_top.customer_id: max_length tightened from 32 to 16",
        "compatible: request.bill_status_equest_top.customer_id: description changed",
        "breaking: request.bill_status_equest_top.biz_no: type changed from String to Number",
        "compatible: request.bill_status_equest_top.biz_type: coded value `TMALL_NEW` added",
        "breaking: request.bill_status_equest_top.extend_info: optional became required",
        "compatible: request.bill_status_equest_top.extend_info: max_length loosened from 1024 to 2048",
        "compatible: response.result: description changed",
        "breaking: response.result.retry: response field removed (or renamed)",
        "breaking: response.result.code: variant of `10000` renamed from `Success` to `Ok`",
    ] {
        assert!(report.contains(line), "missing `{line}` in:\n{report}");
    }

    // Compatible only: exit 0.
    let loosened = seed.replace("max_length: 1024", "max_length: 4096");
    fs::write(root.join("loose.yaml"), loosened).expect("write");
    let out = topgen(
        root,
        &[
            "diff",
            "specs/tmall.fin.car.open.bill.notify.yaml",
            "loose.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "compatible: request.bill_status_equest_top.extend_info: max_length loosened from 1024 to 4096\n"
    );

    // Coded value removed; a field renamed on the wire; a required field added.
    let qimen =
        fs::read_to_string(root.join("specs/qimen.tmall.car.lease.signstatus.synchronize.yaml"))
            .expect("seed");
    let edited = qimen
        .replace("          - code: \"3\"\n            rust_name: Renewal\n            description: 续租\n", "")
        .replace("name: cityId", "name: city_id")
        .replace(
            "  - name: districtId\n",
            "  - name: shopId\n    type: Number\n    required: true\n    example: 1\n    description: 门店\n  - name: districtId\n",
        );
    fs::write(root.join("q.yaml"), edited).expect("write");
    let out = topgen(
        root,
        &[
            "diff",
            "specs/qimen.tmall.car.lease.signstatus.synchronize.yaml",
            "q.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    for line in [
        "breaking: request.typeDTO.type: coded value `3` removed",
        "breaking: request.cityId: request field removed (or renamed)",
        "compatible: request.city_id: optional request field added",
        "breaking: request.shopId: required request field added",
    ] {
        assert!(report.contains(line), "missing `{line}` in:\n{report}");
    }

    // Identical specs: nothing to say.
    let out = topgen(
        root,
        &[
            "diff",
            "specs/tmall.fin.car.open.bill.notify.yaml",
            "specs/tmall.fin.car.open.bill.notify.yaml",
        ],
    );
    assert_eq!((out.status.code(), stdout(&out).as_str()), (Some(0), ""));
}

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_breaking_compares_with_a_git_revision() {
    let dir = scratch();
    let root = dir.path();
    git(root, &["init", "-q"]);
    git(
        root,
        &["-c", "user.name=t", "-c", "user.email=t@e", "add", "specs"],
    );
    git(
        root,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "seeds",
        ],
    );

    let out = topgen(root, &["check", "--breaking", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");

    // A compatible edit, a new API: still 0.
    let bill = root.join("specs/tmall.fin.car.open.bill.notify.yaml");
    let seed = fs::read_to_string(&bill).expect("seed");
    fs::write(&bill, seed.replace("max_length: 1024", "max_length: 2048")).expect("edit");
    let out = topgen(
        root,
        &["import", "pages/taobao.demo.tabs.txt", "--out", "specs"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = topgen(root, &["check", "--breaking", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report = stdout(&out);
    assert!(report.contains("tmall.fin.car.open.bill.notify: compatible: request.bill_status_equest_top.extend_info: max_length loosened from 1024 to 2048"), "{report}");
    assert!(
        report.contains("taobao.demo.tabs.get: compatible: api: new API"),
        "{report}"
    );

    // A tightened limit and a deleted API: breaking.
    fs::write(&bill, seed.replace("max_length: 1024", "max_length: 512")).expect("edit");
    fs::remove_file(root.join("specs/taobao.aliauto.risk.info.tmall.yc.service.sync.yaml"))
        .expect("rm");
    let out = topgen(root, &["check", "--breaking", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(report.contains("tmall.fin.car.open.bill.notify: breaking: request.bill_status_equest_top.extend_info: max_length tightened from 1024 to 512"), "{report}");
    assert!(
        report.contains(
            "taobao.aliauto.risk.info.tmall.yc.service.sync: breaking: api: the API was removed"
        ),
        "{report}"
    );

    let out = topgen(root, &["check", "--breaking", "no-such-rev"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not a git revision"));
}

#[test]
fn lint_warns_and_deny_warnings_fails() {
    let dir = scratch();
    let root = dir.path();
    let out = topgen(root, &["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains(
            "warning: [string-without-max-length] the request String `restAmount` has no max_length"
        ),
        "{report}"
    );
    assert!(
        report.contains("--> specs/qimen.tmall.car.lease.signstatus.synchronize.yaml:56:15"),
        "{report}"
    );
    assert!(
        report.contains("3 spec(s): 7 warning(s), 0 invalid"),
        "{report}"
    );
    let out = topgen(root, &["lint", "--deny", "warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("(denied)"));
    assert_eq!(
        topgen(root, &["lint", "--deny", "everything"])
            .status
            .code(),
        Some(2)
    );
}
