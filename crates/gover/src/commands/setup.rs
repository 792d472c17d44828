//! `gover setup [--shell bash|zsh|fish] [--no-modify-rc]`: links the shims
//! into `$GOVER_HOME/shims` and makes that directory come first on PATH in
//! every kind of session of the chosen shell, by writing gover's block into
//! the startup files the shell module names (`crate::shell`).
//!
//! Every file is checked before any is written: a file gover may not
//! replace (a FIFO, a link to a device), one that is not UTF-8, or one whose
//! block markers do not pair up is refused with what was found, and then
//! nothing changes. Every change to an existing file keeps a timestamped
//! copy of what was there before (`<file>.gover-backup-<UTC time>`).

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Result;
use gover_core::fs::{write_new, LinkPolicy, UserFile};
use gover_core::home::exe_name;
use gover_core::text::{untrusted, untrusted_path};
use gover_core::toolenv::{find_system_tool, FileId};

use crate::app::App;
use crate::cli::{SetupArgs, SetupShell};
use crate::error::UserError;
use crate::output;
use crate::quote::{fish_quote, sh_quote};
use crate::shell::block::{self, Change, Target};
use crate::shell::{
    block_text, lines, setup_files, Dirs, Shell, StartupFile, MAX_STARTUP_FILE_BYTES,
};
use crate::shimlinks::{sync_shims, SyncReport};

/// What became of the startup files, for the closing advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Startup {
    /// Left alone (`--no-modify-rc`), for this shell if one is known.
    Untouched(Option<Shell>),
    /// They put the shims first in new sessions.
    Edited(Shell),
    /// They run gover's block, but a later line puts another Go first.
    Overridden(Shell),
}

pub(crate) fn run(app: &App, args: &SetupArgs) -> Result<ExitCode> {
    let shims = app.home.shims_dir();
    let shims_str = path_entry(app.home.root(), &shims)?.to_string();
    let shell = chosen_shell(args.shell, args.no_modify_rc);
    let gover_home = std::env::var_os("GOVER_HOME")
        .filter(|v| !v.is_empty())
        .map(|_| app.home.root().to_string_lossy().into_owned());
    let block = shell.map(|s| block_text(s, &shims_str, gover_home.as_deref()));
    // Every startup file is read and checked before anything is written.
    let dirs = match user_dirs() {
        Err(_) if args.no_modify_rc => None,
        dirs => Some(dirs?),
    };
    let targets = match (&dirs, shell) {
        (Some(d), Some(s)) => setup_files(s, d),
        _ => Vec::new(),
    };
    let edits = match (&block, args.no_modify_rc) {
        (Some(b), false) => targets
            .iter()
            .map(|t| plan(t, b))
            .collect::<Result<Vec<_>>>()?,
        _ => Vec::new(),
    };
    let report = sync_shims(&app.home)?;
    let mut out = io::stdout().lock();
    print_shims(&mut out, &shims, &report)?;
    if args.no_modify_rc {
        print_block(&mut out, shell, &targets, block.as_deref(), &shims_str)?;
    }
    let mut overridden = false;
    for e in &edits {
        let backup = apply(e, SystemTime::now())?;
        describe(&mut out, e, backup.as_deref())?;
        let home = dirs.as_ref().map(|d| d.home.as_path());
        for (line, text) in lines::overriding(&e.new_text, &shims, home) {
            overridden = true;
            output::warn(format!(
                "{}:{line} changes PATH after gover's block (`{}`); if it puts another Go first, it wins over the shims",
                untrusted_path(&e.file.path),
                untrusted(text.trim())
            ));
        }
    }
    let startup = match shell {
        Some(s) if !args.no_modify_rc && overridden => Startup::Overridden(s),
        Some(s) if !args.no_modify_rc => Startup::Edited(s),
        _ => Startup::Untouched(shell),
    };
    advise_this_shell(app, &mut out, startup, &shims, &shims_str)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The shims directory as text that can go on `PATH` and into a startup
/// file: UTF-8, and without the `PATH` separator, line breaks or control
/// characters (a `:` would split it into a relative entry, under which a
/// `go` in the current directory would run).
fn path_entry<'a>(root: &Path, shims: &'a Path) -> Result<&'a str> {
    let hint = "set GOVER_HOME to a directory whose path has no `:`, line break or control character (the default is ~/.local/share/gover)";
    let s = shims.to_str().ok_or_else(|| {
        UserError::new(format!(
            "gover's home {} is not valid UTF-8, so it cannot be written into a shell startup file",
            untrusted_path(root)
        ))
        .hint(hint)
    })?;
    let bad = s.chars().find(|&c| c == ':' || c.is_control());
    let Some(c) = bad else {
        return Ok(s);
    };
    let what = match c {
        ':' => "a `:`, which separates PATH entries",
        '\n' | '\r' => "a line break",
        _ => "a control character",
    };
    Err(UserError::new(format!(
        "gover's home {} holds {what}, so its shims directory cannot be put on PATH",
        untrusted_path(root)
    ))
    .hint(hint)
    .into())
}

/// `--shell`, else the shell `$SHELL` names; else, when startup files are
/// to be edited, bash (with a warning), and `None` with `--no-modify-rc`
/// (a CI job without `SHELL` needs no shell's startup files).
fn chosen_shell(flag: Option<SetupShell>, no_modify_rc: bool) -> Option<Shell> {
    match flag {
        Some(SetupShell::Bash) => return Some(Shell::Bash),
        Some(SetupShell::Zsh) => return Some(Shell::Zsh),
        Some(SetupShell::Fish) => return Some(Shell::Fish),
        None => {}
    }
    let var = std::env::var_os("SHELL").unwrap_or_default();
    if let Some(s) = var.to_str().and_then(Shell::from_login) {
        return Some(s);
    }
    if no_modify_rc {
        return None;
    }
    output::warn(format!(
        "cannot tell your shell from SHELL={}; setting up bash (use --shell zsh or --shell fish for another)",
        untrusted(&var.to_string_lossy())
    ));
    Some(Shell::Bash)
}

fn user_dirs() -> Result<Dirs> {
    Dirs::from_vars(|k| std::env::var_os(k)).ok_or_else(|| {
        UserError::new(
            "HOME is not set to an absolute path, so gover cannot find your shell startup files",
        )
        .hint("set HOME, or run `gover setup --no-modify-rc` and edit your startup files yourself")
        .into()
    })
}

fn print_shims(out: &mut impl Write, shims: &Path, r: &SyncReport) -> Result<()> {
    let shown = untrusted_path(shims);
    if r.written.is_empty() {
        writeln!(
            out,
            "Shims in {shown} are up to date: {}",
            r.unchanged.join(", ")
        )?;
    } else {
        let copied = if r.copied {
            " (copied: hard links are not possible there)"
        } else {
            ""
        };
        writeln!(
            out,
            "Linked shims into {shown}: {}{copied}",
            r.written.join(", ")
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

/// What to add by hand (`--no-modify-rc`): the block for a known shell's
/// startup files, else the one line any POSIX shell or CI job needs.
fn print_block(
    out: &mut impl Write,
    shell: Option<Shell>,
    targets: &[StartupFile],
    block: Option<&str>,
    shims_str: &str,
) -> Result<()> {
    let (Some(shell), Some(block)) = (shell, block) else {
        writeln!(
            out,
            "Left shell startup files alone (--no-modify-rc). To use the shims, put {} first on PATH wherever your sessions or jobs set PATH up; for a shell's startup files, `gover setup --no-modify-rc --shell bash` (or zsh, fish) prints the lines to add.",
            untrusted(shims_str)
        )?;
        return Ok(());
    };
    let names: Vec<String> = targets
        .iter()
        .map(|t| untrusted_path(&t.path).to_string())
        .collect();
    let files = if names.is_empty() {
        format!("your {} startup files", shell.name())
    } else {
        names.join(" and ")
    };
    writeln!(
        out,
        "Left shell startup files alone (--no-modify-rc). To put the shims first on PATH in new {} sessions, add this to {files}:",
        shell.name()
    )?;
    for line in block.lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// One startup file's edit, checked and computed but not yet written.
struct Edit<'a> {
    file: &'a StartupFile,
    opened: UserFile,
    old_text: Option<String>,
    new_text: String,
    change: Change,
}

/// Reads `file` (refusing what gover may not replace or cannot follow)
/// and computes its new text.
fn plan<'a>(file: &'a StartupFile, block: &str) -> Result<Edit<'a>> {
    let keep_hint = "or run `gover setup --no-modify-rc` and add the block it prints yourself";
    let opened = UserFile::open(&file.path, &LinkPolicy::RegularTarget).map_err(UserError::from)?;
    let old_text = opened.read(MAX_STARTUP_FILE_BYTES).map_err(|e| {
        let u = UserError::from(e);
        let hint = u.hint.clone();
        u.hint(hint.map_or_else(
            || format!("fix or replace the file, {keep_hint}"),
            |h| format!("{h}; {keep_hint}"),
        ))
    })?;
    let placed = block::place(old_text.as_deref().unwrap_or(""), block, file.syntax).map_err(|e| {
        UserError::new(format!(
            "gover will not edit {}: {e}",
            untrusted_path(&file.path)
        ))
        .hint(format!(
            "edit the file so that gover's markers pair up (delete a stray `{}` or `{}` line, or the whole block), then run `gover setup` again; {keep_hint}",
            block::BLOCK_START,
            block::BLOCK_END
        ))
    })?;
    Ok(Edit {
        file,
        opened,
        old_text,
        new_text: placed.text,
        change: placed.change,
    })
}

/// Writes an edit: first a backup of the old text (when there is one
/// worth keeping), then the new text in place of the old. Returns the
/// backup's path.
fn apply(e: &Edit<'_>, now: SystemTime) -> Result<Option<PathBuf>> {
    if e.change == Change::Unchanged {
        return Ok(None);
    }
    let backup = match e.old_text.as_deref().filter(|t| !t.is_empty()) {
        Some(old) => Some(write_backup(&e.file.path, old.as_bytes(), now)?),
        None => None,
    };
    e.opened
        .replace(e.new_text.as_bytes())
        .map_err(UserError::from)?;
    Ok(backup)
}

/// Writes `bytes` to a new file beside `path` named
/// `<name>.gover-backup-<YYYYMMDDTHHMMSSZ>` (with `-2`, `-3`, ... when that
/// name is taken), never following or replacing anything already there.
pub(crate) fn write_backup(path: &Path, bytes: &[u8], now: SystemTime) -> Result<PathBuf> {
    let name = path
        .file_name()
        .unwrap_or(OsStr::new("file"))
        .to_string_lossy();
    let stamp = utc_stamp(now);
    for n in 1..=100 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let b = path.with_file_name(format!("{name}.gover-backup-{stamp}{suffix}"));
        match write_new(&b, bytes, Some(0o600)) {
            Ok(()) => return Ok(b),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(UserError::io(
                    format_args!("cannot back up {} to", untrusted_path(path)),
                    &b,
                    &e,
                )
                .into())
            }
        }
    }
    Err(UserError::new(format!(
        "cannot back up {}: 100 backups named {name}.gover-backup-{stamp}* already exist",
        untrusted_path(path)
    ))
    .into())
}

/// `20240612T101530Z` for `t` (UTC).
fn utc_stamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What happened to one file, in words.
fn describe(out: &mut impl Write, e: &Edit<'_>, backup: Option<&Path>) -> Result<()> {
    let path = untrusted_path(&e.file.path);
    let what = match &e.change {
        Change::Unchanged => return Ok(writeln!(out, "{path} already has gover's block")?),
        _ if e.old_text.is_none() => {
            return Ok(writeln!(out, "Created {path} with gover's block")?)
        }
        Change::Replaced => "replaced gover's block".to_string(),
        Change::Put {
            target,
            misplaced: None,
        } => format!("added gover's block {}", where_to(target)),
        Change::Put {
            target: Target::End(why),
            misplaced: Some(m),
        } => format!(
            "moved gover's block to the end: it was {m}{}",
            why.as_ref()
                .map_or_else(String::new, |u| format!(" ({})", u.describe()))
        ),
        Change::Put {
            target,
            misplaced: Some(m),
        } => format!("moved gover's block {}: it was {m}", where_to(target)),
    };
    write!(out, "Updated {path}: {what}")?;
    if let Some(b) = backup {
        write!(
            out,
            "; the previous version is kept in {}",
            untrusted_path(b)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn where_to(t: &Target) -> String {
    match t {
        Target::AboveGuard(line) => format!(
            "above the non-interactive `return` guard (line {line}), so `ssh host go ...` finds the shims too"
        ),
        Target::End(None) => "at the end".into(),
        Target::End(Some(why)) => format!("at the end ({})", why.describe()),
    }
}

/// How to put the shims first in the shell that ran setup, what new
/// sessions will do (only what is true after this run), and what else
/// would still win.
fn advise_this_shell(
    app: &App,
    out: &mut impl Write,
    startup: Startup,
    shims: &Path,
    shims_str: &str,
) -> Result<()> {
    let current_path = std::env::var_os("PATH").unwrap_or_default();
    let first = std::env::split_paths(&current_path).next();
    if first.as_deref() == Some(shims) {
        writeln!(out, "The shims already come first on PATH in this shell.")?;
    } else {
        let cmd = match startup {
            Startup::Untouched(Some(Shell::Fish))
            | Startup::Edited(Shell::Fish)
            | Startup::Overridden(Shell::Fish) => {
                format!("set -gx PATH {} $PATH", fish_quote(shims_str))
            }
            _ => format!("export PATH={}\"${{PATH:+:$PATH}}\"", sh_quote(shims_str)),
        };
        writeln!(out, "To use the shims in this shell now, run:\n    {cmd}")?;
        warn_other_go(app, &current_path, shims, startup);
    }
    match startup {
        Startup::Edited(s) => writeln!(out, "New {} sessions pick them up by themselves.", s.name())?,
        Startup::Overridden(s) => writeln!(
            out,
            "New {} sessions put them first too, but then the startup-file lines warned about above put another Go before them: delete those lines, or move them above gover's block.",
            s.name()
        )?,
        Startup::Untouched(Some(s)) => writeln!(
            out,
            "New {} sessions pick them up once the lines above are in those files.",
            s.name()
        )?,
        Startup::Untouched(None) => {}
    }
    if let Some(goroot) = std::env::var_os("GOROOT").filter(|g| !g.is_empty()) {
        output::warn(format!(
            "GOROOT={} is set in this shell; the shims set GOROOT for every go command they run, but other tools that read it may pick the wrong Go: remove it from your shell startup files",
            untrusted(&goroot.to_string_lossy())
        ));
    }
    Ok(())
}

/// Warns when a `go` that is not gover's comes before the shims on the
/// current PATH (or the shims are not on it at all), saying what makes the
/// shims win given what became of the startup files.
fn warn_other_go(app: &App, path: &OsStr, shims: &Path, startup: Startup) {
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
        let remedy = match startup {
            Startup::Edited(_) => "run the command above (or open a new shell) so the shims win",
            Startup::Overridden(_) | Startup::Untouched(_) => {
                "run the command above so the shims win in this shell"
            }
        };
        output::warn(format!(
            "in this shell `go` is still {}{what}, which comes before gover's shims on PATH; {remedy}",
            untrusted(&p)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::Duration;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(utc_stamp(at(0)), "19700101T000000Z");
        assert_eq!(utc_stamp(at(951_782_400)), "20000229T000000Z");
        assert_eq!(utc_stamp(at(1_718_187_330)), "20240612T101530Z");
    }

    #[test]
    fn backups_never_follow_a_planted_link_and_never_collide() {
        let t = tempfile::tempdir().unwrap();
        let rc = t.path().join(".bashrc");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_718_187_330);
        let victim = t.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        symlink(
            &victim,
            t.path().join(".bashrc.gover-backup-20240612T101530Z"),
        )
        .unwrap();
        let b = write_backup(&rc, b"one", now).unwrap();
        assert_eq!(b, t.path().join(".bashrc.gover-backup-20240612T101530Z-2"));
        let b2 = write_backup(&rc, b"two", now).unwrap();
        assert_eq!(b2, t.path().join(".bashrc.gover-backup-20240612T101530Z-3"));
        assert_eq!(std::fs::read(&b).unwrap(), b"one");
        assert_eq!(std::fs::read(&b2).unwrap(), b"two");
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&b).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn homes_that_cannot_go_on_path_are_refused() {
        for (root, what) in [
            ("/h/a:b", "a `:`"),
            ("/h/a\nb", "a line break"),
            ("/h/a\u{1b}b", "a control character"),
        ] {
            let root = Path::new(root);
            let e = path_entry(root, &root.join("shims"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(what), "{e}");
            assert!(!e.contains('\u{1b}') && !e.contains('\n'), "{e:?}");
        }
        assert_eq!(
            path_entry(Path::new("/h"), Path::new("/h/shims")).unwrap(),
            "/h/shims"
        );
    }
}
