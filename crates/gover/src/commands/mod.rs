//! One module per command; each exposes `run(&App, &Args)`.

pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod current;
pub(crate) mod env;
pub(crate) mod exec;
pub(crate) mod install;
pub(crate) mod link;
pub(crate) mod list;
pub(crate) mod mirror;
pub(crate) mod outdated;
pub(crate) mod overview;
pub(crate) mod prune;
pub(crate) mod self_update;
pub(crate) mod setup;
pub(crate) mod store;
pub(crate) mod uninstall;
pub(crate) mod upgrade;
pub(crate) mod use_;
pub(crate) mod verify;
pub(crate) mod which;
