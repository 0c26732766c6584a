//! Claude Code's side of the wire: its hook events (`events`, the one table), the
//! HookInput it sends, the envelope hookrelay wraps around it, the answer Claude
//! Code accepts, and the settings.json entries that make it run hookrelay.

pub mod answer;
pub mod envelope;
pub mod events;
pub mod input;
pub mod settings_json;
