//! GOSUMDB: which checksum database to trust, as Go reads it.
//!
//! Forms: `off`; a known database name (`sum.golang.org`); a verifier key
//! `name+hash+key`; either followed by a space and the URL to reach it
//! (`"<key> <url>"`). `sum.golang.google.cn` means sum.golang.org reached at
//! `https://sum.golang.google.cn`. Without a URL the database is reached
//! through the GOPROXY proxies that support it, else at `https://<name>`
//! (see [`crate::goproxy::ProxyList::sumdb_base`]).
//!
//! For the toolchain module the database is required: `off` is refused
//! (GONOSUMDB, GOPRIVATE and GOINSECURE do not apply), except when GOPROXY
//! is a single `file://` URL, as in Go.

use std::path::PathBuf;

use crate::error::{shown, Error, ErrorKind, Result};
use crate::goproxy::ProxyList;
use crate::note::{Verifier, SUM_GOLANG_ORG_KEY};

/// Go's default GOSUMDB (GOROOT/go.env).
pub const DEFAULT_GOSUMDB: &str = "sum.golang.org";

/// The databases known by name, and their keys.
const KNOWN: &[(&str, &str)] = &[("sum.golang.org", SUM_GOLANG_ORG_KEY)];

/// A parsed GOSUMDB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoSumDb {
    /// `off`: no checksum database.
    Off,
    /// A database to verify against.
    On(Database),
}

/// A checksum database: its key, and the URL GOSUMDB gives for it (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    verifier: Verifier,
    url: Option<String>,
}

impl Database {
    /// The database for a verifier, reached at `url` or (when `None`)
    /// through proxies or at `https://<name>`.
    pub fn new(verifier: Verifier, url: Option<String>) -> Result<Self> {
        check_name(verifier.name())?;
        if let Some(u) = &url {
            check_url(u)?;
        }
        Ok(Self { verifier, url })
    }

    /// sum.golang.org.
    pub fn sum_golang_org() -> Self {
        Self {
            verifier: Verifier::sum_golang_org(),
            url: None,
        }
    }

    /// The database's name (its key's name): `sum.golang.org`.
    pub fn name(&self) -> &str {
        self.verifier.name()
    }

    /// The key notes must be signed with.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The URL GOSUMDB gives, if any.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The database's own URL: GOSUMDB's, else `https://<name>`.
    pub fn direct_url(&self) -> String {
        self.url
            .clone()
            .unwrap_or_else(|| format!("https://{}", self.name()))
    }

    /// A relative directory for this database's state and cache
    /// (`sum.golang.org`; a name with a path gives nested directories).
    /// Names are checked: no `..`, no absolute paths.
    pub fn dir_name(&self) -> PathBuf {
        self.name().split('/').collect()
    }
}

fn config_error(value: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("invalid GOSUMDB `{}`: {why}", shown(value, 200)),
    )
    .with_hint("GOSUMDB is `sum.golang.org` (the default), `<name>+<hash>+<key>`, either followed by a space and a URL, or `off`")
}

/// Checks a database name: `host[/path]`, as a URL `https://<name>` would
/// need it, and safe as a relative directory.
fn check_name(name: &str) -> Result<()> {
    let mut parts = name.split('/');
    let host = parts.next().unwrap_or("");
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
        && !host.starts_with(['.', ':', '-'])
        && host != "..";
    let path_ok = parts.all(|p| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
    });
    if host_ok && path_ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Config,
            format!(
                "invalid checksum database name (must be host[/path]): {}",
                shown(name, 100)
            ),
        ))
    }
}

/// Checks a database URL: http, https or file.
fn check_url(url: &str) -> Result<()> {
    let ok = ["https://", "http://", "file:///"]
        .iter()
        .any(|p| url.len() > p.len() && url.starts_with(p))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Config,
            format!(
                "invalid GOSUMDB URL: {} (must be https://, http:// or file://)",
                shown(&crate::goproxy::redact(url), 100)
            ),
        ))
    }
}

/// Parses GOSUMDB as Go does.
pub fn parse(value: &str) -> Result<GoSumDb> {
    let value = if value == "sum.golang.google.cn" {
        "sum.golang.org https://sum.golang.google.cn"
    } else {
        value
    };
    if value == "off" {
        return Ok(GoSumDb::Off);
    }
    let fields: Vec<&str> = value.split_whitespace().collect();
    let (key, url) = match fields[..] {
        [] => return Err(config_error(value, "missing GOSUMDB")),
        [k] => (k, None),
        [k, u] => (k, Some(u.to_string())),
        _ => return Err(config_error(value, "too many fields")),
    };
    let key = KNOWN
        .iter()
        .find(|(n, _)| *n == key)
        .map_or(key, |(_, k)| *k);
    let verifier = Verifier::parse(key).map_err(|e| config_error(value, e.message()))?;
    Database::new(verifier, url)
        .map(GoSumDb::On)
        .map_err(|e| config_error(value, e.message()))
}

/// How a toolchain download is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolchainCheck<'a> {
    /// Against this database: required.
    Database(&'a Database),
    /// Not at all: GOSUMDB is `off` and GOPROXY a single `file://` URL,
    /// the one case Go allows (testing a distribution).
    NotRequired,
}

impl GoSumDb {
    /// How a toolchain from `proxies` is verified: the database is
    /// required, and GOSUMDB=off is an error (as in Go) unless GOPROXY is a
    /// single `file://` URL.
    pub fn for_toolchain(&self, proxies: &ProxyList) -> Result<ToolchainCheck<'_>> {
        match self {
            GoSumDb::On(db) => Ok(ToolchainCheck::Database(db)),
            GoSumDb::Off if proxies.is_single_file() => Ok(ToolchainCheck::NotRequired),
            GoSumDb::Off => Err(Error::new(
                ErrorKind::Config,
                "verifying golang.org/toolchain: checksum database disabled by GOSUMDB=off",
            )
            .with_hint("Go toolchains are always verified against the checksum database: unset GOSUMDB (or `go env -u GOSUMDB`), or set it to sum.golang.org or a database you trust")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goproxy;

    fn on(v: &str) -> Database {
        match parse(v).unwrap() {
            GoSumDb::On(d) => d,
            GoSumDb::Off => panic!("off"),
        }
    }

    #[test]
    fn every_form_parses_as_in_go() {
        assert_eq!(parse("off").unwrap(), GoSumDb::Off);
        let d = on("sum.golang.org");
        assert_eq!(d.verifier().to_string(), SUM_GOLANG_ORG_KEY);
        assert_eq!(d.url(), None);
        assert_eq!(d.direct_url(), "https://sum.golang.org");
        assert_eq!(on(SUM_GOLANG_ORG_KEY), d);
        let cn = on("sum.golang.google.cn");
        assert_eq!(cn.name(), "sum.golang.org");
        assert_eq!(cn.verifier(), d.verifier());
        assert_eq!(cn.url(), Some("https://sum.golang.google.cn"));
        let own = on(&format!(
            "{SUM_GOLANG_ORG_KEY} http://127.0.0.1:5000/sumdb/sum.golang.org"
        ));
        assert_eq!(
            own.direct_url(),
            "http://127.0.0.1:5000/sumdb/sum.golang.org"
        );
        assert_eq!(
            on("sum.golang.org https://mirror.example").url(),
            Some("https://mirror.example")
        );
        assert_eq!(
            on("sum.golang.org").dir_name(),
            PathBuf::from("sum.golang.org")
        );
    }

    #[test]
    fn bad_values_are_refused() {
        for (v, why) in [
            ("", "missing GOSUMDB"),
            ("   ", "missing GOSUMDB"),
            ("a b c", "too many fields"),
            ("sum.example.com", "three parts"),
            ("sum.golang.org ftp://x", "invalid GOSUMDB URL"),
            (
                "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "does not match",
            ),
            ("OFF", "three parts"),
        ] {
            let e = parse(v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{v}");
            assert!(e.to_string().contains(why), "{v}: {e}");
        }
        // A key whose name is no host: refused, and never a path outside.
        for name in ["../x", "a/../b", "/abs", "a//b", ".hidden"] {
            let mut enc = vec![1u8];
            enc.extend_from_slice(&[0x11; 32]);
            let v = crate::note::Verifier::parse(&format!(
                "{name}+{:08x}+{}",
                crate::note::key_hash(name, &enc),
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &enc)
            ));
            if let Ok(v) = v {
                let e = Database::new(v, None).unwrap_err();
                assert!(e.to_string().contains("must be host[/path]"), "{name}: {e}");
            }
        }
    }

    #[test]
    fn toolchains_require_the_database() {
        let def = goproxy::parse(goproxy::DEFAULT_GOPROXY).unwrap();
        let e = GoSumDb::Off.for_toolchain(&def).unwrap_err();
        assert_eq!(
            e.to_string(),
            "verifying golang.org/toolchain: checksum database disabled by GOSUMDB=off"
        );
        let file = goproxy::parse("file:///srv/dist").unwrap();
        assert_eq!(
            GoSumDb::Off.for_toolchain(&file).unwrap(),
            ToolchainCheck::NotRequired
        );
        let db = parse("sum.golang.org").unwrap();
        assert!(matches!(
            db.for_toolchain(&file).unwrap(),
            ToolchainCheck::Database(_)
        ));
    }
}
