//! A Go module proxy and checksum database on 127.0.0.1 for tests.
//!
//! It serves `golang.org/toolchain` (`@v/list`, `.info`, `.mod`, `.zip`)
//! built from a real release archive, and a checksum database named
//! [`DB_NAME`] under `<proxy>/sumdb/<name>/` (`supported`, `latest`,
//! `lookup/…`, `tile/8/…`, `tile/8/data/…`), laid out as sum.golang.org
//! serves it. The log is built here with its own RFC 6962 code and signed
//! with a test key (a fixed Ed25519 seed): tens of thousands of filler
//! modules around the toolchain's record at [`TOOLCHAIN_AT`], so that the
//! record sits in a full level-0 tile (`tile/8/0/001`) far from the right
//! edge, under a full level-1 tile (see [`Shape`]).
//!
//! Every [`Variant`] is served at its own prefix of one server
//! (`http://127.0.0.1:PORT/<variant>/`), so one test can point GOPROXY
//! and GOSUMDB at a good database and then at a misbehaving one. A log of
//! requests tells what clients fetched.
//!
//! (`crate::support::goproxy` in the end-to-end test binary.)

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest, Sha256};

use super::mirror::base64;

/// The checksum database's name (its key's name).
pub const DB_NAME: &str = "sum.gover.test";
/// Where the toolchain's record sits: in the full tile `tile/8/0/001`.
pub const TOOLCHAIN_AT: u64 = 300;

/// The sizes of the logs served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Records in the good log.
    pub size: u64,
    /// The size of the older tree head [`Variant::OlderHead`] serves.
    pub older: u64,
    /// Where [`Variant::Forked`]'s log departs from the good one.
    pub fork_from: u64,
    /// The size of the forked tree.
    pub fork_size: u64,
}

impl Default for Shape {
    /// 66,112 records (2^16 + 2^9 + 2^6): the toolchain's record in the
    /// full `tile/8/0/001` under the full `tile/8/1/000`, far from the
    /// right edge. Each tree here is made of exactly as many perfect
    /// subtrees as it has edge tiles, the shape in which go1.21 and go1.22
    /// check every tile they read (their tile reader starts checking the
    /// other tiles at the number of subtrees, not of edge tiles, and so
    /// skips some when a tile holds several subtrees).
    fn default() -> Self {
        Self {
            size: 66_112,
            older: 65_600,
            fork_from: 66_100,
            fork_size: 66_176,
        }
    }
}

impl Shape {
    /// 70,000 records (six perfect subtrees in three edge tiles): the shape
    /// in which go1.21's and go1.22's tile reader checks none of the tiles
    /// off the right edge, and so accepts a forged record.
    pub fn many_subtrees() -> Self {
        Self {
            size: 70_000,
            older: 69_888,
            fork_from: 69_950,
            fork_size: 70_100,
        }
    }
}

/// The toolchain module's go.mod.
pub const GO_MOD: &str = "module golang.org/toolchain\n";

type Hash = [u8; 32];

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The h1: hash of (name, sha256) pairs (golang.org/x/mod/sumdb/dirhash).
pub fn hash1(files: &[(String, Hash)]) -> String {
    let mut files: Vec<&(String, Hash)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (name, sum) in files {
        h.update(format!("{}  {name}\n", hex(sum)).as_bytes());
    }
    format!("h1:{}", base64(&h.finalize()))
}

/// A toolchain module zip, and what is needed to serve and tamper with it.
pub struct ModuleZip {
    /// `v0.0.1-go1.22.10.linux-amd64`.
    pub version: String,
    /// The zip.
    pub bytes: Arc<Vec<u8>>,
    /// Its h1: hash.
    pub h1: String,
    /// Names and sha256 of its files.
    pub files: Vec<(String, Hash)>,
}

/// The module version of `toolchain` (`go1.22.10`) on this machine.
pub fn host_module_version(toolchain: &str) -> String {
    let (os, arch) = super::mirror::host_platform();
    let arch = if arch == "armv6l" { "arm" } else { arch };
    format!("v0.0.1-{toolchain}.{os}-{arch}")
}

/// The module zip of the release archive `archive` (`go/…` tarball),
/// built as Go's distribution builds it: `api/`, `doc/`, `misc/`, `test/`
/// left out, names prefixed `golang.org/toolchain@<version>/`, `go.mod`
/// renamed `_go.mod`, sorted; files stored (not deflated) to keep test
/// builds quick. Built once per archive per test process.
pub fn module_zip(archive: &Path, toolchain: &str) -> Arc<ModuleZip> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<ModuleZip>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut c = cache.lock().unwrap();
    c.entry(archive.to_path_buf())
        .or_insert_with(|| {
            Arc::new(build_module_zip(
                archive,
                toolchain,
                zip::CompressionMethod::Stored,
            ))
        })
        .clone()
}

/// [`module_zip`] with its files deflated, as Go's distribution builds
/// it (for benchmarks: slower to build, the size a proxy really serves).
pub fn deflated_module_zip(archive: &Path, toolchain: &str) -> ModuleZip {
    build_module_zip(archive, toolchain, zip::CompressionMethod::Deflated)
}

fn build_module_zip(archive: &Path, toolchain: &str, method: zip::CompressionMethod) -> ModuleZip {
    let version = host_module_version(toolchain);
    let prefix = format!("golang.org/toolchain@{version}/");
    let gz = flate2::read::GzDecoder::new(File::open(archive).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let Some(rel) = path.strip_prefix("go/") else {
            continue;
        };
        let top = rel.split('/').next().unwrap();
        if ["api", "doc", "misc", "test"].contains(&top) {
            continue;
        }
        let rel = match rel.strip_suffix("go.mod") {
            Some(d) if d.is_empty() || d.ends_with('/') => format!("{d}_go.mod"),
            _ => rel.to_string(),
        };
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        files.push((format!("{prefix}{rel}"), data));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (name, data) in &files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let digests: Vec<(String, Hash)> = files
        .iter()
        .map(|(n, d)| (n.clone(), sha256(&[d])))
        .collect();
    ModuleZip {
        h1: hash1(&digests),
        version,
        bytes: Arc::new(bytes),
        files: digests,
    }
}

/// `zip` with one file added (`bin/evil`): what a hostile proxy would
/// serve, with its own (different) h1.
pub fn tampered(zip: &ModuleZip) -> ModuleZip {
    let mut r = zip::ZipArchive::new(Cursor::new(zip.bytes.as_slice())).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..r.len() {
        w.raw_copy_file(r.by_index_raw(i).unwrap()).unwrap();
    }
    let name = format!("golang.org/toolchain@{}/bin/evil", zip.version);
    let evil = b"#!/bin/sh\necho pwned\n";
    w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(evil).unwrap();
    let mut files = zip.files.clone();
    files.push((name, sha256(&[evil])));
    ModuleZip {
        version: zip.version.clone(),
        bytes: Arc::new(w.finish().unwrap().into_inner()),
        h1: hash1(&files),
        files,
    }
}

/// What [`with_entry`] adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra<'a> {
    /// A regular file with this content.
    File(&'a [u8]),
    /// A symbolic link to this target.
    Symlink(&'a str),
}

/// `zip` with one more entry named `name` below its prefix (`bin/evil`,
/// `../../evil`): a hostile zip, served with a record of its own hash, so
/// only gover's unpacking policy stands in its way.
pub fn with_entry(zip: &ModuleZip, name: &str, extra: Extra<'_>) -> ModuleZip {
    let mut r = zip::ZipArchive::new(Cursor::new(zip.bytes.as_slice())).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..r.len() {
        w.raw_copy_file(r.by_index_raw(i).unwrap()).unwrap();
    }
    let name = format!("golang.org/toolchain@{}/{name}", zip.version);
    let opts = zip::write::SimpleFileOptions::default();
    let data = match extra {
        Extra::File(data) => {
            w.start_file(name.as_str(), opts).unwrap();
            w.write_all(data).unwrap();
            data.to_vec()
        }
        Extra::Symlink(target) => {
            w.add_symlink(name.as_str(), target, opts).unwrap();
            target.as_bytes().to_vec()
        }
    };
    let mut files = zip.files.clone();
    files.push((name, sha256(&[&data])));
    ModuleZip {
        version: zip.version.clone(),
        bytes: Arc::new(w.finish().unwrap().into_inner()),
        h1: hash1(&files),
        files,
    }
}

/// A transparency log: records and every complete node, level by level.
pub struct Log {
    records: Vec<String>,
    levels: Vec<Vec<Hash>>,
}

impl Log {
    /// The log of `records`.
    pub fn new(records: Vec<String>) -> Self {
        let mut levels = vec![records
            .iter()
            .map(|r| sha256(&[&[0], r.as_bytes()]))
            .collect::<Vec<_>>()];
        while levels.last().unwrap().len() > 1 {
            let next = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|p| sha256(&[&[1], &p[0], &p[1]]))
                .collect();
            levels.push(next);
        }
        Self { records, levels }
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.records.len() as u64
    }

    /// RFC 6962 hash of records `lo..hi`.
    fn mth(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.levels[n.trailing_zeros() as usize][(lo / n) as usize];
        }
        let k = 1u64 << (63 - (n - 1).leading_zeros());
        sha256(&[&[1], &self.mth(lo, lo + k), &self.mth(lo + k, hi)])
    }

    /// The root hash of the first `size` records.
    pub fn root(&self, size: u64) -> Hash {
        self.mth(0, size)
    }

    /// Tile `tile/8/<level>/<index>` of `width` hashes, if the tree of
    /// `size` records holds all of them.
    pub fn tile(&self, size: u64, level: u32, index: u64, width: u64) -> Option<Vec<u8>> {
        let first = index * 256;
        if ((first + width) << (8 * level)) > size {
            return None;
        }
        let nodes = self.levels.get(8 * level as usize)?;
        Some(nodes[first as usize..(first + width) as usize].concat())
    }

    /// Data tile `tile/8/data/<index>`: the records' texts separated by
    /// blank lines, as sum.golang.org serves them.
    pub fn data_tile(&self, size: u64, index: u64, width: u64) -> Option<Vec<u8>> {
        let first = index * 256;
        if first + width > size {
            return None;
        }
        let texts = &self.records[first as usize..(first + width) as usize];
        Some(texts.join("\n").into_bytes())
    }
}

/// A note signer: a name and an Ed25519 key from a fixed seed.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    /// The signer for `name` with the key from `seed`.
    pub fn new(name: &str, seed: u8) -> Self {
        Self {
            name: name.to_string(),
            key: SigningKey::from_bytes(&[seed; 32]),
        }
    }

    fn encoded_key(&self) -> Vec<u8> {
        let mut k = vec![1u8];
        k.extend_from_slice(self.key.verifying_key().as_bytes());
        k
    }

    /// The key hash: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key), first 4 bytes.
    pub fn key_hash(&self) -> [u8; 4] {
        let h = sha256(&[self.name.as_bytes(), b"\n", &self.encoded_key()]);
        [h[0], h[1], h[2], h[3]]
    }

    /// The verifier key `<name>+<hash>+<base64 key>`, as GOSUMDB takes it.
    pub fn vkey(&self) -> String {
        format!(
            "{}+{}+{}",
            self.name,
            hex(&self.key_hash()),
            base64(&self.encoded_key())
        )
    }

    /// `text` signed: the text, a blank line, `— <name> <base64 sig>`.
    pub fn sign(&self, text: &str) -> String {
        let mut sig = self.key_hash().to_vec();
        sig.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        format!("{text}\n\u{2014} {} {}\n", self.name, base64(&sig))
    }
}

/// The tree head note text for `size` records with hash `root`.
pub fn tree_text(size: u64, root: &Hash) -> String {
    format!("go.sum database tree\n{size}\n{}\n", base64(root))
}

/// What the proxy and database do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Everything as it should be.
    Good,
    /// The toolchain's record (and the zip) replaced by a tampered one,
    /// the record's hash put in its own full level-0 tile: that tile is the
    /// only one that does not fit (its parent, the level-1 tile, is intact).
    ForgedRecord,
    /// As [`Variant::ForgedRecord`], and the level-1 tile rewritten to
    /// fit the forged level-0 tile: now it does not hash to its parent.
    ForgedParentTile,
    /// The good log as it was at [`Shape::older`] records: an older signed
    /// head, and only that tree's tiles (a database gone back in time).
    OlderHead,
    /// Another history from record [`Shape::fork_from`] on,
    /// [`Shape::fork_size`] records, validly signed: a fork. A split view:
    /// the good tree's edge tiles (what a client that stored the good head
    /// checks it against) are still served as they were; every other tile
    /// is the fork's.
    Forked,
    /// The good tree head with a signature that does not verify.
    BadSignature,
    /// The good tree head signed by another key under the same name.
    UnknownKey,
    /// Every request answered with this status.
    Status(u16),
    /// Every request left unanswered (a timeout).
    Stall,
}

impl Variant {
    /// Every variant that serves a database.
    pub const ALL: [Variant; 7] = [
        Variant::Good,
        Variant::ForgedRecord,
        Variant::ForgedParentTile,
        Variant::OlderHead,
        Variant::Forked,
        Variant::BadSignature,
        Variant::UnknownKey,
    ];

    fn prefix(&self) -> String {
        match self {
            Variant::Good => "good".into(),
            Variant::ForgedRecord => "forged-record".into(),
            Variant::ForgedParentTile => "forged-parent-tile".into(),
            Variant::OlderHead => "older-head".into(),
            Variant::Forked => "forked".into(),
            Variant::BadSignature => "bad-signature".into(),
            Variant::UnknownKey => "unknown-key".into(),
            Variant::Status(s) => format!("status-{s}"),
            Variant::Stall => "stall".into(),
        }
    }

    fn from_prefix(p: &str) -> Option<Self> {
        if let Some(s) = p.strip_prefix("status-") {
            return s.parse().ok().map(Variant::Status);
        }
        if p == "stall" {
            return Some(Variant::Stall);
        }
        Variant::ALL.into_iter().find(|v| v.prefix() == p)
    }

    fn forged(&self) -> bool {
        matches!(self, Variant::ForgedRecord | Variant::ForgedParentTile)
    }
}

/// A served request.
#[derive(Clone, Debug)]
pub struct Served {
    /// The path, without the variant prefix.
    pub path: String,
    pub variant: String,
    pub status: u16,
}

struct State {
    shape: Shape,
    zip: Arc<ModuleZip>,
    tampered: ModuleZip,
    good: Log,
    forked: Log,
    signer: NoteSigner,
    impostor: NoteSigner,
    record: String,
    forged_record: String,
    log: Mutex<Vec<Served>>,
}

/// The toolchain's record text: the zip's and the go.mod's hashes.
fn record_text(version: &str, zip_h1: &str) -> String {
    let mod_h1 = hash1(&[("go.mod".to_string(), sha256(&[GO_MOD.as_bytes()]))]);
    format!(
        "golang.org/toolchain {version} {zip_h1}\ngolang.org/toolchain {version}/go.mod {mod_h1}\n"
    )
}

/// `n` records: fillers, the toolchain's record at [`TOOLCHAIN_AT`], and
/// from `fork_from` on other fillers.
fn records(n: u64, toolchain: &str, fork_from: u64) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i == TOOLCHAIN_AT {
                return toolchain.to_string();
            }
            let m = if i >= fork_from {
                format!("example.com/fork/m{i}")
            } else {
                format!("example.com/filler/m{i}")
            };
            let h = |s: &str| base64(&sha256(&[s.as_bytes()]));
            format!(
                "{m} v1.0.0 h1:{}\n{m} v1.0.0/go.mod h1:{}\n",
                h(&format!("{m} zip")),
                h(&format!("{m} mod"))
            )
        })
        .collect()
}

impl State {
    fn log_of(&self, v: Variant) -> &Log {
        if v == Variant::Forked {
            &self.forked
        } else {
            &self.good
        }
    }

    fn size_of(&self, v: Variant) -> u64 {
        match v {
            Variant::OlderHead => self.shape.older,
            Variant::Forked => self.shape.fork_size,
            _ => self.shape.size,
        }
    }

    fn head(&self, v: Variant) -> String {
        let size = self.size_of(v);
        let text = tree_text(size, &self.log_of(v).root(size));
        match v {
            Variant::UnknownKey => self.impostor.sign(&text),
            Variant::BadSignature => {
                let note = self.signer.sign(&text);
                // Change one base64 digit well inside the signature.
                let at = note.rfind(' ').unwrap() + 30;
                let c = if &note[at..at + 1] == "A" { "B" } else { "A" };
                format!("{}{c}{}", &note[..at], &note[at + 1..])
            }
            _ => self.signer.sign(&text),
        }
    }

    fn forged_leaf(&self) -> Hash {
        sha256(&[&[0], self.forged_record.as_bytes()])
    }

    /// Tile data with the forgeries of `v` applied.
    fn tile(&self, v: Variant, level: u32, index: u64, width: u64) -> Option<Vec<u8>> {
        let good_edge = self.shape.size >> (8 * level);
        if v == Variant::Forked && index == good_edge >> 8 && width == good_edge & 255 {
            return self.good.tile(self.shape.size, level, index, width);
        }
        let size = self.size_of(v);
        let mut data = self.log_of(v).tile(size, level, index, width)?;
        if !v.forged() {
            return Some(data);
        }
        let full0 = |s: &Self| {
            let mut d = s
                .good
                .tile(s.shape.size, 0, TOOLCHAIN_AT / 256, 256)
                .unwrap();
            let at = (TOOLCHAIN_AT % 256) as usize * 32;
            d[at..at + 32].copy_from_slice(&s.forged_leaf());
            d
        };
        if level == 0 && index == TOOLCHAIN_AT / 256 {
            data = full0(self)[..width as usize * 32].to_vec();
        }
        if v == Variant::ForgedParentTile && level == 1 && index == TOOLCHAIN_AT >> 16 {
            let at = ((TOOLCHAIN_AT >> 8) % 256) as usize * 32;
            let h = merkle(&full0(self));
            if at < data.len() {
                data[at..at + 32].copy_from_slice(&h);
            }
        }
        Some(data)
    }

    fn route(&self, v: Variant, path: &str) -> Option<Arc<Vec<u8>>> {
        let zip = if v.forged() {
            &self.tampered
        } else {
            &*self.zip
        };
        let at_v = |ext: &str| format!("golang.org/toolchain/@v/{}.{ext}", zip.version);
        let small = |s: String| Some(Arc::new(s.into_bytes()));
        if path == "golang.org/toolchain/@v/list" {
            return small(format!("{}\n", zip.version));
        }
        if path == at_v("info") {
            return small(format!(
                "{{\"Version\":\"{}\",\"Time\":\"2024-12-03T00:00:00Z\"}}\n",
                zip.version
            ));
        }
        if path == at_v("mod") {
            return small(GO_MOD.to_string());
        }
        if path == at_v("zip") {
            return Some(zip.bytes.clone());
        }
        let db = path.strip_prefix(&format!("sumdb/{DB_NAME}/"))?;
        match db {
            "supported" => return small(String::new()),
            "latest" => return small(self.head(v)),
            _ => {}
        }
        if db == format!("lookup/golang.org/toolchain@{}", zip.version) {
            let text = if v.forged() {
                &self.forged_record
            } else {
                &self.record
            };
            return small(format!("{TOOLCHAIN_AT}\n{text}\n{}", self.head(v)));
        }
        let (level, index, width) = parse_tile(db.strip_prefix("tile/8/")?)?;
        match level {
            None => self.log_of(v).data_tile(self.size_of(v), index, width),
            Some(l) => self.tile(v, l, index, width),
        }
        .map(Arc::new)
    }
}

/// Merkle hash of a power-of-two run of hashes.
fn merkle(data: &[u8]) -> Hash {
    if data.len() == 32 {
        return data.try_into().unwrap();
    }
    let h = data.len() / 2;
    sha256(&[&[1], &merkle(&data[..h]), &merkle(&data[h..])])
}

/// Parses `<L|data>/<x001/…/NNN>[.p/<W>]`: (level or None for data, index, width).
pub fn parse_tile(p: &str) -> Option<(Option<u32>, u64, u64)> {
    let (level, rest) = p.split_once('/')?;
    let level = if level == "data" {
        None
    } else {
        Some(level.parse().ok()?)
    };
    let (groups, width) = match rest.split_once(".p/") {
        Some((g, w)) => (g, w.parse().ok().filter(|w| (1..256).contains(w))?),
        None => (rest, 256),
    };
    let parts: Vec<&str> = groups.split('/').collect();
    let mut index = 0u64;
    for (i, g) in parts.iter().enumerate() {
        let digits = if i + 1 < parts.len() {
            g.strip_prefix('x')?
        } else {
            g
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        index = index * 1000 + digits.parse::<u64>().ok()?;
    }
    Some((level, index, width))
}

/// The running proxy and database; stops when dropped.
pub struct GoProxy {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl GoProxy {
    /// Serves `zip` as the toolchain module, with logs of the default
    /// [`Shape`] built around its record.
    pub fn start(zip: Arc<ModuleZip>) -> Self {
        Self::start_with(zip, Shape::default())
    }

    /// Serves `zip` with logs of `shape`.
    pub fn start_with(zip: Arc<ModuleZip>, shape: Shape) -> Self {
        let tampered = tampered(&zip);
        let record = record_text(&zip.version, &zip.h1);
        let forged_record = record_text(&zip.version, &tampered.h1);
        let state = Arc::new(State {
            shape,
            good: Log::new(records(shape.size, &record, u64::MAX)),
            forked: Log::new(records(shape.fork_size, &record, shape.fork_from)),
            signer: NoteSigner::new(DB_NAME, 42),
            impostor: NoteSigner::new(DB_NAME, 43),
            zip,
            tampered,
            record,
            forged_record,
            log: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (st, sp) = (st.clone(), sp.clone());
                thread::spawn(move || handle(conn, &st, &sp));
            }
        });
        Self { addr, state, stop }
    }

    /// The GOPROXY URL of `v`: `http://127.0.0.1:PORT/<variant>`.
    pub fn proxy_url(&self, v: Variant) -> String {
        format!("http://{}/{}", self.addr, v.prefix())
    }

    /// The database's URL in `v`: `<proxy>/sumdb/<name>`.
    pub fn sumdb_url(&self, v: Variant) -> String {
        format!("{}/sumdb/{DB_NAME}", self.proxy_url(v))
    }

    /// The database's verifier key.
    pub fn vkey(&self) -> String {
        self.state.signer.vkey()
    }

    /// GOSUMDB naming the database by key and URL in `v`.
    pub fn gosumdb(&self, v: Variant) -> String {
        format!("{} {}", self.vkey(), self.sumdb_url(v))
    }

    /// The module zip served (in the good variants).
    pub fn zip(&self) -> &ModuleZip {
        &self.state.zip
    }

    /// The tampered zip the forged variants serve.
    pub fn tampered_zip(&self) -> &ModuleZip {
        &self.state.tampered
    }

    /// The sizes of its logs.
    pub fn shape(&self) -> Shape {
        self.state.shape
    }

    /// The toolchain's record text in the good log.
    pub fn record(&self) -> &str {
        &self.state.record
    }

    /// The signed tree head `v` serves.
    pub fn head(&self, v: Variant) -> String {
        self.state.head(v)
    }

    /// The body `v` serves at `path` (below the variant prefix).
    pub fn body(&self, v: Variant, path: &str) -> Option<Arc<Vec<u8>>> {
        self.state.route(v, path)
    }

    /// Requests so far.
    pub fn requests(&self) -> Vec<Served> {
        self.state.log.lock().unwrap().clone()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

impl Drop for GoProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn handle(conn: TcpStream, state: &State, stop: &AtomicBool) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").trim_start_matches('/');
    let (prefix, path) = target.split_once('/').unwrap_or((target, ""));
    let variant = Variant::from_prefix(prefix);
    let body = match variant {
        Some(Variant::Status(_) | Variant::Stall) | None => None,
        Some(v) => state.route(v, path),
    };
    let status = match (variant, &body) {
        (Some(Variant::Status(s)), _) => s,
        (Some(Variant::Stall), _) => 0,
        (_, Some(_)) => 200,
        (_, None) => 404,
    };
    state.log.lock().unwrap().push(Served {
        path: path.to_string(),
        variant: prefix.to_string(),
        status,
    });
    let mut conn = conn;
    if status == 0 {
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    let body =
        body.unwrap_or_else(|| Arc::new(format!("{status} {path}: not found\n").into_bytes()));
    let reason = if status == 200 { "OK" } else { "Error" };
    let _ = write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        let _ = conn.write_all(&body);
    }
    let _ = conn.flush();
}

/// GETs `url` (an `http://127.0.0.1:…` URL): the status and body.
pub fn http_get(url: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)?;
    let head_end = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP head"))?;
    let head = String::from_utf8_lossy(&all[..head_end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, all[head_end + 4..].to_vec()))
}
