//! `hookrelay install` / `uninstall` against real settings files, and `hookrelay
//! send` through the whole pipeline: other hooks survive, a round trip restores the
//! file byte for byte, broken files are refused untouched.

use crate::testenv::install::*;
use crate::testenv::*;
use serde_json::Value;

/// Our handlers, per event: (event, command, timeout, matcher).
fn ours(settings: &Value) -> Vec<(String, String, u64, Option<String>)> {
    let mut out = Vec::new();
    for (event, groups) in settings["hooks"].as_object().unwrap() {
        for g in groups.as_array().unwrap() {
            for h in g["hooks"].as_array().unwrap() {
                let cmd = h["command"].as_str().unwrap_or("");
                if cmd.ends_with("/hookrelay") {
                    out.push((
                        event.clone(),
                        cmd.to_string(),
                        h["timeout"].as_u64().unwrap(),
                        g.get("matcher").and_then(Value::as_str).map(String::from),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn install_keeps_other_hooks_and_uninstall_restores_the_file_byte_for_byte() {
    let env = TestEnv::new("inst-roundtrip");
    env.write_settings(USER_SETTINGS);
    let p = env.settings_path();

    let out = env.run(&["install"], b"");
    assert_exit(&out, 0);
    let after = std::fs::read_to_string(&p).unwrap();
    let v: Value = serde_json::from_str(&after).unwrap();

    // Other keys and hooks are still there, in their order, ours after theirs.
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["model", "permissions", "hooks", "theme"]);
    assert_eq!(v["permissions"]["allow"][0], "Bash(git status)");
    assert_eq!(
        v["hooks"]["Stop"][0]["hooks"][0]["command"],
        "notify-send done"
    );
    assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "Bash");
    assert_eq!(
        v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "/usr/local/bin/guard"
    );
    let hook_keys: Vec<&String> = v["hooks"].as_object().unwrap().keys().take(2).collect();
    assert_eq!(hook_keys, ["Stop", "PreToolUse"]);
    // The file keeps its 4-space indent and trailing newline.
    assert!(after.starts_with("{\n    \"model\""), "{after}");
    assert!(after.ends_with("}\n"));

    // 31 events, this binary, seconds; no worktree events; matcher only where used.
    let ours = ours(&v);
    assert_eq!(ours.len(), 31, "{ours:?}");
    for (event, cmd, timeout, matcher) in &ours {
        assert_eq!(cmd, &exe());
        let want = if event == "SessionEnd" { 2 } else { 5 };
        assert_eq!(*timeout, want, "{event}");
        // Events that ignore matchers get none; all others match everything.
        let no_matcher = [
            "UserPromptSubmit",
            "PostToolBatch",
            "Stop",
            "TeammateIdle",
            "TaskCreated",
            "TaskCompleted",
            "CwdChanged",
            "MessageDisplay",
        ];
        if no_matcher.contains(&event.as_str()) {
            assert_eq!(matcher, &None, "{event} takes no matcher");
        } else {
            assert_eq!(matcher.as_deref(), Some("*"), "{event}");
        }
    }
    assert!(v["hooks"].get("WorktreeCreate").is_none());
    assert!(v["hooks"].get("WorktreeRemove").is_none());

    // Twice: nothing changes.
    let again = env.run(&["install"], b"");
    assert_exit(&again, 0);
    assert_stdout_has(&again, "nothing to change");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), after);

    // The original is backed up, then restored exactly.
    let backup = env.home().join(".claude/settings.json.hookrelay-backup");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), USER_SETTINGS);
    let un = env.run(&["uninstall"], b"");
    assert_exit(&un, 0);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), USER_SETTINGS);
    assert!(!backup.exists(), "backup removed once restored");
}

#[test]
fn uninstall_keeps_edits_made_after_install() {
    let env = TestEnv::new("inst-edited");
    env.write_settings(USER_SETTINGS);
    let p = env.settings_path();
    assert!(env.run(&["install"], b"").status.success());
    let mut v = read_json(&p);
    v["theme"] = Value::String("light".into());
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();

    let un = env.run(&["uninstall"], b"");
    assert!(un.status.success(), "{}", stderr(&un));
    let v = read_json(&p);
    assert_eq!(v["theme"], "light", "the user's later edit survives");
    assert!(ours(&v).is_empty());
    assert_eq!(v["hooks"]["Stop"].as_array().unwrap().len(), 1);
    let mut original: Value = serde_json::from_str(USER_SETTINGS).unwrap();
    original["theme"] = Value::String("light".into());
    assert_eq!(v, original);
    assert!(
        env.home()
            .join(".claude/settings.json.hookrelay-backup")
            .exists(),
        "the pre-install copy is kept when it cannot be restored as is"
    );
}

#[test]
fn a_settings_file_hookrelay_created_is_removed_again() {
    let env = TestEnv::new("inst-fresh");
    let out = env.run(&["install", "--events", "tools"], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let v = read_json(&env.settings_path());
    let events: Vec<String> = ours(&v).into_iter().map(|o| o.0).collect();
    assert_eq!(
        events,
        [
            "PreToolUse",
            "PostToolUse",
            "PostToolUseFailure",
            "PermissionRequest",
            "PermissionDenied"
        ]
    );
    // Re-running with another selection makes the wiring match it.
    assert!(
        env.run(&["install", "--events", "Stop"], b"")
            .status
            .success()
    );
    let events: Vec<String> = ours(&read_json(&env.settings_path()))
        .into_iter()
        .map(|o| o.0)
        .collect();
    assert_eq!(events, ["Stop"]);

    assert!(env.run(&["uninstall"], b"").status.success());
    assert!(!env.settings_path().exists());
    assert!(!env.home().join(".claude").exists());
}

#[test]
fn comments_and_broken_json_are_refused_and_left_untouched() {
    for (tag, text, says) in [
        (
            "jsonc",
            "{\n  // my model\n  \"model\": \"opus\"\n}\n",
            "comments",
        ),
        ("broken", "{\"model\": \"opus\",}\n", "not valid JSON"),
        ("array", "[1, 2]\n", "not a JSON object"),
    ] {
        let env = TestEnv::new(&format!("inst-{tag}"));
        env.write_settings(text);
        for cmd in ["install", "uninstall"] {
            let out = env.run(&[cmd], b"");
            assert_eq!(out.status.code(), Some(1), "{tag} {cmd}");
            let err = stderr(&out);
            assert!(err.contains(says), "{tag} {cmd}: {err}");
            assert!(err.contains("untouched"), "{tag}: {err}");
            assert!(err.contains(&env.settings_path().display().to_string()));
            assert_eq!(std::fs::read_to_string(env.settings_path()).unwrap(), text);
        }
        assert!(
            !env.home()
                .join(".claude/settings.json.hookrelay-backup")
                .exists()
        );
    }
}

#[test]
fn dry_run_and_project_scope() {
    let env = TestEnv::new("inst-dry");
    env.write_settings(USER_SETTINGS);
    let before = snapshot(&env.home());
    let out = env.run(&["install", "--dry-run"], b"");
    assert!(out.status.success());
    assert_stdout_has(&out, "would change");
    assert_eq!(diff(&before, &snapshot(&env.home())), Vec::<String>::new());

    // --scope project writes ./.claude/settings.json in the current directory.
    let out = env.run(
        &["install", "--scope", "project", "--events", "lifecycle"],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let project = env.dir.path().join(".claude/settings.json");
    assert_eq!(ours(&read_json(&project)).len(), 7);
    assert_eq!(
        std::fs::read_to_string(env.settings_path()).unwrap(),
        USER_SETTINGS
    );

    let bad = env.run(&["install", "--events", "PreToolUze"], b"");
    assert_exit(&bad, 1);
    assert_stderr_has(&bad, "unknown event `PreToolUze`");
}

#[test]
fn a_moved_binary_is_updated_in_place_not_duplicated() {
    let env = TestEnv::new("inst-moved");
    let old = r#"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"/old/place/hookrelay","timeout":5}]}]}}"#;
    env.write_settings(old);
    assert!(
        env.run(&["install", "--events", "Stop"], b"")
            .status
            .success()
    );
    let v = read_json(&env.settings_path());
    let stop = v["hooks"]["Stop"].as_array().unwrap();
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0]["hooks"][0]["command"], exe().as_str());
}

#[test]
fn send_runs_a_sample_through_the_pipeline() {
    let env = TestEnv::new("send");
    let out = env.run(&["send", "PreToolUse"], b"");
    assert_exit(&out, 0);
    assert_stderr_has(&out, "local sink");
    let out = env.run(&["send", "stop", "--session", "my-session"], b"");
    assert_exit(&out, 0);

    let kept = env.kept();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["hook_event_name"], "PreToolUse");
    let sample = fixture("PreToolUse");
    assert_ne!(
        kept[0]["session_id"], sample["session_id"],
        "a fresh session id"
    );
    assert_eq!(kept[0]["input"]["tool_name"], sample["tool_name"]);
    let cwd = std::fs::canonicalize(env.dir.path()).unwrap();
    assert_eq!(kept[0]["input"]["cwd"], cwd.display().to_string());
    assert_eq!(kept[1]["hook_event_name"], "Stop");
    assert_eq!(kept[1]["session_id"], "my-session");

    let list = env.run(&["send", "--list"], b"");
    assert_eq!(stdout(&list).lines().count(), 33);
    let bad = env.run(&["send", "Nope"], b"");
    assert_exit(&bad, 1);
    assert!(
        stderr(&bad).contains("`Nope`") && stderr(&bad).contains("SessionEnd"),
        "{}",
        stderr(&bad)
    );
}

/// `uninstall` touches the scope it is given, says which file, and names wiring
/// left in the other scope; doctor shows each wired file on its own line.
#[test]
fn uninstall_names_the_other_scopes_wiring_and_doctor_counts_each_file() {
    let env = TestEnv::new("scopes");
    let run_ok = |args: &[&str]| {
        let out = env.run(args, b"");
        assert_exit(&out, 0);
        out
    };
    run_ok(&["install", "--scope", "user"]);
    run_ok(&["install", "--scope", "project", "--events", "tools"]);
    let user = env.settings_path();
    let project = env.dir.path().join(".claude/settings.json");

    let doctor = env.run(&["doctor"], b"");
    let text = stdout(&doctor);
    for file in [&user, &project] {
        let line = text
            .lines()
            .find(|l| l.contains("hookrelay wired for") && l.ends_with(file.to_str().unwrap()))
            .unwrap_or_else(|| panic!("a line for {}: {text}", file.display()));
        assert!(!line.contains(", "), "one file per line: {line}");
    }

    let out = run_ok(&["uninstall"]);
    let said = stdout(&out);
    assert!(
        said.contains(user.to_str().unwrap()),
        "names the file it changed: {said}"
    );
    assert!(
        said.contains(&format!("note: {} still runs hookrelay", project.display()))
            && said.contains("hookrelay uninstall --scope project"),
        "{said}"
    );
    assert!(
        std::fs::read_to_string(&project)
            .unwrap()
            .contains("hookrelay")
    );
    let out = run_ok(&["uninstall", "--scope", "project"]);
    assert!(!stdout(&out).contains("note:"), "{}", stdout(&out));
}

/// `send` reports, per backend, what became of the event, and exits 3 when any
/// backend did not take it: a refused connection, a 401, a breaker skip.
#[test]
fn send_tells_per_backend_what_happened_and_fails_unless_all_took_it() {
    use crate::testenv::server::{Reply, Server, dead_port};
    let ok = Server::start(|_| Reply::json(200, "{}"));
    let auth = Server::start(|_| Reply::json(401, r#"{"error":"bad key"}"#));
    let env = TestEnv::new("send-truth");
    let down = format!("http://127.0.0.1:{}/events", dead_port());
    env.write_config(&serde_json::json!({"backends": {"webhooks": [
        {"name": "good", "url": ok.url("/events")},
        {"name": "locked", "url": auth.url("/events")},
        {"name": "gone", "url": down}]}}));
    let out = env.run(&["send"], b"");
    let err = stderr(&out);
    assert_exit(&out, 3);
    assert!(
        err.contains("hookrelay send: SessionStart (session "),
        "default event: {err}"
    );
    assert!(err.contains("  good: delivered\n"), "{err}");
    let line = |name: &str| {
        err.lines()
            .find(|l| l.starts_with(&format!("hookrelay send:   {name}: ")))
            .unwrap_or_else(|| panic!("a line for {name}: {err}"))
            .to_string()
    };
    assert!(
        line("locked").contains("401") && line("locked").contains("spooled"),
        "{err}"
    );
    assert!(line("gone").contains("spooled"), "{err}");
    assert!(err.contains("2 backend(s) did not take the event"), "{err}");
    let kept: serde_json::Value = ok.received()[0].json();
    let sid = kept["session_id"].as_str().unwrap();
    let transcript = kept["input"]["transcript_path"].as_str().unwrap();
    assert!(
        transcript.ends_with(&format!("/{sid}.jsonl")),
        "its own transcript: {transcript}"
    );

    // The breaker of `gone` is open now: the next send skips it, and says so.
    let out = env.run(&["send", "Stop"], b"");
    assert_exit(&out, 3);
    let err = stderr(&out);
    assert!(
        err.contains("gone: not sent (circuit breaker open"),
        "{err}"
    );

    // All three take it: exit 0.
    let all_ok = TestEnv::new("send-all-ok");
    all_ok.write_config(&serde_json::json!({"backends": {"webhooks": [
        {"name": "good", "url": ok.url("/events")}]}}));
    assert_exit(&all_ok.run(&["send", "Stop"], b""), 0);
}
