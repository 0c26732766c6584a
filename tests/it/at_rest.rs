//! Nothing raw at rest (issue 11, items 5 and 8), through the built binary: made-up
//! secrets planted in events, in rejected inputs and in a backend URL; the hook
//! killed (SIGKILL) at many points while a backend hangs, is down, refuses, or
//! gates; then every file under the data and state directories (the whole test
//! HOME but the config file and the git repository that hold them on purpose),
//! and the captured stdout and stderr of every command, `status`,
//! `status --json`, `doctor`, `send` and `flush` included, are searched for each
//! planted secret. None may appear.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::testenv::enrich::git;
use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::*;
use serde_json::{Value, json};

// Made-up secrets in the documented formats (never real credentials).
const AWS_ID: &str = "AKIAZ7VQ2MXW4RTJ6BNP";
const AWS_SECRET: &str = "q8Vr2Lx9Tz4Nw7Kp1Jm6Hf3Gd5Sa0Yb8Uc2Ee4Ri";
const GHP: &str = "ghp_R7tY2uI9oP4aS1dF6gH3jK8lZ5xC0vB2nM7q";
const URL_PW: &str = "Pw-Fake-9x7Q2z";
const BEARER: &str = "7Qz2Lm9Xw4Tk8Rv1Np6Hs3Jd5Fg0Ab";
// The secret parts of the backend URL in the config.
const URL_USER_PW: &str = "url-pw-fake-41d9";
const PATH_SECRET: &str = "aB3dE5gH7jK9mN1pQ3sT5vX7";
const QUERY_TOKEN: &str = "tok-fake-8c1e5a9f7b";

const SECRETS: [&str; 8] = [
    AWS_ID,
    AWS_SECRET,
    GHP,
    URL_PW,
    BEARER,
    URL_USER_PW,
    PATH_SECRET,
    QUERY_TOKEN,
];

/// A command that carries every event secret (PreToolUse Bash).
fn command_text() -> String {
    format!(
        "export AWS_ACCESS_KEY_ID={AWS_ID} AWS_SECRET_ACCESS_KEY={AWS_SECRET} GITHUB_TOKEN={GHP} && \
         curl -H 'Authorization: Bearer {BEARER}' https://deploy:{URL_PW}@db.example.test/x"
    )
}

/// Three events, each carrying the planted secrets in a different placement.
fn events() -> Vec<Vec<u8>> {
    let mut pre = fixture("PreToolUse");
    pre["tool_input"]["command"] = json!(command_text());
    let mut post = fixture("PostToolUse");
    post["tool_response"]["stdout"] =
        json!(format!("{}\nkey id {AWS_ID}, token {GHP}", command_text()));
    let mut prompt = fixture("UserPromptSubmit");
    prompt["prompt"] = json!(format!("deploy with {}", command_text()));
    [pre, post, prompt]
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap())
        .collect()
}

/// A webhook URL whose userinfo, path and query carry secrets.
fn secret_url(port: u16) -> String {
    format!(
        "http://ops:{URL_USER_PW}@127.0.0.1:{port}/hook/T0FAKE123/{PATH_SECRET}?token={QUERY_TOKEN}"
    )
}

fn webhook_at(env: &TestEnv, port: u16, deadline_ms: u64, gate: bool) {
    let mut hook = json!({"name": "hook", "url": secret_url(port)});
    if gate {
        hook["gate"] = json!({"on_unreachable": "closed"});
    }
    env.write_config(&json!({
        "local": {"enabled": true},
        "delivery": {"deadline_ms": deadline_ms},
        "backends": {"webhooks": [hook]},
    }));
}

/// A backend that accepts the connection and answers only after `d`.
fn hanging(d: Duration) -> Server {
    Server::start(move |_| Reply::json(200, "{}").delayed(d))
}

/// A backend that answers `status` with a body echoing the path and query it
/// was asked for (as some servers' error pages do).
fn echoing(status: u16) -> Server {
    Server::start(move |r| {
        Reply::json(
            status,
            &json!({"error": format!("no route for {}", r.path)}).to_string(),
        )
    })
}

/// Runs the hook with `stdin` and kills it (SIGKILL) after `ms`, whatever it
/// is doing; what it printed until then.
fn hook_killed_after(env: &TestEnv, stdin: &[u8], ms: u64) -> Output {
    let mut child = env.spawn(&[]);
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    std::thread::sleep(Duration::from_millis(ms));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    out
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The files hookrelay wrote: everything in the test HOME but the config file
/// and git repositories (which hold a secret on purpose).
fn written_files(env: &TestEnv) -> Vec<PathBuf> {
    let mut all = Vec::new();
    files_under(&env.home(), &mut all);
    all.into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            !s.contains("/.config/hookrelay/") && !s.contains("/repo/")
        })
        .collect()
}

/// No planted secret in any written file, nor in any captured output.
fn assert_nothing_at_rest(env: &TestEnv, outputs: &[(String, Output)]) {
    let files = written_files(env);
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        for s in SECRETS {
            assert!(
                !contains(&bytes, s),
                "{s} at rest in {}: {}",
                f.display(),
                String::from_utf8_lossy(&bytes)
            );
        }
    }
    for (what, out) in outputs {
        for s in SECRETS {
            assert!(
                !contains(&out.stdout, s),
                "{s} in the stdout of {what}: {}",
                stdout(out)
            );
            assert!(
                !contains(&out.stderr, s),
                "{s} in the stderr of {what}: {}",
                stderr(out)
            );
        }
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// `status`, `status --json`, `doctor`, `doctor --json`, `flush` and
/// `flush --dead-letters`, captured.
fn reports(env: &TestEnv) -> Vec<(String, Output)> {
    [
        vec!["status"],
        vec!["status", "--json"],
        vec!["doctor"],
        vec!["doctor", "--json"],
        vec!["flush"],
        vec!["flush", "--dead-letters"],
    ]
    .into_iter()
    .map(|args| (args.join(" "), env.run(&args, b"")))
    .collect()
}

fn has_file(env: &TestEnv, part: &str) -> bool {
    written_files(env)
        .iter()
        .any(|p| p.to_string_lossy().contains(part))
}

#[test]
fn kills_while_a_backend_hangs_or_is_down_leave_no_secret_on_disk() {
    let server = hanging(Duration::from_secs(5));
    let env = TestEnv::new("at-rest-kill");
    webhook_at(&env, server.port, 1500, false);
    let events = events();
    let mut outputs = Vec::new();
    // Killed while parsing, redacting, journaling, waiting on the backend.
    for (i, ms) in [0, 2, 5, 10, 20, 40, 80, 150, 300, 600]
        .into_iter()
        .enumerate()
    {
        let out = hook_killed_after(&env, &events[i % events.len()], ms);
        outputs.push((format!("hook killed after {ms} ms (hanging)"), out));
    }
    // One that runs to its deadline: the event is spooled with the backend's error.
    outputs.push(("hook (hanging)".into(), env.hook(&events[0])));
    assert_nothing_at_rest(&env, &outputs);

    // The backend is down: kills while the spool and breaker are being written.
    webhook_at(&env, dead_port(), 1500, false);
    for (i, ms) in [1, 3, 6, 10, 15, 25, 40, 70].into_iter().enumerate() {
        let out = hook_killed_after(&env, &events[i % events.len()], ms);
        outputs.push((format!("hook killed after {ms} ms (down)"), out));
    }
    for e in &events {
        outputs.push(("hook (down)".into(), env.hook(e)));
    }
    // flush recovers the journals of the killed ones into the spool, then fails.
    outputs.extend(reports(&env));
    outputs.push(("send".into(), env.run(&["send", "PreToolUse"], b"")));
    assert!(has_file(&env, "spool/hook"), "the spool was written");
    assert!(
        has_file(&env, "breakers/hook.json"),
        "the breaker was written"
    );
    assert!(!env.kept().is_empty(), "the events were kept locally");
    assert_nothing_at_rest(&env, &outputs);
    let status = env.run(&["status", "--json"], b"");
    let v: Value = serde_json::from_slice(&status.stdout).unwrap();
    let last = v["backends"][0]["last_error"].as_str().unwrap_or("");
    assert!(last.contains("127.0.0.1"), "still says where: {last}");
}

#[test]
fn refused_events_dead_letters_and_an_echoing_backend_keep_no_secret() {
    let env = TestEnv::new("at-rest-refused");
    let mut outputs = Vec::new();
    // 422: refused, dead-lettered, with an answer quoting the secret path and query.
    let refusing = echoing(422);
    webhook_at(&env, refusing.port, 2000, false);
    for e in events() {
        outputs.push(("hook (refused)".into(), env.hook(&e)));
    }
    assert!(has_file(&env, "dead"), "dead letters were written");
    assert!(
        refusing.received()[0].path.contains(PATH_SECRET),
        "the backend got the real URL"
    );
    // 500: spooled for retry, the answer in the spool's last_error and the breaker.
    let failing = echoing(500);
    webhook_at(&env, failing.port, 2000, false);
    for e in events() {
        outputs.push(("hook (500)".into(), env.hook(&e)));
    }
    outputs.extend(reports(&env));
    outputs.push(("send".into(), env.run(&["send", "Stop"], b"")));
    assert!(has_file(&env, "breakers/hook.json"));
    assert_nothing_at_rest(&env, &outputs);
    let status = stdout(&env.run(&["status"], b""));
    assert!(
        status.contains("/hook/T0FAKE123/***"),
        "the URL's shape stays: {status}"
    );
}

#[test]
fn a_closed_gate_that_hangs_answers_and_keeps_no_secret() {
    let server = hanging(Duration::from_secs(5));
    let env = TestEnv::new("at-rest-gate");
    webhook_at(&env, server.port, 400, true);
    let pre = &events()[0];
    let mut outputs = Vec::new();
    for ms in [5, 50, 200] {
        outputs.push((
            format!("gate killed after {ms} ms"),
            hook_killed_after(&env, pre, ms),
        ));
    }
    let out = env.hook(pre);
    assert!(
        stdout(&out).contains("deny"),
        "closed gate: {}",
        stdout(&out)
    );
    outputs.push(("gate".into(), out));
    outputs.extend(reports(&env));
    assert_nothing_at_rest(&env, &outputs);
}

#[test]
fn rejected_inputs_are_kept_redacted() {
    let env = TestEnv::new("at-rest-rejects");
    let text = command_text();
    let mut outputs = Vec::new();
    let mut inputs: Vec<(&str, Vec<u8>)> = Vec::new();
    // Not JSON.
    inputs.push(("not json", format!("oops {text}").into_bytes()));
    // Not UTF-8, secrets around the bad bytes.
    let mut bad = format!("{{\"session_id\":\"s\",\"x\":\"{text}\"}}").into_bytes();
    bad.insert(17, 0xff);
    bad.insert(40, 0xfe);
    inputs.push(("not utf-8", bad));
    // JSON, but not an event (a secret-named key, too).
    inputs.push((
        "no session",
        serde_json::to_vec(&json!({"hook_event_name": "Stop", "password": URL_PW, "cmd": text}))
            .unwrap(),
    ));
    // Over the 64 MiB limit: secrets at the start and straddling the 1 MiB that is kept.
    let mut big = format!(
        "{{\"session_id\":\"s\",\"hook_event_name\":\"PostToolUse\",\"tool_response\":\"{text} "
    )
    .into_bytes();
    big.resize(1024 * 1024 - 20, b'x');
    big.extend_from_slice(format!(" {GHP} {AWS_ID} ").as_bytes());
    big.resize(65 * 1024 * 1024, b'y');
    big.extend_from_slice(b"\"}");
    inputs.push(("64+ MiB", big));
    for (what, input) in &inputs {
        let out = env.hook(input);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        outputs.push((what.to_string(), out));
    }
    // A kill while a large input is read and redacted.
    for ms in [5, 30, 100] {
        outputs.push((
            format!("64+ MiB killed after {ms} ms"),
            hook_killed_after(&env, &inputs[3].1, ms),
        ));
    }
    let rejects = env.rejects();
    assert!(rejects.len() >= inputs.len(), "{}", rejects.len());
    for r in &rejects[..inputs.len()] {
        let raw = r["raw"].as_str().unwrap();
        assert!(
            raw.contains("[REDACTED"),
            "redacted, not dropped: {raw:.300}"
        );
    }
    assert!(rejects.iter().all(|r| r.get("raw_base64").is_none()));
    assert_nothing_at_rest(&env, &outputs);
}

#[test]
fn urls_with_tokens_in_config_errors_are_masked() {
    let mut env = TestEnv::new("at-rest-config");
    // From the environment: not /ingest (a query), so a config error quoting it.
    env.set_env(
        "ZO_EVENT_ENDPOINT",
        &format!("http://ops:{URL_USER_PW}@127.0.0.1:9/x/{PATH_SECRET}/ingest?token={QUERY_TOKEN}"),
    );
    env.set_env(
        "HOOK_BACKEND_URL",
        &format!("ftp://127.0.0.1/{PATH_SECRET}?token={QUERY_TOKEN}"),
    );
    let out = env.hook(&events()[0]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("$ZO_EVENT_ENDPOINT"),
        "{}",
        stderr(&out)
    );
    let mut outputs = vec![("hook".to_string(), out)];
    outputs.extend(reports(&env));
    outputs.push(("send".into(), env.run(&["send", "Stop"], b"")));
    assert_nothing_at_rest(&env, &outputs);
}

#[test]
fn a_git_remote_with_a_private_token_is_not_forwarded() {
    let env = TestEnv::new("at-rest-git");
    let repo = env.home().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&env.home(), &repo, &["init", "-q"]);
    let remote = format!("https://gitlab.example.test/acme/x.git?private_token={QUERY_TOKEN}");
    git(&env.home(), &repo, &["remote", "add", "origin", &remote]);
    let mut e = fixture("Stop");
    e["cwd"] = json!(repo.display().to_string());
    let out = env.hook(&serde_json::to_vec(&e).unwrap());
    assert_exit(&out, 0);
    let kept = env.kept();
    assert_eq!(
        kept[0]["git"]["remote"],
        "https://gitlab.example.test/acme/x.git?private_token=***"
    );
    assert_nothing_at_rest(&env, &[("hook".into(), out)]);
}
