//! hookrelay as a library: the layers of the one command hook Claude Code runs for
//! every event. `docs/architecture.md` is the map; each layer uses only the ones
//! listed before it here.

pub mod util;

pub mod backends;
pub mod cli;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod enrich;
pub mod error;
pub mod exit;
pub mod policy;
pub mod protocol;
pub mod redact;
pub mod store;

/// The whole program: parse the command line, run the command, return its exit code.
pub fn main() -> exit::Code {
    match cli::parse() {
        Ok(cli) => cli::dispatch(cli),
        Err(code) => code,
    }
}
