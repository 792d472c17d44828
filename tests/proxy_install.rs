//! Toolchains through GOPROXY, end to end: with `source = "proxy"` (or
//! `auto` and GOPROXY set), `gover install`, `use`, the shim's
//! auto-install and `list --remote` take toolchains and versions from the
//! loopback module proxy (`support::goproxy`, serving a tiny fake
//! toolchain), verified against its checksum database; the GOROOT equals a
//! tarball install's. Every failure (GOPROXY=off, a list whose proxies all
//! fail, a zip whose hash is not the record, hostile zips) exits 1 with a
//! message naming the proxy, the module and what to do, and leaves
//! nothing in `toolchains/` or `tmp/`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::support::goproxy::{self, Extra, GoProxy, Variant, DB_NAME, TOOLCHAIN_AT};
use crate::support::mirror::{host_platform, sha256_hex};
use crate::support::{gover_bin, run, Run, TestEnv};
use crate::trust_service::start;

const MODULE: &str = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64";

/// An environment installing from `goproxy` with the loopback database,
/// `source = "proxy"`.
fn env_for(p: &GoProxy, goproxy: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_SOURCE", "proxy")
        .set("GOPROXY", goproxy)
        .set("GOSUMDB", p.gosumdb(Variant::Good))
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "0");
    env
}

/// Asserts that nothing was installed and nothing is left in `tmp/`.
#[track_caller]
fn assert_clean(env: &TestEnv, r: &Run) {
    assert!(
        env.toolchain_dirs().is_empty(),
        "{:?}\n{r}",
        env.toolchain_dirs()
    );
    let tmp: Vec<_> = fs::read_dir(env.gover_home.join("tmp"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.is_empty(), "left in tmp/: {tmp:?}\n{r}");
    assert!(!env.gover_home.join("verified").exists(), "{r}");
}

/// A failed install: exit 1, the error names `what`, nothing left behind.
#[track_caller]
fn refused(env: &TestEnv, what: &[&str]) -> Run {
    let r = env.run_gover(["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    for w in what {
        assert!(r.stderr.contains(w), "missing `{w}`\n{r}");
    }
    assert_clean(env, &r);
    r
}

/// Every file of a GOROOT: relative path → (mode, content).
fn tree(root: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let mode = m.permissions().mode() & 0o7777;
            out.insert(rel, (mode, fs::read(&p).unwrap()));
        }
    }
    out
}

#[test]
fn source_proxy_installs_resolves_and_lists_from_the_proxy() {
    let env0 = TestEnv::new();
    let (p, archive) = start(&env0);
    let env = env_for(&p, &p.proxy_url(Variant::Good));

    // `1.22` is resolved from the proxy's list; the zip is verified.
    let r = env.run_gover(["-v", "install", "1.22"]).success();
    assert!(r.stderr.contains("Installed go1.22.10 to "), "{r}");
    assert!(
        r.stderr
            .contains("toolchains come from the module proxy: source = \"proxy\""),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "the record of the checksum database {DB_NAME} (record {TOOLCHAIN_AT}"
        )),
        "{r}"
    );
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    let r = run(env.command(goroot.join("bin/go")).arg("version")).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    let requests = p.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "golang.org/toolchain/@v/list"),
        "{requests:?}"
    );
    // How it was verified is recorded: the database, the zip's URL.
    let (os, arch) = host_platform();
    let rec: Value = serde_json::from_slice(
        &fs::read(
            env.gover_home
                .join(format!("verified/go1.22.10.{os}-{arch}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(rec["module"], MODULE);
    assert_eq!(rec["h1"], p.zip().h1);
    assert_eq!(rec["database"]["name"], DB_NAME);
    assert_eq!(rec["database"]["record_id"], TOOLCHAIN_AT);
    assert!(rec["source"].as_str().unwrap().ends_with(".zip"), "{rec}");
    assert!(rec.get("archive_sha256").is_none(), "{rec}");
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.starts_with("go1.22.10 ("), "{r}");

    // The same GOROOT as the tarball install, but for what the module
    // leaves out (doc/, test/).
    let env2 = TestEnv::new();
    let a = archive.to_str().unwrap();
    let sha = sha256_hex(&fs::read(&archive).unwrap());
    env2.run_gover(["install", "--from", a, "--sha256", &sha])
        .success();
    let mut from_tarball = tree(&env2.gover_home.join("toolchains/go1.22.10"));
    from_tarball.retain(|k, _| !k.starts_with("doc/") && !k.starts_with("test/"));
    assert_eq!(tree(&goroot), from_tarball);
    assert!(goroot.join("src/go.mod").is_file() && goroot.join("src/cmd/go.mod").is_file());

    // Already installed: nothing downloaded.
    p.clear_requests();
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("already installed"), "{r}");
    assert!(p.requests().is_empty(), "{:?}", p.requests());

    // `list --remote` lists the proxy's versions and says so.
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.22.10  (installed)\n", "{r}");
    assert!(r.stderr.contains("the module proxy"), "{r}");
    let r = env.run_gover(["list", "--remote", "--json"]).success();
    let items: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(items.len(), 1, "{r}");
    assert_eq!(items[0]["version"], "go1.22.10");
    assert_eq!(items[0]["source"], "proxy");
    assert_eq!(items[0]["module"], MODULE);
    assert!(
        items[0]["from"].as_str().unwrap().contains("/@v/list"),
        "{r}"
    );

    // A request the list cannot satisfy names the proxy's list.
    let r = env.run_gover(["install", "1.23"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains("no release in the module proxy's list"),
        "{r}"
    );
    assert!(r.stderr.contains("/@v/list"), "{r}");
}

#[test]
fn auto_uses_the_proxy_set_in_gos_env_file_and_the_shim_installs_from_it() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let mut env = TestEnv::new();
    // GOPROXY from Go's env file, as `go env -w GOPROXY=...` writes it.
    env.write(
        "home/.config/go/env",
        &format!("GOPROXY={}\n", p.proxy_url(Variant::Good)),
    );
    // An empty GOPROXY in the environment falls back to the file, as in Go.
    env.set("GOPROXY", "")
        .set("GOSUMDB", p.gosumdb(Variant::Good))
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_INDEX_URL", "http://127.0.0.1:9/index.json")
        .set("GOVER_MIRROR", "http://127.0.0.1:9/");
    env.path = format!("{}:{}", gover_bin().parent().unwrap().display(), env.path);
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    let mut go = env.command(env.gover_home.join("shims/go"));
    let r = run(go.arg("version")).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    assert!(r.stderr.contains("gover: Installed go1.22.10"), "{r}");
    assert!(
        p.requests().iter().any(|r| r.path.ends_with(".zip")),
        "{:?}",
        p.requests()
    );
    // `use latest` resolves from the proxy too.
    let r = env.run_gover(["use", "latest"]).success();
    assert!(r.stderr.contains("go1.22.10"), "{r}");
}

#[test]
fn goproxy_off_with_source_proxy_is_refused_naming_where_it_was_set() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let env = env_for(&p, "off");
    let r = refused(
        &env,
        &[
            "GOPROXY=off (from the environment) disables module downloads",
            "source = \"proxy\"",
            "GOVER_SOURCE=dl",
        ],
    );
    assert!(p.requests().is_empty(), "{:?}", p.requests());
    assert!(r.stderr.contains("hint: "), "{r}");
}

#[test]
fn the_proxy_list_is_walked_with_gos_rules_and_failures_name_the_proxy() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let good = p.proxy_url(Variant::Good);
    let stall = p.proxy_url(Variant::Stall);

    // `,` moves on after a 404.
    let env = env_for(&p, &format!("{},{good}", p.proxy_url(Variant::Status(404))));
    env.run_gover(["install", "1.22.10"]).success();
    assert!(env.gover_home.join("toolchains/go1.22.10/bin/go").is_file());

    // `|` moves on after a timeout.
    let env = env_for(&p, &format!("{stall}|{good}"));
    env.run_gover(["install", "1.22.10"]).success();

    // `,` stops at a timeout: the message names the proxy (credentials
    // masked) and the module, the hint GOPROXY.
    let secret_stall = stall.replace("http://", "http://me:s3cret@");
    let env = env_for(&p, &format!("{secret_stall},{good}"));
    let r = refused(&env, &[MODULE, "timed out", "GOPROXY=", "GOVER_SOURCE=dl"]);
    assert!(!r.stderr.contains("s3cret"), "{r}");
    assert!(
        r.stderr
            .contains(&stall.replace("http://", "http://me:***@")),
        "{r}"
    );

    // Every proxy answering 404: the last error, naming its URL.
    let gone = p.proxy_url(Variant::Status(410));
    let env = env_for(&p, &format!("{},{gone}", p.proxy_url(Variant::Status(404))));
    refused(&env, &[MODULE, &gone, "410"]);
}

#[test]
fn a_zip_that_is_not_the_record_is_refused_before_anything_is_unpacked() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    // The forged variant serves a tampered zip; the database is the good one.
    let env = env_for(&p, &p.proxy_url(Variant::ForgedRecord));
    let r = refused(
        &env,
        &[
            "is not the toolchain Go published",
            &p.tampered_zip().h1,
            &p.zip().h1,
            &p.proxy_url(Variant::ForgedRecord),
            "the proxy served altered files: nothing was installed",
        ],
    );
    assert!(!r.stderr.contains("Installed"), "{r}");
}

#[test]
fn hostile_zips_are_refused_with_nothing_left_behind() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let base = p.zip();
    let cases: [(&str, Extra<'_>, &str); 3] = [
        ("../../../evil", Extra::File(b"x"), "has a `..` component"),
        (
            "bin/link",
            Extra::Symlink("/etc/passwd"),
            "is not a regular file",
        ),
        ("bin/GO", Extra::File(b"x"), "collides with `bin/go`"),
    ];
    for (name, extra, why) in cases {
        // The database vouches for the hostile zip: only the policy stops it.
        let hostile = GoProxy::start(Arc::new(goproxy::with_entry(base, name, extra)));
        let mut env = env_for(&hostile, &hostile.proxy_url(Variant::Good));
        env.set("GOSUMDB", hostile.gosumdb(Variant::Good));
        refused(&env, &[why, MODULE, "nothing was installed"]);
    }
    // Oversized: more than the unpacking limit.
    let mut env = env_for(&p, &p.proxy_url(Variant::Good));
    env.set("GOVER_MAX_UNPACKED_BYTES", "100");
    refused(&env, &["unpacks to more than 100 bytes (limit)", MODULE]);
}

/// With toolchains from the proxy, `outdated` and `upgrade` compare pins
/// with the proxy's list (the release index is never read) and `upgrade`
/// installs from the proxy.
#[test]
fn outdated_and_upgrade_follow_the_proxy_s_list() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let mut env = env_for(&p, &p.proxy_url(Variant::Good));
    // Nothing serves a release index: reading one would fail the command.
    env.set("GOVER_INDEX_URL", "http://127.0.0.1:9/index.json")
        .set("GOVER_MIRROR", "http://127.0.0.1:9/");
    fs::create_dir_all(&env.gover_home).unwrap();
    let global = env.gover_home.join("version");
    fs::write(&global, "1.22.9\n").unwrap();

    let r = env.run_gover(["outdated", "--json"]);
    assert_eq!(r.code, 1, "{r}");
    let rows: Value = serde_json::from_str(&r.stdout).unwrap();
    let row = &rows[0];
    assert_eq!(row["kind"], "global", "{r}");
    assert_eq!(row["pinned"], "1.22.9", "{r}");
    assert_eq!(row["latest"], "go1.22.10", "{r}");
    assert_eq!(row["behind"], true, "{r}");

    p.clear_requests();
    let r = env.run_gover(["upgrade", "--all"]).success();
    assert_eq!(fs::read_to_string(&global).unwrap(), "1.22.10\n", "{r}");
    assert!(env.gover_home.join("toolchains/go1.22.10").is_dir(), "{r}");
    assert!(
        p.requests().iter().any(|q| q.path.ends_with(".zip")),
        "{:?}",
        p.requests()
    );
    let r = env.run_gover(["outdated"]).success();
    assert!(r.stdout.contains("go1.22.10 -> go1.22.10"), "{r}");
}

/// A go line's release the proxy does not list: as with the release
/// index, the newest patch of its line is offered, or installed with
/// `go_line_newest_patch`.
#[test]
fn a_go_line_release_missing_from_the_proxy_offers_or_installs_the_newest_patch() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let mut env = env_for(&p, &p.proxy_url(Variant::Good));
    let r = env.run_gover(["install", "--go-line", "1.22.9"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains("error: go1.22.9 is not in the module proxy's list ")
            && r.stderr.contains(
                "/@v/list, which has go1.22.10 of Go 1.22: this proxy keeps only some patch releases"
            ),
        "{r}"
    );
    assert!(
        r.stderr.contains("run `gover install 1.22`")
            && r.stderr.contains("go_line_newest_patch = true"),
        "{r}"
    );
    assert_clean(&env, &r);
    // Not from a go line: the proxy's own answer.
    let r = env.run_gover(["install", "1.22.9"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(!r.stderr.contains("go_line_newest_patch"), "{r}");

    env.set("GOVER_GO_LINE_NEWEST_PATCH", "1");
    let r = env.run_gover(["install", "--go-line", "1.22.9"]).success();
    assert!(
        r.stderr
            .contains("installing go1.22.10, the newest 1.22 release there"),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"], "{r}");
}

/// A proxy's zip needs the checksum database whatever `verify` says, so
/// its lookup keeps the settings' retries: a database failing for a
/// moment must not fail the install after a single retry.
#[test]
fn the_required_lookup_of_a_proxy_zip_keeps_every_retry() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let mut env = env_for(&p, &p.proxy_url(Variant::Good));
    env.set("GOSUMDB", p.gosumdb(Variant::Status(503)))
        .set("GOVER_HTTP_RETRIES", "3")
        .set("GOVER_HTTP_BACKOFF_MS", "10");
    for verify in ["", "warn"] {
        env.set("GOVER_VERIFY", verify);
        p.clear_requests();
        let r = refused(&env, &[MODULE]);
        let tries = p
            .requests()
            .iter()
            .filter(|s| s.variant == "status-503")
            .count();
        assert_eq!(tries, 4, "verify={verify}: {:?}\n{r}", p.requests());
    }
}

/// A proxy's list may leave out versions it serves (proxies that list only
/// what they have cached): a go line's release the list lacks, but which
/// the proxy has, is installed as asked, not refused in favour of a newer
/// patch the list names.
#[test]
fn a_go_line_release_the_proxy_serves_but_does_not_list_is_installed() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let dir = env0.root.join("cached-proxy");
    let at = dir.join("golang.org/toolchain/@v");
    fs::create_dir_all(&at).unwrap();
    let version = &p.zip().version;
    fs::write(at.join(format!("{version}.zip")), &*p.zip().bytes).unwrap();
    fs::write(at.join(format!("{version}.mod")), goproxy::GO_MOD).unwrap();
    fs::write(
        at.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2024-12-03T00:00:00Z\"}}\n"),
    )
    .unwrap();
    let newer = goproxy::host_module_version("go1.22.11");
    fs::write(at.join("list"), format!("{newer}\n")).unwrap();
    let env = env_for(&p, &format!("file://{}", dir.display()));

    let r = env.run_gover(["install", "--go-line", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10 to "), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"], "{r}");
}

/// The proxy's version list is cached when read: offline (or with the
/// proxies unreachable) `outdated` and `list --remote` use that copy, and
/// say so; with no copy they fail as before.
#[test]
fn the_proxy_s_version_list_is_cached_for_when_it_cannot_be_read() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let env = env_for(&p, &p.proxy_url(Variant::Good));
    fs::create_dir_all(&env.gover_home).unwrap();
    fs::write(env.gover_home.join("version"), "1.22.9\n").unwrap();

    let r = env.run_gover(["--offline", "outdated"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("offline"), "{r}");
    assert!(r.stdout.is_empty(), "{r}");

    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.22.10\n", "{r}");
    assert!(!r.stderr.contains("cached"), "{r}");

    p.clear_requests();
    for args in [
        &["--offline", "outdated", "--json"][..],
        &["--offline", "list", "--remote"][..],
    ] {
        let r = env.run_gover(args);
        assert!(
            r.stderr
                .contains("warning: the module proxy's version list cannot be read (")
                && r.stderr.contains("; using the copy cached at "),
            "{args:?}: {r}"
        );
        if args[1] == "outdated" {
            assert_eq!(r.code, 1, "{r}");
            let rows: Value = serde_json::from_str(&r.stdout).unwrap();
            assert_eq!(rows[0]["latest"], "go1.22.10", "{r}");
        } else {
            assert_eq!(r.code, 0, "{r}");
            assert_eq!(r.stdout, "go1.22.10\n", "{r}");
        }
    }
    assert!(p.requests().is_empty(), "{:?}", p.requests());

    // A cache that is a FIFO (or anything but a small regular file) is not
    // read: the command fails at once with the reason the proxies gave.
    let cached: Vec<_> = fs::read_dir(env.gover_home.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("toolchain-list-"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    fs::remove_file(&cached[0]).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(&cached[0])
        .status()
        .unwrap()
        .success());
    let r = crate::support::run_within(&mut env.gover(["--offline", "outdated"]), 20)
        .expect("outdated hung on a FIFO in place of the cached list");
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("offline"), "{r}");
    assert!(!r.stderr.contains("cached at"), "{r}");
}
