//! The ChromaDB bridge kit's redaction floor (every `redaction_mode` but
//! `disabled`; `strict` is the default): e-mail addresses, IPv4 addresses and the
//! kit's generic key shape, masked on top of hookrelay's default redaction pass.
//! Only this backend uses it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::redact::{bump, is_alnum, is_key_char, run, word_start};

/// One finding of the floor: a byte range and the rule that found it.
#[derive(Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    rule: &'static str,
}

/// The extra floor of the ChromaDB bridge's hook kit (`ZO_REDACTION_MODE` strict or lenient),
/// applied by the chroma backend on top of the default pass: e-mail addresses ->
/// `[EMAIL]`, IPv4 addresses -> `[IP]`, and the kit's generic key shape
/// `(sk|pk|ck|ghp|gho|glpat)[-_]` + 20 letters/digits -> `[REDACTED:generic_key]`.
/// Not in the default pass: it would rewrite git remotes (`git@host:`) and
/// addresses in every event. Applies to keys and values at every depth.
pub(super) fn strict_floor(v: &mut Value) -> BTreeMap<String, u64> {
    let mut rules = BTreeMap::new();
    strict_walk(v, &mut rules);
    rules
}

fn strict_walk(v: &mut Value, rules: &mut BTreeMap<String, u64>) {
    match v {
        Value::String(s) => {
            if let Some(new) = strict_text(s, rules) {
                *s = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| strict_walk(x, rules)),
        Value::Object(map) => {
            let renamed = map.keys().any(|k| !strict_hits(k.as_bytes()).is_empty());
            if renamed {
                let old = std::mem::take(map);
                for (k, mut x) in old {
                    strict_walk(&mut x, rules);
                    let k = strict_text(&k, rules).unwrap_or(k);
                    map.insert(k, x);
                }
            } else {
                map.values_mut().for_each(|x| strict_walk(x, rules));
            }
        }
        _ => {}
    }
}

fn strict_text(s: &str, rules: &mut BTreeMap<String, u64>) -> Option<String> {
    let hits = strict_hits(s.as_bytes());
    if hits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for h in &hits {
        out.push_str(&s[last..h.start]);
        out.push_str(match h.rule {
            "email" => "[EMAIL]",
            "ipv4" => "[IP]",
            _ => "[REDACTED:generic_key]",
        });
        bump(rules, h.rule);
        last = h.end;
    }
    out.push_str(&s[last..]);
    Some(out)
}

fn strict_hits(b: &[u8]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut floor = 0; // an e-mail's start may not reach back into the last hit
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let found = if c == b'@' {
            email_at(b, i, floor)
        } else if c.is_ascii_digit() && (i == 0 || !(is_key_char(b[i - 1]))) {
            ipv4_at(b, i)
        } else if matches!(c, b's' | b'p' | b'c' | b'g') && word_start(b, i) {
            generic_key_at(b, i)
        } else {
            None
        };
        match found {
            Some(h) => {
                hits.push(h);
                i = h.end;
                floor = h.end;
            }
            None => i += 1,
        }
    }
    hits
}

fn email_at(b: &[u8], at: usize, floor: usize) -> Option<Hit> {
    let local = |c: u8| is_alnum(c) || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut s = at;
    while s > floor && local(b[s - 1]) {
        s -= 1;
    }
    while s < at && b[s] == b'.' {
        s += 1;
    }
    if s == at {
        return None;
    }
    let e = run(b, at + 1, |c| is_alnum(c) || c == b'.' || c == b'-');
    let mut domain = &b[at + 1..e];
    while let [rest @ .., b'.' | b'-'] = domain {
        domain = rest;
    }
    let dot = domain.iter().rposition(|c| *c == b'.')?;
    let tld = &domain[dot + 1..];
    if dot == 0 || tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    Some(Hit {
        start: s,
        end: at + 1 + domain.len(),
        rule: "email",
    })
}

fn ipv4_at(b: &[u8], i: usize) -> Option<Hit> {
    let mut p = i;
    for octet in 0..4 {
        let e = run(b, p, |c| c.is_ascii_digit());
        if e == p || e - p > 3 {
            return None;
        }
        let v: u32 = std::str::from_utf8(&b[p..e]).ok()?.parse().ok()?;
        if v > 255 {
            return None;
        }
        p = e;
        if octet < 3 {
            if b.get(p) != Some(&b'.') {
                return None;
            }
            p += 1;
        }
    }
    let trailing_dot_digit =
        b.get(p) == Some(&b'.') && b.get(p + 1).is_some_and(u8::is_ascii_digit);
    if b.get(p).is_some_and(|c| is_alnum(*c) || *c == b'_') || trailing_dot_digit {
        return None;
    }
    Some(Hit {
        start: i,
        end: p,
        rule: "ipv4",
    })
}

fn generic_key_at(b: &[u8], i: usize) -> Option<Hit> {
    for p in [&b"sk"[..], b"pk", b"ck", b"ghp", b"gho", b"glpat"] {
        if b[i..].starts_with(p) && matches!(b.get(i + p.len()), Some(b'-' | b'_')) {
            let s = i + p.len() + 1;
            let e = run(b, s, is_alnum);
            if e - s >= 20 {
                return Some(Hit {
                    start: i,
                    end: e,
                    rule: "generic_key",
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_floor_emails_ips_and_generic_keys() {
        let pk = ["pk_", "abcdefghijklmnopqrstuvwx"].concat();
        let mut v = json!({
            "stdout": "mail bob.smith+x@example.co.uk from 10.0.0.12, v1.2.3.4 and 1.2.3.4.5",
            "git": "git@github.com:org/repo.git",
            "alice@example.test": ["192.168.1.1", "999.1.1.1", pk],
        });
        let rules = strict_floor(&mut v);
        assert_eq!(
            v["stdout"],
            "mail [EMAIL] from [IP], v1.2.3.4 and 1.2.3.4.5"
        );
        assert_eq!(v["git"], "[EMAIL]:org/repo.git");
        assert_eq!(
            v["[EMAIL]"],
            json!(["[IP]", "999.1.1.1", "[REDACTED:generic_key]"])
        );
        assert_eq!(rules["email"], 3);
        assert_eq!(rules["ipv4"], 2);
        assert_eq!(rules["generic_key"], 1);
    }

    #[test]
    fn keys_that_are_all_addresses_and_dots_before_an_address_stay() {
        // Every key of the object is an address: each is masked.
        let mut v = json!({"bob@example.com": "x", "10.1.2.3": {"eve@example.org": 1}});
        strict_floor(&mut v);
        assert_eq!(v, json!({"[EMAIL]": "x", "[IP]": {"[EMAIL]": 1}}));
        // Dots before the local part are punctuation, not part of the address.
        let mut v = json!("see ..alice@example.com, or .bob@example.com");
        strict_floor(&mut v);
        assert_eq!(v, "see ..[EMAIL], or .[EMAIL]");
        // Not addresses: no name before the domain's dot, a one-letter or
        // non-alphabetic top-level domain.
        let plain = "a@.com b@example.c d@example.c0m e@host.123 0001.2.3.4 256.1.1.1 \
                     10.0.0.1a 10.0.0.2_x skabcdefghijklmnopqrstuvwxyz, key sk-abc";
        let mut v = json!(plain);
        assert!(strict_floor(&mut v).is_empty());
        assert_eq!(v, plain);
        // An address at the end of a sentence, and the highest one.
        let mut v = json!("from 10.0.0.1. Mask 255.255.255.255");
        strict_floor(&mut v);
        assert_eq!(v, "from [IP]. Mask [IP]");
    }
}
