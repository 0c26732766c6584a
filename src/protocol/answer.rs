//! Claude Code's answer: merges what local policy rules and gate backends said
//! into the one JSON object this event accepts, or nothing at all, and records
//! who decided what in the kept event.
//!
//! Every verdict is in Claude Code's hook-output shape. `merge` reads only the
//! fields the event honours (contract §(b) "hookSpecificOutput per event") and
//! builds the answer from scratch, so nothing a gate sends can make the CLI
//! reject the answer: `hookEventName` is always the event, the object is compact.

use serde_json::{Map, Value, json};

use crate::backends::Outcome;
use crate::backends::webhook::FailMode;
use crate::delivery::Delivery;
use crate::protocol::envelope::Envelope;

/// One source's opinion, already in Claude Code's hook-output shape.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// `policy:<rule name>` or `gate:<backend name>`.
    pub source: String,
    pub output: Value,
}

/// The merged answer: what to print, and what to record in the kept event.
#[derive(Debug, Default)]
pub struct Answer {
    pub stdout: Option<String>,
    pub record: Option<Value>,
}

/// How an event takes a decision.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `hookSpecificOutput.permissionDecision` (PreToolUse; PreModelSwitch has no defer).
    Permission { defer: bool },
    /// `hookSpecificOutput.decision.behavior` allow | deny.
    PermissionRequest,
    /// Top-level `decision: "block"` + `reason`.
    Block,
    /// `hookSpecificOutput.action` accept | cancel | decline.
    Elicitation,
    /// No decision; context or side effects only.
    None,
}

fn kind(event: &str) -> Kind {
    match event {
        "PreToolUse" => Kind::Permission { defer: true },
        "PreModelSwitch" => Kind::Permission { defer: false },
        "PermissionRequest" => Kind::PermissionRequest,
        "PostToolUse"
        | "PostToolUseFailure"
        | "PostToolBatch"
        | "UserPromptSubmit"
        | "UserPromptExpansion"
        | "Stop"
        | "SubagentStop"
        | "TaskCreated"
        | "PreCompact"
        | "ConfigChange" => Kind::Block,
        "Elicitation" | "ElicitationResult" => Kind::Elicitation,
        _ => Kind::None,
    }
}

/// Events on which an unreachable fail-closed gate denies or blocks. Left out on
/// purpose: Post* events (the tool already ran), Stop/SubagentStop (a block keeps
/// the session going, the opposite of closed) and PreCompact (a block can leave the
/// session without room to continue).
fn fails_closed(event: &str) -> bool {
    matches!(
        event,
        "PreToolUse"
            | "PreModelSwitch"
            | "PermissionRequest"
            | "UserPromptSubmit"
            | "UserPromptExpansion"
            | "TaskCreated"
            | "ConfigChange"
            | "Elicitation"
            | "ElicitationResult"
    )
}

#[derive(Clone, Copy, Debug)]
enum Ty {
    Str,
    Bool,
    Obj,
    Any,
    Strs,
    OneOf(&'static [&'static str]),
}

impl Ty {
    fn accepts(self, v: &Value) -> bool {
        match self {
            Ty::Str => v.is_string(),
            Ty::Bool => v.is_boolean(),
            Ty::Obj => v.is_object(),
            Ty::Any => !v.is_null(),
            Ty::Strs => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Ty::OneOf(set) => v.as_str().is_some_and(|s| set.contains(&s)),
        }
    }
}

const CONTEXT: (&str, Ty) = ("additionalContext", Ty::Str);

/// `hookSpecificOutput` fields each event honours (besides `hookEventName`).
fn specific_fields(event: &str) -> &'static [(&'static str, Ty)] {
    match event {
        "PreToolUse" => &[
            (
                "permissionDecision",
                Ty::OneOf(&["allow", "deny", "ask", "defer"]),
            ),
            ("permissionDecisionReason", Ty::Str),
            ("updatedInput", Ty::Obj),
            CONTEXT,
        ],
        "PreModelSwitch" => &[
            ("permissionDecision", Ty::OneOf(&["allow", "deny", "ask"])),
            ("permissionDecisionReason", Ty::Str),
        ],
        "PermissionRequest" => &[("decision", Ty::Obj)],
        "PostToolUse" => &[
            CONTEXT,
            ("updatedToolOutput", Ty::Any),
            ("updatedMCPToolOutput", Ty::Any),
            ("classifierContext", Ty::Str),
        ],
        "PostToolUseFailure" | "PostToolBatch" | "Setup" | "SubagentStart" | "PostModelSwitch"
        | "Notification" | "Stop" | "SubagentStop" => &[CONTEXT],
        "UserPromptSubmit" => &[
            CONTEXT,
            ("sessionTitle", Ty::Str),
            ("suppressOriginalPrompt", Ty::Bool),
        ],
        "UserPromptExpansion" => &[CONTEXT, ("suppressOriginalPrompt", Ty::Bool)],
        "SessionStart" => &[
            CONTEXT,
            ("initialUserMessage", Ty::Str),
            ("sessionTitle", Ty::Str),
            ("watchPaths", Ty::Strs),
            ("reloadSkills", Ty::Bool),
        ],
        "PermissionDenied" => &[("retry", Ty::Bool)],
        "Elicitation" | "ElicitationResult" => &[
            ("action", Ty::OneOf(&["accept", "decline", "cancel"])),
            ("content", Ty::Obj),
        ],
        "CwdChanged" | "FileChanged" => &[("watchPaths", Ty::Strs)],
        "MessageDisplay" => &[("displayContent", Ty::Str)],
        _ => &[],
    }
}

/// Top-level fields a gate may send for this event.
fn top_fields(event: &str) -> Vec<(&'static str, Ty)> {
    let mut f = vec![
        ("continue", Ty::Bool),
        ("stopReason", Ty::Str),
        ("systemMessage", Ty::Str),
        ("suppressOutput", Ty::Bool),
        ("hookSpecificOutput", Ty::Obj),
    ];
    match kind(event) {
        Kind::Block => f.extend([("decision", Ty::OneOf(&["block"])), ("reason", Ty::Str)]),
        // The legacy PreToolUse form: approve = allow, block = deny.
        Kind::Permission { defer: true } => f.extend([
            ("decision", Ty::OneOf(&["approve", "block"])),
            ("reason", Ty::Str),
        ]),
        _ => {}
    }
    f
}

/// Checks a gate's answer against the event. A non-object, or a
/// `hookSpecificOutput` for another event, is not an answer (`Err`: the gate's fail
/// mode applies). A missing `hookEventName` is filled in; fields the event does not
/// honour, or of the wrong type, are dropped and reported in the returned notes.
pub fn validate(event: &str, answer: &Value) -> (Result<Value, String>, Vec<String>) {
    let mut notes = Vec::new();
    let Some(top) = answer.as_object() else {
        return (Err("the answer is not a JSON object".into()), notes);
    };
    let mut clean = Map::new();
    let allowed_top = top_fields(event);
    for (k, v) in top {
        match allowed_top.iter().find(|(n, _)| n == k) {
            Some((_, ty)) if ty.accepts(v) => {
                clean.insert(k.clone(), v.clone());
            }
            Some(_) => notes.push(format!("dropped `{k}`: wrong type or value for {event}")),
            None => notes.push(format!("dropped `{k}`: not an output field for {event}")),
        }
    }
    if let Some(hso) = top.get("hookSpecificOutput").and_then(Value::as_object) {
        match hso.get("hookEventName") {
            Some(Value::String(n)) if n == event => {}
            None => notes.push(format!("filled in the missing hookEventName `{event}`")),
            Some(other) => {
                return (
                    Err(format!(
                        "hookSpecificOutput.hookEventName is {other}, not `{event}`"
                    )),
                    notes,
                );
            }
        }
        let mut h = Map::new();
        h.insert("hookEventName".into(), Value::String(event.into()));
        let allowed = specific_fields(event);
        for (k, v) in hso.iter().filter(|(k, _)| *k != "hookEventName") {
            let ok = match allowed.iter().find(|(n, _)| n == k) {
                Some(("decision", _)) => valid_permission_request_decision(v),
                Some((_, ty)) => ty.accepts(v),
                None => {
                    notes.push(format!(
                        "dropped `hookSpecificOutput.{k}`: not honoured on {event}"
                    ));
                    continue;
                }
            };
            if ok {
                h.insert(k.clone(), v.clone());
            } else {
                notes.push(format!(
                    "dropped `hookSpecificOutput.{k}`: wrong type or value for {event}"
                ));
            }
        }
        clean.insert("hookSpecificOutput".into(), Value::Object(h));
    }
    (Ok(Value::Object(clean)), notes)
}

fn valid_permission_request_decision(v: &Value) -> bool {
    let Some(d) = v.as_object() else { return false };
    match d.get("behavior").and_then(Value::as_str) {
        Some("allow") => {
            d.get("updatedInput").is_none_or(Value::is_object)
                && d.get("updatedPermissions").is_none_or(Value::is_array)
        }
        Some("deny") => {
            d.get("message").is_none_or(Value::is_string)
                && d.get("interrupt").is_none_or(Value::is_boolean)
        }
        _ => false,
    }
}

/// Opinions of the gates among the deliveries (including fail-closed ones).
/// Problems with an answer go to stderr, one line each.
pub fn gate_verdicts(env: &Envelope, deliveries: &[Delivery]) -> Vec<Verdict> {
    let event = env.hook_event_name.as_str();
    let mut out = Vec::new();
    for d in deliveries {
        let Some(gate) = &d.gate else { continue };
        let source = format!("gate:{}", d.backend);
        let failure = match (&d.outcome, &d.answer) {
            (Outcome::Delivered, Some(answer)) => {
                let (result, notes) = validate(event, answer);
                for n in notes {
                    eprintln!("hookrelay: gate {}: {event} answer: {n}", d.backend);
                }
                match result {
                    Ok(output) => {
                        out.push(Verdict { source, output });
                        continue;
                    }
                    Err(why) => {
                        eprintln!(
                            "hookrelay: gate {}: ignored its {event} answer: {why}",
                            d.backend
                        );
                        format!("gave an invalid answer ({why})")
                    }
                }
            }
            (Outcome::Delivered, None) => {
                "answered without a JSON object (answer `{}` for no opinion)".to_string()
            }
            (Outcome::Retry(why) | Outcome::Rejected(why), _) => {
                format!("was unreachable ({why})")
            }
        };
        if gate.on_unreachable == FailMode::Closed && fails_closed(event) {
            let reason = format!(
                "hookrelay gate `{}` {failure}; it fails closed (on_unreachable: closed)",
                d.backend
            );
            out.push(Verdict {
                source,
                output: closed_output(event, &reason),
            });
        }
    }
    out
}

/// What a fail-closed gate says when it cannot answer.
fn closed_output(event: &str, reason: &str) -> Value {
    match kind(event) {
        Kind::Permission { .. } => json!({"hookSpecificOutput": {
            "hookEventName": event, "permissionDecision": "deny",
            "permissionDecisionReason": reason}}),
        Kind::PermissionRequest => json!({"hookSpecificOutput": {
            "hookEventName": event, "decision": {"behavior": "deny", "message": reason}}}),
        Kind::Elicitation => json!({"hookSpecificOutput": {
            "hookEventName": event, "action": "decline"}}),
        _ => json!({"decision": "block", "reason": reason}),
    }
}

/// Precedence across sources: deny > defer > ask > allow (block and decline rank
/// as deny, cancel as defer, accept as allow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Allow,
    Ask,
    Defer,
    Deny,
}

struct Opinion {
    level: Level,
    reason: Option<String>,
    /// PermissionRequest `decision` object, or Elicitation `content`.
    payload: Option<Value>,
}

fn opinion(event: &str, top: &Map<String, Value>, hso: &Map<String, Value>) -> Option<Opinion> {
    let s = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(String::from);
    let top_reason = s(top, "reason");
    match kind(event) {
        Kind::Permission { defer } => {
            let level = match hso.get("permissionDecision").and_then(Value::as_str) {
                Some("deny") => Level::Deny,
                Some("defer") if defer => Level::Defer,
                Some("ask") => Level::Ask,
                Some("allow") => Level::Allow,
                _ => match top.get("decision").and_then(Value::as_str) {
                    Some("block") if defer => Level::Deny,
                    Some("approve") if defer => Level::Allow,
                    _ => return None,
                },
            };
            let reason = s(hso, "permissionDecisionReason").or(top_reason);
            Some(Opinion {
                level,
                reason,
                payload: None,
            })
        }
        Kind::PermissionRequest => {
            let d = hso
                .get("decision")
                .filter(|d| valid_permission_request_decision(d))?;
            let deny = d["behavior"] == "deny";
            Some(Opinion {
                level: if deny { Level::Deny } else { Level::Allow },
                reason: if deny {
                    s(d.as_object()?, "message")
                } else {
                    None
                },
                payload: Some(d.clone()),
            })
        }
        Kind::Block => {
            (top.get("decision").and_then(Value::as_str) == Some("block")).then(|| Opinion {
                level: Level::Deny,
                reason: top_reason,
                payload: None,
            })
        }
        Kind::Elicitation => {
            let level = match hso.get("action").and_then(Value::as_str)? {
                "decline" => Level::Deny,
                "cancel" => Level::Defer,
                "accept" => Level::Allow,
                _ => return None,
            };
            Some(Opinion {
                level,
                reason: None,
                payload: hso.get("content").filter(|c| c.is_object()).cloned(),
            })
        }
        Kind::None => None,
    }
}

fn level_word(event: &str, level: Level) -> &'static str {
    match (kind(event), level) {
        (Kind::Block, _) => "block",
        (Kind::Elicitation, Level::Deny) => "decline",
        (Kind::Elicitation, Level::Defer) => "cancel",
        (Kind::Elicitation, _) => "accept",
        (_, Level::Deny) => "deny",
        (_, Level::Defer) => "defer",
        (_, Level::Ask) => "ask",
        (_, Level::Allow) => "allow",
    }
}

/// Fields `merge` builds itself rather than copying from one source.
const DECISION_FIELDS: &[&str] = &[
    "hookEventName",
    "permissionDecision",
    "permissionDecisionReason",
    "additionalContext",
    "decision",
    "action",
    "content",
];

/// Merges verdicts for this event. No verdict: no output ("no opinion").
pub fn merge(env: &Envelope, verdicts: &[Verdict]) -> Answer {
    if verdicts.is_empty() {
        return Answer::default();
    }
    let event = env.hook_event_name.as_str();
    let allowed = specific_fields(event);
    let honours = |k: &str| allowed.iter().any(|(n, _)| *n == k);
    let empty = Map::new();
    // A Stop/SubagentStop continuing because of a hook must not be held again.
    let loop_guard = matches!(event, "Stop" | "SubagentStop")
        && env.input.get("stop_hook_active") == Some(&Value::Bool(true));

    let mut opinions: Vec<(usize, Opinion)> = Vec::new();
    let mut contexts: Vec<String> = Vec::new();
    let mut messages: Vec<String> = Vec::new();
    let mut halt: Option<Option<String>> = None;
    let mut dropped: Vec<String> = Vec::new();
    for (i, v) in verdicts.iter().enumerate() {
        let Some(top) = v.output.as_object() else {
            continue;
        };
        let hso = top
            .get("hookSpecificOutput")
            .and_then(Value::as_object)
            .filter(|h| h.get("hookEventName").is_none_or(|n| n == event))
            .unwrap_or(&empty);
        if let Some(op) = opinion(event, top, hso) {
            if loop_guard {
                dropped.push(format!("block by {} (stop_hook_active)", v.source));
            } else {
                opinions.push((i, op));
            }
        }
        if let Some(c) = hso.get("additionalContext").and_then(Value::as_str)
            && honours("additionalContext")
            && !c.is_empty()
        {
            if loop_guard {
                dropped.push(format!(
                    "additionalContext by {} (stop_hook_active)",
                    v.source
                ));
            } else {
                contexts.push(c.to_string());
            }
        }
        if let Some(m) = top.get("systemMessage").and_then(Value::as_str) {
            messages.push(m.to_string());
        }
        if top.get("continue") == Some(&Value::Bool(false)) && halt.is_none() {
            halt = Some(
                top.get("stopReason")
                    .and_then(Value::as_str)
                    .map(String::from),
            );
        }
    }

    let winner = opinions.iter().map(|(_, o)| o.level).max();
    let winning: Vec<&(usize, Opinion)> = opinions
        .iter()
        .filter(|(_, o)| Some(o.level) == winner)
        .collect();
    let reasons: Vec<&str> = winning
        .iter()
        .filter_map(|(_, o)| o.reason.as_deref())
        .filter(|r| !r.is_empty())
        .collect();
    let reason = (!reasons.is_empty()).then(|| reasons.join("; "));

    let mut top = Map::new();
    let mut hso = Map::new();
    hso.insert("hookEventName".into(), Value::String(event.into()));
    if let Some(level) = winner {
        let word = level_word(event, level);
        match kind(event) {
            Kind::Permission { .. } => {
                hso.insert("permissionDecision".into(), word.into());
                if let Some(r) = &reason {
                    hso.insert("permissionDecisionReason".into(), r.as_str().into());
                }
            }
            Kind::PermissionRequest if level == Level::Deny => {
                let mut d = Map::new();
                d.insert("behavior".into(), "deny".into());
                if let Some(r) = &reason {
                    d.insert("message".into(), r.as_str().into());
                }
                let interrupt = winning
                    .iter()
                    .any(|(_, o)| o.payload.as_ref().is_some_and(|p| p["interrupt"] == true));
                if interrupt {
                    d.insert("interrupt".into(), true.into());
                }
                hso.insert("decision".into(), Value::Object(d));
            }
            Kind::PermissionRequest => {
                if let Some(p) = winning[0].1.payload.clone() {
                    hso.insert("decision".into(), p);
                }
            }
            Kind::Block => {
                top.insert("decision".into(), "block".into());
                top.insert(
                    "reason".into(),
                    reason
                        .clone()
                        .unwrap_or_else(|| "Blocked by hookrelay".into())
                        .into(),
                );
            }
            Kind::Elicitation => {
                hso.insert("action".into(), word.into());
                if level == Level::Allow
                    && let Some(c) = winning.iter().find_map(|(_, o)| o.payload.clone())
                {
                    hso.insert("content".into(), c);
                }
            }
            Kind::None => {}
        }
    }
    // Other honoured fields (updatedInput, sessionTitle, watchPaths, ...): first
    // source wins, and only from a source that agrees with the outcome.
    for (i, v) in verdicts.iter().enumerate() {
        let level = opinions.iter().find(|(j, _)| *j == i).map(|(_, o)| o.level);
        if level.is_some() && level != winner {
            continue;
        }
        let h = v
            .output
            .get("hookSpecificOutput")
            .and_then(Value::as_object)
            .filter(|h| h.get("hookEventName").is_none_or(|n| n == event));
        for (k, val) in h.into_iter().flatten() {
            if honours(k) && !DECISION_FIELDS.contains(&k.as_str()) && !hso.contains_key(k) {
                hso.insert(k.clone(), val.clone());
            }
        }
    }
    if !contexts.is_empty() {
        hso.insert("additionalContext".into(), contexts.join("\n").into());
    }

    let mut out = Map::new();
    if let Some(stop_reason) = &halt {
        out.insert("continue".into(), false.into());
        if let Some(r) = stop_reason {
            out.insert("stopReason".into(), r.as_str().into());
        }
    }
    out.extend(top);
    if !messages.is_empty() {
        out.insert("systemMessage".into(), messages.join("\n").into());
    }
    if hso.len() > 1 {
        out.insert("hookSpecificOutput".into(), Value::Object(hso));
    }
    // A WorktreeCreate command hook answers with a path on stdout, never JSON.
    let stdout = (!out.is_empty() && event != "WorktreeCreate")
        .then(|| serde_json::to_string(&Value::Object(out.clone())).expect("JSON serialises"));

    let outcome = match winner {
        Some(level) => level_word(event, level),
        None if stdout.is_some() => "context",
        None if !dropped.is_empty() => "none",
        None => {
            return Answer {
                stdout,
                record: None,
            };
        }
    };
    let mut record = Map::new();
    record.insert("outcome".into(), outcome.into());
    let by: Vec<&str> = if winning.is_empty() {
        // Context or messages only: the sources that said something.
        verdicts
            .iter()
            .filter(|v| {
                let o = &v.output;
                o.get("systemMessage").is_some()
                    || o.get("continue").is_some()
                    || o.get("hookSpecificOutput")
                        .and_then(Value::as_object)
                        .is_some_and(|h| h.keys().any(|k| k != "hookEventName"))
            })
            .map(|v| v.source.as_str())
            .collect()
    } else {
        winning
            .iter()
            .map(|(i, _)| verdicts[*i].source.as_str())
            .collect()
    };
    record.insert("by".into(), json!(by));
    if let Some(r) = &reason {
        record.insert("reason".into(), r.as_str().into());
    }
    if !dropped.is_empty() {
        record.insert("dropped".into(), json!(dropped));
    }
    record.insert(
        "sources".into(),
        verdicts
            .iter()
            .map(|v| json!({"source": v.source, "output": v.output}))
            .collect(),
    );
    if let Some(s) = &stdout {
        record.insert("stdout".into(), s.as_str().into());
    }
    Answer {
        stdout,
        record: Some(Value::Object(record)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::webhook::GateConfig;

    fn envelope(input: Value) -> Envelope {
        serde_json::from_value(json!({
            "id": "00000000-0000-4000-8000-000000000000", "ts": "2026-01-01T00:00:00.000Z",
            "hook_event_name": input["hook_event_name"], "session_id": input["session_id"],
            "input": input, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap()
    }

    fn fixture(event: &str) -> Envelope {
        let p = format!("{}/hooks/events/{event}.json", env!("CARGO_MANIFEST_DIR"));
        envelope(serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
    }

    fn all_events() -> Vec<String> {
        crate::protocol::envelope::KNOWN_EVENTS
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn v(source: &str, output: Value) -> Verdict {
        Verdict {
            source: source.into(),
            output,
        }
    }

    fn pre(decision: &str, reason: &str) -> Value {
        json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
            "permissionDecision": decision, "permissionDecisionReason": reason}})
    }

    fn out(a: &Answer) -> Value {
        let s = a.stdout.as_deref().expect("an answer");
        assert!(!s.contains('\n'), "one line: {s}");
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn no_verdict_no_output_no_record() {
        for e in all_events() {
            let a = merge(&fixture(&e), &[]);
            assert!(a.stdout.is_none() && a.record.is_none(), "{e}");
        }
    }

    #[test]
    fn deny_or_block_has_the_exact_shape_for_every_event() {
        for e in all_events() {
            let env = fixture(&e);
            let a = merge(&env, &[v("policy:r", closed_output(&e, "R"))]);
            let expected = match e.as_str() {
                "PreToolUse" | "PreModelSwitch" => Some(json!({"hookSpecificOutput": {
                    "hookEventName": e, "permissionDecision": "deny",
                    "permissionDecisionReason": "R"}})),
                "PermissionRequest" => Some(json!({"hookSpecificOutput": {
                    "hookEventName": e, "decision": {"behavior": "deny", "message": "R"}}})),
                "PostToolUse"
                | "PostToolUseFailure"
                | "PostToolBatch"
                | "UserPromptSubmit"
                | "UserPromptExpansion"
                | "Stop"
                | "SubagentStop"
                | "TaskCreated"
                | "PreCompact"
                | "ConfigChange" => Some(json!({"decision": "block", "reason": "R"})),
                "Elicitation" | "ElicitationResult" => Some(json!({"hookSpecificOutput": {
                    "hookEventName": e, "action": "decline"}})),
                _ => None,
            };
            match expected {
                Some(x) => {
                    assert_eq!(out(&a), x, "{e}");
                    let rec = a.record.expect("recorded");
                    assert_eq!(rec["by"], json!(["policy:r"]), "{e}");
                }
                None => assert!(a.stdout.is_none(), "{e} takes no decision: {:?}", a.stdout),
            }
        }
    }

    #[test]
    fn additional_context_only_where_honoured_and_joined() {
        for e in all_events() {
            let ctx = |t: &str| json!({"hookSpecificOutput": {"hookEventName": e, "additionalContext": t}});
            let a = merge(
                &fixture(&e),
                &[v("gate:a", ctx("one")), v("gate:b", ctx("two"))],
            );
            if specific_fields(&e)
                .iter()
                .any(|(n, _)| *n == "additionalContext")
            {
                assert_eq!(
                    out(&a),
                    json!({"hookSpecificOutput": {"hookEventName": e,
                        "additionalContext": "one\ntwo"}}),
                    "{e}"
                );
                let rec = a.record.unwrap();
                assert_eq!(rec["outcome"], "context");
                assert_eq!(rec["by"], json!(["gate:a", "gate:b"]));
            } else {
                assert!(a.stdout.is_none(), "{e}: {:?}", a.stdout);
            }
        }
    }

    #[test]
    fn precedence_is_deny_defer_ask_allow_in_any_order() {
        let env = fixture("PreToolUse");
        let all = [
            v("gate:allow", pre("allow", "a")),
            v("policy:ask", pre("ask", "b")),
            v("gate:defer", pre("defer", "c")),
            v("policy:deny", pre("deny", "d")),
        ];
        for n in 1..=all.len() {
            let mut some: Vec<Verdict> = all[..n].to_vec();
            let best = ["allow", "ask", "defer", "deny"][n - 1];
            for _ in 0..n {
                some.rotate_left(1);
                let a = merge(&env, &some);
                let o = out(&a);
                assert_eq!(o["hookSpecificOutput"]["permissionDecision"], best);
                assert_eq!(a.record.unwrap()["outcome"], best);
            }
        }
        // Two denies: both reasons, both named.
        let a = merge(
            &env,
            &[
                v("policy:x", pre("deny", "x!")),
                v("gate:y", pre("deny", "y!")),
            ],
        );
        assert_eq!(
            out(&a)["hookSpecificOutput"]["permissionDecisionReason"],
            "x!; y!"
        );
        assert_eq!(a.record.unwrap()["by"], json!(["policy:x", "gate:y"]));
    }

    #[test]
    fn allow_only_when_a_gate_said_so_and_updated_input_follows_the_winner() {
        let env = fixture("PreToolUse");
        let allow = json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
            "permissionDecision": "allow", "updatedInput": {"command": "ls"}}});
        let a = merge(&env, &[v("gate:g", allow.clone())]);
        assert_eq!(
            out(&a)["hookSpecificOutput"]["updatedInput"],
            json!({"command": "ls"})
        );
        let a = merge(
            &env,
            &[v("gate:g", allow), v("policy:p", pre("ask", "sure?"))],
        );
        let o = out(&a);
        assert_eq!(o["hookSpecificOutput"]["permissionDecision"], "ask");
        assert!(o["hookSpecificOutput"].get("updatedInput").is_none(), "{o}");
    }

    #[test]
    fn stop_hook_active_never_keeps_the_loop_going() {
        for e in ["Stop", "SubagentStop"] {
            let mut env = fixture(e);
            let block = v(
                "gate:g",
                json!({"decision": "block", "reason": "keep going"}),
            );
            let ctx = v(
                "gate:c",
                json!({"hookSpecificOutput": {"hookEventName": e, "additionalContext": "more"}}),
            );
            let a = merge(&env, &[block.clone(), ctx.clone()]);
            assert_eq!(out(&a)["decision"], "block", "{e}: first time it may block");
            env.input["stop_hook_active"] = json!(true);
            let a = merge(&env, &[block, ctx]);
            assert!(a.stdout.is_none(), "{e}: {:?}", a.stdout);
            let rec = a.record.expect("the dropped block is recorded");
            assert_eq!(rec["outcome"], "none");
            assert!(
                rec["dropped"][0]
                    .as_str()
                    .unwrap()
                    .contains("stop_hook_active")
            );
        }
    }

    #[test]
    fn secret_prompt_block_is_top_level() {
        let env = fixture("UserPromptSubmit");
        let a = merge(
            &env,
            &[v(
                "policy:block_secret_prompts",
                json!({"decision": "block", "reason": "R"}),
            )],
        );
        assert_eq!(
            a.stdout.as_deref(),
            Some(r#"{"decision":"block","reason":"R"}"#)
        );
        let rec = a.record.unwrap();
        assert_eq!(rec["outcome"], "block");
        assert_eq!(rec["reason"], "R");
    }

    #[test]
    fn permission_request_deny_beats_a_gate_allow() {
        let env = fixture("PermissionRequest");
        let allow = v(
            "gate:g",
            json!({"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                "decision": {"behavior": "allow", "updatedInput": {"command": "ls"}}}}),
        );
        let a = merge(&env, std::slice::from_ref(&allow));
        assert_eq!(
            out(&a)["hookSpecificOutput"]["decision"],
            json!({"behavior": "allow", "updatedInput": {"command": "ls"}})
        );
        let deny = v("policy:p", closed_output("PermissionRequest", "no"));
        let a = merge(&env, &[allow, deny]);
        assert_eq!(
            out(&a)["hookSpecificOutput"]["decision"],
            json!({"behavior": "deny", "message": "no"})
        );
    }

    #[test]
    fn messages_join_and_continue_false_wins() {
        let env = fixture("PostToolUse");
        let a = merge(
            &env,
            &[
                v("gate:a", json!({"systemMessage": "one"})),
                v(
                    "gate:b",
                    json!({"systemMessage": "two", "continue": false,
                    "stopReason": "stop now"}),
                ),
            ],
        );
        assert_eq!(
            out(&a),
            json!({"continue": false, "stopReason": "stop now", "systemMessage": "one\ntwo"})
        );
    }

    #[test]
    fn worktree_create_never_gets_json() {
        let env = fixture("WorktreeCreate");
        let a = merge(&env, &[v("gate:g", json!({"systemMessage": "hi"}))]);
        assert!(a.stdout.is_none());
    }

    #[test]
    fn validation_fixes_drops_or_refuses() {
        // Missing hookEventName: filled in.
        let (r, notes) = validate(
            "PreToolUse",
            &json!({"hookSpecificOutput": {"permissionDecision": "deny"}}),
        );
        assert_eq!(
            r.unwrap(),
            json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "permissionDecision": "deny"}})
        );
        assert_eq!(notes.len(), 1);
        // Another event's answer: not an answer.
        let (r, _) = validate(
            "PreToolUse",
            &json!({"hookSpecificOutput": {"hookEventName": "PostToolUse"}}),
        );
        assert!(r.unwrap_err().contains("PostToolUse"));
        // Not an object.
        assert!(validate("Stop", &json!([1])).0.is_err());
        // Fields the event does not honour, or of the wrong type, are dropped.
        let (r, notes) = validate(
            "PreToolUse",
            &json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "permissionDecision": "maybe", "sessionTitle": "x",
                "additionalContext": "ok"}, "status": "x", "decision": "block"}),
        );
        assert_eq!(
            r.unwrap(),
            json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "additionalContext": "ok"}, "decision": "block"})
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        let (r, _) = validate("Notification", &json!({"decision": "block", "reason": "r"}));
        assert_eq!(r.unwrap(), json!({}));
        let (r, notes) = validate(
            "PermissionRequest",
            &json!({"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                "decision": {"behavior": "maybe"}}}),
        );
        assert_eq!(
            r.unwrap(),
            json!({"hookSpecificOutput": {"hookEventName": "PermissionRequest"}})
        );
        assert_eq!(notes.len(), 1);
        let (r, _) = validate(
            "PreModelSwitch",
            &json!({"hookSpecificOutput": {
            "hookEventName": "PreModelSwitch", "permissionDecision": "defer"}}),
        );
        assert!(
            r.unwrap()["hookSpecificOutput"]
                .get("permissionDecision")
                .is_none()
        );
    }

    fn delivery(outcome: Outcome, answer: Option<Value>, mode: FailMode) -> Delivery {
        Delivery {
            backend: "sec".into(),
            outcome,
            answer,
            gate: Some(GateConfig {
                on_unreachable: mode,
            }),
        }
    }

    #[test]
    fn gate_answers_and_fail_modes() {
        let env = fixture("PreToolUse");
        let down = || Outcome::Retry("connection refused".into());
        assert!(gate_verdicts(&env, &[delivery(down(), None, FailMode::Open)]).is_empty());
        let closed = gate_verdicts(&env, &[delivery(down(), None, FailMode::Closed)]);
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].source, "gate:sec");
        let a = merge(&env, &closed);
        let o = out(&a);
        assert_eq!(o["hookSpecificOutput"]["permissionDecision"], "deny");
        let reason = o["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap();
        assert!(
            reason.contains("`sec`") && reason.contains("unreachable"),
            "{reason}"
        );
        // An invalid answer counts as no answer.
        let bad = json!({"hookSpecificOutput": {"hookEventName": "Stop"}});
        let v = gate_verdicts(
            &env,
            &[delivery(Outcome::Delivered, Some(bad), FailMode::Closed)],
        );
        assert!(
            v[0].output["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .unwrap()
                .contains("invalid answer")
        );
        // A valid answer is used as given; `{}` is no opinion.
        let v = gate_verdicts(
            &env,
            &[delivery(
                Outcome::Delivered,
                Some(pre("ask", "why")),
                FailMode::Closed,
            )],
        );
        assert_eq!(
            out(&merge(&env, &v))["hookSpecificOutput"]["permissionDecision"],
            "ask"
        );
        let v = gate_verdicts(
            &env,
            &[delivery(
                Outcome::Delivered,
                Some(json!({})),
                FailMode::Closed,
            )],
        );
        let a = merge(&env, &v);
        assert!(a.stdout.is_none() && a.record.is_none());
        // Not a gate: never an opinion.
        let mut plain = delivery(down(), None, FailMode::Closed);
        plain.gate = None;
        assert!(gate_verdicts(&env, &[plain]).is_empty());
        // Stop is never held by a gate that is down.
        let stop = fixture("Stop");
        assert!(gate_verdicts(&stop, &[delivery(down(), None, FailMode::Closed)]).is_empty());
        let ups = fixture("UserPromptSubmit");
        let v = gate_verdicts(&ups, &[delivery(down(), None, FailMode::Closed)]);
        assert_eq!(out(&merge(&ups, &v))["decision"], "block");
    }
}
