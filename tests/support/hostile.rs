//! (`crate::support::hostile` in the end-to-end test binary.)
//!
//! What a hostile mirror serves, beside the faults of `mirror.rs` (endless
//! bodies, garbage, a slow drip, redirects, HTML pages, lying lengths):
//! release indexes with hostile entries (file names that leave the mirror,
//! escape sequences, negative sizes), an HTTPS index that redirects to
//! `http://`, incompressible archives that take long to drip, and a way to
//! time a command that might hang.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::archive::{self, Entry};
use crate::support::mirror::{host_platform, sha256_hex, Fault, Mirror};
use crate::support::tls::{Serve, TlsServer};
use crate::support::{Run, TestEnv};

/// Escape sequences that retitle the window and clear the screen when
/// printed raw.
pub const ESCAPES: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

/// True when `text` holds a raw escape or BEL character.
pub fn has_raw_controls(text: &str) -> bool {
    text.contains('\u{1b}') || text.contains('\u{7}') || text.contains('\u{9b}')
}

/// One file entry of an index, as JSON, with any values.
pub fn file_json(filename: &str, os: &str, arch: &str, bytes: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "filename": filename, "os": os, "arch": arch,
        "sha256": sha256_hex(bytes), "size": bytes.len(), "kind": "archive",
    })
}

/// One file entry of an index for this machine.
pub fn host_file_json(filename: &str, bytes: &[u8]) -> serde_json::Value {
    let (os, arch) = host_platform();
    file_json(filename, os, arch, bytes)
}

/// An index of one stable release `version` with `files`.
pub fn index_of(version: &str, files: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec_pretty(&serde_json::json!([{
        "version": format!("go{version}"), "stable": true, "files": files,
    }]))
    .unwrap()
}

/// A fake toolchain archive of `version` with `kib` KiB of incompressible
/// data in it, so that it takes a while to drip.
pub fn incompressible_toolchain(version: &str, kib: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    let data: Vec<u8> = (0..kib * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    archive::toolchain_with(version, vec![Entry::file("go/noise", 0o644, data)])
}

/// Publishes on `m` a go1.22.10 for this machine that takes a while to
/// drip (16 KiB of noise), dripping one byte every `ms` milliseconds, and
/// returns its file name.
pub fn dripping_release(m: &Mirror, ms: u64) -> String {
    let file = m.publish("1.22.10", incompressible_toolchain("1.22.10", 16));
    drip(m, &file, 1, ms);
    file
}

/// Makes `/file` on `m` drip `bytes` bytes every `ms` milliseconds.
pub fn drip(m: &Mirror, file: &str, bytes: usize, ms: u64) {
    m.fault(
        file,
        Fault::Drip {
            bytes,
            every: Duration::from_millis(ms),
        },
        None,
    );
}

/// An HTTPS server whose `index.json` answers `302 Found` to `location`;
/// `None` without openssl.
pub fn https_redirect(env: &TestEnv, location: &str) -> Option<TlsServer> {
    let response =
        format!("HTTP/1.0 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
    TlsServer::start(
        env,
        &[("index.json", response.into_bytes())],
        Serve::RawResponses,
    )
}

/// The names in `dir`, sorted (none when it does not exist).
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Runs `cmd`, killing it after `secs` seconds (see
/// [`crate::support::run_within`]): what would hang forever fails the test
/// instead of the suite. Returns the run and how long it took.
pub fn run_timed(cmd: &mut Command, secs: u64) -> (Run, Duration) {
    let started = Instant::now();
    let run = crate::support::run_within(cmd, secs)
        .unwrap_or_else(|| panic!("{cmd:?} hung and was killed after {secs}s"));
    (run, started.elapsed())
}
