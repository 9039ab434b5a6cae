//! A fake TMC message service: a WebSocket server on 127.0.0.1 (ephemeral port) on its own
//! thread and single-threaded tokio runtime, speaking TMC with the [`tmc_wire`] codec.
//!
//! - A connect frame is checked (app key, sign over `app_key`, `group_name`, `timestamp` with
//!   the app's secret); a bad one is refused with status code [`REFUSED_CODE`] and a phrase,
//!   a good one gets a token unique to the connection.
//! - The queue of [`TmcMessage`]s is served at least once: up to `window` unconfirmed
//!   messages are pushed to each connection, and each pull request (`__kind` 1) lets
//!   `pull_batch` more through. A confirm (`__kind` 2, with the connection's token) settles
//!   its message and is recorded with its time; messages still unconfirmed when their
//!   connection ends, or after `redeliver_after`, go back to the front of the queue.
//! - Faults on command: [`FakeTmc::drop_connections`] or [`TmcServerBuilder::drop_after`]
//!   (close abruptly, no close frame, right after the n-th delivery), [`FakeTmc::go_silent`]
//!   or [`TmcServerBuilder::silent_after`] (keep the socket open but answer nothing, not
//!   even pongs: what a dead peer behind a live NAT looks like).
//! - A frame the server cannot read or does not expect is recorded in
//!   [`FakeTmc::errors`], never a panic.
//!
//! Dropping the server stops it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::tmc_wire::{self, Val, WireFrame};

mod connection;

/// The status code of a refused connect.
pub const REFUSED_CODE: i32 = 401;
/// How long a new connection may take to send its connect frame.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One message in the server's queue, sent as a `send` frame with these custom headers
/// (under the names TOP-PROTOCOL gives, or the Java SDK's: [`TmcServerBuilder::java_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmcMessage {
    /// `id` (int64).
    pub id: i64,
    /// `topic`.
    pub topic: String,
    /// `content` (JSON text).
    pub content: String,
    /// `pub_time` (a date, epoch ms).
    pub pub_time: i64,
    /// `pub_app_key`.
    pub pub_app_key: String,
    /// `user_id` (int64).
    pub user_id: i64,
    /// `user_nick`.
    pub user_nick: String,
    /// `outgoing` (int64), when present.
    pub outgoing: Option<i64>,
}

impl TmcMessage {
    /// The `send` frame that delivers it, with TOP-PROTOCOL's header names.
    pub fn frame(&self) -> WireFrame {
        self.frame_named(false)
    }

    /// The `send` frame that delivers it; `java`: with the names the Java SDK reads (`time`,
    /// `publisher`, `userid`, `nick`, `outtime`) instead of TOP-PROTOCOL's.
    pub fn frame_named(&self, java: bool) -> WireFrame {
        let name = |doc, java_name| if java { java_name } else { doc };
        let mut frame = WireFrame::of(tmc_wire::SEND)
            .with("__kind", Val::U8(tmc_wire::KIND_DATA))
            .with("id", Val::I64(self.id))
            .with("topic", Val::Str(self.topic.clone()))
            .with("content", Val::Str(self.content.clone()))
            .with(name("pub_time", "time"), Val::Date(self.pub_time))
            .with(
                name("pub_app_key", "publisher"),
                Val::Str(self.pub_app_key.clone()),
            )
            .with(name("user_id", "userid"), Val::I64(self.user_id))
            .with(name("user_nick", "nick"), Val::Str(self.user_nick.clone()));
        if let Some(outgoing) = self.outgoing {
            frame = frame.with(name("outgoing", "outtime"), Val::I64(outgoing));
        }
        frame
    }
}

/// A connect frame the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectAttempt {
    /// The connection, numbered from 0 in order of acceptance.
    pub connection: usize,
    /// Its `app_key`.
    pub app_key: Option<String>,
    /// Its `group_name`.
    pub group: Option<String>,
    /// Its `sdk`.
    pub sdk: Option<String>,
    /// `None` when accepted, else why it was refused.
    pub refused: Option<String>,
}

/// One delivery of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The message id.
    pub id: i64,
    /// The connection it went out on.
    pub connection: usize,
    /// 1 for the first delivery of this message, 2 for the next, ….
    pub attempt: u32,
    /// When it was written to the socket.
    pub at: Instant,
}

/// One confirm received (with the right token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirm {
    /// The confirmed id.
    pub id: i64,
    /// The connection it came on.
    pub connection: usize,
    /// When it was read.
    pub at: Instant,
    /// Whether the message was already confirmed before.
    pub duplicate: bool,
}

/// Counters for assertions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TmcStats {
    /// WebSocket connections accepted.
    pub connections: usize,
    /// Connects answered with a token.
    pub connects: usize,
    /// Connects refused.
    pub refused: usize,
    /// Deliveries (first and later).
    pub delivered: usize,
    /// Deliveries after the first of their message.
    pub redelivered: usize,
    /// Confirms with the right token (duplicates included).
    pub confirms: usize,
    /// Confirms of an already confirmed message.
    pub duplicate_confirms: usize,
    /// Pull requests.
    pub pulls: usize,
    /// Frames recorded as errors.
    pub errors: usize,
    /// Frames read and ignored by a silent connection.
    pub ignored_while_silent: usize,
    /// Connections the server closed on purpose.
    pub drops: usize,
    /// Messages waiting to be delivered.
    pub queued: usize,
    /// Messages delivered and not yet confirmed.
    pub in_flight: usize,
    /// Messages confirmed at least once.
    pub settled: usize,
}

/// Configures a [`FakeTmc`]: [`FakeTmc::builder`].
pub struct TmcServerBuilder {
    app_key: String,
    secret: String,
    messages: Vec<TmcMessage>,
    window: usize,
    pull_batch: usize,
    redeliver_after: Option<Duration>,
    drop_after: Vec<usize>,
    silent_after: Option<usize>,
    java_names: bool,
}

impl std::fmt::Debug for TmcServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TmcServerBuilder")
            .field("app_key", &self.app_key)
            .field("messages", &self.messages.len())
            .field("window", &self.window)
            .field("pull_batch", &self.pull_batch)
            .field("redeliver_after", &self.redeliver_after)
            .field("drop_after", &self.drop_after)
            .field("silent_after", &self.silent_after)
            .field("java_names", &self.java_names)
            .finish_non_exhaustive()
    }
}

impl TmcServerBuilder {
    /// The queue, served in this order.
    pub fn messages(mut self, messages: impl IntoIterator<Item = TmcMessage>) -> Self {
        self.messages = messages.into_iter().collect();
        self
    }

    /// How many unconfirmed messages are pushed to a connection unasked (default 32; 0: only
    /// on pull requests).
    pub fn window(mut self, window: usize) -> Self {
        self.window = window;
        self
    }

    /// How many messages a pull request lets through beyond the window (default 32; a pull
    /// while the last one's batch is not used up resets it, not adds to it).
    pub fn pull_batch(mut self, batch: usize) -> Self {
        self.pull_batch = batch;
        self
    }

    /// Delivers a message again when it stays unconfirmed this long (default: only when its
    /// connection ends).
    pub fn redeliver_after(mut self, after: Duration) -> Self {
        self.redeliver_after = Some(after);
        self
    }

    /// Closes the connection abruptly right after the n-th delivery (counting from 1, all
    /// connections and redeliveries included), for each n.
    pub fn drop_after(mut self, deliveries: impl IntoIterator<Item = usize>) -> Self {
        self.drop_after = deliveries.into_iter().collect();
        self
    }

    /// Goes silent on the connection of the n-th delivery, right after it.
    pub fn silent_after(mut self, deliveries: usize) -> Self {
        self.silent_after = Some(deliveries);
        self
    }

    /// Names the message headers as the Java SDK reads them (`time`, `publisher`, `userid`,
    /// `nick`, `outtime`) instead of as TOP-PROTOCOL does.
    pub fn java_names(mut self) -> Self {
        self.java_names = true;
        self
    }

    /// Starts the server.
    pub fn start(self) -> io::Result<FakeTmc> {
        FakeTmc::launch(self)
    }
}

/// A running fake TMC server; stopped when dropped.
#[derive(Debug)]
pub struct FakeTmc {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What the server knows, behind one lock.
#[derive(Debug, Default)]
struct State {
    messages: Vec<TmcMessage>,
    by_id: HashMap<i64, usize>,
    /// Indexes of messages waiting, in delivery order.
    queue: VecDeque<usize>,
    /// Index → (connection, since).
    in_flight: HashMap<usize, (usize, Instant)>,
    /// Unconfirmed messages per connection.
    in_flight_of: HashMap<usize, usize>,
    settled: Vec<bool>,
    attempts: Vec<u32>,
    deliveries: Vec<Delivery>,
    confirms: Vec<Confirm>,
    connects: Vec<ConnectAttempt>,
    errors: Vec<String>,
    stats: TmcStats,
    /// Connections told to close, or to go silent.
    to_drop: HashSet<usize>,
    silent: HashSet<usize>,
}

impl State {
    fn requeue_front(&mut self, mut indexes: Vec<usize>) {
        indexes.sort_unstable();
        for index in indexes.into_iter().rev() {
            if let Some((connection, _)) = self.in_flight.remove(&index) {
                if let Some(n) = self.in_flight_of.get_mut(&connection) {
                    *n = n.saturating_sub(1);
                }
                self.queue.push_front(index);
            }
        }
    }

    fn requeue_connection(&mut self, connection: usize) {
        let mine = self
            .in_flight
            .iter()
            .filter(|(_, (c, _))| *c == connection)
            .map(|(i, _)| *i)
            .collect();
        self.requeue_front(mine);
        self.in_flight_of.remove(&connection);
    }

    fn settle(&mut self, index: usize) {
        if let Some((connection, _)) = self.in_flight.remove(&index) {
            if let Some(n) = self.in_flight_of.get_mut(&connection) {
                *n = n.saturating_sub(1);
            }
        } else if let Some(at) = self.queue.iter().position(|i| *i == index) {
            self.queue.remove(at);
        }
        self.settled[index] = true;
    }

    fn error(&mut self, connection: usize, what: impl std::fmt::Display) {
        self.errors.push(format!("connection {connection}: {what}"));
    }
}

/// What the accept loop and every connection share.
#[derive(Debug)]
struct Shared {
    app_key: String,
    secret: String,
    window: usize,
    pull_batch: usize,
    drop_after: Vec<usize>,
    silent_after: Option<usize>,
    java_names: bool,
    state: Mutex<State>,
    /// Bumped whenever a connection may have something new to do.
    wake: watch::Sender<u64>,
    connections: AtomicUsize,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wake_all(&self) {
        self.wake.send_modify(|generation| *generation += 1);
    }
}

impl FakeTmc {
    /// A server for this app, with an empty queue.
    pub fn builder(app_key: impl Into<String>, secret: impl Into<String>) -> TmcServerBuilder {
        TmcServerBuilder {
            app_key: app_key.into(),
            secret: secret.into(),
            messages: Vec::new(),
            window: 32,
            pull_batch: 32,
            redeliver_after: None,
            drop_after: Vec::new(),
            silent_after: None,
            java_names: false,
        }
    }

    fn launch(config: TmcServerBuilder) -> io::Result<FakeTmc> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let count = config.messages.len();
        let state = State {
            by_id: config
                .messages
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id, i))
                .collect(),
            messages: config.messages,
            queue: (0..count).collect(),
            settled: vec![false; count],
            attempts: vec![0; count],
            ..State::default()
        };
        let shared = Arc::new(Shared {
            app_key: config.app_key,
            secret: config.secret,
            window: config.window,
            pull_batch: config.pull_batch,
            drop_after: config.drop_after,
            silent_after: config.silent_after,
            java_names: config.java_names,
            state: Mutex::new(state),
            wake: watch::channel(0).0,
            connections: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            let redeliver_after = config.redeliver_after;
            std::thread::Builder::new()
                .name(format!("fake-tmc-{}", addr.port()))
                .spawn(move || {
                    runtime.block_on(async move {
                        if let Some(after) = redeliver_after {
                            tokio::spawn(redeliver_loop(Arc::clone(&shared), after));
                        }
                        serve(listener, shared, stop).await;
                    });
                    // Dropping the runtime here ends every connection.
                })?
        };
        Ok(FakeTmc {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// The URL to give the client: `ws://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state()
    }

    /// The counters now.
    pub fn stats(&self) -> TmcStats {
        let state = self.state();
        TmcStats {
            connections: self.shared.connections.load(Ordering::SeqCst),
            errors: state.errors.len(),
            queued: state.queue.len(),
            in_flight: state.in_flight.len(),
            settled: state.settled.iter().filter(|s| **s).count(),
            ..state.stats
        }
    }

    /// Every connect frame received, in order.
    pub fn connects(&self) -> Vec<ConnectAttempt> {
        self.state().connects.clone()
    }

    /// Every delivery, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().deliveries.clone()
    }

    /// Every confirm with the right token, in order.
    pub fn confirms(&self) -> Vec<Confirm> {
        self.state().confirms.clone()
    }

    /// How many confirms message `id` got.
    pub fn confirms_of(&self, id: i64) -> usize {
        self.state().confirms.iter().filter(|c| c.id == id).count()
    }

    /// Every frame the server could not read or did not expect, as text.
    pub fn errors(&self) -> Vec<String> {
        self.state().errors.clone()
    }

    /// Closes every open connection abruptly (no close frame); their unconfirmed messages
    /// are queued again.
    pub fn drop_connections(&self) {
        let open = self.shared.connections.load(Ordering::SeqCst);
        self.state().to_drop.extend(0..open);
        self.shared.wake_all();
    }

    /// Makes every open connection silent: it reads and ignores what comes, sends nothing
    /// (no messages, acks or pongs) and never closes. Later connections are served.
    pub fn go_silent(&self) {
        let open = self.shared.connections.load(Ordering::SeqCst);
        self.state().silent.extend(0..open);
        self.shared.wake_all();
    }

    /// Waits until every message is confirmed; `false` on timeout.
    pub async fn all_settled(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.state().settled.iter().all(|s| *s) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for FakeTmc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let accepted = listener.accept().await;
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok((stream, _)) = accepted {
            let _ = stream.set_nodelay(true);
            let connection = shared.connections.fetch_add(1, Ordering::SeqCst);
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                connection::serve_connection(stream, connection, &shared).await;
                let mut state = shared.state();
                state.requeue_connection(connection);
                drop(state);
                shared.wake_all();
            });
        }
    }
}

/// Puts messages unconfirmed for `after` back at the front of the queue.
async fn redeliver_loop(shared: Arc<Shared>, after: Duration) {
    let tick = (after / 4).clamp(Duration::from_millis(5), Duration::from_millis(100));
    loop {
        tokio::time::sleep(tick).await;
        let mut state = shared.state();
        let now = Instant::now();
        let late: Vec<usize> = state
            .in_flight
            .iter()
            .filter(|(_, (_, since))| now.duration_since(*since) >= after)
            .map(|(i, _)| *i)
            .collect();
        if late.is_empty() {
            continue;
        }
        state.requeue_front(late);
        drop(state);
        shared.wake_all();
    }
}

/// `n` test messages over several topics with non-ASCII content: ids above 2^53 (not exact
/// as f64), each content a JSON object naming its id.
pub fn sample_messages(n: usize) -> Vec<TmcMessage> {
    const TOPICS: [&str; 4] = [
        "taobao_trade_TradeBuyerPay",
        "taobao_trade_TradeSellerShip",
        "taobao_refund_RefundCreated",
        "taobao_item_ItemUpdate",
    ];
    const NICKS: [&str; 3] = ["小店🏪", "tb_卖家", "Ünïcødé shop"];
    (0..n)
        .map(|i| {
            let id = (1i64 << 53) + 1 + 2 * i64::try_from(i).unwrap_or(i64::MAX / 4);
            let nick = NICKS[i % NICKS.len()];
            TmcMessage {
                id,
                topic: TOPICS[i % TOPICS.len()].to_owned(),
                content: serde_json::json!({
                    "tid": id,
                    "buyer_nick": "买家✓",
                    "seller_nick": nick,
                    "note": "包邮 — «quoted» \"escaped\"\n",
                })
                .to_string(),
                pub_time: 1_700_000_000_000 + i64::try_from(i).unwrap_or(0),
                pub_app_key: "12345678".to_owned(),
                user_id: 10_000 + i64::try_from(i % 7).unwrap_or(0),
                user_nick: nick.to_owned(),
                outgoing: (i % 5 == 0).then_some(1),
            }
        })
        .collect()
}
