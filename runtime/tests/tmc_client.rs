//! `TmcClient` against a small in-test WebSocket server (tokio-tungstenite's server side,
//! frames through the runtime's codec), and `TmcHttpClient` over `MockTransport`.
//!
//! Every wait is bounded by `within` so a broken client fails a test instead of hanging it;
//! no assertion depends on how long anything took.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use top_runtime::retry::{Jitter, RetryPolicy};
use top_runtime::testing::MockTransport;
use top_runtime::tmc::{
    Frame, Message, MessageType, RunSummary, TmcClient, TmcError, TmcHttpClient, TmcMessage,
    TmcMessagesConfirmRequest, TmcMessagesConfirmResponse, TmcMessagesConsumeRequest,
    TmcMessagesConsumeResponse, Value, connect_sign, decode, encode,
};
use top_runtime::{DateTime, TopClient};

const KEY: &str = "12345678";
const SECRET: &str = "tmc-test-secret-9f3";
const BIG_ID: i64 = (1 << 53) + 1;

type Ws = WebSocketStream<TcpStream>;

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(10), f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

async fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", l.local_addr().unwrap());
    (l, url)
}

async fn accept(l: &TcpListener) -> Ws {
    let (tcp, _) = l.accept().await.unwrap();
    tokio_tungstenite::accept_async(tcp).await.unwrap()
}

/// The next TMC frame from the client; `None` when it closed. Pings are answered by
/// tungstenite while reading.
async fn next_frame(ws: &mut Ws) -> Option<Frame> {
    loop {
        match ws.next().await? {
            Ok(WsMessage::Binary(b)) => return Some(decode(&b).expect("client frames decode")),
            Ok(WsMessage::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

async fn send(ws: &mut Ws, f: &Frame) {
    ws.send(WsMessage::Binary(encode(f).into())).await.unwrap();
}

fn ack(token: &str) -> Frame {
    let mut f = Frame::new(MessageType::ConnectAck);
    f.flag = Some(1);
    f.token = Some(token.into());
    f
}

/// Reads the connect frame, checks its sign, answers with `token`.
async fn sign_in(ws: &mut Ws, token: &str) -> Frame {
    let connect = next_frame(ws).await.expect("a connect frame");
    assert_eq!(connect.message_type, MessageType::Connect);
    let s = |k| {
        connect
            .header(k)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };
    assert_eq!(s("app_key"), KEY);
    let sign = connect_sign(KEY, SECRET, &s("group_name"), &s("timestamp"));
    assert_eq!(s("sign"), sign);
    send(ws, &ack(token)).await;
    connect
}

fn message(id: i64, topic: &str) -> Frame {
    let mut f = Frame::new(MessageType::Send);
    f.token = Some("t".into());
    f.headers = vec![
        ("id".into(), Value::Int64(id)),
        ("topic".into(), Value::String(topic.into())),
        ("content".into(), Value::String(format!("{{\"n\":{id}}}"))),
        ("time".into(), Value::Date(1_700_000_000_000)),
        ("userid".into(), Value::Int64(99)),
    ];
    f
}

fn kind(f: &Frame) -> Option<i64> {
    f.header("__kind").and_then(Value::as_i64)
}

/// The id of a confirm frame sent with `token`; `None` for any other frame.
fn confirmed(f: &Frame, token: &str) -> Option<i64> {
    if f.message_type == MessageType::Send && kind(f) == Some(2) {
        assert_eq!(f.token.as_deref(), Some(token), "confirms carry the token");
        assert_eq!(
            f.header("__kind"),
            Some(&Value::Byte(2)),
            "__kind is a byte"
        );
        return f.header("id").and_then(Value::as_i64);
    }
    None
}

/// Frames until the next confirm (its id), skipping pulls; `None` at close.
async fn next_confirm(ws: &mut Ws, token: &str) -> Option<i64> {
    loop {
        let f = next_frame(ws).await?;
        if let Some(id) = confirmed(&f, token) {
            return Some(id);
        }
        assert_eq!(kind(&f), Some(1), "only pulls and confirms: {f:?}");
    }
}

fn fast(url: &str) -> top_runtime::tmc::TmcClientBuilder {
    TmcClient::builder(KEY, SECRET)
        .url(url)
        .pull_interval(Duration::from_millis(50))
        .heartbeat_interval(Duration::from_millis(200))
        .retry(
            RetryPolicy::default()
                .max_retries(5)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20))
                .jitter(Jitter::Full)
                .seed(1),
        )
}

#[tokio::test]
async fn signs_in_pulls_and_confirms_only_after_ok() {
    let (l, url) = listener().await;
    let client = fast(&url).group("grp-a").build().unwrap();
    let stop = client.shutdown_handle();
    let returned: Arc<Mutex<Vec<i64>>> = Arc::default();
    let seen = Arc::clone(&returned);
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        let connect = sign_in(&mut ws, "tok-1").await;
        assert_eq!(
            connect.header("group_name").and_then(Value::as_str),
            Some("grp-a")
        );
        // The pull comes at once after the ack, with the token.
        let pull = next_frame(&mut ws).await.unwrap();
        assert_eq!(
            (kind(&pull), pull.token.as_deref()),
            (Some(1), Some("tok-1"))
        );
        assert_eq!(pull.header("__kind"), Some(&Value::Byte(1)));
        for id in [1, 2, BIG_ID] {
            send(&mut ws, &message(id, "taobao_trade_TradeBuyerPay")).await;
        }
        let mut ids = Vec::new();
        while ids.len() < 3 {
            let id = next_confirm(&mut ws, "tok-1").await.unwrap();
            // Sent after the handler returned Ok for it, never before.
            assert!(seen.lock().unwrap().contains(&id), "confirm {id} before Ok");
            ids.push(id);
        }
        stop.shutdown();
        ids.sort_unstable();
        assert_eq!(ids, [1, 2, BIG_ID]);
        assert_eq!(next_confirm(&mut ws, "tok-1").await, None, "then a close");
    });
    let summary = within(
        "run",
        client.run(move |m: Message| {
            let returned = Arc::clone(&returned);
            async move {
                assert_eq!(m.user_id, Some(99));
                assert_eq!(m.pub_time, Some(1_700_000_000_000));
                returned.lock().unwrap().push(m.id);
                Ok::<(), String>(())
            }
        }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert_eq!((summary.confirmed, summary.connections), (3, 1));
}

#[tokio::test]
async fn err_and_panic_leave_messages_unconfirmed() {
    let (l, url) = listener().await;
    let client = fast(&url).concurrency(1).build().unwrap();
    let stop = client.shutdown_handle();
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok").await;
        for id in [1, 2, 3] {
            send(&mut ws, &message(id, "t")).await;
        }
        // One at a time, in order: had 1 or 2 been confirmed, it would come before 3.
        assert_eq!(next_confirm(&mut ws, "tok").await, Some(3));
        stop.shutdown();
        assert_eq!(next_confirm(&mut ws, "tok").await, None);
    });
    let summary = within(
        "run",
        client.run(|m: Message| async move {
            match m.id {
                1 => Err("refused by the handler"),
                2 => panic!("handler panic (expected by the test)"),
                _ => Ok(()),
            }
        }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert_eq!(
        (summary.confirmed, summary.failed, summary.panicked),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn handlers_run_concurrently_up_to_the_bound() {
    let (l, url) = listener().await;
    let client = fast(&url).concurrency(3).build().unwrap();
    let stop = client.shutdown_handle();
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok").await;
        for id in 1..=12 {
            send(&mut ws, &message(id, "t")).await;
        }
        for _ in 0..12 {
            next_confirm(&mut ws, "tok").await.unwrap();
        }
        stop.shutdown();
    });
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (Arc::clone(&running), Arc::clone(&most));
    let summary = within(
        "run",
        client.run(move |_: Message| {
            let (running, most) = (Arc::clone(&r), Arc::clone(&m));
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert_eq!(summary.confirmed, 12);
    let most = most.load(Ordering::SeqCst);
    assert!(most <= 3, "{most} handlers at once");
    assert!(most > 1, "handlers ran one by one");
}

#[tokio::test]
async fn reconnects_after_a_drop_and_restarts_the_pull() {
    let (l, url) = listener().await;
    let client = fast(&url).build().unwrap();
    let stop = client.shutdown_handle();
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok-1").await;
        send(&mut ws, &message(1, "t")).await;
        assert_eq!(next_confirm(&mut ws, "tok-1").await, Some(1));
        drop(ws); // the server goes away mid-stream
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok-2").await;
        let first = next_frame(&mut ws).await.unwrap();
        assert_eq!(
            (kind(&first), first.token.as_deref()),
            (Some(1), Some("tok-2")),
            "the pull restarts at once, with the new token"
        );
        send(&mut ws, &message(2, "t")).await;
        assert_eq!(next_confirm(&mut ws, "tok-2").await, Some(2));
        stop.shutdown();
    });
    let summary = within(
        "run",
        client.run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert_eq!((summary.confirmed, summary.connections), (2, 2));
}

#[tokio::test]
async fn a_silent_connection_is_taken_as_dead_and_replaced() {
    let (l, url) = listener().await;
    let client = fast(&url)
        .heartbeat_interval(Duration::from_millis(30))
        .build()
        .unwrap();
    let stop = client.shutdown_handle();
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok-1").await;
        // Stop answering: no reads, so no pongs, and nothing sent. The socket stays open.
        let silent = ws;
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok-2").await;
        drop(silent);
        stop.shutdown();
    });
    let summary = within(
        "run",
        client.run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert_eq!(summary.connections, 2);
}

#[tokio::test]
async fn an_unreachable_server_is_retried_then_given_up() {
    let (l, url) = listener().await;
    drop(l); // connections to it are refused
    let client = fast(&url)
        .retry(
            RetryPolicy::default()
                .max_retries(2)
                .base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let error = within(
        "run",
        client.run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap_err();
    match &error {
        TmcError::GaveUp { attempts, last } => {
            assert_eq!(*attempts, 3, "the first attempt and 2 retries");
            assert!(matches!(**last, TmcError::WebSocket(_)), "{last:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!error.to_string().contains(SECRET));
}

#[tokio::test]
async fn a_refusal_ends_the_run_at_once() {
    let (l, url) = listener().await;
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        next_frame(&mut ws).await.unwrap();
        let mut refusal = Frame::new(MessageType::ConnectAck);
        refusal.status_code = Some(401);
        refusal.status_phrase = Some("invalid sign".into());
        send(&mut ws, &refusal).await;
    });
    let error = within(
        "run",
        fast(&url)
            .build()
            .unwrap()
            .run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap_err();
    server.await.unwrap();
    assert!(
        matches!(&error, TmcError::Refused { code: 401, phrase: Some(p) } if p == "invalid sign"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_garbage_answer_to_the_connect_is_an_error_with_a_snippet() {
    let (l, url) = listener().await;
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        next_frame(&mut ws).await.unwrap();
        ws.send(WsMessage::Binary(b"<html>502</html>".to_vec().into()))
            .await
            .unwrap();
    });
    let client = fast(&url).retry(RetryPolicy::never()).build().unwrap();
    let error = within(
        "run",
        client.run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap_err();
    server.await.unwrap();
    let TmcError::GaveUp { last, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(matches!(**last, TmcError::Frame { .. }), "{last:?}");
    let text = error.to_string();
    assert!(text.contains("\"<html>502</html>\""), "{text}");
}

#[tokio::test]
async fn shutdown_waits_for_running_handlers_and_sends_their_confirms() {
    let (l, url) = listener().await;
    let client = fast(&url).concurrency(1).build().unwrap();
    let stop = client.shutdown_handle();
    let started = Arc::new(Notify::new());
    let (release, gate) = oneshot::channel::<()>();
    let gate = Arc::new(Mutex::new(Some(gate)));
    let finished = Arc::new(AtomicBool::new(false));
    let started_h = Arc::clone(&started);
    let finished_h = Arc::clone(&finished);
    let server = tokio::spawn(async move {
        let mut ws = accept(&l).await;
        sign_in(&mut ws, "tok").await;
        send(&mut ws, &message(1, "t")).await;
        send(&mut ws, &message(2, "t")).await; // waits behind 1: never started
        started.notified().await;
        stop.shutdown();
        send(&mut ws, &message(3, "t")).await; // after the shutdown: not taken
        // The run waits for handler 1 …
        release.send(()).unwrap();
        // … and confirms it before closing; nothing else is confirmed.
        assert_eq!(next_confirm(&mut ws, "tok").await, Some(1));
        assert_eq!(next_confirm(&mut ws, "tok").await, None);
    });
    let summary: RunSummary = within(
        "run",
        client.run(move |m: Message| {
            let gate = gate.lock().unwrap().take();
            let (started, finished) = (Arc::clone(&started_h), Arc::clone(&finished_h));
            async move {
                assert_eq!(m.id, 1, "only the first message runs");
                started.notify_one();
                if let Some(gate) = gate {
                    gate.await.unwrap();
                }
                finished.store(true, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        }),
    )
    .await
    .unwrap();
    server.await.unwrap();
    assert!(finished.load(Ordering::SeqCst));
    assert_eq!(summary.confirmed, 1);
    assert!(summary.not_started >= 1, "{summary:?}");
}

#[test]
fn debug_never_shows_the_secret() {
    let builder = TmcClient::builder(KEY, SECRET).group("g");
    assert!(!format!("{builder:?}").contains(SECRET));
    let client = builder.build().unwrap();
    let text = format!("{client:?} {:?}", client.shutdown_handle());
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains(KEY));
}

#[test]
fn bad_settings_are_config_errors() {
    for builder in [
        TmcClient::builder(" ", SECRET),
        TmcClient::builder(KEY, ""),
        TmcClient::builder(KEY, SECRET).group(""),
        TmcClient::builder(KEY, SECRET).url("http://mc.api.taobao.com/"),
        TmcClient::builder(KEY, SECRET).concurrency(0),
        TmcClient::builder(KEY, SECRET).heartbeat_interval(Duration::ZERO),
    ] {
        let error = builder.build().unwrap_err();
        assert!(matches!(error, TmcError::Config(_)), "{error:?}");
    }
    assert!(
        TmcClient::builder(KEY, SECRET)
            .url(top_runtime::tmc::SANDBOX_URL)
            .build()
            .is_ok()
    );
    assert!(
        TmcClient::builder(KEY, SECRET)
            .url("wss://mc.example/")
            .build()
            .is_ok()
    );
}

// ---- the HTTP fallback ----

fn http_message(id: i64) -> TmcMessage {
    TmcMessage {
        id: Some(id),
        topic: Some("taobao_trade_TradeCreate".into()),
        content: Some(format!("{{\"tid\":{id}}}")),
        pub_time: "2024-01-02 03:04:05".parse::<DateTime>().ok(),
        pub_app_key: Some("12497914".into()),
        user_id: Some(7),
        user_nick: Some("店".into()),
    }
}

#[tokio::test]
async fn http_fallback_confirms_handled_messages_and_names_failed_ones() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<TmcMessagesConsumeRequest>()
        .respond_with(TmcMessagesConsumeResponse {
            messages: Some(vec![http_message(BIG_ID), http_message(2), http_message(3)]),
        })
        .times(1);
    mock.expect::<TmcMessagesConfirmRequest>()
        .respond_with(TmcMessagesConfirmResponse {
            is_success: Some(true),
        })
        .times(1);
    let top = TopClient::builder(KEY, SECRET)
        .transport(mock.clone())
        .build()
        .unwrap();
    let client = TmcHttpClient::new(top)
        .group("grp-h")
        .quantity(50)
        .concurrency(1);
    let stop = client.shutdown_handle();
    let summary = within(
        "run",
        client.run(move |m: Message| {
            let stop = stop.clone();
            async move {
                assert_eq!(
                    m.pub_time,
                    Some(1_704_135_845_000),
                    "China time, as epoch ms"
                );
                match m.id {
                    2 => Err("no"),
                    3 => {
                        // The last of the batch: stop after it.
                        stop.shutdown();
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
        }),
    )
    .await
    .unwrap();
    assert_eq!((summary.confirmed, summary.failed), (2, 1));
    let calls = mock.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].method, "taobao.tmc.messages.consume");
    assert_eq!(
        calls[0].params.get("group_name").map(String::as_str),
        Some("grp-h")
    );
    assert_eq!(
        calls[0].params.get("quantity").map(String::as_str),
        Some("50")
    );
    assert_eq!(calls[1].method, "taobao.tmc.messages.confirm");
    let ids = calls[1].params.get("s_message_ids").unwrap();
    assert_eq!(ids, &format!("{BIG_ID},3"), "exact above 2^53");
    assert_eq!(
        calls[1].params.get("f_message_ids").map(String::as_str),
        Some("2")
    );
    mock.verify().unwrap();
}

#[tokio::test]
async fn http_fallback_gives_up_when_consume_keeps_failing() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<TmcMessagesConsumeRequest>()
        .fail_with(15, "Remote service error", Some("isp.unknown-error"), None)
        .times(3);
    let top = TopClient::builder(KEY, SECRET)
        .transport(mock.clone())
        .build()
        .unwrap();
    let error = within(
        "run",
        TmcHttpClient::new(top)
            .retry(
                RetryPolicy::default()
                    .max_retries(2)
                    .base_delay(Duration::from_millis(1)),
            )
            .run(|_: Message| async { Ok::<(), String>(()) }),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, TmcError::Call(_)), "{error:?}");
    assert_eq!(mock.calls().len(), 3);
}

#[test]
fn http_messages_hide_their_contents() {
    let m = http_message(1);
    let text = format!("{m:?} {:?}", m.to_message().unwrap());
    assert!(!text.contains("tid") && !text.contains('店'), "{text}");
}
