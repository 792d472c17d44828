//! GOPROXY: the list of module proxies, as Go parses and walks it.
//!
//! Entries are separated by `,` or `|`. After an entry followed by `,`,
//! the next is tried only when this one answered 404 or 410; after `|`, on
//! any error (a timeout included). `direct` (the origin; for the toolchain
//! module `https://go.dev/dl/mod`) and `off` (no downloads) end the list.
//! An entry without a scheme that looks like a host gets `https://`;
//! `file://` URLs are proxies laid out on disk.
//!
//! This module is data and decisions only: the caller does the requests
//! and reports each outcome through [`Failure`].

use crate::error::{shown, Error, ErrorKind, Result};
use crate::gosumdb::Database;

/// Go's default GOPROXY (GOROOT/go.env).
pub const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// Where `direct` fetches the toolchain module from: go.dev answers
/// `go-import` for `golang.org/toolchain` with `mod https://go.dev/dl/mod`.
pub const TOOLCHAIN_DIRECT_URL: &str = "https://go.dev/dl/mod";

/// One GOPROXY entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proxy {
    /// A proxy at an `http://`, `https://` or `file://` URL.
    Url(String),
    /// `direct`: the module's origin.
    Direct,
    /// `off`: downloads are disallowed.
    Off,
}

impl Proxy {
    /// The URL the toolchain module is fetched from: the proxy's, or
    /// [`TOOLCHAIN_DIRECT_URL`] for `direct`; `None` for `off`.
    pub fn toolchain_base(&self) -> Option<&str> {
        match self {
            Proxy::Url(u) => Some(u),
            Proxy::Direct => Some(TOOLCHAIN_DIRECT_URL),
            Proxy::Off => None,
        }
    }

    /// For a `file://` proxy, its directory (percent-decoded).
    pub fn file_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Proxy::Url(u) => u.strip_prefix("file://").map(|p| percent_decode(p).into()),
            _ => None,
        }
    }
}

/// An entry and what follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyEntry {
    /// The proxy.
    pub proxy: Proxy,
    /// Followed by `|`: the next entry is tried after any error, not only
    /// after 404 or 410.
    pub fall_back_on_error: bool,
}

/// A parsed GOPROXY: never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyList {
    entries: Vec<ProxyEntry>,
}

/// What went wrong asking one proxy; tells [`ProxyList::try_each`] whether
/// the next entry may be tried.
pub trait Failure {
    /// The proxy answered 404 or 410 (or the equivalent: no such file in a
    /// `file://` proxy, `off`).
    fn is_not_found(&self) -> bool;
}

fn config_error(value: &str, why: String) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("invalid GOPROXY `{}`: {why}", shown(&redact(value), 200)),
    )
    .with_hint("GOPROXY is a list of proxy URLs separated by `,` or `|`, optionally ending in `direct` or `off`, such as https://proxy.golang.org,direct")
}

/// Parses GOPROXY as Go does.
pub fn parse(value: &str) -> Result<ProxyList> {
    let mut entries = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (item, fall_back_on_error) = match rest.find([',', '|']) {
            Some(i) => {
                let sep = rest.as_bytes()[i];
                let item = &rest[..i];
                rest = &rest[i + 1..];
                (item, sep == b'|')
            }
            None => (std::mem::take(&mut rest), false),
        };
        let item = item.trim();
        match item {
            "" => continue,
            "off" | "direct" => {
                let proxy = if item == "off" {
                    Proxy::Off
                } else {
                    Proxy::Direct
                };
                entries.push(ProxyEntry {
                    proxy,
                    fall_back_on_error,
                });
                break;
            }
            _ => {}
        }
        let url =
            if item.contains(['.', ':', '/']) && !item.contains(":/") && !item.starts_with('/') {
                format!("https://{item}")
            } else {
                item.to_string()
            };
        check_url(&url).map_err(|why| config_error(value, why))?;
        entries.push(ProxyEntry {
            proxy: Proxy::Url(url),
            fall_back_on_error,
        });
    }
    if entries.is_empty() {
        return Err(config_error(
            value,
            "GOPROXY list is not the empty string, but contains no entries".into(),
        ));
    }
    Ok(ProxyList { entries })
}

/// Checks a proxy URL: http, https or file (a file URL with a path only).
fn check_url(url: &str) -> std::result::Result<(), String> {
    let shown_url = shown(&redact(url), 100);
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("invalid proxy URL missing scheme: {shown_url}"));
    };
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("invalid proxy URL: {shown_url}"));
    }
    match scheme {
        "http" | "https" => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or("");
            if host.is_empty() {
                return Err(format!("invalid proxy URL missing host: {shown_url}"));
            }
            Ok(())
        }
        "file" if rest.starts_with('/') && !rest.contains(['?', '#']) => Ok(()),
        "file" => Err(format!(
            "invalid file:// proxy URL with non-path elements: {shown_url}"
        )),
        _ => Err(format!(
            "invalid proxy URL scheme (must be https, http, file): {shown_url}"
        )),
    }
}

impl ProxyList {
    /// The entries, in order; the last may be `direct` or `off`.
    pub fn entries(&self) -> &[ProxyEntry] {
        &self.entries
    }

    /// Whether this is Go's default list (`https://proxy.golang.org,direct`).
    pub fn is_default(&self) -> bool {
        *self == parse(DEFAULT_GOPROXY).expect("the default parses")
    }

    /// Whether GOPROXY is a single `file://` URL: the one case where Go
    /// does not require the checksum database for toolchains (testing a
    /// distribution).
    pub fn is_single_file(&self) -> bool {
        matches!(&self.entries[..], [ProxyEntry { proxy: Proxy::Url(u), .. }] if u.starts_with("file://"))
    }

    /// Calls `f` on each entry in order until one succeeds, with Go's
    /// rules: after an entry followed by `,` only a not-found failure moves
    /// on; after `|` any failure does. On failure returns the most telling
    /// error: `direct`'s, else a proxy's other than not-found, else the last
    /// not-found.
    pub fn try_each<T, E: Failure>(
        &self,
        mut f: impl FnMut(&ProxyEntry) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        const NOT_FOUND: u8 = 0;
        const PROXY: u8 = 1;
        const DIRECT: u8 = 2;
        let mut best: Option<(u8, E)> = None;
        for entry in &self.entries {
            let e = match f(entry) {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let not_found = e.is_not_found();
            let rank = best.as_ref().map_or(NOT_FOUND, |b| b.0);
            if entry.proxy == Proxy::Direct {
                best = Some((DIRECT, e));
            } else if rank <= PROXY && !not_found {
                best = Some((PROXY, e));
            } else if rank == NOT_FOUND {
                best = Some((NOT_FOUND, e));
            }
            if !entry.fall_back_on_error && !not_found {
                break;
            }
        }
        Err(best.expect("a proxy list is never empty").1)
    }

    /// Where to reach checksum database `db`, as Go decides: its URL when
    /// GOSUMDB names one; else the first proxy whose
    /// `<proxy>/sumdb/<name>/supported` answers (asked with `probe`, under
    /// the rules of [`ProxyList::try_each`]), as `<proxy>/sumdb/<name>`;
    /// else, when every proxy said not found (or the list reached `direct`
    /// or `off`), the database itself (`https://<name>`). Any other failure
    /// is returned: Go does not then fall back to the database.
    pub fn sumdb_base<E: Failure>(
        &self,
        db: &Database,
        mut probe: impl FnMut(&str) -> std::result::Result<(), E>,
    ) -> std::result::Result<String, E> {
        if let Some(u) = db.url() {
            return Ok(u.to_string());
        }
        let base = |u: &str| join(u, &format!("sumdb/{}", db.name()));
        let r = self.try_each(|entry| match &entry.proxy {
            Proxy::Url(u) => probe(&join(&base(u), "supported"))
                .map(|()| base(u))
                .map_err(Probe::Failed),
            // `direct` and `off` hold no database: not found here.
            Proxy::Direct | Proxy::Off => Err(Probe::Unavailable),
        });
        match r {
            Ok(b) => Ok(b),
            Err(Probe::Failed(e)) if !e.is_not_found() => Err(e),
            Err(_) => Ok(db.direct_url()),
        }
    }
}

/// A proxy's answer to `/sumdb/<name>/supported`.
enum Probe<E> {
    Failed(E),
    Unavailable,
}

impl<E: Failure> Failure for Probe<E> {
    fn is_not_found(&self) -> bool {
        match self {
            Probe::Failed(e) => e.is_not_found(),
            Probe::Unavailable => true,
        }
    }
}

/// `base` and `path` joined with exactly one `/`.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// A URL with any password replaced by `xxxxx`, as Go shows URLs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') { ":xxxxx" } else { "" };
            format!("{scheme}://{user}{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gosumdb::{self, GoSumDb};

    fn urls(v: &str) -> Vec<(String, bool)> {
        parse(v)
            .unwrap()
            .entries()
            .iter()
            .map(|e| {
                let s = match &e.proxy {
                    Proxy::Url(u) => u.clone(),
                    Proxy::Direct => "direct".into(),
                    Proxy::Off => "off".into(),
                };
                (s, e.fall_back_on_error)
            })
            .collect()
    }

    #[test]
    fn lists_parse_as_go_parses_them() {
        assert_eq!(
            urls("https://proxy.golang.org,direct"),
            [
                ("https://proxy.golang.org".into(), false),
                ("direct".into(), false)
            ]
        );
        assert_eq!(
            urls(" goproxy.cn | https://a.example/p , direct,https://ignored"),
            [
                ("https://goproxy.cn".into(), true),
                ("https://a.example/p".into(), false),
                ("direct".into(), false)
            ]
        );
        assert_eq!(urls("off,https://x.example"), [("off".into(), false)]);
        assert_eq!(
            urls(",,localhost:3000,"),
            [("https://localhost:3000".into(), false)]
        );
        assert_eq!(
            urls("file:///srv/goproxy"),
            [("file:///srv/goproxy".into(), false)]
        );
        assert_eq!(
            urls("http://127.0.0.1:8080/"),
            [("http://127.0.0.1:8080/".into(), false)]
        );
        assert!(parse(DEFAULT_GOPROXY).unwrap().is_default());
        assert!(!parse("https://goproxy.cn,direct").unwrap().is_default());
        assert!(parse("file:///srv/p").unwrap().is_single_file());
        assert!(!parse("file:///srv/p,direct").unwrap().is_single_file());
        assert_eq!(
            parse("file:///srv/my%20proxy").unwrap().entries()[0]
                .proxy
                .file_path()
                .unwrap(),
            std::path::PathBuf::from("/srv/my proxy")
        );
    }

    #[test]
    fn bad_lists_are_refused_as_go_refuses_them() {
        for (v, why) in [
            ("", "contains no entries"),
            (" , |", "contains no entries"),
            ("proxy", "missing scheme"),
            ("ftp://x.example", "must be https, http, file"),
            ("file://host/dir", "non-path elements"),
            ("https:///p", "missing host"),
            ("/srv/goproxy", "missing scheme"),
        ] {
            let e = parse(v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.to_string().contains(why), "{v}: {e}");
        }
        let e = parse("https://u:secret@x.example ftp").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[derive(Debug, PartialEq)]
    enum F {
        NotFound(&'static str),
        Down(&'static str),
    }

    impl Failure for F {
        fn is_not_found(&self) -> bool {
            matches!(self, F::NotFound(_))
        }
    }

    /// Runs try_each where each entry answers as `answers` says; returns
    /// the outcome and the entries asked.
    fn walk(
        list: &str,
        answers: &[(&str, Option<F>)],
    ) -> (std::result::Result<String, F>, Vec<String>) {
        let list = parse(list).unwrap();
        let mut asked = Vec::new();
        let r = list.try_each(|e| {
            let name = match &e.proxy {
                Proxy::Url(u) => u.clone(),
                Proxy::Direct => "direct".into(),
                Proxy::Off => "off".into(),
            };
            asked.push(name.clone());
            match answers.iter().find(|(n, _)| *n == name) {
                Some((_, Some(F::NotFound(m)))) => Err(F::NotFound(m)),
                Some((_, Some(F::Down(m)))) => Err(F::Down(m)),
                _ => Ok(name),
            }
        });
        (r, asked)
    }

    #[test]
    fn comma_falls_through_on_not_found_only_and_pipe_on_any_error() {
        let a = "https://a.example";
        let b = "https://b.example";
        // `,`: a 404 moves on, an outage stops.
        let (r, asked) = walk("a.example,b.example", &[(a, Some(F::NotFound("404")))]);
        assert_eq!(r, Ok(b.into()));
        assert_eq!(asked, [a, b]);
        let (r, asked) = walk("a.example,b.example", &[(a, Some(F::Down("timeout")))]);
        assert_eq!(r, Err(F::Down("timeout")));
        assert_eq!(asked, [a]);
        // `|`: an outage moves on too.
        let (r, _) = walk("a.example|b.example", &[(a, Some(F::Down("timeout")))]);
        assert_eq!(r, Ok(b.into()));
        // All fail: a proxy's real error beats a later 404; direct's beats all.
        let (r, _) = walk(
            "a.example|b.example",
            &[(a, Some(F::Down("500"))), (b, Some(F::NotFound("404")))],
        );
        assert_eq!(r, Err(F::Down("500")));
        let (r, _) = walk(
            "a.example|direct",
            &[
                (a, Some(F::Down("500"))),
                ("direct", Some(F::NotFound("no such"))),
            ],
        );
        assert_eq!(r, Err(F::NotFound("no such")));
        let (r, _) = walk(
            "a.example,b.example",
            &[
                (a, Some(F::NotFound("404 a"))),
                (b, Some(F::NotFound("410 b"))),
            ],
        );
        assert_eq!(r, Err(F::NotFound("410 b")));
        let (r, asked) = walk(
            "off",
            &[("off", Some(F::NotFound("disabled by GOPROXY=off")))],
        );
        assert_eq!(r, Err(F::NotFound("disabled by GOPROXY=off")));
        assert_eq!(asked, ["off"]);
    }

    fn db() -> Database {
        match gosumdb::parse("sum.golang.org").unwrap() {
            GoSumDb::On(d) => d,
            GoSumDb::Off => unreachable!(),
        }
    }

    #[test]
    fn the_database_is_reached_through_the_first_proxy_that_supports_it() {
        let probe = |answers: Vec<(&'static str, Option<F>)>| {
            move |u: &str| match answers.iter().find(|(p, _)| u.starts_with(p)) {
                Some((_, Some(F::NotFound(m)))) => Err(F::NotFound(m)),
                Some((_, Some(F::Down(m)))) => Err(F::Down(m)),
                _ => Ok(()),
            }
        };
        let list = parse("https://a.example/,https://b.example/x,direct").unwrap();
        let mut seen = Vec::new();
        let r = list.sumdb_base(&db(), |u| {
            seen.push(u.to_string());
            Err(F::NotFound("404"))
        });
        assert_eq!(r, Ok("https://sum.golang.org".into()));
        assert_eq!(
            seen,
            [
                "https://a.example/sumdb/sum.golang.org/supported",
                "https://b.example/x/sumdb/sum.golang.org/supported"
            ]
        );
        let r = list.sumdb_base(&db(), probe(vec![("https://a.", Some(F::NotFound("404")))]));
        assert_eq!(r, Ok("https://b.example/x/sumdb/sum.golang.org".into()));
        // After `,` an outage is an error, not a reason to go direct.
        let r = list.sumdb_base(&db(), probe(vec![("https://a.", Some(F::Down("503")))]));
        assert_eq!(r, Err(F::Down("503")));
        let pipe = parse("https://a.example|direct").unwrap();
        let r = parse("https://a.example|https://b.example,direct")
            .unwrap()
            .sumdb_base(
                &db(),
                probe(vec![
                    ("https://a.", Some(F::Down("503"))),
                    ("https://b.", Some(F::NotFound("404"))),
                ]),
            );
        assert_eq!(r, Ok("https://sum.golang.org".into()));
        let r = pipe.sumdb_base(&db(), probe(vec![("https://a.", Some(F::Down("503")))]));
        assert_eq!(r, Ok("https://sum.golang.org".into()));
        let off = parse("https://a.example|off").unwrap();
        let r = off.sumdb_base(&db(), probe(vec![("https://a.", Some(F::Down("503")))]));
        assert_eq!(r, Err(F::Down("503")));
        // GOSUMDB's own URL wins without asking any proxy.
        let own = match gosumdb::parse("sum.golang.google.cn").unwrap() {
            GoSumDb::On(d) => d,
            GoSumDb::Off => unreachable!(),
        };
        let r = list.sumdb_base(&own, |_: &str| -> std::result::Result<(), F> {
            panic!("asked")
        });
        assert_eq!(r, Ok("https://sum.golang.google.cn".into()));
    }

    #[test]
    fn urls_join_and_redact() {
        assert_eq!(join("https://a/", "/x"), "https://a/x");
        assert_eq!(join("https://a", "x"), "https://a/x");
        assert_eq!(
            redact("https://u:p@a.example/x"),
            "https://u:xxxxx@a.example/x"
        );
        assert_eq!(redact("https://u@a.example/x@y"), "https://u@a.example/x@y");
        assert_eq!(redact("https://a.example/x"), "https://a.example/x");
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
