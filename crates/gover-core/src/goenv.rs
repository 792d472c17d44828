//! Go's own settings that decide which toolchain the `go` command runs,
//! read as Go reads them (`cmd/go/internal/cfg.Getenv`): the environment
//! when the variable is set and not empty, else the file `go env -w`
//! writes (see `docs/internals/go-rules.md`, "GOTOOLCHAIN").
//!
//! That file is `$GOENV` (`off`: no file), else `$XDG_CONFIG_HOME/go/env`
//! (a relative `XDG_CONFIG_HOME` means no file, as in Go), else
//! `~/.config/go/env` (`~/Library/Application Support/go/env` on macOS).
//! Go reads it line by line: a line whose first byte is `A`-`Z` and that
//! holds `=` sets the key before the `=` to everything after it, untrimmed;
//! a later line wins. gover reads only `GOTOOLCHAIN`, `GOWORK` and
//! `GO111MODULE` from it, once per run and only when the environment does
//! not already set all three. The read is bounded ([`MAX_GO_ENV_BYTES`])
//! and never blocks on a FIFO; a file that cannot be read is reported as a
//! warning and otherwise ignored (Go ignores it silently).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::env;
use crate::text::untrusted_path;

/// The largest Go env file gover reads; `go env -w` writes a few lines.
pub const MAX_GO_ENV_BYTES: u64 = 64 * 1024;

/// Where one of Go's settings came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoOrigin {
    /// The process environment.
    Env,
    /// The `go env -w` file.
    File(PathBuf),
}

/// One of Go's settings and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoValue {
    /// The value as Go sees it (untrimmed; may be empty when the file sets
    /// it so).
    pub value: OsString,
    /// Where it came from.
    pub origin: GoOrigin,
}

impl GoValue {
    /// The value as text (`None` when it is not UTF-8).
    pub fn as_str(&self) -> Option<&str> {
        self.value.to_str()
    }

    /// `NAME=value in the environment` or `NAME=value from /path/to/env`,
    /// escaped for a terminal.
    pub fn describe(&self, name: &str) -> String {
        let shown = crate::text::shorten(&self.value.to_string_lossy(), 80);
        match &self.origin {
            GoOrigin::Env => format!("{name}={shown} in the environment"),
            GoOrigin::File(p) => format!("{name}={shown} from {}", untrusted_path(p)),
        }
    }
}

/// The settings of Go's that choose its toolchain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoConfig {
    /// `GOTOOLCHAIN`, when set (the default, `auto` from `$GOROOT/go.env`,
    /// is not recorded).
    pub gotoolchain: Option<GoValue>,
    /// `GOWORK`, when set.
    pub gowork: Option<GoValue>,
    /// `GO111MODULE`, when set.
    pub go111module: Option<GoValue>,
    /// Why the `go env -w` file could not be read, when it exists but
    /// cannot be used (too large, not a regular file, unreadable).
    pub warnings: Vec<String>,
}

impl fmt::Display for GoOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env => f.write_str("the environment"),
            Self::File(p) => untrusted_path(p).fmt(f),
        }
    }
}

/// The keys gover reads from Go's env file.
const KEYS: [&str; 3] = [env::GOTOOLCHAIN, env::GOWORK, env::GO111MODULE];

impl GoConfig {
    /// Go's settings from variables read through `get` (an unset variable
    /// is `None`) and, for those the environment leaves unset or empty,
    /// the `go env -w` file.
    pub fn from_vars(get: impl Fn(&str) -> Option<OsString>) -> Self {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let mut cfg = GoConfig::default();
        let mut missing = false;
        for key in KEYS {
            let v = var(key).map(|value| GoValue {
                value,
                origin: GoOrigin::Env,
            });
            missing |= v.is_none();
            *cfg.slot(key) = v;
        }
        if !missing {
            return cfg;
        }
        let Some(file) = env_file(&get) else {
            return cfg;
        };
        match read_env_file(&file) {
            Ok(Some(text)) => {
                for key in KEYS {
                    let slot = cfg.slot(key);
                    if slot.is_none() {
                        *slot = lookup(&text, key).map(|value| GoValue {
                            value,
                            origin: GoOrigin::File(file.clone()),
                        });
                    }
                }
            }
            Ok(None) => {}
            Err(e) => cfg.warnings.push(format!(
                "ignoring Go's env file {}: {e} (it holds what `go env -w` sets)",
                untrusted_path(&file)
            )),
        }
        cfg
    }

    /// Go's settings from this process's environment.
    pub fn from_process() -> Self {
        Self::from_vars(|k| std::env::var_os(k))
    }

    fn slot(&mut self, key: &str) -> &mut Option<GoValue> {
        match key {
            env::GOTOOLCHAIN => &mut self.gotoolchain,
            env::GOWORK => &mut self.gowork,
            _ => &mut self.go111module,
        }
    }
}

/// The file `go env -w` writes, as Go's `cfg.EnvFile` finds it; `None` with
/// `GOENV=off` or no user config directory.
pub fn env_file(get: &impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |k: &str| get(k).filter(|v| !v.is_empty());
    if let Some(file) = var(env::GOENV) {
        if file == "off" {
            return None;
        }
        return Some(PathBuf::from(file));
    }
    user_config_dir(&var).map(|d| d.join("go").join("env"))
}

/// Go's `os.UserConfigDir`.
fn user_config_dir(var: &impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        return var(env::HOME).map(|h| Path::new(&h).join("Library/Application Support"));
    }
    match var(env::XDG_CONFIG_HOME) {
        Some(x) if Path::new(&x).is_absolute() => Some(PathBuf::from(x)),
        Some(_) => None,
        None => var(env::HOME).map(|h| Path::new(&h).join(".config")),
    }
}

/// Reads Go's env file (or a GOROOT's `go.env`) as bytes, bounded by
/// [`MAX_GO_ENV_BYTES`] and never from a FIFO or device: `Ok(None)` when
/// it does not exist. What the line rules of [`lookup`] then read.
pub fn read_env_file(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let (file, meta) = match crate::fs::open_regular(path) {
        Ok(f) => f,
        Err(e) if crate::fs::is_missing(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let too_big = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is larger than {MAX_GO_ENV_BYTES} bytes"),
        )
    };
    if meta.len() > MAX_GO_ENV_BYTES {
        return Err(too_big());
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_GO_ENV_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_GO_ENV_BYTES {
        return Err(too_big());
    }
    Ok(Some(buf))
}

/// The value the env file `text` gives `key`, exactly as Go's
/// `readEnvFile` reads it: the last line `KEY=value` wins, the value is
/// everything after the first `=` (a `\r` included), lines not starting
/// with `A`-`Z` are ignored.
pub fn lookup(text: &[u8], key: &str) -> Option<OsString> {
    let mut found = None;
    for line in text.split(|b| *b == b'\n') {
        if !line.first().is_some_and(u8::is_ascii_uppercase) {
            continue;
        }
        let Some(eq) = line.iter().position(|b| *b == b'=') else {
            continue;
        };
        if &line[..eq] == key.as_bytes() {
            found = Some(&line[eq + 1..]);
        }
    }
    found.map(os_from_bytes)
}

#[cfg(unix)]
fn os_from_bytes(b: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    OsStr::from_bytes(b).to_os_string()
}

#[cfg(not(unix))]
fn os_from_bytes(b: &[u8]) -> OsString {
    OsString::from(String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::vars;

    #[test]
    fn lookup_reads_lines_as_go_does() {
        let text = b"# comment\nGOTOOLCHAIN=go1.21.13\ngowork=off\n GOWORK=x\nGOWORK=off\r\nGOTOOLCHAIN=local\nBAD\nGOFLAGS=a=b\n";
        assert_eq!(
            lookup(text, "GOTOOLCHAIN").unwrap(),
            "local",
            "the last wins"
        );
        assert_eq!(lookup(text, "GOWORK").unwrap(), "off\r", "untrimmed");
        assert_eq!(lookup(text, "GOFLAGS").unwrap(), "a=b");
        assert_eq!(lookup(text, "GO111MODULE"), None);
        assert_eq!(lookup(b"GOTOOLCHAIN=", "GOTOOLCHAIN").unwrap(), "");
        assert_eq!(lookup(b"", "GOTOOLCHAIN"), None);
    }

    #[test]
    fn the_env_file_is_found_as_go_finds_it() {
        let f = |pairs: &[(&str, &str)]| env_file(&vars(pairs));
        assert_eq!(f(&[("GOENV", "off"), ("HOME", "/h")]), None);
        assert_eq!(f(&[("GOENV", "/e"), ("HOME", "/h")]), Some("/e".into()));
        if cfg!(target_os = "macos") {
            return;
        }
        assert_eq!(
            f(&[("GOENV", ""), ("HOME", "/h")]),
            Some("/h/.config/go/env".into())
        );
        assert_eq!(
            f(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]),
            Some("/x/go/env".into())
        );
        assert_eq!(f(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")]), None);
        assert_eq!(f(&[]), None);
    }

    #[test]
    fn the_environment_beats_the_file_and_empty_counts_as_unset() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("env");
        std::fs::write(&file, "GOTOOLCHAIN=go1.21.13\nGOWORK=off\nGO111MODULE=\n").unwrap();
        let goenv = file.to_str().unwrap();
        let c = GoConfig::from_vars(vars(&[
            ("GOENV", goenv),
            ("GOTOOLCHAIN", ""),
            ("GOWORK", "auto"),
        ]));
        assert_eq!(
            c.gotoolchain.as_ref().unwrap().describe("GOTOOLCHAIN"),
            format!("GOTOOLCHAIN=go1.21.13 from {goenv}")
        );
        assert_eq!(c.gowork.as_ref().unwrap().origin, GoOrigin::Env);
        assert_eq!(c.go111module.as_ref().unwrap().value, "");
        assert!(c.warnings.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_huge_env_file_is_a_warning_never_a_hang() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        let st = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(st.success());
        let c = GoConfig::from_vars(vars(&[("GOENV", fifo.to_str().unwrap())]));
        assert_eq!(c.gotoolchain, None);
        assert!(c.warnings[0].contains("FIFO"), "{:?}", c.warnings);
        let huge = t.path().join("huge");
        std::fs::write(&huge, vec![b'A'; MAX_GO_ENV_BYTES as usize + 1]).unwrap();
        let c = GoConfig::from_vars(vars(&[("GOENV", huge.to_str().unwrap())]));
        assert!(c.warnings[0].contains("larger than"), "{:?}", c.warnings);
        let dir = GoConfig::from_vars(vars(&[("GOENV", t.path().to_str().unwrap())]));
        assert!(dir.warnings[0].contains("directory"), "{:?}", dir.warnings);
    }

    #[test]
    fn no_file_is_read_when_the_environment_sets_everything() {
        let t = tempfile::tempdir().unwrap();
        let c = GoConfig::from_vars(vars(&[
            ("GOENV", t.path().to_str().unwrap()),
            ("GOTOOLCHAIN", "local"),
            ("GOWORK", "off"),
            ("GO111MODULE", "on"),
        ]));
        assert_eq!(c.gotoolchain.unwrap().value, "local");
        assert!(c.warnings.is_empty());
    }
}
