//! `gover use VERSION [--global] [--no-install]`: pins a version for this
//! directory (`.go-version`) or as the global default
//! (`$GOVER_HOME/version`), installing it first when it is missing.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::resolve::logical_cwd;
use gover_core::VersionRequest;

use crate::app::App;
use crate::cli::UseArgs;
use crate::commands::which::{installed_match, run_gover_install};
use crate::error::UserError;

pub(crate) fn run(app: &App, args: &UseArgs) -> Result<ExitCode> {
    let request = VersionRequest::parse(&args.version).map_err(|e| {
        UserError::new(e.to_string())
            .hint("`gover list --remote` shows the versions available to install")
    })?;
    let file = if args.global {
        app.home.version_file()
    } else {
        logical_cwd()
            .context("cannot determine the current directory")?
            .join(".go-version")
    };

    // Install before pinning, so a version that cannot be installed (a
    // typo, no network) is never written where the shim would trust it.
    if request != VersionRequest::System
        && !args.no_install
        && installed_match(app, &request).is_none()
    {
        app.info(format!("go{request} is not installed; installing it"));
        run_gover_install(app, &request.to_string(), false)?;
    }

    write_atomically(&file, format!("{request}\n").as_bytes()).map_err(|e| {
        let hint = if args.global {
            "set GOVER_HOME to a directory you can write to, or pin per directory with `gover use VERSION`".to_string()
        } else {
            format!(
                "pin without writing here: `export GOVER_GO_VERSION={request}` for this shell, or `gover use --global {request}` as the default"
            )
        };
        UserError::new(e.to_string()).hint(hint)
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pinned {request} in {}", file.display())?;

    match crate::commands::current::resolve_here(app, false) {
        Ok(r) => {
            let state = match (&r.request, r.installed) {
                (VersionRequest::System, _) => "",
                (_, true) => ", installed",
                (_, false) => ", not installed",
            };
            writeln!(
                out,
                "Go here is now {} ({}){state}",
                r.display_name(),
                r.source
            )?;
            let governed_by_file = r.source.path() == Some(file.as_path())
                || matches!(&r.source, gover_core::PinSource::ProjectGoLine { via_global: Some(g), .. } if g == &file);
            if !governed_by_file {
                app.warn(format!(
                    "{} takes precedence over {} here",
                    r.source,
                    file.display()
                ));
            }
            crate::commands::current::warn_if_older_than_project(app, &r);
            if !r.installed && r.request != VersionRequest::System {
                app.info(format!(
                    "hint: run `gover install {}` to install it",
                    r.request
                ));
            }
        }
        Err(e) => app.warn(format!("cannot tell which Go runs here now: {e}")),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `data` to `path` through a temporary file in the same directory
/// and a rename: readers see the old file or the new one, never a part.
/// A symlinked `path` has its target replaced.
pub(crate) fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let path = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))?
        }
        _ => path.to_path_buf(),
    };
    let dir = path.parent().context("a file path has a parent")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.gover-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        if let Ok(meta) = fs::metadata(&path) {
            fs::set_permissions(&tmp, meta.permissions())?;
        }
        fs::rename(&tmp, &path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(UserError::new(format!("cannot write {}: {e}", path.display())).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_follows_symlinks() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("a/.go-version");
        write_atomically(&p, b"1.22\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"1.22\n");
        write_atomically(&p, b"1.23\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"1.23\n");
        #[cfg(unix)]
        {
            let link = t.path().join("link");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            write_atomically(&link, b"1.21\n").unwrap();
            assert!(fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(fs::read(&p).unwrap(), b"1.21\n");
        }
        let names: Vec<_> = fs::read_dir(t.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [".go-version"]);
    }
}
