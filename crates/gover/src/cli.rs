//! Command-line arguments. Each doc comment is the `--help` text; each
//! command's `Examples:` are in [`examples`], which `docs/reference.md`
//! shows too (a test compares them).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::output::ColorWhen;

/// gover: install and switch Go toolchains, verified and fast.
///
/// The `go` and `gofmt` shims (see `gover setup`) run the Go pinned for the
/// current directory by GOVER_GO_VERSION, .go-version, .tool-versions,
/// go.work/go.mod or the global default.
///
/// Run without a command for what is pinned here and what to do next.
#[derive(Debug, Parser)]
#[command(
    name = "gover",
    version,
    propagate_version = true,
    max_term_width = 100,
    disable_help_flag = true,
    disable_version_flag = true,
    after_help = examples::GOVER
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// Without one: what is pinned here and the next command to run.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Flags accepted by every command, before or after its name; `--help`
/// lists them apart from the command's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
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
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set),
    /// always, never
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        hide_possible_values = true
    )]
    pub(crate) color: Option<ColorWhen>,
    /// Print help (a summary with -h)
    #[arg(short, long, global = true, action = ArgAction::Help)]
    help: Option<bool>,
    /// Print gover's version
    #[arg(short = 'V', long, global = true, action = ArgAction::Version)]
    version: Option<bool>,
}

/// gover's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show which Go runs in this directory and why
    #[command(after_help = examples::CURRENT)]
    Current(CurrentArgs),
    /// Download, verify and install Go toolchains
    #[command(visible_alias = "i", after_help = examples::INSTALL)]
    Install(InstallArgs),
    /// Remove installed toolchains
    #[command(visible_alias = "rm", after_help = examples::UNINSTALL)]
    Uninstall(UninstallArgs),
    /// List installed toolchains, or available ones with --remote
    #[command(visible_alias = "ls", after_help = examples::LIST)]
    List(ListArgs),
    /// Pin a Go version for this directory (or globally with --global)
    #[command(after_help = examples::USE)]
    Use(UseArgs),
    /// Print the path of the real binary the shim would run here
    #[command(after_help = examples::WHICH)]
    Which(WhichArgs),
    /// Register a Go tree gover did not install (source, tip, vendor build) under a name
    #[command(after_help = examples::LINK)]
    Link(LinkArgs),
    /// Remove a toolchain registered with `gover link` (its Go tree is untouched)
    #[command(after_help = examples::UNLINK)]
    Unlink(UnlinkArgs),
    /// Run a command with a toolchain's environment
    #[command(
        override_usage = "gover exec [OPTIONS] [VERSION] [--] <CMD>...",
        after_help = examples::EXEC
    )]
    Exec(ExecArgs),
    /// Print the environment that puts a toolchain first (for eval and CI)
    #[command(after_help = examples::ENV)]
    Env(EnvArgs),
    /// Install the go/gofmt shims and put them on PATH for every shell session
    #[command(after_help = examples::SETUP)]
    Setup(SetupArgs),
    /// Check the environment for problems and say how to fix each one
    #[command(after_help = examples::DOCTOR)]
    Doctor(DoctorArgs),
    /// Fill a directory with verified archives and an index, to serve as a mirror
    #[command(after_help = examples::MIRROR)]
    Mirror(MirrorArgs),
    /// Check installed toolchains against their install records and Go's checksum database
    #[command(after_help = examples::VERIFY)]
    Verify(VerifyArgs),
    /// Print shell completions (commands, flags, installed and released versions)
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Remove the toolchains no project, default or running process uses
    #[command(after_help = examples::PRUNE)]
    Prune(PruneArgs),
    /// Show pins behind the newest patch of their line (exit 1 if any)
    #[command(after_help = examples::OUTDATED)]
    Outdated(OutdatedArgs),
    /// Move exact pins to the newest patch of their line and install it
    #[command(after_help = examples::UPGRADE)]
    Upgrade(UpgradeArgs),
    /// Manage the deduplicated toolchain store (gc, verify, optimize)
    #[command(after_help = examples::STORE)]
    Store(StoreArgs),
    /// Update gover itself (`gover self update`)
    #[command(name = "self", after_help = examples::SELF)]
    SelfCmd(crate::commands::self_update::SelfArgs),
    /// Read and change settings in config.toml, and say where each comes from
    #[command(after_help = examples::CONFIG)]
    Config(crate::commands::config::ConfigArgs),
}

/// The `Examples:` section of each command's help.
pub(crate) mod examples {
    /// `gover` itself.
    pub(crate) const GOVER: &str = "\
Examples:
  gover install 1.22      Install the newest Go 1.22.x
  gover use 1.22          Pin it for this directory (writes .go-version)
  gover setup             Put the go and gofmt shims on PATH
  gover doctor            Check the set-up; every problem comes with its fix";
    /// `gover current`.
    pub(crate) const CURRENT: &str = "\
Examples:
  gover current           go1.22.10 (set by /home/me/src/api/.go-version), installed
  gover current -v        Also list every file and variable checked
  gover current --json    The same as JSON, for scripts";
    /// `gover install`.
    pub(crate) const INSTALL: &str = "\
Examples:
  gover install                     What `gover current` resolves here
  gover install 1.22 1.23rc1        The newest 1.22.x, and a release candidate
  gover install latest              The newest stable release
  gover install --from go1.22.10.linux-amd64.tar.gz
  gover install 1.22 --platform linux-arm64";
    /// `gover uninstall`.
    pub(crate) const UNINSTALL: &str = "\
Examples:
  gover uninstall 1.21.13           One exact version
  gover uninstall 1.21              The one 1.21.x installed (an error when there are several)";
    /// `gover list`.
    pub(crate) const LIST: &str = "\
Examples:
  gover list                        Installed toolchains; * marks the one used here
  gover list --remote               Stable releases for this machine
  gover list --remote --all --json  Every release, as JSON";
    /// `gover use`.
    pub(crate) const USE: &str = "\
Examples:
  gover use 1.22                    Pin the newest 1.22.x here (.go-version)
  gover use --global 1.23.4         The default wherever nothing else is pinned
  gover use system                  The go that is on PATH besides gover's";
    /// `gover which`.
    pub(crate) const WHICH: &str = "\
Examples:
  gover which                       /home/me/.local/share/gover/toolchains/go1.22.10/bin/go
  gover which gofmt";
    /// `gover link`.
    pub(crate) const LINK: &str = "\
Examples:
  gover link go1.22.10-bigcorp /opt/bigcorp/go
  gover link go1.28-tip ~/src/go    A tip build, then `gover use go1.28-tip`";
    /// `gover unlink`.
    pub(crate) const UNLINK: &str = "\
Examples:
  gover unlink go1.28-tip";
    /// `gover exec`.
    pub(crate) const EXEC: &str = "\
Examples:
  gover exec 1.21 go version        Run 1.21's go
  gover exec 1.22 -- go test ./...  `--` is optional
  gover exec go build ./...         With the version pinned here";
    /// `gover env`.
    pub(crate) const ENV: &str = "\
Examples:
  eval \"$(gover env 1.22)\"          This shell uses 1.22 (again: another version instead)
  eval \"$(gover env --unset)\"       Back to PATH, GOROOT and GOTOOLCHAIN as they were
  gover env --shell fish 1.22 | source
  gover env --shell github          In a GitHub Actions step";
    /// `gover setup`.
    pub(crate) const SETUP: &str = "\
Examples:
  gover setup                       For the shell $SHELL names
  gover setup --shell zsh
  gover setup --no-modify-rc        Link the shims; print the lines to add yourself";
    /// `gover doctor`.
    pub(crate) const DOCTOR: &str = "\
Examples:
  gover doctor
  gover doctor --network            Also ask the release index whether it answers
  gover doctor --json";
    /// `gover mirror`.
    pub(crate) const MIRROR: &str = "\
Examples:
  gover mirror /srv/go 1.22 1.23 --platform linux-amd64 --platform linux-arm64
  gover mirror /srv/go              The newest release, for this machine";
    /// `gover verify`.
    pub(crate) const VERIFY: &str = "\
Examples:
  gover verify                      Check every installed toolchain
  gover verify 1.22 --json          One toolchain, as JSON for CI
  gover verify --record             Record and check toolchains installed before records existed";
    /// `gover completions`.
    pub(crate) const COMPLETIONS: &str = "\
Examples:
  gover completions bash > ~/.local/share/bash-completion/completions/gover
  gover completions zsh > ~/.zfunc/_gover
  gover completions fish > ~/.config/fish/completions/gover.fish";
    /// `gover self`.
    pub(crate) const SELF: &str = "\
Examples:
  gover self update                 Update gover and gover-shim to the newest release";
    /// `gover prune`.
    pub(crate) const PRUNE: &str = "\
Examples:
  gover prune --dry-run             What would be removed, and why the rest stays
  gover prune                       Remove it
  gover prune --json                The same as JSON, for scripts";
    /// `gover outdated`.
    pub(crate) const OUTDATED: &str = "\
Examples:
  gover outdated                    Pins behind the newest patch of their line
  gover outdated --json || echo behind   Exit status 1 when something is behind";
    /// `gover upgrade`.
    pub(crate) const UPGRADE: &str = "\
Examples:
  gover upgrade                     This project's pin, to the newest patch
  gover upgrade ~/src/api ~/src/web
  gover upgrade --all               Every remembered project and the global default
  gover upgrade --go-mod            Also go.mod's toolchain line";
    /// `gover store`.
    pub(crate) const STORE: &str = "\
Examples:
  gover store status                Its size, and what sharing files saves
  gover store verify --repair       Re-hash every file; reinstall what changed
  gover store gc                    Remove files no toolchain holds
  gover store optimize              Move older installs into the store";
    /// `gover store gc`.
    pub(crate) const STORE_GC: &str = "\
Examples:
  gover store gc                    Remove files no toolchain holds";
    /// `gover store verify`.
    pub(crate) const STORE_VERIFY: &str = "\
Examples:
  gover store verify                Re-hash every file; exit 1 if one changed
  gover store verify --repair       Reinstall the toolchains holding a changed file";
    /// `gover store optimize`.
    pub(crate) const STORE_OPTIMIZE: &str = "\
Examples:
  gover store optimize              Move older installs into the store";
    /// `gover store status`.
    pub(crate) const STORE_STATUS: &str = "\
Examples:
  gover store status                Its size, and what sharing files saves
  gover store status --json";
    /// `gover self update`.
    pub(crate) const SELF_UPDATE: &str = "\
Examples:
  gover self update
  gover self update --check         Exit 10 when a newer release exists
  gover self update --to 0.1.0      Go back to (or pin) a release";
    /// `gover config`.
    pub(crate) const CONFIG: &str = "\
Examples:
  gover config list                 Every setting, its value and where it comes from
  gover config get mirror
  gover config set mirror https://mirrors.aliyun.com/golang/
  gover config set --global mirror cn  Archives and index from golang.google.cn
  gover config set --global auto_install false
  gover config unset mirror";
    /// `gover config list`.
    pub(crate) const CONFIG_LIST: &str = "\
Examples:
  gover config list
  gover config list --global        Only what the user-level file sets";
    /// `gover config get`.
    pub(crate) const CONFIG_GET: &str = "\
Examples:
  gover config get mirror           The value on stdout, where it comes from on stderr
  gover config get -q http_timeout  The value alone";
    /// `gover config set`.
    pub(crate) const CONFIG_SET: &str = "\
Examples:
  gover config set mirror https://mirrors.aliyun.com/golang/
  gover config set --global mirror cn  A preset: golang.google.cn's archives and index
  gover config set http_timeout 120
  gover config set --global auto_install false";
    /// `gover config unset`.
    pub(crate) const CONFIG_UNSET: &str = "\
Examples:
  gover config unset mirror
  gover config unset --global mirror";
}

/// `gover current`
#[derive(Debug, Args)]
pub(crate) struct CurrentArgs {
    /// Print JSON:
    /// {"version","request","source","source_kind","reason","notes","path","installed","verification"}
    /// (for system and custom toolchains also "exe"; with -v also "checked"); on failure
    /// (nothing pinned, a broken pin): {"error","hint","kind","source"}
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover install`
#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// Versions to install: 1.22.10, 1.22 (newest 1.22.x), 1.23rc1, latest.
    /// Without one, installs what `gover current` resolves here
    #[arg(add = crate::candidates::released())]
    pub(crate) versions: Vec<String>,
    /// Reinstall even if already installed
    #[arg(long)]
    pub(crate) force: bool,
    /// Install from a local archive (goX.Y.Z.os-arch.tar.gz) instead of downloading
    #[arg(long, value_name = "FILE", conflicts_with = "versions", value_hint = clap::ValueHint::FilePath)]
    pub(crate) from: Option<PathBuf>,
    /// Expected sha256 of the --from archive (when the index does not know it)
    #[arg(long, value_name = "HEX", requires = "from")]
    pub(crate) sha256: Option<String>,
    /// Install for another platform, as Go names it (linux-arm64, darwin-amd64)
    #[arg(long, value_name = "OS-ARCH")]
    pub(crate) platform: Option<String>,
    /// The versions are what go.mod/go.work go lines ask for (minimums);
    /// passed by the shim
    #[arg(long, hide = true, conflicts_with = "from")]
    pub(crate) go_line: bool,
}

/// `gover uninstall`
#[derive(Debug, Args)]
pub(crate) struct UninstallArgs {
    /// Installed versions to remove: 1.22.10, go1.22.10, or 1.22 when exactly
    /// one 1.22.x is installed
    #[arg(required = true, add = crate::candidates::installed())]
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
    /// Print JSON: [{"version","path","current","used_by","verification"}]; with --remote:
    /// [{"version","stable","installed","platform","source","filename","size","sha256"}]
    /// ("source": "dl"), or from the module proxy ("source": "proxy")
    /// "module" and "from" in place of "filename", "size" and "sha256"
    #[arg(long)]
    pub(crate) json: bool,
}

/// `gover use`
#[derive(Debug, Args)]
pub(crate) struct UseArgs {
    /// The version to pin: 1.22.10, 1.22, 1.23rc1, latest, system
    #[arg(id = "request", value_name = "VERSION", add = crate::candidates::pinnable())]
    pub(crate) version: String,
    /// Set the global default ($GOVER_HOME/version) instead of pinning this
    /// directory
    #[arg(long)]
    pub(crate) global: bool,
    /// Pin this directory even when it is your home directory (where a pin
    /// would apply to every directory below it)
    #[arg(long, conflicts_with = "global")]
    pub(crate) here: bool,
    /// Do not install the version if it is missing
    #[arg(long)]
    pub(crate) no_install: bool,
    /// Pin the exact release the version resolves to (1.22 -> 1.22.10)
    /// instead of the version as given
    #[arg(long)]
    pub(crate) pin: bool,
}

/// `gover link`
#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// The name: go<version>-<suffix>, such as go1.22.10-bigcorp or go1.28-tip
    pub(crate) name: String,
    /// The Go tree: its GOROOT, the directory holding bin/go and pkg/tool
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub(crate) dir: PathBuf,
}

/// `gover unlink`
#[derive(Debug, Args)]
pub(crate) struct UnlinkArgs {
    /// The name given to `gover link`
    #[arg(add = crate::candidates::linked())]
    pub(crate) name: String,
}

/// `gover which`
#[derive(Debug, Args)]
pub(crate) struct WhichArgs {
    /// The tool: go, gofmt or any other file in the toolchain's bin directory
    #[arg(default_value = "go", add = crate::candidates::tools())]
    pub(crate) tool: String,
}

/// `gover exec`: `VERSION` is optional and `--` too, so the words are
/// parsed as one list and split by [`ExecArgs::split`].
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// The version to run with (default: the pin for this directory)
    #[arg(skip)]
    pub(crate) version: Option<String>,
    /// The command and its arguments
    #[arg(skip)]
    pub(crate) command: Vec<OsString>,
    /// [VERSION] then the command and its arguments; a `--` before the
    /// command is optional. VERSION defaults to the pin for this directory
    #[arg(
        id = "words",
        value_name = "CMD",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub(crate) words: Vec<OsString>,
}

impl ExecArgs {
    /// Splits the words into `version` and `command`: the first word is
    /// the version when it reads as one (`1.22`, `go1.21.13`, `latest`,
    /// `system`, or anything starting with a digit, so that a typo is
    /// reported as a bad version), and a `--` may separate the command.
    /// An error names what is missing.
    pub(crate) fn split(&self) -> Result<Self, String> {
        let mut out = Self {
            version: None,
            command: Vec::new(),
            words: Vec::new(),
        };
        let mut words = self.words.iter().cloned().peekable();
        let is_version = |w: &OsString| {
            w.to_str().is_some_and(|s| {
                s.starts_with(|c: char| c.is_ascii_digit())
                    || gover_core::VersionRequest::parse(s).is_ok()
            })
        };
        if words.peek().is_some_and(is_version) {
            out.version = words.next().and_then(|w| w.into_string().ok());
        }
        if words.peek().is_some_and(|w| w == "--") {
            words.next();
        }
        out.command = words.collect();
        if out.command.is_empty() {
            let after = out.version.as_deref().unwrap_or("exec");
            return Err(format!(
                "no command to run after `{}`",
                gover_core::text::shorten(after, 40),
            ));
        }
        Ok(out)
    }
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
    #[arg(id = "request", value_name = "VERSION", add = crate::candidates::pinnable())]
    pub(crate) version: Option<String>,
    /// Output syntax
    #[arg(long, value_enum, default_value = "sh")]
    pub(crate) shell: EnvShell,
    /// Print the code that undoes `gover env` instead: gover's toolchains
    /// off PATH, GOROOT and GOTOOLCHAIN as they were
    #[arg(long, conflicts_with = "request")]
    pub(crate) unset: bool,
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
    /// Print JSON: [{"id","severity","message","why","fix"}]
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
    #[arg(value_hint = clap::ValueHint::DirPath)]
    pub(crate) dir: PathBuf,
    /// Versions to mirror (default: latest)
    pub(crate) versions: Vec<String>,
    /// Platforms to mirror, as Go names them (repeatable; default: this host)
    #[arg(long, value_name = "OS-ARCH")]
    pub(crate) platform: Vec<String>,
}

/// `gover verify`
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Installed versions to check (1.22.10, go1.22.10, 1.22 for every
    /// installed 1.22.x); without one, every installed toolchain
    #[arg(add = crate::candidates::installed())]
    pub(crate) versions: Vec<String>,
    /// Print JSON: one object per toolchain
    #[arg(long)]
    pub(crate) json: bool,
    /// Record toolchains that have no verification record yet (installed
    /// before gover kept them), after checking them
    #[arg(long)]
    pub(crate) record: bool,
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
    #[command(after_help = examples::STORE_GC)]
    Gc,
    /// Re-hash every store file; report (or with --repair, reinstall) changed ones
    #[command(after_help = examples::STORE_VERIFY)]
    Verify {
        /// Take changed files out of the store and reinstall the toolchains holding them
        #[arg(long)]
        repair: bool,
    },
    /// Move toolchains installed without the store into it
    #[command(after_help = examples::STORE_OPTIMIZE)]
    Optimize,
    /// Show the store's size and what it saves
    #[command(after_help = examples::STORE_STATUS)]
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

    fn exec(words: &[&str]) -> Result<(Option<String>, Vec<String>), String> {
        let mut argv = vec!["gover", "exec"];
        argv.extend_from_slice(words);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let Some(Command::Exec(args)) = cli.command else {
            panic!("not exec");
        };
        let a = args.split()?;
        let cmd = a.command.iter().map(|w| w.to_string_lossy().into_owned());
        Ok((a.version, cmd.collect()))
    }

    #[test]
    fn exec_takes_the_command_with_or_without_a_separator() {
        let v = |s: &str| Some(s.to_string());
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let go_version = words(&["go", "version"]);
        assert_eq!(
            exec(&["1.21", "go", "version"]),
            Ok((v("1.21"), go_version.clone()))
        );
        assert_eq!(
            exec(&["1.21", "--", "go", "version"]),
            Ok((v("1.21"), go_version.clone()))
        );
        assert_eq!(
            exec(&["--", "go", "version"]),
            Ok((None, go_version.clone()))
        );
        assert_eq!(exec(&["go", "version"]), Ok((None, go_version)));
        assert_eq!(exec(&["latest", "go"]), Ok((v("latest"), words(&["go"]))));
        // The command's own flags and separators are its own.
        assert_eq!(
            exec(&["1.21", "go", "run", ".", "--", "-v"]),
            Ok((v("1.21"), words(&["go", "run", ".", "--", "-v"])))
        );
        assert_eq!(
            exec(&["go", "-v", "--color=always"]),
            Ok((None, words(&["go", "-v", "--color=always"])))
        );
        // gover's flags before the version are gover's.
        let cli = Cli::try_parse_from(["gover", "exec", "-q", "1.21", "go", "-q"]).unwrap();
        assert!(cli.global.quiet);
        // A typo in the version is a version, to be reported as one.
        assert_eq!(exec(&["1.2x", "go"]), Ok((v("1.2x"), words(&["go"]))));
        let e = exec(&["1.21"]).unwrap_err();
        assert!(e.contains("no command to run after `1.21`"), "{e}");
        assert!(exec(&[]).is_err());
    }
}
