//! [`Gateway`]: where calls go, the TOP and Qimen presets or any URL.

use std::str::FromStr;

use crate::api::ClientFamily;

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
