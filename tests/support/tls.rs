//! (`crate::support::tls` in the end-to-end test binary.)
//!
//! An HTTPS server on 127.0.0.1 (`openssl s_server`) whose certificate is
//! signed by a private CA (a TLS-inspecting proxy's), serving files, or
//! raw HTTP responses (a redirect, say) written in advance.

#![allow(dead_code, unreachable_pub)]

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestEnv;

/// Kills a helper process when the test ends.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the server sends for a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serve {
    /// The file's bytes, with a 200 (`s_server -WWW`).
    Files,
    /// The file as the whole HTTP response, status line and headers
    /// included (`s_server -HTTP`).
    RawResponses,
}

/// A running HTTPS server.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT/`
    pub base: String,
    /// The private CA's certificate (PEM), for SSL_CERT_FILE.
    pub ca: PathBuf,
    _server: KillOnDrop,
}

/// Runs `openssl ARGS` in `dir`, which must succeed.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Makes a private CA and a certificate for 127.0.0.1 it signs in `dir`.
fn certificates(dir: &std::path::Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=gover test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

impl TlsServer {
    /// Serves `files` (name, bytes) as `serve` says from a directory of
    /// `env`; `None` (after a note) without openssl.
    pub fn start(env: &TestEnv, files: &[(&str, Vec<u8>)], serve: Serve) -> Option<Self> {
        let have_openssl = Command::new("openssl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have_openssl {
            eprintln!("note: openssl is not installed; skipping the HTTPS test");
            return None;
        }
        let mut n = 0;
        let dir = loop {
            let d = env.root.join(format!("tls{n}"));
            if !d.exists() {
                break env.mkdir(&format!("tls{n}"));
            }
            n += 1;
        };
        certificates(&dir);
        for (name, bytes) in files {
            let file = dir.join(name);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, bytes).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mode = match serve {
            Serve::Files => "-WWW",
            Serve::RawResponses => "-HTTP",
        };
        let server = KillOnDrop(
            Command::new("openssl")
                .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
                .args(["-cert", "leaf.pem", "-key", "leaf.key", mode, "-quiet"])
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "openssl s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self {
            base: format!("https://127.0.0.1:{port}/"),
            ca: dir.join("ca.pem"),
            _server: server,
        })
    }

    /// `host:port` as a `CONNECT` request names it.
    pub fn authority(&self) -> &str {
        self.base
            .trim_start_matches("https://")
            .trim_end_matches('/')
    }
}
