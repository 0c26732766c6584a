//! Remote backends, one module each, shaped like Vector's sinks: a config, a pure
//! request builder (envelope -> method, URL, headers, body) and a pure response
//! classifier (delivered / retry later / rejected). The transport (`http`), the
//! fan-out (`deliver`) and the spooling (`spool`) are shared by all of them.

pub mod bloodbank;
pub mod chroma;
pub mod http;
pub mod orgloop;
pub mod webhook;

use serde::{Deserialize, Deserializer};

use crate::event::Envelope;

/// One HTTP request a backend wants sent for one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What came back.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// The classification of one attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The backend has the event (including answers that only look like errors).
    Delivered,
    /// Not delivered; try again later (transport errors, timeouts, 5xx, 429, auth).
    Retry(String),
    /// The backend refused this event itself; retrying will not help.
    Rejected(String),
}

/// What every backend is.
pub trait Backend: Send + Sync {
    /// Stable name: it names the spool directory and the breaker file.
    fn name(&self) -> &str;
    /// Does this backend receive this event at all (per-backend event selection)?
    fn wants(&self, event: &str) -> bool;
    /// The request for this event, or `None` when this event maps to nothing.
    /// Pure: the same envelope always gives the same request, so replays match.
    fn request(&self, env: &Envelope) -> Option<Request>;
    /// Classifies an HTTP answer. Transport errors are always `Retry`.
    fn classify(&self, resp: &HttpResponse) -> Outcome;
    /// Gate settings, when this backend's answer decides (webhooks only).
    fn gate(&self) -> Option<&webhook::GateConfig> {
        None
    }
    /// A URL `doctor` may GET to check health (`/healthz`, `/health`).
    fn health_url(&self) -> Option<String> {
        None
    }
}

/// The `backends` section of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendsConfig {
    pub bloodbank: Option<bloodbank::BloodbankConfig>,
    pub chroma: Option<chroma::ChromaConfig>,
    pub orgloop: Option<orgloop::OrgloopConfig>,
    pub webhooks: Vec<webhook::WebhookConfig>,
}

impl BackendsConfig {
    /// Fills unset backends from the environment variables today's integrations use.
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>, warnings: &mut Vec<String>) {
        bloodbank::BloodbankConfig::apply_env(&mut self.bloodbank, env, warnings);
        chroma::ChromaConfig::apply_env(&mut self.chroma, env, warnings);
        orgloop::OrgloopConfig::apply_env(&mut self.orgloop, env, warnings);
        webhook::WebhookConfig::apply_env(&mut self.webhooks, env, warnings);
    }

    /// Is any remote backend enabled?
    pub fn any_remote(&self) -> bool {
        !self.build().is_empty()
    }

    /// The enabled backends, in a fixed order.
    pub fn build(&self) -> Vec<Box<dyn Backend>> {
        let mut out: Vec<Box<dyn Backend>> = Vec::new();
        if let Some(c) = self.bloodbank.as_ref().filter(|c| c.enabled) {
            out.push(Box::new(bloodbank::Bloodbank::new(c.clone())));
        }
        if let Some(c) = self.chroma.as_ref().filter(|c| c.enabled) {
            out.push(Box::new(chroma::Chroma::new(c.clone())));
        }
        if let Some(c) = self.orgloop.as_ref().filter(|c| c.enabled) {
            out.push(Box::new(orgloop::Orgloop::new(c.clone())));
        }
        for (i, c) in self.webhooks.iter().enumerate().filter(|(_, c)| c.enabled) {
            out.push(Box::new(webhook::Webhook::new(c.clone(), i)));
        }
        out
    }
}

/// A secret from the config: usable, but never printed (Debug shows `***`).
#[derive(Clone, Default, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Per-backend event selection: `["*"]` or a list of event names.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSet(Vec<String>);

impl EventSet {
    pub fn of(names: &[&str]) -> EventSet {
        EventSet(names.iter().map(|s| s.to_string()).collect())
    }
    pub fn contains(&self, event: &str) -> bool {
        self.0.iter().any(|e| e == "*" || e == event)
    }
}

impl<'de> Deserialize<'de> for EventSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EventSet, D::Error> {
        Vec::<String>::deserialize(d).map(EventSet)
    }
}

fn yes() -> bool {
    true
}
