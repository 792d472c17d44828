//! gover's settings, resolved in one place: the CLI, the shim and
//! `gover doctor` all read them through this module.
//!
//! Precedence, first hit wins, key by key:
//! 1. a command-line flag (`--offline`);
//! 2. the environment variable (`GOVER_MIRROR`; empty counts as unset);
//! 3. `$GOVER_HOME/config.toml`;
//! 4. the user-level `$XDG_CONFIG_HOME/gover/config.toml` (else
//!    `~/.config/gover/config.toml`), so a per-project `GOVER_HOME` keeps
//!    the user's mirror;
//! 5. the default.
//!
//! Every value carries its [`Origin`], for messages and `gover doctor`.
//! Every number has a documented range ([`NUMBERS`]); a value outside it is
//! an error naming the variable or file and key, the value and the range,
//! never an overflow. Mirror and index URLs are parsed with [`Url`] when
//! they are loaded; either may instead name a preset ([`crate::presets`]),
//! and a preset given as the mirror brings its index unless `index_url` is
//! set anywhere ([`Layers::downloads`]).
//!
//! [`Layers`] holds the sources (the environment and the config files that
//! exist) and resolves one setting at a time, so the shim asks only for
//! what it needs and a config file it does not need is never an error
//! there. [`Settings`] resolves them all, strictly: an unknown key in a
//! config file is an error naming the file, the key and the nearest known
//! key.
//!
//! To add a setting: its variable in [`crate::env`], its key (if any) in
//! [`crate::config::KEYS`], a spec here (a [`NumberSpec`] for numbers), a
//! field in [`Settings`], and its row in `docs/reference.md`.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{keys, nearest_key, Config, ConfigError, Value, KEYS};
use crate::env;
use crate::home::GoverHome;
use crate::presets::{self, Preset, Rewrites};
use crate::text::{shorten, untrusted_path};
use crate::toolenv::GoToolchainPolicy;
use crate::url::{mask_in_text, Url};

/// The default release index.
pub const DEFAULT_INDEX_URL: &str = "https://go.dev/dl/?mode=json&include=all";
/// The default archive mirror.
pub const DEFAULT_MIRROR: &str = "https://dl.google.com/go/";

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Nothing set it.
    Default,
    /// A command-line flag (`--offline`).
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key in a config file.
    File {
        /// The config file.
        path: PathBuf,
        /// The key.
        key: &'static str,
        /// The 1-based line.
        line: usize,
    },
}

impl fmt::Display for Origin {
    /// `default`, `--offline`, `GOVER_MIRROR`, or `` `mirror` in /path/config.toml ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::Flag(flag) | Self::Env(flag) => f.write_str(flag),
            Self::File { path, key, .. } => write!(f, "`{key}` in {}", untrusted_path(path)),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The effective value.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn unset(value: T) -> Self {
        Self {
            value,
            origin: Origin::Default,
        }
    }

    /// The same origin with the value converted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        Setting {
            value: f(self.value),
            origin: self.origin,
        }
    }
}

/// A whole-number setting: where it is read and what it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumberSpec {
    /// The environment variable.
    pub env: &'static str,
    /// The config key, when the files may set it (tuning knobs have none).
    pub key: Option<&'static str>,
    /// The default (`None`: unset, such as "wait forever").
    pub default: Option<u64>,
    /// The smallest value allowed.
    pub min: u64,
    /// The largest value allowed.
    pub max: u64,
    /// What it counts: `seconds`, `bytes`...
    pub unit: &'static str,
}

/// `http_timeout`: connect and idle-read timeout, 1 s to an hour.
pub const HTTP_TIMEOUT: NumberSpec = NumberSpec {
    env: env::GOVER_HTTP_TIMEOUT,
    key: Some(keys::HTTP_TIMEOUT),
    default: Some(30),
    min: 1,
    max: 3600,
    unit: "seconds",
};
/// `lock_timeout`: how long to wait for another install, 0 s to a week
/// (default: as long as it takes).
pub const LOCK_TIMEOUT: NumberSpec = NumberSpec {
    env: env::GOVER_LOCK_TIMEOUT,
    key: Some(keys::LOCK_TIMEOUT),
    default: None,
    min: 0,
    max: 7 * 24 * 3600,
    unit: "seconds",
};
/// Tuning knob: how long a fetched index is fresh, 0 s to 30 days.
pub const INDEX_TTL: NumberSpec = NumberSpec {
    env: env::GOVER_INDEX_TTL,
    key: None,
    default: Some(600),
    min: 0,
    max: 30 * 24 * 3600,
    unit: "seconds",
};
/// Tuning knob: retries of a failed request, 0 to 20.
pub const HTTP_RETRIES: NumberSpec = NumberSpec {
    env: env::GOVER_HTTP_RETRIES,
    key: None,
    default: Some(3),
    min: 0,
    max: 20,
    unit: "retries",
};
/// Tuning knob: the first pause before a retry, 0 to 60,000 ms.
pub const HTTP_BACKOFF_MS: NumberSpec = NumberSpec {
    env: env::GOVER_HTTP_BACKOFF_MS,
    key: None,
    default: Some(500),
    min: 0,
    max: 60_000,
    unit: "milliseconds",
};
/// Tuning knob: the most bytes an archive may unpack to, 1 byte to 1 TiB.
pub const MAX_UNPACKED_BYTES: NumberSpec = NumberSpec {
    env: env::GOVER_MAX_UNPACKED_BYTES,
    key: None,
    default: Some(2 << 30),
    min: 1,
    max: 1 << 40,
    unit: "bytes",
};
/// Tuning knob: the most entries an archive may hold, 1 to 10,000,000.
pub const MAX_ENTRIES: NumberSpec = NumberSpec {
    env: env::GOVER_MAX_ENTRIES,
    key: None,
    default: Some(100_000),
    min: 1,
    max: 10_000_000,
    unit: "entries",
};
/// Tuning knob: threads creating files while unpacking, 0 to 64 (default:
/// one per core, at most 3, chosen by the installer).
pub const UNPACK_WRITERS: NumberSpec = NumberSpec {
    env: env::GOVER_UNPACK_WRITERS,
    key: None,
    default: None,
    min: 0,
    max: 64,
    unit: "threads",
};

/// Every whole-number setting, for documentation and checks.
pub const NUMBERS: &[NumberSpec] = &[
    HTTP_TIMEOUT,
    LOCK_TIMEOUT,
    INDEX_TTL,
    HTTP_RETRIES,
    HTTP_BACKOFF_MS,
    MAX_UNPACKED_BYTES,
    MAX_ENTRIES,
    UNPACK_WRITERS,
];

/// Where toolchains are installed from (`source`, `GOVER_SOURCE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallSource {
    /// The release index and its mirror (go.dev/dl or `mirror`).
    Dl,
    /// The `golang.org/toolchain` module from the GOPROXY list.
    Proxy,
    /// The proxy when GOPROXY is set to something other than Go's default,
    /// else the release index (the default).
    Auto,
}

/// What happens when a toolchain cannot be checked against Go's checksum
/// database (`verify`, `GOVER_VERIFY`): the database has no record of the
/// release, cannot be reached, or gover is offline. A record that does not
/// match, and a database caught misbehaving, are errors whatever this says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyPolicy {
    /// An error: nothing is installed that the database did not vouch for.
    Require,
    /// A warning, and the install goes on with the index's sha256 alone.
    Warn,
    /// The database is not consulted at all for release archives.
    Off,
}

/// The words of a choice setting and what each means.
type Choices<T> = &'static [(&'static str, T)];

/// The words `source` takes.
pub const SOURCE_CHOICES: Choices<InstallSource> = &[
    ("dl", InstallSource::Dl),
    ("proxy", InstallSource::Proxy),
    ("auto", InstallSource::Auto),
];

/// The words `verify` takes.
pub const VERIFY_CHOICES: Choices<VerifyPolicy> = &[
    ("require", VerifyPolicy::Require),
    ("warn", VerifyPolicy::Warn),
    ("off", VerifyPolicy::Off),
];

impl fmt::Display for InstallSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(word(SOURCE_CHOICES, *self))
    }
}

impl fmt::Display for VerifyPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(word(VERIFY_CHOICES, *self))
    }
}

/// The word of `value` among `choices`.
fn word<T: PartialEq>(choices: Choices<T>, value: T) -> &'static str {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("?", |(w, _)| w)
}

/// A value that is not allowed where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    /// Where it was set.
    pub origin: Origin,
    /// The value as shown (escaped, shortened, credentials masked).
    pub shown: String,
    /// What is wrong with it (and what is allowed).
    pub problem: String,
    /// What is allowed, for the hint: `a whole number of seconds from 1 to 3600`.
    pub expected: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::File { path, key, line } => write!(
                f,
                "{}:{line}: {key} = {} {}",
                untrusted_path(path),
                self.shown,
                self.problem
            ),
            other => write!(f, "{other}={} {}", self.shown, self.problem),
        }
    }
}

impl std::error::Error for SettingError {}

impl SettingError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match &self.origin {
            Origin::File { path, line, key } => format!(
                "fix line {line} of {}: `{key}` takes {}",
                untrusted_path(path),
                self.expected
            ),
            other => format!("set {other} to {}, or unset it", self.expected),
        }
    }
}

/// A key in a config file that gover does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    /// The config file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// The key as written.
    pub key: String,
    /// The known key it most resembles.
    pub nearest: Option<&'static str>,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: unknown key `{}`",
            untrusted_path(&self.path),
            self.line,
            shorten(&self.key, 40)
        )?;
        if let Some(n) = self.nearest {
            write!(f, " (did you mean `{n}`?)")?;
        }
        Ok(())
    }
}

impl UnknownKey {
    /// What to do about it.
    pub fn hint(&self) -> String {
        let fix = match self.nearest {
            Some(n) => format!("rename it to `{n}`, or remove it"),
            None => "remove it".to_string(),
        };
        format!("{fix}; the keys gover knows are {}", known_keys())
    }
}

/// The known keys, for messages: `mirror, index_url, ...`.
pub fn known_keys() -> String {
    KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

/// Why the settings cannot be used.
#[derive(Debug)]
pub enum SettingsError {
    /// A config file cannot be read or parsed.
    File(ConfigError),
    /// A config file holds a key gover does not know.
    UnknownKey(UnknownKey),
    /// A value is not allowed.
    Value(SettingError),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(e) => e.fmt(f),
            Self::UnknownKey(e) => e.fmt(f),
            Self::Value(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SettingsError {}

impl SettingsError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::File(e) => format!(
                "fix {}: it holds plain `key = value` lines with the keys {}",
                untrusted_path(&e.path),
                known_keys()
            ),
            Self::UnknownKey(e) => e.hint(),
            Self::Value(e) => e.hint(),
        }
    }
}

impl From<SettingError> for SettingsError {
    fn from(e: SettingError) -> Self {
        Self::Value(e)
    }
}

impl From<ConfigError> for SettingsError {
    fn from(e: ConfigError) -> Self {
        Self::File(e)
    }
}

/// A raw value before it is checked.
enum Raw<'v> {
    Env(String),
    File(&'v Value),
}

impl Raw<'_> {
    /// The value as shown in an error.
    fn shown(&self) -> String {
        match self {
            Self::Env(s) => shorten(&mask_in_text(s), 80),
            Self::File(v) => shorten(&mask_in_text(&v.to_string()), 80),
        }
    }
}

/// How [`Layers`] reads environment variables.
type Vars<'a> = Box<dyn Fn(&str) -> Option<OsString> + 'a>;

/// The sources of settings: the environment and the config files that
/// exist, highest precedence first.
pub struct Layers<'a> {
    vars: Vars<'a>,
    files: Vec<Config>,
}

impl fmt::Debug for Layers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layers")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl<'a> Layers<'a> {
    /// The settings sources for `home`, reading variables through `vars`:
    /// `$GOVER_HOME/config.toml`, then the user-level config file, each
    /// only if it exists. A file that cannot be read or parsed is an error.
    pub fn load(
        home: &GoverHome,
        vars: impl Fn(&str) -> Option<OsString> + 'a,
    ) -> Result<Self, ConfigError> {
        let own = home.config_file();
        let mut files = Vec::new();
        let c = Config::load(&own)?;
        if c.path.is_some() {
            files.push(c);
        }
        if let Some(user) = crate::home::user_config_file(&vars).filter(|u| *u != own) {
            let c = Config::load(&user)?;
            // The same file under two names (a linked home) counts once.
            let twice = !files.is_empty() && crate::fs::same_file(&user, &own);
            if c.path.is_some() && !twice {
                files.push(c);
            }
        }
        Ok(Self::new(vars, files))
    }

    /// Like [`Layers::load`], from this process's environment.
    pub fn from_process(home: &GoverHome) -> Result<Layers<'static>, ConfigError> {
        Layers::load(home, |k| std::env::var_os(k))
    }

    /// Sources made of `vars` and `files` (highest precedence first).
    pub fn new(vars: impl Fn(&str) -> Option<OsString> + 'a, files: Vec<Config>) -> Self {
        Self {
            vars: Box::new(vars),
            files,
        }
    }

    /// The config files that exist, highest precedence first.
    pub fn files(&self) -> &[Config] {
        &self.files
    }

    /// Every key in the config files that gover does not know.
    pub fn unknown_keys(&self) -> Vec<UnknownKey> {
        let mut out = Vec::new();
        for c in &self.files {
            for e in c.entries() {
                if !KEYS.iter().any(|(k, _)| *k == e.key) {
                    out.push(UnknownKey {
                        path: c.path.clone().unwrap_or_default(),
                        line: e.line,
                        key: e.key.clone(),
                        nearest: nearest_key(&e.key),
                    });
                }
            }
        }
        out
    }

    /// The environment variable `name`, when set and not empty.
    fn var(&self, name: &'static str) -> Result<Option<String>, SettingError> {
        match (self.vars)(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.into_string().map(Some).map_err(|v| SettingError {
                origin: Origin::Env(name),
                shown: shorten(&v.to_string_lossy(), 80),
                problem: "is not valid UTF-8".into(),
                expected: "UTF-8 text".into(),
            }),
        }
    }

    /// The raw value of a setting: the variable, else the first file that
    /// sets the key.
    fn raw(
        &self,
        var: Option<&'static str>,
        key: Option<&'static str>,
    ) -> Result<Option<(Raw<'_>, Origin)>, SettingError> {
        if let Some(var) = var {
            if let Some(v) = self.var(var)? {
                return Ok(Some((Raw::Env(v), Origin::Env(var))));
            }
        }
        let Some(key) = key else {
            return Ok(None);
        };
        for c in &self.files {
            if let Some(e) = c.entry(key) {
                let origin = Origin::File {
                    path: c.path.clone().unwrap_or_default(),
                    key,
                    line: e.line,
                };
                return Ok(Some((Raw::File(&e.value), origin)));
            }
        }
        Ok(None)
    }

    /// Resolves one setting: `check` turns the raw value into the value or
    /// says what is wrong with it.
    fn resolve<T>(
        &self,
        var: Option<&'static str>,
        key: Option<&'static str>,
        default: T,
        expected: &str,
        check: impl Fn(&Raw<'_>) -> Result<T, String>,
    ) -> Result<Setting<T>, SettingError> {
        let Some((raw, origin)) = self.raw(var, key)? else {
            return Ok(Setting::unset(default));
        };
        match check(&raw) {
            Ok(value) => Ok(Setting { value, origin }),
            Err(problem) => Err(SettingError {
                origin,
                shown: raw.shown(),
                problem,
                expected: expected.to_string(),
            }),
        }
    }

    /// A whole-number setting, checked against its range.
    pub fn number(&self, spec: &NumberSpec) -> Result<Setting<Option<u64>>, SettingError> {
        let expected = format!(
            "a whole number of {} from {} to {}",
            spec.unit, spec.min, spec.max
        );
        self.resolve(Some(spec.env), spec.key, spec.default, &expected, |raw| {
            let text = match raw {
                Raw::Env(s) => s.trim(),
                Raw::File(Value::Integer(i)) => i.as_str(),
                Raw::File(_) => return Err(format!("is not a whole number; {}", allowed(spec))),
            };
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("is not a whole number; {}", allowed(spec)));
            }
            match text.parse::<u64>() {
                Ok(n) if (spec.min..=spec.max).contains(&n) => Ok(Some(n)),
                _ => Err(format!("is out of range; {}", allowed(spec))),
            }
        })
    }

    /// A boolean setting (`1`/`true`/`yes`/`on`, `0`/`false`/`no`/`off` in
    /// the environment; `true`/`false` in a file).
    pub fn boolean(
        &self,
        var: &'static str,
        key: Option<&'static str>,
        default: bool,
    ) -> Result<Setting<bool>, SettingError> {
        let expected = "1 or 0 (true or false, unquoted, in a config file)";
        self.resolve(Some(var), key, default, expected, |raw| match raw {
            Raw::Env(s) => match s.as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err("is not a boolean; use 1 or 0".into()),
            },
            Raw::File(Value::Bool(b)) => Ok(*b),
            Raw::File(_) => Err("is not a boolean; use true or false (unquoted)".into()),
        })
    }

    /// `GOVER_PRESET_ORIGINS`, the tuning knob that points the presets
    /// elsewhere (see [`Rewrites`]).
    pub fn preset_rewrites(&self) -> Result<Rewrites, SettingError> {
        let var = env::GOVER_PRESET_ORIGINS;
        let Some(text) = self.var(var)? else {
            return Ok(Rewrites::default());
        };
        Rewrites::parse(&text).map_err(|problem| SettingError {
            origin: Origin::Env(var),
            shown: shorten(&presets::masked(&text), 80),
            problem: format!("is not a list of rewrites: {problem}"),
            expected: "`https://golang.google.cn=http://127.0.0.1:8001` pairs".into(),
        })
    }

    /// A download setting (`mirror` when `dir`, else `index_url`): a URL,
    /// parsed with [`Url`] (`dir` adds the trailing `/` a base URL needs),
    /// or a preset's name, meaning that preset's mirror or index. Unset, it
    /// is the `go.dev` preset's.
    fn download_url(
        &self,
        var: &'static str,
        key: &'static str,
        dir: bool,
        rewrites: &Rewrites,
    ) -> Result<Setting<Named>, SettingError> {
        let pick = |p: &'static Preset| Named {
            url: if dir {
                p.mirror_url(rewrites)
            } else {
                p.index(rewrites)
            },
            preset: Some(p),
        };
        let parse = |s: &str| {
            let s = s.trim();
            if presets::is_word(s) {
                return presets::find(s).map(pick).ok_or_else(|| not_a_preset(s));
            }
            let mut s = s.to_string();
            if dir && !s.is_empty() && !s.ends_with('/') {
                s.push('/');
            }
            let url = Url::parse(&s).map_err(|e| format!("is not a usable URL: {}", e.reason))?;
            Ok(Named { url, preset: None })
        };
        let expected = format!(
            "an absolute URL: https://..., http://... or file:///abs/path, or a preset ({})",
            presets::names()
        );
        let default = pick(presets::default_preset());
        self.resolve(Some(var), Some(key), default, &expected, |raw| match raw {
            Raw::Env(s) => parse(s),
            Raw::File(Value::String(s)) => parse(s),
            Raw::File(_) => Err("is not a URL or a preset; write it as a quoted string".into()),
        })
    }

    /// The archive mirror and the release index. A preset given as the
    /// mirror brings its index too, unless `index_url` is set (in the
    /// environment or either file): an explicit index always wins, and the
    /// index a preset brings has the mirror's origin.
    pub fn downloads(&self) -> Result<Downloads, SettingError> {
        let rewrites = self.preset_rewrites()?;
        let mirror = self.download_url(env::GOVER_MIRROR, keys::MIRROR, true, &rewrites)?;
        let mut index =
            self.download_url(env::GOVER_INDEX_URL, keys::INDEX_URL, false, &rewrites)?;
        if index.origin == Origin::Default {
            if let Some(p) = mirror.value.preset {
                index = Setting {
                    value: Named {
                        url: p.index(&rewrites),
                        preset: Some(p),
                    },
                    origin: mirror.origin.clone(),
                };
            }
        }
        Ok(Downloads { mirror, index })
    }

    /// `gotoolchain`: `"local"` (default) or `"inherit"`.
    pub fn gotoolchain(&self) -> Result<Setting<GoToolchainPolicy>, SettingError> {
        self.resolve(
            None,
            Some(keys::GOTOOLCHAIN),
            GoToolchainPolicy::Local,
            "\"local\" or \"inherit\"",
            |raw| match raw {
                Raw::File(Value::String(s)) if s == "local" => Ok(GoToolchainPolicy::Local),
                Raw::File(Value::String(s)) if s == "inherit" => Ok(GoToolchainPolicy::Inherit),
                _ => Err("is not allowed; use \"local\" or \"inherit\"".into()),
            },
        )
    }

    /// A setting that takes one of the words of `choices`, as is in the
    /// environment and as a quoted string in a file.
    pub fn choice<T: Copy + PartialEq>(
        &self,
        var: &'static str,
        key: &'static str,
        choices: Choices<T>,
        default: T,
    ) -> Result<Setting<T>, SettingError> {
        let words: Vec<String> = choices.iter().map(|(w, _)| format!("\"{w}\"")).collect();
        let expected = format!("one of {}", words.join(", "));
        self.resolve(Some(var), Some(key), default, &expected, |raw| {
            let text = match raw {
                Raw::Env(s) => s.as_str(),
                Raw::File(Value::String(s)) => s.as_str(),
                Raw::File(_) => return Err(format!("is not allowed; use {}", words.join(", "))),
            };
            choices
                .iter()
                .find(|(w, _)| *w == text)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("is not allowed; use {}", words.join(", ")))
        })
    }

    /// `GOVER_SOURCE`, else `source`, else `auto`.
    pub fn source(&self) -> Result<Setting<InstallSource>, SettingError> {
        self.choice(
            env::GOVER_SOURCE,
            keys::SOURCE,
            SOURCE_CHOICES,
            InstallSource::Auto,
        )
    }

    /// `GOVER_VERIFY`, else `verify`; `None` when unset: then a toolchain
    /// that cannot be checked is a warning when the database cannot be
    /// reached (or gover is offline) and an error when it can but has no
    /// record.
    pub fn verify(&self) -> Result<Setting<Option<VerifyPolicy>>, SettingError> {
        // The default given here is never used: unset is `None`.
        let s = self.choice(
            env::GOVER_VERIFY,
            keys::VERIFY,
            VERIFY_CHOICES,
            VerifyPolicy::Require,
        )?;
        Ok(match s.origin {
            Origin::Default => Setting::unset(None),
            _ => s.map(Some),
        })
    }

    /// `GOVER_AUTO_INSTALL`, else `auto_install`, else on.
    pub fn auto_install(&self) -> Result<Setting<bool>, SettingError> {
        self.boolean(env::GOVER_AUTO_INSTALL, Some(keys::AUTO_INSTALL), true)
    }

    /// `GOVER_GO_LINE_NEWEST_PATCH`, else `go_line_newest_patch`, else off.
    pub fn go_line_newest_patch(&self) -> Result<Setting<bool>, SettingError> {
        self.boolean(
            env::GOVER_GO_LINE_NEWEST_PATCH,
            Some(keys::GO_LINE_NEWEST_PATCH),
            false,
        )
    }
}

/// A download URL and the preset it was named by, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The URL.
    pub url: Url,
    /// The preset whose URL it is (`None`: given as a URL).
    pub preset: Option<&'static Preset>,
}

/// The archive mirror and the release index ([`Layers::downloads`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloads {
    /// Where archives are downloaded from.
    pub mirror: Setting<Named>,
    /// The release index.
    pub index: Setting<Named>,
}

/// Why a bare word is not a download URL: no preset has that name.
fn not_a_preset(word: &str) -> String {
    let guess = presets::nearest(word)
        .map_or_else(String::new, |p| format!(" (did you mean \"{}\"?)", p.name));
    format!(
        "is neither a URL nor a preset{guess}; the presets are {}",
        presets::names()
    )
}

/// "use a whole number of seconds from 1 to 3600".
fn allowed(spec: &NumberSpec) -> String {
    format!(
        "use a whole number of {} from {} to {}",
        spec.unit, spec.min, spec.max
    )
}

/// A number of seconds (`Duration::from_secs`) or milliseconds as a duration.
fn duration(s: Setting<Option<u64>>, unit: fn(u64) -> Duration) -> Setting<Option<Duration>> {
    s.map(|v| v.map(unit))
}

/// A setting that always has a value: its spec has a default.
fn required<T>(s: Setting<Option<T>>) -> Setting<T> {
    s.map(|v| v.expect("the spec has a default"))
}

/// Every setting, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The release index (`GOVER_INDEX_URL`, `index_url`, or the index of
    /// the mirror's preset: then with the mirror's origin).
    pub index_url: Setting<Url>,
    /// The preset the index is, if any ([`Layers::downloads`]).
    pub index_preset: Option<&'static Preset>,
    /// The archive mirror, ending in `/` (`GOVER_MIRROR`, `mirror`).
    pub mirror: Setting<Url>,
    /// The preset the mirror is, if any.
    pub mirror_preset: Option<&'static Preset>,
    /// Never touch the network (`--offline`, `GOVER_OFFLINE`).
    pub offline: Setting<bool>,
    /// HTTP connect and idle-read timeout ([`HTTP_TIMEOUT`]).
    pub http_timeout: Setting<Duration>,
    /// How long to wait for another install's lock; `None`: as long as it
    /// takes ([`LOCK_TIMEOUT`]).
    pub lock_timeout: Setting<Option<Duration>>,
    /// Whether a pinned but missing toolchain is installed on first use.
    pub auto_install: Setting<bool>,
    /// Whether a go line whose release the index lacks gets the newest
    /// patch of its line instead.
    pub go_line_newest_patch: Setting<bool>,
    /// What the shim, `exec` and `env` do with `GOTOOLCHAIN`.
    pub gotoolchain: Setting<GoToolchainPolicy>,
    /// Whether progress bars may be shown (`GOVER_NO_PROGRESS` turns them off).
    pub progress: Setting<bool>,
    /// How long a fetched index is fresh ([`INDEX_TTL`]).
    pub index_ttl: Setting<Duration>,
    /// Retries of a failed request ([`HTTP_RETRIES`]).
    pub http_retries: Setting<u32>,
    /// The first pause before a retry ([`HTTP_BACKOFF_MS`]).
    pub http_backoff: Setting<Duration>,
    /// The most bytes an archive may unpack to ([`MAX_UNPACKED_BYTES`]).
    pub max_unpacked_bytes: Setting<u64>,
    /// The most entries an archive may hold ([`MAX_ENTRIES`]).
    pub max_entries: Setting<u64>,
    /// Threads creating files while unpacking; `None`: the installer
    /// chooses ([`UNPACK_WRITERS`]).
    pub unpack_writers: Setting<Option<usize>>,
    /// Where toolchains are installed from (`GOVER_SOURCE`, `source`).
    pub source: Setting<InstallSource>,
    /// What to do when a toolchain cannot be checked against the checksum
    /// database (`GOVER_VERIFY`, `verify`); `None`: not set, see
    /// [`Layers::verify`].
    pub verify: Setting<Option<VerifyPolicy>>,
    /// How an installed toolchain's files are made from the store
    /// (`GOVER_LINK_MODE`, `link_mode`).
    pub link_mode: Setting<LinkMode>,
}

impl Settings {
    /// Every setting for `home` from this process's environment and the
    /// config files; `offline_flag` is `--offline`.
    pub fn load(home: &GoverHome, offline_flag: bool) -> Result<Self, SettingsError> {
        let layers = Layers::from_process(home)?;
        Self::from_layers(&layers, offline_flag)
    }

    /// Every setting from `layers`, strictly: an unknown key in a config
    /// file is an error, as is any value outside what is allowed.
    pub fn from_layers(layers: &Layers<'_>, offline_flag: bool) -> Result<Self, SettingsError> {
        if let Some(k) = layers.unknown_keys().into_iter().next() {
            return Err(SettingsError::UnknownKey(k));
        }
        Ok(Self::values(layers, offline_flag)?)
    }

    /// Every setting from `layers`, without looking at unknown keys (for a
    /// report that lists those itself, such as `gover doctor`); a value
    /// outside what is allowed is still an error.
    pub fn values(layers: &Layers<'_>, offline_flag: bool) -> Result<Self, SettingError> {
        let mut offline = layers.boolean(env::GOVER_OFFLINE, None, false)?;
        if offline_flag {
            offline = Setting {
                value: true,
                origin: Origin::Flag("--offline"),
            };
        }
        let no_progress = layers.boolean(env::GOVER_NO_PROGRESS, None, false)?;
        let number = |spec: &NumberSpec| layers.number(spec);
        let writers = number(&UNPACK_WRITERS)?;
        let Downloads { mirror, index } = layers.downloads()?;
        Ok(Self {
            index_preset: index.value.preset,
            index_url: index.map(|n| n.url),
            mirror_preset: mirror.value.preset,
            mirror: mirror.map(|n| n.url),
            offline,
            http_timeout: required(duration(number(&HTTP_TIMEOUT)?, Duration::from_secs)),
            lock_timeout: duration(number(&LOCK_TIMEOUT)?, Duration::from_secs),
            auto_install: layers.auto_install()?,
            go_line_newest_patch: layers.go_line_newest_patch()?,
            gotoolchain: layers.gotoolchain()?,
            progress: no_progress.map(|off| !off),
            index_ttl: required(duration(number(&INDEX_TTL)?, Duration::from_secs)),
            http_retries: required(number(&HTTP_RETRIES)?).map(|n| n as u32),
            http_backoff: required(duration(number(&HTTP_BACKOFF_MS)?, Duration::from_millis)),
            max_unpacked_bytes: required(number(&MAX_UNPACKED_BYTES)?),
            max_entries: required(number(&MAX_ENTRIES)?),
            unpack_writers: writers.map(|w| w.map(|n| n as usize)),
            source: layers.source()?,
            verify: layers.verify()?,
            link_mode: layers.link_mode()?,
        })
    }

    /// True when the index is the one the mirror's preset brings (no
    /// `index_url` is set), rather than one set of its own.
    pub fn index_from_mirror(&self) -> bool {
        self.index_preset.is_some() && self.index_url.origin == self.mirror.origin
    }

    /// The settings with nothing configured.
    pub fn defaults() -> Self {
        Self::from_layers(&Layers::new(|_| None, Vec::new()), false)
            .expect("the defaults are valid")
    }
}

/// Settings for a process that reads them only when one is needed and
/// does not fail over a key it does not use (the shim): the config files
/// are loaded on the first [`OnDemand::get`], and an unknown key in them is
/// handed to `warn` once per version of the file ([`first_warning`]).
pub struct OnDemand<'h> {
    home: &'h GoverHome,
    layers: Option<Layers<'static>>,
}

impl<'h> OnDemand<'h> {
    /// Nothing read yet.
    pub fn new(home: &'h GoverHome) -> Self {
        Self { home, layers: None }
    }

    /// One setting, read with `f` (such as [`Layers::auto_install`]),
    /// loading the config files first if need be.
    pub fn get<T>(
        &mut self,
        f: impl FnOnce(&Layers<'static>) -> Result<Setting<T>, SettingError>,
        mut warn: impl FnMut(&UnknownKey),
    ) -> Result<Setting<T>, SettingsError> {
        let layers = match &mut self.layers {
            Some(l) => l,
            none => {
                let l = Layers::from_process(self.home)?;
                for c in l.files() {
                    let keys: Vec<UnknownKey> = l
                        .unknown_keys()
                        .into_iter()
                        .filter(|k| Some(&k.path) == c.path.as_ref())
                        .collect();
                    if !keys.is_empty() && first_warning(self.home, &keys[0].path) {
                        keys.iter().for_each(&mut warn);
                    }
                }
                none.insert(l)
            }
        };
        Ok(f(layers)?)
    }
}

/// Remembers which config files the shim already warned about, so an
/// unknown key is reported once per version of the file, not on every `go`
/// command: the file's identity, size and modification time are recorded
/// in `$GOVER_HOME/cache/config-warnings`. Returns true when `config` has
/// not been warned about in its current state (and records it). Only called
/// when there is something to warn about, so a clean config costs nothing.
/// When the record cannot be written the warning is shown every time.
pub fn first_warning(home: &GoverHome, config: &Path) -> bool {
    let Some(stamp) = file_stamp(config) else {
        return true;
    };
    let record = home.config_warnings_file();
    let old = crate::fs::read_optional(&record, 64 * 1024)
        .ok()
        .flatten()
        .unwrap_or_default();
    if old.lines().any(|l| l == stamp) {
        return false;
    }
    let mut lines: Vec<&str> = old.lines().collect();
    let keep_from = lines.len().saturating_sub(31);
    lines.drain(..keep_from);
    lines.push(&stamp);
    let text = lines.join("\n") + "\n";
    let _ = std::fs::create_dir_all(home.cache_dir());
    let _ = crate::fs::write_atomic(&record, text.as_bytes(), None);
    true
}

/// `<dev> <inode> <size> <mtime seconds>.<nanoseconds>` of a file.
fn file_stamp(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let id = crate::fs::FileId::of_meta(&meta)?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{id} {} {}.{:09}",
        meta.len(),
        mtime.as_secs(),
        mtime.subsec_nanos()
    ))
}

/// How an installed toolchain's files are made from the store
/// (`link_mode`, `GOVER_LINK_MODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMode {
    /// A reflink where the file system can, else a hard link, else a copy.
    Auto,
    /// A reflink (a copy sharing the store file's blocks), else a copy.
    Reflink,
    /// A hard link to the store file, else a copy.
    Hardlink,
    /// An ordinary copy: the toolchain shares nothing with the store.
    Copy,
}

impl LinkMode {
    /// Every mode with its spelling, in order of preference.
    pub const ALL: [(Self, &'static str); 4] = [
        (Self::Auto, "auto"),
        (Self::Reflink, "reflink"),
        (Self::Hardlink, "hardlink"),
        (Self::Copy, "copy"),
    ];

    /// The spelling of the mode.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("auto", |(_, s)| s)
    }

    /// The mode spelled `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, w)| *w == s).map(|(m, _)| *m)
    }
}

impl Layers<'_> {
    /// `GOVER_LINK_MODE`, else `link_mode`, else [`LinkMode::Auto`].
    pub fn link_mode(&self) -> Result<Setting<LinkMode>, SettingError> {
        let parse = |s: &str| {
            LinkMode::parse(s.trim()).ok_or_else(|| {
                "is not a link mode; use auto, reflink, hardlink or copy".to_string()
            })
        };
        self.resolve(
            Some(env::GOVER_LINK_MODE),
            Some(keys::LINK_MODE),
            LinkMode::Auto,
            "\"auto\", \"reflink\", \"hardlink\" or \"copy\"",
            |raw| match raw {
                Raw::Env(s) => parse(s),
                Raw::File(Value::String(s)) => parse(s),
                Raw::File(_) => Err("is not a link mode; write it as a quoted string".into()),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn layers<'a>(vars: &'a [(&str, &str)], files: &[(&str, &str)]) -> Layers<'a> {
        let m: HashMap<&str, &str> = vars.iter().copied().collect();
        let files = files
            .iter()
            .map(|(path, text)| {
                let mut c = Config::parse(text).unwrap();
                c.path = Some(PathBuf::from(path));
                c
            })
            .collect();
        Layers::new(move |k| m.get(k).map(OsString::from), files)
    }

    #[test]
    fn precedence_and_origins() {
        let l = layers(
            &[("GOVER_MIRROR", "https://env.example/go")],
            &[
                (
                    "/g/config.toml",
                    "mirror = \"https://home/\"\nhttp_timeout = 7\n",
                ),
                (
                    "/u/config.toml",
                    "mirror = \"https://user/\"\nauto_install = false\nhttp_timeout = 9\n",
                ),
            ],
        );
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(s.mirror.value.expose(), "https://env.example/go/");
        assert_eq!(s.mirror.origin, Origin::Env("GOVER_MIRROR"));
        assert_eq!(s.http_timeout.value, Duration::from_secs(7));
        assert_eq!(
            s.http_timeout.origin.to_string(),
            "`http_timeout` in /g/config.toml"
        );
        assert!(!s.auto_install.value);
        assert_eq!(
            s.auto_install.origin.to_string(),
            "`auto_install` in /u/config.toml"
        );
        assert_eq!(s.index_url.value.expose(), DEFAULT_INDEX_URL);
        assert_eq!(s.index_url.origin.to_string(), "default");
        assert_eq!(s.lock_timeout.value, None);
        assert_eq!(s.http_backoff.value, Duration::from_millis(500));
        assert_eq!(s.unpack_writers.value, None);
        let s = Settings::from_layers(&l, true).unwrap();
        assert_eq!(s.offline.origin.to_string(), "--offline");
        assert_eq!(Settings::defaults().mirror.value.expose(), DEFAULT_MIRROR);
    }

    #[test]
    fn numbers_never_overflow_and_say_the_range() {
        for (var, value, want) in [
            (
                "GOVER_HTTP_TIMEOUT",
                "18446744073709551615",
                "GOVER_HTTP_TIMEOUT=18446744073709551615 is out of range; use a whole number of seconds from 1 to 3600",
            ),
            (
                "GOVER_LOCK_TIMEOUT",
                "18446744073709551616",
                "GOVER_LOCK_TIMEOUT=18446744073709551616 is out of range; use a whole number of seconds from 0 to 604800",
            ),
            (
                "GOVER_UNPACK_WRITERS",
                "100000",
                "GOVER_UNPACK_WRITERS=100000 is out of range; use a whole number of threads from 0 to 64",
            ),
            (
                "GOVER_HTTP_TIMEOUT",
                "0",
                "GOVER_HTTP_TIMEOUT=0 is out of range; use a whole number of seconds from 1 to 3600",
            ),
            (
                "GOVER_HTTP_RETRIES",
                "-1",
                "GOVER_HTTP_RETRIES=-1 is not a whole number; use a whole number of retries from 0 to 20",
            ),
            (
                "GOVER_INDEX_TTL",
                "1e3",
                "GOVER_INDEX_TTL=1e3 is not a whole number; use a whole number of seconds from 0 to 2592000",
            ),
        ] {
            let vars = [(var, value)];
            let e = Settings::from_layers(&layers(&vars, &[]), false).unwrap_err();
            assert_eq!(e.to_string(), want);
            assert!(
                e.hint().starts_with(&format!("set {var} to a whole number of ")),
                "{}",
                e.hint()
            );
        }
        for text in [
            "lock_timeout = 9223372036854775807",
            "lock_timeout = 99999999999999999999999999999",
            "lock_timeout = -1",
        ] {
            let e = Settings::from_layers(&layers(&[], &[("/g/config.toml", text)]), false)
                .unwrap_err();
            let value = text.split(" = ").nth(1).unwrap();
            assert_eq!(
                e.to_string(),
                format!(
                    "/g/config.toml:1: lock_timeout = {value} {}",
                    if value.starts_with('-') {
                        "is not a whole number; use a whole number of seconds from 0 to 604800"
                    } else {
                        "is out of range; use a whole number of seconds from 0 to 604800"
                    }
                )
            );
            assert_eq!(
                e.hint(),
                "fix line 1 of /g/config.toml: `lock_timeout` takes a whole number of seconds from 0 to 604800"
            );
        }
        let e = Settings::from_layers(
            &layers(&[], &[("/g/config.toml", "http_timeout = \"30\"")]),
            false,
        )
        .unwrap_err();
        assert!(e.to_string().ends_with("http_timeout = \"30\" is not a whole number; use a whole number of seconds from 1 to 3600"), "{e}");
        // The largest values allowed work.
        for spec in NUMBERS {
            let max = spec.max.to_string();
            let vars = [(spec.env, max.as_str())];
            let l = layers(&vars, &[]);
            assert_eq!(l.number(spec).unwrap().value, Some(spec.max));
            Settings::from_layers(&l, false).unwrap();
        }
    }

    #[test]
    fn urls_are_checked_where_they_are_set() {
        let e = Settings::from_layers(&layers(&[("GOVER_MIRROR", "~/go-mirror")], &[]), false)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("GOVER_MIRROR=~/go-mirror is not a usable URL: `~` is not expanded"),
            "{e}"
        );
        let e = Settings::from_layers(
            &layers(&[], &[("/g/config.toml", "\n\nmirror = \"go-mirror/\"")]),
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "/g/config.toml:3: mirror = \"go-mirror/\" is not a usable URL: it is not an absolute URL"
            ),
            "{e}"
        );
        assert_eq!(
            e.hint(),
            "fix line 3 of /g/config.toml: `mirror` takes an absolute URL: https://..., http://... or file:///abs/path, or a preset (go.dev, cn, aliyun, ustc)"
        );
        for (value, needle) in [
            ("file://relative/dir", "names the host `relative`"),
            ("file://host/srv/go", "names the host `host`"),
            ("ftp://x/", "scheme `ftp` is not supported"),
        ] {
            let vars = [("GOVER_INDEX_URL", value)];
            let e = Settings::from_layers(&layers(&vars, &[]), false).unwrap_err();
            assert!(e.to_string().contains(needle), "{value}: {e}");
            assert!(e.to_string().starts_with("GOVER_INDEX_URL="), "{e}");
        }
        // Credentials never reach a message.
        let vars = [("GOVER_INDEX_URL", "http://alice:s3cret@host/x y")];
        let e = Settings::from_layers(&layers(&vars, &[]), false).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        let s = Settings::from_layers(
            &layers(&[("GOVER_MIRROR", "http://alice:s3cret@host/go")], &[]),
            false,
        )
        .unwrap();
        assert_eq!(s.mirror.value.to_string(), "http://alice:***@host/go/");
    }

    #[test]
    fn a_preset_names_the_mirror_and_brings_its_index_unless_index_url_is_set() {
        let cn_index = "https://golang.google.cn/dl/?mode=json&include=all";
        let s = Settings::from_layers(&layers(&[("GOVER_MIRROR", "cn")], &[]), false).unwrap();
        assert_eq!(s.mirror.value.expose(), "https://golang.google.cn/dl/");
        assert_eq!(s.mirror_preset.map(|p| p.name), Some("cn"));
        assert_eq!(s.index_url.value.expose(), cn_index);
        assert_eq!(s.index_preset.map(|p| p.name), Some("cn"));
        assert_eq!(s.index_url.origin, Origin::Env("GOVER_MIRROR"));
        assert!(s.index_from_mirror());
        // An archive-only mirror takes golang.google.cn's index.
        let l = layers(&[], &[("/u/c", "# mine\nmirror = \" aliyun \"")]);
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(
            s.mirror.value.expose(),
            "https://mirrors.aliyun.com/golang/"
        );
        assert_eq!(s.index_url.value.expose(), cn_index);
        assert_eq!(s.index_url.origin.to_string(), "`mirror` in /u/c");
        // An index_url set anywhere wins over the one a preset brings, even
        // from a file below the variable that names the preset.
        let l = layers(
            &[("GOVER_MIRROR", "ustc")],
            &[("/u/c", "index_url = \"file:///srv/go/index.json\"")],
        );
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(
            s.mirror.value.expose(),
            "https://mirrors.ustc.edu.cn/golang/"
        );
        assert_eq!(s.index_url.value.expose(), "file:///srv/go/index.json");
        assert_eq!(s.index_preset, None);
        // index_url may name a preset too: its index.
        let l = layers(
            &[("GOVER_INDEX_URL", "cn")],
            &[("/g/c", "mirror = \"https://m.example/go\"")],
        );
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(s.index_url.value.expose(), cn_index);
        assert_eq!(s.index_url.origin, Origin::Env("GOVER_INDEX_URL"));
        assert!(!s.index_from_mirror());
        assert_eq!(s.mirror.value.expose(), "https://m.example/go/");
        assert_eq!(s.mirror_preset, None);
        // go.dev is the default, by name.
        let s = Settings::from_layers(&layers(&[("GOVER_MIRROR", "go.dev")], &[]), false).unwrap();
        let d = Settings::defaults();
        assert_eq!(s.mirror.value, d.mirror.value);
        assert_eq!(s.index_url.value, d.index_url.value);
        assert_eq!(d.mirror_preset.map(|p| p.name), Some("go.dev"));
        assert_eq!(d.index_url.origin, Origin::Default);
    }

    #[test]
    fn unknown_presets_are_errors_listing_the_presets() {
        for (value, want) in [
            (
                "china",
                "GOVER_MIRROR=china is neither a URL nor a preset; the presets are go.dev, cn, aliyun, ustc",
            ),
            (
                "CN",
                "GOVER_MIRROR=CN is neither a URL nor a preset (did you mean \"cn\"?); the presets are go.dev, cn, aliyun, ustc",
            ),
            (
                "mirrors.aliyun.com",
                "GOVER_MIRROR=mirrors.aliyun.com is neither a URL nor a preset (did you mean \"aliyun\"?); the presets are go.dev, cn, aliyun, ustc",
            ),
        ] {
            let vars = [("GOVER_MIRROR", value)];
            let e = Settings::from_layers(&layers(&vars, &[]), false).unwrap_err();
            assert_eq!(e.to_string(), want);
            assert_eq!(
                e.hint(),
                "set GOVER_MIRROR to an absolute URL: https://..., http://... or file:///abs/path, or a preset (go.dev, cn, aliyun, ustc), or unset it"
            );
        }
        let e = Settings::from_layers(&layers(&[], &[("/g/c", "index_url = \"usts\"")]), false)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/g/c:1: index_url = \"usts\" is neither a URL nor a preset;"),
            "{e}"
        );
        let e = Settings::from_layers(&layers(&[], &[("/g/c", "mirror = 1")]), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/g/c:1: mirror = 1 is not a URL or a preset; write it as a quoted string"
        );
    }

    #[test]
    fn the_rewrite_knob_points_presets_and_defaults_elsewhere_only() {
        let vars = [
            (
                "GOVER_PRESET_ORIGINS",
                "https://golang.google.cn=http://127.0.0.1:8001 https://dl.google.com=http://127.0.0.1:8002",
            ),
            ("GOVER_MIRROR", "cn"),
        ];
        let s = Settings::from_layers(&layers(&vars, &[]), false).unwrap();
        assert_eq!(s.mirror.value.expose(), "http://127.0.0.1:8001/dl/");
        assert_eq!(
            s.index_url.value.expose(),
            "http://127.0.0.1:8001/dl/?mode=json&include=all"
        );
        let s = Settings::from_layers(&layers(&vars[..1], &[]), false).unwrap();
        assert_eq!(s.mirror.value.expose(), "http://127.0.0.1:8002/go/");
        // A URL the user gives is never rewritten.
        let vars = [
            ("GOVER_PRESET_ORIGINS", vars[0].1),
            ("GOVER_MIRROR", "https://golang.google.cn/dl/"),
        ];
        let s = Settings::from_layers(&layers(&vars, &[]), false).unwrap();
        assert_eq!(s.mirror.value.expose(), "https://golang.google.cn/dl/");
        let vars = [("GOVER_PRESET_ORIGINS", "https://golang.google.cn")];
        let e = Settings::from_layers(&layers(&vars, &[]), false).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "GOVER_PRESET_ORIGINS=https://golang.google.cn is not a list of rewrites: "
            ),
            "{e}"
        );
    }

    #[test]
    fn booleans_and_gotoolchain() {
        let e = Settings::from_layers(&layers(&[("GOVER_AUTO_INSTALL", "maybe")], &[]), false)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "GOVER_AUTO_INSTALL=maybe is not a boolean; use 1 or 0"
        );
        let l = layers(
            &[("GOVER_AUTO_INSTALL", "")],
            &[("/g/c", "auto_install = false")],
        );
        assert!(!l.auto_install().unwrap().value, "empty counts as unset");
        let l = layers(&[], &[("/g/c", "gotoolchain = \"inherit\"")]);
        assert_eq!(l.gotoolchain().unwrap().value, GoToolchainPolicy::Inherit);
        let l = layers(&[], &[("/g/c", "gotoolchain = \"auto\"")]);
        assert_eq!(
            l.gotoolchain().unwrap_err().to_string(),
            "/g/c:1: gotoolchain = \"auto\" is not allowed; use \"local\" or \"inherit\""
        );
    }

    #[test]
    fn source_and_verify_take_their_words_and_say_where_they_were_set() {
        let s = Settings::defaults();
        assert_eq!(s.source.value, InstallSource::Auto);
        assert_eq!(s.verify.value, None);
        assert_eq!(s.verify.origin, Origin::Default);
        let l = layers(
            &[("GOVER_VERIFY", "warn")],
            &[("/g/c", "source = \"proxy\"\nverify = \"off\"")],
        );
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(s.source.value, InstallSource::Proxy);
        assert_eq!(s.source.origin.to_string(), "`source` in /g/c");
        assert_eq!(s.verify.value, Some(VerifyPolicy::Warn));
        assert_eq!(s.verify.origin, Origin::Env("GOVER_VERIFY"));
        let l = layers(&[("GOVER_SOURCE", "")], &[("/g/c", "verify = \"require\"")]);
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(s.source.value, InstallSource::Auto, "empty counts as unset");
        assert_eq!(s.verify.value, Some(VerifyPolicy::Require));
        assert_eq!(
            (
                s.source.value.to_string(),
                s.verify.value.unwrap().to_string()
            ),
            ("auto".to_string(), "require".to_string())
        );
        let e =
            Settings::from_layers(&layers(&[("GOVER_SOURCE", "Proxy")], &[]), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "GOVER_SOURCE=Proxy is not allowed; use \"dl\", \"proxy\", \"auto\""
        );
        assert_eq!(
            e.hint(),
            "set GOVER_SOURCE to one of \"dl\", \"proxy\", \"auto\", or unset it"
        );
        let e =
            Settings::from_layers(&layers(&[], &[("/g/c", "\nverify = true")]), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/g/c:2: verify = true is not allowed; use \"require\", \"warn\", \"off\""
        );
        assert_eq!(
            e.hint(),
            "fix line 2 of /g/c: `verify` takes one of \"require\", \"warn\", \"off\""
        );
    }

    #[test]
    fn unknown_keys_name_the_file_and_the_nearest_key() {
        let l = layers(
            &[],
            &[(
                "/g/config.toml",
                "mirror = \"https://m/\"\nauto-install = false\n",
            )],
        );
        // The shim can still read what it needs, and a report every value.
        assert!(l.auto_install().unwrap().value);
        let v = Settings::values(&l, false).unwrap();
        assert_eq!(v.mirror.value.expose(), "https://m/");
        let e = Settings::from_layers(&l, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/g/config.toml:2: unknown key `auto-install` (did you mean `auto_install`?)"
        );
        assert!(
            e.hint().starts_with(
                "rename it to `auto_install`, or remove it; the keys gover knows are mirror, "
            ),
            "{}",
            e.hint()
        );
        let l = layers(
            &[],
            &[("/u/config.toml", "Auto_Install = true\ncolour = 1")],
        );
        let u = l.unknown_keys();
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].nearest, Some("auto_install"));
        assert_eq!(u[1].nearest, None);
        assert_eq!(
            u[1].hint(),
            format!("remove it; the keys gover knows are {}", known_keys())
        );
    }

    #[test]
    fn files_load_in_order_and_the_user_file_falls_back_to_home() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path().join("gover"));
        let user_home = t.path().join("user");
        std::fs::create_dir_all(user_home.join(".config/gover")).unwrap();
        std::fs::write(
            user_home.join(".config/gover/config.toml"),
            "http_timeout = 5\n",
        )
        .unwrap();
        let home_var = user_home.clone().into_os_string();
        let vars = move |k: &str| (k == "HOME").then(|| home_var.clone());
        let l = Layers::load(&home, vars).unwrap();
        assert_eq!(l.files().len(), 1);
        let s = Settings::from_layers(&l, false).unwrap();
        assert_eq!(s.http_timeout.value, Duration::from_secs(5));
        std::fs::create_dir_all(home.root()).unwrap();
        std::fs::write(home.config_file(), "http_timeout = 6\n").unwrap();
        let home_var = user_home.into_os_string();
        let l = Layers::load(&home, move |k: &str| {
            (k == "HOME").then(|| home_var.clone())
        })
        .unwrap();
        assert_eq!(l.files().len(), 2);
        assert_eq!(
            Settings::from_layers(&l, false).unwrap().http_timeout.value,
            Duration::from_secs(6)
        );
    }

    #[test]
    fn warns_once_per_version_of_a_file() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let cfg = t.path().join("config.toml");
        std::fs::write(&cfg, "auto-install = false\n").unwrap();
        assert!(first_warning(&home, &cfg));
        assert!(!first_warning(&home, &cfg));
        assert!(!first_warning(&home, &cfg));
        std::fs::write(&cfg, "auto-install = true\n\n").unwrap();
        assert!(
            first_warning(&home, &cfg),
            "a changed file is warned about again"
        );
        assert!(!first_warning(&home, &cfg));
        assert!(first_warning(&home, &t.path().join("missing")));
    }
}
