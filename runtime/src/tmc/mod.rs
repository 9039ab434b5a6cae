//! TMC, TOP's message service: a WebSocket client that runs a handler per message
//! ([`TmcClient`]), its HTTP fallback ([`TmcHttpClient`]), and underneath them the sans-IO
//! binary frame codec ([`frame`]) and the frames the official client exchanges
//! ([`connect_frame`], [`read_connect_ack`], [`Message`], [`confirm_frame`], [`pull_frame`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), top_runtime::tmc::TmcError> {
//! use std::time::Duration;
//! use top_runtime::tmc::{Message, TmcClient};
//!
//! let client = TmcClient::builder("app_key", "app_secret")
//!     .group("default")
//!     .concurrency(16)
//!     .build()?;
//! let stop = client.shutdown_handle();
//! # let _ = &stop;
//! // Elsewhere, e.g. on Ctrl-C: `stop.shutdown()`.
//! let summary = client
//!     .run(|message: Message| async move {
//!         // Redeliveries happen (at least once): deduplicate on `message.id`.
//!         println!("{} on {}", message.id, message.topic);
//!         Ok::<(), std::io::Error>(())
//!     })
//!     .await?;
//! println!("{} messages confirmed", summary.confirmed);
//! # Ok(()) }
//! ```
//!
//! **At least once.** A message is confirmed only after its handler returned `Ok`. An `Err`,
//! or a panic (caught at the handler boundary), leaves it unconfirmed and TMC delivers it
//! again; so does a connection lost before the confirm went out. A handler can therefore see
//! one message twice: `Message::id` is the key to deduplicate on.
//!
//! **Keep-alive.** A WebSocket ping goes out every [`heartbeat_interval`] (default 45 s, as
//! the Java SDK); a connection from which nothing at all (pong, message, ack) arrived for two
//! intervals is taken as dead, closed and replaced: a dead connection is noticed within
//! 2 × `heartbeat_interval`. Reconnects wait the [`RetryPolicy`]'s capped backoff with
//! jitter; after a reconnect the pull (`__kind` = 1, every [`pull_interval`], default 15 s)
//! starts again at once. A refusal by TMC (wrong key, secret or group) ends
//! [`run`](TmcClient::run) with [`TmcError::Refused`]: retrying would not help.
//!
//! **Shutdown.** [`ShutdownHandle::shutdown`] stops intake (messages not yet started stay
//! unconfirmed and come again), waits for the running handlers, sends their confirms, closes
//! the connection and makes `run` return its [`RunSummary`].
//!
//! Protocol details follow the Java SDK (`com.taobao.api.internal.tmc` and its
//! `toplink.endpoint` codec) where ports disagree; the sources read are listed in
//! `runtime/README.md`.
//!
//! [`heartbeat_interval`]: TmcClientBuilder::heartbeat_interval
//! [`pull_interval`]: TmcClientBuilder::pull_interval
//! [`RetryPolicy`]: crate::retry::RetryPolicy

mod client;
mod connection;
mod error;
pub mod frame;
mod handler;
mod http;
mod http_api;
mod shutdown;

use std::fmt;
use std::io::Read;

use md5::{Digest, Md5};

pub use client::{
    DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_PULL_INTERVAL, RunSummary, TmcClient, TmcClientBuilder, default_reconnect_policy,
};
pub use error::TmcError;
pub use frame::{Frame, FrameError, MessageType, Value, decode, encode};
pub use handler::{Handler, HandlerFailed, HandlerFuture};
pub use http::TmcHttpClient;
pub use http_api::{
    TmcMessage, TmcMessagesConfirmRequest, TmcMessagesConfirmResponse, TmcMessagesConsumeRequest,
    TmcMessagesConsumeResponse,
};
pub use shutdown::ShutdownHandle;

/// The production TMC endpoint (the Java SDK's default).
pub const PRODUCTION_URL: &str = "ws://mc.api.taobao.com/";
/// The sandbox TMC endpoint.
pub const SANDBOX_URL: &str = "ws://mc.api.tbsandbox.com/";

/// The SDK name sent in the connect frame's `sdk` header.
pub const SDK: &str = concat!("top-runtime-rust-", env!("CARGO_PKG_VERSION"));

// The Java SDK's `MessageKind` constants are `java.lang.Byte`, which its encoder
// (`toplink.endpoint.protocol.MessageEncoder02.writeCustomValue`) writes as value type 2, a
// byte: so `__kind` goes out as `Value::Byte`, not an int16.

/// The `__kind` header of a client's `send` frame: asks TMC for more messages.
pub const KIND_PULL_REQUEST: u8 = 1;
/// The `__kind` header of a client's `send` frame: confirms one message.
pub const KIND_CONFIRM: u8 = 2;

/// The connect sign: uppercase hex MD5 of `secret + "app_key" + app_key + "group_name" + group +
/// "timestamp" + timestamp + secret`.
pub fn connect_sign(app_key: &str, secret: &str, group: &str, timestamp: &str) -> String {
    let mut md5 = Md5::new();
    for part in [
        secret,
        "app_key",
        app_key,
        "group_name",
        group,
        "timestamp",
        timestamp,
        secret,
    ] {
        md5.update(part.as_bytes());
    }
    hex::encode_upper(md5.finalize())
}

/// The connect frame: custom headers `app_key`, `group_name`, `timestamp` (epoch ms as text),
/// `sdk` and `sign`, and flag 1 (the Java SDK numbers the frames it awaits an answer to, and
/// the ack echoes the flag; the connect is the first).
pub fn connect_frame(app_key: &str, secret: &str, group: &str, timestamp_ms: i64) -> Frame {
    let timestamp = timestamp_ms.to_string();
    let sign = connect_sign(app_key, secret, group, &timestamp);
    let mut f = Frame::new(MessageType::Connect);
    f.flag = Some(1);
    f.headers = vec![
        ("app_key".into(), Value::String(app_key.into())),
        ("group_name".into(), Value::String(group.into())),
        ("timestamp".into(), Value::String(timestamp)),
        ("sdk".into(), Value::String(SDK.into())),
        ("sign".into(), Value::String(sign)),
    ];
    f
}

/// Why TMC refused a connection, or why a frame was not the connect ack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// TMC answered with a status code (and phrase): a wrong key or sign, a blocked app, ….
    Refused {
        /// The status code header.
        code: i32,
        /// The status phrase header, if any.
        phrase: Option<String>,
    },
    /// The frame was not a connect ack.
    NotAnAck(MessageType),
    /// A connect ack with neither a token nor a status code.
    NoToken,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Refused { code, phrase } => {
                write!(f, "TMC refused the connection: status {code}")?;
                if let Some(p) = phrase {
                    write!(f, " ({p})")?;
                }
                Ok(())
            }
            ConnectError::NotAnAck(t) => write!(f, "expected a TMC connect ack, got {t:?}"),
            ConnectError::NoToken => write!(f, "TMC connect ack without a token or status"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// The token of a connect ack, or why there is none. A positive status code or a non-empty
/// status phrase is a refusal even when a token is present (the Java SDK's
/// `EndpointChannelHandler.isError`); an empty token is none.
pub fn read_connect_ack(frame: &Frame) -> Result<String, ConnectError> {
    if frame.message_type != MessageType::ConnectAck {
        return Err(ConnectError::NotAnAck(frame.message_type));
    }
    let code = frame.status_code.unwrap_or(0);
    let phrase = frame.status_phrase.as_deref().filter(|p| !p.is_empty());
    if code > 0 || phrase.is_some() {
        return Err(ConnectError::Refused {
            code,
            phrase: phrase.map(str::to_owned),
        });
    }
    frame
        .token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or(ConnectError::NoToken)
}

/// A message TMC pushed: a `send` frame carrying `id` and `topic`. `Debug` omits its contents.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The message id: the key to confirm with and to deduplicate redeliveries on.
    pub id: i64,
    /// The topic, e.g. `taobao_trade_TradeBuyerPay`.
    pub topic: String,
    /// The content, JSON text (buyer data).
    pub content: Option<String>,
    /// When it was published (epoch ms), from a date or integer header.
    pub pub_time: Option<i64>,
    /// The publishing app's key.
    pub pub_app_key: Option<String>,
    /// The seller's user id.
    pub user_id: Option<i64>,
    /// The seller's nick.
    pub user_nick: Option<String>,
    /// Whether the message is an outgoing one, if the header is there.
    pub outgoing: Option<i64>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("topic", &self.topic)
            .field("content", &self.content.as_ref().map(|c| Redacted(c.len())))
            .field("pub_time", &self.pub_time)
            .field("pub_app_key", &self.pub_app_key)
            .field("user_id", &self.user_id)
            .field(
                "user_nick",
                &self.user_nick.as_ref().map(|c| Redacted(c.len())),
            )
            .field("outgoing", &self.outgoing)
            .finish()
    }
}

/// Stands for a redacted string of this many bytes in `Debug` output.
pub(crate) struct Redacted(pub(crate) usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted, {} bytes>", self.0)
    }
}

/// The largest content a gzip'd byte array may unpack to; past it the content is dropped
/// rather than filling memory.
const MAX_CONTENT: u64 = 16 << 20;

impl Message {
    /// The message a frame carries: `None` unless it is a `send` frame with an integer `id`
    /// and a string `topic`, whatever else it carries.
    ///
    /// The Java SDK (`TmcHandler.parse` with `MessageFields`) reads the other fields from the
    /// wire names `time` (a date), `publisher`, `userid`, `nick` and `outtime`; TOP-PROTOCOL
    /// names them `pub_time`, `pub_app_key`, `user_id`, `user_nick` and `outgoing`, as the
    /// HTTP API does. Both are read, the Java name first. A byte-array `content` is gzip'd
    /// UTF-8, as the Java SDK unzips it; one that does not unpack reads as `None`.
    pub fn from_frame(frame: &Frame) -> Option<Message> {
        if frame.message_type != MessageType::Send {
            return None;
        }
        let id = frame.header("id").and_then(Value::as_i64)?;
        let topic = frame.header("topic").and_then(Value::as_str)?.to_owned();
        let either = |java: &str, doc: &str| frame.header(java).or_else(|| frame.header(doc));
        let text = |java, doc| either(java, doc).and_then(Value::as_str).map(str::to_owned);
        let int = |java, doc| either(java, doc).and_then(Value::as_i64);
        let content = match frame.header("content") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Bytes(b)) => gunzip(b),
            _ => None,
        };
        Some(Message {
            id,
            topic,
            content,
            pub_time: int("time", "pub_time"),
            pub_app_key: text("publisher", "pub_app_key"),
            user_id: int("userid", "user_id"),
            user_nick: text("nick", "user_nick"),
            outgoing: int("outtime", "outgoing"),
        })
    }
}

/// Gzip'd UTF-8 text, or `None` when it is not that or unpacks past [`MAX_CONTENT`].
fn gunzip(bytes: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_CONTENT + 1)
        .read_to_end(&mut out)
        .ok()?;
    if out.len() as u64 > MAX_CONTENT {
        return None;
    }
    String::from_utf8(out).ok()
}

/// The frame confirming message `id`: `send` with the token header, `__kind` = 2 and `id`.
pub fn confirm_frame(token: &str, id: i64) -> Frame {
    let mut f = Frame::new(MessageType::Send);
    f.token = Some(token.into());
    f.headers = vec![
        ("__kind".into(), Value::Byte(KIND_CONFIRM)),
        ("id".into(), Value::Int64(id)),
    ];
    f
}

/// The frame asking TMC for more messages: `send` with the token header and `__kind` = 1.
pub fn pull_frame(token: &str) -> Frame {
    let mut f = Frame::new(MessageType::Send);
    f.token = Some(token.into());
    f.headers = vec![("__kind".into(), Value::Byte(KIND_PULL_REQUEST))];
    f
}

#[cfg(test)]
mod tests;
