//! `gover install` of real Go toolchains from a loopback HTTP mirror, then
//! `goroot/bin/go version` and `go build` of a hello-world program with each.
//!
//! Needs the archives and index from `scripts/real-go-archives` (go1.21.13
//! and go1.22.10 for this machine) in `$GOVER_REAL_GO_DIR` (default
//! `~/.cache/gover-real-go`); `scripts/test` builds them and sets
//! `GOVER_REQUIRE_REAL_GO`, which turns their absence into a failure.
//! Without them (and without that variable) the test says so and passes.

use crate::support;
use crate::support::mirror;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mirror::Mirror;
use support::{run, TestEnv};

const VERSIONS: [&str; 2] = ["1.21.13", "1.22.10"];

fn archives_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("GOVER_REAL_GO_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/gover-real-go")))?;
    let all_there = dir.join("index.json").is_file()
        && VERSIONS
            .iter()
            .all(|v| dir.join(mirror::host_filename(v)).is_file());
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) && all_there {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("GOVER_REQUIRE_REAL_GO").is_none(),
            "GOVER_REQUIRE_REAL_GO is set (scripts/test sets it) but the real Go archives are missing from {}",
            dir.display()
        );
        eprintln!(
            "note: real Go archives for go{} and go{} are not in {}; run scripts/real-go-archives (skipping)",
            VERSIONS[0],
            VERSIONS[1],
            dir.display()
        );
        None
    }
}

/// `go` from `goroot` with a clean, offline Go environment.
fn go(env: &TestEnv, goroot: &Path, archives: &Path) -> Command {
    let mut c = Command::new(goroot.join("bin/go"));
    c.env_clear()
        .env("HOME", &env.home)
        .env("PATH", "/usr/bin:/bin")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", archives.join("gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off")
        .env("GOFLAGS", "-buildvcs=false")
        .current_dir(&env.project);
    c
}

#[test]
fn installs_real_toolchains_that_build_programs() {
    let Some(archives) = archives_dir() else {
        return;
    };
    let m = Mirror::start();
    m.put("index.json", fs::read(archives.join("index.json")).unwrap());
    for v in VERSIONS {
        let f = mirror::host_filename(v);
        m.put(&f, fs::read(archives.join(&f)).unwrap());
    }
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url());

    let t = Instant::now();
    let r = env
        .run_gover(["install", VERSIONS[0], VERSIONS[1]])
        .success();
    eprintln!("installed both in {:.1}s", t.elapsed().as_secs_f64());
    for v in VERSIONS {
        assert!(r.stderr.contains(&format!("Installed go{v} to ")), "{r}");
    }

    env.write("project/go.mod", "module example.com/hello\n\ngo 1.21\n");
    env.write(
        "project/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Println(\"hello from\", runtime.Version()) }\n",
    );
    for v in VERSIONS {
        let goroot = env.gover_home.join("toolchains").join(format!("go{v}"));
        let r = run(go(&env, &goroot, &archives).arg("version")).success();
        assert_eq!(r.stdout, format!("go version go{v} linux/amd64\n"), "{r}");
        let r = run(go(&env, &goroot, &archives).args(["env", "GOROOT"])).success();
        assert_eq!(r.stdout.trim(), goroot.display().to_string(), "{r}");
        let exe = env.root.join(format!("hello-{v}"));
        run(go(&env, &goroot, &archives)
            .args(["build", "-o"])
            .arg(&exe)
            .arg("."))
        .success();
        let r = run(&mut Command::new(&exe)).success();
        assert_eq!(r.stdout, format!("hello from go{v}\n"), "{r}");
    }

    // Reinstalling over a toolchain, offline from the archive itself.
    let f = mirror::host_filename(VERSIONS[1]);
    let sha = fs::read_to_string(archives.join(format!("{f}.sha256"))).unwrap();
    env.set("GOVER_OFFLINE", "1");
    let r = env
        .run_gover([
            "install",
            "--force",
            "--from",
            archives.join(&f).to_str().unwrap(),
            "--sha256",
            sha.trim(),
        ])
        .success();
    assert!(
        r.stderr.contains(&format!("Installed go{}", VERSIONS[1])),
        "{r}"
    );
    let goroot = env
        .gover_home
        .join("toolchains")
        .join(format!("go{}", VERSIONS[1]));
    let r = run(go(&env, &goroot, &archives).arg("version")).success();
    assert_eq!(
        r.stdout,
        format!("go version go{} linux/amd64\n", VERSIONS[1])
    );
}
