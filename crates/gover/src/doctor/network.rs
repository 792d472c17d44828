//! Where gover downloads from: the index and mirror in effect (and where
//! each setting comes from, and the preset it names), proxies, extra CA
//! certificates, and (with `--network`) whether the index answers and
//! which mirrors, the one in use and every preset's, answer and how fast.
//! Every URL is shown with its credentials masked (`gover_core::url`).

use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use gover_core::env as vars;
use gover_core::presets::{Preset, Rewrites, PRESETS};
use gover_core::text::untrusted;
use gover_core::url::{mask_in_text, Scheme, Url};
use gover_dist::http::{Http, HttpConfig};

use super::id::FindingId;
use crate::app::Settings;
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
    /// The preset it names, when it was set by name.
    pub(crate) preset: Option<&'static Preset>,
    /// For the index: whether the mirror's preset brought it.
    pub(crate) from_mirror: bool,
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
    /// The mirrors asked under `--network`.
    pub(crate) mirrors: Vec<MirrorProbe>,
}

/// The download settings, proxies and certificates, and the probe.
pub(crate) struct Downloads;

impl Check for Downloads {
    type Facts = DownloadFacts;

    fn facts(env: &DoctorEnv) -> DownloadFacts {
        let source = |what, id, var, key, example, setting: &Setting<Url>, dir: bool| {
            let url = Ok(setting.value.clone());
            let (preset, from_mirror) = match &env.settings {
                Ok(s) if setting.origin == Origin::Default => (None, false),
                Ok(s) if dir => (s.mirror_preset, false),
                Ok(s) => (s.index_preset, s.index_from_mirror()),
                Err(_) => (None, false),
            };
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
                preset,
                from_mirror,
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
            mirrors: env.mirror_probes.clone(),
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
        out.extend(mirror_findings(&f.mirrors));
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

/// Why an index over plain HTTP is a warning.
const PLAIN_INDEX_WHY: &str = "the index holds the sha256 every download is verified against; over plain HTTP anyone on the path can change both";

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
    let plain_index = url.scheme() == Scheme::Http && s.id == FindingId::NetworkIndex;
    let rewritten = env.var_str(vars::GOVER_PRESET_ORIGINS).is_some()
        && (s.preset.is_some() || s.origin == Origin::Default);
    if plain_index && rewritten {
        let named = s.preset.map_or(shown.clone(), |p| format!("{p} ({shown})"));
        return Finding::warning(
            s.id,
            format!("{}: {named} ({from}) is plain HTTP: {} points it there", s.what, vars::GOVER_PRESET_ORIGINS),
        )
        .why(PLAIN_INDEX_WHY)
        .fix(format!(
            "unset {}, a tuning knob for tests that points the presets and the defaults at other servers",
            vars::GOVER_PRESET_ORIGINS
        ));
    }
    if let Some(p) = s.preset {
        let how = if s.from_mirror {
            "the index of the preset set by"
        } else {
            "a preset set by"
        };
        return Finding::ok(s.id, format!("{}: {p} ({shown}), {how} {from}", s.what));
    }
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
                .why(PLAIN_INDEX_WHY)
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

/// The longest `--network` waits for a mirror to answer.
const MIRROR_TIMEOUT: Duration = Duration::from_secs(5);

/// What a mirror answered (`--network`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    /// The final status, after redirects.
    pub(crate) status: u16,
    /// Whether it came as an HTML page (`Content-Type: text/html`).
    pub(crate) html: bool,
    /// How long it took.
    pub(crate) took: Duration,
}

/// A mirror asked whether it answers (`--network`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MirrorProbe {
    /// The preset it is, if any.
    pub(crate) preset: Option<&'static Preset>,
    /// Its base URL.
    pub(crate) url: Url,
    /// Whether it is the mirror in use.
    pub(crate) in_use: bool,
    /// The archive asked for (`HEAD <mirror><file>`); `None`: the base
    /// URL itself (no index to take a file name from).
    pub(crate) file: Option<String>,
    /// The answer, or why there was none.
    pub(crate) answer: Result<Answer, String>,
}

impl MirrorProbe {
    /// `cn (https://golang.google.cn/dl/)`, or the URL alone.
    fn label(&self) -> String {
        let url = untrusted(&self.url.to_string()).to_string();
        match self.preset {
            Some(p) => format!("{p} ({url})"),
            None => url,
        }
    }

    /// The time it answered in, when it answered with the file (not an
    /// HTML page in its place), or, with no file to ask for, at all.
    fn has_it(&self) -> Option<Duration> {
        match self.answer {
            Ok(a) if self.file.is_none() => Some(a.took),
            Ok(a) if (200..300).contains(&a.status) && !a.html => Some(a.took),
            _ => None,
        }
    }
}

/// The mirrors `--network` asks: the one in use (unless it is a local
/// directory), then every preset's other one, as the rewrites have them.
fn mirrors_to_ask(s: &Settings, rewrites: &Rewrites) -> Vec<(Option<&'static Preset>, Url, bool)> {
    let mut out = Vec::new();
    if s.mirror.value.file_path().is_none() {
        out.push((s.mirror_preset, s.mirror.value.clone(), true));
    }
    for p in PRESETS {
        let url = p.mirror_url(rewrites);
        if url.without_credentials() != s.mirror.value.without_credentials() {
            out.push((Some(p), url, false));
        }
    }
    out
}

/// One `HEAD` for `file` on `mirror` (the mirror itself without a file),
/// timed.
fn ask(http: &Http, mirror: &Url, file: Option<&str>, within: Duration) -> Result<Answer, String> {
    let target = match file {
        Some(f) => mirror
            .join_file(f)
            .ok_or_else(|| format!("`{}` is not a file name", untrusted(f)))?,
        None => mirror.clone(),
    };
    let start = Instant::now();
    let said = http
        .head(&target, within)
        .map_err(|e| mask_in_text(&e.to_string()))?;
    let html = said.content_type.is_some_and(|t| {
        t.trim_start()
            .get(..9)
            .is_some_and(|m| m.eq_ignore_ascii_case("text/html"))
    });
    Ok(Answer {
        status: said.status,
        html,
        took: start.elapsed(),
    })
}

/// Asks the mirror in use and every preset's, all at once, for `file`
/// (`HEAD`, no retries) and times each answer; whatever has not answered
/// within [`MIRROR_TIMEOUT`] (or `http_timeout` when shorter) is reported
/// as such and left behind, so a stalled server cannot hold doctor up.
/// Not when offline.
pub(crate) fn probe_mirrors(
    s: &Settings,
    rewrites: &Rewrites,
    file: Option<&str>,
) -> Vec<MirrorProbe> {
    if s.offline.value {
        return Vec::new();
    }
    let within = s.http_timeout.value.min(MIRROR_TIMEOUT);
    let config = HttpConfig {
        timeout: within,
        retries: 0,
        ..HttpConfig::default()
    };
    let http = match Http::new(config) {
        Ok(h) => Arc::new(h),
        // The index probe reports a client that cannot be set up.
        Err(_) => return Vec::new(),
    };
    let asked = mirrors_to_ask(s, rewrites);
    let (tx, rx) = mpsc::channel();
    for (i, (_, url, _)) in asked.iter().enumerate() {
        let (tx, http, url) = (tx.clone(), http.clone(), url.clone());
        let file = file.map(str::to_string);
        std::thread::spawn(move || {
            let _ = tx.send((i, ask(&http, &url, file.as_deref(), within)));
        });
    }
    drop(tx);
    let mut answers: Vec<Option<Result<Answer, String>>> = vec![None; asked.len()];
    // A little beyond the client's own limit, for the threads to report.
    let deadline = Instant::now() + within + Duration::from_millis(500);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((i, a)) => answers[i] = Some(a),
            Err(_) => break,
        }
    }
    let mut out: Vec<MirrorProbe> = asked
        .into_iter()
        .zip(answers)
        .map(|((preset, url, in_use), answer)| MirrorProbe {
            preset,
            url,
            in_use,
            file: file.map(str::to_string),
            answer: answer
                .unwrap_or_else(|| Err(format!("no answer within {} s", within.as_secs_f32()))),
        })
        .collect();
    // The one in use first, then the others, fastest first.
    out.sort_by_key(|p| (!p.in_use, p.has_it().is_none(), p.has_it()));
    out
}

/// `120 ms`.
fn millis(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// What a probe's answer means: the line, and whether it is a problem
/// (`Some(true)`), a warning (`Some(false)`) or information (`None`); only
/// the mirror in use can be more than information.
fn verdict(p: &MirrorProbe, what: &str, file: Option<&str>) -> (String, Option<bool>) {
    match (&p.answer, file) {
        (Err(e), _) => (
            format!("{what} does not answer: {e}"),
            p.in_use.then_some(true),
        ),
        (Ok(a), None) => (format!("{what} answers in {}", millis(a.took)), None),
        (Ok(a), Some(f)) if (200..300).contains(&a.status) && a.html => (
            format!(
                "{what} answers in {} with an HTML page, not {f} (a sign-in or error page?)",
                millis(a.took)
            ),
            p.in_use.then_some(true),
        ),
        (Ok(a), Some(f)) if (200..300).contains(&a.status) => (
            format!("{what} answers in {} and has {f}", millis(a.took)),
            None,
        ),
        (Ok(a), Some(f)) if matches!(a.status, 404 | 410) => (
            format!(
                "{what} answers in {} but does not have {f} (yet)",
                millis(a.took)
            ),
            p.in_use.then_some(false),
        ),
        (Ok(a), Some(f)) => (
            format!(
                "{what} answers in {} with HTTP {} for {f}",
                millis(a.took),
                a.status
            ),
            p.in_use.then_some(true),
        ),
    }
}

/// The findings of the mirrors `--network` asked: the one in use is a
/// problem when it does not answer (or refuses the archive) and a warning
/// when it lacks the newest archive; the presets' others are never more
/// than information.
fn mirror_findings(probes: &[MirrorProbe]) -> Vec<Finding> {
    let id = FindingId::NetworkMirrors;
    let best = probes
        .iter()
        .filter(|p| !p.in_use && p.preset.is_some())
        .filter_map(|p| Some((p, p.has_it()?)))
        .min_by_key(|(_, took)| *took);
    let switch = best.map(|(p, took)| {
        let name = p.preset.map_or("", |p| p.name);
        format!(
            "{name} answers in {}: `gover config set --global mirror {name}` (or GOVER_MIRROR={name} for one command)",
            millis(took)
        )
    });
    probes
        .iter()
        .map(|p| {
            let label = p.label();
            let file = p.file.as_deref().map(|f| untrusted(f).to_string());
            let what = if p.in_use {
                format!("the archive mirror in use, {label},")
            } else {
                label
            };
            let (message, severity) = verdict(p, &what, file.as_deref());
            let fix = switch.clone().unwrap_or_else(|| {
                "check the URL, HTTPS_PROXY/NO_PROXY and SSL_CERT_FILE (no preset's mirror answered with it either); in a closed network, `gover mirror` fills a directory to serve as one".into()
            });
            match severity {
                None => Finding::ok(id, message),
                Some(false) => Finding::warning(id, message)
                    .why("installing that release fails until the mirror copies it")
                    .fix(format!("wait for the mirror, or take it from another one: {fix}")),
                Some(true) => Finding::problem(id, message)
                    .why("installs fail")
                    .fix(fix),
            }
        })
        .collect()
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
            s.index_preset = None;
            s.mirror_preset = None;
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
            s.index_preset = None;
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

    /// The settings `vars` give, with no config file.
    fn settings_with(vars: &[(&str, &str)]) -> Settings {
        let m: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let layers = gover_core::settings::Layers::new(move |k| m.get(k).map(Into::into), vec![]);
        Settings::from_layers(&layers, false).unwrap()
    }

    #[test]
    fn presets_show_by_name_with_their_url_and_where_they_were_set() {
        let mut m = Machine::new();
        m.env.settings = Ok(settings_with(&[("GOVER_MIRROR", "aliyun")]));
        let f = run(&m);
        assert_eq!(
            one(&f, "network.mirror").message,
            "archive mirror: aliyun (https://mirrors.aliyun.com/golang/), a preset set by GOVER_MIRROR"
        );
        assert_eq!(
            one(&f, "network.index").message,
            "release index: aliyun (https://golang.google.cn/dl/?mode=json&include=all), the index of the preset set by GOVER_MIRROR"
        );
        m.env.settings = Ok(settings_with(&[
            ("GOVER_MIRROR", "file:///srv/go/"),
            ("GOVER_INDEX_URL", "cn"),
        ]));
        let f = run(&m);
        assert_eq!(
            one(&f, "network.index").message,
            "release index: cn (https://golang.google.cn/dl/?mode=json&include=all), a preset set by GOVER_INDEX_URL"
        );
        // A preset's index pointed at plain HTTP by the tuning knob: a
        // warning whose fix is the knob.
        let origins = "https://golang.google.cn=http://10.0.0.1:8080";
        m.set("GOVER_PRESET_ORIGINS", origins);
        m.env.settings = Ok(settings_with(&[
            ("GOVER_MIRROR", "aliyun"),
            ("GOVER_PRESET_ORIGINS", origins),
        ]));
        let f = run(&m);
        let i = one(&f, "network.index");
        assert_eq!(i.severity, Severity::Warning);
        assert_eq!(
            i.message,
            "release index: aliyun (http://10.0.0.1:8080/dl/?mode=json&include=all) (GOVER_MIRROR) is plain HTTP: GOVER_PRESET_ORIGINS points it there"
        );
        assert!(i
            .fix
            .as_deref()
            .unwrap()
            .starts_with("unset GOVER_PRESET_ORIGINS"));
        m.env.vars.remove("GOVER_PRESET_ORIGINS");
        // The default is go.dev's, shown as before.
        m.env.settings = Ok(settings_with(&[]));
        assert_eq!(
            one(&run(&m), "network.mirror").message,
            "archive mirror: https://dl.google.com/go/ (default)"
        );
    }

    #[test]
    fn the_mirror_in_use_and_every_other_preset_are_asked() {
        let none = Rewrites::default();
        let asked = |s: &Settings| -> Vec<(String, bool)> {
            mirrors_to_ask(s, &none)
                .into_iter()
                .map(|(p, u, in_use)| (p.map_or(u.to_string(), |p| p.name.to_string()), in_use))
                .collect()
        };
        let s = settings_with(&[]);
        assert_eq!(
            asked(&s),
            [
                ("go.dev", true),
                ("cn", false),
                ("aliyun", false),
                ("ustc", false)
            ]
            .map(|(n, b)| (n.to_string(), b))
        );
        // The same mirror by URL counts once, as the one in use.
        let s = settings_with(&[("GOVER_MIRROR", "https://mirrors.ustc.edu.cn/golang")]);
        let a = asked(&s);
        assert_eq!(
            a[0],
            ("https://mirrors.ustc.edu.cn/golang/".to_string(), true)
        );
        assert_eq!(a.len(), 4, "{a:?}");
        // A local directory is not asked; offline, nothing is.
        let s = settings_with(&[("GOVER_MIRROR", "file:///srv/go/")]);
        assert!(asked(&s).iter().all(|(_, in_use)| !in_use));
        let s = settings_with(&[("GOVER_OFFLINE", "1")]);
        assert!(probe_mirrors(&s, &none, Some("x.tar.gz")).is_empty());
    }

    /// A probe of preset `name` (in use or not) that answered `answer`.
    fn probe_of(name: &str, in_use: bool, answer: Result<(u16, u64), &str>) -> MirrorProbe {
        let p = gover_core::presets::find(name).unwrap();
        MirrorProbe {
            preset: Some(p),
            url: p.mirror_url(&Rewrites::default()),
            in_use,
            file: Some("go1.23.4.linux-amd64.tar.gz".into()),
            answer: answer
                .map(|(status, ms)| Answer {
                    status,
                    html: false,
                    took: Duration::from_millis(ms),
                })
                .map_err(str::to_string),
        }
    }

    #[test]
    fn mirrors_that_do_not_answer_fail_doctor_only_when_in_use() {
        let others = || {
            vec![
                probe_of("go.dev", false, Ok((200, 120))),
                probe_of("cn", false, Ok((200, 80))),
                probe_of("ustc", false, Err("HEAD https://mirrors.ustc.edu.cn/golang/go1.23.4.linux-amd64.tar.gz failed: timed out")),
            ]
        };
        let mut probes = vec![probe_of("aliyun", true, Ok((200, 35)))];
        probes.extend(others());
        let f = mirror_findings(&probes);
        assert!(f.iter().all(|x| x.severity == Severity::Ok), "{f:#?}");
        assert_eq!(
            f[0].message,
            "the archive mirror in use, aliyun (https://mirrors.aliyun.com/golang/), answers in 35 ms and has go1.23.4.linux-amd64.tar.gz"
        );
        assert_eq!(
            f[3].message,
            "ustc (https://mirrors.ustc.edu.cn/golang/) does not answer: HEAD https://mirrors.ustc.edu.cn/golang/go1.23.4.linux-amd64.tar.gz failed: timed out"
        );
        // The mirror in use lacks the archive: a warning naming the fastest
        // preset that has it.
        probes[0] = probe_of("aliyun", true, Ok((404, 35)));
        let f = mirror_findings(&probes);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message
                .ends_with("answers in 35 ms but does not have go1.23.4.linux-amd64.tar.gz (yet)"),
            "{}",
            f[0].message
        );
        assert_eq!(
            f[0].fix.as_deref(),
            Some("wait for the mirror, or take it from another one: cn answers in 80 ms: `gover config set --global mirror cn` (or GOVER_MIRROR=cn for one command)")
        );
        // It refuses or does not answer: a problem.
        for answer in [Ok((403, 35)), Err("HEAD ... failed: connection refused")] {
            probes[0] = probe_of("aliyun", true, answer);
            let f = mirror_findings(&probes);
            assert_eq!(f[0].severity, Severity::Problem, "{f:#?}");
            assert_eq!(f[0].why.as_deref(), Some("installs fail"));
            assert!(f[0]
                .fix
                .as_deref()
                .unwrap()
                .starts_with("cn answers in 80 ms: "));
        }
        // A 200 that is an HTML page is no archive: a problem, and a preset
        // answering so is not offered.
        let page = |p: MirrorProbe| MirrorProbe {
            answer: p.answer.map(|a| Answer { html: true, ..a }),
            ..p
        };
        probes[0] = page(probe_of("aliyun", true, Ok((200, 35))));
        probes[2] = page(probe_of("cn", false, Ok((200, 10))));
        let f = mirror_findings(&probes);
        assert_eq!(f[0].severity, Severity::Problem);
        assert!(
            f[0].message.ends_with(
                "answers in 35 ms with an HTML page, not go1.23.4.linux-amd64.tar.gz (a sign-in or error page?)"
            ),
            "{}",
            f[0].message
        );
        assert!(
            f[0].fix
                .as_deref()
                .unwrap()
                .starts_with("go.dev answers in 120 ms: "),
            "{f:#?}"
        );
        // No preset has it: the fix says what to check.
        let alone = [probe_of("cn", true, Err("refused"))];
        assert!(mirror_findings(&alone)[0]
            .fix
            .as_deref()
            .unwrap()
            .starts_with("check the URL, HTTPS_PROXY/NO_PROXY and SSL_CERT_FILE"));
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
