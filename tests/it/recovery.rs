//! Recovery that needs no one (issue 13.5), through the built binary: once a
//! backend is back, ordinary hook invocations hand its backlog to a detached
//! background drainer (`hookrelay drain`, hidden), which empties it in order,
//! each event once, without holding any hook; a backlog of a backend the current
//! event does not go to drains too; `flush` waits briefly for a backend that
//! answers 503 right after a restart instead of giving up at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;

/// Fills `hook`'s spool with events `t-1` .. `t-<n>`, written directly (a
/// thousand hook runs would take the test's whole time) from one real spool
/// line that a hook wrote while the backend was down, each with its own id.
fn spool_n(env: &TestEnv, n: usize) {
    assert_exit(&env.hook(&tagged_event(0)), 0);
    let lines = raw_spool_lines(env, "hook");
    assert_eq!(lines.len(), 1, "the down backend's event is spooled");
    let template: Value = serde_json::from_str(&lines[0]).unwrap();
    let mut text = String::new();
    for i in 1..=n {
        let mut line = template.clone();
        line["envelope"]["id"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
        line["envelope"]["input"]["tool_use_id"] = json!(tag(i));
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    let seg = segments(env, "hook").remove(0);
    std::fs::write(seg, text).unwrap();
    assert_eq!(spooled_tags(env, "hook").len(), n);
}

/// Waits up to `limit` for `server` to have received `n` requests.
fn wait_for(server: &Server, n: usize, limit: Duration) -> Duration {
    let t0 = Instant::now();
    while server.received().len() < n && t0.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    t0.elapsed()
}

/// A hook run, timed from spawn to exit (as Claude Code waits for it: the
/// harness also waits for EOF on stdout and stderr).
fn timed_hook(env: &TestEnv, event: &[u8]) -> Duration {
    let t0 = Instant::now();
    assert_exit(&env.hook(event), 0);
    t0.elapsed()
}

#[test]
fn a_backlog_of_1000_drains_within_10_s_of_recovery_from_three_ordinary_hooks() {
    let env = TestEnv::new("recovery-1000");
    let port = webhook_down(&env, json!({}));
    spool_n(&env, 1000);
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 0, 0);

    // The backend is back: three ordinary hooks, default settings (50 ms drain
    // budget, which alone replays a few dozen events per hook at best).
    let back = Instant::now();
    let took: Vec<Duration> = (1001..=1003)
        .map(|i| timed_hook(&env, &tagged_event(i)))
        .collect();
    let waited = wait_for(&server, 1003, Duration::from_secs(10) - back.elapsed());
    let received = received_tags(&server);
    assert_eq!(
        received.len(),
        1003,
        "{} of 1003 events delivered {:?} after the backend came back",
        received.len(),
        back.elapsed()
    );
    assert_eq!(
        received,
        (1..=1003).map(tag).collect::<Vec<_>>(),
        "in order, each once (one drainer at a time)"
    );
    assert!(spooled_tags(&env, "hook").is_empty());
    // No hook waited for the drainer: each took about what a hook without a
    // backlog takes (generous bound for a debug build on a busy machine; the
    // drain alone took `waited` after them).
    for (i, t) in took.iter().enumerate() {
        assert!(
            *t < Duration::from_secs(1),
            "hook {} took {t:?} (drain finished {waited:?} after the hooks)",
            i + 1
        );
    }
    let (st, _) = status_json(&env);
    assert_eq!(st["backends"][0]["spool_events"], 0);
    assert_eq!(st["backends"][0]["breaker"], "closed");
}

#[test]
fn the_hook_neither_waits_for_its_drainer_nor_takes_it_down_on_exit() {
    let env = TestEnv::new("recovery-detached");
    let port = webhook_down(&env, json!({}));
    spool_n(&env, 100);
    // Slow (30 ms an event): the drain takes at least 3 s.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = Server::start_on(listener, |_| {
        Reply::json(200, "{}").delayed(Duration::from_millis(30))
    });
    set_breaker(&env, "hook", 0, 0);
    let took = timed_hook(&env, &tagged_event(101));
    let at_exit = server.received().len();
    assert!(
        at_exit < 50 && took < Duration::from_millis(1500),
        "the hook took {took:?} and returned after {at_exit} of 100 events: it waited"
    );
    wait_for(&server, 101, Duration::from_secs(20));
    assert_eq!(
        received_tags(&server),
        (1..=101).map(tag).collect::<Vec<_>>(),
        "the drainer went on after the hook exited"
    );
}

#[test]
fn with_background_drain_off_only_the_hooks_own_budget_drains() {
    let env = TestEnv::new("recovery-off");
    let port = webhook_down(
        &env,
        json!({"background_drain": false, "drain_budget_ms": 0}),
    );
    spool_n(&env, 50);
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 0, 0);
    assert_exit(&env.hook(&tagged_event(51)), 0);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        received_tags(&server),
        [tag(1)],
        "one event per hook at budget 0, nothing in the background"
    );
}

#[test]
fn a_backlog_of_a_backend_this_event_does_not_go_to_drains_too() {
    // Like OrgLoop's default: the backend takes SessionEnd only, so ordinary
    // events never route to it; its backlog must not wait for a session to end.
    let env = TestEnv::new("recovery-other");
    let port = webhook_down(&env, json!({}));
    spool_n(&env, 200);
    let mut config = webhook_config(&format!("http://127.0.0.1:{port}/events"), json!({}));
    config["backends"]["webhooks"][0]["events"] = json!(["SessionEnd"]);
    env.write_config(&config);
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 0, 0);
    assert_exit(&env.hook(&tagged_event(201)), 0);
    wait_for(&server, 200, Duration::from_secs(10));
    assert_eq!(
        received_tags(&server),
        (1..=200).map(tag).collect::<Vec<_>>()
    );

    // While its breaker is open (cool-down running), no drainer is started.
    let env = TestEnv::new("recovery-other-open");
    let port = webhook_down(&env, json!({}));
    spool_n(&env, 5);
    let mut config = webhook_config(&format!("http://127.0.0.1:{port}/events"), json!({}));
    config["backends"]["webhooks"][0]["events"] = json!(["SessionEnd"]);
    env.write_config(&config);
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 3, now_ms() + 3_600_000);
    assert_exit(&env.hook(&tagged_event(6)), 0);
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.received().is_empty(), "the breaker is respected");
}

#[test]
fn the_drainer_stops_when_the_backend_fails_again_and_keeps_the_rest() {
    let env = TestEnv::new("recovery-fails");
    let port = webhook_down(&env, json!({}));
    spool_n(&env, 300);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    // Takes 100 events, then answers 503 to everything.
    let n = AtomicUsize::new(0);
    let server = Server::start_on(listener, move |_| {
        if n.fetch_add(1, Ordering::SeqCst) < 100 {
            Reply::json(200, "{}")
        } else {
            Reply::json(503, r#"{"error":"broker gone"}"#)
        }
    });
    set_breaker(&env, "hook", 0, 0);
    assert_exit(&env.hook(&tagged_event(301)), 0);
    wait_for(&server, 101, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        server.received().len(),
        101,
        "one failed request, then the drainer stops (no retry storm)"
    );
    let left = spooled_tags(&env, "hook");
    assert_eq!(
        left.first(),
        Some(&tag(101)),
        "the failed event stays at the head"
    );
    assert_eq!(left.len(), 201);
    let (st, _) = status_json(&env);
    assert_eq!(
        st["backends"][0]["breaker"], "open",
        "the failure is recorded"
    );
}

#[test]
fn flush_waits_for_a_backend_that_answers_503_right_after_coming_back() {
    let env = TestEnv::new("recovery-flush-503");
    let port = webhook_down(&env, json!({"background_drain": false}));
    spool_n(&env, 20);
    // Back, but for its first 2.5 s it answers 503 (a broker still reconnecting).
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let up = Instant::now();
    let server = Server::start_on(listener, move |_| {
        if up.elapsed() < Duration::from_millis(2500) {
            Reply::json(503, r#"{"error":"not connected to the broker"}"#)
        } else {
            Reply::json(200, "{}")
        }
    });
    let out = env.run(&["flush"], b"");
    assert_exit(&out, 0);
    assert_stdout_has(&out, "hook: 503, retrying in 1 s (1 s of 10 s)");
    assert_stdout_has(&out, "hook: delivered 20, 0 spooled left");
    let tags = received_tags(&server);
    assert_eq!(
        tags.last(),
        Some(&tag(20)),
        "all delivered once it was ready"
    );

    // `--retry-for 0` gives up at once, as before.
    let env = TestEnv::new("recovery-flush-0");
    let port = webhook_down(&env, json!({"background_drain": false}));
    spool_n(&env, 2);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let _server = Server::start_on(listener, |_| Reply::json(503, "{}"));
    let t0 = Instant::now();
    let out = env.run(&["flush", "--retry-for", "0"], b"");
    assert_exit(&out, 3);
    assert!(!stdout(&out).contains("retrying"), "{}", stdout(&out));
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn flush_against_a_backend_still_down_gives_up_within_its_retry_window() {
    let env = TestEnv::new("recovery-flush-down");
    webhook_down(&env, json!({"background_drain": false}));
    spool_n(&env, 2);
    let t0 = Instant::now();
    let out = env.run(&["flush", "--retry-for", "3"], b"");
    let took = t0.elapsed();
    assert_exit(&out, 3);
    assert_stdout_has(&out, "hook: connection refused, retrying in 1 s");
    assert_stdout_has(&out, "2 spooled left");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "bounded by --retry-for 3: {took:?}"
    );
}
