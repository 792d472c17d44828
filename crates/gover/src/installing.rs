//! The release index, mirror client and installer every command that
//! downloads uses, configured from the settings.

use std::time::Duration;

use anyhow::Result;
use gover_dist::extract::Limits;
use gover_dist::http::HttpConfig;
use gover_dist::install::Installer;
use gover_dist::source::{Dist, Sources, DEFAULT_INDEX_TTL};
use gover_dist::Platform;

use crate::app::App;
use crate::error::{user_error, UserError};

/// Tuning knobs read from the environment, for tests and unusual setups;
/// they are not part of the documented interface.
mod knobs {
    /// Seconds a cached release index is used before revalidating (default 600).
    pub(super) const INDEX_TTL: &str = "GOVER_INDEX_TTL";
    /// Retries of a failed request (default 3).
    pub(super) const HTTP_RETRIES: &str = "GOVER_HTTP_RETRIES";
    /// First pause between retries in milliseconds, doubling (default 500).
    pub(super) const HTTP_BACKOFF_MS: &str = "GOVER_HTTP_BACKOFF_MS";
    /// Cap on the bytes an archive may unpack to (default 2 GiB).
    pub(super) const MAX_UNPACKED_BYTES: &str = "GOVER_MAX_UNPACKED_BYTES";
    /// Cap on the entries of an archive (default 100,000).
    pub(super) const MAX_ENTRIES: &str = "GOVER_MAX_ENTRIES";
    /// Threads creating files while unpacking (default: cores, at most 3; 0: none).
    pub(super) const UNPACK_WRITERS: &str = "GOVER_UNPACK_WRITERS";
}

fn knob(name: &str) -> Result<Option<u64>> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| UserError::new(format!("{name}={v} is not a whole number")).into()),
        _ => Ok(None),
    }
}

/// The release index and mirror client for this invocation.
pub(crate) fn dist(app: &App) -> Result<Dist> {
    let s = &app.settings;
    let ttl = knob(knobs::INDEX_TTL)?.map_or(DEFAULT_INDEX_TTL, Duration::from_secs);
    let defaults = HttpConfig::default();
    let http = HttpConfig {
        timeout: s.http_timeout,
        retries: knob(knobs::HTTP_RETRIES)?.map_or(defaults.retries, |r| r as u32),
        backoff: knob(knobs::HTTP_BACKOFF_MS)?.map_or(defaults.backoff, Duration::from_millis),
    };
    Ok(Dist::new(
        app.home.clone(),
        Sources {
            index_url: s.index_url.clone(),
            mirror: s.mirror.clone(),
            offline: s.offline,
            index_ttl: ttl,
            http,
        },
    ))
}

/// An installer with the configured lock timeout and extraction caps.
pub(crate) fn installer<'a>(app: &App, dist: &'a Dist) -> Result<Installer<'a>> {
    let mut i = Installer::new(dist);
    i.lock_timeout = app.settings.lock_timeout;
    let d = Limits::default();
    i.limits = Limits {
        max_unpacked_bytes: knob(knobs::MAX_UNPACKED_BYTES)?.unwrap_or(d.max_unpacked_bytes),
        max_entries: knob(knobs::MAX_ENTRIES)?.unwrap_or(d.max_entries),
    };
    if let Some(w) = knob(knobs::UNPACK_WRITERS)? {
        i.pipeline.writers = w as usize;
    }
    Ok(i)
}

/// The platform to install for: `--platform`, else this machine.
pub(crate) fn platform(arg: Option<&str>) -> Result<Platform> {
    match arg {
        Some(p) => Platform::parse(p).map_err(user_error),
        None => Ok(Platform::host()),
    }
}
