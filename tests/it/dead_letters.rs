//! `hookrelay dead-letters` through the built binary: the events a backend
//! refused can be listed, read, re-driven and discarded, and `status` comes
//! clean afterwards without anyone editing files.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;

/// A webhook `hook` that refuses every event with 422 until `fixed` is set.
fn refusing(env: &TestEnv) -> (Server, Arc<AtomicBool>) {
    let fixed = Arc::new(AtomicBool::new(false));
    let f = fixed.clone();
    let server = Server::start(move |_| {
        if f.load(Ordering::SeqCst) {
            Reply::json(200, "{}")
        } else {
            Reply::json(422, r#"{"error":"schema mismatch"}"#)
        }
    });
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    (server, fixed)
}

fn dead_ids(env: &TestEnv) -> Vec<String> {
    dead_letters(env, "hook")
        .iter()
        .map(|d| d["envelope"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn status_dead(env: &TestEnv) -> u64 {
    let (v, _) = status_json(env);
    v["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "hook")
        .map_or(0, |b| b["dead_letters"].as_u64().unwrap())
}

#[test]
fn dead_letters_are_listed_shown_discarded_and_status_comes_clean() {
    let env = TestEnv::new("dl-manage");
    let (_server, _) = refusing(&env);
    for n in 1..=3 {
        env.hook(&tagged_event(n));
    }
    let ids = dead_ids(&env);
    assert_eq!(ids.len(), 3);
    assert_eq!(status_dead(&env), 3);

    let out = run_ok(&env, &["dead-letters"]);
    let listed = stdout(&out);
    assert!(listed.starts_with("hook: 3 dead letter(s)\n"), "{listed}");
    for id in &ids {
        assert!(listed.contains(id.as_str()), "{id} listed: {listed}");
    }
    assert_eq!(listed.matches("PostToolUse Bash").count(), 3, "{listed}");
    assert!(listed.contains("422"), "the answer: {listed}");

    let out = run_ok(&env, &["dead-letters", "show", &ids[1][..8]]);
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["backend"], "hook");
    assert_eq!(shown["dead_letter"]["envelope"]["id"], ids[1].as_str());
    assert_eq!(
        shown["dead_letter"]["envelope"]["input"]["tool_use_id"],
        "t-2"
    );

    let out = run_ok(&env, &["dead-letters", "discard", &ids[1]]);
    assert!(
        stdout(&out).contains("1 dead letter(s) discarded"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        dead_ids(&env),
        [ids[0].clone(), ids[2].clone()],
        "the others stay, in order"
    );
    assert_eq!(status_dead(&env), 2);

    let out = env.run(&["dead-letters", "discard", "ffffffff-0000"], b"");
    assert_exit(&out, 1);
    assert_stderr_has(&out, "no dead letter with id ffffffff-0000");
    assert_eq!(dead_ids(&env).len(), 2, "nothing discarded by a miss");

    run_ok(&env, &["dead-letters", "discard", "--all"]);
    assert!(dead_ids(&env).is_empty());
    assert_eq!(status_dead(&env), 0);
    let out = run_ok(&env, &["dead-letters"]);
    assert_eq!(stdout(&out), "no dead letters\n");
}

#[test]
fn dead_letters_redrive_delivers_them_once_the_backend_takes_them() {
    let env = TestEnv::new("dl-redrive");
    let (server, fixed) = refusing(&env);
    for n in 1..=2 {
        env.hook(&tagged_event(n));
    }
    assert_eq!(dead_ids(&env).len(), 2);
    fixed.store(true, Ordering::SeqCst);
    let out = run_ok(&env, &["dead-letters", "redrive"]);
    assert!(
        stdout(&out).contains("hook: delivered 2"),
        "{}",
        stdout(&out)
    );
    let tags = received_tags(&server);
    assert_eq!(tags[2..], [tag(1), tag(2)], "re-sent in order: {tags:?}");
    assert!(dead_ids(&env).is_empty());
    assert_eq!(status_dead(&env), 0);
    // Nothing left to re-drive: a quiet success, not an error.
    let out = run_ok(&env, &["dead-letters", "redrive"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(received_tags(&server).len(), 4, "nothing sent again");
}

/// A line of the dead-letter file that is not a dead letter (edited by hand,
/// or from another version) is skipped and counted; the others are re-driven.
#[test]
fn a_redrive_skips_and_counts_a_line_that_is_no_dead_letter() {
    let env = TestEnv::new("dl-redrive-torn");
    let (server, fixed) = refusing(&env);
    env.hook(&tagged_event(1));
    assert_eq!(dead_ids(&env).len(), 1);
    let file = spool_dir(&env, "hook").join("dead-letters.jsonl");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"note\":\"not a dead letter\"}\n{\"torn").unwrap();
    let out = run_ok(&env, &["dead-letters", "list"]);
    assert!(
        stdout(&out).contains("(2 unreadable line(s) in "),
        "{}",
        stdout(&out)
    );
    fixed.store(true, Ordering::SeqCst);
    let out = run_ok(&env, &["dead-letters", "redrive"]);
    let said = stdout(&out);
    assert!(said.contains("hook: delivered 1"), "{said}");
    assert!(said.contains("2 torn line(s) skipped"), "{said}");
    assert_eq!(received_tags(&server).last().unwrap(), &tag(1));
}

/// A re-drive the backend refuses again delivers nothing: the letters stay dead
/// letters and `status` shows no fresh "last success".
#[test]
fn a_redrive_refused_again_is_no_success() {
    let env = TestEnv::new("dl-redrive-refused");
    let (_server, _) = refusing(&env);
    env.hook(&tagged_event(1));
    assert_eq!(dead_ids(&env).len(), 1);
    // Exit 3: something still needs attention.
    assert_exit(&env.run(&["dead-letters", "redrive"], b""), 3);
    assert_eq!(
        dead_ids(&env).len(),
        1,
        "refused again: still a dead letter"
    );
    let (v, _) = status_json(&env);
    let hook = v["backends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "hook")
        .cloned()
        .unwrap();
    assert!(hook["last_success"].is_null(), "{hook}");
}

/// A dead-letter file that cannot be read (here: a directory stands in its
/// place) is said with its path, never reported as "no dead letters".
#[test]
fn an_unreadable_dead_letter_file_is_said_not_taken_for_none() {
    let env = TestEnv::new("dl-unreadable");
    let (_server, _fixed) = refusing(&env);
    env.hook(&tagged_event(1));
    let file = spool_dir(&env, "hook").join("dead-letters.jsonl");
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    for args in [&["dead-letters"][..], &["dead-letters", "discard", "--all"]] {
        let out = env.run(args, b"");
        assert_exit(&out, 1);
        assert_stderr_has(&out, "dead letters of `hook`");
        assert_stderr_has(&out, &file.display().to_string());
    }
}
