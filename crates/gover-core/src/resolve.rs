//! Which Go runs in a directory, and why.
//!
//! Precedence, first hit wins:
//! 1. `GOVER_GO_VERSION`.
//! 2. The nearest `.go-version` or `.tool-versions` (with a `golang`/`go`
//!    entry) walking up to `/`; in one directory `.go-version` first. Explicit
//!    pin files beat go.mod at any depth. Pin files directly in the temp
//!    directory are ignored (as Go ignores a go.mod there), and so is a pin
//!    file that another user (not root) owns in a directory anyone can write
//!    to, with a warning ([`Resolution::warnings`]): in a shared `/tmp`-like
//!    directory it is no evidence of what the user wants.
//! 3. Go's project file, found as Go finds it: `GOWORK` (`off` disables
//!    go.work, an absolute path names it), else the nearest `go.work`, else
//!    the nearest `go.mod` (a go.mod directly in the temp dir is ignored).
//!    A `toolchain goX.Y.Z` line pins that version (unless it is older than
//!    the `go` line, which Go then ignores); otherwise the `go` line is a
//!    minimum: the global default if it satisfies it, else the newest
//!    installed release of that minor line that does, else the first release
//!    that does (`go 1.22` → `go1.22.0`, `go 1.20` → `go1.20`).
//! 4. The global default, `$GOVER_HOME/version`.
//! 5. Nothing: [`ResolveError::NoPin`].
//!
//! Go's own rules behind step 3 are written up in
//! `docs/internals/go-rules.md` ("go.mod and go.work", "How Go finds them").

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env;
use crate::home::GoverHome;
use crate::pinfile::{
    parse_go_version_file, parse_project_file, parse_tool_versions, ProjectFile, ProjectFileError,
    ProjectKind, ToolVersionsEntry, ToolchainLine, MAX_PIN_FILE_BYTES, MAX_PROJECT_FILE_BYTES,
};
use crate::request::VersionRequest;
use crate::text::untrusted_path;
use crate::version::GoVersion;

/// Where a pin came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinSource {
    /// The `GOVER_GO_VERSION` environment variable.
    Env,
    /// A `.go-version` file.
    GoVersionFile(PathBuf),
    /// A `.tool-versions` file.
    ToolVersions(PathBuf),
    /// The `toolchain` line of a go.mod or go.work.
    ProjectToolchain(PathBuf, ProjectKind),
    /// The `go` line of a go.mod or go.work (a minimum), resolved to the
    /// global default when `via_global` names it.
    ProjectGoLine {
        /// The go.mod or go.work.
        path: PathBuf,
        /// Which of the two it is.
        kind: ProjectKind,
        /// The global default file, when it satisfied the `go` line.
        via_global: Option<PathBuf>,
    },
    /// The global default file.
    Global(PathBuf),
    /// Given explicitly on the command line.
    CommandLine,
}

impl PinSource {
    /// The file behind this pin, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Env | Self::CommandLine => None,
            Self::GoVersionFile(p) | Self::ToolVersions(p) | Self::Global(p) => Some(p),
            Self::ProjectToolchain(p, _) | Self::ProjectGoLine { path: p, .. } => Some(p),
        }
    }

    /// A short machine-readable kind: `env`, `go-version`, `tool-versions`,
    /// `toolchain-line`, `go-line`, `global`, `command-line`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Env => "env",
            Self::GoVersionFile(_) => "go-version",
            Self::ToolVersions(_) => "tool-versions",
            Self::ProjectToolchain(..) => "toolchain-line",
            Self::ProjectGoLine { .. } => "go-line",
            Self::Global(_) => "global",
            Self::CommandLine => "command-line",
        }
    }
}

impl fmt::Display for PinSource {
    /// The reason as `gover current` prints it in parentheses:
    /// `set by /abs/.go-version`, `go.mod toolchain line in /abs/go.mod`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env => write!(f, "set by {}", env::GOVER_GO_VERSION),
            Self::GoVersionFile(p) | Self::ToolVersions(p) => {
                write!(f, "set by {}", untrusted_path(p))
            }
            Self::ProjectToolchain(p, k) => {
                write!(
                    f,
                    "{} toolchain line in {}",
                    k.file_name(),
                    untrusted_path(p)
                )
            }
            Self::ProjectGoLine {
                path,
                kind,
                via_global: None,
            } => write!(
                f,
                "{} go line in {}",
                kind.file_name(),
                untrusted_path(path)
            ),
            Self::ProjectGoLine {
                path,
                kind,
                via_global: Some(g),
            } => write!(
                f,
                "global default {} satisfies the {} go line in {}",
                untrusted_path(g),
                kind.file_name(),
                untrusted_path(path)
            ),
            Self::Global(p) => write!(f, "global default {}", untrusted_path(p)),
            Self::CommandLine => f.write_str("given on the command line"),
        }
    }
}

/// Everything resolution reads from the outside world.
#[derive(Clone, Debug)]
pub struct ResolveContext {
    /// The directory to resolve for (already absolute).
    pub dir: PathBuf,
    /// gover's home.
    pub home: GoverHome,
    /// `GOVER_GO_VERSION`, if set.
    pub go_version_env: Option<OsString>,
    /// `GOWORK`, if set.
    pub gowork: Option<OsString>,
    /// The system temp dir (a go.mod directly inside it is ignored, as Go does).
    pub temp_dir: Option<PathBuf>,
    /// Also find the governing go.mod/go.work when a pin file wins (for warnings).
    pub want_project: bool,
    /// Record every rule checked in [`Resolution::trace`].
    pub trace: bool,
}

impl ResolveContext {
    /// A context for `dir` reading `GOVER_GO_VERSION`, `GOWORK` and `TMPDIR`
    /// from the process environment.
    pub fn from_process(home: GoverHome, dir: PathBuf) -> Self {
        let temp = env::var_os(env::TMPDIR)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        Self {
            dir,
            home,
            go_version_env: env::var_os(env::GOVER_GO_VERSION),
            gowork: std::env::var_os(env::GOWORK),
            temp_dir: Some(temp),
            want_project: false,
            trace: false,
        }
    }
}

/// The answer to "which Go runs here?".
#[derive(Clone, Debug)]
pub struct Resolution {
    /// What the pin asks for.
    pub request: VersionRequest,
    /// Where the pin came from.
    pub source: PinSource,
    /// The concrete toolchain: the installed match, or the exact version to
    /// install. `None` when only the release index can tell (`1.22` or
    /// `latest` with nothing matching installed) and for `system`.
    pub version: Option<GoVersion>,
    /// True when `version` is installed.
    pub installed: bool,
    /// The governing go.mod/go.work, when found.
    pub project: Option<ProjectFile>,
    /// Every rule checked, in order (only with [`ResolveContext::trace`]).
    pub trace: Vec<String>,
    /// Why the governing go.mod/go.work could not be used, when a pin file
    /// or `GOVER_GO_VERSION` decided anyway (with
    /// [`ResolveContext::want_project`]); Go itself will reject that file.
    pub project_error: Option<String>,
    /// Pin files that were ignored and why, to be shown as warnings.
    pub warnings: Vec<String>,
}

/// The toolchain name to show for `request`: `go1.22.10` when the concrete
/// `version` is known, else the request (`go1.22`, `latest`, `stable`,
/// `system`).
pub fn display_name(request: &VersionRequest, version: Option<&GoVersion>) -> String {
    match version {
        Some(v) => v.toolchain_name(),
        None => match request {
            VersionRequest::System | VersionRequest::Latest | VersionRequest::Stable => {
                request.to_string()
            }
            _ => format!("go{request}"),
        },
    }
}

impl Resolution {
    /// The toolchain name to show: `go1.22.10`, or the request when no
    /// concrete version is known (`go1.22`, `latest`, `stable`, `system`).
    pub fn display_name(&self) -> String {
        display_name(&self.request, self.version.as_ref())
    }

    /// The GOROOT of the resolved toolchain when it is installed.
    pub fn goroot(&self, home: &GoverHome) -> Option<PathBuf> {
        match (&self.version, self.installed) {
            (Some(v), true) => Some(home.toolchain_dir(v)),
            _ => None,
        }
    }

    /// When the pin came from somewhere other than the project file and
    /// resolves to a version older than the project's `go` line: the project
    /// file and its minimum. Go would refuse to build (or download).
    pub fn older_than_project(&self) -> Option<(&ProjectFile, GoVersion)> {
        let project = self.project.as_ref()?;
        if project.path.as_path() == self.source.path().unwrap_or(Path::new("")) {
            return None;
        }
        if matches!(self.source, PinSource::ProjectGoLine { .. }) {
            return None;
        }
        let min = project.minimum()?;
        let v = self.version.as_ref()?;
        // Go compares with the go line itself: `go 1.22` admits go1.22rc1.
        (!project.admits(v)).then_some((project, min))
    }
}

/// Why no version could be resolved.
#[derive(Debug)]
pub enum ResolveError {
    /// A pin file exists but cannot be used.
    PinFile {
        /// The file.
        path: PathBuf,
        /// What is wrong (names the offending text).
        message: String,
    },
    /// `GOVER_GO_VERSION` holds something that is not a version.
    Env {
        /// What is wrong.
        message: String,
    },
    /// A go.mod/go.work line Go would reject.
    ProjectFile(ProjectFileError),
    /// `GOWORK` is neither `off`, `auto`, empty nor an absolute path.
    GoWork(OsString),
    /// Nothing pins a version here.
    NoPin {
        /// The directory resolved for.
        dir: PathBuf,
        /// The global default file that was checked.
        global: PathBuf,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PinFile { path, message } => write!(f, "{}: {message}", untrusted_path(path)),
            Self::Env { message } => write!(f, "{}: {message}", env::GOVER_GO_VERSION),
            Self::ProjectFile(e) => e.fmt(f),
            Self::GoWork(v) => write!(
                f,
                "invalid GOWORK `{}`: not an absolute path (use `off`, `auto` or an absolute path to a go.work)",
                crate::text::shorten(&v.to_string_lossy(), 80)
            ),
            Self::NoPin { dir, global } => write!(
                f,
                "no Go version is pinned for {}: searched {}, .go-version and .tool-versions, go.work and go.mod from there up to /, then the global default {}",
                untrusted_path(dir),
                env::GOVER_GO_VERSION,
                untrusted_path(global)
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

impl ResolveError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoPin { .. } => Some(
                "run `gover use 1.22` to pin this directory, or `gover use --global 1.22` to set a default".into(),
            ),
            Self::PinFile { path, .. } => Some(match path.file_name().and_then(|n| n.to_str()) {
                Some(".go-version") => format!(
                    "fix or remove {}; `gover use VERSION` rewrites it",
                    untrusted_path(path)
                ),
                Some(".tool-versions") => format!(
                    "fix the golang line of {}, or run `gover use VERSION` there to write a .go-version, which takes precedence",
                    untrusted_path(path)
                ),
                Some("go.mod" | "go.work") => format!("fix or remove {}", untrusted_path(path)),
                _ => format!(
                    "fix or remove {}; `gover use --global VERSION` rewrites it",
                    untrusted_path(path)
                ),
            }),
            Self::Env { .. } => Some(format!(
                "unset {} or set it to a version such as `1.22.10`",
                env::GOVER_GO_VERSION
            )),
            Self::ProjectFile(e) => Some(format!(
                "fix line {} of {} (see https://go.dev/ref/mod#go-mod-file-go)",
                e.line,
                untrusted_path(&e.path)
            )),
            Self::GoWork(_) => Some("unset GOWORK or set it to an absolute path".into()),
        }
    }
}

/// Resolves the pin for `ctx.dir`.
pub fn resolve(ctx: &ResolveContext) -> Result<Resolution, ResolveError> {
    let mut r = Resolver {
        ctx,
        trace: Vec::new(),
        warnings: Vec::new(),
        installed: std::cell::OnceCell::new(),
    };
    // 1. The environment, 2. pin files, nearest first, all the way up.
    let gowork = GoWorkMode::from_env(ctx.gowork.as_deref())?;
    let pin = match r.env_pin()? {
        Some(p) => Some(p),
        None => r.pin_files()?,
    };
    // 3. Go's project file: needed when nothing else pinned, or for warnings.
    let (project, project_error) = if pin.is_none() || ctx.want_project {
        match r.find_project(&gowork) {
            Some((p, kind)) => r.read_project(&p, kind, pin.is_some())?,
            None => {
                r.note(|| "go.work/go.mod: none found".to_string());
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    if let Some((request, source)) = pin {
        return Ok(r.finish(request, source, project, project_error));
    }
    // 4. The global default, also consulted by a go line.
    let global_path = ctx.home.version_file();
    let global = read_version_file(&global_path)?;
    match &global {
        Some(g) => r.note(|| format!("{}: {g}", untrusted_path(&global_path))),
        None => r.note(|| format!("{}: not found", untrusted_path(&global_path))),
    }
    if let Some(pf) = &project {
        if let Some((request, source)) = r.project_pin(pf, global.as_ref(), &global_path) {
            return Ok(r.finish(request, source, project, None));
        }
    }
    if let Some(request) = global {
        return Ok(r.finish(request, PinSource::Global(global_path), project, None));
    }
    Err(ResolveError::NoPin {
        dir: ctx.dir.clone(),
        global: global_path,
    })
}

/// One resolution in progress: the rules checked and what was ignored.
struct Resolver<'a> {
    ctx: &'a ResolveContext,
    trace: Vec<String>,
    warnings: Vec<String>,
    installed: std::cell::OnceCell<Vec<GoVersion>>,
}

impl Resolver<'_> {
    /// Records a rule checked, with [`ResolveContext::trace`].
    fn note(&mut self, line: impl FnOnce() -> String) {
        if self.ctx.trace {
            self.trace.push(line());
        }
    }

    /// Every installed toolchain, listed at most once.
    fn installed(&self) -> &[GoVersion] {
        self.installed
            .get_or_init(|| self.ctx.home.installed().unwrap_or_default())
    }

    /// The concrete version a request means here, and whether it is installed.
    fn concrete(&self, request: &VersionRequest) -> (Option<GoVersion>, bool) {
        concrete(request, &self.ctx.home, || self.installed())
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
            version,
            installed,
            project,
            trace: self.trace,
            project_error,
            warnings: self.warnings,
        }
    }

    /// Step 1: `GOVER_GO_VERSION`.
    fn env_pin(&mut self) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        let Some(raw) = &self.ctx.go_version_env else {
            self.note(|| format!("{}: not set", env::GOVER_GO_VERSION));
            return Ok(None);
        };
        let s = raw.to_str().ok_or_else(|| ResolveError::Env {
            message: "is not valid UTF-8".into(),
        })?;
        let req = VersionRequest::parse(s).map_err(|e| ResolveError::Env {
            message: e.to_string(),
        })?;
        self.note(|| format!("{}={}: used", env::GOVER_GO_VERSION, crate::text::escape(s)));
        Ok(Some((req, PinSource::Env)))
    }

    /// Step 2: `.go-version`, then `.tool-versions`, in each directory from
    /// `ctx.dir` up to `/`.
    fn pin_files(&mut self) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        let mut path = self.ctx.dir.clone();
        loop {
            if is_temp_dir(&path, self.ctx.temp_dir.as_deref()) {
                self.note(|| {
                    format!(
                        "{}: pin files ignored, it is the temp dir (as Go ignores a go.mod there)",
                        untrusted_path(&path)
                    )
                });
            } else {
                for kind in [PinKind::GoVersion, PinKind::ToolVersions] {
                    path.push(kind.file_name());
                    let found = self.pin_file(&path, kind);
                    if let Ok(Some(req)) = found {
                        return Ok(Some((req, kind.source(path))));
                    }
                    path.pop();
                    found?;
                }
            }
            if !path.pop() {
                return Ok(None);
            }
        }
    }

    /// Reads one pin file: `Ok(None)` when it is absent, pins nothing or is
    /// ignored.
    fn pin_file(
        &mut self,
        path: &Path,
        kind: PinKind,
    ) -> Result<Option<VersionRequest>, ResolveError> {
        let read =
            crate::fs::read_optional_meta(path, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(path, e));
        let mut ignored = false;
        let result = match &read {
            Ok(Some((text, meta))) => {
                ignored = let_planted(path, meta, &mut self.warnings);
                if ignored {
                    Ok(None)
                } else {
                    kind.parse(path, text)
                }
            }
            _ => Ok(None),
        };
        self.note(|| {
            let what = match (&read, &result) {
                (Err(_), _) | (_, Err(_)) => "invalid".to_string(),
                (Ok(None), _) => "not found".to_string(),
                _ if ignored => "ignored: another user's file in a world-writable directory".into(),
                (Ok(Some(_)), Ok(Some(r))) => r.to_string(),
                (Ok(Some(_)), Ok(None)) => "no golang entry".to_string(),
            };
            format!("{}: {what}", untrusted_path(path))
        });
        read?;
        result
    }

    /// Step 3: where Go's project file is, found as Go finds it: `GOWORK`,
    /// else the nearest go.work, else the nearest go.mod (not one directly
    /// in the temp dir).
    fn find_project(&mut self, gowork: &GoWorkMode) -> Option<(PathBuf, ProjectKind)> {
        if let GoWorkMode::File(p) = gowork {
            if p.is_file() {
                return Some((p.clone(), ProjectKind::GoWork));
            }
        }
        let auto = matches!(gowork, GoWorkMode::Auto);
        let mut gomod: Option<PathBuf> = None;
        let mut gomod_done = false;
        let mut path = self.ctx.dir.clone();
        loop {
            if auto {
                path.push("go.work");
                if path.is_file() {
                    return Some((path, ProjectKind::GoWork));
                }
                path.pop();
            }
            if !gomod_done {
                path.push("go.mod");
                let found = path.is_file();
                path.pop();
                if found {
                    gomod_done = true;
                    // Go stops at the nearest go.mod, and one directly in
                    // the temp dir means no module at all: it does not look
                    // further up.
                    if is_temp_dir(&path, self.ctx.temp_dir.as_deref()) {
                        self.note(|| {
                            format!(
                                "{}: ignored, it is directly in the temp dir (as Go ignores it)",
                                untrusted_path(&path.join("go.mod"))
                            )
                        });
                    } else {
                        gomod = Some(path.join("go.mod"));
                    }
                    // A go.work anywhere above still beats the nearest go.mod.
                    if !auto {
                        break;
                    }
                }
            }
            if !path.pop() {
                break;
            }
        }
        gomod.map(|p| (p, ProjectKind::GoMod))
    }

    /// Reads the project file. When a pin file already decided, a broken
    /// one only matters to Go itself: it is reported, not fatal.
    #[allow(clippy::type_complexity)]
    fn read_project(
        &mut self,
        p: &Path,
        kind: ProjectKind,
        pin_decided: bool,
    ) -> Result<(Option<ProjectFile>, Option<String>), ResolveError> {
        let read = crate::fs::read_small_text(p, MAX_PROJECT_FILE_BYTES)
            .map_err(|e| ResolveError::PinFile {
                path: p.to_path_buf(),
                message: format!("cannot read: {e}"),
            })
            .and_then(|text| parse_project_file(p, kind, &text).map_err(ResolveError::ProjectFile));
        match read {
            Ok(f) => {
                self.note(|| {
                    format!(
                        "{}: go {}, toolchain {}",
                        untrusted_path(p),
                        f.go.as_ref().map_or("(none)".into(), |v| v.to_string()),
                        match &f.toolchain {
                            None => "(none)".to_string(),
                            Some(ToolchainLine::Default) => "default".to_string(),
                            Some(ToolchainLine::Name(n, _)) => crate::text::escape(n).into_owned(),
                        }
                    )
                });
                Ok((Some(f), None))
            }
            Err(e) if pin_decided => {
                self.note(|| format!("{}: invalid ({e})", untrusted_path(p)));
                Ok((None, Some(e.to_string())))
            }
            Err(e) => Err(e),
        }
    }

    /// What the project file pins: its `toolchain` line, else a release
    /// that satisfies its `go` line (see the module docs).
    fn project_pin(
        &mut self,
        pf: &ProjectFile,
        global: Option<&VersionRequest>,
        global_path: &Path,
    ) -> Option<(VersionRequest, PinSource)> {
        if let Some(ToolchainLine::Name(_, tv)) = &pf.toolchain {
            // Go ignores a toolchain line only when the go line is newer
            // (`Compare(goLine, toolchain) > 0`): `go 1.22` + `toolchain
            // go1.22rc1` runs go1.22rc1.
            if pf.admits(tv) {
                let source = PinSource::ProjectToolchain(pf.path.clone(), pf.kind);
                return Some((VersionRequest::Exact(tv.clone()), source));
            }
            self.note(|| format!("toolchain go{tv} is older than the go line; Go ignores it"));
        }
        let min = pf.minimum()?;
        let source = |via_global| PinSource::ProjectGoLine {
            path: pf.path.clone(),
            kind: pf.kind,
            via_global,
        };
        if let Some(g) = global {
            if let (Some(gv), _) = self.concrete(g) {
                if pf.admits(&gv) {
                    return Some((g.clone(), source(Some(global_path.to_path_buf()))));
                }
                self.note(|| format!("global default go{gv} is older than go{min}"));
            }
        }
        let newest = self
            .installed()
            .iter()
            .filter(|v| {
                v.same_line(&min) && **v >= min && (!v.is_prerelease() || min.is_prerelease())
            })
            .max()
            .cloned();
        let version = newest.unwrap_or(min);
        Some((VersionRequest::Exact(version), source(None)))
    }
}

/// The two kinds of pin file.
#[derive(Clone, Copy)]
enum PinKind {
    GoVersion,
    ToolVersions,
}

impl PinKind {
    fn file_name(self) -> &'static str {
        match self {
            Self::GoVersion => ".go-version",
            Self::ToolVersions => ".tool-versions",
        }
    }

    fn source(self, path: PathBuf) -> PinSource {
        match self {
            Self::GoVersion => PinSource::GoVersionFile(path),
            Self::ToolVersions => PinSource::ToolVersions(path),
        }
    }

    /// The request in a file of this kind (`None`: a `.tool-versions`
    /// without Go).
    fn parse(self, path: &Path, text: &str) -> Result<Option<VersionRequest>, ResolveError> {
        let invalid = |message: String| ResolveError::PinFile {
            path: path.to_path_buf(),
            message,
        };
        let token = match self {
            Self::GoVersion => match parse_go_version_file(text) {
                Some(t) => t,
                None => return Err(invalid("holds no version".into())),
            },
            Self::ToolVersions => match parse_tool_versions(text) {
                ToolVersionsEntry::Absent => return Ok(None),
                ToolVersionsEntry::Empty(line) => {
                    return Err(invalid(format!(
                        "line {line}: the golang entry names no version"
                    )))
                }
                ToolVersionsEntry::Version(v) => v,
            },
        };
        VersionRequest::parse(token)
            .map(Some)
            .map_err(|e| invalid(e.to_string()))
    }
}

/// True (and a warning recorded) when the pin file at `path` may have been
/// planted by someone else: another user (not root) owns it and anyone can
/// write to its directory, as in a shared `/tmp`-like directory.
fn let_planted(path: &Path, meta: &std::fs::Metadata, warnings: &mut Vec<String>) -> bool {
    let Some(owner) = planted_by(path, meta) else {
        return false;
    };
    warnings.push(format!(
        "ignoring {}: it belongs to another user (uid {owner}) and lies in a directory anyone can write to, so it is no evidence of the Go you want",
        untrusted_path(path)
    ));
    true
}

/// The owner of a pin file that may have been planted (see [`let_planted`]).
#[cfg(unix)]
fn planted_by(path: &Path, meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let owner = meta.uid();
    if owner == 0 || owner == crate::fs::effective_uid() {
        return None;
    }
    let dir = std::fs::metadata(path.parent()?).ok()?;
    (dir.mode() & 0o002 != 0).then_some(owner)
}

#[cfg(not(unix))]
fn planted_by(_path: &Path, _meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// The concrete version a request means here, and whether it is installed.
fn concrete<'a>(
    request: &VersionRequest,
    home: &GoverHome,
    installed: impl Fn() -> &'a [GoVersion],
) -> (Option<GoVersion>, bool) {
    match request {
        VersionRequest::Exact(v) => match home.find_installed(v) {
            Some(i) => (Some(i), true),
            // `1.20.0` is the release named go1.20 (see
            // docs/internals/go-rules.md, "Releases and their names").
            None => (Some(v.release_spelling()), false),
        },
        VersionRequest::System => (None, false),
        _ => match request.select(installed().iter()) {
            Some(v) => (Some(v.clone()), true),
            None => (None, false),
        },
    }
}

/// True when `dir` is the temp dir: the same path, or (as Go compares after
/// resolving symlinks, e.g. macOS's `/var` → `/private/var`) the same
/// directory under another name. Stats only when the last components agree,
/// so a go.mod elsewhere costs nothing extra.
pub fn is_temp_dir(dir: &Path, temp: Option<&Path>) -> bool {
    let Some(temp) = temp else {
        return false;
    };
    if dir == temp {
        return true;
    }
    if dir.file_name() != temp.file_name() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(dir), std::fs::metadata(temp)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

enum GoWorkMode {
    Auto,
    Off,
    File(PathBuf),
}

impl GoWorkMode {
    fn from_env(v: Option<&std::ffi::OsStr>) -> Result<Self, ResolveError> {
        match v {
            None => Ok(Self::Auto),
            Some(v) if v.is_empty() || v == "auto" => Ok(Self::Auto),
            Some(v) if v == "off" => Ok(Self::Off),
            Some(v) => {
                let p = PathBuf::from(v);
                if p.is_absolute() {
                    Ok(Self::File(p))
                } else {
                    Err(ResolveError::GoWork(v.to_os_string()))
                }
            }
        }
    }
}

fn pin_error(path: &Path, e: io::Error) -> ResolveError {
    let message = match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => e.to_string(),
        io::ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
        _ => format!("cannot be read: {e}"),
    };
    ResolveError::PinFile {
        path: path.to_path_buf(),
        message,
    }
}

/// Reads a `.go-version`-format file (also the global `version` file):
/// `Ok(None)` when it does not exist; an error when it exists but holds no
/// version or something that is not a version.
pub fn read_version_file(path: &Path) -> Result<Option<VersionRequest>, ResolveError> {
    match crate::fs::read_optional(path, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(path, e))? {
        None => Ok(None),
        Some(text) => PinKind::GoVersion.parse(path, &text),
    }
}

/// The current directory as the shell sees it: `$PWD` when it names the
/// same directory as `.` (so symlinked paths walk up the way the user typed
/// them, as Go's `os.Getwd` does), else the physical path.
pub fn logical_cwd() -> io::Result<PathBuf> {
    #[cfg(unix)]
    if let Some(pwd) = std::env::var_os(env::PWD) {
        use std::os::unix::fs::MetadataExt;
        let p = PathBuf::from(pwd);
        if p.is_absolute() {
            if let (Ok(a), Ok(b)) = (std::fs::metadata(&p), std::fs::metadata(".")) {
                if a.dev() == b.dev() && a.ino() == b.ino() {
                    return Ok(p);
                }
            }
        }
    }
    std::env::current_dir()
}
