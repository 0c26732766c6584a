//! Built-in sample HookInputs (from `hooks/events/`), for `hookrelay send`: one
//! real captured input per event, sent through the whole pipeline with a fresh
//! session id and the current directory, to try a setup without Claude Code.

use std::path::Path;

use serde_json::Value;

use crate::config;
use crate::error::{self, Problem};
use crate::exit::Code;
use crate::protocol::events::{self, HookEvent};
use crate::protocol::input;
use crate::store::paths::Paths;

/// The built-in sample for `event` (the `sample` column of the events table).
pub fn sample(event: &str) -> Option<&'static str> {
    events::spec_of(event).map(|s| s.sample)
}

/// The sample for `event` as it will be sent: session id and cwd replaced.
pub fn prepared(event: &str, session: &str, cwd: &str) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_str(sample(event)?).expect("built-in samples are JSON");
    let map = v.as_object_mut().expect("built-in samples are objects");
    map.insert("session_id".into(), Value::String(session.into()));
    map.insert("cwd".into(), Value::String(cwd.into()));
    Some(serde_json::to_vec(&v).expect("json"))
}

/// `hookrelay send EVENT` / `hookrelay send --list`.
pub fn run(
    config_path: Option<&Path>,
    event: Option<&str>,
    session: Option<&str>,
    list: bool,
) -> Code {
    if list {
        for e in events::names() {
            println!("{e}");
        }
        return Code::Success;
    }
    let Some(event) = event else {
        error::report(Problem::new("name an event").fix("see `hookrelay send --list`"));
        return Code::NonBlocking;
    };
    let Some(canonical) = HookEvent::from_name_ignore_case(event).map(HookEvent::name) else {
        error::report(
            Problem::new(format!("no built-in sample for `{event}`")).fix(format!(
                "valid events: {}",
                events::names().collect::<Vec<_>>().join(", ")
            )),
        );
        return Code::NonBlocking;
    };
    let session = session
        .map(str::to_string)
        .unwrap_or_else(crate::enrich::uuid_v4);
    let cwd = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "/".into());
    let bytes = prepared(canonical, &session, &cwd).expect("listed sample exists");
    let raw = input::Raw {
        total: bytes.len(),
        bytes,
        read_error: None,
    };
    let code = crate::commands::hook::run(config_path, raw);
    summary(format_args!(
        "{canonical} (session {session}) -> {}",
        targets(config_path, canonical)
    ));
    code
}

/// `send`'s own closing line, not a problem: on stderr because stdout carries the
/// hook's answer. A closed stderr is ignored, as in `error::report`.
fn summary(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "hookrelay send: {line}");
}

/// Where the pipeline sends `event` with this config, for the summary line.
fn targets(config_path: Option<&Path>, event: &str) -> String {
    let config = match config::load(config_path) {
        Ok(l) => l.config,
        Err(_) => config::fallback(),
    };
    let mut out: Vec<String> = config
        .backends
        .for_event(event)
        .iter()
        .map(|b| b.name().to_string())
        .collect();
    if config.local_enabled() {
        out.push(format!(
            "local sink {}",
            Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref())
                .events_dir()
                .display()
        ));
    }
    if out.is_empty() {
        "no backend wants this event".into()
    } else {
        format!(
            "{} (delivery problems, if any, are listed above)",
            out.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_event_has_a_sample_named_for_it() {
        for e in events::names() {
            let s: Value = serde_json::from_str(sample(e).unwrap()).unwrap();
            assert_eq!(s["hook_event_name"], e);
        }
    }

    #[test]
    fn prepared_sets_session_and_cwd() {
        let b = prepared("Stop", "s-1", "/w").unwrap();
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(
            (v["session_id"].as_str(), v["cwd"].as_str()),
            (Some("s-1"), Some("/w"))
        );
        assert_eq!(v["hook_event_name"], "Stop");
    }
}
