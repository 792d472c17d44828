//! Every environment variable gover reads or sets, its own and others',
//! named once: code uses these constants, never the names as literals.
//!
//! [`VARIABLES`] lists them all with their [`Kind`], so the documentation
//! (`docs/reference.md`, "Environment variables") can be checked against
//! the code. A new constant goes into that table too; a unit test fails
//! otherwise.
//!
//! Settings read from the environment (mirror, timeouts, the tuning knobs)
//! are resolved with their ranges and defaults by [`crate::settings`];
//! nothing else parses them.

// ---- gover's own variables -------------------------------------------------

/// Root of gover's data (toolchains, shims, cache, global default).
/// Default: `$XDG_DATA_HOME/gover`, else `~/.local/share/gover`; a relative
/// value is refused.
pub const GOVER_HOME: &str = "GOVER_HOME";
/// A version request that overrides every pin file (`1.22`, `go1.22.10`).
pub const GOVER_GO_VERSION: &str = "GOVER_GO_VERSION";
/// URL of the release index (go.dev/dl JSON format), or a preset's name
/// (its index); beats `index_url`.
pub const GOVER_INDEX_URL: &str = "GOVER_INDEX_URL";
/// Base URL archives are downloaded from (`http://`, `https://` or
/// `file://`), or a preset's name (`cn`, see [`crate::presets`]); beats
/// `mirror`.
pub const GOVER_MIRROR: &str = "GOVER_MIRROR";
/// `1` to use only the cached index and never touch the network (`--offline`).
pub const GOVER_OFFLINE: &str = "GOVER_OFFLINE";
/// Connect and idle-read timeout for HTTP, in seconds; beats `http_timeout`.
pub const GOVER_HTTP_TIMEOUT: &str = "GOVER_HTTP_TIMEOUT";
/// How long to wait for another process's install lock, in seconds; beats
/// `lock_timeout`.
pub const GOVER_LOCK_TIMEOUT: &str = "GOVER_LOCK_TIMEOUT";
/// `0` stops the shim, `exec` and `env` from installing a pinned but missing
/// toolchain; beats `auto_install`.
pub const GOVER_AUTO_INSTALL: &str = "GOVER_AUTO_INSTALL";
/// `1` installs the newest patch of a go line's release line when the
/// release the go line names is missing from the index (mirrors that keep
/// only the newest patches); beats `go_line_newest_patch`.
pub const GOVER_GO_LINE_NEWEST_PATCH: &str = "GOVER_GO_LINE_NEWEST_PATCH";
/// Recursion counter the shim sets for the programs it starts, to stop
/// loops through `PATH`. Not for users to set.
pub const GOVER_SHIM_DEPTH: &str = "GOVER_SHIM_DEPTH";
/// Set to `1` by the shim for the `gover install` it runs to install a
/// missing toolchain: gover then starts each line it prints with `gover: `
/// and, when another process installed the toolchain meanwhile, says only
/// that it is ready. Not for users to set.
pub const GOVER_SHIM_INSTALL: &str = "GOVER_SHIM_INSTALL";
/// Set by the code `gover env` prints: the toolchain it put first
/// (`go1.22.10`, `system`); `gover env --unset` removes it.
pub const GOVER_ENV_TOOLCHAIN: &str = "GOVER_ENV_TOOLCHAIN";
/// Set by the code `gover env` prints: the directory it put first on
/// `PATH`, taken out again by the next `gover env` or `gover env --unset`.
pub const GOVER_ENV_PATH_ENTRY: &str = "GOVER_ENV_PATH_ENTRY";
/// Set by the code `gover env` prints: `GOROOT` as it was before the first
/// `gover env` of the shell (absent when it was unset), restored by
/// `gover env --unset`.
pub const GOVER_ENV_PREVIOUS_GOROOT: &str = "GOVER_ENV_PREVIOUS_GOROOT";
/// Like `GOVER_ENV_PREVIOUS_GOROOT`, for `GOTOOLCHAIN`.
pub const GOVER_ENV_PREVIOUS_GOTOOLCHAIN: &str = "GOVER_ENV_PREVIOUS_GOTOOLCHAIN";
/// `1` hides progress bars even on a terminal.
pub const GOVER_NO_PROGRESS: &str = "GOVER_NO_PROGRESS";
/// Where toolchains are installed from: `dl` (the release index and its
/// mirror), `proxy` (the `golang.org/toolchain` module from GOPROXY) or
/// `auto` (the proxy when GOPROXY is set to something other than Go's
/// default); beats `source`.
pub const GOVER_SOURCE: &str = "GOVER_SOURCE";
/// What to do when a toolchain cannot be checked against Go's checksum
/// database (no record, database unreachable, offline): `require`,
/// `warn` or `off`; beats `verify`.
pub const GOVER_VERIFY: &str = "GOVER_VERIFY";

// ---- tuning knobs: for tests and unusual set-ups, not a stable interface ----

/// Tuning knob: seconds a fetched release index is used before it is
/// revalidated.
pub const GOVER_INDEX_TTL: &str = "GOVER_INDEX_TTL";
/// Tuning knob: how many times a failed request is retried.
pub const GOVER_HTTP_RETRIES: &str = "GOVER_HTTP_RETRIES";
/// Tuning knob: the first pause before a retry, in milliseconds, doubling.
pub const GOVER_HTTP_BACKOFF_MS: &str = "GOVER_HTTP_BACKOFF_MS";
/// Tuning knob: the most bytes an archive may unpack to.
pub const GOVER_MAX_UNPACKED_BYTES: &str = "GOVER_MAX_UNPACKED_BYTES";
/// Tuning knob: the most entries an archive may hold.
pub const GOVER_MAX_ENTRIES: &str = "GOVER_MAX_ENTRIES";
/// Tuning knob: threads creating files while an archive is unpacked
/// (`0`: the unpacking thread writes every file itself).
pub const GOVER_UNPACK_WRITERS: &str = "GOVER_UNPACK_WRITERS";
/// How toolchain files are linked from the store: `auto`, `reflink`,
/// `hardlink` or `copy` (see `crate::settings::LinkMode`).
pub const GOVER_LINK_MODE: &str = "GOVER_LINK_MODE";
/// Tuning knob: the average speed, in bytes per second, a whole download
/// must keep up: it must end within the HTTP timeout plus its size divided
/// by this.
pub const GOVER_DOWNLOAD_MIN_RATE: &str = "GOVER_DOWNLOAD_MIN_RATE";
/// Tuning knob: a download slower than this many bytes per second for
/// `GOVER_DOWNLOAD_LOW_SPEED_TIME` is stopped (`0`: never).
pub const GOVER_DOWNLOAD_LOW_SPEED_LIMIT: &str = "GOVER_DOWNLOAD_LOW_SPEED_LIMIT";
/// Tuning knob: seconds over which a download's speed is measured against
/// `GOVER_DOWNLOAD_LOW_SPEED_LIMIT`.
pub const GOVER_DOWNLOAD_LOW_SPEED_TIME: &str = "GOVER_DOWNLOAD_LOW_SPEED_TIME";
/// Tuning knob: the most bytes a release index may have.
pub const GOVER_MAX_INDEX_BYTES: &str = "GOVER_MAX_INDEX_BYTES";
/// Tuning knob: `1` follows a redirect from `https://` down to `http://`
/// (with a warning) instead of refusing it.
pub const GOVER_ALLOW_INSECURE_REDIRECTS: &str = "GOVER_ALLOW_INSECURE_REDIRECTS";
/// Tuning knob: origins the download presets (and the default index and
/// mirror) are fetched from instead of their own, as
/// `https://golang.google.cn=http://127.0.0.1:8001` pairs separated by
/// spaces or commas: for testing the presets against local imitations.
pub const GOVER_PRESET_ORIGINS: &str = "GOVER_PRESET_ORIGINS";

// ---- Go's variables ---------------------------------------------------------

/// The Go root the `go` command uses; the shim, `exec` and `env` set it to
/// the selected toolchain.
pub const GOROOT: &str = "GOROOT";
/// Go's toolchain selection; the shim sets `local` unless the user set it
/// (see `docs/internals/go-rules.md`, "GOTOOLCHAIN").
pub const GOTOOLCHAIN: &str = "GOTOOLCHAIN";
/// Set by Go's toolchain switching when it runs a `go1.X.Y` found on `PATH`
/// (keeping `argv[0]` as `go`): the shim then takes the version from the
/// name of the file that was executed. Every `GOTOOLCHAIN_INTERNAL_*`
/// variable is passed through untouched.
pub const GOTOOLCHAIN_INTERNAL_SWITCH_VERSION: &str = "GOTOOLCHAIN_INTERNAL_SWITCH_VERSION";
/// Go's workspace selector: `off`, empty/`auto`, or an absolute path to a
/// go.work.
pub const GOWORK: &str = "GOWORK";
/// Go's workspace root for `go get`/`go install`; never set, checked by
/// `doctor`.
pub const GOPATH: &str = "GOPATH";
/// Where `go install` puts programs; never set, checked by `doctor`.
pub const GOBIN: &str = "GOBIN";
/// The file `go env -w` writes; read by `doctor`.
pub const GOENV: &str = "GOENV";
/// Go's module-mode switch; `doctor` reports `off`.
pub const GO111MODULE: &str = "GO111MODULE";
/// Default flags for every `go` command; removed for the `go version`
/// `doctor` runs.
pub const GOFLAGS: &str = "GOFLAGS";
/// Go's module proxy list: the proxy source downloads toolchains from it,
/// and the checksum database is reached through the proxies in it that
/// support it. Read as Go reads it (the environment, Go's env file,
/// GOROOT/go.env).
pub const GOPROXY: &str = "GOPROXY";
/// Go's checksum database, which every toolchain is checked against. Read
/// as Go reads it; `off` is refused for toolchains, as Go refuses it.
pub const GOSUMDB: &str = "GOSUMDB";

// ---- the system's variables ---------------------------------------------------

/// The user's home: the default `GOVER_HOME`, the user-level config file and
/// the shell startup files.
pub const HOME: &str = "HOME";
/// The default `GOVER_HOME` (`$XDG_DATA_HOME/gover`) when absolute.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// The user-level config file (`$XDG_CONFIG_HOME/gover/config.toml`), fish's
/// configuration and Go's `go env -w` file, when absolute.
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// The user's login shell: what `setup` configures and `doctor` checks.
pub const SHELL: &str = "SHELL";
/// Where zsh reads its startup files.
pub const ZDOTDIR: &str = "ZDOTDIR";
/// The executable search path: where the `system` Go is looked for, and
/// what the shim, `exec` and `env` put the toolchain's `bin` in front of.
pub const PATH: &str = "PATH";
/// The current directory as the shell spells it (through symlinks).
pub const PWD: &str = "PWD";
/// The temporary directory: a go.mod or pin file directly in it is ignored.
pub const TMPDIR: &str = "TMPDIR";
/// Proxy for `https://` downloads (also read in lower case).
pub const HTTPS_PROXY: &str = "HTTPS_PROXY";
/// Proxy for `http://` downloads (also read in lower case).
pub const HTTP_PROXY: &str = "HTTP_PROXY";
/// Proxy for every download without a more specific one (also lower case).
pub const ALL_PROXY: &str = "ALL_PROXY";
/// Hosts reached without a proxy (also read in lower case).
pub const NO_PROXY: &str = "NO_PROXY";
/// A PEM file of extra CA certificates trusted besides the system's.
pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// The file `gover env --shell github` appends the toolchain's `bin` to.
pub const GITHUB_PATH: &str = "GITHUB_PATH";
/// The file `gover env --shell github` appends variables to.
pub const GITHUB_ENV: &str = "GITHUB_ENV";
/// Set under WSL; `doctor` checks for Windows paths on `PATH` there.
pub const WSL_DISTRO_NAME: &str = "WSL_DISTRO_NAME";

/// What a variable is to gover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One of gover's own, documented and stable.
    Own,
    /// One of gover's tuning knobs: for tests and unusual set-ups, not a
    /// stable interface.
    Knob,
    /// One of Go's.
    Go,
    /// The system's or another program's.
    Other,
}

/// Every variable above, with its kind, in the order documented.
pub const VARIABLES: &[(&str, Kind)] = &[
    (GOVER_HOME, Kind::Own),
    (GOVER_GO_VERSION, Kind::Own),
    (GOVER_INDEX_URL, Kind::Own),
    (GOVER_MIRROR, Kind::Own),
    (GOVER_OFFLINE, Kind::Own),
    (GOVER_HTTP_TIMEOUT, Kind::Own),
    (GOVER_LOCK_TIMEOUT, Kind::Own),
    (GOVER_AUTO_INSTALL, Kind::Own),
    (GOVER_GO_LINE_NEWEST_PATCH, Kind::Own),
    (GOVER_SHIM_DEPTH, Kind::Own),
    (GOVER_SHIM_INSTALL, Kind::Own),
    (GOVER_ENV_TOOLCHAIN, Kind::Own),
    (GOVER_ENV_PATH_ENTRY, Kind::Own),
    (GOVER_ENV_PREVIOUS_GOROOT, Kind::Own),
    (GOVER_ENV_PREVIOUS_GOTOOLCHAIN, Kind::Own),
    (GOVER_NO_PROGRESS, Kind::Own),
    (GOVER_SOURCE, Kind::Own),
    (GOVER_VERIFY, Kind::Own),
    (GOVER_INDEX_TTL, Kind::Knob),
    (GOVER_HTTP_RETRIES, Kind::Knob),
    (GOVER_HTTP_BACKOFF_MS, Kind::Knob),
    (GOVER_MAX_UNPACKED_BYTES, Kind::Knob),
    (GOVER_MAX_ENTRIES, Kind::Knob),
    (GOVER_UNPACK_WRITERS, Kind::Knob),
    (GOVER_DOWNLOAD_MIN_RATE, Kind::Knob),
    (GOVER_DOWNLOAD_LOW_SPEED_LIMIT, Kind::Knob),
    (GOVER_DOWNLOAD_LOW_SPEED_TIME, Kind::Knob),
    (GOVER_MAX_INDEX_BYTES, Kind::Knob),
    (GOVER_ALLOW_INSECURE_REDIRECTS, Kind::Knob),
    (GOVER_PRESET_ORIGINS, Kind::Knob),
    (GOVER_LINK_MODE, Kind::Own),
    (GOROOT, Kind::Go),
    (GOTOOLCHAIN, Kind::Go),
    (GOTOOLCHAIN_INTERNAL_SWITCH_VERSION, Kind::Go),
    (GOWORK, Kind::Go),
    (GOPATH, Kind::Go),
    (GOBIN, Kind::Go),
    (GOENV, Kind::Go),
    (GO111MODULE, Kind::Go),
    (GOFLAGS, Kind::Go),
    (GOPROXY, Kind::Go),
    (GOSUMDB, Kind::Go),
    (HOME, Kind::Other),
    (XDG_DATA_HOME, Kind::Other),
    (XDG_CONFIG_HOME, Kind::Other),
    (SHELL, Kind::Other),
    (ZDOTDIR, Kind::Other),
    (PATH, Kind::Other),
    (PWD, Kind::Other),
    (TMPDIR, Kind::Other),
    (HTTPS_PROXY, Kind::Other),
    (HTTP_PROXY, Kind::Other),
    (ALL_PROXY, Kind::Other),
    (NO_PROXY, Kind::Other),
    (SSL_CERT_FILE, Kind::Other),
    (GITHUB_PATH, Kind::Other),
    (GITHUB_ENV, Kind::Other),
    (WSL_DISTRO_NAME, Kind::Other),
];

/// The kind of `name`, when gover knows the variable.
pub fn kind_of(name: &str) -> Option<Kind> {
    VARIABLES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// The value of `name` in this process's environment, `None` when unset or
/// empty (gover treats an empty variable as unset).
pub fn var_os(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// Test helpers shared by the modules that read variables through a
/// function.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashMap;
    use std::ffi::OsString;

    /// A variable lookup over `pairs` (an absent name is unset).
    pub(crate) fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let m: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| m.get(k).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constant_is_in_the_table_once() {
        let src = include_str!("env.rs");
        let consts: Vec<&str> = src
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub const "))
            .filter_map(|l| l.split('"').nth(1))
            .collect();
        assert!(consts.len() >= 40, "{consts:?}");
        for c in &consts {
            assert_eq!(
                VARIABLES.iter().filter(|(n, _)| n == c).count(),
                1,
                "{c} must be in VARIABLES exactly once"
            );
        }
        assert_eq!(
            consts.len(),
            VARIABLES.len(),
            "VARIABLES names a non-constant"
        );
        for (name, kind) in VARIABLES {
            assert_eq!(
                *kind == Kind::Knob,
                knob_doc(src, name),
                "{name}: knobs, and only knobs, are documented as `Tuning knob:`"
            );
        }
    }

    /// True when the doc comment right above `name`'s constant starts with
    /// `Tuning knob:`.
    fn knob_doc(src: &str, name: &str) -> bool {
        let decl = format!("pub const {name}: &str");
        let Some(at) = src.find(&decl) else {
            return false;
        };
        let before = &src[..at];
        let doc_start = before
            .trim_end()
            .lines()
            .rev()
            .take_while(|l| l.trim_start().starts_with("///"))
            .last()
            .unwrap_or("");
        doc_start.trim_start().starts_with("/// Tuning knob:")
    }
}
