//! `gover store gc | verify [--repair] | optimize | status`: the
//! deduplicated toolchain store (`gover_dist::store`).

use std::process::ExitCode;

use anyhow::Result;
use gover_core::GoVersion;
use gover_dist::optimize::Optimized;
use gover_dist::store::Store;
use gover_dist::Platform;
use serde_json::json;

use crate::app::App;
use crate::cli::{StoreArgs, StoreCommand};
use crate::error::{user_error, UserError};
use crate::installing::{dist, install_requests, installer};
use crate::progress::{mib, Reporter};

pub(crate) fn run(app: &App, args: &StoreArgs) -> Result<ExitCode> {
    let store = Store::new(&app.home, app.settings.link_mode.value);
    match &args.command {
        StoreCommand::Gc => gc(app, &store),
        StoreCommand::Verify { repair } => verify(app, &store, *repair),
        StoreCommand::Optimize => optimize(app, &store),
        StoreCommand::Status { json } => status(app, &store, *json),
    }
}

fn gc(app: &App, store: &Store) -> Result<ExitCode> {
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let r = installer
        .collect_garbage(store, &Reporter::new(app))
        .map_err(user_error)?;
    println!(
        "Removed {} store files ({}) no toolchain holds; {} kept",
        r.removed,
        mib(r.bytes),
        r.kept
    );
    Ok(ExitCode::SUCCESS)
}

/// The installed toolchain of this machine at `root`, if it is one.
fn native_version(app: &App, root: &std::path::Path) -> Option<GoVersion> {
    app.home
        .installed()
        .ok()?
        .into_iter()
        .find(|v| app.home.toolchain_dir(v) == root)
}

fn verify(app: &App, store: &Store, repair: bool) -> Result<ExitCode> {
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let reporter = Reporter::new(app);
    let lock = installer
        .lock_store(store, repair, &reporter)
        .map_err(user_error)?;
    let report = store.verify(&reporter).map_err(user_error)?;
    let roots = installer.installed_roots();
    println!(
        "Checked {} store files ({})",
        report.checked,
        mib(report.bytes)
    );
    if report.modes_fixed > 0 {
        println!(
            "Made {} writable store files read-only again",
            report.modes_fixed
        );
    }
    let mut reinstall: Vec<GoVersion> = Vec::new();
    for d in &report.damaged {
        let holders = store.holders(&roots, &d.key);
        let names: Vec<String> = holders.iter().map(|h| h.display().to_string()).collect();
        println!(
            "changed: {} (expected sha256 {}, found {}); held by {}",
            d.path.display(),
            gover_dist::index::hex(&d.key.sha256),
            d.found
                .map_or("unreadable".into(), |f| gover_dist::index::hex(&f)),
            if names.is_empty() {
                "no toolchain".into()
            } else {
                names.join(", ")
            }
        );
        if repair {
            store.quarantine(d).map_err(user_error)?;
            for h in &holders {
                match native_version(app, h) {
                    Some(v) if !reinstall.contains(&v) => reinstall.push(v),
                    Some(_) => {}
                    None => app.warn(format!("{} is for another platform: reinstall it with `gover install --force --platform ...`", h.display())),
                }
            }
        }
    }
    drop(lock);
    if report.damaged.is_empty() {
        println!("The store is intact");
        return Ok(ExitCode::SUCCESS);
    }
    if !repair {
        return Err(UserError::new(format!(
            "{} store files changed after they were installed; the toolchains holding them are damaged",
            report.damaged.len()
        ))
        .hint("run `gover store verify --repair` to take them out of the store and reinstall those toolchains")
        .into());
    }
    let requests: Vec<_> = reinstall
        .into_iter()
        .map(gover_core::VersionRequest::Exact)
        .collect();
    if !requests.is_empty() {
        install_requests(app, &requests, true, &Platform::host())?;
    }
    println!("Repaired: changed files removed from the store, their toolchains reinstalled");
    Ok(ExitCode::SUCCESS)
}

fn optimize(app: &App, store: &Store) -> Result<ExitCode> {
    if store.mode() == gover_core::settings::LinkMode::Copy {
        return Err(UserError::new(
            "link_mode is `copy`: toolchains do not share files through the store",
        )
        .hint("set GOVER_LINK_MODE=auto (or link_mode = \"auto\" in config.toml) to use the store")
        .into());
    }
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let reporter = Reporter::new(app);
    let _lock = installer
        .lock_store(store, false, &reporter)
        .map_err(user_error)?;
    let mut failed = 0;
    for (root, res) in installer.optimize_all(store, true, &reporter) {
        let shown = root.display();
        match res {
            Ok(Optimized::Migrated { files, copied }) => {
                println!("{shown}: moved into the store ({files} files, {copied} copied)")
            }
            Ok(Optimized::AlreadyDone) => println!("{shown}: already in the store"),
            Ok(Optimized::Busy) => println!("{shown}: busy, left as it is"),
            Ok(Optimized::Skipped(why)) => println!("{shown}: left as it is ({why})"),
            Err(e) => {
                crate::error::report(&user_error(e));
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(UserError::new(format!(
            "{failed} toolchains could not be moved into the store; they are unchanged"
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

fn status(app: &App, store: &Store, as_json: bool) -> Result<ExitCode> {
    let files = store.files().unwrap_or_default();
    let stored: u64 = files.iter().map(|f| f.meta.len()).sum();
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let roots = installer.installed_roots();
    let mut apparent = 0u64;
    let mut managed = 0u64;
    for r in &roots {
        if let Some(m) = store.read_manifest(r) {
            managed += 1;
            apparent += m.iter().map(|f| f.size).sum::<u64>();
        }
    }
    if as_json {
        let obj = json!({
            "path": store.dir().display().to_string(),
            "link_mode": store.mode().as_str(),
            "files": files.len(),
            "bytes": stored,
            "toolchains": roots.len(),
            "toolchains_in_store": managed,
            "toolchain_bytes": apparent,
        });
        println!("{}", serde_json::to_string_pretty(&obj)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "store:      {} (link mode {})",
        store.dir().display(),
        store.mode().as_str()
    );
    println!("files:      {} ({})", files.len(), mib(stored));
    println!(
        "toolchains: {} installed, {managed} in the store, {} of files",
        roots.len(),
        mib(apparent)
    );
    Ok(ExitCode::SUCCESS)
}
