//! The two OAuth APIs the runtime calls itself, `taobao.top.auth.token.create` and
//! `taobao.top.auth.token.refresh`, as request types of its own (no spec needed), and the
//! [`TopClient`] methods that turn their answers into an [`AccessToken`].

use std::fmt;

use serde_json::Value;

use crate::api::{ApiRequest, ClientFamily, Params, SessionRequirement};
use crate::call_error::CallError;
use crate::client::{SessionFree, TopClient};
use crate::credentials::Secret;
use crate::lenient::{self, Fields};
use crate::strict;
use crate::token::{AccessToken, TokenError};
use crate::validate::{Path, Rule, Validate, ValidationErrors};
use crate::view::{AsJson, JsonObject, JsonView};

/// `taobao.top.auth.token.create`: exchanges the `code` TOP redirected the seller back with
/// for a token. Its code is short-lived but secret: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TopAuthTokenCreateRequest {
    /// `code`, from the redirect.
    pub code: Secret,
    /// `uuid`, optional (TOP: to guard against replays).
    pub uuid: Option<String>,
}

impl TopAuthTokenCreateRequest {
    /// The exchange of `code`.
    pub fn new(code: impl Into<Secret>) -> Self {
        TopAuthTokenCreateRequest {
            code: code.into(),
            uuid: None,
        }
    }
}

impl fmt::Debug for TopAuthTokenCreateRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopAuthTokenCreateRequest")
            .field("code", &self.code)
            .field("uuid", &self.uuid)
            .finish()
    }
}

/// `taobao.top.auth.token.refresh`: renews a token with its refresh token (for app types
/// that may refresh; others get fixed-length tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct TopAuthTokenRefreshRequest {
    /// `refresh_token`.
    pub refresh_token: Secret,
}

impl TopAuthTokenRefreshRequest {
    /// The renewal with `refresh_token`.
    pub fn new(refresh_token: impl Into<Secret>) -> Self {
        TopAuthTokenRefreshRequest {
            refresh_token: refresh_token.into(),
        }
    }
}

impl fmt::Debug for TopAuthTokenRefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopAuthTokenRefreshRequest")
            .field("refresh_token", &self.refresh_token)
            .finish()
    }
}

/// The answer of both: `token_result`, a JSON text holding the tokens (so a [`Secret`]:
/// `Debug` never shows it). [`AccessToken::from_token_result`] reads it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenResultResponse {
    /// `token_result`.
    pub token_result: Option<Secret>,
}

impl fmt::Debug for TokenResultResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResultResponse")
            .field("token_result", &self.token_result)
            .finish()
    }
}

impl lenient::Item for TokenResultResponse {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        // Any shape is kept, as text: the token reader judges it, with its masked errors,
        // where a decode error here would quote the tokens.
        let read = TokenResultResponse {
            token_result: fields
                .value::<Value>("token_result")
                .map(|value| match value {
                    Value::String(text) => Secret::new(text),
                    other => Secret::new(other.to_string()),
                }),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl<'de> serde::Deserialize<'de> for TokenResultResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient::deserialize(deserializer)
    }
}

impl AsJson for TokenResultResponse {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(1);
        if let Some(text) = &self.token_result {
            out.push("token_result", JsonView::Text(text.expose()));
        }
        out.into()
    }
}

/// Both requests carry one required text: blank is the SDK's code 40.
fn require(errors: &mut ValidationErrors, at: &Path<'_>, name: &str, value: &Secret) {
    if crate::sign::is_blank(value.expose()) {
        errors.push(&at.field(name), Rule::Missing);
    }
}

impl Validate for TopAuthTokenCreateRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        require(errors, at, "code", &self.code);
    }
}

impl Validate for TopAuthTokenRefreshRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        require(errors, at, "refresh_token", &self.refresh_token);
    }
}

impl ApiRequest for TopAuthTokenCreateRequest {
    const METHOD: &'static str = "taobao.top.auth.token.create";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = TokenResultResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("code", self.code.expose());
        out.value("uuid", &self.uuid);
    }

    fn read_response(result: Value) -> Result<TokenResultResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl SessionFree for TopAuthTokenCreateRequest {}

impl ApiRequest for TopAuthTokenRefreshRequest {
    const METHOD: &'static str = "taobao.top.auth.token.refresh";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = TokenResultResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("refresh_token", self.refresh_token.expose());
    }

    fn read_response(result: Value) -> Result<TokenResultResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl SessionFree for TopAuthTokenRefreshRequest {}

/// Read back from their wire names, as a mock does to match them.
impl strict::Item for TopAuthTokenCreateRequest {
    fn from_json(value: Value) -> Result<Self, strict::Error> {
        let mut fields = strict::Fields::new(value)?;
        let code: Option<String> = fields.required("code");
        let uuid = fields.optional("uuid");
        match code {
            Some(code) => {
                fields.finish()?;
                Ok(TopAuthTokenCreateRequest {
                    code: Secret::new(code),
                    uuid,
                })
            }
            None => Err(fields.into_error()),
        }
    }
}

impl strict::Item for TopAuthTokenRefreshRequest {
    fn from_json(value: Value) -> Result<Self, strict::Error> {
        let mut fields = strict::Fields::new(value)?;
        let refresh_token: Option<String> = fields.required("refresh_token");
        match refresh_token {
            Some(token) => {
                fields.finish()?;
                Ok(TopAuthTokenRefreshRequest::new(token))
            }
            None => Err(fields.into_error()),
        }
    }
}

/// Why a code could not be exchanged or a token refreshed.
#[derive(Debug)]
#[non_exhaustive]
pub enum OAuthError {
    /// The call failed (a TOP error such as an invalid code, no answer, …); boxed to keep
    /// the error small.
    Call(Box<CallError>),
    /// TOP answered without a `token_result`.
    NoTokenResult,
    /// The `token_result` could not be read.
    Token(TokenError),
    /// The token has no refresh token, or its refresh token has expired: nothing was sent.
    CannotRefresh,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::Call(e) => write!(f, "the token call failed: {e}"),
            OAuthError::NoTokenResult => f.write_str("TOP answered without a token_result"),
            OAuthError::Token(e) => e.fmt(f),
            OAuthError::CannotRefresh => {
                f.write_str("the token cannot be refreshed (no refresh token, or it has expired)")
            }
        }
    }
}

impl std::error::Error for OAuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OAuthError::Call(e) => Some(e.as_ref()),
            OAuthError::Token(e) => Some(e),
            OAuthError::NoTokenResult | OAuthError::CannotRefresh => None,
        }
    }
}

impl From<CallError> for OAuthError {
    fn from(e: CallError) -> Self {
        OAuthError::Call(Box::new(e))
    }
}

fn token_of(response: TokenResultResponse) -> Result<AccessToken, OAuthError> {
    let text = response.token_result.ok_or(OAuthError::NoTokenResult)?;
    AccessToken::from_token_result(text.expose()).map_err(OAuthError::Token)
}

impl TopClient {
    /// Exchanges the `code` of the authorisation redirect for the seller's token
    /// (`taobao.top.auth.token.create`).
    pub async fn exchange_code(&self, code: impl Into<Secret>) -> Result<AccessToken, OAuthError> {
        self.create_token(&TopAuthTokenCreateRequest::new(code))
            .await
    }

    /// [`exchange_code`](Self::exchange_code) with a request of one's own (to send `uuid`).
    pub async fn create_token(
        &self,
        request: &TopAuthTokenCreateRequest,
    ) -> Result<AccessToken, OAuthError> {
        token_of(self.execute(request).await?)
    }

    /// Renews `token` with its refresh token (`taobao.top.auth.token.refresh`); fails
    /// without sending anything when it has none or it has expired.
    pub async fn refresh_token(&self, token: &AccessToken) -> Result<AccessToken, OAuthError> {
        let now = jiff::Timestamp::now();
        let refresh = match token.refresh_token() {
            Some(refresh) if token.can_refresh_at(now) => refresh.clone(),
            _ => return Err(OAuthError::CannotRefresh),
        };
        token_of(
            self.execute(&TopAuthTokenRefreshRequest::new(refresh))
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_send_their_one_parameter_and_are_never_printed() {
        let create = TopAuthTokenCreateRequest {
            code: Secret::new("CODE-1"),
            uuid: Some("u-1".into()),
        };
        let params = Params::of(&create);
        assert_eq!(
            params.texts().collect::<Vec<_>>(),
            [("code", "CODE-1"), ("uuid", "u-1")]
        );
        assert!(!format!("{create:?}").contains("CODE-1"));
        let refresh = TopAuthTokenRefreshRequest::new("RT-1");
        assert_eq!(Params::of(&refresh).get("refresh_token"), Some("RT-1"));
        assert!(!format!("{refresh:?}").contains("RT-1"));
        assert!(TopAuthTokenCreateRequest::new(" ").validate().is_err());
        assert!(refresh.validate().is_ok());
        let response = TokenResultResponse {
            token_result: Some(Secret::new(r#"{"access_token":"AT-1"}"#)),
        };
        assert!(!format!("{response:?}").contains("AT-1"));
    }

    #[test]
    fn requests_read_back_from_their_wire_names() {
        let read: TopAuthTokenCreateRequest =
            strict::read(serde_json::json!({"code": "c", "uuid": "u"})).unwrap();
        assert_eq!(read.code.expose(), "c");
        assert_eq!(read.uuid.as_deref(), Some("u"));
        assert!(strict::read::<TopAuthTokenRefreshRequest>(serde_json::json!({})).is_err());
    }
}
