//! The environment's part of the config: `${VAR}` inside the file's strings, and
//! the variables of the integrations hookrelay replaces, which fill whatever the
//! file leaves unset. Top-level fields are filled here; each backend reads its own
//! variables in its `apply_env` (`backends::BackendsConfig::apply_env` calls them):
//!
//! | variable | fills |
//! |---|---|
//! | `HOOKRELAY_PROJECT`, `CLAUDE_RUN_ID` | `project`, `run_id` |
//! | `BLOODBANK_ENABLED` (`true`), `BLOODBANK_NATS_HOST`, `BLOODBANK_NATS_PORT` (NATS mode), `BLOODBANK_URL` (HTTP mode) | `backends.bloodbank` |
//! | `ZO_EVENT_ENDPOINT`, `ZO_API_KEY`, `ZO_REDACTION_MODE`, `HOSTNAME_SALT`, `HOME` | `backends.chroma` |
//! | `ORGLOOP_WEBHOOK_URL`, `ORGLOOP_PORT`, `CLAUDE_CODE_WEBHOOK_SECRET`, `ORGLOOP_EVENTS` | `backends.orgloop` (also the fields a file section leaves unset) |
//! | `HOOK_BACKEND_URL`, `HOOK_API_KEY` | a `custom` entry of `backends.webhooks` |
//! | `HOOKRELAY_OTLP_*`, then the `OTEL_EXPORTER_OTLP_*` set (`backends::otlp::config`) | `backends.otlp` |
//!
//! Two rules for every backend, wherever its settings came from: a base URL
//! may end in `/` (`BLOODBANK_URL=http://127.0.0.1:8682/`, and the bridge's
//! `…/ingest/`): the slash is dropped (`base_urls`), since the routes are
//! appended to it; and a bad value costs its backend no event: like a bad file
//! field it is held (`configures` ties an error that names a variable to the
//! backend it fills), and its error names the variable as one of the
//! environment (`environment variable $BLOODBANK_URL: …`, `name_sources`).

use serde_json::Value;

use super::Config;
use crate::backends;
use crate::error::{Problem, Warnings};

/// The variables that configure a backend on their own, and the section they
/// fill (`$HOOK_BACKEND_URL` fills the `custom` webhook).
const BACKEND_VARS: &[(&str, &str)] = &[
    ("BLOODBANK_URL", "backends.bloodbank"),
    ("BLOODBANK_NATS_HOST", "backends.bloodbank"),
    ("BLOODBANK_NATS_PORT", "backends.bloodbank"),
    ("ZO_EVENT_ENDPOINT", "backends.chroma"),
    ("ZO_API_KEY", "backends.chroma"),
    ("ORGLOOP_WEBHOOK_URL", "backends.orgloop"),
    ("ORGLOOP_PORT", "backends.orgloop"),
    ("CLAUDE_CODE_WEBHOOK_SECRET", "backends.orgloop"),
    ("HOOK_BACKEND_URL", "backends.webhooks"),
    ("HOOK_API_KEY", "backends.webhooks"),
    ("HOOKRELAY_OTLP_ENDPOINT", "backends.otlp"),
    ("HOOKRELAY_OTLP_HEADERS", "backends.otlp"),
    ("HOOKRELAY_OTLP_PROTOCOL", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_HEADERS", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_PROTOCOL", "backends.otlp"),
    ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "backends.otlp"),
];

/// What an error names in front of a variable it blames.
const ENV_PREFIX: &str = "environment variable ";

/// Does the setting an error names (`at`) belong to the backend of `section`
/// (`backends.webhooks[2]`) named `name`? A field of the section, or one of
/// the variables that fill it (`$ORGLOOP_PORT`, `environment variable
/// $BLOODBANK_URL`); the webhook variables fill the one named `custom`.
pub(super) fn configures(at: &str, section: &str, name: &str) -> bool {
    if at.strip_prefix(section).is_some_and(|r| r.starts_with('.')) {
        return true;
    }
    let Some(var) = at.trim_start_matches(ENV_PREFIX).strip_prefix('$') else {
        return false;
    };
    BACKEND_VARS.iter().any(|(v, s)| {
        *v == var
            && (section == *s
                || (section.starts_with(s)
                    && section[s.len()..].starts_with('[')
                    && name == "custom"))
    })
}

/// Says of every error that names a variable (`$BLOODBANK_URL`) that it is
/// one of the environment, so the user does not look for it in the file.
pub(super) fn name_sources(errors: &mut [backends::Error]) {
    for e in errors {
        if let Some(at) = e.0.at.as_mut().filter(|a| a.starts_with('$')) {
            *at = format!("{ENV_PREFIX}{at}");
        }
    }
}

/// `url` without the `/`s it ends in (after the host: `http://h/` is `http://h`);
/// a URL with a query or fragment is left as written, for `validate` to judge.
pub fn trim_base(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    if url.contains(['?', '#']) || !url[after_scheme..].contains('/') {
        return url.to_string();
    }
    let trimmed = url.trim_end_matches('/');
    if trimmed.len() <= after_scheme {
        return url.to_string();
    }
    trimmed.to_string()
}

/// Reads the process environment (tests pass their own lookup instead).
pub fn process(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Config {
    /// Fills what the file left unset from the environment: `HOOKRELAY_PROJECT`,
    /// `CLAUDE_RUN_ID`, then every backend's variables.
    pub(super) fn apply_env(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
        warnings: &mut Warnings,
    ) {
        if self.project.is_none() {
            self.project = env("HOOKRELAY_PROJECT").filter(|v| !v.is_empty());
        }
        if self.run_id.is_none() {
            self.run_id = env("CLAUDE_RUN_ID").filter(|v| !v.is_empty());
        }
        self.backends.apply_env(env, warnings);
        self.base_urls();
    }

    /// Drops the trailing `/` of the URLs routes are appended to (Bloodbank's
    /// base URL; the bridge's endpoint, which answers `…/ingest/` with 404),
    /// from the file or the environment alike: a slash there is a habit, not a
    /// mistake, and must not cost the backend its events.
    fn base_urls(&mut self) {
        if let Some(b) = self.backends.bloodbank.as_mut() {
            b.url = trim_base(&b.url);
        }
        if let Some(c) = self.backends.chroma.as_mut() {
            c.endpoint = trim_base(&c.endpoint);
        }
    }
}

/// Replaces `${VAR}` in every string, recording unset variables by field path
/// (`at` is the path of `value`, empty at the top).
pub fn expand(
    value: &mut Value,
    at: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Warnings,
) {
    match value {
        Value::String(s) if s.contains("${") => *s = expand_str(s, at, env, warnings),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand(item, &format!("{at}[{i}]"), env, warnings);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let child = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                expand(v, &child, env, warnings);
            }
        }
        _ => {}
    }
}

/// One string with its `${VAR}`s replaced; an unset one becomes `""`, with a
/// warning. A `${` without its `}` is kept as written.
fn expand_str(
    s: &str,
    at: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Warnings,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find('}') {
            Some(end) => {
                let var = &rest[start + 2..start + 2 + end];
                match env(var) {
                    Some(v) => out.push_str(&v),
                    None => warnings.push(
                        Problem::new(format!(
                            "config field `{at}` uses ${{{var}}}, which is not set"
                        ))
                        .fix("using \"\""),
                    ),
                }
                rest = &rest[start + 3 + end..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_is_dropped_from_a_base_url_only() {
        assert_eq!(trim_base("http://127.0.0.1:8682/"), "http://127.0.0.1:8682");
        assert_eq!(trim_base("http://h/bb//"), "http://h/bb");
        assert_eq!(trim_base("http://h:9000/ingest/"), "http://h:9000/ingest");
        assert_eq!(trim_base("http://h:8682"), "http://h:8682");
        assert_eq!(trim_base("http://h/?x=/"), "http://h/?x=/");
        assert_eq!(trim_base("/"), "/");
    }

    #[test]
    fn errors_are_tied_to_the_backend_whose_setting_they_name() {
        assert!(configures(
            "backends.chroma.endpoint",
            "backends.chroma",
            "chroma"
        ));
        assert!(!configures(
            "backends.chromax.url",
            "backends.chroma",
            "chroma"
        ));
        assert!(configures(
            "$BLOODBANK_URL",
            "backends.bloodbank",
            "bloodbank"
        ));
        assert!(configures(
            "environment variable $ORGLOOP_PORT",
            "backends.orgloop",
            "orgloop"
        ));
        assert!(configures(
            "$HOOK_BACKEND_URL",
            "backends.webhooks[1]",
            "custom"
        ));
        assert!(!configures(
            "$HOOK_BACKEND_URL",
            "backends.webhooks[0]",
            "audit"
        ));
        assert!(!configures("$BLOODBANK_URL", "backends.chroma", "chroma"));
        let mut e = vec![
            backends::Error::at("$BLOODBANK_URL", "bad"),
            backends::Error::at("backends.chroma.endpoint", "bad"),
        ];
        name_sources(&mut e);
        assert_eq!(e[0].to_string(), "environment variable $BLOODBANK_URL: bad");
        assert_eq!(e[1].to_string(), "backends.chroma.endpoint: bad");
    }
}
