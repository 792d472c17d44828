//! `gover current`: the resolved version, its source, and errors.

use crate::support;

use std::fs;

use support::TestEnv;

#[test]
fn reports_version_and_source() {
    let t = TestEnv::new();
    t.install_fake("1.22.10");
    let pin = t.write("project/.go-version", "go1.22 # team pin\n");
    t.mkdir("project/a/b/c/d/e");
    let mut c = t.gover(["current"]);
    c.current_dir(t.project.join("a/b/c/d/e"));
    let r = support::run(&mut c).success();
    assert_eq!(
        r.stdout,
        format!("go1.22.10 (set by {}), installed\n", pin.display())
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn env_var_and_not_installed() {
    let mut t = TestEnv::new();
    t.set("GOVER_GO_VERSION", "1.21.13");
    let r = t.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        "go1.21.13 (set by GOVER_GO_VERSION), not installed\n"
    );
    assert!(r.stderr.contains("gover install"), "{r}");
}

#[test]
fn json_output() {
    let t = TestEnv::new();
    t.install_fake("1.22.10");
    let gomod = t.write(
        "project/go.mod",
        "module example.com/m\n\ngo 1.22.0\ntoolchain go1.22.10\n",
    );
    let r = t.run_gover(["current", "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], "go1.22.10");
    assert_eq!(v["request"], "1.22.10");
    assert_eq!(v["source"], gomod.display().to_string());
    assert_eq!(v["installed"], true);
    assert_eq!(
        v["path"],
        t.gover_home
            .join("toolchains/go1.22.10")
            .display()
            .to_string()
    );
    let r = t.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "go1.22.10 (go.mod toolchain line in {}), installed\n",
            gomod.display()
        )
    );
}

#[test]
fn global_default() {
    let t = TestEnv::new();
    t.set_global("1.21.13\n");
    let r = t.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "go1.21.13 (global default {}), not installed\n",
            t.gover_home.join("version").display()
        )
    );
}

#[test]
fn verbose_lists_rules() {
    let t = TestEnv::new();
    t.set_global("1.21.13\n");
    let r = t.run_gover(["current", "-v"]).success();
    assert!(
        r.stderr.contains("checked GOVER_GO_VERSION: not set"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "checked {}/.go-version: not found",
            t.project.display()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("version: 1.21.13"), "{r}");
}

#[test]
fn warns_when_pin_is_older_than_go_line() {
    let t = TestEnv::new();
    let pin = t.write("project/.go-version", "1.21.13\n");
    let gomod = t.write("project/svc/go.mod", "module svc\ngo 1.22.0\n");
    let mut c = t.gover(["current"]);
    c.current_dir(t.project.join("svc"));
    let r = support::run(&mut c).success();
    assert!(r.stdout.starts_with("go1.21.13 (set by "), "{r}");
    assert!(r.stderr.contains("warning:"), "{r}");
    assert!(r.stderr.contains(&pin.display().to_string()), "{r}");
    assert!(r.stderr.contains(&gomod.display().to_string()), "{r}");
}

#[test]
fn nothing_pinned_is_an_error_with_a_hint() {
    let t = TestEnv::new();
    let r = t.run_gover(["current"]).failure();
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with("error: no Go version is pinned for "),
        "{r}"
    );
    assert!(r.stderr.contains("hint: run `gover use 1.22`"), "{r}");
}

#[test]
fn json_failures_are_a_json_object_on_stdout_and_the_error_on_stderr() {
    let mut t = TestEnv::new();
    // Nothing pinned.
    let r = t.run_gover(["current", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "no-pin");
    assert_eq!(v["source"], serde_json::Value::Null);
    let message = v["error"].as_str().unwrap();
    assert!(message.starts_with("no Go version is pinned for "), "{r}");
    let hint = v["hint"].as_str().unwrap();
    assert_eq!(
        r.stderr,
        format!("error: {message}\n\nhint: {hint}\n"),
        "the same words on both streams"
    );
    // A broken pin file names the file.
    let pin = t.write("project/.go-version", "1.22x\n");
    let r = t.run_gover(["current", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "pin-file");
    assert_eq!(v["source"], pin.display().to_string());
    assert!(r.stderr.starts_with("error: "), "{r}");
    // A bad GOVER_GO_VERSION names the variable; -q keeps the JSON.
    fs::remove_file(&pin).unwrap();
    t.set("GOVER_GO_VERSION", "one.two");
    let r = t.run_gover(["-q", "current", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "env");
    assert_eq!(v["source"], "GOVER_GO_VERSION");
    // Without --json, stdout stays empty.
    let r = t.run_gover(["current"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r}");
}

#[test]
fn a_relative_gover_home_is_refused_by_gover_and_the_shim() {
    let mut t = TestEnv::new();
    t.set("GOVER_HOME", "rel/home");
    let r = t.run_gover(["current"]).failure();
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("error: GOVER_HOME=rel/home is a relative path, which would name another home in every directory"),
        "{r}"
    );
    let shim_dir = t.mkdir("shimdir");
    std::os::unix::fs::symlink(support::shim_bin(), shim_dir.join("go")).unwrap();
    let r = support::run(t.command(shim_dir.join("go")).arg("version")).failure();
    assert!(
        r.stderr
            .starts_with("gover: error: GOVER_HOME=rel/home is a relative path"),
        "{r}"
    );
    assert!(!t.project.join("rel").exists());
}

#[test]
fn bad_pin_files_fail_clearly() {
    let t = TestEnv::new();
    let cases: [(&str, &str); 4] = [
        ("bad1/.go-version", "`banana`"),
        ("bad2/go.mod", "invalid toolchain `bigcorp`"),
        ("bad3/.tool-versions", "`ref:abc`"),
        (
            "bad4/.go-version",
            "`1.21.0rc1`: Go does not accept a pre-release after a patch number",
        ),
    ];
    t.write("bad1/.go-version", "banana\n");
    t.write("bad2/go.mod", "module m\ngo 1.22.0\ntoolchain bigcorp\n");
    t.write("bad4/.go-version", "1.21.0rc1\n");
    t.write("bad3/.tool-versions", "golang ref:abc\n");
    for (rel, needle) in cases {
        let dir = t.root.join(rel).parent().unwrap().to_path_buf();
        let mut c = t.gover(["current"]);
        c.current_dir(&dir);
        let r = support::run(&mut c).failure();
        assert!(
            r.stderr.contains(&t.root.join(rel).display().to_string()),
            "{rel}: {r}"
        );
        assert!(r.stderr.contains(needle), "{rel}: {r}");
        assert!(!r.stderr.contains("panicked"), "{r}");
    }
    t.mkdir("dir/.go-version");
    let mut c = t.gover(["current"]);
    c.current_dir(t.root.join("dir"));
    let r = support::run(&mut c).failure();
    assert!(r.stderr.contains("is a directory"), "{r}");
    fs::write(t.root.join("huge"), vec![b'1'; 200_000]).unwrap();
    t.mkdir("hugedir");
    fs::rename(t.root.join("huge"), t.root.join("hugedir/.go-version")).unwrap();
    let mut c = t.gover(["current"]);
    c.current_dir(t.root.join("hugedir"));
    let r = support::run(&mut c).failure();
    assert!(r.stderr.contains("bytes"), "{r}");
}

#[test]
fn list_marks_the_current_toolchain_or_says_why_it_cannot() {
    let t = TestEnv::new();
    t.install_fake("1.22.10");
    t.install_fake("1.21.13");
    let pin = t.write("project/.go-version", "1.21\n");
    let r = t.run_gover(["list"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "  go1.22.10  [no verification record]\n* go1.21.13  (set by {})  [no verification record]\n",
            pin.display()
        )
    );
    assert_eq!(r.stderr, "");
    // A broken pin: the list still prints, and stderr says why nothing is marked.
    fs::write(&pin, "1.21.x\n").unwrap();
    let r = t.run_gover(["list"]).success();
    assert_eq!(
        r.stdout,
        "  go1.22.10  [no verification record]\n  go1.21.13  [no verification record]\n"
    );
    assert!(
        r.stderr
            .starts_with("warning: cannot tell which toolchain runs here")
            && r.stderr.contains(&pin.display().to_string())
            && r.stderr.contains("`1.21.x`"),
        "{r}"
    );
    // No pin at all is not worth a warning.
    fs::remove_file(&pin).unwrap();
    let r = t.run_gover(["list"]).success();
    assert_eq!(r.stderr, "", "{r}");
}

#[test]
fn a_broken_go_mod_under_a_pin_file_warns_but_does_not_fail() {
    // The shim runs the pinned Go here; `current`, `which` and `exec` must
    // agree with it instead of failing on a go.mod only Go itself reads.
    let t = TestEnv::new();
    t.install_fake("1.22.10");
    let pin = t.write("project/.go-version", "1.22\n");
    let gomod = t.write("project/go.mod", "module m\ngo 1.22.x\n");
    let r = t.run_gover(["current"]).success();
    assert_eq!(
        r.stdout,
        format!("go1.22.10 (set by {}), installed\n", pin.display())
    );
    assert!(
        r.stderr.starts_with(&format!(
            "warning: {}:2: invalid go version `1.22.x`",
            gomod.display()
        )),
        "{r}"
    );
    let r = t.run_gover(["which"]).success();
    assert!(r.stdout.ends_with("toolchains/go1.22.10/bin/go\n"), "{r}");
    let r = t.run_gover(["exec", "--", "go", "version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    // Without a pin file Go ignores the invalid go line (it compares as the
    // lowest version), and so does gover, saying so: the global default
    // runs, or nothing is pinned.
    fs::remove_file(&pin).unwrap();
    let r = t.run_gover(["current"]).failure();
    assert!(
        r.stderr.starts_with(&format!(
            "warning: {}:2: invalid go version `1.22.x`",
            gomod.display()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("error: no Go version is pinned"), "{r}");
    t.set_global("1.22.10\n");
    let r = t.run_gover(["current"]).success();
    assert!(r.stdout.starts_with("go1.22.10 (global default "), "{r}");
    assert!(r.stderr.contains("invalid go version `1.22.x`"), "{r}");
}
