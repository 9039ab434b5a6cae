//! Request signing, as done by the official TOP SDKs.
//!
//! The signature covers every parameter that is sent (system and API parameters, except
//! `sign` itself and blank values), sorted by key in byte order and concatenated as
//! `key + value` without separators, followed by the raw request body when there is one
//! (Qimen body mode). The digest is rendered as uppercase hex.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// The digest used to sign a request (`sign_method` system parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    /// `md5`: MD5 over `secret + string + secret`.
    Md5,
    /// `hmac`: HMAC-MD5 keyed with the secret.
    Hmac,
    /// `hmac-sha256`: HMAC-SHA256 keyed with the secret (the default: strongest of the three).
    #[default]
    HmacSha256,
}

impl SignMethod {
    /// The wire value of the `sign_method` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string is not one of `md5`, `hmac`, `hmac-sha256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSignMethodError {
    input: String,
}

impl fmt::Display for ParseSignMethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown sign method {:?} (expected md5, hmac or hmac-sha256)",
            self.input
        )
    }
}

impl std::error::Error for ParseSignMethodError {}

impl FromStr for SignMethod {
    type Err = ParseSignMethodError;

    /// Parses the wire value exactly (lowercase, as the gateway spells it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "md5" => Ok(SignMethod::Md5),
            "hmac" => Ok(SignMethod::Hmac),
            "hmac-sha256" => Ok(SignMethod::HmacSha256),
            _ => Err(ParseSignMethodError {
                input: s.to_owned(),
            }),
        }
    }
}

/// Whether `c` is whitespace in the sense of Java's `Character.isWhitespace`.
///
/// The SDK drops "empty" parameters with `StringUtils.isEmpty`, which tests every char with
/// `Character.isWhitespace`. That differs from [`char::is_whitespace`]: Java excludes the
/// no-break spaces (U+00A0, U+2007, U+202F) and NEL (U+0085) but includes the information
/// separators U+001C..U+001F. Mirroring it keeps "what is dropped" identical to the SDK.
pub const fn is_java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{000B}'
            | '\u{000C}'
            | '\r'
            | '\u{001C}'..='\u{001F}'
            | ' '
            | '\u{1680}'
            | '\u{2000}'..='\u{2006}'
            | '\u{2008}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// Whether a parameter value counts as absent: empty or only (Java) whitespace.
///
/// Such a parameter is left out of the request and of the signature.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(is_java_whitespace)
}

/// Builds the string that is digested: sorted `key + value` pairs, then the body.
///
/// Duplicate keys keep the last value, as the SDK's `TreeMap` does.
fn string_to_sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> String {
    // BTreeMap<&str, _> orders keys by byte order, which is what the gateway uses.
    let sorted: BTreeMap<&str, &str> = params
        .into_iter()
        .filter(|(k, v)| *k != "sign" && !is_blank(k) && !is_blank(v))
        .collect();
    let mut s = String::with_capacity(sorted.iter().map(|(k, v)| k.len() + v.len()).sum());
    for (k, v) in sorted {
        s.push_str(k);
        s.push_str(v);
    }
    if let Some(body) = body {
        s.push_str(body);
    }
    s
}

/// Signs a request.
///
/// `params` are all parameters that will be sent, system and API ones alike (including
/// `sign_method`, `session`, `partner_id`, `simplify`, `target_app_key`); `sign` itself and
/// blank values (see [`is_blank`]) are skipped here, so passing them is harmless. `body` is a
/// raw request body that is signed too (Qimen body mode); `None` for form requests.
///
/// Returns the uppercase hex digest.
pub fn sign(
    params: &[(&str, &str)],
    body: Option<&str>,
    secret: &str,
    method: SignMethod,
) -> String {
    sign_iter(params.iter().copied(), body, secret, method)
}

/// [`sign`] over a map of owned parameters.
pub fn sign_map(
    params: &BTreeMap<String, String>,
    body: Option<&str>,
    secret: &str,
    method: SignMethod,
) -> String {
    sign_iter(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
        secret,
        method,
    )
}

/// [`sign`] over any iterator of borrowed `(key, value)` pairs.
pub fn sign_iter<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
    secret: &str,
    method: SignMethod,
) -> String {
    let data = string_to_sign(params, body);
    match method {
        SignMethod::Md5 => {
            let mut h = Md5::new();
            h.update(secret.as_bytes());
            h.update(data.as_bytes());
            h.update(secret.as_bytes());
            hex::encode_upper(h.finalize())
        }
        SignMethod::Hmac => hmac_hex::<Hmac<Md5>>(secret, &data),
        SignMethod::HmacSha256 => hmac_hex::<Hmac<Sha256>>(secret, &data),
    }
}

fn hmac_hex<M: Mac + KeyInit>(secret: &str, data: &str) -> String {
    // HMAC accepts keys of any length (long keys are hashed, short ones padded), so
    // `new_from_slice` cannot fail here; fall back to an empty digest string rather than
    // panicking should that ever change.
    match <M as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            hex::encode_upper(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Taobao's documentation example (md5, secret `test`).
    #[test]
    fn taobao_doc_md5_vector() {
        let params = [
            ("app_key", "test"),
            ("fields", "nick"),
            ("format", "xml"),
            ("method", "taobao.user.seller.get"),
            ("session", "test"),
            ("sign_method", "md5"),
            ("timestamp", "2013-05-06 13:52:03"),
            ("v", "2.0"),
        ];
        assert_eq!(
            sign(&params, None, "test", SignMethod::Md5),
            "72CB4D809B375A54502C09360D879C64"
        );
    }

    fn helloworld(sign_method: &'static str) -> Vec<(&'static str, &'static str)> {
        // Deliberately unsorted: signing must sort.
        vec![
            ("method", "tmall.fin.car.open.bill.notify"),
            ("app_key", "12345678"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("format", "json"),
            ("v", "2.0"),
            ("partner_id", "top-sdk-java-20200706"),
            ("simplify", "true"),
            ("sign_method", sign_method),
            ("bill_no", "B20160101001"),
            ("amount", "10000"),
            ("paid", "true"),
            ("gmt_pay", "2016-01-01 11:59:59"),
            ("extra", r#"{"name":"张三","list":[{"k":"v"}]}"#),
        ]
    }

    #[test]
    fn helloworld_md5() {
        assert_eq!(
            sign(&helloworld("md5"), None, "helloworld", SignMethod::Md5),
            "E3C75DF0093C819B7FD11D1E8CD8B156"
        );
    }

    #[test]
    fn helloworld_hmac() {
        assert_eq!(
            sign(&helloworld("hmac"), None, "helloworld", SignMethod::Hmac),
            "0551A5557A8E2628156664CFBDECA449"
        );
    }

    #[test]
    fn helloworld_hmac_sha256() {
        assert_eq!(
            sign(
                &helloworld("hmac-sha256"),
                None,
                "helloworld",
                SignMethod::HmacSha256
            ),
            "E27D04119C989DB5A432A3F704167BFC58BFC03DC6DC43E5F4380B6BCE412D5D"
        );
    }

    #[test]
    fn sign_map_matches_slice() {
        let map: BTreeMap<String, String> = helloworld("hmac")
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(
            sign_map(&map, None, "helloworld", SignMethod::Hmac),
            "0551A5557A8E2628156664CFBDECA449"
        );
    }

    #[test]
    fn sign_and_blank_values_are_skipped() {
        let mut params = helloworld("md5");
        params.push(("sign", "WHATEVER"));
        params.push(("empty", ""));
        params.push(("spaces", " \t\u{3000}\r\n"));
        assert_eq!(
            sign(&params, None, "helloworld", SignMethod::Md5),
            "E3C75DF0093C819B7FD11D1E8CD8B156"
        );
    }

    #[test]
    fn string_to_sign_sorts_by_bytes_and_appends_body() {
        let s = string_to_sign(
            [("b", "2"), ("B", "1"), ("a_b", "3"), ("ab", "4")],
            Some("{}"),
        );
        // '_' (0x5F) sorts before 'b' (0x62); uppercase before lowercase.
        assert_eq!(s, "B1a_b3ab4b2{}");
    }

    #[test]
    fn body_changes_signature() {
        let p = [("a", "1")];
        assert_ne!(
            sign(&p, None, "s", SignMethod::Md5),
            sign(&p, Some("body"), "s", SignMethod::Md5)
        );
        // md5("s" + "a1" + "body" + "s")
        assert_eq!(
            sign(&p, Some("body"), "s", SignMethod::Md5),
            hex::encode_upper(Md5::digest(b"sa1bodys"))
        );
    }

    #[test]
    fn duplicate_keys_keep_last() {
        assert_eq!(string_to_sign([("a", "1"), ("a", "2")], None), "a2");
    }

    #[test]
    fn java_whitespace_semantics() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\n\u{001F}\u{3000}"));
        // No-break spaces are not whitespace for Java, so such a value is sent.
        assert!(!is_blank("\u{00A0}"));
        assert!(!is_blank("\u{202F}"));
        assert!(!is_blank(" x "));
    }

    #[test]
    fn sign_method_strings_round_trip() {
        for m in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            assert_eq!(m.as_str().parse::<SignMethod>(), Ok(m));
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!(SignMethod::default(), SignMethod::HmacSha256);
        let err = "HMAC".parse::<SignMethod>().unwrap_err();
        assert!(err.to_string().contains("\"HMAC\""));
    }
}
