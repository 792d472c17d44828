//! `gover self update [--check] [--to VERSION]`: replaces the running
//! `gover` and the `gover-shim` beside it with a release's, verified.
//!
//! The release comes from the release base URL in `GOVER_INSTALL_BASE_URL`
//! (default: the project's releases; see `gover_dist::release` for the
//! layout). The archive for this platform is downloaded into a scratch
//! directory beside the binaries (same file system), checked against the
//! release's `SHA256SUMS`, unpacked, and the new `gover` must run and
//! report the expected version. Only then are `gover-shim` and `gover`
//! renamed over the old ones (a running `go` or `gover` keeps its old
//! file); if the second rename fails, the first is undone. Whatever fails
//! before that leaves the old binaries as they were.
//!
//! The `go`/`gofmt`/`go<version>` shims in `$GOVER_HOME/shims` are hard
//! links to (or copies of) the old `gover-shim`; they are linked again to
//! the new one, as `gover setup` links them.
//!
//! `--check` changes nothing and exits 0 when this gover is the newest
//! release (or newer), [`UPDATE_AVAILABLE`] when a newer one exists, and
//! 1 on errors.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use gover_core::home::exe_name;
use gover_core::url::mask_in_text as redact_url;
use gover_dist::http::HttpConfig;
use gover_dist::release::{self, ReleaseVersion, Releases, BASE_URL_VAR, DEFAULT_BASE_URL};
use gover_dist::Progress;

use crate::app::{App, Verbosity};
use crate::error::UserError;
use crate::shimlinks::{link_shim, BASE_SHIMS};

/// The exit code of `gover self update --check` when an update exists.
pub(crate) const UPDATE_AVAILABLE: u8 = 10;

/// The prefix of the scratch directories beside the binaries.
const SCRATCH_PREFIX: &str = ".gover-update-";

/// `gover self`
#[derive(Debug, Args)]
pub(crate) struct SelfArgs {
    #[command(subcommand)]
    pub(crate) command: SelfCommand,
}

/// What `gover self` does.
#[derive(Debug, Subcommand)]
pub(crate) enum SelfCommand {
    /// Update gover and gover-shim to the newest release
    ///
    /// Downloads this platform's archive of the newest release (or of
    /// --to VERSION) from GOVER_INSTALL_BASE_URL (default: the project's
    /// GitHub releases), verifies it against the release's SHA256SUMS, and
    /// replaces gover and gover-shim; the shims are linked to the new
    /// gover-shim. If anything fails, the old binaries stay.
    #[command(after_help = crate::cli::examples::SELF_UPDATE)]
    Update(SelfUpdateArgs),
}

/// `gover self update`
#[derive(Debug, Args)]
pub(crate) struct SelfUpdateArgs {
    /// Only say whether a newer release exists: exit 0 when up to date,
    /// 10 when an update is available, 1 on errors
    #[arg(long)]
    pub(crate) check: bool,
    /// Install this release instead of the newest (also to go back)
    #[arg(long, value_name = "VERSION", conflicts_with = "check")]
    pub(crate) to: Option<String>,
}

/// Runs `gover self ...`.
pub(crate) fn run(app: &App, args: &SelfArgs) -> Result<ExitCode> {
    match &args.command {
        SelfCommand::Update(a) => update(app, a),
    }
}

fn dist_error(e: gover_dist::Error) -> anyhow::Error {
    let mut u = UserError::new(e.to_string());
    if let Some(h) = e.hint() {
        u = u.hint(h);
    }
    u.into()
}

/// The release base URL: `GOVER_INSTALL_BASE_URL`, else the default.
fn base_url() -> Result<String> {
    match std::env::var_os(BASE_URL_VAR).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_BASE_URL.to_string()),
        Some(v) => v.into_string().map_err(|_| {
            UserError::new(format!("{BASE_URL_VAR} is not valid UTF-8"))
                .hint("set it to the http(s):// or file:// URL of a gover release")
                .into()
        }),
    }
}

fn update(app: &App, args: &SelfUpdateArgs) -> Result<ExitCode> {
    if app.settings.offline.value {
        return Err(UserError::new("`gover self update` needs the network, and offline mode is on (--offline or GOVER_OFFLINE)")
            .hint("run it without --offline, or point GOVER_INSTALL_BASE_URL at a file:// copy of a release")
            .into());
    }
    let current = ReleaseVersion::parse(env!("CARGO_PKG_VERSION")).expect("gover's own version");
    let target = release::host_target().ok_or_else(|| {
        UserError::new(format!(
            "gover publishes no release for this platform ({}-{})",
            std::env::consts::ARCH,
            std::env::consts::OS
        ))
        .hint("update from source instead: `cargo install --locked gover gover-shim`")
    })?;
    // Before any request: a gover that pip or cargo installed is theirs.
    let dir = install_dir()?;
    if !args.check {
        refuse_managed(&dir)?;
    }
    let http = HttpConfig {
        timeout: app.settings.http_timeout.value,
        ..HttpConfig::default()
    };
    let latest_base = base_url()?;
    let (mut rel, wanted) = match &args.to {
        None => {
            let mut rel = Releases::new(&latest_base, http).map_err(dist_error)?;
            let v = rel.version().map_err(dist_error)?;
            (rel, v)
        }
        Some(to) => open_release(&latest_base, to, http)?,
    };

    if args.check {
        return check(&current, &wanted, &redact_url(rel.base()));
    }
    if wanted == current {
        app.info(format!(
            "gover {current} is up to date ({})",
            redact_url(rel.base())
        ));
        return Ok(ExitCode::SUCCESS);
    }
    if args.to.is_none() && wanted < current {
        app.info(format!(
            "this gover ({current}) is newer than the newest release at {} ({wanted}); nothing to do (`gover self update --to {wanted}` goes back)",
            redact_url(rel.base())
        ));
        return Ok(ExitCode::SUCCESS);
    }

    install(app, &mut rel, &dir, target, &current, &wanted)?;
    Ok(ExitCode::SUCCESS)
}

/// Downloads, verifies and unpacks release `wanted` for `target`, then
/// puts its binaries in `dir` and relinks the shims.
fn install(
    app: &App,
    rel: &mut Releases,
    dir: &Path,
    target: &str,
    current: &ReleaseVersion,
    wanted: &ReleaseVersion,
) -> Result<()> {
    let archive = release::archive_name(wanted, target);
    let sums = rel.checksums().map_err(dist_error)?;
    let sha = sums.get(&archive).ok_or_else(|| {
        UserError::new(format!(
            "gover {wanted} has no build for {target}: {archive} is not in {}",
            redact_url(&rel.url("SHA256SUMS"))
        ))
        .hint("try again later (a release may still be uploading), or update from source: `cargo install --locked gover gover-shim`")
    })?;
    let scratch = Scratch::create(dir)?;
    app.info(format!("Downloading {}", redact_url(&rel.url(&archive))));
    let progress: Arc<dyn Progress> = Arc::new(Status {
        quiet: app.verbosity == Verbosity::Quiet,
    });
    let file = scratch.path.join(&archive);
    rel.download(&archive, sha, &file, progress)
        .map_err(dist_error)
        .context("nothing was changed")?;
    let names = [exe_name("gover"), exe_name("gover-shim")];
    let unpacked = scratch.path.join("new");
    fs::create_dir(&unpacked).with_context(|| format!("cannot create {}", unpacked.display()))?;
    release::unpack_binaries(
        &file,
        &release::archive_dir(wanted, target),
        &[names[0].as_str(), names[1].as_str()],
        &unpacked,
    )
    .map_err(dist_error)
    .context("nothing was changed")?;
    check_runs(&unpacked.join(&names[0]), wanted)?;

    let old_shim = replace_binaries(dir, &unpacked, &scratch.path, &names)?;
    let verb = if wanted > current {
        "Updated"
    } else {
        "Downgraded"
    };
    app.info(format!(
        "{verb} gover from {current} to {wanted} in {}",
        dir.display()
    ));
    relink_shims(app, &dir.join(&names[1]), old_shim.as_deref());
    Ok(())
}

/// The release `to`, at the base URL derived from `latest_base`, checked
/// to be that release.
fn open_release(
    latest_base: &str,
    to: &str,
    http: HttpConfig,
) -> Result<(Releases, ReleaseVersion)> {
    let v = ReleaseVersion::parse(to.trim()).ok_or_else(|| {
        UserError::new(format!(
            "--to {} is not a gover version (like 0.2.0)",
            to.escape_debug()
        ))
    })?;
    let base = release::release_base(latest_base, &v).unwrap_or_else(|| latest_base.to_string());
    let mut rel = Releases::new(&base, http).map_err(dist_error)?;
    let found = rel.version().map_err(|e| {
        let mut u = UserError::new(format!(
            "cannot find gover {v} at {}: {e}",
            redact_url(rel.base())
        ));
        u = u.hint(format!("check the version; {BASE_URL_VAR} must name the newest release, ending in /releases/latest/download or /latest, so that older ones are found beside it"));
        anyhow::Error::from(u)
    })?;
    if found != v {
        return Err(UserError::new(format!(
            "{} is the release of gover {found}, not {v}",
            redact_url(rel.base())
        ))
        .hint(format!("{BASE_URL_VAR} must end in /releases/latest/download or /latest for --to to find other releases beside it"))
        .into());
    }
    Ok((rel, v))
}

/// `--check`: the answer on stdout, and in the exit code.
fn check(current: &ReleaseVersion, newest: &ReleaseVersion, base: &str) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    if newest > current {
        writeln!(
            out,
            "gover {newest} is available (this is {current}); run `gover self update`"
        )?;
        Ok(ExitCode::from(UPDATE_AVAILABLE))
    } else {
        writeln!(
            out,
            "gover {current} is up to date (newest at {base}: {newest})"
        )?;
        Ok(ExitCode::SUCCESS)
    }
}

/// The directory of the running `gover` (links resolved).
fn install_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate the running gover executable")?;
    let exe = fs::canonicalize(&exe).unwrap_or(exe);
    Ok(exe
        .parent()
        .context("the gover executable has no directory")?
        .to_path_buf())
}

/// Refuses to replace a gover that pip or cargo installed: their records
/// would no longer match, and their own update keeps them right.
fn refuse_managed(dir: &Path) -> Result<()> {
    let Some(prefix) = dir.parent() else {
        return Ok(());
    };
    let by_pip = prefix.join("pyvenv.cfg").is_file() || has_pip_record(prefix);
    if by_pip {
        return Err(UserError::new(format!(
            "gover in {} was installed from PyPI (pip, pipx or uv); `gover self update` leaves it to them",
            dir.display()
        ))
        .hint("update it the way it was installed: `pipx upgrade gover`, `uv tool upgrade gover` or `pip install --upgrade gover`")
        .into());
    }
    let by_cargo = [".crates.toml", ".crates2.json"].iter().any(|f| {
        fs::read_to_string(prefix.join(f))
            .is_ok_and(|t| t.contains("\"gover ") || t.contains("\"gover-shim "))
    });
    if by_cargo && dir.join(exe_name("gover")).exists() {
        return Err(UserError::new(format!(
            "gover in {} was installed by `cargo install`; `gover self update` leaves it to cargo",
            dir.display()
        ))
        .hint("update it with `cargo install --locked gover gover-shim`")
        .into());
    }
    Ok(())
}

/// A `gover-*.dist-info` in `prefix/lib/python*/{site,dist}-packages`.
fn has_pip_record(prefix: &Path) -> bool {
    let Ok(libs) = fs::read_dir(prefix.join("lib")) else {
        return false;
    };
    libs.flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
        .flat_map(|e| ["site-packages", "dist-packages"].map(|p| e.path().join(p)))
        .filter_map(|d| fs::read_dir(d).ok())
        .flat_map(|rd| rd.flatten())
        .any(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix("gover-").is_some_and(|v| {
                v.starts_with(|c: char| c.is_ascii_digit()) && v.ends_with(".dist-info")
            })
        })
}

/// A scratch directory beside the binaries, removed when dropped; stale
/// ones of runs that were killed are removed first.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn create(dir: &Path) -> Result<Self> {
        remove_stale_scratch(dir);
        let path = dir.join(format!("{SCRATCH_PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        if let Err(e) = fs::create_dir(&path) {
            let mut u = UserError::new(format!("cannot write to {}: {e}", dir.display()));
            if e.kind() == io::ErrorKind::PermissionDenied {
                u = u.hint("this gover belongs to another user (or the system): update it the way it was installed, or install your own with the one-line installer (see docs/install.md)");
            }
            return Err(u.into());
        }
        Ok(Self { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Removes scratch directories of runs that are gone: their process no
/// longer exists (Linux), or they are a day old.
fn remove_stale_scratch(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(SCRATCH_PREFIX) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let proc_root = Path::new("/proc/self");
        let gone = if proc_root.exists() {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(86_400))
        };
        if gone && pid != std::process::id() && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// The new gover must run here and say it is `version`.
fn check_runs(gover: &Path, version: &ReleaseVersion) -> Result<()> {
    let out = Command::new(gover)
        .arg("--version")
        .output()
        .with_context(|| {
            format!(
                "the new gover ({}) does not run here; nothing was changed",
                gover.display()
            )
        })?;
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let want = format!("gover {version}");
    if !out.status.success() || said != want {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(UserError::new(format!(
            "the new gover does not work here: `gover --version` said {:?}{}; nothing was changed",
            said.chars().take(80).collect::<String>(),
            if err.trim().is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    err.trim()
                        .chars()
                        .take(200)
                        .collect::<String>()
                        .escape_debug()
                )
            }
        ))
        .into());
    }
    Ok(())
}

/// Renames the new `gover-shim` and then `gover` (`names`) from `new`
/// over the ones in `dir`, keeping the old ones as links in `scratch` to
/// restore the shim when the second rename fails. Returns the path of the
/// old shim's copy (to find its links), if there was one.
fn replace_binaries(
    dir: &Path,
    new: &Path,
    scratch: &Path,
    names: &[String; 2],
) -> Result<Option<PathBuf>> {
    let [gover, shim] = names;
    let old_shim = scratch.join(format!("old-{shim}"));
    let had_shim = match fs::hard_link(dir.join(shim), &old_shim) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(_) => fs::copy(dir.join(shim), &old_shim).is_ok(),
    };
    fs::rename(new.join(shim), dir.join(shim)).with_context(|| {
        format!(
            "cannot replace {}; nothing was changed",
            dir.join(shim).display()
        )
    })?;
    if let Err(e) = fs::rename(new.join(gover), dir.join(gover)) {
        let undo = if had_shim {
            fs::rename(&old_shim, dir.join(shim))
        } else {
            fs::remove_file(dir.join(shim))
        };
        let state = match undo {
            Ok(()) => "the old gover and gover-shim are still in place".to_string(),
            Err(u) => format!("and restoring the old gover-shim failed too ({u}): reinstall gover"),
        };
        return Err(UserError::new(format!(
            "cannot replace {}: {e}; {state}",
            dir.join(gover).display()
        ))
        .into());
    }
    Ok(had_shim.then_some(old_shim))
}

/// Links the shims in `$GOVER_HOME/shims` that were the old shim (or are
/// `go`/`gofmt`) to `new_shim`. A failure is a warning: gover is updated,
/// and the old shims still work.
fn relink_shims(app: &App, new_shim: &Path, old_shim: Option<&Path>) {
    let dir = app.home.shims_dir();
    let Ok(rd) = fs::read_dir(&dir) else { return };
    let base: Vec<OsString> = BASE_SHIMS.iter().map(|n| exe_name(n).into()).collect();
    let (mut linked, mut failed) = (0, Vec::new());
    for e in rd.flatten() {
        let path = e.path();
        let is_file = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        let ours = base.contains(&e.file_name()) || old_shim.is_some_and(|o| same_file(o, &path));
        if !is_file || !ours {
            continue;
        }
        match link_shim(new_shim, &path) {
            Ok(_) => linked += 1,
            Err(err) => failed.push(format!("{}: {err:#}", path.display())),
        }
    }
    if failed.is_empty() {
        app.debug(format!(
            "linked {linked} shims in {} to the new gover-shim",
            dir.display()
        ));
    } else {
        app.warn(format!(
            "some shims in {} still run the old gover-shim ({}); run `gover setup`",
            dir.display(),
            failed.join("; ")
        ));
    }
}

/// Whether `a` and `b` are the same file, or files with the same bytes.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(x), Ok(y)) = (fs::metadata(a), fs::symlink_metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if x.dev() == y.dev() && x.ino() == y.ino() {
            return true;
        }
    }
    x.len() == y.len() && matches!((fs::read(a), fs::read(b)), (Ok(p), Ok(q)) if p == q)
}

/// Prints the download's retries and resumptions, unless `-q`.
struct Status {
    quiet: bool,
}

impl Progress for Status {
    fn message(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}
