//! What every command gets: gover's home, the effective settings and the
//! output verbosity.

use std::ffi::OsString;
use std::time::Duration;

use anyhow::Result;
use gover_core::config::Config;
use gover_core::{env, GoverHome};

use crate::cli::GlobalArgs;
use crate::error::UserError;

pub(crate) use gover_dist::source::{DEFAULT_INDEX_URL, DEFAULT_MIRROR};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// Errors only (`-q`).
    Quiet,
    /// The usual.
    Normal,
    /// `-v` (1) or `-vv` (2 and more).
    Verbose(u8),
}

/// Effective settings: the environment beats `config.toml`, which beats the
/// defaults.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Release index URL.
    pub(crate) index_url: String,
    /// Archive mirror base URL (always ends with `/`).
    pub(crate) mirror: String,
    /// Never touch the network.
    pub(crate) offline: bool,
    /// Connect and idle-read timeout.
    pub(crate) http_timeout: Duration,
    /// How long to wait for another install's lock (`None`: forever).
    pub(crate) lock_timeout: Option<Duration>,
    /// Whether the shim installs missing pinned versions.
    pub(crate) auto_install: bool,
    /// Whether the shim leaves GOTOOLCHAIN alone (`gotoolchain = "inherit"`).
    pub(crate) gotoolchain_inherit: bool,
    /// Show progress bars on a terminal.
    pub(crate) progress: bool,
}

/// The context every command runs with.
#[derive(Debug)]
pub(crate) struct App {
    /// gover's home.
    pub(crate) home: GoverHome,
    /// Effective settings.
    pub(crate) settings: Settings,
    /// How much to print.
    pub(crate) verbosity: Verbosity,
}

fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

fn var_string(name: &str) -> Result<Option<String>> {
    match var(name) {
        None => Ok(None),
        Some(v) => v
            .into_string()
            .map(Some)
            .map_err(|_| UserError::new(format!("{name} is not valid UTF-8")).into()),
    }
}

fn parse_bool_var(name: &str) -> Result<Option<bool>> {
    Ok(match var_string(name)?.as_deref() {
        None => None,
        Some("1" | "true" | "yes" | "on") => Some(true),
        Some("0" | "false" | "no" | "off") => Some(false),
        Some(other) => {
            return Err(
                UserError::new(format!("{name}={other} is not a boolean; use 1 or 0")).into(),
            )
        }
    })
}

fn parse_secs_var(name: &str) -> Result<Option<u64>> {
    match var_string(name)? {
        None => Ok(None),
        Some(s) => s.trim().parse::<u64>().map(Some).map_err(|_| {
            UserError::new(format!("{name}={s} is not a whole number of seconds")).into()
        }),
    }
}

impl Settings {
    /// Combines the environment, `config` and the defaults.
    pub(crate) fn load(config: &Config, offline_flag: bool) -> Result<Self> {
        let cfg = |e: gover_core::config::ConfigError| UserError::new(e.to_string());
        let index_url = match var_string(env::GOVER_INDEX_URL)? {
            Some(u) => u,
            None => config
                .string("index_url")
                .map_err(cfg)?
                .unwrap_or(DEFAULT_INDEX_URL)
                .to_string(),
        };
        let mut mirror = match var_string(env::GOVER_MIRROR)? {
            Some(u) => u,
            None => config
                .string("mirror")
                .map_err(cfg)?
                .unwrap_or(DEFAULT_MIRROR)
                .to_string(),
        };
        if !mirror.ends_with('/') {
            mirror.push('/');
        }
        let offline = offline_flag || parse_bool_var(env::GOVER_OFFLINE)?.unwrap_or(false);
        let http_timeout = parse_secs_var(env::GOVER_HTTP_TIMEOUT)?
            .or(config.uint("http_timeout").map_err(cfg)?)
            .unwrap_or(30);
        let lock_timeout = parse_secs_var(env::GOVER_LOCK_TIMEOUT)?
            .or(config.uint("lock_timeout").map_err(cfg)?);
        let auto_install = match parse_bool_var(env::GOVER_AUTO_INSTALL)? {
            Some(b) => b,
            None => config.bool("auto_install").map_err(cfg)?.unwrap_or(true),
        };
        let gotoolchain_inherit = match config.string("gotoolchain").map_err(cfg)? {
            None | Some("local") => false,
            Some("inherit") => true,
            Some(other) => {
                return Err(UserError::new(format!(
                    "{}: gotoolchain = \"{other}\" is not valid; use \"local\" or \"inherit\"",
                    config
                        .path
                        .as_deref()
                        .unwrap_or("config.toml".as_ref())
                        .display()
                ))
                .into())
            }
        };
        let progress = !parse_bool_var(env::GOVER_NO_PROGRESS)?.unwrap_or(false);
        Ok(Self {
            index_url,
            mirror,
            offline,
            http_timeout: Duration::from_secs(http_timeout.max(1)),
            lock_timeout: lock_timeout.map(Duration::from_secs),
            auto_install,
            gotoolchain_inherit,
            progress,
        })
    }
}

impl App {
    /// Builds the context from the process environment and global flags.
    pub(crate) fn from_env(global: &GlobalArgs) -> Result<Self> {
        let home = GoverHome::from_env().map_err(|e| UserError::new(e.to_string()))?;
        let config = Config::load(&home.config_file()).map_err(|e| {
            UserError::new(e.to_string()).hint(format!(
                "see `gover doctor`; keys: {}",
                gover_core::config::KEYS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let settings = Settings::load(&config, global.offline)?;
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose > 0 {
            Verbosity::Verbose(global.verbose)
        } else {
            Verbosity::Normal
        };
        Ok(Self {
            home,
            settings,
            verbosity,
        })
    }

    /// Prints a status line to stderr unless `-q`.
    pub(crate) fn info(&self, msg: impl std::fmt::Display) {
        if self.verbosity != Verbosity::Quiet {
            eprintln!("{msg}");
        }
    }

    /// Prints a detail line to stderr with `-v`.
    pub(crate) fn debug(&self, msg: impl std::fmt::Display) {
        if matches!(self.verbosity, Verbosity::Verbose(_)) {
            eprintln!("{msg}");
        }
    }

    /// Prints `warning: ...` to stderr (even with `-q`).
    pub(crate) fn warn(&self, msg: impl std::fmt::Display) {
        eprintln!("warning: {msg}");
    }
}
