//! Decode speed of a 1 MB `taobao.trades.sold.get` page (100 trades, every documented field
//! set; built by `top_decode_bench` from the catalogue spec):
//!
//! ```text
//! cargo bench -p top-decode-bench --bench decode
//! ```
//!
//! Times `decode_response` of the generated type on simplified JSON, plain JSON and XML,
//! beside a plain `#[derive(Deserialize)]` twin of the structs and a bare
//! `serde_json::Value` parse of the simplified bytes, then prints the medians and the
//! ratios the issue sets goals for: generated / twin (≤ 1.2), XML / JSON (≤ 2), plain /
//! simplified (≤ 1.2).
//!
//! The summary comes from a pass of its own after criterion's: rounds that time every case
//! once each, back to back, so that a slow spell of a shared machine falls on all cases of a
//! round alike (each case once untimed first, so that none pays for the one before); a ratio
//! is the median of the rounds' ratios.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use top_decode_bench::top::TaobaoTradesSoldGetRequest;
use top_decode_bench::{METHOD, plain_json, simplified_json, twin, xml};
use top_runtime::prepare::Format;
use top_runtime::response::{ResponseSpec, decode_response};

/// Rounds of the summary pass, and decodes per case in each.
const ROUNDS: usize = 40;
const PER_ROUND: u32 = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A timed decode: its id, the body, the decode.
type Case<'a> = (&'static str, &'a [u8], Box<dyn Fn(&[u8]) + 'a>);

fn decode(c: &mut Criterion) {
    let simplified = simplified_json();
    let plain = plain_json();
    let xml = xml();
    let generated = |body: &[u8], format: Format, simplify: bool| {
        let spec = ResponseSpec::new(METHOD, format).simplify(simplify);
        decode_response::<TaobaoTradesSoldGetRequest>(body, &spec).expect("the page decodes")
    };
    let mut group = c.benchmark_group("trades_sold_get");
    group.sample_size(20);
    let cases: [Case<'_>; 5] = [
        (
            "generated/simplified_json",
            &simplified,
            Box::new(|b| drop(black_box(generated(b, Format::Json, true)))),
        ),
        (
            "generated/plain_json",
            &plain,
            Box::new(|b| drop(black_box(generated(b, Format::Json, false)))),
        ),
        (
            "generated/xml",
            &xml,
            Box::new(|b| drop(black_box(generated(b, Format::Xml, false)))),
        ),
        (
            "serde_derive_twin",
            &simplified,
            Box::new(|b| {
                let page: twin::TaobaoTradesSoldGetResponse =
                    serde_json::from_slice(b).expect("the twin reads the page");
                drop(black_box(page));
            }),
        ),
        (
            "serde_json_value",
            &simplified,
            Box::new(|b| {
                let value: serde_json::Value = serde_json::from_slice(b).expect("valid JSON");
                drop(black_box(value));
            }),
        ),
    ];
    for (id, body, f) in &cases {
        group.throughput(criterion::Throughput::Bytes(body.len() as u64));
        group.bench_function(*id, |b| b.iter(|| f(black_box(body))));
    }
    group.finish();

    // rounds[r][c]: seconds per decode of case c in round r.
    let rounds: Vec<Vec<f64>> = (0..ROUNDS)
        .map(|_| {
            cases
                .iter()
                .map(|(_, body, f)| {
                    // One decode untimed: the allocator's state after the previous case
                    // (the `Value` tree's frees, say) is not this case's cost.
                    f(black_box(body));
                    let start = Instant::now();
                    for _ in 0..PER_ROUND {
                        f(black_box(body));
                    }
                    start.elapsed().as_secs_f64() / f64::from(PER_ROUND)
                })
                .collect()
        })
        .collect();
    let index = |id: &str| cases.iter().position(|(i, _, _)| *i == id).expect("a case");
    let ratio = |a: &str, b: &str| {
        let (a, b) = (index(a), index(b));
        median(rounds.iter().map(|r| r[a] / r[b]).collect())
    };

    println!("\ntaobao.trades.sold.get page: median per decode over {ROUNDS} interleaved rounds");
    for (c, (id, body, _)) in cases.iter().enumerate() {
        let ms = median(rounds.iter().map(|r| r[c]).collect()) * 1e3;
        let mbps = body.len() as f64 / ms / 1e3;
        println!(
            "{id:<28} {:>9} bytes {ms:>8.2} ms {mbps:>7.0} MB/s",
            body.len()
        );
    }
    println!(
        "generated / twin (simplified JSON): {:.2}×  (goal ≤ 1.2)",
        ratio("generated/simplified_json", "serde_derive_twin")
    );
    println!(
        "XML / simplified JSON:              {:.2}×  (goal ≤ 2)",
        ratio("generated/xml", "generated/simplified_json")
    );
    println!(
        "plain / simplified JSON:            {:.2}×  (goal ≤ 1.2)",
        ratio("generated/plain_json", "generated/simplified_json")
    );
}

criterion_group!(benches, decode);
criterion_main!(benches);
