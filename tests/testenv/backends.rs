//! Strict contract servers for the four backends (`contracts/*.md`): each checks
//! a request the way the real service does (paths, headers, required fields and
//! types, no nulls, Content-Length, API key, HMAC) and answers as it does, odd
//! answers included. Every verdict is recorded so a test can assert "accepted".
//! Headers a service does not know (`Idempotency-Key` for all but a webhook
//! server) are ignored, as the real services ignore them, and recorded with the
//! request (`idempotency_keys`). The Bloodbank fake also records what it
//! publishes: only the fields its models keep (`published`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::server::{Recorded, Reply, Server};

/// A contract server and its verdicts: `Ok(path)` accepted, `Err(why)` refused.
pub struct Contract {
    pub server: Server,
    pub verdicts: Arc<Mutex<Vec<Result<String, String>>>>,
    /// What reached consumers (Bloodbank: the queue messages), in order.
    pub published: Arc<Mutex<Vec<Value>>>,
}

impl Contract {
    pub fn published(&self) -> Vec<Value> {
        self.published.lock().unwrap().clone()
    }
    /// The `Idempotency-Key` of every request received, in order (`""` when absent).
    pub fn idempotency_keys(&self) -> Vec<String> {
        self.server
            .received()
            .iter()
            .map(|r| r.header("idempotency-key").unwrap_or("").to_string())
            .collect()
    }
    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
    pub fn accepted(&self) -> Vec<String> {
        self.verdicts
            .lock()
            .unwrap()
            .iter()
            .filter_map(|v| v.clone().ok())
            .collect()
    }
    pub fn refused(&self) -> Vec<String> {
        self.verdicts
            .lock()
            .unwrap()
            .iter()
            .filter_map(|v| v.clone().err())
            .collect()
    }
    /// Waits for `n` verdicts (requests may land after the hook exits on slow runs).
    pub fn wait_for(&self, n: usize) {
        let end = std::time::Instant::now() + Duration::from_secs(3);
        while self.verdicts.lock().unwrap().len() < n && std::time::Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn start(
    delay: Duration,
    check: impl Fn(&Recorded) -> Result<Reply, (Reply, String)> + Send + Sync + 'static,
) -> Contract {
    let verdicts = Arc::new(Mutex::new(Vec::new()));
    let v = verdicts.clone();
    let server = Server::start(move |r| {
        let reply = match check(r) {
            Ok(reply) => {
                v.lock().unwrap().push(Ok(r.path.clone()));
                reply
            }
            Err((reply, why)) => {
                v.lock()
                    .unwrap()
                    .push(Err(format!("{} {}: {why}", r.method, r.path)));
                reply
            }
        };
        reply.delayed(delay)
    });
    Contract {
        server,
        verdicts,
        published: Arc::default(),
    }
}

/// The path of the first `null` in `v`, if any.
pub fn find_null(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::Null => Some(at.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_null(x, &format!("{at}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .find_map(|(k, x)| find_null(x, &format!("{at}.{k}"))),
        _ => None,
    }
}

fn body_object(r: &Recorded) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(&r.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("body is not a JSON object".into()),
        Err(e) => Err(format!("body is not JSON: {e}")),
    }
}

fn is_json(r: &Recorded) -> bool {
    r.header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
}

/// `sha256=<lowercase hex HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        tag.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

// ---------------------------------------------------------------- Bloodbank

const UUID_500: &str = r#"{"detail":"TypeError: Object of type UUID is not JSON serializable"}"#;

/// Bloodbank: FastAPI validation (422) on the claude-code routes; a valid body is
/// published and answered 500 "UUID is not JSON serializable", as every release does.
pub fn bloodbank() -> Contract {
    bloodbank_with(Duration::ZERO)
}

/// A valid request is published (recorded in `published`) before the answer is
/// delayed: a hung Bloodbank has published what its client then abandons.
pub fn bloodbank_with(delay: Duration) -> Contract {
    let published: Arc<Mutex<Vec<Value>>> = Arc::default();
    let queue = published.clone();
    let mut c = start(delay, move |r| {
        if r.method == "GET" && r.path == "/healthz" {
            return Ok(Reply::json(200, r#"{"ok":true,"service":"bloodbank"}"#));
        }
        if r.path.ends_with('/') {
            return Err((Reply::json(307, ""), "trailing slash".into()));
        }
        let route = r.path.strip_prefix("/events/claude-code/").unwrap_or("");
        let Some(required) = bloodbank_required(route) else {
            return Err((
                Reply::json(404, r#"{"detail":"Not Found"}"#),
                "no route".into(),
            ));
        };
        if r.method != "POST" {
            return Err((Reply::json(405, "{}"), "not POST".into()));
        }
        match bloodbank_validate(r, route, required) {
            Ok(()) => {
                queue.lock().unwrap().push(bloodbank_message(route, r));
                Ok(Reply::json(500, UUID_500))
            }
            Err(why) => {
                let body = format!(r#"{{"detail":[{{"msg":{}}}]}}"#, Value::String(why.clone()));
                Err((Reply::json(422, &body), why))
            }
        }
    });
    c.published = published;
    c
}

/// The queue message for a valid request: its routing key and the body as the
/// route's model keeps it (unknown keys are silently dropped).
fn bloodbank_message(route: &str, r: &Recorded) -> Value {
    let (key, fields) = bloodbank_model(route);
    let mut b = body_object(r).expect("validated");
    b.retain(|k, _| fields.contains(&k.as_str()));
    serde_json::json!({"routing_key": key, "event": b})
}

/// A route's routing key and every field its model has (required and optional).
fn bloodbank_model(route: &str) -> (&'static str, &'static [&'static str]) {
    match route {
        "session-start" => (
            "session.thread.start",
            &[
                "session_id",
                "working_directory",
                "model",
                "thread_id",
                "git_branch",
                "git_remote",
                "user_prompt",
                "context_files",
                "mcp_servers",
                "started_at",
            ],
        ),
        "tool-action" => (
            "session.thread.agent.action",
            &[
                "session_id",
                "tool_metadata",
                "tool_name",
                "tool_input",
                "thread_id",
                "conversation_id",
                "working_directory",
                "git_branch",
                "git_status",
                "model",
                "turn_number",
                "files_in_context",
                "tags",
            ],
        ),
        "session-end" => (
            "session.thread.end",
            &[
                "session_id",
                "end_reason",
                "final_status",
                "thread_id",
                "summary",
                "working_directory",
                "git_branch",
                "duration_seconds",
                "total_tokens",
                "total_cost_usd",
                "total_turns",
                "files_modified",
                "git_commits",
            ],
        ),
        "message" => (
            "session.thread.message",
            &[
                "session_id",
                "role",
                "content",
                "turn_number",
                "thread_id",
                "model",
                "tokens",
                "thinking_included",
                "tool_calls",
            ],
        ),
        "error" => (
            "session.thread.error",
            &[
                "session_id",
                "error_type",
                "error_message",
                "thread_id",
                "stack_trace",
                "tool_name",
                "recoverable",
                "turn_number",
            ],
        ),
        _ => (
            "session.thread.agent.thinking",
            &["session_id", "thinking_text", "thread_id"],
        ),
    }
}

/// The fields (and their types) one claude-code route requires; `None`: no such route.
fn bloodbank_required(route: &str) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match route {
        "session-start" => &[
            ("session_id", "str"),
            ("working_directory", "str"),
            ("model", "str"),
        ],
        "tool-action" => &[("session_id", "str"), ("tool_metadata", "obj")],
        "session-end" => &[
            ("session_id", "str"),
            ("end_reason", "str"),
            ("final_status", "str"),
        ],
        "message" => &[
            ("session_id", "str"),
            ("role", "str"),
            ("content", "str"),
            ("turn_number", "int"),
        ],
        "error" => &[
            ("session_id", "str"),
            ("error_type", "str"),
            ("error_message", "str"),
        ],
        "thinking" => &[("session_id", "str"), ("thinking_text", "str")],
        _ => return None,
    })
}

/// FastAPI's validation of a POST to `route`: `Err(why)` is answered 422.
fn bloodbank_validate(r: &Recorded, route: &str, required: &[(&str, &str)]) -> Result<(), String> {
    if !is_json(r) {
        return Err("Content-Type is not application/json".into());
    }
    let b = body_object(r)?;
    if let Some(p) = find_null(&Value::Object(b.clone()), "$") {
        return Err(format!("null at {p}"));
    }
    for (k, t) in required {
        let ok = match (t, b.get(*k)) {
            (&"str", Some(Value::String(_))) => true,
            (&"int", Some(v)) => v.is_u64() || v.is_i64(),
            (&"obj", Some(Value::Object(_))) => true,
            _ => false,
        };
        if !ok {
            return Err(format!("{route}: `{k}` missing or not {t}"));
        }
    }
    bloodbank_optional_types(&b)?;
    if b.contains_key("tools_used") {
        return Err("tools_used: one server version rejects either type".into());
    }
    if route == "tool-action" {
        let m = &b["tool_metadata"];
        if !m["tool_name"].is_string() || m.get("tool_input").is_none() {
            return Err("tool_metadata.tool_name / tool_input missing".into());
        }
        if m.get("success").is_some_and(|s| !s.is_boolean())
            || m.get("execution_time_ms").is_some_and(|s| !s.is_u64())
        {
            return Err("tool_metadata types".into());
        }
    }
    if route == "session-end" && !b.contains_key("total_turns") {
        return Err("total_turns is always sent".into());
    }
    if let Some(s) = b.get("started_at").and_then(Value::as_str)
        && !s.ends_with('Z')
    {
        return Err("started_at must end in Z".into());
    }
    Ok(())
}

/// Optional fields every route types the same way when they are present.
fn bloodbank_optional_types(b: &Map<String, Value>) -> Result<(), String> {
    let typed: &[(&str, &str)] = &[
        ("started_at", "str"),
        ("git_branch", "str"),
        ("git_remote", "str"),
        ("git_status", "str"),
        ("turn_number", "int"),
        ("duration_seconds", "int"),
        ("total_turns", "int"),
        ("summary", "str"),
        ("tool_name", "str"),
        ("tags", "strs"),
        ("files_in_context", "strs"),
        ("context_files", "strs"),
        ("mcp_servers", "strs"),
        ("files_modified", "strs"),
        ("git_commits", "strs"),
    ];
    for (k, t) in typed {
        let ok = match (t, b.get(*k)) {
            (_, None) => true,
            (&"str", Some(v)) => v.is_string(),
            (&"int", Some(v)) => v.is_u64() || v.is_i64(),
            (&"strs", Some(Value::Array(a))) => a.iter().all(Value::is_string),
            _ => false,
        };
        if !ok {
            return Err(format!("`{k}` is not {t}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- ChromaDB bridge

pub fn chroma(api_key: Option<&'static str>) -> Contract {
    chroma_with(api_key, Duration::ZERO)
}

/// The bridge: exact `/ingest`, Content-Length required, `X-API-Key` equality,
/// schema 1.0 with every required field, 201 stored / 202 duplicate by `hash`.
/// Speaks HTTP/1.0 and closes every connection, as the real one does.
pub fn chroma_with(api_key: Option<&'static str>, delay: Duration) -> Contract {
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    start(delay, move |r| {
        let reply = |status: u16, body: &str| Reply::json(status, body).http10();
        if r.method == "GET" && r.path == "/health" {
            return Ok(reply(200, r#"{"status":"healthy"}"#));
        }
        let b = chroma_admit(r, api_key)?;
        if let Err(why) = chroma_validate(&b) {
            return Err((reply(500, r#"{"error":"Internal error"}"#), why));
        }
        let id = b["event_id"].as_str().unwrap();
        let hash = b["hash"].as_str().unwrap().to_string();
        if !seen.lock().unwrap().insert(hash) {
            return Ok(reply(
                202,
                &format!(r#"{{"status":"duplicate","event_id":"{id}"}}"#),
            ));
        }
        Ok(reply(
            201,
            &format!(r#"{{"status":"success","event_id":"{id}"}}"#),
        ))
    })
}

/// The bridge's checks before the schema: path, Content-Length, API key, size,
/// one JSON object of schema 1.0. Each refusal with the bridge's own answer.
fn chroma_admit(
    r: &Recorded,
    api_key: Option<&str>,
) -> Result<Map<String, Value>, (Reply, String)> {
    let reply = |status: u16, body: &str| Reply::json(status, body).http10();
    if r.method != "POST" || !(r.path == "/ingest" || r.path == "/events") {
        return Err((reply(404, r#"{"error":"Not found"}"#), "path".into()));
    }
    if r.chunked || r.header("content-length").is_none() {
        return Err((
            reply(400, r#"{"error":"Invalid JSON"}"#),
            "no Content-Length (chunked body is read as empty)".into(),
        ));
    }
    if let Some(key) = api_key
        && r.header("x-api-key") != Some(key)
    {
        return Err((reply(401, r#"{"error":"Unauthorized"}"#), "API key".into()));
    }
    if r.body.len() > 10 * 1024 * 1024 {
        return Err((reply(413, r#"{"error":"Too large"}"#), "too large".into()));
    }
    let v: Value = match serde_json::from_slice(&r.body) {
        Ok(v) => v,
        Err(_) => return Err((reply(400, r#"{"error":"Invalid JSON"}"#), "JSON".into())),
    };
    let Value::Object(b) = v else {
        return Err((
            reply(500, r#"{"error":"Internal"}"#),
            "not one object".into(),
        ));
    };
    if b.get("schema_version") != Some(&Value::String("1.0".into())) {
        return Err((
            reply(400, r#"{"error":"Unsupported schema version"}"#),
            "schema_version".into(),
        ));
    }
    Ok(b)
}

/// Schema 1.0: no nulls, required strings, formats, enums, limits. `Err(why)` is
/// the bridge's 500 "Internal error".
fn chroma_validate(b: &Map<String, Value>) -> Result<(), String> {
    if let Some(p) = find_null(&Value::Object(b.clone()), "$") {
        return Err(format!("null at {p}"));
    }
    for k in [
        "event_id",
        "ts",
        "session_id",
        "run_id",
        "event_type",
        "level",
        "hook_event_name",
        "msg",
        "hash",
    ] {
        if b.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(format!("`{k}` missing, empty or not a string"));
        }
    }
    for k in [
        "worker_id",
        "task_id",
        "tool_name",
        "tool_use_id",
        "agent_role",
    ] {
        if b.get(k).is_some_and(|v| !v.is_string()) {
            return Err(format!("`{k}` not a string"));
        }
    }
    chroma_formats(b)?;
    let src = &b.get("source").cloned().unwrap_or_default();
    if !src["host"]
        .as_str()
        .is_some_and(|h| h.starts_with("host_") && h.len() == 17)
        || !src["remote"].is_boolean()
    {
        return Err("source.host / source.remote".into());
    }
    if b["msg"].as_str().unwrap().chars().count() > 500
        || b.get("indexable_text")
            .is_some_and(|t| t.as_str().is_none_or(|t| t.chars().count() > 2000))
    {
        return Err("msg / indexable_text too long".into());
    }
    let hash = b["hash"].as_str().unwrap();
    if hash.len() != 64 || !hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return Err("hash is not 64 lowercase hex".into());
    }
    let red = &b.get("data").cloned().unwrap_or_default()["redaction"];
    if !b["data"].is_object() || !red["applied"].is_boolean() || !red["mode"].is_string() {
        return Err("data / data.redaction".into());
    }
    Ok(())
}

/// The formats and enums of the required strings: UUID v4, RFC 3339 with
/// milliseconds, event_type, level, agent_role.
fn chroma_formats(b: &Map<String, Value>) -> Result<(), String> {
    let s = |k: &str| b[k].as_str().unwrap();
    let id = s("event_id");
    let hexish = |x: &str| x.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if id.len() != 36 || &id[14..15] != "4" || !hexish(id) {
        return Err("event_id is not a UUID v4".into());
    }
    let ts = s("ts");
    if ts.len() != 24 || !ts.ends_with('Z') || &ts[19..20] != "." {
        return Err(format!("ts `{ts}` is not RFC 3339 with milliseconds and Z"));
    }
    let types = [
        "session_start",
        "session_end",
        "worker_spawn",
        "worker_heartbeat",
        "progress",
        "artifact",
        "error",
        "tool_invocation",
        "decision",
        "done",
    ];
    if !types.contains(&s("event_type")) {
        return Err("event_type".into());
    }
    if !["debug", "info", "warn", "error"].contains(&s("level")) {
        return Err("level".into());
    }
    if let Some(role) = b.get("agent_role").and_then(Value::as_str)
        && !["conductor", "worker", "system"].contains(&role)
    {
        return Err("agent_role".into());
    }
    Ok(())
}

// ---------------------------------------------------------------- OrgLoop

pub fn orgloop(secret: Option<&'static str>) -> Contract {
    orgloop_with(secret, Duration::ZERO)
}

/// OrgLoop's webhook source `claude-code`: exact HMAC check when a secret is set.
pub fn orgloop_with(secret: Option<&'static str>, delay: Duration) -> Contract {
    start(delay, move |r| {
        let path = r.path.split('?').next().unwrap_or("");
        if path.trim_end_matches('/') != "/webhook/claude-code" {
            return Err((
                Reply::json(404, r#"{"error":"Unknown source: x"}"#),
                "source".into(),
            ));
        }
        if r.method != "POST" {
            return Err((
                Reply::json(405, r#"{"error":"Method not allowed"}"#),
                "method".into(),
            ));
        }
        if let Some(secret) = secret {
            let got = r
                .header("x-hub-signature-256")
                .or_else(|| r.header("x-signature"));
            match got {
                None => {
                    return Err((
                        Reply::json(401, r#"{"error":"Missing signature"}"#),
                        "missing signature".into(),
                    ));
                }
                Some(sig) if sig != sign(secret, &r.body) => {
                    return Err((
                        Reply::json(401, r#"{"error":"Invalid signature"}"#),
                        "invalid signature".into(),
                    ));
                }
                _ => {}
            }
        }
        let bad = |why: &str| {
            Err((
                Reply::json(400, r#"{"error":"Invalid JSON payload"}"#),
                why.to_string(),
            ))
        };
        if std::str::from_utf8(&r.body).is_err() {
            return bad("body is not UTF-8");
        }
        let Ok(b) = body_object(r) else {
            return bad("JSON");
        };
        // The real connector takes anything that parses; these are what makes the
        // emitted event useful, so the test server insists on them.
        let not_str = |k: &str| b.get(k).is_some_and(|v| !v.is_string());
        if [
            "working_directory",
            "summary",
            "transcript_path",
            "timestamp",
        ]
        .iter()
        .any(|k| not_str(k))
        {
            return bad("working_directory / summary / transcript_path / timestamp not strings");
        }
        if !b.get("session_id").is_some_and(Value::is_string)
            || b.get("exit_status")
                .is_some_and(|v| !(v.is_u64() || v.is_i64()))
            || b.get("duration_seconds").is_some_and(|v| !v.is_number())
            || b.get("hook_type")
                .is_some_and(|v| v != "start" && v != "stop")
            || b.get("meta").is_some_and(|v| !v.is_object())
        {
            return bad("field types");
        }
        if b.get("hook_type").and_then(Value::as_str) != Some("start")
            && !b
                .get("exit_status")
                .is_some_and(|v| v.is_u64() || v.is_i64())
        {
            return bad("a stop needs an integer exit_status");
        }
        if let Some(p) = find_null(&Value::Object(b), "$") {
            return bad(&format!("null at {p}"));
        }
        Ok(Reply::json(
            200,
            r#"{"ok":true,"event_id":"evt_0123456789abcdef"}"#,
        ))
    })
}

/// What OrgLoop emits for an accepted body (`provenance.platform_event`): a
/// start is `session.started`; a stop is `session.completed` for exit status 0,
/// `session.stopped` above 128 (a signal), else `session.failed`.
pub fn orgloop_platform_event(body: &Value) -> &'static str {
    if body["hook_type"] == "start" {
        return "session.started";
    }
    match body["exit_status"].as_i64() {
        Some(0) => "session.completed",
        Some(n) if n > 128 => "session.stopped",
        _ => "session.failed",
    }
}

// ---------------------------------------------------------------- generic webhook

/// A team's own server (`POST /events`, `X-API-Key`), optionally checking an HMAC.
pub fn webhook(api_key: Option<&'static str>, secret: Option<&'static str>) -> Contract {
    webhook_with(api_key, secret, Duration::ZERO)
}

pub fn webhook_with(
    api_key: Option<&'static str>,
    secret: Option<&'static str>,
    delay: Duration,
) -> Contract {
    start(delay, move |r| {
        if r.method != "POST" || r.path != "/events" {
            return Err((Reply::json(404, "{}"), "path".into()));
        }
        if let Some(k) = api_key
            && r.header("x-api-key") != Some(k)
        {
            return Err((Reply::json(401, r#"{"error":"bad key"}"#), "API key".into()));
        }
        if let Some(s) = secret
            && r.header("x-hub-signature-256") != Some(sign(s, &r.body).as_str())
        {
            return Err((
                Reply::json(401, r#"{"error":"bad signature"}"#),
                "HMAC".into(),
            ));
        }
        let Ok(b) = body_object(r) else {
            return Err((Reply::json(400, "{}"), "JSON".into()));
        };
        for k in ["id", "ts", "hook_event_name", "session_id", "input"] {
            if !b.contains_key(k) {
                return Err((Reply::json(400, "{}"), format!("`{k}` missing")));
            }
        }
        if r.header("x-hook-event") != b["hook_event_name"].as_str()
            || r.header("idempotency-key") != b["id"].as_str()
            || !r
                .header("user-agent")
                .is_some_and(|u| u.starts_with("hookrelay/"))
            || !is_json(r)
        {
            return Err((Reply::json(400, "{}"), "headers".into()));
        }
        Ok(Reply::json(200, r#"{"ok":true}"#))
    })
}

/// Answers every request with `status` and `body` (a backend in trouble).
pub fn answering(status: u16, body: &'static str) -> Server {
    Server::start(move |_| Reply::json(status, body))
}
