//! The gateway's own reading of a TOP request: form decoding, the string to sign, the three
//! digests, and every check of the system and API parameters (see the protocol notes:
//! system parameters in the query, API parameters in a form body, `sign` over both).
//!
//! Written from the protocol description, not from `top-runtime`: percent-decoding by hand,
//! MD5 from the `md5` crate, HMAC-MD5 by hand over it, HMAC-SHA256 from `hmac-sha256`, and
//! `multipart/form-data` (requests with files) parsed by the `multer` crate.

use std::collections::BTreeMap;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use serde_json::Value;

use crate::china_time;

/// The protocol version every request must carry.
pub const VERSION: &str = "2.0";

/// The `Content-Type` of the form body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";

/// The media type of a request with files.
pub const MULTIPART: &str = "multipart/form-data";

/// The `Content-Type` every text part of a multipart request must carry.
pub const TEXT_PART_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// A file part of a multipart request, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenFile {
    /// The part's `name` (the API parameter).
    pub name: String,
    /// The part's `filename`.
    pub file_name: String,
    /// The part's `Content-Type`.
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// The parts of a multipart body: text parameters (decoded as UTF-8) and files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart {
    /// Parts without a `filename`, in order.
    pub texts: Vec<(String, String)>,
    /// Parts with a `filename`, in order.
    pub files: Vec<SeenFile>,
}

/// Parameters that belong in the query string.
pub const SYSTEM_PARAMS: [&str; 11] = [
    "method",
    "app_key",
    "timestamp",
    "v",
    "sign_method",
    "format",
    "session",
    "partner_id",
    "simplify",
    "target_app_key",
    "sign",
];

/// An HTTP request as the gateway received it (or as `call --dry-run` printed it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenRequest {
    /// `POST`.
    pub method: String,
    /// Path and query, e.g. `/router/rest?method=...`.
    pub target: String,
    /// Headers as received.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl SeenRequest {
    /// The first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The decoded query parameters.
    pub fn query(&self) -> Result<Vec<(String, String)>, String> {
        parse_form(self.target.split_once('?').map_or("", |(_, q)| q))
    }

    /// The decoded form body.
    pub fn form(&self) -> Result<Vec<(String, String)>, String> {
        let text = std::str::from_utf8(&self.body).map_err(|_| "the body is not UTF-8")?;
        parse_form(text)
    }

    /// Whether the `Content-Type` is `multipart/form-data`.
    pub fn is_multipart(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(MULTIPART))
        })
    }

    /// The parts of a `multipart/form-data` body, read by `multer`.
    pub fn multipart(&self) -> Result<Multipart, String> {
        let content_type = self.header("content-type").ok_or("no Content-Type")?;
        parse_multipart(content_type, &self.body)
    }
}

/// Parses a complete `multipart/form-data` body with `multer`. A text part must be
/// `text/plain;charset=UTF-8` and UTF-8; every part must have a name.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Multipart, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| format!("{e}"))?;
    let body = bytes::Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    complete_now(async move {
        let mut parsed = Multipart::default();
        while let Some(field) = multipart.next_field().await.map_err(|e| format!("{e}"))? {
            let name = field.name().ok_or("a part without a name")?.to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field
                .headers()
                .get("content-type")
                .map(|v| v.to_str().map(str::to_owned))
                .transpose()
                .map_err(|_| format!("part {name}: a non-ASCII Content-Type"))?;
            let bytes = field.bytes().await.map_err(|e| format!("{e}"))?;
            match file_name {
                Some(file_name) => parsed.files.push(SeenFile {
                    content_type: content_type
                        .ok_or_else(|| format!("file part {name} has no Content-Type"))?,
                    name,
                    file_name,
                    bytes: bytes.to_vec(),
                }),
                None => {
                    if content_type.as_deref() != Some(TEXT_PART_CONTENT_TYPE) {
                        return Err(format!(
                            "text part {name} has Content-Type {content_type:?}, expected {TEXT_PART_CONTENT_TYPE}"
                        ));
                    }
                    let text = String::from_utf8(bytes.to_vec())
                        .map_err(|_| format!("text part {name} is not UTF-8"))?;
                    parsed.texts.push((name, text));
                }
            }
        }
        Ok(parsed)
    })?
}

/// Runs a future whose input is all in memory (no I/O, no timers) to completion by polling;
/// the parser never waits on anything, so this needs no executor and works inside one.
fn complete_now<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
    }
    Err("the multipart parser did not finish on a complete body".to_owned())
}

/// Parses what `call --dry-run` prints: `POST <url>`, header lines, a blank line, the body.
pub fn parse_printed_request(text: &str) -> Result<SeenRequest, String> {
    let (head, body) = text
        .split_once("\n\n")
        .ok_or("no blank line between the headers and the body")?;
    let mut lines = head.lines();
    let first = lines.next().ok_or("nothing printed")?;
    let (method, url) = first
        .split_once(' ')
        .ok_or_else(|| format!("bad request line {first:?}"))?;
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("not an absolute http(s) URL: {url:?}"))?;
    let target = rest
        .find('/')
        .map(|i| rest[i..].to_owned())
        .ok_or_else(|| format!("no path in {url:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let body = body.strip_suffix('\n').unwrap_or(body);
    Ok(SeenRequest {
        method: method.to_owned(),
        target,
        headers,
        body: body.as_bytes().to_vec(),
    })
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether Java's `URLEncoder` leaves the byte as is (`A-Za-z0-9.-*_`).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'*' | b'_')
}

/// Decodes one form component: `+` is a space, `%XX` a byte, the result UTF-8. Bytes that
/// an encoder following the protocol would have escaped are an error.
pub fn form_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let byte = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| Some(hex_digit(h[0])? * 16 + hex_digit(h[1])?))
                    .ok_or_else(|| format!("bad percent escape in {text:?}"))?;
                out.push(byte);
                i += 3;
            }
            b if is_unreserved(b) => {
                out.push(b);
                i += 1;
            }
            b => return Err(format!("unescaped byte {:?} in {text:?}", char::from(b))),
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} does not decode to UTF-8"))
}

/// Parses `a=1&b=2` into decoded pairs, in order.
pub fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split('&')
        .map(|pair| {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` has no `=`"))?;
            Ok((form_decode(k)?, form_decode(v)?))
        })
        .collect()
}

/// Whether a value counts as absent: empty or only whitespace.
fn is_blank(value: &str) -> bool {
    value.trim().is_empty()
}

/// Every sent parameter but `sign` and blank values, sorted by key (byte order), as
/// `key + value` with no separators.
pub fn string_to_sign(params: &[(String, String)]) -> String {
    let sorted: BTreeMap<&[u8], &str> = params
        .iter()
        .filter(|(k, v)| k != "sign" && !is_blank(v))
        .map(|(k, v)| (k.as_bytes(), v.as_str()))
        .collect();
    sorted
        .into_iter()
        .map(|(k, v)| format!("{}{v}", String::from_utf8_lossy(k)))
        .collect()
}

fn upper_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// HMAC-MD5 (RFC 2104) over the `md5` crate.
pub fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..16].copy_from_slice(&md5::compute(key).0);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = md5::Context::new();
    inner.consume(k.map(|b| b ^ 0x36));
    inner.consume(message);
    let inner = inner.finalize();
    let mut outer = md5::Context::new();
    outer.consume(k.map(|b| b ^ 0x5c));
    outer.consume(inner.0);
    outer.finalize().0
}

/// The signature of `params` with `sign_method` (`md5`, `hmac`, `hmac-sha256`).
pub fn sign(
    sign_method: &str,
    secret: &str,
    params: &[(String, String)],
) -> Result<String, String> {
    let text = string_to_sign(params);
    Ok(match sign_method {
        "md5" => upper_hex(&md5::compute(format!("{secret}{text}{secret}")).0),
        "hmac" => upper_hex(&hmac_md5(secret.as_bytes(), text.as_bytes())),
        "hmac-sha256" => upper_hex(&hmac_sha256::HMAC::mac(text.as_bytes(), secret.as_bytes())),
        other => return Err(format!("unknown sign_method {other:?}")),
    })
}

/// How the `timestamp` is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampCheck {
    /// China time within 10 minutes of now (what the real gateway allows).
    NearNow,
    /// Exactly this text (a pinned `--timestamp`).
    Exact(String),
}

/// An expected API parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// Sent as exactly this text.
    Text(String),
    /// A struct (or list of structs) sent as one JSON string equal to this value, with
    /// non-ASCII characters written raw.
    Json(Value),
    /// Any value: one a test varies from call to call (a load test tallies it instead).
    Any,
}

/// What a request must look like.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// The URL path, `/router/rest` or `/router/qm`.
    pub path: String,
    /// The API method name.
    pub method: String,
    /// `app_key`.
    pub app_key: String,
    /// The app secret the signature must be made with.
    pub secret: String,
    /// `sign_method`.
    pub sign_method: String,
    /// `format`.
    pub format: String,
    /// `session`: sent iff `Some`, with this value.
    pub session: Option<String>,
    /// `target_app_key`: sent iff `Some`, with this value.
    pub target_app_key: Option<String>,
    /// Whether `simplify=true` is sent (else no `simplify`).
    pub simplify: bool,
    /// How `timestamp` is checked.
    pub timestamp: TimestampCheck,
    /// The API parameters, exactly (none missing, none extra).
    pub params: Vec<(String, Param)>,
    /// The files, exactly and in order; when not empty the request must be
    /// `multipart/form-data`, else a form.
    pub files: Vec<SeenFile>,
}

/// How far the timestamp may be from now, as the gateway allows.
pub const MAX_SKEW_SECS: i64 = 600;

/// Every way `request` differs from `expect`; empty when it is a valid, correctly signed
/// request for the expected call.
pub fn verify(expect: &Expect, request: &SeenRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if request.method != "POST" {
        problems.push(format!("HTTP method {} instead of POST", request.method));
    }
    if request.path() != expect.path {
        problems.push(format!(
            "path {} instead of {}",
            request.path(),
            expect.path
        ));
    }
    let (form, files) = if expect.files.is_empty() {
        match request.header("content-type") {
            Some(ct) if ct == FORM_CONTENT_TYPE => {}
            other => problems.push(format!(
                "Content-Type {other:?}, expected {FORM_CONTENT_TYPE}"
            )),
        }
        let form = request.form().unwrap_or_else(|e| {
            problems.push(format!("body: {e}"));
            Vec::new()
        });
        (form, Vec::new())
    } else {
        let content_type = request.header("content-type").unwrap_or_default();
        let params: Vec<String> = content_type
            .split(';')
            .map(|p| p.trim().to_ascii_lowercase())
            .collect();
        if !request.is_multipart() || !params.iter().any(|p| p == "charset=utf-8") {
            problems.push(format!(
                "Content-Type {content_type:?}, expected {MULTIPART} with a boundary and charset=UTF-8"
            ));
        }
        match request.multipart() {
            Ok(parts) => (parts.texts, parts.files),
            Err(e) => {
                problems.push(format!("multipart body: {e}"));
                (Vec::new(), Vec::new())
            }
        }
    };
    let query = request.query().unwrap_or_else(|e| {
        problems.push(format!("query: {e}"));
        Vec::new()
    });
    if files != expect.files {
        let summary = |list: &[SeenFile]| -> Vec<String> {
            list.iter()
                .map(|f| {
                    format!(
                        "{}: {:?} {} ({} bytes)",
                        f.name,
                        f.file_name,
                        f.content_type,
                        f.bytes.len()
                    )
                })
                .collect()
        };
        problems.push(format!(
            "files {:?}, expected {:?}",
            summary(&files),
            summary(&expect.files)
        ));
    }

    let mut seen = std::collections::BTreeSet::new();
    for (k, v) in query.iter().chain(&form) {
        if !seen.insert(k.as_str()) {
            problems.push(format!("parameter {k} is sent twice"));
        }
        if is_blank(v) {
            problems.push(format!("parameter {k} is sent blank"));
        }
    }
    for (k, _) in &query {
        if !SYSTEM_PARAMS.contains(&k.as_str()) {
            problems.push(format!("API parameter {k} is in the query"));
        }
    }
    for k in form
        .iter()
        .map(|(k, _)| k)
        .chain(files.iter().map(|f| &f.name))
    {
        if SYSTEM_PARAMS.contains(&k.as_str()) {
            problems.push(format!("system parameter {k} is in the body"));
        }
    }

    let get = |list: &[(String, String)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    let mut expect_eq = |key: &str, want: Option<&str>| {
        let got = get(&query, key);
        if got.as_deref() != want {
            problems.push(format!("{key} is {got:?}, expected {want:?}"));
        }
    };
    expect_eq("method", Some(&expect.method));
    expect_eq("app_key", Some(&expect.app_key));
    expect_eq("v", Some(VERSION));
    expect_eq("sign_method", Some(&expect.sign_method));
    expect_eq("format", Some(&expect.format));
    expect_eq("session", expect.session.as_deref());
    expect_eq("target_app_key", expect.target_app_key.as_deref());
    expect_eq("simplify", expect.simplify.then_some("true"));
    expect_eq("partner_id", None);

    match (get(&query, "timestamp"), &expect.timestamp) {
        (None, _) => problems.push("no timestamp".to_owned()),
        (Some(ts), TimestampCheck::Exact(want)) => {
            if &ts != want {
                problems.push(format!("timestamp {ts:?}, expected {want:?}"));
            }
        }
        (Some(ts), TimestampCheck::NearNow) => match china_time::parse(&ts) {
            Err(e) => problems.push(format!("timestamp: {e}")),
            Ok(at) => {
                let skew = at - china_time::unix_now();
                if skew.abs() > MAX_SKEW_SECS {
                    problems.push(format!(
                        "timestamp {ts:?} is {skew} s from China time now ({})",
                        china_time::now()
                    ));
                }
            }
        },
    }

    // Files are never signed: the signature covers the query and the text parameters only.
    let all: Vec<(String, String)> = query.iter().chain(&form).cloned().collect();
    match (
        get(&query, "sign"),
        sign(&expect.sign_method, &expect.secret, &all),
    ) {
        (None, _) => problems.push("no sign".to_owned()),
        (Some(_), Err(e)) => problems.push(e),
        (Some(got), Ok(want)) => {
            if got != want {
                problems.push(format!(
                    "sign {got} does not match {want} (signed text {:?})",
                    string_to_sign(&all)
                ));
            }
        }
    }

    for (name, want) in &expect.params {
        let Some(got) = get(&form, name) else {
            problems.push(format!("API parameter {name} is missing"));
            continue;
        };
        match want {
            Param::Any => {}
            Param::Text(want) => {
                if &got != want {
                    problems.push(format!("{name} is {got:?}, expected {want:?}"));
                }
            }
            Param::Json(want) => match serde_json::from_str::<Value>(&got) {
                Err(e) => problems.push(format!("{name} is not JSON ({e}): {got:?}")),
                Ok(value) => {
                    if &value != want {
                        problems.push(format!("{name} is {value}, expected {want}"));
                    }
                    if got.contains("\\u") {
                        problems.push(format!("{name} escapes non-ASCII characters: {got}"));
                    }
                }
            },
        }
    }
    for (name, _) in &form {
        if !expect.params.iter().any(|(n, _)| n == name) {
            problems.push(format!("unexpected API parameter {name}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            form_decode("%E5%BC%A0%E4%B8%89+%E6%9D%8E").as_deref(),
            Ok("张三 李")
        );
        assert_eq!(form_decode("a.b-c*d_e").as_deref(), Ok("a.b-c*d_e"));
        assert!(form_decode("%E5%BC").is_err(), "not UTF-8");
        assert!(form_decode("%G1").is_err());
        assert!(form_decode("%4").is_err());
        assert!(form_decode("a b").is_err(), "unescaped space");
        assert!(form_decode("a:b").is_err(), "unescaped colon");
        assert_eq!(
            parse_form("a=1&b=&c=%3D"),
            Ok(pairs(&[("a", "1"), ("b", ""), ("c", "=")]))
        );
        assert!(parse_form("a").is_err());
        assert_eq!(parse_form(""), Ok(vec![]));
    }

    #[test]
    fn hmac_md5_rfc2202_vectors() {
        assert_eq!(
            upper_hex(&hmac_md5(&[0x0b; 16], b"Hi There")),
            "9294727A3638BB1C13F48EF8158BFC9D"
        );
        assert_eq!(
            upper_hex(&hmac_md5(b"Jefe", b"what do ya want for nothing?")),
            "750C783E6AB0B503EAA86E310A5DB738"
        );
        // A key longer than the block is hashed first.
        assert_eq!(
            upper_hex(&hmac_md5(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "6B1AB7FE4BD7BF8F0B62E6CE61B9D0CD"
        );
    }

    /// The vectors of the protocol notes (Taobao's documentation and the Java SDK).
    #[test]
    fn protocol_sign_vectors() {
        let doc = pairs(&[
            ("app_key", "test"),
            ("fields", "nick"),
            ("format", "xml"),
            ("method", "taobao.user.seller.get"),
            ("session", "test"),
            ("sign_method", "md5"),
            ("timestamp", "2013-05-06 13:52:03"),
            ("v", "2.0"),
        ]);
        assert_eq!(
            sign("md5", "test", &doc).as_deref(),
            Ok("72CB4D809B375A54502C09360D879C64")
        );
        for (method, want) in [
            ("md5", "E3C75DF0093C819B7FD11D1E8CD8B156"),
            ("hmac", "0551A5557A8E2628156664CFBDECA449"),
            (
                "hmac-sha256",
                "E27D04119C989DB5A432A3F704167BFC58BFC03DC6DC43E5F4380B6BCE412D5D",
            ),
        ] {
            let mut params = pairs(&[
                ("method", "tmall.fin.car.open.bill.notify"),
                ("app_key", "12345678"),
                ("timestamp", "2016-01-01 12:00:00"),
                ("format", "json"),
                ("v", "2.0"),
                ("partner_id", "top-sdk-java-20200706"),
                ("simplify", "true"),
                ("bill_no", "B20160101001"),
                ("amount", "10000"),
                ("paid", "true"),
                ("gmt_pay", "2016-01-01 11:59:59"),
                ("extra", r#"{"name":"张三","list":[{"k":"v"}]}"#),
                ("sign_method", method),
                // Excluded from the signature.
                ("sign", "whatever"),
                ("blank", "  "),
            ]);
            assert_eq!(sign(method, "helloworld", &params).as_deref(), Ok(want));
            params[0].1.push('x');
            assert_ne!(sign(method, "helloworld", &params).as_deref(), Ok(want));
        }
        assert!(sign("sha1", "s", &[]).is_err());
    }

    #[test]
    fn printed_request_parses() {
        let text = "POST http://127.0.0.1:1/router/rest?method=a&timestamp=2016-01-01+12%3A00%3A00\n\
                    Content-Type: application/x-www-form-urlencoded;charset=UTF-8\n\nx=1\n";
        let req = parse_printed_request(text).expect("parses");
        assert_eq!(req.method, "POST");
        assert_eq!(req.path(), "/router/rest");
        assert_eq!(
            req.query(),
            Ok(pairs(&[
                ("method", "a"),
                ("timestamp", "2016-01-01 12:00:00")
            ]))
        );
        assert_eq!(req.header("content-type"), Some(FORM_CONTENT_TYPE));
        assert_eq!(req.form(), Ok(pairs(&[("x", "1")])));
        assert!(parse_printed_request("POST /x\n").is_err());
    }
}
