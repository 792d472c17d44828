//! `gover-dist` owns every network and archive dependency of gover: the
//! go.dev/dl release index, mirrors, streamed and verified downloads,
//! hardened extraction and atomic, locked installs into `$GOVER_HOME`.
