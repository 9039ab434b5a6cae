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

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use top_decode_bench::top::TaobaoTradesSoldGetRequest;
use top_decode_bench::{METHOD, plain_json, simplified_json, twin, xml};
use top_runtime::prepare::Format;
use top_runtime::response::{ResponseSpec, decode_response};

/// Per-iteration times of every batch criterion ran, for the summary's medians.
#[derive(Default)]
struct Tally(RefCell<Vec<(&'static str, f64)>>);

impl Tally {
    fn time(&self, id: &'static str, iters: u64, mut f: impl FnMut()) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        let elapsed = start.elapsed();
        self.0
            .borrow_mut()
            .push((id, elapsed.as_secs_f64() / iters as f64));
        elapsed
    }

    fn median_ms(&self, id: &str) -> f64 {
        let mut v: Vec<f64> = self
            .0
            .borrow()
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, t)| *t)
            .collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN) * 1e3
    }
}

/// A timed decode: its id, the body, the decode.
type Case<'a> = (&'static str, &'a [u8], Box<dyn Fn(&[u8]) + 'a>);

fn decode(c: &mut Criterion) {
    let tally = Tally::default();
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
        group.bench_function(*id, |b| {
            b.iter_custom(|iters| tally.time(id, iters, || f(black_box(body))))
        });
    }
    group.finish();

    println!("\ntaobao.trades.sold.get page: median per decode over criterion's batches");
    for (id, body, _) in &cases {
        let ms = tally.median_ms(id);
        let mbps = body.len() as f64 / ms / 1e3;
        println!(
            "{id:<28} {:>9} bytes {ms:>8.2} ms {mbps:>7.0} MB/s",
            body.len()
        );
    }
    let m = |id| tally.median_ms(id);
    println!(
        "generated / twin (simplified JSON): {:.2}×  (goal ≤ 1.2)",
        m("generated/simplified_json") / m("serde_derive_twin")
    );
    println!(
        "XML / simplified JSON:              {:.2}×  (goal ≤ 2)",
        m("generated/xml") / m("generated/simplified_json")
    );
    println!(
        "plain / simplified JSON:            {:.2}×  (goal ≤ 1.2)",
        m("generated/plain_json") / m("generated/simplified_json")
    );
}

criterion_group!(benches, decode);
criterion_main!(benches);
