//! gover's release path end to end, on fresh homes with no Rust toolchain
//! on PATH, against loopback servers:
//!
//! - `install.sh` (run by `sh`, which is dash on Debian, and by dash
//!   itself; with curl and with wget) installing a release, and refusing a
//!   bad checksum, a download cut short, a short file, a missing release
//!   and an unknown platform (a faked `uname`), installing nothing;
//! - `gover self update` refusing a bad checksum, an interrupted download,
//!   a download killed half-way and a binary of the wrong version, the old
//!   binaries untouched each time;
//! - with the releases `scripts/dist` built (`GOVER_DIST_DIR`, and
//!   `GOVER_DIST_NEXT_DIR` for the same tree built as a newer version by
//!   `scripts/dist --version`): `curl -fsSL .../install.sh | sh` then
//!   `gover use --global 1.22` giving a working `go` in under 10 s (the
//!   real Go archives of `scripts/real-go-archives` when present),
//!   `gover self update` to the newer build and back with the shims
//!   relinked, and the wheel installed into a clean virtual environment.
//!   `.ci/run` builds both and sets `GOVER_REQUIRE_DIST`, which turns their
//!   absence into a failure; without them the tests say so and pass.
//!
//! The installer and failure tests use a release made here from the
//! binaries under test (`support::release`).

use crate::support;
use crate::support::archive;
use crate::support::mirror::{self, Fault, Mirror};
use crate::support::release::{self as rel, archive_name, release_files, sha256sums};

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{gover_bin, run, shim_bin, Run};

type Files = Vec<(String, Vec<u8>)>;

use rel::{under_test as test_release, VERSION};

/// A fresh machine: an empty HOME, a PATH of system directories only.
struct Machine {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    path: String,
    vars: Vec<(String, String)>,
}

impl Machine {
    fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("gover-release")
            .tempdir()
            .unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        fs::create_dir_all(&home).unwrap();
        fs::create_dir_all(root.join("tmp")).unwrap();
        // Nothing reaches past loopback, whatever a test forgets to set.
        let nowhere = "http://127.0.0.1:9/nowhere";
        let m = Self {
            _tmp: tmp,
            root,
            home,
            path: "/usr/local/bin:/usr/bin:/bin".into(),
            vars: ["GOVER_INSTALL_BASE_URL", "GOVER_MIRROR", "GOVER_INDEX_URL"]
                .map(|k| (k.to_string(), nowhere.to_string()))
                .into(),
        };
        let r = m.sh("command -v cargo rustc rustup || true");
        assert_eq!(r.stdout, "", "a Rust toolchain is on the test PATH");
        m
    }

    fn set(&mut self, k: &str, v: impl Into<String>) -> &mut Self {
        self.vars.push((k.into(), v.into()));
        self
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("HOME", &self.home)
            .env("PATH", &self.path)
            .env("SHELL", "/bin/bash")
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", self.root.join("tmp"))
            .env("GOVER_NO_PROGRESS", "1")
            // Go's proxy and checksum database stay out of reach: the
            // cross-check of an install finds the database unreachable at
            // once (a warning) instead of asking the internet.
            .env("GOPROXY", "off")
            .env("GOSUMDB", crate::support::CLOSED_SUMDB)
            .current_dir(&self.home);
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// `sh -c SCRIPT`.
    fn sh(&self, script: &str) -> Run {
        run(self.command("sh").args(["-c", script]))
    }

    fn bin(&self) -> PathBuf {
        self.home.join(".local/bin")
    }

    fn shims(&self) -> PathBuf {
        self.home.join(".local/share/gover/shims")
    }

    /// The installed `gover ARGS...`.
    fn gover(&self, args: &[&str]) -> Run {
        run(self.command(self.bin().join("gover")).args(args))
    }

    /// Whatever `install.sh` left in TMPDIR.
    fn tmp_leftovers(&self) -> Vec<String> {
        names(&self.root.join("tmp"))
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn curl_pipe(m: &Mirror, prefix: &str, args: &str) -> String {
    format!(
        "curl -fsSL {}{prefix}/install.sh | sh -s -- {args}",
        m.url()
    )
}

/// A release server with `files` at `/latest/`.
fn server(files: &Files) -> Mirror {
    let m = Mirror::start();
    rel::serve(&m, "latest", files);
    m
}

// ---------------------------------------------------------------- install.sh

#[test]
fn installer_installs_verified_binaries_and_runs_setup() {
    let s = server(test_release());
    let mut m = Machine::new();
    m.set("GOVER_INSTALL_BASE_URL", format!("{}latest", s.url()));
    let r = m.sh(&curl_pipe(&s, "latest", "")).success();
    assert!(
        r.stderr.contains(&format!(
            "gover-install: installed gover {VERSION} and gover-shim to {}",
            m.bin().display()
        )),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "gover-install: note: {} is not on PATH",
            m.bin().display()
        )),
        "{r}"
    );
    // gover setup ran: shims linked, bash startup files changed.
    assert!(r.stdout.contains("Linked shims into"), "{r}");
    assert!(fs::read_to_string(m.home.join(".bashrc"))
        .unwrap()
        .contains("# >>> gover >>>"));
    for b in ["gover", "gover-shim"] {
        let p = m.bin().join(b);
        assert_eq!(fs::read(&p).unwrap(), rel::stripped(&bin_under_test(b)));
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }
    assert_eq!(
        fs::metadata(m.shims().join("go")).unwrap().ino(),
        fs::metadata(m.bin().join("gover-shim")).unwrap().ino()
    );
    assert_eq!(names(&m.bin()), ["gover", "gover-shim"], "leftovers");
    assert_eq!(m.tmp_leftovers(), Vec::<String>::new());
    assert_eq!(
        m.gover(&["--version"]).success().stdout,
        format!("gover {VERSION}\n")
    );

    // Again with dash itself, wget instead of curl, --no-setup and another
    // bin directory (GOVER_BIN_DIR); GOVER_VERSION finds /v<V>/ beside /latest/.
    rel::serve(&s, &format!("v{VERSION}"), test_release());
    let m = Machine::new();
    let no_curl = path_without(&m.root, "curl");
    let bin2 = m.root.join("bin2");
    let script = format!(
        "wget -q -O - {}latest/install.sh | GOVER_VERSION={VERSION} GOVER_BIN_DIR={} GOVER_INSTALL_BASE_URL={}latest dash -s -- --no-setup",
        s.url(),
        bin2.display(),
        s.url()
    );
    let r = run(m
        .command("dash")
        .env("PATH", &no_curl)
        .args(["-c", &script]))
    .success();
    assert!(r.stderr.contains("skipped `gover setup`"), "{r}");
    assert!(!m.shims().exists(), "--no-setup ran setup");
    assert!(bin2.join("gover-shim").is_file());
    let wanted = format!("v{VERSION}/{}", archive_name(VERSION));
    assert!(
        s.requests().iter().any(|q| q.path == wanted
            && q.header("user-agent").is_some_and(|u| u.contains("Wget"))),
        "wget did not fetch {wanted}"
    );
}

/// The file under test that `install.sh` should have installed as `name`.
fn bin_under_test(name: &str) -> PathBuf {
    match name {
        "gover" => gover_bin(),
        _ => shim_bin(),
    }
}

/// A PATH of symlinks to every program of /usr/bin and /bin but `missing`.
fn path_without(root: &Path, missing: &str) -> String {
    let dir = root.join(format!("path-without-{missing}"));
    fs::create_dir_all(&dir).unwrap();
    for sys in ["/usr/bin", "/bin"] {
        for e in fs::read_dir(sys).unwrap() {
            let e = e.unwrap();
            let link = dir.join(e.file_name());
            if e.file_name() != missing && !link.exists() {
                let _ = std::os::unix::fs::symlink(e.path(), &link);
            }
        }
    }
    dir.display().to_string()
}

#[test]
fn installer_refuses_bad_downloads_and_installs_nothing() {
    let files = test_release();
    let archive = archive_name(VERSION);
    let body = &files.iter().find(|(n, _)| *n == archive).unwrap().1;
    let s = server(files);
    let base = format!("{}latest", s.url());

    let attempt = || {
        let mut m = Machine::new();
        m.set("GOVER_INSTALL_BASE_URL", base.clone());
        // An older gover is in place and must stay.
        fs::create_dir_all(m.bin()).unwrap();
        fs::write(m.bin().join("gover"), "old gover").unwrap();
        let r = m.sh(&curl_pipe(&s, "latest", "")).failure();
        assert_eq!(
            fs::read_to_string(m.bin().join("gover")).unwrap(),
            "old gover",
            "{r}"
        );
        assert_eq!(names(&m.bin()), ["gover"], "{r}");
        assert_eq!(m.tmp_leftovers(), Vec::<String>::new(), "{r}");
        assert!(!m.shims().exists(), "{r}");
        r
    };

    // A checksum that does not match.
    let mut tampered = files.clone();
    tampered.retain(|(n, _)| *n != archive);
    let mut sums = sha256sums(&tampered);
    sums.push_str(&format!("{}  {archive}\n", "0".repeat(64)));
    s.put("latest/SHA256SUMS", sums.into_bytes());
    let r = attempt();
    assert!(
        r.stderr.contains(&format!(
            "gover-install: error: checksum mismatch for {archive} ({} bytes): SHA256SUMS says {}",
            body.len(),
            "0".repeat(64)
        )),
        "{r}"
    );
    assert!(r.stderr.contains("nothing was installed"), "{r}");
    rel::serve(&s, "latest", files);

    // A download cut short (the server claims the full length).
    s.fault(
        &format!("latest/{archive}"),
        Fault::TruncateAt(body.len() / 2),
        None,
    );
    let r = attempt();
    assert!(r.stderr.contains("was cut short (curl exit 18)"), "{r}");
    // A short file, served as complete: the checksum catches it.
    s.fault(
        &format!("latest/{archive}"),
        Fault::ShortFile(body.len() / 2),
        None,
    );
    let r = attempt();
    assert!(r.stderr.contains("checksum mismatch"), "{r}");
    s.clear_fault(&format!("latest/{archive}"));

    // No release at the base URL.
    let r = {
        let mut m = Machine::new();
        m.set("GOVER_INSTALL_BASE_URL", format!("{}nothing-here", s.url()));
        m.sh(&curl_pipe(&s, "latest", "")).failure()
    };
    assert!(
        r.stderr.contains(&format!(
            "gover-install: error: {}nothing-here/VERSION could not be downloaded",
            s.url()
        )),
        "{r}"
    );

    // Platforms without a build: a faked uname.
    for (os, arch, want) in [
        (
            "SunOS",
            "sun4v",
            "no gover build for this platform (SunOS sun4v)",
        ),
        (
            "Linux",
            "riscv64",
            "no gover build for this platform (Linux riscv64)",
        ),
        (
            "Darwin",
            "ppc",
            "no gover build for this platform (Darwin ppc)",
        ),
    ] {
        let mut m = Machine::new();
        let fake = m.root.join("fake-uname");
        fs::create_dir_all(&fake).unwrap();
        crate::support::write_exe(
            &fake.join("uname"),
            format!(
                "#!/bin/sh\ncase $1 in -s) echo {os} ;; -m) echo {arch} ;; *) echo {os} ;; esac\n"
            )
            .as_bytes(),
            0o755,
        );
        m.path = format!("{}:{}", fake.display(), m.path);
        m.set("GOVER_INSTALL_BASE_URL", base.clone());
        let r = m.sh(&curl_pipe(&s, "latest", "")).failure();
        assert!(r.stderr.contains(want), "{r}");
        assert!(!m.bin().exists(), "{r}");
    }

    // A release without this platform's archive.
    let mut other = files.clone();
    other.retain(|(n, _)| *n != archive);
    let s2 = server(&other);
    let mut m = Machine::new();
    m.set("GOVER_INSTALL_BASE_URL", format!("{}latest", s2.url()));
    let r = m.sh(&curl_pipe(&s2, "latest", "")).failure();
    assert!(
        r.stderr.contains(&format!(
            "gover {VERSION} has no build for {}",
            rel::host_target()
        )),
        "{r}"
    );
    // And an option it does not know.
    let r = m.sh(&curl_pipe(&s, "latest", "--frobnicate")).failure();
    assert!(r.stderr.contains("unknown option --frobnicate"), "{r}");
}

// ---------------------------------------------------------------- self update

/// What must not change when an update fails: each binary's inode and bytes.
fn snapshot(m: &Machine) -> Vec<(PathBuf, u64, Vec<u8>)> {
    [
        m.bin().join("gover"),
        m.bin().join("gover-shim"),
        m.shims().join("go"),
    ]
    .into_iter()
    .map(|p| {
        let ino = fs::metadata(&p).unwrap().ino();
        let bytes = fs::read(&p).unwrap();
        (p, ino, bytes)
    })
    .collect()
}

fn scratch_dirs(m: &Machine) -> Vec<String> {
    names(&m.bin())
        .into_iter()
        .filter(|n| n.starts_with(".gover-update-"))
        .collect()
}

/// A machine with gover installed by `install.sh` from `s`'s `/latest/`,
/// the shims set up, and `GOVER_INSTALL_BASE_URL` pointing there.
fn installed(s: &Mirror) -> Machine {
    let mut m = Machine::new();
    m.set("GOVER_INSTALL_BASE_URL", format!("{}latest", s.url()));
    m.sh(&curl_pipe(s, "latest", "--no-modify-rc")).success();
    m
}

#[test]
fn self_update_failures_leave_the_old_binaries() {
    const NEXT: &str = "0.999.0";
    let s = server(test_release());
    let m = installed(&s);
    let before = snapshot(&m);
    // A "newer" release whose binaries are really this version's.
    let next = release_files(
        NEXT,
        rel::stripped(&gover_bin()),
        rel::stripped(&shim_bin()),
    );
    rel::serve(&s, "latest", &next);
    let archive = archive_name(NEXT);
    let body = next.iter().find(|(n, _)| *n == archive).unwrap().1.clone();
    let r = m.gover(&["self", "update", "--check"]);
    assert_eq!(r.code, 10, "{r}");
    assert_eq!(
        r.stdout,
        format!("gover {NEXT} is available (this is {VERSION}); run `gover self update`\n")
    );
    let unchanged = |r: &Run| {
        assert_eq!(snapshot(&m), before, "{r}");
        assert_eq!(scratch_dirs(&m), Vec::<String>::new(), "{r}");
    };

    // A checksum mismatch.
    let mut sums = sha256sums(&next);
    sums = sums.replace(&mirror::sha256_hex(&body), &"f".repeat(64));
    s.put("latest/SHA256SUMS", sums.into_bytes());
    let r = m.gover(&["self", "update"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: nothing was changed\n  caused by: checksum mismatch for {}latest/{archive} ({} bytes): SHA256SUMS says {}",
            s.url(),
            body.len(),
            "f".repeat(64)
        )),
        "{r}"
    );
    unchanged(&r);
    rel::serve(&s, "latest", &next);

    // The connection reset at the same place, every time.
    s.fault(
        &format!("latest/{archive}"),
        Fault::ResetAt(body.len() / 3),
        None,
    );
    let r = m.gover(&["self", "update"]).failure();
    assert!(r.stderr.contains("nothing was changed"), "{r}");
    assert!(
        r.stderr.contains(&format!("{}latest/{archive}", s.url())),
        "{r}"
    );
    unchanged(&r);

    // Killed in the middle of the download: the old binaries stay, and the
    // next run removes the scratch directory the killed one left.
    s.fault(
        &format!("latest/{archive}"),
        Fault::StallAt(body.len() / 3),
        None,
    );
    let mut child = m
        .command(m.bin().join("gover"))
        .args(["self", "update"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = m
        .bin()
        .join(format!(".gover-update-{}", child.id()))
        .join(&archive);
    let t = Instant::now();
    while fs::metadata(&partial).map_or(0, |md| md.len()) == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "no partial download at {}",
            partial.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(snapshot(&m), before);
    assert_eq!(scratch_dirs(&m).len(), 1);
    s.clear_fault(&format!("latest/{archive}"));

    // A binary that is not the version the release says: refused after the
    // download, before anything is replaced; the stale scratch is gone.
    let r = m.gover(&["self", "update"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "the new gover does not work here: `gover --version` said \"gover {VERSION}\"; nothing was changed"
        )),
        "{r}"
    );
    unchanged(&r);

    // Credentials in the base URL are never shown.
    let with_creds = format!("http://alice:s3cret@{}/latest", s.addr());
    let creds = |args: &[&str]| {
        run(m
            .command(m.bin().join("gover"))
            .args(args)
            .env("GOVER_INSTALL_BASE_URL", &with_creds))
    };
    let r = creds(&["self", "update", "--check"]);
    assert_eq!(r.code, 10, "{r}");
    let r = creds(&["self", "update"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "Downloading http://alice:***@{}/latest/",
            s.addr()
        )),
        "{r}"
    );
    assert!(!format!("{r}").contains("s3cret"), "{r}");
    unchanged(&r);

    // Bad requests.
    let r = m.gover(&["self", "update", "--to", "next"]).failure();
    assert!(
        r.stderr
            .contains("--to next is not a gover version (like 0.2.0)"),
        "{r}"
    );
    let r = m.gover(&["self", "update", "--to", "0.998.0"]).failure();
    assert!(
        r.stderr
            .contains(&format!("cannot find gover 0.998.0 at {}v0.998.0", s.url())),
        "{r}"
    );
    let r = m.gover(&["self", "update", "--offline"]).failure();
    assert!(r.stderr.contains("needs the network"), "{r}");
    let r = run(m
        .command(m.bin().join("gover"))
        .args(["self", "update"])
        .env("GOVER_INSTALL_BASE_URL", "ftp://example.org/gover"));
    assert!(r
        .failure()
        .stderr
        .contains("must be an http(s):// or file:// URL"));
    unchanged(&m.gover(&["--version"]).success());

    // A gover that pip installed is left to pip.
    fs::create_dir_all(
        m.home
            .join(".local/lib/python3.11/site-packages/gover-0.1.0.dist-info"),
    )
    .unwrap();
    let r = m.gover(&["self", "update"]).failure();
    assert!(r.stderr.contains("was installed from PyPI"), "{r}");
    assert!(r.stderr.contains("pipx upgrade gover"), "{r}");
    unchanged(&r);
}

// ---------------------------------------------------------------- scripts/dist

/// The releases `scripts/dist` built: `GOVER_DIST_DIR` and, when `next`,
/// `GOVER_DIST_NEXT_DIR` (a newer version of the same tree). `None`, with
/// a note, when they are not given (unless `GOVER_REQUIRE_DIST` is set).
fn dists(next: bool) -> Option<(Files, Option<Files>)> {
    let dir = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let a = dir("GOVER_DIST_DIR");
    let b = dir("GOVER_DIST_NEXT_DIR");
    if a.is_none() || (next && b.is_none()) {
        assert!(
            std::env::var_os("GOVER_REQUIRE_DIST").is_none(),
            "GOVER_REQUIRE_DIST is set (.ci/run sets it) but GOVER_DIST_DIR or GOVER_DIST_NEXT_DIR is not"
        );
        eprintln!("note: GOVER_DIST_DIR/GOVER_DIST_NEXT_DIR name no releases built by scripts/dist (see .ci/run); skipping");
        return None;
    }
    let a = rel::read_dist(&a.unwrap());
    Some((a, b.filter(|_| next).map(|b| rel::read_dist(&b))))
}

/// A Go mirror on loopback serving go1.22.10 (and go1.21.13): the real
/// archives of `scripts/real-go-archives` when present, else fake ones.
/// Returns it and whether the toolchains are real.
fn go_mirror() -> (Mirror, bool) {
    let m = Mirror::start();
    let dir = std::env::var_os("GOVER_REAL_GO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/gover-real-go")
        });
    let file = mirror::host_filename("1.22.10");
    if dir.join("index.json").is_file() && dir.join(&file).is_file() {
        m.put("index.json", fs::read(dir.join("index.json")).unwrap());
        for v in ["1.21.13", "1.22.10"] {
            let f = mirror::host_filename(v);
            if let Ok(b) = fs::read(dir.join(&f)) {
                m.put(&f, b);
            }
        }
        (m, true)
    } else {
        m.publish("1.22.10", archive::toolchain("1.22.10"));
        (m, false)
    }
}

/// Timed, so `.ci/run` runs it on its own, after the suite:
/// `cargo test --test e2e -- --ignored --exact release::one_line_install_gives_a_working_go_in_under_10_seconds`.
#[test]
#[ignore = "timed: .ci/run runs it alone, with the releases scripts/dist built"]
fn one_line_install_gives_a_working_go_in_under_10_seconds() {
    let Some((a, _)) = dists(false) else { return };
    let version = rel::dist_version(&a);
    let s = Mirror::start();
    rel::serve_dist(&s, "latest", &a);
    let (go, real) = go_mirror();
    let mut m = Machine::new();
    m.set("GOVER_INSTALL_BASE_URL", format!("{}latest", s.url()))
        .set("GOVER_MIRROR", go.url())
        .set("GOVER_INDEX_URL", go.index_url());
    let t = Instant::now();
    let r = m
        .sh(&format!(
            "curl -fsSL {}latest/install.sh | sh && bash -lc 'gover use --global 1.22 && go version && go env GOROOT'",
            s.url()
        ))
        .success();
    let took = t.elapsed();
    eprintln!(
        "install.sh + gover use --global 1.22 ({} Go): {:.2}s",
        if real { "real" } else { "fake" },
        took.as_secs_f64()
    );
    assert!(
        r.stderr
            .contains(&format!("installed gover {version} and gover-shim")),
        "{r}"
    );
    let goroot = m.home.join(".local/share/gover/toolchains/go1.22.10");
    assert!(
        r.stdout.contains(&format!(
            "go version go1.22.10 linux/amd64\n{}",
            if real {
                format!("{}\n", goroot.display())
            } else {
                "fake-go go1.22.10\n".to_string()
            }
        )),
        "{r}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}\n{r}");
    // The archive's gover is the one scripts/dist checked.
    assert_eq!(
        m.gover(&["--version"]).success().stdout,
        format!("gover {version}\n")
    );
}

#[test]
fn self_update_to_a_newer_build_and_back() {
    let Some((a, Some(b))) = dists(true) else {
        return;
    };
    let (va, vb) = (rel::dist_version(&a), rel::dist_version(&b));
    let s = Mirror::start();
    rel::serve_dist(&s, "latest", &a);
    rel::serve_dist(&s, &format!("v{va}"), &a);
    let mut m = installed(&s);
    let (go, _) = go_mirror();
    m.set("GOVER_MIRROR", go.url())
        .set("GOVER_INDEX_URL", go.index_url());
    m.gover(&["use", "--global", "1.22.10"]).success();
    let go_version = |m: &Machine| {
        for shim in ["go", "go1.22.10"] {
            let r = run(m.command(m.shims().join(shim)).arg("version")).success();
            assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
        }
    };
    let links_to_the_shim = |m: &Machine| {
        let ino = fs::metadata(m.bin().join("gover-shim")).unwrap().ino();
        for shim in ["go", "gofmt", "go1.22.10"] {
            assert_eq!(
                fs::metadata(m.shims().join(shim)).unwrap().ino(),
                ino,
                "{shim}"
            );
        }
    };
    go_version(&m);
    links_to_the_shim(&m);

    // The newer build is published.
    rel::serve_dist(&s, "latest", &b);
    rel::serve_dist(&s, &format!("v{vb}"), &b);
    let r = m.gover(&["self", "update", "--check"]);
    assert_eq!(r.code, 10, "{r}");
    let r = m.gover(&["self", "update"]).success();
    assert!(
        r.stderr.contains(&format!(
            "Updated gover from {va} to {vb} in {}",
            m.bin().display()
        )),
        "{r}"
    );
    assert_eq!(
        m.gover(&["--version"]).success().stdout,
        format!("gover {vb}\n")
    );
    assert_eq!(
        fs::read(m.bin().join("gover-shim")).unwrap(),
        extract(&b, &vb, "gover-shim")
    );
    links_to_the_shim(&m);
    go_version(&m);
    assert_eq!(scratch_dirs(&m), Vec::<String>::new());
    let r = m.gover(&["self", "update", "--check"]).success();
    assert_eq!(
        r.stdout,
        format!(
            "gover {vb} is up to date (newest at {}latest: {vb})\n",
            s.url()
        )
    );
    let r = m.gover(&["self", "update"]).success();
    assert!(
        r.stderr.contains(&format!("gover {vb} is up to date")),
        "{r}"
    );

    // And back.
    let r = m.gover(&["self", "update", "--to", &va]).success();
    assert!(
        r.stderr
            .contains(&format!("Downgraded gover from {vb} to {va}")),
        "{r}"
    );
    assert_eq!(
        m.gover(&["--version"]).success().stdout,
        format!("gover {va}\n")
    );
    assert_eq!(
        fs::read(m.bin().join("gover")).unwrap(),
        extract(&a, &va, "gover")
    );
    links_to_the_shim(&m);
    go_version(&m);
    assert_eq!(scratch_dirs(&m), Vec::<String>::new());
}

/// The bytes of `name` in the archive of release `files` for this machine.
fn extract(files: &Files, version: &str, name: &str) -> Vec<u8> {
    let archive = archive_name(version);
    let (_, body) = files
        .iter()
        .find(|(n, _)| *n == archive)
        .expect("the archive");
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("a.tar.gz"), body).unwrap();
    let member = format!("gover-{version}-{}/{name}", rel::host_target());
    let r = run(Command::new("tar")
        .args(["-xzf", "a.tar.gz", &member])
        .current_dir(tmp.path()));
    assert_eq!(r.code, 0, "{r}");
    fs::read(tmp.path().join(member)).unwrap()
}

#[test]
fn wheel_installs_and_works_in_a_clean_venv() {
    let Some((a, _)) = dists(false) else { return };
    let version = rel::dist_version(&a);
    let m = Machine::new();
    let wheel = a
        .iter()
        .find(|(n, _)| n.ends_with(".whl"))
        .expect("scripts/dist wrote a wheel");
    let whl = m.root.join(&wheel.0);
    fs::write(&whl, &wheel.1).unwrap();
    let venv = m.root.join("venv");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let r = run(Command::new(&python).args(["-m", "venv"]).arg(&venv));
    assert_eq!(r.code, 0, "python3 -m venv failed\n{r}");
    let r = run(m
        .command(venv.join("bin/pip"))
        .args([
            "install",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .arg(&whl));
    assert_eq!(r.code, 0, "{r}");
    for b in ["gover", "gover-shim"] {
        let p = venv.join("bin").join(b);
        let mode = fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{} is not executable", p.display());
    }
    let mut m = m;
    m.path = format!("{}:{}", venv.join("bin").display(), m.path);
    let gover_home = m.home.join(".local/share/gover");
    let r = m
        .sh("gover --version && gover setup --no-modify-rc")
        .success();
    assert!(r.stdout.starts_with(&format!("gover {version}\n")), "{r}");
    // A (fake) toolchain, the global default, and the shim runs it.
    support::write_fake_toolchain(&gover_home.join("toolchains/go1.22.10"), "1.22.10");
    fs::write(gover_home.join("version"), "1.22.10\n").unwrap();
    m.path = format!("{}:{}", gover_home.join("shims").display(), m.path);
    let r = m.sh("command -v go && go version && go env").success();
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some(gover_home.join("shims/go").to_str().unwrap()),
        "{r}"
    );
    assert_eq!(
        lines.next(),
        Some("go version go1.22.10 linux/amd64"),
        "{r}"
    );
    assert_eq!(lines.next(), Some("fake-go go1.22.10"), "{r}");
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "GOROOT={}",
                gover_home.join("toolchains/go1.22.10").display()
            )
            .as_str()
        ),
        "{r}"
    );
    // pip owns this gover.
    let r = m.sh("gover self update").failure();
    assert!(r.stderr.contains("was installed from PyPI"), "{r}");
}
