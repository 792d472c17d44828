//! Real Go is the oracle for the loopback module proxy and checksum
//! database (`support::goproxy`) and for gover's own client: a real
//! go1.21.13 with `GOTOOLCHAIN=go1.22.10`, GOPROXY and GOSUMDB pointed at
//! the loopback proxy, downloads, verifies and runs go1.22.10 from it, and
//! gover-trust's client verifies the same record; then real Go and the
//! client both refuse every forged variant (a forged record in a full
//! level-0 tile, a tile that does not hash to its parent, an older tree
//! head, a forked tree, a bad signature, an unknown key), which proves the
//! fixture's failure modes are real.
//!
//! Needs the go1.21.13 and go1.22.10 archives from
//! `scripts/real-go-archives` in `$GOVER_REAL_GO_DIR` (default
//! `~/.cache/gover-real-go`); `GOVER_REQUIRE_REAL_GO` turns their absence
//! into a failure. Without them the test says so and passes.

use crate::support;
use crate::support::goproxy::{self, GoProxy, Variant};
use crate::support::mirror::host_filename;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use gover_trust::client::{Client, FetchError, Fetcher};
use gover_trust::{ErrorKind, Misbehavior, ToolchainModule, Verifier};
use support::{run, Run, TestEnv};

const DRIVER: &str = "1.21.13";
const TARGET: &str = "1.22.10";

/// The directory of the real go1.21.13 and go1.22.10 archives, when
/// present (else says so, or fails under `GOVER_REQUIRE_REAL_GO`).
pub(crate) fn archives_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("GOVER_REAL_GO_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/gover-real-go")))?;
    let there = [DRIVER, TARGET]
        .iter()
        .all(|v| dir.join(host_filename(v)).is_file());
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) && there {
        return Some(dir);
    }
    assert!(
        std::env::var_os("GOVER_REQUIRE_REAL_GO").is_none(),
        "GOVER_REQUIRE_REAL_GO is set but the real Go archives are missing from {}",
        dir.display()
    );
    eprintln!(
        "note: real Go archives for go{DRIVER} and go{TARGET} are not in {}; run scripts/real-go-archives (skipping)",
        dir.display()
    );
    None
}

/// The driver toolchain, unpacked once into the test target's scratch
/// directory (a static is never dropped, so a temporary directory here
/// would be left behind by every run) and reused by later runs.
fn driver(archives: &Path) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("oracle-go{DRIVER}"));
        let goroot = dir.join("go");
        if goroot.join("bin/go").is_file() {
            return goroot;
        }
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        let t = tempfile::Builder::new()
            .prefix("oracle-go.unpacking")
            .tempdir_in(dir.parent().unwrap())
            .unwrap();
        let tarball = archives.join(host_filename(DRIVER));
        run(Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(t.path()))
        .success();
        // The rename is the commit point; another test process that got
        // there first leaves its copy, and this one is dropped.
        let _ = std::fs::rename(t.path(), &dir);
        assert!(
            goroot.join("bin/go").is_file(),
            "{} was not unpacked",
            goroot.display()
        );
        goroot
    })
}

/// `go version` with the driver, switching to go1.22.10 through `goproxy`
/// and `gosumdb`, with its sumdb state in `gopath` and a fresh module
/// cache named `cache`.
fn go_version(
    env: &TestEnv,
    goroot: &Path,
    goproxy: &str,
    gosumdb: &str,
    gopath: &Path,
    cache: &str,
) -> (Run, PathBuf) {
    let modcache = env.root.join(cache);
    let mut c = Command::new(goroot.join("bin/go"));
    c.arg("version")
        .env_clear()
        .env("HOME", &env.home)
        .env("PATH", "/usr/bin:/bin")
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", format!("go{TARGET}"))
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", gosumdb)
        .env("GOPATH", gopath)
        .env("GOMODCACHE", &modcache)
        .env("GOFLAGS", "-modcacherw")
        .env("GOTELEMETRY", "off")
        .current_dir(&env.project);
    (run(&mut c), modcache)
}

/// Asserts `r` is go1.22.10's `go version`, run successfully.
#[track_caller]
fn assert_ran_target(r: Run) {
    let r = r.success();
    assert_eq!(
        r.stdout,
        format!("go version go{TARGET} linux/amd64\n"),
        "{r}"
    );
}

/// gover-trust's fetcher over plain loopback HTTP.
struct Http(String);

impl Fetcher for Http {
    fn get(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        let url = self.url(path);
        match goproxy::http_get(&url) {
            Ok((200, body)) => Ok(body),
            Ok((s @ (404 | 410), _)) => Err(FetchError::NotFound(format!("{s} Not Found"))),
            Ok((s, _)) => Err(FetchError::Failed(format!("status {s}"))),
            Err(e) => Err(FetchError::Failed(e.to_string())),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.0)
    }
}

fn client(p: &GoProxy, v: Variant, state: &Path) -> Client<Http> {
    Client::new(
        Verifier::parse(&p.vkey()).unwrap(),
        Http(p.sumdb_url(v)),
        state,
    )
}

/// Which tiles real Go read from `variant`, sorted.
fn tiles_read(p: &GoProxy, variant: &str) -> Vec<String> {
    let mut t: Vec<String> = p
        .requests()
        .into_iter()
        .filter(|r| r.variant == variant && r.path.contains("/tile/"))
        .map(|r| r.path.rsplit_once("/tile/").unwrap().1.to_string())
        .collect();
    t.sort();
    t.dedup();
    t
}

#[test]
fn real_go_installs_through_the_loopback_proxy_and_database_and_so_does_gover_trust() {
    let Some(archives) = archives_dir() else {
        return;
    };
    let t = Instant::now();
    let zip = goproxy::module_zip(
        &archives.join(host_filename(TARGET)),
        &format!("go{TARGET}"),
    );
    eprintln!("built the module zip in {:.1}s", t.elapsed().as_secs_f64());
    let p = GoProxy::start(zip);
    let env = TestEnv::new();
    let goroot = driver(&archives);
    let gopath = env.root.join("gopath");

    let t = Instant::now();
    let (r, modcache) = go_version(
        &env,
        goroot,
        &p.proxy_url(Variant::Good),
        &p.gosumdb(Variant::Good),
        &gopath,
        "modcache",
    );
    eprintln!(
        "real Go downloaded, verified and ran go{TARGET} in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    assert_ran_target(r);
    // It proved the record through the full level-0 tile and its parents.
    assert_eq!(
        tiles_read(&p, "good"),
        [
            "8/0/001",
            "8/0/258.p/64",
            "8/1/000",
            "8/1/001.p/2",
            "8/2/000.p/1"
        ]
    );
    // It stored the signed head the database served.
    let latest = gopath.join(format!("pkg/sumdb/{}/latest", goproxy::DB_NAME));
    assert_eq!(fs::read_to_string(&latest).unwrap(), p.head(Variant::Good));
    // It unpacked what gover's own extractor unpacks, with the same hash.
    let module = ToolchainModule::new(&format!("go{TARGET}"), "linux", "amd64").unwrap();
    let unpacked = modcache.join(format!("golang.org/toolchain@{}", module.version()));
    assert!(unpacked.join("bin/go").is_file());

    // gover-trust verifies the same record in the same log.
    let state = env.root.join("gover-sumdb");
    let c = client(&p, Variant::Good, &state);
    let rec = c.lookup("golang.org/toolchain", &module.version()).unwrap();
    assert_eq!(rec.id, goproxy::TOOLCHAIN_AT);
    assert_eq!(rec.h1(), Some(p.zip().h1.as_str()));
    assert_eq!(
        rec.go_mod_h1(),
        Some(gover_trust::dirhash::go_mod_hash1().as_str())
    );
    assert_eq!(rec.text, p.record());
    assert_eq!(
        fs::read_to_string(c.latest_file()).unwrap(),
        p.head(Variant::Good)
    );
    // And gover's zip extractor gets the recorded hash from the served zip.
    let zip_file = env.root.join("toolchain.zip");
    fs::write(&zip_file, p.zip().bytes.as_slice()).unwrap();
    let dest = env.mkdir("goroot");
    let limits = gover_dist::modzip::ZipLimits::default();
    let out =
        gover_dist::modzip::extract_toolchain_zip(&zip_file, &module, &dest, &limits).unwrap();
    assert_eq!(Some(out.h1.as_str()), rec.h1());
    let r = run(Command::new(dest.join("bin/go"))
        .arg("version")
        .env("GOTOOLCHAIN", "local"))
    .success();
    assert_eq!(r.stdout, format!("go version go{TARGET} linux/amd64\n"));
    assert_eq!(
        gover_trust::dirhash::hash_goroot(&dest, &module, &|_| false).unwrap(),
        out.h1
    );

    // Reached through the proxy's /sumdb/<name>/supported, as Go does.
    let proxies =
        gover_trust::goproxy::parse(&format!("{},direct", p.proxy_url(Variant::Good))).unwrap();
    let db = gover_trust::Database::new(Verifier::parse(&p.vkey()).unwrap(), None).unwrap();
    let base = proxies
        .sumdb_base(&db, |url| match goproxy::http_get(url) {
            Ok((200, _)) => Ok(()),
            Ok((s, _)) => Err(Status(s)),
            Err(_) => Err(Status(0)),
        })
        .unwrap();
    assert_eq!(base, p.sumdb_url(Variant::Good));

    forgeries_are_refused_by_real_go_and_by_gover_trust(&p, &env, goroot, &gopath, &state);
    drop(p);
    gover_trust_refuses_a_forgery_this_go_accepts(&archives, &env, goroot);
}

/// In a tree of six perfect subtrees held by three edge tiles, go1.21's
/// tile reader checks none of the tiles off the edge (it starts checking
/// at the number of subtrees, not of edge tiles; later Go fixed this), so
/// it installs the tampered toolchain of a forged record; gover-trust
/// authenticates every tile and refuses it.
fn gover_trust_refuses_a_forgery_this_go_accepts(archives: &Path, env: &TestEnv, goroot: &Path) {
    let zip = goproxy::module_zip(
        &archives.join(host_filename(TARGET)),
        &format!("go{TARGET}"),
    );
    let p = GoProxy::start_with(zip, goproxy::Shape::many_subtrees());
    let v = Variant::ForgedRecord;
    let gopath = env.root.join("gopath-many-subtrees");
    let (r, modcache) = go_version(
        env,
        goroot,
        &p.proxy_url(v),
        &p.gosumdb(v),
        &gopath,
        "modcache-many-subtrees",
    );
    assert_ran_target(r);
    assert_eq!(
        tiles_read(&p, "forged-record"),
        [
            "8/0/001",
            "8/0/273.p/112",
            "8/1/000",
            "8/1/001.p/17",
            "8/2/000.p/1"
        ]
    );
    let version = goproxy::host_module_version(&format!("go{TARGET}"));
    let evil = modcache.join(format!("golang.org/toolchain@{version}/bin/evil"));
    assert!(
        evil.is_file(),
        "go{DRIVER} installed the tampered toolchain"
    );
    let e = client(&p, v, &env.root.join("gover-sumdb-many-subtrees"))
        .lookup("golang.org/toolchain", &version)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified, "{e}");
    assert!(
        e.to_string().ends_with(
            "tile tile/8/0/001 does not hash to its entry in its parent tile tile/8/1/000"
        ),
        "{e}"
    );
}

/// An HTTP status as a proxy failure.
#[derive(Debug)]
struct Status(u16);

impl gover_trust::goproxy::Failure for Status {
    fn is_not_found(&self) -> bool {
        matches!(self.0, 404 | 410)
    }
}

/// Each misbehaving variant, after the good head was stored (by real Go
/// in `gopath`, by gover-trust in `state`): real Go fails saying why, and
/// gover-trust's client fails with the matching error.
fn forgeries_are_refused_by_real_go_and_by_gover_trust(
    p: &GoProxy,
    env: &TestEnv,
    goroot: &Path,
    gopath: &Path,
    state: &Path,
) {
    let version = goproxy::host_module_version(&format!("go{TARGET}"));
    let cases = [
        (
            Variant::ForgedRecord,
            "downloaded inconsistent tile",
            ErrorKind::Unverified,
            "tile tile/8/0/001 does not hash to its entry in its parent tile tile/8/1/000",
        ),
        (
            Variant::ForgedParentTile,
            "downloaded inconsistent tile",
            ErrorKind::Unverified,
            "tile tile/8/1/000 does not hash to its entry in its parent tile tile/8/2/000.p/1",
        ),
        (
            Variant::OlderHead,
            "checking tree#66112",
            ErrorKind::Security,
            "answered with tree 65600, older than tree 66112",
        ),
        (
            Variant::Forked,
            "SECURITY ERROR",
            ErrorKind::Security,
            "tree 66112 is not a prefix of tree 66176",
        ),
        (
            Variant::BadSignature,
            "invalid signature for key",
            ErrorKind::BadSignature,
            "invalid signature for key sum.gover.test+",
        ),
        (
            Variant::UnknownKey,
            "no verifiable signatures",
            ErrorKind::UnknownKey,
            "is not signed by the trusted key sum.gover.test+",
        ),
    ];
    for (i, (v, go_says, kind, we_say)) in cases.into_iter().enumerate() {
        let (r, modcache) = go_version(
            env,
            goroot,
            &p.proxy_url(v),
            &p.gosumdb(v),
            gopath,
            &format!("modcache-{i}"),
        );
        let r = r.failure();
        assert!(r.stderr.contains(go_says), "{v:?}: {r}");
        assert!(!r.stdout.contains("go version"), "{v:?}: {r}");
        assert!(
            !modcache
                .join(format!("golang.org/toolchain@{version}"))
                .exists(),
            "{v:?}: real Go unpacked a toolchain it should have refused"
        );
        let e = client(p, v, state)
            .lookup("golang.org/toolchain", &version)
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{v:?}: {e}");
        assert!(e.to_string().contains(we_say), "{v:?}: {e}");
        if v == Variant::Forked {
            assert_eq!(e.evidence().unwrap().what, Misbehavior::Fork);
            assert_eq!(e.evidence().unwrap().newer_note, p.head(Variant::Forked));
        }
        if v == Variant::OlderHead {
            assert_eq!(e.evidence().unwrap().what, Misbehavior::Rollback);
        }
    }
    // Without a URL in GOSUMDB, real Go reaches the (forged) database
    // through the proxy that supports it, and refuses it the same way.
    p.clear_requests();
    let v = Variant::ForgedRecord;
    let (r, _) = go_version(
        env,
        goroot,
        &p.proxy_url(v),
        &p.vkey(),
        gopath,
        "modcache-via-proxy",
    );
    let r = r.failure();
    assert!(r.stderr.contains("downloaded inconsistent tile"), "{r}");
    let reqs: Vec<String> = p.requests().into_iter().map(|r| r.path).collect();
    assert!(
        reqs.contains(&format!("sumdb/{}/supported", goproxy::DB_NAME)),
        "{reqs:?}"
    );
    // The stored heads are still the good one.
    assert_eq!(
        fs::read_to_string(state.join("latest")).unwrap(),
        p.head(Variant::Good)
    );
    let latest = gopath.join(format!("pkg/sumdb/{}/latest", goproxy::DB_NAME));
    assert_eq!(fs::read_to_string(latest).unwrap(), p.head(Variant::Good));
}

#[test]
fn the_fixture_parses_tile_paths_as_sumdb_writes_them() {
    assert_eq!(goproxy::parse_tile("0/001"), Some((Some(0), 1, 256)));
    assert_eq!(
        goproxy::parse_tile("2/x001/x234/067.p/5"),
        Some((Some(2), 1_234_067, 5))
    );
    assert_eq!(
        goproxy::parse_tile("data/273.p/112"),
        Some((None, 273, 112))
    );
    assert_eq!(goproxy::parse_tile("0/1"), None);
    assert_eq!(goproxy::parse_tile("0/001.p/256"), None);
}
