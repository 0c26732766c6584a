//! Storage failures are never silent: a full or read-only data/state directory
//! (a tiny tmpfs, or a file in place of the directory without root). An event
//! that is nowhere on disk and not with every backend makes the hook exit 1 with
//! one true line; reachable backends get their events whatever the disk does; no
//! torn line survives a full disk; `status` and `doctor` say so afterwards.

use serde_json::{Value, json};

use crate::testenv::disk::{Disk, file_in_place_of_dirs};
use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;

/// The lines of stderr that say the event is lost.
fn lost_lines(err: &str) -> Vec<&str> {
    err.lines().filter(|l| l.contains("LOST")).collect()
}

/// No line may claim what did not happen: "still kept" never, "stays in the
/// in-flight journal <file>" only while that file exists (right after the run).
#[track_caller]
fn assert_no_false_claims(err: &str) {
    assert!(!err.contains("still kept"), "{err}");
    for l in err.lines() {
        if let Some((_, rest)) = l.split_once("stays in the in-flight journal ") {
            let file = rest.split(',').next().unwrap();
            assert!(
                std::path::Path::new(file)
                    .metadata()
                    .is_ok_and(|m| m.len() > 0),
                "claims a journal that is not there: {l}"
            );
        }
    }
}

/// A tiny full disk for data and state, else (no root) a file in their place.
fn hostile(env: &mut TestEnv) -> Option<Disk> {
    match Disk::mount(env, 64) {
        Some(d) => {
            d.fill();
            Some(d)
        }
        None => {
            file_in_place_of_dirs(env);
            None
        }
    }
}

/// An event padded to about `pad` bytes, so a few of them fill a tiny disk.
fn padded_event(n: usize, pad: usize) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&tagged_event(n)).unwrap();
    v["tool_response"]["stdout"] = json!(format!("{n} {}", "a".repeat(pad)));
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn full_disk_and_no_backend_exits_1_with_one_line_and_leaves_no_empty_journal() {
    let mut env = TestEnv::new("disk-full-down");
    webhook_down(&env, json!({}));
    let disk = hostile(&mut env);
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 1);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let lost = lost_lines(&err);
    assert_eq!(lost.len(), 1, "one line says the event is lost: {err}");
    let line = lost[0];
    assert!(line.starts_with("hookrelay: event "), "{line}");
    // Where (the spool directory), the OS error, and what to do.
    assert!(line.contains("/spool/hook"), "{line}");
    assert!(line.contains("in-flight journal"), "{line}");
    assert!(
        line.contains("No space left on device") || line.contains("Not a directory"),
        "{line}"
    );
    assert!(line.contains("HOOKRELAY_DATA_DIR"), "{line}");
    assert!(line.contains("connection refused"), "{line}");
    assert_no_false_claims(&err);
    if let Some(d) = &disk {
        // Nothing that looks like a kept event: no empty journal, no torn spool.
        for (f, len) in d.files() {
            assert!(
                !f.ends_with(".jnl"),
                "journal left behind: {f} ({len} bytes)"
            );
            if f.contains("seg-") {
                assert_eq!(len, 0, "{f}");
            }
        }
    }
}

#[test]
fn full_disk_and_local_sink_only_exits_1() {
    let mut env = TestEnv::new("disk-full-local");
    let _disk = hostile(&mut env);
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(lost_lines(&err).len(), 1, "{err}");
    assert!(lost_lines(&err)[0].contains("local sink"), "{err}");
    assert_no_false_claims(&err);
}

#[test]
fn full_disk_and_a_reachable_backend_delivers_exactly_once() {
    let mut env = TestEnv::new("disk-full-up");
    let server = Server::start(|_| Reply::json(200, r#"{"ok":true}"#));
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    let disk = hostile(&mut env);
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(lost_lines(&err).is_empty(), "{err}");
    // Said, though the event is safe: the journal could not be written.
    assert!(err.contains("is safe"), "{err}");
    assert!(err.contains("in-flight journal"), "{err}");
    assert_eq!(received_tags(&server), vec![tag(1)]);
    // Space back, a flush: nothing was left to re-send.
    drop(disk);
    env.run(&["flush"], b"");
    assert_eq!(received_tags(&server), vec![tag(1)], "exactly once");
}

#[test]
fn disk_filling_up_mid_series_loses_only_what_it_reported_and_tears_nothing() {
    let mut env = TestEnv::new("disk-series");
    let port = webhook_down(&env, json!({}));
    let Some(disk) = Disk::mount(&mut env, 64) else {
        eprintln!("skipped: needs a tmpfs (root)");
        return;
    };
    disk.leave_free(24);
    let (mut direct, mut journaled, mut lost) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..40 {
        let out = env.hook(&padded_event(i, 900));
        let err = stderr(&out);
        match out.status.code() {
            Some(0) if err.contains("in-flight journal") => journaled.push(tag(i)),
            Some(0) => direct.push(tag(i)),
            Some(1) => {
                assert_eq!(lost_lines(&err).len(), 1, "{err}");
                lost.push(tag(i));
            }
            other => panic!("exit {other:?}: {err}"),
        }
        assert_no_false_claims(&err);
    }
    eprintln!("kept {direct:?}, journaled {journaled:?}, lost {lost:?}");
    assert!(!direct.is_empty(), "some events fit");
    assert!(!lost.is_empty(), "the disk filled up: {direct:?}");
    // Every spool line whole, before any replay.
    disk.free();
    for l in raw_spool_lines(&env, "hook") {
        serde_json::from_str::<Value>(&l).unwrap_or_else(|e| panic!("torn line {l:?}: {e}"));
    }
    let server = backend_back_on(port);
    let out = env.run(&["flush"], b"");
    assert_exit(&out, 0);
    let got = received_tags(&server);
    // Spooled ones in order; those recovered from a journal come after.
    let in_order: Vec<String> = got.iter().filter(|t| direct.contains(t)).cloned().collect();
    assert_eq!(in_order, direct, "spooled events arrive in order");
    let mut want: Vec<String> = direct.iter().chain(&journaled).cloned().collect();
    let mut have = got.clone();
    want.sort();
    have.sort();
    assert_eq!(
        have, want,
        "every kept event once, nothing lost said kept: lost {lost:?}"
    );
    let (st, _) = status_json(&env);
    assert_eq!(st["backends"][0]["torn_lines_skipped"], 0, "{st}");
}

#[test]
fn read_only_data_dir_reports_loss_and_still_delivers_to_a_reachable_backend() {
    // No backend reachable: lost, exit 1.
    let mut env = TestEnv::new("disk-ro-down");
    webhook_down(&env, json!({}));
    let disk = Disk::mount(&mut env, 256);
    match &disk {
        Some(d) => d.remount(false),
        None => file_in_place_of_dirs(&mut env),
    }
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(lost_lines(&err).len(), 1, "{err}");
    assert!(
        err.contains("Read-only file system") || err.contains("Not a directory"),
        "{err}"
    );
    assert!(
        err.contains("make it writable") || err.contains("writable directory"),
        "{err}"
    );
    assert_no_false_claims(&err);

    // A reachable backend: delivered, exit 0, the failure still said.
    let server = Server::start(|_| Reply::json(200, r#"{"ok":true}"#));
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    let out = env.hook(&tagged_event(2));
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("is safe"), "{}", stderr(&out));
    assert_eq!(received_tags(&server), vec![tag(2)]);
}

#[test]
fn status_and_doctor_report_the_storage_problem_until_writes_work_again() {
    let mut env = TestEnv::new("disk-status");
    let Some(disk) = Disk::mount(&mut env, 64) else {
        // Without root: a file in place of the directories, then removed.
        file_in_place_of_dirs(&mut env);
        assert_exit(&env.hook(&tagged_event(1)), 1);
        let (st, code) = status_json(&env);
        assert_eq!((code, &st["storage"]["ok"]), (3, &json!(false)), "{st}");
        assert!(
            st["storage"]["unwritable"]
                .to_string()
                .contains("Not a directory")
        );
        std::fs::remove_file(env.dir.path().join("not-a-dir")).unwrap();
        let (st, code) = status_json(&env);
        assert_eq!((code, &st["storage"]["ok"]), (0, &json!(true)), "{st}");
        return;
    };
    disk.fill();
    assert_exit(&env.hook(&tagged_event(1)), 1);

    let (st, code) = status_json(&env);
    assert_eq!(code, 3, "{st}");
    assert_eq!(st["storage"]["ok"], false, "{st}");
    assert!(st["storage"]["last_failure"].is_string(), "{st}");
    let unwritable = st["storage"]["unwritable"].to_string();
    assert!(unwritable.contains("No space left"), "{st}");
    let doctor = env.run(&["doctor", "--json"], b"");
    let d: Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let check = d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "storage")
        .cloned()
        .unwrap();
    assert_eq!(check["status"], "error", "{check}");

    // Space back: still reported (a hook failed), until a hook writes again.
    disk.free();
    let (st, code) = status_json(&env);
    assert_eq!((code, &st["storage"]["ok"]), (3, &json!(false)), "{st}");
    assert_eq!(st["storage"]["unwritable"], json!([]), "{st}");
    let out = env.hook(&tagged_event(2));
    assert_exit(&out, 0);
    let (st, code) = status_json(&env);
    assert_eq!(code, 0, "{st}");
    assert_eq!(st["storage"]["ok"], true, "{st}");
    let doctor = env.run(&["doctor", "--json"], b"");
    let d: Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let check = d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "storage")
        .cloned()
        .unwrap();
    assert_eq!(check["status"], "ok", "{check}");
}

#[test]
fn a_lost_event_with_a_policy_answer_still_answers_and_says_so_in_the_answer() {
    let mut env = TestEnv::new("disk-full-deny");
    env.write_config(&json!({"policy": {"rules": [
        {"name": "no-rm-rf", "tool": "Bash", "command": "rm -rf /",
         "decision": "deny", "reason": "never here"}
    ]}}));
    let _disk = hostile(&mut env);
    let mut ev = fixture("PreToolUse");
    ev["tool_name"] = json!("Bash");
    ev["tool_input"] = json!({"command": "rm -rf /"});
    let out = env.hook(&serde_json::to_vec(&ev).unwrap());
    // Exit 1 would make Claude Code ignore the deny: the answer wins.
    assert_exit(&out, 0);
    let answer: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");
    let msg = answer["systemMessage"].as_str().unwrap_or_default();
    assert!(
        msg.contains("LOST") && msg.contains("local sink"),
        "{answer}"
    );
    assert_eq!(lost_lines(&stderr(&out)).len(), 1, "{}", stderr(&out));
}

#[test]
fn full_disk_with_the_breaker_open_still_reaches_a_backend_that_is_back() {
    let mut env = TestEnv::new("disk-full-breaker");
    let server = Server::start(|_| Reply::json(200, r#"{"ok":true}"#));
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    let Some(disk) = Disk::mount(&mut env, 64) else {
        eprintln!("skipped: needs a tmpfs (root)");
        return;
    };
    // The breaker was opened (for an hour) before the disk filled up: the event
    // is queued for the spool, which cannot take it.
    let breakers = disk.root.join("state/breakers");
    std::fs::create_dir_all(&breakers).unwrap();
    let open = json!({"failures": 3, "open_until": now_ms() + 3_600_000, "last_error": "earlier"});
    std::fs::write(breakers.join("hook.json"), open.to_string()).unwrap();
    disk.fill();
    let out = env.hook(&tagged_event(1));
    assert_exit(&out, 0);
    assert!(lost_lines(&stderr(&out)).is_empty(), "{}", stderr(&out));
    assert_eq!(
        received_tags(&server),
        vec![tag(1)],
        "sent live rather than lost"
    );
}
