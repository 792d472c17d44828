//! `gover list`: installed toolchains (which one runs here, who uses it,
//! how it was verified), or the versions of the release index (or of the
//! module proxy, when toolchains come from it).

use std::process::ExitCode;

use anyhow::Result;
use gover_core::GoVersion;
use gover_dist::{NoProgress, Platform};
use serde_json::json;

use crate::app::App;
use crate::cli::ListArgs;
use crate::error::user_error;
use crate::error::UserError;
use crate::installing::{dist, platform};
use crate::proxied::{proxy_source, ProxySource};
use crate::selecting::context_here;
use crate::trusting::{verification, verification_json, verification_tag};

pub(crate) fn run(app: &App, args: &ListArgs) -> Result<ExitCode> {
    if args.remote {
        return remote(app, args);
    }
    let installed = app.home.installed().map_err(|e| {
        UserError::new(format!(
            "cannot list {}: {e}",
            app.home.toolchains_dir().display()
        ))
    })?;
    // The toolchain `gover current` picks here; a directory without a pin
    // simply marks nothing, a broken pin says why nothing is marked.
    let current = match context_here(app, false).map(|ctx| gover_core::resolve::resolve(&ctx)) {
        Ok(Ok(r)) => Some(r).filter(|r| r.installed),
        Ok(Err(gover_core::ResolveError::NoPin { .. })) | Err(_) => None,
        Ok(Err(e)) => {
            app.warn(format!(
                "cannot tell which toolchain runs here, so none is marked: {e}"
            ));
            None
        }
    };
    let is_current =
        |v: &gover_core::GoVersion| current.as_ref().and_then(|r| r.version.as_ref()) == Some(v);
    let users = users(app);
    let used_by = |v: &GoVersion| -> Vec<String> {
        users
            .iter()
            .filter(|(u, _)| u == v)
            .map(|(_, who)| who.clone())
            .collect()
    };
    let host = Platform::host();
    let verification = |v: &GoVersion| verification(app, v, &host, &app.home.toolchain_dir(v));
    if args.json {
        let items: Vec<_> = installed
            .iter()
            .map(|v| {
                json!({
                    "version": v.toolchain_name(),
                    "path": app.home.toolchain_dir(v).display().to_string(),
                    "current": is_current(v),
                    "used_by": used_by(v),
                    "verification": verification_json(&verification(v)),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    note_foreign(app);
    if installed.is_empty() {
        app.info("no Go toolchains are installed; install one with `gover install latest`");
        return Ok(ExitCode::SUCCESS);
    }
    for v in &installed {
        let how = verification_tag(&verification(v));
        let who = used_by(v);
        let uses = if who.is_empty() {
            String::new()
        } else {
            format!(
                "  used by {}",
                who.iter()
                    .map(|w| untrusted(w))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if is_current(v) {
            let why = current
                .as_ref()
                .map(|r| r.source.to_string())
                .unwrap_or_default();
            println!("* {}  ({why})  [{how}]{uses}", v.toolchain_name());
        } else {
            println!("  {}  [{how}]{uses}", v.toolchain_name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Who uses which installed toolchain: the remembered projects (by pin
/// file) and the global default.
fn users(app: &App) -> Vec<(GoVersion, String)> {
    let mut out = Vec::new();
    if let Some((_, Some(v))) = crate::remembered::global(app) {
        out.push((v, "the global default".to_string()));
    }
    let (projects, _) = crate::remembered::projects(app);
    for p in projects {
        if let Some(v) = p.resolution.version.filter(|_| p.resolution.installed) {
            out.push((v, p.file.display().to_string()));
        }
    }
    out
}

/// `text` (a path from outside) made safe for a terminal.
fn untrusted(text: &str) -> String {
    gover_core::text::untrusted_path(std::path::Path::new(text)).to_string()
}

/// Says (on stderr) which toolchains are kept for other platforms: they
/// are not listed with this machine's, since nothing runs them here.
fn note_foreign(app: &App) {
    let foreign = gover_dist::install::foreign_installed(&app.home);
    if foreign.is_empty() {
        return;
    }
    let names: Vec<String> = foreign
        .iter()
        .map(|(p, v, _)| format!("{} for {p}", v.toolchain_name()))
        .collect();
    app.info(format!(
        "note: {} kept for other platforms (never run here): {}",
        app.home.root().join("platforms").display(),
        names.join(", ")
    ));
}

fn remote(app: &App, args: &ListArgs) -> Result<ExitCode> {
    let platform = platform(args.platform.as_deref())?;
    let dist = dist(app)?;
    if let Some(mut proxy) = proxy_source(app, &dist)? {
        return remote_proxy(app, args, &platform, &mut proxy);
    }
    let loaded = dist.index(&NoProgress).map_err(user_error)?;
    for w in &loaded.warnings {
        app.warn(w);
    }
    let installed = app.home.installed().unwrap_or_default();
    let url = &loaded.index.url;
    // Only what `gover install` could install here: releases with a .tar.gz
    // for the platform.
    let mut elsewhere = 0usize;
    let releases: Vec<_> = loaded
        .index
        .releases
        .iter()
        .filter(|r| args.all || r.stable)
        .filter_map(|r| match r.archive_for(&platform, url) {
            Ok(file) => Some((r, file)),
            Err(_) => {
                elsewhere += 1;
                None
            }
        })
        .collect();
    if elsewhere > 0 {
        app.info(format!(
            "note: {elsewhere} {} in {url} {} no {platform} archive and {} not listed",
            if elsewhere == 1 {
                "release"
            } else {
                "releases"
            },
            if elsewhere == 1 { "has" } else { "have" },
            if elsewhere == 1 { "is" } else { "are" },
        ));
    }
    if args.json {
        let items: Vec<_> = releases
            .iter()
            .map(|(r, file)| {
                json!({
                    "version": r.version.toolchain_name(),
                    "stable": r.stable,
                    "installed": installed.contains(&r.version),
                    "platform": platform.to_string(),
                    "source": "dl",
                    "filename": file.filename,
                    "size": file.size,
                    "sha256": file.sha256,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if releases.is_empty() {
        app.info(format!(
            "{url} lists no {}release with a {platform} archive",
            if args.all { "" } else { "stable " }
        ));
    }
    print_remote(releases.iter().map(|(r, _)| &r.version), &installed);
    Ok(ExitCode::SUCCESS)
}

/// `list --remote` when toolchains come from the module proxy: the
/// versions its `@v/list` names for `platform`.
fn remote_proxy(
    app: &App,
    args: &ListArgs,
    platform: &gover_dist::Platform,
    proxy: &mut ProxySource<'_>,
) -> Result<ExitCode> {
    let installed = app.home.installed().unwrap_or_default();
    let versions: Vec<GoVersion> = proxy
        .versions(platform)?
        .into_iter()
        .filter(|v| args.all || (!v.is_prerelease() && !v.is_lang()))
        .collect();
    proxy.warn_if_cached(app);
    let from = proxy.listed()?.from.clone();
    app.info(format!(
        "versions for {platform} from the module proxy: {from}"
    ));
    if args.json {
        let items: Vec<_> = versions
            .iter()
            .map(|v| {
                let module = gover_dist::trust::module_for(v, platform)
                    .map(|m| m.to_string())
                    .unwrap_or_default();
                json!({
                    "version": v.toolchain_name(),
                    "stable": !v.is_prerelease(),
                    "installed": installed.contains(v),
                    "platform": platform.to_string(),
                    "source": "proxy",
                    "module": module,
                    "from": from,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if versions.is_empty() {
        app.info(format!(
            "{from} lists no {}toolchain for {platform}",
            if args.all { "" } else { "stable " }
        ));
    }
    print_remote(versions.iter(), &installed);
    Ok(ExitCode::SUCCESS)
}

/// One line per available version on stdout, marking those `installed`.
fn print_remote<'v>(versions: impl Iterator<Item = &'v GoVersion>, installed: &[GoVersion]) {
    for v in versions {
        if installed.contains(v) {
            println!("{}  (installed)", v.toolchain_name());
        } else {
            println!("{}", v.toolchain_name());
        }
    }
}
