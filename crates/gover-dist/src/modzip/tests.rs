use super::*;
use std::io::Cursor;
use std::os::unix::fs::PermissionsExt;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

fn module() -> ToolchainModule {
    ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap()
}

const P: &str = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/";

enum E<'a> {
    File(&'a str, &'a [u8]),
    Stored(&'a str, &'a [u8]),
    Dir(&'a str),
    Link(&'a str, &'a str),
}

fn build(entries: &[E<'_>]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for e in entries {
        match e {
            E::File(n, d) => {
                w.start_file(*n, opts).unwrap();
                w.write_all(d).unwrap();
            }
            E::Stored(n, d) => {
                w.start_file(*n, opts.compression_method(CompressionMethod::Stored))
                    .unwrap();
                w.write_all(d).unwrap();
            }
            E::Dir(n) => w.add_directory(*n, opts).unwrap(),
            E::Link(n, t) => w.add_symlink(*n, *t, opts).unwrap(),
        }
    }
    w.finish().unwrap().into_inner()
}

/// A tiny toolchain zip laid out as Go's distribution lays it out.
fn good() -> Vec<(String, Vec<u8>)> {
    [
        ("VERSION", &b"go1.22.10\ntime 2024-12-03T00:00:00Z\n"[..]),
        ("bin/go", b"\x7fELF go"),
        ("bin/gofmt", b"\x7fELF gofmt"),
        ("pkg/tool/linux_amd64/compile", b"\x7fELF compile"),
        ("src/make.bash", b"#!/bin/bash\n"),
        ("src/_go.mod", b"module std\n"),
        ("src/cmd/_go.mod", b"module cmd\n"),
        ("src/fmt/print.go", b"package fmt\n"),
        ("lib/wasm/go_js_wasm_exec", b"#!/bin/sh\n"),
        ("lib/time/zoneinfo.zip", &[0u8; 3000][..]),
    ]
    .iter()
    .map(|(n, d)| (format!("{P}{n}"), d.to_vec()))
    .collect()
}

fn write_zip(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join("m.zip");
    fs::write(&p, bytes).unwrap();
    p
}

/// Extracts `bytes` into `<tmp>/root/goroot`; `<tmp>/root` must end up
/// holding nothing else.
fn run(bytes: &[u8], limits: &ZipLimits) -> (tempfile::TempDir, Result<Unzipped>) {
    let t = tempfile::tempdir().unwrap();
    let zip = write_zip(t.path(), bytes);
    let root = t.path().join("root");
    let dest = root.join("goroot");
    fs::create_dir_all(&dest).unwrap();
    let r = extract_toolchain_zip(&zip, &module(), &dest, limits);
    let names: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["goroot"],
        "nothing is written beside the destination"
    );
    (t, r)
}

#[test]
fn a_toolchain_zip_unpacks_to_a_goroot_with_go_modes_and_hash() {
    let files = good();
    let entries: Vec<E<'_>> = files.iter().map(|(n, d)| E::File(n, d)).collect();
    let (t, r) = run(&build(&entries), &ZipLimits::default());
    let u = r.unwrap();
    let g = t.path().join("root/goroot");
    assert_eq!(u.files, 10);
    assert_eq!(
        u.bytes,
        files.iter().map(|(_, d)| d.len() as u64).sum::<u64>()
    );
    assert_eq!(fs::read(g.join("src/go.mod")).unwrap(), b"module std\n");
    assert_eq!(fs::read(g.join("src/cmd/go.mod")).unwrap(), b"module cmd\n");
    assert!(!g.join("src/_go.mod").exists());
    assert_eq!(fs::read(g.join("bin/go")).unwrap(), b"\x7fELF go");
    let mode = |p: &str| fs::metadata(g.join(p)).unwrap().permissions().mode() & 0o777;
    // The umask may take bits away, never add them.
    for x in [
        "bin/go",
        "bin/gofmt",
        "pkg/tool/linux_amd64/compile",
        "src/make.bash",
        "lib/wasm/go_js_wasm_exec",
    ] {
        assert_eq!(mode(x) & 0o100, 0o100, "{x}");
    }
    for x in [
        "VERSION",
        "src/go.mod",
        "src/fmt/print.go",
        "lib/time/zoneinfo.zip",
    ] {
        assert_eq!(mode(x) & 0o111, 0, "{x}");
    }
    // The hash is the module's: over the zip's names, and equal to the
    // hash of the unpacked tree named as the zip names it.
    let mut want: Vec<FileDigest> = files
        .iter()
        .map(|(n, d)| (n.clone(), Sha256::digest(d).into()))
        .collect();
    assert_eq!(u.h1, hash1(&mut want).unwrap());
    assert_eq!(
        u.h1,
        gover_trust::dirhash::hash_goroot(&g, &module(), &|_| false).unwrap()
    );
    // src/go.mod, Go's "done" marker, is written last.
    let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
    let marker = mtime(&g.join("src/go.mod"));
    for (n, _) in &files {
        let rel = n.strip_prefix(P).unwrap().replace("_go.mod", "go.mod");
        assert!(mtime(&g.join(&rel)) <= marker, "{rel}");
    }
}

#[test]
fn a_single_writer_gives_the_same_tree_and_hash() {
    let files = good();
    let entries: Vec<E<'_>> = files.iter().map(|(n, d)| E::Stored(n, d)).collect();
    let bytes = build(&entries);
    let one = ZipLimits {
        writers: 1,
        ..ZipLimits::default()
    };
    let (_t1, a) = run(&bytes, &one);
    let (_t2, b) = run(&bytes, &ZipLimits::default());
    assert_eq!(a.unwrap(), b.unwrap());
}

fn refused(entries: &[E<'_>], limits: &ZipLimits) -> String {
    let (_t, r) = run(&build(entries), limits);
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadArchive, "{e}");
    e.to_string()
}

#[test]
fn hostile_names_are_refused_before_anything_is_written() {
    let d = ZipLimits::default();
    let ok = format!("{P}VERSION");
    let cases: Vec<(String, &str)> = vec![
        (format!("{P}../evil"), "has a `..` component"),
        (format!("{P}src/../../evil"), "has a `..` component"),
        (format!("{P}/etc/passwd"), "has an absolute path"),
        (
            "/etc/passwd".into(),
            "lies outside golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/",
        ),
        (
            "golang.org/toolchain@v0.0.1-go1.22.9.linux-amd64/VERSION".into(),
            "lies outside",
        ),
        ("evil".into(), "lies outside"),
        (format!("{P}src/./x"), "dots"),
        (format!("{P}src/x."), "dots"),
        (format!("{P}src\\..\\x"), "character Go does not allow"),
        (format!("{P}src/a\u{1}b"), "character Go does not allow"),
        (format!("{P}src/a*b"), "character Go does not allow"),
        (format!("{P}src/go.mod"), "is a go.mod"),
        (format!("{P}src/GO.MOD"), "is a go.mod"),
        (format!("{P}src/aux.go"), "Windows reserves"),
    ];
    for (name, why) in cases {
        let msg = refused(&[E::File(&ok, b"x"), E::File(&name, b"evil")], &d);
        assert!(msg.contains(why), "{name}: {msg}");
        assert!(msg.starts_with("refusing to unpack the module zip of golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64: entry `"), "{msg}");
    }
}

#[test]
fn links_directories_and_collisions_are_refused() {
    let d = ZipLimits::default();
    let v = format!("{P}VERSION");
    let msg = refused(
        &[E::File(&v, b"x"), E::Link(&format!("{P}bin/go"), "/bin/sh")],
        &d,
    );
    assert!(msg.contains("is not a regular file"), "{msg}");
    let msg = refused(&[E::File(&v, b"x"), E::Dir(&format!("{P}bin/"))], &d);
    assert!(msg.contains("is a directory entry"), "{msg}");
    let msg = refused(
        &[
            E::File(&format!("{P}src/A.go"), b"a"),
            E::File(&format!("{P}src/a.go"), b"b"),
        ],
        &d,
    );
    assert!(
        msg.contains("collides with `src/A.go` on case-insensitive file systems"),
        "{msg}"
    );
    let msg = refused(
        &[
            E::File(&format!("{P}SRC/x"), b"a"),
            E::File(&format!("{P}src/y"), b"b"),
        ],
        &d,
    );
    assert!(msg.contains("collides with `SRC`"), "{msg}");
    let msg = refused(
        &[
            E::File(&format!("{P}src"), b"a"),
            E::File(&format!("{P}src/y"), b"b"),
        ],
        &d,
    );
    assert!(msg.contains("is both a file and a directory"), "{msg}");
    let msg = refused(
        &[
            E::File(&format!("{P}src/_go.mod"), b"a"),
            E::File(&format!("{P}src/_GO.MOD"), b"b"),
        ],
        &d,
    );
    assert!(msg.contains("collides"), "{msg}");
}

#[test]
fn a_name_twice_is_refused() {
    // Two entries, then the second renamed to the first (a zip writer
    // would refuse to write this).
    let a = format!("{P}src/AAAA");
    let b = format!("{P}src/BBBB");
    let mut bytes = build(&[E::File(&a, b"first"), E::File(&b, b"second")]);
    let (from, to) = (b"src/BBBB", b"src/AAAA");
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    let (_t, r) = run(&bytes, &ZipLimits::default());
    let e = r.unwrap_err();
    assert!(e.to_string().contains("names a file twice"), "{e}");
}

#[test]
fn oversized_and_overfull_zips_fail_fast() {
    let big = vec![0u8; 100_000];
    let names: Vec<String> = (0..20).map(|i| format!("{P}f{i}")).collect();
    let entries: Vec<E<'_>> = names.iter().map(|n| E::File(n, &big)).collect();
    let limits = ZipLimits {
        max_unpacked_bytes: 1_000_000,
        ..ZipLimits::default()
    };
    let msg = refused(&entries, &limits);
    assert!(
        msg.contains("unpacks to more than 1000000 bytes (limit)"),
        "{msg}"
    );
    let limits = ZipLimits {
        max_entries: 19,
        ..ZipLimits::default()
    };
    let msg = refused(&entries, &limits);
    assert!(msg.contains("more than 19 entries"), "{msg}");
    let limits = ZipLimits {
        max_zip_bytes: 1000,
        ..ZipLimits::default()
    };
    let msg = refused(&entries, &limits);
    assert!(msg.contains("more than 1000 (limit)"), "{msg}");
}

/// `bytes` (a zip without a comment) with zip64 end records: the end
/// record's counts say 0xffff and the zip64 end record holds them.
fn to_zip64(bytes: &[u8]) -> Vec<u8> {
    to_zip64_claiming(bytes, None)
}

/// [`to_zip64`], the zip64 end record claiming `count` entries if given.
fn to_zip64_claiming(bytes: &[u8], count: Option<u64>) -> Vec<u8> {
    let eocd = bytes.len() - 22;
    assert_eq!(bytes[eocd..eocd + 4], [0x50, 0x4b, 0x05, 0x06]);
    let u16_at = |at: usize| u64::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()));
    let (real, cd_size, cd_offset) = (u16_at(eocd + 10), u32_at(eocd + 12), u32_at(eocd + 16));
    let mut out = bytes[..eocd].to_vec();
    let z64 = out.len() as u64;
    out.extend_from_slice(&[0x50, 0x4b, 0x06, 0x06]);
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let count = count.unwrap_or(real);
    for v in [count, count, cd_size, cd_offset] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&[0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
    out.extend_from_slice(&z64.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    out.extend_from_slice(&[0xff; 8]);
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn the_declared_entry_count_is_read_from_zip64_end_records_too() {
    let names: Vec<String> = (0..5).map(|i| format!("{P}f{i}")).collect();
    let entries: Vec<E<'_>> = names.iter().map(|n| E::File(n, b"x")).collect();
    let bytes = to_zip64(&build(&entries));
    let t = tempfile::tempdir().unwrap();
    let p = write_zip(t.path(), &bytes);
    let file = File::open(&p).unwrap();
    let len = file.metadata().unwrap().len();
    let mut f = SharedFile::new(file, len);
    assert_eq!(declared_entries(&mut f).unwrap(), Some(5));
    let limits = ZipLimits {
        max_entries: 4,
        ..ZipLimits::default()
    };
    let (_t, r) = run(&bytes, &limits);
    assert!(r.unwrap_err().to_string().contains("more than 4 entries"));
    let (_t, r) = run(&bytes, &ZipLimits::default());
    assert_eq!(r.unwrap().files, 5);
    // A billion entries claimed: refused before the central directory is
    // parsed (whose memory would follow the claim).
    let (_t, r) = run(
        &to_zip64_claiming(&build(&entries), Some(1 << 30)),
        &ZipLimits::default(),
    );
    let e = r.unwrap_err();
    assert!(e.to_string().contains("more than 100000 entries"), "{e}");
}

#[test]
fn damaged_zips_and_lying_sizes_are_refused() {
    let (_t, r) = run(b"this is not a zip", &ZipLimits::default());
    assert!(r
        .unwrap_err()
        .to_string()
        .starts_with("cannot unpack the module zip of"));
    // A stored entry whose content was changed after the CRC was taken.
    let n = format!("{P}VERSION");
    let mut bytes = build(&[E::Stored(&n, b"go1.22.10\n")]);
    let at = bytes.windows(10).position(|w| w == b"go1.22.10\n").unwrap();
    bytes[at] = b'G';
    let (_t, r) = run(&bytes, &ZipLimits::default());
    let e = r.unwrap_err();
    assert!(e.to_string().contains("cannot be read"), "{e}");
    // A stored entry claiming fewer bytes than it holds (both headers).
    let mut bytes = build(&[E::Stored(&n, b"go1.22.10\n")]);
    let len = 10u32.to_le_bytes();
    let mut i = 0;
    while i + 8 <= bytes.len() {
        if bytes[i..i + 4] == len && bytes[i + 4..i + 8] == len {
            bytes[i + 4..i + 8].copy_from_slice(&4u32.to_le_bytes());
        }
        i += 1;
    }
    let (_t, r) = run(&bytes, &ZipLimits::default());
    let e = r.unwrap_err();
    assert!(
        e.to_string()
            .contains("larger than its declared uncompressed size"),
        "{e}"
    );
}

#[test]
fn unpacking_writes_only_what_the_hash_pass_saw_and_streams_large_files() {
    let t = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..(3u32 << 20)).map(|i| (i * 7 % 251) as u8).collect();
    let mut files = good();
    files.push((format!("{P}bin/big"), big.clone()));
    let entries: Vec<E<'_>> = files.iter().map(|(n, d)| E::File(n, d)).collect();
    let zip = write_zip(t.path(), &build(&entries));
    let limits = ZipLimits::default();
    let checked = CheckedZip::open(&zip, &module(), &limits).unwrap();
    let hashes = checked.hash().unwrap();
    let dest = t.path().join("a/go");
    fs::create_dir_all(&dest).unwrap();
    let out = checked.unpack(&dest, &hashes, None).unwrap();
    assert_eq!(fs::read(dest.join("bin/big")).unwrap(), big);
    assert_eq!(out.files.len(), 11);
    assert!(out.files.windows(2).all(|w| w[0].path < w[1].path));
    let (sha, _) = crate::store::hash_file(&dest.join("bin/big")).unwrap();
    assert_eq!(
        out.files
            .iter()
            .find(|f| f.path == "bin/big")
            .unwrap()
            .sha256,
        sha
    );

    // The same names with other content (the zip replaced after it was
    // hashed): refused, naming the entry.
    let mut other = files.clone();
    other.last_mut().unwrap().1[5] ^= 1;
    let entries: Vec<E<'_>> = other.iter().map(|(n, d)| E::File(n, d)).collect();
    let zip2 = t.path().join("other.zip");
    fs::write(&zip2, build(&entries)).unwrap();
    let swapped = CheckedZip::open(&zip2, &module(), &limits).unwrap();
    let dest = t.path().join("b/go");
    fs::create_dir_all(&dest).unwrap();
    let e = swapped.unpack(&dest, &hashes, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("bin/big` changed on disk after it was verified"),
        "{e}"
    );
}
