//! Installing a toolchain from the GOPROXY list: the module
//! `golang.org/toolchain@v0.0.1-go<version>.<goos>-<goarch>` is looked up
//! in the checksum database first (nothing is downloaded when the database
//! cannot vouch for it), its zip streamed into the install's scratch
//! directory, every file hashed and the module's `h1:` checked against the
//! record before anything is unpacked, then unpacked with
//! [`crate::modzip`]'s policy into `go/` and committed by the same steps as
//! a release archive (tree check, pre-commit hook, flush, store, manifest,
//! rename), so the GOROOT is the same. The verification record is written
//! once the toolchain is in place.

use std::fs;
use std::sync::Arc;

use gover_core::home::ScratchPurpose;
use gover_core::GoVersion;

use super::{owner_of, Installer, Outcome, PreCommit};
use crate::error::{Error, Result};
use crate::extract::Unpacked;
use crate::goproxy::{ProxyClient, ZipFile};
use crate::modzip::{CheckedZip, UnpackedZip, ZipLimits};
use crate::platform::Platform;
use crate::scratch;
use crate::trust::{module_for, Checker, Purpose, Verdict};
use crate::verified::{self, VerificationRecord};
use crate::verify::{verify_tree, Expect};
use crate::Progress;

/// Go's limit on a module zip, zipped and unpacked (500 MiB).
const MAX_MODULE_BYTES: u64 = 500 << 20;

/// What an install from the module proxy did.
#[derive(Debug)]
pub struct ProxyInstall {
    /// Installed, or already there.
    pub outcome: Outcome,
    /// How the zip was verified (`None` when nothing was installed).
    pub verdict: Option<Verdict>,
    /// Where the zip came from (credentials masked).
    pub from: Option<String>,
    /// Why the verification record could not be written, if it could not
    /// (the toolchain is installed all the same).
    pub record_error: Option<Error>,
}

impl Installer<'_> {
    /// The caps for a module zip: Go's, lowered by the install limits.
    fn zip_limits(&self) -> ZipLimits {
        ZipLimits {
            max_zip_bytes: MAX_MODULE_BYTES,
            max_unpacked_bytes: self.limits.max_unpacked_bytes.min(MAX_MODULE_BYTES),
            max_entries: self.limits.max_entries,
            ..ZipLimits::default()
        }
    }

    /// Installs `version` for `platform` from the toolchain module on
    /// `client`'s GOPROXY list, verified by `checker` against the checksum
    /// database before anything is unpacked (see the module doc).
    pub fn install_module(
        &self,
        version: &GoVersion,
        platform: &Platform,
        client: &ProxyClient<'_>,
        checker: &Checker<'_>,
        force: bool,
        progress: Arc<dyn Progress>,
    ) -> Result<ProxyInstall> {
        let module = module_for(version, platform)?;
        let owner = owner_of(version);
        self.ensure_dirs()?;
        let _lock = self.lock(&owner, &*progress)?;
        self.clean_tmp(Some(&owner));
        if !force {
            if let Some(done) = self.already(version, platform) {
                return Ok(ProxyInstall {
                    outcome: done,
                    verdict: None,
                    from: None,
                    record_error: None,
                });
            }
        }
        let expected = checker.expect(version, platform, Purpose::ProxyZip)?;
        let (store, _shared) = self.shared_store(&*progress)?;
        let tmp = scratch::create(self.home(), owner.clone(), ScratchPurpose::Install)?;
        let limits = self.zip_limits();
        let zip =
            client.download_zip(&module, tmp.path(), limits.max_zip_bytes, progress.clone())?;
        let checked = CheckedZip::open(&zip.path, &module, &limits)?;
        let hashes = checked.hash()?;
        let verdict = checker.check(&expected, &hashes.h1, &zip.from)?;
        let root = tmp.path().join("go");
        fs::create_dir(&root).map_err(|e| Error::io("cannot create", &root, e))?;
        let placed = checked.unpack(&root, &hashes, store.as_ref())?;
        drop(checked);
        let _ = fs::remove_file(&zip.path);
        let shown = module.to_string();
        let expect = Expect {
            version: Some(version),
            platform,
        };
        verify_tree(&root, &shown, &expect)?;
        let unpacked = unpacked_of(&zip, placed);
        let check = PreCommit {
            root: &root,
            version,
            platform,
            archive: &shown,
            files: &unpacked.files,
        };
        let path = self.finish(&check, &unpacked, store.as_ref(), &owner, &*progress)?;
        drop(tmp);
        let rec = VerificationRecord::new(
            &version.toolchain_name(),
            platform,
            &verdict,
            &zip.from,
            None,
            &shown,
        );
        let record_error = verified::write(self.home(), &rec, &path).err();
        Ok(ProxyInstall {
            outcome: Outcome::Installed {
                version: version.clone(),
                path,
                unpacked,
                foreign: (!platform.is_host()).then(|| platform.clone()),
            },
            verdict: Some(verdict),
            from: Some(zip.from),
            record_error,
        })
    }
}

/// The install's account of an unpacked zip.
fn unpacked_of(zip: &ZipFile, placed: UnpackedZip) -> Unpacked {
    Unpacked {
        sha256: zip.sha256,
        archive_bytes: zip.bytes,
        unpacked_bytes: placed.files.iter().map(|f| f.size).sum(),
        entries: placed.files.len() as u64,
        files: placed.files,
        linked_files: placed.linked_files,
        linked_bytes: placed.linked_bytes,
        fresh: placed.fresh,
    }
}
