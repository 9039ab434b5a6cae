//! Tests without the network (feature `testing`): [`MockTransport`] answers a client's calls
//! from rules, after checking each request as the gateway does, and records what was sent.
//!
//! ```
//! use top_runtime::oauth::{TokenResultResponse, TopAuthTokenRefreshRequest};
//! use top_runtime::testing::{MockTransport, block_on};
//! use top_runtime::{CallError, TopClient};
//!
//! let mock = MockTransport::new("app_secret");
//! mock.expect::<TopAuthTokenRefreshRequest>()
//!     .fail_with(15, "Remote service error", Some("isv.refresh-token-expired"), None)
//!     .times(1);
//! let client = TopClient::builder("app_key", "app_secret").transport(mock.clone()).build()?;
//! let request = TopAuthTokenRefreshRequest::new("rt-1");
//! let error = block_on(client.execute(&request)).unwrap_err();
//! assert_eq!(error.api_error().and_then(|e| e.sub_code.as_deref()), Some("isv.refresh-token-expired"));
//! mock.verify()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Matching with [`MockRuleBuilder::matching`] reads the typed request back from the text
//! parameters sent, which keep no types: each is tried as the JSON it is (an object, an
//! array, a number or boolean that writes back to the same text), as a string, then as a
//! comma-joined list. A decimal inside a struct parameter reads as its shortest number
//! (`0.10` as `0.1`), a `Json` parameter holding a bare JSON string keeps its quotes, and
//! files are not read back: match those with [`MockRuleBuilder::matching_call`].

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

pub use crate::mock::{MockCall, MockError, MockRule, MockRuleBuilder, MockTransport};

/// Runs `future` to completion on this thread: enough for a client over a
/// [`MockTransport`], whose answers are ready at once, in a plain `#[test]`. (A client that
/// retries sleeps with tokio's timer under the `reqwest` feature: give it a sleeper of its
/// own, or run it in a tokio test.)
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
