//! The `golang.org/toolchain` module: how a Go release for a platform is
//! named as a module version, and the files a proxy serves for it.
//!
//! `go1.22.10` for linux/amd64 is `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`
//! (`v0.0.1` versions the packaging, not Go). Platforms use GOARCH names:
//! the `linux-armv6l` tarball is the module `…linux-arm`. Its zip holds
//! the binary distribution minus `api/`, `doc/`, `misc/` and `test/`, every
//! name prefixed `golang.org/toolchain@<version>/`, every `go.mod` named
//! `_go.mod`; its `.mod` is always `module golang.org/toolchain\n`.

use std::fmt;

use crate::error::{shown, Error, ErrorKind, Result};

/// The module path.
pub const MODULE_PATH: &str = "golang.org/toolchain";

/// The packaging version every toolchain module version starts with.
pub const VERSION_PREFIX: &str = "v0.0.1-";

/// The toolchain module's go.mod, the same for every version.
pub const GO_MOD: &str = "module golang.org/toolchain\n";

/// The proxy path of the module's version list.
pub const LIST_PATH: &str = "golang.org/toolchain/@v/list";

/// The top-level directories of a GOROOT the module leaves out.
pub const EXCLUDED_DIRS: [&str; 4] = ["api", "doc", "misc", "test"];

/// A toolchain module version for one Go release and platform.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToolchainModule {
    toolchain: String,
    goos: String,
    goarch: String,
}

fn invalid(what: &str, value: &str) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("invalid toolchain {what} `{}`", shown(value, 80)),
    )
}

/// Whether `s` is a plausible Go name part: lower-case ASCII letters and
/// digits, and (for versions) dots and the like.
fn name_ok(s: &str, extra: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c))
}

impl ToolchainModule {
    /// The module for toolchain `toolchain` (`go1.22.10`; `1.22.10` is
    /// taken as `go1.22.10`) on Go's `goos`/`goarch`.
    pub fn new(toolchain: &str, goos: &str, goarch: &str) -> Result<Self> {
        let toolchain = if toolchain.starts_with("go") {
            toolchain.to_string()
        } else {
            format!("go{toolchain}")
        };
        let digits = &toolchain[2..];
        if !name_ok(&toolchain, ".-")
            || !digits.starts_with(|c: char| c.is_ascii_digit())
            || digits.contains("..")
            || digits.ends_with('.')
        {
            return Err(invalid("version", &toolchain));
        }
        if !name_ok(goos, "") {
            return Err(invalid("GOOS", goos));
        }
        if !name_ok(goarch, "") {
            return Err(invalid("GOARCH", goarch));
        }
        Ok(Self {
            toolchain,
            goos: goos.to_string(),
            goarch: goarch.to_string(),
        })
    }

    /// The module for a release archive's platform (`linux`, `armv6l`):
    /// the archive names 32-bit ARM `armv6l`, the module `arm`.
    pub fn for_archive(toolchain: &str, os: &str, arch: &str) -> Result<Self> {
        let goarch = if arch == "armv6l" { "arm" } else { arch };
        Self::new(toolchain, os, goarch)
    }

    /// Parses a module version (`v0.0.1-go1.22.10.linux-amd64`), as
    /// `@v/list` lists them.
    pub fn parse_version(version: &str) -> Result<Self> {
        let bad = || invalid("module version", version);
        let rest = version.strip_prefix(VERSION_PREFIX).ok_or_else(bad)?;
        let (toolchain, platform) = rest.rsplit_once('.').ok_or_else(bad)?;
        let (goos, goarch) = platform.split_once('-').ok_or_else(bad)?;
        Self::new(toolchain, goos, goarch).map_err(|_| bad())
    }

    /// The toolchain: `go1.22.10`.
    pub fn toolchain(&self) -> &str {
        &self.toolchain
    }

    /// GOOS.
    pub fn goos(&self) -> &str {
        &self.goos
    }

    /// GOARCH.
    pub fn goarch(&self) -> &str {
        &self.goarch
    }

    /// The module version: `v0.0.1-go1.22.10.linux-amd64`.
    pub fn version(&self) -> String {
        format!(
            "{VERSION_PREFIX}{}.{}-{}",
            self.toolchain, self.goos, self.goarch
        )
    }

    /// The prefix of every name in the zip: `golang.org/toolchain@<version>/`.
    pub fn zip_prefix(&self) -> String {
        format!("{MODULE_PATH}@{}/", self.version())
    }

    /// The proxy path of one of its files (`zip`, `mod`, `info`):
    /// `golang.org/toolchain/@v/<version>.<ext>`.
    pub fn proxy_path(&self, ext: &str) -> String {
        format!("{MODULE_PATH}/@v/{}.{ext}", self.version())
    }

    /// The name a GOROOT-relative file (`/`-separated) has in the zip, or
    /// `None` when the module leaves it out (`api/`, `doc/`, `misc/`,
    /// `test/`). Every `go.mod` is named `_go.mod`.
    pub fn zip_name(&self, rel: &str) -> Option<String> {
        let top = rel.split('/').next().unwrap_or("");
        if EXCLUDED_DIRS.contains(&top) && rel.len() > top.len() {
            return None;
        }
        let renamed = match rel.strip_suffix("go.mod") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("{dir}_go.mod"),
            _ => rel.to_string(),
        };
        Some(format!("{}{renamed}", self.zip_prefix()))
    }
}

impl fmt::Display for ToolchainModule {
    /// `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MODULE_PATH}@{}", self.version())
    }
}

/// The mode Go's distribution gives a GOROOT-relative file: 0755 for
/// `bin/**`, `pkg/tool/**`, `*.bash`, `*.sh`, `*.pl`, `*.rc` and
/// `**/go_?*_?*_exec`; 0644 for everything else.
pub fn file_mode(rel: &str) -> u32 {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    let exec_helper = base
        .strip_prefix("go_")
        .and_then(|r| r.strip_suffix("_exec"))
        .is_some_and(|mid| {
            // `?*_?*`: two non-empty parts around some underscore.
            mid.char_indices()
                .any(|(i, c)| c == '_' && i > 0 && i + 1 < mid.len())
        });
    if rel.starts_with("bin/")
        || rel.starts_with("pkg/tool/")
        || [".bash", ".sh", ".pl", ".rc"]
            .iter()
            .any(|s| rel.ends_with(s))
        || exec_helper
    {
        0o755
    } else {
        0o644
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchains_are_named_as_go_names_them() {
        let m = ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap();
        assert_eq!(m.version(), "v0.0.1-go1.22.10.linux-amd64");
        assert_eq!(
            m.to_string(),
            "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64"
        );
        assert_eq!(
            m.zip_prefix(),
            "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/"
        );
        assert_eq!(
            m.proxy_path("zip"),
            "golang.org/toolchain/@v/v0.0.1-go1.22.10.linux-amd64.zip"
        );
        assert_eq!(
            ToolchainModule::new("1.22.10", "linux", "amd64").unwrap(),
            m
        );
        assert_eq!(
            ToolchainModule::for_archive("go1.21.0", "linux", "armv6l")
                .unwrap()
                .version(),
            "v0.0.1-go1.21.0.linux-arm"
        );
        assert_eq!(
            ToolchainModule::for_archive("go1.23rc1", "darwin", "arm64")
                .unwrap()
                .version(),
            "v0.0.1-go1.23rc1.darwin-arm64"
        );
        let p = ToolchainModule::parse_version("v0.0.1-go1.21rc2.windows-386").unwrap();
        assert_eq!(
            (p.toolchain(), p.goos(), p.goarch()),
            ("go1.21rc2", "windows", "386")
        );
        for bad in [
            "v0.0.2-go1.21.0.linux-amd64",
            "v0.0.1-go1.21.0.linux",
            "v0.0.1-go1.21.0",
            "v0.0.1-gox.linux-amd64",
            "v0.0.1-go1.21.0.Linux-amd64",
        ] {
            assert!(ToolchainModule::parse_version(bad).is_err(), "{bad}");
        }
        for (v, os, arch) in [
            ("go../x", "linux", "amd64"),
            ("go1.22", "lin/ux", "amd64"),
            ("go1.22", "linux", ""),
            ("go1.22.", "linux", "amd64"),
        ] {
            assert!(
                ToolchainModule::new(v, os, arch).is_err(),
                "{v} {os} {arch}"
            );
        }
    }

    #[test]
    fn zip_names_leave_out_docs_and_rename_go_mod() {
        let m = ToolchainModule::new("go1.22.10", "linux", "amd64").unwrap();
        let p = m.zip_prefix();
        assert_eq!(m.zip_name("bin/go"), Some(format!("{p}bin/go")));
        assert_eq!(m.zip_name("src/go.mod"), Some(format!("{p}src/_go.mod")));
        assert_eq!(
            m.zip_name("src/cmd/go.mod"),
            Some(format!("{p}src/cmd/_go.mod"))
        );
        assert_eq!(
            m.zip_name("src/notgo.mod"),
            Some(format!("{p}src/notgo.mod"))
        );
        for out in [
            "api/go1.txt",
            "doc/go_spec.html",
            "misc/wasm/x.js",
            "test/a.go",
        ] {
            assert_eq!(m.zip_name(out), None, "{out}");
        }
        assert_eq!(m.zip_name("apis/x"), Some(format!("{p}apis/x")));
        assert_eq!(m.zip_name("src/test/x"), Some(format!("{p}src/test/x")));
    }

    #[test]
    fn modes_follow_the_distribution() {
        for x in [
            "bin/go",
            "bin/gofmt",
            "pkg/tool/linux_amd64/compile",
            "src/make.bash",
            "src/run.rc",
            "src/all.sh",
            "x.pl",
            "misc/wasm/go_js_wasm_exec",
            "lib/go_ios_arm64_exec",
        ] {
            assert_eq!(file_mode(x), 0o755, "{x}");
        }
        for x in [
            "VERSION",
            "src/go.mod",
            "pkg/include/asm.h",
            "src/bash",
            "go_exec",
            "go__exec",
            "go_a_exec",
            "src/go_x_y_exec.go",
        ] {
            assert_eq!(file_mode(x), 0o644, "{x}");
        }
    }
}
