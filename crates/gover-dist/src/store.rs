//! The content-addressed toolchain store: every file of every installed
//! toolchain, once.
//!
//! ```text
//! $GOVER_HOME/store/files/ab/<sha256>-r   read-only content (0444)
//! $GOVER_HOME/store/files/ab/<sha256>-x   read-only executable content (0555)
//! $GOVER_HOME/store/trees/<toolchain>     the files a toolchain holds (its manifest)
//! $GOVER_HOME/store/tmp/                  files being copied into the store
//! ```
//!
//! A file's key is the sha256 of its content and its executable bit. An
//! install places each file of the archive into its scratch tree from the
//! store, in the order of preference the link mode allows: a reflink
//! (`FICLONE` on Linux, `clonefile` on macOS: a copy that shares blocks), a
//! hard link, or a copy. A failure of one file (`EXDEV`: the store is on
//! another file system; `EMLINK`: too many links; `EPERM`: links refused)
//! falls back to the next way for that file alone. Content the store does
//! not have yet is written into the tree as before and added to the store
//! only after the tree was flushed to disk, so the store never holds a file
//! whose data a power cut could lose. The commit point of an install is
//! still the rename of the finished tree into `toolchains/`.
//!
//! Store files are read-only, and so are the toolchain files linked to
//! them: editing one GOROOT cannot silently change another (root can still
//! write through the mode; [`Store::verify`] finds that).
//!
//! Installs hold the store's lock shared while they link from it and add
//! to it; [`Store::gc`] runs under the lock held exclusively, so it never
//! removes a file an install is linking. A store file is garbage when no
//! manifest of an installed toolchain lists it and no hard link to it is
//! left outside the store.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use gover_core::settings::LinkMode;
use gover_core::GoverHome;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::index::hex;

/// What a store file is named by: its content's sha256 and executable bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// sha256 of the content.
    pub sha256: [u8; 32],
    /// Whether the file is executable.
    pub executable: bool,
}

impl Key {
    /// The key of `data`.
    pub fn of(data: &[u8], executable: bool) -> Self {
        Self {
            sha256: Sha256::digest(data).into(),
            executable,
        }
    }

    /// The file name in the store: `<sha256>-x` or `<sha256>-r`.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}",
            hex(&self.sha256),
            if self.executable { 'x' } else { 'r' }
        )
    }

    /// Parses [`Key::file_name`]; anything else is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let (digest, kind) = name.split_once('-')?;
        let executable = match kind {
            "x" => true,
            "r" => false,
            _ => return None,
        };
        let sha256 = crate::index::parse_sha256(digest)?;
        (hex(&sha256) == digest).then_some(Self { sha256, executable })
    }

    /// The mode of a store file (and of a toolchain file linked to it).
    pub fn mode(&self) -> u32 {
        if self.executable {
            0o555
        } else {
            0o444
        }
    }
}

/// One file of an unpacked toolchain: the manifest a pre-commit check (such
/// as the checksum database's `h1:` hash) and the store work from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Its path in the GOROOT, `/`-separated (`bin/go`, `src/fmt/print.go`).
    pub path: String,
    /// sha256 of its content.
    pub sha256: [u8; 32],
    /// Whether it is executable.
    pub executable: bool,
    /// Its size in bytes.
    pub size: u64,
}

impl FileEntry {
    /// Its store key.
    pub fn key(&self) -> Key {
        Key {
            sha256: self.sha256,
            executable: self.executable,
        }
    }
}

/// How one file got into a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placed {
    /// Reflinked or hard-linked from the store.
    Linked,
    /// Copied because the store file could not be linked (another file
    /// system, too many links).
    Copied,
    /// New content, written into the tree; added to the store later
    /// ([`Store::publish`]).
    Written,
}

/// The content-addressed store of a home, with the link mode to use.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    home_root: PathBuf,
    lock_file: PathBuf,
    mode: LinkMode,
    /// Cleared when the file system answered that it cannot reflink.
    reflink: AtomicBool,
    seq: AtomicU64,
    /// The keys worth looking up, when known (see [`Store::expect_keys`]).
    known: Option<HashSet<Key>>,
}

/// A held store lock; released when dropped.
#[derive(Debug)]
pub struct StoreLock(#[allow(dead_code)] File);

impl Store {
    /// The store of `home`, placing files with `mode`.
    pub fn new(home: &GoverHome, mode: LinkMode) -> Self {
        Self {
            dir: home.store_dir(),
            home_root: home.root().to_path_buf(),
            lock_file: home.store_lock_file(),
            mode,
            reflink: AtomicBool::new(matches!(mode, LinkMode::Auto | LinkMode::Reflink)),
            seq: AtomicU64::new(0),
            known: None,
        }
    }

    /// Looks up only the keys the manifests of `goroots` (the installed
    /// toolchains) list: other content is written at once, without a
    /// failed lookup per file (a first install has nothing to look up).
    /// Content another install adds meanwhile is then written, not shared.
    pub fn expect_keys(&mut self, goroots: &[PathBuf]) {
        let mut known = HashSet::new();
        for g in goroots {
            if let Some(m) = self.read_manifest(g) {
                known.extend(m.iter().map(FileEntry::key));
            }
        }
        self.known = Some(known);
    }

    /// The link mode.
    pub fn mode(&self) -> LinkMode {
        self.mode
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the content of `key` lives.
    pub fn file_path(&self, key: &Key) -> PathBuf {
        let name = key.file_name();
        self.dir.join("files").join(&name[..2]).join(name)
    }

    /// Creates the store's directories. Each must be a real directory, not
    /// a link: gover removes files in them, and never through a link.
    pub fn ensure_dirs(&self) -> Result<()> {
        let files = self.dir.join("files");
        fs::create_dir_all(&self.dir).map_err(|e| Error::io("cannot create", &self.dir, e))?;
        real_dir(&self.dir)?;
        for d in [self.dir.join("tmp"), self.dir.join("trees"), files.clone()] {
            if let Err(e) = fs::create_dir(&d) {
                if e.kind() != io::ErrorKind::AlreadyExists {
                    return Err(Error::io("cannot create", &d, e));
                }
                real_dir(&d)?;
            }
        }
        for b in 0..=255u8 {
            let d = files.join(format!("{b:02x}"));
            match fs::create_dir(&d) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                    return Err(Error::io("cannot create", &d, e))
                }
                Err(_) => real_dir(&d)?,
                Ok(()) => {}
            }
        }
        Ok(())
    }

    /// Whether the directories from the store down to `path`'s parent are
    /// all real directories (no link, nothing missing): what a manifest is
    /// written or removed through.
    fn no_links_to(&self, path: &Path) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let Ok(rel) = parent.strip_prefix(&self.dir) else {
            return false;
        };
        let mut dir = self.dir.clone();
        let mut dirs = vec![dir.clone()];
        for c in rel.components() {
            dir.push(c);
            dirs.push(dir.clone());
        }
        dirs.iter()
            .all(|d| fs::symlink_metadata(d).is_ok_and(|m| m.is_dir()))
    }

    /// Takes the store's lock, shared (installs) or exclusive (removing
    /// files), waiting up to `timeout` (`None`: as long as it takes);
    /// `on_wait` is called once if there is a wait.
    pub fn lock(
        &self,
        exclusive: bool,
        timeout: Option<Duration>,
        on_wait: &dyn Fn(&Path),
    ) -> Result<StoreLock> {
        let path = &self.lock_file;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        }
        let mut o = fs::OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NOFOLLOW);
        }
        let file = o
            .open(path)
            .map_err(|e| Error::io("cannot open the lock file", path, e))?;
        let try_once = |f: &File| match exclusive {
            true => f.try_lock(),
            false => f.try_lock_shared(),
        };
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut waited = false;
        loop {
            match try_once(&file) {
                Ok(()) => return Ok(StoreLock(file)),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", path, e)),
            }
            if !waited {
                on_wait(path);
                waited = true;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Error::new(
                    ErrorKind::LockTimeout,
                    format!(
                        "timed out waiting for the toolchain store's lock ({}): another gover process is installing or cleaning up",
                        path.display()
                    ),
                )
                .with_hint("wait for it to finish, or raise GOVER_LOCK_TIMEOUT (seconds)"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn try_reflink(&self) -> bool {
        self.reflink.load(Ordering::Relaxed)
    }

    fn may_hardlink(&self) -> bool {
        matches!(self.mode, LinkMode::Auto | LinkMode::Hardlink)
    }

    /// Whether the store file `src` of `key`, whose content is `size`
    /// bytes, may be linked: false when it is missing, or has another size
    /// (damaged, even when its modification time was kept), or was written
    /// to after it entered the store (its modification time is no longer
    /// [`store_mtime`]) and no longer holds `key`'s content. A damaged file is taken out of the store so the
    /// caller writes the content afresh; a file only touched is marked
    /// intact again. Root ignores the read-only mode, and a write through
    /// any hard link of a store file changes it, so this check is what
    /// keeps one edited GOROOT from spreading into the next install.
    fn intact(&self, key: &Key, size: u64, src: &Path) -> io::Result<bool> {
        let meta = match fs::symlink_metadata(src) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if !meta.is_file() {
            return Ok(false);
        }
        if meta.len() == size && meta.modified().ok() == Some(store_mtime()) {
            return Ok(true);
        }
        if meta.len() == size && hash_file(src).ok().map(|(h, _)| h) == Some(key.sha256) {
            mark_stored(src);
            return Ok(true);
        }
        // Renamed aside first, so a fresh copy another install adds under
        // the same name is never the one removed.
        let aside = self.tmp_name(key);
        if fs::rename(src, &aside).is_ok() {
            let _ = fs::remove_file(&aside);
        }
        Ok(false)
    }

    /// Links the store file of `key` (`size` bytes) to `dest` (which must not exist):
    /// `Ok(Some(true))` when linked, `Ok(None)` when the store lacks it,
    /// `Ok(Some(false))` when it cannot be linked (the caller copies).
    fn link_from_store(&self, key: &Key, size: u64, dest: &Path) -> io::Result<Option<bool>> {
        if self.known.as_ref().is_some_and(|k| !k.contains(key)) {
            return Ok(None);
        }
        let src = self.file_path(key);
        if !self.intact(key, size, &src)? {
            return Ok(None);
        }
        if self.try_reflink() {
            match reflink(&src, dest, key.mode()) {
                Ok(()) => return Ok(Some(true)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => {
                    let _ = fs::remove_file(dest);
                    if cannot_reflink(&e) {
                        self.reflink.store(false, Ordering::Relaxed);
                    } else if !is_fallback(&e) {
                        return Err(e);
                    }
                }
            }
        }
        if !self.may_hardlink() {
            return Ok(if src.exists() { Some(false) } else { None });
        }
        match fs::hard_link(&src, dest) {
            Ok(()) => Ok(Some(true)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) if is_fallback(&e) => Ok(Some(false)),
            Err(e) => Err(e),
        }
    }

    /// Places `data` (whose key is `key`) at `dest`: linked from the
    /// store when it has the content, else written (read-only).
    pub fn place_bytes(&self, key: &Key, data: &[u8], dest: &Path) -> io::Result<Placed> {
        let placed = match self.link_from_store(key, data.len() as u64, dest)? {
            Some(true) => return Ok(Placed::Linked),
            Some(false) => Placed::Copied,
            None => Placed::Written,
        };
        let f = create_new(dest, key.mode())?;
        (&f).write_all(data)?;
        if placed == Placed::Written {
            stamp(&f);
        }
        Ok(placed)
    }

    /// For a file already written at `dest` with `key`'s content (`size`
    /// bytes): replaces
    /// it with a link to the store file when the store has one. The link is
    /// made in `scratch` (a directory of the same file system that no
    /// archive entry names) and renamed over `dest`.
    pub fn adopt(&self, key: &Key, size: u64, dest: &Path, scratch: &Path) -> io::Result<Placed> {
        let tmp = scratch.join(format!(
            "link-{}-{}",
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed)
        ));
        match self.link_from_store(key, size, &tmp)? {
            Some(true) => {}
            Some(false) => return Ok(Placed::Copied),
            None => return Ok(Placed::Written),
        }
        if let Err(e) = fs::rename(&tmp, dest) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(Placed::Linked)
    }

    /// Adds the file at `src` (written by an install, already flushed to
    /// disk) to the store under `key`: the same inode where it can be
    /// linked, else a copy. Content the store already has is left alone.
    pub fn publish(&self, key: &Key, src: &Path) -> io::Result<()> {
        let dest = self.file_path(key);
        self.add(key, src, &dest)?;
        // A copy was stamped before it was linked in, and a file already
        // there is left to `intact`; `src`'s own inode, which holds `key`'s
        // content, is marked here.
        let stamped = fs::symlink_metadata(&dest)
            .ok()
            .and_then(|m| m.modified().ok())
            == Some(store_mtime());
        if !stamped && gover_core::fs::same_file(src, &dest) {
            mark_stored(&dest);
        }
        Ok(())
    }

    /// Adds the files an install wrote (`fresh`: each stamped with
    /// [`stamp`] when written, and flushed to disk since) to the store,
    /// spread over up to `threads` threads: adding a file is a system
    /// call or two of kernel work, which spreads over cores. A hard link
    /// shares the stamped inode; a copy is marked. A file whose stamp
    /// failed is hashed by the next install that links it
    /// ([`Self::intact`]). Files of one key go to one thread, in order,
    /// so duplicates within one install share the first one's inode.
    /// Returns the first failure with its path; the others are still
    /// tried.
    pub fn publish_all(
        &self,
        fresh: &[(Key, PathBuf)],
        threads: usize,
    ) -> Option<(PathBuf, io::Error)> {
        let threads = threads.clamp(1, 8).min(fresh.len().max(1));
        let run = |part: usize| {
            let mut failed = None;
            for (key, path) in fresh {
                if usize::from(key.sha256[0]) % threads == part {
                    if let Err(e) = self.add(key, path, &self.file_path(key)) {
                        failed.get_or_insert((path.clone(), e));
                    }
                }
            }
            failed
        };
        if threads == 1 {
            return run(0);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|t| s.spawn(move || run(t))).collect();
            let mut failed = run(0);
            for h in handles {
                let other = h.join().unwrap_or_else(|_| {
                    Some((
                        self.dir.clone(),
                        io::Error::other("a thread adding files to the store panicked"),
                    ))
                });
                if failed.is_none() {
                    failed = other;
                }
            }
            failed
        })
    }

    /// [`Self::publish`] but for the mark.
    fn add(&self, key: &Key, src: &Path, dest: &Path) -> io::Result<()> {
        let dest = dest.to_path_buf();
        if self.try_reflink() {
            match self.copy_in(key, src, &dest, true) {
                Ok(()) => return Ok(()),
                Err(e) if cannot_reflink(&e) => self.reflink.store(false, Ordering::Relaxed),
                Err(e) if is_fallback(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if self.may_hardlink() {
            match fs::hard_link(src, &dest) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if self.intact(key, fs::metadata(src)?.len(), &dest)? {
                        self.share_existing(key, src, &dest);
                        return Ok(());
                    }
                    // A damaged file was taken out: add this one instead.
                    if fs::hard_link(src, &dest).is_ok() {
                        return Ok(());
                    }
                }
                Err(e) if is_fallback(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if fs::symlink_metadata(&dest).is_ok() {
            return Ok(());
        }
        self.copy_in(key, src, &dest, false)
    }

    /// Makes `src` (a file of a tree not yet committed, holding `key`'s
    /// content) a link to the store's `dest`, which another file of the
    /// same archive, or another install, added first. Best effort: where it
    /// cannot, `src` stays a copy.
    fn share_existing(&self, key: &Key, src: &Path, dest: &Path) {
        if gover_core::fs::same_file(src, dest) {
            return;
        }
        let tmp = self.tmp_name(key);
        if fs::hard_link(dest, &tmp).is_ok() && fs::rename(&tmp, src).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }

    /// A fresh name in `store/tmp` for content of `key`.
    fn tmp_name(&self, key: &Key) -> PathBuf {
        self.dir.join("tmp").join(format!(
            "{}-{}-{}",
            std::process::id(),
            self.seq.fetch_add(1, Ordering::Relaxed),
            key.file_name()
        ))
    }

    /// Adds a copy of `src` to the store under `key` (never its inode).
    pub fn publish_copy(&self, key: &Key, src: &Path) -> io::Result<()> {
        let dest = self.file_path(key);
        if fs::symlink_metadata(&dest).is_ok() {
            return Ok(());
        }
        // `copy_in` stamped the copy it linked in; a file another process
        // added meanwhile is left for `intact` to judge.
        self.copy_in(key, src, &dest, false)
    }

    /// Places the store file of `key` at `dest`, or, when it cannot be
    /// linked, a copy of `src` (which holds the same content).
    pub fn place_from(&self, key: &Key, src: &Path, dest: &Path) -> io::Result<Placed> {
        let size = fs::metadata(src)?.len();
        if self.link_from_store(key, size, dest)? == Some(true) {
            return Ok(Placed::Linked);
        }
        let mut from = File::open(src)?;
        let mut to = create_new(dest, key.mode())?;
        io::copy(&mut from, &mut to)?;
        Ok(Placed::Copied)
    }

    /// Reflinks (`reflink`) or copies `src` into the store as `dest`,
    /// through a temporary file stamped ([`stamp`]) and linked into place
    /// when complete. A copy is flushed first; a reflink shares blocks
    /// already on disk.
    fn copy_in(&self, key: &Key, src: &Path, dest: &Path, reflinked: bool) -> io::Result<()> {
        let tmp = self.tmp_name(key);
        let res = (|| {
            if reflinked {
                reflink(src, &tmp, key.mode())?;
                mark_stored(&tmp);
            } else {
                let mut from = File::open(src)?;
                let mut to = create_new(&tmp, key.mode())?;
                io::copy(&mut from, &mut to)?;
                stamp(&to);
                to.sync_all()?;
            }
            match fs::hard_link(&tmp, dest) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(e),
                _ => Ok(()),
            }
        })();
        let _ = fs::remove_file(&tmp);
        res
    }

    /// Where the manifest of the toolchain at `goroot` (under the home)
    /// lives: `trees/<goroot relative to the home>`.
    pub fn manifest_path(&self, goroot: &Path) -> Option<PathBuf> {
        let rel = goroot.strip_prefix(&self.home_root).ok()?;
        Some(self.dir.join("trees").join(rel))
    }

    /// Records that the toolchain at `goroot` holds `files`.
    pub fn write_manifest(&self, goroot: &Path, files: &[FileEntry]) -> Result<()> {
        self.write_manifest_bytes(goroot, &Self::manifest_bytes(files)?)
    }

    /// The manifest of a toolchain holding `files`, as stored (gzipped).
    pub fn manifest_bytes(files: &[FileEntry]) -> Result<Vec<u8>> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(manifest_text(files).as_bytes())
            .and_then(|()| gz.finish())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot compress a toolchain manifest: {e}"),
                )
            })
    }

    /// Records the manifest `bytes` (from [`Self::manifest_bytes`]) of the
    /// toolchain at `goroot`.
    pub fn write_manifest_bytes(&self, goroot: &Path, bytes: &[u8]) -> Result<()> {
        let Some(path) = self.manifest_path(goroot) else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        }
        if !self.no_links_to(&path) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "cannot write {}: a directory on its way is a link; gover keeps the toolchain store only in real directories",
                    path.display()
                ),
            ));
        }
        gover_core::fs::write_atomic(&path, bytes, None)
            .map_err(|e| Error::io("cannot write", &path, e))
    }

    /// The manifest of the toolchain at `goroot`, if there is a valid one.
    pub fn read_manifest(&self, goroot: &Path) -> Option<Vec<FileEntry>> {
        let path = self.manifest_path(goroot)?;
        let (file, meta) = gover_core::fs::open_regular(&path).ok()?;
        if meta.len() > MAX_MANIFEST_BYTES {
            return None;
        }
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .take(MAX_MANIFEST_BYTES)
            .read_to_string(&mut text)
            .ok()?;
        parse_manifest(&text)
    }

    /// Forgets the manifest of the toolchain at `goroot`.
    pub fn remove_manifest(&self, goroot: &Path) {
        if let Some(p) = self.manifest_path(goroot).filter(|p| self.no_links_to(p)) {
            let _ = fs::remove_file(p);
        }
    }
}

/// Fails unless `dir` is a real directory (not a link to one): the store
/// is where gover deletes, so a link planted there must not send those
/// deletions elsewhere.
fn real_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is a link (or not a directory); gover keeps the toolchain store, which it deletes from, only in real directories",
                dir.display()
            ),
        )
        .with_hint(format!(
            "remove {} and let gover create the directory; to keep toolchains on another disk, move the whole GOVER_HOME there",
            dir.display()
        ))),
        Err(e) => Err(Error::io("cannot inspect", dir, e)),
    }
}

/// True when `rel` (a path under `store/trees`) is a name gover gives a
/// manifest: `toolchains/go<version>` or `platforms/<os-arch>/go<version>`.
fn is_manifest_name(rel: &Path) -> bool {
    let parts: Vec<&str> = match rel.iter().map(|c| c.to_str()).collect::<Option<_>>() {
        Some(p) => p,
        None => return false,
    };
    let toolchain = |n: &str| gover_core::GoVersion::from_toolchain(n).is_some();
    match parts.as_slice() {
        ["toolchains", name] => toolchain(name),
        ["platforms", platform, name] => {
            crate::platform::Platform::parse(platform).is_ok() && toolchain(name)
        }
        _ => false,
    }
}

/// The most bytes a manifest may have (a toolchain's is about 1.3 MB).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// A manifest (stored gzipped): a `gover-manifest 1` line, then
/// `<sha256> <x|r> <size> <path>` per line, sorted by path.
/// Paths never hold a newline or a backslash (the extractor refuses
/// both), so a line needs no escaping.
fn manifest_text(files: &[FileEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(files.len() * 110);
    out.push_str("gover-manifest 1\n");
    for f in files {
        out.push_str(&hex(&f.sha256));
        out.push_str(if f.executable { " x " } else { " r " });
        let _ = write!(out, "{}", f.size);
        out.push(' ');
        out.push_str(&f.path);
        out.push('\n');
    }
    out
}

fn parse_manifest(text: &str) -> Option<Vec<FileEntry>> {
    let mut lines = text.lines();
    if lines.next()? != "gover-manifest 1" {
        return None;
    }
    lines
        .map(|l| {
            let mut parts = l.splitn(4, ' ');
            let sha256 = crate::index::parse_sha256(parts.next()?)?;
            let executable = match parts.next()? {
                "x" => true,
                "r" => false,
                _ => return None,
            };
            let size = parts.next()?.parse().ok()?;
            let path = parts.next()?.to_string();
            Some(FileEntry {
                path,
                sha256,
                executable,
                size,
            })
        })
        .collect()
}

/// True for the errors after which a file is copied instead of linked.
fn is_fallback(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EXDEV | libc::EMLINK | libc::EPERM | libc::EOPNOTSUPP | libc::EINVAL)
        ) || e.kind() == io::ErrorKind::Unsupported
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        true
    }
}

/// True when the file system cannot reflink at all (not just this file).
fn cannot_reflink(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EOPNOTSUPP | libc::EINVAL | libc::ENOTTY | libc::ENOSYS)
        ) || e.kind() == io::ErrorKind::Unsupported
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        true
    }
}

/// The modification time of every file in the store (one second past the
/// epoch, as content-addressed stores such as Nix's use): a write through
/// any link to a store file moves it, which [`Store::intact`] notices with
/// one `stat` instead of a hash.
pub fn store_mtime() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1)
}

/// Sets a store file's modification time to [`store_mtime`]. Best effort:
/// a file left unmarked is hashed once by the next install that links it.
fn mark_stored(path: &Path) {
    if let Ok(f) = File::open(path) {
        let _ = f.set_modified(store_mtime());
    }
}

/// Sets the modification time of `f`, a file just written with content
/// about to enter the store, to [`store_mtime`], through its open handle:
/// [`Store::publish`] then has nothing left to mark. Best effort.
pub(crate) fn stamp(f: &File) {
    let _ = f.set_modified(store_mtime());
}

/// Creates `path` (which must not exist) with `mode`.
pub(crate) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    o.open(path)
}

/// Makes `dest` (which must not exist) a reflink of `src`: a new file
/// sharing its blocks.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn reflink(src: &Path, dest: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // _IOW(0x94, 9, int)
    const FICLONE: libc::c_ulong = 0x4004_9409;
    let from = File::open(src)?;
    let to = create_new(dest, mode)?;
    // SAFETY: both are open file descriptors for the duration of the call.
    if unsafe { libc::ioctl(to.as_raw_fd(), FICLONE as _, from.as_raw_fd()) } == 0 {
        return Ok(());
    }
    Err(io::Error::last_os_error())
}

/// Makes `dest` (which must not exist) a clone of `src`.
#[cfg(target_vendor = "apple")]
fn reflink(src: &Path, dest: &Path, _mode: u32) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let (a, b) = (
        std::ffi::CString::new(src.as_os_str().as_bytes())?,
        std::ffi::CString::new(dest.as_os_str().as_bytes())?,
    );
    // SAFETY: both are NUL-terminated strings that outlive the call.
    if unsafe { libc::clonefile(a.as_ptr(), b.as_ptr(), libc::CLONE_NOFOLLOW) } == 0 {
        return Ok(());
    }
    Err(io::Error::last_os_error())
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn reflink(_src: &Path, _dest: &Path, _mode: u32) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The sha256 of the file at `path`, read in chunks.
pub fn hash_file(path: &Path) -> io::Result<([u8; 32], u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut n = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                h.update(&buf[..k]);
                n += k as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((h.finalize().into(), n))
}

/// What a garbage collection did.
#[derive(Clone, Debug, Default)]
pub struct GcReport {
    /// Store files removed.
    pub removed: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Store files kept.
    pub kept: u64,
}

/// One store file, as listed.
#[derive(Clone, Debug)]
pub struct StoreFile {
    /// Its key.
    pub key: Key,
    /// Its path.
    pub path: PathBuf,
    /// Its metadata.
    pub meta: fs::Metadata,
}

impl Store {
    /// Every file in the store whose name is a key (anything else is left
    /// alone, and so is anything that is not a regular file).
    pub fn files(&self) -> io::Result<Vec<StoreFile>> {
        let mut out = Vec::new();
        let files = self.dir.join("files");
        let top = match fs::read_dir(&files) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for sub in top {
            let sub = sub?;
            if !sub.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(sub.path())? {
                let f = f?;
                let Some(key) = f.file_name().to_str().and_then(Key::parse) else {
                    continue;
                };
                let meta = f.metadata()?;
                if meta.file_type().is_file() {
                    out.push(StoreFile {
                        key,
                        path: f.path(),
                        meta,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The keys the manifests of `goroots` (the installed toolchains) list.
    /// Manifests of toolchains no longer there are removed.
    pub fn live_keys(&self, goroots: &[PathBuf]) -> HashSet<Key> {
        let mut live = HashSet::new();
        for g in goroots {
            if let Some(m) = self.read_manifest(g) {
                live.extend(m.iter().map(FileEntry::key));
            }
        }
        self.drop_stale_manifests(goroots);
        live
    }

    fn drop_stale_manifests(&self, goroots: &[PathBuf]) {
        let keep: HashSet<PathBuf> = goroots
            .iter()
            .filter_map(|g| self.manifest_path(g))
            .collect();
        let trees = self.dir.join("trees");
        if !self.no_links_to(&trees.join("x")) {
            return;
        }
        // Directory entries' types are not followed through links: only
        // real directories below `trees` are walked.
        let mut stack = vec![trees.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                match e.file_type() {
                    Ok(t) if t.is_dir() => stack.push(p),
                    Ok(t)
                        if t.is_file()
                            && !keep.contains(&p)
                            && p.strip_prefix(&trees).is_ok_and(is_manifest_name) =>
                    {
                        let _ = fs::remove_file(&p);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Removes the store files no installed toolchain (`goroots`) holds:
    /// listed in none of their manifests and linked nowhere else. The
    /// caller holds the store's lock exclusively, so no install is linking
    /// meanwhile; what cannot be removed now is left for the next run.
    pub fn gc(&self, goroots: &[PathBuf]) -> Result<GcReport> {
        self.ensure_dirs()?;
        let live = self.live_keys(goroots);
        let files = self
            .files()
            .map_err(|e| Error::io("cannot list", &self.dir, e))?;
        let mut report = GcReport::default();
        for f in files {
            if live.contains(&f.key) || links(&f.meta) > 1 {
                report.kept += 1;
                continue;
            }
            if fs::remove_file(&f.path).is_ok() {
                report.removed += 1;
                report.bytes += f.meta.len();
            }
        }
        self.clean_tmp();
        Ok(report)
    }

    /// Removes what interrupted copies left in `store/tmp` (the caller
    /// holds the lock exclusively).
    fn clean_tmp(&self) {
        for e in fs::read_dir(self.dir.join("tmp"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = e.file_name();
            let keyed = name.to_str().and_then(|n| {
                let mut parts = n.splitn(3, '-');
                let (pid, seq) = (parts.next()?, parts.next()?);
                let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                (numeric(pid) && numeric(seq)).then_some(())?;
                Key::parse(parts.next()?)
            });
            if keyed.is_some() && e.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// The number of hard links to a file.
pub fn links(meta: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// A store file whose content no longer matches its key.
#[derive(Clone, Debug)]
pub struct Damaged {
    /// The file.
    pub path: PathBuf,
    /// Its key (what it should hold).
    pub key: Key,
    /// The sha256 it has now (`None`: it could not be read).
    pub found: Option<[u8; 32]>,
}

/// What [`Store::verify`] found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Store files checked.
    pub checked: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The ones whose content changed.
    pub damaged: Vec<Damaged>,
    /// Files whose mode was not read-only and was made so again.
    pub modes_fixed: u64,
}

impl Store {
    /// Re-hashes every store file against its key. A file that became
    /// writable is made read-only again; a changed one is reported (see
    /// [`Store::quarantine`]).
    pub fn verify(&self, progress: &dyn crate::Progress) -> Result<VerifyReport> {
        let files = self
            .files()
            .map_err(|e| Error::io("cannot list", &self.dir, e))?;
        let total: u64 = files.iter().map(|f| f.meta.len()).sum();
        progress.start("verifying the toolchain store", Some(total));
        let mut report = VerifyReport::default();
        for f in &files {
            report.checked += 1;
            report.bytes += f.meta.len();
            let found = hash_file(&f.path).ok().map(|(h, _)| h);
            progress.advance(f.meta.len());
            if found != Some(f.key.sha256) {
                report.damaged.push(Damaged {
                    path: f.path.clone(),
                    key: f.key,
                    found,
                });
            } else if fix_mode(&f.path, &f.meta, f.key.mode()) {
                report.modes_fixed += 1;
            }
        }
        progress.finish();
        Ok(report)
    }

    /// Takes a damaged file out of the store, so no install links it again
    /// (the caller holds the store's lock exclusively). Toolchains that
    /// hold it keep their (damaged) copy until they are reinstalled.
    pub fn quarantine(&self, d: &Damaged) -> Result<()> {
        match fs::remove_file(&d.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(Error::io("cannot remove", &d.path, e))
            }
            _ => Ok(()),
        }
    }

    /// The installed toolchains (of `goroots`) whose manifests list `key`.
    pub fn holders(&self, goroots: &[PathBuf], key: &Key) -> Vec<PathBuf> {
        goroots
            .iter()
            .filter(|g| {
                self.read_manifest(g)
                    .is_some_and(|m| m.iter().any(|f| f.key() == *key))
            })
            .cloned()
            .collect()
    }
}

/// Makes a store file read-only again when someone made it writable;
/// true when it did.
fn fix_mode(path: &Path, meta: &fs::Metadata, mode: u32) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o7777 == mode {
            return false;
        }
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, meta, mode);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_nothing_else_parses() {
        let k = Key::of(b"hello", true);
        let name = k.file_name();
        assert!(name.ends_with("-x"), "{name}");
        assert_eq!(Key::parse(&name), Some(k));
        assert_eq!(Key::parse(&name.to_uppercase()), None);
        for bad in ["", "abc-r", &format!("{}-y", hex(&k.sha256)), "x-r"] {
            assert_eq!(Key::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn manifests_round_trip() {
        let files = vec![
            FileEntry {
                path: "bin/go".into(),
                sha256: [1; 32],
                executable: true,
                size: 10,
            },
            FileEntry {
                path: "src/a b/c.go".into(),
                sha256: [2; 32],
                executable: false,
                size: 0,
            },
        ];
        assert_eq!(parse_manifest(&manifest_text(&files)), Some(files));
        assert_eq!(parse_manifest("gover-manifest 2\n"), None);
        assert_eq!(parse_manifest("gover-manifest 1\nxx r 1 a\n"), None);
    }

    /// A store in a fresh home, and the directory of a toolchain there.
    fn store_and_tree() -> (tempfile::TempDir, Store, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let store = Store::new(&home, LinkMode::Auto);
        store.ensure_dirs().unwrap();
        let tree = t.path().join("toolchains/go1.0.0");
        fs::create_dir_all(&tree).unwrap();
        (t, store, tree)
    }

    #[cfg(unix)]
    #[test]
    fn publish_all_shares_duplicates_and_leaves_every_file_stamped() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let (_home, store, tree) = store_and_tree();
        // 40 files, every content twice: as an install writes them.
        let mut fresh = Vec::new();
        for i in 0..40 {
            let data = format!("content {}", i / 2);
            let k = Key::of(data.as_bytes(), i % 4 == 0);
            let p = tree.join(format!("f{i}"));
            assert_eq!(
                store.place_bytes(&k, data.as_bytes(), &p).unwrap(),
                Placed::Written
            );
            fresh.push((k, p));
        }
        assert!(store.publish_all(&fresh, 3).is_none());
        for (k, p) in &fresh {
            let stored = store.file_path(k);
            assert!(gover_core::fs::same_file(p, &stored), "{}", p.display());
            let meta = fs::metadata(&stored).unwrap();
            assert_eq!(meta.modified().unwrap(), store_mtime());
            assert_eq!(meta.mode() & 0o777, k.mode());
        }
        // A store file changed in place since is not kept by a later
        // publish of the same content: `intact` judges it, and the new
        // file takes its place.
        let k = Key::of(b"later", false);
        let first = tree.join("later1");
        store.place_bytes(&k, b"later", &first).unwrap();
        assert!(store.publish_all(&[(k, first.clone())], 2).is_none());
        let stored = store.file_path(&k);
        fs::set_permissions(&stored, fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(&stored, "Later").unwrap();
        let second = tree.join("later2");
        fs::write(&second, "later").unwrap();
        assert!(store.publish_all(&[(k, second.clone())], 2).is_none());
        assert_eq!(fs::read(store.file_path(&k)).unwrap(), b"later");
        assert!(gover_core::fs::same_file(&second, &store.file_path(&k)));
    }

    #[cfg(unix)]
    #[test]
    fn place_publish_adopt_and_gc() {
        use std::os::unix::fs::MetadataExt;
        let (t, store, tree) = store_and_tree();
        let k = Key::of(b"data", false);
        let a = tree.join("a");
        assert_eq!(store.place_bytes(&k, b"data", &a).unwrap(), Placed::Written);
        store.publish(&k, &a).unwrap();
        let b = tree.join("b");
        assert_eq!(store.place_bytes(&k, b"data", &b).unwrap(), Placed::Linked);
        assert_eq!(fs::read(&b).unwrap(), b"data");
        assert_eq!(fs::metadata(&b).unwrap().mode() & 0o777, 0o444);
        let c = tree.join("c");
        fs::write(&c, "data").unwrap();
        assert_eq!(store.adopt(&k, 4, &c, t.path()).unwrap(), Placed::Linked);
        assert_eq!(fs::read(&c).unwrap(), b"data");
        // Listed in a manifest: kept; unlisted and unlinked: removed.
        let entry = FileEntry {
            path: "a".into(),
            sha256: k.sha256,
            executable: false,
            size: 4,
        };
        store.write_manifest(&tree, &[entry]).unwrap();
        let other = Key::of(b"other", true);
        let d = tree.join("d");
        store.place_bytes(&other, b"other", &d).unwrap();
        store.publish(&other, &d).unwrap();
        fs::remove_file(&d).unwrap();
        let r = store.gc(std::slice::from_ref(&tree)).unwrap();
        assert_eq!((r.removed, r.kept), (1, 1));
        assert!(store.file_path(&k).exists());
        assert!(!store.file_path(&other).exists());
        // The tree gone: its manifest goes, and so does its content once
        // nothing links to it.
        fs::remove_dir_all(&tree).unwrap();
        let r = store.gc(&[]).unwrap();
        assert_eq!(r.removed, 1);
        assert!(store.manifest_path(&tree).is_some_and(|p| !p.exists()));
    }
}
