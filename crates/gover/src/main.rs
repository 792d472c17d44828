//! The `gover` command-line interface.
fn main() {}
