//! One WebSocket connection to TMC: [`open`] connects and signs in, [`serve`] runs it —
//! messages to the handlers, confirms back, pulls and pings on their timers — until it is
//! lost or the shutdown is complete.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::client::{Config, Run};
use super::error::{TmcError, frame_error};
use super::{
    ConnectError, Frame, Message, MessageType, confirm_frame, connect_frame, decode, encode,
    pull_frame, read_connect_ack,
};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a served connection ended.
pub(crate) enum SessionEnd {
    /// Shut down: every handler ended and every confirm went out.
    Finished,
    /// Lost; reconnect (unless it is a refusal).
    Lost(TmcError),
}

/// rustls with ring and the webpki roots, built here so that no process-wide crypto
/// provider has to be installed.
pub(crate) fn tls_connector() -> Result<Connector, TmcError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TmcError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}

fn ws_error(e: tokio_tungstenite::tungstenite::Error) -> TmcError {
    use tokio_tungstenite::tungstenite::Error;
    match e {
        Error::ConnectionClosed | Error::AlreadyClosed => TmcError::Closed,
        other => TmcError::WebSocket(other.to_string()),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Opens the WebSocket, sends the signed connect frame and awaits the ack: the connection
/// and its token, all within the connect time-out.
pub(crate) async fn open(config: &Config) -> Result<(Ws, String), TmcError> {
    let attempt = async {
        let (mut ws, _) = tokio_tungstenite::connect_async_tls_with_config(
            config.url.as_str(),
            None,
            true,
            config.connector.clone(),
        )
        .await
        .map_err(ws_error)?;
        let connect = connect_frame(
            &config.app_key,
            config.secret.expose(),
            &config.group,
            now_ms(),
        );
        send(&mut ws, &connect).await?;
        loop {
            let bytes = match ws.next().await {
                None => return Err(TmcError::Closed),
                Some(Err(e)) => return Err(ws_error(e)),
                Some(Ok(WsMessage::Binary(bytes))) => bytes,
                Some(Ok(WsMessage::Text(text))) => {
                    return Err(frame_error(not_binary(), text.as_bytes()));
                }
                Some(Ok(WsMessage::Close(_))) => return Err(TmcError::Closed),
                Some(Ok(_)) => continue,
            };
            let frame = decode(&bytes).map_err(|e| frame_error(e, &bytes))?;
            return match read_connect_ack(&frame) {
                Ok(token) => Ok((ws, token)),
                Err(ConnectError::Refused { code, phrase }) => {
                    Err(TmcError::Refused { code, phrase })
                }
                Err(e) => Err(TmcError::Handshake(e)),
            };
        }
    };
    match tokio::time::timeout(config.connect_timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(TmcError::ConnectTimeout(config.connect_timeout)),
    }
}

/// A text frame where TMC sends binary ones: reported as a frame at offset 0 with an
/// unsupported version, the closest the codec has.
fn not_binary() -> super::FrameError {
    super::FrameError {
        offset: 0,
        kind: super::frame::FrameErrorKind::UnsupportedVersion(0),
    }
}

async fn send(ws: &mut Ws, frame: &Frame) -> Result<(), TmcError> {
    ws.send(WsMessage::Binary(encode(frame).into()))
        .await
        .map_err(ws_error)
}

/// Runs one connection until it is lost or the shutdown is complete. Pending confirms go
/// out first, then a pull (unless shutting down).
pub(crate) async fn serve(ws: &mut Ws, token: &str, config: &Config, run: &mut Run) -> SessionEnd {
    match serve_inner(ws, token, config, run).await {
        Ok(()) => {
            // Closing is a courtesy: the confirms are out, whatever the close does.
            let _ = tokio::time::timeout(config.connect_timeout, ws.close(None)).await;
            SessionEnd::Finished
        }
        Err(e) => SessionEnd::Lost(e),
    }
}

async fn serve_inner(
    ws: &mut Ws,
    token: &str,
    config: &Config,
    run: &mut Run,
) -> Result<(), TmcError> {
    flush_confirms(ws, token, run).await?;
    if !run.stopping {
        send(ws, &pull_frame(token)).await?;
    }
    let start = Instant::now();
    let mut heartbeat =
        tokio::time::interval_at(start + config.heartbeat_interval, config.heartbeat_interval);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut pull = tokio::time::interval_at(start + config.pull_interval, config.pull_interval);
    pull.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let dead_after = config.dead_after();
    let mut last_heard = Instant::now();
    loop {
        if run.finished() {
            return Ok(());
        }
        tokio::select! {
            () = run.shutdown.requested(), if !run.stopping => run.begin_stop(),
            Some((id, outcome)) = run.workers.next_done(), if run.workers.busy() => {
                run.record(id, outcome);
                flush_confirms(ws, token, run).await?;
            }
            received = ws.next() => {
                last_heard = Instant::now();
                match received {
                    None => return Err(TmcError::Closed),
                    Some(Err(e)) => return Err(ws_error(e)),
                    Some(Ok(WsMessage::Binary(bytes))) => on_frame(&bytes, run),
                    Some(Ok(WsMessage::Text(_))) => run.summary.malformed_frames += 1,
                    Some(Ok(WsMessage::Close(_))) => return Err(TmcError::Closed),
                    // Pings are answered by tungstenite; pongs only prove life.
                    Some(Ok(_)) => {}
                }
            }
            _ = heartbeat.tick() => {
                ws.send(WsMessage::Ping(Vec::new().into())).await.map_err(ws_error)?;
            }
            _ = pull.tick(), if !run.stopping && run.workers.wants_more() => {
                send(ws, &pull_frame(token)).await?;
            }
            () = tokio::time::sleep_until(last_heard + dead_after) => {
                return Err(TmcError::Dead(dead_after));
            }
        }
    }
}

/// A frame from TMC: a message goes to the handlers (unless shutting down, when it stays
/// unconfirmed); acks and anything else are ignored, as the Java SDK does.
fn on_frame(bytes: &[u8], run: &mut Run) {
    match decode(bytes) {
        Ok(frame) => {
            if let Some(message) = Message::from_frame(&frame) {
                if run.stopping {
                    run.summary.not_started += 1;
                } else {
                    run.workers.offer(message);
                }
            } else if frame.message_type == MessageType::Send
                || frame.message_type == MessageType::SendAck
            {
                trace_ignored(&frame);
            }
        }
        Err(_) => {
            run.summary.malformed_frames += 1;
            #[cfg(feature = "tracing")]
            tracing::warn!(target: "top_runtime::tmc", bytes = bytes.len(), "undecodable TMC frame skipped");
        }
    }
}

/// Sends the pending confirms; on failure the unsent stay pending for the next connection.
async fn flush_confirms(ws: &mut Ws, token: &str, run: &mut Run) -> Result<(), TmcError> {
    while let Some(&id) = run.confirms.last() {
        send(ws, &confirm_frame(token, id)).await?;
        run.confirms.pop();
        run.summary.confirmed += 1;
    }
    Ok(())
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn trace_ignored(frame: &Frame) {
    #[cfg(feature = "tracing")]
    tracing::debug!(
        target: "top_runtime::tmc",
        kind = ?frame.message_type,
        status = ?frame.status_code,
        "TMC frame without a message ignored"
    );
}

/// Why a connection was lost or not made (no secrets in a `TmcError`).
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn trace_lost(error: &TmcError) {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "top_runtime::tmc", %error, "TMC connection lost or not made; reconnecting");
}
