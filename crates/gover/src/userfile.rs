//! Writing files gover does not own (pin files in users' directories,
//! shell startup files), through `gover_core::fs::UserFile`, with errors
//! that name the file, the link and what to do.

use std::path::Path;

use anyhow::Result;
use gover_core::fs::{LinkPolicy, UserFile, UserFileError};

use crate::error::UserError;

/// Replaces the content of `path` with `data` under `policy`.
pub(crate) fn write_user_file(path: &Path, data: &[u8], policy: &LinkPolicy<'_>) -> Result<()> {
    UserFile::open(path, policy)
        .and_then(|f| f.replace(data))
        .map_err(|e| refused(&e).into())
}

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
        UserFileError::Io { .. } => u,
    }
}
