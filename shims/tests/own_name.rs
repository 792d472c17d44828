//! The shim binary run by its own name. (Being an integration test of this
//! package also makes `cargo test --workspace` build `gover-shim` into
//! `target/<profile>/`, beside `gover`, where the end-to-end suites and
//! `gover setup` look for it.)

use std::process::Command;

#[test]
fn run_by_its_own_name_it_refuses_and_says_how_to_use_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_gover-shim"))
        .arg("version")
        .env_remove("GOVER_GO_VERSION")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "gover: error: gover-shim is gover's shim: it runs as `go`, `gofmt` or `go<version>`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("gover: hint: run `gover setup`"),
        "{stderr}"
    );
}
