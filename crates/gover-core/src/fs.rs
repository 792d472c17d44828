//! The file-system rules every part of gover follows.
//!
//! - **Reading** anything that comes from outside (pin files, go.mod,
//!   `config.toml`, shell startup files, Go's env file) goes through
//!   [`read_small_text`]: bounded in size, refused when it is not a regular
//!   file, and never able to block on a FIFO or a device.
//! - **gover's own files** (caches, its settings, the global default when
//!   it is not a link) are replaced with [`write_atomic`]: a new file in the
//!   same directory, flushed, then renamed over the old one, so a reader or a
//!   crash sees the old content or the new, never a part. A link at the path
//!   is replaced, never followed.
//! - **Files gover does not own** (`.go-version` in a user's project, shell
//!   startup files) are written only through [`UserFile`], which resolves a
//!   symbolic link under a [`LinkPolicy`], refuses anything that is not a
//!   regular file, and replaces the file atomically. No other code writes
//!   them.
//! - Identity and permissions: [`FileId`], [`same_file`], [`is_executable`].

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::text::untrusted_path;

/// `O_NONBLOCK` for `open(2)`, where std does not name it: opening a FIFO
/// with it returns at once instead of waiting for a writer. On platforms
/// not listed the check after `open` still refuses a FIFO, but a FIFO
/// swapped in between the first check and `open` could block.
#[cfg(all(
    target_os = "linux",
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: i32 = 0x4;
#[cfg(not(any(
    all(
        target_os = "linux",
        not(any(
            target_arch = "mips",
            target_arch = "mips64",
            target_arch = "sparc",
            target_arch = "sparc64"
        ))
    ),
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
)))]
const O_NONBLOCK: i32 = 0;

/// What kind of file a non-regular path is, in words for an error.
fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

fn not_regular(meta: &Metadata) -> io::Error {
    let what = kind_of(meta);
    let msg = if what == "a directory" {
        "is a directory, not a file".to_string()
    } else if what == "not a regular file" {
        "is not a regular file".to_string()
    } else {
        format!("is not a regular file ({what})")
    };
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Opens `path` for reading only if it is a regular file (following
/// links), without ever blocking on a FIFO or device.
pub fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    // stat first: as cheap as open+fstat, and never opens a FIFO at all.
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(O_NONBLOCK);
    }
    let file = opts.open(path)?;
    // It may have been swapped for something else since the stat.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok((file, meta))
}

/// Reads a small UTF-8 text file. Directories, FIFOs, sockets and devices,
/// files larger than `max` bytes and invalid UTF-8 are errors
/// (`InvalidInput`/`InvalidData`) whose message says what is wrong; a
/// missing file is `NotFound`.
pub fn read_small_text(path: &Path, max: u64) -> io::Result<String> {
    read_small_text_meta(path, max).map(|(text, _)| text)
}

/// Like [`read_small_text`], also returning the file's metadata (its owner,
/// for one), at no extra cost.
pub fn read_small_text_meta(path: &Path, max: u64) -> io::Result<(String, Metadata)> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "is {} bytes; a file of at most {max} bytes was expected",
                meta.len()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is larger than {max} bytes"),
        ));
    }
    let text = String::from_utf8(buf)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "is not UTF-8 text"))?;
    Ok((text, meta))
}

/// Like [`read_small_text_meta`] but `Ok(None)` when the file does not exist.
pub fn read_optional_meta(path: &Path, max: u64) -> io::Result<Option<(String, Metadata)>> {
    match read_small_text_meta(path, max) {
        Ok(t) => Ok(Some(t)),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Like [`read_small_text`] but `Ok(None)` when the file does not exist.
pub fn read_optional(path: &Path, max: u64) -> io::Result<Option<String>> {
    match read_small_text(path, max) {
        Ok(t) => Ok(Some(t)),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// True when `e` says the file does not exist (`ENOENT`, or `ENOTDIR`: a
/// component of the path is a file, so nothing below it can exist).
pub fn is_missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory
}

/// True when the permission bits allow someone to execute the file.
#[cfg(unix)]
pub fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// True when the permission bits allow someone to execute the file.
#[cfg(not(unix))]
pub fn is_executable(_meta: &Metadata) -> bool {
    true
}

/// True when `path` is a regular file (after links) that may be executed.
pub fn is_executable_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && is_executable(&m))
}

/// The identity of a file (device and inode on Unix), to recognise one
/// file under several names (hard links, links, bind mounts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId(u64, u64);

impl FileId {
    /// The identity of the file `path` names (following links).
    pub fn of(path: &Path) -> Option<Self> {
        Self::of_meta(&fs::metadata(path).ok()?)
    }

    /// The identity recorded in `meta`.
    #[cfg(unix)]
    pub fn of_meta(meta: &Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self(meta.dev(), meta.ino()))
    }

    /// The identity recorded in `meta` (none on this platform).
    #[cfg(not(unix))]
    pub fn of_meta(_meta: &Metadata) -> Option<Self> {
        None
    }
}

impl fmt::Display for FileId {
    /// `<device>:<inode>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
    }
}

/// The effective user id of this process.
#[cfg(unix)]
pub fn effective_uid() -> u32 {
    extern "C" {
        fn geteuid() -> u32;
    }
    // SAFETY: geteuid(2) takes no arguments, cannot fail and touches no
    // memory of ours; uid_t is a 32-bit unsigned integer on every Unix
    // Rust supports.
    unsafe { geteuid() }
}

/// True when `a` and `b` name the same file or directory.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (FileId::of(a), FileId::of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The executable `name` (with this platform's suffix added by the caller)
/// in the directory of the running executable, as started or after
/// resolving links: how the shim finds `gover` and `gover` finds the shim.
pub fn beside_current_exe(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let beside = exe.with_file_name(name);
    if beside.is_file() {
        return Some(beside);
    }
    let real = fs::canonicalize(&exe).ok()?.with_file_name(name);
    real.is_file().then_some(real)
}

/// True when `name` is one plain path segment, safe to join to a
/// directory gover owns: not empty, at most 255 bytes, no `/` or `\`, not
/// starting with `.` (so neither `..` nor a hidden file), and no control
/// character or NUL. Every file name that comes from outside (a release
/// index, a mirror listing) must pass this before it names a file.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// The name of a temporary file gover creates beside `target` before
/// renaming it into place: `.<name>.gover-tmp-<pid>-<seq>`.
fn tmp_beside(target: &Path) -> io::Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(format!(
        ".gover-tmp-{}-{}",
        std::process::id(),
        TMP_SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    Ok(target.with_file_name(tmp))
}

/// Writes `bytes` to a new file at `path`, failing if anything (a file, a
/// link, even a dangling one) is already there.
pub fn write_new(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(m) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(m);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path)?;
    let res = f.write_all(bytes).and_then(|()| f.sync_all());
    if res.is_err() {
        let _ = fs::remove_file(path);
    }
    res
}

/// Replaces the directory entry `path` with a file holding `bytes`: the
/// data goes to a new file beside it (created exclusively, so no link
/// planted there is followed), is flushed, gets `mode` (or the old file's
/// permissions), and is renamed over `path`. A link at `path` is replaced,
/// not followed. On failure nothing at `path` changed and the temporary
/// file is gone.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let tmp = tmp_beside(path)?;
    let mode = mode.or_else(|| permissions_of(path));
    let res = write_new(&tmp, bytes, mode.or(Some(0o644))).and_then(|()| {
        #[cfg(unix)]
        if let Some(m) = mode {
            // create_new's mode is masked by the umask; set it exactly.
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(m))?;
        }
        fs::rename(&tmp, path)
    });
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
        return res;
    }
    sync_parent(path);
    Ok(())
}

/// The permission bits of the regular file at `path` (not through a link).
fn permissions_of(path: &Path) -> Option<u32> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    None
}

/// Flushes the directory holding `path`, so a rename into it survives a
/// crash. Best effort: not every platform can open a directory.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// When a file gover does not own may be written through a symbolic link.
pub enum LinkPolicy<'a> {
    /// Through a link only to a regular file: a shell startup file kept in
    /// a dotfiles repository (`~/.bashrc -> ~/dotfiles/bashrc`).
    RegularTarget,
    /// A pin file: through a link only to a regular file that already holds
    /// a valid pin (`holds_pin` says so of its text), and, when `tree` is
    /// given, that lies inside that directory tree (a repository's
    /// `.go-version -> ../.bashrc` must never overwrite `~/.bashrc`).
    Pin {
        /// The directory tree the link's target must stay inside.
        tree: Option<&'a Path>,
        /// Whether a file's text is a valid pin.
        holds_pin: &'a dyn Fn(&str) -> bool,
    },
}

/// Why a pin file's link to `target` (a regular file holding `text`) must
/// not be written through under [`LinkPolicy::Pin`], if it must not.
fn pin_link_refusal(
    target: &Path,
    tree: Option<&Path>,
    text: &str,
    holds_pin: &dyn Fn(&str) -> bool,
) -> Option<String> {
    if let Some(tree) = tree {
        if !fs::canonicalize(tree).is_ok_and(|t| target.starts_with(&t)) {
            return Some(format!("which is outside {}", untrusted_path(tree)));
        }
    }
    (!holds_pin(text)).then(|| "which does not hold a Go version pin (and nothing else)".into())
}

/// The largest file [`UserFile`] reads back to check it.
const MAX_USER_FILE_BYTES: u64 = 4 << 20;

/// A file gover does not own, resolved for writing: the only way gover
/// writes pin files in users' directories and shell startup files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFile {
    /// The path as named (`./.go-version`, `~/.bashrc`).
    pub path: PathBuf,
    /// The file that is read and replaced: `path`, or the regular file its
    /// link points to.
    pub target: PathBuf,
    /// Whether `path` is a symbolic link.
    pub via_link: bool,
    /// Whether the file exists now.
    pub exists: bool,
}

/// Why gover will not write a file it does not own.
#[derive(Debug)]
pub enum UserFileError {
    /// The path is (or leads to) something that must not be replaced.
    Refused {
        /// The path as named.
        path: PathBuf,
        /// Where its link points, when it is a link.
        target: Option<PathBuf>,
        /// What is wrong, in words.
        reason: String,
    },
    /// The file system said no.
    Io {
        /// The path as named.
        path: PathBuf,
        /// What failed, in words (`cannot read`, `cannot write`).
        what: &'static str,
        /// The error.
        error: io::Error,
    },
}

impl fmt::Display for UserFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused {
                path,
                target: Some(t),
                reason,
            } => write!(
                f,
                "refusing to write {}: it is a symbolic link to {}, {reason}",
                untrusted_path(path),
                untrusted_path(t)
            ),
            Self::Refused {
                path,
                target: None,
                reason,
            } => write!(f, "refusing to write {}: it {reason}", untrusted_path(path)),
            Self::Io { path, what, error } => {
                write!(f, "{what} {}: {error}", untrusted_path(path))
            }
        }
    }
}

impl std::error::Error for UserFileError {}

impl UserFileError {
    /// The I/O error behind this one, if any (for disk-full and read-only hints).
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            Self::Io { error, .. } => Some(error),
            Self::Refused { .. } => None,
        }
    }
}

impl UserFile {
    /// Resolves `path` for writing under `policy`.
    pub fn open(path: &Path, policy: &LinkPolicy<'_>) -> Result<Self, UserFileError> {
        let refused = |target: Option<PathBuf>, reason: String| UserFileError::Refused {
            path: path.to_path_buf(),
            target,
            reason,
        };
        let io_err = |what, error| UserFileError::Io {
            path: path.to_path_buf(),
            what,
            error,
        };
        let plain = |exists| Self {
            path: path.to_path_buf(),
            target: path.to_path_buf(),
            via_link: false,
            exists,
        };
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if is_missing(&e) => return Ok(plain(false)),
            Err(e) => return Err(io_err("cannot inspect", e)),
        };
        if meta.is_file() {
            return Ok(plain(true));
        }
        if !meta.file_type().is_symlink() {
            return Err(refused(
                None,
                format!("is {}, not a regular file", kind_of(&meta)),
            ));
        }
        let shown = fs::read_link(path).map_or_else(
            |_| path.to_path_buf(),
            |t| path.parent().unwrap_or(Path::new("")).join(t),
        );
        let target = match fs::canonicalize(path) {
            Ok(t) => t,
            Err(e) if is_missing(&e) => {
                return Err(refused(
                    Some(shown),
                    "which does not exist (a dangling link)".into(),
                ))
            }
            Err(e) => return Err(io_err("cannot resolve the link", e)),
        };
        let tmeta = fs::metadata(&target).map_err(|e| io_err("cannot inspect", e))?;
        if !tmeta.is_file() {
            return Err(refused(
                Some(target),
                format!("which is {}, not a regular file", kind_of(&tmeta)),
            ));
        }
        if let LinkPolicy::Pin { tree, holds_pin } = policy {
            let text = read_small_text(&target, MAX_USER_FILE_BYTES)
                .map_err(|e| io_err("cannot read", e))?;
            if let Some(reason) = pin_link_refusal(&target, *tree, &text, *holds_pin) {
                return Err(refused(Some(target), reason));
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            target,
            via_link: true,
            exists: true,
        })
    }

    /// The current text of the file (`None` when it does not exist).
    pub fn read(&self, max: u64) -> Result<Option<String>, UserFileError> {
        read_optional(&self.target, max).map_err(|error| UserFileError::Io {
            path: self.path.clone(),
            what: "cannot read",
            error,
        })
    }

    /// Replaces the file's content atomically, keeping its permissions (a
    /// new file gets 0644 less the umask). The directory holding a new
    /// file is created.
    pub fn replace(&self, bytes: &[u8]) -> Result<(), UserFileError> {
        let io_err = |what, error| UserFileError::Io {
            path: self.path.clone(),
            what,
            error,
        };
        if !self.exists {
            if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(|e| io_err("cannot create the directory of", e))?;
            }
        }
        // Checked again right before writing: a file swapped for a FIFO or
        // device since `open` is refused, not replaced.
        if let Ok(m) = fs::symlink_metadata(&self.target) {
            if !m.is_file() {
                return Err(UserFileError::Refused {
                    path: self.path.clone(),
                    target: self.via_link.then(|| self.target.clone()),
                    reason: format!("is now {}, not a regular file", kind_of(&m)),
                });
            }
        }
        write_atomic(&self.target, bytes, None).map_err(|e| io_err("cannot write", e))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};
    use std::process::Command;
    use std::sync::mpsc;
    use std::time::Duration;

    fn mkfifo(p: &Path) {
        assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    }

    /// Runs `f` on another thread and fails the test if it blocks.
    fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the call blocked")
    }

    #[test]
    fn reading_never_blocks_on_a_fifo_and_names_what_it_found() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("rc");
        mkfifo(&fifo);
        let p = fifo.clone();
        let e = within_10s(move || read_small_text(&p, 100)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "is not a regular file (a FIFO)");
        // Through a link too.
        let link = t.path().join("link");
        symlink(&fifo, &link).unwrap();
        let e = within_10s(move || read_optional(&link, 100)).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = read_small_text(Path::new("/dev/null"), 100).unwrap_err();
        assert_eq!(e.to_string(), "is not a regular file (a device)");
        let e = read_small_text(t.path(), 100).unwrap_err();
        assert_eq!(e.to_string(), "is a directory, not a file");
        assert!(read_optional(&t.path().join("nope/x"), 1)
            .unwrap()
            .is_none());
        let file = t.path().join("f");
        fs::write(&file, "x").unwrap();
        assert!(read_optional(&file.join("below"), 1).unwrap().is_none());
    }

    #[test]
    fn reading_is_bounded() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("big");
        fs::write(&p, "a".repeat(101)).unwrap();
        let e = read_small_text(&p, 100).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("101 bytes"), "{e}");
        fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(read_small_text(&p, 100)
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
    }

    #[test]
    fn write_atomic_replaces_the_entry_and_keeps_the_mode() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        write_atomic(&p, b"one", None).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"two", None).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A link at the path is replaced, its target untouched.
        let victim = t.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let link = t.path().join("link");
        symlink(&victim, &link).unwrap();
        write_atomic(&link, b"new", None).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(fs::symlink_metadata(&link).unwrap().is_file());
        let names: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains("gover-tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
        // A failed write leaves nothing behind.
        let e = write_atomic(&t.path().join("no/such/dir/f"), b"x", None).unwrap_err();
        assert!(is_missing(&e));
    }

    #[test]
    fn write_new_never_follows_a_planted_link() {
        let t = tempfile::tempdir().unwrap();
        let victim = t.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let planted = t.path().join("planted");
        symlink(&victim, &planted).unwrap();
        let e = write_new(&planted, b"x", None).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        symlink(t.path().join("dangling-target"), t.path().join("dangling")).unwrap();
        assert!(write_new(&t.path().join("dangling"), b"x", None).is_err());
        assert!(!t.path().join("dangling-target").exists());
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }

    fn is_pin(text: &str) -> bool {
        text.trim().starts_with("1.")
    }

    #[test]
    fn user_files_follow_links_only_where_the_policy_allows() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        let home = root.join("home");
        let repo = home.join("repo");
        fs::create_dir_all(repo.join("sub")).unwrap();
        let bashrc = home.join(".bashrc");
        fs::write(&bashrc, "alias ll='ls -l'\n").unwrap();
        let pin = |tree| LinkPolicy::Pin {
            tree,
            holds_pin: &is_pin,
        };

        // A booby-trapped repository: .go-version -> ../.bashrc.
        let gv = repo.join(".go-version");
        symlink("../.bashrc", &gv).unwrap();
        let e = UserFile::open(&gv, &pin(Some(&repo))).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&gv.display().to_string()), "{msg}");
        assert!(msg.contains(&bashrc.display().to_string()), "{msg}");
        assert!(msg.contains("outside"), "{msg}");
        // Even with no tree limit, a file that holds no pin is refused.
        let e = UserFile::open(&gv, &pin(None)).unwrap_err();
        assert!(
            e.to_string().contains("does not hold a Go version pin"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(&bashrc).unwrap(), "alias ll='ls -l'\n");

        // A link to a device or a FIFO is refused under every policy.
        fs::remove_file(&gv).unwrap();
        symlink("/dev/null", &gv).unwrap();
        for p in [LinkPolicy::RegularTarget, pin(None)] {
            let e = UserFile::open(&gv, &p).unwrap_err();
            assert!(
                e.to_string().contains("a device, not a regular file"),
                "{e}"
            );
        }
        fs::remove_file(&gv).unwrap();
        let fifo = repo.join("fifo");
        mkfifo(&fifo);
        assert!(UserFile::open(&fifo, &LinkPolicy::RegularTarget)
            .unwrap_err()
            .to_string()
            .contains("it is a FIFO, not a regular file"));
        // A dangling link.
        symlink("missing", &gv).unwrap();
        assert!(UserFile::open(&gv, &pin(Some(&repo)))
            .unwrap_err()
            .to_string()
            .contains("dangling"));
        fs::remove_file(&gv).unwrap();

        // A link inside the tree to a valid pin is written through.
        fs::write(repo.join("shared-pin"), "1.22\n").unwrap();
        let sub = repo.join("sub/.go-version");
        symlink("../shared-pin", &sub).unwrap();
        let f = UserFile::open(&sub, &pin(Some(&repo))).unwrap();
        assert!(f.via_link);
        f.replace(b"1.23\n").unwrap();
        assert_eq!(
            fs::read_to_string(repo.join("shared-pin")).unwrap(),
            "1.23\n"
        );
        assert!(fs::symlink_metadata(&sub).unwrap().file_type().is_symlink());

        // A dotfiles link for a startup file is written through.
        let dotfiles = root.join("dotfiles/bashrc");
        fs::create_dir_all(dotfiles.parent().unwrap()).unwrap();
        fs::write(&dotfiles, "x\n").unwrap();
        let rc = home.join(".zshenv");
        symlink(&dotfiles, &rc).unwrap();
        let f = UserFile::open(&rc, &LinkPolicy::RegularTarget).unwrap();
        assert_eq!(f.read(1000).unwrap().as_deref(), Some("x\n"));
        f.replace(b"y\n").unwrap();
        assert_eq!(fs::read_to_string(&dotfiles).unwrap(), "y\n");

        // A new file, with its directory created.
        let f = UserFile::open(&home.join("new/dir/f"), &LinkPolicy::RegularTarget).unwrap();
        assert!(!f.exists);
        f.replace(b"z").unwrap();
        assert_eq!(fs::read(home.join("new/dir/f")).unwrap(), b"z");
    }

    #[test]
    fn a_file_swapped_for_a_fifo_after_open_is_not_replaced() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("rc");
        fs::write(&p, "x").unwrap();
        let f = UserFile::open(&p, &LinkPolicy::RegularTarget).unwrap();
        fs::remove_file(&p).unwrap();
        mkfifo(&p);
        let e = f.replace(b"y").unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(fs::symlink_metadata(&p).unwrap().file_type().is_fifo_like());
    }

    trait FifoLike {
        fn is_fifo_like(&self) -> bool;
    }
    impl FifoLike for fs::FileType {
        fn is_fifo_like(&self) -> bool {
            use std::os::unix::fs::FileTypeExt;
            self.is_fifo()
        }
    }

    #[test]
    fn plain_file_names() {
        for ok in ["go1.22.10.linux-amd64.tar.gz", "a b", "x..y", "日本"] {
            assert!(is_plain_file_name(ok), "{ok:?}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            ".hidden",
            "/abs",
            "a/b",
            "a\\b",
            "a\0b",
            "a\u{1b}b",
            "a\nb",
            &"x".repeat(256),
        ] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn identity() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        fs::write(&a, "x").unwrap();
        let b = t.path().join("b");
        fs::hard_link(&a, &b).unwrap();
        let c = t.path().join("c");
        fs::write(&c, "x").unwrap();
        assert!(same_file(&a, &b));
        assert!(!same_file(&a, &c));
        assert!(!same_file(&a, &t.path().join("missing")));
        fs::set_permissions(&a, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(is_executable_file(&a));
        assert!(!is_executable_file(&c));
        assert!(!is_executable_file(t.path()));
    }
}
