//! Which toolchain a command runs: a thin adapter over
//! `gover_core::select` (the pin for the current directory, as the shim
//! resolves it, or a version given on the command line), installing a
//! missing one in this process where that is on, with the CLI's error
//! rendering and the checks only `gover which` needs.

use std::convert::Infallible;
use std::path::PathBuf;

use anyhow::Result;
use gover_core::fs::FileId;
use gover_core::gocmd::known_dir;
use gover_core::home::exe_name;
use gover_core::resolve::{logical_cwd, resolve, ResolveContext};
use gover_core::select::{context_for, SelectError, Selection, Toolchain, Want};
use gover_core::text::untrusted_path;
use gover_core::toolenv::ToolEnv;
use gover_core::{env, Resolution, ResolveError, VersionRequest};

use crate::app::App;
use crate::error::UserError;
use crate::installing::InProcess;

/// A selection error as the user sees it; a failed in-process install is
/// passed up unchanged (it is the whole story).
fn select_error<E: Into<anyhow::Error> + std::fmt::Display>(e: SelectError<E>) -> anyhow::Error {
    match e {
        SelectError::Hook(e) => e.into(),
        SelectError::Resolve(e) => resolve_error(e),
        e => {
            let mut u = UserError::new(e.to_string());
            u.hint = e.hint();
            u.into()
        }
    }
}

/// The resolution context for the current directory (see [`resolve_here`]).
pub(crate) fn context_here(app: &App, trace: bool) -> Result<ResolveContext> {
    let mut ctx =
        context_for::<Infallible>(&app.home, known_dir(logical_cwd())).map_err(select_error)?;
    ctx.want_project = true;
    ctx.trace = trace;
    Ok(ctx)
}

/// Resolves the pin for the current directory, with the governing project
/// file and (with `-v`) the trace of every rule checked; pin files that
/// were ignored are warned about.
pub(crate) fn resolve_here(app: &App, trace: bool) -> Result<Resolution> {
    try_resolve_here(app, trace)?.map_err(resolve_error)
}

/// Like [`resolve_here`], with the resolver's own error (for commands that
/// describe it further, such as `current --json`); the outer error is one
/// that stopped the resolution from starting.
pub(crate) fn try_resolve_here(
    app: &App,
    trace: bool,
) -> Result<std::result::Result<Resolution, ResolveError>> {
    let r = resolve(&context_here(app, trace)?);
    if let Ok(r) = &r {
        warn_ignored(app, r);
    }
    Ok(r)
}

/// A resolution error as the user sees it, after the warnings of what was
/// ignored on the way.
pub(crate) fn resolve_error(e: ResolveError) -> anyhow::Error {
    for w in e.warnings() {
        crate::output::warn(w);
    }
    UserError::from(e).into()
}

fn warn_ignored(app: &App, r: &Resolution) {
    for w in &r.warnings {
        app.warn(w);
    }
}

/// The identity of gover's shim, to skip its hard links when looking for
/// the system Go.
pub(crate) fn shim_id(app: &App) -> Option<FileId> {
    FileId::of(&app.home.shim_file("go")).or_else(|| {
        crate::shimlinks::shim_source()
            .ok()
            .and_then(|p| FileId::of(&p))
    })
}

/// Selects the toolchain for `version` (as typed) or, without one, the pin
/// for the current directory, and `tool` in it. With `install`, a missing
/// version is installed first (in this process) when automatic installs
/// are on, as the shim does.
pub(crate) fn select(
    app: &App,
    version: Option<&str>,
    tool: &str,
    install: bool,
) -> Result<Selection> {
    let ctx;
    let want = match version {
        Some(v) => Want::Named {
            request: named_request(app, v)?,
            reason: "given on the command line".into(),
        },
        None => {
            ctx = context_here(app, false)?;
            Want::Pinned(&ctx)
        }
    };
    let mut hook = InProcess(app);
    let hook = if install { Some(&mut hook) } else { None };
    let sel = gover_core::select::select(&app.home, &want, tool, &|| shim_id(app), hook)
        .map_err(select_error)?;
    if let Some(r) = &sel.resolution {
        warn_ignored(app, r);
    }
    Ok(sel)
}

/// A version given on the command line, as a toolchain to run reads it
/// (`1.20` is the release go1.20); `oldstable` is answered by the release
/// index (or, when it cannot be read, among installed toolchains).
fn named_request(app: &App, v: &str) -> Result<VersionRequest> {
    let request = VersionRequest::parse(v)
        .map_err(|e| {
            UserError::new(e.to_string()).hint("`gover list` shows the installed versions")
        })?
        .as_run();
    if request != VersionRequest::Oldstable {
        return Ok(request);
    }
    match crate::installing::newest_available(app, &request)? {
        Some(v) => Ok(VersionRequest::Exact(v)),
        None => Err(UserError::new("no release is known for `oldstable`").into()),
    }
}

/// The environment the toolchain runs with, from this process's.
pub(crate) fn tool_env(app: &App, sel: &Selection) -> ToolEnv {
    ToolEnv::from_process(sel.goroot(), app.settings.gotoolchain.value)
}

/// Like [`tool_env`], for commands that rely on `PATH` (`exec`, `env`): an
/// error when the toolchain's `bin` cannot be put first on `PATH` because
/// its path holds the separator, instead of silently running another `go`
/// with this toolchain's GOROOT.
pub(crate) fn path_tool_env(app: &App, sel: &Selection) -> Result<ToolEnv> {
    let env = tool_env(app, sel);
    if let (Some(bin), None) = (&env.bin_dir, &env.path) {
        let first = std::env::var_os(env::PATH).and_then(|p| std::env::split_paths(&p).next());
        if first.as_deref() != Some(bin.as_path()) {
            let sep = if cfg!(windows) { ';' } else { ':' };
            return Err(UserError::new(format!(
                "cannot put {} first on PATH: it contains `{sep}`, the PATH separator",
                untrusted_path(bin)
            ))
            .hint(format!(
                "move gover's home to a directory whose path has no `{sep}` and set GOVER_HOME to it"
            ))
            .into());
        }
    }
    Ok(env)
}

/// The absolute path of `tool` in the selected toolchain, or why it is not
/// there (a tool the go command runs itself, such as `vet`, lives in
/// `pkg/tool`).
pub(crate) fn tool_path(sel: &Selection, tool: &str) -> Result<PathBuf> {
    let Toolchain::Managed { goroot, version } = &sel.toolchain else {
        return Ok(sel.exe.clone());
    };
    if sel.exe.is_file() {
        return Ok(sel.exe.clone());
    }
    let bin = goroot.join("bin");
    let in_pkg_tool = std::fs::read_dir(goroot.join("pkg").join("tool"))
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|d| {
            let t = d.path().join(exe_name(tool));
            t.is_file().then_some(t)
        });
    let name = version.toolchain_name();
    let e = match in_pkg_tool {
        Some(t) => UserError::new(format!(
            "`{tool}` is not in {name}'s bin directory: it is a tool the go command runs ({})",
            untrusted_path(&t)
        ))
        .hint(format!(
            "run it as `go tool {tool}`; `gover which` names the files in {}",
            untrusted_path(&bin)
        )),
        None => UserError::new(format!(
            "{tool} is not part of {name} ({} does not exist)",
            untrusted_path(&sel.exe)
        ))
        .hint(format!(
            "the tools are the files in {}; if `{tool}` should be there, reinstall: `gover install --force {version}`",
            untrusted_path(&bin)
        )),
    };
    Err(e.into())
}

/// Warns on stderr when the pin is older than the `go` line of the
/// governing go.mod/go.work: Go would refuse to build (or download).
/// Also warns when the governing go.mod/go.work is invalid although a pin
/// file decided the version: Go will reject it.
pub(crate) fn warn_if_older_than_project(app: &App, r: &Resolution) {
    let decided_by = || {
        r.source
            .path()
            .map_or_else(|| r.source.to_string(), |p| untrusted_path(p).to_string())
    };
    if let Some(e) = &r.project_error {
        app.warn(format!(
            "{e}; Go will reject this file when it builds here (the version itself comes from {})",
            decided_by()
        ));
    }
    if let Some((project, min)) = r.older_than_project() {
        app.warn_with_hint(
            format!(
                "{} from {} is older than the go line of {} (go {}); Go would refuse to build or download {}",
                r.display_name(),
                decided_by(),
                untrusted_path(&project.path),
                project.go.as_ref().map(|g| g.to_string()).unwrap_or_default(),
                min.toolchain_name(),
            ),
            format!(
                "pin {} or newer, e.g. `gover use {}`",
                min.toolchain_name(),
                min.lang()
            ),
        );
    }
}
