//! Ctrl-C (SIGINT) and SIGTERM during an install: the partial download is
//! removed and the user is told so, instead of the process vanishing and
//! leaving it in `$GOVER_HOME/tmp` until the next install.
//!
//! [`installing`] is called by each install; the first call starts a thread
//! that waits for the two signals (`signal-hook`'s self-pipe: nothing runs
//! in signal context). When one arrives during an install, the thread
//! stops the rest of gover from printing or exiting, takes the progress bar
//! off the terminal, removes this process's scratch entries of `tmp/`
//! (recognised by [`ScratchName`], which carries the pid; nothing else is
//! touched), prints one line, and ends the process as the signal would
//! have (a shell then shows status 130 or 143, and a script running gover
//! stops too).
//!
//! Each scratch entry is first renamed to a fresh name of this process and
//! then deleted. The install's commit point is a rename of the verified
//! tree out of its scratch entry into `toolchains/` (for `--force`, an
//! atomic exchange); that rename and this one are atomic and exclusive: the
//! commit either happened (the toolchain is complete, and what remains in
//! the entry is an empty directory or, after an exchange, the old tree) or
//! now fails. Nothing half-written can reach `toolchains/`.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

use gover_core::home::{ScratchName, ScratchPurpose};
use gover_core::GoverHome;
use signal_hook::consts::{SIGINT, SIGTERM};

/// Installs running in this process.
static INSTALLING: AtomicUsize = AtomicUsize::new(0);
/// Set once a signal arrived: gover's output stops and it no longer exits
/// on its own.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The home whose `tmp/` holds this process's scratch entries.
static HOME: OnceLock<GoverHome> = OnceLock::new();

/// Marks an install in progress until dropped.
#[must_use = "the install counts as running only while this lives"]
pub(crate) struct Installing(());

impl Drop for Installing {
    fn drop(&mut self) {
        INSTALLING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Marks an install in progress (see the module docs), starting the
/// signal thread the first time.
pub(crate) fn installing(home: &GoverHome) -> Installing {
    static START: Once = Once::new();
    START.call_once(|| {
        let _ = HOME.set(home.clone());
        // Without the thread (no pipe could be made), signals keep their
        // default action: the next install removes what is left.
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        on_signal(sig);
                    }
                });
        }
    });
    INSTALLING.fetch_add(1, Ordering::SeqCst);
    Installing(())
}

/// True once an interrupt is being handled: nothing more may be printed.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Called by `main` before it returns: while an interrupt is being handled,
/// waits for the signal thread to end the process.
pub(crate) fn hold_if_interrupted() {
    while interrupted() {
        std::thread::park();
    }
}

fn on_signal(sig: i32) -> ! {
    INTERRUPTED.store(true, Ordering::SeqCst);
    if INSTALLING.load(Ordering::SeqCst) > 0 {
        crate::progress::clear_active();
        let removed = HOME.get().map_or(0, remove_own_scratch);
        let name = if sig == SIGTERM { "SIGTERM" } else { "SIGINT" };
        let what = if removed > 0 {
            "its partial download was removed"
        } else {
            "nothing had been downloaded yet"
        };
        let p = crate::output::Paint::for_stream(crate::output::Stream::Stderr);
        let line = format!(
            "{} install interrupted ({name}); {what}",
            crate::output::label(p, crate::output::Label::Error)
        );
        // Never a panic here (a closed stderr): the main thread waits for
        // this one to end the process.
        let _ = writeln!(std::io::stderr(), "{}", crate::output::prefixed(&line));
    }
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(128 + sig)
}

/// Removes the scratch entries this process made in `tmp/`; returns how
/// many held a partial download.
fn remove_own_scratch(home: &GoverHome) -> usize {
    let Ok(entries) = home.scratch_entries() else {
        return 0;
    };
    let mut partial = 0;
    for (path, name) in entries {
        if name.pid != std::process::id() {
            continue;
        }
        let aside = home.scratch_path(&ScratchName::new(
            name.owner.clone(),
            ScratchPurpose::Remove,
        ));
        let at = match std::fs::rename(&path, &aside) {
            Ok(()) => aside,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(_) => path,
        };
        let download = name.purpose == ScratchPurpose::Install && at.join("go").exists();
        if remove_entry(&at).is_ok() && download {
            partial += 1;
        }
    }
    partial
}

/// Removes a scratch entry (a directory tree or a file); links inside are
/// removed, never followed.
fn remove_entry(p: &Path) -> io::Result<()> {
    let mut last = Ok(());
    for _ in 0..3 {
        last = match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
            Ok(_) => std::fs::remove_file(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => Err(e),
        };
        if last.is_ok() {
            return last;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use gover_core::home::LockName;

    #[test]
    fn only_this_process_s_scratch_entries_go() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        std::fs::create_dir_all(home.tmp_dir()).unwrap();
        let v = gover_core::GoVersion::parse("1.22.10").unwrap();
        let mine = home.scratch_path(&ScratchName::new(
            LockName::Toolchain(v.clone()),
            ScratchPurpose::Install,
        ));
        std::fs::create_dir_all(mine.join("go/src")).unwrap();
        std::fs::write(mine.join("go/src/a.go"), "package a").unwrap();
        let mut other = ScratchName::new(LockName::Toolchain(v), ScratchPurpose::Install);
        other.pid += 1;
        let other = home.scratch_path(&other);
        std::fs::create_dir_all(other.join("go")).unwrap();
        let users = home.tmp_dir().join("notes.txt");
        std::fs::write(&users, "mine").unwrap();
        // A link to elsewhere under this process's name is removed, never
        // followed.
        let outside = t.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep"), "").unwrap();
        let linked = home.scratch_path(&ScratchName::new(
            LockName::Local { pid: 1, seq: 0 },
            ScratchPurpose::Install,
        ));
        std::os::unix::fs::symlink(&outside, &linked).unwrap();

        assert_eq!(remove_own_scratch(&home), 1);
        assert!(!mine.exists());
        assert!(other.join("go").is_dir(), "another process's entry stays");
        assert!(users.is_file(), "a name gover does not make stays");
        assert!(outside.join("keep").is_file());
        let mut left: Vec<_> = std::fs::read_dir(home.tmp_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        left.sort();
        let mut want = vec![other, users, linked];
        want.sort();
        assert_eq!(left, want);
    }
}
