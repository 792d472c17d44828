//! Download progress on stderr: a bar on a terminal, plain lines
//! otherwise, nothing with `-q`. Names and messages may come from outside
//! (an archive's file name, a server's error text): their control
//! characters are escaped before they reach the terminal.

use std::io::IsTerminal;
use std::time::Duration;

use gover_core::text::escape;
use gover_dist::Progress;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{App, Verbosity};

/// Shows a download: a bar (bytes, rate, ETA) on a terminal, plain lines
/// otherwise, nothing with `-q`.
pub(crate) struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Reporter {
    /// A reporter suited to `app`'s verbosity and stderr.
    pub(crate) fn new(app: &App) -> Self {
        let quiet = app.verbosity == Verbosity::Quiet;
        let bar =
            (!quiet && app.settings.progress.value && std::io::stderr().is_terminal()).then(|| {
                let pb = ProgressBar::hidden();
                pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                pb
            });
        Self { bar, quiet }
    }
}

pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

impl Progress for Reporter {
    fn start(&self, what: &str, total: Option<u64>) {
        let what = escape(what);
        match &self.bar {
            Some(pb) => {
                // Style first: setting the length draws a frame.
                let template = if total.is_some() {
                    "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
                } else {
                    "{msg} {bytes} {binary_bytes_per_sec}"
                };
                if let Ok(s) = ProgressStyle::with_template(template) {
                    pb.set_style(s.progress_chars("=> "));
                }
                pb.set_message(what.to_string());
                if let Some(t) = total {
                    pb.set_length(t);
                }
                pb.enable_steady_tick(Duration::from_millis(200));
            }
            None if !self.quiet => match total {
                Some(t) => eprintln!("Downloading {what} ({})", mib(t)),
                None => eprintln!("Downloading {what}"),
            },
            None => {}
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(pb) = &self.bar {
            pb.inc(bytes);
        }
    }

    fn message(&self, msg: &str) {
        let msg = escape(msg);
        match &self.bar {
            Some(pb) => pb.println(msg.as_ref()),
            None if !self.quiet => eprintln!("{msg}"),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}
