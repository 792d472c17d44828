//! The choice itself: a port of Go's `toolchain.Select` with gover's local
//! toolchain (see the module docs of [`super`]).

use std::cell::OnceCell;

use super::{PinSource, Resolution, ResolveContext, ResolveError};
use crate::env;
use crate::goenv::GoValue;
use crate::pinfile::{ProjectFile, ToolchainLine};
use crate::request::{custom_toolchain, VersionRequest};
use crate::text::untrusted_path;
use crate::version::GoVersion;

/// One resolution in progress: the rules checked and what was ignored.
pub(crate) struct Resolver<'a> {
    pub(super) ctx: &'a ResolveContext,
    pub(super) trace: Vec<String>,
    pub(super) warnings: Vec<String>,
    notes: Vec<String>,
    installed: OnceCell<Vec<GoVersion>>,
    path_only: bool,
}

/// A pin and where it came from.
type Pin = (VersionRequest, PinSource);

/// The user's `GOTOOLCHAIN`, parsed as Go's `Select` parses it.
struct UserToolchain {
    value: GoValue,
    /// The minimum it names (`go1.22.10` of `go1.22.10+auto`); `None` for
    /// `local`, `auto` and `path`, whose minimum is the local toolchain.
    min: Option<(String, GoVersion)>,
    /// `auto`, `path`, `+auto`, `+path`: the go.mod/go.work may raise the
    /// minimum.
    switching: bool,
}

impl UserToolchain {
    /// Parses `GOTOOLCHAIN` like `Select`: `auto` and `path`; else
    /// `<min>[+auto|+path]` where `<min>` is `local` or a toolchain name
    /// Go's `FromToolchain` accepts. An empty value (which only Go's env
    /// file can give) makes Go skip switching: `local`.
    fn parse(value: &GoValue) -> Result<Self, ResolveError> {
        let invalid = |reason| ResolveError::GoToolchain {
            value: value.clone(),
            reason,
        };
        let s = value.as_str().ok_or_else(|| invalid("it is not UTF-8"))?;
        let (min, switching) = match s {
            "" | "local" => (None, false),
            "auto" | "path" => (None, true),
            _ => {
                let (min, suffix) = match s.split_once('+') {
                    Some((m, sfx)) => (m, Some(sfx)),
                    None => (s, None),
                };
                let min = match min {
                    "local" => None,
                    name => match GoVersion::from_toolchain_strict(name) {
                        Some(v) => Some((name.to_string(), v)),
                        None if suffix.is_some() => {
                            return Err(invalid("invalid minimum toolchain before the `+`"))
                        }
                        None => {
                            return Err(invalid("not `local`, `auto`, `path` or a toolchain name"))
                        }
                    },
                };
                match suffix {
                    None => (min, false),
                    Some("auto" | "path") => (min, true),
                    Some(_) => return Err(invalid("only version suffixes are +auto and +path")),
                }
            }
        };
        Ok(Self {
            value: value.clone(),
            min,
            switching,
        })
    }
}

/// What Go ends up running, before it is turned into a request.
enum Pick {
    /// The local toolchain.
    Local,
    /// The minimum `GOTOOLCHAIN` names.
    Min(String),
    /// The toolchain line.
    ToolchainLine(String),
    /// The first release of the go line (or a newer installed patch).
    GoLine(GoVersion),
}

impl<'a> Resolver<'a> {
    pub(super) fn new(ctx: &'a ResolveContext) -> Self {
        Self {
            ctx,
            trace: Vec::new(),
            warnings: ctx.go.warnings.clone(),
            notes: Vec::new(),
            installed: OnceCell::new(),
            path_only: false,
        }
    }

    /// Records a rule checked, with [`ResolveContext::trace`].
    pub(super) fn note(&mut self, line: impl FnOnce() -> String) {
        if self.ctx.trace {
            self.trace.push(line());
        }
    }

    /// Every installed toolchain, listed at most once.
    fn installed(&self) -> &[GoVersion] {
        self.installed
            .get_or_init(|| self.ctx.home.installed().unwrap_or_default())
    }

    /// The whole choice (see the module docs of [`super`]).
    pub(super) fn resolve(mut self) -> Result<Resolution, ResolveError> {
        let go = &self.ctx.go;
        for (name, v) in [
            (env::GO111MODULE, &go.go111module),
            (env::GOTOOLCHAIN, &go.gotoolchain),
            (env::GOWORK, &go.gowork),
        ] {
            self.note(|| match v {
                Some(v) => v.describe(name),
                None => format!("{name}: not set (nor in Go's env file)"),
            });
        }
        if let Some(why) = self.gopath_mode()? {
            self.notes.push(why);
            let local = self.local_toolchain()?;
            let (project, error) = self.project_for_warnings();
            return self.finish_local(local, project, error);
        }
        let user = match self.ctx.go.gotoolchain.as_ref() {
            Some(v) => Some(UserToolchain::parse(v)?),
            None => None,
        };
        self.path_only = user.as_ref().is_some_and(|u| {
            u.value
                .as_str()
                .is_some_and(|v| v == "path" || v.ends_with("+path"))
        });
        if let Some(UserToolchain {
            min: Some((name, _)),
            switching: false,
            value,
        }) = &user
        {
            return self.exact(name, value);
        }
        // A named minimum (`go1.21.13+auto`) replaces the local toolchain:
        // no pin is read, as none matters.
        let named = user.as_ref().is_some_and(|u| u.min.is_some());
        let local = if named { None } else { self.local_toolchain()? };
        let explicit = local.as_ref().is_some_and(|(_, s)| s.is_explicit());
        let switching = user.as_ref().map_or(!explicit, |u| u.switching);
        if let Some(u) = &user {
            if u.min.is_none() {
                self.notes.push(u.value.describe(env::GOTOOLCHAIN));
            }
        }
        if !switching {
            if local.is_some() {
                let (project, error) = self.project_for_warnings();
                return self.finish_local(local, project, error);
            }
            self.notes.push(
                "nothing is pinned and there is no global default, so the go.mod/go.work decides"
                    .to_string(),
            );
        }
        let gowork = self.gowork()?;
        let project = match self.find_project(&gowork) {
            Some((p, kind)) => self.read_project(&p, kind, true)?.0,
            None => None,
        };
        let min = user.and_then(|u| u.min.map(|(name, _)| (name, u.value)));
        self.raise(local, min, project)
    }

    /// Outside module mode Go never chooses another toolchain: why, when
    /// that is the case here.
    fn gopath_mode(&mut self) -> Result<Option<String>, ResolveError> {
        let Some(v) = self.ctx.go.go111module.clone() else {
            return Ok(None);
        };
        let off = match v.as_str() {
            Some("" | "on") => false,
            Some("auto") => !self.auto_module_mode()?,
            _ => true,
        };
        Ok(off.then(|| {
            format!(
                "{}: Go does not switch toolchains outside module mode",
                v.describe(env::GO111MODULE)
            )
        }))
    }

    /// gover's local toolchain: the explicit pin, else the global default.
    fn local_toolchain(&mut self) -> Result<Option<Pin>, ResolveError> {
        match self.explicit_pin()? {
            Some(p) => Ok(Some(p)),
            None => self.global_default(),
        }
    }

    /// `GOTOOLCHAIN` names the toolchain: Go reads no go.mod, and no pin
    /// matters (they are read only to say so, with `want_project`).
    fn exact(mut self, name: &str, value: &GoValue) -> Result<Resolution, ResolveError> {
        let source = PinSource::GoToolchain(value.clone());
        let request = toolchain_request(name, &source)?;
        self.note(|| {
            format!(
                "{}: go.mod and pins are not read",
                value.describe(env::GOTOOLCHAIN)
            )
        });
        let (project, error) = self.project_for_warnings();
        if self.ctx.want_project {
            if let Ok(Some((_, pin))) = self.local_toolchain() {
                self.notes.push(format!(
                    "not the pin ({pin}): GOTOOLCHAIN names the toolchain"
                ));
            }
        }
        Ok(self.finish(request, source, project, error))
    }

    /// The local toolchain runs, or nothing is pinned.
    fn finish_local(
        self,
        local: Option<Pin>,
        project: Option<ProjectFile>,
        error: Option<String>,
    ) -> Result<Resolution, ResolveError> {
        match local {
            Some((request, source)) => Ok(self.finish(request, source, project, error)),
            None => Err(ResolveError::NoPin {
                dir: self.ctx.dir.clone(),
                global: self.ctx.home.version_file(),
                warnings: self.warnings,
            }),
        }
    }

    /// Starting from the minimum (`GOTOOLCHAIN`'s, else the local
    /// toolchain), lets the project file raise it, as `Select` does.
    fn raise(
        mut self,
        local: Option<Pin>,
        min: Option<(String, GoValue)>,
        project: Option<ProjectFile>,
    ) -> Result<Resolution, ResolveError> {
        let floor = GoVersion::parse("1").expect("a version");
        let (mut pick, mut min_v) = match &min {
            Some((name, _)) => (Pick::Min(name.clone()), version_of_name(name)),
            None => (
                Pick::Local,
                local.as_ref().and_then(|(r, _)| self.comparable(r)),
            ),
        };
        let min_v = min_v.get_or_insert(floor);
        if let Some(pf) = &project {
            // With a named minimum (`go1.21.13+auto`), the toolchain started
            // redoes Go's choice from that minimum: it must land exactly
            // where gover did, so no newer installed patch stands in for
            // the go line's release.
            pick = self.raise_by(pf, pick, min_v, min.is_none());
        }
        let (request, source) = match pick {
            Pick::Local => return self.local_satisfies(local, project),
            Pick::Min(name) => {
                let (_, value) = min.expect("a minimum was named");
                let source = PinSource::GoToolchain(value);
                (toolchain_request(&name, &source)?, source)
            }
            Pick::ToolchainLine(name) => {
                let pf = project.as_ref().expect("a project file");
                let source = PinSource::ProjectToolchain(pf.path.clone(), pf.kind);
                (toolchain_request(&name, &source)?, source)
            }
            Pick::GoLine(v) => {
                let pf = project.as_ref().expect("a project file");
                let source = PinSource::ProjectGoLine {
                    path: pf.path.clone(),
                    kind: pf.kind,
                    via_global: None,
                };
                (VersionRequest::Exact(v), source)
            }
        };
        Ok(self.finish(request, source, project, None))
    }

    /// The project file's lines, applied to `pick` with minimum `min_v`;
    /// `newest_patch` lets a newer installed patch stand in for the go
    /// line's release.
    fn raise_by(
        &mut self,
        pf: &ProjectFile,
        mut pick: Pick,
        min_v: &mut GoVersion,
        newest_patch: bool,
    ) -> Pick {
        let file = pf.kind.file_name();
        match &pf.toolchain {
            Some(ToolchainLine::Default) => {
                self.notes.push(format!(
                    "{} says `toolchain default`: Go keeps the default toolchain",
                    untrusted_path(&pf.path)
                ));
                return pick;
            }
            Some(ToolchainLine::Name(name, tv)) if *tv > *min_v => {
                pick = Pick::ToolchainLine(name.clone());
                *min_v = tv.clone();
            }
            Some(ToolchainLine::Name(name, _)) => {
                let name = crate::text::escape(name).into_owned();
                self.note(|| format!("{file} toolchain {name}: not newer, ignored"));
            }
            None => {}
        }
        match &pf.go {
            Some(g) if *g > *min_v && newest_patch => Pick::GoLine(self.go_line_release(g)),
            Some(g) if *g > *min_v => Pick::GoLine(g.first_release()),
            Some(g) => {
                self.note(|| format!("{file} go {g}: satisfied"));
                pick
            }
            None => pick,
        }
    }

    /// The local toolchain satisfied the project file: it runs, with the
    /// project named in the reason.
    fn local_satisfies(
        mut self,
        local: Option<Pin>,
        project: Option<ProjectFile>,
    ) -> Result<Resolution, ResolveError> {
        let Some((request, source)) = local else {
            return self.finish_local(None, project, None);
        };
        let checked = project
            .as_ref()
            .filter(|pf| pf.go.is_some() && pf.toolchain != Some(ToolchainLine::Default));
        let source = match (&source, checked) {
            (PinSource::Global(g), Some(pf)) => PinSource::ProjectGoLine {
                path: pf.path.clone(),
                kind: pf.kind,
                via_global: Some(g.clone()),
            },
            (_, Some(pf)) => {
                self.notes.push(format!(
                    "satisfies the {} go line in {}",
                    pf.kind.file_name(),
                    untrusted_path(&pf.path)
                ));
                source
            }
            _ => source,
        };
        Ok(self.finish(request, source, project, None))
    }

    /// The release a go line asks for: its first release, or
    /// (deliberately) the newest installed stable patch of that line at or
    /// above it.
    fn go_line_release(&self, go: &GoVersion) -> GoVersion {
        let min = go.first_release();
        self.installed()
            .iter()
            .filter(|v| {
                v.same_line(&min) && **v >= min && (!v.is_prerelease() || min.is_prerelease())
            })
            .max()
            .cloned()
            .unwrap_or(min)
    }

    /// The version the local toolchain `request` stands for in Go's
    /// comparisons: exact, the newest installed match, or a custom name's;
    /// `None` when only the index or `PATH` could tell.
    fn comparable(&self, request: &VersionRequest) -> Option<GoVersion> {
        match request {
            VersionRequest::Exact(v) => Some(v.clone()),
            VersionRequest::Custom(name) => custom_toolchain(name),
            VersionRequest::System => None,
            _ => request.select(self.installed().iter()).cloned(),
        }
    }

    /// The concrete version a request means here, and whether it is
    /// installed (for a custom toolchain: linked, or on `PATH`).
    fn concrete(&self, request: &VersionRequest) -> (Option<GoVersion>, bool) {
        let home = &self.ctx.home;
        match request {
            VersionRequest::Exact(v) => match home.find_installed(v) {
                Some(i) => (Some(i), true),
                // `1.20.0` is the release named go1.20 (see
                // docs/internals/go-rules.md, "Releases and their names").
                None => (Some(v.release_spelling()), false),
            },
            VersionRequest::System => (None, false),
            VersionRequest::Custom(name) => {
                let found = home.find_linked(name).is_some()
                    || self.ctx.path.as_deref().is_some_and(|p| {
                        crate::toolenv::find_system_tool(name, p, home, None).is_some()
                    });
                (None, found)
            }
            _ => match request.select(self.installed().iter()) {
                Some(v) => (Some(v.clone()), true),
                None => (None, false),
            },
        }
    }

    fn finish(
        self,
        request: VersionRequest,
        source: PinSource,
        project: Option<ProjectFile>,
        project_error: Option<String>,
    ) -> Resolution {
        let (version, installed) = self.concrete(&request);
        Resolution {
            request,
            source,
            notes: self.notes,
            version,
            installed,
            project,
            trace: self.trace,
            project_error,
            warnings: self.warnings,
            path_only: self.path_only,
        }
    }
}

/// The version in a toolchain name, as Go compares it.
fn version_of_name(name: &str) -> Option<GoVersion> {
    GoVersion::from_toolchain_strict(name)
}

/// The request for the toolchain `name` that Go would exec: a stock
/// release, or a custom toolchain (never the stock release it is based
/// on). Names Go cannot run are errors in Go's words: a language version
/// (`go1.22`), a version with no release (`go1`, `go1.22rc`), a name not
/// starting with `go1`.
fn toolchain_request(name: &str, source: &PinSource) -> Result<VersionRequest, ResolveError> {
    let fail = |reason: String| ResolveError::NotAToolchain {
        name: name.to_string(),
        source: source.clone(),
        reason,
    };
    let Some(v) = version_of_name(name) else {
        return Err(fail("is not a toolchain name".into()));
    };
    if !name.starts_with("go1") && !name.contains("-go1") {
        return Err(fail("is not a Go 1 toolchain".into()));
    }
    if name != v.toolchain_name() {
        return Ok(VersionRequest::Custom(name.to_string()));
    }
    if v.is_lang() && !v.minor_is_implicit() {
        return Err(fail(format!(
            "is a language version but not a toolchain version ({name}.x); name a release such as {name}.0"
        )));
    }
    if v.minor_is_implicit() || (v.is_prerelease() && v.pre().is_empty()) {
        return Err(fail("names no Go release".into()));
    }
    Ok(VersionRequest::Exact(v))
}
