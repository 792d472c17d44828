//! What gover knows of the `go` command's own command line, and of the
//! names its shim answers to.
//!
//! - `go -C dir` (and `go build -C dir`...) runs in `dir`, so the pin that
//!   matters is `dir`'s: [`chdir_arg`] finds the flag exactly where Go's
//!   `handleChdirFlag` looks, and [`pin_dir`] turns it into the directory
//!   to resolve for (see `docs/internals/go-rules.md`, "The go command's
//!   -C flag").
//! - The shim is one binary under several names: `go`, `gofmt`,
//!   `go<version>` and the names of linked toolchains ([`ShimName`]).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::text::escape;
use crate::version::GoVersion;

/// The directory of a leading `-C dir` / `-C=dir` / `--C dir` / `--C=dir`:
/// the first argument after the (sub)command name, exactly where Go's
/// `handleChdirFlag` looks.
pub fn chdir_arg(args: &[OsString]) -> Option<&OsStr> {
    const RUNNABLE: &[&str] = &[
        "bug",
        "build",
        "clean",
        "doc",
        "env",
        "fix",
        "fmt",
        "generate",
        "get",
        "install",
        "list",
        "run",
        "telemetry",
        "test",
        "tool",
        "version",
        "vet",
    ];
    const MOD: &[&str] = &[
        "download", "edit", "graph", "init", "tidy", "vendor", "verify", "why",
    ];
    const WORK: &[&str] = &["edit", "init", "sync", "use", "vendor"];
    let is = |i: usize, set: &[&str]| {
        args.get(i)
            .and_then(|a| a.to_str())
            .is_some_and(|a| set.contains(&a))
    };
    let mut used = 0;
    if is(0, RUNNABLE) {
        used = 1;
    } else if is(0, &["mod"]) {
        used = if is(1, MOD) { 2 } else { 1 };
    } else if is(0, &["work"]) {
        used = if is(1, WORK) { 2 } else { 1 };
    }
    let a = args.get(used)?;
    if a == "-C" || a == "--C" {
        return args.get(used + 1).map(OsString::as_os_str);
    }
    strip_os_prefix(a, "-C=").or_else(|| strip_os_prefix(a, "--C="))
}

/// `s` without the ASCII `prefix`, for any (even non-UTF-8) `s`.
fn strip_os_prefix<'a>(s: &'a OsStr, prefix: &str) -> Option<&'a OsStr> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        s.as_bytes()
            .strip_prefix(prefix.as_bytes())
            .map(OsStr::from_bytes)
    }
    #[cfg(not(unix))]
    {
        s.to_str()?.strip_prefix(prefix).map(OsStr::new)
    }
}

/// The directory whose pin decides for a `tool` run with `args`, given the
/// current directory (`Err` when it cannot be determined, such as after it
/// was deleted).
///
/// For `go` with `-C dir`, that is `dir` as Go resolves it (the physical
/// directory); an absolute `dir` needs no current directory at all. When
/// `dir` does not exist Go reports that itself, so the current directory's
/// pin is used. `Ok(None)`: the current directory is unknown and nothing
/// else names a directory; only `GOVER_GO_VERSION` can decide then.
pub fn pin_dir(
    tool: &str,
    args: &[OsString],
    cwd: io::Result<PathBuf>,
) -> io::Result<Option<PathBuf>> {
    let chdir = match tool {
        "go" => chdir_arg(args).map(Path::new),
        _ => None,
    };
    match (chdir, cwd) {
        (Some(c), cwd) if c.is_absolute() => Ok(std::fs::canonicalize(c).ok().or(cwd.ok())),
        (Some(c), Ok(cwd)) => Ok(Some(std::fs::canonicalize(cwd.join(c)).unwrap_or(cwd))),
        (_, cwd) => known_dir(cwd),
    }
}

/// The current directory as far as it is known: `Ok(None)` when it no
/// longer exists (deleted while a shell was in it).
pub fn known_dir(cwd: io::Result<PathBuf>) -> io::Result<Option<PathBuf>> {
    match cwd {
        Ok(d) => Ok(Some(d)),
        Err(e) if crate::fs::is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What the shim was started as (its file name, `.exe` stripped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShimName {
    /// `go` or `gofmt`: the version pinned for the directory.
    Tool(&'static str),
    /// `go<version>` (`go1.22.10`): exactly that version, as the
    /// golang.org/dl wrappers run it.
    Version(GoVersion),
    /// A custom toolchain's name (`go1.22.10-bigcorp`): the toolchain
    /// `gover link` registered under it.
    Custom(String),
}

/// A name the shim does not answer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShimNameError {
    /// The name, escaped for display.
    pub name: String,
    /// It is `gover-shim` itself.
    pub own_name: bool,
}

impl fmt::Display for ShimNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.own_name {
            f.write_str("gover-shim is gover's shim: it runs as `go`, `gofmt` or `go<version>` (such as `go1.22.10`), not by its own name")
        } else {
            write!(
                f,
                "gover's shim was started as `{}`; it only runs as `go`, `gofmt` or `go<version>` (such as `go1.22.10`)",
                self.name
            )
        }
    }
}

impl std::error::Error for ShimNameError {}

impl ShimNameError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        if self.own_name {
            "run `gover setup` to link the shims into $GOVER_HOME/shims and put them on PATH; use `gover exec VERSION -- CMD` to run a command with a given Go"
        } else {
            "run `gover setup` to recreate the shims in $GOVER_HOME/shims"
        }
    }
}

impl ShimName {
    /// Parses the name in `argv0` (a path or a bare name).
    pub fn parse(argv0: &OsStr) -> Result<Self, ShimNameError> {
        let file = Path::new(argv0).file_name().unwrap_or(argv0);
        let lossy = file.to_string_lossy();
        let name = strip_exe(&lossy);
        let err = |own_name| ShimNameError {
            name: escape(name).into_owned(),
            own_name,
        };
        if file.to_str().is_none() {
            return Err(err(false));
        }
        match name {
            "go" => return Ok(Self::Tool("go")),
            "gofmt" => return Ok(Self::Tool("gofmt")),
            "gover-shim" => return Err(err(true)),
            _ => {}
        }
        if crate::request::custom_toolchain(name).is_some() {
            return Ok(Self::Custom(name.to_string()));
        }
        match name.strip_prefix("go").and_then(GoVersion::parse) {
            Some(v) if !v.minor_is_implicit() && !v.is_lang() => Ok(Self::Version(v)),
            _ => Err(err(false)),
        }
    }

    /// The tool to run: `go` or `gofmt`.
    pub fn tool(&self) -> &'static str {
        match self {
            Self::Tool(t) => t,
            Self::Version(_) | Self::Custom(_) => "go",
        }
    }
}

fn strip_exe(name: &str) -> &str {
    match name.len().checked_sub(4) {
        Some(i) if name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case(".exe") => &name[..i],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(args: &[&str]) -> Option<String> {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        chdir_arg(&v).map(|s| s.to_string_lossy().into_owned())
    }

    #[test]
    fn chdir_flag_is_found_where_go_looks() {
        assert_eq!(c(&["build", "-C", "d"]).as_deref(), Some("d"));
        assert_eq!(c(&["build", "--C", "d"]).as_deref(), Some("d"));
        assert_eq!(c(&["build", "-C=d"]).as_deref(), Some("d"));
        assert_eq!(c(&["test", "--C=a=b"]).as_deref(), Some("a=b"));
        assert_eq!(c(&["-C", "d", "build"]).as_deref(), Some("d"));
        assert_eq!(c(&["mod", "tidy", "-C", "d"]).as_deref(), Some("d"));
        assert_eq!(c(&["mod", "-C", "d", "tidy"]).as_deref(), Some("d"));
        assert_eq!(c(&["work", "use", "-C", "d"]).as_deref(), Some("d"));
        assert_eq!(c(&["build", "-v", "-C", "d"]), None, "only the first flag");
        assert_eq!(c(&["build", "-C"]), None, "no value");
        assert_eq!(c(&["build", "./...", "-C", "d"]), None);
        assert_eq!(c(&["help", "-C", "d"]), None);
        assert_eq!(c(&[]), None);
    }

    #[test]
    fn pin_dir_needs_no_current_directory_for_an_absolute_chdir() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().canonicalize().unwrap();
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let gone = || Err(io::Error::from(io::ErrorKind::NotFound));
        let abs = real.to_str().unwrap();
        assert_eq!(
            pin_dir("go", &args(&["build", "-C", abs]), gone()).unwrap(),
            Some(real.clone())
        );
        assert_eq!(pin_dir("go", &args(&["build"]), gone()).unwrap(), None);
        assert_eq!(pin_dir("go", &args(&["-C", "rel"]), gone()).unwrap(), None);
        assert_eq!(
            pin_dir("gofmt", &args(&["-C", abs]), Ok(PathBuf::from("/x"))).unwrap(),
            Some(PathBuf::from("/x")),
            "gofmt has no -C"
        );
        std::fs::create_dir(real.join("sub")).unwrap();
        assert_eq!(
            pin_dir("go", &args(&["-C=sub"]), Ok(real.clone())).unwrap(),
            Some(real.join("sub"))
        );
        assert_eq!(
            pin_dir("go", &args(&["-C", "missing"]), Ok(real.clone())).unwrap(),
            Some(real.clone())
        );
        let denied = Err(io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(pin_dir("go", &args(&["build"]), denied).is_err());
    }

    #[test]
    fn names() {
        let p = |s: &str| ShimName::parse(OsStr::new(s));
        assert_eq!(p("go"), Ok(ShimName::Tool("go")));
        assert_eq!(p("/x/shims/gofmt"), Ok(ShimName::Tool("gofmt")));
        assert_eq!(p("go.exe"), Ok(ShimName::Tool("go")));
        match p("/s/go1.22.10") {
            Ok(ShimName::Version(v)) => assert_eq!(v.toolchain_name(), "go1.22.10"),
            other => panic!("go1.22.10: {other:?}"),
        }
        assert!(matches!(p("go1.20"), Ok(ShimName::Version(_))));
        assert!(matches!(p("go1.23rc1"), Ok(ShimName::Version(_))));
        assert_eq!(
            p("/s/go1.22.10-bigcorp"),
            Ok(ShimName::Custom("go1.22.10-bigcorp".into()))
        );
        for bad in [
            "go1.22",
            "go1",
            "gover-shim",
            "python",
            "go1.22.x",
            "go1.22.10-",
            "go1.22.10-a b",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
        let e = p("gover-shim").unwrap_err();
        assert!(e.to_string().contains("not by its own name"), "{e}");
        let e = p("go\u{1b}[2J").unwrap_err();
        assert!(e.to_string().contains("go\\u{1b}[2J"), "{e}");
    }
}
