//! Which Go runs in a directory, and why: Go's own choice
//! (`cmd/go/internal/toolchain.Select`), with gover's pins as Go's local
//! toolchain.
//!
//! 1. gover's *local toolchain* `L`: `GOVER_GO_VERSION`, else the nearest
//!    `.go-version` or `.tool-versions` (with a `golang`/`go` entry)
//!    walking up to `/` (in one directory `.go-version` first), else the
//!    global default `$GOVER_HOME/version`, else none. Pin files directly in
//!    the temp directory are ignored (as Go ignores a go.mod there), and so
//!    is a pin file that another user (not root) owns in a directory anyone
//!    can write to, with a warning ([`Resolution::warnings`]).
//! 2. Outside module mode (`GO111MODULE=off`, or `auto` with no go.mod or
//!    go.work here) Go never switches: `L` runs.
//! 3. The user's `GOTOOLCHAIN` (the environment, else Go's env file, see
//!    [`crate::goenv`]) decides how: a toolchain name (`go1.21.13`,
//!    `go1.22.10-bigcorp`) runs exactly that, and nothing else is read;
//!    `local` runs `L`; `auto`, `path` and `<name>+auto`/`+path` start
//!    from `L` (or `<name>`) and let the go.mod/go.work raise it. Without a
//!    user value, gover uses `local` when `L` is an explicit pin (the user
//!    named the toolchain) and `auto` otherwise.
//! 4. Raising, as Go does: Go's project file is found as Go finds it
//!    (`GOWORK`, else the nearest go.work, else the nearest go.mod, not one
//!    directly in the temp dir); `toolchain default` keeps the minimum; a
//!    `toolchain` line replaces it when strictly newer; then a `go` line
//!    newer still replaces that (a language version `1.22` becomes
//!    `go1.22.0`). Deliberately, a newer installed patch of the go line's
//!    release line runs instead of installing the exact release.
//! 5. Nothing chosen: [`ResolveError::NoPin`]. `GOTOOLCHAIN=local` with no
//!    `L` at all lets the project decide (gover has no other local
//!    toolchain).
//!
//! Go's own rules are written up in `docs/internals/go-rules.md` ("go.mod
//! and go.work", "How Go finds them", "GOTOOLCHAIN").

mod choose;
mod pins;
mod project;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::env;
use crate::goenv::{GoConfig, GoValue};
use crate::home::GoverHome;
use crate::pinfile::{ProjectFile, ProjectFileError, ProjectKind};
use crate::request::VersionRequest;
use crate::text::untrusted_path;
use crate::version::GoVersion;

pub use pins::{is_temp_dir, logical_cwd, read_version_file};

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
    /// The user's `GOTOOLCHAIN` names the toolchain (or the minimum that
    /// the go.mod/go.work did not raise).
    GoToolchain(GoValue),
}

impl PinSource {
    /// The file behind this pin, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Env | Self::CommandLine => None,
            Self::GoVersionFile(p) | Self::ToolVersions(p) | Self::Global(p) => Some(p),
            Self::ProjectToolchain(p, _) | Self::ProjectGoLine { path: p, .. } => Some(p),
            Self::GoToolchain(v) => match &v.origin {
                crate::goenv::GoOrigin::File(p) => Some(p),
                crate::goenv::GoOrigin::Env => None,
            },
        }
    }

    /// A short machine-readable kind: `env`, `go-version`, `tool-versions`,
    /// `toolchain-line`, `go-line`, `global`, `command-line`, `gotoolchain`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Env => "env",
            Self::GoVersionFile(_) => "go-version",
            Self::ToolVersions(_) => "tool-versions",
            Self::ProjectToolchain(..) => "toolchain-line",
            Self::ProjectGoLine { .. } => "go-line",
            Self::Global(_) => "global",
            Self::CommandLine => "command-line",
            Self::GoToolchain(_) => "gotoolchain",
        }
    }

    /// True for a pin the user wrote for this directory or shell
    /// (`GOVER_GO_VERSION`, `.go-version`, `.tool-versions`): gover then
    /// runs it as `GOTOOLCHAIN=local` would.
    pub fn is_explicit(&self) -> bool {
        matches!(
            self,
            Self::Env | Self::GoVersionFile(_) | Self::ToolVersions(_) | Self::CommandLine
        )
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
            Self::GoToolchain(v) => f.write_str(&v.describe(env::GOTOOLCHAIN)),
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
    /// Go's own settings: `GOTOOLCHAIN`, `GOWORK`, `GO111MODULE`.
    pub go: GoConfig,
    /// `PATH`, where a custom toolchain that is not linked is looked for.
    pub path: Option<OsString>,
    /// The system temp dir (a go.mod directly inside it is ignored, as Go does).
    pub temp_dir: Option<PathBuf>,
    /// Also find the governing go.mod/go.work when a pin file wins (for warnings).
    pub want_project: bool,
    /// Record every rule checked in [`Resolution::trace`].
    pub trace: bool,
}

impl ResolveContext {
    /// A context for `dir` reading `GOVER_GO_VERSION`, Go's settings,
    /// `PATH` and `TMPDIR` through `get` (an unset variable is `None`).
    pub fn from_vars(
        home: GoverHome,
        dir: PathBuf,
        get: impl Fn(&str) -> Option<OsString>,
    ) -> Self {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let temp = var(env::TMPDIR)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/tmp"));
        Self {
            dir,
            home,
            go_version_env: var(env::GOVER_GO_VERSION),
            go: GoConfig::from_vars(&get),
            path: var(env::PATH),
            temp_dir: Some(temp),
            want_project: false,
            trace: false,
        }
    }

    /// A context for `dir` reading this process's environment.
    pub fn from_process(home: GoverHome, dir: PathBuf) -> Self {
        Self::from_vars(home, dir, |k| std::env::var_os(k))
    }
}

/// The answer to "which Go runs here?".
#[derive(Clone, Debug)]
pub struct Resolution {
    /// What the pin asks for.
    pub request: VersionRequest,
    /// Where the pin came from: what decided.
    pub source: PinSource,
    /// The rest of the chain of reasons, in order (`GOTOOLCHAIN=local in
    /// the environment`, `GO111MODULE=off ...: Go never switches
    /// toolchains in GOPATH mode`).
    pub notes: Vec<String>,
    /// The concrete toolchain: the installed match, or the exact version to
    /// install. `None` when only the release index can tell (`1.22` or
    /// `latest` with nothing matching installed), for `system` and for a
    /// custom toolchain.
    pub version: Option<GoVersion>,
    /// True when `version` is installed (for a custom toolchain: when it is
    /// linked or on `PATH`).
    pub installed: bool,
    /// The governing go.mod/go.work, when found.
    pub project: Option<ProjectFile>,
    /// Every rule checked, in order (only with [`ResolveContext::trace`]).
    pub trace: Vec<String>,
    /// Why the governing go.mod/go.work could not be used, when a pin file
    /// or `GOVER_GO_VERSION` decided anyway (with
    /// [`ResolveContext::want_project`]); Go itself will reject that file.
    pub project_error: Option<String>,
    /// Pin files that were ignored and why, lines of the go.mod/go.work Go
    /// will reject, and a Go env file that could not be read: to be shown
    /// as warnings.
    pub warnings: Vec<String>,
    /// True when the user's `GOTOOLCHAIN` is `path` or ends in `+path`: Go
    /// then only looks on `PATH` and never downloads, so neither does gover.
    pub path_only: bool,
}

/// The toolchain name to show for `request`: `go1.22.10` when the concrete
/// `version` is known, else the request (`go1.22.x` for a line, `latest`,
/// `stable`, `system`, `go1.22.10-bigcorp`).
pub fn display_name(request: &VersionRequest, version: Option<&GoVersion>) -> String {
    match version {
        Some(v) => v.toolchain_name(),
        None => match request {
            VersionRequest::Exact(_) => format!("go{request}"),
            VersionRequest::Line(v) => format!("go{v}.x"),
            // From a go.mod or GOTOOLCHAIN: escaped and shortened.
            VersionRequest::Custom(name) => crate::text::shorten(name, 80),
            _ => request.to_string(),
        },
    }
}

impl Resolution {
    /// The toolchain name to show: `go1.22.10`, or the request when no
    /// concrete version is known (`go1.22.x`, `latest`, `stable`, `system`,
    /// `go1.22.10-bigcorp`).
    pub fn display_name(&self) -> String {
        display_name(&self.request, self.version.as_ref())
    }

    /// The name of the toolchain that runs, when it is known and runnable
    /// by name: `go1.22.10`, or a custom toolchain's name.
    pub fn toolchain_name(&self) -> Option<String> {
        match (&self.request, &self.version) {
            (VersionRequest::Custom(name), _) => Some(name.clone()),
            (_, Some(v)) => Some(v.toolchain_name()),
            _ => None,
        }
    }

    /// Why, as `gover current` prints it in parentheses: the source, then
    /// the rest of the chain.
    pub fn reason(&self) -> String {
        let mut s = self.source.to_string();
        for n in &self.notes {
            s.push_str("; ");
            s.push_str(n);
        }
        s
    }

    /// The GOROOT of the resolved toolchain when it is installed (or
    /// linked).
    pub fn goroot(&self, home: &GoverHome) -> Option<PathBuf> {
        match (&self.request, &self.version, self.installed) {
            (VersionRequest::Custom(name), _, _) => home.find_linked(name),
            (_, Some(v), true) => Some(home.toolchain_dir(v)),
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
        let v = match &self.request {
            VersionRequest::Custom(name) => crate::request::custom_toolchain(name),
            _ => self.version.clone(),
        }?;
        // Go compares with the go line itself: `go 1.22` admits go1.22rc1.
        (!project.admits(&v)).then_some((project, min))
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
    GoWork(GoValue),
    /// The user's `GOTOOLCHAIN` is not a value Go accepts.
    GoToolchain {
        /// The value and where it was set.
        value: GoValue,
        /// What is wrong, in Go's words.
        reason: &'static str,
    },
    /// The chosen name is not a toolchain (`go1.22`, a language version).
    NotAToolchain {
        /// The name, as written.
        name: String,
        /// Why it was chosen (`go.mod toolchain line in /p/go.mod`).
        source: PinSource,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing pins a version here.
    NoPin {
        /// The directory resolved for.
        dir: PathBuf,
        /// The global default file that was checked.
        global: PathBuf,
        /// What was ignored on the way (an invalid go line, a planted pin
        /// file), to be shown before the error.
        warnings: Vec<String>,
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
                "invalid GOWORK: not an absolute path ({}; use `off`, `auto` or an absolute path to a go.work)",
                v.describe(env::GOWORK)
            ),
            Self::GoToolchain { value, reason } => write!(
                f,
                "invalid GOTOOLCHAIN: {reason} ({})",
                value.describe(env::GOTOOLCHAIN)
            ),
            Self::NotAToolchain {
                name,
                source,
                reason,
            } => write!(
                f,
                "invalid toolchain: {} {reason} ({source})",
                crate::text::shorten(name, 80)
            ),
            Self::NoPin { dir, global, .. } => write!(
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
    /// Warnings to show before this error (what was ignored on the way).
    pub fn warnings(&self) -> &[String] {
        match self {
            Self::NoPin { warnings, .. } => warnings,
            _ => &[],
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoPin { .. } => Some(
                "run `gover use 1.22` to pin this directory, or `gover use --global 1.22` to set a default".into(),
            ),
            Self::PinFile { path, .. } => Some(pins::pin_file_hint(path)),
            Self::Env { .. } => Some(format!(
                "unset {} or set it to a version such as `1.22.10`",
                env::GOVER_GO_VERSION
            )),
            Self::ProjectFile(e) => Some(format!(
                "fix line {} of {} (see https://go.dev/ref/mod#go-mod-file-toolchain)",
                e.line,
                untrusted_path(&e.path)
            )),
            Self::GoWork(v) => Some(go_setting_hint(v, env::GOWORK, "an absolute path")),
            Self::GoToolchain { value, .. } => Some(go_setting_hint(
                value,
                env::GOTOOLCHAIN,
                "`local`, `auto`, `path`, a toolchain name such as `go1.22.10`, or a name with `+auto` or `+path`",
            )),
            Self::NotAToolchain { source, .. } => Some(match source.path() {
                Some(p) if matches!(source, PinSource::ProjectToolchain(..)) => format!(
                    "name a release in the toolchain line of {} (such as go1.22.0), or remove the line",
                    untrusted_path(p)
                ),
                _ => "name a release, such as go1.22.0".to_string(),
            }),
        }
    }
}

/// How to fix one of Go's settings where it was set.
fn go_setting_hint(v: &GoValue, name: &str, allowed: &str) -> String {
    match &v.origin {
        crate::goenv::GoOrigin::Env => format!("unset {name} or set it to {allowed}"),
        crate::goenv::GoOrigin::File(p) => format!(
            "fix the {name} line of {} (`go env -w {name}=...` or `go env -u {name}`); it must be {allowed}",
            untrusted_path(p)
        ),
    }
}

/// Resolves the pin for `ctx.dir`.
pub fn resolve(ctx: &ResolveContext) -> Result<Resolution, ResolveError> {
    choose::Resolver::new(ctx).resolve()
}
