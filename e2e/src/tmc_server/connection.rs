//! One connection of the fake TMC server: the WebSocket handshake, the connect check, the
//! loop that delivers and reads pull requests and confirms, and silence.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{CONNECT_TIMEOUT, Confirm, ConnectAttempt, Delivery, REFUSED_CODE, Shared};
use crate::tmc_wire::{self, WireFrame};

type Ws = tokio_tungstenite::WebSocketStream<Valve>;

/// What the connection's loop is to do after a step.
enum Next {
    Go,
    Close,
}

pub(super) async fn serve_connection(stream: TcpStream, connection: usize, shared: &Shared) {
    let mute = Arc::new(AtomicBool::new(false));
    let valve = Valve {
        inner: stream,
        mute: Arc::clone(&mute),
    };
    let Ok(mut ws) = tokio_tungstenite::accept_async(valve).await else {
        shared
            .state()
            .error(connection, "WebSocket handshake failed");
        return;
    };
    let token =
        match tokio::time::timeout(CONNECT_TIMEOUT, handshake(&mut ws, connection, shared)).await {
            Ok(Some(token)) => token,
            Ok(None) => return,
            Err(_) => {
                shared.state().error(connection, "no connect frame in time");
                return;
            }
        };
    let mut wake = shared.wake.subscribe();
    let mut pull_credit = 0usize;
    loop {
        if shared.state().silent.contains(&connection) {
            mute.store(true, Ordering::SeqCst);
            return stay_silent(ws, shared).await;
        }
        match deliver(&mut ws, connection, shared, &mut pull_credit).await {
            Next::Go => {}
            Next::Close => return,
        }
        tokio::select! {
            read = ws.next() => {
                let Some(Ok(message)) = read else { return };
                if let Some(frame) = read_frame(message, connection, shared) {
                    on_frame(&frame, &token, connection, shared, &mut pull_credit);
                }
            }
            changed = wake.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads and checks the connect frame; answers it. The token, or `None` when refused.
async fn handshake(ws: &mut Ws, connection: usize, shared: &Shared) -> Option<String> {
    let frame = loop {
        let message = ws.next().await?.ok()?;
        if matches!(message, WsMessage::Ping(_) | WsMessage::Pong(_)) {
            continue;
        }
        break read_frame(message, connection, shared)?;
    };
    if frame.msg_type != tmc_wire::CONNECT {
        shared.state().error(
            connection,
            format!("message type {} before connect", frame.msg_type),
        );
        return None;
    }
    let refused = check_connect(&frame, shared);
    let text = |key| frame.text(key).map(str::to_owned);
    let attempt = ConnectAttempt {
        connection,
        app_key: text("app_key"),
        group: text("group_name"),
        sdk: text("sdk"),
        refused: refused.clone(),
    };
    let mut ack = WireFrame::of(tmc_wire::CONNECT_ACK);
    // The Java SDK numbers the frames it awaits an answer to; the ack echoes the number.
    ack.flag = frame.flag;
    let token = match &refused {
        Some(why) => {
            ack.status_code = Some(REFUSED_CODE);
            ack.status_phrase = Some(why.clone());
            None
        }
        None => {
            let token = format!("fake-tmc-token-{connection}-{:x}", token_salt());
            ack.token = Some(token.clone());
            Some(token)
        }
    };
    {
        let mut state = shared.state();
        state.connects.push(attempt);
        if token.is_some() {
            state.stats.connects += 1;
        } else {
            state.stats.refused += 1;
        }
    }
    ws.send(WsMessage::Binary(tmc_wire::write(&ack).into()))
        .await
        .ok()?;
    if token.is_none() {
        let _ = ws.close(None).await;
    }
    token
}

/// Why the connect frame is refused, if it is.
fn check_connect(frame: &WireFrame, shared: &Shared) -> Option<String> {
    let app_key = frame.text("app_key").unwrap_or_default();
    if app_key != shared.app_key {
        return Some("unknown app_key".to_owned());
    }
    let (Some(group), Some(timestamp), Some(sign)) = (
        frame.text("group_name"),
        frame.text("timestamp"),
        frame.text("sign"),
    ) else {
        return Some("missing group_name, timestamp or sign".to_owned());
    };
    if timestamp.parse::<i64>().is_err() {
        return Some("timestamp is not epoch milliseconds".to_owned());
    }
    if sign != tmc_wire::connect_sign(&shared.secret, app_key, group, timestamp) {
        return Some("invalid sign".to_owned());
    }
    None
}

/// Something that differs between runs, so a token cannot be guessed from the connection.
fn token_salt() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// The frame a WebSocket message carries; anything else is recorded as an error.
fn read_frame(message: WsMessage, connection: usize, shared: &Shared) -> Option<WireFrame> {
    match message {
        WsMessage::Binary(bytes) => match tmc_wire::parse(&bytes) {
            Ok(frame) => Some(frame),
            Err(e) => {
                shared.state().error(connection, e);
                None
            }
        },
        WsMessage::Text(_) => {
            shared.state().error(connection, "a text frame");
            None
        }
        // Pings are answered by the WebSocket layer; a close ends the stream after this.
        _ => None,
    }
}

/// Handles a frame after the connect: a pull request or a confirm.
fn on_frame(
    frame: &WireFrame,
    token: &str,
    connection: usize,
    shared: &Shared,
    pull_credit: &mut usize,
) {
    let mut state = shared.state();
    // Told to go silent while the loop was waiting: this frame already counts as unheard.
    if state.silent.contains(&connection) {
        state.stats.ignored_while_silent += 1;
        return;
    }
    if frame.msg_type != tmc_wire::SEND {
        return state.error(connection, format!("message type {}", frame.msg_type));
    }
    if frame.token.as_deref() != Some(token) {
        return state.error(connection, "a send frame without this connection's token");
    }
    match frame.int("__kind") {
        Some(tmc_wire::KIND_PULL) => {
            state.stats.pulls += 1;
            // Pulls do not add up: each asks for "a batch more", as TMC's clients mean it.
            *pull_credit = shared.pull_batch;
        }
        Some(tmc_wire::KIND_CONFIRM) => {
            let Some(id) = frame.int("id") else {
                return state.error(connection, "a confirm without an integer id");
            };
            let Some(&index) = state.by_id.get(&id) else {
                return state.error(connection, format!("a confirm of unknown id {id}"));
            };
            if state.attempts[index] == 0 {
                return state.error(connection, format!("a confirm of undelivered id {id}"));
            }
            let duplicate = state.settled[index];
            state.settle(index);
            state.confirms.push(Confirm {
                id,
                connection,
                at: Instant::now(),
                duplicate,
            });
            state.stats.confirms += 1;
            if duplicate {
                state.stats.duplicate_confirms += 1;
            }
        }
        other => state.error(connection, format!("a send frame with __kind {other:?}")),
    }
}

/// Sends what the window and pull credit allow; `Close` when the connection is to be dropped.
async fn deliver(ws: &mut Ws, connection: usize, shared: &Shared, pull_credit: &mut usize) -> Next {
    let mut frames = Vec::new();
    let mut close = false;
    {
        let mut state = shared.state();
        if state.to_drop.remove(&connection) {
            state.stats.drops += 1;
            return Next::Close;
        }
        while !state.silent.contains(&connection) {
            let mine = state.in_flight_of.get(&connection).copied().unwrap_or(0);
            let by_pull = mine >= shared.window;
            if by_pull && *pull_credit == 0 {
                break;
            }
            let Some(index) = state.queue.pop_front() else {
                break;
            };
            if by_pull {
                *pull_credit -= 1;
            }
            let now = Instant::now();
            state.in_flight.insert(index, (connection, now));
            *state.in_flight_of.entry(connection).or_default() += 1;
            state.attempts[index] += 1;
            let delivery = Delivery {
                id: state.messages[index].id,
                connection,
                attempt: state.attempts[index],
                at: now,
            };
            state.deliveries.push(delivery);
            state.stats.delivered += 1;
            if delivery.attempt > 1 {
                state.stats.redelivered += 1;
            }
            frames.push(tmc_wire::write(
                &state.messages[index].frame_named(shared.java_names),
            ));
            let n = state.stats.delivered;
            if shared.drop_after.contains(&n) {
                state.stats.drops += 1;
                close = true;
                break;
            }
            if shared.silent_after == Some(n) {
                state.silent.insert(connection);
            }
        }
    }
    for bytes in frames {
        if ws.feed(WsMessage::Binary(bytes.into())).await.is_err() {
            return Next::Close;
        }
    }
    if ws.flush().await.is_err() || close {
        // Dropping the stream closes the socket without a close frame.
        return Next::Close;
    }
    Next::Go
}

/// Reads and ignores frames until the peer closes; sends nothing (the valve is shut).
async fn stay_silent(mut ws: Ws, shared: &Shared) {
    while let Some(Ok(message)) = ws.next().await {
        if matches!(message, WsMessage::Binary(_) | WsMessage::Text(_)) {
            shared.state().stats.ignored_while_silent += 1;
        }
    }
}

/// The TCP stream under a connection's WebSocket; once `mute`, it swallows everything
/// written to it (the WebSocket layer's pongs and close replies included) while reads go on.
#[derive(Debug)]
struct Valve {
    inner: TcpStream,
    mute: Arc<AtomicBool>,
}

impl AsyncRead for Valve {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Valve {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.mute.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.mute.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.mute.load(Ordering::SeqCst) {
            // A silent peer never closes.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
