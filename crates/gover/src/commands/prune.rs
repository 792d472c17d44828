//! `gover prune [--dry-run] [--json]`: removes the toolchains nothing
//! uses. A toolchain is kept when the global default, a remembered project
//! pin or a running process uses it, or when it is the newest installed
//! patch of a minor line one of those uses; each kept one says why.

use std::process::ExitCode;

use anyhow::Result;
use gover_core::text::untrusted_path;
use gover_core::GoVersion;
use serde_json::json;

use crate::app::App;
use crate::cli::PruneArgs;
use crate::error::{user_error, UserError};
use crate::installing::{dist, installer};
use crate::progress::{mib, Reporter};

/// One installed toolchain and why it stays.
struct Verdict {
    version: GoVersion,
    reasons: Vec<String>,
}

/// Why each installed toolchain is kept (no reason: it goes).
fn plan(app: &App, installed: &[GoVersion]) -> Vec<Verdict> {
    let mut verdicts: Vec<Verdict> = installed
        .iter()
        .map(|v| Verdict {
            version: v.clone(),
            reasons: Vec::new(),
        })
        .collect();
    let mut add = |v: &GoVersion, why: String| {
        if let Some(d) = verdicts.iter_mut().find(|d| &d.version == v) {
            d.reasons.push(why);
        }
    };
    if let Some((req, Some(v))) = crate::remembered::global(app) {
        add(
            &v,
            format!(
                "the global default ({req} in {})",
                untrusted_path(&app.home.version_file())
            ),
        );
    }
    let (projects, _) = crate::remembered::projects(app);
    for p in &projects {
        if let Some(v) = p
            .resolution
            .version
            .as_ref()
            .filter(|_| p.resolution.installed)
        {
            add(v, format!("pinned by {}", untrusted_path(&p.file)));
        }
    }
    for v in installed {
        let users = gover_dist::inuse::processes_using(&app.home.toolchain_dir(v));
        if let Some(p) = users.first() {
            let more = match users.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            add(v, format!("in use by a running process ({p}{more})"));
        }
    }
    keep_newest_of_used_lines(&mut verdicts);
    verdicts
}

/// Keeps the newest installed patch of each minor line a kept toolchain
/// is from.
fn keep_newest_of_used_lines(verdicts: &mut [Verdict]) {
    let used: Vec<GoVersion> = verdicts
        .iter()
        .filter(|d| !d.reasons.is_empty())
        .map(|d| d.version.clone())
        .collect();
    for u in used {
        let newest = verdicts
            .iter()
            .filter(|d| d.version.lang() == u.lang() && !d.version.is_prerelease())
            .map(|d| d.version.clone())
            .max();
        let Some(newest) = newest.filter(|n| *n != u) else {
            continue;
        };
        let why = format!(
            "the newest installed patch of go{}, which {} uses",
            u.lang(),
            u.toolchain_name()
        );
        if let Some(d) = verdicts.iter_mut().find(|d| d.version == newest) {
            if !d.reasons.contains(&why) {
                d.reasons.push(why);
            }
        }
    }
}

pub(crate) fn run(app: &App, args: &PruneArgs) -> Result<ExitCode> {
    let installed = app.home.installed().map_err(|e| {
        UserError::new(format!(
            "cannot list {}: {e}",
            app.home.toolchains_dir().display()
        ))
    })?;
    let verdicts = plan(app, &installed);
    let gone: Vec<&Verdict> = verdicts.iter().filter(|d| d.reasons.is_empty()).collect();
    let mut removed = Vec::new();
    let mut failed = 0;
    if !args.dry_run && !gone.is_empty() {
        let (_, stale) = crate::remembered::projects(app);
        let _ = gover_core::records::forget(&app.home, &stale);
        let dist = dist(app)?;
        let installer = installer(app, &dist)?;
        let reporter = Reporter::new(app);
        for d in &gone {
            match installer.uninstall(&d.version, false, &reporter) {
                Ok(u) => {
                    crate::shimlinks::after_uninstall(app, &d.version);
                    removed.push((d.version.clone(), u.freed.map_or(0, |f| f.bytes)));
                }
                Err(e) => {
                    crate::error::report(&user_error(e));
                    failed += 1;
                }
            }
        }
    }
    report(app, args, &verdicts, &removed)?;
    if failed > 0 {
        return Err(UserError::new(format!("{failed} toolchains could not be removed")).into());
    }
    Ok(ExitCode::SUCCESS)
}

fn report(
    app: &App,
    args: &PruneArgs,
    verdicts: &[Verdict],
    removed: &[(GoVersion, u64)],
) -> Result<()> {
    let action = |d: &Verdict| match (d.reasons.is_empty(), args.dry_run) {
        (false, _) => "keep",
        (true, true) => "remove",
        (true, false) if removed.iter().any(|(v, _)| *v == d.version) => "removed",
        (true, false) => "failed",
    };
    if args.json {
        let items: Vec<_> = verdicts
            .iter()
            .map(|d| {
                json!({
                    "version": d.version.toolchain_name(),
                    "path": app.home.toolchain_dir(&d.version).display().to_string(),
                    "action": action(d),
                    "reasons": d.reasons,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    if verdicts.is_empty() {
        app.info("no Go toolchains are installed");
    }
    for d in verdicts {
        let name = d.version.toolchain_name();
        match action(d) {
            "keep" => println!("keep    {name}: {}", d.reasons.join("; ")),
            "remove" => println!("remove  {name} (nothing uses it)"),
            "removed" => println!("removed {name}"),
            _ => println!("kept    {name} (could not be removed; see above)"),
        }
    }
    let freed: u64 = removed.iter().map(|(_, b)| b).sum();
    if args.dry_run {
        app.info("dry run: nothing was removed; run `gover prune` to remove them");
    } else if !removed.is_empty() {
        app.info(format!(
            "Removed {} toolchains; {} freed from the store",
            removed.len(),
            mib(freed)
        ));
    }
    Ok(())
}
