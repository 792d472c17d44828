//! `gover install`: resolve versions against the release index, then
//! download, verify and unpack them (the procedure is `installing`'s, shared
//! with the commands that install a missing toolchain).

use std::process::ExitCode;

use anyhow::Result;
use gover_core::{PinSource, VersionRequest};

use crate::app::App;
use crate::cli::InstallArgs;
use crate::error::UserError;
use crate::installing::{install_file, install_with, platform, InstallMode};

pub(crate) fn run(app: &App, args: &InstallArgs) -> Result<ExitCode> {
    let platform = platform(args.platform.as_deref())?;
    if let Some(file) = &args.from {
        install_file(app, file, args.sha256.as_deref(), args.force, &platform)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut mode = InstallMode {
        force: args.force,
        go_line: args.go_line,
    };
    let requests: Vec<VersionRequest> = if args.versions.is_empty() {
        let r = crate::selecting::resolve_here(app, false)?;
        if r.installed && !args.force {
            if let Some(v) = &r.version {
                app.info(format!(
                    "{} is already installed at {} ({})",
                    v.toolchain_name(),
                    app.home.toolchain_dir(v).display(),
                    r.reason()
                ));
                return Ok(ExitCode::SUCCESS);
            }
        }
        if let VersionRequest::Custom(name) = &r.request {
            return Err(custom_error(name, &r.reason()).into());
        }
        if let VersionRequest::System = r.request {
            return Err(UserError::new(format!(
                "the Go version pinned here is `system` ({}), which gover does not install",
                r.reason()
            ))
            .hint("name a version: `gover install 1.22`")
            .into());
        }
        app.debug(format!("installing {} ({})", r.display_name(), r.reason()));
        mode.go_line |= matches!(
            r.source,
            PinSource::ProjectGoLine {
                via_global: None,
                ..
            }
        );
        vec![match r.version {
            Some(v) => VersionRequest::Exact(v),
            None => r.request,
        }]
    } else {
        args.versions
            .iter()
            .map(|s| match VersionRequest::parse(s) {
                Ok(VersionRequest::Custom(name)) => {
                    Err(custom_error(&name, "given on the command line"))
                }
                Ok(r) => Ok(r),
                Err(e) => Err(UserError::new(e.to_string())),
            })
            .collect::<Result<_, _>>()?
    };
    install_with(app, &requests, mode, &platform)?;
    Ok(ExitCode::SUCCESS)
}

/// A custom toolchain cannot be installed: gover installs Go's releases.
fn custom_error(name: &str, why: &str) -> UserError {
    UserError::new(format!(
        "{name} ({why}) is a custom toolchain: gover installs only Go's own releases"
    ))
    .hint(format!(
        "register its Go tree with `gover link {name} /path/to/its/goroot`"
    ))
}
