//! Where sellers' tokens are kept between calls: the [`SessionStore`] trait (a database, a
//! cache, …) and [`MemorySessionStore`], which keeps them in this process.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use crate::token::AccessToken;

/// The future a [`SessionStore`] returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Keeps each seller's [`AccessToken`], under a key the app chooses (the seller's
/// `taobao_user_id`, say). Asynchronous, so that it can be a database; shared by every call,
/// so it must be `Send + Sync`.
pub trait SessionStore: Send + Sync {
    /// The seller's token, `None` when the store has none.
    fn load<'a>(&'a self, seller: &'a str) -> StoreFuture<'a, Option<AccessToken>>;

    /// Keeps `token` as the seller's, replacing the one before.
    fn save<'a>(&'a self, seller: &'a str, token: &'a AccessToken) -> StoreFuture<'a, ()>;
}

/// A store that failed; its message must not hold a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }

    /// What failed.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the session store failed: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// Tokens in this process's memory; clones share them.
#[derive(Debug, Clone, Default)]
pub struct MemorySessionStore {
    tokens: Arc<Mutex<HashMap<String, AccessToken>>>,
}

impl MemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `token` as the seller's, at once.
    pub fn insert(&self, seller: impl Into<String>, token: AccessToken) {
        self.lock().insert(seller.into(), token);
    }

    /// The seller's token, at once.
    pub fn get(&self, seller: &str) -> Option<AccessToken> {
        self.lock().get(seller).cloned()
    }

    /// Forgets the seller's token, returning it.
    pub fn remove(&self, seller: &str) -> Option<AccessToken> {
        self.lock().remove(seller)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, AccessToken>> {
        // A panic elsewhere while holding the lock leaves whole tokens: keep using them.
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SessionStore for MemorySessionStore {
    fn load<'a>(&'a self, seller: &'a str) -> StoreFuture<'a, Option<AccessToken>> {
        let token = self.get(seller);
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, seller: &'a str, token: &'a AccessToken) -> StoreFuture<'a, ()> {
        self.insert(seller, token.clone());
        Box::pin(async { Ok(()) })
    }
}
