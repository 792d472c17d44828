//! Shell startup files: whether every kind of shell session this user
//! starts puts `$GOVER_HOME/shims` on `PATH`, and where variables such as
//! `GOROOT` are set.
//!
//! Which files each shell reads, where gover's block belongs and what a
//! non-interactive guard is all come from the shell module that `gover
//! setup` uses too (`crate::shell`), so doctor never calls a file set up by
//! `gover setup` wrong, or right where setup would change it.

use std::path::{Path, PathBuf};

use gover_core::text::untrusted;

use super::id::FindingId;
use super::model::{Check, DoctorEnv, Finding, Location};
use crate::shell::block::{self, Found, MarkerError, Misplaced};
use crate::shell::script::Script;
use crate::shell::{
    bash_login_file, every_startup_file, lines, read_startup_file, Dirs, Shell, Syntax,
};

/// Where a startup file puts the shims on `PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShimLine {
    /// The 1-based line that changes `PATH`.
    pub(crate) line: usize,
    /// gover's block, when the line is inside it.
    pub(crate) block: Option<Found>,
}

impl ShimLine {
    /// `gover's block (lines 3-6)` or `line 3`.
    fn describe(&self) -> String {
        match &self.block {
            Some(b) => {
                let (s, e) = b.span.lines();
                format!("gover's block (lines {s}-{e})")
            }
            None => format!("line {}", self.line),
        }
    }
}

/// What a startup file says about the shims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RcState {
    /// It does not exist.
    Missing,
    /// It exists but cannot be read: why.
    Unreadable(String),
    /// gover's markers in it do not pair up.
    Markers(MarkerError),
    /// Read.
    Read {
        /// The line that puts the shims on `PATH`.
        shim: Option<ShimLine>,
        /// The 1-based line of the non-interactive guard (POSIX files).
        guard: Option<usize>,
        /// Whether it sources `~/.profile`.
        sources_profile: bool,
        /// Whether it sources `~/.bashrc`.
        sources_bashrc: bool,
    },
}

/// One startup file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rc {
    /// The file.
    pub(crate) path: PathBuf,
    /// What is in it.
    pub(crate) state: RcState,
}

impl Rc {
    /// Reads and inspects `path`.
    pub(crate) fn read(env: &DoctorEnv, path: PathBuf, syntax: Syntax) -> Self {
        let state = match read_startup_file(&path) {
            Ok(None) => RcState::Missing,
            Err(e) => RcState::Unreadable(e.to_string()),
            Ok(Some(text)) => match block::inspect(&text, syntax) {
                Err(e) => RcState::Markers(e),
                Ok(found) => RcState::Read {
                    shim: shim_line(env, &text, found),
                    guard: match syntax {
                        Syntax::Posix => Script::parse(&text).guard(&text).map(|g| g.first + 1),
                        Syntax::Fish => None,
                    },
                    sources_profile: lines::code(&text).any(|(_, l)| lines::sources(l, ".profile")),
                    sources_bashrc: lines::code(&text).any(|(_, l)| lines::sources(l, ".bashrc")),
                },
            },
        };
        Self { path, state }
    }

    /// Whether the file exists (a login bash reads the first that does).
    fn exists(&self) -> bool {
        self.state != RcState::Missing
    }

    /// The line putting the shims on `PATH`, when it is where it works:
    /// not in a block setup would move, not below the guard.
    fn working_shim(&self) -> Option<&ShimLine> {
        match &self.state {
            RcState::Read {
                shim: Some(l),
                guard,
                ..
            } => {
                let misplaced = match &l.block {
                    Some(b) => b.misplaced.is_some(),
                    None => guard.is_some_and(|g| g < l.line),
                };
                (!misplaced).then_some(l)
            }
            _ => None,
        }
    }

    fn has_block(&self) -> bool {
        matches!(
            &self.state,
            RcState::Read {
                shim: Some(ShimLine { block: Some(_), .. }),
                ..
            }
        ) || matches!(&self.state, RcState::Markers(_))
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

/// The line of `text` that puts the shims directory on `PATH`, if any: a
/// non-comment line mentioning `PATH` (or fish's `fish_add_path`) and the
/// shims directory (literally or through `$GOVER_HOME`, `$HOME`, `~`).
fn shim_line(env: &DoctorEnv, text: &str, block: Option<Found>) -> Option<ShimLine> {
    let shims = env.home.shims_dir().display().to_string();
    let shims = shims.trim_end_matches('/');
    let (n, _) = lines::code(text).find(|(_, line)| {
        (line.contains("PATH") || line.contains("fish_add_path"))
            && expand(env, line)
                .split(|c: char| matches!(c, ':' | '"' | '\'' | '=') || c.is_whitespace())
                .any(|w| w.trim_end_matches('/') == shims)
    })?;
    let block = block.filter(|b| {
        let (s, e) = b.span.lines();
        s <= n && n <= e
    });
    Some(ShimLine { line: n, block })
}

/// The facts for one shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ShellFacts {
    /// bash.
    Bash {
        /// `~/.bashrc`.
        bashrc: Rc,
        /// The first of the login files that exists.
        login: Option<Rc>,
        /// `~/.profile`.
        profile: Rc,
    },
    /// zsh.
    Zsh {
        /// `$ZDOTDIR/.zshenv`.
        zshenv: Rc,
        /// A later zsh file that puts the shims on `PATH` instead.
        other: Option<Rc>,
    },
    /// fish.
    Fish {
        /// `conf.d/gover.fish`.
        conf: Rc,
        /// `config.fish`.
        config: Rc,
    },
}

/// The startup files of every shell this user uses.
pub(crate) struct StartupFiles;

impl Check for StartupFiles {
    /// `None` without an absolute HOME.
    type Facts = Option<Vec<ShellFacts>>;

    fn facts(env: &DoctorEnv) -> Self::Facts {
        let dirs = env.dirs()?;
        Some(
            shells(env, &dirs)
                .into_iter()
                .map(|s| shell_facts(env, &dirs, s))
                .collect(),
        )
    }

    fn findings(env: &DoctorEnv, facts: &Self::Facts) -> Vec<Finding> {
        let Some(shells) = facts else {
            return vec![Finding::warning(
                FindingId::ShellHome,
                "HOME is not set to an absolute path",
            )
            .why("shell startup files cannot be found, so they were not checked")];
        };
        let mut out = Vec::new();
        for s in shells {
            match s {
                ShellFacts::Bash {
                    bashrc,
                    login,
                    profile,
                } => bash(env, bashrc, login.as_ref(), profile, &mut out),
                ShellFacts::Zsh { zshenv, other } => zsh(env, zshenv, other.as_ref(), &mut out),
                ShellFacts::Fish { conf, config } => fish(env, conf, config, &mut out),
            }
        }
        out
    }
}

/// The shells to check: `$SHELL`'s (bash when it names none), plus any
/// whose startup files already hold gover's block.
fn shells(env: &DoctorEnv, dirs: &Dirs) -> Vec<Shell> {
    let login = env
        .var_str("SHELL")
        .and_then(Shell::from_login)
        .unwrap_or(Shell::Bash);
    let has_block = |p: PathBuf| Rc::read(env, p, Syntax::Posix).has_block();
    Shell::ALL
        .into_iter()
        .filter(|&s| {
            s == login
                || match s {
                    Shell::Bash => {
                        has_block(dirs.home.join(".bashrc"))
                            || has_block(dirs.home.join(".bash_profile"))
                    }
                    Shell::Zsh => has_block(dirs.zdotdir.join(".zshenv")),
                    Shell::Fish => dirs.fish_conf().is_file(),
                }
        })
        .collect()
}

fn shell_facts(env: &DoctorEnv, dirs: &Dirs, shell: Shell) -> ShellFacts {
    let rc = |p: PathBuf| Rc::read(env, p, shell.syntax());
    match shell {
        Shell::Bash => {
            let login_path = bash_login_file(&dirs.home);
            let login = rc(login_path);
            ShellFacts::Bash {
                bashrc: rc(dirs.home.join(".bashrc")),
                login: login.exists().then_some(login),
                profile: rc(dirs.home.join(".profile")),
            }
        }
        Shell::Zsh => ShellFacts::Zsh {
            zshenv: rc(dirs.zdotdir.join(".zshenv")),
            other: [".zshrc", ".zprofile", ".zlogin"]
                .iter()
                .map(|n| rc(dirs.zdotdir.join(n)))
                .find(|f| matches!(f.state, RcState::Read { shim: Some(_), .. })),
        },
        Shell::Fish => ShellFacts::Fish {
            conf: rc(dirs.fish_conf()),
            config: rc(dirs.fish_dir().join("config.fish")),
        },
    }
}

fn setup_fix(shell: &str) -> String {
    format!("run `gover setup --shell {shell}`, then open a new terminal")
}

/// The finding for a file that cannot be read, whose markers do not pair
/// up, or whose block setup would move; `None` when there is none.
fn file_trouble(env: &DoctorEnv, rc: &Rc, shell: &str, guard_id: FindingId) -> Option<Finding> {
    let name = env.show(&rc.path);
    match &rc.state {
        RcState::Unreadable(e) => Some(
            Finding::problem(FindingId::ShellUnreadable, format!("{name} cannot be read: {}", untrusted(e)))
                .why(format!("{shell} cannot read it either (a FIFO or device can make every new shell hang), so it does not put the shims on PATH"))
                .fix(format!("replace {name} with a regular text file, then {}", setup_fix(shell))),
        ),
        RcState::Markers(e) => Some(
            Finding::problem(FindingId::ShellMarkers, format!("{name}: {e}"))
                .why("`gover setup` refuses to edit the file, as guessing where the block ends could delete your lines")
                .fix(format!(
                    "edit {name} so the markers pair up (delete the stray `{}` or `{}` line, or the whole block), then {}",
                    block::BLOCK_START,
                    block::BLOCK_END,
                    setup_fix(shell)
                )),
        ),
        RcState::Read { shim: Some(ShimLine { block: Some(Found { span, misplaced: Some((m, _)) }), .. }), .. } => {
            let (s, e) = span.lines();
            let id = match m {
                Misplaced::BelowGuard(_) => guard_id,
                Misplaced::NotTopLevel(_) => FindingId::ShellBlockMisplaced,
            };
            Some(
                Finding::problem(id, format!("gover's block in {name} (lines {s}-{e}) puts the shims on PATH where it does not work: {m}"))
                    .why(format!("{shell} sessions that stop or skip there (`ssh host go build` stops at the guard; a function body runs only when called) run another `go` or none"))
                    .fix(format!("run `gover setup --shell {shell}` (it moves the block to the top level of {name}, above any guard)")),
            )
        }
        _ => None,
    }
}

fn bash(env: &DoctorEnv, bashrc: &Rc, login: Option<&Rc>, profile: &Rc, out: &mut Vec<Finding>) {
    let shims = env.show(&env.home.shims_dir());
    if let Some(f) = file_trouble(env, bashrc, "bash", FindingId::ShellBashrcGuard) {
        out.push(f);
    } else {
        out.push(bashrc_finding(bashrc, &shims));
    }
    let Some(login) = login else {
        out.push(
            Finding::problem(
                FindingId::ShellBashLogin,
                format!("none of ~/.bash_profile, ~/.bash_login or ~/.profile exists, so bash login shells do not put {shims} on PATH"),
            )
            .why("login shells (ssh logins, `bash -l`, many desktop sessions and IDE terminals) read only those files")
            .fix(setup_fix("bash")),
        );
        return;
    };
    if let Some(f) = file_trouble(env, login, "bash", FindingId::ShellBlockMisplaced) {
        out.push(f);
        return;
    }
    out.push(login_finding(env, login, bashrc, profile, &shims));
}

fn bashrc_finding(bashrc: &Rc, shims: &str) -> Finding {
    let RcState::Read {
        shim: Some(l),
        guard,
        ..
    } = &bashrc.state
    else {
        return Finding::problem(FindingId::ShellBashrc, format!("~/.bashrc does not put {shims} on PATH"))
            .why("interactive bash shells that are not login shells (every new terminal tab on Ubuntu) read only ~/.bashrc, so `go` there is not gover's")
            .fix(setup_fix("bash"));
    };
    match guard {
        Some(g) if l.block.is_none() && *g < l.line => Finding::problem(
            FindingId::ShellBashrcGuard,
            format!(
                "~/.bashrc stops for non-interactive shells at line {g} (the \"not running interactively: return\" guard), above {} that puts {shims} on PATH",
                l.describe()
            ),
        )
        .why("bash started by ssh for a command (`ssh host go build`, remote IDE and CI tasks) reads ~/.bashrc but returns at the guard, so it runs another `go` or none")
        .fix(format!(
            "run `gover setup --shell bash` (it writes its block above the guard), or move {} of ~/.bashrc above line {g} by hand",
            l.describe()
        )),
        _ => Finding::ok(
            FindingId::ShellBashrc,
            format!(
                "~/.bashrc puts {shims} on PATH ({}{})",
                l.describe(),
                guard.map_or_else(String::new, |g| format!(", above the non-interactive guard at line {g}"))
            ),
        ),
    }
}

/// Login shells read only the first of the login files that exists.
fn login_finding(env: &DoctorEnv, login: &Rc, bashrc: &Rc, profile: &Rc, shims: &str) -> Finding {
    let name = env.show(&login.path);
    let (sources_profile, sources_bashrc) = match &login.state {
        RcState::Read {
            sources_profile,
            sources_bashrc,
            ..
        } => (*sources_profile, *sources_bashrc),
        _ => (false, false),
    };
    let is_profile = login.path.ends_with(".profile");
    let ok = |what: String| Finding::ok(FindingId::ShellBashLogin, what);
    if let Some(l) = login.working_shim() {
        return ok(format!(
            "{name} (read by bash login shells) puts {shims} on PATH ({})",
            l.describe()
        ));
    }
    if !is_profile && sources_profile && profile.working_shim().is_some() {
        return ok(format!(
            "{name} sources ~/.profile, which puts {shims} on PATH"
        ));
    }
    if sources_bashrc && bashrc.working_shim().is_some() {
        return ok(format!(
            "{name} sources ~/.bashrc, which puts {shims} on PATH"
        ));
    }
    if !is_profile && profile.working_shim().is_some() {
        return Finding::problem(
            FindingId::ShellBashProfileHidesProfile,
            format!("{name} exists, so bash login shells never read ~/.profile, where {shims} is put on PATH"),
        )
        .why("bash reads only the first of ~/.bash_profile, ~/.bash_login and ~/.profile; ssh logins and `bash -l` miss the shims")
        .fix(format!(
            "add the line `. \"$HOME/.profile\"` to {name}, or run `gover setup --shell bash` to write gover's block into {name}"
        ));
    }
    Finding::problem(
        FindingId::ShellBashLogin,
        format!("{name}, the file bash login shells read, does not put {shims} on PATH"),
    )
    .why("login shells (ssh logins, `bash -l`, many desktop sessions and IDE terminals) then run another `go` or none")
    .fix(setup_fix("bash"))
}

fn zsh(env: &DoctorEnv, zshenv: &Rc, other: Option<&Rc>, out: &mut Vec<Finding>) {
    let shims = env.show(&env.home.shims_dir());
    let name = env.show(&zshenv.path);
    if let Some(f) = file_trouble(env, zshenv, "zsh", FindingId::ShellBlockMisplaced) {
        out.push(f);
        return;
    }
    if let Some(l) = zshenv.working_shim() {
        out.push(Finding::ok(
            FindingId::ShellZsh,
            format!("{name} puts {shims} on PATH ({})", l.describe()),
        ));
        return;
    }
    let (what, why) = match other {
        Some(o) => (
            format!("{shims} is put on PATH in {} but not in {name}", env.show(&o.path)),
            "only ~/.zshenv is read by every zsh; `zsh -c` and `ssh host go build` with zsh as the login shell miss the shims",
        ),
        None => (format!("{name} does not put {shims} on PATH"), "zsh sessions run another `go` or none"),
    };
    out.push(
        Finding::problem(FindingId::ShellZsh, what)
            .why(why)
            .fix(setup_fix("zsh")),
    );
}

fn fish(env: &DoctorEnv, conf: &Rc, config: &Rc, out: &mut Vec<Finding>) {
    let shims = env.show(&env.home.shims_dir());
    if let Some(f) = file_trouble(env, conf, "fish", FindingId::ShellBlockMisplaced) {
        out.push(f);
        return;
    }
    for rc in [conf, config] {
        if let Some(l) = rc.working_shim() {
            out.push(Finding::ok(
                FindingId::ShellFish,
                format!(
                    "{} puts {shims} on PATH ({})",
                    env.show(&rc.path),
                    l.describe()
                ),
            ));
            return;
        }
    }
    out.push(
        Finding::problem(
            FindingId::ShellFish,
            format!("{} does not put {shims} on PATH", env.show(&conf.path)),
        )
        .why("fish sessions run another `go` or none")
        .fix(setup_fix("fish")),
    );
}

/// The startup-file lines (outside comments) for which `pick` is true,
/// across every startup file of this user and the system.
fn find_lines(env: &DoctorEnv, pick: impl Fn(&str) -> bool) -> Vec<Location> {
    let mut out = Vec::new();
    for path in every_startup_file(env.dirs().as_ref(), &env.root) {
        let Ok(Some(text)) = read_startup_file(&path) else {
            continue;
        };
        for (n, line) in lines::code(&text) {
            if pick(line) {
                out.push(Location {
                    path: path.clone(),
                    line: n,
                    text: line.to_string(),
                });
            }
        }
    }
    out
}

/// The startup-file lines that set `var` (`export GOROOT=...`,
/// `GOROOT=...`, `set -gx GOROOT ...`, `setenv GOROOT ...`).
pub(crate) fn assignments(env: &DoctorEnv, var: &str) -> Vec<Location> {
    find_lines(env, |l| lines::assigns(l, var))
}

/// The startup-file lines that mention `needle` outside comments.
pub(crate) fn mentions(env: &DoctorEnv, needle: &str) -> Vec<Location> {
    find_lines(env, |l| l.contains(needle))
}

/// The value a startup-file line gives `var` (`export GOROOT="/opt/go"`,
/// `set -gx GOROOT /opt/go`), with `$HOME`, `~` and `$GOVER_HOME`
/// expanded; `None` when the line does not set it.
fn assigned_value(env: &DoctorEnv, line: &str, var: &str) -> Option<String> {
    if !lines::assigns(line, var) {
        return None;
    }
    let line = expand(env, line);
    let eq = format!("{var}=");
    let rest = match line.find(&eq) {
        Some(i) => &line[i + eq.len()..],
        None => line.split_once(&format!("{var} "))?.1.trim_start(),
    };
    let word = rest.split([' ', '\t', ';']).next()?;
    Some(
        word.trim_matches(['"', '\''])
            .trim_end_matches('/')
            .to_string(),
    )
}

/// The startup-file lines that put `dir` (a Go's `bin` directory) on
/// `PATH`: naming it (also through `$HOME`, `~` or `$GOVER_HOME`), as
/// `$GOROOT/bin` where `GOROOT` is `dir`'s parent (in this environment or
/// by a startup-file line), or as `$(go env GOROOT)/bin` when `dir` is a
/// Go root's `bin`.
pub(crate) fn path_additions(env: &DoctorEnv, dir: &Path) -> Vec<Location> {
    let dir_s = dir.display().to_string();
    let dir_s = dir_s.trim_end_matches('/');
    let root = dir.parent().filter(|_| dir.ends_with("bin"));
    let root_s = root.map(|r| r.display().to_string());
    let root_named = root_s.as_deref().is_some_and(|r| {
        env.var_str("GOROOT").map(|v| v.trim_end_matches('/')) == Some(r)
            || !find_lines(env, |l| {
                assigned_value(env, l, "GOROOT").as_deref() == Some(r)
            })
            .is_empty()
    });
    let is_goroot = root.is_some_and(|r| r.join("VERSION").is_file() || r.join("src").is_dir());
    find_lines(env, |line| {
        if !(line.contains("PATH") || line.contains("fish_add_path")) {
            return false;
        }
        let literal = expand(env, line)
            .split(|c: char| matches!(c, ':' | '"' | '\'' | '=') || c.is_whitespace())
            .any(|w| w.trim_end_matches('/') == dir_s);
        let via_goroot = root_named
            && ["$GOROOT/bin", "${GOROOT}/bin"]
                .iter()
                .any(|n| line.contains(n));
        let via_go_env = is_goroot
            && ["$(go env GOROOT)/bin", "`go env GOROOT`/bin"]
                .iter()
                .any(|n| line.contains(n));
        literal || via_goroot || via_go_env
    })
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
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;
    use crate::shell::block::{BLOCK_END, BLOCK_START};

    fn block(m: &Machine) -> String {
        format!(
            "{BLOCK_START}\nexport PATH=\"{}:$PATH\"\n{BLOCK_END}\n",
            m.env.home.shims_dir().display()
        )
    }

    const UBUNTU_GUARD: &str =
        "# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n";

    fn run(m: &Machine) -> Vec<Finding> {
        check::<StartupFiles>(m)
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
        assert!(g.message.contains("guard at line 3"), "{}", g.message);
        assert!(g.message.contains("(lines 9-11)"), "{}", g.message);
        assert!(
            g.fix
                .as_deref()
                .unwrap()
                .contains("gover setup --shell bash"),
            "{g:?}"
        );
        assert!(g.why.as_deref().unwrap().contains("ssh host go build"));
        // A line by hand below the guard.
        let shims = m.env.home.shims_dir();
        m.write(
            "home/.bashrc",
            &format!("{UBUNTU_GUARD}export PATH={}:$PATH\n", shims.display()),
        );
        let g = one(&run(&m), "shell.bashrc-guard").clone();
        assert!(g.message.contains("at line 2"), "{}", g.message);
        assert!(g.fix.unwrap().contains("above line 2"));
    }

    #[test]
    fn a_block_inside_a_function_is_misplaced() {
        let m = Machine::new();
        m.write(
            "home/.bashrc",
            &format!("__prompt_command() {{\n    local EXIT=\"$?\"\n{}    PS1='$ '\n    return $EXIT\n}}\n", block(&m)),
        );
        m.write("home/.profile", &block(&m));
        let f = run(&m);
        let b = one(&f, "shell.block-misplaced");
        assert_eq!(b.severity, Severity::Problem);
        assert!(
            b.message
                .contains("inside the function `__prompt_command` (line 1)"),
            "{}",
            b.message
        );
        assert!(with_id(&f, "shell.bashrc").is_empty(), "{f:#?}");
    }

    #[test]
    fn unpaired_markers_and_unreadable_files() {
        let m = Machine::new();
        m.write("home/.bashrc", "alias a=b\n# >>> gover >>>\nmine\n");
        m.write("home/.profile", &block(&m));
        let f = run(&m);
        let k = one(&f, "shell.markers");
        assert!(
            k.message
                .starts_with("~/.bashrc: line 2 opens gover's block"),
            "{}",
            k.message
        );
        std::fs::remove_file(m.path("home/.bashrc")).unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(m.path("home/.bashrc"))
            .status()
            .unwrap()
            .success());
        let f = run(&m);
        let u = one(&f, "shell.unreadable");
        assert!(
            u.message
                .contains("~/.bashrc cannot be read: is not a regular file (a FIFO)"),
            "{}",
            u.message
        );
    }

    #[test]
    fn other_guard_spellings() {
        let m = Machine::new();
        for guard in [
            "[ -z \"$PS1\" ] && return",
            "[[ $- != *i* ]] && return",
            "if [ -z \"$PS1\" ]; then\n  return\nfi",
            "[[ $- == *i* ]] || return 0",
            "[[ -o interactive ]] || return",
        ] {
            m.write("home/.bashrc", &format!("# c\n{guard}\n{}", block(&m)));
            let f = run(&m);
            assert_eq!(
                one(&f, "shell.bashrc-guard").severity,
                Severity::Problem,
                "{guard}"
            );
        }
        m.write(
            "home/.bashrc",
            &format!("export PS1='$ '\nf() {{ return 1; }}\n{}", block(&m)),
        );
        assert_eq!(one(&run(&m), "shell.bashrc").severity, Severity::Ok);
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
        assert!(with_id(&f, "shell.bash-profile-hides-profile").is_empty());
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
        assert!(with_id(&f, "shell.bashrc").is_empty());
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
