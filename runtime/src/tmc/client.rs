//! [`TmcClient`]: its builder, and the run loop that connects, serves one connection at a
//! time (see `connection`), and reconnects under the retry policy until a shutdown.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio_tungstenite::Connector;

use super::PRODUCTION_URL;
use super::connection::{self, SessionEnd};
use super::error::TmcError;
use super::handler::{Handler, Outcome, Workers};
use super::shutdown::{Shutdown, ShutdownHandle};
use crate::credentials::Secret;
use crate::retry::{RetryPolicy, seeded_draws};

/// What a finished [`TmcClient::run`] or [`TmcHttpClient::run`](super::TmcHttpClient::run)
/// did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunSummary {
    /// Messages whose handler returned `Ok` and whose confirm was sent.
    pub confirmed: u64,
    /// Handler runs that returned `Err` (left unconfirmed).
    pub failed: u64,
    /// Handler runs that panicked (left unconfirmed).
    pub panicked: u64,
    /// Handled messages whose confirm could not be sent (the connection was gone at
    /// shutdown, or the HTTP confirm failed): TMC delivers them again.
    pub unsent_confirms: u64,
    /// Messages received but not started when the shutdown came (left unconfirmed).
    pub not_started: u64,
    /// Frames that did not decode, or were text, skipped.
    pub malformed_frames: u64,
    /// Connections made (1 without reconnects; HTTP: 0).
    pub connections: u64,
}

/// The settings of a [`TmcClient`], checked by [`TmcClientBuilder::build`].
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) app_key: String,
    pub(crate) secret: Secret,
    pub(crate) group: String,
    pub(crate) url: String,
    pub(crate) concurrency: usize,
    pub(crate) pull_interval: Duration,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) connector: Option<Connector>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("app_key", &self.app_key)
            .field("app_secret", &self.secret)
            .field("group", &self.group)
            .field("url", &self.url)
            .field("concurrency", &self.concurrency)
            .field("pull_interval", &self.pull_interval)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A connection silent this long is dead: two heartbeats without even a pong.
    pub(crate) fn dead_after(&self) -> Duration {
        self.heartbeat_interval.saturating_mul(2)
    }
}

/// The default handler bound.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// The default pull interval: the Java SDK's `fetchPeriod`, 15 s.
pub const DEFAULT_PULL_INTERVAL: Duration = Duration::from_secs(15);
/// The default heartbeat: the Java SDK's `heartbeatInterval`, 45 s.
pub const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(45);
/// The default wait for the WebSocket and the connect ack: the Java SDK's 5 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The reconnect policy unless one is given: retried forever, 1 s doubling to the Java
/// SDK's fixed 10 s reconnect interval, equal jitter.
pub fn default_reconnect_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(u32::MAX)
        .base_delay(Duration::from_secs(1))
        .max_delay(Duration::from_secs(10))
}

/// Configures a [`TmcClient`]. `Debug` never shows the app secret.
#[must_use]
#[derive(Debug)]
pub struct TmcClientBuilder {
    config: Config,
}

impl TmcClientBuilder {
    /// The message group (`group_name`); default `default`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.config.group = group.into();
        self
    }

    /// The TMC endpoint, `ws://` or `wss://`; default [`PRODUCTION_URL`], also
    /// [`SANDBOX_URL`](super::SANDBOX_URL).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.config.url = url.into();
        self
    }

    /// How many handlers run at once; default 16. Messages beyond wait in order, and no
    /// more are pulled while as many wait as may run.
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.config.concurrency = handlers;
        self
    }

    /// How often to ask for more messages (`__kind` = 1); default 15 s. Also sent at once
    /// after every (re)connect.
    pub fn pull_interval(mut self, interval: Duration) -> Self {
        self.config.pull_interval = interval;
        self
    }

    /// How often a WebSocket ping goes out; default 45 s. A connection from which nothing
    /// arrives for twice this is dead and replaced: noticed within 2 × `interval`.
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.config.heartbeat_interval = interval;
        self
    }

    /// How long opening the WebSocket and awaiting the connect ack may take; default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// How reconnects wait: `policy.delay(n)` before attempt `n` after a failure (capped
    /// exponential backoff with jitter), giving up with [`TmcError::GaveUp`] after
    /// `policy.retries()` failures in a row. Default [`default_reconnect_policy`]: forever,
    /// 1 s to 10 s. Only the backoff settings, count and seed are used.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// The client, or [`TmcError::Config`] for a blank app key, secret or group, a URL that
    /// is not `ws://` or `wss://`, a zero concurrency or a zero interval.
    pub fn build(mut self) -> Result<TmcClient, TmcError> {
        let c = &self.config;
        let blank = |s: &str| s.trim().is_empty();
        let problem = if blank(&c.app_key) {
            Some("the app key is blank".to_owned())
        } else if blank(c.secret.expose()) {
            Some("the app secret is blank".to_owned())
        } else if blank(&c.group) {
            Some("the group is blank".to_owned())
        } else if !(c.url.starts_with("ws://") || c.url.starts_with("wss://")) {
            Some(format!("the URL {:?} is not ws:// or wss://", c.url))
        } else if c.concurrency == 0 {
            Some("the concurrency is 0".to_owned())
        } else if c.pull_interval.is_zero()
            || c.heartbeat_interval.is_zero()
            || c.connect_timeout.is_zero()
        {
            Some("an interval or time-out is zero".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(TmcError::Config(problem));
        }
        if self.config.url.starts_with("wss://") {
            self.config.connector = Some(connection::tls_connector()?);
        }
        let (handle, shutdown) = ShutdownHandle::new();
        Ok(TmcClient {
            config: self.config,
            handle,
            shutdown,
        })
    }
}

/// A TMC client over WebSocket: connects, signs in, runs a [`Handler`] per message and
/// confirms it once the handler returned `Ok`. See [the module](super) for the guarantees.
/// `Debug` never shows the app secret.
pub struct TmcClient {
    config: Config,
    handle: ShutdownHandle,
    shutdown: Shutdown,
}

impl fmt::Debug for TmcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TmcClient")
            .field("config", &self.config)
            .field("shutdown", &self.handle)
            .finish()
    }
}

impl TmcClient {
    /// Starts configuring a client with the app's key and secret.
    pub fn builder(app_key: impl Into<String>, app_secret: impl Into<Secret>) -> TmcClientBuilder {
        TmcClientBuilder {
            config: Config {
                app_key: app_key.into(),
                secret: app_secret.into(),
                group: "default".into(),
                url: PRODUCTION_URL.into(),
                concurrency: DEFAULT_CONCURRENCY,
                pull_interval: DEFAULT_PULL_INTERVAL,
                heartbeat_interval: DEFAULT_HEARTBEAT_INTERVAL,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                retry: default_reconnect_policy(),
                connector: None,
            },
        }
    }

    /// A handle that starts a graceful shutdown of [`run`](Self::run).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Connects and handles messages until a graceful shutdown, then returns what it did.
    /// Needs a tokio runtime (handlers run as tokio tasks). Errors: [`TmcError::Refused`]
    /// when TMC refuses the app, [`TmcError::GaveUp`] when the retry policy gives up
    /// reconnecting. A shutdown while disconnected makes one more attempt to send the
    /// pending confirms, then returns (unsent ones are counted, and come again).
    pub async fn run<H: Handler>(self, handler: H) -> Result<RunSummary, TmcError> {
        let TmcClient {
            config, shutdown, ..
        } = self;
        let mut run = Run::new(Arc::new(handler), config.concurrency, shutdown);
        let mut draws = seeded_draws(config.retry.seed_or(random_seed()));
        let mut failures: u32 = 0;
        loop {
            if run.finished() {
                return Ok(run.summary);
            }
            let end = match run.until_done(connection::open(&config)).await {
                None => return Ok(run.summary),
                Some(Ok((mut ws, token))) => {
                    failures = 0;
                    run.summary.connections += 1;
                    connection::serve(&mut ws, &token, &config, &mut run).await
                }
                Some(Err(e)) => SessionEnd::Lost(e),
            };
            let error = match end {
                SessionEnd::Finished => return Ok(run.summary),
                SessionEnd::Lost(e @ TmcError::Refused { .. }) => return Err(e),
                SessionEnd::Lost(e) => e,
            };
            connection::trace_lost(&error);
            if run.stopping {
                // The one more attempt was made: what could not be sent comes again.
                run.summary.unsent_confirms += run.confirms.len() as u64;
                run.confirms.clear();
                if run.workers.idle() {
                    return Ok(run.summary);
                }
            }
            failures = failures.saturating_add(1);
            if failures > config.retry.retries() {
                return Err(TmcError::GaveUp {
                    attempts: failures,
                    last: Box::new(error),
                });
            }
            let wait = config.retry.delay(failures, draws.next().unwrap_or(0));
            if run.until_done(tokio::time::sleep(wait)).await.is_none() {
                return Ok(run.summary);
            }
        }
    }
}

/// A random seed for the reconnect jitter, without a random-number crate.
pub(crate) fn random_seed() -> u64 {
    RandomState::new().build_hasher().finish()
}

/// The state that outlives connections: running handlers, confirms not yet sent, the
/// shutdown, and the counts.
pub(crate) struct Run {
    pub(crate) workers: Workers,
    pub(crate) confirms: Vec<i64>,
    pub(crate) shutdown: Shutdown,
    pub(crate) stopping: bool,
    pub(crate) summary: RunSummary,
}

impl Run {
    pub(crate) fn new(handler: Arc<dyn Handler>, limit: usize, shutdown: Shutdown) -> Run {
        Run {
            workers: Workers::new(handler, limit),
            confirms: Vec::new(),
            shutdown,
            stopping: false,
            summary: RunSummary::default(),
        }
    }

    /// Shutting down with nothing left to run or confirm.
    pub(crate) fn finished(&self) -> bool {
        self.stopping && self.workers.idle() && self.confirms.is_empty()
    }

    /// Stops intake: what waits is dropped, unconfirmed.
    pub(crate) fn begin_stop(&mut self) {
        self.stopping = true;
        self.summary.not_started += self.workers.stop_intake() as u64;
    }

    /// Counts a handler's end; a success is queued for confirming.
    pub(crate) fn record(&mut self, id: Option<i64>, outcome: Outcome) {
        match (outcome, id) {
            (Outcome::Ok, Some(id)) => self.confirms.push(id),
            (Outcome::Ok, None) => {}
            (Outcome::Failed, _) => self.summary.failed += 1,
            (Outcome::Panicked, _) => self.summary.panicked += 1,
        }
    }

    /// Drives `work` until it completes or a shutdown is asked for (`None`), counting the
    /// handlers that end meanwhile.
    pub(crate) async fn until_stopped<F: std::future::Future>(
        &mut self,
        work: F,
    ) -> Option<F::Output> {
        let mut work = std::pin::pin!(work);
        loop {
            if self.stopping {
                return None;
            }
            tokio::select! {
                out = &mut work => return Some(out),
                () = self.shutdown.requested() => self.begin_stop(),
                Some((id, outcome)) = self.workers.next_done(), if self.workers.busy() => {
                    self.record(id, outcome);
                }
            }
        }
    }

    /// Drives `work` while handlers end and a shutdown may come; `None` when the run is
    /// finished before `work` completes (shut down, nothing left to confirm).
    pub(crate) async fn until_done<F: std::future::Future>(
        &mut self,
        work: F,
    ) -> Option<F::Output> {
        let mut work = std::pin::pin!(work);
        loop {
            if self.finished() {
                return None;
            }
            tokio::select! {
                out = &mut work => return Some(out),
                () = self.shutdown.requested(), if !self.stopping => self.begin_stop(),
                Some((id, outcome)) = self.workers.next_done(), if self.workers.busy() => {
                    self.record(id, outcome);
                }
            }
        }
    }
}
