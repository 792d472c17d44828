//! Ctrl-C and SIGTERM during an install: gover says the install was
//! interrupted and its partial download removed, leaves nothing in
//! `$GOVER_HOME/tmp`, never a half-written toolchain, and ends as the
//! signal would (a shell shows 130 or 143). Also through the shim's
//! auto-install, which passes the signal on and waits.

use crate::support;
use crate::support::archive;
use crate::support::mirror::{Fault, Mirror};

use std::fs;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::TestEnv;

/// Publishes `version` with an archive that stalls halfway through (after
/// its first entries) until the client gives up.
fn stalling(m: &Mirror, version: &str) {
    // Half the archive holds the toolchain's first entries, not the end of
    // the filler that follows them.
    let body = archive::large_toolchain(version, 256 << 10);
    let half = body.len() / 2;
    let file = m.publish(version, body);
    m.fault(&file, Fault::StallAt(half), None);
}

/// A test environment pointed at `m` that waits long for a stalled
/// download (the test interrupts it first).
fn env_for(m: &Mirror) -> TestEnv {
    let mut env = crate::errors::env_for(m);
    env.set("GOVER_HTTP_TIMEOUT", "60");
    env
}

fn spawn(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The scratch entries of `tmp/` that already hold unpacked files.
fn partial_downloads(home: &Path) -> Vec<PathBuf> {
    fs::read_dir(home.join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("go/VERSION").is_file())
        .collect()
}

/// Waits (at most 30 s) until an install is halfway through its download.
fn wait_for_partial_download(home: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while partial_downloads(home).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the install ended early ({status}):\n{err}");
        }
        assert!(Instant::now() < deadline, "no partial download appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(child: &Child, sig: i32) {
    // SAFETY: kill(2) with a pid this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

/// The output of `child`, which must end within 30 s.
fn finish(child: Child) -> (std::process::ExitStatus, String, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("gover did not end after the signal")
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp_entries(home: &Path) -> Vec<String> {
    fs::read_dir(home.join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn sigint_and_sigterm_during_an_install_remove_the_partial_download() {
    for (sig, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let m = Mirror::start();
        stalling(&m, "1.22.10");
        let env = env_for(&m);
        let mut child = spawn(env.gover(["install", "1.22.10"]));
        wait_for_partial_download(&env.gover_home, &mut child);
        send(&child, sig);
        let (status, stdout, stderr) = finish(child);
        // Ended as the signal would: a shell shows 128 + the signal.
        assert_eq!(status.signal(), Some(sig), "{status}\n{stderr}");
        assert_eq!(stdout, "");
        assert!(
            stderr.ends_with(&format!(
                "error: install interrupted ({name}); its partial download was removed\n"
            )),
            "{stderr}"
        );
        assert_eq!(stderr.matches("error").count(), 1, "{stderr}");
        assert_eq!(tmp_entries(&env.gover_home), Vec::<String>::new());
        assert!(env.toolchain_dirs().is_empty());
    }
}

#[test]
fn an_interrupted_reinstall_leaves_the_installed_toolchain_as_it_was() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    env.run_gover(["install", "1.22.10"]).success();
    let go = env.gover_home.join("toolchains/go1.22.10/bin/go");
    let before = fs::read(&go).unwrap();
    // The reinstall downloads a new archive, which stalls.
    stalling(&m, "1.22.10");
    let mut child = spawn(env.gover(["install", "--force", "1.22.10"]));
    wait_for_partial_download(&env.gover_home, &mut child);
    send(&child, libc::SIGINT);
    let (status, _, stderr) = finish(child);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{stderr}");
    assert_eq!(fs::read(&go).unwrap(), before);
    assert!(!env.gover_home.join("toolchains/go1.22.10/filler").exists());
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"]);
    assert_eq!(tmp_entries(&env.gover_home), Vec::<String>::new());
    // And it is still the toolchain the shim runs.
    env.run_gover(["setup", "--no-modify-rc"]).success();
    let r = support::run(
        env.command(env.gover_home.join("shims/go"))
            .arg("version")
            .env("GOVER_GO_VERSION", "1.22.10"),
    )
    .success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
}

#[test]
fn ctrl_c_during_the_shim_s_install_is_passed_on_and_said_once() {
    let m = Mirror::start();
    stalling(&m, "1.22.10");
    let mut env = env_for(&m);
    env.path = format!(
        "{}:{}",
        support::gover_bin().parent().unwrap().display(),
        env.path
    );
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    let mut shim = env.command(env.gover_home.join("shims/go"));
    shim.arg("version");
    let mut child = spawn(shim);
    wait_for_partial_download(&env.gover_home, &mut child);
    // Only the shim gets it (as from `kill` or `timeout`): it passes it on.
    send(&child, libc::SIGINT);
    let (status, stdout, stderr) = finish(child);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status}\n{stderr}");
    assert_eq!(stdout, "", "nothing on stdout, and go never ran");
    assert!(
        stderr.ends_with(
            "gover: error: install interrupted (SIGINT); its partial download was removed\n"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error").count(), 1, "{stderr}");
    assert_eq!(tmp_entries(&env.gover_home), Vec::<String>::new());
    assert!(env.toolchain_dirs().is_empty());
}
