//! URLs gover is given (mirrors, release indexes, proxies): parsed once,
//! checked for the mistakes people make, and shown with their credentials
//! masked.
//!
//! A [`Url`]'s `Display` masks the password (`https://user:***@host/`) or a
//! bare token (`https://***@host/`); the full text is reachable only
//! through [`Url::expose`], for making the request itself. Never format
//! `expose()` into a message, and never write it to a file:
//! [`Url::without_credentials`] is what a cache may keep. Text that may
//! hold URLs gover did not parse (an HTTP library's error) goes through
//! [`mask_in_text`] before it is shown.

use std::fmt;
use std::path::PathBuf;

use crate::text::shorten;

/// The schemes gover can fetch from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`.
    Http,
    /// `https://`.
    Https,
    /// `file:///abs/path` (or a plain absolute path).
    File,
}

/// A parsed URL (see the module docs for how it is shown).
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    text: String,
    scheme: Scheme,
    /// Byte range of the userinfo (without the `@`), when present.
    userinfo: Option<(usize, usize)>,
    /// Byte range of the host (and port).
    host: (usize, usize),
}

/// A URL gover cannot use, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    /// The input, masked and shortened for display.
    pub shown: String,
    /// What is wrong and what to write instead.
    pub reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a usable URL: {}", self.shown, self.reason)
    }
}

impl std::error::Error for UrlError {}

/// True for the characters of a URL scheme.
fn is_scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// True for the characters RFC 3986 allows in a host name or userinfo
/// (unreserved, percent-encoded and sub-delims), plus `:` for a port.
fn is_authority_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '%'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
        )
}

impl Url {
    /// Parses `input` (surrounding white space ignored). Accepts
    /// `http://`, `https://`, `file:///abs/path` and absolute paths.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let s = input.trim();
        let err = |reason: String| UrlError {
            shown: shorten(&mask_in_text(s), 200),
            reason,
        };
        if s.is_empty() {
            return Err(err("it is empty".into()));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err(
                "it contains white space or control characters; percent-encode them (a space is %20)".into(),
            ));
        }
        if s.starts_with('/') {
            return Ok(Self {
                text: s.to_string(),
                scheme: Scheme::File,
                userinfo: None,
                host: (0, 0),
            });
        }
        if s.starts_with('~') {
            return Err(err(
                "`~` is not expanded here; write the absolute path, such as file:///home/you/go-mirror/".into(),
            ));
        }
        let Some(colon) = s
            .find("://")
            .filter(|&i| i > 0 && s[..i].chars().all(is_scheme_char))
        else {
            return Err(err(
                "it is not an absolute URL; write one such as https://mirror.example/go/ or file:///srv/go-mirror/".into(),
            ));
        };
        let scheme = match s[..colon].to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            "file" => Scheme::File,
            other => {
                return Err(err(format!(
                    "the scheme `{}` is not supported; use https://, http:// or file://",
                    shorten(other, 20)
                )))
            }
        };
        let start = colon + 3;
        if scheme == Scheme::File {
            return Self::parse_file(s, start).map_err(err);
        }
        let end = s[start..]
            .find(['/', '?', '#'])
            .map_or(s.len(), |i| start + i);
        let authority = &s[start..end];
        let (userinfo, host_start) = match authority.rfind('@') {
            Some(at) => (Some((start, start + at)), start + at + 1),
            None => (None, start),
        };
        let host = &s[host_start..end];
        check_host(host).map_err(err)?;
        if let Some((a, b)) = userinfo {
            if !s[a..b].chars().all(|c| is_authority_char(c) || c == ':') {
                return Err(err(
                    "its user name or password holds characters that must be percent-encoded (`@` is %40, `#` is %23, `/` is %2F, `:` in a user name is %3A)".into(),
                ));
            }
        }
        Ok(Self {
            text: s.to_string(),
            scheme,
            userinfo,
            host: (host_start, end),
        })
    }

    fn parse_file(s: &str, start: usize) -> Result<Self, String> {
        let rest = &s[start..];
        if !rest.starts_with('/') {
            let host = rest.split('/').next().unwrap_or("");
            let reason = if rest.contains('/') && !host.contains('.') {
                format!("file://{host}/... names the host `{host}`; a local directory needs three slashes: file:///abs/path/")
            } else {
                format!("file://{host}... names the host `{host}`; a local directory needs an absolute path with three slashes: file:///abs/path/")
            };
            return Err(shorten(&reason, 300));
        }
        Ok(Self {
            text: s.to_string(),
            scheme: Scheme::File,
            userinfo: None,
            host: (start, start),
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The whole URL, credentials included: only for making the request.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// True when the URL carries a user name, password or token.
    pub fn has_credentials(&self) -> bool {
        self.userinfo.is_some()
    }

    /// The host (and port) of an `http(s)` URL; empty for local paths.
    pub fn host(&self) -> &str {
        &self.text[self.host.0..self.host.1]
    }

    /// The URL with its credentials removed: what may be written to disk.
    pub fn without_credentials(&self) -> String {
        match self.userinfo {
            Some((a, b)) => format!("{}{}", &self.text[..a], &self.text[b + 1..]),
            None => self.text.clone(),
        }
    }

    /// The local directory or file of a `file://` URL or absolute path
    /// (percent-escapes decoded).
    pub fn file_path(&self) -> Option<PathBuf> {
        if self.scheme != Scheme::File {
            return None;
        }
        let raw = if self.text.starts_with('/') {
            self.text.as_str()
        } else {
            &self.text[self.host.1..]
        };
        let raw = raw.split(['?', '#']).next().unwrap_or(raw);
        Some(PathBuf::from(percent_decode_path(raw)?))
    }

    /// This URL as a directory (ending in `/`) with the plain file name
    /// `name` appended; `None` when `name` is not one plain path segment
    /// (see [`crate::fs::is_plain_file_name`]).
    pub fn join_file(&self, name: &str) -> Option<Url> {
        if !crate::fs::is_plain_file_name(name) {
            return None;
        }
        let base = self.text.split(['?', '#']).next().unwrap_or(&self.text);
        let mut text = base.to_string();
        if !text.ends_with('/') {
            text.push('/');
        }
        for b in name.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~+".contains(&b) {
                text.push(b as char);
            } else {
                text.push_str(&format!("%{b:02X}"));
            }
        }
        Some(Url {
            text,
            ..self.clone()
        })
    }
}

/// Checks the host (and port) of an `http(s)` URL.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("it names no host; write https://host/path/".into());
    }
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err("its IPv6 address lacks the closing `]`".into());
        };
        let after = &rest[close + 1..];
        (
            None,
            after
                .strip_prefix(':')
                .or(if after.is_empty() { None } else { Some(after) }),
        )
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (Some(n), Some(p)),
            None => (Some(host), None),
        }
    };
    if let Some(n) = name {
        if n.is_empty() || !n.chars().all(is_authority_char) {
            return Err(format!("`{}` is not a host name", shorten(n, 60)));
        }
    }
    if let Some(p) = port {
        if p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |n| n > 65535)
        {
            return Err("its port is not a number from 0 to 65535 (a password holding `#`, `/` or `?` must be percent-encoded)".into());
        }
    }
    Ok(())
}

/// Decodes `%XX` escapes of a path; `None` for a malformed escape.
fn percent_decode_path(s: &str) -> Option<std::ffi::OsString> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(std::ffi::OsString::from_vec(out))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(out).ok().map(Into::into)
    }
}

impl fmt::Display for Url {
    /// The URL with its password (or bare token) masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.userinfo {
            None => f.write_str(&self.text),
            Some((a, b)) => {
                f.write_str(&self.text[..a])?;
                match self.text[a..b].split_once(':') {
                    Some((user, _)) => write!(f, "{user}:***")?,
                    None => f.write_str("***")?,
                }
                f.write_str(&self.text[b..])
            }
        }
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url({self})")
    }
}

/// `text` with the credentials of every `scheme://user:pass@host` in it
/// masked. A URL in running text ends at white space; within it, the
/// userinfo ends at the last `@` before the host, even when the password
/// holds quotes, brackets, `#` or `/`.
pub fn mask_in_text(text: &str) -> String {
    if !text.contains("://") || !text.contains('@') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let has_scheme = rest[..i].chars().next_back().is_some_and(is_scheme_char);
        let start = i + 3;
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if !has_scheme {
            continue;
        }
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..token_end];
        if let Some(at) = userinfo_end(token) {
            match token[..at].split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str("***"),
            }
            rest = &rest[at..];
        }
    }
    out.push_str(rest);
    out
}

/// Where the userinfo of the URL body `token` (the text after `://`) ends:
/// the `@` before the host. With a plain authority that is the last `@`
/// before the first `/`, `?` or `#`; a password holding those characters
/// is recognised by a `:` before the last `@` that is followed by a host,
/// unless the text before the first `/` is a valid `host:port` (a module
/// proxy's `http://athens:3000/…/@v/list`; an unescaped password of
/// digits followed by `/` is then taken for a port).
fn userinfo_end(token: &str) -> Option<usize> {
    let plain_end = token.find(['/', '?', '#']).unwrap_or(token.len());
    if let Some(at) = token[..plain_end].rfind('@') {
        return Some(at);
    }
    // `host:port/…/@v/list` (a module proxy's URL) has a valid authority
    // and no userinfo: its `@`s are in the path.
    let is_host = |h: &str| {
        !h.is_empty()
            && h.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_')
            })
    };
    if let Some((host, port)) = token[..plain_end].rsplit_once(':') {
        let port_ok = (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit());
        if port_ok && is_host(host) && plain_end < token.len() {
            return None;
        }
    }
    // `user:pa/ss@host/path`, `user:pa#ss@host`: the last `@` whose left
    // side has a `:` and whose right side starts like a host name.
    let at = token.rfind('@')?;
    let left = &token[..at];
    let host = token[at + 1..].split(['/', '?', '#']).next().unwrap_or("");
    (left.contains(':') && !left.starts_with('/') && is_host(host)).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn ok(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn bad(s: &str) -> String {
        Url::parse(s).unwrap_err().to_string()
    }

    #[test]
    fn parses_and_masks() {
        let u = ok("http://alice:s3cretpw@host:8080/go/");
        assert_eq!(u.scheme(), Scheme::Http);
        assert_eq!(u.to_string(), "http://alice:***@host:8080/go/");
        assert_eq!(u.host(), "host:8080");
        assert_eq!(u.without_credentials(), "http://host:8080/go/");
        assert_eq!(u.expose(), "http://alice:s3cretpw@host:8080/go/");
        assert!(u.has_credentials());
        let u = ok("https://ghp_token@mirror.example/go/");
        assert_eq!(u.to_string(), "https://***@mirror.example/go/");
        // Sub-delims in a password are masked whole.
        let u = ok("https://u:p'(a)s!s@h/");
        assert_eq!(u.to_string(), "https://u:***@h/");
        assert_eq!(format!("{u:?}"), "Url(https://u:***@h/)");
        let u = ok("https://[::1]:8443/x");
        assert_eq!(u.host(), "[::1]:8443");
        assert!(!ok("https://dl.google.com/go/").has_credentials());
    }

    #[test]
    fn local_paths() {
        let u = ok("file:///srv/go%20mirror/");
        assert_eq!(u.scheme(), Scheme::File);
        assert_eq!(u.file_path().unwrap(), Path::new("/srv/go mirror/"));
        assert_eq!(ok("/srv/m").file_path().unwrap(), Path::new("/srv/m"));
        assert_eq!(ok("https://h/").file_path(), None);
    }

    #[test]
    fn says_what_is_wrong() {
        assert!(bad("./mirror").contains("not an absolute URL"));
        assert!(bad("mirror.example/go").contains("not an absolute URL"));
        assert!(bad("~/mirror").contains("`~` is not expanded"));
        assert!(bad("file://relative/dir").contains("three slashes"));
        assert!(bad("file://host/").contains("names the host `host`"));
        assert!(bad("ftp://h/").contains("scheme `ftp` is not supported"));
        assert!(bad("https:///x").contains("names no host"));
        assert!(bad("https://h:port/").contains("port"));
        assert!(bad("https://a b/").contains("white space"));
        assert!(bad("").contains("empty"));
        // A password with `#` cannot parse, and the error does not show it.
        let e = bad("http://alice:s3#cret@host/");
        assert!(!e.contains("s3#cret"), "{e}");
        assert!(e.contains("alice:***@host"), "{e}");
        let e = bad("http://u:pa/ss@host/");
        assert!(!e.contains("pa/ss"), "{e}");
    }

    #[test]
    fn joins_only_plain_file_names() {
        let u = ok("https://u:p@m.example/go");
        let j = u.join_file("go1.22.10.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            j.expose(),
            "https://u:p@m.example/go/go1.22.10.linux-amd64.tar.gz"
        );
        assert_eq!(
            j.to_string(),
            "https://u:***@m.example/go/go1.22.10.linux-amd64.tar.gz"
        );
        for name in [
            "../x", "/abs", "a/b", "a\\b", ".hidden", "..", "", "a\u{1b}b", "a\0b",
        ] {
            assert!(u.join_file(name).is_none(), "{name:?}");
        }
        assert_eq!(
            ok("file:///srv/m/")
                .join_file("a b#c")
                .unwrap()
                .file_path()
                .unwrap(),
            Path::new("/srv/m/a b#c")
        );
    }

    #[test]
    fn masks_urls_in_running_text() {
        let text = "GET https://a:b@m.example/f failed via proxy http://c:d@p:8080 (HTTPS_PROXY); see `http://e@q/`";
        assert_eq!(
            mask_in_text(text),
            "GET https://a:***@m.example/f failed via proxy http://c:***@p:8080 (HTTPS_PROXY); see `http://***@q/`"
        );
        for (raw, masked) in [
            ("x http://u:p'w@h/ y", "x http://u:***@h/ y"),
            ("(http://u:p)w@h/)", "(http://u:***@h/)"),
            ("\"http://u:p\"w@h/\"", "\"http://u:***@h/\""),
            ("http://u:p#w@h/", "http://u:***@h/"),
            ("http://u:p/w@h/x", "http://u:***@h/x"),
            ("http://u:p@w@h/", "http://u:***@h/"),
            (
                "https://proxy/golang.org/toolchain/@v/list",
                "https://proxy/golang.org/toolchain/@v/list",
            ),
            ("file:///srv/go@mirror/", "file:///srv/go@mirror/"),
            (
                "GET http://127.0.0.1:8080/p/golang.org/toolchain/@v/list: 404",
                "GET http://127.0.0.1:8080/p/golang.org/toolchain/@v/list: 404",
            ),
            (
                "http://athens:3000/sumdb/x/lookup/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64",
                "http://athens:3000/sumdb/x/lookup/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64",
            ),
            (
                "http://u:pw@athens:3000/golang.org/toolchain/@v/list",
                "http://u:***@athens:3000/golang.org/toolchain/@v/list",
            ),
            ("http://u:p/w@h:3000/x", "http://u:***@h:3000/x"),
            ("user@host: no url", "user@host: no url"),
            ("://@ odd", "://@ odd"),
        ] {
            assert_eq!(mask_in_text(raw), masked, "{raw}");
        }
    }
}
