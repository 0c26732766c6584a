//! A backend with older events waiting in its spool, through the built binary:
//! a new event never overtakes them (per-backend order), and a gate is still
//! asked live (its answer is needed now), whatever waits behind it.

use serde_json::{Value, json};

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;

/// Two events spooled while `hook` was down, then the backend is back and its
/// breaker's cool-down is over.
fn backlog_of_two(env: &TestEnv) -> Server {
    let port = webhook_down(env, json!({"drain_budget_ms": 5000}));
    for n in 1..=2 {
        assert_exit(&env.hook(&tagged_event(n)), 0);
    }
    assert_eq!(spooled_tags(env, "hook"), [tag(1), tag(2)]);
    let server = backend_back_on(port);
    set_breaker(env, "hook", 0, 0);
    server
}

#[test]
fn a_new_event_is_delivered_after_the_backlog_of_its_backend() {
    let env = TestEnv::new("backlog-order");
    let server = backlog_of_two(&env);
    assert_exit(&env.hook(&tagged_event(3)), 0);
    run_ok(&env, &["flush"]);
    assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3)]);
    assert!(spooled_tags(&env, "hook").is_empty());
}

/// A gate at `port` answering `decision` to every PreToolUse.
fn gate_back_on(port: u16, decision: &'static str) -> Server {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    Server::start_on(listener, move |r| {
        if r.json()["hook_event_name"] != "PreToolUse" {
            return Reply::json(200, "{}");
        }
        Reply::json(
            200,
            &json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "permissionDecision": decision, "permissionDecisionReason": "the gate"}})
            .to_string(),
        )
    })
}

fn pre_tool_use(command: &str) -> Vec<u8> {
    let mut v = fixture("PreToolUse");
    v["tool_input"]["command"] = json!(command);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_gate_with_a_backlog_still_decides_live() {
    for (mode, decision) in [("open", "deny"), ("closed", "allow")] {
        let env = TestEnv::new("backlog-gate");
        let port = crate::testenv::server::dead_port();
        env.write_config(&json!({"delivery": {"deadline_ms": 2000},
            "backends": {"webhooks": [{"name": "gate", "url":
                format!("http://127.0.0.1:{port}/gate"), "gate": {"on_unreachable": mode}}]}}));
        // Down: the event is spooled for it (and its fail mode answers).
        assert_exit(&env.hook(&tagged_event(1)), 0);
        assert_eq!(spooled_tags(&env, "gate"), [tag(1)]);
        let server = gate_back_on(port, decision);
        set_breaker(&env, "gate", 0, 0);
        let out = env.hook(&pre_tool_use("make"));
        assert_exit(&out, 0);
        let v: Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{mode}: {e}: {:?}", stdout(&out)));
        assert_eq!(
            v["hookSpecificOutput"]["permissionDecision"], decision,
            "fail-{mode} gate asked live despite its backlog"
        );
        assert_eq!(
            v["hookSpecificOutput"]["permissionDecisionReason"],
            "the gate"
        );
        drop(server);
    }
}

/// When a hanging backend's cool-down is over, one invocation probes it and the
/// others keep skipping it meanwhile: a burst of hooks pays one deadline, not one
/// each.
#[test]
fn one_probe_while_the_others_skip_a_hanging_backend() {
    use std::time::Duration;
    let env = TestEnv::new("probe-window");
    let server = Server::start(|_| Reply::json(200, "{}").delayed(Duration::from_secs(30)));
    env.write_config(&webhook_config(
        &server.url("/events"),
        json!({"deadline_ms": 1500, "background_drain": false}),
    ));
    // Failed once, cool-down already over: the next invocation probes.
    set_breaker(&env, "hook", 1, now_ms().saturating_sub(1));
    let inputs: Vec<Vec<u8>> = (1..=4).map(tagged_event).collect();
    let outs = crate::testenv::enrich::hooks_at_once(&env, &inputs);
    for out in &outs {
        assert_exit(out, 0);
    }
    assert_eq!(server.received().len(), 1, "one probe, the others skipped");
    assert_eq!(
        spooled_tags(&env, "hook").len(),
        4,
        "every event kept for later"
    );
}
