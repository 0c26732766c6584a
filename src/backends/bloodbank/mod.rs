//! Bloodbank (the 33GOD event bus), in the mode its `url` chooses:
//! - `nats://host:port`: today's Bloodbank (since May 2026): CloudEvents of the v1
//!   naming contract (`cloudevent`), published to JetStream with a PubAck (`nats`);
//! - `http(s)://…`: the `/events/claude-code/*` routes of Bloodbank before May
//!   2026 (`http`).
//!
//! This module owns the config section, its environment variables and the choice
//! of mode; both modes are one backend named `bloodbank` (one spool, one breaker):
//! switching modes replays what is spooled in the new mode, since every request
//! is rebuilt from the kept envelope.

pub mod cloudevent;
pub mod http;
pub mod nats;

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Backend, Error, EventSet, HttpResponse, Outcome, Request, Secret};
use crate::error::{Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::protocol::events::HookEvent;

pub use http::DEFAULT_URL;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BloodbankConfig {
    /// `nats://host:port` (NATS mode), or an http(s) base URL without a trailing
    /// slash (HTTP mode; routes are appended).
    #[serde(default = "default_url")]
    pub url: String,
    /// NATS mode: the server's token (`authorization { token }`).
    #[serde(default)]
    pub token: Option<Secret>,
    /// NATS mode: user and password (`authorization { users }`).
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// NATS mode: a `.creds` file (JWT + NKey). Not supported yet: a config error.
    #[serde(default)]
    pub creds: Option<String>,
    /// NATS mode: TLS. Not supported yet: `true` (or any settings) is a config error.
    #[serde(default)]
    pub tls: Option<serde_json::Value>,
    /// HTTP mode: a PEM file of CA certificates trusted for an https URL, on top
    /// of the system's.
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    /// Events sent (default: every event the mode maps).
    pub events: Option<EventSet>,
    /// Set when the environment configured this backend (names fields in messages).
    #[serde(skip)]
    pub from_env: bool,
}

/// Without a URL: today's Bloodbank, NATS on this machine (its HTTP API was
/// removed in May 2026; `http://…` URLs still choose the HTTP mode).
fn default_url() -> String {
    format!("nats://{}:{}", nats::DEFAULT_HOST, nats::DEFAULT_PORT)
}

impl BloodbankConfig {
    /// An enabled section with only a URL (the rest default).
    pub fn with_url(url: impl Into<String>) -> BloodbankConfig {
        BloodbankConfig {
            url: url.into(),
            token: None,
            user: None,
            password: None,
            creds: None,
            tls: None,
            ca_file: None,
            enabled: true,
            events: None,
            from_env: false,
        }
    }

    /// The NATS mode? (`nats://`, or `tls://`, which is refused by `validate`.)
    pub fn is_nats(&self) -> bool {
        let scheme = self.url.split("://").next().unwrap_or("");
        self.url.contains("://")
            && (scheme.eq_ignore_ascii_case("nats") || scheme.eq_ignore_ascii_case("tls"))
    }

    /// The variables of Bloodbank's integrations, only with `BLOODBANK_ENABLED`
    /// exactly `true`: `BLOODBANK_NATS_HOST` / `BLOODBANK_NATS_PORT` (today's
    /// hook; defaults `127.0.0.1` / `4222`) choose the NATS mode; `BLOODBANK_URL`
    /// alone the HTTP mode, as before; neither: NATS on `127.0.0.1:4222`, where
    /// today's Bloodbank hook publishes.
    pub fn apply_env(
        slot: &mut Option<BloodbankConfig>,
        env: &dyn Fn(&str) -> Option<String>,
        warnings: &mut Warnings,
    ) {
        if slot.is_some() || env("BLOODBANK_ENABLED").as_deref() != Some("true") {
            return;
        }
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let (host, port) = (var("BLOODBANK_NATS_HOST"), var("BLOODBANK_NATS_PORT"));
        let url = if host.is_some() || port.is_some() {
            if var("BLOODBANK_URL").is_some() {
                warnings.push(
                    Problem::new("$BLOODBANK_URL is ignored: $BLOODBANK_NATS_HOST / $BLOODBANK_NATS_PORT choose the NATS mode")
                        .at("$BLOODBANK_URL")
                        .fix("unset one of them"),
                );
            }
            let host = host.unwrap_or_else(|| nats::DEFAULT_HOST.into());
            let host = host.trim();
            let port = port.unwrap_or_else(|| nats::DEFAULT_PORT.to_string());
            if host.contains(':') && !host.starts_with('[') {
                format!("nats://[{host}]:{}", port.trim())
            } else {
                format!("nats://{host}:{}", port.trim())
            }
        } else {
            var("BLOODBANK_URL").unwrap_or_else(default_url)
        };
        // (`default_url` is NATS: BLOODBANK_ENABLED=true alone is today's hook.)
        *slot = Some(BloodbankConfig {
            from_env: true,
            ..BloodbankConfig::with_url(url)
        });
    }

    /// Where the URL came from, for messages.
    fn url_field(&self) -> &'static str {
        match (self.from_env, self.is_nats()) {
            (true, true) => "$BLOODBANK_NATS_HOST / $BLOODBANK_NATS_PORT",
            (true, false) => "$BLOODBANK_URL",
            (false, _) => "backends.bloodbank.url",
        }
    }

    pub fn validate(&self, warnings: &mut Warnings) -> Result<(), Error> {
        let field = self.url_field();
        if !self.is_nats() {
            for (set, name) in [
                (super::is_set(&self.token), "token"),
                (self.user.is_some(), "user"),
                (super::is_set(&self.password), "password"),
                (self.creds.is_some(), "creds"),
                (self.tls.is_some(), "tls"),
            ] {
                if set {
                    return Err(Error::at(
                        &format!("backends.bloodbank.{name}"),
                        "only the NATS mode takes it",
                    )
                    .fix("give a nats://host:port url, or remove it"));
                }
            }
            http::validate(field, &self.url)?;
            return super::check_ca_file("backends.bloodbank.ca_file", &self.ca_file);
        }
        if self.ca_file.is_some() {
            return Err(Error::at(
                "backends.bloodbank.ca_file",
                "only the HTTP mode takes it (the NATS mode does not support TLS yet)",
            )
            .fix("remove it, or give an https:// url"));
        }
        let t = self.target()?;
        if t.auth != nats::Auth::None && !super::url::is_loopback(&t.host) {
            let what = match t.auth {
                nats::Auth::Token(_) => "token",
                _ => "password",
            };
            warnings.push(
                Problem::new(format!(
                    "the {what} is sent in clear text over nats:// to {}",
                    t.host
                ))
                .at(field)
                .fix("TLS is not supported yet: reach the server through a loopback tunnel"),
            );
        }
        Ok(())
    }

    /// The NATS server and credentials (the NATS mode's part of `validate`).
    pub fn target(&self) -> Result<nats::Target, Error> {
        let field = self.url_field();
        let shown = crate::util::url::display(&self.url);
        let not_yet = "the NATS mode does not support TLS yet";
        if self.url.to_ascii_lowercase().starts_with("tls://") {
            return Err(Error::at(field, format!("`{shown}`: {not_yet}"))
                .fix("use nats://host:port (through a loopback tunnel for a remote server)"));
        }
        if self
            .tls
            .as_ref()
            .is_some_and(|t| t != &serde_json::json!(false))
        {
            return Err(Error::at("backends.bloodbank.tls", not_yet)
                .fix("remove `tls` and reach the server through a loopback tunnel"));
        }
        if self.creds.is_some() {
            return Err(Error::at(
                "backends.bloodbank.creds",
                "the NATS mode does not support .creds (JWT/NKey) logins yet",
            )
            .fix("use `token` or `user` and `password`"));
        }
        let u =
            nats::parse_url(&self.url).map_err(|e| Error::at(field, format!("`{shown}` {e}")))?;
        let token = self.token.clone().filter(|t| !t.is_empty());
        let user = self.user.clone().or(u.user);
        let password = self
            .password
            .clone()
            .or(u.password.map(Secret::new))
            .filter(|p| !p.is_empty());
        let auth = match (token, user, password) {
            (Some(_), Some(_), _) => {
                return Err(Error::at(
                    "backends.bloodbank.token",
                    "both a token and a user are set",
                )
                .fix("give one way to log in"));
            }
            (Some(t), None, _) => nats::Auth::Token(t),
            (None, Some(u), Some(p)) => nats::Auth::UserPassword(u, p),
            // `nats://<token>@host` is how NATS writes a token in a URL.
            (None, Some(u), None) => nats::Auth::Token(Secret::new(u)),
            (None, None, Some(_)) => {
                return Err(
                    Error::at("backends.bloodbank.password", "a password without a user")
                        .fix("set `user` too"),
                );
            }
            (None, None, None) => nats::Auth::None,
        };
        Ok(nats::Target {
            host: u.host,
            port: u.port,
            auth,
        })
    }
}

single_backend_config!(BloodbankConfig, "backends.bloodbank", Bloodbank);

/// The mode, decided once from the (validated) config.
enum Mode {
    Http,
    Nats(nats::Target),
}

pub struct Bloodbank {
    config: BloodbankConfig,
    mode: Mode,
}

impl Bloodbank {
    pub fn new(config: BloodbankConfig) -> Bloodbank {
        let mode = if config.is_nats() {
            // `validate` has refused a config without a target; a default one
            // here only keeps `build` total (the name is all it is used for then).
            Mode::Nats(config.target().unwrap_or(nats::Target {
                host: nats::DEFAULT_HOST.into(),
                port: nats::DEFAULT_PORT,
                auth: nats::Auth::None,
            }))
        } else {
            Mode::Http
        };
        Bloodbank { config, mode }
    }
}

impl Backend for Bloodbank {
    fn name(&self) -> &str {
        "bloodbank"
    }

    fn wants(&self, event: &str) -> bool {
        match &self.config.events {
            Some(e) => e.contains(event),
            None => HookEvent::from_name(event).is_some_and(|e| match self.mode {
                Mode::Http => http::route(e).is_some(),
                Mode::Nats(_) => cloudevent::kind(e).is_some(),
            }),
        }
    }

    fn request(&self, env: &Envelope) -> Option<Request> {
        match &self.mode {
            Mode::Http => http::request(&self.config.url, env)
                .map(|r| super::with_ca_file(r, &self.config.ca_file)),
            Mode::Nats(t) => nats::request(t, env),
        }
    }

    fn classify(&self, resp: &HttpResponse) -> Outcome {
        http::classify(resp)
    }

    fn send(&self, req: &Request, deadline: Instant, connect_timeout: Duration) -> Option<Outcome> {
        match &self.mode {
            Mode::Http => None,
            Mode::Nats(t) => Some(nats::publish(t, req, deadline, connect_timeout)),
        }
    }

    fn endpoint(&self) -> String {
        match &self.mode {
            Mode::Http => self.config.url.clone(),
            Mode::Nats(t) => t.endpoint(),
        }
    }

    fn carries_secret(&self) -> bool {
        matches!(&self.mode, Mode::Nats(t) if t.auth != nats::Auth::None)
    }

    /// HTTP mode: `/healthz`, which does not check RabbitMQ (nothing short of
    /// publishing would). NATS mode: login and the stream, with no message.
    fn probe(&self) -> super::Probe {
        match self.mode {
            Mode::Http => super::Probe::Http(super::with_ca_file(
                Request {
                    method: "GET",
                    url: format!("{}/healthz", self.config.url),
                    headers: Vec::new(),
                    body: Vec::new(),
                },
                &self.config.ca_file,
            )),
            Mode::Nats(_) => super::Probe::Own,
        }
    }

    fn judge_probe(&self, resp: &HttpResponse) -> super::Finding {
        http::judge_probe(resp)
    }

    fn run_probe(&self, deadline: Instant, connect_timeout: Duration) -> super::Finding {
        match &self.mode {
            Mode::Nats(t) => nats::probe(t, deadline, connect_timeout),
            Mode::Http => super::Finding::failed(
                "the HTTP mode has no probe of its own",
                "report this as a bug",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::env_from;

    fn from_env(pairs: &[(&str, &str)]) -> (Option<BloodbankConfig>, Warnings) {
        let mut slot = None;
        let mut w = Warnings::new();
        BloodbankConfig::apply_env(&mut slot, &env_from(pairs), &mut w);
        (slot, w)
    }

    #[test]
    fn env_enables_only_on_the_exact_string_true() {
        let run = |pairs: &[(&str, &str)]| from_env(pairs).0;
        assert!(run(&[("BLOODBANK_ENABLED", "1")]).is_none());
        assert!(run(&[("BLOODBANK_ENABLED", "TRUE")]).is_none());
        assert!(run(&[("BLOODBANK_URL", "http://h:1")]).is_none());
        assert!(run(&[("BLOODBANK_NATS_HOST", "h")]).is_none());
        // Alone it is today's Bloodbank hook: NATS on this machine.
        assert_eq!(
            run(&[("BLOODBANK_ENABLED", "true")]).unwrap().url,
            "nats://127.0.0.1:4222"
        );
        let c = run(&[
            ("BLOODBANK_ENABLED", "true"),
            ("BLOODBANK_URL", "http://bb:9"),
        ])
        .unwrap();
        assert_eq!(c.url, "http://bb:9");
        assert!(!c.is_nats());
    }

    #[test]
    fn the_nats_variables_choose_the_nats_mode() {
        let (c, w) = from_env(&[
            ("BLOODBANK_ENABLED", "true"),
            ("BLOODBANK_NATS_PORT", "4333"),
        ]);
        let c = c.unwrap();
        assert_eq!(c.url, "nats://127.0.0.1:4333");
        assert!(c.is_nats() && w.is_empty());
        let b = Bloodbank::new(c);
        assert_eq!(b.endpoint(), "nats://127.0.0.1:4333");
        assert!(b.wants("PreToolUse") && b.wants("Stop") && !b.wants("Notification"));
        assert_eq!(b.probe(), crate::backends::Probe::Own);

        let (c, w) = from_env(&[
            ("BLOODBANK_ENABLED", "true"),
            ("BLOODBANK_NATS_HOST", "nats.internal"),
            ("BLOODBANK_URL", "http://bb:9"),
        ]);
        assert_eq!(c.unwrap().url, "nats://nats.internal:4222");
        assert_eq!(w.len(), 1);
        assert!(w[0].to_string().starts_with("$BLOODBANK_URL"), "{}", w[0]);

        let (c, _) = from_env(&[
            ("BLOODBANK_ENABLED", "true"),
            ("BLOODBANK_NATS_PORT", "nope"),
        ]);
        let e = c.unwrap().validate(&mut Warnings::new()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("$BLOODBANK_NATS_HOST / $BLOODBANK_NATS_PORT"),
            "{e}"
        );
    }

    #[test]
    fn http_urls_are_checked_with_the_field_named() {
        let mut c = BloodbankConfig::with_url("http://localhost:8682/");
        let e = c.validate(&mut Warnings::new()).unwrap_err();
        assert!(e.to_string().contains("backends.bloodbank.url"), "{e}");
        c.url = "localhost:8682".into();
        c.from_env = true;
        let e = c.validate(&mut Warnings::new()).unwrap_err();
        assert!(e.to_string().contains("$BLOODBANK_URL"), "{e}");
        c.url = "https://bb.example.test/prefix".into();
        assert!(c.validate(&mut Warnings::new()).is_ok());
        let crate::backends::Probe::Http(probe) = Bloodbank::new(c.clone()).probe() else {
            panic!("the HTTP mode probes over HTTP")
        };
        assert_eq!(
            (probe.method, probe.url.as_str()),
            ("GET", "https://bb.example.test/prefix/healthz")
        );
        c.token = Some(Secret::new("t"));
        let e = c.validate(&mut Warnings::new()).unwrap_err();
        assert!(e.to_string().starts_with("backends.bloodbank.token"), "{e}");
    }

    #[test]
    fn nats_credentials_tls_and_creds_are_read_or_refused_clearly() {
        let ok = |c: &BloodbankConfig| {
            c.validate(&mut Warnings::new())
                .map(|_| c.target().unwrap())
        };
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1:4222");
        assert_eq!(ok(&c).unwrap().auth, nats::Auth::None);
        c.token = Some(Secret::new("tok"));
        assert_eq!(ok(&c).unwrap().auth, nats::Auth::Token(Secret::new("tok")));
        c.token = None;
        c.user = Some("bob".into());
        c.password = Some(Secret::new("pw"));
        assert_eq!(
            ok(&c).unwrap().auth,
            nats::Auth::UserPassword("bob".into(), Secret::new("pw"))
        );
        assert!(Bloodbank::new(c.clone()).carries_secret());
        let c = BloodbankConfig::with_url("nats://bob:pw@127.0.0.1");
        assert_eq!(
            ok(&c).unwrap().auth,
            nats::Auth::UserPassword("bob".into(), Secret::new("pw"))
        );
        let c = BloodbankConfig::with_url("nats://s3cr3t-token@127.0.0.1");
        assert_eq!(
            ok(&c).unwrap().auth,
            nats::Auth::Token(Secret::new("s3cr3t-token"))
        );

        let mut w = Warnings::new();
        let mut remote = BloodbankConfig::with_url("nats://nats.example.test");
        remote.token = Some(Secret::new("tok"));
        assert!(remote.validate(&mut w).is_ok());
        assert_eq!(w.len(), 1);
        assert!(w[0].to_string().contains("clear text"), "{}", w[0]);
        assert!(!w[0].to_string().contains("tok\""));

        let err = |c: &BloodbankConfig| c.validate(&mut Warnings::new()).unwrap_err().to_string();
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1");
        c.tls = Some(serde_json::json!(true));
        assert!(
            err(&c).starts_with("backends.bloodbank.tls: the NATS mode does not support TLS yet")
        );
        let c = BloodbankConfig::with_url("tls://127.0.0.1:4222");
        assert!(err(&c).contains("does not support TLS"), "{}", err(&c));
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1");
        c.creds = Some("/x.creds".into());
        assert!(err(&c).starts_with("backends.bloodbank.creds"));
        let c = BloodbankConfig::with_url("nats://u:pw@127.0.0.1:99999");
        let e = err(&c);
        assert!(e.contains("invalid port") && !e.contains("pw"), "{e}");
    }
}
