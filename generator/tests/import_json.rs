//! `topgen import` on doc JSON: the small docs in `tests/docs/` (written in the format of the
//! real catalogue, see `catalogue/`), read by the library and end to end by the command.

mod common;
use common::{stderr, topgen, topgen_with_stdin};

use std::fs;
use std::path::{Path, PathBuf};

use topgen::import::command;
use topgen::import::{Location, Severity, doc_json};
use topgen::load::load_str;
use topgen::spec::{Client, Field, Session, Spec};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docs")
}

fn doc(name: &str) -> String {
    fs::read_to_string(docs().join(name)).expect("doc")
}

/// Imports a doc that must give a valid spec.
fn imported(name: &str) -> (Spec, String, Vec<String>) {
    let result = doc_json::import(&doc(name), Some("演示类目"));
    let notes: Vec<String> = result.notes.iter().map(|n| n.render(name)).collect();
    let yaml = result.yaml().expect("a spec");
    let spec = result.spec.expect("a spec");
    let method = spec.method.value.clone();
    if let Err(diags) = load_str(&format!("specs/{method}.yaml"), yaml.clone()) {
        let shown: Vec<String> = diags.iter().map(|d| d.render()).collect();
        panic!("{name} does not validate:\n{}\n{yaml}", shown.join("\n"));
    }
    (spec, yaml, notes)
}

fn field<'s>(fields: &'s [Field], name: &str) -> &'s Field {
    fields
        .iter()
        .find(|f| f.name.value == name)
        .unwrap_or_else(|| panic!("no field `{name}`"))
}

fn struct_fields(spec: &Spec, name: &str) -> Vec<String> {
    spec.structs
        .iter()
        .find(|s| s.name.value == name)
        .map(|s| s.fields.iter().map(|f| f.name.value.clone()).collect())
        .unwrap_or_else(|| panic!("no struct `{name}`"))
}

#[test]
fn every_doc_type_maps_to_its_spec_type() {
    let (spec, _, notes) = imported("demo/taobao_demo_types_get.json");
    let ty = |name: &str| field(&spec.request, name).ty.value.clone();
    for (wire, expected) in [
        ("text", "String"),
        ("state", "Number"),
        ("flag", "Boolean"),
        ("at", "Date"),
        ("price", "Price"),
        ("amount", "BigDecimal"),
        ("extra", "Json"),
        ("attrs", "Map"),
        ("fields", "FieldList"),
        ("image", "File"),
        ("bytes", "File"),
        ("files", "File[]"),
        ("count", "Number"),
        ("size", "Number"),
        ("ratio", "BigDecimal"),
        ("blank", "Json"),
        ("nulls", "Json[]"),
        ("object", "Json"),
        ("tags", "String[]"),
        ("days", "Date[]"),
        ("dto", "Map"),
        ("dtos", "Map[]"),
        ("weird", "Json"),
    ] {
        assert_eq!(ty(wire), expected, "{wire}");
    }
    // The odd ones are warnings located at their `type`.
    for (index, word) in [
        (11, "`byte[][]`"),
        (12, "`Long`"),
        (13, "`Integer`"),
        (14, "`Double`"),
        (15, "``"),
        (16, "`null[]`"),
        (17, "`Object`"),
        (25, "lists no fields"),
        (26, "lists no fields"),
        (27, "not a type name"),
    ] {
        let at = format!("demo/taobao_demo_types_get.json:/requestParams/{index}/type: warning: ");
        assert!(
            notes.iter().any(|n| n.starts_with(&at) && n.contains(word)),
            "{at}{word}: {notes:#?}"
        );
    }
    // Plain ones are not.
    assert!(
        !notes.iter().any(|n| n.contains("/requestParams/4/")),
        "{notes:#?}"
    );
}

/// Only a top-level request parameter can be a file: inside a struct or in a response a
/// `byte` is a number, a `byte[]` base64 text and a `byte[][]` a list of those texts.
#[test]
fn bytes_outside_the_top_level_request_travel_as_json_values() {
    let text = r#"{"name": "taobao.demo.bytes.sync", "requestParams": [
        {"name": "upload", "type": "byte[][]"},
        {"name": "doc", "type": "DocDTO", "subParams": [
            {"name": "flag", "type": "byte"},
            {"name": "scan", "type": "byte[]"},
            {"name": "scans", "type": "byte[][]"},
            {"name": "cube", "type": "byte[][][]"}
        ]}
    ], "responseParams": [{"name": "pages", "type": "byte[][]"}]}"#;
    let result = doc_json::import(text, None);
    let yaml = result.yaml().expect("a spec");
    load_str("specs/taobao.demo.bytes.sync.yaml", yaml).expect("the spec validates");
    let spec = result.spec.as_ref().expect("a spec");
    assert_eq!(field(&spec.request, "upload").ty.value, "File[]");
    assert_eq!(field(&spec.response, "pages").ty.value, "String[]");
    let doc = &spec.structs[0].fields;
    let types: Vec<&str> = doc.iter().map(|f| f.ty.value.as_str()).collect();
    assert_eq!(types, ["Number", "String", "String[]", "Json"]);
    let notes: Vec<String> = result.notes.iter().map(|n| n.render("d.json")).collect();
    for expected in [
        "d.json:/requestParams/1/subParams/2/type: warning: the type `byte[][]` of `scans` inside a struct is read as `String[]`: a list of base64 texts",
        "d.json:/responseParams/0/type: warning: the type `byte[][]` of `pages` in a response is read as `String[]`",
        "d.json:/requestParams/1/subParams/3/type: warning: the type `byte[][][]` of `cube` is a list of lists",
    ] {
        assert!(
            notes.iter().any(|n| n.starts_with(expected)),
            "{expected}: {notes:#?}"
        );
    }
}

#[test]
fn limits_required_descriptions_and_codes() {
    let (spec, yaml, notes) = imported("demo/taobao_demo_types_get.json");
    let text = field(&spec.request, "text");
    assert_eq!(text.required.as_ref().map(|r| r.value), Some(true));
    // `maxLength` given as a text; it wins over the prose's 最大长度, with a warning.
    assert_eq!(text.max_length.as_ref().map(|m| m.value), Some(32));
    assert!(notes.iter().any(|n| n.contains(
        "/requestParams/0/description: warning: `text`: the description says 最大长度 64 but `maxLength` says 32"
    )));
    let codes: Vec<&str> = text
        .values
        .iter()
        .flat_map(|v| &v.value)
        .map(|v| v.code.value.as_str())
        .collect();
    assert_eq!(codes, ["ALI"]);
    let state = field(&spec.request, "state");
    assert_eq!(
        (
            state.min_value.as_ref().map(|m| m.value),
            state.max_value.as_ref().map(|m| m.value)
        ),
        (Some(0), Some(1))
    );
    assert!(yaml.contains("rust_name: Code0"), "{yaml}");
    assert_eq!(
        field(&spec.request, "image")
            .max_length
            .as_ref()
            .map(|m| m.value),
        Some(1_048_576)
    );
    let max_items = |name: &str| {
        field(&spec.request, name)
            .max_items
            .as_ref()
            .map(|m| m.value)
    };
    assert_eq!(max_items("tags"), Some(20));
    assert_eq!(max_items("ids"), Some(5), "max_items applies to a String");
    assert_eq!(max_items("numbers"), Some(100), "from the prose");
    // A limit that does not apply, one that is not a number, crossed bounds: a warning
    // and a comment keep the fact.
    for (wire, comment, at) in [
        (
            "on_boolean",
            "# The doc states `maxLength: 10`, which does not apply to a `Boolean`.",
            "/requestParams/22/maxLength",
        ),
        (
            "not_a_number",
            "# The doc states `maxValue: \"abc\"`.",
            "/requestParams/23/maxValue",
        ),
        (
            "crossed",
            "# The doc states `minValue: 10` above `maxValue: 5`.",
            "/requestParams/24/maxValue",
        ),
    ] {
        let f = field(&spec.request, wire);
        assert!(f.max_length.is_none() && f.min_value.is_none() && f.max_value.is_none());
        assert!(
            yaml.contains(&format!("  {comment}\n  - name: {wire}\n")),
            "{yaml}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("{at}: warning: "))),
            "{notes:#?}"
        );
    }
    // `required` on a response field says it is always there: a comment, never a rule.
    let ok = field(&spec.response, "ok");
    assert!(ok.required.is_none());
    assert!(yaml.contains(
        "  # The doc marks this response field `required`: it is always present.\n  - name: ok\n"
    ));
    assert_eq!(
        field(&spec.response, "total")
            .max_length
            .as_ref()
            .map(|m| m.value),
        Some(10)
    );
    // Title, description, category; no client or session facts: defaults with a TODO.
    assert_eq!(
        spec.title.as_ref().map(|t| t.value.as_str()),
        Some("类型演示")
    );
    assert_eq!(
        spec.category.as_ref().map(|t| t.value.as_str()),
        Some("演示类目")
    );
    assert_eq!(
        (spec.client.value, spec.session.value),
        (Client::Top, Session::Optional)
    );
    assert!(yaml.contains("# TODO: the doc JSON names no client; `top` is assumed from the method name: check the API's page (its sample code).\nclient: top\n"));
    assert!(yaml.contains("# TODO: the doc JSON states no session requirement; `optional` (callable with or without a session key) is a default: check the API's page.\nsession: optional\n"));
    assert!(spec.examples.is_none());
}

#[test]
fn a_wrapped_doc_reads_like_a_bare_one_with_pointers_into_data() {
    let wrapped = doc("demo/taobao_demo_types_get.json");
    let wrapped = format!("{{\"success\": true, \"data\": {wrapped}}}");
    let bare = doc_json::import(&doc("demo/taobao_demo_types_get.json"), None);
    let wrapped = doc_json::import(&wrapped, None);
    assert_eq!(bare.yaml(), wrapped.yaml());
    assert_eq!(bare.notes.len(), wrapped.notes.len());
    for (b, w) in bare.notes.iter().zip(&wrapped.notes) {
        match (&b.at, &w.at) {
            (Location::Pointer(b), Location::Pointer(w)) => assert_eq!(&format!("/data{b}"), w),
            other => panic!("{other:?}"),
        }
    }
    let failed = doc_json::import(r#"{"success": false, "data": null}"#, None);
    assert!(failed.has_errors() && failed.spec.is_none());
}

#[test]
fn structs_nest_six_deep_and_split_by_fields_side_and_case() {
    let (spec, yaml, notes) = imported("demo/taobao_demo_structs_sync.json");
    assert!(notes.is_empty(), "{notes:#?}");
    // Six levels under the top struct, parents before children.
    let names: Vec<&str> = spec.structs.iter().map(|s| s.name.value.as_str()).collect();
    assert_eq!(
        names[..7],
        [
            "Level0DTO",
            "Level1DTO",
            "Level2DTO",
            "Level3DTO",
            "Level4DTO",
            "Level5DTO",
            "Level6DTO"
        ]
    );
    assert_eq!(struct_fields(&spec, "Level6DTO"), ["leaf"]);
    // One doc type, other fields: a second struct; the same fields: the same struct.
    assert_eq!(field(&spec.request, "first").ty.value, "ItemDTO");
    assert_eq!(field(&spec.request, "second").ty.value, "ItemDTO2");
    assert_eq!(field(&spec.request, "third").ty.value, "ItemDTO[]");
    assert_eq!(struct_fields(&spec, "ItemDTO2"), ["id", "title"]);
    assert!(yaml.contains("  # TODO: the doc's type `ItemDTO` has other fields elsewhere in this doc; `ItemDTO2` is a placeholder name.\n  - name: ItemDTO2\n"));
    // The response has its own copy, even with the same fields.
    assert_eq!(field(&spec.response, "item").ty.value, "ItemDTOResponse");
    assert!(yaml.contains("# TODO: the doc's type `ItemDTO` is used by the request too"));
    // A built-in type name cannot name a struct.
    assert_eq!(field(&spec.request, "map").ty.value, "MapStruct");
    assert!(yaml.contains("# TODO: the doc calls this struct `Map`, a built-in spec type"));
    // Names that differ only in case become distinct Rust types; `Result` is a name like
    // any other.
    assert!(yaml.contains("  # TODO: `ResultVo` is taken by another type; `ResultVoStruct` is a placeholder Rust name.\n  - name: ResultVo\n    rust_name: ResultVoStruct\n"), "{yaml}");
    assert!(yaml.contains("  - name: Result\n    fields:\n"), "{yaml}");
}

#[test]
fn two_params_of_one_name_are_a_located_error() {
    let result = doc_json::import(&doc("demo/sub/qimen_taobao_demo_dup.json"), None);
    assert!(result.spec.is_none());
    let shown: Vec<String> = result.notes.iter().map(|n| n.render("d.json")).collect();
    assert_eq!(
        shown,
        [
            "d.json:/requestParams/0/subParams/1/name: error: a second parameter named `name` at one level (the first is /requestParams/0/subParams/0): the doc contradicts itself"
        ]
    );
}

#[test]
fn broken_docs_are_errors_never_panics() {
    for text in [
        "{",
        "{}",
        "[]",
        "{\"name\": 3}",
        "{\"name\": \"taobao.x.get\", \"requestParams\": {}}",
        "{\"name\": \"taobao.x.get\", \"requestParams\": [3]}",
        "{\"name\": \"taobao.x.get\", \"requestParams\": [{\"type\": \"String\"}]}",
        "{\"name\": \"not a method\"}",
        "{\"name\": \"taobao.x.get\", \"requestParams\": [{\"name\": \"a\", \"subParams\": 1}]}",
    ] {
        let result = doc_json::import(text, None);
        assert!(
            result.spec.is_none() && result.has_errors(),
            "{text}: {:?}",
            result.notes
        );
    }
    // Every cut of a real doc: an error or a valid spec, never a panic.
    let full = doc("demo/taobao_demo_structs_sync.json");
    for (i, _) in full.char_indices().step_by(7) {
        let result = doc_json::import(&full[..i], None);
        assert!(result.has_errors(), "a cut doc is not valid JSON");
    }
    // Odd but valid: unknown keys, non-text values, a JSON nested past any doc.
    let odd = r#"{"name": "taobao.x.get", "extra": 1, "requestParams": [
        {"name": " a ", "type": "String", "description": 5, "required": "yes", "maxLength": 1e30, "color": "red"},
        {"name": "b", "type": ["x"], "maxListSize": -1},
        {"name": "c", "type": "X[][]", "subParams": [{"name": "d", "type": "String"}]}
    ]}"#;
    let result = doc_json::import(odd, None);
    let yaml = result.yaml().expect("a spec");
    load_str("specs/taobao.x.get.yaml", yaml.clone()).expect("valid");
    let warnings = result
        .notes
        .iter()
        .filter(|n| n.severity == Severity::Warning)
        .count();
    assert!(warnings >= 8, "{:#?}", result.notes);
}

#[test]
fn the_same_docs_give_byte_identical_specs() {
    for name in [
        "demo/taobao_demo_types_get.json",
        "demo/taobao_demo_structs_sync.json",
    ] {
        let a = doc_json::import(&doc(name), Some("c")).yaml();
        let b = doc_json::import(&doc(name), Some("c")).yaml();
        assert!(a.is_some());
        assert_eq!(a, b);
    }
    let (first, reports) = command::import_dir(&docs()).expect("reads");
    let (second, again) = command::import_dir(&docs()).expect("reads");
    assert_eq!(first, second);
    let yaml = |r: &[command::DocReport]| -> Vec<Option<String>> {
        r.iter().map(|r| r.yaml.clone()).collect()
    };
    assert_eq!(yaml(&reports), yaml(&again));
}

#[test]
fn a_directory_is_read_recursively_with_its_category() {
    let (summary, reports) = command::import_dir(&docs()).expect("reads");
    let shown: Vec<String> = reports
        .iter()
        .map(|r| {
            r.shown
                .strip_prefix(&docs().display().to_string())
                .unwrap_or(&r.shown)
                .to_owned()
        })
        .collect();
    // Sorted, recursive, `*.json` only, `catelog.json` not a doc.
    assert_eq!(
        shown,
        [
            "/demo/sub/broken.json",
            "/demo/sub/qimen_taobao_demo_dup.json",
            "/demo/sub/qimen_taobao_demo_ok.json",
            "/demo/taobao_demo_structs_sync.json",
            "/demo/taobao_demo_types_get.json",
        ]
    );
    assert_eq!((summary.docs, summary.failed), (5, 2));
    assert_eq!(
        summary.line(),
        format!(
            "imported 3 of 5 API docs ({} warnings, 2 failed)",
            summary.warnings
        )
    );
    // The category comes from the nearest `catelog.json`, here one directory up; a qimen
    // method gets the qimen client.
    let ok = reports[2].yaml.as_deref().expect("a spec");
    assert!(ok.contains("category: 演示类目\n"), "{ok}");
    assert!(ok.contains("client: qimen\n"), "{ok}");
    assert!(
        reports[0].lines[0].ends_with(
            "broken.json:3: error: not valid JSON: EOF while parsing a list at line 3 column 0"
        ),
        "{:?}",
        reports[0].lines
    );
}

// The command, end to end.

#[test]
fn the_command_imports_a_batch_and_reports_each_doc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("specs")).expect("mkdir");
    let docs = docs().display().to_string();
    let out = topgen(root, &["import", &docs, "--out", "specs"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("imported 3 of 5 API docs (") && last.ends_with(" warnings, 2 failed)"),
        "{err}"
    );
    assert!(err.contains("qimen_taobao_demo_dup.json:/requestParams/0/subParams/1/name: error: a second parameter named `name`"), "{err}");
    assert!(
        err.contains("taobao_demo_types_get.json:/requestParams/12/type: warning: the type `Long`"),
        "{err}"
    );
    assert!(
        !err.contains("wrote "),
        "one line per file only with --verbose: {err}"
    );
    let mut written: Vec<String> = fs::read_dir(root.join("specs"))
        .expect("specs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "qimen.taobao.demo.ok.yaml",
            "taobao.demo.structs.sync.yaml",
            "taobao.demo.types.get.yaml"
        ]
    );
    // The written specs generate (and validate) with each other.
    assert_eq!(
        topgen(root, &["validate"]).status.code(),
        Some(0),
        "{}",
        stderr(&topgen(root, &["validate"]))
    );

    // Again: the specs exist. With --force they are replaced by the same bytes.
    let before = fs::read(root.join("specs/taobao.demo.structs.sync.yaml")).expect("spec");
    let good = [
        "import",
        &format!("{docs}/demo/taobao_demo_structs_sync.json"),
        &format!("{docs}/demo/taobao_demo_types_get.json"),
        "--out",
        "specs",
    ];
    let out = topgen(root, &good);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("exists; pass --force"));
    let mut forced = good.to_vec();
    forced.extend(["--force", "--quiet", "--verbose"]);
    let out = topgen(root, &forced);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains(": warning: "), "--quiet: {err}");
    assert!(
        err.contains("wrote specs/taobao.demo.types.get.yaml"),
        "{err}"
    );
    assert!(
        err.ends_with("imported 2 of 2 API docs (14 warnings, 0 failed)\n"),
        "{err}"
    );
    assert_eq!(
        fs::read(root.join("specs/taobao.demo.structs.sync.yaml")).expect("spec"),
        before
    );
}

#[test]
fn the_command_reads_stdin_and_refuses_batches_it_cannot_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let text = doc("demo/sub/qimen_taobao_demo_ok.json");
    let out = topgen_with_stdin(root, &["import", "-"], text.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("method: qimen.taobao.demo.ok\n"));
    assert!(stderr(&out).ends_with("imported 1 of 1 API docs (0 warnings, 0 failed)\n"));

    let out = topgen_with_stdin(root, &["import", "-"], b"{\"name\": ");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("<stdin>:1: error: not valid JSON"),
        "{}",
        stderr(&out)
    );

    let docs = docs().display().to_string();
    let out = topgen(root, &["import", &docs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pass --out DIR"), "{}", stderr(&out));
    let out = topgen(
        root,
        &["import", &docs, "--out", ".", "--keep-names-from", "x.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--keep-names-from names one spec"));
}
