//! End-to-end tests of the toolchain store: sharing between versions,
//! clean-up on uninstall, concurrent installs and uninstalls, a store on
//! another file system, files changed in place, migrating old installs;
//! and of what builds on the remembered pins: `list`, `prune`, `outdated`,
//! `upgrade` and `use --pin`.

use crate::install::{env_for, spawn_install, wait_run, Tmpfs};
use crate::support;
use crate::support::archive::{self, Entry};
use crate::support::mirror::Mirror;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use support::{run, TestEnv};

/// A fake toolchain with `shared` files common to every version and a few
/// of its own, so versions share most of their files as patch releases do.
pub(crate) fn sharing_toolchain(version: &str, shared: usize) -> Vec<u8> {
    let mut extra: Vec<Entry> = (0..shared)
        .map(|i| {
            Entry::file(
                &format!("go/src/pkg{}/f{i}.go", i % 10),
                0o644,
                format!("package p // shared file {i}\n").repeat(20),
            )
        })
        .collect();
    extra.extend((0..5).map(|i| {
        Entry::file(
            &format!("go/pkg/own{i}.a"),
            0o644,
            format!("{version} own {i}\n"),
        )
    }));
    archive::toolchain_with(version, extra)
}

fn goroot(env: &TestEnv, v: &str) -> PathBuf {
    env.gover_home.join("toolchains").join(format!("go{v}"))
}

pub(crate) fn store_files(env: &TestEnv) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in fs::read_dir(env.gover_home.join("store/files"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for f in fs::read_dir(d.path()).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out
}

fn sha(path: &Path) -> String {
    let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    format!("{:x}", Sha256::digest(&data))
}

/// Every file of the toolchain at `root`, by path, with its sha256.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let t = e.file_type().unwrap();
            assert!(!t.is_symlink(), "{} is a link", e.path().display());
            if t.is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, sha(&e.path()));
            }
        }
    }
    out
}

/// The tree a fake archive of `version` unpacks to.
fn expected_tree(version: &str, shared: usize) -> BTreeMap<String, String> {
    let t = tempfile::tempdir().unwrap();
    let gz = sharing_toolchain(version, shared);
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&gz[..]));
    ar.unpack(t.path()).unwrap();
    tree(&t.path().join("go"))
}

/// Checks that the installed `version` is complete and every file the
/// store record lists is in the store with that content.
pub(crate) fn assert_whole(env: &TestEnv, version: &str, shared: usize) {
    let root = goroot(env, version);
    assert_eq!(tree(&root), expected_tree(version, shared), "go{version}");
    let manifest = env
        .gover_home
        .join(format!("store/trees/toolchains/go{version}"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(fs::File::open(&manifest).unwrap()),
        &mut text,
    )
    .unwrap();
    for line in text.lines().skip(1) {
        let mut p = line.splitn(4, ' ');
        let (digest, kind) = (p.next().unwrap(), p.next().unwrap());
        let stored = env
            .gover_home
            .join("store/files")
            .join(&digest[..2])
            .join(format!("{digest}-{kind}"));
        assert_eq!(sha(&stored), digest, "{}", stored.display());
    }
}

#[test]
fn versions_share_store_files_and_uninstall_frees_only_what_nothing_holds() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 50));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9", "1.22.10"]).success();
    let (a, b) = (goroot(&env, "1.22.9"), goroot(&env, "1.22.10"));
    let shared = "src/pkg3/f13.go";
    let (ma, mb) = (
        fs::metadata(a.join(shared)).unwrap(),
        fs::metadata(b.join(shared)).unwrap(),
    );
    assert_eq!((ma.dev(), ma.ino()), (mb.dev(), mb.ino()), "one inode");
    assert_eq!(ma.nlink(), 3, "two toolchains and the store");
    assert_eq!(ma.mode() & 0o7777, 0o444);
    assert_ne!(
        fs::metadata(a.join("VERSION")).unwrap().ino(),
        fs::metadata(b.join("VERSION")).unwrap().ino()
    );
    let before = store_files(&env).len();

    let r = env.run_gover(["uninstall", "1.22.9"]).success();
    assert!(
        r.stderr
            .contains("no other toolchain shares from the store"),
        "{r}"
    );
    // Only go1.22.9's own files left the store: VERSION, bin/go, bin/gofmt
    // (they name the version) and pkg/own*.a.
    assert_eq!(store_files(&env).len(), before - 8, "{r}");
    assert_whole(&env, "1.22.10", 50);
    let out = run(Command::new(b.join("bin/go")).arg("version")).success();
    assert_eq!(out.stdout, "go version go1.22.10 linux/amd64\n");

    env.run_gover(["uninstall", "1.22.10"]).success();
    assert!(store_files(&env).is_empty());
    let r = env.run_gover(["store", "gc"]).success();
    assert!(r.stdout.starts_with("Removed 0 store files"), "{r}");
}

#[test]
fn concurrent_installs_and_uninstalls_of_siblings_lose_no_file() {
    const SHARED: usize = 600;
    let versions = ["1.22.8", "1.22.9", "1.22.10"];
    let m = Mirror::start();
    for v in versions {
        m.publish(v, sharing_toolchain(v, SHARED));
    }
    let env = env_for(&m);
    env.run_gover(["install", versions[0]]).success();
    for round in 0..4 {
        // One sibling installs while another is removed, sharing files.
        let (add, remove) = match round % 2 {
            0 => (versions[1], versions[0]),
            _ => (versions[0], versions[1]),
        };
        let children = vec![
            spawn_install(&env, &["install", add]),
            spawn_install(&env, &["install", versions[2]]),
            spawn_install(&env, &["uninstall", "--force", remove]),
            spawn_install(&env, &["store", "gc"]),
        ];
        for r in children.into_iter().map(wait_run) {
            assert_eq!(r.code, 0, "round {round}: {r}");
        }
        for v in [add, versions[2]] {
            assert_whole(&env, v, SHARED);
        }
        assert!(!goroot(&env, remove).exists(), "round {round}");
        env.run_gover(["uninstall", versions[2]]).success();
    }
    let r = env.run_gover(["store", "verify"]).success();
    assert!(r.stdout.contains("The store is intact"), "{r}");
}

#[test]
fn a_store_on_another_file_system_gets_copies() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 20));
    }
    let env = env_for(&m);
    let Some(_mount) = Tmpfs::mount(&env.gover_home.join("store"), "size=16m") else {
        return;
    };
    env.run_gover(["install", "1.22.9", "1.22.10"]).success();
    for v in ["1.22.9", "1.22.10"] {
        assert_whole(&env, v, 20);
    }
    let tc = fs::metadata(goroot(&env, "1.22.10").join("src/pkg1/f1.go")).unwrap();
    let stored = store_files(&env);
    assert!(!stored.is_empty());
    assert_ne!(tc.dev(), fs::metadata(&stored[0]).unwrap().dev());
    assert_eq!(tc.nlink(), 1, "a copy");
    env.run_gover(["uninstall", "1.22.9", "1.22.10"]).success();
    assert!(store_files(&env).is_empty());
}

#[test]
fn a_file_changed_in_place_is_found_and_repaired() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 10));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9", "1.22.10"]).success();
    // `gofmt -w` run as root on the standard library of one toolchain.
    let victim = goroot(&env, "1.22.10").join("src/pkg2/f2.go");
    let mut perm = fs::metadata(&victim).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o644);
    fs::set_permissions(&victim, perm).unwrap();
    fs::write(&victim, "package p // edited\n").unwrap();

    let r = env.run_gover(["store", "verify"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("changed: "), "{r}");
    assert!(
        r.stdout.contains("go1.22.9") && r.stdout.contains("go1.22.10"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("store files changed after they were installed"),
        "{r}"
    );
    assert!(r.stderr.contains("gover store verify --repair"), "{r}");

    let r = env.run_gover(["store", "verify", "--repair"]).success();
    assert!(r.stdout.contains("Repaired"), "{r}");
    for v in ["1.22.9", "1.22.10"] {
        assert_whole(&env, v, 10);
    }
    let r = env.run_gover(["store", "verify"]).success();
    assert!(r.stdout.contains("The store is intact"), "{r}");
}

#[test]
fn an_edit_in_one_toolchain_never_reaches_the_next_install() {
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 10));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9"]).success();
    // Root edits a file of go1.22.9 whose content go1.22.10 shares (the
    // read-only mode does not stop root), and later installs the sibling
    // and reinstalls the edited one, without `gover store verify`.
    let victim = goroot(&env, "1.22.9").join("src/pkg2/f2.go");
    fs::write(&victim, "package p // edited\n").unwrap();
    env.run_gover(["install", "1.22.10"]).success();
    assert_whole(&env, "1.22.10", 10);
    env.run_gover(["install", "--force", "1.22.9"]).success();
    assert_whole(&env, "1.22.9", 10);
    // A file only touched is still shared, not copied.
    let f = goroot(&env, "1.22.9").join("src/pkg3/f3.go");
    filetime_now(&f);
    env.run_gover(["install", "--force", "1.22.10"]).success();
    assert_whole(&env, "1.22.10", 10);
    use std::os::unix::fs::MetadataExt;
    let (a, b) = (
        fs::metadata(&f).unwrap(),
        fs::metadata(goroot(&env, "1.22.10").join("src/pkg3/f3.go")).unwrap(),
    );
    assert_eq!((a.dev(), a.ino()), (b.dev(), b.ino()), "still one file");
}

/// Sets `path`'s modification time to now, as `touch` does.
fn filetime_now(path: &Path) {
    let f = fs::File::open(path).unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
}

#[test]
fn copies_move_into_the_store_atomically_on_optimize_and_the_next_install() {
    let m = Mirror::start();
    for v in ["1.21.13", "1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 30));
    }
    let env = env_for(&m);
    let copy = |args: &[&str]| {
        run(env.gover(args).env("GOVER_LINK_MODE", "copy")).success();
    };
    copy(&["install", "1.22.9", "1.21.13"]);
    let f = "src/pkg0/f0.go";
    assert_eq!(
        fs::metadata(goroot(&env, "1.22.9").join(f))
            .unwrap()
            .nlink(),
        1
    );
    let r = env.run_gover(["store", "optimize"]).success();
    assert!(r.stdout.contains("moved into the store"), "{r}");
    let (a, b) = (
        fs::metadata(goroot(&env, "1.22.9").join(f)).unwrap(),
        fs::metadata(goroot(&env, "1.21.13").join(f)).unwrap(),
    );
    assert_eq!(a.ino(), b.ino());
    for v in ["1.22.9", "1.21.13"] {
        assert_whole(&env, v, 30);
    }
    let r = env.run_gover(["store", "optimize"]).success();
    assert_eq!(r.stdout.matches("already in the store").count(), 2, "{r}");
    // A copy installed now moves into the store with the next install.
    copy(&["uninstall", "1.21.13"]);
    copy(&["install", "1.21.13"]);
    env.run_gover(["install", "1.22.10"]).success();
    let c = fs::metadata(goroot(&env, "1.21.13").join(f)).unwrap();
    assert_eq!(c.ino(), a.ino());
    assert_whole(&env, "1.21.13", 30);
}

/// An install waiting for the store's lock (another gover process is
/// cleaning the store up) has downloaded nothing yet: the wait does not
/// count against the download's time allowance or its minimum speed.
#[test]
fn waiting_for_the_store_lock_does_not_count_against_the_download() {
    let m = Mirror::start();
    m.publish("1.22.10", sharing_toolchain("1.22.10", 0));
    let mut env = env_for(&m);
    // The download may take 1 s + its size at 16 KiB/s: about 2 s.
    env.set("GOVER_HTTP_TIMEOUT", "1");
    let locks = env.gover_home.join("locks");
    fs::create_dir_all(&locks).unwrap();
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(locks.join("store.lock"))
        .unwrap();
    lock.lock().unwrap();
    let child = spawn_install(&env, &["install", "1.22.10"]);
    std::thread::sleep(std::time::Duration::from_secs(4));
    lock.unlock().unwrap();
    let r = wait_run(child);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr
            .contains("waiting for another gover process using the toolchain store"),
        "{r}"
    );
    assert_whole(&env, "1.22.10", 0);
}
