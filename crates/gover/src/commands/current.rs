//! `gover current`: which Go runs here, and why.

use std::process::ExitCode;

use anyhow::Result;
use gover_core::{PinSource, VersionRequest};
use serde_json::json;

use crate::app::{App, Verbosity};
use crate::cli::CurrentArgs;
use crate::selecting::{resolve_here, warn_if_older_than_project};

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
    crate::remembered::remember(app, &r);
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
