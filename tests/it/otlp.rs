//! The OTLP/HTTP logs backend against a strict collector (every request checked by
//! the `opentelemetry-proto`-based validator): every Claude Code event becomes a
//! valid LogRecord with Claude Code's attribute names; hookrelay's variables come
//! before the OTEL ones; a gRPC setup is refused in one line; throttling is spooled
//! and flushed, a partial success said, a 400 dead-lettered, a 401 held; prompt
//! text only when switched on.

use serde_json::{Value, json};

use crate::testenv::otlp::{Collector, attr, resource_attr};
use crate::testenv::server::{Reply, dead_port};
use crate::testenv::spool::{dead_letters, raw_spool_lines, run_ok};
use crate::testenv::{TestEnv, assert_exit, assert_stderr_has, fixture_line, fixtures, stderr};

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Delivery settings generous enough for a loaded machine (the validator
/// runs in Python, and the suite runs in parallel on few cores).
fn generous() -> Value {
    json!({ "deadline_ms": 10_000, "session_end_deadline_ms": 10_000 })
}

/// A user with no backend in the config file (only `generous` delivery).
fn plain_user(tag: &str) -> TestEnv {
    let env = TestEnv::new(tag);
    env.write_config(&json!({ "delivery": generous() }));
    env
}

/// A user whose hook sends to `collector` through `HOOKRELAY_OTLP_ENDPOINT`.
fn user(tag: &str, collector: &Collector) -> TestEnv {
    let mut env = plain_user(tag);
    env.set_env("HOOKRELAY_OTLP_ENDPOINT", &collector.base());
    env
}

fn s(v: &str) -> Option<Value> {
    Some(json!(v))
}

/// Every fixture, in both encodings, plain and gzipped (Python's zlib inflates
/// it), passes the strict validator with the contract's mapping.
#[test]
fn every_event_is_a_valid_log_record_with_claude_codes_keys() {
    for (protocol, compression) in [
        ("http/json", "none"),
        ("http/protobuf", "none"),
        ("http/json", "gzip"),
        ("http/protobuf", "gzip"),
    ] {
        let c = Collector::start();
        let mut env = user("otlp-all", &c);
        env.set_env("HOOKRELAY_OTLP_PROTOCOL", protocol);
        env.set_env("HOOKRELAY_OTLP_COMPRESSION", compression);
        let all = fixtures();
        for (event, line) in &all {
            let out = env.hook(line);
            assert!(
                !stderr(&out).contains("otlp"),
                "{protocol} {event}: {}",
                stderr(&out)
            );
        }
        c.wait_for(all.len());
        c.assert_all_valid();
        let gzipped = c
            .server
            .received()
            .iter()
            .filter(|r| r.header("content-encoding") == Some("gzip"))
            .count();
        assert_eq!(gzipped, if compression == "gzip" { all.len() } else { 0 });
        let requests = c.valid();
        assert_eq!(
            requests.len(),
            all.len(),
            "{protocol}: one request per event"
        );
        for ((event, line), request) in all.iter().zip(&requests) {
            let input: Value = serde_json::from_slice(line).unwrap();
            let r = &request["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
            let what = format!("{protocol} {compression} {event}");
            assert_eq!(
                r["eventName"],
                format!("hookrelay.hook.{}", snake(event)),
                "{what}"
            );
            assert_eq!(attr(r, "hook_event"), s(event), "{what}");
            assert_eq!(
                attr(r, "session.id"),
                Some(input["session_id"].clone()),
                "{what}"
            );
            for (from, to) in [
                ("prompt_id", "prompt.id"),
                ("tool_use_id", "tool_use_id"),
                ("tool_name", "tool_name"),
            ] {
                if let Some(v) = input.get(from) {
                    assert_eq!(attr(r, to).as_ref(), Some(v), "{what}: {to}");
                }
            }
            let severity = match event.as_str() {
                "PostToolUseFailure" | "StopFailure" => 17,
                "PermissionDenied" => 13,
                _ => 9,
            };
            assert_eq!(r["severityNumber"], severity, "{what}");
            assert_eq!(
                resource_attr(request, "service.name"),
                s("hookrelay"),
                "{what}"
            );
            assert!(resource_attr(request, "host.name").is_some(), "{what}");
            assert!(resource_attr(request, "os.type").is_some(), "{what}");
            // Content stays home by default.
            for gated in ["prompt", "response", "tool_input", "tool_response"] {
                assert_eq!(attr(r, gated), None, "{what}: {gated}");
            }
        }
        let failure = &c.records()[all
            .iter()
            .position(|(e, _)| e == "PostToolUseFailure")
            .unwrap()];
        assert_eq!(failure["severityText"], "ERROR");
        assert_eq!(attr(failure, "error.type"), s("tool_error"));
        assert_eq!(attr(failure, "success"), s("false"));
        assert_eq!(
            attr(failure, "gen_ai.tool.call.id"),
            attr(failure, "tool_use_id")
        );
    }
}

#[test]
fn prompt_text_is_sent_only_when_switched_on() {
    let c = Collector::start();
    let mut env = user("otlp-prompts", &c);
    assert_exit(&env.hook(&fixture_line("UserPromptSubmit")), 0);
    env.set_env("HOOKRELAY_OTLP_LOG_USER_PROMPTS", "1");
    assert_exit(&env.hook(&fixture_line("UserPromptSubmit")), 0);
    c.wait_for(2);
    c.assert_all_valid();
    let r = c.records();
    assert_eq!(attr(&r[0], "prompt"), None);
    assert_eq!(
        attr(&r[0], "prompt_length"),
        s("9"),
        "int64 decoded as a string"
    );
    assert_eq!(attr(&r[1], "prompt"), s("say hello"));
}

#[test]
fn hookrelay_variables_come_before_the_otel_ones() {
    let own = Collector::start();
    let otel = Collector::start();
    let mut env = user("otlp-precedence", &own);
    env.set_env("HOOKRELAY_OTLP_HEADERS", "X-Scope-OrgID=team-a");
    env.set_env("OTEL_EXPORTER_OTLP_ENDPOINT", &otel.base());
    env.set_env(
        "OTEL_EXPORTER_OTLP_HEADERS",
        "Authorization=Bearer otel-token",
    );
    assert_exit(&env.hook(&fixture_line("SessionStart")), 0);
    own.wait_for(1);
    own.assert_all_valid();
    let got = own.server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("x-scope-orgid"), Some("team-a"));
    assert_eq!(
        got[0].header("authorization"),
        None,
        "the OTEL token stays with the OTEL endpoint"
    );
    assert!(otel.server.received().is_empty());

    // The OTEL set alone is used as a whole: its endpoint (+ v1/logs), its headers.
    let mut env = plain_user("otlp-otel-only");
    env.set_env("OTEL_EXPORTER_OTLP_ENDPOINT", &otel.base());
    env.set_env(
        "OTEL_EXPORTER_OTLP_HEADERS",
        "Authorization=Bearer%20otel-token",
    );
    assert_exit(&env.hook(&fixture_line("SessionStart")), 0);
    otel.wait_for(1);
    otel.assert_all_valid();
    let got = otel.server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/v1/logs");
    assert_eq!(got[0].header("authorization"), Some("Bearer otel-token"));
}

#[test]
fn a_grpc_setup_is_refused_in_one_line_and_the_event_kept() {
    let c = Collector::start();
    let mut env = plain_user("otlp-grpc");
    // Claude Code's quick-start, copied into the hook command.
    env.set_env(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        &format!("http://127.0.0.1:{}", c.server.port),
    );
    env.set_env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    let out = env.hook(&fixture_line("PreToolUse"));
    // Exit 1, as for any config error: Claude Code shows the line, and goes on.
    assert_exit(&out, 1);
    assert_stderr_has(
        &out,
        "$OTEL_EXPORTER_OTLP_PROTOCOL: `grpc` is OTLP over gRPC",
    );
    assert_stderr_has(&out, "HOOKRELAY_OTLP_ENDPOINT");
    let line = stderr(&out)
        .lines()
        .find(|l| l.contains("grpc"))
        .unwrap()
        .to_string();
    assert!(line.contains("4318"), "{line}");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(
        c.server.received().is_empty(),
        "nothing is POSTed to a gRPC setup"
    );
    assert_eq!(env.kept().len(), 1, "the event is kept locally");
}

#[test]
fn throttling_is_spooled_and_flushed() {
    for status in [429, 502, 503, 504] {
        let c = Collector::start();
        c.then(
            Reply::json(status, r#"{"code":8,"message":"slow down"}"#).header("Retry-After", "120"),
        );
        let env = user("otlp-busy", &c);
        let out = env.hook(&fixture_line("PostToolUse"));
        assert_exit(&out, 0);
        assert_stderr_has(&out, &format!("otlp: not delivered ({status}"));
        assert_eq!(raw_spool_lines(&env, "otlp").len(), 1, "{status}");
        assert!(dead_letters(&env, "otlp").is_empty(), "{status}");
        let mut events = 1;
        if status == 429 {
            // Past the breaker's own first cool-down (1 s + 20 % jitter at most):
            // only the collector's Retry-After keeps the next hook from probing.
            std::thread::sleep(std::time::Duration::from_millis(1_500));
            assert_exit(&env.hook(&fixture_line("PostToolUse")), 0);
            events += 1;
            assert_eq!(c.verdicts().len(), 1, "asked for 120 s and probed anyway");
            assert_eq!(raw_spool_lines(&env, "otlp").len(), 2);
        }

        // `flush` does not wait: the operator asked.
        let out = run_ok(&env, &["flush"]);
        c.wait_for(events + 1);
        c.assert_all_valid();
        assert_eq!(c.valid().len(), events + 1, "{status}: {}", stderr(&out));
        // The replay is the same record.
        assert_eq!(c.valid()[0], c.valid()[1]);
        let (v, _) = crate::testenv::spool::status_json(&env);
        let otlp = &v["backends"][0];
        assert_eq!(otlp["name"], "otlp");
        assert_eq!(otlp["spool_events"], 0, "{otlp}");
        assert_eq!(otlp["dead_letters"], 0, "{otlp}");
    }
}

#[test]
fn a_partial_success_is_delivered_and_said() {
    let c = Collector::start();
    c.then(Reply::json(
        200,
        r#"{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"log record too old"}}"#,
    ));
    let env = user("otlp-partial", &c);
    let out = env.hook(&fixture_line("Stop"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "rejected 1 log record(s): log record too old");
    assert!(raw_spool_lines(&env, "otlp").is_empty(), "not retried");
    assert!(dead_letters(&env, "otlp").is_empty());
    c.assert_all_valid();

    // The same answer in protobuf, to a protobuf request:
    // ExportLogsServiceResponse { partial_success { rejected_log_records: 2, error_message: "x" } }.
    let c = Collector::start();
    c.then(Reply {
        body: vec![0x0a, 0x05, 0x08, 0x02, 0x12, 0x01, b'x'],
        content_type: "application/x-protobuf",
        ..Reply::json(200, "")
    });
    let mut env = user("otlp-partial-pb", &c);
    env.set_env("HOOKRELAY_OTLP_PROTOCOL", "http/protobuf");
    let out = env.hook(&fixture_line("Stop"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "rejected 2 log record(s): x");
    assert!(raw_spool_lines(&env, "otlp").is_empty(), "not retried");
    c.assert_all_valid();
}

#[test]
fn a_400_is_a_dead_letter_and_a_401_is_held() {
    // OTLP: 400 and every status outside 429/502/503/504 must not be retried.
    for status in [400, 500] {
        let c = Collector::start();
        c.then(Reply::json(status, r#"{"code":3,"message":"unparsable"}"#));
        let env = user("otlp-400", &c);
        let out = env.hook(&fixture_line("Notification"));
        assert_exit(&out, 0);
        assert_stderr_has(&out, "otlp: refused event");
        let dl = dead_letters(&env, "otlp");
        assert_eq!(dl.len(), 1, "{status}");
        assert!(dl[0].to_string().contains("unparsable"), "{}", dl[0]);
        assert!(raw_spool_lines(&env, "otlp").is_empty(), "{status}");
        c.assert_all_valid();
    }

    let c = Collector::start();
    c.then(Reply::json(401, r#"{"code":16,"message":"no token"}"#));
    let env = user("otlp-401", &c);
    let out = env.hook(&fixture_line("Notification"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "HOOKRELAY_OTLP_HEADERS");
    assert_eq!(raw_spool_lines(&env, "otlp").len(), 1, "held, not dropped");
    assert!(
        dead_letters(&env, "otlp").is_empty(),
        "never blamed on the event"
    );
    // Once the credentials are right, flush delivers it.
    run_ok(&env, &["flush"]);
    c.wait_for(2);
    c.assert_all_valid();
    assert_eq!(c.valid().len(), 2);
}

#[test]
fn a_collector_that_is_down_keeps_the_event() {
    let mut env = TestEnv::new("otlp-down");
    env.set_env(
        "HOOKRELAY_OTLP_ENDPOINT",
        &format!("http://127.0.0.1:{}", dead_port()),
    );
    let out = env.hook(&fixture_line("SessionEnd"));
    assert_exit(&out, 0);
    assert_stderr_has(&out, "otlp: not delivered");
    assert_eq!(raw_spool_lines(&env, "otlp").len(), 1);
}

#[test]
fn a_config_file_section_with_tool_details() {
    let c = Collector::start();
    let other = Collector::start();
    let mut env = TestEnv::new("otlp-file");
    env.write_config(&json!({
        "backends": { "otlp": {
            "endpoint": format!("{}/v1/logs", c.base()),
            "headers": { "Authorization": "Bearer ${OTLP_TOKEN}" },
            "service_name": "claude-hooks",
            "compression": "gzip",
            "include_tool_details": true
        } },
        "delivery": generous()
    }));
    env.set_env("OTLP_TOKEN", "file-token");
    // The file's endpoint wins over the variable.
    env.set_env("HOOKRELAY_OTLP_ENDPOINT", &other.base());
    let out = env.hook(&fixture_line("PostToolUseFailure"));
    assert_exit(&out, 0);
    c.wait_for(1);
    c.assert_all_valid();
    assert!(other.server.received().is_empty());
    assert_eq!(
        c.server.received()[0].header("authorization"),
        Some("Bearer file-token")
    );
    let request = &c.valid()[0];
    assert_eq!(resource_attr(request, "service.name"), s("claude-hooks"));
    let r = &c.records()[0];
    assert_eq!(attr(r, "error"), s("Exit code 3\noops"));
    let input: Value =
        serde_json::from_str(attr(r, "tool_input").unwrap().as_str().unwrap()).unwrap();
    assert_eq!(input["command"], "echo oops >&2; exit 3");
    assert_eq!(attr(r, "prompt"), None);
}

/// POSTs `body` to the collector by hand; returns the raw answer.
fn post(c: &Collector, content_type: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", c.server.port)).unwrap();
    write!(
        s,
        "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// The harness itself: what the validator refuses, the collector answers 400 with
/// the validator's message (as a real collector would), and records as invalid.
#[test]
fn the_strict_collector_refuses_what_the_validator_refuses() {
    let c = Collector::start();
    let snake = r#"{"resource_logs":[]}"#;
    let answer = post(&c, "application/json", snake);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("lowerCamelCase"), "{answer}");
    let int_time = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"x"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":1}]}]}]}"#;
    assert!(post(&c, "application/json", int_time).starts_with("HTTP/1.1 400"));
    assert!(post(&c, "text/plain", "{}").starts_with("HTTP/1.1 415"));
    assert_eq!(c.valid().len(), 0);
    assert_eq!(c.verdicts().len(), 3);
    let ok = int_time.replace(r#""timeUnixNano":1"#, r#""timeUnixNano":"1""#);
    assert!(post(&c, "application/json", &ok).starts_with("HTTP/1.1 200"));
    assert_eq!(c.valid().len(), 1);
}
