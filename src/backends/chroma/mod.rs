//! The Claude Hooks System ChromaDB bridge, `POST /ingest` schema 1.0
//! (`contracts/chroma-bridge.md`): the envelope, its dedupe `hash` (byte-compatible
//! with the bridge's own Python hooks), the pseudonymous host, the strict
//! redaction floor (in `floor`), and what the bridge's answers mean.

mod floor;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Backend, Error, EventSet, HttpResponse, Outcome, Request, Secret};
use crate::error::{Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

pub const DEFAULT_ENDPOINT: &str = "http://localhost:9000/ingest";

/// Salt of the host pseudonym when neither the config nor `$HOSTNAME_SALT` gives
/// one: the bridge kit's own default, so that events from hookrelay join the ones
/// the kit already stored for this host. Public, so it only hides host names from
/// casual readers; set your own.
pub const DEFAULT_SALT: &str = "default_salt";

/// The bridge answers 413 above 10 MB; stay well clear of it.
const MAX_BODY_BYTES: usize = 9 * 1024 * 1024;
const MSG_CHARS: usize = 500;
const INDEXABLE_CHARS: usize = 2000;

/// The bridge kit's `ZO_REDACTION_MODE`. As in the kit, `strict` (the default) and
/// `lenient` mask the same (hookrelay's redaction plus the kit's floor: e-mails,
/// IPv4, its key shape) and only `disabled` skips the floor; hookrelay's own
/// redaction applies before any backend in every mode.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum RedactionMode {
    #[default]
    Strict,
    Lenient,
    Disabled,
    /// A value that is none of the three (in the file): masks as `strict`, never
    /// less, and `validate` warns about it.
    Unrecognised,
}

impl RedactionMode {
    /// The mode as the kit names it in `data.redaction.mode`.
    fn as_str(self) -> &'static str {
        match self {
            RedactionMode::Strict | RedactionMode::Unrecognised => "strict",
            RedactionMode::Lenient => "lenient",
            RedactionMode::Disabled => "disabled",
        }
    }

    /// Does the kit's floor apply? Everything but `disabled`.
    pub fn masks(self) -> bool {
        self != RedactionMode::Disabled
    }

    /// In any case (`STRICT`, `Lenient`), surrounding spaces ignored.
    fn parse(s: &str) -> Option<RedactionMode> {
        let s = s.trim();
        [
            ("strict", RedactionMode::Strict),
            ("lenient", RedactionMode::Lenient),
            ("disabled", RedactionMode::Disabled),
        ]
        .into_iter()
        .find(|(name, _)| s.eq_ignore_ascii_case(name))
        .map(|(_, m)| m)
    }
}

impl<'de> Deserialize<'de> for RedactionMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RedactionMode, D::Error> {
        let s = String::deserialize(d)?;
        Ok(RedactionMode::parse(&s).unwrap_or(RedactionMode::Unrecognised))
    }
}

/// What an unknown mode becomes, and says so.
const UNKNOWN_MODE_FIX: &str =
    "masking as strict (e-mails, IPv4 and keys in data); use strict, lenient or disabled";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChromaConfig {
    /// The ingest URL; its path must end in `/ingest` (or the `/events` alias).
    #[serde(default = "default_endpoint", alias = "url")]
    pub endpoint: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Events sent (default: all).
    pub events: Option<EventSet>,
    /// Sent as `X-API-Key` (the bridge's `ZO_API_KEY`).
    pub api_key: Option<Secret>,
    /// Salt of the host pseudonym (default `$HOSTNAME_SALT`, else `hookrelay`).
    pub hostname_salt: Option<Secret>,
    #[serde(default)]
    pub redaction_mode: RedactionMode,
    /// A PEM file of CA certificates trusted for this endpoint, on top of the
    /// system's (a private CA).
    pub ca_file: Option<String>,
    /// `$HOME`, so `cwd` can be sent as `~/...` (from the environment, never the file).
    #[serde(skip)]
    pub home: Option<String>,
    #[serde(skip)]
    pub from_env: bool,
}

fn default_endpoint() -> String {
    DEFAULT_ENDPOINT.to_string()
}

impl ChromaConfig {
    /// The hook kit's variables: `ZO_EVENT_ENDPOINT` enables (with `ZO_API_KEY`,
    /// `HOSTNAME_SALT`, `ZO_REDACTION_MODE`). `HOSTNAME_SALT` and `HOME` also fill a
    /// file section that does not set them.
    pub fn apply_env(
        slot: &mut Option<ChromaConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        warnings: &mut Warnings,
    ) {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        if slot.is_none() {
            let Some(endpoint) = get("ZO_EVENT_ENDPOINT") else {
                return;
            };
            let mode = match get("ZO_REDACTION_MODE") {
                None => RedactionMode::default(),
                Some(m) => RedactionMode::parse(&m).unwrap_or_else(|| {
                    warnings.push(
                        Problem::new(format!("`{m}` is not strict, lenient or disabled"))
                            .at("$ZO_REDACTION_MODE")
                            .fix(UNKNOWN_MODE_FIX),
                    );
                    RedactionMode::Strict
                }),
            };
            *slot = Some(ChromaConfig {
                endpoint,
                enabled: true,
                events: None,
                api_key: get("ZO_API_KEY").map(Secret::new),
                hostname_salt: None,
                redaction_mode: mode,
                ca_file: None,
                home: None,
                from_env: true,
            });
        }
        let c = slot.as_mut().expect("set above");
        if c.hostname_salt.is_none() {
            c.hostname_salt = get("HOSTNAME_SALT").map(Secret::new);
        }
        c.home = get("HOME");
    }

    pub fn validate(&self, warnings: &mut Warnings) -> Result<(), Error> {
        let field = if self.from_env {
            "$ZO_EVENT_ENDPOINT"
        } else {
            "backends.chroma.endpoint"
        };
        let uri = super::url::check_url(field, &self.endpoint)?;
        let path = uri.path();
        if uri.query().is_some() || !(path.ends_with("/ingest") || path.ends_with("/events")) {
            return Err(Error::at(
                field,
                format!(
                    "`{}` must end in /ingest, without a trailing slash or query (the bridge answers 404 otherwise)",
                    crate::util::url::display(&self.endpoint)
                ),
            )
            .fix(format!("e.g. {DEFAULT_ENDPOINT}")));
        }
        if self.api_key.as_ref().is_some_and(|k| !k.is_empty()) {
            super::url::warn_plain_http(field, &uri, "API key", warnings);
        }
        super::check_ca_file("backends.chroma.ca_file", &self.ca_file)?;
        if self.redaction_mode == RedactionMode::Unrecognised {
            warnings.push(
                Problem::new("not strict, lenient or disabled")
                    .at("backends.chroma.redaction_mode")
                    .fix(UNKNOWN_MODE_FIX),
            );
        }
        Ok(())
    }
}

single_backend_config!(ChromaConfig, "backends.chroma", Chroma);

pub struct Chroma {
    config: ChromaConfig,
}

impl Chroma {
    pub fn new(config: ChromaConfig) -> Chroma {
        Chroma { config }
    }

    fn salt(&self) -> &str {
        self.config
            .hostname_salt
            .as_ref()
            .map_or(DEFAULT_SALT, |s| s.expose())
    }

    /// The schema 1.0 envelope for one event. Keys are inserted in the bridge
    /// kit's order (the map keeps it), so each step below adds its own keys.
    pub fn envelope(&self, env: &Envelope) -> Value {
        let event = env.hook_event_name.as_str();
        let (event_type, level) = event_type(event);
        let mut out = Map::new();
        insert_ids(&mut out, env, event_type, level);
        out.insert("source".into(), self.source(env));
        out.insert("hook_event_name".into(), json!(event));

        let msg = message(env);
        let error = error_detail(env);
        insert_context(&mut out, env, &msg, error.as_ref());

        let data = self.data(env);
        let hash = hash(&env.session_id, &env.ts, event_type, &data);
        out.insert("data".into(), data);
        out.insert("hash".into(), json!(hash));

        let text = indexable_text(env, msg, error.as_ref());
        out.insert(
            "indexable_text".into(),
            json!(crate::util::text::truncate_chars(&text, INDEXABLE_CHARS)),
        );
        if self.config.redaction_mode.masks() {
            self.mask_text_fields(&mut out);
        }
        Value::Object(out)
    }

    /// The kit masks only inside `data`; the bridge also stores and indexes `msg`,
    /// `error_detail` and `indexable_text`, which quote the same prompt or error,
    /// so the floor applies there too (never less than in `data`). Outside the
    /// hash, so dedupe is unchanged; counted in no report.
    fn mask_text_fields(&self, out: &mut Map<String, Value>) {
        for (key, cap) in [
            ("msg", Some(MSG_CHARS)),
            ("error_detail", None),
            ("indexable_text", Some(INDEXABLE_CHARS)),
        ] {
            if let Some(v) = out.get_mut(key) {
                floor::strict_floor(v);
                if let (Some(cap), Value::String(s)) = (cap, v) {
                    *s = crate::util::text::truncate_chars(s, cap).to_string();
                }
            }
        }
    }

    /// Where the event happened: the pseudonymous host, and the directories with
    /// `$HOME` shown as `~`.
    fn source(&self, env: &Envelope) -> Value {
        let mut source = Map::new();
        source.insert("host".into(), json!(pseudonym(self.salt(), &env.host.name)));
        source.insert("remote".into(), json!(env.host.remote));
        let home = self.config.home.as_deref();
        if let Some(cwd) = field(env, "cwd").or(env.project_dir.as_deref()) {
            source.insert("cwd".into(), json!(tilde(cwd, home)));
        }
        if let Some(p) = env.project_dir.as_deref().or(field(env, "cwd")) {
            source.insert("project_dir".into(), json!(tilde(p, home)));
        }
        Value::Object(source)
    }

    /// `data`: the redacted input, the kit's floor on top unless the mode is
    /// `disabled`, sized to fit, with what redaction did.
    fn data(&self, env: &Envelope) -> Value {
        let mut data = env.input.clone();
        if !data.is_object() {
            data = json!({ "input": data });
        }
        super::strip_nulls(&mut data);
        let mut rules = env.redaction.rules.clone();
        let mut applied = env.redaction.applied;
        if self.config.redaction_mode.masks() {
            for (rule, n) in floor::strict_floor(&mut data) {
                *rules.entry(rule).or_insert(0) += n;
                applied = true;
            }
        }
        fit(&mut data, MAX_BODY_BYTES);
        data.as_object_mut().expect("an object").insert(
            "redaction".into(),
            json!({"applied": applied, "rules": rules, "mode": self.config.redaction_mode.as_str()}),
        );
        data
    }
}

/// A non-empty string field of the event's input.
fn field<'a>(env: &'a Envelope, key: &str) -> Option<&'a str> {
    env.input_str(key).filter(|v| !v.is_empty())
}

/// `event_id` to `level`: which event of which session and run, and its kind.
fn insert_ids(out: &mut Map<String, Value>, env: &Envelope, event_type: &str, level: &str) {
    out.insert("event_id".into(), json!(env.id));
    out.insert("ts".into(), json!(env.ts));
    out.insert("schema_version".into(), json!("1.0"));
    out.insert("session_id".into(), json!(env.session_id));
    out.insert(
        "run_id".into(),
        json!(
            env.run_id
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| format!("session-{}", env.session_id))
        ),
    );
    out.insert("event_type".into(), json!(event_type));
    out.insert("level".into(), json!(level));
}

/// `msg` to `error_detail`: the one-line message, who acted (conductor or
/// worker), the task and tool, and the error of a failure.
fn insert_context(out: &mut Map<String, Value>, env: &Envelope, msg: &str, error: Option<&Value>) {
    out.insert(
        "msg".into(),
        json!(crate::util::text::truncate_chars(msg, MSG_CHARS)),
    );
    out.insert(
        "agent_role".into(),
        json!(if env.agent_id.is_some() {
            "worker"
        } else {
            "conductor"
        }),
    );
    if let Some(a) = env.agent_id.as_deref().filter(|a| !a.is_empty()) {
        out.insert("worker_id".into(), json!(a));
    }
    for key in ["task_id", "tool_name", "tool_use_id"] {
        if let Some(v) = field(env, key) {
            out.insert(key.into(), json!(v));
        }
    }
    if let Some(e) = error {
        out.insert("error_detail".into(), e.clone());
    }
}

/// The text the bridge indexes: the message, tool, error and what was said.
fn indexable_text(env: &Envelope, msg: String, error: Option<&Value>) -> String {
    let mut text = msg;
    if let Some(t) = field(env, "tool_name") {
        text.push_str(&format!(" | Tool: {t}"));
    }
    if let Some(e) = error.and_then(|e| e["message"].as_str()) {
        text.push_str(&format!(" | Error: {e}"));
    }
    for key in ["prompt", "last_assistant_message", "message"] {
        if let Some(v) = field(env, key) {
            text.push_str(&format!(" | {v}"));
        }
    }
    text
}

impl Backend for Chroma {
    fn name(&self) -> &str {
        "chroma"
    }

    fn wants(&self, event: &str) -> bool {
        self.config
            .events
            .as_ref()
            .is_none_or(|e| e.contains(event))
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        let body = serde_json::to_vec(&self.envelope(env)).expect("JSON values serialise");
        // The bridge ignores it (its dedupe key is `hash`); a proxy in front may not.
        let mut headers = vec![("Idempotency-Key".to_string(), env.id.clone())];
        if let Some(k) = self.config.api_key.as_ref().filter(|k| !k.is_empty()) {
            headers.push(("X-API-Key".to_string(), k.expose().to_string()));
        }
        Some(super::with_ca_file(
            super::json_post(self.config.endpoint.clone(), headers, body),
            &self.config.ca_file,
        ))
    }

    fn classify(&self, resp: &HttpResponse) -> Outcome {
        classify(resp)
    }

    fn endpoint(&self) -> String {
        self.config.endpoint.clone()
    }

    fn carries_secret(&self) -> bool {
        super::is_set(&self.config.api_key)
    }

    /// `/health` needs no key, so it proves nothing about one. The bridge checks
    /// the key before it looks at the body (401), then answers a body that is not
    /// JSON with 400 and stores nothing: an authenticated invalid body proves
    /// endpoint and key without an event.
    fn probe(&self) -> super::Probe {
        let mut headers = Vec::new();
        if let Some(k) = self.config.api_key.as_ref().filter(|k| !k.is_empty()) {
            headers.push(("X-API-Key".to_string(), k.expose().to_string()));
        }
        super::Probe::Http(super::with_ca_file(
            super::json_post(self.config.endpoint.clone(), headers, PROBE_BODY.to_vec()),
            &self.config.ca_file,
        ))
    }

    fn judge_probe(&self, resp: &HttpResponse) -> super::Finding {
        judge_probe(resp, super::is_set(&self.config.api_key))
    }
}

/// Not JSON: the bridge refuses it (400) after the key check, and a person
/// reading the bridge's log sees what it was.
pub const PROBE_BODY: &[u8] = b"hookrelay doctor: not an event";

/// The bridge's answer to `PROBE_BODY`.
pub fn judge_probe(resp: &HttpResponse, with_key: bool) -> super::Finding {
    use super::Finding;
    match resp.status {
        400 if with_key => Finding::proven(
            "key accepted (an invalid body sent with the API key got 400 from the bridge, not 401; nothing stored)",
        ),
        400 => Finding::proven(
            "the bridge takes requests without a key (an invalid body got 400, not 401; nothing stored)",
        ),
        401 if with_key => Finding::failed(
            "the bridge refused the API key (401)",
            "set backends.chroma.api_key / $ZO_API_KEY to the bridge's ZO_API_KEY",
        ),
        401 => Finding::failed(
            "the bridge requires an API key and none is configured (401)",
            "set $ZO_API_KEY (or backends.chroma.api_key) to the bridge's ZO_API_KEY",
        ),
        s if (200..300).contains(&s) => Finding::failed(
            format!(
                "the endpoint answered {s} to a body that is not JSON: it is not the ChromaDB bridge's /ingest"
            ),
            "check backends.chroma.endpoint / $ZO_EVENT_ENDPOINT",
        ),
        _ => Finding::unexpected(
            resp,
            classify(resp),
            "fix the setting named; until then its events wait in the spool",
        ),
    }
}

/// The answer table of `contracts/chroma-bridge.md`: the shared table (202, "an
/// event with this hash was stored before", is delivered; 400, 413 and 422 are
/// refused), plus a hint on a 404, which means a wrong path.
pub fn classify(resp: &HttpResponse) -> Outcome {
    super::status::outcome_with(
        resp,
        "the bridge refused the API key; check backends.chroma.api_key / $ZO_API_KEY",
        "check backends.chroma.endpoint / $ZO_EVENT_ENDPOINT (it must end in /ingest)",
    )
}

/// Suggested `event_type` mapping, with the level that goes with it.
pub fn event_type(event: &str) -> (&'static str, &'static str) {
    use HookEvent::*;
    match HookEvent::from_name(event) {
        Some(SessionStart) => ("session_start", "info"),
        Some(SessionEnd) => ("session_end", "info"),
        Some(PreToolUse | PostToolUse) => ("tool_invocation", "info"),
        Some(PostToolUseFailure | StopFailure) => ("error", "error"),
        Some(SubagentStart) => ("worker_spawn", "info"),
        Some(SubagentStop) => ("done", "info"),
        Some(PermissionDenied) => ("progress", "warn"),
        _ => ("progress", "info"),
    }
}

/// `"PostToolUse: Bash"`, `"SessionEnd: other"`, or just the event name.
fn message(env: &Envelope) -> String {
    let s = |k: &str| env.input_str(k).filter(|v| !v.is_empty());
    let detail = s("tool_name")
        .or_else(|| s("reason"))
        .or_else(|| s("source"))
        .or_else(|| s("agent_type"))
        .or_else(|| s("error"))
        .or_else(|| s("notification_type"));
    match detail {
        Some(d) => format!("{}: {d}", env.hook_event_name),
        None => env.hook_event_name.clone(),
    }
}

fn error_detail(env: &Envelope) -> Option<Value> {
    let s = |k: &str| {
        env.input_str(k)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    match HookEvent::from_name(&env.hook_event_name)? {
        HookEvent::PostToolUseFailure => Some(json!({
            "type": "tool_failure",
            "message": s("error").unwrap_or_else(|| "tool failed".into()),
        })),
        HookEvent::StopFailure => {
            let kind = s("error").unwrap_or_else(|| "unknown".into());
            let message = s("error_details")
                .or_else(|| s("last_assistant_message"))
                .unwrap_or_else(|| kind.clone());
            Some(json!({"type": kind, "message": message}))
        }
        _ => None,
    }
}

/// `"host_"` + 12 hex of SHA-256(`<salt>:<hostname>`), as the bridge kit computes it.
pub fn pseudonym(salt: &str, hostname: &str) -> String {
    let digest = Sha256::digest(format!("{salt}:{hostname}").as_bytes());
    format!("host_{}", &crate::util::text::hex(&digest)[..12])
}

/// `path` with the home directory prefix written as `~`.
pub fn tilde(path: &str, home: Option<&str>) -> String {
    let Some(home) = home
        .map(|h| h.trim_end_matches('/'))
        .filter(|h| !h.is_empty())
    else {
        return path.to_string();
    };
    match path.strip_prefix(home) {
        Some("") => "~".to_string(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// The dedupe key: SHA-256 of the canonical JSON of `{session_id, ts, event_type, data}`.
pub fn hash(session_id: &str, ts: &str, event_type: &str, data: &Value) -> String {
    let mut m = Map::new();
    m.insert("session_id".into(), json!(session_id));
    m.insert("ts".into(), json!(ts));
    m.insert("event_type".into(), json!(event_type));
    m.insert("data".into(), data.clone());
    crate::util::text::hex(&Sha256::digest(python_json(&Value::Object(m)).as_bytes()))
}

/// Python's `json.dumps(v, sort_keys=True, ensure_ascii=False)`: keys sorted at
/// every level, `", "` and `": "` separators, raw UTF-8, Python's float repr.
pub fn python_json(v: &Value) -> String {
    let mut out = String::new();
    write_py(v, &mut out);
    out
}

fn write_py(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&python_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_py_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            // Rust's str order is code point order, like Python's sort of str keys.
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_str(k, out);
                out.push_str(": ");
                write_py(&m[k], out);
            }
            out.push('}');
        }
    }
}

fn write_py_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, positional for exponents
/// -4..16, else `d.ddde+XX`.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sci = format!("{f:e}"); // shortest digits, e.g. "-1.5e-7", "1e16"
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let s = if exp < 0 {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else if exp + 1 >= n {
            format!("{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
        } else {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{s}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

/// Shrinks the longest strings of `data` until its JSON fits in `max` bytes, so
/// the bridge never answers 413. Done before hashing: the hash covers what is sent.
fn fit(data: &mut Value, max: usize) {
    let size = |d: &Value| serde_json::to_vec(d).map_or(0, |b| b.len());
    let mut cap = 1024 * 1024;
    while size(data) > max && cap >= 64 {
        crate::backends::cap_strings(data, cap);
        cap /= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::{all_events, assert_no_nulls, envelope, resp};

    fn config() -> ChromaConfig {
        ChromaConfig {
            endpoint: "http://127.0.0.1:9000/ingest".into(),
            enabled: true,
            events: None,
            api_key: Some(Secret::new("zo-fake-key-123")),
            hostname_salt: Some(Secret::new("pepper")),
            redaction_mode: RedactionMode::Lenient,
            ca_file: None,
            home: Some("/tmp/h2".into()),
            from_env: false,
        }
    }

    fn body(r: &Request) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    fn is_uuid_v4(s: &str) -> bool {
        let b = s.as_bytes();
        s.len() == 36
            && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
            && b[14] == b'4'
            && b"89ab".contains(&b[19])
            && s.chars()
                .filter(|c| *c != '-')
                .all(|c| c.is_ascii_hexdigit())
    }

    #[test]
    fn every_fixture_gives_a_complete_schema_1_0_envelope() {
        let c = Chroma::new(config());
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
        for event in all_events() {
            let env = envelope(&event);
            assert!(c.wants(&event));
            let r = c.request(&env).unwrap();
            assert_eq!(r.url, "http://127.0.0.1:9000/ingest");
            assert_eq!(r.header("x-api-key"), Some("zo-fake-key-123"));
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.header("idempotency-key"), Some(env.id.as_str()));
            let v = body(&r);
            assert_no_nulls(&v);
            assert!(is_uuid_v4(v["event_id"].as_str().unwrap()));
            assert_eq!(v["event_id"], env.id.as_str());
            assert_eq!(v["ts"], "2026-11-22T00:50:38.378Z");
            assert_eq!(v["schema_version"], "1.0");
            assert_eq!(v["session_id"], env.session_id.as_str());
            assert!(v["run_id"].as_str().is_some_and(|r| !r.is_empty()));
            assert!(
                types.contains(&v["event_type"].as_str().unwrap()),
                "{event}"
            );
            assert!(["debug", "info", "warn", "error"].contains(&v["level"].as_str().unwrap()));
            assert_eq!(v["hook_event_name"], event.as_str());
            assert!(v["msg"].as_str().unwrap().chars().count() <= MSG_CHARS);
            assert!(v["indexable_text"].as_str().unwrap().chars().count() <= INDEXABLE_CHARS);
            let h = v["hash"].as_str().unwrap();
            assert!(h.len() == 64 && h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
            assert!(v["source"]["remote"].is_boolean());
            assert!(v["source"]["host"].as_str().unwrap().starts_with("host_"));
            assert_eq!(v["data"]["redaction"]["mode"], "lenient");
            assert!(v["data"]["redaction"]["applied"].is_boolean());
            assert_eq!(
                v["data"]["hook_event_name"],
                event.as_str(),
                "data is the input"
            );
        }
    }

    #[test]
    fn mapping_roles_and_error_details() {
        let c = Chroma::new(config());
        let v = c.envelope(&envelope("PostToolUse"));
        assert_eq!(
            (v["event_type"].as_str(), v["level"].as_str()),
            (Some("tool_invocation"), Some("info"))
        );
        assert_eq!(v["msg"], "PostToolUse: Bash");
        assert_eq!(v["indexable_text"], "PostToolUse: Bash | Tool: Bash");
        assert_eq!(v["tool_name"], "Bash");
        assert_eq!(v["tool_use_id"], "toolu_1a6162c944364625a2298c7b");
        assert_eq!(v["agent_role"], "conductor");
        assert_eq!(v["source"]["cwd"], "~/proj");
        assert!(v.get("worker_id").is_none() && v.get("error_detail").is_none());

        let v = c.envelope(&envelope("PostToolUseFailure"));
        assert_eq!(
            (v["event_type"].as_str(), v["level"].as_str()),
            (Some("error"), Some("error"))
        );
        assert_eq!(
            v["error_detail"],
            json!({"type": "tool_failure", "message": "Exit code 3\noops"})
        );

        let v = c.envelope(&envelope("StopFailure"));
        assert_eq!(v["error_detail"]["type"], "unknown");
        assert_eq!(v["level"], "error");

        let v = c.envelope(&envelope("SubagentStart"));
        assert_eq!(v["event_type"], "worker_spawn");
        assert_eq!(v["agent_role"], "worker");
        assert_eq!(v["worker_id"], "a4b7c3313463e8750");
        assert_eq!(c.envelope(&envelope("SubagentStop"))["event_type"], "done");
        assert_eq!(
            c.envelope(&envelope("SessionStart"))["event_type"],
            "session_start"
        );
        assert_eq!(
            c.envelope(&envelope("SessionEnd"))["event_type"],
            "session_end"
        );
        assert_eq!(
            c.envelope(&envelope("Notification"))["event_type"],
            "progress"
        );
        assert!(c.envelope(&envelope("TaskCreated"))["task_id"].is_string());
    }

    #[test]
    fn run_id_is_claude_run_id_else_stable_per_session() {
        let c = Chroma::new(config());
        let mut env = envelope("Stop");
        let a = c.envelope(&env)["run_id"].clone();
        let mut other = envelope("PreToolUse");
        other.id = "other".into();
        assert_eq!(a, c.envelope(&other)["run_id"], "same session, same run");
        env.run_id = Some("run-42".into());
        assert_eq!(c.envelope(&env)["run_id"], "run-42");
    }

    #[test]
    fn replays_are_byte_identical_and_hash_changes_with_data() {
        let c = Chroma::new(config());
        let env = envelope("PostToolUse");
        assert_eq!(c.request(&env), c.request(&env));
        let mut other = env.clone();
        other.input["tool_input"]["command"] = json!("ls");
        assert_ne!(c.envelope(&env)["hash"], c.envelope(&other)["hash"]);
        // event_id is not part of the hash: a re-minted id still dedupes.
        other = env.clone();
        other.id = "11111111-1111-4111-8111-111111111111".into();
        assert_eq!(c.envelope(&env)["hash"], c.envelope(&other)["hash"]);
    }

    #[test]
    fn without_a_salt_the_host_is_named_as_the_bridge_kit_names_it() {
        let mut c = config();
        c.hostname_salt = None;
        let c = Chroma::new(c);
        let mut env = envelope("Stop");
        env.host.name = "devbox-7".into();
        // python3 -c 'import hashlib;print(hashlib.sha256(b"default_salt:devbox-7").hexdigest()[:12])'
        assert_eq!(c.envelope(&env)["source"]["host"], "host_3117bb74991e");
    }

    #[test]
    fn host_pseudonym_and_home_prefix() {
        // python3 -c 'import hashlib;print(hashlib.sha256(b"pepper:devbox").hexdigest()[:12])'
        assert_eq!(pseudonym("pepper", "devbox"), "host_1e45c60ef2f6");
        assert_eq!(tilde("/home/dev/src/x", Some("/home/dev")), "~/src/x");
        assert_eq!(tilde("/home/dev", Some("/home/dev/")), "~");
        assert_eq!(
            tilde("/home/developer/x", Some("/home/dev")),
            "/home/developer/x"
        );
        assert_eq!(tilde("/srv/x", None), "/srv/x");
    }

    #[test]
    fn canonical_json_matches_a_vector_computed_by_python() {
        // python3 -c 'import json,hashlib,sys; d=json.loads(sys.stdin.read()); \
        //   s=json.dumps(d, sort_keys=True, ensure_ascii=False); print(s); \
        //   print(hashlib.sha256(s.encode()).hexdigest())'
        let v: Value = serde_json::from_str(
            r#"{"z": [1, 2.5, -0.0, 1e16, 1.5e-7, 0.0001, 123.456], "a": {"é": "ü\n\t\"\\\u0001\u007f", "b": null, "c": true}, "ts": "2026-11-22T00:50:38.378Z", "big": 18446744073709551615, "neg": -5}"#,
        )
        .unwrap();
        let s = python_json(&v);
        assert_eq!(
            s,
            "{\"a\": {\"b\": null, \"c\": true, \"é\": \"ü\\n\\t\\\"\\\\\\u0001\u{7f}\"}, \"big\": 18446744073709551615, \"neg\": -5, \"ts\": \"2026-11-22T00:50:38.378Z\", \"z\": [1, 2.5, -0.0, 1e+16, 1.5e-07, 0.0001, 123.456]}"
        );
        assert_eq!(
            crate::util::text::hex(&Sha256::digest(s.as_bytes())),
            "947dceffb508c0d889d5ff2f52b475c1111385570397ee48d7fb437e05c29891"
        );
    }

    #[test]
    fn canonical_json_matches_python3_on_every_fixture() {
        let c = Chroma::new(config());
        let mut docs = Vec::new();
        for event in all_events() {
            let v = c.envelope(&envelope(&event));
            let mut m = Map::new();
            for k in ["session_id", "ts", "event_type", "data"] {
                m.insert(k.into(), v[k].clone());
            }
            docs.push((Value::Object(m), v["hash"].as_str().unwrap().to_string()));
        }
        // Numbers, escapes and non-ASCII keys, where serializers usually differ.
        let tricky: Value = serde_json::from_str(
            r#"{"n": [0.1, 1e22, 1e-5, 5e-324, 1.7976931348623157e308, -2.5e-8, 100.0, 12345678901234567890], "ключ": "a\u0000b\u001f\u2028", "k": {"B": 1, "a": [], "_": {}}}"#,
        )
        .unwrap();
        let tricky_hash = crate::util::text::hex(&Sha256::digest(python_json(&tricky).as_bytes()));
        docs.push((tricky, tricky_hash));
        let script = "import sys,json,hashlib\nfor line in sys.stdin:\n    d=json.loads(line)\n    print(hashlib.sha256(json.dumps(d, sort_keys=True, ensure_ascii=False).encode()).hexdigest())\n";
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed to check hash compatibility with the bridge's hooks");
        let input: String = docs
            .iter()
            .map(|(d, _)| format!("{}\n", serde_json::to_string(d).unwrap()))
            .collect();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let py: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(py.len(), docs.len());
        for ((_, ours), theirs) in docs.iter().zip(&py) {
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn strict_mode_masks_emails_and_ips_in_data_and_reports_it() {
        let mut cfg = config();
        cfg.redaction_mode = RedactionMode::Strict;
        let c = Chroma::new(cfg);
        let mut env = envelope("UserPromptSubmit");
        env.input["prompt"] = json!("mail ops@example.test from 10.0.0.12, not 999.1.1.1");
        let v = c.envelope(&env);
        assert_eq!(v["data"]["prompt"], "mail [EMAIL] from [IP], not 999.1.1.1");
        assert_eq!(
            v["data"]["redaction"],
            json!({"applied": true, "rules": {"email": 1, "ipv4": 1}, "mode": "strict"})
        );
        // as in the kit, lenient masks the same, and an unknown mode never less
        for mode in [RedactionMode::Lenient, RedactionMode::Unrecognised] {
            let mut cfg = config();
            cfg.redaction_mode = mode;
            let v = Chroma::new(cfg).envelope(&env);
            assert_eq!(v["data"]["prompt"], "mail [EMAIL] from [IP], not 999.1.1.1");
        }
        // only disabled leaves them to hookrelay's own rules
        let mut cfg = config();
        cfg.redaction_mode = RedactionMode::Disabled;
        let v = Chroma::new(cfg).envelope(&env);
        assert!(
            v["data"]["prompt"]
                .as_str()
                .unwrap()
                .contains("ops@example.test")
        );
        assert_eq!(v["data"]["redaction"]["mode"], "disabled");
    }

    #[test]
    fn modes_in_any_case_and_unknown_ones_fall_back_to_masking() {
        let parse = |s: &str| serde_json::from_value::<RedactionMode>(json!(s)).unwrap();
        assert_eq!(parse("STRICT"), RedactionMode::Strict);
        assert_eq!(parse("Lenient"), RedactionMode::Lenient);
        assert_eq!(parse("DISABLED"), RedactionMode::Disabled);
        assert_eq!(parse("off"), RedactionMode::Unrecognised);
        assert!(parse("off").masks() && !parse("disabled").masks());
        let from_file: ChromaConfig = serde_json::from_value(json!({})).unwrap();
        assert_eq!(
            from_file.redaction_mode,
            RedactionMode::Strict,
            "the kit's default"
        );

        let mut w = Warnings::new();
        let mut cfg = config();
        cfg.redaction_mode = RedactionMode::Unrecognised;
        cfg.validate(&mut w).unwrap();
        assert!(
            w.lines()
                .any(|l| l.contains("backends.chroma.redaction_mode") && l.contains("strict")),
            "{w:?}"
        );

        for (value, want, warns) in [
            ("STRICT", RedactionMode::Strict, false),
            ("lenient", RedactionMode::Lenient, false),
            ("none", RedactionMode::Strict, true),
        ] {
            let mut slot = None;
            let mut w = Warnings::new();
            ChromaConfig::apply_env(
                &mut slot,
                &crate::backends::testing::env_from(&[
                    ("ZO_EVENT_ENDPOINT", "http://127.0.0.1:9000/ingest"),
                    ("ZO_REDACTION_MODE", value),
                ]),
                &mut w,
            );
            assert_eq!(slot.unwrap().redaction_mode, want, "{value}");
            assert_eq!(
                w.lines().any(|l| l.contains("$ZO_REDACTION_MODE")),
                warns,
                "{value}: {w:?}"
            );
        }
        let mut slot = None;
        ChromaConfig::apply_env(
            &mut slot,
            &crate::backends::testing::env_from(&[(
                "ZO_EVENT_ENDPOINT",
                "http://127.0.0.1:9000/ingest",
            )]),
            &mut Warnings::new(),
        );
        assert_eq!(slot.unwrap().redaction_mode, RedactionMode::Strict);
    }

    #[test]
    fn long_text_is_cut_on_char_boundaries_and_huge_data_fits() {
        let c = Chroma::new(config());
        let mut env = envelope("UserPromptSubmit");
        env.input["prompt"] = json!("é".repeat(3000));
        let v = c.envelope(&env);
        assert_eq!(v["indexable_text"].as_str().unwrap().chars().count(), 2000);
        env.input["tool_name"] = json!("ü".repeat(600));
        assert_eq!(
            c.envelope(&env)["msg"].as_str().unwrap().chars().count(),
            500
        );

        // Under the bridge's 10 MB limit, a 5 MB prompt goes whole.
        env.input["prompt"] = json!("y".repeat(5 * 1024 * 1024));
        let v = body(&c.request(&env).unwrap());
        assert_eq!(v["data"]["prompt"].as_str().unwrap().len(), 5 * 1024 * 1024);

        env.input["prompt"] = json!("x".repeat(12 * 1024 * 1024));
        let r = c.request(&env).unwrap();
        assert!(r.body.len() < 10 * 1024 * 1024, "{}", r.body.len());
        let v = body(&r);
        let kept = v["data"]["prompt"].as_str().unwrap();
        assert!(kept.contains("[truncated"));
        // Cut as little as needed: a quarter megabyte stays, not a few characters.
        assert!(
            kept.split('…').next().unwrap().len() >= 200_000,
            "{}",
            kept.len()
        );
        let d = &v["data"];
        assert_eq!(
            v["hash"],
            hash(&env.session_id, &env.ts, "progress", d).as_str()
        );
    }

    #[test]
    fn answers_are_classified_as_the_contract_says() {
        assert_eq!(
            classify(&resp(201, r#"{"status":"success"}"#)),
            Outcome::Delivered
        );
        assert_eq!(
            classify(&resp(202, r#"{"status":"duplicate"}"#)),
            Outcome::Delivered
        );
        match classify(&resp(401, r#"{"error":"Unauthorized"}"#)) {
            Outcome::Retry(m) => assert!(m.contains("ZO_API_KEY") && !m.contains("zo-fake")),
            o => panic!("{o:?}"),
        }
        for s in [400, 413] {
            assert!(
                matches!(classify(&resp(s, "{}")), Outcome::Rejected(_)),
                "{s}"
            );
        }
        assert!(matches!(classify(&resp(500, "boom")), Outcome::Retry(_)));
    }

    #[test]
    fn the_probe_is_an_authenticated_invalid_body_read_as_the_bridge_answers() {
        let c = Chroma::new(config());
        let crate::backends::Probe::Http(req) = c.probe() else {
            panic!("an HTTP probe")
        };
        assert_eq!(
            (req.method, req.url.as_str()),
            ("POST", "http://127.0.0.1:9000/ingest")
        );
        assert_eq!(req.header("X-API-Key"), Some("zo-fake-key-123"));
        assert!(
            serde_json::from_slice::<Value>(&req.body).is_err(),
            "not JSON: never stored"
        );
        use crate::backends::Proof;
        let j = |s: u16, key: bool| judge_probe(&resp(s, "{}"), key);
        assert_eq!(j(400, true).proof, Proof::Proven);
        assert!(j(400, true).message.contains("key accepted"));
        assert_eq!(j(400, false).proof, Proof::Proven);
        for key in [true, false] {
            let f = j(401, key);
            assert_eq!(f.proof, Proof::Failed);
            assert!(f.fix.unwrap().contains("ZO_API_KEY"));
        }
        let f = j(404, true);
        assert!(f.message.contains("ZO_EVENT_ENDPOINT"), "{f:?}");
        assert_eq!(j(201, true).proof, Proof::Failed);
        assert_eq!(j(500, true).proof, Proof::Failed);
        // Without a key, none is sent.
        let mut nokey = config();
        nokey.api_key = None;
        let crate::backends::Probe::Http(req) = Chroma::new(nokey).probe() else {
            panic!()
        };
        assert_eq!(req.header("X-API-Key"), None);
    }

    #[test]
    fn every_probe_answer_says_what_it_proves() {
        use crate::backends::Proof;
        let bad = r#"{"detail":"invalid json"}"#;
        for (status, with_key, proof, says) in [
            (400, true, Proof::Proven, "key accepted"),
            (400, false, Proof::Proven, "takes requests without a key"),
            (401, true, Proof::Failed, "refused the API key"),
            (401, false, Proof::Failed, "none is configured"),
            (
                200,
                true,
                Proof::Failed,
                "not the ChromaDB bridge's /ingest",
            ),
        ] {
            let f = judge_probe(&resp(status, bad), with_key);
            assert_eq!(f.proof, proof, "{status} {with_key}: {f:?}");
            assert!(f.message.contains(says), "{status} {with_key}: {f:?}");
        }
    }

    #[test]
    fn events_key_and_a_denied_permission_read_as_configured() {
        let mut c = config();
        assert!(Chroma::new(c.clone()).carries_secret());
        c.events = Some(crate::backends::EventSet::of(&["Stop"]));
        c.api_key = None;
        let b = Chroma::new(c);
        assert!(b.wants("Stop") && !b.wants("PreToolUse"));
        assert!(!b.carries_secret());
        // A permission the user denied is worth a look: a warning, not info.
        assert_eq!(event_type("PermissionDenied"), ("progress", "warn"));
        assert_eq!(event_type("Notification"), ("progress", "info"));
    }

    #[test]
    fn a_section_without_an_endpoint_posts_to_the_bridge_s_default() {
        let c: ChromaConfig = serde_json::from_str(r#"{"api_key": "zo-fake-key-123"}"#).unwrap();
        assert_eq!(c.endpoint, "http://localhost:9000/ingest");
    }

    #[test]
    fn env_configures_and_validation_names_the_field() {
        let mut slot = None;
        let mut w = Warnings::new();
        ChromaConfig::apply_env(
            &mut slot,
            &crate::backends::testing::env_from(&[
                ("ZO_EVENT_ENDPOINT", "http://10.1.2.3:9000/ingest"),
                ("ZO_API_KEY", "zo-fake"),
                ("HOSTNAME_SALT", "s"),
                ("ZO_REDACTION_MODE", "strict"),
                ("HOME", "/home/u"),
            ]),
            &mut w,
        );
        let c = slot.unwrap();
        assert_eq!(c.redaction_mode, RedactionMode::Strict);
        assert_eq!(c.hostname_salt.as_ref().unwrap().expose(), "s");
        assert_eq!(c.home.as_deref(), Some("/home/u"));
        c.validate(&mut w).unwrap();
        assert!(
            w.lines()
                .any(|w| w.contains("plain http") && w.contains("10.1.2.3")),
            "{w:?}"
        );
        assert!(!format!("{c:?}").contains("zo-fake"));
        let mut bad = c.clone();
        bad.endpoint = "http://10.1.2.3:9000/ingest/".into();
        assert!(
            bad.validate(&mut w)
                .unwrap_err()
                .to_string()
                .contains("$ZO_EVENT_ENDPOINT")
        );
        bad.from_env = false;
        bad.endpoint = "http://h:9000/".into();
        assert!(
            bad.validate(&mut w)
                .unwrap_err()
                .to_string()
                .starts_with("backends.chroma.endpoint")
        );
        let crate::backends::Probe::Http(probe) = Chroma::new(c).probe() else {
            panic!("an HTTP probe")
        };
        assert_eq!(
            probe.url, "http://10.1.2.3:9000/ingest",
            "the key is proven at /ingest"
        );
    }
}
