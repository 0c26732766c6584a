//! OrgLoop's claude-code webhook source (`contracts/orgloop.md`): one signed POST
//! per session end (optionally one per start or per turn), with the duration,
//! summary, outcome and counters upstream's own Stop hook leaves empty.
//!
//! What OrgLoop makes of a stop is the session's end: `exit_status` 0 becomes
//! `session.completed`, anything else `session.failed`. So a session whose last
//! turn failed (StopFailure) ends with 1, and nothing a subagent does (its
//! SubagentStop, or a Stop/StopFailure fired inside it) is ever sent: it would
//! end the parent session. Counters are sent only when the session's events can
//! tell them (`SessionCounters::known`), never as zeros standing for "unknown".

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Backend, Error, EventSet, HttpResponse, Outcome, Request, Secret};
use crate::error::{Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

pub const DEFAULT_PORT: &str = "4800";
/// `summary` is the last assistant message, cut to this many characters.
const SUMMARY_CHARS: usize = 1000;
/// `exit_status` of a session or turn that ended in StopFailure (OrgLoop:
/// not 0 and not a signal code, so `session.failed`).
pub const FAILED: i64 = 1;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgloopConfig {
    /// Default `$ORGLOOP_WEBHOOK_URL`, else
    /// `http://127.0.0.1:$ORGLOOP_PORT/webhook/claude-code` (port 4800).
    pub url: Option<String>,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Events sent (default `$ORGLOOP_EVENTS`, else `["SessionEnd"]`; plus
    /// `SessionStart` with `send_start`).
    pub events: Option<EventSet>,
    /// Also send `hook_type: "start"` on SessionStart.
    #[serde(default)]
    pub send_start: bool,
    /// HMAC key for `X-Hub-Signature-256` (default `$CLAUDE_CODE_WEBHOOK_SECRET`).
    pub secret: Option<Secret>,
    /// A PEM file of CA certificates trusted for this URL, on top of the system's.
    pub ca_file: Option<String>,
    /// `url` came from `$ORGLOOP_WEBHOOK_URL` (names the field in messages).
    #[serde(skip)]
    pub url_from_env: bool,
    /// `$ORGLOOP_EVENTS`, used when `events` is not set. Kept apart from `events`
    /// so that messages about it name the variable, not a config field.
    #[serde(skip)]
    pub env_events: Option<EventSet>,
    /// `$ORGLOOP_PORT`, for the default URL.
    #[serde(skip)]
    pub port: Option<String>,
}

impl OrgloopConfig {
    /// `ORGLOOP_WEBHOOK_URL`, or `ORGLOOP_PORT` for the default loopback URL,
    /// enables; `CLAUDE_CODE_WEBHOOK_SECRET` signs; `ORGLOOP_EVENTS`
    /// (comma-separated event names) selects the events. A file `orgloop` section
    /// takes from these whatever it does not set itself: the file wins field by
    /// field, not as a whole.
    pub fn apply_env(
        slot: &mut Option<OrgloopConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        warnings: &mut Warnings,
    ) {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let port = get("ORGLOOP_PORT");
        let env_url = get("ORGLOOP_WEBHOOK_URL");
        if slot.is_none() {
            if env_url.is_none() && port.is_none() {
                return;
            }
            *slot = Some(OrgloopConfig {
                url: None,
                enabled: true,
                events: None,
                send_start: false,
                secret: None,
                ca_file: None,
                url_from_env: false,
                env_events: None,
                port: None,
            });
        }
        let c = slot.as_mut().expect("set above");
        c.port = port;
        if c.url.is_none() && env_url.is_some() {
            c.url = env_url;
            c.url_from_env = true;
        }
        if c.secret.is_none() {
            c.secret = get("CLAUDE_CODE_WEBHOOK_SECRET").map(Secret::new);
        }
        if c.events.is_none()
            && let Some(list) = get("ORGLOOP_EVENTS")
        {
            let names: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect();
            let set = EventSet(names);
            set.check("$ORGLOOP_EVENTS", warnings);
            c.env_events = Some(set);
        }
    }

    /// The URL posted to.
    pub fn url(&self) -> String {
        self.url.clone().unwrap_or_else(|| {
            format!(
                "http://127.0.0.1:{}/webhook/claude-code",
                self.port.as_deref().unwrap_or(DEFAULT_PORT)
            )
        })
    }

    /// The events selected, and where they were set (for messages).
    fn selection(&self) -> Option<(&EventSet, &'static str)> {
        match (&self.events, &self.env_events) {
            (Some(e), _) => Some((e, "backends.orgloop.events")),
            (None, Some(e)) => Some((e, "$ORGLOOP_EVENTS")),
            (None, None) => None,
        }
    }

    /// No plain-http warning: the secret itself never travels, only a signature.
    pub fn validate(&self, warnings: &mut Warnings) -> Result<(), Error> {
        let field = match (self.url_from_env, &self.url) {
            (true, Some(_)) => "$ORGLOOP_WEBHOOK_URL",
            (_, None) => "$ORGLOOP_PORT",
            (false, Some(_)) => "backends.orgloop.url",
        };
        super::url::check_url(field, &self.url())?;
        super::check_ca_file("backends.orgloop.ca_file", &self.ca_file)?;
        if let Some((set, at)) = self.selection()
            && set.0.iter().any(|n| HookEvent::SubagentStop.is(n))
        {
            warnings.push(
                Problem::new(
                    "SubagentStop is never sent to OrgLoop: a stop would end the parent session",
                )
                .at(at)
                .fix("leave it out; SessionEnd (or Stop) reports the session"),
            );
        }
        Ok(())
    }
}

single_backend_config!(OrgloopConfig, "backends.orgloop", Orgloop);

pub struct Orgloop {
    config: OrgloopConfig,
    url: String,
}

impl Orgloop {
    pub fn new(config: OrgloopConfig) -> Orgloop {
        let url = config.url();
        Orgloop { config, url }
    }

    /// The webhook body for one event, or `None` when the event means nothing here.
    pub fn body(&self, env: &Envelope) -> Option<Value> {
        let s = |k: &str| {
            env.input_str(k)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let session = env.session.as_ref();
        let in_subagent = env.agent_id.is_some();
        // (hook_type, exit_status, summary, error)
        let (hook_type, exit_status, summary, error) =
            match HookEvent::from_name(&env.hook_event_name)? {
                HookEvent::SessionStart => ("start", None, None, None),
                HookEvent::SessionEnd => {
                    let failed = session.and_then(|s| s.last_turn_error.clone());
                    (
                        "stop",
                        Some(if failed.is_some() { FAILED } else { 0 }),
                        session.and_then(|s| s.last_assistant_message.clone()),
                        failed,
                    )
                }
                // For users who want one event per turn instead of per session;
                // a subagent's turn is not the session's.
                HookEvent::Stop if !in_subagent => {
                    ("stop", Some(0), s("last_assistant_message"), None)
                }
                HookEvent::StopFailure if !in_subagent => (
                    "stop",
                    Some(FAILED),
                    s("error_details")
                        .or_else(|| s("last_assistant_message"))
                        .or_else(|| s("error")),
                    Some(s("error").unwrap_or_else(|| "unknown".into())),
                ),
                // SubagentStop, and Stop/StopFailure inside a subagent: OrgLoop
                // has no event for them, and a stop would end the parent session.
                _ => return None,
            };
        let mut body = Map::new();
        body.insert("session_id".into(), json!(env.session_id));
        if let Some(cwd) = s("cwd").or(env.project_dir.clone()) {
            body.insert("working_directory".into(), json!(cwd));
        }
        // Only from the session's own start: measured from a later first event
        // it would be a made-up number (0 for a lone SessionEnd).
        if let Some(sc) = session.filter(|sc| sc.known.start) {
            body.insert(
                "duration_seconds".into(),
                json!(sc.duration_ms as f64 / 1000.0),
            );
        }
        if let Some(code) = exit_status {
            body.insert("exit_status".into(), json!(code));
        }
        if let Some(text) = summary {
            body.insert(
                "summary".into(),
                json!(crate::util::text::truncate_chars(&text, SUMMARY_CHARS)),
            );
        }
        if let Some(t) = s("transcript_path") {
            body.insert("transcript_path".into(), json!(t));
        }
        body.insert("timestamp".into(), json!(env.ts));
        body.insert("hook_type".into(), json!(hook_type));

        let mut meta = Map::new();
        meta.insert("hook_event_name".into(), json!(env.hook_event_name));
        meta.insert("hookrelay_event_id".into(), json!(env.id));
        if let Some(r) = s("reason").or(s("source")) {
            meta.insert("reason".into(), json!(r));
        }
        if let Some(e) = error {
            meta.insert("error".into(), json!(e));
        }
        if let Some(sc) = session {
            // Unknown counters are left out: a zero would claim "none happened".
            if sc.known.turns {
                meta.insert("turns".into(), json!(sc.turn));
            }
            if sc.known.tool_calls {
                meta.insert("tool_calls".into(), json!(sc.tool_calls));
                meta.insert("tools".into(), json!(sc.tools));
            }
            meta.insert("events".into(), json!(sc.events));
            meta.insert("first_seen".into(), json!(sc.first_seen));
        }
        meta.insert("host".into(), json!(env.host.name));
        if let Some(p) = &env.project {
            meta.insert("project".into(), json!(p));
        }
        if let Some(a) = &env.agent_id {
            meta.insert("agent_id".into(), json!(a));
        }
        if let Some(b) = env.git.as_ref().and_then(|g| g.branch.as_ref()) {
            meta.insert("git_branch".into(), json!(b));
        }
        body.insert("meta".into(), Value::Object(meta));
        let mut body = Value::Object(body);
        super::strip_nulls(&mut body);
        Some(body)
    }
}

impl Backend for Orgloop {
    fn name(&self) -> &str {
        "orgloop"
    }

    fn wants(&self, event: &str) -> bool {
        let selected = match self.config.selection() {
            Some((e, _)) => e.contains(event),
            None => HookEvent::SessionEnd.is(event),
        };
        selected || (self.config.send_start && HookEvent::SessionStart.is(event))
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        let body = serde_json::to_vec(&self.body(env)?).expect("JSON values serialise");
        // OrgLoop ignores it (it does not deduplicate); the id is also in `meta`.
        let mut headers = vec![("Idempotency-Key".to_string(), env.id.clone())];
        if let Some(secret) = self.config.secret.as_ref().filter(|s| !s.is_empty()) {
            // Over the exact bytes sent: the connector compares byte for byte.
            headers.push((
                "X-Hub-Signature-256".to_string(),
                super::webhook::signature(secret.expose(), &body),
            ));
        }
        Some(super::with_ca_file(
            super::json_post(self.url.clone(), headers, body),
            &self.config.ca_file,
        ))
    }

    /// OrgLoop checks the signature before the body: a correctly signed empty
    /// body gets 400 `Invalid JSON payload` and creates no event; a wrong or
    /// missing signature gets 401. That proves URL, source id and secret.
    fn probe(&self) -> super::Probe {
        let mut headers = Vec::new();
        if let Some(secret) = self.config.secret.as_ref().filter(|s| !s.is_empty()) {
            headers.push((
                "X-Hub-Signature-256".to_string(),
                super::webhook::signature(secret.expose(), b""),
            ));
        }
        super::Probe::Http(super::with_ca_file(
            super::json_post(self.url.clone(), headers, Vec::new()),
            &self.config.ca_file,
        ))
    }

    fn judge_probe(&self, resp: &HttpResponse) -> super::Finding {
        judge_probe(resp, super::is_set(&self.config.secret))
    }

    fn endpoint(&self) -> String {
        self.config.url()
    }

    // Only a signature travels, never the secret itself.
    fn carries_secret(&self) -> bool {
        false
    }

    fn classify(&self, resp: &HttpResponse) -> Outcome {
        classify(resp)
    }
}

/// The answer table of `contracts/orgloop.md`: the shared table, with a hint on
/// a refused signature.
pub fn classify(resp: &HttpResponse) -> Outcome {
    super::status::outcome_with(
        resp,
        "OrgLoop did not accept the signature; check backends.orgloop.secret / $CLAUDE_CODE_WEBHOOK_SECRET (it must equal the source's secret)",
        // OrgLoop answers 404 for a source id it does not know.
        "no such OrgLoop source; check the source id in backends.orgloop.url / $ORGLOOP_WEBHOOK_URL",
    )
}

/// OrgLoop's answer to the (signed, when a secret is set) empty body.
pub fn judge_probe(resp: &HttpResponse, signed: bool) -> super::Finding {
    use super::Finding;
    let body = resp.body_text();
    const SECRET: &str = "set $CLAUDE_CODE_WEBHOOK_SECRET (or backends.orgloop.secret) to the secret of OrgLoop's claude-code source";
    match resp.status {
        400 if signed => Finding::proven(
            "secret accepted (a signed empty body got 400 Invalid JSON payload, not 401; no event created)",
        ),
        400 => Finding::proven(
            "the source checks no signature (an unsigned empty body got 400, not 401; no event created)",
        ),
        401 if !signed || body.contains("Missing") => Finding::failed(
            "OrgLoop requires a signature and no secret is configured (401 Missing signature)",
            SECRET,
        ),
        401 => Finding::failed(
            "OrgLoop refused the signature (401 Invalid signature): the secret differs from the source's",
            SECRET,
        ),
        s if (200..300).contains(&s) => Finding::failed(
            format!(
                "OrgLoop answered {s} to an empty body (it should be 400): an event may have been created"
            ),
            "check that backends.orgloop.url / $ORGLOOP_WEBHOOK_URL points at OrgLoop's claude-code webhook source",
        ),
        _ => Finding::unexpected(
            resp,
            classify(resp),
            "fix the setting named; until then its events wait in the spool",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::{assert_no_nulls, env_from, envelope, resp};
    use crate::backends::webhook::signature;
    use crate::protocol::envelope::Known;

    fn config(secret: Option<&str>) -> OrgloopConfig {
        OrgloopConfig {
            url: None,
            enabled: true,
            events: None,
            send_start: false,
            secret: secret.map(Secret::new),
            ca_file: None,
            url_from_env: false,
            env_events: None,
            port: None,
        }
    }

    #[test]
    fn session_end_is_sent_signed_with_session_facts() {
        let o = Orgloop::new(config(Some("whsec-fake-1")));
        assert!(o.wants("SessionEnd") && !o.wants("Stop") && !o.wants("SessionStart"));
        let env = envelope("SessionEnd");
        let r = o.request(&env).unwrap();
        assert_eq!(r.url, "http://127.0.0.1:4800/webhook/claude-code");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.header("x-hub-signature-256").unwrap(),
            signature("whsec-fake-1", &r.body)
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_no_nulls(&v);
        assert_eq!(v["session_id"], "bec247b5-945b-4438-957d-99b44004f6e2");
        assert_eq!(v["working_directory"], "/tmp/h2/proj");
        assert_eq!(v["duration_seconds"], 75.378);
        assert!(v["exit_status"].is_u64() && v["exit_status"] == 0);
        assert_eq!(v["summary"], "Done. Tool said: hello-from-hook-test");
        assert!(v["transcript_path"].as_str().unwrap().ends_with(".jsonl"));
        assert_eq!(v["timestamp"], "2026-11-22T00:50:38.378Z");
        assert_eq!(v["hook_type"], "stop");
        let m = &v["meta"];
        assert_eq!(m["reason"], "other");
        assert_eq!(
            (
                m["turns"].as_u64(),
                m["tool_calls"].as_u64(),
                m["events"].as_u64()
            ),
            (Some(2), Some(3), Some(9))
        );
        assert_eq!(m["tools"]["Bash"], 2);
        assert_eq!(m["hookrelay_event_id"], env.id.as_str());
    }

    #[test]
    fn no_secret_no_signature_and_start_only_when_asked() {
        let mut c = config(None);
        let o = Orgloop::new(c.clone());
        assert!(
            o.request(&envelope("SessionEnd"))
                .unwrap()
                .header("x-hub-signature-256")
                .is_none()
        );
        c.send_start = true;
        let o = Orgloop::new(c);
        assert!(o.wants("SessionStart"));
        let v: Value =
            serde_json::from_slice(&o.request(&envelope("SessionStart")).unwrap().body).unwrap();
        assert_eq!(v["hook_type"], "start");
        assert!(v.get("exit_status").is_none());
        assert!(o.request(&envelope("PreToolUse")).is_none());
    }

    #[test]
    fn stop_can_be_chosen_instead_and_summary_is_truncated() {
        let mut c = config(None);
        c.events = Some(EventSet::of(&["Stop"]));
        let o = Orgloop::new(c);
        assert!(o.wants("Stop") && !o.wants("SessionEnd"));
        let mut env = envelope("Stop");
        env.input["last_assistant_message"] = json!("ä".repeat(5000));
        let v: Value = serde_json::from_slice(&o.request(&env).unwrap().body).unwrap();
        assert_eq!(
            v["summary"].as_str().unwrap().chars().count(),
            SUMMARY_CHARS
        );
        assert_eq!(v["exit_status"], 0);
    }

    fn sent(o: &Orgloop, env: &Envelope) -> Value {
        serde_json::from_slice(&o.request(env).unwrap().body).unwrap()
    }

    #[test]
    fn every_request_carries_the_event_id() {
        let o = Orgloop::new(config(Some("whsec-fake-1")));
        let env = envelope("SessionEnd");
        let r = o.request(&env).unwrap();
        assert_eq!(r.header("idempotency-key"), Some(env.id.as_str()));
        assert_eq!(
            o.request(&env).unwrap(),
            r,
            "a replay sends the same request"
        );
    }

    #[test]
    fn a_session_whose_last_turn_failed_ends_failed() {
        let o = Orgloop::new(config(None));
        let mut env = envelope("SessionEnd");
        env.session.as_mut().unwrap().last_turn_error = Some("rate_limit".into());
        let v = sent(&o, &env);
        assert_eq!(v["exit_status"], FAILED);
        assert_eq!(v["meta"]["error"], "rate_limit");
        // A normal last turn: completed, and no error in meta.
        let v = sent(&o, &envelope("SessionEnd"));
        assert_eq!(v["exit_status"], 0);
        assert!(v["meta"].get("error").is_none());
        // Per turn, the failed turn itself.
        let mut c = config(None);
        c.events = Some(EventSet::of(&["StopFailure"]));
        let v = sent(&Orgloop::new(c), &envelope("StopFailure"));
        assert_eq!(
            (v["exit_status"].as_i64(), v["hook_type"].as_str()),
            (Some(FAILED), Some("stop"))
        );
        assert_eq!(v["meta"]["error"], "unknown");
        assert_eq!(v["summary"], "API Error: 400 fake server: scripted error");
    }

    #[test]
    fn nothing_a_subagent_does_ends_the_session() {
        let mut c = config(None);
        c.events = Some(EventSet::of(&["*"]));
        let o = Orgloop::new(c);
        let sub = envelope("SubagentStop");
        assert!(sub.agent_id.is_some());
        assert!(o.wants("SubagentStop") && o.request(&sub).is_none());
        for event in ["Stop", "StopFailure"] {
            let mut env = envelope(event);
            assert!(o.request(&env).is_some(), "{event} of the main thread");
            env.agent_id = Some("a4b7c3313463e8750".into());
            assert!(o.request(&env).is_none(), "{event} inside a subagent");
        }
        // Naming it in `events` is worth a warning.
        let mut c = config(None);
        c.events = Some(EventSet::of(&["SessionEnd", "SubagentStop"]));
        let mut w = Warnings::new();
        c.validate(&mut w).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].to_string().starts_with("backends.orgloop.events"),
            "{}",
            w[0]
        );
    }

    #[test]
    fn unknown_counters_are_left_out_not_sent_as_zeros() {
        let o = Orgloop::new(config(None));
        let mut env = envelope("SessionEnd");
        let sc = env.session.as_mut().unwrap();
        sc.known = Known::default();
        (sc.turn, sc.tool_calls, sc.tools) = (0, 0, Default::default());
        let v = sent(&o, &env);
        let m = &v["meta"];
        for k in ["turns", "tool_calls", "tools"] {
            assert!(m.get(k).is_none(), "{k} in {m}");
        }
        assert!(
            v.get("duration_seconds").is_none(),
            "not from the session's start"
        );
        assert_eq!(m["events"], 9, "hookrelay's own count is always known");
        // Known zeros are sent as zeros.
        let sc = env.session.as_mut().unwrap();
        sc.known.tool_calls = true;
        sc.known.turns = true;
        let m = sent(&o, &env)["meta"].clone();
        assert_eq!(
            (m["turns"].as_u64(), m["tool_calls"].as_u64()),
            (Some(0), Some(0))
        );
        assert_eq!(m["tools"], json!({}));
    }

    #[test]
    fn answers_are_classified_as_the_contract_says() {
        assert_eq!(
            classify(&resp(
                200,
                r#"{"ok":true,"event_id":"evt_0123456789abcdef"}"#
            )),
            Outcome::Delivered
        );
        match classify(&resp(401, r#"{"error":"Invalid signature"}"#)) {
            Outcome::Retry(m) => assert!(m.contains("CLAUDE_CODE_WEBHOOK_SECRET"), "{m}"),
            o => panic!("{o:?}"),
        }
        assert!(matches!(classify(&resp(400, "{}")), Outcome::Rejected(_)));
        // A wrong source id (404) or method (405) is the config's, not the event's.
        for s in [404, 405] {
            match classify(&resp(s, "{}")) {
                Outcome::Retry(m) => assert!(m.contains("source id"), "{s}: {m}"),
                o => panic!("{s}: {o:?}"),
            }
        }
        assert!(matches!(classify(&resp(503, "")), Outcome::Retry(_)));
    }

    #[test]
    fn the_probe_is_a_signed_empty_body_read_as_orgloop_answers() {
        let o = Orgloop::new(config(Some("s3cret")));
        let crate::backends::Probe::Http(req) = o.probe() else {
            panic!("an HTTP probe")
        };
        assert!(req.body.is_empty());
        assert_eq!(
            req.header("X-Hub-Signature-256").unwrap(),
            signature("s3cret", b"")
        );
        let crate::backends::Probe::Http(req) = Orgloop::new(config(None)).probe() else {
            panic!()
        };
        assert_eq!(req.header("X-Hub-Signature-256"), None);
        use crate::backends::Proof;
        let bad = r#"{"error":"Invalid JSON payload"}"#;
        assert_eq!(judge_probe(&resp(400, bad), true).proof, Proof::Proven);
        assert!(
            judge_probe(&resp(400, bad), true)
                .message
                .contains("secret accepted")
        );
        for (signed, body, says) in [
            (true, r#"{"error":"Invalid signature"}"#, "differs"),
            (true, r#"{"error":"Missing signature"}"#, "no secret"),
            (false, r#"{"error":"Missing signature"}"#, "no secret"),
        ] {
            let f = judge_probe(&resp(401, body), signed);
            assert_eq!(f.proof, Proof::Failed);
            assert!(f.message.contains(says), "{f:?}");
            assert!(f.fix.unwrap().contains("CLAUDE_CODE_WEBHOOK_SECRET"));
        }
        let f = judge_probe(&resp(404, r#"{"error":"Unknown source: x"}"#), true);
        assert!(f.message.contains("source id"), "{f:?}");
        let f = judge_probe(&resp(200, "{}"), true);
        assert_eq!(f.proof, Proof::Failed);
        assert!(
            f.message.contains("an event may have been created"),
            "{f:?}"
        );
        // A source without a secret answers an unsigned empty body 400 too: its
        // URL works, and no secret was proven (there is none to prove).
        let f = judge_probe(&resp(400, bad), false);
        assert_eq!(f.proof, Proof::Proven);
        assert!(f.message.contains("checks no signature"), "{f:?}");
        assert!(!f.message.contains("secret accepted"), "{f:?}");
    }

    #[test]
    fn only_a_signature_travels_never_the_secret() {
        // contracts/orgloop.md: X-Hub-Signature-256 is an HMAC of the body; the
        // secret itself is never sent, so plain http leaks no credential (doctor
        // gives no plain-http warning for it).
        let o = Orgloop::new(config(Some("s3cret-value")));
        assert!(!o.carries_secret());
        let req = o.request(&envelope("SessionEnd")).unwrap();
        assert!(req.headers.iter().all(|(_, v)| !v.contains("s3cret-value")));
        assert!(!String::from_utf8_lossy(&req.body).contains("s3cret-value"));
    }

    #[test]
    fn env_port_and_url() {
        let run = |pairs: &[(&str, &str)]| {
            let mut slot = None;
            OrgloopConfig::apply_env(&mut slot, &env_from(pairs), &mut Warnings::new());
            slot
        };
        assert!(run(&[("CLAUDE_CODE_WEBHOOK_SECRET", "x")]).is_none());
        let c = run(&[
            ("ORGLOOP_PORT", "4900"),
            ("CLAUDE_CODE_WEBHOOK_SECRET", "whsec-fake"),
        ])
        .unwrap();
        assert_eq!(c.url(), "http://127.0.0.1:4900/webhook/claude-code");
        assert!(!format!("{c:?}").contains("whsec-fake"));
        let c = run(&[("ORGLOOP_WEBHOOK_URL", "https://ol.example.test/webhook/cc")]).unwrap();
        assert_eq!(c.url(), "https://ol.example.test/webhook/cc");
        let mut c = run(&[("ORGLOOP_WEBHOOK_URL", "ol:4800")]).unwrap();
        assert!(
            c.validate(&mut Warnings::new())
                .unwrap_err()
                .to_string()
                .contains("$ORGLOOP_WEBHOOK_URL")
        );
        c.url = Some("http://203.0.113.9:4800/webhook/claude-code".into());
        assert!(c.validate(&mut Warnings::new()).is_ok());
    }

    #[test]
    fn env_events_select_start_and_turn_events() {
        let mut w = Warnings::new();
        let mut slot = None;
        OrgloopConfig::apply_env(
            &mut slot,
            &env_from(&[
                ("ORGLOOP_PORT", "4900"),
                ("ORGLOOP_EVENTS", " SessionStart, Stop ,SessionEnd,"),
            ]),
            &mut w,
        );
        assert!(w.is_empty(), "{w:?}");
        let o = Orgloop::new(slot.unwrap());
        for (event, wanted) in [
            ("SessionStart", true),
            ("Stop", true),
            ("SessionEnd", true),
            ("PreToolUse", false),
        ] {
            assert_eq!(o.wants(event), wanted, "{event}");
        }
        // A typo is named by the variable, not by a config field.
        let mut slot = None;
        OrgloopConfig::apply_env(
            &mut slot,
            &env_from(&[("ORGLOOP_PORT", "4900"), ("ORGLOOP_EVENTS", "stop")]),
            &mut w,
        );
        assert_eq!(w.len(), 1);
        let line = w[0].to_string();
        assert!(
            line.starts_with("$ORGLOOP_EVENTS") && line.contains("`Stop`"),
            "{line}"
        );
        // Without a URL or port, the variable alone enables nothing.
        let mut slot = None;
        OrgloopConfig::apply_env(
            &mut slot,
            &env_from(&[("ORGLOOP_EVENTS", "Stop")]),
            &mut Warnings::new(),
        );
        assert!(slot.is_none());
    }

    #[test]
    fn a_file_section_takes_from_the_environment_what_it_does_not_set() {
        let env = env_from(&[
            (
                "ORGLOOP_WEBHOOK_URL",
                "http://127.0.0.1:4999/webhook/claude-code",
            ),
            ("CLAUDE_CODE_WEBHOOK_SECRET", "whsec-from-env"),
            ("ORGLOOP_EVENTS", "Stop,SessionEnd"),
        ]);
        // Sets nothing but send_start: everything else comes from the environment.
        let mut slot = Some(OrgloopConfig {
            send_start: true,
            ..config(None)
        });
        OrgloopConfig::apply_env(&mut slot, &env, &mut Warnings::new());
        let c = slot.unwrap();
        assert_eq!(c.url(), "http://127.0.0.1:4999/webhook/claude-code");
        assert_eq!(c.secret.as_ref().unwrap().expose(), "whsec-from-env");
        let o = Orgloop::new(c.clone());
        assert!(o.wants("Stop") && o.wants("SessionStart") && !o.wants("PreToolUse"));
        assert!(
            c.with_url("ol:1")
                .validate(&mut Warnings::new())
                .unwrap_err()
                .to_string()
                .starts_with("$ORGLOOP_WEBHOOK_URL")
        );
        // What the file sets wins, field by field.
        let mut slot = Some(OrgloopConfig {
            url: Some("http://127.0.0.1:4801/webhook/claude-code".into()),
            events: Some(EventSet::of(&["SessionEnd"])),
            ..config(Some("whsec-from-file"))
        });
        OrgloopConfig::apply_env(&mut slot, &env, &mut Warnings::new());
        let c = slot.unwrap();
        assert_eq!(c.url(), "http://127.0.0.1:4801/webhook/claude-code");
        assert_eq!(c.secret.as_ref().unwrap().expose(), "whsec-from-file");
        assert!(!Orgloop::new(c.clone()).wants("Stop"));
        assert!(
            c.with_url("ol:1")
                .validate(&mut Warnings::new())
                .unwrap_err()
                .to_string()
                .starts_with("backends.orgloop.url")
        );
    }

    impl OrgloopConfig {
        fn with_url(&self, url: &str) -> OrgloopConfig {
            OrgloopConfig {
                url: Some(url.into()),
                ..self.clone()
            }
        }
    }
}
