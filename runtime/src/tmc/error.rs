//! [`TmcError`]: why a TMC client could not start, connect or go on. Never holds a secret
//! or message contents: a frame that is no TMC frame is shown by its first bytes only when
//! they cannot be a frame's headers (which would carry the token or buyer data).

use std::fmt;
use std::time::Duration;

use super::ConnectError;
use super::frame::{FrameError, PROTOCOL_VERSION};
use crate::call_error::CallError;

/// Why a TMC client stopped with an error, or why one connection attempt failed (then it
/// is retried, and the last one is kept in [`TmcError::GaveUp`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum TmcError {
    /// A builder setting that cannot work; nothing was sent.
    Config(String),
    /// TMC refused the connection (wrong app key, sign or group, app without TMC, …); not
    /// retried.
    Refused {
        /// The status code.
        code: i32,
        /// The status phrase, if any.
        phrase: Option<String>,
    },
    /// The WebSocket could not be opened or broke (DNS, TCP, TLS, HTTP upgrade, I/O).
    WebSocket(String),
    /// TMC closed the connection.
    Closed,
    /// The connect ack did not come within the connect time-out.
    ConnectTimeout(Duration),
    /// Nothing arrived on the connection (not even a pong) for this long: taken as dead.
    Dead(Duration),
    /// A frame that could not be decoded where the connect ack was awaited.
    Frame {
        /// Where and why decoding failed.
        error: FrameError,
        /// The frame's size and, when it cannot be a TMC frame, its first bytes.
        snippet: String,
    },
    /// The answer to the connect was no usable ack.
    Handshake(ConnectError),
    /// Connecting failed this many times in a row and the retry policy gave up.
    GaveUp {
        /// The attempts made since the last working connection.
        attempts: u32,
        /// The last failure.
        last: Box<TmcError>,
    },
    /// An HTTP fallback call failed and the retry policy gave up (boxed: `CallError` is
    /// large).
    Call(Box<CallError>),
}

impl fmt::Display for TmcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TmcError::Config(m) => write!(f, "TMC client setting: {m}"),
            TmcError::Refused { code, phrase } => {
                write!(f, "TMC refused the connection: status {code}")?;
                if let Some(p) = phrase {
                    write!(f, " ({p})")?;
                }
                Ok(())
            }
            TmcError::WebSocket(m) => write!(f, "TMC WebSocket: {m}"),
            TmcError::Closed => f.write_str("TMC closed the connection"),
            TmcError::ConnectTimeout(d) => write!(f, "no TMC connect ack within {d:?}"),
            TmcError::Dead(d) => write!(f, "TMC connection silent for {d:?}: taken as dead"),
            TmcError::Frame { error, snippet } => write!(f, "{error} ({snippet})"),
            TmcError::Handshake(e) => e.fmt(f),
            TmcError::GaveUp { attempts, last } => {
                write!(
                    f,
                    "TMC connect failed {attempts} times in a row; last: {last}"
                )
            }
            TmcError::Call(e) => write!(f, "TMC HTTP call failed: {e}"),
        }
    }
}

impl std::error::Error for TmcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TmcError::Frame { error, .. } => Some(error),
            TmcError::Handshake(e) => Some(e),
            TmcError::GaveUp { last, .. } => Some(last.as_ref()),
            TmcError::Call(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// How many leading bytes a snippet shows.
const SNIPPET_BYTES: usize = 16;

/// What may be shown of undecodable bytes: their size, and their first bytes in hex (with
/// the printable ones as text) only when the first is not the protocol version, i.e. when
/// this is no TMC frame at all (an HTML error page, a proxy's text), whose headers could
/// hold a token or buyer data.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    if bytes.first() == Some(&PROTOCOL_VERSION) {
        return format!("{} bytes, contents not shown", bytes.len());
    }
    let head = &bytes[..bytes.len().min(SNIPPET_BYTES)];
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    let text: String = head
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    format!(
        "{} bytes, starting {} {:?}{}",
        bytes.len(),
        hex.join(" "),
        text,
        if bytes.len() > SNIPPET_BYTES {
            " …"
        } else {
            ""
        }
    )
}

/// The error for bytes that did not decode.
pub(crate) fn frame_error(error: FrameError, bytes: &[u8]) -> TmcError {
    TmcError::Frame {
        error,
        snippet: snippet(bytes),
    }
}
