//! Output for people: colour on a terminal, none in a pipe or a file.
//!
//! Whether a stream gets colour is decided once per stream, the way most
//! command-line tools decide it: `--color always|never` wins; otherwise
//! `NO_COLOR` (set and not empty) turns colour off, `CLICOLOR_FORCE` turns
//! it on, `CLICOLOR=0` off, and else colour goes only to a terminal whose
//! `TERM` is not `dumb`. The words never change with colour: `error: `,
//! `warning: `, `hint: ` read the same either way, so scripts and tests
//! that read them keep working.
//!
//! Text from outside is escaped before it gets here (`gover_core::text`);
//! a style only wraps it, so no colour code can come from a file name.
//!
//! The API for commands: [`Paint`] (for a stream, or plain) paints text
//! with one of the [`style`]s; [`status`], [`warn`], [`note_hint`] and
//! [`warn_with_hint`] print gover's lines on stderr; [`label`] gives a
//! label alone.
//!
//! Two process-wide switches, set once by `main`, apply to every line
//! printed here: `-q` ([`set_quiet`]) drops status lines, warnings and
//! hints (errors and data stay), and a `gover install` run by the shim
//! ([`set_for_shim`], from `GOVER_SHIM_INSTALL`) starts each line with
//! `gover: `, as the shim's own lines do.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anstream::ColorChoice;
pub(crate) use anstyle::Style;

/// When to colour output, as `--color` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set (or CLICOLOR_FORCE forces it)
    Auto,
    /// Always, even into a pipe or a file
    Always,
    /// Never
    Never,
}

/// The styles gover uses; each has one meaning everywhere.
pub(crate) mod style {
    use anstyle::{AnsiColor, Style};

    /// `error:` and what failed.
    pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
    /// `warning:` and what needs a look.
    pub(crate) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    /// `hint:`, and commands to run.
    pub(crate) const HINT: Style = AnsiColor::Cyan.on_default().bold();
    /// What is fine: `ok:`, a check that passed.
    pub(crate) const GOOD: Style = AnsiColor::Green.on_default().bold();
    /// A name to notice: a version, a finding's id.
    pub(crate) const EMPHASIS: Style = Style::new().bold();
    /// Secondary detail: causes, reasons.
    pub(crate) const DIM: Style = Style::new().dimmed();
}

/// A standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Data.
    Stdout,
    /// Messages.
    Stderr,
}

/// Applies `--color` for the rest of the process (clap's own messages
/// included); `None` leaves the environment to decide.
pub(crate) fn set_color(when: Option<ColorWhen>) {
    let choice = match when {
        None | Some(ColorWhen::Auto) => ColorChoice::Auto,
        Some(ColorWhen::Always) => ColorChoice::Always,
        Some(ColorWhen::Never) => ColorChoice::Never,
    };
    choice.write_global();
}

/// `--color` from the raw arguments, before clap parses them (so clap's
/// own errors follow it too): the last `--color WHEN` or `--color=WHEN`
/// before a `--` or the command `exec` runs.
pub(crate) fn color_from_args<I, S>(args: I) -> Option<ColorWhen>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut found = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let a = a.as_ref().to_string_lossy().into_owned();
        let value = match a.as_str() {
            "--" | "exec" => break,
            "--color" => args
                .next()
                .map(|v| v.as_ref().to_string_lossy().into_owned()),
            _ => a.strip_prefix("--color=").map(str::to_string),
        };
        if let Some(v) = value {
            found = clap::ValueEnum::from_str(&v, false).ok().or(found);
        }
    }
    found
}

/// Whether text written to `stream` gets colour.
pub(crate) fn colors(stream: Stream) -> bool {
    let choice = match stream {
        Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
        Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
    };
    choice != ColorChoice::Never
}

/// Paints text for one stream: with colour codes or without. The default
/// paints nothing (for text that goes into a file or JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Paint {
    on: bool,
}

impl Paint {
    /// Colour as `stream` gets it.
    pub(crate) fn for_stream(stream: Stream) -> Self {
        Self { on: colors(stream) }
    }

    /// Colour always (for tests).
    #[cfg(test)]
    pub(crate) const ANSI: Self = Self { on: true };

    /// `text` in `style`.
    pub(crate) fn paint<T: fmt::Display>(self, style: Style, text: T) -> Painted<T> {
        Painted {
            style: if self.on { style } else { Style::new() },
            text,
        }
    }
}

/// Text with a style, shown with its codes only when painting is on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Painted<T> {
    style: Style,
    text: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.style == Style::new() {
            return self.text.fmt(f);
        }
        write!(
            f,
            "{}{}{}",
            self.style.render(),
            self.text,
            self.style.render_reset()
        )
    }
}

/// The kinds of labelled line gover prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    /// `error:`
    Error,
    /// `warning:`
    Warning,
    /// `hint:`
    Hint,
}

/// `error:`, `warning:` or `hint:` for `paint`.
pub(crate) fn label(paint: Paint, l: Label) -> String {
    let (word, style) = match l {
        Label::Error => ("error:", style::ERROR),
        Label::Warning => ("warning:", style::WARNING),
        Label::Hint => ("hint:", style::HINT),
    };
    paint.paint(style, word).to_string()
}

static QUIET: AtomicBool = AtomicBool::new(false);
static FOR_SHIM: AtomicBool = AtomicBool::new(false);

/// `-q`: from now on print nothing but errors (and data on stdout).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `-q` is on.
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// This process is the `gover install` the shim runs to install a missing
/// toolchain: every line on stderr starts with `gover: `.
pub(crate) fn set_for_shim(on: bool) {
    FOR_SHIM.store(on, Ordering::Relaxed);
}

/// Whether this process runs for the shim (see [`set_for_shim`]).
pub(crate) fn for_shim() -> bool {
    FOR_SHIM.load(Ordering::Relaxed)
}

/// What starts every line on stderr: `gover: ` for the shim, else nothing.
pub(crate) fn line_prefix() -> &'static str {
    if for_shim() {
        "gover: "
    } else {
        ""
    }
}

/// `text` with [`line_prefix`] before each line; blank lines stay blank.
pub(crate) fn prefixed(text: &str) -> String {
    let prefix = line_prefix();
    if prefix.is_empty() {
        return text.to_string();
    }
    text.split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints `text` and a line break to stderr, each line prefixed (see
/// [`line_prefix`]), whatever `-q` says: for errors. Once an install was
/// interrupted, nothing more is printed (the interruption says it all).
pub(crate) fn eprint_always(text: &str) {
    if crate::interrupt::interrupted() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", prefixed(text));
}

/// Prints a status line to stderr, unless `-q`.
pub(crate) fn status(msg: impl fmt::Display) {
    if !quiet() {
        eprint_always(&msg.to_string());
    }
}

/// Prints `warning: {msg}` to stderr, unless `-q`.
pub(crate) fn warn(msg: impl fmt::Display) {
    let p = Paint::for_stream(Stream::Stderr);
    status(format_args!("{} {msg}", label(p, Label::Warning)));
}

/// Prints `hint: {msg}` to stderr, unless `-q`.
pub(crate) fn note_hint(msg: impl fmt::Display) {
    let p = Paint::for_stream(Stream::Stderr);
    status(format_args!("{} {msg}", label(p, Label::Hint)));
}

/// Prints `warning: {msg}`, a blank line and `hint: {hint}` to stderr,
/// unless `-q`: a warning with something to do about it.
pub(crate) fn warn_with_hint(msg: impl fmt::Display, hint: impl fmt::Display) {
    let p = Paint::for_stream(Stream::Stderr);
    status(format_args!(
        "{} {msg}\n\n{} {hint}",
        label(p, Label::Warning),
        label(p, Label::Hint)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_lines_are_prefixed_and_blank_lines_stay_blank() {
        set_for_shim(true);
        let got = prefixed("error: x\n  caused by: y\n\nhint: z");
        set_for_shim(false);
        assert_eq!(
            got,
            "gover: error: x\ngover:   caused by: y\n\ngover: hint: z"
        );
        assert_eq!(prefixed("a\n\nb"), "a\n\nb");
    }

    #[test]
    fn labels_keep_their_words() {
        assert_eq!(label(Paint::default(), Label::Warning), "warning:");
        let coloured = label(Paint::ANSI, Label::Error);
        assert!(coloured.starts_with('\u{1b}'), "{coloured:?}");
        assert!(coloured.contains("error:"), "{coloured:?}");
        assert!(coloured.ends_with("\u{1b}[0m"), "{coloured:?}");
        assert_eq!(Paint::default().paint(style::GOOD, "ok").to_string(), "ok");
    }

    #[test]
    fn color_flag_is_found_before_the_command_runs() {
        let f = |a: &[&str]| color_from_args(a.iter().copied());
        assert_eq!(
            f(&["gover", "--color", "never", "list"]),
            Some(ColorWhen::Never)
        );
        assert_eq!(
            f(&["gover", "list", "--color=always"]),
            Some(ColorWhen::Always)
        );
        assert_eq!(f(&["gover", "--color=bogus"]), None);
        assert_eq!(f(&["gover", "exec", "--", "ls", "--color=always"]), None);
        assert_eq!(f(&["gover", "exec", "1.22", "ls", "--color=always"]), None);
        assert_eq!(f(&["gover", "list"]), None);
    }
}
