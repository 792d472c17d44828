//! Everyday switching: `gover use`, `gover which`, `gover exec` and
//! `gover env`, with fake toolchains in a throwaway home.

use crate::support;

use std::fs;

use support::{run, TestEnv};

fn two_versions() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.install_fake("1.21.13");
    env
}

#[test]
fn use_pins_the_directory_normalised() {
    let env = two_versions();
    let r = env.run_gover(["use", "go1.22"]).success();
    let file = env.project.join(".go-version");
    assert_eq!(fs::read_to_string(&file).unwrap(), "1.22\n");
    assert_eq!(
        r.stdout,
        format!(
            "Pinned 1.22 in {}\nGo here is now go1.22.10 (set by {}), installed\n",
            file.display(),
            file.display()
        )
    );
    // What the shim and `which` now run.
    let r = env.run_gover(["which"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "{}\n",
            env.gover_home.join("toolchains/go1.22.10/bin/go").display()
        )
    );
    env.run_gover(["use", "v1.21.13"]).success();
    assert_eq!(fs::read_to_string(&file).unwrap(), "1.21.13\n");
    let r = env.run_gover(["which", "gofmt"]).success();
    assert_eq!(
        r.stdout.trim_end(),
        env.gover_home
            .join("toolchains/go1.21.13/bin/gofmt")
            .to_str()
            .unwrap()
    );
    // No temporary files left beside it.
    let names: Vec<_> = fs::read_dir(&env.project)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [".go-version"]);

    // Pinning below the project's go line works but says Go would refuse.
    fs::write(env.project.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    let r = env.run_gover(["use", "1.21"]).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: go1.21.13 from {} is older than the go line of {} (go 1.22)",
            file.display(),
            env.project.join("go.mod").display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`gover use 1.22`"), "{}", r.stderr);
    let r = env.run_gover(["use", "1.22"]).success();
    assert!(!r.stderr.contains("older than"), "{}", r.stderr);
}

#[test]
fn use_global_writes_the_default_and_says_what_wins_here() {
    let env = two_versions();
    let r = env.run_gover(["use", "--global", "1.21.13"]).success();
    let global = env.gover_home.join("version");
    assert_eq!(fs::read_to_string(&global).unwrap(), "1.21.13\n");
    assert!(
        r.stdout.contains(&format!(
            "Go here is now go1.21.13 (global default {})",
            global.display()
        )),
        "{r}"
    );
    env.write("project/.go-version", "1.22.10\n");
    let r = env.run_gover(["use", "--global", "1.22"]).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: set by {} takes precedence over {} here",
            env.project.join(".go-version").display(),
            global.display()
        )),
        "{r}"
    );
}

#[test]
fn use_without_install_and_bad_requests() {
    let env = two_versions();
    let r = env.run_gover(["use", "--no-install", "1.23.4"]).success();
    assert!(r.stdout.contains("Go here is now go1.23.4 (set by "), "{r}");
    assert!(r.stdout.contains("), not installed\n"), "{r}");
    assert!(r.stderr.contains("hint: run `gover install 1.23.4`"), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.10"]);

    let r = env.run_gover(["use", "1.22.x"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with("error: invalid Go version `1.22.x`"),
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "1.23.4\n",
        "a bad request leaves the pin alone"
    );

    // `system` must exist: without a Go on PATH it is refused, before
    // anything is written (--no-install pins it anyway, with a warning).
    let r = env.run_gover(["use", "system"]).failure();
    assert!(
        r.stderr.starts_with(
            "error: no `go` other than gover's shims is on PATH, so `system` would run nothing"
        ),
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "1.23.4\n"
    );
    let r = env.run_gover(["use", "--no-install", "system"]).success();
    assert!(r.stderr.contains("pinning it anyway (--no-install)"), "{r}");
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "system\n"
    );
}

#[test]
fn use_system_names_the_go_it_runs() {
    let mut env = two_versions();
    support::write_fake_toolchain(&env.root.join("sysgo"), "1.19.1");
    env.path = format!("{}:{}", env.root.join("sysgo/bin").display(), env.path);
    let r = env.run_gover(["use", "system"]).success();
    let exe = env.root.join("sysgo/bin/go");
    assert!(
        r.stderr
            .contains(&format!("`system` is {} (go1.19.1)", exe.display())),
        "{r}"
    );
    assert!(
        r.stdout.contains(&format!(
            "Go here is now system (set by {}): {} (go1.19.1)\n",
            env.project.join(".go-version").display(),
            exe.display()
        )),
        "{r}"
    );
    let r = env.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "system (set by {}): {} (go1.19.1)\n",
            env.project.join(".go-version").display(),
            exe.display()
        )
    );
}

#[test]
fn which_reports_missing_versions_and_system() {
    let mut env = two_versions();
    let pin = env.write("project/.go-version", "1.20.5\n");
    let r = env.run_gover(["which"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "error: go1.20.5 is not installed (set by {})\n\nhint: run `gover install 1.20.5`\n",
            pin.display()
        )
    );

    env.write("project/.go-version", "1.22.10\n");
    let r = env.run_gover(["which", "vet"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("vet is not part of go1.22.10"), "{r}");
    // A tool of pkg/tool is not "missing, reinstall": it runs as `go tool X`.
    let r = env.run_gover(["which", "compile"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("error: `compile` is not in go1.22.10's bin directory: it is a tool the go command runs"),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint: run it as `go tool compile`"),
        "{r}"
    );
    assert!(!r.stderr.contains("reinstall"), "{r}");
    let r = env.run_gover(["which", "../../etc/passwd"]);
    assert_eq!(r.code, 1, "{r}");

    // system: the first go on PATH that is not gover's.
    support::write_fake_toolchain(&env.root.join("sysgo"), "1.19.1");
    env.path = format!(
        "{}:{}:{}",
        env.gover_home.join("shims").display(),
        env.root.join("sysgo/bin").display(),
        env.path
    );
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "system\n");
    let r = env.run_gover(["which"]).success();
    assert_eq!(
        r.stdout.trim_end(),
        env.root.join("sysgo/bin/go").to_str().unwrap()
    );
}

#[test]
fn exec_runs_with_the_toolchain_env_and_passes_the_status() {
    let env = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    // `go` is found in the toolchain's bin first, even with no shims at all.
    let r = env.run_gover(["exec", "--", "go", "version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    let r = env
        .run_gover(["exec", "1.21.13", "--", "go", "version"])
        .success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n");
    // A line request picks the newest installed of that line.
    let r = env
        .run_gover(["exec", "1.21", "--", "go", "version"])
        .success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\n");

    let mut c = env.gover([
        "exec",
        "1.21.13",
        "--",
        "sh",
        "-c",
        "printf '%s|%s|%s|%s' \"$GOROOT\" \"$GOTOOLCHAIN\" \"${PATH%%:*}\" \"$1\"; exit 7",
        "sh",
        "a b ✓",
    ]);
    c.env("GOROOT", "/usr/local/go");
    let r = run(&mut c);
    assert_eq!(r.code, 7, "{r}");
    let goroot = env.gover_home.join("toolchains/go1.21.13");
    assert_eq!(
        r.stdout,
        format!("{}|local|{}/bin|a b ✓", goroot.display(), goroot.display())
    );

    let r = env.run_gover(["exec", "--", "no-such-command-xyz"]);
    assert_eq!(r.code, 127, "{r}");
    assert!(
        r.stderr
            .starts_with("error: cannot run `no-such-command-xyz`:"),
        "{r}"
    );
    let mut c = env.gover(["exec", "1.20.1", "--", "go", "version"]);
    c.env("GOVER_AUTO_INSTALL", "0");
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(
            "error: go1.20.1 is not installed (given on the command line)\n\nhint: run `gover install 1.20.1`"
        ),
        "{r}"
    );
}

#[test]
fn env_prints_shell_code_that_puts_the_toolchain_first() {
    let env = two_versions();
    env.write("project/.go-version", "1.22.10\n");
    let r = env.run_gover(["env"]).success();
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    assert!(
        r.stdout
            .contains(&format!("export GOROOT={}\n", goroot.display())),
        "{r}"
    );
    // eval it in a real shell, with a stale GOROOT beforehand.
    let script = format!(
        "GOROOT=/usr/local/go; eval \"$({} env)\" && go version && echo \"$GOROOT $GOTOOLCHAIN\"",
        support::gover_bin().display()
    );
    let r = run(env.command("sh").args(["-c", &script])).success();
    assert_eq!(
        r.stdout,
        format!(
            "go version go1.22.10 linux/amd64\n{} local\n",
            goroot.display()
        )
    );
    // A version argument, and GOTOOLCHAIN set by the user is left alone.
    let script = format!(
        "export GOTOOLCHAIN=auto; eval \"$({} env 1.21.13 --shell bash)\" && go version && echo $GOTOOLCHAIN",
        support::gover_bin().display()
    );
    let r = run(env.command("bash").args(["-c", &script])).success();
    assert_eq!(r.stdout, "go version go1.21.13 linux/amd64\nauto\n");

    if std::process::Command::new("fish")
        .arg("--version")
        .output()
        .is_ok()
    {
        let script = format!(
            "{} env --shell fish | source; and go version; and echo $GOROOT",
            support::gover_bin().display()
        );
        let r = run(env.command("fish").args(["-c", &script])).success();
        assert_eq!(
            r.stdout,
            format!("go version go1.22.10 linux/amd64\n{}\n", goroot.display())
        );
    } else {
        eprintln!("note: fish is not installed; skipping the fish part");
    }
}

#[test]
fn env_github_appends_to_the_job_files() {
    let env = two_versions();
    env.write("project/.go-version", "1.21.13\n");
    let gh_path = env.write("gh/path", "/already/there\n");
    let gh_env = env.write("gh/env", "");
    let mut c = env.gover(["env", "--shell", "github"]);
    c.env("GITHUB_PATH", &gh_path).env("GITHUB_ENV", &gh_env);
    let r = run(&mut c).success();
    let goroot = env.gover_home.join("toolchains/go1.21.13");
    assert_eq!(
        fs::read_to_string(&gh_path).unwrap(),
        format!("/already/there\n{}/bin\n", goroot.display())
    );
    assert_eq!(
        fs::read_to_string(&gh_env).unwrap(),
        format!("GOROOT={}\nGOTOOLCHAIN=local\n", goroot.display())
    );
    assert!(
        r.stdout.contains(&format!(
            "Added {}/bin to $GITHUB_PATH ({})",
            goroot.display(),
            gh_path.display()
        )),
        "{r}"
    );
    assert!(r.stdout.contains("Set GOROOT="), "{r}");

    let r = env.run_gover(["env", "--shell", "github"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("$GITHUB_PATH and $GITHUB_ENV"), "{r}");
}

#[test]
fn env_output_is_safe_to_eval_in_any_directory() {
    let env = two_versions();
    let dir = env.mkdir("project/x\ntouch INJECTED #");
    fs::write(dir.join(".go-version"), "1.22.10\n").unwrap();
    let script = format!(
        "eval \"$({} env)\" && go version",
        support::gover_bin().display()
    );
    let r = run(env.command("sh").current_dir(&dir).args(["-c", &script])).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    assert!(!dir.join("INJECTED").exists(), "code in a path name ran");
}

#[test]
fn uninstall_of_the_pinned_version_says_what_runs_now() {
    let env = two_versions();
    env.install_fake("1.22.9");
    let pin = env.write("project/.go-version", "1.22\n");
    // Two names for one toolchain remove it once, and succeed.
    let r = env
        .run_gover(["uninstall", "1.22.10", "go1.22.10"])
        .success();
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.9"], "{r}");
    assert_eq!(r.stderr.matches("Uninstalled go1.22.10").count(), 1, "{r}");
    // The line pin falls back to the other 1.22 release.
    assert!(
        r.stderr.contains(&format!(
            "Go here is now go1.22.9 (set by {})",
            pin.display()
        )),
        "{r}"
    );
    // Removing the last one warns that `go` here has nothing to run.
    let mut env = env;
    env.set("GOVER_AUTO_INSTALL", "0");
    let r = env.run_gover(["uninstall", "1.22.9"]).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: go1.22.9 was the Go for this directory (set by {}) and is no longer installed; `go` here will fail until it is installed",
            pin.display()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("`gover install 1.22`"), "{r}");
    // Removing a version nothing here uses says nothing more.
    let r = env.run_gover(["uninstall", "1.21.13"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");
    assert!(!r.stderr.contains("Go here"), "{r}");
}

#[test]
fn exec_and_env_refuse_a_home_whose_path_holds_the_path_separator() {
    // `<GOROOT>/bin` with a `:` cannot go on PATH; without this check `exec`
    // ran whatever `go` came first on PATH with this toolchain's GOROOT.
    let mut env = TestEnv::new();
    env.gover_home = env.root.join("go:ver");
    env.install_fake("1.22.10");
    let sys = env.root.join("sys/go");
    fs::create_dir_all(sys.parent().unwrap()).unwrap();
    crate::support::write_exe(&sys, b"#!/bin/sh\necho system go \"$GOROOT\"\n", 0o755);
    env.path = format!("{}:{}", env.root.join("sys").display(), env.path);
    env.write("project/.go-version", "1.22.10\n");
    let bin = env.gover_home.join("toolchains/go1.22.10/bin");
    for args in [
        &["exec", "--", "go", "version"][..],
        &["env"][..],
        &["env", "--shell", "fish"][..],
    ] {
        let r = env.run_gover(args);
        assert_eq!(r.code, 1, "{args:?}: {r}");
        assert_eq!(r.stdout, "", "{args:?}: {r}");
        assert!(
            r.stderr.starts_with(&format!(
                "error: cannot put {} first on PATH: it contains `:`",
                bin.display()
            )),
            "{args:?}: {r}"
        );
        assert!(r.stderr.contains("hint: move gover's home"), "{r}");
    }
    // `which` needs no PATH and still answers.
    let r = env.run_gover(["which"]).success();
    assert_eq!(r.stdout, format!("{}\n", bin.join("go").display()));
}

#[test]
fn use_that_cannot_write_the_pin_says_how_to_pin_otherwise() {
    let env = two_versions();
    // A directory in the way fails even for root, like a read-only directory does.
    env.mkdir("project/.go-version");
    let r = env.run_gover(["use", "1.22"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "", "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: refusing to write {}: it is a directory, not a regular file",
            env.project.join(".go-version").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(
            "hint: pin without writing here: `export GOVER_GO_VERSION=1.22` for this shell, or `gover use --global 1.22`"
        ),
        "{r}"
    );
    assert!(env.project.join(".go-version").is_dir());
}
