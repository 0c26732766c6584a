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

/// The event `send` sends when none is named: harmless (no gate blocks on it)
/// and what a new session sends first.
pub const DEFAULT_EVENT: &str = "SessionStart";

/// The sample for `event` as it will be sent, consistent with itself: session
/// id, cwd and the transcript path Claude Code would use for them (the captured
/// one belongs to another session).
pub fn prepared(event: &str, session: &str, cwd: &str) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_str(sample(event)?).expect("built-in samples are JSON");
    let map = v.as_object_mut().expect("built-in samples are objects");
    map.insert("session_id".into(), Value::String(session.into()));
    map.insert("cwd".into(), Value::String(cwd.into()));
    if map.contains_key("transcript_path") {
        map.insert(
            "transcript_path".into(),
            Value::String(transcript_path(session, cwd)),
        );
    }
    Some(serde_json::to_vec(&v).expect("json"))
}

/// `~/.claude/projects/<cwd with every / and . as ->/<session>.jsonl`, as
/// Claude Code names a session's transcript.
fn transcript_path(session: &str, cwd: &str) -> String {
    let home = crate::commands::install::home_dir()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|| "~".into());
    let slug: String = cwd
        .chars()
        .map(|c| if c == '/' || c == '.' { '-' } else { c })
        .collect();
    format!("{home}/.claude/projects/{slug}/{session}.jsonl")
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
    let event = event.unwrap_or(DEFAULT_EVENT);
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
    let mut reports = Vec::new();
    let code = crate::commands::hook::run_reporting(config_path, raw, &mut reports);
    summary(format_args!("{canonical} (session {session})"));
    for r in &reports {
        summary(format_args!("  {}: {}", r.backend, r.what));
    }
    let local = local_sink(config_path);
    if let Some(local) = &local {
        summary(format_args!("  {local}"));
    }
    if reports.is_empty() && local.is_none() {
        summary(format_args!("  no backend wants this event"));
    }
    let missed = reports.iter().filter(|r| !r.delivered).count();
    if code == Code::Success && missed > 0 {
        summary(format_args!(
            "{missed} backend(s) did not take the event (see above); `hookrelay status` shows why it waits"
        ));
        return Code::Attention;
    }
    code
}

/// `send`'s own closing line, not a problem: on stderr because stdout carries the
/// hook's answer. A closed stderr is ignored, as in `error::report`.
fn summary(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "hookrelay send: {line}");
}

/// The local sink's line, when it is on with this config.
fn local_sink(config_path: Option<&Path>) -> Option<String> {
    let config = match config::load(config_path) {
        Ok(l) => l.config,
        Err(_) => config::fallback(),
    };
    config.local_enabled().then(|| {
        format!(
            "local sink: kept in {}",
            Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref())
                .events_dir()
                .display()
        )
    })
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
        let t = v["transcript_path"].as_str().unwrap();
        assert!(t.ends_with("/.claude/projects/-w/s-1.jsonl"), "{t}");
    }
}
