//! Which file `gover use` writes: never your home directory's `.go-version`
//! without `--here`; the Go line of a project's `.tool-versions`, byte for
//! byte otherwise; a warning when `.go-version` and `.tool-versions`
//! disagree.

use crate::support;

use std::fs;

use support::{run, Run, TestEnv};

fn two_versions() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.install_fake("1.21.13");
    env
}

/// `gover ARGS` run in `dir`.
fn gover_in(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> Run {
    run(env.gover(args).current_dir(dir))
}

/// `text` with the test's root replaced, for snapshots.
fn normal(env: &TestEnv, text: &str) -> String {
    text.replace(&env.root.display().to_string(), "[ROOT]")
}

#[test]
fn use_in_the_home_directory_asks_for_global_or_here() {
    let env = two_versions();
    let pin = env.home.join(".go-version");
    let r = gover_in(&env, &env.home, &["use", "1.22"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "", "{r}");
    insta::assert_snapshot!(normal(&env, &r.stderr));
    assert!(!pin.exists(), "nothing may be written");
    // The same directory under another name (a link to it) is refused too.
    let alias = env.root.join("me");
    std::os::unix::fs::symlink(&env.home, &alias).unwrap();
    let r = run(env
        .gover(["use", "1.22"])
        .current_dir(&alias)
        .env("PWD", &alias));
    assert_eq!(r.code, 1, "{r}");
    assert!(!pin.exists());
    // --global from there sets the default; --here pins the directory.
    gover_in(&env, &env.home, &["use", "--global", "1.21"]).success();
    assert_eq!(
        fs::read_to_string(env.gover_home.join("version")).unwrap(),
        "1.21\n"
    );
    let r = gover_in(&env, &env.home, &["use", "--here", "1.22"]).success();
    assert_eq!(fs::read_to_string(&pin).unwrap(), "1.22\n");
    assert!(
        r.stdout
            .starts_with(&format!("Pinned 1.22 in {}\n", pin.display())),
        "{r}"
    );
    // Below the home directory nothing changes.
    let sub = env.home.join("src/api");
    fs::create_dir_all(&sub).unwrap();
    gover_in(&env, &sub, &["use", "1.21"]).success();
    assert_eq!(
        fs::read_to_string(sub.join(".go-version")).unwrap(),
        "1.21\n"
    );
    let r = gover_in(&env, &env.home, &["use", "--here", "--global", "1.22"]);
    assert_eq!(r.code, 2, "{r}");
}

#[test]
fn use_updates_the_go_line_of_tool_versions_and_nothing_else() {
    let env = two_versions();
    let before = "\u{feff}# managed by asdf\r\nnodejs 20.11.0\r\ngolang   1.21.13 1.20.14  # CI needs this\r\n\r\npython 3.12.1\r\n";
    let file = env.write("project/.tool-versions", before);
    let r = env.run_gover(["use", "1.22"]).success();
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        before.replace("golang   1.21.13 1.20.14", "golang   1.22 1.20.14")
    );
    assert_eq!(
        r.stdout,
        format!(
            "Pinned 1.22 in {} (its golang line)\nGo here is now go1.22.10 (set by {}), installed\n",
            file.display(),
            file.display()
        )
    );
    assert!(!env.project.join(".go-version").exists(), "{r}");
    assert_eq!(r.stderr.matches("warning").count(), 0, "{r}");
    // mise's `go` and a line without a version are updated too.
    fs::write(&file, "go\n").unwrap();
    env.run_gover(["use", "1.21.13"]).success();
    assert_eq!(fs::read_to_string(&file).unwrap(), "go 1.21.13\n");
    // A .tool-versions that does not pin Go is left alone.
    fs::write(&file, "nodejs 20\n").unwrap();
    env.run_gover(["use", "1.22"]).success();
    assert_eq!(fs::read_to_string(&file).unwrap(), "nodejs 20\n");
    assert_eq!(
        fs::read_to_string(env.project.join(".go-version")).unwrap(),
        "1.22\n"
    );
}

#[test]
fn a_tool_versions_link_out_of_the_repository_is_not_written_through() {
    let env = two_versions();
    // A cloned repository whose .tool-versions leads to the user's own file.
    fs::create_dir(env.project.join(".git")).unwrap();
    let mine = env.write("home/.tool-versions", "golang 1.21.13\nnodejs 20\n");
    let link = env.project.join(".tool-versions");
    std::os::unix::fs::symlink(&mine, &link).unwrap();
    let r = env.run_gover(["use", "1.22"]).success();
    assert_eq!(
        fs::read_to_string(&mine).unwrap(),
        "golang 1.21.13\nnodejs 20\n"
    );
    let go_version = env.project.join(".go-version");
    assert_eq!(fs::read_to_string(&go_version).unwrap(), "1.22\n");
    assert!(
        r.stderr.starts_with(&format!(
            "warning: cannot update {}: refusing to write {}: it is a symbolic link to {}, which is outside {}; writing {} instead, which gover reads first (asdf and mise still read the golang line)\n",
            link.display(),
            link.display(),
            mine.display(),
            env.project.display(),
            go_version.display()
        )),
        "{r}"
    );
    assert_eq!(r.stderr.matches("warning").count(), 1, "{r}");
    // A link inside the repository to a file that pins Go is written through.
    fs::remove_file(&link).unwrap();
    let shared = env.write("project/tools/versions", "golang 1.21.13\n");
    std::os::unix::fs::symlink("tools/versions", &link).unwrap();
    fs::remove_file(&go_version).unwrap();
    env.run_gover(["use", "1.22"]).success();
    assert_eq!(fs::read_to_string(&shared).unwrap(), "golang 1.22\n");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_go_version_beside_a_contradicting_tool_versions_is_named() {
    let env = two_versions();
    env.write("project/.go-version", "1.21.13\n");
    let tv = env.write("project/.tool-versions", "golang 1.21.13\n");
    let r = env.run_gover(["use", "1.22"]).success();
    // .go-version exists, so it is the file written; .tool-versions stays.
    assert_eq!(fs::read_to_string(&tv).unwrap(), "golang 1.21.13\n");
    insta::assert_snapshot!(normal(&env, &r.stderr));
    // When they agree, nothing is said.
    let r = env.run_gover(["use", "1.21.13"]).success();
    assert!(!r.stderr.contains("warning"), "{r}");
    // With -q, nothing is said either.
    let r = env.run_gover(["-q", "use", "1.22"]).success();
    assert_eq!(r.stderr, "", "{r}");
}
