//! `gover upgrade [PATH...] [--all] [--go-mod]`: moves pins to the newest
//! patch of their line. An exact pin in `.go-version`, `.tool-versions` or
//! the global default is rewritten (through a link only as `gover use`
//! writes one: to a file inside the repository that holds nothing but the
//! pin); a go.mod or go.work `toolchain` line only with `--go-mod`; a line
//! pin (`1.22`) keeps its text and gets the newest patch installed. The new
//! release is installed before any file is rewritten.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use gover_core::fs::{LinkPolicy, UserFile};
use gover_core::pinfile::{
    go_version_file_line, gomod_lookup, is_pin_only, parse_tool_versions, tool_versions_lookup,
    ToolVersionsEntry,
};
use gover_core::resolve::logical_cwd;
use gover_core::text::untrusted_path;
use gover_core::{GoVersion, PinSource, VersionRequest};
use gover_dist::Platform;

use crate::app::App;
use crate::cli::UpgradeArgs;
use crate::error::UserError;
use crate::installing::{dist, install_requests};
use crate::remembered::{resolve_in, Available};
use crate::userfile::{pin_tree, refused};

/// A pin to upgrade.
struct Target {
    /// The file that pins.
    file: PathBuf,
    /// What kind of pin it is.
    source: PinSource,
    /// The pin.
    request: VersionRequest,
}

/// The pins named by PATHs (directories, or pin files), every remembered
/// one with `--all`, else the current directory's.
fn targets(app: &App, args: &UpgradeArgs) -> Result<Vec<Target>> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for p in &args.paths {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let dir = if p.is_dir() {
            p
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or(p)
        };
        dirs.push(dir);
    }
    let mut out = Vec::new();
    if args.all {
        if let Some((request, _)) = crate::remembered::global(app) {
            let file = app.home.version_file();
            let source = PinSource::Global(file.clone());
            out.push(Target {
                file,
                source,
                request,
            });
        }
        dirs.extend(
            crate::remembered::projects(app)
                .0
                .into_iter()
                .filter_map(|p| p.file.parent().map(Path::to_path_buf)),
        );
    } else if dirs.is_empty() {
        dirs.push(
            logical_cwd().map_err(|e| {
                UserError::new(format!("cannot determine the current directory: {e}"))
            })?,
        );
    }
    for dir in dirs {
        let r = resolve_in(app, &dir).ok_or_else(|| {
            UserError::new(format!(
                "cannot resolve the Go pin of {}",
                untrusted_path(&dir)
            ))
            .hint("`gover current` in that directory says why")
        })?;
        let Some(file) = r.source.path().map(Path::to_path_buf) else {
            continue;
        };
        if !out.iter().any(|t: &Target| t.file == file) {
            out.push(Target {
                file,
                source: r.source,
                request: r.request,
            });
        }
    }
    Ok(out)
}

pub(crate) fn run(app: &App, args: &UpgradeArgs) -> Result<ExitCode> {
    let targets = targets(app, args)?;
    if targets.is_empty() {
        app.info("nothing to upgrade: no pin here (and none remembered with --all)");
        return Ok(ExitCode::SUCCESS);
    }
    let dist = dist(app)?;
    let available = Available::load(app, &dist)?;
    let mut failed = 0;
    for t in &targets {
        let Some(newest) = available.newest_of_line(&t.request) else {
            continue;
        };
        if let Err(e) = upgrade_one(app, args, t, &newest) {
            crate::error::report(&e);
            failed += 1;
        }
    }
    if failed > 0 {
        return Err(UserError::new(format!(
            "{failed} of {} pins could not be upgraded",
            targets.len()
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// Installs `newest` for the pin `t` and rewrites it when it is exact.
fn upgrade_one(app: &App, args: &UpgradeArgs, t: &Target, newest: &GoVersion) -> Result<()> {
    let shown = untrusted_path(&t.file);
    let exact = match &t.request {
        VersionRequest::Exact(v) => v,
        VersionRequest::System => return Ok(()),
        _ => {
            if gover_core::select::installed_match(
                &app.home,
                &VersionRequest::Exact(newest.clone()),
            )
            .is_none()
            {
                install(app, newest)?;
            }
            println!(
                "{shown} pins {}: {} is installed",
                t.request,
                newest.toolchain_name()
            );
            return Ok(());
        }
    };
    if exact >= newest {
        println!(
            "{shown} pins {}, the newest patch of its line",
            exact.toolchain_name()
        );
        return Ok(());
    }
    let rewritable = match &t.source {
        PinSource::GoVersionFile(_) | PinSource::ToolVersions(_) | PinSource::Global(_) => true,
        PinSource::ProjectToolchain(..) => args.go_mod,
        _ => false,
    };
    if !rewritable {
        let why = match &t.source {
            PinSource::ProjectToolchain(..) => "pass --go-mod to rewrite a toolchain line",
            _ => "it is a minimum, not a pin",
        };
        println!(
            "{shown} pins {} (behind {}); left alone: {why}",
            exact.toolchain_name(),
            newest.toolchain_name()
        );
        return Ok(());
    }
    install(app, newest)?;
    rewrite(&t.file, &t.source, exact, newest)?;
    println!(
        "{shown}: {} -> {}",
        exact.toolchain_name(),
        newest.toolchain_name()
    );
    Ok(())
}

fn install(app: &App, v: &GoVersion) -> Result<()> {
    install_requests(
        app,
        &[VersionRequest::Exact(v.clone())],
        false,
        &Platform::host(),
    )
}

/// Replaces the version in `file` (a pin of kind `source`) from `old` to
/// `new`, keeping its spelling (`go1.22.9` or `1.22.9`) and everything else.
fn rewrite(file: &Path, source: &PinSource, old: &GoVersion, new: &GoVersion) -> Result<()> {
    let tree = match source {
        PinSource::Global(_) => file.parent().map(Path::to_path_buf),
        _ => file.parent().map(pin_tree),
    };
    let holds: &dyn Fn(&str) -> bool = match source {
        PinSource::ToolVersions(_) => {
            &|t: &str| matches!(parse_tool_versions(t), ToolVersionsEntry::Version(_))
        }
        PinSource::ProjectToolchain(..) => &|t: &str| gomod_lookup(t, "toolchain").is_some(),
        _ => &is_pin_only,
    };
    let policy = LinkPolicy::Pin {
        tree: tree.as_deref(),
        holds_pin: holds,
    };
    let f = UserFile::open(file, &policy).map_err(|e| refused(&e))?;
    let text = f
        .read(1 << 20)
        .map_err(|e| refused(&e))?
        .unwrap_or_default();
    // The one line that pins: a comment or another tool's entry naming the
    // same version is never touched.
    let line_no = match source {
        PinSource::ProjectToolchain(..) => gomod_lookup(&text, "toolchain").map(|(_, n)| n),
        PinSource::ToolVersions(_) => tool_versions_lookup(&text).map(|(_, n)| n),
        _ => go_version_file_line(&text),
    };
    let updated = line_no.and_then(|n| replace_version(&text, n, old, new));
    let updated = updated.ok_or_else(|| {
        UserError::new(format!(
            "{} changed meanwhile: it no longer pins {}",
            untrusted_path(file),
            old.toolchain_name()
        ))
    })?;
    f.replace(updated.as_bytes()).map_err(|e| refused(&e))?;
    Ok(())
}

/// `text` with the first word spelling `old` (as `1.22.9` or `go1.22.9`)
/// on its line `line_no` (1-based) replaced by `new` in the same spelling.
fn replace_version(text: &str, line_no: usize, old: &GoVersion, new: &GoVersion) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut done = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if done || i + 1 != line_no {
            out.push_str(line);
            continue;
        }
        let mut replaced = String::with_capacity(line.len() + 4);
        let mut rest = line;
        if i == 0 {
            if let Some(r) = rest.strip_prefix('\u{feff}') {
                replaced.push('\u{feff}');
                rest = r;
            }
        }
        while let Some(at) = rest.find(|c: char| !c.is_whitespace()) {
            replaced.push_str(&rest[..at]);
            let word_end = rest[at..]
                .find(char::is_whitespace)
                .map_or(rest.len(), |e| at + e);
            let word = &rest[at..word_end];
            let swap = [
                (old.toolchain_name(), new.toolchain_name()),
                (old.as_str().to_string(), new.as_str().to_string()),
            ];
            match swap.iter().find(|(o, _)| o == word).filter(|_| !done) {
                Some((_, n)) => {
                    replaced.push_str(n);
                    done = true;
                }
                None => replaced.push_str(word),
            }
            rest = &rest[word_end..];
        }
        replaced.push_str(rest);
        out.push_str(&replaced);
    }
    done.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pinned_word_changes() {
        let (a, b) = (
            GoVersion::parse("1.22.9").unwrap(),
            GoVersion::parse("1.22.10").unwrap(),
        );
        assert_eq!(replace_version("1.22.9\n", 1, &a, &b).unwrap(), "1.22.10\n");
        assert_eq!(
            replace_version("\u{feff}go1.22.9", 1, &a, &b).unwrap(),
            "\u{feff}go1.22.10"
        );
        assert_eq!(
            replace_version("nodejs 1.22.9\ngolang  1.22.9 # go\n", 2, &a, &b).unwrap(),
            "nodejs 1.22.9\ngolang  1.22.10 # go\n"
        );
        assert_eq!(
            replace_version("module m\n\ngo 1.22.9\n\ntoolchain go1.22.9\n", 5, &a, &b).unwrap(),
            "module m\n\ngo 1.22.9\n\ntoolchain go1.22.10\n"
        );
        assert_eq!(replace_version("1.22.90\n", 1, &a, &b), None);
        assert_eq!(replace_version("module m\ngo 1.22.9\n", 3, &a, &b), None);
    }
}
