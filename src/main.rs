//! hookrelay: the one command hook Claude Code runs for every event.
//!
//! `main` only turns the library's exit code into the process's; the command line
//! is in `cli`, the path of one event in `commands::hook::run`.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(hookrelay::main().as_u8())
}
