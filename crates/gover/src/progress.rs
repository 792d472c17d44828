//! Download progress on stderr: a bar on a terminal, plain lines
//! otherwise, nothing with `-q`. Names and messages may come from outside
//! (an archive's file name, a server's error text): their control
//! characters are escaped before they reach the terminal.
//!
//! The bar is drawn from the first byte on, with the total already known,
//! and shows the speed and time left only once there is a speed to tell
//! (never a frame such as `0 B/0 B 0 B/s ETA 0s`). For the shim's
//! `gover install` every line, the bar's included, starts with `gover: `.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use gover_core::text::escape;
use gover_dist::Progress;
use indicatif::{
    BinaryBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};

use crate::app::{App, Verbosity};
use crate::output;

/// The bar being drawn, if any, so that an interrupted install can take it
/// off the terminal before saying so.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Takes the bar being drawn, if any, off the terminal for good.
pub(crate) fn clear_active() {
    let bar = ACTIVE.lock().ok().and_then(|mut a| a.take());
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
}

/// Shows a download: a bar (bytes, rate, ETA) on a terminal, plain lines
/// otherwise, nothing with `-q`.
pub(crate) struct Reporter {
    bar: Option<ProgressBar>,
    /// Whether the bar has been put on the terminal (at the first byte).
    shown: AtomicBool,
    quiet: bool,
    /// `Downloading` or, for a local archive, `Unpacking`.
    verb: &'static str,
    /// Where the bar is drawn once shown (stderr; a capture in tests).
    target: fn() -> ProgressDrawTarget,
}

impl Reporter {
    /// A reporter suited to `app`'s verbosity and stderr, for a download.
    pub(crate) fn new(app: &App) -> Self {
        let quiet = app.verbosity == Verbosity::Quiet;
        let bar = (!quiet && app.settings.progress.value && std::io::stderr().is_terminal())
            .then(ProgressBar::hidden);
        Self {
            bar,
            shown: AtomicBool::new(false),
            quiet,
            verb: "Downloading",
            target: ProgressDrawTarget::stderr,
        }
    }

    /// Like [`Reporter::new`], for a local archive (`install --from`):
    /// nothing is downloaded.
    pub(crate) fn local(app: &App) -> Self {
        let mut r = Self::new(app);
        r.verb = "Unpacking";
        r
    }
}

pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// ` 1.2 MiB/s` (and, with a total, ` ETA 3s`) once a second has passed
/// and bytes have arrived; nothing before.
fn speed(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let rate = state.per_sec();
    if state.elapsed() < Duration::from_secs(1) || state.pos() == 0 || !rate.is_finite() {
        return;
    }
    let _ = write!(w, " {}/s", BinaryBytes(rate as u64));
    if state.len().is_some() {
        let _ = write!(w, " ETA {:#}", HumanDuration(state.eta()));
    }
}

/// The bar's style for a download of `total` bytes (when known).
fn style(total: Option<u64>) -> Option<ProgressStyle> {
    let prefix = output::line_prefix();
    let template = if total.is_some() {
        format!("{prefix}{{msg}} {{wide_bar}} {{bytes}}/{{total_bytes}}{{speed}}")
    } else {
        format!("{prefix}{{msg}} {{bytes}}{{speed}}")
    };
    let s = ProgressStyle::with_template(&template).ok()?;
    Some(s.with_key("speed", speed).progress_chars("=> "))
}

impl Progress for Reporter {
    fn start(&self, what: &str, total: Option<u64>) {
        let what = escape(what);
        match &self.bar {
            Some(pb) => {
                // Everything is set while the bar is hidden: the first
                // frame is drawn by the first byte (of each download, when
                // one reporter shows several).
                pb.disable_steady_tick();
                pb.set_draw_target(ProgressDrawTarget::hidden());
                pb.reset();
                self.shown.store(false, Ordering::Relaxed);
                if let Some(s) = style(total) {
                    pb.set_style(s);
                }
                pb.set_message(what.to_string());
                if let Some(t) = total {
                    pb.set_length(t);
                }
            }
            None if !self.quiet => match total {
                Some(t) => output::status(format_args!("{} {what} ({})", self.verb, mib(t))),
                None => output::status(format_args!("{} {what}", self.verb)),
            },
            None => {}
        }
    }

    fn advance(&self, bytes: u64) {
        let Some(pb) = &self.bar else {
            return;
        };
        pb.inc(bytes);
        if !self.shown.swap(true, Ordering::Relaxed) {
            pb.set_draw_target((self.target)());
            pb.tick();
            pb.enable_steady_tick(Duration::from_millis(200));
            if let Ok(mut active) = ACTIVE.lock() {
                *active = Some(pb.clone());
            }
        }
    }

    fn message(&self, msg: &str) {
        let msg = escape(msg);
        match &self.bar {
            Some(pb) if self.shown.load(Ordering::Relaxed) => {
                pb.println(output::prefixed(msg.as_ref()))
            }
            _ if !self.quiet => output::status(msg),
            _ => {}
        }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            if let Ok(mut active) = ACTIVE.lock() {
                *active = None;
            }
            pb.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    /// Every frame drawn, as plain text.
    static FRAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    #[derive(Debug)]
    struct Capture;

    impl indicatif::TermLike for Capture {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            if !s.trim().is_empty() {
                FRAMES.lock().unwrap().push(s.to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn nothing_is_drawn_before_the_first_byte_and_never_a_zero_speed() {
        let r = Reporter {
            bar: Some(ProgressBar::hidden()),
            shown: AtomicBool::new(false),
            quiet: false,
            verb: "Downloading",
            target: || indicatif::ProgressDrawTarget::term_like(Box::new(Capture)),
        };
        r.start("go1.22.10.linux-amd64.tar.gz", Some(70 << 20));
        assert!(FRAMES.lock().unwrap().is_empty(), "drawn before any byte");
        r.advance(64 << 10);
        r.finish();
        let frames = FRAMES.lock().unwrap().clone();
        let first = frames.first().expect("a frame once bytes arrived");
        assert!(
            first.starts_with("go1.22.10.linux-amd64.tar.gz "),
            "{first:?}"
        );
        assert!(first.ends_with(" 64.00 KiB/70.00 MiB"), "{first:?}");
        for f in &frames {
            assert!(!f.contains("0 B/s") && !f.contains("ETA 0s"), "{f:?}");
        }
        // A second download with the same reporter (`gover mirror`) gets
        // a bar of its own.
        r.start("go1.23.0.linux-amd64.tar.gz", Some(1 << 20));
        r.advance(1 << 10);
        r.finish();
        let frames = FRAMES.lock().unwrap().clone();
        let last = frames.last().unwrap();
        assert!(last.starts_with("go1.23.0.linux-amd64.tar.gz "), "{last:?}");
        assert!(last.ends_with(" 1.00 KiB/1.00 MiB"), "{last:?}");
    }
}
