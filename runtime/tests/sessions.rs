//! `oauth::Sessions` over a mock: when a token is refreshed, used or refused, and a refresh
//! whose leading call is dropped half-way, which the waiting call then takes over.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};

use jiff::{SignedDuration, Timestamp};
use top_runtime::TopClient;
use top_runtime::oauth::{
    AccessToken, MemorySessionStore, SessionError, SessionStore, Sessions, StoreFuture,
    TokenResultResponse, TopAuthTokenCreateRequest, TopAuthTokenRefreshRequest,
};
use top_runtime::prepare::Secret;
use top_runtime::testing::{MockTransport, block_on};

const SECRET: &str = "sessions-app-secret";

fn renewed(access: &str) -> TokenResultResponse {
    TokenResultResponse {
        token_result: Some(Secret::new(format!(
            r#"{{"access_token":"{access}","refresh_token":"rt-2","expires_in":86400}}"#
        ))),
    }
}

fn in_secs(secs: i64) -> Timestamp {
    Timestamp::now() + SignedDuration::from_secs(secs)
}

/// A mock answering refreshes with `at-2` and any call made with session `session`.
fn mock(session: &'static str) -> MockTransport {
    let mock = MockTransport::new(SECRET);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .respond_with(renewed("at-2"));
    mock.expect::<TopAuthTokenCreateRequest>()
        .matching_call(move |call| call.session.as_ref().map(Secret::expose) == Some(session))
        .respond_with(renewed("unused"));
    mock
}

fn sessions(mock: &MockTransport, store: impl SessionStore + 'static) -> Sessions {
    let client = TopClient::builder("app-key", SECRET)
        .transport(mock.clone())
        .build()
        .expect("builds");
    Sessions::new(client, store)
}

fn call() -> TopAuthTokenCreateRequest {
    TopAuthTokenCreateRequest::new("any")
}

fn methods(mock: &MockTransport) -> Vec<String> {
    mock.calls().into_iter().map(|c| c.method).collect()
}

#[test]
fn an_expired_token_that_cannot_be_refreshed_is_refused_unsent() {
    let mock = mock("at-1");
    let store = MemorySessionStore::new();
    store.insert("s", AccessToken::new("at-1").with_expires_at(in_secs(-1)));
    let error =
        block_on(sessions(&mock, store).execute_for_seller(&call(), "s")).expect_err("expired");
    assert!(matches!(error, SessionError::Expired { .. }), "{error:?}");
    assert!(mock.calls().is_empty());
}

#[test]
fn a_due_token_that_cannot_be_refreshed_is_used_while_it_lasts() {
    let mock = mock("at-1");
    let store = MemorySessionStore::new();
    store.insert("s", AccessToken::new("at-1").with_expires_at(in_secs(30)));
    block_on(sessions(&mock, store).execute_for_seller(&call(), "s")).expect("used");
    assert_eq!(methods(&mock), ["taobao.top.auth.token.create"]);
}

#[test]
fn a_token_far_from_expiry_is_not_refreshed_and_the_margin_is_the_callers() {
    let mock = MockTransport::new(SECRET);
    mock.expect::<TopAuthTokenRefreshRequest>()
        .respond_with(renewed("at-2"));
    mock.expect::<TopAuthTokenCreateRequest>()
        .respond_with(renewed("unused"));
    let store = MemorySessionStore::new();
    let token = AccessToken::new("at-1")
        .with_refresh_token("rt-1")
        .with_expires_at(in_secs(3600));
    store.insert("s", token);
    let sessions = sessions(&mock, store.clone());
    block_on(sessions.execute_for_seller(&call(), "s")).expect("answered");
    assert_eq!(methods(&mock), ["taobao.top.auth.token.create"]);
    // With a two-hour margin the same token is due.
    let wider = sessions.refresh_margin(std::time::Duration::from_secs(7200));
    block_on(wider.execute_for_seller(&call(), "s")).expect("refreshed, then answered");
    assert_eq!(
        methods(&mock)[1..],
        [
            "taobao.top.auth.token.refresh",
            "taobao.top.auth.token.create"
        ]
    );
    let sent: Vec<Option<String>> = mock
        .calls()
        .iter()
        .map(|c| c.session.as_ref().map(|s| s.expose().to_owned()))
        .collect();
    assert_eq!(sent[2].as_deref(), Some("at-2"));
    assert_eq!(
        store.get("s").expect("stored").access_token().expose(),
        "at-2"
    );
}

/// A store whose second load never completes: the leading refresh stalls there.
struct Stalling {
    inner: MemorySessionStore,
    loads: AtomicUsize,
}

impl SessionStore for Stalling {
    fn load<'a>(&'a self, seller: &'a str) -> StoreFuture<'a, Option<AccessToken>> {
        if self.loads.fetch_add(1, Ordering::SeqCst) == 1 {
            return Box::pin(std::future::pending());
        }
        self.inner.load(seller)
    }

    fn save<'a>(&'a self, seller: &'a str, token: &'a AccessToken) -> StoreFuture<'a, ()> {
        self.inner.save(seller, token)
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn a_refresh_dropped_half_way_is_taken_over_by_the_waiting_call() {
    let mock = mock("at-2");
    let inner = MemorySessionStore::new();
    let due = AccessToken::new("at-1")
        .with_refresh_token("rt-1")
        .with_expires_at(in_secs(10));
    inner.insert("s", due);
    let sessions = sessions(
        &mock,
        Stalling {
            inner: inner.clone(),
            loads: AtomicUsize::new(0),
        },
    );
    let (request_a, request_b) = (call(), call());
    let mut leader = Box::pin(sessions.execute_for_seller(&request_a, "s"));
    let mut noop = Context::from_waker(Waker::noop());
    assert!(
        leader.as_mut().poll(&mut noop).is_pending(),
        "stalled in the store"
    );

    let woken = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&woken));
    let mut waiter = pin!(sessions.execute_for_seller(&request_b, "s"));
    assert!(
        waiter
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending(),
        "waiting for the refresh in flight"
    );
    assert!(!woken.0.load(Ordering::SeqCst));
    drop(leader);
    assert!(woken.0.load(Ordering::SeqCst), "the waiting call is woken");
    block_on(waiter).expect("the waiting call refreshes and calls");
    assert_eq!(
        methods(&mock),
        [
            "taobao.top.auth.token.refresh",
            "taobao.top.auth.token.create"
        ]
    );
    assert_eq!(
        inner.get("s").expect("stored").access_token().expose(),
        "at-2"
    );
}
