//! `gover env [VERSION] [--shell sh|bash|zsh|fish|github]`: the
//! environment that puts a toolchain first, for `eval "$(gover env)"` in
//! scripts and CI. With `--shell github` it appends to `$GITHUB_PATH` and
//! `$GITHUB_ENV` instead, so later steps of the job see it.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::env as vars;
use gover_core::toolenv::ToolEnv;

use crate::app::App;
use crate::cli::{EnvArgs, EnvShell};
use crate::error::UserError;
use crate::quote::{fish_quote, sh_quote};
use crate::selecting::{path_tool_env, select};

pub(crate) fn run(app: &App, args: &EnvArgs) -> Result<ExitCode> {
    let sel = select(app, args.version.as_deref(), "go", true)?;
    let env = path_tool_env(app, &sel)?;
    let name = sel.name();
    match args.shell {
        EnvShell::Github => github(app, &env, &name)?,
        shell => {
            let text = render(&env, shell)?;
            let mut out = std::io::stdout().lock();
            // The reason names a path; escape it so nothing in it can end
            // the comment and run as code under `eval`.
            writeln!(
                out,
                "# {name} ({}), printed by `gover env`",
                sel.reason.escape_debug()
            )?;
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn utf8<'a>(name: &str, v: &'a OsStr) -> Result<&'a str> {
    v.to_str().ok_or_else(|| {
        UserError::new(format!(
            "{name} is not valid UTF-8 ({}); `gover env` cannot print it safely",
            gover_core::text::shorten(&v.to_string_lossy(), 200)
        ))
        .into()
    })
}

/// Shell code that applies `env`.
fn render(env: &ToolEnv, shell: EnvShell) -> Result<String> {
    let mut out = String::new();
    for (name, value) in env.changes() {
        match (shell, value) {
            (EnvShell::Fish, None) => out.push_str(&format!("set -e {name}\n")),
            (_, None) => out.push_str(&format!("unset {name}\n")),
            (EnvShell::Fish, Some(v)) => {
                let v = utf8(name, v)?;
                out.push_str(&format!("set -gx {name}"));
                let parts: Vec<&str> = if name == vars::PATH {
                    v.split(':').filter(|p| !p.is_empty()).collect()
                } else {
                    vec![v]
                };
                for p in parts {
                    out.push(' ');
                    out.push_str(&fish_quote(p));
                }
                out.push('\n');
            }
            (_, Some(v)) => {
                let v = utf8(name, v)?;
                out.push_str(&format!("export {name}={}\n", sh_quote(v)));
            }
        }
    }
    Ok(out)
}

fn github(app: &App, env: &ToolEnv, name: &str) -> Result<()> {
    let file = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let (gh_path, gh_env) = (file(vars::GITHUB_PATH), file(vars::GITHUB_ENV));
    if gh_path.is_none() && gh_env.is_none() {
        return Err(UserError::new(
            "--shell github needs $GITHUB_PATH and $GITHUB_ENV, which are not set (they are set inside a GitHub Actions job)",
        )
        .hint("outside GitHub Actions use `eval \"$(gover env)\"`")
        .into());
    }
    let mut out = std::io::stdout().lock();
    match (&gh_path, &env.bin_dir) {
        (Some(f), Some(bin)) => {
            let bin = no_newline("the toolchain's bin directory", bin.as_os_str())?;
            append(f, &format!("{bin}\n"))?;
            writeln!(out, "Added {bin} to $GITHUB_PATH ({})", f.display())?;
        }
        (None, Some(_)) => app.warn("$GITHUB_PATH is not set: PATH is unchanged for later steps"),
        _ => {}
    }
    let mut lines = String::new();
    let mut set = Vec::new();
    for (var, value) in env.changes() {
        if var == vars::PATH {
            continue;
        }
        match value {
            Some(v) => {
                let v = no_newline(var, v)?;
                lines.push_str(&format!("{var}={v}\n"));
                set.push(format!("{var}={v}"));
            }
            None => app.warn(format!(
                "{name} has no complete Go root; $GITHUB_ENV cannot unset {var}, so later steps keep the inherited value"
            )),
        }
    }
    match &gh_env {
        Some(f) if !lines.is_empty() => {
            append(f, &lines)?;
            writeln!(
                out,
                "Set {} in $GITHUB_ENV ({})",
                set.join(", "),
                f.display()
            )?;
        }
        None if !lines.is_empty() => app.warn(format!(
            "$GITHUB_ENV is not set: later steps do not get {}",
            set.join(", ")
        )),
        _ => {}
    }
    Ok(())
}

fn no_newline<'a>(what: &str, v: &'a OsStr) -> Result<&'a str> {
    let s = utf8(what, v)?;
    if s.contains(['\n', '\r']) {
        return Err(UserError::new(format!(
            "{what} contains a line break and cannot be written to a GitHub Actions file: {}",
            gover_core::text::shorten(s, 200)
        ))
        .into());
    }
    Ok(s)
}

fn append(file: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("cannot open {} for appending", file.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write to {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gover_core::toolenv::GoToolchainPolicy;
    use std::path::Path;

    #[test]
    fn renders_each_shell() {
        let e = ToolEnv::new(
            Some(Path::new("/h/it's/go1.22.10")),
            Some(OsStr::new("/usr/bin:/bin")),
            None,
            GoToolchainPolicy::Local,
        );
        assert_eq!(
            render(&e, EnvShell::Sh).unwrap(),
            "export GOROOT='/h/it'\\''s/go1.22.10'\nexport PATH='/h/it'\\''s/go1.22.10/bin:/usr/bin:/bin'\nexport GOTOOLCHAIN=local\n"
        );
        assert_eq!(
            render(&e, EnvShell::Fish).unwrap(),
            "set -gx GOROOT '/h/it\\'s/go1.22.10'\nset -gx PATH '/h/it\\'s/go1.22.10/bin' '/usr/bin' '/bin'\nset -gx GOTOOLCHAIN 'local'\n"
        );
        let e = ToolEnv::new(
            None,
            None,
            Some(OsStr::new("auto")),
            GoToolchainPolicy::Local,
        );
        assert_eq!(render(&e, EnvShell::Bash).unwrap(), "unset GOROOT\n");
        assert_eq!(render(&e, EnvShell::Fish).unwrap(), "set -e GOROOT\n");
    }
}
