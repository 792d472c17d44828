//! `gover current`: which Go runs here, and why (with `-v`, how it was
//! verified and every rule checked).

use std::process::ExitCode;

use std::path::{Path, PathBuf};

use anyhow::Result;
use gover_core::env;
use gover_core::fs::{is_executable, FileId};
use gover_core::home::exe_name;
use gover_core::select::{find_custom, Toolchain};
use gover_core::text::untrusted_path;
use gover_core::toolenv::{find_system_tool, goroot_of, SystemTool};
use gover_core::{PinSource, Resolution, ResolveError, VersionRequest};
use serde_json::json;

use crate::app::{App, Verbosity};
use crate::cli::CurrentArgs;
use crate::selecting::{resolve_error, shim_id, try_resolve_here, warn_if_older_than_project};
use crate::trusting::{verification, verification_json, verification_summary, Verification};

/// What `current --json` prints as `source`: the pin file, or the variable.
fn source_text(s: &PinSource) -> String {
    match s.path() {
        Some(p) => p.display().to_string(),
        None => match s {
            PinSource::Env => gover_core::env::GOVER_GO_VERSION.to_string(),
            PinSource::GoToolchain(_) => gover_core::env::GOTOOLCHAIN.to_string(),
            _ => s.kind().to_string(),
        },
    }
}

pub(crate) fn run(app: &App, args: &CurrentArgs) -> Result<ExitCode> {
    let verbose = matches!(app.verbosity, Verbosity::Verbose(_));
    let r = resolve_or_describe(app, args, verbose)?;
    crate::remembered::remember(app, &r);
    let found = not_managed(app, &r);
    let goroot = match &found {
        Some(t) => t.goroot.clone(),
        None => r.version.as_ref().map(|v| app.home.toolchain_dir(v)),
    };
    if args.json {
        let mut obj = json!({
            "version": r.toolchain_name(),
            "request": r.request.to_string(),
            "source": source_text(&r.source),
            "source_kind": r.source.kind(),
            "reason": r.reason(),
            "notes": r.notes,
            "path": goroot.as_ref().map(|p| p.display().to_string()),
            "installed": r.installed,
        });
        if let Some(t) = &found {
            obj["exe"] = json!(t.exe.display().to_string());
        }
        if verbose {
            obj["checked"] = json!(r.trace);
        }
        obj["verification"] = match verification_of(app, &r) {
            Some(v) => verification_json(&v),
            None => serde_json::Value::Null,
        };
        println!("{}", serde_json::to_string_pretty(&obj)?);
    } else {
        let state = match (&r.request, r.installed, &found) {
            (_, _, Some(t)) => format!(": {}", t.describe),
            (VersionRequest::System, _, None) => ": no go other than gover's shims on PATH".into(),
            (VersionRequest::Custom(_), false, None) => ", neither linked nor on PATH".into(),
            (_, true, _) => ", installed".into(),
            (_, false, _) => ", not installed".into(),
        };
        println!("{} ({}){state}", r.display_name(), r.reason());
        if verbose {
            if let Some(v) = verification_of(app, &r) {
                println!("  {}", verification_summary(&v));
            }
        }
        for line in &r.trace {
            eprintln!("  checked {line}");
        }
    }
    warn_if_older_than_project(app, &r);
    if let Some(other) = shadowing_go(app) {
        let (warning, hint) = shadow_warning(app, &r, &other);
        app.warn_with_hint(warning, hint);
    }
    let installable = !matches!(
        r.request,
        VersionRequest::System | VersionRequest::Custom(_)
    );
    if !r.installed && installable && !args.json {
        app.hint(format!(
            "run `gover install` to install {}",
            r.display_name()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The resolution here; when it fails, with `--json`, the failure as a
/// JSON object on stdout too (the error goes to stderr as always).
fn resolve_or_describe(app: &App, args: &CurrentArgs, verbose: bool) -> Result<Resolution> {
    let (e, facts) = match try_resolve_here(app, verbose) {
        Ok(Ok(r)) => return Ok(r),
        Ok(Err(e)) => {
            let facts = what_failed(&e);
            (resolve_error(e), Some(facts))
        }
        Err(e) => (e, None),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_error(&e, facts))?);
    }
    Err(e)
}

/// What `current --json` says of a resolution that failed, besides the
/// message and hint: which rule failed (`no-pin`, `pin-file`, `env`,
/// `project-file`, `gowork`, `gotoolchain`, `not-a-toolchain`) and the
/// file or variable at fault.
type ErrorFacts = (&'static str, Option<String>);

/// The kind of a resolution error and the file or variable at fault.
fn what_failed(e: &ResolveError) -> ErrorFacts {
    let file = |p: &Path| Some(p.display().to_string());
    match e {
        ResolveError::NoPin { .. } => ("no-pin", None),
        ResolveError::PinFile { path, .. } => ("pin-file", file(path)),
        ResolveError::Env { .. } => ("env", Some(env::GOVER_GO_VERSION.into())),
        ResolveError::ProjectFile(p) => ("project-file", file(&p.path)),
        ResolveError::GoWork(v) => ("gowork", go_value_source(env::GOWORK, v)),
        ResolveError::GoToolchain { value, .. } => {
            ("gotoolchain", go_value_source(env::GOTOOLCHAIN, value))
        }
        ResolveError::NotAToolchain { source, .. } => {
            ("not-a-toolchain", Some(source_text(source)))
        }
    }
}

/// The variable, or Go's env file that set it.
fn go_value_source(name: &str, v: &gover_core::goenv::GoValue) -> Option<String> {
    match &v.origin {
        gover_core::goenv::GoOrigin::Env => Some(name.to_string()),
        gover_core::goenv::GoOrigin::File(p) => Some(p.display().to_string()),
    }
}

/// The JSON object `current --json` prints on stdout when it fails:
/// `{"error","hint","kind","source"}` (`kind` is `other` for a failure
/// before any rule was checked).
fn json_error(err: &anyhow::Error, facts: Option<ErrorFacts>) -> serde_json::Value {
    let (kind, source) = facts.unwrap_or(("other", None));
    json!({
        "error": err.to_string(),
        "hint": crate::error::chain_hint(err),
        "kind": kind,
        "source": source,
    })
}

/// How the toolchain that runs here was verified, when gover installed it.
fn verification_of(app: &App, r: &Resolution) -> Option<Verification> {
    if matches!(
        r.request,
        VersionRequest::System | VersionRequest::Custom(_)
    ) {
        return None;
    }
    let v = r.version.as_ref().filter(|_| r.installed)?;
    let goroot = app.home.toolchain_dir(v);
    Some(verification(app, v, &gover_dist::Platform::host(), &goroot))
}

/// A toolchain gover does not install, as found for this resolution.
struct Found {
    /// The executable.
    exe: PathBuf,
    /// Its GOROOT, when it has one.
    goroot: Option<PathBuf>,
    /// `/usr/bin/go (go1.22.2)`, `linked to /opt/go`.
    describe: String,
}

/// `system` or a custom toolchain: what runs, when it is found.
fn not_managed(app: &App, r: &Resolution) -> Option<Found> {
    let path = std::env::var_os(env::PATH).unwrap_or_default();
    match &r.request {
        VersionRequest::System => {
            let t = find_system_tool("go", &path, &app.home, shim_id(app))?;
            Some(Found {
                describe: t.describe(),
                exe: t.path,
                goroot: t.goroot,
            })
        }
        VersionRequest::Custom(name) => match find_custom(&app.home, name, &path, shim_id(app))? {
            Toolchain::Linked { goroot, .. } => Some(Found {
                describe: format!("linked to {}", untrusted_path(&goroot)),
                exe: goroot.join("bin").join(exe_name("go")),
                goroot: Some(goroot),
            }),
            Toolchain::OnPath { tool, .. } => Some(Found {
                describe: format!("on PATH as {}", tool.describe()),
                exe: tool.path,
                goroot: tool.goroot,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// The `go` a shell runs here when it is not gover's shim: the first
/// executable `go` on `PATH`, when it comes before the shims.
fn shadowing_go(app: &App) -> Option<PathBuf> {
    let path = std::env::var_os(env::PATH)?;
    let shims = app.home.shims_dir();
    let shim = shim_id(app);
    for dir in std::env::split_paths(&path) {
        if !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(exe_name("go"));
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() || !is_executable(&meta) {
            continue;
        }
        if dir == shims || (shim.is_some() && FileId::of_meta(&meta) == shim) {
            return None;
        }
        return Some(candidate);
    }
    None
}

/// What actually runs when another `go` comes first on `PATH`, and what
/// to do about it.
fn shadow_warning(app: &App, r: &Resolution, other: &Path) -> (String, String) {
    let toolchains = app.home.toolchains_dir();
    let what = match other.strip_prefix(&toolchains) {
        Ok(rel) => format!(
            "gover's toolchain {} itself ({}), put first on PATH by `gover env` or a shell line, so it does not follow pins",
            rel.components().next().map_or_else(String::new, |c| c.as_os_str().to_string_lossy().into_owned()),
            untrusted_path(other)
        ),
        Err(_) => SystemTool {
            path: other.to_path_buf(),
            goroot: goroot_of(other),
        }
        .describe(),
    };
    (
        format!(
            "typing `go` here runs {what}, not {}: it comes before gover's shims ({}) on PATH",
            r.display_name(),
            untrusted_path(&app.home.shims_dir()),
        ),
        format!(
            "remove the line that puts {} first (such as `export PATH=$GOROOT/bin:$PATH` after gover's block in your shell startup file), or undo an earlier `eval \"$(gover env ...)\"` with `eval \"$(gover env --unset)\"`, or run `gover setup` again; `gover doctor` names it",
            untrusted_path(other.parent().unwrap_or(other)),
        ),
    )
}
