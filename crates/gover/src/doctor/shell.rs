//! Shell startup files: whether every kind of shell session this user
//! starts puts `$GOVER_HOME/shims` on `PATH`, and where variables such as
//! `GOROOT` are set.
//!
//! Which files a shell reads:
//! - bash, interactive non-login (every terminal tab on Ubuntu): `~/.bashrc`
//!   only;
//! - bash, login (`bash -l`, ssh logins, most desktop sessions): the first
//!   of `~/.bash_profile`, `~/.bash_login`, `~/.profile` that exists, so a
//!   `~/.bash_profile` hides `~/.profile`;
//! - bash run by sshd for a command (`ssh host go build`): `~/.bashrc`, which
//!   on Ubuntu returns at once when the shell is not interactive;
//! - zsh: `$ZDOTDIR/.zshenv` (default `~/.zshenv`) for every session;
//! - fish: `conf.d/*.fish` under `$XDG_CONFIG_HOME/fish` (`~/.config/fish`).

use std::path::{Path, PathBuf};

use super::model::{read_text, DoctorEnv, Finding, Location};

/// First line of the block `gover setup` writes (POSIX shells and fish).
pub(crate) const BLOCK_START: &str = "# >>> gover >>>";
/// Last line of that block.
pub(crate) const BLOCK_END: &str = "# <<< gover <<<";

/// A startup file's text, split into lines.
pub(crate) struct RcFile {
    /// The file.
    pub(crate) path: PathBuf,
    /// Its lines (empty when the file does not exist).
    pub(crate) lines: Vec<String>,
    /// Whether it exists.
    pub(crate) exists: bool,
}

impl RcFile {
    /// Reads `path` (a missing file has no lines).
    pub(crate) fn read(path: PathBuf) -> Self {
        let text = read_text(&path);
        Self {
            exists: text.is_some() || path.is_file(),
            lines: text
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
            path,
        }
    }

    /// The lines that are not blank or comments, with 1-based numbers.
    fn code(&self) -> impl Iterator<Item = (usize, &str)> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
    }

    /// gover's marked block: `(first line, last line)`, 1-based.
    pub(crate) fn block(&self) -> Option<(usize, usize)> {
        let start = self.lines.iter().position(|l| l.trim() == BLOCK_START)?;
        let end = self.lines[start..]
            .iter()
            .position(|l| l.trim() == BLOCK_END)
            .map_or(self.lines.len(), |i| start + i + 1);
        Some((start + 1, end))
    }
}

/// Where a startup file puts the shims on `PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShimLine {
    /// The 1-based line that changes `PATH`.
    pub(crate) line: usize,
    /// gover's block around it, when the line is inside one.
    pub(crate) block: Option<(usize, usize)>,
}

impl ShimLine {
    /// The first line to compare with an early `return` above it.
    fn first(&self) -> usize {
        self.block.map_or(self.line, |(s, _)| s)
    }

    /// `gover's block (lines 3-6)` or `line 3`.
    fn describe(&self) -> String {
        match self.block {
            Some((s, e)) => format!("gover's block (lines {s}-{e})"),
            None => format!("line {}", self.line),
        }
    }
}

/// Replaces `$HOME`, `${HOME}`, a leading `~`, `$GOVER_HOME` and
/// `$XDG_DATA_HOME` (braced or not) with their values.
fn expand(env: &DoctorEnv, line: &str) -> String {
    let mut s = line.to_string();
    for var in ["GOVER_HOME", "XDG_DATA_HOME", "HOME"] {
        let value = if var == "GOVER_HOME" {
            Some(env.home.root().display().to_string())
        } else {
            env.var_str(var).map(str::to_string)
        };
        if let Some(v) = value {
            s = s
                .replace(&format!("${{{var}}}"), &v)
                .replace(&format!("${var}"), &v);
        }
    }
    if let Some(h) = env.user_home() {
        let h = h.display().to_string();
        for pre in ["~/", "\"~/", "=~/", ":~/", " ~/"] {
            s = s.replace(pre, &pre.replace('~', &h));
        }
    }
    s
}

/// The line of `rc` that puts the shims directory on `PATH`, if any: a
/// non-comment line mentioning `PATH` (or fish's `fish_add_path`) and the
/// shims directory (literally or through `$GOVER_HOME`, `$HOME`, `~`).
pub(crate) fn shim_line(env: &DoctorEnv, rc: &RcFile) -> Option<ShimLine> {
    let shims = env.home.shims_dir().display().to_string();
    let block = rc.block();
    for (n, line) in rc.code() {
        let mentions_path = line.contains("PATH") || line.contains("fish_add_path");
        if !mentions_path {
            continue;
        }
        let expanded = expand(env, line);
        let hit = expanded
            .split(|c: char| matches!(c, ':' | '"' | '\'' | '=') || c.is_whitespace())
            .any(|w| w.trim_end_matches('/') == shims.trim_end_matches('/'));
        if hit {
            let block = block.filter(|(s, e)| *s <= n && n <= *e);
            return Some(ShimLine { line: n, block });
        }
    }
    None
}

/// The 1-based first line of a bashrc's early return for non-interactive
/// shells (Ubuntu's `case $- in *i*) ;; *) return;; esac`,
/// `[ -z "$PS1" ] && return`, `[[ $- != *i* ]] && return`, or an `if`
/// around a `return`), if it has one.
pub(crate) fn interactive_guard(rc: &RcFile) -> Option<usize> {
    let lines: Vec<(usize, &str)> = rc.code().collect();
    let tests_interactive = |l: &str| {
        l.contains("$-") || l.contains("${-}") || l.contains("PS1") || l.contains("-o interactive")
    };
    let is_return = |l: &str| {
        l.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| w == "return")
    };
    for (i, (n, l)) in lines.iter().enumerate() {
        if !tests_interactive(l) {
            continue;
        }
        if is_return(l) {
            return Some(*n);
        }
        let opens = l.starts_with("case ") || l.starts_with("if ") || l.starts_with("if[");
        if opens {
            for (_, next) in lines.iter().skip(i + 1).take(5) {
                if is_return(next) {
                    return Some(*n);
                }
                if *next == "esac" || *next == "fi" {
                    break;
                }
            }
        }
    }
    None
}

/// True when `line` runs `. file` or `source file` for a path ending in
/// `/name` (`~/.profile`, `"$HOME/.profile"`).
fn sources(line: &str, name: &str) -> bool {
    let l = line.trim();
    if l.starts_with('#') {
        return false;
    }
    let runs = l.starts_with(". ")
        || l.starts_with("source ")
        || l.contains(" . ")
        || l.contains("&& .")
        || l.contains("then .")
        || l.contains("source ");
    if !runs {
        return false;
    }
    let needle = format!("/{name}");
    l.match_indices(&needle).any(|(i, _)| {
        let after = &l[i + needle.len()..];
        after.is_empty() || after.starts_with(['"', '\'', ' ', ';', ')', ']'])
    })
}

/// True when `rc` sources a file named `name` from the home directory.
fn rc_sources(rc: &RcFile, name: &str) -> bool {
    rc.code().any(|(_, l)| sources(l, name))
}

/// The shells to check: `$SHELL`'s, plus any whose startup files already
/// hold gover's block.
pub(crate) fn shells(env: &DoctorEnv) -> Vec<&'static str> {
    let login = env
        .var_str("SHELL")
        .and_then(|s| Path::new(s).file_name()?.to_str().map(str::to_string))
        .unwrap_or_else(|| "bash".into());
    let mut out = Vec::new();
    let mut add = |s: &'static str| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    match login.as_str() {
        "zsh" => add("zsh"),
        "fish" => add("fish"),
        _ => add("bash"),
    }
    let Some(home) = env.user_home() else {
        return out;
    };
    let has_block = |p: PathBuf| RcFile::read(p).block().is_some();
    if has_block(home.join(".bashrc")) || has_block(home.join(".bash_profile")) {
        add("bash");
    }
    if has_block(zdotdir(env, &home).join(".zshenv")) {
        add("zsh");
    }
    if let Some(f) = fish_conf(env) {
        if f.is_file() {
            add("fish");
        }
    }
    out
}

fn zdotdir(env: &DoctorEnv, home: &Path) -> PathBuf {
    env.var("ZDOTDIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| home.to_path_buf())
}

fn fish_conf(env: &DoctorEnv) -> Option<PathBuf> {
    env.config_home()
        .map(|c| c.join("fish").join("conf.d").join("gover.fish"))
}

/// Checks the startup files of every shell [`shells`] returns.
pub(crate) fn check(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let Some(home) = env.user_home() else {
        out.push(
            Finding::warning("shell.home", "HOME is not set to an absolute path")
                .why("shell startup files cannot be found, so they were not checked"),
        );
        return;
    };
    for shell in shells(env) {
        match shell {
            "bash" => check_bash(env, &home, out),
            "zsh" => check_zsh(env, &home, out),
            _ => check_fish(env, out),
        }
    }
}

fn setup_fix(shell: &str) -> String {
    format!("run `gover setup --shell {shell}`, then open a new terminal")
}

fn check_bash(env: &DoctorEnv, home: &Path, out: &mut Vec<Finding>) {
    let bashrc = RcFile::read(home.join(".bashrc"));
    let rc_line = shim_line(env, &bashrc);
    let guard = interactive_guard(&bashrc);
    let shims = env.show(&env.home.shims_dir());
    let rc_works_non_interactive = match (&rc_line, guard) {
        (Some(l), Some(g)) => l.first() < g,
        (Some(_), None) => true,
        (None, _) => false,
    };
    match (&rc_line, guard) {
        (None, _) => out.push(
            Finding::problem(
                "shell.bashrc",
                format!("~/.bashrc does not put {shims} on PATH"),
            )
            .why("interactive bash shells that are not login shells (every new terminal tab on Ubuntu) read only ~/.bashrc, so `go` there is not gover's")
            .fix(setup_fix("bash")),
        ),
        (Some(l), Some(g)) if g < l.first() => out.push(
            Finding::problem(
                "shell.bashrc-guard",
                format!(
                    "~/.bashrc stops for non-interactive shells at line {g} (the \"not running interactively: return\" guard), above {} that puts {shims} on PATH",
                    l.describe()
                ),
            )
            .why("bash started by ssh for a command (`ssh host go build`, remote IDE and CI tasks) reads ~/.bashrc but returns at the guard, so it runs another `go` or none")
            .fix(format!(
                "run `gover setup --shell bash` (it moves its block above the guard), or move {} of ~/.bashrc above line {g} by hand",
                l.describe()
            )),
        ),
        (Some(l), _) => out.push(Finding::ok(
            "shell.bashrc",
            format!(
                "~/.bashrc puts {shims} on PATH ({}{})",
                l.describe(),
                match guard {
                    Some(g) => format!(", above the non-interactive guard at line {g}"),
                    None => String::new(),
                }
            ),
        )),
    }

    // Login shells: the first of these that exists is the only one read.
    let names = [".bash_profile", ".bash_login", ".profile"];
    let login = names
        .iter()
        .map(|n| RcFile::read(home.join(n)))
        .find(|f| f.exists);
    let profile = RcFile::read(home.join(".profile"));
    let Some(login) = login else {
        out.push(
            Finding::problem(
                "shell.bash-login",
                format!("none of ~/.bash_profile, ~/.bash_login or ~/.profile exists, so bash login shells do not put {shims} on PATH"),
            )
            .why("login shells (ssh logins, `bash -l`, many desktop sessions and IDE terminals) read only those files")
            .fix(setup_fix("bash")),
        );
        return;
    };
    let name = env.show(&login.path);
    if let Some(l) = shim_line(env, &login) {
        out.push(Finding::ok(
            "shell.bash-login",
            format!(
                "{name} (read by bash login shells) puts {shims} on PATH ({})",
                l.describe()
            ),
        ));
        return;
    }
    let is_profile = login.path.ends_with(".profile");
    if !is_profile && rc_sources(&login, ".profile") && shim_line(env, &profile).is_some() {
        out.push(Finding::ok(
            "shell.bash-login",
            format!("{name} sources ~/.profile, which puts {shims} on PATH"),
        ));
        return;
    }
    if rc_sources(&login, ".bashrc") && rc_works_non_interactive {
        out.push(Finding::ok(
            "shell.bash-login",
            format!("{name} sources ~/.bashrc, which puts {shims} on PATH"),
        ));
        return;
    }
    if !is_profile && shim_line(env, &profile).is_some() {
        out.push(
            Finding::problem(
                "shell.bash-profile-hides-profile",
                format!("{name} exists, so bash login shells never read ~/.profile, where {shims} is put on PATH"),
            )
            .why("bash reads only the first of ~/.bash_profile, ~/.bash_login and ~/.profile; ssh logins and `bash -l` miss the shims")
            .fix(format!(
                "add the line `. \"$HOME/.profile\"` to {name}, or run `gover setup --shell bash` to write gover's block into {name}"
            )),
        );
        return;
    }
    out.push(
        Finding::problem(
            "shell.bash-login",
            format!("{name}, the file bash login shells read, does not put {shims} on PATH"),
        )
        .why("login shells (ssh logins, `bash -l`, many desktop sessions and IDE terminals) then run another `go` or none")
        .fix(setup_fix("bash")),
    );
}

fn check_zsh(env: &DoctorEnv, home: &Path, out: &mut Vec<Finding>) {
    let dir = zdotdir(env, home);
    let zshenv = RcFile::read(dir.join(".zshenv"));
    let shims = env.show(&env.home.shims_dir());
    let name = env.show(&zshenv.path);
    if let Some(l) = shim_line(env, &zshenv) {
        out.push(Finding::ok(
            "shell.zsh",
            format!("{name} puts {shims} on PATH ({})", l.describe()),
        ));
        return;
    }
    let other = [".zshrc", ".zprofile", ".zlogin"]
        .iter()
        .map(|n| RcFile::read(dir.join(n)))
        .find(|f| shim_line(env, f).is_some());
    let mut f = Finding::problem(
        "shell.zsh",
        match &other {
            Some(o) => format!(
                "{shims} is put on PATH in {} but not in {name}",
                env.show(&o.path)
            ),
            None => format!("{name} does not put {shims} on PATH"),
        },
    )
    .why(match other {
        Some(_) => "only ~/.zshenv is read by every zsh; `zsh -c` and `ssh host go build` with zsh as the login shell miss the shims",
        None => "zsh sessions run another `go` or none",
    });
    f = f.fix(setup_fix("zsh"));
    out.push(f);
}

fn check_fish(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let shims = env.show(&env.home.shims_dir());
    let Some(conf) = fish_conf(env) else {
        return;
    };
    let rc = RcFile::read(conf.clone());
    if let Some(l) = shim_line(env, &rc) {
        out.push(Finding::ok(
            "shell.fish",
            format!(
                "{} puts {shims} on PATH ({})",
                env.show(&conf),
                l.describe()
            ),
        ));
        return;
    }
    let config = RcFile::read(
        conf.parent()
            .and_then(Path::parent)
            .map(|d| d.join("config.fish"))
            .unwrap_or_default(),
    );
    if let Some(l) = shim_line(env, &config) {
        out.push(Finding::ok(
            "shell.fish",
            format!(
                "{} puts {shims} on PATH ({})",
                env.show(&config.path),
                l.describe()
            ),
        ));
        return;
    }
    out.push(
        Finding::problem(
            "shell.fish",
            format!("{} does not put {shims} on PATH", env.show(&conf)),
        )
        .why("fish sessions run another `go` or none")
        .fix(setup_fix("fish")),
    );
}

/// Every shell startup file that may set variables for this user: the
/// user's bash, zsh and fish files, then the system-wide ones (read under
/// the root), in that order.
pub(crate) fn startup_files(env: &DoctorEnv) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(home) = env.user_home() {
        for n in [".profile", ".bash_profile", ".bash_login", ".bashrc"] {
            files.push(home.join(n));
        }
        let z = zdotdir(env, &home);
        for n in [".zshenv", ".zprofile", ".zshrc", ".zlogin"] {
            files.push(z.join(n));
        }
    }
    if let Some(c) = env.config_home() {
        let fish = c.join("fish");
        files.push(fish.join("config.fish"));
        files.extend(sorted_dir(&fish.join("conf.d"), ".fish"));
    }
    for f in [
        "/etc/environment",
        "/etc/profile",
        "/etc/bash.bashrc",
        "/etc/zshenv",
        "/etc/zsh/zshenv",
        "/etc/zsh/zprofile",
        "/etc/zsh/zshrc",
    ] {
        files.push(env.sys(f));
    }
    files.extend(sorted_dir(&env.sys("/etc/profile.d"), ".sh"));
    files
}

fn sorted_dir(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The startup-file lines that set `var` (`export GOROOT=...`,
/// `GOROOT=...`, `set -gx GOROOT ...`, `setenv GOROOT ...`).
pub(crate) fn assignments(env: &DoctorEnv, var: &str) -> Vec<Location> {
    let mut out = Vec::new();
    for path in startup_files(env) {
        let rc = RcFile::read(path);
        for (n, line) in rc.code() {
            if assigns(line, var) {
                out.push(Location {
                    path: rc.path.clone(),
                    line: n,
                    text: line.to_string(),
                });
            }
        }
    }
    out
}

fn assigns(line: &str, var: &str) -> bool {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.peek() {
        if matches!(*w, "export" | "declare" | "typeset" | "readonly" | "local")
            || w.starts_with('-')
        {
            words.next();
        } else {
            break;
        }
    }
    let Some(first) = words.next() else {
        return false;
    };
    if let Some(rest) = first.strip_prefix(var) {
        return rest.starts_with('=');
    }
    // fish `set -gx VAR value`, csh `setenv VAR value`
    if first == "set" || first == "setenv" {
        return words.find(|w| !w.starts_with('-')) == Some(var);
    }
    false
}

/// The startup-file lines that mention `needle` outside comments.
pub(crate) fn mentions(env: &DoctorEnv, needle: &str) -> Vec<Location> {
    let mut out = Vec::new();
    for path in startup_files(env) {
        let rc = RcFile::read(path);
        for (n, line) in rc.code() {
            if line.contains(needle) {
                out.push(Location {
                    path: rc.path.clone(),
                    line: n,
                    text: line.to_string(),
                });
            }
        }
    }
    out
}

/// `~/.profile:12` for a location.
pub(crate) fn at(env: &DoctorEnv, l: &Location) -> String {
    format!("{}:{}", env.show(&l.path), l.line)
}

/// ` (set at ~/.profile:3, /etc/environment:1)` or an empty string.
pub(crate) fn set_at(env: &DoctorEnv, locs: &[Location]) -> String {
    if locs.is_empty() {
        return String::new();
    }
    let v: Vec<String> = locs.iter().map(|l| at(env, l)).collect();
    format!(" (set at {})", v.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{one, Machine};
    use super::super::model::Severity;
    use super::*;

    fn block(m: &Machine) -> String {
        format!(
            "{BLOCK_START}\nexport PATH=\"{}:$PATH\"\n{BLOCK_END}\n",
            m.env.home.shims_dir().display()
        )
    }

    const UBUNTU_GUARD: &str =
        "# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n";

    fn run(m: &Machine) -> Vec<Finding> {
        let mut out = Vec::new();
        check(&m.env, &mut out);
        out
    }

    #[test]
    fn bash_healthy_with_block_above_guard() {
        let m = Machine::new();
        m.write(
            "home/.bashrc",
            &format!("{}{UBUNTU_GUARD}alias ll='ls -l'\n", block(&m)),
        );
        m.write("home/.profile", &format!("# ~/.profile\n{}", block(&m)));
        let f = run(&m);
        let rc = one(&f, "shell.bashrc");
        assert_eq!(rc.severity, Severity::Ok, "{f:#?}");
        assert!(
            rc.message
                .contains("above the non-interactive guard at line 5"),
            "{}",
            rc.message
        );
        assert_eq!(one(&f, "shell.bash-login").severity, Severity::Ok);
    }

    #[test]
    fn bash_missing_everything() {
        let m = Machine::new();
        m.write("home/.bashrc", UBUNTU_GUARD);
        let f = run(&m);
        let rc = one(&f, "shell.bashrc");
        assert_eq!(rc.severity, Severity::Problem);
        assert!(
            rc.message.contains("~/.bashrc does not put"),
            "{}",
            rc.message
        );
        assert!(rc
            .fix
            .as_deref()
            .unwrap()
            .contains("`gover setup --shell bash`"));
        let login = one(&f, "shell.bash-login");
        assert_eq!(login.severity, Severity::Problem);
        assert!(
            login.message.contains("none of ~/.bash_profile"),
            "{}",
            login.message
        );
    }

    #[test]
    fn bash_block_below_guard() {
        let m = Machine::new();
        m.write(
            "home/.bashrc",
            &format!("# ~/.bashrc\n{UBUNTU_GUARD}\nHISTSIZE=1000\n{}", block(&m)),
        );
        m.write("home/.profile", &block(&m));
        let f = run(&m);
        let g = one(&f, "shell.bashrc-guard");
        assert_eq!(g.severity, Severity::Problem);
        assert!(g.message.contains("at line 3"), "{}", g.message);
        assert!(
            g.message.contains("gover's block (lines 9-11)"),
            "{}",
            g.message
        );
        assert!(g.fix.as_deref().unwrap().contains("above line 3"), "{g:?}");
        assert!(g.why.as_deref().unwrap().contains("ssh host go build"));
    }

    #[test]
    fn other_guard_spellings() {
        for guard in [
            "[ -z \"$PS1\" ] && return",
            "[[ $- != *i* ]] && return",
            "if [ -z \"$PS1\" ]; then\n  return\nfi",
            "[[ $- == *i* ]] || return 0",
        ] {
            let rc = RcFile {
                path: "x".into(),
                lines: format!("# c\n{guard}\nexport A=1\n")
                    .lines()
                    .map(str::to_string)
                    .collect(),
                exists: true,
            };
            assert!(interactive_guard(&rc).is_some(), "{guard}");
        }
        let rc = RcFile {
            path: "x".into(),
            lines: vec!["export PS1='$ '".into(), "f() { return 1; }".into()],
            exists: true,
        };
        assert_eq!(interactive_guard(&rc), None);
    }

    #[test]
    fn bash_profile_hides_profile() {
        let m = Machine::new();
        m.write("home/.bashrc", &block(&m));
        m.write("home/.profile", &block(&m));
        m.write("home/.bash_profile", "export EDITOR=vim\n");
        let f = run(&m);
        let h = one(&f, "shell.bash-profile-hides-profile");
        assert_eq!(h.severity, Severity::Problem);
        assert!(
            h.message.starts_with("~/.bash_profile exists"),
            "{}",
            h.message
        );
        assert!(h.fix.as_deref().unwrap().contains(". \"$HOME/.profile\""));
        // Sourcing ~/.profile from ~/.bash_profile fixes it.
        m.write("home/.bash_profile", "[ -f ~/.profile ] && . ~/.profile\n");
        let f = run(&m);
        assert_eq!(one(&f, "shell.bash-login").severity, Severity::Ok, "{f:#?}");
        assert!(
            super::super::model::testenv::with_id(&f, "shell.bash-profile-hides-profile")
                .is_empty()
        );
    }

    #[test]
    fn login_file_sourcing_bashrc_counts_only_above_the_guard() {
        let m = Machine::new();
        let ubuntu_profile = "if [ -n \"$BASH_VERSION\" ]; then\n    if [ -f \"$HOME/.bashrc\" ]; then\n\t. \"$HOME/.bashrc\"\n    fi\nfi\n";
        m.write("home/.profile", ubuntu_profile);
        m.write("home/.bashrc", &format!("{}{UBUNTU_GUARD}", block(&m)));
        let f = run(&m);
        let l = one(&f, "shell.bash-login");
        assert_eq!(l.severity, Severity::Ok, "{f:#?}");
        assert!(l.message.contains("sources ~/.bashrc"));
        m.write("home/.bashrc", &format!("{UBUNTU_GUARD}{}", block(&m)));
        let f = run(&m);
        assert_eq!(one(&f, "shell.bash-login").severity, Severity::Problem);
    }

    #[test]
    fn manual_path_lines_count() {
        let mut m = Machine::new();
        // GOVER_HOME is the default under HOME: `$HOME/.local/share/gover`.
        let gh = m.path("home/.local/share/gover");
        m.set("GOVER_HOME", &gh);
        m.env.home = gover_core::GoverHome::new(&gh);
        m.write(
            "home/.bashrc",
            "export PATH=\"$HOME/.local/share/gover/shims:$PATH\"\n",
        );
        m.write("home/.profile", "PATH=~/.local/share/gover/shims:$PATH\n");
        let f = run(&m);
        let rc = one(&f, "shell.bashrc");
        assert_eq!(rc.severity, Severity::Ok);
        assert!(rc.message.contains("(line 1)"), "{}", rc.message);
        assert_eq!(one(&f, "shell.bash-login").severity, Severity::Ok);
        // A line for some other directory does not.
        m.write(
            "home/.bashrc",
            "export PATH=\"$HOME/.old-gover/shims:$PATH\"\n",
        );
        assert_eq!(one(&run(&m), "shell.bashrc").severity, Severity::Problem);
    }

    #[test]
    fn zsh_needs_zshenv() {
        let mut m = Machine::new();
        m.set("SHELL", "/usr/bin/zsh");
        let f = run(&m);
        let z = one(&f, "shell.zsh");
        assert_eq!(z.severity, Severity::Problem);
        assert!(
            z.message.contains("~/.zshenv does not put"),
            "{}",
            z.message
        );
        assert!(super::super::model::testenv::with_id(&f, "shell.bashrc").is_empty());
        m.write("home/.zshrc", &block(&m));
        let z = one(&run(&m), "shell.zsh").clone();
        assert!(
            z.message.contains("in ~/.zshrc but not in ~/.zshenv"),
            "{}",
            z.message
        );
        assert!(z.why.unwrap().contains("zsh -c"));
        m.write("home/.zshenv", &block(&m));
        assert_eq!(one(&run(&m), "shell.zsh").severity, Severity::Ok);
        // ZDOTDIR moves the file.
        m.set("ZDOTDIR", m.path("zdot"));
        assert_eq!(one(&run(&m), "shell.zsh").severity, Severity::Problem);
    }

    #[test]
    fn fish_conf_d() {
        let mut m = Machine::new();
        m.set("SHELL", "/usr/bin/fish");
        let f = run(&m);
        assert_eq!(one(&f, "shell.fish").severity, Severity::Problem);
        m.write(
            "home/.config/fish/conf.d/gover.fish",
            &format!(
                "{BLOCK_START}\nfish_add_path --global --move --path {}\n{BLOCK_END}\n",
                m.env.home.shims_dir().display()
            ),
        );
        let f = run(&m);
        assert_eq!(one(&f, "shell.fish").severity, Severity::Ok, "{f:#?}");
    }

    #[test]
    fn shells_with_blocks_are_checked_too() {
        let mut m = Machine::new();
        m.set("SHELL", "/usr/bin/zsh");
        m.write("home/.zshenv", &block(&m));
        m.write("home/.bashrc", &format!("{UBUNTU_GUARD}{}", block(&m)));
        let f = run(&m);
        assert_eq!(one(&f, "shell.zsh").severity, Severity::Ok);
        assert_eq!(one(&f, "shell.bashrc-guard").severity, Severity::Problem);
    }

    #[test]
    fn finds_assignments_in_user_and_system_files() {
        let m = Machine::new();
        m.write(
            "home/.profile",
            "# export GOROOT=/commented\nexport GOROOT=/usr/local/go\n",
        );
        m.write("home/.config/fish/config.fish", "set -gx GOROOT /opt/go\n");
        m.write(
            "root/etc/environment",
            "PATH=\"/usr/bin\"\nGOROOT=\"/usr/lib/go\"\n",
        );
        m.write(
            "root/etc/profile.d/golang.sh",
            "GOROOTX=1\nexport GO111MODULE=off\n",
        );
        let locs = assignments(&m.env, "GOROOT");
        let shown: Vec<String> = locs.iter().map(|l| at(&m.env, l)).collect();
        assert_eq!(
            shown,
            [
                "~/.profile:2".to_string(),
                "~/.config/fish/config.fish:1".to_string(),
                format!("{}:2", m.path("root/etc/environment").display()),
            ]
        );
        assert_eq!(assignments(&m.env, "GO111MODULE").len(), 1);
    }
}
