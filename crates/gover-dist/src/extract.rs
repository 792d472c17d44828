//! One streaming pass over an archive: hash, gunzip, check and unpack.
//!
//! Three stages overlap, joined by bounded queues so memory stays small:
//!
//! 1. the *reader* pulls the raw bytes (network or file) and feeds them to
//!    sha256, so the digest covers exactly the whole byte stream;
//! 2. the *parser* gunzips, reads tar headers, applies the entry policy,
//!    creates directories, and hands small files to the writers (large ones
//!    it streams to disk itself);
//! 3. a few *writers* create files in parallel — on a real toolchain the
//!    ~10,000 file creations, not the network or gunzip, dominate.
//!
//! The policy, checked entry by entry by gover itself (the `tar` crate's
//! `unpack` is not a policy: it skips `..`, re-roots absolute paths and
//! creates any link): every path lies under `go/`; no absolute paths, no
//! `..`, no backslashes; only regular files and directories (no symlinks,
//! hardlinks, devices or FIFOs; official archives have none); no path
//! twice; files are written 0644, or 0755 when the archive marks them
//! executable (never setuid, setgid, sticky or world-writable; the umask
//! still applies); the total unpacked size and the entry count are capped so
//! a gzip bomb fails fast.
//!
//! The byte stream is bounded too: never more is read than the size the
//! release index lists (or, without one, the unpacked-size cap), and the
//! first gzip or tar error stops the reading at once, so neither endless
//! bytes after a real archive nor endless garbage can keep it running.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Condvar, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{describe_io, io_hint, Error, ErrorKind, Result};
use crate::index::hex;
use crate::store::{FileEntry, Key, Placed, Store};
use crate::Progress;

/// Caps that make a hostile archive fail fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes the archive may unpack to (sum of file sizes).
    pub max_unpacked_bytes: u64,
    /// Most entries (files and directories) it may hold.
    pub max_entries: u64,
}

impl Default for Limits {
    /// 2 GiB and 100,000 entries: a Go toolchain is about 250 MiB in about
    /// 12,000 entries.
    fn default() -> Self {
        Self {
            max_unpacked_bytes: 2 << 30,
            max_entries: 100_000,
        }
    }
}

/// The digest an archive must have, and who said so.
#[derive(Clone, Debug)]
pub struct Expected {
    /// The sha256.
    pub sha256: [u8; 32],
    /// Where it came from, for messages: `the release index https://...`,
    /// `--sha256`.
    pub source: String,
}

/// What a successful pass produced.
#[derive(Clone, Debug)]
pub struct Unpacked {
    /// sha256 of the whole byte stream.
    pub sha256: [u8; 32],
    /// Bytes of the (compressed) archive.
    pub archive_bytes: u64,
    /// Bytes of file content written.
    pub unpacked_bytes: u64,
    /// Entries (files and directories).
    pub entries: u64,
    /// Every file, sorted by path: the manifest a pre-commit check and the
    /// store work from.
    pub files: Vec<FileEntry>,
    /// Files linked from the store rather than written.
    pub linked_files: u64,
    /// Their bytes.
    pub linked_bytes: u64,
    /// Files with content the store lacked, written into the tree: added to
    /// the store once the tree is on disk.
    pub(crate) fresh: Vec<(Key, PathBuf)>,
}

/// Where file contents go.
#[derive(Clone, Copy, Debug)]
pub enum Placement<'a> {
    /// Written into the tree (0644, or 0755 for executables).
    Write,
    /// Linked from the store where it has the content, else written
    /// read-only (0444 or 0555) to be added to it.
    Store(&'a Store),
}

/// What the writers collected.
#[derive(Default)]
struct Collected {
    files: Vec<FileEntry>,
    linked_files: u64,
    linked_bytes: u64,
    fresh: Vec<(Key, PathBuf)>,
}

/// Tuning of the pipeline.
#[derive(Clone, Copy, Debug)]
pub struct Pipeline {
    /// Threads creating files; 0 makes the parser write every file itself.
    pub writers: usize,
    /// Most file content queued for the writers at once.
    pub bytes_in_flight: u64,
    /// Files larger than this are written by the parser directly.
    pub inline_above: u64,
}

impl Default for Pipeline {
    /// One writer per core up to three: file creation is kernel work that
    /// spreads over cores; more threads than cores only contend on
    /// directory and inode-table locks.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            writers: cores.clamp(1, 3),
            bytes_in_flight: 8 << 20,
            inline_above: 2 << 20,
        }
    }
}

/// The largest archive read to its end after it broke, to let its
/// checksum say whether it is the release (Go's are under 100 MB): an index
/// claiming more gets the first error at once, so a hostile one cannot
/// make gover read a gigabyte of garbage.
const HASH_ON_MAX: u64 = 256 << 20;

const CHUNK: usize = 128 << 10;
const CHUNKS_IN_FLIGHT: usize = 16;

/// Where the bytes come from and what to call them.
pub struct Input {
    /// The byte stream.
    pub reader: Box<dyn Read + Send>,
    /// The archive's name for messages (`go1.22.10.linux-amd64.tar.gz`).
    pub name: String,
    /// Its URL or path, for messages.
    pub location: String,
    /// The size the index promises (0 when unknown).
    pub expected_size: u64,
}

struct Shared {
    abort: AtomicBool,
    /// The parser no longer wants bytes; the reader keeps hashing to the end.
    discard: AtomicBool,
    in_flight: Mutex<u64>,
    drained: Condvar,
    write_error: Mutex<Option<Error>>,
    /// The first bytes of the stream, to tell an HTML page from an archive.
    head: Mutex<Vec<u8>>,
    collected: Mutex<Collected>,
}

impl Shared {
    fn fail_write(&self, e: Error) {
        let mut slot = self.write_error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
        self.abort.store(true, Ordering::SeqCst);
    }

    /// Records a file placed in the tree at `full`.
    fn record(&self, entry: FileEntry, placed: Placed, full: &Path) {
        let mut c = self.collected.lock().unwrap_or_else(|p| p.into_inner());
        match placed {
            Placed::Linked => {
                c.linked_files += 1;
                c.linked_bytes += entry.size;
            }
            Placed::Written => c.fresh.push((entry.key(), full.to_path_buf())),
            Placed::Copied => {}
        }
        c.files.push(entry);
    }
}

enum NetOutcome {
    Done { digest: [u8; 32], bytes: u64 },
    Failed(Error),
    Aborted,
}

enum ParseError {
    /// The entry policy or a limit was broken, or a write failed: stop now.
    Fatal(Error),
    /// The bytes are not a valid .tar.gz; the hash decides what to report.
    Format(Error),
    /// Another stage failed first.
    Aborted,
}

/// Streams `input` into `dest` (an empty directory), verifying it against
/// `expected` when given. On any error the caller removes `dest`.
///
/// When several things go wrong the most telling one is reported: a
/// network failure, a short body or a stream longer than the index says
/// first, then a write failure, then an HTML page in place of the archive,
/// then a file shorter than the index says,
/// then a checksum mismatch, then an entry the policy refuses or a corrupt
/// archive. With `expected` given (and an index size of at most 256 MiB),
/// the stream is hashed to its end even after the archive breaks, so which
/// of the last three is reported does not depend on where the damage lies
/// or how fast the bytes came.
pub fn unpack(
    input: Input,
    dest: &Path,
    expected: Option<&Expected>,
    limits: Limits,
    pipeline: Pipeline,
    progress: &dyn Progress,
) -> Result<Unpacked> {
    let place = Placement::Write;
    unpack_into(input, dest, expected, (limits, pipeline, place), progress)
}

/// Like [`unpack`], placing each file as `tuning.2` says (see
/// [`crate::store`]).
pub fn unpack_into(
    input: Input,
    dest: &Path,
    expected: Option<&Expected>,
    tuning: (Limits, Pipeline, Placement<'_>),
    progress: &dyn Progress,
) -> Result<Unpacked> {
    let (limits, pipeline, placement) = tuning;
    let shared = Shared {
        abort: AtomicBool::new(false),
        discard: AtomicBool::new(false),
        in_flight: Mutex::new(0),
        drained: Condvar::new(),
        write_error: Mutex::new(None),
        head: Mutex::new(Vec::new()),
        collected: Mutex::new(Collected::default()),
    };
    let Input {
        reader,
        name,
        location,
        expected_size,
    } = input;
    let stream = Stream {
        location: &location,
        name: &name,
        expected_size,
        max: if expected_size > 0 {
            expected_size
        } else {
            limits.max_unpacked_bytes.saturating_add(1 << 20)
        },
    };
    let ctx = ParseCtx {
        name: &name,
        dest,
        limits,
        pipeline,
        placement,
        shared: &shared,
        hash_decides: expected.is_some() && (1..=HASH_ON_MAX).contains(&expected_size),
    };
    let hash_decides = ctx.hash_decides;
    let (net, parsed) = run_stages(reader, &stream, &ctx, progress);
    progress.finish();
    let write_error = shared
        .write_error
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    let head = shared.head.into_inner().unwrap_or_else(|p| p.into_inner());
    let outcome = Outcome {
        net,
        parsed,
        write_error,
    };
    let mut unpacked = outcome.judge(&stream, expected, hash_decides, &head)?;
    let mut c = shared
        .collected
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    c.files.sort_by(|a, b| a.path.cmp(&b.path));
    unpacked.files = c.files;
    unpacked.linked_files = c.linked_files;
    unpacked.linked_bytes = c.linked_bytes;
    unpacked.fresh = c.fresh;
    Ok(unpacked)
}

/// The three stages, run to completion.
fn run_stages(
    reader: Box<dyn Read + Send>,
    stream: &Stream<'_>,
    ctx: &ParseCtx<'_>,
    progress: &dyn Progress,
) -> (NetOutcome, std::result::Result<Stats, ParseError>) {
    let (chunk_tx, chunk_rx) = sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
    let (job_tx, job_rx) = sync_channel::<Job>(1024);
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|s| {
        let net = s.spawn(|| read_and_hash(reader, chunk_tx, stream, ctx.shared, progress));
        for _ in 0..ctx.pipeline.writers {
            s.spawn(|| writer_loop(&job_rx, ctx));
        }
        let parsed = parse(ChunkReader::new(chunk_rx), job_tx, ctx);
        let net = net.join().unwrap_or_else(|_| {
            NetOutcome::Failed(Error::new(ErrorKind::Io, "the download thread panicked"))
        });
        (net, parsed)
    })
}

/// The byte stream and its bounds.
struct Stream<'a> {
    location: &'a str,
    name: &'a str,
    /// The size the index lists (0: unknown).
    expected_size: u64,
    /// The most bytes read.
    max: u64,
}

impl Stream<'_> {
    /// The error for a stream that goes on past `max`.
    fn too_long(&self) -> Error {
        let (name, location) = (self.name, self.location);
        if self.expected_size > 0 {
            return Error::new(
                ErrorKind::SizeMismatch,
                format!(
                    "{name} from {location} is larger than the {} bytes the release index lists; gover stopped reading there",
                    self.expected_size
                ),
            )
            .with_hint(size_mismatch_hint());
        }
        Error::new(
            ErrorKind::BadArchive,
            format!(
                "{name} from {location} is larger than {} bytes, more than any archive gover unpacks; gover stopped reading there",
                self.max
            ),
        )
    }

    /// The error for a complete file of `bytes` bytes, fewer than listed.
    fn too_short(&self, bytes: u64) -> Error {
        Error::new(
            ErrorKind::SizeMismatch,
            format!(
                "{} from {} has {bytes} bytes, but the release index lists {}: the mirror serves another file than the index describes",
                self.name, self.location, self.expected_size
            ),
        )
        .with_hint(size_mismatch_hint())
    }
}

fn size_mismatch_hint() -> String {
    "a size that disagrees with the index means a wrong or tampered file (or a mirror that is still being filled), not a network problem; nothing was installed. Check that GOVER_MIRROR and GOVER_INDEX_URL belong together, or use another mirror".into()
}

/// What the stages produced.
struct Outcome {
    net: NetOutcome,
    parsed: std::result::Result<Stats, ParseError>,
    write_error: Option<Error>,
}

impl Outcome {
    /// The result, or the most telling error (see [`unpack`]).
    fn judge(
        self,
        stream: &Stream<'_>,
        expected: Option<&Expected>,
        hash_decides: bool,
        head: &[u8],
    ) -> Result<Unpacked> {
        let Self {
            net,
            parsed,
            write_error,
        } = self;
        let name = stream.name;
        let format = |e: Error| match looks_like_html(head) {
            true => html_error(stream),
            false => e,
        };
        let (digest, bytes) = match net {
            NetOutcome::Failed(e) => return Err(e),
            NetOutcome::Aborted => {
                return Err(write_error.unwrap_or_else(|| match parsed {
                    Err(ParseError::Fatal(e)) => e,
                    Err(ParseError::Format(e)) => format(e),
                    _ => Error::new(ErrorKind::Io, format!("unpacking {name} was interrupted")),
                }))
            }
            NetOutcome::Done { digest, bytes } => (digest, bytes),
        };
        if let Some(e) = write_error {
            return Err(e);
        }
        // A write failure the parser met itself comes first; an archive
        // refused for what it holds comes after the checksum, which says
        // whether these bytes are the release at all.
        let parsed = match parsed {
            Err(ParseError::Fatal(e)) if e.kind() != ErrorKind::BadArchive || !hash_decides => {
                return Err(e)
            }
            other => other,
        };
        // An HTML page in place of the archive (a captive portal's) is
        // named as one, whatever its size: no .tar.gz starts with `<`.
        if parsed.is_err() && looks_like_html(head) {
            return Err(html_error(stream));
        }
        if stream.expected_size > 0 && bytes < stream.expected_size {
            return Err(stream.too_short(bytes));
        }
        if let Some(exp) = expected.filter(|e| e.sha256 != digest) {
            return Err(checksum_error(stream, exp, &digest));
        }
        match parsed {
            Ok(stats) => Ok(Unpacked {
                sha256: digest,
                archive_bytes: bytes,
                unpacked_bytes: stats.bytes,
                entries: stats.entries,
                files: Vec::new(),
                linked_files: 0,
                linked_bytes: 0,
                fresh: Vec::new(),
            }),
            Err(ParseError::Format(e) | ParseError::Fatal(e)) => Err(format(e)),
            Err(ParseError::Aborted) => Err(Error::new(
                ErrorKind::Io,
                format!("unpacking {name} was interrupted"),
            )),
        }
    }
}

fn checksum_error(stream: &Stream<'_>, exp: &Expected, digest: &[u8; 32]) -> Error {
    Error::new(
        ErrorKind::ChecksumMismatch,
        format!(
            "checksum mismatch for {} from {}\n  expected sha256 {} (from {})\n  computed sha256 {}",
            stream.name,
            stream.location,
            hex(&exp.sha256),
            exp.source,
            hex(digest)
        ),
    )
    .with_hint("the file is corrupt or was replaced; nothing was installed. Try again, or use another mirror (GOVER_MIRROR)")
}

/// True when the stream starts like an HTML (or XML) page.
fn looks_like_html(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

fn html_error(stream: &Stream<'_>) -> Error {
    Error::new(
        ErrorKind::BadArchive,
        format!(
            "{} from {} is an HTML page, not a .tar.gz archive (a captive portal, a login page or an error page served as a success?)",
            stream.name, stream.location
        ),
    )
    .with_hint("open the URL in a browser to see what it says, then try again; or check GOVER_MIRROR")
}

fn read_and_hash(
    mut reader: Box<dyn Read + Send>,
    tx: SyncSender<Vec<u8>>,
    stream: &Stream<'_>,
    shared: &Shared,
    progress: &dyn Progress,
) -> NetOutcome {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    let mut sending = true;
    loop {
        if shared.abort.load(Ordering::Relaxed) {
            return NetOutcome::Aborted;
        }
        let n = match fill_chunk(&mut reader) {
            Ok(buf) if buf.is_empty() => break,
            Ok(buf) => {
                total += buf.len() as u64;
                if total > stream.max {
                    shared.abort.store(true, Ordering::SeqCst);
                    return NetOutcome::Failed(stream.too_long());
                }
                if total == buf.len() as u64 {
                    let mut head = shared.head.lock().unwrap_or_else(|p| p.into_inner());
                    head.extend_from_slice(&buf[..buf.len().min(64)]);
                }
                hasher.update(&buf);
                progress.advance(buf.len() as u64);
                if sending && tx.send(buf).is_err() {
                    if !shared.discard.load(Ordering::SeqCst) {
                        return NetOutcome::Aborted;
                    }
                    sending = false;
                }
                continue;
            }
            Err(e) => e,
        };
        shared.abort.store(true, Ordering::SeqCst);
        return NetOutcome::Failed(read_error(n, stream.location));
    }
    NetOutcome::Done {
        digest: hasher.finalize().into(),
        bytes: total,
    }
}

/// Reads up to one chunk (empty at the end of the stream).
fn fill_chunk(reader: &mut Box<dyn Read + Send>) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; CHUNK];
    let mut n = 0;
    while n < CHUNK {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    buf.truncate(n);
    Ok(buf)
}

fn read_error(e: io::Error, location: &str) -> Error {
    if e.get_ref().is_some_and(|i| i.is::<Error>()) {
        if let Some(inner) = e.into_inner() {
            if let Ok(err) = inner.downcast::<Error>() {
                return *err;
            }
        }
        return Error::new(ErrorKind::Network, format!("reading {location} failed"));
    }
    Error::io("reading failed:", Path::new(location), e)
}

/// The parser's view of the byte queue.
struct ChunkReader {
    rx: Option<Receiver<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
}

impl ChunkReader {
    fn new(rx: Receiver<Vec<u8>>) -> Self {
        Self {
            rx: Some(rx),
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ChunkReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.buf.len() {
            let Some(rx) = &self.rx else {
                return Ok(&[]);
            };
            match rx.recv() {
                Ok(chunk) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
                Err(_) => {
                    self.rx = None;
                    self.buf.clear();
                    self.pos = 0;
                    return Ok(&[]);
                }
            }
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

/// What [`Capped`] says when it stops.
const CAP_REACHED: &str = "unpacked size limit reached";

/// Counts decompressed bytes and stops a gzip bomb at the limit.
struct Capped<R> {
    inner: R,
    read: u64,
    cap: u64,
    over: bool,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.read += n as u64;
        if self.read > self.cap {
            self.over = true;
            return Err(io::Error::other(CAP_REACHED));
        }
        Ok(n)
    }
}

struct ParseCtx<'a> {
    name: &'a str,
    dest: &'a Path,
    limits: Limits,
    pipeline: Pipeline,
    placement: Placement<'a>,
    shared: &'a Shared,
    /// An expected sha256 will judge the bytes: after an archive that
    /// breaks (corrupt, or refused by the policy), the reader hashes on to
    /// the end so a damaged or substituted download is reported as such,
    /// whatever byte the parser stumbled on first.
    hash_decides: bool,
}

struct Job {
    path: PathBuf,
    entry: String,
    /// The path in the GOROOT, for the manifest.
    rel: String,
    executable: bool,
    data: Vec<u8>,
    /// For a large file: its content in chunks, and its size.
    stream: Option<(Receiver<Vec<u8>>, u64)>,
}

struct Stats {
    entries: u64,
    bytes: u64,
}

/// Why an entry is refused.
fn unsafe_entry(archive: &str, entry: &str, why: &str) -> ParseError {
    ParseError::Fatal(
        Error::new(
            ErrorKind::BadArchive,
            format!("refusing to unpack {archive}: entry `{}` {why}", entry.escape_debug()),
        )
        .with_hint("official Go archives never contain this; the archive is damaged or malicious, and nothing was installed"),
    )
}

/// Checks a raw tar path and returns it relative to the unpack root
/// (still starting with `go/`).
pub fn checked_path(raw: &[u8]) -> std::result::Result<PathBuf, &'static str> {
    if raw.is_empty() {
        return Err("has an empty path");
    }
    if raw[0] == b'/' {
        return Err("has an absolute path");
    }
    if raw.contains(&b'\\') {
        return Err("has a backslash in its path");
    }
    if raw.contains(&0) {
        return Err("has a NUL byte in its path");
    }
    let mut out = PathBuf::new();
    for comp in raw.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => continue,
            b".." => return Err("has a `..` component"),
            c => {
                if out.as_os_str().is_empty() && c != b"go" {
                    return Err("lies outside the top-level go/ directory");
                }
                #[cfg(unix)]
                {
                    use std::os::unix::ffi::OsStrExt;
                    out.push(std::ffi::OsStr::from_bytes(c));
                }
                #[cfg(not(unix))]
                out.push(std::str::from_utf8(c).map_err(|_| "has a path that is not UTF-8")?);
            }
        }
    }
    if out.as_os_str().is_empty() {
        return Err("has an empty path");
    }
    Ok(out)
}

fn parse(
    mut reader: ChunkReader,
    jobs: SyncSender<Job>,
    ctx: &ParseCtx<'_>,
) -> std::result::Result<Stats, ParseError> {
    let res = parse_entries(&mut reader, &jobs, ctx);
    drop(jobs);
    // A complete archive: the reader finishes (to hash everything). So it
    // does after an archive that breaks when a checksum will judge it (the
    // stream stays bounded by the index's size); any other error stops it.
    let hash_on = match &res {
        Ok(_) => true,
        Err(ParseError::Format(_)) => ctx.hash_decides,
        Err(ParseError::Fatal(e)) => ctx.hash_decides && e.kind() == ErrorKind::BadArchive,
        Err(ParseError::Aborted) => false,
    };
    if hash_on && !ctx.shared.abort.load(Ordering::SeqCst) {
        ctx.shared.discard.store(true, Ordering::SeqCst);
    } else {
        ctx.shared.abort.store(true, Ordering::SeqCst);
    }
    // Only now stop receiving: the reader sees the flags before the queue closes.
    drop(reader);
    res
}

/// A parse error for an I/O error while reading the archive: the size cap
/// when [`Capped`] stopped it, else a corrupt archive.
fn read_failure(ctx: &ParseCtx<'_>, entry: &str, e: &io::Error) -> ParseError {
    if e.to_string().contains(CAP_REACHED) {
        return limit_error(ctx);
    }
    ParseError::Format(format_error(ctx.name, entry, e))
}

/// The error for an archive that unpacks to more than the cap.
fn limit_error(ctx: &ParseCtx<'_>) -> ParseError {
    ParseError::Fatal(
        Error::new(
            ErrorKind::BadArchive,
            format!(
                "refusing to unpack {}: it unpacks to more than {} bytes (limit)",
                ctx.name, ctx.limits.max_unpacked_bytes
            ),
        )
        .with_hint("a Go toolchain is a few hundred megabytes; this archive is damaged or a decompression bomb"),
    )
}

/// What the parser has created so far.
struct Progressed {
    seen: HashSet<PathBuf>,
    dirs: HashSet<PathBuf>,
    files: HashSet<PathBuf>,
    stats: Stats,
}

fn parse_entries(
    reader: &mut ChunkReader,
    jobs: &SyncSender<Job>,
    ctx: &ParseCtx<'_>,
) -> std::result::Result<Stats, ParseError> {
    let limits = ctx.limits;
    // Headers and padding add at most ~1.5 KiB per entry on top of content.
    let cap = limits
        .max_unpacked_bytes
        .saturating_add(limits.max_entries.saturating_mul(1536))
        .saturating_add(1 << 20);
    let gz = flate2::bufread::GzDecoder::new(reader);
    let mut archive = tar::Archive::new(Capped {
        inner: gz,
        read: 0,
        cap,
        over: false,
    });
    let mut done = Progressed {
        seen: HashSet::new(),
        dirs: HashSet::new(),
        files: HashSet::new(),
        stats: Stats {
            entries: 0,
            bytes: 0,
        },
    };
    let entries = archive
        .entries()
        .map_err(|e| ParseError::Format(format_error(ctx.name, "", &e)))?;
    for entry in entries {
        if ctx.shared.abort.load(Ordering::Relaxed) {
            return Err(ParseError::Aborted);
        }
        let entry = entry.map_err(|e| read_failure(ctx, "", &e))?;
        if !entry.header().entry_type().is_pax_global_extensions() {
            unpack_entry(entry, jobs, ctx, &mut done)?;
        }
    }
    // Read to the end of the gzip stream so its CRC and length are checked.
    let mut rest = archive.into_inner();
    match io::copy(&mut rest, &mut io::sink()) {
        Ok(_) => Ok(done.stats),
        Err(_) if rest.over => Err(limit_error(ctx)),
        Err(e) => Err(ParseError::Format(format_error(ctx.name, "", &e))),
    }
}

/// True for a directory entry; an error for any type but a regular file
/// or a directory.
fn is_dir_entry<R: Read>(
    entry: &tar::Entry<'_, R>,
    ctx: &ParseCtx<'_>,
    shown: &str,
) -> std::result::Result<bool, ParseError> {
    let etype = entry.header().entry_type();
    let refuse = |why: &str| Err(unsafe_entry(ctx.name, shown, why));
    if etype.is_file() {
        Ok(false)
    } else if etype.is_dir() {
        Ok(true)
    } else if etype.is_symlink() {
        let target = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        refuse(&format!(
            "is a symbolic link (to `{}`); links are not allowed",
            target.escape_debug()
        ))
    } else if etype.is_hard_link() {
        refuse("is a hard link; links are not allowed")
    } else if etype.is_character_special() || etype.is_block_special() {
        refuse("is a device node")
    } else if etype.is_fifo() {
        refuse("is a FIFO")
    } else {
        refuse(&format!("has an unsupported type ({etype:?})"))
    }
}

/// Checks one entry against the policy and creates it (a directory now, a
/// file now or through the writers).
fn unpack_entry<R: Read>(
    entry: tar::Entry<'_, R>,
    jobs: &SyncSender<Job>,
    ctx: &ParseCtx<'_>,
    done: &mut Progressed,
) -> std::result::Result<(), ParseError> {
    let name = ctx.name;
    let raw = entry.path_bytes().into_owned();
    let shown = String::from_utf8_lossy(&raw).into_owned();
    count_entry(ctx, done, &shown)?;
    let is_dir = is_dir_entry(&entry, ctx, &shown)?;
    let rel = checked_path(&raw).map_err(|why| unsafe_entry(name, &shown, why))?;
    if !done.seen.insert(rel.clone()) {
        return Err(unsafe_entry(name, &shown, "appears twice in the archive"));
    }
    if is_dir {
        if !done.dirs.contains(&rel) {
            ensure_dirs(ctx, &rel, done, &shown)?;
        }
        return Ok(());
    }
    if done.dirs.contains(&rel) {
        return Err(unsafe_entry(
            name,
            &shown,
            "is a file where a directory was already created",
        ));
    }
    let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Err(unsafe_entry(
            name,
            &shown,
            "is a file in place of the go/ directory",
        ));
    };
    if !done.dirs.contains(parent) {
        ensure_dirs(ctx, parent, done, &shown)?;
    }
    done.files.insert(rel.clone());
    write_file(entry, &rel, shown, jobs, ctx, done)
}

/// Writes the file entry `rel`: large ones (or all, without writer
/// threads) now, the others through the writers.
fn write_file<R: Read>(
    mut entry: tar::Entry<'_, R>,
    rel: &Path,
    shown: String,
    jobs: &SyncSender<Job>,
    ctx: &ParseCtx<'_>,
    done: &mut Progressed,
) -> std::result::Result<(), ParseError> {
    let size = entry.size();
    done.stats.bytes = done.stats.bytes.saturating_add(size);
    if done.stats.bytes > ctx.limits.max_unpacked_bytes {
        return Err(limit_error(ctx));
    }
    let executable = matches!(entry.header().mode(), Ok(m) if m & 0o111 != 0);
    let full = ctx.dest.join(rel);
    let rel = goroot_path(rel).map_err(|why| unsafe_entry(ctx.name, &shown, why))?;
    if size > ctx.pipeline.inline_above && ctx.pipeline.writers > 0 {
        let (tx, rx) = sync_channel::<Vec<u8>>(4);
        let job = Job {
            path: full,
            entry: shown.clone(),
            rel,
            executable,
            data: Vec::new(),
            stream: Some((rx, size)),
        };
        queue(jobs, ctx.shared, ctx.pipeline, job)?;
        return stream_to_writer(&mut entry, tx, ctx, &shown);
    }
    if ctx.pipeline.writers == 0 {
        let file = InlineFile {
            path: &full,
            rel,
            executable,
            shown: &shown,
        };
        return write_inline(&mut entry, file, ctx, None).map_err(|e| match e {
            InlineError::Read(e) => read_failure(ctx, &shown, &e),
            InlineError::Write(e) => ParseError::Fatal(e),
        });
    }
    let mut data = Vec::with_capacity(size as usize);
    (&mut entry)
        .take(size)
        .read_to_end(&mut data)
        .map_err(|e| read_failure(ctx, &shown, &e))?;
    let job = Job {
        path: full,
        entry: shown,
        rel,
        executable,
        data,
        stream: None,
    };
    queue(jobs, ctx.shared, ctx.pipeline, job)
}

/// Hands the content of a large file to the writer that took its job, in
/// chunks (at most four in flight), so the parser only gunzips.
fn stream_to_writer(
    entry: &mut impl Read,
    tx: SyncSender<Vec<u8>>,
    ctx: &ParseCtx<'_>,
    shown: &str,
) -> std::result::Result<(), ParseError> {
    loop {
        let mut chunk = vec![0u8; 256 << 10];
        let mut n = 0;
        while n < chunk.len() {
            match entry.read(&mut chunk[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_failure(ctx, shown, &e)),
            }
        }
        if n == 0 {
            return Ok(());
        }
        chunk.truncate(n);
        if tx.send(chunk).is_err() {
            return Err(ParseError::Aborted);
        }
    }
}

/// The path of `rel` (`go/bin/go`) in the GOROOT (`bin/go`), as the
/// manifest names it: UTF-8 without a newline (official archives name
/// their files in ASCII).
fn goroot_path(rel: &Path) -> std::result::Result<String, &'static str> {
    let s = rel.to_str().ok_or("has a path that is not UTF-8")?;
    if s.contains(['\n', '\r']) {
        return Err("has a line break in its path");
    }
    Ok(s.strip_prefix("go/").unwrap_or(s).to_string())
}

/// The mode a file is created with: read-only when it goes to the store.
fn file_mode(placement: Placement<'_>, executable: bool) -> u32 {
    match (placement, executable) {
        (Placement::Store(_), true) => 0o555,
        (Placement::Store(_), false) => 0o444,
        (Placement::Write, true) => 0o755,
        (Placement::Write, false) => 0o644,
    }
}

/// Counts one more entry; an error past the cap.
fn count_entry(
    ctx: &ParseCtx<'_>,
    done: &mut Progressed,
    shown: &str,
) -> std::result::Result<(), ParseError> {
    done.stats.entries += 1;
    if done.stats.entries <= ctx.limits.max_entries {
        return Ok(());
    }
    Err(ParseError::Fatal(
        Error::new(
            ErrorKind::BadArchive,
            format!(
                "refusing to unpack {}: it has more than {} entries (limit); the last was `{}`",
                ctx.name,
                ctx.limits.max_entries,
                shown.escape_debug()
            ),
        )
        .with_hint("a Go toolchain has about 12,000 entries; this archive is damaged or malicious"),
    ))
}

/// Hands a file to the writers, waiting for room in their queue (one file
/// is always admitted).
fn queue(
    jobs: &SyncSender<Job>,
    shared: &Shared,
    pipeline: Pipeline,
    job: Job,
) -> std::result::Result<(), ParseError> {
    let size = job.data.len() as u64;
    {
        let mut in_flight = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        while *in_flight > 0 && *in_flight + size > pipeline.bytes_in_flight {
            if shared.abort.load(Ordering::Relaxed) {
                return Err(ParseError::Aborted);
            }
            in_flight = shared
                .drained
                .wait(in_flight)
                .unwrap_or_else(|p| p.into_inner());
        }
        *in_flight += size;
    }
    jobs.send(job).map_err(|_| ParseError::Aborted)
}

fn format_error(archive: &str, entry: &str, e: &io::Error) -> Error {
    let at = if entry.is_empty() {
        String::new()
    } else {
        format!(" (at entry `{}`)", entry.escape_debug())
    };
    Error::new(
        ErrorKind::BadArchive,
        format!("{archive} is not a valid .tar.gz archive{at}: {e}"),
    )
    .with_hint("the file is damaged; download it again, or check the mirror (GOVER_MIRROR)")
}

/// Creates `rel` and its missing parents. A path the archive already
/// holds as a file is refused here, before a writer thread may have
/// created the file.
fn ensure_dirs(
    ctx: &ParseCtx<'_>,
    rel: &Path,
    done: &mut Progressed,
    shown: &str,
) -> std::result::Result<(), ParseError> {
    let mut missing: Vec<&Path> = Vec::new();
    let mut cur = Some(rel);
    while let Some(p) = cur {
        if p.as_os_str().is_empty() || done.dirs.contains(p) {
            break;
        }
        if done.files.contains(p) {
            return Err(unsafe_entry(
                ctx.name,
                shown,
                "needs a directory where the archive already put a file",
            ));
        }
        missing.push(p);
        cur = p.parent();
    }
    let dirs = &mut done.dirs;
    for p in missing.into_iter().rev() {
        let full = ctx.dest.join(p);
        let mut b = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o755);
        }
        if let Err(e) = b.create(&full) {
            if e.kind() == io::ErrorKind::AlreadyExists {
                return Err(unsafe_entry(
                    ctx.name,
                    shown,
                    "needs a directory where the archive already put a file",
                ));
            }
            return Err(ParseError::Fatal(write_error(e, ctx.dest, ctx.name, shown)));
        }
        dirs.insert(p.to_path_buf());
    }
    Ok(())
}

/// The error for a failed write while unpacking into `dest`. It names the
/// directory `dest` lies in (`$GOVER_HOME/tmp`), which outlives the failed
/// install, rather than the scratch file, which is removed with it.
fn write_error(e: io::Error, dest: &Path, archive: &str, entry: &str) -> Error {
    let dir = dest.parent().unwrap_or(dest);
    let err = Error::new(
        ErrorKind::from_io(&e),
        format!(
            "cannot unpack {archive} into {}: {} (at entry `{}`)",
            dir.display(),
            describe_io(&e),
            entry.escape_debug()
        ),
    );
    match io_hint(&e, dir) {
        Some(h) => err.with_hint(format!("{h}; nothing was installed")),
        None => err,
    }
}

enum InlineError {
    Read(io::Error),
    Write(Error),
}

/// A file the parser writes itself.
struct InlineFile<'a> {
    path: &'a Path,
    rel: String,
    executable: bool,
    shown: &'a str,
}

fn write_inline(
    entry: &mut impl Read,
    file: InlineFile<'_>,
    ctx: &ParseCtx<'_>,
    expected: Option<u64>,
) -> std::result::Result<(), InlineError> {
    let fail = |e| InlineError::Write(write_error(e, ctx.dest, ctx.name, file.shown));
    let mode = file_mode(ctx.placement, file.executable);
    let mut f = crate::store::create_new(file.path, mode).map_err(fail)?;
    let mut buf = vec![0u8; 256 << 10];
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(InlineError::Read(e)),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
        f.write_all(&buf[..n]).map_err(fail)?;
    }
    if expected.is_some_and(|e| e != size) {
        return Err(InlineError::Read(io::Error::other(
            "the stream ended early",
        )));
    }
    let key = Key {
        sha256: hasher.finalize().into(),
        executable: file.executable,
    };
    let placed = match ctx.placement {
        Placement::Store(store) => store.adopt(&key, size, file.path, ctx.dest).map_err(fail)?,
        Placement::Write => Placed::Copied,
    };
    if placed == Placed::Written {
        crate::store::stamp(&f);
        start_writeback(&f);
    }
    let entry = FileEntry {
        path: file.rel,
        sha256: key.sha256,
        executable: key.executable,
        size,
    };
    ctx.shared.record(entry, placed, file.path);
    Ok(())
}

/// Starts writing a new large file to disk now, while the rest of the
/// archive is unpacked, so the flush before the commit has less left to
/// do. Best effort.
#[cfg(target_os = "linux")]
fn start_writeback(f: &fs::File) {
    use std::os::unix::io::AsRawFd;
    // SAFETY: `f` is an open file descriptor for the duration of the call.
    unsafe { libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &fs::File) {}

/// Writes a large file whose content arrives in chunks from the parser.
/// A stream that ends short (the parser stopped) writes nothing more:
/// the parser's error is what is reported.
fn write_streamed(rx: Receiver<Vec<u8>>, size: u64, job: &Job, ctx: &ParseCtx<'_>) {
    let mut reader = Capped {
        inner: ChunkReader::new(rx),
        read: 0,
        cap: size,
        over: false,
    };
    let file = InlineFile {
        path: &job.path,
        rel: job.rel.clone(),
        executable: job.executable,
        shown: &job.entry,
    };
    if !ctx.shared.abort.load(Ordering::Relaxed) {
        if let Err(InlineError::Write(e)) = write_inline(&mut reader, file, ctx, Some(size)) {
            ctx.shared.fail_write(e);
        }
    }
    // Drain what the parser may still send, so it never blocks.
    let _ = io::copy(&mut reader.inner, &mut io::sink());
}

/// Creates the file of `job`: from the store, or written.
fn place(job: &Job, placement: Placement<'_>) -> io::Result<(Key, Placed)> {
    let key = Key::of(&job.data, job.executable);
    let placed = match placement {
        Placement::Store(store) => store.place_bytes(&key, &job.data, &job.path)?,
        Placement::Write => {
            crate::store::create_new(&job.path, file_mode(placement, job.executable))
                .and_then(|mut f| f.write_all(&job.data))?;
            Placed::Copied
        }
    };
    Ok((key, placed))
}

fn writer_loop(jobs: &Mutex<Receiver<Job>>, ctx: &ParseCtx<'_>) {
    let shared = ctx.shared;
    loop {
        let job = {
            let rx = jobs.lock().unwrap_or_else(|p| p.into_inner());
            rx.recv()
        };
        let Ok(mut job) = job else {
            return;
        };
        let size = job.data.len() as u64;
        if let Some((rx, size)) = job.stream.take() {
            write_streamed(rx, size, &job, ctx);
            continue;
        }
        if !shared.abort.load(Ordering::Relaxed) {
            match place(&job, ctx.placement) {
                Ok((key, placed)) => {
                    let entry = FileEntry {
                        path: job.rel.clone(),
                        sha256: key.sha256,
                        executable: key.executable,
                        size,
                    };
                    shared.record(entry, placed, &job.path);
                }
                Err(e) => shared.fail_write(write_error(e, ctx.dest, ctx.name, &job.entry)),
            }
        }
        drop(job);
        let mut in_flight = shared.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        *in_flight = in_flight.saturating_sub(size);
        shared.drained.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(checked_path(b"go/bin/go").unwrap(), Path::new("go/bin/go"));
        assert_eq!(checked_path(b"./go//src/").unwrap(), Path::new("go/src"));
        assert_eq!(checked_path(b"go").unwrap(), Path::new("go"));
        for (p, why) in [
            (&b"/etc/passwd"[..], "absolute"),
            (b"go/../x", "`..`"),
            (b"go/a/../../x", "`..`"),
            (b"x/go", "outside"),
            (b"gox/a", "outside"),
            (b"", "empty"),
            (b"./", "empty"),
            (b"go\\..\\x", "backslash"),
        ] {
            assert!(checked_path(p).unwrap_err().contains(why), "{p:?}");
        }
    }

    /// A tar entry for the in-memory archives below.
    struct E {
        path: &'static [u8],
        kind: tar::EntryType,
        mode: u32,
        data: Vec<u8>,
        link: &'static str,
        claimed: Option<u64>,
    }

    fn file(path: &'static str, mode: u32, data: &str) -> E {
        E {
            path: path.as_bytes(),
            kind: tar::EntryType::Regular,
            mode,
            data: data.as_bytes().to_vec(),
            link: "",
            claimed: None,
        }
    }

    fn dir(path: &'static str) -> E {
        E {
            kind: tar::EntryType::Directory,
            ..file(path, 0o755, "")
        }
    }

    fn special(path: &'static str, kind: tar::EntryType, link: &'static str) -> E {
        E {
            kind,
            link,
            ..file(path, 0o777, "")
        }
    }

    /// A .tar.gz of `entries`, names written byte for byte (no tar library
    /// check in the way: the policy under test is gover's).
    fn targz(entries: &[E]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for e in entries {
            let mut h = tar::Header::new_ustar();
            h.as_old_mut().name[..e.path.len()].copy_from_slice(e.path);
            h.set_entry_type(e.kind);
            h.set_mode(e.mode);
            h.set_size(e.claimed.unwrap_or(e.data.len() as u64));
            h.as_old_mut().linkname[..e.link.len()].copy_from_slice(e.link.as_bytes());
            h.set_cksum();
            b.append(&h, &e.data[..]).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    fn toolchain(extra: Vec<E>) -> Vec<E> {
        let mut v = vec![
            dir("go/"),
            file("go/VERSION", 0o644, "go1.22.10\n"),
            dir("go/bin/"),
            file("go/bin/go", 0o755, "#!/bin/sh\n"),
        ];
        v.extend(extra);
        v
    }

    fn run(
        bytes: Vec<u8>,
        size: u64,
        expected: Option<[u8; 32]>,
        limits: Limits,
        writers: usize,
    ) -> (Result<Unpacked>, tempfile::TempDir) {
        let t = tempfile::tempdir().unwrap();
        let exp = expected.map(|sha256| Expected {
            sha256,
            source: "the test".into(),
        });
        let res = unpack(
            Input {
                reader: Box::new(std::io::Cursor::new(bytes)),
                name: "a.tar.gz".into(),
                location: "test://a.tar.gz".into(),
                expected_size: size,
            },
            t.path(),
            exp.as_ref(),
            limits,
            Pipeline {
                writers,
                ..Pipeline::default()
            },
            &crate::NoProgress,
        );
        (res, t)
    }

    fn refused(entries: Vec<E>) -> String {
        let (res, _t) = run(targz(&entries), 0, None, Limits::default(), 2);
        let e = res.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadArchive, "{e}");
        e.to_string()
    }

    #[test]
    fn a_good_archive_unpacks_with_normalised_modes_whatever_the_writers() {
        for writers in [0, 1, 3] {
            let bytes = targz(&toolchain(vec![
                file("go/bin/suid", 0o6777, "x"),
                file("go/lib/shared", 0o666, "data"),
                file("go/lib/deep/er", 0o1644, "data"),
            ]));
            let sha: [u8; 32] = Sha256::digest(&bytes).into();
            let (res, t) = run(
                bytes.clone(),
                bytes.len() as u64,
                Some(sha),
                Limits::default(),
                writers,
            );
            let u = res.unwrap();
            assert_eq!(u.sha256, sha);
            assert_eq!(u.archive_bytes, bytes.len() as u64);
            assert_eq!(u.entries, 7);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode =
                    |p: &str| fs::metadata(t.path().join(p)).unwrap().permissions().mode() & 0o7777;
                assert_eq!(mode("go/bin/suid") & !0o022, 0o755 & !0o022);
                assert_eq!(mode("go/bin/suid") & 0o7000, 0);
                assert_eq!(mode("go/lib/shared") & 0o022, 0);
                assert_eq!(mode("go/lib/deep/er") & 0o1111, 0);
            }
            assert_eq!(
                fs::read_to_string(t.path().join("go/lib/shared")).unwrap(),
                "data"
            );
        }
    }

    #[test]
    fn through_the_store_the_second_unpack_links_every_file_streamed_or_not() {
        let t = tempfile::tempdir().unwrap();
        let home = gover_core::GoverHome::new(t.path().join("home"));
        let store = Store::new(&home, gover_core::settings::LinkMode::Auto);
        store.ensure_dirs().unwrap();
        let big = "x".repeat(300 << 10);
        let bytes = targz(&toolchain(vec![file("go/pkg/big.a", 0o644, &big)]));
        // Files above one byte stream to the writers in chunks.
        for inline_above in [1, 2 << 20] {
            let mut linked = Vec::new();
            for round in 0..2 {
                let dest = t.path().join(format!("d{inline_above}-{round}"));
                fs::create_dir(&dest).unwrap();
                let input = Input {
                    reader: Box::new(std::io::Cursor::new(bytes.clone())),
                    name: "a.tar.gz".into(),
                    location: "test://a.tar.gz".into(),
                    expected_size: 0,
                };
                let pipeline = Pipeline {
                    writers: 2,
                    inline_above,
                    ..Pipeline::default()
                };
                let tuning = (Limits::default(), pipeline, Placement::Store(&store));
                let u = unpack_into(input, &dest, None, tuning, &crate::NoProgress).unwrap();
                let paths: Vec<&str> = u.files.iter().map(|f| f.path.as_str()).collect();
                assert_eq!(paths, ["VERSION", "bin/go", "pkg/big.a"]);
                assert_eq!(u.files[2].size, big.len() as u64);
                assert_eq!(u.files[2].sha256, Key::of(big.as_bytes(), false).sha256);
                assert!(u.files[1].executable && !u.files[2].executable);
                assert_eq!(fs::read_to_string(dest.join("go/pkg/big.a")).unwrap(), big);
                for (key, path) in &u.fresh {
                    store.publish(key, path).unwrap();
                }
                linked.push(u.linked_files);
            }
            assert_eq!(linked[1], 3, "{inline_above}: {linked:?}");
        }
    }

    #[test]
    fn every_entry_breaking_the_policy_is_refused_by_name() {
        use tar::EntryType as T;
        for (extra, want) in [
            (
                vec![file("go/../../evil", 0o644, "x")],
                "entry `go/../../evil` has a `..` component",
            ),
            (
                vec![file("/tmp/evil", 0o644, "x")],
                "entry `/tmp/evil` has an absolute path",
            ),
            (
                vec![file("evil/x", 0o644, "x")],
                "entry `evil/x` lies outside the top-level go/ directory",
            ),
            (
                vec![special("go/bin/sh", T::Symlink, "/bin/sh")],
                "entry `go/bin/sh` is a symbolic link (to `/bin/sh`)",
            ),
            (
                vec![special("go/bin/gofmt", T::Link, "go/bin/go")],
                "entry `go/bin/gofmt` is a hard link",
            ),
            (
                vec![special("go/null", T::Char, "")],
                "entry `go/null` is a device node",
            ),
            (
                vec![special("go/sda", T::Block, "")],
                "entry `go/sda` is a device node",
            ),
            (
                vec![special("go/fifo", T::Fifo, "")],
                "entry `go/fifo` is a FIFO",
            ),
            (
                vec![file("go/VERSION", 0o644, "again")],
                "entry `go/VERSION` appears twice",
            ),
            (
                vec![file("go/bin", 0o644, "x")],
                "entry `go/bin` appears twice",
            ),
            (
                vec![file("go/VERSION/x", 0o644, "x")],
                "needs a directory where the archive already put a file",
            ),
            (
                vec![file("go/a\\b", 0o644, "x")],
                "has a backslash in its path",
            ),
        ] {
            let got = refused(toolchain(extra));
            assert!(got.starts_with("refusing to unpack a.tar.gz: "), "{got}");
            assert!(got.contains(want), "want {want:?}, got {got}");
        }
        let got = refused(vec![file("go", 0o644, "x")]);
        assert!(
            got.contains("is a file in place of the go/ directory"),
            "{got}"
        );
        let got = refused(toolchain(vec![dir("go/bin/go/")]));
        assert!(
            got.contains("appears twice") || got.contains("needs a directory"),
            "{got}"
        );
    }

    #[test]
    fn the_caps_stop_bombs_and_floods() {
        let small = Limits {
            max_unpacked_bytes: 1000,
            max_entries: 10,
        };
        let bomb = targz(&toolchain(vec![E {
            data: vec![0; 1 << 20],
            ..file("go/zeros", 0o644, "")
        }]));
        let (res, _t) = run(bomb, 0, None, small, 2);
        let e = res.unwrap_err().to_string();
        assert!(
            e.contains("it unpacks to more than 1000 bytes (limit)"),
            "{e}"
        );
        // A size claimed in the header, not even backed by data.
        let liar = targz(&toolchain(vec![E {
            claimed: Some(1 << 40),
            ..file("go/huge", 0o644, "x")
        }]));
        let (res, _t) = run(liar, 0, None, small, 2);
        assert!(res.unwrap_err().to_string().contains("(limit)"));
        let flood: Vec<E> = (0..20).map(|_| file("go/x", 0o644, "")).collect();
        let (res, _t) = run(targz(&flood), 0, None, small, 2);
        let e = res.unwrap_err().to_string();
        assert!(
            e.contains("it has more than 10 entries (limit)") || e.contains("appears twice"),
            "{e}"
        );
    }

    #[test]
    fn the_stream_is_bounded_by_the_index_size_and_its_first_error() {
        let good = targz(&toolchain(vec![]));
        let n = good.len() as u64;
        // Longer than the index says: stopped there.
        let mut longer = good.clone();
        longer.extend(vec![0u8; 1 << 20]);
        let (res, _t) = run(longer, n, None, Limits::default(), 2);
        let e = res.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SizeMismatch);
        assert!(
            e.to_string().contains(&format!(
                "is larger than the {n} bytes the release index lists"
            )),
            "{e}"
        );
        // Shorter: a size mismatch, not a network failure.
        let (res, _t) = run(
            good[..good.len() - 10].to_vec(),
            n,
            None,
            Limits::default(),
            2,
        );
        let e = res.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SizeMismatch);
        assert!(
            e.to_string().contains(&format!(
                "has {} bytes, but the release index lists {n}",
                n - 10
            )),
            "{e}"
        );
        // Endless garbage: the first gzip error ends it.
        struct Garbage;
        impl Read for Garbage {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                buf.fill(0x5a);
                Ok(buf.len())
            }
        }
        let t = tempfile::tempdir().unwrap();
        let e = unpack(
            Input {
                reader: Box::new(Garbage),
                name: "a.tar.gz".into(),
                location: "test://a".into(),
                expected_size: 0,
            },
            t.path(),
            None,
            Limits::default(),
            Pipeline::default(),
            &crate::NoProgress,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("a.tar.gz is not a valid .tar.gz archive"),
            "{e}"
        );
        // An HTML page says so.
        let (res, _t) = run(
            b"\n<!DOCTYPE html><html>login</html>".to_vec(),
            0,
            None,
            Limits::default(),
            2,
        );
        let e = res.unwrap_err().to_string();
        assert!(e.contains("is an HTML page, not a .tar.gz archive"), "{e}");
    }

    #[test]
    fn a_checksum_mismatch_names_both_digests_and_the_source() {
        let good = targz(&toolchain(vec![]));
        let (res, t) = run(good, 0, Some([7; 32]), Limits::default(), 2);
        let e = res.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ChecksumMismatch);
        let text = e.to_string();
        assert!(
            text.starts_with(
                "checksum mismatch for a.tar.gz from test://a.tar.gz\n  expected sha256 0707"
            ),
            "{text}"
        );
        assert!(
            text.contains("(from the test)\n  computed sha256 "),
            "{text}"
        );
        drop(t);
    }
}
