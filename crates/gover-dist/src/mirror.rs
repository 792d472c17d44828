//! The `gover mirror DIR` transaction: fills `DIR` with verified archives,
//! their `.sha256` files and an `index.json` in the go.dev/dl format, so a
//! static web server or a shared folder serving `DIR` works as
//! `GOVER_MIRROR` + `GOVER_INDEX_URL` for other machines.
//!
//! 1. [`Mirror::open`] locks `DIR` (for the life of the process) and
//!    removes the scratch files an interrupted run left, recognised by one
//!    exact pattern ([`ScratchFile`]);
//! 2. [`Mirror::plan`] decides what `DIR` should hold: the requested
//!    versions for every platform, plus what its `index.json` lists and it
//!    still holds;
//! 3. [`Mirror::sync`] verifies each archive the way `gover install`
//!    does (the whole byte stream against the index's sha256, every tar
//!    entry against the extraction policy, the tree against
//!    [`verify_tree`]), downloading it again when `DIR`'s copy fails; a
//!    download is written under a scratch name and renamed into place only
//!    once verified;
//! 4. [`Mirror::write_index`] replaces `index.json` atomically.
//!
//! File names come from indexes, which are untrusted: only entries whose
//! names are one plain path segment survive [`Index::parse`], so nothing
//! outside `DIR` is ever read, written or deleted, and nothing outside it
//! is listed in its `index.json`.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gover_core::{GoVersion, VersionRequest};

use crate::error::{Error, ErrorKind, Result};
use crate::extract::{self, Expected, Input, Limits, Pipeline, Unpacked};
use crate::index::{hex, Index, IndexFile, Release};
use crate::platform::Platform;
use crate::source::{open_local, Dist};
use crate::verify::{verify_tree, Expect};
use crate::Progress;

/// The index file `DIR` gets.
pub const INDEX_FILE: &str = "index.json";

/// The most bytes `DIR/index.json` may have.
const MAX_HELD_INDEX: u64 = 64 << 20;

/// One archive of the mirror.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its release.
    pub version: GoVersion,
    /// Whether the release is stable.
    pub stable: bool,
    /// The file as the index lists it (sha256 in lowercase hex once
    /// planned).
    pub file: IndexFile,
}

/// What a scratch file in `DIR` is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScratchPurpose {
    /// Checks that `DIR` is writable.
    Probe,
    /// A directory an archive is unpacked into to verify it.
    Unpack,
    /// A download before it is verified.
    Download,
    /// A new `index.json` or `.sha256` file before its rename.
    Write,
}

impl ScratchPurpose {
    const ALL: [(Self, &'static str); 4] = [
        (Self::Probe, "probe"),
        (Self::Unpack, "unpack"),
        (Self::Download, "download"),
        (Self::Write, "write"),
    ];

    fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map_or("", |(_, s)| s)
    }
}

/// The name of a scratch file a run creates in `DIR`:
/// `.gover-mirror-<purpose>-<pid>-<seq>`. Only names that
/// [`ScratchFile::parse`] accepts are removed as leftovers; the leading `.`
/// keeps them apart from every name an index may list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScratchFile {
    /// What it is for.
    pub purpose: ScratchPurpose,
    /// The process that created it.
    pub pid: u32,
    /// A sequence number within the process.
    pub seq: u64,
}

const SCRATCH_PREFIX: &str = ".gover-mirror-";

static SCRATCH_SEQ: AtomicU64 = AtomicU64::new(0);

/// Parses a decimal written the way gover writes numbers.
fn canonical<T: std::str::FromStr + ToString>(s: &str) -> Option<T> {
    let n: T = s.parse().ok()?;
    (n.to_string() == s).then_some(n)
}

impl ScratchFile {
    fn new(purpose: ScratchPurpose) -> Self {
        Self {
            purpose,
            pid: std::process::id(),
            seq: SCRATCH_SEQ.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Parses a name exactly as [`fmt::Display`] writes it.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.strip_prefix(SCRATCH_PREFIX)?.split('-');
        let word = parts.next()?;
        let purpose = ScratchPurpose::ALL
            .iter()
            .find(|(_, w)| *w == word)
            .map(|(p, _)| *p)?;
        let pid = canonical(parts.next()?)?;
        let seq = canonical(parts.next()?)?;
        parts.next().is_none().then_some(Self { purpose, pid, seq })
    }
}

impl fmt::Display for ScratchFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCRATCH_PREFIX}{}-{}-{}",
            self.purpose.as_str(),
            self.pid,
            self.seq
        )
    }
}

/// A scratch file or directory gover created inside `DIR`, removed on
/// drop. It is created exclusively: a link planted under its (predictable)
/// name is never followed, and what gover did not create is never removed.
struct Scratch(PathBuf);

impl Scratch {
    /// A new scratch file, open for writing.
    fn file(dir: &Path, purpose: ScratchPurpose) -> io::Result<(Self, File)> {
        let path = dir.join(ScratchFile::new(purpose).to_string());
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok((Self(path), f))
    }

    /// A new scratch directory.
    fn dir(dir: &Path, purpose: ScratchPurpose) -> Result<Self> {
        let path = dir.join(ScratchFile::new(purpose).to_string());
        fs::create_dir(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        Ok(Self(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = crate::scratch::remove_tree(&self.0);
    }
}

/// Copies everything read from `inner` into `out`; a failed write fails the
/// read, so a short copy can never pass.
struct Tee<R> {
    inner: R,
    out: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out
            .write_all(&buf[..n])
            .map_err(|e| io::Error::new(e.kind(), format!("cannot write the mirror copy: {e}")))?;
        Ok(n)
    }
}

/// What `DIR` should hold, and what could not be planned.
#[derive(Debug, Default)]
pub struct Plan {
    /// The archives to verify or download, each once.
    pub entries: Vec<Entry>,
    /// Requests or archives that cannot be mirrored (an unknown version, no
    /// archive for a platform, no sha256).
    pub errors: Vec<Error>,
    /// Worth a warning each (entries dropped from `DIR/index.json`).
    pub warnings: Vec<String>,
}

/// What [`Mirror::sync`] did with an archive.
#[derive(Debug)]
pub enum Synced {
    /// `DIR`'s copy was verified.
    Kept(Unpacked),
    /// It was downloaded and verified.
    Downloaded(Unpacked),
}

/// A mirror directory, locked for this run.
pub struct Mirror<'a> {
    dist: &'a Dist,
    dir: PathBuf,
    _lock: File,
    /// Extraction caps (as for installs).
    pub limits: Limits,
    /// Extraction tuning (as for installs).
    pub pipeline: Pipeline,
}

impl<'a> Mirror<'a> {
    /// Creates `dir` if needed, takes its lock (released when the process
    /// ends, even by SIGKILL), checks that it is writable, then removes
    /// what interrupted runs left: their scratch files are never listed in
    /// `index.json`, but would be served and fill the disk.
    pub fn open(dist: &'a Dist, dir: &Path) -> Result<Self> {
        let dir = std::path::absolute(dir).map_err(|e| Error::io("cannot resolve", dir, e))?;
        if dir.exists() && !dir.is_dir() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a directory", dir.display()),
            ));
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        let lock = File::open(&dir).map_err(|e| Error::io("cannot open", &dir, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::new(
                    ErrorKind::LockTimeout,
                    format!("another `gover mirror` is filling {}", dir.display()),
                )
                .with_hint("wait for it to finish, then run this again"))
            }
            Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", &dir, e)),
        }
        {
            // Every run writes scratch files: find out now, not after downloading.
            Scratch::file(&dir, ScratchPurpose::Probe).map_err(|e| {
                Error::new(ErrorKind::from_io(&e), format!("cannot write to {}: {e}", dir.display()))
                    .with_hint("`gover mirror` needs a directory it can write to: fix its permissions (or owner, or immutable attribute), or pick another DIR")
            })?;
        }
        remove_leftovers(&dir)?;
        Ok(Self {
            dist,
            dir,
            _lock: lock,
            limits: Limits::default(),
            pipeline: Pipeline::default(),
        })
    }

    /// The directory (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `entry`'s archive lives in `DIR`.
    fn path_of(&self, entry: &Entry) -> PathBuf {
        self.dir.join(&entry.file.filename)
    }

    /// Where `entry`'s `.sha256` file lives in `DIR`.
    fn sidecar(&self, entry: &Entry) -> PathBuf {
        self.dir.join(format!("{}.sha256", entry.file.filename))
    }

    /// The entries `DIR/index.json` lists (none when it does not exist),
    /// with the warnings of its parser.
    fn held(&self) -> Result<(Vec<Entry>, Vec<String>)> {
        let path = self.dir.join(INDEX_FILE);
        let bytes = match gover_core::fs::open_regular(&path) {
            Ok((f, _)) => {
                let mut b = Vec::new();
                f.take(MAX_HELD_INDEX)
                    .read_to_end(&mut b)
                    .map_err(|e| Error::io("cannot read", &path, e))?;
                b
            }
            Err(e) if gover_core::fs::is_missing(&e) => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(Error::io("cannot read", &path, e)),
        };
        // `[]` is what a run that verified nothing writes.
        if serde_json::from_slice::<Vec<serde_json::Value>>(&bytes).is_ok_and(|v| v.is_empty()) {
            return Ok((Vec::new(), Vec::new()));
        }
        let index = Index::parse(&bytes, &path.display().to_string()).map_err(|e| {
            Error::new(e.kind(), e.to_string()).with_hint(format!(
                "this is not a directory `gover mirror` made; use another DIR, or delete {}",
                path.display()
            ))
        })?;
        let entries = index
            .releases
            .into_iter()
            .flat_map(|r| {
                let (version, stable) = (r.version, r.stable);
                r.files.into_iter().map(move |file| Entry {
                    version: version.clone(),
                    stable,
                    file,
                })
            })
            .collect();
        Ok((entries, index.warnings))
    }

    /// What `DIR` should hold: `requests` for every platform in `upstream`,
    /// then what `DIR/index.json` lists and `DIR` still holds (the
    /// upstream record wins over `DIR`'s).
    pub fn plan(
        &self,
        upstream: &Index,
        requests: &[VersionRequest],
        platforms: &[Platform],
    ) -> Result<Plan> {
        if requests.contains(&VersionRequest::System) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "`system` is the Go found on PATH; it cannot be mirrored",
            )
            .with_hint("name versions: `gover mirror DIR 1.22 1.23`"));
        }
        let (held, warnings) = self.held()?;
        let mut plan = Plan {
            warnings,
            ..Plan::default()
        };
        requested(upstream, requests, platforms, &mut plan);
        for h in held {
            if plan
                .entries
                .iter()
                .any(|t| t.file.filename == h.file.filename)
            {
                continue;
            }
            // What DIR no longer holds is dropped from its index, not fetched
            // again: an index.json copied from elsewhere (or an archive deleted
            // to save space) must not start a download of everything it lists.
            if !self.path_of(&h).is_file() {
                plan.warnings.push(format!(
                    "{} is listed in {INDEX_FILE} but is not in {}; dropping it from the index (name its version to mirror it again)",
                    h.file.filename,
                    self.dir.display()
                ));
                continue;
            }
            let current = upstream
                .find(&h.version)
                .and_then(|r| r.files.iter().find(|f| f.filename == h.file.filename))
                .cloned();
            plan.entries.push(Entry {
                file: current.unwrap_or(h.file),
                ..h
            });
        }
        let entries = std::mem::take(&mut plan.entries);
        for mut e in entries {
            match e.file.expected_sha256(&e.version, &upstream.url) {
                Ok(sha) => {
                    // Lowercase hex in index.json and the .sha256 file, as go.dev writes it.
                    e.file.sha256 = hex(&sha);
                    plan.entries.push(e);
                }
                Err(err) => plan.errors.push(err),
            }
        }
        Ok(plan)
    }

    /// Makes `DIR` hold a verified copy of `entry`: its copy is verified,
    /// and downloaded again (after a call of `warn` saying why) when it
    /// fails; a download is verified before it is renamed into place. On
    /// an error, no copy of `entry` is left in `DIR`.
    pub fn sync(
        &self,
        entry: &Entry,
        upstream_url: &str,
        progress: Arc<dyn Progress>,
        warn: &dyn Fn(String),
    ) -> Result<Synced> {
        let expected = Expected {
            sha256: entry.file.expected_sha256(&entry.version, upstream_url)?,
            source: format!("the release index {upstream_url}"),
        };
        let path = self.path_of(entry);
        if path.is_file() {
            match self.verify_existing(entry, &expected, &progress) {
                Ok(u) => {
                    self.write_sidecar(entry)?;
                    return Ok(Synced::Kept(u));
                }
                Err(e) => warn(format!(
                    "{} failed verification ({e}); downloading it again",
                    path.display()
                )),
            }
        }
        match self.download(entry, &expected, progress) {
            Ok(u) => {
                self.write_sidecar(entry)?;
                Ok(Synced::Downloaded(u))
            }
            Err(e) => {
                if path.is_file() {
                    // A copy that failed verification must not stay listed or served.
                    let _ = fs::remove_file(&path);
                    let _ = fs::remove_file(self.sidecar(entry));
                }
                Err(e)
            }
        }
    }

    /// Unpacks `reader` into a scratch directory, verifying it against
    /// `expected` and the tree against the entry.
    fn verify_stream(
        &self,
        reader: Box<dyn Read + Send>,
        entry: &Entry,
        expected: &Expected,
        location: String,
        progress: &dyn Progress,
    ) -> Result<Unpacked> {
        let unpack_dir = Scratch::dir(&self.dir, ScratchPurpose::Unpack)?;
        let unpacked = extract::unpack(
            Input {
                reader,
                name: entry.file.filename.clone(),
                location,
                expected_size: entry.file.size,
            },
            &unpack_dir.0,
            Some(expected),
            self.limits,
            self.pipeline,
            progress,
        )?;
        let platform = entry.file.platform().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} is not a binary archive for a platform",
                    entry.file.filename
                ),
            )
        })?;
        let expect = Expect {
            version: Some(&entry.version),
            platform: &platform,
        };
        verify_tree(&unpack_dir.0.join("go"), &entry.file.filename, &expect)?;
        Ok(unpacked)
    }

    /// Checks the copy of `entry` already in `DIR`.
    fn verify_existing(
        &self,
        entry: &Entry,
        expected: &Expected,
        progress: &Arc<dyn Progress>,
    ) -> Result<Unpacked> {
        let path = self.path_of(entry);
        let (reader, _) = open_local(&path)?;
        self.verify_stream(
            reader,
            entry,
            expected,
            path.display().to_string(),
            &**progress,
        )
    }

    /// Downloads `entry` from the configured mirror into `DIR`, verified;
    /// only a verified copy is renamed into place.
    fn download(
        &self,
        entry: &Entry,
        expected: &Expected,
        progress: Arc<dyn Progress>,
    ) -> Result<Unpacked> {
        let name = &entry.file.filename;
        let url = self.dist.archive_url(name)?;
        let (part, out) = Scratch::file(&self.dir, ScratchPurpose::Download)
            .map_err(|e| Error::io("cannot create a scratch file in", &self.dir, e))?;
        let size = entry.file.size;
        let (reader, total) = self.dist.open_archive(&url, size, progress.clone())?;
        progress.start(name, total.or((size > 0).then_some(size)));
        let tee = Tee {
            inner: reader,
            out: out
                .try_clone()
                .map_err(|e| Error::io("cannot write", &part.0, e))?,
        };
        let unpacked =
            self.verify_stream(Box::new(tee), entry, expected, url.to_string(), &*progress)?;
        out.sync_all()
            .map_err(|e| Error::io("cannot write", &part.0, e))?;
        let written = fs::metadata(&part.0).map(|m| m.len()).unwrap_or(0);
        if written != unpacked.archive_bytes {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "the copy of {name} has {written} bytes, not {}",
                    unpacked.archive_bytes
                ),
            ));
        }
        let dest = self.path_of(entry);
        fs::rename(&part.0, &dest).map_err(|e| Error::io("cannot create", &dest, e))?;
        Ok(unpacked)
    }

    /// Writes `<archive>.sha256`: the bare hex digest, as dl.google.com
    /// serves it (unless it already says so).
    fn write_sidecar(&self, entry: &Entry) -> Result<()> {
        let p = self.sidecar(entry);
        let current = gover_core::fs::read_small_text(&p, 1024).ok();
        if current.as_deref() == Some(entry.file.sha256.as_str()) {
            return Ok(());
        }
        self.write_atomic(&p, entry.file.sha256.as_bytes())
    }

    /// Replaces `DIR/index.json` with one listing `done` (go.dev's format).
    pub fn write_index(&self, done: &[Entry]) -> Result<()> {
        let mut releases: Vec<Release> = Vec::new();
        for e in done {
            match releases.iter_mut().find(|r| r.version == e.version) {
                Some(r) => r.files.push(e.file.clone()),
                None => releases.push(Release {
                    version: e.version.clone(),
                    stable: e.stable,
                    files: vec![e.file.clone()],
                }),
            }
        }
        self.write_atomic(&self.dir.join(INDEX_FILE), &Index::render(&releases))
    }

    /// Writes `bytes` to `path` through a scratch file that is synced and
    /// renamed into place, so readers (and a crash) see the old or the new
    /// content, never half of one.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        Scratch::file(&self.dir, ScratchPurpose::Write)
            .and_then(|(tmp, mut f)| {
                f.write_all(bytes)?;
                f.sync_all()?;
                fs::rename(&tmp.0, path)
            })
            .map_err(|e| Error::io("cannot write", path, e))
    }
}

/// Adds the archives `requests` name for `platforms` to `plan`, each
/// release and each file once, however many requests name it.
fn requested(
    upstream: &Index,
    requests: &[VersionRequest],
    platforms: &[Platform],
    plan: &mut Plan,
) {
    let mut releases: Vec<&Release> = Vec::new();
    for req in requests {
        match upstream.resolve(req) {
            Ok(r) if releases.iter().any(|k| k.version == r.version) => {}
            Ok(r) => releases.push(r),
            Err(e) => plan.errors.push(e),
        }
    }
    for release in releases {
        for p in platforms {
            match release.archive_for(p, &upstream.url) {
                Ok(file)
                    if plan
                        .entries
                        .iter()
                        .any(|t| t.file.filename == file.filename) => {}
                Ok(file) => plan.entries.push(Entry {
                    version: release.version.clone(),
                    stable: release.stable,
                    file: file.clone(),
                }),
                Err(e) => plan.errors.push(e),
            }
        }
    }
}

/// Removes the scratch files of earlier runs from `dir` (the caller holds
/// its lock, so no run is using them). Only names that parse as a
/// [`ScratchFile`] go, and never a link.
fn remove_leftovers(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("cannot read", dir, e))?;
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .and_then(ScratchFile::parse)
            .is_none()
        {
            continue;
        }
        let p = e.path();
        let res = match e.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&p),
            Ok(t) if t.is_file() => fs::remove_file(&p),
            _ => continue,
        };
        res.map_err(|err| {
            Error::new(
                ErrorKind::from_io(&err),
                format!(
                    "cannot remove {}, left by an interrupted `gover mirror`: {err}",
                    p.display()
                ),
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_round_trip_and_nothing_else_parses() {
        for purpose in [
            ScratchPurpose::Probe,
            ScratchPurpose::Unpack,
            ScratchPurpose::Download,
            ScratchPurpose::Write,
        ] {
            let n = ScratchFile::new(purpose);
            let s = n.to_string();
            assert!(s.starts_with(".gover-mirror-"), "{s}");
            assert_eq!(ScratchFile::parse(&s), Some(n));
        }
        for not_ours in [
            ".gover-mirror-download-1-2-3",
            ".gover-mirror-download-1",
            ".gover-mirror-download-01-2",
            ".gover-mirror-backup-1-2",
            ".gover-mirror-download-1-2.keep",
            "gover-mirror-download-1-2",
            ".gover-mirror-",
            "index.json",
            "go1.22.10.linux-amd64.tar.gz",
        ] {
            assert_eq!(ScratchFile::parse(not_ours), None, "{not_ours}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_its_own_leftovers_are_removed_and_never_through_a_link() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("m");
        fs::create_dir(&dir).unwrap();
        let outside = t.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), "x").unwrap();
        fs::write(dir.join(".gover-mirror-download-1-2"), "partial").unwrap();
        fs::create_dir(dir.join(".gover-mirror-unpack-1-3")).unwrap();
        fs::write(dir.join(".gover-mirror-notes"), "mine").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join(".gover-mirror-unpack-1-4")).unwrap();
        remove_leftovers(&dir).unwrap();
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".gover-mirror-notes", ".gover-mirror-unpack-1-4"]);
        assert!(outside.join("keep").exists());
    }
}
