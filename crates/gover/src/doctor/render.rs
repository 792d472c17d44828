//! Findings as people read them (grouped, with `why:` and `fix:` lines and
//! a summary) and as JSON. Every text is made safe for a terminal first:
//! control characters from file and directory names are escaped.

use anyhow::Result;
use gover_core::text::escape;

use super::model::{Finding, Severity};
use crate::output::{style, Paint};

/// `s` with everything that could act on a terminal escaped, keeping the
/// line breaks gover itself puts between the lines of a fix.
fn safe(s: &str) -> String {
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// The findings with their texts made safe.
pub(crate) fn sanitized(findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| Finding {
            message: safe(&f.message),
            why: f.why.as_deref().map(safe),
            fix: f.fix.as_deref().map(safe),
            ..f.clone()
        })
        .collect()
}

fn indent(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The findings as people read them: grouped ok, warnings, problems, with
/// `why:` and `fix:` lines, then a summary; `paint` colours the headings,
/// the ids and the labels (never the texts, which are escaped first).
pub(crate) fn text(findings: &[Finding], quiet: bool, paint: Paint) -> String {
    let findings = sanitized(findings);
    let mut s = String::new();
    for (sev, title, colour) in [
        (Severity::Ok, "ok:", style::GOOD),
        (Severity::Warning, "warnings:", style::WARNING),
        (Severity::Problem, "problems:", style::ERROR),
    ] {
        let items: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if (quiet && sev == Severity::Ok) || items.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&format!("{}\n", paint.paint(colour, title)));
        for f in items {
            let id = paint.paint(style::EMPHASIS, format!("{}:", f.id));
            s.push_str(&format!("  {id} {}\n", indent(&f.message, 4)));
            if let Some(w) = &f.why {
                let why = paint.paint(style::DIM, "why:");
                s.push_str(&format!("      {why} {}\n", indent(w, 11)));
            }
            if let Some(x) = &f.fix {
                let fix = paint.paint(style::HINT, "fix:");
                s.push_str(&format!("      {fix} {}\n", indent(x, 11)));
            }
        }
    }
    let count = |sev| findings.iter().filter(|f| f.severity == sev).count();
    let (problems, warnings) = (count(Severity::Problem), count(Severity::Warning));
    if !s.is_empty() {
        s.push('\n');
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if problems == 0 {
        s.push_str(&format!(
            "{} ({}).\n",
            paint.paint(style::GOOD, "No problems found"),
            plural(warnings, "warning")
        ));
    } else {
        s.push_str(&format!(
            "{}, {}: apply the fixes above, then run `gover doctor` again.\n",
            plural(problems, "problem"),
            plural(warnings, "warning")
        ));
    }
    s
}

/// The findings as a JSON array of `{id, severity, message, why, fix}`.
pub(crate) fn json(findings: &[Finding]) -> Result<String> {
    Ok(serde_json::to_string_pretty(&sanitized(findings))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::id::FindingId;

    #[test]
    fn nothing_reaches_the_terminal_raw() {
        let f = Finding::problem(
            FindingId::ToolchainUnknownEntry,
            "toolchains/go1\u{1b}]0;pwned\u{7} is odd",
        )
        .fix("`rm -rf 'go1\u{1b}[2J'`\nor keep it");
        let t = text(std::slice::from_ref(&f), false, Paint::default());
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        // Painted, the only escape codes are gover's own around the labels.
        let painted = text(std::slice::from_ref(&f), false, Paint::ANSI);
        assert_eq!(anstream::adapter::strip_str(&painted).to_string(), t);
        assert!(
            painted.contains("go1\\u{1b}]0;pwned\\u{7} is odd"),
            "{painted:?}"
        );
        assert!(t.contains("go1\\u{1b}]0;pwned\\u{7} is odd"), "{t}");
        assert!(t.contains("\n           or keep it"), "{t}");
        let j = json(&[f]).unwrap();
        assert!(!j.contains('\u{1b}') && !j.contains("\\u001b"), "{j}");
    }
}
