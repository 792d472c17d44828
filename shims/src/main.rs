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
use std::io::{self, Write};
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

/// Why the shim stops (exit status `code`, usually 1): `gover: error: ...`
/// and a hint, or, with an empty message, a failure `gover install` has
/// already reported.
struct ShimError {
    message: String,
    hint: Option<String>,
    code: i32,
}

impl ShimError {
    fn new(message: impl fmt::Display, hint: Option<String>) -> Self {
        let message = message.to_string();
        Self {
            message,
            hint,
            code: 1,
        }
    }

    /// A failure already reported (by `gover install`): exits `code`.
    fn reported(code: i32) -> Self {
        Self {
            message: String::new(),
            hint: None,
            code,
        }
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
            e.code
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

    /// Runs `gover install REQUEST` with this process's stderr (so a
    /// terminal gets its progress bar) and its stdout sent there too;
    /// `GOVER_SHIM_INSTALL=1` makes it start each line with `gover: `. A
    /// failure it reported (exit 1 or 2) or an interruption is not
    /// reported again.
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
        cmd.arg(&request)
            .env_remove(env::GOVER_SHIM_DEPTH)
            .env(env::GOVER_SHIM_INSTALL, "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(io::stderr()));
        let status = signals::run_forwarding(&mut cmd).map_err(|e| {
            ShimError::new(
                format!("cannot run {}: {e}", untrusted_path(&gover)),
                Some(format!("run `gover install {request}`")),
            )
        })?;
        match status.code() {
            Some(0) => Ok(()),
            // gover's own error block was printed.
            Some(c @ (1 | 2)) => Err(ShimError::reported(c)),
            // Interrupted: gover said so; end as the signal would.
            Some(c @ (130 | 143)) => signals::die_by(c - 128),
            _ => match signals::stopped_by(&status) {
                Some(sig) => signals::die_by(sig),
                None => Err(ShimError::new(
                    format!(
                        "`gover install {request}` failed ({status}); {} is not installed",
                        m.name
                    ),
                    Some(format!("run `gover install {request}` to see why")),
                )),
            },
        }
    }
}

/// Running `gover install` so that Ctrl-C or a `kill` of the shim reaches
/// it: while it runs, SIGINT and SIGTERM sent to the shim are passed on
/// to it, and the shim waits for it to clean up and say so. The handler
/// is reset by the `exec` of the toolchain that follows.
#[cfg(unix)]
mod signals {
    use std::io;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, ExitStatus};
    use std::sync::atomic::{AtomicI32, Ordering};

    const SIGINT: i32 = 2;
    const SIGTERM: i32 = 15;

    /// The child to pass signals to (0: not started yet).
    static CHILD: AtomicI32 = AtomicI32::new(0);
    /// A signal that came before the child was started.
    static PENDING: AtomicI32 = AtomicI32::new(0);

    extern "C" {
        fn signal(sig: i32, handler: usize) -> usize;
        fn kill(pid: i32, sig: i32) -> i32;
    }

    /// The handler: async-signal-safe (atomics and `kill` only).
    extern "C" fn pass_on(sig: i32) {
        let pid = CHILD.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill(2) is async-signal-safe and takes plain integers.
            unsafe { kill(pid, sig) };
        } else {
            PENDING.store(sig, Ordering::SeqCst);
        }
    }

    /// Runs `cmd` to its end, passing SIGINT and SIGTERM on to it.
    pub(super) fn run_forwarding(cmd: &mut Command) -> io::Result<ExitStatus> {
        let handler = pass_on as extern "C" fn(i32) as usize;
        // SAFETY: signal(2) installs a handler that only touches atomics
        // and calls kill(2); the previous dispositions are put back below.
        let old = unsafe { [signal(SIGINT, handler), signal(SIGTERM, handler)] };
        let status = cmd.spawn().and_then(|mut child| {
            CHILD.store(child.id() as i32, Ordering::SeqCst);
            let early = PENDING.swap(0, Ordering::SeqCst);
            if early != 0 {
                // SAFETY: as in the handler.
                unsafe { kill(child.id() as i32, early) };
            }
            child.wait()
        });
        CHILD.store(0, Ordering::SeqCst);
        // SAFETY: restores what `signal` returned above.
        unsafe {
            signal(SIGINT, old[0]);
            signal(SIGTERM, old[1]);
        }
        status
    }

    /// The signal, SIGINT or SIGTERM, that stopped a child.
    pub(super) fn stopped_by(status: &ExitStatus) -> Option<i32> {
        status.signal().filter(|s| [SIGINT, SIGTERM].contains(s))
    }

    /// Ends the shim as `sig` would (so a shell script running it stops
    /// too, and sees status 128 + `sig`).
    pub(super) fn die_by(sig: i32) -> ! {
        // SAFETY: resets the disposition to the default (0, SIG_DFL) and
        // sends the signal to this process.
        unsafe {
            signal(sig, 0);
            kill(std::process::id() as i32, sig);
        }
        std::process::exit(128 + sig)
    }
}

#[cfg(not(unix))]
mod signals {
    use std::io;
    use std::process::{Command, ExitStatus};

    pub(super) fn run_forwarding(cmd: &mut Command) -> io::Result<ExitStatus> {
        cmd.status()
    }

    pub(super) fn stopped_by(_status: &ExitStatus) -> Option<i32> {
        None
    }

    pub(super) fn die_by(sig: i32) -> ! {
        std::process::exit(128 + sig)
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
