//! The shim's auto-install as a user at a terminal sees it: `gover
//! install` draws its progress bar there (every line, the bar's included,
//! starting with `gover: `, and the first frame never `0 B/0 B 0 B/s ETA
//! 0s`), and an install that waited for another process's says only that
//! the toolchain is ready.

use crate::shim_autoinstall::env_for;
use crate::support;
use crate::support::archive;
use crate::support::mirror::{Fault, Mirror};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{run, TestEnv};

/// Runs `cmd ARGS` in a pseudo-terminal (util-linux `script`): its output,
/// stdout and stderr mixed as on a screen. `None` when `script` is missing.
fn on_a_terminal(env: &TestEnv, cmd: &str) -> Option<support::Run> {
    if Command::new("script").arg("--version").output().is_err() {
        return None;
    }
    let mut c = env.command("script");
    c.args(["-qec", cmd, "/dev/null"])
        .env_remove("GOVER_NO_PROGRESS")
        .env("TERM", "xterm")
        .env("SHELL", "/bin/sh");
    Some(run(&mut c))
}

/// Publishes go1.22.10 with an archive that takes about two seconds to
/// download (time for the speed and the time left to show); returns its
/// file name.
fn slow_release(m: &Mirror) -> String {
    let file = m.publish("1.22.10", archive::large_toolchain("1.22.10", 256 << 10));
    let every = Duration::from_millis(100);
    m.fault(
        &file,
        Fault::Drip {
            bytes: 16 << 10,
            every,
        },
        None,
    );
    file
}

#[test]
fn the_shim_s_install_draws_a_progress_bar_on_a_terminal() {
    let m = Mirror::start();
    let file = slow_release(&m);
    let env = env_for(&m);
    env.write("project/.go-version", "1.22.10\n");
    let shim = env.gover_home.join("shims/go");
    let Some(r) = on_a_terminal(&env, &format!("{} version", shim.display())) else {
        eprintln!("note: `script` is not installed; skipping");
        return;
    };
    let r = r.success();
    // The terminal's lines, each frame of the bar apart.
    let pieces: Vec<&str> = r
        .stdout
        .split(['\r', '\n'])
        .map(|p| p.trim_start_matches("\u{1b}[2K"))
        .filter(|p| !p.is_empty())
        .collect();
    let frames: Vec<&str> = pieces
        .iter()
        .copied()
        .filter(|p| p.starts_with(&format!("gover: {file} ")))
        .collect();
    assert!(!frames.is_empty(), "no progress bar drawn:\n{:?}", r.stdout);
    for f in &frames {
        assert!(
            f.contains("/256.87 KiB"),
            "the total is known from the start: {f:?}"
        );
    }
    let first = frames[0];
    assert!(
        !first.contains("0 B/") && !first.contains("B/s") && !first.contains("ETA"),
        "{first:?}"
    );
    // Everything else gover said is prefixed, then go ran.
    assert_eq!(pieces.last(), Some(&"go version go1.22.10 linux/amd64"));
    for p in &pieces[..pieces.len() - 1] {
        assert!(p.starts_with("gover: "), "{p:?} in {:?}", r.stdout);
    }
    assert!(
        pieces
            .iter()
            .any(|p| p.starts_with("gover: Installed go1.22.10 to ")),
        "{:?}",
        r.stdout
    );
}

#[test]
fn an_install_that_waited_for_another_says_only_that_it_is_ready() {
    let m = Mirror::start();
    slow_release(&m);
    let env = env_for(&m);
    let pin = env.write("project/.go-version", "1.22.10\n");
    // Another process installs it first (and holds its lock meanwhile).
    let mut first = env.gover(["install", "1.22.10"]);
    let mut first = first
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !env.gover_home.join("locks/go1.22.10.lock").exists()
        || std::fs::read_dir(env.gover_home.join("tmp")).map_or(0, |d| d.count()) == 0
    {
        assert!(Instant::now() < deadline, "the first install did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    let r = run(env.command(env.gover_home.join("shims/go")).arg("version")).success();
    assert!(first.wait().unwrap().success());
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    let lock = env.gover_home.join("locks/go1.22.10.lock");
    assert_eq!(
        r.stderr,
        format!(
            "gover: go1.22.10 is not installed (set by {}); installing it (set GOVER_AUTO_INSTALL=0 to turn this off)\n\
             gover: waiting for another gover process working on go1.22.10 (lock file {})\n\
             gover: go1.22.10 is ready\n",
            pin.display(),
            lock.display()
        )
    );
}
