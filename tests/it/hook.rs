//! The hook as Claude Code runs it: every captured fixture in, one kept envelope
//! and a valid (empty) answer out; bad input kept and reported, never blocking.

use crate::testenv::*;

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
    assert_exit(&out, 1);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(
        err.contains("empty") && err.contains("rejects.jsonl"),
        "{err}"
    );
    assert_eq!(env.rejects().len(), 1);
}

/// Each bad input: exit 1 (never 2), nothing on stdout, one stderr line naming
/// the problem and the rejects file, and the raw bytes kept there.
fn assert_rejected(env: &TestEnv, input: &[u8], says: &str) -> serde_json::Value {
    let before = env.rejects().len();
    let out = env.hook(input);
    assert_eq!(out.status.code(), Some(1), "{says}: {}", stderr(&out));
    assert_eq!(stdout(&out), "", "{says}: stdout stays empty");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.contains(says), "expected {says:?} in {err}");
    assert!(
        err.contains("rejects.jsonl"),
        "says where the input was kept: {err}"
    );
    let rejects = env.rejects();
    assert_eq!(rejects.len(), before + 1);
    assert!(env.kept().is_empty(), "nothing kept as an event");
    rejects.last().unwrap().clone()
}

#[test]
fn bad_inputs_are_kept_as_rejects_with_one_line_and_exit_1() {
    let env = TestEnv::new("bad");
    let r = assert_rejected(&env, b"hello, not json", "not valid JSON");
    assert_eq!(r["raw"], "hello, not json");
    assert_rejected(
        &env,
        br#"[{"session_id":"s","hook_event_name":"Stop"}]"#,
        "JSON array",
    );
    let r = assert_rejected(
        &env,
        br#"{"session_id":"s","hook_event_name":"St"#,
        "not valid JSON",
    );
    assert_eq!(r["raw"], r#"{"session_id":"s","hook_event_name":"St"#);
    let r = assert_rejected(
        &env,
        b"{\"session_id\":\"s\xff\xfe\",\"hook_event_name\":\"Stop\"}",
        "not valid UTF-8",
    );
    // Kept as (redacted) text, invalid bytes replaced: never base64 of raw bytes.
    assert_eq!(
        r["raw"],
        "{\"session_id\":\"s\u{fffd}\u{fffd}\",\"hook_event_name\":\"Stop\"}"
    );
    assert_eq!(r["lossy"], true);
    assert!(r.get("raw_base64").is_none());
    assert_rejected(
        &env,
        br#"{"hook_event_name":"Stop","cwd":"/x"}"#,
        "no `session_id`",
    );
    assert_rejected(
        &env,
        br#"{"session_id":"s","cwd":"/x"}"#,
        "no `hook_event_name`",
    );
}

#[test]
fn an_input_over_64_mib_is_drained_and_kept_size_capped() {
    let env = TestEnv::new("huge");
    let mut big =
        br#"{"session_id":"s","hook_event_name":"PostToolUse","tool_response":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 65 * 1024 * 1024));
    big.extend_from_slice(b"\"}");
    let r = assert_rejected(&env, &big, "over the 67108864-byte limit");
    assert_eq!(r["bytes"], big.len());
    assert_eq!(r["kept_bytes"], 1024 * 1024, "kept, but capped");
}

#[test]
fn unknown_future_events_and_fields_are_kept_verbatim() {
    let env = TestEnv::new("future");
    let line = br#"{"session_id":"s-future","hook_event_name":"SomeFutureEvent","new_field":{"nested":[1,2,{"x":null}]}}"#;
    let out = env.hook(line);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["hook_event_name"], "SomeFutureEvent");
    assert_eq!(
        kept[0]["input"]["new_field"]["nested"][2]["x"],
        serde_json::Value::Null
    );
}

#[test]
fn a_broken_config_still_keeps_the_event_and_says_so_without_blocking() {
    let env = TestEnv::new("brokencfg");
    let p = env.config_path();
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, b"{ this is not json").unwrap();
    let out = env.hook(&fixtures()[0].1);
    assert_eq!(out.status.code(), Some(1), "non-blocking error");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains(&p.display().to_string()) && err.contains("not valid JSON"),
        "{err}"
    );
    assert!(err.contains("event kept in"), "{err}");
    assert_eq!(env.kept().len(), 1, "the event is still kept locally");
}

#[test]
fn usage_errors_never_exit_2() {
    let env = TestEnv::new("usage");
    let out = env.run(&["--no-such-flag"], &fixtures()[0].1);
    assert_eq!(out.status.code(), Some(1), "exit 2 would block the session");
}

#[test]
fn a_bad_backend_url_disables_only_that_backend_and_policy_still_applies() {
    let env = TestEnv::new("partialcfg");
    env.write_config(&serde_json::json!({
        "backends": {"webhooks": [{"url": "not a url"}]},
        "policy": {"rules": [{"name": "no-rm", "tool": "Bash", "command": "rm -rf /", "decision": "deny", "reason": "never"}]}
    }));
    let mut pre = fixture("PreToolUse");
    pre["tool_input"]["command"] = "rm -rf / --no-preserve-root".into();
    let out = env.hook(&serde_json::to_vec(&pre).unwrap());
    assert_eq!(
        out.status.code(),
        Some(1),
        "the broken part is reported: {}",
        stderr(&out)
    );
    assert_stderr_has(&out, "backends.webhooks[0].url");
    let answer: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("the deny still comes out");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    assert_eq!(
        env.kept().len(),
        1,
        "kept locally while a backend is misconfigured"
    );
}
