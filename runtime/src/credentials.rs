//! Who is calling: the app's key and secret, and [`Secret`], the wrapper that keeps secrets
//! (app secret, session, access and refresh tokens) out of `Debug`, `Display` and logs.

use std::fmt;

/// A secret string (app secret, session key) whose `Debug` and `Display` never show it.
///
/// Read the value with [`Secret::expose`], only where it goes on the wire or into a digest.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// An application's key and secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The app key, sent as `app_key` (not secret).
    pub app_key: String,
    /// The app secret, used only to sign; redacted in `Debug`.
    pub app_secret: Secret,
}

impl Credentials {
    /// Creates credentials from an app key and secret.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<Secret>) -> Self {
        Credentials {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app_key={} app_secret=<redacted>", self.app_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_printed() {
        let creds = Credentials::new("appkey123", "SUPERSECRET");
        assert!(!format!("{creds:?}").contains("SUPERSECRET"));
        assert!(!format!("{creds:#?}").contains("SUPERSECRET"));
        assert!(!format!("{creds}").contains("SUPERSECRET"));
        assert!(format!("{creds:?}").contains("appkey123"));
        let s = Secret::new("SESSIONKEY");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "SESSIONKEY");
    }
}
