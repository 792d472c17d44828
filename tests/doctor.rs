//! `gover doctor` end to end: a deliberately broken machine (apt's
//! `/usr/bin/go` first on PATH, a stale GOROOT, no shell setup,
//! GO111MODULE=off, a pin that is not installed) gets each problem with its
//! fix and exit 1; a healthy one (after a real `gover setup`) exits 0.

use crate::support;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use serde_json::Value;
use support::{write_fake_toolchain, Run, TestEnv};

/// A Debian-style `~/.bashrc` guard.
const BASHRC: &str = "# ~/.bashrc\n\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nHISTSIZE=1000\n";

fn shims(t: &TestEnv) -> PathBuf {
    t.gover_home.join("shims")
}

/// `root/fakeapt/usr/bin/go` -> `../lib/go-1.21/bin/go`, laid out like
/// apt's golang-go; returns its `usr/bin`.
fn apt_go(t: &TestEnv) -> PathBuf {
    let lib = t.mkdir("fakeapt/usr/lib/go-1.21");
    write_fake_toolchain(&lib, "1.21.5");
    let bin = t.mkdir("fakeapt/usr/bin");
    symlink("../lib/go-1.21/bin/go", bin.join("go")).unwrap();
    bin
}

fn json(r: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{r}"))
        .as_array()
        .expect("an array")
        .clone()
}

fn by_id<'a>(findings: &'a [Value], id: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["id"] == id).collect()
}

#[track_caller]
fn problem<'a>(findings: &'a [Value], id: &str) -> &'a Value {
    let v = by_id(findings, id);
    let p: Vec<&&Value> = v.iter().filter(|f| f["severity"] == "problem").collect();
    assert_eq!(p.len(), 1, "expected one `{id}` problem in {findings:#?}");
    assert!(
        p[0]["fix"].as_str().is_some_and(|f| !f.is_empty()),
        "{id} has no fix"
    );
    p[0]
}

/// The healthy machine: a fake go1.22.10 pinned here, `gover setup --shell
/// bash` run for real, the shims first on PATH, GOPATH's bin on PATH.
fn healthy() -> TestEnv {
    let mut t = TestEnv::new();
    t.write("home/.bashrc", BASHRC);
    t.write(
        "home/.profile",
        "if [ -n \"$BASH_VERSION\" ]; then\n    . \"$HOME/.bashrc\"\nfi\n",
    );
    t.install_fake("1.22.10");
    t.write("project/.go-version", "1.22.10\n");
    t.set("SHELL", "/bin/bash");
    t.run_gover(["setup", "--shell", "bash"]).success();
    t.path = format!(
        "{}:{}:{}",
        shims(&t).display(),
        t.home.join("go/bin").display(),
        t.path
    );
    t
}

#[test]
fn healthy_machine_exits_0() {
    let t = healthy();
    let r = t.run_gover(["doctor"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout.ends_with("No problems found (0 warnings).\n"),
        "{r}"
    );
    assert!(!r.stdout.contains("problems:"), "{r}");
    for line in [
        "  path.shims: `go` on PATH is gover's shim (",
        "  shell.bashrc: ~/.bashrc puts ",
        "  shell.bash-login: ~/.profile (read by bash login shells) puts ",
        "  pin.installed: go1.22.10 (set by ",
        "  toolchain.ok: go1.22.10 run and report their own version",
        "  shims.current: 3 shim(s) in ",
    ] {
        assert!(r.stdout.contains(line), "missing `{line}`\n{r}");
    }
    let f = json(&t.run_gover(["doctor", "--json"]));
    assert!(f.iter().all(|x| x["severity"] == "ok"), "{f:#?}");
    for x in &f {
        let keys: Vec<&String> = x.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["fix", "id", "message", "severity", "why"], "{x}");
    }
}

#[test]
fn broken_machine_reports_every_problem_with_its_fix_and_exits_1() {
    let mut t = TestEnv::new();
    t.set("SHELL", "/bin/bash");
    // Shims exist but apt's go comes first.
    t.install_fake("1.22.10");
    t.run_gover(["setup", "--no-modify-rc"]).success();
    let apt = apt_go(&t);
    t.path = format!("{}:{}:{}", apt.display(), shims(&t).display(), t.path);
    // A stale GOROOT from ~/.profile, GO111MODULE=off, no PATH block.
    let old = t.mkdir("old/go");
    write_fake_toolchain(&old, "1.21.5");
    t.write(
        "home/.profile",
        &format!("export GOROOT={}\nexport GO111MODULE=off\n", old.display()),
    );
    t.write("home/.bashrc", BASHRC);
    t.set("GOROOT", &old);
    t.set("GO111MODULE", "off");
    // A pin that is not installed.
    t.write("project/.go-version", "1.23.4\n");

    let r = t.run_gover(["doctor"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("problems:\n"), "{r}");
    let text_expect = [
        format!(
            "  path.shadowed: {}/go (apt's golang-go package in /usr/lib/go-1.21, go1.21.5) comes before gover's shims on PATH",
            apt.display()
        ),
        "      fix: `sudo apt remove golang-go golang-src`".to_string(),
        format!(
            "  goroot.env: GOROOT={} is go1.21.5 but go1.23.4 runs here (set at ~/.profile:1)",
            old.display()
        ),
        "delete the line that sets GOROOT at ~/.profile:1".to_string(),
        "  go111module: GO111MODULE=off (set in the environment)".to_string(),
        "delete the line that sets GO111MODULE at ~/.profile:2".to_string(),
        "  shell.bashrc: ~/.bashrc does not put ".to_string(),
        "      fix: run `gover setup --shell bash`, then open a new terminal".to_string(),
        "  shell.bash-login: ~/.profile, the file bash login shells read, does not put ".to_string(),
        "  pin.not-installed: go1.23.4 (set by ".to_string(),
        "      fix: `gover install` (run here: it installs what this directory pins, go1.23.4)"
            .to_string(),
    ];
    for want in &text_expect {
        assert!(r.stdout.contains(want.as_str()), "missing `{want}`\n{r}");
    }
    assert!(
        r.stdout.ends_with("then run `gover doctor` again.\n"),
        "{r}"
    );

    let r = t.run_gover(["doctor", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let f = json(&r);
    let shadow = problem(&f, "path.shadowed");
    assert!(
        shadow["why"].as_str().unwrap().contains("go1.21.5"),
        "{shadow}"
    );
    problem(&f, "goroot.env");
    problem(&f, "go111module");
    problem(&f, "shell.bashrc");
    problem(&f, "shell.bash-login");
    problem(&f, "pin.not-installed");
}

#[test]
fn warnings_alone_do_not_fail() {
    let mut t = healthy();
    // GOPATH's bin off PATH and a GOTOOLCHAIN in go env -w's file: warnings.
    t.path = format!("{}:/usr/local/bin:/usr/bin:/bin", shims(&t).display());
    t.write("home/.config/go/env", "GOTOOLCHAIN=go1.22.10+auto\n");
    let r = t.run_gover(["doctor"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("warnings:\n"), "{r}");
    assert!(
        r.stdout.contains(
            "  gotoolchain.go-env-file: ~/.config/go/env:1 sets GOTOOLCHAIN=go1.22.10+auto"
        ),
        "{r}"
    );
    assert!(
        r.stdout.contains("      fix: `go env -u GOTOOLCHAIN`"),
        "{r}"
    );
    assert!(
        r.stdout.ends_with("No problems found (2 warnings).\n"),
        "{r}"
    );
}

#[test]
fn stale_shims_and_broken_toolchains() {
    let t = healthy();
    // An old copy of some other binary where the gofmt shim should be, and
    // a toolchain whose go reports the wrong version.
    let gofmt = shims(&t).join("gofmt");
    fs::remove_file(&gofmt).unwrap();
    fs::write(&gofmt, "#!/bin/sh\necho old shim\n").unwrap();
    t.install_fake("1.21.0");
    let tc = t.gover_home.join("toolchains/go1.21.0/bin/go");
    fs::write(&tc, "#!/bin/sh\necho go version go1.20.3 linux/amd64\n").unwrap();
    let f = json(&t.run_gover(["doctor", "--json"]));
    let s = problem(&f, "shims.stale");
    assert!(s["message"].as_str().unwrap().ends_with(": gofmt"), "{s}");
    let w = problem(&f, "toolchain.wrong-version");
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .ends_with("reports go1.20.3, not go1.21.0"),
        "{w}"
    );
    assert_eq!(
        by_id(&f, "shims.missing")[0]["severity"],
        "warning",
        "no go1.21.0 shim"
    );
    // `gover setup --no-modify-rc` is the fix for the shims.
    t.run_gover(["setup", "--no-modify-rc"]).success();
    let f = json(&t.run_gover(["doctor", "--json"]));
    assert!(by_id(&f, "shims.stale").is_empty(), "{f:#?}");
}

#[test]
fn runs_even_when_the_config_is_broken() {
    let t = healthy();
    t.write("gover/config.toml", "auto_install = maybe\n");
    // Other commands refuse to run...
    t.run_gover(["current"]).failure();
    // ...doctor says why.
    let r = t.run_gover(["doctor"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("  config: "), "{r}");
    assert!(
        r.stdout
            .contains("config.toml:1: auto_install: expected a quoted string"),
        "{r}"
    );
}

/// Serves `body` with status 200 to every connection on a loopback port.
fn serve(body: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/dl/?mode=json&include=all")
}

const INDEX: &str = r#"[{"version":"go1.22.10","stable":true,"files":[{"filename":"go1.22.10.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.22.10","sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"archive"}]}]"#;

#[test]
fn network_probe_only_with_the_flag() {
    let mut t = healthy();
    let url = serve(INDEX);
    t.set("GOVER_INDEX_URL", &url);
    let f = json(&t.run_gover(["doctor", "--json"]));
    assert!(
        by_id(&f, "network.reachable").is_empty(),
        "no probe without --network"
    );
    let index = by_id(&f, "network.index");
    assert!(
        index[0]["message"]
            .as_str()
            .unwrap()
            .contains("(GOVER_INDEX_URL)"),
        "{f:#?}"
    );
    assert_eq!(index[0]["severity"], "warning", "plain http index: {f:#?}");

    let r = t.run_gover(["doctor", "--network", "--json"]);
    let f = json(&r);
    let ok = by_id(&f, "network.reachable");
    assert_eq!(ok[0]["severity"], "ok", "{r}");
    assert!(
        ok[0]["message"]
            .as_str()
            .unwrap()
            .contains("lists 1 releases, newest stable go1.22.10"),
        "{r}"
    );

    // A port nobody listens on.
    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    t.set("GOVER_INDEX_URL", format!("http://{dead}/index.json"));
    t.set("GOVER_HTTP_TIMEOUT", "2");
    let r = t.run_gover(["doctor", "--network"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stdout
            .contains("  network.reachable: the release index does not answer: "),
        "{r}"
    );

    // A local index file.
    let file = t.write("mirror/index.json", INDEX);
    t.set("GOVER_INDEX_URL", format!("file://{}", file.display()));
    let r = t.run_gover(["doctor", "--network"]);
    assert!(
        r.stdout
            .contains("  network.reachable: the release index answers: "),
        "{r}"
    );
    // Offline: not asked.
    t.set("GOVER_OFFLINE", "1");
    let r = t.run_gover(["doctor", "--network"]);
    assert!(
        r.stdout
            .contains("not checking whether the index answers: offline mode"),
        "{r}"
    );
}

#[test]
fn fifos_never_hang_doctor() {
    let t = healthy();
    let fifo = t.home.join(".config/go/env");
    fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let r = support::run_within(&mut t.gover(["doctor"]), 30).expect("doctor hung on a FIFO");
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stdout.contains(
            "  go-env-file: ~/.config/go/env, the file `go env -w` writes, cannot be read: is not a regular file (a FIFO)"
        ),
        "{r}"
    );
    // A local index that is a FIFO, with --network.
    let mut t = t;
    let index = t.root.join("index-fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&index)
        .status()
        .unwrap()
        .success());
    t.set("GOVER_INDEX_URL", format!("file://{}", index.display()));
    let r = support::run_within(&mut t.gover(["doctor", "--network"]), 30)
        .expect("doctor --network hung on a FIFO index");
    assert!(
        r.stdout
            .contains("network.reachable: the release index does not answer: cannot read"),
        "{r}"
    );
}

#[test]
fn credentials_never_show() {
    for (var, value, secret) in [
        (
            "GOVER_INDEX_URL",
            "http://alice:s3cr'e(t)@127.0.0.1:9/dl/?mode=json",
            "s3cr'e(t)",
        ),
        (
            "GOVER_INDEX_URL",
            "http://alice:pa\"ss#w0rd@127.0.0.1:9/dl/",
            "pa\"ss#w0rd",
        ),
        (
            "GOVER_MIRROR",
            "https://bob:hunter(2)@mirror.example/go/",
            "hunter(2)",
        ),
        (
            "GOVER_MIRROR",
            "https://ghp_t0ken'x@mirror.example/go/",
            "ghp_t0ken'x",
        ),
        (
            "HTTPS_PROXY",
            "http://carol:pr(o)xy'pw@proxy:3128",
            "pr(o)xy'pw",
        ),
        (
            "HTTPS_PROXY",
            "dave:n0-scheme\"pw@proxy:3128",
            "n0-scheme\"pw",
        ),
    ] {
        let mut t = healthy();
        t.set(var, value);
        t.set("GOVER_HTTP_TIMEOUT", "2");
        for args in [
            &["doctor"][..],
            &["doctor", "--json"],
            &["doctor", "--network"],
        ] {
            let r = t.run_gover(args);
            assert!(
                !r.stdout.contains(secret) && !r.stderr.contains(secret),
                "{var}={value}: {args:?} shows the secret\n{r}"
            );
            assert!(r.stdout.contains("***@"), "{var}={value}: {args:?}\n{r}");
        }
    }
}

#[test]
fn names_from_the_disk_never_reach_the_terminal_raw() {
    let t = healthy();
    t.mkdir("gover/toolchains/go1.22\u{1b}]0;pwned\u{7}\u{1b}[2J");
    let r = t.run_gover(["doctor"]);
    assert!(
        !r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("go1.22\\u{1b}]0;pwned\\u{7}\\u{1b}[2J is not a toolchain gover installed"),
        "{r}"
    );
    let r = t.run_gover(["doctor", "--json"]);
    assert!(!r.stdout.contains("\\u001b"), "{r}");
}

#[test]
fn only_gover_scratch_entries_are_leftovers() {
    let t = healthy();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for name in [
        "backup@2024",
        "go1.22.10@notes",
        "go1.22.10@install-1234-5-0",
    ] {
        let d = t.mkdir(&format!("gover/tmp/{name}"));
        fs::File::open(&d).unwrap().set_modified(old).unwrap();
    }
    let r = t.run_gover(["doctor"]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("toolchain.leftovers"))
        .unwrap_or_else(|| panic!("{r}"));
    assert!(line.contains("1 leftover(s)"), "{r}");
    assert!(line.contains("go1.22.10@install-1234-5-0"), "{r}");
    assert!(
        !r.stdout.contains("backup@2024") && !r.stdout.contains("@notes"),
        "{r}"
    );
}

#[test]
fn a_toolchain_put_first_by_gover_env_is_recognised_as_gover_s_own() {
    // `eval "$(gover env 1.21.13)"` in this shell, then `gover doctor`.
    let t = healthy();
    t.install_fake("1.21.13");
    let gover = support::gover_bin();
    let script = format!(
        "eval \"$('{g}' env 1.21.13)\" && '{g}' doctor --json",
        g = gover.display()
    );
    let r = support::run(t.command("sh").args(["-c", &script]));
    let f = json(&r);
    let p = problem(&f, "path.shadowed");
    let toolchain = t.gover_home.join("toolchains/go1.21.13/bin/go");
    assert!(
        p["message"].as_str().unwrap().starts_with(&format!(
            "{} (gover's own go1.21.13, put on PATH by `gover env` or `gover exec`",
            toolchain.display()
        )),
        "{p:#}"
    );
    let fix = p["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("nothing to delete: go1.21.13 is gover's own toolchain"),
        "{fix}"
    );
    assert!(!fix.contains("rm "), "{fix}");
}
