//! Errors that name what failed (the URL, file, version or archive entry)
//! and, where there is one, what to do about it.

use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

use gover_core::text::escape;
use gover_core::url::mask_in_text;

/// What kind of failure an [`Error`] is, for callers that react to some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The requested version is not in the release index.
    UnknownVersion,
    /// The version exists but has no archive for the platform.
    PlatformNotPublished,
    /// Something gover does not support (yet), such as Windows `.zip` archives.
    Unsupported,
    /// The server answered with an error status.
    HttpStatus,
    /// The connection failed, timed out or was reset.
    Network,
    /// The body ended before the expected length.
    Truncated,
    /// The downloaded bytes do not have the expected sha256.
    ChecksumMismatch,
    /// The release index is not in go.dev/dl format.
    MalformedIndex,
    /// Offline mode and nothing cached.
    Offline,
    /// The archive is corrupt, or breaks the extraction policy.
    BadArchive,
    /// Waiting for another installer's lock took too long.
    LockTimeout,
    /// The version is not installed.
    NotInstalled,
    /// A bad argument (platform, checksum, version).
    InvalidInput,
    /// The file's size differs from the size the release index lists: a
    /// wrong or tampered file, not a network problem.
    SizeMismatch,
    /// A download limit was hit: the deadline derived from the size, the
    /// minimum speed, or the most bytes a release index may have.
    Limit,
    /// A redirect gover does not follow: from `https://` down to `http://`,
    /// or to anything but `http(s)://`.
    Redirect,
    /// Running processes use the toolchain to be removed.
    InUse,
    /// A toolchain could not be checked against Go's checksum database
    /// when it had to be: the database has no record of it, cannot be
    /// reached, or answered with something that does not authenticate.
    Unverified,
    /// A checksum database was caught misbehaving: it signed two trees
    /// that contradict each other (a fork) or went back to an older one (a
    /// rollback). The message carries the evidence.
    Security,
    /// A local file system error other than the two below.
    Io,
    /// The file system (or the user's quota) is full.
    DiskFull,
    /// gover may not write where it must: missing permissions, an
    /// immutable directory or a read-only file system.
    PermissionDenied,
}

impl ErrorKind {
    /// The kind of a local I/O error: [`ErrorKind::DiskFull`],
    /// [`ErrorKind::PermissionDenied`] or else [`ErrorKind::Io`].
    pub fn from_io(e: &io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Self::DiskFull,
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                Self::PermissionDenied
            }
            _ => Self::Io,
        }
    }
}

/// A failure with a message naming what failed and an optional hint.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`. Credentials in any URL the
    /// message quotes (`https://user:pass@host/`) are masked, and control
    /// characters (from an index, a server or a file name) are escaped;
    /// only the line breaks the message itself is made of remain.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: for_terminal(&message.into()),
            hint: None,
        }
    }

    /// Adds (or replaces) the hint, masked and escaped as [`Error::new`]
    /// does.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(for_terminal(&hint.into()));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What to do about it, if gover knows.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// An I/O error while doing `what` (which names the file), with a hint
    /// for the failures users can fix: a full disk and missing permissions.
    /// The hint names the directory at fault: `path` when it exists, else
    /// its nearest existing ancestor (where it was to be created).
    pub fn io(what: impl fmt::Display, path: &Path, e: io::Error) -> Self {
        let message = format!("{what} {}: {}", path.display(), describe_io(&e));
        let err = Self::new(ErrorKind::from_io(&e), message);
        let at_fault = path
            .ancestors()
            .find(|p| !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_ok())
            .unwrap_or(path);
        match io_hint(&e, at_fault) {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

/// `text` ready for a terminal: URL credentials masked (with the real URL
/// parser's rules), and every control character but the line breaks
/// between a message's own lines escaped.
pub(crate) fn for_terminal(text: &str) -> String {
    // The form hints show for a URL with credentials is no secret.
    const FORM: &str = "<user>:<password>@";
    const KEPT: &str = "\u{0}form\u{0}";
    let masked = mask_in_text(&text.replace(FORM, KEPT)).replace(KEPT, FORM);
    let mut out = String::with_capacity(masked.len());
    for (i, line) in masked.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&escape(line));
    }
    out
}

/// An I/O error as a short phrase ("No space left on device (os error 28)").
pub(crate) fn describe_io(e: &io::Error) -> String {
    e.to_string()
}

/// The hint for an I/O error on `path`, if the user can do something.
pub(crate) fn io_hint(e: &io::Error, path: &Path) -> Option<String> {
    let p = path.display();
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(format!(
            "the file system holding {p} is full: free some space (`gover uninstall` old versions) or set GOVER_HOME to a directory on a larger disk"
        )),
        io::ErrorKind::ReadOnlyFilesystem => Some(format!(
            "{p} is on a read-only file system: remount it read-write, or set GOVER_HOME to a writable directory"
        )),
        io::ErrorKind::PermissionDenied => Some(format!(
            "gover may not write to {p}: fix its permissions (or owner, or immutable attribute), or set GOVER_HOME to a directory you own"
        )),
        _ => None,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    // The raw errors are Unix's.
    #[cfg(unix)]
    #[test]
    fn io_errors_name_the_file_and_say_what_to_do() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("tmp");
        fs::create_dir(&dir).unwrap();
        let (d, p) = (dir.display(), dir.join("x"));
        // The errors the kernel gives: ENOSPC, EDQUOT, EROFS, EACCES, EPERM.
        // The message names the file; the hint the directory that exists.
        let full = Error::io(
            "cannot write",
            &p,
            io::Error::from_raw_os_error(libc::ENOSPC),
        );
        assert_eq!(full.kind(), ErrorKind::DiskFull);
        assert!(
            full.to_string()
                .starts_with(&format!("cannot write {d}/x: No space left on device")),
            "{full}"
        );
        assert!(
            full.hint().unwrap().starts_with(&format!(
                "the file system holding {d} is full: free some space"
            )),
            "{full:?}"
        );
        let quota = Error::io(
            "cannot write",
            &p,
            io::Error::from_raw_os_error(libc::EDQUOT),
        );
        assert_eq!(quota.kind(), ErrorKind::DiskFull);
        assert!(quota.hint().unwrap().contains("is full"), "{quota:?}");

        let ro = Error::io(
            "cannot create",
            &p,
            io::Error::from_raw_os_error(libc::EROFS),
        );
        assert_eq!(ro.kind(), ErrorKind::PermissionDenied);
        assert!(ro.to_string().contains("Read-only file system"), "{ro}");
        assert!(
            ro.hint()
                .unwrap()
                .starts_with(&format!("{d} is on a read-only file system")),
            "{ro:?}"
        );
        for errno in [libc::EACCES, libc::EPERM] {
            let denied = Error::io("cannot open", &dir, io::Error::from_raw_os_error(errno));
            assert_eq!(denied.kind(), ErrorKind::PermissionDenied);
            let hint = denied.hint().unwrap();
            assert!(
                hint.starts_with(&format!("gover may not write to {d}:")),
                "{hint}"
            );
            assert!(hint.contains("set GOVER_HOME"), "{hint}");
        }
        let other = Error::io(
            "cannot read",
            &p,
            io::Error::from(io::ErrorKind::InvalidData),
        );
        assert_eq!(other.kind(), ErrorKind::Io);
        assert!(other.hint().is_none());
    }

    #[test]
    fn messages_and_hints_never_show_url_credentials() {
        let e = Error::new(
            ErrorKind::Network,
            "GET https://me:hunter2@mirror.example/go/x.tar.gz failed",
        )
        .with_hint("check HTTPS_PROXY=http://proxyuser:pw@proxy:3128");
        assert_eq!(
            e.to_string(),
            "GET https://me:***@mirror.example/go/x.tar.gz failed"
        );
        assert_eq!(
            e.hint(),
            Some("check HTTPS_PROXY=http://proxyuser:***@proxy:3128")
        );
        // Passwords holding quotes, brackets or `#` are masked whole.
        for pw in ["p'w", "p(w)", "p\"w", "p#w"] {
            let e = Error::new(ErrorKind::Network, format!("GET http://u:{pw}@h/x failed"));
            assert_eq!(e.to_string(), "GET http://u:***@h/x failed", "{pw}");
        }
    }

    #[test]
    fn control_characters_are_escaped_but_line_breaks_kept() {
        let e = Error::new(
            ErrorKind::BadArchive,
            "go\u{1b}]0;title\u{7}.tar.gz is bad\n  expected \u{9b}31m",
        )
        .with_hint("see \u{1b}[2J");
        assert_eq!(
            e.to_string(),
            "go\\u{1b}]0;title\\u{7}.tar.gz is bad\n  expected \\u{9b}31m"
        );
        assert_eq!(e.hint(), Some("see \\u{1b}[2J"));
    }
}
