//! Replaying a spool, through the built binary: the hook's drain keeps to its
//! budget yet always makes progress, a replayed event the backend refuses goes to
//! the dead letters and is reported, and a spool that spans several segment files
//! replays whole and in order.

use std::time::Duration;

use serde_json::json;

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;

/// `n` events spooled while `hook` was down; then it is back on the same port
/// answering with `answer` (after `delay`), its breaker's cool-down over.
fn backlog(
    env: &TestEnv,
    n: usize,
    delivery: serde_json::Value,
    answer: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> Server {
    let port = webhook_down(env, delivery);
    for i in 1..=n {
        assert_exit(&env.hook(&tagged_event(i)), 0);
    }
    assert_eq!(spooled_tags(env, "hook").len(), n);
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = Server::start_on(listener, move |r| answer(&tag_of(r)));
    set_breaker(env, "hook", 0, 0);
    server
}

#[test]
fn the_hooks_drain_keeps_to_its_budget_and_always_makes_progress() {
    let env = TestEnv::new("drain-budget");
    let slow = Duration::from_millis(300);
    let server = backlog(
        &env,
        8,
        // The hook's own drain alone (no background drainer finishing it).
        json!({"deadline_ms": 5000, "drain_budget_ms": 200, "background_drain": false}),
        move |_| Reply::json(200, "{}").delayed(slow),
    );
    // Each hook sends its own event to the end of the spool and replays from the
    // head: at least one event per run, and no more than the budget allows.
    let mut seen = 0;
    for i in 9..=11 {
        assert_exit(&env.hook(&tagged_event(i)), 0);
        let now = server.received().len();
        assert!(now > seen, "hook {i} replayed nothing");
        assert!(
            now - seen <= 2,
            "hook {i} replayed {} events in a 200 ms budget",
            now - seen
        );
        seen = now;
    }
    let received = received_tags(&server);
    assert_eq!(
        received,
        (1..=seen).map(tag).collect::<Vec<_>>(),
        "from the head, in order"
    );
    assert_eq!(spooled_tags(&env, "hook").len(), 11 - seen);
}

#[test]
fn a_replayed_event_the_backend_refuses_is_dead_lettered_and_reported() {
    let refuse_t2 = |tag: &str| {
        if tag == "t-2" {
            Reply::json(422, r#"{"error":"tool_use_id t-2 is not acceptable"}"#)
        } else {
            Reply::json(200, "{}")
        }
    };
    // By `flush`.
    let env = TestEnv::new("drain-refused");
    let server = backlog(&env, 3, json!({}), refuse_t2);
    let out = env.run(&["flush"], b"");
    let err = stderr(&out);
    assert!(
        err.contains("hook: refused event") && err.contains("(PostToolUse): 422"),
        "flush says which event and the answer: {err}"
    );
    assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3)]);
    let dead = dead_letters(&env, "hook");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["envelope"]["input"]["tool_use_id"], "t-2");
    assert!(
        dead[0].to_string().contains("422"),
        "the answer is kept: {}",
        dead[0]
    );
    assert!(
        err.contains(dead[0]["envelope"]["id"].as_str().unwrap()),
        "{err}"
    );
    assert!(spooled_tags(&env, "hook").is_empty());

    // By a hook's own drain: said on its stderr too.
    let env = TestEnv::new("drain-refused-hook");
    let server = backlog(&env, 3, json!({"drain_budget_ms": 2000}), refuse_t2);
    let out = env.hook(&tagged_event(4));
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("hook: refused event") && err.contains("422"),
        "{err}"
    );
    assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3), tag(4)]);
    assert_eq!(dead_letters(&env, "hook").len(), 1);
}

#[test]
fn a_spool_over_several_segment_files_replays_whole_and_in_order() {
    let env = TestEnv::new("drain-segments");
    let port = webhook_down(&env, json!({}));
    // 1.5 MiB each: a segment rolls over after 16 MiB.
    let big = "x".repeat(1536 * 1024);
    let n = 13;
    for i in 1..=n {
        let mut v: serde_json::Value = serde_json::from_slice(&tagged_event(i)).unwrap();
        v["tool_response"]["stdout"] = json!(big);
        assert_exit(&env.hook(&serde_json::to_vec(&v).unwrap()), 0);
    }
    // The first segment takes events until it reaches 16 MiB (the eleventh
    // brings it to 16.5 MiB); the twelfth starts the second.
    let lines: Vec<usize> = segments(&env, "hook")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap().lines().count())
        .collect();
    assert_eq!(lines, [11, 2], "events per segment file");
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 0, 0);
    run_ok(&env, &["flush"]);
    assert_eq!(received_tags(&server), (1..=n).map(tag).collect::<Vec<_>>());
    assert!(spooled_tags(&env, "hook").is_empty());
    assert!(
        segments(&env, "hook").len() <= 1,
        "drained segments are removed"
    );
}

/// The same, for an event that waited behind a delivered one: its count is its
/// own, kept across drains that resume from the recorded position.
#[test]
fn a_dead_letter_behind_a_delivered_event_counts_its_own_attempts() {
    let env = TestEnv::new("drain-attempts-second");
    let n = std::sync::atomic::AtomicUsize::new(0);
    let server = backlog(
        &env,
        2,
        json!({"background_drain": false}),
        move |_| match n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Reply::json(200, "{}"),
            1 | 2 => Reply::json(503, "{}"),
            _ => Reply::json(422, r#"{"error":"never"}"#),
        },
    );
    // The first is delivered; the second (queued behind the first when it
    // was spooled: no live attempt) gets 503 twice, then 422.
    for _ in 0..2 {
        let out = env.run(&["flush", "--retry-for", "0"], b"");
        assert_exit(&out, 3);
    }
    let out = run_ok(&env, &["flush"]);
    assert_eq!(server.received().len(), 4);
    let dead = dead_letters(&env, "hook");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["attempts"], 3, "{}", dead[0]);
    // The refusal names the file the dead letter is in.
    let file = spool_dir(&env, "hook").join("dead-letters.jsonl");
    assert!(file.exists());
    assert!(
        stderr(&out).contains(&file.display().to_string()),
        "{}",
        stderr(&out)
    );
}

/// A dead letter counts every attempt the event had: the live one, each replay
/// that failed, and the refusal (`hookrelay dead-letters` shows the count).
#[test]
fn a_dead_letter_counts_every_attempt() {
    let env = TestEnv::new("drain-attempts");
    let n = std::sync::atomic::AtomicUsize::new(0);
    let server = backlog(&env, 1, json!({"background_drain": false}), move |_| {
        if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            Reply::json(503, "{}")
        } else {
            Reply::json(422, r#"{"error":"never"}"#)
        }
    });
    // The live attempt failed (down); two replays get 503, the third 422.
    for _ in 0..2 {
        let out = env.run(&["flush", "--retry-for", "0"], b"");
        assert_exit(&out, 3);
    }
    run_ok(&env, &["flush"]);
    assert_eq!(server.received().len(), 3);
    let dead = dead_letters(&env, "hook");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["attempts"], 4, "{}", dead[0]);
}

/// A line torn by a kill at the end of a segment the spool has since moved past
/// is skipped and said; the events around it replay once each, in order.
#[test]
fn a_torn_line_at_the_end_of_an_old_segment_is_skipped_and_said() {
    let env = TestEnv::new("drain-torn-segment");
    let port = webhook_down(&env, json!({"background_drain": false}));
    for i in 1..=4 {
        assert_exit(&env.hook(&tagged_event(i)), 0);
    }
    // Split the one segment in two, the first ending in half a line.
    let segs = segments(&env, "hook");
    assert_eq!(segs.len(), 1);
    let text = std::fs::read_to_string(&segs[0]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    let name = segs[0].file_name().unwrap().to_string_lossy().into_owned();
    let seq: u64 = name[4..name.len() - 6].parse().unwrap();
    let torn = &lines[2][..lines[2].len() / 2];
    std::fs::write(&segs[0], format!("{}\n{}\n{torn}", lines[0], lines[1])).unwrap();
    let next = segs[0].with_file_name(format!("seg-{:012}.jsonl", seq + 1));
    std::fs::write(&next, format!("{}\n{}\n", lines[2], lines[3])).unwrap();
    let server = backend_back_on(port);
    set_breaker(&env, "hook", 0, 0);
    let out = run_ok(&env, &["flush"]);
    assert!(
        stdout(&out).contains("1 torn line(s) skipped"),
        "{}",
        stdout(&out)
    );
    assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3), tag(4)]);
    assert!(segments(&env, "hook").len() <= 1);
}

/// A drain racing a writer, the test being the writer: three events spooled in
/// one segment, the spool's lock held (as an appending hook holds it for its
/// whole write) while `prepare` changes the segment, then a `flush` started and
/// left until it has delivered `delivered` events and waits for the lock.
struct Race {
    env: TestEnv,
    segment: std::path::PathBuf,
    lines: Vec<String>,
    server: Server,
    lock: std::fs::File,
    flush: std::process::Child,
}

impl Race {
    fn start(
        name: &str,
        delivered: usize,
        prepare: impl FnOnce(&std::path::Path, &[String]),
    ) -> Race {
        let env = TestEnv::new(name);
        let port = webhook_down(&env, json!({"background_drain": false}));
        for i in 1..=3 {
            assert_exit(&env.hook(&tagged_event(i)), 0);
        }
        let segs = segments(&env, "hook");
        assert_eq!(segs.len(), 1);
        let segment = segs[0].clone();
        let lines: Vec<String> = std::fs::read_to_string(&segment)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), 3);
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .open(segment.with_file_name("lock"))
            .unwrap();
        lock.lock().unwrap();
        prepare(&segment, &lines);
        let server = backend_back_on(port);
        set_breaker(&env, "hook", 0, 0);
        let mut flush = env.spawn(&["flush"]);
        drop(flush.stdin.take());
        let t0 = std::time::Instant::now();
        while server.received().len() < delivered && t0.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Delivered what it could; now it waits for the lock.
        std::thread::sleep(Duration::from_millis(300));
        Race {
            env,
            segment,
            lines,
            server,
            lock,
            flush,
        }
    }

    /// Appends `text` to `file` (as the writer), releases the lock and waits
    /// for the flush.
    fn write_and_release(
        self,
        file: &std::path::Path,
        text: &str,
    ) -> (TestEnv, Server, std::process::Output) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .unwrap();
        std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
        drop(self.lock);
        let out = self.flush.wait_with_output().unwrap();
        (self.env, self.server, out)
    }
}

/// A line still being written when a drain reaches it (its writer holds the
/// spool's lock) is waited for, not cut as torn: once complete it is delivered.
#[test]
fn a_line_still_being_written_when_the_drain_reaches_it_is_delivered_not_cut() {
    let mut rest = String::new();
    let race = Race::start("drain-tail-being-written", 2, |seg, lines| {
        let (head, tail) = lines[2].split_at(lines[2].len() / 2);
        rest = format!("{tail}\n");
        std::fs::write(seg, format!("{}\n{}\n{head}", lines[0], lines[1])).unwrap();
    });
    let segment = race.segment.clone();
    let (_env, server, out) = race.write_and_release(&segment, &rest);
    assert_exit(&out, 0);
    assert_eq!(
        received_tags(&server),
        [tag(1), tag(2), tag(3)],
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stdout(&out).contains("torn"), "{}", stdout(&out));
}

/// An event appended while a drain that emptied the spool is finishing (the
/// writer holds the spool's lock as the drain comes to remove the delivered
/// segment) is kept, and the next drain delivers it: appended to the same
/// segment, or to a new one (the last had reached its size).
#[test]
fn an_event_appended_as_a_drain_finishes_is_kept_for_the_next() {
    for new_segment in [false, true] {
        let race = Race::start("drain-append-at-finish", 3, |_, _| {});
        // The fourth line, as a hook would append it.
        let mut fourth: serde_json::Value = serde_json::from_str(&race.lines[2]).unwrap();
        fourth["envelope"]["id"] = json!("00000000-0000-4000-8000-000000000004");
        fourth["envelope"]["input"]["tool_use_id"] = json!(tag(4));
        let target = if new_segment {
            let name = race
                .segment
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let seq: u64 = name[4..name.len() - 6].parse().unwrap();
            race.segment
                .with_file_name(format!("seg-{:012}.jsonl", seq + 1))
        } else {
            race.segment.clone()
        };
        let (env, server, out) = race.write_and_release(&target, &format!("{fourth}\n"));
        assert_exit(&out, 3);
        assert_stdout_has(&out, "hook: delivered 3, 1 spooled left");
        assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3)]);
        assert_eq!(
            spooled_tags(&env, "hook"),
            [tag(4)],
            "new segment: {new_segment}: kept, not removed"
        );
        run_ok(&env, &["flush"]);
        assert_eq!(received_tags(&server), [tag(1), tag(2), tag(3), tag(4)]);
    }
}

/// After a partial drain, `status` describes what still waits: how many events
/// and bytes, the oldest one's time, how often it was tried and why it failed.
#[test]
fn status_describes_what_waits_after_a_partial_drain() {
    let env = TestEnv::new("drain-status");
    let server = backlog(&env, 3, json!({"background_drain": false}), |tag| {
        if tag == "t-1" {
            Reply::json(200, "{}")
        } else {
            Reply::json(503, r#"{"error":"busy"}"#)
        }
    });
    let out = env.run(&["flush", "--retry-for", "0"], b"");
    assert_exit(&out, 3);
    assert_eq!(received_tags(&server), [tag(1), tag(2)]);
    let waiting: Vec<serde_json::Value> = segments(&env, "hook")
        .iter()
        .flat_map(|p| read_jsonl(p))
        .filter(|e| e["envelope"]["input"]["tool_use_id"] != tag(1))
        .collect();
    assert_eq!(waiting.len(), 2);
    let (st, code) = status_json(&env);
    assert_eq!(code, 3);
    let b = &st["backends"][0];
    assert_eq!(b["spool_events"], 2, "{st}");
    let bytes: u64 = waiting.iter().map(|e| e.to_string().len() as u64 + 1).sum();
    let reported = b["spool_bytes"].as_u64().unwrap();
    assert!(
        reported.abs_diff(bytes) < 64,
        "{reported} vs about {bytes}: {st}"
    );
    assert_eq!(b["oldest_event"], waiting[0]["envelope"]["ts"], "{st}");
    assert_eq!(b["oldest_event_attempts"], 1, "{st}");
    assert!(
        b["waiting_reason"].as_str().unwrap().contains("503"),
        "{st}"
    );
}
