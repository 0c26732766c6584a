//! Bloodbank's HTTP mode, the `/events/claude-code/*` routes of Bloodbank before
//! May 2026 (`contracts/bloodbank.md`): which Claude Code event goes to which
//! route with which fields, and what Bloodbank's answers mean (its "500 … UUID is
//! not JSON serializable" is a success).

use serde_json::{Map, Value, json};

use crate::backends::status::{self, status_text};
use crate::backends::{Error, HttpResponse, Outcome, Request};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

pub const DEFAULT_URL: &str = "http://localhost:8682";

/// The route an event goes to (`/events/claude-code/<route>`); the events that
/// have one are the default selection, the others map to nothing.
pub fn route(event: HookEvent) -> Option<&'static str> {
    use HookEvent::*;
    match event {
        SessionStart => Some("session-start"),
        PostToolUse | PostToolUseFailure => Some("tool-action"),
        UserPromptSubmit | Stop => Some("message"),
        StopFailure => Some("error"),
        SessionEnd => Some("session-end"),
        _ => None,
    }
}

/// `output_preview` is "a short excerpt": enough to recognise the result.
const PREVIEW_CHARS: usize = 500;

/// The HTTP request for one event: `POST <url>/events/claude-code/<route>`, or
/// `None` when the event maps to no route.
pub fn request(url: &str, env: &Envelope) -> Option<Request> {
    let (route, mut body) = map(env)?;
    crate::backends::strip_nulls(&mut body);
    let bytes = serde_json::to_vec(&body).expect("JSON values serialise");
    Some(crate::backends::json_post(
        format!("{url}/events/claude-code/{route}"),
        vec![("Idempotency-Key".to_string(), env.id.clone())],
        bytes,
    ))
}

/// Checks an HTTP-mode base URL (`field` names where it came from).
pub fn validate(field: &str, url: &str) -> Result<(), Error> {
    let uri = crate::backends::url::check_url(field, url)?;
    // FastAPI answers a trailing slash with a 307 the hook cannot follow.
    if url.ends_with('/') {
        return Err(Error::at(
            field,
            format!("`{}` ends with `/`", crate::util::url::display(url)),
        )
        .fix(format!("give the base URL without it (e.g. {DEFAULT_URL})")));
    }
    if uri.query().is_some() {
        return Err(Error::at(field, "the base URL cannot have a query string"));
    }
    Ok(())
}

/// Where a misdirected request points the user.
const CHECK_URL: &str = "check backends.bloodbank.url / $BLOODBANK_URL (is it Bloodbank?)";

/// The answer table of `contracts/bloodbank.md`: its quirks, then the shared table.
pub fn classify(resp: &HttpResponse) -> Outcome {
    match resp.status {
        // Every released Bloodbank publishes, then fails to serialise its reply.
        500 if resp.body_text().contains("UUID is not JSON serializable") => Outcome::Delivered,
        422 => Outcome::Rejected(format!(
            "Bloodbank refused the event (validation): {}",
            status_text(resp)
        )),
        // A permanent 301/308 is the shared rule (the URL moved); a 307 is
        // FastAPI's own answer to a trailing slash.
        307 => status::held(
            resp,
            "redirect: the URL has a trailing slash or a wrong path; fix backends.bloodbank.url / $BLOODBANK_URL",
        ),
        // 404/405 (not Bloodbank's routes) are the shared configuration class.
        _ => status::outcome_with(resp, CHECK_URL, CHECK_URL),
    }
}

/// Bloodbank's answer to `GET /healthz`: the service is up, but /healthz does
/// not look at RabbitMQ, and only a published event would prove that part.
pub fn judge_probe(resp: &HttpResponse) -> crate::backends::Finding {
    use crate::backends::Finding;
    if (200..300).contains(&resp.status) {
        return Finding::partial(
            format!("/healthz answered {}: the service is up", resp.status),
            "RabbitMQ behind it could not be checked (/healthz does not look at it, and only publishing an event would)",
        );
    }
    Finding::failed(
        format!("/healthz answered {}", status_text(resp)),
        "start Bloodbank, or fix backends.bloodbank.url / $BLOODBANK_URL; events are spooled meanwhile",
    )
}

/// The route and body for one event, or `None` when it maps to nothing.
pub fn map(env: &Envelope) -> Option<(&'static str, Value)> {
    let event = HookEvent::from_name(&env.hook_event_name)?;
    let route = route(event)?;
    let f = Facts::of(env);
    let mut body = Map::new();
    body.insert("session_id".into(), json!(env.session_id));
    match event {
        HookEvent::SessionStart => session_start(&f, &mut body),
        HookEvent::PostToolUse | HookEvent::PostToolUseFailure => tool_action(&f, &mut body),
        HookEvent::UserPromptSubmit => {
            body.insert("role".into(), json!("user"));
            body.insert("content".into(), json!(f.s("prompt").unwrap_or_default()));
            body.insert("turn_number".into(), json!(f.turn));
        }
        HookEvent::Stop => {
            // A turn without a final message has nothing to publish.
            let content = f.s("last_assistant_message")?;
            body.insert("role".into(), json!("assistant"));
            body.insert("content".into(), json!(content));
            body.insert("turn_number".into(), json!(f.turn));
        }
        HookEvent::StopFailure => error(&f, &mut body),
        HookEvent::SessionEnd => session_end(&f, &mut body),
        // `route` maps no other event.
        _ => return None,
    }
    Some((route, Value::Object(body)))
}

/// What several routes read from one envelope.
struct Facts<'a> {
    env: &'a Envelope,
    turn: u64,
    cwd: Option<String>,
    branch: Option<String>,
}

impl<'a> Facts<'a> {
    fn of(env: &'a Envelope) -> Facts<'a> {
        Facts {
            env,
            turn: env.session.as_ref().map_or(0, |s| s.turn),
            cwd: env.cwd().map(str::to_owned).or(env.project_dir.clone()),
            branch: env.git.as_ref().and_then(|g| g.branch.clone()),
        }
    }

    /// A string field of Claude Code's input.
    fn s(&self, k: &str) -> Option<String> {
        self.env
            .input
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

fn session_start(f: &Facts, body: &mut Map<String, Value>) {
    body.insert(
        "working_directory".into(),
        json!(f.cwd.clone().unwrap_or_else(|| "unknown".into())),
    );
    body.insert(
        "model".into(),
        json!(f.s("model").unwrap_or_else(|| "unknown".into())),
    );
    // The event's receive time, not "now": a replay sends the same body.
    body.insert("started_at".into(), json!(f.env.ts));
    put(body, "git_branch", f.branch.clone());
    put(
        body,
        "git_remote",
        f.env.git.as_ref().and_then(|g| g.remote.clone()),
    );
}

fn tool_action(f: &Facts, body: &mut Map<String, Value>) {
    let input = &f.env.input;
    let ok = HookEvent::PostToolUse.is(&f.env.hook_event_name);
    let tool = f.s("tool_name").unwrap_or_else(|| "unknown".into());
    let tool_input = input.get("tool_input").cloned().unwrap_or(json!({}));
    let mut meta = Map::new();
    meta.insert("tool_name".into(), json!(tool));
    meta.insert("tool_input".into(), tool_input.clone());
    if let Some(ms) = input.get("duration_ms").and_then(Value::as_f64) {
        meta.insert(
            "execution_time_ms".into(),
            json!(ms.max(0.0).round() as u64),
        );
    }
    meta.insert("success".into(), json!(ok));
    if ok {
        if let Some(r) = input.get("tool_response").filter(|r| !r.is_null()) {
            meta.insert("output_preview".into(), json!(preview(r)));
        }
    } else {
        meta.insert(
            "error_message".into(),
            json!(f.s("error").unwrap_or_else(|| "tool failed".into())),
        );
    }
    body.insert("tool_metadata".into(), Value::Object(meta));
    // One server version wants these at the top level, the other ignores them.
    body.insert("tool_name".into(), json!(tool));
    body.insert("tool_input".into(), tool_input);
    put(body, "working_directory", f.cwd.clone());
    put(body, "git_branch", f.branch.clone());
    put(
        body,
        "git_status",
        f.env
            .git
            .as_ref()
            .and_then(|g| g.dirty)
            .map(|d| if d { "modified" } else { "clean" }.to_string()),
    );
    if f.env.session.is_some() {
        body.insert("turn_number".into(), json!(f.turn));
    }
    // The one model field Bloodbank keeps that can carry hookrelay's event id, so
    // a consumer can drop a repeat (a replay after an abandoned request).
    body.insert(
        "tags".into(),
        json!([format!("{EVENT_ID_TAG}{}", f.env.id)]),
    );
}

/// Prefix of the tag that carries hookrelay's event id on tool actions.
pub const EVENT_ID_TAG: &str = "hookrelay-event-id:";

fn error(f: &Facts, body: &mut Map<String, Value>) {
    let kind = f.s("error").unwrap_or_else(|| "unknown".into());
    let message = f
        .s("error_details")
        .or_else(|| f.s("last_assistant_message"))
        .unwrap_or_else(|| kind.clone());
    body.insert("error_type".into(), json!(kind));
    body.insert("error_message".into(), json!(message));
    if f.env.session.is_some() {
        body.insert("turn_number".into(), json!(f.turn));
    }
}

fn session_end(f: &Facts, body: &mut Map<String, Value>) {
    body.insert(
        "end_reason".into(),
        json!(f.s("reason").unwrap_or_else(|| "other".into())),
    );
    body.insert("final_status".into(), json!("success"));
    if let Some(sc) = &f.env.session {
        body.insert("duration_seconds".into(), json!(sc.duration_ms / 1000));
        put(body, "summary", sc.last_assistant_message.clone());
    }
    body.insert("total_turns".into(), json!(f.turn));
    put(body, "working_directory", f.cwd.clone());
    put(body, "git_branch", f.branch.clone());
}

fn put(body: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        body.insert(key.into(), Value::String(v));
    }
}

/// A short excerpt of a tool's result: its stdout (or the text itself), else the JSON.
fn preview(r: &Value) -> String {
    let text = match r {
        Value::String(s) => s.clone(),
        Value::Object(m) => match m.get("stdout").and_then(Value::as_str) {
            Some(out) if !out.is_empty() => out.to_string(),
            _ => r.to_string(),
        },
        other => other.to_string(),
    };
    crate::util::text::truncate_chars(&text, PREVIEW_CHARS).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::Backend;
    use crate::backends::bloodbank::{Bloodbank, BloodbankConfig};
    use crate::backends::testing::{assert_no_nulls, envelope, resp};

    fn bb() -> Bloodbank {
        Bloodbank::new(BloodbankConfig::with_url("http://127.0.0.1:8682"))
    }

    fn body(r: &Request) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn every_mapped_fixture_goes_to_its_route_with_the_required_fields() {
        let b = bb();
        let cases = [
            (
                HookEvent::SessionStart,
                "session-start",
                &["working_directory", "model"][..],
            ),
            (
                HookEvent::PostToolUse,
                "tool-action",
                &["tool_metadata", "tool_name"][..],
            ),
            (
                HookEvent::PostToolUseFailure,
                "tool-action",
                &["tool_metadata"][..],
            ),
            (
                HookEvent::UserPromptSubmit,
                "message",
                &["role", "content", "turn_number"][..],
            ),
            (
                HookEvent::Stop,
                "message",
                &["role", "content", "turn_number"][..],
            ),
            (
                HookEvent::StopFailure,
                "error",
                &["error_type", "error_message"][..],
            ),
            (
                HookEvent::SessionEnd,
                "session-end",
                &["end_reason", "final_status", "total_turns"][..],
            ),
        ];
        for (event, route, fields) in cases {
            let event = event.name();
            let env = envelope(event);
            assert!(b.wants(event), "{event} is selected by default");
            let r = b.request(&env).unwrap_or_else(|| panic!("{event} maps"));
            assert_eq!(r.method, "POST");
            assert_eq!(
                r.url,
                format!("http://127.0.0.1:8682/events/claude-code/{route}")
            );
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.header("idempotency-key"), Some(env.id.as_str()));
            let v = body(&r);
            assert_no_nulls(&v);
            if route == "tool-action" {
                assert_eq!(v["tags"], json!([format!("{EVENT_ID_TAG}{}", env.id)]));
            } else {
                assert!(
                    v.get("tags").is_none(),
                    "{event}: only tool actions keep tags"
                );
            }
            assert_eq!(
                v["session_id"], env.input["session_id"],
                "{event}: Claude Code's id"
            );
            for f in fields {
                assert!(v.get(*f).is_some(), "{event}: {f} missing in {v}");
            }
            assert!(v.get("tools_used").is_none());
        }
    }

    #[test]
    fn field_values_and_types_follow_the_contract() {
        let b = bb();
        let v = body(&b.request(&envelope("SessionStart")).unwrap());
        assert_eq!(v["model"], "unknown");
        assert_eq!(v["working_directory"], "/tmp/h2/proj");
        assert!(v["started_at"].as_str().unwrap().ends_with('Z'));

        let v = body(&b.request(&envelope("PostToolUse")).unwrap());
        let m = &v["tool_metadata"];
        assert_eq!(m["tool_name"], "Bash");
        assert_eq!(m["tool_input"]["command"], "echo hello-from-hook-test");
        assert_eq!(m["success"], true);
        assert_eq!(m["execution_time_ms"], 49);
        assert_eq!(m["output_preview"], "hello-from-hook-test");
        // A command with no output: the preview is the result, not an empty string.
        let mut quiet = envelope("PostToolUse");
        quiet.input["tool_response"] = json!({"stdout": "", "stderr": "warn: x"});
        let q = body(&b.request(&quiet).unwrap());
        let p = q["tool_metadata"]["output_preview"].as_str().unwrap();
        assert!(p.contains("warn: x"), "{p}");
        assert_eq!(v["tool_name"], "Bash");
        assert!(v["tool_input"].is_object());
        assert_eq!(v["turn_number"], 2);
        assert_eq!(v["git_branch"], "main");
        assert_eq!(v["git_status"], "modified");

        let v = body(&b.request(&envelope("PostToolUseFailure")).unwrap());
        assert_eq!(v["tool_metadata"]["success"], false);
        assert_eq!(v["tool_metadata"]["error_message"], "Exit code 3\noops");

        let v = body(&b.request(&envelope("UserPromptSubmit")).unwrap());
        assert_eq!(
            (v["role"].as_str(), v["content"].as_str()),
            (Some("user"), Some("say hello"))
        );
        assert!(v["turn_number"].is_u64());

        let v = body(&b.request(&envelope("StopFailure")).unwrap());
        assert_eq!(v["error_type"], "unknown");
        assert_eq!(
            v["error_message"],
            "API Error: 400 fake server: scripted error"
        );

        let v = body(&b.request(&envelope("SessionEnd")).unwrap());
        assert_eq!(v["end_reason"], "other");
        assert_eq!(v["final_status"], "success");
        assert_eq!(v["duration_seconds"], 75);
        assert_eq!(v["total_turns"], 2);
        assert_eq!(v["summary"], "Done. Tool said: hello-from-hook-test");
    }

    #[test]
    fn session_end_always_carries_total_turns_even_without_session_state() {
        let mut env = envelope("SessionEnd");
        env.session = None;
        let v = body(&bb().request(&env).unwrap());
        assert_eq!(v["total_turns"], 0);
        assert!(v.get("duration_seconds").is_none());
    }

    #[test]
    fn stop_without_a_final_message_sends_nothing() {
        let mut env = envelope("Stop");
        env.input
            .as_object_mut()
            .unwrap()
            .remove("last_assistant_message");
        assert!(bb().request(&env).is_none());
        let v = body(&bb().request(&envelope("Stop")).unwrap());
        assert_eq!(v["role"], "assistant");
    }

    #[test]
    fn replays_send_identical_bodies() {
        // Built a little apart in time, as a replay is: nothing in the request may
        // come from the clock, only from the envelope.
        let events = ["SessionStart", "PostToolUse", "StopFailure", "SessionEnd"];
        let first: Vec<_> = events.iter().map(|e| bb().request(&envelope(e))).collect();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        for (event, first) in events.iter().zip(first) {
            assert_eq!(first, bb().request(&envelope(event)), "{event}");
        }
    }

    #[test]
    fn unmapped_events_are_not_selected_by_default() {
        let b = bb();
        assert!(!b.wants("PreToolUse") && !b.wants("Notification"));
        assert!(b.request(&envelope("PreToolUse")).is_none());
    }

    #[test]
    fn answers_are_classified_as_the_contract_says() {
        let uuid = r#"{"detail":"Object of type UUID is not JSON serializable"}"#;
        assert_eq!(classify(&resp(200, "{}")), Outcome::Delivered);
        assert_eq!(classify(&resp(500, uuid)), Outcome::Delivered);
        assert!(matches!(
            classify(&resp(500, "Rabbit publish failed: x")),
            Outcome::Retry(_)
        ));
        assert!(matches!(classify(&resp(503, "")), Outcome::Retry(_)));
        // FastAPI's validation answer: a dead letter that says it was Bloodbank's
        // validation, with the detail.
        match classify(&resp(422, r#"{"detail":[{"msg":"field required"}]}"#)) {
            Outcome::Rejected(m) => assert!(
                m.starts_with("Bloodbank refused the event (validation)")
                    && m.contains("field required"),
                "{m}"
            ),
            o => panic!("{o:?}"),
        }
        match classify(&resp(307, "")) {
            Outcome::Retry(m) => assert!(m.contains("trailing slash"), "{m}"),
            o => panic!("{o:?}"),
        }
        // Permanent redirects follow the shared rule: held, naming the new place.
        for status in [301, 308] {
            let r = crate::backends::HttpResponse {
                location: Some("http://bloodbank.test/v2".into()),
                ..resp(status, "")
            };
            match classify(&r) {
                Outcome::Retry(m) => assert!(
                    m.contains("moved permanently to http://bloodbank.test/v2"),
                    "{m}"
                ),
                o => panic!("{o:?}"),
            }
        }
    }
}
