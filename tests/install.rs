//! End-to-end tests of `gover install`, `gover uninstall` and `gover list`
//! against a mirror on 127.0.0.1 that serves tiny fake toolchains and
//! injects faults.

use crate::support;
use crate::support::archive;
use crate::support::mirror;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use archive::{Entry, Kind};
use mirror::{host_filename, sha256_hex, Fault, Mirror};
use support::tls::{Serve, TlsServer};
use support::{Run, TestEnv};

/// A test environment pointed at `m`, with short timeouts and retries.
pub(crate) fn env_for(m: &Mirror) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "2")
        .set("GOVER_HTTP_BACKOFF_MS", "20")
        // Tests change the index between runs: always revalidate it.
        .set("GOVER_INDEX_TTL", "0");
    env
}

fn toolchain(env: &TestEnv, v: &str) -> PathBuf {
    env.gover_home.join("toolchains").join(format!("go{v}"))
}

/// Entries left in `GOVER_HOME/tmp` (interrupted or failed installs).
fn tmp_entries(env: &TestEnv) -> Vec<String> {
    match fs::read_dir(env.gover_home.join("tmp")) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Asserts a failed install left `toolchains/` exactly as `before` and
/// nothing behind in `tmp/`.
#[track_caller]
fn assert_nothing_new(env: &TestEnv, before: &[String]) {
    assert_eq!(env.toolchain_dirs(), before, "toolchains/ changed");
    assert!(
        tmp_entries(env).is_empty(),
        "tmp/ not cleaned: {:?}",
        tmp_entries(env)
    );
}

/// A mirror with go1.21.13 installed from it, so each fault test can check
/// that an earlier install is untouched.
fn with_earlier_install() -> (Mirror, TestEnv) {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    let env = env_for(&m);
    env.run_gover(["install", "1.21.13"]).success();
    (m, env)
}

#[track_caller]
fn assert_earlier_intact(env: &TestEnv) {
    let go = toolchain(env, "1.21.13").join("bin/go");
    let text = fs::read_to_string(&go).unwrap();
    assert!(text.contains("go1.21.13"), "{text}");
    assert_eq!(
        fs::read_to_string(toolchain(env, "1.21.13").join("VERSION")).unwrap(),
        "go1.21.13\ntime 2024-01-01T00:00:00Z\n"
    );
}

#[test]
fn installs_verifies_and_lays_out_the_toolchain() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]).success();
    let dir = toolchain(&env, "1.22.10");
    assert!(
        r.stderr
            .contains(&format!("Installed go1.22.10 to {} in ", dir.display())),
        "{r}"
    );
    assert!(r.stdout.is_empty(), "{r}");
    // Linked from the store: read-only.
    assert_eq!(mode(&dir.join("bin/go")), 0o555);
    assert_eq!(mode(&dir.join("pkg/tool/linux_amd64/compile")), 0o555);
    assert_eq!(mode(&dir.join("VERSION")), 0o444);
    assert_eq!(mode(&dir.join("src/fmt/print.go")), 0o444);
    assert_eq!(mode(&dir.join("src/fmt")), 0o755);
    let out = std::process::Command::new(dir.join("bin/go"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "go version go1.22.10 linux/amd64\n"
    );
    assert!(tmp_entries(&env).is_empty());
    assert_eq!(m.requests_for(&file).len(), 1);

    // Again: already installed, nothing downloaded, exit 0.
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(
        r.stderr.contains("go1.22.10 is already installed at"),
        "{r}"
    );
    assert_eq!(m.requests_for(&file).len(), 1);

    // --force reinstalls over it.
    fs::write(dir.join("marker"), "old").unwrap();
    let r = env.run_gover(["install", "--force", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert!(!dir.join("marker").exists());
    assert!(dir.join("bin/go").is_file());
    assert!(tmp_entries(&env).is_empty());

    // -q prints nothing on success.
    let r = env
        .run_gover(["-q", "install", "--force", "1.22.10"])
        .success();
    assert_eq!(r.stderr, "", "{r}");

    // While --force replaces it, the toolchain never goes missing: the new
    // tree is swapped in with one atomic rename.
    if cfg!(any(target_os = "linux", target_os = "macos")) {
        let go = dir.join("bin/go");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (go, stop) = (go.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut looks, mut missing) = (0u64, 0u64);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    looks += 1;
                    if fs::symlink_metadata(&go).is_err() {
                        missing += 1;
                    }
                }
                (looks, missing)
            })
        };
        for _ in 0..3 {
            env.run_gover(["-q", "install", "--force", "1.22.10"])
                .success();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let (looks, missing) = watcher.join().unwrap();
        assert!(looks > 100, "the watcher ran only {looks} times");
        assert_eq!(missing, 0, "bin/go was missing {missing} of {looks} times");
        assert!(go.is_file());
        assert!(tmp_entries(&env).is_empty());
    }
}

#[test]
fn resolves_requests_against_the_index_and_lists() {
    let m = Mirror::start();
    for v in ["1.21.13", "1.22.9", "1.22.10"] {
        m.publish(v, archive::toolchain(v));
    }
    m.publish_as(
        "1.23rc1",
        archive::toolchain("1.23rc1"),
        &sha256_hex(&archive::toolchain("1.23rc1")),
        false,
    );
    let env = env_for(&m);

    let r = env.run_gover(["install", "1.22"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let r = env.run_gover(["install", "latest"]).success();
    assert!(r.stderr.contains("go1.22.10 is already installed"), "{r}");
    let r = env.run_gover(["install", "go1.23rc1", "1.21.13"]).success();
    assert!(r.stderr.contains("Installed go1.23rc1"), "{r}");
    assert!(r.stderr.contains("Installed go1.21.13"), "{r}");

    // The pin marks the current one.
    env.write("project/.go-version", "1.22.10\n");
    let r = env.run_gover(["list"]).success();
    let pin = env.project.join(".go-version");
    assert_eq!(
        r.stdout,
        format!(
            "  go1.23rc1  [index sha256 only]\n* go1.22.10  (set by {})  [index sha256 only]\n  go1.21.13  [index sha256 only]\n",
            pin.display()
        )
    );
    let r = env.run_gover(["list", "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[1]["version"], "go1.22.10");
    assert_eq!(v[1]["current"], true);
    assert_eq!(v[0]["current"], false);
    assert_eq!(
        v[1]["path"],
        toolchain(&env, "1.22.10").display().to_string()
    );

    // A release published only for another platform is not offered here.
    m.add_release(
        "1.22.11",
        true,
        vec![mirror::IndexFile {
            filename: "go1.22.11.freebsd-riscv64.tar.gz".into(),
            os: "freebsd".into(),
            arch: "riscv64".into(),
            sha256: "ab".repeat(32),
            size: 1234,
            kind: "archive".into(),
        }],
    );
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(
        r.stdout,
        "go1.22.10  (installed)\ngo1.22.9\ngo1.21.13  (installed)\n"
    );
    let (os, arch) = mirror::host_platform();
    assert!(
        r.stderr.contains(&format!(
            "note: 1 release in {} has no {os}-{arch} archive and is not listed",
            m.index_url()
        )),
        "{r}"
    );
    let r = env
        .run_gover([
            "list",
            "--remote",
            "--platform",
            "freebsd-riscv64",
            "--json",
        ])
        .success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{r}");
    assert_eq!(v[0]["version"], "go1.22.11");
    assert_eq!(v[0]["filename"], "go1.22.11.freebsd-riscv64.tar.gz");
    assert_eq!(v[0]["size"], 1234);
    assert_eq!(v[0]["installed"], false);
    let r = env
        .run_gover(["list", "--remote", "--platform", "plan9"])
        .failure();
    assert!(r.stderr.contains("invalid platform `plan9`"), "{r}");
    let r = env
        .run_gover(["list", "--remote", "--all", "--json"])
        .success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["version"], "go1.23rc1");
    assert_eq!(v[0]["stable"], false);
    assert_eq!(v[0]["installed"], true);
    assert_eq!(v[0]["filename"], host_filename("1.23rc1"));
    assert_eq!(v.as_array().unwrap().len(), 4);
}

#[test]
fn installs_what_the_directory_pins_when_no_version_is_given() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, archive::toolchain(v));
    }
    let env = env_for(&m);
    env.write("project/.go-version", "1.22\n");
    let r = env.run_gover(["install"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let r = env.run_gover(["install"]).success();
    assert!(r.stderr.contains("go1.22.10 is already installed"), "{r}");
    fs::remove_file(env.project.join(".go-version")).unwrap();
    let r = env.run_gover(["install"]).failure();
    assert!(r.stderr.contains("error: no Go version is pinned"), "{r}");
}

#[test]
fn unknown_versions_and_platforms_are_named() {
    let (m, env) = with_earlier_install();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.add_release(
        "1.22.10",
        true,
        vec![mirror::IndexFile {
            filename: "go1.22.10.windows-amd64.zip".into(),
            os: "windows".into(),
            arch: "amd64".into(),
            sha256: "00".repeat(32),
            size: 10,
            kind: "archive".into(),
        }],
    );
    let before = env.toolchain_dirs();

    let r = env.run_gover(["install", "1.22.99"]).failure();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "error: go1.22.99 is not in the release index {}; nearest available: go1.22.10",
            m.index_url()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint: run `gover list --remote --all`"),
        "{r}"
    );

    let r = env
        .run_gover(["install", "1.22.10", "--platform", "plan9-arm"])
        .failure();
    assert!(
        r.stderr
            .contains("go1.22.10 has no archive for plan9-arm in the release index"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: go1.22.10 was not published for plan9-arm"),
        "{r}"
    );

    let r = env
        .run_gover(["install", "1.22.10", "--platform", "windows-amd64"])
        .failure();
    assert!(r.stderr.contains("only published as a .zip archive"), "{r}");

    let r = env
        .run_gover(["install", "1.22.10", "--platform", "linux"])
        .failure();
    assert!(r.stderr.contains("invalid platform `linux`"), "{r}");

    let r = env.run_gover(["install", "1.22.x"]).failure();
    assert!(r.stderr.contains("invalid Go version `1.22.x`"), "{r}");
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

/// An archive damaged anywhere is reported as a checksum mismatch (the
/// bytes are not the release), wherever the damage makes the unpacking
/// stumble (a gzip error, a garbled tar header, an entry the policy
/// refuses) and however far the download has got by then.
#[test]
fn damage_anywhere_is_a_checksum_mismatch() {
    // 12 MB that do not compress, so most of the archive is still on its
    // way when early damage is met.
    let good = support::hostile::incompressible_toolchain("1.22.10", 12 << 10);
    let m = Mirror::start();
    let file = m.publish("1.22.10", good.clone());
    let env = env_for(&m);
    for at in [
        64,
        2 << 20,
        good.len() / 3,
        good.len() / 2,
        good.len() - 4096,
    ] {
        let mut damaged = good.clone();
        for b in &mut damaged[at..at + 512] {
            *b ^= 0x5a;
        }
        m.put(&file, damaged);
        let r = env.run_gover(["install", "1.22.10"]);
        assert_eq!(r.code, 1, "damage at {at}: {r}");
        assert!(
            r.stderr
                .contains(&format!("error: checksum mismatch for {file} from ")),
            "damage at {at}: {r}"
        );
        assert!(env.toolchain_dirs().is_empty(), "damage at {at}: {r}");
    }
    m.put(&file, good);
    env.run_gover(["install", "1.22.10"]).success();
}

#[test]
fn checksum_mismatch_names_both_digests_and_their_source() {
    let (m, env) = with_earlier_install();
    let archive = archive::toolchain("1.22.10");
    let real = sha256_hex(&archive);
    let claimed = "ab".repeat(32);
    m.publish_as("1.22.10", archive, &claimed, true);
    let before = env.toolchain_dirs();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "error: checksum mismatch for {} from {}{}",
            host_filename("1.22.10"),
            m.url(),
            host_filename("1.22.10")
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "expected sha256 {claimed} (from the release index {})",
            m.index_url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains(&format!("computed sha256 {real}")), "{r}");
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

#[test]
fn archive_naming_another_version_is_refused() {
    let (m, env) = with_earlier_install();
    m.publish("1.22.10", archive::toolchain("1.22.9"));
    let before = env.toolchain_dirs();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains("holds go1.22.9 (go/VERSION), not go1.22.10"),
        "{r}"
    );
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

#[test]
fn truncated_and_short_bodies_fail_cleanly() {
    let (m, env) = with_earlier_install();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    let before = env.toolchain_dirs();

    m.fault(&file, Fault::TruncateAt(len / 2), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: the download of {}{file} was cut short after {} of {len} bytes",
            m.url(),
            len / 2
        )),
        "{r}"
    );
    assert!(r.stderr.contains("hint: check your network"), "{r}");
    // It retried with a Range request from where it stopped.
    assert!(m
        .requests_for(&file)
        .iter()
        .any(|q| q.header("range") == Some(&format!("bytes={}-", len / 2))));
    assert_nothing_new(&env, &before);

    // A complete response, shorter than the index says: not a network
    // problem to retry, but another file than the index describes.
    m.fault(&file, Fault::ShortFile(len - 100), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: {file} from {}{file} has {} bytes, but the release index lists {len}: the mirror serves another file than the index describes",
            m.url(),
            len - 100
        )),
        "{r}"
    );
    assert!(r.stderr.contains("a wrong or tampered file"), "{r}");
    assert!(!r.stderr.contains("try again later"), "{r}");
    assert!(!r.stderr.contains("truncated"), "{r}");
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

#[test]
fn connection_resets_resume_with_range_or_fail_after_retries() {
    let (m, env) = with_earlier_install();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    let before = env.toolchain_dirs();

    m.fault(&file, Fault::ResetAt(len / 3), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains(&format!("error: the download of {}{file}", m.url())),
        "{r}"
    );
    assert!(r.stderr.contains("(tried 3 times)"), "{r}");
    assert_nothing_new(&env, &before);

    // One reset: the second request resumes where the first stopped.
    m.fault(&file, Fault::ResetAt(len / 3), Some(1));
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("resuming at byte"), "{r}");
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let last = m.requests_for(&file).pop().unwrap();
    assert_eq!(last.status, 206, "{last:?}");
    assert!(
        last.header("range").unwrap().starts_with("bytes="),
        "{last:?}"
    );
    assert_earlier_intact(&env);
}

#[test]
fn a_stalled_download_times_out() {
    let (m, mut env) = with_earlier_install();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    m.fault(&file, Fault::StallAt(len / 2), None);
    env.set("GOVER_HTTP_TIMEOUT", "1")
        .set("GOVER_HTTP_RETRIES", "1");
    let before = env.toolchain_dirs();
    let t = Instant::now();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    assert!(
        r.stderr
            .contains(&format!("was cut short after {} of {len} bytes", len / 2)),
        "{r}"
    );
    assert!(r.stderr.contains("timed out"), "{r}");
    assert!(r.stderr.contains("GOVER_HTTP_TIMEOUT"), "{r}");
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

#[test]
fn http_errors_name_the_url_and_status() {
    let (m, env) = with_earlier_install();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let before = env.toolchain_dirs();

    m.fault(&file, Fault::Status(404), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}{file} returned HTTP 404 Not Found",
            m.url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_MIRROR"), "{r}");
    assert_nothing_new(&env, &before);

    m.fault(&file, Fault::Status(500), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}{file} failed: HTTP 500 Internal Server Error (tried 3 times)",
            m.url()
        )),
        "{r}"
    );
    assert_nothing_new(&env, &before);

    // A passing 503 is retried.
    m.fault(&file, Fault::Status(503), Some(1));
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("retrying"), "{r}");
    assert_earlier_intact(&env);
}

#[test]
fn malicious_archives_are_refused_entry_by_entry() {
    let (m, env) = with_earlier_install();
    let before = env.toolchain_dirs();
    let file = host_filename("1.22.10");
    let cases: Vec<(Vec<Entry>, &str)> = vec![
        (
            vec![Entry::file("go/../../evil", 0o644, "x")],
            "entry `go/../../evil` has a `..` component",
        ),
        (
            vec![Entry::file("/tmp/gover-evil", 0o644, "x")],
            "entry `/tmp/gover-evil` has an absolute path",
        ),
        (
            vec![Entry::file("evil/x", 0o644, "x")],
            "entry `evil/x` lies outside the top-level go/ directory",
        ),
        (
            vec![Entry::special("go/bin/sh", Kind::Symlink, "/bin/sh")],
            "entry `go/bin/sh` is a symbolic link (to `/bin/sh`)",
        ),
        (
            vec![Entry::special("go/bin/up", Kind::Symlink, "../../..")],
            "entry `go/bin/up` is a symbolic link",
        ),
        (
            vec![Entry::special(
                "go/bin/gofmt2",
                Kind::HardLink,
                "go/bin/gofmt",
            )],
            "entry `go/bin/gofmt2` is a hard link",
        ),
        (
            vec![Entry::special("go/dev/null", Kind::CharDevice, "")],
            "entry `go/dev/null` is a device node",
        ),
        (
            vec![Entry::special("go/dev/sda", Kind::BlockDevice, "")],
            "entry `go/dev/sda` is a device node",
        ),
        (
            vec![Entry::special("go/fifo", Kind::Fifo, "")],
            "entry `go/fifo` is a FIFO",
        ),
        (
            vec![Entry::file("go/VERSION", 0o644, "go1.22.10\n")],
            "entry `go/VERSION` appears twice",
        ),
        (
            vec![Entry {
                claimed_size: Some(3 << 30),
                ..Entry::file("go/huge", 0o644, "x")
            }],
            "it unpacks to more than 2147483648 bytes (limit)",
        ),
    ];
    for (extra, want) in cases {
        m.publish("1.22.10", archive::toolchain_with("1.22.10", extra));
        let r = env.run_gover(["install", "1.22.10"]).failure();
        assert_eq!(r.code, 1, "{want}\n{r}");
        assert!(
            r.stderr
                .contains(&format!("error: refusing to unpack {file}: "))
                && r.stderr.contains(want),
            "want {want:?}\n{r}"
        );
        assert_nothing_new(&env, &before);
        assert!(!env.root.join("evil").exists());
        assert!(!Path::new("/tmp/gover-evil").exists());
    }
    assert_earlier_intact(&env);
}

#[test]
fn decompression_bombs_and_entry_floods_hit_the_caps() {
    let (m, mut env) = with_earlier_install();
    let before = env.toolchain_dirs();
    env.set("GOVER_MAX_UNPACKED_BYTES", "100000");
    m.publish(
        "1.22.10",
        archive::toolchain_with(
            "1.22.10",
            vec![Entry::file("go/zeros", 0o644, vec![0u8; 4 << 20])],
        ),
    );
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains("it unpacks to more than 100000 bytes (limit)"),
        "{r}"
    );
    assert_nothing_new(&env, &before);

    env.set("GOVER_MAX_UNPACKED_BYTES", "")
        .set("GOVER_MAX_ENTRIES", "20");
    let flood = (0..50)
        .map(|i| Entry::file(&format!("go/flood/{i}"), 0o644, "x"))
        .collect();
    m.publish("1.22.10", archive::toolchain_with("1.22.10", flood));
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains("it has more than 20 entries (limit)"),
        "{r}"
    );
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
}

#[test]
fn modes_are_normalised() {
    let m = Mirror::start();
    m.publish(
        "1.22.10",
        archive::toolchain_with(
            "1.22.10",
            vec![
                Entry::file("go/bin/suid", 0o6777, "#!/bin/sh\n"),
                Entry::file("go/lib/shared", 0o666, "data"),
                Entry::file("go/lib/sticky", 0o1644, "data"),
            ],
        ),
    );
    let env = env_for(&m);
    env.run_gover(["install", "1.22.10"]).success();
    let dir = toolchain(&env, "1.22.10");
    assert_eq!(mode(&dir.join("bin/suid")), 0o555);
    assert_eq!(mode(&dir.join("lib/shared")), 0o444);
    assert_eq!(mode(&dir.join("lib/sticky")), 0o444);
    // Without the store, the modes of an ordinary copy.
    support::run(
        env.gover(["install", "--force", "1.22.10"])
            .env("GOVER_LINK_MODE", "copy"),
    )
    .success();
    assert_eq!(mode(&dir.join("bin/suid")), 0o755);
    assert_eq!(mode(&dir.join("lib/shared")), 0o644);
    assert_eq!(mode(&dir.join("lib/sticky")), 0o644);
}

#[test]
fn corrupt_gzip_with_the_right_checksum_is_a_bad_archive() {
    let (m, env) = with_earlier_install();
    let mut bytes = archive::toolchain("1.22.10");
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 16] {
        *b ^= 0x5a;
    }
    m.publish("1.22.10", bytes);
    let before = env.toolchain_dirs();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: {} is not a valid .tar.gz archive",
            host_filename("1.22.10")
        )),
        "{r}"
    );
    assert_nothing_new(&env, &before);
}

pub(crate) fn spawn_install(env: &TestEnv, args: &[&str]) -> Child {
    env.gover(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub(crate) fn wait_run(c: Child) -> Run {
    let o = c.wait_with_output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[track_caller]
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn concurrent_installs_of_one_version_download_once() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.fault(&file, Fault::Delay(Duration::from_millis(600)), None);
    let env = env_for(&m);
    let children: Vec<Child> = (0..4)
        .map(|_| spawn_install(&env, &["install", "1.22.10"]))
        .collect();
    let runs: Vec<Run> = children.into_iter().map(wait_run).collect();
    for r in &runs {
        assert_eq!(r.code, 0, "{r}");
    }
    let installed = runs
        .iter()
        .filter(|r| r.stderr.contains("Installed go1.22.10"))
        .count();
    let already = runs
        .iter()
        .filter(|r| r.stderr.contains("go1.22.10 is already installed"))
        .count();
    assert_eq!((installed, already), (1, 3), "{runs:#?}");
    assert!(
        runs.iter().any(|r| r.stderr.contains(&format!(
            "waiting for another gover process working on go1.22.10 (lock file {})",
            env.gover_home.join("locks/go1.22.10.lock").display()
        ))),
        "{runs:#?}"
    );
    assert_eq!(m.requests_for(&file).len(), 1);
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"]);
    assert!(tmp_entries(&env).is_empty());
}

#[test]
fn concurrent_installs_of_different_versions_run_in_parallel() {
    let m = Mirror::start();
    let versions = ["1.19.13", "1.20.14", "1.21.13", "1.22.10"];
    for v in versions {
        let f = m.publish(v, archive::toolchain(v));
        m.fault(&f, Fault::Delay(Duration::from_millis(800)), None);
    }
    let env = env_for(&m);
    // Fetch the index once so the four processes only download archives.
    env.run_gover(["list", "--remote"]).success();
    let children: Vec<Child> = versions
        .iter()
        .map(|v| spawn_install(&env, &["install", v]))
        .collect();
    for c in children {
        let r = wait_run(c);
        assert_eq!(r.code, 0, "{r}");
        assert!(!r.stderr.contains("waiting"), "{r}");
    }
    assert_eq!(
        env.toolchain_dirs(),
        ["go1.19.13", "go1.20.14", "go1.21.13", "go1.22.10"]
    );
    assert!(m.max_concurrent() >= 2, "downloads did not overlap");
}

#[test]
fn lock_timeout_names_the_lock_file() {
    let m = Mirror::start();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    m.fault(&file, Fault::StallAt(len / 2), None);
    let mut env = env_for(&m);
    env.set("GOVER_HTTP_TIMEOUT", "30");
    let mut holder = spawn_install(&env, &["install", "1.22.10"]);
    wait_for("the first download", || !m.requests_for(&file).is_empty());
    env.set("GOVER_LOCK_TIMEOUT", "1");
    let r = env.run_gover(["install", "1.22.10"]).failure();
    let lock = env.gover_home.join("locks/go1.22.10.lock");
    assert!(r.stderr.contains(&format!(
        "error: timed out after 1s waiting for another gover process working on go1.22.10 (lock file {})",
        lock.display()
    )), "{r}");
    assert!(r.stderr.contains("GOVER_LOCK_TIMEOUT"), "{r}");
    holder.kill().unwrap();
    holder.wait().unwrap();
}

#[test]
fn sigkill_mid_download_leaves_nothing_installed_and_a_rerun_succeeds() {
    let (m, mut env) = with_earlier_install();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    m.fault(&file, Fault::StallAt(len / 2), None);
    env.set("GOVER_HTTP_TIMEOUT", "30");
    let before = env.toolchain_dirs();
    let mut child = spawn_install(&env, &["install", "1.22.10"]);
    wait_for("the download to start", || {
        !m.requests_for(&file).is_empty()
    });
    wait_for("the unpack directory", || !tmp_entries(&env).is_empty());
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(env.toolchain_dirs(), before);
    let left = tmp_entries(&env);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("go1.22.10@install-"), "{left:?}");
    assert!(!env
        .run_gover(["list"])
        .success()
        .stdout
        .contains("go1.22.10"));

    m.clear_fault(&file);
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(
        !r.stderr.contains("waiting"),
        "the dead holder's lock was not free\n{r}"
    );
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert!(tmp_entries(&env).is_empty(), "{:?}", tmp_entries(&env));
    assert_earlier_intact(&env);
}

#[test]
fn file_mirror_is_verified_against_the_index() {
    let m = Mirror::start();
    let good = archive::toolchain("1.22.10");
    m.publish("1.22.10", good.clone());
    let mut env = env_for(&m);
    let dir = env.mkdir("mirror");
    let file = host_filename("1.22.10");
    // The local mirror holds other bytes of the same size under the name
    // (the gzip header's timestamp differs).
    let mut other = good.clone();
    other[4] ^= 1;
    fs::write(dir.join(&file), &other).unwrap();
    env.set("GOVER_MIRROR", format!("file://{}", dir.display()));
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(r.stderr.contains("checksum mismatch"), "{r}");
    assert!(
        r.stderr
            .contains(&format!("from file://{}/{file}", dir.display())),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty());
    // ... and a different file of another size: a size mismatch.
    fs::write(dir.join(&file), archive::toolchain("1.22.9")).unwrap();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: {file} from file://{}/{file} is larger than the {} bytes the release index lists",
            dir.display(),
            good.len()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("a wrong or tampered file"), "{r}");
    assert!(env.toolchain_dirs().is_empty());

    fs::write(dir.join(&file), &good).unwrap();
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert!(
        m.requests_for(&file).is_empty(),
        "the archive came from the HTTP mirror"
    );

    // Missing file in a file:// mirror.
    let r = env.run_gover(["install", "--force", "1.21.13"]).failure();
    assert!(
        r.stderr.contains("go1.21.13 is not in the release index"),
        "{r}"
    );
}

#[test]
fn install_from_a_local_archive() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    let sha = sha256_hex(&bytes);
    let mut env = env_for(&m);
    let path = env.root.join("go1.22.10.linux-amd64.tar.gz");
    fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();

    // Offline, no index: needs --sha256.
    env.set("GOVER_OFFLINE", "1");
    let r = env.run_gover(["install", "--from", p]).failure();
    assert!(
        r.stderr.contains(
            "error: cannot verify go1.22.10.linux-amd64.tar.gz against the release index"
        ),
        "{r}"
    );
    assert!(r.stderr.contains("--sha256 HEX"), "{r}");
    assert!(env.toolchain_dirs().is_empty());
    assert!(tmp_entries(&env).is_empty());

    let wrong = "cd".repeat(32);
    let r = env
        .run_gover(["install", "--from", p, "--sha256", &wrong])
        .failure();
    assert!(
        r.stderr
            .contains(&format!("expected sha256 {wrong} (from --sha256)")),
        "{r}"
    );
    assert!(r.stderr.contains(&format!("computed sha256 {sha}")), "{r}");
    assert!(env.toolchain_dirs().is_empty());

    let r = env
        .run_gover(["install", "--from", p, "--sha256", "xyz"])
        .failure();
    assert!(r.stderr.contains("--sha256 `xyz` is not a sha256"), "{r}");

    let r = env
        .run_gover(["install", "--from", p, "--sha256", &sha])
        .success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");

    // Online: verified against the index, which knows the version.
    m.publish("1.22.10", bytes.clone());
    env.set("GOVER_OFFLINE", "0");
    let r = env.run_gover(["install", "--force", "--from", p]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let other = env.root.join("other.tar.gz");
    fs::write(
        &other,
        archive::toolchain_with("1.22.10", vec![Entry::file("go/extra", 0o644, "x")]),
    )
    .unwrap();
    let r = env
        .run_gover(["install", "--force", "--from", other.to_str().unwrap()])
        .failure();
    assert!(
        r.stderr.contains("checksum mismatch for other.tar.gz"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains(&format!("expected sha256 {sha} (from the release index")),
        "{r}"
    );
    assert!(
        toolchain(&env, "1.22.10").join("bin/go").is_file(),
        "the earlier install was damaged"
    );
    assert!(!toolchain(&env, "1.22.10").join("extra").exists());
}

#[test]
fn offline_uses_only_the_cache() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    m.publish("1.22.10", bytes.clone());
    let mut env = env_for(&m);
    env.set("GOVER_OFFLINE", "1");
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(r.stderr.contains(&format!(
        "error: offline mode (--offline or GOVER_OFFLINE=1): no cached copy of the release index {}",
        m.index_url()
    )), "{r}");
    assert!(m.requests().is_empty(), "offline touched the network");

    // Cache the index online, then work offline with a file:// mirror.
    env.set("GOVER_OFFLINE", "0");
    env.run_gover(["list", "--remote"]).success();
    let n = m.requests().len();
    env.set("GOVER_OFFLINE", "1");
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.22.10\n");
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains("offline mode (--offline or GOVER_OFFLINE=1): cannot download"),
        "{r}"
    );
    let dir = env.mkdir("mirror");
    fs::write(dir.join(host_filename("1.22.10")), &bytes).unwrap();
    env.set("GOVER_MIRROR", format!("file://{}/", dir.display()));
    env.run_gover(["install", "1.22.10"]).success();
    assert_eq!(m.requests().len(), n, "offline touched the network");
    // --offline works like GOVER_OFFLINE.
    env.set("GOVER_OFFLINE", "");
    env.run_gover(["--offline", "list", "--remote"]).success();
    assert_eq!(m.requests().len(), n);
}

#[test]
fn the_index_is_cached_and_revalidated() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = env_for(&m);
    env.set("GOVER_INDEX_TTL", "");
    env.run_gover(["list", "--remote"]).success();
    env.run_gover(["list", "--remote"]).success();
    // Fresh for a while: one request only.
    assert_eq!(m.requests_for("index.json").len(), 1);
    let cache: Vec<_> = fs::read_dir(env.gover_home.join("cache"))
        .unwrap()
        .collect();
    assert_eq!(cache.len(), 2, "index body and validators");

    env.set("GOVER_INDEX_TTL", "0");
    env.run_gover(["list", "--remote"]).success();
    let reqs = m.requests_for("index.json");
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].header("if-none-match").is_some(), "{:?}", reqs[1]);
    assert_eq!(reqs[1].status, 304);

    // A changed index is fetched again.
    m.publish("1.23.0", archive::toolchain("1.23.0"));
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.23.0\ngo1.22.10\n");
    assert_eq!(m.requests_for("index.json").last().unwrap().status, 200);

    // The server failing falls back to the cache with a warning.
    m.fault("index.json", Fault::Status(500), None);
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.23.0\ngo1.22.10\n");
    assert!(r.stderr.contains("warning: GET"), "{r}");
    assert!(r.stderr.contains("using the release index cached"), "{r}");
}

#[test]
fn malformed_index_names_its_url() {
    let m = Mirror::start();
    m.put("index.json", b"{\"not\": \"an index\"}".to_vec());
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: the release index at {} is not in go.dev/dl JSON format",
            m.index_url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_INDEX_URL"), "{r}");
    assert!(env.toolchain_dirs().is_empty());

    // An HTML page (a captive portal) is named as one.
    m.put("index.json", b"<html>not json</html>".to_vec());
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: GET {} answered with an HTML page instead of the release index",
            m.index_url()
        )),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty());
}

#[test]
fn http_proxy_with_credentials_is_used() {
    // The mirror doubles as a forward proxy: requests reach it in absolute
    // form, for a host that does not exist.
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = env_for(&m);
    env.set("GOVER_MIRROR", "http://go-mirror.invalid/")
        .set("GOVER_INDEX_URL", "http://go-mirror.invalid/index.json")
        .set("HTTP_PROXY", format!("http://user:secret@{}", m.addr()));
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let reqs = m.requests_for(&file);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, format!("http://go-mirror.invalid/{file}"));
    // base64("user:secret")
    assert_eq!(
        reqs[0].header("proxy-authorization"),
        Some("Basic dXNlcjpzZWNyZXQ=")
    );

    // A proxy that wants other credentials: a 407 naming the proxy, and
    // never the password.
    m.require_proxy_auth("user", "secret");
    env.set("HTTP_PROXY", format!("http://user:typo@{}", m.addr()));
    let r = env.run_gover(["install", "--force", "1.22.10"]).failure();
    let refused = format!(
        "failed: the proxy http://user:***@{} (HTTP_PROXY) answered HTTP 407 Proxy Authentication Required",
        m.addr()
    );
    // The index falls back to the cached copy; the archive cannot.
    assert!(
        r.stderr.contains(&format!(
            "warning: GET http://go-mirror.invalid/index.json {refused}; using the release index cached"
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "error: GET http://go-mirror.invalid/{file} {refused}"
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: the proxy refused the user name or password in HTTP_PROXY"),
        "{r}"
    );
    assert!(!r.stderr.contains("typo"), "{r}");
    assert!(toolchain(&env, "1.22.10").join("bin/go").is_file());
    assert!(tmp_entries(&env).is_empty());
}

#[test]
fn credentials_in_mirror_urls_are_sent_but_never_printed() {
    let m = Mirror::start();
    let archive = archive::toolchain("1.22.10");
    let len = archive.len();
    let file = m.publish("1.22.10", archive);
    let mut env = env_for(&m);
    let base = format!("http://carol:m1rr0r-pw@{}/", m.addr());
    let shown = format!("http://carol:***@{}/", m.addr());
    env.set("GOVER_MIRROR", &base)
        .set("GOVER_INDEX_URL", format!("{base}index.json"));
    let check = |r: &Run| {
        assert!(!r.stderr.contains("m1rr0r-pw"), "{r}");
        assert!(!r.stdout.contains("m1rr0r-pw"), "{r}");
    };

    // Errors: an HTTP status, retries, a checksum mismatch.
    m.fault(&file, Fault::Status(404), None);
    let r = env.run_gover(["-v", "install", "1.22.10"]).failure();
    check(&r);
    assert!(
        r.stderr
            .contains(&format!("error: GET {shown}{file} returned HTTP 404")),
        "{r}"
    );
    m.fault(&file, Fault::Status(500), None);
    let r = env.run_gover(["-v", "install", "1.22.10"]).failure();
    check(&r);
    assert!(
        r.stderr.contains(&format!("GET {shown}{file}: HTTP 500")),
        "{r}"
    );
    m.clear_fault(&file);
    let other = m.publish_as(
        "1.22.9",
        archive::toolchain("1.22.9"),
        &"0".repeat(64),
        true,
    );
    let r = env.run_gover(["-v", "install", "1.22.9"]).failure();
    check(&r);
    assert!(
        r.stderr.contains(&format!(
            "error: checksum mismatch for {other} from {shown}{other}"
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains(&format!("(from the release index {shown}index.json)")),
        "{r}"
    );

    // A resumed download, then success: the credentials were sent.
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let base = format!("http://carol:m1rr0r-pw@{}/", m.addr());
    let shown = format!("http://carol:***@{}/", m.addr());
    env.set("GOVER_MIRROR", &base)
        .set("GOVER_INDEX_URL", format!("{base}index.json"));
    m.fault(&file, Fault::ResetAt(len / 2), Some(1));
    let r = env.run_gover(["-v", "install", "1.22.10"]).success();
    check(&r);
    assert!(r.stderr.contains("resuming at byte"), "{r}");
    let auth = format!("Basic {}", mirror::base64(b"carol:m1rr0r-pw"));
    let reqs = m.requests_for(&file);
    assert!(reqs.len() >= 2, "{reqs:?}");
    assert!(reqs
        .iter()
        .all(|q| q.header("authorization") == Some(auth.as_str())));
    // `list --remote` names the index when it leaves releases out.
    m.add_release(
        "1.23.0",
        true,
        vec![mirror::IndexFile {
            filename: "go1.23.0.plan9-386.tar.gz".into(),
            os: "plan9".into(),
            arch: "386".into(),
            sha256: "0".repeat(64),
            size: 1,
            kind: "archive".into(),
        }],
    );
    let r = env.run_gover(["-v", "list", "--remote"]).success();
    check(&r);
    assert!(r.stderr.contains(&format!("in {shown}index.json")), "{r}");
}

#[test]
fn no_proxy_bypasses_a_dead_proxy_for_127_0_0_1() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    // A port nothing listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut env = env_for(&m);
    env.set("GOVER_HTTP_RETRIES", "1")
        .set("HTTP_PROXY", format!("http://bob:pa55@{dead}"));

    // Without NO_PROXY the dead proxy is used, and named (password masked).
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: GET {} via the proxy http://bob:***@{dead} (HTTP_PROXY) failed: ",
            m.index_url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("Connection refused"), "{r}");
    assert!(
        r.stderr.contains(&format!(
            "hint: check that the proxy http://bob:***@{dead} is up and reachable (it is set by HTTP_PROXY), or add 127.0.0.1 to NO_PROXY"
        )),
        "{r}"
    );
    assert!(!r.stderr.contains("pa55"), "{r}");
    assert!(m.requests().is_empty());
    assert!(env.toolchain_dirs().is_empty());
    assert!(tmp_entries(&env).is_empty());

    // NO_PROXY (either case, a list, an IP range) sends 127.0.0.1 direct.
    for (var, value) in [
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "example.com, 127.0.0.1"),
        ("NO_PROXY", "127.0.0.0/8"),
    ] {
        let mut env = env_for(&m);
        env.set("HTTP_PROXY", format!("http://bob:pa55@{dead}"))
            .set("ALL_PROXY", format!("http://{dead}"))
            .set(var, value);
        let r = env.run_gover(["install", "1.22.10"]).success();
        assert!(
            r.stderr.contains("Installed go1.22.10"),
            "{var}={value}\n{r}"
        );
    }
    // Every request reached the mirror directly (origin-form targets).
    assert!(m.requests().iter().all(|q| q.target.starts_with('/')));
}

#[test]
fn ssl_cert_file_must_hold_certificates() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = env_for(&m);
    let bad = env.write("certs.pem", "not a certificate\n");
    env.set("SSL_CERT_FILE", &bad);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "{} holds no usable PEM certificates",
            bad.display()
        )),
        "{r}"
    );
}

#[test]
fn uninstall_removes_only_what_it_names() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10", "1.21.13"] {
        m.publish(v, archive::toolchain(v));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9", "1.22.10", "1.21.13"])
        .success();

    let r = env.run_gover(["uninstall", "1.22"]).failure();
    assert!(
        r.stderr
            .contains("`1.22` matches several installed toolchains: go1.22.10, go1.22.9"),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs().len(), 3);

    let r = env.run_gover(["uninstall", "go1.22.10"]).success();
    assert!(
        r.stderr.starts_with(&format!(
            "Uninstalled go1.22.10 (removed {})\nRemoved ",
            toolchain(&env, "1.22.10").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .ends_with(" no other toolchain shares from the store\n"),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.9"]);
    assert!(tmp_entries(&env).is_empty());

    let r = env.run_gover(["uninstall", "1.22.10"]).failure();
    assert!(
        r.stderr.contains("error: go1.22.10 is not installed in"),
        "{r}"
    );
    assert!(r.stderr.contains("installed: go1.22.9, go1.21.13"), "{r}");

    // A typo in a list removes nothing.
    let r = env.run_gover(["uninstall", "1.21.13", "1.99.1"]).failure();
    assert!(r.stderr.contains("go1.99.1 is not installed"), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.9"]);

    env.run_gover(["uninstall", "1.21", "1.22.9"]).success();
    assert!(env.toolchain_dirs().is_empty());
    let r = env.run_gover(["list"]).success();
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no Go toolchains are installed"), "{r}");
}

#[test]
fn config_names_the_mirror_and_the_environment_wins() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = TestEnv::new();
    env.set("GOVER_INDEX_TTL", "0");
    env.write(
        "gover/config.toml",
        &format!(
            "mirror = \"{}\"\nindex_url = \"{}\"\n",
            m.url(),
            m.index_url()
        ),
    );
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert_eq!(m.requests_for(&file).len(), 1);

    // GOVER_MIRROR beats `mirror`: a file:// mirror without the file.
    let dir = env.mkdir("empty-mirror");
    env.set("GOVER_MIRROR", format!("file://{}/", dir.display()));
    let r = env.run_gover(["install", "--force", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains(&format!("cannot open the archive {}/{file}", dir.display())),
        "{r}"
    );
    assert_eq!(m.requests_for(&file).len(), 1);
    assert!(toolchain(&env, "1.22.10").join("bin/go").is_file());
}

/// An HTTPS mirror on 127.0.0.1 whose certificate is signed by a private
/// CA, serving go1.22.10 for this machine and its index.
struct HttpsMirror {
    tls: TlsServer,
    /// `https://127.0.0.1:PORT/`
    base: String,
    /// The private CA's certificate (PEM).
    ca: PathBuf,
}

impl HttpsMirror {
    /// Starts one in `env`'s directory; `None` (after a note) without openssl.
    fn start(env: &TestEnv) -> Option<Self> {
        let bytes = archive::toolchain("1.22.10");
        let file = host_filename("1.22.10");
        let (os, arch) = mirror::host_platform();
        let index = serde_json::json!([{
            "version": "go1.22.10", "stable": true,
            "files": [{"filename": file, "os": os, "arch": arch, "version": "go1.22.10",
                       "sha256": sha256_hex(&bytes), "size": bytes.len(), "kind": "archive"}],
        }]);
        let tls = TlsServer::start(
            env,
            &[
                (&file, bytes),
                ("index.json", index.to_string().into_bytes()),
            ],
            Serve::Files,
        )?;
        Some(Self {
            base: tls.base.clone(),
            ca: tls.ca.clone(),
            tls,
        })
    }

    /// `host:port` as a `CONNECT` request names it.
    fn authority(&self) -> &str {
        self.tls.authority()
    }

    /// Points `env` at this mirror.
    fn use_in(&self, env: &mut TestEnv) {
        env.set("GOVER_MIRROR", &self.base)
            .set("GOVER_INDEX_URL", format!("{}index.json", self.base));
    }
}

#[test]
fn https_mirror_signed_by_a_private_ca_is_trusted_through_ssl_cert_file() {
    let mut env = TestEnv::new();
    let Some(tls) = HttpsMirror::start(&env) else {
        return;
    };
    tls.use_in(&mut env);
    let base = &tls.base;
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr
            .contains(&format!("error: GET {base}index.json failed: ")),
        "{r}"
    );
    assert!(r.stderr.contains("certificate"), "{r}");
    assert!(
        !r.stderr.contains("tried"),
        "an untrusted certificate is not worth retrying\n{r}"
    );
    assert!(r.stderr.contains("set SSL_CERT_FILE"), "{r}");

    env.set("SSL_CERT_FILE", &tls.ca);
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
}

#[test]
fn https_through_a_connect_proxy_with_credentials() {
    let mut env = TestEnv::new();
    let Some(tls) = HttpsMirror::start(&env) else {
        return;
    };
    let proxy = Mirror::start();
    proxy.require_proxy_auth("alice", "s3cret-pw");
    tls.use_in(&mut env);
    env.set("SSL_CERT_FILE", &tls.ca)
        .set("GOVER_HTTP_RETRIES", "2")
        .set("GOVER_HTTP_BACKOFF_MS", "20")
        .set("GOVER_INDEX_TTL", "0");

    // A wrong password: one 407, not retried, naming the proxy but not the password.
    let shown = format!("http://alice:***@{}", proxy.addr());
    env.set(
        "HTTPS_PROXY",
        format!("http://alice:wrong-pw@{}", proxy.addr()),
    );
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}index.json failed: the proxy {shown} (HTTPS_PROXY) answered HTTP 407 Proxy Authentication Required",
            tls.base
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: the proxy refused the user name or password in HTTPS_PROXY"),
        "{r}"
    );
    assert!(!r.stderr.contains("wrong-pw"), "{r}");
    assert!(!r.stderr.contains("tried"), "{r}");
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1, "{connects:?}");
    assert_eq!(connects[0].status, 407);
    assert!(env.toolchain_dirs().is_empty());
    assert!(tmp_entries(&env).is_empty());

    // No credentials at all.
    env.set("HTTPS_PROXY", format!("http://{}", proxy.addr()));
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(r.stderr.contains("answered HTTP 407"), "{r}");
    assert!(
        r.stderr
            .contains("hint: the proxy wants a user name and password: put them in HTTPS_PROXY"),
        "{r}"
    );

    // The right password: the index and the archive come through a tunnel
    // (the proxy sees only CONNECT, never a URL), verified end to end.
    env.set(
        "HTTPS_PROXY",
        format!("http://alice:s3cret-pw@{}", proxy.addr()),
    );
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert!(!r.stderr.contains("s3cret"), "{r}");
    let ok: Vec<_> = proxy
        .connects()
        .into_iter()
        .filter(|c| c.status == 200)
        .collect();
    assert!(ok.len() >= 2, "{ok:?}");
    for c in &ok {
        assert_eq!(c.target, tls.authority());
        assert_eq!(
            c.header("proxy-authorization"),
            Some(format!("Basic {}", mirror::base64(b"alice:s3cret-pw")).as_str())
        );
    }
    assert!(proxy.requests().iter().all(|q| q.method == "CONNECT"));
    assert!(toolchain(&env, "1.22.10").join("bin/go").is_file());
}

/// A tmpfs mounted over a test's directory (for a tiny or read-only
/// GOVER_HOME); unmounted when dropped.
pub(crate) struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs with `options` (`size=8m`) at `dir`, creating it.
    /// `None`, after a note, when this system refuses to mount (not root,
    /// or a sandbox without CAP_SYS_ADMIN): the caller skips what needs it.
    pub(crate) fn mount(dir: &Path, options: &str) -> Option<Self> {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        fs::create_dir_all(dir).unwrap();
        let target = CString::new(dir.as_os_str().as_bytes()).unwrap();
        let data = CString::new(options).unwrap();
        // SAFETY: NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                data.as_ptr().cast(),
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) {
                eprintln!(
                    "note: this system does not allow mounting a tmpfs ({e}); skipping the part of the test that needs one"
                );
                return None;
            }
            panic!("mount -t tmpfs -o {options} tmpfs {}: {e}", dir.display());
        }
        Some(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// `mount -o remount,ro`.
    fn make_read_only(&self) {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let target = CString::new(self.dir.as_os_str().as_bytes()).unwrap();
        // SAFETY: NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::mount(
                std::ptr::null(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT | libc::MS_RDONLY,
                std::ptr::null(),
            )
        };
        assert_eq!(
            rc,
            0,
            "remount,ro {}: {}",
            self.dir.display(),
            std::io::Error::last_os_error()
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let target = CString::new(self.dir.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated string that outlives the call.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
}

/// A fake toolchain archive that unpacks to `files` files of `each` zero
/// bytes besides the usual ones (a few kilobytes compressed).
fn bloated_toolchain(version: &str, files: usize, each: usize) -> Vec<u8> {
    let extra = (0..files)
        .map(|i| Entry::file(&format!("go/pkg/blob{i}.a"), 0o644, vec![0u8; each]))
        .collect();
    archive::toolchain_with(version, extra)
}

#[test]
fn a_full_disk_names_the_directory_and_leaves_nothing_behind() {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    let env = env_for(&m);
    let Some(_fs) = Tmpfs::mount(&env.gover_home, "size=8m") else {
        return;
    };
    env.run_gover(["install", "1.21.13"]).success();
    let before = env.toolchain_dirs();
    let tmp_dir = env.gover_home.join("tmp");

    // One file larger than the disk (written by the unpacking thread
    // itself), then many small ones (written by the writer threads).
    for (version, files, each) in [("1.22.10", 1, 16 << 20), ("1.23.4", 40, 256 << 10)] {
        let file = m.publish(version, bloated_toolchain(version, files, each));
        let r = env.run_gover(["install", version]).failure();
        assert_eq!(r.code, 1, "{r}");
        assert!(
            r.stderr.contains(&format!(
                "error: cannot unpack {file} into {}: No space left on device (os error 28) (at entry `go/pkg/blob",
                tmp_dir.display()
            )),
            "{r}"
        );
        assert!(
            r.stderr.contains(&format!(
                "hint: the file system holding {} is full",
                tmp_dir.display()
            )),
            "{r}"
        );
        assert!(r.stderr.contains("set GOVER_HOME"), "{r}");
        assert_nothing_new(&env, &before);
        assert_earlier_intact(&env);
    }
    // The space is free again: a toolchain that fits installs.
    m.publish("1.22.9", archive::toolchain("1.22.9"));
    env.run_gover(["install", "1.22.9"]).success();
}

/// Sets or clears the immutable attribute of `dir` (`chattr +i`/`-i`).
fn set_immutable(dir: &Path, on: bool) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    const FS_IMMUTABLE_FL: libc::c_int = 0x10;
    let f = fs::File::open(dir)?;
    let mut flags: libc::c_int = 0;
    // SAFETY: FS_IOC_GETFLAGS/SETFLAGS read or write one int at a valid pointer.
    unsafe {
        if libc::ioctl(f.as_raw_fd(), libc::FS_IOC_GETFLAGS as _, &mut flags) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if on {
            flags |= FS_IMMUTABLE_FL;
        } else {
            flags &= !FS_IMMUTABLE_FL;
        }
        if libc::ioctl(f.as_raw_fd(), libc::FS_IOC_SETFLAGS as _, &flags) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Clears the immutable attribute when the test ends.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = set_immutable(&self.0, false);
    }
}

#[test]
fn a_read_only_gover_home_is_named_with_what_to_do() {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let Some(home) = Tmpfs::mount(&env.gover_home, "size=8m") else {
        return;
    };
    env.run_gover(["install", "1.21.13"]).success();
    let before = env.toolchain_dirs();
    home.make_read_only();

    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1, "{r}");
    let lock = env.gover_home.join("locks/go1.22.10.lock");
    assert!(
        r.stderr.contains(&format!(
            "error: cannot open the lock file {}: Read-only file system (os error 30)",
            lock.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "hint: {} is on a read-only file system: remount it read-write, or set GOVER_HOME to a writable directory",
            lock.parent().unwrap().display()
        )),
        "{r}"
    );
    // The index cache could not be refreshed: a warning, not the error.
    assert!(
        r.stderr
            .contains("warning: could not update the release index cache: cannot write"),
        "{r}"
    );
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);
    // Nothing was downloaded: the lock comes first.
    assert!(m.requests_for(&file).is_empty());
    // What is installed still runs and lists.
    let r = env.run_gover(["list"]).success();
    assert!(r.stdout.contains("go1.21.13"), "{r}");
}

#[test]
fn a_toolchains_dir_gover_may_not_write_fails_at_the_commit_and_cleans_up() {
    // Everything works until the verified tree is renamed into
    // toolchains/, which refuses new entries (as a directory owned by
    // someone else would for a normal user; root is stopped by the
    // immutable attribute instead).
    let (m, env) = with_earlier_install();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let before = env.toolchain_dirs();
    let toolchains = env.gover_home.join("toolchains");
    if let Err(e) = set_immutable(&toolchains, true) {
        eprintln!(
            "note: cannot make {} immutable ({e}); skipping this test",
            toolchains.display()
        );
        return;
    }
    let guard = Immutable(toolchains.clone());
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1, "{r}");
    let target = toolchains.join("go1.22.10");
    assert!(
        r.stderr.contains(&format!(
            "error: cannot move the new toolchain to {}: Operation not permitted (os error 1)",
            target.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "hint: gover may not write to {}: fix its permissions",
            toolchains.display()
        )),
        "{r}"
    );
    // It was downloaded and verified, then thrown away.
    assert_eq!(m.requests_for(&file).len(), 1);
    assert_nothing_new(&env, &before);
    assert_earlier_intact(&env);

    drop(guard);
    env.run_gover(["install", "1.22.10"]).success();
    assert_eq!(env.toolchain_dirs(), ["go1.21.13", "go1.22.10"]);
}

#[test]
fn toolchains_on_another_file_system_is_explained() {
    // toolchains/ mounted apart from tmp/: the commit rename cannot cross.
    let (m, env) = with_earlier_install();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let toolchains = env.gover_home.join("toolchains");
    let Some(_fs) = Tmpfs::mount(&toolchains, "size=8m") else {
        return;
    };
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: cannot move the new toolchain to {}: Invalid cross-device link",
            toolchains.join("go1.22.10").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "hint: {} and {} must be on one file system",
            env.gover_home.join("tmp").display(),
            toolchains.display()
        )),
        "{r}"
    );
    assert_eq!(m.requests_for(&file).len(), 1);
    // The (empty) mounted toolchains/ gained nothing; tmp/ is clean.
    assert!(env.toolchain_dirs().is_empty());
    assert!(tmp_entries(&env).is_empty());
}

/// The unpacked tree is flushed to disk before the rename that commits it,
/// so a power cut cannot leave a "installed" toolchain with empty files.
/// Watched with strace: a `syncfs` must come before the rename into
/// `toolchains/`.
#[test]
#[cfg(target_os = "linux")]
fn the_tree_is_flushed_to_disk_before_the_commit_rename() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("note: strace is not installed; skipping");
        return;
    }
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let log = env.root.join("strace.log");
    let mut c = env.command("strace");
    c.arg("-f")
        .arg("-e")
        .arg("trace=syncfs,rename,renameat,renameat2")
        .arg("-o")
        .arg(&log)
        .arg(support::gover_bin())
        .args(["install", "1.22.10"]);
    support::run(&mut c).success();
    let text = fs::read_to_string(&log).unwrap();
    let target = format!("\"{}\"", toolchain(&env, "1.22.10").display());
    let lines: Vec<&str> = text.lines().collect();
    let commit = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(&target))
        .unwrap_or_else(|| panic!("no rename into {target} in:\n{text}"));
    // With -f, strace may split a call that overlaps another thread's into
    // `syncfs(3 <unfinished ...>` and `<... syncfs resumed>) = 0`: the
    // line that ends in the result is where the call completed.
    let synced = lines[..commit].iter().any(|l| {
        (l.contains("syncfs(") || l.contains("syncfs resumed>")) && l.trim_end().ends_with("= 0")
    });
    assert!(synced, "no successful syncfs before the commit:\n{text}");
}

/// An HTML page served in place of the archive (a captive portal's sign-in
/// page) is named as one, though it is shorter than the index says.
#[test]
fn an_html_page_in_place_of_the_archive_is_named_as_one() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    m.fault(&file, Fault::Html, None);
    let r = env.run_gover(["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "{file} from {}/{file} is an HTML page, not a .tar.gz archive",
            m.url().trim_end_matches('/')
        )),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty(), "{r}");
}
