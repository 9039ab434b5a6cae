//! Retries: which failed calls are worth sending again, how long to wait before each retry,
//! and how rate limits are recognised.
//!
//! What is retried follows the official Java SDK's `AutoRetryTaobaoClient`: a call that got
//! no answer (connection failure, reset, time-out), an HTTP 5xx without a TOP error body, and
//! a TOP error whose `sub_code` starts with `isp.` (the platform's or the provider's own
//! failure). Business errors (`isv.*`), other TOP errors, undecodable 2xx bodies and requests
//! that fail client-side validation are never retried: sending them again gives the same
//! answer. Extra sub codes can be made retryable with [`RetryPolicy::retry_sub_code`], as the
//! SDK's `retryErrorCodes`.
//!
//! A rate limit (`code 7`, `accesscontrol.limited-by-*`) becomes [`CallError::RateLimited`]
//! with the ban time the gateway states in `sub_msg`. It is **not** retried by default — the
//! SDK does not retry it either, and bans run from a second to a day — unless
//! [`RetryPolicy::wait_out_bans_up_to`] allows waiting out bans up to some length.
//!
//! Retries are off unless [`TopClientBuilder::retry`](crate::client::TopClientBuilder::retry)
//! is given a policy. Each retry prepares and signs the request afresh, with a new
//! `timestamp`, as the SDK's retry client does by calling `execute` again: a retry sent
//! minutes later would otherwise be refused for clock skew.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::call_error::CallError;
use crate::response::ApiError;

/// How the computed backoff is randomised, so that many clients failing together do not all
/// retry at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Jitter {
    /// Wait exactly the backoff.
    None,
    /// Wait a uniformly random time between zero and the backoff ("full jitter").
    Full,
    /// Wait half the backoff plus a random time up to the other half ("equal jitter"): never
    /// less than half the backoff. The default.
    #[default]
    Equal,
}

/// When and how often a failed call is sent again: capped exponential backoff with jitter.
///
/// The wait before retry `n` (1-based) is `min(max_delay, base_delay × 2^(n-1))`, then
/// randomised by [`Jitter`]. The defaults are the SDK's (`maxRetryCount` 3, first wait
/// 100 ms) with a 5 s cap and equal jitter:
///
/// ```
/// use std::time::Duration;
/// use top_runtime::retry::{Jitter, RetryPolicy};
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .base_delay(Duration::from_millis(200))
///     .max_delay(Duration::from_secs(2))
///     .jitter(Jitter::Full);
/// assert_eq!(policy.backoff(1), Duration::from_millis(200));
/// assert_eq!(policy.backoff(5), Duration::from_secs(2)); // 3.2 s, capped
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
    seed: Option<u64>,
    max_ban_wait: Option<Duration>,
    sub_codes: Vec<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            jitter: Jitter::Equal,
            seed: None,
            max_ban_wait: None,
            sub_codes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is sent once. What a client does unless told otherwise.
    pub fn never() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times a call may be sent again after the first attempt; default 3.
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The backoff before the first retry, doubled for each further one; default 100 ms.
    #[must_use]
    pub fn base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// The longest backoff; default 5 s.
    #[must_use]
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// How the backoff is randomised; default [`Jitter::Equal`].
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Seeds the jitter's random numbers, making a client's sequence of waits reproducible
    /// (for tests). Without a seed each client draws its own.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Retries a rate-limited call when the gateway states a ban no longer than `limit`,
    /// after waiting the ban out (or the backoff, if longer). Bans not stated or longer are
    /// returned at once as [`CallError::RateLimited`]. Default: rate limits are never
    /// retried, as in the SDK.
    #[must_use]
    pub fn wait_out_bans_up_to(mut self, limit: Duration) -> Self {
        self.max_ban_wait = Some(limit);
        self
    }

    /// Also retries TOP errors with this `sub_code` (the SDK's `retryErrorCodes`), e.g. an
    /// `isv.*` code a provider documents as transient.
    #[must_use]
    pub fn retry_sub_code(mut self, sub_code: impl Into<String>) -> Self {
        self.sub_codes.push(sub_code.into());
        self
    }

    /// The seed given with [`seed`](Self::seed), else `fallback`.
    #[cfg_attr(not(feature = "tmc"), allow(dead_code))]
    pub(crate) fn seed_or(&self, fallback: u64) -> u64 {
        self.seed.unwrap_or(fallback)
    }

    /// The most retries after the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The backoff before retry `retry` (1-based), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u128
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u128::MAX);
        let nanos = self
            .base_delay
            .as_nanos()
            .saturating_mul(factor)
            .min(self.max_delay.as_nanos());
        duration_from_nanos(nanos)
    }

    /// The wait before retry `retry` with `random` (any `u64`) as the jitter's draw.
    pub fn delay(&self, retry: u32, random: u64) -> Duration {
        let backoff = self.backoff(retry).as_nanos();
        let pick = |span: u128| u128::from(random) % (span + 1);
        duration_from_nanos(match self.jitter {
            Jitter::None => backoff,
            Jitter::Full => pick(backoff),
            Jitter::Equal => backoff / 2 + pick(backoff - backoff / 2),
        })
    }

    /// Whether `error` may be sent again under this policy, ignoring the retry count: what
    /// the SDK retries (see [`CallError::is_retryable`]), the extra sub codes, and rate
    /// limits with a stated ban within [`wait_out_bans_up_to`](Self::wait_out_bans_up_to).
    pub fn allows(&self, error: &CallError) -> bool {
        if error.is_retryable() {
            return true;
        }
        match error {
            CallError::RateLimited { ban: Some(ban), .. } => {
                self.max_ban_wait.is_some_and(|limit| *ban <= limit)
            }
            CallError::Api(e) => e
                .sub_code
                .as_deref()
                .is_some_and(|code| self.sub_codes.iter().any(|c| c == code)),
            _ => false,
        }
    }

    /// The wait before retry `retry` (1-based) after `error`, or `None` when the call must
    /// not be retried: the error is final, or `retry` is beyond [`retries`](Self::retries).
    pub fn wait_before(&self, retry: u32, error: &CallError, random: u64) -> Option<Duration> {
        if retry > self.max_retries || !self.allows(error) {
            return None;
        }
        let delay = self.delay(retry, random);
        Some(match error {
            CallError::RateLimited { ban: Some(ban), .. } => delay.max(*ban),
            _ => delay,
        })
    }
}

fn duration_from_nanos(nanos: u128) -> Duration {
    const PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / PER_SEC).unwrap_or(u64::MAX);
    // Below one billion: always fits.
    let subsec = u32::try_from(nanos % PER_SEC).unwrap_or(0);
    Duration::new(secs, subsec)
}

/// The future a [`Sleep`] returns.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits between retries. The client needs one only when retries are on; the default is
/// `TokioSleep` with the `reqwest` feature and [`ThreadSleep`] without it. Tests can plug
/// in one that records the waits and returns at once.
pub trait Sleep: Send + Sync {
    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// Sleeps with tokio's timer (needs a tokio runtime with time enabled, as reqwest does).
#[cfg(feature = "reqwest")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[cfg(feature = "reqwest")]
impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Sleeps on a short-lived thread that wakes the task: works under any executor, at the cost
/// of one thread per wait (retries are rare). If no thread can be started the wait is
/// skipped rather than blocking the executor.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(ThreadSleepFuture {
            duration,
            shared: None,
        })
    }
}

#[derive(Default)]
struct Shared {
    done: bool,
    waker: Option<Waker>,
}

struct ThreadSleepFuture {
    duration: Duration,
    shared: Option<Arc<Mutex<Shared>>>,
}

impl Future for ThreadSleepFuture {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(shared) = &self.shared {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if state.done {
                return Poll::Ready(());
            }
            state.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let shared = Arc::new(Mutex::new(Shared {
            done: false,
            waker: Some(cx.waker().clone()),
        }));
        let duration = self.duration;
        let timer = Arc::clone(&shared);
        let started = std::thread::Builder::new()
            .name("top-retry-sleep".into())
            .spawn(move || {
                std::thread::sleep(duration);
                let waker = {
                    let mut state = timer.lock().unwrap_or_else(PoisonError::into_inner);
                    state.done = true;
                    state.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            });
        if started.is_err() {
            return Poll::Ready(());
        }
        self.shared = Some(shared);
        Poll::Pending
    }
}

/// A client's retry state: its policy, its sleeper and the jitter's random numbers (shared by
/// the client's clones).
pub(crate) struct Retrier {
    pub(crate) policy: RetryPolicy,
    sleeper: Arc<dyn Sleep>,
    random: Xorshift,
}

impl fmt::Debug for Retrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.policy.fmt(f)
    }
}

impl Retrier {
    pub(crate) fn new(policy: RetryPolicy, sleeper: Option<Arc<dyn Sleep>>) -> Self {
        let seed = policy.seed.unwrap_or_else(|| {
            // std's hasher keys are random per process and per `RandomState`: a seed without
            // a dependency on a random-number crate.
            RandomState::new().build_hasher().finish()
        });
        Retrier {
            policy,
            sleeper: sleeper.unwrap_or_else(default_sleeper),
            random: Xorshift::new(seed),
        }
    }

    /// The wait before retry `retry`, or `None` when `error` is final.
    pub(crate) fn wait_before(&self, retry: u32, error: &CallError) -> Option<Duration> {
        if retry > self.policy.max_retries || !self.policy.allows(error) {
            // Do not draw a number for nothing: keeps seeded sequences easy to predict.
            return None;
        }
        self.policy.wait_before(retry, error, self.random.next())
    }

    pub(crate) fn sleep(&self, duration: Duration) -> SleepFuture {
        self.sleeper.sleep(duration)
    }
}

#[cfg(feature = "reqwest")]
fn default_sleeper() -> Arc<dyn Sleep> {
    Arc::new(TokioSleep)
}

#[cfg(not(feature = "reqwest"))]
fn default_sleeper() -> Arc<dyn Sleep> {
    Arc::new(ThreadSleep)
}

/// xorshift64*: plenty for spreading waits, and no dependency. Not for anything secret.
struct Xorshift(AtomicU64);

impl Xorshift {
    fn new(seed: u64) -> Self {
        // Zero is the generator's fixed point.
        Xorshift(AtomicU64::new(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        }))
    }

    fn next(&self) -> u64 {
        let step = |mut x: u64| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x
        };
        let previous = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| Some(step(x)))
            .unwrap_or_else(|x| x);
        step(previous).wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The random numbers a policy seeded with `seed` draws, in order: what
/// [`RetryPolicy::delay`] is given for retries 1, 2, 3… of a client's first failing call.
pub fn seeded_draws(seed: u64) -> impl Iterator<Item = u64> {
    let random = Xorshift::new(seed);
    std::iter::repeat_with(move || random.next())
}

/// Rate limits, as the TOP gateway reports them.
impl ApiError {
    /// Whether this is a rate limit: TOP code 7 (`App Call Limited`) or a sub code of the
    /// `accesscontrol.limited-by-*` family (`…-api-access-count`, `…-app-access-count`,
    /// `…-app-api-access-count`, …), whatever the top-level code.
    pub fn is_rate_limited(&self) -> bool {
        self.code_i64() == Some(7)
            || self
                .sub_code
                .as_deref()
                .is_some_and(|c| c.starts_with("accesscontrol.limited-by"))
    }

    /// The ban the gateway states, from `sub_msg` or else `msg`: `This ban will last for 1
    /// more seconds`, `…for 2 more minutes`, `该封禁还将持续 35 秒`, `请 10 分钟后重试`.
    /// A number counts only with a time unit and, in its clause, a word saying it is a
    /// wait (ban, last, wait, retry, after, 封禁, 持续, 等待, 后…), so that a quota such as
    /// `5000 calls per 60 seconds` is not taken for a ban. `None` when nothing fits.
    pub fn ban(&self) -> Option<Duration> {
        [self.sub_msg.as_deref(), Some(self.msg.as_str())]
            .into_iter()
            .flatten()
            .find_map(parse_ban)
    }
}

/// Words that make a number + unit a wait rather than a quota.
const BAN_WORDS: [&str; 14] = [
    "ban", "last", "wait", "retry", "after", "again", "封", "禁", "持续", "等待", "后", "解除",
    "重试", "剩余",
];

/// Units, longest spelling first so that `seconds` is not read as `s`.
const UNITS: [(&str, u64); 18] = [
    ("seconds", 1),
    ("second", 1),
    ("secs", 1),
    ("sec", 1),
    ("minutes", 60),
    ("minute", 60),
    ("mins", 60),
    ("min", 60),
    ("hours", 3600),
    ("hour", 3600),
    ("秒钟", 1),
    ("秒", 1),
    ("分钟", 60),
    ("小时", 3600),
    ("天", 86400),
    ("days", 86400),
    ("day", 86400),
    ("s", 1),
];

/// What ends a clause: a ban word counts only in the clause of its number.
const CLAUSE_ENDS: [char; 8] = ['.', ';', ',', '。', '；', '，', '!', '！'];

fn parse_ban(text: &str) -> Option<Duration> {
    let lower = text.to_lowercase();
    let text = lower.as_str();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let digits_len = rest[start..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - start);
        let digits = &rest[start..start + digits_len];
        let after = &rest[start + digits_len..];
        let offset = text.len() - rest.len() + start;
        rest = after;
        // A huge number is no ban time anyone states; skip rather than overflow.
        let Ok(value) = digits.parse::<u64>() else {
            continue;
        };
        let unit_text = after.trim_start().strip_prefix("more").unwrap_or(after);
        let unit_text = unit_text.trim_start();
        let Some(&(unit, scale)) = UNITS.iter().find(|(u, _)| unit_text.starts_with(u)) else {
            continue;
        };
        // `5s` yes, `5sets` no: an ASCII unit must end the word.
        let tail = &unit_text[unit.len()..];
        if unit.is_ascii() && tail.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let clause_start = text[..offset]
            .char_indices()
            .rev()
            .find(|(_, c)| CLAUSE_ENDS.contains(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let clause_end = offset
            + digits_len
            + text[offset + digits_len..]
                .find(CLAUSE_ENDS)
                .unwrap_or(text.len() - offset - digits_len);
        let clause = &text[clause_start..clause_end];
        if BAN_WORDS.iter().any(|w| clause.contains(w)) {
            return Some(Duration::from_secs(value.saturating_mul(scale)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TransportError;
    use crate::response::DecodeError;

    fn api(code: &str, sub_code: Option<&str>, sub_msg: Option<&str>) -> ApiError {
        ApiError {
            code: code.into(),
            msg: "msg".into(),
            sub_code: sub_code.map(Into::into),
            sub_msg: sub_msg.map(Into::into),
            request_id: Some("rid".into()),
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default()
            .base_delay(ms(100))
            .max_delay(ms(650));
        let waits: Vec<_> = (1..=5).map(|n| p.backoff(n)).collect();
        assert_eq!(waits, [ms(100), ms(200), ms(400), ms(650), ms(650)]);
        // No overflow, however far it goes.
        assert_eq!(p.backoff(u32::MAX), ms(650));
        let unbounded = RetryPolicy::default().max_delay(Duration::MAX);
        assert_eq!(unbounded.backoff(200), Duration::MAX);
        assert_eq!(
            unbounded.delay(200, u64::MAX),
            unbounded.delay(200, u64::MAX)
        );
    }

    #[test]
    fn jitter_stays_in_its_range() {
        let p = RetryPolicy::default()
            .base_delay(ms(100))
            .max_delay(ms(400));
        for random in [0, 1, 12345, u64::MAX / 3, u64::MAX] {
            for retry in 1..=4 {
                let backoff = p.backoff(retry);
                assert_eq!(p.clone().jitter(Jitter::None).delay(retry, random), backoff);
                let full = p.clone().jitter(Jitter::Full).delay(retry, random);
                assert!(full <= backoff, "{full:?}");
                let equal = p.clone().jitter(Jitter::Equal).delay(retry, random);
                assert!(equal >= backoff / 2 && equal <= backoff, "{equal:?}");
            }
        }
        assert_eq!(p.clone().jitter(Jitter::Full).delay(1, 0), Duration::ZERO);
        assert_eq!(p.jitter(Jitter::Equal).delay(1, 0), ms(50));
    }

    #[test]
    fn seeded_draws_are_reproducible_and_spread() {
        let a: Vec<u64> = seeded_draws(7).take(4).collect();
        let b: Vec<u64> = seeded_draws(7).take(4).collect();
        assert_eq!(a, b);
        assert_ne!(a, seeded_draws(8).take(4).collect::<Vec<_>>());
        let mut distinct = a.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 4);
        // The client draws the same numbers.
        let retrier = Retrier::new(RetryPolicy::default().seed(7), Some(Arc::new(ThreadSleep)));
        let drawn: Vec<u64> = (0..4).map(|_| retrier.random.next()).collect();
        assert_eq!(drawn, a);
        // Seed zero still moves.
        assert_ne!(seeded_draws(0).next(), seeded_draws(0).nth(1));
    }

    #[test]
    fn what_is_retried_follows_the_sdk() {
        let retryable = [
            CallError::Transport(TransportError {
                timed_out: false,
                message: "connection reset".into(),
            }),
            CallError::Transport(TransportError {
                timed_out: true,
                message: "slow".into(),
            }),
            CallError::Http {
                status: 502,
                error: DecodeError::unexpected_status(502, b"<html>"),
            },
            CallError::Api(api("15", Some("isp.remote-service-error"), None)),
            CallError::Api(api("520", Some("isp.top-remote-connection-timeout"), None)),
        ];
        let policy = RetryPolicy::default().jitter(Jitter::None);
        for e in &retryable {
            assert!(e.is_retryable(), "{e:?}");
            assert_eq!(policy.wait_before(1, e, 0), Some(ms(100)), "{e:?}");
            assert_eq!(policy.wait_before(3, e, 0), Some(ms(400)), "{e:?}");
            assert_eq!(policy.wait_before(4, e, 0), None, "{e:?}");
            assert_eq!(RetryPolicy::never().wait_before(1, e, 0), None);
        }
        let finals = [
            CallError::Api(api("50", Some("isv.invalid-parameter"), None)),
            CallError::Api(api("27", None, None)),
            CallError::Http {
                status: 404,
                error: DecodeError::unexpected_status(404, b""),
            },
            CallError::Decode(DecodeError::unexpected_status(200, b"{")),
            CallError::MissingSession { method: "m" },
            CallError::RateLimited {
                ban: Some(ms(1000)),
                error: Box::new(api("7", None, None)),
            },
            CallError::RateLimited {
                ban: None,
                error: Box::new(api("7", None, None)),
            },
        ];
        for e in &finals {
            assert!(!e.is_retryable(), "{e:?}");
            assert_eq!(policy.wait_before(1, e, 0), None, "{e:?}");
        }
        // Opt-in extras.
        let isv = CallError::Api(api("50", Some("isv.busy"), None));
        assert_eq!(
            policy
                .clone()
                .retry_sub_code("isv.busy")
                .wait_before(1, &isv, 0),
            Some(ms(100))
        );
    }

    #[test]
    fn a_short_stated_ban_may_be_waited_out() {
        let policy = RetryPolicy::default()
            .jitter(Jitter::None)
            .wait_out_bans_up_to(Duration::from_secs(2));
        let limited = |ban| CallError::RateLimited {
            ban,
            error: Box::new(api("7", None, None)),
        };
        let one = Duration::from_secs(1);
        assert_eq!(policy.wait_before(1, &limited(Some(one)), 0), Some(one));
        assert_eq!(
            policy.wait_before(1, &limited(Some(Duration::ZERO)), 0),
            Some(ms(100)),
            "never less than the backoff"
        );
        assert_eq!(
            policy.wait_before(1, &limited(Some(Duration::from_secs(3))), 0),
            None
        );
        assert_eq!(policy.wait_before(1, &limited(None), 0), None);
        assert_eq!(policy.wait_before(4, &limited(Some(one)), 0), None);
    }

    #[test]
    fn rate_limits_are_recognised() {
        assert!(api("7", None, None).is_rate_limited());
        assert!(api("", Some("accesscontrol.limited-by-app-access-count"), None).is_rate_limited());
        assert!(!api("15", Some("isp.remote-service-error"), None).is_rate_limited());
        assert!(!api("SYSTEM_ERROR", Some("isv.limited"), None).is_rate_limited());
    }

    #[test]
    fn ban_times_are_read_from_the_message() {
        let secs = |n| Some(Duration::from_secs(n));
        for (text, want) in [
            ("This ban will last for 1 more seconds", secs(1)),
            ("This ban will last for 71723 more seconds", secs(71723)),
            (
                "accesscontrol.limited-by-api-access-count: This ban will last for 2 more second.",
                secs(2),
            ),
            ("THIS BAN WILL LAST FOR 3 MORE MINUTES", secs(180)),
            ("ban lasts 5s", secs(5)),
            ("该封禁还将持续35秒", secs(35)),
            ("访问受限，该封禁还将持续 35 秒", secs(35)),
            ("调用频率超限，请10分钟后重试", secs(600)),
            ("禁止访问，剩余 2 小时", secs(7200)),
            // Quotas and other numbers are no ban.
            ("App Call Limited: 5000 calls per 60 seconds", None),
            ("limited by api access count 100", None),
            ("ban for 5 sets", None),
            ("", None),
            (
                "ban will last for 99999999999999999999999 more seconds",
                None,
            ),
            (
                "ban will last for 18446744073709551615 more days",
                secs(u64::MAX),
            ),
            ("ban ٣ seconds", None),
        ] {
            let e = api("7", None, Some(text));
            assert_eq!(e.ban(), want, "{text:?}");
        }
        // The top-level message is read when sub_msg says nothing.
        let mut e = api("7", None, Some("limited"));
        e.msg = "This ban will last for 4 more seconds".into();
        assert_eq!(e.ban(), secs(4));
    }

    #[test]
    fn ban_parsing_never_panics_on_odd_text() {
        for text in [
            "1",
            "1 ",
            "more",
            "1 more",
            "封1秒",
            "1秒",
            "ban 1 秒钟后",
            "😀1 s 😀 ban",
        ] {
            let _ = api("7", None, Some(text)).ban();
        }
        assert_eq!(
            api("7", None, Some("ban 1 秒钟后")).ban(),
            Some(Duration::from_secs(1))
        );
    }

    /// A minimal executor: polls on this thread, parking until woken.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    #[test]
    fn the_thread_sleeper_wakes_its_task() {
        block_on(ThreadSleep.sleep(ms(1)));
        block_on(ThreadSleep.sleep(Duration::ZERO));
    }
}
