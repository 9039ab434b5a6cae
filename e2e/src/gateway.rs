//! A fake TOP/Qimen gateway: an HTTP/1.1 server on 127.0.0.1 (ephemeral port) running on its
//! own thread and single-threaded tokio runtime. Each request is checked with
//! [`wire::verify`] against the test's [`Expect`]; a request that passes gets the scripted
//! [`Reply`], one that does not gets HTTP 400 with the problems, and either way it is
//! recorded so a test can assert how many requests arrived and that they were valid.
//!
//! Connections are kept alive (HTTP/1.1): a client may send any number of requests on one,
//! one after another, until it sends `Connection: close` or closes it; the gateway counts
//! the connections it accepts. `Accept-Encoding` is ignored (bodies are sent as is).
//! Dropping the gateway stops it and aborts any reply still being delayed.
//!
//! Faults are scripted by request index ([`GatewayBuilder::script`]): the n-th request to
//! arrive (valid or not) gets the n-th [`Answer`] — a reply, or a reset — and every request
//! after the script the default reply. So a test can say "reset, 502, an `isp` error, then
//! success" and check afterwards exactly which requests arrived.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
/// How long a client may take to send its request, once it has started.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle kept-alive connection stays open.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

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

    /// The same reply with another HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// A TOP `error_response` (HTTP 200, JSON) with these codes and messages.
    pub fn top_error(
        code: i64,
        msg: &str,
        sub_code: &str,
        sub_msg: &str,
        request_id: &str,
    ) -> Self {
        let body = serde_json::json!({"error_response": {
            "code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
            "request_id": request_id,
        }});
        Reply::json(body.to_string())
    }

    /// The same reply, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// What the gateway does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Answers this (a valid request; an invalid one always gets 400).
    Reply(Reply),
    /// Resets the connection (TCP RST) without answering: what the client sees of a crashed
    /// or overloaded server, after the request was sent.
    Reset,
}

impl Answer {
    /// How a test log shows it: `reset` or the HTTP status.
    pub fn label(&self) -> String {
        match self {
            Answer::Reply(reply) => reply.status.to_string(),
            Answer::Reset => "reset".to_owned(),
        }
    }
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Self {
        Answer::Reply(reply)
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
    /// Its index in arrival order, from 0.
    pub index: usize,
    /// Which connection it came on, numbered from 0 in order of acceptance.
    pub connection: usize,
    /// What it was answered: `reset` or the HTTP status (`400` for an invalid request).
    pub answer: String,
}

/// What the gateway keeps of the requests it received.
#[derive(Debug, Default)]
struct Log {
    /// Requests received.
    count: usize,
    /// Every request, or with a tally only the invalid ones.
    received: Vec<Received>,
    /// The tallied parameter's value of each valid request, in arrival order.
    tally: Vec<String>,
}

type SharedLog = Arc<Mutex<Log>>;

/// What one request must look like and how it is answered, chosen by a [`Router`].
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The checks the request must pass (an invalid one gets 400, as ever).
    pub expect: Expect,
    /// The answer to a valid one.
    pub answer: Answer,
}

/// Picks the [`Route`] of each request from what it carries (its method, its session):
/// for tests of calls to several APIs, or of answers that depend on earlier calls.
pub type Router = Arc<dyn Fn(&SeenRequest) -> Route + Send + Sync>;

/// Configures a [`FakeGateway`]: [`FakeGateway::builder`].
pub struct GatewayBuilder {
    expect: Expect,
    reply: Reply,
    script: Vec<Answer>,
    tally: Option<String>,
    router: Option<Router>,
}

impl std::fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("expect", &self.expect)
            .field("reply", &self.reply)
            .field("script", &self.script)
            .field("tally", &self.tally)
            .field("routed", &self.router.is_some())
            .finish()
    }
}

impl GatewayBuilder {
    /// Answers the first requests with `answers`, in order of arrival; later requests get
    /// the default reply.
    pub fn script(mut self, answers: impl IntoIterator<Item = Answer>) -> Self {
        self.script = answers.into_iter().collect();
        self
    }

    /// Keeps only the value of API parameter `param` of each valid request (and invalid
    /// requests in full), instead of every request: for load tests, whose memory must not
    /// grow with the gateway's log.
    pub fn tally(mut self, param: impl Into<String>) -> Self {
        self.tally = Some(param.into());
        self
    }

    /// Checks and answers each request as `router` says, instead of the builder's `expect`
    /// (which then gives only the path), reply and script.
    pub fn route(mut self, router: impl Fn(&SeenRequest) -> Route + Send + Sync + 'static) -> Self {
        self.router = Some(Arc::new(router));
        self
    }

    /// Starts the gateway.
    pub fn start(self) -> io::Result<FakeGateway> {
        FakeGateway::launch(self)
    }
}

/// A running fake gateway; stopped when dropped.
#[derive(Debug)]
pub struct FakeGateway {
    addr: SocketAddr,
    path: String,
    log: SharedLog,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What every connection task shares.
struct Shared {
    expect: Expect,
    reply: Reply,
    script: Vec<Answer>,
    tally: Option<String>,
    router: Option<Router>,
    log: SharedLog,
}

impl FakeGateway {
    /// Starts a gateway that checks every request against `expect` and answers `reply`.
    pub fn start(expect: Expect, reply: Reply) -> io::Result<Self> {
        Self::builder(expect, reply).start()
    }

    /// A gateway checking every request against `expect`, answering `reply` unless told
    /// otherwise.
    pub fn builder(expect: Expect, reply: Reply) -> GatewayBuilder {
        GatewayBuilder {
            expect,
            reply,
            script: Vec::new(),
            tally: None,
            router: None,
        }
    }

    fn launch(config: GatewayBuilder) -> io::Result<Self> {
        let GatewayBuilder {
            expect,
            reply,
            script,
            tally,
            router,
        } = config;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let log: SharedLog = Arc::default();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let path = expect.path.clone();
        let shared = Arc::new(Shared {
            expect,
            reply,
            script,
            tally,
            router,
            log: Arc::clone(&log),
        });
        let thread = {
            let (connections, stop) = (Arc::clone(&connections), Arc::clone(&stop));
            std::thread::Builder::new()
                .name(format!("fake-gateway-{}", addr.port()))
                .spawn(move || {
                    runtime.block_on(serve(listener, shared, connections, stop));
                    // Dropping the runtime here cancels replies still waiting on a delay.
                })?
        };
        Ok(FakeGateway {
            addr,
            path,
            log,
            connections,
            stop,
            thread: Some(thread),
        })
    }

    /// The gateway URL to give the client: `http://127.0.0.1:<port><path>`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything received so far (with a tally, only the invalid requests).
    pub fn received(&self) -> Vec<Received> {
        self.log().received.clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.log().count
    }

    /// How many connections were accepted.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// With a tally: the tallied parameter of every valid request, in arrival order.
    pub fn tally(&self) -> Vec<String> {
        self.log().tally.clone()
    }

    /// What each request was answered, in arrival order: `reset` or the HTTP status.
    pub fn answers(&self) -> Vec<String> {
        self.log()
            .received
            .iter()
            .map(|r| r.answer.clone())
            .collect()
    }

    /// `Ok` when exactly `count` requests arrived and every one passed the checks.
    pub fn check(&self, count: usize) -> Result<(), String> {
        let (arrived, received) = {
            let log = self.log();
            (log.count, log.received.clone())
        };
        if arrived != count {
            return Err(format!(
                "{arrived} requests arrived, expected {count}: {received:#?}"
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
    shared: Arc<Shared>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let accepted = listener.accept().await;
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok((stream, _)) = accepted {
            let connection = connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handle(stream, connection, Arc::clone(&shared)));
        }
    }
}

/// Serves the requests of one connection, one after another.
async fn handle(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    // Bytes read past the end of one request: the start of the next.
    let mut buf = Vec::new();
    loop {
        // Waiting for the next request on an idle connection is no fault of the client.
        if buf.is_empty() {
            let mut chunk = [0u8; 8192];
            match tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        let read = tokio::time::timeout(READ_TIMEOUT, read_request(&mut stream, &mut buf)).await;
        let mut routed = None;
        let (request, mut problems) = match read {
            Ok(Ok(request)) => {
                let problems = match &shared.router {
                    Some(router) => {
                        let route = router(&request);
                        let problems = wire::verify(&route.expect, &request);
                        routed = Some(route.answer);
                        problems
                    }
                    None => wire::verify(&shared.expect, &request),
                };
                (request, problems)
            }
            Ok(Err(e)) => (
                SeenRequest::default(),
                vec![format!("bad HTTP request: {e}")],
            ),
            Err(_) => (
                SeenRequest::default(),
                vec!["the request was not sent in time".to_owned()],
            ),
        };
        // A request that could not be read leaves the stream in an unknown place.
        let readable = request != SeenRequest::default();
        let close = !readable
            || request
                .header("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        let tallied = match &shared.tally {
            Some(name) if problems.is_empty() => match request.form() {
                Ok(form) => match form.into_iter().find(|(k, _)| k == name) {
                    Some((_, value)) => Some(value),
                    None => {
                        problems.push(format!("the tallied parameter {name} is missing"));
                        None
                    }
                },
                Err(e) => {
                    problems.push(format!("body: {e}"));
                    None
                }
            },
            _ => None,
        };
        let answer = {
            let mut log = shared.log.lock().unwrap_or_else(PoisonError::into_inner);
            let index = log.count;
            log.count += 1;
            let answer = if problems.is_empty() {
                routed.unwrap_or_else(|| {
                    shared
                        .script
                        .get(index)
                        .cloned()
                        .unwrap_or_else(|| Answer::Reply(shared.reply.clone()))
                })
            } else {
                let body = serde_json::json!({
                    "error_response": {"code": 400, "msg": "fake gateway: bad request", "sub_msg": problems.join("; ")}
                });
                Answer::Reply(Reply::json(body.to_string()).status(400))
            };
            match tallied {
                Some(value) => log.tally.push(value),
                None => {
                    let files = if request.is_multipart() {
                        request.multipart().map(|m| m.files).unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    log.received.push(Received {
                        request,
                        problems,
                        files,
                        index,
                        connection,
                        answer: answer.label(),
                    })
                }
            }
            answer
        };
        match answer {
            Answer::Reset => {
                // SO_LINGER 0: closing sends RST instead of FIN.
                let _ = stream.set_zero_linger();
                return;
            }
            Answer::Reply(reply) => {
                tokio::time::sleep(reply.delay).await;
                let response = render(reply.status, &reply.content_type, &reply.body, close);
                if stream.write_all(&response).await.is_err() || close {
                    let _ = stream.shutdown().await;
                    return;
                }
            }
        }
    }
}

fn render(status: u16, content_type: &str, body: &[u8], close: bool) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    let connection = if close { "close" } else { "keep-alive" };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one request: head up to the blank line, then a `Content-Length` body. `buf` holds
/// what was already read of it; on return, whatever follows it (a pipelined request).
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<SeenRequest, String> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err("the head is too large".into());
        }
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the connection closed inside the head".into());
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
    buf.clear();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the connection closed inside the body".into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    // The next request's bytes, if the client pipelines.
    *buf = body.split_off(length);
    Ok(SeenRequest { body, ..request })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
