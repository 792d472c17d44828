//! `gover mirror DIR [VERSION...] [--platform OS-ARCH ...]`: fills `DIR`
//! with verified archives, their `.sha256` files and an `index.json` in the
//! go.dev/dl format, so a static web server or a shared folder serving
//! `DIR` works as `GOVER_MIRROR` + `GOVER_INDEX_URL` for other machines.
//!
//! Every archive is verified the way `gover install` verifies one: the
//! whole byte stream against the release index's sha256, every tar entry
//! against the extraction policy, and `go/VERSION` against the version.
//! A download is written under a temporary name and renamed into place
//! only after that, and `index.json` is replaced atomically, so `DIR`
//! never lists or holds an unverified archive. Running it again verifies
//! what `DIR` already holds (downloading again what fails) and adds what is
//! missing. A run holds a lock on `DIR` and first removes the scratch files
//! an interrupted run left behind.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use gover_core::{GoVersion, VersionRequest};
use gover_dist::extract::{self, Expected, Input, Unpacked};
use gover_dist::index::{hex, parse_sha256};
use gover_dist::install::Installer;
use gover_dist::source::{open_local, Dist};
use gover_dist::{Index, IndexFile, NoProgress, Platform};
use serde::Serialize;

use crate::app::App;
use crate::cli::MirrorArgs;
use crate::error::user_error;
use crate::error::UserError;
use crate::installing::{dist, installer, platform};
use crate::progress::Reporter;

/// The index file `DIR` gets.
pub(crate) const INDEX_FILE: &str = "index.json";

/// The prefix of every scratch file a run creates in `DIR`.
const SCRATCH_PREFIX: &str = ".gover-mirror-";

/// One archive of the mirror.
#[derive(Clone, Debug)]
struct Entry {
    version: GoVersion,
    stable: bool,
    file: IndexFile,
}

static SCRATCH_SEQ: AtomicU64 = AtomicU64::new(0);

/// A scratch path inside `DIR`, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(dir: &Path, what: &str) -> Self {
        Self(dir.join(format!(
            "{SCRATCH_PREFIX}{what}-{}-{}",
            std::process::id(),
            SCRATCH_SEQ.fetch_add(1, Ordering::Relaxed)
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
        let _ = fs::remove_file(&self.0);
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

/// What every verification needs.
struct Ctx<'a> {
    dist: &'a Dist,
    installer: Installer<'a>,
    dir: &'a Path,
    progress: Arc<Reporter>,
}

impl Ctx<'_> {
    /// Unpacks `reader` into a scratch directory, verifying it against
    /// `expected` and its `go/VERSION` against the entry's version.
    fn verify_stream(
        &self,
        reader: Box<dyn Read + Send>,
        entry: &Entry,
        expected: &Expected,
        location: String,
    ) -> gover_dist::Result<Unpacked> {
        let unpack_dir = Scratch::new(self.dir, "unpack");
        fs::create_dir(&unpack_dir.0)
            .map_err(|e| gover_dist::Error::io("cannot create", &unpack_dir.0, e))?;
        let unpacked = extract::unpack(
            Input {
                reader,
                name: entry.file.filename.clone(),
                location,
                expected_size: entry.file.size,
            },
            &unpack_dir.0,
            Some(expected),
            self.installer.limits,
            self.installer.pipeline,
            &*self.progress,
        )?;
        let found = extract::read_version_file(&unpack_dir.0.join("go"))?;
        let want = entry.version.toolchain_name();
        if found != want {
            return Err(gover_dist::Error::new(
                gover_dist::ErrorKind::BadArchive,
                format!(
                    "{} holds {found} (go/VERSION), not {want}",
                    entry.file.filename
                ),
            )
            .with_hint("the server serves the wrong file under this name"));
        }
        Ok(unpacked)
    }

    /// Checks the copy of `entry` already in the directory.
    fn verify_existing(&self, entry: &Entry, expected: &Expected) -> gover_dist::Result<Unpacked> {
        let path = self.dir.join(&entry.file.filename);
        let (reader, _) = open_local(&path)?;
        self.verify_stream(reader, entry, expected, path.display().to_string())
    }

    /// Downloads `entry` from the configured mirror into the directory,
    /// verified; only a verified copy is renamed into place.
    fn download(&self, entry: &Entry, expected: &Expected) -> gover_dist::Result<Unpacked> {
        let url = self.dist.archive_url(&entry.file.filename);
        let part = Scratch::new(self.dir, "download");
        let out = File::create(&part.0)
            .map_err(|e| gover_dist::Error::io("cannot create", &part.0, e))?;
        let (reader, total) =
            self.dist
                .open_archive(&url, entry.file.size, self.progress.clone())?;
        gover_dist::Progress::start(
            &*self.progress,
            &entry.file.filename,
            total.or((entry.file.size > 0).then_some(entry.file.size)),
        );
        let tee = Tee {
            inner: reader,
            out: out
                .try_clone()
                .map_err(|e| gover_dist::Error::io("cannot write", &part.0, e))?,
        };
        let unpacked = self.verify_stream(Box::new(tee), entry, expected, url)?;
        out.sync_all()
            .map_err(|e| gover_dist::Error::io("cannot write", &part.0, e))?;
        let written = fs::metadata(&part.0).map(|m| m.len()).unwrap_or(0);
        if written != unpacked.archive_bytes {
            return Err(gover_dist::Error::new(
                gover_dist::ErrorKind::Io,
                format!(
                    "the copy of {} has {written} bytes, not {}",
                    entry.file.filename, unpacked.archive_bytes
                ),
            ));
        }
        let dest = self.dir.join(&entry.file.filename);
        fs::rename(&part.0, &dest).map_err(|e| gover_dist::Error::io("cannot create", &dest, e))?;
        Ok(unpacked)
    }
}

/// The entries `DIR/index.json` lists (none when it does not exist).
fn read_held(dir: &Path) -> Result<Vec<Entry>> {
    let path = dir.join(INDEX_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    // `[]` is what a run that verified nothing writes.
    if serde_json::from_slice::<Vec<serde_json::Value>>(&bytes).is_ok_and(|v| v.is_empty()) {
        return Ok(Vec::new());
    }
    let index = Index::parse(&bytes, &path.display().to_string()).map_err(|e| {
        UserError::new(e.to_string()).hint(format!(
            "this is not a directory `gover mirror` made; use another DIR, or delete {}",
            path.display()
        ))
    })?;
    Ok(index
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
        .collect())
}

/// A release of `index.json`, fields in go.dev's order.
#[derive(Serialize)]
struct JsonRelease<'a> {
    version: String,
    stable: bool,
    files: Vec<JsonFile<'a>>,
}

/// A file of `index.json`, fields in go.dev's order.
#[derive(Serialize)]
struct JsonFile<'a> {
    filename: &'a str,
    os: &'a str,
    arch: &'a str,
    version: String,
    sha256: &'a str,
    size: u64,
    kind: &'a str,
}

/// `index.json` for `entries` in go.dev's format: releases newest first,
/// files by os, arch, kind and name, fields in go.dev's order, one-space
/// indent.
fn render_index(entries: &[Entry]) -> Vec<u8> {
    let mut by_version: BTreeMap<GoVersion, (bool, Vec<&IndexFile>)> = BTreeMap::new();
    for e in entries {
        let slot = by_version
            .entry(e.version.clone())
            .or_insert((e.stable, Vec::new()));
        slot.1.push(&e.file);
    }
    let releases: Vec<JsonRelease> = by_version
        .iter()
        .rev()
        .map(|(v, (stable, files))| {
            let mut files = files.clone();
            files.sort_by(|a, b| {
                (&a.os, &a.arch, &a.kind, &a.filename).cmp(&(&b.os, &b.arch, &b.kind, &b.filename))
            });
            JsonRelease {
                version: v.toolchain_name(),
                stable: *stable,
                files: files
                    .iter()
                    .map(|f| JsonFile {
                        filename: &f.filename,
                        os: &f.os,
                        arch: &f.arch,
                        version: v.toolchain_name(),
                        sha256: &f.sha256,
                        size: f.size,
                        kind: &f.kind,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    // Serializing plain strings and numbers into a Vec cannot fail.
    let _ = releases.serialize(&mut ser);
    out.push(b'\n');
    out
}

/// Writes `bytes` to `path` through a scratch file that is synced and
/// renamed into place, so readers (and a crash) see the old or the new
/// content, never half of one.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = Scratch::new(dir, "write");
    let res = File::create(&tmp.0)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp.0, path));
    res.with_context(|| format!("cannot write {}", path.display()))
}

/// Takes the lock on `dir` (released when the process ends, even by
/// SIGKILL), then removes what interrupted runs left: their scratch files
/// are never listed in `index.json`, but would be served and fill the disk.
fn lock_and_clean(dir: &Path) -> Result<File> {
    let lock = File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(UserError::new(format!(
                "another `gover mirror` is filling {}",
                dir.display()
            ))
            .hint("wait for it to finish, then run this again")
            .into())
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", dir.display()))
        }
    }
    {
        // Every run writes scratch files: find out now, not after downloading.
        let probe = Scratch::new(dir, "probe");
        File::create(&probe.0).map_err(|e| {
            UserError::new(format!("cannot write to {}: {e}", dir.display())).hint(
                "`gover mirror` needs a directory it can write to: fix its permissions (or owner, or immutable attribute), or pick another DIR",
            )
        })?;
    }
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) {
            continue;
        }
        let p = e.path();
        let res = if e.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        res.with_context(|| {
            format!(
                "cannot remove {}, left by an interrupted `gover mirror`",
                p.display()
            )
        })?;
    }
    Ok(lock)
}

/// `path` percent-encoded for a `file://` URL, so a space, `#` or `%` in
/// it names the same directory (and the printed lines paste into a shell).
fn url_path(path: &Path) -> String {
    let mut out = String::new();
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub(crate) fn run(app: &App, args: &MirrorArgs) -> Result<ExitCode> {
    let dir = std::path::absolute(&args.dir)
        .with_context(|| format!("cannot resolve {}", args.dir.display()))?;
    if dir.exists() && !dir.is_dir() {
        return Err(UserError::new(format!("{} is not a directory", dir.display())).into());
    }
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _lock = lock_and_clean(&dir)?;

    let mut platforms: Vec<Platform> = Vec::new();
    if args.platform.is_empty() {
        platforms.push(platform(None)?);
    }
    for p in &args.platform {
        let p = platform(Some(p))?;
        if !platforms.contains(&p) {
            platforms.push(p);
        }
    }
    let requests: Vec<VersionRequest> = if args.versions.is_empty() {
        vec![VersionRequest::Latest]
    } else {
        args.versions
            .iter()
            .map(|s| VersionRequest::parse(s).map_err(|e| UserError::new(e.to_string())))
            .collect::<Result<_, _>>()?
    };
    if requests.contains(&VersionRequest::System) {
        return Err(
            UserError::new("`system` is the Go found on PATH; it cannot be mirrored")
                .hint("name versions: `gover mirror DIR 1.22 1.23`")
                .into(),
        );
    }

    let held = read_held(&dir)?;
    let dist = dist(app)?;
    let loaded = dist.index(&NoProgress).map_err(user_error)?;
    if let Some(w) = &loaded.warning {
        app.warn(w);
    }
    let upstream = &loaded.index;

    // What to hold: the requested versions for every platform, then what
    // DIR already holds. The release index's sha256 wins over DIR's record.
    let mut todo: Vec<Entry> = Vec::new();
    let mut failures: Vec<anyhow::Error> = Vec::new();
    // Each release once, however many requests name it (`1.22 latest`).
    let mut releases: Vec<&gover_dist::index::Release> = Vec::new();
    for req in &requests {
        match upstream.resolve(req) {
            Ok(r) if releases.iter().any(|k| k.version == r.version) => {}
            Ok(r) => releases.push(r),
            Err(e) => failures.push(user_error(e)),
        }
    }
    for release in releases {
        for p in &platforms {
            match release.archive_for(p, &upstream.url) {
                Ok(file) if todo.iter().any(|t| t.file.filename == file.filename) => {}
                Ok(file) => todo.push(Entry {
                    version: release.version.clone(),
                    stable: release.stable,
                    file: file.clone(),
                }),
                Err(e) => failures.push(user_error(e)),
            }
        }
    }
    for h in held {
        if todo.iter().any(|t| t.file.filename == h.file.filename) {
            continue;
        }
        // What DIR no longer holds is dropped from its index, not fetched
        // again: an index.json copied from elsewhere (or an archive deleted
        // to save space) must not start a download of everything it lists.
        if !dir.join(&h.file.filename).is_file() {
            app.warn(format!(
                "{} is listed in {} but is not in {}; dropping it from the index (name its version to mirror it again)",
                h.file.filename,
                INDEX_FILE,
                dir.display()
            ));
            continue;
        }
        let current = upstream
            .find(&h.version)
            .and_then(|r| r.files.iter().find(|f| f.filename == h.file.filename))
            .cloned();
        todo.push(Entry {
            file: current.unwrap_or(h.file),
            ..h
        });
    }

    let ctx = Ctx {
        dist: &dist,
        installer: installer(app, &dist)?,
        dir: &dir,
        progress: Arc::new(Reporter::new(app)),
    };
    let mut done: Vec<Entry> = Vec::new();
    for entry in &todo {
        let name = &entry.file.filename;
        let Some(sha256) = parse_sha256(&entry.file.sha256) else {
            failures.push(
                UserError::new(format!(
                    "the release index {} has no sha256 for {name}; gover mirrors only verified archives",
                    upstream.url
                ))
                .into(),
            );
            continue;
        };
        // Lowercase hex in index.json and the .sha256 file, as go.dev writes it.
        let mut entry = entry.clone();
        entry.file.sha256 = hex(&sha256);
        let entry = &entry;
        let expected = Expected {
            sha256,
            source: format!("the release index {}", upstream.url),
        };
        let path = dir.join(name);
        if path.is_file() {
            match ctx.verify_existing(entry, &expected) {
                Ok(_) => {
                    app.info(format!("Verified {name} (already in {})", dir.display()));
                    write_sidecar(&dir, entry)?;
                    done.push(entry.clone());
                    continue;
                }
                Err(e) => app.warn(format!(
                    "{} failed verification ({e}); downloading it again",
                    path.display()
                )),
            }
        }
        match ctx.download(entry, &expected) {
            Ok(u) => {
                write_sidecar(&dir, entry)?;
                app.info(format!(
                    "Downloaded and verified {name} ({}, sha256 {})",
                    mib(u.archive_bytes),
                    hex(&u.sha256)
                ));
                done.push(entry.clone());
            }
            Err(e) => {
                if path.is_file() {
                    // A copy that failed verification must not stay listed or served.
                    let _ = fs::remove_file(&path);
                    let _ = fs::remove_file(sidecar(&dir, entry));
                }
                failures.push(user_error(e));
            }
        }
    }

    if let Err(e) = write_atomic(&dir, &dir.join(INDEX_FILE), &render_index(&done)) {
        for f in failures {
            crate::error::report(&f);
        }
        return Err(e);
    }

    let mut out = io::stdout().lock();
    let mut versions: Vec<&GoVersion> = done.iter().map(|e| &e.version).collect();
    versions.sort();
    versions.dedup();
    let names: Vec<String> = versions.iter().rev().map(|v| v.toolchain_name()).collect();
    writeln!(
        out,
        "{} holds {} verified archive(s) of {} release(s){}{}",
        dir.display(),
        done.len(),
        versions.len(),
        if names.is_empty() { "" } else { ": " },
        names.join(", ")
    )?;
    writeln!(
        out,
        "Serve it with any static web server (or share the folder), and point gover at it:\n    GOVER_MIRROR=file://{url}/\n    GOVER_INDEX_URL=file://{url}/{INDEX_FILE}\n(or the http(s):// URL of the same directory and of its {INDEX_FILE})",
        url = url_path(&dir),
    )?;
    out.flush()?;

    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let n = failures.len();
    for f in failures {
        crate::error::report(&f);
    }
    Err(UserError::new(format!(
        "{n} archive(s) could not be mirrored; {} lists only the verified ones",
        dir.join(INDEX_FILE).display()
    ))
    .into())
}

fn sidecar(dir: &Path, entry: &Entry) -> PathBuf {
    dir.join(format!("{}.sha256", entry.file.filename))
}

/// `<archive>.sha256`: the bare hex digest, as dl.google.com serves it.
fn write_sidecar(dir: &Path, entry: &Entry) -> Result<()> {
    let p = sidecar(dir, entry);
    if fs::read_to_string(&p).ok().as_deref() == Some(entry.file.sha256.as_str()) {
        return Ok(());
    }
    write_atomic(dir, &p, entry.file.sha256.as_bytes())
}
