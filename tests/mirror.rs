//! `gover mirror`: fills a directory with verified archives, `.sha256`
//! files and a go.dev-format `index.json` from an upstream mirror on
//! 127.0.0.1, and that directory then serves a second GOVER_HOME through
//! `file://` and through a plain static HTTP server. Re-running verifies
//! what is there and adds what is missing; corrupt copies are replaced and
//! bad upstream archives are never kept.

use crate::support;
use crate::support::archive;
use crate::support::hostile::names_in;
use crate::support::mirror;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use mirror::{host_filename, host_platform, sha256_hex, IndexFile, Mirror};
use support::{run, Run, TestEnv};

/// A test environment whose downloads come from `upstream`.
fn env_for(upstream: &Mirror) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", upstream.url())
        .set("GOVER_INDEX_URL", upstream.index_url())
        .set("GOVER_HTTP_TIMEOUT", "5")
        .set("GOVER_INDEX_TTL", "0");
    env
}

/// An upstream serving fake go1.22.9, go1.22.10 and go1.23.4 for this
/// machine, and go1.23.4 for another platform too.
fn upstream() -> (Mirror, &'static str) {
    let m = Mirror::start();
    m.publish("1.22.9", archive::toolchain("1.22.9"));
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.publish("1.23.4", archive::toolchain("1.23.4"));
    let other = if host_platform().1 == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let body = archive::toolchain_for("1.23.4", &format!("linux_{other}"));
    let filename = format!("go1.23.4.linux-{other}.tar.gz");
    m.add_release(
        "1.23.4",
        true,
        vec![IndexFile {
            filename: filename.clone(),
            os: "linux".into(),
            arch: other.into(),
            sha256: sha256_hex(&body),
            size: body.len() as u64,
            kind: "archive".into(),
        }],
    );
    m.put(&filename, body);
    (m, other)
}

fn mirror_into(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let mut c = env.gover(["mirror"]);
    c.arg(dir).args(args);
    run(&mut c)
}

fn index(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap()
}

/// Serves the files of `dir` over HTTP on 127.0.0.1, like any static web
/// server (GET only, 404 for anything missing).
fn static_server(dir: PathBuf) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let name = path.trim_start_matches('/').split('?').next().unwrap_or("");
                let file = dir.join(name);
                let ok = !name.is_empty() && !name.contains("..") && file.is_file();
                if ok {
                    let body = fs::read(&file).unwrap();
                    let _ = write!(
                        conn,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = conn.write_all(&body);
                } else {
                    let _ = write!(
                        conn,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            });
        }
    });
    format!("http://{addr}/")
}

#[test]
fn mirror_serves_a_second_home_through_file_and_http() {
    let (up, other) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("srv/go");
    let r = mirror_into(&env, &dir, &["1.22"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "Downloaded and verified {}",
            host_filename("1.22.10")
        )),
        "{r}"
    );
    let (os, arch) = host_platform();
    let r = mirror_into(
        &env,
        &dir,
        &[
            "latest",
            "--platform",
            &format!("linux-{other}"),
            "--platform",
            &format!("{os}-{arch}"),
        ],
    );
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout.starts_with(&format!(
            "{} holds 3 verified archive(s) of 2 release(s): go1.23.4, go1.22.10\n",
            dir.display()
        )),
        "{r}"
    );
    assert!(
        r.stdout
            .contains(&format!("GOVER_MIRROR=file://{}/", dir.display())),
        "{r}"
    );

    let host_1_22 = host_filename("1.22.10");
    let host_1_23 = host_filename("1.23.4");
    let other_1_23 = format!("go1.23.4.linux-{other}.tar.gz");
    let mut want = vec![
        host_1_22.clone(),
        format!("{host_1_22}.sha256"),
        host_1_23.clone(),
        format!("{host_1_23}.sha256"),
        other_1_23.clone(),
        format!("{other_1_23}.sha256"),
        "index.json".to_string(),
    ];
    want.sort();
    assert_eq!(names_in(&dir), want, "nothing else is left in the mirror");
    for f in [&host_1_22, &host_1_23, &other_1_23] {
        let bytes = fs::read(dir.join(f)).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join(format!("{f}.sha256"))).unwrap(),
            sha256_hex(&bytes)
        );
    }
    let idx = index(&dir);
    let releases = idx.as_array().unwrap();
    assert_eq!(releases.len(), 2);
    assert_eq!(releases[0]["version"], "go1.23.4");
    assert_eq!(releases[0]["stable"], true);
    assert_eq!(releases[0]["files"].as_array().unwrap().len(), 2);
    let f = &releases[1]["files"][0];
    assert_eq!(f["filename"], host_1_22.as_str());
    assert_eq!(f["version"], "go1.22.10");
    assert_eq!(f["kind"], "archive");
    assert_eq!(
        f["sha256"],
        sha256_hex(&fs::read(dir.join(&host_1_22)).unwrap()).as_str()
    );

    // A second GOVER_HOME installs from the directory through file://,
    // without asking upstream anything.
    let before = up.requests().len();
    let mut second = TestEnv::new();
    second
        .set("GOVER_MIRROR", format!("file://{}/", dir.display()))
        .set(
            "GOVER_INDEX_URL",
            format!("file://{}/index.json", dir.display()),
        );
    let r = second.run_gover(["install", "1.22"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
    let mut go = second.command(second.gover_home.join("toolchains/go1.22.10/bin/go"));
    go.arg("version");
    assert_eq!(run(&mut go).stdout, "go version go1.22.10 linux/amd64\n");
    second.run_gover(["list", "--remote"]).success();

    // ... and through a static HTTP server serving the same directory.
    let url = static_server(dir.clone());
    let mut third = TestEnv::new();
    third
        .set("GOVER_MIRROR", &url)
        .set("GOVER_INDEX_URL", format!("{url}index.json"))
        .set("GOVER_HTTP_TIMEOUT", "5");
    let r = third.run_gover(["install", "latest"]).success();
    assert!(r.stderr.contains("Installed go1.23.4"), "{r}");
    assert_eq!(third.toolchain_dirs(), ["go1.23.4"]);
    assert_eq!(
        up.requests().len(),
        before,
        "the mirrored homes asked upstream"
    );
}

#[test]
fn rerun_verifies_repairs_and_adds() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    mirror_into(&env, &dir, &["1.22.10"]).success();
    let name = host_filename("1.22.10");
    assert_eq!(up.requests_for(&name).len(), 1);

    // Again: verified in place, nothing downloaded.
    let r = mirror_into(&env, &dir, &["1.22.10"]).success();
    assert!(
        r.stderr.contains(&format!("Verified {name} (already in ")),
        "{r}"
    );
    assert_eq!(up.requests_for(&name).len(), 1);

    // Adding a version keeps the first one listed (and verifies it).
    let r = mirror_into(&env, &dir, &["1.22.9"]).success();
    assert!(
        r.stdout
            .contains("holds 2 verified archive(s) of 2 release(s): go1.22.10, go1.22.9"),
        "{r}"
    );
    assert!(r.stderr.contains(&format!("Verified {name}")), "{r}");

    // A corrupt copy is detected and downloaded again.
    let good = fs::read(dir.join(&name)).unwrap();
    let mut bad = good.clone();
    let n = bad.len();
    bad[n / 2] ^= 0xff;
    fs::write(dir.join(&name), &bad).unwrap();
    let r = mirror_into(&env, &dir, &[]).success();
    assert!(r.stderr.contains("failed verification"), "{r}");
    assert!(
        r.stderr
            .contains(&format!("Downloaded and verified {name}")),
        "{r}"
    );
    assert_eq!(fs::read(dir.join(&name)).unwrap(), good);
    assert_eq!(up.requests_for(&name).len(), 2);
    // No arguments: latest was added too.
    assert!(
        r.stdout
            .contains("of 3 release(s): go1.23.4, go1.22.10, go1.22.9"),
        "{r}"
    );
}

#[test]
fn bad_upstream_archives_are_never_kept() {
    let (up, _) = upstream();
    // The index claims one digest, the server sends other bytes.
    up.publish_as(
        "1.21.13",
        archive::toolchain("1.21.13"),
        &"ab".repeat(32),
        true,
    );
    // An archive holding another version under this name.
    up.publish("1.20.14", archive::toolchain("1.20.13"));
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    let r = mirror_into(&env, &dir, &["1.21.13", "1.20.14", "1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains(&format!(
            "checksum mismatch for {}",
            host_filename("1.21.13")
        )),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("holds go1.20.13 (go/VERSION), not go1.20.14"),
        "{r}"
    );
    assert!(
        r.stderr.contains("2 archive(s) could not be mirrored"),
        "{r}"
    );
    let mut want = vec![
        host_filename("1.22.10"),
        format!("{}.sha256", host_filename("1.22.10")),
        "index.json".to_string(),
    ];
    want.sort();
    assert_eq!(names_in(&dir), want, "no partial or unverified file stays");
    let idx = index(&dir);
    assert_eq!(idx.as_array().unwrap().len(), 1, "{idx}");

    // Unknown versions and platforms are named.
    let r = mirror_into(&env, &dir, &["1.99.0"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("1.99.0"), "{r}");
    let r = mirror_into(&env, &dir, &["1.22.10", "--platform", "plan9-amd64"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("plan9"), "{r}");
    let r = mirror_into(&env, &dir, &["system"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("cannot be mirrored"), "{r}");
    // A file where the directory should be.
    let file = env.write("not-a-dir", "x");
    let r = mirror_into(&env, &file, &["1.22.10"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("is not a directory"), "{r}");
}

#[test]
fn a_run_that_verified_nothing_can_be_run_again() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    let r = mirror_into(&env, &dir, &["1.99.0"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(fs::read_to_string(dir.join("index.json")).unwrap(), "[]\n");
    let r = mirror_into(&env, &dir, &["1.22.10"]);
    assert_eq!(r.code, 0, "its own empty index.json is refused\n{r}");
    assert_eq!(index(&dir).as_array().unwrap().len(), 1);
}

#[test]
fn a_release_named_twice_is_mirrored_and_reported_once() {
    let (up, other) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    let (os, arch) = host_platform();
    // 1.22.10 has no archive for the other platform upstream.
    let r = mirror_into(
        &env,
        &dir,
        &[
            "1.22",
            "1.22.10",
            "--platform",
            &format!("{os}-{arch}"),
            "--platform",
            &format!("linux-{other}"),
        ],
    );
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(
        r.stderr.matches("go1.22.10 has no archive for").count(),
        1,
        "{r}"
    );
    assert!(
        r.stderr.contains("1 archive(s) could not be mirrored"),
        "{r}"
    );
    assert_eq!(up.requests_for(&host_filename("1.22.10")).len(), 1);
}

#[test]
fn index_json_is_in_go_dev_format_and_lowercase() {
    let up = Mirror::start();
    let body = archive::toolchain("1.22.10");
    // An index that spells the digest in uppercase.
    up.publish_as(
        "1.22.10",
        body.clone(),
        &sha256_hex(&body).to_uppercase(),
        true,
    );
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    mirror_into(&env, &dir, &["1.22.10"]).success();
    let name = host_filename("1.22.10");
    let (os, arch) = host_platform();
    let want = format!(
        "[\n {{\n  \"version\": \"go1.22.10\",\n  \"stable\": true,\n  \"files\": [\n   {{\n    \"filename\": \"{name}\",\n    \"os\": \"{os}\",\n    \"arch\": \"{arch}\",\n    \"version\": \"go1.22.10\",\n    \"sha256\": \"{}\",\n    \"size\": {},\n    \"kind\": \"archive\"\n   }}\n  ]\n }}\n]\n",
        sha256_hex(&body),
        body.len()
    );
    assert_eq!(fs::read_to_string(dir.join("index.json")).unwrap(), want);
    assert_eq!(
        fs::read_to_string(dir.join(format!("{name}.sha256"))).unwrap(),
        sha256_hex(&body)
    );
}

#[test]
fn an_interrupted_run_leaves_nothing_trusted_and_the_next_cleans_up() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    mirror_into(&env, &dir, &["1.22.9"]).success();
    let before = fs::read(dir.join("index.json")).unwrap();
    let name = host_filename("1.22.10");
    let half = archive::toolchain("1.22.10").len() / 2;
    up.fault(&name, mirror::Fault::StallAt(half), Some(1));
    let mut c = env.gover(["mirror"]);
    c.arg(&dir).arg("1.22.10");
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until the download has started, then kill it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !names_in(&dir)
        .iter()
        .any(|f| f.starts_with(".gover-mirror-download-"))
    {
        assert!(std::time::Instant::now() < deadline, "{:?}", names_in(&dir));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.join(&name).exists());
    assert_eq!(fs::read(dir.join("index.json")).unwrap(), before);

    let r = mirror_into(&env, &dir, &["1.22.10"]).success();
    assert!(
        r.stderr
            .contains(&format!("Downloaded and verified {name}")),
        "{r}"
    );
    let old = host_filename("1.22.9");
    let mut want = vec![
        name.clone(),
        format!("{name}.sha256"),
        old.clone(),
        format!("{old}.sha256"),
        "index.json".to_string(),
    ];
    want.sort();
    assert_eq!(names_in(&dir), want, "the scratch files are still there");
}

#[test]
fn an_index_listing_archives_not_in_dir_does_not_start_downloads() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    // An index.json copied from elsewhere: lists 1.22.9, DIR holds nothing.
    fs::create_dir_all(&dir).unwrap();
    let body = archive::toolchain("1.22.9");
    let upstream_index = format!(
        "[{{\"version\":\"go1.22.9\",\"stable\":true,\"files\":[{{\"filename\":\"{}\",\"os\":\"{}\",\"arch\":\"{}\",\"version\":\"go1.22.9\",\"sha256\":\"{}\",\"size\":{},\"kind\":\"archive\"}}]}}]",
        host_filename("1.22.9"),
        host_platform().0,
        host_platform().1,
        sha256_hex(&body),
        body.len()
    );
    fs::write(dir.join("index.json"), upstream_index).unwrap();
    let r = mirror_into(&env, &dir, &["1.22.10"]).success();
    assert!(
        r.stderr.contains(&format!(
            "{} is listed in index.json but is not in",
            host_filename("1.22.9")
        )),
        "{r}"
    );
    assert_eq!(up.requests_for(&host_filename("1.22.9")).len(), 0);
    assert_eq!(up.requests_for(&host_filename("1.23.4")).len(), 0);
    let idx = index(&dir);
    assert_eq!(idx.as_array().unwrap().len(), 1, "{idx}");
    assert_eq!(idx[0]["version"], "go1.22.10");
}

#[test]
fn the_printed_file_urls_work_for_a_dir_with_odd_characters() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("go mirror #1 100%");
    let r = mirror_into(&env, &dir, &["1.22.10"]).success();
    let value = |key: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in\n{r}"))
            .to_string()
    };
    let mut second = TestEnv::new();
    second
        .set("GOVER_MIRROR", value("GOVER_MIRROR="))
        .set("GOVER_INDEX_URL", value("GOVER_INDEX_URL="));
    let r = second.run_gover(["install", "1.22.10"]).success();
    assert!(r.stderr.contains("Installed go1.22.10"), "{r}");
}

#[test]
fn an_unwritable_dir_is_named_before_anything_is_downloaded() {
    let (up, _) = upstream();
    let env = env_for(&up);
    let dir = env.root.join("mirror");
    fs::create_dir_all(&dir).unwrap();
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !chattr("+i") {
        eprintln!("note: chattr +i is not available here; skipping");
        return;
    }
    let r = mirror_into(&env, &dir, &["1.22.10"]);
    chattr("-i");
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr
            .contains(&format!("error: cannot write to {}", dir.display())),
        "{r}"
    );
    assert!(!r.stderr.contains("GOVER_HOME"), "{r}");
    assert_eq!(up.requests_for(&host_filename("1.22.10")).len(), 0);
}

/// `go/` holding `files` (path under `go/`, contents), with directory
/// entries, as a .tar.gz.
fn tree(files: &[(&str, &str)]) -> Vec<u8> {
    let mut entries = vec![archive::Entry::dir("go/")];
    for (path, data) in files {
        let mode = if path.starts_with("bin/") {
            0o755
        } else {
            0o644
        };
        entries.push(archive::Entry::file(&format!("go/{path}"), mode, *data));
    }
    archive::targz(&entries)
}

#[test]
fn mirror_and_install_accept_and_refuse_the_same_archives() {
    let other = if host_platform().1 == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let mut corrupt = archive::toolchain("1.22.10");
    let n = corrupt.len();
    for b in &mut corrupt[n / 2..n / 2 + 16] {
        *b ^= 0x5a;
    }
    let version = "go1.22.10\ntime 2024-01-01T00:00:00Z\n";
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("a toolchain", archive::toolchain("1.22.10"), None),
        (
            "only go/VERSION",
            tree(&[("VERSION", version)]),
            Some("has no go/bin/go".into()),
        ),
        (
            "no go/VERSION",
            tree(&[("bin/go", "#!/bin/sh\n")]),
            Some("has no go/VERSION file".into()),
        ),
        (
            "a VERSION that names no release",
            tree(&[("VERSION", "devel +abc\n"), ("bin/go", "")]),
            Some("which is not a Go release name".into()),
        ),
        (
            "no pkg/tool",
            tree(&[("VERSION", version), ("bin/go", "#!/bin/sh\n")]),
            Some("has no go/pkg/tool directory".into()),
        ),
        (
            "another version",
            archive::toolchain("1.22.9"),
            Some("holds go1.22.9 (go/VERSION), not go1.22.10".into()),
        ),
        (
            "another platform",
            archive::toolchain_for("1.22.10", &format!("linux_{other}")),
            Some(format!("is a Go toolchain for linux-{other}")),
        ),
        (
            "a symbolic link",
            archive::toolchain_with(
                "1.22.10",
                vec![archive::Entry::special(
                    "go/bin/sh",
                    archive::Kind::Symlink,
                    "/bin/sh",
                )],
            ),
            Some("is a symbolic link (to `/bin/sh`)".into()),
        ),
        (
            "a corrupt gzip stream",
            corrupt,
            Some("is not a valid .tar.gz archive".into()),
        ),
        (
            "outside go/",
            archive::toolchain_with("1.22.10", vec![archive::Entry::file("evil/x", 0o644, "x")]),
            Some("lies outside the top-level go/ directory".into()),
        ),
    ];
    let up = Mirror::start();
    for (what, bytes, refusal) in cases {
        up.publish("1.22.10", bytes);
        let installing = env_for(&up);
        let install = installing.run_gover(["install", "1.22.10"]);
        let mirroring = env_for(&up);
        let dir = mirroring.root.join("mirror");
        let mirror = mirror_into(&mirroring, &dir, &["1.22.10"]);
        match &refusal {
            None => {
                assert_eq!(install.code, 0, "{what}: install\n{install}");
                assert_eq!(mirror.code, 0, "{what}: mirror\n{mirror}");
                assert!(dir.join(host_filename("1.22.10")).is_file(), "{what}");
            }
            Some(why) => {
                assert_eq!(install.code, 1, "{what}: install\n{install}");
                assert_eq!(mirror.code, 1, "{what}: mirror\n{mirror}");
                assert!(
                    install.stderr.contains(why.as_str()),
                    "{what}: install\n{install}"
                );
                assert!(
                    mirror.stderr.contains(why.as_str()),
                    "{what}: mirror\n{mirror}"
                );
                assert!(installing.toolchain_dirs().is_empty(), "{what}");
                assert_eq!(names_in(&dir), ["index.json"], "{what}");
            }
        }
    }
}
