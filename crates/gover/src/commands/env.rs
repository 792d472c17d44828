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
    let text = match args.shell {
        EnvShell::Fish => script.fish(),
        _ => script.sh(),
    };
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
    let (header, text) = match shell {
        EnvShell::Fish => ("printed by `gover env --unset --shell fish`", script.fish()),
        _ => ("printed by `gover env --unset`", script.sh()),
    };
    print(&format!(
        "# {header}: takes gover's toolchains off PATH and restores GOROOT and GOTOOLCHAIN\n{text}"
    ))?;
    Ok(ExitCode::SUCCESS)
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
    let root = app.home.root();
    let dirs = [
        app.home.toolchains_dir(),
        root.join("platforms"),
        app.home.links_dir(),
    ];
    dirs.iter()
        .map(|d| {
            let s = utf8("GOVER_HOME", d.as_os_str())?;
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

/// Scratch variables of the printed POSIX code, unset at its end.
const SH_SCRATCH: &str = "__gover_rest __gover_path __gover_added __gover_dir";
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

impl Script {
    /// POSIX shell code (sh, bash, zsh: nothing in it splits words, so
    /// zsh's rules give the same result).
    fn sh(&self) -> String {
        let mut out = String::new();
        if self.activate.is_some() {
            out.push_str(&format!(
                "if [ -z \"${{{}+x}}\" ]; then\n",
                vars::GOVER_ENV_TOOLCHAIN
            ));
            for (var, saved) in REMEMBERED {
                out.push_str(&format!(
                    "  if [ -n \"${{{var}+x}}\" ]; then export {saved}=\"${var}\"; else unset {saved}; fi\n"
                ));
            }
            out.push_str("fi\n");
        }
        out.push_str(&self.sh_path_filter());
        let Some(a) = &self.activate else {
            out.push_str(&format!(
                "export PATH=\"${{__gover_path#:}}\"\nunset {SH_SCRATCH}\n"
            ));
            out.push_str(&format!(
                "if [ -n \"${{{}+x}}\" ]; then\n",
                vars::GOVER_ENV_TOOLCHAIN
            ));
            for (var, saved) in REMEMBERED {
                out.push_str(&format!("  {}\n", sh_restore(var, saved)));
            }
            out.push_str(&format!("fi\nunset {}\n", STATE.join(" ")));
            return out;
        };
        match &a.bin {
            Some(bin) => out.push_str(&format!("export PATH={}\"$__gover_path\"\n", sh_quote(bin))),
            None => out.push_str("export PATH=\"${__gover_path#:}\"\n"),
        }
        out.push_str(&format!("unset {SH_SCRATCH}\n"));
        match &a.goroot {
            Some(g) => out.push_str(&format!("export GOROOT={}\n", sh_quote(g))),
            None => out.push_str("unset GOROOT\n"),
        }
        let saved = vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN;
        if a.local {
            out.push_str(&format!(
                "if [ -n \"${{{saved}-}}\" ]; then export GOTOOLCHAIN=\"${saved}\"; else export GOTOOLCHAIN=local; fi\n"
            ));
        } else {
            out.push_str(&format!("{}\n", sh_restore(vars::GOTOOLCHAIN, saved)));
        }
        out.push_str(&format!(
            "export {}={}\n",
            vars::GOVER_ENV_TOOLCHAIN,
            sh_quote(&a.name)
        ));
        match &a.bin {
            Some(bin) => out.push_str(&format!(
                "export {}={}\n",
                vars::GOVER_ENV_PATH_ENTRY,
                sh_quote(bin)
            )),
            None => out.push_str(&format!("unset {}\n", vars::GOVER_ENV_PATH_ENTRY)),
        }
        out
    }

    /// POSIX code that leaves in `__gover_path` the entries of `PATH` to
    /// keep, each after a `:`.
    fn sh_path_filter(&self) -> String {
        let patterns: Vec<String> = self
            .owned
            .iter()
            .map(|p| format!("{}*", sh_quote(p)))
            .collect();
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
            added = vars::GOVER_ENV_PATH_ENTRY,
            patterns = patterns.join("|"),
        )
    }

    /// fish code. It ends with `true`: fish's `set` keeps the status of
    /// the command before it, which may be a `test` that was false.
    fn fish(&self) -> String {
        let mut out = self.fish_body();
        out.push_str("true\n");
        out
    }

    fn fish_body(&self) -> String {
        let mut out = String::new();
        if self.activate.is_some() {
            out.push_str(&format!("if not set -q {}\n", vars::GOVER_ENV_TOOLCHAIN));
            for (var, saved) in REMEMBERED {
                out.push_str(&format!(
                    "    if set -q {var}; set -gx {saved} ${var}; else; set -e {saved}; end\n"
                ));
            }
            out.push_str("end\n");
        }
        out.push_str(&self.fish_path_filter());
        let Some(a) = &self.activate else {
            out.push_str(
                "set -gx PATH $__gover_path\nset -e __gover_path __gover_added __gover_dir\n",
            );
            out.push_str(&format!("if set -q {}\n", vars::GOVER_ENV_TOOLCHAIN));
            for (var, saved) in REMEMBERED {
                out.push_str(&format!("    {}\n", fish_restore(var, saved)));
            }
            out.push_str(&format!("end\nset -e {}\n", STATE.join(" ")));
            return out;
        };
        let bin = a
            .bin
            .as_deref()
            .map(|b| format!("{} ", fish_quote(b)))
            .unwrap_or_default();
        out.push_str(&format!(
            "set -gx PATH {bin}$__gover_path\nset -e __gover_path __gover_added __gover_dir\n"
        ));
        match &a.goroot {
            Some(g) => out.push_str(&format!("set -gx GOROOT {}\n", fish_quote(g))),
            None => out.push_str("set -e GOROOT\n"),
        }
        let saved = vars::GOVER_ENV_PREVIOUS_GOTOOLCHAIN;
        if a.local {
            out.push_str(&format!(
                "if test -n \"${saved}\"; set -gx GOTOOLCHAIN ${saved}; else; set -gx GOTOOLCHAIN local; end\n"
            ));
        } else {
            out.push_str(&format!("{}\n", fish_restore(vars::GOTOOLCHAIN, saved)));
        }
        out.push_str(&format!(
            "set -gx {} {}\n",
            vars::GOVER_ENV_TOOLCHAIN,
            fish_quote(&a.name)
        ));
        match &a.bin {
            Some(bin) => out.push_str(&format!(
                "set -gx {} {}\n",
                vars::GOVER_ENV_PATH_ENTRY,
                fish_quote(bin)
            )),
            None => out.push_str(&format!("set -e {}\n", vars::GOVER_ENV_PATH_ENTRY)),
        }
        out
    }

    /// fish code that leaves in `__gover_path` the entries of `PATH` to keep.
    fn fish_path_filter(&self) -> String {
        let alternatives: Vec<String> = self.owned.iter().map(|p| regex_escape(p)).collect();
        let regex = format!("^(?:{})", alternatives.join("|"));
        format!(
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
",
            added = vars::GOVER_ENV_PATH_ENTRY,
            regex = fish_quote(&regex),
        )
    }
}

/// POSIX code that gives `var` the value remembered in `saved`, or unsets
/// it when none was.
fn sh_restore(var: &str, saved: &str) -> String {
    format!("if [ -n \"${{{saved}+x}}\" ]; then export {var}=\"${saved}\"; else unset {var}; fi")
}

/// [`sh_restore`] for fish.
fn fish_restore(var: &str, saved: &str) -> String {
    format!("if set -q {saved}; set -gx {var} ${saved}; else; set -e {var}; end")
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
        let text = script(Some(go1_22(true))).sh();
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
        let text = script(Some(go1_22(false))).sh();
        assert!(
            text.contains("if [ -n \"${GOVER_ENV_PREVIOUS_GOTOOLCHAIN+x}\" ]; then export GOTOOLCHAIN=\"$GOVER_ENV_PREVIOUS_GOTOOLCHAIN\"; else unset GOTOOLCHAIN; fi\n"),
            "{text}"
        );
        // A system Go without a root: GOROOT unset, nothing put first.
        let mut a = go1_22(true);
        a.goroot = None;
        a.bin = None;
        let text = script(Some(a)).sh();
        assert!(
            text.contains("export PATH=\"${__gover_path#:}\"\nunset __gover_rest"),
            "{text}"
        );
        assert!(text.contains("\nunset GOROOT\n"), "{text}");
        assert!(text.ends_with("unset GOVER_ENV_PATH_ENTRY\n"), "{text}");
    }

    #[test]
    fn unset_restores_only_what_gover_env_changed() {
        let text = script(None).sh();
        assert!(!text.contains("export GOVER_ENV_PREVIOUS"), "{text}");
        assert!(text.contains("if [ -n \"${GOVER_ENV_TOOLCHAIN+x}\" ]; then\n  if [ -n \"${GOVER_ENV_PREVIOUS_GOROOT+x}\" ]; then export GOROOT="), "{text}");
        assert!(text.ends_with("fi\nunset GOVER_ENV_TOOLCHAIN GOVER_ENV_PATH_ENTRY GOVER_ENV_PREVIOUS_GOROOT GOVER_ENV_PREVIOUS_GOTOOLCHAIN\n"), "{text}");
        let text = script(None).fish();
        assert!(text.contains("set -gx PATH $__gover_path\n"), "{text}");
        assert!(text.ends_with("set -e GOVER_ENV_TOOLCHAIN GOVER_ENV_PATH_ENTRY GOVER_ENV_PREVIOUS_GOROOT GOVER_ENV_PREVIOUS_GOTOOLCHAIN\ntrue\n"), "{text}");
    }

    #[test]
    fn fish_code_matches_the_home_literally() {
        let text = script(Some(go1_22(true))).fish();
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
