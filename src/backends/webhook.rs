//! Generic HTTP webhook: posts the hookrelay envelope to any URL
//! (`contracts/webhook.md`). Several may be configured; one may be a gate.

use std::collections::BTreeMap;

use hmac::{KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Backend, BackendConfig, Error, EventSet, HttpResponse, Outcome, Request, Secret};
use crate::error::Warnings;
use crate::protocol::envelope::Envelope;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Names the spool and breaker; defaults to `webhook` (then `webhook-2`, ...).
    pub name: Option<String>,
    pub url: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Events sent (default: all).
    pub events: Option<EventSet>,
    pub api_key: Option<Secret>,
    pub bearer_token: Option<Secret>,
    /// HMAC-SHA256 key for `X-Hub-Signature-256`.
    pub secret: Option<Secret>,
    /// Extra headers; values may use `${VAR}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Present when this webhook's answer decides (see `decision`).
    pub gate: Option<GateConfig>,
    /// A PEM file of CA certificates trusted for this URL, on top of the system's.
    pub ca_file: Option<String>,
    #[serde(skip)]
    pub from_env: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// What a gate that cannot answer in time means: `"open"` (no opinion, the
    /// default) or `"closed"` (deny / block with a reason naming the gate).
    #[serde(default)]
    pub on_unreachable: FailMode,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    #[default]
    Open,
    Closed,
}

impl WebhookConfig {
    /// `HOOK_BACKEND_URL` (+ `HOOK_API_KEY`): the custom-backend example's variables.
    /// A URL without a path gets the example's `/events`. Added next to the file's
    /// webhooks unless one of them already has that URL or the name `custom`.
    pub fn apply_env(
        hooks: &mut Vec<WebhookConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        _warnings: &mut Warnings,
    ) {
        let Some(url) = env("HOOK_BACKEND_URL").filter(|u| !u.is_empty()) else {
            return;
        };
        let url = with_default_path(&url, "/events");
        if hooks
            .iter()
            .any(|h| h.url == url || h.name.as_deref() == Some("custom"))
        {
            return;
        }
        hooks.push(WebhookConfig {
            name: Some("custom".into()),
            url,
            enabled: true,
            events: None,
            api_key: env("HOOK_API_KEY")
                .filter(|k| !k.is_empty())
                .map(Secret::new),
            bearer_token: None,
            secret: None,
            headers: BTreeMap::new(),
            gate: None,
            ca_file: None,
            from_env: true,
        });
    }
}

impl BackendConfig for WebhookConfig {
    fn section(&self, index: usize) -> String {
        format!("backends.webhooks[{index}]")
    }
    enabled_and_events!();
    fn build(&self, index: usize) -> Box<dyn Backend> {
        Box::new(Webhook::new(self.clone(), index))
    }

    fn validate(&self, index: usize, warnings: &mut Warnings) -> Result<(), Error> {
        let field = if self.from_env {
            "$HOOK_BACKEND_URL".to_string()
        } else {
            format!("backends.webhooks[{index}].url")
        };
        let uri = super::url::check_url(&field, &self.url)?;
        if super::is_set(&self.api_key) {
            super::url::warn_plain_http(&field, &uri, "API key", warnings);
        }
        if super::is_set(&self.bearer_token) {
            super::url::warn_plain_http(&field, &uri, "bearer token", warnings);
        }
        super::check_ca_file(
            &format!("backends.webhooks[{index}].ca_file"),
            &self.ca_file,
        )?;
        for (k, v) in &self.headers {
            let bad = |s: &str| s.chars().any(|c| c == '\r' || c == '\n');
            if k.is_empty() || bad(k) || bad(v) || k.contains(':') || k.contains(' ') {
                return Err(Error::at(
                    &format!("backends.webhooks[{index}].headers"),
                    format!(
                        "`{k}` is not a valid header (no empty names, spaces, colons or line breaks)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn with_default_path(url: &str, path: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) if url.len() > after_scheme + i + 1 => url.to_string(),
        Some(i) => format!("{}{path}", &url[..after_scheme + i]),
        None => format!("{url}{path}"),
    }
}

pub struct Webhook {
    name: String,
    config: WebhookConfig,
}

impl Webhook {
    pub fn new(config: WebhookConfig, index: usize) -> Webhook {
        let name = config.name.clone().unwrap_or_else(|| {
            if index == 0 {
                "webhook".into()
            } else {
                format!("webhook-{}", index + 1)
            }
        });
        Webhook {
            name: sanitize_name(&name),
            config,
        }
    }
}

/// Backend names become file names: keep them to `[A-Za-z0-9._-]`.
pub fn sanitize_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("webhook{s}")
    } else {
        s
    }
}

/// `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, as GitHub and OrgLoop check it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    format!("sha256={}", crate::util::text::hex(&tag))
}

impl Backend for Webhook {
    fn name(&self) -> &str {
        &self.name
    }

    fn wants(&self, event: &str) -> bool {
        self.config
            .events
            .as_ref()
            .is_none_or(|e| e.contains(event))
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        let body = env.to_line();
        let mut headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            (
                "User-Agent".into(),
                format!("hookrelay/{}", env!("CARGO_PKG_VERSION")),
            ),
            ("X-Hook-Event".into(), env.hook_event_name.clone()),
            ("Idempotency-Key".into(), env.id.clone()),
        ];
        if let Some(k) = self.config.api_key.as_ref().filter(|k| !k.is_empty()) {
            headers.push(("X-API-Key".into(), k.expose().to_string()));
        }
        if let Some(t) = self.config.bearer_token.as_ref().filter(|t| !t.is_empty()) {
            headers.push(("Authorization".into(), format!("Bearer {}", t.expose())));
        }
        if let Some(s) = self.config.secret.as_ref().filter(|s| !s.is_empty()) {
            headers.push(("X-Hub-Signature-256".into(), signature(s.expose(), &body)));
        }
        for (k, v) in &self.config.headers {
            headers.push((k.clone(), v.clone()));
        }
        Some(super::with_ca_file(
            Request {
                method: "POST",
                url: self.config.url.clone(),
                headers,
                body,
            },
            &self.config.ca_file,
        ))
    }

    /// A webhook's contract has only `POST` events: nothing proves its key or
    /// secret short of an event. A GET of the URL (no credentials) proves the
    /// server is reachable and, for https, that its certificate is trusted.
    fn probe(&self) -> super::Probe {
        super::Probe::Http(super::with_ca_file(
            Request {
                method: "GET",
                url: self.config.url.clone(),
                headers: Vec::new(),
                body: Vec::new(),
            },
            &self.config.ca_file,
        ))
    }

    fn judge_probe(&self, resp: &HttpResponse) -> super::Finding {
        judge_probe(
            resp,
            self.carries_secret() || super::is_set(&self.config.secret),
        )
    }

    fn endpoint(&self) -> String {
        self.config.url.clone()
    }

    fn carries_secret(&self) -> bool {
        super::is_set(&self.config.api_key) || super::is_set(&self.config.bearer_token)
    }

    fn classify(&self, resp: &HttpResponse) -> Outcome {
        super::status::outcome_with(
            resp,
            "check the webhook's api_key / bearer_token / secret ($HOOK_API_KEY)",
            "check the webhook's url ($HOOK_BACKEND_URL)",
        )
    }

    fn gate(&self) -> Option<&GateConfig> {
        self.config.gate.as_ref()
    }
}

/// Any HTTP answer to the probe's GET: reachable, and nothing more is known.
pub fn judge_probe(resp: &HttpResponse, credentials: bool) -> super::Finding {
    let unproven = if credentials {
        "whether it accepts events with this key / token / secret cannot be checked without sending one (a webhook's contract has no side-effect-free request)"
    } else {
        "whether it accepts events cannot be checked without sending one (a webhook's contract has no side-effect-free request)"
    };
    super::Finding::partial(
        format!(
            "reachable (it answered {} to a GET without credentials)",
            resp.status
        ),
        unproven,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // RFC 4231 test case 2.
        let s = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            s,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_env_backend_joins_the_files_webhooks_unless_it_is_already_there() {
        let env = crate::backends::testing::env_from(&[
            ("HOOK_BACKEND_URL", "http://127.0.0.1:3000"),
            ("HOOK_API_KEY", "k-123"),
        ]);
        let file = |name: &str, url: &str| {
            let mut h = env_hook(&env);
            h.name = Some(name.into());
            h.url = url.into();
            h.from_env = false;
            h.api_key = None;
            h
        };
        let names = |mut hooks: Vec<WebhookConfig>| {
            WebhookConfig::apply_env(&mut hooks, &env, &mut Warnings::new());
            hooks
                .iter()
                .map(|h| format!("{}={}", h.name.as_deref().unwrap_or(""), h.url))
                .collect::<Vec<_>>()
        };
        // Another webhook in the file: the env one is added next to it.
        assert_eq!(
            names(vec![file("audit", "http://127.0.0.1:9/a")]),
            [
                "audit=http://127.0.0.1:9/a",
                "custom=http://127.0.0.1:3000/events"
            ]
        );
        // The file already sends there, or already has a `custom`: not twice.
        assert_eq!(
            names(vec![file("mine", "http://127.0.0.1:3000/events")]),
            ["mine=http://127.0.0.1:3000/events"]
        );
        assert_eq!(
            names(vec![file("custom", "http://127.0.0.1:9/c")]),
            ["custom=http://127.0.0.1:9/c"]
        );
    }

    #[test]
    fn extra_headers_that_would_break_the_request_are_config_errors() {
        let env =
            crate::backends::testing::env_from(&[("HOOK_BACKEND_URL", "http://127.0.0.1:3000")]);
        let mut h = env_hook(&env);
        h.from_env = false;
        let check = |h: &WebhookConfig| h.validate(2, &mut Warnings::new());
        h.headers = [("X-Team".to_string(), "agents".to_string())]
            .into_iter()
            .collect();
        assert!(check(&h).is_ok());
        for (k, v) in [
            ("", "x"),
            ("X-Bad Name", "x"),
            ("X-Bad:Name", "x"),
            ("X-Bad\r\nName", "x"),
            ("X-Split", "a\r\nInjected: yes"),
            ("X-Split", "a\nb"),
        ] {
            h.headers = [(k.to_string(), v.to_string())].into_iter().collect();
            let e = check(&h).expect_err(k).to_string();
            assert!(
                e.starts_with("backends.webhooks[2].headers:")
                    && e.contains("is not a valid header"),
                "{k:?}: {e}"
            );
        }
    }

    #[test]
    fn a_key_or_token_travels_a_signing_secret_does_not() {
        let env =
            crate::backends::testing::env_from(&[("HOOK_BACKEND_URL", "http://127.0.0.1:3000")]);
        let bare = env_hook(&env);
        assert!(!Webhook::new(bare.clone(), 0).carries_secret());
        let mut keyed = bare.clone();
        keyed.api_key = Some(crate::backends::Secret::new("k"));
        assert!(Webhook::new(keyed, 0).carries_secret());
        let mut bearer = bare.clone();
        bearer.bearer_token = Some(crate::backends::Secret::new("t"));
        assert!(Webhook::new(bearer, 0).carries_secret());
    }

    /// The webhook `HOOK_BACKEND_URL` alone configures.
    fn env_hook(env: &dyn Fn(&str) -> Option<String>) -> WebhookConfig {
        let mut hooks = Vec::new();
        WebhookConfig::apply_env(&mut hooks, env, &mut Warnings::new());
        hooks.pop().unwrap()
    }

    #[test]
    fn default_path_for_bare_backend_urls() {
        assert_eq!(
            with_default_path("http://127.0.0.1:3000", "/events"),
            "http://127.0.0.1:3000/events"
        );
        assert_eq!(
            with_default_path("http://127.0.0.1:3000/", "/events"),
            "http://127.0.0.1:3000/events"
        );
        assert_eq!(
            with_default_path("http://127.0.0.1:3000/in", "/events"),
            "http://127.0.0.1:3000/in"
        );
        assert_eq!(
            with_default_path("https://a.io", "/events"),
            "https://a.io/events"
        );
        assert_eq!(
            with_default_path("https://hooks.example.test/", "/events"),
            "https://hooks.example.test/events"
        );
    }

    #[test]
    fn names_become_safe_file_names() {
        assert_eq!(sanitize_name("team/audit log"), "team_audit_log");
        assert_eq!(sanitize_name(""), "webhook");
        assert_eq!(sanitize_name(".."), "webhook..");
        assert_eq!(sanitize_name(".hidden"), "webhook.hidden");
        assert_eq!(sanitize_name("a.b-c_d"), "a.b-c_d");
    }
}
