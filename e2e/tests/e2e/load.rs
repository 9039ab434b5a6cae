//! Load: 10,000 calls from 64 concurrent tasks against the loopback gateway. Ignored by
//! default (it is a measurement, and wants a release build):
//!
//! ```sh
//! cargo test -p top-e2e --release -- --ignored load --nocapture
//! ```
//!
//! It checks that every call is answered exactly once, that the gateway saw each request
//! exactly once (each call carries its own `orderId`), that connections are reused, and that
//! resident memory stays flat; it prints latency percentiles and memory figures. Nothing is
//! asserted about speed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use top_apis::QimenTmallCarLeaseSignstatusSynchronizeRequest as SignStatus;
use top_e2e::{FakeGateway, Param, Reply, TimestampCheck};
use top_runtime::{Gateway, TopClient};

use crate::seeds::*;

const CALLS: usize = 10_000;
const TASKS: usize = 64;
/// Memory is sampled after this many calls (the baseline: pools and buffers are warm),
/// half-way and at the end.
const WARM: usize = 1_000;
/// The growth allowed from the baseline to the end. The gateway's tally (10,000 short
/// strings) takes well under 1 MiB; a per-call leak of a request or a response (≥ 500 bytes)
/// would pass 4 MiB over the 9,000 calls after the baseline.
const MAX_GROWTH_KIB: u64 = 4 * 1024;

/// `VmRSS` or `VmHWM` (peak) of this process, in KiB.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rss() -> u64 {
    proc_status_kib("VmRSS:").unwrap_or(0)
}

/// The documented example with its own `orderId`.
fn request(n: usize) -> SignStatus {
    example_with("/orderId", json!(order_id(n)))
}

fn order_id(n: usize) -> i64 {
    1_000_000_000_000 + i64::try_from(n).unwrap_or(i64::MAX)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::test]
#[ignore = "load test: cargo test -p top-e2e --release -- --ignored load --nocapture"]
async fn load_10k_calls_from_64_tasks() {
    let mut expect = expect::<SignStatus>(&Setup::default(), TimestampCheck::NearNow);
    // Every call has its own orderId: the gateway checks everything else and tallies it.
    for (name, param) in &mut expect.params {
        if name == "orderId" {
            *param = Param::Any;
        }
    }
    let gw = FakeGateway::builder(expect, Reply::json(SignStatus::json_success()))
        .tally("orderId")
        .start()
        .expect("the gateway starts");
    let client = TopClient::builder(APP_KEY, APP_SECRET)
        .gateway(Gateway::Url(gw.url()))
        .target_app_key(TARGET_APP_KEY)
        .build()
        .expect("the client builds");

    let rss_start = rss();
    let done = Arc::new(AtomicUsize::new(0));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (client, done, samples) = (client.clone(), Arc::clone(&done), Arc::clone(&samples));
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(CALLS / TASKS + 1);
            let mut answered = Vec::with_capacity(CALLS / TASKS + 1);
            for n in (task..CALLS).step_by(TASKS) {
                let request = request(n);
                let sent = Instant::now();
                let result = client.execute(&request).await;
                latencies.push(sent.elapsed());
                if let Err(e) = &result {
                    panic!("call {n} failed: {e}");
                }
                answered.push(n);
                let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                if finished == WARM || finished == CALLS / 2 {
                    samples
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((finished, rss()));
                }
            }
            (latencies, answered)
        });
    }
    let mut latencies = Vec::with_capacity(CALLS);
    let mut answered = Vec::with_capacity(CALLS);
    while let Some(joined) = tasks.join_next().await {
        let (l, a) = joined.expect("no task panics");
        latencies.extend(l);
        answered.extend(a);
    }
    let elapsed = started.elapsed();
    let rss_end = rss();

    // Every call answered exactly once.
    answered.sort_unstable();
    assert_eq!(answered, (0..CALLS).collect::<Vec<_>>());
    // The gateway's own count: every request valid, none lost or duplicated.
    gw.check(CALLS)
        .expect("every request arrived once and was valid");
    let seen = gw.tally();
    assert_eq!(seen.len(), CALLS);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), CALLS, "a request arrived twice");
    assert!((0..CALLS).all(|n| unique.contains(&order_id(n).to_string())));
    // Connections reused: about one per task, not one per call.
    let connections = gw.connection_count();
    assert!(connections <= 2 * TASKS, "{connections} connections");

    let samples = samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let baseline = samples.first().map_or(rss_start, |s| s.1);
    latencies.sort_unstable();
    println!(
        "load: {CALLS} calls, {TASKS} tasks, {connections} connections, {:.2} s ({:.0} calls/s)",
        elapsed.as_secs_f64(),
        CALLS as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:?}, p99 {:?}, max {:?}",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or_default()
    );
    println!(
        "VmRSS KiB: start {rss_start}, {samples:?} (calls done, KiB), end {rss_end}; peak VmHWM {} KiB",
        proc_status_kib("VmHWM:").unwrap_or(0)
    );
    // Flat: bounded growth from the warm baseline to the end.
    assert!(
        rss_end <= baseline + MAX_GROWTH_KIB,
        "resident memory grew from {baseline} KiB to {rss_end} KiB"
    );
}
