//! A download mirror on 127.0.0.1 for tests: a tiny HTTP/1.1 server (one
//! thread per connection, `Connection: close`) serving a release index in
//! go.dev/dl format and archives built at test time. It understands
//! `Range`/`If-Range`, `ETag`/`If-None-Match` (answering 304), serves what
//! was put at `path?query` for that very query (else what is at `path`,
//! whatever the query), accepts absolute-form request targets and
//! `CONNECT` tunnels to 127.0.0.1 (so it can stand in as an HTTP proxy,
//! optionally one that wants credentials), logs every request, and injects
//! faults: error statuses, delays, bodies cut short, connections reset or
//! stalled mid-stream, files shorter than the index says; and what a
//! hostile mirror does (see `hostile.rs`): endless bodies, endless garbage,
//! a slow drip, redirects, HTML pages answered with 200, a `Content-Length`
//! that promises more than it sends.
//!
//! (`crate::support::mirror` in the end-to-end test binary.)

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// What goes wrong when a path is requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a short body.
    Status(u16),
    /// Wait this long before answering.
    Delay(Duration),
    /// Claim the full length but close after this absolute byte offset.
    TruncateAt(usize),
    /// Send up to this absolute offset, then reset the connection (RST).
    ResetAt(usize),
    /// Send up to this absolute offset, then go silent (until the client
    /// gives up or the mirror stops; at most 60 s).
    StallAt(usize),
    /// Serve only the first N bytes, as a complete (but short) file.
    ShortFile(usize),
    /// Send the file without a length, then endless bytes after it (until
    /// the client hangs up or the mirror stops; at most 60 s).
    EndlessAfter,
    /// Send endless bytes that are no archive, without a length.
    EndlessGarbage,
    /// Announce the file's length, then send `bytes` bytes every `every`.
    Drip { bytes: usize, every: Duration },
    /// Answer `302 Found` with this `Location`.
    Redirect(String),
    /// Answer 200 with an HTML page (a captive portal's login page).
    Html,
    /// Announce N more bytes than the file has, send the file, and close.
    LyingLength(usize),
    /// Answer `405 Method Not Allowed` to `HEAD` (as some object stores
    /// do); serve `GET` as usual.
    NoHead,
}

/// A logged request.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (absolute-form when sent to a proxy).
    pub target: String,
    /// The path looked up.
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Served {
    body: Vec<u8>,
    fault: Option<Fault>,
    /// How many more requests the fault applies to (`None`: all).
    fault_left: Option<usize>,
}

#[derive(Clone)]
pub struct IndexFile {
    pub filename: String,
    pub os: String,
    pub arch: String,
    pub sha256: String,
    pub size: u64,
    pub kind: String,
}

#[derive(Clone)]
struct Release {
    version: String,
    stable: bool,
    files: Vec<IndexFile>,
}

#[derive(Default)]
struct State {
    files: HashMap<String, Served>,
    releases: Vec<Release>,
    log: Vec<Request>,
    /// The `Proxy-Authorization` proxied requests must carry, if any.
    proxy_auth: Option<String>,
}

/// The running mirror; stops when dropped.
pub struct Mirror {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    max_active: Arc<AtomicUsize>,
}

/// The platform gover detects on this machine, as Go names it.
pub fn host_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        o => o,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "armv6l",
        a => a,
    };
    (os, arch)
}

/// The archive file name of `version` for this machine.
pub fn host_filename(version: &str) -> String {
    let (os, arch) = host_platform();
    format!("go{version}.{os}-{arch}.tar.gz")
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &sha256_hex(body)[..16])
}

impl Mirror {
    /// Starts a mirror on 127.0.0.1 (a free port) with an empty index.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let m = Self {
            addr,
            state: Arc::new(Mutex::new(State::default())),
            stop: Arc::new(AtomicBool::new(false)),
            active: Arc::new(AtomicUsize::new(0)),
            max_active: Arc::new(AtomicUsize::new(0)),
        };
        m.write_index();
        let (state, stop, active, max_active) = (
            m.state.clone(),
            m.stop.clone(),
            m.active.clone(),
            m.max_active.clone(),
        );
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (state, stop, active, max_active) = (
                    state.clone(),
                    stop.clone(),
                    active.clone(),
                    max_active.clone(),
                );
                thread::spawn(move || {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    max_active.fetch_max(now, Ordering::SeqCst);
                    handle(conn, &state, &stop);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        m
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `127.0.0.1:PORT`
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The index URL (`/index.json`).
    pub fn index_url(&self) -> String {
        format!("{}index.json", self.url())
    }

    /// Serves `body` at `/path`.
    pub fn put(&self, path: &str, body: Vec<u8>) {
        let mut s = self.state.lock().unwrap();
        s.files.insert(
            path.trim_start_matches('/').to_string(),
            Served {
                body,
                fault: None,
                fault_left: None,
            },
        );
    }

    /// Makes requests for `/path` fail with `fault`, `times` times (`None`: always).
    pub fn fault(&self, path: &str, fault: Fault, times: Option<usize>) {
        let mut s = self.state.lock().unwrap();
        let f = s
            .files
            .entry(path.trim_start_matches('/').to_string())
            .or_insert_with(|| Served {
                body: Vec::new(),
                fault: None,
                fault_left: None,
            });
        f.fault = Some(fault);
        f.fault_left = times;
    }

    /// Removes the fault of `/path`.
    pub fn clear_fault(&self, path: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(f) = s.files.get_mut(path.trim_start_matches('/')) {
            f.fault = None;
        }
    }

    fn write_index(&self) {
        let json = {
            let s = self.state.lock().unwrap();
            index_json(&s.releases)
        };
        self.put("index.json", json.into_bytes());
    }

    /// Publishes `archive` as `version`'s archive for this machine, listed
    /// in the index with its real sha256 and size. Returns the file name.
    pub fn publish(&self, version: &str, archive: Vec<u8>) -> String {
        let sha = sha256_hex(&archive);
        self.publish_as(version, archive, &sha, true)
    }

    /// Like [`Mirror::publish`] with the sha256 the index claims and the
    /// `stable` flag given.
    pub fn publish_as(
        &self,
        version: &str,
        archive: Vec<u8>,
        sha256: &str,
        stable: bool,
    ) -> String {
        let (os, arch) = host_platform();
        let filename = host_filename(version);
        let file = IndexFile {
            filename: filename.clone(),
            os: os.into(),
            arch: arch.into(),
            sha256: sha256.into(),
            size: archive.len() as u64,
            kind: "archive".into(),
        };
        self.put(&filename, archive);
        self.add_release(version, stable, vec![file]);
        filename
    }

    /// Lists a release in the index (files need not be served).
    pub fn add_release(&self, version: &str, stable: bool, files: Vec<IndexFile>) {
        {
            let mut s = self.state.lock().unwrap();
            let name = format!("go{version}");
            if let Some(r) = s.releases.iter_mut().find(|r| r.version == name) {
                // Publishing a file again replaces its entry.
                r.files
                    .retain(|f| !files.iter().any(|n| n.filename == f.filename));
                r.files.extend(files);
            } else {
                s.releases.insert(
                    0,
                    Release {
                        version: name,
                        stable,
                        files,
                    },
                );
            }
        }
        self.write_index();
    }

    /// Makes the proxy side (absolute-form requests and `CONNECT`) answer
    /// `407 Proxy Authentication Required` unless the request carries
    /// Basic credentials `user:pass`.
    pub fn require_proxy_auth(&self, user: &str, pass: &str) {
        self.state.lock().unwrap().proxy_auth = Some(format!(
            "Basic {}",
            base64(format!("{user}:{pass}").as_bytes())
        ));
    }

    /// The `CONNECT` requests so far.
    pub fn connects(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "CONNECT")
            .collect()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().log.clone()
    }

    /// Requests for `/path`.
    pub fn requests_for(&self, path: &str) -> Vec<Request> {
        let p = path.trim_start_matches('/');
        self.requests()
            .into_iter()
            .filter(|r| r.path == p)
            .collect()
    }

    /// The most connections served at the same time.
    pub fn max_concurrent(&self) -> usize {
        self.max_active.load(Ordering::SeqCst)
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// The index JSON in go.dev's shape (one-space indent not needed).
fn index_json(releases: &[Release]) -> String {
    let v: Vec<serde_json::Value> = releases
        .iter()
        .map(|r| {
            serde_json::json!({
                "version": r.version,
                "stable": r.stable,
                "files": r.files.iter().map(|f| serde_json::json!({
                    "filename": f.filename, "os": f.os, "arch": f.arch,
                    "version": r.version, "sha256": f.sha256, "size": f.size, "kind": f.kind,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&v).unwrap()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Relays bytes both ways between a client and the tunnel's target until
/// either side closes.
fn tunnel(client: TcpStream, buffered: &[u8], mut upstream: TcpStream) {
    let _ = client.set_read_timeout(None);
    if upstream.write_all(buffered).is_err() {
        return;
    }
    let (Ok(mut client_r), Ok(mut upstream_w)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut client_r, &mut upstream_w);
        let _ = upstream_w.shutdown(Shutdown::Write);
    });
    let mut client_w = client;
    let _ = std::io::copy(&mut upstream, &mut client_w);
    let _ = client_w.shutdown(Shutdown::Both);
    let _ = up.join();
}

fn reset(conn: &TcpStream) {
    // SO_LINGER with a zero timeout makes close() send RST.
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let l = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        unsafe {
            libc::setsockopt(
                conn.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const libc::linger as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
    }
}

/// The status a hostile fault answers with.
fn hostile_status(f: &Fault) -> u16 {
    match f {
        Fault::Redirect(_) => 302,
        _ => 200,
    }
}

/// Writes `chunk` again and again until the client hangs up, the mirror
/// stops, or 60 s pass.
fn endless(conn: &mut TcpStream, chunk: &[u8], stop: &AtomicBool) {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        if conn.write_all(chunk).is_err() {
            break;
        }
    }
}

/// Answers as a hostile mirror would, for the faults that are not plain
/// errors; false for the others (and a missing file).
fn hostile(conn: &mut TcpStream, fault: &Fault, body: Option<&[u8]>, stop: &AtomicBool) -> bool {
    let head = |conn: &mut TcpStream, status: &str, extra: &str| {
        let _ = write!(
            conn,
            "HTTP/1.1 {status}\r\nConnection: close\r\n{extra}\r\n"
        );
    };
    match (fault, body) {
        (Fault::Redirect(to), _) => {
            head(
                conn,
                "302 Found",
                &format!("Location: {to}\r\nContent-Length: 0\r\n"),
            );
        }
        (Fault::Html, _) => {
            let page = b"<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body>Log in</body></html>\n";
            head(
                conn,
                "200 OK",
                &format!(
                    "Content-Type: text/html\r\nContent-Length: {}\r\n",
                    page.len()
                ),
            );
            let _ = conn.write_all(page);
        }
        (Fault::EndlessGarbage, _) => {
            head(conn, "200 OK", "");
            let garbage: Vec<u8> = (0..65536u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 1)
                .collect();
            endless(conn, &garbage, stop);
        }
        (Fault::EndlessAfter, Some(body)) => {
            head(conn, "200 OK", "");
            let _ = conn.write_all(body);
            endless(conn, &[0u8; 65536], stop);
        }
        (Fault::Drip { bytes, every }, Some(body)) => {
            head(
                conn,
                "200 OK",
                &format!("Content-Length: {}\r\n", body.len()),
            );
            let until = Instant::now() + Duration::from_secs(60);
            for piece in body.chunks((*bytes).max(1)) {
                if Instant::now() > until
                    || stop.load(Ordering::SeqCst)
                    || conn.write_all(piece).is_err()
                {
                    break;
                }
                let _ = conn.flush();
                thread::sleep(*every);
            }
        }
        (Fault::LyingLength(more), Some(body)) => {
            head(
                conn,
                "200 OK",
                &format!("Content-Length: {}\r\n", body.len() + more),
            );
            let _ = conn.write_all(body);
            let _ = conn.flush();
            let _ = conn.shutdown(Shutdown::Both);
        }
        _ => return false,
    }
    true
}

fn handle(conn: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let log_as = |status: u16, path: &str| {
        state.lock().unwrap().log.push(Request {
            method: method.clone(),
            target: target.clone(),
            path: path.to_string(),
            headers: headers.clone(),
            status,
        });
    };
    // The proxy side: check the credentials of proxied requests.
    let proxied = method == "CONNECT" || target.contains("://");
    let want_auth = state.lock().unwrap().proxy_auth.clone();
    if proxied && want_auth.is_some() && get("proxy-authorization") != want_auth {
        log_as(407, &target);
        let mut conn = conn;
        let _ = write!(
            conn,
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"gover-test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    if method == "CONNECT" {
        // Tunnels go to 127.0.0.1 only: tests never leave the machine.
        let upstream = match target.rsplit_once(':') {
            Some(("127.0.0.1" | "localhost", port)) => port
                .parse::<u16>()
                .ok()
                .and_then(|p| TcpStream::connect(("127.0.0.1", p)).ok()),
            _ => None,
        };
        let mut conn = conn;
        let Some(upstream) = upstream else {
            log_as(502, &target);
            let _ = write!(
                conn,
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        };
        log_as(200, &target);
        let _ = write!(conn, "HTTP/1.1 200 Connection established\r\n\r\n");
        let buffered = reader.buffer().to_vec();
        tunnel(conn, &buffered, upstream);
        return;
    }
    // Absolute-form (proxy) targets: drop scheme and authority.
    let path = match target.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p).to_string(),
        None => target.trim_start_matches('/').to_string(),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (path, None),
    };

    // Pick the body and the fault under the lock: what was put at
    // `path?query` if anything, else at `path`.
    let (body, fault) = {
        let mut s = state.lock().unwrap();
        let key = match query.map(|q| format!("{path}?{q}")) {
            Some(k) if s.files.contains_key(&k) => k,
            _ => path.clone(),
        };
        match s.files.get_mut(&key) {
            Some(f) => {
                let fault = match f.fault_left {
                    Some(0) => None,
                    Some(ref mut n) => {
                        *n -= 1;
                        f.fault.clone()
                    }
                    None => f.fault.clone(),
                };
                (Some(f.body.clone()), fault)
            }
            None => (None, None),
        }
    };
    let log = |status: u16| log_as(status, &path);
    let mut conn = conn;
    let send_head = |conn: &mut TcpStream, status: u16, reason: &str, extra: &str| {
        let _ = write!(
            conn,
            "HTTP/1.1 {status} {reason}\r\nConnection: close\r\n{extra}\r\n"
        );
    };
    if let Some(Fault::Delay(d)) = &fault {
        thread::sleep(*d);
    }
    if fault == Some(Fault::NoHead) && method == "HEAD" {
        log(405);
        send_head(
            &mut conn,
            405,
            "Method Not Allowed",
            "Content-Length: 0\r\n",
        );
        return;
    }
    if let Some(f) = &fault {
        if hostile(&mut conn, f, body.as_deref(), stop) {
            log(hostile_status(f));
            return;
        }
    }
    if let Some(Fault::Status(code)) = fault {
        log(code);
        let msg = format!("injected {code}\n");
        send_head(
            &mut conn,
            code,
            "Injected",
            &format!("Content-Length: {}\r\n", msg.len()),
        );
        let _ = conn.write_all(msg.as_bytes());
        return;
    }
    let Some(mut body) = body else {
        log(404);
        send_head(&mut conn, 404, "Not Found", "Content-Length: 10\r\n");
        let _ = conn.write_all(b"not found\n");
        return;
    };
    if let Some(Fault::ShortFile(n)) = fault {
        body.truncate(n);
    }
    let etag = etag_of(&body);
    if get("if-none-match").as_deref() == Some(etag.as_str()) {
        log(304);
        send_head(&mut conn, 304, "Not Modified", &format!("ETag: {etag}\r\n"));
        return;
    }
    let len = body.len();
    let mut start = 0usize;
    let mut status = 200u16;
    if let Some(range) = get("range") {
        let if_range_ok = get("if-range").is_none_or(|v| v == etag);
        if let Some(from) = range
            .strip_prefix("bytes=")
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if if_range_ok {
                if from >= len {
                    log(416);
                    send_head(
                        &mut conn,
                        416,
                        "Range Not Satisfiable",
                        &format!("Content-Range: bytes */{len}\r\nContent-Length: 0\r\n"),
                    );
                    return;
                }
                start = from;
                status = 206;
            }
        }
    }
    log(status);
    let mut extra = format!(
        "Content-Length: {}\r\nETag: {etag}\r\nAccept-Ranges: bytes\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n",
        len - start
    );
    if status == 206 {
        extra.push_str(&format!(
            "Content-Range: bytes {start}-{}/{len}\r\n",
            len - 1
        ));
        send_head(&mut conn, 206, "Partial Content", &extra);
    } else {
        send_head(&mut conn, 200, "OK", &extra);
    }
    if method == "HEAD" {
        return;
    }
    let stop_at = match fault {
        Some(Fault::TruncateAt(n) | Fault::ResetAt(n) | Fault::StallAt(n)) => n.clamp(start, len),
        _ => len,
    };
    let _ = conn.write_all(&body[start..stop_at]);
    let _ = conn.flush();
    match fault {
        Some(Fault::TruncateAt(_)) if stop_at < len => {
            let _ = conn.shutdown(Shutdown::Both);
        }
        Some(Fault::ResetAt(_)) if stop_at < len => {
            reset(&conn);
        }
        Some(Fault::StallAt(_)) if stop_at < len => {
            let until = Instant::now() + Duration::from_secs(60);
            let mut probe = [0u8; 1];
            let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
            // Stay silent until the client hangs up or the mirror stops.
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                match reader.get_mut().read(&mut probe) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => break,
                }
            }
        }
        _ => {}
    }
}
