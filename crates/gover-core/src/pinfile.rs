//! Readers for the files that pin a Go version: `.go-version`,
//! `.tool-versions`, `go.mod` and `go.work`.
//!
//! `go.mod`/`go.work` are read the way the `go` command reads them for
//! toolchain selection (`gover.GoModLookup`): the first line that starts with
//! the keyword followed by a space or tab, the value cut at `//` and trimmed.

use std::fmt;

use std::path::{Path, PathBuf};

use crate::version::GoVersion;

/// The largest pin file gover reads; anything bigger is not a pin file.
pub const MAX_PIN_FILE_BYTES: u64 = 64 * 1024;
/// The largest go.mod/go.work gover reads.
pub const MAX_PROJECT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Strips a UTF-8 byte-order mark.
fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// The lines of a pin file without `#` comments, trimmed, blank ones dropped.
fn meaningful_lines(text: &str) -> impl Iterator<Item = &str> {
    strip_bom(text)
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

/// The version token of a `.go-version` (or global `version`) file: the
/// first word of the first line that is not blank or a `#` comment.
/// `None` when the file holds no version at all.
pub fn parse_go_version_file(text: &str) -> Option<&str> {
    meaningful_lines(text).next()?.split_whitespace().next()
}

/// The 1-based number of the line [`parse_go_version_file`] reads the
/// version from.
pub fn go_version_file_line(text: &str) -> Option<usize> {
    strip_bom(text)
        .lines()
        .position(|l| !l.split('#').next().unwrap_or("").trim().is_empty())
        .map(|n| n + 1)
}

/// True when `text` is a `.go-version` file and nothing more: exactly one
/// meaningful line holding exactly one word, a valid version request. Only
/// such a file may be replaced through a link by `gover use`: a file with
/// anything else in it would lose it.
pub fn is_pin_only(text: &str) -> bool {
    let mut lines = meaningful_lines(text);
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return false;
    };
    let mut words = line.split_whitespace();
    matches!((words.next(), words.next()), (Some(w), None) if crate::request::VersionRequest::parse(w).is_ok())
}

/// The result of looking for Go in a `.tool-versions` file.
#[derive(Debug, PartialEq, Eq)]
pub enum ToolVersionsEntry<'a> {
    /// No `golang` or `go` line: this file does not pin Go.
    Absent,
    /// The first version of the `golang`/`go` line.
    Version(&'a str),
    /// A `golang`/`go` line without a version (1-based line number).
    Empty(usize),
}

/// Finds the `golang` (asdf's plugin name) or `go` (mise's) entry of an
/// asdf `.tool-versions` file and returns its first version.
pub fn parse_tool_versions(text: &str) -> ToolVersionsEntry<'_> {
    match tool_versions_lookup(text) {
        Some((Some(v), _)) => ToolVersionsEntry::Version(v),
        Some((None, n)) => ToolVersionsEntry::Empty(n),
        None => ToolVersionsEntry::Absent,
    }
}

/// The `golang`/`go` entry of a `.tool-versions`: its first version (if
/// any) and its 1-based line number, the one a rewrite may change.
pub fn tool_versions_lookup(text: &str) -> Option<(Option<&str>, usize)> {
    for (n, line) in strip_bom(text).lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        if matches!(words.next(), Some("golang" | "go")) {
            return Some((words.next(), n + 1));
        }
    }
    None
}

/// The value of the first `key` directive in a go.mod/go.work, exactly like
/// Go's `gover.GoModLookup`, plus its 1-based line number.
pub fn gomod_lookup<'a>(text: &'a str, key: &str) -> Option<(&'a str, usize)> {
    for (n, line) in text.split('\n').enumerate() {
        let line = line.trim_matches(|c: char| c.is_ascii_whitespace());
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let value = rest.split("//").next().unwrap_or("");
        return Some((value.trim_matches(|c: char| c.is_ascii_whitespace()), n + 1));
    }
    None
}

/// Which of Go's project files a [`ProjectFile`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectKind {
    /// A module's `go.mod`.
    GoMod,
    /// A workspace's `go.work`.
    GoWork,
}

impl ProjectKind {
    /// `go.mod` or `go.work`.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::GoMod => "go.mod",
            Self::GoWork => "go.work",
        }
    }
}

/// The `toolchain` line of a project file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolchainLine {
    /// `toolchain default`: use the default toolchain.
    Default,
    /// `toolchain go1.22.10` (or `go1.22.10-bigcorp`): the name and its version.
    Name(String, GoVersion),
}

/// The toolchain constraints of a go.mod or go.work, as the `go` command
/// reads them to choose a toolchain (`toolchain.Select`): before the file
/// is parsed properly, so a malformed `go` line does not stop it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFile {
    /// The file.
    pub path: PathBuf,
    /// go.mod or go.work.
    pub kind: ProjectKind,
    /// The `go` line, when Go can compare it (`None` when the file has none,
    /// or one Go's version parser rejects, such as `1.22.x`: Go then compares
    /// it as the lowest version, so it never asks for a newer toolchain).
    pub go: Option<GoVersion>,
    /// The `toolchain` line (`None` when the file has none).
    pub toolchain: Option<ToolchainLine>,
    /// Lines Go's go.mod parser rejects when it builds (an invalid `go`
    /// line, a `toolchain` line outside its grammar), though they do not
    /// stop it from choosing a toolchain: for warnings.
    pub problems: Vec<ProjectFileError>,
}

impl ProjectFile {
    /// The oldest toolchain that satisfies the `go` line: `go 1.22` needs
    /// `go1.22.0`, `go 1.20` needs `go1.20`.
    pub fn minimum(&self) -> Option<GoVersion> {
        self.go.as_ref().map(GoVersion::first_release)
    }

    /// True when toolchain `v` may run this module as Go decides it
    /// (`Compare(goLine, v) <= 0`): `go 1.22` admits `go1.22rc1` (a language
    /// version is below its pre-releases), `go 1.22.0` does not; a file
    /// without a `go` line admits every version.
    pub fn admits(&self, v: &GoVersion) -> bool {
        self.go.as_ref().is_none_or(|g| v >= g)
    }
}

/// A go.mod/go.work line that Go would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFileError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong, in Go's words where Go has them.
    pub message: String,
}

impl fmt::Display for ProjectFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            crate::text::untrusted_path(&self.path),
            self.line,
            self.message
        )
    }
}

impl std::error::Error for ProjectFileError {}

/// True when `s` matches x/mod's `GoVersionRE`
/// (`1.21`, `1.21.0`, `1.21rc1`, `1.21.0rc1`; not `1`, `1.21rc`, `v1.21`,
/// `0.5`).
pub fn is_valid_go_line(s: &str) -> bool {
    match GoVersion::parse(s) {
        Some(v) => {
            v.major() != "0"
                && !v.minor_is_implicit()
                && (v.kind().is_empty() || !v.pre().is_empty())
        }
        None => false,
    }
}

/// True when `s` matches x/mod's `ToolchainRE` (`^default$|^go1($|\.)`)
/// and names a version Go's `FromToolchain` accepts: `go1.22.0`,
/// `go1.21.1-bigcorp`, `go1`; not `go1-bigcorp`, `go10.1` or `1.22.0`.
fn is_valid_toolchain_name(s: &str) -> bool {
    (s == "go1" || s.starts_with("go1.")) && GoVersion::from_toolchain_strict(s).is_some()
}

/// Parses the `go` and `toolchain` lines of a go.mod or go.work as the `go`
/// command reads them to choose a toolchain: the raw values of
/// [`gomod_lookup`]; a `go` value Go cannot parse is ignored (and listed in
/// [`ProjectFile::problems`]); a `toolchain` value other than `default`
/// whose name Go's `FromToolchain` rejects is an error, as it is for Go
/// (`invalid toolchain "bigcorp" in go.mod`); an empty one is no line.
pub fn parse_project_file(
    path: &Path,
    kind: ProjectKind,
    text: &str,
) -> Result<ProjectFile, ProjectFileError> {
    let err = |line, message: String| ProjectFileError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut problems = Vec::new();
    let go = gomod_lookup(text, "go").and_then(|(raw, line)| {
        // Quotes are not stripped: Go's modfile matches the raw token
        // against GoVersionRE, so `go "1.22"` is invalid to Go too.
        if raw.is_empty() || raw.contains(char::is_whitespace) {
            problems.push(err(
                line,
                format!("go directive expects exactly one argument, found `go {raw}`"),
            ));
        } else if !is_valid_go_line(raw) || GoVersion::parse_strict(raw).is_none() {
            problems.push(err(
                line,
                format!("invalid go version `{raw}`: must match format 1.23.0"),
            ));
        }
        GoVersion::parse_strict(raw)
    });
    let toolchain = match gomod_lookup(text, "toolchain") {
        None | Some(("", _)) => None,
        Some(("default", _)) => Some(ToolchainLine::Default),
        Some((raw, line)) => {
            let Some(v) = GoVersion::from_toolchain_strict(raw) else {
                return Err(err(
                    line,
                    format!("invalid toolchain `{raw}`: must be `default` or a toolchain name such as go1.23.0"),
                ));
            };
            if raw.contains(char::is_whitespace) {
                problems.push(err(
                    line,
                    format!(
                        "toolchain directive expects exactly one argument, found `toolchain {raw}`"
                    ),
                ));
            } else if !is_valid_toolchain_name(raw) {
                problems.push(err(
                    line,
                    format!(
                        "invalid toolchain version `{raw}`: must match format go1.23.0 or default"
                    ),
                ));
            }
            Some(ToolchainLine::Name(raw.to_string(), v))
        }
    };
    Ok(ProjectFile {
        path: path.to_path_buf(),
        kind,
        go,
        toolchain,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_only_files() {
        for yes in [
            "1.22\n",
            "# team pin\ngo1.22.10\n",
            "\u{feff}latest",
            "  1.21.0  \n\n",
        ] {
            assert!(is_pin_only(yes), "{yes:?}");
        }
        for no in [
            "",
            "# nothing\n",
            "1.22\n1.21\n",
            "1.22 extra\n",
            "alias ll='ls -l'\n",
            "export PATH=/bin\n",
            "1.22\nsecret=1\n",
        ] {
            assert!(!is_pin_only(no), "{no:?}");
        }
    }

    #[test]
    fn go_version_file_shapes() {
        let cases = [
            ("1.22.10\n", Some("1.22.10")),
            ("1.22.10", Some("1.22.10")),
            ("\u{feff}1.22\r\n", Some("1.22")),
            (
                "\n\n# pinned for CI\n\n  go1.21.5  # why\n1.20\n",
                Some("go1.21.5"),
            ),
            ("1.22 1.21\n", Some("1.22")),
            ("# only a comment\n\n", None),
            ("", None),
            ("\r\n\r\n1.23rc1\r\n", Some("1.23rc1")),
        ];
        for (text, want) in cases {
            assert_eq!(parse_go_version_file(text), want, "{text:?}");
        }
    }

    #[test]
    fn tool_versions_shapes() {
        use ToolVersionsEntry::*;
        assert_eq!(
            parse_tool_versions("nodejs 20.1.0\ngolang 1.22.5 1.21.0\n"),
            Version("1.22.5")
        );
        assert_eq!(
            parse_tool_versions("go 1.21.13 # mise\n"),
            Version("1.21.13")
        );
        assert_eq!(parse_tool_versions("# golang 1.20\npython 3.12\n"), Absent);
        assert_eq!(parse_tool_versions("golangci-lint 1.55.0\n"), Absent);
        assert_eq!(parse_tool_versions("python 3\ngolang\n"), Empty(2));
        assert_eq!(
            parse_tool_versions("\u{feff}golang system\r\n"),
            Version("system")
        );
    }

    #[test]
    fn gomod_lookup_like_go() {
        let m = "module example.com/m\n\n  go\t1.22.0 // pinned\ngodebug default=go1.21\ntoolchain go1.22.10\ngo 1.99\n";
        assert_eq!(gomod_lookup(m, "go"), Some(("1.22.0", 3)));
        assert_eq!(gomod_lookup(m, "toolchain"), Some(("go1.22.10", 5)));
        assert_eq!(gomod_lookup("gopher 1\n", "go"), None);
        assert_eq!(gomod_lookup("// go 1.21\nmodule m\n", "go"), None);
        assert_eq!(gomod_lookup("go 1.21\r\n", "go"), Some(("1.21", 1)));
    }

    #[test]
    fn go_line_grammar() {
        for (s, ok) in [
            ("1.21", true),
            ("1.21.0", true),
            ("1.21rc1", true),
            ("1.21.0rc1", true),
            ("1.20", true),
            ("1", false),
            ("1.21rc", false),
            ("v1.21", false),
            ("1.021", false),
            ("1.21.x", false),
            ("0.5", false),
            ("0.21.0", false),
            ("\"1.22\"", false),
        ] {
            assert_eq!(is_valid_go_line(s), ok, "{s}");
        }
    }

    /// Go's modfile matches the raw token (docs/internals/go-rules.md, "go.mod and
    /// go.work"), quotes included, against GoVersionRE/ToolchainRE, so
    /// quoted values are invalid lines; choosing a toolchain, Go ignores
    /// such a go line (it compares as the lowest version) and rejects such
    /// a toolchain line.
    #[test]
    fn quoted_go_and_toolchain_values_are_invalid_as_in_go() {
        let p = Path::new("/w/go.mod");
        let f = parse_project_file(p, ProjectKind::GoMod, "module m\ngo \"1.22\"\n").unwrap();
        assert_eq!(f.go, None);
        assert_eq!(f.problems[0].line, 2);
        assert!(
            f.problems[0]
                .message
                .contains("invalid go version `\"1.22\"`"),
            "{:?}",
            f.problems
        );
        let e = parse_project_file(
            p,
            ProjectKind::GoWork,
            "go 1.22.0\ntoolchain \"go1.22.1\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("invalid toolchain"), "{e}");
    }

    /// A toolchain line (docs/internals/go-rules.md, "go.mod and go.work")
    /// is read as `Select` reads it: any name Go's `FromToolchain` accepts
    /// (the custom suffix of `go1.21.0-bigcorp` is ignored for the
    /// version), anything else an error; names outside the modfile grammar
    /// `^default$|^go1($|\.)` are noted as problems.
    #[test]
    fn toolchain_names_follow_from_toolchain() {
        let p = Path::new("/w/go.mod");
        let parse = |t: &str| parse_project_file(p, ProjectKind::GoMod, t);
        let name = |t: &str| match parse(t) {
            Ok(ProjectFile {
                toolchain: Some(ToolchainLine::Name(n, v)),
                problems,
                ..
            }) => Ok((n, v.as_str().to_string(), problems.len())),
            Ok(other) => panic!("{t:?}: {other:?}"),
            Err(e) => Err(e.message),
        };
        assert_eq!(
            name("toolchain go1.21.0-custom\n").unwrap(),
            ("go1.21.0-custom".to_string(), "1.21.0".to_string(), 0)
        );
        assert_eq!(name("toolchain go1\n").unwrap().1, "1");
        assert_eq!(name("toolchain go1.18rc1\n").unwrap().1, "1.18rc1");
        // Accepted by Go's toolchain selection, rejected by its parser.
        for odd in [
            "toolchain go1-bigcorp\n",
            "toolchain go2.0\n",
            "toolchain go10\n",
            "toolchain go1.21 x\n",
        ] {
            assert_eq!(name(odd).unwrap().2, 1, "{odd:?}");
        }
        for bad in [
            "toolchain gccgo-go1.20.3\n",
            "toolchain go1.21.0rc1\n",
            "toolchain go1.22.0/../../x\n",
            "toolchain bigcorp\n",
        ] {
            assert!(
                name(bad).unwrap_err().contains("invalid toolchain"),
                "{bad:?}"
            );
        }
        // ToolchainRE is looser than a release name "for forward
        // compatibility": a language version still parses.
        assert_eq!(name("toolchain go1.21\n").unwrap().1, "1.21");
        // An empty value is no toolchain line at all, as for Go.
        assert_eq!(parse("toolchain // none\n").unwrap().toolchain, None);
    }

    /// `go 1.22` (a language version) admits go1.22rc1 (docs/internals/go-rules.md,
    /// "Language versions");
    /// `go 1.22.0` does not; `go 1.20` is the release go1.20 and does not
    /// admit go1.20rc1.
    #[test]
    fn go_line_admits_like_go_compare() {
        let p = Path::new("/w/go.mod");
        let f = |t: &str| parse_project_file(p, ProjectKind::GoMod, t).unwrap();
        let v = |s: &str| GoVersion::parse(s).unwrap();
        let lang = f("go 1.22\n");
        assert!(lang.admits(&v("1.22rc1")));
        assert!(lang.admits(&v("1.22.0")));
        assert!(!lang.admits(&v("1.21.13")));
        assert_eq!(lang.minimum().unwrap().toolchain_name(), "go1.22.0");
        let exact = f("go 1.22.0\n");
        assert!(!exact.admits(&v("1.22rc2")));
        assert!(exact.admits(&v("1.22.0")));
        let old = f("go 1.20\n");
        assert!(!old.admits(&v("1.20rc3")));
        assert!(old.admits(&v("1.20")));
        assert!(old.admits(&v("1.20.0")));
        assert!(f("module m\n").admits(&v("1.2")));
    }

    #[test]
    fn project_files() {
        let p = Path::new("/w/go.mod");
        let f = parse_project_file(
            p,
            ProjectKind::GoMod,
            "module m\ngo 1.22 // lang\ntoolchain go1.22.10\n",
        )
        .unwrap();
        assert_eq!(f.go.as_ref().unwrap().as_str(), "1.22");
        assert_eq!(f.minimum().unwrap().toolchain_name(), "go1.22.0");
        match f.toolchain.unwrap() {
            ToolchainLine::Name(n, v) => {
                assert_eq!(n, "go1.22.10");
                assert_eq!(v.as_str(), "1.22.10");
            }
            other => panic!("{other:?}"),
        }
        let f = parse_project_file(p, ProjectKind::GoMod, "go 1.20\ntoolchain default\n").unwrap();
        assert_eq!(f.minimum().unwrap().toolchain_name(), "go1.20");
        assert_eq!(f.toolchain, Some(ToolchainLine::Default));
        let f = parse_project_file(p, ProjectKind::GoMod, "toolchain go1.21.1-bigcorp\n").unwrap();
        assert!(f.go.is_none());
        assert!(
            matches!(f.toolchain, Some(ToolchainLine::Name(ref n, _)) if n == "go1.21.1-bigcorp")
        );

        // Go line problems do not stop toolchain selection: Go compares an
        // invalid value as the lowest version.
        for (text, line, needle, go) in [
            (
                "module m\ngo 1.22.x\n",
                2,
                "invalid go version `1.22.x`",
                None,
            ),
            ("go 1\n", 1, "invalid go version", Some("1")),
            ("go 1.21.0rc1\n", 1, "invalid go version", None),
            ("go 1.21 1.22\n", 1, "exactly one argument", None),
        ] {
            let f = parse_project_file(p, ProjectKind::GoMod, text).unwrap();
            assert_eq!(f.go.as_ref().map(GoVersion::as_str), go, "{text:?}");
            let e = &f.problems[0];
            assert_eq!(e.line, line, "{text:?}");
            assert!(e.message.contains(needle), "{text:?}: {e}");
            assert!(e.to_string().starts_with("/w/go.mod:"), "{e}");
        }
        for (text, line) in [
            ("go 1.21\ntoolchain banana\n", 2),
            ("toolchain local\n", 1),
            ("toolchain 1.22.0\n", 1),
        ] {
            let e = parse_project_file(p, ProjectKind::GoMod, text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}");
            assert!(e.message.contains("invalid toolchain"), "{text:?}: {e}");
        }
    }
}
