//! Go's own settings that fight gover: `GOROOT`, `GOTOOLCHAIN`,
//! `GO111MODULE` (in the environment or in `go env -w`'s file), GOPATH's
//! `bin`, and WSL paths on the Windows drives.

use std::path::{Path, PathBuf};

use gover_core::toolenv::{find_system_tool, FileId};
use gover_core::{Resolution, VersionRequest};

use super::model::{DoctorEnv, Finding, SettingSource};
use super::path::{gopath_entries, goroot_version};
use super::shell;
use crate::quote::sh_quote;

fn file_line(env: &DoctorEnv, src: &SettingSource) -> String {
    match src {
        SettingSource::Env => "the environment".into(),
        SettingSource::GoEnvFile(p, l) => format!("{}:{l}", env.show(p)),
    }
}

/// Where a variable is set in startup files, as a fix clause.
fn remove_from_startup(env: &DoctorEnv, var: &str) -> String {
    let locs = shell::assignments(env, var);
    if locs.is_empty() {
        format!(
            "find and delete the line that sets {var} (in your shell startup files, /etc/environment, or the IDE or service that starts the shell), then open a new terminal"
        )
    } else {
        let v: Vec<String> = locs.iter().map(|l| shell::at(env, l)).collect();
        format!(
            "delete the line that sets {var} at {}, then open a new terminal",
            v.join(", ")
        )
    }
}

/// GOROOT in the environment and in the `go env -w` file.
pub(crate) fn check_goroot(env: &DoctorEnv, pin: Option<&Resolution>, out: &mut Vec<Finding>) {
    let (expected, expected_name) = match pin {
        // `system`: the root of the Go the shim would run (apt's
        // /usr/lib/go-1.N), as the shim sets it.
        Some(r) if r.request == VersionRequest::System => {
            let shim = env.shim_source.as_deref().and_then(FileId::of);
            let path = env
                .var("PATH")
                .map(|p| p.to_os_string())
                .unwrap_or_default();
            let root = find_system_tool("go", &path, &env.home, shim).and_then(|t| t.goroot);
            let name = root.as_deref().and_then(goroot_version);
            (root, name)
        }
        _ => (
            pin.and_then(|r| r.goroot(&env.home)),
            pin.and_then(|r| r.version.as_ref())
                .map(|v| v.toolchain_name()),
        ),
    };
    let mut seen = false;

    if let Some(value) = env.var_str("GOROOT") {
        seen = true;
        let p = PathBuf::from(value);
        let unset =
            "for this shell: `unset GOROOT` (gover's shim sets GOROOT for every go it starts)";
        match judge(&p, expected.as_deref(), expected_name.as_deref()) {
            Judgement::Matches => out.push(Finding::ok(
                "goroot.env",
                format!("GOROOT={value} is the toolchain pinned here"),
            )),
            Judgement::Missing => out.push(
                Finding::problem("goroot.env", format!("GOROOT={value} does not exist{}", shell::set_at(env, &shell::assignments(env, "GOROOT"))))
                    .why(format!("any go started outside gover's shim (by an IDE, a script calling $GOROOT/bin/go, `$(gover which go)` in a Makefile) fails with `go: cannot find GOROOT directory: {value}`"))
                    .fix(format!("{}\n{unset}", remove_from_startup(env, "GOROOT"))),
            ),
            Judgement::Other(found) => out.push(
                Finding::problem(
                    "goroot.env",
                    format!(
                        "GOROOT={value} is {} but {}{}",
                        found.as_deref().unwrap_or("an unknown Go version"),
                        match &expected_name {
                            Some(n) => format!("{n} runs here"),
                            None => "gover picks the Go root per directory".into(),
                        },
                        shell::set_at(env, &shell::assignments(env, "GOROOT"))
                    ),
                )
                .why(format!(
                    "gover's shim overrides it, but tools that read $GOROOT themselves (IDEs, gopls started outside the shim, scripts calling $GOROOT/bin/go or `$(gover which go)`) mix two versions: `compile: version {} does not match go tool version {}`",
                    quoted_or_dots(found.as_deref()),
                    quoted_or_dots(expected_name.as_deref())
                ))
                .fix(format!("{}\n{unset}", remove_from_startup(env, "GOROOT"))),
            ),
        }
    }

    let file = env.go_env();
    if let Some((value, line)) = file.get("GOROOT").filter(|(v, _)| !v.is_empty()) {
        seen = true;
        let path = file.path.clone().unwrap_or_default();
        let at = format!("{}:{line}", env.show(&path));
        let fix = format!(
            "delete the line `GOROOT={value}` from {} (newer go commands refuse `go env -u GOROOT`)",
            env.show(&path)
        );
        let p = PathBuf::from(value);
        match judge(&p, expected.as_deref(), expected_name.as_deref()) {
            Judgement::Matches => out.push(
                Finding::warning("goroot.go-env-file", format!("{at} sets GOROOT={value}"))
                    .why("it matches this directory's toolchain, but goes stale as soon as another version is pinned")
                    .fix(fix),
            ),
            Judgement::Missing => out.push(
                Finding::problem("goroot.go-env-file", format!("{at} sets GOROOT={value}, which does not exist"))
                    .why(format!("a go binary started without GOROOT in its environment (`$(gover which go)`, IDEs) fails with `go: cannot find GOROOT directory: {value}`"))
                    .fix(fix),
            ),
            Judgement::Other(found) => out.push(
                Finding::problem(
                    "goroot.go-env-file",
                    format!(
                        "{at} sets GOROOT={value} ({}), not the toolchain that runs here",
                        found.as_deref().unwrap_or("unknown version")
                    ),
                )
                .why("a go binary started without GOROOT in its environment (`$(gover which go)` in a Makefile, IDEs) uses that tree's compiler and standard library: `compile: version ... does not match go tool version ...`")
                .fix(fix),
            ),
        }
    }
    if !seen {
        out.push(Finding::ok(
            "goroot.env",
            "GOROOT is not set (neither in the environment nor in go env -w's file); gover sets it per toolchain",
        ));
    }
}

/// `"go1.21.5"` as Go quotes a version in its messages, or `...` when the
/// version is not known.
fn quoted_or_dots(v: Option<&str>) -> String {
    v.map_or_else(|| "...".to_string(), |v| format!("\"{v}\""))
}

enum Judgement {
    Matches,
    Missing,
    Other(Option<String>),
}

fn judge(p: &Path, expected: Option<&Path>, expected_name: Option<&str>) -> Judgement {
    if !p.is_dir() {
        return Judgement::Missing;
    }
    if let Some(e) = expected {
        if super::model::same_dir(p, e) {
            return Judgement::Matches;
        }
    }
    let found = goroot_version(p);
    if found.is_some() && found.as_deref() == expected_name && expected_name.is_some() {
        // Same version in another tree: harmless for builds.
        return Judgement::Matches;
    }
    Judgement::Other(found)
}

/// GOTOOLCHAIN in the environment and in the `go env -w` file.
pub(crate) fn check_gotoolchain(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let inherit = env
        .settings
        .as_ref()
        .is_ok_and(|s| s.gotoolchain.value == gover_core::toolenv::GoToolchainPolicy::Inherit);
    let file = env.go_env();
    if let Some((value, line)) = file.get("GOTOOLCHAIN").filter(|(v, _)| !v.is_empty()) {
        let path = file.path.clone().unwrap_or_default();
        let msg = format!(
            "{}:{line} sets GOTOOLCHAIN={value} (`go env -w`)",
            env.show(&path)
        );
        let f = if inherit {
            Finding::problem("gotoolchain.go-env-file", msg).why(format!(
                "config.toml says `gotoolchain = \"inherit\"`, so every go gover starts obeys it and {}",
                switching(value)
            ))
        } else {
            Finding::warning("gotoolchain.go-env-file", msg).why(format!(
                "gover's shim sets GOTOOLCHAIN=local, which wins; but a go started any other way (an IDE with its own Go, `$(gover which go)`) obeys the file and {}",
                switching(value)
            ))
        };
        // Go before 1.21 (apt's golang-go on Debian 12 is 1.19) does not
        // know the variable: `go env -u` then fails with `unknown go command
        // variable GOTOOLCHAIN`, so name the line to delete as well.
        out.push(f.fix(format!(
            "`go env -u GOTOOLCHAIN` (a go older than 1.21 answers `unknown go command variable GOTOOLCHAIN`; then delete line {line} of {})",
            env.show(&path)
        )));
    }
    match env.var_str("GOTOOLCHAIN") {
        None => out.push(Finding::ok(
            "gotoolchain.env",
            "GOTOOLCHAIN is not set: gover's shim sets GOTOOLCHAIN=local, so go never downloads another toolchain behind gover's back",
        )),
        Some("local") => out.push(Finding::ok("gotoolchain.env", "GOTOOLCHAIN=local")),
        Some(v) => out.push(
            Finding::warning(
                "gotoolchain.env",
                format!("GOTOOLCHAIN={v} is set in the environment{}", shell::set_at(env, &shell::assignments(env, "GOTOOLCHAIN"))),
            )
            .why(format!("gover's shim leaves a GOTOOLCHAIN you set alone, so {}", switching(v)))
            .fix(format!("{}, or `unset GOTOOLCHAIN`", remove_from_startup(env, "GOTOOLCHAIN"))),
        ),
    }
}

fn switching(value: &str) -> String {
    let base = value.split('+').next().unwrap_or(value);
    match base {
        "auto" | "path" => "go may switch to (and download) whatever toolchain go.mod asks for instead of the pinned one".into(),
        "local" => "it is harmless".into(),
        v => format!("every go command runs {v} whatever version is pinned"),
    }
}

/// `GO111MODULE=off`.
pub(crate) fn check_go111module(env: &DoctorEnv, out: &mut Vec<Finding>) {
    match env.go_setting("GO111MODULE") {
        Some((v, src)) if v == "off" => {
            let fix = match &src {
                SettingSource::Env => format!("{}\nfor this shell: `unset GO111MODULE`", remove_from_startup(env, "GO111MODULE")),
                SettingSource::GoEnvFile(..) => "`go env -u GO111MODULE`".into(),
            };
            out.push(
                Finding::problem("go111module", format!("GO111MODULE=off (set in {})", file_line(env, &src)))
                    .why("GOPATH mode: go ignores go.mod, so module builds fail, and go's toolchain selection (go and toolchain lines, GOTOOLCHAIN) is switched off entirely")
                    .fix(fix),
            );
        }
        Some((v, src)) if v == "auto" => out.push(
            Finding::warning("go111module", format!("GO111MODULE=auto (set in {})", file_line(env, &src)))
                .why("outside a module go falls back to GOPATH mode and ignores toolchain selection; the default (unset) is module mode")
                .fix(match src {
                    SettingSource::Env => "`unset GO111MODULE` and delete it from your startup files".into(),
                    SettingSource::GoEnvFile(..) => "`go env -u GO111MODULE`".to_string(),
                }),
        ),
        _ => out.push(Finding::ok("go111module", "module mode (GO111MODULE is not off)")),
    }
}

/// `$GOBIN` or `$GOPATH/bin`: on PATH and writable.
pub(crate) fn check_gobin(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let (bin, how) = match env.go_setting("GOBIN") {
        Some((v, _)) => (PathBuf::from(v), "GOBIN"),
        None => match gopath_entries(env).first() {
            Some(g) => (g.join("bin"), "$GOPATH/bin"),
            None => return,
        },
    };
    let shown = env.show(&bin);
    if !env.on_path(&bin) {
        out.push(
            Finding::warning("gopath.bin-path", format!("{shown} ({how}) is not on PATH"))
                .why("programs installed with `go install` (gopls, golangci-lint, ...) land there and cannot be run by name")
                .fix(format!(
                    "add `export PATH=\"$PATH:{}\"` to ~/.profile and ~/.bashrc (or ~/.zshenv), then open a new terminal",
                    bin.display()
                )),
        );
    } else {
        out.push(Finding::ok(
            "gopath.bin-path",
            format!(
                "{shown} ({how}) is on PATH; `go install`ed tools are shared by every Go version"
            ),
        ));
    }
    if let Err(e) = writable(&bin) {
        out.push(
            Finding::problem("gopath.bin-writable", format!("{shown} ({how}) is not writable: {e}"))
                .why("`go install` fails there")
                .fix(format!(
                    "fix its owner (`sudo chown -R \"$USER\" {}`) or point GOBIN at a directory you own (`go env -w GOBIN=$HOME/go/bin`)",
                    sh_quote(&bin.display().to_string())
                )),
        );
    }
}

/// Whether `dir` (or, when missing, the directory that `go install` would
/// create it in) accepts a new file: tried for real, then removed.
fn writable(dir: &Path) -> Result<(), String> {
    let mut probe = dir.to_path_buf();
    while !probe.exists() {
        if !probe.pop() {
            return Err("no existing parent".into());
        }
    }
    if !probe.is_dir() {
        return Err(format!("{} is not a directory", probe.display()));
    }
    let f = probe.join(format!(".gover-doctor-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&f)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&f);
            Ok(())
        }
        Err(e) => Err(format!("cannot create a file in {}: {e}", probe.display())),
    }
}

/// `/mnt/c/...`: a Windows drive mounted in WSL.
fn on_windows_drive(p: &Path) -> bool {
    let s = p.to_string_lossy();
    let Some(rest) = s.strip_prefix("/mnt/") else {
        return false;
    };
    let mut it = rest.chars();
    matches!(it.next(), Some(c) if c.is_ascii_alphabetic()) && matches!(it.next(), None | Some('/'))
}

/// WSL: Go trees and PATH entries on the Windows drives.
pub(crate) fn check_wsl(env: &DoctorEnv, out: &mut Vec<Finding>) {
    if !env.is_wsl() {
        return;
    }
    let distro = env
        .var_str("WSL_DISTRO_NAME")
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    out.push(Finding::ok("wsl", format!("running under WSL{distro}")));
    let why = "/mnt/<drive> is the Windows file system seen through WSL's 9P bridge: builds there are many times slower, and Windows tools and line endings leak in (`build constraints exclude all Go files` and odd permission errors are typical)";
    for (what, p) in gopath_entries(env)
        .into_iter()
        .map(|p| ("GOPATH", p))
        .chain(env.var_str("GOROOT").map(|g| ("GOROOT", PathBuf::from(g))))
        .chain(std::iter::once((
            "GOVER_HOME",
            env.home.root().to_path_buf(),
        )))
    {
        if on_windows_drive(&p) {
            let fix = match what {
                "GOPATH" => "use a GOPATH in the Linux file system: `go env -w GOPATH=$HOME/go` (and `unset GOPATH` if it is exported)".to_string(),
                "GOROOT" => format!("{}; gover's shim sets GOROOT itself", remove_from_startup(env, "GOROOT")),
                _ => "keep GOVER_HOME in the Linux file system: unset GOVER_HOME (default ~/.local/share/gover) and run `gover setup`".to_string(),
            };
            out.push(
                Finding::problem(
                    "wsl.windows-drive",
                    format!("{what} is on a Windows drive: {}", p.display()),
                )
                .why(why)
                .fix(fix),
            );
        }
    }
    if on_windows_drive(&env.cwd) {
        out.push(
            Finding::warning("wsl.windows-drive", format!("this project is on a Windows drive: {}", env.cwd.display()))
                .why(why)
                .fix("clone the project into the Linux file system (for example ~/src) and open it from there (`code .` works through WSL)"),
        );
    }
    let win: Vec<PathBuf> = env
        .path_entries()
        .into_iter()
        .filter(|p| on_windows_drive(p))
        .collect();
    if !win.is_empty() {
        out.push(
            Finding::warning("wsl.path", format!("PATH holds {} Windows directories (such as {})", win.len(), win[0].display()))
                .why("every command lookup that misses scans them through the 9P bridge (seconds each), and Windows programs such as a Windows go.exe can run instead of Linux ones")
                .fix("add `[interop]` / `appendWindowsPath = false` to /etc/wsl.conf, then `wsl --shutdown` from Windows"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;
    use gover_core::resolve::{resolve, ResolveContext};
    use gover_core::GoverHome;

    fn pin(m: &Machine) -> Option<Resolution> {
        let ctx = ResolveContext {
            dir: m.env.cwd.clone(),
            home: GoverHome::new(m.env.home.root()),
            go_version_env: None,
            go: Default::default(),
            path: None,
            temp_dir: None,
            want_project: true,
            trace: false,
        };
        resolve(&ctx).ok()
    }

    fn goroot(m: &Machine) -> Vec<Finding> {
        let mut out = Vec::new();
        check_goroot(&m.env, pin(m).as_ref(), &mut out);
        out
    }

    #[test]
    fn goroot_unset_is_ok() {
        let m = Machine::new();
        let f = goroot(&m);
        assert_eq!(one(&f, "goroot.env").severity, Severity::Ok);
    }

    #[test]
    fn stale_goroot_names_version_and_startup_line() {
        let mut m = Machine::new();
        m.install("1.22.10");
        m.write("project/.go-version", "1.22.10\n");
        let old = m.fake_goroot("usr/local/go", "1.21.5", "1.21.5");
        m.set("GOROOT", &old);
        m.write(
            "home/.profile",
            &format!("export GOROOT={}\n", old.display()),
        );
        let f = goroot(&m);
        let g = one(&f, "goroot.env");
        assert_eq!(g.severity, Severity::Problem);
        assert!(
            g.message
                .contains("is go1.21.5 but go1.22.10 runs here (set at ~/.profile:1)"),
            "{}",
            g.message
        );
        assert!(g
            .why
            .as_deref()
            .unwrap()
            .contains("compile: version \"go1.21.5\" does not match"));
        let fix = g.fix.as_deref().unwrap();
        assert!(
            fix.contains("at ~/.profile:1") && fix.contains("`unset GOROOT`"),
            "{fix}"
        );
    }

    #[test]
    fn goroot_without_a_pin() {
        let mut m = Machine::new();
        let old = m.fake_goroot("usr/local/go", "1.21.5", "1.21.5");
        m.set("GOROOT", &old);
        let g = one(&goroot(&m), "goroot.env").clone();
        assert_eq!(g.severity, Severity::Problem);
        assert!(
            g.message
                .ends_with("is go1.21.5 but gover picks the Go root per directory"),
            "{}",
            g.message
        );
        // No placeholder where the version that runs is unknown.
        let why = g.why.unwrap();
        assert!(
            why.ends_with("`compile: version \"go1.21.5\" does not match go tool version ...`"),
            "{why}"
        );
    }

    #[test]
    fn goroot_of_the_system_go_is_ok_where_system_is_pinned() {
        // GOROOT=/usr/lib/go-1.19 in a directory pinned to `system`, with
        // apt's /usr/bin/go -> ../lib/go-1.19/bin/go on PATH.
        let mut m = Machine::new();
        let tree = m.fake_goroot("sys/usr/lib/go-1.19", "1.19.8", "1.19.8");
        std::fs::create_dir_all(m.path("sys/usr/bin")).unwrap();
        std::os::unix::fs::symlink("../lib/go-1.19/bin/go", m.path("sys/usr/bin/go")).unwrap();
        let bin = m.path("sys/usr/bin");
        m.path_prepend(&bin);
        m.write("project/.go-version", "system\n");
        m.set("GOROOT", &tree);
        let g = one(&goroot(&m), "goroot.env").clone();
        assert_eq!(g.severity, Severity::Ok, "{g:?}");
        // Another tree is still a problem there, named against go1.19.8.
        let other = m.fake_goroot("usr/local/go", "1.21.5", "1.21.5");
        m.set("GOROOT", &other);
        let g = one(&goroot(&m), "goroot.env").clone();
        assert_eq!(g.severity, Severity::Problem);
        assert!(
            g.message.contains("but go1.19.8 runs here"),
            "{}",
            g.message
        );
    }

    #[test]
    fn goroot_missing_dir() {
        let mut m = Machine::new();
        m.set("GOROOT", "/nonexistent/go");
        let g = one(&goroot(&m), "goroot.env").clone();
        assert_eq!(g.severity, Severity::Problem);
        assert!(g
            .why
            .unwrap()
            .contains("go: cannot find GOROOT directory: /nonexistent/go"));
    }

    #[test]
    fn goroot_of_the_pinned_toolchain_is_ok() {
        let mut m = Machine::new();
        let tc = m.install("1.22.10");
        m.write("project/.go-version", "1.22.10\n");
        m.set("GOROOT", &tc);
        assert_eq!(one(&goroot(&m), "goroot.env").severity, Severity::Ok);
    }

    #[test]
    fn goroot_in_go_env_file() {
        let mut m = Machine::new();
        m.install("1.22.10");
        m.write("project/.go-version", "1.22.10\n");
        m.write(
            "home/.config/go/env",
            "GOPROXY=https://proxy.golang.org\nGOROOT=/gone\n",
        );
        let f = goroot(&m);
        let g = one(&f, "goroot.go-env-file");
        assert_eq!(g.severity, Severity::Problem);
        assert!(
            g.message
                .starts_with("~/.config/go/env:2 sets GOROOT=/gone"),
            "{}",
            g.message
        );
        assert!(g
            .fix
            .as_deref()
            .unwrap()
            .contains("delete the line `GOROOT=/gone` from ~/.config/go/env"));
        // XDG_CONFIG_HOME and GOENV move the file.
        m.set("XDG_CONFIG_HOME", m.path("xdg"));
        assert!(with_id(&goroot(&m), "goroot.go-env-file").is_empty());
        m.write("xdg/go/env", "GOROOT=/gone\n");
        assert_eq!(with_id(&goroot(&m), "goroot.go-env-file").len(), 1);
        m.set("GOENV", "off");
        assert!(with_id(&goroot(&m), "goroot.go-env-file").is_empty());
        m.set("GOENV", m.path("custom-env"));
        m.write("custom-env", "GOROOT=/gone\n");
        assert_eq!(with_id(&goroot(&m), "goroot.go-env-file").len(), 1);
    }

    #[test]
    fn gotoolchain_in_file_and_env() {
        let mut m = Machine::new();
        let mut out = Vec::new();
        check_gotoolchain(&m.env, &mut out);
        assert_eq!(one(&out, "gotoolchain.env").severity, Severity::Ok);
        assert!(with_id(&out, "gotoolchain.go-env-file").is_empty());

        m.write("home/.config/go/env", "GOTOOLCHAIN=go1.23.5+auto\n");
        let mut out = Vec::new();
        check_gotoolchain(&m.env, &mut out);
        let g = one(&out, "gotoolchain.go-env-file");
        assert_eq!(g.severity, Severity::Warning);
        let fix = g.fix.as_deref().unwrap();
        assert!(fix.starts_with("`go env -u GOTOOLCHAIN` ("), "{fix}");
        assert!(
            fix.contains("then delete line 1 of ~/.config/go/env"),
            "{fix}"
        );
        assert!(g.why.as_deref().unwrap().contains("runs go1.23.5"), "{g:?}");

        if let Ok(s) = m.env.settings.as_mut() {
            s.gotoolchain.value = gover_core::toolenv::GoToolchainPolicy::Inherit;
        }
        let mut out = Vec::new();
        check_gotoolchain(&m.env, &mut out);
        assert_eq!(
            one(&out, "gotoolchain.go-env-file").severity,
            Severity::Problem
        );

        m.set("GOTOOLCHAIN", "auto");
        let mut out = Vec::new();
        check_gotoolchain(&m.env, &mut out);
        let e = one(&out, "gotoolchain.env");
        assert_eq!(e.severity, Severity::Warning);
        assert!(e.why.as_deref().unwrap().contains("download"));
    }

    #[test]
    fn go111module_off() {
        let mut m = Machine::new();
        let run = |m: &Machine| {
            let mut out = Vec::new();
            check_go111module(&m.env, &mut out);
            out
        };
        assert_eq!(one(&run(&m), "go111module").severity, Severity::Ok);
        m.set("GO111MODULE", "off");
        m.write("home/.bashrc", "export GO111MODULE=off\n");
        let f = run(&m);
        let g = one(&f, "go111module");
        assert_eq!(g.severity, Severity::Problem);
        assert!(g.why.as_deref().unwrap().contains("toolchain selection"));
        assert!(g.fix.as_deref().unwrap().contains("~/.bashrc:1"), "{g:?}");
        m.unset("GO111MODULE");
        m.write("home/.config/go/env", "GO111MODULE=off\n");
        let g = one(&run(&m), "go111module").clone();
        assert_eq!(g.severity, Severity::Problem);
        assert_eq!(g.fix.as_deref(), Some("`go env -u GO111MODULE`"));
        m.write("home/.config/go/env", "GO111MODULE=auto\n");
        assert_eq!(one(&run(&m), "go111module").severity, Severity::Warning);
    }

    #[test]
    fn gobin_on_path_and_writable() {
        let mut m = Machine::new();
        let run = |m: &Machine| {
            let mut out = Vec::new();
            check_gobin(&m.env, &mut out);
            out
        };
        let f = run(&m);
        let p = one(&f, "gopath.bin-path");
        assert_eq!(p.severity, Severity::Warning);
        assert!(
            p.message
                .starts_with("~/go/bin ($GOPATH/bin) is not on PATH"),
            "{}",
            p.message
        );
        assert!(with_id(&f, "gopath.bin-writable").is_empty(), "{f:#?}");
        let bin = m.path("home/go/bin");
        m.path_prepend(&bin);
        assert_eq!(one(&run(&m), "gopath.bin-path").severity, Severity::Ok);
        // GOPATH from the environment; its parent is a file: not writable,
        // whoever runs the test.
        m.write("blocker", "");
        m.set("GOPATH", m.path("blocker/gopath"));
        let f = run(&m);
        let w = one(&f, "gopath.bin-writable");
        assert_eq!(w.severity, Severity::Problem);
        assert!(w.message.contains("is not a directory"), "{}", w.message);
        // GOBIN wins over GOPATH.
        m.set("GOBIN", m.path("gobin"));
        let f = run(&m);
        assert!(one(&f, "gopath.bin-path").message.contains("(GOBIN)"));
        assert!(with_id(&f, "gopath.bin-writable").is_empty());
    }

    #[test]
    fn wsl_windows_drives() {
        let mut m = Machine::new();
        let run = |m: &Machine| {
            let mut out = Vec::new();
            check_wsl(&m.env, &mut out);
            out
        };
        m.set("GOPATH", "/mnt/c/Users/me/go");
        m.set("PATH", "/usr/bin:/mnt/c/Windows/system32");
        assert!(run(&m).is_empty(), "not WSL: nothing to say");
        m.write(
            "root/proc/version",
            "Linux version 5.15.167.4-microsoft-standard-WSL2\n",
        );
        let f = run(&m);
        assert_eq!(one(&f, "wsl").severity, Severity::Ok);
        let d = one(&f, "wsl.windows-drive");
        assert_eq!(d.severity, Severity::Problem);
        assert!(d
            .message
            .contains("GOPATH is on a Windows drive: /mnt/c/Users/me/go"));
        assert!(d
            .fix
            .as_deref()
            .unwrap()
            .contains("go env -w GOPATH=$HOME/go"));
        assert_eq!(one(&f, "wsl.path").severity, Severity::Warning);
        m.write("root/proc/version", "Linux version 6.1\n");
        m.set("WSL_DISTRO_NAME", "Ubuntu");
        m.set("GOPATH", "/home/me/go");
        m.set("GOROOT", "/mnt/d/go");
        let f = run(&m);
        assert!(one(&f, "wsl").message.contains("(Ubuntu)"));
        assert!(one(&f, "wsl.windows-drive").message.starts_with("GOROOT"));
        assert!(!on_windows_drive(Path::new("/mnt/wsl/x")));
        assert!(on_windows_drive(Path::new("/mnt/c")));
    }
}
