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
//! missing.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use gover_dist::extract::{self, Expected, Input, Unpacked};
use gover_dist::index::{hex, parse_sha256};
use gover_dist::install::Installer;
use gover_dist::source::{open_local, write_atomic, Dist};
use gover_dist::{Index, IndexFile, NoProgress, Platform};
use gover_version::{GoVersion, VersionRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::MirrorArgs;
use crate::commands::install::{dist, installer, platform, user_error, Reporter};
use crate::error::UserError;

/// The index file `DIR` gets.
pub(crate) const INDEX_FILE: &str = "index.json";

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
            ".gover-mirror-{what}-{}-{}",
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
        let tee = Tee { inner: reader, out };
        let unpacked = self.verify_stream(Box::new(tee), entry, expected, url)?;
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

/// `index.json` for `entries`: releases newest first, in go.dev's format.
fn render_index(entries: &[Entry]) -> Vec<u8> {
    let mut by_version: BTreeMap<GoVersion, (bool, Vec<&IndexFile>)> = BTreeMap::new();
    for e in entries {
        let slot = by_version
            .entry(e.version.clone())
            .or_insert((e.stable, Vec::new()));
        slot.1.push(&e.file);
    }
    let releases: Vec<serde_json::Value> = by_version
        .iter()
        .rev()
        .map(|(v, (stable, files))| {
            let mut files = files.clone();
            files.sort_by(|a, b| a.filename.cmp(&b.filename));
            json!({
                "version": v.toolchain_name(),
                "stable": stable,
                "files": files.iter().map(|f| json!({
                    "filename": f.filename,
                    "os": f.os,
                    "arch": f.arch,
                    "version": v.toolchain_name(),
                    "sha256": f.sha256,
                    "size": f.size,
                    "kind": f.kind,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&releases).unwrap_or_default();
    out.push(b'\n');
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
    for req in &requests {
        let release = match upstream.resolve(req) {
            Ok(r) => r,
            Err(e) => {
                failures.push(user_error(e));
                continue;
            }
        };
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

    write_atomic(&dir.join(INDEX_FILE), &render_index(&done)).map_err(user_error)?;

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
        "Serve it with any static web server (or share the folder), and point gover at it:\n    GOVER_MIRROR=file://{}/\n    GOVER_INDEX_URL=file://{}/{INDEX_FILE}\n(or the http(s):// URL of the same directory and of its {INDEX_FILE})",
        dir.display(),
        dir.display()
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
    write_atomic(&p, entry.file.sha256.as_bytes()).map_err(user_error)
}
