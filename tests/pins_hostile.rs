//! Pins from places gover should not trust, and repositories built to
//! trick it: pin files in the temp directory or planted by another user in
//! a shared one, `.go-version` links to a user's startup file or to a
//! device, directory names holding terminal escapes, and a current
//! directory that was deleted.

use crate::support;

use std::fs;
use std::os::unix::fs::{chown, symlink, FileTypeExt, PermissionsExt};
use std::path::Path;

use support::{run, Run, TestEnv};

fn with_shims() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.install_fake("1.21.13");
    env.set_global("1.22.10\n");
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env
}

fn go_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.current_dir(dir).args(args);
    run(&mut c)
}

/// The first line of a fake tool's report: `fake-go go1.22.10`.
fn ran(r: &Run) -> &str {
    r.stdout.lines().next().unwrap_or("")
}

#[test]
fn pin_files_in_the_temp_dir_itself_are_ignored_like_go_ignores_a_go_mod_there() {
    let env = with_shims();
    // TestEnv's TMPDIR is root/tmp.
    env.write("tmp/.go-version", "1.21.13\n");
    let work = env.mkdir("tmp/work");
    let r = go_in(&env, &work, &["build"]).success();
    assert_eq!(ran(&r), "fake-go go1.22.10", "{r}");
    assert_eq!(r.stderr, "");
    let mut c = env.gover(["current"]);
    c.current_dir(&work);
    let r = run(&mut c).success();
    assert!(r.stdout.starts_with("go1.22.10 (global default "), "{r}");
    // `gover use` does not write a pin there that would be ignored.
    let mut c = env.gover(["use", "1.21.13"]);
    c.current_dir(env.root.join("tmp"));
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(
        r.stderr,
        format!(
            "error: {} is the temporary directory: gover ignores pin files there, as Go ignores a go.mod there (anyone can write them)\n\nhint: pin a directory of your own below it, or set the default with `gover use --global 1.21.13`\n",
            env.root.join("tmp").display()
        )
    );
    // A directory of one's own below it counts.
    env.write("tmp/work/.go-version", "1.21.13\n");
    assert_eq!(
        ran(&go_in(&env, &work, &["build"]).success()),
        "fake-go go1.21.13"
    );
}

#[test]
fn a_pin_file_another_user_planted_in_a_shared_directory_is_ignored_with_a_warning() {
    let env = with_shims();
    let shared = env.mkdir("shared");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let planted = env.write("shared/.tool-versions", "golang 1.21.13\n");
    // 65534 is `nobody`.
    if chown(&planted, Some(65534), Some(65534)).is_err() {
        eprintln!("note: not root, cannot give a file to another user; skipping");
        return;
    }
    let work = env.mkdir("shared/victim");
    let warning = format!(
        "ignoring {}: it belongs to another user (uid 65534) and lies in a directory anyone can write to, so it is no evidence of the Go you want",
        planted.display()
    );
    let r = go_in(&env, &work, &["build"]).success();
    assert_eq!(ran(&r), "fake-go go1.22.10", "{r}");
    assert_eq!(r.stderr, format!("gover: warning: {warning}\n"));
    let mut c = env.gover(["current"]);
    c.current_dir(&work);
    let r = run(&mut c).success();
    assert!(r.stdout.starts_with("go1.22.10 (global default "), "{r}");
    assert_eq!(r.stderr, format!("warning: {warning}\n"));
    // The victim's own pin is used, without a word.
    env.write("shared/victim/.go-version", "1.21.13\n");
    let r = go_in(&env, &work, &["build"]).success();
    assert_eq!((ran(&r), r.stderr.as_str()), ("fake-go go1.21.13", ""));
}

/// Runs `gover use VERSION` in `dir`.
fn use_in(env: &TestEnv, dir: &Path, version: &str) -> Run {
    let mut c = env.gover(["use", version, "--no-install"]);
    c.current_dir(dir);
    run(&mut c)
}

#[test]
fn use_never_writes_through_a_link_to_a_startup_file_or_a_device() {
    let env = with_shims();
    let bashrc = env.write("home/.bashrc", "alias ll='ls -l'\nexport EDITOR=vi\n");
    let before = fs::read(&bashrc).unwrap();
    // A cloned repository with `.go-version -> ../.bashrc` (cloned into $HOME).
    let repo = env.mkdir("home/repo");
    fs::create_dir(repo.join(".git")).unwrap();
    let link = repo.join(".go-version");
    symlink("../.bashrc", &link).unwrap();
    let r = use_in(&env, &repo, "1.21.13");
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(&format!(
            "error: refusing to write {}: it is a symbolic link to {}, which is outside {}",
            link.display(),
            bashrc.display(),
            repo.display()
        )),
        "{r}"
    );
    assert_eq!(fs::read(&bashrc).unwrap(), before, "~/.bashrc is unchanged");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // Even a link inside the repository to a file that is more than a pin.
    let notes = env.write("home/repo/NOTES", "1.21\nremember the milk\n");
    fs::remove_file(&link).unwrap();
    symlink("NOTES", &link).unwrap();
    let r = use_in(&env, &repo, "1.21.13");
    assert!(
        r.stderr.contains("which does not hold a Go version pin"),
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(&notes).unwrap(),
        "1.21\nremember the milk\n"
    );

    // A link to a device node: the node stays a device.
    let dev = repo.join("null-device");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    let target = if made {
        dev.clone()
    } else {
        "/dev/null".into()
    };
    fs::remove_file(&link).unwrap();
    symlink(&target, &link).unwrap();
    let r = use_in(&env, &repo, "1.21.13");
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains("which is a device, not a regular file"),
        "{r}"
    );
    let meta = fs::metadata(&target).unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "{target:?} is still a device"
    );
}

#[test]
fn use_writes_through_a_link_to_the_pin_of_the_enclosing_repository() {
    let env = with_shims();
    let mono = env.mkdir("project/mono");
    fs::create_dir(mono.join(".git")).unwrap();
    let root_pin = env.write("project/mono/.go-version", "1.22.10\n");
    let svc = env.mkdir("project/mono/services/a");
    symlink("../../.go-version", svc.join(".go-version")).unwrap();
    let r = use_in(&env, &svc, "1.21.13").success();
    assert!(r.stdout.starts_with("Pinned 1.21.13 in "), "{r}");
    assert_eq!(fs::read_to_string(&root_pin).unwrap(), "1.21.13\n");
    assert!(fs::symlink_metadata(svc.join(".go-version"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Without a repository around it the same link leads outside the
    // directory being pinned, and is refused.
    fs::remove_dir(mono.join(".git")).unwrap();
    let r = use_in(&env, &svc, "1.22.10");
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("which is outside"), "{r}");
    assert_eq!(fs::read_to_string(&root_pin).unwrap(), "1.21.13\n");
}

#[test]
fn directory_names_and_pin_contents_cannot_drive_the_terminal() {
    let env = with_shims();
    let evil = env.mkdir("project/x\u{1b}]0;owned\u{7}\u{1b}[2J");
    env.write(
        "project/x\u{1b}]0;owned\u{7}\u{1b}[2J/.go-version",
        "1.22\u{1b}[31m\n",
    );
    for r in [go_in(&env, &evil, &["build"]), {
        let mut c = env.gover(["current"]);
        c.current_dir(&evil);
        run(&mut c)
    }] {
        assert_eq!(r.code, 1, "{r}");
        assert!(!r.stderr.contains('\u{1b}'), "{r:?}");
        assert!(!r.stderr.contains('\u{7}'), "{r:?}");
        assert!(
            r.stderr
                .contains("x\\u{1b}]0;owned\\u{7}\\u{1b}[2J/.go-version"),
            "{r}"
        );
    }
}

#[test]
fn a_deleted_current_directory_still_runs_go_dash_c_and_gover_go_version() {
    let env = with_shims();
    let other = env.mkdir("project/other");
    env.write("project/other/.go-version", "1.21.13\n");
    let go = env.gover_home.join("shims/go");
    let in_deleted = |script: &str| {
        let gone = env.root.join("gone");
        fs::create_dir_all(&gone).unwrap();
        let mut c = env.command("sh");
        c.current_dir(&env.root).arg("-c").arg(format!(
            "cd {gone} && rmdir {gone} && {script}",
            gone = gone.display()
        ));
        run(&mut c)
    };
    let r = in_deleted(&format!("{} -C {} build", go.display(), other.display())).success();
    assert_eq!(ran(&r), "fake-go go1.21.13", "{r}");
    let r = in_deleted(&format!("GOVER_GO_VERSION=1.21.13 {} build", go.display())).success();
    assert_eq!(ran(&r), "fake-go go1.21.13", "{r}");
    // Nothing to go by: a clear error, not a global default for a
    // directory nobody can see.
    let r = in_deleted(&format!("{} build", go.display()));
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with(
            "gover: error: the current directory no longer exists (it was deleted), so there is no pin file to go by\n"
        ),
        "{r}"
    );
    assert!(
        r.stderr.contains("gover: hint: cd to a directory that exists, name one with `go -C /abs/dir ...`, or set GOVER_GO_VERSION"),
        "{r}"
    );
}

/// A tmpfs of 64 KiB mounted at `dir` (root only), unmounted on drop.
struct TinyFs(std::path::PathBuf);

impl TinyFs {
    fn mount(dir: &Path) -> Option<Self> {
        fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(dir.to_path_buf()))
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn use_global_on_a_full_disk_names_the_full_disk() {
    let mut env = TestEnv::new();
    let home = env.root.join("full-home");
    let Some(_mounted) = TinyFs::mount(&home) else {
        eprintln!("note: cannot mount a tmpfs here (not root); skipping");
        return;
    };
    env.set("GOVER_HOME", &home);
    // Fill it.
    let filler = home.join("filler");
    let _ = fs::write(&filler, vec![0u8; 128 * 1024]);
    let r = env.run_gover(["use", "--global", "--no-install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: cannot write {}: ",
            home.join("version").display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.ends_with(&format!(
            "\n\nhint: the file system holding {} is full (or you are over your quota); free some space, then run this again\n",
            home.display()
        )),
        "{r}"
    );
    assert!(
        !r.stderr
            .contains("set GOVER_HOME to a directory you can write to"),
        "{r}"
    );
    assert!(!home.join("version").exists());
    let leftovers: Vec<_> = fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "filler")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // With room again it works.
    fs::remove_file(&filler).unwrap();
    env.run_gover(["use", "--global", "--no-install", "1.22.10"])
        .success();
    assert_eq!(
        fs::read_to_string(home.join("version")).unwrap(),
        "1.22.10\n"
    );
}

#[test]
fn pins_that_name_paths_or_what_go_rejects_are_errors_naming_the_file() {
    let env = with_shims();
    env.install_fake("1.22.10");
    let dir = env.mkdir("project/p");
    for (text, needle) in [
        ("go1.22.10-../../../bin\n", "a custom toolchain is named"),
        ("go1.22.10-x/y\n", "a custom toolchain is named"),
        ("1.21.0rc1\n", "pre-release after a patch number"),
        ("1.22rc\n", "kind and number"),
        ("oldstable\n", "only the release index"),
    ] {
        let pin = env.write("project/p/.go-version", text);
        let r = go_in(&env, &dir, &["build"]).failure();
        assert!(
            r.stderr.starts_with(&format!(
                "gover: error: {}: invalid Go version",
                pin.display()
            )) && r.stderr.contains(needle),
            "{text:?}: {r}"
        );
    }
    // GOVER_GO_VERSION is a pin too.
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.current_dir(&dir)
        .env("GOVER_GO_VERSION", "go1.22.10-../x")
        .arg("build");
    let r = run(&mut c).failure();
    assert!(
        r.stderr
            .starts_with("gover: error: GOVER_GO_VERSION: invalid Go version"),
        "{r}"
    );
    // A custom name that is valid but not linked: no path is ever built
    // from anything but a checked name, and the stock release never runs.
    env.write("project/p/.go-version", "go1.22.10-bigcorp\n");
    let r = go_in(&env, &dir, &["build"]).failure();
    assert!(r.stderr.contains("is a custom toolchain"), "{r}");
    assert!(!env.gover_home.join("links").exists());
}
