//! Unpacking a `golang.org/toolchain` module zip (what a GOPROXY serves)
//! into a GOROOT, with the same hardened policy as release tarballs.
//!
//! Every entry is checked from the zip's central directory before a byte
//! is written: one prefix `golang.org/toolchain@<version>/`; regular files
//! only (no directories, symbolic links or other types; no encryption;
//! stored or deflated); clean relative names (no `..`, `.`, empty
//! elements, absolute names, backslashes or control characters, only the
//! characters Go allows in module file names); no name twice, not even
//! differing in case, and no name both a file and a directory; no
//! `go.mod` (the module names them `_go.mod`); caps on the zip size, the
//! unpacked size and the entry count. Entries are then read by gover itself
//! (never the `zip` crate's extract helpers), each checked against its
//! declared size and CRC, and written on a few threads with Go's
//! distribution modes (0755 for `bin/**`, `pkg/tool/**`, `*.bash`, `*.sh`,
//! `*.pl`, `*.rc`, `**/go_*_*_exec`; 0644 otherwise; the umask applies),
//! or linked from the content-addressed store.
//! `_go.mod` files are written as `go.mod`, `src/go.mod` last (Go's "done"
//! marker).
//!
//! Two passes, so that nothing is unpacked before the zip is verified:
//! [`CheckedZip::hash`] reads every file and computes the module's `h1:`
//! hash (to be checked against the checksum database), then
//! [`CheckedZip::unpack`] writes the files, each checked against the sha256
//! the first pass took.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use gover_trust::dirhash::{hash1, FileDigest};
use gover_trust::toolchain::{file_mode, ToolchainModule};
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipArchive, ZipReadOptions};

use crate::error::{Error, ErrorKind, Result};
use crate::store::{create_new, FileEntry, Key, Placed, Store};

/// Caps that make a hostile zip fail fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most bytes the zip file may have.
    pub max_zip_bytes: u64,
    /// Most bytes its files may unpack to, in all.
    pub max_unpacked_bytes: u64,
    /// Most entries it may hold.
    pub max_entries: u64,
    /// Threads writing files.
    pub writers: usize,
}

impl Default for ZipLimits {
    /// Go's module limits (500 MiB zipped and unpacked) and 100,000
    /// entries: a toolchain is about 250 MiB in about 12,000 files.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            max_zip_bytes: 500 << 20,
            max_unpacked_bytes: 500 << 20,
            max_entries: 100_000,
            writers: cores.clamp(1, 4),
        }
    }
}

/// What an extraction produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unzipped {
    /// The module's `h1:` hash, over the zip's names and contents.
    pub h1: String,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// One entry that passed the policy.
struct Planned {
    index: usize,
    /// The name in the zip (for the hash and messages).
    zip_name: String,
    /// The GOROOT-relative path written (`_go.mod` → `go.mod`).
    rel: String,
    size: u64,
    mode: u32,
}

fn refuse(zip: &str, entry: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::BadArchive,
        format!("refusing to unpack {zip}: entry `{}` {why}", entry.escape_debug()),
    )
    .with_hint("toolchain module zips never contain this; the zip is damaged or malicious, and nothing was installed")
}

fn bad_zip(zip: &str, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::BadArchive, format!("cannot unpack {zip}: {why}"))
        .with_hint("the proxy served a damaged file; nothing was installed")
}

/// Whether Go allows `c` in a module file name.
fn char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
        || (!c.is_ascii() && c.is_alphabetic())
}

/// Checks a name (without the prefix) as Go checks module file paths.
fn check_path(rel: &str) -> std::result::Result<(), &'static str> {
    if rel.is_empty() || rel.ends_with('/') {
        return Err("is a directory entry (module zips hold regular files only)");
    }
    if rel.starts_with('/') {
        return Err("has an absolute path");
    }
    for elem in rel.split('/') {
        if elem.is_empty() {
            return Err("has an empty path element");
        }
        if elem == ".." {
            return Err("has a `..` component");
        }
        if elem.bytes().all(|b| b == b'.') || elem.ends_with('.') {
            return Err("has a path element that is dots or ends in a dot");
        }
        if !elem.chars().all(char_ok) {
            return Err("has a character Go does not allow in module file names");
        }
        let short = elem.split('.').next().unwrap_or("");
        // The device names Windows reserves in every directory.
        const WINDOWS: &str = "con prn aux nul com1 com2 com3 com4 com5 com6 com7 com8 com9 \
                               lpt1 lpt2 lpt3 lpt4 lpt5 lpt6 lpt7 lpt8 lpt9";
        if WINDOWS
            .split_whitespace()
            .any(|w| w.eq_ignore_ascii_case(short))
        {
            return Err("has a path element Windows reserves");
        }
    }
    if rel
        .rsplit('/')
        .next()
        .is_some_and(|b| b.eq_ignore_ascii_case("go.mod"))
    {
        return Err("is a go.mod (toolchain zips name them `_go.mod`)");
    }
    Ok(())
}

/// Case-insensitive collisions, and names both a file and a directory.
#[derive(Default)]
struct Collisions(HashMap<String, (String, bool)>);

impl Collisions {
    fn check(&mut self, path: &str, is_dir: bool) -> std::result::Result<(), String> {
        let fold = path.to_lowercase();
        match self.0.get(&fold) {
            Some((other, _)) if other != path => {
                return Err(format!(
                    "collides with `{other}` on case-insensitive file systems"
                ));
            }
            Some((_, other_dir)) if *other_dir != is_dir => {
                return Err("is both a file and a directory".into());
            }
            Some(_) if !is_dir => return Err("appears twice".into()),
            Some(_) => return Ok(()),
            None => {
                self.0.insert(fold, (path.to_string(), is_dir));
            }
        }
        match path.rsplit_once('/') {
            Some((parent, _)) => self.check(parent, true),
            None => Ok(()),
        }
    }
}

/// Checks every entry against the policy; returns the plan.
fn plan<R: Read + Seek>(
    archive: &ZipArchive<R>,
    prefix: &str,
    zip: &str,
    limits: &ZipLimits,
) -> Result<Vec<Planned>> {
    if archive.has_duplicate_names() {
        return Err(bad_zip(zip, "it names a file twice").with_hint("toolchain module zips never contain this; the zip is damaged or malicious, and nothing was installed"));
    }
    if archive.len() as u64 > limits.max_entries {
        return Err(bad_zip(
            zip,
            format!("it holds more than {} entries (limit)", limits.max_entries),
        ));
    }
    let mut out = Vec::with_capacity(archive.len());
    let mut seen = Collisions::default();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let e = archive.by_index_data(index).map_err(|e| bad_zip(zip, e))?;
        let Ok(name) = std::str::from_utf8(e.name_raw()) else {
            return Err(refuse(
                zip,
                &String::from_utf8_lossy(e.name_raw()),
                "has a name that is not UTF-8",
            ));
        };
        let Some(rel) = name.strip_prefix(prefix) else {
            return Err(refuse(zip, name, &format!("lies outside {prefix}")));
        };
        check_path(rel).map_err(|why| refuse(zip, name, why))?;
        let kind = e.unix_mode().map_or(0, |m| m & 0o170000);
        if e.is_dir() || e.is_symlink() || (kind != 0 && kind != 0o100000) {
            return Err(refuse(
                zip,
                name,
                "is not a regular file (a link, directory or device)",
            ));
        }
        if e.encrypted() {
            return Err(refuse(zip, name, "is encrypted"));
        }
        if !matches!(
            e.compression(),
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(refuse(
                zip,
                name,
                "uses a compression method other than deflate",
            ));
        }
        seen.check(rel, false)
            .map_err(|why| refuse(zip, name, &why))?;
        total = total.saturating_add(e.size());
        if total > limits.max_unpacked_bytes {
            return Err(bad_zip(zip, format!("it unpacks to more than {} bytes (limit)", limits.max_unpacked_bytes))
                .with_hint("a Go toolchain is a few hundred megabytes; this zip is damaged or a decompression bomb, and nothing was installed"));
        }
        let written = match rel.strip_suffix("_go.mod") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("{dir}go.mod"),
            _ => rel.to_string(),
        };
        out.push(Planned {
            index,
            zip_name: name.to_string(),
            rel: written,
            size: e.size(),
            mode: file_mode(rel),
        });
    }
    Ok(out)
}

/// A file read by position, so threads share one open file, through a
/// buffer of its own (the zip reader asks for small pieces).
#[derive(Clone)]
struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`.
    buf_at: u64,
}

/// How much [`SharedFile`] reads at once.
const READ_AHEAD: usize = 256 << 10;

impl SharedFile {
    fn new(file: File, len: u64) -> Self {
        Self {
            file: Arc::new(file),
            pos: 0,
            len,
            buf: Vec::new(),
            buf_at: 0,
        }
    }

    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        #[cfg(unix)]
        return std::os::unix::fs::FileExt::read_at(&*self.file, buf, at);
        #[cfg(windows)]
        return std::os::windows::fs::FileExt::seek_read(&*self.file, buf, at);
    }
}

impl Read for SharedFile {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let in_buf = self.pos >= self.buf_at && self.pos < self.buf_at + self.buf.len() as u64;
        if !in_buf {
            if out.len() >= READ_AHEAD {
                let n = self.read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let mut buf = std::mem::take(&mut self.buf);
            buf.resize(READ_AHEAD, 0);
            let n = self.read_at(&mut buf, self.pos)?;
            buf.truncate(n);
            self.buf = buf;
            self.buf_at = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        let from = (self.pos - self.buf_at) as usize;
        let n = out.len().min(self.buf.len() - from);
        out[..n].copy_from_slice(&self.buf[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// The entry count the zip's end records declare (zip64 too), read before
/// the `zip` crate parses the central directory, whose size (and memory)
/// follows that count. `None` when there is no end record (not a zip).
fn declared_entries(f: &mut SharedFile) -> io::Result<Option<u64>> {
    let tail_len = f.len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(f.len - tail_len))?;
    f.read_exact(&mut tail)?;
    let le16 = |b: &[u8], at: usize| u64::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let le64 = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    // The end record: its comment runs exactly to the end of the file.
    let Some(eocd) = (0..tail.len().saturating_sub(21)).rev().find(|&i| {
        tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06]
            && i + 22 + le16(&tail, i + 20) as usize == tail.len()
    }) else {
        return Ok(None);
    };
    let count = le16(&tail, eocd + 10);
    if count != 0xffff || eocd < 20 || tail[eocd - 20..eocd - 16] != [0x50, 0x4b, 0x06, 0x07] {
        return Ok(Some(count));
    }
    // Zip64: the locator before the end record points at the zip64 end record.
    let at = le64(&tail, eocd - 12);
    let mut rec = [0u8; 40];
    f.seek(SeekFrom::Start(at))?;
    f.read_exact(&mut rec)?;
    if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
        return Ok(None);
    }
    Ok(Some(le64(&rec, 32)))
}

/// Entries larger than this are streamed (never held whole in memory).
const WHOLE_MAX: u64 = 1 << 20;

/// Streams entry `p` through `sink`, chunk by chunk (`chunk` is the
/// buffer), checking its size (the CRC is checked by the reader at the
/// end); returns its sha256.
fn stream_entry(
    archive: &mut ZipArchive<SharedFile>,
    p: &Planned,
    zip: &str,
    chunk: &mut Vec<u8>,
    sink: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<[u8; 32]> {
    let opts = ZipReadOptions::new().enforce_header_consistency(true);
    let unreadable =
        |e: &dyn std::fmt::Display| refuse(zip, &p.zip_name, &format!("cannot be read: {e}"));
    let f = archive
        .by_index_with_options(p.index, opts)
        .map_err(|e| unreadable(&e))?;
    let mut r = f.take(p.size + 1);
    chunk.resize(READ_AHEAD, 0);
    let (mut sha, mut total) = (Sha256::new(), 0u64);
    loop {
        let n = match r.read(chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(&e)),
        };
        total += n as u64;
        if total > p.size {
            break;
        }
        sha.update(&chunk[..n]);
        sink(&chunk[..n])?;
    }
    if total != p.size {
        return Err(refuse(
            zip,
            &p.zip_name,
            &format!("holds more or fewer bytes than the {} it declares", p.size),
        ));
    }
    Ok(sha.finalize().into())
}

/// Creates the file of `p` under `dest` from the zip, checking that its
/// content has the sha256 `want`: linked from `store` when it has the
/// content (else written read-only, to be added to it), or written with
/// Go's mode. Small files are read whole first; large ones streamed into
/// place. Returns the file's key and how it was placed.
fn place_entry(
    archive: &mut ZipArchive<SharedFile>,
    p: &Planned,
    ctx: (&Path, &str, Option<&Store>),
    want: [u8; 32],
    bufs: &mut (Vec<u8>, Vec<u8>),
) -> Result<(Key, Placed)> {
    let (dest, zip, store) = ctx;
    let path = dest.join(&p.rel);
    let key = Key {
        sha256: want,
        executable: p.mode & 0o111 != 0,
    };
    let changed = || refuse(zip, &p.zip_name, "changed on disk after it was verified");
    let io_err = |e| Error::io("cannot create", &path, e);
    let (chunk, whole) = bufs;
    if p.size <= WHOLE_MAX {
        whole.clear();
        let sha = stream_entry(archive, p, zip, chunk, &mut |b| {
            whole.extend_from_slice(b);
            Ok(())
        })?;
        if sha != want {
            return Err(changed());
        }
        let placed = match store {
            Some(s) => s.place_bytes(&key, whole, &path),
            None => create_new(&path, p.mode)
                .and_then(|mut f| f.write_all(whole))
                .map(|()| Placed::Copied),
        };
        return placed.map(|placed| (key, placed)).map_err(io_err);
    }
    let mode = store.map_or(p.mode, |_| key.mode());
    let mut f = create_new(&path, mode).map_err(io_err)?;
    let sha = stream_entry(archive, p, zip, chunk, &mut |b| {
        f.write_all(b)
            .map_err(|e| Error::io("cannot write", &path, e))
    })?;
    if sha != want {
        return Err(changed());
    }
    let placed = match (store, dest.parent()) {
        (Some(s), Some(scratch)) => s.adopt(&key, p.size, &path, scratch).map_err(io_err)?,
        (Some(_), None) => Placed::Written,
        (None, _) => Placed::Copied,
    };
    if placed == Placed::Written {
        crate::store::stamp(&f);
    }
    Ok((key, placed))
}

/// What one entry gave a pass over the zip: its place in the plan and a
/// value.
type Done<T> = Vec<(usize, T)>;

/// A worker's reusable buffers: a chunk, and a whole small file.
type Buffers = (Vec<u8>, Vec<u8>);

/// What a pass does with entry `i`, given a reader of the zip and buffers.
type EachEntry<'a, T> =
    dyn Fn(usize, &mut ZipArchive<SharedFile>, &mut Buffers) -> Result<T> + Sync + 'a;

/// Hands every entry of `plan` to `each` on `writers` threads (each with
/// its own reader of the zip and buffers); returns what `each` returned,
/// in no particular order, or the first error (the other threads then
/// stop).
fn each_entry<T: Send>(
    archive: &ZipArchive<SharedFile>,
    plan: &[Planned],
    zip: &str,
    writers: usize,
    each: &EachEntry<'_, T>,
) -> Result<Done<T>> {
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let work = |mut archive: ZipArchive<SharedFile>| -> Result<Done<T>> {
        let mut out = Vec::new();
        let mut bufs = Buffers::default();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= plan.len() {
                break;
            }
            match each(i, &mut archive, &mut bufs) {
                Ok(v) => out.push((i, v)),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(out)
    };
    let results: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..writers.max(1))
            .map(|_| {
                let a = archive.clone();
                s.spawn(|| work(a))
            })
            .collect();
        workers.into_iter().map(|w| w.join()).collect()
    });
    let mut all = Vec::with_capacity(plan.len());
    for r in results {
        all.extend(r.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Io,
                format!("reading {zip}: a worker thread panicked"),
            ))
        })?);
    }
    Ok(all)
}

/// A toolchain module zip whose every entry passed the policy (nothing
/// read or written yet): hash it with [`CheckedZip::hash`], then unpack it
/// with [`CheckedZip::unpack`].
pub struct CheckedZip {
    archive: ZipArchive<SharedFile>,
    plan: Vec<Planned>,
    /// `the module zip of <module>`, for messages.
    name: String,
    writers: usize,
}

/// The hashes of a zip's files, from [`CheckedZip::hash`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipHashes {
    /// The module's `h1:` hash.
    pub h1: String,
    /// The sha256 of each entry, in the zip's order.
    sha256: Vec<[u8; 32]>,
}

/// A zip unpacked into a GOROOT by [`CheckedZip::unpack`].
#[derive(Debug, Default)]
pub struct UnpackedZip {
    /// Every file, sorted by GOROOT-relative path.
    pub files: Vec<FileEntry>,
    /// Files linked from the store rather than written.
    pub linked_files: u64,
    /// Their bytes.
    pub linked_bytes: u64,
    /// Files whose content the store lacked, written read-only into the
    /// tree: added to the store once it is on disk.
    pub fresh: Vec<(Key, PathBuf)>,
}

impl CheckedZip {
    /// Opens the zip at `zip_path` (the module zip of `module`) and checks
    /// every entry of its central directory against the policy and
    /// `limits`, reading no file.
    pub fn open(zip_path: &Path, module: &ToolchainModule, limits: &ZipLimits) -> Result<Self> {
        let name = format!("the module zip of {module}");
        let file = File::open(zip_path).map_err(|e| Error::io("cannot open", zip_path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("cannot stat", zip_path, e))?
            .len();
        if len > limits.max_zip_bytes {
            return Err(bad_zip(
                &name,
                format!(
                    "it has {len} bytes, more than {} (limit)",
                    limits.max_zip_bytes
                ),
            ));
        }
        let mut shared = SharedFile::new(file, len);
        let declared =
            declared_entries(&mut shared).map_err(|e| Error::io("cannot read", zip_path, e))?;
        if declared.is_some_and(|n| n > limits.max_entries) {
            return Err(bad_zip(
                &name,
                format!("it holds more than {} entries (limit)", limits.max_entries),
            ));
        }
        let archive = ZipArchive::new(shared).map_err(|e| bad_zip(&name, e))?;
        let plan = plan(&archive, &module.zip_prefix(), &name, limits)?;
        Ok(Self {
            archive,
            plan,
            name,
            writers: limits.writers,
        })
    }

    /// Files in the zip.
    pub fn files(&self) -> u64 {
        self.plan.len() as u64
    }

    /// Bytes they unpack to.
    pub fn unpacked_bytes(&self) -> u64 {
        self.plan.iter().map(|p| p.size).sum()
    }

    /// Reads every file (checking its size and CRC) and computes the
    /// module's `h1:` hash; writes nothing.
    pub fn hash(&self) -> Result<ZipHashes> {
        let each = |i: usize, a: &mut ZipArchive<SharedFile>, bufs: &mut Buffers| {
            stream_entry(a, &self.plan[i], &self.name, &mut bufs.0, &mut |_| Ok(()))
        };
        let done = each_entry(&self.archive, &self.plan, &self.name, self.writers, &each)?;
        let mut sha256 = vec![[0u8; 32]; self.plan.len()];
        for (i, sha) in done {
            sha256[i] = sha;
        }
        let mut digests: Vec<FileDigest> = self
            .plan
            .iter()
            .zip(&sha256)
            .map(|(p, s)| (p.zip_name.clone(), *s))
            .collect();
        let h1 = hash1(&mut digests).map_err(|e| bad_zip(&self.name, e))?;
        Ok(ZipHashes { h1, sha256 })
    }

    /// Unpacks the zip into `dest` (an empty directory that becomes the
    /// GOROOT): each file must have the content `hashes` (of this zip)
    /// recorded, so what is written is what was verified. With `store`,
    /// files are linked from it where it has the content, else written
    /// read-only; without, written with Go's modes. `src/go.mod` comes
    /// last. On error `dest` may hold part of the files: the caller removes
    /// it.
    pub fn unpack(
        &self,
        dest: &Path,
        hashes: &ZipHashes,
        store: Option<&Store>,
    ) -> Result<UnpackedZip> {
        if hashes.sha256.len() != self.plan.len() {
            return Err(bad_zip(&self.name, "its hashes are of another zip"));
        }
        let dirs: BTreeSet<&str> = self
            .plan
            .iter()
            .filter_map(|p| p.rel.rsplit_once('/').map(|(d, _)| d))
            .collect();
        for d in dirs {
            let path = dest.join(d);
            fs::create_dir_all(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        }
        let last = self.plan.iter().position(|p| p.rel == "src/go.mod");
        let ctx = (dest, self.name.as_str(), store);
        let each = |i: usize, a: &mut ZipArchive<SharedFile>, bufs: &mut Buffers| {
            if Some(i) == last {
                return Ok(None);
            }
            place_entry(a, &self.plan[i], ctx, hashes.sha256[i], bufs).map(Some)
        };
        let done = each_entry(&self.archive, &self.plan, &self.name, self.writers, &each)?;
        let mut out = UnpackedZip::default();
        let mut placed: Vec<(usize, Key, Placed)> = done
            .into_iter()
            .filter_map(|(i, r)| r.map(|(k, p)| (i, k, p)))
            .collect();
        if let Some(i) = last {
            let mut archive = self.archive.clone();
            let (k, p) = place_entry(
                &mut archive,
                &self.plan[i],
                ctx,
                hashes.sha256[i],
                &mut Buffers::default(),
            )?;
            placed.push((i, k, p));
        }
        for (i, key, how) in placed {
            let p = &self.plan[i];
            match how {
                Placed::Linked => {
                    out.linked_files += 1;
                    out.linked_bytes += p.size;
                }
                Placed::Written => out.fresh.push((key, dest.join(&p.rel))),
                Placed::Copied => {}
            }
            out.files.push(FileEntry {
                path: p.rel.clone(),
                sha256: key.sha256,
                executable: key.executable,
                size: p.size,
            });
        }
        out.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

/// Unpacks the toolchain module zip at `zip_path` into `dest` (an empty
/// directory that becomes the GOROOT) and returns its `h1:` hash: the
/// policy check, [`CheckedZip::hash`] and [`CheckedZip::unpack`] (files
/// written with Go's modes) in one call, for callers that check the hash
/// afterwards. On error `dest` may hold part of the files: the caller
/// removes it.
pub fn extract_toolchain_zip(
    zip_path: &Path,
    module: &ToolchainModule,
    dest: &Path,
    limits: &ZipLimits,
) -> Result<Unzipped> {
    let zip = CheckedZip::open(zip_path, module, limits)?;
    let hashes = zip.hash()?;
    zip.unpack(dest, &hashes, None)?;
    Ok(Unzipped {
        h1: hashes.h1,
        files: zip.files(),
        bytes: zip.unpacked_bytes(),
    })
}

#[cfg(test)]
mod tests;
