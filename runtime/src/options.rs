//! The system parameters of a call: their names, the protocol version, the response
//! [`Format`], the per-request [`RequestOptions`] and the China-time wire timestamp.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use crate::credentials::{Credentials, Secret};
use crate::sign::SignMethod;

/// The `v` system parameter: the only protocol version the gateway speaks.
pub const API_VERSION: &str = "2.0";

/// Names of the system parameters; an API parameter may not reuse one (see
/// [`PrepareError::ReservedParam`](crate::prepare::PrepareError::ReservedParam)).
pub const SYSTEM_PARAMS: [&str; 11] = [
    "method",
    "app_key",
    "timestamp",
    "v",
    "sign_method",
    "format",
    "session",
    "partner_id",
    "simplify",
    "target_app_key",
    "sign",
];

/// Response format requested with the `format` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `json` (the default here; the gateway itself defaults to xml, so it is always sent).
    #[default]
    Json,
    /// `xml`.
    Xml,
}

impl Format {
    /// The wire value of the `format` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string is neither `json` nor `xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError {
    input: String,
}

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown format {:?} (expected json or xml)", self.input)
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "xml" => Ok(Format::Xml),
            _ => Err(ParseFormatError {
                input: s.to_owned(),
            }),
        }
    }
}

/// Per-request protocol options (everything besides the method, credentials and API
/// parameters). `Default` gives hmac-sha256, json, no simplify, no session, current time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// `sign_method`.
    pub sign_method: SignMethod,
    /// `format`.
    pub format: Format,
    /// `partner_id`, sent when set (the Java SDK sends its own version string here).
    pub partner_id: Option<String>,
    /// Sends `simplify=true`: no `_response` wrapper, plain arrays in the response.
    pub simplify: bool,
    /// `session`: the user's authorisation, for APIs that need one. Redacted in `Debug`.
    pub session: Option<Secret>,
    /// `target_app_key`: the provider's app key, required for Qimen calls.
    pub target_app_key: Option<String>,
    /// A pinned wire `timestamp` (`yyyy-MM-dd HH:mm:ss`, China time); `None` uses
    /// [`china_now`] at preparation time. Pinning makes requests reproducible.
    pub timestamp: Option<String>,
}

impl RequestOptions {
    /// Sets the sign method.
    pub fn with_sign_method(mut self, sign_method: SignMethod) -> Self {
        self.sign_method = sign_method;
        self
    }

    /// Sets the response format.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Sets `partner_id`.
    pub fn with_partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = Some(partner_id.into());
        self
    }

    /// Sets whether `simplify=true` is sent.
    pub fn with_simplify(mut self, simplify: bool) -> Self {
        self.simplify = simplify;
        self
    }

    /// Sets the user session key.
    pub fn with_session(mut self, session: impl Into<Secret>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// Sets `target_app_key` (Qimen).
    pub fn with_target_app_key(mut self, target_app_key: impl Into<String>) -> Self {
        self.target_app_key = Some(target_app_key.into());
        self
    }

    /// Pins the wire timestamp string as given.
    pub fn with_timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// Pins the wire timestamp to an instant, rendered in China time.
    pub fn with_timestamp_at(mut self, instant: Timestamp) -> Self {
        self.timestamp = Some(format_china_time(instant));
        self
    }
}

/// Renders an instant as TOP's `yyyy-MM-dd HH:mm:ss` in China time (UTC+8).
///
/// Independent of the machine's time zone (`TZ`): the offset is fixed, not looked up.
pub fn format_china_time(instant: Timestamp) -> String {
    crate::DateTime::from_timestamp(instant).to_string()
}

/// The current time as a TOP wire timestamp (China time).
pub fn china_now() -> String {
    format_china_time(Timestamp::now())
}

/// The system parameters of one call, borrowed from the client, its options and the call.
pub(crate) struct SystemParams<'a> {
    pub(crate) method: &'a str,
    pub(crate) app_key: &'a str,
    /// `None`: the current time, read when the request is built.
    pub(crate) timestamp: Option<Cow<'a, str>>,
    pub(crate) sign_method: SignMethod,
    pub(crate) format: Format,
    pub(crate) session: Option<&'a str>,
    pub(crate) partner_id: Option<&'a str>,
    pub(crate) simplify: bool,
    pub(crate) target_app_key: Option<&'a str>,
}

impl<'a> SystemParams<'a> {
    /// Everything as `options` says, but the timestamp.
    pub(crate) fn new(
        method: &'a str,
        credentials: &'a Credentials,
        options: &'a RequestOptions,
        timestamp: Option<Cow<'a, str>>,
    ) -> Self {
        SystemParams {
            method,
            app_key: &credentials.app_key,
            timestamp,
            sign_method: options.sign_method,
            format: options.format,
            session: options.session.as_ref().map(Secret::expose),
            partner_id: options.partner_id.as_deref(),
            simplify: options.simplify,
            target_app_key: options.target_app_key.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parse_and_default() {
        assert_eq!(Format::default(), Format::Json);
        assert_eq!("xml".parse::<Format>(), Ok(Format::Xml));
        assert_eq!("json".parse::<Format>(), Ok(Format::Json));
        assert!("JSON".parse::<Format>().is_err());
        assert_eq!(Format::Xml.to_string(), "xml");
    }

    /// Fixed instants rendered in China time. Also run in a child process under a
    /// different `TZ` by `china_time_ignores_tz_env`.
    #[test]
    fn china_time_fixed_vectors() {
        let cases = [
            ("2016-01-01T04:00:00Z", "2016-01-01 12:00:00"),
            // Crosses midnight and the year boundary in UTC+8 only.
            ("2015-12-31T16:00:00Z", "2016-01-01 00:00:00"),
            ("2013-05-06T05:52:03Z", "2013-05-06 13:52:03"),
            ("2024-02-29T15:59:59.999Z", "2024-02-29 23:59:59"),
            ("1970-01-01T00:00:00Z", "1970-01-01 08:00:00"),
        ];
        for (utc, china) in cases {
            let ts: Timestamp = utc.parse().unwrap();
            assert_eq!(format_china_time(ts), china, "{utc}");
        }
        let now = china_now();
        assert_eq!(now.len(), 19, "{now}");
        let opts =
            RequestOptions::default().with_timestamp_at("2016-01-01T04:00:00Z".parse().unwrap());
        assert_eq!(opts.timestamp.as_deref(), Some("2016-01-01 12:00:00"));
    }

    /// `std::env::set_var` is unsafe (and this crate forbids unsafe), so re-run the vector
    /// test in a child process whose `TZ` is far from China.
    #[test]
    fn china_time_ignores_tz_env() {
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        for tz in ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"] {
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "options::tests::china_time_fixed_vectors",
                    "--nocapture",
                ])
                .env("TZ", tz)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "TZ={tz}: {stdout}");
            assert!(stdout.contains("1 passed"), "TZ={tz}: {stdout}");
        }
    }
}
