//! `gover doctor [--json] [--network]`: checks the live environment and,
//! for every problem, says what is wrong, why it matters and the exact fix.
//!
//! The checks are functions of a [`DoctorEnv`] (environment variables, the
//! current directory, gover's home and settings, and a root for system
//! files), so each is unit-tested on constructed machines; this module
//! builds the live one, runs the checks and prints the findings. Exit 0
//! when nothing is a problem (warnings do not fail), 1 otherwise.

mod goenv;
mod model;
mod network;
mod path;
mod pins;
mod platform;
mod shell;
mod toolchains;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use gover_core::config::{Config, KEYS};
use gover_core::resolve::logical_cwd;
use gover_core::url::Url;
use gover_core::GoverHome;
use gover_dist::http::{Fetched, Http, HttpConfig, Validators};
use gover_dist::source::{Dist, Sources, DEFAULT_MAX_INDEX_BYTES};
use gover_dist::{Index, NoProgress, Platform};

use crate::app::Settings;
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::error::UserError;

pub(crate) use model::{DoctorEnv, Finding, IndexPlatforms, IndexProbe, Severity};

/// Runs every check, in the order they are printed within a severity.
pub(crate) fn check_all(env: &DoctorEnv) -> Vec<Finding> {
    let mut out = Vec::new();
    let pin = pins::resolve_pin(env);
    check_config(env, &mut out);
    path::check(env, &mut out);
    shell::check(env, &mut out);
    toolchains::check_shims(env, &mut out);
    pins::check(env, &pin, &mut out);
    goenv::check_goroot(env, pin.as_ref().ok(), &mut out);
    goenv::check_gotoolchain(env, &mut out);
    goenv::check_go111module(env, &mut out);
    goenv::check_gobin(env, &mut out);
    goenv::check_wsl(env, &mut out);
    toolchains::check_toolchains(env, &mut out);
    toolchains::check_leftovers(env, &mut out);
    network::check(env, &mut out);
    platform::check(env, pin.as_ref().ok(), &mut out);
    out
}

/// `config.toml`: readable, known keys, valid settings.
fn check_config(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let file = env.show(&env.home.config_file());
    match &env.config {
        Err(e) => out.push(
            Finding::problem("config", e.clone())
                .why("every gover command and the shim refuse to run until it is fixed")
                .fix(format!(
                    "fix that line of {file}; it holds plain `key = value` lines with the keys {}",
                    KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                )),
        ),
        Ok(c) => {
            let unknown: Vec<&str> = c
                .keys()
                .filter(|k| !KEYS.iter().any(|(known, _)| known == k))
                .collect();
            if !unknown.is_empty() {
                out.push(
                    Finding::warning(
                        "config",
                        format!("{file} sets unknown keys: {}", unknown.join(", ")),
                    )
                    .why(
                        "gover ignores them, so whatever they were meant to change does not happen",
                    )
                    .fix(format!(
                        "remove or rename them; the keys are {}",
                        KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
            match &env.settings {
                Err(e) => out.push(
                    Finding::problem("config", e.clone())
                        .why("every gover command refuses to run until it is fixed")
                        .fix("correct or unset that variable or setting (see docs/reference.md)"),
                ),
                Ok(_) if c.path.is_some() && unknown.is_empty() => out.push(Finding::ok(
                    "config",
                    format!("{file}: {} setting(s), all valid", c.keys().count()),
                )),
                Ok(_) if c.path.is_none() => out.push(Finding::ok(
                    "config",
                    format!("no {file}: default settings"),
                )),
                Ok(_) => {}
            }
        }
    }
}

/// Asks the index whether it answers (`--network`).
fn probe_index(settings: &Settings) -> IndexProbe {
    if settings.offline {
        return IndexProbe::Offline;
    }
    let url = &settings.index_url;
    let parsed = match Url::parse(url) {
        Ok(u) => u,
        Err(e) => return IndexProbe::Failed(e.to_string(), None),
    };
    let bytes = if let Some(p) = parsed.file_path() {
        match std::fs::read(&p) {
            Ok(b) => b,
            Err(e) => return IndexProbe::Failed(format!("cannot read {}: {e}", p.display()), None),
        }
    } else {
        let http = match Http::new(HttpConfig {
            timeout: settings.http_timeout,
            retries: 0,
            ..HttpConfig::default()
        }) {
            Ok(h) => h,
            Err(e) => return IndexProbe::Failed(e.to_string(), e.hint().map(str::to_string)),
        };
        match http.fetch(
            &parsed,
            &Validators::default(),
            DEFAULT_MAX_INDEX_BYTES,
            &NoProgress,
        ) {
            Ok(Fetched::Body(b, _)) => b,
            Ok(Fetched::NotModified) => {
                return IndexProbe::Answered(format!("{url} answered 304 Not Modified"))
            }
            Err(e) => return IndexProbe::Failed(e.to_string(), e.hint().map(str::to_string)),
        }
    };
    match Index::parse(&bytes, url) {
        Ok(index) => IndexProbe::Answered(describe_index(&index)),
        Err(e) => IndexProbe::Failed(e.to_string(), e.hint().map(str::to_string)),
    }
}

fn describe_index(index: &Index) -> String {
    let newest = index
        .releases
        .iter()
        .find(|r| r.stable)
        .map(|r| r.version.toolchain_name())
        .unwrap_or_else(|| "no stable release".into());
    format!(
        "{} lists {} releases, newest stable {newest}",
        index.url,
        index.releases.len()
    )
}

/// What the cached index (never the network) says about the host.
fn cached_platforms(
    home: &GoverHome,
    settings: &Settings,
    host: &Platform,
) -> Option<IndexPlatforms> {
    let dist = Dist::new(
        home.clone(),
        Sources {
            index_url: Url::parse(&settings.index_url).ok()?,
            offline: true,
            ..Sources::default()
        },
    );
    let index = dist.cached_index()?;
    let newest = index.releases.iter().find(|r| r.stable)?;
    Some(IndexPlatforms {
        newest: newest.version.toolchain_name(),
        has_host_archive: newest.archive_for(host, &settings.index_url).is_ok(),
    })
}

/// The live machine.
fn live_env(global: &GlobalArgs, args: &DoctorArgs) -> Result<DoctorEnv> {
    let vars: BTreeMap<String, std::ffi::OsString> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    let cwd = logical_cwd()
        .map_err(|e| UserError::new(format!("cannot determine the current directory: {e}")))?;
    let home = GoverHome::from_env().map_err(|e| UserError::new(e.to_string()))?;
    let config = Config::load(&home.config_file()).map_err(|e| e.to_string());
    let settings = match &config {
        Ok(c) => Settings::load(c, global.offline).map_err(|e| e.to_string()),
        Err(e) => Err(e.clone()),
    };
    let gover_exe = std::env::current_exe().ok();
    let shim_source = crate::shimlinks::shim_source().ok();
    let host = Platform::host();
    let index_probe = match (&settings, args.network) {
        (Ok(s), true) => probe_index(s),
        (Err(e), true) => IndexProbe::Failed(format!("cannot check: {e}"), None),
        (_, false) => IndexProbe::NotRequested,
    };
    let index_platforms = settings
        .as_ref()
        .ok()
        .and_then(|s| cached_platforms(&home, s, &host));
    Ok(DoctorEnv {
        root: "/".into(),
        vars,
        cwd,
        home,
        config,
        settings,
        gover_exe,
        shim_source,
        host,
        command_timeout: Duration::from_secs(10),
        index_probe,
        index_platforms,
        now: SystemTime::now(),
    })
}

/// The findings as people read them: grouped ok, warnings, problems, with
/// `why:` and `fix:` lines, then a summary.
pub(crate) fn render_text(findings: &[Finding], quiet: bool) -> String {
    let mut s = String::new();
    let groups = [
        (Severity::Ok, "ok"),
        (Severity::Warning, "warnings"),
        (Severity::Problem, "problems"),
    ];
    for (sev, title) in groups {
        if quiet && sev == Severity::Ok {
            continue;
        }
        let items: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if items.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(title);
        s.push_str(":\n");
        for f in items {
            s.push_str(&format!("  {}: {}\n", f.id, indent(&f.message, 4)));
            if let Some(w) = &f.why {
                s.push_str(&format!("      why: {}\n", indent(w, 11)));
            }
            if let Some(x) = &f.fix {
                s.push_str(&format!("      fix: {}\n", indent(x, 11)));
            }
        }
    }
    let problems = findings
        .iter()
        .filter(|f| f.severity == Severity::Problem)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    if !s.is_empty() {
        s.push('\n');
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if problems == 0 {
        s.push_str(&format!(
            "No problems found ({}).\n",
            plural(warnings, "warning")
        ));
    } else {
        s.push_str(&format!(
            "{}, {}: apply the fixes above, then run `gover doctor` again.\n",
            plural(problems, "problem"),
            plural(warnings, "warning")
        ));
    }
    s
}

fn indent(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The findings as a JSON array of `{id, severity, message, why, fix}`.
pub(crate) fn render_json(findings: &[Finding]) -> Result<String> {
    Ok(serde_json::to_string_pretty(findings)?)
}

pub(crate) fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<ExitCode> {
    let env = live_env(global, args)?;
    let findings = check_all(&env);
    let text = if args.json {
        render_json(&findings)? + "\n"
    } else {
        render_text(&findings, global.quiet)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(
        if findings.iter().any(|f| f.severity == Severity::Problem) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

#[cfg(test)]
mod tests {
    use super::model::testenv::{all_ok, one, with_id, Machine};
    use super::*;
    use std::os::unix::fs::symlink;

    /// A machine where everything is in order.
    fn healthy() -> Machine {
        let mut m = Machine::new();
        let shim = m.script("bin/gover-shim", "echo shim");
        m.env.shim_source = Some(shim.clone());
        m.install("1.22.10");
        std::fs::create_dir_all(m.path("gover/shims")).unwrap();
        for name in ["go", "gofmt", "go1.22.10"] {
            std::fs::hard_link(&shim, m.path(&format!("gover/shims/{name}"))).unwrap();
        }
        let gover = m.script("bin/gover", "echo gover");
        symlink(gover, m.path("gover/shims/gover")).unwrap();
        m.write("project/.go-version", "1.22.10\n");
        let block = format!(
            "{}\nexport PATH={}\"${{PATH:+:$PATH}}\"\n{}\n",
            shell::BLOCK_START,
            m.env.home.shims_dir().display(),
            shell::BLOCK_END
        );
        m.write(
            "home/.bashrc",
            &format!("{block}case $- in\n  *i*) ;;\n  *) return;;\nesac\n"),
        );
        m.write("home/.profile", &block);
        m.write("root/lib64/ld-linux-x86-64.so.2", "");
        let gobin = m.path("home/go/bin");
        m.path_prepend(&gobin);
        let shims = m.env.home.shims_dir();
        m.path_prepend(&shims);
        m
    }

    #[test]
    fn healthy_machine_has_no_warnings_or_problems() {
        let m = healthy();
        let f = check_all(&m.env);
        all_ok(&f);
        let text = render_text(&f, false);
        assert!(text.starts_with("ok:\n"), "{text}");
        assert!(
            text.ends_with("No problems found (0 warnings).\n"),
            "{text}"
        );
        assert!(render_text(&f, true).starts_with("No problems found"));
    }

    #[test]
    fn broken_machine_reports_each_problem_with_a_fix() {
        let mut m = healthy();
        // apt's go first, a stale GOROOT, GO111MODULE=off, no rc block, an
        // uninstalled pin.
        m.fake_goroot("sys/usr/lib/go-1.21", "1.21.5", "1.21.5");
        std::fs::create_dir_all(m.path("sys/usr/bin")).unwrap();
        symlink("../lib/go-1.21/bin/go", m.path("sys/usr/bin/go")).unwrap();
        let apt = m.path("sys/usr/bin");
        m.path_prepend(&apt);
        m.set("GOROOT", m.path("sys/usr/lib/go-1.21"));
        m.set("GO111MODULE", "off");
        m.write("home/.bashrc", "alias ll='ls -l'\n");
        m.write("project/.go-version", "1.23.4\n");
        let f = check_all(&m.env);
        for id in [
            "path.shadowed",
            "goroot.env",
            "go111module",
            "shell.bashrc",
            "pin.not-installed",
        ] {
            let x = one(&f, id);
            assert_eq!(x.severity, Severity::Problem, "{x:?}");
            assert!(x.fix.is_some(), "{x:?}");
        }
        let text = render_text(&f, false);
        assert!(text.contains("problems:\n  path.shadowed: "), "{text}");
        assert!(
            text.contains("      fix: `sudo apt remove golang-go golang-src`"),
            "{text}"
        );
        assert!(text.ends_with("then run `gover doctor` again.\n"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&render_json(&f).unwrap()).unwrap();
        let arr = json.as_array().unwrap();
        assert_eq!(arr.len(), f.len());
        let first_problem = arr.iter().find(|x| x["severity"] == "problem").unwrap();
        let keys: Vec<&String> = first_problem.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["fix", "id", "message", "severity", "why"]);
    }

    #[test]
    fn config_problems() {
        let mut m = healthy();
        m.env.config = Err(format!(
            "{}:1: invalid key `?`",
            m.env.home.config_file().display()
        ));
        let f = check_all(&m.env);
        assert_eq!(one(&f, "config").severity, Severity::Problem);
        let mut c = Config::parse("mirror = \"https://m/\"\ncolour = true\n").unwrap();
        c.path = Some(m.env.home.config_file());
        m.env.config = Ok(c);
        let f = check_all(&m.env);
        let c = one(&f, "config");
        assert_eq!(c.severity, Severity::Warning);
        assert!(c.message.contains("unknown keys: colour"), "{}", c.message);
        m.env.settings = Err("GOVER_AUTO_INSTALL=maybe is not a boolean; use 1 or 0".into());
        let f = check_all(&m.env);
        assert!(with_id(&f, "config")
            .iter()
            .any(|x| x.severity == Severity::Problem));
    }
}
