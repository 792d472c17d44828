//! The command line as people meet it: `gover` alone gives an overview and
//! the next command to run, a mistyped command gets the nearest one,
//! `gover exec VERSION CMD` needs no `--`, colour goes to terminals (or
//! where `CLICOLOR_FORCE` or `--color` sends it) and never into pipes or
//! where `NO_COLOR` is set, and the completion scripts complete versions in
//! real bash, zsh and fish.

use crate::support;

use std::fs;
use std::path::Path;
use std::process::Command;

use support::mirror::Mirror;
use support::{run, Run, TestEnv};

/// `text` with the test's temporary root shown as `[ROOT]` and gover's
/// version as `[VERSION]`, for snapshots.
fn normalise(env: &TestEnv, text: &str) -> String {
    text.replace(env.root.to_str().unwrap(), "[ROOT]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn gover_alone_says_what_runs_here_and_what_to_do_next() {
    let env = TestEnv::new();
    // A new user: nothing set up, installed or pinned.
    let r = env.run_gover::<[&str; 0], &str>([]).success();
    assert_eq!(r.stderr, "", "{r}");
    insta::assert_snapshot!("overview_new_user", normalise(&env, &r.stdout));

    // Set up, pinned here but not installed.
    env.install_fake("1.21.13");
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    let mut c = env.gover::<[&str; 0], &str>([]);
    c.env(
        "PATH",
        format!("{}:{}", env.gover_home.join("shims").display(), env.path),
    );
    let r = run(&mut c).success();
    insta::assert_snapshot!("overview_pinned_not_installed", normalise(&env, &r.stdout));

    // Installed: the next thing is to use it.
    env.install_fake("1.22.10");
    let r = run(&mut c).success();
    assert!(r.stdout.contains("  Go here:    go1.22.10 ("), "{r}");
    assert!(r.stdout.contains("  go version"), "{r}");
    assert!(r.stdout.contains("Installed:  go1.22.10, go1.21.13"), "{r}");

    // A broken pin is reported, still with exit 0 and a way on.
    env.write("project/.go-version", "1.22.x\n");
    let r = run(&mut c).success();
    assert!(r.stdout.contains("cannot tell: "), "{r}");
    assert!(r.stdout.contains("gover current"), "{r}");
    // Help and usage errors are clap's, with their exit codes.
    assert_eq!(
        env.run_gover(["--help"]).success().stdout.lines().next(),
        Some("gover: install and switch Go toolchains, verified and fast.")
    );
    assert_eq!(env.run_gover(["--bogus"]).code, 2);
}

#[test]
fn a_mistyped_command_suggests_the_nearest_one() {
    let env = TestEnv::new();
    let r = env.run_gover(["instal", "1.22"]);
    assert_eq!(r.code, 2, "{r}");
    assert_eq!(r.stdout, "");
    insta::assert_snapshot!("mistyped_install", r.stderr);
    let r = env.run_gover(["update"]);
    assert!(
        r.stderr
            .contains("did you mean `self update`? `gover self update`"),
        "{r}"
    );
    assert_eq!(r.code, 2);
}

#[test]
fn exec_needs_no_separator() {
    let env = TestEnv::new();
    env.install_fake("1.21.13");
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    for (args, version) in [
        (&["exec", "1.21", "go", "version"][..], "1.21.13"),
        (&["exec", "1.21", "--", "go", "version"], "1.21.13"),
        (&["exec", "go", "version"], "1.22.10"),
        (&["exec", "--", "go", "version"], "1.22.10"),
    ] {
        let r = env.run_gover(args).success();
        assert_eq!(
            r.stdout,
            format!("go version go{version} linux/amd64\n"),
            "{args:?}\n{r}"
        );
    }
    // The command's own flags, `--` included, reach it untouched.
    let r = env
        .run_gover([
            "exec",
            "1.21",
            "go",
            "run",
            "-v",
            "--",
            "-q",
            "--color=never",
        ])
        .success();
    let got: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ARG="))
        .collect();
    assert_eq!(got, ["run", "-v", "--", "-q", "--color=never"], "{r}");
    // No command: a usage error naming what is missing.
    let r = env.run_gover(["exec", "1.21"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.starts_with("error: no command to run after `1.21`\n\nhint: name the command to run, such as `gover exec 1.22 go version`"), "{r}");
    // A version typo is reported as a version, not as a missing command.
    let r = env.run_gover(["exec", "1.22.x", "go", "version"]).failure();
    assert!(r.stderr.contains("invalid Go version `1.22.x`"), "{r}");
}

/// The number of colour escapes in `s`.
fn escapes(s: &str) -> usize {
    s.matches('\u{1b}').count()
}

#[test]
fn colour_goes_where_it_is_asked_for_and_nowhere_else() {
    let env = TestEnv::new();
    env.write("project/.go-version", "1.22.x\n");
    // Into a pipe: none.
    let plain = env.run_gover(["current"]).failure();
    assert_eq!(escapes(&plain.stderr), 0, "{plain}");
    // Forced: the labels are painted, the words are the same.
    let mut c = env.gover(["current"]);
    c.env("CLICOLOR_FORCE", "1");
    let forced = run(&mut c).failure();
    assert!(escapes(&forced.stderr) >= 2, "{forced:?}");
    assert!(
        forced
            .stderr
            .starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m "),
        "{forced:?}"
    );
    assert_eq!(strip(&forced.stderr), plain.stderr);
    // NO_COLOR wins over CLICOLOR_FORCE; --color wins over both.
    c.env("NO_COLOR", "1");
    assert_eq!(escapes(&run(&mut c).failure().stderr), 0);
    let mut c = env.gover(["current", "--color", "always"]);
    c.env("NO_COLOR", "1");
    assert!(escapes(&run(&mut c).failure().stderr) > 0);
    let mut c = env.gover(["--color=never", "current"]);
    c.env("CLICOLOR_FORCE", "1");
    assert_eq!(escapes(&run(&mut c).failure().stderr), 0);
    // Doctor's report and the overview follow the same rules.
    let mut c = env.gover(["doctor"]);
    c.env("CLICOLOR_FORCE", "1");
    let r = run(&mut c);
    assert!(
        r.stdout.contains("\u{1b}[") && r.stdout.contains("problems:"),
        "{r:?}"
    );
    let r = env.run_gover(["doctor"]);
    assert_eq!(escapes(&r.stdout) + escapes(&r.stderr), 0, "{r}");
    // clap's own messages too.
    let r = env.run_gover(["--color", "always", "--bogus"]);
    assert!(escapes(&r.stderr) > 0, "{r:?}");
}

/// `s` without colour escapes.
fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('m').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn have(program: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: {program} is not installed; skipping its part of this test");
    }
    ok
}

/// An environment with two toolchains and a cached index that lists more,
/// whose server has stopped: completion must read the cache, never the
/// network.
fn completion_env() -> TestEnv {
    let mut env = TestEnv::new();
    env.install_fake("1.21.13");
    env.install_fake("1.22.10");
    let mirror = Mirror::start();
    for (v, stable) in [
        ("1.21.13", true),
        ("1.22.9", true),
        ("1.22.10", true),
        ("1.23rc1", false),
    ] {
        mirror.add_release(v, stable, Vec::new());
    }
    env.set("GOVER_INDEX_URL", mirror.index_url());
    env.run_gover(["list", "--remote", "--all"]).success();
    drop(mirror);
    // gover must be found on PATH by the scripts.
    let bin = support::gover_bin();
    env.path = format!("{}:{}", bin.parent().unwrap().display(), env.path);
    env
}

/// Runs `script` in `shell` in the test environment.
fn shell(env: &TestEnv, program: &str, args: &[&str], script: &str) -> Run {
    let mut c = env.command(program);
    c.args(args).arg(script);
    run(&mut c)
}

/// The candidates bash offers for `words` (the last one being completed).
fn bash_candidates(env: &TestEnv, file: &Path, words: &str) -> Vec<String> {
    let probe = format!(
        "source {}\nCOMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9\n_clap_complete_gover gover \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let r = shell(env, "bash", &["--norc", "--noprofile", "-c"], &probe).success();
    assert_eq!(r.stderr, "", "{r}");
    r.stdout.lines().map(str::to_string).collect()
}

#[test]
fn completions_offer_versions_in_bash_zsh_and_fish() {
    let env = completion_env();
    let dir = env.mkdir("completions");
    let versions = |c: &[String]| -> Vec<String> {
        c.iter().filter(|w| !w.starts_with('-')).cloned().collect()
    };
    // bash, with nothing but bash (no bash-completion package functions).
    let file = dir.join("gover.bash");
    fs::write(
        &file,
        env.run_gover(["completions", "bash"]).success().stdout,
    )
    .unwrap();
    assert_eq!(bash_candidates(&env, &file, "gover doc"), ["doctor"]);
    let installed = ["1.22.10", "1.21.13"];
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover uninstall ''")),
        installed
    );
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover use ''")),
        ["1.22.10", "1.21.13", "latest", "stable", "system"]
    );
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover env 1.2")),
        installed
    );
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover exec 1.21")),
        ["1.21.13"]
    );
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover which gof")),
        ["gofmt"]
    );
    // install: the cached index's releases and minor lines (the server is gone).
    assert_eq!(
        versions(&bash_candidates(&env, &file, "gover install ''")),
        ["1.23rc1", "1.22", "1.22.10", "1.22.9", "1.21", "1.21.13", "latest"]
    );
    assert_eq!(
        bash_candidates(&env, &file, "gover setup --shell z"),
        ["zsh"]
    );
    assert_eq!(
        bash_candidates(&env, &file, "gover config set auto_"),
        ["auto_install"]
    );

    if have("zsh") {
        // Autoloaded from $fpath as `_gover`, the first Tab completes (the
        // completion system's `_describe` and `compdef` are stood in for).
        let fpath = env.mkdir("zfunc");
        fs::write(
            fpath.join("_gover"),
            env.run_gover(["completions", "zsh"]).success().stdout,
        )
        .unwrap();
        let probe = format!(
            "fpath=({} $fpath); compdef() {{ print \"compdef $*\" }}; _describe() {{ print -l -- \"${{(@P)${{@[-1]}}}}\" }}; autoload -Uz _gover; words=(gover uninstall ''); CURRENT=3; _gover",
            fpath.display()
        );
        let r = shell(&env, "zsh", &["-f", "-c"], &probe).success();
        let got: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with('-')).collect();
        assert_eq!(got, installed, "{r}");
        // Sourced, it registers itself.
        let probe = format!(
            "compdef() {{ print \"compdef $*\" }}; source {}",
            fpath.join("_gover").display()
        );
        let r = shell(&env, "zsh", &["-f", "-c"], &probe).success();
        assert_eq!(
            r.stdout.trim(),
            "compdef _clap_dynamic_completer_gover gover",
            "{r}"
        );
    }
    if have("fish") {
        let file = dir.join("gover.fish");
        fs::write(
            &file,
            env.run_gover(["completions", "fish"]).success().stdout,
        )
        .unwrap();
        let probe = format!("source {}; complete -C 'gover use '", file.display());
        let r = shell(&env, "fish", &["--no-config", "-c"], &probe).success();
        let got: Vec<&str> = r
            .stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .filter(|w| !w.starts_with('-'))
            .collect();
        assert_eq!(
            got,
            ["1.22.10", "1.21.13", "latest", "stable", "system"],
            "{r}"
        );
    }
}

#[test]
fn completion_is_quiet_when_gover_cannot_read_its_home() {
    let mut env = completion_env();
    env.set("GOVER_HOME", "relative/home");
    env.write("gover/config.toml", "colour = 1\n");
    let file = env.root.join("gover.bash");
    fs::write(
        &file,
        env.run_gover(["completions", "bash"]).success().stdout,
    )
    .unwrap();
    // Commands still complete; versions are simply not offered.
    assert_eq!(bash_candidates(&env, &file, "gover inst"), ["install"]);
    let got = bash_candidates(&env, &file, "gover uninstall ''");
    assert!(got.iter().all(|w| w.starts_with('-')), "{got:?}");
}

#[test]
fn completion_never_offers_names_a_shell_would_act_on() {
    let env = completion_env();
    let bin = env.gover_home.join("toolchains/go1.22.10/bin");
    for name in [
        "vet-tool",
        "evil\u{1b}[2J",
        "$(touch pwned)",
        "a b",
        ".hidden",
    ] {
        fs::write(bin.join(name), "").unwrap();
    }
    let file = env.root.join("gover.bash");
    fs::write(
        &file,
        env.run_gover(["completions", "bash"]).success().stdout,
    )
    .unwrap();
    let got = bash_candidates(&env, &file, "gover which ''");
    let tools: Vec<&String> = got.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(tools, ["go", "gofmt", "vet-tool"], "{got:?}");
    assert!(!env.project.join("pwned").exists());
}

#[test]
fn completion_offers_linked_toolchains() {
    let env = completion_env();
    let tree = env.mkdir("bigcorp-go");
    support::write_fake_toolchain(&tree, "1.22.10");
    fs::create_dir_all(tree.join("pkg/tool")).unwrap();
    let r = env.run_gover(["link", "go1.22.10-bigcorp", tree.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{r}");
    let file = env.root.join("gover.bash");
    fs::write(
        &file,
        env.run_gover(["completions", "bash"]).success().stdout,
    )
    .unwrap();
    let names =
        |c: Vec<String>| -> Vec<String> { c.into_iter().filter(|w| !w.starts_with('-')).collect() };
    assert_eq!(
        names(bash_candidates(&env, &file, "gover unlink ''")),
        ["go1.22.10-bigcorp"]
    );
    let got = bash_candidates(&env, &file, "gover use go1.22.10-");
    assert_eq!(got, ["go1.22.10-bigcorp"]);
}
