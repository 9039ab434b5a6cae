//! TMC, TOP's message service: the sans-IO binary frame codec ([`frame`]) and the frames the
//! official client exchanges ([`connect_frame`], [`read_connect_ack`], [`Message`],
//! [`confirm_frame`], [`pull_frame`]).

pub mod frame;

use std::fmt;

use md5::{Digest, Md5};

pub use frame::{Frame, FrameError, MessageType, Value, decode, encode};

/// The SDK name sent in the connect frame's `sdk` header.
pub const SDK: &str = concat!("top-runtime-rust-", env!("CARGO_PKG_VERSION"));

/// The `__kind` header of a client's `send` frame: asks TMC for more messages.
pub const KIND_PULL_REQUEST: i16 = 1;
/// The `__kind` header of a client's `send` frame: confirms one message.
pub const KIND_CONFIRM: i16 = 2;

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
/// `sdk` and `sign`.
pub fn connect_frame(app_key: &str, secret: &str, group: &str, timestamp_ms: i64) -> Frame {
    let timestamp = timestamp_ms.to_string();
    let sign = connect_sign(app_key, secret, group, &timestamp);
    let mut f = Frame::new(MessageType::Connect);
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

/// The token of a connect ack, or why there is none. A non-zero status code is a refusal even
/// when a token is present.
pub fn read_connect_ack(frame: &Frame) -> Result<String, ConnectError> {
    if frame.message_type != MessageType::ConnectAck {
        return Err(ConnectError::NotAnAck(frame.message_type));
    }
    if let Some(code) = frame.status_code.filter(|c| *c != 0) {
        return Err(ConnectError::Refused {
            code,
            phrase: frame.status_phrase.clone(),
        });
    }
    frame.token.clone().ok_or(ConnectError::NoToken)
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

impl Message {
    /// The message a frame carries: `None` unless it is a `send` frame with an integer `id`
    /// and a string `topic`.
    pub fn from_frame(frame: &Frame) -> Option<Message> {
        if frame.message_type != MessageType::Send {
            return None;
        }
        let id = frame.header("id").and_then(Value::as_i64)?;
        let topic = frame.header("topic").and_then(Value::as_str)?.to_owned();
        let text = |k: &str| frame.header(k).and_then(Value::as_str).map(str::to_owned);
        let int = |k: &str| frame.header(k).and_then(Value::as_i64);
        Some(Message {
            id,
            topic,
            content: text("content"),
            pub_time: int("pub_time"),
            pub_app_key: text("pub_app_key"),
            user_id: int("user_id"),
            user_nick: text("user_nick"),
            outgoing: int("outgoing"),
        })
    }
}

/// The frame confirming message `id`: `send` with the token header, `__kind` = 2 and `id`.
pub fn confirm_frame(token: &str, id: i64) -> Frame {
    let mut f = Frame::new(MessageType::Send);
    f.token = Some(token.into());
    f.headers = vec![
        ("__kind".into(), Value::Int16(KIND_CONFIRM)),
        ("id".into(), Value::Int64(id)),
    ];
    f
}

/// The frame asking TMC for more messages: `send` with the token header and `__kind` = 1.
pub fn pull_frame(token: &str) -> Frame {
    let mut f = Frame::new(MessageType::Send);
    f.token = Some(token.into());
    f.headers = vec![("__kind".into(), Value::Int16(KIND_PULL_REQUEST))];
    f
}

#[cfg(test)]
mod tests;
