//! A progress bar on stderr for work over many specs or docs, shown only on a terminal: CI
//! logs and redirected output get the summary line alone.

use std::io::IsTerminal;

/// Counts finished items; draws a bar when stderr is a terminal and the work is large.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

/// Below this many items the work takes no noticeable time: no bar.
const WORTH_A_BAR: usize = 200;

impl Progress {
    /// A bar for `total` items described by `what` (`rendering`, `importing`).
    pub fn start(total: usize, what: &str) -> Self {
        let show = total >= WORTH_A_BAR && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message(what.to_owned());
            bar
        });
        Progress { bar }
    }

    /// No bar at all (tests, library callers).
    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    /// One more item done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Prints a line on stderr above the bar (or plainly, without one).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar, so that the summary line follows the command line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
