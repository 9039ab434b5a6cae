//! [`Transport`]: the only I/O of a call, sending a prepared request and reading the whole
//! answer; the default one (feature `reqwest`) uses reqwest with rustls.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
#[cfg(feature = "reqwest")]
use std::time::Duration;

use crate::http::HttpRequest;

/// The default limit on a response body: 64 MiB, far above any real TOP answer (the largest
/// list calls return a few megabytes) and well below what would strain memory. See
/// [`TopClientBuilder::max_body_size`](crate::client::TopClientBuilder::max_body_size).
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

/// What a transport got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The whole body, decompressed.
    pub body: Vec<u8>,
}

/// Why a request did not get a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// Whether the time limit ran out.
    pub timed_out: bool,
    /// What happened; must not contain the request URL (it carries the session key).
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.timed_out {
            write!(f, "timed out: {}", self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for TransportError {}

/// The future a transport returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// An HTTP stack that can send a prepared request.
pub trait Transport: Send + Sync {
    /// Sends the request and reads the whole body.
    fn send(&self, request: HttpRequest) -> TransportFuture<'_>;
}

/// The default transport: reqwest with rustls and gzip.
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body_size: usize,
}

#[cfg(feature = "reqwest")]
impl ReqwestTransport {
    /// A transport whose requests time out after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .gzip(true)
            .build()
            .map_err(transport_error)?;
        Ok(Self {
            client,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        })
    }

    /// Stops reading a body once it is larger than `bytes` (after decompression); the
    /// client then reports [`CallError::BodyTooLarge`](crate::client::CallError::BodyTooLarge). Default [`DEFAULT_MAX_BODY_SIZE`].
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }
}

#[cfg(feature = "reqwest")]
fn transport_error(e: reqwest::Error) -> TransportError {
    TransportError {
        timed_out: e.is_timeout(),
        // The URL carries the session key: never let it into messages.
        message: e.without_url().to_string(),
    }
}

#[cfg(feature = "reqwest")]
impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let mut builder = self.client.post(&request.url);
            for (name, value) in request.headers() {
                builder = builder.header(name, value);
            }
            builder = builder.body(request.body);
            let mut response = builder.send().await.map_err(transport_error)?;
            let status = response.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
                body.extend_from_slice(&chunk);
                if body.len() > self.max_body_size {
                    // Over the limit: the client refuses it by its length, so the rest
                    // would only fill memory.
                    break;
                }
            }
            Ok(HttpResponse { status, body })
        })
    }
}
