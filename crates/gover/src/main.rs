//! `gover`, the command-line interface: parses arguments, builds the [`App`]
//! context (home, settings, verbosity) and runs one command. The version
//! model lives in `gover-core`, downloads and installs in `gover-dist`.
//!
//! Commands live in `commands/` (one module each, none importing another);
//! what several share has a module of its own here: `doctor` (the checks),
//! `shell` (startup files and gover's block), `selecting`, `installing`,
//! `progress`, `interrupt` (Ctrl-C during an install), `quote`,
//! `remembered` (the pins gover resolved), `shimlinks`, `trusting`,
//! `userfile`, `error`, `output` (colour, `-q` and labelled lines),
//! `candidates` (what completion offers) and `usage` (command-line
//! mistakes).

mod app;
mod candidates;
mod cli;
mod commands;
mod doctor;
mod error;
mod installing;
mod interrupt;
mod output;
mod progress;
mod proxied;
mod quote;
mod remembered;
mod selecting;
mod shell;
mod shimlinks;
mod trusting;
mod usage;
mod userfile;

use std::process::ExitCode;

use crate::app::App;
use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    commands::completions::complete_if_asked();
    output::set_color(output::color_from_args(std::env::args_os().skip(1)));
    let cli = match usage::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    output::set_color(cli.global.color);
    output::set_quiet(cli.global.quiet);
    output::set_for_shim(
        std::env::var_os(gover_core::env::GOVER_SHIM_INSTALL).is_some_and(|v| v == "1"),
    );
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => ExitCode::from(error::report(&e)),
    };
    interrupt::hold_if_interrupted();
    code
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    use commands::*;
    // Built by the commands that need it: doctor and config report a
    // broken config rather than stopping at it, and completions need none.
    let app = || App::from_env(&cli.global);
    let Some(command) = &cli.command else {
        return overview::run(&cli.global);
    };
    match command {
        Command::Doctor(args) => doctor::run(&cli.global, args),
        Command::Completions(args) => completions::run(args),
        Command::Config(args) => config::run(&cli.global, args),
        Command::Current(args) => current::run(&app()?, args),
        Command::Install(args) => install::run(&app()?, args),
        Command::Uninstall(args) => uninstall::run(&app()?, args),
        Command::List(args) => list::run(&app()?, args),
        Command::Use(args) => use_::run(&app()?, args),
        Command::Which(args) => which::run(&app()?, args),
        Command::Link(args) => link::run_link(&app()?, args),
        Command::Unlink(args) => link::run_unlink(&app()?, args),
        Command::Exec(args) => exec::run(&app()?, &usage::exec_args(args)?),
        Command::Env(args) => env::run(&app()?, args),
        Command::Setup(args) => setup::run(&app()?, args),
        Command::Mirror(args) => mirror::run(&app()?, args),
        Command::SelfCmd(args) => self_update::run(&app()?, args),
        Command::Verify(args) => verify::run(&app()?, args),
        Command::Prune(args) => prune::run(&app()?, args),
        Command::Outdated(args) => outdated::run(&app()?, args),
        Command::Upgrade(args) => upgrade::run(&app()?, args),
        Command::Store(args) => store::run(&app()?, args),
    }
}
