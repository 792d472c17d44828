//! `gover doctor [--json] [--network]`: checks the live environment and,
//! for every problem, says what is wrong, why it matters and the exact fix.
//!
//! Each check ([`model::Check`]) gathers typed facts from a [`DoctorEnv`]
//! (environment variables, the current directory, gover's home and
//! settings, and a root for system files) and turns them into findings,
//! each with a [`FindingId`]; so every check is unit-tested on constructed
//! machines. This module builds the live environment, runs the checks and
//! prints the findings ([`render`]). Exit 0 when nothing is a problem
//! (warnings do not fail), 1 otherwise.

mod config;
mod goenv;
pub(crate) mod id;
mod model;
mod network;
mod path;
mod pins;
mod platform;
mod render;
mod shell;
mod toolchains;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use gover_core::resolve::logical_cwd;
use gover_core::settings::Layers;
use gover_core::GoverHome;
use gover_dist::http::{Fetched, Http, HttpConfig, Validators};
use gover_dist::source::DEFAULT_MAX_INDEX_BYTES;
use gover_dist::{Index, NoProgress, Platform};

use crate::app::Settings;
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::error::UserError;
use crate::output::{Paint, Stream};

use model::run as check;
pub(crate) use model::{DoctorEnv, Finding, IndexPlatforms, IndexProbe, Severity};

/// Runs every check, in the order they are printed within a severity.
pub(crate) fn check_all(env: &DoctorEnv) -> Vec<Finding> {
    [
        check::<config::ConfigFile>,
        check::<path::GoOnPath>,
        check::<shell::StartupFiles>,
        check::<toolchains::Shims>,
        check::<pins::Pin>,
        check::<goenv::Goroot>,
        check::<goenv::GoEnvFile>,
        check::<goenv::Gotoolchain>,
        check::<goenv::Go111Module>,
        check::<goenv::GoBin>,
        check::<goenv::Wsl>,
        check::<toolchains::Toolchains>,
        check::<toolchains::Leftovers>,
        check::<network::Downloads>,
        check::<platform::Host>,
    ]
    .iter()
    .flat_map(|c| c(env))
    .collect()
}

/// The largest local index file the probe reads.
const MAX_LOCAL_INDEX: u64 = 64 << 20;

/// Reads a local index file without blocking on a FIFO or device.
fn read_local_index(p: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let (file, _) = gover_core::fs::open_regular(p)?;
    let mut bytes = Vec::new();
    file.take(MAX_LOCAL_INDEX).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The archive `--network` asks the mirrors for: the host's of the newest
/// stable release the index lists.
fn probe_file(index: &Index, host: &Platform) -> Option<String> {
    let newest = index.releases.iter().find(|r| r.stable)?;
    let file = newest.archive_for(host, &index.url).ok()?;
    Some(file.filename.clone())
}

/// Asks the index whether it answers (`--network`); with the archive to
/// ask the mirrors for when it does.
fn probe_index(settings: &Settings, host: &Platform) -> (IndexProbe, Option<String>) {
    if settings.offline.value {
        return (IndexProbe::Offline, None);
    }
    let url = settings.index_url.value.expose();
    let failed =
        |e: gover_dist::Error| IndexProbe::Failed(e.to_string(), e.hint().map(str::to_string));
    let local = settings.index_url.value.file_path();
    let bytes = if let Some(p) = local {
        match read_local_index(&p) {
            Ok(b) => b,
            Err(e) => {
                let e = format!("cannot read {}: {e}", p.display());
                return (IndexProbe::Failed(e, None), None);
            }
        }
    } else {
        let config = HttpConfig {
            timeout: settings.http_timeout.value,
            retries: 0,
            ..HttpConfig::default()
        };
        let fetched = Http::new(config).and_then(|h| {
            h.fetch(
                &settings.index_url.value,
                &Validators::default(),
                DEFAULT_MAX_INDEX_BYTES,
                &NoProgress,
            )
        });
        match fetched {
            Ok(Fetched::Body(b, _)) => b,
            Ok(Fetched::NotModified) => {
                let said = format!("{} answered 304 Not Modified", settings.index_url.value);
                return (IndexProbe::Answered(said), None);
            }
            Err(e) => return (failed(e), None),
        }
    };
    match Index::parse(&bytes, url) {
        Ok(index) => (
            IndexProbe::Answered(describe_index(&index)),
            probe_file(&index, host),
        ),
        Err(e) => (failed(e), None),
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
        gover_core::url::mask_in_text(&index.url),
        index.releases.len()
    )
}

/// What the cached index (never the network) says about the host.
fn cached_platforms(
    home: &GoverHome,
    settings: &Settings,
    host: &Platform,
) -> Option<IndexPlatforms> {
    let index = crate::candidates::cached_index(home, settings)?;
    let newest = index.releases.iter().find(|r| r.stable)?;
    Some(IndexPlatforms {
        newest: newest.version.toolchain_name(),
        has_host_archive: newest
            .archive_for(host, settings.index_url.value.expose())
            .is_ok(),
    })
}

/// The live machine.
fn live_env(global: &GlobalArgs, args: &DoctorArgs) -> Result<DoctorEnv> {
    let vars: BTreeMap<String, std::ffi::OsString> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .collect();
    let cwd = logical_cwd()
        .map_err(|e| UserError::new(format!("cannot determine the current directory: {e}")))?;
    let home = GoverHome::from_env().map_err(UserError::from)?;
    // Unknown keys are the config check's finding, not a reason to stop:
    // the settings are computed without that check.
    let layers = Layers::from_process(&home).map_err(|e| e.to_string());
    let settings = match &layers {
        Ok(l) => Settings::values(l, global.offline).map_err(|e| e.to_string()),
        Err(e) => Err(e.clone()),
    };
    let config = layers
        .as_ref()
        .map(|l| l.files().to_vec())
        .map_err(Clone::clone);
    let host = Platform::host();
    let (index_probe, mirror_probes) = match (&settings, args.network) {
        (Ok(s), true) => {
            let (probe, file) = probe_index(s, &host);
            let rewrites = layers.as_ref().ok().and_then(|l| l.preset_rewrites().ok());
            let mirrors = network::probe_mirrors(s, &rewrites.unwrap_or_default(), file.as_deref());
            (probe, mirrors)
        }
        (Err(e), true) => (
            IndexProbe::Failed(format!("cannot check: {e}"), None),
            Vec::new(),
        ),
        (_, false) => (IndexProbe::NotRequested, Vec::new()),
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
        gover_exe: std::env::current_exe().ok(),
        shim_source: crate::shimlinks::shim_source().ok(),
        host,
        command_timeout: Duration::from_secs(10),
        index_probe,
        mirror_probes,
        index_platforms,
        now: SystemTime::now(),
    })
}

pub(crate) fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<ExitCode> {
    let env = live_env(global, args)?;
    let findings = check_all(&env);
    let text = if args.json {
        render::json(&findings)? + "\n"
    } else {
        render::text(&findings, global.quiet, Paint::for_stream(Stream::Stdout))
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let problem = findings.iter().any(|f| f.severity == Severity::Problem);
    Ok(if problem {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
            crate::shell::block::BLOCK_START,
            m.env.home.shims_dir().display(),
            crate::shell::block::BLOCK_END
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
        let text = render::text(&f, false, Paint::default());
        assert!(text.starts_with("ok:\n"), "{text}");
        assert!(
            text.ends_with("No problems found (0 warnings).\n"),
            "{text}"
        );
        assert!(render::text(&f, true, Paint::default()).starts_with("No problems found"));
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
        let text = render::text(&f, false, Paint::default());
        assert!(text.contains("problems:\n  path.shadowed: "), "{text}");
        assert!(
            text.contains("      fix: `sudo apt remove golang-go golang-src`"),
            "{text}"
        );
        assert!(text.ends_with("then run `gover doctor` again.\n"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&render::json(&f).unwrap()).unwrap();
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
        let mut c =
            gover_core::config::Config::parse("mirror = \"https://m/\"\ncolour = true\n").unwrap();
        c.path = Some(m.env.home.config_file());
        m.env.config = Ok(vec![c]);
        let f = check_all(&m.env);
        let c = one(&f, "config");
        assert_eq!(c.severity, Severity::Problem);
        assert!(
            c.message.contains(":2: unknown key `colour`"),
            "{}",
            c.message
        );
        m.env.settings = Err("GOVER_AUTO_INSTALL=maybe is not a boolean; use 1 or 0".into());
        let f = check_all(&m.env);
        assert!(with_id(&f, "config")
            .iter()
            .any(|x| x.severity == Severity::Problem));
    }
}
