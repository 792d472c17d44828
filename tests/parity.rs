//! The differential test of toolchain selection: real Go is the oracle.
//!
//! For every layout (go.mod/go.work files, pin files, Go's env file, the
//! environment, the working directory) under each of three global defaults
//! (none, older than the projects, newer than them), the suite asks real Go
//! which toolchain it runs, then asks gover twice, `gover current --json`
//! and gover's `go` shim, and compares.
//!
//! # How Go's choice is observed
//!
//! Go 1.27.3 (the newest release, the reference) and Go 1.21.13 (the first
//! line with toolchain switching, shown for contrast) run `go version` with
//! a `GOTOOLCHAIN` that makes gover's situation Go's own: Go execs the
//! toolchain it selects from `PATH`, where only stand-ins are found
//! (`go1.22.10`, `go1.22.10-bigcorp`, ... printing `go version <name>
//! stand-in`), so nothing is downloaded and the printed name is Go's choice.
//! `GOPROXY=off` makes any download attempt fail instead of reaching the
//! network.
//!
//! The mapping from a case to Go's `GOTOOLCHAIN`:
//!
//! - gover's *local toolchain* `L` is what runs when no go.mod/go.work is
//!   consulted: the explicit pin (`GOVER_GO_VERSION`, else the nearest
//!   `.go-version`/`.tool-versions`) as `go<pin>`, else the global default,
//!   else the sentinel `go1.0`, a minimum below every go line that stands
//!   for "no local toolchain" (see [`NO_PIN_IS_AN_ERROR`]);
//! - no user `GOTOOLCHAIN` (neither in the environment nor in Go's env
//!   file): `L+path`, which is Go's default `auto` with `L` as the default
//!   toolchain (see [`AUTO_AS_PATH`]); with an explicit pin, exactly `L`
//!   (see [`PIN_BEATS_PROJECT`]);
//! - a user's `GOTOOLCHAIN`: `local` is `L`, `path` and `auto` are
//!   `L+path`, `<name>+auto` is `<name>+path`, anything else is given as is
//!   (the shim passes a user's `GOTOOLCHAIN` on to Go, so the toolchain Go
//!   finally runs is what Go decides with `L` as its local toolchain).
//!
//! Go's answer is read as:
//!
//! - a stand-in's line: that toolchain (the sentinel: "nothing pinned");
//! - Go's own `go version` line: either Go did not select at all (modules
//!   are off: `GO111MODULE=off`, or `auto` outside a module), and then the
//!   real-world Go is the local toolchain `L`; or it selected itself. A
//!   probe with `GOTOOLCHAIN=bogus` tells the two apart: only a selecting
//!   Go rejects it;
//! - an error: Go stops (`GOWORK` names a directory, an invalid toolchain
//!   line, a language version as a toolchain); gover must stop too.
//!
//! # How gover's choice is observed
//!
//! Each case gets a throwaway `GOVER_HOME` holding fake toolchains
//! (`tests/support`, whose `go version` reports their own version) for
//! every version involved: gover's local toolchain, the user's
//! `GOTOOLCHAIN`, every go and toolchain line of the layout, and Go's
//! choice (the stock release of a custom name such as `go1.22.10-bigcorp`,
//! which must still not run in its place). `gover current --json` reports
//! `version`; the shim runs `go version`, reaching the fake (or a stand-in
//! on `PATH`), which prints what really ran. Automatic installs are off and
//! the mirror is a closed loopback port: nothing leaves the machine.
//!
//! # What the suite asserts
//!
//! gover's two answers must equal Go 1.27.3's, after the deliberate
//! differences ([`DELIBERATE`], each with its reason), except the cases of
//! [`KNOWN_DISAGREEMENTS`], which must still disagree (a case that starts to
//! agree must leave the list). Go 1.21.13 must differ from Go 1.27.3 exactly
//! where [`OLD_GO_DIFFERS`] says. The whole table is written to
//! `parity.md` under Cargo's test scratch directory and its disagreements
//! printed.
//!
//! Needs the archives of go1.27.3 and go1.21.13 from
//! `scripts/real-go-archives --oracle` in `$GOVER_REAL_GO_DIR` (default
//! `~/.cache/gover-real-go`); `scripts/test` builds them and sets
//! `GOVER_REQUIRE_REAL_GO`, which turns their absence into a failure.

use crate::support;

use std::collections::{BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use support::oracle::{self, Observation, RealGo};
use support::{run, TestEnv};

/// The reference Go: gover must choose what it chooses.
const NEW_GO: &str = "1.27.3";
/// The older Go whose choices are shown for contrast.
const OLD_GO: &str = "1.21.13";

/// Go's minimum standing for "no local toolchain": below every go line.
const SENTINEL: &str = "go1.0";

/// Every toolchain Go may exec in this suite. A language version such as
/// `go1.22` is deliberately absent: it is not a toolchain.
const STAND_INS: &[&str] = &[
    SENTINEL,
    "go1.15",
    "go1.16",
    "go1.20",
    "go1.21rc2",
    "go1.21.0",
    "go1.21.13",
    "go1.22.0",
    "go1.22.10",
    "go1.22.10-bigcorp",
    "go1.23.0",
    "go1.23.4",
    "go1.25.5",
    "go1.25.5-bigcorp",
    "go1.27.3",
];

/// gover's global default in a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GlobalDefault {
    None,
    Older,
    Newer,
}

const DEFAULTS: [GlobalDefault; 3] = [
    GlobalDefault::None,
    GlobalDefault::Older,
    GlobalDefault::Newer,
];

impl GlobalDefault {
    fn version(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Older => Some("1.21.13"),
            Self::Newer => Some("1.25.5"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Older => "older",
            Self::Newer => "newer",
        }
    }
}

/// One synthetic layout: files (paths relative to the case root, where
/// `project/`, `home/` (HOME) and `tmp/` (TMPDIR) are; a path ending in
/// `/` is a directory), the working
/// directory, extra environment and extra installed toolchains. `{root}` in
/// file contents and variable values is the case root.
#[derive(Clone, Copy)]
struct Layout {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    cwd: &'static str,
    env: &'static [(&'static str, &'static str)],
    extra: &'static [&'static str],
}

impl Layout {
    /// A layout of `files`, run in `project/`.
    const fn new(name: &'static str, files: &'static [(&'static str, &'static str)]) -> Self {
        Self {
            name,
            files,
            cwd: "project",
            env: &[],
            extra: &[],
        }
    }

    const fn env(self, env: &'static [(&'static str, &'static str)]) -> Self {
        Self { env, ..self }
    }

    const fn cwd(self, cwd: &'static str) -> Self {
        Self { cwd, ..self }
    }

    const fn extra(self, extra: &'static [&'static str]) -> Self {
        Self { extra, ..self }
    }
}

const MOD_1_23_4: (&str, &str) = ("project/go.mod", "module example.com/m\n\ngo 1.23.4\n");
const MOD_1_22_0: (&str, &str) = ("project/go.mod", "module example.com/m\n\ngo 1.22.0\n");
const MOD_1_21_0: (&str, &str) = ("project/go.mod", "module example.com/m\n\ngo 1.21.0\n");
const MOD_TC_NEWER: (&str, &str) = (
    "project/go.mod",
    "module m\ngo 1.22.0\ntoolchain go1.23.4\n",
);
const WORK_1_22_0: (&str, &str) = ("go.work", "go 1.22.0\n\nuse ./project\n");
const OTHER_WORK: (&str, &str) = ("other/go.work", "go 1.23.4\n\nuse ../project\n");
const TMP_MOD: (&str, &str) = ("tmp/go.mod", "module t\ngo 1.23.4\n");
const PIN_1_22_10: (&str, &str) = ("project/.go-version", "1.22.10\n");

/// The layouts, by area: go.mod lines, toolchain lines, go.work, GOWORK,
/// GO111MODULE, nested modules, TMPDIR, pin files, user GOTOOLCHAIN.
const LAYOUTS: &[Layout] = &[
    // go.mod and its go line.
    Layout::new("no-project-file", &[]),
    Layout::new("mod-go-1.22.0", &[MOD_1_22_0]),
    Layout::new("mod-go-1.23.4", &[MOD_1_23_4]),
    Layout::new(
        "mod-go-lang-1.22",
        &[("project/go.mod", "module m\ngo 1.22\n")],
    ),
    Layout::new(
        "mod-go-lang-1.20",
        &[("project/go.mod", "module m\ngo 1.20\n")],
    ),
    Layout::new(
        "mod-go-lang-1.16",
        &[("project/go.mod", "module m\ngo 1.16\n")],
    ),
    Layout::new("mod-no-go-line", &[("project/go.mod", "module m\n")]),
    Layout::new("mod-go-rc", &[("project/go.mod", "module m\ngo 1.21rc2\n")]),
    Layout::new(
        "mod-go-patch-rc",
        &[("project/go.mod", "module m\ngo 1.21.0rc1\n")],
    ),
    Layout::new(
        "mod-go-1.22.x",
        &[("project/go.mod", "module m\ngo 1.22.x\n")],
    ),
    Layout::new("mod-go-1", &[("project/go.mod", "module m\ngo 1\n")]),
    Layout::new(
        "mod-go-tabs-comment",
        &[("project/go.mod", "module m\n\n\t go\t1.23.4 // new\n")],
    ),
    Layout::new(
        "mod-go-crlf",
        &[("project/go.mod", "module m\r\ngo 1.23.4\r\n")],
    ),
    Layout::new(
        "mod-two-go-lines",
        &[("project/go.mod", "module m\ngo 1.22.0\ngo 1.23.4\n")],
    ),
    Layout::new(
        "mod-go-quoted",
        &[("project/go.mod", "module m\ngo \"1.23.4\"\n")],
    ),
    Layout::new(
        "mod-go-bom-first-line",
        &[("project/go.mod", "\u{feff}go 1.23.4\nmodule m\n")],
    ),
    Layout::new(
        "mod-is-a-directory",
        &[("go.mod", "module o\ngo 1.23.4\n"), ("project/go.mod/", "")],
    ),
    Layout::new("work-is-a-directory", &[("go.work/", ""), MOD_1_23_4]),
    Layout::new("mod-go-newer-patch-installed", &[MOD_1_22_0]).extra(&["1.22.10"]),
    // toolchain lines.
    Layout::new("mod-tc-newer", &[MOD_TC_NEWER]),
    Layout::new(
        "mod-tc-older",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.10\ntoolchain go1.22.0\n",
        )],
    ),
    Layout::new(
        "mod-tc-equal",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.10\ntoolchain go1.22.10\n",
        )],
    ),
    Layout::new(
        "mod-tc-equals-newer-default",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.0\ntoolchain go1.25.5\n",
        )],
    ),
    Layout::new(
        "mod-tc-newest",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.0\ntoolchain go1.27.3\n",
        )],
    ),
    Layout::new(
        "mod-tc-only",
        &[("project/go.mod", "module m\ntoolchain go1.23.4\n")],
    ),
    Layout::new(
        "mod-tc-default",
        &[("project/go.mod", "module m\ngo 1.22.0\ntoolchain default\n")],
    ),
    Layout::new(
        "mod-tc-default-go-newer",
        &[("project/go.mod", "module m\ngo 1.23.4\ntoolchain default\n")],
    ),
    Layout::new(
        "mod-tc-custom",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.0\ntoolchain go1.22.10-bigcorp\n",
        )],
    ),
    Layout::new(
        "mod-tc-custom-equals-default",
        &[(
            "project/go.mod",
            "module m\ngo 1.21.0\ntoolchain go1.25.5-bigcorp\n",
        )],
    ),
    Layout::new(
        "mod-tc-lang",
        &[("project/go.mod", "module m\ngo 1.21.0\ntoolchain go1.22\n")],
    ),
    Layout::new(
        "mod-tc-lang-below-go-line",
        &[("project/go.mod", "module m\ngo 1.22.0\ntoolchain go1.22\n")],
    ),
    Layout::new(
        "mod-tc-invalid",
        &[("project/go.mod", "module m\ngo 1.22.0\ntoolchain bigcorp\n")],
    ),
    Layout::new(
        "mod-tc-go1-custom",
        &[(
            "project/go.mod",
            "module m\ngo 1.22.0\ntoolchain go1-bigcorp\n",
        )],
    ),
    Layout::new(
        "mod-tc-rc-older",
        &[(
            "project/go.mod",
            "module m\ngo 1.21.0\ntoolchain go1.21rc2\n",
        )],
    ),
    // go.work.
    Layout::new("work-only", &[("project/go.work", "go 1.23.4\n")]),
    Layout::new("work-over-mod", &[WORK_1_22_0, MOD_1_23_4]),
    Layout::new(
        "work-far-above-mod",
        &[WORK_1_22_0, ("project/a/b/go.mod", "module m\ngo 1.23.4\n")],
    )
    .cwd("project/a/b"),
    Layout::new(
        "work-tc-newer",
        &[
            ("project/go.work", "go 1.22.0\ntoolchain go1.23.4\n"),
            MOD_1_22_0,
        ],
    ),
    Layout::new(
        "work-tc-default",
        &[
            ("project/go.work", "go 1.22.0\ntoolchain default\n"),
            MOD_TC_NEWER,
        ],
    ),
    Layout::new(
        "work-no-go-line",
        &[("project/go.work", "use .\n"), MOD_1_23_4],
    ),
    Layout::new(
        "work-tc-custom",
        &[
            (
                "project/go.work",
                "go 1.22.0\ntoolchain go1.22.10-bigcorp\n",
            ),
            MOD_TC_NEWER,
        ],
    ),
    Layout::new("work-go-lang", &[("project/go.work", "go 1.23\n")]),
    // GOWORK, in the environment and in Go's env file.
    Layout::new("gowork-off", &[WORK_1_22_0, MOD_1_23_4]).env(&[("GOWORK", "off")]),
    Layout::new(
        "gowork-off-in-goenv",
        &[WORK_1_22_0, MOD_1_23_4, ("goenv", "GOWORK=off\n")],
    )
    .env(&[("GOENV", "{root}/goenv")]),
    Layout::new(
        "gowork-off-in-default-env-file",
        &[
            WORK_1_22_0,
            MOD_1_23_4,
            ("home/.config/go/env", "GOWORK=off\n"),
        ],
    ),
    Layout::new(
        "gowork-off-in-xdg-env-file",
        &[WORK_1_22_0, MOD_1_23_4, ("xdg/go/env", "GOWORK=off\n")],
    )
    .env(&[("XDG_CONFIG_HOME", "{root}/xdg")]),
    Layout::new(
        "gowork-env-beats-goenv",
        &[WORK_1_22_0, MOD_1_23_4, ("goenv", "GOWORK=off\n")],
    )
    .env(&[("GOENV", "{root}/goenv"), ("GOWORK", "auto")]),
    Layout::new(
        "gowork-goenv-off-ignores-env-file",
        &[
            WORK_1_22_0,
            MOD_1_23_4,
            ("home/.config/go/env", "GOWORK=off\n"),
        ],
    )
    .env(&[("GOENV", "off")]),
    Layout::new("gowork-absolute", &[WORK_1_22_0, MOD_1_21_0, OTHER_WORK])
        .env(&[("GOWORK", "{root}/other/go.work")]),
    Layout::new(
        "gowork-absolute-in-goenv",
        &[
            WORK_1_22_0,
            MOD_1_21_0,
            OTHER_WORK,
            ("goenv", "GOWORK={root}/other/go.work\n"),
        ],
    )
    .env(&[("GOENV", "{root}/goenv")]),
    Layout::new("gowork-absolute-missing", &[WORK_1_22_0, MOD_1_23_4])
        .env(&[("GOWORK", "{root}/nowhere/go.work")]),
    Layout::new("gowork-directory", &[WORK_1_22_0, MOD_1_23_4, OTHER_WORK])
        .env(&[("GOWORK", "{root}/other")]),
    Layout::new("gowork-relative", &[WORK_1_22_0, MOD_1_23_4, OTHER_WORK])
        .env(&[("GOWORK", "other/go.work")]),
    Layout::new("gowork-empty", &[WORK_1_22_0, MOD_1_23_4]).env(&[("GOWORK", "")]),
    // GO111MODULE, in the environment and in Go's env file.
    Layout::new("go111module-off", &[MOD_1_23_4]).env(&[("GO111MODULE", "off")]),
    Layout::new(
        "go111module-off-in-goenv",
        &[MOD_1_23_4, ("goenv", "GO111MODULE=off\n")],
    )
    .env(&[("GOENV", "{root}/goenv")]),
    Layout::new(
        "go111module-off-in-default-env-file",
        &[MOD_1_23_4, ("home/.config/go/env", "GO111MODULE=off\n")],
    ),
    Layout::new("go111module-off-with-gotoolchain", &[MOD_1_23_4])
        .env(&[("GO111MODULE", "off"), ("GOTOOLCHAIN", "go1.21.13")]),
    Layout::new("go111module-on", &[MOD_1_23_4]).env(&[("GO111MODULE", "on")]),
    Layout::new("go111module-auto", &[MOD_1_23_4]).env(&[("GO111MODULE", "auto")]),
    Layout::new(
        "go111module-auto-work-only",
        &[("project/go.work", "go 1.23.4\n")],
    )
    .env(&[("GO111MODULE", "auto")]),
    Layout::new("go111module-auto-nothing", &[]).env(&[("GO111MODULE", "auto")]),
    Layout::new("go111module-bogus", &[MOD_1_23_4]).env(&[("GO111MODULE", "bogus")]),
    Layout::new(
        "gowork-crlf-in-goenv",
        &[WORK_1_22_0, MOD_1_23_4, ("goenv", "GOWORK=off\r\n")],
    )
    .env(&[("GOENV", "{root}/goenv")]),
    // Nested modules.
    Layout::new(
        "nested-inner-module",
        &[
            MOD_1_23_4,
            ("project/inner/go.mod", "module inner\ngo 1.22.0\n"),
        ],
    )
    .cwd("project/inner"),
    Layout::new("nested-deep-subdir", &[MOD_1_23_4]).cwd("project/a/b/c"),
    Layout::new(
        "nested-inner-no-go-line",
        &[MOD_1_23_4, ("project/inner/go.mod", "module inner\n")],
    )
    .cwd("project/inner"),
    Layout::new(
        "nested-inner-invalid",
        &[
            MOD_1_23_4,
            ("project/inner/go.mod", "module inner\ngo 1.22.x\n"),
        ],
    )
    .cwd("project/inner"),
    Layout::new(
        "nested-inner-tc-default",
        &[
            MOD_TC_NEWER,
            (
                "project/inner/go.mod",
                "module inner\ngo 1.22.0\ntoolchain default\n",
            ),
        ],
    )
    .cwd("project/inner"),
    // A go.mod directly in TMPDIR.
    Layout::new("tmpdir-go-mod", &[TMP_MOD]).cwd("tmp/sub"),
    Layout::new("tmpdir-go-mod-cwd", &[TMP_MOD]).cwd("tmp"),
    Layout::new(
        "tmpdir-go-mod-hides-outer",
        &[("go.mod", "module o\ngo 1.22.0\n"), TMP_MOD],
    )
    .cwd("tmp/sub"),
    Layout::new("tmpdir-go-mod-under-work", &[WORK_1_22_0, TMP_MOD]).cwd("tmp/sub"),
    Layout::new(
        "tmpdir-child-module",
        &[("tmp/m/go.mod", "module t\ngo 1.23.4\n")],
    )
    .cwd("tmp/m"),
    Layout::new("tmpdir-go-work", &[("tmp/go.work", "go 1.23.4\n")]).cwd("tmp/sub"),
    // Explicit pins.
    Layout::new("pin-go-version", &[MOD_1_23_4, PIN_1_22_10]),
    Layout::new("pin-go-version-line", &[("project/.go-version", "1.22\n")])
        .extra(&["1.22.0", "1.22.10"]),
    Layout::new("pin-go-version-1.20", &[("project/.go-version", "1.20\n")])
        .extra(&["1.20", "1.20.14"]),
    Layout::new("pin-go-version-1.15", &[("project/.go-version", "1.15\n")])
        .extra(&["1.15", "1.15.15"]),
    Layout::new(
        "pin-go-version-patch-rc",
        &[("project/.go-version", "1.21.0rc1\n")],
    ),
    Layout::new(
        "pin-go-version-go-prefix",
        &[("project/.go-version", "go1.22.10\n")],
    ),
    Layout::new(
        "pin-tool-versions",
        &[
            MOD_1_23_4,
            ("project/.tool-versions", "nodejs 20.1.0\ngolang 1.22.10\n"),
        ],
    ),
    Layout::new("pin-env", &[MOD_1_23_4]).env(&[("GOVER_GO_VERSION", "1.21.13")]),
    Layout::new(
        "pin-above-project",
        &[MOD_1_23_4, (".go-version", "1.22.10\n")],
    ),
    Layout::new("pin-with-gotoolchain-path", &[MOD_1_23_4, PIN_1_22_10])
        .env(&[("GOTOOLCHAIN", "path")]),
    Layout::new("pin-with-gotoolchain-local", &[MOD_1_23_4, PIN_1_22_10])
        .env(&[("GOTOOLCHAIN", "local")]),
    Layout::new("pin-with-gotoolchain-exact", &[MOD_1_23_4, PIN_1_22_10])
        .env(&[("GOTOOLCHAIN", "go1.21.13")]),
    // A user's GOTOOLCHAIN, in the environment and in Go's env file.
    Layout::new("gotoolchain-exact", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "go1.21.13")]),
    Layout::new("gotoolchain-exact-no-project", &[]).env(&[("GOTOOLCHAIN", "go1.21.13")]),
    Layout::new("gotoolchain-newest-path", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "go1.27.3+path")]),
    Layout::new("gotoolchain-min-path", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "go1.21.13+path")]),
    Layout::new("gotoolchain-min-auto", &[MOD_TC_NEWER]).env(&[("GOTOOLCHAIN", "go1.21.13+auto")]),
    Layout::new("gotoolchain-local", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "local")]),
    Layout::new("gotoolchain-path", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "path")]),
    Layout::new("gotoolchain-auto", &[MOD_TC_NEWER]).env(&[("GOTOOLCHAIN", "auto")]),
    Layout::new("gotoolchain-local-path", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "local+path")]),
    Layout::new("gotoolchain-custom", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "go1.22.10-bigcorp")]),
    Layout::new(
        "gotoolchain-min-tc-default",
        &[("project/go.mod", "module m\ngo 1.22.0\ntoolchain default\n")],
    )
    .env(&[("GOTOOLCHAIN", "go1.22.10+path")]),
    Layout::new("gotoolchain-invalid", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "bogus")]),
    Layout::new("gotoolchain-bad-suffix", &[MOD_1_23_4])
        .env(&[("GOTOOLCHAIN", "go1.22.10+download")]),
    Layout::new("gotoolchain-empty", &[MOD_1_23_4]).env(&[("GOTOOLCHAIN", "")]),
    Layout::new(
        "gotoolchain-in-goenv",
        &[MOD_1_23_4, ("goenv", "GOTOOLCHAIN=go1.21.13\n")],
    )
    .env(&[("GOENV", "{root}/goenv")]),
    Layout::new(
        "gotoolchain-local-in-default-env-file",
        &[MOD_1_23_4, ("home/.config/go/env", "GOTOOLCHAIN=local\n")],
    ),
    Layout::new(
        "gotoolchain-env-beats-goenv",
        &[MOD_1_23_4, ("goenv", "GOTOOLCHAIN=go1.21.13\n")],
    )
    .env(&[("GOENV", "{root}/goenv"), ("GOTOOLCHAIN", "go1.22.10")]),
];

/// A deliberate difference from Go, and why gover makes it.
struct Deliberate {
    name: &'static str,
    why: &'static str,
}

/// An explicit pin beats go.mod/go.work.
const PIN_BEATS_PROJECT: Deliberate = Deliberate {
    name: "explicit pin",
    why: "an explicit pin (GOVER_GO_VERSION, .go-version, .tool-versions, at any depth) beats go.mod and go.work: \
          the user named the toolchain, and gover runs it with GOTOOLCHAIN=local, so Go is asked to run exactly \
          that toolchain (GOTOOLCHAIN=go<pin>); a user's own GOTOOLCHAIN still applies, with the pin as the local toolchain",
};

/// No local toolchain: gover says nothing is pinned.
const NO_PIN_IS_AN_ERROR: Deliberate = Deliberate {
    name: "no pin",
    why: "where Go would run its own local toolchain and gover has neither a pin nor a global default, gover stops \
          with `no Go version is pinned` and a hint, having no toolchain of its own to fall back on (Go is given the \
          minimum go1.0, below every go line, to mark these cases)",
};

/// `auto` is given to Go as `+path`.
const AUTO_AS_PATH: Deliberate = Deliberate {
    name: "auto as path",
    why: "GOTOOLCHAIN=auto (Go's default) is given to Go as +path: Go would download a missing toolchain from the \
          module proxy where gover installs it from go.dev/dl or its mirror; the toolchain chosen is the same",
};

/// `1.22` in a pin file is a release line.
const LINE_PIN: Deliberate = Deliberate {
    name: "line pin",
    why: "a pin of a release line from Go 1.21 on (`1.22` in .go-version) means the newest 1.22.x installed, as \
          goenv, asdf and mise read it; Go has no such request (GOTOOLCHAIN=go1.22 names a language version, not a \
          toolchain)",
};

/// The newest installed patch of the go line's release line.
const NEWEST_INSTALLED_PATCH: Deliberate = Deliberate {
    name: "newest patch",
    why: "with a newer patch of the go line's release line installed (go1.22.10 for `go 1.22.0`) and no default that \
          satisfies the go line, gover runs it instead of installing exactly go1.22.0: Go accepts any toolchain at or \
          above the go line, and a patch release only fixes bugs",
};

/// `GOTOOLCHAIN=local` with nothing pinned lets the project decide.
const LOCAL_WITHOUT_PIN: Deliberate = Deliberate {
    name: "local without a pin",
    why: "GOTOOLCHAIN=local with no pin and no global default runs what the go.mod/go.work asks for (as GOTOOLCHAIN=auto \
          would): Go runs its own local toolchain, and gover has no other one; CI set-ups that export GOTOOLCHAIN=local \
          rely on it",
};

/// Every deliberate difference: the rules of the mapping, then those that
/// override Go's answer for a layout.
const DELIBERATE: &[&Deliberate] = &[
    &PIN_BEATS_PROJECT,
    &NO_PIN_IS_AN_ERROR,
    &AUTO_AS_PATH,
    &LINE_PIN,
    &NEWEST_INSTALLED_PATCH,
    &LOCAL_WITHOUT_PIN,
];

/// Layouts (and defaults: `*` or a comma-separated list) where gover
/// deliberately chooses otherwise than Go, what it chooses, and the rule.
const OVERRIDES: &[(&str, &str, &str, &Deliberate)] = &[
    ("pin-go-version-line", "*", "go1.22.10", &LINE_PIN),
    (
        "mod-go-newer-patch-installed",
        "none,older",
        "go1.22.10",
        &NEWEST_INSTALLED_PATCH,
    ),
    ("gotoolchain-local", "none", "go1.23.4", &LOCAL_WITHOUT_PIN),
    (
        "gotoolchain-local-in-default-env-file",
        "none",
        "go1.23.4",
        &LOCAL_WITHOUT_PIN,
    ),
];

/// Cases where gover does not choose what Go chooses yet: (layout,
/// defaults, what gover must learn). A case listed here that agrees fails
/// the suite, as does a disagreement not listed. Empty: every remaining
/// difference is deliberate ([`DELIBERATE`]).
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[];

/// Where Go 1.21.13 chooses otherwise than Go 1.27.3: (layout, defaults,
/// why). gover follows Go 1.27.3.
const OLD_GO_DIFFERS: &[(&str, &str, &str)] = &[
    (
        "mod-tc-custom-equals-default",
        "newer",
        "Go 1.21 takes a toolchain line equal to the default (`Compare >= 0`), so go1.25.5-bigcorp replaces go1.25.5; \
         later Go keeps the default, which already satisfies it",
    ),
    (
        "go111module-auto-work-only",
        "none,older",
        "with GO111MODULE=auto, Go 1.21 enables modules only for a go.mod; later Go also for a go.work",
    ),
];

/// Facts of Go's selection the harness must reproduce (case, Go 1.27.3's
/// choice): if the mapping ever breaks, these fail first.
const ANCHORS: &[(&str, &str)] = &[
    ("mod-tc-newer@newer", "go1.25.5"),
    ("mod-tc-newer@older", "go1.23.4"),
    ("mod-tc-default@older", "go1.21.13"),
    ("mod-tc-custom@none", "go1.22.10-bigcorp"),
    ("mod-go-lang-1.22@none", "go1.22.0"),
    ("mod-go-lang-1.20@none", "go1.20"),
    ("mod-go-1.22.x@older", "go1.21.13"),
    ("gowork-off-in-goenv@none", "go1.23.4"),
    ("go111module-off@older", "go1.21.13"),
    ("gotoolchain-exact@newer", "go1.21.13"),
    ("gotoolchain-newest-path@none", "go1.27.3"),
    ("tmpdir-go-mod@newer", "go1.25.5"),
    ("no-project-file@none", "nothing pinned"),
    ("gowork-directory@older", "fails"),
    ("mod-tc-lang@older", "fails"),
];

/// A toolchain choice.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Choice {
    /// This toolchain runs.
    Runs(String),
    /// Nothing is pinned: Go runs its local toolchain, gover has none.
    Nothing,
    /// An error stops everything (the message, for the table).
    Fails(String),
}

impl Choice {
    /// Equal choices; any two failures agree.
    fn agrees(&self, other: &Choice) -> bool {
        match (self, other) {
            (Self::Fails(_), Self::Fails(_)) => true,
            _ => self == other,
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "nothing pinned" => Self::Nothing,
            "fails" => Self::Fails(String::new()),
            name => Self::Runs(name.to_string()),
        }
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Runs(n) => f.write_str(n),
            Self::Nothing => f.write_str("nothing pinned"),
            Self::Fails(m) if m.is_empty() => f.write_str("fails"),
            Self::Fails(m) => {
                let m: String = m.chars().take(90).collect();
                write!(f, "fails: {}", m.replace('|', "/"))
            }
        }
    }
}

/// One row of the table.
struct Row {
    layout: &'static str,
    default: GlobalDefault,
    gotoolchain: String,
    new_go: Choice,
    old_go: Choice,
    expected: Choice,
    rules: Vec<&'static str>,
    current: Choice,
    shim: Choice,
}

impl Row {
    fn agrees(&self) -> bool {
        self.current.agrees(&self.expected) && self.shim.agrees(&self.expected)
    }

    /// `layout@default`.
    fn key(&self) -> String {
        format!("{}@{}", self.layout, self.default.label())
    }

    fn table_line(&self, status: &str) -> String {
        let must = if self.rules.is_empty() {
            self.expected.to_string()
        } else {
            format!("{} ({})", self.expected, self.rules.join(", "))
        };
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {status} |\n",
            self.key(),
            self.gotoolchain,
            self.new_go,
            self.old_go,
            must,
            self.current,
            self.shim
        )
    }
}

/// Shared by every case: the real Gos and the directories of stand-ins and
/// shims.
struct Fixture {
    new_go: RealGo,
    old_go: RealGo,
    stand_ins: PathBuf,
    shims: PathBuf,
    /// Go's observations by (layout, GOTOOLCHAIN, Go version): the same
    /// for every default that maps to the same GOTOOLCHAIN.
    seen: Mutex<HashMap<(&'static str, String, String), Observation>>,
}

#[test]
fn gover_chooses_the_toolchain_go_chooses() {
    let Some(gos) = oracle::real_gos(&[NEW_GO, OLD_GO]) else {
        return;
    };
    let scratch = tempfile::Builder::new()
        .prefix("gover-parity")
        .tempdir()
        .unwrap();
    let fixture = Fixture {
        new_go: gos[0].clone(),
        old_go: gos[1].clone(),
        stand_ins: scratch.path().join("stand-ins"),
        shims: scratch.path().join("shims"),
        seen: Mutex::new(HashMap::new()),
    };
    oracle::write_stand_ins(&fixture.stand_ins, STAND_INS);
    fs::create_dir_all(&fixture.shims).unwrap();
    symlink(support::shim_bin(), fixture.shims.join("go")).unwrap();
    check_lists();

    // Default by default, so that the cases of one layout run apart and
    // reuse Go's observations.
    let cases: Vec<(Layout, GlobalDefault)> = DEFAULTS
        .iter()
        .flat_map(|d| LAYOUTS.iter().map(move |l| (*l, *d)))
        .collect();
    let rows = Mutex::new(Vec::with_capacity(cases.len()));
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((layout, default)) = cases.get(i) else {
                    return;
                };
                let row = run_case(&fixture, layout, *default);
                rows.lock().unwrap().push((i, row));
            });
        }
    });
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|(i, _)| (i % LAYOUTS.len(), i / LAYOUTS.len()));
    let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
    report(&rows);
}

/// The lists name real layouts and defaults, and the suite is as big as promised.
fn check_lists() {
    assert!(LAYOUTS.len() >= 60, "only {} layouts", LAYOUTS.len());
    let mut names = BTreeSet::new();
    for l in LAYOUTS {
        assert!(names.insert(l.name), "layout {} twice", l.name);
    }
    let known = |layout: &str, defaults: &str| {
        assert!(names.contains(layout), "no layout named {layout}");
        assert!(
            defaults == "*"
                || defaults
                    .split(',')
                    .all(|d| DEFAULTS.iter().any(|g| g.label() == d)),
            "{layout}: defaults {defaults:?}"
        );
    };
    for (l, d, _, _) in OVERRIDES {
        known(l, d);
    }
    for (l, d, _) in KNOWN_DISAGREEMENTS.iter().chain(OLD_GO_DIFFERS) {
        known(l, d);
    }
    for (key, _) in ANCHORS {
        let (l, d) = key.split_once('@').unwrap();
        known(l, d);
    }
    assert_eq!(DELIBERATE.len(), 6);
}

/// True when `defaults` (`*` or a list) includes `d`.
fn covers(defaults: &str, d: GlobalDefault) -> bool {
    defaults == "*" || defaults.split(',').any(|x| x == d.label())
}

/// Runs one case: Go twice, then gover twice.
fn run_case(fx: &Fixture, layout: &Layout, default: GlobalDefault) -> Row {
    let mut env = TestEnv::new();
    let root = env.root.clone();
    let subst = |s: &str| s.replace("{root}", &root.display().to_string());
    for (path, text) in layout.files {
        if path.ends_with('/') {
            env.mkdir(path);
        } else {
            env.write(path, &subst(text));
        }
    }
    let cwd = env.mkdir(layout.cwd);
    for (k, v) in layout.env {
        env.set(k, subst(v));
    }
    assert_no_project_files_above(&root);

    let pin = pin_of(layout);
    let local = match (&pin, default.version()) {
        (Some(p), _) => format!("go{}", p.trim_start_matches("go")),
        (None, Some(g)) => format!("go{g}"),
        (None, None) => SENTINEL.to_string(),
    };
    let user = user_gotoolchain(&env);
    let gotoolchain = go_gotoolchain(&local, user.as_deref(), pin.is_some());

    let ask = |go: &RealGo| ask_go(fx, go, layout, &env, &cwd, &gotoolchain, &local);
    let new_go = ask(&fx.new_go);
    let old_go = ask(&fx.old_go);
    let (expected, mut rules) = expect(layout, default, &new_go);
    if pin.is_some() {
        rules.push(PIN_BEATS_PROJECT.name);
    }
    if user
        .as_deref()
        .is_none_or(|u| u == "auto" || u.ends_with("+auto"))
    {
        rules.push(AUTO_AS_PATH.name);
    }

    if let Some(g) = default.version() {
        env.set_global(&format!("{g}\n"));
    }
    for v in involved(layout, &local, user.as_deref(), &new_go) {
        env.install_fake(&v);
    }
    env.path = format!(
        "{}:{}:/usr/bin:/bin",
        fx.shims.display(),
        fx.stand_ins.display()
    );
    env.set("GOVER_AUTO_INSTALL", "0")
        .set("GOVER_OFFLINE", "1")
        .set("GOVER_MIRROR", "http://127.0.0.1:9/")
        .set("GOVER_INDEX_URL", "http://127.0.0.1:9/index.json");
    let current = ask_current(&env, &cwd);
    let shim = ask_shim(fx, &env, &cwd);
    Row {
        layout: layout.name,
        default,
        gotoolchain,
        new_go,
        old_go,
        expected,
        rules,
        current,
        shim,
    }
}

/// A go.mod, go.work or pin file above the case root would change every
/// answer: stop instead of comparing nonsense.
fn assert_no_project_files_above(root: &Path) {
    for dir in root.ancestors().skip(1) {
        for f in ["go.mod", "go.work", ".go-version", ".tool-versions"] {
            assert!(
                !dir.join(f).exists(),
                "{} exists and would be found by every case of this suite; remove it or set TMPDIR elsewhere",
                dir.join(f).display()
            );
        }
    }
}

/// The explicit pin of a layout, as gover's precedence finds it:
/// `GOVER_GO_VERSION`, else the nearest `.go-version` or `.tool-versions`
/// from the working directory up to the case root.
fn pin_of(layout: &Layout) -> Option<String> {
    if let Some((_, v)) = layout.env.iter().find(|(k, _)| *k == "GOVER_GO_VERSION") {
        return Some(v.to_string());
    }
    let file = |p: &str| layout.files.iter().find(|(f, _)| *f == p).map(|(_, t)| *t);
    let mut dir = Some(layout.cwd);
    while let Some(d) = dir {
        let prefix = if d.is_empty() {
            String::new()
        } else {
            format!("{d}/")
        };
        if let Some(t) = file(&format!("{prefix}.go-version")) {
            return t.split_whitespace().next().map(str::to_string);
        }
        if let Some(t) = file(&format!("{prefix}.tool-versions")) {
            let line = t
                .lines()
                .find(|l| l.starts_with("golang ") || l.starts_with("go "));
            if let Some(v) = line.and_then(|l| l.split_whitespace().nth(1)) {
                return Some(v.to_string());
            }
        }
        dir = if d.is_empty() {
            None
        } else {
            Some(d.rsplit_once('/').map_or("", |(p, _)| p))
        };
    }
    None
}

/// The user's GOTOOLCHAIN: the environment's when not empty, else the one
/// in Go's env file (`GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
/// `~/.config/go/env`).
fn user_gotoolchain(env: &TestEnv) -> Option<String> {
    let var = |k: &str| {
        env.vars
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    if let Some(v) = var("GOTOOLCHAIN").filter(|v| !v.is_empty()) {
        return Some(v);
    }
    let file = match var("GOENV") {
        Some(off) if off == "off" => return None,
        Some(f) if !f.is_empty() => PathBuf::from(f),
        _ => var("XDG_CONFIG_HOME")
            .filter(|x| !x.is_empty())
            .map_or_else(|| env.home.join(".config"), PathBuf::from)
            .join("go/env"),
    };
    let text = fs::read_to_string(file).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("GOTOOLCHAIN="))
        .map(str::to_string)
        .filter(|v| !v.is_empty())
}

/// The GOTOOLCHAIN Go is run with (see the module docs).
fn go_gotoolchain(local: &str, user: Option<&str>, pinned: bool) -> String {
    let min = |m: &str| {
        if m == "local" {
            local.to_string()
        } else {
            m.to_string()
        }
    };
    match user {
        None if pinned => local.to_string(),
        None | Some("path" | "auto") => format!("{local}+path"),
        Some("local") => local.to_string(),
        Some(u) => match u.split_once('+') {
            Some((m, "auto" | "path")) => format!("{}+path", min(m)),
            _ => u.to_string(),
        },
    }
}

/// Go's choice: `go version` with the real `go` (observed once per
/// layout and `GOTOOLCHAIN`), read as the module docs say.
fn ask_go(
    fx: &Fixture,
    go: &RealGo,
    layout: &Layout,
    env: &TestEnv,
    cwd: &Path,
    gotoolchain: &str,
    local: &str,
) -> Choice {
    let key = (layout.name, gotoolchain.to_string(), go.version.clone());
    let cached = fx.seen.lock().unwrap().get(&key).cloned();
    let seen = cached.unwrap_or_else(|| {
        let command = || {
            let mut c = env.command(&go.go);
            c.current_dir(cwd)
                .env("PATH", format!("{}:/usr/bin:/bin", fx.stand_ins.display()));
            c
        };
        let seen = oracle::observe(go, command, gotoolchain);
        fx.seen.lock().unwrap().insert(key, seen.clone());
        seen
    });
    let named = |name: &str| {
        if name == SENTINEL {
            Choice::Nothing
        } else {
            Choice::Runs(name.to_string())
        }
    };
    match seen {
        Observation::Execs(name) => named(&name),
        Observation::RunsItself => Choice::Runs(go.name()),
        Observation::DoesNotSelect => named(local),
        Observation::Fails(message) => Choice::Fails(message),
    }
}

/// gover's expected choice: Go 1.27.3's, after the deliberate differences.
fn expect(layout: &Layout, d: GlobalDefault, go: &Choice) -> (Choice, Vec<&'static str>) {
    if let Some((_, _, c, rule)) = OVERRIDES
        .iter()
        .find(|(l, ds, _, _)| *l == layout.name && covers(ds, d))
    {
        return (Choice::parse(c), vec![rule.name]);
    }
    match go {
        Choice::Nothing => (Choice::Nothing, vec![NO_PIN_IS_AN_ERROR.name]),
        other => (other.clone(), Vec::new()),
    }
}

/// The versions to install as fake toolchains: the local toolchain, the
/// user's GOTOOLCHAIN, Go's choice (the stock release for a custom name),
/// the go and toolchain lines of every go.mod/go.work, and the layout's
/// extras. Only names with a stand-in are real releases here.
fn involved(layout: &Layout, local: &str, user: Option<&str>, go: &Choice) -> BTreeSet<String> {
    let mut names = vec![local.to_string()];
    if let Some(u) = user {
        names.push(u.split('+').next().unwrap_or("").to_string());
    }
    if let Choice::Runs(n) = go {
        names.push(n.clone());
    }
    for (path, text) in layout.files {
        if !(path.ends_with("go.mod") || path.ends_with("go.work")) {
            continue;
        }
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match (words.next(), words.next()) {
                (Some("go"), Some(v)) => {
                    let lang = v.split('.').count() == 2
                        && v.chars().all(|c| c.is_ascii_digit() || c == '.');
                    let minor: u32 = v
                        .split('.')
                        .nth(1)
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(0);
                    names.push(if lang && minor >= 21 {
                        format!("go{v}.0")
                    } else {
                        format!("go{v}")
                    });
                }
                (Some("toolchain"), Some(t)) => names.push(t.to_string()),
                _ => {}
            }
        }
    }
    let mut out: BTreeSet<String> = names
        .iter()
        .filter(|n| STAND_INS.contains(&n.as_str()) && *n != SENTINEL)
        .map(|n| {
            n.trim_start_matches("go")
                .split('-')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    out.extend(layout.extra.iter().map(|v| v.to_string()));
    out
}

/// gover's answer from its exit code and stderr: a missing toolchain
/// means gover chose it (every toolchain Go would choose is installed),
/// "no Go version is pinned" is [`Choice::Nothing`], any other error fails.
fn gover_choice(code: i32, stderr: &str, ok: impl FnOnce() -> Choice) -> Choice {
    let first = stderr.lines().next().unwrap_or("");
    let missing = first
        .strip_prefix("gover: error: ")
        .and_then(|m| m.split_once(" is not installed"))
        .map(|(name, _)| name);
    if code == 0 {
        ok()
    } else if let Some(name) = missing {
        Choice::Runs(format!("{name} (not installed)"))
    } else if stderr.contains("no Go version is pinned") {
        Choice::Nothing
    } else {
        Choice::Fails(first.to_string())
    }
}

/// `gover current --json`: its `version`, or the request when it names none.
fn ask_current(env: &TestEnv, cwd: &Path) -> Choice {
    let r = run(env.gover(["current", "--json"]).current_dir(cwd));
    gover_choice(r.code, &r.stderr, || {
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("gover current --json: {e}\n{r}"));
        let name = match v["version"].as_str() {
            Some(name) => name.to_string(),
            None => format!("unresolved {}", v["request"]),
        };
        match v["installed"].as_bool() {
            Some(true) => Choice::Runs(name),
            _ => Choice::Runs(format!("{name} (not installed)")),
        }
    })
}

/// What the shim runs for `go version`.
fn ask_shim(fx: &Fixture, env: &TestEnv, cwd: &Path) -> Choice {
    // The fake toolchains were written a moment ago while other cases fork
    // their commands: a child forked in between holds the script open for
    // writing until it execs, and exec then fails with ETXTBSY. That is
    // this harness's race, not gover's answer: try again.
    let go_version = || {
        run(env
            .command(fx.shims.join("go"))
            .current_dir(cwd)
            .arg("version"))
    };
    let mut r = go_version();
    for _ in 0..5 {
        if !r.stderr.contains("Text file busy") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        r = go_version();
    }
    gover_choice(r.code, &r.stderr, || {
        match oracle::version_line(&r.stdout) {
            Some((name, _)) => Choice::Runs(name),
            None => panic!("the shim ran something unexpected\n{r}"),
        }
    })
}

/// Writes the table, prints the disagreements and checks every list.
fn report(rows: &[Row]) {
    let mut problems = Vec::new();
    let known = check_list(
        "KNOWN_DISAGREEMENTS",
        KNOWN_DISAGREEMENTS,
        rows,
        |r| !r.agrees(),
        |r| {
            format!(
                "Go chooses {}, so gover must choose {}; gover current says {}, the shim runs {}",
                r.new_go, r.expected, r.current, r.shim
            )
        },
        &mut problems,
    );
    check_list(
        "OLD_GO_DIFFERS",
        OLD_GO_DIFFERS,
        rows,
        |r| !r.old_go.agrees(&r.new_go),
        |r| format!("go{OLD_GO} chooses {}, go{NEW_GO} {}", r.old_go, r.new_go),
        &mut problems,
    );
    for (key, want) in ANCHORS {
        let row = rows.iter().find(|r| r.key() == *key).unwrap();
        if !row.new_go.agrees(&Choice::parse(want)) {
            problems.push(format!(
                "{key}: the harness says go{NEW_GO} chooses {}, but it is known to choose {want}",
                row.new_go
            ));
        }
    }

    const HEADER: &str = "| case | GOTOOLCHAIN for Go | go1.27.3 | go1.21.13 | gover must | gover current | shim | status |\n\
                          |---|---|---|---|---|---|---|---|\n";
    let mut table = String::from(HEADER);
    let mut disagreements = String::from(HEADER);
    for (row, known) in rows.iter().zip(&known) {
        let status = match (row.agrees(), known) {
            (true, None) => "agrees".to_string(),
            (false, Some(why)) => format!("known: {why}"),
            _ => "PROBLEM".to_string(),
        };
        let line = row.table_line(&status);
        if !row.agrees() {
            disagreements.push_str(&line);
        }
        table.push_str(&line);
    }
    table.push_str("\nDeliberate differences:\n");
    for d in DELIBERATE {
        let _ = writeln!(table, "- {}: {}", d.name, d.why);
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity.md");
    fs::write(&out, &table).unwrap();
    let agree = rows.iter().filter(|r| r.agrees()).count();
    eprintln!(
        "parity: {} cases ({} layouts x {} defaults), gover agrees with go{NEW_GO} in {agree}; table in {}\n{disagreements}",
        rows.len(),
        LAYOUTS.len(),
        DEFAULTS.len(),
        out.display()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Checks a list of exceptions: a row must differ (by `differs`) exactly
/// when an entry of `list` covers it, and every entry must cover a row.
/// Returns, row by row, the reason of the entry covering it.
fn check_list(
    name: &str,
    list: &'static [(&str, &str, &str)],
    rows: &[Row],
    differs: impl Fn(&Row) -> bool,
    describe: impl Fn(&Row) -> String,
    problems: &mut Vec<String>,
) -> Vec<Option<&'static str>> {
    let mut matched = vec![false; list.len()];
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let entry = list
            .iter()
            .position(|(l, ds, _)| *l == row.layout && covers(ds, row.default));
        let differs = differs(row);
        if let Some(i) = entry {
            matched[i] = true;
        }
        match entry {
            Some(_) if differs => {}
            Some(i) => problems.push(format!(
                "{}: listed in {name} ({}) but no longer differs; remove it from the list",
                row.key(),
                list[i].2
            )),
            None if differs => problems.push(format!(
                "{}: {}; not listed in {name}",
                row.key(),
                describe(row)
            )),
            None => {}
        }
        out.push(entry.map(|i| list[i].2));
    }
    for (i, (l, ds, why)) in list.iter().enumerate() {
        if !matched[i] {
            problems.push(format!("{name} entry {l}@{ds} ({why}) matches no case"));
        }
    }
    out
}

#[test]
fn the_mapping_to_go_is_as_documented() {
    let cases = [
        ("go1.21.13", None, false, "go1.21.13+path"),
        ("go1.22.10", None, true, "go1.22.10"),
        ("go1.21.13", Some("local"), false, "go1.21.13"),
        ("go1.21.13", Some("path"), true, "go1.21.13+path"),
        ("go1.0", Some("auto"), false, "go1.0+path"),
        ("go1.0", Some("local+path"), false, "go1.0+path"),
        ("go1.25.5", Some("go1.21.13+auto"), false, "go1.21.13+path"),
        ("go1.25.5", Some("go1.27.3+path"), false, "go1.27.3+path"),
        ("go1.25.5", Some("go1.21.13"), true, "go1.21.13"),
        (
            "go1.25.5",
            Some("go1.22.10+download"),
            false,
            "go1.22.10+download",
        ),
    ];
    for (local, user, pinned, want) in cases {
        assert_eq!(
            go_gotoolchain(local, user, pinned),
            want,
            "{local} {user:?} {pinned}"
        );
    }
    let layout = |files| Layout::new("t", files).cwd("project/a");
    assert_eq!(pin_of(&layout(&[MOD_1_23_4])), None);
    assert_eq!(
        pin_of(&layout(&[
            (".go-version", "# team\n1.21.13 # why\n"),
            PIN_1_22_10
        ]))
        .as_deref(),
        Some("1.22.10"),
        "the nearest pin file wins"
    );
    assert_eq!(
        pin_of(&layout(&[
            (".go-version", "1.21.13\n"),
            ("project/.tool-versions", "golang 1.22.10\n")
        ]))
        .as_deref(),
        Some("1.22.10")
    );
    assert_eq!(
        pin_of(&layout(&[PIN_1_22_10]).env(&[("GOVER_GO_VERSION", "1.20")])).as_deref(),
        Some("1.20")
    );
    assert_eq!(
        oracle::version_line("go version go1.22.10-bigcorp stand-in\n"),
        Some(("go1.22.10-bigcorp".to_string(), true))
    );
    assert_eq!(
        oracle::version_line("go version go1.27.3 linux/amd64\n"),
        Some(("go1.27.3".to_string(), false))
    );
    assert_eq!(oracle::version_line("fake-go go1.22.10\nGOROOT=/x\n"), None);
    assert!(Choice::Fails("a".into()).agrees(&Choice::Fails("b".into())));
    assert!(!Choice::Nothing.agrees(&Choice::Fails(String::new())));
    assert!(!Choice::Runs("go1.22.10".into()).agrees(&Choice::Runs("go1.22.10-bigcorp".into())));
}
