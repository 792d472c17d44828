//! End-to-end tests of keeping toolchains fresh and few: the remembered
//! pins behind `gover list`, `gover prune`, `gover outdated`,
//! `gover upgrade` and `gover use --pin`.

use crate::install::env_for;
use crate::support::archive;
use crate::support::mirror::Mirror;
use crate::support::{run, Run, TestEnv};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn mirror_with(versions: &[&str]) -> Mirror {
    let m = Mirror::start();
    for v in versions {
        m.publish(v, archive::toolchain(v));
    }
    m
}

/// `gover ARGS` run in `dir`.
fn gover_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    run(env.gover(args).current_dir(dir))
}

/// A project directory (a repository) `name` under the test root.
fn project(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.mkdir(name);
    fs::create_dir_all(dir.join(".git")).unwrap();
    dir
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r}"))
}

#[test]
fn pins_are_remembered_listed_found_outdated_and_upgraded() {
    let m = mirror_with(&["1.21.13", "1.22.9", "1.22.10"]);
    let env = env_for(&m);
    let a = project(&env, "a");
    gover_in(&env, &a, &["use", "1.22.9"]).success();
    let b = project(&env, "b");
    fs::write(b.join(".tool-versions"), "nodejs 20\ngolang 1.22.9\n").unwrap();
    gover_in(&env, &b, &["current"]).success();
    let c = project(&env, "c");
    let gomod = "module example.com/c\n\ngo 1.22.9\n\ntoolchain go1.22.9\n";
    fs::write(c.join("go.mod"), gomod).unwrap();
    gover_in(&env, &c, &["current"]).success();
    let d = project(&env, "d");
    gover_in(&env, &d, &["use", "1.21"]).success();
    let e = project(&env, "e");
    let r = gover_in(&env, &e, &["use", "--pin", "1.22"]).success();
    assert!(r.stdout.starts_with("Pinned 1.22.10 in "), "{r}");
    assert_eq!(
        fs::read_to_string(e.join(".go-version")).unwrap(),
        "1.22.10\n"
    );
    // An install in a project remembers its pin (the shim's automatic
    // installs run `gover install VERSION` there).
    let f = project(&env, "f");
    fs::write(f.join(".go-version"), "1.21.13\n").unwrap();
    gover_in(&env, &f, &["install", "1.21.13"]).success();

    let r = env.run_gover(["list"]).success();
    let line = |v: &str| {
        r.stdout
            .lines()
            .find(|l| l.trim_start_matches(['*', ' ']).starts_with(v))
            .unwrap_or_else(|| panic!("{v}: {r}"))
            .to_string()
    };
    let l = line("go1.22.9 ");
    for p in [
        a.join(".go-version"),
        b.join(".tool-versions"),
        c.join("go.mod"),
    ] {
        assert!(l.contains(&p.display().to_string()), "{l}");
    }
    assert!(line("go1.22.10").contains(&e.join(".go-version").display().to_string()));
    let l = line("go1.21.13");
    assert!(
        l.contains("d/.go-version") && l.contains("f/.go-version"),
        "{l}"
    );

    let r = env.run_gover(["outdated", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let rows = json(&r);
    let behind: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["behind"] == true)
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        behind,
        ["go-version", "tool-versions", "toolchain-line"],
        "{r}"
    );

    let r = env.run_gover(["upgrade", "--all"]).success();
    assert_eq!(
        fs::read_to_string(a.join(".go-version")).unwrap(),
        "1.22.10\n",
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(b.join(".tool-versions")).unwrap(),
        "nodejs 20\ngolang 1.22.10\n"
    );
    assert_eq!(fs::read_to_string(c.join("go.mod")).unwrap(), gomod, "{r}");
    assert!(r.stdout.contains("pass --go-mod"), "{r}");
    let r = env
        .run_gover(["upgrade", "--go-mod", c.to_str().unwrap()])
        .success();
    assert_eq!(
        fs::read_to_string(c.join("go.mod")).unwrap(),
        gomod.replace("toolchain go1.22.9", "toolchain go1.22.10"),
        "{r}"
    );
    env.run_gover(["outdated"]).success();

    // A line pin keeps its text and gets the newest patch installed.
    m.publish("1.21.14", archive::toolchain("1.21.14"));
    let r = env.run_gover(["outdated"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("go1.21.13 -> go1.21.14"), "{r}");
    gover_in(&env, &d, &["upgrade"]).success();
    assert_eq!(fs::read_to_string(d.join(".go-version")).unwrap(), "1.21\n");
    let r = gover_in(&env, &d, &["current"]).success();
    assert!(r.stdout.starts_with("go1.21.14 "), "{r}");
}

#[test]
fn prune_keeps_every_toolchain_in_use_and_says_why() {
    let versions = ["1.21.13", "1.22.8", "1.22.9", "1.22.10", "1.23.4"];
    let m = mirror_with(&versions);
    let env = env_for(&m);
    let mut args = vec!["install"];
    args.extend(versions);
    env.run_gover(args).success();
    env.run_gover(["use", "--global", "1.23.4"]).success();
    let a = project(&env, "a");
    gover_in(&env, &a, &["use", "1.22.9"]).success();
    let goroot = |v: &str| env.gover_home.join("toolchains").join(format!("go{v}"));
    let mut busy = Command::new("sleep")
        .arg("60")
        .current_dir(goroot("1.21.13"))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();

    let r = env.run_gover(["prune", "--dry-run", "--json"]).success();
    let plan: Vec<(String, String, String)> = json(&r)
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["version"].as_str().unwrap().to_string(),
                x["action"].as_str().unwrap().to_string(),
                x["reasons"].to_string(),
            )
        })
        .collect();
    let why = |v: &str| {
        plan.iter()
            .find(|p| p.0 == v)
            .map(|p| (p.1.as_str(), p.2.as_str()))
            .unwrap()
    };
    assert!(why("go1.23.4").1.contains("the global default"), "{r}");
    assert!(why("go1.22.9").1.contains("pinned by "), "{r}");
    assert!(
        why("go1.22.10")
            .1
            .contains("the newest installed patch of go1.22"),
        "{r}"
    );
    assert!(
        why("go1.21.13").1.contains("in use by a running process"),
        "{r}"
    );
    assert_eq!(why("go1.22.8"), ("remove", "[]"), "{r}");
    assert_eq!(env.toolchain_dirs().len(), 5, "a dry run removes nothing");

    let r = env.run_gover(["prune"]).success();
    assert!(r.stdout.contains("removed go1.22.8"), "{r}");
    assert!(
        r.stdout
            .contains("keep    go1.21.13: in use by a running process"),
        "{r}"
    );
    assert_eq!(
        env.toolchain_dirs(),
        ["go1.21.13", "go1.22.10", "go1.22.9", "go1.23.4"]
    );
    let _ = busy.kill();
    let _ = busy.wait();
    let r = env.run_gover(["prune", "--dry-run"]).success();
    assert!(
        r.stdout.contains("remove  go1.21.13 (nothing uses it)"),
        "{r}"
    );
}

#[test]
fn upgrade_writes_through_a_link_only_inside_the_repository() {
    let m = mirror_with(&["1.22.9", "1.22.10"]);
    let env = env_for(&m);
    // A cloned repository whose .go-version leads outside it.
    let outside = env.write("home/.config/some-pin", "1.22.9\n");
    let repo = project(&env, "cloned");
    std::os::unix::fs::symlink(&outside, repo.join(".go-version")).unwrap();
    env.run_gover(["install", "1.22.9"]).success();
    let r = gover_in(&env, &repo, &["upgrade"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("refusing to write"), "{r}");
    assert!(r.stderr.contains("which is outside"), "{r}");
    assert_eq!(fs::read_to_string(&outside).unwrap(), "1.22.9\n");
    // A monorepo's link to its root pin is followed.
    let mono = project(&env, "mono");
    let svc = env.mkdir("mono/services/a");
    fs::write(mono.join(".go-version"), "1.22.9\n").unwrap();
    std::os::unix::fs::symlink("../../.go-version", svc.join(".go-version")).unwrap();
    gover_in(&env, &svc, &["upgrade"]).success();
    assert_eq!(
        fs::read_to_string(mono.join(".go-version")).unwrap(),
        "1.22.10\n"
    );
    assert!(fs::symlink_metadata(svc.join(".go-version"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn the_shim_s_automatic_install_remembers_the_project_and_its_runs_do_not() {
    let m = mirror_with(&["1.22.10"]);
    let mut env = env_for(&m);
    env.path = format!(
        "{}:{}",
        crate::support::gover_bin().parent().unwrap().display(),
        env.path
    );
    env.run_gover(["setup", "--no-modify-rc"]).success();
    let p = project(&env, "svc");
    fs::write(p.join(".go-version"), "1.22.10\n").unwrap();
    let go = || {
        run(env
            .command(env.gover_home.join("shims/go"))
            .arg("version")
            .current_dir(&p))
    };
    let r = go().success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let pins = env.gover_home.join("pins");
    let text = fs::read_to_string(&pins).unwrap();
    assert!(
        text.contains(&format!(
            "\t1.22.10\tgo1.22.10\t{}",
            p.join(".go-version").display()
        )),
        "{text}"
    );
    // Later runs of the shim write nothing.
    fs::remove_file(&pins).unwrap();
    go().success();
    assert!(!pins.exists(), "the shim wrote the record on a plain run");
}
