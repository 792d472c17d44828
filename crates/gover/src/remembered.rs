//! Remembered pins (`gover_core::records`) as the commands use them:
//! recording what a command resolved, and reading back which projects use
//! which toolchain (each remembered pin file resolved again, from its own
//! directory, as the shim would there; nothing else on disk is looked at).

use std::path::{Path, PathBuf};

use gover_core::records;
use gover_core::resolve::{read_version_file, ResolveContext};
use gover_core::{GoVersion, PinSource, Resolution, VersionRequest};

use crate::app::App;

/// True for a pin a project made (a pin file or a go.mod/go.work line),
/// not the global default, the environment or the command line.
fn is_project_pin(source: &PinSource) -> bool {
    !matches!(
        source,
        PinSource::Env | PinSource::CommandLine | PinSource::Global(_)
    )
}

/// Remembers the pin file behind `r`, if a project's. Failures only show
/// with `-v`: remembering is never worth failing a command for.
pub(crate) fn remember(app: &App, r: &Resolution) {
    let Some(file) = r.source.path().filter(|_| is_project_pin(&r.source)) else {
        return;
    };
    let version = r.version.as_ref().map(GoVersion::toolchain_name);
    let request = r.request.to_string();
    if let Err(e) = records::remember(&app.home, file, &request, version.as_deref()) {
        app.debug(format!(
            "could not remember the pin in {}: {e}",
            file.display()
        ));
    }
}

/// After installing `installed`: remembers the pin of the current
/// directory when it is what was installed (the shim's automatic installs
/// run `gover install VERSION` in the project).
pub(crate) fn after_install(app: &App, installed: &[VersionRequest]) {
    let Ok(ctx) = crate::selecting::context_here(app, false) else {
        return;
    };
    let Ok(r) = gover_core::resolve(&ctx) else {
        return;
    };
    let pinned = installed
        .iter()
        .any(|req| *req == r.request || r.version.as_ref().is_some_and(|v| req.matches(v)));
    if pinned {
        remember(app, &r);
    }
}

/// A remembered project and what it resolves to now.
pub(crate) struct Project {
    /// Its pin file.
    pub(crate) file: PathBuf,
    /// Its pin, resolved again from the pin file's directory.
    pub(crate) resolution: Resolution,
}

/// The resolution of the pins in `dir`, as the shim would see them there
/// with no `GOVER_GO_VERSION`.
pub(crate) fn resolve_in(app: &App, dir: &Path) -> Option<Resolution> {
    let mut ctx = ResolveContext::from_process(app.home.clone(), dir.to_path_buf());
    ctx.go_version_env = None;
    ctx.want_project = true;
    gover_core::resolve(&ctx).ok()
}

/// Every remembered project whose pin file still governs its directory,
/// and the remembered files that no longer do (gone, or overridden).
pub(crate) fn projects(app: &App) -> (Vec<Project>, Vec<PathBuf>) {
    let mut live = Vec::new();
    let mut stale = Vec::new();
    for rec in records::read(&app.home) {
        let still = rec
            .file
            .parent()
            .and_then(|dir| resolve_in(app, dir))
            .filter(|r| r.source.path() == Some(rec.file.as_path()));
        match still {
            Some(resolution) => live.push(Project {
                file: rec.file,
                resolution,
            }),
            None => stale.push(rec.file),
        }
    }
    live.sort_by(|a, b| a.file.cmp(&b.file));
    (live, stale)
}

/// The global default and the installed release it resolves to, if set.
pub(crate) fn global(app: &App) -> Option<(VersionRequest, Option<GoVersion>)> {
    let req = read_version_file(&app.home.version_file()).ok()??;
    let v = gover_core::select::installed_match(&app.home, &req);
    Some((req, v))
}

/// The releases a pin can move to: the release index, or the module
/// proxy's version list for this platform when installs take toolchains
/// from the proxy (`source`), so `outdated` and `upgrade` name only what
/// `install` can fetch.
pub(crate) enum Available {
    /// The release index.
    Index(gover_dist::Index),
    /// The proxy's releases for this platform.
    Proxy(Vec<GoVersion>),
}

impl Available {
    /// Reads what installs would use (warnings about the index shown).
    pub(crate) fn load(app: &App, dist: &gover_dist::source::Dist) -> anyhow::Result<Self> {
        if let Some(mut proxy) = crate::proxied::proxy_source(app, dist)? {
            let versions = proxy.versions(&gover_dist::Platform::host())?;
            proxy.warn_if_cached(app);
            return Ok(Self::Proxy(versions));
        }
        let loaded = dist
            .index(&gover_dist::NoProgress)
            .map_err(crate::error::user_error)?;
        for w in &loaded.warnings {
            app.warn(w);
        }
        Ok(Self::Index(loaded.index))
    }

    /// The newest stable release of the line `request` follows: of an
    /// exact version's minor line, of a line, or overall for `latest`.
    pub(crate) fn newest_of_line(&self, request: &VersionRequest) -> Option<GoVersion> {
        let line = match request {
            VersionRequest::Exact(v) => VersionRequest::parse(&v.lang()).ok()?,
            VersionRequest::System => return None,
            other => other.clone(),
        };
        match self {
            Self::Index(index) => index.resolve(&line).ok().map(|r| r.version.clone()),
            Self::Proxy(versions) => line.select(versions).cloned(),
        }
    }
}

/// A pin to check or upgrade: the global default or a remembered project.
pub(crate) struct Pinned {
    /// What to call it: the pin file.
    pub(crate) file: PathBuf,
    /// `global` or the pin source's kind (`go-version`, ...).
    pub(crate) kind: &'static str,
    /// The pin.
    pub(crate) request: VersionRequest,
    /// The installed release it resolves to.
    pub(crate) version: Option<GoVersion>,
}

/// The global default (when set) and every remembered project's pin.
pub(crate) fn pins(app: &App) -> Vec<Pinned> {
    let mut out = Vec::new();
    if let Some((request, version)) = global(app) {
        out.push(Pinned {
            file: app.home.version_file(),
            kind: "global",
            request,
            version,
        });
    }
    for p in projects(app).0 {
        let r = p.resolution;
        out.push(Pinned {
            file: p.file,
            kind: r.source.kind(),
            version: r.version.filter(|_| r.installed),
            request: r.request,
        });
    }
    out
}
