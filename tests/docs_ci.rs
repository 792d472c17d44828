//! The CI recipes of docs/ci.md, run for real: the shell steps of
//! docs/examples/github-actions.yml (with `$GITHUB_PATH`/`$GITHUB_ENV`
//! applied between steps as Actions does), the scripts of
//! docs/examples/gitlab-ci.yml, and docs/examples/Makefile through `make`,
//! against fake toolchains served by a mirror on 127.0.0.1. The recipes
//! install gover with the release's `install.sh`, from a release of the
//! binaries under test served on 127.0.0.1 in place of the project's
//! releases. Each CI recipe runs twice: with an empty cache (installing
//! gover and Go) and with the cache restored (no network at all).

use crate::support;
use crate::support::archive;
use crate::support::mirror;
use crate::support::release;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use mirror::{host_filename, Mirror};
use support::{gover_bin, run, Run, TestEnv};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(name)
        .canonicalize()
        .unwrap()
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A mirror serving fake go1.22.10 and go1.21.13 for this machine.
fn mirror() -> Mirror {
    let m = Mirror::start();
    m.publish("1.21.13", archive::toolchain("1.21.13"));
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    m
}

/// Where the recipes download gover's releases from.
const RELEASES: &str = "https://github.com/gover-dev/gover/releases/download/";

/// A release server standing in for the project's releases: this gover
/// under test as the release the recipe pins, at `/v<VERSION>/`.
fn releases(pinned: &str) -> Mirror {
    assert_eq!(
        pinned,
        release::VERSION,
        "the recipe pins gover {pinned}, but this is gover {}: update GOVER_VERSION in docs/examples (and docs/ci.md)",
        release::VERSION
    );
    let r = Mirror::start();
    release::serve(&r, &format!("v{pinned}"), release::under_test());
    r
}

/// `script` with the project's release URL replaced by `r`'s.
fn from_loopback(script: &str, r: &Mirror) -> String {
    assert!(script.contains(RELEASES), "{script}");
    script.replace(RELEASES, &r.url())
}

/// A throwaway machine: `root/home` and a project pinned to 1.22.10.
struct Machine {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    project: PathBuf,
}

impl Machine {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let project = root.join("project");
        fs::create_dir_all(&home).unwrap();
        fs::create_dir_all(&project).unwrap();
        fs::write(project.join(".go-version"), "1.22.10\n").unwrap();
        fs::write(
            project.join("go.mod"),
            "module example.com/app\n\ngo 1.21\n",
        )
        .unwrap();
        Self {
            _tmp: tmp,
            root,
            home,
            project,
        }
    }

    /// A command with a clean environment: HOME, a system PATH (gover is
    /// not on it until a recipe installs it), the mirror.
    fn command(&self, program: &str, m: &Mirror, path_front: &[String]) -> Command {
        let mut path: Vec<String> = path_front.to_vec();
        path.push("/usr/local/bin:/usr/bin:/bin".into());
        let mut c = Command::new(program);
        c.env_clear()
            .env("HOME", &self.home)
            .env("PATH", path.join(":"))
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", &self.root)
            .env("GOVER_MIRROR", m.url())
            .env("GOVER_INDEX_URL", m.index_url())
            .env("GOVER_NO_PROGRESS", "1")
            .env("GOVER_HTTP_TIMEOUT", "5")
            // Never Go's real proxy or checksum database (see TestEnv).
            .env("GOPROXY", "off")
            .env("GOSUMDB", crate::support::CLOSED_SUMDB)
            .current_dir(&self.project);
        c
    }
}

/// The list under the first `key` line after the line `after`: a `|`
/// block (`path: |` of `actions/cache`) or `- item` lines (`paths:` of
/// GitLab's cache), each item trimmed.
fn yaml_list_after(yaml: &str, after: &str, key: &str) -> Vec<String> {
    let mut lines = yaml
        .lines()
        .skip_while(|l| !l.contains(after))
        .skip_while(|l| l.trim() != key);
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no `{key}` after `{after}` in\n{yaml}"));
    let indent = head.len() - head.trim_start().len();
    let items: Vec<String> = lines
        .take_while(|l| l.len() - l.trim_start().len() > indent)
        .map(|l| l.trim().trim_start_matches("- ").to_string())
        .collect();
    assert!(!items.is_empty(), "an empty `{key}` list in\n{yaml}");
    items
}

/// Copies a file or a directory tree (a cache restore).
fn copy_tree(from: &Path, to: &Path) {
    if from.is_file() {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, to).unwrap();
        return;
    }
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Restores what a cache step saved on `cold` (paths under `from`) into
/// the same places under `to`.
fn restore(paths: &[String], from: &Path, to: &Path) {
    for p in paths {
        let rel = p.trim_start_matches("~/").trim_end_matches('/');
        assert!(
            from.join(rel).exists(),
            "the cache path {p} does not exist after the cold run"
        );
        copy_tree(&from.join(rel), &to.join(rel));
    }
}

// ---------------------------------------------------------------- GitHub

/// One step of a workflow job.
#[derive(Debug, Default)]
struct Step {
    name: String,
    uses: Option<String>,
    run: Option<String>,
}

/// The steps of the (only) job of a workflow: `- name:`/`- uses:` items
/// with `run:` as one line or a `|` block.
fn github_steps(yaml: &str) -> Vec<Step> {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("a steps: list");
    let item_indent = lines[start + 1].find('-').expect("a step item");
    let mut steps: Vec<Step> = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && indent < item_indent {
            break;
        }
        let mut body = line.trim_start();
        if indent == item_indent && body.starts_with("- ") {
            steps.push(Step::default());
            body = &body[2..];
        }
        let step = steps.last_mut().expect("a step");
        if let Some(v) = body.strip_prefix("name: ") {
            step.name = v.to_string();
        } else if let Some(v) = body.strip_prefix("uses: ") {
            step.uses = Some(v.to_string());
        } else if let Some(v) = body.strip_prefix("run: ") {
            if v == "|" {
                let mut script = String::new();
                let key_indent = indent
                    + if line.trim_start().starts_with("- ") {
                        2
                    } else {
                        0
                    };
                while i + 1 < lines.len() {
                    let next = lines[i + 1];
                    let ni = next.len() - next.trim_start().len();
                    if !next.trim().is_empty() && ni <= key_indent {
                        break;
                    }
                    script.push_str(next.trim_start());
                    script.push('\n');
                    i += 1;
                }
                step.run = Some(script);
            } else {
                step.run = Some(format!("{v}\n"));
            }
        }
        i += 1;
    }
    steps
}

/// The `env:` of the (only) job: `KEY: value` lines.
fn github_job_env(yaml: &str) -> Vec<(String, String)> {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != "env:");
    let head = lines.next().expect("an env: block in the job");
    let indent = head.len() - head.trim_start().len();
    lines
        .take_while(|l| l.len() - l.trim_start().len() > indent)
        .map(|l| {
            let (k, v) = l.trim().split_once(": ").expect("KEY: value");
            (k.to_string(), v.trim_matches('"').to_string())
        })
        .collect()
}

/// Runs the workflow's shell steps in order, as Actions runs them: bash
/// with `-e`, the job's `env:`, `$GITHUB_PATH` entries prepended and
/// `$GITHUB_ENV` variables set for every later step. gover's releases come
/// from `r`. Returns each step's name and result.
fn run_workflow(machine: &Machine, m: &Mirror, r: &Mirror) -> Vec<(String, Run)> {
    let yaml = fs::read_to_string(example("github-actions.yml")).unwrap();
    let steps = github_steps(&yaml);
    assert!(steps.len() >= 6, "parsed too few steps: {steps:#?}");
    let job_env = github_job_env(&yaml);
    let gh_path = machine.root.join("github_path");
    let gh_env = machine.root.join("github_env");
    fs::write(&gh_path, "").unwrap();
    fs::write(&gh_env, "").unwrap();
    let mut results = Vec::new();
    for step in steps {
        if let Some(uses) = &step.uses {
            assert!(
                uses.starts_with("actions/checkout@") || uses.starts_with("actions/cache@"),
                "unexpected action {uses}"
            );
            continue;
        }
        let mut script = step.run.clone().expect("a run step");
        if step.name == "Install gover" {
            script = from_loopback(&script, r);
        }
        let added: Vec<String> = fs::read_to_string(&gh_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let mut c = machine.command("bash", m, &added);
        c.args(["-e", "-c", &script])
            .env("GITHUB_PATH", &gh_path)
            .env("GITHUB_ENV", &gh_env)
            .env("GOVER_INSTALL_BASE_URL", format!("{}latest", r.url()));
        for (k, v) in &job_env {
            c.env(k, v);
        }
        for line in fs::read_to_string(&gh_env).unwrap().lines() {
            let (k, v) = line.split_once('=').expect("KEY=VALUE in $GITHUB_ENV");
            c.env(k, v);
        }
        let res = run(&mut c);
        assert_eq!(res.code, 0, "step `{}` failed\n{res}", step.name);
        results.push((step.name, res));
    }
    results
}

fn step<'a>(results: &'a [(String, Run)], name: &str) -> &'a Run {
    &results
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no step `{name}`"))
        .1
}

#[test]
fn github_actions_recipe() {
    let yaml = fs::read_to_string(example("github-actions.yml")).unwrap();
    let pinned = github_job_env(&yaml)
        .into_iter()
        .find(|(k, _)| k == "GOVER_VERSION")
        .expect("the job pins GOVER_VERSION")
        .1;
    let m = mirror();
    let r = releases(&pinned);
    let cold = Machine::new();
    let results = run_workflow(&cold, &m, &r);
    let toolchains = cold.home.join(".local/share/gover/toolchains");
    // gover came from the release, through install.sh.
    let install = step(&results, "Install gover");
    assert!(
        install.stderr.contains(&format!(
            "installed gover {pinned} and gover-shim to {}",
            cold.home.join(".local/bin").display()
        )),
        "{install}"
    );
    assert_eq!(
        r.requests_for(&format!("v{pinned}/{}", release::archive_name(&pinned)))
            .len(),
        1
    );
    // What the cache step saves is gover and where the toolchains went.
    let cached = yaml_list_after(&yaml, "uses: actions/cache@", "path: |");
    for want in ["~/.local/bin/gover", "~/.local/bin/gover-shim"] {
        assert!(cached.iter().any(|c| c == want), "{cached:?}");
    }
    assert!(
        cached
            .iter()
            .any(|c| cold.home.join(c.trim_start_matches("~/")) == toolchains),
        "{cached:?}"
    );

    let install = step(&results, "Install the pinned Go");
    assert!(
        install.stderr.contains("Installed go1.22.10 to "),
        "{install}"
    );
    let env = step(&results, "Put it first on PATH for the next steps");
    assert!(
        env.stdout.contains(&format!(
            "Added {} to $GITHUB_PATH",
            toolchains.join("go1.22.10/bin").display()
        )),
        "{env}"
    );
    let test = step(&results, "Test");
    let mut lines = test.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("go version go1.22.10 linux/amd64"),
        "{test}"
    );
    assert_eq!(lines.next(), Some("fake-go go1.22.10"), "{test}");
    for want in [
        format!("GOROOT={}", toolchains.join("go1.22.10").display()),
        "GOTOOLCHAIN=local".to_string(),
        "ARG=test".to_string(),
        "ARG=./...".to_string(),
    ] {
        assert!(
            test.stdout.lines().any(|l| l == want),
            "missing {want}\n{test}"
        );
    }
    let vet = step(&results, "Vet with the oldest supported Go too");
    assert!(vet.stdout.starts_with("fake-go go1.21.13\n"), "{vet}");
    assert!(vet.stdout.contains("\nARG=vet\n"), "{vet}");
    assert_eq!(m.requests_for(&host_filename("1.22.10")).len(), 1);

    // The cache restored: the same job touches no network at all.
    let warm = Machine::new();
    restore(&cached, &cold.home, &warm.home);
    let before = (m.requests().len(), r.requests().len());
    let results = run_workflow(&warm, &m, &r);
    assert_eq!(
        (m.requests().len(), r.requests().len()),
        before,
        "a cached run made requests"
    );
    let install = step(&results, "Install the pinned Go");
    assert!(
        install.stderr.contains("go1.22.10 is already installed"),
        "{install}"
    );
    let test = step(&results, "Test");
    assert!(
        test.stdout
            .starts_with("go version go1.22.10 linux/amd64\n"),
        "{test}"
    );
}

// ---------------------------------------------------------------- GitLab

/// `variables:` and the `before_script:` + `script:` commands of the job.
fn gitlab_job(yaml: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut vars = Vec::new();
    let mut cmds = Vec::new();
    let mut section = "";
    for line in yaml.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 2 {
            section = t.trim_end_matches(':');
            continue;
        }
        match section {
            "variables" => {
                let (k, v) = t.split_once(": ").expect("KEY: value");
                vars.push((k.to_string(), v.trim_matches('"').to_string()));
            }
            "before_script" | "script" => {
                cmds.push(t.strip_prefix("- ").expect("a list item").to_string());
            }
            _ => {}
        }
    }
    (vars, cmds)
}

/// Runs the job's commands in one bash (as a GitLab shell runner does),
/// with `CI_PROJECT_DIR` and the job's variables; gover's releases come
/// from `r`.
fn run_gitlab(machine: &Machine, m: &Mirror, r: &Mirror) -> Run {
    let yaml = fs::read_to_string(example("gitlab-ci.yml")).unwrap();
    let (vars, cmds) = gitlab_job(&yaml);
    assert!(vars.iter().any(|(k, _)| k == "GOVER_HOME"), "{vars:?}");
    let mut script = String::from("set -e\n");
    script.push_str(&format!(
        "export CI_PROJECT_DIR={}\n",
        machine.project.display()
    ));
    for (k, v) in &vars {
        script.push_str(&format!("export {k}=\"{v}\"\n"));
    }
    let mut installs = 0;
    for c in &cmds {
        let c = if c.contains(RELEASES) {
            installs += 1;
            from_loopback(c, r)
        } else {
            c.clone()
        };
        script.push_str(&format!("echo '$ {}'\n{c}\n", c.replace('\'', "")));
    }
    assert_eq!(installs, 1, "{cmds:?}");
    let mut c = machine.command("bash", m, &[]);
    c.args(["-c", &script])
        .env("GOVER_INSTALL_BASE_URL", format!("{}latest", r.url()));
    run(&mut c)
}

#[test]
fn gitlab_ci_recipe() {
    let yaml = fs::read_to_string(example("gitlab-ci.yml")).unwrap();
    let (vars, _) = gitlab_job(&yaml);
    let pinned = vars
        .iter()
        .find(|(k, _)| k == "GOVER_VERSION")
        .expect("the job pins GOVER_VERSION")
        .1
        .clone();
    let m = mirror();
    let r = releases(&pinned);
    let cold = Machine::new();
    let res = run_gitlab(&cold, &m, &r);
    assert_eq!(res.code, 0, "{res}");
    assert!(
        res.stderr.contains(&format!(
            "installed gover {pinned} and gover-shim to {}",
            cold.project.join(".gover/bin").display()
        )),
        "{res}"
    );
    let toolchains = cold.project.join(".gover/toolchains");
    // What the job caches is gover and where the toolchains went.
    let cached = yaml_list_after(&yaml, "cache:", "paths:");
    assert_eq!(cached, [".gover/bin/", ".gover/toolchains/"], "{yaml}");
    assert!(toolchains.join("go1.22.10/bin/go").is_file());
    assert!(res.stderr.contains("Installed go1.22.10 to "), "{res}");
    assert!(
        res.stdout
            .contains("$ gover exec -- go version\ngo version go1.22.10 linux/amd64\n"),
        "{res}"
    );
    assert!(
        res.stdout.contains(&format!(
            "$ gover exec -- go test ./...\nfake-go go1.22.10\nGOROOT={}\nGOTOOLCHAIN=local\n",
            toolchains.join("go1.22.10").display()
        )),
        "{res}"
    );
    assert!(
        res.stdout
            .contains("$ gover exec 1.21 -- go vet ./...\nfake-go go1.21.13\n"),
        "{res}"
    );

    let warm = Machine::new();
    restore(&cached, &cold.project, &warm.project);
    let before = (m.requests().len(), r.requests().len());
    let res = run_gitlab(&warm, &m, &r);
    assert_eq!(res.code, 0, "{res}");
    assert_eq!(
        (m.requests().len(), r.requests().len()),
        before,
        "a cached run made requests\n{res}"
    );
    assert!(
        res.stdout.contains("go version go1.22.10 linux/amd64"),
        "{res}"
    );
}

// ---------------------------------------------------------------- make

#[test]
fn makefile_recipe() {
    if !have("make") {
        eprintln!("note: make is not installed; skipping the Makefile recipe");
        return;
    }
    let mut t = TestEnv::new();
    let tc = t.install_fake("1.22.10");
    t.install_fake("1.21.13");
    t.write("project/.go-version", "1.22.10\n");
    t.run_gover(["setup", "--no-modify-rc"]).success();
    t.path = format!(
        "{}:{}:{}",
        t.gover_home.join("shims").display(),
        gover_bin().parent().unwrap().display(),
        t.path
    );
    // What the Makefile must override: a stale GOROOT, a switching GOTOOLCHAIN.
    t.set("GOROOT", "/usr/local/go-stale")
        .set("GOTOOLCHAIN", "auto");
    let makefile = example("Makefile");
    let mut c = t.command("make");
    c.args(["-s", "-f"])
        .arg(&makefile)
        .args(["version", "build", "compat"]);
    let r = run(&mut c);
    assert_eq!(r.code, 0, "{r}");
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("go version go1.22.10 linux/amd64"),
        "{r}"
    );
    assert_eq!(lines.next(), Some("fake-go go1.22.10"), "{r}");
    assert_eq!(
        lines.next(),
        Some(format!("GOROOT={}", tc.display()).as_str()),
        "{r}"
    );
    assert_eq!(lines.next(), Some("GOTOOLCHAIN=local"), "{r}");
    assert!(r.stdout.contains("\nARG=build\nARG=./...\n"), "{r}");
    // `go1.21.13` is gover's version shim.
    assert!(r.stdout.contains("\nfake-go go1.21.13\n"), "{r}");
    assert!(
        r.stdout.contains(&format!(
            "GOROOT={}",
            t.gover_home.join("toolchains/go1.21.13").display()
        )),
        "{r}"
    );
    assert!(r.stdout.ends_with("ARG=vet\nARG=./...\n"), "{r}");

    // A pin that is not installed stops make with the fix.
    t.write("project/.go-version", "1.23.0\n");
    let mut c = t.command("make");
    c.args(["-s", "-f"]).arg(&makefile).arg("version");
    let r = run(&mut c).failure();
    assert!(r.stderr.contains("go1.23.0 is not installed"), "{r}");
    assert!(r.stderr.contains("run `gover install`"), "{r}");
}
