//! The layout of `$GOVER_HOME`: every path gover reads or writes.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env;
use crate::version::GoVersion;

/// `$GOVER_HOME` and everything under it.
///
/// ```text
/// $GOVER_HOME/
///   version              global default (same format as .go-version)
///   config.toml          settings (mirror, index_url, auto_install, gotoolchain)
///   toolchains/go1.22.10/  one complete GOROOT per installed version
///   shims/               go, gofmt and go<version> links to gover-shim
///   cache/               release index and its validators
///   tmp/                 scratch space for installs (same filesystem)
///   locks/               per-version install locks
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoverHome {
    root: PathBuf,
}

/// gover's home could not be determined.
#[derive(Debug, PartialEq, Eq)]
pub enum HomeError {
    /// Neither `GOVER_HOME`, `XDG_DATA_HOME` nor `HOME` gives an absolute path.
    NotSet,
    /// `GOVER_HOME` is a relative path: it would name a different home in
    /// every directory the shim runs in.
    Relative(PathBuf),
}

impl fmt::Display for HomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSet => f.write_str(
                "cannot determine gover's home: neither GOVER_HOME, XDG_DATA_HOME nor HOME is set to an absolute path; set GOVER_HOME",
            ),
            Self::Relative(p) => write!(
                f,
                "GOVER_HOME={} is a relative path, which would name another home in every directory; set it to an absolute path (such as `export GOVER_HOME=\"$HOME/.local/share/gover\"`)",
                p.display()
            ),
        }
    }
}

impl std::error::Error for HomeError {}

/// The executable file name of a Go tool on this platform (`go`, `go.exe`).
pub fn exe_name(tool: &str) -> String {
    format!("{tool}{}", std::env::consts::EXE_SUFFIX)
}

impl GoverHome {
    /// A home rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The home from the environment: `GOVER_HOME`, else
    /// `$XDG_DATA_HOME/gover`, else `~/.local/share/gover` (Linux and macOS alike).
    pub fn from_env() -> Result<Self, HomeError> {
        Self::from_vars(|k| std::env::var_os(k))
    }

    /// Like [`GoverHome::from_env`], reading variables through `get`.
    pub fn from_vars(get: impl Fn(&str) -> Option<OsString>) -> Result<Self, HomeError> {
        if let Some(h) = get(env::GOVER_HOME).filter(|h| !h.is_empty()) {
            let p = PathBuf::from(h);
            if p.is_absolute() {
                return Ok(Self::new(p));
            }
            return Err(HomeError::Relative(p));
        }
        if let Some(x) = get("XDG_DATA_HOME").map(PathBuf::from) {
            if x.is_absolute() {
                return Ok(Self::new(x.join("gover")));
            }
        }
        match get("HOME").map(PathBuf::from) {
            Some(h) if h.is_absolute() => Ok(Self::new(h.join(".local/share/gover"))),
            _ => Err(HomeError::NotSet),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where installed toolchains live.
    pub fn toolchains_dir(&self) -> PathBuf {
        self.root.join("toolchains")
    }

    /// The GOROOT of one version: `toolchains/go<version>` (spelled as Go
    /// spells the release: `go1.20`, `go1.22.10`).
    pub fn toolchain_dir(&self, v: &GoVersion) -> PathBuf {
        let mut p = self.toolchains_dir();
        p.push(v.toolchain_name());
        p
    }

    /// Where the `go`/`gofmt`/`go<version>` shims live.
    pub fn shims_dir(&self) -> PathBuf {
        self.root.join("shims")
    }

    /// Download caches (release index).
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// Scratch space for installs, on the same filesystem as `toolchains/`.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Per-version install locks.
    pub fn locks_dir(&self) -> PathBuf {
        self.root.join("locks")
    }

    /// The global default version file.
    pub fn version_file(&self) -> PathBuf {
        self.root.join("version")
    }

    /// The settings file.
    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// True when `toolchains/go<v>/bin/go` exists: a directory without it is
    /// not a toolchain.
    pub fn is_installed_dir(dir: &Path) -> bool {
        dir.join("bin").join(exe_name("go")).is_file()
    }

    /// The installed toolchain equal to `v` (Go's comparison, so `1.20.0`
    /// finds `go1.20`), if any.
    pub fn find_installed(&self, v: &GoVersion) -> Option<GoVersion> {
        if Self::is_installed_dir(&self.toolchain_dir(v)) {
            return Some(v.clone());
        }
        self.installed().ok()?.into_iter().find(|i| i == v)
    }

    /// Every installed toolchain, newest first. A missing `toolchains/`
    /// directory means none.
    pub fn installed(&self) -> io::Result<Vec<GoVersion>> {
        let dir = self.toolchains_dir();
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for entry in rd {
            let entry = entry?;
            let name = entry.file_name();
            let Some(v) = name
                .to_str()
                .and_then(|n| n.strip_prefix("go"))
                .and_then(GoVersion::parse)
            else {
                continue;
            };
            if Self::is_installed_dir(&entry.path()) {
                out.push(v);
            }
        }
        out.sort_by(|a, b| b.cmp(a));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let m: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn home_precedence() {
        let h = GoverHome::from_vars(vars(&[("GOVER_HOME", "/g"), ("HOME", "/h")])).unwrap();
        assert_eq!(h.root(), Path::new("/g"));
        let h = GoverHome::from_vars(vars(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])).unwrap();
        assert_eq!(h.root(), Path::new("/x/gover"));
        let h = GoverHome::from_vars(vars(&[("XDG_DATA_HOME", "rel"), ("HOME", "/h")])).unwrap();
        assert_eq!(h.root(), Path::new("/h/.local/share/gover"));
        let h = GoverHome::from_vars(vars(&[("GOVER_HOME", ""), ("HOME", "/h")])).unwrap();
        assert_eq!(h.root(), Path::new("/h/.local/share/gover"));
        assert_eq!(GoverHome::from_vars(vars(&[])), Err(HomeError::NotSet));
        assert_eq!(
            GoverHome::from_vars(vars(&[("GOVER_HOME", "rel/g"), ("HOME", "/h")])),
            Err(HomeError::Relative("rel/g".into()))
        );
    }

    #[test]
    fn installed_needs_bin_go() {
        let t = tempfile::tempdir().unwrap();
        let h = GoverHome::new(t.path());
        assert!(h.installed().unwrap().is_empty());
        for (name, complete) in [
            ("go1.22.10", true),
            ("go1.20", true),
            ("go1.21.0", false),
            ("tmp-go1.23.0", true),
            ("gobanana", true),
        ] {
            let d = h.toolchains_dir().join(name).join("bin");
            std::fs::create_dir_all(&d).unwrap();
            if complete {
                std::fs::write(d.join(exe_name("go")), "").unwrap();
            }
        }
        let names: Vec<_> = h
            .installed()
            .unwrap()
            .iter()
            .map(GoVersion::toolchain_name)
            .collect();
        assert_eq!(names, ["go1.22.10", "go1.20"]);
        let v120 = GoVersion::parse("1.20.0").unwrap();
        assert_eq!(h.find_installed(&v120).unwrap().toolchain_name(), "go1.20");
        assert!(h
            .find_installed(&GoVersion::parse("1.21.0").unwrap())
            .is_none());
    }
}
