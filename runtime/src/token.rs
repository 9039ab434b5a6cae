//! [`AccessToken`]: a seller's authorisation as TOP hands it out, read from `token_result`
//! (`taobao.top.auth.token.create` / `.refresh`) or the older `oauth.taobao.com/token` answer.
//!
//! Read leniently, like responses: numbers may come as strings, optional fields may be
//! missing, unknown ones are ignored. The access and refresh tokens are [`Secret`]s, and
//! nothing here (`Debug`, `Display`, errors and their snippets) ever shows them.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use crate::credentials::Secret;
use crate::lenient::Fields;

/// How many characters of the input a [`TokenError`] keeps (tokens masked).
const SNIPPET_CHARS: usize = 200;

/// The members whose values are secret, masked in snippets.
const SECRET_MEMBERS: [&str; 3] = ["access_token", "refresh_token", "token_result"];

/// A seller's access token and what TOP says about it.
///
/// Instants are absolute: `expire_time`-style fields (epoch milliseconds) when TOP sends
/// them, else the time the answer was read plus the `*_expires_in` seconds.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    access_token: Secret,
    refresh_token: Option<Secret>,
    token_type: Option<String>,
    expires_at: Option<Timestamp>,
    refresh_expires_at: Option<Timestamp>,
    r1_expires_at: Option<Timestamp>,
    r2_expires_at: Option<Timestamp>,
    w1_expires_at: Option<Timestamp>,
    w2_expires_at: Option<Timestamp>,
    user_id: Option<String>,
    user_nick: Option<String>,
    sub_user_id: Option<String>,
    sub_user_nick: Option<String>,
    open_uid: Option<String>,
}

impl AccessToken {
    /// A token known only by its value (no expiry, no refresh token): one kept by the app
    /// itself, or a test's. The `with_*` methods add the rest.
    pub fn new(access_token: impl Into<Secret>) -> Self {
        AccessToken {
            access_token: access_token.into(),
            refresh_token: None,
            token_type: None,
            expires_at: None,
            refresh_expires_at: None,
            r1_expires_at: None,
            r2_expires_at: None,
            w1_expires_at: None,
            w2_expires_at: None,
            user_id: None,
            user_nick: None,
            sub_user_id: None,
            sub_user_nick: None,
            open_uid: None,
        }
    }

    /// Reads `token_result` (the JSON text `taobao.top.auth.token.create` and `.refresh`
    /// answer), the older endpoint's JSON object, or a whole API answer holding
    /// `token_result`; relative expiries count from now.
    ///
    /// ```
    /// use top_runtime::oauth::AccessToken;
    /// let token = AccessToken::from_token_result(
    ///     r#"{"access_token":"6101x","refresh_token":"6102y","expires_in":"86400",
    ///         "taobao_user_id":"2206","taobao_user_nick":"%E5%BC%A0%E4%B8%89"}"#,
    /// )?;
    /// assert_eq!(token.access_token().expose(), "6101x");
    /// assert_eq!((token.user_id(), token.user_nick()), (Some("2206"), Some("张三")));
    /// assert!(token.expires_at().is_some());
    /// assert!(!format!("{token:?} {token}").contains("6101x"));
    /// # Ok::<(), top_runtime::oauth::TokenError>(())
    /// ```
    pub fn from_token_result(text: &str) -> Result<AccessToken, TokenError> {
        Self::from_token_result_at(text, Timestamp::now())
    }

    /// [`from_token_result`](Self::from_token_result) with relative expiries counted from
    /// `received`, the time the answer arrived.
    pub fn from_token_result_at(
        text: &str,
        received: Timestamp,
    ) -> Result<AccessToken, TokenError> {
        let error = |kind| TokenError::new(kind, text);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error(TokenErrorKind::Empty));
        }
        if let Some(at) = crate::response::too_deep(trimmed.as_bytes()) {
            return Err(error(TokenErrorKind::NotJson(format!(
                "nested too deeply (at byte {at})"
            ))));
        }
        let root: Value = serde_json::from_str(trimmed)
            .map_err(|e| error(TokenErrorKind::NotJson(e.to_string())))?;
        let object = token_object(root).map_err(error)?;
        read_token(object, received).map_err(error)
    }

    /// The token itself: the `session` of calls for this seller.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// The token that renews it, when the app's type may refresh.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// `token_type` (`Bearer`).
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// When the access token expires (`expire_time`, or `expires_in` after it was read).
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }

    /// When the refresh token expires (`refresh_token_valid_time`, or `re_expires_in`).
    pub fn refresh_expires_at(&self) -> Option<Timestamp> {
        self.refresh_expires_at
    }

    /// When the R1 (read) permission level ends (`r1_valid`, or `r1_expires_in`).
    pub fn r1_expires_at(&self) -> Option<Timestamp> {
        self.r1_expires_at
    }

    /// When the R2 permission level ends (`r2_valid`, or `r2_expires_in`).
    pub fn r2_expires_at(&self) -> Option<Timestamp> {
        self.r2_expires_at
    }

    /// When the W1 (write) permission level ends (`w1_valid`, or `w1_expires_in`).
    pub fn w1_expires_at(&self) -> Option<Timestamp> {
        self.w1_expires_at
    }

    /// When the W2 permission level ends (`w2_valid`, or `w2_expires_in`).
    pub fn w2_expires_at(&self) -> Option<Timestamp> {
        self.w2_expires_at
    }

    /// `taobao_user_id`, as text (ids exceed 2^53).
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// `taobao_user_nick`, URL-decoded.
    pub fn user_nick(&self) -> Option<&str> {
        self.user_nick.as_deref()
    }

    /// `sub_taobao_user_id`: the sub-account that authorised, if one did.
    pub fn sub_user_id(&self) -> Option<&str> {
        self.sub_user_id.as_deref()
    }

    /// `sub_taobao_user_nick`, URL-decoded.
    pub fn sub_user_nick(&self) -> Option<&str> {
        self.sub_user_nick.as_deref()
    }

    /// `open_uid`.
    pub fn open_uid(&self) -> Option<&str> {
        self.open_uid.as_deref()
    }

    /// Whether the access token has expired at `now` (never, when its expiry is unknown).
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Whether a refresh could renew it at `now`: it has a refresh token whose own expiry
    /// is unknown or later.
    pub fn can_refresh_at(&self, now: Timestamp) -> bool {
        self.refresh_token.is_some() && self.refresh_expires_at.is_none_or(|at| at > now)
    }

    /// The same token with a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }

    /// The same token expiring at `at`.
    #[must_use]
    pub fn with_expires_at(mut self, at: Timestamp) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The same token whose refresh token expires at `at`.
    #[must_use]
    pub fn with_refresh_expires_at(mut self, at: Timestamp) -> Self {
        self.refresh_expires_at = Some(at);
        self
    }

    /// The same token for seller `user_id` (and `nick`, decoded).
    #[must_use]
    pub fn with_user(mut self, user_id: impl Into<String>, nick: Option<&str>) -> Self {
        self.user_id = Some(user_id.into());
        self.user_nick = nick.map(str::to_owned);
        self
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("user_id", &self.user_id)
            .field("user_nick", &self.user_nick)
            .field("sub_user_id", &self.sub_user_id)
            .field("open_uid", &self.open_uid)
            .finish_non_exhaustive()
    }
}

/// `access token for <nick> (<id>), expires <China time>`: never the token itself.
impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("access token for ")?;
        match (&self.user_nick, &self.user_id) {
            (Some(nick), Some(id)) => write!(f, "{nick} ({id})")?,
            (Some(who), None) | (None, Some(who)) => f.write_str(who)?,
            (None, None) => f.write_str("an unnamed seller")?,
        }
        match self.expires_at {
            Some(at) => write!(f, ", expires {}", crate::DateTime::from_timestamp(at)),
            None => f.write_str(", expiry unknown"),
        }
    }
}

/// Why a `token_result` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    kind: TokenErrorKind,
    snippet: String,
}

/// What was wrong with a `token_result`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// Not JSON (the parser's message).
    NotJson(String),
    /// JSON, but not an object (or `token_result` not one).
    NotObject,
    /// The authorisation server refused: the older endpoint's `error` and
    /// `error_description`, or an `error_response`'s code and message.
    Refused {
        /// `error` (`invalid_grant`, …) or the TOP error code.
        error: String,
        /// `error_description`, or the TOP message.
        description: Option<String>,
    },
    /// No `access_token`, or a blank one.
    MissingAccessToken,
    /// A member that does not fit its type (`expires_in` not a number, …).
    Field {
        /// The member, `expire_time`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl TokenError {
    fn new(kind: TokenErrorKind, text: &str) -> Self {
        TokenError {
            kind,
            snippet: masked_snippet(text),
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> &TokenErrorKind {
        &self.kind
    }

    /// The start of the input (at most 200 characters), every token value masked.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot read the token result: ")?;
        match &self.kind {
            TokenErrorKind::Empty => f.write_str("it is empty")?,
            TokenErrorKind::NotJson(detail) => write!(f, "not JSON ({detail})")?,
            TokenErrorKind::NotObject => f.write_str("not a JSON object")?,
            TokenErrorKind::Refused { error, description } => {
                write!(f, "the authorisation was refused: {error}")?;
                if let Some(description) = description {
                    write!(f, " ({description})")?;
                }
            }
            TokenErrorKind::MissingAccessToken => f.write_str("it has no access_token")?,
            TokenErrorKind::Field { path, message } => write!(f, "at `{path}`: {message}")?,
        }
        write!(f, "; text: {:?}", self.snippet)
    }
}

impl std::error::Error for TokenError {}

/// The object holding the token's members: the root, or what a `token_result` member (text
/// or object) or a `*_response` wrapper holds. Refusals are errors.
fn token_object(root: Value) -> Result<Map<String, Value>, TokenErrorKind> {
    let Value::Object(mut object) = root else {
        return Err(TokenErrorKind::NotObject);
    };
    if let Some(Value::Object(error)) = object.get("error_response") {
        let text = |key: &str| error.get(key).map(scalar_text);
        return Err(TokenErrorKind::Refused {
            error: text("code").unwrap_or_default(),
            description: text("sub_msg").or_else(|| text("msg")),
        });
    }
    // A whole API answer: `{"top_auth_token_create_response": {"token_result": …}}`.
    if object.len() == 1
        && !object.contains_key("token_result")
        && let Some((key, _)) = object.iter().next()
        && key.ends_with("_response")
        && let Some(Value::Object(inner)) = object.remove(key.clone().as_str())
    {
        object = inner;
    }
    match object.remove("token_result") {
        Some(Value::String(text)) => {
            if crate::response::too_deep(text.as_bytes()).is_some() {
                return Err(TokenErrorKind::NotJson("nested too deeply".into()));
            }
            let inner: Value = serde_json::from_str(text.trim())
                .map_err(|e| TokenErrorKind::NotJson(format!("token_result: {e}")))?;
            match inner {
                Value::Object(inner) => Ok(inner),
                _ => Err(TokenErrorKind::NotObject),
            }
        }
        Some(Value::Object(inner)) => Ok(inner),
        Some(_) => Err(TokenErrorKind::NotObject),
        None => {
            let blank_token = object
                .get("access_token")
                .is_none_or(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
            if blank_token && let Some(error) = object.get("error") {
                return Err(TokenErrorKind::Refused {
                    error: scalar_text(error),
                    description: object.get("error_description").map(scalar_text),
                });
            }
            Ok(object)
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn read_token(
    object: Map<String, Value>,
    received: Timestamp,
) -> Result<AccessToken, TokenErrorKind> {
    let Some(mut fields) = Fields::new(Value::Object(object)).ok().flatten() else {
        return Err(TokenErrorKind::NotObject);
    };
    let text = |fields: &mut Fields, name: &str| {
        fields
            .value::<String>(name)
            .filter(|s| !s.trim().is_empty())
    };
    let access_token = text(&mut fields, "access_token");
    let refresh_token = text(&mut fields, "refresh_token");
    let token_type = text(&mut fields, "token_type");
    let mut instants = Instants {
        fields: &mut fields,
        received,
        error: None,
    };
    let expires_at = instants.at("expire_time", "expires_in");
    let refresh_expires_at = instants.at("refresh_token_valid_time", "re_expires_in");
    let r1_expires_at = instants.at("r1_valid", "r1_expires_in");
    let r2_expires_at = instants.at("r2_valid", "r2_expires_in");
    let w1_expires_at = instants.at("w1_valid", "w1_expires_in");
    let w2_expires_at = instants.at("w2_valid", "w2_expires_in");
    if let Some(error) = instants.error {
        return Err(error);
    }
    let user_id = text(&mut fields, "taobao_user_id");
    let user_nick = text(&mut fields, "taobao_user_nick").map(decoded_nick);
    let sub_user_id = text(&mut fields, "sub_taobao_user_id");
    let sub_user_nick = text(&mut fields, "sub_taobao_user_nick").map(decoded_nick);
    let open_uid = text(&mut fields, "open_uid");
    fields.finish().map_err(|e| TokenErrorKind::Field {
        path: e.path().to_owned(),
        message: e.message().to_owned(),
    })?;
    Ok(AccessToken {
        access_token: Secret::new(access_token.ok_or(TokenErrorKind::MissingAccessToken)?),
        refresh_token: refresh_token.map(Secret::new),
        token_type,
        expires_at,
        refresh_expires_at,
        r1_expires_at,
        r2_expires_at,
        w1_expires_at,
        w2_expires_at,
        user_id,
        user_nick,
        sub_user_id,
        sub_user_nick,
        open_uid,
    })
}

/// Reads absolute instants: epoch milliseconds, or seconds after `received`.
struct Instants<'f> {
    fields: &'f mut Fields,
    received: Timestamp,
    error: Option<TokenErrorKind>,
}

impl Instants<'_> {
    fn at(&mut self, epoch_ms: &str, seconds: &str) -> Option<Timestamp> {
        let absolute = self.fields.value::<i64>(epoch_ms);
        let relative = self.fields.value::<i64>(seconds);
        let (instant, name) = match (absolute, relative) {
            // TOP sends 0 for "not given" in some of these.
            (Some(ms), _) if ms > 0 => (Timestamp::from_millisecond(ms).ok(), epoch_ms),
            (_, Some(secs)) => (
                self.received
                    .checked_add(SignedDuration::from_secs(secs))
                    .ok(),
                seconds,
            ),
            _ => return None,
        };
        if instant.is_none() && self.error.is_none() {
            self.error = Some(TokenErrorKind::Field {
                path: name.to_owned(),
                message: "the instant is out of range".to_owned(),
            });
        }
        instant
    }
}

/// The nick URL-decoded (UTF-8); as it came when it is no valid encoding (some answers
/// send it raw).
fn decoded_nick(nick: String) -> String {
    crate::form::decode_component(&nick).unwrap_or(nick)
}

/// The start of `text` with every secret value masked: from the parsed JSON when it is JSON
/// (escapes in names cannot hide a member), else by a scan of the text.
fn masked_snippet(text: &str) -> String {
    // Depth first: serde_json recurses per level.
    let parsed = match crate::response::too_deep(text.as_bytes()) {
        None => serde_json::from_str::<Value>(text.trim()).ok(),
        Some(_) => None,
    };
    let masked = match parsed {
        Some(mut value) => {
            mask_value(&mut value);
            value.to_string()
        }
        None => masked_text(text.trim_start()),
    };
    let mut chars = masked.chars();
    let mut out: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn mask_value(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if SECRET_MEMBERS.contains(&name.as_str()) {
                    *member = Value::String("<redacted>".into());
                } else {
                    mask_value(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        _ => {}
    }
}

/// Text that is no JSON: the value after every secret member name (`"name":`, `name=`)
/// masked up to the next quote, separator or space.
fn masked_text(text: &str) -> String {
    let mut masked = String::with_capacity(text.len().min(4 * SNIPPET_CHARS));
    let mut rest = text;
    while !rest.is_empty() {
        let next = SECRET_MEMBERS
            .iter()
            .filter_map(|name| rest.find(name).map(|at| (at, *name)))
            .min();
        let Some((at, name)) = next else {
            masked.push_str(rest);
            break;
        };
        let after = at + name.len();
        masked.push_str(&rest[..after]);
        rest = &rest[after..];
        let value_start = rest
            .find(|c: char| !matches!(c, '"' | '\\' | ':' | '=') && !c.is_whitespace())
            .unwrap_or(rest.len());
        if !rest[..value_start].contains([':', '=']) {
            continue;
        }
        masked.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let value_end = rest
            .find(|c: char| matches!(c, '"' | ',' | '}' | '\\' | '&') || c.is_whitespace())
            .unwrap_or(rest.len());
        if value_end > 0 {
            masked.push_str("<redacted>");
        }
        rest = &rest[value_end..];
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn masked_snippets_never_hold_a_token() {
        for text in [
            r#"{"access_token":"SECRET1","refresh_token": "SECRET2","x":1}"#,
            r#"{"token_result":"{\"access_token\":\"SECRET1\"}"}"#,
            r#"{"access_token":SECRET1,"#,
            r#"{"access_token":"SECRET1"#,
            "access_token=SECRET1&refresh_token=SECRET2",
            r#"{"\u0061ccess_token":"SECRET1"}"#,
            r#"{"a":[{"refresh_token":"SECRET2"}],"token_result":"SECRET3"}"#,
        ] {
            let snippet = masked_snippet(text);
            assert!(!snippet.contains("SECRET"), "{text} → {snippet}");
        }
        // Names without a value after them are left alone.
        assert_eq!(
            masked_snippet("no access_token here"),
            "no access_token here"
        );
        let long = "x".repeat(500);
        assert_eq!(masked_snippet(&long).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn relative_expiries_count_from_the_answer() {
        let received = at("2026-01-01T00:00:00Z");
        let token = AccessToken::from_token_result_at(
            r#"{"access_token":"a","expires_in":60,"re_expires_in":"0","r1_expires_in":"3600"}"#,
            received,
        )
        .unwrap();
        assert_eq!(token.expires_at(), Some(at("2026-01-01T00:01:00Z")));
        assert_eq!(token.refresh_expires_at(), Some(received));
        assert_eq!(token.r1_expires_at(), Some(at("2026-01-01T01:00:00Z")));
        assert!(!token.is_expired_at(received));
        assert!(token.is_expired_at(at("2026-01-01T00:01:00Z")));
        assert!(!token.can_refresh_at(received), "no refresh token");
    }
}
