//! Masking credentials in URLs before they are shown.
//!
//! Mirrors and proxies often carry them (`https://user:token@artifacts/go/`,
//! `HTTPS_PROXY=http://user:pass@proxy:3128`); gover names those URLs in
//! errors and status lines, and must never print the secret part.

/// `url` with the password of its userinfo replaced by `***`
/// (`http://user:***@proxy:3128`); a userinfo without a colon, which is
/// often a bare token, is replaced whole (`https://***@host/`).
pub fn redact_url(url: &str) -> String {
    scrub(url)
}

/// True for the characters a URL scheme is made of.
fn is_scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// True for the characters that end a URL's authority in running text.
fn ends_authority(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?' | '#' | '"' | '\'' | '`' | '(' | ')' | '<' | '>'
        )
}

/// `text` with the userinfo of every `scheme://userinfo@host` in it masked
/// as [`redact_url`] does; other text is unchanged.
pub fn scrub(text: &str) -> String {
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
        let end = rest.find(ends_authority).unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@') {
            match authority[..at].split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str("***"),
            }
            out.push_str(&authority[at..]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_and_bare_tokens() {
        assert_eq!(
            redact_url("http://user:s3cret@127.0.0.1:3128"),
            "http://user:***@127.0.0.1:3128"
        );
        assert_eq!(
            redact_url("https://ghp_token@mirror.example/go/"),
            "https://***@mirror.example/go/"
        );
        // A password holding `@` and `:` is masked whole.
        assert_eq!(redact_url("http://u:p@ss:w@proxy/"), "http://u:***@proxy/");
        assert_eq!(
            redact_url("https://dl.google.com/go/x@1.tar.gz"),
            "https://dl.google.com/go/x@1.tar.gz"
        );
        assert_eq!(
            redact_url("file:///srv/go@mirror/"),
            "file:///srv/go@mirror/"
        );
    }

    #[test]
    fn scrubs_every_url_in_a_message() {
        let text = "GET https://a:b@m.example/f failed via proxy http://c:d@p:8080 (HTTPS_PROXY); see `http://e@q/`";
        let s = scrub(text);
        assert_eq!(
            s,
            "GET https://a:***@m.example/f failed via proxy http://c:***@p:8080 (HTTPS_PROXY); see `http://***@q/`"
        );
        assert!(!s.contains("b@") && !s.contains(":d@") && !s.contains("e@"));
        assert_eq!(scrub("user@host: no url here"), "user@host: no url here");
        assert_eq!(scrub("://@ odd"), "://@ odd");
    }
}
