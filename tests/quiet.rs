//! `-q`: nothing but errors on stderr (status lines, warnings, hints and
//! progress are dropped); data on stdout stays. Without `-q` the same
//! commands do warn, so each case shows what `-q` silences.

use crate::support;
use crate::support::archive;
use crate::support::mirror::Mirror;

use support::TestEnv;

#[test]
fn quiet_drops_status_lines_warnings_and_hints_but_not_errors() {
    let m = Mirror::start();
    m.publish("1.22.10", archive::toolchain("1.22.10"));
    let mut env = TestEnv::new();
    env.set("GOVER_MIRROR", m.url())
        .set("GOVER_INDEX_URL", m.index_url())
        .set("GOVER_INDEX_TTL", "0")
        .set("GOVER_AUTO_INSTALL", "0");
    env.install_fake("1.22.9");
    env.write("project/.go-version", "1.22\n");
    // An install: status lines.
    let loud = env.run_gover(["install", "1.22.10"]).success();
    assert!(loud.stderr.contains("Installed go1.22.10"), "{loud}");
    let quiet = env
        .run_gover(["-q", "install", "--force", "1.22.10"])
        .success();
    assert_eq!(quiet.stderr, "", "{quiet}");
    // Uninstalling the version this directory uses: a warning and a hint.
    env.run_gover(["uninstall", "1.22.9"]).success();
    let loud = env.run_gover(["uninstall", "1.22.10"]).success();
    assert!(
        loud.stderr
            .contains("warning: go1.22.10 was the Go for this directory"),
        "{loud}"
    );
    env.install_fake("1.22.10");
    let quiet = env.run_gover(["-q", "uninstall", "1.22.10"]).success();
    assert_eq!(quiet.stderr, "", "{quiet}");
    // `current` of a version not installed: data on stdout, a hint.
    let loud = env.run_gover(["current"]).success();
    assert!(loud.stderr.contains("hint: run `gover install`"), "{loud}");
    let quiet = env.run_gover(["-q", "current"]).success();
    assert_eq!(quiet.stdout, loud.stdout);
    assert_eq!(quiet.stderr, "", "{quiet}");
    // An error is still said, in full.
    let loud = env.run_gover(["install", "1.99.1"]);
    let quiet = env.run_gover(["-q", "install", "1.99.1"]);
    assert_eq!(quiet.code, 1, "{quiet}");
    assert!(quiet.stderr.starts_with("error: "), "{quiet}");
    assert_eq!(quiet.stderr, loud.stderr);
}

#[test]
fn warnings_and_hints_are_coloured_on_request_and_plain_in_a_pipe() {
    let mut env = TestEnv::new();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    env.write("project/.tool-versions", "golang 1.21.13\n");
    let plain = env.run_gover(["use", "1.22.10"]).success();
    assert!(plain.stderr.starts_with("warning: "), "{plain}");
    assert!(plain.stderr.contains("\n\nhint: "), "{plain}");
    assert!(!plain.stderr.contains('\u{1b}'), "{plain}");
    env.set("CLICOLOR_FORCE", "1");
    let coloured = env.run_gover(["use", "1.22.10"]).success();
    assert!(coloured.stderr.starts_with('\u{1b}'), "{coloured}");
    assert!(
        coloured.stderr.contains("warning:\u{1b}[0m "),
        "{coloured:?}"
    );
    assert!(coloured.stderr.contains("hint:\u{1b}[0m "), "{coloured:?}");
    // The words are the same either way.
    let words = anstream::adapter::strip_str(&coloured.stderr).to_string();
    assert_eq!(words, plain.stderr);
}
