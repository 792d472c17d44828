//! gover's config files: flat lists of `key = value` settings.
//!
//! gover's settings are a handful of scalars, so the files are read with a
//! small strict parser for that subset of TOML (comments, basic and literal
//! strings, booleans, integers). It is cheap enough for the shim, which only
//! reads a file that exists. Tables and arrays are rejected with an error
//! naming the file and line rather than silently ignored. What the values
//! mean, their ranges and which file wins is [`crate::settings`]'s business;
//! this module only reads the text.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::text::untrusted_path;

/// The names of the keys, for code that reads them.
pub mod keys {
    /// Base URL archives are downloaded from.
    pub const MIRROR: &str = "mirror";
    /// URL of the release index.
    pub const INDEX_URL: &str = "index_url";
    /// Whether a pinned but missing toolchain is installed on first use.
    pub const AUTO_INSTALL: &str = "auto_install";
    /// What the shim does with `GOTOOLCHAIN`.
    pub const GOTOOLCHAIN: &str = "gotoolchain";
    /// HTTP connect and idle-read timeout.
    pub const HTTP_TIMEOUT: &str = "http_timeout";
    /// How long to wait for another install's lock.
    pub const LOCK_TIMEOUT: &str = "lock_timeout";
    /// Install the newest patch of a go line's release line when the
    /// release it names is missing from the index.
    pub const GO_LINE_NEWEST_PATCH: &str = "go_line_newest_patch";
    /// Where toolchains are installed from: `dl`, `proxy` or `auto`.
    pub const SOURCE: &str = "source";
    /// What to do when a toolchain cannot be checked against Go's
    /// checksum database: `require`, `warn` or `off`.
    pub const VERIFY: &str = "verify";
    /// How toolchain files are linked from the store.
    pub const LINK_MODE: &str = "link_mode";
}

/// Every key a config file may hold, with a one-line description.
pub const KEYS: &[(&str, &str)] = &[
    (
        keys::MIRROR,
        "Base URL archives are downloaded from (like GOVER_MIRROR)",
    ),
    (
        keys::INDEX_URL,
        "URL of the release index (like GOVER_INDEX_URL)",
    ),
    (
        keys::AUTO_INSTALL,
        "Whether the shim installs a pinned but missing toolchain (default true)",
    ),
    (
        keys::GOTOOLCHAIN,
        "`local` (default): the shim sets GOTOOLCHAIN=local unless set; `inherit`: leave it alone",
    ),
    (
        keys::HTTP_TIMEOUT,
        "Connect and idle-read timeout in seconds (like GOVER_HTTP_TIMEOUT)",
    ),
    (
        keys::LOCK_TIMEOUT,
        "Seconds to wait for another install of the same version (like GOVER_LOCK_TIMEOUT)",
    ),
    (
        keys::GO_LINE_NEWEST_PATCH,
        "When the release a go.mod/go.work go line names is missing from the index, install the newest patch of its line (default false)",
    ),
    (
        keys::SOURCE,
        "Where toolchains come from: `dl`, `proxy` (GOPROXY) or `auto` (default) (like GOVER_SOURCE)",
    ),
    (
        keys::VERIFY,
        "When a toolchain cannot be checked against Go's checksum database: `require`, `warn` or `off` (like GOVER_VERIFY)",
    ),
    (
        keys::LINK_MODE,
        "How toolchain files are linked from the store: `auto` (default), `reflink`, `hardlink` or `copy` (like GOVER_LINK_MODE)",
    ),
];

/// The known key nearest to `key`, for "did you mean": the same key in
/// another spelling (`auto-install`, `Auto_Install`) or one a typo or two
/// away (`mirorr`).
pub fn nearest_key(key: &str) -> Option<&'static str> {
    let norm = key.to_ascii_lowercase().replace('-', "_");
    let mut best: Option<(usize, &'static str)> = None;
    for (k, _) in KEYS {
        let d = edit_distance(&norm, k);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    let (d, k) = best?;
    (d <= 2.max(k.len() / 3)).then_some(k)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A value in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A quoted string.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// A whole number as written (sign and digits, `_` separators removed);
    /// its range is checked where it is used, so no size can overflow here.
    Integer(String),
}

impl fmt::Display for Value {
    /// The value as it would be written in the file (strings escaped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => write!(f, "\"{}\"", s.escape_debug()),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Integer(i) => f.write_str(i),
        }
    }
}

/// One `key = value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// The value.
    pub value: Value,
    /// The 1-based line.
    pub line: usize,
}

/// A parsed config file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it was read from (`None` when no file exists).
    pub path: Option<PathBuf>,
    entries: Vec<Entry>,
}

/// A config file that cannot be read or parsed.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = untrusted_path(&self.path);
        match self.line {
            Some(l) => write!(f, "{path}:{l}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

const MAX_CONFIG_BYTES: u64 = 64 * 1024;

impl Config {
    /// Reads `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let err = |line, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = match crate::fs::read_small_text(path, MAX_CONFIG_BYTES) {
            Ok(t) => t,
            Err(e) if crate::fs::is_missing(&e) => return Ok(Self::default()),
            Err(e) => return Err(err(None, e.to_string())),
        };
        let mut cfg = Self::parse(&text).map_err(|(line, m)| err(Some(line), m))?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses the text of a config file; errors carry the 1-based line.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut entries: Vec<Entry> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let shown = crate::text::shorten(line, 80);
            if line.starts_with('[') {
                return Err((
                    line_no,
                    format!("tables are not used in gover's config; write plain `key = value` lines (found `{shown}`)"),
                ));
            }
            let Some((key, rest)) = line.split_once('=') else {
                return Err((line_no, format!("expected `key = value`, found `{shown}`")));
            };
            let key = key.trim();
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err((
                    line_no,
                    format!("invalid key `{}`", crate::text::shorten(key, 40)),
                ));
            }
            let value = parse_value(rest.trim()).map_err(|m| (line_no, format!("{key}: {m}")))?;
            if entries.iter().any(|e| e.key == key) {
                return Err((line_no, format!("`{key}` is set twice")));
            }
            entries.push(Entry {
                key: key.to_string(),
                value,
                line: line_no,
            });
        }
        Ok(Self {
            path: None,
            entries,
        })
    }

    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }

    /// Every key present, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

fn parse_value(s: &str) -> Result<Value, String> {
    if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.chars();
        loop {
            match chars.next() {
                None => return Err("unterminated string".into()),
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    other => {
                        return Err(format!(
                            "unsupported escape `\\{}`",
                            crate::text::escape(&other.unwrap_or(' ').to_string())
                        ))
                    }
                },
                Some(c) => out.push(c),
            }
        }
        check_trailing(chars.as_str())?;
        return Ok(Value::String(out));
    }
    if let Some(body) = s.strip_prefix('\'') {
        let Some((lit, rest)) = body.split_once('\'') else {
            return Err("unterminated string".into());
        };
        check_trailing(rest)?;
        return Ok(Value::String(lit.to_string()));
    }
    let (word, rest) = match s.find(|c: char| c.is_whitespace() || c == '#') {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    check_trailing(rest)?;
    match word {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        w => {
            let digits = w.strip_prefix(['+', '-']).unwrap_or(w);
            let is_number = digits.starts_with(|c: char| c.is_ascii_digit())
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
            if is_number {
                Ok(Value::Integer(w.replace(['_', '+'], "")))
            } else {
                Err(format!(
                    "expected a quoted string, `true`, `false` or a whole number, found `{}`",
                    crate::text::shorten(w, 40)
                ))
            }
        }
    }
}

fn check_trailing(rest: &str) -> Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!(
            "unexpected `{}` after the value",
            crate::text::shorten(rest, 40)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_subset() {
        let c = Config::parse(
            "# gover settings\nmirror = \"https://mirrors.example/go/\" # cn\nauto_install = false\nhttp_timeout = 60\nindex_url = 'file:///srv/index.json'\nlock_timeout = 1_000\nbig = -99999999999999999999999\n",
        )
        .unwrap();
        assert_eq!(
            c.get("mirror"),
            Some(&Value::String("https://mirrors.example/go/".into()))
        );
        assert_eq!(c.get("auto_install"), Some(&Value::Bool(false)));
        assert_eq!(c.get("http_timeout"), Some(&Value::Integer("60".into())));
        assert_eq!(c.get("lock_timeout"), Some(&Value::Integer("1000".into())));
        assert_eq!(
            c.get("big"),
            Some(&Value::Integer("-99999999999999999999999".into()))
        );
        assert_eq!(c.entry("index_url").unwrap().line, 5);
        assert_eq!(c.get("gotoolchain"), None);
        assert_eq!(Value::String("a\"b".into()).to_string(), "\"a\\\"b\"");
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        for (text, line, needle) in [
            ("[proxy]\n", 1, "tables"),
            ("a = 1\nmirror\n", 2, "key = value"),
            ("mirror = \"x\nb = 1", 1, "unterminated"),
            ("auto_install = yes", 1, "found `yes`"),
            ("a = 1\na = 2", 2, "twice"),
            ("a = \"x\" y", 1, "unexpected"),
            ("a = 1.5", 1, "whole number"),
            ("a = 0x10", 1, "whole number"),
            ("a = \"\\q\"", 1, "unsupported escape"),
        ] {
            let (l, m) = Config::parse(text).unwrap_err();
            assert_eq!(l, line, "{text:?}");
            assert!(m.contains(needle), "{text:?}: {m}");
        }
    }

    #[test]
    fn missing_file_is_empty() {
        let t = tempfile::tempdir().unwrap();
        let c = Config::load(&t.path().join("config.toml")).unwrap();
        assert!(c.path.is_none());
        std::fs::write(t.path().join("config.toml"), "auto_install = maybe\n").unwrap();
        let e = Config::load(&t.path().join("config.toml")).unwrap_err();
        assert!(e.to_string().contains("config.toml:1:"), "{e}");
    }

    #[test]
    fn nearest_keys() {
        assert_eq!(nearest_key("auto-install"), Some("auto_install"));
        assert_eq!(nearest_key("Auto_Install"), Some("auto_install"));
        assert_eq!(nearest_key("mirorr"), Some("mirror"));
        assert_eq!(nearest_key("indexurl"), Some("index_url"));
        assert_eq!(nearest_key("http-timeout"), Some("http_timeout"));
        assert_eq!(nearest_key("proxy"), None);
        assert_eq!(nearest_key("colour"), None);
    }
}
