//! One hook event as one OTLP LogRecord (contract §4.3): the event name, the
//! severity, the flat attributes under the names Claude Code's own telemetry
//! uses (`session.id`, `prompt.id`, `hook_event`, `tool_name`, `tool_use_id`), so
//! the two streams join in the collector, and the resource (`service.*`, `host.*`,
//! `os.type`). Built from the envelope alone, so a replay sends the same record.
//!
//! Content (prompts, assistant text, tool input and output, tool errors) goes
//! out only when switched on, like Claude Code's `OTEL_LOG_USER_PROMPTS` and
//! `OTEL_LOG_TOOL_DETAILS`; its size always does.

use serde_json::Value;

use super::wire::{Any, Export, KeyValues, Record};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;
use crate::util::clock;

/// Longest string value sent, in characters: Claude Code's own content limit
/// (`CLAUDE_CODE_OTEL_CONTENT_MAX_LENGTH`, sized for backends that cap values at 64 KB).
pub const MAX_VALUE_CHARS: usize = 61_440;

/// The `eventName` prefix; the rest is the hook event in snake_case.
pub const EVENT_PREFIX: &str = "hookrelay.hook.";

/// What goes beyond metadata.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Content {
    /// Prompt text, assistant messages, compaction summaries, task text.
    pub prompts: bool,
    /// Tool input and output, tool error text, and any structured input field.
    pub tool_details: bool,
}

/// Input fields that are conversation text: sent only with `Content::prompts`.
/// Each maps to its attribute name (Claude Code's where it has one).
const PROMPT_FIELDS: &[(&str, &str)] = &[
    ("prompt", "prompt"),
    ("last_assistant_message", "response"),
    ("command_args", "command_args"),
    ("compact_summary", "compact_summary"),
    ("custom_instructions", "custom_instructions"),
    ("delta", "delta"),
    ("task_subject", "task_subject"),
    ("task_description", "task_description"),
];

/// Input fields mapped to other names (the first name is Claude Code's key, the
/// second the OpenTelemetry semantic convention's, when one exists).
const RENAMED: &[(&str, &str, Option<&str>)] = &[
    ("session_id", "session.id", None),
    ("prompt_id", "prompt.id", None),
    ("hook_event_name", "hook_event", None),
    ("tool_name", "tool_name", Some("gen_ai.tool.name")),
    ("tool_use_id", "tool_use_id", Some("gen_ai.tool.call.id")),
    ("cwd", "process.working_directory", None),
    ("agent_id", "agent_id", Some("gen_ai.agent.id")),
    ("agent_type", "agent_type", Some("gen_ai.agent.name")),
    ("model", "model", Some("gen_ai.request.model")),
];

/// `PostToolUseFailure` -> `post_tool_use_failure` (any future event works too).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// Severity number and text: errors for the failure events, a warning for a
/// denied permission, info for everything else.
pub fn severity(event: &str) -> (i32, &'static str) {
    if HookEvent::PostToolUseFailure.is(event) || HookEvent::StopFailure.is(event) {
        (17, "ERROR")
    } else if HookEvent::PermissionDenied.is(event) {
        (13, "WARN")
    } else {
        (9, "INFO")
    }
}

/// A string cut to `MAX_VALUE_CHARS`, saying how much was cut.
fn capped(s: &str) -> String {
    let kept = crate::util::text::truncate_chars(s, MAX_VALUE_CHARS);
    if kept.len() == s.len() {
        s.to_string()
    } else {
        let cut = s[kept.len()..].chars().count();
        format!("{kept}…[truncated {cut} chars]")
    }
}

/// A JSON scalar as an attribute value (contract §1.4's mapping): an integer in
/// i64 range is `intValue`, a larger one its decimal string, other numbers
/// `doubleValue`. `None` for null, arrays and objects.
fn scalar(v: &Value) -> Option<Any> {
    match v {
        Value::String(s) => Some(Any::Str(capped(s))),
        Value::Bool(b) => Some(Any::Bool(*b)),
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Any::Int(i),
            None if n.is_u64() => Any::Str(n.to_string()),
            None => Any::Double(n.as_f64().unwrap_or(0.0)),
        }),
        _ => None,
    }
}

/// Attributes with unique keys (OTLP requires it): the first value of a key wins.
#[derive(Default)]
struct Attributes(KeyValues);

impl Attributes {
    fn put(&mut self, key: &str, value: Any) {
        if !self.0.iter().any(|(k, _)| k == key) {
            self.0.push((key.to_string(), value));
        }
    }
    fn str(&mut self, key: &str, value: &str) {
        self.put(key, Any::Str(capped(value)));
    }
}

fn os_type(os: &str) -> &str {
    match os {
        "macos" => "darwin",
        other => other,
    }
}

fn host_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The request for one event.
pub fn export(env: &Envelope, service_name: &str, content: Content) -> Export {
    let event = env.hook_event_name.as_str();
    let (severity_number, severity_text) = severity(event);
    let input = env.input.as_object();
    let field = |k: &str| input.and_then(|m| m.get(k));
    let text = |k: &str| field(k).and_then(Value::as_str).filter(|s| !s.is_empty());

    let mut a = Attributes::default();
    // Identity first: the envelope's session id is the one hookrelay keyed on.
    a.str("session.id", &env.session_id);
    a.str("hook_event", event);
    for (from, name, semconv) in RENAMED {
        if let Some(v) = field(from).and_then(scalar) {
            a.put(name, v.clone());
            if let Some(alias) = semconv {
                a.put(alias, v);
            }
        }
    }
    if let Some(level) = field("effort")
        .and_then(|e| e.get("level"))
        .and_then(scalar)
    {
        a.put("effort", level);
    }
    a.str("hookrelay.event.id", &env.id);

    // Outcome of a tool call, as Claude Code's tool_result event says it.
    if HookEvent::PostToolUse.is(event) {
        a.str("success", "true");
    }
    let tool_failed = HookEvent::PostToolUseFailure.is(event);
    if tool_failed {
        a.str("success", "false");
        a.str("error.type", "tool_error");
    }
    if HookEvent::StopFailure.is(event)
        && let Some(kind) = text("error")
    {
        // StopFailure's `error` is a category (`rate_limit`, `unknown`), not text.
        a.str("error.type", kind);
        a.str("error", kind);
    }
    if content.tool_details
        && !HookEvent::StopFailure.is(event)
        && let Some(e) = text("error")
    {
        a.str("error", e);
    }

    // Conversation text: its size always, the text when switched on.
    for (from, name) in PROMPT_FIELDS {
        let Some(t) = text(from) else { continue };
        match *name {
            "prompt" | "response" => {
                a.put(
                    &format!("{name}_length"),
                    Any::Int(t.chars().count() as i64),
                );
            }
            _ => {}
        }
        if content.prompts {
            a.str(name, t);
        }
    }
    // Tool input and output: sizes always, the JSON when switched on.
    for (from, size) in [
        ("tool_input", "tool_input_size_bytes"),
        ("tool_response", "tool_result_size_bytes"),
    ] {
        if let Some(v) = field(from).filter(|v| !v.is_null()) {
            let json = v.to_string();
            a.put(size, Any::Int(json.len() as i64));
        }
    }

    // Where the event happened (on the record: the working directory, so the
    // repository, can change between events of one resource).
    if let Some(g) = &env.git {
        if let Some(b) = &g.branch {
            a.str("vcs.ref.head.name", b);
        }
        if let Some(c) = &g.commit {
            a.str("vcs.ref.head.revision", c);
        }
        if let Some(r) = &g.remote {
            a.str("vcs.repository.url.full", r);
        }
    }
    if let Some(p) = &env.project {
        a.str("hookrelay.project", p);
    }

    // Every other input field under its own name: scalars always (metadata such
    // as `source`, `reason`, `trigger`, `notification_type`, `duration_ms`);
    // structured ones as JSON text only with tool details.
    let handled = |k: &str| {
        RENAMED.iter().any(|(f, _, _)| *f == k)
            || PROMPT_FIELDS.iter().any(|(f, _)| *f == k)
            || matches!(k, "effort" | "error")
    };
    for (k, v) in input.into_iter().flatten() {
        if handled(k) {
            continue;
        }
        match v {
            Value::Null => {}
            Value::Array(_) | Value::Object(_) => {
                if content.tool_details {
                    a.str(k, &v.to_string());
                }
            }
            _ => {
                if let Some(s) = scalar(v) {
                    a.put(k, s);
                }
            }
        }
    }

    let mut body = event.to_string();
    if let Some(tool) = text("tool_name") {
        body = format!("{body} {tool}");
    }
    if tool_failed
        && content.tool_details
        && let Some(first) = text("error").and_then(|e| e.lines().next())
    {
        body = format!("{body}: {}", crate::util::text::truncate_chars(first, 200));
    }

    let time_ns = clock::parse_rfc3339_ms(&env.ts)
        .unwrap_or(0)
        .saturating_mul(1_000_000);
    let version = env.hookrelay.version.clone();
    let mut resource = Attributes::default();
    resource.str("service.name", service_name);
    resource.str("service.version", &version);
    if !env.host.name.is_empty() {
        resource.str("host.name", &env.host.name);
    }
    if !env.host.arch.is_empty() {
        resource.str("host.arch", host_arch(&env.host.arch));
    }
    if !env.host.os.is_empty() {
        resource.str("os.type", os_type(&env.host.os));
    }
    Export {
        resource: resource.0,
        scope_name: "hookrelay".into(),
        scope_version: version,
        record: Record {
            // A record needs a timestamp; an unreadable `ts` (never written by
            // hookrelay) falls back to the time of sending.
            time_ns: if time_ns == 0 {
                clock::now_ms().saturating_mul(1_000_000)
            } else {
                time_ns
            },
            severity_number,
            severity_text,
            event_name: format!("{EVENT_PREFIX}{}", snake_case(event)),
            body: capped(&body),
            attributes: a.0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::{all_events, envelope};

    fn attr<'a>(kvs: &'a KeyValues, key: &str) -> Option<&'a Any> {
        kvs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn s(v: &str) -> Option<Any> {
        Some(Any::Str(v.into()))
    }

    #[test]
    fn event_names_are_snake_case_under_the_prefix() {
        assert_eq!(snake_case("PostToolUseFailure"), "post_tool_use_failure");
        assert_eq!(snake_case("SessionStart"), "session_start");
        assert_eq!(snake_case("SomeFutureEvent2"), "some_future_event2");
        let e = export(
            &envelope("UserPromptSubmit"),
            "hookrelay",
            Content::default(),
        );
        assert_eq!(e.record.event_name, "hookrelay.hook.user_prompt_submit");
    }

    #[test]
    fn failures_are_errors_and_the_rest_info() {
        for event in all_events() {
            let e = export(&envelope(&event), "hookrelay", Content::default());
            let want = match event.as_str() {
                "PostToolUseFailure" | "StopFailure" => (17, "ERROR"),
                "PermissionDenied" => (13, "WARN"),
                _ => (9, "INFO"),
            };
            assert_eq!(
                (e.record.severity_number, e.record.severity_text),
                want,
                "{event}"
            );
        }
    }

    #[test]
    fn a_tool_failure_maps_to_claude_codes_keys() {
        let env = envelope("PostToolUseFailure");
        let e = export(&env, "hookrelay", Content::default());
        let a = &e.record.attributes;
        assert_eq!(
            attr(a, "session.id").cloned(),
            s("d506bdc6-8bb6-4437-bcd3-80dfef39919f")
        );
        assert_eq!(
            attr(a, "prompt.id").cloned(),
            s("a9c4e0c0-7bc0-4716-b281-1f8d4bf613f9")
        );
        assert_eq!(attr(a, "hook_event").cloned(), s("PostToolUseFailure"));
        assert_eq!(attr(a, "tool_name").cloned(), s("Bash"));
        assert_eq!(attr(a, "gen_ai.tool.name").cloned(), s("Bash"));
        assert_eq!(
            attr(a, "tool_use_id").cloned(),
            s("toolu_1d6649dc76aa474f89e04611")
        );
        assert_eq!(attr(a, "success").cloned(), s("false"));
        assert_eq!(attr(a, "error.type").cloned(), s("tool_error"));
        assert_eq!(attr(a, "duration_ms").cloned(), Some(Any::Int(102)));
        assert_eq!(attr(a, "is_interrupt").cloned(), Some(Any::Bool(false)));
        assert_eq!(attr(a, "effort").cloned(), s("medium"));
        assert_eq!(attr(a, "vcs.ref.head.name").cloned(), s("main"));
        // Tool content only when switched on; its size always.
        assert_eq!(attr(a, "error"), None);
        assert_eq!(attr(a, "tool_input"), None);
        assert!(matches!(
            attr(a, "tool_input_size_bytes"),
            Some(Any::Int(n)) if *n > 10
        ));
        assert_eq!(e.record.body, "PostToolUseFailure Bash");
        assert_eq!(e.record.time_ns, 1_795_308_638_378_000_000);
        assert_eq!(attr(&e.resource, "host.arch").cloned(), s("amd64"));
        // OpenTelemetry's os.type values (semantic conventions): linux, darwin.
        assert_eq!(attr(&e.resource, "os.type").cloned(), s("linux"));
        assert_eq!(os_type("macos"), "darwin");
        assert_eq!(attr(&e.resource, "service.name").cloned(), s("hookrelay"));

        let detailed = Content {
            prompts: false,
            tool_details: true,
        };
        let e = export(&env, "hookrelay", detailed);
        let a = &e.record.attributes;
        assert_eq!(attr(a, "error").cloned(), s("Exit code 3\noops"));
        assert!(matches!(attr(a, "tool_input"), Some(Any::Str(j)) if j.contains("exit 3")));
        assert_eq!(e.record.body, "PostToolUseFailure Bash: Exit code 3");
    }

    #[test]
    fn prompts_only_when_enabled_and_their_length_always() {
        let env = envelope("UserPromptSubmit");
        let a = export(&env, "hookrelay", Content::default())
            .record
            .attributes;
        assert_eq!(attr(&a, "prompt"), None);
        assert_eq!(attr(&a, "prompt_length").cloned(), Some(Any::Int(9)));
        let on = Content {
            prompts: true,
            tool_details: false,
        };
        let a = export(&env, "hookrelay", on).record.attributes;
        assert_eq!(attr(&a, "prompt").cloned(), s("say hello"));
        let stop = export(&envelope("Stop"), "hookrelay", Content::default());
        assert_eq!(attr(&stop.record.attributes, "response"), None);
        assert!(attr(&stop.record.attributes, "response_length").is_some());
    }

    #[test]
    fn stop_failure_carries_its_category() {
        let a = export(&envelope("StopFailure"), "x", Content::default())
            .record
            .attributes;
        assert_eq!(attr(&a, "error.type").cloned(), s("unknown"));
        assert_eq!(attr(&a, "response"), None);
    }

    #[test]
    fn keys_are_unique_for_every_event() {
        let all = Content {
            prompts: true,
            tool_details: true,
        };
        for event in all_events() {
            let e = export(&envelope(&event), "hookrelay", all);
            let mut keys: Vec<&str> = e
                .record
                .attributes
                .iter()
                .map(|(k, _)| k.as_str())
                .collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "{event}");
        }
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_VALUE_CHARS + 5);
        let c = capped(&long);
        assert!(
            c.ends_with("…[truncated 5 chars]"),
            "{}",
            &c[c.len() - 30..]
        );
        assert_eq!(
            scalar(&serde_json::json!(u64::MAX)),
            s("18446744073709551615")
        );
        assert_eq!(scalar(&serde_json::json!(1.5)), Some(Any::Double(1.5)));
    }
}
