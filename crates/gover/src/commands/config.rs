//! `gover config list|get|set|unset [--global]`: reads and changes the
//! settings of the config files, and says where each effective value comes
//! from (an environment variable, which file and line, or the default).
//!
//! Which file: `$GOVER_HOME/config.toml` (the home in use) by default, the
//! user-level `$XDG_CONFIG_HOME/gover/config.toml` (else
//! `~/.config/gover/config.toml`) with `--global`. `list` and `get` show
//! the effective settings (environment, both files, defaults); with
//! `--global` only what the user-level file sets.
//!
//! Keys and values are checked by `gover_core::settings`, the very code that
//! reads them: a value is written only when the loader accepts it from that
//! file, and the new file is read back to make sure it says exactly that.
//! The rest of the file (comments, other keys, their order) is kept; the
//! file is replaced atomically, through a link only to a regular file. The
//! command works when a config file holds an unknown key or an invalid
//! value, so it can fix them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use gover_core::config::{nearest_key, Config, Value, KEYS};
use gover_core::fs::{LinkPolicy, UserFile};
use gover_core::settings::{known_keys, Layers, Origin, Setting, Settings, NUMBERS};
use gover_core::text::{shorten, untrusted_path};
use gover_core::toolenv::GoToolchainPolicy;
use gover_core::GoverHome;

use crate::app::settings_error;
use crate::cli::GlobalArgs;
use crate::error::UserError;
use crate::output::{self, style, Paint, Stream};

/// `gover config`
#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// What to do (default: list)
    #[command(subcommand)]
    pub(crate) command: Option<ConfigCommand>,
}

/// What `gover config` does.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print every setting, its effective value and where it comes from
    #[command(after_help = crate::cli::examples::CONFIG_LIST)]
    List(ScopeArgs),
    /// Print one setting's effective value (where it comes from goes to stderr)
    #[command(after_help = crate::cli::examples::CONFIG_GET)]
    Get(KeyArgs),
    /// Write a setting into a config file, checked as gover checks it when reading
    #[command(after_help = crate::cli::examples::CONFIG_SET)]
    Set(SetArgs),
    /// Remove a setting (or an unknown key) from a config file
    #[command(after_help = crate::cli::examples::CONFIG_UNSET)]
    Unset(KeyArgs),
}

/// Which file.
#[derive(Debug, Args)]
pub(crate) struct ScopeArgs {
    /// The user-level file ($XDG_CONFIG_HOME/gover/config.toml, else
    /// ~/.config/gover/config.toml) instead of $GOVER_HOME/config.toml;
    /// with list and get: only what that file sets
    #[arg(long)]
    pub(crate) global: bool,
}

/// `gover config get|unset KEY`
#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    /// The key, such as mirror or auto_install (`gover config list` shows them all)
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(key_candidates))]
    pub(crate) key: String,
    #[command(flatten)]
    pub(crate) scope: ScopeArgs,
}

/// `gover config set KEY VALUE`
#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// The value: a URL or a preset (cn, aliyun, ustc, go.dev), true or false, a whole number,
    /// local or inherit
    pub(crate) value: String,
}

/// The keys, with what each means, for completion.
fn key_candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    KEYS.iter()
        .map(|(k, what)| {
            clap_complete::engine::CompletionCandidate::new(*k).help(Some((*what).into()))
        })
        .collect()
}

pub(crate) fn run(global: &GlobalArgs, args: &ConfigArgs) -> Result<ExitCode> {
    let home = GoverHome::from_env().map_err(UserError::from)?;
    let quiet = global.quiet;
    match &args.command {
        None => list(&home, false),
        Some(ConfigCommand::List(a)) => list(&home, a.global),
        Some(ConfigCommand::Get(a)) => get(&home, &a.key, a.scope.global, quiet),
        Some(ConfigCommand::Set(a)) => set(&home, a, quiet),
        Some(ConfigCommand::Unset(a)) => unset(&home, &a.key, a.scope.global, quiet),
    }
}

/// The file `--global` (or its absence) names.
fn target_file(home: &GoverHome, global: bool) -> Result<PathBuf> {
    if !global {
        return Ok(home.config_file());
    }
    gover_core::home::user_config_file(|k| std::env::var_os(k)).ok_or_else(|| {
        UserError::new("HOME is not set to an absolute path, so there is no user-level config file")
            .hint("set HOME (or XDG_CONFIG_HOME), or leave out --global to use $GOVER_HOME/config.toml")
            .into()
    })
}

/// The sources the values come from: the environment and both files, or
/// with `--global` the user-level file alone.
fn layers(home: &GoverHome, global: bool) -> Result<Layers<'static>> {
    let parse_error = |e| settings_error(&gover_core::settings::SettingsError::File(e));
    if !global {
        return Ok(Layers::from_process(home).map_err(parse_error)?);
    }
    let file = target_file(home, true)?;
    let config = Config::load(&file).map_err(parse_error)?;
    let files = if config.path.is_some() {
        vec![config]
    } else {
        Vec::new()
    };
    Ok(Layers::new(|_| None, files))
}

/// The settings `layers` give, as the loader computes them.
fn values(layers: &Layers<'_>) -> Result<Settings> {
    Settings::values(layers, false).map_err(|e| {
        settings_error(&gover_core::settings::SettingsError::Value(e))
            .hint("fix or unset it: `gover config unset KEY` (with --global for the user-level file), or unset the variable")
            .into()
    })
}

/// `key`'s effective value as written in a config file (`None`: not set,
/// which only `lock_timeout` can be) and where it comes from; a key with no
/// row here (a unit test keeps them in step) shows as not set.
fn effective(s: &Settings, key: &str) -> (Option<Value>, Origin) {
    let string = |v: String| Some(Value::String(v));
    let number = |n: u64| Some(Value::Integer(n.to_string()));
    let boolean = |b: &Setting<bool>| (Some(Value::Bool(b.value)), b.origin.clone());
    match key {
        "mirror" => (string(s.mirror.value.to_string()), s.mirror.origin.clone()),
        "index_url" => (
            string(s.index_url.value.to_string()),
            s.index_url.origin.clone(),
        ),
        "auto_install" => boolean(&s.auto_install),
        "go_line_newest_patch" => boolean(&s.go_line_newest_patch),
        "gotoolchain" => {
            let v = match s.gotoolchain.value {
                GoToolchainPolicy::Local => "local",
                GoToolchainPolicy::Inherit => "inherit",
            };
            (string(v.into()), s.gotoolchain.origin.clone())
        }
        "http_timeout" => (
            number(s.http_timeout.value.as_secs()),
            s.http_timeout.origin.clone(),
        ),
        "lock_timeout" => (
            s.lock_timeout.value.and_then(|d| number(d.as_secs())),
            s.lock_timeout.origin.clone(),
        ),
        "source" => (string(s.source.value.to_string()), s.source.origin.clone()),
        "verify" => (
            s.verify.value.and_then(|v| string(v.to_string())),
            s.verify.origin.clone(),
        ),
        "link_mode" => (
            string(s.link_mode.value.as_str().into()),
            s.link_mode.origin.clone(),
        ),
        _ => (None, Origin::Default),
    }
}

/// What a setting without a value means.
fn unset_meaning(key: &str) -> &'static str {
    match key {
        "lock_timeout" => "so an install waits as long as another one takes",
        "verify" => "so an unverifiable toolchain warns offline, fails online",
        _ => "so its default applies",
    }
}

/// Where `key`'s value comes from, in words, with the preset it names:
/// `environment variable GOVER_MIRROR: preset cn`, or for the index a
/// preset given as the mirror brings, `...: the index of preset cn`.
fn source_text(s: &Settings, key: &str, o: &Origin) -> String {
    let from = origin_text(o);
    let preset = match key {
        "mirror" => s.mirror_preset.map(|p| format!("preset {p}")),
        "index_url" if s.index_from_mirror() => {
            s.index_preset.map(|p| format!("the index of preset {p}"))
        }
        "index_url" => s.index_preset.map(|p| format!("preset {p}")),
        _ => None,
    };
    match preset {
        Some(p) if *o != Origin::Default => format!("{from}: {p}"),
        _ => from,
    }
}

/// Where a value comes from, in words.
fn origin_text(o: &Origin) -> String {
    match o {
        Origin::Default => "default".into(),
        Origin::Flag(f) => format!("the {f} flag"),
        Origin::Env(v) => format!("environment variable {v}"),
        Origin::File { path, line, .. } => format!("{}:{line}", untrusted_path(path)),
    }
}

/// A value as a config file holds it: strings quoted, with the escapes the
/// loader reads (a control character it has no escape for is written
/// raw, and the loader then refuses the line, so it is never written).
fn toml(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.clone(),
    }
}

fn list(home: &GoverHome, global: bool) -> Result<ExitCode> {
    let layers = layers(home, global)?;
    let settings = values(&layers)?;
    let paint = Paint::for_stream(Stream::Stdout);
    let width = KEYS.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut rows: Vec<(String, String)> = Vec::new();
    for (key, _) in KEYS {
        let (value, origin) = effective(&settings, key);
        let line = match value {
            Some(v) => format!("{key:width$} = {}", shorten(&toml(&v), 200)),
            None => format!("# {key}: not set, {}", unset_meaning(key)),
        };
        rows.push((line, source_text(&settings, key, &origin)));
    }
    let col = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (line, origin) in rows {
        let pad = col - line.chars().count();
        let from = paint.paint(style::DIM, format!("# {origin}"));
        writeln!(out, "{line}{:pad$}  {from}", "")?;
    }
    out.flush()?;
    for k in layers.unknown_keys() {
        let flag = if k.path == home.config_file() {
            ""
        } else {
            " --global"
        };
        output::warn(format!(
            "{k}; remove it with `gover config unset{flag} {}`",
            crate::quote::sh_quote(&shorten(&k.key, 40))
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn get(home: &GoverHome, key: &str, global: bool, quiet: bool) -> Result<ExitCode> {
    let key = known_key(key)?;
    let settings = values(&layers(home, global)?)?;
    let (value, origin) = effective(&settings, key);
    if let Some(v) = &value {
        let text = match v {
            Value::String(s) => shorten(s, 4096),
            other => toml(other),
        };
        println!("{text}");
    }
    if !quiet {
        let what = if value.is_some() {
            ""
        } else {
            " (not set: installs wait for each other as long as it takes)"
        };
        eprintln!("{key}{what}: from {}", source_text(&settings, key, &origin));
    }
    Ok(ExitCode::SUCCESS)
}

/// A config file opened for editing, with its current text.
struct Editing {
    file: UserFile,
    text: String,
    config: Config,
}

/// Opens the config file at `path` for editing: it must be a regular file
/// (or a link to one) that parses, since gover will not guess its way
/// around a line it cannot read.
fn edit(path: &Path) -> Result<Editing> {
    let file = UserFile::open(path, &LinkPolicy::RegularTarget).map_err(UserError::from)?;
    let text = file
        .read(64 * 1024)
        .map_err(UserError::from)?
        .unwrap_or_default();
    let config = Config::parse(&text).map_err(|(line, message)| {
        UserError::new(format!(
            "cannot edit {}: line {line}: {message}",
            untrusted_path(path)
        ))
        .hint("fix that line yourself first; a config file holds plain `key = value` lines")
    })?;
    Ok(Editing { file, text, config })
}

/// What the user typed, as a config file value: `true`, `false` and whole
/// numbers as such (and quoted strings as written), anything else as text.
fn typed_value(text: &str) -> Value {
    if !text.contains(['\n', '\r']) {
        if let Some(v) = Config::parse(&format!("k = {text}"))
            .ok()
            .and_then(|c| c.get("k").cloned())
        {
            return v;
        }
    }
    Value::String(text.to_string())
}

/// `text` with the line of `key` (1-based `line`, if any) replaced by
/// `new` (or removed when `new` is `None`), or `new` appended.
fn with_line(text: &str, line: Option<usize>, new: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() + 80);
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if Some(i + 1) == line {
            if let Some(n) = new {
                out.push_str(n);
                out.push('\n');
            }
            continue;
        }
        out.push_str(l);
    }
    if let (None, Some(n)) = (line, new) {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(n);
        out.push('\n');
    }
    out
}

/// True when `c` gives `key` the value `value` (none when `None`) and
/// every other key of `old` as it was.
fn says(c: &Config, old: &Config, key: &str, value: Option<&Value>) -> bool {
    let others = |c: &Config| -> Vec<(String, Value)> {
        c.entries()
            .iter()
            .filter(|e| e.key != key)
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    };
    c.get(key) == value && others(c) == others(old)
}

/// Replaces the file with `new_text` when it says `key = value` (nothing
/// for `None`) and keeps every other key, then reads it back as the loader
/// reads it: when that fails or says anything else (a file grown past the
/// loader's size limit), the old text is put back and it is an error.
fn write_checked(
    ed: &Editing,
    path: &Path,
    new_text: &str,
    key: &str,
    value: Option<&Value>,
) -> Result<()> {
    let fail = || {
        UserError::new(format!(
            "cannot change `{}` in {}",
            shorten(key, 40),
            untrusted_path(path)
        ))
    };
    if !Config::parse(new_text).is_ok_and(|c| says(&c, &ed.config, key, value)) {
        return Err(fail().into());
    }
    ed.file
        .replace(new_text.as_bytes())
        .map_err(UserError::from)?;
    let loaded = Config::load(path);
    if loaded
        .as_ref()
        .is_ok_and(|c| says(c, &ed.config, key, value))
    {
        return Ok(());
    }
    let restored = ed.file.replace(ed.text.as_bytes()).is_ok();
    let why = loaded.err().map_or_else(String::new, |e| format!(" ({e})"));
    let after = if restored {
        "the old file was put back"
    } else {
        "and the old file could not be put back: check it"
    };
    Err(fail()
        .hint(format!(
            "gover could not read the new file back as written{why}; {after}"
        ))
        .into())
}

/// Refuses a key gover does not know, naming the nearest one (or the
/// variable of a setting that has no key).
fn known_key(key: &str) -> Result<&'static str> {
    if let Some((k, _)) = KEYS.iter().find(|(k, _)| *k == key) {
        return Ok(k);
    }
    let var = format!("GOVER_{}", key.to_ascii_uppercase().replace('-', "_"));
    let hint = match (
        nearest_key(key),
        NUMBERS.iter().find(|n| n.env == var && n.key.is_none()),
    ) {
        (_, Some(n)) => format!(
            "{} is read only from the environment: set {} instead",
            shorten(key, 40),
            n.env
        ),
        (Some(n), None) => format!("did you mean `{n}`? The keys are {}", known_keys()),
        (None, None) => format!("the keys are {}", known_keys()),
    };
    Err(
        UserError::new(format!("unknown key `{}`", shorten(key, 40)))
            .hint(hint)
            .into(),
    )
}

fn set(home: &GoverHome, args: &SetArgs, quiet: bool) -> Result<ExitCode> {
    let key = known_key(&args.key.key)?;
    let path = target_file(home, args.key.scope.global)?;
    let value = typed_value(&args.value);
    // Checked by the loader, as the only setting of this very file.
    let mut alone =
        Config::parse(&format!("{key} = {}", toml(&value))).map_err(|(_, m)| UserError::new(m))?;
    alone.path = Some(path.clone());
    if let Err(e) = Settings::values(&Layers::new(|_| None, vec![alone]), false) {
        return Err(UserError::new(format!("{key} = {} {}", e.shown, e.problem))
            .hint(format!("`{key}` takes {}", e.expected))
            .into());
    }
    let ed = edit(&path)?;
    let old = ed.config.entry(key).cloned();
    let line = format!("{key} = {}", toml(&value));
    let new_text = with_line(&ed.text, old.as_ref().map(|e| e.line), Some(&line));
    if old.as_ref().is_some_and(|e| e.value == value) {
        if !quiet {
            eprintln!(
                "{key} is already {} in {}",
                toml(&value),
                untrusted_path(&path)
            );
        }
    } else {
        write_checked(&ed, &path, &new_text, key, Some(&value))?;
        if !quiet {
            eprintln!("Set {} in {}", shorten(&line, 200), untrusted_path(&path));
        }
    }
    warn_if_overridden(home, key, &path);
    if key == "mirror" {
        warn_if_index_kept(home);
    }
    Ok(ExitCode::SUCCESS)
}

/// After the mirror was set: warns when it is a preset whose index an
/// `index_url` set elsewhere keeps out (a preset brings its index only
/// when no `index_url` is set), unless that is the preset's index anyway.
fn warn_if_index_kept(home: &GoverHome) {
    let Ok(layers) = layers(home, false) else {
        return;
    };
    let (Ok(s), Ok(rewrites)) = (values(&layers), layers.preset_rewrites()) else {
        return;
    };
    let Some(p) = s.mirror_preset else {
        return;
    };
    if s.index_from_mirror() || s.index_url.value == p.index(&rewrites) {
        return;
    }
    let undo = match &s.index_url.origin {
        Origin::File { path, .. } if *path == home.config_file() => {
            "`gover config unset index_url`".to_string()
        }
        Origin::File { .. } => "`gover config unset --global index_url`".to_string(),
        other => format!("unset {other}"),
    };
    output::warn(format!(
        "index_url stays {} (from {}), not the index of preset {p}: a preset brings its index only when index_url is not set; to use it, {undo}",
        shorten(&s.index_url.value.to_string(), 200),
        origin_text(&s.index_url.origin)
    ));
}

fn unset(home: &GoverHome, key: &str, global: bool, quiet: bool) -> Result<ExitCode> {
    let path = target_file(home, global)?;
    let ed = edit(&path)?;
    let Some(entry) = ed.config.entry(key).cloned() else {
        known_key(key)?;
        if !quiet {
            eprintln!(
                "{key} is not set in {}; nothing to do",
                untrusted_path(&path)
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let new_text = with_line(&ed.text, Some(entry.line), None);
    write_checked(&ed, &path, &new_text, key, None)?;
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "Removed {} from {} (line {})",
        shorten(key, 40),
        untrusted_path(&path),
        entry.line
    );
    let now = layers(home, false).and_then(|l| values(&l));
    if let (Ok(settings), true) = (now, KEYS.iter().any(|(k, _)| *k == key)) {
        let (value, origin) = effective(&settings, key);
        let shown = value.map_or_else(|| "not set".to_string(), |v| shorten(&toml(&v), 200));
        eprintln!(
            "{key} is now {shown} (from {})",
            source_text(&settings, key, &origin)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// After `key` was set in `path`: warns when its effective value comes
/// from somewhere that wins over that file (an environment variable, or
/// `$GOVER_HOME/config.toml` over the user-level file), so the change does
/// not show.
fn warn_if_overridden(home: &GoverHome, key: &str, path: &Path) {
    let Ok(settings) = layers(home, false).and_then(|l| values(&l)) else {
        return;
    };
    let (_, origin) = effective(&settings, key);
    let wins = match &origin {
        Origin::File { path: p, .. } => p != path && !gover_core::fs::same_file(p, path),
        _ => true,
    };
    if wins {
        output::warn(format!(
            "{key} still comes from {}, which wins over {}",
            origin_text(&origin),
            untrusted_path(path)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_setting() {
        let s = Settings::defaults();
        for (key, _) in KEYS {
            let (value, origin) = effective(&s, key);
            assert_eq!(origin, Origin::Default, "{key}");
            // Only settings whose absence means something of its own have
            // no default value.
            let unset = matches!(*key, "lock_timeout" | "verify");
            assert_eq!(value.is_none(), unset, "{key}");
        }
    }

    #[test]
    fn values_are_typed_as_written() {
        assert_eq!(typed_value("true"), Value::Bool(true));
        assert_eq!(typed_value("1_000"), Value::Integer("1000".into()));
        assert_eq!(typed_value("\"local\""), Value::String("local".into()));
        assert_eq!(
            typed_value("https://m/#x"),
            Value::String("https://m/#x".into())
        );
        assert_eq!(typed_value("yes"), Value::String("yes".into()));
        assert_eq!(
            typed_value("1\nmirror = 2"),
            Value::String("1\nmirror = 2".into())
        );
    }

    #[test]
    fn lines_are_replaced_removed_or_added_and_nothing_else_moves() {
        let text = "# c\na = 1\n\nb = 2";
        assert_eq!(
            with_line(text, Some(2), Some("a = 3")),
            "# c\na = 3\n\nb = 2"
        );
        assert_eq!(with_line(text, Some(2), None), "# c\n\nb = 2");
        assert_eq!(
            with_line(text, None, Some("c = 4")),
            "# c\na = 1\n\nb = 2\nc = 4\n"
        );
        assert_eq!(with_line("", None, Some("c = 4")), "c = 4\n");
    }

    proptest::proptest! {
        /// Whatever text a string holds, the file line gover writes reads
        /// back as that string, or does not parse at all (and is then never
        /// written).
        #[test]
        fn strings_read_back_as_written(s in "\\PC{0,40}|[\\\\\"'\t\n#= ]{0,20}") {
            let v = Value::String(s);
            if let Ok(c) = Config::parse(&format!("k = {}", toml(&v))) {
                proptest::prop_assert_eq!(c.get("k"), Some(&v));
            }
        }
    }
}
