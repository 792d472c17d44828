//! gover's own releases, for `gover self update`: the newest version at a
//! release base URL, a release's `SHA256SUMS`, and a verified download and
//! unpacking of the archive for this machine.
//!
//! A release base URL serves one release, as `scripts/dist` writes it:
//!
//! - `VERSION`: the release's version (`0.2.0`) on the first line;
//! - `SHA256SUMS`: `<sha256>  <file>` for every other file;
//! - `gover-<version>-<target>.tar.gz` per platform, holding
//!   `gover-<version>-<target>/gover` and `.../gover-shim`;
//! - `install.sh` and the PyPI wheel.
//!
//! The base URL of the newest release names the others: one ending in
//! `/releases/latest/download` (GitHub's) becomes
//! `/releases/download/v<V>`, one ending in `/latest` (a mirror's
//! directory per release) becomes `/v<V>` (see [`release_base`]).
//! `file://` URLs and absolute paths are read from disk.

use std::cmp::Ordering;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::http::{Fetched, Http, HttpConfig, Validators};
use crate::index::hex;
use crate::{http_url, local_path};
use crate::{NoProgress, Progress};
use gover_core::url::mask_in_text as redact_url;

/// Where gover's releases are published: the newest one's files.
pub const DEFAULT_BASE_URL: &str = "https://github.com/gover-dev/gover/releases/latest/download";

/// The variable that names another release base URL (a mirror).
pub const BASE_URL_VAR: &str = "GOVER_INSTALL_BASE_URL";

/// The largest `VERSION` or `SHA256SUMS` file gover reads.
const MAX_SMALL_FILE: usize = 1 << 20;

/// The largest release archive, and the largest binary in one.
const MAX_ARCHIVE: u64 = 512 << 20;

/// A version of gover: `MAJOR.MINOR.PATCH`, optionally `-PRERELEASE`
/// (dot-separated ASCII letters, digits and hyphens), ordered as SemVer
/// orders them (a pre-release comes before its release).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReleaseVersion {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Option<String>,
}

impl ReleaseVersion {
    /// Parses `0.2.0`, `v0.2.0` or `0.2.0-rc.1`; `None` for anything else
    /// (including anything longer than 40 characters).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.strip_prefix('v').unwrap_or(s);
        if s.is_empty() || s.len() > 40 {
            return None;
        }
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (s, None),
        };
        let mut nums = core.split('.').map(|n| {
            let ok = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| n.parse::<u64>().ok()).flatten()
        });
        let (major, minor, patch) = (nums.next()??, nums.next()??, nums.next()??);
        if nums.next().is_some() {
            return None;
        }
        if let Some(p) = pre {
            let ident_ok = |i: &str| {
                !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            };
            if !p.split('.').all(ident_ok) {
                return None;
            }
        }
        Some(Self {
            major,
            minor,
            patch,
            pre: pre.map(str::to_string),
        })
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(p) = &self.pre {
            write!(f, "-{p}")?;
        }
        Ok(())
    }
}

impl Ord for ReleaseVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => cmp_prerelease(a, b),
            })
    }
}

impl PartialOrd for ReleaseVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// SemVer's pre-release order: identifier by identifier, numbers as
/// numbers and before words, a shorter list first when all else is equal.
fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    let num = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (num(p), num(q)) {
                    (Some(m), Some(n)) => m.cmp(&n),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// The target triple of this build of gover, as release archives name it,
/// or `None` where gover publishes no build.
pub fn host_target() -> Option<&'static str> {
    let gnu = cfg!(target_env = "gnu");
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") if gnu => Some("x86_64-unknown-linux-gnu"),
        ("aarch64", "linux") if gnu => Some("aarch64-unknown-linux-gnu"),
        ("x86_64", "macos") => Some("x86_64-apple-darwin"),
        ("aarch64", "macos") => Some("aarch64-apple-darwin"),
        _ => None,
    }
}

/// The archive of `version` for `target`: `gover-<version>-<target>.tar.gz`.
pub fn archive_name(version: &ReleaseVersion, target: &str) -> String {
    format!("{}.tar.gz", archive_dir(version, target))
}

/// The one directory inside that archive: `gover-<version>-<target>`.
pub fn archive_dir(version: &ReleaseVersion, target: &str) -> String {
    format!("gover-{version}-{target}")
}

/// The base URL of release `version`, from the base URL of the newest
/// release: `…/releases/latest/download` → `…/releases/download/v<V>`,
/// `…/latest` → `…/v<V>`. `None` when `latest` has neither form.
pub fn release_base(latest: &str, version: &ReleaseVersion) -> Option<String> {
    let b = latest.trim_end_matches('/');
    if let Some(repo) = b.strip_suffix("/releases/latest/download") {
        return Some(format!("{repo}/releases/download/v{version}"));
    }
    b.strip_suffix("/latest")
        .map(|parent| format!("{parent}/v{version}"))
}

/// A parsed `SHA256SUMS`: lowercase hex digest per file name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checksums {
    entries: Vec<(String, String)>,
}

impl Checksums {
    /// Reads `sha256sum` output: `<64 hex digits>  <name>` (or
    /// `<hex> *<name>`) per line. Lines of another shape are skipped.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .lines()
            .filter_map(|line| {
                let (digest, name) = line.trim_end_matches('\r').split_once(' ')?;
                let name = name.trim_start_matches(' ');
                let name = name.strip_prefix('*').unwrap_or(name);
                let ok = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
                (ok && !name.is_empty()).then(|| (name.to_string(), digest.to_ascii_lowercase()))
            })
            .collect();
        Self { entries }
    }

    /// The digest listed for `name` (the first, if listed twice).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.as_str())
    }
}

/// One release base URL and a way to read it.
pub struct Releases {
    base: String,
    config: HttpConfig,
    http: Option<Http>,
}

impl Releases {
    /// Reads the release at `base` (an `http(s)://` or `file://` URL, or an
    /// absolute path) with the network settings `config`.
    pub fn new(base: &str, config: HttpConfig) -> Result<Self> {
        let base = base.trim_end_matches('/').to_string();
        let is_http = base.starts_with("https://") || base.starts_with("http://");
        if !is_http && local_path(&base).is_none() {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a release base URL", redact_url(&base)),
            )
            .with_hint(format!(
                "{BASE_URL_VAR} must be an http(s):// or file:// URL (default: {DEFAULT_BASE_URL})"
            )));
        }
        Ok(Self {
            base,
            config,
            http: None,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `file` in this release.
    pub fn url(&self, file: &str) -> String {
        format!("{}/{file}", self.base)
    }

    fn http(&mut self) -> Result<&Http> {
        if self.http.is_none() {
            self.http = Some(Http::new(self.config.clone())?);
        }
        Ok(self.http.as_ref().expect("just set"))
    }

    /// A small text file of the release (`VERSION`, `SHA256SUMS`).
    fn small_file(&mut self, file: &str) -> Result<String> {
        let url = self.url(file);
        let bytes = match local_path(&url) {
            Some(p) => fs::read(&p).map_err(|e| Error::io("cannot read", &p, e))?,
            None => match self
                .http()?
                .fetch(
                    &http_url(&url)?,
                    &Validators::default(),
                    MAX_SMALL_FILE as u64,
                    &NoProgress,
                )
                .map_err(release_hint)?
            {
                Fetched::Body(b, _) => b,
                Fetched::NotModified => Vec::new(),
            },
        };
        if bytes.len() > MAX_SMALL_FILE {
            return Err(malformed(&url, "is far too large"));
        }
        String::from_utf8(bytes).map_err(|_| malformed(&url, "is not text"))
    }

    /// The release's version, from its `VERSION` file.
    pub fn version(&mut self) -> Result<ReleaseVersion> {
        let text = self.small_file("VERSION")?;
        let first = text.lines().next().unwrap_or("").trim();
        ReleaseVersion::parse(first).ok_or_else(|| {
            malformed(
                &self.url("VERSION"),
                "does not hold a gover version (like 0.2.0)",
            )
        })
    }

    /// The release's `SHA256SUMS`.
    pub fn checksums(&mut self) -> Result<Checksums> {
        let text = self.small_file("SHA256SUMS")?;
        Ok(Checksums::parse(&text))
    }

    /// Downloads `file` of the release into the new file `dest`, checking
    /// that its sha256 is `sha256`; on any failure `dest` is removed.
    /// Returns its size.
    pub fn download(
        &mut self,
        file: &str,
        sha256: &str,
        dest: &Path,
        progress: Arc<dyn Progress>,
    ) -> Result<u64> {
        let url = self.url(file);
        let res = self.download_inner(&url, sha256, dest, progress);
        if res.is_err() {
            let _ = fs::remove_file(dest);
        }
        res
    }

    fn download_inner(
        &mut self,
        url: &str,
        sha256: &str,
        dest: &Path,
        progress: Arc<dyn Progress>,
    ) -> Result<u64> {
        let mut reader: Box<dyn Read> = match local_path(url) {
            Some(p) => Box::new(fs::File::open(&p).map_err(|e| Error::io("cannot open", &p, e))?),
            None => Box::new(
                self.http()?
                    .download(&http_url(url)?, 0, progress.clone())
                    .map_err(release_hint)?,
            ),
        };
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dest)
            .map_err(|e| Error::io("cannot create", dest, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 << 10];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(url, e)),
            };
            size += n as u64;
            if size > MAX_ARCHIVE {
                return Err(malformed(url, "is larger than any gover release archive"));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| Error::io("cannot write", dest, e))?;
            progress.advance(n as u64);
        }
        out.sync_all()
            .map_err(|e| Error::io("cannot write", dest, e))?;
        let got = hex(&hasher.finalize());
        if !got.eq_ignore_ascii_case(sha256) {
            return Err(Error::new(
                ErrorKind::ChecksumMismatch,
                format!(
                    "checksum mismatch for {} ({size} bytes): SHA256SUMS says {}, the download is {got}",
                    redact_url(url),
                    sha256.to_ascii_lowercase()
                ),
            )
            .with_hint(format!("the download is corrupt, cut short or tampered with; try again, and if it persists, check the release server ({BASE_URL_VAR})")));
        }
        Ok(size)
    }
}

fn malformed(url: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::MalformedIndex,
        format!("{} {what}", redact_url(url)),
    )
    .with_hint(format!(
        "is {BASE_URL_VAR} the base URL of a gover release (the directory holding VERSION, SHA256SUMS and the archives)?"
    ))
}

/// An HTTP error status from a release server says where releases come
/// from (the generic hint names the Go mirror settings).
fn release_hint(e: Error) -> Error {
    if e.kind() != ErrorKind::HttpStatus {
        return e;
    }
    e.with_hint(format!(
        "is {BASE_URL_VAR} the base URL of a gover release (the directory holding VERSION, SHA256SUMS and the archives)? Default: {DEFAULT_BASE_URL}"
    ))
}

/// A failed read of a download: the HTTP layer's own error (cut short,
/// reset) when it is one, else an I/O error naming the URL.
fn read_error(url: &str, e: io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(inner) => inner,
        Err(e) => Error::new(
            ErrorKind::Network,
            format!("reading {} failed: {e}", redact_url(url)),
        ),
    }
}

/// Unpacks the regular files `dir/<name>` for each of `names` from the
/// gzip'ed tar `archive` into `dest` (mode 0755), ignoring every other
/// entry. Fails when one is missing, listed twice, not a regular file or
/// too large.
pub fn unpack_binaries(archive: &Path, dir: &str, names: &[&str], dest: &Path) -> Result<()> {
    let f = fs::File::open(archive).map_err(|e| Error::io("cannot open", archive, e))?;
    let mut tar = tar::Archive::new(GzDecoder::new(io::BufReader::new(f)));
    let bad = |what: String| {
        Error::new(
            ErrorKind::BadArchive,
            format!("{}: {what}", archive.display()),
        )
    };
    let mut found = vec![false; names.len()];
    let entries = tar
        .entries()
        .map_err(|e| bad(format!("not a gzip'ed tar archive ({e})")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("corrupt archive ({e})")))?;
        let raw = entry.path_bytes().into_owned();
        let Some(i) = names
            .iter()
            .position(|n| raw == format!("{dir}/{n}").as_bytes())
        else {
            continue;
        };
        let name = names[i];
        if found[i] {
            return Err(bad(format!("{dir}/{name} is in it twice")));
        }
        if !entry.header().entry_type().is_file() {
            return Err(bad(format!("{dir}/{name} is not a regular file")));
        }
        if entry.size() > MAX_ARCHIVE {
            return Err(bad(format!("{dir}/{name} is too large")));
        }
        let path = dest.join(name);
        write_executable(&path, &mut entry).map_err(|e| {
            bad(format!(
                "cannot unpack {dir}/{name} to {}: {e}",
                path.display()
            ))
        })?;
        found[i] = true;
    }
    if let Some(i) = found.iter().position(|f| !f) {
        return Err(bad(format!("{dir}/{} is not in it", names[i])));
    }
    Ok(())
}

fn write_executable(path: &PathBuf, from: &mut impl Read) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o755);
    }
    let mut out = opts.open(path)?;
    io::copy(&mut from.take(MAX_ARCHIVE), &mut out)?;
    out.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ReleaseVersion {
        ReleaseVersion::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(v("v0.2.0").to_string(), "0.2.0");
        assert_eq!(v("1.10.3-rc.1").to_string(), "1.10.3-rc.1");
        for bad in [
            "",
            "v",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.x",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3-a/b",
            "1.2.3 ",
            " 1.2.3",
            "1.2.3-\u{1b}[31m",
            "-1.2.3",
            "1.2.+3",
        ] {
            assert_eq!(ReleaseVersion::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            ReleaseVersion::parse(&format!("1.2.3-{}", "a".repeat(40))),
            None
        );
        let ordered = [
            "0.1.0-alpha",
            "0.1.0-alpha.1",
            "0.1.0-alpha.beta",
            "0.1.0-beta.2",
            "0.1.0-beta.11",
            "0.1.0-rc.1",
            "0.1.0",
            "0.1.1",
            "0.2.0",
            "0.10.0",
            "1.0.0",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("0.1.0").cmp(&v("v0.1.0")), Ordering::Equal);
    }

    #[test]
    fn release_bases() {
        let v = v("0.1.0");
        assert_eq!(
            release_base(DEFAULT_BASE_URL, &v).as_deref(),
            Some("https://github.com/gover-dev/gover/releases/download/v0.1.0")
        );
        assert_eq!(
            release_base("http://mirror.example/gover/latest/", &v).as_deref(),
            Some("http://mirror.example/gover/v0.1.0")
        );
        assert_eq!(release_base("http://mirror.example/gover/v0.2.0", &v), None);
        assert_eq!(release_base("http://mirror.example/notlatest", &v), None);
    }

    #[test]
    fn checksums_parse() {
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        let text = format!(
            "{a}  gover-0.1.0-x86_64-unknown-linux-gnu.tar.gz\r\n{b} *install.sh\nnonsense line\n{}  short\n\n",
            "c".repeat(63)
        );
        let sums = Checksums::parse(&text);
        assert_eq!(
            sums.get("gover-0.1.0-x86_64-unknown-linux-gnu.tar.gz"),
            Some(a.as_str())
        );
        assert_eq!(sums.get("install.sh"), Some("b".repeat(64).as_str()));
        assert_eq!(sums.get("short"), None);
        assert_eq!(sums.get("nonsense"), None);
    }

    #[test]
    fn names() {
        let v = v("0.3.1");
        assert_eq!(
            archive_name(&v, "aarch64-apple-darwin"),
            "gover-0.3.1-aarch64-apple-darwin.tar.gz"
        );
        if cfg!(all(
            target_os = "linux",
            target_arch = "x86_64",
            target_env = "gnu"
        )) {
            assert_eq!(host_target(), Some("x86_64-unknown-linux-gnu"));
        }
    }

    fn tar_gz(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, body, kind) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            if *kind == tar::EntryType::Symlink {
                h.set_link_name("/etc/passwd").unwrap();
            }
            b.append_data(&mut h, path, *body).unwrap();
        }
        let raw = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn unpacks_only_the_named_binaries() {
        use tar::EntryType::{Regular, Symlink};
        let t = tempfile::tempdir().unwrap();
        let archive = t.path().join("a.tar.gz");
        let dest = t.path().join("out");
        let names = ["gover", "gover-shim"];
        let run = |entries: &[(&str, &[u8], tar::EntryType)]| {
            fs::write(&archive, tar_gz(entries)).unwrap();
            let _ = fs::remove_dir_all(&dest);
            fs::create_dir(&dest).unwrap();
            unpack_binaries(&archive, "d", &names, &dest)
        };
        run(&[
            ("d/README.md", b"readme", Regular),
            ("d/gover", b"gover!", Regular),
            ("d/gover-shim", b"shim!", Regular),
            ("other/gover", b"not this", Regular),
        ])
        .unwrap();
        assert_eq!(fs::read(dest.join("gover")).unwrap(), b"gover!");
        assert_eq!(fs::read(dest.join("gover-shim")).unwrap(), b"shim!");
        assert!(!dest.join("README.md").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dest.join("gover"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{mode:o}");
        }

        let e = run(&[("d/gover", b"x", Regular)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadArchive);
        assert!(e.to_string().ends_with("d/gover-shim is not in it"), "{e}");
        let e = run(&[("d/gover", b"x", Regular), ("d/gover-shim", b"", Symlink)]).unwrap_err();
        assert!(e.to_string().contains("is not a regular file"), "{e}");
        let e = run(&[
            ("d/gover", b"x", Regular),
            ("d/gover", b"y", Regular),
            ("d/gover-shim", b"z", Regular),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("d/gover is in it twice"), "{e}");
        fs::write(&archive, b"not gzip").unwrap();
        assert_eq!(
            unpack_binaries(&archive, "d", &names, &dest)
                .unwrap_err()
                .kind(),
            ErrorKind::BadArchive
        );
    }

    #[test]
    fn local_downloads_are_verified() {
        let t = tempfile::tempdir().unwrap();
        let rel = t.path().join("rel");
        fs::create_dir(&rel).unwrap();
        fs::write(rel.join("VERSION"), "0.4.2\n").unwrap();
        fs::write(rel.join("blob"), b"hello").unwrap();
        let good = hex(&Sha256::digest(b"hello"));
        let base = format!("file://{}", rel.display());
        let mut r = Releases::new(&base, HttpConfig::default()).unwrap();
        assert_eq!(r.version().unwrap(), v("0.4.2"));
        let dest = t.path().join("got");
        assert_eq!(
            r.download("blob", &good.to_uppercase(), &dest, Arc::new(NoProgress))
                .unwrap(),
            5
        );
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        let dest2 = t.path().join("got2");
        let e = r
            .download("blob", &"0".repeat(64), &dest2, Arc::new(NoProgress))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ChecksumMismatch);
        assert!(!dest2.exists(), "a bad download is removed");
        fs::write(rel.join("VERSION"), "latest\n").unwrap();
        assert_eq!(r.version().unwrap_err().kind(), ErrorKind::MalformedIndex);
        assert!(Releases::new("ftp://x/y", HttpConfig::default()).is_err());
    }
}
