//! `gover config`: placeholder.
