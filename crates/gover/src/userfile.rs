//! Writing files gover does not own (pin files in users' directories,
//! shell startup files), through `gover_core::fs::UserFile`, with errors
//! that name the file, the link and the real cause.

use std::io;
use std::path::{Path, PathBuf};

use gover_core::fs::UserFileError;
use gover_core::text::untrusted_path;

use crate::error::UserError;

/// The user-facing form of a refusal or failure.
pub(crate) fn refused(e: &UserFileError) -> UserError {
    let u = UserError::new(e.to_string());
    match e {
        UserFileError::Refused { target: Some(_), .. } => u.hint(
            "gover writes through a link only to a regular file it may change; edit the link's target yourself, or replace the link with a file",
        ),
        UserFileError::Refused { target: None, .. } => {
            u.hint("remove or rename it, then run this again")
        }
        UserFileError::Io { path, error, .. } => match io_cause(path, error) {
            Some(h) => u.hint(h),
            None => u,
        },
    }
}

/// A hint for an I/O error whose cause is the file system itself, not the
/// file: full, read-only, or out of quota. `None` for other errors.
pub(crate) fn io_cause(path: &Path, e: &io::Error) -> Option<String> {
    let fs = || untrusted_path(path.parent().unwrap_or(path)).to_string();
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(format!(
            "the file system holding {} is full (or you are over your quota); free some space, then run this again",
            fs()
        )),
        io::ErrorKind::ReadOnlyFilesystem => Some(format!(
            "{} is on a read-only file system",
            fs()
        )),
        _ => None,
    }
}

/// The directory tree a pin file's link may point into: the enclosing
/// repository (the nearest directory above `dir` with `.git`, `.hg`, `.jj`
/// or `.svn`), so a monorepo's `services/a/.go-version -> ../../.go-version`
/// is written through; without one, `dir` itself. A link leading outside,
/// such as a cloned repository's `.go-version -> ../.bashrc`, is refused.
pub(crate) fn pin_tree(dir: &Path) -> PathBuf {
    const MARKERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];
    dir.ancestors()
        .find(|d| {
            MARKERS
                .iter()
                .any(|m| std::fs::symlink_metadata(d.join(m)).is_ok())
        })
        .unwrap_or(dir)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_tree_is_the_repository() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        let sub = repo.join("services/a");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(pin_tree(&sub), sub, "no repository: the directory itself");
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(pin_tree(&sub), repo);
        // A worktree or submodule has a .git file.
        std::fs::write(sub.join(".git"), "gitdir: ../../.git/worktrees/a\n").unwrap();
        assert_eq!(pin_tree(&sub), sub);
    }

    #[test]
    fn full_and_read_only_file_systems_are_named() {
        let p = Path::new("/srv/gover/version");
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(io_cause(p, &full)
            .unwrap()
            .starts_with("the file system holding /srv/gover is full"));
        let ro = io::Error::from(io::ErrorKind::ReadOnlyFilesystem);
        assert_eq!(
            io_cause(p, &ro).unwrap(),
            "/srv/gover is on a read-only file system"
        );
        assert_eq!(
            io_cause(p, &io::Error::from(io::ErrorKind::PermissionDenied)),
            None
        );
    }
}
