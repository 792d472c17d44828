//! Shared helpers for gover's end-to-end tests: a throwaway environment
//! (HOME, GOVER_HOME, a project directory, a scrubbed process environment)
//! and tiny fake Go toolchains whose `go` reports what it was run with.

#![allow(dead_code, unreachable_pub)]

pub mod archive;
pub mod goproxy;
pub mod hostile;
pub mod mirror;
pub mod oracle;
pub mod presets;
pub mod release;
pub mod tls;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// GOSUMDB in every test environment: sum.golang.org's key at a loopback
/// port nothing listens on.
pub const CLOSED_SUMDB: &str = "sum.golang.org http://127.0.0.1:9";

/// The `gover` binary under test.
pub fn gover_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gover"))
}

/// The `gover-shim` binary under test (built beside `gover` by `cargo test --workspace`).
pub fn shim_bin() -> PathBuf {
    let p = gover_bin().with_file_name("gover-shim");
    assert!(
        p.exists(),
        "{} is missing: run the tests with `cargo test --workspace` so the shim is built",
        p.display()
    );
    p
}

/// A file of a fake toolchain: path inside the archive (`go/...`), contents, mode.
pub struct FakeFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
}

/// The files of a tiny fake toolchain for `version` (`1.22.10`), laid out
/// like an official archive (single top-level `go/`).
///
/// Its `bin/go` prints `go version go<version> linux/amd64` for `version`;
/// for anything else it prints a report: `fake-go go<version>`, then
/// `GOROOT=`, `GOTOOLCHAIN=`, `PATH=`, `PWD=` and one `ARG=` line per
/// argument. `fake-exit N` exits N, `fake-cat` copies stdin to stdout,
/// `fake-stderr MSG` writes MSG to stderr.
pub fn fake_toolchain_files(version: &str) -> Vec<FakeFile> {
    let script = |tool: &str| {
        format!(
            r#"#!/bin/sh
# A fake {tool} for gover's tests.
if [ "$1" = version ]; then echo "go version go{version} linux/amd64"; exit 0; fi
if [ "$1" = fake-exit ]; then exit "$2"; fi
if [ "$1" = fake-cat ]; then cat; exit 0; fi
if [ "$1" = fake-stderr ]; then echo "$2" >&2; exit 0; fi
echo "fake-{tool} go{version}"
echo "GOROOT=${{GOROOT-<unset>}}"
echo "GOTOOLCHAIN=${{GOTOOLCHAIN-<unset>}}"
echo "PATH=$PATH"
echo "PWD=$(pwd)"
for a in "$@"; do echo "ARG=$a"; done
"#
        )
        .into_bytes()
    };
    vec![
        FakeFile {
            path: "go/VERSION".into(),
            contents: format!("go{version}\ntime 2024-01-01T00:00:00Z\n").into_bytes(),
            mode: 0o644,
        },
        FakeFile {
            path: "go/bin/go".into(),
            contents: script("go"),
            mode: 0o755,
        },
        FakeFile {
            path: "go/bin/gofmt".into(),
            contents: script("gofmt"),
            mode: 0o755,
        },
        FakeFile {
            path: "go/pkg/tool/linux_amd64/compile".into(),
            contents: b"#!/bin/sh\necho fake compile\n".to_vec(),
            mode: 0o755,
        },
        FakeFile {
            path: "go/src/fmt/print.go".into(),
            contents: b"package fmt\n".to_vec(),
            mode: 0o644,
        },
    ]
}

/// Writes a fake toolchain tree (the contents of `go/`) into `dest`.
pub fn write_fake_toolchain(dest: &Path, version: &str) {
    for f in fake_toolchain_files(version) {
        let rel = f.path.strip_prefix("go/").unwrap();
        let p = dest.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        if f.mode & 0o111 != 0 {
            write_exe(&p, &f.contents, f.mode);
            continue;
        }
        fs::write(&p, &f.contents).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(f.mode)).unwrap();
    }
}

/// Writes an executable through a child process, so no descriptor open
/// for writing it ever exists in this (multi-threaded) test process: a
/// child another test thread forks meanwhile would inherit such a
/// descriptor and make every exec of the file fail with ETXTBSY until it
/// execs itself, including an exec by a shim the test runs, where no
/// retry can help.
pub fn write_exe(path: &Path, contents: &[u8], mode: u32) {
    use std::io::Write;
    let mut c = Command::new("sh");
    c.args(["-c", "cat > \"$1\" && chmod \"$2\" \"$1\"", "sh"])
        .arg(path)
        .arg(format!("{mode:o}"))
        .stdin(Stdio::piped());
    let mut child = spawn_retrying(&mut c, |c| c.spawn());
    child.stdin.take().unwrap().write_all(contents).unwrap();
    assert!(
        child.wait().unwrap().success(),
        "cannot write {}",
        path.display()
    );
}

/// Copies the executable `from` to `to` as [`write_exe`] writes one.
pub fn copy_exe(from: &Path, to: &Path) {
    write_exe(to, &fs::read(from).unwrap(), 0o755);
}

/// The result of running a command, with text output.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts exit 0 and returns self.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "expected success\n{self}");
        self
    }

    /// Asserts a non-zero exit and returns self.
    #[track_caller]
    pub fn failure(self) -> Self {
        assert_ne!(self.code, 0, "expected failure\n{self}");
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Spawns `cmd`, retrying while exec fails with ETXTBSY: the tests run in
/// threads of one process, and a thread that forks while another is still
/// writing a fresh executable (a copied shim, a fake `go`) holds the file
/// open for writing until its child execs, so exec of that file fails for
/// a moment. The command itself never ran then.
pub fn spawn_retrying<T>(
    cmd: &mut Command,
    mut start: impl FnMut(&mut Command) -> std::io::Result<T>,
) -> T {
    let mut tries = 0;
    loop {
        match start(cmd) {
            Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot run {cmd:?}: {e}"),
            Ok(t) => return t,
        }
    }
}

/// Runs a command to completion with no stdin.
pub fn run(cmd: &mut Command) -> Run {
    cmd.stdin(Stdio::null());
    Run::from_output(spawn_retrying(cmd, |c| c.output()))
}

/// Runs a command with no stdin, killing it if it has not finished within
/// `secs` seconds: `None` then (it hung).
pub fn run_within(cmd: &mut Command, secs: u64) -> Option<Run> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn_retrying(cmd, |c| c.spawn());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(Run::from_output(child.wait_with_output().unwrap()))
}

/// A throwaway environment: `root/home` (HOME), `root/gover` (GOVER_HOME),
/// `root/project` (the working directory), `root/tmp` (TMPDIR).
pub struct TestEnv {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub gover_home: PathBuf,
    pub project: PathBuf,
    /// Extra environment for every command (applied after the defaults).
    pub vars: Vec<(String, String)>,
    /// PATH for every command.
    pub path: String,
}

impl TestEnv {
    pub fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("gover-test")
            .tempdir()
            .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let gover_home = root.join("gover");
        let project = root.join("project");
        for d in [&home, &project, &root.join("tmp")] {
            fs::create_dir_all(d).unwrap();
        }
        Self {
            _tmp: tmp,
            root,
            home,
            gover_home,
            project,
            vars: Vec::new(),
            path: "/usr/local/bin:/usr/bin:/bin".into(),
        }
    }

    /// Sets an extra variable for every command.
    pub fn set(&mut self, k: &str, v: impl AsRef<OsStr>) -> &mut Self {
        self.vars
            .push((k.to_string(), v.as_ref().to_string_lossy().into_owned()));
        self
    }

    /// A command with the scrubbed test environment, run in `project`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("HOME", &self.home)
            .env("GOVER_HOME", &self.gover_home)
            .env("TMPDIR", self.root.join("tmp"))
            .env("PATH", &self.path)
            .env("LANG", "C.UTF-8")
            .env("GOVER_NO_PROGRESS", "1")
            // The presets and the defaults point at a closed loopback port:
            // no test reaches go.dev or a real mirror.
            .env("GOVER_PRESET_ORIGINS", presets::nowhere())
            // Installs of fake toolchains are not cross-checked against the
            // checksum database (no database has them), and no setting can
            // send a test to the internet's proxy or database: a test that
            // checks sets GOVER_VERIFY (empty: unset) and points GOSUMDB at
            // its loopback database; GOPROXY and GOSUMDB set to "" fall back
            // to Go's env file, as in Go.
            .env("GOVER_VERIFY", "off")
            .env("GOPROXY", "off")
            .env("GOSUMDB", CLOSED_SUMDB)
            .current_dir(&self.project);
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// `gover ARGS...` in the test environment.
    pub fn gover<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = self.command(gover_bin());
        c.args(args);
        c
    }

    /// Runs `gover ARGS...` in `project`.
    pub fn run_gover<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(&mut self.gover(args))
    }

    /// Writes `text` to `root/rel`, creating parents.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }

    /// Creates `root/rel` and returns it.
    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.root.join(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    /// Installs a fake toolchain as `GOVER_HOME/toolchains/go<version>`.
    pub fn install_fake(&self, version: &str) -> PathBuf {
        let dir = self
            .gover_home
            .join("toolchains")
            .join(format!("go{version}"));
        write_fake_toolchain(&dir, version);
        dir
    }

    /// Writes the global default.
    pub fn set_global(&self, text: &str) {
        fs::create_dir_all(&self.gover_home).unwrap();
        fs::write(self.gover_home.join("version"), text).unwrap();
    }

    /// Names of the entries of `GOVER_HOME/toolchains`, sorted.
    pub fn toolchain_dirs(&self) -> Vec<String> {
        let mut v: Vec<String> = match fs::read_dir(self.gover_home.join("toolchains")) {
            Ok(rd) => rd
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }
}
