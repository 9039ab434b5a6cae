//! [`HttpRequest`]: a prepared request as any HTTP client sends it, and how it is shown to
//! people (the session redacted, binary parts summarised).

use std::borrow::Cow;
use std::fmt;

use crate::multipart::{self, MULTIPART_FORM_DATA};

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
                multipart::readable(&self.body, boundary).unwrap_or_else(|| lossy(&self.body))
            }
            None => lossy(&self.body),
        }
    }
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

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
