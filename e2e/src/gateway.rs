//! A fake TOP/Qimen gateway: an HTTP/1.1 server on 127.0.0.1 (ephemeral port) running on its
//! own thread and single-threaded tokio runtime. Each request is checked with
//! [`wire::verify`] against the test's [`Expect`]; a request that passes gets the scripted
//! [`Reply`], one that does not gets HTTP 400 with the problems, and either way it is
//! recorded so a test can assert how many requests arrived and that they were valid.
//!
//! One request per connection (`Connection: close`); `Accept-Encoding` is ignored (bodies are
//! sent as is). Dropping the gateway stops it and aborts any reply still being delayed.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::wire::{self, Expect, SeenFile, SeenRequest};

/// Largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// The body, sent as is.
    pub body: Vec<u8>,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: impl Into<String>) -> Self {
        Reply::with(200, "application/json;charset=UTF-8", body)
    }

    /// 200 with an XML body.
    pub fn xml(body: impl Into<String>) -> Self {
        Reply::with(200, "text/xml;charset=UTF-8", body)
    }

    /// `status` with an HTML body.
    pub fn html(status: u16, body: impl Into<String>) -> Self {
        Reply::with(status, "text/html;charset=UTF-8", body)
    }

    /// Any status, content type and body.
    pub fn with(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply {
            status,
            content_type: content_type.to_owned(),
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// The same reply, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One request the gateway received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The request (as far as it could be read).
    pub request: SeenRequest,
    /// Every protocol problem found; empty for a valid request.
    pub problems: Vec<String>,
    /// The file parts of a multipart request (name, filename, content type, bytes), in
    /// order; empty for a form request or a multipart body that could not be parsed.
    pub files: Vec<SeenFile>,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A running fake gateway; stopped when dropped.
#[derive(Debug)]
pub struct FakeGateway {
    addr: SocketAddr,
    path: String,
    log: Log,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGateway {
    /// Starts a gateway that checks every request against `expect` and answers `reply`.
    pub fn start(expect: Expect, reply: Reply) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let log: Log = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let path = expect.path.clone();
        let thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            std::thread::Builder::new()
                .name(format!("fake-gateway-{}", addr.port()))
                .spawn(move || {
                    runtime.block_on(serve(listener, expect, reply, log, stop));
                    // Dropping the runtime here cancels replies still waiting on a delay.
                })?
        };
        Ok(FakeGateway {
            addr,
            path,
            log,
            stop,
            thread: Some(thread),
        })
    }

    /// The gateway URL to give the client: `http://127.0.0.1:<port><path>`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// `Ok` when exactly `count` requests arrived and every one passed the checks.
    pub fn check(&self, count: usize) -> Result<(), String> {
        let received = self.received();
        if received.len() != count {
            return Err(format!(
                "{} requests arrived, expected {count}: {received:#?}",
                received.len()
            ));
        }
        let problems: Vec<&String> = received.iter().flat_map(|r| &r.problems).collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("the gateway rejected the request: {problems:#?}"))
        }
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    expect: Expect,
    reply: Reply,
    log: Log,
    stop: Arc<AtomicBool>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let (expect, reply) = (Arc::new(expect), Arc::new(reply));
    loop {
        let accepted = listener.accept().await;
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok((stream, _)) = accepted {
            tokio::spawn(handle(
                stream,
                Arc::clone(&expect),
                Arc::clone(&reply),
                Arc::clone(&log),
            ));
        }
    }
}

async fn handle(mut stream: TcpStream, expect: Arc<Expect>, reply: Arc<Reply>, log: Log) {
    let read = tokio::time::timeout(READ_TIMEOUT, read_request(&mut stream)).await;
    let (request, problems) = match read {
        Ok(Ok(Some(request))) => {
            let problems = wire::verify(&expect, &request);
            (request, problems)
        }
        // The connection closed before a request: nothing to count.
        Ok(Ok(None)) => return,
        Ok(Err(e)) => (
            SeenRequest::default(),
            vec![format!("bad HTTP request: {e}")],
        ),
        Err(_) => (
            SeenRequest::default(),
            vec!["the request was not sent in time".to_owned()],
        ),
    };
    let files = if request.is_multipart() {
        request.multipart().map(|m| m.files).unwrap_or_default()
    } else {
        Vec::new()
    };
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Received {
            request,
            problems: problems.clone(),
            files,
        });
    let response = if problems.is_empty() {
        tokio::time::sleep(reply.delay).await;
        render(reply.status, &reply.content_type, &reply.body)
    } else {
        let body = serde_json::json!({
            "error_response": {"code": 400, "msg": "fake gateway: bad request", "sub_msg": problems.join("; ")}
        });
        render(
            400,
            "application/json;charset=UTF-8",
            body.to_string().as_bytes(),
        )
    };
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

fn render(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one request: head up to the blank line, then a `Content-Length` body. `None` when
/// the peer closed without sending anything.
async fn read_request(stream: &mut TcpStream) -> Result<Option<SeenRequest>, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err("the head is too large".into());
        }
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err("the connection closed inside the head".into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "the head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("bad request line {request_line:?}"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("unsupported version {version}"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let request = SeenRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|te| !te.eq_ignore_ascii_case("identity"))
    {
        return Err("chunked bodies are not supported; send Content-Length".into());
    }
    let length: usize = match request.header("content-length") {
        Some(v) => v.parse().map_err(|_| format!("bad Content-Length {v:?}"))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(format!("the body ({length} bytes) is too large"));
    }
    let mut body = buf.split_off(head_end + 4);
    while body.len() < length {
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the connection closed inside the body".into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    if body.len() > length {
        return Err("more bytes than Content-Length".into());
    }
    Ok(Some(SeenRequest { body, ..request }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
