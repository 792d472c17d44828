//! Showing text that came from outside (an index, a pin file, a directory
//! name, a server's error page) on a terminal without letting it act on
//! the terminal.
//!
//! A hostile mirror can name a file `\e]0;title\a\e[2J`; printed raw, that
//! retitles the window and clears the screen, and worse sequences exist.
//! Every such string goes through [`untrusted`] (or [`untrusted_path`])
//! before it is formatted into a message: control characters (C0, DEL,
//! C1) and the Unicode controls that reorder or hide text (bidi overrides
//! and isolates, zero-width marks) become visible escapes such as `\u{1b}`;
//! everything else, including non-ASCII letters, is shown as it is.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// True for characters that must not reach a terminal raw.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{202e}' // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}' // byte-order mark / zero-width no-break space
        )
}

/// Writes `s` with dangerous characters escaped.
fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let mut rest = s;
    while let Some(i) = rest.find(is_dangerous) {
        f.write_str(&rest[..i])?;
        let c = rest[i..].chars().next().expect("found above");
        match c {
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c => write!(f, "\\u{{{:x}}}", c as u32)?,
        }
        rest = &rest[i + c.len_utf8()..];
    }
    f.write_str(rest)
}

/// Text from outside, displayed with its control characters escaped.
#[derive(Clone, Copy, Debug)]
pub struct Untrusted<'a>(&'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

/// `s`, to be formatted into a message: `format!("{}", untrusted(name))`.
pub fn untrusted(s: &str) -> Untrusted<'_> {
    Untrusted(s)
}

/// A path from outside (or containing a name from outside), displayed
/// lossily as UTF-8 with its control characters escaped.
#[derive(Clone, Copy, Debug)]
pub struct UntrustedPath<'a>(&'a Path);

impl fmt::Display for UntrustedPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.0.to_string_lossy())
    }
}

/// `p` for a message: `format!("{}", untrusted_path(&p))`.
pub fn untrusted_path(p: &Path) -> UntrustedPath<'_> {
    UntrustedPath(p)
}

/// `s` with its dangerous characters escaped, borrowed when there are none.
pub fn escape(s: &str) -> Cow<'_, str> {
    if s.contains(is_dangerous) {
        Cow::Owned(untrusted(s).to_string())
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` cut to at most `max` characters for a message, saying how much was
/// left out, with dangerous characters escaped.
pub fn shorten(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    let more = chars.count();
    let mut out = escape(&head).into_owned();
    if more > 0 {
        let plural = if more == 1 { "" } else { "s" };
        out.push_str(&format!("... ({more} more character{plural})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_acts_on_a_terminal_and_keeps_the_rest() {
        assert_eq!(
            untrusted("go1.22\u{1b}]0;title\u{7}\u{1b}[2J.tar.gz").to_string(),
            "go1.22\\u{1b}]0;title\\u{7}\\u{1b}[2J.tar.gz"
        );
        assert_eq!(untrusted("a\nb\tc\r").to_string(), "a\\nb\\tc\\r");
        assert_eq!(untrusted("\u{9b}31m").to_string(), "\\u{9b}31m", "C1 CSI");
        assert_eq!(untrusted("\u{7f}").to_string(), "\\u{7f}");
        assert_eq!(
            untrusted("evil\u{202e}zg.rat").to_string(),
            "evil\\u{202e}zg.rat"
        );
        assert_eq!(untrusted("Ünïcödé 日本 ok").to_string(), "Ünïcödé 日本 ok");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            untrusted_path(Path::new("/tmp/a\u{1b}b")).to_string(),
            "/tmp/a\\u{1b}b"
        );
    }

    #[test]
    fn shortens_and_counts() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("abcdef", 3), "abc... (3 more characters)");
        assert_eq!(shorten("abcd", 3), "abc... (1 more character)");
        assert_eq!(shorten("\u{1b}bcd", 2), "\\u{1b}b... (2 more characters)");
    }
}
