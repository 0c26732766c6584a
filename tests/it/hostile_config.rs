//! Configs and gates that misbehave (issue 12), through the built binary: fields
//! of the wrong type (the valid parts still work, a broken backend's events wait
//! for the fix), settings out of their bounds, two backends with one name, and
//! fail-closed gates answering invalid decisions.

use std::time::{Duration, Instant};

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::{received_tags, spool_dir, spooled_tags, tag, tagged_event};
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
    // A flush sends nothing twice to the first `a`, nor anything to the second
    // while its name is still taken; it says where those events wait.
    let out = env.run(&["flush"], b"");
    assert_stderr_has(
        &out,
        "holds the events of a backend that is off because its name",
    );
    assert_eq!(first.received().len(), 1);
    assert!(second.received().is_empty());

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

    // Names fixed: the second destination gets what it missed, once.
    env.write_config(&json!({
        "backends": {"webhooks": [
            {"name": "a", "url": first.url("/first")},
            {"name": "b", "url": second.url("/second")}
        ]}
    }));
    let out = env.run(&["flush"], b"");
    assert_exit(&out, 0);
    let got = second.received();
    assert_eq!(got.len(), 1, "{}", stderr(&out));
    assert_eq!(got[0].json()["id"], kept[0]["id"]);
    // (doctor's probe is a GET, not an event)
    let events_to_first = first
        .received()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(events_to_first, 1, "nothing twice to the first");
    env.run(&["flush"], b"");
    assert_eq!(second.received().len(), 1, "nothing twice to the second");
    let leftovers: Vec<String> = std::fs::read_dir(env.data_dir().join("spool"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("held-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn after_a_duplicate_name_is_fixed_the_next_hook_sends_the_held_events_first() {
    let (first, second) = (sink(), sink());
    let env = TestEnv::new("dup-name-hook");
    let hooks = |second_name: &str| {
        json!({
            "delivery": {"drain_budget_ms": 2000},
            "backends": {"webhooks": [
                {"name": "a", "url": first.url("/first")},
                {"name": second_name, "url": second.url("/second")}
            ]}
        })
    };
    env.write_config(&hooks("a"));
    for i in 0..2 {
        assert_exit(&env.hook(&tagged_event(i)), 1);
    }
    env.write_config(&hooks("b"));
    let out = env.hook(&tagged_event(2));
    assert_exit(&out, 0);
    assert_eq!(
        received_tags(&second),
        [tag(0), tag(1), tag(2)],
        "{}",
        stderr(&out)
    );
    assert_eq!(received_tags(&first), [tag(0), tag(1), tag(2)]);
}

/// The `held-…` spools (events of a duplicate name waiting for the fix) on disk.
fn held_spools(env: &TestEnv) -> Vec<String> {
    std::fs::read_dir(env.data_dir().join("spool"))
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("held-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_fixed_duplicate_gets_its_events_while_another_backend_is_still_broken() {
    let (first, second, third) = (sink(), sink(), sink());
    let env = TestEnv::new("dup-name-other-broken");
    let hooks = |second_name: &str| {
        json!({
            "delivery": {"drain_budget_ms": 2000},
            "backends": {"webhooks": [
                {"name": "a", "url": first.url("/first")},
                {"name": second_name, "url": second.url("/second")},
                {"name": "c", "url": third.url("/third"), "api_key": 12345}
            ]}
        })
    };
    env.write_config(&hooks("a"));
    for i in 0..2 {
        assert_exit(&env.hook(&tagged_event(i)), 1);
    }
    assert_eq!(held_spools(&env).len(), 1);
    // The names are fixed; `c` is still broken (and held under its own name).
    env.write_config(&hooks("b"));
    let out = env.hook(&tagged_event(2));
    assert_eq!(
        received_tags(&second),
        [tag(0), tag(1), tag(2)],
        "{}",
        stderr(&out)
    );
    assert!(
        held_spools(&env).is_empty(),
        "the emptied held spool goes with the hook that emptied it"
    );
    assert!(third.received().is_empty());
    assert_eq!(spooled_tags(&env, "c"), [tag(0), tag(1), tag(2)]);
}

#[test]
fn duplicates_with_the_same_url_send_each_event_once() {
    let server = sink();
    let env = TestEnv::new("dup-name-same-url");
    env.write_config(&json!({
        "delivery": {"drain_budget_ms": 2000},
        "backends": {"webhooks": [
            {"name": "a", "url": server.url("/events"), "api_key": "key-one"},
            {"name": "a", "url": server.url("/events"), "api_key": "key-two"}
        ]}
    }));
    for i in 0..3 {
        assert_exit(&env.hook(&tagged_event(i)), 1);
    }
    assert_eq!(
        received_tags(&server),
        [tag(0), tag(1), tag(2)],
        "each event once, by the first `a`"
    );
    assert!(
        server
            .received()
            .iter()
            .all(|r| r.header("x-api-key") == Some("key-one"))
    );
    assert!(
        held_spools(&env).is_empty(),
        "a copy of the first `a` (same URL) is not held: nothing waits for it"
    );
}

#[test]
fn dead_letters_of_a_held_duplicate_stay_visible_after_the_fix() {
    let (first, second) = (sink(), sink());
    let env = TestEnv::new("dup-name-dead-letters");
    // A spool too small for one event: what the duplicate cannot spool goes to
    // its dead letters (nothing is dropped).
    let hooks = |second_name: &str| {
        json!({
            "spool": {"max_bytes": 1024},
            "backends": {"webhooks": [
                {"name": "a", "url": first.url("/first")},
                {"name": second_name, "url": second.url("/second")}
            ]}
        })
    };
    env.write_config(&hooks("a"));
    // One event fits, the next goes to the dead letters.
    assert_exit(&env.hook(&tagged_event(0)), 1);
    let out = env.hook(&tagged_event(1));
    assert_stderr_has(&out, "SPOOL FULL");
    let held = held_spools(&env);
    assert_eq!(held.len(), 1);
    env.write_config(&hooks("b"));
    assert_exit(&env.hook(&tagged_event(2)), 0);
    // The held event first; the new one went behind it, over the tiny cap.
    assert_eq!(received_tags(&second), [tag(0)]);
    let out = env.run(&["dead-letters", "list"], b"");
    let list = stdout(&out);
    assert!(
        list.contains(&format!("{}: 1 dead letter(s)", held[0])),
        "the held spool's dead letter is still listed: {list}{}",
        stderr(&out)
    );
    assert_eq!(
        held_spools(&env),
        held,
        "kept where it is, with its dead letter"
    );
    // Once its dead letters are discarded, the next hook removes what is left.
    assert_exit(&env.run(&["dead-letters", "discard", "--all"], b""), 0);
    env.hook(&tagged_event(3));
    assert!(held_spools(&env).is_empty(), "{:?}", held_spools(&env));
}

/// A config with two sinks, the second with `bad` merged into its entry.
fn two_sinks(good: &Server, broken: &Server, bad: Value) -> Value {
    let mut entry = json!({"name": "broken", "url": broken.url("/broken")});
    for (k, v) in bad.as_object().unwrap() {
        entry[k] = v.clone();
    }
    json!({
        "delivery": {"drain_budget_ms": 2000},
        "backends": {"webhooks": [{"name": "good", "url": good.url("/good")}, entry]}
    })
}

#[test]
fn a_type_error_in_one_backend_costs_only_that_backend_and_flush_delivers_after_the_fix() {
    let (good, broken) = (sink(), sink());
    let env = TestEnv::new("type-error-backend");
    env.write_config(&two_sinks(&good, &broken, json!({"api_key": 12345})));
    let out = env.hook(&tagged_event(0));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_stderr_has(
        &out,
        &format!(
            "config {}: backends.webhooks[1].api_key: expected a string, got the number 12345",
            env.config_path().display()
        ),
    );
    // The valid backend got it live; the broken one's copy waits in its spool.
    assert_eq!(received_tags(&good), [tag(0)]);
    assert!(broken.received().is_empty());
    assert_eq!(spooled_tags(&env, "broken"), [tag(0)], "held for `broken`");
    let held = read_jsonl(&spool_dir(&env, "broken").join("seg-000000000001.jsonl"));
    assert!(
        held[0]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("config error: backends.webhooks[1].api_key: expected a string"),
        "{held:?}"
    );

    // Fixed: `flush` delivers it, once.
    env.write_config(&two_sinks(&good, &broken, json!({"api_key": "12345"})));
    let out = env.run(&["flush"], b"");
    assert_exit(&out, 0);
    assert_eq!(received_tags(&broken), [tag(0)]);
    assert_eq!(broken.received()[0].header("x-api-key"), Some("12345"));
    env.run(&["flush"], b"");
    assert_eq!(received_tags(&broken), [tag(0)]);
    assert_eq!(
        received_tags(&good),
        [tag(0)],
        "nothing twice to the good one"
    );
}

#[test]
fn a_held_backend_keeps_only_the_events_it_selected() {
    // `broken` takes only Stop events; its key has the wrong type, so it is held.
    let (good, broken) = (sink(), sink());
    let env = TestEnv::new("held-selects");
    env.write_config(&two_sinks(
        &good,
        &broken,
        json!({"api_key": 12345, "events": ["Stop"]}),
    ));
    assert_exit(&env.hook(&tagged_event(0)), 1);
    let mut stop: Value = serde_json::from_slice(&tagged_event(1)).unwrap();
    stop["hook_event_name"] = json!("Stop");
    assert_exit(&env.hook(&line(&stop)), 1);
    assert_eq!(
        spooled_tags(&env, "broken"),
        [tag(1)],
        "only the Stop event waits for the fix; the PostToolUse one was never its"
    );
    env.write_config(&two_sinks(
        &good,
        &broken,
        json!({"api_key": "12345", "events": ["Stop"]}),
    ));
    assert_exit(&env.run(&["flush"], b""), 0);
    assert_eq!(received_tags(&broken), [tag(1)]);
    assert_eq!(received_tags(&good), [tag(0), tag(1)]);
}

#[test]
fn after_a_backend_type_error_is_fixed_the_next_hook_sends_the_held_events_first() {
    let (good, broken) = (sink(), sink());
    let env = TestEnv::new("type-error-order");
    // A map where a list is expected.
    env.write_config(&two_sinks(
        &good,
        &broken,
        json!({"events": {"PostToolUse": true}}),
    ));
    for i in 0..2 {
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 1);
        assert_stderr_has(
            &out,
            "backends.webhooks[1].events: expected a list, got an object",
        );
    }
    assert!(broken.received().is_empty());
    env.write_config(&two_sinks(
        &good,
        &broken,
        json!({"events": ["PostToolUse"]}),
    ));
    let out = env.hook(&tagged_event(2));
    assert_exit(&out, 0);
    assert_eq!(
        received_tags(&broken),
        [tag(0), tag(1), tag(2)],
        "held events first, in order: {}",
        stderr(&out)
    );
    assert_eq!(received_tags(&good), [tag(0), tag(1), tag(2)]);
}

#[test]
fn webhooks_written_as_a_map_keep_the_other_backends_working() {
    let (hook, bloodbank) = (sink(), crate::testenv::backends::bloodbank());
    let env = TestEnv::new("webhooks-map");
    let config = |webhooks: Value| {
        json!({"backends": {
            "bloodbank": {"url": bloodbank.url("")},
            "webhooks": webhooks
        }})
    };
    env.write_config(&config(json!({"name": "audit", "url": hook.url("/audit")})));
    let out = env.hook(&line(&fixture("Stop")));
    assert_exit(&out, 1);
    assert_stderr_has(&out, "backends.webhooks: expected a list of webhooks");
    bloodbank.wait_for(1);
    assert_eq!(bloodbank.accepted().len(), 1, "{:?}", bloodbank.refused());
    assert!(hook.received().is_empty());
    env.write_config(&config(
        json!([{"name": "audit", "url": hook.url("/audit")}]),
    ));
    assert_exit(&env.run(&["flush"], b""), 0);
    assert_eq!(hook.received().len(), 1);
    assert_eq!(hook.received()[0].json()["hook_event_name"], "Stop");
}

#[test]
fn a_type_error_in_a_delivery_setting_falls_back_to_its_default() {
    let server = sink();
    let env = TestEnv::new("type-error-deadline");
    env.write_config(&json!({
        "delivery": {"deadline_ms": "1000"},
        "backends": {"webhooks": [{"name": "a", "url": server.url("/a")}]}
    }));
    let out = env.hook(&tagged_event(0));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_stderr_has(
        &out,
        &format!(
            "config {}: delivery.deadline_ms: expected a number of milliseconds, got the string \"1000\"; using the default 1000",
            env.config_path().display()
        ),
    );
    assert_eq!(received_tags(&server), [tag(0)], "delivered live");

    let msg = doctor_config_message(&env);
    assert!(
        msg.contains("delivery.deadline_ms: expected a number of milliseconds"),
        "{msg}"
    );
}

/// `doctor --json`'s config check: an error, and its message.
fn doctor_config_message(env: &TestEnv) -> String {
    let out = env.run(&["doctor", "--json"], b"");
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let config = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "config")
        .unwrap()
        .clone();
    assert_eq!(config["status"], "error", "{config}");
    config["message"].as_str().unwrap().to_string()
}

#[test]
fn doctor_names_a_broken_backend_field() {
    let (good, broken) = (sink(), sink());
    let env = TestEnv::new("doctor-broken-field");
    env.write_config(&two_sinks(
        &good,
        &broken,
        json!({"headers": ["X-Team: a"]}),
    ));
    let msg = doctor_config_message(&env);
    assert!(
        msg.contains("backends.webhooks[1].headers: expected an object, got a list"),
        "{msg}"
    );
}

#[test]
fn a_huge_deadline_is_capped_against_a_hanging_backend() {
    // Answers after two minutes: without a cap the hook would wait for it.
    let hanging = Server::start(|_| Reply::json(200, "{}").delayed(Duration::from_secs(120)));
    let env = TestEnv::new("huge-deadline");
    env.write_config(&json!({
        "delivery": {"deadline_ms": 99999999999u64, "connect_timeout_ms": 99999999999u64},
        "backends": {"webhooks": [{"name": "slow", "url": hanging.url("/slow")}]}
    }));
    let mut child = env.spawn(&[]);
    {
        use std::io::Write;
        let mut sin = child.stdin.take().unwrap();
        sin.write_all(&tagged_event(0)).unwrap();
    }
    // The cap is 10 s; 40 s is a generous bound that still fails without one.
    let (out, _) = wait_or_kill(child, Instant::now(), Duration::from_secs(40), "hook");
    assert_exit(&out, 0);
    assert_stderr_has(
        &out,
        "delivery.deadline_ms: 99999999999 is above the maximum of 10000 milliseconds; using 10000",
    );
    assert_stderr_has(&out, "delivery.connect_timeout_ms");
    assert_stderr_has(&out, "not delivered");
    assert_eq!(spooled_tags(&env, "slow"), [tag(0)]);
}

#[test]
fn a_zero_deadline_is_raised_to_the_minimum_and_delivers() {
    let server = sink();
    let env = TestEnv::new("zero-deadline");
    env.write_config(&json!({
        "delivery": {"deadline_ms": 0},
        "backends": {"webhooks": [{"name": "a", "url": server.url("/a")}]}
    }));
    let out = env.hook(&tagged_event(0));
    assert_exit(&out, 0);
    assert_stderr_has(
        &out,
        "delivery.deadline_ms: 0 is below the minimum of 100 milliseconds; using 100",
    );
    assert_eq!(
        received_tags(&server),
        [tag(0)],
        "delivered live: {}",
        stderr(&out)
    );
    assert!(spooled_tags(&env, "a").is_empty());
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

#[test]
fn a_fail_closed_gate_with_a_broken_field_still_fails_closed_and_gets_the_event_later() {
    let server = gate(json!({}));
    let env = TestEnv::new("gate-broken-closed");
    let config = |api_key: Value| {
        json!({"backends": {"webhooks": [{"name": "sec", "url": server.url("/gate"),
            "api_key": api_key, "gate": {"on_unreachable": "closed"}}]}})
    };
    env.write_config(&config(json!(42)));
    let out = env.hook(&bash("rm -rf build"));
    assert_exit(&out, 1);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let h = &v["hookSpecificOutput"];
    assert_eq!(h["permissionDecision"], "deny", "{v}");
    let reason = h["permissionDecisionReason"].as_str().unwrap();
    assert!(
        reason.contains("gate `sec` was unreachable (config error: backends.webhooks[0].api_key"),
        "{reason}"
    );
    assert!(server.received().is_empty());
    env.write_config(&config(json!("k")));
    assert_exit(&env.run(&["flush"], b""), 0);
    assert_eq!(server.received().len(), 1, "the held event, once fixed");
}
