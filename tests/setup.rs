//! `gover setup` on throwaway HOMEs: the shims get linked, and fresh bash
//! (login, interactive, ssh-style), zsh and fish sessions find the `go`
//! shim first on PATH and run the pinned Go through it. Running setup again
//! changes nothing.

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{run, Run, TestEnv};

/// An environment with Debian's default `~/.bashrc` and `~/.profile`, a
/// fake go1.22.10 installed and pinned as the global default.
fn debian_home() -> TestEnv {
    let env = TestEnv::new();
    env.write("home/.bashrc", &skel(".bashrc"));
    env.write("home/.profile", &skel(".profile"));
    env.install_fake("1.22.10");
    env.set_global("1.22.10\n");
    env
}

/// A file of /etc/skel, or a faithful copy of Debian's guard when absent.
fn skel(name: &str) -> String {
    fs::read_to_string(Path::new("/etc/skel").join(name)).unwrap_or_else(|_| match name {
        ".bashrc" => "# ~/.bashrc\n\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nHISTSIZE=1000\n".into(),
        _ => "if [ -n \"$BASH_VERSION\" ]; then\n    if [ -f \"$HOME/.bashrc\" ]; then\n\t. \"$HOME/.bashrc\"\n    fi\nfi\nif [ -d \"$HOME/.local/bin\" ] ; then\n    PATH=\"$HOME/.local/bin:$PATH\"\nfi\n".into(),
    })
}

/// A shell started the way a terminal, a login or ssh starts one: empty
/// environment but HOME, a system PATH and (for ssh) SSH_CLIENT; notably
/// without GOVER_HOME, which the startup files must provide.
fn fresh(env: &TestEnv, program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("HOME", &env.home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .current_dir(&env.project)
        .args(args);
    c
}

fn have(program: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("note: {program} is not installed; skipping its part of this test");
    }
    ok
}

/// Every regular file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// The contents of the backups of `dir/name` (`name.gover-backup-<time>`),
/// oldest first.
fn backups(dir: &Path, name: &str) -> Vec<String> {
    let prefix = format!("{name}.gover-backup-");
    let mut found: Vec<(std::time::SystemTime, String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&prefix).then(|| {
                let m = fs::symlink_metadata(e.path()).unwrap();
                (
                    m.modified().unwrap(),
                    n,
                    fs::read_to_string(e.path()).unwrap(),
                )
            })
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, _, text)| text).collect()
}

fn setup(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = vec!["setup"];
    all.extend_from_slice(args);
    env.run_gover(all).success()
}

/// Asserts that `command -v go` and `go version` in the shell find the shim
/// and the pinned Go.
#[track_caller]
fn assert_finds_shim(env: &TestEnv, what: &str, mut c: Command) {
    let shim = env.gover_home.join("shims/go");
    let r = run(&mut c);
    let first = r.stdout.lines().next().unwrap_or("");
    assert_eq!(first, shim.to_str().unwrap(), "{what}: command -v go\n{r}");
    assert_eq!(
        r.stdout.lines().nth(1),
        Some("go version go1.22.10 linux/amd64"),
        "{what}: go version\n{r}"
    );
}

const PROBE: &str = "command -v go; go version";

/// `ssh host command -v go`: a non-interactive bash whose stdin is a socket
/// and with SSH_CLIENT set reads ~/.bashrc (and nothing else).
fn ssh_bash(env: &TestEnv) -> Run {
    let (sock, _peer) = UnixStream::pair().unwrap();
    let mut ssh = fresh(env, "bash", &["-c", PROBE]);
    ssh.env("SSH_CLIENT", "192.0.2.1 50000 22")
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(sock)));
    let r = ssh.output().unwrap();
    Run {
        code: r.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&r.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&r.stderr).into_owned(),
    }
}

#[track_caller]
fn assert_ssh_finds_shim(env: &TestEnv) {
    let r = ssh_bash(env);
    assert_eq!(
        r.stdout.lines().next(),
        Some(env.gover_home.join("shims/go").to_str().unwrap()),
        "ssh-style bash\n{r}"
    );
}

#[test]
fn bash_login_interactive_and_ssh_sessions_find_the_shim() {
    let env = debian_home();
    let bashrc_before = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    let profile_before = fs::read_to_string(env.home.join(".profile")).unwrap();
    let r = setup(&env, &["--shell", "bash"]);
    let out = &r.stdout;
    assert!(
        out.contains(&format!(
            "Linked shims into {}: go, gofmt, go1.22.10",
            env.gover_home.join("shims").display()
        )),
        "{r}"
    );
    assert!(
        out.contains(&format!(
            "Updated {}: added gover's block above the non-interactive `return` guard",
            env.home.join(".bashrc").display()
        )),
        "{r}"
    );
    assert!(
        out.contains(&format!(
            "Updated {}: added gover's block at the end",
            env.home.join(".profile").display()
        )),
        "{r}"
    );
    assert!(
        out.contains("To use the shims in this shell now, run:"),
        "{r}"
    );
    // Backups hold the originals.
    assert_eq!(
        backups(&env.home, ".bashrc"),
        std::slice::from_ref(&bashrc_before)
    );
    assert_eq!(backups(&env.home, ".profile"), [profile_before]);
    assert!(out.contains("; the previous version is kept in "), "{r}");
    // The block sits above the guard, the rest of the file is intact.
    let bashrc = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    let block = bashrc.find("# >>> gover >>>").unwrap();
    let guard = bashrc.find("case $- in").unwrap();
    assert!(block < guard, "{bashrc}");
    assert_eq!(bashrc.matches("# >>> gover >>>").count(), 1);
    let end = bashrc.find("# <<< gover <<<\n").unwrap() + "# <<< gover <<<\n\n".len();
    assert_eq!(
        format!("{}{}", &bashrc[..block], &bashrc[end..]),
        bashrc_before,
        "only the block (and one blank line) was added"
    );

    assert_finds_shim(&env, "bash -lc", fresh(&env, "bash", &["-lc", PROBE]));
    assert_finds_shim(&env, "bash -ic", fresh(&env, "bash", &["-ic", PROBE]));
    assert_ssh_finds_shim(&env);

    // Twice: byte-identical.
    let before = snapshot(&env.root);
    let r = setup(&env, &["--shell", "bash"]);
    assert_eq!(snapshot(&env.root), before, "a second setup changed files");
    assert!(
        r.stdout.contains(&format!(
            "{} already has gover's block",
            env.home.join(".bashrc").display()
        )),
        "{r}"
    );
    assert!(
        r.stdout.contains("are up to date: go, gofmt, go1.22.10"),
        "{r}"
    );
}

#[test]
fn bash_login_file_is_the_one_bash_reads() {
    // With ~/.bash_profile, a login bash never reads ~/.profile.
    let env = debian_home();
    fs::remove_file(env.home.join(".profile")).unwrap();
    env.write("home/.bash_profile", "export FROM_BASH_PROFILE=1\n");
    setup(&env, &["--shell", "bash"]);
    assert!(!env.home.join(".profile").exists());
    let bp = fs::read_to_string(env.home.join(".bash_profile")).unwrap();
    assert!(
        bp.starts_with("export FROM_BASH_PROFILE=1\n\n# >>> gover >>>\n"),
        "{bp}"
    );
    assert_finds_shim(&env, "bash -lc", fresh(&env, "bash", &["-lc", PROBE]));

    // An empty HOME: both files are created.
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.set_global("1.22.10");
    let r = setup(&env, &["--shell", "bash"]);
    for f in [".bashrc", ".profile"] {
        assert!(
            r.stdout.contains(&format!(
                "Created {} with gover's block",
                env.home.join(f).display()
            )),
            "{r}"
        );
        assert!(backups(&env.home, f).is_empty());
    }
    assert_finds_shim(&env, "bash -lc", fresh(&env, "bash", &["-lc", PROBE]));
    assert_finds_shim(&env, "bash -ic", fresh(&env, "bash", &["-ic", PROBE]));
}

#[test]
fn zsh_sessions_find_the_shim() {
    let env = debian_home();
    let r = setup(&env, &["--shell", "zsh"]);
    assert!(
        r.stdout.contains(&format!(
            "Created {} with gover's block",
            env.home.join(".zshenv").display()
        )),
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(env.home.join(".bashrc")).unwrap(),
        skel(".bashrc"),
        "zsh setup leaves bash alone"
    );
    let before = snapshot(&env.root);
    setup(&env, &["--shell", "zsh"]);
    assert_eq!(snapshot(&env.root), before);
    if have("zsh") {
        assert_finds_shim(&env, "zsh -c", fresh(&env, "zsh", &["-c", PROBE]));
        assert_finds_shim(&env, "zsh -lc", fresh(&env, "zsh", &["-lc", PROBE]));
        assert_finds_shim(&env, "zsh -ic", fresh(&env, "zsh", &["-ic", PROBE]));
    }
}

#[test]
fn fish_sessions_find_the_shim() {
    let env = debian_home();
    let mut c = env.gover(["setup"]);
    c.env("SHELL", "/usr/bin/fish");
    let r = run(&mut c).success();
    let conf = env.home.join(".config/fish/conf.d/gover.fish");
    assert!(
        r.stdout
            .contains(&format!("Created {} with gover's block", conf.display())),
        "{r}"
    );
    assert!(r.stdout.contains("set -gx PATH "), "{r}");
    let before = snapshot(&env.root);
    let mut c = env.gover(["setup", "--shell", "fish"]);
    run(&mut c).success();
    assert_eq!(snapshot(&env.root), before);
    if have("fish") {
        let probe = "command -v go; go version";
        assert_finds_shim(&env, "fish -c", fresh(&env, "fish", &["-c", probe]));
        assert_finds_shim(&env, "fish -lc", fresh(&env, "fish", &["-l", "-c", probe]));
    }
}

#[test]
fn default_shell_comes_from_shell_and_falls_back_to_bash() {
    let env = debian_home();
    let mut c = env.gover(["setup"]);
    c.env("SHELL", "/bin/zsh");
    run(&mut c).success();
    assert!(env.home.join(".zshenv").is_file());
    assert!(backups(&env.home, ".bashrc").is_empty());

    let env = debian_home();
    let r = run(&mut env.gover(["setup"])).success();
    assert!(
        r.stderr
            .contains("warning: cannot tell your shell from SHELL=; setting up bash"),
        "{r}"
    );
    assert_eq!(backups(&env.home, ".bashrc").len(), 1);
}

#[test]
fn no_modify_rc_only_links_the_shims() {
    let env = TestEnv::new();
    let r = setup(&env, &["--no-modify-rc", "--shell", "bash"]);
    assert!(env.gover_home.join("shims/go").is_file());
    assert!(env.gover_home.join("shims/gofmt").is_file());
    assert_eq!(
        fs::read_dir(&env.home).unwrap().count(),
        0,
        "HOME untouched"
    );
    assert!(r.stdout.contains("# >>> gover >>>"), "{r}");
    // It says only what is true: new sessions get nothing until the
    // block is added.
    assert!(!r.stdout.contains("pick them up by themselves"), "{r}");
    assert!(
        r.stdout
            .contains("New bash sessions pick them up once the lines above are in those files."),
        "{r}"
    );
    assert_eq!(r.stderr, "", "{r}");
}

#[test]
fn no_modify_rc_without_a_shell_prints_one_line_for_ci_logs() {
    // A CI job: no SHELL, no --shell. Nothing to warn about, and no block
    // for startup files nobody will read.
    let env = TestEnv::new();
    let r = setup(&env, &["--no-modify-rc"]);
    assert_eq!(r.stderr, "", "{r}");
    insta::assert_snapshot!(
        "setup_ci_without_a_shell",
        r.stdout.replace(env.root.to_str().unwrap(), "[ROOT]")
    );
    assert!(!r.stdout.contains("# >>> gover >>>"), "{r}");
    let shims = env.gover_home.join("shims");
    assert!(
        r.stdout.contains(&format!(
            "Left shell startup files alone (--no-modify-rc). To use the shims, put {} first on PATH wherever your sessions or jobs set PATH up;",
            shims.display()
        )),
        "{r}"
    );
    assert!(
        r.stdout.contains(&format!(
            "    export PATH={}\"${{PATH:+:$PATH}}\"",
            shims.display()
        )),
        "{r}"
    );
    assert!(r.stdout.lines().count() <= 5, "{r}");
    // With the shims first on PATH already, nothing to run either.
    let mut c = env.gover(["setup", "--no-modify-rc"]);
    c.env("PATH", format!("{}:{}", shims.display(), env.path));
    let r = run(&mut c).success();
    assert!(
        r.stdout
            .ends_with("The shims already come first on PATH in this shell.\n"),
        "{r}"
    );
}

#[test]
fn bash_login_and_interactive_shells_have_the_shims_on_path_once() {
    // Debian's ~/.profile sources ~/.bashrc (whose block runs), then puts
    // ~/bin and ~/.local/bin in front; its own block must not add the
    // shims a second time.
    let env = debian_home();
    env.mkdir("home/bin");
    env.mkdir("home/.local/bin");
    setup(&env, &["--shell", "bash"]);
    let shims = env.gover_home.join("shims");
    let shims = shims.to_str().unwrap();
    for (what, args) in [
        ("bash -l", &["-lc", "printf '%s' \"$PATH\""][..]),
        ("bash -i", &["-ic", "printf '%s' \"$PATH\""]),
        (
            "bash -l, then bash -i inside",
            &["-lc", "bash -ic 'printf %s \"$PATH\"'"],
        ),
    ] {
        let r = run(&mut fresh(&env, "bash", args));
        let entries: Vec<&str> = r.stdout.split(':').collect();
        assert_eq!(
            entries.iter().filter(|e| **e == shims).count(),
            1,
            "{what}: PATH={}\n{r}",
            r.stdout
        );
        assert_eq!(entries[0], shims, "{what}: the shims come first\n{r}");
    }
    assert_finds_shim(&env, "bash -lc", fresh(&env, "bash", &["-lc", PROBE]));
}

#[test]
fn version_shims_follow_the_installed_toolchains() {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.install_fake("1.21.13");
    setup(&env, &["--no-modify-rc"]);
    let shims = env.gover_home.join("shims");
    let mut names: Vec<String> = fs::read_dir(&shims)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["go", "go1.21.13", "go1.22.10", "gofmt", "gover"]);
    // The shims are the shim binary itself (hard links or copies); `gover`
    // is a symbolic link to the gover that ran setup.
    let shim = fs::read(support::shim_bin()).unwrap();
    for n in names.iter().filter(|n| *n != "gover") {
        assert!(fs::read(shims.join(n)).unwrap() == shim, "{n}");
    }
    assert_eq!(
        fs::read_link(shims.join("gover")).unwrap(),
        fs::canonicalize(support::gover_bin()).unwrap()
    );
    fs::remove_dir_all(env.gover_home.join("toolchains/go1.21.13")).unwrap();
    // A link interrupted half-way leaves a temporary file; setup clears it.
    let partial = fs::File::create(shims.join(".go.tmp-12345")).unwrap();
    partial
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
    // One being written right now is left alone.
    fs::write(shims.join(".gofmt.tmp-777"), "in progress").unwrap();
    let r = setup(&env, &["--no-modify-rc"]);
    assert!(
        r.stdout
            .contains("Removed shims of toolchains that are no longer installed: go1.21.13"),
        "{r}"
    );
    assert!(!shims.join("go1.21.13").exists());
    assert!(!shims.join(".go.tmp-12345").exists());
    assert!(shims.join(".gofmt.tmp-777").exists());
}

#[test]
fn warns_about_another_go_and_a_stale_goroot() {
    let mut env = debian_home();
    let other = env.mkdir("usr-local-go/bin");
    support::write_fake_toolchain(&env.root.join("usr-local-go"), "1.20.1");
    env.path = format!("{}:{}", other.display(), env.path);
    let mut c = env.gover(["setup", "--shell", "bash"]);
    c.env("GOROOT", "/usr/local/go");
    let r = run(&mut c).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: in this shell `go` is still {}/go",
            other.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains("warning: GOROOT=/usr/local/go is set"),
        "{r}"
    );

    // Already first on PATH: no advice, no warning.
    env.path = format!("{}:{}", env.gover_home.join("shims").display(), env.path);
    let r = setup(&env, &["--shell", "bash"]);
    assert!(r.stdout.contains("already come first on PATH"), "{r}");
    assert!(!r.stderr.contains("warning"), "{r}");
}

#[test]
fn a_symlinked_startup_file_stays_a_symlink() {
    let env = debian_home();
    let dotfiles = env.write("dotfiles/bashrc", &skel(".bashrc"));
    fs::remove_file(env.home.join(".bashrc")).unwrap();
    std::os::unix::fs::symlink(&dotfiles, env.home.join(".bashrc")).unwrap();
    setup(&env, &["--shell", "bash"]);
    assert!(fs::symlink_metadata(env.home.join(".bashrc"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&dotfiles)
        .unwrap()
        .contains("# >>> gover >>>"));
    assert_finds_shim(&env, "bash -ic", fresh(&env, "bash", &["-ic", PROBE]));
}

#[test]
fn an_existing_block_is_rewritten_in_place() {
    let env = debian_home();
    let old = "# mine\n# >>> gover >>>\nexport PATH=/old/shims:$PATH\n# <<< gover <<<\n\n# after\n";
    env.write("home/.zshenv", old);
    let r = setup(&env, &["--shell", "zsh"]);
    assert!(r.stdout.contains("replaced gover's block"), "{r}");
    let now = fs::read_to_string(env.home.join(".zshenv")).unwrap();
    assert!(now.starts_with("# mine\n# >>> gover >>>\n"), "{now}");
    assert!(now.ends_with("# <<< gover <<<\n\n# after\n"), "{now}");
    assert!(!now.contains("/old/shims"));
    assert_eq!(now.matches(">>> gover >>>").count(), 1);
    assert_eq!(backups(&env.home, ".zshenv"), [old]);
}

#[test]
fn warns_about_startup_lines_that_put_another_go_first_after_the_block() {
    // Lines from tutorials, after gover's block: apt's Go tree and a
    // golang.org/dl-style SDK, neither spelled `go/bin`.
    let env = debian_home();
    support::write_fake_toolchain(&env.home.join("sdk/go1.20.1"), "1.20.1");
    let apt_tree = env.root.join("usr/lib/go-1.19");
    support::write_fake_toolchain(&apt_tree, "1.19.8");
    let mut bashrc = skel(".bashrc");
    bashrc.push_str("export PATH=\"$HOME/sdk/go1.20.1/bin:$PATH\"\n");
    bashrc.push_str(&format!("export PATH={}/bin:$PATH\n", apt_tree.display()));
    bashrc.push_str("export PATH=\"$HOME/bin:$PATH\"\n");
    bashrc.push_str(&format!("export PATH=$PATH:{}/bin\n", apt_tree.display()));
    env.write("home/.bashrc", &bashrc);
    let r = setup(&env, &["--shell", "bash"]);
    let warned: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("changes PATH after gover's block"))
        .collect();
    assert_eq!(warned.len(), 2, "{r}");
    // The closing advice does not promise that a new shell fixes it.
    assert!(!r.stdout.contains("pick them up by themselves"), "{r}");
    assert!(!r.stderr.contains("open a new shell"), "{r}");
    assert!(
        r.stdout.contains("New bash sessions put them first too, but then the startup-file lines warned about above put another Go before them: delete those lines, or move them above gover's block."),
        "{r}"
    );
    assert!(warned[0].contains("$HOME/sdk/go1.20.1/bin"), "{r}");
    assert!(warned[1].contains("/usr/lib/go-1.19/bin:$PATH"), "{r}");
    // And they do win, as warned, in an interactive shell.
    let mut c = fresh(&env, "bash", &["-ic", "command -v go"]);
    let r = run(&mut c);
    assert_eq!(
        r.stdout.trim(),
        apt_tree.join("bin/go").to_str().unwrap(),
        "{r}"
    );
}

/// The shell findings of `gover doctor --json` that are not ok.
fn shell_complaints(env: &TestEnv) -> Vec<serde_json::Value> {
    let mut c = env.gover(["doctor", "--json"]);
    c.env("SHELL", "/bin/bash");
    let r = run(&mut c);
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{r}"));
    all.into_iter()
        .filter(|f| f["id"].as_str().unwrap_or("").starts_with("shell."))
        .filter(|f| f["severity"] != "ok")
        .collect()
}

/// Every guard form doctor knows, as a bashrc's non-interactive guard.
const GUARDS: &[&str] = &[
    "[[ -o interactive ]] || return",
    "case $- in\n    *i*) ;;\n      *) return;;\nesac",
    "case \"$-\" in *i*) ;; *) return ;; esac",
    "[ -z \"$PS1\" ] && return",
    "[[ $- != *i* ]] && return",
    "[[ $- == *i* ]] || return 0",
    "if [ -z \"$PS1\" ]; then\n  return\nfi",
    "if [[ $- != *i* ]]; then return; fi",
    "test -z \"${PS1-}\" && return",
];

#[test]
fn setup_then_doctor_agree_for_every_guard_form() {
    for guard in GUARDS {
        let env = debian_home();
        let bashrc = format!("export A=1\n# mine\n{guard}\nalias ll='ls -l'\n");
        env.write("home/.bashrc", &bashrc);
        let r = setup(&env, &["--shell", "bash"]);
        assert!(
            r.stdout
                .contains("added gover's block above the non-interactive `return` guard (line 3)"),
            "{guard}\n{r}"
        );
        assert_eq!(
            shell_complaints(&env),
            Vec::<serde_json::Value>::new(),
            "{guard}"
        );
        assert_ssh_finds_shim(&env);
        // The user's lines are all still there, in order.
        let now = fs::read_to_string(env.home.join(".bashrc")).unwrap();
        assert!(
            now.ends_with(&format!("\n\n# mine\n{guard}\nalias ll='ls -l'\n")),
            "{now}"
        );
        assert!(now.starts_with("export A=1\n# >>> gover >>>\n"), "{now}");
    }
}

const PROMPT: &str = "__prompt_command() {\n    local EXIT=\"$?\"\n    PS1='\\u@\\h:\\w\\$ '\n    return $EXIT\n}\nPROMPT_COMMAND=__prompt_command\n";

#[test]
fn a_prompt_function_is_no_guard() {
    let env = debian_home();
    env.write("home/.bashrc", PROMPT);
    let r = setup(&env, &["--shell", "bash"]);
    assert!(
        r.stdout.contains("added gover's block at the end (the `return` at line 4 is inside the function `__prompt_command` (line 1), not at the top level of the file, so it is no non-interactive guard)"),
        "{r}"
    );
    let now = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    assert!(now.starts_with(PROMPT), "the function is untouched:\n{now}");
    assert!(now.ends_with("# <<< gover <<<\n"), "{now}");
    assert_eq!(shell_complaints(&env), Vec::<serde_json::Value>::new());
    assert_ssh_finds_shim(&env);
    assert_finds_shim(&env, "bash -ic", fresh(&env, "bash", &["-ic", PROBE]));
}

#[test]
fn a_block_inside_a_function_is_reported_and_moved_out() {
    // What an older setup wrote: the block inside the prompt function.
    let env = debian_home();
    setup(&env, &["--shell", "bash", "--no-modify-rc"]);
    let block = format!(
        "# >>> gover >>>\nexport GOVER_HOME={gh}\ncase \"${{PATH-}}\" in\n  {s} | {s}:*) ;;\n  *) export PATH={s}\"${{PATH:+:$PATH}}\" ;;\nesac\n# <<< gover <<<\n",
        gh = env.gover_home.display(),
        s = env.gover_home.join("shims").display()
    );
    let inside = PROMPT.replacen("    PS1=", &format!("{block}    PS1="), 1);
    env.write("home/.bashrc", &inside);
    let complaints = shell_complaints(&env);
    assert!(
        complaints.iter().any(|c| c["id"] == "shell.block-misplaced"
            && c["message"]
                .as_str()
                .unwrap()
                .contains("inside the function `__prompt_command` (line 1)")),
        "{complaints:#?}"
    );
    let r = ssh_bash(&env);
    assert!(
        !r.stdout.contains("shims/go"),
        "the block in the function does not run:\n{r}"
    );
    let r = setup(&env, &["--shell", "bash"]);
    assert!(r.stdout.contains("moved gover's block to the end: it was inside the function `__prompt_command` (line 1), which may never run"), "{r}");
    assert_eq!(shell_complaints(&env), Vec::<serde_json::Value>::new());
    assert_ssh_finds_shim(&env);
    assert_eq!(backups(&env.home, ".bashrc"), [inside]);
}

#[test]
fn markers_that_do_not_pair_up_are_refused_with_their_lines() {
    for (text, said) in [
        ("alias a=b\n# >>> gover >>>\nmine\nmine too\n", "line 2 opens gover's block (`# >>> gover >>>`), but no `# <<< gover <<<` line closes it"),
        ("mine\n# <<< gover <<<\nmine too\n", "line 2 closes gover's block"),
        (
            "# >>> gover >>>\nx\n# <<< gover <<<\nmine\n# >>> gover >>>\ny\n# <<< gover <<<\n",
            "gover's block appears twice (lines 1-3 and 5-7)",
        ),
        (
            "# >>> gover >>>\n# >>> conda initialize >>>\nconda stuff\n# <<< conda initialize <<<\n# <<< gover <<<\n",
            "gover's block (lines 1-5) holds another marker at line 2: `# >>> conda initialize >>>`",
        ),
    ] {
        let env = debian_home();
        env.write("home/.bashrc", text);
        let before = snapshot(&env.root);
        let r = env.run_gover(["setup", "--shell", "bash"]).failure();
        assert!(
            r.stderr.contains(&format!("error: gover will not edit {}: {said}", env.home.join(".bashrc").display())),
            "{r}"
        );
        assert!(r.stderr.contains("hint: edit the file so that gover's markers pair up"), "{r}");
        assert_eq!(r.stderr.matches("error:").count(), 1, "one error block\n{r}");
        // Nothing changed: not ~/.bashrc, not ~/.profile, no backup, no shims.
        assert_eq!(snapshot(&env.root), before, "{r}");
        let complaints = shell_complaints(&env);
        assert!(complaints.iter().any(|c| c["id"] == "shell.markers"), "{complaints:#?}");
    }
}

#[test]
fn startup_files_that_are_devices_or_fifos_are_refused_without_hanging() {
    let mkfifo = |p: &Path| assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    let rc = |env: &TestEnv| env.home.join(".bashrc");
    // A link to a device, with and without a backup already there.
    for with_backup in [false, true] {
        let env = debian_home();
        fs::remove_file(rc(&env)).unwrap();
        std::os::unix::fs::symlink("/dev/null", rc(&env)).unwrap();
        if with_backup {
            env.write("home/.bashrc.gover-backup", "old\n");
            env.write("home/.bashrc.gover-backup-20200101T000000Z", "old\n");
        }
        let before = snapshot(&env.home);
        let r = support::run_within(&mut env.gover(["setup", "--shell", "bash"]), 20)
            .expect("setup hung");
        assert_ne!(r.code, 0, "{r}");
        assert!(
            r.stderr.contains(&format!("refusing to write {}: it is a symbolic link to /dev/null, which is a device, not a regular file", rc(&env).display())),
            "{r}"
        );
        assert_eq!(
            snapshot(&env.home),
            before,
            "nothing written, no backup\n{r}"
        );
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
    // A FIFO, and a link to one: refused at once.
    for linked in [false, true] {
        let env = debian_home();
        fs::remove_file(rc(&env)).unwrap();
        if linked {
            mkfifo(&env.root.join("fifo"));
            std::os::unix::fs::symlink(env.root.join("fifo"), rc(&env)).unwrap();
        } else {
            mkfifo(&rc(&env));
        }
        let r = support::run_within(&mut env.gover(["setup", "--shell", "bash"]), 20)
            .expect("setup hung on a FIFO");
        assert_ne!(r.code, 0, "{r}");
        assert!(r.stderr.contains("FIFO"), "{r}");
        assert!(
            fs::read_to_string(env.home.join(".profile")).unwrap() == skel(".profile"),
            "no file changed\n{r}"
        );
        let mut doctor = env.gover(["doctor"]);
        doctor.env("SHELL", "/bin/bash");
        let r = support::run_within(&mut doctor, 20).expect("doctor hung on a FIFO");
        assert!(
            r.stdout.contains(
                "  shell.unreadable: ~/.bashrc cannot be read: is not a regular file (a FIFO)"
            ),
            "{r}"
        );
    }
}

#[test]
fn every_change_keeps_a_timestamped_backup() {
    let mut env = debian_home();
    let original = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    setup(&env, &["--shell", "bash"]);
    let first = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    // Another home: the block is rewritten, so the file changes again.
    let other = env.root.join("gover2");
    env.set("GOVER_HOME", &other);
    let r = run(&mut env.gover(["setup", "--shell", "bash"])).success();
    assert!(
        r.stdout
            .contains("replaced gover's block; the previous version is kept in "),
        "{r}"
    );
    let second = fs::read_to_string(env.home.join(".bashrc")).unwrap();
    assert!(second.contains(other.to_str().unwrap()));
    assert_eq!(backups(&env.home, ".bashrc"), [original, first]);
    // Unchanged: no new backup.
    run(&mut env.gover(["setup", "--shell", "bash"])).success();
    assert_eq!(backups(&env.home, ".bashrc").len(), 2);
}

#[test]
fn a_home_that_cannot_go_on_path_is_refused() {
    for (home, what) in [
        ("gover:x", "a `:`, which separates PATH entries"),
        ("gover\nx", "a line break"),
        ("go\u{1b}[2Jver", "a control character"),
    ] {
        let mut env = debian_home();
        let gh = env.root.join(home);
        env.set("GOVER_HOME", &gh);
        let before = snapshot(&env.root);
        let r = run(&mut env.gover(["setup", "--shell", "bash"])).failure();
        assert!(
            r.stderr.contains(&format!(
                "holds {what}, so its shims directory cannot be put on PATH"
            )),
            "{r}"
        );
        assert!(
            r.stderr
                .contains("hint: set GOVER_HOME to a directory whose path has no `:`"),
            "{r}"
        );
        assert!(!r.stderr.contains('\u{1b}'), "{r:?}");
        assert_eq!(snapshot(&env.root), before, "nothing written\n{r}");
    }
}

#[test]
fn names_from_files_never_reach_the_terminal_raw() {
    let env = debian_home();
    // A line after the block that puts another Go first, holding escapes.
    let mut bashrc = skel(".bashrc");
    bashrc.push_str("export PATH=/usr/local/go/bin\u{1b}]0;pwned\u{7}:$PATH\n");
    env.write("home/.bashrc", &bashrc);
    let mut c = env.gover(["setup", "--shell", "bash"]);
    c.env("SHELL", "/bin/\u{1b}[31mbash")
        .env("GOROOT", "/x\u{1b}[2J");
    let r = run(&mut c).success();
    for out in [&r.stdout, &r.stderr] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{r:?}");
    }
    assert!(
        r.stderr
            .contains("/usr/local/go/bin\\u{1b}]0;pwned\\u{7}:$PATH"),
        "{r}"
    );
    assert!(r.stderr.contains("GOROOT=/x\\u{1b}[2J is set"), "{r}");
}
