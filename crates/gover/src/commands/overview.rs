//! `gover` with no command: a short overview instead of a usage error:
//! which Go runs here and why, what is installed, whether the shims are on
//! `PATH`, and the next command to run. Read-only and without network:
//! resolution is `gover_core`'s, on the files as they are. Exits 0, also
//! when nothing is pinned (that is an answer, not an error).

use std::ffi::OsStr;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use gover_core::resolve::{logical_cwd, resolve, Resolution, ResolveContext, ResolveError};
use gover_core::text::untrusted_path;
use gover_core::{GoVersion, GoverHome, VersionRequest};

use crate::cli::GlobalArgs;
use crate::error::UserError;
use crate::output::{style, Paint, Stream};

/// Whether and where the shims are on `PATH`.
#[derive(Debug, PartialEq, Eq)]
enum Shims {
    /// `gover setup` never ran: there is no `go` shim.
    Missing,
    /// They exist but are not on `PATH`.
    NotOnPath,
    /// They are on `PATH`, behind another `go` entry position.
    Behind,
    /// They come first among the entries holding a `go`.
    First,
}

/// What the overview says.
struct Facts {
    here: std::result::Result<Resolution, ResolveError>,
    installed: Vec<GoVersion>,
    shims: Shims,
}

pub(crate) fn run(_global: &GlobalArgs) -> Result<ExitCode> {
    let home = GoverHome::from_env().map_err(UserError::from)?;
    let cwd = logical_cwd()
        .map_err(|e| UserError::new(format!("cannot determine the current directory: {e}")))?;
    let facts = Facts {
        here: resolve(&ResolveContext::from_process(home.clone(), cwd)),
        installed: home.installed().unwrap_or_default(),
        shims: shims_state(&home, &std::env::var_os("PATH").unwrap_or_default()),
    };
    let text = render(&facts, Paint::for_stream(Stream::Stdout));
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Where the shims stand on `path`.
fn shims_state(home: &GoverHome, path: &OsStr) -> Shims {
    let shims = home.shims_dir();
    if !home.shim_file("go").is_file() {
        return Shims::Missing;
    }
    let go = gover_core::home::exe_name("go");
    for dir in std::env::split_paths(path) {
        if dir == shims {
            return Shims::First;
        }
        if dir.is_absolute() && gover_core::fs::is_executable_file(&dir.join(&go)) {
            let later = std::env::split_paths(path).any(|d| d == shims);
            return if later {
                Shims::Behind
            } else {
                Shims::NotOnPath
            };
        }
    }
    Shims::NotOnPath
}

/// The overview's text.
fn render(f: &Facts, paint: Paint) -> String {
    let bold = |s: &str| paint.paint(style::EMPHASIS, s).to_string();
    let mut out = format!(
        "gover {}: install and switch Go toolchains, verified and fast\n\n",
        env!("CARGO_PKG_VERSION")
    );
    let here = match &f.here {
        Ok(r) => {
            let state = match (&r.request, r.installed) {
                (VersionRequest::System, _) => "",
                (_, true) => ", installed",
                (_, false) => ", not installed",
            };
            format!("{} ({}){state}", bold(&r.display_name()), r.source)
        }
        Err(ResolveError::NoPin { .. }) => "nothing is pinned".to_string(),
        Err(e) => format!(
            "{} {}",
            paint.paint(style::ERROR, "cannot tell:"),
            gover_core::text::escape(&e.to_string().replace('\n', " "))
        ),
    };
    out.push_str(&format!("  Go here:    {here}\n"));
    let installed = if f.installed.is_empty() {
        "none".to_string()
    } else {
        let names: Vec<String> = f.installed.iter().map(GoVersion::toolchain_name).collect();
        names.join(", ")
    };
    out.push_str(&format!("  Installed:  {installed}\n"));
    let shims = match f.shims {
        Shims::Missing => "not set up",
        Shims::NotOnPath => "not on PATH in this shell",
        Shims::Behind => "on PATH, but another go comes first",
        Shims::First => "first on PATH",
    };
    out.push_str(&format!("  Shims:      {shims}\n\n"));
    let steps = next_steps(f);
    out.push_str(if steps.len() == 1 {
        "Next:\n"
    } else {
        "Next, in order:\n"
    });
    let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (cmd, why) in steps {
        let pad = width - cmd.len();
        out.push_str(&format!(
            "  {}{:pad$}  {why}\n",
            paint.paint(style::HINT, cmd),
            ""
        ));
    }
    out.push_str("\nEvery command: `gover --help`. To check the set-up: `gover doctor`.\n");
    out
}

/// The commands to run next, each with what it does, in order.
fn next_steps(f: &Facts) -> Vec<(String, String)> {
    let mut steps = Vec::new();
    match f.shims {
        Shims::Missing => steps.push((
            "gover setup".into(),
            "put the go and gofmt shims first on PATH".into(),
        )),
        Shims::NotOnPath => steps.push((
            "gover setup".into(),
            "then open a new shell: the shims are not on PATH in this one".into(),
        )),
        Shims::Behind => steps.push((
            "gover doctor".into(),
            "another go comes before the shims on PATH; doctor says how to fix that".into(),
        )),
        Shims::First => {}
    }
    match &f.here {
        Err(ResolveError::NoPin { .. }) => {
            let (cmd, why) = match f.installed.first() {
                Some(v) => (
                    format!("gover use --global {v}"),
                    format!("make {} the default", v.toolchain_name()),
                ),
                None => (
                    "gover use --global latest".into(),
                    "install the newest Go and make it the default".into(),
                ),
            };
            steps.push((cmd, why));
            steps.push((
                "gover use 1.22".into(),
                "or pin a version for this directory (.go-version)".into(),
            ));
        }
        Err(e) => {
            let why = e
                .hint()
                .unwrap_or_else(|| "see what is wrong with the pin".into());
            steps.push(("gover current".into(), why));
        }
        Ok(r) if !r.installed && r.request != VersionRequest::System => {
            steps.push((
                "gover install".into(),
                format!("install {}, pinned here", r.display_name()),
            ));
        }
        Ok(r) => {
            if f.shims == Shims::First {
                let from = r
                    .source
                    .path()
                    .map_or_else(String::new, |p| format!(", as {} says", untrusted_path(p)));
                steps.push((
                    "go version".into(),
                    format!("runs {}{from}", r.display_name()),
                ));
            }
            steps.push((
                "gover list --remote".into(),
                "what else there is to install".into(),
            ));
        }
    }
    steps
}
