//! What gover knows about shells, shared by `gover setup` (which writes
//! gover's block into startup files) and `gover doctor` (which checks
//! them), so the two can never disagree:
//!
//! - which startup files each shell reads ([`setup_files`],
//!   [`bash_login_file`], [`every_startup_file`]):
//!   - bash, interactive non-login (every terminal tab on Ubuntu):
//!     `~/.bashrc` only;
//!   - bash, login (`bash -l`, ssh logins, most desktop sessions): the
//!     first of `~/.bash_profile`, `~/.bash_login`, `~/.profile` that
//!     exists, so a `~/.bash_profile` hides `~/.profile`;
//!   - bash run by sshd for a command (`ssh host go build`): `~/.bashrc`,
//!     which on Debian and Ubuntu returns at once when the shell is not
//!     interactive;
//!   - zsh: `$ZDOTDIR/.zshenv` (default `~/.zshenv`) for every session;
//!   - fish: `conf.d/*.fish` under `$XDG_CONFIG_HOME/fish` (`~/.config/fish`);
//! - gover's block: its text ([`block_text`]), its markers, where it goes
//!   and how it comes out again ([`block`]);
//! - the shell syntax that matters for that: top-level commands and the
//!   non-interactive guard ([`script`]);
//! - reading a startup file without ever blocking on a FIFO or a device
//!   ([`read_startup_file`]), and recognising lines that source another
//!   file or set a variable ([`lines`]).

pub(crate) mod block;
mod lexer;
pub(crate) mod lines;
pub(crate) mod script;

use std::path::{Path, PathBuf};

use crate::quote::{fish_quote, sh_quote};

/// The shells gover sets up and checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shell {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

/// The syntax of a startup file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// POSIX shell (bash, zsh, sh): parsed for the top level and the guard.
    Posix,
    /// fish: not parsed; gover's block stays where it is.
    Fish,
}

impl Shell {
    /// Every shell, in the order they are checked.
    pub(crate) const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    /// The shell's name (`bash`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Bash => "bash",
            Self::Zsh => "zsh",
            Self::Fish => "fish",
        }
    }

    /// The syntax of its startup files.
    pub(crate) fn syntax(self) -> Syntax {
        match self {
            Self::Fish => Syntax::Fish,
            Self::Bash | Self::Zsh => Syntax::Posix,
        }
    }

    /// The shell a login-shell path names (`/usr/bin/zsh`, `-bash`): `None`
    /// when it names none of the three (`sh` counts as bash).
    pub(crate) fn from_login(path: &str) -> Option<Self> {
        let name = Path::new(path)
            .file_name()?
            .to_str()?
            .trim_start_matches('-');
        match name {
            "bash" | "sh" => Some(Self::Bash),
            "zsh" => Some(Self::Zsh),
            "fish" => Some(Self::Fish),
            _ => None,
        }
    }
}

/// The directories startup files live in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dirs {
    /// `$HOME`.
    pub(crate) home: PathBuf,
    /// `$ZDOTDIR` when absolute, else `$HOME`.
    pub(crate) zdotdir: PathBuf,
    /// `$XDG_CONFIG_HOME` when absolute, else `~/.config`.
    pub(crate) config_home: PathBuf,
}

impl Dirs {
    /// From environment variables (`get` returns a variable's value); `None`
    /// when `HOME` is not an absolute path.
    pub(crate) fn from_vars(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<Self> {
        let abs = |name: &str| get(name).map(PathBuf::from).filter(|p| p.is_absolute());
        let home = abs("HOME")?;
        Some(Self {
            zdotdir: abs("ZDOTDIR").unwrap_or_else(|| home.clone()),
            config_home: abs("XDG_CONFIG_HOME").unwrap_or_else(|| home.join(".config")),
            home,
        })
    }

    /// fish's directory (`~/.config/fish`).
    pub(crate) fn fish_dir(&self) -> PathBuf {
        self.config_home.join("fish")
    }

    /// The file gover writes for fish.
    pub(crate) fn fish_conf(&self) -> PathBuf {
        self.fish_dir().join("conf.d").join("gover.fish")
    }
}

/// What a startup file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `~/.bashrc`: interactive non-login bash, and bash run by sshd.
    Bashrc,
    /// The one file a login bash reads.
    BashLogin,
    /// `~/.zshenv`: every zsh.
    Zshenv,
    /// fish's `conf.d/gover.fish`.
    FishConf,
}

/// A startup file gover writes its block into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StartupFile {
    /// The file.
    pub(crate) path: PathBuf,
    /// What it is for.
    pub(crate) role: Role,
    /// Its syntax.
    pub(crate) syntax: Syntax,
}

/// The file a login bash reads: the first of `~/.bash_profile`,
/// `~/.bash_login` and `~/.profile` that exists, else `~/.profile`.
pub(crate) fn bash_login_file(home: &Path) -> PathBuf {
    LOGIN_NAMES
        .iter()
        .map(|n| home.join(n))
        .find(|p| p.exists())
        .unwrap_or_else(|| home.join(".profile"))
}

/// The files a login bash looks for, in order.
pub(crate) const LOGIN_NAMES: [&str; 3] = [".bash_profile", ".bash_login", ".profile"];

/// The files `gover setup` writes for `shell` so that every kind of
/// session of it puts the shims on `PATH`.
pub(crate) fn setup_files(shell: Shell, dirs: &Dirs) -> Vec<StartupFile> {
    let file = |path, role| StartupFile {
        path,
        role,
        syntax: shell.syntax(),
    };
    match shell {
        Shell::Bash => vec![
            file(dirs.home.join(".bashrc"), Role::Bashrc),
            file(bash_login_file(&dirs.home), Role::BashLogin),
        ],
        Shell::Zsh => vec![file(dirs.zdotdir.join(".zshenv"), Role::Zshenv)],
        Shell::Fish => vec![file(dirs.fish_conf(), Role::FishConf)],
    }
}

/// The system-wide startup files, read under a root (`/` on the machine).
pub(crate) const SYSTEM_FILES: [&str; 7] = [
    "/etc/environment",
    "/etc/profile",
    "/etc/bash.bashrc",
    "/etc/zshenv",
    "/etc/zsh/zshenv",
    "/etc/zsh/zprofile",
    "/etc/zsh/zshrc",
];

/// Every shell startup file that may set variables for this user: the
/// user's bash, zsh and fish files, then the system-wide ones (under
/// `root`) and `/etc/profile.d/*.sh`, in that order.
pub(crate) fn every_startup_file(dirs: Option<&Dirs>, root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(d) = dirs {
        for n in [".profile", ".bash_profile", ".bash_login", ".bashrc"] {
            files.push(d.home.join(n));
        }
        for n in [".zshenv", ".zprofile", ".zshrc", ".zlogin"] {
            files.push(d.zdotdir.join(n));
        }
        let fish = d.fish_dir();
        files.push(fish.join("config.fish"));
        files.extend(sorted_dir(&fish.join("conf.d"), ".fish"));
    }
    let sys = |abs: &str| root.join(abs.trim_start_matches('/'));
    files.extend(SYSTEM_FILES.iter().map(|f| sys(f)));
    files.extend(sorted_dir(&sys("/etc/profile.d"), ".sh"));
    files
}

/// The entries of `dir` whose names end with `suffix`, sorted.
fn sorted_dir(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The largest startup file gover reads.
pub(crate) const MAX_STARTUP_FILE_BYTES: u64 = 1 << 20;

/// A startup file's text: `Ok(None)` when it does not exist, an error
/// (saying what is wrong) when it is a FIFO, a device, a directory, too
/// large, not UTF-8 or unreadable. Never blocks.
pub(crate) fn read_startup_file(path: &Path) -> std::io::Result<Option<String>> {
    gover_core::fs::read_optional(path, MAX_STARTUP_FILE_BYTES)
}

/// gover's block for `shell`, ending with a newline: it sets
/// `GOVER_HOME` when one is given and puts `shims` first on `PATH`, taking
/// out any other occurrence, so the directory is on `PATH` once however
/// often the block runs (a login bash reads it from `~/.profile` and again
/// from the `~/.bashrc` that file sources, with other lines in between).
pub(crate) fn block_text(shell: Shell, shims: &str, gover_home: Option<&str>) -> String {
    let mut b = String::new();
    b.push_str(block::BLOCK_START);
    b.push('\n');
    b.push_str("# Puts gover's go/gofmt shims first on PATH, once. `gover setup` rewrites\n");
    b.push_str("# this block in place; delete it to undo.\n");
    match shell {
        Shell::Fish => {
            if let Some(h) = gover_home {
                b.push_str(&format!("set -gx GOVER_HOME {}\n", fish_quote(h)));
            }
            let q = fish_quote(shims);
            b.push_str(&format!("while contains -- {q} $PATH\n"));
            b.push_str(&format!("    set -e PATH[(contains -i -- {q} $PATH)]\n"));
            b.push_str("end\n");
            b.push_str(&format!("set -gx PATH {q} $PATH\n"));
        }
        Shell::Bash | Shell::Zsh => {
            if let Some(h) = gover_home {
                b.push_str(&format!("export GOVER_HOME={}\n", sh_quote(h)));
            }
            let q = sh_quote(shims);
            b.push_str("_gover_path=\":${PATH-}:\"\n");
            b.push_str("while :; do\n");
            b.push_str("  case \"$_gover_path\" in\n");
            b.push_str(&format!(
                "    *:{q}:*) _gover_path=${{_gover_path%%:{q}:*}}:${{_gover_path#*:{q}:}} ;;\n"
            ));
            b.push_str("    *) break ;;\n");
            b.push_str("  esac\n");
            b.push_str("done\n");
            b.push_str("_gover_path=${_gover_path#:}\n");
            b.push_str("_gover_path=${_gover_path%:}\n");
            b.push_str(&format!(
                "export PATH={q}\"${{_gover_path:+:$_gover_path}}\"\n"
            ));
            b.push_str("unset _gover_path\n");
        }
    }
    b.push_str(block::BLOCK_END);
    b.push('\n');
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    /// `PATH` after `script` runs in `shell` (`None` when it is not installed).
    fn path_after(shell: &str, script: &str) -> Option<String> {
        let out = std::process::Command::new(shell)
            .args(["-c", script])
            .output()
            .ok()?;
        assert!(out.status.success(), "{shell}: {out:?}");
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn sh_block_puts_the_shims_first_once() {
        for shims in ["/h/shims", "/h/it's here/shims", "/h/a*b/[x]/shims"] {
            let b = block_text(Shell::Bash, shims, Some("/h/g"));
            for (before, after) in [
                ("/usr/bin:/bin", format!("{shims}:/usr/bin:/bin")),
                (
                    &format!("/a:{shims}:/b:{shims}") as &str,
                    format!("{shims}:/a:/b"),
                ),
                (shims, shims.to_string()),
                ("", shims.to_string()),
                // Empty entries (the current directory) stay.
                (":/usr/bin", format!("{shims}::/usr/bin")),
                ("/usr/bin:", format!("{shims}:/usr/bin:")),
            ] {
                let set = format!("PATH={}", sh_quote(before));
                let once = format!("{set}\n{b}printf '%s' \"$PATH\"");
                // Twice, with a directory put in front in between (as
                // ~/.profile does after sourcing ~/.bashrc).
                let twice = format!(
                    "{set}\n{b}PATH=\"/x:$PATH\"\n{b}printf '%s|%s' \"$PATH\" \"$GOVER_HOME\"; [ -z \"${{_gover_path+set}}\" ]"
                );
                let rest = after.strip_prefix(shims).unwrap();
                for shell in ["sh", "dash", "bash", "zsh"] {
                    let Some(got) = path_after(shell, &once) else {
                        continue;
                    };
                    assert_eq!(got, after, "{shell}, PATH={before:?}, shims {shims:?}");
                    let got = path_after(shell, &twice).unwrap();
                    assert_eq!(
                        got,
                        format!("{shims}:/x{rest}|/h/g"),
                        "{shell}, twice, PATH={before:?}"
                    );
                }
            }
        }
        let b = block_text(Shell::Bash, "/h/s", None);
        let got = path_after("/bin/sh", &format!("unset PATH\n{b}printf '%s' \"$PATH\""));
        assert_eq!(got.as_deref(), Some("/h/s"));
        // The block is valid at the top level: it parses as such.
        let s = script::Script::parse(&b);
        assert!(s.trouble.is_none());
        assert!(s.is_top_level(script::line_count(&b)));
    }

    #[test]
    fn fish_block_puts_the_shims_first_once() {
        let shims = "/h/it's here/shims";
        let b = block_text(Shell::Fish, shims, Some("/h/g"));
        let q = fish_quote(shims);
        let script = format!(
            "set PATH /a {q} /b {q}\n{b}set PATH /x $PATH\n{b}string join : $PATH $GOVER_HOME"
        );
        let out = std::process::Command::new("fish")
            .args(["--no-config", "-c", &script])
            .output();
        let Ok(out) = out else {
            return; // fish is not installed
        };
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{shims}:/x:/a:/b:/h/g\n"),
            "{out:?}"
        );
    }

    #[test]
    fn files_each_shell_reads() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().to_path_buf();
        let vars: HashMap<&str, OsString> = [
            ("HOME", home.clone().into_os_string()),
            ("ZDOTDIR", "rel".into()),
        ]
        .into();
        let dirs = Dirs::from_vars(|k| vars.get(k).cloned()).unwrap();
        assert_eq!(dirs.zdotdir, home, "a relative ZDOTDIR is ignored");
        let paths = |s| {
            setup_files(s, &dirs)
                .into_iter()
                .map(|f| f.path)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(Shell::Bash),
            [home.join(".bashrc"), home.join(".profile")]
        );
        std::fs::write(home.join(".bash_login"), "").unwrap();
        assert_eq!(paths(Shell::Bash)[1], home.join(".bash_login"));
        std::fs::write(home.join(".bash_profile"), "").unwrap();
        assert_eq!(paths(Shell::Bash)[1], home.join(".bash_profile"));
        assert_eq!(paths(Shell::Zsh), [home.join(".zshenv")]);
        assert_eq!(
            paths(Shell::Fish),
            [home.join(".config/fish/conf.d/gover.fish")]
        );
        assert!(Dirs::from_vars(|_| None).is_none());
        assert_eq!(Shell::from_login("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_login("-bash"), Some(Shell::Bash));
        assert_eq!(Shell::from_login("/bin/tcsh"), None);
    }
}
