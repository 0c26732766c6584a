//! The configuration: the `Config` every layer's section is aggregated into, and
//! loading it from one JSON file plus the environment variables today's
//! integrations already use (those live in `env`; errors in `error`).
//!
//! Precedence, highest first: the config file (`--config`, `$HOOKRELAY_CONFIG`, or
//! `~/.config/hookrelay/config.json`), then environment variables for anything the
//! file leaves unset, then built-in defaults. `${VAR}` inside any string of the file
//! is replaced by that environment variable, so secrets need not live in the file.
//!
//! A file that is JSON but partly wrong keeps its valid parts (`parse`): a bad
//! field costs only itself (global sections fall back to that field's default) or
//! its backend (switched off and `held`: its events wait in its spool until the
//! file is fixed). Only a file that cannot be read or is not a JSON object falls
//! back as a whole to environment and defaults (`fallback`).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

mod env;
mod error;
mod parse;

pub use error::Error;

use crate::backends::{self, BackendsConfig};
use crate::delivery::Held;
use crate::error::{Warnings, report};
use crate::store::paths;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Project label on every event (else `$CLAUDE_PROJECT_DIR`'s last component).
    pub project: Option<String>,
    /// Run label (else `$CLAUDE_RUN_ID`).
    pub run_id: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub local: LocalConfig,
    pub redaction: crate::redact::RedactionConfig,
    pub delivery: crate::delivery::DeliveryConfig,
    pub spool: crate::store::spool::SpoolConfig,
    pub backends: BackendsConfig,
    pub policy: crate::policy::PolicyConfig,
    /// Backends the file names but that cannot be used as written: off, and the
    /// hook spools their events (`delivery::hold`) for when the file is fixed.
    #[serde(skip)]
    pub held: Vec<Held>,
}

/// The local JSONL sink: the embedded default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalConfig {
    /// `None`: on when no remote backend is configured; `Some(true)`: always on.
    pub enabled: Option<bool>,
}

/// A loaded configuration and what the user should hear about it.
pub struct Loaded {
    pub config: Config,
    /// Where it came from (`None`: no file, environment and defaults only).
    pub source: Option<PathBuf>,
    /// Non-fatal findings, e.g. a `${VAR}` that is not set.
    pub warnings: Warnings,
    /// Fields of the config that could not be used, each naming its path: a
    /// backend's switched that backend off (and held it), a global one fell back
    /// to its default.
    pub errors: Vec<backends::Error>,
}

impl Loaded {
    /// The errors as one reportable problem, naming the file (or the environment).
    pub fn problem(&self) -> Option<Error> {
        (!self.errors.is_empty()).then(|| Error::Backends {
            path: self.source.clone(),
            errors: self.errors.clone(),
        })
    }
}

/// Reads the config file (if any) and applies the environment.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, Error> {
    load_with_env(explicit, &env::process)
}

pub fn load_with_env(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, Error> {
    let mut warnings = Warnings::new();
    let mut errors = Vec::new();
    let path = paths::config_file(explicit);
    let (mut config, source) = match &path {
        Some(p) => match std::fs::read(p) {
            Ok(bytes) => {
                let parsed = parse(p, &bytes, env, &mut warnings)?;
                errors = parsed.errors;
                let mut config = parsed.config;
                config.held = parsed.held;
                (config, Some(p.clone()))
            }
            // A missing default file is normal; a missing explicit one is a mistake.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                (Config::default(), None)
            }
            Err(source) => {
                return Err(Error::Read {
                    path: p.clone(),
                    source,
                });
            }
        },
        None => (Config::default(), None),
    };
    config.apply_env(env, &mut warnings);
    // A backend with a bad URL is switched off on its own: the rest of the file
    // (other backends, policy rules) keeps working, and its events are held.
    let mut invalid = config.backends.validate(&mut warnings);
    env::name_sources(&mut invalid);
    config.hold_invalid(&invalid);
    errors.extend(invalid);
    config.resolve_colliding_holds();
    Ok(Loaded {
        config,
        source,
        warnings,
        errors,
    })
}

/// For commands run by a person (`flush`, `status`): warnings and disabled
/// backends are said on stderr; an unusable file is an error (`None`), since
/// unlike the hook they have no event to save and should not guess.
pub fn load_reporting(explicit: Option<&Path>) -> Option<Config> {
    match load(explicit) {
        Ok(loaded) => {
            loaded.warnings.report();
            if let Some(e) = loaded.problem() {
                report(e);
            }
            Some(loaded.config)
        }
        Err(e) => {
            report(e);
            None
        }
    }
}

/// What the hook uses when the file is broken: environment and defaults only, so a
/// broken config never stops events from being kept locally.
pub fn fallback() -> Config {
    let mut config = Config::default();
    config.apply_env(&env::process, &mut Warnings::new());
    // Backends with a bad URL are switched off (the error was already
    // reported) and held, like those of a readable file.
    let invalid = config.backends.validate(&mut Warnings::new());
    config.hold_invalid(&invalid);
    config.resolve_colliding_holds();
    config
}

fn parse(
    path: &Path,
    bytes: &[u8],
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Warnings,
) -> Result<parse::Parsed, Error> {
    let path = path.to_path_buf();
    let mut value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(source) => return Err(Error::Json { path, source }),
    };
    env::expand(&mut value, "", env, warnings);
    match value {
        Value::Object(map) => Ok(parse::parse(map, &path.display().to_string(), warnings)),
        _ => Err(Error::NotObject { path }),
    }
}

impl Config {
    /// Holds the backends that `validate` switched off (`invalid` names their
    /// fields or variables, `env::configures`): a bad URL or header, a
    /// duplicate name, a bad environment value.
    fn hold_invalid(&mut self, invalid: &[backends::Error]) {
        if invalid.is_empty() {
            return;
        }
        for (i, c) in self.backends.sections() {
            if c.enabled() {
                continue;
            }
            let section = c.section(i);
            let backend: std::sync::Arc<dyn backends::Backend> = c.build(i).into();
            let Some(e) = invalid.iter().find(|e| {
                e.0.at
                    .as_deref()
                    .is_some_and(|at| env::configures(at, &section, backend.name()))
            }) else {
                continue;
            };
            self.held.push(Held {
                name: backend.name().to_string(),
                reason: format!("config error: {e}"),
                selector: Some(backend),
            });
        }
    }

    /// A held backend whose name is also an enabled backend's (a duplicate name)
    /// or an earlier held one's would put its events into another destination's
    /// spool: it waits in the spool named after its endpoint instead, which the
    /// backend with that endpoint adopts once the names are fixed
    /// (`delivery::adopt_held`). With the endpoint of the backend it collides
    /// with (a copied entry), or unknown, it is not held: that endpoint already
    /// gets the event, or the local sink keeps it.
    fn resolve_colliding_holds(&mut self) {
        if self.held.is_empty() {
            return; // the common case: no backend is built twice
        }
        let on: Vec<(String, String)> = self
            .backends
            .build()
            .iter()
            .map(|b| (b.name().to_string(), b.endpoint()))
            .collect();
        let mut taken: Vec<String> = Vec::new();
        let mut resolved = Vec::new();
        for mut h in std::mem::take(&mut self.held) {
            let collides = |name: &str, taken: &[String]| {
                on.iter().any(|(n, _)| n == name) || taken.iter().any(|t| t == name)
            };
            if collides(&h.name, &taken) {
                let Some(endpoint) = h.selector.as_ref().map(|b| b.endpoint()) else {
                    continue;
                };
                let name = crate::delivery::route::held_spool_name(&endpoint);
                if endpoint.is_empty()
                    || on.iter().any(|(_, e)| *e == endpoint)
                    || collides(&name, &taken)
                {
                    continue;
                }
                h.name = name;
            }
            taken.push(h.name.clone());
            resolved.push(h);
        }
        self.held = resolved;
    }

    /// Is the local JSONL sink on for this configuration?
    pub fn local_enabled(&self) -> bool {
        self.local
            .enabled
            .unwrap_or_else(|| !self.backends.any_remote())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::env_from;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("config.json");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn unknown_field_is_named() {
        let d = crate::store::testdir::TempDir::new("cfg-unknown");
        let p = write(d.path(), r#"{"delivery": {"deadline": 5}}"#);
        let l = load_with_env(Some(&p), &env_from(&[])).unwrap();
        let e = l.problem().unwrap();
        assert!(
            e.to_string()
                .contains("delivery.deadline: unknown field `deadline`"),
            "{e}"
        );
        assert!(e.to_string().contains(&p.display().to_string()));
        assert_eq!(l.config.delivery.deadline_ms, 1000, "the rest still loads");
    }

    #[test]
    fn env_vars_are_expanded_and_missing_ones_warned() {
        let d = crate::store::testdir::TempDir::new("cfg-expand");
        let p = write(d.path(), r#"{"project": "${PROJ}-x", "run_id": "${NOPE}"}"#);
        let l = load_with_env(Some(&p), &env_from(&[("PROJ", "acme")])).unwrap();
        assert_eq!(l.config.project.as_deref(), Some("acme-x"));
        assert_eq!(l.warnings.len(), 1);
        assert!(
            l.warnings[0].to_string().contains("run_id")
                && l.warnings[0].to_string().contains("NOPE")
        );
    }

    #[test]
    fn missing_explicit_file_is_an_error_but_missing_default_is_not() {
        let e = load_with_env(Some(Path::new("/nonexistent/hr.json")), &env_from(&[]));
        assert!(e.is_err());
    }

    #[test]
    fn a_duplicate_is_held_under_its_endpoint_unless_it_is_a_copy() {
        let d = crate::store::testdir::TempDir::new("cfg-dup-held");
        let p = write(
            d.path(),
            r#"{"backends": {"webhooks": [
                {"name": "a", "url": "http://127.0.0.1:1/x"},
                {"name": "a", "url": "http://127.0.0.1:2/y"},
                {"name": "a", "url": "http://127.0.0.1:1/x"},
                {"name": "b", "url": "ftp://nope"}
            ]}}"#,
        );
        let l = load_with_env(Some(&p), &env_from(&[])).unwrap();
        let held: Vec<&str> = l.config.held.iter().map(|h| h.name.as_str()).collect();
        let by_url = crate::delivery::route::held_spool_name("http://127.0.0.1:2/y");
        assert_eq!(held, [by_url.as_str(), "b"], "the copy of [0] is not held");
        assert!(by_url.starts_with("held-") && !by_url.contains("127"));
        assert!(
            l.config.held[1]
                .reason
                .starts_with("config error: backends.webhooks[3].url")
        );
        assert_eq!(l.errors.len(), 3);
    }

    #[test]
    fn local_sink_is_default_only_without_remote_backends() {
        let d = crate::store::testdir::TempDir::new("cfg-local");
        let local = |text: &str| {
            let p = write(d.path(), text);
            let l = load_with_env(Some(&p), &env_from(&[])).unwrap();
            assert!(l.problem().is_none(), "{text}");
            l.config.local_enabled()
        };
        let hook = r#""backends": {"webhooks": [{"url": "http://127.0.0.1:9/e"}]}"#;
        assert!(local("{}"), "no remote backend: the embedded default");
        assert!(
            !local(&format!("{{{hook}}}")),
            "a remote backend replaces it"
        );
        assert!(
            local(&format!(r#"{{{hook}, "local": {{"enabled": true}}}}"#)),
            "asked for beside a remote backend"
        );
        assert!(!local(r#"{"local": {"enabled": false}}"#), "switched off");
        let off =
            r#"{"backends": {"webhooks": [{"url": "http://127.0.0.1:9/e", "enabled": false}]}}"#;
        assert!(local(off), "a disabled backend is not a remote one");
    }
}
