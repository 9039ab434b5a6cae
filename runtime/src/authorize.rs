//! [`AuthorizeUrl`]: where to send a seller to authorise the app (TOP's 用户授权 page).

use std::fmt;

use crate::form::encode_component;

/// Which page the seller sees (`view`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthorizeView {
    /// The Taobao web page (`web`), TOP's default.
    #[default]
    Web,
    /// The Tmall page (`tmall`).
    Tmall,
    /// The mobile page (`wap`).
    Wap,
}

impl AuthorizeView {
    /// The `view` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthorizeView::Web => "web",
            AuthorizeView::Tmall => "tmall",
            AuthorizeView::Wap => "wap",
        }
    }
}

/// The authorisation server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthorizeHost {
    /// `https://oauth.taobao.com/authorize`.
    #[default]
    Production,
    /// `https://oauth.tbsandbox.com/authorize`.
    Sandbox,
    /// Any other authorize endpoint (a test server).
    Url(String),
}

impl AuthorizeHost {
    /// The authorize endpoint.
    pub fn url(&self) -> &str {
        match self {
            AuthorizeHost::Production => "https://oauth.taobao.com/authorize",
            AuthorizeHost::Sandbox => "https://oauth.tbsandbox.com/authorize",
            AuthorizeHost::Url(url) => url,
        }
    }
}

/// The URL that starts a seller's authorisation: `Display` writes
/// `<host>?response_type=code&client_id=<app key>&redirect_uri=<url>[&state=…][&view=…]`,
/// every value form-encoded (UTF-8, as Java's `URLEncoder`). TOP sends the seller back to
/// `redirect_uri` with `code` and `state`; check `state` against the one sent (CSRF), then
/// exchange the code ([`TopClient::exchange_code`](crate::client::TopClient::exchange_code)).
///
/// ```
/// use top_runtime::oauth::{AuthorizeUrl, AuthorizeView};
/// let url = AuthorizeUrl::new("12345678", "https://shop.example/cb?x=1")
///     .state("csrf-1")
///     .view(AuthorizeView::Tmall);
/// assert_eq!(
///     url.to_string(),
///     "https://oauth.taobao.com/authorize?response_type=code&client_id=12345678\
///      &redirect_uri=https%3A%2F%2Fshop.example%2Fcb%3Fx%3D1&state=csrf-1&view=tmall"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeUrl {
    host: AuthorizeHost,
    app_key: String,
    redirect_uri: String,
    state: Option<String>,
    view: Option<AuthorizeView>,
}

impl AuthorizeUrl {
    /// The authorisation of `app_key`, coming back to `redirect_uri` (the callback URL
    /// registered for the app).
    pub fn new(app_key: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        AuthorizeUrl {
            host: AuthorizeHost::Production,
            app_key: app_key.into(),
            redirect_uri: redirect_uri.into(),
            state: None,
            view: None,
        }
    }

    /// `state`: the caller's value, returned with the code.
    #[must_use]
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// `view`: which page the seller sees; not sent unless set (TOP then shows `web`).
    #[must_use]
    pub fn view(mut self, view: AuthorizeView) -> Self {
        self.view = Some(view);
        self
    }

    /// The authorisation server; default [`AuthorizeHost::Production`].
    #[must_use]
    pub fn host(mut self, host: AuthorizeHost) -> Self {
        self.host = host;
        self
    }
}

impl fmt::Display for AuthorizeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.host.url();
        let separator = if url.contains('?') { '&' } else { '?' };
        write!(
            f,
            "{url}{separator}response_type=code&client_id={}&redirect_uri={}",
            encode_component(&self.app_key),
            encode_component(&self.redirect_uri)
        )?;
        if let Some(state) = &self.state {
            write!(f, "&state={}", encode_component(state))?;
        }
        if let Some(view) = self.view {
            write!(f, "&view={}", view.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_encoded_and_hosts_differ() {
        let url = AuthorizeUrl::new("k&y", "http://a/b c")
            .state("张 三&x=1")
            .host(AuthorizeHost::Sandbox)
            .to_string();
        assert_eq!(
            url,
            "https://oauth.tbsandbox.com/authorize?response_type=code&client_id=k%26y\
             &redirect_uri=http%3A%2F%2Fa%2Fb+c&state=%E5%BC%A0+%E4%B8%89%26x%3D1"
        );
        let local = AuthorizeUrl::new("k", "r")
            .host(AuthorizeHost::Url(
                "http://127.0.0.1:1/authorize?x=1".into(),
            ))
            .view(AuthorizeView::Wap)
            .to_string();
        assert_eq!(
            local,
            "http://127.0.0.1:1/authorize?x=1&response_type=code&client_id=k&redirect_uri=r&view=wap"
        );
    }
}
