//! `hookrelay doctor` proves each backend with its credentials and creates no
//! event: against the strict fakes (which answer probes as the real services do:
//! the bridge and OrgLoop check the key or signature before the body) and the
//! real nats-server. A wrong key or secret is an error naming its variable; a
//! part that only an event could prove is said, with `hookrelay send`; every
//! fake records no accepted event, the NATS stream stays empty; no line repeats
//! its URL.

use serde_json::{Value, json};

use crate::testenv::backends as contract;
use crate::testenv::nats::NatsServer;
use crate::testenv::otlp::{Collector, Verdict};
use crate::testenv::server::dead_port;
use crate::testenv::*;

/// `doctor --json`: its exit code and the one `backend <name>` check.
fn backend_check(env: &TestEnv, name: &str) -> (Option<i32>, Value) {
    let out = env.run(&["doctor", "--json"], b"");
    let v: Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("doctor --json ({e}): {}", stdout(&out)));
    let c = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == format!("backend {name}"))
        .unwrap_or_else(|| panic!("no `backend {name}` check: {v:#}"))
        .clone();
    (out.status.code(), c)
}

fn text(c: &Value, field: &str) -> String {
    c[field].as_str().unwrap_or("").to_string()
}

/// A URL appears at most once in a line (`http://…: http://…: …` before).
fn assert_url_once(line: &str) {
    for scheme in ["http://", "https://", "nats://"] {
        assert!(
            line.matches(scheme).count() <= 1,
            "the URL is repeated: {line}"
        );
    }
}

#[test]
fn chroma_a_wrong_key_is_an_error_naming_zo_api_key_and_the_right_one_is_accepted() {
    let bridge = contract::chroma(Some("zo-right-key"));
    let mut env = TestEnv::new("probe-chroma");
    env.set_env("ZO_EVENT_ENDPOINT", &bridge.url("/ingest"));
    env.set_env("ZO_API_KEY", "zo-wrong-key");
    let (code, c) = backend_check(&env, "chroma");
    assert_eq!(code, Some(3), "{c:#}");
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(text(&c, "fix").contains("ZO_API_KEY"), "{c:#}");
    assert!(!text(&c, "message").contains("zo-wrong-key"), "{c:#}");
    assert_url_once(&text(&c, "message"));

    env.set_env("ZO_API_KEY", "zo-right-key");
    let (_, c) = backend_check(&env, "chroma");
    assert_eq!(c["status"], "ok", "{c:#}");
    assert!(text(&c, "message").contains("key accepted"), "{c:#}");

    // No key at all against a bridge that wants one.
    let mut env = TestEnv::new("probe-chroma-nokey");
    env.set_env("ZO_EVENT_ENDPOINT", &bridge.url("/ingest"));
    let (_, c) = backend_check(&env, "chroma");
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(text(&c, "fix").contains("ZO_API_KEY"), "{c:#}");

    assert!(bridge.accepted().is_empty(), "doctor stored an event");
    assert_eq!(bridge.refused().len(), 3, "{:?}", bridge.refused());
}

#[test]
fn orgloop_a_wrong_or_missing_secret_is_an_error_naming_the_variable() {
    let orgloop = contract::orgloop(Some("whsec-right"));
    for (secret, ok) in [
        (Some("whsec-wrong"), false),
        (None, false),
        (Some("whsec-right"), true),
    ] {
        let mut env = TestEnv::new("probe-orgloop");
        env.set_env("ORGLOOP_WEBHOOK_URL", &orgloop.url("/webhook/claude-code"));
        if let Some(s) = secret {
            env.set_env("CLAUDE_CODE_WEBHOOK_SECRET", s);
        }
        let (code, c) = backend_check(&env, "orgloop");
        if ok {
            assert_eq!(c["status"], "ok", "{c:#}");
            assert!(text(&c, "message").contains("secret accepted"), "{c:#}");
        } else {
            assert_eq!(code, Some(3), "{secret:?}: {c:#}");
            assert_eq!(c["status"], "error", "{secret:?}: {c:#}");
            assert!(
                text(&c, "fix").contains("CLAUDE_CODE_WEBHOOK_SECRET"),
                "{c:#}"
            );
        }
        assert_url_once(&text(&c, "message"));
    }
    assert!(
        orgloop.accepted().is_empty(),
        "doctor created an OrgLoop event"
    );
    // A wrong source id is named too.
    let mut env = TestEnv::new("probe-orgloop-source");
    env.set_env("ORGLOOP_WEBHOOK_URL", &orgloop.url("/webhook/claude-cod"));
    env.set_env("CLAUDE_CODE_WEBHOOK_SECRET", "whsec-right");
    let (_, c) = backend_check(&env, "orgloop");
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(text(&c, "message").contains("source id"), "{c:#}");
}

#[test]
fn bloodbank_http_says_rabbitmq_was_not_checked_and_offers_send() {
    let bb = contract::bloodbank();
    let env = TestEnv::new("probe-bb-http");
    env.write_config(&json!({"backends": {"bloodbank": {"url": bb.url("")}}}));
    let (code, c) = backend_check(&env, "bloodbank");
    assert_eq!(code, Some(0), "{c:#}");
    assert_eq!(c["status"], "ok", "{c:#}");
    let m = text(&c, "message");
    assert!(m.contains("/healthz answered 200"), "{m}");
    assert!(
        m.contains("RabbitMQ") && m.contains("could not be checked"),
        "{m}"
    );
    assert!(text(&c, "fix").contains("hookrelay send"), "{c:#}");
    assert!(bb.published().is_empty(), "doctor published to Bloodbank");
    // The human form prints that fix on the ok line.
    let out = env.run(&["doctor"], b"");
    assert_stdout_has(&out, "`hookrelay send`");
    assert!(
        stdout(&out).contains("      fix: to prove it"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_webhook_with_a_key_says_the_key_cannot_be_proven_without_an_event() {
    let hook = contract::webhook(Some("team-key"), None);
    let env = TestEnv::new("probe-webhook");
    env.write_config(&json!({"backends": {"webhooks": [
        {"name": "team", "url": hook.url("/events"), "api_key": "wrong-key"}
    ]}}));
    let (_, c) = backend_check(&env, "team");
    assert_eq!(c["status"], "ok", "{c:#}");
    let m = text(&c, "message");
    assert!(m.contains("reachable") && m.contains("key"), "{m}");
    assert!(text(&c, "fix").contains("hookrelay send"), "{c:#}");
    assert!(hook.accepted().is_empty());
    assert!(
        hook.server
            .received()
            .iter()
            .all(|r| r.method == "GET" && r.header("x-api-key").is_none()),
        "the probe sends no event and no credential"
    );
}

#[test]
fn otlp_an_empty_export_proves_the_collector_and_stores_nothing() {
    let collector = Collector::start();
    let mut env = TestEnv::new("probe-otlp");
    env.set_env("HOOKRELAY_OTLP_ENDPOINT", &collector.base());
    env.set_env("HOOKRELAY_OTLP_HEADERS", "Authorization=Bearer t0k");
    let (_, c) = backend_check(&env, "otlp");
    assert_eq!(c["status"], "ok", "{c:#}");
    assert!(
        text(&c, "message").contains("accepted an empty export"),
        "{c:#}"
    );
    let v = collector.verdicts();
    assert!(matches!(v.as_slice(), [Verdict::Empty]), "{v:?}");
    assert!(collector.records().is_empty());
    assert_eq!(
        collector.server.received()[0].header("authorization"),
        Some("Bearer t0k"),
        "the probe carries the credentials"
    );
}

#[test]
fn a_dead_backend_is_one_line_without_the_url_repeated() {
    let port = dead_port();
    let mut env = TestEnv::new("probe-dead");
    env.set_env(
        "ZO_EVENT_ENDPOINT",
        &format!("http://127.0.0.1:{port}/ingest"),
    );
    let (_, c) = backend_check(&env, "chroma");
    assert_eq!(c["status"], "error", "{c:#}");
    let m = text(&c, "message");
    assert!(m.contains("connection refused"), "{m}");
    assert_url_once(&m);
    assert!(text(&c, "fix").contains("start the service"), "{c:#}");
}

fn nats_user(nats: &NatsServer, tag: &str, token: &str) -> TestEnv {
    let env = TestEnv::new(tag);
    env.write_config(&json!({"backends": {"bloodbank": {"url": nats.url(), "token": token}}}));
    env
}

/// `STREAM.INFO` of BLOODBANK_EVENTS: the stream's message count, or `None`
/// when it does not exist.
fn stream_messages(nats: &NatsServer, token: &str) -> Option<u64> {
    let info = nats
        .client(json!({"auth_token": token}))
        .request_json("$JS.API.STREAM.INFO.BLOODBANK_EVENTS", &json!({}));
    info["state"]["messages"].as_u64()
}

#[test]
fn nats_login_and_stream_are_proven_and_a_wrong_token_or_missing_stream_is_an_error() {
    let token = "s3cret-nats-token";
    let nats = NatsServer::start("probe", &["--auth", token]);

    // No stream yet: login proven, the stream named.
    let env = nats_user(&nats, "probe-nats-nostream", token);
    let (code, c) = backend_check(&env, "bloodbank");
    assert_eq!(code, Some(3), "{c:#}");
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(text(&c, "message").contains("login accepted"), "{c:#}");
    assert!(text(&c, "fix").contains("BLOODBANK_EVENTS"), "{c:#}");
    assert_eq!(
        stream_messages(&nats, token),
        None,
        "doctor created no stream"
    );

    nats.create_bloodbank_stream(json!({"auth_token": token}));
    let (_, c) = backend_check(&env, "bloodbank");
    assert_eq!(c["status"], "ok", "{c:#}");
    assert!(
        text(&c, "message").contains("BLOODBANK_EVENTS exists"),
        "{c:#}"
    );
    assert_url_once(&text(&c, "message"));

    let env = nats_user(&nats, "probe-nats-wrong", "wrong-token");
    let (code, c) = backend_check(&env, "bloodbank");
    assert_eq!(code, Some(3), "{c:#}");
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(text(&c, "fix").contains("token"), "{c:#}");
    assert!(!text(&c, "message").contains("wrong-token"), "{c:#}");

    assert_eq!(
        stream_messages(&nats, token),
        Some(0),
        "doctor published nothing"
    );
}
