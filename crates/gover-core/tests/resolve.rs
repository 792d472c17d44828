//! Pin resolution on real directory trees.

use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;

use gover_core::goenv::{GoOrigin, GoValue};
use gover_core::{resolve, GoverHome, PinSource, ResolveContext, ResolveError};

/// One of Go's settings as set in the environment.
fn env_value(v: impl Into<OsString>) -> GoValue {
    GoValue {
        value: v.into(),
        origin: GoOrigin::Env,
    }
}

struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: GoverHome,
}

impl Tree {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = GoverHome::new(root.join("gover-home"));
        Self {
            _tmp: tmp,
            root,
            home,
        }
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }
    fn dir(&self, rel: &str) -> PathBuf {
        let p = self.root.join(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }
    fn install(&self, names: &[&str]) {
        for n in names {
            let bin = self.home.toolchains_dir().join(n).join("bin");
            fs::create_dir_all(&bin).unwrap();
            fs::write(bin.join("go"), "").unwrap();
        }
    }
    fn global(&self, v: &str) {
        fs::create_dir_all(self.home.root()).unwrap();
        fs::write(self.home.version_file(), v).unwrap();
    }
    fn ctx(&self, rel: &str) -> ResolveContext {
        ResolveContext {
            dir: self.dir(rel),
            home: self.home.clone(),
            go_version_env: None,
            go: Default::default(),
            path: None,
            temp_dir: Some(PathBuf::from("/nonexistent-tmp")),
            want_project: true,
            trace: true,
        }
    }
    fn current(&self, rel: &str) -> (String, PinSource, bool) {
        self.current_ctx(self.ctx(rel))
    }
    fn current_ctx(&self, ctx: ResolveContext) -> (String, PinSource, bool) {
        let r = resolve(&ctx).unwrap_or_else(|e| panic!("resolve {}: {e}", ctx.dir.display()));
        (r.display_name(), r.source, r.installed)
    }
    fn err(&self, rel: &str) -> ResolveError {
        resolve(&self.ctx(rel)).expect_err("should fail")
    }
}

#[test]
fn env_beats_everything() {
    let t = Tree::new();
    t.write("p/.go-version", "1.21.13\n");
    t.install(&["go1.22.10"]);
    let mut ctx = t.ctx("p");
    ctx.go_version_env = Some(OsString::from("go1.22"));
    assert_eq!(
        t.current_ctx(ctx.clone()),
        ("go1.22.10".into(), PinSource::Env, true)
    );
    ctx.go_version_env = Some(OsString::from("banana"));
    let e = resolve(&ctx).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("GOVER_GO_VERSION: invalid Go version `banana`"),
        "{e}"
    );
}

#[test]
fn nearest_pin_file_wins_and_go_version_beats_tool_versions() {
    let t = Tree::new();
    let outer = t.write("mono/.go-version", "1.21.13\n");
    let inner = t.write("mono/svc/.tool-versions", "nodejs 20\ngolang 1.22.10\n");
    t.write("mono/svc/a/b/c/d/e/.keep", "");
    assert_eq!(
        t.current("mono/svc/a/b/c/d/e"),
        (
            "go1.22.10".into(),
            PinSource::ToolVersions(inner.clone()),
            false
        )
    );
    assert_eq!(
        t.current("mono"),
        (
            "go1.21.13".into(),
            PinSource::GoVersionFile(outer.clone()),
            false
        )
    );
    // Same directory: .go-version first.
    let gv = t.write("mono/svc/.go-version", "1.22\n");
    t.install(&["go1.20", "go1.20.14", "go1.22.0", "go1.22.10"]);
    assert_eq!(
        t.current("mono/svc/a"),
        (
            "go1.22.10".into(),
            PinSource::GoVersionFile(gv.clone()),
            true
        ),
        "a line from Go 1.21 on: its newest installed release"
    );
    fs::write(&gv, "1.20\n").unwrap();
    assert_eq!(
        t.current("mono/svc/a"),
        ("go1.20".into(), PinSource::GoVersionFile(gv), true),
        "a bare minor up to Go 1.20 is that release, as in Go's grammar"
    );
    // .tool-versions without a Go entry does not stop the walk.
    fs::remove_file(t.root.join("mono/svc/.go-version")).unwrap();
    fs::write(&inner, "python 3.12\n").unwrap();
    assert_eq!(
        t.current("mono/svc/a"),
        ("go1.21.13".into(), PinSource::GoVersionFile(outer), false)
    );
}

#[test]
fn monorepo_root_pin_beats_submodule_go_mod() {
    let t = Tree::new();
    let pin = t.write("repo/.go-version", "1.22.10\n");
    let gomod = t.write(
        "repo/services/api/go.mod",
        "module api\n\ngo 1.23.0\ntoolchain go1.23.4\n",
    );
    t.install(&["go1.22.10"]);
    let r = resolve(&t.ctx("repo/services/api/internal")).unwrap();
    assert_eq!(r.display_name(), "go1.22.10");
    assert_eq!(r.source, PinSource::GoVersionFile(pin));
    let (pf, min) = r.older_than_project().expect("pin is older than go line");
    assert_eq!(pf.path, gomod);
    assert_eq!(min.toolchain_name(), "go1.23.0");
}

#[test]
fn toolchain_line_pins_exactly() {
    let t = Tree::new();
    let m = t.write(
        "m/go.mod",
        "module m // x\n\ngo 1.22.0\n\ntoolchain   go1.22.10 // pinned\n",
    );
    assert_eq!(
        t.current("m/pkg"),
        (
            "go1.22.10".into(),
            PinSource::ProjectToolchain(m.clone(), gover_core::pinfile::ProjectKind::GoMod),
            false
        )
    );
    // A toolchain line older than the go line is ignored, as Go ignores it.
    fs::write(&m, "module m\ngo 1.23.0\ntoolchain go1.22.10\n").unwrap();
    let (name, src, _) = t.current("m");
    assert_eq!(name, "go1.23.0");
    assert_eq!(src.kind(), "go-line");
}

#[test]
fn go_line_is_a_minimum() {
    let t = Tree::new();
    let m = t.write("m/go.mod", "module m\ngo 1.22\n");
    // Nothing installed, no default: the first release that satisfies it.
    assert_eq!(t.current("m").0, "go1.22.0");
    // Newest installed release of that minor line.
    t.install(&["go1.22.3", "go1.22.10", "go1.23rc1", "go1.21.13"]);
    assert_eq!(
        t.current("m"),
        (
            "go1.22.10".into(),
            PinSource::ProjectGoLine {
                path: m.clone(),
                kind: gover_core::pinfile::ProjectKind::GoMod,
                via_global: None
            },
            true
        )
    );
    // The global default wins when it satisfies the go line.
    t.install(&["go1.23.4"]);
    t.global("1.23\n");
    let (name, src, inst) = t.current("m");
    assert_eq!((name.as_str(), inst), ("go1.23.4", true));
    assert_eq!(
        src.to_string(),
        format!(
            "global default {} satisfies the go.mod go line in {}",
            t.home.version_file().display(),
            m.display()
        )
    );
    // ... and not when it is too old.
    t.global("1.21.13\n");
    assert_eq!(t.current("m").0, "go1.22.10");
    // `toolchain default` keeps the default toolchain, whatever the go line.
    fs::write(&m, "go 1.23.4\ntoolchain default\n").unwrap();
    let r = resolve(&t.ctx("m")).unwrap();
    assert_eq!(r.display_name(), "go1.21.13");
    assert_eq!(
        r.reason(),
        format!(
            "global default {}; {} says `toolchain default`: Go keeps the default toolchain",
            t.home.version_file().display(),
            m.display()
        )
    );
    fs::remove_file(t.home.version_file()).unwrap();
    assert!(matches!(t.err("m"), ResolveError::NoPin { .. }));
    fs::write(&m, "go 1.20\n").unwrap();
    assert_eq!(
        t.current("m").0,
        "go1.20",
        "go 1.20 means the release go1.20"
    );
}

#[test]
fn go_work_beats_nearer_go_mod_and_gowork_env() {
    let t = Tree::new();
    let w = t.write("ws/go.work", "go 1.22.0\ntoolchain go1.22.10\n");
    let m = t.write(
        "ws/mod/go.mod",
        "module m\ngo 1.21.0\ntoolchain go1.21.13\n",
    );
    assert_eq!(t.current("ws/mod").0, "go1.22.10");
    let mut ctx = t.ctx("ws/mod");
    ctx.go.gowork = Some(env_value("off"));
    let r = resolve(&ctx).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.source.path()),
        ("go1.21.13", Some(m.as_path()))
    );
    let other = t.write("elsewhere/x.work", "go 1.23.0\n");
    ctx.go.gowork = Some(env_value(other.clone().into_os_string()));
    assert_eq!(resolve(&ctx).unwrap().display_name(), "go1.23.0");
    ctx.go.gowork = Some(env_value(t.root.join("missing.work").into_os_string()));
    assert_eq!(
        resolve(&ctx).unwrap().display_name(),
        "go1.21.13",
        "a missing GOWORK file falls back to go.mod"
    );
    ctx.go.gowork = Some(env_value("rel/go.work"));
    assert!(matches!(resolve(&ctx), Err(ResolveError::GoWork(_))));
    let _ = w;
}

#[test]
fn go_mod_in_temp_dir_is_ignored() {
    let t = Tree::new();
    t.write("tmp/go.mod", "module bad\ngo 1.99.0\n");
    t.global("1.22.10");
    let mut ctx = t.ctx("tmp/work");
    ctx.temp_dir = Some(t.root.join("tmp"));
    let (name, src, _) = t.current_ctx(ctx);
    assert_eq!(name, "go1.22.10");
    assert_eq!(src, PinSource::Global(t.home.version_file()));
}

#[test]
fn go_mod_in_temp_dir_hides_go_mods_above_it() {
    // Go stops at the nearest go.mod; when that one is directly in the temp
    // dir there is no module at all, so a go.mod further up must not count.
    let t = Tree::new();
    t.write("go.mod", "module outer\ngo 1.21.0\n");
    t.write("tmp/go.mod", "module scratch\ngo 1.99.0\n");
    t.global("1.22.10");
    let mut ctx = t.ctx("tmp/work");
    ctx.temp_dir = Some(t.root.join("tmp"));
    let r = resolve(&ctx).unwrap();
    assert_eq!(r.source, PinSource::Global(t.home.version_file()));
    assert!(r.project.is_none(), "{:?}", r.project);
    assert!(
        r.trace.iter().any(|l| l.contains("temp dir")),
        "{:?}",
        r.trace
    );
    // The temp dir named through a symlink (macOS: /var -> /private/var).
    fs::create_dir_all(t.root.join("alias")).unwrap();
    std::os::unix::fs::symlink(t.root.join("tmp"), t.root.join("alias/tmp")).unwrap();
    ctx.temp_dir = Some(t.root.join("alias/tmp"));
    let r = resolve(&ctx).unwrap();
    assert_eq!(r.source, PinSource::Global(t.home.version_file()));
    // Below a sub-module of the temp dir, that module counts.
    t.write("tmp/mod/go.mod", "module m\ngo 1.21.0\n");
    let mut ctx = t.ctx("tmp/mod/pkg");
    ctx.temp_dir = Some(t.root.join("tmp"));
    assert_eq!(t.current_ctx(ctx).0, "go1.22.10");
}

#[test]
fn pin_file_hints_name_the_right_fix() {
    let t = Tree::new();
    t.write("a/.tool-versions", "golang 1.22.x\n");
    let hint = t.err("a").hint().unwrap();
    assert!(hint.contains("golang line of"), "{hint}");
    assert!(!hint.contains("rewrites it"), "{hint}");
    t.write("b/.go-version", "junk\n");
    assert!(t
        .err("b")
        .hint()
        .unwrap()
        .contains("`gover use VERSION` rewrites it"));
    t.global("junk\n");
    let e = t.err("c");
    assert_eq!(
        e.to_string().split(':').next().unwrap(),
        t.home.version_file().to_str().unwrap()
    );
    assert!(
        e.hint()
            .unwrap()
            .contains("`gover use --global VERSION` rewrites it"),
        "{:?}",
        e.hint()
    );
}

#[test]
fn spaces_unicode_and_symlinks() {
    let t = Tree::new();
    let pin = t.write("My Projects/ünï cødé/.go-version", "go1.22.10 # team\n");
    t.write("My Projects/ünï cødé/a b/c/.keep", "");
    assert_eq!(
        t.current("My Projects/ünï cødé/a b/c").1,
        PinSource::GoVersionFile(pin)
    );
    // A symlinked directory resolves along the path it was entered by.
    let link_parent = t.write("linked/.go-version", "1.21.13\n");
    std::os::unix::fs::symlink(
        t.root.join("My Projects/ünï cødé/a b"),
        t.root.join("linked/ab"),
    )
    .unwrap();
    let mut ctx = t.ctx("linked");
    ctx.dir = t.root.join("linked/ab/c");
    // Walking up the logical path (as typed, like Go's os.Getwd) reaches
    // linked/.go-version, not the pin beside the symlink's target.
    assert_eq!(
        t.current_ctx(ctx),
        (
            "go1.21.13".into(),
            PinSource::GoVersionFile(link_parent),
            false
        )
    );
}

#[test]
fn no_pin_says_what_was_searched() {
    let t = Tree::new();
    let e = t.err("empty/dir");
    let msg = e.to_string();
    assert!(msg.contains("no Go version is pinned for"), "{msg}");
    assert!(msg.contains("GOVER_GO_VERSION"), "{msg}");
    assert!(
        msg.contains(&t.home.version_file().display().to_string()),
        "{msg}"
    );
    assert!(e.hint().unwrap().contains("gover use --global 1.22"));
}

#[test]
fn bad_pin_files_name_the_file_and_text() {
    let t = Tree::new();
    let gv = t.write("garbage/.go-version", "banana\n");
    let e = t.err("garbage");
    assert!(matches!(&e, ResolveError::PinFile { path, .. } if path == &gv));
    assert!(e.to_string().contains("`banana`"), "{e}");

    t.write("huge/.go-version", &"1.22.10\n".repeat(20_000));
    assert!(t.err("huge").to_string().contains("bytes"));

    t.dir("dir/.go-version");
    assert!(t.err("dir").to_string().contains("is a directory"));

    fs::write(t.root.join("bin.go-version"), [0xffu8, 0xfe, 0x00]).unwrap();
    t.dir("binary");
    fs::rename(
        t.root.join("bin.go-version"),
        t.root.join("binary/.go-version"),
    )
    .unwrap();
    assert!(t.err("binary").to_string().contains("not UTF-8"));

    t.write("empty/.go-version", "# nothing\n\n");
    assert!(t.err("empty").to_string().contains("holds no version"));

    t.write("tv/.tool-versions", "golang\n");
    assert!(t.err("tv").to_string().contains("names no version"));

    t.write("mod/go.mod", "module m\ngo 1.22.0\ntoolchain bigcorp\n");
    let e = t.err("mod");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:3: invalid toolchain `bigcorp`: must be `default` or a toolchain name such as go1.23.0",
            t.root.join("mod/go.mod").display()
        )
    );

    t.global("not-a-version");
    let e = t.err("nothing-here");
    assert!(e.to_string().contains("version: invalid Go version"), "{e}");
}

#[test]
fn unreadable_pin_file() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    let p = t.write("locked/.go-version", "1.22.10\n");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&p).is_ok() {
        // Running as root: permissions do not apply, nothing to test.
        eprintln!("skipped: running as root");
        return;
    }
    assert!(t.err("locked").to_string().contains("permission denied"));
}

#[test]
fn system_and_unresolved_lines() {
    let t = Tree::new();
    t.write("s/.go-version", "system\n");
    assert_eq!(
        t.current("s"),
        (
            "system".into(),
            PinSource::GoVersionFile(t.root.join("s/.go-version")),
            false
        )
    );
    t.write("l/.go-version", "1.23\n");
    t.install(&["go1.22.10"]);
    let r = resolve(&t.ctx("l")).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.version.is_none(), r.installed),
        ("go1.23.x", true, false)
    );
}

#[test]
fn latest_with_nothing_installed_reads_as_the_word() {
    let t = Tree::new();
    t.write("n/.go-version", "latest\n");
    let r = resolve(&t.ctx("n")).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.version.is_none(), r.installed),
        ("latest", true, false)
    );
    // Once something is installed, `latest` is the newest installed release.
    t.install(&["go1.21.13", "go1.22.10"]);
    let r = resolve(&t.ctx("n")).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.installed),
        ("go1.22.10", true)
    );
}

#[test]
fn trace_lists_every_rule() {
    let t = Tree::new();
    t.write("a/go.mod", "module a\ngo 1.22.0\n");
    t.write("a/b/c/.keep", "");
    let r = resolve(&t.ctx("a/b/c")).unwrap();
    let joined = r.trace.join("\n");
    assert!(joined.contains("GOVER_GO_VERSION: not set"), "{joined}");
    assert!(joined.contains("a/b/c/.go-version: not found"), "{joined}");
    assert!(
        joined.contains("a/go.mod: go 1.22.0, toolchain (none)"),
        "{joined}"
    );
}

#[test]
fn broken_go_mod_is_reported_not_fatal_when_a_pin_file_decides() {
    let t = Tree::new();
    t.install(&["go1.22.10"]);
    t.write("p/.go-version", "1.22\n");
    let gomod = t.write("p/go.mod", "module m\ngo 1.22.0\ntoolchain bigcorp\n");
    let r = resolve(&t.ctx("p")).unwrap();
    assert_eq!(r.display_name(), "go1.22.10");
    assert!(r.project.is_none());
    let e = r.project_error.expect("the go.mod error is reported");
    assert!(e.starts_with(&format!("{}:3:", gomod.display())), "{e}");
    // The shim's context (want_project off) never reads it at all.
    let mut ctx = t.ctx("p");
    ctx.want_project = false;
    assert!(resolve(&ctx).unwrap().project_error.is_none());
    // Without the pin file the go.mod decides: an error.
    fs::remove_file(t.root.join("p/.go-version")).unwrap();
    assert!(matches!(t.err("p"), ResolveError::ProjectFile(_)));
}

/// The go line is compared as written (docs/internals/go-rules.md, "Language
/// versions"). `go 1.22` is a language
/// version, below every 1.22 pre-release, so go1.22rc1 satisfies it (from a
/// toolchain line, the global default or a pin file); `go 1.22.0` excludes it.
#[test]
fn go_language_line_admits_its_release_candidates() {
    let t = Tree::new();
    let m = t.write("m/go.mod", "module m\ngo 1.22\ntoolchain go1.22rc1\n");
    assert_eq!(
        t.current("m"),
        (
            "go1.22rc1".into(),
            PinSource::ProjectToolchain(m.clone(), gover_core::pinfile::ProjectKind::GoMod),
            false
        ),
        "Go runs the toolchain line: Compare(\"1.22\", \"1.22rc1\") < 0"
    );
    fs::write(&m, "module m\ngo 1.22.0\ntoolchain go1.22rc1\n").unwrap();
    assert_eq!(t.current("m").0, "go1.22.0", "go 1.22.0 excludes go1.22rc1");

    fs::write(&m, "module m\ngo 1.22\n").unwrap();
    t.install(&["go1.22rc1"]);
    t.global("1.22rc1\n");
    let (name, src, _) = t.current("m");
    assert_eq!(name, "go1.22rc1", "the global default satisfies go 1.22");
    assert!(
        matches!(
            src,
            PinSource::ProjectGoLine {
                via_global: Some(_),
                ..
            }
        ),
        "{src:?}"
    );

    // A pin file naming the RC is not older than `go 1.22`.
    t.write("m/.go-version", "1.22rc1\n");
    let r = resolve(&t.ctx("m")).unwrap();
    assert_eq!(r.display_name(), "go1.22rc1");
    assert!(r.older_than_project().is_none(), "go 1.22 admits go1.22rc1");
    fs::write(&m, "module m\ngo 1.22.0\n").unwrap();
    let r = resolve(&t.ctx("m")).unwrap();
    let (_, min) = r
        .older_than_project()
        .expect("go 1.22.0 excludes go1.22rc1");
    assert_eq!(min.toolchain_name(), "go1.22.0");
}

/// The first release of 1.N before 1.21 is named `go1.N` (docs/internals/go-rules.md,
/// "Releases and their names");
/// `1.20.0` (a pin, a `toolchain` line or a `go` line) names it so even
/// before it is installed.
#[test]
fn dot_zero_before_1_21_names_the_release_go1_n() {
    let t = Tree::new();
    t.write("p/.go-version", "1.20.0\n");
    assert_eq!(t.current("p").0, "go1.20");
    t.write("m/go.mod", "module m\ngo 1.20.0\n");
    assert_eq!(t.current("m").0, "go1.20");
    t.write("w/go.work", "go 1.19\ntoolchain go1.20.0\n");
    assert_eq!(t.current("w").0, "go1.20");
    t.write("n/.go-version", "1.21.0\n");
    assert_eq!(t.current("n").0, "go1.21.0");
    t.install(&["go1.20"]);
    assert_eq!(
        t.current("p"),
        (
            "go1.20".into(),
            PinSource::GoVersionFile(t.root.join("p/.go-version")),
            true
        )
    );
}

/// Pin files directly in the temp dir are ignored, as Go ignores a go.mod
/// there: anyone can write them.
#[test]
fn pin_files_in_the_temp_dir_are_ignored() {
    let t = Tree::new();
    t.write("tmp/.go-version", "1.99.0\n");
    t.write("tmp/.tool-versions", "golang 1.98.0\n");
    t.global("1.22.10");
    let mut ctx = t.ctx("tmp/work");
    ctx.temp_dir = Some(t.root.join("tmp"));
    let r = resolve(&ctx).unwrap();
    assert_eq!(r.display_name(), "go1.22.10");
    assert_eq!(r.source, PinSource::Global(t.home.version_file()));
    assert!(
        r.trace.iter().any(|l| l.ends_with(
            "/tmp: pin files ignored, it is the temp dir (as Go ignores a go.mod there)"
        )),
        "{:?}",
        r.trace
    );
    // Below it, in a directory of one's own, they count.
    t.write("tmp/work/.go-version", "1.21.13\n");
    let mut ctx = t.ctx("tmp/work");
    ctx.temp_dir = Some(t.root.join("tmp"));
    assert_eq!(t.current_ctx(ctx).0, "go1.21.13");
}

/// A pin file another user (not root) owns in a world-writable directory
/// is ignored with a warning: in a shared directory it may be planted.
#[cfg(unix)]
#[test]
fn pin_files_other_users_planted_in_shared_directories_are_ignored() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let me = gover_core::fs::effective_uid();
    let other = if me == 65534 { 65533 } else { 65534 };
    let t = Tree::new();
    t.global("1.22.10");
    let shared = t.dir("shared");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let planted = t.write("shared/.tool-versions", "golang 1.99.0\n");
    if chown(&planted, Some(other), None).is_err() {
        eprintln!("note: cannot give a file to another user here (not root); skipping");
        return;
    }
    let r = resolve(&t.ctx("shared/work")).unwrap();
    assert_eq!(r.display_name(), "go1.22.10");
    assert_eq!(
        r.warnings,
        [format!(
            "ignoring {}: it belongs to another user (uid {other}) and lies in a directory anyone can write to, so it is no evidence of the Go you want",
            planted.display()
        )]
    );
    // Root's files, one's own files, and another user's file in a directory
    // that is not world-writable all count.
    chown(&planted, Some(0), None).unwrap();
    let r = resolve(&t.ctx("shared/work")).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.warnings.len()),
        ("go1.99.0", 0)
    );
    chown(&planted, Some(other), None).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).unwrap();
    let r = resolve(&t.ctx("shared/work")).unwrap();
    assert_eq!(
        (r.display_name().as_str(), r.warnings.len()),
        ("go1.99.0", 0)
    );
}

/// `ctx` with Go's `name` set to `value` in the environment.
fn with_go(mut ctx: ResolveContext, name: &str, value: &str) -> ResolveContext {
    let v = Some(env_value(value));
    match name {
        "GOTOOLCHAIN" => ctx.go.gotoolchain = v,
        "GOWORK" => ctx.go.gowork = v,
        "GO111MODULE" => ctx.go.go111module = v,
        other => panic!("{other}"),
    }
    ctx
}

#[test]
fn a_toolchain_line_is_a_minimum_and_default_keeps_the_default() {
    let t = Tree::new();
    t.write("m/go.mod", "module m\ngo 1.22.0\ntoolchain go1.23.4\n");
    t.global("1.25.5\n");
    assert_eq!(t.current("m").0, "go1.25.5", "a newer default runs");
    t.global("1.21.13\n");
    let (name, src, _) = t.current("m");
    assert_eq!((name.as_str(), src.kind()), ("go1.23.4", "toolchain-line"));
    // Older than the go line: the go line decides.
    t.write("m/go.mod", "module m\ngo 1.23.4\ntoolchain go1.22.0\n");
    assert_eq!(t.current("m").0, "go1.23.4");
    // `toolchain default`: the default, whatever the go line says.
    t.write("m/go.mod", "module m\ngo 1.25.0\ntoolchain default\n");
    assert_eq!(t.current("m").0, "go1.21.13");
    // A language version as a toolchain: Go's own error, when it is chosen.
    t.write("m/go.mod", "module m\ngo 1.21.0\ntoolchain go1.22\n");
    let e = t.err("m").to_string();
    assert!(
        e.contains("go1.22 is a language version but not a toolchain version"),
        "{e}"
    );
    t.write("m/go.mod", "module m\ngo 1.22.0\ntoolchain go1.22\n");
    assert_eq!(t.current("m").0, "go1.22.0", "the go line raises past it");
}

#[test]
fn gotoolchain_decides_as_for_go() {
    let t = Tree::new();
    t.write("m/go.mod", "module m\ngo 1.23.4\n");
    t.write("m/.go-version", "1.22.10\n");
    let ctx = |v: &str| with_go(t.ctx("m"), "GOTOOLCHAIN", v);
    let name = |v: &str| resolve(&ctx(v)).unwrap().display_name();
    assert_eq!(
        t.current("m").0,
        "go1.22.10",
        "no GOTOOLCHAIN: the pin, as local"
    );
    assert_eq!(name("local"), "go1.22.10");
    assert_eq!(name("auto"), "go1.23.4", "the pin, raised by the go line");
    assert_eq!(name("path"), "go1.23.4");
    assert_eq!(name("go1.21.13"), "go1.21.13");
    assert_eq!(name("go1.21.13+path"), "go1.23.4");
    assert_eq!(name("go1.27.3+auto"), "go1.27.3");
    assert_eq!(name("local+auto"), "go1.23.4");
    // An exact name reads no pin at all, not even a broken one.
    t.write("m/.go-version", "banana\n");
    let mut c = ctx("go1.21.13");
    c.want_project = false;
    assert_eq!(resolve(&c).unwrap().display_name(), "go1.21.13");
    for bad in ["bogus", "go1.22.10+download", "go1.22/../x+auto", "+path"] {
        let e = resolve(&ctx(bad)).unwrap_err();
        assert!(matches!(e, ResolveError::GoToolchain { .. }), "{bad}: {e}");
    }
    // `local` with nothing pinned: the project decides (deliberate).
    fs::remove_file(t.root.join("m/.go-version")).unwrap();
    assert_eq!(name("local"), "go1.23.4");
}

#[test]
fn gopath_mode_never_switches() {
    let t = Tree::new();
    t.write("m/go.mod", "module m\ngo 1.23.4\n");
    t.global("1.21.13\n");
    let ctx = |v: &str| with_go(t.ctx("m"), "GO111MODULE", v);
    for off in ["off", "bogus"] {
        let r = resolve(&ctx(off)).unwrap();
        assert_eq!(r.display_name(), "go1.21.13", "{off}");
        assert!(r.notes[0].contains("outside module mode"), "{:?}", r.notes);
    }
    assert_eq!(resolve(&ctx("on")).unwrap().display_name(), "go1.23.4");
    assert_eq!(resolve(&ctx("auto")).unwrap().display_name(), "go1.23.4");
    t.dir("elsewhere");
    let mut c = with_go(t.ctx("elsewhere"), "GO111MODULE", "off");
    c = with_go(c, "GOTOOLCHAIN", "go1.27.3");
    assert_eq!(
        resolve(&c).unwrap().display_name(),
        "go1.21.13",
        "GOTOOLCHAIN is not even read"
    );
}

#[test]
fn gowork_naming_a_directory_is_an_error_as_in_go() {
    let t = Tree::new();
    t.write("m/go.mod", "module m\ngo 1.23.4\n");
    let d = t.dir("other");
    let ctx = with_go(t.ctx("m"), "GOWORK", d.to_str().unwrap());
    let e = resolve(&ctx).unwrap_err().to_string();
    assert!(e.contains("is a directory"), "{e}");
}

#[test]
fn a_custom_toolchain_is_found_linked_or_on_path() {
    let t = Tree::new();
    t.write(
        "m/go.mod",
        "module m\ngo 1.22.0\ntoolchain go1.22.10-bigcorp\n",
    );
    t.install(&["go1.22.10"]);
    let r = resolve(&t.ctx("m")).unwrap();
    assert_eq!(r.display_name(), "go1.22.10-bigcorp");
    assert!(!r.installed, "the stock go1.22.10 does not count");
    assert_eq!(r.version, None);
    let bin = t.dir("vendor/bin");
    let exe = bin.join("go1.22.10-bigcorp");
    fs::write(&exe, "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    let mut ctx = t.ctx("m");
    ctx.path = Some(bin.into_os_string());
    let r = resolve(&ctx).unwrap();
    assert!(r.installed);
    assert_eq!(r.toolchain_name().as_deref(), Some("go1.22.10-bigcorp"));
}

#[test]
fn a_named_minimum_gets_exactly_the_go_line_release() {
    // The toolchain started with GOTOOLCHAIN=go1.21.13+auto redoes Go's
    // choice from go1.21.13: a newer installed patch would make it switch
    // (and download) again, so gover does not substitute one.
    let t = Tree::new();
    t.write("m/go.mod", "module m\ngo 1.22.0\n");
    t.install(&["go1.22.10"]);
    let name = |v: &str| {
        resolve(&with_go(t.ctx("m"), "GOTOOLCHAIN", v))
            .unwrap()
            .display_name()
    };
    assert_eq!(name("auto"), "go1.22.10", "the newest installed patch");
    assert_eq!(name("go1.21.13+auto"), "go1.22.0");
    assert_eq!(name("go1.21.13+path"), "go1.22.0");
    // It replaces the local toolchain: no pin is read, not even a broken one.
    t.write(
        "m/.go-version",
        "banana
",
    );
    let mut ctx = with_go(t.ctx("m"), "GOTOOLCHAIN", "go1.21.13+auto");
    ctx.want_project = false;
    assert_eq!(resolve(&ctx).unwrap().display_name(), "go1.22.0");
}
