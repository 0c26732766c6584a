//! Today's Bloodbank event (naming contract v1): which Claude Code event becomes
//! which `bloodbank.v1.<domain>.<entity>.<action>` type on which
//! `bloodbank.evt.v1.…` subject, and the CloudEvents envelope around it (`kind`,
//! `actor`, `ordering_key`, `correlationid`/`causationid`). Pure: the same
//! hookrelay envelope always gives the same bytes, so a replay publishes exactly
//! what the first attempt did, under the same id.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

/// `source` of every event Bloodbank's own Claude Code hook publishes.
pub const SOURCE: &str = "urn:33god:agent:claude-code";

/// One Claude Code event's place in Bloodbank's naming contract.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    /// `<domain>.<entity>.<action>`, e.g. `agent.tool.completed`.
    pub name: &'static str,
    /// The `ordering_key` bucket: `session`, `thread` or `invocation`.
    pub bucket: &'static str,
}

impl Kind {
    /// `bloodbank.v1.<domain>.<entity>.<action>`.
    pub fn type_name(&self) -> String {
        format!("bloodbank.v1.{}", self.name)
    }
    /// The NATS subject (and the envelope's `subject`): `bloodbank.evt.v1.…`.
    pub fn subject(&self) -> String {
        format!("bloodbank.evt.v1.{}", self.name)
    }
    fn domain(&self) -> &'static str {
        self.name.split('.').next().unwrap_or_default()
    }
}

/// The events Bloodbank's own hook maps, plus the two it cannot see: `Stop` is
/// the end of a turn (its hook calls it the end of the session, so every turn
/// started a new, orphaned session), and `PostToolUseFailure` is a completed tool
/// call with `outcome: "error"` (its hook never registers that event).
/// `SessionEnd` ends the session.
pub fn kind(event: HookEvent) -> Option<Kind> {
    use HookEvent::*;
    let (name, bucket) = match event {
        SessionStart => ("agent.session.started", "session"),
        UserPromptSubmit => ("conversation.turn.started", "thread"),
        Stop => ("conversation.turn.completed", "thread"),
        PreToolUse => ("agent.tool.requested", "invocation"),
        PostToolUse | PostToolUseFailure => ("agent.tool.completed", "invocation"),
        SubagentStop => ("agent.invocation.completed", "invocation"),
        SessionEnd => ("agent.session.ended", "session"),
        _ => return None,
    };
    Some(Kind { name, bucket })
}

/// The subject and CloudEvent of one hookrelay envelope, or `None` when the event
/// maps to nothing. Key order follows Bloodbank's own builder.
pub fn build(env: &Envelope) -> Option<(String, Value)> {
    let event = HookEvent::from_name(&env.hook_event_name)?;
    let k = kind(event)?;
    let sid = &env.session_id;
    let data = data(event, env);
    let subject = k.subject();
    let type_name = k.type_name();
    let model = env.input.get("model").and_then(Value::as_str);
    let ce = json!({
        "specversion": "1.0",
        // hookrelay's event id: the same on every retry and replay (also the
        // Nats-Msg-Id JetStream deduplicates on).
        "id": env.id,
        "source": SOURCE,
        "type": type_name,
        "subject": subject,
        "time": env.ts,
        "datacontenttype": "application/json",
        "dataschema": format!("apicurio://holyfields/{type_name}/versions/1"),
        "correlationid": sid,
        // Every event is caused by its session: a chain through "the previous
        // event published" (Bloodbank's hook) depends on which publishes happened
        // to succeed and differs between a first attempt and a replay.
        "causationid": sid,
        "producer": "claude-code",
        "service": "claude-code",
        "domain": k.domain(),
        "schemaref": format!("{type_name}.v1"),
        "traceparent": "00-00000000000000000000000000000000-0000000000000000-00",
        "kind": "event",
        "actor": {
            "type": "agent_cli",
            "agent_id": "bloodbank.agent.claude",
            "cli": "claude",
            "provider": "anthropic",
            "model": model,
        },
        "data": data,
        "ordering_key": format!("{}:{sid}", k.bucket),
    });
    Some((subject, ce))
}

/// The `data` of one event (Bloodbank's field names; absent facts are left out,
/// never `null`).
fn data(event: HookEvent, env: &Envelope) -> Value {
    use HookEvent::*;
    let sid = env.session_id.as_str();
    let s = |k: &str| env.input_str(k).map(str::to_owned);
    let turn = env.session.as_ref().map_or(0, |c| c.turn);
    let cwd = env.cwd().map(str::to_owned).or(env.project_dir.clone());
    let branch = env.git.as_ref().and_then(|g| g.branch.clone());
    let mut d = Map::new();
    match event {
        SessionStart => {
            d.insert("session_id".into(), json!(sid));
            put(&mut d, "working_directory", cwd);
            put(&mut d, "git_branch", branch);
            put(
                &mut d,
                "git_remote",
                env.git.as_ref().and_then(|g| g.remote.clone()),
            );
            // The event's own time, not "now": a replay sends the same body.
            d.insert("started_at".into(), json!(env.ts));
            put(&mut d, "source", s("source"));
            put(&mut d, "model", s("model"));
        }
        UserPromptSubmit => {
            let prompt = s("prompt").unwrap_or_default();
            d.insert("thread_id".into(), json!(sid));
            // hookrelay's turn counter already counts this prompt.
            d.insert("turn_id".into(), json!(format!("{sid}:{turn}")));
            d.insert("prompt_length".into(), json!(prompt.len()));
            d.insert("prompt_text".into(), json!(prompt));
            d.insert("turn_number".into(), json!(turn));
            put(&mut d, "working_directory", cwd);
            put(&mut d, "git_branch", branch);
        }
        Stop => {
            d.insert("thread_id".into(), json!(sid));
            d.insert("turn_id".into(), json!(format!("{sid}:{turn}")));
            d.insert("turn_number".into(), json!(turn));
            put(&mut d, "response_text", s("last_assistant_message"));
            put(&mut d, "working_directory", cwd);
            put(&mut d, "git_branch", branch);
        }
        PreToolUse | PostToolUse | PostToolUseFailure => {
            let tool = s("tool_name").unwrap_or_else(|| "unknown".into());
            d.insert("invocation_id".into(), json!(sid));
            d.insert("tool_call_id".into(), json!(tool_call_id(env, turn, &tool)));
            d.insert("tool_name".into(), json!(tool));
            if event != PreToolUse {
                d.insert("outcome".into(), json!(outcome(event, &env.input)));
            }
            d.insert(
                "arguments".into(),
                env.input.get("tool_input").cloned().unwrap_or(json!({})),
            );
            if event == PostToolUseFailure {
                put(&mut d, "error_message", s("error"));
            }
            if let Some(ms) = env.input.get("duration_ms").and_then(Value::as_f64) {
                d.insert("duration_ms".into(), json!(ms.max(0.0).round() as u64));
            }
            put(&mut d, "working_directory", cwd);
            put(&mut d, "git_branch", branch);
            if event != PreToolUse {
                let dirty = env.git.as_ref().and_then(|g| g.dirty);
                let status = dirty.map(|d| if d { "modified" } else { "clean" }.to_string());
                put(&mut d, "git_status", status);
            }
            d.insert("turn_number".into(), json!(turn));
        }
        SubagentStop => {
            d.insert("invocation_id".into(), json!(sid));
            d.insert("stop_reason".into(), json!("completed"));
            put(&mut d, "agent_id", s("agent_id"));
            put(&mut d, "agent_type", s("agent_type"));
            put(&mut d, "working_directory", cwd);
        }
        SessionEnd => {
            d.insert("session_id".into(), json!(sid));
            d.insert(
                "end_reason".into(),
                json!(s("reason").unwrap_or_else(|| "other".into())),
            );
            if let Some(c) = &env.session {
                d.insert("duration_seconds".into(), json!(c.duration_ms / 1000));
                d.insert("tools_used".into(), json!(c.tools));
                d.insert("tool_calls".into(), json!(c.tool_calls));
            }
            d.insert("total_turns".into(), json!(turn));
            d.insert("final_status".into(), json!("success"));
            put(&mut d, "working_directory", cwd);
            put(&mut d, "git_branch", branch);
        }
        _ => {}
    }
    Value::Object(d)
}

/// Claude Code's own `tool_use_id` when it sent one: it pairs a request with its
/// completion exactly, even for two calls of one tool in one turn. Without it,
/// Bloodbank's recipe (first 32 hex of a hash of `<session>:<turn>:<tool>`; SHA-256
/// here, where Bloodbank uses SHA-1).
fn tool_call_id(env: &Envelope, turn: u64, tool: &str) -> String {
    if let Some(id) = env.input_str("tool_use_id").filter(|s| !s.is_empty()) {
        return id.to_string();
    }
    let digest = Sha256::digest(format!("{}:{turn}:{tool}", env.session_id));
    crate::util::text::hex(&digest)[..32].to_string()
}

/// `error` for a failed call (PostToolUseFailure, or a result Bloodbank's hook
/// reads as an error: `is_error`, or a `tool_response` object carrying `error` or
/// `is_error`), else `success`.
fn outcome(event: HookEvent, input: &Value) -> &'static str {
    let truthy = |v: Option<&Value>| v.is_some_and(|v| !v.is_null() && v != &json!(false));
    let response = input
        .get("tool_response")
        .or_else(|| input.get("tool_result"));
    let failed = event == HookEvent::PostToolUseFailure
        || truthy(input.get("is_error"))
        || response.is_some_and(|r| {
            r.is_object() && (truthy(r.get("error")) || truthy(r.get("is_error")))
        });
    if failed { "error" } else { "success" }
}

fn put(d: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        d.insert(key.into(), Value::String(v));
    }
}

/// Shrinks the longest strings inside `data` until the whole CloudEvent fits in
/// `max` bytes (NATS refuses a message over the server's `max_payload` and closes
/// the connection). The envelope attributes are never touched, so the event keeps
/// its id, type and subject.
pub fn fit(ce: &mut Value, max: usize) {
    let size = |v: &Value| serde_json::to_vec(v).map_or(0, |b| b.len());
    let mut cap = 1024 * 1024;
    while size(ce) > max && cap >= 16 {
        if let Some(data) = ce.get_mut("data") {
            crate::backends::cap_strings(data, cap);
        }
        cap /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::envelope;

    /// Bloodbank's locked naming rules (`validate.py`): 5-token types, 6-token
    /// subjects with the `evt` marker, the subject attribute equal to the NATS
    /// subject, `domain` = type segment 3, no provider names in the type.
    fn assert_contract(subject: &str, ce: &Value) {
        let t = ce["type"].as_str().unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 5, "{t}");
        assert_eq!((parts[0], parts[1]), ("bloodbank", "v1"));
        assert!(
            parts[2..]
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
            "{t}"
        );
        for banned in ["claude", "anthropic"] {
            assert!(!t.contains(banned), "{t}");
        }
        assert_eq!(
            subject,
            format!("bloodbank.evt.v1.{}", parts[2..].join("."))
        );
        assert_eq!(ce["subject"], subject);
        assert_eq!(ce["domain"], parts[2]);
        assert_eq!(ce["schemaref"], format!("{t}.v1"));
        for k in [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "producer",
            "service",
            "domain",
            "kind",
            "data",
            "correlationid",
            "causationid",
            "ordering_key",
        ] {
            let v = &ce[k];
            assert!(!v.is_null() && v != "", "{t}: {k} missing");
        }
        assert_eq!(ce["kind"], "event");
        assert_eq!(ce["actor"]["type"], "agent_cli");
        assert_eq!(ce["actor"]["agent_id"], "bloodbank.agent.claude");
        let last = ce.as_object().unwrap().keys().next_back().unwrap().clone();
        assert_eq!(last, "ordering_key");
    }

    #[test]
    fn every_mapped_event_gets_its_type_subject_and_envelope() {
        let cases = [
            ("SessionStart", "agent.session.started", "session"),
            ("UserPromptSubmit", "conversation.turn.started", "thread"),
            ("Stop", "conversation.turn.completed", "thread"),
            ("PreToolUse", "agent.tool.requested", "invocation"),
            ("PostToolUse", "agent.tool.completed", "invocation"),
            ("PostToolUseFailure", "agent.tool.completed", "invocation"),
            ("SubagentStop", "agent.invocation.completed", "invocation"),
            ("SessionEnd", "agent.session.ended", "session"),
        ];
        for (event, name, bucket) in cases {
            let env = envelope(event);
            let (subject, ce) = build(&env).unwrap_or_else(|| panic!("{event} maps"));
            assert_eq!(subject, format!("bloodbank.evt.v1.{name}"), "{event}");
            assert_eq!(ce["type"], format!("bloodbank.v1.{name}"));
            assert_contract(&subject, &ce);
            assert_eq!(ce["id"], env.id, "{event}: hookrelay's event id");
            assert_eq!(ce["correlationid"], env.input["session_id"], "{event}");
            assert_eq!(ce["causationid"], env.input["session_id"]);
            assert_eq!(
                ce["ordering_key"],
                format!("{bucket}:{}", env.input["session_id"].as_str().unwrap())
            );
            assert_eq!(ce["time"], "2026-11-22T00:50:38.378Z");
            crate::backends::testing::assert_no_nulls(&ce["data"]);
        }
        for unmapped in ["Notification", "PermissionRequest", "StopFailure"] {
            assert!(build(&envelope(unmapped)).is_none(), "{unmapped}");
        }
    }

    #[test]
    fn data_carries_the_contracts_required_fields() {
        let d = |e: &str| build(&envelope(e)).unwrap().1["data"].clone();
        let sid = "bec247b5-945b-4438-957d-99b44004f6e2";

        let v = d("SessionStart");
        assert_eq!(v["session_id"], sid);
        assert_eq!(v["working_directory"], "/tmp/h2/proj");
        assert_eq!(v["git_branch"], "main");
        assert_eq!(v["started_at"], "2026-11-22T00:50:38.378Z");

        let v = d("UserPromptSubmit");
        assert_eq!(v["thread_id"], sid);
        assert_eq!(v["turn_id"], format!("{sid}:2"));
        assert_eq!(v["prompt_text"], "say hello");
        assert_eq!(v["prompt_length"], 9);

        let req = d("PreToolUse");
        let done = d("PostToolUse");
        assert_eq!(req["invocation_id"], sid);
        assert_eq!(req["tool_call_id"], "toolu_1a6162c944364625a2298c7b");
        assert_eq!(req["tool_call_id"], done["tool_call_id"], "a pair");
        assert_eq!(req["tool_name"], "Bash");
        assert_eq!(req["arguments"]["command"], "echo hello-from-hook-test");
        assert!(req.get("outcome").is_none());
        assert_eq!(done["outcome"], "success");
        assert_eq!(done["git_status"], "modified");
        assert_eq!(done["turn_number"], 2);

        let v = d("PostToolUseFailure");
        assert_eq!(v["outcome"], "error");
        assert_eq!(v["error_message"], "Exit code 3\noops");

        let v = d("SubagentStop");
        assert_eq!(v["stop_reason"], "completed");
        assert_eq!(v["agent_id"], "a4b7c3313463e8750");

        let v = d("Stop");
        assert_eq!(v["turn_id"], format!("{sid}:2"));
        assert_eq!(v["response_text"], "Done. Tool said: hello-from-hook-test");

        let v = d("SessionEnd");
        assert_eq!(v["session_id"], sid);
        assert_eq!(v["end_reason"], "other");
        assert_eq!(v["duration_seconds"], 75);
        assert_eq!(v["total_turns"], 2);
        assert_eq!(v["tools_used"], json!({"Bash": 2, "Read": 1}));
        assert_eq!(v["final_status"], "success");
    }

    #[test]
    fn a_tool_result_carrying_an_error_is_an_error_outcome() {
        let mut env = envelope("PostToolUse");
        env.input["tool_response"] = json!({"error": "boom"});
        assert_eq!(build(&env).unwrap().1["data"]["outcome"], "error");
        env.input["tool_response"] = json!({"is_error": false, "stdout": "x"});
        assert_eq!(build(&env).unwrap().1["data"]["outcome"], "success");
        env.input["is_error"] = json!(true);
        assert_eq!(build(&env).unwrap().1["data"]["outcome"], "error");
    }

    #[test]
    fn without_a_tool_use_id_the_pair_still_shares_a_derived_call_id() {
        let strip = |e: &str| {
            let mut env = envelope(e);
            env.input.as_object_mut().unwrap().remove("tool_use_id");
            build(&env).unwrap().1["data"]["tool_call_id"].clone()
        };
        let id = strip("PreToolUse");
        assert_eq!(id.as_str().unwrap().len(), 32);
        assert_eq!(id, strip("PostToolUse"));
    }

    #[test]
    fn the_same_envelope_builds_the_same_event() {
        let env = envelope("PostToolUse");
        assert_eq!(build(&env), build(&env));
    }

    #[test]
    fn fit_shrinks_data_but_never_the_envelope() {
        let mut env = envelope("UserPromptSubmit");
        env.input["prompt"] = json!("é".repeat(300_000));
        let (_, mut ce) = build(&env).unwrap();
        fit(&mut ce, 64 * 1024);
        let bytes = serde_json::to_vec(&ce).unwrap();
        assert!(bytes.len() <= 64 * 1024, "{}", bytes.len());
        assert!(
            ce["data"]["prompt_text"]
                .as_str()
                .unwrap()
                .contains("[truncated")
        );
        assert_eq!(ce["id"], env.id);
        assert_eq!(ce["type"], "bloodbank.v1.conversation.turn.started");

        // Against the default 1 MiB max_payload, a 1.5 MB prompt keeps a
        // quarter of a megabyte, not a token few hundred characters.
        env.input["prompt"] = json!("p".repeat(1_500_000));
        let (_, mut ce) = build(&env).unwrap();
        fit(&mut ce, 1024 * 1024);
        let kept = ce["data"]["prompt_text"].as_str().unwrap();
        let prefix = kept.split('…').next().unwrap().len();
        assert!(prefix >= 200_000, "kept {prefix} characters");
    }
}
