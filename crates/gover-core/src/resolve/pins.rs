//! gover's own pins: `GOVER_GO_VERSION`, `.go-version` and
//! `.tool-versions` walking up from the directory, and the global default.

use std::io;
use std::path::{Path, PathBuf};

use super::choose::Resolver;
use super::{PinSource, ResolveError};
use crate::env;
use crate::pinfile::{
    parse_go_version_file, parse_tool_versions, ToolVersionsEntry, MAX_PIN_FILE_BYTES,
};
use crate::request::VersionRequest;
use crate::text::untrusted_path;

impl Resolver<'_> {
    /// `GOVER_GO_VERSION`.
    pub(super) fn env_pin(&mut self) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        let Some(raw) = &self.ctx.go_version_env else {
            self.note(|| format!("{}: not set", env::GOVER_GO_VERSION));
            return Ok(None);
        };
        let s = raw.to_str().ok_or_else(|| ResolveError::Env {
            message: "is not valid UTF-8".into(),
        })?;
        let req = VersionRequest::parse_pin(s).map_err(|e| ResolveError::Env {
            message: e.to_string(),
        })?;
        self.note(|| format!("{}={}: used", env::GOVER_GO_VERSION, crate::text::escape(s)));
        Ok(Some((req, PinSource::Env)))
    }

    /// `.go-version`, then `.tool-versions`, in each directory from
    /// `ctx.dir` up to `/`.
    pub(super) fn pin_files(
        &mut self,
    ) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        let mut path = self.ctx.dir.clone();
        loop {
            if is_temp_dir(&path, self.ctx.temp_dir.as_deref()) {
                self.note(|| {
                    format!(
                        "{}: pin files ignored, it is the temp dir (as Go ignores a go.mod there)",
                        untrusted_path(&path)
                    )
                });
            } else {
                for kind in [PinKind::GoVersion, PinKind::ToolVersions] {
                    path.push(kind.file_name());
                    let found = self.pin_file(&path, kind);
                    if let Ok(Some(req)) = found {
                        return Ok(Some((req, kind.source(path))));
                    }
                    path.pop();
                    found?;
                }
            }
            if !path.pop() {
                return Ok(None);
            }
        }
    }

    /// Reads one pin file: `Ok(None)` when it is absent, pins nothing or is
    /// ignored.
    fn pin_file(
        &mut self,
        path: &Path,
        kind: PinKind,
    ) -> Result<Option<VersionRequest>, ResolveError> {
        let read =
            crate::fs::read_optional_meta(path, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(path, e));
        let mut ignored = false;
        let result = match &read {
            Ok(Some((text, meta))) => {
                ignored = let_planted(path, meta, &mut self.warnings);
                if ignored {
                    Ok(None)
                } else {
                    kind.parse(path, text)
                }
            }
            _ => Ok(None),
        };
        self.note(|| {
            let what = match (&read, &result) {
                (Err(_), _) | (_, Err(_)) => "invalid".to_string(),
                (Ok(None), _) => "not found".to_string(),
                _ if ignored => "ignored: another user's file in a world-writable directory".into(),
                (Ok(Some(_)), Ok(Some(r))) => r.to_string(),
                (Ok(Some(_)), Ok(None)) => "no golang entry".to_string(),
            };
            format!("{}: {what}", untrusted_path(path))
        });
        read?;
        result
    }

    /// The explicit pin: `GOVER_GO_VERSION`, else the nearest pin file.
    pub(super) fn explicit_pin(
        &mut self,
    ) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        match self.env_pin()? {
            Some(p) => Ok(Some(p)),
            None => self.pin_files(),
        }
    }

    /// The global default, `$GOVER_HOME/version`.
    pub(super) fn global_default(
        &mut self,
    ) -> Result<Option<(VersionRequest, PinSource)>, ResolveError> {
        let path = self.ctx.home.version_file();
        let global = read_version_file(&path)?;
        match &global {
            Some(g) => self.note(|| format!("{}: {g}", untrusted_path(&path))),
            None => self.note(|| format!("{}: not found", untrusted_path(&path))),
        }
        Ok(global.map(|g| (g, PinSource::Global(path))))
    }
}

/// What to do about a pin file that cannot be used.
pub(super) fn pin_file_hint(path: &Path) -> String {
    match path.file_name().and_then(|n| n.to_str()) {
        Some(".go-version") => format!(
            "fix or remove {}; `gover use VERSION` rewrites it",
            untrusted_path(path)
        ),
        Some(".tool-versions") => format!(
            "fix the golang line of {}, or run `gover use VERSION` in its directory, which rewrites that line",
            untrusted_path(path)
        ),
        Some("go.mod" | "go.work") => format!("fix or remove {}", untrusted_path(path)),
        _ => format!(
            "fix or remove {}; `gover use --global VERSION` rewrites it",
            untrusted_path(path)
        ),
    }
}

/// The two kinds of pin file.
#[derive(Clone, Copy)]
enum PinKind {
    GoVersion,
    ToolVersions,
}

impl PinKind {
    fn file_name(self) -> &'static str {
        match self {
            Self::GoVersion => ".go-version",
            Self::ToolVersions => ".tool-versions",
        }
    }

    fn source(self, path: PathBuf) -> PinSource {
        match self {
            Self::GoVersion => PinSource::GoVersionFile(path),
            Self::ToolVersions => PinSource::ToolVersions(path),
        }
    }

    /// The request in a file of this kind (`None`: a `.tool-versions`
    /// without Go).
    fn parse(self, path: &Path, text: &str) -> Result<Option<VersionRequest>, ResolveError> {
        let invalid = |message: String| ResolveError::PinFile {
            path: path.to_path_buf(),
            message,
        };
        let token = match self {
            Self::GoVersion => match parse_go_version_file(text) {
                Some(t) => t,
                None => return Err(invalid("holds no version".into())),
            },
            Self::ToolVersions => match parse_tool_versions(text) {
                ToolVersionsEntry::Absent => return Ok(None),
                ToolVersionsEntry::Empty(line) => {
                    return Err(invalid(format!(
                        "line {line}: the golang entry names no version"
                    )))
                }
                ToolVersionsEntry::Version(v) => v,
            },
        };
        VersionRequest::parse_pin(token)
            .map(Some)
            .map_err(|e| invalid(e.to_string()))
    }
}

/// True (and a warning recorded) when the pin file at `path` may have been
/// planted by someone else: another user (not root) owns it and anyone can
/// write to its directory, as in a shared `/tmp`-like directory.
fn let_planted(path: &Path, meta: &std::fs::Metadata, warnings: &mut Vec<String>) -> bool {
    let Some(owner) = planted_by(path, meta) else {
        return false;
    };
    warnings.push(format!(
        "ignoring {}: it belongs to another user (uid {owner}) and lies in a directory anyone can write to, so it is no evidence of the Go you want",
        untrusted_path(path)
    ));
    true
}

/// The owner of a pin file that may have been planted (see [`let_planted`]).
#[cfg(unix)]
fn planted_by(path: &Path, meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let owner = meta.uid();
    if owner == 0 || owner == crate::fs::effective_uid() {
        return None;
    }
    let dir = std::fs::metadata(path.parent()?).ok()?;
    (dir.mode() & 0o002 != 0).then_some(owner)
}

#[cfg(not(unix))]
fn planted_by(_path: &Path, _meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// True when `dir` is the temp dir: the same path, or (as Go compares after
/// resolving symlinks, e.g. macOS's `/var` → `/private/var`) the same
/// directory under another name. Stats only when the last components agree,
/// so a go.mod elsewhere costs nothing extra.
pub fn is_temp_dir(dir: &Path, temp: Option<&Path>) -> bool {
    let Some(temp) = temp else {
        return false;
    };
    if dir == temp {
        return true;
    }
    if dir.file_name() != temp.file_name() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(dir), std::fs::metadata(temp)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

fn pin_error(path: &Path, e: io::Error) -> ResolveError {
    let message = match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => e.to_string(),
        io::ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
        _ => format!("cannot be read: {e}"),
    };
    ResolveError::PinFile {
        path: path.to_path_buf(),
        message,
    }
}

/// Reads a `.go-version`-format file (also the global `version` file):
/// `Ok(None)` when it does not exist; an error when it exists but holds no
/// version or something that is not a version.
pub fn read_version_file(path: &Path) -> Result<Option<VersionRequest>, ResolveError> {
    match crate::fs::read_optional(path, MAX_PIN_FILE_BYTES).map_err(|e| pin_error(path, e))? {
        None => Ok(None),
        Some(text) => PinKind::GoVersion.parse(path, &text),
    }
}

/// The current directory as the shell sees it: `$PWD` when it names the
/// same directory as `.` (so symlinked paths walk up the way the user typed
/// them, as Go's `os.Getwd` does), else the physical path.
pub fn logical_cwd() -> io::Result<PathBuf> {
    #[cfg(unix)]
    if let Some(pwd) = std::env::var_os(env::PWD) {
        use std::os::unix::fs::MetadataExt;
        let p = PathBuf::from(pwd);
        if p.is_absolute() {
            if let (Ok(a), Ok(b)) = (std::fs::metadata(&p), std::fs::metadata(".")) {
                if a.dev() == b.dev() && a.ino() == b.ino() {
                    return Ok(p);
                }
            }
        }
    }
    std::env::current_dir()
}
