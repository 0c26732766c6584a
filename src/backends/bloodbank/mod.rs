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
pub mod nkey;
pub mod tls;

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
    /// NATS mode: an NKey user's seed (`SU…`; `authorization { users = [{nkey}] }`).
    #[serde(default)]
    pub nkey_seed: Option<Secret>,
    /// NATS mode: a file holding that seed (`nk -gen user` writes one).
    #[serde(default)]
    pub seed_file: Option<String>,
    /// NATS mode: a `.creds` file (user JWT + seed; operator mode, `nsc`).
    #[serde(default)]
    pub creds: Option<String>,
    /// NATS mode: TLS: `true`, `false`, or `{"ca_file": "/path/ca.pem"}` (read
    /// as JSON here, checked by `target` so that errors name the field).
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
            nkey_seed: None,
            seed_file: None,
            creds: None,
            tls: None,
            ca_file: None,
            enabled: true,
            events: None,
            from_env: false,
        }
    }

    /// The NATS mode? (`nats://`, or `tls://`: NATS with TLS.)
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
                (super::is_set(&self.nkey_seed), "nkey_seed"),
                (self.seed_file.is_some(), "seed_file"),
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
                "only the HTTP mode takes it; the NATS mode's CA file is `tls.ca_file`",
            )
            .fix("write it as \"tls\": {\"ca_file\": \"…\"}"));
        }
        let t = self.target()?;
        let clear = match t.auth {
            _ if t.tls.is_some() => None,
            nats::Auth::Token(_) => Some("token"),
            nats::Auth::UserPassword(..) => Some("password"),
            // An NKey login sends a signature of a one-time nonce, never the seed.
            nats::Auth::None | nats::Auth::NKey(_) | nats::Auth::Jwt { .. } => None,
        };
        if let Some(what) = clear
            && !super::url::is_loopback(&t.host)
        {
            warnings.push(
                Problem::new(format!(
                    "the {what} is sent in clear text over nats:// to {}",
                    t.host
                ))
                .at(field)
                .fix(
                    "set backends.bloodbank.tls to true (or a tls:// URL) if the server takes TLS",
                ),
            );
        }
        Ok(())
    }

    /// The NATS server and credentials (the NATS mode's part of `validate`).
    pub fn target(&self) -> Result<nats::Target, Error> {
        let field = self.url_field();
        let shown = crate::util::url::display(&self.url);
        let u =
            nats::parse_url(&self.url).map_err(|e| Error::at(field, format!("`{shown}` {e}")))?;
        let tls = self.tls_setup(u.tls)?;
        let token = self.token.clone().filter(|t| !t.is_empty());
        let user = self.user.clone().or(u.user);
        let password = self
            .password
            .clone()
            .or(u.password.map(Secret::new))
            .filter(|p| !p.is_empty());
        let nkey = self.nkey_login()?;
        // One way to log in: name the first two that are both set.
        let ways = [
            ("token", token.is_some()),
            ("user", user.is_some()),
            ("nkey_seed", super::is_set(&self.nkey_seed)),
            ("seed_file", self.seed_file.is_some()),
            ("creds", self.creds.is_some()),
        ];
        let mut set = ways.iter().filter(|(_, on)| *on).map(|(n, _)| *n);
        if let (Some(a), Some(b)) = (set.next(), set.next()) {
            return Err(Error::at(
                &format!("backends.bloodbank.{b}"),
                format!("both `{a}` and `{b}` are set"),
            )
            .fix("give one way to log in"));
        }
        let auth = match (token, user, password, nkey) {
            (_, _, _, Some(auth)) => auth,
            (Some(t), None, _, None) => nats::Auth::Token(t),
            (None, Some(u), Some(p), None) => nats::Auth::UserPassword(u, p),
            // `nats://<token>@host` is how NATS writes a token in a URL.
            (None, Some(u), None, None) => nats::Auth::Token(Secret::new(u)),
            (None, None, Some(_), None) => {
                return Err(
                    Error::at("backends.bloodbank.password", "a password without a user")
                        .fix("set `user` too"),
                );
            }
            _ => nats::Auth::None,
        };
        Ok(nats::Target {
            host: u.host,
            port: u.port,
            auth,
            tls,
        })
    }

    /// `tls`: `true` / `false` / `{"ca_file": "…"}`; a `tls://` URL asks for it
    /// too. The CA file is read here, so a wrong path is a config error at once.
    fn tls_setup(&self, url_asks: bool) -> Result<Option<tls::TlsSetup>, Error> {
        const FIELD: &str = "backends.bloodbank.tls";
        let wanted = "expected true, false or {\"ca_file\": \"/path/to/ca.pem\"}";
        let setup = match &self.tls {
            None | Some(serde_json::Value::Null) => url_asks.then(tls::TlsSetup::default),
            Some(serde_json::Value::Bool(false)) if url_asks => {
                return Err(Error::at(FIELD, "is false, but the URL is tls://")
                    .fix("remove `tls`, or use a nats:// URL"));
            }
            Some(serde_json::Value::Bool(on)) => on.then(tls::TlsSetup::default),
            Some(serde_json::Value::Object(o)) => {
                if let Some(k) = o.keys().find(|k| *k != "ca_file") {
                    return Err(Error::at(&format!("{FIELD}.{k}"), "is not a TLS setting")
                        .fix("the one TLS setting is `ca_file`"));
                }
                let ca_file = match o.get("ca_file") {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(p)) if !p.trim().is_empty() => {
                        Some(p.trim().to_string())
                    }
                    Some(_) => {
                        return Err(Error::at(tls::CA_FILE_FIELD, "expected a file path")
                            .fix("give the path of the CA's PEM file"));
                    }
                };
                let ca = match &ca_file {
                    None => Vec::new(),
                    Some(p) => {
                        tls::read_ca_file(absolute(tls::CA_FILE_FIELD, p)?).map_err(|e| {
                            Error::at(tls::CA_FILE_FIELD, e).fix(
                                "give the PEM file of the CA that signed the server's certificate",
                            )
                        })?
                    }
                };
                Some(tls::TlsSetup { ca_file, ca })
            }
            Some(_) => return Err(Error::at(FIELD, wanted).fix("see docs/backends.md")),
        };
        Ok(setup)
    }

    /// The NKey (`nkey_seed`, `seed_file`) or JWT (`creds`) login, read and
    /// checked now; errors name the field and never quote a secret.
    fn nkey_login(&self) -> Result<Option<nats::Auth>, Error> {
        let read = |field: &str, path: &str| {
            let path = absolute(&format!("backends.bloodbank.{field}"), path)?;
            std::fs::read_to_string(path).map_err(|e| {
                Error::at(
                    &format!("backends.bloodbank.{field}"),
                    format!("cannot read `{path}` ({e})"),
                )
                .fix("check the path and that this user may read it")
            })
        };
        let check = |field: &str, seed: &str| {
            nkey::UserKey::from_seed(seed).map(|_| ()).map_err(|e| {
                Error::at(
                    &format!("backends.bloodbank.{field}"),
                    format!("the seed {e}"),
                )
                .fix("give the user's seed (SU…), as `nk -gen user` or nsc prints it")
            })
        };
        if let Some(seed) = self.nkey_seed.as_ref().filter(|s| !s.is_empty()) {
            check("nkey_seed", seed.expose())?;
            return Ok(Some(nats::Auth::NKey(seed.clone())));
        }
        if let Some(path) = &self.seed_file {
            let text = read("seed_file", path)?;
            let seed = text.trim();
            check("seed_file", seed)?;
            return Ok(Some(nats::Auth::NKey(Secret::new(seed))));
        }
        if let Some(path) = &self.creds {
            let text = read("creds", path)?;
            let c = nkey::parse_creds(&text).map_err(|e| {
                Error::at("backends.bloodbank.creds", format!("`{path}` {e}"))
                    .fix("give the .creds file nsc wrote for the user")
            })?;
            check("creds", &c.seed)?;
            return Ok(Some(nats::Auth::Jwt {
                jwt: Secret::new(c.jwt),
                seed: Secret::new(c.seed),
            }));
        }
        Ok(None)
    }
}

/// A file setting's path, which must be absolute: Claude Code runs hooks in each
/// project's directory, so a relative path would name a different file there.
fn absolute<'a>(field: &str, path: &'a str) -> Result<&'a str, Error> {
    if std::path::Path::new(path).is_absolute() {
        Ok(path)
    } else {
        Err(Error::at(field, format!("`{path}` is a relative path"))
            .fix("give an absolute path (hooks run in each project's directory); ${HOME}/… works"))
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
                tls: None,
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
        // An IPv6 host gets its brackets (once).
        for host in ["::1", "[::1]"] {
            let (c, _) = from_env(&[("BLOODBANK_ENABLED", "true"), ("BLOODBANK_NATS_HOST", host)]);
            assert_eq!(c.unwrap().url, "nats://[::1]:4222", "{host}");
        }
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

    const SEED: &str = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";

    #[test]
    fn tls_settings_are_read_or_refused_naming_the_field() {
        let target = |c: &BloodbankConfig| {
            c.validate(&mut Warnings::new())
                .map(|_| c.target().unwrap().tls)
                .map_err(|e| e.to_string())
        };
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1");
        assert_eq!(
            target(&c).unwrap(),
            None,
            "plain unless the server requires TLS"
        );
        c.tls = Some(serde_json::json!(true));
        assert_eq!(target(&c).unwrap(), Some(tls::TlsSetup::default()));
        assert_eq!(Bloodbank::new(c.clone()).endpoint(), "tls://127.0.0.1:4222");
        c.tls = Some(serde_json::json!(false));
        assert_eq!(target(&c).unwrap(), None);
        let c = BloodbankConfig::with_url("tls://127.0.0.1:4222");
        assert_eq!(target(&c).unwrap(), Some(tls::TlsSetup::default()));
        let mut c = BloodbankConfig::with_url("tls://127.0.0.1:4222");
        c.tls = Some(serde_json::json!(false));
        assert!(
            target(&c)
                .unwrap_err()
                .starts_with("backends.bloodbank.tls: is false")
        );

        let mut c = BloodbankConfig::with_url("nats://127.0.0.1");
        c.tls = Some(serde_json::json!({"ca_file": "/nonexistent/ca.pem"}));
        let e = target(&c).unwrap_err();
        assert!(
            e.starts_with("backends.bloodbank.tls.ca_file: cannot read `/nonexistent/ca.pem`"),
            "{e}"
        );
        c.tls = Some(serde_json::json!({"ca_file": "certs/ca.pem"}));
        let e = target(&c).unwrap_err();
        assert!(
            e.starts_with("backends.bloodbank.tls.ca_file: `certs/ca.pem` is a relative path"),
            "{e}"
        );
        for blank in [
            serde_json::json!(""),
            serde_json::json!("  "),
            serde_json::json!(7),
        ] {
            c.tls = Some(serde_json::json!({ "ca_file": blank }));
            let e = target(&c).unwrap_err();
            assert!(
                e.starts_with("backends.bloodbank.tls.ca_file: expected a file path"),
                "{blank}: {e}"
            );
        }
        c.tls = Some(serde_json::json!({"verify": true}));
        assert!(
            target(&c)
                .unwrap_err()
                .starts_with("backends.bloodbank.tls.verify: is not a TLS setting")
        );
        c.tls = Some(serde_json::json!("yes"));
        assert!(
            target(&c)
                .unwrap_err()
                .starts_with("backends.bloodbank.tls: expected true, false or")
        );

        // With TLS, a token to a remote server is not sent in clear text.
        let mut w = Warnings::new();
        let mut remote = BloodbankConfig::with_url("tls://nats.example.test");
        remote.token = Some(Secret::new("tok"));
        assert!(remote.validate(&mut w).is_ok());
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn nats_credentials_tls_and_creds_are_read_or_refused_clearly() {
        let ok = |c: &BloodbankConfig| {
            c.validate(&mut Warnings::new())
                .map(|_| c.target().unwrap())
        };
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1:4222");
        assert_eq!(ok(&c).unwrap().auth, nats::Auth::None);
        // Without a login nothing secret travels (doctor warns of none).
        assert!(!Bloodbank::new(c.clone()).carries_secret());
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
        // A password alone is a mistake to say, not a reason to log in as nobody.
        let mut c = BloodbankConfig::with_url("nats://127.0.0.1:4222");
        c.password = Some(Secret::new("pw"));
        let e = c.target().unwrap_err().to_string();
        assert!(
            e.starts_with("backends.bloodbank.password: a password without a user"),
            "{e}"
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
        c.creds = Some("/nonexistent/x.creds".into());
        let e = err(&c);
        assert!(
            e.starts_with("backends.bloodbank.creds: cannot read"),
            "{e}"
        );
        c.creds = None;
        c.seed_file = Some("/nonexistent/user.nk".into());
        assert!(err(&c).starts_with("backends.bloodbank.seed_file: cannot read"));
        c.seed_file = None;
        let typo = SEED.replacen("SUAM", "SUAN", 1);
        c.nkey_seed = Some(Secret::new(typo.clone()));
        let e = err(&c);
        assert!(e.starts_with("backends.bloodbank.nkey_seed: the seed is not a valid NKey seed"));
        assert!(!e.contains(&typo) && !e.contains("\n"), "{e}");
        c.nkey_seed = Some(Secret::new(SEED));
        assert_eq!(ok(&c).unwrap().auth, nats::Auth::NKey(Secret::new(SEED)));
        c.token = Some(Secret::new("tok"));
        assert!(err(&c).starts_with("backends.bloodbank.nkey_seed: both `token` and `nkey_seed`"));
        let c = BloodbankConfig::with_url("nats://u:pw@127.0.0.1:99999");
        let e = err(&c);
        assert!(e.contains("invalid port") && !e.contains("pw"), "{e}");
    }
}
