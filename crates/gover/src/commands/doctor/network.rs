//! Where gover downloads from: the index and mirror in effect (and where
//! each setting comes from), proxies, extra CA certificates, and (with
//! `--network`) whether the index answers.

use std::path::PathBuf;

use gover_core::env as vars;

use super::model::{DoctorEnv, Finding, IndexProbe};

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
pub(crate) fn redact(url: &str) -> String {
    if url.contains("://") {
        return gover_core::url::mask_in_text(url);
    }
    // Proxy variables without a scheme (`user:pass@proxy:3128`) mean http.
    let masked = gover_core::url::mask_in_text(&format!("http://{url}"));
    masked
        .strip_prefix("http://")
        .unwrap_or(&masked)
        .to_string()
}

/// Where a setting comes from: the variable, `config.toml`, or the default.
fn origin(env: &DoctorEnv, var: &str, key: &str) -> String {
    if env.var(var).is_some() {
        return var.to_string();
    }
    if let Ok(c) = &env.config {
        if c.get(key).is_some() {
            return format!("`{key}` in {}", env.show(&env.home.config_file()));
        }
    }
    "default".into()
}

/// Checks the download settings and proxies, and reports the probe.
pub(crate) fn check(env: &DoctorEnv, out: &mut Vec<Finding>) {
    let Ok(settings) = &env.settings else {
        // The settings error itself is reported by the config check.
        return;
    };
    for (what, var, key, url, is_dir) in [
        (
            "release index",
            vars::GOVER_INDEX_URL,
            "index_url",
            settings.index_url.as_str(),
            false,
        ),
        (
            "archive mirror",
            vars::GOVER_MIRROR,
            "mirror",
            settings.mirror.as_str(),
            true,
        ),
    ] {
        let from = origin(env, var, key);
        let shown = redact(url);
        let id = if is_dir {
            "network.mirror"
        } else {
            "network.index"
        };
        if let Some(p) = gover_core::url::Url::parse(url)
            .ok()
            .and_then(|u| u.file_path())
        {
            let exists = if is_dir { p.is_dir() } else { p.is_file() };
            if exists {
                out.push(Finding::ok(
                    id,
                    format!(
                        "{what}: {shown} ({from}), a local {}",
                        if is_dir { "directory" } else { "file" }
                    ),
                ));
            } else {
                out.push(
                    Finding::problem(id, format!("{what} {shown} ({from}) does not exist"))
                        .why("installs fail")
                        .fix(format!(
                            "create it (`gover mirror` fills a directory with archives and index.json), or fix {}",
                            if from == "default" { var.to_string() } else { from.clone() }
                        )),
                );
            }
        } else if url.starts_with("https://") || url.starts_with("http://") {
            let mut f = Finding::ok(id, format!("{what}: {shown} ({from})"));
            if url.starts_with("http://") && !is_dir {
                f = Finding::warning(id, format!("{what}: {shown} ({from}) is plain HTTP"))
                    .why("the index holds the sha256 every download is verified against; over plain HTTP anyone on the path can change both")
                    .fix(format!("serve it over https:// or from a file:// path, and set {var} accordingly"));
            }
            out.push(f);
        } else {
            out.push(
                Finding::problem(id, format!("{what} {shown} ({from}) is not an http://, https:// or file:// URL"))
                    .why("installs fail")
                    .fix(format!("set {var} (or `{key}` in config.toml) to a full URL such as https://go.dev/dl/?mode=json&include=all or file:///srv/go/index.json")),
            );
        }
    }
    if settings.offline {
        out.push(Finding::ok(
            "network.offline",
            "offline mode (--offline or GOVER_OFFLINE=1): installs use only the cached index and local archives",
        ));
    }

    let mut seen: Vec<(&str, String)> = Vec::new();
    for var in PROXY_VARS {
        if let Some(v) = env.var_str(var) {
            seen.push((var, v.to_string()));
        }
    }
    for (var, value) in &seen {
        let upper = var.to_ascii_uppercase();
        if var.chars().any(|c| c.is_ascii_lowercase()) {
            if let Some((_, other)) = seen.iter().find(|(k, _)| **k == upper) {
                if other != value {
                    out.push(
                        Finding::warning("network.proxy", format!("{var} and {upper} disagree ({} vs {})", redact(value), redact(other)))
                            .why("programs differ in which one they read (gover's HTTP client takes the uppercase one first, curl and wget the lowercase one), so downloads go different ways")
                            .fix(format!("set both to the same value, or unset one (`unset {var}`)")),
                    );
                }
                continue;
            }
        }
        if upper == "NO_PROXY" {
            out.push(Finding::ok(
                "network.proxy",
                format!("{var}={value}: these hosts are reached directly"),
            ));
            continue;
        }
        let scheme = value.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            None | Some("http" | "https" | "socks5" | "socks5h") => out.push(Finding::ok(
                "network.proxy",
                format!("{var}={} is in effect", redact(value)),
            )),
            Some(s) => out.push(
                Finding::problem(
                    "network.proxy",
                    format!("{var}={} uses the unsupported scheme `{s}`", redact(value)),
                )
                .why("downloads through it fail")
                .fix(format!(
                    "use http://, https://, socks5:// or socks5h:// in {var}"
                )),
            ),
        }
    }

    if let Some(file) = env.var_str("SSL_CERT_FILE") {
        let p = PathBuf::from(file);
        if p.is_file() {
            out.push(Finding::ok(
                "network.certificates",
                format!("SSL_CERT_FILE={file}: its certificates are trusted besides the system's"),
            ));
        } else {
            out.push(
                Finding::problem("network.certificates", format!("SSL_CERT_FILE={file} is not a file"))
                    .why("every gover download fails before connecting")
                    .fix("point SSL_CERT_FILE at a PEM bundle of CA certificates (your proxy's CA), or `unset SSL_CERT_FILE`"),
            );
        }
    }

    match &env.index_probe {
        IndexProbe::NotRequested => {}
        IndexProbe::Offline => out.push(Finding::ok(
            "network.reachable",
            "not checking whether the index answers: offline mode",
        )),
        IndexProbe::Answered(what) => out.push(Finding::ok(
            "network.reachable",
            format!("the release index answers: {what}"),
        )),
        IndexProbe::Failed(e, hint) => {
            let mut f = Finding::problem(
                "network.reachable",
                format!("the release index does not answer: {e}"),
            )
            .why("`gover install`, `gover list --remote` and auto-install fail");
            f = f.fix(hint.clone().unwrap_or_else(|| {
                "check the URL, HTTPS_PROXY/NO_PROXY, and SSL_CERT_FILE for a TLS-inspecting proxy; in a closed network point GOVER_INDEX_URL and GOVER_MIRROR at a mirror (`gover mirror`)".into()
            }));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{one, with_id, Machine};
    use super::super::model::Severity;
    use super::*;

    fn run(m: &Machine) -> Vec<Finding> {
        let mut out = Vec::new();
        check(&m.env, &mut out);
        out
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
            s.index_url = format!("file://{}", idx.display());
            s.mirror = "file:///nonexistent/mirror/".into();
        }
        m.env.config = Ok(gover_core::config::Config::parse(
            "mirror = \"file:///nonexistent/mirror/\"\n",
        )
        .unwrap());
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
        m.env.settings.as_mut().unwrap().mirror = "ftp://x/".into();
        assert_eq!(one(&run(&m), "network.mirror").severity, Severity::Problem);
        m.env.settings.as_mut().unwrap().index_url = "http://intranet/index.json".into();
        assert_eq!(one(&run(&m), "network.index").severity, Severity::Warning);
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
