//! Vendor token formats as data: each rule names literal keywords and a pattern,
//! and only rules whose keyword occurs in a string run their pattern (gitleaks'
//! design), so hundreds of formats cost one pass over the text, not hundreds.
//!
//! Built-in rules are `static` tables, one file per kind of vendor; patterns are
//! compiled once per process, and only when a keyword of theirs was seen.

use std::sync::OnceLock;

use super::detectors::Hit;

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
    ai::RULES,
    saas::RULES,
    comms::RULES,
    payments::RULES,
    misc::RULES,
];

/// Every built-in rule, in registry order.
pub fn builtin_rules() -> impl Iterator<Item = &'static BuiltinRule> {
    BUILTIN.iter().flat_map(|set| set.iter())
}

fn compiled(index: usize, rule: &BuiltinRule) -> Option<&'static regex_lite::Regex> {
    static CACHE: OnceLock<Vec<OnceLock<Option<regex_lite::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        (0..builtin_rules().count())
            .map(|_| OnceLock::new())
            .collect()
    });
    cache[index]
        .get_or_init(|| regex_lite::Regex::new(rule.pattern).ok())
        .as_ref()
}

/// Findings of the built-in rules in `s`. (First version: a keyword check per
/// rule over a lowercased copy; the engine is to become one multi-keyword pass.)
pub(super) fn find<'a>(s: &str, hits: &mut Vec<Hit<'a>>) {
    if BUILTIN.is_empty() {
        return;
    }
    let lower = s.to_ascii_lowercase();
    for (index, rule) in builtin_rules().enumerate() {
        if !rule.keywords.iter().any(|k| lower.contains(k)) {
            continue;
        }
        let Some(re) = compiled(index, rule) else {
            continue;
        };
        for caps in re.captures_iter(s) {
            let m = caps
                .name("secret")
                .or_else(|| caps.get(1))
                .or_else(|| caps.get(0));
            if let Some(m) = m.filter(|m| !m.is_empty()) {
                if rule.min_entropy > 0.0 && entropy(m.as_str().as_bytes()) < rule.min_entropy {
                    continue;
                }
                hits.push(Hit {
                    start: m.start(),
                    end: m.end(),
                    rule: rule.id,
                });
            }
        }
    }
}

/// Shannon entropy in bits per byte.
pub fn entropy(b: &[u8]) -> f32 {
    if b.is_empty() {
        return 0.0;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_compiles_and_has_keywords() {
        for rule in builtin_rules() {
            assert!(regex_lite::Regex::new(rule.pattern).is_ok(), "{}", rule.id);
            assert!(!rule.keywords.is_empty(), "{} has no keyword", rule.id);
            for k in rule.keywords {
                assert_eq!(
                    *k,
                    k.to_ascii_lowercase(),
                    "{}: keywords are lowercase",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn entropy_of_uniform_and_constant_text() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-6);
    }
}
