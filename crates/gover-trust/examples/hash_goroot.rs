//! Prints the `h1:` hash of an unpacked GOROOT as the toolchain module
//! would have it, and how long it took:
//! `cargo run --release -p gover-trust --example hash_goroot -- GOROOT go1.22.10 linux amd64`.

use std::path::Path;
use std::time::Instant;

use gover_trust::dirhash::hash_goroot;
use gover_trust::ToolchainModule;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [goroot, version, os, arch] = &args[..] else {
        eprintln!("usage: hash_goroot GOROOT VERSION GOOS GOARCH");
        std::process::exit(2);
    };
    let module = match ToolchainModule::new(version, os, arch) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    match hash_goroot(Path::new(goroot), &module, &|_| false) {
        Ok(h1) => println!("{h1}\t{module}\t{:.3}s", t.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
