//! `config.toml` and the settings: readable, only known keys, valid.

use std::path::PathBuf;

use gover_core::settings::{known_keys, Layers, UnknownKey};
use gover_core::text::untrusted;

use super::id::FindingId;
use super::model::{Check, DoctorEnv, Finding};

/// What is known about the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConfigFacts {
    /// A config file cannot be read or parsed: why.
    Unreadable(String),
    /// They parse.
    Read {
        /// The config files that exist, with how many settings each holds.
        files: Vec<(PathBuf, usize)>,
        /// Keys gover does not know.
        unknown: Vec<UnknownKey>,
        /// Why the effective settings are invalid, if they are.
        invalid: Option<String>,
    },
}

/// The config check.
pub(crate) struct ConfigFile;

impl Check for ConfigFile {
    type Facts = ConfigFacts;

    fn facts(env: &DoctorEnv) -> ConfigFacts {
        match &env.config {
            Err(e) => ConfigFacts::Unreadable(e.clone()),
            Ok(files) => ConfigFacts::Read {
                files: files
                    .iter()
                    .map(|c| (c.path.clone().unwrap_or_default(), c.keys().count()))
                    .collect(),
                unknown: Layers::new(|_| None, files.clone()).unknown_keys(),
                invalid: env.settings.as_ref().err().cloned(),
            },
        }
    }

    fn findings(env: &DoctorEnv, facts: &ConfigFacts) -> Vec<Finding> {
        let id = FindingId::Config;
        let (files, unknown, invalid) = match facts {
            ConfigFacts::Unreadable(e) => {
                return vec![Finding::problem(id, untrusted(e).to_string())
                    .why("every gover command and the shim refuse to run until it is fixed")
                    .fix(format!(
                "fix that line; a config file holds plain `key = value` lines with the keys {}",
                known_keys()
            ))]
            }
            ConfigFacts::Read {
                files,
                unknown,
                invalid,
            } => (files, unknown, invalid),
        };
        let mut out: Vec<Finding> = unknown
            .iter()
            .map(|k| {
                Finding::problem(id, k.to_string())
                    .why("every gover command refuses to run until it is fixed (the shim only warns), so nothing it was meant to change happens")
                    .fix(k.hint())
            })
            .collect();
        match invalid {
            Some(e) => out.push(
                Finding::problem(id, untrusted(e).to_string())
                    .why("every gover command refuses to run until it is fixed")
                    .fix("correct or unset that variable or setting (see docs/reference.md)"),
            ),
            None if files.is_empty() => out.push(Finding::ok(
                id,
                format!("no {}: default settings", env.show(&env.home.config_file())),
            )),
            None if unknown.is_empty() => {
                for (path, n) in files {
                    out.push(Finding::ok(
                        id,
                        format!("{}: {n} setting(s), all valid", env.show(path)),
                    ));
                }
            }
            None => {}
        }
        out
    }
}
