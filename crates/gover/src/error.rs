//! Errors users read: one block, `error: <what>`, its causes, then
//! `hint: <what to do>`.
//!
//! Every error a command returns becomes one [`UserError`] or is wrapped
//! around one, through the `From` conversions here, which keep the hint of
//! the error they convert: gover-dist's, the resolver's, and for file
//! system errors one that says what to do about a full disk, a read-only
//! file system or a missing permission. [`report`] prints the block once:
//! causes already said by the message are not repeated, the hint is the
//! first one found in the chain (or derived from an I/O error in it), and
//! an error whose block was already printed (by a child gover) prints
//! nothing more.

use std::fmt;
use std::io;
use std::path::Path;

use gover_core::fs::UserFileError;
use gover_core::text::escape;

use crate::output::{label, style, Label, Paint, Stream};

/// An error with an optional hint and exit code, shown as
/// `error: {message}` followed by a blank line and `hint: {hint}`.
#[derive(Debug)]
pub(crate) struct UserError {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) code: u8,
    /// The block was already printed (by a child process): print nothing.
    pub(crate) reported: bool,
}

impl UserError {
    /// An error that exits 1.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: 1,
            reported: false,
        }
    }

    /// Adds (or replaces) the hint.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A failure whose error block is already on the terminal (a child
    /// `gover` printed it): exits `code` and prints nothing more.
    #[allow(dead_code)] // for commands that run gover as a child
    pub(crate) fn already_reported(code: u8) -> Self {
        Self {
            message: String::new(),
            hint: None,
            code: code.max(1),
            reported: true,
        }
    }

    /// An I/O error while doing `what` to `path` (`cannot write ~/.bashrc:
    /// No space left on device`), with the hint [`io_hint`] gives.
    pub(crate) fn io(what: impl fmt::Display, path: &Path, e: &io::Error) -> Self {
        let u = Self::new(format!("{what} {}: {e}", path.display()));
        match io_hint(e, path) {
            Some(h) => u.hint(h),
            None => u,
        }
    }
}

/// What to do about an I/O error on `path`, when the user can do
/// something: a full file system, a read-only one, a missing permission.
pub(crate) fn io_hint(e: &io::Error, path: &Path) -> Option<String> {
    hint_for(e, &path.display().to_string())
}

/// A hint for an I/O error whose cause is the file system holding `path`
/// itself, not the file: full, out of quota, or read-only. `None` for
/// other errors.
pub(crate) fn fs_cause(e: &io::Error, path: &Path) -> Option<String> {
    fs_cause_for(e, &path.display().to_string())
}

fn fs_cause_for(e: &io::Error, p: &str) -> Option<String> {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(format!(
            "the file system holding {p} is full (or you are over your quota); free some space, then run this again"
        )),
        io::ErrorKind::ReadOnlyFilesystem => Some(format!(
            "{p} is on a read-only file system: remount it read-write, or run this where you can write"
        )),
        _ => None,
    }
}

/// [`io_hint`] for the file the message names as `p`.
fn hint_for(e: &io::Error, p: &str) -> Option<String> {
    if let Some(h) = fs_cause_for(e, p) {
        return Some(h);
    }
    match e.kind() {
        io::ErrorKind::PermissionDenied => Some(format!(
            "you may not change {p}: check its owner and permissions (`ls -l`), or run this as the user who owns it"
        )),
        _ => None,
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

impl From<gover_core::ResolveError> for UserError {
    fn from(e: gover_core::ResolveError) -> Self {
        let u = Self::new(e.to_string());
        match e.hint() {
            Some(h) => u.hint(h),
            None => u,
        }
    }
}

impl From<gover_core::home::HomeError> for UserError {
    fn from(e: gover_core::home::HomeError) -> Self {
        Self::new(e.to_string())
    }
}

impl From<gover_dist::Error> for UserError {
    fn from(e: gover_dist::Error) -> Self {
        let u = Self::new(e.to_string());
        match e.hint() {
            Some(h) => u.hint(h),
            None => u,
        }
    }
}

impl From<UserFileError> for UserError {
    fn from(e: UserFileError) -> Self {
        user_file_error(&e)
    }
}

/// A refusal with its hint, or a failed read or write with the I/O hint.
fn user_file_error(e: &UserFileError) -> UserError {
    let u = crate::userfile::refused(e);
    let io = match e {
        UserFileError::Io { path, error, .. } if u.hint.is_none() => io_hint(error, path),
        _ => None,
    };
    match io {
        Some(h) => u.hint(h),
        None => u,
    }
}

/// Turns a `gover-dist` error into one the CLI renders with its hint.
pub(crate) fn user_error(e: gover_dist::Error) -> anyhow::Error {
    UserError::from(e).into()
}

/// The hint the chain of `err` carries: a [`UserError`]'s, gover-dist's,
/// a user file's, or one for an I/O error in it.
pub(crate) fn chain_hint(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|c| {
        if let Some(u) = c.downcast_ref::<UserError>() {
            return u.hint.clone();
        }
        if let Some(d) = c.downcast_ref::<gover_dist::Error>() {
            return d.hint().map(str::to_string);
        }
        if let Some(f) = c.downcast_ref::<UserFileError>() {
            return user_file_error(f).hint;
        }
        hint_for(c.downcast_ref::<io::Error>()?, "the file named above")
    })
}

/// The error block for `err`, without colour, or `None` when it was
/// already printed.
#[cfg(test)]
pub(crate) fn render(err: &anyhow::Error) -> Option<String> {
    render_with(err, Paint::default())
}

/// The error block for `err`, painted with `paint`, or `None` when it was
/// already printed. Every line of text is escaped, so nothing from a file
/// or directory name can act on the terminal; colour only wraps the labels.
pub(crate) fn render_with(err: &anyhow::Error, paint: Paint) -> Option<String> {
    if err.downcast_ref::<UserError>().is_some_and(|u| u.reported) {
        return None;
    }
    let safe = |s: &str| s.split('\n').map(escape).collect::<Vec<_>>().join("\n");
    let mut out = format!("{} {}", label(paint, Label::Error), safe(&err.to_string()));
    let mut said = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if c.is_empty() || said.contains(&c) {
            continue;
        }
        out.push_str(&format!(
            "\n  {} {}",
            paint.paint(style::DIM, "caused by:"),
            safe(&c)
        ));
        said.push_str(&c);
    }
    if let Some(h) = chain_hint(err) {
        out.push_str(&format!("\n\n{} {}", label(paint, Label::Hint), safe(&h)));
    }
    Some(out)
}

/// Prints an error to stderr (once) and returns the exit code to use.
pub(crate) fn report(err: &anyhow::Error) -> u8 {
    if let Some(text) = render_with(err, Paint::for_stream(Stream::Stderr)) {
        crate::output::eprint_always(&text);
    }
    err.chain()
        .find_map(|c| c.downcast_ref::<UserError>().map(|u| u.code))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn io_err(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, "boom")
    }

    #[test]
    fn file_system_causes_are_named_and_permission_is_not_one() {
        let p = Path::new("/srv/gover");
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(fs_cause(&full, p)
            .unwrap()
            .starts_with("the file system holding /srv/gover is full"));
        let ro = io::Error::from(io::ErrorKind::ReadOnlyFilesystem);
        assert!(fs_cause(&ro, p)
            .unwrap()
            .starts_with("/srv/gover is on a read-only file system"));
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(fs_cause(&denied, p), None);
        assert!(io_hint(&denied, p).unwrap().contains("you may not change"));
    }

    #[test]
    fn io_hints_survive_every_path() {
        let p = Path::new("/home/me/.bashrc");
        // Made directly.
        let u = UserError::io("cannot write", p, &io_err(io::ErrorKind::StorageFull));
        assert_eq!(u.message, "cannot write /home/me/.bashrc: boom");
        assert!(u.hint.as_deref().unwrap().contains("is full"), "{u:?}");
        // Through a user-file write.
        let f = UserFileError::Io {
            path: p.into(),
            what: "cannot write",
            error: io_err(io::ErrorKind::ReadOnlyFilesystem),
        };
        let e: anyhow::Error = UserError::from(f).into();
        assert!(render(&e)
            .unwrap()
            .contains("hint: /home/me/.bashrc is on a read-only file system"));
        // A bare io::Error with context.
        let e = Err::<(), _>(io_err(io::ErrorKind::PermissionDenied))
            .context("cannot create /x/y")
            .unwrap_err();
        let text = render(&e).unwrap();
        assert!(
            text.starts_with("error: cannot create /x/y\n  caused by: boom"),
            "{text}"
        );
        assert!(
            text.contains("hint: you may not change the file named above"),
            "{text}"
        );
        // A user-file error inside a context keeps its hint too.
        let f = UserFileError::Io {
            path: p.into(),
            what: "cannot write",
            error: io_err(io::ErrorKind::StorageFull),
        };
        let e = anyhow::Error::new(f).context("setup failed");
        assert!(
            render(&e).unwrap().contains("is full"),
            "{}",
            render(&e).unwrap()
        );
    }

    #[test]
    fn one_block_with_no_repeats() {
        let inner = UserError::new("cannot read /a: boom").hint("fix /a");
        let e = anyhow::Error::new(inner).context("cannot read /a: boom");
        let text = render(&e).unwrap();
        assert_eq!(text, "error: cannot read /a: boom\n\nhint: fix /a");
        let e: anyhow::Error = UserError::already_reported(3).into();
        assert!(render(&e).is_none());
        assert_eq!(report(&e), 3);
    }

    #[test]
    fn control_characters_are_escaped() {
        let e: anyhow::Error = UserError::new("bad name go\u{1b}]0;x\u{7}\nsecond line")
            .hint("rm \u{1b}[2J")
            .into();
        let text = render(&e).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("go\\u{1b}]0;x\\u{7}\nsecond line"), "{text}");
    }

    #[test]
    fn colour_wraps_the_labels_and_never_the_escaped_text() {
        let e: anyhow::Error = UserError::new("bad \u{1b}[2J name").hint("rm it").into();
        let plain = render(&e).unwrap();
        let painted = render_with(&e, Paint::ANSI).unwrap();
        assert_ne!(plain, painted);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        // The labels are painted and reset; the text between is as escaped.
        assert!(
            painted.contains("error:\u{1b}[0m bad \\u{1b}[2J name\n\n\u{1b}["),
            "{painted:?}"
        );
        assert!(painted.ends_with("hint:\u{1b}[0m rm it"), "{painted:?}");
        let stripped: String = anstream::adapter::strip_str(&painted).to_string();
        assert_eq!(stripped, plain);
    }
}
