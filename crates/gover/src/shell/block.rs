//! gover's marked block in a shell startup file: finding it, deciding where
//! it belongs, writing it there and taking it out again.
//!
//! The block is the lines from [`BLOCK_START`] to [`BLOCK_END`]. Every
//! other line is the user's and is kept byte for byte: placing the block
//! only inserts it (with one blank line to set it apart) and removes the
//! old block (with the blank line that set it apart); [`remove`] undoes
//! [`place`] exactly. A file whose markers do not pair up (a start without
//! an end, an end without a start, two blocks, another tool's marker inside
//! gover's block) is refused with a [`MarkerError`] that names the lines:
//! guessing there could delete the user's lines.
//!
//! Where the block goes ([`decide`]) is the one answer both `gover setup`
//! and `gover doctor` use: in POSIX shells, a block stays where it is when
//! that is at the top level of the file and above the non-interactive guard
//! (see [`super::script`]); otherwise it goes right above the guard, or at
//! the end when there is none.

use std::fmt;

use gover_core::text::untrusted;

use super::script::{line_count, Position, Script, Unsure};
use super::Syntax;

/// First line of gover's block.
pub(crate) const BLOCK_START: &str = "# >>> gover >>>";
/// Last line of gover's block.
pub(crate) const BLOCK_END: &str = "# <<< gover <<<";

/// Why gover will not edit a file's block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MarkerError {
    /// A start marker with no end marker after it (1-based line).
    Unclosed(usize),
    /// An end marker with no start marker before it.
    Unopened(usize),
    /// A second start marker before the first block ends.
    Nested {
        /// The first start marker.
        outer: usize,
        /// The second.
        inner: usize,
    },
    /// Two complete blocks.
    Twice {
        /// The first block's lines.
        first: (usize, usize),
        /// The second block's lines.
        second: (usize, usize),
    },
    /// A line that holds gover's marker text but is not exactly a marker.
    Malformed(usize, String),
    /// Another tool's marker inside gover's block, whose lines gover would
    /// delete when it rewrites the block.
    Foreign {
        /// The block's lines.
        block: (usize, usize),
        /// The foreign marker's line and text.
        line: usize,
        /// Its text.
        text: String,
    },
}

impl fmt::Display for MarkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed(l) => write!(f, "line {l} opens gover's block (`{BLOCK_START}`), but no `{BLOCK_END}` line closes it"),
            Self::Unopened(l) => write!(f, "line {l} closes gover's block (`{BLOCK_END}`), but no `{BLOCK_START}` line opens it"),
            Self::Nested { outer, inner } => write!(f, "line {inner} opens gover's block again inside the block opened at line {outer}"),
            Self::Twice { first, second } => write!(
                f,
                "gover's block appears twice (lines {}-{} and {}-{})",
                first.0, first.1, second.0, second.1
            ),
            Self::Malformed(l, t) => write!(
                f,
                "line {l} looks like one of gover's markers but is not exactly one: `{}`",
                untrusted(t.trim())
            ),
            Self::Foreign { block, line, text } => write!(
                f,
                "gover's block (lines {}-{}) holds another marker at line {line}: `{}`",
                block.0,
                block.1,
                untrusted(text.trim())
            ),
        }
    }
}

/// The 0-based first and last lines of gover's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// The start marker's line.
    pub(crate) first: usize,
    /// The end marker's line.
    pub(crate) last: usize,
}

impl Span {
    /// `(first, last)`, 1-based, for messages.
    pub(crate) fn lines(self) -> (usize, usize) {
        (self.first + 1, self.last + 1)
    }
}

/// gover's block in `text`, if there is exactly one well-formed block.
pub(crate) fn find(text: &str) -> Result<Option<Span>, MarkerError> {
    let mut found: Option<Span> = None;
    let mut open: Option<usize> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim();
        let is_start = t == BLOCK_START;
        let is_end = t == BLOCK_END;
        if !is_start && !is_end {
            if t.contains(">>> gover >>>") || t.contains("<<< gover <<<") {
                return Err(MarkerError::Malformed(i + 1, line.to_string()));
            }
            if let (Some(o), true) = (open, t.starts_with("# >>>") || t.starts_with("# <<<")) {
                let end = block_end_after(text, i).unwrap_or(i);
                return Err(MarkerError::Foreign {
                    block: (o + 1, end + 1),
                    line: i + 1,
                    text: line.to_string(),
                });
            }
            continue;
        }
        match (open, is_start) {
            (Some(o), true) => {
                return Err(MarkerError::Nested {
                    outer: o + 1,
                    inner: i + 1,
                })
            }
            (None, true) => {
                if let Some(f) = found {
                    let Some(end) = block_end_after(text, i) else {
                        return Err(MarkerError::Unclosed(i + 1));
                    };
                    return Err(MarkerError::Twice {
                        first: f.lines(),
                        second: (i + 1, end + 1),
                    });
                }
                open = Some(i);
            }
            (Some(o), false) => {
                found = Some(Span { first: o, last: i });
                open = None;
            }
            (None, false) => return Err(MarkerError::Unopened(i + 1)),
        }
    }
    match open {
        Some(o) => Err(MarkerError::Unclosed(o + 1)),
        None => Ok(found),
    }
}

/// The 0-based line of the first end marker after line `from`.
fn block_end_after(text: &str, from: usize) -> Option<usize> {
    text.split_inclusive('\n')
        .enumerate()
        .skip(from + 1)
        .find(|(_, l)| l.trim() == BLOCK_END)
        .map(|(i, _)| i)
}

/// Byte offset where the 0-based line `line` starts (`text.len()` past the end).
fn offset_of_line(text: &str, line: usize) -> usize {
    text.split_inclusive('\n').take(line).map(str::len).sum()
}

/// `text` with the block at `span` taken out, and the 0-based line where
/// it was in the result: the blank line after it goes too (the one
/// [`place`] adds), or, for a block at the very end, the blank line before.
fn cut(text: &str, span: Span) -> (String, usize) {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (mut a, mut b) = (span.first, span.last + 1);
    if b < lines.len() && lines[b] == "\n" {
        b += 1;
    } else if b == lines.len() && a > 0 && lines[a - 1] == "\n" {
        a -= 1;
    }
    let (start, end) = (offset_of_line(text, a), offset_of_line(text, b));
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.push_str(&text[end..]);
    (out, a)
}

/// `rest` with `block` inserted before the 0-based line `at` (or appended
/// when `at` is past the last line), set apart by one blank line.
fn insert(rest: &str, at: usize, block: &str) -> String {
    let mut out = String::with_capacity(rest.len() + block.len() + 2);
    if at >= line_count(rest) {
        out.push_str(rest);
        if !rest.is_empty() {
            if !rest.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str(block);
        return out;
    }
    let off = offset_of_line(rest, at);
    out.push_str(&rest[..off]);
    out.push_str(block);
    out.push('\n');
    out.push_str(&rest[off..]);
    out
}

/// Where a new or moved block goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// Right above the non-interactive guard at this 1-based line.
    AboveGuard(usize),
    /// At the end of the file; when something guard-like was passed over
    /// or the syntax could not be followed, why.
    End(Option<Unsure>),
}

/// Why a block cannot stay where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Misplaced {
    /// It comes after the non-interactive guard at this 1-based line.
    BelowGuard(usize),
    /// It is not at the top level of the file.
    NotTopLevel(Position),
}

impl fmt::Display for Misplaced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BelowGuard(g) => {
                write!(f, "below the non-interactive `return` guard at line {g}")
            }
            Self::NotTopLevel(Position::Inside(kind, from)) => {
                write!(
                    f,
                    "inside {} (line {from}), which may never run",
                    kind.describe()
                )
            }
            Self::NotTopLevel(_) => f.write_str("not at the top level of the file"),
        }
    }
}

/// What [`decide`] says about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The block stays where it is (0-based line in the file without it).
    Keep(usize),
    /// The block goes to the 0-based line `at` (of the file without it).
    Put {
        /// Where.
        at: usize,
        /// Why there.
        target: Target,
        /// Why not where it was, when there was a block.
        misplaced: Option<Misplaced>,
    },
}

/// Where gover's block belongs in `rest` (a file without the block), given
/// the 0-based line where it was, if anywhere.
pub(crate) fn decide(rest: &str, was_at: Option<usize>, syntax: Syntax) -> Decision {
    let n = line_count(rest);
    if syntax == Syntax::Fish {
        return match was_at {
            Some(w) => Decision::Keep(w),
            None => Decision::Put {
                at: n,
                target: Target::End(None),
                misplaced: None,
            },
        };
    }
    let script = Script::parse(rest);
    let guard = script.guard(rest);
    let (at, target) = match &guard {
        Some(g) => (g.insert_at, Target::AboveGuard(g.first + 1)),
        None => (n, Target::End(script.unsure())),
    };
    let misplaced = match was_at {
        None => None,
        Some(w) if w == at => return Decision::Keep(w),
        Some(w) if !script.is_top_level(w) => {
            Some(Misplaced::NotTopLevel(script.position(w).clone()))
        }
        Some(w) => match &guard {
            Some(g) if w > g.first => Some(Misplaced::BelowGuard(g.first + 1)),
            _ => return Decision::Keep(w),
        },
    };
    Decision::Put {
        at,
        target,
        misplaced,
    }
}

/// What [`place`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// The file already had this block where it belongs.
    Unchanged,
    /// The block was rewritten where it was.
    Replaced,
    /// The block was added (there was none) or moved.
    Put {
        /// Where it went.
        target: Target,
        /// Why it moved, when there was a block.
        misplaced: Option<Misplaced>,
    },
}

/// The file's new text and what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Placed {
    /// The new text.
    pub(crate) text: String,
    /// What changed.
    pub(crate) change: Change,
}

/// `text` with `block` where it belongs (see [`decide`]).
pub(crate) fn place(text: &str, block: &str, syntax: Syntax) -> Result<Placed, MarkerError> {
    let (rest, was_at) = match find(text)? {
        Some(span) => {
            let (rest, at) = cut(text, span);
            (rest, Some(at))
        }
        None => (text.to_string(), None),
    };
    let (at, change) = match decide(&rest, was_at, syntax) {
        Decision::Keep(at) => (at, Change::Replaced),
        Decision::Put {
            at,
            target,
            misplaced,
        } => (at, Change::Put { target, misplaced }),
    };
    let new = insert(&rest, at, block);
    let change = if new == text {
        Change::Unchanged
    } else {
        change
    };
    Ok(Placed { text: new, change })
}

/// `text` without gover's block: exactly the text before [`place`] added
/// it (a last line without a line break gains one). `None` when there is
/// no block. This is what undoing `gover setup` uses.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn remove(text: &str) -> Result<Option<String>, MarkerError> {
    Ok(find(text)?.map(|span| cut(text, span).0))
}

/// What [`inspect`] finds: gover's block and whether it may stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// The block's lines.
    pub(crate) span: Span,
    /// Why it would be moved, and where to; `None` when it stays.
    pub(crate) misplaced: Option<(Misplaced, Target)>,
}

/// gover's block in `text` and [`decide`]'s verdict on it: what `gover
/// doctor` reports, so that it never disagrees with what setup does.
pub(crate) fn inspect(text: &str, syntax: Syntax) -> Result<Option<Found>, MarkerError> {
    let Some(span) = find(text)? else {
        return Ok(None);
    };
    let (rest, at) = cut(text, span);
    let misplaced = match decide(&rest, Some(at), syntax) {
        Decision::Keep(_) => None,
        Decision::Put {
            target, misplaced, ..
        } => misplaced.map(|m| (m, target)),
    };
    Ok(Some(Found { span, misplaced }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "# >>> gover >>>\nX\n# <<< gover <<<\n";

    fn twice(old: &str) -> String {
        let a = place(old, BLOCK, Syntax::Posix).unwrap().text;
        let b = place(&a, BLOCK, Syntax::Posix).unwrap();
        assert_eq!(
            b.change,
            Change::Unchanged,
            "placing twice must change nothing:\n{a}"
        );
        assert_eq!(a, b.text);
        let undone = remove(&a).unwrap().unwrap();
        let plain = remove(old).unwrap().unwrap_or_else(|| old.to_string());
        let want = if plain.is_empty() || plain.ends_with('\n') {
            plain
        } else {
            plain + "\n"
        };
        assert_eq!(undone, want, "removing undoes placing");
        a
    }

    #[test]
    fn appends_once() {
        assert_eq!(twice(""), BLOCK);
        assert_eq!(twice("a\n"), format!("a\n\n{BLOCK}"));
        assert_eq!(twice("a"), format!("a\n\n{BLOCK}"));
        assert_eq!(twice("a\n\n"), format!("a\n\n\n{BLOCK}"));
    }

    #[test]
    fn replaces_in_place() {
        let old = "a\n# >>> gover >>>\nOLD\n# <<< gover <<<\n\nb\n";
        assert_eq!(twice(old), format!("a\n{BLOCK}\nb\n"));
        let p = place(old, BLOCK, Syntax::Posix).unwrap();
        assert_eq!(p.change, Change::Replaced);
        let old = "# >>> gover >>>\nOLD\n# <<< gover <<<\nb\n";
        assert_eq!(twice(old), format!("{BLOCK}\nb\n"));
        // Fish files are not parsed: the block stays where it is.
        let fish = "if status is-interactive\n# >>> gover >>>\nOLD\n# <<< gover <<<\n\nend\n";
        let p = place(fish, BLOCK, Syntax::Fish).unwrap();
        assert_eq!(p.text, format!("if status is-interactive\n{BLOCK}\nend\n"));
    }

    #[test]
    fn goes_above_the_guard() {
        let debian = "# ~/.bashrc\n\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nalias ll='ls -l'\n";
        let p = place(debian, BLOCK, Syntax::Posix).unwrap();
        assert_eq!(
            p.change,
            Change::Put {
                target: Target::AboveGuard(4),
                misplaced: None
            }
        );
        assert_eq!(
            twice(debian),
            format!("# ~/.bashrc\n\n{BLOCK}\n# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nalias ll='ls -l'\n")
        );
        // A block below the guard moves above it.
        let below = format!("[[ $- != *i* ]] && return\n{BLOCK}");
        let p = place(&below, BLOCK, Syntax::Posix).unwrap();
        assert_eq!(
            p.change,
            Change::Put {
                target: Target::AboveGuard(1),
                misplaced: Some(Misplaced::BelowGuard(1))
            }
        );
        assert_eq!(
            twice(&below),
            format!("{BLOCK}\n[[ $- != *i* ]] && return\n")
        );
        // PS1 without a return is no guard.
        assert_eq!(twice("PS1='$ '\n"), format!("PS1='$ '\n\n{BLOCK}"));
    }

    #[test]
    fn never_inside_a_prompt_function() {
        let prompt = "__prompt_command() {\n    local EXIT=\"$?\"\n    PS1='\\u@\\h:\\w\\$ '\n    return $EXIT\n}\nPROMPT_COMMAND=__prompt_command\n";
        let p = place(prompt, BLOCK, Syntax::Posix).unwrap();
        assert_eq!(p.text, format!("{prompt}\n{BLOCK}"));
        match p.change {
            Change::Put {
                target: Target::End(Some(u)),
                misplaced: None,
            } => {
                assert!(
                    u.describe()
                        .contains("inside the function `__prompt_command`"),
                    "{}",
                    u.describe()
                )
            }
            other => panic!("{other:?}"),
        }
        // A block an older gover put inside the function moves out.
        let inside = "__prompt_command() {\n    local EXIT=\"$?\"\n# >>> gover >>>\nX\n# <<< gover <<<\n\n    PS1='$ '\n    return $EXIT\n}\n";
        let p = place(inside, BLOCK, Syntax::Posix).unwrap();
        assert!(
            matches!(
                &p.change,
                Change::Put {
                    misplaced: Some(Misplaced::NotTopLevel(_)),
                    ..
                }
            ),
            "{:?}",
            p.change
        );
        assert!(p.text.ends_with(&format!("}}\n\n{BLOCK}")), "{}", p.text);
        let found = inspect(inside, Syntax::Posix).unwrap().unwrap();
        assert_eq!(found.span.lines(), (3, 5));
        assert!(found
            .misplaced
            .unwrap()
            .0
            .to_string()
            .contains("the function `__prompt_command` (line 1)"));
        assert_eq!(
            inspect(&p.text, Syntax::Posix).unwrap().unwrap().misplaced,
            None
        );
    }

    #[test]
    fn refuses_markers_that_do_not_pair_up() {
        let cases: &[(&str, &str)] = &[
            (
                "a\n# >>> gover >>>\nmine\nmine too\n",
                "line 2 opens gover's block",
            ),
            ("a\n# <<< gover <<<\n", "line 2 closes gover's block"),
            (
                "# >>> gover >>>\n# >>> gover >>>\n# <<< gover <<<\n",
                "line 2 opens gover's block again inside the block opened at line 1",
            ),
            (
                &format!("{BLOCK}x\n{BLOCK}"),
                "appears twice (lines 1-3 and 5-7)",
            ),
            (
                &format!("{BLOCK}x\n{BLOCK_START}\nmine\n"),
                "line 5 opens gover's block",
            ),
            (
                "# >>> gover >>> (edited)\n",
                "line 1 looks like one of gover's markers",
            ),
            (
                "# >>> gover >>>\n# >>> conda initialize >>>\n# <<< gover <<<\n",
                "holds another marker at line 2: `# >>> conda initialize >>>`",
            ),
        ];
        for (text, msg) in cases {
            let e = place(text, BLOCK, Syntax::Posix).unwrap_err();
            assert!(e.to_string().contains(msg), "{text:?}: {e}");
            assert_eq!(remove(text).unwrap_err(), e);
        }
        let e = find("# >>> gover >>>\u{1b}[2J junk\n").unwrap_err();
        assert!(e.to_string().contains("\\u{1b}[2J"), "{e}");
    }
}

#[cfg(all(test, unix))]
mod against_bash {
    use super::*;

    /// Sources `text` with gover's block placed in it in a non-interactive
    /// bash (as sshd starts one for a command) and says whether the block
    /// ran. `None` without bash.
    fn block_runs(text: &str) -> Option<bool> {
        let block = "# >>> gover >>>\nGOVER_BLOCK_RAN=1\n# <<< gover <<<\n";
        let placed = place(text, block, Syntax::Posix).unwrap().text;
        let t = tempfile::tempdir().unwrap();
        let rc = t.path().join("bashrc");
        std::fs::write(&rc, &placed).unwrap();
        let out = std::process::Command::new("bash")
            .args([
                "--norc",
                "--noprofile",
                "-c",
                ". \"$1\"; echo \"ran=${GOVER_BLOCK_RAN-}\"",
                "_",
            ])
            .arg(&rc)
            .env_remove("PS1")
            .stdin(std::process::Stdio::null())
            .output()
            .ok()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        Some(stdout.lines().any(|l| l == "ran=1"))
    }

    /// Wherever the block goes, bash runs it: above a real guard, and
    /// never inside a function, a subshell, a string or a here-document.
    #[test]
    fn bash_runs_the_block_in_every_file() {
        let mut files: Vec<String> = super::super::script::tests::GUARDS
            .iter()
            .map(|g| format!("x=1\n# c\n{g}\nalias ll='ls -l'\n"))
            .collect();
        files.extend(
            [
                "{ [ -z \"$PS1\" ] && return; }\nalias a=b\n",
                "for i in 1; do\n  [[ $- != *i* ]] && return\ndone\n",
                "if [ -n \"$BASH_VERSION\" ]; then\n  [ -z \"$PS1\" ] && return\nfi\n",
                "__prompt_command() {\n  local EXIT=\"$?\"\n  PS1='$ '\n  return $EXIT\n}\nPROMPT_COMMAND=__prompt_command\n",
                "( [ -z \"$PS1\" ] && return )\n",
                "cat >/dev/null <<EOF\n[ -z \"$PS1\" ] && return\nEOF\n",
                "echo '[ -z \"$PS1\" ] && return' >/dev/null\n",
                "f() { [ -z \"$PS1\" ] && return; }\nf\n",
                "PS1=\"$\"\nx=\"a)$\"\n[ -n \"$BASH\" ] && { [[ $- == *i* ]] || return; }\n",
                "",
                "no newline at the end",
            ]
            .map(str::to_string),
        );
        for text in &files {
            let Some(ran) = block_runs(text) else {
                eprintln!("note: bash is not installed; skipping");
                return;
            };
            assert!(
                ran,
                "the block did not run in:\n{}",
                place(text, "# >>> gover >>>\nX\n# <<< gover <<<\n", Syntax::Posix)
                    .unwrap()
                    .text
            );
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines that exercise the editor: markers, guards, compound commands,
    /// quotes, here-documents, blank lines, odd line endings.
    fn a_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(BLOCK_START.to_string()),
            Just(BLOCK_END.to_string()),
            Just(format!("  {BLOCK_START}  ")),
            Just("# >>> conda initialize >>>".to_string()),
            Just(String::new()),
            Just("[ -z \"$PS1\" ] && return".to_string()),
            Just("case $- in *i*) ;; *) return;; esac".to_string()),
            Just("[[ -o interactive ]] || return".to_string()),
            Just("f() {".to_string()),
            Just("}".to_string()),
            Just("if true; then".to_string()),
            Just("fi".to_string()),
            Just("cat <<EOF".to_string()),
            Just("EOF".to_string()),
            Just("echo 'open".to_string()),
            Just("PS1='$ '; return $EXIT".to_string()),
            Just("alias ll='ls -l'\r".to_string()),
            "[ -~]{0,12}",
            "\\PC{0,8}",
        ]
    }

    fn a_file() -> impl Strategy<Value = String> {
        (proptest::collection::vec(a_line(), 0..12), any::<bool>()).prop_map(|(lines, nl)| {
            let mut t = lines.join("\n");
            if nl && !t.is_empty() {
                t.push('\n');
            }
            t
        })
    }

    /// The lines of `text` outside gover's block, without line endings.
    fn user_lines(text: &str) -> Vec<String> {
        let span = find(text).unwrap();
        text.split_inclusive('\n')
            .map(|l| l.strip_suffix('\n').unwrap_or(l))
            .enumerate()
            .filter(|(i, _)| span.is_none_or(|s| *i < s.first || *i > s.last))
            .map(|(_, l)| l.to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Setup then setup again, and setup then removal, keep every user
        /// line byte for byte.
        #[test]
        fn the_users_lines_survive(text in a_file(), posix in any::<bool>()) {
            let syntax = if posix { Syntax::Posix } else { Syntax::Fish };
            let block = "# >>> gover >>>\nexport PATH=/s:$PATH\n# <<< gover <<<\n";
            let Ok(once) = place(&text, block, syntax) else {
                // Refused: markers that do not pair up, and removal agrees.
                prop_assert!(remove(&text).is_err());
                return Ok(());
            };
            prop_assert_eq!(user_lines(&once.text), user_lines(&text));
            prop_assert_eq!(once.text.matches(BLOCK_START).count(), 1);
            let twice = place(&once.text, block, syntax).unwrap();
            prop_assert_eq!(&twice.text, &once.text);
            prop_assert_eq!(twice.change, Change::Unchanged);
            let before = remove(&text).unwrap().unwrap_or_else(|| text.clone());
            let undone = remove(&once.text).unwrap().unwrap();
            // Appending ends an unterminated last line; nothing else changes.
            let ended = !before.is_empty() && !before.ends_with('\n') && undone == format!("{before}\n");
            prop_assert!(undone == before || ended, "{undone:?} vs {before:?}");
            prop_assert!(inspect(&once.text, syntax).unwrap().unwrap().misplaced.is_none());
        }

        /// Any text of shell punctuation scans without a panic, and the
        /// block still goes somewhere and comes out again.
        #[test]
        fn any_shell_text_scans(text in "[\\\\'\"`$(){}\\[\\];&|<> \n\t#a-z=*!-]{0,80}") {
            let block = "# >>> gover >>>\nx\n# <<< gover <<<\n";
            let placed = place(&text, block, Syntax::Posix).unwrap();
            prop_assert_eq!(place(&placed.text, block, Syntax::Posix).unwrap().change, Change::Unchanged);
            prop_assert!(remove(&placed.text).unwrap().is_some());
        }
    }
}
