//! Real Go toolchains through the shims: `go version`, `go env GOROOT`,
//! `go build` and `gofmt -l` in two directories pinned to two real versions,
//! with a stale GOROOT in the environment, and Go's own `GOTOOLCHAIN=auto`
//! switching finding gover's `go1.X.Y` shim on PATH instead of downloading.
//!
//! Needs the archives from `scripts/real-go-archives` (go1.21.13 and
//! go1.22.10 for this machine) in `$GOVER_REAL_GO_DIR` (default
//! `~/.cache/gover-real-go`); `scripts/test` builds them and sets
//! `GOVER_REQUIRE_REAL_GO`, which turns their absence into a failure.
//! Without them (and without that variable) the test says so and passes.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{run, Run, TestEnv};

const NEW: &str = "1.22.10";
const OLD: &str = "1.21.13";

fn archives_dir() -> Option<PathBuf> {
    let dir = archives_dir_quiet()?;
    let all_there = [NEW, OLD]
        .iter()
        .all(|v| dir.join(format!("go{v}.linux-amd64.tar.gz")).is_file());
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) && all_there {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("GOVER_REQUIRE_REAL_GO").is_none(),
            "GOVER_REQUIRE_REAL_GO is set (scripts/test sets it) but the real Go archives are missing from {}",
            dir.display()
        );
        eprintln!(
            "note: real Go archives for go{NEW} and go{OLD} are not in {}; run scripts/real-go-archives (skipping)",
            dir.display()
        );
        None
    }
}

fn gocache() -> PathBuf {
    archives_dir_quiet().unwrap_or_default().join("gocache")
}

fn archives_dir_quiet() -> Option<PathBuf> {
    std::env::var_os("GOVER_REAL_GO_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/gover-real-go")))
}

/// Unpacks a real archive as `toolchains/go<v>` (the shim is under test
/// here; `gover install` has its own real-toolchain tests).
fn unpack(env: &TestEnv, archives: &Path, v: &str) {
    let staging = env.mkdir(&format!("gover/toolchains/.unpack-{v}"));
    let st = Command::new("tar")
        .arg("-xzf")
        .arg(archives.join(format!("go{v}.linux-amd64.tar.gz")))
        .arg("-C")
        .arg(&staging)
        .status()
        .unwrap();
    assert!(st.success());
    fs::rename(
        staging.join("go"),
        env.gover_home.join(format!("toolchains/go{v}")),
    )
    .unwrap();
    fs::remove_dir(staging).unwrap();
}

const MAIN: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Println(\"built by\", runtime.Version()) }\n";

fn project(env: &TestEnv, name: &str, pin: &str, go_line: &str) -> PathBuf {
    env.write(&format!("project/{name}/.go-version"), &format!("{pin}\n"));
    env.write(
        &format!("project/{name}/go.mod"),
        &format!("module example.com/{name}\n\ngo {go_line}\n"),
    );
    env.write(&format!("project/{name}/main.go"), MAIN);
    env.write(
        &format!("project/{name}/ugly.go"),
        "package main\nfunc   ugly( ) {  }\n",
    );
    env.project.join(name)
}

/// `tool ARGS` run through the shims in `dir`, as a shell with the shims
/// first on PATH and a stale GOROOT would.
fn via_shims(env: &TestEnv, dir: &Path, tool: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let mut c = env.command(tool);
    c.current_dir(dir)
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", env.gover_home.join("shims").display()),
        )
        .env("GOROOT", "/usr/local/go")
        // Go's build cache is keyed by toolchain and safe to share: keep it
        // beside the archives so later runs do not rebuild the standard library.
        .env("GOCACHE", gocache())
        .env("GOPATH", env.root.join("gopath"))
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off")
        .env("GOFLAGS", "-buildvcs=false")
        .args(args);
    for (k, v) in extra {
        c.env(k, v);
    }
    run(&mut c)
}

#[test]
fn real_toolchains_through_the_shims() {
    let Some(archives) = archives_dir() else {
        return;
    };
    let env = TestEnv::new();
    unpack(&env, &archives, NEW);
    unpack(&env, &archives, OLD);
    env.run_gover(["setup", "--no-modify-rc"]).success();

    for (name, v, go_line) in [("new", NEW, "1.22.0"), ("old", OLD, "1.21.0")] {
        let dir = project(&env, name, v, go_line);
        let r = via_shims(&env, &dir, "go", &["version"], &[]).success();
        assert_eq!(r.stdout, format!("go version go{v} linux/amd64\n"));
        let r = via_shims(&env, &dir, "go", &["env", "GOROOT", "GOTOOLCHAIN"], &[]).success();
        assert_eq!(
            r.stdout,
            format!(
                "{}\nlocal\n",
                env.gover_home.join(format!("toolchains/go{v}")).display()
            )
        );
        // A stale GOROOT would make every compile fail with a version
        // mismatch; through the shim the build works.
        let r = via_shims(&env, &dir, "go", &["build", "-o", "hello", "."], &[]);
        assert_eq!(r.code, 0, "go build with go{v}\n{r}");
        let out = Command::new(dir.join("hello")).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("built by go{v}\n")
        );
        let r = via_shims(&env, &dir, "gofmt", &["-l", "."], &[]).success();
        assert_eq!(r.stdout, "ugly.go\n", "gofmt -l with go{v}\n{r}");
    }
    // `go -C` from the parent directory picks the target's version.
    let r = via_shims(
        &env,
        &env.project,
        "go",
        &["build", "-C", "old", "-o", "hello2", "."],
        &[],
    );
    assert_eq!(r.code, 0, "{r}");
    let out = Command::new(env.project.join("old/hello2"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("built by go{OLD}\n")
    );

    // A version shim runs its version wherever it is.
    let r = via_shims(
        &env,
        &env.project.join("old"),
        &format!("go{NEW}"),
        &["version"],
        &[],
    )
    .success();
    assert_eq!(r.stdout, format!("go version go{NEW} linux/amd64\n"));

    // go1.21.13 pinned, go.mod needing go1.22.10: with the shim's default
    // GOTOOLCHAIN=local, Go refuses (no silent download)...
    let dir = project(&env, "switch", OLD, NEW);
    let r = via_shims(&env, &dir, "go", &["build", "."], &[]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "go.mod requires go >= {NEW} (running go {OLD}; GOTOOLCHAIN=local)"
        )),
        "{r}"
    );
    // ...and with GOTOOLCHAIN=auto, Go switches to go1.22.10 by finding
    // gover's version shim on PATH (GOPROXY=off: a download would fail).
    let r = via_shims(&env, &dir, "go", &["run", "."], &[("GOTOOLCHAIN", "auto")]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.stdout, format!("built by go{NEW}\n"));
}
