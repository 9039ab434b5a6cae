//! `multipart/form-data` bodies of requests with files: the parts, a boundary derived from
//! them (same request, same bytes) that occurs in none, and reading such a body back for
//! people.

use sha2::{Digest, Sha256};

use crate::FileItem;
use crate::prepare_error::PrepareError;
use crate::sign::is_blank;

/// The media type of a request with files; the full `Content-Type` adds
/// `; boundary=...; charset=UTF-8`.
pub const MULTIPART_FORM_DATA: &str = "multipart/form-data";

/// The `Content-Type` of each text part of a multipart request.
pub const TEXT_PART_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

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

/// The boundary and body of a request with files: each text part, then each file part.
pub(crate) fn body(
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

/// Content worth printing: UTF-8 without control characters other than tab and line breaks.
fn printable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')))
    .then_some(text)
}

/// Re-reads a body made by [`body`]; `None` if it is not shaped like one.
pub(crate) fn readable(body: &[u8], boundary: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Params;
    use crate::prepare::{Credentials, HttpRequest, RequestOptions, prepare_params};
    use crate::sign::SignMethod;

    fn upload_request(files: &[FileItem]) -> HttpRequest {
        let mut params = Params::new();
        params.value("title", "张三 \"q\"\r\nline");
        params.value("num", &7i64);
        params.file("image", &files[0]);
        params.file("extra", &files[1..]);
        let creds = Credentials::new("12345678", "helloworld");
        let opts = RequestOptions::default()
            .with_sign_method(SignMethod::Md5)
            .with_timestamp("2016-01-01 12:00:00");
        prepare_params(
            "http://gw/router/rest",
            "a.b.upload",
            &creds,
            &opts,
            &params,
        )
        .unwrap()
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
}
