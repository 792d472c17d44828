//! Cross-checking every release archive an install unpacks against Go's
//! checksum database, before the commit rename, and recording how each
//! installed toolchain was verified.
//!
//! A mirror that serves a tampered archive together with an index listing
//! the tampered archive's sha256 passes the index check; the checksum
//! database (an append-only log no mirror can rewrite) catches it: the
//! toolchain module's `h1:` over the unpacked tree, named as the module
//! zip names its files, must equal the database's record. The hash comes
//! from the install's manifest (every file's sha256, computed while it was
//! written), so the tree is not read a second time.
//!
//! The lookup starts with the download, on a thread of its own
//! ([`CrossCheck::start`]), and is awaited in the installer's pre-commit
//! check ([`CrossCheck::hook`]); what the settings alone decide (GOSUMDB=off,
//! `verify = "require"` for a release older than toolchain modules) fails
//! before anything is downloaded. After the commit, [`CrossCheck::record`]
//! writes the [`crate::verified`] record that `gover list`, `gover current
//! -v` and `gover verify` read.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use gover_core::fs::FileId;
use gover_core::text::shorten;
use gover_core::GoVersion;

use crate::error::{Error, ErrorKind, Result};
use crate::index::hex;
use crate::install::{Outcome, PreCommit, PreCommitHook};
use crate::platform::Platform;
use crate::source::Dist;
use crate::trust::{h1_of_files, Checker, Expectation, Prepared, Purpose, TrustSettings, Verdict};
use crate::verified::{self, VerificationRecord};

/// The cross-check of the installs one installer makes, one at a time.
pub struct CrossCheck {
    dist: Arc<Dist>,
    settings: TrustSettings,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The install under way, from [`CrossCheck::start`].
    started: Option<Started>,
    /// What its pre-commit check found.
    checked: Option<Checked>,
}

struct Started {
    /// The release the lookup is for (for a local archive, guessed from
    /// its name; `None` when the name says nothing).
    release: Option<(GoVersion, Platform)>,
    /// Where the archive came from: its URL, or the local file.
    source: String,
    /// Whether the archive's sha256 was the release index's.
    index_sha256: bool,
    lookup: Option<Lookup>,
}

enum Lookup {
    Ready(Result<Expectation>),
    Running(JoinHandle<Result<Expectation>>),
}

/// What the pre-commit check of one install found.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The version installed.
    pub version: GoVersion,
    /// Its platform.
    pub platform: Platform,
    /// The toolchain module (`golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`).
    pub module: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Where the archive came from.
    pub source: String,
    /// Whether the archive's sha256 was the release index's.
    pub index_sha256: bool,
    /// The identity of the tree checked (its directory keeps it when it
    /// is renamed into place).
    pub tree_id: Option<FileId>,
}

impl CrossCheck {
    /// A cross-check over `dist` (its HTTP client, offline mode, home)
    /// with `settings`.
    pub fn new(dist: Arc<Dist>, settings: TrustSettings) -> Arc<Self> {
        Arc::new(Self {
            dist,
            settings,
            state: Mutex::default(),
        })
    }

    fn checker(&self) -> Checker<'_> {
        Checker::new(&self.dist, self.settings.clone())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts checking the archive of `version` for `platform` from
    /// `source` (a URL, for messages and the record), whose sha256 the
    /// release index listed: what the settings alone refuse is an error
    /// now, before the download; the lookup runs meanwhile.
    pub fn start(
        self: &Arc<Self>,
        version: &GoVersion,
        platform: &Platform,
        source: &str,
    ) -> Result<()> {
        let prepared = self
            .checker()
            .prepare(version, platform, Purpose::Archive)?;
        let lookup = self.spawn(prepared);
        self.state().started = Some(Started {
            release: Some((version.clone(), platform.clone())),
            source: source.to_string(),
            index_sha256: true,
            lookup: Some(lookup),
        });
        Ok(())
    }

    /// Starts checking the local archive `file` (`--from`) for `platform`;
    /// `index_sha256`: it is checked against the release index (not a
    /// `--sha256` given). Its version is known once it is unpacked; the
    /// lookup starts now for the version its name gives, if any.
    pub fn start_local(self: &Arc<Self>, file: &Path, platform: &Platform, index_sha256: bool) {
        let guess = version_in_name(file, platform);
        let lookup =
            guess.as_ref().map(
                |v| match self.checker().prepare(v, platform, Purpose::Archive) {
                    Ok(p) => self.spawn(p),
                    Err(e) => Lookup::Ready(Err(e)),
                },
            );
        self.state().started = Some(Started {
            release: guess.map(|v| (v, platform.clone())),
            source: file.display().to_string(),
            index_sha256,
            lookup,
        });
    }

    /// The lookup `prepared` leaves to do, on a thread of its own.
    fn spawn(self: &Arc<Self>, prepared: Prepared) -> Lookup {
        if let Prepared::Known(e) = prepared {
            return Lookup::Ready(Ok(e));
        }
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("sumdb-lookup".into())
            .spawn(move || me.checker().complete(prepared));
        match spawned {
            Ok(handle) => Lookup::Running(handle),
            Err(e) => Lookup::Ready(Err(Error::new(
                ErrorKind::Io,
                format!("cannot start the checksum database lookup: {e}"),
            ))),
        }
    }

    /// The pre-commit check for an [`crate::install::Installer`]: the
    /// unpacked tree's `h1:` against the database's record.
    pub fn hook(self: &Arc<Self>) -> PreCommitHook {
        let me = Arc::clone(self);
        Box::new(move |c: &PreCommit<'_>| me.check_tree(c))
    }

    /// Checks the tree `c` describes; a mismatch (or a required check that
    /// cannot be made) is an error, and the install stops.
    fn check_tree(&self, c: &PreCommit<'_>) -> Result<()> {
        let started = self.state().started.take();
        let (source, index_sha256) = started
            .as_ref()
            .map_or((c.archive.to_string(), false), |s| {
                (s.source.clone(), s.index_sha256)
            });
        let release = (c.version.clone(), c.platform.clone());
        let expected = match started {
            Some(Started {
                release: Some(r),
                lookup: Some(lookup),
                ..
            }) if r == release => match lookup {
                Lookup::Ready(e) => e,
                Lookup::Running(h) => h.join().unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Io,
                        "the checksum database lookup failed unexpectedly",
                    ))
                }),
            },
            _ => self
                .checker()
                .expect(c.version, c.platform, Purpose::Archive),
        }?;
        let module = expected.module().clone();
        if let Some(f) = c.files.iter().find(|f| is_renamed_go_mod(&f.path)) {
            return Err(Error::new(
                ErrorKind::ChecksumMismatch,
                format!(
                    "{} from {source} is not the toolchain Go published: it holds `{}`, a name Go's release archives never use (the module zip's name for a go.mod), so its files cannot be checked against the checksum database",
                    c.version.toolchain_name(),
                    shorten(&f.path, 200)
                ),
            )
            .with_hint("nothing was installed; use another mirror and report this one"));
        }
        let h1 = h1_of_files(&module, c.files.iter().map(|f| (f.path.as_str(), f.sha256)))?;
        let verdict = self.checker().check(&expected, &h1, &source)?;
        self.state().checked = Some(Checked {
            version: release.0,
            platform: release.1,
            module: module.to_string(),
            verdict,
            source,
            index_sha256,
            tree_id: FileId::of(c.root),
        });
        Ok(())
    }

    /// After an install: for a toolchain committed, writes its
    /// verification record and returns what its check found (a warning to
    /// show when the database could not vouch for it); `None` when nothing
    /// was installed. An error means the record could not be written (the
    /// toolchain is installed).
    pub fn record(&self, outcome: &Outcome) -> Result<Option<Checked>> {
        let checked = {
            let mut s = self.state();
            s.started = None;
            s.checked.take()
        };
        let Outcome::Installed {
            version, unpacked, ..
        } = outcome
        else {
            return Ok(None);
        };
        let Some(checked) = checked.filter(|c| c.version == *version) else {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "{} was installed without its checksum database cross-check being recorded",
                    version.toolchain_name()
                ),
            ));
        };
        let sha = checked.index_sha256.then(|| hex(&unpacked.sha256));
        let rec = VerificationRecord::new(
            &version.toolchain_name(),
            &checked.platform,
            &checked.verdict,
            &checked.source,
            sha.as_deref(),
            &checked.module,
        );
        verified::write_for(self.dist.home(), &rec, checked.tree_id)?;
        Ok(Some(checked))
    }
}

/// Whether `rel` names a `_go.mod`, which a tree checked as the module's
/// would hash like the `go.mod` the module zip renames.
fn is_renamed_go_mod(rel: &str) -> bool {
    rel.rsplit('/').next() == Some("_go.mod")
}

/// The version a release archive's file name gives
/// (`go1.22.10.linux-amd64.tar.gz` for `platform`), if it is one.
fn version_in_name(file: &Path, platform: &Platform) -> Option<GoVersion> {
    let name = file.file_name()?.to_str()?;
    let rest = name.strip_suffix(".tar.gz")?;
    let rest = rest.strip_suffix(&format!(".{platform}"))?;
    GoVersion::from_toolchain(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_of_a_local_archive_is_guessed_from_its_name_only_when_it_says() {
        let p = Platform::parse("linux-amd64").unwrap();
        let v = |n: &str| version_in_name(Path::new(n), &p).map(|v| v.toolchain_name());
        assert_eq!(
            v("/x/go1.22.10.linux-amd64.tar.gz").as_deref(),
            Some("go1.22.10")
        );
        assert_eq!(
            v("go1.23rc1.linux-amd64.tar.gz").as_deref(),
            Some("go1.23rc1")
        );
        assert_eq!(v("go1.22.10.linux-arm64.tar.gz"), None);
        assert_eq!(v("toolchain.tar.gz"), None);
        assert_eq!(v("go1.22.10.linux-amd64.zip"), None);
    }
}
