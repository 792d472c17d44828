//! How each installed toolchain was verified: one small JSON record per
//! toolchain and platform in `$GOVER_HOME/verified/` (never inside the
//! GOROOT, which holds only what Go shipped), written atomically when the
//! install commits and read by `gover list`, `gover current -v` and
//! `gover verify`.
//!
//! A record holds the toolchain module's `h1:` of the tree as installed
//! (so `gover verify` sees files changed later), the checksum database's
//! attestation (database, record number, tree size) when there was one,
//! the archive's sha256 when it came from the release index, why the
//! database was not consulted otherwise, when, and the identity of the
//! GOROOT directory, so a record left behind by an earlier install of the
//! same version is never taken for the current one's.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use gover_core::fs::FileId;
use gover_core::GoverHome;

use crate::error::{Error, ErrorKind, Result};
use crate::platform::Platform;
use crate::source::{human_age, now_secs, write_atomic};
use crate::trust::{Attestation, Verdict};

/// The format of the records gover writes.
pub const FORMAT: u32 = 1;

/// Most bytes of a record read.
const MAX_RECORD_BYTES: u64 = 64 << 10;

/// The checksum database's attestation, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseProof {
    /// The database (`sum.golang.org`).
    pub name: String,
    /// The record's number in its log.
    pub record_id: u64,
    /// The size of the signed tree the record was proven in.
    pub tree_size: u64,
    /// That tree's root hash (base64).
    pub tree_hash: String,
}

/// How one installed toolchain was verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRecord {
    /// [`FORMAT`].
    pub format: u32,
    /// The toolchain: `go1.22.10`.
    pub toolchain: String,
    /// The platform: `linux-amd64`.
    pub platform: String,
    /// The toolchain module: `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`.
    pub module: String,
    /// The module's `h1:` hash of the tree as installed.
    pub h1: String,
    /// Where it came from: the archive's or zip's URL (credentials
    /// removed), or the local file.
    pub source: String,
    /// The archive's sha256, when the release index listed one and it
    /// matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_sha256: Option<String>,
    /// The database's attestation, when the tree matched its record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseProof>,
    /// Why the database was not consulted, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_checked: Option<String>,
    /// When (Unix seconds).
    pub verified_at: u64,
    /// The identity of the GOROOT directory it describes (`dev:inode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goroot_id: Option<String>,
}

/// How a toolchain was verified, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// Its files match the checksum database's record.
    Database,
    /// Only the archive's sha256 from the release index vouches for it.
    ArchiveOnly,
    /// Nothing vouched for it.
    Unverified,
}

impl How {
    /// `database`, `archive-only`, `unverified` (as `--json` writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::ArchiveOnly => "archive-only",
            Self::Unverified => "unverified",
        }
    }
}

impl VerificationRecord {
    /// The record of an install whose check gave `verdict`: `module` and
    /// `h1` from the check, `source` where the files came from,
    /// `archive_sha256` the index's sha256 when it was checked.
    pub fn new(
        toolchain: &str,
        platform: &Platform,
        verdict: &Verdict,
        source: &str,
        archive_sha256: Option<&str>,
        module: &str,
    ) -> Self {
        let (h1, database, not_checked) = match verdict {
            Verdict::Verified(a) => (a.h1.clone(), Some(proof(a)), None),
            Verdict::Unchecked { h1, why, .. } => (h1.clone(), None, Some(why.to_string())),
        };
        Self {
            format: FORMAT,
            toolchain: toolchain.to_string(),
            platform: platform.to_string(),
            module: module.to_string(),
            h1,
            source: gover_core::url::Url::parse(source)
                .map_or_else(|_| source.to_string(), |u| u.without_credentials()),
            archive_sha256: archive_sha256.map(str::to_string),
            database,
            not_checked,
            verified_at: now_secs(),
            goroot_id: None,
        }
    }

    /// How it was verified.
    pub fn how(&self) -> How {
        match (&self.database, &self.archive_sha256) {
            (Some(_), _) => How::Database,
            (None, Some(_)) => How::ArchiveOnly,
            (None, None) => How::Unverified,
        }
    }

    /// One line for `gover list` and `gover current -v`: `verified by
    /// sum.golang.org (record 300, tree of 66112), 3d ago`.
    pub fn summary(&self) -> String {
        let age = human_age(now_secs().saturating_sub(self.verified_at));
        match (&self.database, self.how()) {
            (Some(d), _) => format!(
                "verified by the checksum database {} (record {}, tree of {}), {age} ago",
                d.name, d.record_id, d.tree_size
            ),
            (None, How::ArchiveOnly) => format!(
                "verified by the release index's sha256 only ({}), {age} ago",
                self.not_checked.as_deref().unwrap_or("no database check")
            ),
            _ => format!(
                "not verified ({}), {age} ago",
                self.not_checked.as_deref().unwrap_or("no check")
            ),
        }
    }
}

fn proof(a: &Attestation) -> DatabaseProof {
    DatabaseProof {
        name: a.database.clone(),
        record_id: a.record_id,
        tree_size: a.tree_size,
        tree_hash: a.tree_hash.clone(),
    }
}

/// The file of `toolchain`'s record for `platform`.
pub fn record_file(home: &GoverHome, toolchain: &str, platform: &Platform) -> Result<PathBuf> {
    home.verification_file(toolchain, &platform.to_string())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("`{toolchain}` for {platform} does not name a verification record"),
            )
        })
}

/// Writes `rec` for the GOROOT `goroot` (whose identity it records),
/// atomically; `verified/` is created as needed.
pub fn write(home: &GoverHome, rec: &VerificationRecord, goroot: &Path) -> Result<PathBuf> {
    write_for(home, rec, FileId::of(goroot))
}

/// Writes `rec` for the GOROOT directory whose identity is `goroot_id`
/// (taken before the directory was renamed into place, so a record
/// written after another install replaced it describes the tree that was
/// checked, and reads as stale), atomically.
pub fn write_for(
    home: &GoverHome,
    rec: &VerificationRecord,
    goroot_id: Option<FileId>,
) -> Result<PathBuf> {
    let platform = Platform::parse(&rec.platform)?;
    let file = record_file(home, &rec.toolchain, &platform)?;
    let dir = home.verified_dir();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let mut rec = rec.clone();
    rec.goroot_id = goroot_id.map(|id| id.to_string());
    let mut text = serde_json::to_vec_pretty(&rec).unwrap_or_default();
    text.push(b'\n');
    write_atomic(&file, &text)?;
    Ok(file)
}

/// What a record file says about an installed toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// No record: installed before gover kept them, or by other means.
    None,
    /// A record for the GOROOT as it is.
    Current(VerificationRecord),
    /// A record of an earlier install of the same version (the GOROOT
    /// directory has been replaced since).
    Stale(VerificationRecord),
}

/// The record of `toolchain` for `platform` installed at `goroot`. A
/// damaged record is an error naming the file.
pub fn read(
    home: &GoverHome,
    toolchain: &str,
    platform: &Platform,
    goroot: &Path,
) -> Result<Recorded> {
    let file = record_file(home, toolchain, platform)?;
    let bytes = match crate::source::read_capped(&file, MAX_RECORD_BYTES) {
        Ok(b) => b,
        Err(e) if gover_core::fs::is_missing(&e) => return Ok(Recorded::None),
        Err(e) => return Err(Error::io("cannot read", &file, e)),
    };
    let damaged = |why: String| {
        Error::new(
            ErrorKind::Io,
            format!("{} is not a verification record gover wrote: {why}", file.display()),
        )
        .with_hint("remove it, then run `gover verify --record` to check the toolchain and record it afresh")
    };
    let rec: VerificationRecord =
        serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
    if rec.toolchain != toolchain || rec.platform != platform.to_string() {
        return Err(damaged(format!(
            "it describes {} for {}",
            rec.toolchain, rec.platform
        )));
    }
    let now = FileId::of(goroot).map(|id| id.to_string());
    if rec.goroot_id.is_some() && rec.goroot_id != now {
        return Ok(Recorded::Stale(rec));
    }
    Ok(Recorded::Current(rec))
}

/// Removes the record of `toolchain` for `platform`, if any (uninstall).
pub fn remove(home: &GoverHome, toolchain: &str, platform: &Platform) -> Result<()> {
    let file = record_file(home, toolchain, platform)?;
    match std::fs::remove_file(&file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io("cannot remove", &file, e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
