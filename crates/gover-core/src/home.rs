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
///   version                  global default (same format as .go-version)
///   config.toml              settings (see crate::settings)
///   toolchains/go1.22.10/    one complete GOROOT per installed version
///   shims/go, gofmt          links to gover-shim
///   shims/go1.22.10          one version shim per installed toolchain
///   shims/go1.22.10-bigcorp  one shim per linked toolchain
///   links/go1.22.10-bigcorp  a symbolic link to a Go tree `gover link` registered
///   shims/gover              a link to the gover that ran `gover setup`
///   cache/index-<key>.json   the release index as last fetched, per index URL
///   cache/index-<key>.meta.json  its validators
///   cache/toolchain-list-<key>.txt  a GOPROXY list's golang.org/toolchain
///                            versions as last read, per GOPROXY setting
///   cache/config-warnings    config files the shim already warned about
///   cache/sumdb/<name>/      a checksum database's newest verified tree head
///                            (`latest`) and its verified tiles (`tile/8/...`)
///   verified/go1.22.10.linux-amd64.json  how that toolchain was verified
///   tmp/<scratch name>       scratch space for installs (same filesystem)
///   locks/<lock name>.lock   per-version install locks
/// ```
///
/// The user-level config file lives outside the home:
/// [`user_config_file`].
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

/// The variable `name` as a path, when it is set to an absolute one.
fn absolute_var(get: impl Fn(&str) -> Option<OsString>, name: &str) -> Option<PathBuf> {
    get(name).map(PathBuf::from).filter(|p| p.is_absolute())
}

/// The user-level config file: `$XDG_CONFIG_HOME/gover/config.toml` when
/// `XDG_CONFIG_HOME` is absolute, else `~/.config/gover/config.toml`;
/// `None` without an absolute `HOME` either. Its settings rank below
/// `$GOVER_HOME/config.toml`'s (see [`crate::settings`]).
pub fn user_config_file(get: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let dir = absolute_var(&get, env::XDG_CONFIG_HOME)
        .or_else(|| Some(absolute_var(&get, env::HOME)?.join(".config")))?;
    Some(dir.join("gover").join(CONFIG_FILE))
}

/// The name of a config file, in `$GOVER_HOME` and in the user's config
/// directory.
const CONFIG_FILE: &str = "config.toml";

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
        if let Some(x) = absolute_var(&get, env::XDG_DATA_HOME) {
            return Ok(Self::new(x.join("gover")));
        }
        match absolute_var(&get, env::HOME) {
            Some(h) => Ok(Self::new(h.join(".local/share/gover"))),
            None => Err(HomeError::NotSet),
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

    /// Where `gover link` registers custom toolchains: one symbolic link per
    /// name, to the Go tree it names.
    pub fn links_dir(&self) -> PathBuf {
        self.root.join("links")
    }

    /// The path of the linked toolchain `name` (`links/go1.22.10-bigcorp`),
    /// when `name` is a custom toolchain name
    /// ([`crate::request::custom_toolchain`]): no other name ever reaches
    /// the file system.
    pub fn link_path(&self, name: &str) -> Option<PathBuf> {
        crate::request::custom_toolchain(name)?;
        crate::fs::is_plain_file_name(name).then(|| self.links_dir().join(name))
    }

    /// The Go tree linked as `name`, when it is registered and still holds
    /// `bin/go`.
    pub fn find_linked(&self, name: &str) -> Option<PathBuf> {
        self.link_path(name).filter(|p| Self::is_installed_dir(p))
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

    /// The settings file of this home.
    pub fn config_file(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The state of the checksum database whose name gives the relative
    /// directory `name` (`sum.golang.org`): `cache/sumdb/<name>/`, holding
    /// the newest tree head verified and the verified tiles. `None` when
    /// `name` is not a plain relative path (no `..`, no root).
    pub fn sumdb_dir(&self, name: &Path) -> Option<PathBuf> {
        let plain = name.components().count() > 0
            && name
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        plain.then(|| self.cache_dir().join("sumdb").join(name))
    }

    /// Where gover records how each installed toolchain was verified
    /// (kept outside the GOROOTs, which hold only what Go shipped).
    pub fn verified_dir(&self) -> PathBuf {
        self.root.join("verified")
    }

    /// The verification record of `toolchain` (`go1.22.10`) for `platform`
    /// (`linux-amd64`): `verified/go1.22.10.linux-amd64.json`. `None` when
    /// the two do not make a plain file name.
    pub fn verification_file(&self, toolchain: &str, platform: &str) -> Option<PathBuf> {
        let name = format!("{toolchain}.{platform}.json");
        (crate::fs::is_plain_file_name(&name) && !platform.contains('.'))
            .then(|| self.verified_dir().join(name))
    }

    /// Where the shim records the config files it already warned about.
    pub fn config_warnings_file(&self) -> PathBuf {
        self.cache_dir().join("config-warnings")
    }

    /// The cached release index for the index URL whose cache key is
    /// `key` (a hex digest of the URL): `(body, metadata)`, as
    /// `cache/index-<key>.json` and `cache/index-<key>.meta.json`.
    pub fn index_cache_files(&self, key: &str) -> (PathBuf, PathBuf) {
        let dir = self.cache_dir();
        (
            dir.join(format!("index-{key}.json")),
            dir.join(format!("index-{key}.meta.json")),
        )
    }

    /// The cached `golang.org/toolchain` version list of the GOPROXY
    /// setting whose cache key is `key` (a hex digest of the setting):
    /// `cache/toolchain-list-<key>.txt`.
    pub fn toolchain_list_cache_file(&self, key: &str) -> PathBuf {
        self.cache_dir().join(format!("toolchain-list-{key}.txt"))
    }

    /// The shim named `name` (`go`, `gofmt`, `go1.22.10`; the platform's
    /// executable suffix is added).
    pub fn shim_file(&self, name: &str) -> PathBuf {
        self.shims_dir().join(exe_name(name))
    }

    /// The version shim of `v`: `shims/go1.22.10`.
    pub fn version_shim_file(&self, v: &GoVersion) -> PathBuf {
        self.shim_file(&v.toolchain_name())
    }

    /// The link to `gover` beside the shims, through which the shim finds
    /// gover to install a missing toolchain.
    pub fn gover_link(&self) -> PathBuf {
        self.shim_file("gover")
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

/// Who owns a lock file and the scratch entries of `tmp/`: one toolchain
/// (`go1.22.10`), or a one-off install of a local archive whose version is
/// known only after unpacking (`local-<pid>-<seq>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockName {
    /// A toolchain, by its release name.
    Toolchain(GoVersion),
    /// A local archive being unpacked by process `pid`.
    Local {
        /// The process.
        pid: u32,
        /// A sequence number within the process.
        seq: u64,
    },
}

impl fmt::Display for LockName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Toolchain(v) => f.write_str(&v.toolchain_name()),
            Self::Local { pid, seq } => write!(f, "local-{pid}-{seq}"),
        }
    }
}

/// Parses a decimal written the way gover writes numbers (no sign, no
/// leading zero).
fn canonical_number<T: std::str::FromStr + ToString>(s: &str) -> Option<T> {
    let n: T = s.parse().ok()?;
    (n.to_string() == s).then_some(n)
}

impl LockName {
    /// Parses a name exactly as [`fmt::Display`] writes it; anything else
    /// (another spelling, a user's own file) is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(rest) = s.strip_prefix("local-") {
            let (pid, seq) = rest.split_once('-')?;
            return Some(Self::Local {
                pid: canonical_number(pid)?,
                seq: canonical_number(seq)?,
            });
        }
        let v = GoVersion::parse(s.strip_prefix("go")?)?;
        (v.release_spelling().toolchain_name() == s && !v.is_lang()).then_some(Self::Toolchain(v))
    }
}

/// What a scratch entry of `tmp/` is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScratchPurpose {
    /// A toolchain being unpacked and verified.
    Install,
    /// An installed tree moved aside by a reinstall, about to be deleted.
    Replaced,
    /// An uninstalled tree moved aside, about to be deleted.
    Remove,
}

impl ScratchPurpose {
    const ALL: [(Self, &'static str); 3] = [
        (Self::Install, "install"),
        (Self::Replaced, "replaced"),
        (Self::Remove, "remove"),
    ];

    /// The word used in the entry's name.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map_or("", |(_, s)| s)
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, w)| *w == s).map(|(p, _)| *p)
    }
}

/// The name of an entry gover creates in `$GOVER_HOME/tmp`:
/// `<owner>@<purpose>-<pid>-<nanos>-<seq>`, such as
/// `go1.22.10@install-4242-118000001-0`. Only names that [`ScratchName::parse`]
/// accepts are ever removed from `tmp/`; anything else there is left alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScratchName {
    /// The lock that protects the entry while it is in use.
    pub owner: LockName,
    /// What the entry is for.
    pub purpose: ScratchPurpose,
    /// The process that created it.
    pub pid: u32,
    /// Nanoseconds of the creation time, so a reused pid gets a new name.
    pub nanos: u32,
    /// A sequence number within the process.
    pub seq: u64,
}

static SCRATCH_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl ScratchName {
    /// A fresh name for this process.
    pub fn new(owner: LockName, purpose: ScratchPurpose) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Self {
            owner,
            purpose,
            pid: std::process::id(),
            nanos,
            seq: SCRATCH_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Parses a name exactly as [`fmt::Display`] writes it.
    pub fn parse(s: &str) -> Option<Self> {
        let (owner, rest) = s.split_once('@')?;
        let mut parts = rest.split('-');
        let purpose = ScratchPurpose::parse(parts.next()?)?;
        let pid = canonical_number(parts.next()?)?;
        let nanos = canonical_number(parts.next()?)?;
        let seq = canonical_number(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            owner: LockName::parse(owner)?,
            purpose,
            pid,
            nanos,
            seq,
        })
    }
}

impl fmt::Display for ScratchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{}-{}-{}-{}",
            self.owner,
            self.purpose.as_str(),
            self.pid,
            self.nanos,
            self.seq
        )
    }
}

impl GoverHome {
    /// The lock file of `name`: `locks/<name>.lock`.
    pub fn lock_file(&self, name: &LockName) -> PathBuf {
        self.locks_dir().join(format!("{name}.lock"))
    }

    /// Where the scratch entry `name` lives: `tmp/<name>`.
    pub fn scratch_path(&self, name: &ScratchName) -> PathBuf {
        self.tmp_dir().join(name.to_string())
    }

    /// The entries of `tmp/` that gover created (their names parse as
    /// [`ScratchName`]s) and that are real files or directories, not links.
    /// A `tmp/` that is itself a link yields an error: nothing is ever
    /// removed through one. A missing `tmp/` has no entries.
    pub fn scratch_entries(&self) -> io::Result<Vec<(PathBuf, ScratchName)>> {
        let dir = self.tmp_dir();
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is not a directory (a link or a file); gover only removes its own scratch entries from a real directory",
                        dir.display()
                    ),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().and_then(ScratchName::parse) else {
                continue;
            };
            let ty = entry.file_type()?;
            if ty.is_dir() || ty.is_file() {
                out.push((entry.path(), name));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// The content-addressed toolchain store and gover's records of use.
///
/// ```text
/// $GOVER_HOME/
///   store/files/ab/<sha256>-r    one read-only file per content (-x: executable)
///   store/trees/toolchains/go1.22.10   which store files that toolchain holds
///   store/tmp/                  files being added to the store
///   locks/store.lock            shared by installs, exclusive for gc
///   pins                        the pin files gover resolved (see crate::records)
/// ```
impl GoverHome {
    /// The content-addressed store of toolchain files.
    pub fn store_dir(&self) -> PathBuf {
        self.root.join("store")
    }

    /// The store's lock: shared while an install links from the store,
    /// exclusive while files are removed from it.
    pub fn store_lock_file(&self) -> PathBuf {
        self.locks_dir().join("store.lock")
    }

    /// The record of remembered pins (see `crate::records`).
    pub fn pins_file(&self) -> PathBuf {
        self.root.join("pins")
    }

    /// The lock serialising updates of [`GoverHome::pins_file`].
    pub fn pins_lock_file(&self) -> PathBuf {
        self.locks_dir().join("pins.lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::vars;

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
    fn user_config_file_precedence() {
        let f = |pairs: &[(&str, &str)]| user_config_file(vars(pairs));
        assert_eq!(
            f(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]),
            Some(PathBuf::from("/x/gover/config.toml"))
        );
        assert_eq!(
            f(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")]),
            Some(PathBuf::from("/h/.config/gover/config.toml"))
        );
        assert_eq!(f(&[("HOME", "h")]), None);
        assert_eq!(f(&[]), None);
        let h = GoverHome::new("/g");
        assert_eq!(
            h.index_cache_files("ab12"),
            (
                PathBuf::from("/g/cache/index-ab12.json"),
                PathBuf::from("/g/cache/index-ab12.meta.json")
            )
        );
        assert_eq!(
            h.gover_link(),
            PathBuf::from(format!("/g/shims/gover{}", std::env::consts::EXE_SUFFIX))
        );
    }

    #[test]
    fn scratch_names_round_trip_and_nothing_else_parses() {
        let v = GoVersion::parse("1.22.10").unwrap();
        let n = ScratchName::new(LockName::Toolchain(v), ScratchPurpose::Install);
        let s = n.to_string();
        assert!(s.starts_with("go1.22.10@install-"), "{s}");
        assert_eq!(ScratchName::parse(&s), Some(n));
        let local = ScratchName::new(LockName::Local { pid: 7, seq: 3 }, ScratchPurpose::Remove);
        assert_eq!(ScratchName::parse(&local.to_string()), Some(local));
        assert_eq!(
            ScratchName::parse("go1.20@replaced-1-2-3").map(|n| n.to_string()),
            Some("go1.20@replaced-1-2-3".to_string())
        );
        for not_ours in [
            "backup@2024",
            "go1.22.10@install",
            "go1.22.10@install-1-2",
            "go1.22.10@install-1-2-3-4",
            "go1.22.10@install-01-2-3",
            "go1.22.10@install-+1-2-3",
            "go1.22.10@unpack-1-2-3",
            "go1.22@install-1-2-3",
            "go1.20.0@install-1-2-3",
            "notes@install-1-2-3",
            "go1.22.10@install-1-2-3@x",
            "local-1@install-1-2-3",
            "local-1-2-3@install-1-2-3",
            ".go1.22.10@install-1-2-3",
        ] {
            assert_eq!(ScratchName::parse(not_ours), None, "{not_ours}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn scratch_entries_lists_only_gover_names_and_never_follows_a_link() {
        let t = tempfile::tempdir().unwrap();
        let h = GoverHome::new(t.path().join("home"));
        assert!(h.scratch_entries().unwrap().is_empty(), "no tmp/ yet");
        std::fs::create_dir_all(h.tmp_dir()).unwrap();
        for d in ["go1.22.10@install-1-2-3", "backup@2024", "mine"] {
            std::fs::create_dir(h.tmp_dir().join(d)).unwrap();
        }
        std::fs::write(h.tmp_dir().join("go1.21.13@remove-1-2-4"), "").unwrap();
        let elsewhere = t.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, h.tmp_dir().join("go1.20@replaced-1-2-5")).unwrap();
        let names: Vec<String> = h
            .scratch_entries()
            .unwrap()
            .into_iter()
            .map(|(_, n)| n.to_string())
            .collect();
        assert_eq!(names, ["go1.21.13@remove-1-2-4", "go1.22.10@install-1-2-3"]);
        // A tmp/ that is a link is refused.
        std::fs::rename(h.tmp_dir(), t.path().join("real-tmp")).unwrap();
        std::os::unix::fs::symlink(t.path().join("real-tmp"), h.tmp_dir()).unwrap();
        assert!(h.scratch_entries().is_err());
        assert_eq!(
            h.lock_file(&LockName::Local { pid: 1, seq: 2 }),
            h.locks_dir().join("local-1-2.lock")
        );
    }

    #[test]
    fn sumdb_and_verification_paths_stay_inside_the_home() {
        let h = GoverHome::new("/g");
        assert_eq!(
            h.sumdb_dir(Path::new("sum.golang.org")),
            Some(PathBuf::from("/g/cache/sumdb/sum.golang.org"))
        );
        assert_eq!(
            h.sumdb_dir(Path::new("db.example/sub")),
            Some(PathBuf::from("/g/cache/sumdb/db.example/sub"))
        );
        for bad in ["", "../x", "/abs", "a/../../b", "."] {
            assert_eq!(h.sumdb_dir(Path::new(bad)), None, "{bad}");
        }
        assert_eq!(
            h.verification_file("go1.22.10", "linux-amd64"),
            Some(PathBuf::from("/g/verified/go1.22.10.linux-amd64.json"))
        );
        for (t, p) in [
            ("go1.22.10", "../x"),
            ("../go", "linux-amd64"),
            ("go1", "a.b"),
        ] {
            assert_eq!(h.verification_file(t, p), None, "{t} {p}");
        }
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
