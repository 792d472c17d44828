use super::*;

use gover_core::settings::Origin;
use gover_trust::goenv::{GoSettings, Source};

fn go(goproxy: &str, gosumdb: &str) -> GoModuleEnv {
    let s = |v: &str| Setting {
        value: v.to_string(),
        source: Source::Environment,
    };
    GoModuleEnv {
        settings: GoSettings {
            goproxy: s(goproxy),
            gosumdb: s(gosumdb),
            env_file: None,
        },
        warnings: Vec::new(),
    }
}

fn settings(verify: Option<VerifyPolicy>, goproxy: &str, gosumdb: &str) -> TrustSettings {
    TrustSettings {
        verify: GoverSetting {
            value: verify,
            origin: match verify {
                Some(_) => Origin::Env("GOVER_VERIFY"),
                None => Origin::Default,
            },
        },
        go: go(goproxy, gosumdb),
    }
}

fn dist(home: &Path, offline: bool) -> Dist {
    Dist::for_tests(home, offline)
}

fn v(s: &str) -> GoVersion {
    GoVersion::parse(s).unwrap()
}

fn linux() -> Platform {
    Platform::parse("linux-amd64").unwrap()
}

const DEFAULTS: (&str, &str) = ("https://proxy.golang.org,direct", "sum.golang.org");

/// What a checker with `verify`, GOPROXY and GOSUMDB (`go`), keeping its
/// state under `home`, expects of `version` on linux/amd64.
fn expect(
    home: &Path,
    offline: bool,
    verify: Option<VerifyPolicy>,
    go: (&str, &str),
    version: &str,
    purpose: Purpose,
) -> Result<Expectation> {
    let d = dist(home, offline);
    Checker::new(&d, settings(verify, go.0, go.1)).expect(&v(version), &linux(), purpose)
}

#[test]
fn verify_off_skips_the_database_for_archives_only() {
    let t = tempfile::tempdir().unwrap();
    let d = dist(t.path(), false);
    let c = Checker::new(&d, settings(Some(VerifyPolicy::Off), DEFAULTS.0, "off"));
    let e = c.expect(&v("1.22.10"), &linux(), Purpose::Archive).unwrap();
    let verdict = c.check(&e, "h1:x", "a mirror").unwrap();
    assert_eq!(
        verdict,
        Verdict::Unchecked {
            h1: "h1:x".into(),
            why: NotChecked::Disabled("GOVER_VERIFY".into()),
            warn: false
        }
    );
    // Not for a proxy's zip: GOSUMDB=off is refused with Go's words.
    let e = c
        .expect(&v("1.22.10"), &linux(), Purpose::ProxyZip)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "download go1.22.10: golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64: verifying module: checksum database disabled by GOSUMDB=off"
    );
    assert!(
        e.hint()
            .unwrap()
            .starts_with("GOSUMDB=off (from the environment): Go toolchains are always verified"),
        "{e:?}"
    );
}

#[test]
fn gosumdb_off_is_refused_unless_goproxy_is_one_file_url() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path();
    let e = expect(
        home,
        false,
        None,
        (DEFAULTS.0, "off"),
        "1.22.10",
        Purpose::Archive,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e
        .to_string()
        .ends_with("checksum database disabled by GOSUMDB=off"));
    assert!(e.hint().unwrap().contains("GOVER_VERIFY=off"), "{e:?}");
    let file = format!("file://{}", home.display());
    let e = expect(
        home,
        false,
        None,
        (&file, "off"),
        "1.22.10",
        Purpose::ProxyZip,
    )
    .unwrap();
    assert!(
        matches!(
            e,
            Expectation::Unchecked {
                why: NotChecked::NotRequired,
                warn: true,
                ..
            }
        ),
        "{e:?}"
    );
    // Two file:// proxies are not the exception.
    let two = format!("{file},{file}");
    assert!(expect(
        home,
        false,
        None,
        (&two, "off"),
        "1.22.10",
        Purpose::ProxyZip
    )
    .is_err());
}

#[test]
fn releases_before_toolchain_modules_follow_the_setting() {
    let t = tempfile::tempdir().unwrap();
    for (policy, purpose, ok) in [
        (None, Purpose::Archive, Some(false)),
        (Some(VerifyPolicy::Warn), Purpose::Archive, Some(true)),
        (Some(VerifyPolicy::Require), Purpose::Archive, None),
        (None, Purpose::ProxyZip, None),
    ] {
        match (
            expect(t.path(), false, policy, DEFAULTS, "1.20.14", purpose),
            ok,
        ) {
            (Ok(Expectation::Unchecked { why, warn, .. }), Some(w)) => {
                assert_eq!(why, NotChecked::PredatesModules);
                assert_eq!(warn, w, "{policy:?}");
            }
            (Err(e), None) => {
                assert_eq!(e.kind(), ErrorKind::Unverified);
                assert!(
                    e.to_string().starts_with(
                        "cannot verify go1.20.14 against the checksum database (golang.org/toolchain@v0.0.1-go1.20.14.linux-amd64): Go publishes toolchains"
                    ),
                    "{e}"
                );
            }
            (r, _) => panic!("{policy:?} {purpose:?}: {r:?}"),
        }
    }
    // The first release with a module is looked up (and here, offline,
    // cannot be).
    let e = expect(t.path(), true, None, DEFAULTS, "1.21rc2", Purpose::Archive).unwrap();
    assert!(matches!(
        e,
        Expectation::Unchecked {
            why: NotChecked::Offline,
            ..
        }
    ));
}

#[test]
fn offline_is_a_warning_by_default_and_an_error_when_required() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path();
    let e = expect(home, true, None, DEFAULTS, "1.22.10", Purpose::Archive).unwrap();
    assert!(
        matches!(
            &e,
            Expectation::Unchecked {
                why: NotChecked::Offline,
                warn: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.module().to_string(),
        "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64"
    );
    let require = Some(VerifyPolicy::Require);
    let e = expect(home, true, require, DEFAULTS, "1.22.10", Purpose::Archive).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified);
    assert!(
        e.to_string()
            .ends_with(": offline (--offline or GOVER_OFFLINE=1)"),
        "{e}"
    );
    assert!(
        e.hint()
            .unwrap()
            .starts_with("verify = \"require\" (GOVER_VERIFY) installs only"),
        "{e:?}"
    );
    let warn = Some(VerifyPolicy::Warn);
    assert!(expect(home, true, warn, DEFAULTS, "1.22.10", Purpose::ProxyZip).is_err());
}

#[test]
fn a_database_without_the_record_is_an_error_unless_warn() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    std::fs::create_dir(&db).unwrap();
    let gosumdb = format!("sum.golang.org file://{}", db.display());
    let go = (DEFAULTS.0, gosumdb.as_str());
    let home = t.path().join("gover");
    let e = expect(&home, false, None, go, "1.22.10", Purpose::Archive).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified);
    assert!(
        e.to_string()
            .contains("the checksum database has no record of it"),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("GOVER_VERIFY=warn"), "{e:?}");
    let warn = Some(VerifyPolicy::Warn);
    let e = expect(&home, false, warn, go, "1.22.10", Purpose::Archive).unwrap();
    assert!(matches!(
        e,
        Expectation::Unchecked {
            why: NotChecked::NoRecord(_),
            warn: true,
            ..
        }
    ));
}

#[test]
fn invalid_go_settings_name_where_they_were_set() {
    let t = tempfile::tempdir().unwrap();
    let go = (DEFAULTS.0, "sum.example.com");
    let e = expect(t.path(), false, None, go, "1.22.10", Purpose::Archive).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .starts_with("GOSUMDB=sum.example.com (from the environment): invalid GOSUMDB"),
        "{e}"
    );
    let go = ("ftp://p", DEFAULTS.1);
    let e = expect(t.path(), false, None, go, "1.22.10", Purpose::Archive).unwrap_err();
    assert!(e.to_string().starts_with("GOPROXY=ftp://p"), "{e}");
}

#[test]
fn h1_of_files_names_files_as_the_module_zip_does() {
    let m = ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap();
    let sha = |b: &[u8]| -> [u8; 32] {
        sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(b)).into()
    };
    let (a, b) = (sha(b"go"), sha(b"module std\n"));
    let h = h1_of_files(&m, [("bin/go", a), ("src/go.mod", b), ("doc/x.html", a)]).unwrap();
    let p = m.zip_prefix();
    let want =
        dirhash::hash1(&mut [(format!("{p}bin/go"), a), (format!("{p}src/_go.mod"), b)]).unwrap();
    assert_eq!(h, want);
    let e = h1_of_files(&m, [("bin/go", a), ("bin/go", b)]).unwrap_err();
    assert!(e.to_string().contains("listed twice"), "{e}");
}
