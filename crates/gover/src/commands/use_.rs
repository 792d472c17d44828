//! `gover use VERSION [--global] [--here] [--no-install]`: pins a version
//! for this directory or as the global default (`$GOVER_HOME/version`),
//! installing it first when it is missing.
//!
//! The directory's pin goes into the file the project already uses: the
//! `golang`/`go` line of its `.tool-versions` when that pins Go and there is
//! no `.go-version` (only the version changes; every other byte stays), else
//! `.go-version`. Your home directory is pinned only with `--here`: a
//! `.go-version` there would beat the global default everywhere below it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::env;
use gover_core::fs::{LinkPolicy, UserFile};
use gover_core::pinfile::{
    is_pin_only, parse_tool_versions, ToolVersionsEntry, MAX_PIN_FILE_BYTES,
};
use gover_core::resolve::{is_temp_dir, logical_cwd};
use gover_core::select::{find_custom, installed_match, Toolchain};
use gover_core::text::untrusted_path;
use gover_core::toolenv::find_system_tool;
use gover_core::{PinSource, VersionRequest};
use gover_dist::Platform;

use crate::app::App;
use crate::cli::UseArgs;
use crate::error::{fs_cause, UserError};
use crate::installing::{install_requests, newest_available};
use crate::selecting::{context_here, resolve_here, shim_id, warn_if_older_than_project};
use crate::userfile::{pin_tree, refused};

pub(crate) fn run(app: &App, args: &UseArgs) -> Result<ExitCode> {
    let bad = |e: gover_core::RequestError| {
        UserError::new(e.to_string())
            .hint("`gover list --remote` shows the versions available to install")
    };
    // Go's own grammar, before anything is written or installed.
    let typed = VersionRequest::parse(&args.version).map_err(bad)?;
    let typed = match typed {
        VersionRequest::Oldstable => typed,
        _ => VersionRequest::parse_pin(&args.version).map_err(bad)?,
    };
    let typed = if args.pin {
        exact_release(app, typed)?
    } else {
        typed
    };
    let target = if args.global {
        PinTarget::GoVersion(app.home.version_file())
    } else {
        let dir = logical_cwd().context("cannot determine the current directory")?;
        refuse_temp_dir(app, &dir, &typed)?;
        refuse_home(&dir, args, &typed)?;
        pin_target(app, &dir)
    };
    // Install (or find) before pinning, so a version that cannot be
    // installed (a typo, no network) is never written where the shim would
    // trust it.
    let request = prepare(app, args, typed)?;
    let file = match &target {
        PinTarget::ToolVersions { path, keyword } => match write_tool_versions(path, &request)? {
            Ok(()) => {
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "Pinned {request} in {} (its {keyword} line)",
                    untrusted_path(path)
                )?;
                path.clone()
            }
            Err(why) => {
                let file = path.with_file_name(".go-version");
                app.warn(format!(
                    "cannot update {}: {why}; writing {} instead, which gover reads first (asdf and mise still read the {keyword} line)",
                    untrusted_path(path),
                    untrusted_path(&file)
                ));
                pin_go_version(args, &request, &file, false)?
            }
        },
        PinTarget::GoVersion(file) => pin_go_version(args, &request, file, !args.global)?,
    };
    let mut out = std::io::stdout().lock();
    report(app, &file, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `.go-version` (or the global file) and says so; with `check`,
/// then warns when a `.tool-versions` beside it says otherwise.
fn pin_go_version(
    args: &UseArgs,
    request: &VersionRequest,
    file: &Path,
    check: bool,
) -> Result<PathBuf> {
    write_pin(args, request, file)?;
    println!("Pinned {request} in {}", untrusted_path(file));
    if check {
        warn_contradicting_tool_versions(file, request);
    }
    Ok(file.to_path_buf())
}

/// Where `gover use` writes a directory's pin.
enum PinTarget {
    /// `.go-version` (or, with `--global`, `$GOVER_HOME/version`).
    GoVersion(PathBuf),
    /// The `golang`/`go` line of this `.tool-versions`.
    ToolVersions {
        /// The file.
        path: PathBuf,
        /// `golang` or `go`, as the file spells it.
        keyword: String,
    },
}

/// `.tool-versions` when it pins Go and no `.go-version` is beside it,
/// else `.go-version`.
fn pin_target(app: &App, dir: &Path) -> PinTarget {
    let go_version = dir.join(".go-version");
    let tool_versions = dir.join(".tool-versions");
    if std::fs::symlink_metadata(&go_version).is_ok() {
        return PinTarget::GoVersion(go_version);
    }
    match gover_core::fs::read_optional(&tool_versions, MAX_PIN_FILE_BYTES) {
        Ok(Some(text)) => match go_keyword(&text) {
            Some(keyword) => PinTarget::ToolVersions {
                path: tool_versions,
                keyword,
            },
            None => PinTarget::GoVersion(go_version),
        },
        Ok(None) => PinTarget::GoVersion(go_version),
        Err(e) => {
            app.warn(format!(
                "cannot read {}: {e}; pinning in {} instead",
                untrusted_path(&tool_versions),
                untrusted_path(&go_version)
            ));
            PinTarget::GoVersion(go_version)
        }
    }
}

/// `golang` or `go`: the keyword of the line of a `.tool-versions` that
/// pins Go, if one does.
fn go_keyword(text: &str) -> Option<String> {
    go_line(text).map(|(_, line)| {
        line.split('#')
            .next()
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_default()
            .trim_start_matches('\u{feff}')
            .to_string()
    })
}

/// The byte offset and text of the line of a `.tool-versions` that pins
/// Go (as `gover_core::pinfile::parse_tool_versions` finds it).
fn go_line(text: &str) -> Option<(usize, &str)> {
    let n = match parse_tool_versions(text) {
        ToolVersionsEntry::Absent => return None,
        ToolVersionsEntry::Version(v) => {
            let at = v.as_ptr() as usize - text.as_ptr() as usize;
            text[..at].matches('\n').count() + 1
        }
        ToolVersionsEntry::Empty(n) => n,
    };
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == n {
            return Some((offset, line));
        }
        offset += line.len();
    }
    None
}

/// `text` (a `.tool-versions`) with its Go line pinning `version`: the
/// line's first version replaced (or, on a line without one, added after
/// the keyword); every other byte as it was. `None` when no line pins Go.
fn with_go_version(text: &str, version: &str) -> Option<String> {
    if let ToolVersionsEntry::Version(v) = parse_tool_versions(text) {
        let at = v.as_ptr() as usize - text.as_ptr() as usize;
        return Some(format!("{}{version}{}", &text[..at], &text[at + v.len()..]));
    }
    let (offset, line) = go_line(text)?;
    let body = line.trim_start_matches('\u{feff}');
    let start = line.len() - body.len() + (body.len() - body.trim_start().len());
    let keyword = go_keyword(line)?;
    let at = offset + start + keyword.len();
    Some(format!("{} {version}{}", &text[..at], &text[at..]))
}

/// Updates the Go line of the `.tool-versions` at `path`, through a link
/// only to a file inside the repository that pins Go. The inner error says
/// why it cannot (a link gover may not write through, a line it cannot
/// find); the outer one is a failed write.
fn write_tool_versions(
    path: &Path,
    request: &VersionRequest,
) -> Result<std::result::Result<(), String>> {
    let dir = path.parent().unwrap_or(path);
    let tree = pin_tree(dir);
    let pins_go = |t: &str| parse_tool_versions(t) != ToolVersionsEntry::Absent;
    let policy = LinkPolicy::Pin {
        tree: Some(&tree),
        holds_pin: &pins_go,
    };
    let file = match UserFile::open(path, &policy) {
        Ok(f) => f,
        Err(e @ gover_core::fs::UserFileError::Refused { .. }) => return Ok(Err(e.to_string())),
        Err(e) => return Err(refused(&e).into()),
    };
    let text = file
        .read(MAX_PIN_FILE_BYTES)
        .map_err(|e| refused(&e))?
        .unwrap_or_default();
    let Some(new) = with_go_version(&text, &request.to_string()) else {
        return Ok(Err("it no longer has a golang line".into()));
    };
    file.replace(new.as_bytes()).map_err(|e| refused(&e))?;
    Ok(Ok(()))
}

/// Warns when the `.tool-versions` beside the `.go-version` at `file` pins
/// another Go: gover reads `.go-version`, asdf and mise the other file.
fn warn_contradicting_tool_versions(file: &Path, request: &VersionRequest) {
    let tool_versions = file.with_file_name(".tool-versions");
    let Ok(Some(text)) = gover_core::fs::read_optional(&tool_versions, MAX_PIN_FILE_BYTES) else {
        return;
    };
    let ToolVersionsEntry::Version(v) = parse_tool_versions(&text) else {
        return;
    };
    if VersionRequest::parse_pin(v).ok().as_ref() == Some(request) {
        return;
    }
    crate::output::warn_with_hint(
        format!(
            "{} pins {} `{}`, but {} now pins {request}: gover and its shims read .go-version first, asdf and mise read .tool-versions",
            untrusted_path(&tool_versions),
            go_keyword(&text).unwrap_or_default(),
            gover_core::text::untrusted(v),
            untrusted_path(file),
        ),
        format!(
            "keep one of the two: change that line to `{} {request}`, or remove {}",
            go_keyword(&text).unwrap_or_default(),
            untrusted_path(file)
        ),
    );
}

/// Your home directory is pinned only with `--here`: its `.go-version`
/// would pin every directory below it that has no pin of its own, so the
/// global default would never apply.
fn refuse_home(dir: &Path, args: &UseArgs, request: &VersionRequest) -> Result<()> {
    let Some(home) = env::var_os(env::HOME).map(PathBuf::from) else {
        return Ok(());
    };
    if args.here || !(dir == home || gover_core::fs::same_file(dir, &home)) {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} is your home directory: a pin there would apply to every directory below it that has no pin of its own, so the global default would never be used",
        untrusted_path(dir)
    ))
    .hint(format!(
        "set the default with `gover use --global {request}`, or pin your home directory anyway with `gover use --here {request}`"
    ))
    .into())
}

/// Makes sure what `typed` names can run (installing it unless
/// `--no-install`) and returns the request to write: as typed, except
/// `oldstable`, which becomes the line it names today.
/// `--pin`: the exact release `typed` resolves to (the newest of a line in
/// the release index or, when the index cannot be read, among the installed
/// toolchains).
fn exact_release(app: &App, typed: VersionRequest) -> Result<VersionRequest> {
    match typed {
        VersionRequest::Exact(_) => Ok(typed),
        VersionRequest::System | VersionRequest::Custom(_) => {
            Err(UserError::new(format!("`--pin` needs a Go version, not `{typed}`")).into())
        }
        _ => match newest_available(app, &typed)? {
            Some(v) => Ok(VersionRequest::Exact(v)),
            None => Err(UserError::new(format!("no release is known for `{typed}`")).into()),
        },
    }
}

fn prepare(app: &App, args: &UseArgs, typed: VersionRequest) -> Result<VersionRequest> {
    match &typed {
        VersionRequest::System => {
            check_found(app, args, &typed, || {
                let path = std::env::var_os(env::PATH).unwrap_or_default();
                find_system_tool("go", &path, &app.home, shim_id(app)).map(|t| t.describe())
            })?;
            Ok(typed)
        }
        VersionRequest::Custom(name) => {
            check_found(app, args, &typed, || {
                let path = std::env::var_os(env::PATH).unwrap_or_default();
                find_custom(&app.home, name, &path, shim_id(app)).map(|t| match t {
                    Toolchain::Linked { goroot, .. } => {
                        format!("linked to {}", untrusted_path(&goroot))
                    }
                    Toolchain::OnPath { tool, .. } => format!("on PATH as {}", tool.describe()),
                    _ => String::new(),
                })
            })?;
            Ok(typed)
        }
        VersionRequest::Latest | VersionRequest::Stable if args.no_install => Ok(typed),
        VersionRequest::Latest | VersionRequest::Stable | VersionRequest::Oldstable => {
            let Some(v) = newest_available(app, &typed)? else {
                return Err(UserError::new(format!("no release is known for `{typed}`")).into());
            };
            app.info(format!("`{typed}` is {} today", v.toolchain_name()));
            install_missing(app, args, &VersionRequest::Exact(v.clone()))?;
            Ok(match typed {
                VersionRequest::Oldstable => VersionRequest::parse(&v.lang()).unwrap_or(typed),
                other => other,
            })
        }
        _ => {
            install_missing(app, args, &typed)?;
            Ok(typed)
        }
    }
}

/// Installs `request` when nothing installed satisfies it, unless
/// `--no-install`.
fn install_missing(app: &App, args: &UseArgs, request: &VersionRequest) -> Result<()> {
    if args.no_install || installed_match(&app.home, request).is_some() {
        return Ok(());
    }
    app.info(format!(
        "{} is not installed; installing it",
        request.describe()
    ));
    install_requests(app, std::slice::from_ref(request), false, &Platform::host())
}

/// For `system` and custom toolchains, which gover does not install: says
/// what `find` finds, or refuses (only warns with `--no-install`).
fn check_found(
    app: &App,
    args: &UseArgs,
    request: &VersionRequest,
    find: impl FnOnce() -> Option<String>,
) -> Result<()> {
    if let Some(what) = find() {
        app.info(format!("`{request}` is {what}"));
        return Ok(());
    }
    let (problem, hint) = match request {
        VersionRequest::System => (
            "no `go` other than gover's shims is on PATH, so `system` would run nothing".to_string(),
            "install Go with your system's package manager first, or pin a version gover manages: `gover use 1.22`".to_string(),
        ),
        _ => (
            format!("{request} is a custom toolchain that is neither linked nor on PATH"),
            format!("register its Go tree first: `gover link {request} /path/to/its/goroot`"),
        ),
    };
    if args.no_install {
        app.warn(format!("{problem}; pinning it anyway (--no-install)"));
        return Ok(());
    }
    Err(UserError::new(problem)
        .hint(format!("{hint}; --no-install pins it anyway"))
        .into())
}

/// Says what runs here now, and what takes precedence over `file`.
fn report(app: &App, file: &Path, out: &mut impl Write) -> Result<()> {
    let r = match resolve_here(app, false) {
        Ok(r) => r,
        Err(e) => {
            app.warn(format!("cannot tell which Go runs here now: {e}"));
            return Ok(());
        }
    };
    let state = match (&r.request, r.installed) {
        (VersionRequest::System, _) => {
            let path = std::env::var_os(env::PATH).unwrap_or_default();
            match find_system_tool("go", &path, &app.home, shim_id(app)) {
                Some(t) => format!(": {}", t.describe()),
                None => ": no go other than gover's shims on PATH".to_string(),
            }
        }
        (_, true) => ", installed".to_string(),
        (VersionRequest::Custom(_), false) => ", neither linked nor on PATH".to_string(),
        (_, false) => ", not installed".to_string(),
    };
    writeln!(
        out,
        "Go here is now {} ({}){state}",
        r.display_name(),
        r.reason()
    )?;
    let governed_by_file = r.source.path() == Some(file)
        || matches!(&r.source, PinSource::ProjectGoLine { via_global: Some(g), .. } if g == file);
    if governed_by_file {
        crate::remembered::remember(app, &r);
    } else {
        app.warn(format!(
            "{} takes precedence over {} here",
            r.source,
            untrusted_path(file)
        ));
    }
    warn_if_older_than_project(app, &r);
    if !r.installed
        && !matches!(
            r.request,
            VersionRequest::System | VersionRequest::Custom(_)
        )
    {
        app.hint(format!("run `gover install {}` to install it", r.request));
    }
    Ok(())
}

/// A pin file directly in the temp directory would be ignored (anyone can
/// write there), so `gover use` refuses to write one instead of pinning
/// nothing.
fn refuse_temp_dir(app: &App, dir: &Path, request: &VersionRequest) -> Result<()> {
    let ctx = context_here(app, false)?;
    if !is_temp_dir(dir, ctx.temp_dir.as_deref()) {
        return Ok(());
    }
    Err(UserError::new(format!(
        "{} is the temporary directory: gover ignores pin files there, as Go ignores a go.mod there (anyone can write them)",
        untrusted_path(dir)
    ))
    .hint(format!(
        "pin a directory of your own below it, or set the default with `gover use --global {request}`"
    ))
    .into())
}

/// Writes the pin file: through a link only to a file that holds nothing
/// but a pin, inside the repository being pinned (or gover's home, for
/// `--global`).
fn write_pin(args: &UseArgs, request: &VersionRequest, file: &Path) -> Result<()> {
    let tree = match file.parent() {
        Some(dir) if args.global => dir.to_path_buf(),
        Some(dir) => pin_tree(dir),
        None => file.to_path_buf(),
    };
    let policy = LinkPolicy::Pin {
        tree: Some(&tree),
        holds_pin: &is_pin_only,
    };
    let written =
        UserFile::open(file, &policy).and_then(|f| f.replace(format!("{request}\n").as_bytes()));
    let Err(e) = written else {
        return Ok(());
    };
    // A full or read-only file system is the cause to name; otherwise say
    // how to pin without this file.
    let hint = match e.io_error().and_then(|io| fs_cause(io, file.parent().unwrap_or(file))) {
        Some(cause) => cause,
        None if args.global => "set GOVER_HOME to a directory you can write to, or pin per directory with `gover use VERSION`".to_string(),
        None => format!(
            "pin without writing here: `export GOVER_GO_VERSION={request}` for this shell, or `gover use --global {request}` as the default"
        ),
    };
    Err(refused(&e).hint(hint).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_go_line_changes_and_nothing_else() {
        let cases = [
            (
                "nodejs 20.1.0\ngolang 1.21.5 # ci\npython 3.12\n",
                "nodejs 20.1.0\ngolang 1.22 # ci\npython 3.12\n",
            ),
            // CRLF, a BOM, tabs, fallback versions and mise's `go`.
            (
                "\u{feff}# tools\r\n\tgo\t1.21.5  1.20 \r\nruby 3\r\n",
                "\u{feff}# tools\r\n\tgo\t1.22  1.20 \r\nruby 3\r\n",
            ),
            // Only the first Go line, as gover reads it.
            ("golang 1.21\ngolang 1.20", "golang 1.22\ngolang 1.20"),
            // A line without a version gets one after its keyword.
            (
                "nodejs 20\ngolang # todo\r\n",
                "nodejs 20\ngolang 1.22 # todo\r\n",
            ),
            ("\u{feff}go", "\u{feff}go 1.22"),
        ];
        for (before, after) in cases {
            assert_eq!(
                with_go_version(before, "1.22").as_deref(),
                Some(after),
                "{before:?}"
            );
            assert_eq!(
                parse_tool_versions(after),
                ToolVersionsEntry::Version("1.22")
            );
        }
        assert_eq!(with_go_version("nodejs 20\n# golang 1.21\n", "1.22"), None);
        assert_eq!(go_keyword("  go 1.21\n").as_deref(), Some("go"));
        assert_eq!(go_keyword("golang\n").as_deref(), Some("golang"));
        assert_eq!(go_keyword("nodejs 1\n"), None);
    }
}
