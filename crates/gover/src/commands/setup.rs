//! `gover setup [--shell bash|zsh|fish] [--no-modify-rc]`: links the shims
//! into `$GOVER_HOME/shims` and makes that directory come first on PATH in
//! every kind of session of the chosen shell:
//!
//! - bash: `~/.bashrc` (interactive non-login shells, and `ssh host cmd`,
//!   for which bash reads `~/.bashrc` too; the block goes above the usual
//!   "not interactive: return" guard) and the file a login bash reads
//!   (`~/.bash_profile`, else `~/.bash_login`, else `~/.profile`);
//! - zsh: `~/.zshenv` (`$ZDOTDIR/.zshenv`), read by every zsh;
//! - fish: `~/.config/fish/conf.d/gover.fish`.
//!
//! The change is one marked block, rewritten in place and never duplicated;
//! the first change to an existing file keeps a `.gover-backup` copy.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::fs::LinkPolicy;
use gover_core::home::exe_name;
use gover_core::toolenv::{find_system_tool, FileId};

use crate::app::App;
use crate::cli::{SetupArgs, SetupShell};
use crate::error::UserError;
use crate::quote::{fish_quote, sh_quote};
use crate::shimlinks::{sync_shims, SyncReport};
use crate::userfile::write_user_file;

/// First line of gover's block in a shell startup file.
pub(crate) const BLOCK_START: &str = "# >>> gover >>>";
/// Last line of gover's block.
pub(crate) const BLOCK_END: &str = "# <<< gover <<<";

pub(crate) fn run(app: &App, args: &SetupArgs) -> Result<ExitCode> {
    let report = sync_shims(&app.home)?;
    let shims = app.home.shims_dir();
    let mut out = io::stdout().lock();
    print_shims(&mut out, &shims, &report)?;

    let (shell, guessed) = match args.shell {
        Some(s) => (s, None),
        None => shell_from_env(),
    };
    if let Some(shell_var) = guessed {
        app.warn(format!(
            "cannot tell your shell from SHELL={shell_var}; setting up bash (use --shell zsh or --shell fish for another)"
        ));
    }
    let shims_str = shims.to_str().ok_or_else(|| {
        UserError::new(format!(
            "{} is not valid UTF-8 and cannot be written into a shell startup file",
            shims.display()
        ))
        .hint("set GOVER_HOME to a path made of plain characters")
    })?;
    if shims_str.contains(['\n', '\r']) {
        return Err(UserError::new(format!(
            "{shims_str:?} contains a line break and cannot be put on PATH"
        ))
        .into());
    }
    let gover_home_var = std::env::var("GOVER_HOME").ok().filter(|v| !v.is_empty());
    let gover_home = gover_home_var
        .as_ref()
        .map(|_| app.home.root().to_string_lossy().into_owned());

    let targets = startup_files(shell)?;
    if args.no_modify_rc {
        writeln!(
            out,
            "Left shell startup files alone (--no-modify-rc). To put the shims first on PATH, add this to {}:",
            targets
                .iter()
                .map(|t| t.path.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        )?;
        let block = block_for(shell, shims_str, gover_home.as_deref());
        for line in block.lines() {
            writeln!(out, "    {line}")?;
        }
    } else {
        for t in &targets {
            let block = block_for(shell, shims_str, gover_home.as_deref());
            let change = apply_block(&t.path, &block, t.guard_aware)?;
            describe(&mut out, &t.path, &change)?;
            for (line, text) in overriding_lines(&t.path, &shims) {
                app.warn(format!(
                    "{}:{line} changes PATH after gover's block (`{}`); if it puts another Go first, it wins over the shims",
                    t.path.display(),
                    text.trim()
                ));
            }
        }
    }

    // How to apply it in the shell that ran setup.
    let current_path = std::env::var_os("PATH").unwrap_or_default();
    let first = std::env::split_paths(&current_path).next();
    if first.as_deref() == Some(shims.as_path()) {
        writeln!(out, "The shims already come first on PATH in this shell.")?;
    } else {
        let cmd = match shell {
            SetupShell::Fish => format!("set -gx PATH {} $PATH", fish_quote(shims_str)),
            _ => format!("export PATH={}\"${{PATH:+:$PATH}}\"", sh_quote(shims_str)),
        };
        writeln!(
            out,
            "To use the shims in this shell now, run:\n    {cmd}\nNew {} sessions pick them up by themselves.",
            shell_name(shell)
        )?;
        warn_other_go(app, &current_path, &shims);
    }
    if let Some(goroot) = std::env::var_os("GOROOT").filter(|g| !g.is_empty()) {
        app.warn(format!(
            "GOROOT={} is set in this shell; the shims set GOROOT for every go command they run, but other tools that read it may pick the wrong Go: remove it from your shell startup files",
            goroot.to_string_lossy()
        ));
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_shims(out: &mut impl Write, shims: &Path, r: &SyncReport) -> Result<()> {
    if r.written.is_empty() {
        writeln!(
            out,
            "Shims in {} are up to date: {}",
            shims.display(),
            r.unchanged.join(", ")
        )?;
    } else {
        writeln!(
            out,
            "Linked shims into {}: {}{}",
            shims.display(),
            r.written.join(", "),
            if r.copied {
                " (copied: hard links are not possible there)"
            } else {
                ""
            }
        )?;
    }
    if !r.removed.is_empty() {
        writeln!(
            out,
            "Removed shims of toolchains that are no longer installed: {}",
            r.removed.join(", ")
        )?;
    }
    Ok(())
}

fn shell_name(s: SetupShell) -> &'static str {
    match s {
        SetupShell::Bash => "bash",
        SetupShell::Zsh => "zsh",
        SetupShell::Fish => "fish",
    }
}

/// The shell named by `$SHELL`; bash (with the unrecognised value) when
/// it names none of the three.
fn shell_from_env() -> (SetupShell, Option<String>) {
    let var = std::env::var_os("SHELL").unwrap_or_default();
    let name = Path::new(&var)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.as_str() {
        "bash" | "sh" => (SetupShell::Bash, None),
        "zsh" => (SetupShell::Zsh, None),
        "fish" => (SetupShell::Fish, None),
        _ => (SetupShell::Bash, Some(var.to_string_lossy().into_owned())),
    }
}

/// A startup file to edit.
struct Target {
    path: PathBuf,
    /// Put the block above a non-interactive `return` guard (`~/.bashrc`).
    guard_aware: bool,
}

fn home_dir() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute())
        .ok_or_else(|| {
            UserError::new("HOME is not set to an absolute path, so gover cannot find your shell startup files")
                .hint("set HOME, or run `gover setup --no-modify-rc` and edit your startup files yourself")
                .into()
        })
}

fn startup_files(shell: SetupShell) -> Result<Vec<Target>> {
    let home = home_dir()?;
    let var_dir = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    Ok(match shell {
        SetupShell::Bash => {
            let login = [".bash_profile", ".bash_login", ".profile"]
                .iter()
                .map(|n| home.join(n))
                .find(|p| p.exists())
                .unwrap_or_else(|| home.join(".profile"));
            vec![
                Target {
                    path: home.join(".bashrc"),
                    guard_aware: true,
                },
                Target {
                    path: login,
                    guard_aware: false,
                },
            ]
        }
        SetupShell::Zsh => vec![Target {
            path: var_dir("ZDOTDIR").unwrap_or(home).join(".zshenv"),
            guard_aware: false,
        }],
        SetupShell::Fish => vec![Target {
            path: var_dir("XDG_CONFIG_HOME")
                .unwrap_or_else(|| home.join(".config"))
                .join("fish/conf.d/gover.fish"),
            guard_aware: false,
        }],
    })
}

/// gover's block for `shell`, ending with a newline.
fn block_for(shell: SetupShell, shims: &str, gover_home: Option<&str>) -> String {
    let mut b = String::new();
    b.push_str(BLOCK_START);
    b.push('\n');
    b.push_str("# Puts gover's go/gofmt shims first on PATH. `gover setup` rewrites this\n");
    b.push_str("# block in place; delete it to undo.\n");
    match shell {
        SetupShell::Fish => {
            if let Some(h) = gover_home {
                b.push_str(&format!("set -gx GOVER_HOME {}\n", fish_quote(h)));
            }
            let q = fish_quote(shims);
            b.push_str(&format!("if test \"$PATH[1]\" != {q}\n"));
            b.push_str(&format!("    set -gx PATH {q} $PATH\n"));
            b.push_str("end\n");
        }
        SetupShell::Bash | SetupShell::Zsh => {
            if let Some(h) = gover_home {
                b.push_str(&format!("export GOVER_HOME={}\n", sh_quote(h)));
            }
            let q = sh_quote(shims);
            b.push_str("case \"${PATH-}\" in\n");
            b.push_str(&format!("  {q} | {q}:*) ;;\n"));
            b.push_str(&format!("  *) export PATH={q}\"${{PATH:+:$PATH}}\" ;;\n"));
            b.push_str("esac\n");
        }
    }
    b.push_str(BLOCK_END);
    b.push('\n');
    b
}

/// What [`apply_block`] did to a file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// The file already held this block where it belongs.
    Unchanged,
    /// The file did not exist and was created.
    Created,
    /// The block was added, replaced or moved.
    Updated {
        /// Where the block now is, in words.
        placement: String,
        /// The backup made before this first change, if one was.
        backup: Option<PathBuf>,
    },
}

/// Puts `block` into the file at `path` (see [`place_block`]), backing the
/// file up before gover first changes it.
pub(crate) fn apply_block(path: &Path, block: &str, guard_aware: bool) -> Result<Change> {
    let old = match fs::read(path) {
        Ok(b) => Some(String::from_utf8(b).map_err(|_| {
            UserError::new(format!(
                "{} is not UTF-8 text; gover will not edit it",
                path.display()
            ))
            .hint("add the block printed by `gover setup --no-modify-rc` yourself")
        })?),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let (new, placement) = place_block(old.as_deref().unwrap_or(""), block, guard_aware);
    if old.as_deref() == Some(new.as_str()) {
        return Ok(Change::Unchanged);
    }
    let mut backup = None;
    if old.is_some() {
        let mut name = OsString::from(path.file_name().unwrap_or_default());
        name.push(".gover-backup");
        let b = path.with_file_name(name);
        if !b.exists() {
            fs::copy(path, &b)
                .with_context(|| format!("cannot back up {} to {}", path.display(), b.display()))?;
            backup = Some(b);
        }
    }
    write_user_file(path, new.as_bytes(), &LinkPolicy::RegularTarget)?;
    Ok(match old {
        None => Change::Created,
        Some(_) => Change::Updated { placement, backup },
    })
}

fn describe(out: &mut impl Write, path: &Path, change: &Change) -> Result<()> {
    match change {
        Change::Unchanged => writeln!(out, "{} already has gover's block", path.display())?,
        Change::Created => writeln!(out, "Created {} with gover's block", path.display())?,
        Change::Updated { placement, backup } => {
            write!(out, "Updated {}: {placement}", path.display())?;
            if let Some(b) = backup {
                write!(out, " (backup of the original: {})", b.display())?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Byte ranges of the lines of `text` (each including its `\n`).
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < text.len() {
        spans.push((start, text.len()));
    }
    spans
}

/// `text` without gover's block (and the blank line that follows it), and
/// the byte offset where the block was.
fn remove_block(text: &str) -> (String, Option<usize>) {
    let spans = line_spans(text);
    let line = |i: usize| text[spans[i].0..spans[i].1].trim_end_matches(['\n', '\r']);
    let Some(start) = (0..spans.len()).find(|&i| line(i).trim() == BLOCK_START) else {
        return (text.to_string(), None);
    };
    let Some(end) = (start..spans.len()).find(|&i| line(i).trim() == BLOCK_END) else {
        return (text.to_string(), None);
    };
    let mut cut_end = spans[end].1;
    if end + 1 < spans.len() && line(end + 1).trim().is_empty() {
        cut_end = spans[end + 1].1;
    }
    let at = spans[start].0;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..at]);
    out.push_str(&text[cut_end..]);
    (out, Some(at))
}

/// The byte offset of a "not interactive: return" guard in a bashrc
/// (`case $- in *i*) ;; *) return;; esac`, `[ -z "$PS1" ] && return`, …),
/// including the comment lines directly above it, and its 1-based line.
fn guard_offset(text: &str) -> Option<(usize, usize)> {
    let spans = line_spans(text);
    let lines: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
    let is_guard = |i: usize| {
        let l = lines[i].trim();
        !l.starts_with('#')
            && (l.contains("$-") || l.contains("PS1"))
            && lines[i..(i + 4).min(lines.len())]
                .iter()
                .any(|x| x.split('#').next().unwrap_or("").contains("return"))
    };
    let g = (0..lines.len()).find(|&i| is_guard(i))?;
    let mut first = g;
    while first > 0 && lines[first - 1].trim_start().starts_with('#') {
        first -= 1;
    }
    Some((spans[first].0, g + 1))
}

/// `old` with `block` in its place: where it already was (unless, in a
/// bashrc, that is below the non-interactive guard), else above the guard,
/// else at the end. Also says where, in words.
fn place_block(old: &str, block: &str, guard_aware: bool) -> (String, String) {
    let (rest, was_at) = remove_block(old);
    let guard = if guard_aware {
        guard_offset(&rest)
    } else {
        None
    };
    let (at, placement) = match (was_at, guard) {
        (Some(w), Some((g, _))) if w <= g => (w, "replaced gover's block".to_string()),
        (_, Some((g, line))) => (
            g,
            format!("added gover's block above the non-interactive `return` guard (line {line}), so `ssh host go ...` finds the shims too"),
        ),
        (Some(w), None) => (w, "replaced gover's block".to_string()),
        (None, None) => (rest.len(), "added gover's block at the end".to_string()),
    };
    let mut out = String::with_capacity(rest.len() + block.len() + 2);
    let before = &rest[..at];
    let after = &rest[at..];
    out.push_str(before);
    if at == rest.len() && !before.is_empty() {
        // Appending: end the last line and leave a blank line before the block.
        if !before.ends_with('\n') {
            out.push('\n');
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out.push_str(block);
    if !after.is_empty() {
        out.push('\n');
    }
    out.push_str(after);
    (out, placement)
}

/// Lines after gover's block that change PATH and mention Go, which would
/// then come before the shims: `(line number, text)`. A line mentions Go
/// when it names a typical Go directory or `$GOROOT`, or a directory that
/// holds a `go` executable (apt's `/usr/lib/go-1.19/bin`, say).
fn overriding_lines(path: &Path, shims: &Path) -> Vec<(usize, String)> {
    let Ok(text) = fs::read_to_string(path) else {
        return Vec::new();
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute());
    let names_a_go_dir = |line: &str| {
        line.split(|c: char| matches!(c, ':' | '=' | '"' | '\'' | ';') || c.is_whitespace())
            .filter_map(|w| {
                let w = w.trim_end_matches('/');
                let rest = ["$HOME/", "${HOME}/", "~/"]
                    .iter()
                    .find_map(|p| w.strip_prefix(p));
                match (rest, &home) {
                    (Some(r), Some(h)) => Some(h.join(r)),
                    (Some(_), None) => None,
                    (None, _) => Some(PathBuf::from(w)),
                }
            })
            .filter(|d| d.is_absolute() && d.as_path() != shims)
            .any(|d| is_executable_file(&d.join(exe_name("go"))))
    };
    let mut after = false;
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == BLOCK_END {
            after = true;
            continue;
        }
        if !after || t.starts_with('#') {
            continue;
        }
        let sets_path = t.contains("PATH=") || t.contains("PATH ") || t.contains("fish_add_path");
        let mentions_go = || {
            t.contains("go/bin")
                || t.contains("/lib/go-")
                || t.contains("GOROOT")
                || t.contains("golang")
                || t.contains("goenv")
                || t.contains("gvm")
                || names_a_go_dir(t)
        };
        let prepends = !t.contains("$PATH:") && !t.contains("${PATH}:");
        if sets_path && prepends && mentions_go() {
            found.push((i + 1, line.to_string()));
        }
    }
    found
}

#[cfg(unix)]
fn is_executable_file(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(p: &Path) -> bool {
    p.is_file()
}

/// Warns when a `go` that is not gover's comes before the shims on the
/// current PATH (or the shims are not on it at all).
fn warn_other_go(app: &App, path: &std::ffi::OsStr, shims: &Path) {
    let before: Vec<PathBuf> = std::env::split_paths(path)
        .take_while(|d| d != shims)
        .collect();
    let Ok(before) = std::env::join_paths(before) else {
        return;
    };
    let shim = FileId::of(&shims.join(exe_name("go")));
    if let Some(other) = find_system_tool("go", &before, &app.home, shim) {
        let p = other.path.to_string_lossy();
        let what = if p.starts_with("/usr/local/go/") {
            " (a manual install from go.dev)"
        } else if p.starts_with("/snap/") {
            " (the snap package)"
        } else if p.starts_with("/usr/bin/") || p.starts_with("/usr/lib/go") {
            " (the system package, e.g. apt's golang-go)"
        } else {
            ""
        };
        app.warn(format!(
            "in this shell `go` is still {p}{what}, which comes before gover's shims on PATH; run the command above (or open a new shell) so the shims win"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "# >>> gover >>>\nX\n# <<< gover <<<\n";

    fn twice(old: &str, guard: bool) -> String {
        let (a, _) = place_block(old, BLOCK, guard);
        let (b, _) = place_block(&a, BLOCK, guard);
        assert_eq!(a, b, "placing twice must change nothing");
        a
    }

    #[test]
    fn appends_once() {
        assert_eq!(twice("", false), BLOCK);
        assert_eq!(twice("a\n", false), format!("a\n\n{BLOCK}"));
        assert_eq!(twice("a", false), format!("a\n\n{BLOCK}"));
        assert_eq!(twice("a\n\n", false), format!("a\n\n{BLOCK}"));
    }

    #[test]
    fn replaces_in_place() {
        let old = "a\n# >>> gover >>>\nOLD\n# <<< gover <<<\n\nb\n";
        assert_eq!(twice(old, false), format!("a\n{BLOCK}\nb\n"));
        let old = "# >>> gover >>>\nOLD\n# <<< gover <<<\nb\n";
        assert_eq!(twice(old, false), format!("{BLOCK}\nb\n"));
    }

    #[test]
    fn goes_above_the_bashrc_guard() {
        let debian = "# ~/.bashrc\n\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nalias ll='ls -l'\n";
        let got = twice(debian, true);
        assert_eq!(
            got,
            format!("# ~/.bashrc\n\n{BLOCK}\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nalias ll='ls -l'\n")
        );
        let ps1 = "export A=1\n[ -z \"$PS1\" ] && return\nalias x=y\n";
        assert_eq!(
            twice(ps1, true),
            format!("export A=1\n{BLOCK}\n[ -z \"$PS1\" ] && return\nalias x=y\n")
        );
        // A block left below the guard (by hand) moves above it.
        let below = format!("[[ $- != *i* ]] && return\n{BLOCK}");
        assert_eq!(
            twice(&below, true),
            format!("{BLOCK}\n[[ $- != *i* ]] && return\n")
        );
        // No guard: the end.
        assert_eq!(twice("alias a=b\n", true), format!("alias a=b\n\n{BLOCK}"));
        // PS1 settings without a return are no guard.
        assert_eq!(twice("PS1='$ '\n", true), format!("PS1='$ '\n\n{BLOCK}"));
    }

    #[test]
    fn sh_block_is_valid_and_idempotent() {
        let b = block_for(SetupShell::Bash, "/h/it's here/shims", Some("/h/g"));
        let script = format!("PATH=/usr/bin:/bin\n{b}{b}printf '%s' \"$PATH|$GOVER_HOME\"");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "/h/it's here/shims:/usr/bin:/bin|/h/g"
        );
        let script = format!("unset PATH\n{b}printf '%s' \"$PATH\"");
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "/h/it's here/shims");
    }
}
