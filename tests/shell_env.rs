//! `gover env` evaluated by real shells (sh, bash, zsh, fish): running it
//! twice leaves one toolchain on PATH, running it with another version
//! leaves only that one, and `gover env --unset` gives back PATH, GOROOT
//! and GOTOOLCHAIN as they were before the first `gover env`.

use crate::support;

use std::fs;

use support::{gover_bin, run, Run, TestEnv};

/// A shell to try, with how it evaluates `gover env`'s output.
struct Shell {
    name: &'static str,
    /// Code that evaluates `gover env ARGS`, `{}` standing for the args.
    eval: &'static str,
    /// Code that prints `NAME=value` or `NAME unset` for `{}`.
    show: &'static str,
}

const SHELLS: [Shell; 4] = [
    Shell {
        name: "sh",
        eval: "eval \"$(GOVER env {})\"",
        show: "if [ -n \"${{}+x}\" ]; then echo \"{}=${}\"; else echo \"{} unset\"; fi",
    },
    Shell {
        name: "bash",
        eval: "eval \"$(GOVER env --shell bash {})\"",
        show: "if [ -n \"${{}+x}\" ]; then echo \"{}=${}\"; else echo \"{} unset\"; fi",
    },
    Shell {
        name: "zsh",
        eval: "eval \"$(GOVER env --shell zsh {})\"",
        show: "if [ -n \"${{}+x}\" ]; then echo \"{}=${}\"; else echo \"{} unset\"; fi",
    },
    Shell {
        name: "fish",
        eval: "GOVER env --shell fish {} | source",
        show: "if set -q {}; echo {}=(string join : ${}); else; echo {} unset; end",
    },
];

impl Shell {
    /// Code that evaluates `gover env ARGS` and stops the script with
    /// a message when the evaluation fails.
    fn eval(&self, args: &str) -> String {
        let eval = self
            .eval
            .replace("GOVER", &gover_bin().display().to_string())
            .replace("{}", args);
        if self.name == "fish" {
            format!("{eval}; or begin; echo 'failed: {args}'; exit 1; end")
        } else {
            format!("{eval} || {{ echo 'failed: {args}'; exit 1; }}")
        }
    }

    fn show(&self, var: &str) -> String {
        self.show.replace("{}", var)
    }

    fn installed(&self) -> bool {
        std::process::Command::new(self.name)
            .args(["-c", "exit 0"])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs `lines` in this shell, one command a line.
    fn run(&self, env: &TestEnv, lines: &[String]) -> Run {
        run(env.command(self.name).args(["-c", &lines.join("\n")])).success()
    }
}

fn two_versions(home_name: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.gover_home = env.root.join(home_name);
    env.install_fake("1.21.13");
    env.install_fake("1.22.10");
    env
}

/// Code that shows PATH, GOROOT, GOTOOLCHAIN, gover's own variables and
/// the printed code's scratch variables, in that order.
fn state(sh: &Shell) -> Vec<String> {
    [
        "PATH",
        "GOROOT",
        "GOTOOLCHAIN",
        "GOVER_ENV_TOOLCHAIN",
        "GOVER_ENV_PATH_ENTRY",
        "GOVER_ENV_PREVIOUS_GOROOT",
        "GOVER_ENV_PREVIOUS_GOTOOLCHAIN",
        // The printed code's own scratch variables never stay behind.
        "__gover_path",
        "__gover_dir",
    ]
    .iter()
    .map(|v| sh.show(v))
    .collect()
}

#[test]
fn env_twice_another_version_and_unset_in_every_shell() {
    // A home whose path a shell would split or expand if it were not quoted.
    let mut env = two_versions("go ver's [home]*");
    let tc = |v: &str| env.gover_home.join(format!("toolchains/go{v}/bin"));
    let (new, old) = (tc("1.22.10"), tc("1.21.13"));
    // Stale toolchains of this home already on PATH (a `gover env` from a
    // profile, another platform's), among entries that are not gover's.
    let foreign = env.gover_home.join("platforms/linux-arm64/go1.22.10/bin");
    env.path = format!(
        "/usr/local/bin:{}:/usr/bin:{}:/bin",
        old.display(),
        foreign.display()
    );
    env.set("GOROOT", "/usr/local/go");
    let mut tried = 0;
    for sh in &SHELLS {
        if !sh.installed() {
            assert!(
                !matches!(sh.name, "sh" | "bash"),
                "{} is needed for this test",
                sh.name
            );
            eprintln!("note: {} is not installed; skipping it", sh.name);
            continue;
        }
        tried += 1;
        let mut lines = vec![sh.eval("1.22.10"), sh.eval("1.22.10"), sh.show("PATH")];
        lines.extend([sh.eval("1.21.13"), "go version".into()]);
        lines.extend(state(sh));
        lines.push(sh.eval("--unset"));
        lines.extend(state(sh));
        let r = sh.run(&env, &lines);
        let path_of = |first: &std::path::Path| {
            format!("PATH={}:/usr/local/bin:/usr/bin:/bin", first.display())
        };
        let root = |v: &str| env.gover_home.join(format!("toolchains/go{v}"));
        let want = [
            // Twice: one entry, the stale one gone.
            path_of(&new),
            // Another version: only that one.
            "go version go1.21.13 linux/amd64".into(),
            path_of(&old),
            format!("GOROOT={}", root("1.21.13").display()),
            "GOTOOLCHAIN=local".into(),
            "GOVER_ENV_TOOLCHAIN=go1.21.13".into(),
            format!("GOVER_ENV_PATH_ENTRY={}", old.display()),
            "GOVER_ENV_PREVIOUS_GOROOT=/usr/local/go".into(),
            "GOVER_ENV_PREVIOUS_GOTOOLCHAIN unset".into(),
            "__gover_path unset".into(),
            "__gover_dir unset".into(),
            // Unset: PATH without gover's toolchains, the rest as it was.
            "PATH=/usr/local/bin:/usr/bin:/bin".into(),
            "GOROOT=/usr/local/go".into(),
            "GOTOOLCHAIN unset".into(),
            "GOVER_ENV_TOOLCHAIN unset".into(),
            "GOVER_ENV_PATH_ENTRY unset".into(),
            "GOVER_ENV_PREVIOUS_GOROOT unset".into(),
            "GOVER_ENV_PREVIOUS_GOTOOLCHAIN unset".into(),
            "__gover_path unset".into(),
            "__gover_dir unset".into(),
        ];
        let got: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(got, want, "{}: {r}", sh.name);
    }
    assert!(tried >= 2);
}

#[test]
fn unset_gives_back_a_user_gotoolchain_and_an_unset_goroot() {
    let mut env = two_versions("gover");
    env.set("GOTOOLCHAIN", "go1.23.0+auto");
    for sh in SHELLS.iter().filter(|s| s.installed()) {
        let mut lines = vec![sh.eval("1.22.10"), sh.show("GOTOOLCHAIN")];
        lines.extend([sh.eval("1.21.13"), sh.show("GOTOOLCHAIN")]);
        lines.extend([sh.eval("--unset"), sh.show("PATH")]);
        lines.extend([sh.show("GOROOT"), sh.show("GOTOOLCHAIN")]);
        let r = sh.run(&env, &lines);
        let got: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(
            got,
            [
                // The user's GOTOOLCHAIN is left alone, also by a second run.
                "GOTOOLCHAIN=go1.23.0+auto",
                "GOTOOLCHAIN=go1.23.0+auto",
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "GOROOT unset",
                "GOTOOLCHAIN=go1.23.0+auto",
            ],
            "{}: {r}",
            sh.name
        );
        // `--unset` in a shell where `gover env` never ran changes nothing
        // but PATH.
        let lines = vec![sh.eval("--unset"), sh.show("GOTOOLCHAIN"), sh.show("PATH")];
        let r = sh.run(&env, &lines);
        assert_eq!(
            r.stdout, "GOTOOLCHAIN=go1.23.0+auto\nPATH=/usr/local/bin:/usr/bin:/bin\n",
            "{}",
            sh.name
        );
    }
}

#[test]
fn a_linked_or_system_toolchain_is_taken_off_path_too() {
    let mut env = two_versions("gover");
    // A Go tree gover did not install, registered with `gover link`.
    let tip = env.root.join("src/go");
    support::write_fake_toolchain(&tip, "1.28");
    env.run_gover(["link", "go1.28-tip", tip.to_str().unwrap()])
        .success();
    // A system Go, whose bin is not under gover's home.
    let sys = env.root.join("usr/lib/go-1.20");
    support::write_fake_toolchain(&sys, "1.20.14");
    fs::create_dir_all(env.root.join("usr/bin")).unwrap();
    std::os::unix::fs::symlink(sys.join("bin/go"), env.root.join("usr/bin/go")).unwrap();
    env.path = format!("{}:/usr/bin:/bin", env.root.join("usr/bin").display());
    let base = env.path.clone();
    let sh = &SHELLS[0];
    for (version, entry) in [
        ("go1.28-tip", env.gover_home.join("links/go1.28-tip/bin")),
        ("system", sys.join("bin")),
    ] {
        let lines = vec![
            sh.eval(version),
            sh.show("PATH"),
            sh.eval("1.22.10"),
            sh.show("PATH"),
            sh.eval(version),
            sh.eval("--unset"),
            sh.show("PATH"),
        ];
        let r = sh.run(&env, &lines);
        let bin = env.gover_home.join("toolchains/go1.22.10/bin");
        assert_eq!(
            r.stdout,
            format!(
                "PATH={}:{base}\nPATH={}:{base}\nPATH={base}\n",
                entry.display(),
                bin.display()
            ),
            "{version}"
        );
    }
}

#[test]
fn unset_is_refused_for_github_and_with_a_version() {
    let env = two_versions("gover");
    let r = env.run_gover(["env", "--unset", "--shell", "github"]);
    assert_eq!(r.code, 2, "{r}");
    assert_eq!(r.stdout, "", "{r}");
    assert!(
        r.stderr.starts_with(
            "error: --unset cannot be used with --shell github: GitHub Actions only adds to $GITHUB_PATH and $GITHUB_ENV"
        ),
        "{r}"
    );
    let r = env.run_gover(["env", "--unset", "1.22.10"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("cannot be used with"), "{r}");
}
