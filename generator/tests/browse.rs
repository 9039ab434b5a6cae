//! `topgen search`, `show` and `list` over the built-in catalogue, from a directory that has
//! nothing of this repository in it.

mod common;
use common::{stderr, stdout, topgen};

fn anywhere() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn search_ranks_what_the_words_describe() {
    let dir = anywhere();
    let out = topgen(dir.path(), &["search", "退款"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 20, "at most 20 by default: {lines:#?}");
    assert!(lines.iter().all(|l| l.contains("退款")), "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.starts_with("taobao.refund.get ")),
        "{lines:#?}"
    );
    assert!(
        stderr(&out).contains("more; `--limit N`"),
        "{}",
        stderr(&out)
    );

    let out = topgen(dir.path(), &["search", "ACCESS", "token", "--limit", "3"]);
    let shown = stdout(&out);
    assert_eq!(shown.lines().count(), 3, "{shown}");
    assert!(
        shown
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("taobao.top.auth.token.")),
        "{shown}"
    );

    // Chinese needs no spaces: a phrase no doc writes whole still finds its APIs.
    let out = topgen(dir.path(), &["search", "交易详细信息"]);
    assert!(
        stdout(&out).contains("taobao.trade.fullinfo.get"),
        "{}",
        stdout(&out)
    );

    let out = topgen(
        dir.path(),
        &["search", "发货", "--category", "tbtrade", "--limit", "100"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().all(|l| l.ends_with("[淘宝交易API]")),
        "{}",
        stdout(&out)
    );

    let out = topgen(dir.path(), &["search", "qqqzzzxxxyyy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no API in the built-in catalogue matches"));
}

#[test]
fn show_prints_an_api_or_suggests_one() {
    let dir = anywhere();
    let out = topgen(dir.path(), &["show", "taobao.trade.fullinfo.get"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.starts_with("taobao.trade.fullinfo.get  获取单笔交易的详细信息\n"),
        "{shown}"
    );
    assert!(shown.contains("category: 淘宝交易API (tbtrade)"), "{shown}");
    assert!(shown.contains("request parameters:\n  fields"), "{shown}");
    assert!(shown.contains("(required)"), "{shown}");
    assert!(
        shown.contains("response fields:\n  trade  Trade"),
        "{shown}"
    );
    assert!(!shown.contains("<br/>"), "markup is dropped: {shown}");
    assert!(
        shown.ends_with("add it: topgen add taobao.trade.fullinfo.get\n"),
        "{shown}"
    );

    let out = topgen(dir.path(), &["show", "taobao.trade.fullinfo.get", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the doc is JSON");
    assert_eq!(doc["name"], "taobao.trade.fullinfo.get");

    let out = topgen(dir.path(), &["show", "taobao.trade.fulinfo.get"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `taobao.trade.fullinfo.get`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_counts_categories_and_lists_one() {
    let dir = anywhere();
    let out = topgen(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = stdout(&out);
    let mut lines: Vec<&str> = shown.lines().collect();
    let summary = lines.pop().expect("a summary line");
    let counted: usize = lines
        .iter()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<usize>().ok())
                .expect("a count")
        })
        .sum();
    assert_eq!(
        summary,
        format!(
            "{counted} APIs in {} categories; `topgen list --category NAME` lists one",
            lines.len()
        )
    );
    let trade = lines
        .iter()
        .find(|l| l.starts_with("tbtrade "))
        .expect("淘宝交易API");
    let trade_count: usize = trade
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("n");

    // By directory or by name: the same APIs.
    for wanted in ["tbtrade", "淘宝交易API"] {
        let out = topgen(dir.path(), &["list", "--category", wanted]);
        assert_eq!(stdout(&out).lines().count(), trade_count, "{wanted}");
        assert!(stdout(&out).contains("taobao.trade.fullinfo.get"));
    }
    let out = topgen(dir.path(), &["list", "--category", "nonesuch"]);
    assert_eq!(out.status.code(), Some(1));
}
