//! Malformed specs and the exact diagnostics topgen gives for them.
//!
//! Every file in `tests/bad_specs/` is loaded as `specs/<file name>`. Its leading comment
//! lines `# expect: <line>:<col>: <message> (<label>)` list, in order, every diagnostic the
//! load must report: no more, no fewer. A file without any fails, since every file here is
//! meant to be rejected; the failure message lists the actual diagnostics in that form.

use std::path::{Path, PathBuf};

use topgen::diag::Diagnostic;
use topgen::load::load_str;

const EXPECT: &str = "# expect: ";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_specs")
}

/// The corpus files, sorted by name.
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            (name, text)
        })
        .filter(|(name, _)| name.ends_with(".yaml"))
        .collect();
    files.sort();
    files
}

/// The `# expect:` lines at the top of a corpus file.
fn expectations(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .filter_map(|line| line.strip_prefix(EXPECT))
        .map(str::to_owned)
        .collect()
}

/// A diagnostic as written in an expectation: its `Display` without the path.
fn short(path: &str, d: &Diagnostic) -> String {
    let shown = d.to_string();
    assert_eq!(d.path(), path, "diagnostic names the wrong file: {shown}");
    shown
        .strip_prefix(&format!("{path}:"))
        .unwrap_or(&shown)
        .to_owned()
}

fn diagnostics(name: &str, text: &str) -> Vec<String> {
    let path = format!("specs/{name}");
    match load_str(&path, text.to_owned()) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.iter().map(|d| short(&path, d)).collect(),
    }
}

#[test]
fn every_bad_spec_reports_exactly_its_expected_diagnostics() {
    let files = corpus();
    assert!(files.len() >= 24, "only {} corpus files", files.len());
    let mut failures = Vec::new();
    for (name, text) in &files {
        let expected = expectations(text);
        let actual = diagnostics(name, text);
        if expected.is_empty() || expected != actual {
            let listed = |lines: &[String]| {
                lines
                    .iter()
                    .map(|l| format!("{EXPECT}{l}\n"))
                    .collect::<String>()
            };
            failures.push(format!(
                "tests/bad_specs/{name}\n--- expected\n{}--- actual\n{}",
                listed(&expected),
                listed(&actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files differ:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn a_truly_empty_file_is_not_a_spec() {
    // The corpus's `bad.empty.yaml` holds only comments; this is the zero-byte file.
    assert_eq!(
        diagnostics("bad.empty.yaml", ""),
        ["1:1: expected a spec (a mapping), found nothing (expected a mapping)"]
    );
}

#[test]
fn several_semantic_errors_are_all_reported_in_file_order() {
    let name = "bad.many_semantic_errors.yaml";
    let text = std::fs::read_to_string(corpus_dir().join(name)).unwrap();
    let actual = diagnostics(name, &text);
    assert!(actual.len() >= 5, "{actual:#?}");
    assert_eq!(actual, expectations(&text));
    let positions: Vec<(usize, usize)> = actual
        .iter()
        .map(|d| {
            let mut parts = d.splitn(3, ':');
            let line = parts.next().unwrap().parse().unwrap();
            let col = parts.next().unwrap().parse().unwrap();
            (line, col)
        })
        .collect();
    assert!(positions.is_sorted(), "{actual:#?}");
}

#[test]
fn render_shows_location_source_line_and_caret() {
    let text = "method: bad.render\nclient: top\nsession: none\ncategroy: x\n";
    let diags = load_str("specs/bad.render.yaml", text.to_owned()).unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let rendered = diags[0].render();
    assert!(
        rendered.contains("--> specs/bad.render.yaml:4:1"),
        "{rendered}"
    );
    assert!(rendered.contains("unknown key `categroy`"), "{rendered}");
    assert!(rendered.contains("categroy: x"), "{rendered}");
    let caret = rendered
        .lines()
        .find(|line| line.contains('^'))
        .unwrap_or_else(|| panic!("no caret line:\n{rendered}"));
    assert!(
        caret.contains("^^^^^^^^ did you mean `category`?"),
        "{rendered}"
    );
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const SEEDS: &[(&str, &str)] = &[
    (
        "qimen.tmall.car.lease.signstatus.synchronize.yaml",
        include_str!("../../specs/qimen.tmall.car.lease.signstatus.synchronize.yaml"),
    ),
    (
        "taobao.aliauto.risk.info.tmall.yc.service.sync.yaml",
        include_str!("../../specs/taobao.aliauto.risk.info.tmall.yc.service.sync.yaml"),
    ),
    (
        "tmall.fin.car.open.bill.notify.yaml",
        include_str!("../../specs/tmall.fin.car.open.bill.notify.yaml"),
    ),
];

/// Characters that mean something to YAML or to the checks, and some that are wide.
const NOISE: &[&str] = &[
    ":",
    "-",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a",
    "*a",
    "!",
    "!!str ",
    "%",
    "@",
    "`",
    "\"",
    "'",
    "|",
    ">",
    "#",
    "?",
    "~",
    "null",
    "[]",
    "Number",
    "Struct",
    "0",
    "-1",
    "99999999999999999999",
    "天",
    "😀",
    "\u{feff}",
    "\u{0}",
    "---\n",
    "...\n",
    "- ",
    "type: ",
    "values:\n  - code: 1\n",
];

/// One random edit of `text`, always at character boundaries.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let mut at = || bounds[rng.below(bounds.len())];
    let (a, b) = {
        let (x, y) = (at(), at());
        (x.min(y), x.max(y))
    };
    let noise = NOISE[rng.below(NOISE.len())];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Line edits need a line; an emptied text gets noise instead.
    let op = match rng.below(8) {
        5 | 6 if lines.is_empty() => 0,
        op => op,
    };
    match op {
        // Insert noise.
        0 | 1 => format!("{}{noise}{}", &text[..a], &text[a..]),
        // Replace a short run with noise.
        2 => {
            let end = bounds
                [(bounds.partition_point(|&i| i < a) + 1 + rng.below(4)).min(bounds.len() - 1)];
            format!("{}{noise}{}", &text[..a], &text[end..])
        }
        // Delete a range.
        3 => format!("{}{}", &text[..a], &text[b..]),
        // Truncate.
        4 => text[..a].to_owned(),
        // Duplicate or drop a line.
        5 => {
            let i = rng.below(lines.len());
            let mut out: Vec<&str> = lines.clone();
            if rng.below(2) == 0 {
                out.insert(i, lines[i]);
            } else {
                out.remove(i);
            }
            out.concat()
        }
        // Re-indent a line.
        6 => {
            let i = rng.below(lines.len());
            let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            let trimmed = out[i].trim_start().to_owned();
            let indent = [" ", "   ", "\t", "", "      "][rng.below(5)];
            out[i] = format!("{indent}{trimmed}");
            out.concat()
        }
        // Flip one byte, keeping what is still UTF-8.
        _ => {
            let mut bytes = text.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

#[test]
fn mutated_seed_specs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    let mut runs = 0;
    for (name, seed) in SEEDS {
        let path = format!("specs/{name}");
        // The seeds themselves are valid.
        assert!(load_str(&path, (*seed).to_owned()).is_ok(), "{name}");
        for _ in 0..150 {
            let mut text = (*seed).to_owned();
            for _ in 0..=rng.below(3) {
                text = mutate(&mut rng, &text);
            }
            let outcome =
                std::panic::catch_unwind(|| load_str(&path, text.clone()).map(|(api, _)| api));
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(diags)) => {
                    assert!(!diags.is_empty(), "rejected without a diagnostic:\n{text}");
                    for d in &diags {
                        assert!(d.span.line >= 1 && d.span.column >= 1, "{d}");
                        assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                        // Rendering must not panic either.
                        let _ = d.render();
                    }
                    rejected += 1;
                }
                Err(_) => panic!("load_str panicked on this mutation of {name}:\n{text:?}"),
            }
            runs += 1;
        }
    }
    // The mutations are not all harmless: most runs must reach an error path.
    assert!(rejected > runs / 3, "only {rejected} of {runs} rejected");
}
