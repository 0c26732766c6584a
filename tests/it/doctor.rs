//! `hookrelay doctor` against live and dead loopback servers and real settings,
//! config and spool files: each problem is named with a fix, errors exit 3,
//! warnings alone exit 0, `--json` has a stable shape.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::testenv::install::exe;
use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::*;
use serde_json::{Value, json};

fn doctor(env: &TestEnv) -> (Option<i32>, Value) {
    let out = env.run(&["doctor", "--json"], b"");
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap_or_else(|e| {
        panic!(
            "doctor --json prints one JSON object ({e}): {}",
            stdout(&out)
        )
    });
    (out.status.code(), v)
}

/// The checks named `name` (a name may repeat, e.g. several settings findings).
fn checks<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == name)
        .collect()
}

fn status_of(v: &Value, name: &str) -> Vec<String> {
    checks(v, name)
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_string())
        .collect()
}

/// `doctor` in its human form.
fn doctor_text(env: &TestEnv) -> std::process::Output {
    env.run(&["doctor"], b"")
}

fn wired(env: &TestEnv) {
    let out = env.run(&["install"], b"");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn all_ok_with_live_backends_and_wiring() {
    let server = Server::start(|_| Reply::json(200, r#"{"ok":true}"#));
    let env = TestEnv::new("doc-live");
    env.write_config(&json!({"backends": {
        "bloodbank": {"url": server.url("")},
        "webhooks": [{"name": "audit", "url": server.url("/hook")}],
    }}));
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    wired(&env);

    let (code, v) = doctor(&env);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["ok"], true, "{v:#}");
    for c in v["checks"].as_array().unwrap() {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "status", "message", "fix"]);
        assert_eq!(c["status"], "ok", "{c}");
    }
    assert_eq!(status_of(&v, "backend bloodbank"), ["ok"]);
    assert_eq!(status_of(&v, "backend audit"), ["ok"]);
    assert_eq!(status_of(&v, "timeouts"), ["ok"]);
    assert!(
        checks(&v, "settings")[0]["message"]
            .as_str()
            .unwrap()
            .contains("31 event")
    );
    // Doctor looks, it does not send events.
    assert!(server.received().iter().all(|r| r.method == "GET"));

    // The human form says the same.
    let out = doctor_text(&env);
    assert_exit(&out, 0);
    assert_stdout_has(&out, "0 error(s), 0 warning(s)");
}

#[test]
fn a_dead_backend_is_an_error_with_a_fix() {
    let env = TestEnv::new("doc-dead");
    let port = dead_port();
    env.write_config(&json!({"backends": {
        "webhooks": [{"name": "gone", "url": format!("http://127.0.0.1:{port}/hook")}],
    }}));
    wired(&env);
    let started = std::time::Instant::now();
    let (code, v) = doctor(&env);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "probes are bounded"
    );
    assert_eq!(code, Some(3), "{v:#}");
    assert_eq!(v["ok"], false);
    let c = checks(&v, "backend gone");
    assert_eq!(c[0]["status"], "error", "{v:#}");
    assert!(
        c[0]["message"]
            .as_str()
            .unwrap()
            .contains(&port.to_string())
    );
    assert!(c[0]["fix"].as_str().unwrap().contains("start the service"));

    let out = doctor_text(&env);
    assert_exit(&out, 3);
    assert_stdout_has(&out, "fix: start the service");
}

#[test]
fn missing_wiring_warns_and_a_broken_config_is_an_error() {
    let env = TestEnv::new("doc-unwired");
    // Not wired is a choice (`install.sh --no-wire`): said, with the fix, not failed.
    let (code, v) = doctor(&env);
    assert_eq!(code, Some(0), "{v:#}");
    let s = checks(&v, "settings");
    assert_eq!(s[0]["status"], "warn");
    assert!(s[0]["fix"].as_str().unwrap().contains("hookrelay install"));
    assert_eq!(status_of(&v, "config"), ["ok"], "no config file is fine");

    std::fs::create_dir_all(env.config_path().parent().unwrap()).unwrap();
    std::fs::write(env.config_path(), "{\"backends\": ").unwrap();
    let (code, v) = doctor(&env);
    assert_eq!(code, Some(3));
    let c = checks(&v, "config");
    assert_eq!(c[0]["status"], "error");
    assert!(c[0]["message"].as_str().unwrap().contains("config.json"));
}

#[test]
fn timeouts_in_milliseconds_or_below_the_deadline_are_flagged() {
    let env = TestEnv::new("doc-timeouts");
    env.write_config(&json!({"delivery": {"deadline_ms": 3000}}));
    let settings = json!({"hooks": {
        "PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": exe(), "timeout": 2000}]}],
        "Stop": [{"hooks": [{"type": "command", "command": exe(), "timeout": 1}]}],
    }});
    env.write_settings(&serde_json::to_string_pretty(&settings).unwrap());

    let (code, v) = doctor(&env);
    assert_eq!(code, Some(3), "{v:#}");
    let t = checks(&v, "timeouts");
    assert_eq!(t[0]["status"], "error");
    let msg = t[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("PreToolUse") && msg.contains("milliseconds"),
        "{msg}"
    );
    assert!(msg.contains("Stop") && msg.contains("3000"), "{msg}");
    // Only 2 of 31 events wired: a warning naming what is missing.
    assert!(
        checks(&v, "settings")
            .iter()
            .any(|c| c["status"] == "warn" && c["message"].as_str().unwrap().contains("SessionEnd"))
    );

    // `hookrelay install` fixes both: timeouts follow the configured deadline.
    wired(&env);
    let (_, v) = doctor(&env);
    assert_eq!(status_of(&v, "timeouts"), ["ok"], "{v:#}");
}

#[test]
fn wiring_to_another_binary_or_to_worktree_events_is_reported() {
    let env = TestEnv::new("doc-elsewhere");
    let settings = json!({"hooks": {
        "Stop": [{"hooks": [{"type": "command", "command": "/opt/old/hookrelay", "timeout": 5}]}],
        "WorktreeCreate": [{"hooks": [{"type": "command", "command": exe(), "timeout": 5}]}],
    }});
    env.write_settings(&settings.to_string());
    let (code, v) = doctor(&env);
    assert_eq!(code, Some(3));
    let s = checks(&v, "settings");
    assert!(
        s.iter().any(|c| c["status"] == "warn"
            && c["message"]
                .as_str()
                .unwrap()
                .contains("/opt/old/hookrelay")),
        "{v:#}"
    );
    assert!(
        s.iter()
            .any(|c| c["status"] == "error"
                && c["message"].as_str().unwrap().contains("WorktreeCreate")),
        "{v:#}"
    );
}

#[test]
fn a_world_readable_secret_and_waiting_spools_are_reported() {
    let env = TestEnv::new("doc-perms");
    let server = Server::start(|_| Reply::json(200, "{}"));
    let refuser = Server::start(|_| Reply::json(400, r#"{"error":"bad event"}"#));
    env.write_config(&json!({"backends": {
        "webhooks": [{"name": "audit", "url": server.url("/hook"), "api_key": "fake-key-123"}],
    }}));
    // Real spool state: one event spooled for a backend that is down, one refused.
    let down = env.dir.path().join("down.json");
    std::fs::write(
        &down,
        json!({"backends": {"webhooks": [
            {"name": "audit", "url": format!("http://127.0.0.1:{}/hook", dead_port())},
            {"name": "refuser", "url": refuser.url("/hook")}
        ]}})
        .to_string(),
    )
    .unwrap();
    let out = env.run(
        &["--config", down.to_str().unwrap()],
        &serde_json::to_vec(&fixture("Stop")).unwrap(),
    );
    assert_exit(&out, 0);
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    wired(&env);

    let (code, v) = doctor(&env);
    assert_eq!(code, Some(3), "{v:#}");
    let p = checks(&v, "permissions");
    assert_eq!(p[0]["status"], "error");
    assert!(p[0]["fix"].as_str().unwrap().contains("chmod 600"));
    assert!(
        !v.to_string().contains("fake-key-123"),
        "the key is never printed"
    );
    let sp = checks(&v, "spool audit");
    assert_eq!(sp[0]["status"], "warn");
    assert!(
        sp[0]["message"].as_str().unwrap().contains("waiting"),
        "{v:#}"
    );
    assert!(
        sp[0]["fix"]
            .as_str()
            .unwrap()
            .contains("hookrelay flush --backend audit")
    );
    let dead = checks(&v, "spool refuser");
    assert_eq!(dead[0]["status"], "warn");
    assert!(
        dead[0]["message"].as_str().unwrap().contains("dead letter"),
        "{v:#}"
    );
    assert!(dead[0]["fix"].as_str().unwrap().contains("--dead-letters"));

    // Fixed permissions: only warnings remain, exit 0.
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, v) = doctor(&env);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["ok"], true);
}
