//! `hookrelay status`: per backend, enabled, breaker, spool depth, dead letters.

use std::path::Path;

use crate::exit::Code;

pub fn run(_config: Option<&Path>, _json: bool) -> Code {
    eprintln!("hookrelay status: not implemented yet");
    Code::NonBlocking
}
