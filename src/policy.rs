//! Local policy rules: deny or ask on PreToolUse / PermissionRequest by tool name
//! and tool input, and an opt-in block of prompts that carry a secret.

use serde::Deserialize;

use crate::decision::Verdict;
use crate::event::HookInput;
use crate::redact::Redactor;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    pub rules: Vec<serde_json::Value>,
    pub block_secret_prompts: bool,
}

/// What the rules say about this (unredacted) input.
pub fn evaluate(_input: &HookInput, _policy: &PolicyConfig, _redactor: &Redactor) -> Vec<Verdict> {
    Vec::new()
}
