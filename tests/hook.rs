//! The hook as Claude Code runs it: every captured fixture in, one kept envelope
//! and a valid (empty) answer out; bad input kept and reported, never blocking.

mod support;

use support::*;

#[test]
fn every_fixture_is_kept_once_with_the_fixed_envelope_fields() {
    let env = TestEnv::new("fixtures");
    let fixtures = fixtures();
    assert_eq!(
        fixtures.len(),
        33,
        "one fixture per Claude Code 2.1.330 event"
    );
    for (name, line) in &fixtures {
        let out = env.hook(line);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{name}: no rule, no gate: no output");
    }
    let kept = env.kept();
    assert_eq!(kept.len(), 33);
    for ((name, line), env) in fixtures.iter().zip(&kept) {
        let input: serde_json::Value = serde_json::from_slice(line).unwrap();
        assert_eq!(env["hook_event_name"], name.as_str());
        assert_eq!(env["session_id"], input["session_id"]);
        assert_eq!(env["input"], input, "{name}: input kept verbatim");
        assert_eq!(env["id"].as_str().unwrap().len(), 36);
        assert!(env["ts"].as_str().unwrap().ends_with('Z'));
    }
}

#[test]
fn empty_stdin_is_kept_as_a_reject_and_does_not_block() {
    let env = TestEnv::new("empty");
    let out = env.hook(b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(
        err.contains("empty") && err.contains("rejects.jsonl"),
        "{err}"
    );
    assert_eq!(env.rejects().len(), 1);
}
