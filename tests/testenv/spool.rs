//! Helpers for the spool, breaker and flush tests: a webhook config, events
//! tagged with a known `tool_use_id` (envelope ids are minted inside), and direct
//! access to the spool and breaker files.

use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::server::{Recorded, Reply, Server, dead_port};
use super::{TestEnv, stderr, stdout};

/// Runs a command (`flush`, `status`, ...) that must succeed; says why if not.
pub fn run_ok(env: &TestEnv, args: &[&str]) -> Output {
    let out = env.run(args, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "hookrelay {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// One generic webhook named `hook` at `url`, with these delivery settings.
pub fn webhook_config(url: &str, delivery: Value) -> Value {
    json!({
        "backends": { "webhooks": [ { "name": "hook", "url": url } ] },
        "delivery": delivery,
    })
}

/// Configures the webhook `hook` at a port with nothing listening (the backend is
/// down), with these delivery settings; returns the port, so the backend can come
/// back on it with [`backend_back_on`].
pub fn webhook_down(env: &TestEnv, delivery: Value) -> u16 {
    let port = dead_port();
    env.write_config(&webhook_config(
        &format!("http://127.0.0.1:{port}/events"),
        delivery,
    ));
    port
}

/// The backend comes back on `port`, accepting every request.
pub fn backend_back_on(port: u16) -> Server {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    Server::start_on(listener, |_| Reply::json(200, r#"{"ok":true}"#))
}

/// The tags a backend accepted, in the order it accepted them.
pub type Accepted = Arc<Mutex<Vec<String>>>;

/// A flaky backend: request number `n` (from 0) is refused with `refusal` when
/// `refuses(n)`, otherwise accepted with `acceptance` and its tag recorded.
pub fn flaky_backend(
    refuses: impl Fn(usize) -> bool + Send + Sync + 'static,
    refusal: Reply,
    acceptance: Reply,
) -> (Server, Accepted) {
    let n = AtomicUsize::new(0);
    let accepted: Accepted = Arc::default();
    let acc = accepted.clone();
    let server = Server::start(move |r| {
        if refuses(n.fetch_add(1, Ordering::SeqCst)) {
            refusal.clone()
        } else {
            acc.lock().unwrap().push(tag_of(r));
            acceptance.clone()
        }
    });
    (server, accepted)
}

/// The tags of the requests `server` received, in arrival order.
pub fn received_tags(server: &Server) -> Vec<String> {
    server.received().iter().map(tag_of).collect()
}

/// A PostToolUse event whose `tool_use_id` is `t-<n>`.
pub fn tagged_event(n: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "session_id": "s-spool",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": "/tmp",
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": { "command": format!("echo {n}") },
        "tool_response": { "stdout": format!("{n}\n") },
        "tool_use_id": format!("t-{n}"),
    }))
    .unwrap()
}

pub fn tag(n: usize) -> String {
    format!("t-{n}")
}

/// The tag of a request the webhook received.
pub fn tag_of(r: &Recorded) -> String {
    r.json()["input"]["tool_use_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn spool_dir(env: &TestEnv, backend: &str) -> PathBuf {
    env.data_dir().join("spool").join(backend)
}

/// Segment files of a spool, oldest first.
pub fn segments(env: &TestEnv, backend: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(spool_dir(env, backend)) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("seg-"))
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Every line of every segment (from the start: for spools nothing drained yet).
pub fn raw_spool_lines(env: &TestEnv, backend: &str) -> Vec<String> {
    segments(env, backend)
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Tags of the events waiting in a spool (after its cursor).
pub fn spooled_tags(env: &TestEnv, backend: &str) -> Vec<String> {
    let dir = spool_dir(env, backend);
    let cursor: Value = std::fs::read(dir.join("cursor"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(json!({}));
    let (cseg, coff) = (
        cursor["seg"].as_u64().unwrap_or(0),
        cursor["offset"].as_u64().unwrap_or(0) as usize,
    );
    let mut out = Vec::new();
    for p in segments(env, backend) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let seq: u64 = name[4..name.len() - 6].parse().unwrap();
        if seq < cseg {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let from = if seq == cseg { coff } else { 0 };
        for line in bytes[from..].split(|b| *b == b'\n') {
            if let Ok(v) = serde_json::from_slice::<Value>(line)
                && let Some(t) = v["envelope"]["input"]["tool_use_id"].as_str()
            {
                out.push(t.to_string());
            }
        }
    }
    out
}

pub fn dead_letters(env: &TestEnv, backend: &str) -> Vec<Value> {
    super::read_jsonl(&spool_dir(env, backend).join("dead-letters.jsonl"))
}

pub fn breaker_file(env: &TestEnv, backend: &str) -> PathBuf {
    env.state_dir()
        .join("breakers")
        .join(format!("{backend}.json"))
}

/// Sets the breaker's state directly (e.g. open for an hour, or cool-down over).
pub fn set_breaker(env: &TestEnv, backend: &str, failures: u32, open_until_ms: u64) {
    let p = breaker_file(env, backend);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(
        p,
        serde_json::to_vec(&json!({
            "failures": failures,
            "open_until": open_until_ms,
            "last_error": "set by the test",
        }))
        .unwrap(),
    )
    .unwrap();
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `status --json` parsed, and its exit code.
pub fn status_json(env: &TestEnv) -> (Value, i32) {
    let out = env.run(&["status", "--json"], b"");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("status --json: {e}: {}", super::stdout(&out)));
    (v, out.status.code().unwrap())
}

/// A tiny xorshift generator (no rand crate), seeded from the clock and printed
/// so a failing run can be reproduced.
pub struct Rng(u64);

impl Rng {
    pub fn from_clock(name: &str) -> Rng {
        let seed = std::env::var("HOOKRELAY_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| now_ms() ^ 0x9E37_79B9_7F4A_7C15);
        eprintln!("{name}: HOOKRELAY_TEST_SEED={seed}");
        // splitmix64, so that close seeds give unrelated sequences.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
