//! The shims in `$GOVER_HOME/shims`: `go`, `gofmt` and one `go<version>`
//! per installed toolchain, each a hard link to (or, across filesystems, a
//! copy of) the `gover-shim` that sits beside the running `gover`.
//!
//! On Unix the directory also holds `gover`, a symbolic link to the `gover`
//! executable that ran `gover setup`: the shim finds `gover` beside itself
//! to auto-install, and sessions that put only the shims on PATH (`ssh host
//! go build`, cron, where `~/.cargo/bin` is often added below `~/.bashrc`'s
//! non-interactive guard) still can.
//!
//! Every link is made under a temporary name and renamed into place, so a
//! `go` that is running (or starting) never sees a missing or half-written
//! shim.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gover_core::fs::{beside_current_exe, open_regular};
use gover_core::home::exe_name;
use gover_core::{GoVersion, GoverHome};

use crate::app::App;
use crate::error::UserError;

/// The shims every setup has, whatever is installed.
pub(crate) const BASE_SHIMS: [&str; 2] = ["go", "gofmt"];

/// The `gover-shim` executable beside the running `gover` (also looked for
/// beside the file `gover` resolves to, when it is a symlink).
pub(crate) fn shim_source() -> Result<PathBuf> {
    let name = exe_name("gover-shim");
    if let Some(p) = beside_current_exe(&name) {
        return Ok(p);
    }
    let exe = std::env::current_exe().context("cannot locate the running gover executable")?;
    Err(UserError::new(format!(
        "{} is missing: gover's shim must sit beside the gover executable",
        exe.with_file_name(&name).display()
    ))
    .hint("reinstall gover with its installer (install.sh, `pipx install gover`, `cargo install --locked gover gover-shim` or `scripts/install`), which puts gover-shim next to it")
    .into())
}

/// How one shim ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkOutcome {
    /// Already the current shim: nothing changed.
    Unchanged,
    /// Created or replaced as a hard link.
    Linked,
    /// Created or replaced as a copy (hard links failed, e.g. across filesystems).
    Copied,
}

/// Makes `dest` the shim `src`: nothing happens when it already is one
/// (same file, or identical contents).
pub(crate) fn link_shim(src: &Path, dest: &Path) -> Result<LinkOutcome> {
    if same_shim(src, dest) {
        return Ok(LinkOutcome::Unchanged);
    }
    let dir = dest.parent().expect("a shim path has a parent");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        dest.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    let outcome = match fs::hard_link(src, &tmp) {
        Ok(()) => LinkOutcome::Linked,
        Err(_) => {
            fs::copy(src, &tmp)
                .with_context(|| format!("cannot copy {} to {}", src.display(), tmp.display()))?;
            LinkOutcome::Copied
        }
    };
    if let Err(e) = fs::rename(&tmp, dest) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot create the shim {}", dest.display()));
    }
    Ok(outcome)
}

/// True when `dest` is the shim `src`: the same file (a hard link), or a
/// regular file with the same bytes (a copy). Never reads anything but
/// regular files.
pub(crate) fn same_shim(src: &Path, dest: &Path) -> bool {
    let (Ok(a), Ok(b)) = (fs::metadata(src), fs::symlink_metadata(dest)) else {
        return false;
    };
    if !b.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return true;
        }
    }
    a.is_file() && a.len() == b.len() && same_bytes(src, dest)
}

/// True when the two regular files hold the same bytes.
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (Ok((fa, _)), Ok((fb, _))) = (open_regular(a), open_regular(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (io::BufReader::new(fa), io::BufReader::new(fb));
    let (mut x, mut y) = ([0u8; 8192], [0u8; 8192]);
    loop {
        let n = match ra.read(&mut x) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if rb.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
        if n == 0 {
            return rb.read(&mut y[..1]).is_ok_and(|m| m == 0);
        }
    }
}

/// The file name of the version shim for `v` (`go1.22.10`).
pub(crate) fn version_shim_name(v: &GoVersion) -> String {
    exe_name(&v.toolchain_name())
}

/// What [`sync_shims`] did.
#[derive(Debug, Default)]
pub(crate) struct SyncReport {
    /// Shims created or replaced, by file name.
    pub(crate) written: Vec<String>,
    /// Version shims removed because their toolchain is gone.
    pub(crate) removed: Vec<String>,
    /// Shims already up to date.
    pub(crate) unchanged: Vec<String>,
    /// True when at least one shim had to be copied instead of linked.
    pub(crate) copied: bool,
}

/// Links `go`, `gofmt` and `go<version>` for every installed toolchain, and
/// removes version shims whose toolchain is no longer installed.
pub(crate) fn sync_shims(home: &GoverHome) -> Result<SyncReport> {
    let src = shim_source()?;
    let dir = home.shims_dir();
    let installed = home
        .installed()
        .with_context(|| format!("cannot list {}", home.toolchains_dir().display()))?;
    let mut wanted: Vec<String> = BASE_SHIMS.iter().map(|n| exe_name(n)).collect();
    wanted.extend(installed.iter().map(version_shim_name));
    let mut report = SyncReport::default();
    for name in &wanted {
        match link_shim(&src, &dir.join(name))? {
            LinkOutcome::Unchanged => report.unchanged.push(name.clone()),
            LinkOutcome::Linked => report.written.push(name.clone()),
            LinkOutcome::Copied => {
                report.copied = true;
                report.written.push(name.clone())
            }
        }
    }
    #[cfg(unix)]
    match link_gover(&dir.join("gover"))? {
        true => report.written.push("gover".to_string()),
        false => report.unchanged.push("gover".to_string()),
    }
    for entry in fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Leftovers of an interrupted link (see `link_shim`) go too, once
        // they are old enough not to belong to a link in progress.
        let leftover = name.starts_with('.')
            && name.contains(".tmp-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() >= 60);
        if wanted.contains(&name) || !(is_version_shim_name(&name) || leftover) {
            continue;
        }
        fs::remove_file(entry.path())
            .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        if !leftover {
            report.removed.push(name);
        }
    }
    Ok(report)
}

/// Makes `dest` a symbolic link to the running `gover` executable. Returns
/// false when it already is one.
#[cfg(unix)]
fn link_gover(dest: &Path) -> Result<bool> {
    let exe = std::env::current_exe().context("cannot locate the running gover executable")?;
    let exe = fs::canonicalize(&exe).unwrap_or(exe);
    if fs::read_link(dest).is_ok_and(|t| t == exe) {
        return Ok(false);
    }
    let dir = dest.parent().expect("a link path has a parent");
    let tmp = dir.join(format!(".gover.tmp-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&exe, &tmp)
        .with_context(|| format!("cannot create the link {}", tmp.display()))?;
    if let Err(e) = fs::rename(&tmp, dest) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot create the link {}", dest.display()));
    }
    Ok(true)
}

fn is_version_shim_name(name: &str) -> bool {
    let stem = name
        .strip_suffix(std::env::consts::EXE_SUFFIX)
        .unwrap_or(name);
    stem.strip_prefix("go")
        .and_then(GoVersion::parse)
        .is_some_and(|v| !v.minor_is_implicit())
}

/// After an install: links `go<version>` for `v` when the shims are set up
/// (`$GOVER_HOME/shims` exists). Returns the shim's path when it was
/// created or replaced.
pub(crate) fn add_version_shim(home: &GoverHome, v: &GoVersion) -> Result<Option<PathBuf>> {
    let dir = home.shims_dir();
    if !dir.is_dir() {
        return Ok(None);
    }
    let dest = dir.join(version_shim_name(v));
    match link_shim(&shim_source()?, &dest)? {
        LinkOutcome::Unchanged => Ok(None),
        _ => Ok(Some(dest)),
    }
}

/// After an uninstall: removes the `go<version>` shim for `v`, if any.
/// Returns its path when one was removed.
pub(crate) fn remove_version_shim(home: &GoverHome, v: &GoVersion) -> Result<Option<PathBuf>> {
    let dest = home.shims_dir().join(version_shim_name(v));
    match fs::remove_file(&dest) {
        Ok(()) => Ok(Some(dest)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", dest.display())),
    }
}

/// Keeps the `go<version>` shim in step after `gover install`: links it
/// when the shims are set up. A failure is a warning; the install stands.
pub(crate) fn after_install(app: &App, v: &GoVersion) {
    match add_version_shim(&app.home, v) {
        Ok(Some(p)) => app.debug(format!("linked the version shim {}", p.display())),
        Ok(None) => {}
        Err(e) => app.warn_with_hint(
            format!(
                "{} is installed, but its version shim could not be linked: {e:#}",
                v.toolchain_name()
            ),
            "run `gover setup`",
        ),
    }
}

/// Removes the `go<version>` shim after `gover uninstall`. A failure is a
/// warning; the toolchain is already gone.
pub(crate) fn after_uninstall(app: &App, v: &GoVersion) {
    match remove_version_shim(&app.home, v) {
        Ok(Some(p)) => app.debug(format!("removed the version shim {}", p.display())),
        Ok(None) => {}
        Err(e) => app.warn_with_hint(
            format!(
                "{} is uninstalled, but its version shim could not be removed: {e:#}",
                v.toolchain_name()
            ),
            "run `gover setup`",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_is_atomic_and_idempotent() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("gover-shim");
        fs::write(&src, b"shim v1").unwrap();
        let dest = t.path().join("shims/go");
        assert_eq!(link_shim(&src, &dest).unwrap(), LinkOutcome::Linked);
        assert_eq!(link_shim(&src, &dest).unwrap(), LinkOutcome::Unchanged);
        assert_eq!(fs::read(&dest).unwrap(), b"shim v1");
        // A new gover-shim (a new file, as an upgrade writes) replaces it.
        fs::remove_file(&src).unwrap();
        fs::write(&src, b"shim v2").unwrap();
        assert_eq!(link_shim(&src, &dest).unwrap(), LinkOutcome::Linked);
        assert_eq!(fs::read(&dest).unwrap(), b"shim v2");
        // An identical copy counts as up to date.
        fs::remove_file(&dest).unwrap();
        fs::copy(&src, &dest).unwrap();
        assert_eq!(link_shim(&src, &dest).unwrap(), LinkOutcome::Unchanged);
        let leftovers: Vec<_> = fs::read_dir(t.path().join("shims"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["go"]);
    }

    #[test]
    fn version_shim_names() {
        assert!(is_version_shim_name("go1.22.10"));
        assert!(is_version_shim_name("go1.20"));
        assert!(is_version_shim_name("go1.23rc1"));
        assert!(!is_version_shim_name("go"));
        assert!(!is_version_shim_name("gofmt"));
        assert!(!is_version_shim_name("go1"));
        assert!(!is_version_shim_name(".go.tmp-1"));
    }
}
