//! `gover install`, the shim's auto-install and `gover mirror` against a
//! hostile mirror (`support::hostile`): file names that leave the mirror,
//! endless or dripping bodies, redirects that drop TLS, HTML pages,
//! escape sequences, and a `tmp/` that is not gover's. Nothing outside
//! gover's directories (or the mirror's `DIR`) changes, nothing hangs,
//! nothing reaches the terminal raw, and every limit that is hit is named.

use crate::support;
use crate::support::archive;
use crate::support::hostile::{self, has_raw_controls, names_in, run_timed, ESCAPES};
use crate::support::mirror::{self, host_filename, host_platform, sha256_hex, Fault, Mirror};

use std::fs;
use std::time::Duration;

use support::{gover_bin, run, Run, TestEnv};

/// A test environment pointed at `m`, with short timeouts and retries.
fn env_for(m: &Mirror) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "1")
        .set("GOVER_HTTP_BACKOFF_MS", "20")
        .set("GOVER_INDEX_TTL", "0");
    env
}

/// `gover ARGS` in `env`, killed (and failing the test) after 30 s.
fn gover_within(env: &TestEnv, args: &[&str]) -> (Run, Duration) {
    run_timed(&mut env.gover(args), 30)
}

#[test]
fn mirror_never_touches_files_an_index_names_outside_dir() {
    let up = Mirror::start();
    up.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&up);
    let dir = env.mkdir("srv/mirror");
    // Files outside DIR that an index names, by absolute and relative path.
    let precious = env.write("precious.conf", "precious\n");
    let victim = env.write("srv/victim.txt", "victim\n");
    let victim_sum = env.write("srv/victim.txt.sha256", "sum\n");
    let bytes = archive::toolchain("1.22.9");
    let held = serde_json::json!([{
    "version": "go1.22.9", "stable": true, "files": [
        hostile::host_file_json(precious.to_str().unwrap(), &bytes),
        hostile::host_file_json("../victim.txt", &bytes),
    ]}]);
    fs::write(dir.join("index.json"), held.to_string()).unwrap();
    let (r, _) = gover_within(&env, &["mirror", dir.to_str().unwrap(), "1.22.10"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "skipping go1.22.9's file `{}`: a file name from an index must be one plain path segment",
            precious.display()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("skipping go1.22.9's file `../victim.txt`"),
        "{r}"
    );
    assert_eq!(fs::read_to_string(&precious).unwrap(), "precious\n");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "victim\n");
    assert_eq!(fs::read_to_string(&victim_sum).unwrap(), "sum\n");
    let index = fs::read_to_string(dir.join("index.json")).unwrap();
    assert!(
        !index.contains("victim") && !index.contains("precious"),
        "{index}"
    );
    // Nothing was asked for by those names either.
    assert!(up.requests().iter().all(|q| !q.path.contains("victim")));
}

#[test]
fn an_upstream_index_cannot_make_mirror_write_outside_dir() {
    let up = Mirror::start();
    let env = env_for(&up);
    let dir = env.root.join("srv/mirror");
    let outside = env.root.join("outside.tar.gz");
    let bytes = archive::toolchain("1.22.10");
    up.put(
        "index.json",
        hostile::index_of(
            "1.22.10",
            vec![hostile::host_file_json(outside.to_str().unwrap(), &bytes)],
        ),
    );
    up.put(outside.to_str().unwrap().trim_start_matches('/'), bytes);
    let (r, _) = gover_within(&env, &["mirror", dir.to_str().unwrap(), "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains("a file name from an index must be one plain path segment"),
        "{r}"
    );
    assert!(r.stderr.contains("go1.22.10 has no archive for"), "{r}");
    assert!(!outside.exists() && !env.root.join("outside.tar.gz.sha256").exists());
    assert_eq!(fs::read_to_string(dir.join("index.json")).unwrap(), "[]\n");
    assert_eq!(names_in(&dir), ["index.json"]);
}

#[test]
fn install_never_fetches_a_file_outside_the_mirror() {
    let m = Mirror::start();
    let mut env = env_for(&m);
    // A file:// mirror, and a valid archive just outside it that the
    // index names with `../`.
    let dir = env.mkdir("mirror");
    let bytes = archive::toolchain("1.22.10");
    fs::write(env.root.join("evil.tar.gz"), &bytes).unwrap();
    m.put(
        "index.json",
        hostile::index_of(
            "1.22.10",
            vec![hostile::host_file_json("../evil.tar.gz", &bytes)],
        ),
    );
    env.set("GOVER_MIRROR", format!("file://{}/", dir.display()));
    let (r, _) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains("skipping go1.22.10's file `../evil.tar.gz`"),
        "{r}"
    );
    assert!(r.stderr.contains("go1.22.10 has no archive for"), "{r}");
    assert!(env.toolchain_dirs().is_empty());
}

#[test]
fn escape_sequences_from_an_index_never_reach_the_terminal() {
    let m = Mirror::start();
    let env = env_for(&m);
    let bytes = archive::toolchain("1.22.10");
    let (os, arch) = host_platform();
    m.put(
        "index.json",
        hostile::index_of(
            "1.22.10",
            vec![
                hostile::host_file_json(&format!("go1.22.10{ESCAPES}.tar.gz"), &bytes),
                hostile::file_json(
                    "go1.22.10.x.tar.gz",
                    &format!("{os}{ESCAPES}"),
                    arch,
                    &bytes,
                ),
                hostile::file_json("go1.22.10.y.tar.gz", os, ESCAPES, &bytes),
            ],
        ),
    );
    for args in [
        &["install", "1.22.10"][..],
        &["list", "--remote", "--all"],
        &["mirror", "dir", "1.22.10"],
    ] {
        let (r, _) = gover_within(&env, args);
        assert!(!has_raw_controls(&r.stderr), "{args:?}\n{r:?}");
        assert!(!has_raw_controls(&r.stdout), "{args:?}\n{r:?}");
        assert!(r.stderr.contains("\\u{1b}]0;pwned\\u{7}"), "{args:?}\n{r}");
    }
    // A release name with escapes, and a local archive named with them.
    m.put(
        "index.json",
        format!(
            r#"[{{"version": "go1.22.10{}", "stable": true, "files": []}}]"#,
            "\\u001b[2J"
        )
        .into_bytes(),
    );
    let (r, _) = gover_within(&env, &["list", "--remote"]);
    assert!(!has_raw_controls(&r.stderr), "{r:?}");
    let local = env.root.join(format!("go{ESCAPES}.tar.gz"));
    fs::write(&local, b"not an archive").unwrap();
    let (r, _) = gover_within(
        &env,
        &[
            "install",
            "--from",
            local.to_str().unwrap(),
            "--sha256",
            &"0".repeat(64),
        ],
    );
    assert_eq!(r.code, 1, "{r}");
    assert!(!has_raw_controls(&r.stderr), "{r:?}");
}

#[test]
fn scratch_space_cleanup_removes_only_gover_s_own_entries() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let tmp = env.gover_home.join("tmp");
    fs::create_dir_all(tmp.join("backup@2024")).unwrap();
    fs::write(tmp.join("backup@2024/thesis.tex"), "years of work").unwrap();
    fs::create_dir_all(tmp.join("go1.22.10@notes")).unwrap();
    // A real leftover of an interrupted install.
    fs::create_dir_all(tmp.join("go1.22.10@install-1-2-3/go")).unwrap();
    env.run_gover(["install", "1.22.10"]).success();
    assert_eq!(names_in(&tmp), ["backup@2024", "go1.22.10@notes"]);
    assert_eq!(
        fs::read_to_string(tmp.join("backup@2024/thesis.tex")).unwrap(),
        "years of work"
    );
    // Lock files only for gover's own names.
    assert_eq!(
        names_in(&env.gover_home.join("locks")),
        ["go1.22.10.lock", "store.lock"]
    );
}

#[test]
fn a_linked_tmp_is_never_cleaned_through() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let elsewhere = env.mkdir("elsewhere");
    fs::create_dir_all(elsewhere.join("go1.22.10@install-1-2-3")).unwrap();
    fs::write(elsewhere.join("go1.22.10@install-1-2-3/keep"), "mine").unwrap();
    fs::create_dir_all(&env.gover_home).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.gover_home.join("tmp")).unwrap();
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains("tmp is a link (or not a directory)"),
        "{r}"
    );
    assert_eq!(
        fs::read_to_string(elsewhere.join("go1.22.10@install-1-2-3/keep")).unwrap(),
        "mine"
    );
    assert!(env.toolchain_dirs().is_empty());
}

#[test]
fn endless_bytes_after_the_archive_stop_at_the_index_size() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    let file = m.publish("1.22.10", bytes.clone());
    m.fault(&file, Fault::EndlessAfter, None);
    let env = env_for(&m);
    let (r, took) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        r.stderr.contains(&format!(
            "error: {file} from {}{file} is larger than the {} bytes the release index lists; gover stopped reading there",
            m.url(),
            bytes.len()
        )),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty());
    assert!(names_in(&env.gover_home.join("tmp")).is_empty());
}

#[test]
fn endless_garbage_stops_at_the_first_gzip_error() {
    let m = Mirror::start();
    let file = host_filename("1.22.10");
    // An index that allows a gigabyte: the size bound would come late.
    let mut entry = hostile::host_file_json(&file, &archive::toolchain("1.22.10"));
    entry["size"] = serde_json::json!(1u64 << 30);
    m.put("index.json", hostile::index_of("1.22.10", vec![entry]));
    m.fault(&file, Fault::EndlessGarbage, None);
    let env = env_for(&m);
    let (r, took) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        r.stderr
            .contains(&format!("error: {file} is not a valid .tar.gz archive")),
        "{r}"
    );
    assert!(env.toolchain_dirs().is_empty());
}

#[test]
fn a_drip_is_stopped_by_the_minimum_speed_and_a_slow_transfer_by_the_deadline() {
    let m = Mirror::start();
    let bytes = hostile::incompressible_toolchain("1.22.10", 16);
    let file = m.publish("1.22.10", bytes.clone());
    let mut env = env_for(&m);
    env.set("GOVER_DOWNLOAD_LOW_SPEED_TIME", "2");
    // One byte every 500 ms: never silent long enough for the timeout.
    hostile::drip(&m, &file, 1, 500);
    let (r, took) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        r.stderr.contains(&format!(
            "error: the download of {}{file} is too slow: ",
            m.url()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("below the minimum of 1024 bytes per second"),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_DOWNLOAD_LOW_SPEED_LIMIT"), "{r}");

    // Fast enough for the minimum speed, too slow for the deadline the
    // size gives (2 s timeout + 1 s).
    env.set("GOVER_DOWNLOAD_LOW_SPEED_LIMIT", "0")
        .set("GOVER_DOWNLOAD_MIN_RATE", "1000000");
    hostile::drip(&m, &file, 1000, 200);
    let (r, took) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        r.stderr.contains(&format!("error: the download of {}{file} did not finish within 3s, the time allowed for its size", m.url())),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_DOWNLOAD_MIN_RATE"), "{r}");
    assert!(env.toolchain_dirs().is_empty());
}

#[test]
fn the_shim_s_auto_install_and_mirror_are_bounded_too() {
    let m = Mirror::start();
    hostile::dripping_release(&m, 500);
    let mut env = env_for(&m);
    env.set("GOVER_DOWNLOAD_LOW_SPEED_TIME", "2");
    env.path = format!("{}:{}", gover_bin().parent().unwrap().display(), env.path);
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    let mut go = env.command(env.gover_home.join("shims/go"));
    go.arg("version");
    let (r, took) = run_timed(&mut go, 30);
    assert_ne!(r.code, 0, "{r}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(r.stderr.contains("is too slow"), "{r}");

    let dir = env.root.join("mirror-dir");
    let (r, took) = gover_within(&env, &["mirror", dir.to_str().unwrap(), "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(r.stderr.contains("is too slow"), "{r}");
    assert_eq!(names_in(&dir), ["index.json"]);
}

#[test]
fn an_https_index_redirected_to_http_is_refused_unless_allowed() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = env_for(&m);
    let Some(tls) = hostile::https_redirect(&env, &m.index_url()) else {
        return;
    };
    env.set("GOVER_INDEX_URL", format!("{}index.json", tls.base))
        .set("SSL_CERT_FILE", &tls.ca);
    let (r, _) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}index.json was redirected from {}index.json down to {}: gover does not follow a redirect from https:// to http://",
            tls.base,
            tls.base,
            m.index_url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("GOVER_ALLOW_INSECURE_REDIRECTS=1"), "{r}");
    assert!(
        m.requests_for("index.json").is_empty(),
        "the http:// index was fetched"
    );
    assert!(
        !r.stderr.contains("tried"),
        "a refused redirect is not retried\n{r}"
    );

    env.set("GOVER_ALLOW_INSECURE_REDIRECTS", "1");
    let (r, _) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "warning: following the redirect from {}index.json down to {}",
            tls.base,
            m.index_url()
        )),
        "{r}"
    );
}

#[test]
fn a_redirect_to_a_file_url_is_named() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.fault(&file, Fault::Redirect("file:///etc/passwd".into()), None);
    let env = env_for(&m);
    let (r, _) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: GET {}{file} was redirected to file:///etc/passwd, which is not an http:// or https:// URL",
            m.url()
        )),
        "{r}"
    );
    assert!(!r.stderr.contains("302"), "{r}");
}

#[test]
fn an_html_page_instead_of_the_index_falls_back_to_the_cache() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    env.run_gover(["list", "--remote"]).success();
    let cache_before = names_in(&env.gover_home.join("cache"));
    let body = fs::read(
        env.gover_home.join("cache").join(
            cache_before
                .iter()
                .find(|f| !f.ends_with(".meta.json"))
                .unwrap(),
        ),
    )
    .unwrap();
    m.fault("index.json", Fault::Html, None);
    let r = env.run_gover(["list", "--remote"]).success();
    assert_eq!(r.stdout, "go1.22.10\n");
    assert!(
        r.stderr.contains(&format!(
            "warning: GET {} answered with an HTML page instead of the release index",
            m.index_url()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("using the release index cached"), "{r}");
    // The good cached copy was not replaced by the page.
    let cached = cache_before
        .iter()
        .find(|f| !f.ends_with(".meta.json"))
        .unwrap();
    assert_eq!(
        fs::read(env.gover_home.join("cache").join(cached)).unwrap(),
        body
    );
    env.run_gover(["install", "1.22.10"]).success();
}

#[test]
fn one_bad_entry_is_skipped_and_duplicates_are_named() {
    let m = Mirror::start();
    let env = env_for(&m);
    let good = archive::toolchain("1.22.10");
    let mut bad = hostile::host_file_json("go1.22.9.linux-amd64.tar.gz", &good);
    bad["size"] = serde_json::json!(-5);
    let index = serde_json::json!([
        {"version": "go1.22.10", "stable": true, "files": [
            hostile::host_file_json(&host_filename("1.22.10"), &good)]},
        {"version": "go1.22.9", "stable": true, "files": [bad]},
        {"version": "go1.22.10", "stable": true, "files": []},
    ]);
    m.put("index.json", index.to_string().into_bytes());
    m.put(&host_filename("1.22.10"), good);
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(
        r.stderr.contains(&format!(
            "warning: the release index {}: skipping a file of go1.22.9: invalid value: integer `-5`, expected u64",
            m.index_url()
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("go1.22.10 is listed twice; using the first"),
        "{r}"
    );
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
}

#[test]
fn a_content_length_larger_than_a_complete_file_is_harmless() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.fault(&file, Fault::LyingLength(100), None);
    let env = env_for(&m);
    let (r, _) = gover_within(&env, &["install", "1.22.10"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    assert_eq!(m.requests_for(&file).len(), 1, "it was fetched again");
}

#[test]
fn passwords_with_quotes_brackets_or_hashes_are_never_shown_or_kept() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = env_for(&m);
    let base = format!("http://alice:s3(cr)e't@{}/", m.addr());
    env.set("GOVER_MIRROR", &base)
        .set("GOVER_INDEX_URL", format!("{base}index.json"));
    m.fault(&file, Fault::Status(404), None);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        !r.stderr.contains("s3(cr)e't") && !r.stderr.contains("e't@"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "error: GET http://alice:***@{}/{file} returned HTTP 404",
            m.addr()
        )),
        "{r}"
    );
    // The index cache keeps the URL without its credentials.
    for f in names_in(&env.gover_home.join("cache")) {
        let text = fs::read_to_string(env.gover_home.join("cache").join(&f)).unwrap();
        assert!(
            !text.contains("s3(cr)e't") && !text.contains("alice"),
            "{f}: {text}"
        );
    }
    // Characters a URL cannot hold unencoded: refused, and masked.
    for pw in ["s3#cret", "s3\"cret"] {
        env.set("GOVER_MIRROR", format!("http://alice:{pw}@{}/", m.addr()));
        let r = env.run_gover(["install", "1.22.10"]).failure();
        assert!(!r.stderr.contains(pw), "{r}");
        assert!(r.stderr.contains("is not a usable URL"), "{r}");
    }
}

#[test]
fn misleading_url_and_index_messages_name_the_real_cause() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    m.publish_as("1.22.10", bytes.clone(), &"a".repeat(65), true);
    let mut env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(
            "which is not one: a sha256 is 64 hexadecimal digits, this has 65 characters"
        ),
        "{r}"
    );
    assert!(!r.stderr.contains("go1.6"), "{r}");

    // The index size cap says so.
    env.set("GOVER_MAX_INDEX_BYTES", "100");
    let r = env.run_gover(["install", "1.22.10"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: the release index at {} is larger than 100 bytes (the limit)",
            m.index_url()
        )),
        "{r}"
    );
    assert!(!r.stderr.contains("EOF while parsing"), "{r}");
    env.set("GOVER_MAX_INDEX_BYTES", "");

    // file:// URLs that name a host.
    for (url, host) in [
        ("file://relative/dir/", "relative"),
        ("file://host/", "host"),
    ] {
        env.set("GOVER_MIRROR", url);
        let r = env.run_gover(["install", "1.22.10"]).failure();
        assert!(
            r.stderr.contains(&format!(
                "error: GOVER_MIRROR={url} is not a usable URL: file://{host}"
            )),
            "{r}"
        );
        assert!(r.stderr.contains("three slashes"), "{r}");
        assert!(!r.stderr.contains("scheme is not allowed"), "{r}");
    }
    // A relative or `~/` mirror: said so, without a network hint.
    for (url, why) in [
        ("./mirror/", "it is not an absolute URL"),
        ("~/mirror/", "`~` is not expanded here"),
    ] {
        env.set("GOVER_MIRROR", url);
        let r = env.run_gover(["install", "1.22.10"]).failure();
        assert!(
            r.stderr
                .contains(&format!("GOVER_MIRROR={url} is not a usable URL: {why}")),
            "{r}"
        );
        assert!(!r.stderr.contains("relative URL without a base"), "{r}");
        assert!(!r.stderr.contains("network"), "{r}");
    }
}

#[test]
fn a_toolchain_for_another_platform_never_lands_in_the_native_slot() {
    let m = Mirror::start();
    let other = if host_platform().1 == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let foreign = archive::toolchain_for("1.22.10", &format!("linux_{other}"));
    let filename = format!("go1.22.10.linux-{other}.tar.gz");
    m.add_release(
        "1.22.10",
        true,
        vec![mirror::IndexFile {
            filename: filename.clone(),
            os: "linux".into(),
            arch: other.into(),
            sha256: sha256_hex(&foreign),
            size: foreign.len() as u64,
            kind: "archive".into(),
        }],
    );
    m.put(&filename, foreign.clone());
    let env = env_for(&m);
    let platform = format!("linux-{other}");
    let r = env
        .run_gover(["install", "--platform", &platform, "1.22.10"])
        .success();
    let kept = env
        .gover_home
        .join(format!("platforms/{platform}/go1.22.10"));
    assert!(
        r.stderr
            .contains(&format!("Installed go1.22.10 to {}", kept.display())),
        "{r}"
    );
    assert!(kept
        .join("pkg/tool")
        .join(format!("linux_{other}"))
        .is_dir());
    assert!(
        env.toolchain_dirs().is_empty(),
        "{:?}",
        env.toolchain_dirs()
    );
    assert!(!env.gover_home.join("shims/go1.22.10").exists());
    let r = env.run_gover(["list"]).success();
    assert_eq!(r.stdout, "", "{r}");
    assert!(
        r.stderr.contains(&format!("go1.22.10 for {platform}")),
        "{r}"
    );
    // Again: already there, for that platform.
    let r = env
        .run_gover(["install", "--platform", &platform, "1.22.10"])
        .success();
    assert!(r.stderr.contains("is already installed at"), "{r}");

    // The native install is not "already installed".
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10 to"), "{r}");
    assert_eq!(env.toolchain_dirs(), ["go1.22.10"]);
    assert!(
        env.gover_home
            .join("toolchains/go1.22.10/pkg/tool/linux_amd64")
            .is_dir()
            || host_platform().1 != "amd64"
    );

    // A foreign tree left in the native slot (by an older gover) does not
    // count as installed: it is replaced.
    let native = env.gover_home.join("toolchains/go1.22.10");
    fs::remove_dir_all(&native).unwrap();
    let copy = run(std::process::Command::new("cp")
        .arg("-r")
        .arg(&kept)
        .arg(&native));
    assert_eq!(copy.code, 0, "{copy}");
    let r = env.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10 to"), "{r}");
    assert!(!native
        .join("pkg/tool")
        .join(format!("linux_{other}"))
        .exists());

    // A local archive for another platform needs --platform.
    let local = env.root.join(&filename);
    fs::write(&local, &foreign).unwrap();
    let r = env
        .run_gover([
            "install",
            "--force",
            "--from",
            local.to_str().unwrap(),
            "--sha256",
            &sha256_hex(&foreign),
        ])
        .failure();
    assert!(
        r.stderr.contains(&format!(
            "{filename} is a Go toolchain for {platform} (go/pkg/tool/linux_{other}), not for"
        )),
        "{r}"
    );
    assert!(r.stderr.contains(&format!("--platform {platform}")), "{r}");
}

#[test]
fn uninstall_of_a_toolchain_in_use_names_the_process_and_needs_force() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    env.run_gover(["install", "1.22.10"]).success();
    let root = env.gover_home.join("toolchains/go1.22.10");
    // A "build" working in the toolchain's tree.
    let mut build = std::process::Command::new("sleep")
        .arg("30")
        .current_dir(root.join("src"))
        .spawn()
        .unwrap();
    let r = env.run_gover(["uninstall", "1.22.10"]);
    let kept = root.join("bin/go").is_file();
    let forced = env.run_gover(["uninstall", "--force", "1.22.10"]);
    let _ = build.kill();
    let _ = build.wait();
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "error: go1.22.10 ({}) is in use by 1 running process:\n  {} (sleep) works in {}/src",
            root.display(),
            build.id(),
            root.display()
        )),
        "{r}"
    );
    assert!(r.stderr.contains("gover uninstall --force 1.22.10"), "{r}");
    assert!(kept, "it was removed anyway");
    assert_eq!(forced.code, 0, "{forced}");
    assert!(!root.exists());
}
