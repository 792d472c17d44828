//! `gover mirror DIR [VERSION...] [--platform OS-ARCH ...]`: fills `DIR`
//! with verified archives, their `.sha256` files and an `index.json` in the
//! go.dev/dl format (the transaction is `gover_dist::mirror`), then says how
//! to point gover at it.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use gover_core::{GoVersion, VersionRequest};
use gover_dist::index::hex;
use gover_dist::mirror::{Entry, Mirror, Synced, INDEX_FILE};
use gover_dist::{NoProgress, Platform};

use crate::app::App;
use crate::cli::MirrorArgs;
use crate::error::{report, user_error, UserError};
use crate::installing::{dist, installer, platform};
use crate::progress::{mib, Reporter};

/// The platforms `--platform` names, each once (default: this machine).
fn platforms(args: &MirrorArgs) -> Result<Vec<Platform>> {
    let mut out: Vec<Platform> = Vec::new();
    if args.platform.is_empty() {
        out.push(platform(None)?);
    }
    for p in &args.platform {
        let p = platform(Some(p))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The version requests (default: latest).
fn requests(args: &MirrorArgs) -> Result<Vec<VersionRequest>> {
    if args.versions.is_empty() {
        return Ok(vec![VersionRequest::Latest]);
    }
    Ok(args
        .versions
        .iter()
        .map(|s| VersionRequest::parse(s).map_err(|e| UserError::new(e.to_string())))
        .collect::<Result<_, _>>()?)
}

pub(crate) fn run(app: &App, args: &MirrorArgs) -> Result<ExitCode> {
    let platforms = platforms(args)?;
    let requests = requests(args)?;
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let mut mirror = Mirror::open(&dist, &args.dir).map_err(user_error)?;
    mirror.limits = installer.limits;
    mirror.pipeline = installer.pipeline;
    let loaded = dist.index(&NoProgress).map_err(user_error)?;
    for w in &loaded.warnings {
        app.warn(w);
    }
    let upstream = &loaded.index;
    let plan = mirror
        .plan(upstream, &requests, &platforms)
        .map_err(user_error)?;
    for w in &plan.warnings {
        app.warn(w);
    }
    let mut failures: Vec<anyhow::Error> = plan.errors.into_iter().map(user_error).collect();
    let progress = Arc::new(Reporter::new(app));
    let dir = mirror.dir().to_path_buf();
    let mut done: Vec<Entry> = Vec::new();
    for entry in plan.entries {
        let name = &entry.file.filename;
        let warn = |w: String| app.warn(w);
        match mirror.sync(&entry, &upstream.url, progress.clone(), &warn) {
            Ok(Synced::Kept(_)) => {
                app.info(format!("Verified {name} (already in {})", dir.display()));
                done.push(entry);
            }
            Ok(Synced::Downloaded(u)) => {
                app.info(format!(
                    "Downloaded and verified {name} ({}, sha256 {})",
                    mib(u.archive_bytes),
                    hex(&u.sha256)
                ));
                done.push(entry);
            }
            Err(e) => failures.push(user_error(e)),
        }
    }
    if let Err(e) = mirror.write_index(&done) {
        for f in &failures {
            report(f);
        }
        return Err(user_error(e));
    }
    print_summary(&dir, &done)?;
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let n = failures.len();
    for f in &failures {
        report(f);
    }
    Err(UserError::new(format!(
        "{n} archive(s) could not be mirrored; {} lists only the verified ones",
        dir.join(INDEX_FILE).display()
    ))
    .into())
}

/// What `DIR` holds now, and the settings that use it (on stdout).
fn print_summary(dir: &Path, done: &[Entry]) -> Result<()> {
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
        url = url_path(dir),
    )?;
    out.flush()?;
    Ok(())
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
