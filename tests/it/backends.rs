//! The four backends against strict contract servers, driven through the built
//! binary: every mapped fixture accepted, all four at once in parallel, a backend
//! down, hanging, failing or behind a bad certificate, and the environment
//! variables today's integrations use.

use std::time::{Duration, Instant};

use crate::testenv::backends::{self as contract, Contract};
use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::*;
use serde_json::{Value, json};

/// Runs the hook on one fixture: it exits `code` and leaves stdout empty (stdout
/// is for Claude Code's answer only).
fn run_fixture(env: &TestEnv, event: &str, code: i32) -> std::process::Output {
    let out = env.hook(&fixture_line(event));
    assert_eq!(out.status.code(), Some(code), "{event}: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "",
        "{event}: stdout is for Claude Code's answer only"
    );
    out
}

fn run_ok(env: &TestEnv, event: &str) -> std::process::Output {
    run_fixture(env, event, 0)
}

/// A config problem: the event is still handled, the hook exits 1 (non-blocking,
/// and visible in Claude Code's transcript), stdout stays empty.
fn run_config_error(env: &TestEnv, event: &str) -> std::process::Output {
    run_fixture(env, event, 1)
}

fn assert_clean(c: &Contract, what: &str) {
    assert!(c.refused().is_empty(), "{what} refused: {:?}", c.refused());
}

#[test]
fn bloodbank_accepts_every_mapped_fixture_on_its_route() {
    let bb = contract::bloodbank();
    let env = TestEnv::new("bb-all");
    env.write_config(&json!({"backends": {"bloodbank": {"url": bb.url("")}}}));
    for (name, line) in fixtures() {
        let out = env.hook(&line);
        assert_eq!(out.status.code(), Some(0), "{name}");
        // Bloodbank's "500 UUID is not JSON serializable" means published: no complaint.
        assert_eq!(stderr(&out), "", "{name}");
    }
    assert_clean(&bb, "bloodbank");
    let mut routes = bb.accepted();
    routes.sort();
    assert_eq!(
        routes,
        [
            "/events/claude-code/error",
            "/events/claude-code/message",
            "/events/claude-code/message",
            "/events/claude-code/session-end",
            "/events/claude-code/session-start",
            "/events/claude-code/tool-action",
            "/events/claude-code/tool-action",
        ]
    );
    for r in bb.server.received() {
        assert_eq!(
            r.json()["session_id"].as_str().unwrap().len(),
            36,
            "Claude Code's own session id"
        );
    }
    assert!(
        env.kept().is_empty(),
        "local sink is off with a remote backend"
    );
}

#[test]
fn chroma_accepts_every_fixture_with_content_length_and_key() {
    let ch = contract::chroma(Some("zo-fake-key-0001"));
    let mut env = TestEnv::new("chroma-all");
    env.set_env("CLAUDE_RUN_ID", "run-fake-7");
    env.write_config(&json!({"backends": {"chroma": {
        "endpoint": ch.url("/ingest"), "api_key": "zo-fake-key-0001"}}}));
    let all = fixtures();
    for (name, line) in &all {
        let out = env.hook(line);
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert_eq!(stderr(&out), "", "{name}");
    }
    assert_clean(&ch, "chroma");
    let got = ch.server.received();
    assert_eq!(got.len(), all.len());
    for r in &got {
        assert!(!r.chunked, "a chunked body is read as empty by the bridge");
        assert_eq!(r.json()["run_id"], "run-fake-7");
    }

    // A session under the user's home is shown as ~/...
    let mut input = fixture("PreToolUse");
    input["cwd"] = json!(env.home().join("src/proj").display().to_string());
    let out = env.hook(&serde_json::to_vec(&input).unwrap());
    assert_eq!(stderr(&out), "");
    let v = ch.server.received().last().unwrap().json();
    assert_eq!(v["source"]["cwd"], "~/src/proj");
    let home = env.home().display().to_string();
    assert!(!v["source"].to_string().contains(&home));
}

#[test]
fn chroma_duplicate_answer_counts_as_delivered() {
    // 202 duplicate: an event with this hash was stored before (a replay).
    let ch = answering(202, r#"{"status":"duplicate","event_id":"x"}"#);
    let env = TestEnv::new("chroma-dup");
    env.write_config(&json!({"backends": {"chroma": {"endpoint": ch.url("/ingest")}}}));
    let out = run_ok(&env, "Notification");
    assert_eq!(stderr(&out), "", "a duplicate is not a failure");
    assert_eq!(ch.received().len(), 1);
}

#[test]
fn orgloop_gets_a_signed_session_end_and_optionally_a_start() {
    let ol = contract::orgloop(Some("whsec-fake-0001"));
    let env = TestEnv::new("orgloop");
    env.write_config(&json!({"backends": {"orgloop": {
        "url": ol.url("/webhook/claude-code"), "secret": "whsec-fake-0001", "send_start": true}}}));
    for (name, _) in fixtures() {
        let out = run_ok(&env, &name);
        assert_eq!(stderr(&out), "", "{name}");
    }
    assert_clean(&ol, "orgloop");
    let got = ol.server.received();
    let kinds: Vec<Value> = got.iter().map(|r| r.json()["hook_type"].clone()).collect();
    assert_eq!(
        kinds,
        [json!("stop"), json!("start")],
        "SessionEnd, SessionStart only"
    );
    let end = got[0].json();
    assert_eq!(end["exit_status"], 0);
    assert_eq!(end["working_directory"], "/tmp/h2/proj");
    assert_eq!(end["meta"]["reason"], "other");
}

#[test]
fn orgloop_with_the_wrong_secret_keeps_the_event_and_names_the_variable() {
    let ol = contract::orgloop(Some("whsec-the-right-one"));
    let mut env = TestEnv::new("orgloop-401");
    env.set_env("ORGLOOP_WEBHOOK_URL", &ol.url("/webhook/claude-code"));
    env.set_env("CLAUDE_CODE_WEBHOOK_SECRET", "whsec-fake-wrong-9");
    env.write_config(&json!({"local": {"enabled": true}}));
    let out = run_ok(&env, "SessionEnd");
    let err = stderr(&out);
    // The line names the backend first (the hint also says "orgloop"; that must not count).
    assert!(
        err.starts_with("hookrelay: orgloop: ") && err.contains("401"),
        "{err}"
    );
    assert_eq!(
        crate::testenv::spool::raw_spool_lines(&env, "orgloop").len(),
        1,
        "held in orgloop's spool"
    );
    assert!(err.contains("CLAUDE_CODE_WEBHOOK_SECRET"), "{err}");
    assert!(!err.contains("whsec-fake-wrong-9") && !err.contains("whsec-the-right-one"));
    assert_eq!(env.kept().len(), 1);
}

#[test]
fn webhook_sends_the_envelope_with_every_header() {
    let wh = contract::webhook(Some("hk-fake-key"), Some("hk-fake-secret"));
    let env = TestEnv::new("webhook");
    env.write_config(&json!({"backends": {"webhooks": [{
        "url": wh.url("/events"), "api_key": "hk-fake-key", "secret": "hk-fake-secret",
        "bearer_token": "bt-fake", "headers": {"X-Team": "${TEAM_FAKE}"}}]}}));
    let mut env = env;
    env.set_env("TEAM_FAKE", "blue");
    run_ok(&env, "PreToolUse");
    assert_clean(&wh, "webhook");
    let r = &wh.server.received()[0];
    assert_eq!(r.header("authorization"), Some("Bearer bt-fake"));
    assert_eq!(r.header("x-team"), Some("blue"));
    assert_eq!(r.json()["input"], fixture("PreToolUse"));
}

fn all_four(
    env: &TestEnv,
    bb: &Contract,
    ch: &Contract,
    ol: &Contract,
    wh: &Contract,
    extra: Value,
) {
    let mut cfg = json!({"backends": {
        "bloodbank": {"url": bb.url("")},
        "chroma": {"endpoint": ch.url("/ingest"), "api_key": "zo-fake-key-0002"},
        "orgloop": {"url": ol.url("/webhook/claude-code"), "secret": "whsec-fake-0002"},
        "webhooks": [{"url": wh.url("/events"), "api_key": "hk-fake-key-2"}]
    }});
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    env.write_config(&cfg);
}

#[test]
fn all_four_backends_at_once() {
    let (bb, ch, ol, wh) = (
        contract::bloodbank(),
        contract::chroma(Some("zo-fake-key-0002")),
        contract::orgloop(Some("whsec-fake-0002")),
        contract::webhook(Some("hk-fake-key-2"), None),
    );
    let env = TestEnv::new("four");
    all_four(&env, &bb, &ch, &ol, &wh, json!({}));
    let out = run_ok(&env, "SessionEnd");
    assert_eq!(stderr(&out), "");
    for (c, name) in [
        (&bb, "bloodbank"),
        (&ch, "chroma"),
        (&ol, "orgloop"),
        (&wh, "webhook"),
    ] {
        assert_clean(c, name);
        assert_eq!(c.accepted().len(), 1, "{name}");
    }
    assert_eq!(bb.accepted()[0], "/events/claude-code/session-end");
}

#[test]
fn fan_out_costs_one_backend_not_the_sum() {
    let d = Duration::from_millis(500);
    let (bb, ch, ol, wh) = (
        contract::bloodbank_with(d),
        contract::chroma_with(Some("zo-fake-key-0002"), d),
        contract::orgloop_with(Some("whsec-fake-0002"), d),
        contract::webhook_with(Some("hk-fake-key-2"), None, d),
    );
    let env = TestEnv::new("fanout");
    all_four(
        &env,
        &bb,
        &ch,
        &ol,
        &wh,
        json!({"delivery": {"deadline_ms": 5000, "session_end_deadline_ms": 5000}}),
    );
    let t = Instant::now();
    let out = run_ok(&env, "SessionEnd");
    let took = t.elapsed();
    assert_eq!(stderr(&out), "", "all four delivered");
    // In series this would take 4 x 500 ms.
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    for c in [&bb, &ch, &ol, &wh] {
        assert_eq!(c.accepted().len(), 1);
    }
}

#[test]
fn a_backend_that_is_down_does_not_stop_the_others_and_the_event_is_kept() {
    let ch = contract::chroma(None);
    let env = TestEnv::new("down");
    let port = dead_port();
    env.write_config(&json!({
        "local": {"enabled": true},
        "backends": {
            "bloodbank": {"url": format!("http://127.0.0.1:{port}")},
            "chroma": {"endpoint": ch.url("/ingest")}
        }
    }));
    let t = Instant::now();
    let out = run_ok(&env, "UserPromptSubmit");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("hookrelay: bloodbank"), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert_eq!(ch.accepted().len(), 1);
    assert_eq!(env.kept().len(), 1);
}

#[test]
fn a_hanging_backend_never_holds_the_hook_past_its_deadline() {
    let wh = contract::webhook_with(None, None, Duration::from_secs(30));
    let ch = contract::chroma(None);
    let env = TestEnv::new("hang");
    env.write_config(&json!({
        "delivery": {"deadline_ms": 500},
        "backends": {
            "chroma": {"endpoint": ch.url("/ingest")},
            "webhooks": [{"url": wh.url("/events")}]
        }
    }));
    let t = Instant::now();
    let out = run_ok(&env, "PreToolUse");
    let took = t.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(
        took >= Duration::from_millis(400),
        "waited for the deadline: {took:?}"
    );
    let err = stderr(&out);
    assert!(err.contains("webhook") && !err.contains("chroma"), "{err}");
    assert_eq!(ch.accepted().len(), 1);
}

#[test]
fn five_xx_and_four_xx_name_the_backend_and_status() {
    let bb = answering(
        500,
        r#"{"detail":"Rabbit publish failed: connection reset"}"#,
    );
    let ch = answering(400, r#"{"error":"Invalid JSON"}"#);
    let env = TestEnv::new("errors");
    env.write_config(&json!({"backends": {
        "bloodbank": {"url": bb.url("")},
        "chroma": {"endpoint": ch.url("/ingest")}
    }}));
    let out = run_ok(&env, "UserPromptSubmit");
    let err = stderr(&out);
    let bl = err.lines().find(|l| l.contains("bloodbank")).expect(&err);
    assert!(
        bl.contains("500") && bl.contains("Rabbit publish failed"),
        "{bl}"
    );
    let cl = err.lines().find(|l| l.contains("chroma")).expect(&err);
    assert!(
        cl.contains("400") && cl.contains("refused") && cl.contains("dead-letters"),
        "a permanent refusal is kept aside, and the line says where: {cl}"
    );
}

fn answering(status: u16, body: &'static str) -> Server {
    contract::answering(status, body)
}

#[test]
fn https_with_a_bad_certificate_fails_fast_and_clearly() {
    let Some(tls) = TlsServer::start() else {
        panic!("this test needs `openssl` (or python3) to run a TLS server; install it");
    };
    let env = TestEnv::new("tls");
    env.write_config(&json!({
        "local": {"enabled": true},
        "delivery": {"deadline_ms": 1500},
        "backends": {"webhooks": [{"url": format!("https://127.0.0.1:{}/events", tls.port)}]}
    }));
    let t = Instant::now();
    let out = run_ok(&env, "Notification");
    let took = t.elapsed();
    assert!(
        took < Duration::from_millis(1400),
        "no hang on a bad certificate: {took:?}"
    );
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("webhook"), "{err}");
    assert!(
        err.to_lowercase().contains("certificate"),
        "the message says what is wrong: {err}"
    );
    assert_eq!(env.kept().len(), 1);
    // A certificate is the setup's problem: held, and said again on the next
    // event, which the breaker keeps back.
    let again = stderr(&run_ok(&env, "Notification"));
    assert!(
        again.contains("webhook: held:") && again.to_lowercase().contains("certificate"),
        "{again}"
    );
}

/// `openssl s_server` with a fresh self-signed certificate on a loopback port.
struct TlsServer {
    child: std::process::Child,
    port: u16,
    _dir: TempDir,
}

impl TlsServer {
    fn start() -> Option<TlsServer> {
        let dir = TempDir::new("tls-cert");
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let made = std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=hookrelay-test-self-signed"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        assert!(made.success(), "openssl req failed");
        let port = dead_port();
        let child = std::process::Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let server = TlsServer {
            child,
            port,
            _dir: dir,
        };
        let end = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "openssl s_server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn bloodbank_env_vars_enable_only_on_exact_true() {
    let bb = contract::bloodbank();
    let mut on = TestEnv::new("bb-env-on");
    on.set_env("BLOODBANK_URL", &bb.url(""));
    on.set_env("BLOODBANK_ENABLED", "true");
    let out = run_ok(&on, "UserPromptSubmit");
    assert_eq!(stderr(&out), "");
    assert_eq!(bb.accepted(), ["/events/claude-code/message"]);
    assert!(on.kept().is_empty());

    let mut off = TestEnv::new("bb-env-off");
    off.set_env("BLOODBANK_URL", &bb.url(""));
    off.set_env("BLOODBANK_ENABLED", "1");
    run_ok(&off, "UserPromptSubmit");
    assert_eq!(
        bb.server.received().len(),
        1,
        "BLOODBANK_ENABLED=1 does not enable"
    );
    assert_eq!(off.kept().len(), 1, "kept locally instead");
}

#[test]
fn orgloop_port_gives_the_default_loopback_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ol = Server::start_on(listener, |r| {
        if r.path == "/webhook/claude-code" {
            Reply::json(200, r#"{"ok":true,"event_id":"evt_0123456789abcdef"}"#)
        } else {
            Reply::json(404, r#"{"error":"Not found"}"#)
        }
    });
    let mut env = TestEnv::new("ol-port");
    env.set_env("ORGLOOP_PORT", &port.to_string());
    let out = run_ok(&env, "SessionEnd");
    assert_eq!(stderr(&out), "");
    let got = ol.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/webhook/claude-code");
    assert!(
        got[0].header("x-hub-signature-256").is_none(),
        "no secret, no signature"
    );
}

#[test]
fn chroma_env_vars_and_secrets_never_reach_stderr() {
    let ch = contract::chroma(Some("zo-the-real-key"));
    let mut env = TestEnv::new("chroma-env");
    env.set_env("ZO_EVENT_ENDPOINT", &ch.url("/ingest"));
    env.set_env("ZO_API_KEY", "zo-fake-secret-4242");
    env.set_env("HOSTNAME_SALT", "salt-fake");
    env.set_env("ZO_REDACTION_MODE", "strict");
    let out = run_ok(&env, "UserPromptSubmit");
    let err = stderr(&out);
    assert!(
        err.contains("chroma") && err.contains("401") && err.contains("ZO_API_KEY"),
        "{err}"
    );
    assert!(!err.contains("zo-fake-secret-4242"), "{err}");
    let r = &ch.server.received()[0];
    assert_eq!(r.header("x-api-key"), Some("zo-fake-secret-4242"));
    assert_eq!(r.json()["data"]["redaction"]["mode"], "strict");

    // A bad URL is a config error naming the variable, without the URL's password.
    let mut bad = TestEnv::new("chroma-env-bad");
    bad.set_env(
        "ZO_EVENT_ENDPOINT",
        "http://ops:pw-fake-777@127.0.0.1:9/not-ingest",
    );
    bad.set_env("ZO_API_KEY", "zo-fake-secret-4242");
    let out = run_config_error(&bad, "UserPromptSubmit");
    let err = stderr(&out);
    assert!(err.contains("$ZO_EVENT_ENDPOINT"), "{err}");
    assert!(
        !err.contains("pw-fake-777") && !err.contains("zo-fake-secret-4242"),
        "{err}"
    );
    assert_eq!(
        bad.kept().len(),
        1,
        "kept locally while the config is wrong"
    );
}

/// A prompt with an e-mail address and an IPv4 address, through the hook.
fn prompt_with_mail_and_ip(env: &TestEnv) -> std::process::Output {
    let mut input = fixture("UserPromptSubmit");
    input["prompt"] = json!("ask alice@example.com about 10.1.2.3");
    env.hook(&serde_json::to_vec(&input).unwrap())
}

#[test]
fn chroma_masks_emails_and_ips_like_the_kit_with_only_the_bootstrap_variables() {
    let ch = contract::chroma(Some("zo-fake-key-0002"));
    let mut env = TestEnv::new("chroma-kit-default");
    env.set_env("ZO_EVENT_ENDPOINT", &ch.url("/ingest"));
    env.set_env("ZO_API_KEY", "zo-fake-key-0002");
    let out = prompt_with_mail_and_ip(&env);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "");
    assert_clean(&ch, "chroma");
    let v = ch.server.received()[0].json();
    assert_eq!(v["data"]["prompt"], "ask [EMAIL] about [IP]");
    assert_eq!(v["data"]["redaction"]["mode"], "strict");
    assert_eq!(v["data"]["redaction"]["applied"], true);
    assert_eq!(v["data"]["redaction"]["rules"]["email"], 1);
    assert_eq!(v["data"]["redaction"]["rules"]["ipv4"], 1);
    let body = ch.server.received()[0].json().to_string();
    assert!(!body.contains("alice@example.com") && !body.contains("10.1.2.3"));
}

#[test]
fn chroma_modes_in_any_case_only_disabled_turns_masking_off() {
    // (ZO_REDACTION_MODE, masked, warning on stderr)
    let cases = [
        ("STRICT", true, false),
        ("Lenient", true, false),
        ("lenient", true, false),
        ("paranoid", true, true),
        ("DISABLED", false, false),
    ];
    for (mode, masked, warns) in cases {
        let ch = contract::chroma(None);
        let mut env = TestEnv::new("chroma-kit-modes");
        env.set_env("ZO_EVENT_ENDPOINT", &ch.url("/ingest"));
        env.set_env("ZO_REDACTION_MODE", mode);
        let out = prompt_with_mail_and_ip(&env);
        let err = stderr(&out);
        assert_eq!(err.contains("$ZO_REDACTION_MODE"), warns, "{mode}: {err}");
        assert_clean(&ch, "chroma");
        let v = ch.server.received()[0].json();
        let prompt = v["data"]["prompt"].as_str().unwrap().to_string();
        assert_eq!(
            prompt == "ask [EMAIL] about [IP]",
            masked,
            "{mode}: {prompt}"
        );
    }
    // The same in the config file: an unknown mode masks and names the field.
    let ch = contract::chroma(None);
    let env = TestEnv::new("chroma-kit-file-mode");
    env.write_config(&json!({"backends": {"chroma": {
        "endpoint": ch.url("/ingest"), "redaction_mode": "Paranoid"}}}));
    let out = prompt_with_mail_and_ip(&env);
    assert!(
        stderr(&out).contains("backends.chroma.redaction_mode"),
        "{}",
        stderr(&out)
    );
    let v = ch.server.received()[0].json();
    assert_eq!(v["data"]["prompt"], "ask [EMAIL] about [IP]");
}

#[test]
fn a_file_section_wins_over_the_environment() {
    let file_bb = contract::bloodbank();
    let env_bb = contract::bloodbank();
    let mut env = TestEnv::new("precedence");
    env.set_env("BLOODBANK_URL", &env_bb.url(""));
    env.set_env("BLOODBANK_ENABLED", "true");
    env.write_config(&json!({"backends": {"bloodbank": {"url": file_bb.url("")}}}));
    run_ok(&env, "UserPromptSubmit");
    assert_eq!(file_bb.accepted().len(), 1);
    assert!(env_bb.server.received().is_empty());
}

#[test]
fn hook_backend_url_and_key_configure_a_webhook() {
    let wh = contract::webhook(Some("hk-fake-env-key"), None);
    let mut env = TestEnv::new("hook-backend-env");
    // A bare base URL gets the custom-backend example's /events.
    env.set_env("HOOK_BACKEND_URL", &wh.url(""));
    env.set_env("HOOK_API_KEY", "hk-fake-env-key");
    let out = run_ok(&env, "Stop");
    assert_eq!(stderr(&out), "");
    assert_eq!(wh.accepted(), ["/events"]);
}
