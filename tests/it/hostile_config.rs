//! Configs and gates that misbehave (issue 12), through the built binary: two
//! backends with one name, and fail-closed gates answering invalid decisions.

use crate::testenv::server::{Reply, Server};
use crate::testenv::*;
use serde_json::{Value, json};

fn line(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// A loopback backend that takes every event.
fn sink() -> Server {
    Server::start(|_| Reply::json(200, "{}"))
}

#[test]
fn a_duplicate_backend_name_is_a_config_error_and_no_event_is_lost() {
    let (first, second) = (sink(), sink());
    let env = TestEnv::new("dup-name");
    env.write_config(&json!({
        "backends": {"webhooks": [
            {"name": "a", "url": first.url("/first")},
            {"name": "a", "url": second.url("/second")}
        ]}
    }));
    let out = env.hook(&line(&fixture("Stop")));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_stderr_has(
        &out,
        "backends.webhooks[1].name: \"a\" is already the name of backends.webhooks[0]; give each backend its own name",
    );
    assert_stderr_has(&out, "event kept in");
    // The first `a` has the event, once; the duplicate is off until fixed.
    assert_eq!(first.received().len(), 1);
    assert!(second.received().is_empty());
    // The event is kept locally, to be re-sent once the names are fixed.
    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["hook_event_name"], "Stop");
    // A flush sends nothing twice to the first `a`.
    env.run(&["flush"], b"");
    assert_eq!(first.received().len(), 1);

    let out = env.run(&["doctor", "--json"], b"");
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let config: Vec<&Value> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "config")
        .collect();
    assert_eq!(config.len(), 1, "{v}");
    assert_eq!(config[0]["status"], "error");
    let msg = config[0]["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "backends.webhooks[1].name: \"a\" is already the name of backends.webhooks[0]"
        ),
        "{msg}"
    );
}

#[test]
fn a_webhook_named_like_a_builtin_backend_is_a_config_error() {
    let (chroma, hook) = (sink(), sink());
    let env = TestEnv::new("dup-builtin");
    env.write_config(&json!({
        "backends": {
            "chroma": {"endpoint": chroma.url("/ingest")},
            "webhooks": [{"name": "chroma", "url": hook.url("/hook")}]
        }
    }));
    let out = env.hook(&line(&fixture("Stop")));
    assert_exit(&out, 1);
    assert_stderr_has(
        &out,
        "backends.webhooks[0].name: \"chroma\" is already the name of backends.chroma",
    );
    assert_eq!(chroma.received().len(), 1);
    assert!(hook.received().is_empty());
    assert_eq!(env.kept().len(), 1);
}

/// A gate answering `answer` to every event.
fn gate(answer: Value) -> Server {
    let body = answer.to_string();
    Server::start(move |_| Reply::json(200, &body))
}

fn gate_env(tag: &str, url: &str, mode: &str) -> TestEnv {
    let env = TestEnv::new(tag);
    env.write_config(&json!({
        "local": {"enabled": true},
        "delivery": {"deadline_ms": 2000},
        "backends": {"webhooks": [{"name": "a", "url": url,
            "gate": {"on_unreachable": mode}}]}
    }));
    env
}

fn bash(command: &str) -> Vec<u8> {
    let mut v = fixture("PreToolUse");
    v["tool_input"]["command"] = json!(command);
    line(&v)
}

#[test]
fn a_fail_closed_gate_denies_on_an_invalid_permission_decision() {
    let server = gate(json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
        "permissionDecision": "Deny", "permissionDecisionReason": "no"}}));
    let env = gate_env("gate-bad-closed", &server.url("/gate"), "closed");
    let out = env.hook(&bash("rm -rf build"));
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let h = &v["hookSpecificOutput"];
    assert_eq!(h["hookEventName"], "PreToolUse");
    assert_eq!(h["permissionDecision"], "deny");
    let reason = h["permissionDecisionReason"].as_str().unwrap();
    assert!(
        reason.contains(
            "gate `a` answered an invalid hookSpecificOutput.permissionDecision \"Deny\""
        ) && reason.contains("fails closed"),
        "{reason}"
    );
    assert_stderr_has(&out, "permissionDecision");
    assert_eq!(env.kept()[0]["decision"]["by"], json!(["gate:a"]));
    assert_eq!(env.kept()[0]["decision"]["outcome"], "deny");
}

#[test]
fn a_fail_closed_gate_blocks_a_prompt_on_an_invalid_decision() {
    let server = gate(json!({"decision": "maybe"}));
    let env = gate_env("gate-maybe-closed", &server.url("/gate"), "closed");
    let out = env.hook(&line(&fixture("UserPromptSubmit")));
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["decision"], "block");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.contains("gate `a` answered an invalid decision \"maybe\""),
        "{reason}"
    );
}

#[test]
fn a_fail_open_gate_with_an_invalid_decision_allows_as_before() {
    let server = gate(json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
        "permissionDecision": "Deny"}, "decision": "maybe"}));
    let env = gate_env("gate-bad-open", &server.url("/gate"), "open");
    let out = env.hook(&bash("ls"));
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "", "no opinion: the tool is allowed");
    assert_stderr_has(&out, "dropped `hookSpecificOutput.permissionDecision`");
    let out = env.hook(&line(&fixture("UserPromptSubmit")));
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
}
