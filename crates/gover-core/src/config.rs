//! `$GOVER_HOME/config.toml`: a flat list of `key = value` settings.
//!
//! gover's settings are a handful of scalars, so the file is read with a
//! small strict parser for that subset of TOML (comments, basic and literal
//! strings, booleans, integers). It is cheap enough for the shim, which only
//! reads it when the file exists. Tables and arrays are rejected with an
//! error naming the file and line rather than silently ignored.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Every key `config.toml` may hold, with a one-line description.
pub const KEYS: &[(&str, &str)] = &[
    (
        "mirror",
        "Base URL archives are downloaded from (like GOVER_MIRROR)",
    ),
    (
        "index_url",
        "URL of the release index (like GOVER_INDEX_URL)",
    ),
    (
        "auto_install",
        "Whether the shim installs a pinned but missing toolchain (default true)",
    ),
    (
        "gotoolchain",
        "`local` (default): the shim sets GOTOOLCHAIN=local unless set; `inherit`: leave it alone",
    ),
    (
        "http_timeout",
        "Connect and idle-read timeout in seconds (like GOVER_HTTP_TIMEOUT)",
    ),
    (
        "lock_timeout",
        "Seconds to wait for another install of the same version (like GOVER_LOCK_TIMEOUT)",
    ),
];

/// A value in `config.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A quoted string.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// A decimal integer.
    Integer(i64),
}

/// The parsed settings file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it was read from (`None` when no file exists).
    pub path: Option<PathBuf>,
    entries: Vec<(String, Value)>,
}

/// A settings file that cannot be used.
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
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
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
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(err(None, e.to_string())),
        };
        let mut cfg = Self::parse(&text).map_err(|(line, m)| err(Some(line), m))?;
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses the text of a settings file; errors carry the 1-based line.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                return Err((
                    line_no,
                    format!("tables are not used in gover's config; write plain `key = value` lines (found `{line}`)"),
                ));
            }
            let Some((key, rest)) = line.split_once('=') else {
                return Err((line_no, format!("expected `key = value`, found `{line}`")));
            };
            let key = key.trim();
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err((line_no, format!("invalid key `{key}`")));
            }
            let value = parse_value(rest.trim()).map_err(|m| (line_no, format!("{key}: {m}")))?;
            if entries.iter().any(|(k, _)| k == key) {
                return Err((line_no, format!("`{key}` is set twice")));
            }
            entries.push((key.to_string(), value));
        }
        Ok(Self {
            path: None,
            entries,
        })
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every key present, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    fn type_error(&self, key: &str, want: &str) -> ConfigError {
        ConfigError {
            path: self.path.clone().unwrap_or_default(),
            line: None,
            message: format!("`{key}` must be {want}"),
        }
    }

    /// A string setting; an error when it has another type.
    pub fn string(&self, key: &str) -> Result<Option<&str>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.type_error(key, "a quoted string")),
        }
    }

    /// A boolean setting; an error when it has another type.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.type_error(key, "`true` or `false`")),
        }
    }

    /// A non-negative integer setting; an error when it has another type.
    pub fn uint(&self, key: &str) -> Result<Option<u64>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) if *i >= 0 => Ok(Some(*i as u64)),
            Some(_) => Err(self.type_error(key, "a non-negative integer")),
        }
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
                        return Err(format!("unsupported escape `\\{}`", other.unwrap_or(' ')))
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
        w => w
            .replace('_', "")
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| {
                format!("expected a quoted string, `true`, `false` or a number, found `{w}`")
            }),
    }
}

fn check_trailing(rest: &str) -> Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected `{rest}` after the value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_subset() {
        let c = Config::parse(
            "# gover settings\nmirror = \"https://mirrors.example/go/\" # cn\nauto_install = false\nhttp_timeout = 60\nindex_url = 'file:///srv/index.json'\n",
        )
        .unwrap();
        assert_eq!(
            c.string("mirror").unwrap(),
            Some("https://mirrors.example/go/")
        );
        assert_eq!(c.bool("auto_install").unwrap(), Some(false));
        assert_eq!(c.uint("http_timeout").unwrap(), Some(60));
        assert_eq!(
            c.string("index_url").unwrap(),
            Some("file:///srv/index.json")
        );
        assert!(c.bool("mirror").is_err());
        assert_eq!(c.string("gotoolchain").unwrap(), None);
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
}
