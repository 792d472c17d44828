//! Go's own settings that fight gover: `GOROOT`, `GOTOOLCHAIN`,
//! `GO111MODULE` (in the environment or in `go env -w`'s file), that file
//! itself, GOPATH's `bin`, and WSL paths on the Windows drives.

use std::path::{Path, PathBuf};

use gover_core::text::untrusted;
use gover_core::{Resolution, VersionRequest};

use super::id::FindingId;
use super::model::{same_dir, Check, DoctorEnv, Finding, Location, SettingSource};
use super::path::{gopath_entries, goroot_version};
use super::pins::{resolve_pin, system_go};
use super::shell;
use crate::quote::sh_quote;

/// How to delete the startup-file lines `locs` that set `var`, as a fix.
fn remove_from_startup(env: &DoctorEnv, var: &str, locs: &[Location]) -> String {
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

/// How a `GOROOT` compares with the toolchain that runs here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Judgement {
    /// It is that toolchain (or one of the same version).
    Matches,
    /// It does not exist.
    Missing,
    /// Another Go tree, of this version if known.
    Other(Option<String>),
}

fn judge(p: &Path, expected: Option<&Path>, expected_name: Option<&str>) -> Judgement {
    if !p.is_dir() {
        return Judgement::Missing;
    }
    if expected.is_some_and(|e| same_dir(p, e)) {
        return Judgement::Matches;
    }
    let found = goroot_version(p);
    if found.is_some() && found.as_deref() == expected_name {
        // Same version in another tree: harmless for builds.
        return Judgement::Matches;
    }
    Judgement::Other(found)
}

/// `GOROOT` in the environment and in `go env -w`'s file.
#[derive(Clone, Debug)]
pub(crate) struct GorootFacts {
    /// The toolchain that runs here (`go1.22.10`), when known.
    pub(crate) expected: Option<String>,
    /// `GOROOT` in the environment, judged, and the startup lines setting it.
    pub(crate) env: Option<(String, Judgement, Vec<Location>)>,
    /// `GOROOT` in the file: the file, its line, the value, judged.
    pub(crate) file: Option<(PathBuf, usize, String, Judgement)>,
}

/// `GOROOT`.
pub(crate) struct Goroot;

impl Check for Goroot {
    type Facts = GorootFacts;

    fn facts(env: &DoctorEnv) -> GorootFacts {
        let pin = resolve_pin(env).ok();
        let (root, expected) = expected_root(env, pin.as_ref());
        let judged = |v: &str| judge(Path::new(v), root.as_deref(), expected.as_deref());
        let env_value = env
            .var_str("GOROOT")
            .map(|v| (v.to_string(), judged(v), shell::assignments(env, "GOROOT")));
        let go_env = env.go_env();
        let file = go_env
            .get("GOROOT")
            .filter(|(v, _)| !v.is_empty())
            .map(|(v, line)| {
                (
                    go_env.path.clone().unwrap_or_default(),
                    line,
                    v.to_string(),
                    judged(v),
                )
            });
        GorootFacts {
            expected,
            env: env_value,
            file,
        }
    }

    fn findings(env: &DoctorEnv, f: &GorootFacts) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some((value, j, locs)) = &f.env {
            out.push(goroot_env(env, f.expected.as_deref(), value, j, locs));
        }
        if let Some((path, line, value, j)) = &f.file {
            out.push(goroot_file(env, path, *line, value, j));
        }
        if out.is_empty() {
            out.push(Finding::ok(
                FindingId::GorootEnv,
                "GOROOT is not set (neither in the environment nor in go env -w's file); gover sets it per toolchain",
            ));
        }
        out
    }
}

/// The Go root and toolchain name that run here: the pinned toolchain's,
/// or for `system` the root of the Go the shim would run (apt's
/// /usr/lib/go-1.N), as the shim sets it.
fn expected_root(env: &DoctorEnv, pin: Option<&Resolution>) -> (Option<PathBuf>, Option<String>) {
    match pin {
        Some(r) if r.request == VersionRequest::System => {
            let root = system_go(env).and_then(|t| t.goroot);
            let name = root.as_deref().and_then(goroot_version);
            (root, name)
        }
        _ => (
            pin.and_then(|r| r.goroot(&env.home)),
            pin.and_then(|r| r.version.as_ref())
                .map(|v| v.toolchain_name()),
        ),
    }
}

/// `"go1.21.5"` as Go quotes a version in its messages, or `...` when the
/// version is not known.
fn quoted_or_dots(v: Option<&str>) -> String {
    v.map_or_else(|| "...".to_string(), |v| format!("\"{v}\""))
}

fn goroot_env(
    env: &DoctorEnv,
    expected: Option<&str>,
    value: &str,
    j: &Judgement,
    locs: &[Location],
) -> Finding {
    let id = FindingId::GorootEnv;
    let value = untrusted(value);
    let set_at = shell::set_at(env, locs);
    let fix = format!(
        "{}\nfor this shell: `unset GOROOT` (gover's shim sets GOROOT for every go it starts)",
        remove_from_startup(env, "GOROOT", locs)
    );
    match j {
        Judgement::Matches => Finding::ok(id, format!("GOROOT={value} is the toolchain pinned here")),
        Judgement::Missing => Finding::problem(id, format!("GOROOT={value} does not exist{set_at}"))
            .why(format!("any go started outside gover's shim (by an IDE, a script calling $GOROOT/bin/go, `$(gover which go)` in a Makefile) fails with `go: cannot find GOROOT directory: {value}`"))
            .fix(fix),
        Judgement::Other(found) => Finding::problem(
            id,
            format!(
                "GOROOT={value} is {} but {}{set_at}",
                found.as_deref().unwrap_or("an unknown Go version"),
                match expected {
                    Some(n) => format!("{n} runs here"),
                    None => "gover picks the Go root per directory".into(),
                },
            ),
        )
        .why(format!(
            "gover's shim overrides it, but tools that read $GOROOT themselves (IDEs, gopls started outside the shim, scripts calling $GOROOT/bin/go or `$(gover which go)`) mix two versions: `compile: version {} does not match go tool version {}`",
            quoted_or_dots(found.as_deref()),
            quoted_or_dots(expected)
        ))
        .fix(fix),
    }
}

fn goroot_file(env: &DoctorEnv, path: &Path, line: usize, value: &str, j: &Judgement) -> Finding {
    let id = FindingId::GorootGoEnvFile;
    let value = untrusted(value);
    let at = format!("{}:{line}", env.show(path));
    let fix = format!(
        "delete the line `GOROOT={value}` from {} (newer go commands refuse `go env -u GOROOT`)",
        env.show(path)
    );
    let f = match j {
        Judgement::Matches => Finding::warning(id, format!("{at} sets GOROOT={value}"))
            .why("it matches this directory's toolchain, but goes stale as soon as another version is pinned"),
        Judgement::Missing => Finding::problem(id, format!("{at} sets GOROOT={value}, which does not exist"))
            .why(format!("a go binary started without GOROOT in its environment (`$(gover which go)`, IDEs) fails with `go: cannot find GOROOT directory: {value}`")),
        Judgement::Other(found) => Finding::problem(
            id,
            format!(
                "{at} sets GOROOT={value} ({}), not the toolchain that runs here",
                found.as_deref().unwrap_or("unknown version")
            ),
        )
        .why("a go binary started without GOROOT in its environment (`$(gover which go)` in a Makefile, IDEs) uses that tree's compiler and standard library: `compile: version ... does not match go tool version ...`"),
    };
    f.fix(fix)
}

/// `go env -w`'s file itself: present but unreadable.
pub(crate) struct GoEnvFile;

impl Check for GoEnvFile {
    /// The file and why it cannot be read.
    type Facts = Option<(PathBuf, String)>;

    fn facts(env: &DoctorEnv) -> Self::Facts {
        let f = env.go_env();
        Some((f.path?, f.error?))
    }

    fn findings(env: &DoctorEnv, f: &Self::Facts) -> Vec<Finding> {
        let Some((path, e)) = f else {
            return Vec::new();
        };
        let shown = env.show(path);
        vec![Finding::problem(FindingId::GoEnvFile, format!("{shown}, the file `go env -w` writes, cannot be read: {}", untrusted(e)))
            .why("every go command reads it when it starts: a FIFO or device there makes go hang, anything else makes it fail")
            .fix(format!(
                "`rm {}` (then set again with `go env -w` what you need), or point GOENV at a regular file",
                sh_quote(&path.to_string_lossy())
            ))]
    }
}

/// `GOTOOLCHAIN` in the environment and in `go env -w`'s file.
#[derive(Clone, Debug)]
pub(crate) struct GotoolchainFacts {
    /// `gotoolchain = "inherit"` in config.toml.
    pub(crate) inherit: bool,
    /// In the file: the file, its line, the value.
    pub(crate) file: Option<(PathBuf, usize, String)>,
    /// In the environment, and the startup lines setting it.
    pub(crate) env: Option<(String, Vec<Location>)>,
}

/// `GOTOOLCHAIN`.
pub(crate) struct Gotoolchain;

impl Check for Gotoolchain {
    type Facts = GotoolchainFacts;

    fn facts(env: &DoctorEnv) -> GotoolchainFacts {
        let go_env = env.go_env();
        GotoolchainFacts {
            inherit: env.settings.as_ref().is_ok_and(|s| {
                s.gotoolchain.value == gover_core::toolenv::GoToolchainPolicy::Inherit
            }),
            file: go_env
                .get("GOTOOLCHAIN")
                .filter(|(v, _)| !v.is_empty())
                .map(|(v, l)| (go_env.path.clone().unwrap_or_default(), l, v.to_string())),
            env: env
                .var_str("GOTOOLCHAIN")
                .map(|v| (v.to_string(), shell::assignments(env, "GOTOOLCHAIN"))),
        }
    }

    fn findings(env: &DoctorEnv, f: &GotoolchainFacts) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some((path, line, value)) = &f.file {
            let value = untrusted(value).to_string();
            let msg = format!(
                "{}:{line} sets GOTOOLCHAIN={value} (`go env -w`)",
                env.show(path)
            );
            let id = FindingId::GotoolchainGoEnvFile;
            let finding = if f.inherit {
                Finding::problem(id, msg).why(format!(
                    "config.toml says `gotoolchain = \"inherit\"`, so every go gover starts obeys it and {}",
                    switching(&value)
                ))
            } else {
                Finding::warning(id, msg).why(format!(
                    "gover's shim sets GOTOOLCHAIN=local, which wins; but a go started any other way (an IDE with its own Go, `$(gover which go)`) obeys the file and {}",
                    switching(&value)
                ))
            };
            // Go before 1.21 (apt's golang-go on Debian 12 is 1.19) does not
            // know the variable: `go env -u` then fails with `unknown go
            // command variable GOTOOLCHAIN`, so name the line to delete too.
            out.push(finding.fix(format!(
                "`go env -u GOTOOLCHAIN` (a go older than 1.21 answers `unknown go command variable GOTOOLCHAIN`; then delete line {line} of {})",
                env.show(path)
            )));
        }
        let id = FindingId::GotoolchainEnv;
        out.push(match &f.env {
            None => Finding::ok(id, "GOTOOLCHAIN is not set: gover's shim sets GOTOOLCHAIN=local, so go never downloads another toolchain behind gover's back"),
            Some((v, _)) if v == "local" => Finding::ok(id, "GOTOOLCHAIN=local"),
            Some((v, locs)) => {
                let v = untrusted(v).to_string();
                Finding::warning(id, format!("GOTOOLCHAIN={v} is set in the environment{}", shell::set_at(env, locs)))
                    .why(format!("gover's shim leaves a GOTOOLCHAIN you set alone, so {}", switching(&v)))
                    .fix(format!("{}, or `unset GOTOOLCHAIN`", remove_from_startup(env, "GOTOOLCHAIN", locs)))
            }
        });
        out
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

/// `GO111MODULE`.
pub(crate) struct Go111Module;

impl Check for Go111Module {
    /// Its value, where it is set, and the startup lines setting it.
    type Facts = Option<(String, SettingSource, Vec<Location>)>;

    fn facts(env: &DoctorEnv) -> Self::Facts {
        let (v, src) = env.go_setting("GO111MODULE")?;
        let locs = match src {
            SettingSource::Env => shell::assignments(env, "GO111MODULE"),
            SettingSource::GoEnvFile(..) => Vec::new(),
        };
        Some((v, src, locs))
    }

    fn findings(env: &DoctorEnv, f: &Self::Facts) -> Vec<Finding> {
        let id = FindingId::Go111module;
        let Some((v, src, locs)) = f.as_ref().filter(|(v, _, _)| v == "off" || v == "auto") else {
            return vec![Finding::ok(id, "module mode (GO111MODULE is not off)")];
        };
        let set_in = match src {
            SettingSource::Env => "the environment".to_string(),
            SettingSource::GoEnvFile(p, l) => format!("{}:{l}", env.show(p)),
        };
        let in_file = matches!(src, SettingSource::GoEnvFile(..));
        if v == "off" {
            let fix = if in_file {
                "`go env -u GO111MODULE`".to_string()
            } else {
                format!(
                    "{}\nfor this shell: `unset GO111MODULE`",
                    remove_from_startup(env, "GO111MODULE", locs)
                )
            };
            return vec![Finding::problem(id, format!("GO111MODULE=off (set in {set_in})"))
                .why("GOPATH mode: go ignores go.mod, so module builds fail, and go's toolchain selection (go and toolchain lines, GOTOOLCHAIN) is switched off entirely")
                .fix(fix)];
        }
        vec![Finding::warning(id, format!("GO111MODULE=auto (set in {set_in})"))
            .why("outside a module go falls back to GOPATH mode and ignores toolchain selection; the default (unset) is module mode")
            .fix(if in_file {
                "`go env -u GO111MODULE`"
            } else {
                "`unset GO111MODULE` and delete it from your startup files"
            })]
    }
}

/// `$GOBIN` or `$GOPATH/bin`.
#[derive(Clone, Debug)]
pub(crate) struct GoBinFacts {
    /// The directory.
    pub(crate) bin: PathBuf,
    /// `GOBIN` or `$GOPATH/bin`.
    pub(crate) how: &'static str,
    /// Whether it is on `PATH`.
    pub(crate) on_path: bool,
    /// Whether a file can be created there, or why not.
    pub(crate) writable: Result<(), String>,
}

/// `$GOBIN` or `$GOPATH/bin`: on PATH and writable.
pub(crate) struct GoBin;

impl Check for GoBin {
    type Facts = Option<GoBinFacts>;

    fn facts(env: &DoctorEnv) -> Self::Facts {
        let (bin, how) = match env.go_setting("GOBIN") {
            Some((v, _)) => (PathBuf::from(v), "GOBIN"),
            None => (gopath_entries(env).first()?.join("bin"), "$GOPATH/bin"),
        };
        Some(GoBinFacts {
            on_path: env.on_path(&bin),
            writable: writable(&bin),
            bin,
            how,
        })
    }

    fn findings(env: &DoctorEnv, f: &Self::Facts) -> Vec<Finding> {
        let Some(f) = f else {
            return Vec::new();
        };
        let (shown, how) = (env.show(&f.bin), f.how);
        let mut out = vec![if f.on_path {
            Finding::ok(
                FindingId::GopathBinPath,
                format!("{shown} ({how}) is on PATH; `go install`ed tools are shared by every Go version"),
            )
        } else {
            Finding::warning(FindingId::GopathBinPath, format!("{shown} ({how}) is not on PATH"))
                .why("programs installed with `go install` (gopls, golangci-lint, ...) land there and cannot be run by name")
                .fix(format!(
                    "add `export PATH=\"$PATH:{}\"` to ~/.profile and ~/.bashrc (or ~/.zshenv), then open a new terminal",
                    untrusted(&f.bin.to_string_lossy())
                ))
        }];
        if let Err(e) = &f.writable {
            out.push(
                Finding::problem(FindingId::GopathBinWritable, format!("{shown} ({how}) is not writable: {e}"))
                    .why("`go install` fails there")
                    .fix(format!(
                        "fix its owner (`sudo chown -R \"$USER\" {}`) or point GOBIN at a directory you own (`go env -w GOBIN=$HOME/go/bin`)",
                        sh_quote(&f.bin.to_string_lossy())
                    )),
            );
        }
        out
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
        return Err(format!(
            "{} is not a directory",
            untrusted(&probe.to_string_lossy())
        ));
    }
    let f = probe.join(format!(".gover-doctor-{}", std::process::id()));
    match gover_core::fs::write_new(&f, b"", None) {
        Ok(()) => {
            let _ = std::fs::remove_file(&f);
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot create a file in {}: {e}",
            untrusted(&probe.to_string_lossy())
        )),
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

/// What WSL-specific trouble there is.
#[derive(Clone, Debug)]
pub(crate) struct WslFacts {
    /// `WSL_DISTRO_NAME`.
    pub(crate) distro: Option<String>,
    /// `GOPATH`, `GOROOT` and `GOVER_HOME` entries on a Windows drive.
    pub(crate) on_drive: Vec<(&'static str, PathBuf)>,
    /// Where `GOROOT` is set in startup files (for its fix).
    pub(crate) goroot_set_at: Vec<Location>,
    /// Whether the project is on a Windows drive.
    pub(crate) project_on_drive: bool,
    /// Windows directories on `PATH`.
    pub(crate) windows_path: Vec<PathBuf>,
}

/// WSL: Go trees and PATH entries on the Windows drives.
pub(crate) struct Wsl;

impl Check for Wsl {
    /// `None` when not on WSL.
    type Facts = Option<WslFacts>;

    fn facts(env: &DoctorEnv) -> Self::Facts {
        if !env.is_wsl() {
            return None;
        }
        let trees = gopath_entries(env)
            .into_iter()
            .map(|p| ("GOPATH", p))
            .chain(env.var_str("GOROOT").map(|g| ("GOROOT", PathBuf::from(g))))
            .chain(std::iter::once((
                "GOVER_HOME",
                env.home.root().to_path_buf(),
            )));
        Some(WslFacts {
            distro: env.var_str("WSL_DISTRO_NAME").map(str::to_string),
            on_drive: trees.filter(|(_, p)| on_windows_drive(p)).collect(),
            goroot_set_at: shell::assignments(env, "GOROOT"),
            project_on_drive: on_windows_drive(&env.cwd),
            windows_path: env
                .path_entries()
                .into_iter()
                .filter(|p| on_windows_drive(p))
                .collect(),
        })
    }

    fn findings(env: &DoctorEnv, f: &Self::Facts) -> Vec<Finding> {
        let Some(f) = f else {
            return Vec::new();
        };
        let distro = f
            .distro
            .as_deref()
            .map(|d| format!(" ({})", untrusted(d)))
            .unwrap_or_default();
        let mut out = vec![Finding::ok(
            FindingId::Wsl,
            format!("running under WSL{distro}"),
        )];
        let why = "/mnt/<drive> is the Windows file system seen through WSL's 9P bridge: builds there are many times slower, and Windows tools and line endings leak in (`build constraints exclude all Go files` and odd permission errors are typical)";
        for (what, p) in &f.on_drive {
            let fix = match *what {
                "GOPATH" => "use a GOPATH in the Linux file system: `go env -w GOPATH=$HOME/go` (and `unset GOPATH` if it is exported)".to_string(),
                "GOROOT" => format!("{}; gover's shim sets GOROOT itself", remove_from_startup(env, "GOROOT", &f.goroot_set_at)),
                _ => "keep GOVER_HOME in the Linux file system: unset GOVER_HOME (default ~/.local/share/gover) and run `gover setup`".to_string(),
            };
            out.push(
                Finding::problem(
                    FindingId::WslWindowsDrive,
                    format!("{what} is on a Windows drive: {}", env.show(p)),
                )
                .why(why)
                .fix(fix),
            );
        }
        if f.project_on_drive {
            out.push(
                Finding::warning(FindingId::WslWindowsDrive, format!("this project is on a Windows drive: {}", env.show(&env.cwd)))
                    .why(why)
                    .fix("clone the project into the Linux file system (for example ~/src) and open it from there (`code .` works through WSL)"),
            );
        }
        if let Some(first) = f.windows_path.first() {
            out.push(
                Finding::warning(
                    FindingId::WslPath,
                    format!("PATH holds {} Windows directories (such as {})", f.windows_path.len(), env.show(first)),
                )
                .why("every command lookup that misses scans them through the 9P bridge (seconds each), and Windows programs such as a Windows go.exe can run instead of Linux ones")
                .fix("add `[interop]` / `appendWindowsPath = false` to /etc/wsl.conf, then `wsl --shutdown` from Windows"),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn goroot(m: &Machine) -> Vec<Finding> {
        check::<Goroot>(m)
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
        let out = check::<Gotoolchain>(&m);
        assert_eq!(one(&out, "gotoolchain.env").severity, Severity::Ok);
        assert!(with_id(&out, "gotoolchain.go-env-file").is_empty());

        m.write("home/.config/go/env", "GOTOOLCHAIN=go1.23.5+auto\n");
        let out = check::<Gotoolchain>(&m);
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
        let out = check::<Gotoolchain>(&m);
        assert_eq!(
            one(&out, "gotoolchain.go-env-file").severity,
            Severity::Problem
        );

        m.set("GOTOOLCHAIN", "auto");
        let out = check::<Gotoolchain>(&m);
        let e = one(&out, "gotoolchain.env");
        assert_eq!(e.severity, Severity::Warning);
        assert!(e.why.as_deref().unwrap().contains("download"));
    }

    #[test]
    fn go111module_off() {
        let mut m = Machine::new();
        let run = check::<Go111Module>;
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
        let run = check::<GoBin>;
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
        let run = check::<Wsl>;
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
