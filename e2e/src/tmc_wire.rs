//! The fake TMC server's own reading and writing of TMC frames, from the protocol notes and
//! not from `top-runtime`: little-endian, protocol version `2`, a message type byte, then
//! headers (an int16 type each) until type `0`. Custom headers carry a counted-string key, a
//! value-type byte and the value; a counted string is an int32 byte length and UTF-8 bytes.
//!
//! [`parse`] never panics: every length is checked against what is left before it is used,
//! and a problem is reported with its byte offset.

use std::fmt;

/// The protocol version byte.
pub const VERSION: u8 = 2;

/// Message type `0`: the client's first frame.
pub const CONNECT: u8 = 0;
/// Message type `1`: the server's answer to it.
pub const CONNECT_ACK: u8 = 1;
/// Message type `2`: a message, a confirm, a pull request.
pub const SEND: u8 = 2;
/// Message type `3`: an acknowledgement of a `send`.
pub const SEND_ACK: u8 = 3;

/// `__kind` of a pull request.
pub const KIND_PULL: i64 = 1;
/// `__kind` of a confirm.
pub const KIND_CONFIRM: i64 = 2;
/// `__kind` of a data message (what the server pushes). The Java SDK's kinds are bytes.
pub const KIND_DATA: u8 = 3;

/// A custom header's value, tagged as on the wire.
#[derive(Clone, PartialEq, Eq)]
pub enum Val {
    /// Type `0`: no value.
    Void,
    /// Type `1`: a counted string.
    Str(String),
    /// Type `2`: one byte.
    U8(u8),
    /// Type `3`: int16.
    I16(i16),
    /// Type `4`: int32.
    I32(i32),
    /// Type `5`: int64.
    I64(i64),
    /// Type `6`: a date, int64 epoch milliseconds.
    Date(i64),
    /// Type `7`: int32 length and bytes.
    Raw(Vec<u8>),
}

impl Val {
    /// Any integer-typed value, exactly.
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::U8(v) => Some(i64::from(*v)),
            Val::I16(v) => Some(i64::from(*v)),
            Val::I32(v) => Some(i64::from(*v)),
            Val::I64(v) | Val::Date(v) => Some(*v),
            _ => None,
        }
    }

    /// A string value.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    fn tag(&self) -> u8 {
        match self {
            Val::Void => 0,
            Val::Str(_) => 1,
            Val::U8(_) => 2,
            Val::I16(_) => 3,
            Val::I32(_) => 4,
            Val::I64(_) => 5,
            Val::Date(_) => 6,
            Val::Raw(_) => 7,
        }
    }
}

// Values may be a sign or test content: only their types are shown.
impl fmt::Debug for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<type {}>", self.tag())
    }
}

/// One frame. `Debug` shows the header names, never their values or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct WireFrame {
    /// The message type byte.
    pub msg_type: u8,
    /// Header `2`.
    pub status_code: Option<i32>,
    /// Header `3`.
    pub status_phrase: Option<String>,
    /// Header `4`.
    pub flag: Option<i32>,
    /// Header `5`.
    pub token: Option<String>,
    /// Headers `1`, in order.
    pub custom: Vec<(String, Val)>,
}

impl fmt::Debug for WireFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.custom.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("WireFrame")
            .field("msg_type", &self.msg_type)
            .field("status_code", &self.status_code)
            .field("has_token", &self.token.is_some())
            .field("custom", &keys)
            .finish()
    }
}

impl WireFrame {
    /// A frame of `msg_type` with no headers.
    pub fn of(msg_type: u8) -> Self {
        WireFrame {
            msg_type,
            status_code: None,
            status_phrase: None,
            flag: None,
            token: None,
            custom: Vec::new(),
        }
    }

    /// The same frame with one more custom header.
    pub fn with(mut self, key: &str, value: Val) -> Self {
        self.custom.push((key.to_owned(), value));
        self
    }

    /// The last custom header named `key` (a repeated key: the later one wins, as in a map).
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.custom
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// A string header's value.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Val::text)
    }

    /// An integer header's value.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Val::int)
    }
}

/// The uppercase hex MD5 connect sign: `secret + "app_key" + key + "group_name" + group +
/// "timestamp" + timestamp + secret` (the three parameters in key order).
pub fn connect_sign(secret: &str, app_key: &str, group: &str, timestamp: &str) -> String {
    let text = format!("{secret}app_key{app_key}group_name{group}timestamp{timestamp}{secret}");
    format!("{:X}", md5::compute(text.as_bytes()))
}

/// The frame's bytes. A string longer than `i32::MAX` bytes cannot be counted; tests never
/// build one, so its length is clamped rather than checked.
pub fn write(frame: &WireFrame) -> Vec<u8> {
    let mut out = vec![VERSION, frame.msg_type];
    let header = |out: &mut Vec<u8>, t: i16| out.extend(t.to_le_bytes());
    if let Some(code) = frame.status_code {
        header(&mut out, 2);
        out.extend(code.to_le_bytes());
    }
    if let Some(phrase) = &frame.status_phrase {
        header(&mut out, 3);
        counted(&mut out, phrase.as_bytes());
    }
    if let Some(flag) = frame.flag {
        header(&mut out, 4);
        out.extend(flag.to_le_bytes());
    }
    if let Some(token) = &frame.token {
        header(&mut out, 5);
        counted(&mut out, token.as_bytes());
    }
    for (key, value) in &frame.custom {
        header(&mut out, 1);
        counted(&mut out, key.as_bytes());
        out.push(value.tag());
        match value {
            Val::Void => {}
            Val::Str(s) => counted(&mut out, s.as_bytes()),
            Val::U8(v) => out.push(*v),
            Val::I16(v) => out.extend(v.to_le_bytes()),
            Val::I32(v) => out.extend(v.to_le_bytes()),
            Val::I64(v) | Val::Date(v) => out.extend(v.to_le_bytes()),
            Val::Raw(b) => counted(&mut out, b),
        }
    }
    header(&mut out, 0);
    out
}

fn counted(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    out.extend(len.to_le_bytes());
    out.extend(&bytes[..usize::try_from(len).unwrap_or(0)]);
}

/// What [`parse`] found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Byte offset of the faulty item.
    pub at: usize,
    /// What was wrong.
    pub what: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad TMC frame at byte {}: {}", self.at, self.what)
    }
}

impl std::error::Error for WireError {}

/// Reads a whole frame: trailing bytes after the end header are an error.
pub fn parse(bytes: &[u8]) -> Result<WireFrame, WireError> {
    let mut r = Reader { bytes, pos: 0 };
    let version = r.take::<1>("the version")?[0];
    if version != VERSION {
        return Err(r.error_at(0, format!("version {version}, expected {VERSION}")));
    }
    let msg_type = r.take::<1>("the message type")?[0];
    if msg_type > SEND_ACK {
        return Err(r.error_at(1, format!("message type {msg_type}")));
    }
    let mut frame = WireFrame::of(msg_type);
    loop {
        let at = r.pos;
        match i16::from_le_bytes(r.take("a header type")?) {
            0 => break,
            1 => {
                let key = r.string("a header key")?;
                let value = r.value()?;
                frame.custom.push((key, value));
            }
            2 => frame.status_code = Some(i32::from_le_bytes(r.take("the status code")?)),
            3 => frame.status_phrase = Some(r.string("the status phrase")?),
            4 => frame.flag = Some(i32::from_le_bytes(r.take("the flag")?)),
            5 => frame.token = Some(r.string("the token")?),
            other => return Err(r.error_at(at, format!("header type {other}"))),
        }
    }
    if r.pos != bytes.len() {
        let extra = bytes.len() - r.pos;
        return Err(r.error_at(r.pos, format!("{extra} bytes after the end of headers")));
    }
    Ok(frame)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error_at(&self, at: usize, what: String) -> WireError {
        WireError { at, what }
    }

    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], WireError> {
        let chunk = self.slice(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(chunk);
        Ok(out)
    }

    fn slice(&mut self, n: usize, what: &str) -> Result<&[u8], WireError> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(self.error_at(self.pos, format!("{what}: {n} bytes needed, {left} left")));
        }
        let start = self.pos;
        self.pos += n;
        Ok(&self.bytes[start..self.pos])
    }

    fn counted(&mut self, what: &str) -> Result<Vec<u8>, WireError> {
        let at = self.pos;
        let len = i32::from_le_bytes(self.take(what)?);
        let Ok(len) = usize::try_from(len) else {
            return Err(self.error_at(at, format!("{what}: negative length {len}")));
        };
        Ok(self.slice(len, what)?.to_vec())
    }

    fn string(&mut self, what: &str) -> Result<String, WireError> {
        let at = self.pos;
        String::from_utf8(self.counted(what)?)
            .map_err(|_| self.error_at(at, format!("{what}: not UTF-8")))
    }

    fn value(&mut self) -> Result<Val, WireError> {
        let at = self.pos;
        Ok(match self.take::<1>("a value type")?[0] {
            0 => Val::Void,
            1 => Val::Str(self.string("a string value")?),
            2 => Val::U8(self.take::<1>("a byte value")?[0]),
            3 => Val::I16(i16::from_le_bytes(self.take("an int16 value")?)),
            4 => Val::I32(i32::from_le_bytes(self.take("an int32 value")?)),
            5 => Val::I64(i64::from_le_bytes(self.take("an int64 value")?)),
            6 => Val::Date(i64::from_le_bytes(self.take("a date value")?)),
            7 => Val::Raw(self.counted("a byte array value")?),
            other => return Err(self.error_at(at, format!("value type {other}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_and_value_round_trips() {
        let mut frame = WireFrame::of(SEND)
            .with("v", Val::Void)
            .with("s", Val::Str("订单 ✓".into()))
            .with("b", Val::U8(7))
            .with("i16", Val::I16(-2))
            .with("i32", Val::I32(70_000))
            .with("id", Val::I64((1 << 53) + 1))
            .with("d", Val::Date(1_700_000_000_000))
            .with("raw", Val::Raw(vec![0, 255]));
        frame.status_code = Some(401);
        frame.status_phrase = Some("签名错误".into());
        frame.flag = Some(1);
        frame.token = Some("t".into());
        let bytes = write(&frame);
        assert_eq!(parse(&bytes), Ok(frame));
    }

    #[test]
    fn known_bytes() {
        // version, send, token "ab", custom "id" int64 1, end.
        let frame = WireFrame {
            token: Some("ab".into()),
            ..WireFrame::of(SEND)
        }
        .with("id", Val::I64(1));
        let expected: Vec<u8> = [
            &[2u8, 2][..],
            &[5, 0, 2, 0, 0, 0, b'a', b'b'],
            &[1, 0, 2, 0, 0, 0, b'i', b'd', 5, 1, 0, 0, 0, 0, 0, 0, 0],
            &[0, 0],
        ]
        .concat();
        assert_eq!(write(&frame), expected);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = write(&WireFrame::of(CONNECT).with("app_key", Val::Str("k".into())));
        for cut in 0..bytes.len() {
            assert!(parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert_eq!(parse(&extra).map_err(|e| e.at), Err(bytes.len()));
    }

    #[test]
    fn bad_version_type_and_lengths() {
        assert_eq!(parse(&[1, 0, 0, 0]).map_err(|e| e.at), Err(0));
        assert_eq!(parse(&[2, 9, 0, 0]).map_err(|e| e.at), Err(1));
        assert_eq!(parse(&[2, 2, 6, 0]).map_err(|e| e.at), Err(2));
        // A token of length -1.
        assert_eq!(
            parse(&[2, 2, 5, 0, 255, 255, 255, 255]).map_err(|e| e.at),
            Err(4)
        );
        // A huge length is refused before any allocation.
        assert!(parse(&[2, 2, 5, 0, 255, 255, 255, 127]).is_err());
        // Invalid UTF-8 in a key.
        assert!(parse(&[2, 2, 1, 0, 1, 0, 0, 0, 0xff, 0, 0, 0]).is_err());
    }

    #[test]
    fn the_sign_is_uppercase_md5_of_the_sorted_parameters() {
        let sign = connect_sign("s", "k", "default", "1");
        assert_eq!(
            sign,
            format!(
                "{:X}",
                md5::compute(b"sapp_keykgroup_namedefaulttimestamp1s")
            )
        );
        assert_eq!(sign.len(), 32);
        assert!(
            sign.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
    }
}
