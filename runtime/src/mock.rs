//! [`MockTransport`]: a [`Transport`] that checks each request as the gateway does and
//! answers it from rules, for unit tests without a gateway.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;

use crate::FileItem;
use crate::answer::{self, AnswerSpec, ErrorAnswer};
use crate::api::{ApiRequest, ClientFamily, SessionRequirement};
use crate::credentials::Secret;
use crate::http::HttpRequest;
use crate::mock_wire::{self, Seen};
use crate::options::Format;
use crate::strict;
use crate::transport::{HttpResponse, Transport, TransportError, TransportFuture};
use crate::view::AsJson;

/// A transport for [`TopClientBuilder::transport`](crate::client::TopClientBuilder::transport)
/// that answers from rules. Cheap to clone: clones share their rules and records.
///
/// Each request is checked as the gateway checks it (signature with the app secret, system
/// parameters, timestamp, a session where the API requires one) and refused as it refuses
/// (`code 25`, `Invalid signature`, …). A valid request is answered by the first rule, in
/// the order they were added, for its method whose `matching` accepts it and whose `times`
/// are not used up, in the format it asked for; one no rule answers fails as a transport
/// error listing the rules.
///
/// ```
/// use top_runtime::oauth::{TopAuthTokenCreateRequest, TokenResultResponse};
/// use top_runtime::prepare::Secret;
/// use top_runtime::testing::{MockTransport, block_on};
/// use top_runtime::TopClient;
///
/// let mock = MockTransport::new("app_secret");
/// mock.expect::<TopAuthTokenCreateRequest>()
///     .matching(|request| request.code.expose() == "code-1")
///     .respond_with(TokenResultResponse {
///         token_result: Some(Secret::new(r#"{"access_token":"at-1"}"#)),
///     });
/// let client = TopClient::builder("app_key", "app_secret").transport(mock.clone()).build()?;
/// let token = block_on(client.exchange_code("code-1"))?;
/// assert_eq!(token.access_token().expose(), "at-1");
/// assert_eq!(mock.calls()[0].params["code"], "code-1");
/// mock.verify()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MockTransport {
    inner: Arc<Inner>,
}

struct Inner {
    app_secret: Secret,
    rules: Mutex<Vec<Arc<Rule>>>,
    calls: Mutex<Vec<MockCall>>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field(
                "rules",
                &self
                    .rules()
                    .iter()
                    .map(|r| r.describe())
                    .collect::<Vec<_>>(),
            )
            .field("calls", &lock(&self.inner.calls).len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A test that panicked while holding the lock leaves whole records.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One request the mock received, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockCall {
    /// `method`.
    pub method: String,
    /// The API text parameters by wire name, as sent (files are in `files`).
    pub params: BTreeMap<String, String>,
    /// The files, by parameter name, in order.
    pub files: Vec<(String, FileItem)>,
    /// `session`, if sent.
    pub session: Option<Secret>,
    /// `format` (`json`, `xml`).
    pub format: String,
    /// Whether `simplify=true` was sent.
    pub simplify: bool,
    /// `target_app_key`, if sent.
    pub target_app_key: Option<String>,
    /// Which rule answered, counted from 0 in the order they were added; `None` when none did.
    pub rule: Option<usize>,
    /// The gateway code it was refused with (`25` for a bad signature, …), if it was.
    pub refused: Option<i64>,
}

impl MockCall {
    fn from_seen(seen: &Seen) -> Self {
        MockCall {
            method: seen.system("method").unwrap_or_default().to_owned(),
            params: seen.texts.iter().cloned().collect(),
            files: seen.files.clone(),
            session: seen.system("session").map(Secret::new),
            format: seen.system("format").unwrap_or_default().to_owned(),
            simplify: seen.system("simplify") == Some("true"),
            target_app_key: seen.system("target_app_key").map(str::to_owned),
            rule: None,
            refused: None,
        }
    }
}

/// Writes a success body for the spec of the request it answers.
type Writer = Box<dyn Fn(&AnswerSpec<'_>) -> Vec<u8> + Send + Sync>;

/// What a rule answers.
enum Answer {
    Success(Writer),
    Failure(ErrorAnswer),
    Transport(TransportError),
}

type Matcher = Box<dyn Fn(&Seen) -> Result<bool, String> + Send + Sync>;

/// A rule as kept by the mock.
struct Rule {
    method: &'static str,
    type_name: &'static str,
    session: SessionRequirement,
    qimen: bool,
    matchers: Vec<Matcher>,
    answer: Answer,
    times: Mutex<Option<usize>>,
    uses: AtomicUsize,
}

impl Rule {
    fn limit(&self) -> Option<usize> {
        *lock(&self.times)
    }

    /// Takes one use, unless they are used up.
    fn take(&self) -> bool {
        let limit = self.limit();
        self.uses
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                limit.is_none_or(|n| used < n).then_some(used + 1)
            })
            .is_ok()
    }

    fn describe(&self) -> String {
        let used = self.uses.load(Ordering::SeqCst);
        let times = match self.limit() {
            Some(n) => format!("used {used} of {n} times"),
            None => format!("used {used} times"),
        };
        let matching = if self.matchers.is_empty() {
            ""
        } else {
            ", matching"
        };
        let answer = match &self.answer {
            Answer::Success(_) => "a response".to_owned(),
            Answer::Failure(e) => format!("error {}", e.code),
            Answer::Transport(e) => format!("transport error {e:?}"),
        };
        format!(
            "{} ({}{matching}) → {answer}, {times}",
            self.method, self.type_name
        )
    }

    fn used_up(&self) -> bool {
        let used = self.uses.load(Ordering::SeqCst);
        match self.limit() {
            Some(n) => used >= n,
            None => used > 0,
        }
    }
}

/// A rule being set up: [`MockTransport::expect`].
#[must_use = "a rule answers nothing until respond_with, fail_with or fail_transport adds it"]
pub struct MockRuleBuilder<R> {
    mock: MockTransport,
    matchers: Vec<Matcher>,
    times: Option<usize>,
    request: PhantomData<fn(&R)>,
}

impl<R: ApiRequest + 'static> MockRuleBuilder<R> {
    /// Answers only requests that `predicate` accepts, read back as the typed request from
    /// the parameters sent (see the limits in the module docs); a request that does not
    /// read back as `R` does not match. Several predicates must all accept.
    pub fn matching(mut self, predicate: impl Fn(&R) -> bool + Send + Sync + 'static) -> Self
    where
        R: strict::Item,
    {
        self.matchers.push(Box::new(move |seen: &Seen| {
            let request: R = crate::wire_read::read_request(&seen.texts)?;
            Ok(predicate(&request))
        }));
        self
    }

    /// Answers only calls that `predicate` accepts, as sent: for what a typed request does
    /// not show (files, the session).
    pub fn matching_call(
        mut self,
        predicate: impl Fn(&MockCall) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.matchers.push(Box::new(move |seen: &Seen| {
            Ok(predicate(&MockCall::from_seen(seen)))
        }));
        self
    }

    /// Answers at most `n` calls; unlimited by default.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Answers with `response`, written as the gateway writes it in the format the request
    /// asked for, so that the client reads back this value.
    pub fn respond_with(self, response: R::Response) -> MockRule
    where
        R::Response: AsJson + Send + Sync + 'static,
    {
        self.add(Answer::Success(Box::new(move |spec| {
            answer::success(&response.as_json(), spec)
        })))
    }

    /// Answers with a TOP error (`error_response`; a Qimen API's `failure` envelope).
    pub fn fail_with(
        self,
        code: i64,
        msg: &str,
        sub_code: Option<&str>,
        sub_msg: Option<&str>,
    ) -> MockRule {
        self.add(Answer::Failure(ErrorAnswer {
            code,
            msg: msg.to_owned(),
            sub_code: sub_code.map(str::to_owned),
            sub_msg: sub_msg.map(str::to_owned),
        }))
    }

    /// Fails as the transport would: no answer at all (a reset, a time-out).
    pub fn fail_transport(self, error: TransportError) -> MockRule {
        self.add(Answer::Transport(error))
    }

    fn add(self, answer: Answer) -> MockRule {
        let rule = Arc::new(Rule {
            method: R::METHOD,
            type_name: std::any::type_name::<R>(),
            session: R::SESSION,
            qimen: R::CLIENT == ClientFamily::Qimen,
            matchers: self.matchers,
            answer,
            times: Mutex::new(self.times),
            uses: AtomicUsize::new(0),
        });
        lock(&self.mock.inner.rules).push(Arc::clone(&rule));
        MockRule { rule }
    }
}

/// A rule added to a mock; it stays there.
#[derive(Clone)]
pub struct MockRule {
    rule: Arc<Rule>,
}

impl fmt::Debug for MockRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rule.describe())
    }
}

impl MockRule {
    /// Answers at most `n` calls in all (those answered so far count).
    pub fn times(self, n: usize) -> Self {
        *lock(&self.rule.times) = Some(n);
        self
    }

    /// How many calls it answered.
    pub fn uses(&self) -> usize {
        self.rule.uses.load(Ordering::SeqCst)
    }
}

/// What [`MockTransport::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    /// The rules not used up: fewer uses than their `times`, or none at all.
    pub unused: Vec<String>,
    /// The calls no rule answered, by method.
    pub unmatched: Vec<String>,
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the mock's expectations were not met")?;
        for rule in &self.unused {
            write!(f, "\n  not used up: {rule}")?;
        }
        for call in &self.unmatched {
            write!(f, "\n  answered by no rule: {call}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MockError {}

impl MockTransport {
    /// A mock checking signatures with `app_secret` (the client's), with no rule yet.
    pub fn new(app_secret: impl Into<Secret>) -> Self {
        MockTransport {
            inner: Arc::new(Inner {
                app_secret: app_secret.into(),
                rules: Mutex::default(),
                calls: Mutex::default(),
            }),
        }
    }

    /// Starts a rule for calls of `R`'s API.
    pub fn expect<R: ApiRequest + 'static>(&self) -> MockRuleBuilder<R> {
        MockRuleBuilder {
            mock: self.clone(),
            matchers: Vec::new(),
            times: None,
            request: PhantomData,
        }
    }

    /// Every request received so far, in order.
    pub fn calls(&self) -> Vec<MockCall> {
        lock(&self.inner.calls).clone()
    }

    /// `Ok` when every rule is used up (as often as its `times`, or at least once) and
    /// every call was answered by a rule (or refused by the checks, as a test may mean).
    pub fn verify(&self) -> Result<(), MockError> {
        let unused: Vec<String> = self
            .rules()
            .iter()
            .filter(|r| !r.used_up())
            .map(|r| r.describe())
            .collect();
        let unmatched: Vec<String> = self
            .calls()
            .into_iter()
            .filter(|c| c.rule.is_none() && c.refused.is_none())
            .map(|c| c.method)
            .collect();
        if unused.is_empty() && unmatched.is_empty() {
            Ok(())
        } else {
            Err(MockError { unused, unmatched })
        }
    }

    fn rules(&self) -> Vec<Arc<Rule>> {
        lock(&self.inner.rules).clone()
    }

    /// Everything but the future: checks, picks a rule, writes the answer.
    fn answer(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let seen = match mock_wire::read(request) {
            Ok(seen) => seen,
            Err(problem) => return Ok(bad_request(&problem)),
        };
        let mut call = MockCall::from_seen(&seen);
        let rules = self.rules();
        let for_method: Vec<(usize, &Arc<Rule>)> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.method == call.method)
            .collect();
        let session_required = for_method
            .first()
            .is_some_and(|(_, r)| r.session == SessionRequirement::Required);
        let qimen = for_method.first().is_some_and(|(_, r)| r.qimen);
        let request_id = format!("mock-{}", lock(&self.inner.calls).len() + 1);
        let spec = AnswerSpec {
            method: &call.method,
            format: if seen.system("format") == Some("xml") {
                Format::Xml
            } else {
                Format::Json
            },
            simplify: call.simplify,
            qimen,
            request_id: &request_id,
        };
        let checked = mock_wire::check(
            &seen,
            self.inner.app_secret.expose(),
            session_required,
            Timestamp::now(),
        );
        if let Err(refusal) = checked {
            // The gateway refuses before any API: never in a Qimen envelope.
            let body = answer::error(
                &refusal,
                &AnswerSpec {
                    qimen: false,
                    ..spec
                },
            );
            call.refused = Some(refusal.code);
            lock(&self.inner.calls).push(call);
            return Ok(HttpResponse { status: 200, body });
        }
        let mut notes = Vec::new();
        let mut chosen = None;
        for (index, rule) in for_method {
            let mut accepted = true;
            for matcher in &rule.matchers {
                match matcher(&seen) {
                    Ok(true) => {}
                    Ok(false) => accepted = false,
                    Err(why) => {
                        notes.push(format!(
                            "rule {index}: the request does not read back: {why}"
                        ));
                        accepted = false;
                    }
                }
                if !accepted {
                    break;
                }
            }
            if accepted && rule.take() {
                chosen = Some((index, rule));
                break;
            }
        }
        let Some((index, rule)) = chosen else {
            let message = unmatched_message(&call, &rules, &notes);
            lock(&self.inner.calls).push(call);
            return Err(TransportError {
                timed_out: false,
                message,
            });
        };
        call.rule = Some(index);
        let response = match &rule.answer {
            Answer::Success(write) => Ok(HttpResponse {
                status: 200,
                body: write(&spec),
            }),
            Answer::Failure(error) => Ok(HttpResponse {
                status: 200,
                body: answer::error(error, &spec),
            }),
            Answer::Transport(error) => Err(error.clone()),
        };
        lock(&self.inner.calls).push(call);
        response
    }
}

fn bad_request(problem: &str) -> HttpResponse {
    let body = serde_json::json!({"error_response": {
        "code": 400, "msg": "mock: bad request", "sub_msg": problem,
    }});
    HttpResponse {
        status: 400,
        body: body.to_string().into_bytes(),
    }
}

fn unmatched_message(call: &MockCall, rules: &[Arc<Rule>], notes: &[String]) -> String {
    let mut message = format!("mock: no rule answers this call of {}", call.method);
    if rules.is_empty() {
        message.push_str("; the mock has no rules");
    } else {
        message.push_str("; rules:");
        for (i, rule) in rules.iter().enumerate() {
            message.push_str(&format!("\n  {i}: {}", rule.describe()));
        }
    }
    for note in notes {
        message.push_str(&format!("\n  {note}"));
    }
    message
}

impl Transport for MockTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        let answer = self.answer(&request);
        Box::pin(async move { answer })
    }
}
