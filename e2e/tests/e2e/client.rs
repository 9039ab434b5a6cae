//! `TopClient` against the fake gateway, for each seed API.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use top_apis::qimen_tmall_car_lease_signstatus_synchronize::QimenTmallCarLeaseSignstatusSynchronizeResponse;
use top_apis::taobao_aliauto_risk_info_tmall_yc_service_sync::TaobaoAliautoRiskInfoTmallYcServiceSyncResponse;
use top_apis::tmall_fin_car_open_bill_notify::{
    BillStatusResponseTop, ResultCode, TmallFinCarOpenBillNotifyResponse,
};
use top_apis::{
    QimenTmallCarLeaseSignstatusSynchronizeRequest as SignStatus,
    TaobaoAliautoRiskInfoTmallYcServiceSyncRequest as RiskSync,
    TmallFinCarOpenBillNotifyRequest as BillNotify,
};
use top_e2e::{FakeGateway, Reply, TimestampCheck};
use top_runtime::prepare::{Format, Secret};
use top_runtime::response::ApiError;
use top_runtime::sign::SignMethod;
use top_runtime::{CallError, Gateway, Rule, TopClient};

use crate::seeds::*;

fn bill_notify_result() -> TmallFinCarOpenBillNotifyResponse {
    TmallFinCarOpenBillNotifyResponse {
        result: Some(BillStatusResponseTop {
            message: Some("异常".into()),
            succeeded: Some(true),
            retry: Some(false),
            code: Some(ResultCode::Success),
        }),
    }
}

fn sign_status_result() -> QimenTmallCarLeaseSignstatusSynchronizeResponse {
    QimenTmallCarLeaseSignstatusSynchronizeResponse {
        success: Some("ture".into()),
        msg_code: Some("002".into()),
        msg_desc: Some("XXXXX".into()),
    }
}

fn documented_error(request_id: Option<&str>) -> ApiError {
    ApiError {
        code: "50".into(),
        msg: "Remote service error".into(),
        sub_code: Some("isv.invalid-parameter".into()),
        sub_msg: Some("非法参数".into()),
        request_id: request_id.map(str::to_owned),
    }
}

// ---- success bodies ----

#[tokio::test]
async fn bill_notify_json_success() {
    let response =
        call_checked::<BillNotify>(&Setup::default(), Reply::json(BillNotify::json_success()))
            .await
            .expect("success");
    let result = response.result.as_ref().expect("a result");
    assert_eq!(result.succeeded, Some(true));
    assert_eq!(result.code, Some(ResultCode::Success));
    assert_eq!(response, bill_notify_result());
}

#[tokio::test]
async fn bill_notify_documented_xml_with_trailing_comment() {
    let setup = Setup::default().format(Format::Xml);
    let response = call_checked::<BillNotify>(&setup, Reply::xml(BillNotify::xml_success()))
        .await
        .expect("success");
    assert_eq!(response, bill_notify_result());
}

#[tokio::test]
async fn bill_notify_simplified_json_and_xml() {
    let body = r#"{"result":{"message":"异常","succeeded":"true","retry":"false","code":"10000"},"request_id":"e2e-s"}"#;
    let response = call_checked::<BillNotify>(&Setup::default().simplify(), Reply::json(body))
        .await
        .expect("success");
    assert_eq!(response, bill_notify_result());

    let setup = Setup::default().format(Format::Xml).simplify();
    // XML needs a root element even when simplified.
    let xml = format!(
        "<tmall_fin_car_open_bill_notify_response><result><message>异常</message><succeeded>true</succeeded>\
         <retry>false</retry><code>10000</code></result></tmall_fin_car_open_bill_notify_response>{TOP_COMMENT}"
    );
    let response = call_checked::<BillNotify>(&setup, Reply::xml(xml))
        .await
        .expect("success");
    assert_eq!(response, bill_notify_result());
}

#[tokio::test]
async fn sign_status_qimen_json_envelope() {
    let response =
        call_checked::<SignStatus>(&Setup::default(), Reply::json(SignStatus::json_success()))
            .await
            .expect("success");
    assert_eq!(response, sign_status_result());
}

#[tokio::test]
async fn sign_status_qimen_xml_envelope_and_documented_fragment() {
    let setup = Setup::default().format(Format::Xml);
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?><response><flag>success</flag><code>0</code><message>ok</message>\
         <success>ture</success><msgCode>002</msgCode><msgDesc>XXXXX</msgDesc></response>{TOP_COMMENT}"
    );
    let response = call_checked::<SignStatus>(&setup, Reply::xml(envelope))
        .await
        .expect("success");
    assert_eq!(response, sign_status_result());

    let response = call_checked::<SignStatus>(&setup, Reply::xml(SignStatus::xml_success()))
        .await
        .expect("the documented root-less example decodes");
    assert_eq!(response, sign_status_result());
}

#[tokio::test]
async fn sign_status_qimen_simplified() {
    let response = call_checked::<SignStatus>(
        &Setup::default().simplify(),
        Reply::json(SignStatus::json_success()),
    )
    .await
    .expect("success");
    assert_eq!(response, sign_status_result());
}

#[tokio::test]
async fn risk_sync_with_session_json_xml_and_simplified() {
    let empty = TaobaoAliautoRiskInfoTmallYcServiceSyncResponse::default();
    let response =
        call_checked::<RiskSync>(&Setup::default(), Reply::json(RiskSync::json_success()))
            .await
            .expect("success");
    assert_eq!(response, empty);

    let setup = Setup::default().format(Format::Xml);
    let response = call_checked::<RiskSync>(&setup, Reply::xml(RiskSync::xml_success()))
        .await
        .expect("success");
    assert_eq!(response, empty);

    let response = call_checked::<RiskSync>(
        &Setup::default().simplify(),
        Reply::json(r#"{"request_id":"e2e-s"}"#),
    )
    .await
    .expect("success");
    assert_eq!(response, empty);
}

async fn every_sign_method_and_format<R: Seed>() {
    for sign_method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        for format in [Format::Json, Format::Xml] {
            let setup = Setup {
                sign_method,
                format,
                ..Setup::default()
            };
            let body = match format {
                Format::Json => Reply::json(R::json_success()),
                Format::Xml => Reply::xml(R::xml_success()),
            };
            let response = call_checked::<R>(&setup, body)
                .await
                .unwrap_or_else(|e| panic!("{} {sign_method} {format}: {e}", R::METHOD));
            assert_eq!(
                to_json(&response),
                R::expected_response(),
                "{sign_method} {format}"
            );
        }
    }
}

#[tokio::test]
async fn bill_notify_every_sign_method_and_format() {
    every_sign_method_and_format::<BillNotify>().await;
}

#[tokio::test]
async fn sign_status_every_sign_method_and_format() {
    every_sign_method_and_format::<SignStatus>().await;
}

#[tokio::test]
async fn risk_sync_every_sign_method_and_format() {
    every_sign_method_and_format::<RiskSync>().await;
}

// ---- error answers ----

async fn error_responses<R: Seed>() {
    let err = call_checked::<R>(&Setup::default(), Reply::json(ERROR_JSON)).await;
    match err {
        Err(CallError::Api(e)) => {
            assert_eq!(e, documented_error(Some("e2e-req-err-1")));
            assert_eq!(e.code_i64(), Some(50));
        }
        other => panic!("{}: expected an API error, got {other:?}", R::METHOD),
    }
    let setup = Setup::default().format(Format::Xml);
    let xml = format!("{DOCUMENTED_ERROR_XML}{TOP_COMMENT}");
    match call_checked::<R>(&setup, Reply::xml(xml)).await {
        Err(CallError::Api(e)) => assert_eq!(e, documented_error(None)),
        other => panic!("{}: expected an API error, got {other:?}", R::METHOD),
    }
    // Still an error when simplified, and when it comes with an HTTP error status.
    match call_checked::<R>(&Setup::default().simplify(), Reply::json(ERROR_JSON)).await {
        Err(CallError::Api(e)) => assert_eq!(e, documented_error(Some("e2e-req-err-1"))),
        other => panic!("{}: expected an API error, got {other:?}", R::METHOD),
    }
    let reply = Reply::with(500, "application/json", ERROR_JSON);
    match call_checked::<R>(&Setup::default(), reply).await {
        Err(CallError::Api(e)) => assert_eq!(e, documented_error(Some("e2e-req-err-1"))),
        other => panic!("{}: expected an API error, got {other:?}", R::METHOD),
    }
}

#[tokio::test]
async fn bill_notify_error_response() {
    error_responses::<BillNotify>().await;
}

#[tokio::test]
async fn sign_status_error_response() {
    error_responses::<SignStatus>().await;
}

#[tokio::test]
async fn risk_sync_error_response() {
    error_responses::<RiskSync>().await;
}

#[tokio::test]
async fn qimen_failure_flag_is_an_api_error() {
    let expected = ApiError {
        code: "SYSTEM_ERROR".into(),
        msg: "系统错误".into(),
        sub_code: Some("isv.lease-order-not-found".into()),
        sub_msg: Some("订单不存在".into()),
        request_id: Some("e2e-req-q".into()),
    };
    let body = json!({"response": {
        "flag": "failure", "code": "SYSTEM_ERROR", "message": "系统错误",
        "sub_code": "isv.lease-order-not-found", "sub_message": "订单不存在",
        "request_id": "e2e-req-q"
    }});
    match call_checked::<SignStatus>(&Setup::default(), Reply::json(body.to_string())).await {
        Err(CallError::Api(e)) => assert_eq!(e, expected),
        other => panic!("expected an API error, got {other:?}"),
    }
    let xml = format!(
        "<response><flag>failure</flag><code>SYSTEM_ERROR</code><message>系统错误</message>\
         <sub_code>isv.lease-order-not-found</sub_code><sub_message>订单不存在</sub_message>\
         <request_id>e2e-req-q</request_id></response>{TOP_COMMENT}"
    );
    match call_checked::<SignStatus>(&Setup::default().format(Format::Xml), Reply::xml(xml)).await {
        Err(CallError::Api(e)) => assert_eq!(e, expected),
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---- bodies that cannot be decoded ----

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server. \
Sorry for the inconvenience. Please report this message and include the following information to us. \
Thank you very much!</p><hr/>Powered by Tengine</body></html>";

/// Asserts a decode error whose snippet is the start of `body`.
fn assert_decode<T: std::fmt::Debug>(
    what: &str,
    body: &str,
    result: Result<T, CallError>,
) -> top_runtime::response::DecodeError {
    let Err(CallError::Decode(error)) = result else {
        panic!("{what}: expected a decode error, got {result:?}");
    };
    assert_snippet(what, body, error.snippet());
    error
}

fn assert_snippet(what: &str, body: &str, snippet: &str) {
    let body = body.trim_start();
    if body.chars().count() <= 200 {
        assert_eq!(snippet, body, "{what}");
    } else {
        let cut = snippet
            .strip_suffix('…')
            .unwrap_or_else(|| panic!("{what}: a cut snippet ends with …: {snippet:?}"));
        assert_eq!(cut.chars().count(), 200, "{what}");
        assert!(body.starts_with(cut), "{what}: {snippet:?}");
    }
}

/// `wrong_path` is where the wrong type is; `wrong_value` how the error shows it.
async fn malformed_bodies<R: Seed>(wrong_types: &str, wrong_path: Option<&str>, wrong_value: &str) {
    let full = R::json_success();
    let truncated = &full[..full.len() / 2];
    for (what, body) in [
        ("HTML page", HTML_PAGE),
        ("truncated JSON", truncated),
        ("empty body", ""),
        ("JSON array", "[1, 2]"),
        ("wrong types", wrong_types),
    ] {
        let (result, gateway) = call::<R>(&Setup::default(), Reply::json(body)).await;
        gateway.check(1).expect("the request was valid");
        let error = assert_decode(&format!("{} {what}", R::METHOD), body, result);
        if what == "wrong types" {
            // Generated responses read themselves leniently and name the full path.
            assert_eq!(error.path(), wrong_path, "{error}");
            assert!(error.to_string().contains(wrong_value), "{error}");
        }
        assert!(
            error.to_string().contains("cannot decode TOP response"),
            "{error}"
        );
    }
    let xml = Setup::default().format(Format::Xml);
    let truncated_xml = R::xml_success();
    let truncated_xml = &truncated_xml[..truncated_xml.len() / 2];
    let xml_bodies = [
        ("truncated XML", truncated_xml),
        ("JSON instead of XML", full.as_str()),
        ("HTML page as XML", HTML_PAGE),
    ];
    for (what, body) in xml_bodies {
        let (result, gateway) = call::<R>(&xml, Reply::xml(body)).await;
        gateway.check(1).expect("the request was valid");
        assert_decode(&format!("{} {what}", R::METHOD), body, result);
    }
}

#[tokio::test]
async fn bill_notify_malformed_bodies_are_decode_errors() {
    malformed_bodies::<BillNotify>(
        r#"{"tmall_fin_car_open_bill_notify_response":{"result":{"succeeded":"maybe","code":"10000"}}}"#,
        Some("result.succeeded"),
        "at `result.succeeded`: expected true or false, found \"maybe\"",
    )
    .await;
}

#[tokio::test]
async fn sign_status_malformed_bodies_are_decode_errors() {
    malformed_bodies::<SignStatus>(
        r#"{"response":{"flag":"success","success":["ture"],"msgCode":"002"}}"#,
        Some("success"),
        "[\"ture\"]",
    )
    .await;
}

#[tokio::test]
async fn risk_sync_malformed_bodies_are_decode_errors() {
    malformed_bodies::<RiskSync>(
        r#"{"aliauto_risk_info_tmall_yc_service_sync_response":"done"}"#,
        None,
        "it is a string",
    )
    .await;
}

#[tokio::test]
async fn http_error_statuses_with_html_are_http_errors() {
    for status in [500, 502] {
        let (result, gateway) =
            call::<BillNotify>(&Setup::default(), Reply::html(status, HTML_PAGE)).await;
        gateway.check(1).expect("valid request");
        match result {
            Err(CallError::Http { status: got, error }) => {
                assert_eq!(got, status);
                assert_snippet("HTTP error", HTML_PAGE, error.snippet());
            }
            other => panic!("{status}: expected an HTTP error, got {other:?}"),
        }
        let (result, gateway) = call::<RiskSync>(
            &Setup::default().format(Format::Xml),
            Reply::html(status, HTML_PAGE),
        )
        .await;
        gateway.check(1).expect("valid request");
        assert!(
            matches!(result, Err(CallError::Http { status: got, .. }) if got == status),
            "{result:?}"
        );
    }
    // A success body with an error status is not trusted either.
    let reply = Reply::with(503, "application/json", BillNotify::json_success());
    let (result, gateway) = call::<BillNotify>(&Setup::default(), reply).await;
    gateway.check(1).expect("valid request");
    assert!(
        matches!(result, Err(CallError::Http { status: 503, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_slow_gateway_times_out() {
    let setup = Setup {
        timeout: Some(Duration::from_millis(300)),
        ..Setup::default()
    };
    let server_delay = Duration::from_secs(2);
    let started = Instant::now();
    let (result, gateway) = call::<RiskSync>(
        &setup,
        Reply::json(RiskSync::json_success()).delayed(server_delay),
    )
    .await;
    let elapsed = started.elapsed();
    let error = result.expect_err("the reply comes too late");
    assert!(
        matches!(&error, CallError::Transport(e) if e.timed_out),
        "expected a time-out, got {error:?}"
    );
    // Gave up well before the reply (the gateway aborts it when dropped).
    assert!(elapsed < Duration::from_millis(1800), "took {elapsed:?}");
    // The request did arrive, and was valid; the answer was just too late.
    gateway.check(1).expect("valid request");
    assert_no_secrets("time-out", &error);
}

// ---- requests that are never sent ----

async fn rejected<R: Seed>(request: R, client: &TopClient, gateway: &FakeGateway) -> CallError {
    let error = client
        .execute_with_optional_session(&request, session::<R>().map(Secret::new))
        .await
        .expect_err("the request must be rejected");
    assert_eq!(gateway.request_count(), 0, "nothing may reach the gateway");
    assert_no_secrets("rejected", &error);
    error
}

/// `(path, rule)` of every violation of an `Invalid` error, and its code.
fn violations(error: CallError) -> (u16, Vec<(String, Rule)>) {
    match error {
        CallError::Invalid { code, errors } => {
            (code, errors.into_iter().map(|v| (v.path, v.rule)).collect())
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn rule_breaking_requests_never_reach_the_gateway() {
    let setup = Setup::default();

    let gw = start_gateway::<BillNotify>(&setup, Reply::json(BillNotify::json_success()));
    let client = client(&gw, &setup);
    let too_long = "张".repeat(33);
    let request: BillNotify = example_with("/bill_status_equest_top/customer_id", json!(too_long));
    let (code, found) = violations(rejected(request, &client, &gw).await);
    assert_eq!(code, 41);
    assert_eq!(
        found,
        [(
            "bill_status_equest_top.customer_id".to_owned(),
            Rule::MaxLength {
                max: 32,
                actual: 33
            }
        )]
    );
    // A missing value makes the whole request code 40; every violation is reported.
    let mut json: Value = serde_json::from_str(BILL_NOTIFY_EXAMPLE).expect("JSON");
    json["bill_status_equest_top"]["customer_id"] = json!(too_long);
    json["bill_status_equest_top"]["req_no"] = json!("   ");
    let request: BillNotify = serde_json::from_value(json).expect("deserializes");
    let (code, found) = violations(rejected(request, &client, &gw).await);
    assert_eq!(code, 40);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "bill_status_equest_top.customer_id",
            "bill_status_equest_top.req_no"
        ]
    );
    assert_eq!(found[1].1, Rule::Missing);

    let gw = start_gateway::<RiskSync>(&setup, Reply::json(RiskSync::json_success()));
    let client = crate::seeds::client(&gw, &setup);
    let first = example_value_of(RISK_SYNC_EXAMPLE, "/risk_info_sync_request/contents/0");
    let request: RiskSync = example_with(
        "/risk_info_sync_request/contents",
        Value::Array(vec![first; 101]),
    );
    let (code, found) = violations(rejected(request, &client, &gw).await);
    assert_eq!(code, 41);
    assert_eq!(
        found,
        [(
            "risk_info_sync_request.contents".to_owned(),
            Rule::MaxItems {
                max: 100,
                actual: 101
            }
        )]
    );

    let gw = start_gateway::<SignStatus>(&setup, Reply::json(SignStatus::json_success()));
    let client = crate::seeds::client(&gw, &setup);
    let request: SignStatus = example_with("/cityId", json!(1_000_000_000_000i64));
    let (code, found) = violations(rejected(request, &client, &gw).await);
    assert_eq!(code, 41);
    assert_eq!(
        found,
        [(
            "cityId".to_owned(),
            Rule::MaxLength {
                max: 12,
                actual: 13
            }
        )]
    );
    let request: SignStatus = example_with("/typeDTO/type", json!("9"));
    let (code, found) = violations(rejected(request, &client, &gw).await);
    assert_eq!(code, 41);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "typeDTO.type");
    assert!(
        matches!(&found[0].1, Rule::UnknownCode { actual, .. } if actual == "9"),
        "{found:?}"
    );
}

fn example_value_of(example: &str, pointer: &str) -> Value {
    let json: Value = serde_json::from_str(example).expect("JSON");
    json.pointer(pointer).cloned().expect("present")
}

#[tokio::test]
async fn a_session_api_without_a_session_sends_nothing() {
    let setup = Setup::default();
    let gw = start_gateway::<RiskSync>(&setup, Reply::json(RiskSync::json_success()));
    let client = client(&gw, &setup);
    for session in [None, Some(Secret::new("")), Some(Secret::new(" \t "))] {
        let result = client
            .execute_with_optional_session(&example::<RiskSync>(), session.clone())
            .await;
        match result {
            Err(CallError::MissingSession { method }) => {
                assert_eq!(method, "taobao.aliauto.risk.info.tmall.yc.service.sync")
            }
            other => panic!("{session:?}: expected MissingSession, got {other:?}"),
        }
    }
    assert_eq!(gw.request_count(), 0);
}

#[tokio::test]
async fn a_qimen_api_without_target_app_key_sends_nothing() {
    let setup = Setup::default();
    let gw = start_gateway::<SignStatus>(&setup, Reply::json(SignStatus::json_success()));
    let without = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .build()
        .expect("builds");
    let blank = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .target_app_key("  ")
        .build()
        .expect("builds");
    for client in [without, blank] {
        match client.execute(&example::<SignStatus>()).await {
            Err(CallError::MissingTargetAppKey { method }) => {
                assert_eq!(method, "qimen.tmall.car.lease.signstatus.synchronize")
            }
            other => panic!("expected MissingTargetAppKey, got {other:?}"),
        }
    }
    assert_eq!(gw.request_count(), 0);
}

// ---- the gateway's own checks bite ----

#[tokio::test]
async fn the_fake_gateway_rejects_a_wrong_signature_or_parameter() {
    let setup = Setup::default();
    for sign_method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let setup = Setup {
            sign_method,
            ..setup
        };
        let gw = start_gateway::<BillNotify>(&setup, Reply::json(BillNotify::json_success()));
        let wrong_secret = TopClient::builder(APP_KEY, "not-the-secret")
            .gateway(Gateway::Url(gw.url()))
            .sign_method(sign_method)
            .build()
            .expect("builds");
        let result = wrong_secret.execute(&example::<BillNotify>()).await;
        assert!(
            matches!(&result, Err(CallError::Api(e)) if e.code == "400"),
            "{result:?}"
        );
        let problems = gw.check(1).expect_err("a bad signature must be caught");
        assert!(problems.contains("does not match"), "{problems}");
    }
    // A value other than the documented example.
    let gw = start_gateway::<BillNotify>(&setup, Reply::json(BillNotify::json_success()));
    let client = client(&gw, &setup);
    let request: BillNotify = example_with("/bill_status_equest_top/customer_id", json!("1233"));
    let result = client.execute(&request).await;
    assert!(result.is_err(), "{result:?}");
    let problems = gw.check(1).expect_err("a changed parameter must be caught");
    assert!(problems.contains("bill_status_equest_top is"), "{problems}");
}

// ---- secrets ----

fn assert_no_secrets(what: &str, error: &CallError) {
    for text in [
        format!("{error:?}"),
        format!("{error:#?}"),
        error.to_string(),
    ] {
        assert!(
            !text.contains(APP_SECRET),
            "{what}: the app secret leaks: {text}"
        );
        assert!(
            !text.contains(SESSION),
            "{what}: the session key leaks: {text}"
        );
    }
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_display() {
    let setup = Setup::default();
    let gw = start_gateway::<RiskSync>(&setup, Reply::json(ERROR_JSON));
    let builder = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .target_app_key(TARGET_APP_KEY);
    let builder_debug = format!("{builder:?} {builder:#?}");
    let client = builder.build().expect("builds");
    let client_debug = format!("{client:?} {client:#?}");
    for text in [&builder_debug, &client_debug] {
        assert!(!text.contains(APP_SECRET), "{text}");
        assert!(
            text.contains(APP_KEY),
            "the debug output is not empty: {text}"
        );
    }

    // The prepared request carries the session on the wire, but not in its Debug.
    let prepared = client
        .prepare(&example::<RiskSync>(), Some(Secret::new(SESSION)), None)
        .expect("prepares");
    assert!(
        prepared.url.contains(&format!("session={SESSION}")),
        "{}",
        prepared.url
    );
    for text in [format!("{prepared:?}"), format!("{prepared:#?}")] {
        assert!(!text.contains(SESSION), "{text}");
        assert!(!text.contains(APP_SECRET), "{text}");
        assert!(text.contains("session=<redacted>"), "{text}");
    }

    // Errors of every kind.
    let api = client
        .execute_with_session(&example::<RiskSync>(), SESSION)
        .await
        .expect_err("the gateway answers an error");
    assert!(matches!(api, CallError::Api(_)), "{api:?}");
    assert_no_secrets("API error", &api);
    gw.check(1).expect("valid request");
    let missing = client
        .execute_with_optional_session(&example::<RiskSync>(), None)
        .await
        .expect_err("no session");
    assert_no_secrets("missing session", &missing);

    // A connection failure: reqwest's messages name the URL, which holds the session.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        listener.local_addr().expect("an address")
    };
    let refused = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(format!("http://{closed}/router/rest")))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("builds");
    let error = refused
        .execute_with_session(&example::<RiskSync>(), SESSION)
        .await
        .expect_err("nothing listens there");
    assert!(
        matches!(&error, CallError::Transport(e) if !e.timed_out),
        "{error:?}"
    );
    assert_no_secrets("connection refused", &error);

    let gw = start_gateway::<RiskSync>(&setup, Reply::html(502, HTML_PAGE));
    let error = crate::seeds::client(&gw, &setup)
        .execute_with_session(&example::<RiskSync>(), SESSION)
        .await
        .expect_err("HTTP 502");
    assert_no_secrets("HTTP error", &error);
}

#[tokio::test]
async fn the_expected_wire_request_matches_a_pinned_prepare() {
    // The client's own dry run (prepare) passes the gateway's independent checks, for every
    // API and sign method, with a pinned timestamp.
    async fn check<R: Seed>() {
        for sign_method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            let setup = Setup {
                sign_method,
                ..Setup::default()
            };
            let gw = start_gateway::<R>(&setup, Reply::json("{}"));
            let prepared = client(&gw, &setup)
                .prepare(
                    &example::<R>(),
                    session::<R>().map(Secret::new),
                    Some("2016-01-01 12:00:00".into()),
                )
                .expect("prepares");
            let seen = top_e2e::SeenRequest {
                method: prepared.method.to_owned(),
                target: prepared
                    .url
                    .split_once("127.0.0.1")
                    .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
                    .expect("a local URL"),
                headers: crate::owned_headers(&prepared),
                body: prepared.body.clone(),
            };
            let expect = expect::<R>(&setup, TimestampCheck::Exact("2016-01-01 12:00:00".into()));
            let problems = top_e2e::wire::verify(&expect, &seen);
            assert!(
                problems.is_empty(),
                "{} {sign_method}: {problems:#?}",
                R::METHOD
            );
            assert_eq!(gw.request_count(), 0);
        }
    }
    check::<BillNotify>().await;
    check::<SignStatus>().await;
    check::<RiskSync>().await;
}
