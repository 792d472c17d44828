//! The environment a Go toolchain runs with, and where the `system` Go is.
//!
//! The shim, `gover exec` and `gover env` all start a toolchain the same way
//! (see `docs/internals/go-rules.md`, "GOROOT"):
//!
//! - `GOROOT` is set to the selected toolchain, overwriting any inherited
//!   value, so a stale `GOROOT=/usr/local/go` from a profile cannot mix one
//!   version's `go` with another's compiler;
//! - `<GOROOT>/bin` is prepended to `PATH`, so `go generate`, tests and
//!   scripts that call `go` or `gofmt` again run the same version;
//! - `GOTOOLCHAIN=local` unless the user set `GOTOOLCHAIN` themselves or the
//!   config says `gotoolchain = "inherit"`: no silent toolchain downloads
//!   behind gover's back;
//! - `GOTOOLCHAIN_INTERNAL_*`, `GOPATH` and `GOBIN` are left alone.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::env::{self, PATH};
use crate::fs::is_executable;
/// Re-exported: the identity of a file, to recognise the shim under any name.
pub use crate::fs::FileId;
use crate::home::{exe_name, GoverHome};

/// What gover does with `GOTOOLCHAIN` when the user has not set it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GoToolchainPolicy {
    /// Set `GOTOOLCHAIN=local` (the default): the selected toolchain runs,
    /// and Go never downloads another one behind gover's back.
    #[default]
    Local,
    /// Leave `GOTOOLCHAIN` as inherited (config `gotoolchain = "inherit"`).
    Inherit,
}

/// The variables to change in a toolchain's environment. Everything not
/// named here is inherited unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolEnv {
    /// The value for `GOROOT`; `None` removes it (a `system` Go whose root
    /// cannot be determined finds its own root from its location).
    pub goroot: Option<PathBuf>,
    /// The directory prepended to `PATH` (`<GOROOT>/bin`), when one was.
    pub bin_dir: Option<PathBuf>,
    /// The new `PATH`; `None` leaves `PATH` unchanged.
    pub path: Option<OsString>,
    /// The value for `GOTOOLCHAIN`, when gover sets it.
    pub gotoolchain: Option<&'static str>,
}

impl ToolEnv {
    /// The environment for the toolchain rooted at `goroot` (`None`: leave
    /// `PATH` alone and remove `GOROOT`), given the inherited `PATH` and
    /// `GOTOOLCHAIN`.
    pub fn new(
        goroot: Option<&Path>,
        inherited_path: Option<&OsStr>,
        inherited_gotoolchain: Option<&OsStr>,
        policy: GoToolchainPolicy,
    ) -> Self {
        let bin_dir = goroot.map(|g| g.join("bin"));
        let path = bin_dir
            .as_deref()
            .and_then(|b| prepend_path(b, inherited_path));
        let user_set = inherited_gotoolchain.is_some_and(|v| !v.is_empty());
        let gotoolchain = match policy {
            GoToolchainPolicy::Local if !user_set => Some("local"),
            _ => None,
        };
        Self {
            goroot: goroot.map(Path::to_path_buf),
            bin_dir,
            path,
            gotoolchain,
        }
    }

    /// Like [`ToolEnv::new`], reading `PATH` and `GOTOOLCHAIN` from this
    /// process's environment.
    pub fn from_process(goroot: Option<&Path>, policy: GoToolchainPolicy) -> Self {
        Self::new(
            goroot,
            std::env::var_os(PATH).as_deref(),
            std::env::var_os(env::GOTOOLCHAIN).as_deref(),
            policy,
        )
    }

    /// Every change as `(name, Some(value))` to set or `(name, None)` to
    /// remove, in a stable order: `GOROOT`, `PATH`, `GOTOOLCHAIN`.
    pub fn changes(&self) -> Vec<(&'static str, Option<&OsStr>)> {
        let mut out = Vec::with_capacity(3);
        out.push((env::GOROOT, self.goroot.as_deref().map(Path::as_os_str)));
        if let Some(p) = &self.path {
            out.push((PATH, Some(p.as_os_str())));
        }
        if let Some(t) = self.gotoolchain {
            out.push((env::GOTOOLCHAIN, Some(OsStr::new(t))));
        }
        out
    }

    /// Applies the changes to a command about to be started.
    pub fn apply(&self, cmd: &mut std::process::Command) {
        for (name, value) in self.changes() {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
    }
}

/// `dir` followed by `path`, unless `dir` is already its first entry
/// (nested runs do not grow `PATH`). `None` when `dir` cannot be put in a
/// `PATH` (it contains the separator) or is already first.
fn prepend_path(dir: &Path, path: Option<&OsStr>) -> Option<OsString> {
    let sep = if cfg!(windows) { ';' } else { ':' };
    let d = dir.as_os_str();
    if d.as_encoded_bytes().contains(&(sep as u8)) {
        return None;
    }
    let path = path.filter(|p| !p.is_empty());
    if let Some(p) = path {
        if std::env::split_paths(p).next().as_deref() == Some(dir) {
            return None;
        }
    }
    let mut out = OsString::with_capacity(d.len() + 1 + path.map_or(0, OsStr::len));
    out.push(d);
    if let Some(p) = path {
        out.push(if cfg!(windows) { ";" } else { ":" });
        out.push(p);
    }
    Some(out)
}

/// A Go tool found on `PATH` for the `system` pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemTool {
    /// The executable as found on `PATH` (not resolved).
    pub path: PathBuf,
    /// Its Go root, when the executable (after resolving symlinks) sits in
    /// `<root>/bin` of a complete Go tree (`<root>/pkg/tool` exists).
    pub goroot: Option<PathBuf>,
}

impl SystemTool {
    /// The release its Go tree names in its `VERSION` file (`go1.22.2`),
    /// when it has a tree with one: read, never run.
    pub fn version(&self) -> Option<String> {
        let root = self.goroot.as_ref()?;
        let text = crate::fs::read_small_text(&root.join("VERSION"), 4096).ok()?;
        let first = text.lines().next()?.trim();
        let plain = first.len() <= 64 && first.bytes().all(|b| b.is_ascii_graphic());
        (first.starts_with("go") && plain).then(|| first.to_string())
    }

    /// `/usr/bin/go (go1.22.2)`, or `/usr/bin/go (version unknown)`, for
    /// messages.
    pub fn describe(&self) -> String {
        format!(
            "{} ({})",
            crate::text::untrusted_path(&self.path),
            self.version()
                .unwrap_or_else(|| "version unknown".to_string())
        )
    }
}

/// Finds the first `tool` (`go`, `gofmt`) on `search_path` that is not
/// gover's: entries in `$GOVER_HOME/shims` or under `$GOVER_HOME/toolchains`,
/// relative entries and files that are the shim itself (`shim`, the
/// identity of the running shim binary, catches hard links elsewhere) are
/// skipped.
pub fn find_system_tool(
    tool: &str,
    search_path: &OsStr,
    home: &GoverHome,
    shim: Option<FileId>,
) -> Option<SystemTool> {
    let shims = home.shims_dir();
    let toolchains = home.toolchains_dir();
    let exe = exe_name(tool);
    for dir in std::env::split_paths(search_path) {
        if !dir.is_absolute() || dir == shims || dir.starts_with(&toolchains) {
            continue;
        }
        let candidate = dir.join(&exe);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() || !is_executable(&meta) {
            continue;
        }
        if shim.is_some() && FileId::of_meta(&meta) == shim {
            continue;
        }
        let goroot = goroot_of(&candidate);
        return Some(SystemTool {
            path: candidate,
            goroot,
        });
    }
    None
}

/// The Go root of an executable in `<root>/bin`, found the way the `go`
/// command finds its own (see `docs/internals/go-rules.md`, "GOROOT"): the path as given, then
/// with symlinks resolved; a root must contain `pkg/tool`.
pub fn goroot_of(exe: &Path) -> Option<PathBuf> {
    let is_root = |exe: &Path| -> Option<PathBuf> {
        let root = exe.parent()?.parent()?;
        root.join("pkg")
            .join("tool")
            .is_dir()
            .then(|| root.to_path_buf())
    };
    is_root(exe).or_else(|| is_root(&std::fs::canonicalize(exe).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn sets_goroot_path_and_gotoolchain() {
        let e = ToolEnv::new(
            Some(Path::new("/h/toolchains/go1.22.10")),
            os("/usr/bin:/bin"),
            None,
            GoToolchainPolicy::Local,
        );
        assert_eq!(
            e.changes(),
            [
                ("GOROOT", os("/h/toolchains/go1.22.10")),
                ("PATH", os("/h/toolchains/go1.22.10/bin:/usr/bin:/bin")),
                ("GOTOOLCHAIN", os("local")),
            ]
        );
    }

    #[test]
    fn respects_user_gotoolchain_and_inherit() {
        let root = Some(Path::new("/g"));
        let e = ToolEnv::new(root, os("/bin"), os("go1.23.0"), GoToolchainPolicy::Local);
        assert_eq!(e.gotoolchain, None);
        let e = ToolEnv::new(root, os("/bin"), os(""), GoToolchainPolicy::Local);
        assert_eq!(e.gotoolchain, Some("local"), "empty counts as unset");
        let e = ToolEnv::new(root, os("/bin"), None, GoToolchainPolicy::Inherit);
        assert_eq!(e.gotoolchain, None);
    }

    #[test]
    fn path_is_not_grown_by_nested_runs() {
        let e = ToolEnv::new(
            Some(Path::new("/g")),
            os("/g/bin:/bin"),
            None,
            GoToolchainPolicy::Local,
        );
        assert_eq!(e.path, None);
        let e = ToolEnv::new(Some(Path::new("/g")), None, None, GoToolchainPolicy::Local);
        assert_eq!(e.path.as_deref(), os("/g/bin"));
        let e = ToolEnv::new(
            Some(Path::new("/a:b")),
            os("/bin"),
            None,
            Default::default(),
        );
        assert_eq!(e.path, None, "a root with ':' cannot go on PATH");
    }

    #[test]
    fn no_goroot_removes_it() {
        let e = ToolEnv::new(None, os("/bin"), None, GoToolchainPolicy::Local);
        assert_eq!(
            e.changes(),
            [("GOROOT", None), ("GOTOOLCHAIN", os("local"))]
        );
    }

    #[cfg(unix)]
    #[test]
    fn system_lookup_skips_gover_and_the_shim() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        let home = GoverHome::new(root.join("home"));
        let exe = |p: &Path| {
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "#!/bin/sh\n").unwrap();
            fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
        };
        let shim = home.shims_dir().join("go");
        exe(&shim);
        let tc = home.toolchains_dir().join("go1.22.10/bin/go");
        exe(&tc);
        let linked = root.join("linked/go");
        fs::create_dir_all(linked.parent().unwrap()).unwrap();
        fs::hard_link(&shim, &linked).unwrap();
        let noexec = root.join("noexec/go");
        exe(&noexec);
        fs::set_permissions(&noexec, fs::Permissions::from_mode(0o644)).unwrap();
        let real = root.join("sys/lib/go-1.21/bin/go");
        exe(&real);
        fs::create_dir_all(root.join("sys/lib/go-1.21/pkg/tool")).unwrap();
        fs::create_dir_all(root.join("sys/bin")).unwrap();
        std::os::unix::fs::symlink(&real, root.join("sys/bin/go")).unwrap();

        let path = std::env::join_paths([
            PathBuf::from("relative"),
            home.shims_dir(),
            tc.parent().unwrap().to_path_buf(),
            root.join("linked"),
            root.join("noexec"),
            root.join("empty"),
            root.join("sys/bin"),
        ])
        .unwrap();
        let found = find_system_tool("go", &path, &home, FileId::of(&shim)).unwrap();
        assert_eq!(found.path, root.join("sys/bin/go"));
        assert_eq!(found.goroot, Some(root.join("sys/lib/go-1.21")));
        assert!(find_system_tool("gofmt", &path, &home, FileId::of(&shim)).is_none());
        // Without the shim's identity a hard link elsewhere is found.
        let found = find_system_tool("go", &path, &home, None).unwrap();
        assert_eq!(found.path, root.join("linked/go"));
        assert_eq!(found.goroot, None);
    }
}
