//! Where releases come from: the index URL (cached under
//! `$GOVER_HOME/cache/`, revalidated with its ETag/Last-Modified) and the
//! mirror archives are fetched from (`http://`, `https://` or `file://`).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use gover_core::GoverHome;

use crate::error::{Error, ErrorKind, Result};
use crate::http::{Fetched, Http, HttpConfig, Validators};
use crate::index::{hex, Index};
use crate::Progress;

/// How long a fetched index is used without asking the server again.
pub const DEFAULT_INDEX_TTL: Duration = Duration::from_secs(10 * 60);

/// The effective download settings (environment over config over defaults,
/// as the CLI computed them).
#[derive(Clone, Debug)]
pub struct Sources {
    /// The release index URL (`GOVER_INDEX_URL`).
    pub index_url: String,
    /// Base URL of the archives (`GOVER_MIRROR`), ending in `/`.
    pub mirror: String,
    /// Use only the cached index; never touch the network.
    pub offline: bool,
    /// How long a cached index is fresh.
    pub index_ttl: Duration,
    /// Timeouts and retries.
    pub http: HttpConfig,
}

/// The index as loaded, with how it was obtained.
#[derive(Debug)]
pub struct LoadedIndex {
    /// The parsed index.
    pub index: Index,
    /// Where the cached copy lives (none for a `file://` index).
    pub cache_file: Option<PathBuf>,
    /// A problem worth a warning (the server failed and a stale copy is used).
    pub warning: Option<String>,
}

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

/// A local path when `url` is `file://...` or an absolute path.
pub fn local_path(url: &str) -> Option<PathBuf> {
    if url.starts_with('/') {
        return Some(PathBuf::from(url));
    }
    if url.starts_with("file:") {
        return reqwest::Url::parse(url).ok()?.to_file_path().ok();
    }
    None
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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

    fn http(&self) -> Result<&Http> {
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

    /// The cache files for the configured index URL.
    fn cache_paths(&self) -> (PathBuf, PathBuf) {
        let key = hex(&Sha256::digest(self.sources.index_url.as_bytes())[..8]);
        let dir = self.home.cache_dir();
        (
            dir.join(format!("index-{key}.json")),
            dir.join(format!("index-{key}.meta.json")),
        )
    }

    fn read_cache(&self) -> Option<(Vec<u8>, CacheMeta)> {
        let (body, meta) = self.cache_paths();
        let meta: CacheMeta = serde_json::from_slice(&fs::read(meta).ok()?).ok()?;
        if meta.url != self.sources.index_url {
            return None;
        }
        Some((fs::read(body).ok()?, meta))
    }

    fn write_cache(&self, body: Option<&[u8]>, meta: &CacheMeta) -> Result<()> {
        let (body_path, meta_path) = self.cache_paths();
        let dir = self.home.cache_dir();
        fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        if let Some(b) = body {
            write_atomic(&body_path, b)?;
        }
        let m = serde_json::to_vec_pretty(meta).unwrap_or_default();
        write_atomic(&meta_path, &m)
    }

    /// The cached index, if any (never touches the network).
    pub fn cached_index(&self) -> Option<Index> {
        if let Some(p) = local_path(&self.sources.index_url) {
            return Index::parse(&fs::read(p).ok()?, &self.sources.index_url).ok();
        }
        let (body, _) = self.read_cache()?;
        Index::parse(&body, &self.sources.index_url).ok()
    }

    /// The release index: a local file is read directly; a URL is served
    /// from the cache while fresh, else revalidated (`304` keeps the
    /// cache), else fetched. Offline, only the cache is used. When the
    /// server fails and a cached copy exists, that copy is used with a
    /// warning.
    pub fn index(&self, progress: &dyn Progress) -> Result<LoadedIndex> {
        let url = &self.sources.index_url;
        if let Some(path) = local_path(url) {
            let bytes = fs::read(&path).map_err(|e| {
                let mut err = Error::io("cannot read the release index", &path, e);
                if err.hint().is_none() {
                    err = err.with_hint("check GOVER_INDEX_URL (or `index_url` in config.toml)");
                }
                err
            })?;
            return Ok(LoadedIndex {
                index: Index::parse(&bytes, url)?,
                cache_file: None,
                warning: None,
            });
        }
        let cached = self.read_cache();
        let (cache_body, _) = self.cache_paths();
        if self.sources.offline {
            let Some((body, meta)) = cached else {
                return Err(self
                    .offline_error(&format!("no cached copy of the release index {url}"))
                    .with_hint("run `gover list --remote` once while online to cache it, or drop --offline / unset GOVER_OFFLINE"));
            };
            let index = Index::parse(&body, url).map_err(|e| {
                e.with_hint(format!(
                    "the cached copy {} is damaged; delete it and fetch the index again while online",
                    cache_body.display()
                ))
            })?;
            let _ = meta;
            return Ok(LoadedIndex {
                index,
                cache_file: Some(cache_body),
                warning: None,
            });
        }
        let now = now_secs();
        if let Some((body, meta)) = &cached {
            let age = now.saturating_sub(meta.fetched);
            if age < self.sources.index_ttl.as_secs() {
                if let Ok(index) = Index::parse(body, url) {
                    return Ok(LoadedIndex {
                        index,
                        cache_file: Some(cache_body),
                        warning: None,
                    });
                }
            }
        }
        let validators = cached
            .as_ref()
            .filter(|(body, _)| Index::parse(body, url).is_ok())
            .map(|(_, m)| Validators {
                etag: m.etag.clone(),
                last_modified: m.last_modified.clone(),
            })
            .unwrap_or_default();
        let fetched = self
            .http()
            .and_then(|h| h.fetch(url, &validators, progress));
        match fetched {
            Ok(Fetched::NotModified) => {
                let (body, mut meta) = cached.ok_or_else(|| {
                    Error::new(
                        ErrorKind::MalformedIndex,
                        format!("{url} answered 304 Not Modified to a request without validators"),
                    )
                })?;
                meta.fetched = now;
                // As below: failing to note the revalidation is not fatal.
                let warning = self
                    .write_cache(None, &meta)
                    .err()
                    .map(|e| format!("could not update the release index cache: {e}"));
                Ok(LoadedIndex {
                    index: Index::parse(&body, url)?,
                    cache_file: Some(cache_body),
                    warning,
                })
            }
            Ok(Fetched::Body(body, v)) => {
                let index = Index::parse(&body, url)?;
                let meta = CacheMeta {
                    url: url.clone(),
                    etag: v.etag,
                    last_modified: v.last_modified,
                    fetched: now,
                };
                // A cache that cannot be written is not worth failing for.
                let warning = self
                    .write_cache(Some(&body), &meta)
                    .err()
                    .map(|e| format!("could not cache the release index: {e}"));
                Ok(LoadedIndex {
                    index,
                    cache_file: Some(cache_body),
                    warning,
                })
            }
            Err(e) => {
                let Some((body, meta)) = cached else {
                    return Err(e);
                };
                let Ok(index) = Index::parse(&body, url) else {
                    return Err(e);
                };
                let age = now.saturating_sub(meta.fetched);
                Ok(LoadedIndex {
                    index,
                    cache_file: Some(cache_body),
                    warning: Some(format!(
                        "{e}; using the release index cached {} ago",
                        human_age(age)
                    )),
                })
            }
        }
    }

    /// The URL of an archive on the mirror.
    pub fn archive_url(&self, filename: &str) -> String {
        let mut m = self.sources.mirror.clone();
        if !m.ends_with('/') {
            m.push('/');
        }
        m.push_str(filename);
        m
    }

    /// Opens an archive for streaming: a local file for `file://` (or an
    /// absolute path), else an HTTP download that resumes on failure.
    /// Returns the reader and its length when known.
    pub fn open_archive(
        &self,
        url: &str,
        expected_size: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
        if let Some(path) = local_path(url) {
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

/// Opens a local archive, naming it in errors.
pub fn open_local(path: &Path) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
    let f = fs::File::open(path).map_err(|e| {
        let mut err = Error::io("cannot open the archive", path, e);
        if err.hint().is_none() {
            err = err.with_hint("check the path, or GOVER_MIRROR when it is a file:// mirror");
        }
        err
    })?;
    let len = f.metadata().ok().map(|m| m.len());
    Ok((Box::new(f), len))
}

fn human_age(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so
/// readers see the old or the new content, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    // Flushed before the rename, so a crash never leaves an empty file
    // under the final name.
    let res = (|| {
        let mut f = fs::File::create(&tmp)?;
        io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    res.map_err(|e: io::Error| {
        let _ = fs::remove_file(&tmp);
        Error::io("cannot write", path, e)
    })
}
