//! Settings as users meet them: every command and the shim read them with
//! one precedence (environment, `$GOVER_HOME/config.toml`, the user-level
//! config file, defaults); a value out of range or a URL gover cannot use is
//! an error naming where it was set, never a panic; an unknown key stops
//! gover's commands and is warned about once by the shim.

use crate::support;

use std::fs;

use support::{run, Run, TestEnv};

fn with_shims() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.22.10");
    env.run_gover(["setup", "--no-modify-rc"]).success();
    env.write("project/.go-version", "1.22.10\n");
    env
}

fn go(env: &TestEnv, args: &[&str]) -> Run {
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.args(args);
    run(&mut c)
}

/// The value of `KEY=` in a fake tool's report.
fn field(r: &Run, key: &str) -> String {
    let prefix = format!("{key}=");
    r.stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {key}= in the report\n{r}"))
        .to_string()
}

#[test]
fn numbers_out_of_range_are_errors_naming_the_variable_and_the_range() {
    let env = with_shims();
    for (var, value, range) in [
        (
            "GOVER_HTTP_TIMEOUT",
            "18446744073709551615",
            "a whole number of seconds from 1 to 3600",
        ),
        (
            "GOVER_LOCK_TIMEOUT",
            "18446744073709551615",
            "a whole number of seconds from 0 to 604800",
        ),
        (
            "GOVER_UNPACK_WRITERS",
            "100000",
            "a whole number of threads from 0 to 64",
        ),
        (
            "GOVER_INDEX_TTL",
            "99999999999999999999999999",
            "a whole number of seconds from 0 to 2592000",
        ),
        (
            "GOVER_MAX_ENTRIES",
            "0",
            "a whole number of entries from 1 to 10000000",
        ),
    ] {
        let mut c = env.gover(["install", "1.21.13"]);
        c.env(var, value);
        let r = run(&mut c);
        assert_eq!(r.code, 1, "{var}: {r}");
        assert_eq!(
            r.stderr,
            format!(
                "error: {var}={value} is out of range; use {range}\n\nhint: set {var} to {range}, or unset it\n"
            )
        );
        // The shim does not need these and runs Go regardless.
        let mut c = env.command(env.gover_home.join("shims/go"));
        c.env(var, value).arg("version");
        let r = run(&mut c).success();
        assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
        assert_eq!(r.stderr, "");
    }
    let cfg = env.write(
        "gover/config.toml",
        "# gover\nlock_timeout = 9223372036854775807\n",
    );
    let r = env.run_gover(["current"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(
        r.stderr,
        format!(
            "error: {p}:2: lock_timeout = 9223372036854775807 is out of range; use a whole number of seconds from 0 to 604800\n\nhint: fix line 2 of {p}: `lock_timeout` takes a whole number of seconds from 0 to 604800\n",
            p = cfg.display()
        )
    );
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn mirror_and_index_urls_are_checked_where_they_are_set() {
    let env = TestEnv::new();
    for (var, value, cause) in [
        ("GOVER_MIRROR", "~/go-mirror", "`~` is not expanded here"),
        ("GOVER_MIRROR", "go-mirror/", "it is not an absolute URL"),
        (
            "GOVER_MIRROR",
            "file://relative/dir",
            "file://relative/... names the host `relative`",
        ),
        (
            "GOVER_INDEX_URL",
            "file://host/srv/index.json",
            "file://host/... names the host `host`",
        ),
    ] {
        let mut c = env.gover(["install", "1.22.10"]);
        c.env(var, value);
        let r = run(&mut c);
        assert_eq!(r.code, 1, "{r}");
        assert!(
            r.stderr.starts_with(&format!(
                "error: {var}={value} is not a usable URL: {cause}"
            )),
            "{r}"
        );
        assert!(
            r.stderr.contains(&format!(
                "hint: set {var} to an absolute URL: https://..., http://... or file:///abs/path, or a preset (go.dev, cn, aliyun, ustc), or unset it"
            )),
            "{r}"
        );
        for misleading in [
            "relative URL without a base",
            "network",
            "proxy",
            "scheme is not allowed",
        ] {
            assert!(!r.stderr.contains(misleading), "{misleading}: {r}");
        }
    }
    let cfg = env.write("gover/config.toml", "mirror = \"file://relative/dir\"\n");
    let r = env.run_gover(["install", "1.22.10"]);
    assert!(
        r.stderr.starts_with(&format!(
            "error: {}:1: mirror = \"file://relative/dir\" is not a usable URL: file://relative/... names the host `relative`",
            cfg.display()
        )),
        "{r}"
    );
    // Credentials in a bad URL are masked.
    fs::remove_file(&cfg).unwrap();
    let mut c = env.gover(["list", "--remote"]);
    c.env("GOVER_INDEX_URL", "http://alice:s3cret@host/a b");
    let r = run(&mut c);
    assert_eq!(r.code, 1, "{r}");
    assert!(!r.stderr.contains("s3cret"), "{r}");
}

#[test]
fn unknown_keys_stop_commands_and_the_shim_warns_once_per_version_of_the_file() {
    let env = with_shims();
    let cfg = env.write(
        "gover/config.toml",
        "mirror = \"https://m.example/go/\"\nauto-install = false\n",
    );
    let r = env.run_gover(["current"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "error: {}:2: unknown key `auto-install` (did you mean `auto_install`?)\n\nhint: rename it to `auto_install`, or remove it; the keys gover knows are mirror, index_url, auto_install, gotoolchain, http_timeout, lock_timeout, go_line_newest_patch, source, verify, link_mode\n",
            cfg.display()
        )
    );
    // The shim runs Go, and says so once.
    let warning = format!(
        "gover: warning: {}:2: unknown key `auto-install` (did you mean `auto_install`?); the shim ignores it, and gover commands refuse to run until it is fixed\n",
        cfg.display()
    );
    let r = go(&env, &["version"]).success();
    assert_eq!(r.stdout, "go version go1.22.10 linux/amd64\n");
    assert_eq!(r.stderr, warning);
    for _ in 0..2 {
        let r = go(&env, &["version"]).success();
        assert_eq!(r.stderr, "", "warned once");
    }
    // A new version of the file is warned about again.
    env.write("gover/config.toml", "Auto_Install = false\n");
    let r = go(&env, &["version"]).success();
    assert_eq!(
        r.stderr,
        format!(
            "gover: warning: {}:1: unknown key `Auto_Install` (did you mean `auto_install`?); the shim ignores it, and gover commands refuse to run until it is fixed\n",
            cfg.display()
        )
    );
    assert_eq!(go(&env, &["version"]).success().stderr, "");
    // Fixed: commands run again.
    env.write("gover/config.toml", "auto_install = false\n");
    env.run_gover(["current"]).success();
}

#[test]
fn the_user_level_config_file_ranks_below_gover_homes() {
    let env = with_shims();
    // ~/.config/gover/config.toml is read...
    env.write(
        "home/.config/gover/config.toml",
        "gotoolchain = \"inherit\"\n",
    );
    let r = go(&env, &["env"]).success();
    assert_eq!(field(&r, "GOTOOLCHAIN"), "<unset>");
    // ...$XDG_CONFIG_HOME/gover/config.toml instead when it is set...
    let xdg = env.mkdir("xdg");
    let mut c = env.command(env.gover_home.join("shims/go"));
    c.env("XDG_CONFIG_HOME", &xdg).arg("env");
    assert_eq!(field(&run(&mut c).success(), "GOTOOLCHAIN"), "local");
    // ...and $GOVER_HOME/config.toml wins over it, key by key.
    env.write("gover/config.toml", "gotoolchain = \"local\"\n");
    let r = go(&env, &["env"]).success();
    assert_eq!(field(&r, "GOTOOLCHAIN"), "local");
    // An error in the user-level file names that file.
    let user = env.write("home/.config/gover/config.toml", "auto_install = \"no\"\n");
    let r = env.run_gover(["current"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.starts_with(&format!(
            "error: {}:1: auto_install = \"no\" is not a boolean",
            user.display()
        )),
        "{r}"
    );
}
