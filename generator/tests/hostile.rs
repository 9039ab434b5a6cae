//! Hostile input (issue 9 §2): nothing a spec, a page or a command line says can make topgen
//! write outside its output directory, and very large or very deep input gets a located
//! error or a bounded result, never a stack overflow.

mod common;
use common::{stderr, topgen};

use std::fs;
use std::path::{Path, PathBuf};

use topgen::load::load_str;

/// Methods that would escape a directory if they became file names.
const ESCAPING_METHODS: &[(&str, &str)] = &[
    // (as written in YAML, the method it means)
    ("\"../../x\"", "../../x"),
    ("\"/abs/x\"", "/abs/x"),
    ("\"a.b\\0c\"", "a.b\0c"),
    ("\"a.b/c\"", "a.b/c"),
    ("\"..\"", ".."),
    ("\"a.b\\\\..\\\\c\"", "a.b\\..\\c"),
];

/// Every file and directory under `root`, relative, sorted.
fn tree(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            out.push(path.strip_prefix(root).expect("under root").to_path_buf());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `root/a/b/work` with `specs/hostile.yaml`: a method `../../x` run from `work` would land
/// in `root/a`, which the test can see.
fn nested_work(root: &Path, spec: &str) -> PathBuf {
    let work = root.join("a/b/work");
    fs::create_dir_all(work.join("specs")).expect("mkdir");
    fs::write(work.join("specs/hostile.yaml"), spec).expect("write spec");
    work
}

fn spec_with_method(method_yaml: &str) -> String {
    format!("method: {method_yaml}\nclient: top\nsession: none\n")
}

#[test]
fn an_escaping_method_in_a_spec_is_a_located_error() {
    for (yaml, method) in ESCAPING_METHODS {
        let path = "specs/hostile.yaml";
        let diags = load_str(path, spec_with_method(yaml)).expect_err(method);
        let invalid = diags
            .iter()
            .find(|d| d.message.contains("is not a valid TOP method name"))
            .unwrap_or_else(|| panic!("{method:?}: {diags:?}"));
        assert_eq!(
            (invalid.span.line, invalid.span.column),
            (1, 9),
            "{method:?}"
        );
        assert!(invalid.to_string().starts_with("specs/hostile.yaml:1:9: "));
    }
}

#[test]
fn generate_writes_nothing_for_an_escaping_method() {
    for (yaml, method) in ESCAPING_METHODS {
        let root = tempfile::tempdir().expect("temp dir");
        let work = nested_work(root.path(), &spec_with_method(yaml));
        let before = tree(root.path());
        let out = topgen(
            &work,
            &[
                "generate",
                "--specs",
                "specs",
                "--out",
                "out",
                "--schema",
                "specs/spec.schema.json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{method:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("specs/hostile.yaml:1:9"),
            "{method:?}: {}",
            stderr(&out)
        );
        assert_eq!(tree(root.path()), before, "{method:?} wrote something");
    }
    assert!(!Path::new("/abs").exists());
}

#[test]
fn a_raw_nul_byte_in_a_spec_is_a_located_error() {
    let diags = load_str(
        "specs/a.b.yaml",
        "method: a.b\nclient: top\ntitle: x\0y\nsession: none\n".to_owned(),
    )
    .expect_err("a NUL byte is not YAML");
    assert_eq!(diags[0].span.line, 3, "{diags:?}");
}

#[test]
fn new_refuses_an_escaping_method_and_writes_nothing() {
    for (_, method) in ESCAPING_METHODS {
        if method.contains('\0') {
            // No command line can carry a NUL byte; `parse_method` is checked directly below.
            continue;
        }
        let root = tempfile::tempdir().expect("temp dir");
        let work = nested_work(root.path(), "");
        let before = tree(root.path());
        let out = topgen(&work, &["new", method, "--specs", "specs"]);
        assert_eq!(out.status.code(), Some(2), "{method:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("expected a TOP method name"),
            "{method:?}: {}",
            stderr(&out)
        );
        assert_eq!(tree(root.path()), before, "{method:?} wrote something");
    }
    for (_, method) in ESCAPING_METHODS {
        assert!(
            topgen::scaffold::parse_method(method).is_err(),
            "{method:?}"
        );
    }
}

#[test]
fn import_of_a_page_with_an_escaping_method_is_a_located_error_and_writes_nothing() {
    for (_, method) in ESCAPING_METHODS {
        let page = format!(
            "{method} (标题)\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\nnum Number 必须 1 数量\n"
        );
        let notes = topgen::import::import(&page);
        assert!(notes.has_errors(), "{method:?}: {:?}", notes.notes);
        assert!(
            notes.notes.iter().all(|n| n
                .line()
                .is_some_and(|l| l >= 1 && l <= page.lines().count())),
            "{method:?}: {:?}",
            notes.notes
        );

        let root = tempfile::tempdir().expect("temp dir");
        let work = nested_work(root.path(), "");
        fs::write(work.join("page.txt"), &page).expect("write page");
        let before = tree(root.path());
        let out = topgen(&work, &["import", "page.txt", "--out", "specs"]);
        assert_eq!(out.status.code(), Some(1), "{method:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("page.txt:1: error"),
            "{method:?}: {}",
            stderr(&out)
        );
        assert_eq!(tree(root.path()), before, "{method:?} wrote something");
    }
}

/// Runs `f` on a thread with a small stack: input that recursed once per level would
/// overflow it long before 10,000 levels.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no overflow")
}

#[test]
fn a_spec_nested_ten_thousand_levels_is_a_located_error() {
    const DEPTH: usize = 10_000;
    const HEAD: &str = "method: a.b\nclient: top\nsession: none\n";
    // Block mappings need one more indent per level, so 10,000 levels would be a 50 MB
    // file; 2,000 levels (2 MB) are already far past any limit.
    let block_map = {
        let mut text = format!("{HEAD}description:\n");
        for level in 1..=2_000 {
            text.push_str(&" ".repeat(level));
            text.push_str("k:\n");
        }
        text
    };
    // Compact block sequences nest on one line: `- - - … x`.
    let block_seq = format!("{HEAD}request:\n  {}x\n", "- ".repeat(DEPTH));
    let flow_seq = format!(
        "{HEAD}request: {}{}\n",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    let flow_map = format!(
        "{HEAD}request: {}{}\n",
        "{a: ".repeat(DEPTH),
        "}".repeat(DEPTH)
    );
    for (what, text) in [
        ("block mapping", block_map),
        ("block sequence", block_seq),
        ("flow sequence", flow_seq),
        ("flow mapping", flow_map),
    ] {
        let diags = on_small_stack(move || {
            load_str("specs/a.b.yaml", text)
                .expect_err("too deep to be a spec")
                .into_iter()
                .map(|d| (d.span.line, d.message))
                .collect::<Vec<_>>()
        });
        let (line, _) = diags
            .iter()
            // Ours, or the YAML scanner's own limit, met first in flow collections.
            .find(|(_, message)| {
                message.contains("nested deeper than 64 levels")
                    || message.contains("recursion limit exceeded")
            })
            .unwrap_or_else(|| panic!("{what}: {diags:?}"));
        assert!(*line >= 4, "{what}: {diags:?}");
    }
}

/// A page with a `description_bytes` description and `rows` parameter rows.
fn big_page(description_bytes: usize, rows: usize) -> String {
    let mut page = String::from("taobao.big.page.get (大页面)\n\n");
    page.push_str(&"描述很长。".repeat(description_bytes / 15));
    page.push_str("\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\n");
    for n in 0..rows {
        page.push_str(&format!("p{n} String 可选 x 最大长度：10 第{n}个参数\n"));
    }
    page
}

/// A valid spec whose descriptions make about `bytes` bytes.
fn big_spec(bytes: usize) -> String {
    format!(
        "method: a.b\nclient: top\nsession: none\ndescription: \"{}\"\nrequest:\n  - name: x\n    type: String\n    description: \"{}\"\n",
        "长".repeat(bytes / 6),
        "x".repeat(bytes / 2)
    )
}

const FIFTY_MB: usize = 50 << 20;

#[test]
fn a_fifty_megabyte_spec_loads() {
    let spec = big_spec(FIFTY_MB);
    load_str("specs/a.b.yaml", spec).expect("a big but valid spec loads");
}

#[test]
fn a_fifty_megabyte_page_description_imports() {
    let imported = topgen::import::import(&big_page(FIFTY_MB, 3));
    assert!(!imported.has_errors(), "{:?}", imported.notes);
    let description = imported
        .spec
        .and_then(|s| s.description)
        .expect("description");
    assert!(description.value.len() > FIFTY_MB - 100);
}

/// Measured (release): 2 MB of rows 0.54 s, 8 MB 17.7 s — worse than quadratic, so 50 MB
/// would take hours. The cause is in `generator/src/import/`, which is being rewritten.
#[test]
#[ignore = "50 MB of rows: run in release, `cargo test --release -p topgen --test hostile -- --ignored` (about 20 s on 2 busy cores)"]
fn a_fifty_megabyte_parameter_table_imports_every_row() {
    // Duplicate rows are found through a set per owner, not by comparing each row with all
    // the others: a million rows import in linear time.
    let rows = FIFTY_MB / 45;
    let imported = topgen::import::import(&big_page(0, rows));
    assert!(!imported.has_errors());
    let spec = imported.spec.expect("a spec");
    assert_eq!(spec.request.len(), rows);
}

/// Found by `fuzz/page_import`: the noncharacters U+FFFE and U+FFFF are not printable YAML,
/// and a page's description holding one was written as a block scalar, so the spec import
/// wrote did not read back. The fuzzer's input, and a minimal page.
#[test]
fn a_noncharacter_on_a_page_still_gives_yaml_that_reads_back() {
    let found = include_bytes!("fuzz_regressions/page_import_noncharacter.txt");
    let minimal = "taobao.demo.nonchar.get (非字符)\n\n描述\u{ffff}与\u{fffe}\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\nnum Number 必须 1 数量\u{ffff}\n";
    for page in [
        String::from_utf8_lossy(found).into_owned(),
        minimal.to_owned(),
    ] {
        let imported = topgen::import::import(&page);
        let Some(yaml) = imported.yaml() else {
            continue;
        };
        let file = topgen::diag::SourceFile::new("specs/x.yaml", yaml.clone());
        if let Err(d) = topgen::yaml::parse(&file) {
            panic!("{}\n{yaml}", d.message);
        }
    }
}

/// Found by `fuzz/page_import`: a control character in a coded value's meaning went into a
/// `# TODO` comment as it was, and YAML rejects control characters anywhere, so the spec
/// import wrote did not read back.
#[test]
fn a_control_character_on_a_page_still_gives_yaml_that_reads_back() {
    let page = "taobao.demo.ctl.get (控制)\n\n请求参数\n\n名称 类型 是否必须 示例值 更多限制 描述\nkind Number 可选 1 类型：1-\u{1}\u{1}甲,2-乙\n";
    let imported = topgen::import::import(page);
    let yaml = imported.yaml().expect("a spec");
    assert!(yaml.contains("# TODO"), "{yaml}");
    let file = topgen::diag::SourceFile::new("specs/taobao.demo.ctl.get.yaml", yaml.clone());
    if let Err(d) = topgen::yaml::parse(&file) {
        panic!("{}\n{yaml}", d.message);
    }
}

/// Found by `fuzz/page_import`, then `fuzz/doc_json`: a coded value's meaning of many lines
/// became a `# TODO` comment of as many lines, and the YAML reader gave up on more than 96
/// comment lines in a row ("too many buffered comments"): the spec import wrote did not read
/// back, and any hand-written spec with a long comment block was rejected. Both fuzzers'
/// inputs, and a spec with a 500-line comment where the reader looks ahead.
#[test]
fn a_long_comment_block_reads_back() {
    let page = include_bytes!("fuzz_regressions/page_import_long_comment.txt");
    let doc = include_bytes!("fuzz_regressions/doc_json_long_comment.json");
    let doc = String::from_utf8_lossy(doc);
    assert!(topgen::import::doc_json::is_doc_json(&doc));
    for imported in [
        topgen::import::import(&String::from_utf8_lossy(page)),
        topgen::import::doc_json::import(&doc, Some("类目")),
    ] {
        let yaml = imported.yaml().expect("the input gives a spec");
        let file = topgen::diag::SourceFile::new("specs/x.yaml", yaml.clone());
        if let Err(d) = topgen::yaml::parse(&file) {
            panic!("{}\n{yaml}", d.message);
        }
    }

    let comment: String = (0..500).map(|i| format!("    # line {i}\n")).collect();
    let spec = format!(
        "method: taobao.demo.comment.get\ntitle: t\ncategory: c\nclient: top\nsession: none\nrequest:\n  - name: kind\n    type: String\n    values:\n{comment}      - code: A\n"
    );
    let file = topgen::diag::SourceFile::new("specs/taobao.demo.comment.get.yaml", spec);
    if let Err(d) = topgen::yaml::parse(&file) {
        panic!("{}", d.message);
    }
}
