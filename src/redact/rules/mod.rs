//! Vendor token formats as data, and the engine that runs them: each rule names
//! literal keywords and a pattern, and only rules whose keyword occurs in a
//! string run their pattern, and only near the keyword (gitleaks' design), so
//! hundreds of formats cost one pass over the text, not hundreds.
//!
//! Built-in rules are constant tables, one file per kind of vendor, and their
//! keyword index is built at compile time (zero start-up cost: every hook event
//! is a new process); user rules (a gitleaks TOML file, src/redact/gitleaks.rs)
//! are pushed into the same [`RuleSet`] and run through the same engine.
//!
//! # API (for the gitleaks loader and the Redactor)
//!
//! ```ignore
//! let mut set = RuleSet::builtin();          // every built-in rule, nothing compiled
//! set.clear_builtin();                       // `replace the built-ins` (gitleaks `[extend]` absent)
//! set.push(UserRule {
//!     id: "acme_key".into(),                 // appears as [REDACTED:acme_key]
//!     keywords: vec!["acme_".into()],        // matched ignoring ASCII case; empty: the rule runs on every text
//!     pattern: r"\b(acme_[a-z0-9]{32})\b".into(), // regex-lite (RE2-like) syntax
//!     secret_group: None,                    // None: group `secret`, else the first group that matched, else the whole match
//!     min_entropy: 3.0,                      // bits/char the secret must reach; 0.0: no check
//!     allow_regexes: vec![],                 // a secret any of these matches is kept
//!     stopwords: vec![],                     // a secret containing one of these (ignoring case) is kept
//! })?;                                       // Err(Problem) names the rule: bad regex, empty id...
//! set.find(text, &mut hits);                 // appends Hit { start, end, rule: id }
//! ```
//!
//! `push` checks the pattern's syntax at once (a compile, ~10-50 µs for a
//! gitleaks-style pattern, kept for reuse); `push_lazy` defers even that to the first
//! text that contains a keyword of the rule (for the hook path, where a file of
//! hundreds of rules is loaded per event): a pattern that then fails to compile is
//! skipped and named by [`RuleSet::broken`]. Built-in patterns are compiled once
//! per process, when first needed.
//!
//! # The engine
//!
//! One pass over the text looks up every pair of adjacent (lowercased) bytes in a
//! 64 Kbit table of the keywords' first two bytes, and only where a pair is a
//! keyword start compares the keywords that start with it. The built-in rules'
//! tables are a compile-time constant; user rules' keywords get a second,
//! run-time index per RuleSet (built in microseconds), scanned after it. Each
//! keyword occurrence gives its rule a window: the line around it, at most 4 KiB
//! either side; overlapping windows of one rule merge, and the rule's regex runs
//! once per window, never over a whole 1 MB text per rule.
//!
//! Not the `aho-corasick` crate: with ~200 case-insensitive keywords it would
//! build an automaton per process (every hook event is a new process) and add a
//! crate; this index costs no run time (built at compile time; ~5 µs at run time
//! for user rules), adds ~50 KiB of tables to the binary, and scans 1 MB in
//! ~3 ms (`probes::bench_keyword_pass`), inside the 2x budget of a 1 MB event.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_lite::Regex;

use super::detectors::Hit;
use crate::error::Problem;

/// `<vendor…><sep><value>` on one line, for formats without a distinctive
/// prefix: the vendor's name (a regex alternation), up to 25 key characters
/// (`_API_KEY`), then `=`, `:`, `:=` or `=>` with optional quotes and blanks,
/// then the value (the rule's secret, group 1), which must end there.
macro_rules! keyed {
    ($vendor:literal, $value:literal) => {
        concat!(
            r#"(?i)(?:"#,
            $vendor,
            r#")[\w.\-]{0,25}["']?\s{0,3}(?::=|=>|[:=])\s{0,3}["'`]?("#,
            $value,
            r#")(?:[^\w\-]|$)"#
        )
    };
}

mod cloud;
mod devtools;

mod ai;
mod comms;
mod misc;
mod payments;
mod saas;

/// A built-in rule. `keywords` are lowercase ASCII literals (matched ignoring
/// case); `pattern` is regex-lite (RE2-like) syntax whose secret is the capture
/// group named `secret`, else group 1, else the whole match; the secret must
/// reach `min_entropy` bits per character (0.0: no check).
#[derive(Debug)]
pub struct BuiltinRule {
    pub id: &'static str,
    pub keywords: &'static [&'static str],
    pub pattern: &'static str,
    pub min_entropy: f32,
}

/// Every built-in rule set; a new vendor file adds one line here.
pub static BUILTIN: &[&[BuiltinRule]] = &[
    cloud::RULES,
    devtools::RULES,
    ai::RULES,
    saas::RULES,
    comms::RULES,
    payments::RULES,
    misc::RULES,
];

/// Every built-in rule, in registry order.
pub fn builtin_rules() -> impl Iterator<Item = &'static BuiltinRule> {
    BUILTIN_RULES.iter().copied()
}

/// How many built-in rules there are (a constant: every hook event is a new
/// process, and nothing about the built-ins should be worked out per process).
const BUILTIN_COUNT: usize = {
    let mut n = 0;
    let mut s = 0;
    while s < BUILTIN.len() {
        n += BUILTIN[s].len();
        s += 1;
    }
    n
};

fn builtin_count() -> usize {
    BUILTIN_COUNT
}

/// The built-in rules flattened into one table, in registry order: rule numbers
/// index it (evaluated at compile time).
static BUILTIN_RULES: [&BuiltinRule; BUILTIN_COUNT] = {
    let mut out = [&BUILTIN[0][0]; BUILTIN_COUNT];
    let (mut s, mut i) = (0, 0);
    while s < BUILTIN.len() {
        let mut r = 0;
        while r < BUILTIN[s].len() {
            out[i] = &BUILTIN[s][r];
            i += 1;
            r += 1;
        }
        s += 1;
    }
    out
};

/// The built-in rule `index` (registry order) and its regex, compiled on first use.
fn builtin(index: usize) -> (&'static BuiltinRule, Option<&'static Regex>) {
    static CACHE: [OnceLock<Option<Regex>>; BUILTIN_COUNT] =
        [const { OnceLock::new() }; BUILTIN_COUNT];
    let rule = BUILTIN_RULES[index];
    let re = CACHE[index]
        .get_or_init(|| Regex::new(rule.pattern).ok())
        .as_ref();
    (rule, re)
}

/// A rule from the user (a gitleaks TOML file): owned strings, same meaning as
/// [`BuiltinRule`], plus an explicit secret group and allowlists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserRule {
    pub id: String,
    pub keywords: Vec<String>,
    pub pattern: String,
    /// The capture group that is the secret; `None`: the group named `secret`,
    /// else the first group that matched, else the whole match.
    pub secret_group: Option<usize>,
    pub min_entropy: f32,
    /// A secret any of these matches is not a finding.
    pub allow_regexes: Vec<String>,
    /// A secret containing one of these (ignoring ASCII case) is not a finding.
    pub stopwords: Vec<String>,
}

struct UserEntry {
    rule: UserRule,
    stopwords: Vec<String>,
    regex: OnceLock<Option<Regex>>,
    allow: OnceLock<Vec<Regex>>,
}

impl UserEntry {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| Regex::new(&self.rule.pattern).ok())
            .as_ref()
    }

    fn allowed(&self, secret: &str) -> bool {
        if !self.stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            if self.stopwords.iter().any(|w| lower.contains(w.as_str())) {
                return true;
            }
        }
        if self.rule.allow_regexes.is_empty() {
            return false;
        }
        let allow = self.allow.get_or_init(|| {
            self.rule
                .allow_regexes
                .iter()
                .filter_map(|p| Regex::new(p).ok())
                .collect()
        });
        allow.iter().any(|re| re.is_match(secret))
    }
}

/// The rules a Redactor runs: the built-ins (unless cleared) and the user's.
pub struct RuleSet {
    with_builtin: bool,
    user: Vec<UserEntry>,
    /// The keyword index of the user rules, built when first needed (the
    /// built-ins' index is a compile-time constant, [`BUILTIN_INDEX`]).
    index: OnceLock<Index>,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet::builtin()
    }
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("builtin", &self.with_builtin)
            .field(
                "user",
                &self.user.iter().map(|u| &u.rule.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl RuleSet {
    /// Every built-in rule; nothing is compiled or indexed yet.
    pub fn builtin() -> RuleSet {
        RuleSet {
            with_builtin: true,
            user: Vec::new(),
            index: OnceLock::new(),
        }
    }

    /// Drops the built-in rules (a rules file that replaces them); user rules stay.
    pub fn clear_builtin(&mut self) {
        self.with_builtin = false;
    }

    /// How many rules run: built-ins (unless cleared) plus user rules.
    pub fn len(&self) -> usize {
        self.user.len()
            + if self.with_builtin {
                builtin_count()
            } else {
                0
            }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a user rule after checking it (id, pattern syntax, allowlist regexes).
    /// The compiled pattern is kept, so the check costs nothing later.
    pub fn push(&mut self, rule: UserRule) -> Result<(), Problem> {
        let at = format!("rule `{}`", rule.id);
        let regex = Regex::new(&rule.pattern)
            .map_err(|e| Problem::new(format!("invalid regex: {e}")).at(&at))?;
        if regex.is_match("") {
            return Err(Problem::new("the pattern matches the empty string")
                .at(at)
                .fix("make it require at least one character"));
        }
        if let Some(g) = rule.secret_group
            && g >= regex.captures_len()
        {
            return Err(Problem::new(format!(
                "secretGroup {g} but the pattern has {} group(s)",
                regex.captures_len() - 1
            ))
            .at(at));
        }
        let mut allow = Vec::with_capacity(rule.allow_regexes.len());
        for p in &rule.allow_regexes {
            allow.push(
                Regex::new(p)
                    .map_err(|e| Problem::new(format!("invalid allowlist regex: {e}")).at(&at))?,
            );
        }
        self.push_entry(rule)?;
        let entry = self.user.last().expect("just pushed");
        let _ = entry.regex.set(Some(regex));
        let _ = entry.allow.set(allow);
        Ok(())
    }

    /// Adds a user rule without compiling anything (only the id is checked): its
    /// pattern compiles when a keyword of it first occurs; a pattern that does not
    /// compile then is skipped and listed by [`RuleSet::broken`].
    pub fn push_lazy(&mut self, rule: UserRule) -> Result<(), Problem> {
        self.push_entry(rule)
    }

    fn push_entry(&mut self, rule: UserRule) -> Result<(), Problem> {
        if rule.id.is_empty()
            || !rule
                .id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        {
            return Err(Problem::new(
                "the id must be non-empty letters, digits, `_`, `-` or `.` (it appears in `[REDACTED:<id>]`)",
            )
            .at(format!("rule `{}`", rule.id)));
        }
        if rule.pattern.is_empty() {
            return Err(Problem::new("the regex is empty").at(format!("rule `{}`", rule.id)));
        }
        let stopwords = rule
            .stopwords
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        self.user.push(UserEntry {
            rule,
            stopwords,
            regex: OnceLock::new(),
            allow: OnceLock::new(),
        });
        self.index = OnceLock::new();
        Ok(())
    }

    /// User rules whose pattern (or an allowlist regex) does not compile, with the
    /// error: for `doctor`, and for rules added with `push_lazy`.
    pub fn broken(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for u in &self.user {
            let at = format!("rule `{}`", u.rule.id);
            if let Err(e) = Regex::new(&u.rule.pattern) {
                out.push(Problem::new(format!("invalid regex: {e}")).at(&at));
            }
            for p in &u.rule.allow_regexes {
                if let Err(e) = Regex::new(p) {
                    out.push(Problem::new(format!("invalid allowlist regex: {e}")).at(&at));
                }
            }
        }
        out
    }

    /// The user rules' keyword index (rule numbers after the built-ins'), built
    /// the first time a text is scanned after a push.
    fn user_index(&self) -> &Index {
        self.index.get_or_init(|| {
            let nb = builtin_count() as u32;
            let user = self.user.iter().enumerate().flat_map(move |(i, u)| {
                let r = nb + i as u32;
                let kws: Vec<Keyword> = if u.rule.keywords.is_empty() {
                    vec![Keyword {
                        text: Cow::Borrowed(&[][..]),
                        rule: r,
                        pattern: None,
                        lead: OnceLock::new(),
                    }]
                } else {
                    u.rule
                        .keywords
                        .iter()
                        .map(|k| Keyword {
                            text: Cow::Owned(k.to_ascii_lowercase().into_bytes()),
                            rule: r,
                            pattern: None,
                            lead: OnceLock::new(),
                        })
                        .collect()
                };
                kws
            });
            Index::build(user)
        })
    }

    /// The indexes a text is scanned with: the built-ins' (unless cleared), then
    /// the user rules' (if any). Built-in rule numbers come first, as if one index
    /// held both.
    fn indexes(&self) -> impl Iterator<Item = Tables<'_>> {
        let builtin = self.with_builtin.then(|| BUILTIN_INDEX.tables());
        let user = (!self.user.is_empty()).then(|| self.user_index().tables());
        builtin.into_iter().chain(user)
    }

    /// Appends the findings of every rule in `s` (unsorted; the caller resolves
    /// overlaps with the hand-written detectors' findings).
    pub(in crate::redact) fn find<'a>(&'a self, s: &str, hits: &mut Vec<Hit<'a>>) {
        if self.is_empty() || s.len() < 2 {
            return;
        }
        let mut occ = Vec::new();
        let mut always = false;
        for t in self.indexes() {
            t.occurrences(s.as_bytes(), &mut occ);
            always |= !t.always.is_empty();
        }
        if occ.is_empty() && !always {
            return;
        }
        occ.sort_unstable();
        let b = s.as_bytes();
        let mut i = 0;
        while i < occ.len() {
            let (rule, p, klen) = occ[i];
            let (mut ws, mut we) = window(b, p, klen);
            i += 1;
            // Later occurrences of the same rule inside or touching this window
            // extend it; the regex runs once over the merged window.
            while i < occ.len() && occ[i].0 == rule && occ[i].1 <= we {
                let (s2, e2) = window(b, occ[i].1, occ[i].2);
                ws = ws.min(s2);
                we = we.max(e2);
                i += 1;
            }
            self.run_rule(rule, s, ws, we, hits);
        }
        for t in self.indexes() {
            for &rule in t.always {
                self.run_rule(rule, s, 0, s.len(), hits);
            }
        }
    }

    fn run_rule<'a>(&'a self, rule: u32, s: &str, ws: usize, we: usize, hits: &mut Vec<Hit<'a>>) {
        let nb = builtin_count();
        let r = rule as usize;
        let (id, re, group, min_entropy, user): (&'a str, Option<&Regex>, Option<usize>, f32, _) =
            if r < nb {
                let (b, re) = builtin(r);
                (b.id, re, None, b.min_entropy, None)
            } else {
                let u = &self.user[r - nb];
                (
                    u.rule.id.as_str(),
                    u.regex(),
                    u.rule.secret_group,
                    u.rule.min_entropy,
                    Some(u),
                )
            };
        let Some(re) = re else { return };
        let text = &s[ws..we];
        for caps in re.captures_iter(text) {
            let m = match group {
                Some(g) => caps.get(g),
                None => caps
                    .name("secret")
                    .or_else(|| caps.iter().skip(1).flatten().next())
                    .or_else(|| caps.get(0)),
            };
            let Some(m) = m.filter(|m| !m.is_empty()) else {
                continue;
            };
            if min_entropy > 0.0 && entropy(m.as_str().as_bytes()) < min_entropy {
                continue;
            }
            if user.is_some_and(|u: &UserEntry| u.allowed(m.as_str())) {
                continue;
            }
            hits.push(Hit {
                start: ws + m.start(),
                end: ws + m.end(),
                rule: id,
            });
        }
    }
}

/// Every built-in keyword with its rule and whether it leads its rule's match
/// (borrowed: they are lowercase already, a unit test checks), and an empty one
/// for a rule without keywords: what the run-time builder would index, the
/// oracle for the compile-time [`BUILTIN_INDEX`].
#[cfg(test)]
fn builtin_keywords() -> impl Iterator<Item = Keyword> {
    builtin_rules().enumerate().flat_map(|(i, r)| {
        let none: &[&str] = if r.keywords.is_empty() { &[""] } else { &[] };
        r.keywords.iter().chain(none).map(move |k| Keyword {
            text: Cow::Borrowed(k.as_bytes()),
            rule: i as u32,
            pattern: Some(r.pattern),
            lead: OnceLock::new(),
        })
    })
}

/// One keyword of one rule.
struct Keyword {
    text: Cow<'static, [u8]>,
    rule: u32,
    /// The built-in rule's pattern (user rules: `None`, never leading).
    pattern: Option<&'static str>,
    /// `leads(pattern, keyword)`, worked out the first time the keyword occurs
    /// (most keywords never occur in an event: reading all 345 patterns up front
    /// would cost every event more than it saves).
    lead: OnceLock<bool>,
}

impl Keyword {
    /// Keyword `text` of built-in rule number `rule` (whose pattern is `pattern`).
    const fn builtin(text: &'static [u8], rule: u32, pattern: &'static str) -> Keyword {
        Keyword {
            text: Cow::Borrowed(text),
            rule,
            pattern: Some(pattern),
            lead: OnceLock::new(),
        }
    }

    /// The pattern starts with `\b` and then this keyword: a match needs the
    /// keyword at a word start, followed by more token characters.
    fn leads(&self) -> bool {
        *self.lead.get_or_init(|| {
            self.pattern
                .is_some_and(|p| std::str::from_utf8(&self.text).is_ok_and(|k| leads(p, k)))
        })
    }
}

/// Does `pattern` begin (after `(?i)`, capture-group openers and a `\b`) with
/// `keyword`, or with an alternation one of whose branches begins with it? Then
/// an occurrence of the keyword elsewhere than at a word start, or followed by
/// fewer than `MIN_TAIL` token characters, cannot be a match: the engine skips it
/// without running (or compiling) the pattern. `path`, `/path/` and
/// `transcript_path` contain Airtable's `pat` and would otherwise compile its
/// pattern for nearly every event.
fn leads(pattern: &str, keyword: &str) -> bool {
    let mut p = pattern;
    let mut bounded = false;
    loop {
        if let Some(rest) = p.strip_prefix(r"\b") {
            bounded = true;
            p = rest;
        } else if let Some(rest) = ["(?i)", "(?:", "(?P<secret>", "(?<secret>", "("]
            .iter()
            .find_map(|o| p.strip_prefix(o))
        {
            p = rest;
        } else {
            break;
        }
    }
    if !bounded || keyword.is_empty() {
        return false;
    }
    let group_end = p.find(')').unwrap_or(p.len());
    let after_group = p.get(group_end + 1..).unwrap_or("");
    p[..group_end].split('|').any(|branch| {
        literal_prefix(branch, keyword).is_some_and(|rest| {
            // What follows the keyword must be a class of token characters
            // (`[A-Za-z0-9]{16}`), not blanks or anything: `sshpass\s+-p`.
            let next = if rest.is_empty() { after_group } else { rest };
            next.starts_with('[') && !next.starts_with("[^")
        })
    })
}

/// `branch` starts with the literal `keyword` (ignoring ASCII case; `\\.` and the
/// like are the escaped literal): what follows it in the branch.
fn literal_prefix<'p>(branch: &'p str, keyword: &str) -> Option<&'p str> {
    let bytes = branch.as_bytes();
    let mut i = 0;
    for k in keyword.bytes() {
        let c = match bytes.get(i) {
            Some(b'\\') => match bytes.get(i + 1) {
                Some(c) if c.is_ascii_punctuation() => {
                    i += 1;
                    *c
                }
                _ => return None,
            },
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'~' | b':') => *c,
            _ => return None,
        };
        if !c.eq_ignore_ascii_case(&k) {
            return None;
        }
        i += 1;
    }
    branch.get(i..)
}

/// Token characters a leading keyword must be followed by, at least: every
/// vendor format has a longer random part after its prefix.
const MIN_TAIL: usize = 8;

/// Characters a token runs through (a keyword's tail is measured in them).
fn is_token_char(c: u8) -> bool {
    !c.is_ascii_whitespace()
        && !matches!(
            c,
            b'"' | b'\''
                | b'`'
                | b','
                | b';'
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'|'
                | b'\\'
        )
}

/// How far a rule's window reaches from its keyword, at most, either side.
const WINDOW: usize = 4096;

/// The window of a keyword at `p` (length `klen`): its line, capped to
/// `WINDOW` bytes either side, on character boundaries.
fn window(b: &[u8], p: usize, klen: usize) -> (usize, usize) {
    let lo = p.saturating_sub(WINDOW);
    let mut ws = memchr::memrchr(b'\n', &b[lo..p]).map_or(lo, |q| lo + q + 1);
    let from = (p + klen).min(b.len());
    let hi = (from + WINDOW).min(b.len());
    let mut we = memchr::memchr(b'\n', &b[from..hi]).map_or(hi, |q| from + q);
    // Cut on UTF-8 character boundaries (continuation bytes are 10xxxxxx).
    while ws > 0 && ws < b.len() && (b[ws] & 0xC0) == 0x80 {
        ws -= 1;
    }
    while we < b.len() && (b[we] & 0xC0) == 0x80 {
        we += 1;
    }
    (ws, we)
}

/// Keyword lookup. A bit per hashed (lowercased) first three bytes of every
/// keyword of 3+ bytes, and a bit per first two bytes of every 2-byte keyword:
/// most text positions fail both tests (common pairs like `an`, `se`, `co`
/// start keywords, common triples rarely do). A position that passes walks the
/// chain of keywords in its hash bucket (a linked chain per bucket: no sorting,
/// so the same few steps build it at compile time and at run time).
///
/// The tables of the built-in rules are a compile-time constant
/// ([`BUILTIN_INDEX`]): every hook event is a new process, and building them at
/// run time cost each event ~60 k instructions (of ~328 k, callgrind). User
/// rules get a run-time [`Index`]; the scan reads either through this view.
#[derive(Clone, Copy)]
struct Tables<'a> {
    /// The first two (lowercased) bytes of every keyword of 2+ bytes: the scan's
    /// first, cheapest test, which most text positions fail.
    gate: &'a [u64; 1024],
    /// A bit per (hashed) first three bytes of every keyword of 3+ bytes.
    triples: &'a [u64; TRIPLE_WORDS],
    /// Keywords of 3+ bytes with the hash of their first three.
    long: &'a [(usize, Keyword)],
    /// Bucket -> 1 + index in `long` of the last keyword in it; 0: none.
    first: &'a [u16; BUCKETS],
    /// 1 + index in `long` of the next keyword in the same bucket; 0: none.
    next: &'a [u16],
    /// Keywords of 2 bytes, with their pair.
    short: &'a [(u16, Keyword)],
    /// Rules with no keyword (or a one-byte one): they run over the whole text.
    always: &'a [u32],
}

/// A keyword index built at run time: for user rules (pushed at run time,
/// rare), and in tests the oracle the compile-time index is checked against.
struct Index {
    gate: Box<[u64; 1024]>,
    triples: Box<[u64; TRIPLE_WORDS]>,
    long: Vec<(usize, Keyword)>,
    first: Box<[u16; BUCKETS]>,
    next: Vec<u16>,
    short: Vec<(u16, Keyword)>,
    always: Vec<u32>,
}

/// Small tables: the built-ins' are in the binary (a page fault per 4 KiB page
/// the scan touches) and a RuleSet with user rules zeroes its own.
const BUCKETS: usize = 1024;
const TRIPLE_WORDS: usize = 256;

/// ASCII lowercase by table lookup (the scan's inner loop runs per byte).
static LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).to_ascii_lowercase();
        i += 1;
    }
    t
};

const fn triple(a: u8, b: u8, c: u8) -> usize {
    ((a as usize) * 961 + (b as usize) * 31 + c as usize) & (TRIPLE_WORDS * 64 - 1)
}

const fn set_bit(bits: &mut [u64], i: usize) {
    bits[i >> 6] |= 1 << (i & 63);
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

/// The built-in rules' keyword index, evaluated at compile time: the scan of a
/// hook event's first string reads it straight from the binary.
static BUILTIN_INDEX: BuiltinIndex = BuiltinIndex::build();

/// A rule's keywords as the index sees them: a rule without keywords has one
/// empty keyword (it runs over every text).
const fn keywords_of(rule: &BuiltinRule) -> &'static [&'static str] {
    if rule.keywords.is_empty() {
        &[""]
    } else {
        rule.keywords
    }
}

/// The built-in index's sizes: keywords of 3+ bytes, keywords of 2 bytes, and
/// rules with a keyword shorter than 2 bytes (they run over every text).
const BUILTIN_SIZES: [usize; 3] = {
    let mut n = [0; 3];
    let mut r = 0;
    while r < BUILTIN_COUNT {
        let kws = keywords_of(BUILTIN_RULES[r]);
        let mut always = false;
        let mut j = 0;
        while j < kws.len() {
            match kws[j].len() {
                0 | 1 => always = true,
                2 => n[1] += 1,
                _ => n[0] += 1,
            }
            j += 1;
        }
        if always {
            n[2] += 1;
        }
        r += 1;
    }
    n
};

/// [`Index`]'s tables in fixed-size arrays, filled by a `const fn`.
struct BuiltinIndex {
    gate: [u64; 1024],
    triples: [u64; TRIPLE_WORDS],
    long: [(usize, Keyword); BUILTIN_SIZES[0]],
    first: [u16; BUCKETS],
    next: [u16; BUILTIN_SIZES[0]],
    short: [(u16, Keyword); BUILTIN_SIZES[1]],
    always: [u32; BUILTIN_SIZES[2]],
}

impl BuiltinIndex {
    /// [`Index::build`] over every built-in keyword, step for step, in const:
    /// the keyword bytes are hashed lowercased, the keywords stay borrowed
    /// (compared ignoring case).
    const fn build() -> BuiltinIndex {
        let mut ix = BuiltinIndex {
            gate: [0; 1024],
            triples: [0; TRIPLE_WORDS],
            long: [const { (0, Keyword::builtin(b"", 0, "")) }; BUILTIN_SIZES[0]],
            first: [0; BUCKETS],
            next: [0; BUILTIN_SIZES[0]],
            short: [const { (0, Keyword::builtin(b"", 0, "")) }; BUILTIN_SIZES[1]],
            always: [0; BUILTIN_SIZES[2]],
        };
        // Chain links are u16 (small tables); a compile error, not a silent cut.
        assert!(BUILTIN_SIZES[0] < u16::MAX as usize);
        let (mut nl, mut ns, mut na) = (0, 0, 0);
        let mut r = 0;
        while r < BUILTIN_COUNT {
            let rule = BUILTIN_RULES[r];
            let kws = keywords_of(rule);
            let mut j = 0;
            while j < kws.len() {
                let t = kws[j].as_bytes();
                if t.len() >= 2 {
                    let pair =
                        u16::from_be_bytes([t[0].to_ascii_lowercase(), t[1].to_ascii_lowercase()]);
                    set_bit(&mut ix.gate, pair as usize);
                }
                if t.len() < 2 {
                    // A rule's keywords are consecutive: one entry per rule.
                    if na == 0 || ix.always[na - 1] != r as u32 {
                        ix.always[na] = r as u32;
                        na += 1;
                    }
                } else if t.len() == 2 {
                    let pair =
                        u16::from_be_bytes([t[0].to_ascii_lowercase(), t[1].to_ascii_lowercase()]);
                    let k = Keyword::builtin(t, r as u32, rule.pattern);
                    // Plain assignment would drop the placeholder, which const
                    // evaluation cannot do (OnceLock has a destructor).
                    std::mem::forget(std::mem::replace(&mut ix.short[ns], (pair, k)));
                    ns += 1;
                } else {
                    let h = triple(
                        t[0].to_ascii_lowercase(),
                        t[1].to_ascii_lowercase(),
                        t[2].to_ascii_lowercase(),
                    );
                    set_bit(&mut ix.triples, h);
                    let bucket = h % BUCKETS;
                    ix.next[nl] = ix.first[bucket];
                    let k = Keyword::builtin(t, r as u32, rule.pattern);
                    std::mem::forget(std::mem::replace(&mut ix.long[nl], (h, k)));
                    nl += 1;
                    ix.first[bucket] = nl as u16;
                }
                j += 1;
            }
            r += 1;
        }
        assert!(nl == BUILTIN_SIZES[0] && ns == BUILTIN_SIZES[1] && na == BUILTIN_SIZES[2]);
        ix
    }

    fn tables(&'static self) -> Tables<'static> {
        Tables {
            gate: &self.gate,
            triples: &self.triples,
            long: &self.long,
            first: &self.first,
            next: &self.next,
            short: &self.short,
            always: &self.always,
        }
    }
}

impl Index {
    fn build(keywords: impl Iterator<Item = Keyword>) -> Index {
        let mut gate = Box::new([0u64; 1024]);
        let mut triples = Box::new([0u64; TRIPLE_WORDS]);
        let mut long = Vec::new();
        let mut next = Vec::new();
        let mut first = Box::new([0u16; BUCKETS]);
        let mut short = Vec::new();
        let mut always = Vec::new();
        for k in keywords {
            let t = &k.text;
            if t.len() >= 2 {
                set_bit(&mut gate[..], u16::from_be_bytes([t[0], t[1]]) as usize);
            }
            match t.len() {
                0 | 1 => {
                    if !always.contains(&k.rule) {
                        always.push(k.rule);
                    }
                }
                2 => {
                    let pair = u16::from_be_bytes([t[0], t[1]]);
                    short.push((pair, k));
                }
                _ => {
                    let h = triple(t[0], t[1], t[2]);
                    set_bit(&mut triples[..], h);
                    let bucket = h % BUCKETS;
                    next.push(first[bucket]);
                    long.push((h, k));
                    first[bucket] = long.len().min(u16::MAX as usize) as u16;
                }
            }
        }
        Index {
            gate,
            triples,
            long,
            first,
            next,
            short,
            always,
        }
    }

    fn tables(&self) -> Tables<'_> {
        Tables {
            gate: &self.gate,
            triples: &self.triples,
            long: &self.long,
            first: &self.first,
            next: &self.next,
            short: &self.short,
            always: &self.always,
        }
    }

    /// [`Tables::occurrences`] into a new vector.
    #[cfg(test)]
    fn occurrences(&self, b: &[u8]) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        self.tables().occurrences(b, &mut out);
        out
    }
}

impl Tables<'_> {
    fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    /// Appends every (rule, position, keyword length) where a keyword occurs in
    /// `b` (a leading keyword only at a word start, followed by `MIN_TAIL` token
    /// characters).
    fn occurrences(&self, b: &[u8], out: &mut Vec<(u32, usize, usize)>) {
        let n = b.len();
        if self.is_empty() || n < 2 {
            return;
        }
        let at = |p: usize, k: &Keyword| {
            let t: &[u8] = &k.text;
            n - p >= t.len()
                && b[p..p + t.len()].eq_ignore_ascii_case(t)
                && (!k.leads() || leads_here(b, p, t.len()))
        };
        let gate: &[u64; 1024] = self.gate;
        for (p, w) in b.windows(2).enumerate() {
            let (l0, l1) = (LOWER[w[0] as usize], LOWER[w[1] as usize]);
            let pair = ((l0 as usize) << 8) | l1 as usize;
            if gate[pair >> 6] & (1 << (pair & 63)) == 0 {
                continue;
            }
            let pair = pair as u16;
            let l2 = if p + 2 < n {
                LOWER[b[p + 2] as usize]
            } else {
                0
            };
            let h = triple(l0, l1, l2);
            if bit(&self.triples[..], h) {
                let mut i = self.first[h % BUCKETS] as usize;
                while i > 0 {
                    let (kh, k) = &self.long[i - 1];
                    if *kh == h && at(p, k) {
                        out.push((k.rule, p, k.text.len()));
                    }
                    i = self.next[i - 1] as usize;
                }
            }
            if !self.short.is_empty() {
                for (kp, k) in self.short {
                    if *kp == pair && at(p, k) {
                        out.push((k.rule, p, k.text.len()));
                    }
                }
            }
        }
    }
}

/// A leading keyword at `p` can start a match: at a word start, and followed by
/// at least `MIN_TAIL` token characters.
fn leads_here(b: &[u8], p: usize, klen: usize) -> bool {
    let word_start = p == 0 || !(b[p - 1].is_ascii_alphanumeric() || b[p - 1] == b'_');
    word_start
        && b[p + klen..]
            .iter()
            .take(MIN_TAIL)
            .take_while(|c| is_token_char(**c))
            .count()
            == MIN_TAIL
}

/// Shannon entropy in bits per byte, as `rules::entropy` computes it, but
/// without `f32::log2`: that calls `log2f` from libm, and linking libm.so.6 costs
/// every hook run (no rules file or not) 45 k instructions in the dynamic loader
/// (+10 %) and 11 page faults, measured with callgrind and `perf stat`.
pub fn entropy(b: &[u8]) -> f32 {
    if b.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &c in b {
        counts[c as usize] += 1;
    }
    // H = log2 n - (1/n) * sum(c log2 c)
    let n = b.len() as u64;
    let sum: f64 = counts
        .iter()
        .filter(|&&c| c > 1)
        .map(|&c| c as f64 * log2_int(c as u64))
        .sum();
    (log2_int(n) - sum / n as f64) as f32
}

/// log2 of a positive integer without libm: the integer part from the bit
/// length, 32 fractional bits by repeated squaring of the mantissa.
fn log2_int(x: u64) -> f64 {
    let whole = x.ilog2();
    let mut m = x as f64 / (1u64 << whole) as f64; // in [1, 2)
    let mut frac = 0.0;
    let mut bit = 0.5;
    for _ in 0..32 {
        m *= m;
        if m >= 2.0 {
            m /= 2.0;
            frac += bit;
        }
        bit /= 2.0;
    }
    whole as f64 + frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_keyword_counts_only_where_a_token_can_start() {
        assert!(leads(r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b", "pat"));
        assert!(leads(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b", "asia"));
        assert!(leads(r"(?i)\bSG\.[A-Za-z0-9_\-]{22}", "sg."));
        assert!(!leads(r"\bsshpass\s+-p\s*([^\s]+)", "sshpass"));
        assert!(
            !leads(r"sk-[A-Za-z0-9]{20}", "sk-"),
            "no \\b: may start mid-word"
        );
        let index = Index::build(
            [Keyword {
                text: Cow::Borrowed(&b"pat"[..]),
                rule: 0,
                pattern: Some(r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b"),
                lead: OnceLock::new(),
            }]
            .into_iter(),
        );
        for text in [
            "transcript_path",
            "/home/dev/path/to",
            "pat",
            "pattern matching",
        ] {
            assert!(index.occurrences(text.as_bytes()).is_empty(), "{text}");
        }
        assert_eq!(index.occurrences(b"x patAbCdEfGh12345678.ab").len(), 1);
    }

    /// `s` with every other ASCII letter uppercased.
    fn mixed_case(s: &str) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    }

    /// Texts holding every built-in keyword in the places the scan treats
    /// differently: word start with a long or short token tail, mid-word, text
    /// start and end, lowercase and mixed case; and the rule files' own source.
    fn keyword_texts() -> Vec<String> {
        let mut texts = Vec::new();
        for rule in builtin_rules() {
            for k in rule.keywords {
                for k in [k.to_string(), k.to_ascii_uppercase(), mixed_case(k)] {
                    texts.push(format!("x {k}AbCdEf1234567890 y"));
                    texts.push(format!("x {k}Ab1 y"));
                    texts.push(format!("abc{k}xyz_{k}"));
                    texts.push(format!("{k}Q8zR3kP0wL5xN2vT{k}"));
                    texts.push(format!("key=\"{k}\"\n{k}-{k}.{k}"));
                }
            }
        }
        for src in [
            include_str!("ai.rs"),
            include_str!("cloud.rs"),
            include_str!("comms.rs"),
            include_str!("devtools.rs"),
            include_str!("misc.rs"),
            include_str!("payments.rs"),
            include_str!("saas.rs"),
        ] {
            texts.push(src.to_string());
            texts.push(mixed_case(src));
        }
        texts
    }

    /// The compile-time index is what the run-time builder makes of the
    /// built-in keywords: the same tables, and the same occurrences in the
    /// same order for every text.
    #[test]
    fn the_compile_time_index_equals_the_run_time_one() {
        let oracle = Index::build(builtin_keywords());
        let (c, o) = (BUILTIN_INDEX.tables(), oracle.tables());
        assert!(c.gate == o.gate && c.triples == o.triples && c.first == o.first);
        assert_eq!((c.next, c.always), (o.next, o.always));
        let entries = |t: &[(usize, Keyword)]| -> Vec<_> {
            t.iter()
                .map(|(h, k)| (*h, k.text.to_vec(), k.rule, k.pattern))
                .collect()
        };
        assert_eq!(entries(c.long), entries(o.long));
        let short = |t: &[(u16, Keyword)]| -> Vec<_> {
            t.iter()
                .map(|(p, k)| (*p, k.text.to_vec(), k.rule, k.pattern))
                .collect()
        };
        assert_eq!(short(c.short), short(o.short));
        let (mut seen, mut leading) = (0, 0);
        for text in keyword_texts() {
            let mut got = Vec::new();
            c.occurrences(text.as_bytes(), &mut got);
            assert_eq!(got, oracle.occurrences(text.as_bytes()), "{text:?}");
            seen += got.len();
        }
        for (_, k) in c.long.iter().chain(o.long) {
            leading += usize::from(k.lead.get() == Some(&true));
        }
        assert!(seen > 10_000, "{seen} occurrences");
        assert!(leading > 20, "{leading} leading keywords seen");
    }

    /// With user rules, scanning the built-in and the user index gives the
    /// occurrences one index over both would.
    #[test]
    fn builtin_and_user_indexes_scan_as_one() {
        let mut set = RuleSet::builtin();
        set.push(user("acme", &["ACME_", "sk"], r"acme_[a-z0-9]{8}"))
            .unwrap();
        set.push(user("any", &[], r"\bq[0-9]{3}\b")).unwrap();
        let nb = builtin_count() as u32;
        let user_keywords = [("acme_", nb), ("sk", nb), ("", nb + 1)].map(|(k, rule)| Keyword {
            text: Cow::Owned(k.as_bytes().to_vec()),
            rule,
            pattern: None,
            lead: OnceLock::new(),
        });
        let one = Index::build(builtin_keywords().chain(user_keywords));
        for text in keyword_texts()
            .into_iter()
            .chain(["acme_abc12345 ACME_x sk-ant- q123".to_string()])
        {
            let mut got = Vec::new();
            let mut always = Vec::new();
            for t in set.indexes() {
                t.occurrences(text.as_bytes(), &mut got);
                always.extend_from_slice(t.always);
            }
            let mut want = one.occurrences(text.as_bytes());
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(always, one.always);
        }
        set.clear_builtin();
        assert_eq!(set.indexes().count(), 1);
        let mut got = Vec::new();
        set.indexes()
            .for_each(|t| t.occurrences(b"x sk-proj- ACME_", &mut got));
        assert_eq!(got, [(nb, 2, 2), (nb, 11, 5)]);
    }

    #[test]
    fn every_builtin_pattern_compiles_and_has_keywords() {
        let mut ids = std::collections::BTreeSet::new();
        for rule in builtin_rules() {
            ids.insert(rule.id);
            assert!(Regex::new(rule.pattern).is_ok(), "{}", rule.id);
            assert!(!rule.keywords.is_empty(), "{} has no keyword", rule.id);
            for k in rule.keywords {
                assert!(k.len() >= 2, "{}: keyword `{k}` too short", rule.id);
                assert_eq!(
                    *k,
                    k.to_ascii_lowercase(),
                    "{}: keywords are lowercase",
                    rule.id
                );
            }
        }
    }

    /// Every sample of the corpus (tests/corpus/secrets*.tsv) is named by its
    /// rule when it stands alone (tests/it/secrets_corpus.rs checks placements
    /// through the binary).
    #[test]
    fn every_corpus_sample_is_found_by_its_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let r = crate::redact::tests::on();
        let mut missed = Vec::new();
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !(name.starts_with("secrets") && name.ends_with(".tsv")) {
                continue;
            }
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let mut cols = line.splitn(3, '\t');
                let (Some(rule), Some(_), Some(sample)) = (cols.next(), cols.next(), cols.next())
                else {
                    continue;
                };
                if rule.starts_with('#') {
                    continue;
                }
                n += 1;
                let found = r.scan(sample);
                if !found.contains_key(rule) {
                    missed.push(format!("{name}: {rule}: {found:?}: {sample}"));
                }
            }
        }
        assert!(n > 0);
        assert!(
            missed.is_empty(),
            "{} of {n} missed:\n{}",
            missed.len(),
            missed.join("\n")
        );
    }

    #[test]
    fn entropy_matches_the_shared_definition_without_libm() {
        for x in [1u64, 2, 3, 5, 7, 10, 100, 255, 1000, 65537] {
            assert!((log2_int(x) - (x as f64).log2()).abs() < 1e-8, "{x}");
        }
        for s in [
            "",
            "aaaa",
            "abcd",
            "q8Zr3kP0wL5xN2vT",
            "abababababababab",
            "ghp_1234567890abcdefghij",
        ] {
            let want = reference_entropy(s.as_bytes());
            assert!((entropy(s.as_bytes()) - want).abs() < 1e-5, "{s}");
        }
    }

    /// The textbook definition, with std's (libm's) log2: tests may link libm.
    fn reference_entropy(b: &[u8]) -> f32 {
        let mut counts = [0u32; 256];
        for &c in b {
            counts[c as usize] += 1;
        }
        let n = b.len() as f32;
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f32 / n;
                -p * p.log2()
            })
            .sum()
    }

    #[test]
    fn entropy_of_uniform_and_constant_text() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-6);
    }

    fn found(set: &RuleSet, s: &str) -> Vec<(String, String)> {
        let mut hits = Vec::new();
        set.find(s, &mut hits);
        hits.sort_by_key(|h| h.start);
        hits.iter()
            .map(|h| (h.rule.to_string(), s[h.start..h.end].to_string()))
            .collect()
    }

    fn user(id: &str, kw: &[&str], pattern: &str) -> UserRule {
        UserRule {
            id: id.into(),
            keywords: kw.iter().map(|k| k.to_string()).collect(),
            pattern: pattern.into(),
            ..UserRule::default()
        }
    }

    #[test]
    fn user_rules_groups_entropy_allowlists_and_keywords() {
        let mut set = RuleSet::builtin();
        set.clear_builtin();
        set.push(user(
            "acme",
            &["acme_"],
            r"\bacme_(?P<secret>[a-z0-9]{8})\b",
        ))
        .unwrap();
        set.push(UserRule {
            secret_group: Some(2),
            ..user("two", &["id="], r"(id)=([0-9]{4})")
        })
        .unwrap();
        set.push(UserRule {
            min_entropy: 2.5,
            stopwords: vec!["EXAMPLE".into()],
            allow_regexes: vec!["^zz".into()],
            ..user("ent", &["ent:"], r"ent:([A-Za-z0-9]{8,})")
        })
        .unwrap();
        let s = "x ACME_abc12345 acme_abc12345 id=1234 ent:aaaaaaaa ent:Ab3dEf9hJk ent:myexample1 ent:zzAb3dEf9h";
        assert_eq!(
            found(&set, s),
            [
                ("acme".to_string(), "abc12345".to_string()),
                ("two".into(), "1234".into()),
                ("ent".into(), "Ab3dEf9hJk".into()),
            ]
        );
        // No keyword in the text: the rule does not run even if its pattern would match.
        assert!(found(&set, "id-1234 nothing").is_empty());
        // A rule without keywords runs everywhere.
        set.push(user("any", &[], r"\bq[0-9]{3}\b")).unwrap();
        assert_eq!(
            found(&set, "a q123 b"),
            [("any".to_string(), "q123".to_string())]
        );
    }

    #[test]
    fn push_names_the_rule_and_lazy_rules_are_skipped_when_broken() {
        let mut set = RuleSet::builtin();
        let e = set.push(user("bad", &["x"], "(unclosed")).unwrap_err();
        assert!(
            e.to_string().starts_with("rule `bad`: invalid regex"),
            "{e}"
        );
        let e = set.push(user("", &["x"], "x")).unwrap_err();
        assert!(e.to_string().contains("id"), "{e}");
        let e = set
            .push(UserRule {
                secret_group: Some(3),
                ..user("g", &["x"], "(x)")
            })
            .unwrap_err();
        assert!(e.to_string().contains("secretGroup 3"), "{e}");
        set.push_lazy(user("later", &["zz"], "zz(")).unwrap();
        assert!(found(&set, "zz zz").is_empty());
        assert_eq!(set.broken().len(), 1);
        assert_eq!(set.len(), builtin_count() + 1);
    }

    #[test]
    fn windows_are_lines_capped_and_merged() {
        let mut set = RuleSet::builtin();
        set.clear_builtin();
        set.push(user("w", &["kw"], r"kw ([0-9]+)")).unwrap();
        // The keyword's line only: a match that would span lines is not seen.
        assert!(found(&set, "kw\n123").is_empty());
        // Far away on one huge line: still found, once each.
        let s = format!(
            "kw 1 {} kw 2 {} kw 3",
            "x".repeat(10_000),
            "y ".repeat(3000)
        );
        assert_eq!(found(&set, &s).len(), 3);
        // Multi-byte text around the cap does not split a character.
        let s = format!("{}kw 7{}", "é".repeat(5000), "ü".repeat(5000));
        assert_eq!(found(&set, &s), [("w".to_string(), "7".to_string())]);
        assert_eq!(window(b"ab\ncd kw ef\ngh", 6, 2), (3, 11));
    }
}

/// Measurements, run by hand (`--ignored --nocapture`, in release for timings).
#[cfg(test)]
mod probes {
    use std::time::{Duration, Instant};

    /// Built-in rule findings in every file under `FP_DIR` (e.g. a tree of open
    /// source code), printed one per line: false positives to look at.
    /// `FP_DIR=~/.cargo/registry/src cargo test --release --lib false_positive_probe -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn false_positive_probe() {
        let dir = std::env::var("FP_DIR").expect("FP_DIR names a directory");
        let set = super::RuleSet::builtin();
        let mut bytes = 0usize;
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut counts = std::collections::BTreeMap::new();
        let t = Instant::now();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).unwrap() {
                    stack.push(e.unwrap().path());
                }
                continue;
            }
            let Ok(s) = std::fs::read_to_string(&p) else {
                continue;
            };
            bytes += s.len();
            let mut hits = Vec::new();
            set.find(&s, &mut hits);
            for h in hits {
                *counts.entry(h.rule).or_insert(0) += 1;
                println!("{}: {}: {}", p.display(), h.rule, &s[h.start..h.end]);
            }
        }
        println!("{bytes} bytes in {:?}: {counts:?}", t.elapsed());
    }

    fn best(mut f: impl FnMut()) -> Duration {
        (0..30)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap()
    }

    /// Run-time index build (what user rules pay; the built-ins' is compiled in),
    /// keyword pass and whole redaction of 1 MB of log and code lines.
    /// `cargo test --release --lib bench_keyword_pass -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_keyword_pass() {
        let mut s = String::new();
        let mut i = 0u64;
        while s.len() < 1 << 20 {
            i += 1;
            let h = format!(
                "{:016x}{:016x}",
                i.wrapping_mul(0x9E3779B97F4A7C15),
                i.wrapping_mul(0xC2B2AE3D27D4EB4F)
            );
            s.push_str(&format!(
                "2026-01-05T10:{:02}:{:02}Z INFO worker{} processed request id={} sha256={} in {}ms\n",
                i % 60,
                i % 59,
                i % 8,
                i,
                h,
                i % 977
            ));
            s.push_str("    let config = load(&path).unwrap_or_default(); // api key lookup for the signing service\n");
        }
        let set = super::RuleSet::builtin();
        let build = best(|| {
            std::hint::black_box(super::Index::build(super::builtin_keywords()));
        });
        let pass = best(|| {
            let mut occ = Vec::new();
            super::BUILTIN_INDEX
                .tables()
                .occurrences(s.as_bytes(), &mut occ);
            std::hint::black_box(occ);
        });
        let find = best(|| {
            let mut hits = Vec::new();
            set.find(&s, &mut hits);
            std::hint::black_box(hits);
        });
        let r = crate::redact::tests::on();
        let redact = best(|| {
            std::hint::black_box(r.redact_str(&s));
        });
        let lower = best(|| {
            std::hint::black_box(s.to_ascii_lowercase());
        });
        println!(
            "run-time index build {build:?}; 1 MB: keyword pass {pass:?}, rules {find:?}, whole redaction {redact:?} (yardstick: to_ascii_lowercase {lower:?})"
        );
    }
}
