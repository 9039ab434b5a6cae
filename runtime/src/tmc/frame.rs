//! The TMC binary frame, sans IO: [`encode`] and [`decode`].
//!
//! Little-endian throughout: protocol version `2` (byte), message type (byte), then headers,
//! each an int16 type until `0`. A counted string is an int32 UTF-8 byte length and the bytes.
//! Decoding never panics and never allocates more than the input holds: every length is
//! checked against the remaining bytes first.

use std::fmt;

use super::Redacted;

/// The only protocol version TMC speaks.
pub const PROTOCOL_VERSION: u8 = 2;

const HEADER_END: i16 = 0;
const HEADER_CUSTOM: i16 = 1;
const HEADER_STATUS_CODE: i16 = 2;
const HEADER_STATUS_PHRASE: i16 = 3;
const HEADER_FLAG: i16 = 4;
const HEADER_TOKEN: i16 = 5;

/// A frame's message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `0`: the client's first frame.
    Connect,
    /// `1`: TMC's answer to it.
    ConnectAck,
    /// `2`: a message, a confirm or a pull request.
    Send,
    /// `3`: an acknowledgement of a `send`.
    SendAck,
}

impl MessageType {
    fn code(self) -> u8 {
        match self {
            MessageType::Connect => 0,
            MessageType::ConnectAck => 1,
            MessageType::Send => 2,
            MessageType::SendAck => 3,
        }
    }

    fn from_code(code: u8) -> Option<MessageType> {
        Some(match code {
            0 => MessageType::Connect,
            1 => MessageType::ConnectAck,
            2 => MessageType::Send,
            3 => MessageType::SendAck,
            _ => return None,
        })
    }
}

/// A custom header's typed value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `0`: no value (Java's `null`).
    Void,
    /// `1`: a counted string.
    String(String),
    /// `2`: a byte.
    Byte(u8),
    /// `3`: an int16.
    Int16(i16),
    /// `4`: an int32.
    Int32(i32),
    /// `5`: an int64.
    Int64(i64),
    /// `6`: a date, int64 epoch milliseconds.
    Date(i64),
    /// `7`: a byte array, int32 length and the bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// Any integer or date value as an i64 (exact: never through f64).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Byte(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) | Value::Date(v) => Some(v),
            _ => None,
        }
    }

    /// A string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

// Header values can be buyer data (a message's content, nick) or secrets (the sign): only
// their type and size are printed.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Void => f.write_str("Void"),
            Value::String(s) => f.debug_tuple("String").field(&Redacted(s.len())).finish(),
            Value::Byte(_) => f.write_str("Byte(..)"),
            Value::Int16(_) => f.write_str("Int16(..)"),
            Value::Int32(_) => f.write_str("Int32(..)"),
            Value::Int64(_) => f.write_str("Int64(..)"),
            Value::Date(_) => f.write_str("Date(..)"),
            Value::Bytes(b) => f.debug_tuple("Bytes").field(&Redacted(b.len())).finish(),
        }
    }
}

/// One TMC frame. Absent standard headers are `None`; custom headers keep their order.
/// `Debug` prints header names and value types, never the values or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The message type.
    pub message_type: MessageType,
    /// Header `2`: the status code (non-zero on a refusal).
    pub status_code: Option<i32>,
    /// Header `3`: the status phrase.
    pub status_phrase: Option<String>,
    /// Header `4`: the flag.
    pub flag: Option<i32>,
    /// Header `5`: the connection's token.
    pub token: Option<String>,
    /// Headers `1`: custom key and typed value, in frame order.
    pub headers: Vec<(String, Value)>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("message_type", &self.message_type)
            .field("status_code", &self.status_code)
            .field("status_phrase", &self.status_phrase)
            .field("flag", &self.flag)
            .field("token", &self.token.as_ref().map(|t| Redacted(t.len())))
            .field("headers", &self.headers)
            .finish()
    }
}

impl Frame {
    /// A frame of this type without headers.
    pub fn new(message_type: MessageType) -> Frame {
        Frame {
            message_type,
            status_code: None,
            status_phrase: None,
            flag: None,
            token: None,
            headers: Vec::new(),
        }
    }

    /// The custom header named `key`; the last one when it repeats, as the Java SDK's
    /// decoder (`MessageDecoder02`, into a `HashMap`) keeps it.
    pub fn header(&self, key: &str) -> Option<&Value> {
        self.headers.iter().rfind(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// What was wrong with a frame, and at which byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The byte offset where the faulty item starts.
    pub offset: usize,
    /// What was wrong.
    pub kind: FrameErrorKind,
}

/// The kinds of [`FrameError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// The input ended inside `what`, which needs `needed` bytes.
    Truncated {
        /// The item being read.
        what: &'static str,
        /// The bytes it needs.
        needed: usize,
        /// The bytes left.
        remaining: usize,
    },
    /// A negative length.
    NegativeLength {
        /// The item being read.
        what: &'static str,
        /// The length read.
        len: i32,
    },
    /// Invalid UTF-8 in a counted string.
    InvalidUtf8 {
        /// The item being read.
        what: &'static str,
    },
    /// A protocol version other than 2.
    UnsupportedVersion(u8),
    /// A message type other than 0 to 3.
    UnknownMessageType(u8),
    /// A header type other than 0 to 5.
    UnknownHeaderType(i16),
    /// A custom value type other than 0 to 7.
    UnknownValueType(u8),
    /// Bytes after the end header.
    TrailingBytes(usize),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed TMC frame at byte {}: ", self.offset)?;
        match &self.kind {
            FrameErrorKind::Truncated {
                what,
                needed,
                remaining,
            } => write!(f, "{what} needs {needed} bytes, {remaining} left"),
            FrameErrorKind::NegativeLength { what, len } => {
                write!(f, "{what} has a negative length {len}")
            }
            FrameErrorKind::InvalidUtf8 { what } => write!(f, "{what} is not UTF-8"),
            FrameErrorKind::UnsupportedVersion(v) => {
                write!(f, "protocol version {v} (expected {PROTOCOL_VERSION})")
            }
            FrameErrorKind::UnknownMessageType(t) => write!(f, "unknown message type {t}"),
            FrameErrorKind::UnknownHeaderType(t) => write!(f, "unknown header type {t}"),
            FrameErrorKind::UnknownValueType(t) => write!(f, "unknown value type {t}"),
            FrameErrorKind::TrailingBytes(n) => write!(f, "{n} bytes after the end header"),
        }
    }
}

impl std::error::Error for FrameError {}

/// The frame's bytes.
///
/// # Panics
///
/// If a string or byte array is longer than `i32::MAX` bytes, which the format cannot count.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let mut w = Vec::with_capacity(64);
    w.push(PROTOCOL_VERSION);
    w.push(frame.message_type.code());
    if let Some(code) = frame.status_code {
        w.extend_from_slice(&HEADER_STATUS_CODE.to_le_bytes());
        w.extend_from_slice(&code.to_le_bytes());
    }
    if let Some(phrase) = &frame.status_phrase {
        w.extend_from_slice(&HEADER_STATUS_PHRASE.to_le_bytes());
        put_bytes(&mut w, phrase.as_bytes());
    }
    if let Some(flag) = frame.flag {
        w.extend_from_slice(&HEADER_FLAG.to_le_bytes());
        w.extend_from_slice(&flag.to_le_bytes());
    }
    if let Some(token) = &frame.token {
        w.extend_from_slice(&HEADER_TOKEN.to_le_bytes());
        put_bytes(&mut w, token.as_bytes());
    }
    for (key, value) in &frame.headers {
        w.extend_from_slice(&HEADER_CUSTOM.to_le_bytes());
        put_bytes(&mut w, key.as_bytes());
        match value {
            Value::Void => w.push(0),
            Value::String(s) => {
                w.push(1);
                put_bytes(&mut w, s.as_bytes());
            }
            Value::Byte(v) => w.extend_from_slice(&[2, *v]),
            Value::Int16(v) => {
                w.push(3);
                w.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int32(v) => {
                w.push(4);
                w.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int64(v) => {
                w.push(5);
                w.extend_from_slice(&v.to_le_bytes());
            }
            Value::Date(v) => {
                w.push(6);
                w.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bytes(b) => {
                w.push(7);
                put_bytes(&mut w, b);
            }
        }
    }
    w.extend_from_slice(&HEADER_END.to_le_bytes());
    w
}

/// An int32 byte length and the bytes (the length is in bytes, not characters).
fn put_bytes(w: &mut Vec<u8>, bytes: &[u8]) {
    let len = i32::try_from(bytes.len());
    assert!(len.is_ok(), "TMC frame item over i32::MAX bytes");
    w.extend_from_slice(&len.unwrap_or(i32::MAX).to_le_bytes());
    w.extend_from_slice(bytes);
}

/// The frame in `bytes`: the whole input, nothing after the end header.
pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
    let mut r = Reader { bytes, pos: 0 };
    let version = r.u8("protocol version")?;
    if version != PROTOCOL_VERSION {
        return Err(r.error_at(0, FrameErrorKind::UnsupportedVersion(version)));
    }
    let code = r.u8("message type")?;
    let message_type = MessageType::from_code(code)
        .ok_or_else(|| r.error_at(1, FrameErrorKind::UnknownMessageType(code)))?;
    let mut frame = Frame::new(message_type);
    loop {
        let at = r.pos;
        match r.i16("header type")? {
            HEADER_END => break,
            HEADER_CUSTOM => {
                let key = r.string("custom header key")?;
                let value = r.value()?;
                frame.headers.push((key, value));
            }
            // A repeated standard header overrides the earlier one, as a map would.
            HEADER_STATUS_CODE => frame.status_code = Some(r.i32("status code")?),
            HEADER_STATUS_PHRASE => frame.status_phrase = Some(r.string("status phrase")?),
            HEADER_FLAG => frame.flag = Some(r.i32("flag")?),
            HEADER_TOKEN => frame.token = Some(r.string("token")?),
            other => return Err(r.error_at(at, FrameErrorKind::UnknownHeaderType(other))),
        }
    }
    let rest = bytes.len() - r.pos;
    if rest != 0 {
        return Err(r.error_at(r.pos, FrameErrorKind::TrailingBytes(rest)));
    }
    Ok(frame)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn error_at(&self, offset: usize, kind: FrameErrorKind) -> FrameError {
        FrameError { offset, kind }
    }

    fn take(&mut self, what: &'static str, n: usize) -> Result<&'a [u8], FrameError> {
        let remaining = self.bytes.len() - self.pos;
        if n > remaining {
            return Err(self.error_at(
                self.pos,
                FrameErrorKind::Truncated {
                    what,
                    needed: n,
                    remaining,
                },
            ));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FrameError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(what, N)?);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, FrameError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, FrameError> {
        self.array(what).map(i16::from_le_bytes)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, FrameError> {
        self.array(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, FrameError> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// A counted byte run; the length is checked against the input before any allocation.
    fn counted(&mut self, what: &'static str) -> Result<&'a [u8], FrameError> {
        let at = self.pos;
        let len = self.i32(what)?;
        let n = usize::try_from(len)
            .map_err(|_| self.error_at(at, FrameErrorKind::NegativeLength { what, len }))?;
        self.take(what, n)
    }

    fn string(&mut self, what: &'static str) -> Result<String, FrameError> {
        let at = self.pos;
        let raw = self.counted(what)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(self.error_at(at, FrameErrorKind::InvalidUtf8 { what })),
        }
    }

    fn value(&mut self) -> Result<Value, FrameError> {
        let at = self.pos;
        Ok(match self.u8("value type")? {
            0 => Value::Void,
            1 => Value::String(self.string("string value")?),
            2 => Value::Byte(self.u8("byte value")?),
            3 => Value::Int16(self.i16("int16 value")?),
            4 => Value::Int32(self.i32("int32 value")?),
            5 => Value::Int64(self.i64("int64 value")?),
            6 => Value::Date(self.i64("date value")?),
            7 => Value::Bytes(self.counted("byte array value")?.to_vec()),
            other => return Err(self.error_at(at, FrameErrorKind::UnknownValueType(other))),
        })
    }
}
