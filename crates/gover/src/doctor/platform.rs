//! The host: its platform as Go names it, its C library, and whether the
//! Go project publishes archives for it.

use gover_core::GoVersion;

use super::id::FindingId;
use super::model::{read_text, Check, DoctorEnv, Finding};

/// Platforms with official archives (`go.dev/dl`) in Go 1.21 and later.
/// Used only when no release index is cached; the index is the truth.
const KNOWN_PLATFORMS: &[&str] = &[
    "aix-ppc64",
    "darwin-amd64",
    "darwin-arm64",
    "dragonfly-amd64",
    "freebsd-386",
    "freebsd-amd64",
    "freebsd-arm",
    "freebsd-arm64",
    "illumos-amd64",
    "linux-386",
    "linux-amd64",
    "linux-arm64",
    "linux-armv6l",
    "linux-loong64",
    "linux-mips",
    "linux-mips64",
    "linux-mips64le",
    "linux-mipsle",
    "linux-ppc64",
    "linux-ppc64le",
    "linux-riscv64",
    "linux-s390x",
    "netbsd-386",
    "netbsd-amd64",
    "netbsd-arm",
    "netbsd-arm64",
    "openbsd-386",
    "openbsd-amd64",
    "openbsd-arm",
    "openbsd-arm64",
    "openbsd-ppc64",
    "openbsd-riscv64",
    "plan9-386",
    "plan9-amd64",
    "plan9-arm",
    "solaris-amd64",
    "windows-386",
    "windows-amd64",
    "windows-arm64",
];

/// The C library of a Linux system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Libc {
    /// GNU libc (Debian, Ubuntu, Fedora, ...).
    Glibc,
    /// musl (Alpine, Void musl, ...).
    Musl,
    /// Neither loader was found.
    Unknown,
}

/// Finds the dynamic loader under the root: `ld-musl-*` means musl,
/// `ld-linux*` glibc.
pub(crate) fn libc(env: &DoctorEnv) -> Libc {
    let mut glibc = false;
    for dir in ["/lib", "/lib64", "/usr/lib", "/usr/lib64"] {
        let base = env.sys(dir);
        let mut dirs = vec![base.clone()];
        // Debian multiarch: /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
        if let Ok(rd) = std::fs::read_dir(&base) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.ends_with("-linux-gnu") || n.ends_with("-linux-musl") {
                    dirs.push(e.path());
                }
            }
        }
        for d in dirs {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("ld-musl-") {
                    return Libc::Musl;
                }
                if n.starts_with("ld-linux") {
                    glibc = true;
                }
            }
        }
    }
    if glibc {
        Libc::Glibc
    } else {
        Libc::Unknown
    }
}

/// The kernel's machine name (`uname -m`) as Go names the architecture.
fn kernel_arch(env: &DoctorEnv) -> Option<String> {
    let m = read_text(&env.sys("/proc/sys/kernel/arch"))?;
    let go = match m.trim() {
        "x86_64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "i386" | "i486" | "i586" | "i686" => "386",
        "armv6l" | "armv7l" | "armv8l" => "armv6l",
        "riscv64" => "riscv64",
        "ppc64le" => "ppc64le",
        "s390x" => "s390x",
        "loongarch64" => "loong64",
        "" => return None,
        other => other,
    };
    Some(go.to_string())
}

/// What doctor knows about the host.
#[derive(Clone, Debug)]
pub(crate) struct HostFacts {
    /// The C library (Linux only).
    pub(crate) libc: Option<Libc>,
    /// The kernel's architecture as Go names it, when readable.
    pub(crate) kernel_arch: Option<String>,
    /// The version pinned here, when it is older than Go 1.21.
    pub(crate) old_pin: Option<GoVersion>,
}

/// The host platform, its C library, and whether archives exist for it.
pub(crate) struct Host;

impl Check for Host {
    type Facts = HostFacts;

    fn facts(env: &DoctorEnv) -> HostFacts {
        let go121 = GoVersion::parse("1.21.0").expect("valid");
        HostFacts {
            libc: (env.host.os == "linux").then(|| libc(env)),
            kernel_arch: kernel_arch(env),
            old_pin: super::pins::resolve_pin(env)
                .ok()
                .and_then(|r| r.version)
                .filter(|v| *v < go121),
        }
    }

    fn findings(env: &DoctorEnv, f: &HostFacts) -> Vec<Finding> {
        let host = env.host.to_string();
        let libc_text = match f.libc {
            Some(Libc::Glibc) => ", glibc",
            Some(Libc::Musl) => ", musl",
            Some(Libc::Unknown) => ", C library not identified",
            None => "",
        };
        let mut out = vec![Finding::ok(
            FindingId::PlatformHost,
            format!("host platform as Go names it: {host}{libc_text}"),
        )];
        if let Some(k) = f.kernel_arch.as_deref() {
            if k != env.host.arch && !(env.host.arch == "386" && k == "amd64") {
                let os = &env.host.os;
                out.push(
                    Finding::warning(FindingId::PlatformHost, format!("the kernel is {os}-{k} but this gover is built for {host}"))
                        .why(format!("gover installs {host} toolchains, which run under emulation (slowly) or not at all"))
                        .fix(format!("install a gover built for {os}-{k}")),
                );
            }
        }
        if f.libc == Some(Libc::Musl) {
            out.push(musl(f.old_pin.as_ref()));
        }
        out.push(archives(env, &host));
        out
    }
}

fn musl(old_pin: Option<&GoVersion>) -> Finding {
    let f = match old_pin {
        Some(v) => Finding::warning(
            FindingId::PlatformLibc,
            format!("{} is pinned here; official archives before Go 1.21 may need glibc and fail to run on this musl system", v.toolchain_name()),
        )
        .fix("pin Go 1.21 or newer, or install the compatibility layer (`apk add gcompat`)"),
        None => Finding::warning(
            FindingId::PlatformLibc,
            "this system uses musl: official Go archives run on it from Go 1.21 on (they are statically linked); cgo needs `apk add gcc musl-dev`",
        ),
    };
    f.why("before Go 1.21 the official go binaries could be dynamically linked against glibc (golang/go#57007)")
}

fn archives(env: &DoctorEnv, host: &str) -> Finding {
    let id = FindingId::PlatformArchives;
    let none = |message: String| {
        Finding::problem(id, message)
            .why("`gover install` cannot download Go for this machine")
            .fix("build Go from source (https://go.dev/doc/install/source) and install the archive you make with `gover install --from FILE --sha256 HEX`")
    };
    match &env.index_platforms {
        Some(ip) if ip.has_host_archive => Finding::ok(
            id,
            format!(
                "official archives exist for {host} (newest: {} in the cached index)",
                ip.newest
            ),
        ),
        Some(ip) => none(format!(
            "the release index has no {host} archive for {}",
            ip.newest
        )),
        None if KNOWN_PLATFORMS.contains(&host) => {
            Finding::ok(id, format!("official archives are published for {host}"))
        }
        None => none(format!("the Go project publishes no archives for {host}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{check, one, Machine};
    use super::super::model::{IndexPlatforms, Severity};
    use super::*;
    use gover_dist::Platform;

    fn run(m: &Machine) -> Vec<Finding> {
        check::<Host>(m)
    }

    #[test]
    fn glibc_multiarch() {
        let m = Machine::new();
        m.write("root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "");
        assert_eq!(libc(&m.env), Libc::Glibc);
        let f = run(&m);
        assert_eq!(
            one(&f, "platform.host").message,
            "host platform as Go names it: linux-amd64, glibc"
        );
        assert_eq!(one(&f, "platform.archives").severity, Severity::Ok);
    }

    #[test]
    fn musl() {
        let m = Machine::new();
        m.write("root/lib/ld-musl-x86_64.so.1", "");
        assert_eq!(libc(&m.env), Libc::Musl);
        let f = run(&m);
        assert_eq!(one(&f, "platform.libc").severity, Severity::Warning);
        m.install("1.20.14");
        m.write("project/.go-version", "1.20.14\n");
        let out = run(&m);
        let p = one(&out, "platform.libc");
        assert_eq!(p.severity, Severity::Warning);
        assert!(p.fix.as_deref().unwrap().contains("gcompat"));
        assert!(p.message.starts_with("go1.20.14 is pinned here"));
    }

    #[test]
    fn unknown_libc_and_platform() {
        let mut m = Machine::new();
        m.env.host = Platform {
            os: "linux".into(),
            arch: "sparc64".into(),
        };
        let f = run(&m);
        assert!(one(&f, "platform.host")
            .message
            .ends_with("C library not identified"));
        assert_eq!(one(&f, "platform.archives").severity, Severity::Problem);
    }

    #[test]
    fn cached_index_decides() {
        let mut m = Machine::new();
        m.env.index_platforms = Some(IndexPlatforms {
            newest: "go1.23.4".into(),
            has_host_archive: false,
        });
        let f = run(&m);
        let a = one(&f, "platform.archives");
        assert_eq!(a.severity, Severity::Problem);
        assert!(a.message.contains("no linux-amd64 archive for go1.23.4"));
        m.env.index_platforms = Some(IndexPlatforms {
            newest: "go1.23.4".into(),
            has_host_archive: true,
        });
        assert_eq!(one(&run(&m), "platform.archives").severity, Severity::Ok);
    }

    #[test]
    fn kernel_disagrees() {
        let m = Machine::new();
        m.write("root/proc/sys/kernel/arch", "aarch64\n");
        let f = run(&m);
        let w = f
            .iter()
            .find(|x| x.id == FindingId::PlatformHost && x.severity == Severity::Warning)
            .unwrap();
        assert!(w.message.contains("linux-arm64"), "{}", w.message);
    }
}
