//! `gover-core` owns Go's version model and the question "which Go runs
//! here?": the version grammar and ordering (an exact port of Go's
//! `internal/gover`), version requests (`1.22`, `latest`, `system`), pin files
//! (`.go-version`, `.tool-versions`, `go.mod`, `go.work`, the global default),
//! the precedence between them, the layout of `$GOVER_HOME` and the flat
//! `config.toml`.
//!
//! It depends on std only: the `go` shim links it, so nothing here touches
//! the network, parses the release index or allocates more than it must.

pub mod env;
pub mod fs;
pub mod home;
pub mod request;
pub mod version;

pub use home::GoverHome;
pub use request::{RequestError, VersionRequest};
pub use version::GoVersion;
pub mod config;
pub mod pinfile;
pub mod resolve;
pub mod text;
pub mod toolenv;
pub mod url;

pub use resolve::{resolve, PinSource, Resolution, ResolveContext, ResolveError};
