//! Installing toolchains: the release index, mirror client and installer
//! configured from the settings, and the one install procedure that
//! `gover install` runs and that `use`, `exec` and `env` run in the same
//! process when a toolchain is missing ([`InProcess`]), so a failure is
//! reported once, by the code that failed.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use gover_core::env;
use gover_core::select::{InstallHook, Missing};
use gover_core::settings::{Layers, NumberSpec, Origin, SettingError};
use gover_core::{GoVersion, VersionRequest};
use gover_dist::crosscheck::CrossCheck;
use gover_dist::extract::Limits;
use gover_dist::http::HttpConfig;
use gover_dist::index::parse_sha256;
use gover_dist::install::{Installer, Outcome};
use gover_dist::source::{Dist, Sources, DEFAULT_MAX_INDEX_BYTES};
use gover_dist::{NoProgress, Platform};

use crate::app::App;
use crate::error::{user_error, UserError};
use crate::progress::{mib, Reporter};
use crate::proxied::ProxySource;

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
    i.link_mode = s.link_mode.value;
    Ok(i)
}

/// The platform to install for: `--platform`, else this machine.
pub(crate) fn platform(arg: Option<&str>) -> Result<Platform> {
    match arg {
        Some(p) => Platform::parse(p).map_err(user_error),
        None => Ok(Platform::host()),
    }
}

/// How to install: reinstall, and whether the versions are go line
/// minimums.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct InstallMode {
    /// Reinstall even when installed.
    pub(crate) force: bool,
    /// Each exact version is the release a go.mod/go.work `go` line asks
    /// for: when the index lacks it, a newer patch of its line satisfies
    /// the go line too (installed with `go_line_newest_patch`, offered
    /// otherwise).
    pub(crate) go_line: bool,
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
    let mode = InstallMode {
        force,
        go_line: false,
    };
    install_with(app, requests, mode, platform)
}

/// Like [`install_requests`], with every option.
pub(crate) fn install_with(
    app: &App,
    requests: &[VersionRequest],
    mode: InstallMode,
    platform: &Platform,
) -> Result<()> {
    let _installing = crate::interrupt::installing(&app.home);
    let dist = Arc::new(dist(app)?);
    let mut installer = installer(app, &dist)?;
    let proxy = crate::proxied::proxy_source(app, &dist)?.map(RefCell::new);
    // A module zip is checked against the database before it is unpacked,
    // and recorded by the proxy install itself.
    let cross = cross_check(app, &dist, &mut installer, proxy.is_none());
    let mut index = None;
    let mut failed = 0;
    for req in requests {
        let started = Instant::now();
        let one = One {
            dist: &dist,
            installer: &installer,
            cross: &cross,
            platform,
            mode,
            proxy: proxy.as_ref(),
        };
        match one.install(app, req, &mut index) {
            Ok(outcome) => {
                if proxy.is_none() {
                    report_check(app, &cross, &outcome);
                }
                report_outcome(app, &outcome, started)
            }
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

/// One install's fixed parts.
struct One<'a> {
    dist: &'a Dist,
    installer: &'a Installer<'a>,
    cross: &'a Arc<CrossCheck>,
    platform: &'a Platform,
    mode: InstallMode,
    /// The module proxy, when toolchains come from it.
    proxy: Option<&'a RefCell<ProxySource<'a>>>,
}

impl One<'_> {
    fn install(
        &self,
        app: &App,
        req: &VersionRequest,
        index: &mut Option<gover_dist::Index>,
    ) -> Result<Outcome> {
        // An exact version already installed needs no index (works offline).
        if let (Some(v), false) = (req.exact(), self.mode.force) {
            if let Some((found, path)) = self.installer.find_installed(v, self.platform) {
                return Ok(Outcome::AlreadyInstalled {
                    path,
                    version: found,
                    foreign: (!self.platform.is_host()).then(|| self.platform.clone()),
                });
            }
        }
        if let Some(proxy) = self.proxy {
            let mut proxy = proxy.borrow_mut();
            let mut v = proxy.resolve(req, self.platform)?;
            proxy.warn_if_cached(app);
            if self.mode.go_line {
                if let Some(newer) = proxy.newer_patch_if_missing(&v, self.platform)? {
                    let listing = format!("the module proxy's list {}", proxy.listed()?.from);
                    go_line_fallback(app, &v, &newer, &listing, "this proxy")?;
                    v = newer;
                }
            }
            return proxy.install(app, self.installer, &v, self.platform, self.mode.force);
        }
        if index.is_none() {
            *index = Some(load_index(app, self.dist)?);
        }
        let index = index.as_ref().expect("loaded above");
        let release = resolve_in(app, index, req, self.mode.go_line)?;
        let file = index
            .archive_of(release, self.platform)
            .map_err(user_error)?;
        let version: GoVersion = release.version.clone();
        if self.mode.force
            || self
                .installer
                .find_installed(&version, self.platform)
                .is_none()
        {
            let url = self.dist.archive_url(&file.filename).map_err(user_error)?;
            self.cross
                .start(&version, self.platform, &url.to_string())
                .map_err(user_error)?;
        }
        let progress: Arc<Reporter> = Arc::new(Reporter::new(app));
        self.installer
            .install_release(&version, file, &index.url, self.mode.force, progress)
            .map_err(user_error)
    }
}

/// The release index, its warnings (a stale cache, skipped entries) shown.
fn load_index(app: &App, dist: &Dist) -> Result<gover_dist::Index> {
    let loaded = dist.index(&NoProgress).map_err(user_error)?;
    for w in &loaded.warnings {
        app.warn(w);
    }
    Ok(loaded.index)
}

/// The release `req` names in `index`. `oldstable` is answered here (the
/// index's own lookup knows `latest` and lines). With `go_line`, an exact
/// release the index lacks may be replaced by the newest patch of its line
/// (see [`InstallMode::go_line`]).
fn resolve_in<'i>(
    app: &App,
    index: &'i gover_dist::Index,
    req: &VersionRequest,
    go_line: bool,
) -> Result<&'i gover_dist::index::Release> {
    let req = match req {
        VersionRequest::Oldstable => oldstable_in(index)?,
        other => other.clone(),
    };
    let err = match index.resolve(&req) {
        Ok(r) => return Ok(r),
        Err(e) => e,
    };
    let (Some(v), true) = (req.exact(), go_line) else {
        return Err(user_error(err));
    };
    let newer = index
        .releases
        .iter()
        .filter(|r| r.stable && r.version.same_line(v) && r.version > *v)
        .max_by(|a, b| a.version.cmp(&b.version));
    let Some(newer) = newer else {
        return Err(user_error(err));
    };
    let listing = format!("the release index {}", index.url);
    go_line_fallback(app, v, &newer.version, &listing, "this mirror")?;
    Ok(newer)
}

/// The go line's release `v` is missing from `listing` (`the release
/// index URL`, `the module proxy's list URL`), which has `newer`, the
/// newest patch of its line: fine with `go_line_newest_patch` (said as
/// information), else an error offering that patch. `keeper` names who
/// keeps only some patches (`this mirror`).
fn go_line_fallback(
    app: &App,
    v: &GoVersion,
    newer: &GoVersion,
    listing: &str,
    keeper: &str,
) -> Result<()> {
    let setting = &app.settings.go_line_newest_patch;
    if setting.value {
        app.info(format!(
            "{} is not in {listing}; installing {}, the newest {} release there, which satisfies the go line ({} is on)",
            v.toolchain_name(),
            newer.toolchain_name(),
            v.lang(),
            setting.origin
        ));
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} is not in {listing}, which has {} of Go {}: {keeper} keeps only some patch releases",
        v.toolchain_name(),
        newer.toolchain_name(),
        v.lang()
    ))
    .hint(format!(
        "a go line is a minimum, so {} satisfies it: run `gover install {}` (gover then runs the newest installed {} release for this go line), or set `go_line_newest_patch = true` in config.toml ({}=1) to install it automatically",
        newer.toolchain_name(),
        v.lang(),
        v.lang(),
        gover_core::env::GOVER_GO_LINE_NEWEST_PATCH
    ))
    .into())
}

/// `oldstable` in `index`: the line right before the newest stable one.
fn oldstable_in(index: &gover_dist::Index) -> Result<VersionRequest> {
    let stable: Vec<&GoVersion> = index
        .releases
        .iter()
        .filter(|r| r.stable)
        .map(|r| &r.version)
        .collect();
    match VersionRequest::Oldstable.select(stable.iter().copied()) {
        Some(v) => Ok(VersionRequest::Exact(v.clone())),
        None => Err(UserError::new(format!(
            "the release index {} has no release of the minor line before its newest",
            index.url
        ))
        .hint("name a version: `gover install 1.22`")
        .into()),
    }
}

/// What `latest`, `stable` or `oldstable` means today, for `gover use` and
/// commands given one: the release index's answer when it can be read,
/// else the newest installed match, with a warning that says so. `None`
/// when neither knows one.
pub(crate) fn newest_available(app: &App, req: &VersionRequest) -> Result<Option<GoVersion>> {
    let index = "the release index";
    let (found, what) = match dist(app) {
        Ok(dist) => match crate::proxied::proxy_source(app, &dist)? {
            Some(mut proxy) => (
                proxy.resolve(req, &Platform::host()),
                "the module proxy's version list",
            ),
            None => match load_index(app, &dist) {
                Ok(i) => return Ok(Some(resolve_in(app, &i, req, false)?.version.clone())),
                Err(e) => (Err(e), index),
            },
        },
        Err(e) => (Err(e), index),
    };
    let err = match found {
        Ok(v) => return Ok(Some(v)),
        Err(e) => e,
    };
    let installed = gover_core::select::installed_match(&app.home, req);
    let why = err.to_string();
    match &installed {
        Some(v) => app.warn(format!(
            "{what} cannot be read ({why}); `{req}` is taken among the installed toolchains: {}",
            v.toolchain_name()
        )),
        None => return Err(err),
    }
    Ok(installed)
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
    let _installing = crate::interrupt::installing(&app.home);
    let dist = Arc::new(dist(app)?);
    let mut installer = installer(app, &dist)?;
    let cross = cross_check(app, &dist, &mut installer, true);
    cross.start_local(file, platform, sha.is_none());
    let started = Instant::now();
    let index = || dist.index(&NoProgress).map(|l| l.index);
    let progress = Arc::new(Reporter::local(app));
    let outcome = installer
        .install_archive(file, sha, &index, platform, force, progress)
        .map_err(|e| local_archive_error(e, file, sha.is_some()))?;
    report_check(app, &cross, &outcome);
    report_outcome(app, &outcome, started);
    Ok(())
}

/// An error installing a local archive: with `--sha256`, a checksum
/// mismatch is about the file or the digest given (no mirror was
/// involved), whatever the generic hint says.
fn local_archive_error(e: gover_dist::Error, file: &Path, sha256_given: bool) -> anyhow::Error {
    if !sha256_given || e.kind() != gover_dist::ErrorKind::ChecksumMismatch {
        return user_error(e);
    }
    UserError::new(e.to_string())
        .hint(format!(
            "the archive or the --sha256 value is wrong: compare `sha256sum {}` with the sha256 published for the archive; nothing was installed",
            crate::quote::sh_quote(&file.display().to_string())
        ))
        .into()
}

/// The checksum database cross-check of every archive `installer`
/// installs (see [`gover_dist::crosscheck`]).
fn cross_check(
    app: &App,
    dist: &Arc<Dist>,
    installer: &mut Installer<'_>,
    attach: bool,
) -> Arc<CrossCheck> {
    let cross = CrossCheck::new(dist.clone(), crate::trusting::trust_settings(app));
    if attach {
        installer.pre_commit = Some(cross.hook());
    }
    cross
}

/// Records how an installed toolchain was verified, and warns when the
/// checksum database could not vouch for it.
fn report_check(app: &App, cross: &CrossCheck, outcome: &Outcome) {
    use gover_dist::trust::Verdict;
    match cross.record(outcome) {
        Ok(Some(c)) => match &c.verdict {
            Verdict::Verified(a) => app.debug(format!(
                "{} matches the checksum database {} ({}, record {} in its tree of {})",
                c.version.toolchain_name(),
                a.database,
                a.h1,
                a.record_id,
                a.tree_size
            )),
            Verdict::Unchecked { why, warn, .. } => {
                let msg = format!(
                    "{} was not checked against the checksum database: {why}",
                    c.version.toolchain_name()
                );
                if *warn {
                    app.warn(msg);
                } else {
                    app.debug(msg);
                }
            }
        },
        Ok(None) => {}
        Err(e) => app.warn(format!("{e}; `gover verify --record` records it")),
    }
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
        // The shim asked because it was missing: another process installed
        // it meanwhile, and the go command just runs.
        Outcome::AlreadyInstalled { version, .. } if crate::output::for_shim() => {
            app.info(format!("{} is ready", version.toolchain_name()))
        }
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
        let mode = InstallMode {
            force: false,
            go_line: m.go_line,
        };
        install_with(
            self.0,
            std::slice::from_ref(m.request),
            mode,
            &Platform::host(),
        )
    }
}
