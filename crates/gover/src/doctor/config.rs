//! `config.toml` and the settings: readable, only known keys, valid.

use gover_core::config::KEYS;
use gover_core::text::untrusted;

use super::id::FindingId;
use super::model::{Check, DoctorEnv, Finding};

/// What is known about the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConfigFacts {
    /// `config.toml` cannot be read or parsed: why.
    Unreadable(String),
    /// It parses.
    Read {
        /// Whether the file exists.
        exists: bool,
        /// How many settings it holds.
        settings: usize,
        /// Keys gover does not know.
        unknown: Vec<String>,
        /// Why the effective settings are invalid, if they are.
        invalid: Option<String>,
    },
}

/// The config check.
pub(crate) struct ConfigFile;

fn known_keys() -> String {
    KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

impl Check for ConfigFile {
    type Facts = ConfigFacts;

    fn facts(env: &DoctorEnv) -> ConfigFacts {
        match &env.config {
            Err(e) => ConfigFacts::Unreadable(e.clone()),
            Ok(c) => ConfigFacts::Read {
                exists: c.path.is_some(),
                settings: c.keys().count(),
                unknown: c
                    .keys()
                    .filter(|k| !KEYS.iter().any(|(known, _)| known == k))
                    .map(str::to_string)
                    .collect(),
                invalid: env.settings.as_ref().err().cloned(),
            },
        }
    }

    fn findings(env: &DoctorEnv, facts: &ConfigFacts) -> Vec<Finding> {
        let file = env.show(&env.home.config_file());
        let id = FindingId::Config;
        let (exists, settings, unknown, invalid) = match facts {
            ConfigFacts::Unreadable(e) => {
                return vec![Finding::problem(id, untrusted(e).to_string())
                    .why("every gover command and the shim refuse to run until it is fixed")
                    .fix(format!(
                "fix that line of {file}; it holds plain `key = value` lines with the keys {}",
                known_keys()
            ))]
            }
            ConfigFacts::Read {
                exists,
                settings,
                unknown,
                invalid,
            } => (*exists, *settings, unknown, invalid),
        };
        let mut out = Vec::new();
        if !unknown.is_empty() {
            let names: Vec<String> = unknown.iter().map(|k| untrusted(k).to_string()).collect();
            out.push(
                Finding::warning(
                    id,
                    format!("{file} sets unknown keys: {}", names.join(", ")),
                )
                .why("gover ignores them, so whatever they were meant to change does not happen")
                .fix(format!(
                    "remove or rename them; the keys are {}",
                    known_keys()
                )),
            );
        }
        match invalid {
            Some(e) => out.push(
                Finding::problem(id, untrusted(e).to_string())
                    .why("every gover command refuses to run until it is fixed")
                    .fix("correct or unset that variable or setting (see docs/reference.md)"),
            ),
            None if exists && unknown.is_empty() => out.push(Finding::ok(
                id,
                format!("{file}: {settings} setting(s), all valid"),
            )),
            None if !exists => out.push(Finding::ok(id, format!("no {file}: default settings"))),
            None => {}
        }
        out
    }
}
