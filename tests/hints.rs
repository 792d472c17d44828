//! Messages that fit the case: a local archive is unpacked, not
//! downloaded; a checksum mismatch of a local archive says nothing of
//! mirrors; a release that was never published for a platform is not
//! "still uploading"; a request tried once says so.

use crate::errors::env_for;
use crate::support;
use crate::support::archive;
use crate::support::mirror::{sha256_hex, IndexFile, Mirror};

use std::fs;

use support::TestEnv;

/// `text` from its first `error:` on, with the test's root and the
/// mirror's address replaced, for snapshots.
fn error_block(env: &TestEnv, m: &Mirror, text: &str) -> String {
    let at = text
        .find("error: ")
        .unwrap_or_else(|| panic!("no error in {text}"));
    text[at..]
        .replace(&env.root.display().to_string(), "[ROOT]")
        .replace(&m.addr().to_string(), "[MIRROR]")
}

#[test]
fn a_local_archive_is_unpacked_not_downloaded_and_a_mismatch_is_about_the_file() {
    let m = Mirror::start();
    let env = env_for(&m);
    let bytes = archive::toolchain("1.22.10");
    let path = env.root.join("go1.22.10.linux-amd64.tar.gz");
    fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    let wrong = "cd".repeat(32);
    let r = env.run_gover(["install", "--from", p, "--sha256", &wrong]);
    assert_eq!(r.code, 1, "{r}");
    assert!(!r.stderr.contains("Downloading"), "{r}");
    assert!(!r.stderr.to_lowercase().contains("mirror"), "{r}");
    insta::assert_snapshot!(
        error_block(&env, &m, &r.stderr).replace(&sha256_hex(&bytes), "[SHA256]")
    );
    let sha = sha256_hex(&bytes);
    let r = env
        .run_gover(["install", "--from", p, "--sha256", &sha])
        .success();
    assert!(
        r.stderr.starts_with(
            "Unpacking go1.22.10.linux-amd64.tar.gz (0.0 MiB)\nInstalled go1.22.10 to "
        ),
        "{r}"
    );
}

#[test]
fn an_old_release_without_the_platform_is_not_still_uploading() {
    let m = Mirror::start();
    // go1.22.10 for this machine only; go1.23.0, the newest, too, while
    // go1.22.9 was published for linux-arm64.
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.publish("1.23.0", archive::toolchain("1.23.0"));
    let arm = archive::toolchain_for("1.22.9", "linux_arm64");
    m.add_release(
        "1.22.9",
        true,
        vec![IndexFile {
            filename: "go1.22.9.linux-arm64.tar.gz".into(),
            os: "linux".into(),
            arch: "arm64".into(),
            sha256: sha256_hex(&arm),
            size: arm.len() as u64,
            kind: "archive".into(),
        }],
    );
    let env = env_for(&m);
    let old = env.run_gover(["install", "1.22.10", "--platform", "linux-arm64"]);
    assert_eq!(old.code, 1, "{old}");
    assert!(!old.stderr.contains("uploaded"), "{old}");
    let new = env.run_gover(["install", "1.23.0", "--platform", "linux-arm64"]);
    assert_eq!(new.code, 1, "{new}");
    insta::assert_snapshot!(format!(
        "{}\n{}",
        error_block(&env, &m, &old.stderr),
        error_block(&env, &m, &new.stderr)
    ));
}
