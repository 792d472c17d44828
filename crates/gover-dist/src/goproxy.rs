//! Go module proxies for the `golang.org/toolchain` module: GOPROXY and
//! GOSUMDB read as Go reads them, and a client that walks the GOPROXY list
//! with Go's rules (see [`gover_trust::goproxy`]) for `@v/list`, `.info`
//! and `.zip`.
//!
//! Settings: the environment (a non-empty value), else Go's env file (the
//! one `go env -w` writes, found and read by [`gover_core::goenv`], the
//! same code that reads GOTOOLCHAIN for the CLI: bounded, never from a
//! FIFO), else `$GOROOT/go.env`, else Go's defaults.
//!
//! Requests: `http(s)://` entries through gover's [`Http`] client and its
//! limits, `file://` entries from disk (regular files only, bounded),
//! `direct` at `https://go.dev/dl/mod` (what go.dev's `go-import` names
//! for `golang.org/toolchain`), `off` as "disabled by GOPROXY=off". A zip
//! is streamed to a file in a directory the caller names (a scratch
//! directory of `$GOVER_HOME/tmp`), never held in memory. Offline
//! (`--offline`), `http(s)://` entries and `direct` answer "not found", so
//! a `file://` entry later in the list can still serve.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gover_core::env;
use gover_core::goenv::{env_file, lookup, read_env_file};
use gover_core::text::untrusted_path;
use gover_core::url::{mask_in_text, Url};
use gover_trust::goenv::{GoSettings, Setting, Source};
use gover_trust::goproxy::{self, Failure, Proxy, ProxyEntry, ProxyList, DEFAULT_GOPROXY};
use gover_trust::gosumdb::DEFAULT_GOSUMDB;
use gover_trust::toolchain::{ToolchainModule, LIST_PATH};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::http::Got;
use crate::source::{read_capped, Dist};
use crate::Progress;

/// GOPROXY and GOSUMDB as the go command would see them, and why a file
/// they might come from was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoModuleEnv {
    /// The values and their sources.
    pub settings: GoSettings,
    /// Go's env file or a go.env that exists but could not be read.
    pub warnings: Vec<String>,
}

/// Reads GOPROXY and GOSUMDB through `get` (the process environment in
/// gover), Go's env file and `go.env` of GOROOT: `$GOROOT`, else the env
/// file's GOROOT, else `goroot` (a toolchain gover would run).
pub fn go_module_env(get: &dyn Fn(&str) -> Option<OsString>, goroot: Option<&Path>) -> GoModuleEnv {
    let var = |k: &str| get(k).filter(|v| !v.is_empty());
    let mut warnings = Vec::new();
    let mut read = |path: &Path| match read_env_file(path) {
        Ok(text) => text,
        Err(e) => {
            warnings.push(format!(
                "ignoring {}: {e} (it may set GOPROXY and GOSUMDB)",
                untrusted_path(path)
            ));
            None
        }
    };
    let file = env_file(&var);
    let user = file.as_deref().and_then(&mut read);
    let in_file = |text: &Option<Vec<u8>>, k: &str| text.as_deref().and_then(|t| lookup(t, k));
    let goroot = var(env::GOROOT)
        .or_else(|| in_file(&user, env::GOROOT).filter(|g| !g.is_empty()))
        .map(PathBuf::from)
        .or_else(|| goroot.map(Path::to_path_buf));
    let go_env = goroot.map(|g| g.join("go.env"));
    let root = go_env.as_deref().and_then(&mut read);
    let resolve = |key: &str, default: &str| {
        let text = |v: OsString| v.to_string_lossy().into_owned();
        if let Some(v) = var(key) {
            return Setting {
                value: text(v),
                source: Source::Environment,
            };
        }
        if let (Some(v), Some(f)) = (in_file(&user, key), &file) {
            return Setting {
                value: text(v),
                source: Source::EnvFile(f.clone()),
            };
        }
        if let (Some(v), Some(f)) = (in_file(&root, key), &go_env) {
            return Setting {
                value: text(v),
                source: Source::GorootEnv(f.clone()),
            };
        }
        Setting {
            value: default.to_string(),
            source: Source::Default,
        }
    };
    GoModuleEnv {
        settings: GoSettings {
            goproxy: resolve(env::GOPROXY, DEFAULT_GOPROXY),
            gosumdb: resolve(env::GOSUMDB, DEFAULT_GOSUMDB),
            env_file: file,
        },
        warnings,
    }
}

/// `NAME=value` and where it came from, for messages: `GOPROXY=off (from
/// /home/me/.config/go/env)`; credentials masked, escaped.
pub fn describe(name: &str, s: &Setting) -> String {
    let value = gover_core::text::shorten(&mask_in_text(&s.value), 120);
    match &s.source {
        Source::Environment => format!("{name}={value} (from the environment)"),
        Source::EnvFile(p) => format!("{name}={value} (from Go's env file {})", untrusted_path(p)),
        Source::GorootEnv(p) => format!("{name}={value} (from {})", untrusted_path(p)),
        Source::Default => format!("{name}={value} (Go's default)"),
    }
}

/// GOPROXY parsed, or an error naming the setting and where it was set.
pub fn parse_goproxy(s: &Setting) -> Result<ProxyList> {
    goproxy::parse(&s.value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{}: {}", describe(env::GOPROXY, s), e.message()),
        )
        .with_hint(e.hint().unwrap_or("fix GOPROXY"))
    })
}

/// Where an install takes toolchains from, once `source = "auto"` is
/// decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// The release index and its mirror.
    Dl,
    /// The toolchain module from the GOPROXY list.
    Proxy,
}

/// Decides the source: `dl` and `proxy` as set; `auto` is the proxy when
/// GOPROXY is set to something other than Go's default (and is not just
/// `off`, which forbids module downloads), the release index otherwise
/// (an invalid GOPROXY included: the proxy source would refuse it). Also
/// returns why, for `-v` and messages.
pub fn choose_source(
    setting: &gover_core::settings::Setting<gover_core::settings::InstallSource>,
    goproxy: &Setting,
) -> (Chosen, String) {
    use gover_core::settings::InstallSource;
    let origin = &setting.origin;
    match setting.value {
        InstallSource::Dl => (Chosen::Dl, format!("source = \"dl\" ({origin})")),
        InstallSource::Proxy => (Chosen::Proxy, format!("source = \"proxy\" ({origin})")),
        InstallSource::Auto => {
            let shown = describe(env::GOPROXY, goproxy);
            match goproxy::parse(&goproxy.value) {
                Ok(list) if list.is_default() => (Chosen::Dl, format!("{shown} is Go's default")),
                Ok(list) if list.entries().iter().all(|e| e.proxy == Proxy::Off) => {
                    (Chosen::Dl, format!("{shown} forbids module downloads"))
                }
                Ok(_) => (Chosen::Proxy, shown),
                Err(_) => (Chosen::Dl, format!("{shown} is not a valid list")),
            }
        }
    }
}

/// What one GOPROXY entry answered, for [`ProxyList::try_each`].
#[derive(Debug)]
pub(crate) struct Attempt {
    /// 404, 410, a missing `file://` file, `off`, or skipped offline.
    pub(crate) not_found: bool,
    /// What happened, naming the URL.
    pub(crate) error: Error,
}

impl Failure for Attempt {
    fn is_not_found(&self) -> bool {
        self.not_found
    }
}

impl Attempt {
    fn not_found(kind: ErrorKind, message: String) -> Self {
        Self {
            not_found: true,
            error: Error::new(kind, message),
        }
    }

    fn failed(error: Error) -> Self {
        Self {
            not_found: false,
            error,
        }
    }
}

/// The versions a proxy lists for the toolchain module.
#[derive(Clone, Debug)]
pub struct Listed {
    /// Where the list came from (credentials masked).
    pub from: String,
    /// Every version that names a toolchain, as listed.
    pub modules: Vec<ToolchainModule>,
    /// Lines that do not name a toolchain module version (skipped).
    pub skipped: usize,
    /// Why the proxies were not asked or did not answer, when this is the
    /// copy cached from the last list read (`from` then names that file).
    pub cached_because: Option<String>,
}

/// A toolchain module zip downloaded to a file.
#[derive(Clone, Debug)]
pub struct ZipFile {
    /// The file.
    pub path: PathBuf,
    /// Where it came from (credentials masked).
    pub from: String,
    /// Its size.
    pub bytes: u64,
    /// Its sha256.
    pub sha256: [u8; 32],
}

/// What `.info` says about a module version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// The version, as the proxy spells it.
    pub version: String,
    /// When it was published (RFC 3339), if the proxy says.
    pub time: Option<String>,
    /// Where it came from.
    pub from: String,
}

/// Most bytes of `@v/list` read (a few hundred kilobytes in practice).
const MAX_LIST_BYTES: u64 = 8 << 20;
/// Most bytes of a `.info` read.
const MAX_INFO_BYTES: u64 = 64 << 10;

/// A client for the toolchain module on the GOPROXY list.
pub struct ProxyClient<'a> {
    dist: &'a Dist,
    proxies: ProxyList,
    /// GOPROXY as set, for messages.
    shown: String,
    /// GOPROXY's value, which keys the cached version list.
    value: String,
}

impl<'a> ProxyClient<'a> {
    /// A client for `goproxy` (a setting from [`go_module_env`]), using
    /// `dist`'s HTTP client, limits and offline mode.
    pub fn new(dist: &'a Dist, goproxy: &Setting) -> Result<Self> {
        Ok(Self {
            dist,
            proxies: parse_goproxy(goproxy)?,
            shown: describe(env::GOPROXY, goproxy),
            value: goproxy.value.clone(),
        })
    }

    /// The proxy list.
    pub fn proxies(&self) -> &ProxyList {
        &self.proxies
    }

    /// Whether the list forbids module downloads (every entry `off`).
    pub fn is_off(&self) -> bool {
        self.proxies.entries().iter().all(|e| e.proxy == Proxy::Off)
    }

    /// GOPROXY as set and where (credentials masked), for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Tries each entry for `what` with Go's rules; the last error gets
    /// `context` and a hint naming GOPROXY.
    fn walk<T>(
        &self,
        context: &str,
        f: impl FnMut(&ProxyEntry) -> std::result::Result<T, Attempt>,
    ) -> Result<T> {
        self.proxies.try_each(f).map_err(|a| {
            let ours = format!(
                "{}; set GOPROXY to a proxy that serves golang.org/toolchain, or use the release index (GOVER_SOURCE=dl)",
                self.shown
            );
            let hint = match own_hint(&a.error) {
                Some(h) => format!("{h}; or try another proxy: {ours}"),
                None => ours,
            };
            Error::new(a.error.kind(), format!("{context}: {}", a.error)).with_hint(hint)
        })
    }

    /// The URL of `path` on `entry` (credentials masked), or why there is
    /// none (`off`; offline for the network).
    fn locate(&self, entry: &ProxyEntry, path: &str) -> std::result::Result<Located, Attempt> {
        let base = match &entry.proxy {
            Proxy::Off => {
                return Err(Attempt::not_found(
                    ErrorKind::Offline,
                    "module lookup disabled by GOPROXY=off".into(),
                ))
            }
            p => p.toolchain_base().unwrap_or_default(),
        };
        if let Some(dir) = entry.proxy.file_path() {
            return Ok(Located::File(dir.join(path)));
        }
        let url = Url::parse(&goproxy::join(base, path))
            .map_err(|e| Attempt::failed(Error::new(ErrorKind::InvalidInput, e.to_string())))?;
        if self.dist.sources().offline {
            return Err(Attempt::not_found(
                ErrorKind::Offline,
                format!("offline mode (--offline or GOVER_OFFLINE=1): not asking {url}"),
            ));
        }
        Ok(Located::Http(url))
    }

    /// A small file from one entry.
    fn get_small(
        &self,
        entry: &ProxyEntry,
        path: &str,
        max: u64,
        progress: &dyn Progress,
    ) -> std::result::Result<(Vec<u8>, String), Attempt> {
        match self.locate(entry, path)? {
            Located::File(f) => read_local(&f, max).map(|b| (b, f.display().to_string())),
            Located::Http(url) => match self
                .dist
                .http()
                .map_err(Attempt::failed)?
                .get_small(&url, max, progress)
            {
                Ok(Got::Found(b)) => Ok((b, url.to_string())),
                Ok(Got::Missing(m)) => Err(Attempt::not_found(
                    ErrorKind::HttpStatus,
                    format!("GET {url}: {m}"),
                )),
                Err(e) => Err(Attempt::failed(e)),
            },
        }
    }

    /// The toolchain module versions the first proxy that has a list
    /// lists (`@v/list`), for every platform.
    ///
    /// Each list read is cached (`cache/toolchain-list-<key>.txt`, per
    /// GOPROXY setting); when no proxy can be asked or answers (offline,
    /// unreachable), the cached copy is returned, marked as such, so
    /// `outdated` and `list --remote` work as they do with the release
    /// index's cache.
    pub fn versions(&self, progress: &dyn Progress) -> Result<Listed> {
        let cache = self.list_cache_file();
        let walked = self.walk("listing golang.org/toolchain versions", |e| {
            self.get_small(e, LIST_PATH, MAX_LIST_BYTES, progress)
        });
        let (body, from, cached_because) = match walked {
            Ok((body, from)) => {
                if let Some(dir) = cache.parent() {
                    if std::fs::create_dir_all(dir).is_ok() {
                        let _ = crate::source::write_atomic(&cache, &body);
                    }
                }
                (body, from, None)
            }
            Err(e) => match gover_core::fs::read_optional(&cache, MAX_LIST_BYTES) {
                Ok(Some(text)) => (
                    text.into_bytes(),
                    untrusted_path(&cache).to_string(),
                    Some(e.to_string()),
                ),
                _ => return Err(e),
            },
        };
        let text = String::from_utf8_lossy(&body);
        let mut listed = Listed {
            from,
            modules: Vec::new(),
            skipped: 0,
            cached_because,
        };
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match ToolchainModule::parse_version(line) {
                Ok(m) => listed.modules.push(m),
                Err(_) => listed.skipped += 1,
            }
        }
        Ok(listed)
    }

    /// Where the version list of this GOPROXY setting is cached.
    fn list_cache_file(&self) -> PathBuf {
        let key = crate::source::cache_key(&self.value);
        self.dist.home().toolchain_list_cache_file(&key)
    }

    /// What `.info` says about `module`.
    pub fn info(&self, module: &ToolchainModule, progress: &dyn Progress) -> Result<Info> {
        #[derive(serde::Deserialize)]
        struct Raw {
            #[serde(rename = "Version")]
            version: String,
            #[serde(rename = "Time")]
            time: Option<String>,
        }
        let path = module.proxy_path("info");
        let (body, from) = self.walk(&format!("reading {module}"), |e| {
            self.get_small(e, &path, MAX_INFO_BYTES, progress)
        })?;
        let raw: Raw = serde_json::from_slice(&body).map_err(|e| {
            Error::new(
                ErrorKind::BadArchive,
                format!("{from} is not a module's .info: {e}"),
            )
        })?;
        Ok(Info {
            version: raw.version,
            time: raw.time,
            from,
        })
    }

    /// Downloads `module`'s zip from the first proxy that has it into a
    /// new file `<dir>/<version>.zip` (`dir`: a scratch directory the
    /// caller owns and removes), streaming, at most `max_bytes`.
    pub fn download_zip(
        &self,
        module: &ToolchainModule,
        dir: &Path,
        max_bytes: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<ZipFile> {
        let path = module.proxy_path("zip");
        let dest = dir.join(format!("{}.zip", module.version()));
        let what = format!("downloading {module}");
        self.walk(&what, |entry| {
            let _ = std::fs::remove_file(&dest);
            let from = self.locate(entry, &path)?;
            let copied = match &from {
                Located::File(f) => copy_local(f, &dest, max_bytes),
                Located::Http(url) => self.copy_http(url, &dest, max_bytes, progress.clone()),
            };
            copied.map(|(bytes, sha256)| ZipFile {
                path: dest.clone(),
                from: from.to_string(),
                bytes,
                sha256,
            })
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&dest);
        })
    }

    fn copy_http(
        &self,
        url: &Url,
        dest: &Path,
        max: u64,
        progress: Arc<dyn Progress>,
    ) -> std::result::Result<(u64, [u8; 32]), Attempt> {
        let http = self.dist.http().map_err(Attempt::failed)?;
        let mut dl = match http.download_unless_missing(url, progress.clone()) {
            Ok(Got::Found(d)) => d,
            Ok(Got::Missing(m)) => {
                return Err(Attempt::not_found(
                    ErrorKind::HttpStatus,
                    format!("GET {url}: {m}"),
                ))
            }
            Err(e) => return Err(Attempt::failed(e)),
        };
        progress.start(&url.to_string(), dl.total());
        let r = stream_to(&mut dl, dest, max, &url.to_string(), &*progress);
        progress.finish();
        r.map_err(Attempt::failed)
    }
}

/// The hint of a connection error (the network's, the HTTP proxy's), which
/// fits a module proxy or database too; the hints of other HTTP errors
/// speak of the release mirror.
pub(crate) fn own_hint(e: &Error) -> Option<String> {
    e.hint()
        .filter(|h| e.kind() == ErrorKind::Network && !h.contains(env::GOVER_MIRROR))
        .map(str::to_string)
}

/// Where one entry keeps a file.
enum Located {
    File(PathBuf),
    Http(Url),
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Located::File(p) => p.display().fmt(f),
            Located::Http(u) => u.fmt(f),
        }
    }
}

/// Reads a file of a `file://` proxy or database: missing is not found.
pub(crate) fn read_local(path: &Path, max: u64) -> std::result::Result<Vec<u8>, Attempt> {
    match read_capped(path, max) {
        Ok(b) if b.len() as u64 > max => Err(Attempt::failed(Error::new(
            ErrorKind::Limit,
            format!(
                "{} is larger than {max} bytes (the most gover reads for it)",
                path.display()
            ),
        ))),
        Ok(b) => Ok(b),
        Err(e) if gover_core::fs::is_missing(&e) => Err(Attempt::not_found(
            ErrorKind::HttpStatus,
            format!("{}: no such file", path.display()),
        )),
        Err(e) => Err(Attempt::failed(Error::io("cannot read", path, e))),
    }
}

fn copy_local(from: &Path, dest: &Path, max: u64) -> std::result::Result<(u64, [u8; 32]), Attempt> {
    let mut f = match gover_core::fs::open_regular(from) {
        Ok((f, _)) => f,
        Err(e) if gover_core::fs::is_missing(&e) => {
            return Err(Attempt::not_found(
                ErrorKind::HttpStatus,
                format!("{}: no such file", from.display()),
            ))
        }
        Err(e) => return Err(Attempt::failed(Error::io("cannot open", from, e))),
    };
    stream_to(
        &mut f,
        dest,
        max,
        &from.display().to_string(),
        &crate::NoProgress,
    )
    .map_err(Attempt::failed)
}

/// Copies `r` (from `what`) into the new file `dest`, at most `max`
/// bytes; returns their number and sha256.
fn stream_to(
    r: &mut dyn Read,
    dest: &Path,
    max: u64,
    what: &str,
    progress: &dyn Progress,
) -> Result<(u64, [u8; 32])> {
    let mut out = File::options()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| Error::io("cannot create", dest, e))?;
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    let mut sha = Sha256::new();
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(what, e)),
        };
        total += n as u64;
        if total > max {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("{what} is larger than {max} bytes, the most a module zip may have"),
            )
            .with_hint("toolchain zips are about 100 MB: the proxy served something else; nothing was installed"));
        }
        out.write_all(&buf[..n])
            .map_err(|e| Error::io("cannot write", dest, e))?;
        sha.update(&buf[..n]);
        progress.advance(n as u64);
    }
    Ok((total, sha.finalize().into()))
}

/// A read error from a download: the download's own error when it is one.
fn read_error(what: &str, e: io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(inner) => inner,
        Err(e) => Error::new(ErrorKind::Network, format!("reading {what} failed: {e}")),
    }
}

#[cfg(test)]
mod tests;
