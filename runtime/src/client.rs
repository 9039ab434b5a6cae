//! Sending calls: `TopClient` validates, prepares, signs, sends through a [`Transport`] and
//! decodes. The transport is the only I/O; the default one (feature `reqwest`) uses reqwest
//! with rustls, and any other HTTP stack can be plugged in.
//!
//! [`Gateway`], the [`Transport`] types and [`CallError`] live in modules of their own and are
//! re-exported here, where they have always been named.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiRequest, ClientFamily, SessionRequirement};
use crate::credentials::{Credentials, Secret};
use crate::http::HttpRequest;
use crate::options::{Format, RequestOptions, SystemParams};
use crate::response::{self, DecodeError, ResponseError, ResponseSpec};
use crate::retry::{Retrier, RetryPolicy, Sleep};
use crate::sign::{SignMethod, Signer};
use crate::trace;

pub use crate::call_error::CallError;
pub use crate::gateway::Gateway;
#[cfg(feature = "reqwest")]
pub use crate::transport::ReqwestTransport;
pub use crate::transport::{
    DEFAULT_MAX_BODY_SIZE, HttpResponse, Transport, TransportError, TransportFuture,
};

/// A request type that may be sent without a session key (its API's session requirement is
/// `none` or `optional`). Generated for those APIs only, so that calling an API that needs a
/// session without one does not compile.
pub trait SessionFree: ApiRequest {}

/// An async client for TOP and Qimen gateways.
///
/// ```no_run
/// # async fn demo(request: &impl top_runtime::client::SessionFree) -> Result<(), Box<dyn std::error::Error>> {
/// use top_runtime::client::{Gateway, TopClient};
/// let client = TopClient::builder("app_key", "app_secret").gateway(Gateway::Top).build()?;
/// let response = client.execute(request).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TopClient {
    gateway: Gateway,
    max_body_size: usize,
    credentials: Credentials,
    options: RequestOptions,
    /// Keyed with the app secret for `options.sign_method` once, when the client is built.
    signer: Signer,
    transport: Arc<dyn Transport>,
    retry: Arc<Retrier>,
}

impl fmt::Debug for TopClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopClient")
            .field("gateway", &self.gateway)
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .field("retry", &self.retry)
            .field("max_body_size", &self.max_body_size)
            .finish_non_exhaustive()
    }
}

/// Configures a [`TopClient`].
#[must_use]
pub struct TopClientBuilder {
    gateway: Option<Gateway>,
    credentials: Credentials,
    options: RequestOptions,
    timeout: Duration,
    max_body_size: usize,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    sleeper: Option<Arc<dyn Sleep>>,
}

impl fmt::Debug for TopClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopClientBuilder")
            .field("gateway", &self.gateway)
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .field("timeout", &self.timeout)
            .field("max_body_size", &self.max_body_size)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl TopClientBuilder {
    /// The gateway; default [`Gateway::Top`].
    pub fn gateway(mut self, gateway: Gateway) -> Self {
        self.gateway = Some(gateway);
        self
    }
    /// `sign_method`; default hmac-sha256.
    pub fn sign_method(mut self, sign_method: SignMethod) -> Self {
        self.options.sign_method = sign_method;
        self
    }
    /// `format`; default json.
    pub fn format(mut self, format: Format) -> Self {
        self.options.format = format;
        self
    }
    /// Sends `simplify=true`.
    pub fn simplify(mut self, simplify: bool) -> Self {
        self.options.simplify = simplify;
        self
    }
    /// `partner_id`.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.options.partner_id = Some(partner_id.into());
        self
    }
    /// The provider's app key, sent as `target_app_key` with Qimen calls.
    pub fn target_app_key(mut self, target_app_key: impl Into<String>) -> Self {
        self.options.target_app_key = Some(target_app_key.into());
        self
    }
    /// The whole-request time limit of the default transport; default 15 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// The largest response body accepted, in bytes; default [`DEFAULT_MAX_BODY_SIZE`]. A
    /// larger one is [`CallError::BodyTooLarge`]: the default transport stops reading it
    /// there, so a hostile or broken gateway cannot fill memory.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }
    /// Sends through `transport` instead of the default HTTP client.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Retries failed calls under `policy` (see [`crate::retry`] for what is retried);
    /// default [`RetryPolicy::never`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// Waits between retries with `sleeper` instead of the default
    /// (`TokioSleep` with the `reqwest` feature, else
    /// [`ThreadSleep`](crate::retry::ThreadSleep)).
    pub fn sleeper(mut self, sleeper: impl Sleep + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// The client; fails only when no transport is set and the default one cannot start.
    pub fn build(self) -> Result<TopClient, TransportError> {
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport(self.timeout, self.max_body_size)?,
        };
        Ok(TopClient {
            gateway: self.gateway.unwrap_or(Gateway::Top),
            signer: Signer::new(
                self.credentials.app_secret.expose(),
                self.options.sign_method,
            ),
            max_body_size: self.max_body_size,
            credentials: self.credentials,
            options: self.options,
            transport,
            retry: Arc::new(Retrier::new(self.retry, self.sleeper)),
        })
    }
}

#[cfg(feature = "reqwest")]
fn default_transport(
    timeout: Duration,
    max_body_size: usize,
) -> Result<Arc<dyn Transport>, TransportError> {
    Ok(Arc::new(
        ReqwestTransport::new(timeout)?.max_body_size(max_body_size),
    ))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport(_: Duration, _: usize) -> Result<Arc<dyn Transport>, TransportError> {
    Err(TransportError {
        timed_out: false,
        message: "no transport: enable the `reqwest` feature or set one with `transport()`".into(),
    })
}

impl TopClient {
    /// Starts configuring a client with the app's credentials.
    pub fn builder(app_key: impl Into<String>, app_secret: impl Into<Secret>) -> TopClientBuilder {
        TopClientBuilder {
            gateway: None,
            credentials: Credentials::new(app_key, app_secret),
            options: RequestOptions::default(),
            timeout: Duration::from_secs(15),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            transport: None,
            retry: RetryPolicy::never(),
            sleeper: None,
        }
    }

    /// The gateway calls go to.
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Calls an API that needs no session key.
    pub async fn execute<R: SessionFree>(&self, request: &R) -> Result<R::Response, CallError> {
        self.call(request, None).await
    }

    /// Calls an API with the user's session key.
    pub async fn execute_with_session<R: ApiRequest>(
        &self,
        request: &R,
        session: impl Into<Secret>,
    ) -> Result<R::Response, CallError> {
        self.call(request, Some(session.into())).await
    }

    /// Validates and prepares the exact HTTP request a call would send, without sending it.
    /// `timestamp` pins the wire timestamp (`yyyy-MM-dd HH:mm:ss`, China time).
    pub fn prepare<R: ApiRequest>(
        &self,
        request: &R,
        session: Option<Secret>,
        timestamp: Option<String>,
    ) -> Result<HttpRequest, CallError> {
        if let Err(errors) = request.validate() {
            return Err(CallError::Invalid {
                code: errors.sdk_code(),
                errors,
            });
        }
        let session = session.filter(|s| !crate::sign::is_blank(s.expose()));
        if R::SESSION == SessionRequirement::Required && session.is_none() {
            return Err(CallError::MissingSession { method: R::METHOD });
        }
        let options = &self.options;
        let target_app_key = if R::CLIENT == ClientFamily::Qimen {
            match options.target_app_key.as_deref() {
                Some(key) if !crate::sign::is_blank(key) => Some(key),
                _ => return Err(CallError::MissingTargetAppKey { method: R::METHOD }),
            }
        } else {
            // target_app_key is a Qimen parameter; TOP would sign it but not expect it.
            None
        };
        // Borrowed, not a clone of the options: only the call's own values differ.
        let system = SystemParams {
            session: session.as_ref().map(Secret::expose),
            target_app_key,
            ..SystemParams::new(
                R::METHOD,
                &self.credentials,
                options,
                timestamp.map(Cow::Owned),
            )
        };
        crate::prepare::prepare_signed(
            self.gateway.url(),
            &system,
            &self.signer,
            &crate::api::Params::of(request),
        )
        .map_err(CallError::Prepare)
    }

    /// Calls an API with a session key if one is given; an API that needs one fails with
    /// [`CallError::MissingSession`] before any I/O. For callers that only know at run time
    /// which API they call; prefer [`execute`](Self::execute), which checks at compile time.
    pub async fn execute_with_optional_session<R: ApiRequest>(
        &self,
        request: &R,
        session: Option<Secret>,
    ) -> Result<R::Response, CallError> {
        self.call(request, session).await
    }

    /// Sends until success, a final error or the retry policy gives up.
    async fn call<R: ApiRequest>(
        &self,
        request: &R,
        session: Option<Secret>,
    ) -> Result<R::Response, CallError> {
        let mut attempts = 1;
        loop {
            // Prepared afresh for every attempt, as the SDK's retry client does: a new
            // timestamp and signature, so that a late retry is not refused for clock skew.
            let http = self.prepare(request, session.clone(), None)?;
            let attempt = trace::Attempt::start(R::METHOD, attempts);
            let sent = attempt.run(self.send::<R>(http, &attempt)).await;
            attempt.finish(sent.as_ref().err());
            let error = match sent {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let Some(wait) = self.retry.wait_before(attempts, &error) else {
                return Err(if attempts == 1 {
                    error
                } else {
                    CallError::Retried {
                        attempts,
                        last: Box::new(error),
                    }
                });
            };
            trace::retrying(R::METHOD, attempts, wait);
            self.retry.sleep(wait).await;
            attempts += 1;
        }
    }

    /// One attempt: send and decode.
    async fn send<R: ApiRequest>(
        &self,
        http: HttpRequest,
        attempt: &trace::Attempt,
    ) -> Result<R::Response, CallError> {
        let response = self
            .transport
            .send(http)
            .await
            .map_err(CallError::Transport)?;
        attempt.answered(response.status, &response.body);
        // Checked for every transport; the default one has already stopped reading here.
        if response.body.len() > self.max_body_size {
            return Err(CallError::BodyTooLarge {
                limit: self.max_body_size,
                status: response.status,
            });
        }
        let spec = ResponseSpec::new(R::METHOD, self.options.format)
            .simplify(self.options.simplify)
            .qimen(R::CLIENT == ClientFamily::Qimen);
        match response::decode_response::<R>(&response.body, &spec) {
            Ok(value) if (200..300).contains(&response.status) => Ok(value),
            Err(ResponseError::Api(e)) => Err(CallError::from_api(e)),
            Err(ResponseError::Decode(error)) if !(200..300).contains(&response.status) => {
                Err(CallError::Http {
                    status: response.status,
                    error,
                })
            }
            Err(ResponseError::Decode(e)) => Err(CallError::Decode(e)),
            Ok(_) => Err(CallError::Http {
                status: response.status,
                error: DecodeError::unexpected_status(response.status, &response.body),
            }),
        }
    }
}
