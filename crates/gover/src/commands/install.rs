//! `gover install`: resolve versions against the release index, then
//! download, verify and unpack them (the procedure is `installing`'s, shared
//! with the commands that install a missing toolchain).

use std::process::ExitCode;

use anyhow::Result;
use gover_core::VersionRequest;

use crate::app::App;
use crate::cli::InstallArgs;
use crate::error::UserError;
use crate::installing::{install_file, install_requests, platform};

pub(crate) fn run(app: &App, args: &InstallArgs) -> Result<ExitCode> {
    let platform = platform(args.platform.as_deref())?;
    if let Some(file) = &args.from {
        install_file(app, file, args.sha256.as_deref(), args.force, &platform)?;
        return Ok(ExitCode::SUCCESS);
    }
    let requests: Vec<VersionRequest> = if args.versions.is_empty() {
        let r = crate::selecting::resolve_here(app, false)?;
        if r.installed && !args.force {
            if let Some(v) = &r.version {
                app.info(format!(
                    "{} is already installed at {} ({})",
                    v.toolchain_name(),
                    app.home.toolchain_dir(v).display(),
                    r.source
                ));
                return Ok(ExitCode::SUCCESS);
            }
        }
        if let VersionRequest::System = r.request {
            return Err(UserError::new(format!(
                "the Go version pinned here is `system` ({}), which gover does not install",
                r.source
            ))
            .hint("name a version: `gover install 1.22`")
            .into());
        }
        app.debug(format!("installing {} ({})", r.display_name(), r.source));
        vec![match r.version {
            Some(v) => VersionRequest::Exact(v),
            None => r.request,
        }]
    } else {
        args.versions
            .iter()
            .map(|s| VersionRequest::parse(s).map_err(|e| UserError::new(e.to_string())))
            .collect::<Result<_, _>>()?
    };
    install_requests(app, &requests, args.force, &platform)?;
    Ok(ExitCode::SUCCESS)
}
