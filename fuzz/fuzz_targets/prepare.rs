//! The request encoder: form and multipart bodies, the signed query, with arbitrary
//! parameter values, file names, MIME types and file contents.
//!
//! Invariants: nothing panics; the same request prepares to the same bytes; a struct
//! parameter's JSON text is what serde_json writes for it; a form body decodes back to
//! exactly the text parameters; a multipart body splits at its boundary
//! into exactly the parts sent, contents byte for byte; the query holds the method.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use top_runtime::FileItem;
use top_runtime::api::Params;
use top_runtime::prepare::{
    Credentials, Format, HttpRequest, RequestOptions, prepare_params, prepare_request,
};
use top_runtime::sign::SignMethod;
use top_runtime::view::{AsJson, JsonObject, JsonView};

/// `Params` takes `&'static str` names (generated code passes literals), so names come from
/// a pool that holds the awkward ones: blank, reserved, quotes, line breaks, NUL, non-ASCII.
const NAMES: &[&str] = &[
    "a",
    "b",
    "title",
    "image",
    "file",
    "method",
    "sign",
    "session",
    "",
    " ",
    "a\"b",
    "x\r\nContent-Type: evil",
    "x\0y",
    "名字",
    "a;b=c",
    "a b",
];

#[derive(Arbitrary, Debug)]
enum Member {
    Text(Option<String>),
    Number(i64),
    Flag(bool),
    Texts(Vec<String>),
    Inner(Vec<(u8, String)>),
}

/// A struct parameter, written as generated structs write themselves.
#[derive(Arbitrary, Debug)]
struct Struct(Vec<(u8, Member)>);

fn name(index: u8) -> &'static str {
    NAMES[usize::from(index) % NAMES.len()]
}

/// An inner struct: text members only.
fn inner_view(members: &[(u8, String)]) -> JsonView<'_> {
    let mut out = JsonObject::with_capacity(members.len());
    for (n, text) in members {
        out.put(name(*n), text);
    }
    out.into()
}

impl AsJson for Struct {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(self.0.len());
        for (n, member) in &self.0 {
            let view = match member {
                Member::Text(text) => text.as_json(),
                Member::Number(n) => n.as_json(),
                Member::Flag(b) => b.as_json(),
                Member::Texts(texts) => texts.as_json(),
                Member::Inner(members) => inner_view(members),
            };
            out.push(name(*n), view);
        }
        out.into()
    }
}

#[derive(Arbitrary, Debug)]
enum Value {
    Text(String),
    List(Vec<String>),
    Struct(Struct),
    File {
        file_name: String,
        mime_type: Option<String>,
        bytes: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: String,
    sign_method: u8,
    xml: bool,
    simplify: bool,
    session: Option<String>,
    partner_id: Option<String>,
    target_app_key: Option<String>,
    params: Vec<(u8, Value)>,
    /// For `prepare_request`, which takes any names.
    loose: Vec<(String, Option<String>)>,
}

const GATEWAY: &str = "https://gw.api.taobao.com/router/rest";

fn options(input: &Input) -> RequestOptions {
    let sign = match input.sign_method % 3 {
        0 => SignMethod::Md5,
        1 => SignMethod::Hmac,
        _ => SignMethod::HmacSha256,
    };
    let mut o = RequestOptions::default()
        .with_sign_method(sign)
        .with_format(if input.xml { Format::Xml } else { Format::Json })
        .with_simplify(input.simplify)
        .with_timestamp("2024-01-02 03:04:05");
    if let Some(s) = &input.session {
        o = o.with_session(s.as_str());
    }
    if let Some(p) = &input.partner_id {
        o = o.with_partner_id(p.as_str());
    }
    if let Some(t) = &input.target_app_key {
        o = o.with_target_app_key(t.as_str());
    }
    o
}

fn query_has_method(req: &HttpRequest, method: &str) {
    let query = req.url.split_once('?').map_or("", |(_, q)| q);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert!(
        pairs.iter().any(|(k, v)| k == "method" && v == method),
        "the query lost the method: {}",
        req.url
    );
}

/// Splits a multipart body into (head, content) per part.
fn parts<'b>(body: &'b [u8], boundary: &str) -> Vec<(&'b [u8], &'b [u8])> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    assert!(body.ends_with(format!("{delimiter}--\r\n").as_bytes()));
    for w in starts.windows(2) {
        // `--B\r\n<head>\r\n\r\n<content>\r\n`
        let part = &body[w[0] + d.len()..w[1]];
        let part = part
            .strip_prefix(b"\r\n")
            .and_then(|p| p.strip_suffix(b"\r\n"))
            .expect("a part framed by CRLF");
        let split = part
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a part head ends in a blank line");
        out.push((&part[..split + 2], &part[split + 4..]));
    }
    out
}

fuzz_target!(|input: Input| {
    let creds = Credentials::new("key", "secret");
    let opts = options(&input);
    let files: Vec<Option<FileItem>> = input
        .params
        .iter()
        .map(|(_, v)| match v {
            Value::File {
                file_name,
                mime_type,
                bytes,
            } => {
                let f = FileItem::from_bytes(file_name.as_str(), bytes.clone());
                Some(match mime_type {
                    Some(m) => f.with_mime_type(m.as_str()),
                    None => f,
                })
            }
            _ => None,
        })
        .collect();
    let mut params = Params::new();
    for ((name, value), file) in input.params.iter().zip(&files) {
        let name = NAMES[usize::from(*name) % NAMES.len()];
        match (value, file) {
            (Value::Text(t), _) => params.value(name, t),
            (Value::List(items), _) => params.value(name, items),
            (Value::Struct(fields), _) => {
                let mut alone = Params::new();
                alone.json("s", fields);
                let expected = serde_json::to_string(&fields.as_json()).expect("a view serializes");
                assert_eq!(
                    alone.get("s"),
                    Some(expected.as_str()),
                    "not serde_json's text"
                );
                params.json(name, fields);
            }
            (Value::File { .. }, Some(f)) => params.file(name, f),
            (Value::File { .. }, None) => unreachable!("every file value was made a FileItem"),
        }
    }
    let first = prepare_params(GATEWAY, &input.method, &creds, &opts, &params);
    let again = prepare_params(GATEWAY, &input.method, &creds, &opts, &params);
    assert_eq!(first, again, "the same request prepared twice differs");
    if let Ok(req) = &first {
        query_has_method(req, &input.method);
        let texts: Vec<(&str, &str)> = params.texts().collect();
        let sent_files: Vec<(&str, &FileItem)> = params.files().collect();
        match req.multipart_boundary() {
            None => {
                assert!(sent_files.is_empty());
                let decoded: Vec<(String, String)> =
                    form_urlencoded::parse(&req.body).into_owned().collect();
                let expected: Vec<(String, String)> = texts
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                assert_eq!(decoded, expected, "the form body does not decode back");
            }
            Some(boundary) => {
                let got = parts(&req.body, boundary);
                assert_eq!(got.len(), texts.len() + sent_files.len());
                let contents = texts
                    .iter()
                    .map(|(_, v)| v.as_bytes())
                    .chain(sent_files.iter().map(|(_, f)| f.bytes()));
                for ((head, content), expected) in got.iter().zip(contents) {
                    assert_eq!(*content, expected, "a part's content changed");
                    assert!(!head.is_empty());
                }
            }
        }
    }
    let loose: Vec<(&str, Option<String>)> = input
        .loose
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    if let Ok(req) = prepare_request(GATEWAY, &input.method, &creds, &opts, loose) {
        query_has_method(&req, &input.method);
    }
});
