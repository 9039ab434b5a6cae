//! The generated `tmc` example against the fake TMC server: one JSON line per message, content
//! typed by the crate's message specs, and `--max N` exiting 0 once N distinct ids were handled
//! and confirmed.

use std::collections::HashSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use top_e2e::{FakeTmc, TmcMessage};

use crate::cli::build_example;

const APP_KEY: &str = "12345678";
const SECRET: &str = "tmc-示例-secret";

fn message(id: i64, topic: &str, content: &str) -> TmcMessage {
    TmcMessage {
        id,
        topic: topic.to_owned(),
        content: content.to_owned(),
        pub_time: 1_700_000_000_000,
        pub_app_key: APP_KEY.to_owned(),
        user_id: 42,
        user_nick: "小店🏪".to_owned(),
        outgoing: None,
    }
}

#[test]
fn the_tmc_example_prints_typed_lines_and_stops_after_max_distinct_ids() {
    let first = (1i64 << 53) + 1;
    let messages = vec![
        // Numbers as text and a price as a number: the typed content reads both leniently.
        message(
            first,
            "taobao_trade_TradeBuyerPay",
            r#"{"tid":"4011223344556677","payment":200.07,"buyer_nick":"买家✓","unknown_member":[1,2]}"#,
        ),
        message(
            first + 2,
            "taobao_refund_RefundCreated",
            r#"{"refund_id":123456789,"tid":4011223344556677,"refund_fee":"9.90","seller_nick":"tb_卖家"}"#,
        ),
        // No spec for this topic: its content is printed as received.
        message(
            first + 4,
            "taobao_item_ItemUpdate",
            r#"{"num_iid":1,"title":"新品"}"#,
        ),
        // A documented field that does not fit its type: printed as received, with the path.
        message(
            first + 6,
            "taobao_trade_TradeBuyerPay",
            r#"{"tid":"not a number"}"#,
        ),
        // Beyond --max: must not be needed for the example to stop.
        message(first + 8, "taobao_trade_TradeSuccess", r#"{"tid":1}"#),
    ];
    let server = FakeTmc::builder(APP_KEY, SECRET)
        .messages(messages)
        .window(1)
        .start()
        .expect("the fake TMC server starts");

    let mut child = Command::new(build_example("tmc"))
        .args(["--group", "default", "--max", "4"])
        .env("TOP_APP_KEY", APP_KEY)
        .env("TOP_APP_SECRET", SECRET)
        .env("TOP_TMC_URL", server.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tmc example starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the example can be waited on") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the tmc example did not stop within 60 s after --max 4");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).expect("stdout is UTF-8");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).expect("stderr is UTF-8");
    }
    assert!(status.success(), "exit {status}; stderr:\n{stderr}");
    assert!(
        !stderr.contains(SECRET),
        "the secret leaked to stderr: {stderr}"
    );

    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let ids: Vec<i64> = lines
        .iter()
        .map(|line| line["id"].as_i64().expect("id is an integer"))
        .collect();
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(
        distinct,
        HashSet::from([first, first + 2, first + 4, first + 6]),
        "the first four ids, exact above 2^53: {stdout}"
    );
    for id in &distinct {
        assert!(
            server.confirms_of(*id) >= 1,
            "message {id} was printed but not confirmed"
        );
    }
    assert_eq!(
        server.confirms_of(first + 8),
        0,
        "the fifth was never handled"
    );

    let by_id = |id: i64| {
        lines
            .iter()
            .find(|line| line["id"].as_i64() == Some(id))
            .expect("a line for each id")
    };
    let paid = by_id(first);
    assert_eq!(paid["topic"], "taobao_trade_TradeBuyerPay");
    assert_eq!(paid["user_nick"], "小店🏪");
    assert_eq!(paid["pub_time"], 1_700_000_000_000_i64);
    assert_eq!(paid["content"]["tid"], 4_011_223_344_556_677_i64);
    assert_eq!(paid["content"]["buyer_nick"], "买家✓");
    assert!(
        paid["content"].get("unknown_member").is_none(),
        "typed content keeps only documented fields: {paid}"
    );
    assert!(paid.get("content_error").is_none(), "{paid}");

    let refund = by_id(first + 2);
    assert_eq!(refund["content"]["refund_id"], 123_456_789);
    assert_eq!(refund["content"]["seller_nick"], "tb_卖家");

    let unknown = by_id(first + 4);
    assert_eq!(
        unknown["content"],
        Value::from(r#"{"num_iid":1,"title":"新品"}"#),
        "an unknown topic's content is printed as received"
    );

    let misfit = by_id(first + 6);
    assert_eq!(misfit["content"], Value::from(r#"{"tid":"not a number"}"#));
    let error = misfit["content_error"].as_str().expect("a content error");
    assert!(error.contains("tid"), "the error names the field: {error}");
    assert!(
        !error.contains("not a number"),
        "the error does not repeat content: {error}"
    );
    assert!(server.errors().is_empty(), "{:?}", server.errors());
}
