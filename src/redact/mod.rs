//! Redaction of secrets from every string of an event (keys and values, at any
//! depth) before it is written anywhere or sent, and the detectors the
//! prompt-secret policy reuses.
//!
//! The built-in rules are hand-written scanners run in one pass per string: a byte
//! table says which bytes can start a finding (`:`, `=`, `-`, the start of a run
//! of letters and digits), and only there does a detector look closer; each run
//! is measured once. A string with no finding is not copied. User patterns
//! (regex-lite) run only when configured. See docs/redact.md for the rule names
//! and what is deliberately never redacted.
//!
//! This file is the engine (the walk over every key and value, the Redactor and its
//! public API); `detectors` holds the built-in token and assignment scanners,
//! `keys` the secret-named key heuristics, `config` the `redaction` config section,
//! `gitleaks` the user rules of a gitleaks-format rules file.

mod config;
mod detectors;
mod entropy;
mod gitleaks;
mod keys;
pub mod rules;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::Problem;
use crate::protocol::envelope::RedactionReport;
use detectors::Hit;
use keys::{is_placeholder, is_secret_key_name, normalise_key};

pub use config::{ExtraPattern, RedactionConfig, RulesMode};
/// Byte-scanning helpers for detectors that live outside this module (the chroma
/// backend's strict floor), so they read bytes the same way the built-in ones do.
pub use detectors::{is_alnum, is_key_char, run, word_start};

/// From this size on, one string's two scans run on two threads (a 1 MB tool
/// output: about 4 ms each on the build VM; a thread costs tens of µs).
const PARALLEL_SCAN_BYTES: usize = 256 * 1024;

/// The replacement for a JSON value whose key names a secret.
const SECRET_KEY_VALUE: &str = "secret_key_value";

pub struct Redactor {
    enabled: bool,
    extra: Vec<Extra>,
    /// User-named secret keys, normalised (ASCII lowercase, letters and digits only).
    keys: Vec<String>,
    /// The vendor-format rules (the rule table; `rules_mode = "replace"` clears it).
    rules: rules::RuleSet,
    /// The rules of `redaction.rules_file` (empty without one).
    user: gitleaks::UserRules,
    /// The hand-written scanners run (`false`: `rules_mode = "replace"` with a usable file).
    builtin: bool,
}

struct Extra {
    name: String,
    regex: regex_lite::Regex,
    /// Replace capture group 1 only (keeps the context the pattern anchors on).
    group: bool,
}

impl Redactor {
    /// The redactor for a config, always: a bad extra pattern drops only the
    /// extra patterns (the off switch and extra keys stay), a bad rule in the
    /// rules file only that rule (an unreadable file the whole file), and the
    /// error comes back, saying so, for the caller to report.
    pub fn for_config(config: &RedactionConfig) -> (Redactor, Option<Problem>) {
        let (mut r, problem) = match Redactor::without_rules_file(config) {
            Ok(r) => (r, None),
            Err(e) => {
                let without_patterns = RedactionConfig {
                    patterns: Vec::new(),
                    keys: config.keys.clone(),
                    enabled: config.enabled,
                    ..RedactionConfig::default()
                };
                let r = Redactor::without_rules_file(&without_patterns)
                    .or_else(|_| Redactor::without_rules_file(&RedactionConfig::default()))
                    .expect("the built-in rules always compile");
                let fix = match &e.fix {
                    Some(f) => format!("{f}; redacting without the extra patterns"),
                    None => "redacting without the extra patterns".to_string(),
                };
                (r, Some(e.fix(fix)))
            }
        };
        let file_problem = r.load_rules_file(config);
        let problem = match (problem, file_problem) {
            (Some(a), Some(b)) => Some(Problem::new(format!("{a}; and {b}"))),
            (a, b) => a.or(b),
        };
        (r, problem)
    }

    /// The redactor for a config, or the first problem in it (a bad pattern, a
    /// bad rule or an unusable rules file).
    pub fn new(config: &RedactionConfig) -> Result<Redactor, Problem> {
        let mut r = Redactor::without_rules_file(config)?;
        match r.load_rules_file(config) {
            Some(p) => Err(p),
            None => Ok(r),
        }
    }

    /// Loads `redaction.rules_file` (when set) into the user rules; `replace`
    /// drops the built-in rules only when the file could be read and parsed.
    fn load_rules_file(&mut self, config: &RedactionConfig) -> Option<Problem> {
        let path = config.rules_file.as_deref()?;
        let loaded = gitleaks::load(path);
        if loaded.usable && config.rules_mode == RulesMode::Replace {
            self.builtin = false;
            self.rules.clear_builtin();
        }
        let problem = loaded.problem();
        self.user = gitleaks::UserRules::new(loaded.rules);
        problem
    }

    fn without_rules_file(config: &RedactionConfig) -> Result<Redactor, Problem> {
        let mut extra = Vec::with_capacity(config.patterns.len());
        for (i, p) in config.patterns.iter().enumerate() {
            let at = format!("redaction.patterns[{i}] (`{}`)", p.name);
            if p.name.is_empty()
                || !p
                    .name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
            {
                return Err(Problem::new(
                    "the name must be non-empty letters, digits, `_`, `-` or `.` (it appears in `[REDACTED:<name>]`)",
                )
                .at(at));
            }
            let regex = regex_lite::Regex::new(&p.pattern)
                .map_err(|e| Problem::new(format!("invalid regex: {e}")).at(&at))?;
            if regex.is_match("") {
                return Err(Problem::new("the pattern matches the empty string")
                    .at(at)
                    .fix("make it require at least one character"));
            }
            extra.push(Extra {
                name: p.name.clone(),
                group: regex.captures_len() > 1,
                regex,
            });
        }
        let keys = config
            .keys
            .iter()
            .map(|k| normalise_key(k))
            .filter(|k| !k.is_empty())
            .collect();
        Ok(Redactor {
            enabled: config.enabled,
            extra,
            keys,
            rules: rules::RuleSet::builtin(),
            user: gitleaks::UserRules::default(),
            builtin: true,
        })
    }

    /// Redacts the input in place (keys and values at every depth) and reports
    /// which rules fired how often. `applied` says that something was redacted
    /// (a rule fired), not that redaction ran: a clean event and a disabled
    /// redactor both report `applied: false`.
    pub fn redact_map(&self, map: &mut Map<String, Value>) -> RedactionReport {
        let mut rules = BTreeMap::new();
        if self.enabled {
            self.walk_map(map, &mut rules);
        }
        RedactionReport {
            applied: !rules.is_empty(),
            rules,
        }
    }

    /// One string redacted, with the rules that fired. Disabled: returned unchanged.
    #[cfg(test)]
    pub fn redact_str(&self, s: &str) -> (String, BTreeMap<String, u64>) {
        let mut rules = BTreeMap::new();
        if !self.enabled {
            return (s.to_string(), rules);
        }
        let out = self
            .redact_text(s, &mut rules)
            .unwrap_or_else(|| s.to_string());
        (out, rules)
    }

    /// Which rules fire on this text, with counts. Works when redaction is
    /// disabled too: the prompt-secret policy uses it as a detector.
    pub fn scan(&self, text: &str) -> BTreeMap<String, u64> {
        let mut rules = BTreeMap::new();
        for h in self.hits(text) {
            *rules.entry(h.rule.to_string()).or_insert(0) += 1;
        }
        rules
    }

    fn walk(&self, value: &mut Value, rules: &mut BTreeMap<String, u64>) {
        match value {
            Value::String(s) => {
                if let Some(new) = self.redact_text(s, rules) {
                    *s = new;
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, rules);
                }
            }
            Value::Object(map) => self.walk_map(map, rules),
            _ => {}
        }
    }

    fn walk_map(&self, map: &mut Map<String, Value>, rules: &mut BTreeMap<String, u64>) {
        // Keys are text like any other (a map may be keyed by a token). Renaming
        // means rebuilding the map, so only collect the rare changed ones first.
        let mut renamed: Vec<(usize, String)> = Vec::new();
        for (i, (key, value)) in map.iter_mut().enumerate() {
            if let Some(new) = self.redact_text(key, rules) {
                renamed.push((i, new));
            }
            match value {
                Value::String(s) => match self.redact_text(s, rules) {
                    Some(new) => *s = new,
                    None => {
                        if self.is_secret_key(key) && !is_placeholder(s.as_bytes()) {
                            *s = marker(SECRET_KEY_VALUE);
                            bump(rules, SECRET_KEY_VALUE);
                        }
                    }
                },
                other => self.walk(other, rules),
            }
        }
        if !renamed.is_empty() {
            let old = std::mem::take(map);
            let mut renamed = renamed.into_iter().peekable();
            for (i, (key, value)) in old.into_iter().enumerate() {
                let key = match renamed.peek() {
                    Some((j, _)) if *j == i => renamed.next().unwrap().1,
                    _ => key,
                };
                map.insert(key, value);
            }
        }
    }

    /// A very large string (a big tool output or file): the hand-written
    /// scanners and the vendor table read the same text independently, so they
    /// run on two threads; the text is not split (no token is ever cut in two).
    /// A thread that cannot be started means both run here, one after the other.
    fn scan_in_parallel<'a>(&'a self, s: &str, hits: &mut Vec<Hit<'a>>) {
        std::thread::scope(|scope| {
            let table = std::thread::Builder::new().spawn_scoped(scope, || {
                let mut found = Vec::new();
                self.rules.find(s, &mut found);
                found
            });
            if self.builtin {
                detectors::scan_builtin(s.as_bytes(), &self.keys, hits);
            }
            match table {
                Ok(handle) => match handle.join() {
                    Ok(found) => hits.extend(found),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(_) => self.rules.find(s, hits),
            }
        });
    }

    fn is_secret_key(&self, key: &str) -> bool {
        // `[REDACTED:github_token]` names the rule, not a secret field.
        !key.contains("[REDACTED:")
            && ((self.builtin && is_secret_key_name(key.as_bytes()))
                || self.is_user_key(key.as_bytes()))
    }

    fn is_user_key(&self, key: &[u8]) -> bool {
        keys::is_user_key(&self.keys, key)
    }

    /// The redacted text, or `None` when nothing matched (no allocation then).
    fn redact_text(&self, s: &str, rules: &mut BTreeMap<String, u64>) -> Option<String> {
        let hits = self.hits(s);
        if hits.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(s.len() + 24 * hits.len());
        let mut last = 0;
        for h in &hits {
            out.push_str(&s[last..h.start]);
            out.push_str("[REDACTED:");
            out.push_str(h.rule);
            out.push(']');
            last = h.end;
            bump(rules, h.rule);
        }
        out.push_str(&s[last..]);
        Some(out)
    }

    /// Built-in findings, then user patterns and rules-file rules where no
    /// built-in matched; sorted and non-overlapping.
    fn hits<'a>(&'a self, s: &str) -> Vec<Hit<'a>> {
        let mut hits = Vec::new();
        if s.len() >= PARALLEL_SCAN_BYTES {
            self.scan_in_parallel(s, &mut hits);
        } else {
            if self.builtin {
                detectors::scan_builtin(s.as_bytes(), &self.keys, &mut hits);
            }
            self.rules.find(s, &mut hits);
        }
        if hits.len() > 1 {
            resolve_overlaps(&mut hits);
        }
        if self.extra.is_empty() && self.user.is_empty() {
            return hits;
        }
        let mut extra_hits: Vec<Hit<'a>> = Vec::new();
        self.user.find(s, &mut extra_hits);
        for x in &self.extra {
            if x.group {
                for c in x.regex.captures_iter(s) {
                    if let Some(m) = c.get(1).filter(|m| !m.is_empty()) {
                        extra_hits.push(Hit {
                            start: m.start(),
                            end: m.end(),
                            rule: &x.name,
                        });
                    }
                }
            } else {
                for m in x.regex.find_iter(s).filter(|m| !m.is_empty()) {
                    extra_hits.push(Hit {
                        start: m.start(),
                        end: m.end(),
                        rule: &x.name,
                    });
                }
            }
        }
        if extra_hits.is_empty() {
            return hits;
        }
        extra_hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        for h in extra_hits {
            let overlaps = hits.iter().any(|k| h.start < k.end && k.start < h.end);
            if !overlaps {
                hits.push(h);
            }
        }
        hits.sort_by_key(|h| h.start);
        hits
    }
}

/// What was found, for a message to the user (the prompt-secret policy's
/// reason): `GitHub token, 2 × password in a URL`. Names kinds, never values.
pub fn describe(rules: &BTreeMap<String, u64>) -> String {
    let label = |rule: &str| match rule {
        "private_key" => "private key",
        "aws_access_key_id" => "AWS access key ID",
        "aws_secret_access_key" => "AWS secret access key",
        "github_token" => "GitHub token",
        "gitlab_token" => "GitLab token",
        "slack_token" => "Slack token",
        "stripe_key" => "Stripe key",
        "npm_token" => "npm token",
        "anthropic_key" => "Anthropic API key",
        "openai_key" => "OpenAI API key",
        "jwt" => "JSON Web Token",
        "bearer_token" => "Bearer token",
        "basic_auth" => "Basic auth credentials",
        "url_password" => "password in a URL",
        "slack_webhook" => "Slack webhook URL",
        "password_assignment" => "password or secret assignment",
        "env_secret" => "secret environment variable",
        "secret_key_value" => "value of a secret-named key",
        _ => "",
    };
    rules
        .iter()
        .map(|(rule, n)| {
            let what = match label(rule) {
                "" => format!("`{rule}` match"),
                l => l.to_string(),
            };
            if *n > 1 {
                format!("{n} × {what}")
            } else {
                what
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sorts findings by position and merges overlapping ones into one redaction
/// (the union of their ranges): the hand-written scanners and the rule table may
/// both find a token. The merged finding is reported under the most specific
/// rule in it: a vendor rule's name wins over a generic one
/// (`GITHUB_TOKEN=ghp_…` is a `github_token`, not an `env_secret`).
fn resolve_overlaps(hits: &mut Vec<Hit<'_>>) {
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), is_generic(h.rule)));
    let mut kept: Vec<Hit<'_>> = Vec::with_capacity(hits.len());
    for h in hits.drain(..) {
        match kept.last_mut() {
            Some(k) if h.start < k.end => {
                k.end = k.end.max(h.end);
                if is_generic(k.rule) && !is_generic(h.rule) {
                    k.rule = h.rule;
                }
            }
            _ => kept.push(h),
        }
    }
    *hits = kept;
}

/// Rules that say where a secret stands, not what it is.
fn is_generic(rule: &str) -> bool {
    matches!(
        rule,
        "password_assignment"
            | "env_secret"
            | "secret_key_value"
            | "bearer_token"
            | "basic_auth"
            | "url_password"
            | "authorization_header"
            | "generic_secret"
    )
}

fn marker(rule: &str) -> String {
    format!("[REDACTED:{rule}]")
}

/// Counts one firing of `rule` (allocates the name only the first time).
pub fn bump(rules: &mut BTreeMap<String, u64>, rule: &str) {
    match rules.get_mut(rule) {
        Some(n) => *n += 1,
        None => {
            rules.insert(rule.to_string(), 1);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    // Fake secrets, assembled so the source does not look like a leak. The AWS
    // values are the documented examples.
    pub(super) fn aws_id() -> String {
        ["AKIA", "IOSFODNN7EXAMPLE"].concat()
    }
    pub(super) fn aws_secret() -> String {
        ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].concat()
    }
    pub(super) fn ghp() -> String {
        ["ghp_", "1234567890abcdefghijABCDEFGHIJ123456"].concat()
    }
    pub(super) fn jwt() -> String {
        [
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0",
            ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        ]
        .concat()
    }

    pub(super) fn on() -> Redactor {
        Redactor::new(&RedactionConfig::default()).unwrap()
    }

    pub(super) fn red(s: &str) -> String {
        on().redact_str(s).0
    }

    #[test]
    fn a_string_large_enough_for_two_threads_is_redacted_like_a_small_one() {
        let line = "2026-01-05T10:00:00Z INFO request_id=4f1c2a9e user=u17 GET /api/v2/items 200\n";
        let filler = line.repeat(PARALLEL_SCAN_BYTES / line.len() / 2);
        let secrets = [
            format!("export GITHUB_TOKEN={}\n", ghp()),
            format!("aws {} {}\n", aws_id(), aws_secret()),
            format!("Authorization: Bearer {}\n", jwt()),
            "password=Hunt3rTwo!x\n".to_string(),
        ];
        let big = format!(
            "{}{filler}{}{filler}{}{filler}{}",
            secrets[0], secrets[1], secrets[2], secrets[3]
        );
        assert!(
            big.len() >= PARALLEL_SCAN_BYTES,
            "takes the two-thread path"
        );
        let (out, found) = on().redact_str(&big);
        for secret in [ghp(), aws_id(), aws_secret(), jwt(), "Hunt3rTwo!x".into()] {
            assert!(!out.contains(&secret), "{secret} survived");
        }
        let small: BTreeMap<String, u64> = secrets.iter().flat_map(|s| on().redact_str(s).1).fold(
            BTreeMap::new(),
            |mut all, (rule, n)| {
                *all.entry(rule).or_insert(0) += n;
                all
            },
        );
        assert_eq!(found, small, "the same findings as line by line");
        assert_eq!(out.len() - out.matches(line).count() * line.len(), {
            let joined: String = secrets.iter().map(|s| red(s)).collect();
            joined.len()
        });
    }

    /// The rules that fire on `s`, as `name=count` pairs.
    pub(super) fn rules(s: &str) -> Vec<(String, u64)> {
        on().redact_str(s).1.into_iter().collect()
    }

    pub(super) fn one(rule: &str) -> Vec<(String, u64)> {
        vec![(rule.to_string(), 1)]
    }

    #[track_caller]
    pub(super) fn assert_kept(s: &str) {
        assert_eq!(red(s), s, "must not be redacted");
    }

    #[test]
    fn map_redacts_keys_and_nested_values_and_counts_rules() {
        let mut v = json!({
            "session_id": "bec247b5-945b-4438-957d-99b44004f6e2",
            "cwd": "/home/u/proj",
            "tool_input": {
                "command": format!("curl -H 'Authorization: Bearer abc123DEF456ghi789' {}", "https://x"),
                "env": {"AWS_SECRET_ACCESS_KEY": "plainvalue", "DB_PASSWORD": "${DB_PASSWORD}", "HOME": "/h"},
                "headers": [{"name": "x", "value": format!("token {}", ghp())}],
            },
            "tool_response": {
                "stdout": format!("id={} key={}", aws_id(), aws_secret()),
                "nested": [[{ ghp(): "keyed by a token" }]],
            },
            "max_tokens": 100,
            "token": 5,
        });
        let map = v.as_object_mut().unwrap();
        let report = on().redact_map(map);
        assert!(report.applied);
        let text = serde_json::to_string(&v).unwrap();
        for secret in [
            ghp(),
            aws_id(),
            aws_secret(),
            "plainvalue".into(),
            "abc123DEF456ghi789".into(),
        ] {
            assert!(!text.contains(&secret), "{secret} left in {text}");
        }
        assert_eq!(
            v["tool_input"]["env"]["AWS_SECRET_ACCESS_KEY"],
            "[REDACTED:secret_key_value]"
        );
        assert_eq!(v["tool_input"]["env"]["DB_PASSWORD"], "${DB_PASSWORD}");
        assert_eq!(v["tool_input"]["env"]["HOME"], "/h");
        assert_eq!(v["session_id"], "bec247b5-945b-4438-957d-99b44004f6e2");
        assert_eq!(v["max_tokens"], 100);
        assert_eq!(v["token"], 5, "non-strings under secret keys stay");
        assert_eq!(
            v["tool_response"]["nested"][0][0]["[REDACTED:github_token]"],
            "keyed by a token"
        );
        let expected: BTreeMap<String, u64> = [
            ("aws_access_key_id", 1),
            ("aws_secret_access_key", 1),
            ("bearer_token", 1),
            ("github_token", 2),
            ("secret_key_value", 1),
        ]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
        assert_eq!(report.rules, expected);
        // Redacting again (a replayed or summarised event) finds nothing new.
        let once = v.clone();
        let again = on().redact_map(v.as_object_mut().unwrap());
        assert_eq!(v, once);
        assert!(again.rules.is_empty(), "{:?}", again.rules);
    }

    #[test]
    fn renamed_keys_keep_their_order() {
        let mut v = json!({"a": 1, ghp(): 2, "z": 3});
        on().redact_map(v.as_object_mut().unwrap());
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "[REDACTED:github_token]", "z"]);
    }

    #[test]
    fn disabled_changes_nothing_but_scan_still_detects() {
        let r = Redactor::new(&RedactionConfig {
            enabled: false,
            ..RedactionConfig::default()
        })
        .unwrap();
        let mut v = json!({"prompt": format!("my key is {}", ghp()), "password": "x1"});
        let before = v.clone();
        let report = r.redact_map(v.as_object_mut().unwrap());
        assert_eq!(v, before);
        assert_eq!(
            report,
            RedactionReport {
                applied: false,
                rules: BTreeMap::new()
            }
        );
        assert_eq!(r.redact_str(&ghp()).0, ghp());
        assert_eq!(
            r.scan(&format!("{} and {} and password=hunter2", ghp(), aws_id())),
            BTreeMap::from([
                ("aws_access_key_id".to_string(), 1),
                ("github_token".to_string(), 1),
                ("password_assignment".to_string(), 1),
            ])
        );
    }

    #[test]
    fn describe_names_kinds_not_values() {
        let r = with_extra(&[("acme_ticket", r"ACME-\d{6}")], &[]).unwrap();
        let s = format!("{0} https://u:pw123@h {0} ACME-123456", ghp());
        let text = describe(&r.scan(&s));
        assert_eq!(
            text,
            "`acme_ticket` match, 2 × GitHub token, password in a URL"
        );
        assert!(!text.contains("pw123") && !text.contains(&ghp()));
    }

    #[test]
    fn scan_counts_repeats() {
        let s = format!("{0} {0} {0}", ghp());
        assert_eq!(
            on().scan(&s),
            BTreeMap::from([("github_token".to_string(), 3)])
        );
        assert!(on().scan("nothing to see here, max_tokens=5").is_empty());
    }

    fn with_extra(patterns: &[(&str, &str)], keys: &[&str]) -> Result<Redactor, Problem> {
        Redactor::new(&RedactionConfig {
            enabled: true,
            patterns: patterns
                .iter()
                .map(|(n, p)| ExtraPattern {
                    name: n.to_string(),
                    pattern: p.to_string(),
                })
                .collect(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            ..RedactionConfig::default()
        })
    }

    #[test]
    fn extra_patterns_whole_match_or_group_one() {
        let r = with_extra(
            &[
                ("acme_ticket", r"ACME-\d{6}"),
                ("employee_id", r"emp_id=(\d+)"),
            ],
            &[],
        )
        .unwrap();
        let (out, rules) = r.redact_str(&format!("see ACME-123456, emp_id=42 and {}", ghp()));
        assert_eq!(
            out,
            "see [REDACTED:acme_ticket], emp_id=[REDACTED:employee_id] and [REDACTED:github_token]"
        );
        assert_eq!(rules.len(), 3);
        assert_eq!(r.scan("ACME-000001 ACME-000002")["acme_ticket"], 2);
    }

    #[test]
    fn extra_patterns_do_not_split_built_in_findings() {
        let r = with_extra(&[("digits", r"\d{4,}")], &[]).unwrap();
        let (out, rules) = r.redact_str(&format!("{} 12345", ghp()));
        assert_eq!(out, "[REDACTED:github_token] [REDACTED:digits]");
        assert_eq!(rules.values().sum::<u64>(), 2);
    }

    #[test]
    fn bad_extra_patterns_are_named() {
        let e = with_extra(&[("ok", "a+"), ("x", "b+"), ("broken", "(unclosed")], &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("redaction.patterns[2] (`broken`): invalid regex:"),
            "{e}"
        );
        let e = with_extra(&[("empty", "a*")], &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("patterns[0]") && e.contains("empty string"),
            "{e}"
        );
        let e = with_extra(&[("bad name]", "a")], &[])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("name"), "{e}");
    }

    #[test]
    fn extra_keys_name_secrets_in_json_and_text() {
        let r = with_extra(&[], &["DATABASE_URL", "my-cred"]).unwrap();
        let mut v = json!({"database_url": "sqlite:///tmp/x.db", "MyCred": "abc", "other": "abc"});
        let report = r.redact_map(v.as_object_mut().unwrap());
        assert_eq!(v["database_url"], "[REDACTED:secret_key_value]");
        assert_eq!(v["MyCred"], "[REDACTED:secret_key_value]");
        assert_eq!(v["other"], "abc");
        assert_eq!(report.rules["secret_key_value"], 2);
        assert_eq!(
            r.redact_str("MY_CRED=abcdef").0,
            "MY_CRED=[REDACTED:env_secret]"
        );
    }

    #[test]
    fn fixtures_are_untouched() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/events");
        let r = on();
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            let mut v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let before = v.clone();
            let report = r.redact_map(v.as_object_mut().unwrap());
            assert_eq!(v, before, "{}", p.display());
            assert!(
                report.rules.is_empty(),
                "{}: {:?}",
                p.display(),
                report.rules
            );
        }
    }

    #[test]
    fn non_ascii_text_is_safe() {
        let s = format!("mot de passe: «{}» — пароль=секрет123 🎉", ghp());
        let out = red(&s);
        assert!(
            out.contains("[REDACTED:github_token]") && out.contains('🎉'),
            "{out}"
        );
        assert!(
            out.contains("пароль=секрет123"),
            "only ASCII key names are known: {out}"
        );
    }

    #[test]
    fn default_pass_leaves_emails_and_ips() {
        assert_kept("git@github.com:org/repo.git by bob@example.test on 10.0.0.1");
    }

    /// `cargo test redact::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_typical_event() {
        let command =
            "cd /home/user/proj && cargo test --all-targets 2>&1 | tail -n 50; git status";
        let code = "fn main() {\n    let config = load(&path).unwrap_or_default();\n    for (i, x) in items.iter().enumerate() { println!(\"{i}: {x:?}\"); }\n    let max_tokens = 100; // budget\n}\n";
        let mut v = json!({
            "session_id": "bec247b5-945b-4438-957d-99b44004f6e2",
            "transcript_path": "/home/user/.claude/projects/-home-user-proj/bec247b5-945b-4438-957d-99b44004f6e2.jsonl",
            "cwd": "/home/user/proj",
            "hook_event_name": "PostToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command, "description": "run the tests"},
            "tool_response": {"stdout": code.repeat(20), "stderr": "", "interrupted": false},
            "tool_use_id": "toolu_1a6162c944364625a2298c7b",
        });
        let size = serde_json::to_string(&v).unwrap().len();
        let r = on();
        let n = 20_000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            let report = r.redact_map(std::hint::black_box(v.as_object_mut().unwrap()));
            std::hint::black_box(report);
        }
        let per = t.elapsed().as_nanos() / n;
        // Yardstick on the same machine: serialising the event, which every
        // invocation does at least once anyway.
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(serde_json::to_vec(std::hint::black_box(&v)).unwrap());
        }
        let ser = t.elapsed().as_nanos() / n;
        println!("redact_map: {size} byte event: {per} ns/event (serde_json::to_vec: {ser} ns)");
    }
}
