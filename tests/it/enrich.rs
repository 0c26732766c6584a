//! Enrichment through the binary: ids, time, host and labels on every envelope,
//! git state of the event's cwd, and session counters that stay exact when many
//! hook processes of one session run at once.

use std::collections::{BTreeMap, BTreeSet};

use crate::testenv::enrich::*;
use crate::testenv::*;
use serde_json::{Value, json};

const SID: &str = "0b7f1a52-3c1e-4f0e-9a51-5d2f8e7c6b10";

fn state_file(env: &TestEnv, sid: &str) -> std::path::PathBuf {
    env.state_dir().join("sessions").join(format!("{sid}.json"))
}

fn ms(ts: &Value) -> i64 {
    // RFC 3339 UTC with milliseconds, as every envelope carries.
    let s = ts.as_str().unwrap();
    assert_eq!(s.len(), 24, "{s}");
    assert!(s.ends_with('Z'));
    let secs: i64 = s[17..19].parse::<i64>().unwrap()
        + 60 * s[14..16].parse::<i64>().unwrap()
        + 3600 * s[11..13].parse::<i64>().unwrap()
        + 86_400 * s[8..10].parse::<i64>().unwrap();
    secs * 1000 + s[20..23].parse::<i64>().unwrap()
}

#[test]
fn a_hundred_parallel_hooks_of_one_session_keep_every_event_and_exact_counters() {
    let env = TestEnv::new("parallel");
    let tools = ["Bash", "Read", "Edit", "Grep", "mcp__fs__write"];
    let mut inputs = Vec::new();
    let mut want_tools: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..90 {
        let name = tools[i % tools.len()];
        *want_tools.entry(name.into()).or_default() += 1;
        inputs.push(event_line(
            "PreToolUse",
            SID,
            &[
                ("tool_use_id", json!(format!("toolu_par_{i:03}"))),
                ("tool_name", json!(name)),
            ],
        ));
    }
    for i in 0..10 {
        inputs.push(event_line(
            "UserPromptSubmit",
            SID,
            &[("prompt_id", json!(format!("prompt-{i}")))],
        ));
    }
    for out in hooks_at_once(&env, &inputs) {
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "");
    }

    let kept = env.kept(); // every line parses, or this panics
    assert_eq!(kept.len(), 100, "every event kept exactly once");
    let ids: BTreeSet<&str> = kept.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 100, "event ids are distinct");
    let tool_ids: BTreeSet<&str> = kept
        .iter()
        .filter_map(|e| e["input"]["tool_use_id"].as_str())
        .collect();
    assert_eq!(tool_ids.len(), 90);

    // Each invocation saw the counters right after its own update: the values
    // are a permutation of 1..=n, which only holds if no update was lost.
    let mut events: Vec<u64> = kept
        .iter()
        .map(|e| e["session"]["events"].as_u64().unwrap())
        .collect();
    events.sort();
    assert_eq!(events, (1..=100).collect::<Vec<_>>());
    let mut calls: Vec<u64> = kept
        .iter()
        .filter(|e| e["hook_event_name"] == "PreToolUse")
        .map(|e| e["session"]["tool_calls"].as_u64().unwrap())
        .collect();
    calls.sort();
    assert_eq!(calls, (1..=90).collect::<Vec<_>>());

    let state: Value = serde_json::from_slice(&std::fs::read(state_file(&env, SID)).unwrap())
        .expect("state file is intact JSON");
    assert_eq!(state["events"], 100);

    let out = env.hook(&event_line("Notification", SID, &[]));
    assert_exit(&out, 0);
    let last = env.kept().pop().unwrap();
    let s = &last["session"];
    assert_eq!(s["events"], 101);
    assert_eq!(s["turn"], 10);
    assert_eq!(s["tool_calls"], 90);
    assert_eq!(s["tools"], serde_json::to_value(&want_tools).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(env.state_dir().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn duplicate_firing_is_kept_but_counted_once() {
    let env = TestEnv::new("dup");
    let line = event_line("PreToolUse", SID, &[("tool_use_id", json!("toolu_dup"))]);
    assert_exit(&env.hook(&line), 0);
    assert_exit(&env.hook(&line), 0);
    let kept = env.kept();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1]["session"]["tool_calls"], 1);
    assert_eq!(kept[1]["session"]["events"], 2);
    assert_eq!(kept[1]["session"]["duplicate"], true);
    assert!(kept[0]["session"].get("duplicate").is_none());
}

#[test]
fn git_state_of_the_cwd_is_on_the_envelope() {
    let env = TestEnv::new("git");
    let repo = env.dir.path().join("proj");
    std::fs::create_dir_all(&repo).unwrap();
    let home = env.home();
    git(&home, &repo, &["init", "-q"]);
    std::fs::write(repo.join("README.md"), "# proj\n").unwrap();
    git(&home, &repo, &["add", "."]);
    git(&home, &repo, &["commit", "-q", "-m", "init"]);
    git(
        &home,
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://bot:fake-secret-token@git.example.invalid/acme/proj.git",
        ],
    );
    let head = git(&home, &repo, &["rev-parse", "HEAD"]);
    let cwd = json!(repo.join("README.md").parent().unwrap());
    assert_exit(
        &env.hook(&event_line("PreToolUse", SID, &[("cwd", cwd.clone())])),
        0,
    );
    std::fs::write(repo.join("README.md"), "# proj, edited\n").unwrap();
    assert_exit(
        &env.hook(&event_line("PostToolUse", SID, &[("cwd", cwd)])),
        0,
    );
    // A cwd outside any repository has no git field at all.
    let plain = env.dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    assert_exit(
        &env.hook(&event_line("Stop", SID, &[("cwd", json!(plain))])),
        0,
    );

    let kept = env.kept();
    assert_eq!(
        kept[0]["git"],
        json!({
            "branch": "main",
            "commit": head,
            "dirty": false,
            "remote": "https://git.example.invalid/acme/proj.git",
        })
    );
    assert_eq!(kept[1]["git"]["dirty"], true);
    assert!(kept[2].get("git").is_none(), "{}", kept[2]);
    let all = std::fs::read_to_string(
        std::fs::read_dir(env.data_dir().join("events"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    assert!(!all.contains("fake-secret-token"), "remote token leaked");
}

#[test]
fn session_end_carries_final_counters_and_removes_the_state() {
    let env = TestEnv::new("end");
    let msg = "All done: the build passes.";
    for line in [
        event_line("SessionStart", SID, &[]),
        event_line("UserPromptSubmit", SID, &[("prompt_id", json!("p1"))]),
        event_line("PreToolUse", SID, &[("tool_use_id", json!("t1"))]),
        event_line(
            "PreToolUse",
            SID,
            &[("tool_use_id", json!("t2")), ("tool_name", json!("Read"))],
        ),
        event_line("Stop", SID, &[("last_assistant_message", json!(msg))]),
    ] {
        assert_exit(&env.hook(&line), 0);
    }
    assert!(state_file(&env, SID).exists());
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_exit(&env.hook(&event_line("SessionEnd", SID, &[])), 0);

    let kept = env.kept();
    let (start, end) = (&kept[0], &kept[5]);
    let s = &end["session"];
    assert_eq!(s["first_seen"], start["ts"]);
    let duration = ms(&end["ts"]) - ms(&start["ts"]);
    assert!(duration >= 20);
    assert_eq!(s["duration_ms"], duration);
    assert_eq!(s["events"], 6);
    assert_eq!(s["turn"], 1);
    assert_eq!(s["tool_calls"], 2);
    assert_eq!(s["tools"], json!({"Bash": 1, "Read": 1}));
    assert_eq!(s["last_assistant_message"], msg);
    let left: Vec<_> = std::fs::read_dir(env.state_dir().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "state and lock removed: {left:?}");
}

#[test]
fn subagent_events_count_into_the_parent_session() {
    let env = TestEnv::new("subagent");
    let agent = json!("a4b7c3313463e8750");
    assert_exit(
        &env.hook(&event_line(
            "PreToolUse",
            SID,
            &[("tool_use_id", json!("main-1"))],
        )),
        0,
    );
    assert_exit(
        &env.hook(&event_line(
            "SubagentStart",
            SID,
            &[("agent_id", agent.clone())],
        )),
        0,
    );
    assert_exit(
        &env.hook(&event_line(
            "PreToolUse",
            SID,
            &[
                ("tool_use_id", json!("sub-1")),
                ("tool_name", json!("Grep")),
                ("agent_id", agent.clone()),
            ],
        )),
        0,
    );
    let kept = env.kept();
    assert!(kept[0].get("agent_id").is_none());
    assert_eq!(kept[1]["agent_id"], agent);
    assert_eq!(kept[2]["agent_id"], agent);
    assert_eq!(kept[2]["session"]["tool_calls"], 2);
    assert_eq!(kept[2]["session"]["events"], 3);
    assert_eq!(kept[2]["session"]["tools"], json!({"Bash": 1, "Grep": 1}));
}

#[test]
fn host_version_and_labels_are_on_every_envelope() {
    let mut env = TestEnv::new("labels");
    env.set_env("CLAUDE_PROJECT_DIR", "/work/clients/acme-web/");
    env.set_env("CLAUDE_RUN_ID", "run-2026-11-22-7");
    env.set_env("USER", "hooktester");
    assert_exit(&env.hook(&event_line("Notification", SID, &[])), 0);
    env.write_config(&json!({"project": "acme"}));
    assert_exit(&env.hook(&event_line("Notification", SID, &[])), 0);
    env.write_config(&json!({"run_id": "from-config"}));
    assert_exit(&env.hook(&event_line("Notification", SID, &[])), 0);

    let kept = env.kept();
    let first = &kept[0];
    assert_eq!(
        first["project"], "acme-web",
        "last component of CLAUDE_PROJECT_DIR"
    );
    assert_eq!(first["project_dir"], "/work/clients/acme-web/");
    assert_eq!(first["run_id"], "run-2026-11-22-7");
    assert_eq!(first["hookrelay"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(first["host"]["user"], "hooktester");
    assert_eq!(first["host"]["os"], std::env::consts::OS);
    assert_eq!(first["host"]["arch"], std::env::consts::ARCH);
    assert!(!first["host"]["name"].as_str().unwrap().is_empty());
    assert_eq!(
        first["id"].as_str().unwrap().as_bytes()[14],
        b'4',
        "UUID v4"
    );
    ms(&first["ts"]);
    assert_eq!(
        kept[1]["project"], "acme",
        "config wins over CLAUDE_PROJECT_DIR"
    );
    assert_eq!(kept[2]["run_id"], "from-config");
    assert_eq!(kept[2]["project"], "acme-web");

    // Without any of them: no labels at all.
    let bare = TestEnv::new("nolabels");
    assert_exit(&bare.hook(&event_line("Notification", SID, &[])), 0);
    let e = &bare.kept()[0];
    for k in ["project", "project_dir", "run_id", "agent_id"] {
        assert!(e.get(k).is_none(), "{k}: {e}");
    }
}

/// Root in a container and systemd units run without `$USER`: the user is looked
/// up from the process's uid, not reported as "unknown".
#[test]
fn the_user_comes_from_the_uid_when_user_and_logname_are_unset() {
    let env = TestEnv::new("no-user-env");
    let mut cmd = env.command(&[]);
    cmd.env_remove("USER").env_remove("LOGNAME");
    let mut child = spawn_piped(cmd);
    let event = event_line("Notification", SID, &[]);
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &event).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_exit(&out, 0);
    let want = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let want = String::from_utf8_lossy(&want.stdout).trim().to_string();
    assert!(!want.is_empty());
    assert_eq!(env.kept()[0]["host"]["user"], want.as_str());
}
