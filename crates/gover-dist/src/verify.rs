//! What an unpacked archive must be to count as a Go toolchain: the one
//! rule `gover install` and `gover mirror` both apply, so they accept and
//! refuse exactly the same archives.
//!
//! The tree is `go/` with a `VERSION` file whose first line names a Go
//! release (a `time` line follows since Go 1.21; a custom suffix such as
//! `go1.21.0-bigcorp` is allowed), `bin/go`, and the compiler and linker in
//! `pkg/tool/<GOOS>_<GOARCH>/` for the platform the archive is for: only a
//! directory holding `pkg/tool` is a GOROOT the go command accepts.

use std::io::Read;
use std::path::Path;

use gover_core::text::shorten;
use gover_core::GoVersion;

use crate::error::{Error, ErrorKind, Result};
use crate::platform::Platform;

/// What the tree must be.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// The version its `go/VERSION` must name, when known in advance (a
    /// release from the index); `None` for a local archive, whose version
    /// the tree tells.
    pub version: Option<&'a GoVersion>,
    /// The platform it must be built for.
    pub platform: &'a Platform,
}

fn bad(archive: &str, what: String) -> Error {
    Error::new(ErrorKind::BadArchive, format!("{archive} {what}"))
}

/// Checks that `root` (the unpacked `go/` directory of `archive`) is a Go
/// toolchain as `expect` says, and returns the version it names.
pub fn verify_tree(root: &Path, archive: &str, expect: &Expect<'_>) -> Result<GoVersion> {
    if !root.is_dir() {
        return Err(bad(
            archive,
            "has no go/ directory; it is not a Go toolchain archive".into(),
        ));
    }
    let line = read_version_line(root).ok_or_else(|| {
        bad(
            archive,
            "has no go/VERSION file; it is not a Go toolchain archive".into(),
        )
    })?;
    let version = GoVersion::from_toolchain(&line).ok_or_else(|| {
        bad(
            archive,
            format!(
                "is not a Go release: go/VERSION starts with `{}`, which is not a Go release name",
                shorten(&line, 60)
            ),
        )
    })?;
    let exe = if expect.platform.os == "windows" {
        "go.exe"
    } else {
        "go"
    };
    if !root.join("bin").join(exe).is_file() {
        return Err(bad(
            archive,
            format!("has no go/bin/{exe}; it is not a binary Go toolchain archive"),
        ));
    }
    let tools = root.join("pkg").join("tool");
    if !tools.is_dir() {
        return Err(bad(
            archive,
            "has no go/pkg/tool directory; it is not a complete Go toolchain (go would fail with `no such tool \"compile\"`)".into(),
        ));
    }
    if let Some(want) = expect.version {
        if version != *want {
            return Err(bad(
                archive,
                format!(
                    "holds {} (go/VERSION), not {}",
                    version.toolchain_name(),
                    want.toolchain_name()
                ),
            )
            .with_hint("the archive is not the release it is listed as: the mirror serves the wrong file under this name"));
        }
    }
    check_platform(&tools, archive, expect.platform)?;
    Ok(version)
}

/// Checks that `pkg/tool` (at `tools`) holds the tools for `platform`.
fn check_platform(tools: &Path, archive: &str, platform: &Platform) -> Result<()> {
    let want = platform.tool_dir();
    if tools.join(&want).is_dir() {
        return Ok(());
    }
    let found = platforms_in(tools);
    match found.first() {
        Some(other) => Err(bad(
            archive,
            format!("is a Go toolchain for {other} (go/pkg/tool/{}), not for {platform}", other.tool_dir()),
        )
        .with_hint(format!(
            "use the {platform} archive; or, to keep a toolchain for {other} (never run here), pass `--platform {other}`"
        ))),
        None => Err(bad(
            archive,
            format!("has no go/pkg/tool/{want} directory; it is not a complete Go toolchain for {platform}"),
        )),
    }
}

/// The platforms whose tools `pkg/tool` (at `tools`) holds, by name.
fn platforms_in(tools: &Path) -> Vec<Platform> {
    let mut out: Vec<Platform> = std::fs::read_dir(tools)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (os, arch) = name.split_once('_')?;
            Platform::parse(&format!("{os}-{arch}")).ok()
        })
        .collect();
    out.sort_by_key(|p| p.to_string());
    out
}

/// True when the toolchain at `root` holds the tools for `platform`: a
/// tree in the native slot that was built for another platform is no
/// toolchain the shims may run.
pub fn is_built_for(root: &Path, platform: &Platform) -> bool {
    root.join("pkg")
        .join("tool")
        .join(platform.tool_dir())
        .is_dir()
}

/// The first line of `VERSION` under `root` (read from at most 4 KiB of
/// a regular file), trimmed.
fn read_version_line(root: &Path) -> Option<String> {
    let (f, _) = gover_core::fs::open_regular(&root.join("VERSION")).ok()?;
    let mut bytes = Vec::new();
    f.take(4096).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    Some(text.lines().next().unwrap_or("").trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn host() -> Platform {
        Platform::parse("linux-amd64").unwrap()
    }

    fn tree(dir: &Path, version: &str, tool: Option<&str>) -> std::path::PathBuf {
        let root = dir.join("go");
        fs::create_dir_all(root.join("bin")).unwrap();
        fs::write(root.join("bin/go"), "").unwrap();
        fs::write(root.join("VERSION"), version).unwrap();
        if let Some(t) = tool {
            fs::create_dir_all(root.join("pkg/tool").join(t)).unwrap();
        }
        root
    }

    #[test]
    fn reads_the_version_and_needs_bin_go_and_the_platform_s_tools() {
        let t = tempfile::tempdir().unwrap();
        let p = host();
        let any = Expect {
            version: None,
            platform: &p,
        };
        let root = tree(t.path(), "go1.21.0\ntime 2023-08-04T20:14:06Z\n", None);
        let e = verify_tree(&root, "a.tar.gz", &any).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadArchive);
        assert!(
            e.to_string().contains("has no go/pkg/tool directory"),
            "{e}"
        );
        fs::create_dir_all(root.join("pkg/tool/linux_arm64")).unwrap();
        let e = verify_tree(&root, "a.tar.gz", &any).unwrap_err();
        assert!(
            e.to_string()
                .contains("a.tar.gz is a Go toolchain for linux-arm64 (go/pkg/tool/linux_arm64), not for linux-amd64"),
            "{e}"
        );
        assert!(
            e.hint().unwrap().contains("--platform linux-arm64"),
            "{e:?}"
        );
        fs::create_dir_all(root.join("pkg/tool/linux_amd64")).unwrap();
        assert_eq!(
            verify_tree(&root, "a.tar.gz", &any)
                .unwrap()
                .toolchain_name(),
            "go1.21.0"
        );
        assert!(is_built_for(&root, &p));
        assert!(!is_built_for(
            &root,
            &Platform::parse("darwin-arm64").unwrap()
        ));
        for (text, name) in [
            ("go1.20", "go1.20"),
            ("go1.20\r\n", "go1.20"),
            ("  go1.24rc3 \ntime 2025-01-31T21:35:26Z\n", "go1.24rc3"),
            ("go1.21.0-bigcorp\ntime 2023-08-04T20:14:06Z\n", "go1.21.0"),
        ] {
            fs::write(root.join("VERSION"), text).unwrap();
            assert_eq!(
                verify_tree(&root, "a.tar.gz", &any)
                    .unwrap()
                    .toolchain_name(),
                name,
                "{text:?}"
            );
        }
        for bad in [
            "time 2023-08-04T20:14:06Z\ngo1.21.0\n",
            "devel go1.22-abc\n",
            "",
        ] {
            fs::write(root.join("VERSION"), bad).unwrap();
            let e = verify_tree(&root, "a.tar.gz", &any).unwrap_err();
            assert!(
                e.to_string().contains("not a Go release name"),
                "{bad:?}: {e}"
            );
        }
        fs::write(root.join("VERSION"), "go1.22.9\n").unwrap();
        let want = GoVersion::parse("1.22.10").unwrap();
        let e = verify_tree(
            &root,
            "a.tar.gz",
            &Expect {
                version: Some(&want),
                platform: &p,
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("a.tar.gz holds go1.22.9 (go/VERSION), not go1.22.10"),
            "{e}"
        );
    }

    #[test]
    fn a_version_file_alone_is_no_toolchain() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("go");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("VERSION"), "go1.22.10\n").unwrap();
        let p = host();
        let e = verify_tree(
            &root,
            "x.tar.gz",
            &Expect {
                version: None,
                platform: &p,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("has no go/bin/go"), "{e}");
        let e = verify_tree(
            &t.path().join("nothing"),
            "x.tar.gz",
            &Expect {
                version: None,
                platform: &p,
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("has no go/ directory"), "{e}");
    }
}
