//! Mistakes on the command line: parsing with clap, and what to say when
//! it fails. A mistyped command gets the one command it most resembles
//! (`gover instal 1.22`: did you mean `gover install 1.22`?) instead of a
//! list; everything else is clap's own message. Usage errors exit 2.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};
use gover_core::text::shorten;

use crate::cli::{Cli, ExecArgs};
use crate::error::UserError;
use crate::output::{label, style, Label, Paint, Stream};

/// The exit status of a command line that cannot be parsed.
pub(crate) const USAGE: u8 = 2;

/// Parses this process's arguments; on failure prints why (or the help or
/// version asked for) and returns the exit status.
pub(crate) fn parse() -> Result<Cli, ExitCode> {
    parse_from(std::env::args_os())
}

fn parse_from(args: impl IntoIterator<Item = OsString>) -> Result<Cli, ExitCode> {
    let args: Vec<OsString> = args.into_iter().collect();
    let mut cmd = Cli::command();
    let parsed = cmd
        .try_get_matches_from_mut(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let e = match parsed {
        Ok(cli) => return Ok(cli),
        Err(e) => e.format(&mut cmd),
    };
    if e.kind() == ErrorKind::InvalidSubcommand {
        if let Some(text) = mistyped_command(&e, &args[1..], Paint::for_stream(Stream::Stderr)) {
            eprintln!("{text}");
            return Err(ExitCode::from(USAGE));
        }
    }
    let _ = e.print();
    Err(ExitCode::from(e.exit_code().clamp(0, 255) as u8))
}

/// The message for an unknown command, with the nearest real one in the
/// hint and the whole command line corrected.
fn mistyped_command(e: &clap::Error, args: &[OsString], paint: Paint) -> Option<String> {
    let Some(ContextValue::String(typed)) = e.get(ContextKind::InvalidSubcommand) else {
        return None;
    };
    let shown = shorten(typed, 40);
    let mut out = format!(
        "{} unrecognized subcommand `{shown}`\n\n{} ",
        label(paint, Label::Error),
        label(paint, Label::Hint)
    );
    match nearest_command(typed) {
        Some(name) => {
            let mut line: Vec<String> = Vec::new();
            for a in args.iter().map(|a| a.to_string_lossy()) {
                if a != typed.as_str() {
                    line.push(crate::quote::sh_quote(&shorten(&a, 40)));
                    continue;
                }
                // `gover self updat`: `self` is already there.
                match name.split_once(' ') {
                    Some((parent, sub)) if line.last().is_some_and(|l| l == parent) => {
                        line.push(sub.to_string())
                    }
                    _ => line.push(name.clone()),
                }
            }
            let fixed = format!("gover {}", line.join(" "));
            out.push_str(&format!(
                "did you mean `{name}`? {}",
                paint.paint(style::HINT, format_args!("`{fixed}`"))
            ));
        }
        None => out.push_str("`gover --help` lists every command"),
    }
    Some(out)
}

/// The command (or `self update`-style subcommand) nearest to `typed`:
/// the only one it begins, else the closest within a few typos.
fn nearest_command(typed: &str) -> Option<String> {
    let cmd = Cli::command();
    let mut names: Vec<String> = Vec::new();
    for c in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        names.push(c.get_name().to_string());
        for sub in c.get_subcommands().filter(|s| s.get_name() != "help") {
            names.push(format!("{} {}", c.get_name(), sub.get_name()));
        }
    }
    let last_word = |n: &str| n.rsplit(' ').next().unwrap_or(n).to_string();
    let prefixed: Vec<&String> = names
        .iter()
        .filter(|n| last_word(n).starts_with(typed))
        .collect();
    if typed.len() >= 2 && prefixed.len() == 1 {
        return Some(prefixed[0].clone());
    }
    let typed = typed.to_ascii_lowercase();
    names
        .iter()
        .map(|n| (strsim::levenshtein(&typed, &last_word(n)), n))
        .filter(|(d, n)| *d <= 2.max(last_word(n).len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

/// `exec`'s words split into the version and the command, or a usage
/// error saying what is missing.
pub(crate) fn exec_args(args: &ExecArgs) -> anyhow::Result<ExecArgs> {
    args.split().map_err(|message| {
        let mut e = UserError::new(message)
            .hint("name the command to run, such as `gover exec 1.22 go version`");
        e.code = USAGE;
        e.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(line: &[&str]) -> String {
        let args: Vec<OsString> = line.iter().map(OsString::from).collect();
        let e = Cli::command().try_get_matches_from(&args).unwrap_err();
        mistyped_command(&e, &args[1..], Paint::default()).unwrap()
    }

    #[test]
    fn a_mistyped_command_gets_the_nearest_one() {
        assert_eq!(
            message(&["gover", "instal", "1.22"]),
            "error: unrecognized subcommand `instal`\n\nhint: did you mean `install`? `gover install 1.22`"
        );
        assert!(message(&["gover", "-q", "lsit"]).ends_with("did you mean `list`? `gover -q list`"));
        assert!(message(&["gover", "doc"]).ends_with("`gover doctor`"));
        assert!(message(&["gover", "update"])
            .ends_with("did you mean `self update`? `gover self update`"));
        assert!(message(&["gover", "uninstal"]).contains("`uninstall`"));
        assert!(message(&["gover", "self", "updat"]).ends_with("`gover self update`"));
        assert!(message(&["gover", "isntall", "a b"]).ends_with("`gover install 'a b'`"));
        assert!(message(&["gover", "frobnicate"]).ends_with("`gover --help` lists every command"));
        // What was typed is escaped.
        let m = message(&["gover", "in\u{1b}[2Jstall"]);
        assert!(!m.contains('\u{1b}'), "{m:?}");
    }
}
