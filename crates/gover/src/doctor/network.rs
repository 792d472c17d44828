//! Where gover downloads from: the index and mirror in effect (and where
//! each setting comes from), proxies, extra CA certificates, and (with
//! `--network`) whether the index answers. Every URL is shown with its
//! credentials masked (`gover_core::url`).

use std::path::PathBuf;

use gover_core::env as vars;
use gover_core::text::untrusted;
use gover_core::url::{mask_in_text, Scheme, Url};

use super::id::FindingId;
use gover_core::settings::{Origin, Setting};

use super::model::{Check, DoctorEnv, Finding, IndexProbe};

/// The proxy variables gover-dist honours, in the order they are reported.
pub(crate) const PROXY_VARS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A URL or proxy setting with its credentials masked (`http://user:***@host`,
/// `https://***@host` for a bare token), as every gover message shows them.
pub(crate) fn redact(value: &str) -> String {
    if value.contains("://") {
        return untrusted(&mask_in_text(value)).to_string();
    }
    // Proxy variables without a scheme (`user:pass@proxy:3128`) mean http.
    let masked = mask_in_text(&format!("http://{value}"));
    untrusted(masked.strip_prefix("http://").unwrap_or(&masked)).to_string()
}

/// One download setting: the index or the mirror.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    /// `release index` or `archive mirror`.
    pub(crate) what: &'static str,
    /// Its finding.
    pub(crate) id: FindingId,
    /// Its variable.
    pub(crate) var: &'static str,
    /// Its `config.toml` key.
    pub(crate) key: &'static str,
    /// An example value, for fixes.
    pub(crate) example: &'static str,
    /// Where its value comes from.
    pub(crate) origin: Origin,
    /// The value, parsed (or why it does not parse, masked).
    pub(crate) url: Result<Url, String>,
    /// For a local path: whether it is what it must be (a directory for
    /// the mirror, a regular file for the index), or what is wrong.
    pub(crate) local: Option<Result<(), String>>,
}

/// What doctor knows about downloads.
#[derive(Clone, Debug)]
pub(crate) struct DownloadFacts {
    /// The index and the mirror (none when the settings are invalid).
    pub(crate) sources: Vec<Source>,
    /// Offline mode.
    pub(crate) offline: bool,
    /// Proxy variables that are set, in [`PROXY_VARS`] order.
    pub(crate) proxies: Vec<(&'static str, String)>,
    /// `SSL_CERT_FILE` and whether it is a file.
    pub(crate) cert_file: Option<(String, bool)>,
}

/// The download settings, proxies and certificates, and the probe.
pub(crate) struct Downloads;

impl Check for Downloads {
    type Facts = DownloadFacts;

    fn facts(env: &DoctorEnv) -> DownloadFacts {
        let source = |what, id, var, key, example, setting: &Setting<Url>, dir: bool| {
            let url = Ok(setting.value.clone());
            let local = url
                .as_ref()
                .ok()
                .and_then(Url::file_path)
                .map(|p| local_state(&p, dir));
            Source {
                what,
                id,
                var,
                key,
                example,
                origin: setting.origin.clone(),
                url,
                local,
            }
        };
        let sources = match &env.settings {
            Ok(s) => vec![
                source(
                    "release index",
                    FindingId::NetworkIndex,
                    vars::GOVER_INDEX_URL,
                    "index_url",
                    "https://go.dev/dl/?mode=json&include=all or file:///srv/go-mirror/index.json",
                    &s.index_url,
                    false,
                ),
                source(
                    "archive mirror",
                    FindingId::NetworkMirror,
                    vars::GOVER_MIRROR,
                    "mirror",
                    "https://dl.google.com/go/ or file:///srv/go-mirror/",
                    &s.mirror,
                    true,
                ),
            ],
            // The settings error itself is reported by the config check.
            Err(_) => Vec::new(),
        };
        DownloadFacts {
            sources,
            offline: env.settings.as_ref().is_ok_and(|s| s.offline.value),
            proxies: PROXY_VARS
                .iter()
                .filter_map(|v| Some((*v, env.var_str(v)?.to_string())))
                .collect(),
            cert_file: env
                .var_str("SSL_CERT_FILE")
                .map(|f| (f.to_string(), PathBuf::from(f).is_file())),
        }
    }

    fn findings(env: &DoctorEnv, f: &DownloadFacts) -> Vec<Finding> {
        let mut out: Vec<Finding> = f.sources.iter().map(|s| source_finding(env, s)).collect();
        if f.offline {
            out.push(Finding::ok(
                FindingId::NetworkOffline,
                "offline mode (--offline or GOVER_OFFLINE=1): installs use only the cached index and local archives",
            ));
        }
        proxies(&f.proxies, &mut out);
        if let Some((file, is_file)) = &f.cert_file {
            let file = untrusted(file);
            out.push(if *is_file {
                Finding::ok(FindingId::NetworkCertificates, format!("SSL_CERT_FILE={file}: its certificates are trusted besides the system's"))
            } else {
                Finding::problem(FindingId::NetworkCertificates, format!("SSL_CERT_FILE={file} is not a file"))
                    .why("every gover download fails before connecting")
                    .fix("point SSL_CERT_FILE at a PEM bundle of CA certificates (your proxy's CA), or `unset SSL_CERT_FILE`")
            });
        }
        out.extend(probe(&env.index_probe));
        out
    }
}

/// Whether a local mirror (`dir`) or index is there: `does not exist`,
/// `is not a directory`, `is not a regular file`.
fn local_state(p: &std::path::Path, dir: bool) -> Result<(), String> {
    match std::fs::metadata(p) {
        Err(e) if gover_core::fs::is_missing(&e) => Err("does not exist".into()),
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(m) if dir && !m.is_dir() => Err("is not a directory".into()),
        Ok(m) if !dir && !m.is_file() => Err("is not a regular file".into()),
        Ok(_) => Ok(()),
    }
}

fn origin_text(env: &DoctorEnv, o: &Origin) -> String {
    match o {
        Origin::Env(var) | Origin::Flag(var) => (*var).to_string(),
        Origin::File { key, path, .. } => format!("`{key}` in {}", env.show(path)),
        Origin::Default => "default".into(),
    }
}

/// How to change a source's value where it is set: the config file's line
/// (with the `gover config` command that does it), or the variable and the
/// startup-file lines that set it.
fn change_where_set(env: &DoctorEnv, s: &Source) -> String {
    match &s.origin {
        Origin::File { path, key, line } => {
            let global = if *path == env.home.config_file() {
                ""
            } else {
                " --global"
            };
            format!(
                "change `{key}` on line {line} of {} (`gover config set{global} {key} https://...`)",
                env.show(path)
            )
        }
        Origin::Env(var) | Origin::Flag(var) => format!(
            "change {var} where it is set{}",
            super::shell::set_at(env, &super::shell::assignments(env, var))
        ),
        Origin::Default => format!("set {} (or `{}` with `gover config set`)", s.var, s.key),
    }
}

fn source_finding(env: &DoctorEnv, s: &Source) -> Finding {
    let from = origin_text(env, &s.origin);
    let where_set = match &s.origin {
        Origin::Default => s.var.to_string(),
        _ => from.clone(),
    };
    let url = match &s.url {
        Err(e) => {
            return Finding::problem(s.id, format!("{} ({from}): {}", s.what, untrusted(e)))
                .why("installs fail")
                .fix(format!(
                    "set {} (or `{}` in config.toml) to a full URL such as {}",
                    s.var, s.key, s.example
                ))
        }
        Ok(u) => u,
    };
    let shown = untrusted(&url.to_string()).to_string();
    match &s.local {
        Some(Ok(())) => Finding::ok(
            s.id,
            format!("{}: {shown} ({from}), a local {}", s.what, if s.id == FindingId::NetworkMirror { "directory" } else { "file" }),
        ),
        Some(Err(e)) => Finding::problem(s.id, format!("{} {shown} ({from}) {e}", s.what))
            .why("installs fail")
            .fix(format!("create it (`gover mirror` fills a directory with archives and index.json), or fix {where_set}")),
        None if url.scheme() == Scheme::Http && s.id == FindingId::NetworkIndex => {
            Finding::warning(s.id, format!("{}: {shown} ({from}) is plain HTTP", s.what))
                .why("the index holds the sha256 every download is verified against; over plain HTTP anyone on the path can change both")
                .fix(format!("serve it over https:// or from a file:// path, then {}", change_where_set(env, s)))
        }
        None => Finding::ok(s.id, format!("{}: {shown} ({from})", s.what)),
    }
}

fn proxies(seen: &[(&'static str, String)], out: &mut Vec<Finding>) {
    let id = FindingId::NetworkProxy;
    for (var, value) in seen {
        let upper = var.to_ascii_uppercase();
        if var.chars().any(|c| c.is_ascii_lowercase()) {
            if let Some((_, other)) = seen.iter().find(|(k, _)| **k == upper) {
                if other != value {
                    out.push(
                        Finding::warning(id, format!("{var} and {upper} disagree ({} vs {})", redact(value), redact(other)))
                            .why("programs differ in which one they read (gover's HTTP client takes the uppercase one first, curl and wget the lowercase one), so downloads go different ways")
                            .fix(format!("set both to the same value, or unset one (`unset {var}`)")),
                    );
                }
                continue;
            }
        }
        if upper == "NO_PROXY" {
            out.push(Finding::ok(
                id,
                format!(
                    "{var}={}: these hosts are reached directly",
                    untrusted(value)
                ),
            ));
            continue;
        }
        let scheme = value.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        out.push(match scheme.as_deref() {
            None | Some("http" | "https" | "socks5" | "socks5h") => {
                Finding::ok(id, format!("{var}={} is in effect", redact(value)))
            }
            Some(s) => Finding::problem(
                id,
                format!(
                    "{var}={} uses the unsupported scheme `{}`",
                    redact(value),
                    untrusted(s)
                ),
            )
            .why("downloads through it fail")
            .fix(format!(
                "use http://, https://, socks5:// or socks5h:// in {var}"
            )),
        });
    }
}

fn probe(p: &IndexProbe) -> Option<Finding> {
    let id = FindingId::NetworkReachable;
    match p {
        IndexProbe::NotRequested => None,
        IndexProbe::Offline => Some(Finding::ok(id, "not checking whether the index answers: offline mode")),
        IndexProbe::Answered(what) => Some(Finding::ok(id, format!("the release index answers: {}", mask_in_text(what)))),
        IndexProbe::Failed(e, hint) => Some(
            Finding::problem(id, format!("the release index does not answer: {}", mask_in_text(e)))
                .why("`gover install`, `gover list --remote` and auto-install fail")
                .fix(hint.as_deref().map(mask_in_text).unwrap_or_else(|| {
                    "check the URL, HTTPS_PROXY/NO_PROXY, and SSL_CERT_FILE for a TLS-inspecting proxy; in a closed network point GOVER_INDEX_URL and GOVER_MIRROR at a mirror (`gover mirror`)".into()
                })),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn run(m: &Machine) -> Vec<Finding> {
        check::<Downloads>(m)
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("http://bob:s3cret@proxy:3128"),
            "http://bob:***@proxy:3128"
        );
        assert_eq!(redact("http://proxy:3128/"), "http://proxy:3128/");
        assert_eq!(redact("bob:pw@proxy:3128"), "bob:***@proxy:3128");
        assert_eq!(redact("https://mirror/a@b"), "https://mirror/a@b");
        // A userinfo without a colon is usually a bare token.
        assert_eq!(
            redact("https://ghp_token@artifacts/go/"),
            "https://***@artifacts/go/"
        );
        assert_eq!(redact("token@proxy:3128"), "***@proxy:3128");
    }

    #[test]
    fn defaults_are_ok() {
        let m = Machine::new();
        let f = run(&m);
        assert!(one(&f, "network.index").message.contains("(default)"));
        assert!(one(&f, "network.mirror")
            .message
            .contains("https://dl.google.com/go/"));
        assert!(f.iter().all(|x| x.severity == Severity::Ok), "{f:#?}");
    }

    #[test]
    fn env_and_config_origins_and_local_paths() {
        let mut m = Machine::new();
        let idx = m.write("mirror/index.json", "[]");
        m.set("GOVER_INDEX_URL", format!("file://{}", idx.display()));
        {
            let s = m.env.settings.as_mut().unwrap();
            s.index_url.value =
                gover_core::url::Url::parse(&format!("file://{}", idx.display())).unwrap();
            s.index_url.origin = Origin::Env("GOVER_INDEX_URL");
            s.mirror.value = gover_core::url::Url::parse("file:///nonexistent/mirror/").unwrap();
            s.mirror.origin = Origin::File {
                path: m.env.home.config_file(),
                key: "mirror",
                line: 1,
            };
        }
        m.env.config = Ok(vec![gover_core::config::Config::parse(
            "mirror = \"file:///nonexistent/mirror/\"\n",
        )
        .unwrap()]);
        let f = run(&m);
        let i = one(&f, "network.index");
        assert_eq!(i.severity, Severity::Ok);
        assert!(
            i.message.contains("(GOVER_INDEX_URL), a local file"),
            "{}",
            i.message
        );
        let mi = one(&f, "network.mirror");
        assert_eq!(mi.severity, Severity::Problem);
        assert!(mi.message.contains("(`mirror` in "), "{}", mi.message);
        m.env.settings.as_mut().unwrap().index_url.value =
            gover_core::url::Url::parse("http://intranet/index.json").unwrap();
        assert_eq!(one(&run(&m), "network.index").severity, Severity::Warning);
    }

    #[test]
    fn a_plain_http_index_is_fixed_where_it_was_set() {
        let mut m = Machine::new();
        let plain = gover_core::url::Url::parse("http://intranet/index.json").unwrap();
        let fix = |m: &Machine| one(&run(m), "network.index").fix.clone().unwrap();
        // In gover's own config file, and in the user-level one.
        let own = m.env.home.config_file();
        for (path, flag) in [
            (own, ""),
            (m.path("home/.config/gover/config.toml"), " --global"),
        ] {
            let s = m.env.settings.as_mut().unwrap();
            s.index_url.value = plain.clone();
            s.index_url.origin = Origin::File {
                path: path.clone(),
                key: "index_url",
                line: 2,
            };
            let f = fix(&m);
            assert!(
                f.contains(&format!(
                    "change `index_url` on line 2 of {}",
                    m.env.show(&path)
                )),
                "{f}"
            );
            assert!(
                f.contains(&format!("`gover config set{flag} index_url https://...`")),
                "{f}"
            );
            assert!(!f.contains("set GOVER_INDEX_URL"), "{f}");
        }
        // In the environment, from a startup file.
        m.write(
            "home/.profile",
            "export GOVER_INDEX_URL=http://intranet/index.json\n",
        );
        m.env.settings.as_mut().unwrap().index_url.origin = Origin::Env("GOVER_INDEX_URL");
        let f = fix(&m);
        assert!(
            f.ends_with("change GOVER_INDEX_URL where it is set (set at ~/.profile:1)"),
            "{f}"
        );
    }

    #[test]
    fn proxies_and_certificates() {
        let mut m = Machine::new();
        m.set("HTTPS_PROXY", "http://bob:pw@proxy:3128");
        m.set("https_proxy", "http://other:3128");
        m.set("NO_PROXY", "localhost,.corp");
        m.set("ALL_PROXY", "ftp://nope");
        m.set("SSL_CERT_FILE", m.path("missing.pem"));
        let f = run(&m);
        let p = with_id(&f, "network.proxy");
        assert!(
            p.iter().any(|x| x.severity == Severity::Ok
                && x.message == "HTTPS_PROXY=http://bob:***@proxy:3128 is in effect"),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|x| x.severity == Severity::Warning
                && x.message
                    .starts_with("https_proxy and HTTPS_PROXY disagree")),
            "{p:#?}"
        );
        assert!(
            p.iter()
                .any(|x| x.severity == Severity::Problem && x.message.contains("`ftp`")),
            "{p:#?}"
        );
        assert!(
            !f.iter().any(|x| x.message.contains("pw@")),
            "password leaked: {f:#?}"
        );
        assert_eq!(one(&f, "network.certificates").severity, Severity::Problem);
        m.write("ca.pem", "x");
        m.set("SSL_CERT_FILE", m.path("ca.pem"));
        assert_eq!(one(&run(&m), "network.certificates").severity, Severity::Ok);
    }

    #[test]
    fn probe_results() {
        let mut m = Machine::new();
        assert!(with_id(&run(&m), "network.reachable").is_empty());
        m.env.index_probe = IndexProbe::Answered("3 releases, newest go1.23.4".into());
        assert_eq!(one(&run(&m), "network.reachable").severity, Severity::Ok);
        m.env.index_probe =
            IndexProbe::Failed("GET https://x failed: connection refused".into(), None);
        let f = run(&m);
        let r = one(&f, "network.reachable");
        assert_eq!(r.severity, Severity::Problem);
        assert!(r.fix.as_deref().unwrap().contains("HTTPS_PROXY"));
    }
}
