//! Go's project file, found as the `go` command finds it (`modload`:
//! `GOWORK`, else the nearest go.work, else the nearest go.mod, not one
//! directly in the temp dir) and read as `toolchain.Select` reads it.

use std::path::{Path, PathBuf};

use super::choose::Resolver;
use super::pins::is_temp_dir;
use super::ResolveError;
use crate::goenv::GoValue;
use crate::pinfile::{parse_project_file, ProjectFile, ProjectKind, MAX_PROJECT_FILE_BYTES};
use crate::text::untrusted_path;

/// What `GOWORK` asks for.
pub(super) enum GoWorkMode {
    /// Search for a go.work (unset, empty or `auto`).
    Auto,
    /// No workspace (`off`).
    Off,
    /// This go.work (an absolute path; if nothing is there, Go falls back to
    /// go.mod).
    File(PathBuf),
}

impl GoWorkMode {
    /// `GOWORK` as Go's `FindGoWork` reads it: anything but `off`, `auto`,
    /// empty or an absolute path is an error (`invalid GOWORK: not an
    /// absolute path`).
    pub(super) fn of(v: Option<&GoValue>) -> Result<Self, ResolveError> {
        let Some(gv) = v else {
            return Ok(Self::Auto);
        };
        let v = gv.value.as_os_str();
        if v.is_empty() || v == "auto" {
            Ok(Self::Auto)
        } else if v == "off" {
            Ok(Self::Off)
        } else if Path::new(v).is_absolute() {
            Ok(Self::File(PathBuf::from(v)))
        } else {
            Err(ResolveError::GoWork(gv.clone()))
        }
    }
}

impl Resolver<'_> {
    /// `GOWORK` as Go reads it.
    pub(super) fn gowork(&self) -> Result<GoWorkMode, ResolveError> {
        GoWorkMode::of(self.ctx.go.gowork.as_ref())
    }

    /// Where Go's project file is: `GOWORK`'s file when something is there
    /// (even a directory, which Go then fails to read), else the nearest
    /// go.work (with `GOWORK` unset or `auto`), else the nearest go.mod
    /// unless it lies directly in the temp dir.
    pub(super) fn find_project(&mut self, gowork: &GoWorkMode) -> Option<(PathBuf, ProjectKind)> {
        if let GoWorkMode::File(p) = gowork {
            if std::fs::metadata(p).is_ok() {
                self.note(|| format!("GOWORK names {}", untrusted_path(p)));
                return Some((p.clone(), ProjectKind::GoWork));
            }
            self.note(|| format!("GOWORK names {}: not found", untrusted_path(p)));
        }
        let auto = matches!(gowork, GoWorkMode::Auto);
        let mut gomod: Option<PathBuf> = None;
        let mut gomod_done = false;
        let mut path = self.ctx.dir.clone();
        loop {
            if auto {
                path.push("go.work");
                if path.is_file() {
                    self.note(|| format!("{}: found", untrusted_path(&path)));
                    return Some((path, ProjectKind::GoWork));
                }
                self.note(|| format!("{}: not found", untrusted_path(&path)));
                path.pop();
            }
            if !gomod_done {
                gomod_done = self.gomod_in(&path, &mut gomod);
                // A go.work anywhere above still beats the nearest go.mod.
                if gomod_done && !auto {
                    break;
                }
            }
            if !path.pop() {
                break;
            }
        }
        if gomod.is_none() {
            self.note(|| "go.work/go.mod: none found".to_string());
        }
        gomod.map(|p| (p, ProjectKind::GoMod))
    }

    /// Looks for a go.mod in `dir`: true when one is there (Go stops at the
    /// nearest), recorded in `found` unless it lies directly in the temp
    /// dir, which means no module at all.
    fn gomod_in(&mut self, dir: &Path, found: &mut Option<PathBuf>) -> bool {
        let file = dir.join("go.mod");
        if !file.is_file() {
            return false;
        }
        if is_temp_dir(dir, self.ctx.temp_dir.as_deref()) {
            self.note(|| {
                format!(
                    "{}: ignored, it is directly in the temp dir (as Go ignores it)",
                    untrusted_path(&file)
                )
            });
        } else {
            *found = Some(file);
        }
        true
    }

    /// True when Go runs in module mode with `GO111MODULE=auto`: a go.mod
    /// (not directly in the temp dir) or a go.work governs the directory,
    /// or `GOWORK` names a file (even one that does not exist).
    pub(super) fn auto_module_mode(&mut self) -> Result<bool, ResolveError> {
        let gowork = self.gowork()?;
        Ok(matches!(gowork, GoWorkMode::File(_)) || self.find_project(&gowork).is_some())
    }

    /// Reads the project file. When `fatal`, a file Go cannot read or a
    /// toolchain line it rejects is an error, as it is for Go; otherwise (a
    /// pin decided without it) it is reported, not fatal.
    #[allow(clippy::type_complexity)]
    pub(super) fn read_project(
        &mut self,
        p: &Path,
        kind: ProjectKind,
        fatal: bool,
    ) -> Result<(Option<ProjectFile>, Option<String>), ResolveError> {
        let read = crate::fs::read_small_text(p, MAX_PROJECT_FILE_BYTES)
            .map_err(|e| ResolveError::PinFile {
                path: p.to_path_buf(),
                message: format!("cannot be read: {e}"),
            })
            .and_then(|text| parse_project_file(p, kind, &text).map_err(ResolveError::ProjectFile));
        match read {
            Ok(f) => {
                self.note(|| describe(p, &f));
                for problem in &f.problems {
                    self.warnings.push(format!(
                        "{problem}; Go ignores this line when it chooses a toolchain, but rejects the file when it builds"
                    ));
                }
                Ok((Some(f), None))
            }
            Err(e) if !fatal => {
                self.note(|| format!("{}: invalid ({e})", untrusted_path(p)));
                Ok((None, Some(e.to_string())))
            }
            Err(e) => Err(e),
        }
    }

    /// The project file for warnings only (a pin decided): found and read
    /// if it can be, never an error.
    pub(super) fn project_for_warnings(&mut self) -> (Option<ProjectFile>, Option<String>) {
        if !self.ctx.want_project {
            return (None, None);
        }
        let Ok(gowork) = self.gowork() else {
            return (None, None);
        };
        match self.find_project(&gowork) {
            Some((p, kind)) => self.read_project(&p, kind, false).unwrap_or((None, None)),
            None => (None, None),
        }
    }
}

/// `/p/go.mod: go 1.22.0, toolchain go1.23.4`, for the trace.
fn describe(p: &Path, f: &ProjectFile) -> String {
    use crate::pinfile::ToolchainLine;
    format!(
        "{}: go {}, toolchain {}",
        untrusted_path(p),
        f.go.as_ref().map_or("(none)".into(), |v| v.to_string()),
        match &f.toolchain {
            None => "(none)".to_string(),
            Some(ToolchainLine::Default) => "default".to_string(),
            Some(ToolchainLine::Name(n, _)) => crate::text::escape(n).into_owned(),
        }
    )
}
