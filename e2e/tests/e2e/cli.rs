//! The generated `call` example against the fake gateway.
//!
//! The example is built once per test run with `cargo build -p top-apis --example call`
//! (cargo reports the executable's path), then run directly by every test. Running
//! `cargo run` in each test instead takes cargo's build-directory lock a dozen times, and
//! each time waits for whatever else builds in the workspace: minutes on a busy 2-core machine.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};
use top_apis::{
    QimenTmallCarLeaseSignstatusSynchronizeRequest as SignStatus,
    TaobaoAliautoRiskInfoTmallYcServiceSyncRequest as RiskSync,
    TmallFinCarOpenBillNotifyRequest as BillNotify,
};
use top_e2e::wire::{parse_printed_request, verify};
use top_e2e::{FakeGateway, Reply, TimestampCheck};
use top_runtime::prepare::Format;
use top_runtime::sign::SignMethod;

use crate::seeds::*;

const PINNED: &str = "2016-01-01 12:00:00";

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The `call` example, built on first use.
pub(crate) fn call_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build_example("call"))
}

/// Builds the generated crate's example `name` and returns its executable's path.
pub(crate) fn build_example(name: &str) -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["build", "-q", "-p", "top-apis", "--example", name])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build of the {name} example failed"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == name
                && message["target"]["kind"][0] == "example"
        })
        .and_then(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo named no {name} executable: {stdout}"))
}

/// Runs `call <args>` with the request on stdin and the credentials of `R` in the
/// environment, pointed at `gateway`. `extra_env` adds or overrides variables.
fn run_call<R: Seed>(
    gateway: &FakeGateway,
    args: &[&str],
    request: &str,
    extra_env: &[(&str, Option<&str>)],
) -> Output {
    let mut command = Command::new(call_binary());
    command
        .arg(R::METHOD)
        .arg("-")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in [
        "TOP_APP_KEY",
        "TOP_APP_SECRET",
        "TOP_SESSION",
        "TOP_TARGET_APP_KEY",
        "TOP_GATEWAY",
    ] {
        command.env_remove(name);
    }
    command
        .env("TOP_APP_KEY", APP_KEY)
        .env("TOP_APP_SECRET", APP_SECRET)
        .env("TOP_TARGET_APP_KEY", TARGET_APP_KEY)
        .env("TOP_GATEWAY", gateway.url());
    if let Some(session) = session::<R>() {
        command.env("TOP_SESSION", session);
    }
    for (name, value) in extra_env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let mut child = command.spawn().expect("cargo runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(request.as_bytes())
        .expect("the request is written");
    let output = child.wait_with_output().expect("cargo finishes");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn prints_the_typed_response<R: Seed>() {
    let setup = Setup::default();
    let gateway = start_gateway::<R>(&setup, Reply::json(R::json_success()));
    let out = run_call::<R>(&gateway, &[], R::EXAMPLE, &[]);
    assert_eq!(out.code, Some(0), "{}: {}", R::METHOD, out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: stdout is not JSON ({e}): {}", R::METHOD, out.stdout));
    assert_eq!(printed, R::expected_response(), "{}", R::METHOD);
    gateway.check(1).expect("one valid request");

    // XML and another sign method through the options.
    let setup = Setup {
        sign_method: SignMethod::Md5,
        format: Format::Xml,
        ..Setup::default()
    };
    let gateway = start_gateway::<R>(&setup, Reply::xml(R::xml_success()));
    let out = run_call::<R>(
        &gateway,
        &["--sign-method", "md5", "--format", "xml"],
        R::EXAMPLE,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}: {}", R::METHOD, out.stderr);
    let printed: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(printed, R::expected_response(), "{}", R::METHOD);
    gateway.check(1).expect("one valid request");
}

#[test]
fn call_bill_notify_prints_the_typed_response() {
    prints_the_typed_response::<BillNotify>();
}

#[test]
fn call_sign_status_prints_the_typed_response() {
    prints_the_typed_response::<SignStatus>();
}

#[test]
fn call_risk_sync_prints_the_typed_response() {
    prints_the_typed_response::<RiskSync>();
}

fn api_error_fails<R: Seed>() {
    let gateway = start_gateway::<R>(&Setup::default(), Reply::json(ERROR_JSON));
    let out = run_call::<R>(&gateway, &[], R::EXAMPLE, &[]);
    assert_eq!(out.code, Some(1), "{}: {}", R::METHOD, out.stderr);
    assert_eq!(out.stdout, "", "{}", R::METHOD);
    for part in [
        "TOP error 50: Remote service error",
        "isv.invalid-parameter",
        "非法参数",
        "e2e-req-err-1",
    ] {
        assert!(
            out.stderr.contains(part),
            "{}: {part} not in {}",
            R::METHOD,
            out.stderr
        );
    }
    gateway.check(1).expect("one valid request");
}

#[test]
fn call_api_errors_exit_non_zero() {
    api_error_fails::<BillNotify>();
    api_error_fails::<SignStatus>();
    api_error_fails::<RiskSync>();
}

fn dry_run_is_verifiable<R: Seed>() {
    for sign_method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let setup = Setup {
            sign_method,
            ..Setup::default()
        };
        let gateway = start_gateway::<R>(&setup, Reply::json(R::json_success()));
        let out = run_call::<R>(
            &gateway,
            &[
                "--dry-run",
                "--timestamp",
                PINNED,
                "--sign-method",
                sign_method.as_str(),
                "--reveal-session",
            ],
            R::EXAMPLE,
            &[],
        );
        assert_eq!(out.code, Some(0), "{}: {}", R::METHOD, out.stderr);
        let printed =
            parse_printed_request(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
        assert!(
            out.stdout.starts_with(&format!("POST {}?", gateway.url())),
            "{}",
            out.stdout
        );
        let problems = verify(
            &expect::<R>(&setup, TimestampCheck::Exact(PINNED.into())),
            &printed,
        );
        assert!(
            problems.is_empty(),
            "{} {sign_method}: {problems:#?}\n{}",
            R::METHOD,
            out.stdout
        );
        assert_eq!(gateway.request_count(), 0, "a dry run sends nothing");
    }
}

#[test]
fn call_dry_run_bill_notify() {
    dry_run_is_verifiable::<BillNotify>();
}

#[test]
fn call_dry_run_sign_status() {
    dry_run_is_verifiable::<SignStatus>();
}

#[test]
fn call_dry_run_risk_sync() {
    dry_run_is_verifiable::<RiskSync>();
}

#[test]
fn call_dry_run_redacts_the_session_unless_revealed() {
    let gateway = start_gateway::<RiskSync>(&Setup::default(), Reply::json("{}"));
    let out = run_call::<RiskSync>(
        &gateway,
        &["--dry-run", "--timestamp", PINNED],
        RISK_SYNC_EXAMPLE,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("session=%3Credacted%3E") || out.stdout.contains("session=<redacted>"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(SESSION), "{}", out.stdout);
    assert!(!out.stdout.contains(APP_SECRET) && !out.stderr.contains(APP_SECRET));
    assert_eq!(gateway.request_count(), 0);
}

/// The timestamp is China time whatever `TZ` says: Los Angeles is 15 or 16 hours behind, so
/// a local-time timestamp would be far outside the gateway's 10 minutes.
#[test]
fn call_timestamp_is_china_time_in_any_zone() {
    let la = [("TZ", Some("America/Los_Angeles"))];
    let setup = Setup::default();
    let gateway = start_gateway::<BillNotify>(&setup, Reply::json(BillNotify::json_success()));
    let out = run_call::<BillNotify>(&gateway, &["--dry-run"], BILL_NOTIFY_EXAMPLE, &la);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let printed = parse_printed_request(&out.stdout).expect("parses");
    let problems = verify(
        &expect::<BillNotify>(&setup, TimestampCheck::NearNow),
        &printed,
    );
    assert!(problems.is_empty(), "{problems:#?}\n{}", out.stdout);
    assert_eq!(gateway.request_count(), 0);

    // A pinned timestamp is sent as given.
    let out = run_call::<BillNotify>(
        &gateway,
        &["--dry-run", "--timestamp", PINNED],
        BILL_NOTIFY_EXAMPLE,
        &la,
    );
    let printed = parse_printed_request(&out.stdout).expect("parses");
    let problems = verify(
        &expect::<BillNotify>(&setup, TimestampCheck::Exact(PINNED.into())),
        &printed,
    );
    assert!(problems.is_empty(), "{problems:#?}\n{}", out.stdout);
    assert_eq!(gateway.request_count(), 0);

    // And a real call under that zone passes the gateway's clock check.
    let out = run_call::<BillNotify>(&gateway, &[], BILL_NOTIFY_EXAMPLE, &la);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    gateway.check(1).expect("one valid request");
}

#[test]
fn call_sends_nothing_for_a_rule_breaking_request_or_a_missing_session() {
    let gateway =
        start_gateway::<BillNotify>(&Setup::default(), Reply::json(BillNotify::json_success()));
    let mut request: Value = serde_json::from_str(BILL_NOTIFY_EXAMPLE).expect("JSON");
    request["bill_status_equest_top"]["customer_id"] = json!("1".repeat(33));
    let out = run_call::<BillNotify>(&gateway, &[], &request.to_string(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("client-side code 41"), "{}", out.stderr);
    assert!(
        out.stderr.contains("bill_status_equest_top.customer_id"),
        "{}",
        out.stderr
    );
    assert_eq!(gateway.request_count(), 0);

    let gateway =
        start_gateway::<RiskSync>(&Setup::default(), Reply::json(RiskSync::json_success()));
    let out = run_call::<RiskSync>(&gateway, &[], RISK_SYNC_EXAMPLE, &[("TOP_SESSION", None)]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("needs a session key"), "{}", out.stderr);
    assert_eq!(gateway.request_count(), 0);

    let gateway =
        start_gateway::<SignStatus>(&Setup::default(), Reply::json(SignStatus::json_success()));
    let out = run_call::<SignStatus>(
        &gateway,
        &[],
        SIGN_STATUS_EXAMPLE,
        &[("TOP_TARGET_APP_KEY", None)],
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("target_app_key"), "{}", out.stderr);
    assert_eq!(gateway.request_count(), 0);
}

#[test]
fn call_reads_the_request_file_strictly_and_sends_nothing_it_cannot_read() {
    let gateway =
        start_gateway::<BillNotify>(&Setup::default(), Reply::json(BillNotify::json_success()));
    let example: Value = serde_json::from_str(BILL_NOTIFY_EXAMPLE).expect("JSON");
    let bill = "bill_status_equest_top";

    let mut missing = example.clone();
    missing[bill]
        .as_object_mut()
        .expect("an object")
        .remove("biz_no");
    let out = run_call::<BillNotify>(&gateway, &[], &missing.to_string(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let path = format!("{bill}.biz_no");
    assert!(
        out.stderr
            .contains(&format!("{path}: Missing required arguments:{path}")),
        "{}",
        out.stderr
    );

    let mut misspelt = example.clone();
    misspelt[bill]["extend_inf"] = json!("{}");
    let out = run_call::<BillNotify>(&gateway, &[], &misspelt.to_string(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "at `{bill}.extend_inf`: unknown field `extend_inf`"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`extend_info`"), "{}", out.stderr);

    let mut mistyped = example;
    mistyped[bill]["event_time"] = json!(20190908);
    let out = run_call::<BillNotify>(&gateway, &[], &mistyped.to_string(), &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("at `{bill}.event_time`")),
        "{}",
        out.stderr
    );

    let out = run_call::<BillNotify>(&gateway, &[], "{\"bill_status_equest_top\": ", &[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("is not JSON"), "{}", out.stderr);
    assert_eq!(gateway.request_count(), 0);
}
