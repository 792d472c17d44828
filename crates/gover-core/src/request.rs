//! What users type to name a Go version, and how that picks a concrete version.

use std::fmt;

use crate::version::GoVersion;

/// A version request as typed on the command line or written in a pin file.
///
/// Accepted spellings: `1.22.5`, `go1.22.5`, `v1.22.5`, `go-1.22.5`, `1.22`,
/// `1.22rc1`, `latest`, `stable`, `oldstable`, `system`, and custom
/// toolchain names such as `go1.22.10-bigcorp`. Versions follow Go's own
/// grammar for a go line (x/mod's `GoVersionRE`): a pre-release carries its
/// number (`1.23rc1`, not `1.23rc` or `1.22x`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionRequest {
    /// One exact release or pre-release (`1.22.5`, `1.23rc1`, `1.20`'s
    /// release is also reachable as `1.20.0`).
    Exact(GoVersion),
    /// The newest stable release of a minor line (`1.22` → `1.22.x`;
    /// `1.20` → `1.20.x`, where the first release is named `go1.20`).
    Line(GoVersion),
    /// The newest stable release.
    Latest,
    /// The newest stable release (an alias of `latest`, as in setup-go).
    Stable,
    /// The newest release of the minor line before the newest one (as in
    /// setup-go): `1.24.x` when the newest release is `1.25.x`.
    Oldstable,
    /// The first `go` on `PATH` that is not a gover shim.
    System,
    /// A custom toolchain (`go1.22.10-bigcorp`, see [`custom_toolchain`]):
    /// one registered with `gover link`, else that name on `PATH`; never
    /// the stock release it is based on.
    Custom(String),
}

/// The longest custom toolchain name gover accepts.
pub const MAX_CUSTOM_NAME: usize = 64;

/// The version of a custom toolchain name: `go` + a version Go's
/// `FromToolchain` accepts, written as a go line may write it (a minor, a
/// pre-release with its number) + `-` + a suffix of ASCII letters, digits, `.`,
/// `_` and `-` (`go1.22.10-bigcorp`, `go1.28-tip`), at most
/// [`MAX_CUSTOM_NAME`] bytes. Such a name is valid in a `toolchain` line,
/// in `GOTOOLCHAIN` and as a file name. `None` for anything else, stock
/// release names included.
pub fn custom_toolchain(name: &str) -> Option<GoVersion> {
    if name.len() > MAX_CUSTOM_NAME {
        return None;
    }
    let (version, suffix) = name.strip_prefix("go")?.split_once('-')?;
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-';
    if suffix.is_empty() || !suffix.bytes().all(ok) || suffix.starts_with(['.', '-']) {
        return None;
    }
    GoVersion::parse_strict(version).filter(|v| {
        !v.minor_is_implicit() && v.major() != "0" && (!v.is_prerelease() || !v.pre().is_empty())
    })
}

/// A request that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    /// The text as given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A pin file of garbage must not become a 60 kB error line.
        const SHOWN: usize = 40;
        let mut chars = self.input.chars();
        let head: String = chars.by_ref().take(SHOWN).collect();
        let more = chars.count();
        let cut = if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            format!("... ({more} more character{s})")
        } else {
            String::new()
        };
        write!(
            f,
            "invalid Go version `{}`{cut}: {}; expected a version like `1.22.5`, `1.22`, `1.23rc1`, `latest` or `system`",
            head.escape_debug(),
            self.reason
        )
    }
}

impl std::error::Error for RequestError {}

impl VersionRequest {
    /// Parses a request. Leading `go`, `go-` and `v` prefixes are accepted.
    pub fn parse(input: &str) -> Result<Self, RequestError> {
        let err = |reason| RequestError {
            input: input.to_string(),
            reason,
        };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        match s {
            "latest" => return Ok(Self::Latest),
            "stable" => return Ok(Self::Stable),
            "oldstable" => return Ok(Self::Oldstable),
            "system" => return Ok(Self::System),
            _ => {}
        }
        if s.starts_with("go") && !s.starts_with("go-") && s.contains('-') {
            return match custom_toolchain(s) {
                Some(_) => Ok(Self::Custom(s.to_string())),
                None => Err(err(
                    "a custom toolchain is named go<version>-<suffix>, such as `go1.22.10-bigcorp` (letters, digits, `.`, `_` and `-` after the dash)",
                )),
            };
        }
        let bare = s
            .strip_prefix("go-")
            .or_else(|| s.strip_prefix("go"))
            .or_else(|| s.strip_prefix('v'))
            .unwrap_or(s);
        if bare.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(err("it contains spaces"));
        }
        let Some(v) = GoVersion::parse(bare) else {
            return Err(err(why_invalid(bare)));
        };
        if v.minor_is_implicit() {
            return Err(err("give at least a minor version, such as `1.22`"));
        }
        if v.major() == "0" {
            return Err(err("Go versions start at 1"));
        }
        if v.is_prerelease() && v.pre().is_empty() {
            return Err(err(
                "a pre-release is named by its kind and number, such as `1.23rc1` or `1.22beta2`",
            ));
        }
        if v.has_explicit_patch() || v.is_prerelease() {
            Ok(Self::Exact(v))
        } else {
            Ok(Self::Line(v))
        }
    }

    /// Parses a request for a pin (`.go-version`, `.tool-versions`,
    /// `GOVER_GO_VERSION`, `gover use`): like [`VersionRequest::parse`], but
    /// only what the shim can run without the release index and Go can run
    /// by name. A pre-release after a patch number (`1.21.0rc1`) is refused,
    /// as Go refuses it, and so is `oldstable`, which only the index can
    /// answer (`gover use oldstable` pins the line it names). A bare minor
    /// of Go 1.20 or older means that release ([`VersionRequest::as_run`]).
    pub fn parse_pin(input: &str) -> Result<Self, RequestError> {
        let r = Self::parse(input)?.as_run();
        let err = |reason| RequestError {
            input: input.to_string(),
            reason,
        };
        match &r {
            Self::Exact(v) if GoVersion::parse_strict(v.as_str()).is_none() => Err(err(
                "Go does not accept a pre-release after a patch number; pre-releases are named like `1.21rc2`",
            )),
            Self::Oldstable => Err(err(
                "`oldstable` changes with each release and only the release index can say what it is; pin the line it names (`gover use oldstable` writes it)",
            )),
            _ => Ok(r),
        }
    }

    /// This request as a toolchain to run reads it: `1.15` or `1.20` (a
    /// bare minor of Go 1.20 or older) is the release `go1.15` or `go1.20`
    /// itself, as in Go's grammar, goenv, asdf and mise; from Go 1.21 on a
    /// bare minor (`1.22`) is a language version, which no release is
    /// called, and keeps meaning the newest `1.22.x`. Everything else is
    /// unchanged.
    pub fn as_run(self) -> Self {
        match self {
            Self::Line(v) if !v.is_lang() => Self::Exact(v),
            other => other,
        }
    }

    /// True when `v` satisfies this request on its own. `oldstable`
    /// depends on the other versions available: see
    /// [`VersionRequest::select`].
    pub fn matches(&self, v: &GoVersion) -> bool {
        match self {
            Self::Exact(e) => e == v,
            Self::Line(l) => l.same_line(v) && is_stable(v),
            Self::Latest | Self::Stable => is_stable(v),
            Self::Oldstable | Self::System | Self::Custom(_) => false,
        }
    }

    /// The newest version in `available` that satisfies this request; for
    /// `oldstable`, the newest stable release of the minor line right
    /// before the newest stable one in `available`.
    pub fn select<'a, I>(&self, available: I) -> Option<&'a GoVersion>
    where
        I: IntoIterator<Item = &'a GoVersion>,
        I::IntoIter: Clone,
    {
        let available = available.into_iter();
        if let Self::Oldstable = self {
            let newest = available.clone().filter(|v| is_stable(v)).max()?;
            let previous = previous_line(newest)?;
            return available
                .filter(|v| is_stable(v) && v.same_line(&previous))
                .max();
        }
        available.filter(|v| self.matches(v)).max()
    }

    /// How a message names this request before a release is chosen: the
    /// request as written and what it stands for (`` `1.22` (the newest
    /// go1.22.x) ``, `` `latest` (the newest stable release) ``); an exact
    /// release or a custom toolchain by its name (`go1.22.10`).
    pub fn describe(&self) -> String {
        match self {
            Self::Exact(v) => v.toolchain_name(),
            Self::Line(v) => format!("`{v}` (the newest go{v}.x)"),
            Self::Latest | Self::Stable => format!("`{self}` (the newest stable release)"),
            Self::Oldstable => {
                "`oldstable` (the newest release of the minor line before the newest)".into()
            }
            Self::System => "`system` (the first go on PATH that is not gover's)".into(),
            Self::Custom(name) => name.clone(),
        }
    }

    /// The exact version this request names, if it names one.
    pub fn exact(&self) -> Option<&GoVersion> {
        match self {
            Self::Exact(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for VersionRequest {
    /// The normalised spelling written to `.go-version` (`go1.22` → `1.22`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(v) | Self::Line(v) => f.write_str(v.as_str()),
            Self::Latest => f.write_str("latest"),
            Self::Stable => f.write_str("stable"),
            Self::Oldstable => f.write_str("oldstable"),
            Self::System => f.write_str("system"),
            Self::Custom(name) => f.write_str(name),
        }
    }
}

/// A stable release: neither a pre-release nor a language version.
fn is_stable(v: &GoVersion) -> bool {
    !v.is_prerelease() && !v.is_lang()
}

/// The minor line before `v`'s (`1.24` for `1.25.3`); `None` before `1.1`.
fn previous_line(v: &GoVersion) -> Option<GoVersion> {
    let minor: u64 = v.minor().parse().ok()?;
    let prev = minor.checked_sub(1).filter(|m| *m > 0)?;
    GoVersion::parse(&format!("{}.{prev}", v.major()))
}

/// Why `bare` is not a Go version, in words.
fn why_invalid(bare: &str) -> &'static str {
    if bare.split('.').any(|p| p == "x" || p == "X" || p == "*") {
        "a wildcard is not a Go version; a minor line such as `1.22` already means its newest release"
    } else if bare.starts_with(['>', '<', '=', '^', '~']) {
        "ranges are not supported; a minor line such as `1.22` means its newest release"
    } else if bare.bytes().any(|b| b.is_ascii_uppercase()) {
        "Go versions are lowercase (`1.22rc1`)"
    } else if bare.split('.').any(|p| p.len() > 1 && p.starts_with('0')) {
        "numbers must not have leading zeros"
    } else {
        "this is not a Go version"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(list: &[&str]) -> Vec<GoVersion> {
        list.iter().map(|s| GoVersion::parse(s).unwrap()).collect()
    }

    #[test]
    fn spellings() {
        for s in ["1.22.5", "go1.22.5", "v1.22.5", "go-1.22.5", " 1.22.5\n"] {
            assert_eq!(
                VersionRequest::parse(s).unwrap().to_string(),
                "1.22.5",
                "{s:?}"
            );
        }
        assert!(matches!(
            VersionRequest::parse("go1.22").unwrap(),
            VersionRequest::Line(_)
        ));
        assert_eq!(VersionRequest::parse("go1.22").unwrap().to_string(), "1.22");
        assert!(matches!(
            VersionRequest::parse("1.22rc1").unwrap(),
            VersionRequest::Exact(_)
        ));
        assert!(matches!(
            VersionRequest::parse("1.20").unwrap(),
            VersionRequest::Line(_)
        ));
        assert!(matches!(
            VersionRequest::parse("1.20.0").unwrap(),
            VersionRequest::Exact(_)
        ));
        assert_eq!(
            VersionRequest::parse("latest").unwrap(),
            VersionRequest::Latest
        );
        assert_eq!(
            VersionRequest::parse("stable").unwrap(),
            VersionRequest::Stable
        );
        assert_eq!(
            VersionRequest::parse("system").unwrap(),
            VersionRequest::System
        );
    }

    #[test]
    fn bad_requests_say_why() {
        let cases = [
            ("", "empty"),
            ("1.022", "leading zeros"),
            ("1.22RC1", "lowercase"),
            ("banana", "not a Go version"),
            ("1", "minor"),
            ("1.22 1.21", "spaces"),
            ("1.22.x", "not a Go version"),
            ("1.22.x", "`1.22` already means its newest release"),
            ("go1.22.*", "wildcard"),
            ("1.X", "wildcard"),
            (">=1.21", "ranges are not supported"),
            ("^1.22", "ranges"),
        ];
        for (input, needle) in cases {
            let e = VersionRequest::parse(input).unwrap_err();
            assert!(e.to_string().contains(needle), "{input:?}: {e}");
        }
        let huge = "a".repeat(60_000);
        let e = VersionRequest::parse(&huge).unwrap_err().to_string();
        assert!(e.len() < 300, "{} bytes: {e}", e.len());
        assert!(
            e.starts_with(&format!(
                "invalid Go version `{}`... (59960 more characters)",
                "a".repeat(40)
            )),
            "{e}"
        );
        let e = VersionRequest::parse(&"é".repeat(41))
            .unwrap_err()
            .to_string();
        assert!(e.contains("... (1 more character)"), "{e}");
    }

    #[test]
    fn selection() {
        let avail = vs(&[
            "1.20", "1.20.1", "1.20rc1", "1.21rc2", "1.21.0", "1.21.13", "1.22rc1", "1.22.0",
            "1.22.10", "1.23rc1",
        ]);
        let pick = |r: &str| {
            VersionRequest::parse(r)
                .unwrap()
                .select(&avail)
                .map(GoVersion::toolchain_name)
        };
        assert_eq!(pick("1.22").as_deref(), Some("go1.22.10"));
        assert_eq!(pick("1.21").as_deref(), Some("go1.21.13"));
        assert_eq!(pick("1.20").as_deref(), Some("go1.20.1"));
        assert_eq!(pick("1.20.0").as_deref(), Some("go1.20"));
        assert_eq!(pick("go1.20").as_deref(), Some("go1.20.1"));
        assert_eq!(pick("1.22rc1").as_deref(), Some("go1.22rc1"));
        assert_eq!(
            pick("1.23").as_deref(),
            None,
            "prereleases only when written out"
        );
        assert_eq!(pick("1.23rc1").as_deref(), Some("go1.23rc1"));
        assert_eq!(pick("latest").as_deref(), Some("go1.22.10"));
        assert_eq!(pick("stable").as_deref(), Some("go1.22.10"));
        assert_eq!(pick("1.22.11"), None);
        assert_eq!(pick("system"), None);
        let only_first = vs(&["1.20"]);
        let r = VersionRequest::parse("1.20").unwrap();
        assert_eq!(r.select(&only_first).unwrap().toolchain_name(), "go1.20");
    }

    #[test]
    fn go_grammar_for_requests_and_pins() {
        for bad in ["1.22x", "1.22rc", "1.22beta", "1.2x", "0.5", "go0.1"] {
            assert!(VersionRequest::parse(bad).is_err(), "{bad}");
        }
        // The one historical patch pre-release can be installed by name,
        // never pinned: Go's toolchain names cannot hold it.
        assert!(VersionRequest::parse("1.9.2rc2").is_ok());
        let e = VersionRequest::parse_pin("1.21.0rc1").unwrap_err();
        assert!(
            e.to_string().contains("pre-release after a patch number"),
            "{e}"
        );
        let e = VersionRequest::parse_pin("oldstable").unwrap_err();
        assert!(e.to_string().contains("only the release index"), "{e}");
        // A bare minor up to Go 1.20 is that release in a pin.
        let pin = |s: &str| VersionRequest::parse_pin(s).unwrap();
        assert_eq!(
            pin("1.20"),
            VersionRequest::Exact(GoVersion::parse("1.20").unwrap())
        );
        assert_eq!(pin("1.15").to_string(), "1.15");
        assert!(matches!(pin("1.21"), VersionRequest::Line(_)));
        assert!(matches!(pin("1.22"), VersionRequest::Line(_)));
        assert!(matches!(
            VersionRequest::parse("1.20").unwrap(),
            VersionRequest::Line(_)
        ));
    }

    #[test]
    fn custom_toolchain_names() {
        for (name, version) in [
            ("go1.22.10-bigcorp", "1.22.10"),
            ("go1.28-tip", "1.28"),
            ("go1.21rc2-fips.1_x-y", "1.21rc2"),
        ] {
            assert_eq!(custom_toolchain(name).unwrap().as_str(), version, "{name}");
            assert_eq!(
                VersionRequest::parse(name).unwrap(),
                VersionRequest::Custom(name.into())
            );
        }
        for bad in [
            "go1.22.10",
            "go1.22.10-",
            "go1.22.10-.x",
            "go1.22.10--x",
            "go1.22.10-a/b",
            "go1.22.10-a\\b",
            "go1.22.10-a b",
            "go1.22.10-a+auto",
            "go1-x",
            "go1.22x-x",
            "go1.21.0rc1-x",
            "gotip",
            "xgo1.22.10-x",
        ] {
            assert!(custom_toolchain(bad).is_none(), "{bad}");
        }
        assert!(custom_toolchain(&format!("go1.22.10-{}", "x".repeat(MAX_CUSTOM_NAME))).is_none());
        assert!(VersionRequest::parse("go1.22.10-a/b").is_err());
        // `go-1.22.5` is the go- prefix, not a custom name.
        assert_eq!(
            VersionRequest::parse("go-1.22.5").unwrap().to_string(),
            "1.22.5"
        );
    }

    #[test]
    fn oldstable_is_the_line_before_the_newest() {
        let avail = vs(&[
            "1.23.4", "1.24rc1", "1.24.0", "1.24.11", "1.25rc2", "1.25.3", "1.25.5",
        ]);
        let old = VersionRequest::parse("oldstable").unwrap();
        assert_eq!(old.select(&avail).unwrap().as_str(), "1.24.11");
        assert!(!old.matches(&avail[0]), "oldstable needs the whole set");
        // A gap: the line right before the newest, or nothing.
        assert_eq!(old.select(&vs(&["1.25.5", "1.23.4"])), None);
        assert_eq!(old.select(&vs(&["1.1"])), None);
    }

    #[test]
    fn messages_describe_the_request_as_written() {
        let d = |s: &str| VersionRequest::parse(s).unwrap().describe();
        assert_eq!(d("1.22"), "`1.22` (the newest go1.22.x)");
        assert_eq!(d("go1.22.10"), "go1.22.10");
        assert_eq!(d("latest"), "`latest` (the newest stable release)");
        assert_eq!(d("go1.22.10-bigcorp"), "go1.22.10-bigcorp");
    }
}
