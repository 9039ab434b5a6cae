//! What calls tell `tracing` (feature `tracing`): one span per attempt and an event per retry
//! and refresh decision. Without the feature every function here is empty and inlined away.
//!
//! Recorded: the method, the attempt, its latency, the HTTP status, the gateway's
//! `request_id`, the error code and sub-code, waits, and the seller key a session belongs
//! to. Never recorded: the app secret, sessions and tokens, URLs (they carry the session),
//! bodies and messages.

use std::time::Duration;

#[cfg(feature = "tracing")]
use crate::call_error::CallError;

/// The span of one attempt: `top_call`, a child of the caller's current span.
#[cfg(feature = "tracing")]
pub(crate) struct Attempt {
    span: tracing::Span,
    started: std::time::Instant,
}

/// Nothing to record without the feature.
#[cfg(not(feature = "tracing"))]
pub(crate) struct Attempt;

#[cfg(feature = "tracing")]
impl Attempt {
    pub(crate) fn start(method: &'static str, attempt: u32) -> Self {
        let span = tracing::info_span!(
            "top_call",
            method,
            attempt,
            latency_ms = tracing::field::Empty,
            http_status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            error_code = tracing::field::Empty,
            error_sub_code = tracing::field::Empty,
        );
        Attempt {
            span,
            started: std::time::Instant::now(),
        }
    }

    /// Runs `future` inside the span.
    pub(crate) async fn run<F: std::future::Future>(&self, future: F) -> F::Output {
        tracing::Instrument::instrument(future, self.span.clone()).await
    }

    /// What the gateway answered: its status and, found by a text search of the body, its
    /// `request_id` (a success's typed response does not keep it).
    pub(crate) fn answered(&self, status: u16, body: &[u8]) {
        self.span.record("http_status", status);
        if let Some(id) = crate::response::find_request_id(body) {
            self.span.record("request_id", id.as_str());
        }
    }

    /// The attempt's outcome.
    pub(crate) fn finish(&self, error: Option<&CallError>) {
        let latency = self.started.elapsed();
        self.span.record(
            "latency_ms",
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        );
        if let Some(error) = error
            && let Some(api) = error.api_error()
        {
            self.span.record("error_code", api.code.as_str());
            if let Some(sub_code) = &api.sub_code {
                self.span.record("error_sub_code", sub_code.as_str());
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
impl Attempt {
    #[inline(always)]
    pub(crate) fn start(_: &'static str, _: u32) -> Self {
        Attempt
    }

    #[inline(always)]
    pub(crate) async fn run<F: std::future::Future>(&self, future: F) -> F::Output {
        future.await
    }

    #[inline(always)]
    pub(crate) fn answered(&self, _: u16, _: &[u8]) {}

    #[inline(always)]
    pub(crate) fn finish(&self, _: Option<&crate::call_error::CallError>) {}
}

/// The client will send the call again after `wait`.
#[cfg_attr(not(feature = "tracing"), inline(always))]
pub(crate) fn retrying(method: &'static str, attempt: u32, wait: Duration) {
    #[cfg(feature = "tracing")]
    tracing::info!(
        method,
        attempt,
        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        "retrying the call"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = (method, attempt, wait);
}

/// Why a seller's token is being refreshed, or that a call waits for a refresh in flight.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refresh {
    /// It expires within the margin.
    Expiring,
    /// The gateway answered code 27 (invalid session): one refresh, one retry.
    InvalidSession,
    /// Another call for the seller is refreshing it: this one waits.
    Joined,
    /// The store already holds a newer token: no refresh needed.
    AlreadyRenewed,
    /// The refresh succeeded.
    Renewed,
    /// The refresh failed; the stored token is kept.
    Failed,
}

/// A refresh decision for `seller`.
#[cfg_attr(not(feature = "tracing"), inline(always))]
pub(crate) fn refresh(seller: &str, decision: Refresh) {
    #[cfg(feature = "tracing")]
    {
        let decision = match decision {
            Refresh::Expiring => "expires within the margin: refreshing",
            Refresh::InvalidSession => {
                "code 27 (invalid session): refreshing once, then retrying once"
            }
            Refresh::Joined => "waiting for the refresh in flight",
            Refresh::AlreadyRenewed => "the store already holds a renewed token",
            Refresh::Renewed => "refreshed",
            Refresh::Failed => "the refresh failed; the stored token is kept",
        };
        tracing::info!(seller, decision, "seller session");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (seller, decision);
}
