//! `PATH`: whether `go` is gover's shim, and what shadows it when not.

use std::path::{Component, Path, PathBuf};

use gover_core::home::exe_name;
use gover_core::toolenv::{goroot_of, FileId};

use gover_core::fs::is_executable_file;
use gover_core::text::untrusted_path;

use super::id::FindingId;
use super::model::{read_text, same_dir, Check, DoctorEnv, Finding, Location};
use super::shell;
use crate::quote::sh_quote;

/// What another `go` on `PATH` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OtherGo {
    /// apt's `golang-go`: `/usr/bin/go` -> `/usr/lib/go-1.N/bin/go`.
    Apt(String),
    /// Another distribution package in `/usr/bin` (dnf, pacman, ...).
    DistroPackage,
    /// A hand-made install in `/usr/local/go`.
    UsrLocal,
    /// The snap.
    Snap,
    /// A `go` in `$GOPATH/bin` (`~/go/bin/go`).
    GopathBin,
    /// gvm.
    Gvm,
    /// goenv's shims.
    Goenv,
    /// asdf's shims.
    Asdf,
    /// mise's shims or installs.
    Mise,
    /// voidint/g (`~/.g/go/bin`).
    G,
    /// Homebrew.
    Homebrew,
    /// One of gover's own toolchains (`go1.21.13`), put on `PATH` by
    /// `eval "$(gover env ...)"` or a `gover exec` shell.
    GoverToolchain(String),
    /// Anything else.
    Unknown,
}

/// A `go` executable on `PATH`.
#[derive(Clone, Debug)]
pub(crate) struct FoundGo {
    /// Its `PATH` entry.
    pub(crate) dir: PathBuf,
    /// The executable.
    pub(crate) exe: PathBuf,
    /// What it is.
    pub(crate) kind: OtherGo,
    /// Its version, from `<GOROOT>/VERSION`, when known.
    pub(crate) version: Option<String>,
}

fn ends_with(p: &Path, tail: &str) -> bool {
    let tail: Vec<&str> = tail.split('/').collect();
    let comps: Vec<String> = p
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    comps.len() >= tail.len() && comps[comps.len() - tail.len()..] == tail[..]
}

fn has_component(p: &Path, pred: impl Fn(&str) -> bool) -> bool {
    p.components().any(|c| match c {
        Component::Normal(s) => s.to_str().is_some_and(&pred),
        _ => false,
    })
}

/// The `go-1.N` directory name of an apt GOROOT (`/usr/lib/go-1.22/bin/go`).
fn apt_minor(resolved: &Path) -> Option<String> {
    let goroot = resolved.parent()?.parent()?;
    let name = goroot.file_name()?.to_str()?;
    let minor = name.strip_prefix("go-")?;
    let lib = goroot.parent()?.file_name()?.to_str()?;
    (lib == "lib" && minor.starts_with("1.")).then(|| minor.to_string())
}

/// Classifies the `go` found as `exe` in the `PATH` entry `dir`.
pub(crate) fn classify(env: &DoctorEnv, dir: &Path, exe: &Path) -> OtherGo {
    if let Some(name) = gover_toolchain(env, dir) {
        return OtherGo::GoverToolchain(name);
    }
    let resolved = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    if let Some(m) = apt_minor(&resolved) {
        return OtherGo::Apt(m);
    }
    if ends_with(dir, "usr/local/go/bin") || ends_with(&resolved, "usr/local/go/bin/go") {
        return OtherGo::UsrLocal;
    }
    if ends_with(dir, "snap/bin") || has_component(&resolved, |c| c == "snap") {
        return OtherGo::Snap;
    }
    let home = env.user_home();
    let gopath_bins: Vec<PathBuf> = gopath_entries(env).iter().map(|g| g.join("bin")).collect();
    if gopath_bins.iter().any(|b| b == dir) {
        return OtherGo::GopathBin;
    }
    let is =
        |name: &str| has_component(dir, |c| c == name) || has_component(&resolved, |c| c == name);
    if is(".gvm") {
        return OtherGo::Gvm;
    }
    if is(".goenv") {
        return OtherGo::Goenv;
    }
    if is(".asdf") {
        return OtherGo::Asdf;
    }
    if is("mise") || is(".mise") {
        return OtherGo::Mise;
    }
    if home.as_ref().is_some_and(|h| dir.starts_with(h.join(".g"))) {
        return OtherGo::G;
    }
    if is("Cellar") || is("linuxbrew") || is("homebrew") {
        return OtherGo::Homebrew;
    }
    if ends_with(dir, "usr/bin") {
        return OtherGo::DistroPackage;
    }
    OtherGo::Unknown
}

/// The name of gover's own toolchain (`go1.21.13`) whose `bin` is `dir`
/// (also through links).
fn gover_toolchain(env: &DoctorEnv, dir: &Path) -> Option<String> {
    let name_in = |toolchains: &Path, d: &Path| -> Option<String> {
        let mut parts = d.strip_prefix(toolchains).ok()?.components();
        let name = parts.next()?.as_os_str().to_str()?.to_string();
        let bin = parts.next().is_some_and(|c| c.as_os_str() == "bin");
        (bin && parts.next().is_none() && name.starts_with("go")).then_some(name)
    };
    let toolchains = env.home.toolchains_dir();
    name_in(&toolchains, dir).or_else(|| {
        let real = std::fs::canonicalize(&toolchains).ok()?;
        name_in(&real, &std::fs::canonicalize(dir).ok()?)
    })
}

/// The `GOPATH` entries the `go` command uses: `$GOPATH`, else the
/// `go env -w` file's, else `~/go`.
pub(crate) fn gopath_entries(env: &DoctorEnv) -> Vec<PathBuf> {
    match env.go_setting("GOPATH") {
        Some((v, _)) => std::env::split_paths(&v)
            .filter(|p| p.is_absolute())
            .collect(),
        None => env.user_home().map(|h| h.join("go")).into_iter().collect(),
    }
}

/// The version of a Go root, from its `VERSION` file.
pub(crate) fn goroot_version(root: &Path) -> Option<String> {
    let text = read_text(&root.join("VERSION"))?;
    let first = text.lines().next()?.trim();
    first.starts_with("go").then(|| first.to_string())
}

/// True when `exe` is gover's shim: the file in the shims directory or a
/// link or copy of the `gover-shim` beside `gover`.
fn is_gover_shim(env: &DoctorEnv, exe: &Path) -> bool {
    let id = FileId::of(exe);
    let shim_go = env.home.shims_dir().join(exe_name("go"));
    if id.is_some()
        && (id == FileId::of(&shim_go) || id == env.shim_source.as_deref().and_then(FileId::of))
    {
        return true;
    }
    false
}

/// Every `go` on `PATH` that is not gover's, in `PATH` order, with the
/// index of its entry.
pub(crate) fn other_gos(env: &DoctorEnv) -> Vec<(usize, FoundGo)> {
    let mut out = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let shims = env.home.shims_dir();
    for (i, dir) in env.path_entries().iter().enumerate() {
        if same_dir(dir, &shims) || !dir.is_absolute() {
            continue;
        }
        let exe = dir.join(exe_name("go"));
        if !is_executable_file(&exe) || is_gover_shim(env, &exe) {
            continue;
        }
        // The same executable reached through several entries (`/bin` and
        // `/usr/bin` on merged-/usr systems, `/usr/bin/go` and the
        // `/usr/lib/go-1.N/bin` it links to) is one Go: the first counts.
        let real = std::fs::canonicalize(&exe).unwrap_or_else(|_| exe.clone());
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        let kind = classify(env, dir, &exe);
        let version = goroot_of(&exe).and_then(|r| goroot_version(&r));
        out.push((
            i,
            FoundGo {
                dir: dir.clone(),
                exe,
                kind,
                version,
            },
        ));
    }
    out
}

fn describe(env: &DoctorEnv, g: &FoundGo) -> String {
    let what = match &g.kind {
        OtherGo::Apt(m) => format!("apt's golang-go package in /usr/lib/go-{m}"),
        OtherGo::DistroPackage => "a distribution package".into(),
        OtherGo::UsrLocal => "a hand-made install in /usr/local/go".into(),
        OtherGo::Snap => "the go snap".into(),
        OtherGo::GopathBin => "a go in your GOPATH's bin".into(),
        OtherGo::Gvm => "gvm".into(),
        OtherGo::Goenv => "goenv".into(),
        OtherGo::Asdf => "asdf".into(),
        OtherGo::Mise => "mise".into(),
        OtherGo::G => "g (voidint/g)".into(),
        OtherGo::Homebrew => "Homebrew".into(),
        OtherGo::GoverToolchain(name) => {
            format!("gover's own {name}, put on PATH by `gover env` or `gover exec`")
        }
        OtherGo::Unknown => "another Go".into(),
    };
    match &g.version {
        Some(v) => format!("{} ({what}, {v})", env.show(&g.exe)),
        None => format!("{} ({what})", env.show(&g.exe)),
    }
}

/// How to get rid of (or get past) another `go`.
fn removal(env: &DoctorEnv, g: &FoundGo) -> String {
    let added_at = |locs: Vec<Location>| match locs.first() {
        Some(l) => format!(" (it is added at {})", shell::at(env, l)),
        None => String::new(),
    };
    let line_hint = |needle: &str| added_at(shell::mentions(env, needle));
    // The line that puts this very directory on PATH, however it names it
    // (`$GOROOT/bin`, `$(go env GOROOT)/bin`), else one that names `needle`.
    let dir_hint = |needle: &str| {
        let mut locs = shell::path_additions(env, &g.dir);
        if locs.is_empty() && !needle.is_empty() {
            locs = shell::mentions(env, needle);
        }
        added_at(locs)
    };
    match &g.kind {
        // `golang-go` only owns the `/usr/bin/go` link; the tree in
        // /usr/lib/go-1.N belongs to golang-1.N-go, which `apt remove
        // golang-go` leaves behind (until `apt autoremove`).
        OtherGo::Apt(m) => {
            let keep = "gover replaces it; your GOPATH and `go install`ed tools stay";
            if apt_minor(&g.exe).is_some() {
                // PATH names the tree itself, not /usr/bin: removing
                // golang-go alone would leave this `go` in place.
                format!(
                    "`sudo apt remove golang-go golang-src golang-{m}-go golang-{m}-src` ({keep}), and delete the line that puts {} on PATH{}",
                    untrusted_path(&g.dir),
                    dir_hint(&format!("lib/go-{m}/bin"))
                )
            } else {
                format!("`sudo apt remove golang-go golang-src` ({keep}), then `sudo apt autoremove` for the golang-{m}-go and golang-{m}-src it pulled in")
            }
        }
        OtherGo::DistroPackage => format!("remove the package that owns {} (`dpkg -S {0}` or `rpm -qf {0}` names it)", untrusted_path(&g.exe)),
        OtherGo::UsrLocal => format!(
            "`sudo rm -rf /usr/local/go` and delete the line that adds /usr/local/go/bin to PATH{}",
            dir_hint("/usr/local/go/bin")
        ),
        OtherGo::Snap => "`sudo snap remove go`".into(),
        OtherGo::GopathBin => format!(
            "`rm {}` (a `go` does not belong in GOPATH's bin; tools you installed there stay)",
            sh_quote(&g.exe.display().to_string())
        ),
        OtherGo::Gvm => format!("delete the line that sources ~/.gvm/scripts/gvm{} and run `rm -rf ~/.gvm`", line_hint(".gvm/scripts/gvm")),
        OtherGo::Goenv => format!("delete the goenv lines (`goenv init`, GOENV_ROOT){} and run `rm -rf ~/.goenv`", line_hint("goenv")),
        OtherGo::Asdf => "`asdf plugin remove golang` (gover reads the golang line of .tool-versions itself)".into(),
        OtherGo::Mise => "`mise unuse --global go` and `mise uninstall go --all` (gover reads .tool-versions and .go-version itself)".into(),
        OtherGo::G => format!("delete the line that sources ~/.g/env{} and run `rm -rf ~/.g`", line_hint(".g/env")),
        OtherGo::Homebrew => "`brew uninstall go`".into(),
        OtherGo::GoverToolchain(name) => {
            let mut locs = shell::mentions(env, "gover env");
            locs.extend(shell::path_additions(env, &g.dir));
            let line = match locs.first() {
                Some(l) => format!("; a startup-file line puts it there in every new shell: delete {}", shell::at(env, l)),
                None => "; `eval \"$(gover env --unset)\"` takes it off (or open a new shell)".into(),
            };
            format!(
                "nothing to delete: {name} is gover's own toolchain, first on PATH in this shell because `eval \"$(gover env ...)\"` (or a shell started by `gover exec`) put it there{line}"
            )
        }
        OtherGo::Unknown => format!("remove {} or the PATH entry {}{}", untrusted_path(&g.exe), untrusted_path(&g.dir), dir_hint("")),
    }
}

fn path_fix(env: &DoctorEnv) -> String {
    format!(
        "for this shell: `export PATH={}:\"$PATH\"`",
        sh_quote(&env.home.shims_dir().display().to_string())
    )
}

/// What `PATH` holds.
#[derive(Clone, Debug)]
pub(crate) struct PathFacts {
    /// The index of the shims directory among the `PATH` entries.
    pub(crate) shims_at: Option<usize>,
    /// Whether the `go` shim exists.
    pub(crate) shim_go: bool,
    /// Every other `go`, with the index of its entry.
    pub(crate) others: Vec<(usize, FoundGo)>,
}

/// Whether `go` on `PATH` is gover's shim.
pub(crate) struct GoOnPath;

impl Check for GoOnPath {
    type Facts = PathFacts;

    fn facts(env: &DoctorEnv) -> PathFacts {
        let shims = env.home.shims_dir();
        PathFacts {
            shims_at: env.path_entries().iter().position(|e| same_dir(e, &shims)),
            shim_go: shims.join(exe_name("go")).is_file(),
            others: other_gos(env),
        }
    }

    fn findings(env: &DoctorEnv, f: &PathFacts) -> Vec<Finding> {
        let shown = env.show(&env.home.shims_dir());
        let Some(pos) = f.shims_at else {
            let runs = match f.others.first() {
                Some((_, g)) => format!("`go` runs {} instead", describe(env, g)),
                None => "`go` is not found at all (`command not found: go`)".into(),
            };
            return vec![Finding::problem(
                FindingId::PathShims,
                format!("gover's shims directory {shown} is not on PATH"),
            )
            .why(format!("{runs}, whatever version is pinned here"))
            .fix(format!(
                "run `gover setup`, then open a new terminal; {}",
                path_fix(env)
            ))];
        };
        if let Some((_, first)) = f.others.iter().find(|(i, _)| *i < pos) {
            return vec![shadowed(env, first, &shown)];
        }
        if !f.shim_go {
            // Reported by the shims check; nothing to add here.
            return Vec::new();
        }
        let later: Vec<String> = f.others.iter().map(|(_, g)| describe(env, g)).collect();
        let note = if later.is_empty() {
            String::new()
        } else {
            format!(
                "; later on PATH, used only for the `system` pin: {}",
                later.join(", ")
            )
        };
        vec![Finding::ok(
            FindingId::PathShims,
            format!(
                "`go` on PATH is gover's shim ({}){note}",
                env.show(&env.home.shims_dir().join(exe_name("go")))
            ),
        )]
    }
}

/// Another `go` comes before the shims.
fn shadowed(env: &DoctorEnv, first: &FoundGo, shown: &str) -> Finding {
    let dir = env.show(&first.dir);
    let mut fix = removal(env, first);
    fix.push_str(&format!(
        "\nor keep it and put {shown} before {dir} on PATH (gover's block in your startup files prepends the shims; make sure nothing after it prepends {dir} again)\n{}",
        path_fix(env)
    ));
    Finding::problem(
        FindingId::PathShadowed,
        format!(
            "{} comes before gover's shims on PATH",
            describe(env, first)
        ),
    )
    .why(format!(
        "every `go` command runs {} instead of the version pinned here",
        first.version.as_deref().unwrap_or("that Go")
    ))
    .fix(fix)
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;
    use std::os::unix::fs::symlink;

    fn run(m: &Machine) -> Vec<Finding> {
        check::<GoOnPath>(m)
    }

    /// `dir/sys/usr/bin/go` -> `../lib/go-1.21/bin/go`, like apt.
    fn apt_go(m: &Machine) -> PathBuf {
        m.fake_goroot("sys/usr/lib/go-1.21", "1.21.5", "1.21.5");
        std::fs::create_dir_all(m.path("sys/usr/bin")).unwrap();
        symlink("../lib/go-1.21/bin/go", m.path("sys/usr/bin/go")).unwrap();
        m.path("sys/usr/bin")
    }

    fn shims(m: &Machine) -> PathBuf {
        let shims = m.env.home.shims_dir();
        m.script("gover/shims/go", "echo shim");
        shims
    }

    /// A machine with the shims and apt's go on PATH, in that order or
    /// (`apt_first`) the other; returns it and apt's `usr/bin`.
    fn shims_and_apt(apt_first: bool) -> (Machine, PathBuf) {
        let mut m = Machine::new();
        let (s, apt) = (shims(&m), apt_go(&m));
        let order = if apt_first { [&s, &apt] } else { [&apt, &s] };
        for d in order {
            m.path_prepend(d);
        }
        (m, apt)
    }

    #[test]
    fn shims_first_is_ok_and_names_later_gos() {
        let (m, _) = shims_and_apt(false);
        let f = run(&m);
        let ok = one(&f, "path.shims");
        assert_eq!(ok.severity, Severity::Ok, "{f:#?}");
        assert!(
            ok.message
                .contains("apt's golang-go package in /usr/lib/go-1.21, go1.21.5)"),
            "{}",
            ok.message
        );
    }

    #[test]
    fn apt_go_before_shims() {
        let (m, apt) = shims_and_apt(true);
        let f = run(&m);
        let p = one(&f, "path.shadowed");
        assert_eq!(p.severity, Severity::Problem);
        assert!(
            p.message.contains(&format!(
                "{}/go (apt's golang-go package in /usr/lib/go-1.21, go1.21.5)",
                apt.display()
            )),
            "{}",
            p.message
        );
        let fix = p.fix.as_deref().unwrap();
        assert!(
            fix.starts_with("`sudo apt remove golang-go golang-src`"),
            "{fix}"
        );
        assert!(fix.contains(&format!("before {}", apt.display())), "{fix}");
        assert!(p.why.as_deref().unwrap().contains("go1.21.5"));
    }

    #[test]
    fn apt_tree_itself_on_path_needs_its_own_package_removed() {
        // `export PATH=/usr/lib/go-1.21/bin:$PATH` from a tutorial:
        // `apt remove golang-go` leaves golang-1.21-go, and this `go`.
        let mut m = Machine::new();
        let s = shims(&m);
        m.path_prepend(&s);
        apt_go(&m);
        let tree = m.path("sys/usr/lib/go-1.21/bin");
        m.write(
            "home/.bashrc",
            &format!("alias ll='ls -l'\nexport PATH={}:$PATH\n", tree.display()),
        );
        m.path_prepend(&tree);
        let f = run(&m);
        let p = one(&f, "path.shadowed");
        let fix = p.fix.as_deref().unwrap();
        assert!(
            fix.starts_with(
                "`sudo apt remove golang-go golang-src golang-1.21-go golang-1.21-src`"
            ),
            "{fix}"
        );
        assert!(
            fix.contains(&format!(
                "delete the line that puts {} on PATH (it is added at ~/.bashrc:2)",
                tree.display()
            )),
            "{fix}"
        );
        // Through /usr/bin, removing golang-go removes the link that
        // shadows; autoremove takes the tree.
        let (m, _) = shims_and_apt(true);
        let f = run(&m);
        let fix = one(&f, "path.shadowed").fix.clone().unwrap();
        assert!(
            fix.contains("then `sudo apt autoremove` for the golang-1.21-go"),
            "{fix}"
        );
    }

    #[test]
    fn one_go_reached_through_several_entries_is_named_once() {
        // Merged /usr: /bin -> usr/bin, so /bin/go, /usr/bin/go and
        // /usr/lib/go-1.21/bin/go are one apt Go.
        let mut m = Machine::new();
        let apt = apt_go(&m);
        symlink("usr/bin", m.path("sys/bin")).unwrap();
        let tree = m.path("sys/usr/lib/go-1.21/bin");
        m.path_prepend(&tree);
        m.path_prepend(&m.path("sys/bin"));
        m.path_prepend(&apt);
        let s = shims(&m);
        m.path_prepend(&s);
        let others = other_gos(&m.env);
        assert_eq!(others.len(), 1, "{others:#?}");
        assert_eq!(others[0].1.exe, apt.join("go"));
        let ok = one(&run(&m), "path.shims").clone();
        assert_eq!(ok.message.matches("apt's golang-go").count(), 1, "{ok:?}");
    }

    #[test]
    fn shims_missing_from_path() {
        let mut m = Machine::new();
        shims(&m);
        let f = run(&m);
        let p = one(&f, "path.shims");
        assert_eq!(p.severity, Severity::Problem);
        assert!(
            p.why.as_deref().unwrap().contains("command not found: go"),
            "{p:?}"
        );
        assert!(p.fix.as_deref().unwrap().contains("`gover setup`"));
        let apt = apt_go(&m);
        m.path_prepend(&apt);
        let p = one(&run(&m), "path.shims").clone();
        assert!(p.why.unwrap().contains("apt's golang-go"));
    }

    #[test]
    fn classifies_other_installs() {
        let mut m = Machine::new();
        m.fake_goroot("sys/usr/local/go", "1.20.1", "1.20.1");
        let cases = [
            (
                "sys/usr/local/go/bin",
                OtherGo::UsrLocal,
                "sudo rm -rf /usr/local/go",
            ),
            ("sys/snap/bin", OtherGo::Snap, "sudo snap remove go"),
            ("home/go/bin", OtherGo::GopathBin, "rm "),
            ("home/.gvm/gos/go1.19/bin", OtherGo::Gvm, "rm -rf ~/.gvm"),
            ("home/.goenv/shims", OtherGo::Goenv, "rm -rf ~/.goenv"),
            (
                "home/.asdf/shims",
                OtherGo::Asdf,
                "asdf plugin remove golang",
            ),
            (
                "home/.local/share/mise/shims",
                OtherGo::Mise,
                "mise uninstall go",
            ),
            ("opt/weird", OtherGo::Unknown, "remove "),
        ]
        .map(|(dir, kind, fix)| {
            if kind != OtherGo::UsrLocal {
                m.script(&format!("{dir}/go"), "exit 0");
            }
            (m.path(dir), kind, fix)
        });
        let s = shims(&m);
        m.write("home/.profile", "export PATH=$PATH:/usr/local/go/bin\n");
        for (dir, kind, fix) in cases {
            let exe = dir.join("go");
            assert_eq!(classify(&m.env, &dir, &exe), kind, "{}", dir.display());
            m.set(
                "PATH",
                std::env::join_paths([dir.clone(), s.clone()]).unwrap(),
            );
            let f = run(&m);
            let p = one(&f, "path.shadowed");
            assert!(p.fix.as_deref().unwrap().contains(fix), "{kind:?}: {p:?}");
            if kind == OtherGo::UsrLocal {
                assert!(
                    p.fix.as_deref().unwrap().contains("added at ~/.profile:1"),
                    "{p:?}"
                );
                assert!(p.message.contains("go1.20.1"), "{p:?}");
            }
        }
    }

    #[test]
    fn a_link_to_the_shim_elsewhere_is_gover() {
        let mut m = Machine::new();
        let s = shims(&m);
        std::fs::create_dir_all(m.path("home/bin")).unwrap();
        std::fs::hard_link(s.join("go"), m.path("home/bin/go")).unwrap();
        m.path_prepend(&s);
        m.path_prepend(&m.path("home/bin"));
        let f = run(&m);
        assert!(with_id(&f, "path.shadowed").is_empty(), "{f:#?}");
        assert_eq!(one(&f, "path.shims").severity, Severity::Ok);
    }

    #[test]
    fn gover_s_own_toolchain_first_on_path_is_not_deleted() {
        // An earlier `eval "$(gover env 1.21.13)"` in this shell.
        let mut m = Machine::new();
        let s = shims(&m);
        m.path_prepend(&s);
        let root = m.install("1.21.13");
        m.path_prepend(&root.join("bin"));
        let f = run(&m);
        let p = one(&f, "path.shadowed");
        assert!(
            p.message.contains(
                "(gover's own go1.21.13, put on PATH by `gover env` or `gover exec`, go1.21.13)"
            ),
            "{}",
            p.message
        );
        let fix = p.fix.as_deref().unwrap();
        assert!(
            fix.starts_with("nothing to delete: go1.21.13 is gover's own toolchain"),
            "{fix}"
        );
        assert!(fix.contains("takes it off (or open a new shell)"), "{fix}");
        assert!(!fix.contains("rm "), "{fix}");
        // From a startup file, every new shell: that line is named.
        m.write(
            "home/.bashrc",
            "alias ll='ls -l'\neval \"$(gover env 1.21.13)\"\n",
        );
        let fix = one(&run(&m), "path.shadowed").fix.clone().unwrap();
        assert!(
            fix.contains(
                "a startup-file line puts it there in every new shell: delete ~/.bashrc:2"
            ),
            "{fix}"
        );
    }

    #[test]
    fn startup_lines_that_add_a_go_through_goroot_are_found() {
        let mut m = Machine::new();
        let root = m.fake_goroot("sys/usr/local/go", "1.20.1", "1.20.1");
        let s = shims(&m);
        m.path_prepend(&s);
        m.path_prepend(&root.join("bin"));
        // `$GOROOT/bin` with GOROOT set by a startup-file line (and a
        // trailing slash), `$(go env GOROOT)/bin`, and `${GOROOT}/bin`
        // with GOROOT from the environment.
        for (text, at, env_goroot) in [
            (
                format!(
                    "export GOROOT=\"{}/\"\nexport PATH=$GOROOT/bin:$PATH\n",
                    root.display()
                ),
                "~/.profile:2",
                false,
            ),
            (
                "alias x=y\nexport PATH=\"$(go env GOROOT)/bin:$PATH\"\n".to_string(),
                "~/.profile:2",
                false,
            ),
            (
                "PATH=${GOROOT}/bin:$PATH\n".to_string(),
                "~/.profile:1",
                true,
            ),
        ] {
            m.write("home/.profile", &text);
            if env_goroot {
                m.set("GOROOT", &root);
            }
            assert_eq!(
                classify(&m.env, &root.join("bin"), &root.join("bin/go")),
                OtherGo::UsrLocal
            );
            let fix = one(&run(&m), "path.shadowed").fix.clone().unwrap();
            assert!(
                fix.contains(&format!("(it is added at {at})")),
                "{text}: {fix}"
            );
        }
        // `$GOROOT/bin` when GOROOT names another Go is not this line.
        m.set("GOROOT", "/elsewhere");
        m.write("home/.profile", "export PATH=$GOROOT/bin:$PATH\n");
        let fix = one(&run(&m), "path.shadowed").fix.clone().unwrap();
        assert!(!fix.contains("added at"), "{fix}");
    }
}
