//! The rejects file `<data>/rejects.jsonl`: inputs that could not be read as an
//! event, size-capped, one JSON line each, so nothing Claude Code sent is lost
//! even when it is not an event. What is kept is the REDACTED input: this layer
//! is below redaction, so the caller (`commands::hook`) redacts the text that
//! `scan_text` gives it and passes the result to `keep_reject`. Raw bytes never
//! reach the file (no base64 of bytes that could hide a secret).

use serde_json::Value;

use crate::protocol::input::{InputError, Raw};
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::util::clock;

/// How much of a rejected input is kept (after redaction).
pub const REJECT_KEEP_BYTES: usize = 1024 * 1024;

/// How much of a rejected input is redacted: more than is kept, so a secret that
/// straddles the cut is found whole and cut only as its `[REDACTED:…]` marker.
pub const REJECT_SCAN_BYTES: usize = REJECT_KEEP_BYTES + 64 * 1024;

/// The start of a rejected input as text, for the caller to redact: at most
/// `REJECT_SCAN_BYTES`, bytes that are not UTF-8 replaced by U+FFFD (so they
/// can be scanned, and never stored as they came). `true` when something was
/// replaced; a character cut at the end of the window is dropped, not replaced.
/// The text is the whole input when `complete` says so (then it may parse).
pub fn scan_text(raw: &Raw) -> ScanText {
    let window = &raw.bytes[..raw.bytes.len().min(REJECT_SCAN_BYTES)];
    let complete = window.len() == raw.total;
    let (text, lossy) = match std::str::from_utf8(window) {
        Ok(s) => (s.to_owned(), false),
        Err(e) if e.error_len().is_none() && !complete => {
            // Only the last character is cut by the window.
            let ok = &window[..e.valid_up_to()];
            (String::from_utf8_lossy(ok).into_owned(), false)
        }
        Err(_) => (String::from_utf8_lossy(window).into_owned(), true),
    };
    ScanText {
        text,
        lossy,
        complete,
    }
}

/// See `scan_text`.
pub struct ScanText {
    pub text: String,
    /// Bytes that were not UTF-8 were replaced.
    pub lossy: bool,
    /// The text holds the whole input.
    pub complete: bool,
}

/// Keeps a rejected input's redacted text (size-capped) and returns the one
/// problem line to report (`error::report` adds the `hookrelay: ` prefix).
pub fn keep_reject(
    paths: &Paths,
    raw: &Raw,
    redacted: &str,
    lossy: bool,
    err: &InputError,
) -> String {
    let kept = truncate_bytes(redacted, REJECT_KEEP_BYTES);
    let mut record = serde_json::json!({
        "ts": clock::rfc3339_ms(clock::now_ms()),
        "reason": err.to_string(),
        "bytes": raw.total,
        "kept_bytes": kept.len(),
        "raw": kept,
    });
    if lossy {
        record["lossy"] = Value::Bool(true);
    }
    let file = paths.rejects_file();
    let line = serde_json::to_vec(&record).expect("json");
    match jsonl::append_line(&file, &line) {
        Ok(()) => format!(
            "{err}; input kept in {} (session not blocked)",
            file.display()
        ),
        Err(e) => format!(
            "{err}; could not keep the input in {} ({e}) (session not blocked)",
            file.display()
        ),
    }
}

/// At most `max` bytes of `s`, cut on a character boundary.
fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(bytes: &[u8], total: usize) -> Raw {
        Raw {
            bytes: bytes.to_vec(),
            total,
            read_error: None,
        }
    }

    #[test]
    fn not_utf8_is_replaced_and_a_cut_character_dropped() {
        let t = scan_text(&raw(b"a\xffb", 3));
        assert_eq!(
            (t.text.as_str(), t.lossy, t.complete),
            ("a\u{fffd}b", true, true)
        );
        let mut long = vec![b'x'; REJECT_SCAN_BYTES - 1];
        long.extend_from_slice("é".as_bytes());
        let t = scan_text(&raw(&long, long.len() + 10));
        assert_eq!(t.text.len(), REJECT_SCAN_BYTES - 1);
        assert!(!t.lossy && !t.complete);
    }

    #[test]
    fn a_complete_input_ending_in_a_cut_character_is_marked_lossy() {
        let t = scan_text(&raw(b"ab\xe2", 3));
        assert_eq!((t.text.as_str(), t.lossy), ("ab\u{fffd}", true));
    }

    fn kept(text: &str) -> serde_json::Value {
        let dir = crate::store::testdir::TempDir::new("rejects");
        let paths = dir.paths();
        let bytes = text.as_bytes();
        let input = raw(bytes, bytes.len());
        let window = scan_text(&input);
        let redactor =
            crate::redact::Redactor::new(&crate::redact::RedactionConfig::default()).unwrap();
        let (redacted, _) = redactor.redact_str(&window.text);
        keep_reject(&paths, &input, &redacted, window.lossy, &InputError::Empty);
        let line = std::fs::read_to_string(paths.rejects_file()).unwrap();
        serde_json::from_str(line.trim()).unwrap()
    }

    #[test]
    fn a_secret_across_the_keep_cut_is_redacted_before_the_cut() {
        let token = ["ghp_", "1234567890abcdefghijABCDEFGHIJ123456"].concat();
        let text = format!("{}{token} tail", "x ".repeat((REJECT_KEEP_BYTES - 10) / 2));
        let record = kept(&text);
        let raw = record["raw"].as_str().unwrap();
        assert!(
            !raw.contains("ghp_"),
            "the token's start was kept: {}",
            &raw[raw.len() - 40..]
        );
        assert!(raw.len() <= REJECT_KEEP_BYTES);
    }

    #[test]
    fn the_kept_text_is_cut_on_a_character_boundary_within_the_cap() {
        let text = format!("{}{}", "x".repeat(REJECT_KEEP_BYTES - 1), "é".repeat(10));
        let record = kept(&text);
        assert_eq!(record["kept_bytes"], REJECT_KEEP_BYTES - 1);
        assert_eq!(record["raw"].as_str().unwrap().len(), REJECT_KEEP_BYTES - 1);
    }
}
