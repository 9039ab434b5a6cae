//! Sending calls: `TopClient` validates, prepares, signs, sends through a [`Transport`] and
//! decodes. The transport is the only I/O; the default one (feature `reqwest`) uses reqwest
//! with rustls, and any other HTTP stack can be plugged in.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiRequest, ClientFamily, SessionRequirement};
use crate::prepare::{
    self, Credentials, Format, HttpRequest, PrepareError, RequestOptions, Secret,
};
use crate::response::{self, ApiError, DecodeError, ResponseError, ResponseSpec};
use crate::retry::{Retrier, RetryPolicy, Sleep};
use crate::sign::{SignMethod, Signer};
use crate::validate::ValidationErrors;

/// A request type that may be sent without a session key (its API's session requirement is
/// `none` or `optional`). Generated for those APIs only, so that calling an API that needs a
/// session without one does not compile.
pub trait SessionFree: ApiRequest {}

/// Where calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gateway {
    /// `https://gw.api.taobao.com/router/rest`.
    Top,
    /// `http://gw.api.taobao.com/router/rest`.
    TopHttp,
    /// `https://api.taobao.com/router/rest`, for callers outside mainland China.
    Overseas,
    /// `https://gw.api.tbsandbox.com/router/rest`.
    Sandbox,
    /// `https://qimen.api.taobao.com/router/qm`.
    Qimen,
    /// `https://qimen.api.taobao.com/router/qmtest`.
    QimenTest,
    /// Any other URL: a provider's Qimen host, a proxy, a test server.
    Url(String),
}

impl Gateway {
    /// The URL requests are posted to.
    pub fn url(&self) -> &str {
        match self {
            Gateway::Top => "https://gw.api.taobao.com/router/rest",
            Gateway::TopHttp => "http://gw.api.taobao.com/router/rest",
            Gateway::Overseas => "https://api.taobao.com/router/rest",
            Gateway::Sandbox => "https://gw.api.tbsandbox.com/router/rest",
            Gateway::Qimen => "https://qimen.api.taobao.com/router/qm",
            Gateway::QimenTest => "https://qimen.api.taobao.com/router/qmtest",
            Gateway::Url(url) => url,
        }
    }

    /// The preset for a client family's production gateway.
    pub fn for_family(family: ClientFamily) -> Gateway {
        match family {
            ClientFamily::Top => Gateway::Top,
            ClientFamily::Qimen => Gateway::Qimen,
        }
    }
}

/// `top`, `top-http`, `overseas`, `sandbox`, `qimen`, `qimen-test`, or an `http(s)://` URL.
impl FromStr for Gateway {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "top" => Gateway::Top,
            "top-http" => Gateway::TopHttp,
            "overseas" => Gateway::Overseas,
            "sandbox" => Gateway::Sandbox,
            "qimen" => Gateway::Qimen,
            "qimen-test" => Gateway::QimenTest,
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Gateway::Url(url.to_owned())
            }
            other => {
                return Err(format!(
                    "unknown gateway `{other}`: expected top, top-http, overseas, sandbox, qimen, qimen-test or an http(s):// URL"
                ));
            }
        })
    }
}

/// What a transport got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The whole body, decompressed.
    pub body: Vec<u8>,
}

/// Why a request did not get a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// Whether the time limit ran out.
    pub timed_out: bool,
    /// What happened; must not contain the request URL (it carries the session key).
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.timed_out {
            write!(f, "timed out: {}", self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for TransportError {}

/// The future a transport returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// An HTTP stack that can send a prepared request.
pub trait Transport: Send + Sync {
    /// Sends the request and reads the whole body.
    fn send(&self, request: HttpRequest) -> TransportFuture<'_>;
}

/// Everything that can go wrong with a call.
///
/// Every error built from a gateway answer keeps its `request_id` when the body had one:
/// see [`CallError::request_id`].
#[derive(Debug)]
pub enum CallError {
    /// The request breaks documented rules; nothing was sent. `code` is the SDK's
    /// client-side code: 40 for a missing value, 41 otherwise.
    Invalid {
        /// 40 when something required is missing, else 41.
        code: u16,
        /// Every violation.
        errors: ValidationErrors,
    },
    /// The API needs a session key and none was given; nothing was sent.
    MissingSession {
        /// The API called.
        method: &'static str,
    },
    /// A Qimen API needs the provider's `target_app_key`; nothing was sent.
    MissingTargetAppKey {
        /// The API called.
        method: &'static str,
    },
    /// The request could not be prepared; nothing was sent.
    Prepare(PrepareError),
    /// No response: connection failure or time-out.
    Transport(TransportError),
    /// An HTTP error status whose body is no TOP error.
    Http {
        /// The HTTP status code.
        status: u16,
        /// What the body looked like.
        error: DecodeError,
    },
    /// TOP answered with an error (`error_response`, or a Qimen `failure`).
    Api(ApiError),
    /// TOP refused the call for its rate limit (code 7, `accesscontrol.limited-by-*`; see
    /// [`ApiError::is_rate_limited`]).
    RateLimited {
        /// How long the ban lasts, when the gateway says ([`ApiError::ban`]).
        ban: Option<Duration>,
        /// The whole error, messages and `request_id` included (boxed to keep `CallError`
        /// small).
        error: Box<ApiError>,
    },
    /// The response body could not be decoded.
    Decode(DecodeError),
    /// The response body was larger than the client's limit
    /// ([`TopClientBuilder::max_body_size`]); it was neither read to the end nor decoded.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The HTTP status code.
        status: u16,
    },
    /// The call was retried and failed every time: `last` is the error of the last attempt
    /// (never itself `Retried`), `attempts` how many requests were sent (2 or more). With a
    /// retry policy, a call that fails on its first attempt with an error that is not
    /// retried is returned as that error.
    Retried {
        /// How many requests were sent, the first included.
        attempts: u32,
        /// The last attempt's error.
        last: Box<CallError>,
    },
}

impl CallError {
    /// The error TOP answered ([`Api`](Self::Api), [`RateLimited`](Self::RateLimited), or
    /// either as the last error of [`Retried`](Self::Retried)).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            CallError::Api(e) => Some(e),
            CallError::RateLimited { error, .. } => Some(error),
            CallError::Retried { last, .. } => last.api_error(),
            _ => None,
        }
    }

    /// The gateway's request id, for Taobao support: from the error body, or from an HTTP
    /// error or undecodable body that carried one. `None` when nothing was answered or the
    /// answer had none (an HTML 502 page, say).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            CallError::Api(_) | CallError::RateLimited { .. } => {
                self.api_error().and_then(|e| e.request_id.as_deref())
            }
            CallError::Http { error, .. } | CallError::Decode(error) => error.request_id(),
            CallError::Retried { last, .. } => last.request_id(),
            _ => None,
        }
    }

    /// How many requests were sent: 0 when the call failed before sending, the count of a
    /// [`Retried`](Self::Retried) error, else 1.
    pub fn attempts(&self) -> u32 {
        match self {
            CallError::Invalid { .. }
            | CallError::MissingSession { .. }
            | CallError::MissingTargetAppKey { .. }
            | CallError::Prepare(_) => 0,
            CallError::Retried { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// Whether the official SDK's auto-retry client would send the call again: no answer
    /// (connection failure, reset, time-out), an HTTP 5xx without a TOP error body, or a TOP
    /// error whose `sub_code` starts with `isp.`. Never `isv.*` errors, rate limits,
    /// undecodable 2xx bodies or anything refused before sending.
    pub fn is_retryable(&self) -> bool {
        match self {
            CallError::Transport(_) => true,
            CallError::Http { status, .. } => (500..600).contains(status),
            CallError::Api(e) => e.sub_code.as_deref().is_some_and(|c| c.starts_with("isp.")),
            _ => false,
        }
    }

    /// `Api`, or `RateLimited` when the error is a rate limit.
    fn from_api(error: ApiError) -> Self {
        if error.is_rate_limited() {
            CallError::RateLimited {
                ban: error.ban(),
                error: Box::new(error),
            }
        } else {
            CallError::Api(error)
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Invalid { code, errors } => {
                write!(f, "request rejected before sending (code {code}): {errors}")
            }
            CallError::MissingSession { method } => {
                write!(f, "`{method}` needs a session key; none was given")
            }
            CallError::MissingTargetAppKey { method } => {
                write!(
                    f,
                    "`{method}` is a Qimen API: set the provider's target_app_key"
                )
            }
            CallError::Prepare(e) => write!(f, "cannot prepare the request: {e}"),
            CallError::Transport(e) => write!(f, "cannot reach the gateway: {e}"),
            CallError::Http { status, error } => write!(f, "HTTP status {status}: {error}"),
            CallError::Api(e) => write!(f, "{e}"),
            CallError::RateLimited { ban, error } => {
                write!(f, "rate limited")?;
                if let Some(ban) = ban {
                    write!(f, " for {} s", ban.as_secs())?;
                }
                write!(f, ": {error}")
            }
            CallError::Decode(e) => write!(f, "{e}"),
            CallError::BodyTooLarge { limit, status } => write!(
                f,
                "the response body (HTTP status {status}) is larger than the limit of {limit} bytes"
            ),
            CallError::Retried { attempts, last } => {
                write!(f, "{last} (after {attempts} attempts)")
            }
        }
    }
}

impl std::error::Error for CallError {}

impl From<ResponseError> for CallError {
    fn from(e: ResponseError) -> Self {
        match e {
            ResponseError::Api(e) => CallError::from_api(e),
            ResponseError::Decode(e) => CallError::Decode(e),
        }
    }
}

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

/// The default [`TopClientBuilder::max_body_size`]: 64 MiB, far above any real TOP answer
/// (the largest list calls return a few megabytes) and well below what would strain memory.
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;

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
        let system = prepare::SystemParams {
            session: session.as_ref().map(Secret::expose),
            target_app_key,
            ..prepare::SystemParams::new(
                R::METHOD,
                &self.credentials,
                options,
                timestamp.map(Cow::Owned),
            )
        };
        prepare::prepare_signed(
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
            let error = match self.send::<R>(http).await {
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
            self.retry.sleep(wait).await;
            attempts += 1;
        }
    }

    /// One attempt: send and decode.
    async fn send<R: ApiRequest>(&self, http: HttpRequest) -> Result<R::Response, CallError> {
        let response = self
            .transport
            .send(http)
            .await
            .map_err(CallError::Transport)?;
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

/// The default transport: reqwest with rustls and gzip.
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body_size: usize,
}

#[cfg(feature = "reqwest")]
impl ReqwestTransport {
    /// A transport whose requests time out after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .gzip(true)
            .build()
            .map_err(transport_error)?;
        Ok(Self {
            client,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        })
    }

    /// Stops reading a body once it is larger than `bytes` (after decompression); the
    /// client then reports [`CallError::BodyTooLarge`]. Default [`DEFAULT_MAX_BODY_SIZE`].
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }
}

#[cfg(feature = "reqwest")]
fn transport_error(e: reqwest::Error) -> TransportError {
    TransportError {
        timed_out: e.is_timeout(),
        // The URL carries the session key: never let it into messages.
        message: e.without_url().to_string(),
    }
}

#[cfg(feature = "reqwest")]
impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let mut builder = self.client.post(&request.url);
            for (name, value) in request.headers() {
                builder = builder.header(name, value);
            }
            builder = builder.body(request.body);
            let mut response = builder.send().await.map_err(transport_error)?;
            let status = response.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
                body.extend_from_slice(&chunk);
                if body.len() > self.max_body_size {
                    // Over the limit: the client refuses it by its length, so the rest
                    // would only fill memory.
                    break;
                }
            }
            Ok(HttpResponse { status, body })
        })
    }
}
