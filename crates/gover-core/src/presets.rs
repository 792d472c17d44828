//! Download presets: the sources of Go releases people actually use,
//! chosen by name (`mirror = "cn"`, `GOVER_MIRROR=cn`) instead of by two
//! URLs.
//!
//! A preset names an archive mirror and the release index that goes with
//! it. The index always comes from a site that publishes go.dev's own
//! index (go.dev, or golang.google.cn for China), because the sha256 every
//! archive is checked against is taken from it; the mirrors that keep only
//! the archives, in one flat directory (aliyun, ustc), use
//! golang.google.cn's index. Which origin wins when a preset and an
//! explicit `index_url` meet is [`crate::settings`]'s business.
//!
//! The tuning knob `GOVER_PRESET_ORIGINS` rewrites the origins the presets
//! point at ([`Rewrites`]), so tests can put a local imitation of each site
//! in place of the real one.

use std::fmt;

use crate::settings::{DEFAULT_INDEX_URL, DEFAULT_MIRROR};
use crate::url::{Scheme, Url};

/// golang.google.cn's copy of go.dev's release index.
const CN_INDEX_URL: &str = "https://golang.google.cn/dl/?mode=json&include=all";

/// A named pair of an archive mirror and a release index.
#[derive(Debug, PartialEq, Eq)]
pub struct Preset {
    /// The name users write (`cn`).
    pub name: &'static str,
    /// The base URL of the archives, ending in `/`.
    pub mirror: &'static str,
    /// The release index used with this mirror.
    pub index_url: &'static str,
    /// What it is, in a few words.
    pub about: &'static str,
}

/// Every preset, in the order they are listed.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "go.dev",
        mirror: DEFAULT_MIRROR,
        index_url: DEFAULT_INDEX_URL,
        about: "go.dev and dl.google.com, the default",
    },
    Preset {
        name: "cn",
        mirror: "https://golang.google.cn/dl/",
        index_url: CN_INDEX_URL,
        about: "golang.google.cn, Google's site for China (index and archives)",
    },
    Preset {
        name: "aliyun",
        mirror: "https://mirrors.aliyun.com/golang/",
        index_url: CN_INDEX_URL,
        about: "Alibaba Cloud's mirror of the archives, with golang.google.cn's index",
    },
    Preset {
        name: "ustc",
        mirror: "https://mirrors.ustc.edu.cn/golang/",
        index_url: CN_INDEX_URL,
        about: "USTC's mirror of the archives, with golang.google.cn's index",
    },
];

/// The preset gover uses when nothing is configured.
pub fn default_preset() -> &'static Preset {
    &PRESETS[0]
}

/// The preset called `name` (exactly).
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The names, for messages: `go.dev, cn, aliyun, ustc`.
pub fn names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// True for a value that can only be meant as a preset's name: a bare word
/// without `:` or `/` (a URL has a scheme, a path has a slash).
pub fn is_word(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The preset a mistyped word most likely means: the name in another case
/// (`CN`), or the host of its mirror or index (`mirrors.aliyun.com`).
pub fn nearest(word: &str) -> Option<&'static Preset> {
    let host_is = |url: &str| Url::parse(url).is_ok_and(|u| u.host().eq_ignore_ascii_case(word));
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(word) || host_is(p.mirror) || host_is(p.index_url))
}

impl Preset {
    /// Its mirror, as `rewrites` have it.
    pub fn mirror_url(&self, rewrites: &Rewrites) -> Url {
        Url::parse(&rewrites.apply(self.mirror)).expect("preset URLs parse")
    }

    /// Its index, as `rewrites` have it.
    pub fn index(&self, rewrites: &Rewrites) -> Url {
        Url::parse(&rewrites.apply(self.index_url)).expect("preset URLs parse")
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Origins the presets' URLs are fetched from instead of their own (the
/// tuning knob `GOVER_PRESET_ORIGINS`): `https://golang.google.cn=http://127.0.0.1:8001`
/// pairs, separated by spaces or commas. Only the presets' URLs (and the
/// defaults, which are the `go.dev` preset's) are rewritten, never a URL
/// the user gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewrites(Vec<(String, String)>);

/// Checks one side of a rewrite: `http(s)://host[:port]`, nothing more.
fn origin(text: &str) -> Result<String, String> {
    let o = text.trim_end_matches('/');
    let ok = Url::parse(o)
        .is_ok_and(|u| u.scheme() != Scheme::File && !u.has_credentials() && o.ends_with(u.host()));
    if ok {
        Ok(o.to_string())
    } else {
        Err(format!(
            "`{}` is not an origin such as https://golang.google.cn or http://127.0.0.1:8001",
            crate::text::shorten(&masked(text), 60)
        ))
    }
}

/// The knob's value (or a part of it) as messages show it: whatever
/// comes before an `@`, back to the `://` before it (or the start), is
/// masked, whether or not it parses as a URL's credentials, so that no
/// password in a mistyped value reaches a terminal or a log.
pub fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (at, _) in text.match_indices('@') {
        if at < from {
            continue;
        }
        let start = text[from..at].rfind("://").map_or(from, |i| from + i + 3);
        let start = text[start..at]
            .rfind(char::is_whitespace)
            .or_else(|| text[start..at].rfind(','))
            .map_or(start, |i| start + i + 1);
        out.push_str(&text[from..start]);
        out.push_str("***");
        from = at;
    }
    out.push_str(&text[from..]);
    out
}

impl Rewrites {
    /// Parses the knob's value.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for item in text.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()) {
            let Some((from, to)) = item.split_once('=') else {
                return Err(format!(
                    "has `{}`, which is not a FROM=TO pair",
                    crate::text::shorten(&masked(item), 60)
                ));
            };
            pairs.push((origin(from)?, origin(to)?));
        }
        Ok(Self(pairs))
    }

    /// `url` with its origin replaced when a rewrite names it.
    pub fn apply(&self, url: &str) -> String {
        for (from, to) in &self.0 {
            if let Some(rest) = url.strip_prefix(from.as_str()) {
                if rest.is_empty() || rest.starts_with(['/', '?']) {
                    return format!("{to}{rest}");
                }
            }
        }
        url.to_string()
    }

    /// True when nothing is rewritten.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_its_mirror_is_a_directory() {
        let none = Rewrites::default();
        for p in PRESETS {
            assert!(p.mirror.ends_with('/'), "{}", p.name);
            assert!(p.mirror.starts_with("https://"), "{}", p.name);
            assert!(p.index_url.starts_with("https://"), "{}", p.name);
            assert_eq!(p.mirror_url(&none).expose(), p.mirror);
            assert_eq!(p.index(&none).expose(), p.index_url);
            assert!(is_word(p.name), "{}", p.name);
            assert_eq!(find(p.name), Some(p));
        }
        assert_eq!(default_preset().mirror, DEFAULT_MIRROR);
        assert_eq!(names(), "go.dev, cn, aliyun, ustc");
        // Archive-only mirrors take golang.google.cn's index.
        assert_eq!(
            find("aliyun").unwrap().index_url,
            find("cn").unwrap().index_url
        );
        assert_eq!(find("ustc").unwrap().index_url, CN_INDEX_URL);
    }

    #[test]
    fn words_and_near_misses() {
        for w in ["cn", "go.dev", "my_mirror", "golang.google.cn"] {
            assert!(is_word(w), "{w}");
        }
        for w in ["", "https://x/", "./m", "~/m", "c:n", "a b"] {
            assert!(!is_word(w), "{w}");
        }
        assert_eq!(find("CN"), None);
        assert_eq!(nearest("CN").unwrap().name, "cn");
        assert_eq!(nearest("mirrors.aliyun.com").unwrap().name, "aliyun");
        assert_eq!(nearest("golang.google.cn").unwrap().name, "cn");
        assert_eq!(nearest("dl.google.com").unwrap().name, "go.dev");
        assert_eq!(nearest("china"), None);
    }

    #[test]
    fn rewrites_change_origins_only() {
        let r = Rewrites::parse(
            "https://golang.google.cn=http://127.0.0.1:8001/, https://mirrors.aliyun.com=https://127.0.0.1:9",
        )
        .unwrap();
        assert_eq!(
            r.apply(CN_INDEX_URL),
            "http://127.0.0.1:8001/dl/?mode=json&include=all"
        );
        assert_eq!(
            find("aliyun").unwrap().mirror_url(&r).expose(),
            "https://127.0.0.1:9/golang/"
        );
        // Another host that starts the same is left alone.
        assert_eq!(
            r.apply("https://golang.google.cn.evil/dl/"),
            "https://golang.google.cn.evil/dl/"
        );
        assert_eq!(r.apply(DEFAULT_MIRROR), DEFAULT_MIRROR);
        assert!(Rewrites::parse("").unwrap().is_empty());
        for (raw, shown) in [
            ("https://a=http://u:p@b", "https://a=http://***@b"),
            ("https://u:p=q@a=http://b", "https://***@a=http://b"),
            ("https://a=u:p@b, x:y@z", "https://***@b, ***@z"),
            ("https://a=http://b", "https://a=http://b"),
        ] {
            assert_eq!(masked(raw), shown, "{raw}");
        }
        let e = Rewrites::parse("https://a=http://u:s3cret@b").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        let e = Rewrites::parse("https://a=u:s3cret@b").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        let e = Rewrites::parse("u:s3cret@b").unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        for bad in [
            "https://golang.google.cn",
            "https://a=ftp://b",
            "https://a/path=http://b",
            "https://a=http://u:p@b",
            "https://a=file:///x",
        ] {
            assert!(Rewrites::parse(bad).is_err(), "{bad}");
        }
    }
}
