//! `gover link` and `gover unlink`: a Go tree gover did not install,
//! registered under a custom toolchain name and run by pins, toolchain
//! lines, `GOTOOLCHAIN` and its own shim; names and trees checked strictly,
//! nothing gover did not create ever removed.

use crate::support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{run, write_fake_toolchain, Run, TestEnv};

/// An environment with the shims set up, nothing installable, and a fake
/// vendor build of 1.22.10 at `root/opt/bigcorp`.
fn env() -> (TestEnv, PathBuf) {
    let env = crate::selection::offline_env();
    let tree = env.root.join("opt/bigcorp");
    write_fake_toolchain(&tree, "1.22.10-bigcorp");
    fs::write(tree.join("VERSION"), "go1.22.10\n").unwrap();
    (env, tree)
}

fn go_in(env: &TestEnv, shim: &str, dir: &Path) -> Run {
    let mut c = env.command(env.gover_home.join("shims").join(shim));
    c.current_dir(dir).arg("version");
    run(&mut c)
}

#[test]
fn a_linked_toolchain_runs_from_pins_toolchain_lines_gotoolchain_and_its_shim() {
    let (mut env, tree) = env();
    env.install_fake("1.22.10");
    let r = env
        .run_gover(["link", "go1.22.10-bigcorp", tree.to_str().unwrap()])
        .success();
    assert_eq!(
        r.stdout,
        format!("Linked go1.22.10-bigcorp to {}\n", tree.display())
    );
    let link = env.gover_home.join("links/go1.22.10-bigcorp");
    assert_eq!(fs::read_link(&link).unwrap(), tree);
    let want = "go version go1.22.10-bigcorp linux/amd64\n";

    // A toolchain line.
    env.write(
        "project/go.mod",
        "module m\ngo 1.22.0\ntoolchain go1.22.10-bigcorp\n",
    );
    assert_eq!(go_in(&env, "go", &env.project).success().stdout, want);
    let r = env.run_gover(["current"]).success();
    assert!(
        r.stdout
            .ends_with(&format!(": linked to {}\n", link.display())),
        "{r}"
    );
    // Its shim, and the GOROOT it runs with.
    assert_eq!(
        go_in(&env, "go1.22.10-bigcorp", &env.root).success().stdout,
        want
    );
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.current_dir(&env.project).arg("env");
    let r = run(&mut c).success();
    assert!(
        r.stdout.contains(&format!("GOROOT={}\n", link.display())),
        "{r}"
    );
    // A pin.
    fs::remove_file(env.project.join("go.mod")).unwrap();
    let r = env.run_gover(["use", "go1.22.10-bigcorp"]).success();
    assert!(
        r.stderr.contains(&format!(
            "`go1.22.10-bigcorp` is linked to {}",
            link.display()
        )),
        "{r}"
    );
    assert_eq!(go_in(&env, "go", &env.project).success().stdout, want);
    // GOTOOLCHAIN.
    fs::remove_file(env.project.join(".go-version")).unwrap();
    env.set("GOTOOLCHAIN", "go1.22.10-bigcorp");
    assert_eq!(go_in(&env, "go", &env.root).success().stdout, want);

    // Unlinked: an error, never the stock go1.22.10 that is installed.
    env.run_gover(["unlink", "go1.22.10-bigcorp"]).success();
    let r = go_in(&env, "go", &env.root).failure();
    assert!(
        r.stderr.contains("go1.22.10-bigcorp (GOTOOLCHAIN=go1.22.10-bigcorp in the environment) is a custom toolchain"),
        "{r}"
    );
    assert!(!env.gover_home.join("shims/go1.22.10-bigcorp").exists());
    assert!(tree.join("bin/go").is_file(), "the tree is untouched");
}

#[test]
fn link_checks_the_name_strictly() {
    let (env, tree) = env();
    let dir = tree.to_str().unwrap();
    for bad in [
        "go1.22.10",
        "gotip",
        "bigcorp",
        "go1.22.10-",
        "go1.22.10-.hidden",
        "go1.22.10--x",
        "go1.22.10-../../etc",
        "go1.22.10-a/b",
        "../go1.22.10-x",
        "go1.22.10-a b",
        "go1.22.10-a\u{1b}[2J",
        "go1-bigcorp",
        "go1.21.0rc1-x",
        "go1.22x-bigcorp",
        "go1.22.10+auto",
    ] {
        let r = env.run_gover(["link", bad, dir]).failure();
        assert!(
            r.stderr.contains("is not a custom toolchain name"),
            "{bad:?}: {r}"
        );
        assert!(!r.stderr.contains('\u{1b}'), "escaped: {r}");
    }
    let long = format!("go1.22.10-{}", "x".repeat(60));
    let r = env.run_gover(["link", &long, dir]).failure();
    assert!(r.stderr.contains("at most 64 bytes"), "{r}");
    assert!(!env.gover_home.join("links").exists(), "nothing written");
}

#[test]
fn link_checks_the_tree_strictly() {
    let (env, tree) = env();
    let name = "go1.22.10-bigcorp";
    let r = env
        .run_gover(["link", name, env.root.join("missing").to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("is not a Go tree"), "{r}");
    let file = env.write("plain-file", "x");
    let r = env
        .run_gover(["link", name, file.to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("not a directory"), "{r}");
    let half = env.mkdir("half/bin");
    fs::write(half.join("go"), "#!/bin/sh\n").unwrap();
    let r = env
        .run_gover(["link", name, env.root.join("half").to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("bin/go is not an executable"), "{r}");
    fs::set_permissions(half.join("go"), fs::Permissions::from_mode(0o755)).unwrap();
    let r = env
        .run_gover(["link", name, env.root.join("half").to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("there is no pkg/tool"), "{r}");
    // gover's own shims: a loop, refused.
    let fake_root = env.mkdir("shimroot");
    fs::create_dir_all(fake_root.join("pkg/tool")).unwrap();
    std::os::unix::fs::symlink(env.gover_home.join("shims"), fake_root.join("bin")).unwrap();
    let r = env
        .run_gover(["link", name, fake_root.to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("gover's own shim"), "{r}");
    // A relative DIR is taken from the current directory and stored
    // absolute; a VERSION naming another release is a warning.
    fs::write(tree.join("VERSION"), "go1.23.0\n").unwrap();
    let mut c = env.gover(["link", name, "bigcorp"]);
    c.current_dir(env.root.join("opt"));
    let r = run(&mut c).success();
    assert!(
        r.stderr.contains(
            "VERSION says go1.23.0, but Go compares toolchains by the version in their name"
        ),
        "{r}"
    );
    assert_eq!(
        fs::read_link(env.gover_home.join("links").join(name)).unwrap(),
        tree
    );
}

#[test]
fn link_and_unlink_never_remove_what_gover_did_not_create() {
    let (env, tree) = env();
    let name = "go1.22.10-bigcorp";
    // Something else in gover's links directory: left alone.
    let squatter = env.gover_home.join("links").join(name);
    fs::create_dir_all(squatter.join("bin")).unwrap();
    fs::write(squatter.join("bin/keep"), "mine").unwrap();
    let r = env
        .run_gover(["link", name, tree.to_str().unwrap()])
        .failure();
    assert!(r.stderr.contains("is not a link gover made"), "{r}");
    let r = env.run_gover(["unlink", name]).failure();
    assert!(r.stderr.contains("is not a link gover made"), "{r}");
    assert_eq!(
        fs::read_to_string(squatter.join("bin/keep")).unwrap(),
        "mine"
    );
    fs::remove_dir_all(&squatter).unwrap();

    // Relinking points the name at the new tree and says what it was.
    env.run_gover(["link", name, tree.to_str().unwrap()])
        .success();
    let other = env.root.join("opt/other");
    write_fake_toolchain(&other, "1.22.10");
    let r = env
        .run_gover(["link", name, other.to_str().unwrap()])
        .success();
    assert!(
        r.stdout
            .contains(&format!("(it was linked to {})", tree.display())),
        "{r}"
    );
    // A shim file that is not gover's is left in place on unlink.
    let shim = env.gover_home.join("shims").join(name);
    fs::remove_file(&shim).unwrap();
    fs::write(&shim, "#!/bin/sh\necho user's own\n").unwrap();
    let r = env.run_gover(["unlink", name]).success();
    assert!(r.stderr.contains("is not gover's shim, so it stays"), "{r}");
    assert!(shim.is_file());
    assert!(other.join("bin/go").is_file() && tree.join("bin/go").is_file());
    // Unlinking what is not linked names what is.
    let r = env.run_gover(["unlink", name]).failure();
    assert!(
        r.stderr.contains("go1.22.10-bigcorp is not linked")
            && r.stderr.contains("the linked toolchains are none"),
        "{r}"
    );
}

#[test]
fn a_linked_toolchain_is_never_installed_and_gover_install_says_so() {
    let (env, _) = env();
    env.write("project/.go-version", "go1.22.10-bigcorp\n");
    let r = env.run_gover(["install"]).failure();
    assert!(
        r.stderr
            .contains("is a custom toolchain: gover installs only Go's own releases")
            && r.stderr.contains("gover link go1.22.10-bigcorp"),
        "{r}"
    );
    let r = env.run_gover(["install", "go1.22.10-bigcorp"]).failure();
    assert!(r.stderr.contains("is a custom toolchain"), "{r}");
    let r = env.run_gover(["use", "go1.21.0-other"]).failure();
    assert!(
        r.stderr
            .contains("go1.21.0-other is a custom toolchain that is neither linked nor on PATH"),
        "{r}"
    );
}
