//! Command-line arguments. Each doc comment is the `--help` text.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// gover: install and switch Go toolchains, verified and fast.
///
/// The `go` and `gofmt` shims (see `gover setup`) run the Go pinned for the
/// current directory by GOVER_GO_VERSION, .go-version, .tool-versions,
/// go.work/go.mod or the global default.
#[derive(Debug, Parser)]
#[command(
    name = "gover",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Print nothing but errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Say more about what happens (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Never touch the network; use only cached data (also GOVER_OFFLINE=1)
    #[arg(long, global = true)]
    pub(crate) offline: bool,
}

/// gover's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show which Go runs in this directory and why
    Current(CurrentArgs),
    /// Download, verify and install Go toolchains
    #[command(visible_alias = "i")]
    Install(InstallArgs),
    /// Remove installed toolchains
    #[command(visible_alias = "rm")]
    Uninstall(UninstallArgs),
    /// List installed toolchains, or available ones with --remote
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Pin a Go version for this directory (or globally with --global)
    Use(UseArgs),
    /// Print the path of the real binary the shim would run here
    Which(WhichArgs),
    /// Run a command with a toolchain's environment
    Exec(ExecArgs),
    /// Print the environment that puts a toolchain first (for eval and CI)
    Env(EnvArgs),
    /// Install the go/gofmt shims and put them on PATH for every shell session
    Setup(SetupArgs),
    /// Check the environment for problems and say how to fix each one
    Doctor(DoctorArgs),
    /// Fill a directory with verified archives and an index, to serve as a mirror
    Mirror(MirrorArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Remove the toolchains no project, default or running process uses
    Prune(PruneArgs),
    /// Show pins behind the newest patch of their line (exit 1 if any)
    Outdated(OutdatedArgs),
    /// Move exact pins to the newest patch of their line and install it
    Upgrade(UpgradeArgs),
    /// Manage the deduplicated toolchain store (gc, verify, optimize)
    Store(StoreArgs),
    /// Update gover itself (`gover self update`)
    #[command(name = "self")]
    SelfCmd(crate::commands::self_update::SelfArgs),
}

/// `gover current`
#[derive(Debug, Args)]
pub(crate) struct CurrentArgs {
    /// Print JSON: {"version","request","source","path","installed"}
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover install`
#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// Versions to install: 1.22.10, 1.22 (newest 1.22.x), 1.23rc1, latest.
    /// Without one, installs what `gover current` resolves here
    pub(crate) versions: Vec<String>,
    /// Reinstall even if already installed
    #[arg(long)]
    pub(crate) force: bool,
    /// Install from a local archive (goX.Y.Z.os-arch.tar.gz) instead of downloading
    #[arg(long, value_name = "FILE", conflicts_with = "versions")]
    pub(crate) from: Option<PathBuf>,
    /// Expected sha256 of the --from archive (when the index does not know it)
    #[arg(long, value_name = "HEX", requires = "from")]
    pub(crate) sha256: Option<String>,
    /// Install for another platform, as Go names it (linux-arm64, darwin-amd64)
    #[arg(long, value_name = "OS-ARCH")]
    pub(crate) platform: Option<String>,
}

/// `gover uninstall`
#[derive(Debug, Args)]
pub(crate) struct UninstallArgs {
    /// Installed versions to remove (1.22.10, go1.22.10)
    #[arg(required = true)]
    pub(crate) versions: Vec<String>,
    /// Remove even a toolchain that running processes (a build) use
    #[arg(long)]
    pub(crate) force: bool,
}

/// `gover list`
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// List versions available from the release index
    #[arg(long)]
    pub(crate) remote: bool,
    /// With --remote: include betas and release candidates
    #[arg(long, requires = "remote")]
    pub(crate) all: bool,
    /// With --remote: list the versions published for this platform, as Go
    /// names it (default: this host)
    #[arg(long, value_name = "OS-ARCH", requires = "remote")]
    pub(crate) platform: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover use`
#[derive(Debug, Args)]
pub(crate) struct UseArgs {
    /// The version to pin: 1.22.10, 1.22, 1.23rc1, latest, system
    #[arg(id = "request", value_name = "VERSION")]
    pub(crate) version: String,
    /// Set the global default ($GOVER_HOME/version) instead of .go-version here
    #[arg(long)]
    pub(crate) global: bool,
    /// Do not install the version if it is missing
    #[arg(long)]
    pub(crate) no_install: bool,
    /// Pin the exact release the version resolves to (1.22 -> 1.22.10)
    /// instead of the version as given
    #[arg(long)]
    pub(crate) pin: bool,
}

/// `gover which`
#[derive(Debug, Args)]
pub(crate) struct WhichArgs {
    /// The tool: go or gofmt
    #[arg(default_value = "go")]
    pub(crate) tool: String,
}

/// `gover exec`
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// The version to run with (default: the pin for this directory)
    #[arg(id = "request", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub(crate) command: Vec<OsString>,
}

/// Shells `gover env` can print for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EnvShell {
    /// POSIX sh
    Sh,
    /// bash
    Bash,
    /// zsh
    Zsh,
    /// fish
    Fish,
    /// GitHub Actions ($GITHUB_PATH / $GITHUB_ENV)
    Github,
}

/// `gover env`
#[derive(Debug, Args)]
pub(crate) struct EnvArgs {
    /// The version (default: the pin for this directory)
    #[arg(id = "request", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// Output syntax
    #[arg(long, value_enum, default_value = "sh")]
    pub(crate) shell: EnvShell,
}

/// Shells `gover setup` configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SetupShell {
    /// bash (~/.bashrc and ~/.profile or ~/.bash_profile)
    Bash,
    /// zsh (~/.zshenv)
    Zsh,
    /// fish (~/.config/fish/conf.d/gover.fish)
    Fish,
}

/// `gover setup`
#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    /// The shell to configure (default: from $SHELL)
    #[arg(long, value_enum)]
    pub(crate) shell: Option<SetupShell>,
    /// Only install the shims; do not edit shell startup files
    #[arg(long)]
    pub(crate) no_modify_rc: bool,
}

/// `gover doctor`
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
    /// Also check that the release index answers
    #[arg(long)]
    pub(crate) network: bool,
}

/// `gover mirror`
#[derive(Debug, Args)]
pub(crate) struct MirrorArgs {
    /// The directory to fill
    pub(crate) dir: PathBuf,
    /// Versions to mirror (default: latest)
    pub(crate) versions: Vec<String>,
    /// Platforms to mirror, as Go names them (repeatable; default: this host)
    #[arg(long, value_name = "OS-ARCH")]
    pub(crate) platform: Vec<String>,
}

/// `gover prune`
#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    /// Say what would be removed, remove nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print JSON: [{"version","path","action","reasons"}]
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover outdated`
#[derive(Debug, Args)]
pub(crate) struct OutdatedArgs {
    /// Print JSON: [{"file","kind","pinned","current","latest","behind"}]
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover upgrade`
#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// Project directories or pin files (default: this directory)
    #[arg(value_name = "PATH", conflicts_with = "all")]
    pub(crate) paths: Vec<PathBuf>,
    /// Every remembered project and the global default
    #[arg(long)]
    pub(crate) all: bool,
    /// Also rewrite the toolchain line of a go.mod or go.work
    #[arg(long)]
    pub(crate) go_mod: bool,
}

/// `gover store`
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    #[command(subcommand)]
    pub(crate) command: StoreCommand,
}

/// `gover store` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum StoreCommand {
    /// Remove store files no installed toolchain holds
    Gc,
    /// Re-hash every store file; report (or with --repair, reinstall) changed ones
    Verify {
        /// Take changed files out of the store and reinstall the toolchains holding them
        #[arg(long)]
        repair: bool,
    },
    /// Move toolchains installed without the store into it
    Optimize,
    /// Show the store's size and what it saves
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Shells for completions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompletionShell {
    /// bash
    Bash,
    /// zsh
    Zsh,
    /// fish
    Fish,
}

/// `gover completions`
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub(crate) shell: CompletionShell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
