//! End-to-end tests of the `go`/`gofmt`/`go<version>` shims: the real
//! `gover-shim` binary, linked by `gover setup`, running fake toolchains
//! that report the version, environment and arguments they were run with.

use crate::support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{copy_exe, run, shim_bin, write_fake_toolchain, Run, TestEnv};

/// Links the shims with `gover setup --no-modify-rc`; returns the shims dir.
fn link_shims(env: &TestEnv) -> PathBuf {
    env.run_gover(["setup", "--no-modify-rc"]).success();
    let shims = env.gover_home.join("shims");
    assert!(shims.join("go").is_file() && shims.join("gofmt").is_file());
    shims
}

/// Runs the shim `name` in `dir` with `args`.
fn shim(env: &TestEnv, name: &str, dir: &Path, args: &[&str]) -> Run {
    let mut c = env.command(env.gover_home.join("shims").join(name));
    c.current_dir(dir).args(args);
    run(&mut c)
}

/// The value of `KEY=` in a fake tool's report.
fn field<'a>(r: &'a Run, key: &str) -> &'a str {
    let prefix = format!("{key}=");
    r.stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {key}= in the report\n{r}"))
}

fn args_of(r: &Run) -> Vec<&str> {
    r.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ARG="))
        .collect()
}

/// The first line of a fake tool's report: `fake-go go1.22.10`.
fn ran(r: &Run) -> &str {
    r.stdout.lines().next().unwrap_or("")
}

fn two_versions() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.install_fake("1.21.13");
    let shims = link_shims(&env);
    (env, shims)
}

#[test]
fn two_projects_run_their_own_versions_with_the_toolchain_env() {
    let (env, _) = two_versions();
    env.write("project/a/.go-version", "1.22.10\n");
    env.write("project/b/.go-version", "go1.21.13\n");
    let a = shim(&env, "go", &env.project.join("a"), &["build"]).success();
    assert_eq!(ran(&a), "fake-go go1.22.10");
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    assert_eq!(field(&a, "GOROOT"), goroot.to_str().unwrap());
    assert_eq!(
        field(&a, "PATH"),
        format!("{}/bin:/usr/local/bin:/usr/bin:/bin", goroot.display())
    );
    assert_eq!(field(&a, "GOTOOLCHAIN"), "local");
    assert_eq!(args_of(&a), ["build"]);
    assert_eq!(a.stderr, "", "the shim says nothing on success");

    let b = shim(&env, "go", &env.project.join("b"), &["build"]).success();
    assert_eq!(ran(&b), "fake-go go1.21.13");
    assert!(field(&b, "GOROOT").ends_with("/toolchains/go1.21.13"));

    // gofmt goes through the same resolution.
    let f = shim(&env, "gofmt", &env.project.join("b"), &["-l", "."]).success();
    assert_eq!(ran(&f), "fake-gofmt go1.21.13");
    assert_eq!(args_of(&f), ["-l", "."]);

    // `go version` really is the pinned binary.
    let v = shim(&env, "go", &env.project.join("a"), &["version"]).success();
    assert_eq!(v.stdout, "go version go1.22.10 linux/amd64\n");
}

#[test]
fn nested_directory_uses_the_nearest_pin() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.21.13\n");
    env.write("project/svc/.go-version", "1.22.10\n");
    let deep = env.mkdir("project/svc/a/b/c/d");
    assert_eq!(
        ran(&shim(&env, "go", &deep, &["env"]).success()),
        "fake-go go1.22.10"
    );
    let other = env.mkdir("project/lib/x");
    assert_eq!(
        ran(&shim(&env, "go", &other, &["env"]).success()),
        "fake-go go1.21.13"
    );
}

#[test]
fn go_dash_c_resolves_in_the_target_directory() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.21.13\n");
    env.write("project/other/dir/.go-version", "1.22.10\n");
    for args in [
        &["build", "-C", "other/dir", "./..."][..],
        &["build", "-C=other/dir"],
        &["test", "--C", "other/dir"],
        &["mod", "tidy", "-C", "other/dir"],
        &["-C", "other/dir", "build"],
    ] {
        let r = shim(&env, "go", &env.project, args).success();
        assert_eq!(ran(&r), "fake-go go1.22.10", "{args:?}");
        assert_eq!(args_of(&r), args, "arguments pass through unchanged");
    }
    // Absolute -C, and -C that is not the first flag (Go ignores it).
    let abs = env.project.join("other/dir");
    let r = shim(&env, "go", &env.root, &["vet", "-C", abs.to_str().unwrap()]);
    assert_eq!(ran(&r), "fake-go go1.22.10");
    let r = shim(
        &env,
        "go",
        &env.project,
        &["build", "-v", "-C", "other/dir"],
    );
    assert_eq!(ran(&r), "fake-go go1.21.13");
    // A -C directory that does not exist: the pin here, and Go reports it.
    let r = shim(&env, "go", &env.project, &["build", "-C", "nope"]).success();
    assert_eq!(ran(&r), "fake-go go1.21.13");
}

#[test]
fn tool_versions_go_mod_toolchain_and_env_override() {
    let (env, _) = two_versions();
    env.write(
        "project/asdf/.tool-versions",
        "nodejs 20.1.0\ngolang 1.21.13\n",
    );
    let r = shim(&env, "go", &env.project.join("asdf"), &["env"]).success();
    assert_eq!(ran(&r), "fake-go go1.21.13");

    env.write(
        "project/mod/go.mod",
        "module example.com/m\n\ngo 1.21.0\n\ntoolchain go1.22.10\n",
    );
    let r = shim(&env, "go", &env.mkdir("project/mod/pkg"), &["env"]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(ran(&r), "fake-go go1.22.10");

    // GOVER_GO_VERSION beats every file.
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.current_dir(env.project.join("mod"))
        .env("GOVER_GO_VERSION", "1.21.13")
        .arg("env");
    assert_eq!(ran(&run(&mut c).success()), "fake-go go1.21.13");
}

#[test]
fn stale_goroot_is_replaced_and_gotoolchain_respected() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    let go = env.gover_home.join("shims/go");

    let mut c = env.command(&go);
    c.env("GOROOT", "/usr/local/go").arg("env");
    let r = run(&mut c).success();
    assert_eq!(field(&r, "GOROOT"), goroot.to_str().unwrap());

    // A GOTOOLCHAIN the user set decides as it does for Go (its minimum
    // replaces the pin) and passes through untouched.
    let mut c = env.command(&go);
    c.env("GOTOOLCHAIN", "go1.21.13+auto").arg("env");
    let r = run(&mut c).success();
    assert_eq!(ran(&r), "fake-go go1.21.13");
    assert_eq!(field(&r, "GOTOOLCHAIN"), "go1.21.13+auto");
    // Unset: local. `gotoolchain = "inherit"` leaves it unset.
    let r = shim(&env, "go", &env.project, &["env"]).success();
    assert_eq!(field(&r, "GOTOOLCHAIN"), "local");
    env.write("gover/config.toml", "gotoolchain = \"inherit\"\n");
    let r = shim(&env, "go", &env.project, &["env"]).success();
    assert_eq!(field(&r, "GOTOOLCHAIN"), "<unset>");
    env.write("gover/config.toml", "gotoolchain = \"sometimes\"\n");
    let r = shim(&env, "go", &env.project, &["env"]).failure();
    assert!(
        r.stderr.starts_with("gover: error: ") && r.stderr.contains("config.toml"),
        "{r}"
    );
}

#[test]
fn env_passes_through_except_what_the_shim_sets() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    // A fake toolchain whose go prints its whole environment.
    let bin = env.gover_home.join("toolchains/go1.22.10/bin/go");
    fs::write(&bin, "#!/bin/sh\nexec env\n").unwrap();
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.env("GOPATH", "/my/gopath")
        .env("GOBIN", "/my/gobin")
        .env("GOTOOLCHAIN_INTERNAL_SWITCH_COUNT", "3")
        .env("GOFLAGS", "-mod=mod");
    let r = run(&mut c).success();
    for want in [
        "GOPATH=/my/gopath",
        "GOBIN=/my/gobin",
        "GOTOOLCHAIN_INTERNAL_SWITCH_COUNT=3",
        "GOFLAGS=-mod=mod",
        "GOVER_SHIM_DEPTH=1",
    ] {
        assert!(r.stdout.lines().any(|l| l == want), "{want}\n{r}");
    }
}

#[test]
fn not_installed_with_auto_install_off_says_how_to_fix_it() {
    let (env, _) = two_versions();
    let pin = env.write("project/.go-version", "1.22.9\n");
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.env("GOVER_AUTO_INSTALL", "0").arg("version");
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(&format!(
            "gover: error: go1.22.9 is not installed (set by {})\n",
            pin.display()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("hint: run `gover install 1.22.9`"), "{r}");

    // The same through config.toml.
    env.write("gover/config.toml", "auto_install = false\n");
    let r = shim(&env, "go", &env.project, &["version"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("go1.22.9 is not installed"), "{r}");
    // A line request with nothing matching installed.
    env.write("project/.go-version", "1.23\n");
    let r = shim(&env, "go", &env.project, &["version"]);
    assert!(
        r.stderr
            .contains("`1.23` (the newest go1.23.x) is not installed (set by ")
            && r.stderr.contains("`gover install 1.23`"),
        "{r}"
    );
    assert!(env.toolchain_dirs().len() == 2, "nothing was installed");
}

/// A stand-in `gover` on PATH that "installs" by copying a prepared tree and
/// logs how it was called, to check the shim's side of auto-install. Like
/// gover, it starts its lines with `gover: ` when the shim says it runs
/// for it (`GOVER_SHIM_INSTALL=1`).
fn stand_in_gover(env: &TestEnv, exit: i32) -> PathBuf {
    let staging = env.root.join("staging");
    write_fake_toolchain(&staging.join("go1.22.9"), "1.22.9");
    let bin = env.mkdir("fakebin");
    let script = format!(
        "#!/bin/sh\np=\ncase $GOVER_SHIM_INSTALL in 1) p='gover: ' ;; esac\necho \"$@ GOVER_SHIM_INSTALL=$GOVER_SHIM_INSTALL\" >> {log}\necho \"${{p}}Installing go$2 from the stand-in\"\necho \"${{p}}progress line\" >&2\n[ {exit} -eq 0 ] || exit {exit}\nmkdir -p \"$GOVER_HOME/toolchains\"\ncp -R {staging}/go$2 \"$GOVER_HOME/toolchains/go$2\"\n",
        log = env.root.join("gover-calls.log").display(),
        staging = staging.display(),
    );
    let p = bin.join("gover");
    support::write_exe(&p, script.as_bytes(), 0o755);
    // The shim prefers the `gover` that setup links beside it; the stand-in
    // takes that place.
    let link = env.gover_home.join("shims/gover");
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(&p, &link).unwrap();
    bin
}

#[test]
fn auto_install_runs_gover_install_then_the_tool() {
    let (mut env, _) = two_versions();
    let bin = stand_in_gover(&env, 0);
    env.path = format!("{}:{}", bin.display(), env.path);
    let pin = env.write("project/.go-version", "1.22.9\n");
    let r = shim(&env, "go", &env.project, &["build", "./..."]).success();
    assert_eq!(ran(&r), "fake-go go1.22.9", "{r}");
    assert_eq!(args_of(&r), ["build", "./..."]);
    assert_eq!(
        fs::read_to_string(env.root.join("gover-calls.log")).unwrap(),
        "install 1.22.9 GOVER_SHIM_INSTALL=1\n"
    );
    // Everything gover said went to stderr, prefixed; its stdout too.
    assert!(
        r.stderr.contains(&format!(
            "gover: go1.22.9 is not installed (set by {}); installing it",
            pin.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("gover: Installing go1.22.9 from the stand-in\n"),
        "{r}"
    );
    assert!(r.stderr.contains("gover: progress line\n"), "{r}");
    assert!(!r.stdout.contains("stand-in"), "{r}");
    // Second run: installed, silent.
    let r = shim(&env, "go", &env.project, &["build"]).success();
    assert_eq!(r.stderr, "");
}

#[test]
fn failed_auto_install_fails_clearly() {
    let (mut env, _) = two_versions();
    let bin = stand_in_gover(&env, 3);
    env.path = format!("{}:{}", bin.display(), env.path);
    env.write("project/.go-version", "1.22.9\n");
    let r = shim(&env, "go", &env.project, &["build"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains("gover: error: `gover install 1.22.9` failed (exit status: 3)"),
        "{r}"
    );
    assert!(r.stdout.is_empty(), "{r}");
}

/// A fake system Go: `root/sys/lib/go/bin/go` with `pkg/tool`, reached
/// through a symlink in `root/sys/bin`, as distribution packages do.
fn system_go(env: &TestEnv) -> PathBuf {
    let root = env.root.join("sys/lib/go");
    write_fake_toolchain(&root, "1.19.5");
    let bin = env.mkdir("sys/bin");
    std::os::unix::fs::symlink(root.join("bin/go"), bin.join("go")).unwrap();
    std::os::unix::fs::symlink(root.join("bin/gofmt"), bin.join("gofmt")).unwrap();
    bin
}

#[test]
fn system_runs_the_first_go_on_path_that_is_not_a_shim() {
    let (mut env, shims) = two_versions();
    let sys = system_go(&env);
    // A hard link of the shim elsewhere on PATH is skipped too.
    let elsewhere = env.mkdir("elsewhere");
    fs::hard_link(shims.join("go"), elsewhere.join("go")).unwrap();
    env.path = format!(
        "{}:{}:{}:{}",
        shims.display(),
        elsewhere.display(),
        sys.display(),
        env.path
    );
    env.write("project/.go-version", "system\n");
    let mut c = env.command(shims.join("go"));
    c.env("GOROOT", "/stale").arg("env");
    let r = run(&mut c).success();
    assert_eq!(ran(&r), "fake-go go1.19.5");
    assert_eq!(
        field(&r, "GOROOT"),
        env.root.join("sys/lib/go").to_str().unwrap()
    );
    let r = shim(&env, "gofmt", &env.project, &["-l"]).success();
    assert_eq!(ran(&r), "fake-gofmt go1.19.5");

    // No system Go at all (a PATH of the test's own, so a Go installed on
    // the host, such as apt's /usr/bin/go, cannot answer).
    let empty = env.mkdir("empty-bin");
    env.path = format!("{}:{}", shims.display(), empty.display());
    let r = shim(&env, "go", &env.project, &["env"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .starts_with("gover: error: `system` Go is selected (set by "),
        "{r}"
    );
}

#[test]
fn a_shim_loop_stops_with_a_clear_error() {
    let (mut env, shims) = two_versions();
    // Two copies of the shim (different files, so not recognised as the
    // shim itself) that keep handing `system` to each other.
    let a = env.mkdir("loop-a");
    let b = env.mkdir("loop-b");
    copy_exe(&shim_bin(), &a.join("go"));
    copy_exe(&shim_bin(), &b.join("go"));
    env.path = format!(
        "{}:{}:{}:/usr/bin:/bin",
        shims.display(),
        a.display(),
        b.display()
    );
    env.write("project/.go-version", "system\n");
    let start = std::time::Instant::now();
    let r = shim(&env, "go", &env.project, &["version"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("gover: error: shim loop"), "{r}");
    assert!(r.stderr.contains("GOVER_SHIM_DEPTH=5"), "{r}");
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn version_shims_run_exactly_their_version() {
    let (env, shims) = two_versions();
    assert!(shims.join("go1.22.10").is_file());
    assert!(shims.join("go1.21.13").is_file());
    env.write("project/.go-version", "1.21.13\n");
    // Go unsets GOROOT when it runs a go1.X.Y it found on PATH.
    let mut c = env.command(shims.join("go1.22.10"));
    c.env_remove("GOROOT").args(["build", "-C", "."]);
    let r = run(&mut c).success();
    assert_eq!(ran(&r), "fake-go go1.22.10");
    assert!(field(&r, "GOROOT").ends_with("/toolchains/go1.22.10"));
    let r = shim(&env, "go1.22.10", &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");

    // Go's own switching execs the go1.22.10 it found on PATH with argv[0]
    // still `go`, and GOTOOLCHAIN_INTERNAL_SWITCH_VERSION set.
    use std::os::unix::process::CommandExt;
    let mut c = env.command(shims.join("go1.22.10"));
    c.arg0("go")
        .env("GOTOOLCHAIN_INTERNAL_SWITCH_VERSION", "go1.22.10")
        .arg("env");
    assert_eq!(ran(&run(&mut c).success()), "fake-go go1.22.10");
    // Without the switch variable, argv[0] decides (a `go` symlink setup).
    let mut c = env.command(shims.join("go1.22.10"));
    c.arg0("go").arg("env");
    assert_eq!(ran(&run(&mut c).success()), "fake-go go1.21.13");

    // A version shim for a version that is not installed (any name works).
    fs::hard_link(shims.join("go"), shims.join("go1.20.3")).unwrap();
    let mut c = env.command(shims.join("go1.20.3"));
    c.env("GOVER_AUTO_INSTALL", "0").arg("version");
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .starts_with("gover: error: go1.20.3 is not installed (run as `go1.20.3`)"),
        "{r}"
    );
}

#[test]
fn the_shim_refuses_other_names() {
    let env = TestEnv::new();
    let r = run(env.command(shim_bin()).arg("version"));
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .starts_with("gover: error: gover-shim is gover's shim: it runs as `go`"),
        "{r}"
    );
    let dir = env.mkdir("odd");
    copy_exe(&shim_bin(), &dir.join("python"));
    let r = run(&mut env.command(dir.join("python")));
    assert!(
        r.stderr.contains("started as `python`") && r.code == 1,
        "{r}"
    );
}

#[test]
fn exit_codes_and_stdio_pass_through() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    for code in [0, 1, 2, 3, 42, 255] {
        let r = shim(&env, "go", &env.project, &["fake-exit", &code.to_string()]);
        assert_eq!(r.code, code, "{r}");
    }
    let r = shim(&env, "go", &env.project, &["fake-stderr", "to stderr ✓"]).success();
    assert_eq!(r.stderr, "to stderr ✓\n");
    assert_eq!(r.stdout, "");

    let mut child = env
        .command(env.gover_home.join("shims/go"))
        .arg("fake-cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut stdin = child.stdin.take().unwrap();
    let d = data.clone();
    let w = std::thread::spawn(move || stdin.write_all(&d).unwrap());
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, data, "stdin reaches the tool byte for byte");
}

#[test]
fn arguments_with_spaces_and_unicode_arrive_intact() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    let args = [
        "run",
        "a b  c",
        "héllo wörld ✓ 日本語",
        "",
        "--flag=x y",
        "$(not expanded)",
        "'quoted'",
        "tab\there",
    ];
    let r = shim(&env, "go", &env.project, &args).success();
    assert_eq!(args_of(&r), args);
}

#[test]
fn the_shim_execs_in_place() {
    let (env, _) = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    let go = env.gover_home.join("toolchains/go1.22.10/bin/go");
    // A toolchain go that reports its process id.
    fs::write(&go, "#!/bin/sh\necho \"pid=$$\"\n").unwrap();
    let mut c = Command::new("/bin/sh");
    c.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("GOVER_HOME", &env.gover_home)
        .current_dir(&env.project)
        .args([
            "-c",
            &format!(
                "echo \"shell=$$\"; exec {}",
                env.gover_home.join("shims/go").display()
            ),
        ]);
    let r = run(&mut c).success();
    // exec: the shim and the tool run in the shell's own process.
    let shell_pid = r
        .stdout
        .lines()
        .next()
        .unwrap()
        .strip_prefix("shell=")
        .unwrap();
    assert_eq!(
        r.stdout.lines().nth(1),
        Some(format!("pid={shell_pid}").as_str()),
        "{r}"
    );
}
