//! `topgen import` on real pages: the three seed pages (browser copies of the TOP pages the
//! seed specs were written from) and hand-written pages in the same format in `pages/`.

use std::path::Path;

use topgen::import::{self, Severity, keep};
use topgen::ir::Api;
use topgen::load::load_str;
use topgen::output;

const SEEDS: &[&str] = &[
    "qimen.tmall.car.lease.signstatus.synchronize",
    "taobao.aliauto.risk.info.tmall.yc.service.sync",
    "tmall.fin.car.open.bill.notify",
];

fn page(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pages")
        .join(name);
    String::from_utf8(std::fs::read(&path).expect("page")).expect("UTF-8")
}

fn seed_spec(method: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .join(format!("{method}.yaml"));
    std::fs::read_to_string(path).expect("seed spec")
}

/// Loads a spec. The IR's `source_hash` hashes the spec's text, which legitimately differs
/// between an imported spec and the hand-written one (comments, layout); it only feeds the
/// fingerprint stamp line, so it is masked to compare what the specs mean and generate.
fn load(method: &str, yaml: &str) -> (Api, topgen::spec::Spec) {
    match load_str(&format!("specs/{method}.yaml"), yaml.to_owned()) {
        Ok((api, spec)) => (
            Api {
                source_hash: "<spec text hash>".into(),
                ..api
            },
            spec,
        ),
        Err(diags) => {
            let shown: Vec<String> = diags.iter().map(|d| d.render()).collect();
            panic!("{method} does not validate:\n{}\n{yaml}", shown.join("\n"))
        }
    }
}

/// Every generated file of one API.
fn generated(api: &Api) -> Vec<(String, String)> {
    let out = output::render(std::slice::from_ref(api)).expect("renders");
    out.crate_files
        .into_iter()
        .filter(|(path, _)| path.contains(&api.module))
        .collect()
}

#[test]
fn each_seed_page_reproduces_the_seed_specs_generated_code() {
    for method in SEEDS {
        let imported = import::import(&page(&format!("{method}.txt")));
        assert!(
            imported.notes.is_empty(),
            "{method}: every line of a seed page is placed: {:?}",
            imported.notes
        );
        // As imported: valid, with TODO placeholders for the names no page states.
        let yaml = imported.yaml().expect("a spec");
        assert!(yaml.starts_with("# yaml-language-server: $schema=spec.schema.json\n"));
        load(method, &yaml);

        // With the Rust names the seed chose, the generated code is the seed's, exactly.
        let mut spec = imported.spec.expect("a spec");
        let mut comments = imported.comments;
        let seed_text = seed_spec(method);
        let (seed_api, seed) = load(method, &seed_text);
        keep::keep_names(&mut spec, &mut comments, &seed);
        assert!(
            !comments.values().flatten().any(|c| c.contains("TODO")),
            "{method}: the seed answers every TODO: {comments:?}"
        );
        let yaml = topgen::yamlout::emit(&spec, &comments);
        let (api, _) = load(method, &yaml);
        assert_eq!(api, seed_api, "{method}: IR differs");
        let ours = generated(&api);
        let theirs = generated(&seed_api);
        assert_eq!(ours.len(), 2);
        for ((path, a), (_, b)) in ours.iter().zip(&theirs) {
            assert_eq!(a, b, "{method}: {path} differs");
        }
    }
}

#[test]
fn the_imported_seed_yaml_is_the_seed_spec_but_for_its_hand_comment() {
    // Stronger than the generated code: the text itself, since both follow one layout.
    let method = "tmall.fin.car.open.bill.notify";
    let imported = import::import(&page(&format!("{method}.txt")));
    let mut spec = imported.spec.expect("spec");
    let mut comments = imported.comments;
    let (_, seed) = load(method, &seed_spec(method));
    keep::keep_names(&mut spec, &mut comments, &seed);
    assert_eq!(topgen::yamlout::emit(&spec, &comments), seed_spec(method));
}

#[test]
fn placeholder_names_are_marked_todo() {
    let imported = import::import(&page("qimen.tmall.car.lease.signstatus.synchronize.txt"));
    let yaml = imported.yaml().expect("spec");
    assert!(yaml.contains(
        "# TODO: `Code0` is a placeholder variant name for the code 0 (it means 退车).\n          - code: \"0\"\n            rust_name: Code0\n"
    ), "{yaml}");
    assert!(
        yaml.contains("# TODO: the page's type column says only `Struct`"),
        "{yaml}"
    );
}

#[test]
fn windows_line_ends_tabs_and_extra_blank_lines_read_the_same() {
    let unix = import::import(&page("tmall.fin.car.open.bill.notify.txt"));
    let windows = import::import(&page("crlf_blank_lines.tmall.fin.car.open.bill.notify.txt"));
    assert!(page("crlf_blank_lines.tmall.fin.car.open.bill.notify.txt").contains("\r\n\t• "));
    assert!(windows.notes.is_empty(), "{:?}", windows.notes);
    assert_eq!(windows.yaml(), unix.yaml());
}

#[test]
fn an_unseen_page_with_deep_nesting_lists_and_json_examples() {
    let imported = import::import(&page("taobao.demo.order.sync.txt"));
    let yaml = imported.yaml().expect("spec");
    let (api, spec) = load("taobao.demo.order.sync", &yaml);
    // Two levels under the request struct; siblings after a nested struct placed by the
    // sample code's setters (`obj2.setLevel`, `obj1.setChannel`).
    let fields = |name: &str| -> Vec<String> {
        spec.structs
            .iter()
            .find(|s| s.name.value == name)
            .map(|s| s.fields.iter().map(|f| f.name.value.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(fields("OrderRequest"), ["order_id", "buyer", "channel"]);
    assert_eq!(fields("BuyerDTO"), ["nick", "address", "level"]);
    assert_eq!(fields("AddressDTO"), ["province", "zip"]);
    assert_eq!(fields("DetailDTO"), ["message"]);
    // `Number []` of plain values, with 最大列表长度; `String []` with a limit in prose.
    let sku = &spec.request[1];
    assert_eq!(
        (
            sku.ty.value.as_str(),
            sku.max_items.as_ref().map(|m| m.value)
        ),
        ("Number[]", Some(20))
    );
    assert_eq!(spec.request[2].max_items.as_ref().map(|m| m.value), Some(5));
    // Both example formats.
    assert!(
        api.response_example
            .json
            .as_deref()
            .is_some_and(|j| j.contains("\"is_success\": true"))
    );
    assert!(api.response_example.xml.is_some());
    assert!(api.error_example.json.is_some() && api.error_example.xml.is_none());
    // A response `Struct` without sample code is named after its field; `Result` is a name
    // like any other, since generated code names std's `Result` by its full path.
    assert!(yaml.contains("  - name: Result\n    fields:\n"), "{yaml}");
    // What the spec cannot hold is reported with its line.
    let notes: Vec<(usize, &str)> = imported
        .notes
        .iter()
        .map(|n| (n.line().unwrap_or(0), n.message.as_str()))
        .collect();
    assert!(
        notes
            .iter()
            .any(|(l, m)| *l == 154 && m.contains("error code row `isv.order-not-exist")),
        "{notes:?}"
    );
    // `Price` is a spec type of its own: an exact decimal, its example kept as written.
    assert!(!notes.iter().any(|(l, _)| *l == 61), "{notes:?}");
    assert!(
        yaml.contains("    type: Price\n") && yaml.contains("example: \"12.50\""),
        "{yaml}"
    );
    assert!(
        notes
            .iter()
            .any(|(l, m)| *l == 67 && m.contains("says only `Struct`")),
        "{notes:?}"
    );
    assert!(
        imported
            .notes
            .iter()
            .all(|n| n.severity == Severity::Warning)
    );
}

#[test]
fn tab_separated_cells() {
    let imported = import::import(&page("taobao.demo.tabs.txt"));
    let yaml = imported.yaml().expect("spec");
    let (_, spec) = load("taobao.demo.tabs.get", &yaml);
    let nick = &spec.request[0];
    assert_eq!(
        nick.example.as_ref().map(|e| e.value.as_str()),
        Some("张 三")
    );
    assert_eq!(
        nick.description.as_ref().map(|e| e.value.as_str()),
        Some("买家 昵称")
    );
    assert_eq!(nick.max_length.as_ref().map(|m| m.value), Some(32));
    let query = &spec.structs[0];
    assert_eq!(
        query.fields[0].example.as_ref().map(|e| e.value.as_str()),
        Some("2024-01-01 00:00:00")
    );
    assert_eq!(
        query.fields[1].max_value.as_ref().map(|m| m.value),
        Some(100)
    );
    assert_eq!(spec.session.value, topgen::spec::Session::None);
}

#[test]
fn a_page_without_response_examples_or_sample_code() {
    let imported = import::import(&page("taobao.demo.minimal.txt"));
    let yaml = imported.yaml().expect("spec");
    let (_, spec) = load("taobao.demo.minimal.get", &yaml);
    assert!(spec.response.is_empty() && spec.examples.is_none());
    let messages: Vec<&str> = imported.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("assumed `top`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("`session: none`")),
        "{messages:?}"
    );
}

#[test]
fn a_missing_type_is_an_error_with_its_line_and_no_spec() {
    let imported = import::import(&page("bad.missing_type.txt"));
    assert!(imported.has_errors());
    assert!(imported.spec.is_none());
    let shown: Vec<String> = imported.notes.iter().map(|n| n.render("p.txt")).collect();
    assert!(shown.contains(&"p.txt:8: error: the parameter `item_id` has no type (String, Number, Boolean, Date, a struct, or `Type []`)".to_owned()), "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|s| s.starts_with("p.txt:9: warning: not placed: `child`")
                && s.ends_with("(lines 9–12)")),
        "{shown:?}"
    );
}

#[test]
fn a_page_without_a_method_is_an_error() {
    let imported = import::import("文档中心 > API类目 > 演示\n\n请求参数\n");
    assert!(imported.has_errors() && imported.spec.is_none());
    assert_eq!(imported.notes.last().and_then(|n| n.line()), Some(1));
}

/// Every emitted spec parses back to the same model: emitting it again gives the same text.
#[test]
fn emitted_specs_round_trip() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for name in [
        "qimen.tmall.car.lease.signstatus.synchronize.txt",
        "taobao.aliauto.risk.info.tmall.yc.service.sync.txt",
        "tmall.fin.car.open.bill.notify.txt",
        "taobao.demo.order.sync.txt",
        "taobao.demo.tabs.txt",
        "taobao.demo.minimal.txt",
    ] {
        let imported = import::import(&page(name));
        let spec = imported.spec.expect("spec");
        texts.push((
            spec.method.value.clone(),
            topgen::yamlout::emit(&spec, &Default::default()),
        ));
    }
    for method in SEEDS {
        let (_, seed) = load(method, &seed_spec(method));
        texts.push((
            (*method).to_owned(),
            topgen::yamlout::emit(&seed, &Default::default()),
        ));
    }
    for (method, text) in texts {
        let (api, spec) = load(&method, &text);
        let again = topgen::yamlout::emit(&spec, &Default::default());
        assert_eq!(again, text, "{method}");
        let (api2, _) = load(&method, &again);
        assert_eq!(api, api2);
    }
    // The seed specs keep their generated code through the emitter.
    for method in SEEDS {
        let (seed_api, seed) = load(method, &seed_spec(method));
        let (api, _) = load(method, &topgen::yamlout::emit(&seed, &Default::default()));
        assert_eq!(api, seed_api);
    }
}

/// Import never panics, and whatever it produces without errors validates: the seed pages
/// mutated line by line (dropped, duplicated, swapped, cut short, garbled).
#[test]
fn mutated_pages_never_panic_and_never_yield_invalid_specs() {
    let mut pages: Vec<String> = [
        "qimen.tmall.car.lease.signstatus.synchronize.txt",
        "taobao.aliauto.risk.info.tmall.yc.service.sync.txt",
        "tmall.fin.car.open.bill.notify.txt",
        "taobao.demo.order.sync.txt",
        "taobao.demo.tabs.txt",
    ]
    .iter()
    .map(|n| page(n))
    .collect();
    pages.push(String::new());
    pages.push("\u{feff}\r\n\r\n".to_owned());
    let mut checked = 0;
    for original in &pages {
        let lines: Vec<&str> = original.split('\n').collect();
        let mut variants: Vec<String> = Vec::new();
        for i in 0..lines.len() {
            let mut dropped = lines.clone();
            dropped.remove(i);
            variants.push(dropped.join("\n"));
            let mut doubled = lines.clone();
            doubled.insert(i, lines[i]);
            variants.push(doubled.join("\n"));
            if i + 1 < lines.len() {
                let mut swapped = lines.clone();
                swapped.swap(i, i + 1);
                variants.push(swapped.join("\n"));
            }
            let mut garbled = lines.clone();
            let bad = format!(
                "{}└ •\t必须 [] Struct",
                lines[i].chars().rev().collect::<String>()
            );
            garbled[i] = &bad;
            variants.push(garbled.join("\n"));
            variants.push(lines[..i].join("\n"));
        }
        for (i, _) in original.char_indices().step_by(23) {
            variants.push(original[..i].to_owned());
        }
        for text in variants {
            let imported = import::import(&text);
            if let (Some(yaml), false) = (imported.yaml(), imported.has_errors()) {
                let method = imported
                    .spec
                    .as_ref()
                    .map(|s| s.method.value.clone())
                    .unwrap_or_default();
                if let Err(diags) = load_str(&format!("specs/{method}.yaml"), yaml.clone()) {
                    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
                    panic!(
                        "invalid spec from a mutated page:\n{}\n--- page:\n{text}\n--- spec:\n{yaml}",
                        shown.join("\n")
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}
