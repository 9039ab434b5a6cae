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
//!
//! The pieces live in modules of their own and are re-exported here, where they have always
//! been named: credentials and [`Secret`], the system parameters ([`RequestOptions`],
//! [`Format`]), the [`HttpRequest`], form encoding, multipart bodies and [`PrepareError`].

use std::borrow::Cow;

use crate::FileItem;
use crate::api::Params;
use crate::form::{FormWriter, form_pairs_room};
use crate::multipart;
use crate::options::SystemParams;
use crate::sign::{Signer, is_blank};

pub use crate::credentials::{Credentials, Secret};
pub use crate::form::FORM_CONTENT_TYPE;
pub use crate::http::HttpRequest;
pub use crate::multipart::{MULTIPART_FORM_DATA, TEXT_PART_CONTENT_TYPE};
pub use crate::options::{
    API_VERSION, Format, ParseFormatError, RequestOptions, SYSTEM_PARAMS, china_now,
    format_china_time,
};
pub use crate::prepare_error::PrepareError;

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
        let (boundary, body) = multipart::body(&texts, files)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Params;
    use crate::sign::SignMethod;

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
}
