//! hookrelay: the one command hook Claude Code runs for every event.
//!
//! `main` only parses the command line and hands over to the module that owns the
//! subcommand; the path of one event lives in `relay::run_hook`.

mod backends;
mod breaker;
mod cli;
mod clock;
mod config;
mod decision;
mod deliver;
mod doctor;
mod enrich;
mod event;
mod exit;
mod files;
mod flush;
mod git;
mod input;
mod journal;
mod jsonl;
mod paths;
mod policy;
mod redact;
mod relay;
mod samples;
mod session;
mod settings;
mod sink;
mod spool;
mod status;
#[cfg(test)]
mod testdir;
mod text;

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = match cli::parse() {
        Ok(cli) => cli::dispatch(cli),
        Err(code) => code,
    };
    ExitCode::from(code.as_u8())
}
