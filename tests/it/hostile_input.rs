//! Input a real producer may send that is not tidy JSON over a tidy pipe, through
//! the built binary: lone UTF-16 surrogates (JavaScript's `JSON.stringify` of a
//! string cut mid-emoji), stdin left open after the event, stdout closed before
//! the answer is written. None may lose the event, hang or crash the hook.

use crate::testenv::*;

/// A Stop event whose `last_text` is raw JSON string text (escapes and all),
/// spliced in byte for byte as a JavaScript producer writes it.
fn stop_with_text(json_string: &str) -> Vec<u8> {
    format!(r#"{{"session_id":"s-hostile","hook_event_name":"Stop","last_text":{json_string}}}"#)
        .into_bytes()
}

#[test]
fn lone_surrogates_from_javascript_are_kept_as_replacement_characters() {
    let env = TestEnv::new("surrogates");
    // The exact bytes JSON.stringify("ab😀".slice(0, 3)) yields: a lone high
    // surrogate; then a lone low one; then a high one before a non-surrogate.
    let cases = [
        (r#""ab\ud83d""#, "ab\u{fffd}"),
        (r#""\udc00 tail""#, "\u{fffd} tail"),
        (r#""x\uD83D\u0041""#, "x\u{fffd}A"),
        (r#""ok \ud83d\ude00""#, "ok \u{1f600}"),
    ];
    for (i, (json_string, want)) in cases.iter().enumerate() {
        let out = env.hook(&stop_with_text(json_string));
        assert_exit(&out, 0);
        let kept = env.kept();
        assert_eq!(kept.len(), i + 1, "{json_string}: event kept");
        assert_eq!(kept[i]["input"]["last_text"], *want, "{json_string}");
    }
    assert!(env.rejects().is_empty(), "nothing rejected");
}
