//! topgen on the real corpus: every vendored doc (`catalogue/top-docs`, 5,312 APIs) imported,
//! then validated, generated, written and checked, each phase timed once, with peak memory.
//!
//! ```text
//! cargo bench -p topgen --bench catalogue
//! ```
//!
//! One run (no statistics): the point is the order of magnitude on real docs, next to the
//! synthetic `scale` bench.

use std::path::Path;
use std::time::{Duration, Instant};

use topgen::import::command;
use topgen::output::{self, Layout};

fn main() {
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalogue/top-docs");
    let dir = tempfile::tempdir().expect("a temp dir");
    let layout = Layout::under(dir.path());
    std::fs::create_dir_all(&layout.specs).expect("mkdir");

    let (import, (summary, reports)) = timed(|| command::import_dir(&catalogue).expect("reads"));
    let mut spec_bytes = 0;
    for report in reports.iter().filter(|r| !r.failed) {
        let (Some(method), Some(yaml)) = (&report.method, &report.yaml) else {
            continue;
        };
        spec_bytes += yaml.len();
        std::fs::write(layout.specs.join(format!("{method}.yaml")), yaml).expect("write");
    }
    let (load, apis) = timed(|| topgen::load::load_dir(&layout.specs).expect("valid"));
    let (render, rendered) = timed(|| output::render(&apis).expect("renders"));
    let (write, _) = timed(|| output::write(&layout, &rendered).expect("writes"));
    let (stamp_check, in_sync) = timed(|| output::in_sync_by_stamps(&layout).expect("reads"));
    assert!(in_sync, "just written, so in sync");
    let (full_check, drift) = timed(|| {
        let apis = topgen::load::load_dir(&layout.specs).expect("valid");
        let rendered = output::render(&apis).expect("renders");
        output::check(&layout, &rendered).expect("reads")
    });
    assert!(drift.is_clean());
    let gen_bytes: usize = rendered.crate_files.values().map(String::len).sum();
    let gen_lines: usize = rendered
        .crate_files
        .values()
        .map(|t| t.lines().count())
        .sum();

    println!("topgen catalogue bench: {}", summary.line());
    println!(
        "{} thread(s); specs {:.1} MB; generated {} files, {:.1} MB, {} lines ({:.0} per API)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        mb(spec_bytes),
        rendered.crate_files.len(),
        mb(gen_bytes),
        gen_lines,
        gen_lines as f64 / apis.len() as f64
    );
    println!("| phase | time |\n| --- | --- |");
    let import_phase = format!("import {} docs (+ validate each spec)", summary.docs);
    for (phase, time) in [
        (import_phase.as_str(), import),
        ("load + validate all specs", load),
        ("render (generate) all", render),
        ("write", write),
        ("`check` when in sync (stamps)", stamp_check),
        ("`check --full` (load + render + compare)", full_check),
    ] {
        println!("| {phase} | {:.2} s |", time.as_secs_f64());
    }
    println!("| peak RSS | {} MB |", peak_rss_kb() / 1024);
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// The process's high-water mark (Linux); 0 elsewhere.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}
