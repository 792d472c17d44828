//! The pin for the current directory: resolvable, installed, and in step
//! with the governing go.mod/go.work.

use std::path::PathBuf;

use gover_core::pinfile::ToolchainLine;
use gover_core::resolve::{resolve, ResolveContext};
use gover_core::toolenv::{find_system_tool, FileId};
use gover_core::{env as vars, PinSource, Resolution, ResolveError, VersionRequest};

use gover_core::text::untrusted;

use super::id::FindingId;
use super::model::{Check, DoctorEnv, Finding};

/// Resolves the pin for [`DoctorEnv::cwd`] as the shim would, also finding
/// the governing go.mod/go.work.
pub(crate) fn resolve_pin(env: &DoctorEnv) -> Result<Resolution, ResolveError> {
    let mut ctx = ResolveContext::from_vars(env.home.clone(), env.cwd.clone(), |k| {
        env.vars.get(k).cloned()
    });
    ctx.want_project = true;
    resolve(&ctx)
}

fn source_text(env: &DoctorEnv, s: &PinSource) -> String {
    match s.path() {
        Some(p) => env.show(p),
        None => s.to_string(),
    }
}

/// What is pinned here.
#[derive(Debug)]
pub(crate) struct PinFacts {
    /// The resolution, or why there is none.
    pub(crate) pin: Result<Resolution, ResolveError>,
    /// For a `system` pin: the `go` on `PATH` outside gover, if any.
    pub(crate) system_go: Option<PathBuf>,
}

/// The pin for the current directory.
pub(crate) struct Pin;

impl Check for Pin {
    type Facts = PinFacts;

    fn facts(env: &DoctorEnv) -> PinFacts {
        let pin = resolve_pin(env);
        let system_go = match &pin {
            Ok(r) if r.request == VersionRequest::System => system_go(env).map(|t| t.path),
            _ => None,
        };
        PinFacts { pin, system_go }
    }

    fn findings(env: &DoctorEnv, f: &PinFacts) -> Vec<Finding> {
        let r = match &f.pin {
            Ok(r) => r,
            Err(e) => return vec![unresolved(env, e)],
        };
        let source = untrusted(&r.source.to_string()).to_string();
        if r.request == VersionRequest::System {
            return vec![match &f.system_go {
                Some(p) => Finding::ok(FindingId::PinInstalled, format!("`system` ({source}) runs {}", env.show(p))),
                None => Finding::problem(
                    FindingId::PinSystemMissing,
                    format!("this directory is pinned to `system` ({source}), but there is no go on PATH outside gover"),
                )
                .why("`go` fails here")
                .fix("pin a version gover installs (`gover use 1.22`), or install a system Go"),
            }];
        }
        let mut out = vec![installed(env, r, &source)];
        out.extend(older_than_go_line(env, r, &source));
        out.extend(toolchain_line(env, r));
        out
    }
}

/// The `go` on `PATH` that is not gover's shim.
pub(crate) fn system_go(env: &DoctorEnv) -> Option<gover_core::toolenv::SystemTool> {
    let shim = env.shim_source.as_deref().and_then(FileId::of);
    let path = env
        .var("PATH")
        .map(|p| p.to_os_string())
        .unwrap_or_default();
    find_system_tool("go", &path, &env.home, shim)
}

fn unresolved(env: &DoctorEnv, e: &ResolveError) -> Finding {
    if let ResolveError::NoPin { .. } = e {
        return Finding::warning(FindingId::PinNone, format!("no Go version is pinned for {}", env.show(&env.cwd)))
            .why(format!("`go` fails here: {e}"))
            .fix("`gover use --global 1.22` sets a default for everywhere; `gover use 1.22` pins this directory");
    }
    let f = Finding::problem(FindingId::PinInvalid, e.to_string())
        .why("every `go` command here fails with this error");
    match e.hint() {
        Some(h) => f.fix(h),
        None => f,
    }
}

fn installed(env: &DoctorEnv, r: &Resolution, source: &str) -> Finding {
    let name = r.display_name();
    if r.installed {
        return Finding::ok(
            FindingId::PinInstalled,
            format!("{name} ({source}) is installed"),
        );
    }
    let why = if env.auto_install() {
        "the first `go` command here downloads and installs it, which fails offline or behind a firewall and slows that command down"
    } else {
        "auto-install is off, so `go` fails here with `gover: error: ... is not installed`"
    };
    let what = match (&r.request, &r.version) {
        (VersionRequest::Line(l), None) => {
            format!("no Go {} release ({source}) is installed", l.lang())
        }
        (VersionRequest::Latest | VersionRequest::Stable, None) => {
            format!("`{}` ({source}) has no installed release", r.request)
        }
        _ => format!("{name} ({source}) is not installed"),
    };
    Finding::problem(FindingId::PinNotInstalled, what)
        .why(why)
        .fix(format!(
            "`gover install` (run here: it installs what this directory pins, {name})"
        ))
}

fn older_than_go_line(env: &DoctorEnv, r: &Resolution, source: &str) -> Option<Finding> {
    let (project, min) = r.older_than_project()?;
    let fix = match &r.source {
        PinSource::GoVersionFile(p) | PinSource::ToolVersions(p) => format!(
            "pin {} or newer: `gover use {}` in {} (rewrites {}), or delete {} to let go.mod decide",
            min.toolchain_name(),
            min.lang(),
            p.parent().map_or_else(String::new, |d| env.show(d)),
            env.show(p),
            env.show(p),
        ),
        PinSource::Env => format!("`unset {}` or set it to {} or newer", vars::GOVER_GO_VERSION, min.lang()),
        _ => format!("`gover use {}` here, or `gover use --global {}`", min.lang(), min.lang()),
    };
    Some(
        Finding::problem(
            FindingId::PinOlderThanGoLine,
            format!(
                "{} ({source}) is older than the go line of {} (go {})",
                r.display_name(),
                env.show(&project.path),
                project.go.as_ref().map(|g| g.to_string()).unwrap_or_default()
            ),
        )
        .why(format!(
            "Go refuses to build the module: `go: {} requires go >= {} (running go {}; GOTOOLCHAIN=local)`",
            project.kind.file_name(),
            min.as_str(),
            r.version.as_ref().map_or_else(String::new, |v| v.as_str().to_string())
        ))
        .fix(fix),
    )
}

fn toolchain_line(env: &DoctorEnv, r: &Resolution) -> Option<Finding> {
    let (project, v) = (r.project.as_ref()?, r.version.as_ref()?);
    let Some(ToolchainLine::Name(tname, tv)) = &project.toolchain else {
        return None;
    };
    let from_project = matches!(
        r.source,
        PinSource::ProjectToolchain(..) | PinSource::ProjectGoLine { .. }
    );
    if from_project || v >= tv {
        return None;
    }
    let pinned_by = source_text(env, &r.source);
    Some(
        Finding::warning(
            FindingId::PinToolchainLine,
            format!(
                "{} asks for `toolchain {tname}`, newer than {} pinned by {pinned_by}",
                env.show(&project.path),
                r.display_name(),
            ),
        )
        .why("the module's authors build with the newer toolchain; with GOTOOLCHAIN=local Go runs the older pin without a word, so builds and vet results can differ from theirs")
        .fix(format!("`gover use {}` (or remove {pinned_by} to let go.mod decide)", tv.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn run(m: &Machine) -> Vec<Finding> {
        check::<Pin>(m)
    }

    #[test]
    fn installed_pin_is_ok() {
        let m = Machine::new();
        m.install("1.22.10");
        m.write("project/.go-version", "1.22\n");
        let f = run(&m);
        let ok = one(&f, "pin.installed");
        assert_eq!(ok.severity, Severity::Ok);
        assert!(
            ok.message.starts_with("go1.22.10 (set by "),
            "{}",
            ok.message
        );
    }

    #[test]
    fn uninstalled_pin() {
        let mut m = Machine::new();
        m.write("project/.go-version", "1.22.10\n");
        let f = run(&m);
        let p = one(&f, "pin.not-installed");
        assert_eq!(p.severity, Severity::Problem);
        assert!(p.message.starts_with("go1.22.10 (set by "), "{}", p.message);
        assert!(p.fix.as_deref().unwrap().starts_with("`gover install`"));
        assert!(p.why.as_deref().unwrap().contains("downloads"));
        m.env.settings.as_mut().unwrap().auto_install.value = false;
        let f = run(&m);
        assert!(one(&f, "pin.not-installed")
            .why
            .as_deref()
            .unwrap()
            .contains("auto-install is off"));
        m.write("project/.go-version", "1.21\n");
        let f = run(&m);
        assert!(one(&f, "pin.not-installed")
            .message
            .starts_with("no Go 1.21 release"));
    }

    #[test]
    fn no_pin_and_bad_pin() {
        let m = Machine::new();
        let f = run(&m);
        let w = one(&f, "pin.none");
        assert_eq!(w.severity, Severity::Warning);
        assert!(w.fix.as_deref().unwrap().contains("gover use --global"));
        m.write("project/.go-version", "banana\n");
        let f = run(&m);
        let p = one(&f, "pin.invalid");
        assert_eq!(p.severity, Severity::Problem);
        assert!(p.message.contains(".go-version"), "{}", p.message);
        assert!(p.fix.is_some());
    }

    #[test]
    fn go_version_older_than_go_line() {
        let m = Machine::new();
        m.install("1.21.5");
        m.write("project/.go-version", "1.21.5\n");
        m.write("project/go.mod", "module x\n\ngo 1.22.0\n");
        let f = run(&m);
        let p = one(&f, "pin.older-than-go-line");
        assert_eq!(p.severity, Severity::Problem);
        assert!(p.message.contains("(go 1.22.0)"), "{}", p.message);
        assert!(
            p.why.as_deref().unwrap().contains(
                "go: go.mod requires go >= 1.22.0 (running go 1.21.5; GOTOOLCHAIN=local)"
            ),
            "{p:?}"
        );
        assert!(
            p.fix.as_deref().unwrap().contains("`gover use 1.22`"),
            "{p:?}"
        );
        // In step: nothing to say.
        m.write("project/go.mod", "module x\n\ngo 1.21.0\n");
        assert!(with_id(&run(&m), "pin.older-than-go-line").is_empty());
    }

    #[test]
    fn toolchain_line_newer_than_pin() {
        let m = Machine::new();
        m.install("1.22.1");
        m.write("project/.go-version", "1.22.1\n");
        m.write(
            "project/go.mod",
            "module x\n\ngo 1.22.0\n\ntoolchain go1.22.10\n",
        );
        let f = run(&m);
        let w = one(&f, "pin.toolchain-line");
        assert_eq!(w.severity, Severity::Warning);
        assert!(
            w.message
                .contains("`toolchain go1.22.10`, newer than go1.22.1"),
            "{}",
            w.message
        );
        assert!(w.fix.as_deref().unwrap().starts_with("`gover use 1.22.10`"));
        // The toolchain line itself as the pin: fine.
        std::fs::remove_file(m.path("project/.go-version")).unwrap();
        let f = run(&m);
        assert!(with_id(&f, "pin.toolchain-line").is_empty(), "{f:#?}");
    }

    #[test]
    fn system_pin_needs_a_system_go() {
        let mut m = Machine::new();
        m.write("project/.go-version", "system\n");
        let f = run(&m);
        assert_eq!(one(&f, "pin.system-missing").severity, Severity::Problem);
        m.fake_goroot("opt/go", "1.21.0", "1.21.0");
        let bin = m.path("opt/go/bin");
        m.path_prepend(&bin);
        let f = run(&m);
        assert_eq!(one(&f, "pin.installed").severity, Severity::Ok);
    }

    #[test]
    fn env_var_pin() {
        let mut m = Machine::new();
        m.install("1.22.10");
        m.set("GOVER_GO_VERSION", "1.22.10");
        let f = run(&m);
        assert!(one(&f, "pin.installed")
            .message
            .contains("GOVER_GO_VERSION"));
    }
}
