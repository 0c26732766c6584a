//! Is a string random-looking (a generated credential) rather than a word, an
//! identifier, a hash or a version? Two strengths: `keyed_value_is_random` for a
//! value already under a secret-named key (only has to tell a credential from
//! code or prose), and `generic_secret_at` for a bare string next to a
//! secret-ish word (`generic_secret`), which must also let hex hashes, git
//! SHAs, UUIDs, base64 blobs and package integrity strings through.

use super::detectors::{Hit, is_alnum};
use super::rules::entropy;

/// Upper, lower, digit: which classes occur, and how often the class changes
/// from one character to the next (`aB3` changes twice).
struct Shape {
    upper: usize,
    lower: usize,
    digit: usize,
    transitions: usize,
    /// Lowercase runs of exactly one letter (`SSVmFD`): rare in identifiers.
    lone_lower: usize,
    /// The longest run of one repeated character.
    longest_repeat: usize,
    /// Characters in lowercase runs of 3 or more: the words of an identifier.
    wordy: usize,
}

fn shape(v: &[u8]) -> Shape {
    let class = |c: u8| {
        if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_lowercase() {
            2
        } else if c.is_ascii_digit() {
            3
        } else {
            0
        }
    };
    let mut s = Shape {
        upper: 0,
        lower: 0,
        digit: 0,
        transitions: 0,
        lone_lower: 0,
        longest_repeat: 0,
        wordy: 0,
    };
    let mut repeat = 0;
    let mut lower_run = 0;
    for (i, &c) in v.iter().enumerate() {
        match class(c) {
            1 => s.upper += 1,
            2 => s.lower += 1,
            3 => s.digit += 1,
            _ => {}
        }
        if i > 0 {
            let (a, b) = (class(v[i - 1]), class(c));
            if a != 0 && b != 0 && a != b {
                s.transitions += 1;
            }
            repeat = if v[i - 1] == c { repeat + 1 } else { 1 };
        } else {
            repeat = 1;
        }
        s.longest_repeat = s.longest_repeat.max(repeat);
        let lone = class(c) == 2
            && (i == 0 || class(v[i - 1]) != 2)
            && v.get(i + 1).is_none_or(|&n| class(n) != 2);
        if lone && i > 0 {
            s.lone_lower += 1;
        }
        if class(c) == 2 {
            lower_run += 1;
        } else {
            if lower_run >= 3 {
                s.wordy += lower_run;
            }
            lower_run = 0;
        }
    }
    if lower_run >= 3 {
        s.wordy += lower_run;
    }
    s
}

/// Hex digits (either case) with optional `-` (hashes, git SHAs, UUIDs).
fn is_hexish(v: &[u8]) -> bool {
    let lower = v
        .iter()
        .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f' | b'-'));
    let upper = v
        .iter()
        .all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F' | b'-'));
    lower || upper
}

/// A value under a secret-named key that code-shaped heuristics would take for
/// a word or an identifier but that is random: letters only in random case
/// (`SSVmFDNCFfOHKXQAEckx`), or letters and digits mixed with no word
/// structure. Hex counts here: under a secret key a hex string is a key.
pub(super) fn keyed_value_is_random(v: &[u8]) -> bool {
    if v.len() < 12 || v.len() > 512 {
        return false;
    }
    let s = shape(v);
    let letters = s.upper + s.lower;
    if letters + s.digit < v.len() * 3 / 4 {
        return false; // mostly punctuation: a path, an expression
    }
    // Letters only, both cases: identifiers have lowercase runs of 2+.
    if s.digit == 0 {
        return s.upper > 0 && s.lower > 0 && s.lone_lower >= 2;
    }
    // The longest alphanumeric segment carries the randomness; an identifier
    // split at `_`/`.`/`-` into words does not have one.
    let longest = v
        .split(|c| !is_alnum(*c))
        .max_by_key(|w| w.len())
        .unwrap_or(&[]);
    let w = shape(longest);
    longest.len() >= 12
        && w.digit >= 2
        && w.upper + w.lower >= 2
        && w.transitions >= 4
        && entropy(longest) >= 3.0
}

/// Characters of a generic secret candidate.
fn is_candidate_char(c: u8) -> bool {
    is_alnum(c) || matches!(c, b'-' | b'_' | b'+' | b'/')
}

/// Secret-ish words that make a random-looking string next to them a secret.
const CONTEXT: [&[u8]; 11] = [
    b"key",
    b"token",
    b"secret",
    b"pass",
    b"pwd",
    b"auth",
    b"credential",
    b"api",
    b"bearer",
    b"signature",
    b"private",
];

/// How far before a candidate (same line) a context word may end.
const CONTEXT_WINDOW: usize = 40;

/// A bare random-looking string of 20..=128 characters at `i` (a word start)
/// with a secret-ish word shortly before it on the same line: `my api key is
/// 8f3Kq...`, `--token 8f3Kq...`. Hex, UUIDs, `sha512-` integrity strings,
/// base64 blobs (longer, or wrapped), paths and identifiers are not.
pub(super) fn generic_secret_at(b: &[u8], i: usize) -> Option<Hit<'static>> {
    if i > 0
        && matches!(
            b[i - 1],
            b'/' | b'.' | b'@' | b'#' | b'%' | b'\\' | b'$' | b'-'
        )
    {
        return None; // a path segment, a domain, an anchor, an escape
    }
    let mut e = i;
    while e < b.len() && is_candidate_char(b[e]) {
        e += 1;
    }
    let core_end = e;
    while e < b.len() && b[e] == b'=' && e - core_end < 2 {
        e += 1;
    }
    let t = &b[i..core_end];
    if t.len() < 20 || t.len() > 128 {
        return None;
    }
    // `name=value`, not padding: more text right after the `=`.
    if e > core_end && e < b.len() && (is_alnum(b[e]) || b[e] == b'[') {
        return None;
    }
    // Glued to more text: `name.ext`, `host.domain`, `a/b`, `x@y`, base64 that
    // goes on (`==` then more), a longer word.
    if e < b.len()
        && (is_alnum(b[e]) || matches!(b[e], b'=' | b'@' | b'.' | b':'))
        && b.get(e + 1)
            .is_some_and(|c| is_alnum(*c) || matches!(c, b'/' | b'['))
    {
        return None;
    }
    if is_hexish(t) || t.iter().filter(|c| **c == b'/').count() > 2 {
        return None;
    }
    if t[..3].eq_ignore_ascii_case(b"sha") || t[..3].eq_ignore_ascii_case(b"md5") {
        return None; // `sha512-...` integrity, `sha256...` digests
    }
    // The context first: it is the cheap test that most text fails.
    if !secretish_before(b, i) || digest_label_before(b, i) {
        return None;
    }
    let longest = t
        .split(|c| !is_alnum(*c))
        .max_by_key(|w| w.len())
        .unwrap_or(&[]);
    let s = shape(longest);
    let random = longest.len() >= 16
        && s.digit >= 2
        && s.upper >= 2
        && s.lower >= 2
        && s.transitions * 3 >= longest.len()
        && s.longest_repeat <= 3
        && s.wordy * 2 < longest.len()
        && entropy(longest) >= 3.6;
    if !random {
        return None;
    }
    Some(Hit {
        start: i,
        end: core_end,
        rule: "generic_secret",
    })
}

/// A digest is labelled as one right before it: `sha-256:...`, `md5=`,
/// `thumbprint ...`, `checksum: ...`.
fn digest_label_before(b: &[u8], i: usize) -> bool {
    let window = &b[i.saturating_sub(16)..i];
    [
        &b"sha"[..],
        b"md5",
        b"digest",
        b"hash",
        b"thumbprint",
        b"checksum",
        b"integrity",
        b"fingerprint",
    ]
    .iter()
    .any(|w| window.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

/// A secret-ish word ends within `CONTEXT_WINDOW` bytes before `i`, on its line.
fn secretish_before(b: &[u8], i: usize) -> bool {
    let from = i.saturating_sub(CONTEXT_WINDOW);
    let line_from = b[from..i]
        .iter()
        .rposition(|c| *c == b'\n')
        .map_or(from, |p| from + p + 1);
    let window = &b[line_from..i];
    // Most text has no context word: look for one starting letter first.
    let found = (0..window.len()).rev().find(|&j| {
        matches!(
            window[j] | 0x20,
            b'k' | b't' | b's' | b'p' | b'a' | b'c' | b'b'
        ) && CONTEXT
            .iter()
            .any(|w| window.len() - j >= w.len() && window[j..j + w.len()].eq_ignore_ascii_case(w))
    });
    let Some(j) = found else {
        return false;
    };
    // A marker of an earlier redaction (`[REDACTED:password_assignment]`)
    // is not context: redacting kept text again must find nothing new.
    let at = line_from + j;
    let scan_from = at.saturating_sub(64);
    match b[scan_from..at]
        .windows(10)
        .rposition(|w| w == b"[REDACTED:")
    {
        // The word is inside a marker when no `]` closes it before the word.
        Some(p) => {
            b[scan_from + p..at].contains(&b']') && {
                let after = scan_from
                    + p
                    + b[scan_from + p..at]
                        .iter()
                        .position(|c| *c == b']')
                        .unwrap()
                    + 1;
                secretish_before_from(b, after, i)
            }
        }
        None => true,
    }
}

/// A context word in `b[from..i]` (after a marker that ended at `from`).
fn secretish_before_from(b: &[u8], from: usize, i: usize) -> bool {
    let window = &b[from..i];
    CONTEXT
        .iter()
        .any(|w| window.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_random_values() {
        for v in [
            "SSVmFDNCFfOHKXQAEckx",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12",
            "a8Kd93mZq0Lw2Xv7",
        ] {
            assert!(keyed_value_is_random(v.as_bytes()), "{v}");
        }
        for v in [
            "SecretString",
            "XMLHttpRequest",
            "fetch_token_client",
            "CancelToken",
            "utf8_to_utf16_v2",
            "getHTTPSConnection",
        ] {
            assert!(!keyed_value_is_random(v.as_bytes()), "{v}");
        }
    }

    fn generic(s: &str) -> Option<String> {
        let b = s.as_bytes();
        (0..b.len())
            .filter(|&i| is_candidate_char(b[i]) && (i == 0 || !is_candidate_char(b[i - 1])))
            .find_map(|i| generic_secret_at(b, i))
            .map(|h| s[h.start..h.end].to_string())
    }

    #[test]
    fn generic_needs_randomness_and_context() {
        let secret = "q8Lr2VxZ0mN4bT7kW1sY9dF3";
        assert_eq!(
            generic(&format!("my api key is {secret} ok")).as_deref(),
            Some(secret)
        );
        assert_eq!(
            generic(&format!("--token {secret}")).as_deref(),
            Some(secret)
        );
        // No context word: kept.
        assert_eq!(generic(&format!("build id {secret}")), None);
        for s in [
            "api key 3f786850e387550fdab836ed7e6dc881de23001b",
            "token bec247b5-945b-4438-957d-99b44004f6e2",
            "key integrity sha512-q8Lr2VxZ0mN4bT7kW1sY9dF3q8Lr2VxZ0mN4bT7k==",
            "auth token for HTTPResponseStatusCode2xxHandler",
            "api_key_rotation_handler_v2_for_tokens",
            "secret see https://example.test/q8Lr2VxZ0mN4bT7kW1sY9dF3/x",
            "token file q8Lr2VxZ0mN4bT7kW1sY9dF3.png",
            "KeyShareEntry, NewSessionTicketPayloadTls13,",
            "oauth:jwk-thumbprint:sha-256:DCdRGGDKvhAJgmVlCp6tosc2T9ELtd30S_15vn8bhrI",
        ] {
            assert_eq!(generic(s), None, "{s}");
        }
    }
}
