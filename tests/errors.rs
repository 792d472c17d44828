//! Snapshots of what a user reads when the main things go wrong: the error
//! and its hint, exactly, one block per failure. Paths, ports, process ids,
//! the host platform and the bytes of the fake archives are replaced by
//! placeholders first, so a snapshot changes only when the message does.

use crate::support;
use crate::support::archive;
use crate::support::hostile;
use crate::support::mirror::{host_platform, sha256_hex, Fault, Mirror};

use support::{Run, TestEnv};

/// A test environment pointed at `m`, with short timeouts and no retries.
pub(crate) fn env_for(m: &Mirror) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_HTTP_TIMEOUT", "2")
        .set("GOVER_HTTP_RETRIES", "0")
        .set("GOVER_INDEX_TTL", "0");
    env
}

/// What to replace before a snapshot: `(text, placeholder)`.
struct Normal(Vec<(String, String)>);

impl Normal {
    fn new(env: &TestEnv) -> Self {
        let (os, arch) = host_platform();
        Self(vec![
            (env.root.display().to_string(), "[ROOT]".into()),
            (format!("{os}-{arch}"), "[HOST]".into()),
            (format!("{os}_{arch}"), "[HOST_TOOLS]".into()),
        ])
    }

    fn with(mut self, text: impl ToString, placeholder: &str) -> Self {
        // Longer texts first, so a URL goes before the port inside it.
        self.0
            .insert(0, (text.to_string(), placeholder.to_string()));
        self
    }

    fn mirror(self, m: &Mirror) -> Self {
        self.with(m.addr(), "[MIRROR]")
    }

    /// The error block of `r` (from the first `error:` on), normalised.
    fn error_block(&self, r: &Run) -> String {
        assert_ne!(r.code, 0, "expected a failure\n{r}");
        let start = r
            .stderr
            .find("error: ")
            .unwrap_or_else(|| panic!("no error in\n{r}"));
        let mut text = r.stderr[start..].to_string();
        for (from, to) in &self.0 {
            text = text.replace(from.as_str(), to);
        }
        text
    }
}

#[test]
fn unknown_version() {
    let m = Mirror::start();
    m.publish("1.22.9", archive::toolchain("1.22.9"));
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.99"]);
    insta::assert_snapshot!(Normal::new(&env).mirror(&m).error_block(&r));
}

#[test]
fn network_down() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut env = TestEnv::new();
    env.set("GOVER_INDEX_URL", format!("http://{dead}/index.json"))
        .set("GOVER_HTTP_RETRIES", "0");
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env).with(dead, "[DEAD]").error_block(&r));
}

#[test]
fn checksum_mismatch() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    m.publish_as("1.22.10", bytes.clone(), &"ab".repeat(32), true);
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env)
        .mirror(&m)
        .with(sha256_hex(&bytes), "[SHA256 OF THE FILE]")
        .error_block(&r));
}

#[test]
fn pin_invalid() {
    let m = Mirror::start();
    let env = env_for(&m);
    env.write("project/.go-version", "1.22.x\n");
    let r = env.run_gover(["install"]);
    insta::assert_snapshot!(Normal::new(&env).error_block(&r));
}

#[test]
fn not_installed() {
    let m = Mirror::start();
    let env = env_for(&m);
    env.install_fake("1.22.10");
    let r = env.run_gover(["uninstall", "1.21.13"]);
    insta::assert_snapshot!(Normal::new(&env).error_block(&r));
}

#[test]
fn proxy_407() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.require_proxy_auth("alice", "s3cret");
    let mut env = env_for(&m);
    env.set("GOVER_MIRROR", "http://go-mirror.invalid/")
        .set("GOVER_INDEX_URL", "http://go-mirror.invalid/index.json")
        .set("HTTP_PROXY", format!("http://alice:wrong@{}", m.addr()));
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env).mirror(&m).error_block(&r));
}

#[test]
fn download_too_slow() {
    let m = Mirror::start();
    hostile::dripping_release(&m, 300);
    let mut env = env_for(&m);
    env.set("GOVER_DOWNLOAD_LOW_SPEED_TIME", "1");
    let r = env.run_gover(["install", "1.22.10"]);
    let mut block = Normal::new(&env).mirror(&m).error_block(&r);
    // How many bytes dripped in, and over how long, is a matter of timing.
    let from = block.find("is too slow: ").expect("too slow") + "is too slow: ".len();
    let to = block.find(" bytes arrived)").expect("arrived") + " bytes arrived)".len();
    block.replace_range(
        from..to,
        "[N] bytes in the last [T]s, below the minimum of 1024 bytes per second ([N] bytes arrived)",
    );
    insta::assert_snapshot!(block);
}

#[test]
fn file_larger_than_the_index_says() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    let file = m.publish("1.22.10", bytes.clone());
    m.fault(&file, Fault::EndlessAfter, None);
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env)
        .mirror(&m)
        .with(format!("{} bytes", bytes.len()), "[SIZE] bytes")
        .error_block(&r));
}

#[test]
fn file_smaller_than_the_index_says() {
    let m = Mirror::start();
    let bytes = archive::toolchain("1.22.10");
    let file = m.publish("1.22.10", bytes.clone());
    m.fault(&file, Fault::ShortFile(bytes.len() - 100), None);
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env)
        .mirror(&m)
        .with(format!("lists {}", bytes.len()), "lists [SIZE]")
        .with(
            format!("has {} bytes", bytes.len() - 100),
            "has [SIZE - 100] bytes"
        )
        .error_block(&r));
}

#[test]
fn redirect_to_a_file_url() {
    let m = Mirror::start();
    let file = m.publish("1.22.10", archive::toolchain("1.22.10"));
    m.fault(&file, Fault::Redirect("file:///etc/passwd".into()), None);
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env).mirror(&m).error_block(&r));
}

#[test]
fn html_page_instead_of_the_index() {
    let m = Mirror::start();
    m.fault("index.json", Fault::Html, None);
    let env = env_for(&m);
    let r = env.run_gover(["install", "1.22.10"]);
    insta::assert_snapshot!(Normal::new(&env).mirror(&m).error_block(&r));
}

#[test]
fn toolchain_in_use() {
    let m = Mirror::start();
    let env = env_for(&m);
    let root = env.install_fake("1.22.10");
    let mut build = std::process::Command::new("sleep")
        .arg("30")
        .current_dir(root.join("src"))
        .spawn()
        .unwrap();
    let r = env.run_gover(["uninstall", "1.22.10"]);
    let _ = build.kill();
    let _ = build.wait();
    insta::assert_snapshot!(Normal::new(&env)
        .with(format!("\n  {} (sleep)", build.id()), "\n  [PID] (sleep)")
        .error_block(&r));
}
