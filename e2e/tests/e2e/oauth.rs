//! A seller's session against the fake gateway: the authorize URL, the code exchange and the
//! refresh (the runtime's own request types), and `Sessions::execute_for_seller` — one
//! refresh for 64 concurrent calls of an expiring token, and the `code 27` rule (one refresh
//! and one retry, a second 27 returned with no third request).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use top_apis::TaobaoAliautoRiskInfoTmallYcServiceSyncRequest as RiskSync;
use top_e2e::wire::parse_form;
use top_e2e::{Expect, FakeGateway, Param, Reply, Route, SeenRequest, TimestampCheck};
use top_runtime::oauth::{
    AccessToken, AuthorizeHost, AuthorizeUrl, AuthorizeView, MemorySessionStore, OAuthError,
    SessionError, Sessions,
};
use top_runtime::{ApiRequest, Gateway, TopClient};

use crate::seeds::*;

const CREATE: &str = "taobao.top.auth.token.create";
const REFRESH: &str = "taobao.top.auth.token.refresh";
const CODE: &str = "e2e-auth-code-0xyz";
const SELLER: &str = "2054970018";

/// Access and refresh tokens of generation `n`.
fn access(n: usize) -> String {
    format!("e2e-access-token-{n}")
}

fn refresh(n: usize) -> String {
    format!("e2e-refresh-token-{n}")
}

/// The answer of `method` holding the token of generation `n`, valid for a day.
fn token_answer(method: &str, n: usize) -> Reply {
    let token_result = json!({
        "access_token": access(n), "refresh_token": refresh(n), "token_type": "Bearer",
        "expires_in": "86400", "re_expires_in": 2592000,
        "taobao_user_id": SELLER, "taobao_user_nick": "%E5%95%86%E5%AE%B6",
    });
    let key = top_runtime::response::response_key(method);
    Reply::json(
        json!({key: {"token_result": token_result.to_string(), "request_id": "e2e-oauth"}})
            .to_string(),
    )
}

fn invalid_session() -> Reply {
    Reply::top_error(
        27,
        "Invalid session",
        "invalid-sessionkey",
        "SessionKey非法",
        "e2e-27",
    )
}

/// What a request of `method` with `params` must look like.
fn expect(method: &str, session: Option<String>, params: Vec<(String, Param)>) -> Expect {
    Expect {
        method: method.to_owned(),
        session,
        params,
        ..crate::seeds::expect::<RiskSync>(&Setup::default(), TimestampCheck::NearNow)
    }
}

fn get(request: &SeenRequest, name: &str) -> Option<String> {
    let query = request.query().ok()?;
    query.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The fake TOP's state: the generation of the valid token, and how often it refreshed.
#[derive(Default)]
struct Top {
    generation: Mutex<usize>,
    refreshes: AtomicUsize,
    /// Answer every risk call with 27, whatever its session.
    always_27: bool,
    /// Refuse every refresh.
    refuse_refresh: bool,
}

impl Top {
    fn valid(&self) -> usize {
        *self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The route of one request: code exchange, refresh (slow, so that concurrent calls
    /// overlap it) or the risk API, answered 27 unless its session is the valid token.
    fn route(&self, request: &SeenRequest) -> Route {
        let method = get(request, "method").unwrap_or_default();
        match method.as_str() {
            CREATE => Route {
                expect: expect(
                    CREATE,
                    None,
                    vec![("code".into(), Param::Text(CODE.into()))],
                ),
                answer: token_answer(CREATE, self.valid()).into(),
            },
            REFRESH => {
                self.refreshes.fetch_add(1, Ordering::SeqCst);
                let current = self.valid();
                let expect = expect(
                    REFRESH,
                    None,
                    vec![("refresh_token".into(), Param::Text(refresh(current)))],
                );
                let answer = if self.refuse_refresh {
                    Reply::top_error(
                        15,
                        "Remote service error",
                        "isv.refresh-token-expired",
                        "刷新令牌已过期",
                        "e2e-r",
                    )
                } else {
                    *self
                        .generation
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = current + 1;
                    token_answer(REFRESH, current + 1)
                };
                Route {
                    expect,
                    answer: answer.delayed(Duration::from_millis(150)).into(),
                }
            }
            _ => {
                let session = get(request, "session");
                let ok =
                    !self.always_27 && session.as_deref() == Some(access(self.valid()).as_str());
                Route {
                    expect: Expect {
                        session,
                        ..crate::seeds::expect::<RiskSync>(
                            &Setup::default(),
                            TimestampCheck::NearNow,
                        )
                    },
                    answer: if ok {
                        Reply::json(RiskSync::json_success()).into()
                    } else {
                        invalid_session().into()
                    },
                }
            }
        }
    }
}

fn start(top: &Arc<Top>) -> FakeGateway {
    let router = Arc::clone(top);
    FakeGateway::builder(
        crate::seeds::expect::<RiskSync>(&Setup::default(), TimestampCheck::NearNow),
        Reply::json("{}"),
    )
    .route(move |request| router.route(request))
    .start()
    .expect("the fake gateway starts")
}

fn client(gateway: &FakeGateway) -> TopClient {
    TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gateway.url()))
        .build()
        .expect("the client builds")
}

/// The token of generation `n` as stored, expiring in `expires_in`.
fn stored(n: usize, expires_in: SignedDuration) -> AccessToken {
    let now = Timestamp::now();
    AccessToken::new(access(n))
        .with_refresh_token(refresh(n))
        .with_expires_at(now + expires_in)
        .with_refresh_expires_at(now + SignedDuration::from_hours(24 * 30))
        .with_user(SELLER, None)
}

/// The methods the gateway received, in order, with the session each carried.
fn sequence(gateway: &FakeGateway) -> Vec<(String, Option<String>)> {
    gateway
        .received()
        .iter()
        .map(|r| {
            (
                get(&r.request, "method").unwrap_or_default(),
                get(&r.request, "session"),
            )
        })
        .collect()
}

#[test]
fn the_authorize_url_carries_every_value_encoded() {
    let url = AuthorizeUrl::new(APP_KEY, "https://shop.example/cb?from=top&x=张三")
        .state("csrf 1&2")
        .view(AuthorizeView::Web)
        .host(AuthorizeHost::Sandbox)
        .to_string();
    let (endpoint, query) = url.split_once('?').expect("a query");
    assert_eq!(endpoint, "https://oauth.tbsandbox.com/authorize");
    // Read back with the gateway's own decoder, which refuses anything left unescaped.
    let pairs = parse_form(query).expect("every value is encoded");
    let want = [
        ("response_type", "code"),
        ("client_id", APP_KEY),
        ("redirect_uri", "https://shop.example/cb?from=top&x=张三"),
        ("state", "csrf 1&2"),
        ("view", "web"),
    ];
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(pairs, want);
    assert!(
        AuthorizeUrl::new(APP_KEY, "r")
            .to_string()
            .starts_with("https://oauth.taobao.com/authorize?")
    );
}

#[tokio::test]
async fn a_code_is_exchanged_and_the_token_refreshed() {
    let top = Arc::new(Top::default());
    let gateway = start(&top);
    let client = client(&gateway);
    let token = client
        .exchange_code(CODE)
        .await
        .expect("the code is exchanged");
    assert_eq!(token.access_token().expose(), access(0));
    assert_eq!(
        (token.user_id(), token.user_nick()),
        (Some(SELLER), Some("商家"))
    );
    let in_a_day = Timestamp::now() + SignedDuration::from_hours(24);
    let expires = token.expires_at().expect("an expiry");
    assert!(
        expires.duration_since(in_a_day).abs() < SignedDuration::from_secs(60),
        "{expires}"
    );

    let renewed = client.refresh_token(&token).await.expect("refreshed");
    assert_eq!(renewed.access_token().expose(), access(1));
    assert_eq!(
        renewed.refresh_token().map(|t| t.expose()),
        Some(refresh(1).as_str())
    );
    gateway.check(2).expect("two valid requests");
    assert_eq!(
        sequence(&gateway),
        [(CREATE.to_owned(), None), (REFRESH.to_owned(), None)]
    );

    // A token without a refresh token is never sent for renewal.
    let error = client
        .refresh_token(&AccessToken::new("x"))
        .await
        .expect_err("nothing to refresh with");
    assert!(matches!(error, OAuthError::CannotRefresh), "{error:?}");
    assert_eq!(gateway.request_count(), 2);
}

#[tokio::test]
async fn sixty_four_concurrent_calls_of_an_expiring_token_make_one_refresh() {
    let top = Arc::new(Top::default());
    let gateway = start(&top);
    let store = MemorySessionStore::new();
    // Within the 5-minute margin: due for a refresh.
    store.insert(SELLER, stored(0, SignedDuration::from_secs(60)));
    let sessions = Sessions::new(client(&gateway), store.clone());
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let sessions = sessions.clone();
            tokio::spawn(async move {
                sessions
                    .execute_for_seller(&example::<RiskSync>(), SELLER)
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("the task ran")
            .expect("the call succeeds");
    }
    assert_eq!(top.refreshes.load(Ordering::SeqCst), 1);
    gateway
        .check(65)
        .expect("64 calls and one refresh, all valid");
    let calls = sequence(&gateway);
    assert_eq!(calls.iter().filter(|(m, _)| m == REFRESH).count(), 1);
    assert!(
        calls
            .iter()
            .filter(|(m, _)| m == RiskSync::METHOD)
            .all(|(_, session)| session.as_deref() == Some(access(1).as_str())),
        "every call carries the renewed token: {calls:?}"
    );
    let kept = store.get(SELLER).expect("stored");
    assert_eq!(kept.access_token().expose(), access(1));
}

#[tokio::test]
async fn code_27_makes_one_refresh_and_one_retry() {
    let top = Arc::new(Top::default());
    // The gateway already renewed: generation 0 is no longer valid.
    *top.generation
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = 0;
    let gateway = start(&top);
    let store = MemorySessionStore::new();
    // Far from expiry, but the gateway will not take it.
    let revoked = AccessToken::new("e2e-revoked")
        .with_refresh_token(refresh(0))
        .with_expires_at(Timestamp::now() + SignedDuration::from_hours(20));
    store.insert(SELLER, revoked);
    let sessions = Sessions::new(client(&gateway), store.clone());
    sessions
        .execute_for_seller(&example::<RiskSync>(), SELLER)
        .await
        .expect("the retry succeeds");
    gateway.check(3).expect("three valid requests");
    assert_eq!(
        sequence(&gateway),
        [
            (RiskSync::METHOD.to_owned(), Some("e2e-revoked".to_owned())),
            (REFRESH.to_owned(), None),
            (RiskSync::METHOD.to_owned(), Some(access(1))),
        ]
    );
    assert_eq!(gateway.answers(), ["200", "200", "200"]);
    assert_eq!(
        store.get(SELLER).expect("stored").access_token().expose(),
        access(1)
    );
}

#[tokio::test]
async fn a_second_code_27_is_returned_without_a_third_request() {
    let top = Arc::new(Top {
        always_27: true,
        ..Top::default()
    });
    let gateway = start(&top);
    let store = MemorySessionStore::new();
    store.insert(SELLER, stored(0, SignedDuration::from_hours(20)));
    let sessions = Sessions::new(client(&gateway), store);
    let error = sessions
        .execute_for_seller(&example::<RiskSync>(), SELLER)
        .await
        .expect_err("27 twice");
    let SessionError::Call(call) = &error else {
        panic!("the call's error: {error:?}");
    };
    assert_eq!(call.api_error().and_then(|e| e.code_i64()), Some(27));
    gateway.check(3).expect("call, refresh, retry");
    let methods: Vec<String> = sequence(&gateway).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, [RiskSync::METHOD, REFRESH, RiskSync::METHOD]);
}

#[tokio::test]
async fn a_failed_refresh_is_an_error_and_the_stored_token_is_kept() {
    let top = Arc::new(Top {
        refuse_refresh: true,
        ..Top::default()
    });
    let gateway = start(&top);
    let store = MemorySessionStore::new();
    let due = stored(0, SignedDuration::from_secs(30));
    store.insert(SELLER, due.clone());
    let sessions = Sessions::new(client(&gateway), store.clone());
    let error = sessions
        .execute_for_seller(&example::<RiskSync>(), SELLER)
        .await
        .expect_err("the refresh fails");
    let SessionError::Refresh { seller, error: why } = &error else {
        panic!("a refresh error: {error:?}");
    };
    assert_eq!(seller, SELLER);
    assert!(
        why.to_string().contains("isv.refresh-token-expired"),
        "{why}"
    );
    assert!(!error.to_string().contains(&refresh(0)), "{error}");
    assert_eq!(store.get(SELLER), Some(due));
    // Only the refresh was sent: the call was not made with a token about to lapse.
    let methods: Vec<String> = sequence(&gateway).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, [REFRESH]);
    let missing = sessions
        .execute_for_seller(&example::<RiskSync>(), "nobody")
        .await
        .expect_err("no token");
    assert!(
        matches!(missing, SessionError::NoToken { .. }),
        "{missing:?}"
    );
}
