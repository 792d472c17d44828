//! `gover uninstall`: remove installed toolchains.

use std::process::ExitCode;

use anyhow::Result;
use gover_core::{GoVersion, VersionRequest};

use crate::app::App;
use crate::cli::UninstallArgs;
use crate::error::user_error;
use crate::error::UserError;
use crate::installing::{dist, installer};
use crate::progress::{mib, Reporter};
use crate::selecting::resolve_here;

/// The installed version `text` names: an exact version, or a minor line
/// with exactly one installed release.
fn pick(app: &App, text: &str) -> Result<GoVersion> {
    let req = VersionRequest::parse(text).map_err(|e| UserError::new(e.to_string()))?;
    let find = |v: &GoVersion| {
        app.home
            .find_installed(v)
            .ok_or_else(|| user_error(gover_dist::install::not_installed(&app.home, v)))
    };
    match &req {
        VersionRequest::Exact(v) => find(v),
        VersionRequest::Line(l) => {
            let installed = app.home.installed().unwrap_or_default();
            let matching: Vec<&GoVersion> = installed
                .iter()
                .filter(|v| req.matches(v) || (l.same_line(v) && v.is_prerelease()))
                .collect();
            match matching.as_slice() {
                [one] => Ok((*one).clone()),
                // `1.20` also names the release go1.20 itself.
                [] => find(l),
                many => Err(UserError::new(format!(
                    "`{text}` matches several installed toolchains: {}",
                    many.iter()
                        .map(|v| v.toolchain_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .hint(format!(
                    "name the ones to remove exactly, e.g. `gover uninstall {}`",
                    many[0]
                ))
                .into()),
            }
        }
        _ => Err(UserError::new(format!(
            "`{text}` does not name an installed toolchain"
        ))
        .hint("name a version, e.g. `gover uninstall 1.22.10`; `gover list` shows installed ones")
        .into()),
    }
}

pub(crate) fn run(app: &App, args: &UninstallArgs) -> Result<ExitCode> {
    // Resolve every name first, so a typo removes nothing; two names for
    // one toolchain (`1.22.10 go1.22.10`) remove it once.
    let mut versions: Vec<GoVersion> = Vec::with_capacity(args.versions.len());
    for text in &args.versions {
        let v = pick(app, text)?;
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    // What `go` runs here now, to say what changes when it is removed.
    let before = resolve_here(app, false)
        .ok()
        .filter(|r| r.installed)
        .and_then(|r| r.version);
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let reporter = Reporter::new(app);
    // A toolchain in use stops the whole command before anything is removed.
    if !args.force {
        for v in &versions {
            installer.check_unused(v).map_err(user_error)?;
        }
    }
    for v in &versions {
        let removed = installer
            .uninstall(v, args.force, &reporter)
            .map_err(user_error)?;
        crate::shimlinks::after_uninstall(app, v);
        app.info(format!(
            "Uninstalled {} (removed {})",
            v.toolchain_name(),
            removed.path.display()
        ));
        if let Some(gc) = removed.freed.filter(|g| g.removed > 0) {
            app.info(format!(
                "Removed {} files ({}) no other toolchain shares from the store",
                gc.removed,
                mib(gc.bytes)
            ));
        }
    }
    if let Some(was) = before.filter(|b| versions.contains(b)) {
        say_what_runs_now(app, &was);
    }
    Ok(ExitCode::SUCCESS)
}

/// After removing `was`, the toolchain this directory used: says what `go`
/// runs here now, and warns when the pin is no longer installed.
fn say_what_runs_now(app: &App, was: &GoVersion) {
    let Ok(now) = resolve_here(app, false) else {
        return;
    };
    if now.installed {
        app.info(format!(
            "Go here is now {} ({})",
            now.display_name(),
            now.source
        ));
        return;
    }
    let next = if app.settings.auto_install.value {
        format!("`go` here will install `{}` again first", now.request)
    } else {
        "`go` here will fail until it is installed".to_string()
    };
    app.warn_with_hint(
        format_args!(
            "{} was the Go for this directory ({}) and is no longer installed; {next}",
            was.toolchain_name(),
            now.source
        ),
        format_args!(
            "pin an installed version with `gover use VERSION` (`gover list` shows them), or reinstall with `gover install {}`",
            now.request
        ),
    );
}
