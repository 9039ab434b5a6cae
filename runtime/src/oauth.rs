//! A seller's session (OAuth, 用户授权), from the authorize URL to calls for that seller.
//!
//! 1. Send the seller to an [`AuthorizeUrl`]; TOP redirects back with `code` and `state`.
//! 2. Exchange the code: [`TopClient::exchange_code`](crate::client::TopClient::exchange_code)
//!    (`taobao.top.auth.token.create`, whose request type the runtime carries:
//!    [`TopAuthTokenCreateRequest`]) gives an [`AccessToken`].
//! 3. Keep it in a [`SessionStore`] ([`MemorySessionStore`], or one of the app's own) and call
//!    for the seller with [`Sessions::execute_for_seller`], which refreshes the token before
//!    it expires ([`DEFAULT_REFRESH_MARGIN`]; `taobao.top.auth.token.refresh`,
//!    [`TopClient::refresh_token`](crate::client::TopClient::refresh_token)), once per seller
//!    however many calls are waiting, and once more, with one retry, after a `code 27`.
//!
//! ```no_run
//! # async fn demo(request: &impl top_runtime::ApiRequest) -> Result<(), Box<dyn std::error::Error>> {
//! use top_runtime::TopClient;
//! use top_runtime::oauth::{AuthorizeUrl, MemorySessionStore, Sessions};
//!
//! let client = TopClient::builder("app_key", "app_secret").build()?;
//! let url = AuthorizeUrl::new("app_key", "https://shop.example/callback").state("csrf-1");
//! // … the seller authorises at `url`; the callback receives `code` (and `state`, checked) …
//! # let code = String::new();
//! let token = client.exchange_code(code).await?;
//! let seller = token.user_id().unwrap_or_default().to_owned();
//! let sessions = Sessions::new(client, MemorySessionStore::new());
//! sessions.save(&seller, &token).await?;
//! let response = sessions.execute_for_seller(request, &seller).await?;
//! # let _ = (url, response);
//! # Ok(()) }
//! ```

pub use crate::authorize::{AuthorizeHost, AuthorizeUrl, AuthorizeView};
pub use crate::session_store::{MemorySessionStore, SessionStore, StoreError, StoreFuture};
pub use crate::sessions::{DEFAULT_REFRESH_MARGIN, SessionError, Sessions};
pub use crate::token::{AccessToken, TokenError, TokenErrorKind};
pub use crate::token_api::{
    OAuthError, TokenResultResponse, TopAuthTokenCreateRequest, TopAuthTokenRefreshRequest,
};
