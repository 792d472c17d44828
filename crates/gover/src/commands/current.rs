//! `gover current`: which Go runs here, and why.

use std::process::ExitCode;

use anyhow::Result;
use gover_core::resolve::{logical_cwd, resolve, ResolveContext};
use gover_core::{PinSource, VersionRequest};
use serde_json::json;

use crate::app::{App, Verbosity};
use crate::cli::CurrentArgs;
use crate::error::UserError;

/// Resolves the pin for the current directory, with the governing project
/// file and (with `-v`) the trace of every rule checked.
pub(crate) fn resolve_here(app: &App, trace: bool) -> Result<gover_core::Resolution> {
    Ok(resolve(&context_here(app, trace)?).map_err(UserError::from)?)
}

/// The resolution context for the current directory (see [`resolve_here`]).
pub(crate) fn context_here(app: &App, trace: bool) -> Result<ResolveContext> {
    let cwd = logical_cwd()
        .map_err(|e| UserError::new(format!("cannot determine the current directory: {e}")))?;
    let mut ctx = ResolveContext::from_process(app.home.clone(), cwd);
    ctx.want_project = true;
    ctx.trace = trace;
    Ok(ctx)
}

/// What `current --json` prints as `source`: the pin file, or the variable.
fn source_text(s: &PinSource) -> String {
    match s.path() {
        Some(p) => p.display().to_string(),
        None => match s {
            PinSource::Env => gover_core::env::GOVER_GO_VERSION.to_string(),
            _ => s.kind().to_string(),
        },
    }
}

pub(crate) fn run(app: &App, args: &CurrentArgs) -> Result<ExitCode> {
    let verbose = matches!(app.verbosity, Verbosity::Verbose(_));
    let r = resolve_here(app, verbose)?;
    let goroot = r.version.as_ref().map(|v| app.home.toolchain_dir(v));
    if args.json {
        let mut obj = json!({
            "version": r.version.as_ref().map(|v| v.toolchain_name()),
            "request": r.request.to_string(),
            "source": source_text(&r.source),
            "source_kind": r.source.kind(),
            "reason": r.source.to_string(),
            "path": goroot.as_ref().map(|p| p.display().to_string()),
            "installed": r.installed,
        });
        if verbose {
            obj["checked"] = json!(r.trace);
        }
        println!("{}", serde_json::to_string_pretty(&obj)?);
    } else {
        let state = match (&r.request, r.installed) {
            (VersionRequest::System, _) => "",
            (_, true) => ", installed",
            (_, false) => ", not installed",
        };
        println!("{} ({}){state}", r.display_name(), r.source);
        for line in &r.trace {
            eprintln!("  checked {line}");
        }
    }
    warn_if_older_than_project(app, &r);
    if !r.installed && !matches!(r.request, VersionRequest::System) && !args.json {
        app.info(format!(
            "hint: run `gover install` to install {}",
            r.display_name()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Warns on stderr when the pin is older than the `go` line of the
/// governing go.mod/go.work: Go would refuse to build (or download).
/// Also warns when the governing go.mod/go.work is invalid although a pin
/// file decided the version: Go will reject it.
pub(crate) fn warn_if_older_than_project(app: &App, r: &gover_core::Resolution) {
    if let Some(e) = &r.project_error {
        app.warn(format!(
            "{e}; Go will reject this file when it builds here (the version itself comes from {})",
            r.source
                .path()
                .map_or_else(|| r.source.to_string(), |p| p.display().to_string())
        ));
    }
    if let Some((project, min)) = r.older_than_project() {
        app.warn(format!(
            "{} from {} is older than the go line of {} (go {}); Go would refuse to build or download {}\n\nhint: pin {} or newer, e.g. `gover use {}`",
            r.display_name(),
            r.source.path().map_or_else(|| r.source.to_string(), |p| p.display().to_string()),
            project.path.display(),
            project.go.as_ref().map(|g| g.to_string()).unwrap_or_default(),
            min.toolchain_name(),
            min.toolchain_name(),
            min.lang(),
        ));
    }
}
