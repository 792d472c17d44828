//! The gover shim: `go`, `gofmt` and `go<version>` in `$GOVER_HOME/shims`
//! are links to this one binary, which dispatches on the name it was run
//! by (`argv[0]`, `.exe` stripped):
//!
//! - `go` and `gofmt` resolve the Go pinned for the current directory (or
//!   for the `-C dir` of `go build -C dir`, as Go itself does) and exec
//!   `<GOROOT>/bin/<tool>` of that toolchain;
//! - `go1.22.10` (any `go<version>`) always runs exactly that version, like
//!   the golang.org/dl wrappers, so Go's own toolchain switching finds
//!   gover's installs on `PATH`.
//!
//! The environment is set as `gover_core::toolenv` describes (GOROOT,
//! PATH, GOTOOLCHAIN). A pinned version that is not installed is installed
//! by running `gover install` first, unless `GOVER_AUTO_INSTALL=0` or
//! `auto_install = false` in `config.toml`.
//!
//! This runs on every `go` command, so it links only std and
//! `gover-core`: no index, no network, no config parsing unless a config
//! file exists, no directory scans beyond `toolchains/`.

#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
#[cfg(any(not(target_os = "linux"), test))]
use std::process::ExitCode;
use std::process::{Command, Stdio};

use gover_core::config::Config;
use gover_core::home::exe_name;
use gover_core::resolve::{logical_cwd, resolve, ResolveContext};
use gover_core::toolenv::{find_system_tool, FileId, GoToolchainPolicy, ToolEnv, PATH};
use gover_core::{env, GoVersion, GoverHome, Resolution, VersionRequest};

/// A shim that finds itself this many levels deep stops: it is looping.
const MAX_DEPTH: u32 = 5;

/// What the shim prints before failing: `gover: error: ...` and a hint.
struct ShimError {
    message: String,
    hint: Option<String>,
}

impl ShimError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ShimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gover: error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n\ngover: hint: {h}")?;
        }
        Ok(())
    }
}

type Result<T> = std::result::Result<T, ShimError>;

// On Linux the shim skips std's runtime set-up (`no_main`): nothing it does
// needs the main-thread stack guard (which costs a read of
// /proc/self/maps), the SIGPIPE override or the stdio checks, and this is
// on every `go` command. glibc still hands std the arguments.
#[cfg(all(target_os = "linux", not(test)))]
#[no_mangle]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    shim_main()
}

#[cfg(any(not(target_os = "linux"), test))]
fn main() -> ExitCode {
    ExitCode::from(shim_main() as u8)
}

fn shim_main() -> i32 {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let args: Vec<OsString> = args.collect();
    match run(&argv0, &args) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io::stderr().lock(), "{e}");
            1
        }
    }
}

/// How the shim was invoked.
enum Mode {
    /// `go` or `gofmt`: the pinned version.
    Pinned(&'static str),
    /// `go<version>`: exactly that version.
    Version(GoVersion),
}

fn mode_from_name(argv0: &OsStr) -> Result<Mode> {
    let file = Path::new(argv0).file_name().unwrap_or(argv0);
    let name = file.to_str().ok_or_else(|| {
        ShimError::new(format!(
            "gover's shim was started as `{}`, which is not a name it answers to",
            file.to_string_lossy()
        ))
    })?;
    let name = strip_exe(name);
    match name {
        "go" => return Ok(Mode::Pinned("go")),
        "gofmt" => return Ok(Mode::Pinned("gofmt")),
        "gover-shim" => {
            return Err(ShimError::new(
                "gover-shim is gover's shim: it runs as `go`, `gofmt` or `go<version>` (such as `go1.22.10`), not by its own name",
            )
            .hint("run `gover setup` to link the shims into $GOVER_HOME/shims and put them on PATH; use `gover exec VERSION -- CMD` to run a command with a given Go"));
        }
        _ => {}
    }
    if let Some(v) = name.strip_prefix("go").and_then(GoVersion::parse) {
        if !v.minor_is_implicit() && !v.is_lang() {
            return Ok(Mode::Version(v));
        }
    }
    Err(ShimError::new(format!(
        "gover's shim was started as `{name}`; it only runs as `go`, `gofmt` or `go<version>` (such as `go1.22.10`)"
    ))
    .hint("run `gover setup` to recreate the shims in $GOVER_HOME/shims"))
}

/// When Go's own toolchain switching (`GOTOOLCHAIN=auto`/`path`) runs a
/// `go1.X.Y` it found on PATH, it keeps `argv[0]` as `go` and sets
/// `GOTOOLCHAIN_INTERNAL_SWITCH_VERSION` (go-versions.md §4.7): then the
/// version is in the name of the file that was executed, not in `argv[0]`.
fn switched_to_version() -> Option<Mode> {
    std::env::var_os("GOTOOLCHAIN_INTERNAL_SWITCH_VERSION")?;
    let exe = std::env::current_exe().ok()?;
    match mode_from_name(exe.as_os_str()) {
        Ok(m @ Mode::Version(_)) => Some(m),
        _ => None,
    }
}

fn strip_exe(name: &str) -> &str {
    match name.len().checked_sub(4) {
        Some(i) if name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case(".exe") => &name[..i],
        _ => name,
    }
}

fn run(argv0: &OsStr, args: &[OsString]) -> Result<i32> {
    let depth = std::env::var(env::GOVER_SHIM_DEPTH)
        .ok()
        .and_then(|d| d.trim().parse::<u32>().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        return Err(ShimError::new(format!(
            "shim loop: gover's shim has started itself {depth} times in a row without reaching a real Go ({}={depth})",
            env::GOVER_SHIM_DEPTH
        ))
        .hint("a `go` on PATH (used for the `system` pin) or in a toolchain directory is itself a gover shim or a script that calls one; `gover which go` shows what the shim runs"));
    }
    let mode = switched_to_version().map_or_else(|| mode_from_name(argv0), Ok)?;
    let home = GoverHome::from_env().map_err(|e| ShimError::new(e.to_string()))?;
    let mut settings = Settings::new(&home);

    let target = match &mode {
        Mode::Pinned(tool) => pinned(&home, tool, args, &mut settings)?,
        Mode::Version(v) => exact(&home, v, &mut settings)?,
    };
    let policy = if user_set_gotoolchain() {
        GoToolchainPolicy::Local
    } else {
        settings.gotoolchain()?
    };
    let tool_env = ToolEnv::from_process(target.goroot.as_deref(), policy);
    exec(&target.exe, target.tool, args, &tool_env, depth + 1)
}

/// The real executable to run, and its Go root.
struct Target {
    tool: &'static str,
    exe: PathBuf,
    goroot: Option<PathBuf>,
}

fn pinned(
    home: &GoverHome,
    tool: &'static str,
    args: &[OsString],
    settings: &mut Settings,
) -> Result<Target> {
    let cwd = logical_cwd()
        .map_err(|e| ShimError::new(format!("cannot determine the current directory: {e}")))?;
    let dir = match (tool, chdir_arg(args)) {
        // Go resolves -C to the physical directory; if it does not exist, Go
        // reports that itself, so the pin here is the current directory's.
        ("go", Some(c)) => std::fs::canonicalize(cwd.join(c)).unwrap_or(cwd),
        _ => cwd,
    };
    let ctx = ResolveContext::from_process(home.clone(), dir);
    let res = resolve(&ctx).map_err(|e| {
        let hint = e.hint();
        let mut err = ShimError::new(e.to_string());
        err.hint = hint;
        err
    })?;
    if res.request == VersionRequest::System {
        return system(home, tool, &res);
    }
    if let Some(goroot) = res.goroot(home) {
        return Ok(Target {
            tool,
            exe: goroot.join("bin").join(exe_name(tool)),
            goroot: Some(goroot),
        });
    }
    let name = res.display_name();
    let reason = res.source.to_string();
    install_missing(settings, &res.request.to_string(), &name, &reason)?;
    let res = resolve(&ctx).map_err(|e| ShimError::new(e.to_string()))?;
    match res.goroot(home) {
        Some(goroot) => Ok(Target {
            tool,
            exe: goroot.join("bin").join(exe_name(tool)),
            goroot: Some(goroot),
        }),
        None => Err(still_missing(home, &name)),
    }
}

fn exact(home: &GoverHome, v: &GoVersion, settings: &mut Settings) -> Result<Target> {
    let found = match home.find_installed(v) {
        Some(found) => found,
        None => {
            let name = v.toolchain_name();
            install_missing(settings, v.as_str(), &name, &format!("run as `{name}`"))?;
            home.find_installed(v)
                .ok_or_else(|| still_missing(home, &name))?
        }
    };
    let goroot = home.toolchain_dir(&found);
    Ok(Target {
        tool: "go",
        exe: goroot.join("bin").join(exe_name("go")),
        goroot: Some(goroot),
    })
}

fn still_missing(home: &GoverHome, name: &str) -> ShimError {
    ShimError::new(format!(
        "`gover install` succeeded but {name} is still not in {}",
        home.toolchains_dir().display()
    ))
    .hint("run `gover list` to see what is installed and `gover doctor` to check gover's home")
}

fn system(home: &GoverHome, tool: &'static str, res: &Resolution) -> Result<Target> {
    let path = std::env::var_os(PATH).unwrap_or_default();
    let me = std::env::current_exe()
        .ok()
        .and_then(|exe| FileId::of(&exe));
    match find_system_tool(tool, &path, home, me) {
        Some(found) => Ok(Target {
            tool,
            exe: found.path,
            goroot: found.goroot,
        }),
        None => Err(ShimError::new(format!(
            "`system` Go is pinned ({}) but no `{tool}` other than gover's shims is on PATH",
            res.source
        ))
        .hint("install Go with your system's package manager, or pin a version gover manages: `gover use 1.22`")),
    }
}

/// The directory of a leading `-C dir` / `-C=dir` / `--C dir` / `--C=dir`:
/// the first argument after the (sub)command name, exactly where Go's
/// `handleChdirFlag` looks (go-versions.md §4.4).
fn chdir_arg(args: &[OsString]) -> Option<&OsStr> {
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

fn user_set_gotoolchain() -> bool {
    std::env::var_os(env::GOTOOLCHAIN).is_some_and(|v| !v.is_empty())
}

/// `config.toml`, read at most once and only when a setting is needed.
struct Settings<'a> {
    home: &'a GoverHome,
    config: Option<Config>,
}

impl<'a> Settings<'a> {
    fn new(home: &'a GoverHome) -> Self {
        Self { home, config: None }
    }

    fn config(&mut self) -> Result<&Config> {
        if self.config.is_none() {
            let c = Config::load(&self.home.config_file()).map_err(|e| {
                ShimError::new(e.to_string())
                    .hint("fix the file; `gover doctor` lists the keys gover understands")
            })?;
            self.config = Some(c);
        }
        Ok(self.config.as_ref().expect("loaded above"))
    }

    fn gotoolchain(&mut self) -> Result<GoToolchainPolicy> {
        let cfg = self.config()?;
        GoToolchainPolicy::from_config(cfg).map_err(|e| {
            ShimError::new(e.to_string()).hint("set `gotoolchain = \"local\"` or `\"inherit\"`")
        })
    }

    /// `GOVER_AUTO_INSTALL` (wins), else `auto_install`, else on.
    fn auto_install(&mut self) -> Result<bool> {
        if let Some(v) = std::env::var_os(env::GOVER_AUTO_INSTALL).filter(|v| !v.is_empty()) {
            return match v.to_str() {
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                _ => Err(ShimError::new(format!(
                    "{}={} is not a boolean; use 1 or 0",
                    env::GOVER_AUTO_INSTALL,
                    v.to_string_lossy()
                ))),
            };
        }
        let cfg = self.config()?;
        cfg.bool("auto_install")
            .map(|b| b.unwrap_or(true))
            .map_err(|e| ShimError::new(e.to_string()))
    }
}

/// Installs `request` by running `gover install`, or explains how to.
fn install_missing(settings: &mut Settings, request: &str, name: &str, reason: &str) -> Result<()> {
    let not_installed = format!("{name} is not installed ({reason})");
    let fix = format!("run `gover install {request}`");
    if !settings.auto_install()? {
        return Err(ShimError::new(not_installed).hint(format!(
            "{fix} (automatic installs are off: {}=0 or `auto_install = false` in {})",
            env::GOVER_AUTO_INSTALL,
            settings.home.config_file().display()
        )));
    }
    let gover = find_gover().ok_or_else(|| {
        ShimError::new(format!(
            "{not_installed}, and the `gover` executable to install it was found neither beside the shim nor on PATH"
        ))
        .hint("put gover on PATH, then run `gover setup` and `gover install ".to_string() + request + "`")
    })?;
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "gover: {not_installed}; installing it (set {}=0 to turn this off)",
        env::GOVER_AUTO_INSTALL
    );
    drop(err);
    let status = run_prefixed(
        Command::new(&gover)
            .arg("install")
            .arg(request)
            .env_remove(env::GOVER_SHIM_DEPTH),
    )
    .map_err(|e| {
        ShimError::new(format!("cannot run {}: {e}", gover.display())).hint(fix.clone())
    })?;
    if !status.success() {
        return Err(ShimError::new(format!(
            "`gover install {request}` failed ({status}); {name} is not installed"
        ))
        .hint(format!("fix the problem above, then {fix}")));
    }
    Ok(())
}

/// Runs `cmd` with its stdout and stderr copied to this process's stderr,
/// each line prefixed with `gover: `.
fn run_prefixed(cmd: &mut Command) -> io::Result<std::process::ExitStatus> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let out = child.stdout.take();
    let errs = child.stderr.take();
    let copier = std::thread::spawn(move || {
        if let Some(e) = errs {
            copy_prefixed(e);
        }
    });
    if let Some(o) = out {
        copy_prefixed(o);
    }
    let _ = copier.join();
    child.wait()
}

fn copy_prefixed(r: impl io::Read) {
    let mut r = io::BufReader::new(r);
    let mut line = Vec::new();
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let mut e = io::stderr().lock();
                let _ = e.write_all(b"gover: ");
                let _ = e.write_all(&line);
                if !line.ends_with(b"\n") {
                    let _ = e.write_all(b"\n");
                }
            }
        }
    }
}

/// The `gover` executable: beside the shim (as installed, or after
/// resolving symlinks), else the first on PATH.
fn find_gover() -> Option<PathBuf> {
    let name = exe_name("gover");
    if let Ok(exe) = std::env::current_exe() {
        let beside = exe.with_file_name(&name);
        if beside.is_file() {
            return Some(beside);
        }
        if let Ok(real) = std::fs::canonicalize(&exe) {
            let beside = real.with_file_name(&name);
            if beside.is_file() {
                return Some(beside);
            }
        }
    }
    let path = std::env::var_os(PATH)?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(&name))
        .find(|p| p.is_file())
}

fn exec(exe: &Path, tool: &str, args: &[OsString], tool_env: &ToolEnv, depth: u32) -> Result<i32> {
    let mut cmd = Command::new(exe);
    cmd.args(args);
    tool_env.apply(&mut cmd);
    cmd.env(env::GOVER_SHIM_DEPTH, depth.to_string());
    let cannot_run = |e: io::Error| {
        let err = ShimError::new(format!("cannot run {}: {e}", exe.display()));
        if e.kind() == io::ErrorKind::NotFound {
            err.hint("the toolchain is incomplete; reinstall it with `gover install --force VERSION` (`gover which` names the version)")
        } else {
            err
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.arg0(tool);
        // `exec` only returns on failure.
        Err(cannot_run(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let _ = tool;
        let status = cmd.status().map_err(cannot_run)?;
        Ok(status.code().unwrap_or(1))
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
    fn names() {
        assert!(matches!(
            mode_from_name(OsStr::new("go")),
            Ok(Mode::Pinned("go"))
        ));
        assert!(matches!(
            mode_from_name(OsStr::new("/x/shims/gofmt")),
            Ok(Mode::Pinned("gofmt"))
        ));
        assert!(matches!(
            mode_from_name(OsStr::new("go.exe")),
            Ok(Mode::Pinned("go"))
        ));
        match mode_from_name(OsStr::new("/s/go1.22.10")) {
            Ok(Mode::Version(v)) => assert_eq!(v.toolchain_name(), "go1.22.10"),
            _ => panic!("go1.22.10"),
        }
        assert!(matches!(
            mode_from_name(OsStr::new("go1.20")),
            Ok(Mode::Version(_))
        ));
        assert!(matches!(
            mode_from_name(OsStr::new("go1.23rc1")),
            Ok(Mode::Version(_))
        ));
        for bad in ["go1.22", "go1", "gover-shim", "python", "go1.22.x"] {
            let e = mode_from_name(OsStr::new(bad)).err().expect(bad);
            assert!(e.to_string().starts_with("gover: error: "), "{e}");
        }
        let e = mode_from_name(OsStr::new("gover-shim")).err().unwrap();
        assert!(e.to_string().contains("not by its own name"), "{e}");
    }
}
