//! Which running processes use a directory: their executable, working
//! directory, an open file or a mapped file lies under it. Removing a
//! toolchain a build is using breaks the build, so `uninstall` asks first.
//!
//! On Linux the answer comes from `/proc` (processes of other users that
//! this one may not inspect are not seen); elsewhere nothing is found.

use std::fmt;
use std::path::{Path, PathBuf};

/// How a process uses the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Use {
    /// It runs a program from it.
    Executable(PathBuf),
    /// Its working directory is in it.
    WorkingDirectory(PathBuf),
    /// It has a file in it open (or mapped).
    OpenFile(PathBuf),
}

/// A process that uses the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Its id.
    pub pid: u32,
    /// Its command name (`go`, `compile`), as the kernel reports it.
    pub name: String,
    /// The first use found.
    pub how: Use,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = gover_core::text::escape(&self.name);
        match &self.how {
            Use::Executable(p) => write!(f, "{} ({name}) runs {}", self.pid, p.display()),
            Use::WorkingDirectory(p) => {
                write!(f, "{} ({name}) works in {}", self.pid, p.display())
            }
            Use::OpenFile(p) => write!(f, "{} ({name}) has {} open", self.pid, p.display()),
        }
    }
}

/// The processes (other than this one) that use `dir`, by pid.
pub fn processes_using(dir: &Path) -> Vec<Process> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut out = scan(&dir);
    out.sort_by_key(|p| p.pid);
    out
}

#[cfg(target_os = "linux")]
fn scan(dir: &Path) -> Vec<Process> {
    let me = std::process::id();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me)
        .filter_map(|pid| {
            let proc_dir = PathBuf::from(format!("/proc/{pid}"));
            let how = use_of(&proc_dir, dir)?;
            let name = std::fs::read_to_string(proc_dir.join("comm"))
                .map(|s| s.trim_end().to_string())
                .unwrap_or_default();
            Some(Process { pid, name, how })
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn scan(_dir: &Path) -> Vec<Process> {
    Vec::new()
}

/// How the process at `proc_dir` uses `dir`, if it does.
#[cfg(target_os = "linux")]
fn use_of(proc_dir: &Path, dir: &Path) -> Option<Use> {
    let under = |p: &Path| p.starts_with(dir);
    if let Ok(exe) = std::fs::read_link(proc_dir.join("exe")) {
        if under(&exe) {
            return Some(Use::Executable(exe));
        }
    }
    if let Ok(cwd) = std::fs::read_link(proc_dir.join("cwd")) {
        if under(&cwd) {
            return Some(Use::WorkingDirectory(cwd));
        }
    }
    if let Ok(fds) = std::fs::read_dir(proc_dir.join("fd")) {
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                if under(&target) {
                    return Some(Use::OpenFile(target));
                }
            }
        }
    }
    // Mapped files (shared libraries, a program's own text), at most 1 MiB
    // of the list.
    let maps = std::fs::File::open(proc_dir.join("maps")).ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(maps, 1 << 20), &mut text).ok()?;
    text.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(Path::new)
        .find(|p| under(p))
        .map(|p| Use::OpenFile(p.to_path_buf()))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn finds_a_process_working_in_or_running_from_the_directory() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("go");
        std::fs::create_dir_all(dir.join("src")).unwrap();
        assert!(processes_using(&dir).is_empty());
        let mut child = Command::new("sleep")
            .arg("30")
            .current_dir(dir.join("src"))
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let found = processes_using(&dir);
        let _ = child.kill();
        let _ = child.wait();
        let me = found
            .iter()
            .find(|p| p.pid == child.id())
            .unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(me.name, "sleep");
        assert!(matches!(&me.how, Use::WorkingDirectory(p) if p.ends_with("go/src")));
        assert!(me.to_string().contains(" (sleep) works in "), "{me}");
    }
}
