//! The fake TMC server itself, driven by a raw WebSocket client and the e2e codec: what it
//! refuses and accepts, what it counts, and when it delivers again.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use top_e2e::tmc_server::REFUSED_CODE;
use top_e2e::tmc_wire::{self, Val, WireFrame};
use top_e2e::{FakeTmc, sample_messages};

const APP_KEY: &str = "12345678";
const SECRET: &str = "s3cr3t-密钥";
/// Long enough for anything the server owes us on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(10);

struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    token: Option<String>,
}

impl Raw {
    async fn open(server: &FakeTmc) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(server.url())
            .await
            .expect("the WebSocket handshake");
        Raw { ws, token: None }
    }

    async fn send(&mut self, frame: &WireFrame) {
        let bytes = tmc_wire::write(frame);
        self.ws
            .send(WsMessage::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// The next frame; `None` when the server closed the connection.
    async fn recv(&mut self) -> Option<WireFrame> {
        loop {
            let next = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the server answers in time");
            match next {
                Some(Ok(WsMessage::Binary(bytes))) => {
                    return Some(tmc_wire::parse(&bytes).expect("a well-formed frame"));
                }
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// Sends the connect frame signed with `secret`; the ack.
    async fn connect_with(&mut self, app_key: &str, secret: &str) -> WireFrame {
        let timestamp = "1700000000000";
        let sign = tmc_wire::connect_sign(secret, app_key, "default", timestamp);
        let connect = WireFrame {
            // The Java SDK numbers the frames it awaits an answer to, the connect first.
            flag: Some(1),
            ..WireFrame::of(tmc_wire::CONNECT)
        }
        .with("app_key", Val::Str(app_key.into()))
        .with("group_name", Val::Str("default".into()))
        .with("timestamp", Val::Str(timestamp.into()))
        .with("sdk", Val::Str("raw-test".into()))
        // What the Java SDK also sends: a null connection token, an IP, a minor group.
        .with("token", Val::Void)
        .with("intranet_ip", Val::Str("10.0.0.1".into()))
        .with("minor_group", Val::Str("default".into()))
        .with("sign", Val::Str(sign));
        self.send(&connect).await;
        let ack = self.recv().await.expect("a connect ack");
        assert_eq!(ack.msg_type, tmc_wire::CONNECT_ACK);
        assert_eq!(ack.flag, Some(1), "the ack echoes the flag");
        self.token.clone_from(&ack.token);
        ack
    }

    async fn connect(&mut self) {
        let ack = self.connect_with(APP_KEY, SECRET).await;
        assert!(ack.token.is_some(), "refused: {:?}", ack.status_phrase);
    }

    fn send_frame(&self) -> WireFrame {
        WireFrame {
            token: self.token.clone(),
            ..WireFrame::of(tmc_wire::SEND)
        }
    }

    async fn confirm(&mut self, id: i64) {
        let frame = self
            .send_frame()
            .with("__kind", Val::U8(2))
            .with("id", Val::I64(id));
        self.send(&frame).await;
    }

    async fn pull(&mut self) {
        let frame = self.send_frame().with("__kind", Val::U8(1));
        self.send(&frame).await;
    }

    /// The next frame, which must be a message: its id.
    async fn message_id(&mut self) -> i64 {
        let frame = self.recv().await.expect("a message, not a close");
        assert_eq!(frame.msg_type, tmc_wire::SEND);
        frame.int("id").expect("an id")
    }
}

/// Polls `check` until it holds (the server works on its own thread).
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn server(messages: usize) -> top_e2e::TmcServerBuilder {
    FakeTmc::builder(APP_KEY, SECRET).messages(sample_messages(messages))
}

#[tokio::test]
async fn a_bad_sign_or_app_key_is_refused_with_a_status_and_no_token() {
    let tmc = server(3).start().unwrap();
    for (app_key, secret, why) in [
        (APP_KEY, "wrong secret", "invalid sign"),
        ("87654321", SECRET, "unknown app_key"),
    ] {
        let mut raw = Raw::open(&tmc).await;
        let ack = raw.connect_with(app_key, secret).await;
        assert_eq!(ack.status_code, Some(REFUSED_CODE));
        assert_eq!(ack.status_phrase.as_deref(), Some(why));
        assert_eq!(ack.token, None);
        // Refused: the server closes, and delivers nothing.
        assert_eq!(raw.recv().await, None);
    }
    let stats = tmc.stats();
    assert_eq!((stats.refused, stats.connects, stats.delivered), (2, 0, 0));
    assert_eq!(tmc.connects().len(), 2);
}

#[tokio::test]
async fn a_good_sign_gets_a_token_and_the_messages_with_every_field() {
    let tmc = server(3).window(2).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    let ack = raw.connect_with(APP_KEY, SECRET).await;
    assert_eq!(ack.status_code, None);
    let token = ack.token.expect("a token");
    assert!(!token.is_empty());
    let expected = sample_messages(3);
    for want in &expected[..2] {
        let got = raw.recv().await.expect("a message");
        assert_eq!(got, want.frame());
        // Exact above 2^53, where an f64 would have rounded it.
        assert!(got.int("id").unwrap() > 1 << 53);
        assert!(got.text("content").unwrap().contains("买家✓"));
        assert_eq!(got.get("pub_time"), Some(&Val::Date(want.pub_time)));
    }
    let attempt = &tmc.connects()[0];
    assert_eq!(attempt.refused, None);
    assert_eq!(attempt.group.as_deref(), Some("default"));
    assert_eq!(attempt.sdk.as_deref(), Some("raw-test"));
    assert_eq!(tmc.stats().delivered, 2, "the window holds back the third");
}

#[tokio::test]
async fn java_names_sends_the_headers_the_java_sdk_reads() {
    let tmc = server(1).java_names().start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    let got = raw.recv().await.expect("a message");
    let want = &sample_messages(1)[0];
    assert_eq!(got, want.frame_named(true));
    assert_eq!(got.get("time"), Some(&Val::Date(want.pub_time)));
    assert_eq!(got.text("nick"), Some(want.user_nick.as_str()));
    assert_eq!(got.int("userid"), Some(want.user_id));
    assert_eq!(got.get("pub_time"), None);
}

#[tokio::test]
async fn a_confirm_with_the_token_is_counted_and_frees_the_window() {
    let ids: Vec<i64> = sample_messages(3).iter().map(|m| m.id).collect();
    let tmc = server(3).window(1).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    assert_eq!(raw.message_id().await, ids[0]);
    // A confirm without this connection's token is an error, not a confirm.
    let forged = WireFrame {
        token: Some("forged".into()),
        ..WireFrame::of(tmc_wire::SEND)
    }
    .with("__kind", Val::I16(2))
    .with("id", Val::I64(ids[0]));
    raw.send(&forged).await;
    raw.confirm(ids[0]).await;
    assert_eq!(raw.message_id().await, ids[1]);
    let stats = tmc.stats();
    assert_eq!((stats.confirms, stats.settled, stats.errors), (1, 1, 1));
    assert_eq!(tmc.confirms_of(ids[0]), 1);
    assert_eq!(tmc.confirms_of(ids[1]), 0);
    assert!(tmc.errors()[0].contains("token"), "{:?}", tmc.errors());
    // A confirm whose kind is an int32 (the Java SDK sends a byte) counts too; a second one
    // is recorded as a duplicate.
    for _ in 0..2 {
        let frame = raw
            .send_frame()
            .with("__kind", Val::I32(2))
            .with("id", Val::I64(ids[1]));
        raw.send(&frame).await;
    }
    assert_eq!(raw.message_id().await, ids[2]);
    eventually("both confirms of the second message", || {
        tmc.confirms_of(ids[1]) == 2
    })
    .await;
    let confirms = tmc.confirms();
    assert_eq!(
        confirms.iter().map(|c| c.duplicate).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert!(confirms.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(tmc.stats().duplicate_confirms, 1);
}

#[tokio::test]
async fn unconfirmed_messages_come_again_on_the_next_connection() {
    let ids: Vec<i64> = sample_messages(3).iter().map(|m| m.id).collect();
    let tmc = server(3).window(2).start().unwrap();
    let mut first = Raw::open(&tmc).await;
    first.connect().await;
    assert_eq!(first.message_id().await, ids[0]);
    assert_eq!(first.message_id().await, ids[1]);
    first.confirm(ids[0]).await;
    // The confirm freed a place in the window.
    assert_eq!(first.message_id().await, ids[2]);
    drop(first);
    eventually("the first connection's end", || tmc.stats().queued == 2).await;
    let mut second = Raw::open(&tmc).await;
    second.connect().await;
    // The unconfirmed ones, in order; the confirmed one never again.
    assert_eq!(second.message_id().await, ids[1]);
    assert_eq!(second.message_id().await, ids[2]);
    let attempts: Vec<(i64, usize, u32)> = tmc
        .deliveries()
        .iter()
        .map(|d| (d.id, d.connection, d.attempt))
        .collect();
    assert_eq!(
        attempts,
        [
            (ids[0], 0, 1),
            (ids[1], 0, 1),
            (ids[2], 0, 1),
            (ids[1], 1, 2),
            (ids[2], 1, 2)
        ]
    );
    assert_eq!(tmc.stats().redelivered, 2);
    assert_eq!(tmc.confirms_of(ids[0]), 1);
}

#[tokio::test]
async fn a_message_unconfirmed_past_the_timeout_comes_again_on_the_same_connection() {
    let ids: Vec<i64> = sample_messages(2).iter().map(|m| m.id).collect();
    let tmc = server(2)
        .window(1)
        .redeliver_after(Duration::from_millis(200))
        .start()
        .unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    assert_eq!(raw.message_id().await, ids[0]);
    assert_eq!(raw.message_id().await, ids[0], "delivered again");
    raw.confirm(ids[0]).await;
    // On a slow machine it may come a third time before the confirm lands; never ids[1]
    // before the confirm.
    loop {
        let id = raw.message_id().await;
        if id == ids[1] {
            break;
        }
        assert_eq!(id, ids[0]);
    }
    let deliveries = tmc.deliveries();
    let attempts: Vec<u32> = deliveries.iter().map(|d| d.attempt).collect();
    assert_eq!(attempts[..2], [1, 2]);
    assert!(deliveries[1].at - deliveries[0].at >= Duration::from_millis(200));
    let confirm = tmc.confirms()[0];
    assert!(deliveries.last().unwrap().at >= confirm.at);
}

#[tokio::test]
async fn with_no_window_only_pull_requests_let_messages_through() {
    let ids: Vec<i64> = sample_messages(5).iter().map(|m| m.id).collect();
    let tmc = server(5).window(0).pull_batch(2).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    raw.pull().await;
    assert_eq!(raw.message_id().await, ids[0]);
    assert_eq!(raw.message_id().await, ids[1]);
    // The server reads frames in order and delivers before reading the next: once it has
    // counted this confirm, anything the first pull let through is already out.
    raw.confirm(ids[0]).await;
    eventually("the confirm", || tmc.stats().confirms == 1).await;
    assert_eq!(tmc.stats().delivered, 2);
    // A pull typed as an int16 (not what the Java SDK sends, a byte) counts too.
    let pull = raw.send_frame().with("__kind", Val::I16(1));
    raw.send(&pull).await;
    assert_eq!(raw.message_id().await, ids[2]);
    assert_eq!(raw.message_id().await, ids[3]);
    assert_eq!(tmc.stats().pulls, 2);
}

#[tokio::test]
async fn the_connection_is_dropped_after_the_nth_delivery_and_its_messages_come_again() {
    let ids: Vec<i64> = sample_messages(4).iter().map(|m| m.id).collect();
    let tmc = server(4).window(4).drop_after([2]).start().unwrap();
    let mut first = Raw::open(&tmc).await;
    first.connect().await;
    assert_eq!(first.message_id().await, ids[0]);
    assert_eq!(first.message_id().await, ids[1]);
    assert_eq!(first.recv().await, None, "dropped right after the second");
    eventually("the requeue", || tmc.stats().queued == 4).await;
    let mut second = Raw::open(&tmc).await;
    second.connect().await;
    for id in &ids {
        assert_eq!(second.message_id().await, *id);
    }
    let stats = tmc.stats();
    assert_eq!((stats.drops, stats.delivered, stats.redelivered), (1, 6, 2));
}

#[tokio::test]
async fn drop_connections_closes_every_open_one() {
    let tmc = server(1).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    raw.message_id().await;
    tmc.drop_connections();
    assert_eq!(raw.recv().await, None);
    eventually("the requeue", || tmc.stats().queued == 1).await;
    assert_eq!(tmc.stats().drops, 1);
}

#[tokio::test]
async fn a_silent_connection_answers_nothing_and_a_new_one_is_served() {
    let ids: Vec<i64> = sample_messages(2).iter().map(|m| m.id).collect();
    let tmc = server(2).window(1).start().unwrap();
    let mut first = Raw::open(&tmc).await;
    first.connect().await;
    assert_eq!(first.message_id().await, ids[0]);
    tmc.go_silent();
    // Frames are read and ignored: the confirm is not counted, the ping gets no pong.
    first.confirm(ids[0]).await;
    first
        .ws
        .send(WsMessage::Ping(b"alive?".to_vec().into()))
        .await
        .unwrap();
    eventually("the confirm read and ignored", || {
        tmc.stats().ignored_while_silent == 1
    })
    .await;
    assert_eq!(tmc.stats().confirms, 0);
    let quiet = tokio::time::timeout(Duration::from_millis(300), first.ws.next()).await;
    assert!(quiet.is_err(), "a silent server sent {quiet:?}");
    // A new connection is served; the silent one still holds its message until it closes.
    let mut second = Raw::open(&tmc).await;
    second.connect().await;
    assert_eq!(second.message_id().await, ids[1]);
    second.confirm(ids[1]).await;
    drop(first);
    assert_eq!(second.message_id().await, ids[0]);
    assert_eq!(tmc.deliveries()[2].attempt, 2);
}

#[tokio::test]
async fn silent_after_the_nth_delivery() {
    let tmc = server(3).window(3).silent_after(1).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    raw.message_id().await;
    let quiet = tokio::time::timeout(Duration::from_millis(300), raw.ws.next()).await;
    assert!(quiet.is_err(), "a silent server sent {quiet:?}");
    assert_eq!(tmc.stats().delivered, 1);
}

#[tokio::test]
async fn garbage_frames_are_recorded_as_errors_and_the_connection_goes_on() {
    let tmc = server(1).window(0).pull_batch(1).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.connect().await;
    raw.ws
        .send(WsMessage::Binary(vec![2, 2, 1, 0, 255, 255].into()))
        .await
        .unwrap();
    raw.ws.send(WsMessage::Text("hello".into())).await.unwrap();
    let unknown_kind = raw.send_frame().with("__kind", Val::I16(9));
    raw.send(&unknown_kind).await;
    let unknown_id = raw
        .send_frame()
        .with("__kind", Val::I16(2))
        .with("id", Val::I64(7));
    raw.send(&unknown_id).await;
    raw.pull().await;
    raw.message_id().await;
    let errors = tmc.errors();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].contains("bad TMC frame at byte"), "{errors:?}");
    assert!(errors[1].contains("text"), "{errors:?}");
    assert!(errors[2].contains("__kind Some(9)"), "{errors:?}");
    assert!(errors[3].contains("unknown id 7"), "{errors:?}");
}

#[tokio::test]
async fn garbage_instead_of_a_connect_closes_the_connection() {
    let tmc = server(1).start().unwrap();
    let mut raw = Raw::open(&tmc).await;
    raw.ws
        .send(WsMessage::Binary(vec![9, 9, 9].into()))
        .await
        .unwrap();
    assert_eq!(raw.recv().await, None);
    assert_eq!(tmc.stats().delivered, 0);
    assert!(tmc.errors()[0].contains("version 9"), "{:?}", tmc.errors());
}
