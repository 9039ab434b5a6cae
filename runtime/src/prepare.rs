//! Sans-IO request building: turns a method name, credentials, options and already
//! string-encoded API parameters into a signed [`HttpRequest`] that any HTTP client can send.
//!
//! Layout (as the official SDKs send it): system parameters in the URL query string, API
//! parameters in a `application/x-www-form-urlencoded;charset=UTF-8` POST body, both encoded
//! like Java's `URLEncoder` (UTF-8, space as `+`). The signature covers both sets.
//!
//! A request with at least one file is `multipart/form-data` instead (see
//! [`prepare_params`]): the text parameters become `text/plain` parts, each file a part with
//! its file name and MIME type, and files are never signed.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::FileItem;
use crate::api::Params;
use crate::sign::{SignMethod, Signer, is_blank};

/// The `v` system parameter: the only protocol version the gateway speaks.
pub const API_VERSION: &str = "2.0";

/// The `Content-Type` of the form body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";

/// The media type of a request with files; the full `Content-Type` adds
/// `; boundary=...; charset=UTF-8`.
pub const MULTIPART_FORM_DATA: &str = "multipart/form-data";

/// The `Content-Type` of each text part of a multipart request.
pub const TEXT_PART_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// Names of the system parameters; an API parameter may not reuse one (see
/// [`PrepareError::ReservedParam`]).
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

/// A secret string (app secret, session key) whose `Debug` and `Display` never show it.
///
/// Read the value with [`Secret::expose`], only where it goes on the wire or into a digest.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// An application's key and secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The app key, sent as `app_key` (not secret).
    pub app_key: String,
    /// The app secret, used only to sign; redacted in `Debug`.
    pub app_secret: Secret,
}

impl Credentials {
    /// Creates credentials from an app key and secret.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<Secret>) -> Self {
        Credentials {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app_key={} app_secret=<redacted>", self.app_key)
    }
}

/// Response format requested with the `format` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `json` (the default here; the gateway itself defaults to xml, so it is always sent).
    #[default]
    Json,
    /// `xml`.
    Xml,
}

impl Format {
    /// The wire value of the `format` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string is neither `json` nor `xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError {
    input: String,
}

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown format {:?} (expected json or xml)", self.input)
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "xml" => Ok(Format::Xml),
            _ => Err(ParseFormatError {
                input: s.to_owned(),
            }),
        }
    }
}

/// Per-request protocol options (everything besides the method, credentials and API
/// parameters). `Default` gives hmac-sha256, json, no simplify, no session, current time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// `sign_method`.
    pub sign_method: SignMethod,
    /// `format`.
    pub format: Format,
    /// `partner_id`, sent when set (the Java SDK sends its own version string here).
    pub partner_id: Option<String>,
    /// Sends `simplify=true`: no `_response` wrapper, plain arrays in the response.
    pub simplify: bool,
    /// `session`: the user's authorisation, for APIs that need one. Redacted in `Debug`.
    pub session: Option<Secret>,
    /// `target_app_key`: the provider's app key, required for Qimen calls.
    pub target_app_key: Option<String>,
    /// A pinned wire `timestamp` (`yyyy-MM-dd HH:mm:ss`, China time); `None` uses
    /// [`china_now`] at preparation time. Pinning makes requests reproducible.
    pub timestamp: Option<String>,
}

impl RequestOptions {
    /// Sets the sign method.
    pub fn with_sign_method(mut self, sign_method: SignMethod) -> Self {
        self.sign_method = sign_method;
        self
    }

    /// Sets the response format.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Sets `partner_id`.
    pub fn with_partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = Some(partner_id.into());
        self
    }

    /// Sets whether `simplify=true` is sent.
    pub fn with_simplify(mut self, simplify: bool) -> Self {
        self.simplify = simplify;
        self
    }

    /// Sets the user session key.
    pub fn with_session(mut self, session: impl Into<Secret>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// Sets `target_app_key` (Qimen).
    pub fn with_target_app_key(mut self, target_app_key: impl Into<String>) -> Self {
        self.target_app_key = Some(target_app_key.into());
        self
    }

    /// Pins the wire timestamp string as given.
    pub fn with_timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// Pins the wire timestamp to an instant, rendered in China time.
    pub fn with_timestamp_at(mut self, instant: Timestamp) -> Self {
        self.timestamp = Some(format_china_time(instant));
        self
    }
}

/// Renders an instant as TOP's `yyyy-MM-dd HH:mm:ss` in China time (UTC+8).
///
/// Independent of the machine's time zone (`TZ`): the offset is fixed, not looked up.
pub fn format_china_time(instant: Timestamp) -> String {
    crate::DateTime::from_timestamp(instant).to_string()
}

/// The current time as a TOP wire timestamp (China time).
pub fn china_now() -> String {
    format_china_time(Timestamp::now())
}

/// A ready-to-send HTTP request. Sans-IO: no client is involved in building it.
///
/// `Debug` redacts the `session` query value; the signature itself is not secret.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// HTTP method; always `POST`.
    pub method: &'static str,
    /// Gateway URL with the system parameters (including `sign`) as query string.
    pub url: String,
    /// The `Content-Type` header, the only header TOP needs: the form type, or
    /// `multipart/form-data` with its boundary. Static for a form: nothing allocated.
    pub content_type: Cow<'static, str>,
    /// Form-encoded API parameters (possibly empty), or the `multipart/form-data` body of a
    /// request with files.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The headers to send, name and value.
    pub fn headers(&self) -> [(&'static str, &str); 1] {
        [("Content-Type", &self.content_type)]
    }

    /// The value of header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The URL with the `session` query value replaced by `<redacted>`, for logging.
    pub fn redacted_url(&self) -> String {
        let Some((base, query)) = self.url.split_once('?') else {
            return self.url.clone();
        };
        let query: Vec<&str> = query
            .split('&')
            .map(|pair| {
                if pair.starts_with("session=") {
                    "session=<redacted>"
                } else {
                    pair
                }
            })
            .collect();
        format!("{base}?{}", query.join("&"))
    }

    /// The multipart boundary, when the body is `multipart/form-data`.
    pub fn multipart_boundary(&self) -> Option<&str> {
        let content_type = self.header("content-type")?;
        let (media, rest) = content_type.split_once(';')?;
        if !media.trim().eq_ignore_ascii_case(MULTIPART_FORM_DATA) {
            return None;
        }
        rest.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
            .map(|(_, v)| v.trim_matches('"'))
    }

    /// The body for a person to read: a form body as is; a multipart body part by part, each
    /// part's content shown when it is text and summarised (`<1234 bytes>`) when it is not.
    pub fn readable_body(&self) -> String {
        match self.multipart_boundary() {
            Some(boundary) => {
                readable_multipart(&self.body, boundary).unwrap_or_else(|| lossy(&self.body))
            }
            None => lossy(&self.body),
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Content worth printing: UTF-8 without control characters other than tab and line breaks.
fn printable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')))
    .then_some(text)
}

/// Re-reads a body made by [`prepare_params`]; `None` if it is not shaped like one.
fn readable_multipart(body: &[u8], boundary: &str) -> Option<String> {
    let first = format!("--{boundary}\r\n");
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = body.strip_prefix(first.as_bytes())?;
    let mut out = first.clone();
    loop {
        let end = find(rest, delimiter.as_bytes())?;
        let part = &rest[..end];
        let head_end = find(part, b"\r\n\r\n")?;
        out.push_str(std::str::from_utf8(&part[..head_end + 4]).ok()?);
        let content = &part[head_end + 4..];
        match printable(content) {
            Some(text) => out.push_str(text),
            None => out.push_str(&format!("<{} bytes, not shown>", content.len())),
        }
        rest = &rest[end + delimiter.len()..];
        if let Some(tail) = rest.strip_prefix(b"--\r\n") {
            out.push_str(&delimiter);
            out.push_str("--\r\n");
            return tail.is_empty().then_some(out);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        out.push_str(&delimiter);
        out.push_str("\r\n");
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.redacted_url())
            .field("headers", &self.headers())
            // A form body is ASCII text; a multipart one is shown with file bytes summarised.
            .field("body", &self.readable_body())
            .finish()
    }
}

/// Why a request could not be prepared (a caller bug, never a server answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrepareError {
    /// The API method name is blank.
    EmptyMethod,
    /// An API parameter name is blank.
    EmptyParamName,
    /// An API parameter uses a system parameter name; it would clash on the wire and in
    /// the signature.
    ReservedParam(String),
    /// The same API parameter name was given twice.
    DuplicateParam(String),
    /// A parameter name of a multipart request holds a `"`, CR, LF or other control
    /// character, which cannot go in a `Content-Disposition` header.
    UnsafePartName(String),
    /// A file's MIME type is empty or holds a control character (it goes in a header).
    InvalidMimeType {
        /// The file parameter.
        param: String,
        /// The MIME type given.
        mime_type: String,
    },
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::EmptyMethod => f.write_str("the API method name is empty"),
            PrepareError::EmptyParamName => f.write_str("an API parameter name is empty"),
            PrepareError::ReservedParam(name) => {
                write!(f, "API parameter {name:?} clashes with a system parameter")
            }
            PrepareError::DuplicateParam(name) => {
                write!(f, "API parameter {name:?} is given more than once")
            }
            PrepareError::UnsafePartName(name) => write!(
                f,
                "API parameter {name:?} cannot be a multipart part name (quote or control character)"
            ),
            PrepareError::InvalidMimeType { param, mime_type } => write!(
                f,
                "file parameter {param:?} has an invalid MIME type {mime_type:?}"
            ),
        }
    }
}

impl std::error::Error for PrepareError {}

/// Builds the signed request for one API call.
///
/// - `gateway`: e.g. `https://gw.api.taobao.com/router/rest` (an existing query string is
///   kept and extended).
/// - `method`: the API name, e.g. `taobao.user.seller.get`.
/// - `params`: API parameters in wire order as `(wire_name, value)`, values already encoded
///   as strings; a value may be `String` or `Option<String>`. Absent, empty and
///   whitespace-only values are left out of the request and the signature.
///
/// The query holds, in this order: `method, app_key, timestamp, v, sign_method, format,
/// session?, partner_id?, simplify?, target_app_key?, sign`.
///
/// ```
/// use top_runtime::prepare::{prepare_request, Credentials, RequestOptions};
/// use top_runtime::sign::SignMethod;
///
/// let creds = Credentials::new("test", "test");
/// let opts = RequestOptions::default()
///     .with_sign_method(SignMethod::Md5)
///     .with_session("test")
///     .with_timestamp("2013-05-06 13:52:03");
/// let params: Vec<(&str, Option<String>)> =
///     vec![("fields", Some("nick".into())), ("nick", None)];
/// let req = prepare_request(
///     "https://gw.api.taobao.com/router/rest",
///     "taobao.user.seller.get",
///     &creds,
///     &opts,
///     params,
/// )?;
/// assert_eq!(req.body, b"fields=nick");
/// assert!(req.url.contains("&sign="));
/// assert!(!format!("{req:?}").contains("session=test"));
/// # Ok::<(), top_runtime::prepare::PrepareError>(())
/// ```
pub fn prepare_request<K, V>(
    gateway: &str,
    method: &str,
    credentials: &Credentials,
    options: &RequestOptions,
    params: impl IntoIterator<Item = (K, V)>,
) -> Result<HttpRequest, PrepareError>
where
    K: AsRef<str>,
    V: Into<Option<String>>,
{
    if is_blank(method) {
        return Err(PrepareError::EmptyMethod);
    }

    let mut api: Vec<(String, String)> = Vec::new();
    for (name, value) in params {
        let name = name.as_ref();
        if is_blank(name) {
            return Err(PrepareError::EmptyParamName);
        }
        if SYSTEM_PARAMS.contains(&name) {
            return Err(PrepareError::ReservedParam(name.to_owned()));
        }
        // Checked even for absent values: a duplicate name is a caller bug either way.
        if api.iter().any(|(n, _)| n == name) {
            return Err(PrepareError::DuplicateParam(name.to_owned()));
        }
        match value.into() {
            Some(v) if !is_blank(&v) => api.push((name.to_owned(), v)),
            // Kept as a placeholder so duplicates are still detected; filtered below.
            _ => api.push((name.to_owned(), String::new())),
        }
    }
    api.retain(|(_, v)| !v.is_empty());
    let texts = api.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let signer = Signer::new(credentials.app_secret.expose(), options.sign_method);
    let timestamp = options.timestamp.as_deref().map(Cow::Borrowed);
    let system = SystemParams::new(method, credentials, options, timestamp);
    build(gateway, &system, &signer, texts, &[])
}

/// Builds the signed request for one API call from the parameters an
/// [`ApiRequest`](crate::ApiRequest) visited (see [`Params`]).
///
/// Without files the request is exactly what [`prepare_request`] makes. With at least one
/// file, the body is `multipart/form-data; boundary=<b>; charset=UTF-8`: system parameters
/// stay in the URL query; each text parameter is a part with `Content-Disposition:
/// form-data; name="<wire>"` and `Content-Type: text/plain;charset=UTF-8`, in visiting order;
/// then each file a part with `name`, `filename` (`"`, CR and LF percent-escaped, as browsers
/// do) and its MIME type. Files are never signed; every text parameter is. The boundary is
/// derived from a SHA-256 of the parts, so the same request always gives the same bytes
/// (reproducible dry runs and tests), and it is checked not to occur in any part.
///
/// ```
/// use top_runtime::api::Params;
/// use top_runtime::prepare::{prepare_params, Credentials, RequestOptions};
/// use top_runtime::FileItem;
///
/// let photo = FileItem::from_bytes("a.gif", b"GIF89a....".to_vec());
/// let mut params = Params::new();
/// params.value("title", "小猫");
/// params.file("image", &photo);
/// let opts = RequestOptions::default().with_timestamp("2016-01-01 12:00:00");
/// let req = prepare_params("http://gw/router/rest", "a.b.c", &Credentials::new("k", "s"), &opts, &params)?;
/// let boundary = req.multipart_boundary().unwrap();
/// assert_eq!(req.header("content-type").unwrap(),
///            format!("multipart/form-data; boundary={boundary}; charset=UTF-8"));
/// assert!(req.readable_body().contains("name=\"image\"; filename=\"a.gif\"\r\nContent-Type: image/gif"));
/// # Ok::<(), top_runtime::prepare::PrepareError>(())
/// ```
pub fn prepare_params(
    gateway: &str,
    method: &str,
    credentials: &Credentials,
    options: &RequestOptions,
    params: &Params<'_>,
) -> Result<HttpRequest, PrepareError> {
    let signer = Signer::new(credentials.app_secret.expose(), options.sign_method);
    let timestamp = options.timestamp.as_deref().map(Cow::Borrowed);
    let system = SystemParams::new(method, credentials, options, timestamp);
    prepare_signed(gateway, &system, &signer, params)
}

/// [`prepare_params`] with a pre-keyed `signer` (whose method must be `system`'s) and the
/// system parameters borrowed, as a client that sends many calls prepares them.
pub(crate) fn prepare_signed(
    gateway: &str,
    system: &SystemParams<'_>,
    signer: &Signer,
    params: &Params<'_>,
) -> Result<HttpRequest, PrepareError> {
    if is_blank(system.method) {
        return Err(PrepareError::EmptyMethod);
    }
    if let Some(error) = params.error() {
        return Err(error.clone());
    }
    // Files are rare: only a request that has some pays for collecting them.
    let files: Vec<(&str, &FileItem)> = if params.has_files() {
        params.files().collect()
    } else {
        Vec::new()
    };
    build(gateway, system, signer, params.texts(), &files)
}

/// The system parameters of one call, borrowed from the client, its options and the call.
pub(crate) struct SystemParams<'a> {
    pub(crate) method: &'a str,
    pub(crate) app_key: &'a str,
    /// `None`: the current time, read when the request is built.
    pub(crate) timestamp: Option<Cow<'a, str>>,
    pub(crate) sign_method: SignMethod,
    pub(crate) format: Format,
    pub(crate) session: Option<&'a str>,
    pub(crate) partner_id: Option<&'a str>,
    pub(crate) simplify: bool,
    pub(crate) target_app_key: Option<&'a str>,
}

impl<'a> SystemParams<'a> {
    /// Everything as `options` says, but the timestamp.
    pub(crate) fn new(
        method: &'a str,
        credentials: &'a Credentials,
        options: &'a RequestOptions,
        timestamp: Option<Cow<'a, str>>,
    ) -> Self {
        SystemParams {
            method,
            app_key: &credentials.app_key,
            timestamp,
            sign_method: options.sign_method,
            format: options.format,
            session: options.session.as_ref().map(Secret::expose),
            partner_id: options.partner_id.as_deref(),
            simplify: options.simplify,
            target_app_key: options.target_app_key.as_deref(),
        }
    }
}

/// How each byte is form-encoded (Java's `URLEncoder`, `form_urlencoded`): `*-._` and
/// ASCII letters and digits as they are, a space as `+`, anything else as `%XX` (uppercase
/// hex). Entry: up to three encoded bytes, then how many of them count.
const FORM_ENCODED: [[u8; 4]; 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = match b {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => [b, 0, 0, 1],
            b' ' => [b'+', 0, 0, 1],
            _ => [b'%', HEX[i >> 4], HEX[i & 0x0F], 3],
        };
        i += 1;
    }
    table
};

/// The length of `text` form-encoded: two more bytes for each byte sent as `%XX`.
///
/// Range comparisons into a `u32` counter rather than the table: the compiler turns this
/// loop into vector code (checked in the assembly), a fraction of a table lookup per byte.
/// Chunks keep the `u32` from overflowing.
fn form_len(text: &str) -> usize {
    let mut len = text.len();
    for chunk in text.as_bytes().chunks(1 << 20) {
        let mut percent = 0u32;
        for &b in chunk {
            let safe = b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_' | b' ');
            percent += u32::from(!safe);
        }
        len += 2 * percent as usize;
    }
    len
}

/// Inputs up to this many bytes get a buffer of three bytes per input byte rather than a
/// measuring pass over them (at most 48 KiB, freed with the request).
const UNMEASURED_LIMIT: usize = 16 * 1024;

/// Room enough for `key=value&...` form-encoded: for small inputs the worst case, at most
/// three bytes per byte, which costs no pass over the text (most of it short names and
/// values the measuring loop cannot vectorize); for large ones the exact length, so that a
/// big body is not tripled.
fn form_pairs_room<'k, 'v>(pairs: impl Iterator<Item = (&'k str, &'v str)> + Clone) -> usize {
    let raw = pairs
        .clone()
        .map(|(k, v)| k.len() + v.len() + 2)
        .sum::<usize>();
    if raw <= UNMEASURED_LIMIT {
        3 * raw
    } else {
        form_pairs_len(pairs)
    }
}

/// The length of `key=value&...` form-encoded (no leading `&`).
fn form_pairs_len<'k, 'v>(pairs: impl Iterator<Item = (&'k str, &'v str)>) -> usize {
    pairs
        .map(|(k, v)| form_len(k) + form_len(v) + 2)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Writes a form-encoded text of bounded length (the URL, the body) into a buffer sized once.
///
/// Each byte is one table lookup and one four-byte store: the store always writes a whole
/// table entry and the cursor moves by the encoded length, so there is no branch per byte
/// and no capacity check (three bytes of slack at the end take the overhang; they are cut
/// off in [`FormWriter::finish`]). Pushing byte by byte, or through `form_urlencoded`'s
/// chunks, cost several times more.
struct FormWriter {
    buf: Vec<u8>,
    at: usize,
}

impl FormWriter {
    /// A writer for `prefix` followed by at most `encoded_len` bytes of form-encoded text.
    fn new(prefix: &str, encoded_len: usize) -> Self {
        let len = prefix.len() + encoded_len;
        let mut buf = Vec::with_capacity(len + 3);
        buf.extend_from_slice(prefix.as_bytes());
        buf.resize(len + 3, 0);
        FormWriter {
            buf,
            at: prefix.len(),
        }
    }

    /// Appends `text` form-encoded: byte for byte what `form_urlencoded` writes.
    fn encode(&mut self, text: &str) {
        let mut at = self.at;
        for b in text.bytes() {
            let entry = FORM_ENCODED[usize::from(b)];
            self.buf[at..at + 4].copy_from_slice(&entry);
            at += usize::from(entry[3]);
        }
        self.at = at;
    }

    /// Appends `raw` as it is (separators, counted in the length by the caller).
    fn raw(&mut self, raw: &str) {
        self.buf[self.at..self.at + raw.len()].copy_from_slice(raw.as_bytes());
        self.at += raw.len();
    }

    /// Appends `key=value`, after a `&` unless it is the first pair.
    fn pair(&mut self, first: bool, key: &str, value: &str) {
        if !first {
            self.raw("&");
        }
        self.encode(key);
        self.raw("=");
        self.encode(value);
    }

    /// The text written; `Vec<u8>` because a body is bytes.
    fn finish(mut self) -> Vec<u8> {
        self.buf.truncate(self.at);
        self.buf
    }
}

/// The common part: `texts` are non-blank and checked, `files` may be empty.
fn build<'k, 't>(
    gateway: &str,
    system: &SystemParams<'_>,
    signer: &Signer,
    texts: impl Iterator<Item = (&'k str, &'t str)> + Clone,
    files: &[(&str, &FileItem)],
) -> Result<HttpRequest, PrepareError> {
    let now;
    let timestamp = match &system.timestamp {
        Some(ts) => ts.as_ref(),
        None => {
            now = china_now();
            &now
        }
    };
    // In wire order; blank values (e.g. an empty session) are dropped like any other
    // parameter. An array, not a `Vec`: there are at most ten.
    let optional = [
        ("session", system.session),
        ("partner_id", system.partner_id),
        ("simplify", system.simplify.then_some("true")),
        ("target_app_key", system.target_app_key),
    ];
    let mut pairs = [("", ""); 10];
    let mut len = 0;
    let always = [
        ("method", system.method),
        ("app_key", system.app_key),
        ("timestamp", timestamp),
        ("v", API_VERSION),
        ("sign_method", system.sign_method.as_str()),
        ("format", system.format.as_str()),
    ];
    let present = optional.into_iter().filter_map(|(k, v)| Some((k, v?)));
    for (k, v) in always.into_iter().chain(present) {
        if !is_blank(v) {
            pairs[len] = (k, v);
            len += 1;
        }
    }
    let system_pairs = &pairs[..len];

    // Files never enter the signature: only the text parameters do.
    // Not an identity: it shortens both lifetimes to the system pairs' (some of which
    // borrow locals), which `chain` needs and an opaque iterator type cannot do itself.
    #[allow(clippy::map_identity)]
    let api_pairs = texts.clone().map(|(k, v)| (k, v));
    let sign = signer.sign(system_pairs.iter().copied().chain(api_pairs), None);

    // The URL is written once into a buffer of its exact size.
    let separator = if gateway.ends_with('?') || gateway.ends_with('&') {
        ""
    } else if gateway.contains('?') {
        "&"
    } else {
        "?"
    };
    let signed = [("sign", sign.as_str())];
    let query = system_pairs.iter().copied().chain(signed);
    let mut url = FormWriter::new(gateway, separator.len() + form_pairs_room(query.clone()));
    url.raw(separator);
    for (i, (k, v)) in query.enumerate() {
        url.pair(i == 0, k, v);
    }
    // The gateway is a `str` and everything appended is ASCII, so this never falls back.
    let url = String::from_utf8(url.finish())
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());

    let (content_type, body) = if files.is_empty() {
        let mut body = FormWriter::new("", form_pairs_room(texts.clone()));
        for (i, (k, v)) in texts.enumerate() {
            body.pair(i == 0, k, v);
        }
        let body = body.finish();
        (Cow::Borrowed(FORM_CONTENT_TYPE), body)
    } else {
        // One lifetime for keys and values, as the multipart writer takes them.
        #[allow(clippy::map_identity)]
        let texts: Vec<(&str, &str)> = texts.map(|(k, v)| (k, v)).collect();
        let (boundary, body) = multipart_body(&texts, files)?;
        (
            Cow::Owned(format!(
                "{MULTIPART_FORM_DATA}; boundary={boundary}; charset=UTF-8"
            )),
            body,
        )
    };

    Ok(HttpRequest {
        method: "POST",
        url,
        content_type,
        body,
    })
}

/// Whether `name` can go between the quotes of a `Content-Disposition` parameter as is.
fn safe_header_text(name: &str) -> bool {
    !name.chars().any(|c| c == '"' || c.is_control())
}

/// A file name for `filename="..."`: `"`, CR, LF and other control characters
/// percent-escaped (what browsers do, RFC 7578 §4.2), everything else (UTF-8) as is.
fn escape_file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '"' || (c.is_control() && c.is_ascii()) {
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// One part: its header lines (each ending in CRLF, blank line included) and its content.
struct Part<'a> {
    head: String,
    content: &'a [u8],
}

fn multipart_body(
    texts: &[(&str, &str)],
    files: &[(&str, &FileItem)],
) -> Result<(String, Vec<u8>), PrepareError> {
    let mut parts = Vec::with_capacity(texts.len() + files.len());
    for (name, text) in texts {
        if !safe_header_text(name) {
            return Err(PrepareError::UnsafePartName((*name).to_owned()));
        }
        parts.push(Part {
            head: format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {TEXT_PART_CONTENT_TYPE}\r\n\r\n"
            ),
            content: text.as_bytes(),
        });
    }
    for (name, file) in files {
        if !safe_header_text(name) {
            return Err(PrepareError::UnsafePartName((*name).to_owned()));
        }
        let mime = file.mime_type();
        if is_blank(mime) || mime.chars().any(char::is_control) {
            return Err(PrepareError::InvalidMimeType {
                param: (*name).to_owned(),
                mime_type: mime.to_owned(),
            });
        }
        parts.push(Part {
            head: format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\nContent-Type: {mime}\r\n\r\n",
                escape_file_name(file.file_name())
            ),
            content: file.bytes(),
        });
    }
    let boundary = choose_boundary(&parts);
    let size: usize = parts
        .iter()
        .map(|p| p.head.len() + p.content.len() + boundary.len() + 8)
        .sum();
    let mut body = Vec::with_capacity(size + boundary.len() + 8);
    for part in &parts {
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.head.as_bytes());
        body.extend_from_slice(part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--");
    body.extend_from_slice(boundary.as_bytes());
    body.extend_from_slice(b"--\r\n");
    Ok((boundary, body))
}

/// A boundary derived from the parts (deterministic: same request, same bytes) that occurs
/// in none of them. A hash collision with the content is astronomically unlikely, but it is
/// checked anyway, and a counter picks the next candidate.
fn choose_boundary(parts: &[Part<'_>]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so that moving bytes between parts changes the hash.
        hasher.update((part.head.len() as u64).to_le_bytes());
        hasher.update(part.head.as_bytes());
        hasher.update((part.content.len() as u64).to_le_bytes());
        hasher.update(part.content);
    }
    first_free_boundary(&hasher.finalize(), parts)
}

/// Candidate `salt` for a request whose parts hash to `digest`.
fn boundary_candidate(digest: &[u8], salt: u64) -> String {
    let mut h = Sha256::new();
    h.update(digest);
    h.update(salt.to_le_bytes());
    format!("TopFormBoundary{}", &hex::encode(h.finalize())[..32])
}

/// The first candidate found in no part.
fn first_free_boundary(digest: &[u8], parts: &[Part<'_>]) -> String {
    let mut salt: u64 = 0;
    loop {
        let boundary = boundary_candidate(digest, salt);
        let clash = parts.iter().any(|p| {
            find(p.content, boundary.as_bytes()).is_some() || p.head.contains(boundary.as_str())
        });
        if !clash {
            return boundary;
        }
        salt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GW: &str = "https://gw.api.taobao.com/router/rest";

    fn query_of(req: &HttpRequest) -> Vec<(String, String)> {
        let query = req.url.split_once('?').map(|(_, q)| q).unwrap_or("");
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    fn body_of(req: &HttpRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(&req.body).into_owned().collect()
    }

    fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn helloworld_params() -> Vec<(&'static str, String)> {
        vec![
            ("bill_no", "B20160101001".to_owned()),
            ("amount", "10000".to_owned()),
            ("paid", "true".to_owned()),
            ("gmt_pay", "2016-01-01 11:59:59".to_owned()),
            ("extra", r#"{"name":"张三","list":[{"k":"v"}]}"#.to_owned()),
        ]
    }

    fn helloworld(method: SignMethod) -> HttpRequest {
        let creds = Credentials::new("12345678", "helloworld");
        let opts = RequestOptions::default()
            .with_sign_method(method)
            .with_partner_id("top-sdk-java-20200706")
            .with_simplify(true)
            .with_timestamp("2016-01-01 12:00:00");
        prepare_request(
            GW,
            "tmall.fin.car.open.bill.notify",
            &creds,
            &opts,
            helloworld_params(),
        )
        .unwrap()
    }

    #[test]
    fn helloworld_vectors_through_prepare() {
        for (method, expected) in [
            (SignMethod::Md5, "E3C75DF0093C819B7FD11D1E8CD8B156"),
            (SignMethod::Hmac, "0551A5557A8E2628156664CFBDECA449"),
            (
                SignMethod::HmacSha256,
                "E27D04119C989DB5A432A3F704167BFC58BFC03DC6DC43E5F4380B6BCE412D5D",
            ),
        ] {
            let req = helloworld(method);
            let q = query_of(&req);
            assert_eq!(get(&q, "sign"), Some(expected), "{method}");
            assert_eq!(get(&q, "sign_method"), Some(method.as_str()));
        }
    }

    #[test]
    fn taobao_doc_vector_through_prepare() {
        let creds = Credentials::new("test", "test");
        let opts = RequestOptions::default()
            .with_sign_method(SignMethod::Md5)
            .with_format(Format::Xml)
            .with_session("test")
            .with_timestamp("2013-05-06 13:52:03");
        let req = prepare_request(
            GW,
            "taobao.user.seller.get",
            &creds,
            &opts,
            [("fields", "nick".to_owned())],
        )
        .unwrap();
        assert_eq!(
            get(&query_of(&req), "sign"),
            Some("72CB4D809B375A54502C09360D879C64")
        );
    }

    #[test]
    fn exact_url_body_and_headers() {
        let req = helloworld(SignMethod::Md5);
        assert_eq!(req.method, "POST");
        assert_eq!(
            req.url,
            "https://gw.api.taobao.com/router/rest?method=tmall.fin.car.open.bill.notify\
             &app_key=12345678&timestamp=2016-01-01+12%3A00%3A00&v=2.0&sign_method=md5\
             &format=json&partner_id=top-sdk-java-20200706&simplify=true\
             &sign=E3C75DF0093C819B7FD11D1E8CD8B156"
        );
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded;charset=UTF-8")
        );
        let body = String::from_utf8(req.body.clone()).unwrap();
        // UTF-8 percent-encoding of 张三, space as '+', order as given.
        assert_eq!(
            body,
            "bill_no=B20160101001&amount=10000&paid=true&gmt_pay=2016-01-01+11%3A59%3A59\
             &extra=%7B%22name%22%3A%22%E5%BC%A0%E4%B8%89%22%2C%22list%22%3A%5B%7B%22k%22%3A%22v%22%7D%5D%7D"
        );
        assert_eq!(body_of(&req), {
            let v: Vec<(String, String)> = helloworld_params()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            v
        });
    }

    #[test]
    fn utf8_in_body() {
        let creds = Credentials::new("k", "s");
        let opts = RequestOptions::default().with_timestamp("2016-01-01 12:00:00");
        let req =
            prepare_request(GW, "x.y", &creds, &opts, [("name", "张三 李".to_owned())]).unwrap();
        assert_eq!(req.body, b"name=%E5%BC%A0%E4%B8%89+%E6%9D%8E");
        assert_eq!(get(&body_of(&req), "name"), Some("张三 李"));
    }

    #[test]
    fn blank_and_absent_values_are_dropped_and_unsigned() {
        let creds = Credentials::new("12345678", "helloworld");
        let opts = RequestOptions::default()
            .with_sign_method(SignMethod::Md5)
            .with_partner_id("top-sdk-java-20200706")
            .with_simplify(true)
            .with_timestamp("2016-01-01 12:00:00")
            .with_session("")
            .with_target_app_key("  ");
        let mut params: Vec<(&str, Option<String>)> = helloworld_params()
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        params.insert(1, ("absent", None));
        params.push(("empty", Some(String::new())));
        params.push(("blank", Some(" \t\r\n\u{3000}".to_owned())));
        let req =
            prepare_request(GW, "tmall.fin.car.open.bill.notify", &creds, &opts, params).unwrap();
        let q = query_of(&req);
        assert_eq!(get(&q, "sign"), Some("E3C75DF0093C819B7FD11D1E8CD8B156"));
        assert_eq!(get(&q, "session"), None);
        assert_eq!(get(&q, "target_app_key"), None);
        let b = body_of(&req);
        assert_eq!(b.len(), 5);
        for k in ["absent", "empty", "blank"] {
            assert_eq!(get(&b, k), None);
        }
    }

    #[test]
    fn optional_system_params_order() {
        let creds = Credentials::new("k", "s");
        let opts = RequestOptions::default()
            .with_timestamp("2016-01-01 12:00:00")
            .with_session("sess")
            .with_partner_id("p")
            .with_simplify(true)
            .with_target_app_key("t");
        let req = prepare_request(
            "https://qimen.api.taobao.com/router/qm",
            "qimen.a.b",
            &creds,
            &opts,
            Vec::<(&str, String)>::new(),
        )
        .unwrap();
        let keys: Vec<String> = query_of(&req).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
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
                "sign"
            ]
        );
        assert!(req.body.is_empty());
        let q = query_of(&req);
        let pairs: Vec<(&str, &str)> = q
            .iter()
            .filter(|(k, _)| k != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            get(&q, "sign"),
            Some(crate::sign::sign(&pairs, None, "s", SignMethod::HmacSha256).as_str())
        );
    }

    /// The hand-written encoder writes what `form_urlencoded` (Java `URLEncoder`) writes,
    /// and `form_len` predicts its length exactly.
    #[test]
    fn form_encoding_matches_form_urlencoded() {
        let ascii: String = (0u8..128).map(char::from).collect();
        let cases = [
            ascii.as_str(),
            "",
            " ",
            "a b+c&d=e%f",
            r#"{"name":"张三","list":[{"k":"v"}]}"#,
            "é😀\u{00A0}x",
            "*-._~!'()",
            "2016-01-01 12:00:00",
        ];
        for text in cases {
            let mut out = FormWriter::new("prefix", form_len(text));
            out.encode(text);
            let want: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
            assert_eq!(
                out.finish(),
                format!("prefix{want}").into_bytes(),
                "{text:?}"
            );
            assert_eq!(form_len(text), want.len(), "{text:?}");
            let pairs = [(text, text), ("k", text), (text, "")];
            let exact = FormWriter::new("", form_pairs_len(pairs.into_iter()));
            let room = FormWriter::new("", form_pairs_room(pairs.into_iter()));
            let mut want = form_urlencoded::Serializer::new(String::new());
            want.extend_pairs(pairs);
            let want = want.finish().into_bytes();
            for mut out in [exact, room] {
                for (i, (k, v)) in pairs.into_iter().enumerate() {
                    out.pair(i == 0, k, v);
                }
                assert_eq!(out.finish(), want, "{text:?}");
            }
        }
        // Past the unmeasured limit the room is the exact length, which must still fit.
        let big = "张\"x".repeat(UNMEASURED_LIMIT);
        let pairs = [("big", big.as_str())];
        assert_eq!(
            form_pairs_room(pairs.into_iter()),
            form_pairs_len(pairs.into_iter())
        );
        let mut out = FormWriter::new("", form_pairs_room(pairs.into_iter()));
        out.pair(true, "big", &big);
        let mut want = form_urlencoded::Serializer::new(String::new());
        want.extend_pairs(pairs);
        assert_eq!(out.finish(), want.finish().into_bytes());
    }

    #[test]
    fn gateway_with_existing_query() {
        let creds = Credentials::new("k", "s");
        let opts = RequestOptions::default().with_timestamp("t");
        let p = || Vec::<(&str, String)>::new();
        let a = prepare_request("http://h/r?x=1", "m", &creds, &opts, p()).unwrap();
        assert!(a.url.starts_with("http://h/r?x=1&method=m&"));
        let b = prepare_request("http://h/r?", "m", &creds, &opts, p()).unwrap();
        assert!(b.url.starts_with("http://h/r?method=m&"));
    }

    #[test]
    fn caller_errors() {
        let creds = Credentials::new("k", "s");
        let opts = RequestOptions::default();
        let p = |v: Vec<(&'static str, String)>| v;
        assert_eq!(
            prepare_request(GW, " ", &creds, &opts, p(vec![])),
            Err(PrepareError::EmptyMethod)
        );
        assert_eq!(
            prepare_request(GW, "m", &creds, &opts, p(vec![("session", "x".into())])),
            Err(PrepareError::ReservedParam("session".into()))
        );
        assert_eq!(
            prepare_request(
                GW,
                "m",
                &creds,
                &opts,
                p(vec![("a", "1".into()), ("a", "".into())])
            ),
            Err(PrepareError::DuplicateParam("a".into()))
        );
        assert_eq!(
            prepare_request(GW, "m", &creds, &opts, p(vec![("", "1".into())])),
            Err(PrepareError::EmptyParamName)
        );
        assert!(
            PrepareError::ReservedParam("sign".into())
                .to_string()
                .contains("\"sign\"")
        );
    }

    fn upload_params<'a>(files: &'a [FileItem]) -> Params<'a> {
        let mut params = Params::new();
        params.value("title", "张三 \"q\"\r\nline");
        params.value("blank", "  ");
        params.value("num", &7i64);
        params.file("image", &files[0]);
        params.file("extra", &files[1..]);
        params
    }

    fn upload_request(files: &[FileItem]) -> HttpRequest {
        let creds = Credentials::new("12345678", "helloworld");
        let opts = RequestOptions::default()
            .with_sign_method(SignMethod::Md5)
            .with_timestamp("2016-01-01 12:00:00");
        prepare_params(GW, "a.b.upload", &creds, &opts, &upload_params(files)).unwrap()
    }

    fn sample_files() -> Vec<FileItem> {
        let mut gif = b"GIF89a".to_vec();
        gif.extend([0u8, 1, 2, 255, 13, 10, 45, 45]);
        vec![
            FileItem::from_bytes("p\"ic\r\n.gif", gif),
            FileItem::from_bytes("a.txt", b"hello".to_vec()).with_mime_type("text/plain"),
            FileItem::from_bytes("图.bin", Vec::new()),
        ]
    }

    #[test]
    fn multipart_wire_format_is_exact() {
        let files = sample_files();
        let req = upload_request(&files);
        let b = req.multipart_boundary().unwrap().to_owned();
        assert!(b.starts_with("TopFormBoundary") && b.len() <= 70, "{b}");
        assert_eq!(
            req.header("content-type").unwrap(),
            format!("multipart/form-data; boundary={b}; charset=UTF-8")
        );
        let mut want = Vec::new();
        want.extend(format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\
             Content-Type: text/plain;charset=UTF-8\r\n\r\n张三 \"q\"\r\nline\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"num\"\r\n\
             Content-Type: text/plain;charset=UTF-8\r\n\r\n7\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"p%22ic%0D%0A.gif\"\r\n\
             Content-Type: image/gif\r\n\r\n"
        ).as_bytes());
        want.extend(files[0].bytes());
        want.extend(format!(
            "\r\n--{b}\r\nContent-Disposition: form-data; name=\"extra\"; filename=\"a.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nhello\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"extra\"; filename=\"图.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\r\n--{b}--\r\n"
        ).as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&req.body),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(req.body, want);
        // System parameters only in the query; the signature covers the text parameters
        // and nothing of the files.
        let q = query_of(&req);
        assert!(q.iter().all(|(k, _)| SYSTEM_PARAMS.contains(&k.as_str())));
        let mut signed: Vec<(&str, &str)> = q
            .iter()
            .filter(|(k, _)| k != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        signed.push(("title", "张三 \"q\"\r\nline"));
        signed.push(("num", "7"));
        let want_sign = crate::sign::sign(&signed, None, "helloworld", SignMethod::Md5);
        assert_eq!(get(&q, "sign"), Some(want_sign.as_str()));
    }

    #[test]
    fn multipart_is_deterministic_and_the_boundary_follows_the_content() {
        let files = sample_files();
        let a = upload_request(&files);
        assert_eq!(a, upload_request(&files));
        let mut other = files.clone();
        other[1] = FileItem::from_bytes("a.txt", b"hellO".to_vec());
        let b = upload_request(&other);
        assert_ne!(a.multipart_boundary(), b.multipart_boundary());
        // Same signature: the files are not signed.
        assert_eq!(get(&query_of(&a), "sign"), get(&query_of(&b), "sign"));
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        let files = sample_files();
        let first = upload_request(&files);
        let boundary = first.multipart_boundary().unwrap().to_owned();
        // The boundary never occurs inside content: one occurrence per delimiter (5 parts
        // plus the closing one).
        let occurrences = first
            .body
            .windows(boundary.len())
            .filter(|w| *w == boundary.as_bytes())
            .count();
        assert_eq!(occurrences, 6);
        // A part holding the first candidate makes the next one be chosen.
        let digest = [7u8; 32];
        let first_try = boundary_candidate(&digest, 0);
        let content = format!("x\r\n--{first_try}--");
        let parts = [Part {
            head: String::new(),
            content: content.as_bytes(),
        }];
        assert_eq!(
            first_free_boundary(&digest, &parts),
            boundary_candidate(&digest, 1)
        );
        let parts = [Part {
            head: format!("filename=\"{first_try}\""),
            content: b"",
        }];
        assert_ne!(first_free_boundary(&digest, &parts), first_try);
        let parts = [Part {
            head: String::new(),
            content: b"abc",
        }];
        assert_eq!(first_free_boundary(&digest, &parts), first_try);
    }

    #[test]
    fn multipart_refuses_unsafe_names_and_mime_types() {
        let creds = Credentials::new("k", "s");
        let opts = RequestOptions::default().with_timestamp("t");
        let file = FileItem::from_bytes("a", b"x".to_vec());
        let bad_mime = file.clone().with_mime_type("text/plain\r\nX-Evil: 1");
        let mut params = Params::new();
        params.file("f", &bad_mime);
        assert!(matches!(
            prepare_params(GW, "m", &creds, &opts, &params),
            Err(PrepareError::InvalidMimeType { .. })
        ));
        let mut params = Params::new();
        params.file("f\"x", &file);
        assert_eq!(
            prepare_params(GW, "m", &creds, &opts, &params),
            Err(PrepareError::UnsafePartName("f\"x".into()))
        );
        let mut params = Params::new();
        params.value("t\n", "1");
        params.file("f", &file);
        assert!(prepare_params(GW, "m", &creds, &opts, &params).is_err());
        // Without files the same name is merely form-encoded.
        let mut params = Params::new();
        params.value("t\n", "1");
        assert!(prepare_params(GW, "m", &creds, &opts, &params).is_ok());
        let mut params = Params::new();
        params.value("a", "1");
        params.value("a", "2");
        assert_eq!(
            prepare_params(GW, "m", &creds, &opts, &params),
            Err(PrepareError::DuplicateParam("a".into()))
        );
    }

    #[test]
    fn without_files_params_give_the_same_bytes_as_before() {
        let creds = Credentials::new("12345678", "helloworld");
        let opts = RequestOptions::default()
            .with_sign_method(SignMethod::Md5)
            .with_partner_id("top-sdk-java-20200706")
            .with_simplify(true)
            .with_timestamp("2016-01-01 12:00:00");
        let mut params = Params::new();
        for (k, v) in helloworld_params() {
            params.text(k, v);
        }
        params.value("absent", &Option::<i64>::None);
        let req =
            prepare_params(GW, "tmall.fin.car.open.bill.notify", &creds, &opts, &params).unwrap();
        assert_eq!(req, helloworld(SignMethod::Md5));
        assert_eq!(req.multipart_boundary(), None);
    }

    #[test]
    fn readable_body_summarises_binary_parts() {
        let files = sample_files();
        let req = upload_request(&files);
        let text = req.readable_body();
        assert!(text.contains("name=\"title\"\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\n张三 \"q\"\r\nline\r\n"), "{text}");
        assert!(
            text.contains("Content-Type: image/gif\r\n\r\n<14 bytes, not shown>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Content-Type: text/plain\r\n\r\nhello\r\n"),
            "{text}"
        );
        assert!(text.ends_with("--\r\n"), "{text}");
        let debug = format!("{req:?}");
        assert!(debug.contains("not shown"), "{debug}");
        // Not our shape: shown as lossy text rather than lost.
        let mut odd = req.clone();
        odd.body = b"garbage".to_vec();
        assert_eq!(odd.readable_body(), "garbage");
    }

    #[test]
    fn secrets_never_printed() {
        let creds = Credentials::new("appkey123", "SUPERSECRET");
        assert!(!format!("{creds:?}").contains("SUPERSECRET"));
        assert!(!format!("{creds:#?}").contains("SUPERSECRET"));
        assert!(!format!("{creds}").contains("SUPERSECRET"));
        assert!(format!("{creds:?}").contains("appkey123"));
        let s = Secret::new("SESSIONKEY");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "SESSIONKEY");

        let opts = RequestOptions::default().with_session("SESSIONKEY");
        assert!(!format!("{opts:?}").contains("SESSIONKEY"));

        let req = prepare_request(GW, "m", &creds, &opts, [("a", "1".to_owned())]).unwrap();
        // The session key must be on the wire...
        assert!(req.url.contains("session=SESSIONKEY"));
        // ...but not in logs.
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("SESSIONKEY"), "{dbg}");
        assert!(!dbg.contains("SUPERSECRET"), "{dbg}");
        assert!(dbg.contains("session=<redacted>"));
        assert!(dbg.contains("sign="));
        assert!(!format!("{req:#?}").contains("SESSIONKEY"));
    }

    #[test]
    fn format_parse_and_default() {
        assert_eq!(Format::default(), Format::Json);
        assert_eq!("xml".parse::<Format>(), Ok(Format::Xml));
        assert_eq!("json".parse::<Format>(), Ok(Format::Json));
        assert!("JSON".parse::<Format>().is_err());
        assert_eq!(Format::Xml.to_string(), "xml");
    }

    /// Fixed instants rendered in China time. Also run in a child process under a
    /// different `TZ` by `china_time_ignores_tz_env`.
    #[test]
    fn china_time_fixed_vectors() {
        let cases = [
            ("2016-01-01T04:00:00Z", "2016-01-01 12:00:00"),
            // Crosses midnight and the year boundary in UTC+8 only.
            ("2015-12-31T16:00:00Z", "2016-01-01 00:00:00"),
            ("2013-05-06T05:52:03Z", "2013-05-06 13:52:03"),
            ("2024-02-29T15:59:59.999Z", "2024-02-29 23:59:59"),
            ("1970-01-01T00:00:00Z", "1970-01-01 08:00:00"),
        ];
        for (utc, china) in cases {
            let ts: Timestamp = utc.parse().unwrap();
            assert_eq!(format_china_time(ts), china, "{utc}");
        }
        let now = china_now();
        assert_eq!(now.len(), 19, "{now}");
        let opts =
            RequestOptions::default().with_timestamp_at("2016-01-01T04:00:00Z".parse().unwrap());
        assert_eq!(opts.timestamp.as_deref(), Some("2016-01-01 12:00:00"));
    }

    /// `std::env::set_var` is unsafe (and this crate forbids unsafe), so re-run the vector
    /// test in a child process whose `TZ` is far from China.
    #[test]
    fn china_time_ignores_tz_env() {
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        for tz in ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"] {
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "prepare::tests::china_time_fixed_vectors",
                    "--nocapture",
                ])
                .env("TZ", tz)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "TZ={tz}: {stdout}");
            assert!(stdout.contains("1 passed"), "TZ={tz}: {stdout}");
        }
    }
}
