//! Response decoding: body bytes in, the API's result object (or a typed error) out.
//!
//! Both formats are first turned into a [`serde_json::Value`] object holding the API's result
//! fields, so one set of serde types serves JSON and XML alike. The rules:
//!
//! - **JSON**, plain: `{"<name>_response": {...}}` where `<name>` is [`response_key`]. Like
//!   the Java/PHP SDKs, a root that does not carry exactly that key is still accepted when it
//!   has a single object member (or a single `*_response` object member). Unlike them, "the
//!   first member" is not used when there are several, because JSON member order is not
//!   preserved by `serde_json::Map`; such a body is a [`DecodeError`].
//! - **JSON, `simplify=true`**: the root object is the result. (A root consisting of just the
//!   `<name>_response` wrapper is unwrapped anyway, in case the gateway ignored `simplify`.)
//! - **Errors**: a root `error_response` object, in every mode, becomes an [`ApiError`].
//! - **Qimen**: the `{"response": {"flag": ..., ...}}` envelope; `flag == "failure"` becomes an
//!   [`ApiError`] (`message`/`sub_message` map to `msg`/`sub_msg`). The un-enveloped shape of
//!   the documentation examples (`{"success": ..., "msgCode": ...}`) and an exact
//!   `<name>_response` wrapper are accepted too. The success value is the envelope's content,
//!   `flag` included.
//! - **XML**: the root element is the wrapper (`<..._response>`, `<error_response>`, Qimen
//!   `<response>`; with `simplify` any root but `<html>`). An XML declaration, comments
//!   (notably the trailing `<!--top...-->` the gateway appends) and processing instructions
//!   are ignored. Element → JSON mapping:
//!   - text-only element → string (scalars are **always strings**; the typed layer converts),
//!   - element with child elements → object, one member per child name; a repeated child
//!     name → array of its values in document order,
//!   - children of an element with attribute `list="true"` (how TOP marks list wrappers) are
//!     **always arrays**, even with one item, matching the JSON shape `{"item": [...]}`,
//!   - an element with no children and empty or whitespace-only text → `""`, except a
//!     `list="true"` element (→ `{}`),
//!   - the root is always an object: `{}` when empty, `{"$text": ...}` when it holds only
//!     text,
//!   - non-blank text mixed with child elements is kept under the member `"$text"`,
//!   - other attributes are ignored; entity and character references are resolved.
//!   - Qimen documentation examples show a fragment of sibling elements without a root;
//!     for Qimen calls such a fragment is read as one object.
//!
//! Nothing here panics on any input: malformed, truncated, empty, HTML or binary bodies all
//! give a [`DecodeError`] carrying a short snippet of the body.

use std::fmt;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::options::{Format, RequestOptions};

/// How many characters of the body a [`DecodeError`] keeps.
pub const SNIPPET_CHARS: usize = 200;

/// Deepest nesting accepted in either format (XML elements; JSON arrays and objects). Real
/// responses nest a handful of levels. The cap keeps hostile input from building a value
/// whose recursive walks (typed decoding, drop) could overflow the stack, and it is half of
/// serde_json's own recursion limit because 128 levels of JSON objects already overflow a
/// 256 KiB thread stack in a debug build (found by `tests/hostile.rs`).
const MAX_DEPTH: usize = 64;

/// An error answer from the gateway or the Qimen provider (`error_response`, or a Qimen
/// envelope with `flag = failure`).
///
/// `code` is kept as a **string**: TOP sends a JSON number (`29`) or XML text (`50`), while
/// Qimen providers often send non-numeric codes (`SYSTEM_ERROR`). A string holds all of them
/// losslessly; [`ApiError::code_i64`] gives the numeric value when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiError {
    /// Top-level error code (`code`), as text; empty when the body had none.
    pub code: String,
    /// Top-level message (`msg`; Qimen `message`).
    pub msg: String,
    /// Detailed code (`sub_code`), e.g. `isv.invalid-parameter`.
    pub sub_code: Option<String>,
    /// Detailed message (`sub_msg`; Qimen `sub_message`).
    pub sub_msg: Option<String>,
    /// The gateway's request id, useful when asking Taobao support.
    pub request_id: Option<String>,
}

impl ApiError {
    /// The code as a number, when it is one (TOP codes always are).
    pub fn code_i64(&self) -> Option<i64> {
        self.code.trim().parse().ok()
    }

    /// Reads the TOP `error_response` members.
    fn from_top(obj: &Map<String, Value>) -> Self {
        ApiError {
            code: scalar(obj.get("code")).unwrap_or_default(),
            msg: scalar(obj.get("msg")).unwrap_or_default(),
            sub_code: scalar(obj.get("sub_code")),
            sub_msg: scalar(obj.get("sub_msg")),
            request_id: scalar(obj.get("request_id")),
        }
    }

    /// Reads a Qimen failure envelope, accepting the TOP spellings as a fallback.
    fn from_qimen(obj: &Map<String, Value>) -> Self {
        let either = |a: &str, b: &str| scalar(obj.get(a)).or_else(|| scalar(obj.get(b)));
        ApiError {
            code: scalar(obj.get("code")).unwrap_or_default(),
            msg: either("message", "msg").unwrap_or_default(),
            sub_code: scalar(obj.get("sub_code")),
            sub_msg: either("sub_message", "sub_msg"),
            request_id: scalar(obj.get("request_id")),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TOP error {}: {}", self.code, self.msg)?;
        match (&self.sub_code, &self.sub_msg) {
            (Some(c), Some(m)) => write!(f, " ({c}: {m})")?,
            (Some(c), None) => write!(f, " ({c})")?,
            (None, Some(m)) => write!(f, " ({m})")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request_id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A body that could not be understood: not the expected shape, malformed, truncated, empty,
/// an HTML page, or fields that do not fit the target type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    expected: String,
    detail: String,
    path: Option<String>,
    snippet: String,
    request_id: Option<String>,
}

impl DecodeError {
    fn new(expected: impl Into<String>, detail: impl Into<String>, body: &[u8]) -> Self {
        DecodeError {
            expected: expected.into(),
            detail: detail.into(),
            path: None,
            snippet: snippet(body),
            request_id: find_request_id(body),
        }
    }

    /// A body that decoded, but came with an HTTP error status: not a success to trust.
    pub fn unexpected_status(status: u16, body: &[u8]) -> Self {
        Self::new(
            "a 2xx HTTP status",
            format!("the gateway answered {status}"),
            body,
        )
    }

    /// What the decoder was looking for.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What went wrong (parser message or shape mismatch).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// For typed decoding: the path of the field that failed, e.g. `result.items[2].price`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The start of the body (at most [`SNIPPET_CHARS`] characters, lossy UTF-8).
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// The gateway's `request_id`, when the body carries one (a JSON `"request_id"` string
    /// or an XML `<request_id>` element) even though it could not be decoded.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// The first `request_id` in a body, found by a plain text search: the body failed to
/// decode, so it cannot be parsed. Only a plausible id is taken (up to 64 ASCII letters,
/// digits, `-`, `_`, `.`).
pub(crate) fn find_request_id(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let plausible = |id: &str| {
        (!id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        .then(|| id.to_owned())
    };
    let json = text.match_indices("\"request_id\"").find_map(|(i, key)| {
        let rest = text[i + key.len()..].trim_start().strip_prefix(':')?;
        let rest = rest.trim_start().strip_prefix('"')?;
        plausible(&rest[..rest.find('"')?])
    });
    json.or_else(|| {
        text.match_indices("<request_id>").find_map(|(i, tag)| {
            let rest = &text[i + tag.len()..];
            plausible(rest[..rest.find("</request_id>")?].trim())
        })
    })
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode TOP response: expected {}", self.expected)?;
        if let Some(path) = &self.path {
            write!(f, ", at `{path}`")?;
        }
        write!(f, ": {}; body: {:?}", self.detail, self.snippet)
    }
}

impl std::error::Error for DecodeError {}

/// The start of `body` as text, cut on a char boundary, with `…` when cut.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start();
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Why decoding a response failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// The server answered with an error.
    Api(ApiError),
    /// The body could not be decoded.
    Decode(DecodeError),
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Api(e) => e.fmt(f),
            ResponseError::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResponseError::Api(e) => Some(e),
            ResponseError::Decode(e) => Some(e),
        }
    }
}

impl From<ApiError> for ResponseError {
    fn from(e: ApiError) -> Self {
        ResponseError::Api(e)
    }
}

impl From<DecodeError> for ResponseError {
    fn from(e: DecodeError) -> Self {
        ResponseError::Decode(e)
    }
}

/// What the response to a call looks like: which method, format and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSpec<'a> {
    /// The API method name, e.g. `taobao.user.seller.get`.
    pub method: &'a str,
    /// The `format` that was requested.
    pub format: Format,
    /// Whether `simplify=true` was sent.
    pub simplify: bool,
    /// Whether this is a Qimen cloud call (`response` envelope with `flag`).
    pub qimen: bool,
}

impl<'a> ResponseSpec<'a> {
    /// A plain (not simplified, not Qimen) call.
    pub fn new(method: &'a str, format: Format) -> Self {
        ResponseSpec {
            method,
            format,
            simplify: false,
            qimen: false,
        }
    }

    /// The spec matching how a request was prepared. A call is taken as Qimen when it sets
    /// `target_app_key`, which only Qimen calls use.
    pub fn for_request(method: &'a str, options: &RequestOptions) -> Self {
        ResponseSpec {
            method,
            format: options.format,
            simplify: options.simplify,
            qimen: options.target_app_key.is_some(),
        }
    }

    /// Sets whether `simplify=true` was sent.
    pub fn simplify(mut self, simplify: bool) -> Self {
        self.simplify = simplify;
        self
    }

    /// Sets whether this is a Qimen call.
    pub fn qimen(mut self, qimen: bool) -> Self {
        self.qimen = qimen;
        self
    }
}

/// The wrapper key of a plain response: the method without a leading `taobao.`, dots turned
/// into `_`, plus `_response`.
///
/// `taobao.aliauto.risk.info.tmall.yc.service.sync` →
/// `aliauto_risk_info_tmall_yc_service_sync_response`.
pub fn response_key(method: &str) -> String {
    let name = method.strip_prefix("taobao.").unwrap_or(method);
    format!("{}_response", name.replace('.', "_"))
}

/// Decodes a response body into the API's result object (see the module docs for the rules).
///
/// Returns the inner object (never the wrapper) as `Value::Object`, the server's
/// [`ApiError`], or a [`DecodeError`].
///
/// ```
/// use top_runtime::prepare::Format;
/// use top_runtime::response::{decode_value, ResponseError, ResponseSpec};
///
/// let spec = ResponseSpec::new("taobao.user.seller.get", Format::Json);
/// let ok = decode_value(br#"{"user_seller_get_response":{"user":{"nick":"n"}}}"#, &spec);
/// assert_eq!(ok.unwrap()["user"]["nick"], "n");
///
/// let err = decode_value(br#"{"error_response":{"code":27,"msg":"Invalid session"}}"#, &spec);
/// assert!(matches!(err, Err(ResponseError::Api(e)) if e.code_i64() == Some(27)));
/// ```
pub fn decode_value(body: &[u8], spec: &ResponseSpec<'_>) -> Result<Value, ResponseError> {
    match spec.format {
        Format::Json => decode_json(body, spec),
        Format::Xml => decode_xml(body, spec),
    }
}

/// Decodes a response body into `T` via [`decode_value`]. On a type mismatch the
/// [`DecodeError`] names the failing field's path.
///
/// XML scalars arrive as strings, so `T`'s numeric and boolean fields need lenient
/// deserializers to read XML responses.
pub fn decode<T: DeserializeOwned>(
    body: &[u8],
    spec: &ResponseSpec<'_>,
) -> Result<T, ResponseError> {
    let value = decode_value(body, spec)?;
    serde_path_to_error::deserialize(value)
        .map_err(|e| typed_error::<T>(spec, body, e.path().to_string(), e.into_inner().to_string()))
}

/// Decodes a response body into `R`'s response as the client does, with
/// [`ApiRequest::read_response`](crate::ApiRequest::read_response): for generated requests,
/// leniently and with the full path of a value that does not fit (`result.items[2].price`).
pub fn decode_response<R: crate::ApiRequest>(
    body: &[u8],
    spec: &ResponseSpec<'_>,
) -> Result<R::Response, ResponseError> {
    let fast = match spec.format {
        _ if spec.qimen => None,
        Format::Json => crate::response_pull::json::<R>(
            trim_body(body),
            &response_key(spec.method),
            spec.simplify,
        ),
        Format::Xml => crate::response_pull::xml::<R>(trim_body(body), spec.simplify),
    };
    let read = match fast {
        Some(read) => read,
        None => R::read_response(decode_value(body, spec)?),
    };
    read.map_err(|e| {
        let path = e.path().to_owned();
        typed_error::<R::Response>(spec, body, path, e.message().to_owned())
    })
}

#[cold]
fn typed_error<T>(
    spec: &ResponseSpec<'_>,
    body: &[u8],
    path: String,
    detail: String,
) -> ResponseError {
    let mut err = DecodeError::new(
        format!(
            "the result of {} as {}",
            spec.method,
            std::any::type_name::<T>()
        ),
        detail,
        body,
    );
    // An empty path is the top itself: no path to show.
    err.path = (!path.is_empty()).then_some(path);
    ResponseError::Decode(err)
}

/// The body without a UTF-8 byte order mark and surrounding ASCII whitespace.
fn trim_body(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.trim_ascii()
}

fn decode_json(body: &[u8], spec: &ResponseSpec<'_>) -> Result<Value, ResponseError> {
    let expected = "a JSON object";
    let trimmed = trim_body(body);
    if trimmed.is_empty() {
        return Err(DecodeError::new(expected, "the body is empty", body).into());
    }
    if trimmed.starts_with(b"<") {
        return Err(DecodeError::new(
            expected,
            "the body is markup (an HTML error page, or XML although JSON was requested)",
            body,
        )
        .into());
    }
    if let Some(offset) = too_deep(trimmed) {
        return Err(DecodeError::new(
            expected,
            format!("arrays and objects nested deeper than {MAX_DEPTH} levels (at byte {offset})"),
            body,
        )
        .into());
    }
    let root: Value = serde_json::from_slice(trimmed)
        .map_err(|e| DecodeError::new(expected, format!("invalid JSON: {e}"), body))?;
    let Value::Object(root) = root else {
        return Err(
            DecodeError::new(expected, format!("the JSON root is {}", kind(&root)), body).into(),
        );
    };
    unwrap_json(root, spec, body)
}

/// The offset of the first `[` or `{` nested deeper than [`MAX_DEPTH`], found by one scan
/// that skips strings, so that serde_json (which recurses per level) never sees such a body.
pub(crate) fn too_deep(json: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Finds the result object inside a parsed JSON root.
fn unwrap_json(
    mut root: Map<String, Value>,
    spec: &ResponseSpec<'_>,
    body: &[u8],
) -> Result<Value, ResponseError> {
    if let Some(err) = root.get("error_response") {
        return Err(error_response(err, body));
    }
    let key = response_key(spec.method);

    if spec.qimen {
        let inner = match take_object(&mut root, "response") {
            Some(inner) => inner,
            None => take_object(&mut root, &key).unwrap_or(root),
        };
        return qimen_result(inner);
    }

    if spec.simplify {
        // Unwrap only a root that is nothing but the wrapper, so a result that happens to
        // contain such a member is left alone.
        if root.len() == 1
            && let Some(inner) = take_object(&mut root, &key)
        {
            return Ok(Value::Object(inner));
        }
        return Ok(Value::Object(root));
    }

    if let Some(value) = root.remove(&key) {
        return match value {
            Value::Object(inner) => Ok(Value::Object(inner)),
            other => Err(DecodeError::new(
                format!("`{key}` to be an object"),
                format!("it is {}", kind(&other)),
                body,
            )
            .into()),
        };
    }
    // The Java SDK takes the first object under the root. Member order is not kept here, so
    // only unambiguous cases are accepted: a single object member, or a single `*_response`
    // object member.
    let objects: Vec<&String> = root
        .iter()
        .filter(|(_, v)| v.is_object())
        .map(|(k, _)| k)
        .collect();
    let responses: Vec<&String> = objects
        .iter()
        .copied()
        .filter(|k| k.ends_with("_response"))
        .collect();
    let pick = match (objects.as_slice(), responses.as_slice()) {
        ([only], _) | (_, [only]) => Some((*only).clone()),
        _ => None,
    };
    match pick.and_then(|k| take_object(&mut root, &k)) {
        Some(inner) => Ok(Value::Object(inner)),
        None => Err(DecodeError::new(
            format!("a JSON object with a `{key}` member"),
            "no such member, and no single object member to fall back on",
            body,
        )
        .into()),
    }
}

/// Removes `key` from `map` when its value is an object, and returns that object.
fn take_object(map: &mut Map<String, Value>, key: &str) -> Option<Map<String, Value>> {
    if !map.get(key).is_some_and(Value::is_object) {
        return None;
    }
    match map.remove(key) {
        Some(Value::Object(inner)) => Some(inner),
        _ => None,
    }
}

/// Turns an `error_response` value into the error to return.
fn error_response(value: &Value, body: &[u8]) -> ResponseError {
    match value {
        Value::Object(obj) => ResponseError::Api(ApiError::from_top(obj)),
        other => ResponseError::Decode(DecodeError::new(
            "`error_response` to be an object",
            format!("it is {}", kind(other)),
            body,
        )),
    }
}

/// Applies the Qimen `flag`: `failure` (any case) is an error, anything else is a result.
fn qimen_result(inner: Map<String, Value>) -> Result<Value, ResponseError> {
    let failed = matches!(inner.get("flag"), Some(Value::String(f)) if f.trim().eq_ignore_ascii_case("failure"));
    if failed {
        Err(ResponseError::Api(ApiError::from_qimen(&inner)))
    } else {
        Ok(Value::Object(inner))
    }
}

/// A scalar JSON value as text; `None` for null, absent, objects and arrays.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A short name for the kind of a JSON value, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn decode_xml(body: &[u8], spec: &ResponseSpec<'_>) -> Result<Value, ResponseError> {
    let expected = "an XML document with a `*_response` root element";
    let trimmed = trim_body(body);
    if trimmed.is_empty() {
        return Err(DecodeError::new(expected, "the body is empty", body).into());
    }
    let Ok(text) = std::str::from_utf8(trimmed) else {
        return Err(DecodeError::new(expected, "the body is not valid UTF-8", body).into());
    };
    if !text.starts_with('<') {
        return Err(DecodeError::new(expected, "the body does not start with `<`", body).into());
    }
    let mut elements =
        parse_xml(text).map_err(|detail| DecodeError::new(expected, detail, body))?;

    let (name, value) = match elements.len() {
        0 => return Err(DecodeError::new(expected, "there is no element", body).into()),
        1 => elements.swap_remove(0),
        _ if spec.qimen => {
            // Qimen documentation examples are root-less fragments of sibling elements.
            let mut frame = Frame::new(String::new(), false);
            for (name, value) in elements {
                frame.insert(name, value);
            }
            return qimen_result(frame.members);
        }
        n => {
            return Err(DecodeError::new(
                expected,
                format!("{n} root elements instead of one"),
                body,
            )
            .into());
        }
    };
    if name.eq_ignore_ascii_case("html") {
        return Err(
            DecodeError::new(expected, "the root element is <html>: an HTML page", body).into(),
        );
    }
    if spec.qimen && name != "error_response" && name != "response" && !name.ends_with("_response")
    {
        // A root-less fragment of one element, as Qimen documentation examples show.
        let mut fragment = Map::new();
        fragment.insert(name, value);
        return qimen_result(fragment);
    }
    let obj = root_object(value);
    if name == "error_response" {
        return Err(ResponseError::Api(ApiError::from_top(&obj)));
    }
    if spec.qimen {
        return qimen_result(obj);
    }
    let accepted = if spec.simplify {
        !name.eq_ignore_ascii_case("html")
    } else {
        name.ends_with("_response")
    };
    if !accepted {
        return Err(
            DecodeError::new(expected, format!("the root element is <{name}>"), body).into(),
        );
    }
    Ok(Value::Object(obj))
}

/// The root element's value as an object: a root without children is `{}`, or
/// `{"$text": ...}` when it holds text.
fn root_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(obj) => obj,
        Value::String(text) if text.is_empty() => Map::new(),
        other => {
            let mut obj = Map::new();
            obj.insert("$text".to_owned(), other);
            obj
        }
    }
}

/// An element being built while its children are read.
struct Frame {
    name: String,
    /// `list="true"`: children are arrays even when single.
    list: bool,
    members: Map<String, Value>,
    has_children: bool,
    text: String,
}

impl Frame {
    fn new(name: String, list: bool) -> Self {
        Frame {
            name,
            list,
            members: Map::new(),
            has_children: false,
            text: String::new(),
        }
    }

    /// Adds a child element's value; repeated names (and children of lists) become arrays.
    fn insert(&mut self, name: String, value: Value) {
        self.has_children = true;
        if self.list {
            match self.members.get_mut(&name) {
                Some(Value::Array(items)) => items.push(value),
                _ => {
                    self.members.insert(name, Value::Array(vec![value]));
                }
            }
            return;
        }
        match self.members.get_mut(&name) {
            // Only repetition creates arrays outside lists, so an array here is ours.
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                self.members.insert(name, value);
            }
        }
    }

    /// The element's value.
    fn finish(mut self) -> Value {
        let blank = self.text.trim().is_empty();
        if self.has_children || self.list {
            if !blank {
                self.members
                    .insert("$text".to_owned(), Value::String(self.text));
            }
            Value::Object(self.members)
        } else if blank {
            Value::String(String::new())
        } else {
            Value::String(self.text)
        }
    }
}

/// Whether the element carries `list="true"`. Malformed attributes are ignored: they carry
/// nothing the decoder needs.
fn is_list(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == "list" && a.value.trim() == "true")
}

/// Parses a document into its top-level elements as `(name, value)`; the error is a message.
///
/// Iterative, with a depth cap, so hostile nesting cannot overflow the stack.
fn parse_xml(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut top: Vec<(String, Value)> = Vec::new();

    // Text-like content is only allowed inside an element.
    fn push_text(stack: &mut [Frame], s: &str) -> Result<(), String> {
        match stack.last_mut() {
            Some(frame) => {
                frame.text.push_str(s);
                Ok(())
            }
            None if s.trim().is_empty() => Ok(()),
            None => Err("text outside the root element".to_owned()),
        }
    }

    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(Frame::new(e.name().as_ref().to_owned(), is_list(&e)));
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let value = Frame::new(String::new(), is_list(&e)).finish();
                match stack.last_mut() {
                    Some(parent) => parent.insert(name, value),
                    None => top.push((name, value)),
                }
            }
            Event::End(_) => {
                // quick-xml checks that end names match their start tags.
                let Some(mut frame) = stack.pop() else {
                    return Err("unexpected closing tag".to_owned());
                };
                let name = std::mem::take(&mut frame.name);
                let value = frame.finish();
                match stack.last_mut() {
                    Some(parent) => parent.insert(name, value),
                    None => top.push((name, value)),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(c) => push_text(&mut stack, &c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(r.as_ref()) {
                        Some(s) => s.to_owned(),
                        None => return Err(format!("unknown entity &{};", r.as_ref())),
                    },
                    Err(e) => return Err(format!("bad character reference: {e}")),
                };
                push_text(&mut stack, &resolved)?;
            }
            // Declarations, comments (the gateway's trailing `<!--top...-->`), processing
            // instructions and doctypes carry no data.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("truncated XML: <{}> is not closed", open.name));
    }
    Ok(top)
}
