//! The `h1:` hash Go records for a module: for the sorted list of file
//! names (with the module's `path@version/` prefix), the lines
//! `<hex sha256 of the content>  <name>\n`; SHA-256 of all lines; `h1:`
//! and the standard base64 of that.
//!
//! [`hash1`] works from names and digests (an extractor computes those as
//! it writes); [`hash_goroot`] walks an unpacked GOROOT and names its files
//! as the toolchain module's zip would, so a tarball install can be checked
//! against the database's record for the module.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{shown, Error, ErrorKind, Result};
use crate::toolchain::ToolchainModule;

/// A file's name (as the hash sees it) and the sha256 of its content.
pub type FileDigest = (String, [u8; 32]);

/// The `h1:` hash of files given by name and sha256. Names are sorted
/// here (byte order, as Go sorts strings); a name with a newline, or a
/// name given twice, is an error.
pub fn hash1(files: &mut [FileDigest]) -> Result<String> {
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    let mut line = String::new();
    for (i, (name, sum)) in files.iter().enumerate() {
        if name.contains('\n') {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("file name `{}` contains a newline", shown(name, 100)),
            ));
        }
        if i > 0 && files[i - 1].0 == *name {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("file `{}` is listed twice", shown(name, 100)),
            ));
        }
        line.clear();
        for b in sum {
            line.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
            line.push(char::from_digit(u32::from(b & 15), 16).expect("nibble"));
        }
        line.push_str("  ");
        line.push_str(name);
        line.push('\n');
        h.update(line.as_bytes());
    }
    Ok(format!("h1:{}", B64.encode(h.finalize())))
}

/// The `h1:` of the toolchain module's go.mod (the same for every
/// version): the hash Go records as `<version>/go.mod`.
pub fn go_mod_hash1() -> String {
    let sum: [u8; 32] = Sha256::digest(crate::toolchain::GO_MOD.as_bytes()).into();
    hash1(&mut [("go.mod".to_string(), sum)]).expect("one plain name")
}

/// Collects the sha256 of a GOROOT's files as an extractor writes them,
/// so the toolchain module's `h1:` comes without reading the tree again
/// (for checking a tarball install against the database's record). Safe
/// to share between writer threads.
pub struct Collector {
    module: ToolchainModule,
    files: Mutex<Vec<FileDigest>>,
}

impl Collector {
    /// A collector for `module`'s files.
    pub fn new(module: ToolchainModule) -> Self {
        Self {
            module,
            files: Mutex::new(Vec::new()),
        }
    }

    /// Records a file written at GOROOT-relative `rel` (`/`-separated)
    /// whose content has `sha256`; files the module leaves out (`api/`,
    /// `doc/`, `misc/`, `test/`) are ignored.
    pub fn add(&self, rel: &str, sha256: [u8; 32]) {
        if let Some(name) = self.module.zip_name(rel) {
            self.files
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((name, sha256));
        }
    }

    /// The `h1:` of the files recorded.
    pub fn finish(self) -> Result<String> {
        let mut files = self.files.into_inner().unwrap_or_else(|p| p.into_inner());
        hash1(&mut files)
    }
}

/// Files of a GOROOT to hash: zip name and path on disk.
fn goroot_files(
    goroot: &Path,
    module: &ToolchainModule,
    ignore: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut dirs = vec![(goroot.to_path_buf(), String::new())];
    while let Some((dir, rel)) = dirs.pop() {
        let rd = fs::read_dir(&dir).map_err(|e| Error::io("cannot read directory", &dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| Error::io("cannot read directory", &dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    format!("{}: a file name is not UTF-8", dir.display()),
                ));
            };
            let rel_name = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if ignore(&rel_name) {
                continue;
            }
            let path = entry.path();
            let ft = entry
                .file_type()
                .map_err(|e| Error::io("cannot stat", &path, e))?;
            if ft.is_dir() {
                if module.zip_name(&format!("{rel_name}/x")).is_some() {
                    dirs.push((path, rel_name));
                }
            } else if ft.is_file() {
                if let Some(zip_name) = module.zip_name(&rel_name) {
                    out.push((zip_name, path));
                }
            } else {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    format!(
                        "{} is not a regular file or directory (official toolchains hold none)",
                        path.display()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn sha256_file(path: &Path, buf: &mut [u8]) -> io::Result<[u8; 32]> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    loop {
        match f.read(buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(h.finalize().into())
}

/// The `h1:` hash of the toolchain module whose files are unpacked in
/// `goroot` (from a release tarball or the module zip): files under
/// `api/`, `doc/`, `misc/`, `test/` are left out, every `go.mod` is named
/// `_go.mod`, names get the module's prefix. `ignore` (given the
/// GOROOT-relative `/`-separated name) skips files the installer added.
/// Symbolic links and other non-regular files are errors. Files are
/// hashed on up to four threads.
pub fn hash_goroot(
    goroot: &Path,
    module: &ToolchainModule,
    ignore: &dyn Fn(&str) -> bool,
) -> Result<String> {
    let files = goroot_files(goroot, module, ignore)?;
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let mut digests: Vec<FileDigest> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut buf = vec![0u8; 256 << 10];
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((name, path)) = files.get(i) else {
                            break;
                        };
                        match sha256_file(path, &mut buf) {
                            Ok(d) => mine.push((name.clone(), d)),
                            Err(e) => {
                                *failure.lock().unwrap_or_else(|p| p.into_inner()) =
                                    Some(Error::io("cannot read", path, e));
                                next.store(files.len(), Ordering::Relaxed);
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    hash1(&mut digests)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(b: &[u8]) -> [u8; 32] {
        Sha256::digest(b).into()
    }

    #[test]
    fn the_toolchain_go_mod_hash_is_the_one_the_database_records() {
        // As recorded by sum.golang.org for every toolchain version.
        assert_eq!(
            go_mod_hash1(),
            "h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0="
        );
    }

    #[test]
    fn hash1_sorts_names_and_refuses_odd_ones() {
        let mut a = vec![
            ("m@v/b".to_string(), sha(b"b")),
            ("m@v/a".to_string(), sha(b"a")),
        ];
        let mut b = vec![a[1].clone(), a[0].clone()];
        let h = hash1(&mut a).unwrap();
        assert_eq!(h, hash1(&mut b).unwrap());
        // By the definition.
        let text = format!(
            "{}  m@v/a\n{}  m@v/b\n",
            sha(b"a")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            sha(b"b")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        assert_eq!(h, format!("h1:{}", B64.encode(sha(text.as_bytes()))));
        assert!(hash1(&mut [("a\nb".into(), sha(b""))]).is_err());
        assert!(hash1(&mut [("a".into(), sha(b"")), ("a".into(), sha(b"x"))]).is_err());
    }

    #[test]
    fn a_goroot_hashes_as_its_module_zip() {
        let t = tempfile::tempdir().unwrap();
        let g = t.path();
        let m = ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap();
        let p = m.zip_prefix();
        let files: &[(&str, &[u8])] = &[
            ("VERSION", b"go1.22.10\n"),
            ("bin/go", b"\x7fELF go"),
            ("src/go.mod", b"module std\n"),
            ("src/cmd/go.mod", b"module cmd\n"),
            ("src/fmt/print.go", b"package fmt\n"),
            ("api/go1.txt", b"api"),
            ("doc/go_spec.html", b"spec"),
            ("misc/x", b"m"),
            ("test/y.go", b"t"),
            ("gover-marker", b"installer's own"),
        ];
        for (n, c) in files {
            let f = g.join(n);
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            fs::write(f, c).unwrap();
        }
        fs::create_dir_all(g.join("pkg/empty")).unwrap();
        let want = hash1(&mut [
            (format!("{p}VERSION"), sha(b"go1.22.10\n")),
            (format!("{p}bin/go"), sha(b"\x7fELF go")),
            (format!("{p}src/_go.mod"), sha(b"module std\n")),
            (format!("{p}src/cmd/_go.mod"), sha(b"module cmd\n")),
            (format!("{p}src/fmt/print.go"), sha(b"package fmt\n")),
        ])
        .unwrap();
        let got = hash_goroot(g, &m, &|n| n == "gover-marker").unwrap();
        assert_eq!(got, want);
        // A changed byte changes it; so does an added file.
        fs::write(g.join("src/fmt/print.go"), b"package fmt \n").unwrap();
        assert_ne!(hash_goroot(g, &m, &|n| n == "gover-marker").unwrap(), want);
        fs::write(g.join("src/fmt/print.go"), b"package fmt\n").unwrap();
        assert_ne!(hash_goroot(g, &m, &|_| false).unwrap(), want);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("VERSION", g.join("link")).unwrap();
            let e = hash_goroot(g, &m, &|n| n == "gover-marker").unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        // An extractor's collector, fed from two threads in any order,
        // gets the same hash without reading the tree again.
        fs::remove_file(g.join("link")).ok();
        let c = Collector::new(m.clone());
        std::thread::scope(|sc| {
            for part in [&files[..5], &files[5..]] {
                let c = &c;
                sc.spawn(move || {
                    for (n, data) in part.iter().rev() {
                        if *n != "gover-marker" {
                            c.add(n, sha(data));
                        }
                    }
                });
            }
        });
        assert_eq!(c.finish().unwrap(), want);
        let e = hash_goroot(&g.join("nope"), &m, &|_| false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }
}
