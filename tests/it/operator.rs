//! Telling the operator the truth (issue 13, items 3, 4 and 8), through the built
//! binary against strict fakes: a configuration-class refusal (wrong URL, wrong
//! key) holds events in the spool and is said on every event it holds, a fix
//! takes effect on the next event (no cool-down of the old destination), a
//! refusal is no success in `status`, and URLs or variables written slightly
//! off (a trailing slash, a bad value) never cost a backend its events.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::testenv::backends as contract;
use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::spool::{received_tags, spool_dir, tag, tagged_event};
use crate::testenv::*;

/// `hookrelay status --json`, parsed; the entry of `backend`.
fn status_of(env: &TestEnv, backend: &str) -> Value {
    let out = env.run(&["status", "--json"], b"");
    let doc: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    doc["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == backend)
        .unwrap_or_else(|| panic!("no {backend} in {doc}"))
        .clone()
}

/// The lines of the hook's stderr that mention `backend`.
fn lines_about(out: &std::process::Output, backend: &str) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.contains(&format!("{backend}:")))
        .map(str::to_string)
        .collect()
}

fn dead_letters(env: &TestEnv, backend: &str) -> usize {
    let f = spool_dir(env, backend).join("dead-letters.jsonl");
    if f.exists() { read_jsonl(&f).len() } else { 0 }
}

fn webhook(url: &str) -> Value {
    json!({
        "backends": {"webhooks": [{"name": "hook", "url": url, "api_key": "k-fake-1"}]},
        "delivery": {"drain_budget_ms": 2000}
    })
}

#[test]
fn a_webhook_answering_404_holds_events_says_so_every_time_and_a_fixed_url_delivers_at_once() {
    let fake = contract::webhook(Some("k-fake-1"), None);
    let env = TestEnv::new("op-404");
    env.write_config(&webhook(&fake.url("/wrong-path")));

    // The live attempt and every event behind the open breaker: held, said.
    for n in 1..=3 {
        let out = env.hook(&tagged_event(n));
        assert_exit(&out, 0);
        let lines = lines_about(&out, "hook");
        assert_eq!(lines.len(), 1, "event {n}: one line: {}", stderr(&out));
        let l = &lines[0];
        assert!(
            l.contains("held: 404")
                && l.contains("check the webhook's url")
                && l.contains("hookrelay flush"),
            "event {n}: {l}"
        );
    }
    assert_eq!(
        dead_letters(&env, "hook"),
        0,
        "a wrong URL is not the event's fault"
    );
    let s = status_of(&env, "hook");
    assert_eq!(s["spool_events"], 3, "{s}");
    assert!(s["held"].as_str().unwrap().contains("404"), "{s}");
    assert!(
        s["waiting_reason"]
            .as_str()
            .unwrap()
            .starts_with("held: 404"),
        "{s}"
    );
    assert!(s["last_error"].as_str().unwrap().contains("404"), "{s}");
    assert!(s["last_failure"].is_string(), "{s}");
    assert!(s["last_success"].is_null(), "nothing was delivered: {s}");
    let text = stdout(&env.run(&["status"], b""));
    assert!(text.contains("waiting: held: 404"), "{text}");

    // The URL is fixed: the very next event goes out, after the held ones, at
    // once (the old URL's breaker is still cooling down).
    env.write_config(&webhook(&fake.url("/events")));
    let out = env.hook(&tagged_event(4));
    assert_exit(&out, 0);
    assert!(lines_about(&out, "hook").is_empty(), "{}", stderr(&out));
    let accepted: Vec<String> = fake
        .server
        .received()
        .iter()
        .filter(|r| r.path == "/events")
        .map(crate::testenv::spool::tag_of)
        .collect();
    assert_eq!(
        accepted,
        [tag(1), tag(2), tag(3), tag(4)],
        "all: {:?}",
        received_tags(&fake.server)
    );
    let s = status_of(&env, "hook");
    assert_eq!(
        (s["spool_events"].as_u64(), &s["held"]),
        (Some(0), &Value::Null)
    );
    assert!(s["last_success"].is_string(), "{s}");
    assert!(s["last_error"].is_null(), "the error is over: {s}");
    assert!(s["waiting_reason"].is_null(), "{s}");
}

#[test]
fn a_rejected_chroma_key_from_the_environment_is_named_and_a_fixed_key_delivers_the_backlog() {
    let fake = contract::chroma(Some("zo-right-key"));
    let mut env = TestEnv::new("op-key");
    env.set_env("ZO_EVENT_ENDPOINT", &fake.url("/ingest"));
    env.set_env("ZO_API_KEY", "zo-wrong-key");
    env.write_config(&json!({"delivery": {"drain_budget_ms": 2000}}));
    for n in 1..=2 {
        let out = env.hook(&tagged_event(n));
        assert_exit(&out, 0);
        let l = lines_about(&out, "chroma").join("\n");
        assert!(
            l.contains("held: 401") && l.contains("$ZO_API_KEY") && !l.contains("zo-wrong-key"),
            "event {n}: {l}"
        );
    }
    assert_eq!(dead_letters(&env, "chroma"), 0);
    let s = status_of(&env, "chroma");
    assert!(
        s["waiting_reason"].as_str().unwrap().contains("ZO_API_KEY"),
        "{s}"
    );
    // The breaker file knows the destination by a hash only, never the key.
    let breaker = std::fs::read_to_string(env.state_dir().join("breakers/chroma.json")).unwrap();
    assert!(
        !breaker.contains("zo-wrong-key") && breaker.contains("fingerprint"),
        "{breaker}"
    );

    // Same URL, right key: a new destination, tried on the next event.
    let mut env = env;
    env.env.retain(|(k, _)| k != "ZO_API_KEY");
    env.set_env("ZO_API_KEY", "zo-right-key");
    let out = env.hook(&tagged_event(3));
    assert_exit(&out, 0);
    assert!(lines_about(&out, "chroma").is_empty(), "{}", stderr(&out));
    let ids: Vec<String> = fake
        .server
        .received()
        .iter()
        .filter(|r| r.header("x-api-key") == Some("zo-right-key"))
        .map(|r| {
            r.json()["data"]["tool_use_id"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(ids, [tag(1), tag(2), tag(3)]);
    assert_eq!(status_of(&env, "chroma")["spool_events"], 0);
}

#[test]
fn an_orgloop_404_is_a_wrong_source_id_and_is_held_not_dead_lettered() {
    let fake = contract::orgloop(None);
    let env = TestEnv::new("op-orgloop");
    env.write_config(&json!({
        "backends": {"orgloop": {"url": fake.url("/webhook/no-such-source")}}
    }));
    let out = env.hook(&fixture_line("SessionEnd"));
    assert_exit(&out, 0);
    let l = lines_about(&out, "orgloop").join("\n");
    assert!(l.contains("held: 404") && l.contains("source id"), "{l}");
    assert_eq!(dead_letters(&env, "orgloop"), 0);
    assert_eq!(status_of(&env, "orgloop")["spool_events"], 1);
}

#[test]
fn a_routine_outage_stays_quiet_behind_the_breaker() {
    let env = TestEnv::new("op-quiet");
    let port = dead_port();
    env.write_config(&webhook(&format!("http://127.0.0.1:{port}/events")));
    let first = env.hook(&tagged_event(1));
    assert_eq!(lines_about(&first, "hook").len(), 1, "{}", stderr(&first));
    let second = env.hook(&tagged_event(2));
    assert_exit(&second, 0);
    assert_eq!(stderr(&second), "", "a skip behind the breaker is routine");
    let s = status_of(&env, "hook");
    assert!(s["held"].is_null(), "{s}");
    assert!(
        s["waiting_reason"]
            .as_str()
            .unwrap()
            .starts_with("breaker open"),
        "{s}"
    );
}

#[test]
fn a_refusal_in_a_drain_is_recorded_as_such_and_only_a_delivery_is_a_success() {
    let env = TestEnv::new("op-refusal");
    let port = dead_port();
    env.write_config(&webhook(&format!("http://127.0.0.1:{port}/events")));
    env.hook(&tagged_event(1));
    env.hook(&tagged_event(2));
    let s = status_of(&env, "hook");
    assert!(
        s["last_error"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{s}"
    );

    // Back, but refusing every event as invalid (422).
    let accept = Arc::new(AtomicBool::new(false));
    let a = accept.clone();
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let _server = Server::start_on(listener, move |_| {
        if a.load(Ordering::SeqCst) {
            Reply::json(200, r#"{"ok":true}"#)
        } else {
            Reply::json(422, r#"{"error":"field x is invalid"}"#)
        }
    });
    let out = env.run(&["flush"], b"");
    assert!(stderr(&out).contains("422"), "{}", stderr(&out));
    assert_eq!(dead_letters(&env, "hook"), 2);
    let s = status_of(&env, "hook");
    assert!(s["last_success"].is_null(), "a refusal is no success: {s}");
    assert!(s["last_refusal"].as_str().unwrap().contains("422"), "{s}");
    assert!(s["last_refusal_at"].is_string(), "{s}");
    assert!(s["last_error"].is_null(), "the backend answered: {s}");
    assert_eq!(s["breaker"], "closed", "{s}");

    // A real delivery is.
    accept.store(true, Ordering::SeqCst);
    assert_exit(&env.hook(&tagged_event(3)), 0);
    let s = status_of(&env, "hook");
    assert!(s["last_success"].is_string(), "{s}");
    let text = stdout(&env.run(&["status"], b""));
    assert!(text.contains("last refusal (dead letter): 422"), "{text}");
}

#[test]
fn bloodbank_url_with_a_trailing_slash_works_from_the_environment_and_the_file() {
    let fake = contract::bloodbank();
    let mut env = TestEnv::new("op-slash-env");
    env.set_env("BLOODBANK_ENABLED", "true");
    env.set_env("BLOODBANK_URL", &format!("{}/", fake.url("")));
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "");
    fake.wait_for(1);
    assert_eq!(fake.accepted(), ["/events/claude-code/tool-action"]);

    let env = TestEnv::new("op-slash-file");
    env.write_config(&json!({"backends": {"bloodbank": {"url": format!("{}/", fake.url(""))}}}));
    assert_exit(&env.hook(&tagged_event(2)), 0);
    fake.wait_for(2);
    assert_eq!(fake.accepted().len(), 2, "{:?}", fake.refused());
}

#[test]
fn a_bad_environment_value_holds_its_backends_events_and_names_the_variable() {
    let fake = contract::bloodbank();
    let mut env = TestEnv::new("op-env-held");
    env.set_env("BLOODBANK_ENABLED", "true");
    env.set_env("BLOODBANK_URL", "localhost:8682");
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("environment variable $BLOODBANK_URL") && err.contains("(environment)"),
        "where the value came from: {err}"
    );
    assert!(!err.contains("fix the file"), "{err}");
    assert_eq!(
        status_of(&env, "bloodbank")["spool_events"],
        1,
        "held, not dropped"
    );
    let doctor = env.run(&["doctor"], b"");
    let report = stdout(&doctor) + &stderr(&doctor);
    assert!(!report.contains("no remote backend configured"), "{report}");
    assert!(
        report.contains("held") && report.contains("BLOODBANK_URL"),
        "{report}"
    );

    // Fixed: the held event goes first, then the new one.
    let mut env = env;
    env.env.retain(|(k, _)| k != "BLOODBANK_URL");
    env.set_env("BLOODBANK_URL", &fake.url(""));
    env.write_config(&json!({"delivery": {"drain_budget_ms": 2000}}));
    let out = env.hook(&tagged_event(2));
    assert_exit(&out, 0);
    fake.wait_for(2);
    let tags: Vec<String> = fake
        .server
        .received()
        .iter()
        .map(|r| {
            r.json()["tool_input"]["command"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(tags, ["echo 1", "echo 2"], "{:?}", fake.refused());
}

#[test]
fn a_held_backend_probed_through_its_drain_is_said_again() {
    let fake = contract::webhook(Some("k-right-2"), None);
    let env = TestEnv::new("op-probe");
    env.write_config(&json!({
        "backends": {"webhooks": [{"name": "hook", "url": fake.url("/events"), "api_key": "k-wrong-2"}]},
        "delivery": {"drain_budget_ms": 2000}
    }));
    let first = env.hook(&tagged_event(1));
    assert!(
        stderr(&first).contains("hook: held: 401"),
        "{}",
        stderr(&first)
    );
    // After the first cool-down (at most 1.2 s), the next event queues behind
    // the held one and the drain tries the head again: still refused, still said.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let second = env.hook(&tagged_event(2));
    assert_exit(&second, 0);
    let l = lines_about(&second, "hook");
    assert_eq!(l.len(), 1, "{}", stderr(&second));
    assert!(
        l[0].contains("held: 401") && l[0].contains("$HOOK_API_KEY"),
        "{}",
        l[0]
    );
    assert_eq!(fake.server.received().len(), 2, "the probe was made");
    assert_eq!(dead_letters(&env, "hook"), 0);
}
