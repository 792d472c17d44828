//! Writing files gover does not own (pin files in users' directories,
//! shell startup files), through `gover_core::fs::UserFile`, with errors
//! that name the file, the link and the real cause.

use std::path::{Path, PathBuf};

use gover_core::fs::UserFileError;

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
        UserFileError::Io { path, error, .. } => match crate::error::fs_cause(error, path) {
            Some(h) => u.hint(h),
            None => u,
        },
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
}
