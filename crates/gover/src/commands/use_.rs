//! `gover use VERSION [--global] [--no-install]`: pins a version for this
//! directory (`.go-version`) or as the global default
//! (`$GOVER_HOME/version`), installing it first when it is missing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::env;
use gover_core::fs::{LinkPolicy, UserFile};
use gover_core::pinfile::is_pin_only;
use gover_core::resolve::{is_temp_dir, logical_cwd};
use gover_core::select::{find_custom, installed_match, Toolchain};
use gover_core::text::untrusted_path;
use gover_core::toolenv::find_system_tool;
use gover_core::{PinSource, VersionRequest};
use gover_dist::Platform;

use crate::app::App;
use crate::cli::UseArgs;
use crate::error::{fs_cause, UserError};
use crate::installing::{install_requests, newest_available};
use crate::selecting::{context_here, resolve_here, shim_id, warn_if_older_than_project};
use crate::userfile::{pin_tree, refused};

pub(crate) fn run(app: &App, args: &UseArgs) -> Result<ExitCode> {
    let bad = |e: gover_core::RequestError| {
        UserError::new(e.to_string())
            .hint("`gover list --remote` shows the versions available to install")
    };
    // Go's own grammar, before anything is written or installed.
    let typed = VersionRequest::parse(&args.version).map_err(bad)?;
    let typed = match typed {
        VersionRequest::Oldstable => typed,
        _ => VersionRequest::parse_pin(&args.version).map_err(bad)?,
    };
    let file = if args.global {
        app.home.version_file()
    } else {
        let dir = logical_cwd().context("cannot determine the current directory")?;
        refuse_temp_dir(app, &dir, &typed)?;
        dir.join(".go-version")
    };
    // Install (or find) before pinning, so a version that cannot be
    // installed (a typo, no network) is never written where the shim would
    // trust it.
    let request = prepare(app, args, typed)?;
    write_pin(args, &request, &file)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pinned {request} in {}", untrusted_path(&file))?;
    report(app, &file, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// Makes sure what `typed` names can run (installing it unless
/// `--no-install`) and returns the request to write: as typed, except
/// `oldstable`, which becomes the line it names today.
fn prepare(app: &App, args: &UseArgs, typed: VersionRequest) -> Result<VersionRequest> {
    match &typed {
        VersionRequest::System => {
            check_found(app, args, &typed, || {
                let path = std::env::var_os(env::PATH).unwrap_or_default();
                find_system_tool("go", &path, &app.home, shim_id(app)).map(|t| t.describe())
            })?;
            Ok(typed)
        }
        VersionRequest::Custom(name) => {
            check_found(app, args, &typed, || {
                let path = std::env::var_os(env::PATH).unwrap_or_default();
                find_custom(&app.home, name, &path, shim_id(app)).map(|t| match t {
                    Toolchain::Linked { goroot, .. } => {
                        format!("linked to {}", untrusted_path(&goroot))
                    }
                    Toolchain::OnPath { tool, .. } => format!("on PATH as {}", tool.describe()),
                    _ => String::new(),
                })
            })?;
            Ok(typed)
        }
        VersionRequest::Latest | VersionRequest::Stable if args.no_install => Ok(typed),
        VersionRequest::Latest | VersionRequest::Stable | VersionRequest::Oldstable => {
            let Some(v) = newest_available(app, &typed)? else {
                return Err(UserError::new(format!("no release is known for `{typed}`")).into());
            };
            app.info(format!("`{typed}` is {} today", v.toolchain_name()));
            install_missing(app, args, &VersionRequest::Exact(v.clone()))?;
            Ok(match typed {
                VersionRequest::Oldstable => VersionRequest::parse(&v.lang()).unwrap_or(typed),
                other => other,
            })
        }
        _ => {
            install_missing(app, args, &typed)?;
            Ok(typed)
        }
    }
}

/// Installs `request` when nothing installed satisfies it, unless
/// `--no-install`.
fn install_missing(app: &App, args: &UseArgs, request: &VersionRequest) -> Result<()> {
    if args.no_install || installed_match(&app.home, request).is_some() {
        return Ok(());
    }
    app.info(format!(
        "{} is not installed; installing it",
        request.describe()
    ));
    install_requests(app, std::slice::from_ref(request), false, &Platform::host())
}

/// For `system` and custom toolchains, which gover does not install: says
/// what `find` finds, or refuses (only warns with `--no-install`).
fn check_found(
    app: &App,
    args: &UseArgs,
    request: &VersionRequest,
    find: impl FnOnce() -> Option<String>,
) -> Result<()> {
    if let Some(what) = find() {
        app.info(format!("`{request}` is {what}"));
        return Ok(());
    }
    let (problem, hint) = match request {
        VersionRequest::System => (
            "no `go` other than gover's shims is on PATH, so `system` would run nothing".to_string(),
            "install Go with your system's package manager first, or pin a version gover manages: `gover use 1.22`".to_string(),
        ),
        _ => (
            format!("{request} is a custom toolchain that is neither linked nor on PATH"),
            format!("register its Go tree first: `gover link {request} /path/to/its/goroot`"),
        ),
    };
    if args.no_install {
        app.warn(format!("{problem}; pinning it anyway (--no-install)"));
        return Ok(());
    }
    Err(UserError::new(problem)
        .hint(format!("{hint}; --no-install pins it anyway"))
        .into())
}

/// Says what runs here now, and what takes precedence over `file`.
fn report(app: &App, file: &Path, out: &mut impl Write) -> Result<()> {
    let r = match resolve_here(app, false) {
        Ok(r) => r,
        Err(e) => {
            app.warn(format!("cannot tell which Go runs here now: {e}"));
            return Ok(());
        }
    };
    let state = match (&r.request, r.installed) {
        (VersionRequest::System, _) => {
            let path = std::env::var_os(env::PATH).unwrap_or_default();
            match find_system_tool("go", &path, &app.home, shim_id(app)) {
                Some(t) => format!(": {}", t.describe()),
                None => ": no go other than gover's shims on PATH".to_string(),
            }
        }
        (_, true) => ", installed".to_string(),
        (VersionRequest::Custom(_), false) => ", neither linked nor on PATH".to_string(),
        (_, false) => ", not installed".to_string(),
    };
    writeln!(
        out,
        "Go here is now {} ({}){state}",
        r.display_name(),
        r.reason()
    )?;
    let governed_by_file = r.source.path() == Some(file)
        || matches!(&r.source, PinSource::ProjectGoLine { via_global: Some(g), .. } if g == file);
    if !governed_by_file {
        app.warn(format!(
            "{} takes precedence over {} here",
            r.source,
            untrusted_path(file)
        ));
    }
    warn_if_older_than_project(app, &r);
    if !r.installed
        && !matches!(
            r.request,
            VersionRequest::System | VersionRequest::Custom(_)
        )
    {
        app.hint(format!("run `gover install {}` to install it", r.request));
    }
    Ok(())
}

/// A pin file directly in the temp directory would be ignored (anyone can
/// write there), so `gover use` refuses to write one instead of pinning
/// nothing.
fn refuse_temp_dir(app: &App, dir: &Path, request: &VersionRequest) -> Result<()> {
    let ctx = context_here(app, false)?;
    if !is_temp_dir(dir, ctx.temp_dir.as_deref()) {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} is the temporary directory: gover ignores pin files there, as Go ignores a go.mod there (anyone can write them)",
        untrusted_path(dir)
    ))
    .hint(format!(
        "pin a directory of your own below it, or set the default with `gover use --global {request}`"
    ))
    .into())
}

/// Writes the pin file: through a link only to a file that holds nothing
/// but a pin, inside the repository being pinned (or gover's home, for
/// `--global`).
fn write_pin(args: &UseArgs, request: &VersionRequest, file: &Path) -> Result<()> {
    let tree = match file.parent() {
        Some(dir) if args.global => dir.to_path_buf(),
        Some(dir) => pin_tree(dir),
        None => file.to_path_buf(),
    };
    let policy = LinkPolicy::Pin {
        tree: Some(&tree),
        holds_pin: &is_pin_only,
    };
    let written =
        UserFile::open(file, &policy).and_then(|f| f.replace(format!("{request}\n").as_bytes()));
    let Err(e) = written else {
        return Ok(());
    };
    // A full or read-only file system is the cause to name; otherwise say
    // how to pin without this file.
    let hint = match e.io_error().and_then(|io| fs_cause(io, file.parent().unwrap_or(file))) {
        Some(cause) => cause,
        None if args.global => "set GOVER_HOME to a directory you can write to, or pin per directory with `gover use VERSION`".to_string(),
        None => format!(
            "pin without writing here: `export GOVER_GO_VERSION={request}` for this shell, or `gover use --global {request}` as the default"
        ),
    };
    Err(refused(&e).hint(hint).into())
}
