//! One module per thing a user runs: the hook itself (no subcommand), and the
//! operator commands `flush`, `dead-letters`, the hidden background `drain`,, `status`, `send`, `install`/`uninstall`,
//! `doctor`.

pub mod dead_letters;
pub mod doctor;
pub mod drain;
pub mod flush;
pub mod hook;
pub mod install;
pub mod send;
pub mod status;
