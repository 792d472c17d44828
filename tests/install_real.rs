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

/// A loopback mirror serving the real archives, and a test environment
/// pointed at it.
fn real_mirror(archives: &Path) -> (Mirror, TestEnv) {
    let m = Mirror::start();
    m.put("index.json", fs::read(archives.join("index.json")).unwrap());
    for v in VERSIONS {
        let f = mirror::host_filename(v);
        m.put(&f, fs::read(archives.join(&f)).unwrap());
    }
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url());
    (m, env)
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
    let (_m, mut env) = real_mirror(&archives);

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

/// How many files of the tree at `a` are the very same file (one inode)
/// at the same path under `b`.
fn shared_files(a: &Path, b: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let mut n = 0;
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(a.join(&rel)).unwrap().flatten() {
            let rel = rel.join(e.file_name());
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(rel);
            } else if fs::metadata(b.join(&rel)).is_ok_and(|m| m.ino() == meta.ino()) {
                n += 1;
            }
        }
    }
    n
}

/// Writes a small module with a test into the project.
fn write_program(env: &TestEnv) {
    env.write("project/go.mod", "module example.com/hello\n\ngo 1.21\n");
    env.write(
        "project/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n\t\"strings\"\n)\n\nfunc shout(s string) string { return strings.ToUpper(s) }\n\nfunc main() { fmt.Println(shout(\"hello\"), runtime.Version()) }\n",
    );
    env.write(
        "project/main_test.go",
        "package main\n\nimport \"testing\"\n\nfunc TestShout(t *testing.T) {\n\tif got := shout(\"go\"); got != \"GO\" {\n\t\tt.Fatalf(\"shout(go) = %q\", got)\n\t}\n}\n",
    );
}

/// Builds, runs and tests the program with the toolchain of `v`.
#[track_caller]
fn build_and_test(env: &TestEnv, archives: &Path, v: &str, after: &str) {
    let goroot = env.gover_home.join("toolchains").join(format!("go{v}"));
    let exe = env.root.join(format!("hello-{v}"));
    let r = run(go(env, &goroot, archives)
        .args(["build", "-o"])
        .arg(&exe)
        .arg("."));
    assert_eq!(r.code, 0, "go{v} build after {after}: {r}");
    let r = run(&mut Command::new(&exe)).success();
    assert_eq!(r.stdout, format!("HELLO go{v}\n"), "after {after}");
    let r = run(go(env, &goroot, archives).args(["test", "-count=1", "./..."]));
    assert_eq!(r.code, 0, "go{v} test after {after}: {r}");
    assert!(r.stdout.starts_with("ok  "), "{r}");
}

#[test]
fn real_toolchains_linked_from_the_store_build_and_test_after_each_operation() {
    let Some(archives) = archives_dir() else {
        return;
    };
    let (_m, env) = real_mirror(&archives);
    write_program(&env);
    let [old, new] = VERSIONS;

    // Installed through the store, one after the other.
    env.run_gover(["install", old, new]).success();
    let goroot = |v: &str| env.gover_home.join("toolchains").join(format!("go{v}"));
    let shared = shared_files(&goroot(old), &goroot(new));
    assert!(shared > 1000, "only {shared} files shared");
    for v in VERSIONS {
        build_and_test(&env, &archives, v, "install");
    }
    let r = env.run_gover(["store", "verify"]).success();
    assert!(r.stdout.contains("The store is intact"), "{r}");

    // Removing one leaves the other whole.
    env.run_gover(["uninstall", old]).success();
    build_and_test(&env, &archives, new, "uninstalling the other");

    // A plain copy, moved into the store by `store optimize`.
    run(env.gover(["install", old]).env("GOVER_LINK_MODE", "copy")).success();
    let r = env.run_gover(["store", "optimize"]).success();
    assert!(r.stdout.contains("moved into the store"), "{r}");
    for v in VERSIONS {
        build_and_test(&env, &archives, v, "store optimize");
    }

    // A line pin upgraded, then everything pruned but what it uses.
    env.run_gover(["use", "1.22"]).success();
    env.run_gover(["upgrade"]).success();
    build_and_test(&env, &archives, new, "upgrade");
    let r = env.run_gover(["prune"]).success();
    assert!(r.stdout.contains(&format!("removed go{old}")), "{r}");
    build_and_test(&env, &archives, new, "prune");
    let r = env.run_gover(["store", "verify"]).success();
    assert!(r.stdout.contains("The store is intact"), "{r}");
}
