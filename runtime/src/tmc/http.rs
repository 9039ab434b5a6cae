//! [`TmcHttpClient`]: the fallback for networks that block WebSocket. The same [`Handler`]
//! and at-least-once rules over `taobao.tmc.messages.consume` and
//! `taobao.tmc.messages.confirm`, sent through a [`TopClient`] (its transport, signing and
//! retry policy).

use std::sync::Arc;
use std::time::Duration;

use super::client::{Run, RunSummary};
use super::error::TmcError;
use super::handler::Handler;
use super::http_api::{
    MAX_CONFIRM_IDS, QUANTITY_RANGE, TmcMessagesConfirmRequest, TmcMessagesConsumeRequest,
};
use super::shutdown::{Shutdown, ShutdownHandle};
use crate::client::TopClient;
use crate::retry::{RetryPolicy, seeded_draws};

/// Consumes TMC messages over HTTP: takes a batch, runs the handler on each (at most
/// `concurrency` at once), confirms those whose handler returned `Ok`, and takes the next
/// batch; when a batch comes back empty it waits `poll_interval` first.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use top_runtime::TopClient;
/// use top_runtime::tmc::{Message, TmcHttpClient};
/// let top = TopClient::builder("app_key", "app_secret").build()?;
/// let summary = TmcHttpClient::new(top)
///     .quantity(100)
///     .run(|m: Message| async move { Ok::<(), String>(()) })
///     .await?;
/// # let _ = summary; Ok(()) }
/// ```
///
/// A consume that failed for what the retry policy retries (no answer, a 5xx, an `isp.*`
/// code; see [`RetryPolicy::allows`]), after the `TopClient`'s own retries, is tried again
/// after the backoff of [`retry`](Self::retry) (default: forever, 1 s to 10 s); `run` ends
/// with [`TmcError::Call`] once that policy gives up, or at once for a final error. A
/// failed confirm is not retried: those messages come again. A shutdown lets the running
/// handlers of the batch finish, confirms them, and returns; the batch's messages not
/// started stay unconfirmed.
#[derive(Debug)]
pub struct TmcHttpClient {
    client: TopClient,
    group: Option<String>,
    quantity: i64,
    poll_interval: Duration,
    concurrency: usize,
    retry: RetryPolicy,
    handle: ShutdownHandle,
    shutdown: Shutdown,
}

impl TmcHttpClient {
    /// Consumes the default group through `client`, 100 messages a batch, polling every
    /// second when there are none, 16 handlers at once.
    pub fn new(client: TopClient) -> TmcHttpClient {
        let (handle, shutdown) = ShutdownHandle::new();
        TmcHttpClient {
            client,
            group: None,
            quantity: 100,
            poll_interval: Duration::from_secs(1),
            concurrency: super::client::DEFAULT_CONCURRENCY,
            retry: super::client::default_reconnect_policy(),
            handle,
            shutdown,
        }
    }

    /// The group (`group_name`); default: the app's default group.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Messages per consume, clamped to the API's 10 to 200; default 100.
    #[must_use]
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = i64::from(quantity).clamp(*QUANTITY_RANGE.start(), *QUANTITY_RANGE.end());
        self
    }

    /// The wait after an empty batch; default 1 s (the API docs ask not to poll in a
    /// tight loop).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How many handlers run at once (at least 1); default 16.
    #[must_use]
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.concurrency = handlers.max(1);
        self
    }

    /// The backoff after a failed consume, and when to give up.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A handle that starts a graceful shutdown of [`run`](Self::run).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// Consumes until a graceful shutdown, then returns what it did. Needs a tokio runtime.
    pub async fn run<H: Handler>(self, handler: H) -> Result<RunSummary, TmcError> {
        let TmcHttpClient {
            client,
            group,
            quantity,
            poll_interval,
            concurrency,
            retry,
            shutdown,
            ..
        } = self;
        let mut run = Run::new(Arc::new(handler), concurrency, shutdown);
        let consume = TmcMessagesConsumeRequest {
            group_name: group.clone(),
            quantity: Some(quantity),
        };
        let mut draws = seeded_draws(retry.seed_or(super::client::random_seed()));
        let mut failures: u32 = 0;
        loop {
            if run.check_stop() {
                return Ok(run.summary);
            }
            let batch = match run.until_stopped(client.execute(&consume)).await {
                None => return Ok(run.summary),
                Some(Ok(batch)) => batch,
                Some(Err(error)) => {
                    failures = failures.saturating_add(1);
                    // A final error (an `isv.*` code such as an unknown group, a rejected
                    // request) would only come again: not retried.
                    if failures > retry.retries() || !retry.allows(&error) {
                        return Err(TmcError::Call(Box::new(error)));
                    }
                    let wait = retry.delay(failures, draws.next().unwrap_or(0));
                    run.until_stopped(tokio::time::sleep(wait)).await;
                    continue;
                }
            };
            failures = 0;
            let messages = batch.messages.unwrap_or_default();
            if messages.is_empty() {
                run.until_stopped(tokio::time::sleep(poll_interval)).await;
                continue;
            }
            let mut failed = Vec::new();
            for message in &messages {
                match message.to_message() {
                    Some(m) => run.workers.offer(m),
                    // Without an id it cannot be confirmed; without a topic it is no message.
                    None => run.summary.malformed_frames += 1,
                }
            }
            // Until every started handler of the batch ended (a shutdown drops the rest).
            while !run.workers.idle() {
                run.check_stop();
                tokio::select! {
                    biased;
                    () = run.shutdown.requested(), if !run.stopping => run.begin_stop(),
                    Some((id, outcome)) = run.workers.next_done(), if run.workers.busy() => {
                        if outcome != super::handler::Outcome::Ok {
                            failed.extend(id);
                        }
                        run.record(id, outcome);
                    }
                }
            }
            confirm(&client, &group, &mut run, failed).await;
        }
    }
}

/// Confirms the handled messages, 200 ids a call; a failed call leaves them to come again.
async fn confirm(client: &TopClient, group: &Option<String>, run: &mut Run, failed: Vec<i64>) {
    let handled = std::mem::take(&mut run.confirms);
    let mut failed = Some(failed).filter(|f| !f.is_empty());
    for chunk in handled.chunks(MAX_CONFIRM_IDS) {
        let request = TmcMessagesConfirmRequest {
            group_name: group.clone(),
            s_message_ids: chunk.to_vec(),
            f_message_ids: failed
                .take()
                .map(|f| f.into_iter().take(MAX_CONFIRM_IDS).collect()),
        };
        let n = chunk.len() as u64;
        match client.execute(&request).await {
            Ok(_) => run.summary.confirmed += n,
            Err(_error) => {
                run.summary.unsent_confirms += n;
                #[cfg(feature = "tracing")]
                tracing::warn!(target: "top_runtime::tmc", error = %_error, ids = n, "TMC HTTP confirm failed");
            }
        }
    }
}
