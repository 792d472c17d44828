//! (`crate::support::archive` in the end-to-end test binary.)
//!
//! Builds `.tar.gz` archives byte by byte for tests, including the hostile
//! ones no well-behaved tar library would write (`..`, absolute paths,
//! links, devices, FIFOs, duplicates, setuid modes, lying sizes).

#![allow(dead_code, unreachable_pub)]

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

/// A tar entry type flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl Kind {
    fn flag(self) -> u8 {
        match self {
            Kind::File => b'0',
            Kind::HardLink => b'1',
            Kind::Symlink => b'2',
            Kind::CharDevice => b'3',
            Kind::BlockDevice => b'4',
            Kind::Dir => b'5',
            Kind::Fifo => b'6',
        }
    }
}

/// One entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub data: Vec<u8>,
    pub link: String,
    /// A size to claim in the header instead of `data.len()` (the data
    /// written is still `data`).
    pub claimed_size: Option<u64>,
}

impl Entry {
    pub fn file(path: &str, mode: u32, data: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            kind: Kind::File,
            mode,
            data: data.into(),
            link: String::new(),
            claimed_size: None,
        }
    }

    pub fn dir(path: &str) -> Self {
        Self {
            path: path.into(),
            kind: Kind::Dir,
            mode: 0o755,
            data: Vec::new(),
            link: String::new(),
            claimed_size: None,
        }
    }

    pub fn special(path: &str, kind: Kind, link: &str) -> Self {
        Self {
            path: path.into(),
            kind,
            mode: 0o777,
            data: Vec::new(),
            link: link.into(),
            claimed_size: None,
        }
    }
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    assert!(
        s.len() <= digits,
        "value {value} does not fit the tar field"
    );
    field[..digits].copy_from_slice(s.as_bytes());
    field[digits] = 0;
}

fn header(e: &Entry) -> [u8; 512] {
    let mut h = [0u8; 512];
    let name = e.path.as_bytes();
    if name.len() <= 100 {
        h[..name.len()].copy_from_slice(name);
    } else {
        // ustar prefix/name split at a slash.
        let cut = name[..name.len().min(155)]
            .iter()
            .rposition(|&b| b == b'/')
            .expect("long path needs a slash");
        h[345..345 + cut].copy_from_slice(&name[..cut]);
        let rest = &name[cut + 1..];
        assert!(rest.len() <= 100, "path too long for ustar");
        h[..rest.len()].copy_from_slice(rest);
    }
    octal(&mut h[100..108], e.mode as u64);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    let size = e.claimed_size.unwrap_or(e.data.len() as u64);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 1_704_067_200);
    h[156] = e.kind.flag();
    let link = e.link.as_bytes();
    h[157..157 + link.len()].copy_from_slice(link);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

/// An uncompressed tar of `entries`, with the two zero blocks at the end.
pub fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&header(e));
        out.extend_from_slice(&e.data);
        let pad = (512 - e.data.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

/// gzip (best compression, like go.dev's archives).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `tar` + `gzip`.
pub fn targz(entries: &[Entry]) -> Vec<u8> {
    gzip(&tar(entries))
}

/// The entries of a tiny fake toolchain for `version` (`1.22.10`), with
/// explicit directory entries as go.dev's archives have.
pub fn toolchain_entries(version: &str) -> Vec<Entry> {
    let files = crate::support::fake_toolchain_files(version);
    let mut out: Vec<Entry> = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for f in &files {
        let mut parts: Vec<&str> = f.path.split('/').collect();
        parts.pop();
        for i in 1..=parts.len() {
            let d = format!("{}/", parts[..i].join("/"));
            if !dirs.contains(&d) {
                dirs.push(d.clone());
                out.push(Entry::dir(&d));
            }
        }
        out.push(Entry::file(&f.path, f.mode, f.contents.clone()));
    }
    out
}

/// A tiny fake toolchain archive for `version`.
pub fn toolchain(version: &str) -> Vec<u8> {
    targz(&toolchain_entries(version))
}

/// A tiny fake toolchain archive for `version` built for the platform
/// whose tools live in `pkg/tool/<tool_dir>` (`linux_arm64`).
pub fn toolchain_for(version: &str, tool_dir: &str) -> Vec<u8> {
    let entries: Vec<Entry> = toolchain_entries(version)
        .into_iter()
        .map(|mut e| {
            e.path = e.path.replace(
                "go/pkg/tool/linux_amd64",
                &format!("go/pkg/tool/{tool_dir}"),
            );
            e
        })
        .collect();
    targz(&entries)
}

/// A fake toolchain archive with `extra` appended to its entries.
pub fn toolchain_with(version: &str, extra: Vec<Entry>) -> Vec<u8> {
    let mut e = toolchain_entries(version);
    e.extend(extra);
    targz(&e)
}

/// `len` bytes that do not compress (a xorshift stream): filler that makes
/// an archive large enough to be caught halfway through its download.
pub fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A fake toolchain archive for `version` with `len` bytes of [`noise`]
/// after its toolchain's entries.
pub fn large_toolchain(version: &str, len: usize) -> Vec<u8> {
    toolchain_with(version, vec![Entry::file("go/filler", 0o644, noise(len))])
}
