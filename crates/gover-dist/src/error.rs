//! Errors that name what failed (the URL, file, version or archive entry)
//! and, where there is one, what to do about it.

use std::fmt;
use std::io;
use std::path::Path;

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
    /// A local file system error (disk full, permission denied, ...).
    Io,
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
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds (or replaces) the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
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
    pub fn io(what: impl fmt::Display, path: &Path, e: io::Error) -> Self {
        let message = format!("{what} {}: {}", path.display(), describe_io(&e));
        let err = Self::new(ErrorKind::Io, message);
        match io_hint(&e, path) {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

/// An I/O error as a short phrase ("No space left on device (os error 28)").
pub(crate) fn describe_io(e: &io::Error) -> String {
    e.to_string()
}

/// The hint for an I/O error on `path`, if the user can do something.
pub(crate) fn io_hint(e: &io::Error, path: &Path) -> Option<String> {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(format!(
            "the file system holding {} is full: free some space (`gover uninstall` old versions) or set GOVER_HOME to a larger disk",
            path.display()
        )),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => Some(format!(
            "gover cannot write to {}: fix its permissions, or set GOVER_HOME to a directory you own",
            path.display()
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

    #[test]
    fn io_errors_name_the_file_and_say_what_to_do() {
        let p = Path::new("/g/tmp/x");
        let full = Error::io(
            "cannot write",
            p,
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert!(
            full.to_string().starts_with("cannot write /g/tmp/x: "),
            "{full}"
        );
        assert!(full.hint().unwrap().contains("is full"), "{full:?}");
        let denied = Error::io(
            "cannot create",
            p,
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(
            denied.hint().unwrap().contains("set GOVER_HOME"),
            "{denied:?}"
        );
        let other = Error::io(
            "cannot read",
            p,
            io::Error::from(io::ErrorKind::InvalidData),
        );
        assert!(other.hint().is_none());
    }
}
