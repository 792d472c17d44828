//! `gover completions bash|zsh|fish`: prints a completion script for the
//! shell, generated from the command-line definition itself (so it always
//! knows every command and flag).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionShell, CompletionsArgs};

/// The completion script for `shell`.
pub(crate) fn script(shell: CompletionShell) -> Vec<u8> {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "gover", &mut buf);
    buf
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
    fn every_shell_knows_every_command() {
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
        ] {
            let s = String::from_utf8(script(shell)).unwrap();
            for cmd in ["install", "use", "doctor", "completions", "setup"] {
                assert!(s.contains(cmd), "{shell:?} completions lack {cmd}");
            }
            assert!(s.contains("network"), "{shell:?}: doctor's flags");
        }
    }
}
