//! Single lines of startup files: which source another file, which set a
//! variable, which change `PATH` so that another Go comes first.

use std::path::{Path, PathBuf};

use gover_core::fs::is_executable_file;
use gover_core::home::exe_name;

use super::block::BLOCK_END;

/// The lines of `text` that are not blank or comments: `(1-based number,
/// trimmed line)`.
pub(crate) fn code(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// True when `line` runs `. file` or `source file` for a path ending in
/// `/name` (`~/.profile`, `"$HOME/.profile"`).
pub(crate) fn sources(line: &str, name: &str) -> bool {
    let l = line.trim();
    if l.starts_with('#') {
        return false;
    }
    let runs = l.starts_with(". ")
        || l.starts_with("source ")
        || l.contains(" . ")
        || l.contains("&& .")
        || l.contains("then .")
        || l.contains("source ");
    if !runs {
        return false;
    }
    let needle = format!("/{name}");
    l.match_indices(&needle).any(|(i, _)| {
        let after = &l[i + needle.len()..];
        after.is_empty() || after.starts_with(['"', '\'', ' ', ';', ')', ']'])
    })
}

/// True when `line` sets `var`: `export VAR=...`, `VAR=...`,
/// `declare -x VAR=...`, fish's `set -gx VAR ...`, csh's `setenv VAR ...`.
pub(crate) fn assigns(line: &str, var: &str) -> bool {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.peek() {
        if matches!(*w, "export" | "declare" | "typeset" | "readonly" | "local")
            || w.starts_with('-')
        {
            words.next();
        } else {
            break;
        }
    }
    let Some(first) = words.next() else {
        return false;
    };
    if let Some(rest) = first.strip_prefix(var) {
        return rest.starts_with('=');
    }
    if first == "set" || first == "setenv" {
        return words.find(|w| !w.starts_with('-')) == Some(var);
    }
    false
}

/// Lines after gover's block that put a Go directory in front of `PATH`,
/// so that it comes before the shims: `(1-based line, text)`. A line
/// mentions Go when it names a typical Go directory or `$GOROOT`, or a
/// directory that holds a `go` executable (apt's `/usr/lib/go-1.19/bin`).
pub(crate) fn overriding(text: &str, shims: &Path, home: Option<&Path>) -> Vec<(usize, String)> {
    let mut after = false;
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == BLOCK_END {
            after = true;
            continue;
        }
        if !after || t.starts_with('#') {
            continue;
        }
        let sets_path = t.contains("PATH=") || t.contains("PATH ") || t.contains("fish_add_path");
        let prepends = !t.contains("$PATH:") && !t.contains("${PATH}:");
        if sets_path && prepends && mentions_go(t, shims, home) {
            found.push((i + 1, line.to_string()));
        }
    }
    found
}

fn mentions_go(t: &str, shims: &Path, home: Option<&Path>) -> bool {
    const NAMES: [&str; 6] = ["go/bin", "/lib/go-", "GOROOT", "golang", "goenv", "gvm"];
    NAMES.iter().any(|n| t.contains(n)) || names_a_go_dir(t, shims, home)
}

/// True when a word of `line` is a directory (other than `shims`) holding
/// an executable `go`.
fn names_a_go_dir(line: &str, shims: &Path, home: Option<&Path>) -> bool {
    line.split(|c: char| matches!(c, ':' | '=' | '"' | '\'' | ';') || c.is_whitespace())
        .filter_map(|w| {
            let w = w.trim_end_matches('/');
            let rest = ["$HOME/", "${HOME}/", "~/"]
                .iter()
                .find_map(|p| w.strip_prefix(p));
            match (rest, home) {
                (Some(r), Some(h)) => Some(h.join(r)),
                (Some(_), None) => None,
                (None, _) => Some(PathBuf::from(w)),
            }
        })
        .filter(|d| d.is_absolute() && d.as_path() != shims)
        .any(|d| is_executable_file(&d.join(exe_name("go"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_sourcing_and_assignments() {
        assert!(sources(". \"$HOME/.profile\"", ".profile"));
        assert!(sources("[ -f ~/.profile ] && . ~/.profile", ".profile"));
        assert!(sources("source ~/.bashrc", ".bashrc"));
        assert!(!sources("# . ~/.profile", ".profile"));
        assert!(!sources(". ~/.profile.local", ".profile"));
        assert!(assigns("export GOROOT=/usr/local/go", "GOROOT"));
        assert!(assigns("declare -x GOROOT=/x", "GOROOT"));
        assert!(assigns("set -gx GOROOT /opt/go", "GOROOT"));
        assert!(assigns("setenv GOROOT /opt/go", "GOROOT"));
        assert!(!assigns("GOROOTX=1", "GOROOT"));
        assert!(!assigns("echo GOROOT=1", "GOROOT"));
        let c: Vec<_> = code("# c\n\n  a  \nb\n").collect();
        assert_eq!(c, [(3, "a"), (4, "b")]);
    }

    #[test]
    fn lines_that_win_over_the_shims() {
        let text = "export PATH=/usr/local/go/bin:$PATH\n# >>> gover >>>\nx\n# <<< gover <<<\nexport PATH=$PATH:/usr/local/go/bin\nexport PATH=\"$HOME/go/bin:$PATH\"\n# export PATH=/usr/lib/go-1.19/bin:$PATH\n";
        let found = overriding(text, Path::new("/shims"), Some(Path::new("/home/me")));
        assert_eq!(
            found,
            [(6, "export PATH=\"$HOME/go/bin:$PATH\"".to_string())]
        );
    }
}
