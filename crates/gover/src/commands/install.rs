//! `gover install`: resolve versions against the release index, then
//! download, verify and unpack them (see `gover_dist::install`).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use gover_core::{GoVersion, VersionRequest};
use gover_dist::index::parse_sha256;
use gover_dist::install::{Installer, Outcome};
use gover_dist::source::Dist;
use gover_dist::{NoProgress, Platform};

use crate::app::App;
use crate::cli::InstallArgs;
use crate::error::user_error;
use crate::error::UserError;
use crate::installing::{dist, installer, platform};
use crate::progress::{mib, Reporter};

fn report_outcome(app: &App, outcome: &Outcome, started: Instant) {
    let (Outcome::AlreadyInstalled {
        version, foreign, ..
    }
    | Outcome::Installed {
        version, foreign, ..
    }) = outcome;
    if foreign.is_none() {
        crate::shimlinks::after_install(app, version);
    }
    match outcome {
        Outcome::AlreadyInstalled { version, path, .. } => app.info(format!(
            "{} is already installed at {} (use --force to reinstall)",
            version.toolchain_name(),
            path.display()
        )),
        Outcome::Installed {
            version,
            path,
            unpacked,
            ..
        } => {
            app.debug(format!(
                "verified sha256 {}; unpacked {} entries, {}",
                gover_dist::index::hex(&unpacked.sha256),
                unpacked.entries,
                mib(unpacked.unpacked_bytes)
            ));
            app.info(format!(
                "Installed {} to {} in {:.1}s",
                version.toolchain_name(),
                path.display(),
                started.elapsed().as_secs_f64()
            ));
        }
    }
}

pub(crate) fn run(app: &App, args: &InstallArgs) -> Result<ExitCode> {
    let platform = platform(args.platform.as_deref())?;
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    if let Some(file) = &args.from {
        return install_from(app, &dist, &installer, file, args, &platform);
    }
    let requests: Vec<VersionRequest> = if args.versions.is_empty() {
        let r = crate::selecting::resolve_here(app, false)?;
        if r.installed && !args.force {
            if let Some(v) = &r.version {
                app.info(format!(
                    "{} is already installed at {} ({})",
                    v.toolchain_name(),
                    app.home.toolchain_dir(v).display(),
                    r.source
                ));
                return Ok(ExitCode::SUCCESS);
            }
        }
        if let VersionRequest::System = r.request {
            return Err(UserError::new(format!(
                "the Go version pinned here is `system` ({}), which gover does not install",
                r.source
            ))
            .hint("name a version: `gover install 1.22`")
            .into());
        }
        app.debug(format!("installing {} ({})", r.display_name(), r.source));
        vec![match r.version {
            Some(v) => VersionRequest::Exact(v),
            None => r.request,
        }]
    } else {
        args.versions
            .iter()
            .map(|s| VersionRequest::parse(s).map_err(|e| UserError::new(e.to_string())))
            .collect::<Result<_, _>>()?
    };

    let mut index = None;
    let mut failed = 0;
    for req in &requests {
        let started = Instant::now();
        match install_one(
            app, &dist, &installer, req, args.force, &platform, &mut index,
        ) {
            Ok(outcome) => {
                report_outcome(app, &outcome, started);
            }
            Err(e) if requests.len() > 1 => {
                crate::error::report(&e);
                failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if failed > 0 {
        return Err(
            UserError::new(format!("{failed} of {} installs failed", requests.len())).into(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn install_one(
    app: &App,
    dist: &Dist,
    installer: &Installer<'_>,
    req: &VersionRequest,
    force: bool,
    platform: &Platform,
    index: &mut Option<gover_dist::Index>,
) -> Result<Outcome> {
    // An exact version already installed needs no index (works offline).
    if let (Some(v), false) = (req.exact(), force) {
        if let Some((found, path)) = installer.find_installed(v, platform) {
            return Ok(Outcome::AlreadyInstalled {
                path,
                version: found,
                foreign: (!platform.is_host()).then(|| platform.clone()),
            });
        }
    }
    if index.is_none() {
        let loaded = dist.index(&NoProgress).map_err(user_error)?;
        for w in &loaded.warnings {
            app.warn(w);
        }
        *index = Some(loaded.index);
    }
    let index = index.as_ref().expect("loaded above");
    let release = index.resolve(req).map_err(user_error)?;
    let file = release
        .archive_for(platform, &index.url)
        .map_err(user_error)?;
    let version: GoVersion = release.version.clone();
    let progress: Arc<Reporter> = Arc::new(Reporter::new(app));
    installer
        .install_release(&version, file, &index.url, force, progress)
        .map_err(user_error)
}

fn install_from(
    app: &App,
    dist: &Dist,
    installer: &Installer<'_>,
    file: &Path,
    args: &InstallArgs,
    platform: &Platform,
) -> Result<ExitCode> {
    let sha = match &args.sha256 {
        Some(h) => Some(parse_sha256(h).ok_or_else(|| {
            UserError::new(format!(
                "--sha256 `{}` is not a sha256: expected 64 hexadecimal digits",
                h.escape_debug()
            ))
        })?),
        None => None,
    };
    let started = Instant::now();
    let index = || dist.index(&NoProgress).map(|l| l.index);
    let outcome = installer
        .install_archive(
            file,
            sha,
            &index,
            platform,
            args.force,
            Arc::new(Reporter::new(app)),
        )
        .map_err(user_error)?;
    report_outcome(app, &outcome, started);
    Ok(ExitCode::SUCCESS)
}
