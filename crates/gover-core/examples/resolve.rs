//! Resolves the pin for a directory N times; used to measure the cost of
//! resolution (`strace -c`, `perf stat`). Usage: `resolve DIR [N]`.

use std::path::PathBuf;
use std::time::Instant;

use gover_core::{resolve, GoverHome, ResolveContext};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: resolve DIR [N]"));
    let n: u32 = args
        .next()
        .map(|s| s.to_string_lossy().parse().expect("N must be a number"))
        .unwrap_or(1);
    let home = GoverHome::from_env().expect("GOVER_HOME or HOME must be set");
    let ctx = ResolveContext::from_process(home, dir);
    let start = Instant::now();
    let mut last = None;
    for _ in 0..n {
        last = Some(resolve(&ctx));
    }
    let per = start.elapsed() / n.max(1);
    match last.expect("N must be at least 1") {
        Ok(r) => println!(
            "{} ({}) in {per:?} per resolution",
            r.display_name(),
            r.source
        ),
        Err(e) => println!("error: {e}"),
    }
}
