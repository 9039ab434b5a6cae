//! Retries and rate limits against the fake gateway's scripted faults. Waits go through a
//! recording sleeper that returns at once, so the tests check the exact waits and never
//! sleep; one test uses the real timer with millisecond waits.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use top_apis::TmallFinCarOpenBillNotifyRequest as BillNotify;
use top_e2e::{Answer, FakeGateway, Reply, TimestampCheck};
use top_runtime::retry::{Jitter, RetryPolicy, Sleep, SleepFuture, seeded_draws};
use top_runtime::{CallError, Gateway, TopClient};

use crate::seeds::*;

const BAD_GATEWAY: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

/// Records every wait and returns at once.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Duration>>>);

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Sleep for Recorder {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        Box::pin(async {})
    }
}

fn isp_error() -> Reply {
    Reply::top_error(
        15,
        "Remote service error",
        "isp.remote-service-timeout",
        "服务超时",
        "e2e-isp-1",
    )
}

fn isv_error() -> Reply {
    Reply::top_error(
        15,
        "Remote service error",
        "isv.invalid-parameter",
        "非法参数",
        "e2e-isv-1",
    )
}

fn rate_limited(sub_msg: &str) -> Reply {
    Reply::top_error(
        7,
        "App Call Limited",
        "accesscontrol.limited-by-api-access-count",
        sub_msg,
        "e2e-limit-1",
    )
}

fn success() -> Reply {
    Reply::json(BillNotify::json_success())
}

/// A gateway expecting valid `bill.notify` example calls: `script` first, then success.
fn gateway(script: impl IntoIterator<Item = Answer>) -> FakeGateway {
    FakeGateway::builder(
        expect::<BillNotify>(&Setup::default(), TimestampCheck::NearNow),
        success(),
    )
    .script(script)
    .start()
    .expect("the fake gateway starts")
}

const SEED: u64 = 42;

/// 1 ms doubling to at most 8 ms, seeded jitter.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(8))
        .seed(SEED)
}

fn client(gateway: &FakeGateway, policy: RetryPolicy, sleeper: &Recorder) -> TopClient {
    TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .retry(policy)
        .sleeper(sleeper.clone())
        .build()
        .expect("the client builds")
}

/// The waits a fresh client with `policy` makes before its first `n` retries.
fn expected_waits(policy: &RetryPolicy, n: u32) -> Vec<Duration> {
    (1..=n)
        .zip(seeded_draws(SEED))
        .map(|(retry, random)| policy.delay(retry, random))
        .collect()
}

#[tokio::test]
async fn reset_502_and_isp_error_are_retried_until_success() {
    let gw = gateway([
        Answer::Reset,
        Reply::html(502, BAD_GATEWAY).into(),
        isp_error().into(),
    ]);
    let sleeper = Recorder::default();
    let response = client(&gw, policy(), &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect("the fourth attempt succeeds");
    assert_eq!(to_json(&response), BillNotify::expected_response());
    // Four requests, each one valid: signed afresh, with a timestamp the gateway accepts.
    gw.check(4).expect("four valid requests");
    // The isp error comes with HTTP 200, like the real gateway's.
    assert_eq!(gw.answers(), ["reset", "502", "200", "200"]);
    let received = gw.received();
    assert_ne!(
        received[0].connection, received[1].connection,
        "a reset connection is not reused"
    );
    // Capped exponential backoff with the seeded jitter: exactly these waits.
    let waits = sleeper.waits();
    assert_eq!(waits, expected_waits(&policy(), 3));
    for (retry, wait) in (1..).zip(&waits) {
        let backoff = policy().backoff(retry);
        assert!(*wait >= backoff / 2 && *wait <= backoff, "{wait:?}");
    }
}

#[tokio::test]
async fn a_business_error_is_sent_exactly_once() {
    let gw = gateway([isv_error().into()]);
    let sleeper = Recorder::default();
    let client = client(&gw, policy(), &sleeper);
    let error = client
        .execute(&example::<BillNotify>())
        .await
        .expect_err("isv errors are final");
    let CallError::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.sub_code.as_deref(), Some("isv.invalid-parameter"));
    assert_eq!(error.request_id(), Some("e2e-isv-1"));
    assert_eq!(error.attempts(), 1);
    gw.check(1).expect("sent exactly once");
    assert_eq!(sleeper.waits(), []);

    // A request that fails validation is never sent, retries or not.
    let invalid: BillNotify =
        example_with("/bill_status_equest_top/customer_id", "x".repeat(33).into());
    let error = client.execute(&invalid).await.expect_err("too long");
    assert!(
        matches!(error, CallError::Invalid { code: 41, .. }),
        "{error:?}"
    );
    assert_eq!(error.attempts(), 0);
    gw.check(1).expect("nothing more arrived");
    assert_eq!(sleeper.waits(), []);
}

#[tokio::test]
async fn retries_are_off_by_default() {
    let gw = gateway([Answer::Reset]);
    let client = crate::seeds::client(&gw, &Setup::default());
    let error = client
        .execute(&example::<BillNotify>())
        .await
        .expect_err("the reset is returned");
    assert!(
        matches!(&error, CallError::Transport(e) if !e.timed_out),
        "{error:?}"
    );
    assert_eq!(error.request_id(), None);
    gw.check(1).expect("sent once");
    assert_eq!(gw.answers(), ["reset"]);
}

#[tokio::test]
async fn giving_up_returns_the_last_error_and_the_attempt_count() {
    // Always 502: three retries, then the last 502.
    let gw = FakeGateway::builder(
        expect::<BillNotify>(&Setup::default(), TimestampCheck::NearNow),
        Reply::html(502, BAD_GATEWAY),
    )
    .start()
    .expect("starts");
    let sleeper = Recorder::default();
    let error = client(&gw, policy(), &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect_err("never succeeds");
    let CallError::Retried { attempts, last } = &error else {
        panic!("expected Retried, got {error:?}");
    };
    assert_eq!(*attempts, 4);
    assert!(
        matches!(**last, CallError::Http { status: 502, .. }),
        "{last:?}"
    );
    assert_eq!(error.request_id(), None, "an HTML page has no request id");
    assert!(error.to_string().ends_with("(after 4 attempts)"), "{error}");
    gw.check(4).expect("1 + 3 valid requests");
    assert_eq!(sleeper.waits(), expected_waits(&policy(), 3));

    // Always an isp error, two retries: the last error keeps its request id.
    let gw = FakeGateway::builder(
        expect::<BillNotify>(&Setup::default(), TimestampCheck::NearNow),
        isp_error(),
    )
    .start()
    .expect("starts");
    let sleeper = Recorder::default();
    let error = client(&gw, policy().max_retries(2), &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect_err("never succeeds");
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.request_id(), Some("e2e-isp-1"));
    assert_eq!(
        error.api_error().and_then(|e| e.sub_code.as_deref()),
        Some("isp.remote-service-timeout")
    );
    gw.check(3).expect("1 + 2 valid requests");
    assert_eq!(sleeper.waits().len(), 2);
}

#[tokio::test]
async fn a_time_out_is_retried() {
    let gw = gateway([success().delayed(Duration::from_secs(2)).into()]);
    let sleeper = Recorder::default();
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .timeout(Duration::from_millis(300))
        .retry(policy())
        .sleeper(sleeper.clone())
        .build()
        .expect("builds");
    client
        .execute(&example::<BillNotify>())
        .await
        .expect("the retry is answered at once");
    gw.check(2).expect("two valid requests");
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_is_typed_with_its_ban_and_not_retried() {
    let message = "This ban will last for 1 more seconds";
    let gw = gateway([rate_limited(message).into()]);
    let sleeper = Recorder::default();
    let error = client(&gw, policy(), &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect_err("rate limited");
    let CallError::RateLimited { ban, error: api } = &error else {
        panic!("expected RateLimited, got {error:?}");
    };
    assert_eq!(*ban, Some(Duration::from_secs(1)));
    assert_eq!(api.code, "7");
    assert_eq!(
        api.sub_msg.as_deref(),
        Some(message),
        "the whole message is kept"
    );
    assert_eq!(error.request_id(), Some("e2e-limit-1"));
    gw.check(1).expect("sent once");
    assert_eq!(sleeper.waits(), []);

    // Without a stated ban: still typed, ban unknown.
    let gw = gateway([rate_limited("调用次数超限").into()]);
    let error = crate::seeds::client(&gw, &Setup::default())
        .execute(&example::<BillNotify>())
        .await
        .expect_err("rate limited");
    assert!(
        matches!(&error, CallError::RateLimited { ban: None, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_short_ban_is_waited_out_when_the_policy_allows() {
    let allowing = policy().wait_out_bans_up_to(Duration::from_secs(2));
    let gw = gateway([rate_limited("This ban will last for 1 more seconds").into()]);
    let sleeper = Recorder::default();
    client(&gw, allowing.clone(), &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect("the retry after the ban succeeds");
    gw.check(2).expect("two valid requests");
    assert_eq!(sleeper.waits(), [Duration::from_secs(1)]);

    // A ban longer than allowed is returned at once.
    let gw = gateway([rate_limited("该封禁还将持续 35 秒").into()]);
    let sleeper = Recorder::default();
    let error = client(&gw, allowing, &sleeper)
        .execute(&example::<BillNotify>())
        .await
        .expect_err("too long to wait");
    assert!(
        matches!(&error, CallError::RateLimited { ban: Some(b), .. } if b.as_secs() == 35),
        "{error:?}"
    );
    gw.check(1).expect("sent once");
    assert_eq!(sleeper.waits(), []);
}

#[tokio::test]
async fn the_default_sleeper_waits_with_tokio() {
    let gw = gateway([
        Reply::html(502, BAD_GATEWAY).into(),
        Reply::html(503, BAD_GATEWAY).into(),
    ]);
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .retry(policy().jitter(Jitter::Full))
        .build()
        .expect("builds");
    client
        .execute(&example::<BillNotify>())
        .await
        .expect("the third attempt succeeds");
    gw.check(3).expect("three valid requests");
    assert_eq!(gw.answers(), ["502", "503", "200"]);
    // Nothing was reset, so the client kept its connection.
    assert_eq!(gw.connection_count(), 1);
}

#[tokio::test]
async fn retried_errors_show_no_secrets() {
    use top_apis::TaobaoAliautoRiskInfoTmallYcServiceSyncRequest as RiskSync;
    // Nothing listens there: every attempt is refused, and reqwest's messages would name the
    // URL, which carries the session key.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        listener.local_addr().expect("an address")
    };
    let sleeper = Recorder::default();
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(format!("http://{closed}/router/rest")))
        .retry(policy().max_retries(2))
        .sleeper(sleeper.clone())
        .build()
        .expect("builds");
    let error = client
        .execute_with_session(&example::<RiskSync>(), SESSION)
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, CallError::Retried { attempts: 3, last } if matches!(**last, CallError::Transport(_))),
        "{error:?}"
    );
    assert_eq!(sleeper.waits().len(), 2);
    let shown = format!("{error} {error:?} {client:?}");
    assert!(!shown.contains(SESSION), "{shown}");
    assert!(!shown.contains(APP_SECRET), "{shown}");
}

/// A body over the client's limit, sent by the real transport: a typed error with the status,
/// and never retried (the next answer would be as large). Under the limit, the same padded
/// body decodes.
#[tokio::test]
async fn a_body_over_the_size_limit_is_refused_with_a_typed_error() {
    const LIMIT: usize = 1 << 20;
    let padded = format!("{}{}", BillNotify::json_success(), " ".repeat(8 * LIMIT));
    let gw = FakeGateway::builder(
        expect::<BillNotify>(&Setup::default(), TimestampCheck::NearNow),
        Reply::json(padded),
    )
    .start()
    .expect("the fake gateway starts");
    let sleeper = Recorder::default();
    let client = |limit: usize| {
        TopClient::builder(APP_KEY, APP_SECRET)
            .gateway(Gateway::Url(gw.url()))
            .retry(policy().max_retries(3))
            .sleeper(sleeper.clone())
            .max_body_size(limit)
            .build()
            .expect("the client builds")
    };
    match client(LIMIT).execute(&example::<BillNotify>()).await {
        Err(CallError::BodyTooLarge { limit, status }) => assert_eq!((limit, status), (LIMIT, 200)),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    assert_eq!(gw.request_count(), 1, "an oversized answer is not retried");
    assert!(sleeper.waits().is_empty());
    let response = client(16 * LIMIT)
        .execute(&example::<BillNotify>())
        .await
        .expect("under the limit, the padded body decodes");
    assert_eq!(to_json(&response), BillNotify::expected_response());
}
