//! Where GOPROXY and GOSUMDB come from, as the go command reads them: the
//! environment (a non-empty value), else Go's env file (the file
//! `go env -w` writes: `$GOENV`, else `$XDG_CONFIG_HOME/go/env` or
//! `~/.config/go/env` on Linux and other Unixes, `~/Library/Application
//! Support/go/env` on macOS, `%AppData%\go\env` on Windows; `GOENV=off`
//! disables it), else GOROOT/go.env, else Go's defaults.
//!
//! The functions take the values (pure); [`read`] is the helper that reads
//! the process environment and the files.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::goproxy::DEFAULT_GOPROXY;
use crate::gosumdb::DEFAULT_GOSUMDB;

/// The operating system, for the env file's location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostOs {
    /// Linux and other Unixes.
    Unix,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl HostOs {
    /// This machine's.
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            HostOs::MacOs
        } else if cfg!(windows) {
            HostOs::Windows
        } else {
            HostOs::Unix
        }
    }
}

/// The environment variables the env file's location depends on.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// `GOENV`.
    pub goenv: Option<OsString>,
    /// `XDG_CONFIG_HOME`.
    pub xdg_config_home: Option<OsString>,
    /// `HOME`.
    pub home: Option<OsString>,
    /// `AppData` (Windows).
    pub appdata: Option<OsString>,
}

/// Go's env file for `vars` on `os`: `None` when `GOENV=off` or no
/// location can be found (no HOME).
pub fn env_file(vars: &Vars, os: HostOs) -> Option<PathBuf> {
    let set = |v: &Option<OsString>| v.clone().filter(|s| !s.is_empty());
    if let Some(f) = set(&vars.goenv) {
        return (f != "off").then(|| PathBuf::from(f));
    }
    let config = match os {
        HostOs::Windows => PathBuf::from(set(&vars.appdata)?),
        HostOs::MacOs => Path::new(&set(&vars.home)?).join("Library/Application Support"),
        HostOs::Unix => match set(&vars.xdg_config_home) {
            Some(x) => PathBuf::from(x),
            None => Path::new(&set(&vars.home)?).join(".config"),
        },
    };
    Some(config.join("go").join("env"))
}

/// The `KEY=value` lines of an env file, in order, as Go reads them:
/// lines without `=` or not starting with an upper-case ASCII letter are
/// skipped (comments); nothing is trimmed or unquoted.
pub fn parse_env_file(data: &[u8]) -> Vec<(String, String)> {
    data.split(|&b| b == b'\n')
        .filter(|l| l.first().is_some_and(u8::is_ascii_uppercase))
        .filter_map(|l| {
            let i = l.iter().position(|&b| b == b'=')?;
            Some((
                String::from_utf8_lossy(&l[..i]).into_owned(),
                String::from_utf8_lossy(&l[i + 1..]).into_owned(),
            ))
        })
        .collect()
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Environment,
    /// Go's env file (`go env -w`).
    EnvFile(PathBuf),
    /// GOROOT/go.env.
    GorootEnv(PathBuf),
    /// Go's default (what GOROOT/go.env holds since Go 1.21).
    Default,
}

/// A setting and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The value (possibly empty, when a file sets it empty).
    pub value: String,
    /// Its source.
    pub source: Source,
}

/// A parsed env file and its path.
pub type EnvFile<'a> = (&'a Path, &'a [(String, String)]);

/// The value of `key` as Go resolves it: the environment when set and
/// non-empty; else the user env file's last line for `key` (even empty);
/// else GOROOT/go.env's; else `default`.
pub fn resolve(
    key: &str,
    env: Option<&str>,
    user: Option<EnvFile<'_>>,
    goroot: Option<EnvFile<'_>>,
    default: &str,
) -> Setting {
    if let Some(v) = env.filter(|v| !v.is_empty()) {
        return Setting {
            value: v.to_string(),
            source: Source::Environment,
        };
    }
    let find = |f: Option<EnvFile<'_>>| {
        let (path, lines) = f?;
        lines
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| (path.to_path_buf(), v.clone()))
    };
    if let Some((p, value)) = find(user) {
        return Setting {
            value,
            source: Source::EnvFile(p),
        };
    }
    if let Some((p, value)) = find(goroot) {
        return Setting {
            value,
            source: Source::GorootEnv(p),
        };
    }
    Setting {
        value: default.to_string(),
        source: Source::Default,
    }
}

/// GOPROXY and GOSUMDB as the go command would see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoSettings {
    /// GOPROXY.
    pub goproxy: Setting,
    /// GOSUMDB.
    pub gosumdb: Setting,
    /// The env file consulted, if any (it may not exist).
    pub env_file: Option<PathBuf>,
}

/// Reads GOPROXY and GOSUMDB from `getenv`, Go's env file and the go.env
/// of GOROOT (`$GOROOT`, else the env file's GOROOT, else `goroot`: the
/// toolchain that would run). Unreadable files count as absent, as in Go.
pub fn read(
    getenv: &dyn Fn(&str) -> Option<OsString>,
    os: HostOs,
    goroot: Option<&Path>,
) -> GoSettings {
    let vars = Vars {
        goenv: getenv("GOENV"),
        xdg_config_home: getenv("XDG_CONFIG_HOME"),
        home: getenv("HOME"),
        appdata: getenv("AppData"),
    };
    let file = env_file(&vars, os);
    let user = file
        .as_ref()
        .and_then(|f| fs::read(f).ok())
        .map(|d| parse_env_file(&d))
        .unwrap_or_default();
    let user_f = file.as_deref().map(|f| (f, &user[..]));
    let goroot_in_file = resolve("GOROOT", None, user_f, None, "").value;
    let goroot = getenv("GOROOT")
        .filter(|g| !g.is_empty())
        .map(PathBuf::from)
        .or_else(|| (!goroot_in_file.is_empty()).then(|| PathBuf::from(&goroot_in_file)))
        .or_else(|| goroot.map(Path::to_path_buf));
    let go_env = goroot.map(|g| g.join("go.env"));
    let root_lines = go_env
        .as_ref()
        .and_then(|f| fs::read(f).ok())
        .map(|d| parse_env_file(&d))
        .unwrap_or_default();
    let var = |k: &str| getenv(k).map(|v| v.to_string_lossy().into_owned());
    let root_f = go_env.as_deref().map(|f| (f, &root_lines[..]));
    GoSettings {
        goproxy: resolve(
            "GOPROXY",
            var("GOPROXY").as_deref(),
            user_f,
            root_f,
            DEFAULT_GOPROXY,
        ),
        gosumdb: resolve(
            "GOSUMDB",
            var("GOSUMDB").as_deref(),
            user_f,
            root_f,
            DEFAULT_GOSUMDB,
        ),
        env_file: file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let m: HashMap<&str, &str> = pairs.iter().copied().collect();
        let g = |k: &str| m.get(k).map(OsString::from);
        Vars {
            goenv: g("GOENV"),
            xdg_config_home: g("XDG_CONFIG_HOME"),
            home: g("HOME"),
            appdata: g("AppData"),
        }
    }

    #[test]
    fn the_env_file_is_where_go_env_w_writes_it() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(
            env_file(&vars(&[("HOME", "/h")]), HostOs::Unix),
            p("/h/.config/go/env")
        );
        assert_eq!(
            env_file(
                &vars(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]),
                HostOs::Unix
            ),
            p("/x/go/env")
        );
        assert_eq!(
            env_file(
                &vars(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "")]),
                HostOs::Unix
            ),
            p("/h/.config/go/env")
        );
        assert_eq!(
            env_file(
                &vars(&[("HOME", "/Users/u"), ("XDG_CONFIG_HOME", "/x")]),
                HostOs::MacOs
            ),
            p("/Users/u/Library/Application Support/go/env")
        );
        assert_eq!(
            env_file(&vars(&[("AppData", "C:/A")]), HostOs::Windows),
            p("C:/A/go/env")
        );
        assert_eq!(
            env_file(
                &vars(&[("HOME", "/h"), ("GOENV", "/etc/goenv")]),
                HostOs::Unix
            ),
            p("/etc/goenv")
        );
        assert_eq!(
            env_file(&vars(&[("HOME", "/h"), ("GOENV", "off")]), HostOs::Unix),
            None
        );
        assert_eq!(env_file(&vars(&[]), HostOs::Unix), None);
    }

    #[test]
    fn env_files_parse_as_go_reads_them() {
        let f = b"# comment\nGOPROXY=https://goproxy.cn,direct\ngoproxy=lower\n=x\nNOEQUALS\nGOSUMDB= spaced \r\nGOPROXY=https://later\n";
        assert_eq!(
            parse_env_file(f),
            [
                (
                    "GOPROXY".to_string(),
                    "https://goproxy.cn,direct".to_string()
                ),
                ("GOSUMDB".to_string(), " spaced \r".to_string()),
                ("GOPROXY".to_string(), "https://later".to_string()),
            ]
        );
    }

    #[test]
    fn environment_then_env_file_then_goroot_then_default() {
        let user = [(
            "GOPROXY".to_string(),
            "https://goproxy.cn,direct".to_string(),
        )];
        let root = [
            (
                "GOPROXY".to_string(),
                "https://proxy.golang.org,direct".to_string(),
            ),
            ("GOSUMDB".to_string(), "sum.golang.org".to_string()),
        ];
        let u = Some((Path::new("/u/env"), &user[..]));
        let r = Some((Path::new("/g/go.env"), &root[..]));
        let s = resolve("GOPROXY", Some("https://env"), u, r, DEFAULT_GOPROXY);
        assert_eq!(
            (s.value.as_str(), s.source),
            ("https://env", Source::Environment)
        );
        let s = resolve("GOPROXY", Some(""), u, r, DEFAULT_GOPROXY);
        assert_eq!(s.value, "https://goproxy.cn,direct");
        assert_eq!(s.source, Source::EnvFile("/u/env".into()));
        let s = resolve("GOSUMDB", None, u, r, DEFAULT_GOSUMDB);
        assert_eq!(s.source, Source::GorootEnv("/g/go.env".into()));
        let s = resolve("GOSUMDB", None, u, None, DEFAULT_GOSUMDB);
        assert_eq!(
            (s.value.as_str(), s.source),
            ("sum.golang.org", Source::Default)
        );
        // A key set empty in the user file shadows go.env, as in Go.
        let empty = [("GOSUMDB".to_string(), String::new())];
        let s = resolve(
            "GOSUMDB",
            None,
            Some((Path::new("/u/env"), &empty[..])),
            r,
            DEFAULT_GOSUMDB,
        );
        assert_eq!(s.value, "");
    }

    #[test]
    fn read_finds_the_files() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("home");
        fs::create_dir_all(home.join(".config/go")).unwrap();
        fs::write(
            home.join(".config/go/env"),
            "GOPROXY=https://goproxy.cn,direct\n",
        )
        .unwrap();
        let goroot = t.path().join("goroot");
        fs::create_dir_all(&goroot).unwrap();
        fs::write(
            goroot.join("go.env"),
            "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\n",
        )
        .unwrap();
        let h = home.clone();
        let env = move |k: &str| (k == "HOME").then(|| h.clone().into_os_string());
        let s = read(&env, HostOs::Unix, Some(&goroot));
        assert_eq!(s.goproxy.value, "https://goproxy.cn,direct");
        assert_eq!(
            s.goproxy.source,
            Source::EnvFile(home.join(".config/go/env"))
        );
        assert_eq!(s.gosumdb.source, Source::GorootEnv(goroot.join("go.env")));
        let s = read(&env, HostOs::Unix, None);
        assert_eq!(s.gosumdb.source, Source::Default);
        // GOROOT from the environment wins over the caller's.
        let (h, g) = (home.clone(), goroot.clone());
        let env = move |k: &str| match k {
            "HOME" => Some(h.clone().into_os_string()),
            "GOROOT" => Some(g.clone().into_os_string()),
            "GOSUMDB" => Some("off".into()),
            _ => None,
        };
        let s = read(&env, HostOs::Unix, Some(Path::new("/nonexistent")));
        assert_eq!(s.gosumdb.value, "off");
        assert_eq!(s.goproxy.value, "https://goproxy.cn,direct");
    }
}
