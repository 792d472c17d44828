//! Installed toolchains (complete, run, report the version their directory
//! names), leftovers of interrupted installs, and shims in step with the
//! installed `gover-shim`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gover_core::home::{exe_name, ScratchName};
use gover_core::GoVersion;

use super::id::FindingId;
use super::model::{Check, DoctorEnv, Finding};
use crate::quote::sh_quote;
use crate::shimlinks::same_shim;

/// How old a `$GOVER_HOME/tmp` entry must be to count as a leftover rather
/// than an install in progress.
pub(crate) const LEFTOVER_AGE: Duration = Duration::from_secs(60 * 60);

/// Runs `cmd` with stdout captured, killing it after `timeout`.
pub(crate) fn output_with_timeout(
    cmd: &mut Command,
    timeout: Duration,
) -> Result<(i32, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut out = String::new();
                let mut err = String::new();
                if let Some(mut o) = child.stdout.take() {
                    let _ = o.read_to_string(&mut out);
                }
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                let code = status.code().unwrap_or(-1);
                if !status.success() {
                    let err = err.trim();
                    return Err(if err.is_empty() {
                        format!("it exited with status {code}")
                    } else {
                        format!(
                            "it exited with status {code}: {}",
                            err.lines().next().unwrap_or(err)
                        )
                    });
                }
                return Ok((code, out));
            }
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it did not finish within {}s",
                    timeout.as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    }
}

/// Runs `<dir>/bin/go version` the way the shim would start it and returns
/// the toolchain name it reports (`go1.22.10`).
fn reported_version(env: &DoctorEnv, dir: &Path) -> Result<String, String> {
    let mut cmd = Command::new(dir.join("bin").join(exe_name("go")));
    cmd.arg("version")
        .current_dir(dir)
        .env("GOROOT", dir)
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOFLAGS");
    let (_, out) = output_with_timeout(&mut cmd, env.command_timeout)?;
    // `go version go1.22.10 linux/amd64`
    out.split_whitespace()
        .nth(2)
        .filter(|w| w.starts_with("go"))
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "it printed `{}`, not `go version goX.Y.Z os/arch`",
                out.trim()
            )
        })
}

/// What is found in a toolchain directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ToolchainState {
    /// It has no `bin/go`.
    NoGo,
    /// It has no `pkg/tool`.
    NoTools,
    /// `bin/go version` reported this toolchain name, or failed so.
    Ran(Result<String, String>),
}

/// One entry of `$GOVER_HOME/toolchains`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Its name is no toolchain name.
    Unknown(PathBuf),
    /// A toolchain directory.
    Toolchain {
        /// The directory.
        path: PathBuf,
        /// The version its name gives.
        version: GoVersion,
        /// What is in it.
        state: ToolchainState,
    },
}

/// The installed toolchains: complete, run, report their own version.
pub(crate) struct Toolchains;

impl Check for Toolchains {
    type Facts = Vec<Entry>;

    fn facts(env: &DoctorEnv) -> Vec<Entry> {
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(env.home.toolchains_dir()) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => Vec::new(),
        };
        paths.sort();
        paths
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
            })
            .map(|path| {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let Some(version) = name.strip_prefix("go").and_then(GoVersion::parse) else {
                    return Entry::Unknown(path);
                };
                let state = if !path.join("bin").join(exe_name("go")).is_file() {
                    ToolchainState::NoGo
                } else if !path.join("pkg").join("tool").is_dir() {
                    ToolchainState::NoTools
                } else {
                    ToolchainState::Ran(reported_version(env, &path))
                };
                Entry::Toolchain {
                    path,
                    version,
                    state,
                }
            })
            .collect()
    }

    fn findings(env: &DoctorEnv, entries: &Vec<Entry>) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut good = Vec::new();
        for e in entries {
            match e {
                Entry::Unknown(path) => out.push(
                    Finding::warning(
                        FindingId::ToolchainUnknownEntry,
                        format!("{} is not a toolchain gover installed", env.show(path)),
                    )
                    .why("gover ignores it; it only takes space")
                    .fix(format!("`rm -rf {}`", sh_quote(&path.to_string_lossy()))),
                ),
                Entry::Toolchain {
                    version,
                    state: ToolchainState::Ran(Ok(r)),
                    ..
                } if *r == version.toolchain_name() => good.push(r.clone()),
                Entry::Toolchain {
                    path,
                    version,
                    state,
                } => out.push(toolchain_problem(env, path, version, state)),
            }
        }
        if !good.is_empty() {
            out.push(Finding::ok(
                FindingId::ToolchainOk,
                format!("{} run and report their own version", good.join(", ")),
            ));
        }
        out
    }
}

/// The problem with an installed toolchain that is not in order.
fn toolchain_problem(
    env: &DoctorEnv,
    path: &Path,
    v: &GoVersion,
    state: &ToolchainState,
) -> Finding {
    let (shown, name) = (env.show(path), v.toolchain_name());
    let (id, message, why) = match state {
        ToolchainState::NoGo => (
            FindingId::ToolchainIncomplete,
            format!("{shown} has no bin/go"),
            format!(
                "gover treats {name} as not installed, and the directory blocks a fresh install"
            ),
        ),
        ToolchainState::NoTools => (
            FindingId::ToolchainIncomplete,
            format!("{shown} has no pkg/tool (compiler, linker)"),
            "`go build` fails with `go: no such tool \"compile\"`".to_string(),
        ),
        ToolchainState::Ran(Ok(reported)) => (
            FindingId::ToolchainWrongVersion,
            format!("{shown}/bin/go reports {reported}, not {name}"),
            format!("every pin of {name} silently runs {reported}"),
        ),
        ToolchainState::Ran(Err(err)) => (
            FindingId::ToolchainBroken,
            format!("{shown}/bin/go does not run: {err}"),
            format!("every go command pinned to {name} fails"),
        ),
    };
    Finding::problem(id, message).why(why).fix(format!(
        "`rm -rf {} && gover install {}`",
        sh_quote(&path.to_string_lossy()),
        v.as_str()
    ))
}

/// What `$GOVER_HOME/tmp` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TmpFacts {
    /// `tmp/` is not a directory gover may clean (a link, a file): why.
    NotADirectory(String),
    /// gover's scratch entries in it.
    Scratch {
        /// Entries no running install or uninstall owns.
        leftovers: Vec<PathBuf>,
        /// Entries a running one owns.
        busy: usize,
    },
}

/// Leftovers of interrupted installs and uninstalls in `$GOVER_HOME/tmp`.
/// Only entries named as gover names them (`ScratchName`) count; anything
/// else there is not gover's to mention.
pub(crate) struct Leftovers;

impl Check for Leftovers {
    type Facts = TmpFacts;

    /// An entry whose owner's lock is free is a leftover; when the lock
    /// cannot be tried, one older than [`LEFTOVER_AGE`] is.
    fn facts(env: &DoctorEnv) -> TmpFacts {
        let entries = match env.home.scratch_entries() {
            Ok(e) => e,
            Err(e) => return TmpFacts::NotADirectory(e.to_string()),
        };
        let (mut leftovers, mut busy) = (Vec::new(), 0);
        for (path, name) in entries {
            if in_use(env, &path, &name) {
                busy += 1;
            } else {
                leftovers.push(path);
            }
        }
        TmpFacts::Scratch { leftovers, busy }
    }

    fn findings(env: &DoctorEnv, facts: &TmpFacts) -> Vec<Finding> {
        let tmp = env.show(&env.home.tmp_dir());
        let id = FindingId::ToolchainLeftovers;
        let (leftovers, busy) = match facts {
            TmpFacts::NotADirectory(e) => {
                return vec![Finding::warning(id, e.clone())
                    .why("gover never removes anything through a link, so leftovers of interrupted installs stay there")
                    .fix(format!("remove the link or file {tmp} (`rm`, not `rm -r`); gover creates the directory again"))]
            }
            TmpFacts::Scratch { leftovers, busy } => (leftovers, *busy),
        };
        let mut out = Vec::new();
        if !leftovers.is_empty() {
            let names: Vec<String> = leftovers.iter().map(|p| env.show(p)).collect();
            let quoted: Vec<String> = leftovers
                .iter()
                .map(|p| sh_quote(&p.to_string_lossy()))
                .collect();
            out.push(
                Finding::warning(
                    id,
                    format!(
                        "{} leftover(s) of interrupted installs or uninstalls in {tmp}: {}",
                        leftovers.len(),
                        names.join(", ")
                    ),
                )
                .why("gover never uses them (an install is committed by renaming into toolchains/); they only take disk space")
                .fix(format!(
                    "the next `gover install` removes them; to free the space now: `rm -rf {}`",
                    quoted.join(" ")
                )),
            );
        }
        if busy > 0 {
            out.push(Finding::ok(
                id,
                format!(
                    "{busy} entr{} in {tmp} belong to an install that is running",
                    if busy == 1 { "y" } else { "ies" }
                ),
            ));
        }
        out
    }
}

/// Whether a running gover owns the scratch entry `name` at `path`.
fn in_use(env: &DoctorEnv, path: &Path, name: &ScratchName) -> bool {
    match gover_dist::lock::try_acquire(&env.home, &name.owner) {
        Ok(Some(_free)) => false,
        Ok(None) => true,
        Err(_) => {
            let age = std::fs::symlink_metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| env.now.duration_since(t).ok())
                .unwrap_or_default();
            age < LEFTOVER_AGE
        }
    }
}

/// The state of the `gover` link beside the shims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoverLink {
    /// It leads to an executable.
    Ok,
    /// It exists but leads nowhere.
    Dangling,
    /// It does not exist.
    Missing,
    /// Not used on this platform.
    NotUsed,
}

/// What the shims directory holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShimFacts {
    /// Whether the directory exists.
    pub(crate) dir: bool,
    /// `go` and `gofmt`, when missing.
    pub(crate) missing: Vec<String>,
    /// Version shims missing for installed toolchains.
    pub(crate) missing_versions: Vec<String>,
    /// The `gover` link.
    pub(crate) gover_link: GoverLink,
    /// Version shims of toolchains that are not installed.
    pub(crate) orphans: Vec<PathBuf>,
    /// Every shim (`go`, `gofmt`, `go<version>`).
    pub(crate) shims: Vec<PathBuf>,
    /// The shims that are not the installed `gover-shim`; `None` when there
    /// is no `gover-shim` to compare with.
    pub(crate) stale: Option<Vec<PathBuf>>,
}

/// The shims: present, current, and one `go<version>` per toolchain.
pub(crate) struct Shims;

impl Check for Shims {
    type Facts = ShimFacts;

    fn facts(env: &DoctorEnv) -> ShimFacts {
        let dir = env.home.shims_dir();
        let installed = env.home.installed().unwrap_or_default();
        let missing = ["go", "gofmt"]
            .iter()
            .filter(|t| !dir.join(exe_name(t)).is_file())
            .map(|t| t.to_string())
            .collect();
        let missing_versions = installed
            .iter()
            .map(GoVersion::toolchain_name)
            .filter(|n| !dir.join(exe_name(n)).is_file())
            .collect();
        let (shims, orphans) = shim_entries(&dir, &installed);
        let stale = env.shim_source.as_deref().map(|src| {
            shims
                .iter()
                .filter(|p| !same_shim(src, p))
                .cloned()
                .collect()
        });
        ShimFacts {
            dir: dir.is_dir(),
            missing,
            missing_versions,
            gover_link: gover_link(&dir.join("gover")),
            orphans,
            shims,
            stale,
        }
    }

    fn findings(env: &DoctorEnv, f: &ShimFacts) -> Vec<Finding> {
        let shown = env.show(&env.home.shims_dir());
        if !f.dir {
            return vec![Finding::problem(
                FindingId::ShimsMissing,
                format!("gover's shims are not installed ({shown} does not exist)"),
            )
            .why("without them `go` is never gover's")
            .fix("`gover setup`")];
        }
        let mut out = Vec::new();
        missing_shims(f, &shown, &mut out);
        gover_link_finding(env, f.gover_link, &mut out);
        if !f.orphans.is_empty() {
            let names: Vec<String> = f.orphans.iter().map(|p| env.show(p)).collect();
            out.push(
                Finding::warning(
                    FindingId::ShimsOrphaned,
                    format!(
                        "version shims for toolchains that are not installed: {}",
                        names.join(", ")
                    ),
                )
                .why("running one installs that version again (or fails when auto-install is off)")
                .fix("`gover setup --no-modify-rc` (removes shims of toolchains that are gone)"),
            );
        }
        out.extend(currency(env, f, &shown));
        out
    }
}

const RELINK: &str = "`gover setup --no-modify-rc` (relinks every shim)";

fn missing_shims(f: &ShimFacts, shown: &str, out: &mut Vec<Finding>) {
    if !f.missing.is_empty() {
        out.push(
            Finding::problem(
                FindingId::ShimsMissing,
                format!("{} missing from {shown}", f.missing.join(" and ")),
            )
            .why("that command is not gover's (or not found at all)")
            .fix(RELINK),
        );
    }
    if !f.missing_versions.is_empty() {
        out.push(
            Finding::warning(
                FindingId::ShimsMissing,
                format!("no version shim for {} in {shown}", f.missing_versions.join(", ")),
            )
            .why("Makefiles that run `go1.X.Y` and Go's own toolchain switching (GOTOOLCHAIN=path/auto) look for these names on PATH")
            .fix(RELINK),
        );
    }
}

/// The `gover` link beside the shims (Unix), through which the shim finds
/// gover to auto-install where gover itself is not on PATH.
fn gover_link_finding(env: &DoctorEnv, link: GoverLink, out: &mut Vec<Finding>) {
    let shown = env.show(&env.home.shims_dir().join("gover"));
    let message = match link {
        GoverLink::Ok | GoverLink::NotUsed => return,
        GoverLink::Dangling => {
            format!("{shown} points at no gover executable (was gover moved or removed?)")
        }
        GoverLink::Missing => format!("{shown} is missing"),
    };
    out.push(
        Finding::warning(FindingId::ShimsGoverLink, message)
            .why("the shim finds gover there to install a pinned version that is missing; in sessions without gover on PATH (`ssh host go build`, cron) auto-install fails")
            .fix("`gover setup --no-modify-rc` (links the gover you run it with)"),
    );
}

/// Whether the shims are the installed `gover-shim`.
fn currency(env: &DoctorEnv, f: &ShimFacts, shown: &str) -> Option<Finding> {
    let Some(source) = env.shim_source.as_deref() else {
        let beside = env
            .gover_exe
            .as_deref()
            .map_or_else(|| "gover".into(), |p| env.show(p));
        return Some(
            Finding::warning(
                FindingId::ShimsStale,
                format!("cannot tell whether the shims are current: there is no gover-shim beside {beside}"),
            )
            .why("gover setup links the gover-shim that sits beside gover; without it the shims cannot be updated")
            .fix("reinstall gover with gover-shim beside it (`scripts/install` from a clone of gover)"),
        );
    };
    let stale = f.stale.as_deref().unwrap_or_default();
    if stale.is_empty() {
        return f.missing.is_empty().then(|| {
            Finding::ok(
                FindingId::ShimsCurrent,
                format!(
                    "{} shim(s) in {shown} are the installed gover-shim ({})",
                    f.shims.len(),
                    env.show(source)
                ),
            )
        });
    }
    let names: Vec<String> = stale
        .iter()
        .map(|p| {
            gover_core::text::untrusted(&p.file_name().unwrap_or_default().to_string_lossy())
                .to_string()
        })
        .collect();
    Some(
        Finding::problem(
            FindingId::ShimsStale,
            format!(
                "{} shim(s) in {shown} are not the installed gover-shim ({}): {}",
                stale.len(),
                env.show(source),
                names.join(", ")
            ),
        )
        .why("they are left over from another gover build; `go` keeps running the old shim's code")
        .fix(RELINK),
    )
}

/// The shims in `dir` (`go`, `gofmt`, `go<version>`), and the version shims
/// whose toolchain is not installed.
fn shim_entries(dir: &Path, installed: &[GoVersion]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut shims, mut orphans) = (Vec::new(), Vec::new());
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let bare = name
            .strip_suffix(std::env::consts::EXE_SUFFIX)
            .unwrap_or(&name);
        if bare == "go" || bare == "gofmt" {
            shims.push(e.path());
        } else if let Some(v) = bare.strip_prefix("go").and_then(GoVersion::parse) {
            shims.push(e.path());
            if !installed.contains(&v) {
                orphans.push(e.path());
            }
        }
    }
    shims.sort();
    orphans.sort();
    (shims, orphans)
}

fn gover_link(link: &Path) -> GoverLink {
    if !cfg!(unix) {
        return GoverLink::NotUsed;
    }
    match (std::fs::symlink_metadata(link), link.is_file()) {
        (Ok(_), true) => GoverLink::Ok,
        (Ok(_), false) => GoverLink::Dangling,
        (Err(_), _) => GoverLink::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn run(m: &Machine) -> Vec<Finding> {
        let mut out = check::<Toolchains>(m);
        out.extend(check::<Leftovers>(m));
        out.extend(check::<Shims>(m));
        out
    }

    #[test]
    fn healthy_toolchains() {
        let m = Machine::new();
        m.install("1.22.10");
        m.install("1.20");
        let f = run(&m);
        let ok = one(&f, "toolchain.ok");
        assert_eq!(
            ok.message,
            "go1.20, go1.22.10 run and report their own version"
        );
    }

    #[test]
    fn broken_toolchains() {
        let mut m = Machine::new();
        m.fake_goroot("gover/toolchains/go1.22.10", "1.22.10", "1.21.0");
        m.install("1.23.0");
        m.script("gover/toolchains/go1.23.0/bin/go", "echo boom >&2; exit 2");
        m.install("1.21.0");
        std::fs::remove_dir_all(m.path("gover/toolchains/go1.21.0/pkg")).unwrap();
        std::fs::create_dir_all(m.path("gover/toolchains/go1.20.1/src")).unwrap();
        m.install("1.19.1");
        m.script("gover/toolchains/go1.19.1/bin/go", "sleep 5");
        m.env.command_timeout = Duration::from_millis(300);
        std::fs::create_dir_all(m.path("gover/toolchains/banana")).unwrap();
        let f = run(&m);
        let w = one(&f, "toolchain.wrong-version");
        assert!(
            w.message.ends_with("reports go1.21.0, not go1.22.10"),
            "{}",
            w.message
        );
        assert!(w
            .fix
            .as_deref()
            .unwrap()
            .contains("&& gover install 1.22.10`"));
        let b = with_id(&f, "toolchain.broken");
        assert_eq!(b.len(), 2, "{f:#?}");
        assert!(
            b.iter()
                .any(|x| x.message.contains("did not finish within 0.3s")),
            "{b:#?}"
        );
        assert!(
            b.iter().any(|x| x.message.contains("status 2: boom")),
            "{b:#?}"
        );
        let inc = with_id(&f, "toolchain.incomplete");
        assert_eq!(inc.len(), 2);
        assert!(inc
            .iter()
            .any(|x| x.message.contains("go1.20.1 has no bin/go")));
        assert!(inc
            .iter()
            .any(|x| x.message.contains("go1.21.0 has no pkg/tool")));
        assert_eq!(
            one(&f, "toolchain.unknown-entry").severity,
            Severity::Warning
        );
        assert!(with_id(&f, "toolchain.ok").is_empty());
    }

    #[test]
    fn leftovers_by_lock_and_age() {
        let mut m = Machine::new();
        // A running install holds its version's lock.
        std::fs::create_dir_all(m.path("gover/tmp/go1.23.0@install-99-1-0")).unwrap();
        let held = gover_dist::lock::try_acquire(
            &m.env.home,
            &gover_core::home::LockName::parse("go1.23.0").unwrap(),
        )
        .unwrap()
        .unwrap();
        // An interrupted one does not.
        std::fs::create_dir_all(m.path("gover/tmp/go1.22.10@install-1234-5-0")).unwrap();
        // Not gover's: never mentioned, however old.
        for other in ["stray", "backup@2024", "go1.22.10@install-01-5-0"] {
            std::fs::create_dir_all(m.path(&format!("gover/tmp/{other}"))).unwrap();
        }
        let f = run(&m);
        let l = with_id(&f, "toolchain.leftovers");
        assert_eq!(l.len(), 2, "{f:#?}");
        let warn = l.iter().find(|x| x.severity == Severity::Warning).unwrap();
        assert!(
            warn.message.starts_with("1 leftover(s)"),
            "{}",
            warn.message
        );
        assert!(warn.message.contains("go1.22.10@install-1234-5-0"));
        assert!(warn.fix.as_deref().unwrap().contains("rm -rf "), "{warn:?}");
        let ok = l.iter().find(|x| x.severity == Severity::Ok).unwrap();
        assert!(ok.message.starts_with("1 entry"), "{}", ok.message);
        drop(held);
        m.env.now += LEFTOVER_AGE * 2;
        let f = run(&m);
        let l = one(&f, "toolchain.leftovers");
        assert!(l.message.starts_with("2 leftover(s)"), "{}", l.message);
        for other in ["stray", "backup@2024", "install-01-"] {
            assert!(!l.message.contains(other), "{}", l.message);
            assert!(!l.fix.as_deref().unwrap().contains(other));
        }
        // A linked tmp/ is never cleaned through.
        std::fs::rename(m.path("gover/tmp"), m.path("elsewhere")).unwrap();
        std::os::unix::fs::symlink(m.path("elsewhere"), m.path("gover/tmp")).unwrap();
        let l = one(&run(&m), "toolchain.leftovers").clone();
        assert_eq!(l.severity, Severity::Warning);
        assert!(l.message.contains("is not a directory"), "{}", l.message);
    }

    #[test]
    fn shims_current_missing_stale_orphaned() {
        let mut m = Machine::new();
        let f = run(&m);
        assert_eq!(one(&f, "shims.missing").severity, Severity::Problem);

        let src = m.script("bin/gover-shim", "echo new shim");
        m.env.shim_source = Some(src.clone());
        m.install("1.22.10");
        std::fs::create_dir_all(m.path("gover/shims")).unwrap();
        std::fs::hard_link(&src, m.path("gover/shims/go")).unwrap();
        std::fs::copy(&src, m.path("gover/shims/gofmt")).unwrap();
        std::fs::hard_link(&src, m.path("gover/shims/go1.22.10")).unwrap();
        let f = run(&m);
        let ok = one(&f, "shims.current");
        assert_eq!(ok.severity, Severity::Ok, "{f:#?}");
        assert!(ok.message.starts_with("3 shim(s)"));
        // No `gover` link beside them yet, then a dangling one, then a good one.
        let l = one(&f, "shims.gover-link");
        assert_eq!(l.severity, Severity::Warning);
        assert!(
            l.message.ends_with("shims/gover is missing"),
            "{}",
            l.message
        );
        std::os::unix::fs::symlink(m.path("nowhere/gover"), m.path("gover/shims/gover")).unwrap();
        let f = run(&m);
        let l = one(&f, "shims.gover-link");
        assert!(
            l.message.contains("points at no gover executable"),
            "{}",
            l.message
        );
        std::fs::remove_file(m.path("gover/shims/gover")).unwrap();
        let gover = m.script("bin/gover", "echo gover");
        std::os::unix::fs::symlink(gover, m.path("gover/shims/gover")).unwrap();
        assert!(run(&m).iter().all(|x| x.id != FindingId::ShimsGoverLink));

        // An old copy, a missing version shim, an orphan.
        m.script("gover/shims/gofmt", "echo old shim");
        m.install("1.23.0");
        std::fs::hard_link(&src, m.path("gover/shims/go1.21.0")).unwrap();
        let f = run(&m);
        let s = one(&f, "shims.stale");
        assert_eq!(s.severity, Severity::Problem);
        assert!(s.message.ends_with(": gofmt"), "{}", s.message);
        assert_eq!(
            s.fix.as_deref(),
            Some("`gover setup --no-modify-rc` (relinks every shim)")
        );
        let mv = one(&f, "shims.missing");
        assert_eq!(mv.severity, Severity::Warning);
        assert!(mv.message.contains("go1.23.0"));
        let o = one(&f, "shims.orphaned");
        assert!(o.message.contains("go1.21.0"));

        // No gover-shim beside gover: a warning, not a guess.
        m.env.shim_source = None;
        let f = run(&m);
        assert_eq!(one(&f, "shims.stale").severity, Severity::Warning);
    }
}
