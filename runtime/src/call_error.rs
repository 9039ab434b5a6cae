//! [`CallError`]: everything that can go wrong with a call, and what each case tells (its
//! request id, how many requests were sent, whether the SDK would retry it).

use std::fmt;
use std::time::Duration;

use crate::prepare_error::PrepareError;
use crate::response::{ApiError, DecodeError, ResponseError};
use crate::transport::TransportError;
use crate::validate::ValidationErrors;

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
    /// ([`TopClientBuilder::max_body_size`](crate::client::TopClientBuilder::max_body_size)); it was neither read to the end nor decoded.
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
    pub(crate) fn from_api(error: ApiError) -> Self {
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
