//! Download presets (`mirror = "cn"`, `GOVER_MIRROR=aliyun`) end to end,
//! against loopback imitations of go.dev, dl.google.com, golang.google.cn,
//! mirrors.aliyun.com and mirrors.ustc.edu.cn (`support::presets`) that
//! `GOVER_PRESET_ORIGINS` points the presets at: an install through each,
//! an archive that is not the index's refused, unknown names, an explicit
//! index winning over a preset's, `gover doctor --network` against servers
//! that are up, down, stalled or answer the wrong thing, and hostile
//! settings, listing pages and redirects.

use std::fs;
use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use crate::support::hostile::{has_raw_controls, names_in, run_timed};
use crate::support::mirror::{sha256_hex, Fault, Mirror};
use crate::support::presets::{Sites, CLOSED_ORIGIN, REAL_ORIGINS};
use crate::support::tls::{Serve, TlsServer};
use crate::support::{self, archive, Run, TestEnv};

const V: &str = "1.22.10";

/// A test environment whose presets point at `sites`, with short timeouts.
fn env_for(sites: &Sites) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_PRESET_ORIGINS", sites.origins())
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "0")
        .set("GOVER_INDEX_TTL", "0");
    env
}

/// The sites with go`V` published on all of them; the archive's name.
fn published() -> (Sites, String) {
    let sites = Sites::start();
    let file = sites.publish(V, &archive::toolchain(V), true);
    (sites, file)
}

/// `gover ARGS` in `env`, killed (failing the test) after 60 s.
fn gover(env: &TestEnv, args: &[&str]) -> Run {
    run_timed(&mut env.gover(args), 60).0
}

/// What the installed go`V` says its version is.
fn installed_go_version(env: &TestEnv) -> String {
    let go = env.gover_home.join(format!("toolchains/go{V}/bin/go"));
    support::run(env.command(go).arg("version"))
        .success()
        .stdout
}

/// `(site, path)` of every request the sites got, sorted, without repeats.
fn asked(sites: &Sites) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = sites
        .requests()
        .into_iter()
        .map(|(site, _, path)| (site.to_string(), path))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

/// True when every URL in `text` is on 127.0.0.1.
fn only_loopback_urls(text: &str) -> bool {
    text.match_indices("://")
        .all(|(i, _)| text[i + 3..].starts_with("127.0.0.1:"))
}

#[test]
fn every_preset_installs_from_the_sites_it_names() {
    // The preset, the sites it must ask and what (the index is `dl/` on
    // go.dev and golang.google.cn; the log drops the query).
    for (preset, want) in [
        (
            "go.dev",
            &[("go.dev", "dl/"), ("dl.google.com", "go/FILE")][..],
        ),
        (
            "cn",
            &[
                ("golang.google.cn", "dl/"),
                ("golang.google.cn", "dl/FILE"),
                ("dl.google.com", "go/FILE"),
            ][..],
        ),
        (
            "aliyun",
            &[
                ("golang.google.cn", "dl/"),
                ("mirrors.aliyun.com", "golang/FILE"),
            ][..],
        ),
        (
            "ustc",
            &[
                ("golang.google.cn", "dl/"),
                ("mirrors.ustc.edu.cn", "golang/FILE"),
            ][..],
        ),
    ] {
        let (sites, file) = published();
        let mut env = env_for(&sites);
        if preset == "cn" {
            // By name in the user-level config.toml, as `gover config set`
            // writes it.
            let r = gover(&env, &["config", "set", "--global", "mirror", "cn"]).success();
            assert!(r.stderr.contains("mirror = \"cn\""), "{r}");
            let written = fs::read_to_string(env.home.join(".config/gover/config.toml")).unwrap();
            assert_eq!(written, "mirror = \"cn\"\n");
        } else {
            env.set("GOVER_MIRROR", preset);
        }
        let r = gover(&env, &["install", V]);
        assert_eq!(r.code, 0, "{preset}: {r}");
        assert_eq!(env.toolchain_dirs(), [format!("go{V}")], "{preset}");
        assert_eq!(
            installed_go_version(&env),
            format!("go version go{V} linux/amd64\n")
        );
        let want: Vec<(&str, String)> = want
            .iter()
            .map(|(site, path)| (*site, path.replace("FILE", &file)))
            .collect();
        let want: Vec<(&str, &str)> = want.iter().map(|(s, p)| (*s, p.as_str())).collect();
        assert_eq!(asked(&sites), pairs(&want), "{preset}: {r}");
        // `config get` names the preset the value is.
        let r = gover(&env, &["config", "get", "mirror"]).success();
        assert!(r.stderr.contains(&format!(": preset {preset}")), "{r}");
    }
}

#[test]
fn a_mirror_copy_that_is_not_the_index_s_archive_is_refused() {
    let (sites, file) = published();
    let good = archive::toolchain(V);
    // A valid archive of the same size with other bytes (the gzip
    // header's time): only the sha256 can tell.
    let mut other = good.clone();
    other[4] ^= 1;
    // The same archive damaged in the middle.
    let mut damaged = good.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x5a;
    for (bytes, want) in [
        (&other, &["checksum mismatch"][..]),
        (&damaged, &["checksum mismatch"][..]),
    ] {
        sites.copy_to_mirrors(&file, bytes);
        for (preset, site) in [("aliyun", &sites.aliyun), ("ustc", &sites.ustc)] {
            let mut env = env_for(&sites);
            env.set("GOVER_MIRROR", preset);
            let r = gover(&env, &["install", V]);
            assert_eq!(r.code, 1, "{preset}: {r}");
            assert!(want.iter().any(|w| r.stderr.contains(w)), "{preset}: {r}");
            assert!(!has_raw_controls(&r.stderr), "{preset}: {r}");
            if bytes == &other {
                assert!(
                    r.stderr.contains(&format!(
                        "error: checksum mismatch for {file} from {}golang/{file}\n  expected sha256 {} (from the release index {}dl/?mode=json&include=all)\n  computed sha256 {}",
                        site.url(),
                        sha256_hex(&good),
                        sites.cn.url(),
                        sha256_hex(&other)
                    )),
                    "{preset}: {r}"
                );
            }
            assert!(env.toolchain_dirs().is_empty(), "{preset}");
            assert!(
                names_in(&env.gover_home.join("tmp")).is_empty(),
                "{preset}: tmp/ not cleaned"
            );
            // Google's own archives, through golang.google.cn, are the
            // index's.
            env.set("GOVER_MIRROR", "cn");
            gover(&env, &["install", V]).success();
            assert_eq!(env.toolchain_dirs(), [format!("go{V}")]);
        }
    }
}

#[test]
fn an_unknown_preset_lists_the_presets_and_asks_no_one() {
    let (sites, _) = published();
    let presets = "the presets are go.dev, cn, aliyun, ustc";
    let mut env = env_for(&sites);
    env.set("GOVER_MIRROR", "china");
    let r = gover(&env, &["install", V]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: GOVER_MIRROR=china is neither a URL nor a preset; {presets}\n"
        )),
        "{r}"
    );
    assert!(r.stderr.contains("hint: set GOVER_MIRROR to "), "{r}");

    // In a config file, named with its line and the nearest preset.
    let env = env_for(&sites);
    let config = env.write("gover/config.toml", "# mine\nmirror = \"Aliyun\"\n");
    let r = gover(&env, &["install", V]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: {}:2: mirror = \"Aliyun\" is neither a URL nor a preset (did you mean \"aliyun\"?); {presets}\n",
            config.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains(&format!("hint: fix line 2 of {}", config.display())),
        "{r}"
    );
    // `gover config set` refuses one and writes nothing.
    let env = env_for(&sites);
    let r = gover(&env, &["config", "set", "index_url", "usts"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "\"usts\" is neither a URL nor a preset; {presets}"
        )),
        "{r}"
    );
    assert!(!env.gover_home.join("config.toml").exists());
    assert!(asked(&sites).is_empty(), "{:?}", asked(&sites));
}

#[test]
fn an_index_url_set_explicitly_wins_over_the_preset_s_index() {
    let (sites, file) = published();
    // The company's own index, listing the same archive.
    let own = Mirror::start();
    own.publish(V, archive::toolchain(V));
    let mut env = env_for(&sites);
    let config = env.write(
        "gover/config.toml",
        &format!("index_url = \"{}\"\n", own.index_url()),
    );
    env.set("GOVER_MIRROR", "ustc");
    let r = gover(&env, &["install", V]);
    assert_eq!(r.code, 0, "{r}");
    assert!(!own.requests_for("index.json").is_empty(), "{r}");
    assert_eq!(
        asked(&sites),
        pairs(&[("mirrors.ustc.edu.cn", &format!("golang/{file}"))]),
        "the preset's index was asked: {r}"
    );
    let r = gover(&env, &["config", "get", "index_url"]).success();
    assert_eq!(r.stdout, format!("{}\n", own.index_url()));
    assert_eq!(
        r.stderr,
        format!("index_url: from {}:1\n", config.display())
    );
    // Naming a preset as the mirror says that the index stays.
    let mut set = env.gover(["config", "set", "--global", "mirror", "cn"]);
    set.env_remove("GOVER_MIRROR");
    let r = support::run(&mut set).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: index_url stays {} (from {}:1), not the index of preset cn: a preset brings its index only when index_url is not set; to use it, `gover config unset index_url`",
            own.index_url(),
            config.display()
        )),
        "{r}"
    );
}

/// `gover doctor --network --json` in `env`: its `network.mirrors`
/// findings, and how long it took.
fn doctor_mirrors(env: &TestEnv) -> (Vec<Value>, Duration, Run) {
    let (r, took) = run_timed(&mut env.gover(["doctor", "--network", "--json"]), 60);
    let all: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{r}"));
    let mirrors = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "network.mirrors")
        .cloned()
        .collect();
    (mirrors, took, r)
}

/// Asserts that the first finding says the mirror in use, aliyun at
/// `url`, answers and has `file`.
#[track_caller]
fn assert_in_use_has_it(findings: &[Value], url: &str, file: &str, r: &Run) {
    let first = findings[0]["message"].as_str().unwrap();
    assert!(
        first.starts_with(&format!(
            "the archive mirror in use, aliyun ({url}), answers in "
        )) && first.ends_with(&format!(" ms and has {file}")),
        "{findings:#?}\n{r}"
    );
}

/// The finding whose message starts with `start`.
#[track_caller]
fn finding<'a>(findings: &'a [Value], start: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with(start))
        .unwrap_or_else(|| panic!("no finding starting {start:?} in {findings:#?}"))
}

#[test]
fn doctor_network_says_which_mirrors_answer_and_how_fast() {
    let (sites, file) = published();
    // ustc stalls, golang.google.cn answers with a sign-in page, and
    // dl.google.com (behind go.dev) does not have the archive.
    sites.ustc.fault(
        &format!("golang/{file}"),
        Fault::Delay(Duration::from_secs(30)),
        None,
    );
    sites.cn.fault(&format!("dl/{file}"), Fault::Html, None);
    sites
        .dl
        .fault(&format!("go/{file}"), Fault::Status(404), None);
    let url = |m: &Mirror, dir: &str| format!("{}{dir}", m.url());
    let (aliyun, ustc) = (url(&sites.aliyun, "golang/"), url(&sites.ustc, "golang/"));
    let (cn, go_dev) = (url(&sites.cn, "dl/"), url(&sites.dl, "go/"));
    let mut env = env_for(&sites);

    // The mirror in use answers: every line is information.
    env.set("GOVER_MIRROR", "aliyun");
    let (f, took, r) = doctor_mirrors(&env);
    assert!(took < Duration::from_secs(10), "took {took:?}: {r}");
    assert_eq!(f.len(), 4, "{f:#?}");
    assert!(f.iter().all(|x| x["severity"] == "ok"), "{f:#?}");
    assert_in_use_has_it(&f, &aliyun, &file, &r);
    let msg = |start: &str| finding(&f, start)["message"].as_str().unwrap().to_string();
    let stalled = msg(&format!("ustc ({ustc}) does not answer: "));
    assert!(
        stalled.contains("timed out") || stalled.ends_with("no answer within 2 s"),
        "{f:#?}"
    );
    assert!(
        msg(&format!("cn ({cn}) answers in ")).ends_with(&format!(
            "with an HTML page, not {file} (a sign-in or error page?)"
        )),
        "{f:#?}"
    );
    assert!(
        msg(&format!("go.dev ({go_dev}) answers in "))
            .ends_with(&format!("but does not have {file} (yet)")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .all(|x| only_loopback_urls(x["message"].as_str().unwrap())),
        "{f:#?}"
    );

    // The mirror in use stalls, answers a page, or lacks the archive: a
    // problem (or a warning) whose fix names the preset that has it.
    let switch = "aliyun answers in ";
    for (preset, severity, start) in [
        (
            "ustc",
            "problem",
            format!("the archive mirror in use, ustc ({ustc}), does not answer: "),
        ),
        (
            "cn",
            "problem",
            format!("the archive mirror in use, cn ({cn}), answers in "),
        ),
        (
            "go.dev",
            "warning",
            format!("the archive mirror in use, go.dev ({go_dev}), answers in "),
        ),
    ] {
        env.set("GOVER_MIRROR", preset);
        let (f, took, r) = doctor_mirrors(&env);
        assert!(
            took < Duration::from_secs(10),
            "{preset} took {took:?}: {r}"
        );
        let mine = finding(&f, &start);
        assert_eq!(mine["severity"], severity, "{preset}: {f:#?}");
        let fix = mine["fix"].as_str().unwrap();
        assert!(fix.contains(switch), "{preset}: {fix}");
        assert!(
            fix.contains("`gover config set --global mirror aliyun` (or GOVER_MIRROR=aliyun for one command)"),
            "{preset}: {fix}"
        );
    }

    // A mirror given by URL on a closed port; the index by preset.
    let closed = format!("{CLOSED_ORIGIN}/golang/");
    env.set("GOVER_MIRROR", &closed)
        .set("GOVER_INDEX_URL", "cn");
    let (f, _, r) = doctor_mirrors(&env);
    let mine = finding(
        &f,
        &format!(
            "the archive mirror in use, {closed}, does not answer: HEAD {closed}{file} failed: "
        ),
    );
    assert_eq!(mine["severity"], "problem", "{f:#?}");
    assert_eq!(r.code, 1, "{r}");
    // In words, too.
    let r = run_timed(&mut env.gover(["doctor", "--network"]), 60).0;
    assert!(
        r.stdout.contains(&format!(
            "  network.mirrors: the archive mirror in use, {closed}, does not answer: HEAD {closed}{file} failed: "
        )),
        "{r}"
    );
}

#[test]
fn no_test_reaches_the_real_sites() {
    // Nothing set: every test command points the presets and the defaults
    // at a closed loopback port, so doctor asks no one outside.
    let env = TestEnv::new();
    let (f, took, r) = doctor_mirrors(&env);
    assert!(took < Duration::from_secs(15), "took {took:?}: {r}");
    assert_eq!(f.len(), 4, "{r}");
    for x in &f {
        let m = x["message"].as_str().unwrap();
        assert!(m.contains(&format!("({CLOSED_ORIGIN}/")), "{m}");
        assert!(m.contains(" does not answer: "), "{m}");
        assert!(only_loopback_urls(m), "{m}");
    }
    let r = run_timed(&mut env.gover(["doctor", "--network"]), 60).0;
    for real in REAL_ORIGINS {
        assert!(!r.stdout.contains(real), "{real}: {r}");
    }
    // The real origins are what it rewrites.
    let r = gover(&env, &["config", "list"]).success();
    assert!(
        r.stdout.contains(&format!("\"{CLOSED_ORIGIN}/go/\"")),
        "{r}"
    );
    assert!(!r.stdout.contains(REAL_ORIGINS[1]), "{r}");
}

#[test]
fn hostile_preset_names_in_a_config_file_are_refused_and_escaped() {
    let env = TestEnv::new();
    let long = "cn".repeat(5000);
    // Raw control characters, as a booby-trapped file holds them.
    for (value, problem) in [
        ("cn\u{1b}]0;owned\u{7}", "is not a usable URL"),
        ("cn\u{1b}[2J", "is not a usable URL"),
        ("\u{9b}31mcn", "is not a usable URL"),
        ("../../../etc/cn", "is not a usable URL"),
        (long.as_str(), "is neither a URL nor a preset"),
    ] {
        let config = env.write("gover/config.toml", &format!("mirror = \"{value}\"\n"));
        for args in [&["install", V][..], &["doctor"][..]] {
            let r = gover(&env, args);
            assert_eq!(r.code, 1, "{value}: {r}");
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(!has_raw_controls(&all), "{value}: {r}");
            assert!(all.contains(problem), "{value}: {r}");
            assert!(all.contains(&config.display().to_string()), "{value}: {r}");
            assert!(all.len() < 8000, "{value}: {} bytes", all.len());
        }
    }
}

#[test]
fn garbage_in_the_preset_origins_knob_is_refused_with_credentials_masked() {
    let env = TestEnv::new();
    let cn = "https://golang.google.cn";
    for value in [
        "\u{1b}[31mred\u{7}".to_string(),
        format!("{cn}=ftp://127.0.0.1:21"),
        format!("{cn}=file:///etc"),
        format!("{cn}=javascript:alert(1)"),
        format!("{cn}=http://127.0.0.1:9/some/path"),
        format!("{cn}=http://alice:s3cret@127.0.0.1:9"),
        format!("https://alice:s3cret@golang.google.cn={CLOSED_ORIGIN}"),
        format!("{cn}=alice:s3cret@127.0.0.1:9"),
        "alice:s3cret@proxy.example:3128".to_string(),
        format!("{cn}={CLOSED_ORIGIN},https://mirrors.aliyun.com"),
    ] {
        for args in [
            &["install", V][..],
            &["config", "list"][..],
            &["doctor"][..],
        ] {
            let mut cmd = env.gover(args);
            cmd.env("GOVER_PRESET_ORIGINS", &value);
            let r = run_timed(&mut cmd, 60).0;
            assert_eq!(r.code, 1, "{value:?} {args:?}: {r}");
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(
                all.contains("GOVER_PRESET_ORIGINS=") && all.contains("is not a list of rewrites"),
                "{value:?} {args:?}: {r}"
            );
            assert!(!all.contains("s3cret"), "{value:?} {args:?}: {r}");
            assert!(!has_raw_controls(&all), "{value:?} {args:?}: {r}");
        }
    }
}

/// The body of `GET /path` from `m`, asked directly.
fn get_page(m: &Mirror, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(m.addr()).unwrap();
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn hostile_names_on_a_listing_page_never_become_paths() {
    let (sites, file) = published();
    let hostile = [
        "../../../../../../tmp/gover-pwned",
        "/etc/passwd",
        "go1.22.10.linux-amd64.tar.gz/../../../escape",
        "\u{1b}]0;pwned\u{7}go1.99.0.linux-amd64.tar.gz",
        "go1.99.0.linux-amd64.tar.gz\"><script>alert(1)</script>",
    ];
    for name in hostile {
        sites.list_only(name);
    }
    // The listings do name them.
    for m in [&sites.aliyun, &sites.ustc] {
        let page = get_page(m, "golang/");
        assert!(page.contains(hostile[0]) && page.contains(&file), "{page}");
    }
    let listing_reads = || {
        sites
            .requests()
            .iter()
            .filter(|(_, _, path)| path == "golang/")
            .count()
    };
    assert_eq!(listing_reads(), 2);
    let mut env = env_for(&sites);
    env.set("GOVER_MIRROR", "aliyun");
    let out = env.root.join("out");
    let runs = [
        gover(&env, &["install", V]),
        gover(&env, &["list", "--remote"]),
        gover(&env, &["mirror", out.to_str().unwrap(), V]),
        run_timed(&mut env.gover(["doctor", "--network"]), 60).0,
    ];
    for r in &runs[..3] {
        assert_eq!(r.code, 0, "{r}");
    }
    for r in &runs {
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(!has_raw_controls(&all), "{r}");
        for word in ["pwned", "escape", "passwd", "1.99.0", "script"] {
            assert!(!all.contains(word), "{word}: {r}");
        }
    }
    // Only what the index names was made, and no listing was read.
    assert_eq!(env.toolchain_dirs(), [format!("go{V}")]);
    assert_eq!(
        names_in(&out),
        [file.clone(), format!("{file}.sha256"), "index.json".into()]
    );
    assert_eq!(
        names_in(&env.root),
        ["gover", "home", "out", "project", "tmp"]
    );
    assert!(!std::path::Path::new("/tmp/gover-pwned").exists());
    assert_eq!(listing_reads(), 2, "gover read a listing");
}

#[test]
fn an_archive_redirected_from_https_to_http_is_refused_unless_allowed() {
    let (sites, file) = published();
    let mut env = env_for(&sites);
    // golang.google.cn over HTTPS, sending the archive to plain http://.
    let to = format!("{}go/{file}", sites.dl.url());
    let response = format!("HTTP/1.0 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n");
    let path = format!("dl/{file}");
    let Some(tls) = TlsServer::start(&env, &[(&path, response.into_bytes())], Serve::RawResponses)
    else {
        return;
    };
    let cn_https = tls.base.trim_end_matches('/').to_string();
    let origins = sites.origins().replace(
        &format!("https://golang.google.cn=http://{}", sites.cn.addr()),
        &format!("https://golang.google.cn={cn_https}"),
    );
    env.set("GOVER_PRESET_ORIGINS", origins)
        .set("SSL_CERT_FILE", &tls.ca)
        .set("GOVER_MIRROR", "cn")
        // The index by preset name: go.dev's, over http on loopback.
        .set("GOVER_INDEX_URL", "go.dev");
    let r = gover(&env, &["install", V]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}{path} was redirected from {}{path} down to {to}: gover does not follow a redirect from https:// to http://",
            tls.base, tls.base
        )),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_ALLOW_INSECURE_REDIRECTS=1"), "{r}");
    assert!(sites.dl.requests_for(&format!("go/{file}")).is_empty());
    assert!(env.toolchain_dirs().is_empty());

    env.set("GOVER_ALLOW_INSECURE_REDIRECTS", "1");
    let r = gover(&env, &["install", V]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "warning: following the redirect from {}{path} down to {to}",
            tls.base
        )),
        "{r}"
    );
    assert_eq!(env.toolchain_dirs(), [format!("go{V}")]);
}

/// A mirror that refuses `HEAD` (`405`) but serves `GET` has the archive:
/// doctor asks again with a one-byte `GET` instead of reporting it missing.
#[test]
fn doctor_network_asks_a_mirror_that_refuses_head_with_get() {
    let (sites, file) = published();
    sites
        .aliyun
        .fault(&format!("golang/{file}"), Fault::NoHead, None);
    let aliyun = format!("{}golang/", sites.aliyun.url());
    let mut env = env_for(&sites);
    env.set("GOVER_MIRROR", "aliyun");
    let (f, _, r) = doctor_mirrors(&env);
    assert_in_use_has_it(&f, &aliyun, &file, &r);
    assert_eq!(f[0]["severity"], "ok", "{f:#?}");
    let asked: Vec<(String, u16)> = sites
        .aliyun
        .requests()
        .iter()
        .filter(|q| q.path.ends_with(&file))
        .map(|q| (q.method.clone(), q.status))
        .collect();
    // The GET asks for one byte; this mirror ignores the range (200).
    assert!(
        matches!(asked.as_slice(), [(h, 405), (g, 200 | 206)] if h == "HEAD" && g == "GET"),
        "{asked:?}\n{r}"
    );
}
