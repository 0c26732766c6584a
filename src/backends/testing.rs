//! Test helpers shared by the backend modules (and the config loader's tests above
//! them): an envelope built from a captured fixture the way `enrich` builds one,
//! checks every body must pass, and an environment from a list of pairs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::HttpResponse;
use crate::protocol::envelope::{
    Agent, Envelope, GitInfo, Host, Known, RedactionReport, SessionCounters,
};
use crate::protocol::events::HookEvent;

/// The fixture `hooks/events/<event>.json` wrapped in a fully
/// enriched envelope with fixed id, time, host, git and session counters.
pub fn envelope(event: &str) -> Envelope {
    let path = format!("{}/hooks/events/{event}.json", env!("CARGO_MANIFEST_DIR"));
    let input: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let agent_id = input
        .get("agent_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Envelope {
        id: "8d0f6a52-3c1e-4b7a-9f2d-5e8c1a7b3d40".into(),
        ts: "2026-11-22T00:50:38.378Z".into(),
        hook_event_name: event.into(),
        session_id: input["session_id"].as_str().unwrap().into(),
        input,
        hookrelay: Agent {
            version: "0.1.0".into(),
        },
        host: Host {
            name: "devbox".into(),
            user: "dev".into(),
            os: "linux".into(),
            arch: "x86_64".into(),
            remote: false,
        },
        git: Some(GitInfo {
            branch: Some("main".into()),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: Some(true),
            remote: Some("https://git.example.test/acme/proj.git".into()),
        }),
        project: Some("proj".into()),
        project_dir: Some("/tmp/h2/proj".into()),
        run_id: None,
        agent_id,
        session: Some(SessionCounters {
            first_seen: "2026-11-22T00:49:23.000Z".into(),
            duration_ms: 75_378,
            events: 9,
            turn: 2,
            tool_calls: 3,
            tools: BTreeMap::from([("Bash".to_string(), 2), ("Read".to_string(), 1)]),
            last_assistant_message: HookEvent::SessionEnd
                .is(event)
                .then(|| "Done. Tool said: hello-from-hook-test".to_string()),
            last_turn_error: None,
            known: Known {
                start: true,
                turns: true,
                tool_calls: true,
                turn_ends: true,
            },
            duplicate: false,
        }),
        redaction: RedactionReport {
            applied: true,
            rules: BTreeMap::new(),
        },
        decision: None,
    }
}

/// Every fixture's event name.
pub fn all_events() -> Vec<String> {
    let dir = format!("{}/hooks/events", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Fails with the path of the first `null` found anywhere in `v`.
pub fn assert_no_nulls(v: &Value) {
    fn walk(v: &Value, at: &str) {
        match v {
            Value::Null => panic!("null at {at}"),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &format!("{at}[{i}]"))),
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{at}.{k}"))),
            _ => {}
        }
    }
    walk(v, "$");
}

pub fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        body: body.as_bytes().to_vec(),
        ..HttpResponse::default()
    }
}

/// An environment from a list of pairs (what `apply_env` reads instead of the
/// process environment in tests).
pub fn env_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

/// A loopback port that accepts one connection and never answers (held for 3 s):
/// a hanging backend. Join the handle at the end of the test.
pub fn silent_server() -> (u16, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let c = l.accept();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(c);
    });
    (port, hold)
}
