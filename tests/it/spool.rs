//! Never lose an event: spooling while a backend is down, replay with `flush`,
//! opportunistic draining, the circuit breaker, dead letters, the size cap,
//! torn lines, recovery of killed invocations, and `status`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::spool::*;
use crate::testenv::*;
use serde_json::json;

fn ok() -> Reply {
    Reply::json(200, r#"{"ok":true}"#)
}

#[test]
fn backend_down_for_200_events_then_flush_delivers_each_once_in_order() {
    let env = TestEnv::new("down200");
    let port = webhook_down(&env, json!({}));
    for i in 0..200 {
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "");
    }
    let expected: Vec<String> = (0..200).map(tag).collect();
    assert_eq!(spooled_tags(&env, "hook"), expected, "spooled in order");
    let (st, code) = status_json(&env);
    assert_eq!(code, 3, "events waiting need attention");
    assert_eq!(st["backends"][0]["spool_events"], 200);
    assert_ne!(st["backends"][0]["breaker"], "closed");

    // The backend comes back on the same port.
    let server = backend_back_on(port);
    let out = run_ok(&env, &["flush"]);
    assert_stdout_has(&out, "hook: delivered 200");
    let got = server.received();
    let tags: Vec<String> = got.iter().map(tag_of).collect();
    assert_eq!(tags, expected, "exactly those 200, in order, once each");
    let keys: BTreeSet<&str> = got
        .iter()
        .map(|r| r.header("idempotency-key").unwrap())
        .collect();
    assert_eq!(keys.len(), 200, "one idempotency key per event");
    for r in &got {
        assert_eq!(r.header("idempotency-key").unwrap(), r.json()["id"]);
    }
    assert!(spooled_tags(&env, "hook").is_empty());
    let (st, code) = status_json(&env);
    assert_eq!(code, 0, "{st}");
    assert_eq!(st["backends"][0]["breaker"], "closed");
    assert_eq!(st["backends"][0]["spool_events"], 0);
}

#[test]
fn hundred_concurrent_invocations_with_the_backend_down_spool_hundred_intact_lines() {
    let env = Arc::new(TestEnv::new("concurrent"));
    webhook_down(&env, json!({}));
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let env = Arc::clone(&env);
            std::thread::spawn(move || env.hook(&tagged_event(i)))
        })
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert_exit(&out, 0);
    }
    let lines = raw_spool_lines(&env, "hook");
    assert_eq!(lines.len(), 100);
    let mut tags = BTreeSet::new();
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("every line intact JSON");
        assert!(v["spooled_at"].is_string());
        assert!(v["attempts"].is_u64());
        tags.insert(
            v["envelope"]["input"]["tool_use_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(tags, (0..100).map(tag).collect::<BTreeSet<_>>());
}

#[test]
fn a_healthy_backend_again_drains_the_spool_without_anyone_running_flush() {
    let env = TestEnv::new("drain");
    let port = webhook_down(&env, json!({ "drain_budget_ms": 2000 }));
    for i in 0..5 {
        env.hook(&tagged_event(i));
    }
    assert_eq!(spooled_tags(&env, "hook").len(), 5);
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 1, 0); // cool-down over
    let out = env.hook(&tagged_event(5));
    assert_exit(&out, 0);
    let tags = received_tags(&server);
    assert_eq!(
        tags,
        (0..6).map(tag).collect::<Vec<_>>(),
        "older events first"
    );
    assert!(
        segments(&env, "hook").is_empty(),
        "drained spool is removed"
    );
    // Back to live delivery.
    env.hook(&tagged_event(6));
    assert_eq!(tag_of(server.received().last().unwrap()), tag(6));
}

#[test]
fn flapping_backend_loses_nothing_and_nothing_gets_stuck() {
    let env = TestEnv::new("flap");
    // Every other request fails.
    let (server, accepted) = flaky_backend(
        |n| n % 2 == 1,
        Reply::json(503, r#"{"error":"busy"}"#),
        ok(),
    );
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    for i in 0..30 {
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 0);
        if i % 10 == 9 {
            set_breaker(&env, "hook", 1, 0); // let the next one probe and drain
        }
    }
    let mut flushes = 0;
    loop {
        let out = env.run(&["flush"], b"");
        flushes += 1;
        if out.status.code() == Some(0) {
            break;
        }
        assert_exit(&out, 3);
        assert!(flushes < 100, "stuck: {}", stdout(&out));
    }
    let got: BTreeSet<String> = accepted.lock().unwrap().iter().cloned().collect();
    assert_eq!(got, (0..30).map(tag).collect::<BTreeSet<_>>());
    assert!(spooled_tags(&env, "hook").is_empty());
    assert_eq!(status_json(&env).1, 0);
}

#[test]
fn breaker_only_the_first_invocation_waits_for_a_hanging_backend() {
    let env = TestEnv::new("hang");
    let hang = Arc::new(AtomicBool::new(true));
    let accepted = Arc::new(Mutex::new(Vec::<String>::new()));
    let (h2, acc2) = (hang.clone(), accepted.clone());
    let server = Server::start(move |r| {
        if h2.load(Ordering::SeqCst) {
            ok().delayed(Duration::from_secs(30))
        } else {
            acc2.lock().unwrap().push(tag_of(r));
            ok()
        }
    });
    env.write_config(&webhook_config(
        &server.url("/events"),
        json!({ "deadline_ms": 1000 }),
    ));
    let t = Instant::now();
    let out = env.hook(&tagged_event(0));
    let first = t.elapsed();
    assert_exit(&out, 0);
    assert!(first >= Duration::from_millis(900), "waited {first:?}");
    assert!(
        first < Duration::from_secs(5),
        "gave up at the deadline: {first:?}"
    );
    // The hang opened the breaker. Its first cool-down is short (about 1 s),
    // so the test holds it open for an hour instead of racing the clock: every
    // invocation meanwhile skips the backend, costing far less than the deadline.
    let state = read_json(&breaker_file(&env, "hook"));
    assert_eq!(state["failures"], 1, "{state}");
    set_breaker(&env, "hook", 1, now_ms() + 3_600_000);
    for i in 1..6 {
        let t = Instant::now();
        let out = env.hook(&tagged_event(i));
        let took = t.elapsed();
        assert_exit(&out, 0);
        assert!(
            took < Duration::from_millis(900),
            "invocation {i} should skip the open breaker, not wait for the deadline: {took:?}"
        );
    }
    assert_eq!(
        server.received().len(),
        1,
        "the others never hit the backend"
    );
    hang.store(false, Ordering::SeqCst);
    let out = env.run(&["flush"], b"");
    assert_exit(&out, 0);
    assert_eq!(
        *accepted.lock().unwrap(),
        (0..6).map(tag).collect::<Vec<_>>()
    );
}

#[test]
fn kill_9_at_random_points_during_delivery_and_flush_loses_nothing() {
    use std::os::unix::process::ExitStatusExt;
    let env = TestEnv::new("kill9");
    // Slow replies, so kills land mid-request; one in five fails, so
    // spools, breaker and drains are exercised too.
    let (server, accepted) = flaky_backend(
        |n| n % 5 == 4,
        Reply::json(503, "{}").delayed(Duration::from_millis(30)),
        ok().delayed(Duration::from_millis(60)),
    );
    env.write_config(&webhook_config(
        &server.url("/events"),
        json!({ "drain_budget_ms": 40 }),
    ));
    let inflight = env.state_dir().join("inflight");
    let mut rng = Rng::from_clock("kill9");
    let mut killed = 0;
    let total = 40;
    for i in 0..total {
        // Often end the cool-down early, so the next invocation probes and drains
        // (killed mid-drain) instead of only queueing behind an open breaker.
        if breaker_file(&env, "hook").exists() && rng.below(2) == 0 {
            set_breaker(&env, "hook", 1, 0);
        }
        let mut child = env
            .command(&[])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut sin = child.stdin.take().unwrap();
            sin.write_all(&tagged_event(i)).unwrap();
        }
        // The promise starts once stdin is read; its journal shows that.
        let pid = child.id().to_string();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            let journaled = std::fs::read_dir(&inflight).ok().is_some_and(|rd| {
                rd.flatten().any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .contains(&format!("-{pid}-"))
                        && e.metadata().is_ok_and(|m| m.len() > 0)
                })
            });
            if journaled || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.below(50_000)));
        let _ = child.kill();
        if child.wait().unwrap().signal() == Some(9) {
            killed += 1;
        }
        // Now and then a flush, killed at a random point too.
        if i % 4 == 3 {
            let mut f = env
                .command(&["flush"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_micros(rng.below(100_000)));
            let _ = f.kill();
            if f.wait().unwrap().signal() == Some(9) {
                killed += 1;
            }
        }
    }
    assert!(
        killed >= 12,
        "only {killed} kills landed: the test tested little"
    );
    // Everything not delivered must be recoverable: flush until the spool is empty.
    for _ in 0..50 {
        let out = env.run(&["flush"], b"");
        if out.status.code() == Some(0) {
            break;
        }
    }
    let got = accepted.lock().unwrap().clone();
    let missing: Vec<String> = (0..total).map(tag).filter(|t| !got.contains(t)).collect();
    assert!(missing.is_empty(), "lost after kill -9: {missing:?}");
    assert!(spooled_tags(&env, "hook").is_empty());
}

#[test]
fn an_event_killed_before_enrichment_is_rebuilt_from_its_journal_with_its_id() {
    let env = TestEnv::new("orphan");
    let server = Server::start(|_| ok());
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    let dir = env.state_dir().join("inflight");
    std::fs::create_dir_all(&dir).unwrap();
    let raw = String::from_utf8(tagged_event(7)).unwrap();
    let header = json!({ "id": "11111111-2222-4333-8444-555555555555", "now_ms": 1_795_000_000_000u64, "raw": raw });
    // A header and a torn second line: the invocation died while enriching.
    let mut body = serde_json::to_vec(&header).unwrap();
    body.extend_from_slice(b"\n{\"envelope\":{\"id\"");
    std::fs::write(dir.join("1795000000000-999999-abcd1234.jnl"), body).unwrap();
    let out = run_ok(&env, &["flush"]);
    assert_stdout_has(&out, "recovered 1 event");
    let got = server.received();
    assert_eq!(got.len(), 1);
    let body = got[0].json();
    assert_eq!(body["id"], "11111111-2222-4333-8444-555555555555");
    assert_eq!(body["ts"], "2026-11-18T11:06:40.000Z");
    assert_eq!(body["input"]["tool_use_id"], "t-7");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "journal removed"
    );
}

#[test]
fn refused_events_become_dead_letters_with_the_answer_and_can_be_redriven() {
    let env = TestEnv::new("dead");
    let accept = Arc::new(AtomicBool::new(false));
    let a2 = accept.clone();
    let server = Server::start(move |_| {
        if a2.load(Ordering::SeqCst) {
            ok()
        } else {
            Reply::json(422, r#"{"error":"schema says no"}"#)
        }
    });
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    for i in 0..2 {
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 0);
        assert_stderr_has(&out, "dead-letters");
    }
    let dl = dead_letters(&env, "hook");
    assert_eq!(dl.len(), 2);
    assert_eq!(dl[0]["reason"], "rejected");
    assert!(dl[0]["error"].as_str().unwrap().contains("422"));
    assert!(dl[0]["error"].as_str().unwrap().contains("schema says no"));
    assert!(spooled_tags(&env, "hook").is_empty(), "never retried as-is");

    let (st, code) = status_json(&env);
    assert_eq!(code, 3);
    assert_eq!(st["backends"][0]["dead_letters"], 2);
    assert_eq!(
        st["backends"][0]["breaker"], "closed",
        "a refusal is an answer"
    );
    let text = env.run(&["status"], b"");
    assert_exit(&text, 3);
    assert_stdout_has(&text, "dead letters: 2");

    // Still refused: they stay dead letters (with the new answer).
    let out = env.run(&["flush", "--dead-letters"], b"");
    assert_exit(&out, 3);
    assert_eq!(dead_letters(&env, "hook").len(), 2);
    assert_eq!(dead_letters(&env, "hook")[0]["attempts"], 2);

    accept.store(true, Ordering::SeqCst);
    let before = server.received().len();
    let out = env.run(&["flush", "--dead-letters", "--backend", "hook"], b"");
    assert_exit(&out, 0);
    let tags: Vec<String> = server.received()[before..].iter().map(tag_of).collect();
    assert_eq!(tags, vec![tag(0), tag(1)]);
    assert!(dead_letters(&env, "hook").is_empty());
    assert_eq!(status_json(&env).1, 0);
}

#[test]
fn a_full_spool_overflows_loudly_into_dead_letters_and_nothing_is_dropped() {
    let env = TestEnv::new("cap");
    let port = dead_port();
    let mut config = webhook_config(&format!("http://127.0.0.1:{port}/events"), json!({}));
    config["spool"] = json!({ "max_bytes": 4000 });
    env.write_config(&config);
    let mut warned = 0;
    for i in 0..10 {
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 0);
        if stderr(&out).contains("SPOOL FULL") {
            warned += 1;
        }
    }
    let spooled = spooled_tags(&env, "hook");
    let dl = dead_letters(&env, "hook");
    assert!(
        !spooled.is_empty() && !dl.is_empty(),
        "{spooled:?} / {}",
        dl.len()
    );
    assert_eq!(spooled.len() + dl.len(), 10);
    assert_eq!(warned, dl.len(), "one loud line per overflowed event");
    assert!(dl.iter().all(|d| d["reason"] == "spool full"));
    let (st, code) = status_json(&env);
    assert_eq!(code, 3);
    assert_eq!(st["backends"][0]["spool_full_overflow"], dl.len());

    let server = backend_back_on(port);
    assert_eq!(env.run(&["flush"], b"").status.code(), Some(0));
    assert_eq!(
        env.run(&["flush", "--dead-letters"], b"").status.code(),
        Some(0)
    );
    let got: BTreeSet<String> = server.received().iter().map(tag_of).collect();
    assert_eq!(got, (0..10).map(tag).collect::<BTreeSet<_>>());
}

#[test]
fn a_torn_spool_line_is_skipped_and_counted_never_fatal() {
    let env = TestEnv::new("torn");
    let port = webhook_down(&env, json!({}));
    env.hook(&tagged_event(0));
    // A writer killed mid-line.
    let seg = segments(&env, "hook").pop().unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes.extend_from_slice(br#"{"envelope":{"id":"torn"#);
    std::fs::write(&seg, bytes).unwrap();
    env.hook(&tagged_event(1));
    let server = backend_back_on(port);
    let out = run_ok(&env, &["flush"]);
    assert_stdout_has(&out, "1 torn line(s) skipped");
    let tags = received_tags(&server);
    assert_eq!(tags, vec![tag(0), tag(1)]);
    let (st, _) = status_json(&env);
    assert_eq!(st["backends"][0]["torn_lines_skipped"], 1);
}

#[test]
fn flush_names_an_unknown_backend() {
    let env = TestEnv::new("unknown");
    env.write_config(&webhook_config("http://127.0.0.1:9/x", json!({})));
    let out = env.run(&["flush", "--backend", "nope"], b"");
    assert_exit(&out, 1);
    assert_stderr_has(&out, "no enabled backend named `nope`");
    assert_stderr_has(&out, "hook");
}

#[test]
fn a_million_spooled_events_do_not_slow_an_invocation_down() {
    // Two users, same backend down (breaker open): one with an empty spool, one
    // with 1,000,000 events waiting. Runs alternate so both see the same load.
    let port = dead_port();
    let config = webhook_config(&format!("http://127.0.0.1:{port}/events"), json!({}));
    let (empty, full) = (TestEnv::new("million-empty"), TestEnv::new("million-full"));
    empty.write_config(&config);
    full.write_config(&config);
    // 1,000,000 small lines in 16 MiB segments, as the spool would have them.
    let dir = spool_dir(&full, "hook");
    std::fs::create_dir_all(&dir).unwrap();
    let line = |n: usize| {
        format!(
            "{{\"envelope\":{{\"id\":\"{n:036}\"}},\"attempts\":0,\"spooled_at\":\"2026-11-22T00:00:00.000Z\"}}\n"
        )
    };
    let per_seg = (16 * 1024 * 1024) / line(0).len() + 1;
    let (mut n, mut seq) = (0, 1);
    while n < 1_000_000 {
        let mut buf = String::with_capacity(17 * 1024 * 1024);
        for _ in 0..per_seg.min(1_000_000 - n) {
            buf.push_str(&line(n));
            n += 1;
        }
        std::fs::write(dir.join(format!("seg-{seq:012}.jsonl")), buf).unwrap();
        seq += 1;
    }
    let far = now_ms() + 3_600_000;
    let run = |env: &TestEnv, i: usize| {
        set_breaker(env, "hook", 1, far);
        let t = Instant::now();
        let out = env.hook(&tagged_event(i));
        assert_exit(&out, 0);
        t.elapsed()
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..15 {
        a.push(run(&empty, i));
        b.push(run(&full, i));
    }
    a.sort();
    b.sort();
    let (empty_median, full_median) = (a[7], b[7]);
    assert!(
        full_median <= empty_median * 2 + Duration::from_millis(5),
        "median with an empty spool {empty_median:?}, with 1,000,000 events {full_median:?}"
    );
    // The new events went to the end of the spool, after the million.
    let last = segments(&full, "hook").pop().unwrap();
    let text = std::fs::read_to_string(last).unwrap();
    assert!(
        text.contains("\"tool_use_id\":\"t-14\""),
        "appended at the end"
    );
    assert_eq!(spooled_tags(&full, "hook").len(), 15);
}

#[test]
fn an_unwritable_spool_keeps_the_event_in_its_journal_until_flush_recovers_it() {
    let env = TestEnv::new("unwritable");
    let port = webhook_down(&env, json!({}));
    // A file where the spool directory should be: every spool write fails.
    let blocker = spool_dir(&env, "hook");
    std::fs::create_dir_all(blocker.parent().unwrap()).unwrap();
    std::fs::write(&blocker, b"not a directory").unwrap();
    let out = env.hook(&tagged_event(3));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "could not be written");
    let inflight = env.state_dir().join("inflight");
    assert_eq!(
        std::fs::read_dir(&inflight).unwrap().count(),
        1,
        "journal kept"
    );

    std::fs::remove_file(&blocker).unwrap();
    let server = backend_back_on(port);
    let out = run_ok(&env, &["flush"]);
    assert_stdout_has(&out, "recovered 1 event");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(tag_of(&got[0]), tag(3));
    assert_eq!(std::fs::read_dir(&inflight).unwrap().count(), 0);
}

#[test]
fn status_without_remote_backends_is_healthy_and_says_where_events_go() {
    let env = TestEnv::new("status-local");
    let out = env.run(&["status"], b"");
    assert_exit(&out, 0);
    assert_stdout_has(&out, "kept locally");
    let (st, code) = status_json(&env);
    assert_eq!(code, 0);
    assert_eq!(st["backends"], json!([]));
    assert_eq!(st["attention"], false);
}

#[test]
fn a_gate_with_an_open_breaker_is_unreachable_at_once_and_still_gets_the_event_later() {
    let env = TestEnv::new("gate-open");
    let server = Server::start(|_| ok().delayed(Duration::from_secs(30)));
    env.write_config(&json!({
        "backends": { "webhooks": [ {
            "name": "hook", "url": server.url("/gate"),
            "gate": { "on_unreachable": "open" }
        } ] },
        "delivery": { "deadline_ms": 1000 }
    }));
    set_breaker(&env, "hook", 3, now_ms() + 3_600_000);
    let t = Instant::now();
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 0);
    assert!(
        t.elapsed() < Duration::from_millis(700),
        "{:?}",
        t.elapsed()
    );
    assert!(
        server.received().is_empty(),
        "not asked while its breaker is open"
    );
    assert_eq!(spooled_tags(&env, "hook"), vec![tag(1)]);
}

/// Spawns `hookrelay <args>` (stdin `input`), lets it run for `after`, then
/// kill -9; true when the kill landed (it had not finished by itself).
fn kill_after(env: &TestEnv, args: &[&str], input: &[u8], after: Duration) -> bool {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    let mut child = env
        .command(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input);
    std::thread::sleep(after);
    let _ = child.kill();
    child.wait().unwrap().signal() == Some(9)
}

#[test]
fn repeated_kills_during_replay_re_send_at_most_the_event_in_flight_per_kill() {
    let env = TestEnv::new("dup-bound");
    // Kills must land in the hook's own drain: no background drainer takes over.
    let port = webhook_down(
        &env,
        json!({ "drain_budget_ms": 2000, "background_drain": false }),
    );
    // Enough work that every kill lands mid-replay: 24 kills after at most
    // 120 ms each, at 40 ms a request, drain fewer than 80 events.
    let spooled = 80;
    for i in 0..spooled {
        assert_exit(&env.hook(&tagged_event(i)), 0);
    }
    assert_eq!(spooled_tags(&env, "hook").len(), spooled);
    // Back, answering each request after 40 ms, so kills land mid-replay.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = Server::start_on(listener, |_| ok().delayed(Duration::from_millis(40)));
    let mut rng = Rng::from_clock("dup-bound");
    let (mut kills, mut next) = (0, spooled);
    for round in 0..24 {
        let after = Duration::from_millis(20 + rng.below(100));
        if round % 3 == 2 {
            // A hook whose drain (2 s budget) is killed, its own event with it.
            set_breaker(&env, "hook", 1, 0);
            kills += usize::from(kill_after(&env, &[], &tagged_event(next), after));
            next += 1;
        } else {
            kills += usize::from(kill_after(&env, &["flush"], b"", after));
        }
    }
    assert!(
        kills >= 12,
        "only {kills} kills landed: the test tested little"
    );
    for _ in 0..10 {
        if env.run(&["flush"], b"").status.code() == Some(0) {
            break;
        }
    }
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for t in received_tags(&server) {
        *counts.entry(t).or_default() += 1;
    }
    let missing: Vec<String> = (0..next)
        .map(tag)
        .filter(|t| !counts.contains_key(t))
        .collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    // Each kill can repeat only what was in flight at that moment: one event
    // (the request under way, or the one delivered just before its cursor
    // was saved, or a journaled event that had not been marked done).
    let repeats: usize = counts.values().map(|n| n - 1).sum();
    let worst = counts.values().max().copied().unwrap_or(0);
    assert!(
        repeats <= kills,
        "{repeats} repeated deliveries after {kills} kills (worst event: {worst} times): {counts:?}"
    );
}

#[test]
fn repeated_kills_during_a_dead_letter_re_drive_repeat_at_most_the_letter_in_flight() {
    let env = TestEnv::new("dup-redrive");
    let accept = Arc::new(AtomicBool::new(false));
    let a2 = accept.clone();
    let server = Server::start(move |_| {
        if a2.load(Ordering::SeqCst) {
            // 12 kills after at most 120 ms each, at 40 ms a letter: work is
            // always left, so every kill lands mid-re-drive.
            ok().delayed(Duration::from_millis(40))
        } else {
            Reply::json(422, r#"{"error":"not today"}"#)
        }
    });
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    let letters = 30;
    for i in 0..letters {
        assert_exit(&env.hook(&tagged_event(i)), 0);
    }
    assert_eq!(dead_letters(&env, "hook").len(), letters);
    let before = server.received().len();
    accept.store(true, Ordering::SeqCst);
    let mut rng = Rng::from_clock("dup-redrive");
    let mut kills = 0;
    for _ in 0..12 {
        let after = Duration::from_millis(20 + rng.below(100));
        kills += usize::from(kill_after(&env, &["flush", "--dead-letters"], b"", after));
    }
    assert!(
        kills >= 6,
        "only {kills} kills landed: the test tested little"
    );
    for _ in 0..10 {
        if env.run(&["flush", "--dead-letters"], b"").status.code() == Some(0) {
            break;
        }
    }
    assert!(dead_letters(&env, "hook").is_empty());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for r in &server.received()[before..] {
        *counts.entry(tag_of(r)).or_default() += 1;
    }
    assert_eq!(counts.len(), letters, "every letter delivered: {counts:?}");
    let repeats: usize = counts.values().map(|n| n - 1).sum();
    assert!(
        repeats <= kills,
        "{repeats} repeated deliveries after {kills} kills: {counts:?}"
    );
}

/// A probe killed before it could report (Claude Code's timeout, a closed
/// laptop) does not leave the breaker open: after the probe window (the
/// deadline plus a second) the next invocation probes again.
#[test]
fn a_probe_killed_before_it_reports_expires() {
    let env = TestEnv::new("stuck-probe");
    let hang = Arc::new(AtomicBool::new(true));
    let h2 = hang.clone();
    let server = Server::start(move |_| {
        if h2.load(Ordering::SeqCst) {
            ok().delayed(Duration::from_secs(30))
        } else {
            ok()
        }
    });
    env.write_config(&webhook_config(
        &server.url("/events"),
        json!({ "deadline_ms": 1000, "background_drain": false }),
    ));
    set_breaker(&env, "hook", 1, now_ms().saturating_sub(1));
    // The probe hangs on the backend and is killed mid-request.
    assert!(kill_after(
        &env,
        &[],
        &tagged_event(1),
        Duration::from_millis(500)
    ));
    assert_eq!(server.received().len(), 1);
    hang.store(false, Ordering::SeqCst);
    // Within the window the others still skip it...
    assert_exit(&env.hook(&tagged_event(2)), 0);
    assert_eq!(
        server.received().len(),
        1,
        "skipped while the probe may run"
    );
    // ...and after it (1 s deadline + 1 s), the next one probes and delivers.
    std::thread::sleep(Duration::from_millis(2_600));
    assert_exit(&env.hook(&tagged_event(3)), 0);
    assert!(
        received_tags(&server).contains(&tag(3)),
        "probed again: {:?}",
        received_tags(&server)
    );
}
