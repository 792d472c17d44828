//! Which toolchain a command runs: the pin for the current directory (as
//! the shim resolves it) or a version given on the command line, turned
//! into a GOROOT, installing a missing one first where that is on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use gover_core::home::exe_name;
use gover_core::resolve::{logical_cwd, resolve, ResolveContext};
use gover_core::toolenv::{find_system_tool, FileId, GoToolchainPolicy, SystemTool, ToolEnv};
use gover_core::{GoVersion, Resolution, VersionRequest};

use crate::app::{App, Verbosity};
use crate::error::UserError;

/// Resolves the pin for the current directory, with the governing project
/// file and (with `-v`) the trace of every rule checked.
pub(crate) fn resolve_here(app: &App, trace: bool) -> Result<gover_core::Resolution> {
    Ok(resolve(&context_here(app, trace)?).map_err(UserError::from)?)
}

/// The resolution context for the current directory (see [`resolve_here`]).
pub(crate) fn context_here(app: &App, trace: bool) -> Result<ResolveContext> {
    let cwd = logical_cwd()
        .map_err(|e| UserError::new(format!("cannot determine the current directory: {e}")))?;
    let mut ctx = ResolveContext::from_process(app.home.clone(), cwd);
    ctx.want_project = true;
    ctx.trace = trace;
    Ok(ctx)
}

/// A toolchain ready to run.
#[derive(Debug)]
pub(crate) enum Toolchain {
    /// One of gover's installs.
    Managed {
        /// Its version.
        version: GoVersion,
        /// Its GOROOT (`$GOVER_HOME/toolchains/go<version>`).
        goroot: PathBuf,
    },
    /// The first `go` on PATH that is not gover's (the `system` pin).
    System(SystemTool),
}

/// The toolchain chosen for a command, and why.
#[derive(Debug)]
pub(crate) struct Selection {
    /// The toolchain.
    pub(crate) toolchain: Toolchain,
    /// Why: `set by /abs/.go-version`, `given on the command line`.
    pub(crate) reason: String,
}

impl Selection {
    /// `go1.22.10`, or `system`.
    pub(crate) fn name(&self) -> String {
        match &self.toolchain {
            Toolchain::Managed { version, .. } => version.toolchain_name(),
            Toolchain::System(_) => "system".into(),
        }
    }

    /// The GOROOT the toolchain runs with (`None`: a system Go whose root
    /// is not a complete Go tree; GOROOT is then removed).
    pub(crate) fn goroot(&self) -> Option<&Path> {
        match &self.toolchain {
            Toolchain::Managed { goroot, .. } => Some(goroot),
            Toolchain::System(s) => s.goroot.as_deref(),
        }
    }

    /// The environment the toolchain runs with, from this process's.
    pub(crate) fn tool_env(&self, app: &App) -> ToolEnv {
        let policy = if app.settings.gotoolchain_inherit {
            GoToolchainPolicy::Inherit
        } else {
            GoToolchainPolicy::Local
        };
        ToolEnv::from_process(self.goroot(), policy)
    }

    /// Like [`Selection::tool_env`], for commands that rely on `PATH`
    /// (`exec`, `env`): an error when the toolchain's `bin` cannot be put
    /// first on `PATH` because its path holds the separator, instead of
    /// silently running another `go` with this toolchain's GOROOT.
    pub(crate) fn path_tool_env(&self, app: &App) -> Result<ToolEnv> {
        let env = self.tool_env(app);
        if let (Some(bin), None) = (&env.bin_dir, &env.path) {
            let first = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).next());
            if first.as_deref() != Some(bin.as_path()) {
                let sep = if cfg!(windows) { ';' } else { ':' };
                return Err(UserError::new(format!(
                    "cannot put {} first on PATH: it contains `{sep}`, the PATH separator",
                    bin.display()
                ))
                .hint(format!(
                    "move gover's home to a directory whose path has no `{sep}` and set GOVER_HOME to it"
                ))
                .into());
            }
        }
        Ok(env)
    }

    /// The absolute path of `tool` (`go`, `gofmt`) in this toolchain.
    pub(crate) fn tool_path(&self, app: &App, tool: &str) -> Result<PathBuf> {
        match &self.toolchain {
            Toolchain::Managed { goroot, version } => {
                let p = goroot.join("bin").join(exe_name(tool));
                if p.is_file() {
                    return Ok(p);
                }
                // vet, compile, cover...: tools the go command runs itself.
                let in_pkg_tool = std::fs::read_dir(goroot.join("pkg").join("tool"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .find_map(|d| {
                        let t = d.path().join(exe_name(tool));
                        t.is_file().then_some(t)
                    });
                if let Some(t) = in_pkg_tool {
                    return Err(UserError::new(format!(
                        "`{tool}` is not in {}'s bin directory: it is a tool the go command runs ({})",
                        version.toolchain_name(),
                        t.display()
                    ))
                    .hint(format!(
                        "run it as `go tool {tool}`; `gover which` names the files in {}",
                        goroot.join("bin").display()
                    ))
                    .into());
                }
                Err(UserError::new(format!(
                    "{tool} is not part of {} ({} does not exist)",
                    version.toolchain_name(),
                    p.display()
                ))
                .hint(format!(
                    "the tools are the files in {}; if `{tool}` should be there, reinstall: `gover install --force {}`",
                    goroot.join("bin").display(),
                    version
                ))
                .into())
            }
            Toolchain::System(go) if tool == "go" => Ok(go.path.clone()),
            Toolchain::System(_) => system_tool(app, tool, &self.reason).map(|s| s.path),
        }
    }
}

/// The identity of gover's shim, to skip its hard links when looking for
/// the system Go.
fn shim_id(app: &App) -> Option<FileId> {
    FileId::of(&app.home.shims_dir().join(exe_name("go"))).or_else(|| {
        crate::shimlinks::shim_source()
            .ok()
            .and_then(|p| FileId::of(&p))
    })
}

fn system_tool(app: &App, tool: &str, reason: &str) -> Result<SystemTool> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_system_tool(tool, &path, &app.home, shim_id(app)).ok_or_else(|| {
        UserError::new(format!(
            "`system` Go is selected ({reason}) but no `{tool}` other than gover's shims is on PATH"
        ))
        .hint("install Go with your system's package manager, or pin a version gover manages: `gover use 1.22`")
        .into()
    })
}

/// Selects the toolchain for `version` (as typed) or, without one, the pin
/// for the current directory. With `install`, a missing version is
/// installed first when automatic installs are on (as the shim does).
pub(crate) fn select(app: &App, version: Option<&str>, install: bool) -> Result<Selection> {
    let (request, reason, found) = match version {
        Some(v) => {
            let request = VersionRequest::parse(v).map_err(|e| {
                UserError::new(e.to_string()).hint("`gover list` shows the installed versions")
            })?;
            let found = installed_match(app, &request);
            (request, "given on the command line".to_string(), found)
        }
        None => {
            let res = resolve_here(app, false)?;
            let found = found_in(app, &res);
            (res.request, res.source.to_string(), found)
        }
    };
    if request == VersionRequest::System {
        let go = system_tool(app, "go", &reason)?;
        return Ok(Selection {
            toolchain: Toolchain::System(go),
            reason,
        });
    }
    if let Some(version) = found {
        return Ok(managed(app, version, reason));
    }
    let name = display_name(&request);
    if !install || !app.settings.auto_install {
        return Err(
            UserError::new(format!("{name} is not installed ({reason})"))
                .hint(format!("run `gover install {request}`"))
                .into(),
        );
    }
    app.info(format!("{name} is not installed ({reason}); installing it"));
    // stdout is data here (`eval "$(gover env)"`, the command's output).
    run_gover_install(app, &request.to_string(), true)?;
    let Some(version) = (match version {
        Some(_) => installed_match(app, &request),
        None => found_in(app, &resolve_here(app, false)?),
    }) else {
        return Err(UserError::new(format!(
            "{name} is still not installed in {} after `gover install {request}`",
            app.home.toolchains_dir().display()
        ))
        .into());
    };
    Ok(managed(app, version, reason))
}

fn managed(app: &App, version: GoVersion, reason: String) -> Selection {
    let goroot = app.home.toolchain_dir(&version);
    Selection {
        toolchain: Toolchain::Managed { version, goroot },
        reason,
    }
}

/// `go1.22.10` for exact requests, `go1.22` / `golatest` style otherwise.
fn display_name(request: &VersionRequest) -> String {
    match request {
        VersionRequest::Latest | VersionRequest::Stable => format!("the {request} Go release"),
        _ => format!("go{request}"),
    }
}

fn found_in(app: &App, res: &Resolution) -> Option<GoVersion> {
    match (&res.version, res.installed) {
        (Some(v), true) => app.home.find_installed(v),
        _ => None,
    }
}

/// The installed version that satisfies `request` (the newest, for lines).
pub(crate) fn installed_match(app: &App, request: &VersionRequest) -> Option<GoVersion> {
    match request {
        VersionRequest::Exact(v) => app.home.find_installed(v),
        VersionRequest::System => None,
        _ => request
            .select(app.home.installed().unwrap_or_default().iter())
            .cloned(),
    }
}

/// Runs `gover install REQUEST` with this executable, passing `--offline`
/// and `-q` on. Its stdout goes to ours, or to stderr with
/// `stdout_to_stderr` (for commands whose stdout is data).
pub(crate) fn run_gover_install(app: &App, request: &str, stdout_to_stderr: bool) -> Result<()> {
    let exe = std::env::current_exe().context("cannot locate the running gover executable")?;
    let mut cmd = Command::new(&exe);
    cmd.arg("install").arg(request);
    if app.settings.offline {
        cmd.arg("--offline");
    }
    if app.verbosity == Verbosity::Quiet {
        cmd.arg("-q");
    }
    if stdout_to_stderr {
        cmd.stdout(Stdio::from(std::io::stderr()));
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {} install", exe.display()))?;
    if !status.success() {
        return Err(
            UserError::new(format!("`gover install {request}` failed ({status})"))
                .hint(format!(
                    "fix the problem above, then run `gover install {request}`"
                ))
                .into(),
        );
    }
    Ok(())
}

/// Warns on stderr when the pin is older than the `go` line of the
/// governing go.mod/go.work: Go would refuse to build (or download).
/// Also warns when the governing go.mod/go.work is invalid although a pin
/// file decided the version: Go will reject it.
pub(crate) fn warn_if_older_than_project(app: &App, r: &gover_core::Resolution) {
    if let Some(e) = &r.project_error {
        app.warn(format!(
            "{e}; Go will reject this file when it builds here (the version itself comes from {})",
            r.source
                .path()
                .map_or_else(|| r.source.to_string(), |p| p.display().to_string())
        ));
    }
    if let Some((project, min)) = r.older_than_project() {
        app.warn(format!(
            "{} from {} is older than the go line of {} (go {}); Go would refuse to build or download {}\n\nhint: pin {} or newer, e.g. `gover use {}`",
            r.display_name(),
            r.source.path().map_or_else(|| r.source.to_string(), |p| p.display().to_string()),
            project.path.display(),
            project.go.as_ref().map(|g| g.to_string()).unwrap_or_default(),
            min.toolchain_name(),
            min.toolchain_name(),
            min.lang(),
        ));
    }
}
