//! Installing toolchains: the release index, mirror client and installer
//! configured from the settings, and the one install procedure that
//! `gover install` runs and that `use`, `exec` and `env` run in the same
//! process when a toolchain is missing ([`InProcess`]), so a failure is
//! reported once, by the code that failed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use gover_core::env;
use gover_core::select::{InstallHook, Missing};
use gover_core::settings::{Layers, NumberSpec, Origin, SettingError};
use gover_core::{GoVersion, VersionRequest};
use gover_dist::extract::Limits;
use gover_dist::http::HttpConfig;
use gover_dist::index::parse_sha256;
use gover_dist::install::{Installer, Outcome};
use gover_dist::source::{Dist, Sources, DEFAULT_MAX_INDEX_BYTES};
use gover_dist::{NoProgress, Platform};

use crate::app::App;
use crate::error::{user_error, UserError};
use crate::progress::{mib, Reporter};

/// Tuning knob: the average speed a whole download must keep up, 1 byte to
/// 1 GiB per second.
const DOWNLOAD_MIN_RATE: NumberSpec = NumberSpec {
    env: env::GOVER_DOWNLOAD_MIN_RATE,
    key: None,
    default: Some(16 << 10),
    min: 1,
    max: 1 << 30,
    unit: "bytes per second",
};
/// Tuning knob: the minimum speed of a download, 0 (never stopped) to
/// 1 GiB per second.
const DOWNLOAD_LOW_SPEED_LIMIT: NumberSpec = NumberSpec {
    env: env::GOVER_DOWNLOAD_LOW_SPEED_LIMIT,
    key: None,
    default: Some(1 << 10),
    min: 0,
    max: 1 << 30,
    unit: "bytes per second",
};
/// Tuning knob: how long a download's speed is measured, 1 s to an hour.
const DOWNLOAD_LOW_SPEED_TIME: NumberSpec = NumberSpec {
    env: env::GOVER_DOWNLOAD_LOW_SPEED_TIME,
    key: None,
    default: Some(30),
    min: 1,
    max: 3600,
    unit: "seconds",
};
/// Tuning knob: the most bytes a release index may have, 1 byte to 1 GiB.
const MAX_INDEX_BYTES: NumberSpec = NumberSpec {
    env: env::GOVER_MAX_INDEX_BYTES,
    key: None,
    default: Some(DEFAULT_MAX_INDEX_BYTES),
    min: 1,
    max: 1 << 30,
    unit: "bytes",
};

/// A knob resolved like every setting (range-checked, with its origin).
fn knob(layers: &Layers<'_>, spec: &NumberSpec) -> Result<u64> {
    let s = layers.number(spec).map_err(|e| setting_error(&e))?;
    Ok(s.value.expect("the spec has a default"))
}

fn setting_error(e: &SettingError) -> anyhow::Error {
    UserError::new(e.to_string()).hint(e.hint()).into()
}

/// The release index and mirror client for this invocation.
pub(crate) fn dist(app: &App) -> Result<Dist> {
    let s = &app.settings;
    let layers = Layers::from_process(&app.home).map_err(|e| UserError::new(e.to_string()))?;
    let http = HttpConfig {
        timeout: s.http_timeout.value,
        retries: s.http_retries.value,
        backoff: s.http_backoff.value,
        min_rate: knob(&layers, &DOWNLOAD_MIN_RATE)?,
        low_speed_limit: knob(&layers, &DOWNLOAD_LOW_SPEED_LIMIT)?,
        low_speed_time: Duration::from_secs(knob(&layers, &DOWNLOAD_LOW_SPEED_TIME)?),
        allow_insecure_redirects: layers
            .boolean(env::GOVER_ALLOW_INSECURE_REDIRECTS, None, false)
            .map_err(|e| setting_error(&e))?
            .value,
    };
    Ok(Dist::new(
        app.home.clone(),
        Sources {
            index_url: s.index_url.value.clone(),
            mirror: s.mirror.value.clone(),
            offline: s.offline.value,
            index_ttl: s.index_ttl.value,
            max_index_bytes: knob(&layers, &MAX_INDEX_BYTES)?,
            http,
        },
    ))
}

/// An installer with the configured lock timeout and extraction caps.
pub(crate) fn installer<'a>(app: &App, dist: &'a Dist) -> Result<Installer<'a>> {
    let s = &app.settings;
    let mut i = Installer::new(dist);
    i.lock_timeout = s.lock_timeout.value;
    i.limits = Limits {
        max_unpacked_bytes: s.max_unpacked_bytes.value,
        max_entries: s.max_entries.value,
    };
    if let Some(w) = s.unpack_writers.value {
        i.pipeline.writers = w;
    }
    i.link_mode = link_mode(app)?;
    Ok(i)
}

/// How toolchain files are linked from the store (`GOVER_LINK_MODE`,
/// `link_mode`).
pub(crate) fn link_mode(app: &App) -> Result<gover_core::settings::LinkMode> {
    let layers = Layers::from_process(&app.home).map_err(|e| UserError::new(e.to_string()))?;
    Ok(layers.link_mode().map_err(|e| setting_error(&e))?.value)
}

/// The platform to install for: `--platform`, else this machine.
pub(crate) fn platform(arg: Option<&str>) -> Result<Platform> {
    match arg {
        Some(p) => Platform::parse(p).map_err(user_error),
        None => Ok(Platform::host()),
    }
}

/// Installs each of `requests` for `platform`, reporting each outcome. With
/// several, a failure is reported and the others still run; the result
/// then says how many failed.
pub(crate) fn install_requests(
    app: &App,
    requests: &[VersionRequest],
    force: bool,
    platform: &Platform,
) -> Result<()> {
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let mut index = None;
    let mut failed = 0;
    for req in requests {
        let started = Instant::now();
        match install_one(app, &dist, &installer, req, force, platform, &mut index) {
            Ok(outcome) => report_outcome(app, &outcome, started),
            Err(e) if requests.len() > 1 => {
                crate::error::report(&e);
                failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    crate::remembered::after_install(app, requests);
    if failed > 0 {
        return Err(
            UserError::new(format!("{failed} of {} installs failed", requests.len())).into(),
        );
    }
    Ok(())
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

/// Installs the local archive `file` (`--from`), checked against `sha256`
/// or the index.
pub(crate) fn install_file(
    app: &App,
    file: &Path,
    sha256: Option<&str>,
    force: bool,
    platform: &Platform,
) -> Result<()> {
    let sha = match sha256 {
        Some(h) => Some(parse_sha256(h).ok_or_else(|| {
            UserError::new(format!(
                "--sha256 `{}` is not a sha256: expected 64 hexadecimal digits",
                gover_core::text::shorten(h, 80)
            ))
        })?),
        None => None,
    };
    let dist = dist(app)?;
    let installer = installer(app, &dist)?;
    let started = Instant::now();
    let index = || dist.index(&NoProgress).map(|l| l.index);
    let progress = Arc::new(Reporter::new(app));
    let outcome = installer
        .install_archive(file, sha, &index, platform, force, progress)
        .map_err(user_error)?;
    report_outcome(app, &outcome, started);
    Ok(())
}

fn report_outcome(app: &App, outcome: &Outcome, started: Instant) {
    let (Outcome::AlreadyInstalled {
        version, foreign, ..
    }
    | Outcome::Installed {
        version, foreign, ..
    }) = outcome;
    // A toolchain for another platform gets no shim: nothing runs it here.
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

/// Installs a missing toolchain for `gover_core::select` in this process,
/// with the code `gover install` runs: its error is the only one shown.
pub(crate) struct InProcess<'a>(pub(crate) &'a App);

impl InstallHook for InProcess<'_> {
    type Error = anyhow::Error;

    fn turned_off(&mut self) -> Result<Option<Origin>> {
        let s = &self.0.settings.auto_install;
        Ok((!s.value).then(|| s.origin.clone()))
    }

    fn install(&mut self, m: &Missing<'_>) -> Result<()> {
        self.0.info(format!(
            "{} is not installed ({}); installing it",
            m.name, m.reason
        ));
        install_requests(
            self.0,
            std::slice::from_ref(m.request),
            false,
            &Platform::host(),
        )
    }
}
