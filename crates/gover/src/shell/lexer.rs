//! Splitting the text of a POSIX-shell startup file (bash, zsh, sh) into
//! words, operators and line boundaries, the way the shell itself would:
//! quotes, `$( )`, `${ }`, backquotes and here-documents are followed, so a
//! `return` or `PS1` inside a string or a here-document is no word at all,
//! and every line says whether it starts as fresh code or inside one of
//! those.
//!
//! This is not a full shell parser: `case` patterns inside `$( )` and a few
//! other rarities are not followed. Where the text ends inside something
//! unclosed, [`Lexed::trouble`] says where, and callers treat the file as
//! one they cannot read with confidence.

/// Where a line starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineStart {
    /// As fresh shell code (the parser decides whether at the top level).
    Code,
    /// Inside a quoted string opened on the 1-based line.
    Quote(usize),
    /// Inside a here-document opened on the 1-based line.
    HereDoc(usize),
    /// Inside `$( )`, `${ }` or backquotes opened on the 1-based line.
    Substitution(usize),
    /// After a backslash that continues the line before.
    Continuation,
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// The start of the 0-based line, and how it starts.
    Line(usize, LineStart),
    /// A word, quotes and all (`"$PS1"`).
    Word(String),
    /// An operator: `;`, `;;`, `&&`, `(`, a redirection (`<`, `>>`, ...).
    Op(&'static str),
    /// The end of a line (a command separator).
    Newline,
}

/// Something the lexer could not follow to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Trouble {
    /// The 1-based line where the unclosed thing starts.
    pub(crate) line: usize,
    /// What it is, in words (`a quoted string`).
    pub(crate) what: String,
}

/// The tokens of a text.
#[derive(Debug)]
pub(crate) struct Lexed {
    /// The tokens, each [`Tok::Word`] and [`Tok::Op`] preceded somewhere by
    /// the [`Tok::Line`] of its line.
    pub(crate) toks: Vec<Tok>,
    /// The first thing the lexer could not follow, if any.
    pub(crate) trouble: Option<Trouble>,
}

/// Operators, longest first.
const OPS: &[&str] = &[
    ";;&", ";;", ";&", "&&", "&>>", "&>", "||", "|&", "<<<", "<<-", "<<", ">>", ">|", "<&", ">&",
    "<>", ";", "&", "|", "(", ")", "<", ">",
];

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
    toks: Vec<Tok>,
    trouble: Option<Trouble>,
    /// Here-documents whose bodies start after the current line:
    /// (delimiter, strip leading tabs, 1-based line of the `<<`).
    heredocs: Vec<(String, bool, usize)>,
    /// The next word is a here-document delimiter (`<<` or `<<-`).
    want_delim: Option<bool>,
}

/// Splits `text` into tokens.
pub(crate) fn lex(text: &str) -> Lexed {
    let mut l = Lexer {
        s: text.as_bytes(),
        i: 0,
        line: 0,
        toks: Vec::new(),
        trouble: None,
        heredocs: Vec::new(),
        want_delim: None,
    };
    l.run();
    Lexed {
        toks: l.toks,
        trouble: l.trouble,
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_op_start(b: u8) -> bool {
    matches!(b, b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
}

impl Lexer<'_> {
    fn peek(&self, off: usize) -> Option<u8> {
        self.s.get(self.i + off).copied()
    }

    fn trouble(&mut self, line: usize, what: &str) {
        if self.trouble.is_none() {
            self.trouble = Some(Trouble {
                line: line + 1,
                what: what.to_string(),
            });
        }
    }

    /// Steps over a backslash and the byte it escapes (if any).
    fn escape(&mut self) {
        self.i = (self.i + 2).min(self.s.len());
    }

    /// Steps over a newline inside a construct, recording the new line.
    fn newline_inside(&mut self, how: LineStart) {
        self.i += 1;
        self.line += 1;
        self.toks.push(Tok::Line(self.line, how));
    }

    fn run(&mut self) {
        self.toks.push(Tok::Line(0, LineStart::Code));
        while self.i < self.s.len() {
            let b = self.s[self.i];
            if is_blank(b) {
                self.i += 1;
            } else if b == b'\\' && self.peek(1) == Some(b'\n') {
                self.i += 1;
                self.newline_inside(LineStart::Continuation);
            } else if b == b'#' {
                while self.peek(0).is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else if b == b'\n' {
                self.end_of_line();
            } else if b == b'(' && self.peek(1) == Some(b'(') {
                let start = self.i;
                self.i += 2;
                self.skip_parens(2, self.line);
                self.word_from(start);
            } else if (b == b'<' || b == b'>') && self.peek(1) == Some(b'(') {
                self.word();
            } else if is_op_start(b) {
                self.op();
            } else {
                self.word();
            }
        }
        if !self.heredocs.is_empty() {
            let (d, _, at) = self.heredocs[0].clone();
            self.trouble(
                at - 1,
                &format!("a here-document that never reaches its `{d}` line"),
            );
        }
    }

    /// A newline outside any construct: ends the line, then reads the
    /// bodies of the here-documents it opened.
    fn end_of_line(&mut self) {
        self.toks.push(Tok::Newline);
        self.i += 1;
        self.line += 1;
        for (delim, strip, at) in std::mem::take(&mut self.heredocs) {
            loop {
                if self.i >= self.s.len() {
                    self.trouble(
                        at - 1,
                        &format!("a here-document that never reaches its `{delim}` line"),
                    );
                    return;
                }
                self.toks.push(Tok::Line(self.line, LineStart::HereDoc(at)));
                let end = self.s[self.i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(self.s.len(), |p| self.i + p);
                let mut body = &self.s[self.i..end];
                if strip {
                    while body.first() == Some(&b'\t') {
                        body = &body[1..];
                    }
                }
                let body = body.strip_suffix(b"\r").unwrap_or(body);
                let done = body == delim.as_bytes();
                self.i = (end + 1).min(self.s.len());
                self.line += 1;
                if done {
                    break;
                }
            }
        }
        if self.i <= self.s.len() {
            self.toks.push(Tok::Line(self.line, LineStart::Code));
        }
    }

    fn op(&mut self) {
        let rest = &self.s[self.i..];
        let op = OPS
            .iter()
            .find(|o| rest.starts_with(o.as_bytes()))
            .expect("called at an operator");
        self.i += op.len();
        match *op {
            "<<" => self.want_delim = Some(false),
            "<<-" => self.want_delim = Some(true),
            _ => {}
        }
        self.toks.push(Tok::Op(op));
    }

    fn word(&mut self) {
        let start = self.i;
        while let Some(b) = self.peek(0) {
            match b {
                b' ' | b'\t' | b'\n' => break,
                b'\\' => {
                    if self.peek(1) == Some(b'\n') {
                        self.i += 1;
                        self.newline_inside(LineStart::Continuation);
                    } else {
                        self.escape();
                    }
                }
                b'\'' => {
                    let l = self.line;
                    self.i += 1;
                    self.skip_single_quoted(l, false);
                }
                b'"' => {
                    let l = self.line;
                    self.i += 1;
                    self.skip_double_quoted(l);
                }
                b'`' => {
                    let l = self.line;
                    self.i += 1;
                    self.skip_backquoted(l);
                }
                b'$' => self.dollar(false),
                b'(' if self.paren_joins_word(start) => {
                    let l = self.line;
                    self.i += 1;
                    self.skip_parens(1, l);
                }
                b'<' | b'>' if self.i == start && self.peek(1) == Some(b'(') => {
                    let l = self.line;
                    self.i += 2;
                    self.skip_parens(1, l);
                }
                b if is_op_start(b) => break,
                _ => self.i += 1,
            }
        }
        self.word_from(start);
    }

    /// Whether a `(` right after the word so far belongs to it (an array
    /// `a=(x y)`, an extended glob `@(a|b)`, a zsh glob qualifier `*(N)`)
    /// rather than starting a function definition `name()` or a subshell.
    fn paren_joins_word(&self, start: usize) -> bool {
        let w = &self.s[start..self.i];
        let last = w.last().copied().unwrap_or(b' ');
        if matches!(last, b'=' | b'@' | b'!' | b'?' | b'*' | b'+') || w.contains(&b'=') {
            return true;
        }
        // `name()`: a function definition, whose parentheses are operators.
        let after = &self.s[self.i + 1..];
        let closes = after.iter().find(|&&c| !is_blank(c)) == Some(&b')');
        !closes
            && !w
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || b"_-.:".contains(&c))
    }

    fn word_from(&mut self, start: usize) {
        let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        if text.is_empty() {
            // Not a word after all: step over the byte so the lexer moves on.
            self.i += 1;
            return;
        }
        if let Some(strip) = self.want_delim.take() {
            let delim: String = text
                .chars()
                .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                .collect();
            self.heredocs.push((delim, strip, self.line + 1));
        }
        self.toks.push(Tok::Word(text));
    }

    /// After a `$`: `$( )`, `$(( ))`, `${ }`, `$' '`, `$" "` or a plain `$`.
    /// Inside double quotes `$'` and `$"` are a plain `$`.
    fn dollar(&mut self, in_double_quotes: bool) {
        let l = self.line;
        match self.peek(1) {
            Some(b'\'' | b'"') if in_double_quotes => self.i += 1,
            Some(b'(') if self.peek(2) == Some(b'(') => {
                self.i += 3;
                self.skip_parens(2, l);
            }
            Some(b'(') => {
                self.i += 2;
                self.skip_parens(1, l);
            }
            Some(b'{') => {
                self.i += 2;
                self.skip_braces(l);
            }
            Some(b'\'') => {
                self.i += 2;
                self.skip_single_quoted(l, true);
            }
            Some(b'"') => {
                self.i += 2;
                self.skip_double_quoted(l);
            }
            _ => self.i += 1,
        }
    }

    /// Up to and past the closing `'` (`$'...'` honours backslashes).
    fn skip_single_quoted(&mut self, from: usize, escapes: bool) {
        while let Some(b) = self.peek(0) {
            match b {
                b'\'' => {
                    self.i += 1;
                    return;
                }
                b'\\' if escapes => self.escape(),
                b'\n' => self.newline_inside(LineStart::Quote(from + 1)),
                _ => self.i += 1,
            }
        }
        self.trouble(from, "a quoted string that is never closed");
    }

    /// Up to and past the closing `"`.
    fn skip_double_quoted(&mut self, from: usize) {
        self.skip_to(
            b'"',
            Inside::DoubleQuote,
            from,
            "a quoted string that is never closed",
        );
    }

    /// Up to and past the closing backquote.
    fn skip_backquoted(&mut self, from: usize) {
        self.skip_to(
            b'`',
            Inside::Backquote,
            from,
            "a backquoted command that is never closed",
        );
    }

    /// Up to and past `close`, inside `how`; `what` says what was opened
    /// (on the 0-based line `from`) when the text ends first.
    fn skip_to(&mut self, close: u8, how: Inside, from: usize, what: &str) {
        while let Some(b) = self.peek(0) {
            if b == close {
                self.i += 1;
                return;
            }
            self.step(b, how, from);
        }
        self.trouble(from, what);
    }

    /// Past `depth` closing parentheses, following quotes inside.
    fn skip_parens(&mut self, depth: usize, from: usize) {
        self.skip_nested(
            b'(',
            b')',
            depth,
            from,
            "a `$(`, `((` or `(` that is never closed",
        );
    }

    /// Past the closing `}` of `${`.
    fn skip_braces(&mut self, from: usize) {
        self.skip_nested(b'{', b'}', 1, from, "a `${` that is never closed");
    }

    /// Past `depth` unmatched `close` bytes, counting `open` ones.
    fn skip_nested(&mut self, open: u8, close: u8, mut depth: usize, from: usize, what: &str) {
        while let Some(b) = self.peek(0) {
            if b == open || b == close {
                self.i += 1;
                depth = if b == open { depth + 1 } else { depth - 1 };
                if depth == 0 {
                    return;
                }
                continue;
            }
            self.step(b, Inside::Substitution, from);
        }
        self.trouble(from, what);
    }

    /// One step over the byte `b` inside `how`, opened on the 0-based line
    /// `from`: escapes, line breaks, and what nests there.
    fn step(&mut self, b: u8, how: Inside, from: usize) {
        let line_start = match how {
            Inside::DoubleQuote => LineStart::Quote(from + 1),
            Inside::Backquote | Inside::Substitution => LineStart::Substitution(from + 1),
        };
        let nests_quotes = how == Inside::Substitution;
        let l = self.line;
        match b {
            b'\\' if self.peek(1) == Some(b'\n') => {
                self.i += 1;
                self.newline_inside(line_start);
            }
            b'\\' => self.escape(),
            b'\n' => self.newline_inside(line_start),
            b'\'' if nests_quotes => {
                self.i += 1;
                self.skip_single_quoted(l, false);
            }
            b'"' if nests_quotes => {
                self.i += 1;
                self.skip_double_quoted(l);
            }
            b'`' if how != Inside::Backquote => {
                self.i += 1;
                self.skip_backquoted(l);
            }
            b'$' if how != Inside::Backquote => self.dollar(how == Inside::DoubleQuote),
            _ => self.i += 1,
        }
    }
}

/// What [`Lexer::step`] is inside.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    /// `"..."`: `$` and backquotes nest.
    DoubleQuote,
    /// `` `...` ``: nothing nests (the rare nested quoting is not followed).
    Backquote,
    /// `$( )`, `$(( ))`, `${ }`: quotes and substitutions nest again.
    Substitution,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        lex(text)
            .toks
            .into_iter()
            .filter_map(|t| match t {
                Tok::Word(w) => Some(w),
                Tok::Op(o) => Some(format!("<{o}>")),
                Tok::Newline => Some("<nl>".into()),
                Tok::Line(..) => None,
            })
            .collect()
    }

    fn starts(text: &str) -> Vec<(usize, LineStart)> {
        lex(text)
            .toks
            .into_iter()
            .filter_map(|t| match t {
                Tok::Line(l, s) => Some((l, s)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn words_quotes_and_operators() {
        assert_eq!(
            words("[ -z \"$PS1\" ] && return # not interactive\n"),
            ["[", "-z", "\"$PS1\"", "]", "<&&>", "return", "<nl>"]
        );
        assert_eq!(
            words("echo 'a return; b' \"x $(echo ')') y\" `b`;x=$((1+(2)))"),
            [
                "echo",
                "'a return; b'",
                "\"x $(echo ')') y\"",
                "`b`",
                "<;>",
                "x=$((1+(2)))"
            ]
        );
        assert_eq!(
            words("f() { :; }"),
            ["f", "<(>", "<)>", "{", ":", "<;>", "}"]
        );
        assert_eq!(words("f () {"), ["f", "<(>", "<)>", "{"]);
        assert_eq!(words("a=(x y) @(a|b) *(N)"), ["a=(x y)", "@(a|b)", "*(N)"]);
        assert_eq!(words("(cd x)"), ["<(>", "cd", "x", "<)>"]);
        assert_eq!(
            words("cmd 2>&1 >>log"),
            ["cmd", "2", "<>&>", "1", "<>>>", "log"]
        );
        assert_eq!(
            words("case $- in *i*) ;; esac"),
            ["case", "$-", "in", "*i*", "<)>", "<;;>", "esac"]
        );
        assert_eq!(words("diff <(a) >(b)"), ["diff", "<(a)", ">(b)"]);
        assert_eq!(words("echo ${x:-}}"), ["echo", "${x:-}}"]);
    }

    #[test]
    fn lines_inside_strings_and_here_documents() {
        let text = "cat <<'EOF'\nreturn\nEOF\necho 'a\nb'\nx=\"$(\n)\"\ny \\\nz\n";
        assert_eq!(
            words(text),
            [
                "cat",
                "<<<>",
                "'EOF'",
                "<nl>",
                "echo",
                "'a\nb'",
                "<nl>",
                "x=\"$(\n)\"",
                "<nl>",
                "y",
                "z",
                "<nl>"
            ]
        );
        assert_eq!(
            starts(text),
            [
                (0, LineStart::Code),
                (1, LineStart::HereDoc(1)),
                (2, LineStart::HereDoc(1)),
                (3, LineStart::Code),
                (4, LineStart::Quote(4)),
                (5, LineStart::Code),
                (6, LineStart::Substitution(6)),
                (7, LineStart::Code),
                (8, LineStart::Continuation),
                (9, LineStart::Code),
            ]
        );
        assert!(lex(text).trouble.is_none());
        // `<<-` strips tabs from the delimiter line.
        let t = lex("cat <<-END\n\tx\n\tEND\nreturn\n");
        assert!(t.trouble.is_none());
        assert!(t.toks.contains(&Tok::Line(3, LineStart::Code)));
    }

    #[test]
    fn unclosed_things_are_trouble() {
        for (text, line, what) in [
            ("a\necho 'open\n", 2, "quoted string"),
            ("cat <<EOF\nx\n", 1, "here-document"),
            ("x=$(\n", 1, "never closed"),
            ("echo \"a\n", 1, "quoted string"),
        ] {
            let t = lex(text).trouble.unwrap_or_else(|| panic!("{text:?}"));
            assert_eq!(t.line, line, "{text:?}");
            assert!(t.what.contains(what), "{text:?}: {}", t.what);
        }
    }
}
