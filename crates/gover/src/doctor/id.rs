//! Every finding `gover doctor` can report, by its stable id: what
//! `--json` prints as `id` and the reference's table of checks documents
//! (a test holds the two together). This file depends on nothing else, so
//! that test can include it as it is.

/// Declares [`FindingId`] with its text form and the list of all ids.
macro_rules! finding_ids {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)*) => {
        /// A finding's stable identifier (`path.shadowed`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum FindingId {
            $($(#[$doc])* $variant,)*
        }

        impl FindingId {
            /// Every id, in declaration order (what the reference documents).
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) const ALL: &'static [FindingId] = &[$(FindingId::$variant,)*];

            /// The id as `--json` and the reference write it.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(FindingId::$variant => $id,)*
                }
            }
        }
    };
}

finding_ids! {
    /// `config.toml` and the settings.
    Config = "config",
    /// The shims directory on `PATH`.
    PathShims = "path.shims",
    /// Another `go` before the shims on `PATH`.
    PathShadowed = "path.shadowed",
    /// `HOME` is unusable, so startup files were not checked.
    ShellHome = "shell.home",
    /// `~/.bashrc` puts the shims on `PATH`.
    ShellBashrc = "shell.bashrc",
    /// `~/.bashrc` returns for non-interactive shells above the shims.
    ShellBashrcGuard = "shell.bashrc-guard",
    /// The file a login bash reads puts the shims on `PATH`.
    ShellBashLogin = "shell.bash-login",
    /// `~/.bash_profile` hides the `~/.profile` that has the shims.
    ShellBashProfileHidesProfile = "shell.bash-profile-hides-profile",
    /// `~/.zshenv` puts the shims on `PATH`.
    ShellZsh = "shell.zsh",
    /// fish's `conf.d` puts the shims on `PATH`.
    ShellFish = "shell.fish",
    /// gover's block is where `gover setup` would not leave it.
    ShellBlockMisplaced = "shell.block-misplaced",
    /// gover's block markers do not pair up.
    ShellMarkers = "shell.markers",
    /// A startup file cannot be read (a FIFO, a device, not UTF-8, ...).
    ShellUnreadable = "shell.unreadable",
    /// A shim is missing.
    ShimsMissing = "shims.missing",
    /// Shims that are not the installed `gover-shim`.
    ShimsStale = "shims.stale",
    /// Version shims of toolchains that are gone.
    ShimsOrphaned = "shims.orphaned",
    /// The shims are current.
    ShimsCurrent = "shims.current",
    /// The `gover` link beside the shims.
    ShimsGoverLink = "shims.gover-link",
    /// The pin here is installed.
    PinInstalled = "pin.installed",
    /// The pin here is not installed.
    PinNotInstalled = "pin.not-installed",
    /// Nothing is pinned here.
    PinNone = "pin.none",
    /// The pin here is invalid.
    PinInvalid = "pin.invalid",
    /// `system` is pinned but there is no system Go.
    PinSystemMissing = "pin.system-missing",
    /// The pin is older than the governing `go` line.
    PinOlderThanGoLine = "pin.older-than-go-line",
    /// The pin is older than the governing `toolchain` line.
    PinToolchainLine = "pin.toolchain-line",
    /// `GOROOT` in the environment.
    GorootEnv = "goroot.env",
    /// `GOROOT` in `go env -w`'s file.
    GorootGoEnvFile = "goroot.go-env-file",
    /// `GOTOOLCHAIN` in the environment.
    GotoolchainEnv = "gotoolchain.env",
    /// `GOTOOLCHAIN` in `go env -w`'s file.
    GotoolchainGoEnvFile = "gotoolchain.go-env-file",
    /// `GO111MODULE`.
    Go111module = "go111module",
    /// `go env -w`'s file cannot be read.
    GoEnvFile = "go-env-file",
    /// `$GOBIN` or `$GOPATH/bin` on `PATH`.
    GopathBinPath = "gopath.bin-path",
    /// `$GOBIN` or `$GOPATH/bin` writable.
    GopathBinWritable = "gopath.bin-writable",
    /// Running under WSL.
    Wsl = "wsl",
    /// Go trees on a Windows drive under WSL.
    WslWindowsDrive = "wsl.windows-drive",
    /// Windows directories on `PATH` under WSL.
    WslPath = "wsl.path",
    /// The installed toolchains run.
    ToolchainOk = "toolchain.ok",
    /// An installed toolchain does not run.
    ToolchainBroken = "toolchain.broken",
    /// An installed toolchain reports another version.
    ToolchainWrongVersion = "toolchain.wrong-version",
    /// An installed toolchain lacks files.
    ToolchainIncomplete = "toolchain.incomplete",
    /// Something in `toolchains/` gover did not install.
    ToolchainUnknownEntry = "toolchain.unknown-entry",
    /// Leftovers of interrupted installs in `tmp/`.
    ToolchainLeftovers = "toolchain.leftovers",
    /// The release index in effect.
    NetworkIndex = "network.index",
    /// The archive mirror in effect.
    NetworkMirror = "network.mirror",
    /// Offline mode.
    NetworkOffline = "network.offline",
    /// Proxy variables.
    NetworkProxy = "network.proxy",
    /// `SSL_CERT_FILE`.
    NetworkCertificates = "network.certificates",
    /// Whether the index answers (`--network`).
    NetworkReachable = "network.reachable",
    /// Which mirrors, the one in use and every preset's, answer and how
    /// fast (`--network`).
    NetworkMirrors = "network.mirrors",
    /// The host platform.
    PlatformHost = "platform.host",
    /// The C library.
    PlatformLibc = "platform.libc",
    /// Official archives for the host.
    PlatformArchives = "platform.archives",
}

impl std::fmt::Display for FindingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FindingId {
    /// The id whose text is `s`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|id| id.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for id in FindingId::ALL {
            assert!(seen.insert(id.as_str()), "{id} twice");
            assert_eq!(FindingId::parse(id.as_str()), Some(*id));
            assert!(
                id.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
                "{id}"
            );
        }
    }
}
