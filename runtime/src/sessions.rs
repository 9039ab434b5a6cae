//! Calls for a seller: [`Sessions`] takes the seller's token from a [`SessionStore`],
//! refreshes it shortly before it expires, and once more when the gateway answers `27`
//! (invalid session), with one refresh in flight per seller however many calls want it.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::api::ApiRequest;
use crate::call_error::CallError;
use crate::client::TopClient;
use crate::session_store::{SessionStore, StoreError};
use crate::token::AccessToken;
use crate::token_api::OAuthError;
use crate::trace::{self, Refresh};

/// How long before its expiry a token is refreshed: 5 minutes, so that a call started just
/// before the expiry (and its retries) still carries a valid session.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Sellers' sessions for one client: calls for a seller with the seller's token, kept fresh.
/// Cheap to clone; clones share the store and the refreshes in flight.
///
/// - Before a call, a token that expires within the margin ([`DEFAULT_REFRESH_MARGIN`],
///   [`Sessions::refresh_margin`]) is refreshed (`taobao.top.auth.token.refresh`) and the
///   new one saved. One that cannot be refreshed is used until it expires, then refused
///   ([`SessionError::Expired`]) without sending.
/// - Concurrent calls for one seller never start two refreshes: they wait for the one in
///   flight. A call that finds the store already renewed uses that token.
/// - A `code 27` answer (invalid session) leads to one refresh and one retry, never more;
///   not when the call already refreshed, since a second one would not help.
/// - A failed refresh is [`SessionError::Refresh`]; the stored token is kept.
#[derive(Clone)]
pub struct Sessions {
    client: TopClient,
    store: Arc<dyn SessionStore>,
    margin: Duration,
    flights: Arc<Mutex<HashMap<String, Arc<Flight>>>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("client", &self.client)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

/// Why a call for a seller failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The store has no token for the seller; nothing was sent.
    NoToken {
        /// The seller's key.
        seller: String,
    },
    /// The token has expired and cannot be refreshed; nothing was sent.
    Expired {
        /// The seller's key.
        seller: String,
    },
    /// The store failed.
    Store(StoreError),
    /// The token needed a refresh and it failed; the stored token is kept. Shared by the
    /// calls that waited for that refresh.
    Refresh {
        /// The seller's key.
        seller: String,
        /// Why.
        error: Arc<OAuthError>,
    },
    /// The call itself failed (a second `27` included); boxed to keep the error small.
    Call(Box<CallError>),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::NoToken { seller } => write!(f, "no token is stored for seller {seller}"),
            SessionError::Expired { seller } => write!(
                f,
                "the token of seller {seller} has expired and cannot be refreshed: the seller must authorise again"
            ),
            SessionError::Store(e) => e.fmt(f),
            SessionError::Refresh { seller, error } => {
                write!(f, "refreshing the token of seller {seller} failed: {error}")
            }
            SessionError::Call(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Store(e) => Some(e),
            SessionError::Refresh { error, .. } => Some(error.as_ref()),
            SessionError::Call(e) => Some(e.as_ref()),
            SessionError::NoToken { .. } | SessionError::Expired { .. } => None,
        }
    }
}

impl Sessions {
    /// Calls through `client` with tokens from `store`.
    pub fn new(client: TopClient, store: impl SessionStore + 'static) -> Self {
        Sessions {
            client,
            store: Arc::new(store),
            margin: DEFAULT_REFRESH_MARGIN,
            flights: Arc::default(),
        }
    }

    /// Refreshes tokens that expire within `margin`; default [`DEFAULT_REFRESH_MARGIN`].
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The client calls go through.
    pub fn client(&self) -> &TopClient {
        &self.client
    }

    /// Stores `token` as the seller's.
    pub async fn save(&self, seller: &str, token: &AccessToken) -> Result<(), SessionError> {
        self.store
            .save(seller, token)
            .await
            .map_err(SessionError::Store)
    }

    /// The seller's token, refreshed first when it expires within the margin.
    pub async fn token(&self, seller: &str) -> Result<AccessToken, SessionError> {
        Ok(self.fresh_token(seller).await?.0)
    }

    /// Calls `request` with the seller's session (see [`Sessions`] for refreshes and the
    /// one retry after `code 27`).
    pub async fn execute_for_seller<R: ApiRequest>(
        &self,
        request: &R,
        seller: &str,
    ) -> Result<R::Response, SessionError> {
        let (token, refreshed) = self.fresh_token(seller).await?;
        let first = self
            .client
            .execute_with_session(request, token.access_token().clone())
            .await;
        match first {
            Err(error)
                if is_invalid_session(&error)
                    && !refreshed
                    && token.can_refresh_at(Timestamp::now()) =>
            {
                trace::refresh(seller, Refresh::InvalidSession);
                let renewed = self.refresh_once(seller, &token).await?;
                self.client
                    .execute_with_session(request, renewed.access_token().clone())
                    .await
                    .map_err(|e| SessionError::Call(Box::new(e)))
            }
            other => other.map_err(|e| SessionError::Call(Box::new(e))),
        }
    }

    /// The stored token, refreshed when due; `true` when this call refreshed it (or waited
    /// for a refresh).
    async fn fresh_token(&self, seller: &str) -> Result<(AccessToken, bool), SessionError> {
        let token = self
            .store
            .load(seller)
            .await
            .map_err(SessionError::Store)?
            .ok_or_else(|| SessionError::NoToken {
                seller: seller.to_owned(),
            })?;
        let now = Timestamp::now();
        if !self.due(&token, now) {
            return Ok((token, false));
        }
        if token.can_refresh_at(now) {
            trace::refresh(seller, Refresh::Expiring);
            return Ok((self.refresh_once(seller, &token).await?, true));
        }
        if token.is_expired_at(now) {
            return Err(SessionError::Expired {
                seller: seller.to_owned(),
            });
        }
        // Due but not renewable: it still works until it expires.
        Ok((token, false))
    }

    /// Whether `token` expires within the margin at `now`.
    fn due(&self, token: &AccessToken, now: Timestamp) -> bool {
        let margin = SignedDuration::try_from(self.margin).unwrap_or(SignedDuration::MAX);
        token
            .expires_at()
            .is_some_and(|at| match now.checked_add(margin) {
                Ok(limit) => at <= limit,
                // A margin beyond the representable: everything is due.
                Err(_) => true,
            })
    }

    /// Renews `stale`, the token a call found wanting, with at most one refresh per seller
    /// in flight: the first call leads, the others wait for its outcome.
    async fn refresh_once(
        &self,
        seller: &str,
        stale: &AccessToken,
    ) -> Result<AccessToken, SessionError> {
        loop {
            let (flight, leads) = {
                let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
                match flights.get(seller) {
                    Some(flight) => (Arc::clone(flight), false),
                    None => {
                        let flight = Arc::new(Flight::default());
                        flights.insert(seller.to_owned(), Arc::clone(&flight));
                        (flight, true)
                    }
                }
            };
            if !leads {
                trace::refresh(seller, Refresh::Joined);
                match (Wait { flight: &flight }).await {
                    Some(outcome) => return outcome.into_result(seller),
                    // The leading call was dropped mid-way: start over (lead, or join anew).
                    None => continue,
                }
            }
            let lead = Lead {
                sessions: self,
                seller,
                flight,
                finished: false,
            };
            let outcome = self.renew(seller, stale).await;
            lead.finish(outcome.clone());
            return outcome.into_result(seller);
        }
    }

    /// The leader's work: a token the store already renewed, or a refresh saved to it.
    async fn renew(&self, seller: &str, stale: &AccessToken) -> Outcome {
        let stored = match self.store.load(seller).await {
            Ok(stored) => stored.unwrap_or_else(|| stale.clone()),
            Err(e) => return Outcome::Store(e),
        };
        let now = Timestamp::now();
        if stored.access_token() != stale.access_token() && !self.due(&stored, now) {
            trace::refresh(seller, Refresh::AlreadyRenewed);
            return Outcome::Renewed(Box::new(stored));
        }
        match self.client.refresh_token(&stored).await {
            Ok(renewed) => match self.store.save(seller, &renewed).await {
                Ok(()) => {
                    trace::refresh(seller, Refresh::Renewed);
                    Outcome::Renewed(Box::new(renewed))
                }
                Err(e) => Outcome::Store(e),
            },
            Err(error) => {
                trace::refresh(seller, Refresh::Failed);
                Outcome::Failed(Arc::new(error))
            }
        }
    }
}

/// Whether TOP refused the session: code 27, `Invalid session`.
fn is_invalid_session(error: &CallError) -> bool {
    error.api_error().and_then(|e| e.code_i64()) == Some(27)
}

/// What a refresh came to, shared with every call that waited for it.
#[derive(Clone)]
enum Outcome {
    Renewed(Box<AccessToken>),
    Failed(Arc<OAuthError>),
    Store(StoreError),
}

impl Outcome {
    fn into_result(self, seller: &str) -> Result<AccessToken, SessionError> {
        match self {
            Outcome::Renewed(token) => Ok(*token),
            Outcome::Failed(error) => Err(SessionError::Refresh {
                seller: seller.to_owned(),
                error,
            }),
            Outcome::Store(e) => Err(SessionError::Store(e)),
        }
    }
}

/// A refresh in flight.
#[derive(Default)]
struct Flight {
    state: Mutex<FlightState>,
}

#[derive(Default)]
struct FlightState {
    outcome: Option<Outcome>,
    /// The leader was dropped before finishing.
    abandoned: bool,
    waiting: Vec<Waker>,
}

impl Flight {
    fn settle(&self, outcome: Option<Outcome>) {
        let waiting = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            match outcome {
                Some(outcome) => state.outcome = Some(outcome),
                None => state.abandoned = true,
            }
            std::mem::take(&mut state.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    }
}

/// The leading call's hold on its flight: settled by [`Lead::finish`], or, when the call is
/// dropped half-way, marked abandoned so that the waiting calls start over rather than hang.
/// Either way the flight leaves the map.
struct Lead<'a> {
    sessions: &'a Sessions,
    seller: &'a str,
    flight: Arc<Flight>,
    finished: bool,
}

impl Lead<'_> {
    fn finish(mut self, outcome: Outcome) {
        self.flight.settle(Some(outcome));
        self.finished = true;
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.flight.settle(None);
        }
        let mut flights = self
            .sessions
            .flights
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if flights
            .get(self.seller)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            flights.remove(self.seller);
        }
    }
}

/// Waits for a flight: `Some(outcome)`, or `None` when its leader was dropped.
struct Wait<'a> {
    flight: &'a Flight,
}

impl Future for Wait<'_> {
    type Output = Option<Outcome>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self
            .flight
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(outcome) = &state.outcome {
            return Poll::Ready(Some(outcome.clone()));
        }
        if state.abandoned {
            return Poll::Ready(None);
        }
        if !state.waiting.iter().any(|w| w.will_wake(cx.waker())) {
            state.waiting.push(cx.waker().clone());
        }
        Poll::Pending
    }
}
