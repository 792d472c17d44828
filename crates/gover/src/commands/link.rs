//! `gover link NAME DIR` and `gover unlink NAME`: register a Go tree gover
//! did not install (built from source, a tip build, a vendor's build) under
//! a custom toolchain name, usable wherever Go names toolchains: pins,
//! `toolchain` lines, `GOTOOLCHAIN`, and its own shim `NAME`.
//!
//! NAME is `go<version>-<suffix>` (`go1.22.10-bigcorp`, `go1.28-tip`):
//! Go accepts it in a `toolchain` line and in `GOTOOLCHAIN`, compares it by
//! its version, and never confuses it with the stock release. DIR must be a
//! complete Go tree (`bin/go`, `pkg/tool`). The registration is one
//! symbolic link, `$GOVER_HOME/links/NAME`; `unlink` removes only that link
//! (and the shim `link` made), never the tree, and refuses anything in its
//! place that is not a link.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use gover_core::fs::{is_executable, FileId};
use gover_core::home::exe_name;
use gover_core::request::custom_toolchain;
use gover_core::text::{escape, untrusted_path};
use gover_core::GoVersion;

use crate::app::App;
use crate::cli::{LinkArgs, UnlinkArgs};
use crate::error::UserError;
use crate::selecting::shim_id;
use crate::shimlinks::{link_shim, shim_source};

/// `gover link NAME DIR`.
pub(crate) fn run_link(app: &App, args: &LinkArgs) -> Result<ExitCode> {
    let (name, version) = check_name(&args.name)?;
    let tree = check_tree(app, &args.dir)?;
    let link = app.home.link_path(name).expect("a checked name");
    let before = match fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => fs::read_link(&link).ok(),
        Ok(_) => return Err(not_ours(&link).into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", link.display())),
    };
    replace_link(&link, &tree)?;
    add_shim(app, name);
    warn_on_version(app, name, &version, &tree);
    match before {
        Some(old) if old != tree => println!(
            "Linked {name} to {} (it was linked to {})",
            untrusted_path(&tree),
            untrusted_path(&old)
        ),
        _ => println!("Linked {name} to {}", untrusted_path(&tree)),
    }
    app.info(format!(
        "use it with `gover use {name}`, `toolchain {name}` in a go.mod, GOTOOLCHAIN={name}, or run `{name}` (its shim)"
    ));
    Ok(ExitCode::SUCCESS)
}

/// `gover unlink NAME`.
pub(crate) fn run_unlink(app: &App, args: &UnlinkArgs) -> Result<ExitCode> {
    let (name, _) = check_name(&args.name)?;
    let link = app.home.link_path(name).expect("a checked name");
    let target = match fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => fs::read_link(&link).ok(),
        Ok(_) => return Err(not_ours(&link).into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(UserError::new(format!("{name} is not linked"))
                .hint(format!("the linked toolchains are {}", linked_names(app)))
                .into())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", link.display())),
    };
    fs::remove_file(&link).with_context(|| format!("cannot remove {}", link.display()))?;
    remove_shim(app, name);
    match target {
        Some(t) => println!(
            "Unlinked {name} (its Go tree at {} is untouched)",
            untrusted_path(&t)
        ),
        None => println!("Unlinked {name}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The name and its version, when it is a custom toolchain name.
fn check_name(name: &str) -> Result<(&str, GoVersion)> {
    match custom_toolchain(name).filter(|_| gover_core::fs::is_plain_file_name(name)) {
        Some(v) => Ok((name, v)),
        None => Err(UserError::new(format!(
            "`{}` is not a custom toolchain name: it must be go<version>-<suffix>, such as go1.22.10-bigcorp or go1.28-tip (letters, digits, `.`, `_` and `-` after the dash, at most {} bytes)",
            gover_core::text::shorten(name, 80),
            gover_core::request::MAX_CUSTOM_NAME
        ))
        .hint("Go compares toolchains by the version in the name and accepts such a name in a toolchain line and in GOTOOLCHAIN; a stock release name (go1.22.10) is gover's to install")
        .into()),
    }
}

/// DIR as an absolute path with links resolved, when it is a complete Go
/// tree that is not gover's own shim directory.
fn check_tree(app: &App, dir: &Path) -> Result<PathBuf> {
    let not_tree = |why: String| {
        UserError::new(format!(
            "{} is not a Go tree: {why}",
            untrusted_path(dir)
        ))
        .hint("give the directory that holds bin/go and pkg/tool (the GOROOT of that Go: `go env GOROOT` prints it)")
    };
    let tree = fs::canonicalize(dir).map_err(|e| not_tree(format!("{e}")))?;
    if !tree.is_dir() {
        return Err(not_tree("it is not a directory".into()).into());
    }
    let go = tree.join("bin").join(exe_name("go"));
    match fs::metadata(&go) {
        Ok(m) if m.is_file() && is_executable(&m) => {
            if shim_id(app).is_some() && FileId::of_meta(&m) == shim_id(app) {
                return Err(not_tree("its bin/go is gover's own shim".into()).into());
            }
        }
        Ok(_) => return Err(not_tree("bin/go is not an executable file".into()).into()),
        Err(_) => return Err(not_tree("there is no bin/go".into()).into()),
    }
    if !tree.join("pkg").join("tool").is_dir() {
        return Err(not_tree("there is no pkg/tool (build the toolchain first)".into()).into());
    }
    Ok(tree)
}

/// Points `link` at `tree`: a new link beside it, renamed over the old one.
#[cfg(unix)]
fn replace_link(link: &Path, tree: &Path) -> Result<()> {
    let dir = link.parent().expect("a link path has a parent");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = link.file_name().expect("a link path has a name");
    let tmp = dir.join(format!(
        ".{}.gover-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(tree, &tmp)
        .with_context(|| format!("cannot create the link {}", tmp.display()))?;
    if let Err(e) = fs::rename(&tmp, link) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot create the link {}", link.display()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn replace_link(_link: &Path, _tree: &Path) -> Result<()> {
    Err(UserError::new(
        "`gover link` needs symbolic links, which this platform does not offer gover",
    )
    .into())
}

/// Something other than a link where gover keeps its links.
fn not_ours(path: &Path) -> UserError {
    UserError::new(format!(
        "{} is not a link gover made, so gover leaves it alone",
        untrusted_path(path)
    ))
    .hint("move it out of gover's links directory yourself, then run this again")
}

/// Links the shim `NAME` when the shims are set up; a failure is a warning.
fn add_shim(app: &App, name: &str) {
    let dir = app.home.shims_dir();
    if !dir.is_dir() {
        return;
    }
    let made = shim_source().and_then(|src| link_shim(&src, &dir.join(exe_name(name))));
    if let Err(e) = made {
        app.warn(format!(
            "{name} is linked, but its shim could not be created: {e:#}"
        ));
    }
}

/// Removes the shim `NAME` if it is gover's shim; anything else stays.
fn remove_shim(app: &App, name: &str) {
    let shim = app.home.shim_file(name);
    let Ok(meta) = fs::symlink_metadata(&shim) else {
        return;
    };
    let ours = meta.is_file()
        && (FileId::of_meta(&meta) == FileId::of(&app.home.shim_file("go"))
            || shim_source().is_ok_and(|src| same_content(&src, &shim)));
    if !ours {
        app.warn(format!(
            "{} is not gover's shim, so it stays",
            untrusted_path(&shim)
        ));
        return;
    }
    if let Err(e) = fs::remove_file(&shim) {
        app.warn(format!("cannot remove {}: {e}", untrusted_path(&shim)));
    }
}

/// True when the two files hold the same bytes.
fn same_content(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) if x.len() == y.len() => {
            matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// Warns when the tree's `VERSION` names another release than the name:
/// Go goes by the name.
fn warn_on_version(app: &App, name: &str, version: &GoVersion, tree: &Path) {
    let tool = gover_core::toolenv::SystemTool {
        path: tree.join("bin").join(exe_name("go")),
        goroot: Some(tree.to_path_buf()),
    };
    let Some(found) = tool.version() else {
        return;
    };
    match GoVersion::from_toolchain(&found) {
        Some(v) if v == *version => {}
        _ => app.warn(format!(
            "{}/VERSION says {}, but Go compares toolchains by the version in their name: {name} counts as Go {version}",
            untrusted_path(tree),
            escape(&found)
        )),
    }
}

/// The names linked now, for a hint.
fn linked_names(app: &App) -> String {
    let mut names: Vec<String> = fs::read_dir(app.home.links_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| custom_toolchain(n).is_some())
        .collect();
    names.sort();
    if names.is_empty() {
        "none (`gover link NAME DIR` registers one)".to_string()
    } else {
        names.join(", ")
    }
}
