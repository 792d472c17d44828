//! Checking toolchains against Go's checksum database, configured from the
//! settings: the `verify` setting, and GOPROXY/GOSUMDB as Go reads them
//! (the environment, Go's env file, `go.env` of the newest installed
//! toolchain); shared by `gover verify` and the installs.

use gover_dist::goproxy::{choose_source, go_module_env, Chosen};
use gover_dist::source::Dist;
use gover_dist::trust::{Checker, TrustSettings};

use crate::app::App;

/// The `verify` setting and Go's module settings; warns about a Go env
/// file that cannot be read.
pub(crate) fn trust_settings(app: &App) -> TrustSettings {
    let newest = app.home.installed().ok().and_then(|v| v.into_iter().next());
    let goroot = newest.map(|v| app.home.toolchain_dir(&v));
    let go = go_module_env(&|k| std::env::var_os(k), goroot.as_deref());
    for w in &go.warnings {
        app.warn(w);
    }
    TrustSettings {
        verify: app.settings.verify.clone(),
        go,
    }
}

/// A checker over `dist` with the settings of [`trust_settings`].
pub(crate) fn checker<'a>(app: &App, dist: &'a Dist) -> Checker<'a> {
    Checker::new(dist, trust_settings(app))
}

/// Where installs take toolchains from (`source`, GOPROXY for `auto`), and
/// why.
pub(crate) fn install_source(app: &App, trust: &TrustSettings) -> (Chosen, String) {
    choose_source(&app.settings.source, &trust.go.settings.goproxy)
}
