//! `gover`, the command-line interface: parses arguments, builds the [`App`]
//! context (home, settings, verbosity) and runs one command. The version
//! model lives in `gover-core`, downloads and installs in `gover-dist`.
//!
//! Commands live in `commands/` (one module each, none importing another);
//! what several share has a module of its own here: `doctor` (the checks),
//! `shell` (startup files and gover's block), `selecting`, `installing`,
//! `progress`, `quote`, `remembered`, `shimlinks`, `userfile` and
//! `error`.

mod app;
mod cli;
mod commands;
mod doctor;
mod error;
mod installing;
mod progress;
mod quote;
mod remembered;
mod selecting;
mod shell;
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
    use commands::*;
    // Built by the commands that need it: doctor reports a broken config
    // rather than stopping at it, and completions need none.
    let app = || App::from_env(&cli.global);
    match &cli.command {
        Command::Doctor(args) => doctor::run(&cli.global, args),
        Command::Completions(args) => completions::run(args),
        Command::Current(args) => current::run(&app()?, args),
        Command::Install(args) => install::run(&app()?, args),
        Command::Uninstall(args) => uninstall::run(&app()?, args),
        Command::List(args) => list::run(&app()?, args),
        Command::Use(args) => use_::run(&app()?, args),
        Command::Which(args) => which::run(&app()?, args),
        Command::Exec(args) => exec::run(&app()?, args),
        Command::Env(args) => env::run(&app()?, args),
        Command::Setup(args) => setup::run(&app()?, args),
        Command::Mirror(args) => mirror::run(&app()?, args),
        Command::SelfCmd(args) => self_update::run(&app()?, args),
        Command::Prune(args) => prune::run(&app()?, args),
        Command::Outdated(args) => outdated::run(&app()?, args),
        Command::Upgrade(args) => upgrade::run(&app()?, args),
        Command::Store(args) => store::run(&app()?, args),
    }
}
