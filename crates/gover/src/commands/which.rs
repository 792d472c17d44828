//! `gover which [TOOL]`: the absolute path of the real binary the shim
//! would run here.

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::Result;

use crate::app::App;
use crate::cli::WhichArgs;
use crate::error::UserError;
use crate::selecting::{select, tool_path};

pub(crate) fn run(app: &App, args: &WhichArgs) -> Result<ExitCode> {
    let tool = args.tool.as_str();
    if tool.is_empty() || tool.contains(['/', '\\']) || tool.starts_with('.') {
        return Err(UserError::new(format!(
            "`{}` is not a tool name; give the name of a file in the toolchain's bin directory, such as `go` or `gofmt`",
            gover_core::text::shorten(tool, 80)
        ))
        .into());
    }
    let sel = select(app, None, tool, false)?;
    let path = tool_path(&sel, tool)?;
    let mut out = OsString::from(path.as_os_str());
    out.push("\n");
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        stdout.write_all(out.as_bytes())?;
    }
    #[cfg(not(unix))]
    stdout.write_all(out.to_string_lossy().as_bytes())?;
    stdout.flush()?;
    app.debug(format!("{} ({})", sel.name(), sel.reason));
    Ok(ExitCode::SUCCESS)
}
