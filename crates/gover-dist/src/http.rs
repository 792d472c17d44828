//! HTTP(S) with timeouts, retries with backoff, and resumable downloads.
//!
//! Proxies come from `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
//! (either case; `user:pass@` credentials included). TLS trusts the system
//! roots plus the certificates in `SSL_CERT_FILE`, so a TLS-inspecting
//! corporate proxy works once its CA is there.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_RANGE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE,
    LAST_MODIFIED, RANGE,
};
use reqwest::StatusCode;

use crate::error::{Error, ErrorKind, Result};
use crate::redact::redact_url;
use crate::Progress;

/// Network settings.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Connect timeout, and the longest a response may stay silent.
    pub timeout: Duration,
    /// How many times a failed request is retried (connection errors,
    /// timeouts, 5xx, a body cut short).
    pub retries: u32,
    /// The first pause before retrying; it doubles each time.
    pub backoff: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A configured HTTP client.
#[derive(Clone)]
pub struct Http {
    client: Client,
    config: HttpConfig,
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
pub fn proxy_for(url: &str) -> Option<ProxyInUse> {
    use hyper_util::client::proxy::matcher::Matcher;
    let uri: http::Uri = url.parse().ok()?;
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
        url: redact_url(value),
        has_credentials: authority.contains('@'),
    })
}

/// The error for a proxy that wants other credentials (HTTP 407), from a
/// `CONNECT` tunnel or a forwarded request.
fn proxy_auth_error(url: &str, proxy: &ProxyInUse) -> Error {
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
    let pem =
        std::fs::read(path).map_err(|e| Error::io("cannot read certificates from", path, e))?;
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

impl Http {
    /// A client with `config`, the environment's proxies and TLS roots.
    pub fn new(config: HttpConfig) -> Result<Self> {
        let mut builder = Client::builder()
            .user_agent(concat!("gover/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout)
            // In the blocking client this bounds the wait for the headers
            // and for each read of the body: an idle timeout, not a total.
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(10));
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
        Ok(Self { client, config })
    }

    /// The settings in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.config.backoff.saturating_mul(1 << attempt.min(6))
    }

    /// Sends a GET with `headers`, retrying connection errors, timeouts and
    /// 5xx answers. Any other non-success status is an error, except the
    /// ones `accept` lets through.
    fn get(
        &self,
        url: &str,
        headers: HeaderMap,
        progress: &dyn Progress,
        accept: &dyn Fn(StatusCode) -> bool,
    ) -> Result<Response> {
        let mut attempt = 0;
        let shown = redact_url(url);
        loop {
            let res = self.client.get(url).headers(headers.clone()).send();
            let retry_reason = match res {
                Ok(r) if r.status().is_success() || accept(r.status()) => return Ok(r),
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
                let status = retry_reason.starts_with("HTTP ");
                let proxy = proxy_for(url).filter(|_| !status);
                let via = proxy
                    .as_ref()
                    .map_or(String::new(), |p| format!(" via the proxy {p}"));
                return Err(Error::new(
                    if status {
                        ErrorKind::HttpStatus
                    } else {
                        ErrorKind::Network
                    },
                    format!(
                        "GET {url}{via} failed: {retry_reason} (tried {} times)",
                        attempt + 1
                    ),
                )
                .with_hint(match &proxy {
                    Some(p) => proxy_hint(url, p),
                    None => retry_hint(),
                }));
            }
            let pause = self.backoff(attempt);
            attempt += 1;
            progress.message(&format!(
                "GET {shown}: {retry_reason}; retrying in {:.1}s ({attempt}/{})",
                pause.as_secs_f64(),
                self.config.retries
            ));
            std::thread::sleep(pause);
        }
    }

    /// A conditional GET of a small document (the release index).
    pub fn fetch(
        &self,
        url: &str,
        cached: &Validators,
        progress: &dyn Progress,
    ) -> Result<Fetched> {
        let mut headers = HeaderMap::new();
        if let Some(v) = cached
            .etag
            .as_deref()
            .and_then(|e| HeaderValue::from_str(e).ok())
        {
            headers.insert(IF_NONE_MATCH, v);
        }
        if let Some(v) = cached
            .last_modified
            .as_deref()
            .and_then(|e| HeaderValue::from_str(e).ok())
        {
            headers.insert(IF_MODIFIED_SINCE, v);
        }
        let mut r = self.get(url, headers, progress, &|s| s == StatusCode::NOT_MODIFIED)?;
        if r.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let validators = Validators {
            etag: header(&r, ETAG),
            last_modified: header(&r, LAST_MODIFIED),
        };
        let mut body = Vec::new();
        // The whole index is a few megabytes; anything past 256 MiB is not one.
        (&mut r)
            .take(256 << 20)
            .read_to_end(&mut body)
            .map_err(|e| body_error(url, &e))?;
        Ok(Fetched::Body(body, validators))
    }

    /// Starts a download of `url`; the returned reader retries and resumes
    /// (with `Range`) when the connection fails mid-way. `expected_size` (0
    /// when unknown) tells a short body from a complete one when the server
    /// sends no length.
    pub fn download(
        &self,
        url: &str,
        expected_size: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<Download> {
        let resp = self.get(url, HeaderMap::new(), &*progress, &|_| false)?;
        let total = resp
            .content_length()
            .filter(|&n| n > 0)
            .or((expected_size > 0).then_some(expected_size));
        let validator = header(&resp, ETAG)
            .filter(|e| !e.starts_with("W/"))
            .or_else(|| header(&resp, LAST_MODIFIED));
        Ok(Download {
            http: self.clone(),
            url: url.to_string(),
            resp: Some(resp),
            pos: 0,
            total,
            validator,
            failures: 0,
            reconnects: 0,
            since_reconnect: 0,
            progress,
        })
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
    "check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), or try again later; GOVER_HTTP_TIMEOUT sets the timeout in seconds".into()
}

/// The hint for a connection that failed through `proxy`.
fn proxy_hint(url: &str, proxy: &ProxyInUse) -> String {
    let host = url
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string))
        .unwrap_or_else(|| "the mirror's host".into());
    format!(
        "check that the proxy {} is up and reachable (it is set by {}), or add {host} to NO_PROXY to connect directly; GOVER_HTTP_TIMEOUT sets the timeout in seconds",
        proxy.url, proxy.var
    )
}

/// The error for a final non-success status.
pub(crate) fn status_error(url: &str, s: StatusCode) -> Error {
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
    parts.join(": ")
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

fn network_error(url: &str, e: &reqwest::Error) -> Error {
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

fn body_error(url: &str, e: &io::Error) -> Error {
    Error::new(
        ErrorKind::Network,
        format!("reading the response from {url} failed: {e}"),
    )
    .with_hint(retry_hint())
}

/// A download body that survives dropped connections: on an error or an
/// early end it reconnects with `Range: bytes=<received>-` (guarded by
/// `If-Range`) and carries on; a server that ignores the range is re-read
/// from the start with the received prefix skipped. The caller hashes
/// what it reads, so the digest always covers the whole file.
pub struct Download {
    http: Http,
    url: String,
    resp: Option<Response>,
    pos: u64,
    total: Option<u64>,
    validator: Option<String>,
    failures: u32,
    reconnects: u32,
    since_reconnect: u64,
    progress: Arc<dyn Progress>,
}

/// An upper bound on reconnections per download, progress or not.
const MAX_RECONNECTS: u32 = 20;

impl Download {
    /// The length announced by the server (or the index), if known.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Bytes delivered so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    fn fail(&self, why: &str) -> io::Error {
        let (kind, msg) = match self.total {
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
        let e = Error::new(kind, format!("{msg} (tried {} times)", self.failures))
            .with_hint(retry_hint());
        io::Error::other(e)
    }

    /// Reconnects after a failure; `Err` when retries are used up.
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
            self.progress.message(&format!(
                "{}: {why}; resuming at byte {} in {:.1}s ({}/{})",
                redact_url(&self.url),
                self.pos,
                pause.as_secs_f64(),
                self.failures,
                self.http.config.retries
            ));
            std::thread::sleep(pause);
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
            let r = match self.http.client.get(&self.url).headers(headers).send() {
                Ok(r) => r,
                Err(e) if retryable(&e) => {
                    why = describe(&e);
                    continue;
                }
                Err(e) => return Err(io::Error::other(network_error(&self.url, &e))),
            };
            let status = r.status();
            if status == StatusCode::PARTIAL_CONTENT {
                let start = header(&r, CONTENT_RANGE).and_then(|cr| parse_content_range_start(&cr));
                if start != Some(self.pos) {
                    return Err(io::Error::other(Error::new(
                        ErrorKind::Network,
                        format!(
                            "{} answered a request for bytes from {} with a different range ({})",
                            self.url,
                            self.pos,
                            header(&r, CONTENT_RANGE).unwrap_or_default()
                        ),
                    )));
                }
                self.resp = Some(r);
                return Ok(());
            }
            if status.is_success() {
                // The whole file again: skip what was already delivered.
                let mut r = r;
                let skipped = io::copy(&mut (&mut r).take(self.pos), &mut io::sink());
                match skipped {
                    Ok(n) if n == self.pos => {
                        self.resp = Some(r);
                        return Ok(());
                    }
                    _ => {
                        why = "the connection closed early".into();
                        continue;
                    }
                }
            }
            if status == StatusCode::RANGE_NOT_SATISFIABLE {
                return Err(self.fail("the server has no more bytes (HTTP 416)"));
            }
            if status.is_server_error() {
                why = format!("HTTP {}", status_text(status));
                continue;
            }
            return Err(io::Error::other(status_error(&self.url, status)));
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
                Ok(0) => {
                    if matches!(self.total, Some(t) if self.pos < t) {
                        self.reconnect("the connection closed early".into())?;
                        continue;
                    }
                    self.resp = None;
                    return Ok(0);
                }
                Ok(n) => {
                    self.pos += n as u64;
                    self.since_reconnect += n as u64;
                    return Ok(n);
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
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_auth_hints_show_the_url_form_unmasked() {
        let p = ProxyInUse {
            var: "HTTPS_PROXY",
            url: "http://alice:***@proxy:3128".into(),
            has_credentials: true,
        };
        let e = proxy_auth_error("https://dl.google.com/go/x.tar.gz", &p);
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
            "https://dl.google.com/",
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
}
