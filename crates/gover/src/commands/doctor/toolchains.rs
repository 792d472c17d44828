//! Installed toolchains (complete, run, report the version their directory
//! names), leftovers of interrupted installs, and shims in step with the
//! installed `gover-shim`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gover_core::home::exe_name;
use gover_core::toolenv::FileId;
use gover_core::GoVersion;

use super::model::{DoctorEnv, Finding};
use crate::quote::sh_quote;

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

/// Checks every entry of `$GOVER_HOME/toolchains`.
pub(crate) fn check_toolchains(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let dir = env.home.toolchains_dir();
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    let mut good = Vec::new();
    for path in entries {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let shown = env.show(&path);
        let Some(version) = name.strip_prefix("go").and_then(GoVersion::parse) else {
            out.push(
                Finding::warning(
                    "toolchain.unknown-entry",
                    format!("{shown} is not a toolchain gover installed"),
                )
                .why("gover ignores it; it only takes space")
                .fix(format!(
                    "`rm -rf {}`",
                    sh_quote(&path.display().to_string())
                )),
            );
            continue;
        };
        let reinstall = format!(
            "`rm -rf {} && gover install {}`",
            sh_quote(&path.display().to_string()),
            version.as_str()
        );
        if !path.join("bin").join(exe_name("go")).is_file() {
            out.push(
                Finding::problem("toolchain.incomplete", format!("{shown} has no bin/go"))
                    .why(format!("gover treats {name} as not installed, and the directory blocks a fresh install"))
                    .fix(reinstall),
            );
            continue;
        }
        if !path.join("pkg").join("tool").is_dir() {
            out.push(
                Finding::problem(
                    "toolchain.incomplete",
                    format!("{shown} has no pkg/tool (compiler, linker)"),
                )
                .why("`go build` fails with `go: no such tool \"compile\"`")
                .fix(reinstall),
            );
            continue;
        }
        match reported_version(env, &path) {
            Ok(reported) if reported == name => good.push(name),
            Ok(reported) => out.push(
                Finding::problem(
                    "toolchain.wrong-version",
                    format!("{shown}/bin/go reports {reported}, not {name}"),
                )
                .why(format!("every pin of {name} silently runs {reported}"))
                .fix(reinstall),
            ),
            Err(e) => out.push(
                Finding::problem(
                    "toolchain.broken",
                    format!("{shown}/bin/go does not run: {e}"),
                )
                .why(format!("every go command pinned to {name} fails"))
                .fix(reinstall),
            ),
        }
    }
    if !good.is_empty() {
        out.push(Finding::ok(
            "toolchain.ok",
            format!("{} run and report their own version", good.join(", ")),
        ));
    }
}

/// Entries of `$GOVER_HOME/tmp` no install is working on: an install
/// names its scratch directory `go<version>@...` and holds that version's
/// lock while it runs, so an entry whose lock is free is a leftover; other
/// entries count as leftovers once older than [`LEFTOVER_AGE`].
pub(crate) fn check_leftovers(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let tmp = env.home.tmp_dir();
    let Ok(rd) = std::fs::read_dir(&tmp) else {
        return;
    };
    let mut old = Vec::new();
    let mut busy = 0;
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let age = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| env.now.duration_since(t).ok())
            .unwrap_or_default();
        let in_use = match name.split_once('@') {
            Some((toolchain, _)) if toolchain.starts_with("go") => {
                match gover_core::home::LockName::parse(toolchain) {
                    Some(owner) => gover_dist::lock::is_held(&env.home, &owner),
                    None => age < LEFTOVER_AGE,
                }
            }
            _ => age < LEFTOVER_AGE,
        };
        if in_use {
            busy += 1;
        } else {
            old.push(e.path());
        }
    }
    old.sort();
    if !old.is_empty() {
        let names: Vec<String> = old.iter().map(|p| env.show(p)).collect();
        out.push(
            Finding::warning(
                "toolchain.leftovers",
                format!(
                    "{} leftover(s) of interrupted installs or uninstalls in {}: {}",
                    old.len(),
                    env.show(&tmp),
                    names.join(", ")
                ),
            )
            .why("gover never uses them (an install is committed by renaming into toolchains/); they only take disk space")
            .fix(format!(
                "the next `gover install` removes them; to free the space now: `rm -rf {}`",
                old.iter()
                    .map(|p| sh_quote(&p.display().to_string()))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        );
    }
    if busy > 0 {
        out.push(Finding::ok(
            "toolchain.leftovers",
            format!(
                "{busy} entr{} in {} belong to an install that is running",
                if busy == 1 { "y" } else { "ies" },
                env.show(&tmp)
            ),
        ));
    }
}

/// True when `a` is the same file as `b` (a link) or has the same bytes (a copy).
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (FileId::of(a), FileId::of(b)) {
        if x == y {
            return true;
        }
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(ma), Ok(mb)) if ma.len() == mb.len() => {
            matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// The shims: present, current, and one `go<version>` per toolchain.
pub(crate) fn check_shims(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let shims = env.home.shims_dir();
    let shown = env.show(&shims);
    let fix = "`gover setup --no-modify-rc` (relinks every shim)";
    if !shims.is_dir() {
        out.push(
            Finding::problem(
                "shims.missing",
                format!("gover's shims are not installed ({shown} does not exist)"),
            )
            .why("without them `go` is never gover's")
            .fix("`gover setup`"),
        );
        return;
    }
    let mut missing = Vec::new();
    for tool in ["go", "gofmt"] {
        let p = shims.join(exe_name(tool));
        if !p.is_file() {
            missing.push(tool.to_string());
        }
    }
    let installed = env.home.installed().unwrap_or_default();
    let mut missing_versions = Vec::new();
    for v in &installed {
        let p = shims.join(exe_name(&v.toolchain_name()));
        if !p.is_file() {
            missing_versions.push(v.toolchain_name());
        }
    }
    if !missing.is_empty() {
        out.push(
            Finding::problem(
                "shims.missing",
                format!("{} missing from {shown}", missing.join(" and ")),
            )
            .why("that command is not gover's (or not found at all)")
            .fix(fix),
        );
    }
    if !missing_versions.is_empty() {
        out.push(
            Finding::warning(
                "shims.missing",
                format!("no version shim for {} in {shown}", missing_versions.join(", ")),
            )
            .why("Makefiles that run `go1.X.Y` and Go's own toolchain switching (GOTOOLCHAIN=path/auto) look for these names on PATH")
            .fix(fix),
        );
    }
    // The `gover` link beside the shims (Unix), through which the shim
    // finds gover to auto-install where gover itself is not on PATH.
    if cfg!(unix) {
        let link = shims.join("gover");
        let shown_link = env.show(&link);
        match (std::fs::symlink_metadata(&link), link.is_file()) {
            (Ok(_), true) => {}
            (meta, _) => out.push(
                Finding::warning(
                    "shims.gover-link",
                    if meta.is_ok() {
                        format!("{shown_link} points at no gover executable (was gover moved or removed?)")
                    } else {
                        format!("{shown_link} is missing")
                    },
                )
                .why("the shim finds gover there to install a pinned version that is missing; in sessions without gover on PATH (`ssh host go build`, cron) auto-install fails")
                .fix("`gover setup --no-modify-rc` (links the gover you run it with)"),
            ),
        }
    }
    // Version shims whose toolchain is gone.
    let mut orphans = Vec::new();
    let mut current = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&shims) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let bare = name
                .strip_suffix(std::env::consts::EXE_SUFFIX)
                .unwrap_or(&name);
            if bare == "go" || bare == "gofmt" {
                current.push(e.path());
                continue;
            }
            if let Some(v) = bare.strip_prefix("go").and_then(GoVersion::parse) {
                current.push(e.path());
                if !installed.contains(&v) {
                    orphans.push(e.path());
                }
            }
        }
    }
    current.sort();
    orphans.sort();
    if !orphans.is_empty() {
        out.push(
            Finding::warning(
                "shims.orphaned",
                format!(
                    "version shims for toolchains that are not installed: {}",
                    orphans
                        .iter()
                        .map(|p| env.show(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .why("running one installs that version again (or fails when auto-install is off)")
            .fix("`gover setup --no-modify-rc` (removes shims of toolchains that are gone)"),
        );
    }
    let Some(source) = env.shim_source.as_deref() else {
        out.push(
            Finding::warning(
                "shims.stale",
                format!(
                    "cannot tell whether the shims are current: there is no gover-shim beside {}",
                    env.gover_exe.as_deref().map_or_else(|| "gover".into(), |p| p.display().to_string())
                ),
            )
            .why("gover setup links the gover-shim that sits beside gover; without it the shims cannot be updated")
            .fix("reinstall gover with gover-shim beside it (`scripts/install` from a clone of gover)"),
        );
        return;
    };
    let stale: Vec<&PathBuf> = current.iter().filter(|p| !same_file(p, source)).collect();
    if stale.is_empty() {
        if missing.is_empty() {
            out.push(Finding::ok(
                "shims.current",
                format!(
                    "{} shim(s) in {shown} are the installed gover-shim ({})",
                    current.len(),
                    source.display()
                ),
            ));
        }
    } else {
        out.push(
            Finding::problem(
                "shims.stale",
                format!(
                    "{} shim(s) in {shown} are not the installed gover-shim ({}): {}",
                    stale.len(),
                    source.display(),
                    stale.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect::<Vec<_>>().join(", ")
                ),
            )
            .why("they are left over from another gover build; `go` keeps running the old shim's code")
            .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn run(m: &Machine) -> Vec<Finding> {
        let mut out = Vec::new();
        check_toolchains(&m.env, &mut out);
        check_leftovers(&m.env, &mut out);
        check_shims(&m.env, &mut out);
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
        // Something else: judged by age.
        std::fs::create_dir_all(m.path("gover/tmp/stray")).unwrap();
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
        assert!(ok.message.starts_with("2 entries"), "{}", ok.message);
        drop(held);
        m.env.now += LEFTOVER_AGE * 2;
        let f = run(&m);
        let l = one(&f, "toolchain.leftovers");
        assert!(l.message.starts_with("3 leftover(s)"), "{}", l.message);
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
        assert!(run(&m).iter().all(|x| x.id != "shims.gover-link"));

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
