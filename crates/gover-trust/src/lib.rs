//! `gover-trust` owns how gover decides a Go toolchain is the one Go
//! published: Go's checksum database (sum.golang.org, a transparency log
//! of module hashes) and the `golang.org/toolchain` modules it records.
//! It does no networking and links no network crate: the caller fetches
//! (see [`client::Fetcher`]); it is never linked into the shim.
//!
//! The pieces:
//! - [`note`]: signed notes and verifier keys, sum.golang.org's key built in;
//! - [`tlog`]: RFC 6962 hashing, tree heads, record and consistency proofs;
//! - [`tile`]: tile coordinates and paths, and reading hashes through
//!   tiles that are all authenticated up to the signed root;
//! - [`client`]: lookups proven in the log, the stored latest tree head
//!   checked for consistency against every newer one (forks and rollbacks
//!   are [`ErrorKind::Security`] errors with evidence), a tile cache;
//! - [`gosumdb`], [`goproxy`], [`goenv`]: the GOSUMDB and GOPROXY settings
//!   as Go reads and interprets them (environment, Go's env file,
//!   GOROOT/go.env);
//! - [`toolchain`]: the toolchain module's names (`golang.org/toolchain@
//!   v0.0.1-go1.22.10.linux-amd64`);
//! - [`dirhash`]: the `h1:` hash, over a file list or an unpacked GOROOT.

pub mod client;
pub mod dirhash;
pub mod error;
pub mod goenv;
pub mod goproxy;
pub mod gosumdb;
pub mod note;
pub mod tile;
pub mod tlog;
pub mod toolchain;

pub use client::{Client, FetchError, Fetcher, Record};
pub use error::{Error, ErrorKind, Evidence, Misbehavior, Result};
pub use gosumdb::{Database, GoSumDb};
pub use note::Verifier;
pub use toolchain::ToolchainModule;
