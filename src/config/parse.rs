//! Reading the config file one part at a time, so that one bad field costs only
//! what it must. The file is read as a `serde_json::Value` first; then each
//! section, each field of the global sections and each backend entry on its own:
//!
//! - a bad field of a global section (`delivery`, `spool`, `local`, `redaction`,
//!   `policy`, the top-level labels) falls back to that field's default; a bad
//!   item of a list (`redaction.patterns`, `redaction.keys`, `policy.rules`) is
//!   skipped on its own; a section that is not an object falls back as a whole;
//! - a bad backend entry switches off that backend only, and is `Held`: its events
//!   wait in the spool of the name it has, for when the file is fixed;
//! - a number out of its documented bounds is clamped to the bound, with a warning.
//!
//! Every error names the field path and says in words what was expected and what
//! the file holds (`delivery.deadline_ms: expected a number of milliseconds, got
//! the string "1000"`), never serde's type names.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{Config, LocalConfig};
use crate::backends::{self, Backend, BackendConfig, BackendsConfig, webhook};
use crate::delivery::{self, DeliveryConfig, Held};
use crate::error::{Problem, Warnings};
use crate::policy::PolicyConfig;
use crate::redact::RedactionConfig;
use crate::store::spool::{self, SpoolConfig};

/// What the file gave: the config (defaults where a field was unusable), one error
/// per unusable field, and the backend entries held because of one.
pub(super) struct Parsed {
    pub config: Config,
    pub errors: Vec<backends::Error>,
    pub held: Vec<Held>,
}

/// Reads every part of the file's top-level object that can be read.
/// `file` names the file in warnings (errors are prefixed by the caller).
pub(super) fn parse(map: Map<String, Value>, file: &str, warnings: &mut Warnings) -> Parsed {
    let mut p = Parser {
        file,
        warnings,
        errors: Vec::new(),
        held: Vec::new(),
    };
    let mut c = Config::default();
    for (key, v) in map {
        match key.as_str() {
            "project" => c.project = p.opt_string(&key, v),
            "run_id" => c.run_id = p.opt_string(&key, v),
            "data_dir" => c.data_dir = p.opt_string(&key, v).map(PathBuf::from),
            "state_dir" => c.state_dir = p.opt_string(&key, v).map(PathBuf::from),
            "local" => c.local = p.local(v),
            "redaction" => c.redaction = p.redaction(v),
            "delivery" => c.delivery = p.delivery(v),
            "spool" => c.spool = p.spool(v),
            "backends" => c.backends = p.backends(v),
            "policy" => c.policy = p.policy(v),
            _ => p.unknown("", &key, TOP),
        }
    }
    Parsed {
        config: c,
        errors: p.errors,
        held: p.held,
    }
}

const TOP: &[&str] = &[
    "project",
    "run_id",
    "data_dir",
    "state_dir",
    "local",
    "redaction",
    "delivery",
    "spool",
    "backends",
    "policy",
];

struct Parser<'a> {
    file: &'a str,
    warnings: &'a mut Warnings,
    errors: Vec<backends::Error>,
    held: Vec<Held>,
}

/// `at.key`, or `key` at the top.
fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// A JSON value in words, for "got ...": `the string "1000"`, `an object`.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if short.len() < s.len() { "…" } else { "" };
            format!("the string {}{more}", Value::String(short))
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// serde's name of an expected type, in words.
fn expected_in_words(serde: &str) -> String {
    match serde {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => {
            "a whole number".into()
        }
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "an object".into(),
        s if s.starts_with("struct ") || s.starts_with("a map ") => "an object".into(),
        s if s.starts_with("a sequence") => "a list".into(),
        s => s.to_string(),
    }
}

impl Parser<'_> {
    fn error(&mut self, at: &str, what: impl Into<String>, fix: impl Into<String>) {
        self.errors.push(backends::Error::at(at, what).fix(fix));
    }

    fn unknown(&mut self, at: &str, key: &str, known: &[&str]) {
        self.error(
            &join(at, key),
            format!(
                "unknown field `{key}`, expected one of {}",
                known.join(", ")
            ),
            "ignored",
        );
    }

    /// The object at `at`, or `None` (null: silently; anything else: an error,
    /// and the whole section keeps its defaults).
    fn object(&mut self, at: &str, v: Value, fix: &str) -> Option<Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                self.error(
                    at,
                    format!("expected an object, got {}", describe(&other)),
                    fix,
                );
                None
            }
        }
    }

    fn opt_string(&mut self, at: &str, v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => {
                self.error(
                    at,
                    format!("expected a string, got {}", describe(&other)),
                    "leaving it unset",
                );
                None
            }
        }
    }

    fn boolean(&mut self, at: &str, v: Value, default: bool) -> bool {
        match v {
            Value::Bool(b) => b,
            other => {
                self.error(
                    at,
                    format!("expected true or false, got {}", describe(&other)),
                    format!("using the default {default}"),
                );
                default
            }
        }
    }

    /// A whole number of `unit` within `bounds`: a value of another type falls
    /// back to `default` (an error); one out of bounds is clamped (a warning),
    /// because the user's intent (much, or little) is clear and the bound is the
    /// nearest value that is safe.
    fn number(
        &mut self,
        at: &str,
        v: Value,
        default: u64,
        bounds: RangeInclusive<u64>,
        unit: &str,
    ) -> u64 {
        let Value::Number(n) = &v else {
            self.error(
                at,
                format!("expected a number of {unit}, got {}", describe(&v)),
                format!("using the default {default}"),
            );
            return default;
        };
        let (min, max) = (*bounds.start(), *bounds.end());
        let (value, why) = match n.as_u64() {
            Some(u) if u < min => (min, format!("{n} is below the minimum of {min} {unit}")),
            Some(u) if u > max => (max, format!("{n} is above the maximum of {max} {unit}")),
            Some(u) => return u,
            None => {
                let f = n.as_f64().unwrap_or(0.0);
                if f < min as f64 {
                    (min, format!("{n} is below the minimum of {min} {unit}"))
                } else if f > max as f64 {
                    (max, format!("{n} is above the maximum of {max} {unit}"))
                } else {
                    (
                        f.round() as u64,
                        format!("{n} is not a whole number of {unit}"),
                    )
                }
            }
        };
        self.warnings.push(
            Problem::new(why)
                .at(format!("config {}: {at}", self.file))
                .fix(format!("using {value}")),
        );
        value
    }

    /// One typed entry (a backend, a rule, a pattern): its value, or the path of
    /// the field that is wrong and what is wrong with it, in words.
    fn entry<T: DeserializeOwned>(at: &str, v: &Value) -> Result<T, (String, String)> {
        let e = match serde_json::from_value::<T>(v.clone()) {
            Ok(t) => return Ok(t),
            Err(e) => e.to_string(),
        };
        let Value::Object(map) = v else {
            return Err((at.to_string(), in_words(&e, v)));
        };
        if let Some(field) = e
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            return Err((join(at, field), "is required but missing".into()));
        }
        // The field whose removal makes the entry readable (or only misses it).
        match culprit::<T>(map) {
            Some(k) => Err((join(at, &k), in_words(&e, &map[&k]))),
            None => Err((at.to_string(), in_words(&e, v))),
        }
    }

    fn local(&mut self, v: Value) -> LocalConfig {
        let mut l = LocalConfig::default();
        let Some(map) = self.object("local", v, "using the defaults") else {
            return l;
        };
        for (k, v) in map {
            match k.as_str() {
                "enabled" => {
                    l.enabled = match v {
                        Value::Bool(b) => Some(b),
                        Value::Null => None,
                        other => {
                            self.error(
                                "local.enabled",
                                format!("expected true or false, got {}", describe(&other)),
                                "using the default (on without remote backends)",
                            );
                            None
                        }
                    }
                }
                _ => self.unknown("local", &k, &["enabled"]),
            }
        }
        l
    }

    fn delivery(&mut self, v: Value) -> DeliveryConfig {
        let mut d = DeliveryConfig::default();
        let Some(map) = self.object("delivery", v, "using the default deadlines") else {
            return d;
        };
        const FIELDS: &[&str] = &[
            "deadline_ms",
            "session_end_deadline_ms",
            "connect_timeout_ms",
            "drain_budget_ms",
            "background_drain",
        ];
        let ms = "milliseconds";
        for (k, v) in map {
            let at = join("delivery", &k);
            match k.as_str() {
                "deadline_ms" => {
                    d.deadline_ms = self.number(&at, v, d.deadline_ms, delivery::DEADLINE_MS, ms)
                }
                "session_end_deadline_ms" => {
                    d.session_end_deadline_ms =
                        self.number(&at, v, d.session_end_deadline_ms, delivery::DEADLINE_MS, ms)
                }
                "connect_timeout_ms" => {
                    d.connect_timeout_ms = self.number(
                        &at,
                        v,
                        d.connect_timeout_ms,
                        delivery::CONNECT_TIMEOUT_MS,
                        ms,
                    )
                }
                "drain_budget_ms" => {
                    d.drain_budget_ms =
                        self.number(&at, v, d.drain_budget_ms, delivery::DRAIN_BUDGET_MS, ms)
                }
                "background_drain" => d.background_drain = self.boolean(&at, v, d.background_drain),
                _ => self.unknown("delivery", &k, FIELDS),
            }
        }
        d
    }

    fn spool(&mut self, v: Value) -> SpoolConfig {
        let mut s = SpoolConfig::default();
        let Some(map) = self.object("spool", v, "using the defaults") else {
            return s;
        };
        for (k, v) in map {
            match k.as_str() {
                "max_bytes" => {
                    s.max_bytes =
                        self.number("spool.max_bytes", v, s.max_bytes, spool::MAX_BYTES, "bytes")
                }
                _ => self.unknown("spool", &k, &["max_bytes"]),
            }
        }
        s
    }

    /// The items of a list that can be read; each bad one is an error and skipped.
    /// `fix` says what that means for one item ("… it"), or for all of them.
    fn list<T: DeserializeOwned>(&mut self, at: &str, v: Value, fix: &str) -> Vec<T> {
        let items = match v {
            Value::Array(items) => items,
            Value::Null => return Vec::new(),
            other => {
                self.error(
                    at,
                    format!("expected a list, got {}", describe(&other)),
                    format!("{fix}; none of them applies"),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match Self::entry::<T>(&format!("{at}[{i}]"), item) {
                Ok(t) => out.push(t),
                Err((path, what)) => self.error(&path, what, fix),
            }
        }
        out
    }

    fn redaction(&mut self, v: Value) -> RedactionConfig {
        let mut r = RedactionConfig::default();
        let Some(map) = self.object("redaction", v, "using the built-in redaction only") else {
            return r;
        };
        for (k, v) in map {
            let at = join("redaction", &k);
            match k.as_str() {
                // An unreadable switch keeps redaction on: the safe side.
                "enabled" => r.enabled = self.boolean(&at, v, true),
                "patterns" => r.patterns = self.list(&at, v, "redacting without this one"),
                "keys" => r.keys = self.list(&at, v, "redacting without this one"),
                "rules_file" => r.rules_file = self.opt_string(&at, v).map(PathBuf::from),
                "rules_mode" => match Self::entry(&at, &v) {
                    Ok(m) => r.rules_mode = m,
                    Err((path, what)) => self.error(&path, what, "using the default add"),
                },
                _ => self.unknown(
                    "redaction",
                    &k,
                    &["enabled", "patterns", "keys", "rules_file", "rules_mode"],
                ),
            }
        }
        r
    }

    fn policy(&mut self, v: Value) -> PolicyConfig {
        let mut p = PolicyConfig::default();
        let Some(map) = self.object("policy", v, "no policy rules apply") else {
            return p;
        };
        for (k, v) in map {
            let at = join("policy", &k);
            match k.as_str() {
                "comment" | "description" | "_comment" => p.comment = Some(v),
                "rules" => p.rules = self.list(&at, v, "this one is off until fixed"),
                "block_secret_prompts" => p.block_secret_prompts = self.boolean(&at, v, false),
                _ => self.unknown("policy", &k, &["comment", "rules", "block_secret_prompts"]),
            }
        }
        p
    }

    fn backends(&mut self, v: Value) -> BackendsConfig {
        let mut b = BackendsConfig::default();
        let Some(map) = self.object(
            "backends",
            v,
            "no backend of the file is on; events are kept locally",
        ) else {
            return b;
        };
        for (k, v) in map {
            match k.as_str() {
                "bloodbank" => b.bloodbank = self.single(&k, v),
                "chroma" => b.chroma = self.single(&k, v),
                "orgloop" => b.orgloop = self.single(&k, v),
                "otlp" => b.otlp = self.single(&k, v),
                "webhooks" => b.webhooks = self.webhooks(v),
                _ => self.unknown(
                    "backends",
                    &k,
                    &["bloodbank", "chroma", "orgloop", "otlp", "webhooks"],
                ),
            }
        }
        b
    }

    /// A backend configured at most once. Unreadable: held under its fixed name,
    /// and a switched-off section stands in for it, so its environment variables
    /// do not configure it behind the file's back.
    fn single<T>(&mut self, kind: &str, v: Value) -> Option<T>
    where
        T: DeserializeOwned + BackendConfig,
    {
        if v.is_null() {
            return None;
        }
        let at = format!("backends.{kind}");
        match Self::entry::<T>(&at, &v) {
            Ok(t) => Some(t),
            Err((path, what)) => {
                let selector = repaired::<T>(&v, &path).map(|c| Arc::from(c.build(0)));
                self.broken(&v, kind.to_string(), path, what, selector);
                Some(serde_json::from_value(json!({"enabled": false})).expect("an off section"))
            }
        }
    }

    fn webhooks(&mut self, v: Value) -> Vec<webhook::WebhookConfig> {
        let at = "backends.webhooks";
        let items = match v {
            Value::Array(items) => items,
            Value::Null => return Vec::new(),
            // One webhook written without its list: held under its name.
            Value::Object(m) if m.contains_key("url") || m.contains_key("name") => {
                let entry = Value::Object(m);
                let name = default_webhook_name(&entry, 0);
                self.broken(
                    &entry,
                    name,
                    at.to_string(),
                    "expected a list of webhooks ([{\"url\": …}]), got an object".into(),
                    None,
                );
                return Vec::new();
            }
            other => {
                self.error(
                    at,
                    format!("expected a list of webhooks, got {}", describe(&other)),
                    "no webhook is on; events are kept locally",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let entry_at = format!("{at}[{i}]");
            match Self::entry::<webhook::WebhookConfig>(&entry_at, item) {
                Ok(w) => out.push(w),
                Err((path, what)) => {
                    let selector = repaired::<webhook::WebhookConfig>(item, &path)
                        .map(|c| Arc::from(c.build(i)) as Arc<dyn Backend>);
                    let name = selector
                        .as_ref()
                        .map(|b| b.name().to_string())
                        .unwrap_or_else(|| default_webhook_name(item, i));
                    self.broken(item, name.clone(), path, what, selector);
                    // Keeps the positions (they name later entries and their
                    // default names); off, so nothing is sent to it.
                    out.push(
                        serde_json::from_value(json!({"name": name, "url": "", "enabled": false}))
                            .expect("an off webhook"),
                    );
                }
            }
        }
        out
    }

    /// A backend entry that cannot be read: an error, and held unless the file
    /// switched it off anyway (`"enabled": false` still reads).
    fn broken(
        &mut self,
        entry: &Value,
        name: String,
        path: String,
        what: String,
        selector: Option<Arc<dyn Backend>>,
    ) {
        let reason = format!("config error: {path}: {what}");
        let off = entry.get("enabled") == Some(&Value::Bool(false));
        let fix = if off {
            "it is off anyway"
        } else {
            "this backend is off until fixed; its events wait in its spool for `hookrelay flush`"
        };
        self.error(&path, what, fix);
        if !off {
            self.held.push(Held {
                name,
                reason,
                selector,
            });
        }
    }
}

/// serde's complaint about `v`, in words: "expected a whole number, got the
/// string \"5\""; other complaints (unknown field, unknown variant, a bad regex)
/// are already words and stay as they are.
fn in_words(serde: &str, v: &Value) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = serde.strip_prefix(prefix)
            && let Some((_, expected)) = rest.rsplit_once(", expected ")
        {
            // serde_json appends " at line N column M" only when parsing text.
            return format!(
                "expected {}, got {}",
                expected_in_words(expected),
                describe(v)
            );
        }
    }
    serde.to_string()
}

/// The one key of `map` that makes it readable as a `T` when left out.
fn culprit<T: DeserializeOwned>(map: &Map<String, Value>) -> Option<String> {
    map.keys()
        .find(|k| {
            let mut rest = map.clone();
            rest.remove(*k);
            match serde_json::from_value::<T>(Value::Object(rest)) {
                Ok(_) => true,
                Err(e) => e.to_string() == format!("missing field `{k}`"),
            }
        })
        .cloned()
}

/// `entry` without the field at `path` (a required string field left empty), to
/// learn which events the backend wants; `None` when the unreadable field is the
/// event selection itself (then every event is kept for it).
fn repaired<T: DeserializeOwned>(entry: &Value, path: &str) -> Option<T> {
    let field = path.rsplit('.').next()?;
    if ["events", "send_start"].contains(&field) || path.ends_with(']') {
        return None;
    }
    let mut map = entry.as_object()?.clone();
    map.remove(field);
    match serde_json::from_value::<T>(Value::Object(map.clone())) {
        Ok(t) => Some(t),
        Err(_) => {
            map.insert(field.to_string(), Value::String(String::new()));
            serde_json::from_value(Value::Object(map)).ok()
        }
    }
}

/// The name an unreadable webhook entry will have once fixed: its `name` when
/// that is a string, else the default of its position (`webhook`, `webhook-2`, …).
fn default_webhook_name(entry: &Value, index: usize) -> String {
    match entry.get("name").and_then(Value::as_str) {
        Some(n) => webhook::sanitize_name(n),
        None if index == 0 => "webhook".into(),
        None => format!("webhook-{}", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(v: Value) -> (Parsed, Warnings) {
        let mut w = Warnings::new();
        let Value::Object(m) = v else { panic!() };
        (parse(m, "/c.json", &mut w), w)
    }

    fn shown(p: &Parsed) -> Vec<String> {
        p.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_string_deadline_names_the_field_and_keeps_the_default() {
        let (p, _) = parsed(json!({"delivery": {"deadline_ms": "1000", "drain_budget_ms": 70}}));
        assert_eq!(
            shown(&p),
            [
                "delivery.deadline_ms: expected a number of milliseconds, got the string \"1000\"; using the default 1000"
            ]
        );
        assert_eq!(p.config.delivery.deadline_ms, 1000);
        assert_eq!(
            p.config.delivery.drain_budget_ms, 70,
            "the valid field is kept"
        );
    }

    #[test]
    fn out_of_bounds_numbers_are_clamped_with_a_warning() {
        let (p, w) = parsed(json!({"delivery": {"deadline_ms": 99999999999u64,
            "connect_timeout_ms": 0, "session_end_deadline_ms": 1e30},
            "spool": {"max_bytes": -1}}));
        assert!(p.errors.is_empty(), "{:?}", shown(&p));
        assert_eq!(p.config.delivery.deadline_ms, 10_000);
        assert_eq!(p.config.delivery.connect_timeout_ms, 50);
        assert_eq!(p.config.delivery.session_end_deadline_ms, 10_000);
        assert_eq!(p.config.spool.max_bytes, 1024);
        assert_eq!(w.len(), 4);
        assert_eq!(
            w[0].to_string(),
            "config /c.json: delivery.deadline_ms: 99999999999 is above the maximum of 10000 milliseconds; using 10000"
        );
    }

    #[test]
    fn a_bad_webhook_field_is_named_and_held_under_its_name() {
        let (p, _) = parsed(json!({"backends": {"webhooks": [
            {"name": "a", "url": "http://127.0.0.1:1/a"},
            {"name": "b", "url": 5, "events": ["Stop"]},
            {"url": "http://127.0.0.1:1/c", "enabled": "yes"}
        ]}}));
        let s = shown(&p);
        assert!(
            s[0].starts_with("backends.webhooks[1].url: expected a string, got the number 5;"),
            "{s:?}"
        );
        assert!(
            s[1].starts_with(
                "backends.webhooks[2].enabled: expected true or false, got the string \"yes\""
            ),
            "{s:?}"
        );
        let names: Vec<&str> = p.held.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["b", "webhook-3"]);
        assert!(p.held[0].wants("Stop") && !p.held[0].wants("SessionEnd"));
        assert!(
            p.held[0]
                .reason
                .starts_with("config error: backends.webhooks[1].url")
        );
        let on: Vec<String> = p
            .config
            .backends
            .build()
            .iter()
            .map(|b| b.name().to_string())
            .collect();
        assert_eq!(on, ["a"], "positions kept, broken ones off");
        assert_eq!(p.config.backends.webhooks.len(), 3);
    }

    #[test]
    fn a_map_where_a_list_is_expected() {
        let (p, _) = parsed(json!({"backends": {
            "webhooks": {"name": "audit", "url": "http://127.0.0.1:1/a"},
            "chroma": {"endpoint": "http://127.0.0.1:2/ingest"}}}));
        assert_eq!(p.held.len(), 1);
        assert_eq!(p.held[0].name, "audit");
        assert!(shown(&p)[0].starts_with("backends.webhooks: expected a list of webhooks"));
        assert_eq!(p.config.backends.build().len(), 1, "chroma still on");
    }

    #[test]
    fn bad_items_of_global_lists_cost_only_themselves() {
        let (p, _) = parsed(json!({
            "redaction": {"enabled": "no", "keys": ["a", 5, "b"], "patterns": [{"name": "x"}]},
            "policy": {"rules": [{"name": "r1", "tool": "Bash", "decision": "deny"},
                                 {"name": "r2", "decision": "maybe"}]},
            "local": {"enabled": 1}, "typo": 1
        }));
        let s = shown(&p);
        assert!(
            p.config.redaction.enabled,
            "unreadable switch keeps redaction on"
        );
        assert_eq!(p.config.redaction.keys, ["a", "b"]);
        assert_eq!(p.config.policy.rules.len(), 1);
        assert!(
            s.iter()
                .any(|e| e.starts_with("redaction.keys[1]: expected a string, got the number 5")),
            "{s:?}"
        );
        assert!(
            s.iter()
                .any(|e| e.starts_with("redaction.patterns[0].pattern: is required but missing")),
            "{s:?}"
        );
        assert!(
            s.iter()
                .any(|e| e.starts_with("policy.rules[1].decision: unknown variant `maybe`")),
            "{s:?}"
        );
        assert!(
            s.iter()
                .any(|e| e.starts_with("local.enabled: expected true or false")),
            "{s:?}"
        );
        assert!(
            s.iter()
                .any(|e| e.starts_with("typo: unknown field `typo`")),
            "{s:?}"
        );
    }
}
