//! Per-version install locks: `$GOVER_HOME/locks/go<version>.lock`, held
//! with the OS's advisory file locks, so a lock whose holder died (even by
//! SIGKILL) is released by the kernel and taken over at once.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// The lock file for the toolchain named `name` (`go1.22.10`).
pub fn lock_path(home: &GoverHome, name: &str) -> PathBuf {
    home.locks_dir().join(format!("{name}.lock"))
}

fn open(home: &GoverHome, name: &str) -> Result<(File, PathBuf)> {
    let dir = home.locks_dir();
    fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let path = lock_path(home, name);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io("cannot open the lock file", &path, e))?;
    Ok((file, path))
}

/// Takes the lock for `name` if nobody holds it.
pub fn try_acquire(home: &GoverHome, name: &str) -> Result<Option<InstallLock>> {
    let (file, path) = open(home, name)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(InstallLock { _file: file, path })),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(Error::io("cannot lock", &path, e)),
    }
}

/// Takes the lock for `name`, waiting for another holder up to `timeout`
/// (`None`: as long as it takes). `on_wait` is called once, with the lock
/// file, if there is a wait.
pub fn acquire(
    home: &GoverHome,
    name: &str,
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
    let Some(timeout) = timeout else {
        file.lock()
            .map_err(|e| Error::io("cannot lock", &path, e))?;
        return Ok(InstallLock { _file: file, path });
    };
    let deadline = Instant::now() + timeout;
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

    #[test]
    fn exclusive_and_released_on_drop() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        let a = acquire(&home, "go1.22.10", None, &|_| panic!("no wait expected")).unwrap();
        assert!(try_acquire(&home, "go1.22.10").unwrap().is_none());
        assert!(try_acquire(&home, "go1.21.13").unwrap().is_some());
        let waited = std::cell::Cell::new(false);
        let e = acquire(&home, "go1.22.10", Some(Duration::from_millis(120)), &|p| {
            assert!(p.ends_with("locks/go1.22.10.lock"));
            waited.set(true);
        })
        .unwrap_err();
        assert!(waited.get());
        assert_eq!(e.kind(), ErrorKind::LockTimeout);
        assert!(e.to_string().contains("go1.22.10.lock"), "{e}");
        drop(a);
        assert!(try_acquire(&home, "go1.22.10").unwrap().is_some());
    }
}
