//! Every environment variable gover reads, named once.

/// Root of gover's data (toolchains, shims, cache, global default).
/// Default: `$XDG_DATA_HOME/gover`, else `~/.local/share/gover`.
pub const GOVER_HOME: &str = "GOVER_HOME";
/// A version request that overrides every pin file (`1.22`, `go1.22.10`).
pub const GOVER_GO_VERSION: &str = "GOVER_GO_VERSION";
/// URL of the release index (go.dev/dl JSON format).
pub const GOVER_INDEX_URL: &str = "GOVER_INDEX_URL";
/// Base URL archives are downloaded from (`http://`, `https://` or `file://`).
pub const GOVER_MIRROR: &str = "GOVER_MIRROR";
/// `1` to use only the cached index and never touch the network.
pub const GOVER_OFFLINE: &str = "GOVER_OFFLINE";
/// Connect and idle-read timeout for HTTP, in seconds (default 30).
pub const GOVER_HTTP_TIMEOUT: &str = "GOVER_HTTP_TIMEOUT";
/// How long to wait for another process's install lock, in seconds.
pub const GOVER_LOCK_TIMEOUT: &str = "GOVER_LOCK_TIMEOUT";
/// `0` stops the shim from installing a pinned but missing toolchain.
pub const GOVER_AUTO_INSTALL: &str = "GOVER_AUTO_INSTALL";
/// Recursion counter the shim uses to stop loops through `PATH`.
pub const GOVER_SHIM_DEPTH: &str = "GOVER_SHIM_DEPTH";
/// `1` hides progress bars even on a terminal.
pub const GOVER_NO_PROGRESS: &str = "GOVER_NO_PROGRESS";
/// Go's workspace selector: `off`, empty/`auto`, or an absolute path to a go.work.
pub const GOWORK: &str = "GOWORK";
/// Go's toolchain selection variable; the shim sets `local` unless the user set it.
pub const GOTOOLCHAIN: &str = "GOTOOLCHAIN";
/// The Go root the `go` command uses; the shim always sets it.
pub const GOROOT: &str = "GOROOT";

// Download limits and redirects of gover-dist: tuning knobs, read by the
// CLI for tests and unusual set-ups.

/// `1` follows a redirect from `https://` down to `http://` (with a
/// warning) instead of refusing it.
pub const GOVER_ALLOW_INSECURE_REDIRECTS: &str = "GOVER_ALLOW_INSECURE_REDIRECTS";
/// The most bytes a release index may have (default 64 MiB).
pub const GOVER_MAX_INDEX_BYTES: &str = "GOVER_MAX_INDEX_BYTES";
/// The average speed, in bytes per second, a whole download must keep up:
/// it must end within the HTTP timeout plus its size divided by this
/// (default 16384).
pub const GOVER_DOWNLOAD_MIN_RATE: &str = "GOVER_DOWNLOAD_MIN_RATE";
/// A download slower than this many bytes per second for
/// `GOVER_DOWNLOAD_LOW_SPEED_TIME` is stopped (default 1024; 0: never).
pub const GOVER_DOWNLOAD_LOW_SPEED_LIMIT: &str = "GOVER_DOWNLOAD_LOW_SPEED_LIMIT";
/// Seconds over which the speed of a download is measured against
/// `GOVER_DOWNLOAD_LOW_SPEED_LIMIT` (default 30).
pub const GOVER_DOWNLOAD_LOW_SPEED_TIME: &str = "GOVER_DOWNLOAD_LOW_SPEED_TIME";
