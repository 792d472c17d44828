//! Platforms as Go names them (`linux-amd64`, `darwin-arm64`, `linux-armv6l`).

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// An operating system and architecture as the release index spells them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Platform {
    /// `GOOS`: `linux`, `darwin`, `freebsd`, `windows`, ...
    pub os: String,
    /// The archive architecture: `amd64`, `arm64`, `386`, `armv6l` (32-bit
    /// ARM on Linux), `ppc64le`, `loong64`, ...
    pub arch: String,
}

impl Platform {
    /// The platform gover itself was built for (see the reference table:
    /// every 32-bit ARM Linux uses the `armv6l` archive).
    pub fn host() -> Self {
        Self::from_rust(
            std::env::consts::OS,
            std::env::consts::ARCH,
            cfg!(target_endian = "big"),
        )
    }

    /// Maps Rust's `std::env::consts::{OS, ARCH}` (and the target's
    /// endianness) to the names the release index uses.
    pub fn from_rust(os: &str, arch: &str, big_endian: bool) -> Self {
        let os = match os {
            "macos" => "darwin",
            other => other,
        };
        let big = big_endian;
        let arch = match arch {
            "x86_64" => "amd64",
            "x86" => "386",
            "aarch64" => "arm64",
            "arm" if os == "linux" => "armv6l",
            "arm" => "arm",
            "powerpc64" if big => "ppc64",
            "powerpc64" => "ppc64le",
            "loongarch64" => "loong64",
            "mips" if big => "mips",
            "mips" => "mipsle",
            "mips64" if big => "mips64",
            "mips64" => "mips64le",
            other => other,
        };
        Self {
            os: os.to_string(),
            arch: arch.to_string(),
        }
    }

    /// Parses `os-arch` as given to `--platform` (`linux-arm64`).
    /// `linux-arm` is accepted for `linux-armv6l`, and the names `uname`
    /// prints for the common machines (`x86_64`, `aarch64`, `i686`,
    /// `armv7l`; `macos` for `darwin`) for Go's.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidInput,
                format!("invalid platform `{}`: expected OS-ARCH as Go names it, such as `linux-amd64`, `linux-arm64` or `darwin-arm64`", s.escape_debug()),
            )
        };
        let (os, arch) = s.trim().split_once('-').ok_or_else(bad)?;
        let os = match os {
            "macos" => "darwin",
            other => other,
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "i386" | "i686" => "386",
            "armv7l" | "armhf" => "arm",
            other => other,
        };
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !ok(os) || !ok(arch) {
            return Err(bad());
        }
        let arch = if os == "linux" && arch == "arm" {
            "armv6l"
        } else {
            arch
        };
        Ok(Self {
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    /// `GOOS_GOARCH`, the name of the toolchain's `pkg/tool/` directory
    /// (`linux_amd64`; the index's `armv6l` is GOARCH `arm`).
    pub fn tool_dir(&self) -> String {
        let arch = if self.arch == "armv6l" {
            "arm"
        } else {
            &self.arch
        };
        format!("{}_{arch}", self.os)
    }

    /// True when this is the platform gover runs on: its toolchains are
    /// the ones the shims run.
    pub fn is_host(&self) -> bool {
        Self::host().matches(&self.os, &self.arch)
    }

    /// True when an index file with `os`/`arch` is for this platform.
    /// `arm` and `armv6l` both mean 32-bit ARM (the index used `armv6l` for
    /// non-Linux ARM in Go 1.21 and 1.22, `arm` from 1.23 on).
    pub fn matches(&self, os: &str, arch: &str) -> bool {
        if self.os != os {
            return false;
        }
        let is_arm32 = |a: &str| a == "arm" || a == "armv6l";
        self.arch == arch || (is_arm32(&self.arch) && is_arm32(arch))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_named_like_go() {
        let h = Platform::host();
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        assert_eq!(h.to_string(), "linux-amd64");
        assert!(!h.os.is_empty() && !h.arch.is_empty());
        assert_eq!(Platform::parse(&h.to_string()).unwrap(), h);
        assert!(h.is_host());
        for (p, dir) in [
            ("linux-amd64", "linux_amd64"),
            ("linux-arm", "linux_arm"),
            ("freebsd-armv6l", "freebsd_arm"),
            ("darwin-arm64", "darwin_arm64"),
        ] {
            assert_eq!(Platform::parse(p).unwrap().tool_dir(), dir);
        }
    }

    /// Every row of the host table: Rust's names to the index's.
    #[test]
    fn rust_targets_map_to_go_names() {
        for (os, arch, big, want) in [
            ("linux", "x86_64", false, "linux-amd64"),
            ("linux", "x86", false, "linux-386"),
            ("linux", "aarch64", false, "linux-arm64"),
            ("macos", "aarch64", false, "darwin-arm64"),
            ("macos", "x86_64", false, "darwin-amd64"),
            ("freebsd", "aarch64", false, "freebsd-arm64"),
            ("linux", "arm", false, "linux-armv6l"),
            ("freebsd", "arm", false, "freebsd-arm"),
            ("netbsd", "arm", false, "netbsd-arm"),
            ("linux", "powerpc64", false, "linux-ppc64le"),
            ("linux", "powerpc64", true, "linux-ppc64"),
            ("linux", "s390x", true, "linux-s390x"),
            ("linux", "riscv64", false, "linux-riscv64"),
            ("linux", "loongarch64", false, "linux-loong64"),
            ("linux", "mips", true, "linux-mips"),
            ("linux", "mips", false, "linux-mipsle"),
            ("linux", "mips64", true, "linux-mips64"),
            ("linux", "mips64", false, "linux-mips64le"),
            ("windows", "x86_64", false, "windows-amd64"),
            ("illumos", "x86_64", false, "illumos-amd64"),
        ] {
            assert_eq!(
                Platform::from_rust(os, arch, big).to_string(),
                want,
                "{os}/{arch}"
            );
        }
    }

    #[test]
    fn parse_and_match() {
        let p = Platform::parse("linux-arm").unwrap();
        assert_eq!(p.to_string(), "linux-armv6l");
        assert!(p.matches("linux", "armv6l"));
        assert!(p.matches("linux", "arm"));
        let f = Platform::parse("freebsd-arm").unwrap();
        assert!(f.matches("freebsd", "armv6l"));
        assert!(f.matches("freebsd", "arm"));
        assert!(!f.matches("linux", "arm"));
        assert!(!Platform::parse("linux-amd64")
            .unwrap()
            .matches("linux", "arm64"));
        // What `uname` says, for Go's names.
        for (given, go) in [
            ("linux-x86_64", "linux-amd64"),
            ("linux-aarch64", "linux-arm64"),
            ("linux-i686", "linux-386"),
            ("linux-armv7l", "linux-armv6l"),
            ("macos-arm64", "darwin-arm64"),
            ("darwin-x86_64", "darwin-amd64"),
        ] {
            assert_eq!(Platform::parse(given).unwrap().to_string(), go, "{given}");
        }
        for bad in [
            "linux",
            "-amd64",
            "linux-",
            "Linux-amd64",
            "linux amd64",
            "",
        ] {
            let e = Platform::parse(bad).unwrap_err();
            assert!(e.to_string().contains("invalid platform"), "{bad}: {e}");
        }
    }
}
