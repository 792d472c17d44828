//! Choosing the toolchain as Go would, from the user's side: a user's
//! `GOTOOLCHAIN` (in the environment or Go's env file) decides without the
//! pin being resolved or installed, custom toolchain names never fall back
//! to the stock release, `gover use` checks Go's grammar before it writes,
//! resolves `latest`/`stable`/`oldstable` against the index, and a go line
//! whose release a mirror lacks says so. Hostile Go env files and odd
//! `GOTOOLCHAIN` values are errors or warnings, never hangs or silent
//! surprises.

use crate::support;
use crate::support::archive;
use crate::support::mirror;

use std::fs;
use std::path::Path;

use mirror::Mirror;
use support::{gover_bin, run, Run, TestEnv};

/// An environment with the shims set up and every download going to a
/// closed loopback port: any install attempt fails loudly.
pub(crate) fn offline_env() -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", "http://127.0.0.1:9/")
        .set("GOVER_INDEX_URL", "http://127.0.0.1:9/index.json")
        .set("GOVER_HTTP_RETRIES", "0");
    env.path = format!("{}:{}", gover_bin().parent().unwrap().display(), env.path);
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env
}

/// An environment using the loopback mirror `m`.
fn mirror_env(m: &Mirror) -> TestEnv {
    crate::shim_autoinstall::env_for(m)
}

fn go(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.current_dir(dir).args(args);
    run(&mut c)
}

#[test]
fn an_exact_gotoolchain_runs_without_resolving_or_installing_the_pin() {
    let mut env = offline_env();
    env.install_fake("1.21.13");
    env.write("project/.go-version", "1.23.9\n");
    env.write("project/go.mod", "module m\ngo 1.23.9\n");
    env.set("GOTOOLCHAIN", "go1.21.13");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n");
    assert_eq!(r.stderr, "", "nothing installed, nothing said");
    assert_eq!(env.toolchain_dirs(), ["go1.21.13"]);
    let r = env.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "go1.21.13 (GOTOOLCHAIN=go1.21.13 in the environment; not the pin (set by {}): GOTOOLCHAIN names the toolchain), installed\n",
            env.project.join(".go-version").display()
        )
    );
    // Even a pin file Go could never run is not read.
    env.write("project/.go-version", "banana\n");
    go(&env, &env.project, &["version"]).success();
}

#[test]
fn gotoolchain_from_go_env_file_decides_and_is_named() {
    let env = offline_env();
    env.install_fake("1.21.13");
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    let file = env.write("home/.config/go/env", "GOTOOLCHAIN=go1.21.13\n");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n");
    let r = env.run_gover(["current", "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "go1.21.13");
    assert_eq!(v["source_kind"], "gotoolchain");
    assert_eq!(v["source"], file.display().to_string());
    assert_eq!(
        v["reason"].as_str().unwrap().split(';').next().unwrap(),
        format!("GOTOOLCHAIN=go1.21.13 from {}", file.display())
    );
    // `local` in the file: the pin.
    fs::write(&file, "GOTOOLCHAIN=local\n").unwrap();
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    // GOENV=off: the file is not Go's env file any more.
    fs::write(&file, "GOTOOLCHAIN=go1.21.13\n").unwrap();
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.env("GOENV", "off").arg("version");
    assert_eq!(
        run(&mut c).success().stdout,
        "go version go1.22.10 linux/amd64\n"
    );
}

#[test]
fn an_exact_gotoolchain_installs_exactly_that_toolchain() {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    m.publish("1.23.9", archive::toolchain("1.23.9"));
    let mut env = mirror_env(&m);
    env.write("project/.go-version", "1.23.9\n");
    env.set("GOTOOLCHAIN", "go1.21.13");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n", "{r}");
    assert!(
        r.stderr.starts_with(
            "gover: go1.21.13 is not installed (GOTOOLCHAIN=go1.21.13 in the environment); installing it"
        ),
        "{r}"
    );
    assert_eq!(
        env.toolchain_dirs(),
        ["go1.21.13"],
        "never the pin's go1.23.9"
    );
}

#[test]
fn invalid_gotoolchain_values_are_errors_as_in_go() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    for bad in [
        "bogus",
        "go1.22.10+download",
        "go1.22.10/../../../bin/sh",
        "../../bin/sh",
        "go1.22.10+auto+path",
        "+auto",
        "go1.21.0rc1",
    ] {
        env.set("GOTOOLCHAIN", bad);
        let r = go(&env, &env.project, &["version"]).failure();
        assert!(
            r.stderr.starts_with("gover: error: invalid GOTOOLCHAIN"),
            "{bad}: {r}"
        );
        let r = env.run_gover(["current"]).failure();
        assert!(r.stderr.contains("hint: unset GOTOOLCHAIN"), "{bad}: {r}");
    }
    // A language version is no toolchain, as Go says.
    env.set("GOTOOLCHAIN", "go1.22");
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(
        r.stderr
            .contains("go1.22 is a language version but not a toolchain version"),
        "{r}"
    );
    // A very long value is shortened in the message.
    env.set("GOTOOLCHAIN", "x".repeat(10_000));
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(r.stderr.len() < 600, "{r}");
}

#[test]
fn hostile_go_env_files_are_warnings_never_hangs() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    let file = env.home.join(".config/go/env");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    // A FIFO nobody writes to: reading it would block forever.
    let st = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .unwrap();
    assert!(st.success());
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    assert!(
        r.stderr.contains("gover: warning: ignoring Go's env file") && r.stderr.contains("FIFO"),
        "{r}"
    );
    fs::remove_file(&file).unwrap();
    // Huge: refused by size, not read.
    fs::write(&file, vec![b'#'; 1 << 20]).unwrap();
    let r = env.run_gover(["current"]).success();
    assert!(r.stderr.contains("larger than"), "{r}");
    // Binary junk, CRLF lines, lower-case keys: read as Go reads them.
    fs::write(
        &file,
        b"\xff\xfe\x00junk\ngotoolchain=go1.21.13\r\nGOTOOLCHAIN=local\r\n",
    )
    .unwrap();
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(
        r.stderr.contains("invalid GOTOOLCHAIN") && r.stderr.contains("local\\r"),
        "Go keeps the \\r and rejects `local\\r`: {r}"
    );
    // GOWORK from the file, relative: an error, as in Go, naming the file.
    fs::write(&file, "GOWORK=rel/go.work\n").unwrap();
    env.write("project/go.mod", "module m\ngo 1.22.0\n");
    fs::remove_file(env.project.join(".go-version")).unwrap();
    env.set_global("1.22.10\n");
    let r = env.run_gover(["current"]).failure();
    assert!(
        r.stderr.contains("invalid GOWORK: not an absolute path")
            && r.stderr.contains(&file.display().to_string()),
        "{r}"
    );
    // GOENV naming a directory.
    env.set("GOENV", env.root.display().to_string());
    let r = env.run_gover(["current"]).success();
    assert!(r.stderr.contains("is a directory"), "{r}");
}

#[test]
fn custom_toolchain_names_never_run_the_stock_release() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    env.write(
        "project/go.mod",
        "module m\ngo 1.22.0\ntoolchain go1.22.10-bigcorp\n",
    );
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(
        r.stderr.starts_with(&format!(
            "gover: error: go1.22.10-bigcorp (go.mod toolchain line in {}) is a custom toolchain, and it is neither linked with `gover link` nor on PATH",
            env.project.join("go.mod").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: register its Go tree: `gover link go1.22.10-bigcorp "),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"], "nothing installed");

    // On PATH (as Go finds it): that executable runs, without GOROOT.
    let bin = env.mkdir("vendor-bin");
    let exe = bin.join("go1.22.10-bigcorp");
    crate::support::write_exe(
        &exe,
        b"#!/bin/sh\necho \"bigcorp GOROOT=${GOROOT-unset} $*\"\n",
        0o755,
    );
    env.path = format!("{}:{}", bin.display(), env.path);
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "bigcorp GOROOT=unset version\n");
    let r = env.run_gover(["current"]).success();
    assert!(
        r.stdout
            .starts_with("go1.22.10-bigcorp (go.mod toolchain line in ")
            && r.stdout
                .contains(&format!(": on PATH as {} (version unknown)", exe.display())),
        "{r}"
    );
    // GOTOOLCHAIN may name it too.
    env.write("project/go.mod", "module m\ngo 1.22.0\n");
    env.set("GOTOOLCHAIN", "go1.22.10-bigcorp");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "bigcorp GOROOT=unset version\n");
    // A name that tries to leave PATH is no toolchain name.
    env.write(
        "project/go.mod",
        "module m\ngo 1.22.0\ntoolchain go1.22.10-x/../../../../bin/sh\n",
    );
    env.set("GOTOOLCHAIN", "auto");
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(r.stderr.contains("invalid toolchain"), "{r}");
}

#[test]
fn use_refuses_what_go_rejects_before_writing_anything() {
    let env = offline_env();
    for (bad, why) in [
        ("1.22x", "a pre-release is named by its kind and number"),
        ("1.22rc", "a pre-release is named by its kind and number"),
        ("1.22beta", "a pre-release is named by its kind and number"),
        ("1.2x", "a pre-release is named by its kind and number"),
        (
            "1.21.0rc1",
            "Go does not accept a pre-release after a patch number",
        ),
        (
            "go1.22.10-",
            "a custom toolchain is named go<version>-<suffix>",
        ),
        ("go1.22.10-a/b", "a custom toolchain is named"),
        ("0.5", "Go versions start at 1"),
    ] {
        let r = env.run_gover(["use", "--no-install", bad]).failure();
        assert!(
            r.stderr
                .starts_with(&format!("error: invalid Go version `{bad}`: {why}")),
            "{bad}: {r}"
        );
        assert!(!env.project.join(".go-version").exists(), "{bad}");
        let r = env
            .run_gover(["use", "--global", "--no-install", bad])
            .failure();
        assert!(r.stderr.contains(why), "{r}");
        assert!(!env.gover_home.join("version").exists(), "{bad}");
    }
    // A bare minor up to Go 1.20 is that release, as Go reads it.
    env.install_fake("1.20");
    env.install_fake("1.20.14");
    let r = env.run_gover(["use", "1.20"]).success();
    assert!(r.stdout.contains("Go here is now go1.20 (set by "), "{r}");
}

#[test]
fn use_latest_installs_the_newest_available_and_says_when_only_installed_ones_count() {
    let m = Mirror::start();
    for v in ["1.24.11", "1.25.5", "1.25.7"] {
        m.publish(v, archive::toolchain(v));
    }
    let mut env = mirror_env(&m);
    env.install_fake("1.24.11");
    let r = env.run_gover(["use", "latest"]).success();
    assert!(r.stderr.contains("`latest` is go1.25.7 today"), "{r}");
    assert!(r.stderr.contains("Installed go1.25.7"), "{r}");
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "latest\n"
    );
    assert!(r.stdout.contains("Go here is now go1.25.7 (set by "), "{r}");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.25.7 linux/amd64\n");

    // oldstable: the newest release of the line before the newest; its line
    // is pinned.
    let r = env.run_gover(["use", "oldstable"]).success();
    assert!(r.stderr.contains("`oldstable` is go1.24.11 today"), "{r}");
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "1.24\n"
    );
    assert!(r.stdout.starts_with("Pinned 1.24 in "), "{r}");

    // The index cannot be read: the newest installed, and it says so.
    env.set("GOVER_INDEX_URL", "http://127.0.0.1:9/index.json")
        .set("GOVER_HTTP_RETRIES", "0");
    let r = env.run_gover(["use", "stable"]).success();
    assert!(
        r.stderr
            .contains("warning: the release index cannot be read")
            && r.stderr
                .contains("`stable` is taken among the installed toolchains: go1.25.7"),
        "{r}"
    );
    // `oldstable` in a pin file: only the index can answer it.
    env.write("project/.go-version", "oldstable\n");
    let r = env.run_gover(["current"]).failure();
    assert!(
        r.stderr.contains("`oldstable` changes with each release"),
        "{r}"
    );
}

#[test]
fn a_go_line_release_missing_from_the_mirror_says_so_and_offers_the_line() {
    let m = Mirror::start();
    m.publish("1.24.11", archive::toolchain("1.24.11"));
    let env = mirror_env(&m);
    env.write("project/go.work", "go 1.24.0\n\nuse .\n");
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "gover: go1.24.0 is not installed (go.work go line in {}); installing it",
            env.project.join("go.work").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("gover: error: go1.24.0 is not in the release index ")
            && r.stderr.contains("which has go1.24.11 of Go 1.24"),
        "{r}"
    );
    assert!(
        r.stderr.contains("run `gover install 1.24`")
            && r.stderr.contains("go_line_newest_patch = true"),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty());
    // As offered: the newest patch of the line, which the go line accepts.
    env.run_gover(["install", "1.24"]).success();
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.24.11 linux/amd64\n");
}

#[test]
fn go_line_newest_patch_installs_the_patch_the_mirror_has() {
    let m = Mirror::start();
    m.publish("1.24.11", archive::toolchain("1.24.11"));
    let env = mirror_env(&m);
    env.write("gover/config.toml", "go_line_newest_patch = true\n");
    env.write("project/go.mod", "module m\ngo 1.24.0\n");
    let r = go(&env, &env.project, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.24.11 linux/amd64\n", "{r}");
    assert!(
        r.stderr.contains("go1.24.0 is not in the release index")
            && r.stderr
                .contains("installing go1.24.11, the newest 1.24 release there"),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), ["go1.24.11"]);
}

#[test]
fn messages_name_the_request_as_written() {
    let mut env = offline_env();
    env.set("GOVER_AUTO_INSTALL", "0");
    let r = env
        .run_gover(["exec", "1.21", "--", "go", "version"])
        .failure();
    assert!(
        r.stderr.starts_with(
            "error: `1.21` (the newest go1.21.x) is not installed (given on the command line)"
        ),
        "{r}"
    );
    env.write("project/.go-version", "latest\n");
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(
        r.stderr
            .contains("`latest` (the newest stable release) is not installed (set by "),
        "{r}"
    );
}

#[test]
fn current_warns_when_another_go_comes_first_on_path() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    let shims = env.gover_home.join("shims");
    env.path = format!("{}:{}", shims.display(), env.path);
    let r = env.run_gover(["current"]).success();
    assert_eq!(r.stderr, "", "the shim comes first: {r}");
    // export PATH=$GOROOT/bin:$PATH after gover's block.
    support::write_fake_toolchain(&env.root.join("usr-local-go"), "1.21.5");
    let other = env.root.join("usr-local-go/bin");
    env.path = format!("{}:{}", other.display(), env.path);
    let r = env.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "go1.22.10 (set by {}), installed\n",
            env.project.join(".go-version").display()
        )
    );
    assert!(
        r.stderr.starts_with(&format!(
            "warning: typing `go` here runs {} (go1.21.5), not go1.22.10: it comes before gover's shims ({}) on PATH",
            other.join("go").display(),
            shims.display()
        )),
        "{r}"
    );
    // eval "$(gover env 1.24)" earlier in the shell: a gover toolchain.
    env.install_fake("1.24.3");
    let tc = env.gover_home.join("toolchains/go1.24.3/bin");
    env.path = format!("{}:{}:{}", tc.display(), shims.display(), env.path);
    let r = env.run_gover(["current"]).success();
    assert!(
        r.stderr.contains("runs gover's toolchain go1.24.3 itself")
            && r.stderr.contains("so it does not follow pins"),
        "{r}"
    );
}

#[test]
fn current_verbose_lists_the_go_work_search_and_gopath_mode() {
    let mut env = offline_env();
    env.install_fake("1.21.13");
    env.set_global("1.21.13\n");
    env.write("project/go.mod", "module m\ngo 1.23.4\n");
    let sub = env.mkdir("project/a/b");
    let mut c = env.gover(["current", "-v"]);
    c.current_dir(&sub);
    let r = run(&mut c).success();
    for dir in ["project/a/b", "project/a", "project", ""] {
        let work = env.root.join(dir).join("go.work");
        assert!(
            r.stderr
                .contains(&format!("  checked {}: not found", work.display())),
            "{dir}: {r}"
        );
    }
    // GOPATH mode: Go never switches, the default runs, and it says why.
    env.set("GO111MODULE", "off");
    let r = env.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "go1.21.13 (global default {}; GO111MODULE=off in the environment: Go does not switch toolchains outside module mode), installed\n",
            env.gover_home.join("version").display()
        )
    );
}

#[test]
fn hostile_toolchain_names_are_escaped_and_bounded() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    // Escape sequences and a megabyte of junk in a toolchain line.
    env.write(
        "project/go.mod",
        &format!(
            "module m\ngo 1.22.0\ntoolchain go1.22.10-\u{1b}]0;pwned\u{7}\u{1b}[2J{}\n",
            "x".repeat(1 << 20)
        ),
    );
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(!r.stderr.contains('\u{1b}'), "escaped");
    assert!(r.stderr.len() < 2000, "bounded: {} bytes", r.stderr.len());
    assert!(r.stderr.contains("\\u{1b}]0;pwned"), "{r}");
    let r = env.run_gover(["current"]).success();
    assert!(!r.stdout.contains('\u{1b}') && r.stdout.len() < 2000, "{r}");
    // A newline in GOTOOLCHAIN cannot reach `eval "$(gover env)"` as code.
    fs::remove_file(env.project.join("go.mod")).unwrap();
    let bin = env.mkdir("evil-bin");
    let name = "go1.22.10-x\necho pwned";
    let exe = bin.join(name);
    support::write_fake_toolchain(&env.root.join("evil-root"), "1.22.10");
    std::os::unix::fs::symlink(env.root.join("evil-root/bin/go"), &exe).unwrap();
    env.path = format!("{}:{}", bin.display(), env.path);
    env.set("GOTOOLCHAIN", name);
    let r = env.run_gover(["env"]).success();
    assert!(
        !r.stdout.lines().any(|l| l.trim_start().starts_with("echo")),
        "{r}"
    );
    assert!(r.stdout.starts_with("# go1.22.10-x\\necho pwned"), "{r}");
    let script = format!(
        "eval \"$({} env)\" && echo \"$GOVER_ENV_TOOLCHAIN\"",
        support::gover_bin().display()
    );
    let r = support::run(env.command("sh").args(["-c", &script])).success();
    // The name is a value (the newline in it included), never code.
    assert_eq!(r.stdout, "go1.22.10-x\necho pwned\n", "{r}");
}

#[test]
fn gotoolchain_path_never_installs_as_go_never_downloads() {
    let mut env = offline_env();
    env.install_fake("1.22.10");
    env.set_global("1.22.10\n");
    env.write("project/go.mod", "module m\ngo 1.23.4\n");
    for value in ["path", "local+path", "go1.21.13+path"] {
        env.set("GOTOOLCHAIN", value);
        let r = go(&env, &env.project, &["version"]).failure();
        assert!(
            r.stderr
                .starts_with("gover: error: go1.23.4 is not installed (go.mod go line in ")
                && r.stderr.contains(
                    "run `gover install 1.23.4` (automatic installs are turned off by GOTOOLCHAIN)"
                )
                && !r.stderr.contains("installing it"),
            "{value}: {r}"
        );
    }
    // `auto` installs (here: tries to, and the closed mirror says no).
    env.set("GOTOOLCHAIN", "auto");
    let r = go(&env, &env.project, &["version"]).failure();
    assert!(r.stderr.contains("installing it"), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"]);
}
