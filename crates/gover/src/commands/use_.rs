//! `gover use VERSION [--global] [--no-install]`: pins a version for this
//! directory (`.go-version`) or as the global default
//! (`$GOVER_HOME/version`), installing it first when it is missing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::fs::{LinkPolicy, UserFile};
use gover_core::pinfile::is_pin_only;
use gover_core::resolve::{is_temp_dir, logical_cwd};
use gover_core::select::installed_match;
use gover_core::text::untrusted_path;
use gover_core::{PinSource, VersionRequest};
use gover_dist::Platform;

use crate::app::App;
use crate::cli::UseArgs;
use crate::error::fs_cause;
use crate::error::UserError;
use crate::installing::install_requests;
use crate::selecting::{context_here, resolve_here, warn_if_older_than_project};
use crate::userfile::{pin_tree, refused};

pub(crate) fn run(app: &App, args: &UseArgs) -> Result<ExitCode> {
    let mut request = VersionRequest::parse(&args.version).map_err(|e| {
        UserError::new(e.to_string())
            .hint("`gover list --remote` shows the versions available to install")
    })?;
    if args.pin {
        request = exact_release(app, &request)?;
    }
    let file = if args.global {
        app.home.version_file()
    } else {
        let dir = logical_cwd().context("cannot determine the current directory")?;
        refuse_temp_dir(app, &dir, &request)?;
        dir.join(".go-version")
    };

    // Install before pinning, so a version that cannot be installed (a
    // typo, no network) is never written where the shim would trust it.
    if request != VersionRequest::System
        && !args.no_install
        && installed_match(&app.home, &request).is_none()
    {
        app.info(format!("go{request} is not installed; installing it"));
        install_requests(
            app,
            std::slice::from_ref(&request),
            false,
            &Platform::host(),
        )?;
    }
    write_pin(args, &request, &file)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pinned {request} in {}", untrusted_path(&file))?;

    match resolve_here(app, false) {
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
                || matches!(&r.source, PinSource::ProjectGoLine { via_global: Some(g), .. } if g == &file);
            if governed_by_file {
                crate::remembered::remember(app, &r);
            } else {
                app.warn(format!(
                    "{} takes precedence over {} here",
                    r.source,
                    untrusted_path(&file)
                ));
            }
            warn_if_older_than_project(app, &r);
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

/// The exact release `request` resolves to (`--pin`): the newest release
/// of the line in the release index, or, when the index cannot be had,
/// the newest installed one.
fn exact_release(app: &App, request: &VersionRequest) -> Result<VersionRequest> {
    if let VersionRequest::Exact(_) = request {
        return Ok(request.clone());
    }
    if let VersionRequest::System = request {
        return Err(UserError::new("`--pin` needs a Go version, not `system`").into());
    }
    let from_index = crate::installing::dist(app).and_then(|d| {
        let loaded = d
            .index(&gover_dist::NoProgress)
            .map_err(crate::error::user_error)?;
        let r = loaded
            .index
            .resolve(request)
            .map_err(crate::error::user_error)?;
        Ok(r.version.clone())
    });
    match from_index {
        Ok(v) => Ok(VersionRequest::Exact(v)),
        Err(e) => match installed_match(&app.home, request) {
            Some(v) => Ok(VersionRequest::Exact(v)),
            None => Err(e),
        },
    }
}

/// A pin file directly in the temp directory would be ignored (anyone can
/// write there), so `gover use` refuses to write one instead of pinning
/// nothing.
fn refuse_temp_dir(app: &App, dir: &Path, request: &VersionRequest) -> Result<()> {
    let ctx = context_here(app, false)?;
    if !is_temp_dir(dir, ctx.temp_dir.as_deref()) {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} is the temporary directory: gover ignores pin files there, as Go ignores a go.mod there (anyone can write them)",
        untrusted_path(dir)
    ))
    .hint(format!(
        "pin a directory of your own below it, or set the default with `gover use --global {request}`"
    ))
    .into())
}

/// Writes the pin file: through a link only to a file that holds nothing
/// but a pin, inside the repository being pinned (or gover's home, for
/// `--global`).
fn write_pin(args: &UseArgs, request: &VersionRequest, file: &Path) -> Result<()> {
    let tree = match file.parent() {
        Some(dir) if args.global => dir.to_path_buf(),
        Some(dir) => pin_tree(dir),
        None => file.to_path_buf(),
    };
    let policy = LinkPolicy::Pin {
        tree: Some(&tree),
        holds_pin: &is_pin_only,
    };
    let written =
        UserFile::open(file, &policy).and_then(|f| f.replace(format!("{request}\n").as_bytes()));
    let Err(e) = written else {
        return Ok(());
    };
    // A full or read-only file system is the cause to name; otherwise say
    // how to pin without this file.
    let hint = match e.io_error().and_then(|io| fs_cause(io, file.parent().unwrap_or(file))) {
        Some(cause) => cause,
        None if args.global => "set GOVER_HOME to a directory you can write to, or pin per directory with `gover use VERSION`".to_string(),
        None => format!(
            "pin without writing here: `export GOVER_GO_VERSION={request}` for this shell, or `gover use --global {request}` as the default"
        ),
    };
    Err(refused(&e).hint(hint).into())
}
