//! One module per command; each exposes `run(&App, &Args)`.

pub(crate) mod current;
