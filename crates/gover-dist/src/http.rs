//! HTTP(S) with timeouts, retries with backoff, resumable downloads, and
//! limits that stop a hostile or broken server: a deadline derived from the
//! size, a minimum speed, and redirects that never leave `https://` for
//! `http://` (unless allowed) or `http(s)://` for anything else.
//!
//! Proxies come from `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
//! (either case; `user:pass@` credentials included). TLS trusts the system
//! roots plus the certificates in `SSL_CERT_FILE`, so a TLS-inspecting
//! corporate proxy works once its CA is there.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_RANGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    LAST_MODIFIED, RANGE,
};
use reqwest::{Method, StatusCode};

use gover_core::env;
use gover_core::url::{mask_in_text, Url};

use crate::error::{Error, ErrorKind, Result};
use crate::Progress;

/// Network settings. Every field has a default ([`HttpConfig::default`]).
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Connect timeout, and the longest a response may stay silent (30 s).
    pub timeout: Duration,
    /// How many times a failed request is retried (connection errors,
    /// timeouts, 5xx, a body cut short) (3).
    pub retries: u32,
    /// The first pause before retrying; it doubles each time (500 ms).
    pub backoff: Duration,
    /// The average speed, in bytes per second, a whole download must keep
    /// up: it must end within `timeout + size / min_rate` (16 KiB/s).
    pub min_rate: u64,
    /// A download slower than this many bytes per second ...
    pub low_speed_limit: u64,
    /// ... for this long is stopped (1 KiB/s for 30 s), as curl's
    /// `--speed-limit`/`--speed-time`: a drip of bytes never trips the
    /// idle timeout, but trips this long before the deadline.
    pub low_speed_time: Duration,
    /// Follow a redirect from `https://` to `http://`, with a warning,
    /// instead of refusing it (off).
    pub allow_insecure_redirects: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            min_rate: 16 << 10,
            low_speed_limit: 1 << 10,
            low_speed_time: Duration::from_secs(30),
            allow_insecure_redirects: false,
        }
    }
}

/// A configured HTTP client.
#[derive(Clone)]
pub struct Http {
    client: Client,
    config: HttpConfig,
    /// Redirects followed against the usual rule, to warn about.
    notes: Arc<Mutex<Vec<String>>>,
}

/// Validators of a cached response, sent to revalidate it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` the server sent.
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// The answer to a conditional GET.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`: the cached copy is current.
    NotModified,
    /// A new body and its validators.
    Body(Vec<u8>, Validators),
}

/// The answer to a GET of something that may not exist (a module proxy's
/// file, a checksum database's record or tile).
#[derive(Debug)]
pub enum Got<T> {
    /// The server had it.
    Found(T),
    /// The server answered 404 or 410: it does not have it.
    Missing(Missing),
}

/// A 404 or 410 answer, with the start of what the server said (module
/// proxies explain why in the body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// The status: 404 or 410.
    pub status: u16,
    /// The first line of the body, escaped and shortened (may be empty).
    pub said: String,
}

impl fmt::Display for Missing {
    /// `404 Not Found`, then `: <what the server said>` if anything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = StatusCode::from_u16(self.status).map_or(self.status.to_string(), status_text);
        f.write_str(&status)?;
        if !self.said.is_empty() {
            write!(f, ": {}", self.said)?;
        }
        Ok(())
    }
}

/// Most bytes of a 404 body read to explain it.
const MISSING_BODY_BYTES: u64 = 1024;

/// What a server answered to `HEAD` ([`Http::head`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadAnswer {
    /// The final status, after redirects.
    pub status: u16,
    /// Its `Content-Type`, as sent (untrusted).
    pub content_type: Option<String>,
}

/// The proxy a request goes through, as the environment sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyInUse {
    /// The variable that sets it (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, ...).
    pub var: &'static str,
    /// Its URL with any password masked (`http://user:***@proxy:3128`).
    pub url: String,
    /// Whether the URL carries credentials.
    pub has_credentials: bool,
}

impl fmt::Display for ProxyInUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.url, self.var)
    }
}

/// The proxy the environment routes `url` through, chosen exactly as the
/// HTTP client chooses it (the scheme's variable, else `ALL_PROXY`; upper
/// case before lower; `NO_PROXY` honoured), or `None` for a direct
/// connection.
pub fn proxy_for(url: &Url) -> Option<ProxyInUse> {
    use hyper_util::client::proxy::matcher::Matcher;
    let uri: http::Uri = url.expose().parse().ok()?;
    Matcher::from_env().intercept(&uri)?;
    let first_set = |names: [&'static str; 2]| {
        names
            .into_iter()
            .find_map(|n| std::env::var(n).ok().map(|v| (n, v)))
    };
    let specific = if uri.scheme_str() == Some("https") {
        ["HTTPS_PROXY", "https_proxy"]
    } else {
        ["HTTP_PROXY", "http_proxy"]
    };
    let usable = |v: &str| Matcher::builder().all(v).build().intercept(&uri).is_some();
    let (var, value) = first_set(specific)
        .filter(|(_, v)| usable(v))
        .or_else(|| first_set(["ALL_PROXY", "all_proxy"]))?;
    let value = value.trim();
    let authority = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or("");
    Some(ProxyInUse {
        var,
        url: mask_in_text(value),
        has_credentials: authority.contains('@'),
    })
}

/// The error for a proxy that wants other credentials (HTTP 407), from a
/// `CONNECT` tunnel or a forwarded request.
fn proxy_auth_error(url: &Url, proxy: &ProxyInUse) -> Error {
    let var = proxy.var;
    let err = Error::new(
        ErrorKind::HttpStatus,
        format!(
            "GET {url} failed: the proxy {proxy} answered HTTP 407 Proxy Authentication Required"
        ),
    );
    if proxy.has_credentials {
        err.with_hint(format!(
            "the proxy refused the user name or password in {var}: correct them in its URL, {var}=http://<user>:<password>@<host>:<port> (special characters percent-encoded)"
        ))
    } else {
        err.with_hint(format!(
            "the proxy wants a user name and password: put them in {var}: {var}=http://<user>:<password>@<host>:<port> (special characters percent-encoded)"
        ))
    }
}

/// True when a proxy answered a `CONNECT` with 407.
fn is_proxy_auth_required(e: &reqwest::Error) -> bool {
    describe(e).contains("proxy authorization required")
}

/// True when a proxy answered a `CONNECT` with another error status.
fn is_tunnel_refused(e: &reqwest::Error) -> bool {
    describe(e).contains("tunnel error: unsuccessful")
}

/// Well-known CA bundles of Unix systems, used to keep the system roots when
/// `SSL_CERT_FILE` adds more (the native-roots loader replaces them).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

fn add_bundle(
    builder: reqwest::blocking::ClientBuilder,
    path: &Path,
) -> Result<reqwest::blocking::ClientBuilder> {
    let pem = gover_core::fs::open_regular(path)
        .and_then(|(mut f, _)| {
            let mut pem = Vec::new();
            f.read_to_end(&mut pem).map(|_| pem)
        })
        .map_err(|e| Error::io("cannot read certificates from", path, e))?;
    let bad = |why: String| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} holds no usable PEM certificates{why}", path.display()),
        )
        .with_hint("point SSL_CERT_FILE at a PEM file of CA certificates, or unset it")
    };
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(format!(": {e}")))?;
    if certs.is_empty() {
        return Err(bad(String::new()));
    }
    Ok(certs
        .into_iter()
        .fold(builder, |b, c| b.add_root_certificate(c)))
}

/// A redirect gover does not follow.
#[derive(Debug)]
struct RedirectRefused {
    /// The URL that answered with the redirect (masked).
    from: String,
    /// Where it pointed (masked).
    to: String,
    /// True for `https://` to `http://`; false for a scheme that is not
    /// `http(s)://` at all.
    downgrade: bool,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect from {} to {} refused", self.from, self.to)
    }
}

impl std::error::Error for RedirectRefused {}

/// The most redirects one request follows.
const MAX_REDIRECTS: usize = 10;

/// What to do with a redirect from `from` to `to`: `Ok(None)` follows it,
/// `Ok(Some(note))` follows it with a warning, `Err` refuses it.
fn judge_redirect(
    from: &reqwest::Url,
    to: &reqwest::Url,
    allow_insecure: bool,
) -> std::result::Result<Option<String>, RedirectRefused> {
    let refused = |downgrade| RedirectRefused {
        from: mask_in_text(from.as_str()),
        to: mask_in_text(to.as_str()),
        downgrade,
    };
    match (from.scheme(), to.scheme()) {
        (_, "https") | ("http", "http") => Ok(None),
        ("https", "http") if allow_insecure => Ok(Some(format!(
            "following the redirect from {} down to {} ({}=1): the download is no longer protected by TLS",
            mask_in_text(from.as_str()),
            mask_in_text(to.as_str()),
            env::GOVER_ALLOW_INSECURE_REDIRECTS
        ))),
        ("https", "http") => Err(refused(true)),
        _ => Err(refused(false)),
    }
}

fn redirect_policy(
    allow_insecure: bool,
    notes: Arc<Mutex<Vec<String>>>,
) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        let Some(from) = attempt.previous().last().cloned() else {
            return attempt.follow();
        };
        match judge_redirect(&from, attempt.url(), allow_insecure) {
            Ok(None) => attempt.follow(),
            Ok(Some(note)) => {
                notes.lock().unwrap_or_else(|p| p.into_inner()).push(note);
                attempt.follow()
            }
            Err(refused) => attempt.error(refused),
        }
    })
}

/// The error for a refused redirect of a `method` (`GET`) request.
fn redirect_error(method: &Method, url: &Url, r: &RedirectRefused) -> Error {
    if r.downgrade {
        return Error::new(
            ErrorKind::Redirect,
            format!(
                "{method} {url} was redirected from {} down to {}: gover does not follow a redirect from https:// to http://, which would drop the protection of TLS",
                r.from, r.to
            ),
        )
        .with_hint(format!(
            "point {} / {} at an https:// URL that is not redirected to http://; or, if you trust the network, set {}=1 to follow it with a warning",
            env::GOVER_MIRROR,
            env::GOVER_INDEX_URL,
            env::GOVER_ALLOW_INSECURE_REDIRECTS
        ));
    }
    Error::new(
        ErrorKind::Redirect,
        format!(
            "{method} {url} was redirected to {}, which is not an http:// or https:// URL; gover follows redirects only to web servers",
            r.to
        ),
    )
    .with_hint(format!(
        "to use a local directory or file, set {} / {} to its file:// URL yourself",
        env::GOVER_MIRROR,
        env::GOVER_INDEX_URL
    ))
}

/// The error for a redirect the client did not follow: one to a URL that
/// is not `http(s)://` (such as `file://`), which it cannot even request.
fn unfollowed(url: &Url, r: &Response) -> Error {
    let to = header(r, reqwest::header::LOCATION).unwrap_or_default();
    let scheme = to.split_once(':').map_or("", |(s, _)| s);
    if !to.is_empty()
        && !scheme.eq_ignore_ascii_case("http")
        && !scheme.eq_ignore_ascii_case("https")
    {
        let from = mask_in_text(url.expose());
        let to = mask_in_text(&to);
        return redirect_error(
            &Method::GET,
            url,
            &RedirectRefused {
                from,
                to,
                downgrade: false,
            },
        );
    }
    status_error(url, r.status())
}

/// The refused redirect behind a reqwest error, if that is what it is.
fn refused_redirect(e: &reqwest::Error) -> Option<&RedirectRefused> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(r) = s.downcast_ref::<RedirectRefused>() {
            return Some(r);
        }
        src = s.source();
    }
    None
}

/// The error for an index that is larger than `max` bytes.
pub(crate) fn index_too_large(shown: &str, max: u64) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!("the release index at {shown} is larger than {max} bytes (the limit); it is not a go.dev/dl index"),
    )
    .with_hint(format!(
        "check {} (or `index_url` in config.toml); {} raises the limit",
        env::GOVER_INDEX_URL,
        env::GOVER_MAX_INDEX_BYTES
    ))
}

/// Which download limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overrun {
    /// The whole transfer took longer than its deadline.
    Deadline(Duration),
    /// Fewer than `low_speed_limit` bytes per second for `low_speed_time`.
    TooSlow {
        /// Bytes in the window.
        bytes: u64,
        /// The window.
        window: Duration,
    },
}

/// Watches one transfer: its deadline and its speed over a sliding window.
#[derive(Debug, Clone)]
pub(crate) struct Pace {
    budget: Duration,
    deadline: Option<Instant>,
    limit: u64,
    window: Duration,
    window_start: Instant,
    window_bytes: u64,
}

impl Pace {
    /// Limits for a transfer of `size` bytes, starting now. A size of 0
    /// (unknown) sets no deadline: only the minimum speed applies.
    pub(crate) fn new(config: &HttpConfig, size: u64) -> Self {
        let secs = (size / config.min_rate.max(1)).saturating_add(1);
        let budget = config.timeout.saturating_add(Duration::from_secs(secs));
        let now = Instant::now();
        Self {
            budget,
            deadline: (size > 0).then(|| now.checked_add(budget)).flatten(),
            limit: config.low_speed_limit,
            window: config.low_speed_time,
            window_start: now,
            window_bytes: 0,
        }
    }

    /// Notes `n` more bytes; an error when a limit is hit.
    pub(crate) fn check(&mut self, n: u64) -> std::result::Result<(), Overrun> {
        let now = Instant::now();
        if self.deadline.is_some_and(|d| now > d) {
            return Err(Overrun::Deadline(self.budget));
        }
        self.window_bytes = self.window_bytes.saturating_add(n);
        let elapsed = now.saturating_duration_since(self.window_start);
        if self.limit > 0 && !self.window.is_zero() && elapsed >= self.window {
            let needed = (self.limit as f64 * elapsed.as_secs_f64()) as u64;
            if self.window_bytes < needed {
                return Err(Overrun::TooSlow {
                    bytes: self.window_bytes,
                    window: elapsed,
                });
            }
            self.restart_window();
        }
        Ok(())
    }

    /// Starts a new speed window (after a reconnection).
    pub(crate) fn restart_window(&mut self) {
        self.window_start = Instant::now();
        self.window_bytes = 0;
    }

    /// True when waiting `pause` would pass the deadline.
    fn would_overrun(&self, pause: Duration) -> bool {
        self.deadline
            .is_some_and(|d| Instant::now().checked_add(pause).is_none_or(|t| t > d))
    }
}

/// The error for a download of `url` that hit a limit after `pos` bytes.
fn overrun_error(url: &Url, overrun: Overrun, pos: u64, config: &HttpConfig) -> Error {
    match overrun {
        Overrun::Deadline(budget) => Error::new(
            ErrorKind::Limit,
            format!(
                "the download of {url} did not finish within {}s, the time allowed for its size ({pos} bytes arrived): the limit is an average of at least {} bytes per second",
                budget.as_secs(),
                config.min_rate
            ),
        )
        .with_hint(format!(
            "the mirror or the network is too slow: try again later or use another mirror ({}); {} (bytes per second) allows slower downloads",
            env::GOVER_MIRROR,
            env::GOVER_DOWNLOAD_MIN_RATE
        )),
        Overrun::TooSlow { bytes, window } => Error::new(
            ErrorKind::Limit,
            format!(
                "the download of {url} is too slow: {bytes} bytes in the last {}s, below the minimum of {} bytes per second ({pos} bytes arrived)",
                window.as_secs(),
                config.low_speed_limit
            ),
        )
        .with_hint(format!(
            "the mirror is stalling: try again later or use another mirror ({}); {} (bytes per second) and {} (seconds) set the minimum speed",
            env::GOVER_MIRROR,
            env::GOVER_DOWNLOAD_LOW_SPEED_LIMIT,
            env::GOVER_DOWNLOAD_LOW_SPEED_TIME
        )),
    }
}

impl Http {
    /// A client with `config`, the environment's proxies and TLS roots.
    pub fn new(config: HttpConfig) -> Result<Self> {
        let notes = Arc::new(Mutex::new(Vec::new()));
        let mut builder = Client::builder()
            .user_agent(concat!("gover/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout)
            // In the blocking client this bounds the wait for the headers
            // and for each read of the body: an idle timeout, not a total.
            .timeout(config.timeout)
            .redirect(redirect_policy(
                config.allow_insecure_redirects,
                notes.clone(),
            ));
        if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
            builder = add_bundle(builder, Path::new(&file))?;
            if let Some(sys) = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) {
                if Path::new(&file) != sys {
                    builder = add_bundle(builder, sys)?;
                }
            }
        }
        let client = builder.build().map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("cannot set up the HTTP client: {}", describe(&e)),
            )
            .with_hint("check HTTP_PROXY/HTTPS_PROXY/ALL_PROXY and SSL_CERT_FILE")
        })?;
        Ok(Self {
            client,
            config,
            notes,
        })
    }

    /// The settings in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Retries a failed request at most `n` times from now on (never more
    /// than the settings say).
    pub fn limit_retries(&mut self, n: u32) {
        self.config.retries = self.config.retries.min(n);
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.config.backoff.saturating_mul(1 << attempt.min(6))
    }

    /// Sends one GET.
    fn send(&self, url: &Url, headers: HeaderMap) -> reqwest::Result<Response> {
        self.client.get(url.expose()).headers(headers).send()
    }

    /// The warnings of the redirects followed against the usual rule
    /// since the last call (see [`HttpConfig::allow_insecure_redirects`]).
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|p| p.into_inner()))
            .iter()
            .map(|n| crate::error::for_terminal(n))
            .collect()
    }

    /// Shows the warnings of [`Http::take_warnings`] through `progress`.
    fn show_warnings(&self, progress: &dyn Progress) {
        for w in self.take_warnings() {
            progress.message(&format!("warning: {w}"));
        }
    }

    /// Sends a GET with `headers`, retrying connection errors, timeouts and
    /// 5xx answers. Any other non-success status is an error, except the
    /// ones `accept` lets through.
    fn get(
        &self,
        url: &Url,
        headers: HeaderMap,
        progress: &dyn Progress,
        accept: &dyn Fn(StatusCode) -> bool,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            let retry_reason = match self.send(url, headers.clone()) {
                Ok(r) if r.status().is_success() || accept(r.status()) => return Ok(r),
                Ok(r) if r.status().is_redirection() => return Err(unfollowed(url, &r)),
                Ok(r)
                    if r.status().is_server_error()
                        || r.status() == StatusCode::TOO_MANY_REQUESTS =>
                {
                    format!("HTTP {}", status_text(r.status()))
                }
                Ok(r) => return Err(status_error(url, r.status())),
                Err(e) if retryable(&e) => describe(&e),
                Err(e) => return Err(network_error(url, &e)),
            };
            if attempt >= self.config.retries {
                return Err(retries_exhausted(url, &retry_reason, attempt + 1));
            }
            let pause = self.backoff(attempt);
            attempt += 1;
            progress.message(&crate::error::for_terminal(&format!(
                "GET {url}: {retry_reason}; retrying in {:.1}s ({attempt}/{})",
                pause.as_secs_f64(),
                self.config.retries
            )));
            std::thread::sleep(pause);
        }
    }

    /// A GET that answers [`Got::Missing`] for 404 and 410 instead of
    /// failing (retries, redirects and other statuses as [`Http::get`]).
    fn get_unless_missing(&self, url: &Url, progress: &dyn Progress) -> Result<Got<Response>> {
        let missing = |s: StatusCode| s == StatusCode::NOT_FOUND || s == StatusCode::GONE;
        let r = self.get(url, HeaderMap::new(), progress, &missing);
        self.show_warnings(progress);
        let r = r?;
        if !missing(r.status()) {
            return Ok(Got::Found(r));
        }
        let status = r.status().as_u16();
        let mut body = Vec::new();
        let _ = r.take(MISSING_BODY_BYTES).read_to_end(&mut body);
        let text = String::from_utf8_lossy(&body);
        let said = gover_core::text::shorten(text.lines().next().unwrap_or("").trim(), 200);
        Ok(Got::Missing(Missing { status, said }))
    }

    /// A GET of a small file (a module proxy's version list, a checksum
    /// database's record or tile) of at most `max` bytes, within the
    /// download limits; 404 and 410 are [`Got::Missing`]. A larger body is
    /// an [`ErrorKind::Limit`] error.
    pub fn get_small(&self, url: &Url, max: u64, progress: &dyn Progress) -> Result<Got<Vec<u8>>> {
        let mut r = match self.get_unless_missing(url, progress)? {
            Got::Found(r) => r,
            Got::Missing(m) => return Ok(Got::Missing(m)),
        };
        let too_large = || {
            Error::new(
                ErrorKind::Limit,
                format!("GET {url}: the answer is larger than {max} bytes (the most gover reads for it)"),
            )
            .with_hint("the server is not what it claims to be, or is broken: check the URL")
        };
        self.read_capped(url, &mut r, max, too_large)
            .map(Got::Found)
    }

    /// Reads the body of `r` (from `url`) whole, failing with `too_large()`
    /// past `max` bytes and at the download limits.
    fn read_capped(
        &self,
        url: &Url,
        r: &mut Response,
        max: u64,
        too_large: impl Fn() -> Error,
    ) -> Result<Vec<u8>> {
        let size = r.content_length().unwrap_or(max).min(max);
        let mut pace = Pace::new(&self.config, size);
        let mut body = Vec::new();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(body_error(url, &e)),
            };
            body.extend_from_slice(&buf[..n]);
            if body.len() as u64 > max {
                return Err(too_large());
            }
            pace.check(n as u64)
                .map_err(|o| overrun_error(url, o, body.len() as u64, &self.config))?;
        }
        Ok(body)
    }

    /// Starts a download as [`Http::download`] does (size unknown), or
    /// answers [`Got::Missing`] for 404 and 410.
    pub fn download_unless_missing(
        &self,
        url: &Url,
        progress: Arc<dyn Progress>,
    ) -> Result<Got<Download>> {
        match self.get_unless_missing(url, &*progress)? {
            Got::Found(resp) => Ok(Got::Found(self.download_from(url, resp, 0, progress))),
            Got::Missing(m) => Ok(Got::Missing(m)),
        }
    }

    /// A conditional GET of a small document (the release index) of at
    /// most `max` bytes, within the download limits.
    pub fn fetch(
        &self,
        url: &Url,
        cached: &Validators,
        max: u64,
        progress: &dyn Progress,
    ) -> Result<Fetched> {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (IF_NONE_MATCH, &cached.etag),
            (IF_MODIFIED_SINCE, &cached.last_modified),
        ] {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, v);
            }
        }
        let mut r = self.get(url, headers, progress, &|s| s == StatusCode::NOT_MODIFIED)?;
        if r.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let validators = Validators {
            etag: header(&r, ETAG),
            last_modified: header(&r, LAST_MODIFIED),
        };
        let body = self.read_capped(url, &mut r, max, || index_too_large(&url.to_string(), max))?;
        Ok(Fetched::Body(body, validators))
    }

    /// One `HEAD` request for `url`, never retried, following redirects as
    /// every request does, all of it within `within` (connecting, every
    /// redirect, the headers): the final status and `Content-Type`,
    /// whatever they are. For asking whether a server answers (and how
    /// fast) without downloading.
    ///
    /// A server that refuses `HEAD` (`405 Method Not Allowed`, `501 Not
    /// Implemented`, as some object stores and proxies do) is asked again
    /// with a `GET` for its first byte (`Range: bytes=0-0`), whose body is
    /// not read: what a download would get is what is reported.
    pub fn head(&self, url: &Url, within: Duration) -> Result<HeadAnswer> {
        let start = std::time::Instant::now();
        let answer = self.ask(Method::HEAD, url, within)?;
        if !matches!(answer.status, 405 | 501) {
            return Ok(answer);
        }
        let left = within.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(answer);
        }
        self.ask(Method::GET, url, left)
    }

    /// One request of [`Self::head`]: `HEAD`, or a `GET` of the first byte.
    fn ask(&self, method: Method, url: &Url, within: Duration) -> Result<HeadAnswer> {
        let mut req = self.client.request(method.clone(), url.expose());
        if method == Method::GET {
            req = req.header(reqwest::header::RANGE, "bytes=0-0");
        }
        let r = req.timeout(within).send();
        self.take_warnings();
        let e = match r {
            Ok(r) => {
                return Ok(HeadAnswer {
                    status: r.status().as_u16(),
                    content_type: header(&r, reqwest::header::CONTENT_TYPE),
                })
            }
            Err(e) => e,
        };
        if let Some(r) = refused_redirect(&e) {
            return Err(redirect_error(&method, url, r));
        }
        let via = proxy_for(url).map_or(String::new(), |p| format!(" via the proxy {p}"));
        Err(Error::new(
            ErrorKind::Network,
            format!("{method} {url}{via} failed: {}", describe(&e)),
        ))
    }

    /// Starts a download of `url`; the returned reader retries and resumes
    /// (with `Range`) when the connection fails mid-way, and stops at the
    /// download limits. `expected_size` (0 when unknown) is the size the
    /// release index lists: it wins over the server's `Content-Length`, so
    /// a complete file under a wrong length still succeeds (the caller's
    /// hash decides), and the deadline is derived from it.
    pub fn download(
        &self,
        url: &Url,
        expected_size: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<Download> {
        let resp = self.get(url, HeaderMap::new(), &*progress, &|_| false);
        self.show_warnings(&*progress);
        Ok(self.download_from(url, resp?, expected_size, progress))
    }

    /// The [`Download`] of `url` reading on from its first response.
    fn download_from(
        &self,
        url: &Url,
        resp: Response,
        expected_size: u64,
        progress: Arc<dyn Progress>,
    ) -> Download {
        let expected = (expected_size > 0).then_some(expected_size);
        let length = resp.content_length().filter(|&n| n > 0);
        let validator = header(&resp, ETAG)
            .filter(|e| !e.starts_with("W/"))
            .or_else(|| header(&resp, LAST_MODIFIED));
        let pace = Pace::new(&self.config, expected.or(length).unwrap_or(0));
        Download {
            http: self.clone(),
            url: url.clone(),
            resp: Some(resp),
            pos: 0,
            expected,
            resp_end: length,
            validator,
            failures: 0,
            reconnects: 0,
            since_reconnect: 0,
            pace,
            progress,
        }
    }
}

fn header(r: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn status_text(s: StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

fn retry_hint() -> String {
    format!("check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), or try again later; {} sets the timeout in seconds", env::GOVER_HTTP_TIMEOUT)
}

/// `tried once`, `tried 3 times`.
fn tried(n: u32) -> String {
    match n {
        1 => "tried once".into(),
        n => format!("tried {n} times"),
    }
}

/// The error once every retry of a GET failed with `reason`.
fn retries_exhausted(url: &Url, reason: &str, tries: u32) -> Error {
    let status = reason.starts_with("HTTP ");
    let proxy = proxy_for(url).filter(|_| !status);
    let via = proxy
        .as_ref()
        .map_or(String::new(), |p| format!(" via the proxy {p}"));
    let kind = if status {
        ErrorKind::HttpStatus
    } else {
        ErrorKind::Network
    };
    Error::new(
        kind,
        format!("GET {url}{via} failed: {reason} ({})", tried(tries)),
    )
    .with_hint(match &proxy {
        Some(p) => proxy_hint(url, p),
        None => retry_hint(),
    })
}

/// The hint for a connection that failed through `proxy`.
fn proxy_hint(url: &Url, proxy: &ProxyInUse) -> String {
    let host = url.host().rsplit_once(':').map_or(url.host(), |(h, _)| h);
    let host = if host.is_empty() {
        "the mirror's host"
    } else {
        host
    };
    format!(
        "check that the proxy {} is up and reachable (it is set by {}), or add {host} to NO_PROXY to connect directly; {} sets the timeout in seconds",
        proxy.url,
        proxy.var,
        env::GOVER_HTTP_TIMEOUT
    )
}

/// The error for a final non-success status.
pub(crate) fn status_error(url: &Url, s: StatusCode) -> Error {
    if s == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        if let Some(p) = proxy_for(url) {
            return proxy_auth_error(url, &p);
        }
    }
    let err = Error::new(
        ErrorKind::HttpStatus,
        format!("GET {url} returned HTTP {}", status_text(s)),
    );
    match s.as_u16() {
        404 | 410 => err.with_hint(
            "the server does not have this file: check GOVER_MIRROR / GOVER_INDEX_URL (or `mirror` / `index_url` in config.toml)",
        ),
        401 | 403 => err.with_hint("the server refused access; check the URL and any credentials in it"),
        407 => err.with_hint("the proxy wants credentials: put them in the proxy URL: HTTPS_PROXY=http://<user>:<password>@<host>:<port>"),
        _ if s.is_server_error() => err.with_hint("the server failed; try again later or use another mirror (GOVER_MIRROR)"),
        _ => err,
    }
}

fn retryable(e: &reqwest::Error) -> bool {
    (e.is_connect() || e.is_timeout() || e.is_request() || e.is_body())
        && !is_tls_trust(e)
        && !is_proxy_auth_required(e)
        && refused_redirect(e).is_none()
}

/// True when the server's certificate is not trusted (retrying cannot help).
fn is_tls_trust(e: &reqwest::Error) -> bool {
    let d = describe(e);
    d.contains("certificate") || d.contains("UnknownIssuer")
}

/// Every cause of a reqwest error on one line, without repeating the URL.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    if e.is_timeout() {
        parts.push("timed out".into());
    }
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    if src.is_none() && parts.is_empty() {
        parts.push(e.without_url_string());
    }
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    mask_in_text(&parts.join(": "))
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let mut s = self.to_string();
        if let Some(u) = self.url() {
            s = s.replace(&format!(" ({u})"), "");
            s = s.replace(&format!(" for url ({u})"), "");
        }
        s
    }
}

fn network_error(url: &Url, e: &reqwest::Error) -> Error {
    if let Some(r) = refused_redirect(e) {
        return redirect_error(&Method::GET, url, r);
    }
    let proxy = proxy_for(url);
    if let Some(p) = &proxy {
        if is_proxy_auth_required(e) {
            return proxy_auth_error(url, p);
        }
        if is_tunnel_refused(e) {
            return Error::new(
                ErrorKind::Network,
                format!("GET {url} failed: the proxy {p} refused to open a tunnel to the server"),
            )
            .with_hint(proxy_hint(url, p));
        }
    }
    let via = proxy
        .as_ref()
        .map_or(String::new(), |p| format!(" via the proxy {p}"));
    let err = Error::new(
        ErrorKind::Network,
        format!("GET {url}{via} failed: {}", describe(e)),
    );
    if is_tls_trust(e) {
        return err.with_hint("the server's TLS certificate is not trusted; behind a TLS-inspecting proxy, put its CA certificate in a PEM file and set SSL_CERT_FILE to it");
    }
    match &proxy {
        Some(p) => err.with_hint(proxy_hint(url, p)),
        None => err.with_hint(retry_hint()),
    }
}

fn body_error(url: &Url, e: &io::Error) -> Error {
    Error::new(
        ErrorKind::Network,
        format!("reading the response from {url} failed: {}", describe_io(e)),
    )
    .with_hint(retry_hint())
}

/// A download body that survives dropped connections: on an error or an
/// early end it reconnects with `Range: bytes=<received>-` (guarded by
/// `If-Range`) and carries on; a server that ignores the range is re-read
/// from the start with the received prefix skipped. The caller hashes
/// what it reads, so the digest always covers the whole file. The
/// deadline and the minimum speed are checked on every read.
pub struct Download {
    http: Http,
    url: Url,
    resp: Option<Response>,
    pos: u64,
    /// The size the release index lists.
    expected: Option<u64>,
    /// Where the current response ends, by its own `Content-Length`.
    resp_end: Option<u64>,
    validator: Option<String>,
    failures: u32,
    reconnects: u32,
    since_reconnect: u64,
    pace: Pace,
    progress: Arc<dyn Progress>,
}

/// An upper bound on reconnections per download, progress or not.
const MAX_RECONNECTS: u32 = 20;

/// What to do after a reconnection attempt.
enum Resumed {
    /// Reading goes on with this response.
    Reading(Response),
    /// The server has no more bytes: the file is what arrived.
    Ended,
    /// Worth another try, for this reason.
    Retry(String),
}

impl Download {
    /// The length to expect: the index's, else the server's.
    pub fn total(&self) -> Option<u64> {
        self.expected.or(self.resp_end)
    }

    /// Bytes delivered so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// True when everything the index lists has arrived: an error or an
    /// early end after that is no reason to reconnect.
    fn has_all(&self) -> bool {
        self.expected.is_some_and(|e| self.pos >= e)
    }

    fn fail(&self, why: &str) -> io::Error {
        let (kind, msg) = match self.total() {
            Some(t) if self.pos < t => (
                ErrorKind::Truncated,
                format!(
                    "the download of {} was cut short after {} of {} bytes: {why}",
                    self.url, self.pos, t
                ),
            ),
            _ => (
                ErrorKind::Network,
                format!(
                    "the download of {} failed after {} bytes: {why}",
                    self.url, self.pos
                ),
            ),
        };
        let e =
            Error::new(kind, format!("{msg} ({})", tried(self.failures))).with_hint(retry_hint());
        io::Error::other(e)
    }

    fn overrun(&self, o: Overrun) -> io::Error {
        io::Error::other(overrun_error(&self.url, o, self.pos, &self.http.config))
    }

    /// Reconnects after a failure: `Ok(())` with a new response (or with
    /// none when the server has no more bytes), `Err` when retries or the
    /// time are used up.
    fn reconnect(&mut self, mut why: String) -> io::Result<()> {
        self.resp = None;
        // A connection that delivered a good share before failing resets
        // the count: only failures in a row use up the retries.
        if self.since_reconnect >= 1 << 20 {
            self.failures = 0;
        }
        self.since_reconnect = 0;
        loop {
            self.failures += 1;
            self.reconnects += 1;
            if self.failures > self.http.config.retries || self.reconnects > MAX_RECONNECTS {
                return Err(self.fail(&why));
            }
            let pause = self.http.backoff(self.failures - 1);
            if self.pace.would_overrun(pause) {
                return Err(self.overrun(Overrun::Deadline(self.pace.budget)));
            }
            self.progress.message(&crate::error::for_terminal(&format!(
                "{}: {why}; resuming at byte {} in {:.1}s ({}/{})",
                self.url,
                self.pos,
                pause.as_secs_f64(),
                self.failures,
                self.http.config.retries
            )));
            std::thread::sleep(pause);
            match self.resume()? {
                Resumed::Reading(r) => {
                    self.resp = Some(r);
                    self.pace.restart_window();
                    return Ok(());
                }
                Resumed::Ended => return Ok(()),
                Resumed::Retry(w) => why = w,
            }
        }
    }

    /// One request for the bytes from `pos` on.
    fn resume(&mut self) -> io::Result<Resumed> {
        let mut headers = HeaderMap::new();
        if self.pos > 0 {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes={}-", self.pos)) {
                headers.insert(RANGE, v);
            }
            if let Some(v) = self
                .validator
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(IF_RANGE, v);
            }
        }
        let sent = self.http.send(&self.url, headers);
        self.http.show_warnings(&*self.progress);
        let r = match sent {
            Ok(r) => r,
            Err(e) if retryable(&e) => return Ok(Resumed::Retry(describe(&e))),
            Err(e) => return Err(io::Error::other(network_error(&self.url, &e))),
        };
        let status = r.status();
        if status == StatusCode::PARTIAL_CONTENT {
            let range = header(&r, CONTENT_RANGE).unwrap_or_default();
            if parse_content_range_start(&range) != Some(self.pos) {
                return Err(io::Error::other(Error::new(
                    ErrorKind::Network,
                    format!(
                        "{} answered a request for bytes from {} with a different range ({range})",
                        self.url, self.pos
                    ),
                )));
            }
            self.resp_end = r.content_length().map(|n| self.pos + n);
            return Ok(Resumed::Reading(r));
        }
        if status.is_success() {
            // The whole file again: skip what was already delivered.
            let mut r = r;
            self.resp_end = r.content_length();
            return match io::copy(&mut (&mut r).take(self.pos), &mut io::sink()) {
                Ok(n) if n == self.pos => Ok(Resumed::Reading(r)),
                _ => Ok(Resumed::Retry("the connection closed early".into())),
            };
        }
        if status == StatusCode::RANGE_NOT_SATISFIABLE {
            // The server's file ends here: with a size from the index the
            // caller reports the mismatch, else this is a failure.
            if self.expected.is_some() {
                return Ok(Resumed::Ended);
            }
            return Err(self.fail("the server has no more bytes (HTTP 416)"));
        }
        if status.is_server_error() {
            return Ok(Resumed::Retry(format!("HTTP {}", status_text(status))));
        }
        Err(io::Error::other(status_error(&self.url, status)))
    }

    /// After the current response ended cleanly: true when bytes are
    /// still missing (the response ended before its own length, or had
    /// none and the index lists more).
    fn ended_early(&self) -> bool {
        if self.has_all() {
            return false;
        }
        match self.resp_end {
            Some(end) => self.pos < end,
            None => self.expected.is_some(),
        }
    }
}

fn parse_content_range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (start, _) = rest.split_once('-')?;
    start.trim().parse().ok()
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(resp) = self.resp.as_mut() else {
                return Ok(0);
            };
            match resp.read(buf) {
                Ok(0) if self.ended_early() => {
                    self.reconnect("the connection closed early".into())?;
                }
                Ok(0) => {
                    self.resp = None;
                    return Ok(0);
                }
                Ok(n) => {
                    self.pos += n as u64;
                    self.since_reconnect += n as u64;
                    self.pace.check(n as u64).map_err(|o| self.overrun(o))?;
                    return Ok(n);
                }
                // Everything listed arrived; a length that promised more
                // does not matter (the caller's hash decides).
                Err(_) if self.has_all() => {
                    self.resp = None;
                    return Ok(0);
                }
                Err(e) => {
                    let why = describe_io(&e);
                    self.reconnect(why)?;
                }
            }
        }
    }
}

fn describe_io(e: &io::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    mask_in_text(&parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn proxy_auth_hints_show_the_url_form_unmasked() {
        let p = ProxyInUse {
            var: "HTTPS_PROXY",
            url: "http://alice:***@proxy:3128".into(),
            has_credentials: true,
        };
        let e = proxy_auth_error(&url("https://dl.google.com/go/x.tar.gz"), &p);
        assert_eq!(e.kind(), ErrorKind::HttpStatus);
        assert_eq!(
            e.to_string(),
            "GET https://dl.google.com/go/x.tar.gz failed: the proxy http://alice:***@proxy:3128 (HTTPS_PROXY) answered HTTP 407 Proxy Authentication Required"
        );
        assert!(
            e.hint()
                .unwrap()
                .contains("HTTPS_PROXY=http://<user>:<password>@<host>:<port>"),
            "{e:?}"
        );
        let e = proxy_auth_error(
            &url("https://dl.google.com/"),
            &ProxyInUse {
                has_credentials: false,
                ..p
            },
        );
        assert!(
            e.hint()
                .unwrap()
                .starts_with("the proxy wants a user name and password: put them in HTTPS_PROXY"),
            "{e:?}"
        );
    }

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(parse_content_range_start("bytes */200"), None);
    }

    #[test]
    fn redirects_never_leave_tls_or_the_web_unless_allowed() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        let https = u("https://go.dev/dl/x");
        assert!(matches!(
            judge_redirect(&https, &u("https://dl.google.com/go/x"), false),
            Ok(None)
        ));
        assert!(matches!(
            judge_redirect(&u("http://a/"), &u("http://b/"), false),
            Ok(None)
        ));
        assert!(matches!(
            judge_redirect(&u("http://a/"), &u("https://b/"), false),
            Ok(None)
        ));
        let down = judge_redirect(&https, &u("http://evil.example/x"), false).unwrap_err();
        assert!(down.downgrade);
        let note = judge_redirect(&https, &u("http://u:pw@evil.example/x"), true)
            .unwrap()
            .unwrap();
        assert!(note.contains("http://u:***@evil.example/x"), "{note}");
        for to in ["file:///etc/passwd", "ftp://h/x"] {
            for allow in [false, true] {
                let e = judge_redirect(&https, &u(to), allow).unwrap_err();
                assert!(!e.downgrade, "{to}");
            }
        }
        let e = redirect_error(
            &Method::GET,
            &url("https://m.example/index.json"),
            &judge_redirect(&https, &u("file:///etc/passwd"), false).unwrap_err(),
        );
        assert_eq!(e.kind(), ErrorKind::Redirect);
        assert!(
            e.to_string().contains(
                "was redirected to file:///etc/passwd, which is not an http:// or https:// URL"
            ),
            "{e}"
        );
    }

    #[test]
    fn pace_catches_a_drip_and_the_deadline() {
        let config = HttpConfig {
            timeout: Duration::from_millis(0),
            min_rate: 1 << 30,
            low_speed_limit: 1000,
            low_speed_time: Duration::from_millis(50),
            ..HttpConfig::default()
        };
        // A drip: 1 byte now and then.
        let mut p = Pace::new(
            &HttpConfig {
                min_rate: 1,
                ..config.clone()
            },
            1 << 20,
        );
        assert!(p.check(1).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert!(matches!(p.check(1), Err(Overrun::TooSlow { bytes: 2, .. })));
        // Fast enough: the window restarts.
        let mut p = Pace::new(
            &HttpConfig {
                min_rate: 1,
                ..config.clone()
            },
            1 << 20,
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(p.check(1 << 20).is_ok());
        // The deadline: 0 s plus 1 s for the size.
        let mut p = Pace::new(&config, 10);
        assert!(p.check(1).is_ok());
        assert!(!p.would_overrun(Duration::ZERO));
        assert!(p.would_overrun(Duration::from_secs(5)));
        // Huge sizes and timeouts saturate instead of overflowing.
        let p = Pace::new(
            &HttpConfig {
                timeout: Duration::MAX,
                min_rate: 0,
                ..config
            },
            u64::MAX,
        );
        assert!(p.deadline.is_none());
    }
}
