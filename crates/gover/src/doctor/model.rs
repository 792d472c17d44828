//! What the checks look at ([`DoctorEnv`]) and what they report
//! ([`Finding`]).
//!
//! Every check is a [`Check`]: a function of a `DoctorEnv` gathering typed
//! facts, and one turning those facts into findings with text. The
//! environment holds the environment variables, the current directory,
//! gover's home and settings, and a root under which fixed system
//! locations (`/etc/profile`, `/proc/version`, `/lib/ld-musl-*`) are read.
//! Paths that come from variables (`HOME`, `PATH`, `GOROOT`, `GOPATH`,
//! `GOVER_HOME`) are used as they are, so a test builds a whole broken or
//! healthy machine inside a temporary directory.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gover_core::config::Config;
use gover_core::text::untrusted_path;
use gover_core::GoverHome;
use gover_dist::Platform;
use serde::{Serialize, Serializer};

use super::id::FindingId;
use crate::app::Settings;
use crate::shell::Dirs;

/// How bad a finding is. Only problems make `gover doctor` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Checked and fine (or just information).
    Ok,
    /// Worth fixing, but `go` works.
    Warning,
    /// Something is broken or will break.
    Problem,
}

impl Serialize for FindingId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One result of one check. `--json` prints these fields as they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// A stable identifier (`path.shadowed`, `goroot.env`).
    pub(crate) id: FindingId,
    /// How bad it is.
    pub(crate) severity: Severity,
    /// What was found, naming the file, variable, directory or version.
    pub(crate) message: String,
    /// Why it matters (for warnings and problems).
    pub(crate) why: Option<String>,
    /// The exact fix: commands in backticks, files and lines by name.
    pub(crate) fix: Option<String>,
}

impl Finding {
    fn new(id: FindingId, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            id,
            severity,
            message: message.into(),
            why: None,
            fix: None,
        }
    }

    /// A check that passed.
    pub(crate) fn ok(id: FindingId, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Ok, message)
    }

    /// Something worth fixing that does not break `go`.
    pub(crate) fn warning(id: FindingId, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Warning, message)
    }

    /// Something broken.
    pub(crate) fn problem(id: FindingId, message: impl Into<String>) -> Self {
        Self::new(id, Severity::Problem, message)
    }

    /// Adds why it matters.
    pub(crate) fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    /// Adds the fix.
    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// One check: typed facts gathered from the machine, then the findings
/// (with their text) those facts call for.
pub(crate) trait Check {
    /// What the check learns about the machine.
    type Facts;
    /// Gathers the facts.
    fn facts(env: &DoctorEnv) -> Self::Facts;
    /// Turns the facts into findings.
    fn findings(env: &DoctorEnv, facts: &Self::Facts) -> Vec<Finding>;
}

/// Runs one check.
pub(crate) fn run<C: Check>(env: &DoctorEnv) -> Vec<Finding> {
    C::findings(env, &C::facts(env))
}

/// The result of asking the release index whether it answers (`--network`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IndexProbe {
    /// Not asked (no `--network`).
    NotRequested,
    /// Not asked because gover is offline.
    Offline,
    /// It answered: a description (`412 releases, newest go1.23.4`).
    Answered(String),
    /// It failed: the error and its hint.
    Failed(String, Option<String>),
}

/// What the cached release index says about the host platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IndexPlatforms {
    /// The newest stable release in the index (`go1.23.4`).
    pub(crate) newest: String,
    /// Whether that release has an archive for the host.
    pub(crate) has_host_archive: bool,
}

/// Everything the checks read about the machine.
#[derive(Debug)]
pub(crate) struct DoctorEnv {
    /// Where fixed system paths (`/etc/...`, `/proc/version`, `/lib`) are
    /// read: `/` for the real machine.
    pub(crate) root: PathBuf,
    /// The environment variables.
    pub(crate) vars: BTreeMap<String, OsString>,
    /// The directory pins are resolved for.
    pub(crate) cwd: PathBuf,
    /// gover's home.
    pub(crate) home: GoverHome,
    /// The config files that exist (`$GOVER_HOME/config.toml`, then the
    /// user-level one), or why one cannot be read.
    pub(crate) config: Result<Vec<Config>, String>,
    /// The effective settings, or why they cannot be computed.
    pub(crate) settings: Result<Settings, String>,
    /// The running `gover` executable.
    pub(crate) gover_exe: Option<PathBuf>,
    /// The `gover-shim` the shims should be copies or links of (the one
    /// beside the running `gover`), when it exists.
    pub(crate) shim_source: Option<PathBuf>,
    /// The host platform as Go names it.
    pub(crate) host: Platform,
    /// How long a toolchain's `go version` may take.
    pub(crate) command_timeout: Duration,
    /// The `--network` probe.
    pub(crate) index_probe: IndexProbe,
    /// The mirrors asked under `--network` (none without it).
    pub(crate) mirror_probes: Vec<super::network::MirrorProbe>,
    /// What the cached index says about the host, when one is cached.
    pub(crate) index_platforms: Option<IndexPlatforms>,
    /// The time leftovers' ages are measured against.
    pub(crate) now: SystemTime,
}

/// A line of a startup or settings file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Location {
    /// The file.
    pub(crate) path: PathBuf,
    /// 1-based line number.
    pub(crate) line: usize,
    /// The line, trimmed.
    pub(crate) text: String,
}

/// The `go env -w` file: its path and `KEY=VALUE` lines.
#[derive(Clone, Debug, Default)]
pub(crate) struct GoEnvFile {
    /// The file (`None` when `GOENV=off` or no home is known).
    pub(crate) path: Option<PathBuf>,
    /// `(key, value, line)` in file order.
    pub(crate) entries: Vec<(String, String, usize)>,
    /// Why it exists but cannot be read (a FIFO, a directory, not UTF-8).
    pub(crate) error: Option<String>,
}

impl GoEnvFile {
    /// The value and line of `key`, if the file sets it.
    pub(crate) fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

impl DoctorEnv {
    /// A variable, when set and not empty.
    pub(crate) fn var(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .get(name)
            .map(OsString::as_os_str)
            .filter(|v| !v.is_empty())
    }

    /// A variable as text, when set, not empty and valid UTF-8.
    pub(crate) fn var_str(&self, name: &str) -> Option<&str> {
        self.var(name).and_then(OsStr::to_str)
    }

    /// `$HOME`, when absolute.
    pub(crate) fn user_home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    }

    /// The `PATH` entries in order (empty entries dropped).
    pub(crate) fn path_entries(&self) -> Vec<PathBuf> {
        match self.var("PATH") {
            Some(p) => std::env::split_paths(p)
                .filter(|e| !e.as_os_str().is_empty())
                .collect(),
            None => Vec::new(),
        }
    }

    /// True when `dir` is on `PATH` (compared as written and resolved).
    pub(crate) fn on_path(&self, dir: &Path) -> bool {
        self.path_entries().iter().any(|e| same_dir(e, dir))
    }

    /// A fixed system path (`/etc/profile`) under [`DoctorEnv::root`].
    pub(crate) fn sys(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub(crate) fn config_home(&self) -> Option<PathBuf> {
        self.var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| self.user_home().map(|h| h.join(".config")))
    }

    /// The file `go env -w` writes: `$GOENV` (`off`: none), else
    /// `$XDG_CONFIG_HOME/go/env` or `~/.config/go/env`
    /// (`~/Library/Application Support/go/env` on macOS).
    pub(crate) fn go_env_path(&self) -> Option<PathBuf> {
        if let Some(v) = self.var("GOENV") {
            if v == "off" {
                return None;
            }
            return Some(PathBuf::from(v));
        }
        if self.host.os == "darwin" {
            return self
                .user_home()
                .map(|h| h.join("Library/Application Support/go/env"));
        }
        self.config_home().map(|c| c.join("go").join("env"))
    }

    /// The parsed `go env -w` file (empty when absent or unreadable).
    pub(crate) fn go_env(&self) -> GoEnvFile {
        let path = self.go_env_path();
        let mut entries = Vec::new();
        let text = match path
            .as_deref()
            .map(|p| gover_core::fs::read_optional(p, MAX_READ))
        {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                return GoEnvFile {
                    path,
                    entries,
                    error: Some(e.to_string()),
                }
            }
            None => None,
        };
        if let Some(text) = text {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some((k, v)) = line.split_once('=') {
                    entries.push((k.trim().to_string(), v.trim().to_string(), n + 1));
                }
            }
        }
        GoEnvFile {
            path,
            entries,
            error: None,
        }
    }

    /// A Go setting as the `go` command sees it outside gover: the
    /// environment (non-empty), else the `go env -w` file. Returns the value
    /// and where it came from.
    pub(crate) fn go_setting(&self, key: &str) -> Option<(String, SettingSource)> {
        if let Some(v) = self.var(key) {
            return Some((v.to_string_lossy().into_owned(), SettingSource::Env));
        }
        let f = self.go_env();
        let (v, line) = f.get(key)?;
        if v.is_empty() {
            return None;
        }
        Some((
            v.to_string(),
            SettingSource::GoEnvFile(f.path.clone().unwrap_or_default(), line),
        ))
    }

    /// True on Windows Subsystem for Linux (`WSL_DISTRO_NAME` is set or
    /// `/proc/version` names Microsoft).
    pub(crate) fn is_wsl(&self) -> bool {
        if self.var("WSL_DISTRO_NAME").is_some() {
            return true;
        }
        read_text(&self.sys("/proc/version"))
            .is_some_and(|t| t.to_ascii_lowercase().contains("microsoft"))
    }

    /// `path` for messages: `~/.bashrc` under `$HOME`, else as is, with
    /// control characters escaped (see `gover_core::text`).
    pub(crate) fn show(&self, path: &Path) -> String {
        if let Some(h) = self.user_home() {
            if let Ok(rest) = path.strip_prefix(&h) {
                if rest.as_os_str().is_empty() {
                    return "~".into();
                }
                return format!("~/{}", untrusted_path(rest));
            }
        }
        untrusted_path(path).to_string()
    }

    /// Where the shell startup files are (`None` without an absolute HOME).
    pub(crate) fn dirs(&self) -> Option<Dirs> {
        Dirs::from_vars(|k| self.var(k).map(OsStr::to_os_string))
    }

    /// `config.toml`'s `auto_install` as the shim sees it (default on).
    pub(crate) fn auto_install(&self) -> bool {
        self.settings
            .as_ref()
            .map_or(true, |s| s.auto_install.value)
    }
}

/// Where a Go setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SettingSource {
    /// The process environment.
    Env,
    /// The `go env -w` file and the line.
    GoEnvFile(PathBuf, usize),
}

/// The largest file doctor reads.
const MAX_READ: u64 = 1 << 20;

/// Reads a small text file; `None` when it is missing, unreadable, huge,
/// or not a regular file (a FIFO or device is never opened for reading).
pub(crate) fn read_text(path: &Path) -> Option<String> {
    gover_core::fs::read_small_text(path, MAX_READ).ok()
}

/// True when `a` and `b` name the same directory: equal as written, or
/// equal after resolving symlinks.
pub(crate) fn same_dir(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let trim = |p: &Path| PathBuf::from(p.to_string_lossy().trim_end_matches('/'));
    if trim(a) == trim(b) {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod testenv {
    //! A constructed machine for unit tests: a temp dir holding HOME, a
    //! gover home, a project and a fake root for system files.

    use super::*;
    use std::fs;

    /// The settings with nothing configured.
    pub(crate) fn default_settings() -> Settings {
        Settings::defaults()
    }

    /// A machine inside a temp dir.
    pub(crate) struct Machine {
        _tmp: tempfile::TempDir,
        /// The temp dir.
        pub(crate) dir: PathBuf,
        /// The environment the checks see.
        pub(crate) env: DoctorEnv,
    }

    impl Machine {
        /// HOME=`dir/home`, GOVER_HOME=`dir/gover`, cwd=`dir/project`,
        /// root=`dir/root`, PATH=`dir/root/usr/bin:dir/root/bin` (never
        /// the host's, so a Go installed on the host changes nothing),
        /// SHELL=/bin/bash.
        pub(crate) fn new() -> Self {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().canonicalize().unwrap();
            for d in ["home", "gover", "project", "root/etc", "root/proc", "tmp"] {
                fs::create_dir_all(dir.join(d)).unwrap();
            }
            let mut vars = BTreeMap::new();
            for (k, v) in [
                ("HOME", dir.join("home").into_os_string()),
                ("GOVER_HOME", dir.join("gover").into_os_string()),
                (
                    "PATH",
                    std::env::join_paths([dir.join("root/usr/bin"), dir.join("root/bin")]).unwrap(),
                ),
                ("SHELL", "/bin/bash".into()),
                ("TMPDIR", dir.join("tmp").into_os_string()),
            ] {
                vars.insert(k.to_string(), v);
            }
            let env = DoctorEnv {
                root: dir.join("root"),
                vars,
                cwd: dir.join("project"),
                home: GoverHome::new(dir.join("gover")),
                config: Ok(Vec::new()),
                settings: Ok(default_settings()),
                gover_exe: None,
                shim_source: None,
                host: Platform {
                    os: "linux".into(),
                    arch: "amd64".into(),
                },
                command_timeout: Duration::from_secs(10),
                index_probe: IndexProbe::NotRequested,
                mirror_probes: Vec::new(),
                index_platforms: None,
                now: SystemTime::now(),
            };
            Self {
                _tmp: tmp,
                dir,
                env,
            }
        }

        /// Sets a variable.
        pub(crate) fn set(&mut self, k: &str, v: impl Into<OsString>) -> &mut Self {
            self.env.vars.insert(k.to_string(), v.into());
            self
        }

        /// Removes a variable.
        pub(crate) fn unset(&mut self, k: &str) -> &mut Self {
            self.env.vars.remove(k);
            self
        }

        /// `dir/rel`.
        pub(crate) fn path(&self, rel: &str) -> PathBuf {
            self.dir.join(rel)
        }

        /// Writes `dir/rel`, creating parents.
        pub(crate) fn write(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
            p
        }

        /// Writes an executable script `dir/rel`.
        pub(crate) fn script(&self, rel: &str, body: &str) -> PathBuf {
            use std::os::unix::fs::PermissionsExt;
            let p = self.write(rel, &format!("#!/bin/sh\n{body}\n"));
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
            p
        }

        /// A fake Go tree at `dir/rel` whose `bin/go version` reports
        /// `go<reports>` and whose VERSION says `go<version>`.
        pub(crate) fn fake_goroot(&self, rel: &str, version: &str, reports: &str) -> PathBuf {
            let root = self.dir.join(rel);
            self.write(&format!("{rel}/VERSION"), &format!("go{version}\ntime x\n"));
            self.script(
                &format!("{rel}/bin/go"),
                &format!(
                    "if [ \"$1\" = version ]; then echo \"go version go{reports} linux/amd64\"; exit 0; fi\nexit 3"
                ),
            );
            self.script(&format!("{rel}/bin/gofmt"), "exit 0");
            fs::create_dir_all(root.join("pkg/tool/linux_amd64")).unwrap();
            root
        }

        /// Installs a fake toolchain into the gover home.
        pub(crate) fn install(&self, version: &str) -> PathBuf {
            self.fake_goroot(&format!("gover/toolchains/go{version}"), version, version)
        }

        /// Prepends `dir/rel` to PATH.
        pub(crate) fn path_prepend(&mut self, dir: &Path) {
            let old = self.env.var("PATH").map(OsStr::to_os_string);
            let mut entries = vec![dir.to_path_buf()];
            if let Some(o) = old {
                entries.extend(std::env::split_paths(&o));
            }
            let joined = std::env::join_paths(entries).unwrap();
            self.set("PATH", joined);
        }
    }

    /// The findings with `id` (which must be a [`FindingId`]).
    #[track_caller]
    pub(crate) fn with_id<'a>(f: &'a [Finding], id: &str) -> Vec<&'a Finding> {
        let id = FindingId::parse(id).unwrap_or_else(|| panic!("`{id}` is no FindingId"));
        f.iter().filter(|x| x.id == id).collect()
    }

    /// Runs the check `C` on `m`.
    pub(crate) fn check<C: Check>(m: &Machine) -> Vec<Finding> {
        run::<C>(&m.env)
    }

    /// The one finding with `id`, asserting there is exactly one.
    #[track_caller]
    pub(crate) fn one<'a>(f: &'a [Finding], id: &str) -> &'a Finding {
        let v = with_id(f, id);
        assert_eq!(v.len(), 1, "expected one `{id}` finding in {f:#?}");
        v[0]
    }

    /// Asserts no finding is a warning or problem.
    #[track_caller]
    pub(crate) fn all_ok(f: &[Finding]) {
        let bad: Vec<_> = f.iter().filter(|x| x.severity != Severity::Ok).collect();
        assert!(bad.is_empty(), "expected only ok findings, got {bad:#?}");
    }
}
