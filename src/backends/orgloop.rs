//! OrgLoop's claude-code webhook source (`contracts/orgloop.md`): one signed POST
//! per session end (optionally one per start), with the duration, summary and
//! counters upstream's own Stop hook leaves empty.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Backend, Error, EventSet, HttpResponse, Outcome, Request, Secret};
use crate::error::Warnings;
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

pub const DEFAULT_PORT: &str = "4800";
/// `summary` is the last assistant message, cut to this many characters.
const SUMMARY_CHARS: usize = 1000;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgloopConfig {
    /// Default `http://127.0.0.1:$ORGLOOP_PORT/webhook/claude-code` (port 4800).
    pub url: Option<String>,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Events sent (default `["SessionEnd"]`, plus `SessionStart` with `send_start`).
    pub events: Option<EventSet>,
    /// Also send `hook_type: "start"` on SessionStart.
    #[serde(default)]
    pub send_start: bool,
    /// HMAC key for `X-Hub-Signature-256` (OrgLoop's `CLAUDE_CODE_WEBHOOK_SECRET`).
    pub secret: Option<Secret>,
    #[serde(skip)]
    pub from_env: bool,
    /// `$ORGLOOP_PORT`, for the default URL.
    #[serde(skip)]
    pub port: Option<String>,
}

impl OrgloopConfig {
    /// `ORGLOOP_WEBHOOK_URL`, or `ORGLOOP_PORT` for the default loopback URL, enables;
    /// `CLAUDE_CODE_WEBHOOK_SECRET` signs. `ORGLOOP_PORT` also sets the default
    /// URL's port for a file section without `url`.
    pub fn apply_env(
        slot: &mut Option<OrgloopConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        _warnings: &mut Warnings,
    ) {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        let port = get("ORGLOOP_PORT");
        if slot.is_none() {
            let url = get("ORGLOOP_WEBHOOK_URL");
            if url.is_none() && port.is_none() {
                return;
            }
            *slot = Some(OrgloopConfig {
                url,
                enabled: true,
                events: None,
                send_start: false,
                secret: get("CLAUDE_CODE_WEBHOOK_SECRET").map(Secret::new),
                from_env: true,
                port: None,
            });
        }
        slot.as_mut().expect("set above").port = port;
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

    /// No plain-http warning: the secret itself never travels, only a signature.
    pub fn validate(&self, _warnings: &mut Warnings) -> Result<(), Error> {
        let field = match (self.from_env, &self.url) {
            (true, Some(_)) => "$ORGLOOP_WEBHOOK_URL",
            (_, None) => "$ORGLOOP_PORT",
            (false, Some(_)) => "backends.orgloop.url",
        };
        super::url::check_url(field, &self.url())?;
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
        let (hook_type, exit_status, summary) = match HookEvent::from_name(&env.hook_event_name)? {
            HookEvent::SessionStart => ("start", None, None),
            HookEvent::SessionEnd => (
                "stop",
                Some(0),
                session.and_then(|s| s.last_assistant_message.clone()),
            ),
            // For users who want one event per turn instead of per session.
            HookEvent::Stop | HookEvent::SubagentStop => {
                ("stop", Some(0), s("last_assistant_message"))
            }
            HookEvent::StopFailure => (
                "stop",
                Some(1),
                s("error_details")
                    .or_else(|| s("last_assistant_message"))
                    .or_else(|| s("error")),
            ),
            _ => return None,
        };
        let mut body = Map::new();
        body.insert("session_id".into(), json!(env.session_id));
        if let Some(cwd) = s("cwd").or(env.project_dir.clone()) {
            body.insert("working_directory".into(), json!(cwd));
        }
        if let Some(sc) = session {
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
        if let Some(sc) = session {
            meta.insert("turns".into(), json!(sc.turn));
            meta.insert("tool_calls".into(), json!(sc.tool_calls));
            meta.insert("events".into(), json!(sc.events));
            meta.insert("tools".into(), json!(sc.tools));
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
        match &self.config.events {
            Some(e) => e.contains(event),
            None => {
                HookEvent::SessionEnd.is(event)
                    || (self.config.send_start && HookEvent::SessionStart.is(event))
            }
        }
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        let body = serde_json::to_vec(&self.body(env)?).expect("JSON values serialise");
        let mut headers = Vec::new();
        if let Some(secret) = self.config.secret.as_ref().filter(|s| !s.is_empty()) {
            // Over the exact bytes sent: the connector compares byte for byte.
            headers.push((
                "X-Hub-Signature-256".to_string(),
                super::webhook::signature(secret.expose(), &body),
            ));
        }
        Some(super::json_post(self.url.clone(), headers, body))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::{assert_no_nulls, env_from, envelope, resp};
    use crate::backends::webhook::signature;

    fn config(secret: Option<&str>) -> OrgloopConfig {
        OrgloopConfig {
            url: None,
            enabled: true,
            events: None,
            send_start: false,
            secret: secret.map(Secret::new),
            from_env: false,
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
}
