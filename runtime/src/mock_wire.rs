//! A prepared request as a mock gateway reads and checks it: the query and the form or
//! multipart body taken apart, then the gateway's checks (system parameters, timestamp,
//! signature, session), each failure answered with the gateway's code.

use jiff::Timestamp;

use crate::FileItem;
use crate::answer::ErrorAnswer;
use crate::form::{FORM_CONTENT_TYPE, decode_component};
use crate::http::HttpRequest;
use crate::options::{API_VERSION, SYSTEM_PARAMS};
use crate::sign::{SignMethod, is_blank};

/// How far the timestamp may be from now, as the gateway allows.
const MAX_SKEW: i64 = 10 * 60;

/// A request taken apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    /// The system parameters, from the query, in order.
    pub(crate) query: Vec<(String, String)>,
    /// The API text parameters, from the body, in order.
    pub(crate) texts: Vec<(String, String)>,
    /// The files, from a multipart body.
    pub(crate) files: Vec<(String, FileItem)>,
}

impl Seen {
    /// The system parameter `name`.
    pub(crate) fn system(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Takes `request` apart; the error says what is malformed.
pub(crate) fn read(request: &HttpRequest) -> Result<Seen, String> {
    if request.method != "POST" {
        return Err(format!("HTTP method {} instead of POST", request.method));
    }
    let query = request.url.split_once('?').map_or("", |(_, q)| q);
    let query = parse_form(query).map_err(|e| format!("query: {e}"))?;
    let (texts, files) = match request.multipart_boundary() {
        Some(boundary) => parse_multipart(&request.body, boundary)?,
        None if request.content_type == FORM_CONTENT_TYPE => {
            let body = std::str::from_utf8(&request.body).map_err(|_| "the body is not UTF-8")?;
            (
                parse_form(body).map_err(|e| format!("body: {e}"))?,
                Vec::new(),
            )
        }
        None => return Err(format!("Content-Type {:?}", request.content_type)),
    };
    Ok(Seen {
        query,
        texts,
        files,
    })
}

fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split('&')
        .map(|pair| {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` has no `=`"))?;
            let decode =
                |s: &str| decode_component(s).ok_or_else(|| format!("`{s}` does not decode"));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

type Parts = (Vec<(String, String)>, Vec<(String, FileItem)>);

/// A `multipart/form-data` body as the runtime writes it: text parts and file parts.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Parts, String> {
    let delimiter = format!("\r\n--{boundary}");
    let first = format!("--{boundary}\r\n");
    let mut rest = body
        .strip_prefix(first.as_bytes())
        .ok_or("the body does not start with the boundary")?;
    let (mut texts, mut files) = (Vec::new(), Vec::new());
    loop {
        let end = find(rest, delimiter.as_bytes()).ok_or("a part is not closed")?;
        let part = &rest[..end];
        let head_end = find(part, b"\r\n\r\n").ok_or("a part has no blank line")?;
        let head =
            std::str::from_utf8(&part[..head_end]).map_err(|_| "a part head is not UTF-8")?;
        let content = &part[head_end + 4..];
        let disposition = header(head, "content-disposition").ok_or("a part has no disposition")?;
        let name = quoted(disposition, "name").ok_or("a part has no name")?;
        match quoted(disposition, "filename") {
            Some(file_name) => {
                let mime = header(head, "content-type").unwrap_or_default();
                let file_name =
                    decode_component(&file_name.replace('+', "%2B")).unwrap_or(file_name);
                files.push((
                    name,
                    FileItem::from_bytes(file_name, content.to_vec()).with_mime_type(mime),
                ));
            }
            None => {
                let text = String::from_utf8(content.to_vec())
                    .map_err(|_| format!("text part {name} is not UTF-8"))?;
                texts.push((name, text));
            }
        }
        rest = &rest[end + delimiter.len()..];
        if rest == b"--\r\n" {
            return Ok((texts, files));
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("a boundary is not followed by CRLF")?;
    }
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// `name="value"` of a `Content-Disposition`.
fn quoted(disposition: &str, name: &str) -> Option<String> {
    disposition.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k == name).then(|| v.trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn refuse(code: i64, msg: &str, sub_msg: String) -> ErrorAnswer {
    ErrorAnswer {
        code,
        msg: msg.to_owned(),
        sub_code: None,
        sub_msg: Some(sub_msg),
    }
}

/// The gateway's checks of `seen`, in its order; the first failure as it answers it.
pub(crate) fn check(
    seen: &Seen,
    app_secret: &str,
    session_required: bool,
    now: Timestamp,
) -> Result<(), ErrorAnswer> {
    let mut names: Vec<&str> = Vec::new();
    for (k, v) in seen.query.iter().chain(&seen.texts) {
        if names.contains(&k.as_str()) {
            return Err(refuse(
                41,
                "Invalid arguments",
                format!("parameter {k} is sent twice"),
            ));
        }
        names.push(k);
        if is_blank(v) {
            return Err(refuse(
                41,
                "Invalid arguments",
                format!("parameter {k} is sent blank"),
            ));
        }
    }
    if let Some((k, _)) = seen
        .query
        .iter()
        .find(|(k, _)| !SYSTEM_PARAMS.contains(&k.as_str()))
    {
        return Err(refuse(
            41,
            "Invalid arguments",
            format!("API parameter {k} is in the query"),
        ));
    }
    let body_names = seen
        .texts
        .iter()
        .map(|(k, _)| k)
        .chain(seen.files.iter().map(|(k, _)| k));
    if let Some(k) = body_names
        .into_iter()
        .find(|k| SYSTEM_PARAMS.contains(&k.as_str()))
    {
        return Err(refuse(
            41,
            "Invalid arguments",
            format!("system parameter {k} is in the body"),
        ));
    }
    let system = |name| seen.system(name);
    if system("method").is_none() {
        return Err(refuse(21, "Missing method", "no method".into()));
    }
    if system("app_key").is_none() {
        return Err(refuse(28, "Missing app key", "no app_key".into()));
    }
    let Some(timestamp) = system("timestamp") else {
        return Err(refuse(30, "Missing timestamp", "no timestamp".into()));
    };
    check_timestamp(timestamp, now).map_err(|detail| refuse(31, "Invalid timestamp", detail))?;
    match system("v") {
        None => return Err(refuse(32, "Missing version", "no v".into())),
        Some(API_VERSION) => {}
        Some(v) => return Err(refuse(33, "Invalid version", format!("v={v}"))),
    }
    if let Some(format) = system("format")
        && format != "json"
        && format != "xml"
    {
        return Err(refuse(23, "Invalid format", format!("format={format}")));
    }
    let method: SignMethod = system("sign_method")
        .unwrap_or("md5")
        .parse()
        .map_err(|e| refuse(25, "Invalid signature", format!("{e}")))?;
    let Some(sign) = system("sign") else {
        return Err(refuse(24, "Missing signature", "no sign".into()));
    };
    // Files are never signed: the query and the text parameters are.
    let pairs: Vec<(&str, &str)> = seen
        .query
        .iter()
        .chain(&seen.texts)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let want = crate::sign::sign(&pairs, None, app_secret, method);
    if want.as_str() != sign {
        return Err(refuse(
            25,
            "Invalid signature",
            "the sign does not match the app secret".into(),
        ));
    }
    if session_required && system("session").is_none() {
        return Err(refuse(
            26,
            "Missing session",
            "the API needs a session".into(),
        ));
    }
    Ok(())
}

/// `yyyy-MM-dd HH:mm:ss` in China time, within ten minutes of `now`.
fn check_timestamp(timestamp: &str, now: Timestamp) -> Result<(), String> {
    let shape_ok = timestamp.len() == 19
        && timestamp.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    let parsed = shape_ok
        .then(|| timestamp.parse::<crate::DateTime>().ok())
        .flatten()
        .and_then(crate::DateTime::to_timestamp)
        .ok_or_else(|| format!("timestamp {timestamp:?} is not yyyy-MM-dd HH:mm:ss"))?;
    let skew = parsed.as_second() - now.as_second();
    if skew.abs() > MAX_SKEW {
        return Err(format!(
            "timestamp {timestamp:?} is {skew} s from China time now (is it China time?)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_must_be_china_time_now() {
        let now: Timestamp = "2016-01-01T04:00:00Z".parse().unwrap();
        assert_eq!(check_timestamp("2016-01-01 12:00:00", now), Ok(()));
        assert_eq!(check_timestamp("2016-01-01 12:09:59", now), Ok(()));
        // UTC instead of China time: eight hours off.
        assert!(check_timestamp("2016-01-01 04:00:00", now).is_err());
        for bad in [
            "2016-01-01T12:00:00",
            "2016-1-1 12:00:00",
            "",
            "2016-02-30 12:00:00",
        ] {
            assert!(check_timestamp(bad, now).is_err(), "{bad}");
        }
    }
}
