//! `gover config`: every value it writes is one the loader accepts from
//! that file (checked by the same code), the rest of the file stays as it
//! was, `list` and `get` say where each effective value comes from, and it
//! can repair a config file that stops every other command.

use crate::support;

use std::fs;

use support::{Run, TestEnv};

fn config(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = vec!["config"];
    all.extend_from_slice(args);
    env.run_gover(all)
}

fn home_config(env: &TestEnv) -> std::path::PathBuf {
    env.gover_home.join("config.toml")
}

fn user_config(env: &TestEnv) -> std::path::PathBuf {
    env.home.join(".config/gover/config.toml")
}

#[test]
fn list_says_where_every_value_comes_from() {
    let mut env = TestEnv::new();
    env.write("gover/config.toml", "# mine\nhttp_timeout = 60\n");
    env.write(
        "home/.config/gover/config.toml",
        "auto_install = false\nhttp_timeout = 5\nmirror = \"https://alice:s3cret@mirror.example/go\"\n",
    );
    env.set("GOVER_INDEX_URL", "file:///srv/go/index.json")
        .set("GOVER_VERIFY", "");
    let r = config(&env, &["list"]).success();
    let text = r.stdout.replace(env.root.to_str().unwrap(), "[ROOT]");
    insta::assert_snapshot!("config_list", text);
    assert!(!r.stdout.contains("s3cret"), "credentials are masked\n{r}");
    // `gover config` alone lists too.
    assert_eq!(config(&env, &[]).success().stdout, r.stdout);
    // --global: only the user-level file. (The real default, not the
    // closed port tests point the defaults at.)
    env.set("GOVER_PRESET_ORIGINS", "");
    let r = config(&env, &["list", "--global"]).success();
    let line = |key: &str| -> String {
        let l = r.stdout.lines().find(|l| l.starts_with(&format!("{key} ")));
        // Without the alignment: `key = value  # origin`.
        l.unwrap_or_else(|| panic!("no {key}\n{r}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        line("http_timeout").starts_with("http_timeout = 5 # "),
        "{r}"
    );
    assert_eq!(
        line("index_url"),
        "index_url = \"https://go.dev/dl/?mode=json&include=all\" # default"
    );

    let r = config(&env, &["get", "http_timeout"]).success();
    assert_eq!(r.stdout, "60\n");
    assert_eq!(
        r.stderr,
        format!("http_timeout: from {}:2\n", home_config(&env).display())
    );
    let r = config(&env, &["get", "index_url"]).success();
    assert_eq!(r.stdout, "file:///srv/go/index.json\n");
    assert_eq!(
        r.stderr,
        "index_url: from environment variable GOVER_INDEX_URL\n"
    );
    let r = config(&env, &["-q", "get", "lock_timeout"]).success();
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    let r = config(&env, &["get", "--global", "auto_install"]).success();
    assert_eq!(r.stdout, "false\n");
}

#[test]
fn set_writes_what_the_loader_accepts_and_keeps_the_rest() {
    let env = TestEnv::new();
    let original = "# gover settings\nhttp_timeout = 60   # slow VPN\n\nauto_install = true\n";
    env.write("gover/config.toml", original);
    let r = config(
        &env,
        &["set", "mirror", "https://mirrors.aliyun.com/golang/"],
    )
    .success();
    assert_eq!(
        r.stderr,
        format!(
            "Set mirror = \"https://mirrors.aliyun.com/golang/\" in {}\n",
            home_config(&env).display()
        )
    );
    assert_eq!(
        fs::read_to_string(home_config(&env)).unwrap(),
        format!("{original}mirror = \"https://mirrors.aliyun.com/golang/\"\n")
    );
    // A key already there is changed on its line, and typed values keep
    // their type.
    config(&env, &["set", "auto_install", "false"]).success();
    config(&env, &["set", "http_timeout", "90"]).success();
    config(&env, &["set", "gotoolchain", "inherit"]).success();
    assert_eq!(
        fs::read_to_string(home_config(&env)).unwrap(),
        "# gover settings\nhttp_timeout = 90\n\nauto_install = false\nmirror = \"https://mirrors.aliyun.com/golang/\"\ngotoolchain = \"inherit\"\n"
    );
    // Every other command reads it as written.
    let r = config(&env, &["get", "gotoolchain"]).success();
    assert_eq!(r.stdout, "inherit\n");
    env.run_gover(["list"]).success();
    // The same value again changes nothing.
    let r = config(&env, &["set", "http_timeout", "90"]).success();
    assert!(
        r.stderr.starts_with("http_timeout is already 90 in "),
        "{r}"
    );
}

#[test]
fn set_refuses_what_the_loader_would_refuse_and_writes_nothing() {
    let env = TestEnv::new();
    let original = "http_timeout = 60\n";
    env.write("gover/config.toml", original);
    for (args, error, hint) in [
        (
            &["set", "http_timeout", "0"][..],
            "error: http_timeout = 0 is out of range; use a whole number of seconds from 1 to 3600",
            "hint: `http_timeout` takes a whole number of seconds from 1 to 3600",
        ),
        (
            &["set", "auto_install", "maybe"],
            "error: auto_install = \"maybe\" is not a boolean; use true or false (unquoted)",
            "hint: `auto_install` takes 1 or 0",
        ),
        (
            &["set", "mirror", "~/go-mirror"],
            "error: mirror = \"~/go-mirror\" is not a usable URL: `~` is not expanded",
            "hint: `mirror` takes an absolute URL",
        ),
        (
            &["set", "mirror", "https://a/\nauto_install = false"],
            "error: mirror = ",
            "hint: `mirror` takes an absolute URL",
        ),
        (
            &["set", "gotoolchain", "auto"],
            "error: gotoolchain = \"auto\" is not allowed; use \"local\" or \"inherit\"",
            "hint: `gotoolchain` takes \"local\" or \"inherit\"",
        ),
        (
            &["set", "auto-install", "false"],
            "error: unknown key `auto-install`",
            "hint: did you mean `auto_install`? The keys are mirror, index_url,",
        ),
        (
            &["set", "index_ttl", "5"],
            "error: unknown key `index_ttl`",
            "hint: index_ttl is read only from the environment: set GOVER_INDEX_TTL instead",
        ),
    ] {
        let r = config(&env, args);
        assert_eq!(r.code, 1, "{args:?}\n{r}");
        assert!(r.stderr.starts_with(error), "{args:?}\n{r}");
        assert!(r.stderr.contains(hint), "{args:?}\n{r}");
        assert_eq!(fs::read_to_string(home_config(&env)).unwrap(), original);
    }
    assert!(!user_config(&env).exists());
}

#[test]
fn global_writes_the_user_file_and_says_what_wins_over_it() {
    let mut env = TestEnv::new();
    env.write(
        "gover/config.toml",
        "mirror = \"https://home.example/go/\"\n",
    );
    let r = config(
        &env,
        &["set", "--global", "mirror", "https://user.example/go/"],
    )
    .success();
    assert_eq!(
        fs::read_to_string(user_config(&env)).unwrap(),
        "mirror = \"https://user.example/go/\"\n"
    );
    assert!(
        r.stderr.contains(&format!(
            "warning: mirror still comes from {}:1, which wins over {}",
            home_config(&env).display(),
            user_config(&env).display()
        )),
        "{r}"
    );
    // Once the home's line is gone, the user's value shows.
    let r = config(&env, &["unset", "mirror"]).success();
    assert!(
        r.stderr.contains(&format!(
            "mirror is now \"https://user.example/go/\" (from {}:1)",
            user_config(&env).display()
        )),
        "{r}"
    );
    assert_eq!(fs::read_to_string(home_config(&env)).unwrap(), "");
    // An environment variable wins over both.
    env.set("GOVER_AUTO_INSTALL", "1");
    let r = config(&env, &["set", "auto_install", "false"]).success();
    assert!(
        r.stderr.contains("warning: auto_install still comes from environment variable GOVER_AUTO_INSTALL, which wins over"),
        "{r}"
    );
    // XDG_CONFIG_HOME moves the user file.
    let xdg = env.mkdir("xdg");
    env.set("XDG_CONFIG_HOME", &xdg);
    config(&env, &["set", "--global", "http_timeout", "7"]).success();
    assert_eq!(
        fs::read_to_string(xdg.join("gover/config.toml")).unwrap(),
        "http_timeout = 7\n"
    );
}

#[test]
fn unset_repairs_a_config_that_stops_every_command() {
    let env = TestEnv::new();
    env.write(
        "gover/config.toml",
        "# keep me\ncolour = true\nhttp_timeout = 0\n",
    );
    let r = env.run_gover(["list"]).failure();
    assert!(r.stderr.contains("unknown key `colour`"), "{r}");
    // list names the bad value and how to fix it.
    let r = config(&env, &["list"]).failure();
    assert!(r.stderr.contains("http_timeout = 0 is out of range"), "{r}");
    assert!(r.stderr.contains("gover config unset KEY"), "{r}");
    config(&env, &["unset", "http_timeout"]).success();
    let r = config(&env, &["list"]).success();
    assert!(
        r.stderr.contains("warning: ")
            && r.stderr
                .contains("unknown key `colour`; remove it with `gover config unset colour`"),
        "{r}"
    );
    config(&env, &["unset", "colour"]).success();
    assert_eq!(
        fs::read_to_string(home_config(&env)).unwrap(),
        "# keep me\n"
    );
    env.run_gover(["list"]).success();
    // Nothing to remove: said so, and an unknown key is still an error.
    let r = config(&env, &["unset", "mirror"]).success();
    assert!(r.stderr.contains("mirror is not set in "), "{r}");
    let r = config(&env, &["unset", "proxy"]).failure();
    assert!(r.stderr.contains("unknown key `proxy`"), "{r}");
    let r = config(&env, &["get", "mirorr"]);
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("hint: did you mean `mirror`?"), "{r}");
    // An unknown key in the user-level file is removed with --global.
    env.write(
        "home/.config/gover/config.toml",
        "Mirror = \"https://m/\"\n",
    );
    let r = config(&env, &["list"]).success();
    assert!(
        r.stderr
            .contains("remove it with `gover config unset --global Mirror`"),
        "{r}"
    );
}

#[test]
fn files_gover_cannot_read_or_must_not_replace_are_left_alone() {
    // A line gover cannot parse: refused, naming it.
    let env = TestEnv::new();
    let text = "[proxy]\nmirror = \"https://m/\"\n";
    env.write("gover/config.toml", text);
    let r = config(&env, &["set", "http_timeout", "9"]).failure();
    assert!(
        r.stderr.contains(&format!(
            "error: cannot edit {}: line 1: tables are not used",
            home_config(&env).display()
        )),
        "{r}"
    );
    assert_eq!(fs::read_to_string(home_config(&env)).unwrap(), text);

    // A change that would make the file too large for gover to read is
    // undone: the loader reads it back first.
    let env = TestEnv::new();
    let big = "# padding\n".repeat(6550);
    env.write("gover/config.toml", &big);
    let r = config(&env, &["set", "mirror", "https://mirror.example/go/"]).failure();
    assert!(
        r.stderr.contains("error: cannot change `mirror` in "),
        "{r}"
    );
    assert!(r.stderr.contains("the old file was put back"), "{r}");
    assert_eq!(fs::read_to_string(home_config(&env)).unwrap(), big);
    env.run_gover(["list"]).success();

    // The user file kept in a dotfiles repository stays a link.
    let env = TestEnv::new();
    let dotfiles = env.write("dotfiles/gover.toml", "# from my dotfiles\n");
    fs::create_dir_all(user_config(&env).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&dotfiles, user_config(&env)).unwrap();
    config(&env, &["set", "--global", "http_timeout", "9"]).success();
    assert!(fs::symlink_metadata(user_config(&env))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(&dotfiles).unwrap(),
        "# from my dotfiles\nhttp_timeout = 9\n"
    );

    // A link to a device or a FIFO is refused without blocking.
    let env = TestEnv::new();
    fs::create_dir_all(&env.gover_home).unwrap();
    std::os::unix::fs::symlink("/dev/null", home_config(&env)).unwrap();
    let r = support::run_within(&mut env.gover(["config", "set", "http_timeout", "9"]), 20)
        .expect("config hung");
    assert_ne!(r.code, 0, "{r}");
    assert!(r.stderr.contains("which is a device"), "{r}");
}
