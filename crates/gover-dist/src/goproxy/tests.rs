use super::*;

use std::collections::HashMap;
use std::fs;

fn getter(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
    let m: HashMap<String, OsString> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
    move |k| m.get(k).cloned()
}

#[test]
fn goproxy_and_gosumdb_come_from_the_environment_then_go_env_file_then_go_env() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let envfile = home.join(".config/go/env");
    fs::create_dir_all(envfile.parent().unwrap()).unwrap();
    fs::write(
        &envfile,
        "GOPROXY=https://goproxy.cn,direct\n# GOSUMDB=off\ngosumdb=off\n",
    )
    .unwrap();
    let goroot = t.path().join("goroot");
    fs::create_dir_all(&goroot).unwrap();
    fs::write(
        goroot.join("go.env"),
        "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.google.cn\n",
    )
    .unwrap();
    let h = home.to_str().unwrap();
    let e = go_module_env(&getter(&[("HOME", h)]), Some(&goroot));
    assert_eq!(e.settings.goproxy.value, "https://goproxy.cn,direct");
    assert_eq!(e.settings.goproxy.source, Source::EnvFile(envfile.clone()));
    assert_eq!(e.settings.gosumdb.value, "sum.golang.google.cn");
    assert_eq!(
        e.settings.gosumdb.source,
        Source::GorootEnv(goroot.join("go.env"))
    );
    assert_eq!(
        describe("GOPROXY", &e.settings.goproxy),
        format!(
            "GOPROXY=https://goproxy.cn,direct (from Go's env file {})",
            envfile.display()
        )
    );
    // The environment wins; empty counts as unset.
    let e = go_module_env(
        &getter(&[("HOME", h), ("GOPROXY", "off"), ("GOSUMDB", "")]),
        None,
    );
    assert_eq!(e.settings.goproxy.value, "off");
    assert_eq!(e.settings.goproxy.source, Source::Environment);
    assert_eq!(e.settings.gosumdb.value, "sum.golang.org");
    assert_eq!(e.settings.gosumdb.source, Source::Default);
    // GOENV=off: no env file; GOROOT from the environment gives go.env.
    let g = goroot.to_str().unwrap();
    let e = go_module_env(
        &getter(&[("HOME", h), ("GOENV", "off"), ("GOROOT", g)]),
        None,
    );
    assert_eq!(e.settings.goproxy.value, "https://proxy.golang.org,direct");
    assert_eq!(e.settings.env_file, None);
    // A relative XDG_CONFIG_HOME means no env file, as in Go (and as the
    // CLI reads GOTOOLCHAIN).
    let e = go_module_env(&getter(&[("HOME", h), ("XDG_CONFIG_HOME", "rel")]), None);
    assert_eq!(e.settings.goproxy.source, Source::Default);
    assert!(e.warnings.is_empty());
}

#[cfg(unix)]
#[test]
fn an_env_file_that_is_a_fifo_is_a_warning_not_a_hang() {
    let t = tempfile::tempdir().unwrap();
    let fifo = t.path().join("fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let e = go_module_env(&getter(&[("GOENV", fifo.to_str().unwrap())]), None);
    assert_eq!(e.settings.goproxy.source, Source::Default);
    assert!(e.warnings[0].contains("FIFO"), "{:?}", e.warnings);
}

fn setting(v: &str) -> Setting {
    Setting {
        value: v.to_string(),
        source: Source::Environment,
    }
}

/// A `file://` proxy holding the toolchain module `go1.22.10` for
/// linux/amd64 (a fake zip).
fn file_proxy(root: &Path, name: &str) -> (String, ToolchainModule) {
    let m = ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap();
    let dir = root.join(name).join("golang.org/toolchain/@v");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("list"),
        format!(
            "{}\nv0.0.1-go1.21.0.darwin-arm64\nnot-a-version\n\n",
            m.version()
        ),
    )
    .unwrap();
    fs::write(
        dir.join(format!("{}.info", m.version())),
        format!(
            "{{\"Version\":\"{}\",\"Time\":\"2024-12-03T00:00:00Z\"}}",
            m.version()
        ),
    )
    .unwrap();
    fs::write(dir.join(format!("{}.zip", m.version())), vec![7u8; 5000]).unwrap();
    (format!("file://{}", root.join(name).display()), m)
}

fn dist(home: &Path, offline: bool) -> Dist {
    Dist::for_tests(home, offline)
}

#[test]
fn a_file_proxy_lists_and_serves_the_toolchain_module() {
    let t = tempfile::tempdir().unwrap();
    let (url, m) = file_proxy(t.path(), "p");
    let d = dist(&t.path().join("gover"), false);
    let c = ProxyClient::new(&d, &setting(&url)).unwrap();
    let listed = c.versions(&crate::NoProgress).unwrap();
    assert_eq!(listed.modules.len(), 2);
    assert_eq!(listed.modules[0], m);
    assert_eq!(listed.skipped, 1);
    let info = c.info(&m, &crate::NoProgress).unwrap();
    assert_eq!(info.version, m.version());
    assert_eq!(info.time.as_deref(), Some("2024-12-03T00:00:00Z"));
    let scratch = t.path().join("scratch");
    fs::create_dir(&scratch).unwrap();
    let z = c
        .download_zip(&m, &scratch, 1 << 20, Arc::new(crate::NoProgress))
        .unwrap();
    assert_eq!(z.bytes, 5000);
    assert_eq!(fs::read(&z.path).unwrap(), vec![7u8; 5000]);
    assert!(z.path.starts_with(&scratch));
    // Bigger than allowed: refused, nothing left behind.
    let e = c
        .download_zip(&m, &scratch, 4999, Arc::new(crate::NoProgress))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(e.to_string().contains("larger than 4999 bytes"), "{e}");
    assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
}

#[test]
fn comma_moves_on_after_not_found_and_off_disables() {
    let t = tempfile::tempdir().unwrap();
    let (good, m) = file_proxy(t.path(), "good");
    let empty = format!("file://{}", t.path().join("empty").display());
    let d = dist(&t.path().join("gover"), false);
    let scratch = t.path().join("s");
    fs::create_dir(&scratch).unwrap();
    let c = ProxyClient::new(&d, &setting(&format!("{empty},{good}"))).unwrap();
    let z = c
        .download_zip(&m, &scratch, 1 << 20, Arc::new(crate::NoProgress))
        .unwrap();
    assert!(
        z.from.ends_with(".zip") && z.from.contains("/good/"),
        "{}",
        z.from
    );
    // `off` ends the list: the good proxy after it is never asked.
    let c = ProxyClient::new(&d, &setting(&format!("{empty},off,{good}"))).unwrap();
    let e = c.versions(&crate::NoProgress).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("module lookup disabled by GOPROXY=off"),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("GOPROXY="), "{e:?}");
    // Every proxy without it: the last not-found is the error.
    let c = ProxyClient::new(&d, &setting(&empty)).unwrap();
    let e = c.info(&m, &crate::NoProgress).unwrap_err();
    assert!(e.to_string().contains("no such file"), "{e}");
    // An invalid list names where it was set.
    let e = ProxyClient::new(&d, &setting("ftp://x")).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string()
            .starts_with("GOPROXY=ftp://x (from the environment): invalid GOPROXY"),
        "{e}"
    );
}

#[test]
fn offline_only_file_proxies_are_asked() {
    let t = tempfile::tempdir().unwrap();
    let (good, m) = file_proxy(t.path(), "good");
    let d = dist(&t.path().join("gover"), true);
    let c = ProxyClient::new(&d, &setting(&format!("https://proxy.example,{good}"))).unwrap();
    assert_eq!(c.info(&m, &crate::NoProgress).unwrap().version, m.version());
    let c = ProxyClient::new(&d, &setting("https://proxy.example,direct")).unwrap();
    let e = c.versions(&crate::NoProgress).unwrap_err();
    assert!(e.to_string().contains("offline mode"), "{e}");
}

#[test]
fn auto_takes_the_proxy_when_goproxy_is_set_to_another_list() {
    use gover_core::settings::{InstallSource, Origin, Setting as S};
    let auto = S {
        value: InstallSource::Auto,
        origin: Origin::Default,
    };
    let from_file = |v: &str| Setting {
        value: v.to_string(),
        source: Source::EnvFile("/h/.config/go/env".into()),
    };
    let (c, why) = choose_source(&auto, &from_file("https://goproxy.cn,direct"));
    assert_eq!(c, Chosen::Proxy);
    assert_eq!(
        why,
        "GOPROXY=https://goproxy.cn,direct (from Go's env file /h/.config/go/env)"
    );
    for (v, want) in [
        ("https://proxy.golang.org,direct", Chosen::Dl),
        ("https://proxy.golang.org , direct", Chosen::Dl),
        ("direct", Chosen::Proxy),
        ("file:///srv/goproxy", Chosen::Proxy),
        ("off", Chosen::Dl),
        ("ftp://x", Chosen::Dl),
    ] {
        assert_eq!(choose_source(&auto, &from_file(v)).0, want, "{v}");
    }
    let dl = S {
        value: InstallSource::Dl,
        origin: Origin::Env("GOVER_SOURCE"),
    };
    assert_eq!(
        choose_source(&dl, &from_file("https://goproxy.cn")),
        (Chosen::Dl, "source = \"dl\" (GOVER_SOURCE)".to_string())
    );
}
