//! Errors that say what failed (the key, note, tile, URL or file), why, and
//! what to do; a distinct kind for a checksum database caught misbehaving,
//! carrying the evidence.

use std::fmt;
use std::io;
use std::path::Path;

use crate::tlog::{Hash, Tree};

/// What kind of failure an [`Error`] is, for callers that react to some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A verifier key (`name+hash+key`) is malformed, has a key hash that
    /// does not match, or names an unknown algorithm.
    InvalidKey,
    /// A signed note is not in the note format.
    MalformedNote,
    /// A note carries no signature by the key gover trusts.
    UnknownKey,
    /// A note carries a signature by the trusted key that does not verify.
    BadSignature,
    /// A tree head, lookup answer, record or tile is not in the database's
    /// format.
    Malformed,
    /// The database (or proxy) answered 404 or 410: it has no such record
    /// or tile.
    NotFound,
    /// The database could not be reached, or answered with another error.
    Fetch,
    /// What the database served does not authenticate against its signed
    /// tree head: a tile that does not hash to its parent or to the root, a
    /// record that is not the one in the log.
    Unverified,
    /// Two signed tree heads that cannot both be true: the log forked, or
    /// went back to an older state it cannot prove. See
    /// [`Error::evidence`].
    Security,
    /// A GOSUMDB, GOPROXY or similar setting is invalid.
    Config,
    /// A hash computed here does not equal the one the database records.
    ChecksumMismatch,
    /// A local file could not be read or written.
    Io,
}

/// What a database did to trigger [`ErrorKind::Security`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehavior {
    /// Both heads are validly signed, and the older one's tree is not a
    /// prefix of the newer one's: the log was rewritten.
    Fork,
    /// The database answered with a tree older than one gover verified
    /// before, and does not serve the tiles that would prove the older
    /// tree a prefix of the newer: it went back in time.
    Rollback,
}

/// The proof that a database misbehaved: both signed tree heads, as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// What happened.
    pub what: Misbehavior,
    /// The smaller tree.
    pub older: Tree,
    /// Its signed note, as the database sent it.
    pub older_note: String,
    /// The larger (or equally large) tree.
    pub newer: Tree,
    /// Its signed note, as the database sent it.
    pub newer_note: String,
    /// For a fork: the hash of the first `older.size` records as the
    /// newer tree's tiles give it (differing from `older.hash`).
    pub computed: Option<Hash>,
    /// For a fork: a consistency proof, from the newer tree's tiles, that
    /// the newer tree holds `computed` (not `older.hash`) as its prefix.
    pub proof: Vec<Hash>,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let indent = |s: &str| s.trim_end().replace('\n', "\n\t");
        writeln!(f, "older tree head:\n\t{}", indent(&self.older_note))?;
        writeln!(f, "newer tree head:\n\t{}", indent(&self.newer_note))?;
        if let Some(h) = &self.computed {
            write!(
                f,
                "the newer tree's first {} records hash to {h}",
                self.older.size
            )?;
            if !self.proof.is_empty() {
                write!(f, "; consistency proof:")?;
                for h in &self.proof {
                    write!(f, "\n\t{h}")?;
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// A failure with a message naming what failed, an optional hint, and
/// for [`ErrorKind::Security`] the evidence.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    evidence: Option<Box<Evidence>>,
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
            evidence: None,
        }
    }

    /// A security error: the message, and the evidence.
    pub fn security(message: impl Into<String>, evidence: Evidence) -> Self {
        Self {
            kind: ErrorKind::Security,
            message: message.into(),
            hint: None,
            evidence: Some(Box::new(evidence)),
        }
    }

    /// Adds (or replaces) the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Puts `context` (what was being done) in front of the message.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// An I/O error while doing `what` to `path`.
    pub fn io(what: &str, path: &Path, e: io::Error) -> Self {
        Self::new(ErrorKind::Io, format!("{what} {}: {e}", path.display()))
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without hint or evidence.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, if known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// For [`ErrorKind::Security`]: the two signed tree heads that
    /// contradict each other.
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_deref()
    }
}

impl fmt::Display for Error {
    /// The message; for a security error, then the evidence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(e) = &self.evidence {
            write!(f, "\n{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// `s` made safe to show: control characters escaped, cut to `max` chars.
pub(crate) fn shown(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes from outside made safe to show (lossy UTF-8, see [`shown`]).
pub(crate) fn shown_bytes(b: &[u8], max: usize) -> String {
    shown(&String::from_utf8_lossy(&b[..b.len().min(max * 4)]), max)
}
