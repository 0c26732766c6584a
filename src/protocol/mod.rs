//! Claude Code's side of the wire: its hook events, the HookInput it sends, the
//! envelope hookrelay wraps around it, and the answer Claude Code accepts.

pub mod answer;
pub mod envelope;
pub mod events;
pub mod input;
pub mod settings_json;
