//! Checking a toolchain against Go's checksum database: the service the
//! installs and `gover verify` call.
//!
//! Every Go release from go1.21 on is also published as the module
//! `golang.org/toolchain@v0.0.1-go<version>.<goos>-<goarch>`, and the
//! checksum database (sum.golang.org, an append-only log no mirror can
//! rewrite) records its `h1:` hash. The files of a release archive are
//! the module's files (minus `api/`, `doc/`, `misc/`, `test/`, with
//! `go.mod` named `_go.mod`), so a tree unpacked from either can be
//! checked against the record.
//!
//! Two steps, so an install fails before it downloads anything when the
//! database cannot vouch for the release:
//! 1. [`Checker::expect`] looks the record up (GOSUMDB and GOPROXY as Go
//!    reads them; the database reached as Go reaches it) and returns an
//!    [`Expectation`]: the record, or why there is none and whether that
//!    is allowed (the `verify` setting, [`Purpose`]);
//! 2. [`Checker::check`] compares an `h1:` (from [`h1_of_files`], a
//!    manifest of the files written, or [`h1_of_tree`] over a GOROOT) with
//!    it and returns a [`Verdict`], or a [`ErrorKind::ChecksumMismatch`]
//!    error naming both hashes.
//!
//! What is never a matter of the `verify` setting: a record that does not
//! match, a database caught forking or going back in time
//! ([`ErrorKind::Security`], with the evidence), an answer that does not
//! authenticate (a bad signature, an unknown key, a tile that does not
//! hash to its parent: [`ErrorKind::Unverified`]). GOSUMDB=off is refused
//! as Go refuses it (GONOSUMDB, GOPRIVATE and GOINSECURE do not apply to
//! toolchains), except with GOPROXY a single `file://` URL.

use std::path::Path;

use gover_core::env;
use gover_core::settings::{Setting as GoverSetting, VerifyPolicy};
use gover_core::GoVersion;
use gover_trust::dirhash::{self, Collector};
use gover_trust::goenv::Setting;
use gover_trust::gosumdb::{self, ToolchainCheck};
use gover_trust::toolchain::{ToolchainModule, MODULE_PATH};
use gover_trust::{Database, Record};

use crate::error::{Error, ErrorKind, Result};
use crate::goproxy::{describe, parse_goproxy, GoModuleEnv};
use crate::platform::Platform;
use crate::source::Dist;
use crate::sumdb;

/// The first release published as a toolchain module.
pub const FIRST_MODULE_RELEASE: &str = "1.21rc2";

/// What a toolchain is being checked for: it decides whether the
/// database may be missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A release archive from the release index or a mirror, already
    /// checked against the index's sha256: the database is a cross-check,
    /// and the `verify` setting says what happens when it cannot be made.
    Archive,
    /// A module zip from a GOPROXY proxy, which nothing else vouches for:
    /// the database is required (as in Go), whatever `verify` says.
    ProxyZip,
    /// An installed toolchain checked again (`gover verify`): as
    /// [`Purpose::Archive`], but `verify = "off"` does not stop an
    /// explicit check.
    Installed,
}

/// Why a toolchain was not checked against the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotChecked {
    /// gover is offline (`--offline`, `GOVER_OFFLINE`).
    Offline,
    /// The database could not be reached (the error).
    Unreachable(String),
    /// The database answered that it has no record of the module (the
    /// error).
    NoRecord(String),
    /// The release predates toolchain modules (before go1.21).
    PredatesModules,
    /// `verify = "off"` (where it was set).
    Disabled(String),
    /// GOSUMDB=off with GOPROXY a single `file://` URL, the one case Go
    /// installs a toolchain without the database.
    NotRequired,
}

impl std::fmt::Display for NotChecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Offline => f.write_str("offline (--offline or GOVER_OFFLINE=1)"),
            Self::Unreachable(e) => write!(f, "the checksum database cannot be reached: {e}"),
            Self::NoRecord(e) => write!(f, "the checksum database has no record of it: {e}"),
            Self::PredatesModules => write!(
                f,
                "Go publishes toolchains in the checksum database from go{FIRST_MODULE_RELEASE} on"
            ),
            Self::Disabled(origin) => write!(f, "verify = \"off\" ({origin})"),
            Self::NotRequired => {
                f.write_str("GOSUMDB=off with GOPROXY a single file:// URL (as Go allows)")
            }
        }
    }
}

/// What a toolchain's `h1:` must be, decided before it is downloaded.
#[derive(Clone, Debug)]
pub enum Expectation {
    /// The database's record.
    Record {
        /// The module looked up.
        module: ToolchainModule,
        /// The database's name.
        database: String,
        /// The record, proven in the log.
        record: Record,
        /// What it is checked for.
        purpose: Purpose,
    },
    /// No record to check against, as allowed.
    Unchecked {
        /// The module.
        module: ToolchainModule,
        /// Why.
        why: NotChecked,
        /// Whether to warn (`verify = "warn"`, or unreachable by default);
        /// otherwise a note.
        warn: bool,
    },
}

impl Expectation {
    /// The module the expectation is about.
    pub fn module(&self) -> &ToolchainModule {
        match self {
            Self::Record { module, .. } | Self::Unchecked { module, .. } => module,
        }
    }
}

/// A toolchain's hash proven equal to the database's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    /// The database's name (`sum.golang.org`).
    pub database: String,
    /// The record's number in the log.
    pub record_id: u64,
    /// The size of the signed tree the record was proven in.
    pub tree_size: u64,
    /// That tree's root hash (base64).
    pub tree_hash: String,
    /// The `h1:` hash, the tree's and the record's.
    pub h1: String,
}

/// The outcome of a check that did not fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The hash equals the database's record.
    Verified(Attestation),
    /// Not checked against the database, as allowed.
    Unchecked {
        /// The hash computed.
        h1: String,
        /// Why it was not checked.
        why: NotChecked,
        /// Whether this deserves a warning.
        warn: bool,
    },
}

/// What the checker needs to know: the `verify` setting and Go's module
/// settings.
#[derive(Clone, Debug)]
pub struct TrustSettings {
    /// `verify` (`None`: not set).
    pub verify: GoverSetting<Option<VerifyPolicy>>,
    /// GOPROXY and GOSUMDB as Go reads them.
    pub go: GoModuleEnv,
}

/// The toolchain module of a release for a platform.
pub fn module_for(version: &GoVersion, platform: &Platform) -> Result<ToolchainModule> {
    ToolchainModule::for_archive(&version.toolchain_name(), &platform.os, &platform.arch)
        .map_err(|e| Error::new(ErrorKind::InvalidInput, e.message()))
}

/// The `h1:` of a GOROOT's files given as (GOROOT-relative `/`-separated
/// path, sha256) pairs, named as `module`'s zip names them (files under
/// `api/`, `doc/`, `misc/`, `test/` left out, `go.mod` as `_go.mod`).
pub fn h1_of_files<'f>(
    module: &ToolchainModule,
    files: impl IntoIterator<Item = (&'f str, [u8; 32])>,
) -> Result<String> {
    let c = Collector::new(module.clone());
    for (rel, sha) in files {
        c.add(rel, sha);
    }
    c.finish().map_err(trust_error)
}

/// The `h1:` of the toolchain unpacked at `goroot` (read from disk);
/// `ignore` skips GOROOT-relative names gover itself added.
pub fn h1_of_tree(
    goroot: &Path,
    module: &ToolchainModule,
    ignore: &dyn Fn(&str) -> bool,
) -> Result<String> {
    dirhash::hash_goroot(goroot, module, ignore).map_err(trust_error)
}

/// A gover-trust error as gover-dist's, keeping its hint and, for a
/// security error, the evidence.
pub fn trust_error(e: gover_trust::Error) -> Error {
    use gover_trust::ErrorKind as T;
    let kind = match e.kind() {
        T::Security => ErrorKind::Security,
        T::ChecksumMismatch => ErrorKind::ChecksumMismatch,
        T::Fetch => ErrorKind::Network,
        T::Config | T::InvalidKey => ErrorKind::InvalidInput,
        T::Io => ErrorKind::Io,
        _ => ErrorKind::Unverified,
    };
    // The evidence indents signed notes with tabs: spaces show them.
    let err = Error::new(kind, e.to_string().replace('\t', "    "));
    match (e.hint(), kind) {
        (Some(h), _) => err.with_hint(h),
        (None, ErrorKind::Unverified) => err.with_hint("the checksum database, or a proxy in front of it, served data that does not authenticate against its signed tree head: nothing it said was used. Try again later or through another proxy (GOPROXY); if it persists, report it"),
        (None, _) => err,
    }
}

/// How many times a lookup the settings do not require is retried.
const OPTIONAL_LOOKUP_RETRIES: u32 = 1;

/// Looks toolchains up in the checksum database and checks their hashes.
pub struct Checker<'a> {
    dist: &'a Dist,
    settings: TrustSettings,
}

impl<'a> Checker<'a> {
    /// A checker using `dist`'s HTTP client, offline mode and home.
    pub fn new(dist: &'a Dist, settings: TrustSettings) -> Self {
        Self { dist, settings }
    }

    /// The settings.
    pub fn settings(&self) -> &TrustSettings {
        &self.settings
    }

    /// Looks the record of `version` for `platform` up, before anything is
    /// downloaded. Errors: GOSUMDB=off (Go's words), an invalid GOSUMDB or
    /// GOPROXY, a security event, an answer that does not authenticate,
    /// and a missing record or unreachable database when `purpose` and the
    /// `verify` setting require the database. [`Checker::prepare`] and
    /// [`Checker::complete`] are its two halves.
    pub fn expect(
        &self,
        version: &GoVersion,
        platform: &Platform,
        purpose: Purpose,
    ) -> Result<Expectation> {
        let prepared = self.prepare(version, platform, purpose)?;
        self.complete(prepared)
    }

    /// The part of [`Checker::expect`] that needs no network: what the
    /// settings alone decide (`verify = "off"`, a release older than
    /// toolchain modules, GOSUMDB=off and invalid settings, as errors or
    /// an expectation), else the lookup to make, with
    /// [`Checker::complete`] (which may run on another thread).
    pub fn prepare(
        &self,
        version: &GoVersion,
        platform: &Platform,
        purpose: Purpose,
    ) -> Result<Prepared> {
        let module = module_for(version, platform)?;
        let verify = &self.settings.verify;
        if purpose == Purpose::Archive && verify.value == Some(VerifyPolicy::Off) {
            let why = NotChecked::Disabled(verify.origin.to_string());
            return Ok(Prepared::Known(Expectation::Unchecked {
                module,
                why,
                warn: false,
            }));
        }
        if *version < GoVersion::parse(FIRST_MODULE_RELEASE).expect("a version") {
            return self
                .unavailable(module, NotChecked::PredatesModules, purpose)
                .map(Prepared::Known);
        }
        let go = &self.settings.go.settings;
        let proxies = parse_goproxy(&go.goproxy)?;
        let sumdb = gosumdb::parse(&go.gosumdb.value).map_err(|e| setting_error(&go.gosumdb, e))?;
        let db = match sumdb.for_toolchain(&proxies) {
            Ok(ToolchainCheck::Database(db)) => db.clone(),
            Ok(ToolchainCheck::NotRequired) => {
                return Ok(Prepared::Known(Expectation::Unchecked {
                    module,
                    why: NotChecked::NotRequired,
                    warn: true,
                }))
            }
            Err(_) => return Err(self.sumdb_off(version, &module, purpose)),
        };
        Ok(Prepared::Lookup(PendingLookup {
            module,
            db,
            proxies,
            purpose,
        }))
    }

    /// Finishes what [`Checker::prepare`] started: looks the record up
    /// when that is what is left to do.
    pub fn complete(&self, prepared: Prepared) -> Result<Expectation> {
        let PendingLookup {
            module,
            db,
            proxies,
            purpose,
        } = match prepared {
            Prepared::Known(e) => return Ok(e),
            Prepared::Lookup(l) => l,
        };
        match self.lookup(&db, &proxies, &module, purpose) {
            Ok(record) => Ok(Expectation::Record {
                module,
                database: db.name().to_string(),
                record,
                purpose,
            }),
            Err(Lookup::Unavailable(why)) => self.unavailable(module, why, purpose),
            Err(Lookup::Failed(e)) => Err(e),
        }
    }

    /// The record of `module` in `db`, reached through `proxies`, looked
    /// up for `purpose`.
    fn lookup(
        &self,
        db: &Database,
        proxies: &gover_trust::goproxy::ProxyList,
        module: &ToolchainModule,
        purpose: Purpose,
    ) -> std::result::Result<Record, Lookup> {
        let base = sumdb::database_base(self.dist, proxies, db).map_err(|e| match e.kind() {
            ErrorKind::InvalidInput => Lookup::Failed(e),
            _ => Lookup::Unavailable(NotChecked::Unreachable(e.to_string())),
        })?;
        let offline_net = self.dist.sources().offline && !base.starts_with("file:");
        if offline_net {
            return Err(Lookup::Unavailable(NotChecked::Offline));
        }
        // Where a missing answer is only a warning (`verify` unset, `warn`
        // or `off`, and not a proxy's zip, which always needs the
        // database), an unreachable database costs one retry, not the
        // download's full count with its growing pauses.
        let required = purpose == Purpose::ProxyZip
            || self.settings.verify.value == Some(VerifyPolicy::Require);
        let retries = (!required).then_some(OPTIONAL_LOOKUP_RETRIES);
        let client = sumdb::client(self.dist, db, &base, retries).map_err(Lookup::Failed)?;
        let record = client
            .lookup(MODULE_PATH, &module.version())
            .map_err(|e| match e.kind() {
                gover_trust::ErrorKind::NotFound => {
                    Lookup::Unavailable(NotChecked::NoRecord(e.to_string()))
                }
                gover_trust::ErrorKind::Fetch => {
                    Lookup::Unavailable(NotChecked::Unreachable(e.to_string()))
                }
                _ => Lookup::Failed(trust_error(e)),
            })?;
        if record.h1().is_none() {
            return Err(Lookup::Failed(Error::new(
                ErrorKind::Unverified,
                format!(
                    "the checksum database {} recorded no hash for {module}, only for its go.mod",
                    db.name()
                ),
            )));
        }
        Ok(record)
    }

    /// What the `verify` setting and `purpose` make of a missing record.
    fn unavailable(
        &self,
        module: ToolchainModule,
        why: NotChecked,
        purpose: Purpose,
    ) -> Result<Expectation> {
        let policy = self.settings.verify.value;
        let (allowed, warn) = match (purpose, policy, &why) {
            (Purpose::ProxyZip, _, _) => (false, true),
            (_, Some(VerifyPolicy::Require), _) => (false, true),
            (_, Some(VerifyPolicy::Warn | VerifyPolicy::Off), _) => (true, true),
            // Not set: the database reachable but without a record is an
            // error; unreachable or offline a warning; an old release a note.
            (_, None, NotChecked::NoRecord(_)) => (false, true),
            (_, None, NotChecked::PredatesModules) => (true, false),
            (_, None, _) => (true, true),
        };
        if allowed {
            return Ok(Expectation::Unchecked { module, why, warn });
        }
        Err(self.required(&module, &why, purpose))
    }

    /// The error for a check that was required and could not be made.
    fn required(&self, module: &ToolchainModule, why: &NotChecked, purpose: Purpose) -> Error {
        let verify = &self.settings.verify;
        let message = format!(
            "cannot verify {} against the checksum database ({module}): {why}",
            module.toolchain()
        );
        let hint = match (purpose, why) {
            (Purpose::ProxyZip, NotChecked::PredatesModules) => format!(
                "install {} from the release index instead (GOVER_SOURCE=dl): it has no toolchain module",
                module.toolchain()
            ),
            (Purpose::ProxyZip, _) => "a toolchain from a module proxy is installed only once the checksum database vouches for it (as Go does); try again when the database can be reached, or install from the release index (GOVER_SOURCE=dl)".to_string(),
            (_, NotChecked::NoRecord(_)) if verify.value.is_none() => format!(
                "the database is reachable and does not know this release, so nothing vouches for it beyond the index; if you trust the index and mirror, set {}=warn (or `verify = \"warn\"`) to install it with a warning",
                env::GOVER_VERIFY
            ),
            _ => format!(
                "verify = \"require\" ({}) installs only what the database vouches for; try again when it can be reached, or set {}=warn for this install",
                verify.origin,
                env::GOVER_VERIFY
            ),
        };
        Error::new(ErrorKind::Unverified, message).with_hint(hint)
    }

    /// GOSUMDB=off, refused as Go refuses it.
    fn sumdb_off(&self, version: &GoVersion, module: &ToolchainModule, purpose: Purpose) -> Error {
        let go = &self.settings.go.settings;
        let message = format!(
            "download {}: {module}: verifying module: checksum database disabled by GOSUMDB=off",
            version.toolchain_name()
        );
        let also = match purpose {
            Purpose::ProxyZip => String::new(),
            _ => format!(
                "; to install from the release index without this cross-check, set {}=off",
                env::GOVER_VERIFY
            ),
        };
        Error::new(ErrorKind::InvalidInput, message).with_hint(format!(
            "{}: Go toolchains are always verified against the checksum database, and GONOSUMDB, GOPRIVATE and GOINSECURE do not change that; unset GOSUMDB (`go env -u GOSUMDB`) or set it to a database you trust{also}",
            describe(env::GOSUMDB, &go.gosumdb)
        ))
    }

    /// Compares `h1` (of the toolchain from `from`, a URL or file for
    /// messages) with the expectation: a [`Verdict`], or a
    /// [`ErrorKind::ChecksumMismatch`] error naming both hashes, the source
    /// and the database.
    pub fn check(&self, expected: &Expectation, h1: &str, from: &str) -> Result<Verdict> {
        let (module, database, record, purpose) = match expected {
            Expectation::Unchecked { why, warn, .. } => {
                return Ok(Verdict::Unchecked {
                    h1: h1.to_string(),
                    why: why.clone(),
                    warn: *warn,
                })
            }
            Expectation::Record {
                module,
                database,
                record,
                purpose,
            } => (module, database, record, *purpose),
        };
        let want = record.h1().unwrap_or_default();
        if want == h1 {
            return Ok(Verdict::Verified(Attestation {
                database: database.clone(),
                record_id: record.id,
                tree_size: record.tree.size,
                tree_hash: record.tree.hash.to_string(),
                h1: h1.to_string(),
            }));
        }
        Err(mismatch(module, database, record, h1, from, purpose))
    }
}

/// The error for a hash that is not the database's.
fn mismatch(
    module: &ToolchainModule,
    database: &str,
    record: &Record,
    h1: &str,
    from: &str,
    purpose: Purpose,
) -> Error {
    let message = format!(
        "{} from {from} is not the toolchain Go published: its files hash to {h1}, but the checksum database {database} records {} for {module} (record {} in its tree of {} records)",
        module.toolchain(),
        record.h1().unwrap_or_default(),
        record.id,
        record.tree.size
    );
    let hint = match purpose {
        Purpose::Installed => "files of the installed toolchain differ from what Go published: reinstall it (`gover install --force`) and find out what changed them".to_string(),
        Purpose::ProxyZip => "the proxy served altered files: nothing was installed; use another proxy (GOPROXY) and report this one".to_string(),
        Purpose::Archive => "the archive differs from what Go published, though it matched the index: the mirror and its index may both have been altered. Nothing was installed; use another mirror and report this one".to_string(),
    };
    Error::new(ErrorKind::ChecksumMismatch, message).with_hint(hint)
}

/// What [`Checker::prepare`] leaves to do.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// The settings decided: nothing to look up.
    Known(Expectation),
    /// A lookup in the checksum database ([`Checker::complete`]).
    Lookup(PendingLookup),
}

/// A lookup [`Checker::prepare`] found necessary.
#[derive(Clone, Debug)]
pub struct PendingLookup {
    module: ToolchainModule,
    db: Database,
    proxies: gover_trust::goproxy::ProxyList,
    purpose: Purpose,
}

/// Why a lookup gave no record.
enum Lookup {
    /// A reason the `verify` setting may allow.
    Unavailable(NotChecked),
    /// An error no setting allows.
    Failed(Error),
}

/// An invalid Go setting, naming where it was set.
fn setting_error(s: &Setting, e: gover_trust::Error) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("{}: {}", describe(env::GOSUMDB, s), e.message()),
    )
    .with_hint(e.hint().unwrap_or("fix GOSUMDB, or unset it"))
}

#[cfg(test)]
mod tests;
