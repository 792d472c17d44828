//! `gover completions bash|zsh|fish`: prints a small script that makes the
//! shell ask gover itself for candidates on every Tab, so they always match
//! this gover: commands, flags and their values from the command-line
//! definition, plus installed versions, released versions from the cached
//! index (never the network) and tool names (`crate::candidates`).
//!
//! The script runs `gover` (found on `PATH`) with [`COMPLETE_VAR`] set to
//! the shell's name and the words typed so far; [`complete_if_asked`],
//! called first thing in `main`, answers that and exits. The bash script
//! needs nothing but bash (not the bash-completion package); the zsh one
//! works sourced or as an autoloaded `_gover` on `$fpath`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Arg, CommandFactory};
use clap_complete::env::{Bash, CompleteEnv, EnvCompleter, Fish, Shells, Zsh};

use crate::cli::{Cli, CompletionShell, CompletionsArgs};

/// The variable the scripts set when they ask for candidates.
pub(crate) const COMPLETE_VAR: &str = "GOVER_COMPLETE";

/// The command line as completion sees it: `exec`'s words are a version
/// then a command (at parse time they are one list, split afterwards),
/// so the first word gets version candidates and the rest are left to the
/// shell.
fn completion_command() -> clap::Command {
    Cli::command().mut_subcommand("exec", |exec| {
        exec.mut_arg("words", |w| w.index(2).required(false)).arg(
            Arg::new("version")
                .value_name("VERSION")
                .index(1)
                .add(crate::candidates::pinnable()),
        )
    })
}

/// When a completion script is asking (`GOVER_COMPLETE` is set), prints the
/// candidates and exits; otherwise returns at once.
pub(crate) fn complete_if_asked() {
    if std::env::var_os(COMPLETE_VAR).is_none_or(|v| v.is_empty()) {
        return;
    }
    CompleteEnv::with_factory(completion_command)
        .var(COMPLETE_VAR)
        .shells(Shells(&[&Bash, &Zsh, &Fish]))
        .complete();
}

/// The completion script for `shell`.
pub(crate) fn script(shell: CompletionShell) -> Vec<u8> {
    let mut buf = Vec::new();
    let write = |c: &dyn EnvCompleter, buf: &mut Vec<u8>| {
        c.write_registration(COMPLETE_VAR, "gover", "gover", "gover", buf)
            .expect("writing to memory");
    };
    match shell {
        CompletionShell::Bash => write(&Bash, &mut buf),
        CompletionShell::Fish => write(&Fish, &mut buf),
        CompletionShell::Zsh => {
            write(&Zsh, &mut buf);
            buf = zsh_autoloadable(&String::from_utf8_lossy(&buf)).into_bytes();
        }
    }
    buf
}

/// The zsh script, made to complete on the first Tab also when zsh
/// autoloads it from `$fpath` as `_gover` (then its body runs as the
/// completion function itself, and a bare `compdef` would only register
/// the function for the next Tab).
fn zsh_autoloadable(script: &str) -> String {
    let register = "compdef _clap_dynamic_completer_gover gover";
    let body = script.trim_end();
    let Some(head) = body.strip_suffix(register) else {
        return script.to_string();
    };
    format!(
        "{head}if [ \"${{funcstack[1]-}}\" = \"_gover\" ]; then\n    _clap_dynamic_completer_gover \"$@\"\nelse\n    {register}\nfi\n"
    )
}

pub(crate) fn run(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(&script(args.shell))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_asks_gover() {
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
        ] {
            let s = String::from_utf8(script(shell)).unwrap();
            assert!(s.contains(COMPLETE_VAR), "{shell:?}:\n{s}");
        }
        let zsh = String::from_utf8(script(CompletionShell::Zsh)).unwrap();
        assert!(zsh.starts_with("#compdef gover\n"), "{zsh}");
        assert!(
            zsh.contains("funcstack[1]"),
            "the zsh script is autoloadable:\n{zsh}"
        );
    }

    #[test]
    fn exec_completes_a_version_then_a_command() {
        let mut cmd = completion_command();
        cmd.build();
        let exec = cmd.find_subcommand("exec").unwrap();
        let version = exec.get_positionals().find(|a| a.get_id() == "version");
        assert_eq!(version.and_then(Arg::get_index), Some(1));
        let words = exec.get_positionals().find(|a| a.get_id() == "words");
        assert_eq!(words.and_then(Arg::get_index), Some(2));
    }
}
