//! The gover shim.
fn main() {}
