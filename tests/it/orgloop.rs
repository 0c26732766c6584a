//! OrgLoop as the real service showed it (issue 14.3), through the built binary
//! against the strict fake: a session whose last turn failed is sent as failed,
//! nothing a subagent does ends the session, counters the wired events cannot
//! tell are left out (never zeros), tool calls count once, the shipped fragment
//! wires what the counters need, the environment alone can select start and turn
//! events and fills in what a file section leaves unset. Plus the event id every
//! HTTP backend carries (`Idempotency-Key`, Bloodbank's `tags`) across a replay.

use std::time::Duration;

use crate::testenv::backends::{self as contract, Contract, orgloop_platform_event};
use crate::testenv::*;
use serde_json::{Value, json};

const SID: &str = "5d0c1a7e-9b3f-4e21-8c6d-2f4a7b9e1c30";
const SECRET: &str = "whsec-fake-14-3";

/// The fixture of `event`, moved into session `SID`, with `extra` fields set
/// (`null` removes one).
fn event(name: &str, extra: Value) -> Vec<u8> {
    let mut v = fixture(name);
    v["session_id"] = json!(SID);
    for (k, x) in extra.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    serde_json::to_vec(&v).unwrap()
}

fn tool(name: &str, id: &str, tool: &str) -> Vec<u8> {
    event(name, json!({"tool_use_id": id, "tool_name": tool}))
}

/// Runs the hook on each line: every one exits 0 with nothing on stderr.
fn run_all(env: &TestEnv, lines: &[Vec<u8>]) {
    for line in lines {
        let out = env.hook(line);
        let what = String::from_utf8_lossy(&line[..line.len().min(120)]).into_owned();
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{what}");
    }
}

fn orgloop_env(tag: &str, ol: &Contract, events: Value) -> TestEnv {
    let env = TestEnv::new(tag);
    env.write_config(&json!({"backends": {"orgloop": {
        "url": ol.url("/webhook/claude-code"), "secret": SECRET, "events": events}}}));
    env
}

fn bodies(ol: &Contract) -> Vec<Value> {
    assert!(ol.refused().is_empty(), "refused: {:?}", ol.refused());
    ol.server.received().iter().map(|r| r.json()).collect()
}

#[test]
fn a_session_whose_last_turn_failed_ends_failed() {
    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-failed", &ol, json!(["SessionEnd"]));
    run_all(
        &env,
        &[
            event("SessionStart", json!({})),
            event("UserPromptSubmit", json!({})),
            event("StopFailure", json!({"error": "rate_limit"})),
            event("SessionEnd", json!({})),
        ],
    );
    let got = bodies(&ol);
    assert_eq!(got.len(), 1, "SessionEnd only");
    assert_eq!(got[0]["exit_status"], 1);
    assert_eq!(orgloop_platform_event(&got[0]), "session.failed");
    assert_eq!(got[0]["meta"]["error"], "rate_limit");
    assert_eq!(
        got[0]["summary"], "API Error: 400 fake server: scripted error",
        "the failed turn's message"
    );

    // A failed turn followed by one that ended well: completed.
    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-recovered", &ol, json!(["SessionEnd"]));
    run_all(
        &env,
        &[
            event("StopFailure", json!({})),
            event("Stop", json!({})),
            event("SessionEnd", json!({})),
        ],
    );
    let got = bodies(&ol);
    assert_eq!(orgloop_platform_event(&got[0]), "session.completed");
    assert!(got[0]["meta"].get("error").is_none());
}

#[test]
fn nothing_a_subagent_does_completes_the_session() {
    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-subagent", &ol, json!(["*"]));
    let agent = "a4b7c3313463e8750";
    run_all(
        &env,
        &[
            event("SubagentStart", json!({"agent_id": agent})),
            event("SubagentStop", json!({"agent_id": agent})),
            event("Stop", json!({"agent_id": agent})),
            event("StopFailure", json!({"agent_id": agent})),
        ],
    );
    assert!(
        ol.server.received().is_empty(),
        "nothing sent for a subagent: {:?}",
        bodies(&ol)
    );
    // The main thread's turn end still is.
    run_all(&env, &[event("Stop", json!({"agent_id": null}))]);
    let got = bodies(&ol);
    assert_eq!(got.len(), 1);
    assert!(got[0]["meta"].get("agent_id").is_none());
}

#[test]
fn counters_the_wired_events_cannot_tell_are_left_out() {
    // The old fragment: SessionStart and SessionEnd only.
    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-unknown", &ol, json!(["SessionEnd"]));
    run_all(
        &env,
        &[
            event("SessionStart", json!({})),
            event("SessionEnd", json!({})),
        ],
    );
    let got = bodies(&ol);
    let m = &got[0]["meta"];
    for k in ["turns", "tool_calls", "tools"] {
        assert!(m.get(k).is_none(), "{k} sent although unknown: {m}");
    }
    assert!(got[0].get("summary").is_none(), "no Stop seen, no summary");
    assert!(
        got[0]["duration_seconds"].is_number(),
        "SessionStart was seen"
    );
    assert_eq!(m["events"], 2);

    // SessionEnd alone: not even the duration is known.
    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-end-only", &ol, json!(["SessionEnd"]));
    run_all(&env, &[event("SessionEnd", json!({}))]);
    assert!(bodies(&ol)[0].get("duration_seconds").is_none());
}

#[test]
fn the_shipped_fragment_wires_what_the_counters_need_and_tool_calls_count_once() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/settings.orgloop.json");
    let fragment = read_json(&path);
    let wired: Vec<&str> = fragment["hooks"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for needed in [
        "SessionStart",
        "UserPromptSubmit",
        "PostToolUse",
        "PostToolUseFailure",
        "Stop",
        "StopFailure",
        "SessionEnd",
    ] {
        assert!(wired.contains(&needed), "{needed} not wired: {wired:?}");
    }

    let ol = contract::orgloop(Some(SECRET));
    let env = orgloop_env("ol-counters", &ol, json!(["SessionEnd"]));
    run_all(
        &env,
        &[
            event("SessionStart", json!({})),
            event("UserPromptSubmit", json!({"prompt_id": "p-1"})),
            // A PreToolUse wired on top (another tool's fragment) and its
            // PostToolUse: one call, not two.
            tool("PreToolUse", "toolu_a", "Bash"),
            tool("PostToolUse", "toolu_a", "Bash"),
            tool("PostToolUse", "toolu_b", "Bash"),
            tool("PostToolUseFailure", "toolu_c", "Read"),
            event("Stop", json!({"last_assistant_message": "All three done."})),
            event("UserPromptSubmit", json!({"prompt_id": "p-2"})),
            event("Stop", json!({"last_assistant_message": "Nothing to do."})),
            event("SessionEnd", json!({})),
        ],
    );
    let got = bodies(&ol);
    assert_eq!(got.len(), 1);
    let m = &got[0]["meta"];
    assert_eq!(m["turns"], 2);
    assert_eq!(m["tool_calls"], 3, "{m}");
    assert_eq!(m["tools"], json!({"Bash": 2, "Read": 1}));
    assert_eq!(got[0]["summary"], "Nothing to do.");
    assert_eq!(orgloop_platform_event(&got[0]), "session.completed");
}

#[test]
fn the_environment_alone_selects_start_and_turn_events() {
    let ol = contract::orgloop(Some(SECRET));
    let mut env = TestEnv::new("ol-env-events");
    env.set_env("ORGLOOP_WEBHOOK_URL", &ol.url("/webhook/claude-code"));
    env.set_env("CLAUDE_CODE_WEBHOOK_SECRET", SECRET);
    env.set_env("ORGLOOP_EVENTS", "SessionStart,Stop,SessionEnd");
    run_all(
        &env,
        &[
            event("SessionStart", json!({})),
            event("UserPromptSubmit", json!({})),
            event("Stop", json!({})),
            event("SessionEnd", json!({})),
        ],
    );
    let got = bodies(&ol);
    let kinds: Vec<&str> = got
        .iter()
        .map(|b| b["meta"]["hook_event_name"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["SessionStart", "Stop", "SessionEnd"]);
    assert_eq!(orgloop_platform_event(&got[0]), "session.started");

    // A typo is said, naming the variable.
    env.set_env("ORGLOOP_EVENTS", "SessionEnd,stop");
    let out = env.hook(&event("Stop", json!({})));
    assert_stderr_has(&out, "$ORGLOOP_EVENTS");
    assert_stderr_has(&out, "`Stop`");
}

#[test]
fn a_file_section_takes_from_the_environment_what_it_does_not_set() {
    let ol = contract::orgloop(Some(SECRET));
    let mut env = TestEnv::new("ol-file-env");
    env.set_env("ORGLOOP_WEBHOOK_URL", &ol.url("/webhook/claude-code"));
    env.set_env("CLAUDE_CODE_WEBHOOK_SECRET", SECRET);
    env.set_env("ORGLOOP_EVENTS", "Stop,SessionEnd");
    // The section sets only send_start: URL, secret and events come from the
    // environment (it used to replace the environment as a whole: no URL, no
    // secret, SessionEnd only).
    env.write_config(&json!({"backends": {"orgloop": {"send_start": true}}}));
    run_all(
        &env,
        &[
            event("SessionStart", json!({})),
            event("Stop", json!({})),
            event("SessionEnd", json!({})),
        ],
    );
    assert_eq!(ol.accepted().len(), 3, "refused: {:?}", ol.refused());

    // What the file does set wins over the environment.
    let other = contract::orgloop(Some("whsec-from-the-file"));
    env.write_config(&json!({"backends": {"orgloop": {
        "url": other.url("/webhook/claude-code"), "secret": "whsec-from-the-file"}}}));
    run_all(&env, &[event("SessionEnd", json!({}))]);
    assert_eq!(other.accepted().len(), 1, "refused: {:?}", other.refused());
    assert_eq!(
        ol.server.received().len(),
        3,
        "nothing more to the env's URL"
    );
}

#[test]
fn every_http_backend_carries_the_event_id_as_idempotency_key() {
    let (bb, ch, ol, wh) = (
        contract::bloodbank(),
        contract::chroma(None),
        contract::orgloop(None),
        contract::webhook(None, None),
    );
    let env = TestEnv::new("idem-all");
    env.write_config(&json!({"backends": {
        "bloodbank": {"url": bb.url("")},
        "chroma": {"endpoint": ch.url("/ingest")},
        "orgloop": {"url": ol.url("/webhook/claude-code")},
        "webhooks": [{"url": wh.url("/events")}]
    }}));
    run_all(&env, &[event("SessionEnd", json!({}))]);
    let id = wh.server.received()[0].json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (c, name) in [
        (&bb, "bloodbank"),
        (&ch, "chroma"),
        (&ol, "orgloop"),
        (&wh, "webhook"),
    ] {
        assert!(c.refused().is_empty(), "{name}: {:?}", c.refused());
        assert_eq!(c.idempotency_keys(), [id.as_str()], "{name}");
    }
    assert_eq!(ch.server.received()[0].json()["event_id"], id.as_str());
    assert_eq!(
        ol.server.received()[0].json()["meta"]["hookrelay_event_id"],
        id.as_str()
    );
}

#[test]
fn a_bloodbank_repeat_can_be_told_by_the_event_id_it_published() {
    // A hung Bloodbank publishes, then never answers: hookrelay abandons the
    // request at its deadline and keeps the event; the replay publishes it again.
    let hung = contract::bloodbank_with(Duration::from_secs(5));
    let env = TestEnv::new("bb-repeat");
    let config = |url: String| json!({"delivery": {"deadline_ms": 300}, "backends": {"bloodbank": {"url": url}}});
    env.write_config(&config(hung.url("")));
    let out = env.hook(&tool("PostToolUse", "toolu_r", "Bash"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    hung.wait_for(1);

    let healthy = contract::bloodbank();
    env.write_config(&config(healthy.url("")));
    let out = env.run(&["flush"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    healthy.wait_for(1);

    let messages: Vec<Value> = hung
        .published()
        .into_iter()
        .chain(healthy.published())
        .collect();
    assert_eq!(messages.len(), 2, "published twice (at least once)");
    let tags: Vec<&Value> = messages.iter().map(|m| &m["event"]["tags"]).collect();
    assert_eq!(tags[0], tags[1], "the repeat carries the same id");
    let tag = tags[0][0]
        .as_str()
        .expect("tags kept in the published message");
    let id = tag.strip_prefix("hookrelay-event-id:").expect(tag);
    assert_eq!(id.len(), 36);
    assert_eq!(hung.idempotency_keys(), [id]);
    assert_eq!(healthy.idempotency_keys(), [id]);
}
