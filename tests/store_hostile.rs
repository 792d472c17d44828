//! The toolchain store, remembered pins and the commands built on them,
//! tried as a hostile set-up would: links planted inside the store, damaged
//! or hostile manifests and records, FIFOs where gover reads, locks held by
//! stopped processes, and names that carry terminal escapes.

use crate::install::env_for;
use crate::support;
use crate::support::archive;
use crate::support::mirror::Mirror;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use support::TestEnv;

fn goroot(env: &TestEnv, v: &str) -> PathBuf {
    env.gover_home.join("toolchains").join(format!("go{v}"))
}

/// A mirror serving fake toolchains of `versions`, and an environment
/// using it.
fn mirror_env(versions: &[&str]) -> (Mirror, TestEnv) {
    let m = Mirror::start();
    for v in versions {
        m.publish(v, archive::toolchain(v));
    }
    let env = env_for(&m);
    (m, env)
}

/// A directory outside the home holding files gover must never touch:
/// plain files and files named like store content.
fn victim_dir(env: &TestEnv) -> PathBuf {
    let victim = env.root.join("victim");
    let key = format!("{}-r", "ab".repeat(32));
    for rel in [
        "precious.txt".to_string(),
        "toolchains/go1.22.10".to_string(),
        format!("ab/{key}"),
        format!("123-4-{key}"),
    ] {
        let p = victim.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "keep me\n").unwrap();
    }
    victim
}

/// Fails unless the directory `dir` is empty.
fn assert_empty(dir: &Path) {
    let left: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{}: {left:?}", dir.display());
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn links_planted_inside_the_store_are_never_deleted_through() {
    for sub in ["trees", "files", "tmp", ""] {
        let (_m, env) = mirror_env(&["1.22.10"]);
        env.run_gover(["install", "1.22.10"]).success();
        let victim = victim_dir(&env);
        let before = files_under(&victim);
        let store = env.gover_home.join("store");
        let planted = if sub.is_empty() {
            store
        } else {
            store.join(sub)
        };
        let _ = fs::remove_dir_all(&planted);
        symlink(&victim, &planted).unwrap();

        for args in [&["store", "gc"][..], &["uninstall", "1.22.10"]] {
            let r = env.run_gover(args);
            assert_eq!(files_under(&victim), before, "store/{sub}, {args:?}: {r}");
            if r.code != 0 {
                assert!(r.stderr.contains("link"), "store/{sub}, {args:?}: {r}");
            }
        }
        // Installs refuse it too, rather than writing into the link.
        let r = env.run_gover(["install", "1.22.10"]);
        assert_eq!(files_under(&victim), before, "store/{sub}: {r}");
        assert!(r.code != 0, "store/{sub}: {r}");
        assert!(r.stderr.contains("link"), "store/{sub}: {r}");
        assert!(!goroot(&env, "1.22.10").exists(), "store/{sub}: {r}");
    }
}

fn mkfifo(p: &Path) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[test]
fn a_pins_record_locked_by_a_stopped_process_or_a_fifo_never_hangs_a_command() {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    // Another gover, stopped (Ctrl-Z) while it rewrote the record, holds
    // its lock for as long as it stays stopped.
    let lock = env.gover_home.join("locks/pins.lock");
    fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let held = fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    for args in [&["current"][..], &["use", "1.22.10"], &["list"]] {
        let r = support::run_within(&mut env.gover(args), 20)
            .unwrap_or_else(|| panic!("`gover {args:?}` hung on a held pins lock"));
        assert_eq!(r.code, 0, "{args:?}: {r}");
    }
    drop(held);
    // The record, or its lock, replaced by a FIFO.
    for fifo in ["pins", "locks/pins.lock"] {
        let p = env.gover_home.join(fifo);
        let _ = fs::remove_file(&p);
        mkfifo(&p);
        for args in [
            &["current"][..],
            &["use", "1.22.10"],
            &["list"],
            &["outdated"],
        ] {
            let r = support::run_within(&mut env.gover(args), 20)
                .unwrap_or_else(|| panic!("`gover {args:?}` hung on a FIFO at {fifo}"));
            assert!(r.code == 0 || r.code == 1, "{fifo} {args:?}: {r}");
        }
        let _ = fs::remove_file(&p);
    }
}

/// `gover ARGS` run in `dir`.
fn gover_in(env: &TestEnv, dir: &Path, args: &[&str]) -> support::Run {
    support::run(env.gover(args).current_dir(dir))
}

#[test]
fn upgrade_rewrites_only_the_go_entry_and_keeps_every_other_byte() {
    let (_m, env) = mirror_env(&["1.22.9", "1.22.10"]);
    env.run_gover(["install", "1.22.9"]).success();
    // Another tool pinned to the same version string, and a comment naming
    // it, above the Go entry; CRLF line ends.
    let cases = [
        (
            ".tool-versions",
            "kubectl 1.22.9\r\n# golang 1.22.9 until the fix\r\ngolang 1.22.9 # go\r\n",
            "kubectl 1.22.9\r\n# golang 1.22.9 until the fix\r\ngolang 1.22.10 # go\r\n",
        ),
        (
            "go.mod",
            "// toolchain go1.22.9 was the old one\r\nmodule m\r\n\r\ngo 1.22.9\r\n\r\ntoolchain go1.22.9 // pinned\r\n",
            "// toolchain go1.22.9 was the old one\r\nmodule m\r\n\r\ngo 1.22.9\r\n\r\ntoolchain go1.22.10 // pinned\r\n",
        ),
    ];
    for (i, (name, before, after)) in cases.iter().enumerate() {
        let dir = env.mkdir(&format!("p{i}"));
        fs::create_dir_all(dir.join(".git")).unwrap();
        let file = dir.join(name);
        fs::write(&file, before).unwrap();
        let r = gover_in(&env, &dir, &["upgrade", "--go-mod"]);
        assert_eq!(r.code, 0, "{name}: {r}");
        assert_eq!(&fs::read_to_string(&file).unwrap(), after, "{name}: {r}");
        let r = gover_in(&env, &dir, &["current"]).success();
        assert!(r.stdout.starts_with("go1.22.10 "), "{name}: {r}");
    }
}

#[test]
fn a_project_directory_named_with_escapes_reaches_no_terminal_raw() {
    let (_m, env) = mirror_env(&["1.22.9", "1.22.10"]);
    let dir = env.mkdir("evil\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}");
    fs::write(dir.join(".go-version"), "1.22.9\n").unwrap();
    gover_in(&env, &dir, &["install", "1.22.9"]).success();
    gover_in(&env, &dir, &["current"]).success();
    // The remembered record itself, planted with the same bytes.
    let pins = env.gover_home.join("pins");
    let mut text = fs::read_to_string(&pins).unwrap();
    text.push_str("9\t1.22.9\tgo1.22.9\u{1b}[2J\t/x\u{1b}[2J/.go-version\n");
    fs::write(&pins, text).unwrap();
    for args in [
        &["list"][..],
        &["outdated"],
        &["prune", "--dry-run"],
        &["upgrade", "--all"],
        &["store", "status"],
        &["store", "verify"],
        &["list"],
    ] {
        let r = env.run_gover(args);
        for (name, out) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}', '\u{202e}']),
                "{args:?}: raw control characters on {name}: {r}"
            );
        }
    }
}

#[test]
fn installs_killed_at_any_moment_leave_nothing_half_written_trusted() {
    use crate::store::{assert_whole, sharing_toolchain, store_files};
    const SHARED: usize = 800;
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, SHARED));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9"]).success();
    let b = goroot(&env, "1.22.10");
    for round in 0..12u64 {
        let mut child = env
            .gover(["install", "--force", "1.22.10"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20 + round * 40));
        let _ = child.kill();
        let _ = child.wait();
        // Installed whole, or not at all.
        if b.exists() {
            assert_whole(&env, "1.22.10", SHARED);
        }
        assert_whole(&env, "1.22.9", SHARED);
    }
    env.run_gover(["install", "1.22.10"]).success();
    assert_whole(&env, "1.22.10", SHARED);
    let r = env.run_gover(["store", "verify"]).success();
    assert!(r.stdout.contains("The store is intact"), "{r}");
    env.run_gover(["store", "gc"]).success();
    assert_empty(&env.gover_home.join("store/tmp"));
    // Everything left in the store belongs to an installed toolchain.
    env.run_gover(["uninstall", "1.22.9", "1.22.10"]).success();
    assert!(store_files(&env).is_empty());
}

#[test]
fn a_damaged_store_file_that_kept_its_stamp_is_not_linked_into_an_install() {
    use crate::store::{assert_whole, sharing_toolchain};
    let m = Mirror::start();
    for v in ["1.22.9", "1.22.10"] {
        m.publish(v, sharing_toolchain(v, 10));
    }
    let env = env_for(&m);
    env.run_gover(["install", "1.22.9"]).success();
    // A store file cut short, and another grown, by a crash of a disk or a
    // restore from a damaged backup that kept the modification times.
    let root = goroot(&env, "1.22.9");
    for (rel, text) in [
        ("src/pkg2/f2.go", ""),
        ("src/pkg3/f3.go", "package p // shared file 3 and more\n"),
    ] {
        let f = root.join(rel);
        let stamp = fs::metadata(&f).unwrap().modified().unwrap();
        let mut perm = fs::metadata(&f).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o644);
        fs::set_permissions(&f, perm.clone()).unwrap();
        let mut data = fs::read(&f).unwrap();
        if text.is_empty() {
            data.truncate(data.len() / 2);
        } else {
            data.extend_from_slice(text.as_bytes());
        }
        fs::write(&f, &data).unwrap();
        let w = fs::File::options().write(true).open(&f).unwrap();
        w.set_modified(stamp).unwrap();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o444);
        fs::set_permissions(&f, perm).unwrap();
    }
    env.run_gover(["install", "1.22.10"]).success();
    assert_whole(&env, "1.22.10", 10);
}

#[test]
fn toolchains_on_another_file_system_are_refused_with_the_cause_and_nothing_left() {
    let (_m, env) = mirror_env(&["1.22.10"]);
    let toolchains = env.gover_home.join("toolchains");
    let Some(_mount) = crate::install::Tmpfs::mount(&toolchains, "size=16m") else {
        return;
    };
    let r = env.run_gover(["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("must be on one file system"), "{r}");
    assert!(!goroot(&env, "1.22.10").exists(), "{r}");
    assert_empty(&env.gover_home.join("tmp"));
}

/// Each file under `dir` with its mode and modification time.
fn stamps(dir: &Path) -> Vec<(String, u32, std::time::SystemTime)> {
    use std::os::unix::fs::PermissionsExt;
    files_under(dir)
        .into_iter()
        .map(|rel| {
            let m = fs::metadata(dir.join(&rel)).unwrap();
            (rel, m.permissions().mode(), m.modified().unwrap())
        })
        .collect()
}

#[test]
fn a_toolchain_that_links_to_the_user_s_own_go_is_never_moved_into_the_store() {
    let (_m, env) = mirror_env(&["1.22.10"]);
    // The user's own Go tree, linked in by hand.
    let own = env.root.join("own-go");
    support::write_fake_toolchain(&own, "1.22.9");
    fs::create_dir_all(env.gover_home.join("toolchains")).unwrap();
    symlink(&own, goroot(&env, "1.22.9")).unwrap();
    let before = stamps(&own);
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.run_gover(["install", "1.22.10"]).success();
    let _ = env.run_gover(["store", "optimize"]);
    assert_eq!(stamps(&own), before);
    assert!(fs::symlink_metadata(goroot(&env, "1.22.9"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Nor does the store's clean-up remove anything of it.
    env.run_gover(["uninstall", "1.22.10"]).success();
    env.run_gover(["store", "gc"]).success();
    assert_eq!(stamps(&own), before);
}
