//! gover releases for tests, laid out as `scripts/dist` writes them
//! (`VERSION`, `SHA256SUMS`, `install.sh`, `gover-<version>-<target>.tar.gz`)
//! and served by a loopback [`Mirror`]: either a directory `scripts/dist`
//! built, or one made here from the binaries under test.
//!
//! (`crate::support::release` in the end-to-end test binary.)

#![allow(dead_code, unreachable_pub)]

use std::fs;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;

use std::sync::OnceLock;

use super::archive::{tar, Entry};
use super::mirror::{sha256_hex, Mirror};
use super::{gover_bin, shim_bin};

/// The version of the binaries under test.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A release of [`VERSION`] made from the binaries under test (made once).
pub fn under_test() -> &'static Vec<(String, Vec<u8>)> {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| release_files(VERSION, stripped(&gover_bin()), stripped(&shim_bin())))
}

/// The target triple release archives name this machine by.
pub fn host_target() -> &'static str {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") => "x86_64-unknown-linux-gnu",
        ("aarch64", "linux") => "aarch64-unknown-linux-gnu",
        ("x86_64", "macos") => "x86_64-apple-darwin",
        ("aarch64", "macos") => "aarch64-apple-darwin",
        (a, o) => panic!("no gover release target for {a}-{o}"),
    }
}

/// `gover-<version>-<target>.tar.gz` for this machine.
pub fn archive_name(version: &str) -> String {
    format!("gover-{version}-{}.tar.gz", host_target())
}

/// The repository's `scripts/install.sh`.
pub fn install_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/install.sh")
}

/// `<hex>  <name>` lines for `files`, as `sha256sum` writes them.
pub fn sha256sums(files: &[(String, Vec<u8>)]) -> String {
    files
        .iter()
        .map(|(n, b)| format!("{}  {n}\n", sha256_hex(b)))
        .collect()
}

/// The bytes of the executable `path`, without its symbols when `strip`
/// is installed (a debug gover shrinks from about 80 MB to 14 MB, which
/// the loopback mirror hashes on every request).
pub fn stripped(path: &Path) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("bin");
    fs::copy(path, &copy).unwrap();
    let _ = std::process::Command::new("strip")
        .arg(&copy)
        .stderr(std::process::Stdio::null())
        .status();
    fs::read(&copy).unwrap()
}

/// The files of a release of `version` made from the executables `gover`
/// and `shim` (`gover` must report `version`), without its `SHA256SUMS`.
/// The archive is gzip'ed quickly: debug binaries are large.
pub fn release_files(version: &str, gover: Vec<u8>, shim: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let dir = format!("gover-{version}-{}", host_target());
    let entries = [
        Entry::dir(&format!("{dir}/")),
        Entry::file(&format!("{dir}/gover"), 0o755, gover),
        Entry::file(&format!("{dir}/gover-shim"), 0o755, shim),
        Entry::file(&format!("{dir}/README.md"), 0o644, b"gover\n".to_vec()),
    ];
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&tar(&entries)).unwrap();
    vec![
        (archive_name(version), gz.finish().unwrap()),
        ("install.sh".into(), fs::read(install_sh()).unwrap()),
        ("VERSION".into(), format!("{version}\n").into_bytes()),
    ]
}

/// Serves `files` and their `SHA256SUMS` under `/<prefix>/`.
pub fn serve(m: &Mirror, prefix: &str, files: &[(String, Vec<u8>)]) {
    for (name, body) in files {
        m.put(&format!("{prefix}/{name}"), body.clone());
    }
    m.put(
        &format!("{prefix}/SHA256SUMS"),
        sha256sums(files).into_bytes(),
    );
}

/// Every file of a release directory `scripts/dist` wrote, as it is.
pub fn read_dist(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Serves a release directory under `/<prefix>/`, byte for byte.
pub fn serve_dist(m: &Mirror, prefix: &str, files: &[(String, Vec<u8>)]) {
    for (name, body) in files {
        m.put(&format!("{prefix}/{name}"), body.clone());
    }
}

/// The version a release directory's `VERSION` names.
pub fn dist_version(files: &[(String, Vec<u8>)]) -> String {
    let (_, v) = files
        .iter()
        .find(|(n, _)| n == "VERSION")
        .expect("a VERSION file");
    String::from_utf8(v.clone()).unwrap().trim().to_string()
}
