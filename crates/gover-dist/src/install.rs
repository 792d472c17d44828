//! The install and uninstall transactions.
//!
//! An install unpacks into `$GOVER_HOME/tmp/go<version>@install-<pid>-<n>/`
//! (same file system as `toolchains/`), checks the sha256 and that
//! `go/VERSION` names the expected version, then renames `go/` to
//! `toolchains/go<version>`. That rename is the commit point: before it,
//! nothing under `toolchains/` changed; an interrupted install leaves only
//! a directory in `tmp/`, removed by the next run. Installs and uninstalls
//! of one version are serialised by its lock (see [`crate::lock`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gover_core::{GoVersion, GoverHome};

use crate::error::{Error, ErrorKind, Result};
use crate::extract::{self, Expected, Input, Limits, Pipeline, Unpacked};
use crate::index::{hex, Index, IndexFile};
use crate::lock::{self, InstallLock};
use crate::platform::Platform;
use crate::source::{open_local, Dist};
use crate::Progress;

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
    },
    /// The version was already there (and `force` was off).
    AlreadyInstalled {
        /// The version.
        version: GoVersion,
        /// Its GOROOT.
        path: PathBuf,
    },
}

/// Installs and uninstalls toolchains under a home.
pub struct Installer<'a> {
    dist: &'a Dist,
    /// Extraction caps.
    pub limits: Limits,
    /// Extraction tuning.
    pub pipeline: Pipeline,
    /// How long to wait for another process's lock (`None`: forever).
    pub lock_timeout: Option<Duration>,
}

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

fn tmp_name(toolchain: &str, what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{toolchain}@{what}-{}-{nanos}-{}",
        std::process::id(),
        TMP_SEQ.fetch_add(1, Ordering::Relaxed)
    )
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
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
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
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
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
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Flushes the unpacked tree at `root` to disk before it is renamed into
/// `toolchains/`: after a power cut, a committed toolchain must not hold
/// files whose data never reached the disk. On Linux one `syncfs` on the
/// file system holding it does this (the files were written moments ago,
/// so that is where nearly all of its dirty data is); elsewhere every file
/// and directory is synced.
fn sync_tree(root: &Path) -> Result<()> {
    sync_tree_io(root).map_err(|e| Error::io("cannot flush to disk", root, e))
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

/// Removes a directory tree, tolerating its absence.
fn remove_tree(p: &Path) -> io::Result<()> {
    match fs::remove_dir_all(p) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
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

/// Names of the scratch space of `install --from` (the version is known
/// only after unpacking).
const LOCAL_PREFIX: &str = "local-";

/// The lock of a one-off scratch name, whose file goes away with it.
struct ScratchLock(InstallLock);

impl Drop for ScratchLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.0.path());
    }
}

/// A scratch directory removed on drop.
struct TmpDir {
    path: PathBuf,
}

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = remove_tree(&self.path);
    }
}

impl<'a> Installer<'a> {
    /// An installer using `dist` for the index and archives.
    pub fn new(dist: &'a Dist) -> Self {
        Self {
            dist,
            limits: Limits::default(),
            pipeline: Pipeline::default(),
            lock_timeout: None,
        }
    }

    fn home(&self) -> &GoverHome {
        self.dist.home()
    }

    fn ensure_dirs(&self) -> Result<()> {
        for d in [self.home().toolchains_dir(), self.home().tmp_dir()] {
            fs::create_dir_all(&d).map_err(|e| Error::io("cannot create", &d, e))?;
        }
        spread_subdirs(&self.home().tmp_dir());
        Ok(())
    }

    fn lock(&self, name: &str, progress: &dyn Progress) -> Result<InstallLock> {
        lock::acquire(self.home(), name, self.lock_timeout, &|p| {
            progress.message(&format!(
                "waiting for another gover process working on {name} (lock file {})",
                p.display()
            ))
        })
    }

    /// Removes what interrupted installs and uninstalls left in `tmp/`:
    /// entries of `held` (whose lock the caller holds) and of any version
    /// whose lock is free. Entries of versions being worked on are kept.
    pub fn clean_tmp(&self, held: Option<&str>) {
        let Ok(rd) = fs::read_dir(self.home().tmp_dir()) else {
            return;
        };
        for entry in rd.flatten() {
            let name = entry.file_name();
            let Some((toolchain, _)) = name.to_str().and_then(|n| n.split_once('@')) else {
                continue;
            };
            if Some(toolchain) == held {
                let _ = remove_tree(&entry.path());
            } else if let Ok(Some(l)) = lock::try_acquire(self.home(), toolchain) {
                let _ = remove_tree(&entry.path());
                if toolchain.starts_with(LOCAL_PREFIX) {
                    drop(ScratchLock(l));
                }
            }
        }
    }

    fn new_tmp(&self, toolchain: &str) -> Result<TmpDir> {
        let path = self.home().tmp_dir().join(tmp_name(toolchain, "install"));
        fs::create_dir(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        Ok(TmpDir { path })
    }

    /// Downloads `file` of release `version` from the mirror, verifies it
    /// against the index's sha256 and installs it.
    pub fn install_release(
        &self,
        version: &GoVersion,
        file: &IndexFile,
        index_url: &str,
        force: bool,
        progress: Arc<dyn Progress>,
    ) -> Result<Outcome> {
        let name = version.toolchain_name();
        self.ensure_dirs()?;
        let _lock = self.lock(&name, &*progress)?;
        self.clean_tmp(Some(&name));
        if !force {
            if let Some(v) = self.home().find_installed(version) {
                return Ok(Outcome::AlreadyInstalled {
                    path: self.home().toolchain_dir(&v),
                    version: v,
                });
            }
        }
        let sha = file.sha256_bytes().ok_or_else(|| {
            Error::new(
                ErrorKind::ChecksumMismatch,
                format!(
                    "the release index {index_url} has no sha256 for {} (releases before go1.6 only published SHA1), and gover installs only verified archives",
                    file.filename
                ),
            )
            .with_hint(format!(
                "download it yourself, check it, and run `gover install --from {} --sha256 HEX`",
                file.filename
            ))
        })?;
        let url = self.dist.archive_url(&file.filename);
        let tmp = self.new_tmp(&name)?;
        let (reader, total) = self.dist.open_archive(&url, file.size, progress.clone())?;
        progress.start(
            &file.filename,
            total.or((file.size > 0).then_some(file.size)),
        );
        let expected = Expected {
            sha256: sha,
            source: format!("the release index {index_url}"),
        };
        let unpacked = extract::unpack(
            Input {
                reader,
                name: file.filename.clone(),
                location: url,
                expected_size: file.size,
            },
            &tmp.path,
            Some(&expected),
            self.limits,
            self.pipeline,
            &*progress,
        )?;
        let root = tmp.path.join("go");
        let found = check_tree(&root, &file.filename)?;
        if found != *version {
            return Err(Error::new(
                ErrorKind::BadArchive,
                format!(
                    "{} holds {} (go/VERSION), not {name}",
                    file.filename,
                    found.toolchain_name()
                ),
            )
            .with_hint("the mirror serves the wrong file under this name; nothing was installed"));
        }
        sync_tree(&root)?;
        let path = self.commit(&root, version)?;
        Ok(Outcome::Installed {
            version: version.clone(),
            path,
            unpacked,
        })
    }

    /// Installs a local archive. Its version comes from `go/VERSION`; it is
    /// verified against `sha256` when given, else against the release
    /// index `index()` returns (which must list an archive of that version
    /// with the same digest for `platform`).
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
        // The version is known only after unpacking: unpack under a name of
        // this process's own, locked so that other runs leave it alone.
        let scratch = format!(
            "{LOCAL_PREFIX}{}-{}",
            std::process::id(),
            TMP_SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let scratch_lock = ScratchLock(lock::acquire(self.home(), &scratch, None, &|_| {})?);
        let tmp = self.new_tmp(&scratch)?;
        progress.start(&shown, total);
        let expected = sha256.map(|s| Expected {
            sha256: s,
            source: "--sha256".to_string(),
        });
        let unpacked = extract::unpack(
            Input {
                reader,
                name: shown.clone(),
                location: archive.display().to_string(),
                expected_size: 0,
            },
            &tmp.path,
            expected.as_ref(),
            self.limits,
            self.pipeline,
            &*progress,
        )?;
        let root = tmp.path.join("go");
        let version = check_tree(&root, &shown)?;
        let name = version.toolchain_name();
        if sha256.is_none() {
            let index = index().map_err(|e| {
                Error::new(
                    e.kind(),
                    format!("cannot verify {shown} against the release index: {e}"),
                )
                .with_hint(format!(
                    "pass the archive's sha256: `gover install --from {} --sha256 HEX`",
                    archive.display()
                ))
            })?;
            verify_with_index(&index, &version, &unpacked.sha256, &shown, platform)?;
        }
        let _lock = self.lock(&name, &*progress)?;
        if !force {
            if let Some(v) = self.home().find_installed(&version) {
                return Ok(Outcome::AlreadyInstalled {
                    path: self.home().toolchain_dir(&v),
                    version: v,
                });
            }
        }
        sync_tree(&root)?;
        let path = self.commit(&root, &version)?;
        drop(tmp);
        drop(scratch_lock);
        Ok(Outcome::Installed {
            version,
            path,
            unpacked,
        })
    }

    /// Moves the verified tree at `root` to `toolchains/go<version>`.
    ///
    /// A toolchain already there (`--force`) is swapped with the new tree in
    /// one atomic step where the platform can (Linux `renameat2` with
    /// `RENAME_EXCHANGE`, macOS `renamex_np` with `RENAME_SWAP`), so the path
    /// never stops being an installed toolchain; the old tree, now at `root`,
    /// is deleted afterwards. Elsewhere the old tree is first moved aside into
    /// `tmp/`, leaving a moment in which the version is not installed.
    fn commit(&self, root: &Path, version: &GoVersion) -> Result<PathBuf> {
        let target = self.home().toolchain_dir(version);
        let mut aside = Vec::new();
        // The same release under its other name (`go1.20` for `go1.20.0`).
        if let Some(other) = self
            .home()
            .find_installed(version)
            .map(|v| self.home().toolchain_dir(&v))
            .filter(|d| *d != target)
        {
            aside.push(self.move_aside(&other, version)?);
        }
        let exists = fs::symlink_metadata(&target).is_ok();
        let swapped = exists
            && exchange(root, &target).map_err(|e| Error::io("cannot replace", &target, e))?;
        if swapped {
            // The old tree now sits at `root`.
            aside.push(root.to_path_buf());
        } else {
            if exists {
                aside.push(self.move_aside(&target, version)?);
            }
            fs::rename(root, &target).map_err(|e| {
                if e.kind() == io::ErrorKind::CrossesDevices {
                    let home = self.home();
                    return Error::io("cannot move the new toolchain to", &target, e).with_hint(format!(
                        "{} and {} must be on one file system (gover renames a verified toolchain into place); move or mount the whole GOVER_HOME ({}) instead of toolchains/ alone",
                        home.tmp_dir().display(),
                        home.toolchains_dir().display(),
                        home.root().display()
                    ));
                }
                Error::io("cannot move the new toolchain to", &target, e)
            })?;
        }
        for a in aside {
            let _ = remove_tree(&a);
        }
        Ok(target)
    }

    /// Renames `dir` into `tmp/` and returns where it went.
    fn move_aside(&self, dir: &Path, version: &GoVersion) -> Result<PathBuf> {
        let to = self
            .home()
            .tmp_dir()
            .join(tmp_name(&version.toolchain_name(), "replaced"));
        fs::rename(dir, &to).map_err(|e| Error::io("cannot move aside", dir, e))?;
        Ok(to)
    }

    /// Removes an installed toolchain: under its lock, the directory is
    /// renamed into `tmp/` (so no half-deleted tree is ever seen as
    /// installed) and then deleted. Returns the removed GOROOT.
    pub fn uninstall(&self, version: &GoVersion, progress: &dyn Progress) -> Result<PathBuf> {
        let Some(installed) = self.home().find_installed(version) else {
            return Err(not_installed(self.home(), version));
        };
        let name = installed.toolchain_name();
        self.ensure_dirs()?;
        let _lock = self.lock(&name, progress)?;
        self.clean_tmp(Some(&name));
        // Look again: another process may have removed it meanwhile.
        let Some(installed) = self.home().find_installed(version) else {
            return Err(not_installed(self.home(), version));
        };
        let dir = self.home().toolchain_dir(&installed);
        let aside = self.home().tmp_dir().join(tmp_name(&name, "remove"));
        fs::rename(&dir, &aside).map_err(|e| Error::io("cannot remove", &dir, e))?;
        if let Err(e) = remove_tree(&aside) {
            progress.message(&format!(
                "could not delete {} ({e}); it will be removed by the next install",
                aside.display()
            ));
        }
        Ok(dir)
    }
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

/// Checks that an unpacked tree is a Go toolchain and returns the version
/// its `VERSION` file names.
fn check_tree(root: &Path, archive: &str) -> Result<GoVersion> {
    if !root.is_dir() {
        return Err(Error::new(
            ErrorKind::BadArchive,
            format!("{archive} has no go/ directory; it is not a Go toolchain archive"),
        ));
    }
    let line = extract::read_version_file(root).map_err(|_| {
        Error::new(
            ErrorKind::BadArchive,
            format!("{archive} has no go/VERSION file; it is not a Go toolchain archive"),
        )
    })?;
    let version = GoVersion::from_toolchain(&line).ok_or_else(|| {
        Error::new(
            ErrorKind::BadArchive,
            format!(
                "{archive}: go/VERSION starts with `{}`, which is not a Go release name",
                line.escape_debug()
            ),
        )
    })?;
    if !GoverHome::is_installed_dir(root) {
        return Err(Error::new(
            ErrorKind::BadArchive,
            format!("{archive} has no go/bin/go; it is not a binary Go toolchain archive"),
        ));
    }
    // The go command finds its compiler and linker in pkg/tool, and only a
    // directory holding pkg/tool counts as a GOROOT (go-versions.md §3.6, §4.9).
    if !root.join("pkg").join("tool").is_dir() {
        return Err(Error::new(
            ErrorKind::BadArchive,
            format!("{archive} has no go/pkg/tool directory; it is not a complete Go toolchain (go would fail with `no such tool \"compile\"`)"),
        ));
    }
    Ok(version)
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
        .with_hint(format!(
            "pass the archive's sha256: `gover install --from {archive} --sha256 HEX`"
        )));
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

    /// §3.3/§3.6: the first line of VERSION names the version (a `time`
    /// line follows since Go 1.21; custom suffixes are allowed), and a
    /// toolchain needs bin/go and pkg/tool.
    #[test]
    fn check_tree_reads_version_and_needs_bin_go_and_pkg_tool() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("go");
        fs::create_dir_all(root.join("bin")).unwrap();
        fs::write(root.join("bin").join(gover_core::home::exe_name("go")), "").unwrap();
        fs::write(
            root.join("VERSION"),
            "go1.21.0\ntime 2023-08-04T20:14:06Z\n",
        )
        .unwrap();
        let e = check_tree(&root, "a.tar.gz").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadArchive);
        assert!(e.to_string().contains("go/pkg/tool"), "{e}");
        fs::create_dir_all(root.join("pkg/tool/linux_amd64")).unwrap();
        assert_eq!(
            check_tree(&root, "a.tar.gz").unwrap().toolchain_name(),
            "go1.21.0"
        );
        for (text, name) in [
            ("go1.20", "go1.20"),
            ("go1.20\r\n", "go1.20"),
            ("  go1.24rc3 \ntime 2025-01-31T21:35:26Z\n", "go1.24rc3"),
            ("go1.21.0-bigcorp\ntime 2023-08-04T20:14:06Z\n", "go1.21.0"),
        ] {
            fs::write(root.join("VERSION"), text).unwrap();
            assert_eq!(
                check_tree(&root, "a.tar.gz").unwrap().toolchain_name(),
                name,
                "{text:?}"
            );
        }
        for bad in [
            "time 2023-08-04T20:14:06Z\ngo1.21.0\n",
            "devel go1.22-abc\n",
            "",
        ] {
            fs::write(root.join("VERSION"), bad).unwrap();
            let e = check_tree(&root, "a.tar.gz").unwrap_err();
            assert!(
                e.to_string().contains("not a Go release name"),
                "{bad:?}: {e}"
            );
        }
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
