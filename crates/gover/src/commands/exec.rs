//! `gover exec [VERSION] -- CMD [ARGS...]`: runs CMD with a toolchain's
//! environment, exactly as the shim sets it (GOROOT, `<GOROOT>/bin` first
//! on PATH, GOTOOLCHAIN). CMD is looked up on that PATH, so
//! `gover exec 1.22 -- go version` runs 1.22's `go`. The exit status passes
//! through.

use std::process::{Command, ExitCode};

use anyhow::Result;

use crate::app::App;
use crate::cli::ExecArgs;
use crate::error::UserError;
use crate::selecting::{path_tool_env, select};

pub(crate) fn run(app: &App, args: &ExecArgs) -> Result<ExitCode> {
    let Some((program, rest)) = args.command.split_first() else {
        return Err(UserError::new("no command given after `--`")
            .hint("run `gover exec 1.22 -- go version`")
            .into());
    };
    let sel = select(app, args.version.as_deref(), "go", true)?;
    app.debug(format!(
        "running {} with {} ({})",
        gover_core::text::shorten(&program.to_string_lossy(), 200),
        sel.name(),
        sel.reason
    ));
    let mut cmd = Command::new(program);
    cmd.args(rest);
    path_tool_env(app, &sel)?.apply(&mut cmd);
    let cannot_run = |e: std::io::Error| -> anyhow::Error {
        let mut err = UserError::new(format!(
            "cannot run `{}`: {e}",
            gover_core::text::shorten(&program.to_string_lossy(), 200)
        ));
        // The shell's conventions: 127 for a missing command, 126 otherwise.
        if e.kind() == std::io::ErrorKind::NotFound {
            err = err.hint(format!(
                "it is neither in {}'s bin directory nor on PATH",
                sel.name()
            ));
            err.code = 127;
        } else {
            err.code = 126;
        }
        err.into()
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // `exec` replaces gover, so signals and the exit status are the
        // command's own; it only returns on failure.
        Err(cannot_run(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(cannot_run)?;
        Ok(ExitCode::from(status.code().unwrap_or(1) as u8))
    }
}
