//! `gover`, the command-line interface: parses arguments, builds the [`App`]
//! context (home, settings, verbosity) and runs one command. The version
//! model lives in `gover-core`, downloads and installs in `gover-dist`.

mod app;
mod cli;
mod commands;
mod error;
mod installing;
mod progress;
mod quote;
mod selecting;
mod shimlinks;
mod userfile;

use std::process::ExitCode;

use clap::Parser;

use crate::app::App;
use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => ExitCode::from(error::report(&e)),
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    // Neither needs (nor may be stopped by) a valid config: doctor reports it.
    match &cli.command {
        Command::Doctor(args) => return commands::doctor::run(&cli.global, args),
        Command::Completions(args) => return commands::completions::run(args),
        _ => {}
    }
    let app = App::from_env(&cli.global)?;
    match &cli.command {
        Command::Current(args) => commands::current::run(&app, args),
        Command::Install(args) => commands::install::run(&app, args),
        Command::Uninstall(args) => commands::uninstall::run(&app, args),
        Command::List(args) => commands::list::run(&app, args),
        Command::Use(args) => commands::use_::run(&app, args),
        Command::Which(args) => commands::which::run(&app, args),
        Command::Link(args) => commands::link::run_link(&app, args),
        Command::Unlink(args) => commands::link::run_unlink(&app, args),
        Command::Exec(args) => commands::exec::run(&app, args),
        Command::Env(args) => commands::env::run(&app, args),
        Command::Setup(args) => commands::setup::run(&app, args),
        Command::Mirror(args) => commands::mirror::run(&app, args),
        Command::SelfCmd(args) => commands::self_update::run(&app, args),
        other => Err(error::UserError::new(format!(
            "`{}` is not available in this build",
            command_name(other)
        ))
        .into()),
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Current(_) => "current",
        Command::Install(_) => "install",
        Command::Uninstall(_) => "uninstall",
        Command::List(_) => "list",
        Command::Use(_) => "use",
        Command::Which(_) => "which",
        Command::Link(_) => "link",
        Command::Unlink(_) => "unlink",
        Command::Exec(_) => "exec",
        Command::Env(_) => "env",
        Command::Setup(_) => "setup",
        Command::Doctor(_) => "doctor",
        Command::Mirror(_) => "mirror",
        Command::Completions(_) => "completions",
        Command::SelfCmd(_) => "self",
    }
}
