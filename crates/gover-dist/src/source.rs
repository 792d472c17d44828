//! Where releases come from: the index URL (cached under
//! `$GOVER_HOME/cache/`, revalidated with its ETag/Last-Modified) and the
//! mirror archives are fetched from (`http://`, `https://` or `file://`),
//! with the defaults of both in one place.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use gover_core::env;
use gover_core::url::Url;
use gover_core::GoverHome;

use crate::error::{Error, ErrorKind, Result};
use crate::http::{Fetched, Http, HttpConfig, Validators};
use crate::index::{hex, Index};
use crate::Progress;

pub use gover_core::settings::{DEFAULT_INDEX_URL, DEFAULT_MIRROR};

/// How long a fetched index is used without asking the server again.
pub const DEFAULT_INDEX_TTL: Duration = Duration::from_secs(10 * 60);
/// The most bytes a release index may have (go.dev's, every release ever,
/// is a few megabytes).
pub const DEFAULT_MAX_INDEX_BYTES: u64 = 64 << 20;

/// Where releases come from and how: every field has a default
/// ([`Sources::default`]), which the caller overrides with the user's
/// settings.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The release index ([`DEFAULT_INDEX_URL`]).
    pub index_url: Url,
    /// Base URL of the archives ([`DEFAULT_MIRROR`]); a missing trailing
    /// `/` is implied.
    pub mirror: Url,
    /// Use only the cached index and local archives; never touch the network.
    pub offline: bool,
    /// How long a cached index is fresh ([`DEFAULT_INDEX_TTL`]).
    pub index_ttl: Duration,
    /// The most bytes the index may have ([`DEFAULT_MAX_INDEX_BYTES`]).
    pub max_index_bytes: u64,
    /// Timeouts, retries, download limits and redirects.
    pub http: HttpConfig,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            index_url: Url::parse(DEFAULT_INDEX_URL).expect("the default index URL parses"),
            mirror: Url::parse(DEFAULT_MIRROR).expect("the default mirror parses"),
            offline: false,
            index_ttl: DEFAULT_INDEX_TTL,
            max_index_bytes: DEFAULT_MAX_INDEX_BYTES,
            http: HttpConfig::default(),
        }
    }
}

/// The index as loaded, with how it was obtained.
#[derive(Debug)]
pub struct LoadedIndex {
    /// The parsed index.
    pub index: Index,
    /// Where the cached copy lives (none for a `file://` index).
    pub cache_file: Option<PathBuf>,
    /// Problems worth a warning each: the server failed and a cached copy
    /// is used, the cache could not be written, entries of the index were
    /// skipped.
    pub warnings: Vec<String>,
}

impl LoadedIndex {
    fn new(index: Index, cache_file: Option<PathBuf>, warning: Option<String>) -> Self {
        let mut warnings: Vec<String> = warning.into_iter().collect();
        warnings.extend(index.warnings.iter().cloned());
        Self {
            index,
            cache_file,
            warnings,
        }
    }
}

/// What the cache keeps beside the index body. The URL is stored without
/// its credentials: the cache is world-readable and outlives the setting.
#[derive(Serialize, Deserialize, Default)]
struct CacheMeta {
    url: String,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    last_modified: Option<String>,
    /// Unix seconds of the last successful fetch or revalidation.
    fetched: u64,
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The hint for an index that cannot be used.
fn index_setting_hint() -> String {
    format!(
        "check {} (or `index_url` in config.toml)",
        env::GOVER_INDEX_URL
    )
}

/// Fetches the index and opens archives, sharing one HTTP client.
pub struct Dist {
    sources: Sources,
    home: GoverHome,
    http: OnceLock<Http>,
}

impl Dist {
    /// A client for `sources`, caching under `home`.
    pub fn new(home: GoverHome, sources: Sources) -> Self {
        Self {
            sources,
            home,
            http: OnceLock::new(),
        }
    }

    /// The settings.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// gover's home.
    pub fn home(&self) -> &GoverHome {
        &self.home
    }

    pub(crate) fn http(&self) -> Result<&Http> {
        if let Some(h) = self.http.get() {
            return Ok(h);
        }
        let h = Http::new(self.sources.http.clone())?;
        Ok(self.http.get_or_init(|| h))
    }

    fn offline_error(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::Offline,
            format!("offline mode (--offline or GOVER_OFFLINE=1): {what}"),
        )
    }

    /// The cache files of an index URL spelled `key_url`.
    fn cache_paths_for(&self, key_url: &str) -> (PathBuf, PathBuf) {
        let key = cache_key(key_url);
        let dir = self.home.cache_dir();
        (
            dir.join(format!("index-{key}.json")),
            dir.join(format!("index-{key}.meta.json")),
        )
    }

    /// The cache files of the configured index, named after its URL
    /// without credentials.
    fn cache_paths(&self) -> (PathBuf, PathBuf) {
        self.cache_paths_for(&self.sources.index_url.without_credentials())
    }

    fn read_cache(&self) -> Option<(Vec<u8>, CacheMeta)> {
        let (body, meta) = self.cache_paths();
        let meta = read_bounded(&meta, 1 << 20).ok()?;
        let meta: CacheMeta = serde_json::from_slice(&meta).ok()?;
        if meta.url != self.sources.index_url.without_credentials() {
            return None;
        }
        Some((
            read_bounded(&body, self.sources.max_index_bytes).ok()?,
            meta,
        ))
    }

    fn write_cache(&self, body: Option<&[u8]>, meta: &CacheMeta) -> Result<()> {
        let (body_path, meta_path) = self.cache_paths();
        let dir = self.home.cache_dir();
        fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        if let Some(b) = body {
            write_atomic(&body_path, b)?;
        }
        let m = serde_json::to_vec_pretty(meta).unwrap_or_default();
        write_atomic(&meta_path, &m)?;
        self.remove_legacy_cache();
        Ok(())
    }

    /// Earlier versions named the cache after the whole URL and kept it,
    /// password included, in the `.meta.json`: remove those files.
    fn remove_legacy_cache(&self) {
        let url = &self.sources.index_url;
        if url.has_credentials() {
            let (body, meta) = self.cache_paths_for(url.expose());
            let _ = fs::remove_file(body);
            let _ = fs::remove_file(meta);
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<Index> {
        Index::parse(bytes, &self.sources.index_url.to_string())
    }

    /// The cached index, if any (never touches the network).
    pub fn cached_index(&self) -> Option<Index> {
        if let Some(p) = self.sources.index_url.file_path() {
            return self
                .parse(&read_bounded(&p, self.sources.max_index_bytes).ok()?)
                .ok();
        }
        let (body, _) = self.read_cache()?;
        self.parse(&body).ok()
    }

    /// The release index: a local file is read directly; a URL is served
    /// from the cache while fresh, else revalidated (`304` keeps the
    /// cache), else fetched. Offline, only the cache is used. When the
    /// server fails, or answers with something that is not an index (a
    /// captive portal's HTML page), and a cached copy exists, that copy is
    /// used with a warning.
    pub fn index(&self, progress: &dyn Progress) -> Result<LoadedIndex> {
        if let Some(path) = self.sources.index_url.file_path() {
            return self.local_index(&path);
        }
        let raw = self.read_cache();
        let (cache_body, _) = self.cache_paths();
        if self.sources.offline {
            let Some((body, _)) = raw else {
                return Err(self
                    .offline_error(&format!("no cached copy of the release index {}", self.sources.index_url))
                    .with_hint("run `gover list --remote` once while online to cache it, or drop --offline / unset GOVER_OFFLINE"));
            };
            let index = self.parse(&body).map_err(|e| {
                e.with_hint(format!(
                    "the cached copy {} is damaged; delete it and fetch the index again while online",
                    cache_body.display()
                ))
            })?;
            return Ok(LoadedIndex::new(index, Some(cache_body), None));
        }
        let cached = raw.and_then(|(body, meta)| Some((self.parse(&body).ok()?, meta)));
        let now = now_secs();
        if let Some((index, meta)) = &cached {
            if now.saturating_sub(meta.fetched) < self.sources.index_ttl.as_secs() {
                return Ok(LoadedIndex::new(index.clone(), Some(cache_body), None));
            }
        }
        let validators = cached
            .as_ref()
            .map(|(_, m)| Validators {
                etag: m.etag.clone(),
                last_modified: m.last_modified.clone(),
            })
            .unwrap_or_default();
        let fetched = self.fetch_index(&validators, progress);
        // Redirects followed against the usual rule, when allowed.
        let redirects = self.http.get().map(Http::take_warnings).unwrap_or_default();
        let mut loaded = match fetched {
            Ok(fresh) => self.store_fetched(fresh, cached, now, cache_body)?,
            Err(e) => {
                let Some((index, meta)) = cached else {
                    return Err(e);
                };
                let age = human_age(now.saturating_sub(meta.fetched));
                let warning = format!("{e}; using the release index cached {age} ago");
                LoadedIndex::new(index, Some(cache_body), Some(warning))
            }
        };
        loaded.warnings.splice(0..0, redirects);
        Ok(loaded)
    }

    /// Reads a `file://` index (bounded, never a FIFO or device).
    fn local_index(&self, path: &Path) -> Result<LoadedIndex> {
        let bytes = read_bounded(path, self.sources.max_index_bytes).map_err(|e| {
            if e.hint().is_none() {
                return e.with_hint(index_setting_hint());
            }
            e
        })?;
        Ok(LoadedIndex::new(self.parse(&bytes)?, None, None))
    }

    /// Fetches the index from the network: `Ok(None)` for `304 Not
    /// Modified`, else the body parsed. A body that is not an index is an
    /// error, so that a cached copy is used instead.
    fn fetch_index(
        &self,
        validators: &Validators,
        progress: &dyn Progress,
    ) -> Result<Option<(Index, Vec<u8>, Validators)>> {
        let url = &self.sources.index_url;
        let fetched =
            self.http()?
                .fetch(url, validators, self.sources.max_index_bytes, progress)?;
        let (body, v) = match fetched {
            Fetched::NotModified => return Ok(None),
            Fetched::Body(body, v) => (body, v),
        };
        if looks_like_html(&body) {
            return Err(Error::new(
                ErrorKind::Network,
                format!("GET {url} answered with an HTML page instead of the release index (a captive portal, a login page or a proxy's error page?)"),
            )
            .with_hint(format!("open {url} in a browser to see what it says (a network that wants a login, or a wrong URL), then try again; or {}", index_setting_hint())));
        }
        Ok(Some((self.parse(&body)?, body, v)))
    }

    /// Caches what [`Dist::fetch_index`] got and returns the index to use.
    fn store_fetched(
        &self,
        fresh: Option<(Index, Vec<u8>, Validators)>,
        cached: Option<(Index, CacheMeta)>,
        now: u64,
        cache_body: PathBuf,
    ) -> Result<LoadedIndex> {
        let url = &self.sources.index_url;
        let Some((index, body, v)) = fresh else {
            let (index, mut meta) = cached.ok_or_else(|| {
                Error::new(
                    ErrorKind::MalformedIndex,
                    format!("{url} answered 304 Not Modified to a request without validators"),
                )
            })?;
            meta.fetched = now;
            // Failing to note the revalidation is not fatal.
            let warning = self
                .write_cache(None, &meta)
                .err()
                .map(|e| format!("could not update the release index cache: {e}"));
            return Ok(LoadedIndex::new(index, Some(cache_body), warning));
        };
        let meta = CacheMeta {
            url: url.without_credentials(),
            etag: v.etag,
            last_modified: v.last_modified,
            fetched: now,
        };
        // A cache that cannot be written is not worth failing for.
        let warning = self
            .write_cache(Some(&body), &meta)
            .err()
            .map(|e| format!("could not cache the release index: {e}"));
        Ok(LoadedIndex::new(index, Some(cache_body), warning))
    }

    /// The URL of the archive `filename` on the mirror. The name must be
    /// one plain path segment (the index parser already drops entries
    /// whose names are not), so the URL never leaves the mirror.
    pub fn archive_url(&self, filename: &str) -> Result<Url> {
        self.sources.mirror.join_file(filename).ok_or_else(|| {
            Error::new(
                ErrorKind::MalformedIndex,
                format!(
                    "`{}` is not a plain file name, so it cannot name an archive on the mirror {}",
                    gover_core::text::shorten(filename, 80),
                    self.sources.mirror
                ),
            )
            .with_hint("the release index is damaged or hostile; nothing was downloaded")
        })
    }

    /// Opens an archive for streaming: a local file for `file://` (or an
    /// absolute path), else an HTTP download that resumes on failure and
    /// keeps to the download limits. Returns the reader and its length
    /// when known.
    pub fn open_archive(
        &self,
        url: &Url,
        expected_size: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
        if let Some(path) = url.file_path() {
            return open_local(&path);
        }
        if self.sources.offline {
            return Err(self
                .offline_error(&format!("cannot download {url}"))
                .with_hint("install from a local archive with `gover install --from FILE`, use a file:// mirror (GOVER_MIRROR), or go online"));
        }
        let dl = self.http()?.download(url, expected_size, progress)?;
        let total = dl.total();
        Ok((Box::new(dl), total))
    }
}

#[cfg(test)]
impl Dist {
    /// A client with the default sources, caching under `home`, offline or
    /// not.
    pub(crate) fn for_tests(home: &Path, offline: bool) -> Self {
        Self::new(
            GoverHome::new(home),
            Sources {
                offline,
                ..Sources::default()
            },
        )
    }
}

/// True when `body` is an HTML (or XML) page rather than JSON.
fn looks_like_html(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// Opens a local archive, naming it in errors. Only a regular file is
/// opened: a FIFO or device would block or never end.
pub fn open_local(path: &Path) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
    let (f, meta) = gover_core::fs::open_regular(path).map_err(|e| {
        let mut err = Error::io("cannot open the archive", path, e);
        if err.hint().is_none() {
            err = err.with_hint("check the path, or GOVER_MIRROR when it is a file:// mirror");
        }
        err
    })?;
    Ok((Box::new(f), Some(meta.len())))
}

/// A local index file of at most `max` bytes (a regular file only, so a
/// FIFO or device never blocks).
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>> {
    let buf =
        read_capped(path, max).map_err(|e| Error::io("cannot read the release index", path, e))?;
    if buf.len() as u64 > max {
        return Err(crate::http::index_too_large(
            &path.display().to_string(),
            max,
        ));
    }
    Ok(buf)
}

/// Reads at most `max + 1` bytes of the regular file `path` (never a FIFO
/// or device): more than `max` means it is too large.
pub(crate) fn read_capped(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let (f, meta) = gover_core::fs::open_regular(path)?;
    let mut buf = Vec::with_capacity(meta.len().min(max) as usize);
    f.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    Ok(buf)
}

/// An age for a message: `90s`, `5m`, `3h`, `12d`.
pub(crate) fn human_age(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// The key a cache file of `spelled` (an index URL, a GOPROXY value) is
/// named by: the first 8 bytes of its sha256, in hex.
pub(crate) fn cache_key(spelled: &str) -> String {
    hex(&Sha256::digest(spelled.as_bytes())[..8])
}

/// Replaces gover's own file `path` with `bytes` (see
/// [`gover_core::fs::write_atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    gover_core::fs::write_atomic(path, bytes, Some(0o644))
        .map_err(|e| Error::io("cannot write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_and_json_is_not() {
        for html in [
            &b"<!DOCTYPE html><html>"[..],
            b"\n  <html>",
            b"\xef\xbb\xbf<html>",
        ] {
            assert!(looks_like_html(html), "{html:?}");
        }
        for json in [&b"[]"[..], b" [\n{", b"", b"{}"] {
            assert!(!looks_like_html(json), "{json:?}");
        }
    }

    #[test]
    fn the_cache_never_keeps_credentials() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let url = Url::parse("https://alice:s3cr'et@mirror.example/index.json").unwrap();
        let dist = Dist::new(
            home.clone(),
            Sources {
                index_url: url.clone(),
                ..Sources::default()
            },
        );
        // What an earlier version wrote: named after the whole URL.
        let (old_body, old_meta) = dist.cache_paths_for(url.expose());
        fs::create_dir_all(home.cache_dir()).unwrap();
        fs::write(&old_body, "[]").unwrap();
        fs::write(
            &old_meta,
            r#"{"url":"https://alice:s3cr'et@mirror.example/index.json"}"#,
        )
        .unwrap();
        let meta = CacheMeta {
            url: url.without_credentials(),
            fetched: 1,
            ..CacheMeta::default()
        };
        dist.write_cache(Some(b"[]"), &meta).unwrap();
        assert!(!old_body.exists() && !old_meta.exists());
        for e in fs::read_dir(home.cache_dir()).unwrap() {
            let text = fs::read_to_string(e.unwrap().path()).unwrap();
            assert!(!text.contains("s3cr"), "{text}");
        }
        let (_, meta_path) = dist.cache_paths();
        let text = fs::read_to_string(meta_path).unwrap();
        assert!(
            text.contains("\"url\": \"https://mirror.example/index.json\""),
            "{text}"
        );
        assert!(dist.read_cache().is_some(), "the cache is found again");
    }

    #[test]
    fn archive_urls_stay_on_the_mirror() {
        let dist = Dist::new(
            GoverHome::new("/nonexistent"),
            Sources {
                mirror: Url::parse("https://u:pw@m.example/go").unwrap(),
                ..Sources::default()
            },
        );
        let u = dist.archive_url("go1.22.10.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            u.to_string(),
            "https://u:***@m.example/go/go1.22.10.linux-amd64.tar.gz"
        );
        for bad in ["../x.tar.gz", "/etc/passwd", "a/b", ".hidden", "a\u{1b}b"] {
            let e = dist.archive_url(bad).unwrap_err();
            assert!(e.to_string().contains("is not a plain file name"), "{e}");
            assert!(!e.to_string().contains('\u{1b}'), "{e}");
        }
    }
}
