//! `gover install`: resolve versions against the release index, then
//! download, verify and unpack them (see `gover_dist::install`).

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use gover_core::{GoVersion, VersionRequest};
use gover_dist::extract::Limits;
use gover_dist::http::HttpConfig;
use gover_dist::index::parse_sha256;
use gover_dist::install::{Installer, Outcome};
use gover_dist::source::{Dist, Sources, DEFAULT_INDEX_TTL};
use gover_dist::{NoProgress, Platform, Progress};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{App, Verbosity};
use crate::cli::InstallArgs;
use crate::error::UserError;

/// Tuning knobs read from the environment, for tests and unusual setups;
/// they are not part of the documented interface.
mod knobs {
    /// Seconds a cached release index is used before revalidating (default 600).
    pub(super) const INDEX_TTL: &str = "GOVER_INDEX_TTL";
    /// Retries of a failed request (default 3).
    pub(super) const HTTP_RETRIES: &str = "GOVER_HTTP_RETRIES";
    /// First pause between retries in milliseconds, doubling (default 500).
    pub(super) const HTTP_BACKOFF_MS: &str = "GOVER_HTTP_BACKOFF_MS";
    /// Cap on the bytes an archive may unpack to (default 2 GiB).
    pub(super) const MAX_UNPACKED_BYTES: &str = "GOVER_MAX_UNPACKED_BYTES";
    /// Cap on the entries of an archive (default 100,000).
    pub(super) const MAX_ENTRIES: &str = "GOVER_MAX_ENTRIES";
    /// Threads creating files while unpacking (default: cores, at most 3; 0: none).
    pub(super) const UNPACK_WRITERS: &str = "GOVER_UNPACK_WRITERS";
}

fn knob(name: &str) -> Result<Option<u64>> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| UserError::new(format!("{name}={v} is not a whole number")).into()),
        _ => Ok(None),
    }
}

/// Turns a `gover-dist` error into one the CLI renders with its hint.
pub(crate) fn user_error(e: gover_dist::Error) -> anyhow::Error {
    let mut u = UserError::new(e.to_string());
    if let Some(h) = e.hint() {
        u = u.hint(h);
    }
    u.into()
}

/// The release index and mirror client for this invocation.
pub(crate) fn dist(app: &App) -> Result<Dist> {
    let s = &app.settings;
    let ttl = knob(knobs::INDEX_TTL)?.map_or(DEFAULT_INDEX_TTL, Duration::from_secs);
    let defaults = HttpConfig::default();
    let http = HttpConfig {
        timeout: s.http_timeout,
        retries: knob(knobs::HTTP_RETRIES)?.map_or(defaults.retries, |r| r as u32),
        backoff: knob(knobs::HTTP_BACKOFF_MS)?.map_or(defaults.backoff, Duration::from_millis),
    };
    Ok(Dist::new(
        app.home.clone(),
        Sources {
            index_url: s.index_url.clone(),
            mirror: s.mirror.clone(),
            offline: s.offline,
            index_ttl: ttl,
            http,
        },
    ))
}

/// An installer with the configured lock timeout and extraction caps.
pub(crate) fn installer<'a>(app: &App, dist: &'a Dist) -> Result<Installer<'a>> {
    let mut i = Installer::new(dist);
    i.lock_timeout = app.settings.lock_timeout;
    let d = Limits::default();
    i.limits = Limits {
        max_unpacked_bytes: knob(knobs::MAX_UNPACKED_BYTES)?.unwrap_or(d.max_unpacked_bytes),
        max_entries: knob(knobs::MAX_ENTRIES)?.unwrap_or(d.max_entries),
    };
    if let Some(w) = knob(knobs::UNPACK_WRITERS)? {
        i.pipeline.writers = w as usize;
    }
    Ok(i)
}

/// Shows a download: a bar (bytes, rate, ETA) on a terminal, plain lines
/// otherwise, nothing with `-q`.
pub(crate) struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Reporter {
    /// A reporter suited to `app`'s verbosity and stderr.
    pub(crate) fn new(app: &App) -> Self {
        let quiet = app.verbosity == Verbosity::Quiet;
        let bar = (!quiet && app.settings.progress && std::io::stderr().is_terminal()).then(|| {
            let pb = ProgressBar::hidden();
            pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            pb
        });
        Self { bar, quiet }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

impl Progress for Reporter {
    fn start(&self, what: &str, total: Option<u64>) {
        match &self.bar {
            Some(pb) => {
                // Style first: setting the length draws a frame.
                let template = if total.is_some() {
                    "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
                } else {
                    "{msg} {bytes} {binary_bytes_per_sec}"
                };
                if let Ok(s) = ProgressStyle::with_template(template) {
                    pb.set_style(s.progress_chars("=> "));
                }
                pb.set_message(what.to_string());
                if let Some(t) = total {
                    pb.set_length(t);
                }
                pb.enable_steady_tick(Duration::from_millis(200));
            }
            None if !self.quiet => match total {
                Some(t) => eprintln!("Downloading {what} ({})", mib(t)),
                None => eprintln!("Downloading {what}"),
            },
            None => {}
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(pb) = &self.bar {
            pb.inc(bytes);
        }
    }

    fn message(&self, msg: &str) {
        match &self.bar {
            Some(pb) => pb.println(msg),
            None if !self.quiet => eprintln!("{msg}"),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

/// The platform to install for: `--platform`, else this machine.
pub(crate) fn platform(arg: Option<&str>) -> Result<Platform> {
    match arg {
        Some(p) => Platform::parse(p).map_err(user_error),
        None => Ok(Platform::host()),
    }
}

fn report_outcome(app: &App, outcome: &Outcome, started: Instant) {
    let (Outcome::AlreadyInstalled { version, .. } | Outcome::Installed { version, .. }) = outcome;
    crate::shimlinks::after_install(app, version);
    match outcome {
        Outcome::AlreadyInstalled { version, path } => app.info(format!(
            "{} is already installed at {} (use --force to reinstall)",
            version.toolchain_name(),
            path.display()
        )),
        Outcome::Installed {
            version,
            path,
            unpacked,
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
        let r = crate::commands::current::resolve_here(app, false)?;
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
        if let Some(found) = app.home.find_installed(v) {
            return Ok(Outcome::AlreadyInstalled {
                path: app.home.toolchain_dir(&found),
                version: found,
            });
        }
    }
    if index.is_none() {
        let loaded = dist.index(&NoProgress).map_err(user_error)?;
        if let Some(w) = &loaded.warning {
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
