//! topgen as a team uses it in its own repository, end to end: the binary copied outside this
//! checkout, a Cargo workspace in a temporary directory, `topgen init` of a crate there (on
//! this checkout's runtime), `topgen add` of three catalogue APIs (one a file upload), an app
//! crate of that workspace built against it that validates requests and prepares a signed
//! one, and `topgen check` as the CI step: clean, then exit 1 after a spec edit, then clean
//! again after `topgen generate`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(program: &Path, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("runs {}: {e}", program.display()))
}

fn ok(out: Output) -> String {
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    shown
}

const APP_MAIN: &str = r#"use shop_top::prelude::*;
use shop_top::{TaobaoLogisticsOfflineSendRequest, TaobaoPictureUploadRequest, TaobaoTradeFullinfoGetRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trade = TaobaoTradeFullinfoGetRequest::builder()
        .fields("tid,status,payment")
        .tid(4_016_000_000_000_000_i64)
        .build()?;
    let send = TaobaoLogisticsOfflineSendRequest::builder()
        .tid(4_016_000_000_000_000_i64)
        .out_sid("SF1234567890")
        .company_code("SF")
        .build()?;
    send.validate()?;
    let missing = TaobaoLogisticsOfflineSendRequest::builder().tid(1).build();
    let errors = missing.expect_err("out_sid and company_code are required");
    println!("rejected: {errors}");
    let upload = TaobaoPictureUploadRequest::builder()
        .picture_category_id(0)
        .img(FileItem::from_bytes("a.jpg", vec![0xff, 0xd8, 0xff, 0xe0]))
        .image_input_title("a.jpg")
        .build()?;
    let client = TopClient::builder("12345678", "app-secret").build()?;
    let timestamp = || Some("2026-12-01 10:00:00".to_owned());
    let prepared = client.prepare(&trade, None, timestamp())?;
    println!("trade: {}", prepared.url);
    let prepared = client.prepare(&upload, None, timestamp())?;
    println!("upload: {} {}", prepared.url, prepared.content_type);
    let paid = shop_top::messages::TmcMessage::decode(
        "taobao_trade_TradeBuyerPay",
        "{\"tid\": \"4016000000000000\", \"buyer_nick\": \"张三\", \"payment\": \"12.30\"}",
    )?;
    println!("message: {} {}", paid.topic(), shop_top::messages::TOPICS.len());
    Ok(())
}
"#;

#[test]
fn a_team_goes_from_the_binary_to_a_signed_request_in_its_own_workspace() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let checkout = checkout.canonicalize().expect("the checkout");
    let tmp = tempfile::tempdir().expect("temp dir");
    assert!(!tmp.path().starts_with(&checkout), "outside the checkout");

    // The installed binary: a copy that has nothing of the checkout beside it.
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).expect("mkdir");
    let topgen: PathBuf = bin.join("topgen");
    fs::copy(env!("CARGO_BIN_EXE_topgen"), &topgen).expect("copies the binary");

    let ws = tmp.path().join("service");
    fs::create_dir_all(ws.join("app/src")).expect("mkdir");
    fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\n    \"app\",\n]\n",
    )
    .expect("write");
    fs::write(
        ws.join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nshop-top = { path = \"../shop-top\" }\n",
    )
    .expect("write");
    fs::write(ws.join("app/src/main.rs"), APP_MAIN).expect("write");
    // The versions this checkout builds with (and has downloaded): no network needed.
    fs::copy(checkout.join("Cargo.lock"), ws.join("Cargo.lock")).expect("copies the lock");

    let runtime = checkout.join("runtime");
    let runtime = runtime.to_str().expect("a UTF-8 path");
    let said = ok(run(
        &topgen,
        &["init", "shop-top", "--runtime-path", runtime],
        &ws,
    ));
    assert!(said.contains("added \"shop-top\" to the members"), "{said}");
    let manifest = fs::read_to_string(ws.join("Cargo.toml")).expect("read");
    assert!(
        manifest.contains("    \"app\",\n    \"shop-top\",\n]"),
        "{manifest}"
    );
    let crate_dir = ws.join("shop-top");
    for file in [
        "topgen.toml",
        "specs/spec.schema.json",
        "Cargo.toml",
        "src/lib.rs",
    ] {
        assert!(crate_dir.join(file).is_file(), "{file}");
    }
    // Nothing that exists is overwritten.
    let again = run(&topgen, &["init", "shop-top"], &ws);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("exists"), "{}", text(&again));

    let said = ok(run(
        &topgen,
        &[
            "add",
            "taobao.trade.fullinfo.get",
            "taobao.logistics.offline.send",
            "taobao.picture.upload",
        ],
        &crate_dir,
    ));
    assert!(said.contains("imported 3 of 3 API docs"), "{said}");
    let cargo_toml = fs::read_to_string(crate_dir.join("Cargo.toml")).expect("read");
    assert!(cargo_toml.contains("name = \"shop-top\""), "{cargo_toml}");
    assert!(!cargo_toml.contains("workspace = true"), "{cargo_toml}");
    assert!(cargo_toml.contains("run `topgen generate`"), "{cargo_toml}");

    // A message spec: scaffolded, then filled in (here: with this repository's).
    let topic = "taobao_trade_TradeBuyerPay";
    let said = ok(run(&topgen, &["new", "--message", topic], &crate_dir));
    assert!(
        said.contains("messages/taobao_trade_TradeBuyerPay.yaml"),
        "{said}"
    );
    ok(run(&topgen, &["validate"], &crate_dir));
    let message_spec = crate_dir.join(format!("specs/messages/{topic}.yaml"));
    fs::copy(
        checkout.join(format!("specs/messages/{topic}.yaml")),
        &message_spec,
    )
    .expect("fills in the message spec");
    ok(run(&topgen, &["generate"], &crate_dir));
    assert!(crate_dir.join("src/messages.rs").is_file());
    assert!(crate_dir.join("specs/message.schema.json").is_file());

    let target = checkout.join("target/user-project");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(&cargo)
        .args(["run", "--quiet", "--offline", "-p", "app"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&ws)
        .output()
        .expect("runs cargo");
    let shown = ok(built);
    assert!(
        shown.contains("rejected: ") && shown.contains("out_sid"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "trade: https://gw.api.taobao.com/router/rest?method=taobao.trade.fullinfo.get&"
        ),
        "{shown}"
    );
    assert!(shown.contains("&sign="), "{shown}");
    assert!(
        shown.contains("message: taobao_trade_TradeBuyerPay 1"),
        "{shown}"
    );
    assert!(shown.contains("multipart/form-data; boundary="), "{shown}");

    // The CI step, from the crate and from a directory below it.
    ok(run(&topgen, &["check"], &crate_dir));
    ok(run(&topgen, &["check"], &crate_dir.join("src")));
    let config = crate_dir.join("topgen.toml");
    let config = config.to_str().expect("a UTF-8 path");
    ok(run(&topgen, &["--config", config, "check"], &ws));

    let spec = crate_dir.join("specs/taobao.logistics.offline.send.yaml");
    let original = fs::read_to_string(&spec).expect("read");
    let edited = original.replacen("title: ", "title: 已编辑", 1);
    assert_ne!(edited, original);
    fs::write(&spec, edited).expect("edit the spec");
    let stale = run(&topgen, &["check"], &crate_dir);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(
        text(&stale).contains("已编辑"),
        "the diff shows the edit: {}",
        text(&stale)
    );
    assert!(
        text(&stale).contains("fix: topgen generate"),
        "{}",
        text(&stale)
    );
    ok(run(&topgen, &["generate"], &crate_dir));
    ok(run(&topgen, &["check"], &crate_dir));

    // A stale message spec is caught the same way.
    let original = fs::read_to_string(&message_spec).expect("read");
    fs::write(
        &message_spec,
        original.replacen("title: ", "title: 已改", 1),
    )
    .expect("edit");
    let stale = run(&topgen, &["check"], &crate_dir);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(text(&stale).contains("已改"), "{}", text(&stale));
    ok(run(&topgen, &["generate"], &crate_dir));
    ok(run(&topgen, &["check"], &crate_dir));
}

#[test]
fn a_broken_topgen_toml_is_a_located_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    fs::write(
        tmp.path().join("topgen.toml"),
        "name = \"shop\"\nspecz = \"specs\"\n",
    )
    .expect("write");
    fs::create_dir_all(tmp.path().join("sub")).expect("mkdir");
    let out = run(
        Path::new(env!("CARGO_BIN_EXE_topgen")),
        &["check"],
        &tmp.path().join("sub"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("unknown key `specz`"), "{shown}");
    assert!(shown.contains("--> ../topgen.toml:2:1"), "{shown}");
    assert!(shown.contains("did you mean `specs`?"), "{shown}");
}
