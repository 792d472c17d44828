//! Unpacks a `golang.org/toolchain` module zip with gover's policy and
//! prints its `h1:` hash and how long it took:
//! `cargo run --release -p gover-dist --example unzip_toolchain -- ZIP DEST go1.22.10 linux amd64 [WRITERS]`
//! (DEST must not exist).

use std::path::Path;
use std::time::Instant;

use gover_dist::modzip::{extract_toolchain_zip, ZipLimits};
use gover_trust::ToolchainModule;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (zip, dest, version, os, arch, writers) = match &args[..] {
        [z, d, v, o, a] => (z, d, v, o, a, None),
        [z, d, v, o, a, w] => (z, d, v, o, a, w.parse::<usize>().ok()),
        _ => {
            eprintln!("usage: unzip_toolchain ZIP DEST VERSION GOOS GOARCH [WRITERS]");
            std::process::exit(2);
        }
    };
    let fail = |e: &dyn std::fmt::Display| -> ! {
        eprintln!("error: {e}");
        std::process::exit(1)
    };
    let module = ToolchainModule::new(version, os, arch).unwrap_or_else(|e| fail(&e));
    std::fs::create_dir(dest).unwrap_or_else(|e| fail(&e));
    let t = Instant::now();
    let mut limits = ZipLimits::default();
    if let Some(w) = writers {
        limits.writers = w;
    }
    match extract_toolchain_zip(Path::new(zip), &module, Path::new(dest), &limits) {
        Ok(u) => println!(
            "{}\t{} files\t{} bytes\t{:.3}s",
            u.h1,
            u.files,
            u.bytes,
            t.elapsed().as_secs_f64()
        ),
        Err(e) => fail(&e),
    }
}
