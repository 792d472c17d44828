//! The release index, mirror client and installer every command that
//! downloads uses, configured from the settings.

use std::time::Duration;

use anyhow::Result;
use gover_core::env;
use gover_core::url::Url;
use gover_dist::extract::Limits;
use gover_dist::http::HttpConfig;
use gover_dist::install::Installer;
use gover_dist::source::{Dist, Sources, DEFAULT_INDEX_TTL, DEFAULT_MAX_INDEX_BYTES};
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

/// `value` of the setting `var` (`key` in config.toml) as a URL.
fn url_setting(value: &str, var: &str, key: &str) -> Result<Url> {
    Url::parse(value).map_err(|e| {
        UserError::new(format!("{var} (or `{key}` in config.toml): {e}"))
            .hint(format!(
                "set {var} to an https://, http:// or file:///abs/path URL"
            ))
            .into()
    })
}

/// The release index and mirror client for this invocation.
pub(crate) fn dist(app: &App) -> Result<Dist> {
    let s = &app.settings;
    let ttl = knob(knobs::INDEX_TTL)?.map_or(DEFAULT_INDEX_TTL, Duration::from_secs);
    let d = HttpConfig::default();
    let http = HttpConfig {
        timeout: s.http_timeout,
        retries: knob(knobs::HTTP_RETRIES)?.map_or(d.retries, |r| r.min(100) as u32),
        backoff: knob(knobs::HTTP_BACKOFF_MS)?.map_or(d.backoff, Duration::from_millis),
        min_rate: knob(env::GOVER_DOWNLOAD_MIN_RATE)?.unwrap_or(d.min_rate),
        low_speed_limit: knob(env::GOVER_DOWNLOAD_LOW_SPEED_LIMIT)?.unwrap_or(d.low_speed_limit),
        low_speed_time: knob(env::GOVER_DOWNLOAD_LOW_SPEED_TIME)?
            .map_or(d.low_speed_time, Duration::from_secs),
        allow_insecure_redirects: knob(env::GOVER_ALLOW_INSECURE_REDIRECTS)?
            .is_some_and(|v| v != 0),
    };
    Ok(Dist::new(
        app.home.clone(),
        Sources {
            index_url: url_setting(&s.index_url, env::GOVER_INDEX_URL, "index_url")?,
            mirror: url_setting(&s.mirror, env::GOVER_MIRROR, "mirror")?,
            offline: s.offline,
            index_ttl: ttl,
            max_index_bytes: knob(env::GOVER_MAX_INDEX_BYTES)?.unwrap_or(DEFAULT_MAX_INDEX_BYTES),
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
