//! Claude Code's answer: merges what local policy rules and gate backends said
//! into the one JSON object this event accepts, or nothing at all, and records
//! who decided what in the kept event.
//!
//! Every verdict is in Claude Code's hook-output shape. `merge` reads only the
//! fields the event honours (contract §(b) "hookSpecificOutput per event", kept in
//! `protocol::events`) and builds the answer from scratch, so nothing a gate sends
//! can make the CLI reject the answer: `hookEventName` is always the event, the
//! object is compact. Turning deliveries into gate verdicts is `delivery::gates`.

use serde_json::{Map, Value, json};

use crate::error::Warnings;
use crate::protocol::envelope::Envelope;
use crate::protocol::events::{self, DecisionShape, Field, FieldType};

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

/// How `event` takes a decision; unknown events take none.
fn shape(event: &str) -> DecisionShape {
    events::spec_of(event).map_or(DecisionShape::None, |s| s.decision)
}

/// Does an unreachable fail-closed gate deny or block on this event? (See
/// `EventSpec::fails_closed` for the events left out on purpose.)
pub fn fails_closed(event: &str) -> bool {
    events::spec_of(event).is_some_and(|s| s.fails_closed)
}

/// `hookSpecificOutput` fields `event` honours (besides `hookEventName`).
fn specific_fields(event: &str) -> &'static [Field] {
    events::spec_of(event).map_or(&[], |s| s.fields)
}

/// Top-level fields a gate may send for this event.
fn top_fields(event: &str) -> Vec<Field> {
    let mut f = vec![
        ("continue", FieldType::Bool),
        ("stopReason", FieldType::Str),
        ("systemMessage", FieldType::Str),
        ("suppressOutput", FieldType::Bool),
        ("hookSpecificOutput", FieldType::Object),
    ];
    match shape(event) {
        DecisionShape::Block => f.extend([
            ("decision", FieldType::OneOf(&["block"])),
            ("reason", FieldType::Str),
        ]),
        // The legacy PreToolUse form: approve = allow, block = deny.
        DecisionShape::Permission { defer: true } => f.extend([
            ("decision", FieldType::OneOf(&["approve", "block"])),
            ("reason", FieldType::Str),
        ]),
        _ => {}
    }
    f
}

/// Why a gate's answer is not an answer at all (its fail mode applies).
#[derive(Clone, Debug, PartialEq)]
pub enum NotAnAnswer {
    NotAnObject,
    /// `hookSpecificOutput.hookEventName` names another event (the JSON value).
    OtherEvent {
        named: Value,
        event: String,
    },
}

impl std::fmt::Display for NotAnAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAnAnswer::NotAnObject => f.write_str("the answer is not a JSON object"),
            NotAnAnswer::OtherEvent { named, event } => write!(
                f,
                "hookSpecificOutput.hookEventName is {named}, not `{event}`"
            ),
        }
    }
}

impl std::error::Error for NotAnAnswer {}

/// Checks a gate's answer against the event. A non-object, or a
/// `hookSpecificOutput` for another event, is not an answer (`Err`: the gate's fail
/// mode applies). A missing `hookEventName` is filled in; fields the event does not
/// honour, or of the wrong type, are dropped and reported in the returned notes.
pub fn validate(event: &str, answer: &Value) -> (Result<Value, NotAnAnswer>, Warnings) {
    let mut notes = Warnings::new();
    let Some(top) = answer.as_object() else {
        return (Err(NotAnAnswer::NotAnObject), notes);
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
        match validate_specific(event, hso, &mut notes) {
            Ok(h) => {
                clean.insert("hookSpecificOutput".into(), Value::Object(h));
            }
            Err(why) => return (Err(why), notes),
        }
    }
    (Ok(Value::Object(clean)), notes)
}

/// The first field of a gate's answer that would decide for `event` but that
/// `validate` drops because its type or value is wrong (`permissionDecision
/// "Deny"`), said as `<field> <JSON value>`. A gate that fails closed fails closed
/// on it: dropping the field would allow what the gate meant to stop. A field the
/// event does not honour at all is not counted (a gate may answer every event alike).
pub fn invalid_decision(event: &str, answer: &Value) -> Option<String> {
    let top = answer.as_object()?;
    let said = |field: &str, v: &Value| {
        let mut v = v.to_string();
        if v.len() > 80 {
            let cut = (0..=80).rev().find(|&i| v.is_char_boundary(i)).unwrap_or(0);
            v.truncate(cut);
            v.push('…');
        }
        Some(format!("{field} {v}"))
    };
    if let Some(v) = top.get("decision") {
        let rule = top_fields(event)
            .into_iter()
            .find(|(n, _)| *n == "decision");
        if rule.is_some_and(|(_, ty)| !ty.accepts(v)) {
            return said("decision", v);
        }
    }
    let hso = match top.get("hookSpecificOutput") {
        None => return None,
        Some(Value::Object(h)) => h,
        Some(other) => return said("hookSpecificOutput", other),
    };
    for k in ["permissionDecision", "decision", "action"] {
        let Some(v) = hso.get(k) else { continue };
        let ok = match specific_fields(event).iter().find(|(n, _)| *n == k) {
            Some(("decision", _)) => valid_permission_request_decision(v),
            Some((_, ty)) => ty.accepts(v),
            None => true,
        };
        if !ok {
            return said(&format!("hookSpecificOutput.{k}"), v);
        }
    }
    None
}

/// The `hookSpecificOutput` part of `validate`: `Err` when it is for another event.
fn validate_specific(
    event: &str,
    hso: &Map<String, Value>,
    notes: &mut Warnings,
) -> Result<Map<String, Value>, NotAnAnswer> {
    match hso.get("hookEventName") {
        Some(Value::String(n)) if n == event => {}
        None => notes.push(format!("filled in the missing hookEventName `{event}`")),
        Some(other) => {
            return Err(NotAnAnswer::OtherEvent {
                named: other.clone(),
                event: event.to_string(),
            });
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
    Ok(h)
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

/// What a fail-closed gate says when it cannot answer.
pub fn closed_output(event: &str, reason: &str) -> Value {
    match shape(event) {
        DecisionShape::Permission { .. } => json!({"hookSpecificOutput": {
            "hookEventName": event, "permissionDecision": "deny",
            "permissionDecisionReason": reason}}),
        DecisionShape::PermissionRequest => json!({"hookSpecificOutput": {
            "hookEventName": event, "decision": {"behavior": "deny", "message": reason}}}),
        DecisionShape::Elicitation => json!({"hookSpecificOutput": {
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

fn str_of(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(String::from)
}

/// What one source says about the decision, if anything.
fn opinion(event: &str, top: &Map<String, Value>, hso: &Map<String, Value>) -> Option<Opinion> {
    match shape(event) {
        DecisionShape::Permission { defer } => permission_opinion(defer, top, hso),
        DecisionShape::PermissionRequest => {
            let d = hso
                .get("decision")
                .filter(|d| valid_permission_request_decision(d))?;
            let deny = d["behavior"] == "deny";
            Some(Opinion {
                level: if deny { Level::Deny } else { Level::Allow },
                reason: if deny {
                    str_of(d.as_object()?, "message")
                } else {
                    None
                },
                payload: Some(d.clone()),
            })
        }
        DecisionShape::Block => (top.get("decision").and_then(Value::as_str) == Some("block"))
            .then(|| Opinion {
                level: Level::Deny,
                reason: str_of(top, "reason"),
                payload: None,
            }),
        DecisionShape::Elicitation => elicitation_opinion(hso),
        DecisionShape::None => None,
    }
}

/// `permissionDecision`, or the legacy top-level `decision` (PreToolUse only).
fn permission_opinion(
    defer: bool,
    top: &Map<String, Value>,
    hso: &Map<String, Value>,
) -> Option<Opinion> {
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
    let reason = str_of(hso, "permissionDecisionReason").or(str_of(top, "reason"));
    Some(Opinion {
        level,
        reason,
        payload: None,
    })
}

fn elicitation_opinion(hso: &Map<String, Value>) -> Option<Opinion> {
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

fn level_word(event: &str, level: Level) -> &'static str {
    match (shape(event), level) {
        (DecisionShape::Block, _) => "block",
        (DecisionShape::Elicitation, Level::Deny) => "decline",
        (DecisionShape::Elicitation, Level::Defer) => "cancel",
        (DecisionShape::Elicitation, _) => "accept",
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

/// A source's `hookSpecificOutput`, unless it names another event.
fn specific_output<'a>(event: &str, output: &'a Value) -> Option<&'a Map<String, Value>> {
    output
        .get("hookSpecificOutput")
        .and_then(Value::as_object)
        .filter(|h| h.get("hookEventName").is_none_or(|n| n == event))
}

/// What the sources said, sorted by kind (step 1 of `merge`).
#[derive(Default)]
struct Said {
    /// Opinions on the decision, with the index of the verdict they came from.
    opinions: Vec<(usize, Opinion)>,
    /// `additionalContext` texts, where the event honours them.
    contexts: Vec<String>,
    /// `systemMessage` texts.
    messages: Vec<String>,
    /// Set by the first `continue: false`, with its `stopReason` if any.
    halt: Option<Option<String>>,
    /// What the stop-hook loop guard left out.
    dropped: Vec<String>,
}

fn collect(env: &Envelope, verdicts: &[Verdict]) -> Said {
    let event = env.hook_event_name.as_str();
    let honours_context = specific_fields(event)
        .iter()
        .any(|(n, _)| *n == "additionalContext");
    // A Stop/SubagentStop continuing because of a hook must not be held again.
    let loop_guard = events::spec_of(event).is_some_and(|s| s.stop_hook_loop)
        && env.input.get("stop_hook_active") == Some(&Value::Bool(true));
    let empty = Map::new();
    let mut said = Said::default();
    for (i, v) in verdicts.iter().enumerate() {
        let Some(top) = v.output.as_object() else {
            continue;
        };
        let hso = specific_output(event, &v.output).unwrap_or(&empty);
        if let Some(op) = opinion(event, top, hso) {
            if loop_guard {
                said.dropped
                    .push(format!("block by {} (stop_hook_active)", v.source));
            } else {
                said.opinions.push((i, op));
            }
        }
        if let Some(c) = hso.get("additionalContext").and_then(Value::as_str)
            && honours_context
            && !c.is_empty()
        {
            if loop_guard {
                said.dropped.push(format!(
                    "additionalContext by {} (stop_hook_active)",
                    v.source
                ));
            } else {
                said.contexts.push(c.to_string());
            }
        }
        if let Some(m) = top.get("systemMessage").and_then(Value::as_str) {
            said.messages.push(m.to_string());
        }
        if top.get("continue") == Some(&Value::Bool(false)) && said.halt.is_none() {
            said.halt = Some(str_of(top, "stopReason"));
        }
    }
    said
}

/// The strongest opinion and who holds it (step 2 of `merge`).
struct Decision<'a> {
    /// `None`: nobody had an opinion on the decision.
    level: Option<Level>,
    /// The opinions at that level, in source order.
    winning: Vec<&'a (usize, Opinion)>,
    /// Their non-empty reasons, joined.
    reason: Option<String>,
}

fn decide(opinions: &[(usize, Opinion)]) -> Decision<'_> {
    let level = opinions.iter().map(|(_, o)| o.level).max();
    let winning: Vec<&(usize, Opinion)> = opinions
        .iter()
        .filter(|(_, o)| Some(o.level) == level)
        .collect();
    let reasons: Vec<&str> = winning
        .iter()
        .filter_map(|(_, o)| o.reason.as_deref())
        .filter(|r| !r.is_empty())
        .collect();
    let reason = (!reasons.is_empty()).then(|| reasons.join("; "));
    Decision {
        level,
        winning,
        reason,
    }
}

/// Writes the decision in the event's shape into the top level or
/// `hookSpecificOutput` (step 3 of `merge`).
fn write_decision(
    event: &str,
    d: &Decision,
    top: &mut Map<String, Value>,
    hso: &mut Map<String, Value>,
) {
    let Some(level) = d.level else { return };
    let word = level_word(event, level);
    match shape(event) {
        DecisionShape::Permission { .. } => {
            hso.insert("permissionDecision".into(), word.into());
            if let Some(r) = &d.reason {
                hso.insert("permissionDecisionReason".into(), r.as_str().into());
            }
        }
        DecisionShape::PermissionRequest if level == Level::Deny => {
            hso.insert("decision".into(), permission_request_denial(d));
        }
        DecisionShape::PermissionRequest => {
            if let Some(p) = d.winning[0].1.payload.clone() {
                hso.insert("decision".into(), p);
            }
        }
        DecisionShape::Block => {
            top.insert("decision".into(), "block".into());
            top.insert(
                "reason".into(),
                d.reason
                    .clone()
                    .unwrap_or_else(|| "Blocked by hookrelay".into())
                    .into(),
            );
        }
        DecisionShape::Elicitation => {
            hso.insert("action".into(), word.into());
            if level == Level::Allow
                && let Some(c) = d.winning.iter().find_map(|(_, o)| o.payload.clone())
            {
                hso.insert("content".into(), c);
            }
        }
        DecisionShape::None => {}
    }
}

/// A PermissionRequest deny: the joined reasons, and `interrupt` when any denier
/// asked for it.
fn permission_request_denial(d: &Decision) -> Value {
    let mut out = Map::new();
    out.insert("behavior".into(), "deny".into());
    if let Some(r) = &d.reason {
        out.insert("message".into(), r.as_str().into());
    }
    let interrupt = d
        .winning
        .iter()
        .any(|(_, o)| o.payload.as_ref().is_some_and(|p| p["interrupt"] == true));
    if interrupt {
        out.insert("interrupt".into(), true.into());
    }
    Value::Object(out)
}

/// Other honoured fields (updatedInput, sessionTitle, watchPaths, ...): first
/// source wins, and only from a source that agrees with the outcome (step 4).
fn copy_other_fields(
    event: &str,
    verdicts: &[Verdict],
    said: &Said,
    winner: Option<Level>,
    hso: &mut Map<String, Value>,
) {
    let allowed = specific_fields(event);
    let honours = |k: &str| allowed.iter().any(|(n, _)| *n == k);
    for (i, v) in verdicts.iter().enumerate() {
        let level = said
            .opinions
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, o)| o.level);
        if level.is_some() && level != winner {
            continue;
        }
        for (k, val) in specific_output(event, &v.output).into_iter().flatten() {
            if honours(k) && !DECISION_FIELDS.contains(&k.as_str()) && !hso.contains_key(k) {
                hso.insert(k.clone(), val.clone());
            }
        }
    }
}

/// The answer object in Claude Code's field order (step 5).
fn assemble(said: &Said, top: Map<String, Value>, hso: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(stop_reason) = &said.halt {
        out.insert("continue".into(), false.into());
        if let Some(r) = stop_reason {
            out.insert("stopReason".into(), r.as_str().into());
        }
    }
    out.extend(top);
    if !said.messages.is_empty() {
        out.insert("systemMessage".into(), said.messages.join("\n").into());
    }
    if hso.len() > 1 {
        out.insert("hookSpecificOutput".into(), Value::Object(hso));
    }
    out
}

/// Merges verdicts for this event. No verdict: no output ("no opinion").
pub fn merge(env: &Envelope, verdicts: &[Verdict]) -> Answer {
    if verdicts.is_empty() {
        return Answer::default();
    }
    let event = env.hook_event_name.as_str();
    let said = collect(env, verdicts);
    let decision = decide(&said.opinions);

    let mut top = Map::new();
    let mut hso = Map::new();
    hso.insert("hookEventName".into(), Value::String(event.into()));
    write_decision(event, &decision, &mut top, &mut hso);
    copy_other_fields(event, verdicts, &said, decision.level, &mut hso);
    if !said.contexts.is_empty() {
        hso.insert("additionalContext".into(), said.contexts.join("\n").into());
    }
    let out = assemble(&said, top, hso);
    // A WorktreeCreate command hook answers with a path on stdout, never JSON.
    let answers_json = events::spec_of(event).is_none_or(|s| s.answers_json);
    let stdout = (!out.is_empty() && answers_json)
        .then(|| serde_json::to_string(&Value::Object(out)).expect("JSON serialises"));
    let record = record(event, verdicts, &said, &decision, stdout.as_deref());
    Answer { stdout, record }
}

/// What the kept event records about the answer (step 6); `None` when nothing
/// was decided, printed or dropped.
fn record(
    event: &str,
    verdicts: &[Verdict],
    said: &Said,
    d: &Decision,
    stdout: Option<&str>,
) -> Option<Value> {
    let outcome = match d.level {
        Some(level) => level_word(event, level),
        None if stdout.is_some() => "context",
        None if !said.dropped.is_empty() => "none",
        None => return None,
    };
    let mut record = Map::new();
    record.insert("outcome".into(), outcome.into());
    record.insert("by".into(), json!(deciders(verdicts, d)));
    if let Some(r) = &d.reason {
        record.insert("reason".into(), r.as_str().into());
    }
    if !said.dropped.is_empty() {
        record.insert("dropped".into(), json!(said.dropped));
    }
    record.insert(
        "sources".into(),
        verdicts
            .iter()
            .map(|v| json!({"source": v.source, "output": v.output}))
            .collect(),
    );
    if let Some(s) = stdout {
        record.insert("stdout".into(), s.into());
    }
    Some(Value::Object(record))
}

/// The sources behind the outcome: the winners, or for context and messages
/// only, every source that said something.
fn deciders<'a>(verdicts: &'a [Verdict], d: &Decision) -> Vec<&'a str> {
    if d.winning.is_empty() {
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
        d.winning
            .iter()
            .map(|(i, _)| verdicts[*i].source.as_str())
            .collect()
    }
}

/// Helpers for unit tests of answers, here and in `delivery::gates`.
#[cfg(test)]
pub(crate) mod testing {
    use super::Answer;
    use crate::protocol::envelope::Envelope;
    use serde_json::{Value, json};

    /// An envelope around a hook input, with fixed id, time and host.
    pub(crate) fn envelope(input: Value) -> Envelope {
        serde_json::from_value(json!({
            "id": "00000000-0000-4000-8000-000000000000", "ts": "2026-01-01T00:00:00.000Z",
            "hook_event_name": input["hook_event_name"], "session_id": input["session_id"],
            "input": input, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap()
    }

    /// A PreToolUse verdict's output.
    pub(crate) fn pre(decision: &str, reason: &str) -> Value {
        json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
            "permissionDecision": decision, "permissionDecisionReason": reason}})
    }

    /// The printed answer, which must be one line of JSON.
    pub(crate) fn out(a: &Answer) -> Value {
        let s = a.stdout.as_deref().expect("an answer");
        assert!(!s.contains('\n'), "one line: {s}");
        serde_json::from_str(s).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{envelope, out, pre};
    use super::*;
    use crate::protocol::events::HookEvent;

    fn fixture(event: &str) -> Envelope {
        let p = format!("{}/hooks/events/{event}.json", env!("CARGO_MANIFEST_DIR"));
        envelope(serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
    }

    fn all_events() -> Vec<String> {
        events::names().map(|s| s.to_string()).collect()
    }

    fn v(source: &str, output: Value) -> Verdict {
        Verdict {
            source: source.into(),
            output,
        }
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
            use HookEvent::*;
            let expected = match HookEvent::from_name(&e).unwrap() {
                PreToolUse | PreModelSwitch => Some(json!({"hookSpecificOutput": {
                    "hookEventName": e, "permissionDecision": "deny",
                    "permissionDecisionReason": "R"}})),
                PermissionRequest => Some(json!({"hookSpecificOutput": {
                    "hookEventName": e, "decision": {"behavior": "deny", "message": "R"}}})),
                PostToolUse | PostToolUseFailure | PostToolBatch | UserPromptSubmit
                | UserPromptExpansion | Stop | SubagentStop | TaskCreated | PreCompact
                | ConfigChange => Some(json!({"decision": "block", "reason": "R"})),
                Elicitation | ElicitationResult => Some(json!({"hookSpecificOutput": {
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
        for e in [HookEvent::Stop, HookEvent::SubagentStop].map(HookEvent::name) {
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
    fn invalid_decisions_are_named_and_valid_or_unhonoured_ones_are_not() {
        let bad = |event: &str, v: Value| invalid_decision(event, &v);
        assert_eq!(
            bad(
                "PreToolUse",
                json!({"hookSpecificOutput": {"permissionDecision": "Deny"}})
            )
            .as_deref(),
            Some("hookSpecificOutput.permissionDecision \"Deny\"")
        );
        assert_eq!(
            bad("UserPromptSubmit", json!({"decision": "maybe"})).as_deref(),
            Some("decision \"maybe\"")
        );
        assert!(bad("PreToolUse", json!({"decision": true})).is_some());
        assert!(
            bad(
                "Elicitation",
                json!({"hookSpecificOutput": {"action": "yes"}})
            )
            .is_some()
        );
        assert!(
            bad(
                "PermissionRequest",
                json!({"hookSpecificOutput": {"decision": {"behavior": "maybe"}}})
            )
            .is_some()
        );
        assert!(bad("PreToolUse", json!({"hookSpecificOutput": [1]})).is_some());
        // Valid, absent, or not honoured on this event: nothing to fail closed on.
        assert!(bad("PreToolUse", pre("deny", "r")).is_none());
        assert!(bad("PreToolUse", json!({})).is_none());
        assert!(bad("UserPromptSubmit", json!({"decision": "block"})).is_none());
        assert!(
            bad(
                "PostToolUse",
                json!({"hookSpecificOutput": {"permissionDecision": "x"}})
            )
            .is_none()
        );
        assert!(bad("Stop", json!([1])).is_none());
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
        assert!(r.unwrap_err().to_string().contains("PostToolUse"));
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
}
