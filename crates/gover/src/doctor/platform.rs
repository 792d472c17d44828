//! The host: its platform as Go names it, its C library, and whether the
//! Go project publishes archives for it.

use gover_core::{GoVersion, Resolution};

use super::model::{read_text, DoctorEnv, Finding};

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

/// Checks the platform (`pin` to warn about old Go on musl).
pub(crate) fn check(env: &DoctorEnv, pin: Option<&Resolution>, out: &mut Vec<Finding>) {
    let host = env.host.to_string();
    let libc = if env.host.os == "linux" {
        Some(libc(env))
    } else {
        None
    };
    let libc_text = match libc {
        Some(Libc::Glibc) => ", glibc",
        Some(Libc::Musl) => ", musl",
        Some(Libc::Unknown) => ", C library not identified",
        None => "",
    };
    out.push(Finding::ok(
        "platform.host",
        format!("host platform as Go names it: {host}{libc_text}"),
    ));

    if let Some(k) = kernel_arch(env) {
        if k != env.host.arch && !(env.host.arch == "386" && k == "amd64") {
            out.push(
                Finding::warning(
                    "platform.host",
                    format!("the kernel is {}-{k} but this gover is built for {host}", env.host.os),
                )
                .why(format!("gover installs {host} toolchains, which run under emulation (slowly) or not at all"))
                .fix(format!("install a gover built for {}-{k}", env.host.os)),
            );
        }
    }

    if libc == Some(Libc::Musl) {
        let old = pin
            .and_then(|r| r.version.as_ref())
            .filter(|v| **v < GoVersion::parse("1.21.0").expect("valid"));
        let mut f = Finding::warning(
            "platform.libc",
            "this system uses musl: official Go archives run on it from Go 1.21 on (they are statically linked); cgo needs `apk add gcc musl-dev`",
        );
        if let Some(v) = old {
            f = Finding::warning(
                "platform.libc",
                format!("{} is pinned here; official archives before Go 1.21 may need glibc and fail to run on this musl system", v.toolchain_name()),
            )
            .fix("pin Go 1.21 or newer, or install the compatibility layer (`apk add gcompat`)");
        }
        out.push(f.why("before Go 1.21 the official go binaries could be dynamically linked against glibc (golang/go#57007)"));
    }

    match &env.index_platforms {
        Some(ip) if ip.has_host_archive => out.push(Finding::ok(
            "platform.archives",
            format!("official archives exist for {host} (newest: {} in the cached index)", ip.newest),
        )),
        Some(ip) => out.push(
            Finding::problem(
                "platform.archives",
                format!("the release index has no {host} archive for {}", ip.newest),
            )
            .why("`gover install` cannot download Go for this machine")
            .fix("build Go from source (https://go.dev/doc/install/source) and install the archive you make with `gover install --from FILE --sha256 HEX`"),
        ),
        None if KNOWN_PLATFORMS.contains(&host.as_str()) => out.push(Finding::ok(
            "platform.archives",
            format!("official archives are published for {host}"),
        )),
        None => out.push(
            Finding::problem(
                "platform.archives",
                format!("the Go project publishes no archives for {host}"),
            )
            .why("`gover install` cannot download Go for this machine")
            .fix("build Go from source (https://go.dev/doc/install/source) and install the archive you make with `gover install --from FILE --sha256 HEX`"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::testenv::{one, Machine};
    use super::super::model::{IndexPlatforms, Severity};
    use super::*;
    use gover_dist::Platform;

    fn run(m: &Machine) -> Vec<Finding> {
        let mut out = Vec::new();
        check(&m.env, None, &mut out);
        out
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
        let mut out = Vec::new();
        m.install("1.20.14");
        m.write("project/.go-version", "1.20.14\n");
        let pin = super::super::pins::resolve_pin(&m.env).unwrap();
        check(&m.env, Some(&pin), &mut out);
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
            .find(|x| x.id == "platform.host" && x.severity == Severity::Warning)
            .unwrap();
        assert!(w.message.contains("linux-arm64"), "{}", w.message);
    }
}
