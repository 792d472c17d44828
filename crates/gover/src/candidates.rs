//! What shell completion offers for gover's arguments beyond commands and
//! flags: the installed versions (`use`, `uninstall`, `exec`, `env`), the
//! released ones from the cached release index (`install`; never the
//! network), the tools in the toolchains' `bin` (`which`), the names
//! `gover link` registered (`unlink`). Only names a shell takes as they are
//! are offered.
//!
//! Each function here is attached to an argument in `cli.rs` and runs only
//! when the shell asks for candidates (`commands::completions`). Every
//! failure (no home, a broken config, no cached index) means fewer
//! candidates, never an error: completion must stay quick and quiet.

use std::collections::BTreeSet;

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use gover_core::settings::Settings;
use gover_core::{GoVersion, GoverHome};
use gover_dist::source::{Dist, Sources};
use gover_dist::Index;

/// Installed versions, newest first.
pub(crate) fn installed() -> ArgValueCandidates {
    ArgValueCandidates::new(|| installed_versions().iter().map(version).collect::<Vec<_>>())
}

/// What a pin may name: installed versions, linked custom toolchains,
/// then `latest`, `stable` and `system`.
pub(crate) fn pinnable() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let mut out: Vec<CompletionCandidate> = installed_versions().iter().map(version).collect();
        out.extend(linked_names().into_iter().map(CompletionCandidate::new));
        out.extend(keywords());
        out
    })
}

/// Released versions from the cached index (stable ones, then the
/// newest pre-releases), with each minor line (`1.22`) and `latest`; the
/// installed versions when no index is cached.
pub(crate) fn released() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let home = GoverHome::from_env().ok();
        let index = home.as_ref().and_then(|h| {
            let settings = Settings::load(h, true).ok()?;
            cached_index(h, &settings)
        });
        let mut out = match index {
            Some(index) => released_versions(&index),
            None => installed_versions().iter().map(version).collect(),
        };
        out.push(CompletionCandidate::new("latest").help(Some("the newest stable release".into())));
        out
    })
}

/// The custom toolchains `gover link` registered (`$GOVER_HOME/links`).
pub(crate) fn linked() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        linked_names()
            .into_iter()
            .map(CompletionCandidate::new)
            .collect::<Vec<_>>()
    })
}

/// The names in `$GOVER_HOME/links`, sorted; none when it cannot be read.
fn linked_names() -> Vec<String> {
    let Some(rd) = GoverHome::from_env()
        .ok()
        .and_then(|h| std::fs::read_dir(h.links_dir()).ok())
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| shell_safe(n))
        .collect();
    names.sort();
    names
}

/// A name a shell can take as it is: plain letters, digits, `.`, `_`,
/// `+`, `-`, and not hidden.
fn shell_safe(n: &str) -> bool {
    gover_core::fs::is_plain_file_name(n)
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
}

/// Tool names: the files in the installed toolchains' `bin` directories.
pub(crate) fn tools() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let Ok(home) = GoverHome::from_env() else {
            return Vec::new();
        };
        let mut names = BTreeSet::new();
        for v in installed_versions() {
            let Ok(rd) = std::fs::read_dir(home.toolchain_dir(&v).join("bin")) else {
                continue;
            };
            for e in rd.flatten() {
                // Only names a shell can take as they are.
                let plain = |n: &&str| {
                    gover_core::fs::is_plain_file_name(n)
                        && n.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
                };
                if let Some(n) = e.file_name().to_str().filter(plain) {
                    names.insert(n.to_string());
                }
            }
        }
        names
            .into_iter()
            .map(CompletionCandidate::new)
            .collect::<Vec<_>>()
    })
}

/// Installed versions, newest first; none when the home cannot be read.
fn installed_versions() -> Vec<GoVersion> {
    GoverHome::from_env()
        .ok()
        .and_then(|h| h.installed().ok())
        .unwrap_or_default()
}

fn version(v: &GoVersion) -> CompletionCandidate {
    CompletionCandidate::new(v.to_string())
}

fn keywords() -> [CompletionCandidate; 3] {
    let c = |name: &'static str, help: &'static str| {
        CompletionCandidate::new(name).help(Some(help.into()))
    };
    [
        c("latest", "the newest stable release"),
        c("stable", "the newest stable release"),
        c("system", "the go on PATH that is not gover's"),
    ]
}

/// The index's versions: every stable release and its minor line, then
/// the pre-releases newer than the newest stable one.
fn released_versions(index: &Index) -> Vec<CompletionCandidate> {
    let newest_stable = index.releases.iter().find(|r| r.stable).map(|r| &r.version);
    let mut lines = BTreeSet::new();
    let mut out = Vec::new();
    for r in &index.releases {
        let v = &r.version;
        if !r.stable {
            if newest_stable.is_none_or(|s| v > s) {
                out.push(version(v).help(Some("pre-release".into())));
            }
            continue;
        }
        let line = format!("{}.{}", v.major(), v.minor());
        if lines.insert(line.clone()) {
            out.push(CompletionCandidate::new(line).help(Some(
                format!("the newest {}.{}.x", v.major(), v.minor()).into(),
            )));
        }
        out.push(version(v));
    }
    out
}

/// The cached release index (or a local index file), never the network:
/// `None` when there is none, it cannot be parsed, or a local index is
/// not a regular file (a FIFO would block).
pub(crate) fn cached_index(home: &GoverHome, settings: &Settings) -> Option<Index> {
    let local = settings.index_url.value.file_path();
    if local.is_some_and(|p| !p.is_file()) {
        return None;
    }
    let dist = Dist::new(
        home.clone(),
        Sources {
            index_url: settings.index_url.value.clone(),
            mirror: settings.mirror.value.clone(),
            offline: true,
            ..Sources::default()
        },
    );
    dist.cached_index()
}
