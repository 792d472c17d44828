//! Install locks: `$GOVER_HOME/locks/<name>.lock` for a toolchain
//! (`go1.22.10`) or a one-off unpacking of a local archive
//! (`local-<pid>-<seq>`), held with the OS's advisory file locks, so a lock
//! whose holder died (even by SIGKILL) is released by the kernel and taken
//! over at once. Lock files exist only for names gover generates
//! ([`LockName`]): never for a directory someone else put in `tmp/`.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gover_core::home::LockName;
use gover_core::GoverHome;

use crate::error::{Error, ErrorKind, Result};

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct InstallLock {
    _file: File,
    path: PathBuf,
}

impl InstallLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens the lock file of `name`, creating it when `create`. A link at
/// its place is never followed.
fn open_file(path: &Path, create: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(create).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

fn open(home: &GoverHome, name: &LockName) -> Result<(File, PathBuf)> {
    let dir = home.locks_dir();
    fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let path = home.lock_file(name);
    let file =
        open_file(&path, true).map_err(|e| Error::io("cannot open the lock file", &path, e))?;
    Ok((file, path))
}

/// Takes the lock for `name` if nobody holds it.
pub fn try_acquire(home: &GoverHome, name: &LockName) -> Result<Option<InstallLock>> {
    let (file, path) = open(home, name)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(InstallLock { _file: file, path })),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(Error::io("cannot lock", &path, e)),
    }
}

/// True when a live process holds the lock of `name`. Creates nothing: a
/// lock file that does not exist is held by nobody (a holder creates it
/// before it creates anything the lock protects). Errors count as held,
/// so nothing is removed on a doubt.
pub fn is_held(home: &GoverHome, name: &LockName) -> bool {
    let path = home.lock_file(name);
    match open_file(&path, false) {
        Ok(f) => !matches!(f.try_lock(), Ok(())),
        Err(e) => e.kind() != io::ErrorKind::NotFound,
    }
}

/// Takes the lock for `name`, waiting for another holder up to `timeout`
/// (`None`, or a timeout too long to represent: as long as it takes).
/// `on_wait` is called once, with the lock file, if there is a wait.
pub fn acquire(
    home: &GoverHome,
    name: &LockName,
    timeout: Option<Duration>,
    on_wait: &dyn Fn(&Path),
) -> Result<InstallLock> {
    let (file, path) = open(home, name)?;
    match file.try_lock() {
        Ok(()) => return Ok(InstallLock { _file: file, path }),
        Err(fs::TryLockError::WouldBlock) => {}
        Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", &path, e)),
    }
    on_wait(&path);
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    let (Some(deadline), Some(timeout)) = (deadline, timeout) else {
        file.lock()
            .map_err(|e| Error::io("cannot lock", &path, e))?;
        return Ok(InstallLock { _file: file, path });
    };
    loop {
        std::thread::sleep(Duration::from_millis(50));
        match file.try_lock() {
            Ok(()) => return Ok(InstallLock { _file: file, path }),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", &path, e)),
        }
        if Instant::now() >= deadline {
            return Err(Error::new(
                ErrorKind::LockTimeout,
                format!(
                    "timed out after {}s waiting for another gover process working on {name} (lock file {})",
                    timeout.as_secs_f64(),
                    path.display()
                ),
            )
            .with_hint("wait for the other install to finish, or raise GOVER_LOCK_TIMEOUT (seconds); the lock is released as soon as its process exits"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> LockName {
        LockName::parse(s).unwrap()
    }

    #[test]
    fn exclusive_and_released_on_drop() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let n = name("go1.22.10");
        assert!(!is_held(&home, &n));
        assert!(!home.lock_file(&n).exists(), "asking created a lock file");
        let a = acquire(&home, &n, None, &|_| panic!("no wait expected")).unwrap();
        assert!(is_held(&home, &n));
        assert!(try_acquire(&home, &n).unwrap().is_none());
        assert!(try_acquire(&home, &name("go1.21.13")).unwrap().is_some());
        let waited = std::cell::Cell::new(false);
        let e = acquire(&home, &n, Some(Duration::from_millis(120)), &|p| {
            assert!(p.ends_with("locks/go1.22.10.lock"));
            waited.set(true);
        })
        .unwrap_err();
        assert!(waited.get());
        assert_eq!(e.kind(), ErrorKind::LockTimeout);
        assert!(e.to_string().contains("go1.22.10.lock"), "{e}");
        drop(a);
        assert!(!is_held(&home, &n));
        assert!(try_acquire(&home, &n).unwrap().is_some());
    }

    #[test]
    fn a_timeout_too_long_to_represent_waits_instead_of_panicking() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let n = name("go1.22.10");
        let held = acquire(&home, &n, None, &|_| {}).unwrap();
        let h2 = home.clone();
        let waiter =
            std::thread::spawn(move || acquire(&h2, &n, Some(Duration::MAX), &|_| {}).map(|_| ()));
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
        assert!(waiter.join().unwrap().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_lock_file_is_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path().join("home"));
        fs::create_dir_all(home.locks_dir()).unwrap();
        let victim = t.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let n = name("go1.22.10");
        std::os::unix::fs::symlink(&victim, home.lock_file(&n)).unwrap();
        assert!(try_acquire(&home, &n).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }
}
