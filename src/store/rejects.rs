//! The rejects file `<data>/rejects.jsonl`: inputs that could not be read as an
//! event, size-capped, one JSON line each, so nothing Claude Code sent is lost
//! even when it is not an event.

use base64::Engine;
use serde_json::Value;

use crate::protocol::input::{InputError, Raw};
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::util::clock;

/// How much of a rejected input is kept.
pub const REJECT_KEEP_BYTES: usize = 1024 * 1024;

/// Keeps a rejected input (size-capped) and returns the one problem line to
/// report (`error::report` adds the `hookrelay: ` prefix).
pub fn keep_reject(paths: &Paths, raw: &Raw, err: &InputError) -> String {
    let kept = &raw.bytes[..raw.bytes.len().min(REJECT_KEEP_BYTES)];
    let mut record = serde_json::json!({
        "ts": clock::rfc3339_ms(clock::now_ms()),
        "reason": err.to_string(),
        "bytes": raw.total,
        "kept_bytes": kept.len(),
    });
    // Kept losslessly: as text when it is UTF-8, else as base64.
    match std::str::from_utf8(kept) {
        Ok(s) => record["raw"] = Value::String(s.to_owned()),
        Err(_) => record["raw_base64"] = Value::String(base64(kept)),
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

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
