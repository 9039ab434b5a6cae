//! The [`Handler`] a client runs per message, and the bounded pool running it: each handler
//! in a task of its own, a panic caught at that boundary, at most `limit` at a time.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::task::JoinSet;

use super::Message;

/// What a [`Handler`] returns: `Ok` to confirm the message, `Err` to leave it to TMC to
/// deliver again.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerFailed>> + Send>>;

/// A handler's `Err`, dropped unread: its text may quote the message (buyer data), so the
/// client never prints it. Log what you need inside the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerFailed;

/// Handles one message. Implemented for every `Fn(Message) -> impl Future<Output =
/// Result<(), E>>` with `E: Display`, so a closure or an `async fn` is a handler:
///
/// ```
/// use top_runtime::tmc::{Handler, Message};
/// async fn on_message(message: Message) -> Result<(), String> {
///     let _ = message.id; // deduplicate on it: a message can come twice
///     Ok(())
/// }
/// fn takes(_: impl Handler) {}
/// takes(on_message);
/// takes(|m: Message| async move { if m.topic.is_empty() { Err("no topic") } else { Ok(()) } });
/// ```
pub trait Handler: Send + Sync + 'static {
    /// Handles `message`; `Ok` confirms it. A panic counts as a failure.
    fn handle(&self, message: Message) -> HandlerFuture;
}

impl<F, Fut, E> Handler for F
where
    F: Fn(Message) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + 'static,
{
    fn handle(&self, message: Message) -> HandlerFuture {
        let future = self(message);
        Box::pin(async move { future.await.map_err(|_| HandlerFailed) })
    }
}

/// How one handler run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Failed,
    Panicked,
}

/// The running handlers and the messages waiting for a free slot.
pub(crate) struct Workers {
    handler: Arc<dyn Handler>,
    limit: usize,
    running: JoinSet<(i64, Outcome)>,
    queue: VecDeque<Message>,
}

impl Workers {
    pub(crate) fn new(handler: Arc<dyn Handler>, limit: usize) -> Workers {
        Workers {
            handler,
            limit: limit.max(1),
            running: JoinSet::new(),
            queue: VecDeque::new(),
        }
    }

    /// Starts `message` now if a slot is free, else queues it.
    pub(crate) fn offer(&mut self, message: Message) {
        self.queue.push_back(message);
        self.fill();
    }

    /// Starts queued messages while slots are free.
    fn fill(&mut self) {
        while self.running.len() < self.limit {
            let Some(message) = self.queue.pop_front() else {
                return;
            };
            let id = message.id;
            let handler = Arc::clone(&self.handler);
            // The handler is called inside the task, so a panic while building its future
            // is caught too.
            self.running.spawn(async move {
                let run = AssertUnwindSafe(async move { handler.handle(message).await });
                let outcome = match run.catch_unwind().await {
                    Ok(Ok(())) => Outcome::Ok,
                    Ok(Err(HandlerFailed)) => Outcome::Failed,
                    Err(_) => Outcome::Panicked,
                };
                (id, outcome)
            });
        }
    }

    /// Whether more messages are welcome: fewer waiting than slots.
    pub(crate) fn wants_more(&self) -> bool {
        self.queue.len() < self.limit
    }

    /// Whether any handler is running.
    pub(crate) fn busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// Whether nothing runs or waits.
    pub(crate) fn idle(&self) -> bool {
        self.running.is_empty() && self.queue.is_empty()
    }

    /// Drops the messages not started (they stay unconfirmed: TMC delivers them again).
    pub(crate) fn stop_intake(&mut self) -> usize {
        let dropped = self.queue.len();
        self.queue.clear();
        dropped
    }

    /// The next handler to end and how, starting a queued one in its slot; `None` when none
    /// runs. A task that ended without its result (cancelled at runtime shutdown) counts
    /// as a panic: its message is not confirmed.
    pub(crate) async fn next_done(&mut self) -> Option<(Option<i64>, Outcome)> {
        let done = self.running.join_next().await?;
        self.fill();
        Some(match done {
            Ok((id, outcome)) => (Some(id), outcome),
            Err(_) => (None, Outcome::Panicked),
        })
    }
}
