//! The structure of a POSIX-shell startup file that gover's block cares
//! about: its top-level commands, the lines where code may be inserted at
//! the top level, and the "not interactive: return" guard.
//!
//! A guard is a command at the top level of the file that tests whether
//! the shell is interactive and returns: `[ -z "$PS1" ] && return`,
//! `[[ $- != *i* ]] && return`, `[[ -o interactive ]] || return`,
//! `case $- in *i*) ;; *) return;; esac`, or an `if` (a `{ }` group, a
//! loop) around such a `return`: wherever that `return` ends the reading of
//! the file. The same words inside a function body (a prompt function that
//! sets `PS1` and returns its status), which runs only when called, inside
//! a subshell, which a `return` only leaves, or in a string, a comment or a
//! here-document are no guard: the file goes on past them when it is
//! sourced, and code inserted inside them would not run.

use super::lexer::{lex, LineStart, Tok, Trouble};

/// What a top-level command is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A pipeline or `&&`/`||` list of simple commands (`[[ ... ]]` too).
    Simple,
    /// `if ... fi`.
    If,
    /// `case ... esac`.
    Case,
    /// `for`, `while`, `until` or `select` loop.
    Loop,
    /// `{ ...; }`.
    Group,
    /// `( ... )`.
    Subshell,
    /// A function definition, by name.
    Function(String),
}

impl Kind {
    /// The construct, in words (`the function \`f\``).
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Simple => "a command".into(),
            Self::If => "an `if` block".into(),
            Self::Case => "a `case` block".into(),
            Self::Loop => "a loop".into(),
            Self::Group => "a `{ }` group".into(),
            Self::Subshell => "a `( )` subshell".into(),
            Self::Function(n) => format!("the function `{n}`"),
        }
    }
}

/// A `return` command inside a top-level command.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Return {
    /// 0-based line.
    line: usize,
    /// The innermost function whose body it is in (a body runs only when
    /// the function is called).
    in_function: Option<String>,
    /// Inside a subshell (which returns from the subshell only).
    in_subshell: bool,
}

/// A command at the top level of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement {
    /// 0-based line of its first word.
    pub(crate) first: usize,
    /// 0-based line of its last token.
    pub(crate) last: usize,
    /// What it is.
    pub(crate) kind: Kind,
    /// Whether it looks at interactivity: `$-`, `PS1`, `-o interactive`.
    interactive: bool,
    returns: Vec<Return>,
}

impl Statement {
    /// True when this is a non-interactive guard (see the module docs).
    fn is_guard(&self) -> bool {
        !matches!(self.kind, Kind::Function(_) | Kind::Subshell)
            && self.interactive
            && self
                .returns
                .iter()
                .any(|r| r.in_function.is_none() && !r.in_subshell)
    }

    /// True when it tests interactivity and returns somewhere, but is no
    /// guard: the case where a guard could be mistaken.
    fn looks_like_guard(&self) -> bool {
        self.interactive && !self.returns.is_empty() && !self.is_guard()
    }
}

/// The non-interactive guard of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Guard {
    /// 0-based first line of the guard command.
    pub(crate) first: usize,
    /// 0-based line where gover's block goes to come before it: the first
    /// line of the guard, or of the comment lines right above it.
    pub(crate) insert_at: usize,
}

/// Why the end of the file is where gover's block goes although the file
/// has something guard-like, or could not be read with confidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unsure {
    /// Something tests interactivity and returns, but not at the top level.
    NotTopLevel {
        /// 1-based line of its `return`.
        line: usize,
        /// What it is inside.
        inside: Kind,
        /// 1-based first line of that.
        from: usize,
    },
    /// The scan lost its way.
    Unreadable(Trouble),
}

impl Unsure {
    /// In words, for "added at the end: ...".
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::NotTopLevel { line, inside, from } => format!(
                "the `return` at line {line} is inside {} (line {from}), not at the top level of the file, so it is no non-interactive guard",
                inside.describe()
            ),
            Self::Unreadable(t) => format!(
                "gover could not follow the file's shell syntax from line {} ({}), so it did not look for a non-interactive guard past there",
                t.line, t.what
            ),
        }
    }
}

/// Where a line starts, as far as inserting code before it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// At the top level, between two commands: code may go here.
    TopLevel,
    /// Inside a top-level command (1-based first line).
    Inside(Kind, usize),
    /// Inside a string, here-document, substitution or continued line.
    Lexical(LineStart),
    /// After the point where the scan lost its way.
    Unknown,
}

/// A scanned file.
#[derive(Debug)]
pub(crate) struct Script {
    /// The top-level commands in order.
    pub(crate) statements: Vec<Statement>,
    /// For each 0-based line, plus one for the end of the file.
    positions: Vec<Position>,
    /// Where the scan lost its way.
    pub(crate) trouble: Option<Trouble>,
}

/// The number of lines of `text` (a last line without `\n` counts).
pub(crate) fn line_count(text: &str) -> usize {
    text.split_inclusive('\n').count()
}

impl Script {
    /// Scans `text`.
    pub(crate) fn parse(text: &str) -> Self {
        let n = line_count(text);
        let lexed = lex(text);
        let mut p = Parser::new(n);
        for (i, t) in lexed.toks.iter().enumerate() {
            p.token(t, lexed.toks.get(i + 1..).unwrap_or(&[]));
        }
        p.finish(lexed.trouble)
    }

    /// Where the 0-based line `line` (or the end, `line_count`) starts.
    pub(crate) fn position(&self, line: usize) -> &Position {
        self.positions.get(line).unwrap_or(&Position::Unknown)
    }

    /// True when code may be inserted before the 0-based `line`.
    pub(crate) fn is_top_level(&self, line: usize) -> bool {
        *self.position(line) == Position::TopLevel
    }

    /// The first non-interactive guard at the top level.
    pub(crate) fn guard(&self, text: &str) -> Option<Guard> {
        let g = self.statements.iter().find(|s| s.is_guard())?;
        let mut at = (0..=g.first).rev().find(|&l| self.is_top_level(l))?;
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        while at > 0 && self.is_top_level(at - 1) && lines[at - 1].trim_start().starts_with('#') {
            at -= 1;
        }
        Some(Guard {
            first: g.first,
            insert_at: at,
        })
    }

    /// Why no guard was found although one might be there.
    pub(crate) fn unsure(&self) -> Option<Unsure> {
        if let Some(s) = self.statements.iter().find(|s| s.looks_like_guard()) {
            let r = &s.returns[0];
            // Inside a function or a subshell, the innermost that matters.
            let inside = match (&r.in_function, r.in_subshell) {
                (Some(name), _) => Kind::Function(name.clone()),
                (None, true) => Kind::Subshell,
                (None, false) => s.kind.clone(),
            };

            return Some(Unsure::NotTopLevel {
                line: r.line + 1,
                inside,
                from: s.first + 1,
            });
        }
        self.trouble.clone().map(Unsure::Unreadable)
    }
}

/// An open compound command.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Frame {
    /// `if` (until `fi`).
    If { func: Func },
    /// A loop (until `done`).
    Loop { func: Func },
    /// `case`: its word, `in`, then patterns and bodies (until `esac`).
    Case { func: Func, state: CaseState },
    /// `{` (until `}`).
    Brace { func: Func },
    /// `(` (until `)`).
    Paren { func: Func },
    /// `[[` (until `]]`): its words are no commands.
    Test,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseState {
    Word,
    In,
    Pattern,
    Body,
}

/// The name of the function whose body a compound command is, if it is one.
type Func = Option<String>;

impl Frame {
    fn function(&self) -> Option<&str> {
        match self {
            Self::If { func }
            | Self::Loop { func }
            | Self::Case { func, .. }
            | Self::Brace { func }
            | Self::Paren { func } => func.as_deref(),
            Self::Test => None,
        }
    }
}

struct Parser {
    positions: Vec<Position>,
    statements: Vec<Statement>,
    cur: Option<Statement>,
    stack: Vec<Frame>,
    /// A command word may come next (reserved words count here).
    cmd_start: bool,
    /// An `&&`, `||` or `|` wants another command, across newlines.
    continuing: bool,
    /// A function header was read; its body comes next.
    pending_function: Option<String>,
    /// `function` was read; the name comes next.
    want_function_name: bool,
    /// The `(` `)` of a function header, to step over.
    skip_ops: u8,
    /// The last word closed a compound command.
    after_compound: bool,
    line: usize,
    prev_word: String,
    trouble: Option<Trouble>,
}

/// True when a word looks at whether the shell is interactive.
fn tests_interactive(word: &str, prev: &str) -> bool {
    word.contains("$-")
        || word.contains("${-}")
        || word.contains("PS1")
        || (prev == "-o" && word == "interactive")
}

/// True for `NAME=value` (an assignment, after which a command may follow).
fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
        }
        None => false,
    }
}

impl Parser {
    fn new(lines: usize) -> Self {
        Self {
            positions: vec![Position::Unknown; lines + 1],
            statements: Vec::new(),
            cur: None,
            stack: Vec::new(),
            cmd_start: true,
            continuing: false,
            pending_function: None,
            want_function_name: false,
            skip_ops: 0,
            after_compound: false,
            line: 0,
            prev_word: String::new(),
            trouble: None,
        }
    }

    fn at_top(&self) -> bool {
        self.stack.is_empty()
            && !self.continuing
            && self.pending_function.is_none()
            && self.cur.is_none()
    }

    fn trouble(&mut self, what: &str) {
        if self.trouble.is_none() {
            self.trouble = Some(Trouble {
                line: self.line + 1,
                what: what.into(),
            });
        }
    }

    /// Where the current line starts, from the parser's point of view.
    fn position_here(&self) -> Position {
        if self.trouble.is_some() {
            return Position::Unknown;
        }
        if self.at_top() {
            return Position::TopLevel;
        }
        match &self.cur {
            Some(s) => Position::Inside(s.kind.clone(), s.first + 1),
            None => Position::Inside(Kind::Simple, self.line + 1),
        }
    }

    fn token(&mut self, t: &Tok, ahead: &[Tok]) {
        match t {
            Tok::Line(l, how) => {
                self.line = *l;
                let pos = match how {
                    LineStart::Code => self.position_here(),
                    other => Position::Lexical(*other),
                };
                if let Some(p) = self.positions.get_mut(*l) {
                    *p = pos;
                }
            }
            Tok::Newline => self.separator(true),
            Tok::Op(op) => self.op(op),
            Tok::Word(w) => self.word(w, ahead),
        }
    }

    /// A newline, `;` or `&`: ends a top-level command.
    fn separator(&mut self, newline: bool) {
        if newline && (self.continuing || self.pending_function.is_some()) {
            return;
        }
        if matches!(
            self.stack.last(),
            Some(Frame::Case {
                state: CaseState::Pattern | CaseState::In,
                ..
            })
        ) {
            return;
        }
        self.cmd_start = true;
        if self.stack.is_empty() && self.pending_function.is_none() {
            if let Some(mut s) = self.cur.take() {
                s.last = self.line;
                self.statements.push(s);
            }
        }
    }

    fn begin(&mut self, kind: Kind) {
        if self.stack.is_empty() && self.cur.is_none() {
            self.cur = Some(Statement {
                first: self.line,
                last: self.line,
                kind,
                interactive: false,
                returns: Vec::new(),
            });
        }
    }

    /// Opens a compound command, the body of a pending function if any.
    fn open(&mut self, kind: Kind, frame: impl FnOnce(Func) -> Frame) {
        let func = self.pending_function.take();
        self.begin(func.clone().map_or(kind, Kind::Function));
        self.stack.push(frame(func));
        self.continuing = false;
    }

    fn close(&mut self, matches: impl Fn(&Frame) -> bool, what: &str) {
        if self.stack.last().is_some_and(matches) {
            self.stack.pop();
        } else {
            self.trouble(what);
        }
        self.cmd_start = false;
        self.after_compound = true;
    }

    fn op(&mut self, op: &str) {
        self.after_compound = false;
        if self.skip_ops > 0 {
            self.skip_ops -= 1;
            return;
        }
        match op {
            ";" | "&" => self.separator(false),
            ";;" | ";&" | ";;&" => {
                if let Some(Frame::Case { state, .. }) = self.stack.last_mut() {
                    *state = CaseState::Pattern;
                }
                self.cmd_start = true;
            }
            "&&" | "||" | "|" | "|&" => {
                self.continuing = true;
                self.cmd_start = true;
            }
            "(" => {
                if matches!(
                    self.stack.last(),
                    Some(Frame::Case {
                        state: CaseState::Pattern,
                        ..
                    }) | Some(Frame::Test)
                ) {
                    return;
                }
                self.open(Kind::Subshell, |func| Frame::Paren { func });
                self.cmd_start = true;
            }
            ")" => match self.stack.last_mut() {
                Some(Frame::Case {
                    state: s @ CaseState::Pattern,
                    ..
                }) => {
                    *s = CaseState::Body;
                    self.cmd_start = true;
                }
                Some(Frame::Test) => {}
                _ => self.close(
                    |f| matches!(f, Frame::Paren { .. }),
                    "a `)` that closes nothing",
                ),
            },
            _ => {} // redirections: their target is an ordinary word
        }
    }

    fn word(&mut self, w: &str, ahead: &[Tok]) {
        let prev = std::mem::replace(&mut self.prev_word, w.to_string());
        if let (Some(s), true) = (&mut self.cur, tests_interactive(w, &prev)) {
            s.interactive = true;
        }
        match self.stack.last_mut() {
            Some(Frame::Test) => {
                if w == "]]" {
                    self.stack.pop();
                }
                return;
            }
            Some(Frame::Case { state, .. }) if *state != CaseState::Body => {
                match (*state, w) {
                    (CaseState::Word, _) => *state = CaseState::In,
                    (CaseState::In, "in") => *state = CaseState::Pattern,
                    (CaseState::Pattern | CaseState::In, "esac") => {
                        self.stack.pop();
                        self.cmd_start = false;
                    }
                    _ => {}
                }
                return;
            }
            _ => {}
        }
        if self.want_function_name {
            self.want_function_name = false;
            self.function_header(w, ahead);
            return;
        }
        // After `done`, `fi`, `esac` or `}`, a closing reserved word may
        // follow on the same line: `{ while read a; do :; done }`.
        let closes_after_compound = self.after_compound
            && matches!(
                w,
                "}" | "fi" | "done" | "esac" | "then" | "do" | "else" | "elif"
            );
        self.after_compound = false;
        if !self.cmd_start && !closes_after_compound {
            self.continuing = false;
            return;
        }
        self.command_word(w, ahead);
    }

    /// `name` of `name() body` or `function name [()] body`: the next
    /// compound command is the function's body.
    fn function_header(&mut self, name: &str, ahead: &[Tok]) {
        if self.stack.is_empty() && self.cur.is_none() {
            self.begin(Kind::Function(name.to_string()));
        }
        self.pending_function = Some(name.to_string());
        if is_function_header(ahead) {
            self.skip_ops = 2;
        }
    }

    /// A word where a command may start: reserved words, function
    /// definitions, `return`.
    fn command_word(&mut self, w: &str, ahead: &[Tok]) {
        self.continuing = false;
        match w {
            "if" => self.open(Kind::If, |func| Frame::If { func }),
            "then" | "else" | "elif" | "do" | "!" => {}
            "fi" => self.close(|f| matches!(f, Frame::If { .. }), "a `fi` without its `if`"),
            "while" | "until" => self.open(Kind::Loop, |func| Frame::Loop { func }),
            "for" | "select" => {
                self.open(Kind::Loop, |func| Frame::Loop { func });
                self.cmd_start = false;
            }
            "done" => self.close(
                |f| matches!(f, Frame::Loop { .. }),
                "a `done` without its loop",
            ),
            "case" => {
                self.open(Kind::Case, |func| Frame::Case {
                    func,
                    state: CaseState::Word,
                });
                self.cmd_start = false;
            }
            "esac" => self.close(
                |f| matches!(f, Frame::Case { .. }),
                "an `esac` without its `case`",
            ),
            "{" => self.open(Kind::Group, |func| Frame::Brace { func }),
            "}" => self.close(
                |f| matches!(f, Frame::Brace { .. }),
                "a `}` that closes nothing",
            ),
            "[[" => {
                self.begin(Kind::Simple);
                self.stack.push(Frame::Test);
                self.cmd_start = false;
            }
            "function" => self.want_function_name = true,
            _ if is_function_header(ahead) => self.function_header(w, ahead),
            _ => {
                self.begin(Kind::Simple);
                if w == "return" {
                    let r = Return {
                        line: self.line,
                        in_function: self
                            .stack
                            .iter()
                            .rev()
                            .find_map(|f| f.function().map(str::to_string)),
                        in_subshell: self.stack.iter().any(|f| matches!(f, Frame::Paren { .. })),
                    };
                    if let Some(s) = &mut self.cur {
                        s.returns.push(r);
                    }
                }
                self.cmd_start = is_assignment(w);
            }
        }
    }

    fn finish(mut self, lex_trouble: Option<Trouble>) -> Script {
        let end = self.positions.len() - 1;
        if let Some(s) = self.cur.take() {
            if self.stack.is_empty() && self.pending_function.is_none() {
                let mut s = s;
                s.last = self.line.min(end.saturating_sub(1));
                self.statements.push(s);
                self.continuing = false;
            } else {
                self.cur = Some(s);
            }
        }
        if let Some(f) = self.stack.first() {
            let what = match f {
                Frame::If { .. } => "an `if` without its `fi`",
                Frame::Loop { .. } => "a loop without its `done`",
                Frame::Case { .. } => "a `case` without its `esac`",
                Frame::Brace { .. } => "a `{` without its `}`",
                Frame::Paren { .. } => "a `(` without its `)`",
                Frame::Test => "a `[[` without its `]]`",
            };
            let line = self.cur.as_ref().map_or(self.line, |s| s.first);
            self.line = line;
            self.trouble(what);
        }
        let trouble = match (lex_trouble, self.trouble.take()) {
            (Some(a), Some(b)) => Some(if a.line <= b.line { a } else { b }),
            (a, b) => a.or(b),
        };
        self.positions[end] = if trouble.is_none() && self.stack.is_empty() && !self.continuing {
            Position::TopLevel
        } else {
            Position::Unknown
        };
        if let Some(t) = &trouble {
            // Nothing after the point where the scan lost its way is known.
            for p in self.positions.iter_mut().skip(t.line) {
                *p = Position::Unknown;
            }
            self.statements.retain(|s| s.first + 1 < t.line);
        }
        Script {
            statements: self.statements,
            positions: self.positions,
            trouble,
        }
    }
}

/// True when the tokens after a word are `(` `)`: a function definition.
fn is_function_header(ahead: &[Tok]) -> bool {
    matches!(ahead, [Tok::Op("("), Tok::Op(")"), ..])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The guard's 1-based first line, or why there is none.
    fn guard_line(text: &str) -> Result<usize, String> {
        let s = Script::parse(text);
        match s.guard(text) {
            Some(g) => Ok(g.first + 1),
            None => Err(s.unsure().map_or("none".into(), |u| u.describe())),
        }
    }

    pub(crate) const GUARDS: &[&str] = &[
        "[[ -o interactive ]] || return",
        "case $- in\n    *i*) ;;\n      *) return;;\nesac",
        "case \"$-\" in *i*) ;; *) return ;; esac",
        "[ -z \"$PS1\" ] && return",
        "[[ $- != *i* ]] && return",
        "if [ -z \"$PS1\" ]; then\n  return\nfi",
        "if [[ $- != *i* ]]; then return; fi",
        "[[ $- == *i* ]] || return 0",
        "test -z \"${PS1-}\" && return",
        "[ \"${-#*i}\" != \"$-\" ] || return",
    ];

    #[test]
    fn every_guard_form_is_found_at_the_top_level() {
        for g in GUARDS {
            let text = format!("# comment\nexport A=1\n{g}\nalias ll='ls -l'\n");
            assert_eq!(guard_line(&text), Ok(3), "{g}");
            let s = Script::parse(&text);
            assert_eq!(s.guard(&text).unwrap().insert_at, 2, "{g}");
        }
        // Comments right above go with it.
        let text =
            "x=1\n\n# If not running interactively, don't do anything\n[ -z \"$PS1\" ] && return\n";
        let s = Script::parse(text);
        assert_eq!(s.guard(text).unwrap().insert_at, 2);
    }

    #[test]
    fn guard_words_elsewhere_are_no_guard() {
        for (text, why) in [
            (
                "__prompt_command() {\n  local EXIT=\"$?\"\n  PS1='\\u@\\h '\n  return $EXIT\n}\nPROMPT_COMMAND=__prompt_command\n",
                "inside the function `__prompt_command` (line 1)",
            ),
            (
                "__prompt_command() { local EXIT=\"$?\"; PS1=\"x\"; return $EXIT; }\n",
                "inside the function `__prompt_command`",
            ),
            ("function p {\n  [ -z \"$PS1\" ] && return\n}\n", "the function `p`"),
            ("( [[ $- != *i* ]] && return )\n", "a `( )` subshell"),
            ("if true; then\n  ( [ -z \"$PS1\" ] && return )\nfi\n", "a `( )` subshell (line 1)"),
        ] {
            let e = guard_line(text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
        for text in [
            "cat <<EOF\n[ -z \"$PS1\" ] && return\nEOF\n",
            "echo '[ -z \"$PS1\" ] && return'\n",
            "# [ -z \"$PS1\" ] && return\n",
            "PS1='$ '\nf() { return 1; }\n",
            "if [ -n \"$PS1\" ]; then PS1='x'; fi\n",
        ] {
            assert_eq!(guard_line(text), Err("none".into()), "{text:?}");
        }
    }

    #[test]
    fn top_level_positions() {
        let text =
            "a=1\nif x; then\n  y\nfi\nf() {\n  z\n}\ncat <<E\nbody\nE\nb && \\\n  c\nlast\n";
        let s = Script::parse(text);
        let top: Vec<usize> = (0..=line_count(text))
            .filter(|&l| s.is_top_level(l))
            .collect();
        assert_eq!(top, [0, 1, 4, 7, 10, 12, 13]);
        assert_eq!(
            *s.position(5),
            Position::Inside(Kind::Function("f".into()), 5)
        );
        assert_eq!(*s.position(8), Position::Lexical(LineStart::HereDoc(8)));
        assert!(s.trouble.is_none());
        // `a &&` continues onto the next line.
        let s = Script::parse("a &&\nb\n");
        assert!(!s.is_top_level(1));
        assert!(s.is_top_level(2));
    }

    #[test]
    fn odd_but_valid_syntax_is_followed() {
        for text in [
            "PS1=\"$\"\nx=\"a)$\" # end\n",
            "f() {\n  ls | { while read -r a; do echo \" $a\"; done }\n}\n",
            "if a; then { b; } fi\n",
            "case x in a) { b; } esac\n",
        ] {
            let s = Script::parse(text);
            assert!(s.trouble.is_none(), "{text:?}: {:?}", s.trouble);
            assert!(s.is_top_level(line_count(text)), "{text:?}");
        }
    }

    #[test]
    fn lost_ways_are_reported() {
        let s = Script::parse("x\nif y; then\n  z\n");
        assert_eq!(s.trouble.as_ref().unwrap().line, 2);
        assert!(!s.is_top_level(3));
        assert!(matches!(s.unsure(), Some(Unsure::Unreadable(_))));
        let s = Script::parse("fi\nx\n");
        assert!(s.trouble.is_some());
        // A guard before the trouble still counts.
        let text = "[ -z \"$PS1\" ] && return\necho 'open\n";
        assert_eq!(guard_line(text), Ok(1));
    }

    #[test]
    fn no_text_no_lines() {
        let s = Script::parse("");
        assert!(s.is_top_level(0));
        assert_eq!(line_count("a"), 1);
        assert_eq!(line_count("a\n"), 1);
        assert_eq!(line_count("a\nb"), 2);
    }
}
