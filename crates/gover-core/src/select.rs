//! Which toolchain a command runs: the pin resolved for a directory, or a
//! version asked for by name, turned into the executable to start, its
//! GOROOT and the reason, for the shim and the CLI alike.
//!
//! A toolchain that is not installed is installed first through an
//! [`InstallHook`] when automatic installs are on: the shim's hook runs
//! `gover install` as a child process, the CLI's calls the code
//! `gover install` runs, in the same process. A failed install is reported
//! by the hook, once; [`SelectError::Hook`] only carries it up, so no
//! second error block follows the first. The hook is asked whether
//! automatic installs are on only when a toolchain is missing, so the shim
//! reads no settings for that on the usual path.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env;
use crate::fs::FileId;
use crate::home::{exe_name, GoverHome};
use crate::request::VersionRequest;
use crate::resolve::{resolve, Resolution, ResolveContext, ResolveError};
use crate::settings::Origin;
use crate::text::untrusted_path;
use crate::toolenv::{find_system_tool, SystemTool};
use crate::version::GoVersion;

/// What to select.
#[derive(Debug)]
pub enum Want<'a> {
    /// The version pinned for a directory, as [`resolve`] finds it.
    Pinned(&'a ResolveContext),
    /// A version named on the command line (`gover exec 1.22`) or by the
    /// shim's own name (`go1.22.10`).
    Named {
        /// The request.
        request: VersionRequest,
        /// Why this version: `given on the command line`.
        reason: String,
    },
}

/// A toolchain ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toolchain {
    /// One of gover's installs.
    Managed {
        /// Its version.
        version: GoVersion,
        /// Its GOROOT (`$GOVER_HOME/toolchains/go<version>`).
        goroot: PathBuf,
    },
    /// The first `go` on `PATH` that is not gover's (the `system` pin).
    System(SystemTool),
    /// A custom toolchain registered with `gover link`.
    Linked {
        /// Its name (`go1.22.10-bigcorp`).
        name: String,
        /// Its GOROOT (`$GOVER_HOME/links/<name>`, a link to the tree).
        goroot: PathBuf,
    },
    /// A custom toolchain found on `PATH` by its name, as Go finds one.
    OnPath {
        /// Its name (`go1.22.10-bigcorp`).
        name: String,
        /// The executable and its GOROOT, when it has one.
        tool: SystemTool,
    },
}

/// The toolchain chosen, and why.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// The executable of the tool asked for (`<GOROOT>/bin/go`, or the
    /// system `gofmt` found on `PATH`). It may not exist: a toolchain
    /// without that tool.
    pub exe: PathBuf,
    /// Why: `set by /abs/.go-version`, `given on the command line`.
    pub reason: String,
    /// The resolution behind a [`Want::Pinned`] selection.
    pub resolution: Option<Resolution>,
}

impl Selection {
    /// `go1.22.10`, `system`, or a custom toolchain's name (escaped and
    /// shortened: it may come from a go.mod or `GOTOOLCHAIN`).
    pub fn name(&self) -> String {
        match &self.toolchain {
            Toolchain::Managed { version, .. } => version.toolchain_name(),
            Toolchain::System(_) => VersionRequest::System.to_string(),
            Toolchain::Linked { name, .. } | Toolchain::OnPath { name, .. } => {
                crate::text::shorten(name, 80)
            }
        }
    }

    /// The GOROOT the toolchain runs with (`None`: a Go found on `PATH`
    /// whose root is not a complete Go tree; GOROOT is then removed).
    pub fn goroot(&self) -> Option<&Path> {
        match &self.toolchain {
            Toolchain::Managed { goroot, .. } | Toolchain::Linked { goroot, .. } => Some(goroot),
            Toolchain::System(s) | Toolchain::OnPath { tool: s, .. } => s.goroot.as_deref(),
        }
    }
}

/// A toolchain that must be installed before it can run.
#[derive(Debug)]
pub struct Missing<'a> {
    /// What to install (`1.22.10`, `1.23`, `latest`): the argument for
    /// `gover install`.
    pub request: &'a VersionRequest,
    /// How to name it in a message: `go1.22.10`.
    pub name: &'a str,
    /// Why it is wanted: `set by /abs/.go-version`.
    pub reason: &'a str,
    /// True when it is the release a go.mod/go.work `go` line asks for: a
    /// minimum, which a newer patch of the same line also satisfies.
    pub go_line: bool,
}

/// Installs a missing toolchain. On failure the hook has told the user
/// everything (or its error says it all): the error is passed up as it is.
pub trait InstallHook {
    /// What a failed install (or settings lookup) returns.
    type Error;
    /// `Ok(None)` when automatic installs are on; `Ok(Some(origin))` when
    /// the setting at `origin` turned them off. Asked only when a toolchain
    /// is missing.
    fn turned_off(&mut self) -> Result<Option<Origin>, Self::Error>;
    /// Installs `missing`; `Ok` when it should now be installed.
    fn install(&mut self, missing: &Missing<'_>) -> Result<(), Self::Error>;
}

/// A hook for commands that never install (`gover which`): pass `None`
/// for the hook, typed as this.
#[derive(Debug)]
pub struct NoInstall;

impl InstallHook for NoInstall {
    type Error = std::convert::Infallible;
    fn turned_off(&mut self) -> Result<Option<Origin>, Self::Error> {
        Ok(None)
    }
    fn install(&mut self, _: &Missing<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Why no toolchain was selected.
#[derive(Debug)]
pub enum SelectError<E> {
    /// The pin cannot be resolved.
    Resolve(ResolveError),
    /// The current directory is unknown and nothing else decides: it was
    /// deleted (`None`), or this error says why.
    NoCurrentDir(Option<io::Error>),
    /// The toolchain is not installed and was not installed now.
    NotInstalled {
        /// `go1.22.10`.
        name: String,
        /// Why it is wanted.
        reason: String,
        /// The argument for `gover install`.
        request: String,
        /// Where automatic installs were turned off, if they were.
        off: Option<Origin>,
    },
    /// `system` is selected but no Go other than gover's is on `PATH`.
    NoSystemTool {
        /// The tool looked for.
        tool: String,
        /// Why `system` is selected.
        reason: String,
    },
    /// A custom toolchain is selected but neither linked nor on `PATH`.
    NotLinked {
        /// Its name (`go1.22.10-bigcorp`).
        name: String,
        /// Why it is selected.
        reason: String,
    },
    /// A custom toolchain found on `PATH` has no GOROOT in which to find
    /// the tool asked for (`gofmt`).
    NoToolInCustom {
        /// The toolchain's name.
        name: String,
        /// The tool.
        tool: String,
        /// Where the toolchain was found.
        exe: PathBuf,
    },
    /// The install hook failed (and has reported it, or its error says
    /// everything).
    Hook(E),
    /// The hook succeeded, yet the toolchain is not there.
    StillMissing {
        /// `go1.22.10`.
        name: String,
        /// `$GOVER_HOME/toolchains`.
        toolchains: PathBuf,
    },
}

impl<E> From<ResolveError> for SelectError<E> {
    fn from(e: ResolveError) -> Self {
        Self::Resolve(e)
    }
}

impl<E: fmt::Display> fmt::Display for SelectError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Resolve(e) => e.fmt(f),
            Self::NoCurrentDir(None) => f.write_str(
                "the current directory no longer exists (it was deleted), so there is no pin file to go by",
            ),
            Self::NoCurrentDir(Some(e)) => {
                write!(f, "cannot determine the current directory: {e}")
            }
            Self::NotInstalled { name, reason, .. } => {
                write!(f, "{name} is not installed ({reason})")
            }
            Self::NoSystemTool { tool, reason } => write!(
                f,
                "`system` Go is selected ({reason}) but no `{tool}` other than gover's shims is on PATH"
            ),
            Self::NotLinked { name, reason } => write!(
                f,
                "{} ({reason}) is a custom toolchain, and it is neither linked with `gover link` nor on PATH; gover never runs a stock release in its place",
                crate::text::shorten(name, 80)
            ),
            Self::NoToolInCustom { name, tool, exe } => write!(
                f,
                "{} was found on PATH as {}, which is not in a complete Go tree, so there is no `{tool}` to run",
                crate::text::shorten(name, 80),
                untrusted_path(exe)
            ),
            Self::Hook(e) => e.fmt(f),
            Self::StillMissing { name, toolchains } => write!(
                f,
                "`gover install` succeeded but {name} is still not in {}",
                untrusted_path(toolchains)
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for SelectError<E> {}

impl<E> SelectError<E> {
    /// What to do about it (`None` for [`SelectError::Hook`], whose error
    /// carries its own advice).
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Resolve(e) => e.hint(),
            Self::NoCurrentDir(_) => Some(format!(
                "cd to a directory that exists, name one with `go -C /abs/dir ...`, or set {}",
                env::GOVER_GO_VERSION
            )),
            Self::NotInstalled {
                request, off: None, ..
            } => Some(format!("run `gover install {request}`")),
            Self::NotInstalled {
                request,
                off: Some(origin),
                ..
            } => Some(format!(
                "run `gover install {request}` (automatic installs are turned off by {origin})"
            )),
            Self::NoSystemTool { .. } => Some(
                "install Go with your system's package manager, or pin a version gover manages: `gover use 1.22`".into(),
            ),
            Self::NotLinked { name, .. } => Some(match crate::request::custom_toolchain(name) {
                Some(_) => format!(
                    "register its Go tree: `gover link {name} /path/to/its/goroot` (the directory holding bin/go and pkg/tool)"
                ),
                None => "name a release, or a custom toolchain such as go1.22.10-bigcorp that `gover link` registered".to_string(),
            }),
            Self::NoToolInCustom { name, .. } => Some(format!(
                "register its Go tree with `gover link {} /path/to/its/goroot`",
                crate::text::shorten(name, 80)
            )),
            Self::Hook(_) => None,
            Self::StillMissing { .. } => Some(
                "run `gover list` to see what is installed and `gover doctor` to check gover's home"
                    .into(),
            ),
        }
    }
}

/// The resolution context for a command run in `dir` (`None`: the current
/// directory is unknown, such as after it was deleted). Without a
/// directory only `GOVER_GO_VERSION` can decide: the context then names `/`,
/// which is never walked because the variable's pin comes first.
pub fn context_for<E>(
    home: &GoverHome,
    dir: io::Result<Option<PathBuf>>,
) -> Result<ResolveContext, SelectError<E>> {
    match dir {
        Ok(Some(d)) => Ok(ResolveContext::from_process(home.clone(), d)),
        Ok(None) if env::var_os(env::GOVER_GO_VERSION).is_some() => Ok(
            ResolveContext::from_process(home.clone(), PathBuf::from("/")),
        ),
        Ok(None) => Err(SelectError::NoCurrentDir(None)),
        Err(e) => Err(SelectError::NoCurrentDir(Some(e))),
    }
}

/// The installed toolchain that satisfies `request` (the newest, for a
/// line or `latest`).
pub fn installed_match(home: &GoverHome, request: &VersionRequest) -> Option<GoVersion> {
    match request {
        VersionRequest::Exact(v) => home.find_installed(v),
        VersionRequest::System | VersionRequest::Custom(_) => None,
        _ => request
            .select(home.installed().unwrap_or_default().iter())
            .cloned(),
    }
}

/// The custom toolchain `name`: linked with `gover link`, else an
/// executable of that name on `path` that is not gover's (as Go finds one).
pub fn find_custom(
    home: &GoverHome,
    name: &str,
    path: &std::ffi::OsStr,
    shim: Option<FileId>,
) -> Option<Toolchain> {
    if let Some(goroot) = home.find_linked(name) {
        return Some(Toolchain::Linked {
            name: name.to_string(),
            goroot,
        });
    }
    find_system_tool(name, path, home, shim).map(|tool| Toolchain::OnPath {
        name: name.to_string(),
        tool,
    })
}

/// The installed version a resolution names, if it is installed.
fn installed_in(r: &Resolution) -> Option<GoVersion> {
    r.version.clone().filter(|_| r.installed)
}

/// Selects the toolchain for `want` and the executable of `tool` (`go`,
/// `gofmt`) in it. `shim` gives the identity of gover's shim, skipped when
/// looking for the `system` Go on `PATH` (asked only then). A missing
/// toolchain is installed through `hook`; without one it is an error.
pub fn select<H: InstallHook>(
    home: &GoverHome,
    want: &Want<'_>,
    tool: &str,
    shim: &dyn Fn() -> Option<FileId>,
    hook: Option<&mut H>,
) -> Result<Selection, SelectError<H::Error>> {
    let (request, reason, resolution, found) = match want {
        Want::Pinned(ctx) => {
            let r = resolve(ctx)?;
            let found = installed_in(&r);
            (r.request.clone(), r.reason(), Some(r), found)
        }
        Want::Named { request, reason } => (
            request.clone(),
            reason.clone(),
            None,
            installed_match(home, request),
        ),
    };
    if matches!(request, VersionRequest::System | VersionRequest::Custom(_)) {
        return on_path(home, request, tool, reason, resolution, shim());
    }
    if let Some(v) = found {
        return Ok(managed(home, v, tool, reason, resolution));
    }
    let name = match resolution.as_ref().and_then(|r| r.version.as_ref()) {
        Some(v) => v.toolchain_name(),
        None => request.describe(),
    };
    let not_installed = |off| SelectError::NotInstalled {
        name: name.clone(),
        reason: reason.clone(),
        request: request.to_string(),
        off,
    };
    let Some(hook) = hook else {
        return Err(not_installed(None));
    };
    if resolution.as_ref().is_some_and(|r| r.path_only) {
        // GOTOOLCHAIN=path: Go never downloads, and gover does not install.
        return Err(not_installed(Some(Origin::Env(env::GOTOOLCHAIN))));
    }
    if let Some(origin) = hook.turned_off().map_err(SelectError::Hook)? {
        return Err(not_installed(Some(origin)));
    }
    let missing = Missing {
        request: &request,
        name: &name,
        reason: &reason,
        go_line: resolution.as_ref().is_some_and(|r| {
            matches!(
                r.source,
                crate::resolve::PinSource::ProjectGoLine {
                    via_global: None,
                    ..
                }
            )
        }),
    };
    hook.install(&missing).map_err(SelectError::Hook)?;
    let (found, resolution) = match want {
        Want::Pinned(ctx) => {
            let r = resolve(ctx)?;
            (installed_in(&r), Some(r))
        }
        Want::Named { request, .. } => (installed_match(home, request), None),
    };
    match found {
        Some(v) => Ok(managed(home, v, tool, reason, resolution)),
        None => Err(SelectError::StillMissing {
            name,
            toolchains: home.toolchains_dir(),
        }),
    }
}

/// Selects a toolchain that is not gover's own install: `system`, or a
/// custom toolchain (linked, or on `PATH`).
fn on_path<E>(
    home: &GoverHome,
    request: VersionRequest,
    tool: &str,
    reason: String,
    resolution: Option<Resolution>,
    shim: Option<FileId>,
) -> Result<Selection, SelectError<E>> {
    let path = std::env::var_os(env::PATH).unwrap_or_default();
    let toolchain = match &request {
        VersionRequest::Custom(name) => {
            find_custom(home, name, &path, shim).ok_or_else(|| SelectError::NotLinked {
                name: name.clone(),
                reason: reason.clone(),
            })?
        }
        _ => match find_system_tool(tool, &path, home, shim) {
            Some(found) => Toolchain::System(found),
            None => {
                return Err(SelectError::NoSystemTool {
                    tool: tool.to_string(),
                    reason,
                })
            }
        },
    };
    let exe = match &toolchain {
        Toolchain::System(found) => found.path.clone(),
        Toolchain::OnPath { tool: found, .. } if tool == "go" => found.path.clone(),
        Toolchain::OnPath { name, tool: found } => match &found.goroot {
            Some(root) => root.join("bin").join(exe_name(tool)),
            None => {
                return Err(SelectError::NoToolInCustom {
                    name: name.clone(),
                    tool: tool.to_string(),
                    exe: found.path.clone(),
                })
            }
        },
        Toolchain::Linked { goroot, .. } | Toolchain::Managed { goroot, .. } => {
            goroot.join("bin").join(exe_name(tool))
        }
    };
    Ok(Selection {
        toolchain,
        exe,
        reason,
        resolution,
    })
}

fn managed(
    home: &GoverHome,
    version: GoVersion,
    tool: &str,
    reason: String,
    resolution: Option<Resolution>,
) -> Selection {
    let goroot = home.toolchain_dir(&version);
    Selection {
        exe: goroot.join("bin").join(exe_name(tool)),
        toolchain: Toolchain::Managed { version, goroot },
        reason,
        resolution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake<'a> {
        home: &'a GoverHome,
        calls: Vec<String>,
        works: bool,
        off: Option<Origin>,
    }

    impl InstallHook for Fake<'_> {
        type Error = String;
        fn turned_off(&mut self) -> Result<Option<Origin>, String> {
            Ok(self.off.clone())
        }
        fn install(&mut self, m: &Missing<'_>) -> Result<(), String> {
            self.calls
                .push(format!("{} {} ({})", m.request, m.name, m.reason));
            if !self.works {
                return Err("the mirror is down".into());
            }
            let v = GoVersion::parse("1.22.10").unwrap();
            let bin = self.home.toolchain_dir(&v).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join(exe_name("go")), "").unwrap();
            Ok(())
        }
    }

    fn named(s: &str) -> Want<'static> {
        Want::Named {
            request: VersionRequest::parse(s).unwrap(),
            reason: "given on the command line".into(),
        }
    }

    #[test]
    fn installs_through_the_hook_once_and_passes_its_error_up() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let mut hook = Fake {
            home: &home,
            calls: Vec::new(),
            works: false,
            off: None,
        };
        let e = select(&home, &named("1.22"), "go", &|| None, Some(&mut hook)).unwrap_err();
        assert!(matches!(&e, SelectError::Hook(m) if m == "the mirror is down"));
        assert_eq!(e.to_string(), "the mirror is down");
        assert_eq!(e.hint(), None);
        hook.works = true;
        let s = select(&home, &named("1.22"), "go", &|| None, Some(&mut hook)).unwrap();
        assert_eq!(s.name(), "go1.22.10");
        assert_eq!(
            s.exe,
            home.toolchain_dir(&GoVersion::parse("1.22.10").unwrap())
                .join("bin/go")
        );
        assert_eq!(
            hook.calls,
            ["1.22 `1.22` (the newest go1.22.x) (given on the command line)"; 2]
        );
        // Installed now: the hook is not called again.
        select(&home, &named("1.22"), "go", &|| None, Some(&mut hook)).unwrap();
        assert_eq!(hook.calls.len(), 2);
    }

    #[test]
    fn not_installed_says_why_it_was_not_installed() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let e = select(
            &home,
            &named("1.99.1"),
            "go",
            &|| None,
            None::<&mut NoInstall>,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "go1.99.1 is not installed (given on the command line)"
        );
        assert_eq!(e.hint().unwrap(), "run `gover install 1.99.1`");
        let mut hook = Fake {
            home: &home,
            calls: Vec::new(),
            works: true,
            off: Some(Origin::Env(env::GOVER_AUTO_INSTALL)),
        };
        let e = select(&home, &named("1.99.1"), "go", &|| None, Some(&mut hook)).unwrap_err();
        assert!(hook.calls.is_empty());
        assert_eq!(
            e.hint().unwrap(),
            "run `gover install 1.99.1` (automatic installs are turned off by GOVER_AUTO_INSTALL)"
        );
    }

    #[test]
    fn a_hook_that_installs_nothing_is_caught() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let e = select(
            &home,
            &named("1.99.1"),
            "go",
            &|| None,
            Some(&mut NoInstall),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`gover install` succeeded but go1.99.1 is still not in "),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_current_directory_needs_gover_go_version() {
        let home = GoverHome::new("/nonexistent");
        let e = context_for::<String>(&home, Err(io::Error::from(io::ErrorKind::PermissionDenied)))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot determine the current directory: "),
            "{e}"
        );
        let e = context_for::<String>(&home, Ok(None)).unwrap_err();
        assert!(e.to_string().contains("was deleted"), "{e}");
        assert!(e.hint().unwrap().contains("go -C /abs/dir"));
    }
}
