//! `hookrelay flush`: replays spooled events in order, per backend.

use std::path::Path;

use crate::exit::Code;

pub fn run(_config: Option<&Path>, _dead_letters: bool, _backend: Option<&str>) -> Code {
    eprintln!("hookrelay flush: not implemented yet");
    Code::NonBlocking
}
