//! `gover outdated [--json]`: for the global default and every remembered
//! project, the release pinned (or, for a line, the newest installed) and
//! the newest patch of its line in the release index (or the module
//! proxy's list, when installs come from the proxy). Exits 1 when
//! something is behind, so CI and bots can act on it.

use std::process::ExitCode;

use anyhow::Result;
use gover_core::text::untrusted_path;
use gover_core::{GoVersion, VersionRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::OutdatedArgs;
use crate::installing::dist;
use crate::remembered::{pins, Available, Pinned};

/// The release a pin runs now: the exact version, or what a line resolves
/// to among the installed toolchains.
fn running(p: &Pinned) -> Option<GoVersion> {
    match &p.request {
        VersionRequest::Exact(v) => Some(v.clone()),
        _ => p.version.clone(),
    }
}

pub(crate) fn run(app: &App, args: &OutdatedArgs) -> Result<ExitCode> {
    let pins = pins(app);
    let dist = dist(app)?;
    let available = Available::load(app, &dist)?;
    let rows: Vec<(Pinned, Option<GoVersion>, Option<GoVersion>, bool)> = pins
        .into_iter()
        .filter(|p| p.request != VersionRequest::System)
        .map(|p| {
            let now = running(&p);
            let newest = available.newest_of_line(&p.request);
            let behind = match (&now, &newest) {
                (Some(n), Some(l)) => n < l,
                (None, Some(_)) => true,
                _ => false,
            };
            (p, now, newest, behind)
        })
        .collect();
    let name = |v: &Option<GoVersion>| v.as_ref().map(GoVersion::toolchain_name);
    if args.json {
        let items: Vec<_> = rows
            .iter()
            .map(|(p, now, newest, behind)| {
                json!({
                    "file": p.file.display().to_string(),
                    "kind": p.kind,
                    "pinned": p.request.to_string(),
                    "current": name(now),
                    "latest": name(newest),
                    "behind": behind,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else {
        if rows.is_empty() {
            app.info("no global default and no remembered projects; `gover use` and `gover current` in a project remember its pin");
        }
        for (p, now, newest, behind) in &rows {
            let now = name(now).unwrap_or_else(|| "not installed".into());
            let newest = name(newest).unwrap_or_else(|| "?".into());
            let mark = if *behind { "behind" } else { "ok    " };
            println!(
                "{mark}  {now} -> {newest}  ({} pins {})",
                untrusted_path(&p.file),
                p.request
            );
        }
    }
    let behind = rows.iter().filter(|r| r.3).count();
    if behind > 0 {
        app.info(format!(
            "{behind} behind the newest patch of their line; `gover upgrade --all` updates exact pins and installs the newest patches"
        ));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
