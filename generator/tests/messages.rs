//! Message specs (`specs/messages/<topic>.yaml`): located errors, what they generate, the
//! scaffold, the build-script mode, and stale output caught by `check`.

use std::fs;
use std::path::Path;

use topgen::load::{LoadError, load_message_str, load_messages};
use topgen::output::{self, Layout};

const GOOD: &str = "\
topic: taobao_refund_RefundCreated
title: 退款创建消息
content:
  - name: tid
    type: Number
    example: 2231958349
  - name: refund_phase
    type: String
    values:
      - code: onsale
        description: 售中
example: '{\"tid\": 1}'
";

fn errors(path: &str, text: &str) -> String {
    let diags = load_message_str(path, text.to_owned()).expect_err("invalid");
    diags
        .iter()
        .map(|d| d.render())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_good_message_spec_resolves_like_a_response() {
    let message = load_message_str(
        "specs/messages/taobao_refund_RefundCreated.yaml",
        GOOD.into(),
    )
    .unwrap_or_else(|d| panic!("{}", d[0].render()));
    assert_eq!(message.module, "taobao_refund_refund_created");
    assert_eq!(message.content.rust_name, "TaobaoRefundRefundCreated");
    assert_eq!(message.content.fields.len(), 2);
    assert_eq!(message.enums.len(), 1, "the coded field is an enum");
    assert!(!message.source_hash.is_empty());
}

#[test]
fn problems_are_located_with_what_was_expected() {
    let path = "specs/messages/taobao_refund_RefundCreated.yaml";
    let bad = GOOD
        .replace("type: Number", "type: Numbr")
        .replace("title:", "titel:");
    let shown = errors(path, &bad);
    assert!(shown.contains("unknown type `Numbr`"), "{shown}");
    assert!(shown.contains("did you mean `Number`?"), "{shown}");
    assert!(shown.contains("unknown key `titel`"), "{shown}");
    assert!(shown.contains("did you mean `title`?"), "{shown}");
    assert!(
        shown.contains(":5:11"),
        "line and column of the type: {shown}"
    );

    let shown = errors("specs/messages/other_Topic.yaml", GOOD);
    assert!(
        shown.contains(
            "the file is named `other_Topic.yaml` but its topic is `taobao_refund_RefundCreated`"
        ),
        "{shown}"
    );

    let duplicate = GOOD.replace("name: refund_phase", "name: tid");
    assert!(errors(path, &duplicate).contains("two fields are named `tid`"));

    let required = GOOD.replace("    example: 2231958349\n", "    required: true\n");
    assert!(errors(path, &required).contains("`required` applies to request fields only"));

    let not_json = GOOD.replace("'{\"tid\": 1}'", "'{tid'");
    assert!(errors(path, &not_json).contains("the example is not JSON"));

    let shown = errors(
        "specs/messages/taobao.trade.x.yaml",
        &GOOD.replace("taobao_refund_RefundCreated", "taobao.trade.x"),
    );
    assert!(shown.contains("is not a valid TMC topic"), "{shown}");

    let missing = errors(path, "title: x\n");
    assert!(missing.contains("missing key `topic`"), "{missing}");
}

#[test]
fn the_scaffold_is_a_valid_message_spec() {
    let topic = "taobao_trade_TradeBuyerPay";
    let text = topgen::scaffold::message_skeleton(topic).expect("renders");
    assert!(text.contains("topic: taobao_trade_TradeBuyerPay"), "{text}");
    let message = load_message_str(&format!("specs/messages/{topic}.yaml"), text)
        .unwrap_or_else(|d| panic!("{}", d[0].render()));
    assert!(message.content.fields.is_empty());
    assert!(topgen::scaffold::parse_topic("taobao.item.get").is_err());
    assert!(topgen::scaffold::parse_topic("Taobao_x").is_err());
    assert!(topgen::scaffold::parse_topic("taobao_trade_TradeBuyerPay").is_ok());
}

#[test]
fn errors_of_every_message_file_are_collected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let messages = dir.path().join("messages");
    fs::create_dir_all(&messages).expect("mkdir");
    assert!(load_messages(dir.path()).expect("empty").is_empty());
    fs::write(messages.join("a_b_C.yaml"), "topic: a_b_C\ncontent: 3\n").expect("write");
    fs::write(messages.join("a_b_D.yaml"), "topic: a_b_E\n").expect("write");
    match load_messages(dir.path()) {
        Err(LoadError::Invalid(diags)) => {
            assert_eq!(diags.len(), 2, "{diags:?}");
            assert!(
                diags[0].render().contains("a_b_C.yaml:2:10"),
                "{}",
                diags[0].render()
            );
            assert!(
                diags[1].render().contains("a_b_D.yaml"),
                "{}",
                diags[1].render()
            );
        }
        other => panic!("expected invalid: {other:?}"),
    }
    // Topics that make one Rust name are refused, naming both.
    fs::remove_file(messages.join("a_b_D.yaml")).expect("rm");
    fs::write(messages.join("a_b_C.yaml"), "topic: a_b_C\n").expect("write");
    fs::write(messages.join("a_b_c.yaml"), "topic: a_b_c\n").expect("write");
    let shown = load_messages(dir.path()).expect_err("collide").to_string();
    assert!(shown.contains("both generate `a_b_c`"), "{shown}");
}

fn repo_messages() -> Vec<topgen::ir::Message> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    load_messages(&specs).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_crate_gets_a_messages_module_its_tests_and_a_tmc_feature() {
    let messages = repo_messages();
    let topics: Vec<&str> = messages.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            "taobao_refund_RefundCreated",
            "taobao_trade_TradeBuyerPay",
            "taobao_trade_TradeCreate",
            "taobao_trade_TradeSuccess"
        ]
    );
    let out = output::render_all(&[], &messages).expect("renders");
    let module = &out.crate_files["src/messages.rs"];
    assert!(module.contains("pub enum TmcMessage {"), "{module}");
    assert!(module.contains("TaobaoTradeTradeBuyerPay(TaobaoTradeTradeBuyerPay),"));
    assert!(module.contains("pub use taobao_trade_trade_buyer_pay::TaobaoTradeTradeBuyerPay;"));
    // The content struct is a response struct: the same lenient reader.
    assert!(module.contains("impl ::top_runtime::lenient::Item for TaobaoRefundRefundCreated"));
    assert!(module.contains("read_content(content).map(TmcMessage::TaobaoTradeTradeSuccess)"));
    assert!(out.crate_files["src/lib.rs"].contains("pub mod messages;"));
    assert!(out.crate_files.contains_key("tests/messages.rs"));
    assert!(out.crate_files["Cargo.toml"].contains("tmc = [\"top-runtime/tmc\"]"));
    assert!(out.message_schema.contains("topgen TMC message spec"));

    let without = output::render_all(&[], &[]).expect("renders");
    assert!(!without.crate_files.contains_key("src/messages.rs"));
    assert!(!without.crate_files["src/lib.rs"].contains("mod messages"));
    assert!(!without.crate_files["Cargo.toml"].contains("tmc ="));
}

#[test]
fn the_build_script_mode_has_the_messages_module_inline() {
    let messages = repo_messages();
    let tokens = topgen::emit::single_file::apis_rs(&[], &messages, "specs", |_| String::new());
    let text = topgen::emit::render_included(tokens, "// test\n").expect("parses");
    assert!(text.contains("pub mod messages {"), "{text}");
    assert!(text.contains("pub enum TmcMessage"));
}

#[test]
fn check_catches_a_stale_or_removed_message_spec() {
    let root = tempfile::tempdir().expect("temp dir");
    let layout = Layout::under(root.path());
    let messages_dir = layout.specs.join("messages");
    fs::create_dir_all(&messages_dir).expect("mkdir");
    let spec = messages_dir.join("taobao_refund_RefundCreated.yaml");
    fs::write(&spec, GOOD).expect("write");
    let load = || load_messages(&layout.specs).unwrap_or_else(|e| panic!("{e}"));
    let rendered = output::render_incremental(&[], &load(), &layout).expect("renders");
    output::write(&layout, &rendered).expect("writes");
    assert!(output::in_sync_by_stamps(&layout).expect("reads"));
    assert!(layout.specs.join("message.schema.json").is_file());

    fs::write(&spec, GOOD.replace("退款创建消息", "已改")).expect("edit");
    assert!(
        !output::in_sync_by_stamps(&layout).expect("reads"),
        "the stamp"
    );
    let rendered = output::render_incremental(&[], &load(), &layout).expect("renders");
    let drift = output::check(&layout, &rendered).expect("reads");
    assert!(
        drift
            .changed
            .iter()
            .any(|(path, diff)| path.ends_with("src/messages.rs") && diff.contains("已改")),
        "{drift:?}"
    );

    fs::remove_file(&spec).expect("rm");
    assert!(!output::in_sync_by_stamps(&layout).expect("reads"));
    let rendered = output::render_incremental(&[], &load(), &layout).expect("renders");
    let drift = output::check(&layout, &rendered).expect("reads");
    assert!(
        drift.extra.iter().any(|p| p.ends_with("src/messages.rs")),
        "{drift:?}"
    );
}
