//! Remembered pins: the pin files gover resolved (`gover use`, `gover
//! current`, installs and the shim's automatic installs), kept in
//! `$GOVER_HOME/pins`, so gover can tell which toolchains projects use
//! without ever scanning the disk.
//!
//! The file is small and bounded: at most [`MAX_RECORDS`] entries (the
//! most recently seen are kept) in at most [`MAX_BYTES`]; it is written
//! atomically under `locks/pins.lock`. One line per pin file:
//!
//! ```text
//! gover-pins 1
//! <unix seconds>\t<request>\t<resolved version or ->\t<absolute path>
//! ```
//!
//! Lines that do not parse are dropped; a path that is not absolute, not
//! UTF-8 or holds a tab or a line break is never recorded.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::home::GoverHome;

/// The most entries kept.
pub const MAX_RECORDS: usize = 1000;
/// The most bytes the file is read up to.
pub const MAX_BYTES: u64 = 512 << 10;
/// An unchanged entry is rewritten (its time refreshed) at most this often.
const REFRESH_SECS: u64 = 24 * 3600;
const HEADER: &str = "gover-pins 1";

/// One remembered pin file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinRecord {
    /// The pin file (`.go-version`, `.tool-versions`, go.mod, go.work).
    pub file: PathBuf,
    /// The request it held (`1.22`, `1.22.10`, `latest`).
    pub request: String,
    /// The release it resolved to, when known (`go1.22.10`).
    pub version: Option<String>,
    /// When it was last seen, in seconds since the Unix epoch.
    pub seen: u64,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn field_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 200 && !s.contains(['\t', '\n', '\r'])
}

impl PinRecord {
    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\n",
            self.seen,
            self.request,
            self.version.as_deref().unwrap_or("-"),
            self.file.display()
        )
    }

    fn parse(line: &str) -> Option<Self> {
        let mut parts = line.splitn(4, '\t');
        let seen = parts.next()?.parse().ok()?;
        let request = parts.next()?.to_string();
        let version = match parts.next()? {
            "-" => None,
            v => Some(v.to_string()),
        };
        let file = PathBuf::from(parts.next()?);
        let ok =
            field_ok(&request) && version.as_deref().is_none_or(field_ok) && file.is_absolute();
        ok.then_some(Self {
            file,
            request,
            version,
            seen,
        })
    }
}

/// Every remembered pin, most recently seen first. A missing or unreadable
/// record is empty.
pub fn read(home: &GoverHome) -> Vec<PinRecord> {
    let Ok(Some(text)) = crate::fs::read_optional(&home.pins_file(), MAX_BYTES) else {
        return Vec::new();
    };
    parse(&text)
}

fn parse(text: &str) -> Vec<PinRecord> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Vec::new();
    }
    let mut out: Vec<PinRecord> = lines.filter_map(PinRecord::parse).collect();
    out.sort_by(|a, b| b.seen.cmp(&a.seen).then_with(|| a.file.cmp(&b.file)));
    out.dedup_by(|a, b| a.file == b.file);
    out.truncate(MAX_RECORDS);
    out
}

fn render(records: &[PinRecord]) -> String {
    let mut out = format!("{HEADER}\n");
    for r in records {
        out.push_str(&r.line());
    }
    out
}

/// How long a command waits for another one rewriting the record before
/// it gives up remembering (the record is only a hint; a holder stopped
/// with Ctrl-Z must not stop every other command).
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Holds `locks/pins.lock` while the record is rewritten, waiting at most
/// [`LOCK_WAIT`]. A link at the lock's place is never followed.
fn locked(home: &GoverHome) -> io::Result<File> {
    let path = home.pins_lock_file();
    if let Some(d) = path.parent() {
        fs::create_dir_all(d)?;
    }
    let not_a_file = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        )
    };
    if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(not_a_file());
    }
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    if !f.metadata()?.is_file() {
        return Err(not_a_file());
    }
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(f),
            Err(fs::TryLockError::Error(e)) => return Err(e),
            Err(fs::TryLockError::WouldBlock) if Instant::now() >= deadline => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!(
                        "{} is held by another gover process (stopped?); not waiting for it",
                        path.display()
                    ),
                ))
            }
            Err(fs::TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(25)),
        }
    }
}

/// Applies `change` to the record under its lock and writes it back when
/// `change` says it changed something.
fn update(home: &GoverHome, change: impl FnOnce(&mut Vec<PinRecord>) -> bool) -> io::Result<()> {
    let _lock = locked(home)?;
    let mut records = read(home);
    if !change(&mut records) {
        return Ok(());
    }
    records.sort_by(|a, b| b.seen.cmp(&a.seen).then_with(|| a.file.cmp(&b.file)));
    records.truncate(MAX_RECORDS);
    crate::fs::write_atomic(&home.pins_file(), render(&records).as_bytes(), None)
}

/// Remembers that `file` pinned `request`, resolving to `version`. Does
/// nothing (and writes nothing) for a path or value that cannot be
/// recorded, or when the same was recorded within the last day.
pub fn remember(
    home: &GoverHome,
    file: &Path,
    request: &str,
    version: Option<&str>,
) -> io::Result<()> {
    let Some(path) = file.to_str() else {
        return Ok(());
    };
    if !file.is_absolute() || !field_ok(path) || !field_ok(request) {
        return Ok(());
    }
    let version = version.filter(|v| field_ok(v));
    let record = PinRecord {
        file: file.to_path_buf(),
        request: request.to_string(),
        version: version.map(str::to_string),
        seen: now(),
    };
    let fresh = |r: &PinRecord| {
        r.file == record.file
            && r.request == record.request
            && r.version == record.version
            && record.seen.saturating_sub(r.seen) < REFRESH_SECS
    };
    if read(home).iter().any(fresh) {
        return Ok(());
    }
    update(home, |records| {
        records.retain(|r| r.file != record.file);
        records.push(record);
        true
    })
}

/// Forgets the records of `files` (pin files that are gone or no longer
/// pin anything).
pub fn forget(home: &GoverHome, files: &[PathBuf]) -> io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    update(home, |records| {
        let before = records.len();
        records.retain(|r| !files.contains(&r.file));
        records.len() != before
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_updates_bounds_and_forgets() {
        let t = tempfile::tempdir().unwrap();
        let home = GoverHome::new(t.path());
        assert!(read(&home).is_empty());
        let a = t.path().join("a/.go-version");
        remember(&home, &a, "1.22", Some("go1.22.10")).unwrap();
        remember(&home, Path::new("relative/.go-version"), "1.22", None).unwrap();
        remember(&home, &t.path().join("b\tc/go.mod"), "1.22", None).unwrap();
        let got = read(&home);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].file, a);
        assert_eq!(got[0].version.as_deref(), Some("go1.22.10"));
        // The same again writes nothing; a change rewrites the entry.
        let stamp = fs::metadata(home.pins_file()).unwrap().modified().unwrap();
        remember(&home, &a, "1.22", Some("go1.22.10")).unwrap();
        assert_eq!(
            fs::metadata(home.pins_file()).unwrap().modified().unwrap(),
            stamp
        );
        remember(&home, &a, "1.23", None).unwrap();
        let got = read(&home);
        assert_eq!((got.len(), got[0].request.as_str()), (1, "1.23"));
        forget(&home, std::slice::from_ref(&a)).unwrap();
        assert!(read(&home).is_empty());
    }

    #[test]
    fn a_damaged_record_is_read_as_far_as_it_makes_sense() {
        let text = "gover-pins 1\n5\t1.22\t-\t/p/.go-version\nnonsense\n7\t1.21\tgo1.21.13\t/q/go.mod\n9\t\t-\t/r/.go-version\n";
        let got = parse(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].file, Path::new("/q/go.mod"));
        assert_eq!(got[1].version, None);
        assert!(parse("other 1\n5\t1.22\t-\t/p/.go-version\n").is_empty());
        let many: String = (0..(MAX_RECORDS + 10))
            .map(|i| format!("{i}\t1.22\t-\t/p{i}/.go-version\n"))
            .collect();
        assert_eq!(parse(&format!("{HEADER}\n{many}")).len(), MAX_RECORDS);
    }
}
