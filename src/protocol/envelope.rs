//! The event: what Claude Code sent (`input`, kept verbatim apart from redaction)
//! and the envelope hookrelay wraps around it.
//!
//! The envelope is what the local sink keeps, what the generic webhook posts and
//! what spools store; every backend builds its request from it alone, so a replay
//! rebuilds the same request from the same line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A parsed HookInput: the two required fields pulled out, everything kept.
#[derive(Clone, Debug, PartialEq)]
pub struct HookInput {
    pub session_id: String,
    pub hook_event_name: String,
    /// The whole object as received, unknown fields included.
    pub raw: Map<String, Value>,
}

impl HookInput {
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.raw.get(key).and_then(Value::as_str)
    }
}

/// One event as hookrelay keeps and forwards it. The first five fields are fixed by
/// `contracts/webhook.md`; the rest is enrichment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// UUID v4, minted once on receipt; the idempotency key across retries and replays.
    pub id: String,
    /// Receive time, RFC 3339 UTC with milliseconds.
    pub ts: String,
    pub hook_event_name: String,
    pub session_id: String,
    /// The complete HookInput after redaction.
    pub input: Value,
    pub hookrelay: Agent,
    pub host: Host,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Set when the event fired inside a subagent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionCounters>,
    #[serde(default)]
    pub redaction: RedactionReport,
    /// Present when hookrelay answered something other than "no opinion".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Agent {
    pub version: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Host {
    pub name: String,
    pub user: String,
    pub os: String,
    pub arch: String,
    /// `$CLAUDE_CODE_REMOTE == "true"` (web/cloud sessions).
    #[serde(default)]
    pub remote: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GitInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Tracked files changed in the work tree (`None`: not determined, e.g. huge index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
}

/// Per-session counters as of this event (this event included).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SessionCounters {
    pub first_seen: String,
    pub duration_ms: u64,
    /// Events seen in this session, this one included.
    pub events: u64,
    /// User prompts so far (UserPromptSubmit).
    pub turn: u64,
    /// Tool calls so far, in total and per tool name, each counted once: the
    /// completed ones (PostToolUse, PostToolUseFailure) once the session has seen
    /// one of those, else the started ones (PreToolUse).
    pub tool_calls: u64,
    #[serde(default)]
    pub tools: BTreeMap<String, u64>,
    /// On SessionEnd: the last assistant message seen (already redacted, truncated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_assistant_message: Option<String>,
    /// On SessionEnd: the `error` of the StopFailure that ended the main thread's
    /// last turn; `None` when that turn ended with a Stop (or none was seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_turn_error: Option<String>,
    /// Which counters mean something: hookrelay sees only the events it is wired
    /// for, so a count whose events never reached it is unknown, not zero.
    #[serde(default)]
    pub known: Known,
    /// A repeat firing of a tool call or prompt already counted (same `tool_use_id`
    /// or `prompt_id`): counted in `events` only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// What the session's events so far can tell (`enrich::session` sets it from the
/// event kinds the session has seen). An envelope from before these flags reads
/// as "nothing known".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Known {
    /// SessionStart was seen: `first_seen` and `duration_ms` start at the session's start.
    pub start: bool,
    /// UserPromptSubmit was seen: `turn` counts prompts.
    pub turns: bool,
    /// A tool event was seen: `tool_calls` and `tools` count tool calls.
    pub tool_calls: bool,
    /// Stop or StopFailure was seen: the last message and `last_turn_error` are the last turn's.
    pub turn_ends: bool,
}

/// What redaction changed: rule names and counts, never the secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RedactionReport {
    pub applied: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, u64>,
}

impl Envelope {
    /// A string field of the (redacted) input.
    pub fn input_str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Value::as_str)
    }

    pub fn cwd(&self) -> Option<&str> {
        self.input_str("cwd")
    }

    /// Compact one-line JSON (the JSONL and webhook body form).
    pub fn to_line(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an envelope always serialises")
    }
}
