//! What users type to name a Go version, and how that picks a concrete version.

use std::fmt;

use crate::version::GoVersion;

/// A version request as typed on the command line or written in a pin file.
///
/// Accepted spellings: `1.22.5`, `go1.22.5`, `v1.22.5`, `go-1.22.5`, `1.22`,
/// `1.22rc1`, `latest`, `stable`, `system`.
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
    /// The first `go` on `PATH` that is not a gover shim.
    System,
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
            "system" => return Ok(Self::System),
            _ => {}
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
            let reason = if bare.split('.').any(|p| p == "x" || p == "X" || p == "*") {
                "a wildcard is not a Go version; a minor line such as `1.22` already means its newest release"
            } else if bare.starts_with(['>', '<', '=', '^', '~']) {
                "ranges are not supported; a minor line such as `1.22` means its newest release"
            } else if bare.bytes().any(|b| b.is_ascii_uppercase()) {
                "Go versions are lowercase (`1.22rc1`)"
            } else if bare.split('.').any(|p| p.len() > 1 && p.starts_with('0')) {
                "numbers must not have leading zeros"
            } else {
                "this is not a Go version"
            };
            return Err(err(reason));
        };
        if v.minor_is_implicit() {
            return Err(err("give at least a minor version, such as `1.22`"));
        }
        if v.has_explicit_patch() || v.is_prerelease() {
            Ok(Self::Exact(v))
        } else {
            Ok(Self::Line(v))
        }
    }

    /// True when `v` satisfies this request.
    pub fn matches(&self, v: &GoVersion) -> bool {
        match self {
            Self::Exact(e) => e == v,
            Self::Line(l) => l.same_line(v) && !v.is_prerelease() && !v.is_lang(),
            Self::Latest | Self::Stable => !v.is_prerelease() && !v.is_lang(),
            Self::System => false,
        }
    }

    /// The newest version in `available` that satisfies this request.
    pub fn select<'a, I>(&self, available: I) -> Option<&'a GoVersion>
    where
        I: IntoIterator<Item = &'a GoVersion>,
    {
        available.into_iter().filter(|v| self.matches(v)).max()
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
            Self::System => f.write_str("system"),
        }
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
}
