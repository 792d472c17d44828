//! `gover-dist` owns every network and archive dependency of gover: the
//! go.dev/dl release index, mirrors, streamed and verified downloads,
//! hardened extraction and atomic, locked installs into `$GOVER_HOME`.
//!
//! The pieces:
//! - [`index`]: the release index format and version resolution against it;
//! - [`source`]: where the index and archives come from (HTTP(S) or
//!   `file://`), with the index cached under `$GOVER_HOME/cache/`;
//! - [`http`]: timeouts, retries, resumable downloads, proxies, TLS roots,
//!   download limits and the redirect rule;
//! - [`extract`]: one streaming pass that hashes, gunzips and unpacks with a
//!   strict entry policy;
//! - [`verify`]: what an unpacked tree must be (one rule for install and
//!   mirror);
//! - [`lock`]: per-version install locks;
//! - [`scratch`]: gover's scratch space in `$GOVER_HOME/tmp` and its
//!   leftovers;
//! - [`install`]: the whole install/uninstall transaction, and where
//!   toolchains of each platform go;
//! - [`inuse`]: which running processes use a toolchain;
//! - [`store`]: the content-addressed store toolchain files are linked from,
//!   and [`optimize`]: moving installed toolchains into it;
//! - [`mirror`]: the `gover mirror` transaction (plan, fetch and verify,
//!   write `index.json`);
//! - [`modzip`]: unpacking a `golang.org/toolchain` module zip;
//! - [`goproxy`]: GOPROXY and GOSUMDB as Go reads them, and the module
//!   proxy client for the toolchain module (`@v/list`, `.info`, `.zip`);
//! - [`sumdb`]: reaching Go's checksum database (directly, through a
//!   proxy, or `file://`);
//! - [`trust`]: checking a toolchain against the checksum database (the
//!   service installs and `gover verify` call);
//! - [`verified`]: the record of how each installed toolchain was
//!   verified, and [`crosscheck`]: checking each archive installed against
//!   the database before its commit, and writing that record;
//! - [`release`]: gover's own release archives (for `gover self update`).
//!
//! Every URL is a [`gover_core::url::Url`] (credentials masked whenever it
//! is shown, never persisted), and every message is escaped for a terminal
//! (see [`Error`]).

pub mod crosscheck;
pub mod error;
pub mod extract;
pub mod goproxy;
pub mod http;
pub mod index;
pub mod install;
pub mod inuse;
pub mod lock;
pub mod mirror;
pub mod modzip;
pub mod optimize;
pub mod platform;
pub mod release;
pub mod scratch;
pub mod source;
pub mod store;
pub mod sumdb;
pub mod trust;
pub mod verified;
pub mod verify;

pub use error::{Error, ErrorKind, Result};
pub use index::{Index, IndexFile, Release};
pub use platform::Platform;

/// Receives progress and status from long operations. Every method has an
/// empty default; implementations must be cheap (called per chunk).
pub trait Progress: Send + Sync {
    /// A transfer of `total` bytes (if known) named `what` begins.
    fn start(&self, what: &str, total: Option<u64>) {
        let _ = (what, total);
    }
    /// `bytes` more were received.
    fn advance(&self, bytes: u64) {
        let _ = bytes;
    }
    /// A status line worth showing (a retry, waiting for a lock).
    fn message(&self, msg: &str) {
        let _ = msg;
    }
    /// The transfer is over (successfully or not).
    fn finish(&self) {}
}

/// The local file a `file://` URL (or an absolute path) names.
pub(crate) fn local_path(url: &str) -> Option<std::path::PathBuf> {
    gover_core::url::Url::parse(url).ok()?.file_path()
}

/// `url` parsed, for a request.
pub(crate) fn http_url(url: &str) -> Result<gover_core::url::Url> {
    gover_core::url::Url::parse(url).map_err(|e| Error::new(ErrorKind::InvalidInput, e.to_string()))
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
