//! `gover-core` owns every rule gover has about Go versions and about its
//! own state, written once for the CLI and the shim:
//!
//! - Go's version model: the grammar and ordering ([`version`], an exact
//!   port of Go's `internal/gover`), version requests ([`request`]: `1.22`,
//!   `latest`, `system`), pin files and go.mod/go.work lines ([`pinfile`]),
//!   the precedence between them ([`resolve`]) and what `go` does with its
//!   own command line ([`gocmd`]: `-C dir`), and Go's own settings that
//!   choose its toolchain ([`goenv`]: `GOTOOLCHAIN`, `GOWORK`,
//!   `GO111MODULE`, from the environment or Go's env file);
//! - which toolchain runs ([`select`]: pin or request → executable, GOROOT
//!   and reason, installing a missing one through a hook) and with which
//!   environment ([`toolenv`]);
//! - gover's state: every path under `$GOVER_HOME` ([`home`]), the pins
//!   it remembers ([`records`]), every
//!   environment variable ([`env`]), the settings and where each came from
//!   ([`settings`], over the [`config`] file reader), the named download
//!   sources ([`presets`]: `cn`, `aliyun`, ...);
//! - the rules for touching the outside world: files ([`fs`]: bounded
//!   reads, atomic writes, the one policy for writing files gover does not
//!   own), text from outside on a terminal ([`text`]) and URLs ([`url`]).
//!
//! It depends on std only: the `go` shim links it, so nothing here touches
//! the network, parses the release index or allocates more than it must.
//! Go's rules as gover follows them are written up in
//! `docs/internals/go-rules.md`.

pub mod config;
pub mod env;
pub mod fs;
pub mod gocmd;
pub mod goenv;
pub mod home;
pub mod pinfile;
pub mod presets;
pub mod records;
pub mod request;
pub mod resolve;
pub mod select;
pub mod settings;
pub mod text;
pub mod toolenv;
pub mod url;
pub mod version;

pub use home::GoverHome;
pub use request::{RequestError, VersionRequest};
pub use resolve::{resolve, PinSource, Resolution, ResolveContext, ResolveError};
pub use version::GoVersion;
