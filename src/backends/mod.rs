//! Remote backends, one module each, shaped like Vector's sinks: a config section
//! (`BackendConfig`: checked once, then built), a pure request builder (envelope ->
//! method, URL, headers, body) and a pure response classifier (delivered / retry
//! later / rejected) on the shared status table (`status`). `BackendsConfig` is the
//! registry: the one place that lists the backends. The transport, the fan-out and
//! the spooling live in the layers above and are shared by all of them.

// The two macros below write the `BackendConfig` boilerplate every backend config
// shares. They are defined before the backend modules so those can use them.
// `enabled` and `events` stay plain fields of each config (not one flattened
// struct): serde's `flatten` does not work with `deny_unknown_fields`.

/// The `BackendConfig` methods that only read or clear a config's `enabled` and
/// `events` fields.
macro_rules! enabled_and_events {
    () => {
        fn enabled(&self) -> bool {
            self.enabled
        }
        fn disable(&mut self) {
            self.enabled = false;
        }
        fn events(&self) -> Option<&$crate::backends::EventSet> {
            self.events.as_ref()
        }
    };
}

/// The whole `BackendConfig` of a backend configured at most once: it lives at
/// `$section`, its own `validate(&self, &mut Warnings)` checks it and
/// `$backend::new(config)` builds it.
macro_rules! single_backend_config {
    ($config:ty, $section:literal, $backend:ident) => {
        impl $crate::backends::BackendConfig for $config {
            fn section(&self, _index: usize) -> String {
                $section.into()
            }
            enabled_and_events!();
            fn validate(
                &self,
                _index: usize,
                warnings: &mut $crate::error::Warnings,
            ) -> Result<(), $crate::backends::Error> {
                <$config>::validate(self, warnings)
            }
            fn build(&self, _index: usize) -> Box<dyn $crate::backends::Backend> {
                Box::new($backend::new(self.clone()))
            }
        }
    };
}

pub mod bloodbank;
pub mod ca;
pub mod chroma;
pub mod orgloop;
pub mod otlp;
pub mod status;
#[cfg(test)]
pub mod testing;
pub mod url;
pub mod webhook;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::{Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

/// One HTTP request a backend wants sent for one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What came back: the status, the start of the body, and the two headers a
/// classifier needs (`Retry-After` on a busy answer, `Location` on a redirect).
#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<String>,
    pub location: Option<String>,
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
    /// A backend that does not speak HTTP (Bloodbank's NATS mode) sends its own
    /// `request` and classifies the answer: `Some(outcome)`, within `deadline`.
    /// `None` (the default): the shared HTTP transport sends it and `classify`
    /// reads the answer. Retries, spooling and the breaker are the same either way.
    fn send(
        &self,
        _req: &Request,
        _deadline: std::time::Instant,
        _connect_timeout: std::time::Duration,
    ) -> Option<Outcome> {
        None
    }
    /// Gate settings, when this backend's answer decides (webhooks only).
    fn gate(&self) -> Option<&webhook::GateConfig> {
        None
    }
    /// How `doctor` proves this backend works, with its credentials, without
    /// creating an event. The default: GET the endpoint (any HTTP answer proves
    /// the server is reachable, TLS included), nothing more.
    fn probe(&self) -> Probe {
        Probe::Http(Request {
            method: "GET",
            url: self.endpoint(),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }
    /// Reads the answer to `probe`'s request (pure).
    fn judge_probe(&self, resp: &HttpResponse) -> Finding {
        Finding::partial(
            format!("answers HTTP ({} to a GET)", resp.status),
            "whether it accepts events cannot be checked without sending one",
        )
    }
    /// `Probe::Own`: the backend runs its own probe within `deadline` (NATS).
    fn run_probe(
        &self,
        _deadline: std::time::Instant,
        _connect_timeout: std::time::Duration,
    ) -> Finding {
        Finding::failed(
            "this backend has no probe of its own",
            "report this as a bug",
        )
    }
    /// Where events go (for `doctor` and messages).
    fn endpoint(&self) -> String;
    /// Does a key, token or signature secret travel with each request?
    fn carries_secret(&self) -> bool;
}

/// How `doctor` checks a backend without creating an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    /// Send this request through the shared HTTP transport; `judge_probe` reads
    /// the answer. A transport error is the check's error.
    Http(Request),
    /// The backend speaks its own protocol: `run_probe` does it all.
    Own,
}

/// How far a probe got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// Everything an event needs was proven (endpoint, credentials, store).
    Proven,
    /// What could be checked works; the rest cannot be proven without an
    /// event (`unproven` says what, and `hookrelay send` proves it).
    Partial,
    /// Something is wrong: `fix` says what to change.
    Failed,
}

/// What a probe found, in words: one line for `doctor`.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub proof: Proof,
    /// What was checked and the result.
    pub message: String,
    /// Failed: what to change. Partial: what was not checked and how to prove it.
    pub fix: Option<String>,
}

impl Finding {
    pub fn proven(message: impl Into<String>) -> Finding {
        Finding {
            proof: Proof::Proven,
            message: message.into(),
            fix: None,
        }
    }
    /// `unproven`: what could not be checked (`hookrelay send` is offered).
    pub fn partial(message: impl Into<String>, unproven: &str) -> Finding {
        Finding {
            proof: Proof::Partial,
            message: format!("{}; {unproven}", message.into()),
            fix: Some("to prove it, run `hookrelay send` (a sample SessionStart; `hookrelay send <Event>` for an event this backend receives): it says whether the event was delivered".into()),
        }
    }
    pub fn failed(message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            proof: Proof::Failed,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
    /// An answer a probe did not expect: what the backend's own classifier says
    /// of it (its message names the setting to fix), as a failure.
    pub fn unexpected(resp: &HttpResponse, outcome: Outcome, fix: &str) -> Finding {
        let why = match outcome {
            Outcome::Retry(m) | Outcome::Rejected(m) => m,
            Outcome::Delivered => format!("answered {}", resp.status),
        };
        Finding::failed(why, fix)
    }
}

/// The pseudo-header that carries a backend's `ca_file` to the transport (it
/// is never sent: the transport strips every header that starts with `:`).
pub const CA_FILE: &str = ":ca-file";

/// `req` with `ca_file` attached for the transport, when one is configured.
pub fn with_ca_file(mut req: Request, ca_file: &Option<String>) -> Request {
    if let Some(f) = ca_file.as_ref().filter(|f| !f.is_empty()) {
        req.headers.push((CA_FILE.into(), f.clone()));
    }
    req
}

/// Checks a backend's `ca_file` (at `field`): readable, PEM, at least one
/// certificate. A CA that cannot be used is a config error, never a silent
/// fall-back to the system roots.
pub fn check_ca_file(field: &str, ca_file: &Option<String>) -> Result<(), Error> {
    let Some(path) = ca_file.as_ref() else {
        return Ok(());
    };
    let fix = "set it to a readable PEM file holding the CA certificate(s) that signed the server's certificate";
    let bytes = std::fs::read(path)
        .map_err(|e| Error::at(field, format!("cannot read `{path}`: {e}")).fix(fix))?;
    match ca::certificates(&bytes) {
        Ok(certs) if !certs.is_empty() => Ok(()),
        Ok(_) => Err(Error::at(field, format!("`{path}` holds no PEM certificate")).fix(fix)),
        Err(e) => Err(Error::at(field, format!("`{path}` is not valid PEM: {e}")).fix(fix)),
    }
}

/// A configured, non-empty secret.
pub fn is_set(s: &Option<Secret>) -> bool {
    s.as_ref().is_some_and(|s| !s.is_empty())
}

/// A backend section that cannot be used as written (a bad URL, a bad header):
/// the backend is switched off and this says which field, what and what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Error(pub Problem);

impl Error {
    /// A problem with the setting `field` (`backends.chroma.endpoint`, `$BLOODBANK_URL`).
    pub fn at(field: &str, what: impl Into<String>) -> Error {
        Error(Problem::new(what).at(field))
    }

    pub fn fix(self, fix: impl Into<String>) -> Error {
        Error(self.0.fix(fix))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        e.0
    }
}

/// What `BackendsConfig` needs from each backend's config section, so that
/// checking, counting and building backends is one loop over all of them.
/// `index` is the section's position among sections of its kind (only webhooks
/// have several; it names them in messages and picks their default name).
pub trait BackendConfig {
    /// Where the section is in the config file (`backends.webhooks[2]`).
    fn section(&self, index: usize) -> String;
    fn enabled(&self) -> bool;
    /// Switches the backend off (its section cannot be used).
    fn disable(&mut self);
    fn events(&self) -> Option<&EventSet>;
    /// Checks the URL (and what travels over it); plain-http credentials to a
    /// non-loopback host are warnings, not errors.
    fn validate(&self, index: usize, warnings: &mut Warnings) -> Result<(), Error>;
    fn build(&self, index: usize) -> Box<dyn Backend>;
}

/// The `backends` section of the config file.
///
/// Adding a backend: its module above, a field here, a line in `apply_env`, and
/// one line each in `sections` and `sections_mut`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendsConfig {
    pub bloodbank: Option<bloodbank::BloodbankConfig>,
    pub chroma: Option<chroma::ChromaConfig>,
    pub orgloop: Option<orgloop::OrgloopConfig>,
    pub otlp: Option<otlp::OtlpConfig>,
    pub webhooks: Vec<webhook::WebhookConfig>,
}

impl BackendsConfig {
    /// Configures, from the environment variables today's integrations use, every
    /// backend the file does not mention (a section in the file wins as a whole).
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>, warnings: &mut Warnings) {
        bloodbank::BloodbankConfig::apply_env(&mut self.bloodbank, env, warnings);
        chroma::ChromaConfig::apply_env(&mut self.chroma, env, warnings);
        orgloop::OrgloopConfig::apply_env(&mut self.orgloop, env, warnings);
        otlp::OtlpConfig::apply_env(&mut self.otlp, env, warnings);
        webhook::WebhookConfig::apply_env(&mut self.webhooks, env, warnings);
    }

    /// Every configured section, in the fixed order of `build`, with its index.
    pub fn sections(&self) -> Vec<(usize, &dyn BackendConfig)> {
        fn add<'a, T: BackendConfig + 'a>(
            out: &mut Vec<(usize, &'a dyn BackendConfig)>,
            items: impl Iterator<Item = &'a T>,
        ) {
            out.extend(items.enumerate().map(|(i, c)| (i, c as &dyn BackendConfig)));
        }
        let mut out = Vec::new();
        add(&mut out, self.bloodbank.iter());
        add(&mut out, self.chroma.iter());
        add(&mut out, self.orgloop.iter());
        add(&mut out, self.otlp.iter());
        add(&mut out, self.webhooks.iter());
        out
    }

    /// `sections`, to change.
    fn sections_mut(&mut self) -> Vec<(usize, &mut dyn BackendConfig)> {
        fn add<'a, T: BackendConfig + 'a>(
            out: &mut Vec<(usize, &'a mut dyn BackendConfig)>,
            items: impl Iterator<Item = &'a mut T>,
        ) {
            out.extend(
                items
                    .enumerate()
                    .map(|(i, c)| (i, c as &mut dyn BackendConfig)),
            );
        }
        let mut out = Vec::new();
        add(&mut out, self.bloodbank.iter_mut());
        add(&mut out, self.chroma.iter_mut());
        add(&mut out, self.orgloop.iter_mut());
        add(&mut out, self.otlp.iter_mut());
        add(&mut out, self.webhooks.iter_mut());
        out
    }

    /// Checks every enabled backend's URL (and what travels over it). Returns one
    /// error per problem, naming the field; a backend with a problem is disabled,
    /// so a caller that carries on (the hook's fallback) never sends to a bad URL.
    /// Plain-http credentials to a non-loopback host are warnings, not errors.
    ///
    /// Two enabled backends with one name would share one spool, breaker and
    /// cursor (one destination then gets nothing, the other everything twice), so
    /// the first of a name is kept and every later one is an error and disabled:
    /// like a backend with a bad URL, its events are then kept locally.
    pub fn validate(&mut self, warnings: &mut Warnings) -> Vec<Error> {
        let mut errors = Vec::new();
        // Names as the backends use them (defaults filled in, sanitized), since
        // that is what names the spool and breaker files.
        let mut seen: Vec<(String, String)> = Vec::new();
        for (i, c) in self.sections_mut() {
            if !c.enabled() {
                continue;
            }
            let name = c.build(i).name().to_string();
            match seen.iter().find(|(n, _)| *n == name) {
                Some((_, first)) => {
                    c.disable();
                    errors.push(
                        Error::at(
                            &format!("{}.name", c.section(i)),
                            format!("\"{name}\" is already the name of {first}"),
                        )
                        .fix("give each backend its own name"),
                    );
                }
                None => seen.push((name, c.section(i))),
            }
        }
        for (i, c) in self.sections_mut() {
            if let Some(e) = c.events() {
                e.check(&format!("{}.events", c.section(i)), warnings);
            }
            if !c.enabled() {
                continue;
            }
            if let Err(e) = c.validate(i, warnings) {
                c.disable();
                errors.push(e);
            }
        }
        errors
    }

    /// Is any remote backend enabled?
    /// Same answer as `!build().is_empty()` (a test holds them together), without
    /// building every backend a second time on each event.
    pub fn any_remote(&self) -> bool {
        self.sections().iter().any(|(_, c)| c.enabled())
    }

    /// The enabled backends that want `event` (per-backend event selection).
    pub fn for_event(&self, event: &str) -> Vec<Box<dyn Backend>> {
        self.build()
            .into_iter()
            .filter(|b| b.wants(event))
            .collect()
    }

    /// The enabled backends, in a fixed order.
    pub fn build(&self) -> Vec<Box<dyn Backend>> {
        self.sections()
            .into_iter()
            .filter(|(_, c)| c.enabled())
            .map(|(i, c)| c.build(i))
            .collect()
    }
}

/// Drops `null` members from objects (at any depth) and `null` items from arrays:
/// the services behind these backends reject (or choke on) `null` where they expect
/// a value, and an absent optional field means the same thing to all of them.
pub fn strip_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(a) => {
            a.retain(|x| !x.is_null());
            a.iter_mut().for_each(strip_nulls);
        }
        _ => {}
    }
}

/// A JSON POST: the body as exact bytes (so a signature over them holds).
pub fn json_post(url: String, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Request {
    headers.insert(0, ("Content-Type".into(), "application/json".into()));
    Request {
        method: "POST",
        url,
        headers,
        body,
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
    #[cfg(test)]
    pub fn of(names: &[&str]) -> EventSet {
        EventSet(names.iter().map(|s| s.to_string()).collect())
    }
    pub fn contains(&self, event: &str) -> bool {
        self.0.iter().any(|e| e == "*" || e == event)
    }
    /// Warns about names that are not Claude Code events (a typo selects nothing).
    /// Unknown names stay allowed: newer Claude Code versions add events.
    pub fn check(&self, field: &str, warnings: &mut Warnings) {
        for name in &self.0 {
            if name != "*" && HookEvent::from_name(name).is_none() {
                let hint = HookEvent::from_name_ignore_case(name)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                warnings.push(
                    Problem::new(format!("`{name}` is not a Claude Code event{hint}"))
                        .at(field)
                        .fix("it only matches an event of exactly that name"),
                );
            }
        }
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

/// Cuts every string of `v` longer than `cap` bytes to a quarter of it, saying
/// how much was cut: how a backend with a body limit (the ChromaDB bridge's 10 MB,
/// NATS's `max_payload`) shrinks an event to fit instead of losing it.
pub fn cap_strings(v: &mut Value, cap: usize) {
    match v {
        Value::String(s) if s.len() > cap => {
            let total = s.chars().count();
            let kept = crate::util::text::truncate_chars(s, cap / 4);
            *s = format!("{kept}…[truncated {} chars]", total - kept.chars().count());
        }
        Value::Array(a) => a.iter_mut().for_each(|x| cap_strings(x, cap)),
        Value::Object(m) => m.values_mut().for_each(|x| cap_strings(x, cap)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_remote_agrees_with_build_for_every_backend_kind() {
        let env = testing::env_from(&[
            ("BLOODBANK_URL", "http://127.0.0.1:8682"),
            ("BLOODBANK_ENABLED", "true"),
            ("ZO_EVENT_ENDPOINT", "http://127.0.0.1:9000/ingest"),
            ("ORGLOOP_PORT", "4800"),
            ("HOOK_BACKEND_URL", "http://127.0.0.1:3000"),
        ]);
        let mut all = BackendsConfig::default();
        all.apply_env(&env, &mut Warnings::new());
        assert_eq!(all.build().len(), 4);
        assert!(all.any_remote());
        for off in 0..4 {
            let mut c = BackendsConfig::default();
            c.apply_env(&env, &mut Warnings::new());
            for (i, enabled) in [
                c.bloodbank.as_mut().map(|b| &mut b.enabled),
                c.chroma.as_mut().map(|b| &mut b.enabled),
                c.orgloop.as_mut().map(|b| &mut b.enabled),
                c.webhooks.first_mut().map(|b| &mut b.enabled),
            ]
            .into_iter()
            .enumerate()
            {
                *enabled.unwrap() = i == off;
            }
            assert_eq!(c.build().len(), 1, "only kind {off}");
            assert_eq!(c.any_remote(), !c.build().is_empty(), "kind {off}");
        }
        let none = BackendsConfig::default();
        assert_eq!(none.any_remote(), !none.build().is_empty());
        assert!(!none.any_remote());
    }

    #[test]
    fn a_duplicate_name_is_an_error_and_only_the_first_stays_on() {
        let mut c: BackendsConfig = serde_json::from_value(serde_json::json!({
            "webhooks": [
                {"name": "a", "url": "http://127.0.0.1:1/x"},
                {"name": "a", "url": "http://127.0.0.1:2/y"},
                {"name": "chroma", "url": "http://127.0.0.1:3/z"},
                {"name": "b", "url": "http://127.0.0.1:4/w"}
            ],
            "chroma": {"endpoint": "http://127.0.0.1:5/ingest"}
        }))
        .unwrap();
        let errors = c.validate(&mut Warnings::new());
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "backends.webhooks[1].name: \"a\" is already the name of backends.webhooks[0]; give each backend its own name",
                "backends.webhooks[2].name: \"chroma\" is already the name of backends.chroma; give each backend its own name",
            ]
        );
        let names: Vec<String> = c.build().iter().map(|b| b.name().to_string()).collect();
        assert_eq!(names, ["chroma", "a", "b"]);
        let urls: Vec<String> = c.build().iter().map(|b| b.endpoint()).collect();
        assert!(urls[1].contains(":1/x"), "{urls:?}");
    }

    #[test]
    fn nulls_are_dropped() {
        let mut v = serde_json::json!({"a": null, "b": [1, null, {"c": null}]});
        strip_nulls(&mut v);
        assert_eq!(v, serde_json::json!({"b": [1, {}]}));
    }

    #[test]
    fn event_name_typos_are_warned_with_a_hint() {
        let mut w = Warnings::new();
        EventSet::of(&["*", "SessionEnd", "sessionend"]).check("backends.orgloop.events", &mut w);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].to_string().starts_with("backends.orgloop.events")
                && w[0].to_string().contains("`SessionEnd`")
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let s = Secret::new("fake-secret-1");
        assert_eq!(format!("{s:?}"), "***");
    }
}
