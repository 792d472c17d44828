//! The install and uninstall transactions.
//!
//! An install unpacks into a scratch directory of `$GOVER_HOME/tmp` (same
//! file system as `toolchains/`; see [`crate::scratch`]), checks the
//! sha256 and the tree ([`crate::verify`]), then renames `go/` into place.
//! That rename is the commit point: before it, nothing under `toolchains/`
//! changed; an interrupted install leaves only a scratch directory, removed
//! by the next run. Installs and uninstalls of one version are serialised
//! by its lock (see [`crate::lock`]).
//!
//! Where a toolchain goes depends on its platform: one for this machine
//! goes to `toolchains/go<version>` (what the shims run); one for another
//! platform (`--platform linux-arm64` on an amd64 machine) goes to
//! `platforms/<os>-<arch>/go<version>`, which nothing runs, lists as
//! native or counts as installed. A tree in the native slot whose
//! `pkg/tool` is for another platform is not counted as installed either.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gover_core::home::{LockName, ScratchPurpose};
use gover_core::settings::LinkMode;
use gover_core::url::Url;
use gover_core::{GoVersion, GoverHome};

use crate::error::{Error, ErrorKind, Result};
use crate::extract::{self, Expected, Input, Limits, Pipeline, Placement, Unpacked};
use crate::index::{hex, Index, IndexFile};
use crate::inuse;
use crate::lock::{self, InstallLock};
use crate::platform::Platform;
use crate::scratch::{self, remove_tree};
use crate::source::{open_local, Dist};
use crate::store::{FileEntry, GcReport, Store, StoreLock};
use crate::verify::{is_built_for, verify_tree, Expect};
use crate::Progress;

mod proxy;
pub use proxy::ProxyInstall;

/// What an install did.
#[derive(Debug)]
pub enum Outcome {
    /// The version was unpacked and committed.
    Installed {
        /// The version.
        version: GoVersion,
        /// Its GOROOT.
        path: PathBuf,
        /// Sizes and digest.
        unpacked: Unpacked,
        /// The platform, when it is not this machine's (the toolchain went
        /// to `platforms/<os>-<arch>/` and is never run here).
        foreign: Option<Platform>,
    },
    /// The version was already there (and `force` was off).
    AlreadyInstalled {
        /// The version.
        version: GoVersion,
        /// Its GOROOT.
        path: PathBuf,
        /// As for [`Outcome::Installed`].
        foreign: Option<Platform>,
    },
}

/// The directory of the toolchains for `platform` when it is not this
/// machine's: `platforms/<os>-<arch>/`.
pub fn platform_dir(home: &GoverHome, platform: &Platform) -> PathBuf {
    home.root().join("platforms").join(platform.to_string())
}

/// Where the toolchain of `version` for `platform` lives: the native slot
/// `toolchains/go<version>` for this machine, else under
/// [`platform_dir`].
pub fn toolchain_path(home: &GoverHome, version: &GoVersion, platform: &Platform) -> PathBuf {
    if platform.is_host() {
        home.toolchain_dir(version)
    } else {
        platform_dir(home, platform).join(version.toolchain_name())
    }
}

/// Every toolchain installed for another platform: its platform, version
/// and directory, sorted.
pub fn foreign_installed(home: &GoverHome) -> Vec<(Platform, GoVersion, PathBuf)> {
    let mut out = Vec::new();
    let Ok(platforms) = fs::read_dir(home.root().join("platforms")) else {
        return out;
    };
    for p in platforms.flatten() {
        let Some(platform) = p.file_name().to_str().and_then(|n| Platform::parse(n).ok()) else {
            continue;
        };
        for t in fs::read_dir(p.path()).into_iter().flatten().flatten() {
            let name = t.file_name();
            let Some(v) = name.to_str().and_then(GoVersion::from_toolchain) else {
                continue;
            };
            if GoverHome::is_installed_dir(&t.path()) {
                out.push((platform.clone(), v, t.path()));
            }
        }
    }
    out.sort_by(|a, b| (a.0.to_string(), &b.1).cmp(&(b.0.to_string(), &a.1)));
    out
}

/// What a pre-commit check sees: a verified, unpacked toolchain that is
/// not yet installed.
#[derive(Debug)]
pub struct PreCommit<'a> {
    /// The unpacked GOROOT (in scratch space).
    pub root: &'a Path,
    /// Its version.
    pub version: &'a GoVersion,
    /// The platform it is built for.
    pub platform: &'a Platform,
    /// The archive's name, for messages.
    pub archive: &'a str,
    /// Every file in it with its sha256, executable bit and size, sorted by
    /// path.
    pub files: &'a [FileEntry],
}

/// A check run on every unpacked toolchain before it is committed (such as
/// the checksum database's `h1:` hash); an error stops the install and
/// nothing is installed.
pub type PreCommitHook = Box<dyn Fn(&PreCommit<'_>) -> Result<()> + Send + Sync>;

/// Installs and uninstalls toolchains under a home.
pub struct Installer<'a> {
    dist: &'a Dist,
    /// Extraction caps.
    pub limits: Limits,
    /// Extraction tuning.
    pub pipeline: Pipeline,
    /// How long to wait for another process's lock (`None`: forever).
    pub lock_timeout: Option<Duration>,
    /// How files are linked from the store ([`LinkMode::Copy`]: the store
    /// is not used).
    pub link_mode: LinkMode,
    /// Run on every unpacked toolchain before its commit.
    pub pre_commit: Option<PreCommitHook>,
}

/// Sequence numbers of the one-off owners of `install --from`.
static LOCAL_SEQ: AtomicU64 = AtomicU64::new(0);

/// The lock of a one-off owner, whose file goes away with it.
struct ScratchLock(InstallLock);

impl Drop for ScratchLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.0.path());
    }
}

/// The lock that serialises everything done to `v`'s toolchains.
pub(crate) fn owner_of(v: &GoVersion) -> LockName {
    LockName::Toolchain(v.release_spelling())
}

/// `p` as a NUL-terminated string for a system call.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn c_path(p: &Path) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    Ok(std::ffi::CString::new(p.as_os_str().as_bytes())?)
}

/// Swaps the directory entries `a` and `b` atomically. `Ok(false)` when this
/// platform or file system cannot, so the caller falls back to two renames.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both pointers are NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

/// Swaps the directory entries `a` and `b` atomically. `Ok(false)` when this
/// platform or file system cannot, so the caller falls back to two renames.
#[cfg(target_vendor = "apple")]
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both pointers are NUL-terminated strings that outlive the call.
    if unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) } == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOTSUP | libc::EINVAL) => Ok(false),
        _ => Err(e),
    }
}

/// Swaps the directory entries `a` and `b` atomically. `Ok(false)` when this
/// platform or file system cannot, so the caller falls back to two renames.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
pub(crate) fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Flushes the unpacked tree at `root` to disk before it is renamed into
/// `toolchains/`: after a power cut, a committed toolchain must not hold
/// files whose data never reached the disk. On Linux one `syncfs` on the
/// file system holding it does this (the files were written moments ago,
/// so that is where nearly all of its dirty data is); elsewhere every file
/// and directory is synced.
pub(crate) fn sync_tree(root: &Path) -> Result<()> {
    sync_tree_io(root).map_err(|e| Error::io("cannot flush to disk", root, e))
}

/// Passes everything on to `inner`, noting a message: while the store's
/// lock is taken, the only one is that another process holds it.
struct NoteWait<'p> {
    inner: &'p dyn Progress,
    waited: AtomicBool,
}

impl Progress for NoteWait<'_> {
    fn start(&self, what: &str, total: Option<u64>) {
        self.inner.start(what, total);
    }
    fn advance(&self, bytes: u64) {
        self.inner.advance(bytes);
    }
    fn message(&self, msg: &str) {
        self.waited.store(true, Ordering::Relaxed);
        self.inner.message(msg);
    }
    fn finish(&self) {
        self.inner.finish();
    }
}

#[cfg(target_os = "linux")]
fn sync_tree_io(root: &Path) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let dir = fs::File::open(root)?;
    // SAFETY: `dir` is an open file descriptor for the duration of the call.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn sync_tree_io(root: &Path) -> io::Result<()> {
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            sync_tree_io(&path)?;
        } else if entry.file_type()?.is_file() {
            fs::File::open(&path)?.sync_all()?;
        }
    }
    // Directories can be synced through a read-only handle on Unix; Windows
    // cannot open them as files.
    #[cfg(unix)]
    fs::File::open(root)?.sync_all()?;
    Ok(())
}

/// Marks `dir` as the top of directory hierarchies (ext2/3/4's `TOPDIR`
/// attribute, `chattr +T`), so the file system spreads each install's
/// directory to a block group with free inodes instead of placing it next to
/// its siblings. That matters right after a toolchain was removed: ext4
/// without a journal skips inodes freed in the last minute one by one, which
/// makes creating 10,000 files where 10,000 were just deleted take seconds.
/// Best effort: other file systems and failures are ignored.
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "s390x"
    )
))]
fn spread_subdirs(dir: &Path) {
    use std::os::unix::io::AsRawFd;
    // _IOR('f', 1, long) and _IOW('f', 2, long); the kernel reads an int.
    let size = (std::mem::size_of::<libc::c_long>() as libc::c_ulong) << 16;
    let get = (2 << 30) | size | ((b'f' as libc::c_ulong) << 8) | 1;
    let set = (1 << 30) | size | ((b'f' as libc::c_ulong) << 8) | 2;
    const FS_TOPDIR_FL: libc::c_int = 0x0002_0000;
    let Ok(f) = fs::File::open(dir) else {
        return;
    };
    let mut flags: libc::c_int = 0;
    // SAFETY: FS_IOC_GETFLAGS/SETFLAGS read or write one int at the pointer,
    // which is valid for the duration of the call; `f` is an open fd.
    unsafe {
        if libc::ioctl(f.as_raw_fd(), get as _, &mut flags) != 0 || flags & FS_TOPDIR_FL != 0 {
            return;
        }
        flags |= FS_TOPDIR_FL;
        libc::ioctl(f.as_raw_fd(), set as _, &flags);
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv64",
        target_arch = "loongarch64",
        target_arch = "s390x"
    )
)))]
fn spread_subdirs(_dir: &Path) {}

impl<'a> Installer<'a> {
    /// An installer using `dist` for the index and archives.
    pub fn new(dist: &'a Dist) -> Self {
        Self {
            dist,
            limits: Limits::default(),
            pipeline: Pipeline::default(),
            lock_timeout: None,
            link_mode: LinkMode::Auto,
            pre_commit: None,
        }
    }

    /// The store, unless the link mode is `copy`.
    pub fn store(&self) -> Option<Store> {
        (self.link_mode != LinkMode::Copy).then(|| Store::new(self.home(), self.link_mode))
    }

    /// The store (unless the link mode is `copy`) with its lock held shared.
    fn shared_store(&self, progress: &dyn Progress) -> Result<(Option<Store>, Option<StoreLock>)> {
        let Some(mut store) = self.store() else {
            return Ok((None, None));
        };
        let lock = self.lock_store(&store, false, progress)?;
        store.expect_keys(&self.installed_roots());
        Ok((Some(store), Some(lock)))
    }

    /// Takes the store's lock, shared (linking from it) or exclusive
    /// (removing from it), saying so when it waits.
    pub fn lock_store(
        &self,
        store: &Store,
        exclusive: bool,
        progress: &dyn Progress,
    ) -> Result<StoreLock> {
        store.ensure_dirs()?;
        store.lock(exclusive, self.lock_timeout, &|p| {
            progress.message(&format!(
                "waiting for another gover process using the toolchain store (lock file {})",
                p.display()
            ))
        })
    }

    /// Checks, flushes and commits the verified tree `check.root` (the
    /// caller holds `owner`'s lock), then moves older copies into the
    /// store; returns the toolchain's path.
    fn finish(
        &self,
        check: &PreCommit<'_>,
        unpacked: &Unpacked,
        store: Option<&Store>,
        owner: &LockName,
        progress: &dyn Progress,
    ) -> Result<PathBuf> {
        let target = toolchain_path(self.home(), check.version, check.platform);
        self.prepare_commit(check, unpacked, store, &target, progress)?;
        let path = self.commit(check.root, check.version, check.platform, owner)?;
        if let Some(s) = store {
            self.optimize_others(s, progress);
        }
        Ok(path)
    }

    /// Moves the toolchains installed without the store into it, once
    /// (best effort: a failure is only reported).
    fn optimize_others(&self, store: &Store, progress: &dyn Progress) {
        for (root, res) in self.optimize_all(store, false, progress) {
            if let Err(e) = res {
                progress.message(&format!(
                    "could not move {} into the toolchain store: {e}",
                    root.display()
                ));
            }
        }
    }

    /// Gets a verified tree at `root` ready to be committed to `target`:
    /// runs the pre-commit check, flushes it to disk, adds its new files to
    /// the store and records its manifest.
    fn prepare_commit(
        &self,
        check: &PreCommit<'_>,
        unpacked: &Unpacked,
        store: Option<&Store>,
        target: &Path,
        progress: &dyn Progress,
    ) -> Result<()> {
        if let Some(hook) = &self.pre_commit {
            hook(check)?;
        }
        let Some(store) = store else {
            return sync_tree(check.root);
        };
        // The manifest is compressed while the tree is flushed.
        let (synced, manifest) = std::thread::scope(|s| {
            let manifest = s.spawn(|| Store::manifest_bytes(&unpacked.files));
            let synced = sync_tree(check.root);
            (synced, manifest.join())
        });
        synced?;
        if let Some((path, e)) = store.publish_all(&unpacked.fresh, self.pipeline.writers) {
            progress.message(&format!(
                "could not add every file to the toolchain store (at {}: {e}); the toolchain is installed, sharing fewer files",
                path.display()
            ));
        }
        let written = manifest
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
            .and_then(|bytes| store.write_manifest_bytes(target, &bytes));
        if let Err(e) = written {
            progress.message(&format!("{e}; `gover store optimize` records it later"));
        }
        Ok(())
    }

    pub(crate) fn home(&self) -> &GoverHome {
        self.dist.home()
    }

    fn ensure_dirs(&self) -> Result<()> {
        scratch::ensure_dirs(self.home())?;
        spread_subdirs(&self.home().tmp_dir());
        Ok(())
    }

    pub(crate) fn lock(&self, name: &LockName, progress: &dyn Progress) -> Result<InstallLock> {
        lock::acquire(self.home(), name, self.lock_timeout, &|p| {
            progress.message(&format!(
                "waiting for another gover process working on {name} (lock file {})",
                p.display()
            ))
        })
    }

    /// The installed toolchain of `version` for `platform`, if any: the
    /// version as installed and its GOROOT. A tree whose `pkg/tool` is for
    /// another platform does not count.
    pub fn find_installed(
        &self,
        version: &GoVersion,
        platform: &Platform,
    ) -> Option<(GoVersion, PathBuf)> {
        let (v, dir) = if platform.is_host() {
            let v = self.home().find_installed(version)?;
            let dir = self.home().toolchain_dir(&v);
            (v, dir)
        } else {
            let dir = toolchain_path(self.home(), version, platform);
            (version.clone(), dir)
        };
        (GoverHome::is_installed_dir(&dir) && is_built_for(&dir, platform)).then_some((v, dir))
    }

    fn already(&self, version: &GoVersion, platform: &Platform) -> Option<Outcome> {
        let (version, path) = self.find_installed(version, platform)?;
        Some(Outcome::AlreadyInstalled {
            version,
            path,
            foreign: (!platform.is_host()).then(|| platform.clone()),
        })
    }

    /// Removes what interrupted installs and uninstalls left in `tmp/`:
    /// entries of `held` (whose lock the caller holds) and of any owner
    /// whose lock is free (see [`scratch::clean`]).
    pub fn clean_tmp(&self, held: Option<&LockName>) {
        scratch::clean(self.home(), held);
    }

    /// Downloads `file` of release `version` from the mirror, verifies it
    /// against the index's sha256 and the tree rule, and installs it where
    /// toolchains for its platform go.
    pub fn install_release(
        &self,
        version: &GoVersion,
        file: &IndexFile,
        index_url: &str,
        force: bool,
        progress: Arc<dyn Progress>,
    ) -> Result<Outcome> {
        let platform = file.platform().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a binary archive for a platform", file.filename),
            )
        })?;
        let owner = owner_of(version);
        self.ensure_dirs()?;
        let _lock = self.lock(&owner, &*progress)?;
        self.clean_tmp(Some(&owner));
        if !force {
            if let Some(done) = self.already(version, &platform) {
                return Ok(done);
            }
        }
        let expected = Expected {
            sha256: file.expected_sha256(version, index_url)?,
            source: format!("the release index {index_url}"),
        };
        let url = self.dist.archive_url(&file.filename)?;
        let tmp = scratch::create(self.home(), owner.clone(), ScratchPurpose::Install)?;
        // The store's lock and the keys it already holds (a manifest read
        // per installed toolchain) while the connection is set up.
        let noted = NoteWait {
            inner: &*progress,
            waited: AtomicBool::new(false),
        };
        let (opened, shared) = std::thread::scope(|s| {
            let shared = s.spawn(|| self.shared_store(&noted));
            let opened = self.dist.open_archive(&url, file.size, progress.clone());
            (opened, shared.join())
        });
        let (store, _shared) = shared.unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        // A response left unread while another gover process held the
        // store's lock has spent its time allowance (and the server may
        // have given up on it): the download starts afresh.
        let opened = if noted.waited.load(Ordering::Relaxed) {
            drop(opened);
            self.dist.open_archive(&url, file.size, progress.clone())
        } else {
            opened
        };
        let placement = store.as_ref().map_or(Placement::Write, Placement::Store);
        let unpacked = self.download(
            opened?,
            &url,
            file,
            &expected,
            tmp.path(),
            placement,
            &*progress,
        )?;
        let root = tmp.path().join("go");
        let expect = Expect {
            version: Some(version),
            platform: &platform,
        };
        verify_tree(&root, &file.filename, &expect)?;
        let check = PreCommit {
            root: &root,
            version,
            platform: &platform,
            archive: &file.filename,
            files: &unpacked.files,
        };
        let path = self.finish(&check, &unpacked, store.as_ref(), &owner, &*progress)?;
        Ok(Outcome::Installed {
            version: version.clone(),
            path,
            unpacked,
            foreign: (!platform.is_host()).then_some(platform),
        })
    }

    /// Streams `file` (`opened` from `url`: the body and its announced
    /// size) into `dest`, verified against `expected`.
    #[allow(clippy::too_many_arguments)]
    fn download(
        &self,
        opened: (Box<dyn Read + Send>, Option<u64>),
        url: &Url,
        file: &IndexFile,
        expected: &Expected,
        dest: &Path,
        placement: Placement<'_>,
        progress: &dyn Progress,
    ) -> Result<Unpacked> {
        let (reader, total) = opened;
        progress.start(
            &file.filename,
            total.or((file.size > 0).then_some(file.size)),
        );
        extract::unpack_into(
            Input {
                reader,
                name: file.filename.clone(),
                location: url.to_string(),
                expected_size: file.size,
            },
            dest,
            Some(expected),
            (self.limits, self.pipeline, placement),
            progress,
        )
    }

    /// Installs a local archive. Its version comes from `go/VERSION`, and
    /// it must be built for `platform`; it is verified against `sha256`
    /// when given, else against the release index `index()` returns (which
    /// must list an archive of that version with the same digest for
    /// `platform`).
    pub fn install_archive(
        &self,
        archive: &Path,
        sha256: Option<[u8; 32]>,
        index: &dyn Fn() -> Result<Index>,
        platform: &Platform,
        force: bool,
        progress: Arc<dyn Progress>,
    ) -> Result<Outcome> {
        self.ensure_dirs()?;
        let shown = archive.file_name().map_or_else(
            || archive.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.clean_tmp(None);
        let (reader, total) = open_local(archive)?;
        // The version is known only after unpacking: unpack under an owner
        // of this process's own, locked so that other runs leave it alone.
        let local = LockName::Local {
            pid: std::process::id(),
            seq: LOCAL_SEQ.fetch_add(1, Ordering::Relaxed),
        };
        let scratch_lock = ScratchLock(lock::acquire(self.home(), &local, None, &|_| {})?);
        let tmp = scratch::create(self.home(), local, ScratchPurpose::Install)?;
        let (store, _shared) = self.shared_store(&*progress)?;
        let placement = store.as_ref().map_or(Placement::Write, Placement::Store);
        progress.start(&shown, total);
        let expected = sha256.map(|sha256| Expected {
            sha256,
            source: "--sha256".into(),
        });
        let unpacked = extract::unpack_into(
            Input {
                reader,
                name: shown.clone(),
                location: archive.display().to_string(),
                expected_size: 0,
            },
            tmp.path(),
            expected.as_ref(),
            (self.limits, self.pipeline, placement),
            &*progress,
        )?;
        let root = tmp.path().join("go");
        let expect = Expect {
            version: None,
            platform,
        };
        let version = verify_tree(&root, &shown, &expect)?;
        if sha256.is_none() {
            check_with_index(index, archive, &shown, &version, &unpacked.sha256, platform)?;
        }
        let owner = owner_of(&version);
        let _lock = self.lock(&owner, &*progress)?;
        if !force {
            if let Some(done) = self.already(&version, platform) {
                return Ok(done);
            }
        }
        let check = PreCommit {
            root: &root,
            version: &version,
            platform,
            archive: &shown,
            files: &unpacked.files,
        };
        let path = self.finish(&check, &unpacked, store.as_ref(), &owner, &*progress)?;
        drop(tmp);
        drop(scratch_lock);
        Ok(Outcome::Installed {
            version,
            path,
            unpacked,
            foreign: (!platform.is_host()).then(|| platform.clone()),
        })
    }

    /// Moves the verified tree at `root` to where `version`'s toolchain
    /// for `platform` goes; the caller holds `owner`'s lock.
    ///
    /// A toolchain already there (`--force`) is swapped with the new tree in
    /// one atomic step where the platform can (Linux `renameat2` with
    /// `RENAME_EXCHANGE`, macOS `renamex_np` with `RENAME_SWAP`), so the path
    /// never stops being an installed toolchain; the old tree, now at `root`,
    /// is deleted afterwards. Elsewhere the old tree is first moved aside into
    /// `tmp/`, leaving a moment in which the version is not installed.
    fn commit(
        &self,
        root: &Path,
        version: &GoVersion,
        platform: &Platform,
        owner: &LockName,
    ) -> Result<PathBuf> {
        let home = self.home();
        let target = toolchain_path(home, version, platform);
        let mut aside = Vec::new();
        if platform.is_host() {
            // The same release under its other name (`go1.20` for `go1.20.0`).
            if let Some(other) = home
                .find_installed(version)
                .map(|v| home.toolchain_dir(&v))
                .filter(|d| *d != target)
            {
                aside.push(self.move_aside(&other, owner)?);
            }
        } else if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        let exists = fs::symlink_metadata(&target).is_ok();
        let swapped = exists
            && exchange(root, &target).map_err(|e| Error::io("cannot replace", &target, e))?;
        if swapped {
            // The old tree now sits at `root`.
            aside.push(root.to_path_buf());
        } else {
            if exists {
                aside.push(self.move_aside(&target, owner)?);
            }
            fs::rename(root, &target).map_err(|e| self.rename_error(&target, e))?;
        }
        for a in aside {
            let _ = remove_tree(&a);
        }
        Ok(target)
    }

    /// The error for a failed rename of a new toolchain to `target`.
    fn rename_error(&self, target: &Path, e: io::Error) -> Error {
        if e.kind() == io::ErrorKind::CrossesDevices {
            let home = self.home();
            return Error::io("cannot move the new toolchain to", target, e).with_hint(format!(
                "{} and {} must be on one file system (gover renames a verified toolchain into place); move or mount the whole GOVER_HOME ({}) instead of toolchains/ alone",
                home.tmp_dir().display(),
                home.toolchains_dir().display(),
                home.root().display()
            ));
        }
        Error::io("cannot move the new toolchain to", target, e)
    }

    /// Renames `dir` into `tmp/` and returns where it went.
    fn move_aside(&self, dir: &Path, owner: &LockName) -> Result<PathBuf> {
        scratch::move_aside(
            self.home(),
            dir,
            owner.clone(),
            ScratchPurpose::Replaced,
            "cannot move aside",
        )
    }

    /// Fails, naming them, when running processes use the installed
    /// toolchain of `version` (see [`Installer::uninstall`]); a caller
    /// removing several checks all before removing any.
    pub fn check_unused(&self, version: &GoVersion) -> Result<()> {
        match self.home().find_installed(version) {
            Some(v) => check_unused(&v, &self.home().toolchain_dir(&v)),
            None => Ok(()),
        }
    }

    /// Removes an installed toolchain: under its lock, the directory is
    /// renamed into `tmp/` (so no half-deleted tree is ever seen as
    /// installed) and then deleted. Unless `force`, a toolchain that
    /// running processes use (a build in progress) is not removed: the
    /// error names them. Returns the removed GOROOT. Store files no
    /// toolchain holds any more are then removed too
    /// ([`Installer::collect_garbage`]).
    pub fn uninstall(
        &self,
        version: &GoVersion,
        force: bool,
        progress: &dyn Progress,
    ) -> Result<Uninstalled> {
        let path = self.remove_toolchain(version, force, progress)?;
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            if let Err(e) = crate::verified::remove(self.home(), name, &Platform::host()) {
                progress.message(&format!("{e}; remove it by hand"));
            }
        }
        let store = match self.store() {
            Some(s) => s,
            None => Store::new(self.home(), LinkMode::Auto),
        };
        store.remove_manifest(&path);
        let freed = match self.collect_garbage(&store, progress) {
            Ok(r) => Some(r),
            Err(e) => {
                progress.message(&format!(
                    "could not clean up the toolchain store: {e}; `gover store gc` does it later"
                ));
                None
            }
        };
        Ok(Uninstalled { path, freed })
    }

    /// Every installed toolchain's GOROOT, this machine's and others'.
    pub fn installed_roots(&self) -> Vec<PathBuf> {
        let home = self.home();
        let mut out: Vec<PathBuf> = home
            .installed()
            .unwrap_or_default()
            .iter()
            .map(|v| home.toolchain_dir(v))
            .collect();
        out.extend(foreign_installed(home).into_iter().map(|(_, _, p)| p));
        out
    }

    /// Removes the store files no installed toolchain holds, under the
    /// store's lock held exclusively (waiting for running installs).
    pub fn collect_garbage(&self, store: &Store, progress: &dyn Progress) -> Result<GcReport> {
        if !store.dir().is_dir() {
            return Ok(GcReport::default());
        }
        let _lock = self.lock_store(store, true, progress)?;
        store.gc(&self.installed_roots())
    }

    fn remove_toolchain(
        &self,
        version: &GoVersion,
        force: bool,
        progress: &dyn Progress,
    ) -> Result<PathBuf> {
        let Some(installed) = self.home().find_installed(version) else {
            return Err(not_installed(self.home(), version));
        };
        let owner = owner_of(&installed);
        self.ensure_dirs()?;
        let _lock = self.lock(&owner, progress)?;
        self.clean_tmp(Some(&owner));
        // Look again: another process may have removed it meanwhile.
        let Some(installed) = self.home().find_installed(version) else {
            return Err(not_installed(self.home(), version));
        };
        let dir = self.home().toolchain_dir(&installed);
        if !force {
            check_unused(&installed, &dir)?;
        }
        let aside = scratch::move_aside(
            self.home(),
            &dir,
            owner,
            ScratchPurpose::Remove,
            "cannot remove",
        )?;
        if let Err(e) = remove_tree(&aside) {
            progress.message(&format!(
                "could not delete {} ({e}); it will be removed by the next install",
                aside.display()
            ));
        }
        Ok(dir)
    }
}

/// What an uninstall removed.
#[derive(Debug)]
pub struct Uninstalled {
    /// The removed GOROOT.
    pub path: PathBuf,
    /// What the store's clean-up freed (`None`: it could not run now).
    pub freed: Option<GcReport>,
}

/// An error naming the processes that use the toolchain `v` at `dir`, if
/// any do.
fn check_unused(v: &GoVersion, dir: &Path) -> Result<()> {
    let users = inuse::processes_using(dir);
    if users.is_empty() {
        return Ok(());
    }
    Err(in_use(v, dir, &users))
}

/// The error for removing a toolchain that `users` use.
fn in_use(v: &GoVersion, dir: &Path, users: &[inuse::Process]) -> Error {
    let name = v.toolchain_name();
    let n = users.len();
    let list: Vec<String> = users.iter().take(5).map(|p| format!("\n  {p}")).collect();
    let more = if n > 5 {
        format!("\n  and {} more", n - 5)
    } else {
        String::new()
    };
    Error::new(
        ErrorKind::InUse,
        format!(
            "{name} ({}) is in use by {n} running process{}:{}{more}",
            dir.display(),
            if n == 1 { "" } else { "es" },
            list.concat()
        ),
    )
    .with_hint(format!(
        "removing it now breaks them (a build in progress fails): wait for them to finish, or run `gover uninstall --force {}` to remove it anyway",
        v.as_str()
    ))
}

/// The error for removing a version that is not installed, listing those that are.
pub fn not_installed(home: &GoverHome, v: &GoVersion) -> Error {
    let installed = home.installed().unwrap_or_default();
    let list = if installed.is_empty() {
        "no toolchains are installed".to_string()
    } else {
        format!(
            "installed: {}",
            installed
                .iter()
                .map(GoVersion::toolchain_name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Error::new(
        ErrorKind::NotInstalled,
        format!(
            "{} is not installed in {} ({list})",
            v.toolchain_name(),
            home.toolchains_dir().display()
        ),
    )
    .with_hint("`gover list` shows installed versions")
}

/// The hint for a local archive the index cannot vouch for.
fn sha256_hint(archive: &str) -> String {
    format!("pass the archive's sha256: `gover install --from {archive} --sha256 HEX`")
}

/// Checks a local archive against the release index `index()` returns
/// (when no `--sha256` was given).
fn check_with_index(
    index: &dyn Fn() -> Result<Index>,
    archive: &Path,
    shown: &str,
    version: &GoVersion,
    digest: &[u8; 32],
    platform: &Platform,
) -> Result<()> {
    let index = index().map_err(|e| {
        Error::new(
            e.kind(),
            format!("cannot verify {shown} against the release index: {e}"),
        )
        .with_hint(sha256_hint(&archive.display().to_string()))
    })?;
    verify_with_index(&index, version, digest, shown, platform)
}

fn verify_with_index(
    index: &Index,
    version: &GoVersion,
    digest: &[u8; 32],
    archive: &str,
    platform: &Platform,
) -> Result<()> {
    let name = version.toolchain_name();
    let Some(release) = index.find(version) else {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "cannot verify {archive}: the release index {} does not list {name}",
                index.url
            ),
        )
        .with_hint(sha256_hint(archive)));
    };
    let matching = release
        .files
        .iter()
        .find(|f| f.sha256_bytes().as_ref() == Some(digest));
    match matching {
        Some(f) if f.kind == "archive" && platform.matches(&f.os, &f.arch) => Ok(()),
        Some(f) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{archive} is the {}-{} {} of {name}, not the archive for {platform}",
                f.os, f.arch, f.kind
            ),
        )
        .with_hint(format!(
            "use the {platform} archive, or pass `--platform {}-{}` to install it anyway",
            f.os, f.arch
        ))),
        None => {
            let want = release.archive_for(platform, &index.url).ok();
            let expected = match want.and_then(IndexFile::sha256_bytes) {
                Some(s) => format!(
                    "\n  expected sha256 {} (from the release index {}, {})",
                    hex(&s),
                    index.url,
                    want.map_or("", |f| f.filename.as_str())
                ),
                None => format!(
                    "\n  the release index {} lists no archive of {name} for {platform}",
                    index.url
                ),
            };
            Err(Error::new(
                ErrorKind::ChecksumMismatch,
                format!(
                    "checksum mismatch for {archive}{expected}\n  computed sha256 {}",
                    hex(digest)
                ),
            )
            .with_hint("the file is corrupt or not an official release; nothing was installed"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A tiny toolchain archive of go1.22.10 for this machine, and its sha256.
    fn archive(dir: &Path) -> (PathBuf, [u8; 32]) {
        use sha2::Digest;
        let mut b = tar::Builder::new(Vec::new());
        let tool = format!("go/pkg/tool/{}/compile", Platform::host().tool_dir());
        for (path, mode, data) in [
            ("go/VERSION", 0o644, "go1.22.10\n"),
            ("go/bin/go", 0o755, "#!/bin/sh\n"),
            (tool.as_str(), 0o755, "#!/bin/sh\n"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(mode);
            h.set_cksum();
            b.append_data(&mut h, path, data.as_bytes()).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
        let bytes = gz.finish().unwrap();
        let path = dir.join("go1.22.10.tar.gz");
        fs::write(&path, &bytes).unwrap();
        (path, sha2::Sha256::digest(&bytes).into())
    }

    #[test]
    fn the_pre_commit_check_sees_the_manifest_and_can_veto_the_commit() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path().join("home"));
        let dist = Dist::new(home.clone(), crate::source::Sources::default());
        let (file, sha) = archive(t.path());
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let veto = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let mut installer = Installer::new(&dist);
        let (seen2, veto2) = (seen.clone(), veto.clone());
        installer.pre_commit = Some(Box::new(move |c: &PreCommit<'_>| {
            assert!(c.root.join("bin/go").is_file());
            assert_eq!(c.version.toolchain_name(), "go1.22.10");
            let mut s = seen2.lock().unwrap();
            s.clear();
            for f in c.files {
                s.push(format!(
                    "{} {} {} {}",
                    f.path,
                    f.executable,
                    f.size,
                    hex(&f.sha256)
                ));
            }
            if veto2.load(Ordering::SeqCst) {
                return Err(Error::new(ErrorKind::ChecksumMismatch, "h1: mismatch"));
            }
            Ok(())
        }));
        let no_index = || -> Result<Index> { unreachable!() };
        let host = Platform::host();
        let install = || {
            installer.install_archive(
                &file,
                Some(sha),
                &no_index,
                &host,
                false,
                Arc::new(crate::NoProgress),
            )
        };
        let e = install().unwrap_err();
        assert_eq!(e.to_string(), "h1: mismatch");
        assert!(home.installed().unwrap().is_empty());
        assert!(home.scratch_entries().unwrap().is_empty());
        let hello = hex(&crate::store::Key::of(b"#!/bin/sh\n", true).sha256);
        assert_eq!(
            seen.lock().unwrap()[1],
            format!("bin/go true 10 {hello}"),
            "{:?}",
            seen.lock().unwrap()
        );
        veto.store(false, Ordering::SeqCst);
        install().unwrap();
        assert_eq!(home.installed().unwrap().len(), 1);
        assert_eq!(seen.lock().unwrap()[0].split(' ').next(), Some("VERSION"));
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    fn exchange_swaps_two_trees_in_place() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        fs::create_dir_all(a.join("bin")).unwrap();
        fs::create_dir_all(b.join("bin")).unwrap();
        fs::write(a.join("bin/go"), "new").unwrap();
        fs::write(b.join("bin/go"), "old").unwrap();
        assert!(exchange(&a, &b).unwrap());
        assert_eq!(fs::read_to_string(b.join("bin/go")).unwrap(), "new");
        assert_eq!(fs::read_to_string(a.join("bin/go")).unwrap(), "old");
    }

    #[test]
    fn exchange_with_a_missing_side_is_an_error_not_a_half_move() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("missing"));
        fs::create_dir(&a).unwrap();
        if cfg!(any(
            target_os = "linux",
            target_os = "android",
            target_vendor = "apple"
        )) {
            assert!(exchange(&a, &b).is_err());
        } else {
            assert!(!exchange(&a, &b).unwrap());
        }
        assert!(a.is_dir() && !b.exists());
    }
}
