//! Feature `tracing`: a `top_call` span per attempt with its method, attempt, latency, HTTP
//! status, request id and error codes; events for retries and refresh decisions; and no
//! secret, session, token or body in anything recorded.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use top_runtime::oauth::{
    AccessToken, MemorySessionStore, Sessions, TokenResultResponse, TopAuthTokenCreateRequest,
    TopAuthTokenRefreshRequest,
};
use top_runtime::prepare::Secret;
use top_runtime::retry::{Jitter, RetryPolicy, Sleep, SleepFuture};
use top_runtime::testing::{MockTransport, block_on};
use top_runtime::{TopClient, client::TransportError};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const APP_SECRET: &str = "tracing-app-secret-S1";
const SESSION: &str = "tracing-session-S2";
const NEW_TOKEN: &str = "tracing-access-S3";
const REFRESH_TOKEN: &str = "tracing-refresh-S4";

/// What was recorded: each span's name and fields, each event's fields.
#[derive(Debug, Default)]
struct Recorded {
    spans: BTreeMap<u64, (String, BTreeMap<String, String>)>,
    events: Vec<BTreeMap<String, String>>,
}

#[derive(Clone, Default)]
struct Recorder {
    recorded: Arc<Mutex<Recorded>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.recorded.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        self.lock()
            .spans
            .insert(id, (span.metadata().name().to_owned(), fields));
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some((_, fields)) = self.lock().spans.get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.lock().events.push(fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Returns at once: the test checks what is recorded, not the waits.
struct NoWait;

impl Sleep for NoWait {
    fn sleep(&self, _: Duration) -> SleepFuture {
        Box::pin(async {})
    }
}

fn token_result(access: &str) -> TokenResultResponse {
    TokenResultResponse {
        token_result: Some(Secret::new(format!(
            r#"{{"access_token":"{access}","refresh_token":"{REFRESH_TOKEN}","expires_in":86400}}"#
        ))),
    }
}

fn assert_nothing_secret(recorded: &Recorded) {
    let values = recorded
        .spans
        .values()
        .flat_map(|(_, fields)| fields.values())
        .chain(recorded.events.iter().flat_map(BTreeMap::values));
    for value in values {
        for secret in [
            APP_SECRET,
            SESSION,
            NEW_TOKEN,
            REFRESH_TOKEN,
            "refresh_token",
        ] {
            assert!(!value.contains(secret), "{secret} recorded in {value:?}");
        }
    }
}

#[test]
fn each_attempt_is_a_span_and_each_retry_an_event() {
    let mock = MockTransport::new(APP_SECRET);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .fail_transport(TransportError {
            timed_out: true,
            message: "slow".into(),
        })
        .times(1);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .fail_with(
            15,
            "Remote service error",
            Some("isp.top-remote-timeout"),
            Some("超时"),
        )
        .times(1);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .respond_with(token_result(NEW_TOKEN));
    let client = TopClient::builder("app-key-1", APP_SECRET)
        .retry(RetryPolicy::default().jitter(Jitter::None))
        .sleeper(NoWait)
        .transport(mock.clone())
        .build()
        .expect("builds");
    let recorder = Recorder::default();
    let request = TopAuthTokenRefreshRequest::new(REFRESH_TOKEN);
    let answered = tracing::subscriber::with_default(recorder.clone(), || {
        block_on(client.execute_with_session(&request, SESSION)).map_err(|e| e.to_string())
    });
    answered.expect("the third attempt succeeds");
    let recorded = recorder.lock();
    let attempts: Vec<&BTreeMap<String, String>> = recorded
        .spans
        .values()
        .filter(|(name, _)| name == "top_call")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(attempts.len(), 3, "{recorded:#?}");
    for (i, fields) in attempts.iter().enumerate() {
        assert_eq!(fields["method"], "taobao.top.auth.token.refresh");
        assert_eq!(fields["attempt"], (i + 1).to_string());
        assert!(fields.contains_key("latency_ms"), "{fields:?}");
    }
    assert!(
        !attempts[0].contains_key("http_status"),
        "no answer: {:?}",
        attempts[0]
    );
    assert_eq!(attempts[1]["http_status"], "200");
    assert_eq!(attempts[1]["error_code"], "15");
    assert_eq!(attempts[1]["error_sub_code"], "isp.top-remote-timeout");
    assert_eq!(attempts[1]["request_id"], "mock-2");
    assert_eq!(attempts[2]["request_id"], "mock-3");
    assert!(!attempts[2].contains_key("error_code"));
    let retries: Vec<&BTreeMap<String, String>> = recorded
        .events
        .iter()
        .filter(|e| e.get("message").is_some_and(|m| m == "retrying the call"))
        .collect();
    assert_eq!(retries.len(), 2, "{recorded:#?}");
    assert_eq!(retries[0]["wait_ms"], "100");
    assert_eq!(retries[1]["wait_ms"], "200");
    assert_nothing_secret(&recorded);
}

#[test]
fn refresh_decisions_are_events_without_tokens() {
    let mock = MockTransport::new(APP_SECRET);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .respond_with(token_result(NEW_TOKEN))
        .times(1);
    mock.expect::<TopAuthTokenCreateRequest>()
        .matching_call(|call| call.session.as_ref().map(Secret::expose) == Some(NEW_TOKEN))
        .respond_with(token_result("unused"));
    let client = TopClient::builder("app-key-1", APP_SECRET)
        .transport(mock.clone())
        .build()
        .expect("builds");
    let store = MemorySessionStore::new();
    store.insert(
        "seller-1",
        AccessToken::new(SESSION)
            .with_refresh_token(REFRESH_TOKEN)
            .with_expires_at(Timestamp::now() + SignedDuration::from_secs(10)),
    );
    let sessions = Sessions::new(client, store);
    let recorder = Recorder::default();
    let answered = tracing::subscriber::with_default(recorder.clone(), || {
        block_on(sessions.execute_for_seller(&TopAuthTokenCreateRequest::new("c"), "seller-1"))
    });
    answered.expect("refreshed, then called with the new token");
    mock.verify().expect("both rules used");
    let recorded = recorder.lock();
    let decisions: Vec<&str> = recorded
        .events
        .iter()
        .filter(|e| e.get("seller").is_some_and(|s| s == "seller-1"))
        .map(|e| e["decision"].as_str())
        .collect();
    assert_eq!(
        decisions,
        ["expires within the margin: refreshing", "refreshed"],
        "{recorded:#?}"
    );
    assert_nothing_secret(&recorded);
}
