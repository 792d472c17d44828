//! The checksum-database client: looks a module version up, proves the
//! record is in the log, and keeps the log honest over time.
//!
//! - [`Client::lookup`] fetches `lookup/<module>@<version>`, opens the
//!   signed tree head in the answer, merges it with the stored one, and
//!   proves the record's hash is in the newer of the two through tiles that
//!   are all authenticated up to that signed root.
//! - The newest tree head seen is stored, as the signed note, in
//!   `<state dir>/latest` (written atomically, updated under a lock). A
//!   newer head must contain the stored one (consistency through the newer
//!   head's tiles); an older head must be contained in the stored one. A
//!   head that contradicts the stored one is a [`ErrorKind::Security`]
//!   error carrying both heads ([`crate::Evidence`]).
//! - Full tiles, once authenticated, are cached under a directory the
//!   caller names; cached tiles are authenticated again on every use, and
//!   a cache that fails is bypassed once.
//!
//! The network is the caller's: a [`Fetcher`] gets paths relative to the
//! database's base URL (the database itself, or `<proxy>/sumdb/<name>/`).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{shown, Error, ErrorKind, Evidence, Misbehavior, Result};
use crate::note::{self, Verifier};
use crate::tile::{Tile, TileHashReader, TileSource, HEIGHT};
use crate::tlog::{self, parse_lookup, record_hash, tree_hash, tree_proof, Node, Tree};

/// Most bytes gover reads from a database answer (lookups and heads are a
/// few hundred bytes, tiles 8 KiB). Fetchers should cap downloads here.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Why a [`Fetcher`] got nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered 404 or 410 (the message says which, and what it said).
    NotFound(String),
    /// Anything else: no connection, a timeout, another status.
    Failed(String),
}

/// Gets files from a checksum database, by path relative to its base URL.
pub trait Fetcher: Sync {
    /// The bytes at `path` (`latest`, `lookup/golang.org/toolchain@v…`,
    /// `tile/8/0/001`), at most [`MAX_ANSWER_BYTES`].
    fn get(&self, path: &str) -> std::result::Result<Vec<u8>, FetchError>;

    /// The URL of `path`, for messages (credentials masked).
    fn url(&self, path: &str) -> String;
}

macro_rules! forward_fetcher {
    ($($t:ty),*) => {$(
        impl<T: Fetcher + Send + ?Sized> Fetcher for $t {
            fn get(&self, path: &str) -> std::result::Result<Vec<u8>, FetchError> {
                (**self).get(path)
            }
            fn url(&self, path: &str) -> String {
                (**self).url(path)
            }
        }
    )*};
}

forward_fetcher!(&T, Box<T>, std::sync::Arc<T>);

/// A tree head together with the signed note it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTree {
    /// The tree.
    pub tree: Tree,
    /// The signed note, as sent.
    pub note: Vec<u8>,
}

/// A verified record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The module path looked up.
    pub module: String,
    /// The version looked up.
    pub version: String,
    /// The record's number in the log.
    pub id: u64,
    /// The record text: go.sum lines.
    pub text: String,
    /// The signed tree it was proven in.
    pub tree: Tree,
}

impl Record {
    /// The hash recorded for `<module> <version>` (`h1:…`), if any.
    pub fn h1(&self) -> Option<&str> {
        self.hash_for(&self.version)
    }

    /// The hash recorded for `<module> <version>/go.mod`, if any.
    pub fn go_mod_h1(&self) -> Option<&str> {
        self.hash_for(&format!("{}/go.mod", self.version))
    }

    fn hash_for(&self, version: &str) -> Option<&str> {
        self.text.lines().find_map(|l| {
            let mut f = l.split(' ');
            match (f.next(), f.next(), f.next(), f.next()) {
                (Some(m), Some(v), Some(h), None) if m == self.module && v == version => Some(h),
                _ => None,
            }
        })
    }
}

/// A checksum-database client for one database (one key).
pub struct Client<F> {
    verifier: Verifier,
    fetcher: F,
    state_dir: PathBuf,
    tile_dir: Option<PathBuf>,
}

/// Which of two heads the database just sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Received {
    Older,
    Newer,
}

impl<F: Fetcher> Client<F> {
    /// A client trusting `verifier`'s key, fetching through `fetcher`, and
    /// keeping the newest verified tree head in `state_dir/latest` (for
    /// gover: `$GOVER_HOME/cache/sumdb/<name>`).
    pub fn new(verifier: Verifier, fetcher: F, state_dir: impl Into<PathBuf>) -> Self {
        Self {
            verifier,
            fetcher,
            state_dir: state_dir.into(),
            tile_dir: None,
        }
    }

    /// Caches authenticated full tiles under `dir` (as `dir/tile/8/…`).
    pub fn with_tile_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.tile_dir = Some(dir.into());
        self
    }

    /// The key trusted.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The fetcher.
    pub fn fetcher(&self) -> &F {
        &self.fetcher
    }

    /// The file holding the newest verified tree head.
    pub fn latest_file(&self) -> PathBuf {
        self.state_dir.join("latest")
    }

    fn db(&self) -> String {
        format!("checksum database {}", self.verifier.name())
    }

    /// GETs `path`, mapping a failure to an error naming the URL.
    fn get(&self, path: &str) -> Result<Vec<u8>> {
        let url = self.fetcher.url(path);
        let body = self.fetcher.get(path).map_err(|e| match e {
            FetchError::NotFound(m) => Error::new(
                ErrorKind::NotFound,
                format!("GET {url}: {}", shown(&m, 200)),
            ),
            FetchError::Failed(m) => {
                Error::new(ErrorKind::Fetch, format!("GET {url}: {}", shown(&m, 200)))
            }
        })?;
        if body.len() > MAX_ANSWER_BYTES {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("GET {url}: the answer is larger than {MAX_ANSWER_BYTES} bytes"),
            ));
        }
        Ok(body)
    }

    /// Opens a signed tree head note under the trusted key.
    fn open_tree(&self, msg: &[u8], from: &str) -> Result<SignedTree> {
        let n = note::open(msg, &self.verifier)
            .map_err(|e| e.context(format!("the tree head from {from}")))?;
        let tree =
            Tree::parse(&n.text).map_err(|e| e.context(format!("the tree head from {from}")))?;
        Ok(SignedTree {
            tree,
            note: msg.to_vec(),
        })
    }

    /// Looks `module@version` up and proves the record is in the log.
    ///
    /// Errors name the database and URL: [`ErrorKind::NotFound`] when it
    /// has no record, [`ErrorKind::Unverified`] when the answer does not
    /// authenticate, [`ErrorKind::Security`] when its tree head
    /// contradicts the stored one, and the note and fetch kinds.
    pub fn lookup(&self, module: &str, version: &str) -> Result<Record> {
        let path = lookup_path(module, version)?;
        let what = format!("{module}@{version}");
        let body = self.get(&path).map_err(|e| {
            let e = e.context(format!("{}: looking up {what}", self.db()));
            if e.kind() == ErrorKind::NotFound {
                e.with_hint("the database has no record of this module version: it does not exist, or was never published")
            } else {
                e
            }
        })?;
        let url = self.fetcher.url(&path);
        let answer = parse_lookup(&body).map_err(|e| e.context(format!("GET {url}")))?;
        let received = self.open_tree(answer.note, &url)?;
        let tree = self.merge(received)?;
        self.check_record(&tree.tree, answer.id, answer.text)
            .map_err(|e| e.context(format!("{}: record {} for {what}", self.db(), answer.id)))?;
        let record = Record {
            module: module.to_string(),
            version: version.to_string(),
            id: answer.id,
            text: answer.text.to_string(),
            tree: tree.tree,
        };
        if record.h1().is_none() && record.go_mod_h1().is_none() {
            return Err(Error::new(
                ErrorKind::Unverified,
                format!(
                    "{}: record {} answered for {what} is about something else: `{}`",
                    self.db(),
                    answer.id,
                    shown(answer.text, 200)
                ),
            ));
        }
        Ok(record)
    }

    /// Fetches the database's latest signed tree head and merges it with
    /// the stored one (proving consistency); returns the newer.
    pub fn refresh(&self) -> Result<Tree> {
        let body = self
            .get("latest")
            .map_err(|e| e.context(format!("{}: reading the latest tree head", self.db())))?;
        let received = self.open_tree(&body, &self.fetcher.url("latest"))?;
        Ok(self.merge(received)?.tree)
    }

    /// The stored tree head, verified under the trusted key.
    pub fn stored(&self) -> Result<Option<SignedTree>> {
        let file = self.latest_file();
        let data = match fs::read(&file) {
            Ok(d) if d.is_empty() => return Ok(None),
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("cannot read", &file, e)),
        };
        self.open_tree(&data, &file.display().to_string())
            .map(Some)
            .map_err(|e| {
                e.with_hint(format!(
                    "{} was not written by gover for this key (GOSUMDB changed, or the file was altered); remove it to trust the database afresh",
                    file.display()
                ))
            })
    }

    /// Merges a verified received head with the stored one: proves
    /// whichever is older is contained in the newer, stores the newer.
    /// Returns the newer.
    fn merge(&self, received: SignedTree) -> Result<SignedTree> {
        for _ in 0..8 {
            let stored = self.stored()?;
            let newer = match &stored {
                None => received.clone(),
                Some(s) if received.tree.size > s.tree.size => {
                    self.check_consistent(s, &received, Received::Newer)?;
                    received.clone()
                }
                Some(s) if received.tree.size == s.tree.size => {
                    if received.tree.hash != s.tree.hash {
                        return Err(self.fork(s, &received, None, Vec::new()));
                    }
                    return Ok(s.clone());
                }
                Some(s) => {
                    self.check_consistent(&received, s, Received::Older)?;
                    return Ok(s.clone());
                }
            };
            if self.store_if_unchanged(stored.as_ref(), &newer)? {
                return Ok(newer);
            }
        }
        Err(Error::new(
            ErrorKind::Io,
            format!(
                "{} keeps changing under gover (other gover processes?)",
                self.latest_file().display()
            ),
        ))
    }

    /// Proves `older` is a prefix of `newer` through `newer`'s tiles.
    fn check_consistent(
        &self,
        older: &SignedTree,
        newer: &SignedTree,
        received: Received,
    ) -> Result<()> {
        let run = |cache: bool| -> Result<tlog::Hash> {
            let tiles = NetTiles {
                client: self,
                cache,
            };
            tree_hash(
                older.tree.size,
                &TileHashReader::new(newer.tree, HEIGHT, &tiles),
            )
        };
        let computed = self.with_cache_retry(run);
        match computed {
            Ok(h) if h == older.tree.hash => Ok(()),
            Ok(h) => {
                let tiles = NetTiles { client: self, cache: true };
                let proof = tree_proof(newer.tree.size, older.tree.size, &TileHashReader::new(newer.tree, HEIGHT, &tiles))
                    .unwrap_or_default();
                Err(self.fork(older, newer, Some(h), proof))
            }
            Err(e)
                if received == Received::Older
                    && matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Unverified) =>
            {
                Err(Error::security(
                    format!(
                        "SECURITY ERROR: the {} answered with tree {}, older than tree {} gover verified before (stored in {}), and cannot prove the older tree is part of the newer one ({}): the database went back in time",
                        self.verifier.name(),
                        older.tree.size,
                        newer.tree.size,
                        self.latest_file().display(),
                        e.message()
                    ),
                    self.evidence(Misbehavior::Rollback, older, newer, None, Vec::new()),
                )
                .with_hint(ROLLBACK_HINT))
            }
            Err(e) => Err(e.context(format!(
                "{}: checking tree {} against tree {}",
                self.db(),
                older.tree.size,
                newer.tree.size
            ))),
        }
    }

    fn evidence(
        &self,
        what: Misbehavior,
        older: &SignedTree,
        newer: &SignedTree,
        computed: Option<tlog::Hash>,
        proof: Vec<tlog::Hash>,
    ) -> Evidence {
        Evidence {
            what,
            older: older.tree,
            older_note: String::from_utf8_lossy(&older.note).into_owned(),
            newer: newer.tree,
            newer_note: String::from_utf8_lossy(&newer.note).into_owned(),
            computed,
            proof,
        }
    }

    fn fork(
        &self,
        older: &SignedTree,
        newer: &SignedTree,
        computed: Option<tlog::Hash>,
        proof: Vec<tlog::Hash>,
    ) -> Error {
        Error::security(
            format!(
                "SECURITY ERROR: the {} signed two trees that contradict each other: tree {} is not a prefix of tree {} (the log was forked or rewritten)",
                self.db(),
                older.tree.size,
                newer.tree.size
            ),
            self.evidence(Misbehavior::Fork, older, newer, computed, proof),
        )
        .with_hint(FORK_HINT)
    }

    /// Runs `f` with the tile cache, and once more without it when the
    /// cached tiles do not authenticate.
    fn with_cache_retry<T>(&self, f: impl Fn(bool) -> Result<T>) -> Result<T> {
        match f(self.tile_dir.is_some()) {
            Err(e) if e.kind() == ErrorKind::Unverified && self.tile_dir.is_some() => f(false),
            r => r,
        }
    }

    /// Proves record `id` with `text` is in `tree`.
    fn check_record(&self, tree: &Tree, id: u64, text: &str) -> Result<()> {
        if id >= tree.size {
            return Err(Error::new(
                ErrorKind::Unverified,
                format!(
                    "the record number is not in the signed tree of {} records",
                    tree.size
                ),
            ));
        }
        let leaf = self.with_cache_retry(|cache| {
            let tiles = NetTiles {
                client: self,
                cache,
            };
            let r = TileHashReader::new(*tree, HEIGHT, &tiles);
            tlog::HashReader::read_hashes(
                &r,
                &[Node {
                    level: 0,
                    index: id,
                }],
            )
        })?;
        if leaf[0] != record_hash(text.as_bytes()) {
            return Err(Error::new(
                ErrorKind::Unverified,
                format!("the record served is not the one in the log (tree {})", tree.size),
            )
            .with_hint("the database or a proxy in front of it altered the record: do not trust this answer"));
        }
        Ok(())
    }

    /// Writes `new` as the stored head if the stored head is still
    /// `expected`; false when another process changed it first.
    fn store_if_unchanged(&self, expected: Option<&SignedTree>, new: &SignedTree) -> Result<bool> {
        let dir = &self.state_dir;
        fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        let lock_path = dir.join("latest.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("cannot open", &lock_path, e))?;
        lock.lock()
            .map_err(|e| Error::io("cannot lock", &lock_path, e))?;
        let now = self.stored()?;
        if now.as_ref().map(|s| &s.note) != expected.map(|s| &s.note) {
            return Ok(false);
        }
        write_atomic(&self.latest_file(), &new.note)?;
        Ok(true)
    }
}

const FORK_HINT: &str = "a checksum database must never sign two conflicting trees: this is proof that it (or whoever holds its key) misbehaved. Nothing was installed. Keep this output as evidence and report it to the database's operators";

const ROLLBACK_HINT: &str = "a database or proxy serving an older state may be replaying old answers to hide newer records. Nothing was installed. Try again later or through another proxy; keep this output if it persists";

/// Writes `data` to `path` through a temporary file and a rename.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{seq}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        // A stale file of this process's name (a crash) goes; a link
        // planted there is removed, never written through.
        let _ = fs::remove_file(&tmp);
        let mut f = File::options().write(true).create_new(true).open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("cannot write", path, e)
    })
}

/// Tiles from the cache (when allowed) or the fetcher, in parallel.
struct NetTiles<'a, F> {
    client: &'a Client<F>,
    cache: bool,
}

impl<F: Fetcher> NetTiles<'_, F> {
    fn cache_file(&self, t: &Tile) -> Option<PathBuf> {
        self.client
            .tile_dir
            .as_ref()
            .map(|d| d.join(t.full().path()))
    }

    fn read_one(&self, t: &Tile) -> Result<Vec<u8>> {
        let want = t.width as usize * 32;
        let full = t.full_width() as usize * 32;
        if self.cache {
            if let Some(d) = self.cache_file(t).and_then(|f| fs::read(f).ok()) {
                if d.len() == full {
                    return Ok(d[..want].to_vec());
                }
            }
        }
        match self.client.get(&t.path()) {
            Err(e) if e.kind() == ErrorKind::NotFound && !t.is_full() => {
                // Databases may drop partial tiles once the full one exists.
                let d = self.client.get(&t.full().path()).map_err(|_| e)?;
                if d.len() != full {
                    return Ok(d);
                }
                Ok(d[..want].to_vec())
            }
            r => r,
        }
    }
}

impl<F: Fetcher> TileSource for NetTiles<'_, F> {
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>> {
        let results: Vec<Result<Vec<u8>>> = std::thread::scope(|s| {
            let handles: Vec<_> = tiles
                .iter()
                .map(|t| s.spawn(move || self.read_one(t)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::new(ErrorKind::Fetch, "a tile fetch panicked"))
                    })
                })
                .collect()
        });
        results.into_iter().collect()
    }

    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        for (t, d) in tiles.iter().zip(data) {
            let Some(file) = self.cache_file(t).filter(|_| t.is_full()) else {
                continue;
            };
            if self.cache && file.exists() {
                continue;
            }
            if let Some(parent) = file.parent() {
                if fs::create_dir_all(parent).is_ok() {
                    // A cache: failing to write it costs a download later.
                    let _ = write_atomic(&file, d);
                }
            }
        }
    }
}

/// Escapes a module path or version for a URL: upper-case letters become
/// `!` and the lower-case letter (module paths are case-insensitive on
/// some file systems; proxies and databases use this form).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks a module path or version before it goes into a URL.
fn check_part(kind: &str, s: &str, slash_ok: bool) -> Result<()> {
    let ok_char =
        |c: char| c.is_ascii_alphanumeric() || "-._~+".contains(c) || (slash_ok && c == '/');
    let ok = !s.is_empty()
        && s.len() <= 300
        && s.chars().all(ok_char)
        && !s.starts_with(['/', '.', '-'])
        && !s.ends_with('/')
        && !s.split('/').any(|e| e.is_empty() || e == "." || e == "..");
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Config,
            format!("invalid module {kind} `{}`", shown(s, 100)),
        ))
    }
}

/// The database path that looks up `module@version`.
pub fn lookup_path(module: &str, version: &str) -> Result<String> {
    check_part("path", module, true)?;
    check_part("version", version, false)?;
    Ok(format!("lookup/{}@{}", escape(module), escape(version)))
}

#[cfg(test)]
mod tests;
