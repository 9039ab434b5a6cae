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
    // Every value sent is checked; almost all start with a printable ASCII character, which
    // settles it without decoding a char.
    match value.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => value.chars().all(is_java_whitespace),
    }
}

/// How many parameters are sorted on the stack; a request with more spills into a `Vec`.
///
/// A TOP call has six to ten system parameters and usually a handful of API ones.
const INLINE_PARAMS: usize = 24;

/// Calls `feed` with each piece of the string that is digested, in order: sorted `key`,
/// `value` pairs, then the body. The string itself is never built.
///
/// Duplicate keys keep the last value, as the SDK's `TreeMap` does.
fn canonical_pieces<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
    mut feed: impl FnMut(&[u8]),
) {
    let mut inline = [("", ""); INLINE_PARAMS];
    let mut len = 0;
    let mut spilled: Vec<(&str, &str)> = Vec::new();
    for (k, v) in params {
        if k == "sign" || is_blank(k) || is_blank(v) {
            continue;
        }
        if len < INLINE_PARAMS {
            inline[len] = (k, v);
            len += 1;
        } else {
            if spilled.is_empty() {
                spilled.extend_from_slice(&inline);
            }
            spilled.push((k, v));
        }
    }
    let sorted = if spilled.is_empty() {
        &mut inline[..len]
    } else {
        &mut spilled[..]
    };
    // Byte order of the keys (`str`'s `Ord`), which is what the gateway uses. Stable, so
    // that of equal keys the last one given stays last; and for this few elements the
    // standard sort is an insertion sort that allocates nothing.
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (k, v)) in sorted.iter().enumerate() {
        if sorted.get(i + 1).is_some_and(|next| next.0 == *k) {
            continue;
        }
        feed(k.as_bytes());
        feed(v.as_bytes());
    }
    if let Some(body) = body {
        feed(body.as_bytes());
    }
}

/// Builds the string that is digested (tests only: signing feeds the pieces to the hasher).
#[cfg(test)]
fn string_to_sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> String {
    let mut s = Vec::new();
    canonical_pieces(params, body, |piece| s.extend_from_slice(piece));
    String::from_utf8(s).expect("pieces of UTF-8 strings")
}

/// A signature: the uppercase hex digest, held inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    hex: [u8; 64],
    len: u8,
}

impl Signature {
    fn of(digest: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0F)];
        }
        Signature {
            hex,
            // At most 32 bytes of digest (SHA-256), so at most 64 hex digits.
            len: (digest.len().min(32) * 2) as u8,
        }
    }

    /// The value of the `sign` parameter.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written, so this never falls back.
        std::str::from_utf8(&self.hex[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signature is sent in the clear, so showing it is harmless.
impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.as_str())
    }
}

/// Signs requests with one secret and one method, keyed once.
///
/// HMAC keying (hashing the padded key into the inner and outer states) costs two blocks
/// of the hash whatever the message; a `Signer` does it when it is made and clones the
/// keyed state for each request, which is what a client that signs every call wants.
/// `Debug` shows the method only: the keyed state is as good as the secret.
///
/// ```
/// use top_runtime::sign::{sign, SignMethod, Signer};
/// let signer = Signer::new("helloworld", SignMethod::HmacSha256);
/// let params = [("method", "a.b.c"), ("app_key", "1")];
/// assert_eq!(
///     signer.sign(params, None).as_str(),
///     sign(&params, None, "helloworld", SignMethod::HmacSha256)
/// );
/// assert!(!format!("{signer:?}").contains("helloworld"));
/// ```
#[derive(Clone)]
pub struct Signer {
    keyed: Keyed,
}

#[derive(Clone)]
enum Keyed {
    /// MD5 over `secret + string + secret`: the state after the leading secret, and the
    /// secret again for the end.
    Md5 {
        prefixed: Md5,
        secret: Box<[u8]>,
    },
    Hmac(Hmac<Md5>),
    HmacSha256(Hmac<Sha256>),
}

/// Keys an HMAC. It takes keys of any length (long keys are hashed, short ones padded):
/// `hmac`'s own `KeyInit::new` relies on this with the same `expect`.
fn keyed<M: Mac + KeyInit>(secret: &str) -> M {
    <M as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length")
}

impl Signer {
    /// Keys a signer with the app secret.
    pub fn new(secret: &str, method: SignMethod) -> Self {
        let keyed = match method {
            SignMethod::Md5 => {
                let mut prefixed = Md5::new();
                prefixed.update(secret.as_bytes());
                Keyed::Md5 {
                    prefixed,
                    secret: secret.as_bytes().into(),
                }
            }
            SignMethod::Hmac => Keyed::Hmac(keyed(secret)),
            SignMethod::HmacSha256 => Keyed::HmacSha256(keyed(secret)),
        };
        Signer { keyed }
    }

    /// The sign method.
    pub fn method(&self) -> SignMethod {
        match self.keyed {
            Keyed::Md5 { .. } => SignMethod::Md5,
            Keyed::Hmac(_) => SignMethod::Hmac,
            Keyed::HmacSha256(_) => SignMethod::HmacSha256,
        }
    }

    /// Signs `params` and `body` as [`sign`] does, without building the string to sign:
    /// the sorted pieces go straight into the keyed hash.
    pub fn sign<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: Option<&str>,
    ) -> Signature {
        match &self.keyed {
            Keyed::Md5 { prefixed, secret } => {
                let mut h = prefixed.clone();
                canonical_pieces(params, body, |piece| h.update(piece));
                h.update(secret);
                Signature::of(&h.finalize())
            }
            Keyed::Hmac(mac) => mac_signature(mac.clone(), params, body),
            Keyed::HmacSha256(mac) => mac_signature(mac.clone(), params, body),
        }
    }
}

fn mac_signature<'a, M: Mac>(
    mut mac: M,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> Signature {
    canonical_pieces(params, body, |piece| mac.update(piece));
    Signature::of(&mac.finalize().into_bytes())
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("method", &self.method())
            .finish_non_exhaustive()
    }
}

/// Signs a request.
///
/// `params` are all parameters that will be sent, system and API ones alike (including
/// `sign_method`, `session`, `partner_id`, `simplify`, `target_app_key`); `sign` itself and
/// blank values (see [`is_blank`]) are skipped here, so passing them is harmless. `body` is a
/// raw request body that is signed too (Qimen body mode); `None` for form requests.
///
/// Returns the uppercase hex digest. To sign many requests with one secret, key a
/// [`Signer`] once instead.
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
    Signer::new(secret, method)
        .sign(params, body)
        .as_str()
        .to_owned()
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

    /// More parameters than are sorted on the stack: the same string as a `BTreeMap` gives,
    /// duplicates still keeping the last value.
    #[test]
    fn many_params_spill_and_still_sort() {
        let owned: Vec<(String, String)> = (0..3 * INLINE_PARAMS)
            .map(|i| (format!("k{:02}", (i * 7) % 50), format!("v{i}")))
            .collect();
        let params: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let want: String = params
            .iter()
            .copied()
            .collect::<BTreeMap<&str, &str>>()
            .into_iter()
            .map(|(k, v)| format!("{k}{v}"))
            .collect();
        assert_eq!(string_to_sign(params.iter().copied(), None), want);
        assert_eq!(
            sign(&params, None, "s", SignMethod::Md5),
            hex::encode_upper(Md5::digest(format!("s{want}s").as_bytes()))
        );
    }

    #[test]
    fn a_signer_signs_like_sign_and_shows_no_secret() {
        for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            let signer = Signer::new("helloworld", method);
            assert_eq!(signer.method(), method);
            let params = helloworld(method.as_str());
            let signature = signer.sign(params.iter().copied(), None);
            assert_eq!(
                signature.as_str(),
                sign(&params, None, "helloworld", method)
            );
            // Keyed once, usable again: the keyed state is cloned per request.
            assert_eq!(signer.sign(params.iter().copied(), None), signature);
            assert_eq!(signature.to_string(), signature.as_str());
            assert!(format!("{signature:?}").contains(signature.as_str()));
            let debug = format!("{signer:?}");
            assert!(!debug.contains("helloworld"), "{debug}");
            assert!(debug.contains(&format!("{method:?}")), "{debug}");
        }
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
