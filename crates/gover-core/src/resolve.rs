//! Which Go runs in a directory, and why.
//!
//! Precedence, first hit wins:
//! 1. `GOVER_GO_VERSION`.
//! 2. The nearest `.go-version` or `.tool-versions` (with a `golang`/`go`
//!    entry) walking up to `/`; in one directory `.go-version` first. Explicit
//!    pin files beat go.mod at any depth.
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
            Self::GoVersionFile(p) | Self::ToolVersions(p) => write!(f, "set by {}", p.display()),
            Self::ProjectToolchain(p, k) => {
                write!(f, "{} toolchain line in {}", k.file_name(), p.display())
            }
            Self::ProjectGoLine {
                path,
                kind,
                via_global: None,
            } => write!(f, "{} go line in {}", kind.file_name(), path.display()),
            Self::ProjectGoLine {
                path,
                kind,
                via_global: Some(g),
            } => write!(
                f,
                "global default {} satisfies the {} go line in {}",
                g.display(),
                kind.file_name(),
                path.display()
            ),
            Self::Global(p) => write!(f, "global default {}", p.display()),
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
        let temp = std::env::var_os("TMPDIR")
            .filter(|t| !t.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        Self {
            dir,
            home,
            go_version_env: std::env::var_os(env::GOVER_GO_VERSION).filter(|v| !v.is_empty()),
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
}

impl Resolution {
    /// The toolchain name to show: `go1.22.10`, or the request when no
    /// concrete version is known (`go1.22`, `latest`, `stable`, `system`).
    pub fn display_name(&self) -> String {
        match &self.version {
            Some(v) => v.toolchain_name(),
            None => match self.request {
                VersionRequest::System | VersionRequest::Latest | VersionRequest::Stable => {
                    self.request.to_string()
                }
                _ => format!("go{}", self.request),
            },
        }
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
            Self::PinFile { path, message } => write!(f, "{}: {message}", path.display()),
            Self::Env { message } => write!(f, "{}: {message}", env::GOVER_GO_VERSION),
            Self::ProjectFile(e) => e.fmt(f),
            Self::GoWork(v) => write!(
                f,
                "invalid GOWORK `{}`: not an absolute path (use `off`, `auto` or an absolute path to a go.work)",
                v.to_string_lossy()
            ),
            Self::NoPin { dir, global } => write!(
                f,
                "no Go version is pinned for {}: searched {}, .go-version and .tool-versions, go.work and go.mod from there up to /, then the global default {}",
                dir.display(),
                env::GOVER_GO_VERSION,
                global.display()
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
                    path.display()
                ),
                Some(".tool-versions") => format!(
                    "fix the golang line of {}, or run `gover use VERSION` there to write a .go-version, which takes precedence",
                    path.display()
                ),
                Some("go.mod" | "go.work") => format!("fix or remove {}", path.display()),
                _ => format!(
                    "fix or remove {}; `gover use --global VERSION` rewrites it",
                    path.display()
                ),
            }),
            Self::Env { .. } => Some(format!(
                "unset {} or set it to a version such as `1.22.10`",
                env::GOVER_GO_VERSION
            )),
            Self::ProjectFile(e) => Some(format!(
                "fix line {} of {} (see https://go.dev/ref/mod#go-mod-file-go)",
                e.line,
                e.path.display()
            )),
            Self::GoWork(_) => Some("unset GOWORK or set it to an absolute path".into()),
        }
    }
}

/// Resolves the pin for `ctx.dir`.
pub fn resolve(ctx: &ResolveContext) -> Result<Resolution, ResolveError> {
    let mut trace = Vec::new();
    let t = |trace: &mut Vec<String>, f: &dyn Fn() -> String| {
        if ctx.trace {
            trace.push(f());
        }
    };

    // 1. The environment.
    let mut pin: Option<(VersionRequest, PinSource)> = None;
    if let Some(raw) = &ctx.go_version_env {
        let s = raw.to_str().ok_or_else(|| ResolveError::Env {
            message: "is not valid UTF-8".into(),
        })?;
        let req = VersionRequest::parse(s).map_err(|e| ResolveError::Env {
            message: e.to_string(),
        })?;
        t(&mut trace, &|| {
            format!("{}={s}: used", env::GOVER_GO_VERSION)
        });
        pin = Some((req, PinSource::Env));
    } else {
        t(&mut trace, &|| {
            format!("{}: not set", env::GOVER_GO_VERSION)
        });
    }

    // 2. Pin files, nearest first, all the way up.
    let gowork = GoWorkMode::from_env(ctx.gowork.as_deref())?;
    let mut path = ctx.dir.clone();
    while pin.is_none() {
        pin = read_pin_files(&mut path, ctx, &mut trace)?;
        if !path.pop() {
            break;
        }
    }

    // 3. Go's project file: needed when nothing else pinned, or for warnings.
    let need_project = |pin: &Option<_>| pin.is_none() || ctx.want_project;
    let mut gowork_found: Option<PathBuf> = None;
    let mut gomod_found: Option<PathBuf> = None;
    if need_project(&pin) {
        let auto = matches!(gowork, GoWorkMode::Auto);
        let mut gomod_done = false;
        let mut path = ctx.dir.clone();
        loop {
            if auto {
                path.push("go.work");
                if path.is_file() {
                    gowork_found = Some(path.clone());
                    break;
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
                    // the temp dir means no module at all (golang.org/issue/26708):
                    // it does not look further up.
                    if is_temp_dir(&path, ctx.temp_dir.as_deref()) {
                        t(&mut trace, &|| {
                            format!(
                                "{}: ignored, it is directly in the temp dir (as Go ignores it)",
                                path.join("go.mod").display()
                            )
                        });
                    } else {
                        gomod_found = Some(path.join("go.mod"));
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
    }

    let project_path = match &gowork {
        GoWorkMode::File(p) if p.is_file() => Some((p.clone(), ProjectKind::GoWork)),
        _ => gowork_found
            .map(|p| (p, ProjectKind::GoWork))
            .or_else(|| gomod_found.map(|p| (p, ProjectKind::GoMod))),
    };
    let mut project_error = None;
    let project = match &project_path {
        Some((p, kind)) if need_project(&pin) => {
            let read = crate::fs::read_small_text(p, MAX_PROJECT_FILE_BYTES)
                .map_err(|e| ResolveError::PinFile {
                    path: p.clone(),
                    message: format!("cannot read: {e}"),
                })
                .and_then(|text| {
                    parse_project_file(p, *kind, &text).map_err(ResolveError::ProjectFile)
                });
            match read {
                Ok(f) => {
                    t(&mut trace, &|| {
                        format!(
                            "{}: go {}, toolchain {}",
                            p.display(),
                            f.go.as_ref().map_or("(none)".into(), |v| v.to_string()),
                            match &f.toolchain {
                                None => "(none)".to_string(),
                                Some(ToolchainLine::Default) => "default".to_string(),
                                Some(ToolchainLine::Name(n, _)) => n.clone(),
                            }
                        )
                    });
                    Some(f)
                }
                // A pin file decided: a broken go.mod only matters to Go
                // itself, so report it instead of failing (as the shim does).
                Err(e) if pin.is_some() => {
                    t(&mut trace, &|| format!("{}: invalid ({e})", p.display()));
                    project_error = Some(e.to_string());
                    None
                }
                Err(e) => return Err(e),
            }
        }
        _ => {
            if need_project(&pin) {
                t(&mut trace, &|| "go.work/go.mod: none found".to_string());
            }
            None
        }
    };

    let installed_cache: std::cell::OnceCell<Vec<GoVersion>> = std::cell::OnceCell::new();
    let installed = || installed_cache.get_or_init(|| ctx.home.installed().unwrap_or_default());

    if let Some((request, source)) = pin {
        let (version, is_installed) = concrete(&request, &ctx.home, installed);
        return Ok(Resolution {
            request,
            source,
            version,
            installed: is_installed,
            project,
            trace,
            project_error,
        });
    }

    let global_path = ctx.home.version_file();
    let global = read_version_file(&global_path)?;
    match &global {
        Some(r) => t(&mut trace, &|| format!("{}: {r}", global_path.display())),
        None => t(&mut trace, &|| {
            format!("{}: not found", global_path.display())
        }),
    }

    if let Some(pf) = &project {
        if let Some(res) = resolve_project(
            pf,
            global.as_ref(),
            &global_path,
            &ctx.home,
            installed,
            &mut trace,
            ctx.trace,
        ) {
            let mut res = res;
            res.project = project.clone();
            return Ok(res);
        }
    }

    if let Some(request) = global {
        let (version, is_installed) = concrete(&request, &ctx.home, installed);
        return Ok(Resolution {
            request,
            source: PinSource::Global(global_path),
            version,
            installed: is_installed,
            project,
            trace,
            project_error,
        });
    }

    Err(ResolveError::NoPin {
        dir: ctx.dir.clone(),
        global: global_path,
    })
}

fn resolve_project<'a>(
    pf: &ProjectFile,
    global: Option<&VersionRequest>,
    global_path: &Path,
    home: &GoverHome,
    installed: impl Fn() -> &'a Vec<GoVersion> + Copy,
    trace: &mut Vec<String>,
    tracing: bool,
) -> Option<Resolution> {
    let min = pf.minimum();
    if let Some(ToolchainLine::Name(_, tv)) = &pf.toolchain {
        // Go ignores a toolchain line only when the go line is newer
        // (`Compare(goLine, toolchain) > 0`): `go 1.22` + `toolchain
        // go1.22rc1` runs go1.22rc1.
        if pf.admits(tv) {
            let request = VersionRequest::Exact(tv.clone());
            let (version, is_installed) = concrete(&request, home, installed);
            return Some(Resolution {
                request,
                source: PinSource::ProjectToolchain(pf.path.clone(), pf.kind),
                version,
                installed: is_installed,
                project: None,
                trace: std::mem::take(trace),
                project_error: None,
            });
        }
        if tracing {
            trace.push(format!(
                "toolchain go{tv} is older than the go line; Go ignores it"
            ));
        }
    }
    let min = min?;
    let source = |via_global| PinSource::ProjectGoLine {
        path: pf.path.clone(),
        kind: pf.kind,
        via_global,
    };
    if let Some(g) = global {
        if let (Some(gv), gi) = concrete(g, home, installed) {
            if pf.admits(&gv) {
                return Some(Resolution {
                    request: g.clone(),
                    source: source(Some(global_path.to_path_buf())),
                    version: Some(gv),
                    installed: gi,
                    project: None,
                    trace: std::mem::take(trace),
                    project_error: None,
                });
            }
            if tracing {
                trace.push(format!("global default go{gv} is older than go{min}"));
            }
        }
    }
    let newest = installed()
        .iter()
        .filter(|v| v.same_line(&min) && **v >= min && (!v.is_prerelease() || min.is_prerelease()))
        .max()
        .cloned();
    let (version, is_installed) = match newest {
        Some(v) => (v, true),
        None => {
            let found = home.find_installed(&min);
            let i = found.is_some();
            (found.unwrap_or(min), i)
        }
    };
    Some(Resolution {
        request: VersionRequest::Exact(version.clone()),
        source: source(None),
        version: Some(version),
        installed: is_installed,
        project: None,
        trace: std::mem::take(trace),
        project_error: None,
    })
}

/// The concrete version a request means here, and whether it is installed.
fn concrete<'a>(
    request: &VersionRequest,
    home: &GoverHome,
    installed: impl Fn() -> &'a Vec<GoVersion>,
) -> (Option<GoVersion>, bool) {
    match request {
        VersionRequest::Exact(v) => match home.find_installed(v) {
            Some(i) => (Some(i), true),
            // `1.20.0` is the release named go1.20 (§1.7).
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
fn is_temp_dir(dir: &Path, temp: Option<&Path>) -> bool {
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

/// Reads `.go-version` then `.tool-versions` in `dir` (left unchanged).
fn read_pin_files(
    dir: &mut PathBuf,
    ctx: &ResolveContext,
    trace: &mut Vec<String>,
) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
    dir.push(".go-version");
    let r = read_version_file(dir);
    if ctx.trace {
        trace.push(format!(
            "{}: {}",
            dir.display(),
            match &r {
                Ok(Some(req)) => req.to_string(),
                Ok(None) => "not found".into(),
                Err(_) => "invalid".into(),
            }
        ));
    }
    if let Some(req) = r? {
        let src = PinSource::GoVersionFile(dir.clone());
        dir.pop();
        return Ok(Some((req, src)));
    }
    dir.pop();
    dir.push(".tool-versions");
    let text = crate::fs::read_optional(dir, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(dir, e))?;
    let found = match text.as_deref().map(parse_tool_versions) {
        None => None,
        Some(ToolVersionsEntry::Absent) => None,
        Some(ToolVersionsEntry::Empty(line)) => {
            return Err(ResolveError::PinFile {
                path: dir.clone(),
                message: format!("line {line}: the golang entry names no version"),
            })
        }
        Some(ToolVersionsEntry::Version(v)) => {
            Some(VersionRequest::parse(v).map_err(|e| ResolveError::PinFile {
                path: dir.clone(),
                message: e.to_string(),
            })?)
        }
    };
    if ctx.trace {
        trace.push(format!(
            "{}: {}",
            dir.display(),
            match (&text, &found) {
                (None, _) => "not found".to_string(),
                (Some(_), None) => "no golang entry".to_string(),
                (Some(_), Some(r)) => r.to_string(),
            }
        ));
    }
    let out = found.map(|r| (r, PinSource::ToolVersions(dir.clone())));
    dir.pop();
    Ok(out)
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
    let Some(text) =
        crate::fs::read_optional(path, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(path, e))?
    else {
        return Ok(None);
    };
    let Some(token) = parse_go_version_file(&text) else {
        return Err(ResolveError::PinFile {
            path: path.to_path_buf(),
            message: "holds no version".into(),
        });
    };
    VersionRequest::parse(token)
        .map(Some)
        .map_err(|e| ResolveError::PinFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// The current directory as the shell sees it: `$PWD` when it names the
/// same directory as `.` (so symlinked paths walk up the way the user typed
/// them, as Go's `os.Getwd` does), else the physical path.
pub fn logical_cwd() -> io::Result<PathBuf> {
    #[cfg(unix)]
    if let Some(pwd) = std::env::var_os("PWD") {
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
