//! The release index in go.dev/dl JSON format (`?mode=json&include=all`).
//!
//! Parsing tolerates the real index's quirks: empty `sha256` on ancient
//! releases, the `go1` bootstrap pseudo-release (`"os": "4"`, `"arch":
//! "bootstrap"`), duplicate darwin archives (`-osx10.8`), odd architectures
//! and releases whose archives are still being uploaded.

use serde::Deserialize;

use gover_core::{GoVersion, VersionRequest};

use crate::error::{Error, ErrorKind, Result};
use crate::platform::Platform;

/// One file of a release, as listed by the index.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct IndexFile {
    /// File name under the mirror (`go1.22.10.linux-amd64.tar.gz`).
    pub filename: String,
    /// `GOOS`, empty for the source archive.
    #[serde(default)]
    pub os: String,
    /// Architecture (`amd64`, `armv6l`, ...), empty for the source archive.
    #[serde(default)]
    pub arch: String,
    /// Lowercase hex sha256; empty for releases before go1.6.
    #[serde(default)]
    pub sha256: String,
    /// Size in bytes (0 when unknown).
    #[serde(default)]
    pub size: u64,
    /// `archive`, `installer` or `source`.
    #[serde(default)]
    pub kind: String,
}

impl IndexFile {
    /// The sha256 as 32 bytes, or `None` when the index has none (or not a
    /// well-formed one).
    pub fn sha256_bytes(&self) -> Option<[u8; 32]> {
        parse_sha256(&self.sha256)
    }
}

/// Parses 64 hex digits into a digest.
pub fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// Formats a digest as lowercase hex.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct RawRelease {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<IndexFile>,
}

/// One release of the index.
#[derive(Clone, Debug)]
pub struct Release {
    /// The version (`1.22.10`, `1.20`, `1.23rc1`).
    pub version: GoVersion,
    /// Whether the index calls it stable (not a beta or RC).
    pub stable: bool,
    /// Its files (the bootstrap pseudo-files are dropped).
    pub files: Vec<IndexFile>,
}

/// The parsed index, newest release first.
#[derive(Clone, Debug)]
pub struct Index {
    /// Where it came from, for messages: any password in it is masked
    /// (see [`crate::redact`]).
    pub url: String,
    /// Releases, newest first, each version once.
    pub releases: Vec<Release>,
}

impl Index {
    /// Parses index JSON fetched from `url`.
    pub fn parse(bytes: &[u8], url: &str) -> Result<Self> {
        let malformed = |what: String| {
            Error::new(
                ErrorKind::MalformedIndex,
                format!("the release index at {url} is not in go.dev/dl JSON format: {what}"),
            )
            .with_hint("check GOVER_INDEX_URL (or `index_url` in config.toml); it must serve a JSON array like https://go.dev/dl/?mode=json&include=all")
        };
        let raw: Vec<RawRelease> =
            serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        let mut releases: Vec<Release> = Vec::with_capacity(raw.len());
        for r in raw {
            // `go1` is the bootstrap pseudo-release; other unparsable names
            // are skipped rather than failing the whole index.
            let Some(version) = GoVersion::from_toolchain(&r.version) else {
                continue;
            };
            if version.minor_is_implicit() {
                continue;
            }
            let files = r
                .files
                .into_iter()
                .filter(|f| f.arch != "bootstrap" && !f.filename.is_empty())
                .collect();
            releases.push(Release {
                stable: r.stable && !version.is_prerelease(),
                version,
                files,
            });
        }
        if releases.is_empty() {
            return Err(malformed("it lists no Go releases".into()));
        }
        releases.sort_by(|a, b| b.version.cmp(&a.version));
        releases.dedup_by(|a, b| a.version == b.version);
        Ok(Self {
            url: crate::redact::redact_url(url),
            releases,
        })
    }

    /// The release equal to `v`, if listed.
    pub fn find(&self, v: &GoVersion) -> Option<&Release> {
        self.releases.iter().find(|r| &r.version == v)
    }

    /// The release `req` names: the exact version, the newest stable of a
    /// line, or the newest stable overall.
    pub fn resolve(&self, req: &VersionRequest) -> Result<&Release> {
        if let VersionRequest::System = req {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "`system` is the Go found on PATH outside gover; it cannot be installed",
            )
            .with_hint("name a version, such as `gover install 1.22`"));
        }
        let found = self
            .releases
            .iter()
            .filter(|r| req.matches(&r.version) && (r.stable || req.exact().is_some()))
            .max_by(|a, b| a.version.cmp(&b.version));
        if let Some(r) = found {
            return Ok(r);
        }
        let near = self.nearest(req);
        let mut msg = match req {
            VersionRequest::Exact(v) => {
                format!(
                    "{} is not in the release index {}",
                    v.toolchain_name(),
                    self.url
                )
            }
            VersionRequest::Line(l) => format!(
                "the release index {} has no stable release of Go {}",
                self.url, l
            ),
            _ => format!("the release index {} lists no stable release", self.url),
        };
        if !near.is_empty() {
            msg.push_str("; nearest available: ");
            msg.push_str(&near.join(", "));
        }
        let hint = match req {
            VersionRequest::Line(l) => {
                match self
                    .releases
                    .iter()
                    .find(|r| l.same_line(&r.version) && r.version.is_prerelease())
                {
                    Some(pre) => format!(
                        "only pre-releases of Go {l} exist so far; install one by name, e.g. `gover install {}`",
                        pre.version
                    ),
                    None => "run `gover list --remote --all` to see every version".to_string(),
                }
            }
            _ => "run `gover list --remote --all` to see every version".to_string(),
        };
        Err(Error::new(ErrorKind::UnknownVersion, msg).with_hint(hint))
    }

    /// Up to five listed versions closest to what `req` asks for: the same
    /// minor line first, else the neighbours in version order.
    pub fn nearest(&self, req: &VersionRequest) -> Vec<String> {
        let target = match req {
            VersionRequest::Exact(v) | VersionRequest::Line(v) => v,
            _ => {
                return self
                    .releases
                    .iter()
                    .take(3)
                    .map(|r| r.version.toolchain_name())
                    .collect()
            }
        };
        let same: Vec<String> = self
            .releases
            .iter()
            .filter(|r| r.version.same_line(target))
            .take(5)
            .map(|r| r.version.toolchain_name())
            .collect();
        if !same.is_empty() {
            return same;
        }
        // Releases are newest first: find where the target would sit.
        let pos = self
            .releases
            .iter()
            .position(|r| r.version < *target)
            .unwrap_or(self.releases.len());
        let lo = pos.saturating_sub(2);
        let hi = (pos + 2).min(self.releases.len());
        self.releases[lo..hi]
            .iter()
            .map(|r| r.version.toolchain_name())
            .collect()
    }
}

impl Release {
    /// The `.tar.gz` archive of this release for `platform`.
    ///
    /// Errors: no archive for the platform (naming the platforms that are
    /// published, and noting that a new release may still be uploading),
    /// or only a Windows `.zip`.
    pub fn archive_for(&self, platform: &Platform, index_url: &str) -> Result<&IndexFile> {
        let candidates: Vec<&IndexFile> = self
            .files
            .iter()
            .filter(|f| f.kind == "archive" && platform.matches(&f.os, &f.arch))
            .collect();
        let name = self.version.toolchain_name();
        let canonical = format!("{name}.{}-{}.tar.gz", platform.os, platform.arch);
        if let Some(f) = candidates
            .iter()
            .find(|f| f.filename == canonical)
            .or_else(|| candidates.iter().find(|f| f.filename.ends_with(".tar.gz")))
        {
            return Ok(f);
        }
        if candidates.iter().any(|f| f.filename.ends_with(".zip")) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{name} for {platform} is only published as a .zip archive, and gover does not install .zip archives yet"
                ),
            )
            .with_hint("Windows support is planned; use the official installer meanwhile"));
        }
        let mut published: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.kind == "archive" && !f.os.is_empty())
            .map(|f| format!("{}-{}", f.os, f.arch))
            .collect();
        published.sort();
        published.dedup();
        let listed = if published.is_empty() {
            "it lists no binary archives for it at all".to_string()
        } else {
            format!("it lists {}", published.join(", "))
        };
        Err(Error::new(
            ErrorKind::PlatformNotPublished,
            format!(
                "{name} has no archive for {platform} in the release index {index_url} ({listed})"
            ),
        )
        .with_hint("new releases are listed before every archive is uploaded, so try again later; or pick another version (`gover list --remote`) or platform (`--platform`)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"[
 {"version": "go1.23rc1", "stable": false, "files": [
   {"filename": "go1.23rc1.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "version": "go1.23rc1", "sha256": "aa", "size": 1, "kind": "archive"}]},
 {"version": "go1.22.10", "stable": true, "files": [
   {"filename": "go1.22.10.src.tar.gz", "os": "", "arch": "", "version": "go1.22.10", "sha256": "", "size": 1, "kind": "source"},
   {"filename": "go1.22.10.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "version": "go1.22.10", "sha256": "f6c8a87aa03b92c4b0bf3d558e28ea03006eb29db78917daec5cfb6ec1046265", "size": 68988925, "kind": "archive"},
   {"filename": "go1.22.10.linux-armv6l.tar.gz", "os": "linux", "arch": "armv6l", "version": "go1.22.10", "sha256": "", "size": 1, "kind": "archive"},
   {"filename": "go1.22.10.freebsd-arm.tar.gz", "os": "freebsd", "arch": "armv6l", "version": "go1.22.10", "sha256": "", "size": 1, "kind": "archive"},
   {"filename": "go1.22.10.windows-amd64.zip", "os": "windows", "arch": "amd64", "version": "go1.22.10", "sha256": "", "size": 1, "kind": "archive"}]},
 {"version": "go1.22.9", "stable": true, "files": []},
 {"version": "go1.20", "stable": true, "files": []},
 {"version": "go1.4", "stable": true, "files": [
   {"filename": "go1.4.darwin-amd64-osx10.6.tar.gz", "os": "darwin", "arch": "amd64", "sha256": "", "kind": "archive"},
   {"filename": "go1.4.darwin-amd64-osx10.8.tar.gz", "os": "darwin", "arch": "amd64", "sha256": "", "kind": "archive"}]},
 {"version": "go1", "stable": true, "files": [
   {"filename": "go1.4-bootstrap-20170531.tar.gz", "os": "4", "arch": "bootstrap", "version": "go1", "sha256": "", "size": 1, "kind": "archive"}]}
]"#;

    fn req(s: &str) -> VersionRequest {
        VersionRequest::parse(s).unwrap()
    }

    #[test]
    fn parses_with_quirks() {
        let idx = Index::parse(SAMPLE.as_bytes(), "http://x/index").unwrap();
        let names: Vec<_> = idx
            .releases
            .iter()
            .map(|r| r.version.toolchain_name())
            .collect();
        assert_eq!(
            names,
            ["go1.23rc1", "go1.22.10", "go1.22.9", "go1.20", "go1.4"]
        );
        assert_eq!(
            idx.resolve(&req("latest")).unwrap().version.as_str(),
            "1.22.10"
        );
        assert_eq!(
            idx.resolve(&req("1.22")).unwrap().version.as_str(),
            "1.22.10"
        );
        assert_eq!(
            idx.resolve(&req("1.23rc1")).unwrap().version.as_str(),
            "1.23rc1"
        );
        assert_eq!(
            idx.resolve(&req("1.20.0")).unwrap().version.as_str(),
            "1.20"
        );
        let host = Platform::parse("linux-amd64").unwrap();
        let r = idx.resolve(&req("1.22.10")).unwrap();
        let f = r.archive_for(&host, &idx.url).unwrap();
        assert_eq!(f.size, 68988925);
        assert!(f.sha256_bytes().is_some());
        assert!(r
            .files
            .iter()
            .find(|f| f.kind == "source")
            .unwrap()
            .sha256_bytes()
            .is_none());
        let arm = r
            .archive_for(&Platform::parse("linux-arm").unwrap(), &idx.url)
            .unwrap();
        assert_eq!(arm.filename, "go1.22.10.linux-armv6l.tar.gz");
        let farm = r
            .archive_for(&Platform::parse("freebsd-arm").unwrap(), &idx.url)
            .unwrap();
        assert_eq!(farm.filename, "go1.22.10.freebsd-arm.tar.gz");
        let darwin = idx.resolve(&req("1.4")).unwrap();
        assert!(darwin
            .archive_for(&Platform::parse("darwin-amd64").unwrap(), &idx.url)
            .unwrap()
            .filename
            .starts_with("go1.4.darwin-amd64-osx10."));
    }

    /// §2.1/§2.4/§2.6: patch pre-releases sort below their release,
    /// `stable` never admits a beta/RC, installers and the odd `arm6` arch
    /// are never picked as archives.
    #[test]
    fn old_index_quirks() {
        let json = r#"[
 {"version": "go1.9.2", "stable": true, "files": [
   {"filename": "go1.9.2.darwin-amd64.pkg", "os": "darwin", "arch": "amd64", "sha256": "", "kind": "installer"},
   {"filename": "go1.9.2.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "sha256": "", "kind": "archive"}]},
 {"version": "go1.9.2rc2", "stable": true, "files": []},
 {"version": "go1.9.1", "stable": true, "files": []},
 {"version": "go1.6beta1", "stable": false, "files": [
   {"filename": "go1.6beta1.linux-arm6.tar.gz", "os": "linux", "arch": "arm6", "sha256": "", "kind": "archive"}]}
]"#;
        let idx = Index::parse(json.as_bytes(), "http://x/i").unwrap();
        let names: Vec<_> = idx
            .releases
            .iter()
            .map(|r| (r.version.toolchain_name(), r.stable))
            .collect();
        assert_eq!(
            names,
            [
                ("go1.9.2".to_string(), true),
                ("go1.9.2rc2".to_string(), false),
                ("go1.9.1".to_string(), true),
                ("go1.6beta1".to_string(), false),
            ]
        );
        assert_eq!(idx.resolve(&req("1.9")).unwrap().version.as_str(), "1.9.2");
        assert_eq!(
            idx.resolve(&req("1.9.2rc2")).unwrap().version.as_str(),
            "1.9.2rc2"
        );
        let r = idx.resolve(&req("1.9.2")).unwrap();
        let e = r
            .archive_for(&Platform::parse("darwin-amd64").unwrap(), &idx.url)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PlatformNotPublished, "{e}");
        let beta = idx.resolve(&req("1.6beta1")).unwrap();
        let e = beta
            .archive_for(&Platform::parse("linux-arm").unwrap(), &idx.url)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PlatformNotPublished, "{e}");
    }

    #[test]
    fn the_url_kept_for_messages_has_its_password_masked() {
        let idx = Index::parse(SAMPLE.as_bytes(), "https://me:pw@mirror/index.json").unwrap();
        assert_eq!(idx.url, "https://me:***@mirror/index.json");
        let e = Index::parse(b"{", "https://me:pw@mirror/index.json").unwrap_err();
        assert!(!e.to_string().contains(":pw@"), "{e}");
    }

    #[test]
    fn errors_name_the_index_and_what_exists() {
        let idx = Index::parse(SAMPLE.as_bytes(), "http://x/index").unwrap();
        let e = idx.resolve(&req("1.22.99")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownVersion);
        assert!(
            e.to_string()
                .contains("go1.22.99 is not in the release index http://x/index"),
            "{e}"
        );
        assert!(e.to_string().contains("go1.22.10, go1.22.9"), "{e}");
        let e = idx.resolve(&req("1.23")).unwrap_err();
        assert!(e.hint().unwrap().contains("gover install 1.23rc1"), "{e:?}");
        let e = idx.resolve(&req("1.21.5")).unwrap_err();
        assert!(e.to_string().contains("go1.22.9, go1.20"), "{e}");
        let r = idx.resolve(&req("1.22.10")).unwrap();
        let e = r
            .archive_for(&Platform::parse("plan9-386").unwrap(), &idx.url)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PlatformNotPublished);
        assert!(e.to_string().contains("no archive for plan9-386"), "{e}");
        assert!(e.to_string().contains("linux-amd64"), "{e}");
        let e = r
            .archive_for(&Platform::parse("windows-amd64").unwrap(), &idx.url)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.to_string().contains(".zip"), "{e}");
        for bad in ["", "{}", "[", "[]", "<html>"] {
            let e = Index::parse(bad.as_bytes(), "http://x/i").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedIndex);
            assert!(e.to_string().contains("http://x/i"), "{e}");
        }
    }

    #[test]
    fn sha256_hex() {
        let d = parse_sha256("f6c8a87aa03b92c4b0bf3d558e28ea03006eb29db78917daec5cfb6ec1046265")
            .unwrap();
        assert_eq!(
            hex(&d),
            "f6c8a87aa03b92c4b0bf3d558e28ea03006eb29db78917daec5cfb6ec1046265"
        );
        assert!(parse_sha256("").is_none());
        assert!(parse_sha256(&"zz".repeat(32)).is_none());
    }
}
