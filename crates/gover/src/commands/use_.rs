//! `gover use VERSION [--global] [--no-install]`: pins a version for this
//! directory (`.go-version`) or as the global default
//! (`$GOVER_HOME/version`), installing it first when it is missing.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::fs::LinkPolicy;
use gover_core::resolve::logical_cwd;
use gover_core::VersionRequest;

use crate::app::App;
use crate::cli::UseArgs;
use crate::error::UserError;
use crate::selecting::{
    installed_match, resolve_here, run_gover_install, warn_if_older_than_project,
};
use crate::userfile::write_user_file;

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

    let holds_pin = |text: &str| {
        gover_core::pinfile::parse_go_version_file(text)
            .is_some_and(|v| VersionRequest::parse(v).is_ok())
    };
    let tree = (!args.global).then(|| file.parent()).flatten();
    let policy = LinkPolicy::Pin {
        tree,
        holds_pin: &holds_pin,
    };
    write_user_file(&file, format!("{request}\n").as_bytes(), &policy).map_err(|e| {
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
                || matches!(&r.source, gover_core::PinSource::ProjectGoLine { via_global: Some(g), .. } if g == &file);
            if !governed_by_file {
                app.warn(format!(
                    "{} takes precedence over {} here",
                    r.source,
                    file.display()
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
