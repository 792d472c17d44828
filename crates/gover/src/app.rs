//! What every command gets: gover's home, the effective settings (resolved
//! by `gover_core::settings`, each with where it came from) and the output
//! verbosity.

use anyhow::Result;
pub(crate) use gover_core::settings::Settings;
use gover_core::settings::SettingsError;
use gover_core::GoverHome;

use crate::cli::GlobalArgs;
use crate::error::UserError;

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

/// The user-facing form of a settings error: what is wrong, where, and the fix.
pub(crate) fn settings_error(e: &SettingsError) -> UserError {
    UserError::new(e.to_string()).hint(e.hint())
}

impl App {
    /// Builds the context from the process environment and global flags:
    /// any problem with the settings (an unknown key in a config file, a
    /// value out of range) stops the command here.
    pub(crate) fn from_env(global: &GlobalArgs) -> Result<Self> {
        let home = GoverHome::from_env().map_err(|e| UserError::new(e.to_string()))?;
        let settings = Settings::load(&home, global.offline).map_err(|e| settings_error(&e))?;
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
            crate::output::status(msg);
        }
    }

    /// Prints a detail line to stderr with `-v`.
    pub(crate) fn debug(&self, msg: impl std::fmt::Display) {
        if matches!(self.verbosity, Verbosity::Verbose(_)) {
            crate::output::status(msg);
        }
    }

    /// Prints `warning: ...` to stderr unless `-q`.
    pub(crate) fn warn(&self, msg: impl std::fmt::Display) {
        if self.verbosity != Verbosity::Quiet {
            crate::output::warn(msg);
        }
    }

    /// Prints `hint: ...` to stderr unless `-q`.
    pub(crate) fn hint(&self, msg: impl std::fmt::Display) {
        if self.verbosity != Verbosity::Quiet {
            crate::output::note_hint(msg);
        }
    }

    /// Prints `warning: ...`, a blank line and `hint: ...` to stderr
    /// unless `-q`.
    pub(crate) fn warn_with_hint(&self, msg: impl std::fmt::Display, hint: impl std::fmt::Display) {
        if self.verbosity != Verbosity::Quiet {
            crate::output::warn_with_hint(msg, hint);
        }
    }
}
