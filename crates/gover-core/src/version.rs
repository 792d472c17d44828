//! Go versions: an exact port of Go's `internal/gover` grammar and ordering.
//!
//! Versions are handled as strings, never converted to integers, so
//! `1.99999999999999998 < 1.99999999999999999` holds just as it does in Go.

use std::cmp::Ordering;
use std::fmt;

/// A Go version as Go parses it (`1.22.10`, `1.21rc2`, `1.20`, `1.9.2rc2`).
///
/// Equality and ordering follow Go's `gover.Compare`: `1.20 == 1.20.0`,
/// `1.21 < 1.21rc1 < 1.21.0`. The original spelling is kept, so a release
/// named `go1.20` is displayed as `1.20`, exactly as in Go's file names.
#[derive(Clone)]
pub struct GoVersion {
    text: Box<str>,
    major: (u16, u16),
    minor: (u16, u16),
    patch: (u16, u16),
    kind: (u16, u16),
    pre: (u16, u16),
}

impl GoVersion {
    /// Parses a version without the `go` prefix, exactly like Go's
    /// `internal/gover.Parse`. Returns `None` for anything Go calls invalid.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() > 256 {
            return None;
        }
        let b = s.as_bytes();
        let mut i = 0;
        let major = cut_int(b, &mut i)?;
        let mut v = GoVersion {
            text: s.into(),
            major,
            minor: (0, 0),
            patch: (0, 0),
            kind: (0, 0),
            pre: (0, 0),
        };
        if i == b.len() {
            // "1" is 1.0.0; the zero minor and patch are implicit.
            return Some(v);
        }
        if b[i] != b'.' {
            return None;
        }
        i += 1;
        v.minor = cut_int(b, &mut i)?;
        if i == b.len() {
            // "1.N": for N < 21 this is the release 1.N.0; from 1.21 on it is
            // a language version, below every 1.N release.
            return Some(v);
        }
        if b[i] == b'.' {
            i += 1;
            v.patch = cut_int(b, &mut i)?;
            if i == b.len() {
                return Some(v);
            }
            return cut_pre(b, i, v);
        }
        cut_pre(b, i, v)
    }

    /// Parses a version exactly as the `go` command does when it chooses a
    /// toolchain (`internal/gover.Parse` of the Go release gover follows):
    /// like [`GoVersion::parse`], but a pre-release after a patch number
    /// (`1.21.0rc1`, `1.9.2rc2`) is invalid. The release index still lists
    /// the one historical `go1.9.2rc2`, which [`GoVersion::parse`] accepts
    /// so that it can be installed by name; nothing Go compares may be one.
    pub fn parse_strict(s: &str) -> Option<Self> {
        Self::parse(s).filter(|v| !(v.has_explicit_patch() && v.is_prerelease()))
    }

    /// Parses a toolchain name (`go1.22.0`, `go1.21.0-bigcorp`), like Go's
    /// `gover.FromToolchain`: requires the `go` prefix and ignores anything
    /// from the first space, tab or `-`.
    pub fn from_toolchain(name: &str) -> Option<Self> {
        let rest = name.strip_prefix("go")?;
        let end = rest.find([' ', '\t', '-']).unwrap_or(rest.len());
        Self::parse(&rest[..end])
    }

    /// Parses a toolchain name exactly as the `go` command does when it
    /// chooses a toolchain (`cmd/go/internal/gover.FromToolchain`): like
    /// [`GoVersion::from_toolchain`], but a name holding `/` or a backslash is
    /// invalid (it would be looked up as a path, not on `PATH`) and the
    /// version is parsed with [`GoVersion::parse_strict`].
    pub fn from_toolchain_strict(name: &str) -> Option<Self> {
        if name.contains(['/', '\\']) {
            return None;
        }
        let rest = name.strip_prefix("go")?;
        let end = rest.find([' ', '\t', '-']).unwrap_or(rest.len());
        Self::parse_strict(&rest[..end])
    }

    fn part(&self, r: (u16, u16)) -> &str {
        &self.text[r.0 as usize..r.1 as usize]
    }

    /// The major number (`1`).
    pub fn major(&self) -> &str {
        self.part(self.major)
    }

    /// The minor number (`22` in `1.22.3`); `0` for `1`, as in Go.
    pub fn minor(&self) -> &str {
        if self.minor.1 > self.minor.0 {
            self.part(self.minor)
        } else {
            "0"
        }
    }

    /// The patch number as Go sees it: `"0"` for `1.20` (minor < 21),
    /// empty for language versions and pre-releases such as `1.22` or `1.22rc1`.
    pub fn patch(&self) -> &str {
        if self.patch.1 > self.patch.0 {
            self.part(self.patch)
        } else if self.implicit_zero_patch() {
            "0"
        } else {
            ""
        }
    }

    /// The pre-release kind (`rc`, `beta`), empty for releases.
    pub fn kind(&self) -> &str {
        self.part(self.kind)
    }

    /// The pre-release number (`2` in `1.21rc2`).
    pub fn pre(&self) -> &str {
        self.part(self.pre)
    }

    /// True when Go fills in a `.0` patch: `1` and `1.N` with N < 21.
    fn implicit_zero_patch(&self) -> bool {
        if self.patch.1 > self.patch.0 || self.kind.1 > self.kind.0 {
            return false;
        }
        // "1" is 1.0.0; "1.N" below 21 is the release 1.N.0.
        self.minor.1 == self.minor.0 || cmp_int(self.minor(), "21") == Ordering::Less
    }

    /// True when the minor number was not written (`1`, `2`).
    pub fn minor_is_implicit(&self) -> bool {
        self.minor.1 == self.minor.0
    }

    /// True when a patch number was written (`1.22.0`, `1.9.2rc2`).
    pub fn has_explicit_patch(&self) -> bool {
        self.patch.1 > self.patch.0
    }

    /// True for a beta or release candidate (`1.22rc1`, `1.18beta2`, `1.9.2rc2`).
    pub fn is_prerelease(&self) -> bool {
        !self.kind().is_empty()
    }

    /// True for a language version (`1.21`, `1.22`: N ≥ 21, no patch, no
    /// pre-release), which names no release. `1.20` is a release, not a
    /// language version.
    pub fn is_lang(&self) -> bool {
        self.patch().is_empty() && self.kind().is_empty()
    }

    /// The language version: `1.22` for `1.22.3`, `1.22rc1` and `1.22`; `1` for
    /// `1` and `1.0`, exactly like Go's `gover.Lang`.
    pub fn lang(&self) -> String {
        let minor = self.minor();
        if self.major() == "1" && minor == "0" {
            self.major().to_string()
        } else {
            format!("{}.{}", self.major(), minor)
        }
    }

    /// True when `other` belongs to the same minor line (`1.22` for
    /// `1.22rc1`, `1.22.0` and `1.22.10`).
    pub fn same_line(&self, other: &GoVersion) -> bool {
        cmp_int(self.major(), other.major()) == Ordering::Equal
            && cmp_int(self.minor(), other.minor()) == Ordering::Equal
    }

    /// The version as written, without the `go` prefix (`1.22.10`, `1.20`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The toolchain name Go uses for this version: `go` + the version as
    /// written (`go1.22.10`, `go1.20`, `go1.23rc1`).
    pub fn toolchain_name(&self) -> String {
        let mut s = String::with_capacity(self.text.len() + 2);
        s.push_str("go");
        s.push_str(&self.text);
        s
    }

    /// The first release that satisfies this version as a minimum, the way Go
    /// turns a go.mod `go` line into a toolchain: `1.22` → `1.22.0`,
    /// `1.20` → `1.20`, `1.22rc1` → `1.22rc1`.
    pub fn first_release(&self) -> GoVersion {
        if self.is_lang() && self.minor.1 > self.minor.0 {
            GoVersion::parse(&format!("{}.0", self.text)).unwrap_or_else(|| self.clone())
        } else {
            self.release_spelling()
        }
    }

    /// This version spelled as its release is named in Go's file names and
    /// the index: `1.20.0` → `1.20` (first releases before Go 1.21 have no
    /// `.0`); every other version unchanged (`1.21.0`, `1.20.1`, `1.20rc1`).
    pub fn release_spelling(&self) -> GoVersion {
        if self.major() == "1"
            && self.has_explicit_patch()
            && self.patch() == "0"
            && !self.is_prerelease()
            && cmp_int(self.minor(), "21") == Ordering::Less
        {
            let end = self.minor.1 as usize;
            if let Some(v) = GoVersion::parse(&self.text[..end]) {
                return v;
            }
        }
        self.clone()
    }
}

fn cut_int(b: &[u8], i: &mut usize) -> Option<(u16, u16)> {
    let start = *i;
    while *i < b.len() && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == start || (b[start] == b'0' && *i - start > 1) {
        return None;
    }
    Some((start as u16, *i as u16))
}

fn cut_pre(b: &[u8], mut i: usize, mut v: GoVersion) -> Option<GoVersion> {
    let start = i;
    while i < b.len() && b[i].is_ascii_lowercase() {
        i += 1;
    }
    if i == start {
        return None;
    }
    v.kind = (start as u16, i as u16);
    if i == b.len() {
        return Some(v);
    }
    let mut j = i;
    v.pre = cut_int(b, &mut j)?;
    if j != b.len() {
        return None;
    }
    Some(v)
}

/// Compares two decimal strings the way Go's `gover.CmpInt` does: shorter is
/// smaller, same length compares bytewise, so `""` < `"0"` < `"9"` < `"10"`.
fn cmp_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

impl Ord for GoVersion {
    fn cmp(&self, y: &Self) -> Ordering {
        let x = self;
        cmp_int(x.major(), y.major())
            .then_with(|| cmp_int(x.minor(), y.minor()))
            .then_with(|| cmp_int(x.patch(), y.patch()))
            .then_with(|| {
                let c = x.kind().cmp(y.kind());
                if c != Ordering::Equal && !x.patch().is_empty() {
                    // Patch-level pre-release: 1.9.2rc2 < 1.9.2.
                    if x.kind().is_empty() {
                        return Ordering::Greater;
                    } else if y.kind().is_empty() {
                        return Ordering::Less;
                    }
                }
                c
            })
            .then_with(|| cmp_int(x.pre(), y.pre()))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go{}", self.text)
    }
}

/// Compares two toolchain names (`go1.21.0`, `go1.21.0-bigcorp`) like Go's
/// `go/version.Compare`: invalid names are equal to each other and below
/// every valid one.
pub fn compare_toolchains(x: &str, y: &str) -> Ordering {
    // go/version's stripGo: cut at the first `-`, then require `go`. Unlike
    // FromToolchain it does not cut at spaces, so `go1.21.0 X:foo` is invalid.
    let parse = |s: &str| {
        let s = s.split('-').next().unwrap_or(s);
        GoVersion::parse(s.strip_prefix("go")?)
    };
    match (parse(x), parse(y)) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GoVersion {
        GoVersion::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn parse_validity_matches_go() {
        // (input without prefix, valid) -- from internal/gover tests and the
        // reference table (current Go).
        let cases = [
            ("1", true),
            ("1.0", true),
            ("1.9", true),
            ("1.9.2", true),
            ("1.9.2rc2", true),
            ("1.8beta2", true),
            ("1.20", true),
            ("1.20.0", true),
            ("1.20rc1", true),
            ("1.21", true),
            ("1.21rc1", true),
            ("1.21.0", true),
            ("1.21.3rc1", true),
            ("1.21rc", true),
            ("1.999testmod", true),
            ("2", true),
            ("1.21RC1", false),
            ("1.21+auto", false),
            ("1.21.", false),
            ("1.021", false),
            ("01.21", false),
            ("1.21.01", false),
            ("", false),
            ("1.21.0 X:foo", false),
            ("devel go1.22-abc", false),
            ("1.21rc01", false),
            ("1.21.0.1", false),
            ("1..2", false),
            ("v1.21", false),
            ("1.21rc1x", false),
        ];
        for (s, ok) in cases {
            assert_eq!(GoVersion::parse(s).is_some(), ok, "parse({s:?})");
        }
    }

    #[test]
    fn from_toolchain_matches_go() {
        assert_eq!(
            GoVersion::from_toolchain("go1.2.3-bigcorp")
                .unwrap()
                .as_str(),
            "1.2.3"
        );
        assert_eq!(
            GoVersion::from_toolchain("go1.21.0 X:foo")
                .unwrap()
                .as_str(),
            "1.21.0"
        );
        assert!(GoVersion::from_toolchain("invalid").is_none());
        assert!(GoVersion::from_toolchain("1.21.0").is_none());
        assert!(GoVersion::from_toolchain("go").is_none());
    }

    #[test]
    fn lang_matches_go() {
        let cases = [
            ("1", "1"),
            ("1.0", "1"),
            ("1.9", "1.9"),
            ("1.9.2", "1.9"),
            ("1.9.2rc2", "1.9"),
            ("1.8beta2", "1.8"),
            ("1.20rc1", "1.20"),
            ("1.21", "1.21"),
            ("1.22rc1", "1.22"),
            ("1.21.0", "1.21"),
            ("2", "2.0"),
        ];
        for (s, lang) in cases {
            assert_eq!(v(s).lang(), lang, "Lang({s})");
        }
    }

    #[test]
    fn is_lang_only_for_new_minor_lines() {
        assert!(v("1.21").is_lang());
        assert!(v("1.22").is_lang());
        assert!(!v("1.20").is_lang());
        assert!(!v("1.22.0").is_lang());
        assert!(!v("1.22rc1").is_lang());
    }

    /// Every row of the reference's comparison table (current Go).
    #[test]
    fn compare_table() {
        let rows = [
            ("go1.21", "go1.21rc1", -1),
            ("go1.21rc1", "go1.21rc2", -1),
            ("go1.21rc2", "go1.21.0", -1),
            ("go1.21.0", "go1.21.1", -1),
            ("go1.20rc3", "go1.20", -1),
            ("go1.20", "go1.20.0", 0),
            ("go1.18beta2", "go1.18rc1", -1),
            ("go1.21.9", "go1.22", -1),
            ("go1.22", "go1.22rc1", -1),
            ("go1.9.2rc2", "go1.9.2", -1),
            ("go1.9.2rc2", "go1.9.1", 1),
            ("go1.9.2rc2", "go1.9", 1),
            ("go1.21.3rc1", "go1.21.2", 1),
            ("go1.21.0", "go1.21.0-bigcorp", 0),
            ("go1", "go1.0.0", 0),
            ("bad", "go1", -1),
            ("", "bad", 0),
            ("go1.10", "go1.9", 1),
            ("go1.99999999999999998", "go1.99999999999999999", -1),
            // go/version.IsValid("go1.21.0 X:foo") is false: text after the
            // version makes it invalid (see docs/internals/go-rules.md, "Releases
            // and their names").
            ("go1.21.0 X:foo", "go1", -1),
            ("devel go1.22-abc", "", 0),
            ("1.21", "go1", -1),
        ];
        for (x, y, want) in rows {
            let got = match compare_toolchains(x, y) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            };
            assert_eq!(got, want, "Compare({x}, {y})");
            let back = match compare_toolchains(y, x) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            };
            assert_eq!(back, -want, "Compare({y}, {x})");
        }
    }

    #[test]
    fn chains_are_ordered() {
        let chains: [&[&str]; 4] = [
            &["1.21", "1.21rc1", "1.21rc2", "1.21.0", "1.21.1"],
            &["1.20rc1", "1.20rc2", "1.20", "1.20.1"],
            &["1.18beta1", "1.18beta2", "1.18rc1", "1.18", "1.18.1"],
            &[
                "1.9.1", "1.9.2rc2", "1.9.2", "1.10", "1.21.9", "1.22", "1.22rc1", "1.22.0",
            ],
        ];
        for chain in chains {
            for w in chain.windows(2) {
                assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
            }
        }
        assert_eq!(v("1.20"), v("1.20.0"));
    }

    #[test]
    fn sort_example_from_go() {
        let mut xs: Vec<GoVersion> = ["1.21.0", "1.9", "1.21", "1.21rc1", "1.10"]
            .iter()
            .map(|s| v(s))
            .collect();
        xs.sort();
        let names: Vec<_> = xs.iter().map(GoVersion::toolchain_name).collect();
        assert_eq!(
            names,
            ["go1.9", "go1.10", "go1.21", "go1.21rc1", "go1.21.0"]
        );
    }

    #[test]
    fn first_release_of_go_lines() {
        assert_eq!(v("1.22").first_release().as_str(), "1.22.0");
        assert_eq!(v("1.21").first_release().as_str(), "1.21.0");
        assert_eq!(v("1.20").first_release().as_str(), "1.20");
        assert_eq!(v("1.22rc1").first_release().as_str(), "1.22rc1");
        assert_eq!(v("1.22.3").first_release().as_str(), "1.22.3");
        // `go 1.20.0` is valid in a go.mod; its release is named go1.20.
        assert_eq!(v("1.20.0").first_release().toolchain_name(), "go1.20");
    }

    /// Toolchain names use the release's own spelling (docs/internals/go-rules.md,
    /// "Releases and their names") (`go1.20`, not
    /// `go1.20.0`; but `go1.21.0`).
    #[test]
    fn release_spelling_drops_dot_zero_only_before_1_21() {
        for (given, named) in [
            ("1.20.0", "go1.20"),
            ("1.9.0", "go1.9"),
            ("1.0.0", "go1.0"),
            ("1.21.0", "go1.21.0"),
            ("1.22.0", "go1.22.0"),
            ("1.20.1", "go1.20.1"),
            ("1.20rc1", "go1.20rc1"),
            ("1.20", "go1.20"),
            ("1.9.0rc1", "go1.9.0rc1"),
        ] {
            let r = v(given).release_spelling();
            assert_eq!(r.toolchain_name(), named, "{given}");
            assert_eq!(r, v(given), "{given}: same version");
        }
    }

    #[test]
    fn spelling_is_kept() {
        assert_eq!(v("1.20").toolchain_name(), "go1.20");
        assert_eq!(v("1.20").patch(), "0");
        assert_eq!(v("1.21").patch(), "");
        assert_eq!(format!("{:?}", v("1.22.10")), "go1.22.10");
    }
}
