//! `gover env [VERSION] [--shell sh|bash|zsh|fish|github] [--unset]`: the
//! environment that puts a toolchain first, for `eval "$(gover env)"` in
//! scripts and CI, and `--unset`, which undoes it.
//!
//! The code it prints is evaluated by the shell and reads the shell's own
//! `PATH` when it runs: it takes out every entry that is one of gover's
//! toolchains (under `$GOVER_HOME/toolchains/`, `platforms/` or `links/`)
//! and the one an earlier `gover env` put first (`GOVER_ENV_PATH_ENTRY`),
//! then puts this toolchain's `bin` first. So running it again, or with
//! another version, leaves one toolchain on `PATH`. The first `gover env`
//! of a shell remembers `GOROOT` and `GOTOOLCHAIN` as they were in
//! `GOVER_ENV_PREVIOUS_GOROOT` and `GOVER_ENV_PREVIOUS_GOTOOLCHAIN` (absent
//! when they were unset), and `--unset` puts them back.
//!
//! With `--shell github` it appends to `$GITHUB_PATH` and `$GITHUB_ENV`
//! instead, so later steps of the job see it; GitHub Actions can only add
//! to those, so `--unset` is refused there.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::env as vars;
use gover_core::select::Selection;
use gover_core::toolenv::{GoToolchainPolicy, ToolEnv};

use crate::app::App;
use crate::cli::{EnvArgs, EnvShell};
use crate::error::UserError;
use crate::quote::{fish_quote, sh_quote};
use crate::selecting::{path_tool_env, select};

pub(crate) fn run(app: &App, args: &EnvArgs) -> Result<ExitCode> {
    if args.unset {
        return unset(app, args.shell);
    }
    let sel = select(app, args.version.as_deref(), "go", true)?;
    let env = path_tool_env(app, &sel)?;
    let name = sel.name();
    if args.shell == EnvShell::Github {
        github(app, &env, &name)?;
        return Ok(ExitCode::SUCCESS);
    }
    let script = Script {
        owned: owned_prefixes(app)?,
        activate: Some(activation(app, &sel, &env)?),
    };
    let text = script.render(dialect(args.shell));
    let undo = match args.shell {
        EnvShell::Fish => "`gover env --unset --shell fish | source`",
        _ => "`eval \"$(gover env --unset)\"`",
    };
    // The reason names a path; escape it so nothing in it can end the
    // comment and run as code under `eval`.
    let header = format!(
        "# {name} ({}), printed by `gover env`; {undo} undoes it\n",
        sel.reason.escape_debug()
    );
    print(&(header + &text))?;
    Ok(ExitCode::SUCCESS)
}

/// `--unset`: the code that undoes every `gover env` of this shell.
fn unset(app: &App, shell: EnvShell) -> Result<ExitCode> {
    if shell == EnvShell::Github {
        let mut e = UserError::new(
            "--unset cannot be used with --shell github: GitHub Actions only adds to $GITHUB_PATH and $GITHUB_ENV, it cannot take a step's additions back",
        )
        .hint("run `gover env --shell github VERSION` only in the jobs that need that toolchain, or again with the version later steps need (the newest addition comes first on PATH)");
        e.code = crate::usage::USAGE;
        return Err(e.into());
    }
    let script = Script {
        owned: owned_prefixes(app)?,
        activate: None,
    };
    let header = match shell {
        EnvShell::Fish => "printed by `gover env --unset --shell fish`",
        _ => "printed by `gover env --unset`",
    };
    let text = script.render(dialect(shell));
    print(&format!(
        "# {header}: takes gover's toolchains off PATH and restores GOROOT and GOTOOLCHAIN\n{text}"
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn dialect(shell: EnvShell) -> Dialect {
    match shell {
        EnvShell::Fish => Dialect::Fish,
        _ => Dialect::Sh,
    }
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn utf8<'a>(name: &str, v: &'a OsStr) -> Result<&'a str> {
    v.to_str().ok_or_else(|| {
        UserError::new(format!(
            "{name} is not valid UTF-8 ({}); `gover env` cannot print it safely",
            gover_core::text::shorten(&v.to_string_lossy(), 200)
        ))
        .into()
    })
}

/// The directories whose entries on `PATH` are gover's toolchains, each
/// ending in `/`: `$GOVER_HOME/toolchains/`, `platforms/` and `links/`.
fn owned_prefixes(app: &App) -> Result<Vec<String>> {
    let platform = gover_dist::install::platform_dir(&app.home, &gover_dist::Platform::host());
    let platforms = platform.parent().unwrap_or(&platform).to_path_buf();
    let dirs = [app.home.toolchains_dir(), platforms, app.home.links_dir()];
    dirs.iter()
        .map(|d| {
            let s = utf8(vars::GOVER_HOME, d.as_os_str())?;
            Ok(format!("{}/", s.trim_end_matches('/')))
        })
        .collect()
}

/// What `gover env` makes of the selection.
fn activation(app: &App, sel: &Selection, env: &ToolEnv) -> Result<Activate> {
    let text = |what: &str, p: Option<&Path>| -> Result<Option<String>> {
        p.map(|p| utf8(what, p.as_os_str()).map(str::to_string))
            .transpose()
    };
    Ok(Activate {
        name: sel.name(),
        goroot: text(vars::GOROOT, env.goroot.as_deref())?,
        bin: text("the toolchain's bin directory", env.bin_dir.as_deref())?,
        local: app.settings.gotoolchain.value == GoToolchainPolicy::Local,
    })
}

/// A toolchain to put first.
struct Activate {
    /// Its name, for `GOVER_ENV_TOOLCHAIN`.
    name: String,
    /// Its root (`None`: unset `GOROOT`).
    goroot: Option<String>,
    /// Its `bin` (`None`: leave `PATH` as it is, but for the entries taken out).
    bin: Option<String>,
    /// `GOTOOLCHAIN=local` unless the user had set it; else as it was.
    local: bool,
}

/// The code `gover env` prints.
struct Script {
    /// See [`owned_prefixes`].
    owned: Vec<String>,
    /// The toolchain to put first; `None` for `--unset`.
    activate: Option<Activate>,
}

/// The variables `gover env` sets to remember what it did.
const STATE: [&str; 4] = [
    vars::GOVER_ENV_TOOLCHAIN,
    vars::GOVER_ENV_PATH_ENTRY,
    vars::GOVER_ENV_PREVIOUS_GOROOT,
    vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN,
];
/// Each variable `gover env` changes, with the one remembering its value.
const REMEMBERED: [(&str, &str); 2] = [
    (vars::GOROOT, vars::GOVER_ENV_PREVIOUS_GOROOT),
    (vars::GOTOOLCHAIN, vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN),
];
/// Scratch variables of the printed code, removed at its end.
const SCRATCH: &str = "__gover_rest __gover_path __gover_added __gover_dir";

/// The shell language printed: POSIX (sh, bash and zsh: nothing in it
/// splits words, so zsh's rules give the same result) or fish.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sh,
    Fish,
}

impl Dialect {
    fn quote(self, s: &str) -> String {
        match self {
            Self::Sh => sh_quote(s),
            Self::Fish => fish_quote(s),
        }
    }

    /// Sets and exports `var` to `value`, or removes it (`None`).
    fn set(self, var: &str, value: Option<&str>) -> String {
        match (self, value) {
            (Self::Sh, Some(v)) => format!("export {var}={}\n", self.quote(v)),
            (Self::Fish, Some(v)) => format!("set -gx {var} {}\n", self.quote(v)),
            (Self::Sh, None) => format!("unset {var}\n"),
            (Self::Fish, None) => format!("set -e {var}\n"),
        }
    }

    /// Code that runs `body` only when `var` is set (`negate`: unset).
    fn when_set(self, var: &str, negate: bool, body: &str) -> String {
        match self {
            Self::Sh => {
                let test = if negate { "-z" } else { "-n" };
                format!("if [ {test} \"${{{var}+x}}\" ]; then\n{body}fi\n")
            }
            Self::Fish => {
                let not = if negate { "not " } else { "" };
                format!("if {not}set -q {var}\n{body}end\n")
            }
        }
    }

    /// Code that copies `from` to `to`, or unsets `to` when `from` is unset.
    fn copy(self, from: &str, to: &str) -> String {
        match self {
            Self::Sh => format!(
                "  if [ -n \"${{{from}+x}}\" ]; then export {to}=\"${from}\"; else unset {to}; fi\n"
            ),
            Self::Fish => {
                format!("    if set -q {from}; set -gx {to} ${from}; else; set -e {to}; end\n")
            }
        }
    }

    /// `GOTOOLCHAIN=local`, unless the remembered value is set and not empty.
    fn local_unless_remembered(self) -> String {
        let saved = vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN;
        match self {
            Self::Sh => format!(
                "if [ -n \"${{{saved}-}}\" ]; then export GOTOOLCHAIN=\"${saved}\"; else export GOTOOLCHAIN=local; fi\n"
            ),
            Self::Fish => format!(
                "if test -n \"${saved}\"; set -gx GOTOOLCHAIN ${saved}; else; set -gx GOTOOLCHAIN local; end\n"
            ),
        }
    }

    /// `PATH` as the kept entries of `__gover_path`, after `first`.
    fn path(self, first: Option<&str>) -> String {
        match (self, first) {
            (Self::Sh, Some(bin)) => format!("export PATH={}\"$__gover_path\"\n", sh_quote(bin)),
            (Self::Sh, None) => "export PATH=\"${__gover_path#:}\"\n".into(),
            (Self::Fish, Some(bin)) => format!("set -gx PATH {} $__gover_path\n", fish_quote(bin)),
            (Self::Fish, None) => "set -gx PATH $__gover_path\n".into(),
        }
    }

    /// Code that leaves in `__gover_path` the entries of `PATH` to keep:
    /// all but those under `owned` and the first equal to
    /// `GOVER_ENV_PATH_ENTRY` (in POSIX code each after a `:`).
    fn path_filter(self, owned: &[String]) -> String {
        let added = vars::GOVER_ENV_PATH_ENTRY;
        if self == Self::Fish {
            let alternatives: Vec<String> = owned.iter().map(|p| regex_escape(p)).collect();
            let regex = fish_quote(&format!("^(?:{})", alternatives.join("|")));
            return format!(
                "set -g __gover_path
set -g __gover_added ${added}
for __gover_dir in $PATH
    if string match -qr -- {regex} $__gover_dir
        continue
    end
    if test -n \"$__gover_added\"; and test \"$__gover_dir\" = \"$__gover_added\"
        set __gover_added
        continue
    end
    set -a __gover_path $__gover_dir
end
"
            );
        }
        let patterns: Vec<String> = owned.iter().map(|p| format!("{}*", sh_quote(p))).collect();
        format!(
            "__gover_rest=\"${{PATH:+${{PATH}}:}}\"
__gover_path=
__gover_added=\"${{{added}-}}\"
while [ -n \"$__gover_rest\" ]; do
  __gover_dir=\"${{__gover_rest%%:*}}\"
  __gover_rest=\"${{__gover_rest#*:}}\"
  case $__gover_dir in
    {patterns}) continue ;;
  esac
  if [ -n \"$__gover_added\" ] && [ \"$__gover_dir\" = \"$__gover_added\" ]; then
    __gover_added=
    continue
  fi
  __gover_path=\"${{__gover_path}}:${{__gover_dir}}\"
done
",
            patterns = patterns.join("|"),
        )
    }
}

impl Script {
    /// The code in `d`. Fish's ends with `true`: its `set` keeps the status
    /// of the command before it, which may be a `test` that was false.
    fn render(&self, d: Dialect) -> String {
        let mut out = String::new();
        let copies = |pairs: &mut dyn Iterator<Item = (&str, &str)>| {
            pairs.map(|(from, to)| d.copy(from, to)).collect::<String>()
        };
        if self.activate.is_some() {
            let save = copies(&mut REMEMBERED.iter().copied());
            out.push_str(&d.when_set(vars::GOVER_ENV_TOOLCHAIN, true, &save));
        }
        out.push_str(&d.path_filter(&self.owned));
        let bin = self.activate.as_ref().and_then(|a| a.bin.as_deref());
        out.push_str(&d.path(bin));
        out.push_str(&d.set(SCRATCH, None));
        match &self.activate {
            None => {
                let restore = copies(&mut REMEMBERED.iter().map(|(var, saved)| (*saved, *var)));
                out.push_str(&d.when_set(vars::GOVER_ENV_TOOLCHAIN, false, &restore));
                out.push_str(&d.set(&STATE.join(" "), None));
            }
            Some(a) => {
                out.push_str(&d.set(vars::GOROOT, a.goroot.as_deref()));
                if a.local {
                    out.push_str(&d.local_unless_remembered());
                } else {
                    let saved = vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN;
                    out.push_str(d.copy(saved, vars::GOTOOLCHAIN).trim_start());
                }
                out.push_str(&d.set(vars::GOVER_ENV_TOOLCHAIN, Some(&a.name)));
                out.push_str(&d.set(vars::GOVER_ENV_PATH_ENTRY, bin));
            }
        }
        if d == Dialect::Fish {
            out.push_str("true\n");
        }
        out
    }
}

/// `s` as a regular expression that matches exactly `s` (every ASCII
/// punctuation character escaped).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_punctuation() || c == ' ' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn github(app: &App, env: &ToolEnv, name: &str) -> Result<()> {
    let file = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let (gh_path, gh_env) = (file(vars::GITHUB_PATH), file(vars::GITHUB_ENV));
    if gh_path.is_none() && gh_env.is_none() {
        return Err(UserError::new(
            "--shell github needs $GITHUB_PATH and $GITHUB_ENV, which are not set (they are set inside a GitHub Actions job)",
        )
        .hint("outside GitHub Actions use `eval \"$(gover env)\"`")
        .into());
    }
    let mut out = std::io::stdout().lock();
    match (&gh_path, &env.bin_dir) {
        (Some(f), Some(bin)) => {
            let bin = no_newline("the toolchain's bin directory", bin.as_os_str())?;
            append(f, &format!("{bin}\n"))?;
            writeln!(out, "Added {bin} to $GITHUB_PATH ({})", f.display())?;
        }
        (None, Some(_)) => app.warn("$GITHUB_PATH is not set: PATH is unchanged for later steps"),
        _ => {}
    }
    let mut lines = String::new();
    let mut set = Vec::new();
    for (var, value) in env.changes() {
        if var == vars::PATH {
            continue;
        }
        match value {
            Some(v) => {
                let v = no_newline(var, v)?;
                lines.push_str(&format!("{var}={v}\n"));
                set.push(format!("{var}={v}"));
            }
            None => app.warn(format!(
                "{name} has no complete Go root; $GITHUB_ENV cannot unset {var}, so later steps keep the inherited value"
            )),
        }
    }
    match &gh_env {
        Some(f) if !lines.is_empty() => {
            append(f, &lines)?;
            writeln!(
                out,
                "Set {} in $GITHUB_ENV ({})",
                set.join(", "),
                f.display()
            )?;
        }
        None if !lines.is_empty() => app.warn(format!(
            "$GITHUB_ENV is not set: later steps do not get {}",
            set.join(", ")
        )),
        _ => {}
    }
    Ok(())
}

fn no_newline<'a>(what: &str, v: &'a OsStr) -> Result<&'a str> {
    let s = utf8(what, v)?;
    if s.contains(['\n', '\r']) {
        return Err(UserError::new(format!(
            "{what} contains a line break and cannot be written to a GitHub Actions file: {}",
            gover_core::text::shorten(s, 200)
        ))
        .into());
    }
    Ok(s)
}

fn append(file: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("cannot open {} for appending", file.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write to {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(activate: Option<Activate>) -> Script {
        Script {
            owned: vec!["/h/it's/toolchains/".into(), "/h/it's/links/".into()],
            activate,
        }
    }

    fn go1_22(local: bool) -> Activate {
        Activate {
            name: "go1.22.10".into(),
            goroot: Some("/h/it's/toolchains/go1.22.10".into()),
            bin: Some("/h/it's/toolchains/go1.22.10/bin".into()),
            local,
        }
    }

    #[test]
    fn sh_code_refers_to_path_and_quotes_every_literal() {
        let text = script(Some(go1_22(true))).render(Dialect::Sh);
        assert!(
            text.contains("__gover_rest=\"${PATH:+${PATH}:}\"\n"),
            "{text}"
        );
        assert!(
            text.contains("    '/h/it'\\''s/toolchains/'*|'/h/it'\\''s/links/'*) continue ;;\n"),
            "{text}"
        );
        assert!(
            text.contains("export PATH='/h/it'\\''s/toolchains/go1.22.10/bin'\"$__gover_path\"\n"),
            "{text}"
        );
        assert!(
            text.contains("export GOROOT='/h/it'\\''s/toolchains/go1.22.10'\n"),
            "{text}"
        );
        assert!(
            text.contains("else export GOTOOLCHAIN=local; fi\n"),
            "{text}"
        );
        assert!(
            text.ends_with("export GOVER_ENV_PATH_ENTRY='/h/it'\\''s/toolchains/go1.22.10/bin'\n"),
            "{text}"
        );
        // Inherit: GOTOOLCHAIN as it was.
        let text = script(Some(go1_22(false))).render(Dialect::Sh);
        assert!(
            text.contains("if [ -n \"${GOVER_ENV_PREVIOUS_GOTOOLCHAIN+x}\" ]; then export GOTOOLCHAIN=\"$GOVER_ENV_PREVIOUS_GOTOOLCHAIN\"; else unset GOTOOLCHAIN; fi\n"),
            "{text}"
        );
        // A system Go without a root: GOROOT unset, nothing put first.
        let mut a = go1_22(true);
        a.goroot = None;
        a.bin = None;
        let text = script(Some(a)).render(Dialect::Sh);
        assert!(
            text.contains("export PATH=\"${__gover_path#:}\"\nunset __gover_rest"),
            "{text}"
        );
        assert!(text.contains("\nunset GOROOT\n"), "{text}");
        assert!(text.ends_with("unset GOVER_ENV_PATH_ENTRY\n"), "{text}");
    }

    #[test]
    fn unset_restores_only_what_gover_env_changed() {
        let text = script(None).render(Dialect::Sh);
        assert!(!text.contains("export GOVER_ENV_PREVIOUS"), "{text}");
        assert!(text.contains("if [ -n \"${GOVER_ENV_TOOLCHAIN+x}\" ]; then\n  if [ -n \"${GOVER_ENV_PREVIOUS_GOROOT+x}\" ]; then export GOROOT="), "{text}");
        assert!(text.ends_with("fi\nunset GOVER_ENV_TOOLCHAIN GOVER_ENV_PATH_ENTRY GOVER_ENV_PREVIOUS_GOROOT GOVER_ENV_PREVIOUS_GOTOOLCHAIN\n"), "{text}");
        let text = script(None).render(Dialect::Fish);
        assert!(text.contains("set -gx PATH $__gover_path\n"), "{text}");
        assert!(text.ends_with("set -e GOVER_ENV_TOOLCHAIN GOVER_ENV_PATH_ENTRY GOVER_ENV_PREVIOUS_GOROOT GOVER_ENV_PREVIOUS_GOTOOLCHAIN\ntrue\n"), "{text}");
    }

    #[test]
    fn fish_code_matches_the_home_literally() {
        let text = script(Some(go1_22(true))).render(Dialect::Fish);
        assert!(
            text.contains("string match -qr -- '^(?:\\\\/h\\\\/it\\\\\\'s\\\\/toolchains\\\\/|"),
            "{text}"
        );
        assert!(
            text.contains("set -gx PATH '/h/it\\'s/toolchains/go1.22.10/bin' $__gover_path\n"),
            "{text}"
        );
        assert_eq!(regex_escape("/a.b+c d"), "\\/a\\.b\\+c\\ d");
    }
}
