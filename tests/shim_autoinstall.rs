//! The shim and the switching commands installing what a pin asks for,
//! for real: `gover install` against a mirror on 127.0.0.1 serving tiny
//! fake toolchains. Also checks that install/uninstall keep the
//! `go<version>` shims in step.

use crate::support;
use crate::support::archive;
use crate::support::mirror;

use std::fs;

use mirror::Mirror;
use support::{gover_bin, run, Run, TestEnv};

/// A test environment using `m`, with gover itself on PATH (where the shim
/// looks for it when it is not beside the shim) and the shims linked.
pub(crate) fn env_for(m: &Mirror) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_HTTP_TIMEOUT", "5")
        .set("GOVER_INDEX_TTL", "0");
    env.path = format!("{}:{}", gover_bin().parent().unwrap().display(), env.path);
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env
}

/// Like `ssh host go build` or cron: only the shims directory is on PATH
/// (gover itself is not), yet the shim finds gover through the `gover`
/// link that setup put beside it, and installs.
#[test]
fn with_only_the_shims_on_path_the_shim_still_finds_gover() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_HTTP_TIMEOUT", "5");
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.path = format!("{}:/usr/bin:/bin", env.gover_home.join("shims").display());
    env.write("project/.go-version", "1.22.10\n");
    let r = go(&env, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    assert!(r.stderr.contains("gover: Installed go1.22.10"), "{r}");
    // `gover` itself is reachable by name in such a session too.
    let r = run(env.command("sh").args(["-c", "gover current"])).success();
    assert!(r.stdout.starts_with("go1.22.10 (set by "), "{r}");

    // A dangling link (gover moved away) is not used, and setup repairs it.
    let link = env.gover_home.join("shims/gover");
    fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(env.root.join("moved-away"), &link).unwrap();
    env.write("project/.go-version", "1.21.13\n");
    let r = go(&env, &["version"]).failure();
    assert!(
        r.stderr
            .contains("found neither beside the shim nor on PATH"),
        "{r}"
    );
    env.run_gover(["setup", "--no-modify-rc"]).success();
    assert_eq!(
        fs::read_link(&link).unwrap(),
        fs::canonicalize(gover_bin()).unwrap()
    );
}

fn go(env: &TestEnv, args: &[&str]) -> Run {
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.args(args);
    run(&mut c)
}

#[test]
fn the_shim_installs_a_pinned_version_then_runs_it() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let pin = env.write("project/.go-version", "1.22.10\n");
    assert!(env.toolchain_dirs().is_empty());

    let r = go(&env, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "gover: go1.22.10 is not installed (set by {}); installing it",
            pin.display()
        )),
        "{r}"
    );
    let installed = env.gover_home.join("toolchains/go1.22.10");
    assert!(
        r.stderr.contains(&format!(
            "gover: Installed go1.22.10 to {}",
            installed.display()
        )),
        "{r}"
    );
    // Every line gover printed is prefixed.
    assert!(
        r.stderr
            .lines()
            .all(|l| l.is_empty() || l.starts_with("gover: ")),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"]);
    // The install linked the version shim.
    assert!(env.gover_home.join("shims/go1.22.10").is_file());

    // Installed now: quiet.
    let r = go(&env, &["version"]).success();
    assert_eq!(r.stderr, "");

    // Uninstall removes the version shim with the toolchain.
    env.run_gover(["uninstall", "1.22.10"]).success();
    assert!(!env.gover_home.join("shims/go1.22.10").exists());
    assert!(env.gover_home.join("shims/go").is_file());
}

#[test]
fn a_line_request_installs_the_newest_of_the_line() {
    let m = Mirror::start();
    m.publish("1.23.2", archive::toolchain("1.23.2"));
    m.publish("1.23.4", archive::toolchain("1.23.4"));
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    env.write("project/.go-version", "1.23\n");
    let r = go(&env, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.23.4 linux/amd64\n", "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.23.4"]);
}

/// A failed install is reported once, by the install itself: no second
/// error block ("`gover install` failed", "fix the problem above"), no
/// empty `gover:` line, and nothing is left behind.
#[test]
fn a_failed_install_is_reported_once_by_the_shim_and_every_command() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let pin = env.write("project/.go-version", "1.99.1\n");
    // The error `gover install 1.99.1` itself prints: one block, naming
    // the version.
    let direct = env.run_gover(["install", "1.99.1"]);
    assert_eq!(direct.code, 1, "{direct}");
    let block = direct.stderr.clone();
    assert!(
        block.starts_with("error: ") && block.contains("go1.99.1"),
        "{direct}"
    );
    assert_eq!(block.matches("error:").count(), 1, "{direct}");
    assert!(block.matches("hint:").count() <= 1, "{direct}");

    // The shim: its own line, then the install's block, prefixed.
    let r = go(&env, &["version"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    let prefixed: String = block
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("gover: {l}\n")
            }
        })
        .collect();
    assert_eq!(
        r.stderr,
        format!(
            "gover: go1.99.1 is not installed (set by {}); installing it (set GOVER_AUTO_INSTALL=0 to turn this off)\n{prefixed}",
            pin.display()
        )
    );
    assert!(!r.stderr.contains("gover: \n"), "{r}");

    // use, exec and env install in-process: one line, then the same block.
    for (args, reason) in [
        (&["use", "1.99.1"][..], None),
        (
            &["exec", "1.99.1", "--", "go", "version"][..],
            Some("given on the command line"),
        ),
        (&["env", "1.99.1"][..], Some("given on the command line")),
        (
            &["exec", "--", "go", "version"][..],
            Some(format!("set by {}", pin.display())).as_deref(),
        ),
    ] {
        let r = env.run_gover(args);
        assert_eq!(r.code, 1, "{args:?}: {r}");
        assert_eq!(r.stdout, "", "{args:?}: {r}");
        let first = match reason {
            None => "go1.99.1 is not installed; installing it\n".to_string(),
            Some(why) => format!("go1.99.1 is not installed ({why}); installing it\n"),
        };
        assert_eq!(r.stderr, format!("{first}{block}"), "{args:?}");
    }
    assert!(env.toolchain_dirs().is_empty());
    assert_eq!(fs::read_to_string(&pin).unwrap(), "1.99.1\n");
}

#[test]
fn use_and_exec_install_missing_versions() {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);

    let r = env.run_gover(["use", "1.22"]).success();
    let file = env.project.join(".go-version");
    assert_eq!(fs::read_to_string(&file).unwrap(), "1.22\n");
    assert!(
        r.stdout.ends_with(&format!(
            "Go here is now go1.22.10 (set by {}), installed\n",
            file.display()
        )),
        "{r}"
    );
    assert!(env.gover_home.join("shims/go1.22.10").is_file());

    // A version that does not exist: nothing is pinned.
    let r = env.run_gover(["use", "1.98.0"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "1.22\n");

    // exec: install output on stderr, the command's output alone on stdout.
    let r = env
        .run_gover(["exec", "1.21.13", "--", "go", "version"])
        .success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n", "{r}");
    assert!(r.stderr.contains("Installed go1.21.13"), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.10"]);
}
