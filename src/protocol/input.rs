//! Reading the HookInput from stdin (what could not be read is kept by
//! `store::rejects`).
//!
//! stdin is always drained to EOF, even when the input is rejected, because Claude
//! Code turns an unread pipe (EPIPE) into a hook error and loses the hook's answer.

use std::borrow::Cow;
use std::io::Read;

use serde_json::{Map, Value};

use crate::protocol::envelope::HookInput;

/// Inputs larger than this are rejected (kept, size-capped, in the rejects file):
/// Claude Code's own events stay far below it, and the ChromaDB bridge refuses
/// bodies over 10 MB anyway.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// Bytes read from stdin.
pub struct Raw {
    /// At most `MAX_INPUT_BYTES + 1` bytes (one more tells "too large").
    pub bytes: Vec<u8>,
    /// Total bytes that arrived, kept or not.
    pub total: usize,
    /// Set when reading stopped on an I/O error (what was read is still kept).
    pub read_error: Option<String>,
}

/// Why an input is not an event. Each message says what and where.
#[derive(Debug, PartialEq)]
pub enum InputError {
    Empty,
    TooLarge(usize),
    NotUtf8(usize),
    NotJson(String),
    NotObject(&'static str),
    MissingField(&'static str),
    NotAString(&'static str),
    Unreadable(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Empty => write!(f, "stdin was empty; expected one HookInput JSON object"),
            InputError::TooLarge(n) => write!(
                f,
                "stdin held {n} bytes, over the {MAX_INPUT_BYTES}-byte limit for one event"
            ),
            InputError::NotUtf8(at) => write!(f, "stdin is not valid UTF-8 (at byte {at})"),
            InputError::NotJson(e) => write!(f, "stdin is not valid JSON ({e})"),
            InputError::NotObject(kind) => {
                write!(
                    f,
                    "stdin holds a JSON {kind}; expected one HookInput object"
                )
            }
            InputError::MissingField(k) => write!(f, "the HookInput has no `{k}` field"),
            InputError::NotAString(k) => write!(f, "the HookInput's `{k}` is not a string"),
            InputError::Unreadable(e) => write!(f, "stdin could not be read ({e})"),
        }
    }
}

pub fn read_stdin() -> Raw {
    read_all(&mut std::io::stdin().lock())
}

/// Reads to EOF, keeping at most `MAX_INPUT_BYTES + 1` bytes.
pub fn read_all(r: &mut dyn Read) -> Raw {
    // read_to_end fills spare capacity without zeroing it first (a zeroed 64 KB
    // chunk cost 16 page faults per event); Interrupted is retried inside.
    let mut bytes = Vec::with_capacity(16 * 1024);
    let limit = (MAX_INPUT_BYTES + 1) as u64;
    let mut read_error = r
        .take(limit)
        .read_to_end(&mut bytes)
        .err()
        .map(|e| e.to_string());
    let mut total = bytes.len();
    if read_error.is_none() && bytes.len() as u64 == limit {
        match std::io::copy(r, &mut std::io::sink()) {
            Ok(n) => total += n as usize,
            Err(e) => read_error = Some(e.to_string()),
        }
    }
    Raw {
        bytes,
        total,
        read_error,
    }
}

/// Parses one HookInput. Only `session_id` and `hook_event_name` are required.
pub fn parse(raw: &Raw) -> Result<HookInput, InputError> {
    if let Some(e) = &raw.read_error {
        return Err(InputError::Unreadable(e.clone()));
    }
    if raw.total > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(raw.total));
    }
    let text = std::str::from_utf8(&raw.bytes).map_err(|e| InputError::NotUtf8(e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let text = replace_lone_surrogates(text);
    let value: Value =
        serde_json::from_str(&text).map_err(|e| InputError::NotJson(e.to_string()))?;
    let raw = match value {
        Value::Object(map) => map,
        Value::Array(_) => return Err(InputError::NotObject("array")),
        Value::String(_) => return Err(InputError::NotObject("string")),
        Value::Number(_) => return Err(InputError::NotObject("number")),
        Value::Bool(_) => return Err(InputError::NotObject("boolean")),
        Value::Null => return Err(InputError::NotObject("null")),
    };
    let session_id = required(&raw, "session_id")?;
    let hook_event_name = required(&raw, "hook_event_name")?;
    Ok(HookInput {
        session_id,
        hook_event_name,
        raw,
    })
}

/// JSON text with every `\uXXXX` escape of a lone UTF-16 surrogate (a high one
/// not followed by a low one, or a low one on its own) rewritten to `\ufffd`.
/// JavaScript's `JSON.stringify` emits these for a string cut in the middle of an
/// emoji (Claude Code truncates tool output that way), and serde_json rejects
/// them; one replacement character loses less than rejecting the event.
/// Without any `\ud`/`\uD` in the text this is one search and no copy.
pub fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    if !(text.contains("\\ud") || text.contains("\\uD")) {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0; // b[..copied] is in `out` already
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        // Outside strings a backslash is a JSON error anyway; inside, every
        // escape is skipped whole, so `\\ud800` (an escaped backslash) is text.
        if b.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(unit) = hex4(b, i + 2) else {
            i += 2; // a malformed \u escape: left for the parser to report
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => match hex4_escape(b, i + 6) {
                Some(0xDC00..=0xDFFF) => {
                    i += 12; // a valid pair
                    continue;
                }
                _ => true,
            },
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
            o.extend_from_slice(&b[copied..i]);
            o.extend_from_slice(b"\\ufffd");
            copied = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.extend_from_slice(&b[copied..]);
            // Only ASCII escapes were swapped for ASCII escapes.
            Cow::Owned(String::from_utf8(o).expect("still UTF-8"))
        }
    }
}

/// The value of four hex digits at `b[at..at + 4]`.
fn hex4(b: &[u8], at: usize) -> Option<u16> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// The code unit of a `\uXXXX` escape starting at `b[at]`.
fn hex4_escape(b: &[u8], at: usize) -> Option<u16> {
    if b.get(at..at + 2)? != b"\\u" {
        return None;
    }
    hex4(b, at + 2)
}

fn required(map: &Map<String, Value>, key: &'static str) -> Result<String, InputError> {
    match map.get(key) {
        None | Some(Value::Null) => Err(InputError::MissingField(key)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(InputError::MissingField(key)),
        Some(_) => Err(InputError::NotAString(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(b: &[u8]) -> Raw {
        Raw {
            bytes: b.to_vec(),
            total: b.len(),
            read_error: None,
        }
    }

    #[test]
    fn accepts_minimal_and_keeps_unknown_fields() {
        let i = parse(&raw(
            br#"{"session_id":"s","hook_event_name":"FutureEvent","x":{"y":1}}"#,
        ))
        .unwrap();
        assert_eq!(i.hook_event_name, "FutureEvent");
        assert_eq!(i.raw["x"]["y"], 1);
    }

    #[test]
    fn names_each_kind_of_bad_input() {
        assert_eq!(parse(&raw(b"")), Err(InputError::Empty));
        assert_eq!(parse(&raw(b"  \n")), Err(InputError::Empty));
        assert_eq!(parse(&raw(b"[1]")), Err(InputError::NotObject("array")));
        assert!(matches!(
            parse(&raw(b"{\"session_id\":")),
            Err(InputError::NotJson(_))
        ));
        assert_eq!(
            parse(&raw(b"{\"a\":\"\xff\"}")),
            Err(InputError::NotUtf8(6))
        );
        assert_eq!(
            parse(&raw(br#"{"hook_event_name":"Stop"}"#)),
            Err(InputError::MissingField("session_id"))
        );
        assert_eq!(
            parse(&raw(br#"{"session_id":7,"hook_event_name":"Stop"}"#)),
            Err(InputError::NotAString("session_id"))
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fix = |s: &str| replace_lone_surrogates(s).into_owned();
        // JSON.stringify("ab😀".slice(0, 3)), a string cut mid-emoji.
        assert_eq!(fix(r#""ab\ud83d""#), r#""ab\ufffd""#);
        assert_eq!(fix(r#""\udc00x""#), r#""\ufffdx""#);
        assert_eq!(fix(r#""\uD83D\u0041""#), r#""\ufffd\u0041""#);
        assert_eq!(fix(r#""\ud83d\ud83d\ude00""#), r#""\ufffd\ud83d\ude00""#);
        // Valid pairs, escaped backslashes and other escapes are left alone, uncopied.
        for ok in [
            r#""\ud83d\ude00""#,
            r#""\\ud83d""#,
            r#""\u00e9\n""#,
            r#""\ud8""#,
            "plain",
        ] {
            assert!(
                matches!(replace_lone_surrogates(ok), Cow::Borrowed(_)),
                "{ok}"
            );
        }
        let i = parse(&raw(
            br#"{"session_id":"s","hook_event_name":"Stop","t":"ab\ud83d","u":"\udc00"}"#,
        ))
        .unwrap();
        assert_eq!(i.raw["t"], "ab\u{fffd}");
        assert_eq!(i.raw["u"], "\u{fffd}");
    }

    #[test]
    fn reading_caps_memory_but_counts_everything() {
        let big = vec![b' '; MAX_INPUT_BYTES + 5000];
        let r = read_all(&mut &big[..]);
        assert_eq!(r.total, big.len());
        assert_eq!(r.bytes.len(), MAX_INPUT_BYTES + 1);
        assert_eq!(parse(&r), Err(InputError::TooLarge(big.len())));
    }
}
