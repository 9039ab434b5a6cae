//! `AccessToken::from_token_result` on any bytes: the `token_result` text TOP answers, the
//! older endpoint's JSON, or garbage.
//!
//! Invariants: nothing panics; reading is deterministic; an error renders with a snippet of
//! at most 200 characters (and an ellipsis); and a distinctive access token (16 characters
//! or more, occurring once in the input) shows in no error, no `Debug` and no `Display`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use top_runtime::oauth::AccessToken;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let received = jiff::Timestamp::UNIX_EPOCH;
    let read = AccessToken::from_token_result_at(&text, received);
    assert_eq!(
        read,
        AccessToken::from_token_result_at(&text, received),
        "deterministic"
    );
    let secret = distinctive_token(&text);
    match read {
        Ok(token) => {
            let shown = format!("{token:?} {token:#?} {token}");
            if let Some(secret) = &secret
                && !others(&token).contains(secret.as_str())
            {
                assert!(!shown.contains(secret.as_str()), "the token shows: {shown}");
            }
        }
        Err(error) => {
            assert!(error.snippet().chars().count() <= 201, "{error:?}");
            let shown = format!("{error} {error:?}");
            if let Some(secret) = &secret {
                assert!(!shown.contains(secret.as_str()), "the token shows: {shown}");
            }
        }
    }
});

/// An `access_token` member's value that is long and occurs once in the text (so that no
/// other member could legitimately show the same characters).
fn distinctive_token(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let token = value.get("access_token")?.as_str()?.to_owned();
    (token.chars().count() >= 16 && text.matches(token.as_str()).count() == 1).then_some(token)
}

/// What the token shows besides its secrets: where the same characters may rightly appear.
fn others(token: &AccessToken) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} AccessToken access_token refresh_token <redacted>",
        token.token_type(),
        token.expires_at(),
        token.refresh_expires_at(),
        token.user_id(),
        token.user_nick(),
        token.sub_user_id(),
        token.open_uid(),
        token.sub_user_nick(),
    )
}
