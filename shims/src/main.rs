//! The gover shim: `go`, `gofmt` and `go<version>` in `$GOVER_HOME/shims`
//! are links to this one binary. It maps its name to a mode
//! (`gover_core::gocmd::ShimName`), selects the toolchain
//! (`gover_core::select`: the pin for the directory, or for `go -C dir`'s
//! `dir`; exactly `<version>` for `go<version>`), and execs the tool with
//! the environment `gover_core::toolenv` describes. A pinned version that
//! is not installed is installed first by running `gover install`, unless
//! automatic installs are turned off.
//!
//! This runs on every `go` command, so it links only std and `gover-core`:
//! no index, no network, no settings read unless one is needed (and no
//! config file parsed unless one exists), no directory scans beyond
//! `toolchains/`.

#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
#[cfg(any(not(target_os = "linux"), test))]
use std::process::ExitCode;
use std::process::{Command, Stdio};

use gover_core::fs::{beside_current_exe, FileId};
use gover_core::gocmd::{pin_dir, ShimName};
use gover_core::home::exe_name;
use gover_core::resolve::logical_cwd;
use gover_core::select::{context_for, select, InstallHook, Missing, SelectError, Want};
use gover_core::settings::{Layers, OnDemand, Origin, Setting, SettingError, UnknownKey};
use gover_core::text::untrusted_path;
use gover_core::toolenv::{GoToolchainPolicy, ToolEnv};
use gover_core::{env, GoverHome, VersionRequest};

/// A shim that finds itself this many levels deep stops: it is looping.
const MAX_DEPTH: u32 = 5;

/// Why the shim stops (exit status 1): `gover: error: ...` and a hint, or,
/// with an empty message, a failure `gover install` has already reported.
struct ShimError {
    message: String,
    hint: Option<String>,
}

impl ShimError {
    fn new(message: impl fmt::Display, hint: Option<String>) -> Self {
        let message = message.to_string();
        Self { message, hint }
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

impl From<SelectError<ShimError>> for ShimError {
    fn from(e: SelectError<ShimError>) -> Self {
        match e {
            SelectError::Hook(e) => e,
            SelectError::Resolve(e) => {
                for w in e.warnings() {
                    let _ = writeln!(io::stderr().lock(), "gover: warning: {w}");
                }
                let hint = e.hint();
                Self::new(e, hint)
            }
            e => Self::new(&e, e.hint()),
        }
    }
}

type Result<T> = std::result::Result<T, ShimError>;
type SettingResult<T> = std::result::Result<Setting<T>, SettingError>;

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
            if !e.message.is_empty() {
                let _ = writeln!(io::stderr().lock(), "{e}");
            }
            1
        }
    }
}

/// When Go's own toolchain switching runs a `go1.X.Y` it found on PATH, it
/// keeps `argv[0]` as `go` and sets `GOTOOLCHAIN_INTERNAL_SWITCH_VERSION`
/// (see docs/internals/go-rules.md, "GOTOOLCHAIN"): then the version is in
/// the name of the file that was executed, not in `argv[0]`.
fn switched_to_version() -> Option<ShimName> {
    std::env::var_os(env::GOTOOLCHAIN_INTERNAL_SWITCH_VERSION)?;
    let exe = std::env::current_exe().ok()?;
    ShimName::parse(exe.as_os_str())
        .ok()
        .filter(|n| matches!(n, ShimName::Version(_) | ShimName::Custom(_)))
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
        ), Some("a `go` on PATH (used for the `system` pin) or in a toolchain directory is itself a gover shim or a script that calls one; `gover which go` shows what the shim runs".into())));
    }
    let name = match switched_to_version() {
        Some(n) => n,
        None => ShimName::parse(argv0).map_err(|e| ShimError::new(&e, Some(e.hint().into())))?,
    };
    let home = GoverHome::from_env().map_err(|e| ShimError::new(e, None))?;
    let tool = name.tool();
    let ctx;
    let want = match &name {
        ShimName::Tool(_) => {
            let dir = pin_dir(tool, args, logical_cwd());
            ctx = context_for::<ShimError>(&home, dir)?;
            Want::Pinned(&ctx)
        }
        ShimName::Version(v) => Want::Named {
            request: VersionRequest::Exact(v.clone()),
            reason: format!("run as `{}`", v.toolchain_name()),
        },
        ShimName::Custom(n) => Want::Named {
            request: VersionRequest::Custom(n.clone()),
            reason: format!("run as `{n}`"),
        },
    };
    let mut settings = Settings(OnDemand::new(&home));
    let me = || std::env::current_exe().ok().and_then(|e| FileId::of(&e));
    let sel = select(&home, &want, tool, &me, Some(&mut settings))?;
    for w in sel.resolution.iter().flat_map(|r| &r.warnings) {
        let _ = writeln!(io::stderr().lock(), "gover: warning: {w}");
    }
    let policy = if std::env::var_os(env::GOTOOLCHAIN).is_some_and(|v| !v.is_empty()) {
        GoToolchainPolicy::Local
    } else {
        settings.get(Layers::gotoolchain)?.value
    };
    let tool_env = ToolEnv::from_process(sel.goroot(), policy);
    exec(&sel.exe, tool, args, &tool_env, depth + 1)
}

/// The settings, read only when one is needed (see `OnDemand`).
struct Settings<'h>(OnDemand<'h>);

impl Settings<'_> {
    fn get<T>(
        &mut self,
        f: impl FnOnce(&Layers<'static>) -> SettingResult<T>,
    ) -> Result<Setting<T>> {
        let warn = |k: &UnknownKey| {
            let _ = writeln!(io::stderr().lock(), "gover: warning: {k}; the shim ignores it, and gover commands refuse to run until it is fixed");
        };
        self.0
            .get(f, warn)
            .map_err(|e| ShimError::new(&e, Some(e.hint())))
    }
}

impl InstallHook for Settings<'_> {
    type Error = ShimError;

    fn turned_off(&mut self) -> Result<Option<Origin>> {
        let on = self.get(Layers::auto_install)?;
        Ok((!on.value).then_some(on.origin))
    }

    /// Runs `gover install REQUEST`, its output on stderr prefixed with
    /// `gover: `. A failure it reported is not reported again.
    fn install(&mut self, m: &Missing<'_>) -> Result<()> {
        let request = m.request.to_string();
        let not_installed = format!("{} is not installed ({})", m.name, m.reason);
        let gover = find_gover().ok_or_else(|| ShimError::new(
            format!("{not_installed}, and the `gover` executable to install it was found neither beside the shim nor on PATH"),
            Some(format!("put gover on PATH, then run `gover setup` and `gover install {request}`")),
        ))?;
        let _ = writeln!(
            io::stderr().lock(),
            "gover: {not_installed}; installing it (set {}=0 to turn this off)",
            env::GOVER_AUTO_INSTALL
        );
        let mut cmd = Command::new(&gover);
        cmd.arg("install");
        if m.go_line {
            cmd.arg("--go-line");
        }
        cmd.arg(&request).env_remove(env::GOVER_SHIM_DEPTH);
        let (status, reported) = run_prefixed(&mut cmd).map_err(|e| {
            ShimError::new(
                format!("cannot run {}: {e}", untrusted_path(&gover)),
                Some(format!("run `gover install {request}`")),
            )
        })?;
        if status.success() {
            return Ok(());
        }
        let mut e = ShimError::new(
            format!(
                "`gover install {request}` failed ({status}); {} is not installed",
                m.name
            ),
            None,
        );
        if reported {
            e.message.clear();
        }
        Err(e)
    }
}

/// Runs `cmd` with its stdout and stderr copied to this process's stderr,
/// each line prefixed with `gover: ` (blank lines stay blank). Also says
/// whether it reported an error (a line starting with `error:`).
fn run_prefixed(cmd: &mut Command) -> io::Result<(std::process::ExitStatus, bool)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let out = child.stdout.take();
    let errs = child.stderr.take();
    let copier = std::thread::spawn(move || errs.is_some_and(copy_prefixed));
    let out_error = out.is_some_and(copy_prefixed);
    let err_error = copier.join().unwrap_or(false);
    Ok((child.wait()?, out_error || err_error))
}

/// Copies lines to stderr with the prefix; true when one was an error.
fn copy_prefixed(r: impl io::Read) -> bool {
    let mut r = io::BufReader::new(r);
    let mut line = Vec::new();
    let mut error = false;
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return error,
            Ok(_) => {
                error |= line.starts_with(b"error:");
                let mut e = io::stderr().lock();
                if line != b"\n" {
                    let _ = e.write_all(b"gover: ");
                }
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
    beside_current_exe(&name).or_else(|| {
        std::env::split_paths(&std::env::var_os(env::PATH)?)
            .filter(|d| d.is_absolute())
            .map(|d| d.join(&name))
            .find(|p| p.is_file())
    })
}

fn exec(exe: &Path, tool: &str, args: &[OsString], tool_env: &ToolEnv, depth: u32) -> Result<i32> {
    let mut cmd = Command::new(exe);
    cmd.args(args);
    tool_env.apply(&mut cmd);
    cmd.env(env::GOVER_SHIM_DEPTH, depth.to_string());
    let cannot_run = |e: io::Error| {
        let hint = (e.kind() == io::ErrorKind::NotFound).then(|| "the toolchain is incomplete; reinstall it with `gover install --force VERSION` (`gover which` names the version)".to_string());
        ShimError::new(format!("cannot run {}: {e}", untrusted_path(exe)), hint)
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
