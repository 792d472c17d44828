//! gover-dist's checksum-database service (`gover_dist::trust`) and module
//! proxy client (`gover_dist::goproxy`) against the loopback proxy and
//! database of `support::goproxy`, serving a small fake toolchain: the
//! record is found and matched; every way the database can misbehave
//! (a forged record in a full level-0 tile, a tile that does not hash to
//! its parent, a bad signature, an unknown key, an older tree head, a
//! forked tree) is refused with its message, whatever `verify` says; an
//! unreachable database follows `verify`; GOPROXY lists are walked with
//! Go's rules (`,` after a 404, `|` after a timeout).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gover_core::settings::{Origin, Setting as GoverSetting, VerifyPolicy};
use gover_core::{GoVersion, GoverHome};
use gover_dist::error::ErrorKind;
use gover_dist::goproxy::{GoModuleEnv, ProxyClient};
use gover_dist::http::HttpConfig;
use gover_dist::source::{Dist, Sources};
use gover_dist::trust::{
    h1_of_tree, Checker, Expectation, NotChecked, Purpose, TrustSettings, Verdict,
};
use gover_dist::{NoProgress, Platform};
use gover_trust::goenv::{GoSettings, Setting, Source};

use crate::support::archive::{self, Entry};
use crate::support::goproxy::{self, GoProxy, Variant, DB_NAME, TOOLCHAIN_AT};
use crate::support::{write_fake_toolchain, TestEnv};

const VERSION: &str = "1.22.10";

/// The fake toolchain's archive, with a nested go.mod and files the module
/// leaves out, and the loopback proxy serving its module.
pub(crate) fn start(env: &TestEnv) -> (GoProxy, PathBuf) {
    let archive = env.root.join(format!("go{VERSION}.tar.gz"));
    fs::write(&archive, fake_archive(Vec::new())).unwrap();
    let zip = goproxy::module_zip(&archive, &format!("go{VERSION}"));
    (GoProxy::start(zip), archive)
}

/// The fake toolchain archive [`start`] serves the module of (with a
/// nested go.mod and files the module leaves out), with `more` entries.
pub(crate) fn fake_archive(more: Vec<Entry>) -> Vec<u8> {
    let mut extra = vec![
        Entry::file("go/src/go.mod", 0o644, "module std\n"),
        Entry::file("go/src/cmd/go.mod", 0o644, "module cmd\n"),
        Entry::file("go/doc/go_spec.html", 0o644, "<html>"),
        Entry::file("go/test/a.go", 0o644, "package a\n"),
    ];
    extra.extend(more);
    archive::toolchain_with(VERSION, extra)
}

fn dist(home: &Path, offline: bool) -> Dist {
    Dist::new(
        GoverHome::new(home),
        Sources {
            offline,
            http: HttpConfig {
                timeout: Duration::from_secs(1),
                retries: 0,
                backoff: Duration::ZERO,
                ..HttpConfig::default()
            },
            ..Sources::default()
        },
    )
}

/// A Go setting from the environment.
fn from_env(value: &str) -> Setting {
    Setting {
        value: value.to_string(),
        source: Source::Environment,
    }
}

fn trust(verify: Option<VerifyPolicy>, goproxy: &str, gosumdb: &str) -> TrustSettings {
    let s = from_env;
    TrustSettings {
        verify: GoverSetting {
            value: verify,
            origin: Origin::Env("GOVER_VERIFY"),
        },
        go: GoModuleEnv {
            settings: GoSettings {
                goproxy: s(goproxy),
                gosumdb: s(gosumdb),
                env_file: None,
            },
            warnings: Vec::new(),
        },
    }
}

fn version() -> GoVersion {
    GoVersion::parse(VERSION).unwrap()
}

/// Looks the fake toolchain up with `gosumdb`, the proxy `goproxy`.
fn expect(
    d: &Dist,
    verify: Option<VerifyPolicy>,
    goproxy: &str,
    gosumdb: &str,
    purpose: Purpose,
) -> gover_dist::Result<Expectation> {
    Checker::new(d, trust(verify, goproxy, gosumdb)).expect(&version(), &Platform::host(), purpose)
}

#[test]
fn the_record_is_found_matched_and_kept_with_its_tree_head() {
    let env = TestEnv::new();
    let (p, _) = start(&env);
    let d = dist(&env.gover_home, false);
    let good = p.gosumdb(Variant::Good);
    let c = Checker::new(&d, trust(None, "off", &good));
    let e = c
        .expect(&version(), &Platform::host(), Purpose::Archive)
        .unwrap();
    let Expectation::Record { record, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(record.id, TOOLCHAIN_AT);
    // The tree as the tarball unpacks it hashes to the module's record.
    let goroot = env.mkdir("goroot");
    write_fake_toolchain(&goroot, VERSION);
    for (rel, text) in [
        ("src/go.mod", "module std\n"),
        ("src/cmd/go.mod", "module cmd\n"),
        ("doc/go_spec.html", "<html>"),
        ("test/a.go", "package a\n"),
    ] {
        let f = goroot.join(rel);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, text).unwrap();
    }
    let h1 = h1_of_tree(&goroot, e.module(), &|_| false).unwrap();
    assert_eq!(h1, p.zip().h1);
    let Verdict::Verified(a) = c.check(&e, &h1, "a mirror").unwrap() else {
        panic!("not verified")
    };
    assert_eq!(
        (a.database.as_str(), a.record_id, a.tree_size),
        (DB_NAME, TOOLCHAIN_AT, p.shape().size)
    );
    // The verified head and the full tiles are kept in gover's cache.
    let state = env.gover_home.join("cache/sumdb").join(DB_NAME);
    assert_eq!(
        fs::read_to_string(state.join("latest")).unwrap(),
        p.head(Variant::Good)
    );
    assert!(state.join("tile/8/0/001").is_file());
    assert!(state.join("tile/8/1/000").is_file());

    // A file changed after unpacking: the tree is not the one recorded.
    fs::write(goroot.join("src/fmt/print.go"), "package fmt // changed\n").unwrap();
    let changed = h1_of_tree(&goroot, e.module(), &|_| false).unwrap();
    let err = c
        .check(&e, &changed, "https://mirror.example/go.tgz")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ChecksumMismatch);
    let msg = err.to_string();
    for part in [
        "go1.22.10 from https://mirror.example/go.tgz is not the toolchain Go published",
        &format!("its files hash to {changed}"),
        &format!("the checksum database {DB_NAME} records {}", p.zip().h1),
        &format!(
            "(record {TOOLCHAIN_AT} in its tree of {} records)",
            p.shape().size
        ),
    ] {
        assert!(msg.contains(part), "{part}\n{msg}");
    }
    assert!(
        err.hint().unwrap().contains("Nothing was installed"),
        "{err:?}"
    );
}

#[test]
fn a_misbehaving_database_is_refused_whatever_verify_says() {
    let env = TestEnv::new();
    let (p, _) = start(&env);
    let d = dist(&env.gover_home, false);
    // The good head first, as an earlier install would have stored it.
    expect(&d, None, "off", &p.gosumdb(Variant::Good), Purpose::Archive).unwrap();
    // With no tile cached yet (a fresh home), every tile the proof reads
    // comes from the database and is authenticated before it is used.
    let cases = [
        (
            Variant::ForgedRecord,
            ErrorKind::Unverified,
            "tile tile/8/0/001 does not hash to its entry in its parent tile tile/8/1/000",
        ),
        (
            Variant::ForgedParentTile,
            ErrorKind::Unverified,
            "tile tile/8/1/000 does not hash to its entry in its parent tile tile/8/2/000.p/1",
        ),
        (
            Variant::BadSignature,
            ErrorKind::Unverified,
            "invalid signature for key sum.gover.test+",
        ),
        (
            Variant::UnknownKey,
            ErrorKind::Unverified,
            "is not signed by the trusted key sum.gover.test+",
        ),
        (
            Variant::OlderHead,
            ErrorKind::Security,
            "answered with tree 65600, older than tree 66112",
        ),
        (
            Variant::Forked,
            ErrorKind::Security,
            "tree 66112 is not a prefix of tree 66176",
        ),
    ];
    for (v, kind, says) in cases {
        let fresh = dist(&env.mkdir(&format!("fresh-{v:?}")), false);
        let security = kind == ErrorKind::Security;
        for (verify, purpose) in [
            (None, Purpose::Archive),
            (Some(VerifyPolicy::Warn), Purpose::Archive),
            (Some(VerifyPolicy::Warn), Purpose::Installed),
            (None, Purpose::ProxyZip),
        ] {
            // A security event needs the head stored before.
            let d = if security { &d } else { &fresh };
            let e = expect(d, verify, "off", &p.gosumdb(v), purpose).unwrap_err();
            assert_eq!(e.kind(), kind, "{v:?} {verify:?}: {e}");
            assert!(e.to_string().contains(says), "{v:?}: {e}");
            if security {
                let m = e.to_string();
                assert!(m.starts_with("SECURITY ERROR"), "{m}");
                // The evidence: both signed heads, as served.
                for head in [p.head(v), p.head(Variant::Good)] {
                    let root = head.lines().nth(2).unwrap();
                    assert!(m.contains(root), "{root}\n{m}");
                }
                assert!(m.contains("older tree head:"), "{m}");
                assert!(e.hint().unwrap().contains("Nothing was installed"), "{e:?}");
            }
        }
    }
    // With the good tiles cached, a forged record does not match the
    // cached level-0 tile.
    let e = expect(
        &d,
        Some(VerifyPolicy::Warn),
        "off",
        &p.gosumdb(Variant::ForgedRecord),
        Purpose::Archive,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified);
    assert!(
        e.to_string()
            .ends_with("the record served is not the one in the log (tree 66112)"),
        "{e}"
    );
    // The stored head is still the good one.
    let latest = env.gover_home.join(format!("cache/sumdb/{DB_NAME}/latest"));
    assert_eq!(fs::read_to_string(latest).unwrap(), p.head(Variant::Good));
}

#[test]
fn an_unreachable_database_follows_verify() {
    let env = TestEnv::new();
    let (p, _) = start(&env);
    let d = dist(&env.gover_home, false);
    let down = format!("{} {}", p.vkey(), p.sumdb_url(Variant::Status(503)));
    let closed = format!("{} http://127.0.0.1:1/sumdb", p.vkey());
    for gosumdb in [&down, &closed] {
        let e = expect(&d, None, "off", gosumdb, Purpose::Archive).unwrap();
        let Expectation::Unchecked {
            why: NotChecked::Unreachable(why),
            warn: true,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert!(
            why.contains("/lookup/golang.org/toolchain@v0.0.1-go1.22.10."),
            "{why}"
        );
        let e = expect(
            &d,
            Some(VerifyPolicy::Require),
            "off",
            gosumdb,
            Purpose::Archive,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unverified);
        assert!(
            e.to_string()
                .starts_with("cannot verify go1.22.10 against the checksum database"),
            "{e}"
        );
        assert!(
            e.hint()
                .unwrap()
                .contains("verify = \"require\" (GOVER_VERIFY)"),
            "{e:?}"
        );
        let e = expect(
            &d,
            Some(VerifyPolicy::Warn),
            "off",
            gosumdb,
            Purpose::ProxyZip,
        )
        .unwrap_err();
        assert!(
            e.hint().unwrap().starts_with("a toolchain from a module proxy is installed only once the checksum database vouches for it"),
            "{e:?}"
        );
    }
    // Offline: not even asked.
    p.clear_requests();
    let off = dist(&env.gover_home, true);
    let e = expect(
        &off,
        None,
        "off",
        &p.gosumdb(Variant::Good),
        Purpose::Archive,
    )
    .unwrap();
    assert!(matches!(
        e,
        Expectation::Unchecked {
            why: NotChecked::Offline,
            warn: true,
            ..
        }
    ));
    assert!(p.requests().is_empty(), "{:?}", p.requests());
    // GOSUMDB=off: refused as Go refuses it.
    let e = expect(
        &d,
        None,
        &p.proxy_url(Variant::Good),
        "off",
        Purpose::ProxyZip,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "download go1.22.10: {}: verifying module: checksum database disabled by GOSUMDB=off",
            e.to_string().split(": ").nth(1).unwrap()
        )
    );
    assert!(e
        .to_string()
        .contains("golang.org/toolchain@v0.0.1-go1.22.10."));
}

#[test]
fn the_database_is_reached_through_the_first_proxy_that_supports_it() {
    let env = TestEnv::new();
    let (p, _) = start(&env);
    let d = dist(&env.gover_home, false);
    let list = format!(
        "{},{}",
        p.proxy_url(Variant::Status(404)),
        p.proxy_url(Variant::Good)
    );
    // GOSUMDB names the key only: the proxies are asked.
    let e = expect(&d, None, &list, &p.vkey(), Purpose::ProxyZip).unwrap();
    assert!(matches!(e, Expectation::Record { .. }), "{e:?}");
    let asked: Vec<(String, String, u16)> = p
        .requests()
        .into_iter()
        .map(|r| (r.variant, r.path, r.status))
        .collect();
    let supported = format!("sumdb/{DB_NAME}/supported");
    assert_eq!(
        asked[..2],
        [
            ("status-404".to_string(), supported.clone(), 404),
            ("good".to_string(), supported, 200)
        ]
    );
    assert!(asked[2..]
        .iter()
        .all(|(v, path, _)| v == "good" && path.starts_with(&format!("sumdb/{DB_NAME}/"))));
}

#[test]
fn zips_come_from_the_proxy_list_with_gos_rules() {
    let env = TestEnv::new();
    let (p, _) = start(&env);
    let d = dist(&env.gover_home, false);
    let module = gover_dist::trust::module_for(&version(), &Platform::host()).unwrap();
    let scratch = env.mkdir("scratch");
    let download = |list: &str| {
        let c = ProxyClient::new(&d, &from_env(list)).unwrap();
        let _ = fs::remove_dir_all(&scratch);
        fs::create_dir(&scratch).unwrap();
        c.download_zip(&module, &scratch, 1 << 30, Arc::new(NoProgress))
    };
    // `,`: the first proxy's 404 moves on to the second.
    let list = format!(
        "{},{}",
        p.proxy_url(Variant::Status(404)),
        p.proxy_url(Variant::Good)
    );
    let z = download(&list).unwrap();
    assert_eq!(fs::read(&z.path).unwrap(), *p.zip().bytes);
    assert!(
        z.from.starts_with(&p.proxy_url(Variant::Good)),
        "{}",
        z.from
    );
    assert!(z.path.starts_with(&scratch));
    // `,` after a timeout stops; `|` moves on.
    p.clear_requests();
    let stall = p.proxy_url(Variant::Stall);
    let e = download(&format!("{stall},{}", p.proxy_url(Variant::Good))).unwrap_err();
    assert!(e.to_string().contains("timed out"), "{e}");
    assert!(p.requests().iter().all(|r| r.variant == "stall"));
    assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0, "nothing left");
    let z = download(&format!("{stall}|{}", p.proxy_url(Variant::Good))).unwrap();
    assert_eq!(z.bytes, p.zip().bytes.len() as u64);
    // A 500 after `,` stops too, and names the proxy.
    let e = download(&format!(
        "{},{}",
        p.proxy_url(Variant::Status(500)),
        p.proxy_url(Variant::Good)
    ))
    .unwrap_err();
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    assert!(e.hint().unwrap().contains("GOPROXY="), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("downloading golang.org/toolchain@"),
        "{e}"
    );
    // The version list, from the first proxy that has one.
    let c = ProxyClient::new(&d, &from_env(&list)).unwrap();
    let listed = c.versions(&NoProgress).unwrap();
    assert_eq!(listed.modules, [module]);
}
