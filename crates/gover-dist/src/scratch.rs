//! Scratch space in `$GOVER_HOME/tmp`: where installs unpack, and where
//! replaced or uninstalled trees go before they are deleted.
//!
//! Every entry gover makes there is named by [`ScratchName`]
//! (`go1.22.10@install-<pid>-<nanos>-<seq>`) and protected by its owner's
//! lock while in use. Leftovers of interrupted runs are the entries whose
//! names parse as a [`ScratchName`] and whose owner's lock nobody holds;
//! nothing else in `tmp/` is ever touched, and nothing is removed through a
//! link (a `tmp/` that is itself a link is refused).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gover_core::home::{LockName, ScratchName, ScratchPurpose};
use gover_core::GoverHome;

use crate::error::{Error, ErrorKind, Result};
use crate::lock;

/// A scratch directory, removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = remove_tree(&self.path);
    }
}

/// Removes a directory tree (or file), tolerating its absence. Links in
/// it are removed, never followed.
pub(crate) fn remove_tree(p: &Path) -> io::Result<()> {
    let res = match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) => Err(e),
    };
    match res {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Creates `tmp/` (and `toolchains/`) as real directories; a `tmp/` that
/// is a link (or anything but a directory) is refused, since gover
/// deletes in it.
pub fn ensure_dirs(home: &GoverHome) -> Result<()> {
    for d in [home.toolchains_dir(), home.tmp_dir()] {
        fs::create_dir_all(&d).map_err(|e| Error::io("cannot create", &d, e))?;
    }
    let tmp = home.tmp_dir();
    match fs::symlink_metadata(&tmp) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is a link (or not a directory); gover keeps its scratch space, which it deletes from, only in a real directory",
                tmp.display()
            ),
        )
        .with_hint(format!(
            "remove the link ({}) and let gover create the directory; to keep installs on another disk, move the whole GOVER_HOME there",
            tmp.display()
        ))),
        Err(e) => Err(Error::io("cannot inspect", &tmp, e)),
    }
}

/// Creates a fresh scratch directory owned by `owner` (whose lock the
/// caller holds).
pub fn create(home: &GoverHome, owner: LockName, purpose: ScratchPurpose) -> Result<Scratch> {
    let path = home.scratch_path(&ScratchName::new(owner, purpose));
    fs::create_dir(&path).map_err(|e| Error::io("cannot create", &path, e))?;
    Ok(Scratch { path })
}

/// Renames `dir` into `tmp/` under a scratch name owned by `owner` (whose
/// lock the caller holds) and returns where it went; a failure is `what`
/// (`cannot remove`) `dir`.
pub fn move_aside(
    home: &GoverHome,
    dir: &Path,
    owner: LockName,
    purpose: ScratchPurpose,
    what: &str,
) -> Result<PathBuf> {
    let to = home.scratch_path(&ScratchName::new(owner, purpose));
    fs::rename(dir, &to).map_err(|e| Error::io(what, dir, e))?;
    Ok(to)
}

/// An entry gover made in `tmp/`.
#[derive(Clone, Debug)]
pub struct Leftover {
    /// Where it is.
    pub path: PathBuf,
    /// Its parsed name.
    pub name: ScratchName,
    /// True while a live process holds its owner's lock (an install or
    /// uninstall is running): not a leftover yet.
    pub in_use: bool,
}

/// The entries of `tmp/` that gover made (see the module docs), each
/// saying whether a running process still uses it. A missing `tmp/` has
/// none; a `tmp/` that is a link is an error.
pub fn leftovers(home: &GoverHome) -> io::Result<Vec<Leftover>> {
    Ok(home
        .scratch_entries()?
        .into_iter()
        .map(|(path, name)| Leftover {
            in_use: lock::is_held(home, &name.owner),
            path,
            name,
        })
        .collect())
}

/// Removes what interrupted installs and uninstalls left in `tmp/`: the
/// entries of `held` (whose lock the caller holds) and those whose owner's
/// lock is free. Best effort: what cannot be removed now is removed by a
/// later run.
pub fn clean(home: &GoverHome, held: Option<&LockName>) {
    let Ok(entries) = home.scratch_entries() else {
        return;
    };
    for (path, name) in entries {
        if Some(&name.owner) == held || !lock::is_held(home, &name.owner) {
            let _ = remove_tree(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn only_gover_s_own_names_go_and_never_through_a_link() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path().join("home"));
        ensure_dirs(&home).unwrap();
        let tmp = home.tmp_dir();
        let v = LockName::parse("go1.22.10").unwrap();
        for d in [
            "go1.22.10@install-1-2-3",
            "backup@2024",
            "go1.22.10@notes",
            "mine",
        ] {
            fs::create_dir(tmp.join(d)).unwrap();
            fs::write(tmp.join(d).join("f"), "x").unwrap();
        }
        let held_elsewhere = LockName::parse("go1.21.13").unwrap();
        fs::create_dir(tmp.join("go1.21.13@remove-1-2-4")).unwrap();
        let lock = lock::acquire(&home, &held_elsewhere, None, &|_| {}).unwrap();
        let listed: Vec<(String, bool)> = leftovers(&home)
            .unwrap()
            .into_iter()
            .map(|l| (l.name.to_string(), l.in_use))
            .collect();
        assert_eq!(
            listed,
            [
                ("go1.21.13@remove-1-2-4".to_string(), true),
                ("go1.22.10@install-1-2-3".to_string(), false),
            ]
        );
        clean(&home, None);
        let mut left: Vec<String> = fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "backup@2024",
                "go1.21.13@remove-1-2-4",
                "go1.22.10@notes",
                "mine"
            ]
        );
        // No lock file was created for anything but gover's own names.
        let mut locks: Vec<String> = fs::read_dir(home.locks_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        locks.sort();
        assert_eq!(locks, ["go1.21.13.lock"]);
        clean(&home, Some(&held_elsewhere));
        assert!(!tmp.join("go1.21.13@remove-1-2-4").exists());
        drop(lock);

        // A tmp/ that is a link: nothing is removed through it, and no
        // install starts there.
        let elsewhere = t.path().join("elsewhere");
        fs::create_dir_all(elsewhere.join("go1.22.10@install-1-2-3")).unwrap();
        fs::remove_dir_all(&tmp).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &tmp).unwrap();
        clean(&home, Some(&v));
        assert!(elsewhere.join("go1.22.10@install-1-2-3").exists());
        let e = ensure_dirs(&home).unwrap_err();
        assert!(e.to_string().contains("is a link"), "{e}");
    }

    #[test]
    fn scratch_directories_go_away_on_drop() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        ensure_dirs(&home).unwrap();
        let s = create(
            &home,
            LockName::parse("go1.22.10").unwrap(),
            ScratchPurpose::Install,
        )
        .unwrap();
        let p = s.path().to_path_buf();
        fs::write(p.join("x"), "y").unwrap();
        assert!(ScratchName::parse(p.file_name().unwrap().to_str().unwrap()).is_some());
        drop(s);
        assert!(!p.exists());
    }
}
