//! `gover verify`: hashes installed toolchains again and compares them
//! with what was recorded when they were installed (files changed since),
//! and, online, with Go's checksum database (files that are not what Go
//! published). Exit status for CI: 0 when every toolchain checked is
//! unchanged and matches the database (or could not be checked, as the
//! `verify` setting allows), 1 when one changed, does not match, has a
//! damaged record, the database misbehaved, or a required check could not
//! be made.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use gover_core::settings::VerifyPolicy;
use gover_core::{GoVersion, VersionRequest};
use gover_dist::error::Error;
use gover_dist::trust::{
    h1_of_tree, module_for, Attestation, Checker, NotChecked, Purpose, Verdict,
};
use gover_dist::verified::{self, Recorded, VerificationRecord};
use gover_dist::Platform;
use serde_json::{json, Value};

use crate::app::App;
use crate::cli::VerifyArgs;
use crate::error::{user_error, UserError};
use crate::installing::dist;
use crate::trusting::checker;

/// An installed toolchain to check.
struct Target {
    version: GoVersion,
    platform: Platform,
    path: PathBuf,
}

/// What the files are compared with the install record.
enum Files {
    /// The tree hashes as recorded.
    Unchanged,
    /// It does not: the recorded hash.
    Changed(String),
    /// No record (installed before gover kept them).
    NoRecord,
    /// The record is of an earlier install of the same version.
    Stale,
}

/// What the database said.
enum Db {
    Match(Attestation),
    NotChecked(NotChecked),
    Skipped(String),
    Failed(Error),
}

/// The outcome for one toolchain.
struct Report {
    target: Target,
    module: String,
    h1: Result<String, Error>,
    record: Result<Recorded, Error>,
    files: Option<Files>,
    db: Db,
    recorded_now: Option<Result<PathBuf, Error>>,
}

impl Report {
    fn ok(&self) -> bool {
        self.h1.is_ok()
            && self.record.is_ok()
            && !matches!(self.files, Some(Files::Changed(_)))
            && !matches!(self.db, Db::Failed(_))
            && !matches!(self.recorded_now, Some(Err(_)))
    }
}

pub(crate) fn run(app: &App, args: &VerifyArgs) -> Result<ExitCode> {
    let targets = targets(app, &args.versions)?;
    if targets.is_empty() {
        app.info("no Go toolchains are installed; nothing to verify");
        return Ok(ExitCode::SUCCESS);
    }
    let dist = dist(app)?;
    let checker = checker(app, &dist);
    let reports: Vec<Report> = targets
        .into_iter()
        .map(|t| check(app, &checker, t, args.record))
        .collect();
    if args.json {
        let items: Vec<Value> = reports.iter().map(to_json).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else {
        for r in &reports {
            print_report(app, r);
        }
    }
    let failed = reports.iter().filter(|r| !r.ok()).count();
    if failed > 0 {
        return Err(UserError::new(format!(
            "{failed} of {} toolchains failed verification (see above)",
            reports.len()
        ))
        .hint("a toolchain whose files changed or do not match the checksum database should be reinstalled (`gover install --force VERSION`); a security error is evidence to keep and report")
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The installed toolchains `requests` name (every one without any).
fn targets(app: &App, requests: &[String]) -> Result<Vec<Target>> {
    let native = app.home.installed().map_err(|e| {
        UserError::new(format!(
            "cannot list {}: {e}",
            app.home.toolchains_dir().display()
        ))
    })?;
    let mut all: Vec<Target> = native
        .into_iter()
        .map(|v| Target {
            path: app.home.toolchain_dir(&v),
            version: v,
            platform: Platform::host(),
        })
        .collect();
    all.extend(
        gover_dist::install::foreign_installed(&app.home)
            .into_iter()
            .map(|(platform, version, path)| Target {
                version,
                platform,
                path,
            }),
    );
    if requests.is_empty() {
        return Ok(all);
    }
    let mut picked: Vec<Target> = Vec::new();
    for text in requests {
        let req = VersionRequest::parse(text).map_err(|e| UserError::new(e.to_string()))?;
        let matching = |t: &Target| match &req {
            VersionRequest::Exact(v) => t.version == *v,
            VersionRequest::Line(l) => req.matches(&t.version) || l.same_line(&t.version),
            _ => false,
        };
        let before = picked.len();
        for t in all.iter().filter(|t| matching(t)) {
            if !picked.iter().any(|p| p.path == t.path) {
                picked.push(Target {
                    version: t.version.clone(),
                    platform: t.platform.clone(),
                    path: t.path.clone(),
                });
            }
        }
        if picked.len() == before && !all.iter().any(matching) {
            return Err(match &req {
                VersionRequest::Exact(v) | VersionRequest::Line(v) => {
                    user_error(gover_dist::install::not_installed(&app.home, v))
                }
                _ => UserError::new(format!("`{text}` does not name an installed toolchain"))
                    .hint("name a version, e.g. `gover verify 1.22.10`; `gover list` shows installed ones")
                    .into(),
            });
        }
    }
    Ok(picked)
}

/// Checks one toolchain (and records it with `record`).
fn check(app: &App, checker: &Checker<'_>, t: Target, record: bool) -> Report {
    let module = module_for(&t.version, &t.platform);
    let name = t.version.toolchain_name();
    let rec = verified::read(&app.home, &name, &t.platform, &t.path);
    let h1 = module
        .as_ref()
        .map_err(clone_error)
        .and_then(|m| h1_of_tree(&t.path, m, &|_| false));
    let files = match (&rec, &h1) {
        (Ok(Recorded::Current(r)), Ok(h)) if r.h1 == *h => Some(Files::Unchanged),
        (Ok(Recorded::Current(r)), Ok(_)) => Some(Files::Changed(r.h1.clone())),
        (Ok(Recorded::Stale(_)), _) => Some(Files::Stale),
        (Ok(Recorded::None), _) => Some(Files::NoRecord),
        _ => None,
    };
    let db = match &h1 {
        Err(_) => Db::Skipped("the tree could not be hashed".into()),
        Ok(h) => database(app, checker, &t, h),
    };
    let module = module.map(|m| m.to_string()).unwrap_or_default();
    let mut report = Report {
        target: t,
        module,
        h1,
        record: rec,
        files,
        db,
        recorded_now: None,
    };
    if record {
        report.recorded_now = record_now(app, &report);
    }
    report
}

/// The database's word on `h1`.
fn database(app: &App, checker: &Checker<'_>, t: &Target, h1: &str) -> Db {
    if let Some(VerifyPolicy::Off) = app.settings.verify.value {
        return Db::Skipped(format!("verify = \"off\" ({})", app.settings.verify.origin));
    }
    let from = t.path.display().to_string();
    let verdict = checker
        .expect(&t.version, &t.platform, Purpose::Installed)
        .and_then(|e| checker.check(&e, h1, &from));
    match verdict {
        Ok(Verdict::Verified(a)) => Db::Match(a),
        Ok(Verdict::Unchecked { why, .. }) => Db::NotChecked(why),
        Err(e) => Db::Failed(e),
    }
}

/// Writes a record for a toolchain that has none (or an earlier
/// install's) when nothing about it failed.
fn record_now(app: &App, r: &Report) -> Option<Result<PathBuf, Error>> {
    let (Ok(h1), Some(Files::NoRecord | Files::Stale)) = (&r.h1, &r.files) else {
        return None;
    };
    let verdict = match &r.db {
        Db::Match(a) => Verdict::Verified(a.clone()),
        Db::NotChecked(why) => Verdict::Unchecked {
            h1: h1.clone(),
            why: why.clone(),
            warn: false,
        },
        Db::Skipped(why) => Verdict::Unchecked {
            h1: h1.clone(),
            why: NotChecked::Unreachable(why.clone()),
            warn: false,
        },
        Db::Failed(_) => return None,
    };
    let t = &r.target;
    let rec = VerificationRecord::new(
        &t.version.toolchain_name(),
        &t.platform,
        &verdict,
        "recorded after install by `gover verify --record`",
        None,
        &r.module,
    );
    Some(verified::write(&app.home, &rec, &t.path))
}

fn clone_error(e: &Error) -> Error {
    let c = Error::new(e.kind(), e.to_string());
    match e.hint() {
        Some(h) => c.with_hint(h),
        None => c,
    }
}

/// The human report: one status line on stdout, details indented; the
/// errors (with their hints) on stderr.
fn print_report(app: &App, r: &Report) {
    let t = &r.target;
    let status = if r.ok() { "ok" } else { "FAILED" };
    println!("{} ({}): {status}", t.version.toolchain_name(), t.platform);
    match &r.h1 {
        Ok(h) => println!("  hash: {h}"),
        Err(e) => print_error(t, "cannot hash its files", e),
    }
    match (&r.record, &r.files) {
        (Err(e), _) => print_error(t, "its verification record", e),
        (_, Some(Files::Unchanged)) => println!("  files: unchanged since install"),
        (_, Some(Files::Changed(was))) => {
            println!("  files: CHANGED since install (recorded {was})");
            eprintln!(
                "error: {}: files were changed, added or removed after install: the tree hashes to {}, the install recorded {was}",
                t.version.toolchain_name(),
                r.h1.as_deref().unwrap_or("?")
            );
        }
        (_, Some(Files::NoRecord)) => println!(
            "  files: no record of the install (installed before gover kept verification records){}",
            offer(r)
        ),
        (_, Some(Files::Stale)) => println!(
            "  files: the record is of an earlier install of this version{}",
            offer(r)
        ),
        (_, None) => {}
    }
    match &r.db {
        Db::Match(a) => println!(
            "  database: matches {} (record {}, tree of {})",
            a.database, a.record_id, a.tree_size
        ),
        Db::NotChecked(why) => println!("  database: not checked: {why}"),
        Db::Skipped(why) => println!("  database: not checked: {why}"),
        Db::Failed(e) => {
            println!("  database: FAILED");
            print_error(t, "checking it against the checksum database", e);
        }
    }
    match &r.recorded_now {
        Some(Ok(file)) => app.info(format!("  recorded in {}", file.display())),
        Some(Err(e)) => print_error(t, "recording it", e),
        None => {}
    }
}

/// The offer to record a toolchain that has no record.
fn offer(r: &Report) -> &'static str {
    if r.recorded_now.is_some() {
        ""
    } else {
        "; `gover verify --record` records it"
    }
}

fn print_error(t: &Target, what: &str, e: &Error) {
    eprintln!("error: {} ({what}): {e}", t.version.toolchain_name());
    if let Some(h) = e.hint() {
        eprintln!("hint: {h}");
    }
}

fn error_json(e: &Error) -> Value {
    json!({ "kind": format!("{:?}", e.kind()), "message": e.to_string(), "hint": e.hint() })
}

/// One toolchain as `--json` prints it.
fn to_json(r: &Report) -> Value {
    let t = &r.target;
    let record = match &r.record {
        Ok(Recorded::Current(rec)) => {
            json!({ "state": "current", "h1": rec.h1, "how": rec.how().as_str(), "verified_at": rec.verified_at, "summary": rec.summary() })
        }
        Ok(Recorded::Stale(rec)) => json!({ "state": "stale", "h1": rec.h1 }),
        Ok(Recorded::None) => json!({ "state": "none" }),
        Err(e) => json!({ "state": "damaged", "error": error_json(e) }),
    };
    let files = match &r.files {
        Some(Files::Unchanged) => "unchanged",
        Some(Files::Changed(_)) => "changed",
        Some(Files::NoRecord) | Some(Files::Stale) | None => "unknown",
    };
    let database = match &r.db {
        Db::Match(a) => {
            json!({ "status": "match", "name": a.database, "record_id": a.record_id, "tree_size": a.tree_size, "h1": a.h1 })
        }
        Db::NotChecked(why) => json!({ "status": "not-checked", "reason": why.to_string() }),
        Db::Skipped(why) => json!({ "status": "not-checked", "reason": why }),
        Db::Failed(e) => json!({ "status": "failed", "error": error_json(e) }),
    };
    json!({
        "version": t.version.toolchain_name(),
        "platform": t.platform.to_string(),
        "path": t.path.display().to_string(),
        "module": r.module,
        "h1": r.h1.as_ref().ok(),
        "h1_error": r.h1.as_ref().err().map(error_json),
        "record": record,
        "files": files,
        "database": database,
        "recorded": match &r.recorded_now {
            Some(Ok(f)) => json!(f.display().to_string()),
            Some(Err(e)) => json!({ "error": error_json(e) }),
            None => Value::Null,
        },
        "ok": r.ok(),
    })
}
