//! docs/reference.md cannot drift from the program: every command, its
//! usage line, flags, possible values and examples (from `gover <cmd>
//! --help`), every `--json` field list (checked against what the command
//! really prints), every environment variable gover's code reads, every
//! `config.toml` key and every finding `gover doctor` can report must be
//! documented there, and everything documented there must exist. Also
//! checks that install.md's completion recipes work as written.

use crate::support;

/// doctor's `FindingId`, the very file the program is built from.
#[allow(dead_code, unreachable_pub)]
#[path = "../crates/gover/src/doctor/id.rs"]
mod finding_id;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{gover_bin, run};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(rel: &str) -> String {
    fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn reference() -> String {
    read("docs/reference.md")
}

/// `gover ARGS...` output (must succeed).
fn gover(args: &[&str]) -> String {
    let mut c = Command::new(gover_bin());
    c.args(args).env("COLUMNS", "200");
    run(&mut c).success().stdout
}

/// The lines of a help section (`Commands:`, `Options:`, `Arguments:`).
fn help_section<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line == title {
            inside = true;
            continue;
        }
        if inside {
            if !line.is_empty() && !line.starts_with(' ') {
                break;
            }
            out.push(line);
        }
    }
    out
}

/// The commands `gover --help` lists (without `help`).
fn commands() -> Vec<String> {
    let help = gover(&["--help"]);
    let cmds: Vec<String> = help_section(&help, "Commands:")
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(cmds.len() >= 10, "parsed too few commands from\n{help}");
    cmds
}

/// The long flags in the `Options:` section (a command's own flags).
fn long_flags(help: &str) -> BTreeSet<String> {
    long_flags_in(help, "Options:")
}

/// The long flags in the section `title` of a help text.
fn long_flags_in(help: &str, title: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in help_section(help, title) {
        let t = line.trim_start();
        if !t.starts_with('-') {
            continue;
        }
        let spec = t.split("  ").next().unwrap_or(t);
        for word in spec.split([' ', ',']) {
            if let Some(f) = word.strip_prefix("--") {
                let name: String = f
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if !name.is_empty() {
                    out.insert(format!("--{name}"));
                }
            }
        }
    }
    out
}

/// `- value: description` lines under `Possible values:` (long help).
fn possible_values(help: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut inside = false;
    for line in help.lines() {
        let t = line.trim();
        if t == "Possible values:" {
            inside = true;
            continue;
        }
        if inside {
            match t.strip_prefix("- ").and_then(|r| r.split(':').next()) {
                Some(v) => {
                    out.insert(v.to_string());
                }
                None => inside = false,
            }
        }
    }
    out
}

const GLOBAL: &[&str] = &[
    "--quiet",
    "--verbose",
    "--offline",
    "--color",
    "--help",
    "--version",
];

/// The commands of the `Examples:` section of a help text: each line's
/// text up to the two spaces before its description.
fn examples(help: &str) -> Vec<String> {
    help_section(help, "Examples:")
        .iter()
        .filter_map(|l| l.strip_prefix("  "))
        .map(|l| l.split("  ").next().unwrap_or(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The text of a section of the reference from `heading` to the next
/// heading of the same or a higher level (outside code blocks).
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(&format!("\n{heading}\n"))? + 1;
    let level = heading.chars().take_while(|c| *c == '#').count();
    let rest = &doc[start + heading.len()..];
    let mut end = rest.len();
    let mut offset = 0;
    let mut in_code = false;
    for line in rest.split_inclusive('\n') {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !in_code && hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
            end = offset;
            break;
        }
        offset += line.len();
    }
    Some(&rest[..end])
}

/// The first cell of each table row of `text` that is a backticked name
/// starting with `prefix`: `| \`--force\` | ...` gives `--force`.
fn table_names(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let Some(cell) = line.strip_prefix("| ").and_then(|l| l.split(" |").next()) else {
            continue;
        };
        for part in cell.split(", ") {
            if let Some(name) = part.strip_prefix('`').and_then(|p| p.split('`').next()) {
                let name = name.split(' ').next().unwrap_or(name);
                if name.starts_with(prefix) {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

/// The reference section `sec` (under `heading`) shows the usage line of
/// `help`, a flags table naming exactly its long flags (the global ones
/// aside), each of its possible values and each of its examples; and the
/// help lists the global flags apart, under `Global options:`.
fn check_command_section(heading: &str, sec: &str, help: &str) {
    let global: BTreeSet<String> = GLOBAL.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        long_flags_in(help, "Global options:"),
        global,
        "`{heading}`: --help must list the global flags under `Global options:`"
    );
    let ex = examples(help);
    assert!(
        !ex.is_empty(),
        "`{heading}`: --help has no `Examples:` section"
    );
    for e in ex {
        assert!(
            sec.contains(&e),
            "the `{heading}` section must show the example `{e}` of its --help"
        );
    }
    let usage = help
        .lines()
        .find(|l| l.starts_with("Usage: "))
        .expect("a usage line");
    assert!(
        sec.contains(usage),
        "the `{heading}` section must show `{usage}` exactly (the program's usage line)"
    );
    let flags: BTreeSet<String> = long_flags(help)
        .into_iter()
        .filter(|f| !GLOBAL.contains(&f.as_str()))
        .collect();
    let documented = table_names(sec, "--");
    assert_eq!(
        documented, flags,
        "the flags table of `{heading}` (left) differs from the program's --help (right)"
    );
    for v in possible_values(help) {
        assert!(
            sec.contains(&format!("`{v}`")),
            "`{heading}`: possible value `{v}` is not documented"
        );
    }
}

#[test]
fn every_command_is_documented_with_its_usage_flags_and_values() {
    let doc = reference();
    let cmds = commands();
    for cmd in &cmds {
        let heading = format!("### `gover {cmd}`");
        let sec = section(&doc, &heading)
            .unwrap_or_else(|| panic!("docs/reference.md has no `{heading}` section"));
        let help = gover(&[cmd, "--help"]);
        // Subcommands (`gover self update`) have a `####` section each,
        // checked the same way; the command's own part ends at the first.
        let sec = sec.split("\n#### ").next().unwrap_or(sec);
        for sub in help_section(&help, "Commands:")
            .iter()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
        {
            let sub_heading = format!("#### `gover {cmd} {sub}`");
            let sub_sec = section(&doc, &sub_heading)
                .unwrap_or_else(|| panic!("docs/reference.md has no `{sub_heading}` section"));
            check_command_section(&sub_heading, sub_sec, &gover(&[cmd, sub, "--help"]));
        }
        check_command_section(&heading, sec, &help);
    }
    // And nothing documented that does not exist.
    for line in doc.lines() {
        if let Some(rest) = line.strip_prefix("### `gover ") {
            let name = rest.trim_end_matches('`');
            assert!(
                cmds.iter().any(|c| c == name),
                "docs/reference.md documents `gover {name}`, which is not a command"
            );
        }
    }
}

#[test]
fn global_options_are_documented() {
    let doc = reference();
    let sec = section(&doc, "## Global options").expect("a Global options section");
    let help = gover(&["--help"]);
    let flags = long_flags_in(&help, "Global options:");
    assert_eq!(
        flags,
        GLOBAL.iter().map(|s| s.to_string()).collect(),
        "gover's global flags changed: update GLOBAL here and the reference"
    );
    assert!(
        long_flags(&help).is_empty(),
        "`gover --help` lists flags outside `Global options:`"
    );
    for e in examples(&help) {
        assert!(
            doc.contains(&e),
            "the reference must show `gover --help`'s example `{e}`"
        );
    }
    assert_eq!(table_names(sec, "--"), flags);
    for short in ["-q", "-v", "-h", "-V"] {
        assert!(
            sec.contains(&format!("`{short}`")),
            "{short} is not documented"
        );
    }
}

/// Every string literal in gover's sources that looks like an environment
/// variable (`"GOVER_HOME"`, `"SSL_CERT_FILE"`).
fn env_literals() -> BTreeSet<String> {
    let mut files = Vec::new();
    for dir in [
        "crates/gover/src",
        "crates/gover-core/src",
        "crates/gover-dist/src",
        "shims/src",
    ] {
        collect_rs(&repo().join(dir), &mut files);
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let looks_like_var = piece.len() >= 3
                && piece.starts_with(|c: char| c.is_ascii_uppercase())
                && piece
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if looks_like_var {
                out.insert(piece.to_string());
            }
        }
    }
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Uppercase literals that are not environment variables.
const NOT_VARIABLES: &[&str] = &[
    "VERSION",           // the go/VERSION file, and a gover release's
    "SHA256SUMS",        // a gover release's checksum file
    "HEX",               // --sha256's value name
    "FILE",              // --from's value name
    "CMD",               // exec's value name
    "WHEN",              // --color's value name
    "CARGO_PKG_VERSION", // read at compile time
    "PS1",               // searched for in ~/.bashrc, not read
    "FIFO",              // a kind of file, in messages
    "EOF",               // a here-document's end, in shell-syntax tests
    "END",               // the same
    "SIGINT",            // a signal's name, in messages
    "SIGTERM",           // the same
    "FAILED",            // `gover verify`'s status word
];

#[test]
fn every_environment_variable_is_documented_and_every_documented_one_exists() {
    let doc = reference();
    let vars_sec =
        section(&doc, "## Environment variables").expect("an Environment variables section");
    let documented = table_names(vars_sec, "");

    // The constants of crates/gover-core/src/env.rs.
    let env_rs = read("crates/gover-core/src/env.rs");
    let consts: Vec<&str> = env_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    assert!(consts.len() >= 10, "parsed too few constants from env.rs");
    for c in &consts {
        assert!(
            documented.contains(*c),
            "env.rs's {c} is not in the reference's variable tables"
        );
    }
    // Every variable-like literal in the sources.
    for v in env_literals() {
        if NOT_VARIABLES.contains(&v.as_str()) {
            continue;
        }
        assert!(
            documented.contains(&v),
            "the code reads or sets {v}, which the reference's variable tables do not document"
        );
    }
    // Every GOVER_* name anywhere in the docs exists in the code or scripts.
    let mut sources = String::new();
    let mut files = Vec::new();
    for dir in ["crates", "shims"] {
        collect_rs(&repo().join(dir), &mut files);
    }
    for f in files {
        sources.push_str(&fs::read_to_string(f).unwrap());
    }
    // Scripts and benchmark drivers read their own GOVER_* knobs.
    for dir in ["scripts", "bench"] {
        for s in fs::read_dir(repo().join(dir)).unwrap() {
            sources.push_str(&fs::read_to_string(s.unwrap().path()).unwrap_or_default());
        }
    }
    for entry in fs::read_dir(repo().join("docs")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = fs::read_to_string(&p).unwrap();
        for (i, _) in text.match_indices("GOVER_") {
            let name: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            assert!(
                sources.contains(&format!("\"{name}\""))
                    || sources.contains(&format!("{name}="))
                    || sources.contains(&format!("{{{name}")),
                "{} mentions {name}, which gover does not read",
                p.display()
            );
        }
    }
}

#[test]
fn every_config_key_is_documented_and_every_documented_one_exists() {
    let doc = reference();
    let sec = section(&doc, "## config.toml").expect("a config.toml section");
    let documented = table_names(sec, "");
    let keys: BTreeSet<String> = gover_core::config::KEYS
        .iter()
        .map(|(k, _)| k.to_string())
        .collect();
    assert_eq!(
        documented, keys,
        "config.toml keys: reference (left) vs config::KEYS (right)"
    );
    // The example parses and sets every key.
    let example = sec
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a toml example");
    let parsed = gover_core::config::Config::parse(example).expect("the example parses");
    assert_eq!(
        parsed.keys().map(str::to_string).collect::<BTreeSet<_>>(),
        keys
    );
}

#[test]
fn every_doctor_finding_is_documented_and_every_documented_one_exists() {
    let doc = reference();
    let sec = section(&doc, "### `gover doctor`").expect("a `gover doctor` section");
    let documented: BTreeSet<String> = table_names(sec, "")
        .into_iter()
        .filter(|n| !n.starts_with('-'))
        .collect();
    let ids: BTreeSet<String> = finding_id::FindingId::ALL
        .iter()
        .map(|i| i.as_str().to_string())
        .collect();
    let undocumented: Vec<&String> = ids.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&ids).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "doctor's checks table in docs/reference.md lacks {undocumented:?} and documents {unknown:?}, which doctor does not report"
    );
}

/// GitHub's anchors for the headings of a Markdown text: lowercase,
/// punctuation dropped (but `-` and `_`), spaces as `-`; code blocks skipped.
fn slugs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        out.insert(slug);
    }
    out
}

#[test]
fn docs_index_links_every_page_and_every_link_resolves() {
    let index = read("docs/README.md");
    let readme = read("README.md");
    assert!(
        readme.contains("docs/README.md"),
        "README.md must link docs/README.md"
    );
    for entry in fs::read_dir(repo().join("docs")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.extension().is_some_and(|x| x == "md") && name != "README.md" {
            assert!(
                index.contains(&format!("({name})")),
                "docs/README.md does not link {name}"
            );
        }
    }
    // Relative links between the docs point at files that exist.
    for entry in fs::read_dir(repo().join("docs")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = fs::read_to_string(&p).unwrap();
        for (i, _) in text.match_indices("](") {
            let target: String = text[i + 2..].chars().take_while(|c| *c != ')').collect();
            if target.starts_with("http") {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let dest = if file.is_empty() {
                p.clone()
            } else {
                p.parent().unwrap().join(file)
            };
            assert!(
                dest.exists(),
                "{} links to {target}, which does not exist",
                p.display()
            );
            if let (Some((_, anchor)), true) = (
                target.split_once('#'),
                file.ends_with(".md") || file.is_empty(),
            ) {
                let text = fs::read_to_string(&dest).unwrap();
                assert!(
                    slugs(&text).contains(anchor),
                    "{} links to {target}, but {} has no such heading",
                    p.display(),
                    dest.display()
                );
            }
        }
    }
}

#[test]
fn ci_doc_shows_the_tested_examples_verbatim() {
    let ci = read("docs/ci.md");
    let blocks: Vec<&str> = ci
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| b.split_once('\n').map_or("", |(_, body)| body))
        .collect();
    for name in ["github-actions.yml", "gitlab-ci.yml", "Makefile"] {
        let file = read(&format!("docs/examples/{name}"));
        // The file without its leading comment header.
        let body: String = file
            .lines()
            .skip_while(|l| l.starts_with('#') || l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        let body = if name == "Makefile" {
            // The Makefile's header is followed by commented code worth showing.
            file.split_once("\n\n")
                .map_or(file.clone(), |(_, rest)| rest.to_string())
        } else {
            body
        };
        assert!(
            blocks.contains(&body.as_str()),
            "docs/ci.md must show docs/examples/{name} (without its header) verbatim:\n{body}"
        );
    }
}

/// The JSON field list a `--help` text gives for `--json` after `prefix`
/// (`{"version","path"}` or `[{"id","fix"}]`): the names, in order.
fn help_fields(help: &str, prefix: &str) -> Vec<String> {
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let at = flat
        .find(prefix)
        .unwrap_or_else(|| panic!("no `{prefix}` in\n{help}"));
    let list = flat[at + prefix.len()..].trim_start();
    let list = list.trim_start_matches('[').trim_start_matches('{');
    let list = &list[..list.find('}').expect("a closing brace")];
    list.split(',')
        .map(|f| f.trim_matches('"').to_string())
        .collect()
}

/// The keys of the first object of `json` (an object or an array of them).
fn json_keys(json: &str) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}):\n{json}"));
    let obj = match &v {
        serde_json::Value::Array(a) => a.first().expect("one item").clone(),
        other => other.clone(),
    };
    let mut keys: Vec<String> = obj
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn json_field_lists_say_what_the_commands_print() {
    let doc = reference();
    let mut env = support::TestEnv::new();
    env.install_fake("1.22.10");
    env.write("project/.go-version", "1.22.10\n");
    let mirror = support::mirror::Mirror::start();
    mirror.publish("1.22.10", support::archive::toolchain("1.22.10"));
    env.set("GOVER_INDEX_URL", mirror.index_url());
    env.set("GOVER_MIRROR", mirror.url());
    let out = |args: &[&str]| run(&mut env.gover(args)).stdout;
    for (cmd, prefix, args) in [
        ("current", "Print JSON:", &["current", "--json"][..]),
        ("list", "Print JSON:", &["list", "--json"]),
        ("list", "; with --remote:", &["list", "--remote", "--json"]),
        ("doctor", "Print JSON:", &["doctor", "--json"]),
    ] {
        let help = gover(&[cmd, "--help"]);
        let fields = help_fields(&help, prefix);
        assert_eq!(
            sorted(fields.clone()),
            json_keys(&out(args)),
            "`gover {cmd} --help` ({prefix}) vs what `gover {}` prints",
            args.join(" ")
        );
        let heading = format!("### `gover {cmd}`");
        let sec = section(&doc, &heading).unwrap();
        for f in &fields {
            assert!(
                sec.contains(&format!("`{f}`")) || sec.contains(&format!("\"{f}\"")),
                "the `{heading}` section does not document the JSON field `{f}`"
            );
        }
    }
    // Where nothing is pinned, `current --json` prints the failure object.
    let help = gover(&["current", "--help"]);
    let fields = help_fields(&help, "on failure (nothing pinned, a broken pin):");
    let unpinned = env.mkdir("unpinned");
    fs::remove_file(env.project.join(".go-version")).unwrap();
    let r = run(env.gover(["current", "--json"]).current_dir(&unpinned));
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(sorted(fields.clone()), json_keys(&r.stdout));
    let sec = section(&doc, "### `gover current`").unwrap();
    for f in &fields {
        assert!(
            sec.contains(&format!("\"{f}\"")),
            "`gover current` does not document `{f}`"
        );
    }
    env.write("project/.go-version", "1.22.10\n");
    // `current -v --json` adds `checked`, as its help says.
    let help = gover(&["current", "--help"]);
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("with -v also \"checked\")"), "{help}");
    assert!(json_keys(&out(&["current", "-v", "--json"])).contains(&"checked".to_string()));
}

#[test]
fn completion_scripts_ask_gover_and_the_bash_recipe_needs_no_package() {
    for shell in ["bash", "zsh", "fish"] {
        let script = gover(&["completions", shell]);
        assert!(
            script.contains("GOVER_COMPLETE"),
            "{shell}: the script does not ask gover:\n{script}"
        );
    }
    let r = run(Command::new(gover_bin()).args(["completions", "tcsh"])).failure();
    assert!(r.stderr.contains("tcsh"), "{r}");

    // install.md's bash recipe, run as written in a new HOME; then an
    // interactive bash that reads only that ~/.bashrc (not the system's,
    // so nothing of the bash-completion package) completes `gover doc`.
    let install = read("docs/install.md");
    let sec = section(&install, "## Shell completions").expect("a Shell completions section");
    let block = sec
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block");
    let bash_lines: Vec<&str> = block
        .lines()
        .skip_while(|l| !l.starts_with("# bash"))
        .skip(1)
        .take_while(|l| !l.starts_with("# zsh"))
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(bash_lines.len() >= 2, "no bash recipe in\n{block}");
    let env = support::TestEnv::new();
    let mut env = env;
    let bin = gover_bin();
    env.path = format!("{}:{}", bin.parent().unwrap().display(), env.path);
    let r = run(env.command("sh").args(["-c", &bash_lines.join("\n")])).success();
    assert_eq!(r.stderr, "", "{r}");
    let probe = "COMP_WORDS=(gover doc); COMP_CWORD=1; COMP_LINE='gover doc'; COMP_POINT=9; COMP_TYPE=9; f=$(complete -p gover | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p'); \"$f\" gover doc gover; printf '%s\\n' \"${COMPREPLY[@]}\"; type _init_completion >/dev/null 2>&1 && echo 'bash-completion is loaded'";
    let rc = env.home.join(".bashrc");
    let r = run(env
        .command("bash")
        .args(["--noprofile", "--rcfile"])
        .arg(&rc)
        .args(["-i", "-c", probe]));
    assert_eq!(r.stdout, "doctor\n", "bash completion of `gover doc`\n{r}");
}

#[test]
fn the_closed_networks_page_gives_settings_gover_accepts() {
    // Every `gover config set` the page shows (also the commented ones) is
    // run as written, in a new home: gover must accept each.
    let page = read("docs/closed-networks.md");
    let mut env = support::TestEnv::new();
    let bin = gover_bin();
    env.path = format!("{}:{}", bin.parent().unwrap().display(), env.path);
    let mut ran = 0;
    for block in page.split("```sh\n").skip(1) {
        let block = block.split("```").next().unwrap();
        for line in block.lines() {
            let line = line.trim_start_matches("# ");
            if !line.starts_with("gover config set") {
                continue;
            }
            let r = run(env.command("sh").args(["-c", line]));
            assert_eq!(r.code, 0, "docs/closed-networks.md: `{line}`\n{r}");
            ran += 1;
        }
    }
    assert!(ran >= 6, "only {ran} `gover config set` lines found");
    // The last ones set a file:// mirror: gover reads the result.
    let r = run(&mut env.gover(["config", "get", "index_url"])).success();
    assert_eq!(
        r.stdout, "https://go-mirror.corp.example/index.json\n",
        "{r}"
    );
}
