//! Hostile responses (issue 9 §2): huge and deeply nested bodies give a clear error or a
//! bounded result, never a panic or a stack overflow; the client refuses a body over its
//! size limit.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use top_runtime::api::Params;
use top_runtime::client::{DEFAULT_MAX_BODY_SIZE, HttpResponse, Transport, TransportFuture};
use top_runtime::prepare::{Format, HttpRequest};
use top_runtime::response::{ResponseError, ResponseSpec, decode, decode_value};
use top_runtime::validate::{Path, ValidationErrors};
use top_runtime::{
    ApiRequest, CallError, ClientFamily, SessionFree, SessionRequirement, TopClient, Validate,
};

const MB: usize = 1024 * 1024;

/// Runs `f` on a thread with a small stack: decoding that recursed once per level of a
/// million-deep body would overflow it at once.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no overflow")
}

fn decode_error(result: Result<serde_json::Value, ResponseError>) -> String {
    match result {
        Err(ResponseError::Decode(e)) => e.to_string(),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_million_deep_json_body_is_a_decode_error() {
    let body = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let shown = on_small_stack(move || {
        let spec = ResponseSpec::new("taobao.a.get", Format::Json);
        decode_error(decode_value(body.as_bytes(), &spec))
    });
    assert!(shown.contains("nested deeper than 64 levels"), "{shown}");
}

#[test]
fn a_million_deep_json_object_is_a_decode_error_in_every_mode() {
    let body = format!("{}1{}", "{\"a\":".repeat(1_000_000), "}".repeat(1_000_000));
    on_small_stack(move || {
        for (simplify, qimen) in [(false, false), (true, false), (false, true)] {
            let spec = ResponseSpec::new("taobao.a.get", Format::Json)
                .simplify(simplify)
                .qimen(qimen);
            let shown = decode_error(decode_value(body.as_bytes(), &spec));
            assert!(shown.contains("nested deeper than 64 levels"), "{shown}");
        }
    });
}

#[test]
fn a_million_deep_xml_body_is_a_decode_error_in_every_mode() {
    let body = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
    on_small_stack(move || {
        for (simplify, qimen) in [(false, false), (true, false), (false, true)] {
            let spec = ResponseSpec::new("taobao.a.get", Format::Xml)
                .simplify(simplify)
                .qimen(qimen);
            let shown = decode_error(decode_value(body.as_bytes(), &spec));
            assert!(shown.contains("nested deeper than 64"), "{shown}");
            // The message quotes the start of the body, not all 7 MB of it.
            assert!(shown.len() < 2_000, "{} bytes", shown.len());
        }
    });
}

#[test]
fn the_deepest_accepted_json_and_xml_decode_into_types_on_a_small_stack() {
    on_small_stack(|| {
        let json = format!(
            "{{\"a_get_response\":{}1{}}}",
            "{\"a\":".repeat(63),
            "}".repeat(63)
        );
        let spec = ResponseSpec::new("taobao.a.get", Format::Json);
        decode::<serde_json::Value>(json.as_bytes(), &spec).expect("64 levels decode");
        let xml = format!(
            "<a_get_response>{}1{}</a_get_response>",
            "<a>".repeat(63),
            "</a>".repeat(63)
        );
        let spec = ResponseSpec::new("taobao.a.get", Format::Xml);
        decode::<serde_json::Value>(xml.as_bytes(), &spec).expect("64 levels decode");
    });
}

#[test]
fn a_hundred_megabyte_body_decodes_or_fails_cleanly() {
    let filler = "x".repeat(100 * MB);
    let json = format!("{{\"a_get_response\":{{\"s\":\"{filler}\"}}}}");
    let spec = ResponseSpec::new("taobao.a.get", Format::Json);
    let value = decode_value(json.as_bytes(), &spec).expect("a big but valid body decodes");
    assert_eq!(value["s"].as_str().map(str::len), Some(100 * MB));
    drop(value);

    let xml = format!("<a_get_response><s>{filler}</s></a_get_response>");
    let spec = ResponseSpec::new("taobao.a.get", Format::Xml);
    let value = decode_value(xml.as_bytes(), &spec).expect("a big but valid body decodes");
    assert_eq!(value["s"].as_str().map(str::len), Some(100 * MB));

    // Truncated: an error whose message stays short.
    let cut = &json.as_bytes()[..json.len() - 2];
    let shown = decode_error(decode::<serde_json::Value>(cut, &spec.simplify(false)));
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
}

/// A request with nothing to send, for client tests.
struct Ping;

impl Validate for Ping {
    fn validate_at(&self, _: &Path<'_>, _: &mut ValidationErrors) {}
}

impl ApiRequest for Ping {
    const METHOD: &'static str = "taobao.ping.get";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = serde_json::Value;
    fn params<'a>(&'a self, _: &mut Params<'a>) {}
}

impl SessionFree for Ping {}

/// Answers every request with the same body.
struct Fixed(Vec<u8>);

impl Transport for Fixed {
    fn send(&self, _: HttpRequest) -> TransportFuture<'_> {
        let body = self.0.clone();
        Box::pin(async move { Ok(HttpResponse { status: 200, body }) })
    }
}

/// The client's futures finish without waiting when the transport does and nothing is
/// retried, so one poll runs them.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the call waited"),
    }
}

// The client's own result type; its size is the API's, not this helper's choice.
#[allow(clippy::result_large_err)]
fn call_with(body: Vec<u8>, limit: Option<usize>) -> Result<serde_json::Value, CallError> {
    let mut builder = TopClient::builder("key", "secret").transport(Fixed(body));
    if let Some(limit) = limit {
        builder = builder.max_body_size(limit);
    }
    let client = builder.build().expect("client");
    run(client.execute(&Ping))
}

#[test]
fn the_client_refuses_a_body_over_its_limit() {
    assert_eq!(DEFAULT_MAX_BODY_SIZE, 64 * MB);
    let small = br#"{"ping_get_response":{"ok":true}}"#.to_vec();
    assert_eq!(call_with(small.clone(), None).expect("ok")["ok"], true);
    assert_eq!(
        call_with(small.clone(), Some(small.len())).expect("ok")["ok"],
        true
    );

    let error = call_with(small.clone(), Some(small.len() - 1)).expect_err("over the limit");
    assert!(
        matches!(error, CallError::BodyTooLarge { limit, status: 200 } if limit == small.len() - 1),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.attempts(), 1);
    assert!(
        error
            .to_string()
            .contains("larger than the limit of 32 bytes"),
        "{error}"
    );

    let huge = call_with(vec![b' '; 100 * MB], None).expect_err("100 MB is over the default");
    assert!(
        matches!(huge, CallError::BodyTooLarge { limit, .. } if limit == DEFAULT_MAX_BODY_SIZE),
        "{huge:?}"
    );
}
