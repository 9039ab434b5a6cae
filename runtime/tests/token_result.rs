//! `AccessToken::from_token_result`: the documented fields, lenient reading (numbers as
//! strings, fields missing, unknown ones), the older endpoint's answer, and garbage as typed
//! errors that never show a token.

use jiff::Timestamp;
use top_runtime::oauth::{AccessToken, TokenErrorKind};

fn at(text: &str) -> Timestamp {
    text.parse().expect("an RFC 3339 instant")
}

fn ms(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).expect("in range")
}

/// Every documented field, as `taobao.top.auth.token.create` answers (inside the API answer,
/// `token_result` is this object as text).
const DOCUMENTED: &str = r#"{
  "w1_expires_in": 1800,
  "refresh_token_valid_time": 1446781012398,
  "taobao_user_nick": "%E5%95%86%E5%AE%B6%E6%B5%8B%E8%AF%95%E5%B8%90%E5%8F%B717",
  "re_expires_in": 2592000,
  "expire_time": 1446785212398,
  "token_type": "Bearer",
  "access_token": "6200e17f8ed7c89ZZ1b6f0d1b24ca3bfe3a3fb8c60d7ac2054970018",
  "open_uid": "AAHm5d-EAAeGwJedwSHpg8bT",
  "w1_valid": 1446701012398,
  "refresh_token": "6201e179ca03ZZ7f0d1b24ca3bfe3a3fb8c60d7ac2054970018",
  "w2_expires_in": 0,
  "w2_valid": 1446699212398,
  "r1_expires_in": 1800,
  "r2_expires_in": 0,
  "r2_valid": 1446699212398,
  "r1_valid": 1446701012398,
  "taobao_user_id": "2054970018",
  "expires_in": 86400,
  "sub_taobao_user_id": "2200000000001",
  "sub_taobao_user_nick": "%E5%95%86%E5%AE%B6%3A%E5%AE%A2%E6%9C%8D"
}"#;

#[test]
fn the_documented_token_result() {
    let token = AccessToken::from_token_result(DOCUMENTED).expect("reads");
    assert_eq!(
        token.access_token().expose(),
        "6200e17f8ed7c89ZZ1b6f0d1b24ca3bfe3a3fb8c60d7ac2054970018"
    );
    assert_eq!(
        token.refresh_token().map(|t| t.expose()),
        Some("6201e179ca03ZZ7f0d1b24ca3bfe3a3fb8c60d7ac2054970018")
    );
    assert_eq!(token.token_type(), Some("Bearer"));
    // Absolute instants win over the relative seconds.
    assert_eq!(token.expires_at(), Some(ms(1446785212398)));
    assert_eq!(token.refresh_expires_at(), Some(ms(1446781012398)));
    assert_eq!(token.r1_expires_at(), Some(ms(1446701012398)));
    assert_eq!(token.r2_expires_at(), Some(ms(1446699212398)));
    assert_eq!(token.w1_expires_at(), Some(ms(1446701012398)));
    assert_eq!(token.w2_expires_at(), Some(ms(1446699212398)));
    assert_eq!(token.user_id(), Some("2054970018"));
    assert_eq!(token.user_nick(), Some("商家测试帐号17"));
    assert_eq!(token.sub_user_id(), Some("2200000000001"));
    assert_eq!(token.sub_user_nick(), Some("商家:客服"));
    assert_eq!(token.open_uid(), Some("AAHm5d-EAAeGwJedwSHpg8bT"));

    // The same object as the API answers it: as `token_result` text, whole or unwrapped.
    let text = serde_json::to_string(DOCUMENTED).expect("a JSON string");
    let wrapped = format!(
        r#"{{"top_auth_token_create_response":{{"token_result":{text},"request_id":"r"}}}}"#
    );
    assert_eq!(AccessToken::from_token_result(&wrapped), Ok(token.clone()));
    let member = format!(r#"{{"token_result":{text}}}"#);
    assert_eq!(AccessToken::from_token_result(&member), Ok(token.clone()));

    // Neither Debug nor Display shows a token.
    for shown in [
        format!("{token:?}"),
        format!("{token:#?}"),
        token.to_string(),
    ] {
        assert!(
            !shown.contains("6200e17f") && !shown.contains("6201e179"),
            "{shown}"
        );
    }
    assert!(
        token.to_string().contains("商家测试帐号17 (2054970018)"),
        "{token}"
    );
}

#[test]
fn numbers_as_strings_and_missing_fields() {
    let received = at("2026-03-01T00:00:00Z");
    let token = AccessToken::from_token_result_at(
        r#"{"access_token":"a1","expires_in":"3600","re_expires_in":"7200","expire_time":"",
            "taobao_user_id":2054970018123456789,"unknown":{"x":[1]}}"#,
        received,
    )
    .expect("reads");
    assert_eq!(token.expires_at(), Some(at("2026-03-01T01:00:00Z")));
    assert_eq!(token.refresh_expires_at(), Some(at("2026-03-01T02:00:00Z")));
    // An id beyond 2^53 kept exactly, as text.
    assert_eq!(token.user_id(), Some("2054970018123456789"));
    assert_eq!(token.refresh_token(), None);
    assert_eq!(token.user_nick(), None);
    assert_eq!(token.r1_expires_at(), None);
    assert!(!token.can_refresh_at(received));

    // Only the access token is needed.
    let bare = AccessToken::from_token_result(r#"{"access_token":"a2"}"#).expect("reads");
    assert_eq!(bare.expires_at(), None);
    assert!(!bare.is_expired_at(at("2100-01-01T00:00:00Z")));
    // A nick that is no valid encoding is kept as it came.
    let raw = AccessToken::from_token_result(r#"{"access_token":"a","taobao_user_nick":"张%三"}"#)
        .expect("reads");
    assert_eq!(raw.user_nick(), Some("张%三"));
}

#[test]
fn the_older_endpoint_answer_and_its_refusals() {
    let token = AccessToken::from_token_result(
        r#"{"access_token":"b1","token_type":"Bearer","expires_in":86400,"refresh_token":"b2",
            "re_expires_in":0,"taobao_user_id":"1","taobao_user_nick":"abc"}"#,
    )
    .expect("reads");
    assert_eq!(token.user_nick(), Some("abc"));
    let refused = AccessToken::from_token_result(
        r#"{"error":"invalid_grant","error_description":"authorize code expire"}"#,
    )
    .unwrap_err();
    assert_eq!(
        refused.kind(),
        &TokenErrorKind::Refused {
            error: "invalid_grant".into(),
            description: Some("authorize code expire".into())
        }
    );
    let api = AccessToken::from_token_result(
        r#"{"error_response":{"code":15,"msg":"Remote service error","sub_msg":"code 已失效"}}"#,
    )
    .unwrap_err();
    assert!(matches!(api.kind(), TokenErrorKind::Refused { error, .. } if error == "15"));
    assert!(api.to_string().contains("code 已失效"), "{api}");
}

/// What a case must be.
type Expected = fn(&TokenErrorKind) -> bool;

#[test]
fn garbage_is_a_typed_error_with_a_masked_snippet() {
    let cases: [(&str, Expected); 12] = [
        ("", |k| matches!(k, TokenErrorKind::Empty)),
        ("   \n", |k| matches!(k, TokenErrorKind::Empty)),
        ("<html>502</html>", |k| {
            matches!(k, TokenErrorKind::NotJson(_))
        }),
        (r#"{"access_token":"SECRET-1""#, |k| {
            matches!(k, TokenErrorKind::NotJson(_))
        }),
        ("[1,2]", |k| matches!(k, TokenErrorKind::NotObject)),
        (r#""access_token""#, |k| {
            matches!(k, TokenErrorKind::NotObject)
        }),
        (r#"{"token_result":"not json SECRET-1"}"#, |k| {
            matches!(k, TokenErrorKind::NotJson(_))
        }),
        (r#"{"token_result":7}"#, |k| {
            matches!(k, TokenErrorKind::NotObject)
        }),
        (r#"{"refresh_token":"SECRET-1"}"#, |k| {
            matches!(k, TokenErrorKind::MissingAccessToken)
        }),
        (r#"{"access_token":"  "}"#, |k| {
            matches!(k, TokenErrorKind::MissingAccessToken)
        }),
        (
            r#"{"access_token":"SECRET-1","expires_in":"soon"}"#,
            |k| matches!(k, TokenErrorKind::Field { path, .. } if path == "expires_in"),
        ),
        (
            r#"{"access_token":"SECRET-1","expire_time":99999999999999999}"#,
            |k| matches!(k, TokenErrorKind::Field { path, .. } if path == "expire_time"),
        ),
    ];
    for (text, expected) in cases {
        let error = AccessToken::from_token_result(text).unwrap_err();
        assert!(expected(error.kind()), "{text:?}: {error:?}");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("SECRET-1"), "{text:?}: {shown}");
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        AccessToken::from_token_result(&deep).unwrap_err().kind(),
        TokenErrorKind::NotJson(_)
    ));
    // The snippet shows where it went wrong, tokens masked.
    let error = AccessToken::from_token_result(r#"{"access_token":"SECRET-1","expires_in":[]}"#)
        .unwrap_err();
    assert!(
        error.snippet().contains("<redacted>"),
        "{}",
        error.snippet()
    );
    assert!(
        error.snippet().contains("expires_in"),
        "{}",
        error.snippet()
    );
}

#[test]
fn tokens_built_by_hand() {
    let expiry = at("2026-01-01T00:00:00Z");
    let token = AccessToken::new("c1")
        .with_refresh_token("c2")
        .with_expires_at(expiry)
        .with_refresh_expires_at(at("2026-02-01T00:00:00Z"))
        .with_user("42", Some("nick"));
    assert!(token.is_expired_at(expiry));
    assert!(token.can_refresh_at(expiry));
    assert!(!token.can_refresh_at(at("2026-02-01T00:00:00Z")));
    assert_eq!(
        (token.user_id(), token.user_nick()),
        (Some("42"), Some("nick"))
    );
    assert!(!format!("{token:?}").contains("c1"));
}
