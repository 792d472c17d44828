//! Reaching Go's checksum database: where it is (GOSUMDB's URL, else the
//! first GOPROXY proxy that answers `/sumdb/<name>/supported`, else
//! `https://<name>`, as Go decides) and a [`Fetcher`] that gets its files
//! over gover's HTTP client (bounded by [`MAX_ANSWER_BYTES`], 404 and 410
//! as not found) or from a `file://` directory. Offline, only `file://`
//! works; the network answers "offline".
//!
//! The client itself (signed notes, proofs, the stored tree head) is
//! [`gover_trust::Client`]; its state lives in `$GOVER_HOME/cache/sumdb/<name>/`.

use std::path::PathBuf;

use gover_core::url::{mask_in_text, Url};
use gover_trust::client::{FetchError, Fetcher, MAX_ANSWER_BYTES};
use gover_trust::goproxy::{self, Proxy, ProxyList};
use gover_trust::{Client, Database};

use crate::error::{Error, ErrorKind, Result};
use crate::goproxy::{own_hint, read_local, Attempt};
use crate::http::{Got, Http};
use crate::source::Dist;
use crate::NoProgress;

/// Gets a checksum database's files from its base URL.
pub struct SumdbFetcher {
    base: String,
    dir: Option<PathBuf>,
    http: Option<Http>,
}

impl SumdbFetcher {
    /// A fetcher for the database at `base` (`https://…`, `http://…` or
    /// `file://…`), using `dist`'s HTTP client; offline, the network is
    /// not used.
    pub fn new(dist: &Dist, base: &str) -> Result<Self> {
        Self::with_retries(dist, base, None)
    }

    /// [`Self::new`], retrying a failed request at most `retries` times
    /// when given (instead of the HTTP settings' count).
    pub fn with_retries(dist: &Dist, base: &str, retries: Option<u32>) -> Result<Self> {
        let parsed = Url::parse(base).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("the checksum database URL {e}"),
            )
        })?;
        let dir = parsed.file_path();
        let http = match (&dir, dist.sources().offline) {
            (None, false) => {
                let mut http = dist.http()?.clone();
                if let Some(n) = retries {
                    http.limit_retries(n);
                }
                Some(http)
            }
            _ => None,
        };
        Ok(Self {
            base: base.to_string(),
            dir,
            http,
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl Fetcher for SumdbFetcher {
    fn get(&self, path: &str) -> std::result::Result<Vec<u8>, FetchError> {
        let max = MAX_ANSWER_BYTES as u64;
        if let Some(dir) = &self.dir {
            return read_local(&dir.join(path), max).map_err(fetch_error);
        }
        let Some(http) = &self.http else {
            return Err(FetchError::Failed(
                "offline mode (--offline or GOVER_OFFLINE=1)".into(),
            ));
        };
        let url = Url::parse(&goproxy::join(&self.base, path))
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        match http.get_small(&url, max, &NoProgress) {
            Ok(Got::Found(b)) => Ok(b),
            Ok(Got::Missing(m)) => Err(FetchError::NotFound(m.to_string())),
            Err(e) => Err(FetchError::Failed(strip_url(&e.to_string(), &url))),
        }
    }

    fn url(&self, path: &str) -> String {
        mask_in_text(&goproxy::join(&self.base, path))
    }
}

/// `GET <url> failed: why` is shown by the client as `GET <url>: …`:
/// keep the why only.
fn strip_url(msg: &str, url: &Url) -> String {
    let prefix = format!("GET {url}");
    msg.strip_prefix(&prefix)
        .map(|r| r.trim_start_matches([':', ' ']))
        .map(|r| r.strip_prefix("failed: ").unwrap_or(r))
        .unwrap_or(msg)
        .to_string()
}

fn fetch_error(a: Attempt) -> FetchError {
    if a.not_found {
        FetchError::NotFound(a.error.to_string())
    } else {
        FetchError::Failed(a.error.to_string())
    }
}

/// Where to reach `db`, as Go decides: GOSUMDB's URL; else the first
/// proxy of `proxies` that answers `<proxy>/sumdb/<name>/supported`
/// (walked with GOPROXY's rules); else `https://<name>`. Offline, the
/// network's proxies are passed over. A proxy that fails after `,` (not a
/// 404) is an error, as in Go.
pub fn database_base(dist: &Dist, proxies: &ProxyList, db: &Database) -> Result<String> {
    let offline = dist.sources().offline;
    proxies
        .sumdb_base(db, |url| probe(dist, url, offline))
        .map_err(|a| {
            let hint = format!(
                "gover asks each GOPROXY proxy whether it serves the checksum database {} (as Go does); set GOSUMDB to `{} <url>` to name where it is",
                db.name(),
                db.name()
            );
            Error::new(
                a.error.kind(),
                format!(
                    "asking the GOPROXY proxies for the checksum database {}: {}",
                    db.name(),
                    a.error
                ),
            )
            .with_hint(own_hint(&a.error).unwrap_or(hint))
        })
}

/// Asks `url` (`…/sumdb/<name>/supported`) whether it is there.
fn probe(dist: &Dist, url: &str, offline: bool) -> std::result::Result<(), Attempt> {
    let proxy = Proxy::Url(url.to_string());
    if let Some(file) = proxy.file_path() {
        return read_local(&file, 1 << 10).map(drop);
    }
    let parsed = Url::parse(url).map_err(|e| Attempt {
        not_found: false,
        error: Error::new(ErrorKind::InvalidInput, e.to_string()),
    })?;
    if offline {
        return Err(Attempt {
            not_found: true,
            error: Error::new(ErrorKind::Offline, format!("offline: not asking {parsed}")),
        });
    }
    let http = dist.http().map_err(|error| Attempt {
        not_found: false,
        error,
    })?;
    match http.get_small(&parsed, 1 << 10, &NoProgress) {
        Ok(Got::Found(_)) => Ok(()),
        Ok(Got::Missing(m)) => Err(Attempt {
            not_found: true,
            error: Error::new(ErrorKind::HttpStatus, format!("GET {parsed}: {m}")),
        }),
        Err(error) => Err(Attempt {
            not_found: false,
            error,
        }),
    }
}

/// The client for `db` reached at `base`, keeping its state (the newest
/// verified tree head, verified tiles) in `$GOVER_HOME/cache/sumdb/<name>/`;
/// `retries` bounds the retries of each request (see
/// [`SumdbFetcher::with_retries`]).
pub fn client(
    dist: &Dist,
    db: &Database,
    base: &str,
    retries: Option<u32>,
) -> Result<Client<SumdbFetcher>> {
    let dir = dist.home().sumdb_dir(&db.dir_name()).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "the checksum database name {} is not a plain name",
                db.name()
            ),
        )
    })?;
    let fetcher = SumdbFetcher::with_retries(dist, base, retries)?;
    Ok(Client::new(db.verifier().clone(), fetcher, &dir).with_tile_cache(dir))
}
