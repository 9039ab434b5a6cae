//! [`ShutdownHandle`]: asks a running client to stop gracefully, from any task or thread.

use std::fmt;
use std::sync::Arc;

use tokio::sync::watch;

/// Starts a graceful shutdown of the client it came from: intake stops, running handlers
/// finish and their confirms are sent, then `run` returns. `Clone` and `Send`; calling
/// [`shutdown`](Self::shutdown) again, or before `run`, is fine.
#[derive(Clone)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("requested", &self.is_requested())
            .finish()
    }
}

impl ShutdownHandle {
    pub(crate) fn new() -> (ShutdownHandle, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (ShutdownHandle { tx: Arc::new(tx) }, Shutdown { rx })
    }

    /// Starts the graceful shutdown; returns at once (await `run` to know it is done).
    pub fn shutdown(&self) {
        self.tx.send_replace(true);
    }

    /// Whether a shutdown was asked for.
    pub fn is_requested(&self) -> bool {
        *self.tx.borrow()
    }
}

/// The client's side: completes once a shutdown is asked for.
#[derive(Debug)]
pub(crate) struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// Completes when a shutdown has been asked for (at once if it already was). If every
    /// handle is gone no shutdown can come: never completes.
    pub(crate) async fn requested(&mut self) {
        if self.rx.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
