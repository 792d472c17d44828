//! Installing through the GOPROXY list (`source = "proxy"`, or `"auto"`
//! with GOPROXY set to something other than Go's default): version
//! requests (`1.22`, `latest`, `1.22rc1`) resolved from the proxy's
//! `golang.org/toolchain/@v/list`, toolchains installed from the module
//! zip, verified against the checksum database before anything is
//! unpacked (`gover_dist::install::Installer::install_module`).

use std::sync::Arc;

use anyhow::Result;
use gover_core::{GoVersion, VersionRequest};
use gover_dist::goproxy::Chosen;
use gover_dist::goproxy::{Listed, ProxyClient};
use gover_dist::install::{Installer, Outcome};
use gover_dist::source::Dist;
use gover_dist::trust::{module_for, Checker, TrustSettings, Verdict};
use gover_dist::{NoProgress, Platform};

use crate::app::App;
use crate::error::{user_error, UserError};
use crate::progress::Reporter;
use crate::trusting::{install_source, trust_settings};

/// The module proxy source when installs take toolchains from it (see
/// [`gover_dist::goproxy::choose_source`]), `None` for the release index.
pub(crate) fn proxy_source<'a>(app: &App, dist: &'a Dist) -> Result<Option<ProxySource<'a>>> {
    let trust = trust_settings(app);
    let (chosen, why) = install_source(app, &trust);
    if chosen == Chosen::Dl {
        return Ok(None);
    }
    app.debug(format!("toolchains come from the module proxy: {why}"));
    ProxySource::new(dist, trust, &why).map(Some)
}

/// The module proxy source of one invocation: the GOPROXY list, the
/// checksum database and, once read, the proxy's version list.
pub(crate) struct ProxySource<'a> {
    client: ProxyClient<'a>,
    checker: Checker<'a>,
    listed: Option<Listed>,
    /// Whether [`Self::warn_if_cached`] has spoken.
    warned: bool,
}

impl<'a> ProxySource<'a> {
    /// The source over `dist`, with GOPROXY and GOSUMDB as Go reads them.
    /// GOPROXY=off (every entry `off`) is refused here, naming where it was
    /// set: nothing could be downloaded.
    fn new(dist: &'a Dist, trust: TrustSettings, why: &str) -> Result<Self> {
        let goproxy = trust.go.settings.goproxy.clone();
        let client = ProxyClient::new(dist, &goproxy).map_err(user_error)?;
        if client.is_off() {
            return Err(UserError::new(format!(
                "cannot install toolchains from the module proxy ({why}): {} disables module downloads",
                client.shown()
            ))
            .hint(format!(
                "set GOPROXY to a module proxy (`GOPROXY=https://proxy.golang.org`), or install from the release index with {}=dl",
                gover_core::env::GOVER_SOURCE
            ))
            .into());
        }
        Ok(Self {
            client,
            checker: Checker::new(dist, trust),
            listed: None,
            warned: false,
        })
    }

    /// Says, once, when the version list read is the cached copy (the
    /// proxies could not be asked or did not answer), and why.
    pub(crate) fn warn_if_cached(&mut self, app: &App) {
        let Some(listed) = &self.listed else {
            return;
        };
        if let (Some(why), false) = (&listed.cached_because, self.warned) {
            app.warn(format!(
                "the module proxy's version list cannot be read ({why}); using the copy cached at {}",
                listed.from
            ));
            self.warned = true;
        }
    }

    /// The proxy's version list (read once).
    pub(crate) fn listed(&mut self) -> Result<&Listed> {
        if self.listed.is_none() {
            let listed = self.client.versions(&NoProgress).map_err(user_error)?;
            self.listed = Some(listed);
        }
        Ok(self.listed.as_ref().expect("read above"))
    }

    /// The releases the proxy lists for `platform`, newest first.
    pub(crate) fn versions(&mut self, platform: &Platform) -> Result<Vec<GoVersion>> {
        let mut out: Vec<GoVersion> = self
            .listed()?
            .modules
            .iter()
            .filter_map(|m| {
                let v = GoVersion::parse(m.toolchain().strip_prefix("go")?)?;
                let same = v.toolchain_name() == m.toolchain()
                    && module_for(&v, platform).is_ok_and(|own| own == *m);
                same.then_some(v)
            })
            .collect();
        out.sort_by(|a, b| b.cmp(a));
        out.dedup();
        Ok(out)
    }

    /// The newest stable patch of `v`'s line in the proxy's list for
    /// `platform` when the proxy lacks `v` itself and lists a newer one
    /// (what a go line asking for `v` accepts instead); `None` otherwise.
    /// A list may leave out versions the proxy serves (a proxy listing only
    /// what it has cached), so a `v` the list lacks is looked up (its
    /// `.info`) before it counts as missing.
    pub(crate) fn newer_patch_if_missing(
        &mut self,
        v: &GoVersion,
        platform: &Platform,
    ) -> Result<Option<GoVersion>> {
        let versions = self.versions(platform)?;
        if versions.contains(v) {
            return Ok(None);
        }
        let newer = versions
            .into_iter()
            .filter(|n| !n.is_prerelease() && !n.is_lang() && n.same_line(v) && n > v)
            .max();
        if newer.is_none() {
            return Ok(None);
        }
        let served =
            module_for(v, platform).is_ok_and(|m| self.client.info(&m, &NoProgress).is_ok());
        Ok(newer.filter(|_| !served))
    }

    /// The release `req` names: an exact version as given (the proxy then
    /// says whether it has it), anything else the newest match in the
    /// proxy's list.
    pub(crate) fn resolve(
        &mut self,
        req: &VersionRequest,
        platform: &Platform,
    ) -> Result<GoVersion> {
        if let Some(v) = req.exact() {
            return Ok(v.clone());
        }
        let versions = self.versions(platform)?;
        if let Some(v) = req.select(versions.iter()) {
            return Ok(v.clone());
        }
        let from = self.listed()?.from.clone();
        Err(UserError::new(format!(
            "no release in the module proxy's list {from} matches {} for {platform} ({} toolchains listed for it)",
            req.describe(),
            versions.len()
        ))
        .hint("`gover list --remote` shows what the proxy offers; name one of those, or install from the release index with GOVER_SOURCE=dl")
        .into())
    }

    /// Installs `version` for `platform` from the proxy, reporting how it
    /// was verified.
    pub(crate) fn install(
        &self,
        app: &App,
        installer: &Installer<'_>,
        version: &GoVersion,
        platform: &Platform,
        force: bool,
    ) -> Result<Outcome> {
        let progress: Arc<Reporter> = Arc::new(Reporter::new(app));
        let done = installer
            .install_module(
                version,
                platform,
                &self.client,
                &self.checker,
                force,
                progress,
            )
            .map_err(user_error)?;
        match (&done.verdict, &done.from) {
            (Some(Verdict::Verified(a)), Some(from)) => app.debug(format!(
                "verified {from}: its files hash to {}, the record of the checksum database {} (record {}, tree of {})",
                a.h1, a.database, a.record_id, a.tree_size
            )),
            (Some(Verdict::Unchecked { h1, why, .. }), Some(from)) => app.warn(format!(
                "{} from {from} was not verified against the checksum database ({why}); its files hash to {h1}",
                version.toolchain_name()
            )),
            _ => {}
        }
        if let Some(e) = &done.record_error {
            app.warn(format!(
                "could not record how {} was verified: {e}; `gover verify --record` records it later",
                version.toolchain_name()
            ));
        }
        Ok(done.outcome)
    }
}
