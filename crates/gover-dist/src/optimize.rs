//! Moving installed toolchains into the store (`gover store optimize`,
//! and automatically after an install): a toolchain installed without the
//! store (by an older gover, or with `link_mode = "copy"`) is rebuilt in
//! scratch space from store links, checked, and swapped with the old tree
//! in one atomic step, so it is never seen half-migrated. Its content does
//! not change, so running processes are not disturbed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gover_core::home::{LockName, ScratchPurpose};
use gover_core::GoVersion;

use crate::error::{Error, ErrorKind, Result};
use crate::install::{exchange, owner_of, sync_tree, Installer};
use crate::lock;
use crate::platform::Platform;
use crate::scratch::{self, remove_tree};
use crate::store::{hash_file, links, FileEntry, Key, Placed, Store};
use crate::verify::{verify_tree, Expect};
use crate::Progress;

/// What happened to one toolchain.
#[derive(Debug)]
pub enum Optimized {
    /// Rebuilt from store links: files, and files that had to be copied.
    Migrated {
        /// Files in the toolchain.
        files: u64,
        /// Of them, copied rather than linked.
        copied: u64,
    },
    /// Already linked from the store.
    AlreadyDone,
    /// Another gover process is working on it; left for later.
    Busy,
    /// Not a complete toolchain (why): left alone.
    Skipped(String),
}

/// True when the toolchain at `root` has a manifest and, when
/// `thorough`, every file it lists is a hard link to its store file (with
/// reflinks a manifest is all there is to see: their sharing is invisible).
fn is_linked(store: &Store, root: &Path, thorough: bool) -> bool {
    let Some(manifest) = store.read_manifest(root) else {
        return false;
    };
    if !thorough || store.mode() == gover_core::settings::LinkMode::Reflink {
        return true;
    }
    manifest
        .iter()
        .all(|f| gover_core::fs::same_file(&root.join(&f.path), &store.file_path(&f.key())))
}

impl Installer<'_> {
    /// Migrates the toolchain of `version` for `platform` at `root` into
    /// the store. With `wait`, waits for its lock; otherwise a toolchain
    /// another process is working on is [`Optimized::Busy`].
    pub fn optimize(
        &self,
        store: &Store,
        version: &GoVersion,
        platform: &Platform,
        root: &Path,
        wait: bool,
        progress: &dyn Progress,
    ) -> Result<Optimized> {
        let owner = owner_of(version);
        let _lock = if wait {
            self.lock(&owner, progress)?
        } else {
            match lock::try_acquire(self.home(), &owner)? {
                Some(l) => l,
                None => return Ok(Optimized::Busy),
            }
        };
        if !root.is_dir() || is_linked(store, root, wait) {
            return Ok(Optimized::AlreadyDone);
        }
        // A link to a tree gover did not unpack (the user's own Go): its
        // files are not gover's to re-mode, re-stamp or share.
        if !fs::symlink_metadata(root).is_ok_and(|m| m.is_dir()) {
            return Ok(Optimized::Skipped(
                "a link to a directory gover did not install".into(),
            ));
        }
        let shown = version.toolchain_name();
        let expect = Expect {
            version: None,
            platform,
        };
        if let Err(e) = verify_tree(root, &shown, &expect) {
            return Ok(Optimized::Skipped(e.to_string()));
        }
        // A process working inside the old tree would be left in a deleted
        // directory: such a toolchain waits for the next run.
        if let Some(p) = crate::inuse::processes_using(root).first() {
            return Ok(Optimized::Skipped(format!("in use by {p}")));
        }
        let tmp = scratch::create(self.home(), owner.clone(), ScratchPurpose::Install)?;
        let new_root = tmp.path().join("go");
        let (files, copied) = rebuild(store, root, &new_root)?;
        verify_tree(&new_root, &shown, &expect)?;
        sync_tree(&new_root)?;
        store.write_manifest(root, &files)?;
        // The verification record names the GOROOT directory, which the
        // swap replaces with one of the same content: it carries over.
        let record = match crate::verified::read(self.home(), &shown, platform, root) {
            Ok(crate::verified::Recorded::Current(r)) => Some(r),
            _ => None,
        };
        swap(self, &new_root, root, &owner)?;
        if let Some(r) = record {
            crate::verified::write(self.home(), &r, root)?;
        }
        Ok(Optimized::Migrated {
            files: files.len() as u64,
            copied,
        })
    }

    /// Migrates every installed toolchain that is not linked from the
    /// store yet. With `wait` (`gover store optimize`), every file is
    /// checked and locks are waited for; without (after an install), a
    /// toolchain with a manifest counts as done and one another process is
    /// working on is skipped. A failure leaves its toolchain as it was.
    pub fn optimize_all(
        &self,
        store: &Store,
        wait: bool,
        progress: &dyn Progress,
    ) -> Vec<(PathBuf, Result<Optimized>)> {
        let mut out = Vec::new();
        let home = self.home();
        let mut todo: Vec<(GoVersion, Platform, PathBuf)> = home
            .installed()
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.clone(), Platform::host(), home.toolchain_dir(&v)))
            .collect();
        todo.extend(
            crate::install::foreign_installed(home)
                .into_iter()
                .map(|(p, v, d)| (v, p, d)),
        );
        for (v, p, root) in todo {
            if is_linked(store, &root, wait) {
                out.push((root, Ok(Optimized::AlreadyDone)));
                continue;
            }
            let res = self.optimize(store, &v, &p, &root, wait, progress);
            out.push((root, res));
        }
        out
    }
}

/// Swaps the rebuilt tree at `new_root` with `root` and deletes the old one.
fn swap(installer: &Installer<'_>, new_root: &Path, root: &Path, owner: &LockName) -> Result<()> {
    if exchange(new_root, root).map_err(|e| Error::io("cannot replace", root, e))? {
        let _ = remove_tree(new_root);
        return Ok(());
    }
    let aside = scratch::move_aside(
        installer.home(),
        root,
        owner.clone(),
        ScratchPurpose::Replaced,
        "cannot move aside",
    )?;
    fs::rename(new_root, root)
        .map_err(|e| Error::io("cannot move the migrated toolchain to", root, e))?;
    let _ = remove_tree(&aside);
    Ok(())
}

/// Builds at `to` a copy of the tree at `from` made of store links; returns
/// its manifest and how many files had to be copied.
fn rebuild(store: &Store, from: &Path, to: &Path) -> Result<(Vec<FileEntry>, u64)> {
    let mut files = Vec::new();
    let mut copied = 0;
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = to.join(&rel);
        fs::create_dir(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        let src_dir = from.join(&rel);
        let entries = fs::read_dir(&src_dir).map_err(|e| Error::io("cannot read", &src_dir, e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io("cannot read", &src_dir, e))?;
            let rel = rel.join(e.file_name());
            let meta = e
                .metadata()
                .map_err(|err| Error::io("cannot inspect", &e.path(), err))?;
            if meta.is_dir() {
                stack.push(rel);
            } else if meta.is_file() {
                let entry = place(store, &e.path(), &to.join(&rel), &rel, &meta)?;
                copied += u64::from(entry.1 != Placed::Linked);
                files.push(entry.0);
            } else {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("{} is not a regular file or directory; only plain toolchains are moved into the store", e.path().display()),
                ));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, copied))
}

/// Places the file `src` (of the old tree) at `dest` from the store,
/// adding its content to the store first when it lacks it.
fn place(
    store: &Store,
    src: &Path,
    dest: &Path,
    rel: &Path,
    meta: &fs::Metadata,
) -> Result<(FileEntry, Placed)> {
    let (sha256, size) = hash_file(src).map_err(|e| Error::io("cannot read", src, e))?;
    let key = Key {
        sha256,
        executable: gover_core::fs::is_executable(meta),
    };
    let path = rel.to_str().map(|s| s.replace('\\', "/")).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} is not a UTF-8 path", src.display()),
        )
    })?;
    let fail = |e: io::Error| Error::io("cannot link", dest, e);
    let entry = FileEntry {
        path,
        sha256,
        executable: key.executable,
        size,
    };
    let data_in_store = fs::symlink_metadata(store.file_path(&key)).is_ok();
    if !data_in_store {
        // The old file joins the store only when nothing else links to it.
        if links(meta) == 1 {
            store.publish(&key, src).map_err(fail)?;
            set_mode(&store.file_path(&key), key.mode());
        } else {
            store.publish_copy(&key, src).map_err(fail)?;
        }
    }
    let placed = store.place_from(&key, src, dest).map_err(fail)?;
    Ok((entry, placed))
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
