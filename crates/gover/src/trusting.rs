//! Checking toolchains against Go's checksum database, configured from the
//! settings: the `verify` setting, and GOPROXY/GOSUMDB as Go reads them
//! (the environment, Go's env file, `go.env` of the newest installed
//! toolchain); shared by `gover verify` and the installs. Also how an
//! installed toolchain was verified, as `gover list` and `gover current`
//! show it.

use std::path::Path;

use gover_core::GoVersion;
use gover_dist::goproxy::{choose_source, go_module_env, Chosen};
use gover_dist::source::Dist;
use gover_dist::trust::{Checker, TrustSettings};
use gover_dist::verified::{self, How, Recorded};
use gover_dist::Platform;
use serde_json::{json, Value};

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

/// What the verification record of an installed toolchain says (see
/// [`gover_dist::verified`]).
pub(crate) type Verification = Result<Recorded, gover_dist::Error>;

/// The verification record of the toolchain `version` for `platform`
/// installed at `goroot`.
pub(crate) fn verification(
    app: &App,
    version: &GoVersion,
    platform: &Platform,
    goroot: &Path,
) -> Verification {
    verified::read(&app.home, &version.toolchain_name(), platform, goroot)
}

/// A few words for `gover list`: `verified by sum.golang.org`,
/// `index sha256 only`, `not verified`, `no verification record`.
pub(crate) fn verification_tag(v: &Verification) -> String {
    match v {
        Ok(Recorded::Current(rec)) => match (&rec.database, rec.how()) {
            (Some(d), _) => format!("verified by {}", d.name),
            (None, How::ArchiveOnly) => "index sha256 only".into(),
            _ => "not verified".into(),
        },
        Ok(Recorded::Stale(_) | Recorded::None) => "no verification record".into(),
        Err(_) => "damaged verification record".into(),
    }
}

/// One line for `gover current -v`.
pub(crate) fn verification_summary(v: &Verification) -> String {
    match v {
        Ok(Recorded::Current(rec)) => rec.summary(),
        Ok(Recorded::Stale(_)) => "no verification record of this install (the record is of an earlier install of this version); `gover verify --record` checks and records it".into(),
        Ok(Recorded::None) => "no verification record (installed before gover kept them); `gover verify --record` checks and records it".into(),
        Err(e) => e.to_string(),
    }
}

/// The `verification` object of `gover list --json` and `gover current
/// --json`: `{"how","summary","h1","database","source","verified_at"}`,
/// `how` one of `database`, `archive-only`, `unverified`, `unrecorded`,
/// `damaged`.
pub(crate) fn verification_json(v: &Verification) -> Value {
    let rec = match v {
        Ok(Recorded::Current(rec)) => rec,
        Ok(_) => return json!({ "how": "unrecorded", "summary": verification_summary(v) }),
        Err(e) => return json!({ "how": "damaged", "summary": e.to_string() }),
    };
    json!({
        "how": rec.how().as_str(),
        "summary": rec.summary(),
        "h1": rec.h1,
        "database": rec.database,
        "not_checked": rec.not_checked,
        "source": rec.source,
        "verified_at": rec.verified_at,
    })
}
