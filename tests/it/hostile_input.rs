//! Input a real producer may send that is not tidy JSON over a tidy pipe, through
//! the built binary: lone UTF-16 surrogates (JavaScript's `JSON.stringify` of a
//! string cut mid-emoji), stdin left open after the event, stdout closed before
//! the answer is written. None may lose the event, hang or crash the hook.

use std::io::Write;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::testenv::backends as contract;
use crate::testenv::*;

/// Past this a hook counts as hung (the test then fails instead of blocking).
const HANG: Duration = Duration::from_secs(30);

/// A Stop event whose `last_text` is raw JSON string text (escapes and all),
/// spliced in byte for byte as a JavaScript producer writes it.
fn stop_with_text(json_string: &str) -> Vec<u8> {
    format!(r#"{{"session_id":"s-hostile","hook_event_name":"Stop","last_text":{json_string}}}"#)
        .into_bytes()
}

#[test]
fn lone_surrogates_from_javascript_are_kept_as_replacement_characters() {
    let env = TestEnv::new("surrogates");
    // The exact bytes JSON.stringify("ab😀".slice(0, 3)) yields: a lone high
    // surrogate; then a lone low one; then a high one before a non-surrogate.
    let cases = [
        (r#""ab\ud83d""#, "ab\u{fffd}"),
        (r#""\udc00 tail""#, "\u{fffd} tail"),
        (r#""x\uD83D\u0041""#, "x\u{fffd}A"),
        (r#""ok \ud83d\ude00""#, "ok \u{1f600}"),
    ];
    for (i, (json_string, want)) in cases.iter().enumerate() {
        let out = env.hook(&stop_with_text(json_string));
        assert_exit(&out, 0);
        let kept = env.kept();
        assert_eq!(kept.len(), i + 1, "{json_string}: event kept");
        assert_eq!(kept[i]["input"]["last_text"], *want, "{json_string}");
    }
    assert!(env.rejects().is_empty(), "nothing rejected");
}

/// The hook with stdin a pipe that this test writes `data` to and then keeps
/// open for 30 s (as `(printf …; sleep 30) | hookrelay` does): its output and
/// how long it took to exit.
fn hook_with_stdin_held_open(env: &TestEnv, data: &[u8]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = env.spawn(&[]);
    let mut sin = child.stdin.take().unwrap();
    sin.write_all(data).unwrap();
    sin.flush().unwrap();
    let (out, took) = wait_or_kill(child, started, HANG, "the hook");
    drop(sin); // held open until the hook has exited
    (out, took)
}

#[test]
fn stdin_left_open_after_a_complete_event_does_not_hang() {
    let env = TestEnv::new("stdin-open");
    let event = br#"{"session_id":"s-open","hook_event_name":"Stop","last_text":"} { \" ]"}"#;
    let (out, took) = hook_with_stdin_held_open(&env, event);
    assert_exit(&out, 0);
    assert!(took < Duration::from_secs(2), "exited after {took:?}");
    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["input"]["last_text"], "} { \" ]");
    assert!(env.rejects().is_empty());
}

#[test]
fn a_truncated_event_on_an_open_stdin_is_rejected_at_the_deadline() {
    let env = TestEnv::new("stdin-open-cut");
    let (out, took) =
        hook_with_stdin_held_open(&env, br#"{"session_id":"s-cut","hook_event_name":"Sto"#);
    assert_exit(&out, 1);
    assert!(took < Duration::from_secs(15), "exited after {took:?}");
    assert!(
        took >= Duration::from_secs(4),
        "gave up early, after {took:?}"
    );
    assert_stderr_has(&out, "without a complete JSON value");
    assert!(env.kept().is_empty());
    assert_eq!(env.rejects().len(), 1, "the cut input is kept as a reject");
}

#[test]
fn a_closed_stdout_does_not_crash_the_hook_and_the_event_is_kept() {
    let env = TestEnv::new("stdout-closed");
    env.write_config(&serde_json::json!({"policy": {"rules": [
        {"name": "no-rm-rf", "tool": "Bash", "command": "rm -rf /",
         "decision": "deny", "reason": "never"}
    ]}}));
    let mut event = fixture("PreToolUse");
    event["tool_input"]["command"] = "rm -rf /".into();
    let started = Instant::now();
    let mut child = env.spawn(&[]);
    // The read end of stdout is closed before the hook has read its input, so
    // its answer (a deny) meets a broken pipe.
    drop(child.stdout.take());
    let mut sin = child.stdin.take().unwrap();
    sin.write_all(&serde_json::to_vec(&event).unwrap()).unwrap();
    drop(sin);
    let (out, _) = wait_or_kill(child, started, HANG, "the hook");
    assert_ne!(out.status.code(), Some(134), "aborted: {}", stderr(&out));
    assert_exit(&out, 0);
    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["decision"]["outcome"], "deny");
}

/// A `Write` of `bytes` bytes of ordinary code with one made-up AWS key at the end.
fn large_write(bytes: usize) -> (Vec<u8>, String) {
    let line = "    let value = compute(&input, 42); // an ordinary line of code\n";
    let mut content = line.repeat(bytes / line.len());
    content.push_str("aws_key = AKIAQ3EGRCH7VWXE5ZTB\n");
    let mut event = fixture("PostToolUse");
    event["tool_name"] = "Write".into();
    event["tool_input"] = serde_json::json!({"file_path": "/tmp/big.rs", "content": content});
    (serde_json::to_vec(&event).unwrap(), content)
}

/// The ChromaDB bridge's share (shrunk to its 10 MB limit) is unit-tested
/// (`chroma::tests::long_text_is_cut_on_char_boundaries_and_huge_data_fits`), as
/// NATS's `max_payload` is in `bloodbank_nats`: this test keeps to the webhook, so
/// that a debug build on a busy machine still redacts 20 MB in time.
#[test]
fn a_20_mb_event_is_delivered_redacted_and_kept() {
    let wh = contract::webhook(None, None);
    let env = TestEnv::new("big-event");
    // A long deadline: a debug build takes seconds to redact 20 MB (the upload
    // allowance itself is the next test's).
    env.write_config(&serde_json::json!({"local": {"enabled": true},
        "delivery": {"deadline_ms": 10000},
        "backends": {"webhooks": [{"url": wh.url("/events")}]}}));
    let (event, content) = large_write(20 * 1024 * 1024);
    let out = env.hook(&event);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "delivered live, nothing spooled");
    wh.wait_for(1);
    assert_eq!(wh.refused(), Vec::<String>::new());
    assert_eq!(wh.accepted().len(), 1);
    let body = wh.server.received()[0].json();
    let sent = body["input"]["tool_input"]["content"].as_str().unwrap();
    assert!(
        !sent.contains("AKIAQ3EGRCH7VWXE5ZTB"),
        "the key is redacted"
    );
    let cut = content.len() - "AKIAQ3EGRCH7VWXE5ZTB\n".len();
    assert_eq!(sent[..cut], content[..cut], "the rest arrives whole");
    let kept = env.kept();
    assert_eq!(kept.len(), 1);
    assert!(env.rejects().is_empty());
}

/// A loopback webhook that reads request bodies at `bytes_per_s` (a slow link)
/// and answers 200 to each; returns its port and the sizes it received.
fn slow_reader(bytes_per_s: usize) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<usize>>>) {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let l = line.trim_end().to_ascii_lowercase();
                    if let Some(v) = l.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                    if l.is_empty() {
                        break;
                    }
                }
                let chunk = bytes_per_s / 10;
                let mut buf = vec![0u8; chunk];
                let mut left = len;
                while left > 0 {
                    let n = r.read(&mut buf[..chunk.min(left)]).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    left -= n;
                    std::thread::sleep(Duration::from_millis(100) * n as u32 / chunk as u32);
                }
                seen.lock().unwrap().push(len);
                let _ = out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            });
        }
    });
    (port, got)
}

/// With the default 1 s deadline, a 6 MB event to a backend that takes it in at
/// 5 MiB/s (about 1.2 s) is delivered live: a large body gets its upload time.
#[test]
fn a_large_event_gets_the_time_its_upload_needs() {
    let (port, got) = slow_reader(5 * 1024 * 1024);
    let env = TestEnv::new("big-upload");
    env.write_config(&serde_json::json!({"backends": {"webhooks": [
        {"url": format!("http://127.0.0.1:{port}/events")}]}}));
    let (event, _) = large_write(6 * 1024 * 1024);
    let out = env.hook(&event);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "delivered live, not spooled");
    assert_eq!(got.lock().unwrap().len(), 1);
}
