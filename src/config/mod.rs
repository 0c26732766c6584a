//! The configuration: one JSON file plus the environment variables today's
//! integrations already use.
//!
//! Precedence, highest first: the config file (`--config`, `$HOOKRELAY_CONFIG`, or
//! `~/.config/hookrelay/config.json`), then environment variables for anything the
//! file leaves unset, then built-in defaults. `${VAR}` inside any string of the file
//! is replaced by that environment variable, so secrets need not live in the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::backends::BackendsConfig;
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
    pub warnings: Vec<String>,
    /// Parts of the config that could not be used (each switched its backend off).
    pub errors: Vec<String>,
}

impl Loaded {
    /// The errors as one reportable problem, naming the file (or the environment).
    pub fn problem(&self) -> Option<ConfigError> {
        (!self.errors.is_empty()).then(|| ConfigError {
            path: self
                .source
                .clone()
                .unwrap_or_else(|| PathBuf::from("(environment)")),
            message: self.errors.join("; "),
        })
    }
}

/// A config that could not be used, with what, where and what to do.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "config {}: {} (fix the file, or run `hookrelay doctor`)",
            self.path.display(),
            self.message
        )
    }
}

/// Reads the config file (if any) and applies the environment.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    load_with_env(explicit, &|k| std::env::var(k).ok())
}

pub fn load_with_env(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, ConfigError> {
    let mut warnings = Vec::new();
    let path = paths::config_file(explicit);
    let (mut config, source) = match &path {
        Some(p) => match std::fs::read(p) {
            Ok(bytes) => (parse(p, &bytes, env, &mut warnings)?, Some(p.clone())),
            // A missing default file is normal; a missing explicit one is a mistake.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                (Config::default(), None)
            }
            Err(e) => {
                return Err(ConfigError {
                    path: p.clone(),
                    message: format!("cannot read: {e}"),
                });
            }
        },
        None => (Config::default(), None),
    };
    config.apply_env(env, &mut warnings);
    // A backend with a bad URL is switched off on its own: the rest of the file
    // (other backends, policy rules) keeps working.
    let errors = config.backends.validate(&mut warnings);
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
            for w in &loaded.warnings {
                eprintln!("hookrelay: {w}");
            }
            if let Some(e) = loaded.problem() {
                eprintln!("hookrelay: {e}");
            }
            Some(loaded.config)
        }
        Err(e) => {
            eprintln!("hookrelay: {e}");
            None
        }
    }
}

/// What the hook uses when the file is broken: environment and defaults only, so a
/// broken config never stops events from being kept locally.
pub fn fallback() -> Config {
    let mut config = Config::default();
    config.apply_env(&|k| std::env::var(k).ok(), &mut Vec::new());
    // Backends with a bad URL are switched off (the error was already reported).
    config.backends.validate(&mut Vec::new());
    config
}

fn parse(
    path: &Path,
    bytes: &[u8],
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Config, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    let mut value: Value =
        serde_json::from_slice(bytes).map_err(|e| err(format!("not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(err("the top level must be a JSON object".into()));
    }
    expand_env(&mut value, "", env, warnings);
    serde_json::from_value(value).map_err(|e| err(e.to_string()))
}

/// Replaces `${VAR}` in every string, recording unset variables by field path.
fn expand_env(
    value: &mut Value,
    at: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) {
    match value {
        Value::String(s) if s.contains("${") => {
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                match rest[start + 2..].find('}') {
                    Some(end) => {
                        let var = &rest[start + 2..start + 2 + end];
                        match env(var) {
                            Some(v) => out.push_str(&v),
                            None => warnings.push(format!(
                                "config field `{at}` uses ${{{var}}}, which is not set; using \"\""
                            )),
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
            *s = out;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_env(item, &format!("{at}[{i}]"), env, warnings);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let child = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                expand_env(v, &child, env, warnings);
            }
        }
        _ => {}
    }
}

impl Config {
    /// Fills what the file left unset from the environment variables of the
    /// integrations hookrelay replaces (see `backends::BackendsConfig::apply_env`).
    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>, warnings: &mut Vec<String>) {
        if self.project.is_none() {
            self.project = env("HOOKRELAY_PROJECT").filter(|v| !v.is_empty());
        }
        if self.run_id.is_none() {
            self.run_id = env("CLAUDE_RUN_ID").filter(|v| !v.is_empty());
        }
        self.backends.apply_env(env, warnings);
    }

    /// Is the local JSONL sink on for this configuration?
    pub fn local_enabled(&self) -> bool {
        self.local
            .enabled
            .unwrap_or_else(|| !self.backends.any_remote())
    }
}

/// Test helper: an environment from a list of pairs.
#[cfg(test)]
pub fn env_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: std::collections::BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("config.json");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn unknown_field_is_named() {
        let d = crate::util::testdir::TempDir::new("cfg-unknown");
        let p = write(d.path(), r#"{"delivery": {"deadline": 5}}"#);
        let e = load_with_env(Some(&p), &env_from(&[])).err().unwrap();
        assert!(e.to_string().contains("unknown field `deadline`"), "{e}");
        assert!(e.to_string().contains(&p.display().to_string()));
    }

    #[test]
    fn env_vars_are_expanded_and_missing_ones_warned() {
        let d = crate::util::testdir::TempDir::new("cfg-expand");
        let p = write(d.path(), r#"{"project": "${PROJ}-x", "run_id": "${NOPE}"}"#);
        let l = load_with_env(Some(&p), &env_from(&[("PROJ", "acme")])).unwrap();
        assert_eq!(l.config.project.as_deref(), Some("acme-x"));
        assert_eq!(l.warnings.len(), 1);
        assert!(l.warnings[0].contains("run_id") && l.warnings[0].contains("NOPE"));
    }

    #[test]
    fn missing_explicit_file_is_an_error_but_missing_default_is_not() {
        let e = load_with_env(Some(Path::new("/nonexistent/hr.json")), &env_from(&[]));
        assert!(e.is_err());
    }

    #[test]
    fn local_sink_is_default_only_without_remote_backends() {
        let c = Config::default();
        assert!(c.local_enabled());
    }
}
