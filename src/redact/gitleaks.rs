//! User rules from a gitleaks-format TOML file (`redaction.rules_file`): reading
//! the file, turning each `[[rules]]` table into a rule (id, regex, keywords,
//! secretGroup, entropy, allowlists), and, until the shared rule engine takes
//! them, matching them.
//!
//! Only the parts of the format that mean something for event text are used.
//! `path` and `commits` allowlists (and a rule's own `path`) name files and
//! commits, which an event does not have: they never match, so an `OR`
//! allowlist falls back on its regexes and stopwords and an `AND` allowlist that
//! needs them never applies (the text stays redacted). `[extend]` is not
//! followed: the built-ins are hookrelay's own, and `rules_mode` in the
//! hookrelay config decides whether they stay (see docs/redact.md).
//!
//! A bad rule is skipped and named (file, line, id); a file that cannot be read
//! or parsed is skipped whole. Nothing here can stop an event from being kept.
//!
//! The adapter point for the shared engine is [`UserRules`]: the parsing half
//! ([`RuleDef`], [`parse`]) stays; `UserRules::new`/`find` become pushes into
//! `RuleSet` (`RuleSet::push(UserRule { .. })`, `RuleSet::clear_builtin()`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::detectors::Hit;
use crate::error::Problem;

/// One `[[rules]]` table, checked; what the engine needs to run it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDef {
    pub id: String,
    /// Lowercase; the rule runs only where one occurs. Empty: always runs.
    pub keywords: Vec<String>,
    /// RE2 syntax as written; checked to parse under regex-lite.
    pub pattern: String,
    /// `secretGroup`: the capture group holding the secret. `None`: the first
    /// non-empty group, else the whole match (gitleaks' rule).
    pub secret_group: Option<usize>,
    /// `entropy`: the secret's Shannon entropy must exceed it (0.0: no check).
    pub min_entropy: f32,
    /// The rule's own allowlists, then the file's global ones that target it.
    pub allowlists: Vec<AllowDef>,
    /// `redaction.rules_file <path>:<line>`, for problems found later.
    pub at: String,
}

/// One allowlist: a finding it matches is not redacted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AllowDef {
    /// `condition = "AND"`: every criterion must match (default `OR`: any).
    pub all: bool,
    pub target: Target,
    pub regexes: Vec<String>,
    /// Lowercase; matched against the lowercased secret.
    pub stopwords: Vec<String>,
    /// It lists `paths` or `commits`, which event text never matches.
    pub needs_path_or_commit: bool,
}

/// What an allowlist's `regexes` are matched against (`regexTarget`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Target {
    #[default]
    Secret,
    Match,
    Line,
}

/// Whether a rules file adds to the built-in rules or replaces them
/// (`redaction.rules_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RulesMode {
    #[default]
    Add,
    Replace,
}

/// A loaded file: its rules and what was wrong with it (one problem per bad rule,
/// or one for the whole file).
#[derive(Debug, Default)]
pub struct Loaded {
    pub rules: Vec<RuleDef>,
    pub problems: Vec<Problem>,
    /// The file was read and parsed (so `replace` may drop the built-ins).
    pub usable: bool,
}

/// Reads and parses the rules file. `~/` is the home directory; other relative
/// paths are refused (a hook runs in whatever directory Claude Code is in).
pub fn load(path: &Path) -> Loaded {
    let shown = format!("redaction.rules_file {}", path.display());
    let Some(path) = resolve(path) else {
        return Loaded::failed(Problem::new("the path is relative").at(shown).fix(
            "give an absolute path, `~/…` or `${HOME}/…`; redacting with the built-in rules only",
        ));
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) => {
            Loaded::failed(Problem::new(format!("cannot read: {e}")).at(shown).fix(
                "fix the path or the file's permissions; redacting with the built-in rules only",
            ))
        }
    }
}

fn resolve(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        return Some(path.to_path_buf());
    }
    let rest = path.strip_prefix("~").ok()?;
    Some(PathBuf::from(std::env::var_os("HOME")?).join(rest))
}

impl Loaded {
    fn failed(problem: Problem) -> Loaded {
        Loaded {
            rules: Vec::new(),
            problems: vec![problem],
            usable: false,
        }
    }

    /// Every problem as one line (the first in full, the others by line and id),
    /// or `None` when the file was fine.
    pub fn problem(&self) -> Option<Problem> {
        let first = self.problems.first()?.clone();
        if self.problems.len() == 1 {
            return Some(first);
        }
        let more: Vec<String> = self.problems[1..]
            .iter()
            .map(|p| {
                let line = p.at.as_deref().and_then(|a| a.rsplit(':').next());
                format!("line {}: {}", line.unwrap_or("?"), p.what)
            })
            .collect();
        let fix = first.fix.clone().unwrap_or_default();
        Some(first.fix(format!("{fix} ({} more: {})", more.len(), more.join("; "))))
    }
}

/// Parses a gitleaks config. `file` names it in problems.
pub fn parse(text: &str, file: &str) -> Loaded {
    // Line starts once: every rule records its line, and scanning from the top
    // for each would cost rules × file size.
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let at = |offset: usize| {
        let line = newlines.partition_point(|&nl| nl < offset) + 1;
        format!("redaction.rules_file {file}:{line}")
    };
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let what = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            let what = match rule_id_before(text, offset) {
                Some(id) => format!("rule `{id}`: {what}"),
                None => what,
            };
            return Loaded::failed(
                Problem::new(what)
                    .at(at(offset))
                    .fix("fix the TOML syntax; no rule from this file is used"),
            );
        }
    };
    let doc = doc.get_ref();
    let mut out = Loaded {
        usable: true,
        ..Loaded::default()
    };
    // Global allowlists (`[allowlist]`, `[[allowlists]]` with optional `targetRules`).
    let mut global: Vec<(Option<Vec<String>>, AllowDef)> = Vec::new();
    for (key, value) in doc.iter() {
        let name: &str = key.get_ref();
        let list: Vec<&Spanned<DeValue>> = match (name, value.get_ref()) {
            ("allowlist", DeValue::Table(_)) => vec![value],
            ("allowlists", DeValue::Array(a)) => a.iter().collect(),
            ("extend", DeValue::Table(t)) => {
                if let Some(v) = get(t, "path").or_else(|| get(t, "url")) {
                    out.problems.push(
                        Problem::new("`[extend]` path/url is not followed")
                            .at(at(v.span().start))
                            .fix("copy the rules you need into this file"),
                    );
                }
                continue;
            }
            _ => continue,
        };
        for v in list {
            match allowlist(v, true) {
                Ok((targets, def)) => global.push((targets, def)),
                Err(what) => out.problems.push(Problem::new(what).at(at(v.span().start))),
            }
        }
    }
    let Some(rules) = get(doc, "rules") else {
        return out;
    };
    let DeValue::Array(rules) = rules.get_ref() else {
        out.problems.push(
            Problem::new("`rules` is not a list of tables")
                .at(at(rules.span().start))
                .fix("write each rule as a `[[rules]]` table"),
        );
        return out;
    };
    for (i, rule) in rules.iter().enumerate() {
        match rule_def(rule, i, &at) {
            Ok(Some(mut def)) => {
                for (targets, allow) in &global {
                    if targets.as_ref().is_none_or(|t| t.contains(&def.id)) {
                        def.allowlists.push(allow.clone());
                    }
                }
                out.rules.push(def);
            }
            Ok(None) => {}
            Err(p) => out.problems.push(p),
        }
    }
    out
}

/// One `[[rules]]` table; `Ok(None)` for a rule that cannot apply to event text
/// (no `regex`: a rule on file paths only).
fn rule_def(
    rule: &Spanned<DeValue>,
    index: usize,
    at: &dyn Fn(usize) -> String,
) -> Result<Option<RuleDef>, Problem> {
    let here = at(rule.span().start);
    let DeValue::Table(t) = rule.get_ref() else {
        return Err(Problem::new(format!("rule #{}: not a table", index + 1)).at(here));
    };
    let id = match get(t, "id").map(|v| v.get_ref()) {
        Some(DeValue::String(s)) if valid_id(s) => s.to_string(),
        Some(DeValue::String(s)) => {
            return Err(Problem::new(format!(
                "rule `{s}`: the id must be letters, digits, `_`, `-` or `.`"
            ))
            .at(here)
            .fix("rename it (it appears in `[REDACTED:<id>]`); rule skipped"));
        }
        _ => {
            return Err(Problem::new(format!("rule #{}: no `id`", index + 1))
                .at(here)
                .fix("add `id = \"…\"`; rule skipped"));
        }
    };
    let bad = |span: usize, what: String, fix: &str| {
        Problem::new(format!("rule `{id}`: {what}"))
            .at(at(span))
            .fix(format!("{fix}; rule skipped"))
    };
    let Some(regex) = get(t, "regex") else {
        return Ok(None);
    };
    let pattern = string(regex).ok_or_else(|| {
        bad(
            regex.span().start,
            "`regex` is not a string".into(),
            "write it as a '''literal''' string",
        )
    })?;
    if let Err(e) = check_regex(pattern) {
        return Err(bad(
            regex.span().start,
            format!("invalid regex: {}", one_line(&e)),
            "use RE2 syntax regex-lite accepts (no Unicode classes such as \\p{L})",
        ));
    }
    let secret_group = match get(t, "secretGroup") {
        None => None,
        Some(v) => match v.get_ref() {
            DeValue::Integer(n) => match n.as_str().parse::<usize>() {
                Ok(0) => None,
                Ok(g) => Some(g),
                Err(_) => {
                    return Err(bad(
                        v.span().start,
                        "`secretGroup` is not a group number".into(),
                        "use 0 or a positive whole number",
                    ));
                }
            },
            _ => {
                return Err(bad(
                    v.span().start,
                    "`secretGroup` is not a number".into(),
                    "use a whole number",
                ));
            }
        },
    };
    let min_entropy = match get(t, "entropy") {
        None => 0.0,
        Some(v) => match number(v.get_ref()) {
            Some(e) if e >= 0.0 => e as f32,
            _ => {
                return Err(bad(
                    v.span().start,
                    "`entropy` is not a number".into(),
                    "use bits per character, e.g. 3.5",
                ));
            }
        },
    };
    let keywords = match get(t, "keywords") {
        None => Vec::new(),
        Some(v) => strings(v)
            .ok_or_else(|| {
                bad(
                    v.span().start,
                    "`keywords` is not a list of strings".into(),
                    "write keywords = [\"…\"]",
                )
            })?
            .into_iter()
            .filter(|k| !k.is_empty())
            .map(|k| k.to_lowercase())
            .collect(),
    };
    let mut allowlists = Vec::new();
    let mut lists: Vec<&Spanned<DeValue>> = Vec::new();
    if let Some(v) = get(t, "allowlist") {
        lists.push(v);
    }
    if let Some(v) = get(t, "allowlists") {
        match v.get_ref() {
            DeValue::Array(a) => lists.extend(a.iter()),
            _ => lists.push(v),
        }
    }
    for v in lists {
        let (_, def) = allowlist(v, false).map_err(|what| {
            bad(
                v.span().start,
                what,
                "see the gitleaks allowlist keys: condition, regexTarget, regexes, stopwords",
            )
        })?;
        allowlists.push(def);
    }
    Ok(Some(RuleDef {
        id,
        keywords,
        pattern: pattern.to_string(),
        secret_group,
        min_entropy,
        allowlists,
        at: at(rule.span().start),
    }))
}

/// One allowlist table, with its `targetRules` when `global`.
fn allowlist(
    v: &Spanned<DeValue>,
    global: bool,
) -> Result<(Option<Vec<String>>, AllowDef), String> {
    let DeValue::Table(t) = v.get_ref() else {
        return Err("an allowlist is not a table".into());
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        match get(t, key) {
            None => Ok(Vec::new()),
            Some(v) => {
                strings(v).ok_or_else(|| format!("allowlist `{key}` is not a list of strings"))
            }
        }
    };
    let all = match get(t, "condition").map(|v| string(v)) {
        None => false,
        Some(Some(c)) if c.eq_ignore_ascii_case("or") => false,
        Some(Some(c)) if c.eq_ignore_ascii_case("and") => true,
        Some(_) => return Err("allowlist `condition` is neither \"OR\" nor \"AND\"".into()),
    };
    let target = match get(t, "regexTarget").map(|v| string(v)) {
        None => Target::Secret,
        Some(Some("secret")) | Some(Some("")) => Target::Secret,
        Some(Some("match")) => Target::Match,
        Some(Some("line")) => Target::Line,
        Some(_) => {
            return Err("allowlist `regexTarget` is not \"secret\", \"match\" or \"line\"".into());
        }
    };
    let regexes = list("regexes")?;
    for r in &regexes {
        check_regex(r).map_err(|e| format!("allowlist regex `{r}`: {}", one_line(&e)))?;
    }
    let stopwords = list("stopwords")?
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_lowercase())
        .collect();
    let needs_path_or_commit = !list("paths")?.is_empty() || !list("commits")?.is_empty();
    let targets = if global && get(t, "targetRules").is_some() {
        Some(list("targetRules")?)
    } else {
        None
    };
    Ok((
        targets,
        AllowDef {
            all,
            target,
            regexes,
            stopwords,
            needs_path_or_commit,
        },
    ))
}

fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    t.iter()
        .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == key)
        .map(|(_, v)| v)
}

fn string<'v>(v: &'v Spanned<DeValue>) -> Option<&'v str> {
    match v.get_ref() {
        DeValue::String(s) => Some(s),
        _ => None,
    }
}

fn strings(v: &Spanned<DeValue>) -> Option<Vec<String>> {
    let DeValue::Array(a) = v.get_ref() else {
        return None;
    };
    let a: &DeArray = a;
    a.iter().map(|x| string(x).map(str::to_string)).collect()
}

fn number(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Integer(n) => n.as_str().replace('_', "").parse().ok(),
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        _ => None,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `id` of the `[[rules]]` table a syntax error at `offset` falls in, read
/// from the raw lines (the document did not parse).
fn rule_id_before(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    let header = before.rfind("[[rules]]")?;
    let after_header = &text[header..];
    // The id may follow the error, but not the next table.
    let table = after_header[9..]
        .find("\n[")
        .map_or(after_header, |end| &after_header[..end + 9]);
    table.lines().find_map(|line| {
        let rest = line
            .trim_start()
            .strip_prefix("id")?
            .trim_start()
            .strip_prefix('=')?;
        let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
        valid_id(v).then(|| v.to_string())
    })
}

/// Whether regex-lite accepts the syntax, without compiling it: with a zero
/// size limit the parse runs in full and only the compilation fails (and its
/// size-limit error is the one accepted). Compiling every rule of a large file
/// on every event is what the lazy compilation avoids.
pub fn check_regex(pattern: &str) -> Result<(), String> {
    match regex_lite::RegexBuilder::new(pattern).size_limit(0).build() {
        Ok(_) => Ok(()),
        Err(e) if e.to_string().contains("size limit") => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

// ---------------------------------------------------------------------------
// Adapter: matching user rules until the shared engine (`rules::RuleSet`) takes
// them. At the switch this becomes, per `RuleDef`, `RuleSet::push(UserRule { id,
// keywords, pattern, secret_group, min_entropy, allow_regexes, stopwords })`
// (plus `clear_builtin()` for `replace`), and `Redactor::hits` calls
// `RuleSet::find` alone.
// ---------------------------------------------------------------------------

/// User rules ready to run: regexes compiled on first use.
#[derive(Default)]
pub struct UserRules {
    rules: Vec<Compiled>,
}

struct Compiled {
    def: RuleDef,
    regex: OnceLock<Option<regex_lite::Regex>>,
    /// Allowlist regexes, per allowlist, compiled on the first finding.
    allow: OnceLock<Vec<Vec<regex_lite::Regex>>>,
}

impl UserRules {
    pub fn new(defs: Vec<RuleDef>) -> UserRules {
        UserRules {
            rules: defs
                .into_iter()
                .map(|def| Compiled {
                    def,
                    regex: OnceLock::new(),
                    allow: OnceLock::new(),
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Findings of the user rules in `s`: a rule runs when one of its keywords
    /// occurs (ignoring case) or when it has none.
    pub(super) fn find<'a>(&'a self, s: &str, hits: &mut Vec<Hit<'a>>) {
        if self.rules.is_empty() {
            return;
        }
        let mut lower: Option<String> = None;
        for rule in &self.rules {
            if !rule.def.keywords.is_empty() {
                let lower = lower.get_or_insert_with(|| s.to_lowercase());
                if !rule.def.keywords.iter().any(|k| lower.contains(k.as_str())) {
                    continue;
                }
            }
            let Some(re) = rule.regex() else {
                continue;
            };
            for caps in re.captures_iter(s) {
                let whole = caps.get(0).expect("group 0 always matches");
                let secret = match rule.def.secret_group {
                    Some(g) => caps.get(g),
                    None => (1..caps.len())
                        .filter_map(|g| caps.get(g))
                        .find(|m| !m.is_empty())
                        .or(Some(whole)),
                };
                let Some(secret) = secret.filter(|m| !m.is_empty()) else {
                    continue;
                };
                let min = rule.def.min_entropy;
                if min > 0.0 && super::rules::entropy(secret.as_str().as_bytes()) <= min {
                    continue;
                }
                if rule.allowed(s, whole.range(), secret.as_str()) {
                    continue;
                }
                hits.push(Hit {
                    start: secret.start(),
                    end: secret.end(),
                    rule: &rule.def.id,
                });
            }
        }
    }
}

impl Compiled {
    fn regex(&self) -> Option<&regex_lite::Regex> {
        self.regex
            .get_or_init(|| match regex_lite::Regex::new(&self.def.pattern) {
                Ok(re) => Some(re),
                Err(e) => {
                    // Parsed at load, so only a size limit gets here.
                    crate::error::report(
                        Problem::new(format!(
                            "rule `{}`: {}",
                            self.def.id,
                            one_line(&e.to_string())
                        ))
                        .at(&self.def.at)
                        .fix("simplify the regex; rule skipped"),
                    );
                    None
                }
            })
            .as_ref()
    }

    /// Does an allowlist of the rule let this finding through unredacted?
    fn allowed(&self, s: &str, whole: std::ops::Range<usize>, secret: &str) -> bool {
        if self.def.allowlists.is_empty() {
            return false;
        }
        let compiled = self.allow.get_or_init(|| {
            self.def
                .allowlists
                .iter()
                .map(|a| {
                    a.regexes
                        .iter()
                        .filter_map(|r| regex_lite::Regex::new(r).ok())
                        .collect()
                })
                .collect()
        });
        let lower_secret = secret.to_lowercase();
        self.def
            .allowlists
            .iter()
            .zip(compiled)
            .any(|(a, regexes)| {
                let target = match a.target {
                    Target::Secret => secret,
                    Target::Match => &s[whole.clone()],
                    Target::Line => line_around(s, whole.clone()),
                };
                let by_regex =
                    (!regexes.is_empty()).then(|| regexes.iter().any(|r| r.is_match(target)));
                let by_stopword = (!a.stopwords.is_empty()).then(|| {
                    a.stopwords
                        .iter()
                        .any(|w| lower_secret.contains(w.as_str()))
                });
                let criteria = [by_regex, by_stopword];
                if a.all {
                    !a.needs_path_or_commit
                        && criteria.iter().any(Option::is_some)
                        && criteria.iter().flatten().all(|&m| m)
                } else {
                    criteria.iter().flatten().any(|&m| m)
                }
            })
    }
}

fn line_around(s: &str, r: std::ops::Range<usize>) -> &str {
    let start = s[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let end = s[r.end..].find('\n').map_or(s.len(), |i| r.end + i);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Loaded {
        parse(text, "/t/rules.toml")
    }

    fn run(defs: &Loaded, s: &str) -> Vec<(String, String)> {
        let r = UserRules::new(defs.rules.clone());
        let mut hits = Vec::new();
        r.find(s, &mut hits);
        hits.iter()
            .map(|h| (h.rule.to_string(), s[h.start..h.end].to_string()))
            .collect()
    }

    const BASIC: &str = r#"
title = "team rules"

[[rules]]
id = "acme-api-key"
description = "ACME API key"
regex = '''\bacme_(?:live|test)_[0-9a-zA-Z]{24}\b'''
keywords = ["ACME_"]

[[rules]]
id = "acme-session"
regex = '''(?i)acme[_-]?session\s*[:=]\s*["']?([a-z0-9]{16,})'''
secretGroup = 1
entropy = 3.0
keywords = ["session"]
  [[rules.allowlists]]
  regexes = ['''^0+$''']
  stopwords = ["example"]
"#;

    #[test]
    fn parses_rules_with_lines_groups_entropy_and_allowlists() {
        let l = rules(BASIC);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.rules.len(), 2);
        let r = &l.rules[1];
        assert_eq!(r.id, "acme-session");
        assert_eq!(r.secret_group, Some(1));
        assert_eq!(r.min_entropy, 3.0);
        assert_eq!(r.keywords, ["session"]);
        assert_eq!(r.allowlists[0].stopwords, ["example"]);
        assert_eq!(l.rules[0].keywords, ["acme_"]);
        assert!(
            l.rules[0].at.ends_with("/t/rules.toml:4"),
            "{}",
            l.rules[0].at
        );
        assert!(r.at.ends_with(":10"), "{}", r.at);
    }

    #[test]
    fn matches_with_keywords_groups_entropy_and_allowlists() {
        let l = rules(BASIC);
        let key = ["acme_live_", "a1B2c3D4e5F6g7H8i9J0kLmN"].concat();
        assert_eq!(
            run(&l, &format!("use {key} now")),
            [("acme-api-key".to_string(), key.clone())]
        );
        // Keyword absent (case-insensitively present is enough).
        assert!(run(&l, "acme_live_short").is_empty());
        // The group only, so the context stays.
        assert_eq!(
            run(&l, "ACME_SESSION=q8Zr3kP0wL5xN2vT"),
            [("acme-session".to_string(), "q8Zr3kP0wL5xN2vT".to_string())]
        );
        // Low entropy, allowlist regex, stopword.
        assert!(run(&l, "acme_session=abababababababab").is_empty());
        assert!(run(&l, "acme_session=0000000000000000").is_empty());
        assert!(run(&l, "acme_session=exampleQ8Zr3kP0wL5x").is_empty());
    }

    #[test]
    fn a_rule_without_keywords_always_runs_and_targets_match_or_line() {
        let l = rules(
            r#"
[[rules]]
id = "ticket"
regex = '''TKT-([0-9]{6})'''
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''^#''']
[[rules.allowlists]]
regexTarget = "match"
condition = "AND"
regexes = ['''TKT-0''']
stopwords = ["000"]
"#,
        );
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(run(&l, "see TKT-123456")[0].1, "123456");
        assert!(run(&l, "x\n# TKT-123456 in a comment\n").is_empty());
        // AND: both the match regex and the stopword.
        assert!(run(&l, "TKT-000123").is_empty());
        assert_eq!(run(&l, "TKT-012345").len(), 1);
    }

    #[test]
    fn path_allowlists_never_match_event_text() {
        let l = rules(
            r#"
[[rules]]
id = "t"
regex = '''tok_[a-z]{8}'''
[rules.allowlist]
paths = ['''.*''']
[[allowlists]]
condition = "AND"
paths = ['''x''']
regexes = ['''.''']
[[allowlists]]
targetRules = ["other"]
regexes = ['''.''']
"#,
        );
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.rules[0].allowlists.len(), 2, "targetRules filters");
        assert_eq!(run(&l, "tok_abcdefgh").len(), 1);
    }

    #[test]
    fn global_allowlist_applies_to_every_rule() {
        let l = rules(
            r#"
[allowlist]
stopwords = ["dummy"]
[[rules]]
id = "t"
regex = '''tok_[a-z]{8}'''
"#,
        );
        assert!(run(&l, "tok_dummyabc").is_empty());
        assert_eq!(run(&l, "tok_realabcd").len(), 1);
    }

    #[test]
    fn bad_rules_are_named_by_line_and_skipped() {
        let l = rules(
            r#"[[rules]]
id = "good"
regex = '''g_[0-9]{4}'''

[[rules]]
id = "unicode"
regex = '''\p{L}+_key'''

[[rules]]
id = "broken"
regex = "(unclosed"
[[rules]]
regex = "x"
[[rules]]
id = "bad entropy"
[[rules]]
id = "paths-only"
path = '''\.pem$'''
"#,
        );
        assert_eq!(l.rules.len(), 1);
        assert_eq!(l.rules[0].id, "good");
        let lines: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines[0].starts_with(
                "redaction.rules_file /t/rules.toml:7: rule `unicode`: invalid regex:"
            ),
            "{}",
            lines[0]
        );
        assert!(lines[0].ends_with("rule skipped"), "{}", lines[0]);
        assert!(
            lines[1].starts_with("redaction.rules_file /t/rules.toml:11: rule `broken`"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains(":12: rule #4: no `id`"), "{}", lines[2]);
        assert!(
            lines[3].contains(":14: rule `bad entropy`: the id"),
            "{}",
            lines[3]
        );
        let one = l.problem().unwrap().to_string();
        assert!(
            one.starts_with(&lines[0]) && one.contains("3 more: line 11: rule `broken`"),
            "{one}"
        );
        assert!(!one.contains('\n'));
    }

    #[test]
    fn a_syntax_error_names_the_line_and_the_rule() {
        let l = rules(
            "[[rules]]\nid = \"ok\"\nregex = 'a'\n\n[[rules]]\nid = \"oops\"\nregex = '''x\nkeywords = [\"a\"\n",
        );
        assert!(!l.usable);
        assert!(l.rules.is_empty());
        let p = l.problem().unwrap().to_string();
        assert!(p.starts_with("redaction.rules_file /t/rules.toml:"), "{p}");
        assert!(p.contains("rule `oops`"), "{p}");
        assert!(
            p.ends_with("fix the TOML syntax; no rule from this file is used"),
            "{p}"
        );
        let l = rules("[[rules]]\nid = \"a\"\nregex = 'x'\nentropy = = 3\n");
        assert!(
            l.problem()
                .unwrap()
                .to_string()
                .starts_with("redaction.rules_file /t/rules.toml:4: rule `a`:")
        );
    }

    #[test]
    fn syntax_errors_near_non_ascii_text_are_named_without_panicking() {
        for text in [
            "[[rules]]\nid = \"é\" é\n",
            "é = [\n[[rules]]\nid = \"ü\"\n",
            "\u{1F600}",
        ] {
            let l = rules(text);
            assert!(!l.usable && l.problem().is_some(), "{text}");
        }
    }

    #[test]
    fn regex_check_accepts_valid_and_large_patterns() {
        assert!(check_regex(r"(?i)\b(key)[a-z0-9]{32,64}\b").is_ok());
        assert!(check_regex("").is_ok());
        assert!(check_regex("(").is_err());
        assert!(check_regex(r"\p{Greek}").is_err());
    }

    #[test]
    fn relative_and_missing_files_are_named() {
        let l = load(Path::new("rules.toml"));
        assert!(!l.usable);
        assert!(l.problem().unwrap().to_string().contains("relative"));
        let l = load(Path::new("/nonexistent/hookrelay/rules.toml"));
        assert!(
            l.problem().unwrap().to_string().starts_with(
                "redaction.rules_file /nonexistent/hookrelay/rules.toml: cannot read:"
            )
        );
    }

    /// What loading a rules file costs each event (the hook is one process per
    /// event): `cargo test --release --lib gitleaks::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_load_200_rules() {
        let mut text = String::from("title = \"200 rules\"\n");
        for i in 0..200 {
            text.push_str(&format!(
                "[[rules]]\nid = \"r{i}\"\ndescription = \"rule {i}\"\n\
                 regex = '''(?i)\\bp{i}x_(?:live|test)_([0-9a-z]{{32,40}})\\b'''\n\
                 secretGroup = 1\nentropy = 3.2\nkeywords = [\"p{i}x_live_\", \"p{i}x_test_\"]\n\
                 [[rules.allowlists]]\nregexes = ['''^0+$''']\nstopwords = [\"example\"]\n\n"
            ));
        }
        let n = 50;
        let time = |f: &dyn Fn()| {
            let t = std::time::Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        };
        let toml_only = time(&|| {
            std::hint::black_box(DeTable::parse(&text).unwrap());
        });
        let full = time(&|| {
            let l = parse(&text, "x");
            assert_eq!(l.rules.len(), 200, "{:?}", l.problems.first());
            std::hint::black_box(l);
        });
        let patterns: Vec<String> = parse(&text, "x")
            .rules
            .into_iter()
            .map(|r| r.pattern)
            .collect();
        let checks = time(&|| patterns.iter().for_each(|p| check_regex(p).unwrap()));
        println!(
            "{} bytes, 200 rules: TOML parse {toml_only:?}; parse, convert and check {full:?}; regex checks alone {checks:?}",
            text.len()
        );
        // Matching a 2 KB string none of whose keywords occur.
        let rules = UserRules::new(parse(&text, "x").rules);
        let s = "fn main() { let config = load(&path).unwrap_or_default(); }\n".repeat(34);
        let find = time(&|| {
            let mut hits = Vec::new();
            rules.find(std::hint::black_box(&s), &mut hits);
            assert!(hits.is_empty());
        });
        println!("find over {} bytes: {find:?}", s.len());
    }
}
