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

use serde_json::Value;

use super::Config;
use crate::error::{Problem, Warnings};

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
