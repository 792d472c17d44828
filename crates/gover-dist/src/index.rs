//! The release index in go.dev/dl JSON format (`?mode=json&include=all`):
//! the parser and, next to it, the writer `gover mirror` uses.
//!
//! Parsing tolerates the real index's quirks: empty `sha256` on ancient
//! releases, the `go1` bootstrap pseudo-release (`"os": "4"`, `"arch":
//! "bootstrap"`), duplicate darwin archives (`-osx10.8`), odd architectures
//! and releases whose archives are still being uploaded. Everything in it
//! is untrusted: an entry that is not well-formed (a negative size, a file
//! name that is not one plain path segment, control characters in `os` or
//! `arch`) is skipped with a warning, never allowed to reject the whole
//! index or to name a path outside a mirror.

use serde::{Deserialize, Serialize};

use gover_core::fs::is_plain_file_name;
use gover_core::text::shorten;
use gover_core::{GoVersion, VersionRequest};

use crate::error::{for_terminal, Error, ErrorKind, Result};
use crate::platform::Platform;

/// One file of a release, as listed by the index.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct IndexFile {
    /// File name under the mirror (`go1.22.10.linux-amd64.tar.gz`); always
    /// one plain path segment in a parsed [`Index`].
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

    /// The sha256 this file of release `version` must have, or the error
    /// that says why the index `index_url` gives none: no digest at all
    /// (the oldest releases published only SHA1), or text that is not one.
    pub fn expected_sha256(&self, version: &GoVersion, index_url: &str) -> Result<[u8; 32]> {
        if let Some(d) = self.sha256_bytes() {
            return Ok(d);
        }
        let name = &self.filename;
        let given = self.sha256.trim();
        if given.is_empty() {
            let old = GoVersion::parse("1.6").is_some_and(|v| *version < v);
            let why = if old {
                " (releases before go1.6 only published SHA1 checksums)"
            } else {
                ""
            };
            return Err(Error::new(
                ErrorKind::ChecksumMismatch,
                format!("the release index {index_url} lists no sha256 for {name}{why}, and gover uses only verified archives"),
            )
            .with_hint(format!(
                "download it yourself, check it, and run `gover install --from {name} --sha256 HEX`"
            )));
        }
        Err(Error::new(
            ErrorKind::MalformedIndex,
            format!(
                "the release index {index_url} lists `{}` as the sha256 of {name}, which is not one: a sha256 is 64 hexadecimal digits, this has {} characters",
                shorten(given, 80),
                given.chars().count()
            ),
        )
        .with_hint("the index is damaged or was tampered with; nothing was downloaded. Check GOVER_INDEX_URL, or try again later"))
    }

    /// The platform of a binary archive (`None` for the source archive).
    pub fn platform(&self) -> Option<Platform> {
        Platform::parse(&format!("{}-{}", self.os, self.arch)).ok()
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

/// A release as the JSON has it, with its files already typed (the fast
/// path) or still raw (the path that skips bad entries one by one).
#[derive(Deserialize)]
struct RawRelease<F> {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default = "Vec::new")]
    files: Vec<F>,
}

/// One release of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Where it came from, for messages: any password in it is masked.
    pub url: String,
    /// Releases, newest first, each version once.
    pub releases: Vec<Release>,
    /// Entries skipped or duplicated, one warning each (already escaped
    /// for a terminal).
    pub warnings: Vec<String>,
}

/// True for the `os`, `arch` and `kind` values an index may hold: short,
/// lowercase letters, digits and `.`, `_`, `-` (the bootstrap
/// pseudo-release's `"os": "4"` included).
fn is_index_word(s: &str) -> bool {
    s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Builds an [`Index`], noting what it skips.
struct Builder<'a> {
    url: &'a str,
    releases: Vec<Release>,
    warnings: Vec<String>,
    names: std::collections::HashSet<String>,
}

impl Builder<'_> {
    fn warn(&mut self, what: String) {
        self.warnings.push(for_terminal(&format!(
            "the release index {}: {what}",
            self.url
        )));
    }

    /// Adds one release, skipping (with a warning) what is not well-formed.
    fn release<F>(&mut self, raw: RawRelease<F>, file: impl Fn(F) -> Result<IndexFile, String>) {
        // `go1` is the bootstrap pseudo-release.
        let version = match GoVersion::from_toolchain(&raw.version) {
            Some(v) if v.minor_is_implicit() => return,
            Some(v) => v,
            None => {
                self.warn(format!(
                    "skipping the release `{}`, which is not a Go release name",
                    shorten(&raw.version, 60)
                ));
                return;
            }
        };
        let name = version.toolchain_name();
        if self.releases.iter().any(|r| r.version == version) {
            self.warn(format!("{name} is listed twice; using the first"));
            return;
        }
        let mut files = Vec::with_capacity(raw.files.len());
        for f in raw.files {
            match file(f) {
                Ok(f) => {
                    if let Some(f) = self.checked(&name, f) {
                        files.push(f);
                    }
                }
                Err(e) => self.warn(format!("skipping a file of {name}: {e}")),
            }
        }
        self.releases.push(Release {
            stable: raw.stable && !version.is_prerelease(),
            version,
            files,
        });
    }

    /// `f` when it may be used; `None` (with a warning unless it is the
    /// bootstrap pseudo-file) when not.
    fn checked(&mut self, release: &str, f: IndexFile) -> Option<IndexFile> {
        if f.arch == "bootstrap" || f.filename.is_empty() {
            return None;
        }
        if !is_plain_file_name(&f.filename) {
            self.warn(format!(
                "skipping {release}'s file `{}`: a file name from an index must be one plain path segment (no `/`, `\\`, `..`, leading `.` or control characters)",
                shorten(&f.filename, 80)
            ));
            return None;
        }
        if let Some(bad) = [&f.os, &f.arch, &f.kind]
            .into_iter()
            .find(|w| !is_index_word(w))
        {
            self.warn(format!(
                "skipping {release}'s file {}: `{}` is not an os, arch or kind",
                f.filename,
                shorten(bad, 40)
            ));
            return None;
        }
        if !self.names.insert(f.filename.clone()) {
            self.warn(format!("{} is listed twice; using the first", f.filename));
            return None;
        }
        Some(f)
    }
}

impl Index {
    /// Parses index JSON fetched from `url` (the URL as shown in messages:
    /// masked). The JSON must be an array of releases; a release or file
    /// that is not well-formed is skipped with a warning (see
    /// [`Index::warnings`]).
    pub fn parse(bytes: &[u8], url: &str) -> Result<Self> {
        let url = for_terminal(url);
        let malformed = |what: String| {
            Error::new(
                ErrorKind::MalformedIndex,
                format!("the release index at {url} is not in go.dev/dl JSON format: {what}"),
            )
            .with_hint("check GOVER_INDEX_URL (or `index_url` in config.toml); it must serve a JSON array like https://go.dev/dl/?mode=json&include=all")
        };
        let mut b = Builder {
            url: &url,
            releases: Vec::new(),
            warnings: Vec::new(),
            names: Default::default(),
        };
        match serde_json::from_slice::<Vec<RawRelease<IndexFile>>>(bytes) {
            Ok(raw) => {
                for r in raw {
                    b.release(r, Ok);
                }
            }
            Err(_) => {
                let raw: Vec<serde_json::Value> =
                    serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
                for value in raw {
                    match serde_json::from_value::<RawRelease<serde_json::Value>>(value) {
                        Ok(r) => {
                            b.release(r, |f| serde_json::from_value(f).map_err(|e| e.to_string()))
                        }
                        Err(e) => b.warn(format!("skipping an entry that is not a release: {e}")),
                    }
                }
            }
        }
        let Builder {
            mut releases,
            warnings,
            ..
        } = b;
        if releases.is_empty() {
            return Err(malformed("it lists no Go releases".into()));
        }
        releases.sort_by(|a, b| b.version.cmp(&a.version));
        Ok(Self {
            url,
            releases,
            warnings,
        })
    }

    /// `releases` as index JSON in go.dev's exact format: releases newest
    /// first, files by os, arch, kind and name, fields in go.dev's order,
    /// one-space indent, lowercase digests, a final newline. What
    /// [`Index::parse`] reads back unchanged.
    pub fn render(releases: &[Release]) -> Vec<u8> {
        let mut sorted: Vec<&Release> = releases.iter().collect();
        sorted.sort_by(|a, b| b.version.cmp(&a.version));
        let json: Vec<JsonRelease> = sorted
            .into_iter()
            .map(|r| {
                let mut files: Vec<&IndexFile> = r.files.iter().collect();
                files.sort_by(|a, b| {
                    (&a.os, &a.arch, &a.kind, &a.filename).cmp(&(
                        &b.os,
                        &b.arch,
                        &b.kind,
                        &b.filename,
                    ))
                });
                let version = r.version.toolchain_name();
                JsonRelease {
                    files: files
                        .into_iter()
                        .map(|f| JsonFile {
                            filename: &f.filename,
                            os: &f.os,
                            arch: &f.arch,
                            version: version.clone(),
                            sha256: f.sha256.to_ascii_lowercase(),
                            size: f.size,
                            kind: &f.kind,
                        })
                        .collect(),
                    version,
                    stable: r.stable,
                }
            })
            .collect();
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            serde_json::ser::PrettyFormatter::with_indent(b" "),
        );
        // Serializing plain strings and numbers into a Vec cannot fail.
        let _ = json.serialize(&mut ser);
        out.push(b'\n');
        out
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

/// A release as go.dev writes it, fields in its order.
#[derive(Serialize)]
struct JsonRelease<'a> {
    version: String,
    stable: bool,
    files: Vec<JsonFile<'a>>,
}

/// A file as go.dev writes it, fields in its order.
#[derive(Serialize)]
struct JsonFile<'a> {
    filename: &'a str,
    os: &'a str,
    arch: &'a str,
    version: String,
    sha256: String,
    size: u64,
    kind: &'a str,
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
        .with_hint(format!(
            "{name} was not published for {platform}: pick a release that was (`gover list --remote --platform {platform}` lists them) or another platform (`--platform`)"
        )))
    }
}

impl Index {
    /// [`Release::archive_for`] for a release of this index, with the
    /// hint only the whole index can give: when `release` is the newest in
    /// it and an older one was published for `platform`, its archives may
    /// still be uploading (new releases are listed first), so trying again
    /// later may work.
    pub fn archive_of<'r>(
        &self,
        release: &'r Release,
        platform: &Platform,
    ) -> Result<&'r IndexFile> {
        let err = match release.archive_for(platform, &self.url) {
            Ok(f) => return Ok(f),
            Err(e) if e.kind() == ErrorKind::PlatformNotPublished => e,
            Err(e) => return Err(e),
        };
        let newest = self.releases.iter().map(|r| &r.version).max();
        let earlier = self
            .releases
            .iter()
            .filter(|r| r.version < release.version)
            .filter(|r| r.archive_for(platform, &self.url).is_ok())
            .map(|r| &r.version)
            .max();
        match (newest == Some(&release.version), earlier) {
            (true, Some(prev)) => {
                let hint = format!(
                    "{} is the newest release in the index, and {} was published for {platform}: new releases are listed before every archive is uploaded, so try again in a while, or install {} meanwhile",
                    release.version.toolchain_name(),
                    prev.toolchain_name(),
                    prev.toolchain_name()
                );
                Err(Error::new(ErrorKind::PlatformNotPublished, err.to_string()).with_hint(hint))
            }
            _ => Err(err),
        }
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

    /// Patch pre-releases sort below their release,
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
    fn only_the_newest_release_may_still_be_uploading() {
        let idx = Index::parse(SAMPLE.as_bytes(), "http://x/index").unwrap();
        let mac = Platform::parse("darwin-amd64").unwrap();
        // An old release that simply has no such archive.
        let old = idx.resolve(&req("1.22.10")).unwrap();
        let e = idx.archive_of(old, &mac).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PlatformNotPublished);
        let hint = e.hint().unwrap();
        assert!(
            hint.starts_with("go1.22.10 was not published for darwin-amd64"),
            "{hint}"
        );
        assert!(
            hint.contains("`gover list --remote --platform darwin-amd64`"),
            "{hint}"
        );
        assert!(!hint.contains("uploaded"), "{hint}");
        // The newest, when an older one was published for the platform.
        let text = r#"[
            {"version": "go1.23.0", "stable": true, "files": [
                {"filename": "go1.23.0.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "sha256": "", "size": 1, "kind": "archive"}]},
            {"version": "go1.22.10", "stable": true, "files": [
                {"filename": "go1.22.10.linux-arm64.tar.gz", "os": "linux", "arch": "arm64", "sha256": "", "size": 1, "kind": "archive"}]}
        ]"#;
        let idx = Index::parse(text.as_bytes(), "http://x/index").unwrap();
        let arm64 = Platform::parse("linux-arm64").unwrap();
        let new = idx.resolve(&req("1.23.0")).unwrap();
        let e = idx.archive_of(new, &arm64).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PlatformNotPublished);
        let hint = e.hint().unwrap();
        assert!(hint.contains("go1.22.10 was published for linux-arm64: new releases are listed before every archive is uploaded"), "{hint}");
        assert!(
            e.to_string()
                .contains("go1.23.0 has no archive for linux-arm64"),
            "{e}"
        );
        // A platform no release was published for: nothing to wait for.
        let e = idx
            .archive_of(new, &Platform::parse("plan9-arm").unwrap())
            .unwrap_err();
        assert!(!e.hint().unwrap().contains("uploaded"), "{e:?}");
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

    fn file(name: &str, size: i64) -> String {
        format!(
            r#"{{"filename": {}, "os": "linux", "arch": "amd64", "sha256": "{}", "size": {size}, "kind": "archive"}}"#,
            serde_json::to_string(name).unwrap(),
            "ab".repeat(32)
        )
    }

    #[test]
    fn one_bad_entry_is_skipped_with_a_warning_not_the_whole_index() {
        let json = format!(
            r#"[
 {{"version": "go1.22.10", "stable": true, "files": [{}, {}]}},
 {{"version": "go1.22.9", "stable": true, "files": [{}]}},
 "not a release",
 {{"version": "go1.22.8", "stable": true, "files": [{}, {}, {}, {}]}},
 {{"version": "go\u001b]0;title\u0007", "stable": true, "files": []}},
 {{"version": "go1.22.9", "stable": true, "files": []}},
 {{"version": "go1.22.7", "stable": true, "files": [{{"filename": "go1.22.7.linux-amd64.tar.gz", "os": "linux\u001b[2J", "arch": "amd64", "kind": "archive"}}]}}
]"#,
            file("go1.22.10.linux-amd64.tar.gz", -5),
            file("go1.22.10.linux-arm64.tar.gz", 1),
            file("go1.22.9.linux-amd64.tar.gz", 2),
            file("/abs/path/precious.conf", 3),
            file("../victim.txt", 4),
            file("go1.22.8\u{1b}]0;x\u{7}.tar.gz", 5),
            file("go1.22.9.linux-amd64.tar.gz", 6),
        );
        let idx = Index::parse(json.as_bytes(), "http://x/i").unwrap();
        let names: Vec<_> = idx
            .releases
            .iter()
            .map(|r| {
                (
                    r.version.toolchain_name(),
                    r.files
                        .iter()
                        .map(|f| f.filename.as_str())
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "go1.22.10".to_string(),
                    vec!["go1.22.10.linux-arm64.tar.gz"]
                ),
                ("go1.22.9".to_string(), vec!["go1.22.9.linux-amd64.tar.gz"]),
                ("go1.22.8".to_string(), vec![]),
                ("go1.22.7".to_string(), vec![]),
            ]
        );
        let w = idx.warnings.join("\n");
        for want in [
            "skipping a file of go1.22.10: invalid value: integer `-5`, expected u64",
            "skipping an entry that is not a release",
            "skipping go1.22.8's file `/abs/path/precious.conf`: a file name from an index must be one plain path segment",
            "skipping go1.22.8's file `../victim.txt`",
            "skipping go1.22.8's file `go1.22.8\\u{1b}]0;x\\u{7}.tar.gz`",
            "go1.22.9.linux-amd64.tar.gz is listed twice; using the first",
            "go1.22.9 is listed twice; using the first",
            "skipping the release `go\\u{1b}]0;title\\u{7}`",
            "`linux\\u{1b}[2J` is not an os, arch or kind",
        ] {
            assert!(w.contains(want), "{want}\n---\n{w}");
        }
        assert!(!w.contains('\u{1b}') && !w.contains('\u{7}'), "{w}");
        assert_eq!(idx.warnings.len(), 9, "{w}");
        assert!(idx
            .warnings
            .iter()
            .all(|w| w.starts_with("the release index http://x/i: ")));
    }

    #[test]
    fn the_writer_round_trips_through_the_parser() {
        let mut idx = Index::parse(SAMPLE.as_bytes(), "http://x/index").unwrap();
        let json = Index::render(&idx.releases);
        let again = Index::parse(&json, "http://x/index").unwrap();
        // The writer puts files in go.dev's order.
        for r in &mut idx.releases {
            r.files.sort_by(|a, b| {
                (&a.os, &a.arch, &a.kind, &a.filename).cmp(&(&b.os, &b.arch, &b.kind, &b.filename))
            });
        }
        assert_eq!(again.releases, idx.releases);
        assert!(again.warnings.is_empty(), "{:?}", again.warnings);
        assert_eq!(Index::render(&again.releases), json, "stable output");
        // go.dev's exact shape: one-space indent, fields in its order.
        let one = Release {
            version: GoVersion::parse("1.22.10").unwrap(),
            stable: true,
            files: vec![IndexFile {
                filename: "go1.22.10.linux-amd64.tar.gz".into(),
                os: "linux".into(),
                arch: "amd64".into(),
                sha256: "AB".repeat(32),
                size: 7,
                kind: "archive".into(),
            }],
        };
        assert_eq!(
            String::from_utf8(Index::render(&[one])).unwrap(),
            format!(
                "[\n {{\n  \"version\": \"go1.22.10\",\n  \"stable\": true,\n  \"files\": [\n   {{\n    \"filename\": \"go1.22.10.linux-amd64.tar.gz\",\n    \"os\": \"linux\",\n    \"arch\": \"amd64\",\n    \"version\": \"go1.22.10\",\n    \"sha256\": \"{}\",\n    \"size\": 7,\n    \"kind\": \"archive\"\n   }}\n  ]\n }}\n]\n",
                "ab".repeat(32)
            )
        );
        assert_eq!(Index::render(&[]), b"[]\n");
    }

    #[test]
    fn a_missing_or_malformed_sha256_says_which() {
        let v = |s: &str| GoVersion::parse(s).unwrap();
        let f = |sha: &str| IndexFile {
            filename: "go.tar.gz".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            sha256: sha.into(),
            size: 1,
            kind: "archive".into(),
        };
        let e = f("")
            .expected_sha256(&v("1.5.2"), "http://x/i")
            .unwrap_err();
        assert!(e.to_string().contains("lists no sha256 for go.tar.gz (releases before go1.6 only published SHA1 checksums)"), "{e}");
        let e = f("")
            .expected_sha256(&v("1.22.10"), "http://x/i")
            .unwrap_err();
        assert!(!e.to_string().contains("only published"), "{e}");
        let e = f(&"a".repeat(65))
            .expected_sha256(&v("1.22.10"), "http://x/i")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedIndex);
        assert!(
            e.to_string().contains(
                "which is not one: a sha256 is 64 hexadecimal digits, this has 65 characters"
            ),
            "{e}"
        );
        assert!(!e.to_string().contains("only published"), "{e}");
        assert!(f(&"a".repeat(64)).expected_sha256(&v("1.2"), "x").is_ok());
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
