//! Claude Code's settings.json, as hookrelay edits it: parsing, merging
//! hookrelay's entries in, removing them, and writing the text back. Pure: no
//! file I/O here (the command, backups and messages are `commands::install`).
//!
//! Own entries are recognised by their command: a `type: "command"` handler whose
//! program (first word, quotes removed) is a file named `hookrelay`. Everything
//! else in the file is kept as it is, in its order; the file is re-serialized with
//! its own indent width and trailing newline.

use std::path::Path;

use serde_json::{Map, Value};

use crate::protocol::events::HookEvent;

/// Does this event's settings entry take a `matcher`? Events that ignore one get
/// no `matcher` key; unknown events get one.
pub fn takes_matcher(event: &str) -> bool {
    HookEvent::from_name(event).is_none_or(|e| e.spec().takes_matcher)
}

/// Is this handler one of hookrelay's? (a command whose program is named `hookrelay`)
pub fn is_ours(handler: &Value) -> bool {
    handler.get("type").and_then(Value::as_str) == Some("command")
        && handler
            .get("command")
            .and_then(Value::as_str)
            .and_then(program_of)
            .is_some_and(|p| Path::new(&p).file_name().is_some_and(|n| n == "hookrelay"))
}

/// The first word of a shell command, with surrounding quotes removed.
pub fn program_of(command: &str) -> Option<String> {
    let t = command.trim_start();
    let first = t.chars().next()?;
    if first == '\'' || first == '"' {
        let rest = &t[1..];
        let end = rest.find(first)?;
        Some(rest[..end].to_string())
    } else {
        Some(t.split_whitespace().next()?.to_string())
    }
}

/// What one install wants: a command and, per event, a timeout.
pub struct Wiring {
    pub command: String,
    pub events: Vec<(String, u64)>,
}

/// What a merge or removal did, per event, for the summary.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

/// A settings file that cannot be edited safely, with what to do.
#[derive(Debug)]
pub struct SettingsError(pub String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a settings file's text. Empty text is an empty object. Anything that is
/// not strict JSON is refused: rewriting it would drop comments or guess.
pub fn parse(path: &Path, text: &str) -> Result<Map<String, Value>, SettingsError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => {
            if let Some(h) = map.get("hooks")
                && !h.is_object()
            {
                return Err(SettingsError(format!(
                    "{}: `hooks` is not a JSON object; left untouched (fix it by hand, then re-run)",
                    path.display()
                )));
            }
            Ok(map)
        }
        Ok(_) => Err(SettingsError(format!(
            "{}: the top level is not a JSON object; left untouched (fix it by hand, then re-run)",
            path.display()
        ))),
        Err(e) => {
            let hint = if looks_like_jsonc(text) {
                " It looks like it has comments (JSONC): remove them, or add the hooks by hand \
                 from hooks/settings.all-events.json"
            } else {
                " Fix the syntax, then re-run"
            };
            Err(SettingsError(format!(
                "{}: not valid JSON ({e}); left untouched.{hint}",
                path.display()
            )))
        }
    }
}

/// Comments outside strings (`//` or `/*`): a cheap scan, used only for the hint.
fn looks_like_jsonc(text: &str) -> bool {
    let (mut in_str, mut esc) = (false, false);
    let b = text.as_bytes();
    for i in 0..b.len() {
        let c = b[i];
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'/' && matches!(b.get(i + 1), Some(b'/') | Some(b'*')) {
            return true;
        }
    }
    false
}

/// Makes hookrelay's entries in `root` exactly `wiring`: adds missing events,
/// updates command/timeout of its own handlers, drops its duplicate handlers and its
/// handlers on events no longer selected. Other handlers and keys are untouched.
pub fn merge(root: &mut Map<String, Value>, wiring: &Wiring) -> Result<Changes, SettingsError> {
    let mut changes = Changes::default();
    // Events no longer selected first: removal only touches our own handlers.
    let selected: Vec<&str> = wiring.events.iter().map(|(e, _)| e.as_str()).collect();
    if let Some(Value::Object(hooks)) = root.get_mut("hooks") {
        changes.removed = remove_ours(hooks, |e| !selected.contains(&e));
    }
    let had_hooks = root.contains_key("hooks");
    let hooks = root
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("checked by parse");
    for (event, timeout) in &wiring.events {
        let groups = hooks
            .entry(event.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        let Some(groups) = groups.as_array_mut() else {
            return Err(SettingsError(format!(
                "`hooks.{event}` is not an array; left untouched (fix it by hand, then re-run)"
            )));
        };
        let (found, updated) = update_ours(groups, &wiring.command, *timeout);
        if !found {
            groups.push(entry(event, &wiring.command, *timeout));
            changes.added.push(event.clone());
        } else if updated {
            changes.updated.push(event.clone());
        }
    }
    if !had_hooks && hooks.is_empty() {
        root.remove("hooks");
    }
    changes.removed.retain(|e| !selected.contains(&e.as_str()));
    Ok(changes)
}

/// Brings our handler in one event's groups to `command`/`timeout` and drops our
/// duplicates (and groups they leave empty). Returns (found ours, changed it).
fn update_ours(groups: &mut Vec<Value>, command: &str, timeout: u64) -> (bool, bool) {
    let mut found = false;
    let mut updated = false;
    for group in groups.iter_mut() {
        let Some(handlers) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
            continue;
        };
        let mut keep = Vec::with_capacity(handlers.len());
        for mut h in std::mem::take(handlers) {
            if !is_ours(&h) {
                keep.push(h);
                continue;
            }
            if found {
                updated = true; // a duplicate of ours: dropped
                continue;
            }
            found = true;
            if h.get("command").and_then(Value::as_str) != Some(command) {
                h["command"] = Value::String(command.to_string());
                updated = true;
            }
            if h.get("timeout").and_then(Value::as_u64) != Some(timeout) {
                h["timeout"] = Value::from(timeout);
                updated = true;
            }
            keep.push(h);
        }
        *handlers = keep;
    }
    // Groups emptied by dropping our duplicates go too.
    groups.retain(|g| {
        g.get("hooks")
            .and_then(Value::as_array)
            .is_none_or(|h| !h.is_empty())
    });
    (found, updated)
}

/// One settings entry for one event.
pub fn entry(event: &str, command: &str, timeout: u64) -> Value {
    let mut group = Map::new();
    if takes_matcher(event) {
        group.insert("matcher".into(), Value::String("*".into()));
    }
    let mut h = Map::new();
    h.insert("type".into(), Value::String("command".into()));
    h.insert("command".into(), Value::String(command.into()));
    h.insert("timeout".into(), Value::from(timeout));
    group.insert("hooks".into(), Value::Array(vec![Value::Object(h)]));
    Value::Object(group)
}

/// Removes hookrelay's handlers from every event (`uninstall`), and the groups,
/// event arrays and `hooks` object that become empty because of it.
pub fn remove(root: &mut Map<String, Value>) -> Changes {
    let mut changes = Changes::default();
    if let Some(Value::Object(hooks)) = root.get_mut("hooks") {
        changes.removed = remove_ours(hooks, |_| true);
        if hooks.is_empty() && !changes.removed.is_empty() {
            root.remove("hooks");
        }
    }
    changes
}

/// Removes our handlers from the events `which` selects; returns those events.
/// Containers are removed only when our removal emptied them.
fn remove_ours(hooks: &mut Map<String, Value>, which: impl Fn(&str) -> bool) -> Vec<String> {
    let mut removed = Vec::new();
    let mut empty_events = Vec::new();
    for (event, groups) in hooks.iter_mut() {
        if !which(event) {
            continue;
        }
        let Some(groups) = groups.as_array_mut() else {
            continue;
        };
        let mut touched = false;
        groups.retain_mut(|g| {
            let Some(handlers) = g.get_mut("hooks").and_then(Value::as_array_mut) else {
                return true;
            };
            let before = handlers.len();
            handlers.retain(|h| !is_ours(h));
            if handlers.len() == before {
                return true;
            }
            touched = true;
            !handlers.is_empty()
        });
        if touched {
            removed.push(event.clone());
            if groups.is_empty() {
                empty_events.push(event.clone());
            }
        }
    }
    for e in empty_events {
        hooks.shift_remove(&e);
    }
    removed
}

/// Serializes like the original: same indent (spaces or tab, detected from the
/// first indented line; 2 spaces when unknown), trailing newline when it had one.
pub fn render(root: &Map<String, Value>, original: Option<&str>) -> String {
    let indent = original
        .and_then(detect_indent)
        .unwrap_or_else(|| "  ".into());
    let newline = original.is_none_or(|o| o.ends_with('\n') || o.trim().is_empty());
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(root, &mut ser).expect("JSON values serialize");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    if newline {
        s.push('\n');
    }
    s
}

fn detect_indent(text: &str) -> Option<String> {
    text.lines().skip(1).find_map(|l| {
        let ws: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        (!ws.is_empty() && ws.len() < l.len()).then_some(ws)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiring(events: &[&str]) -> Wiring {
        Wiring {
            command: "/opt/bin/hookrelay".into(),
            events: events.iter().map(|e| (e.to_string(), 5)).collect(),
        }
    }

    fn obj(text: &str) -> Map<String, Value> {
        parse(Path::new("s.json"), text).unwrap()
    }

    #[test]
    fn recognises_own_commands_only() {
        let c = |s: &str| serde_json::json!({"type": "command", "command": s});
        assert!(is_ours(&c("/home/u/.local/bin/hookrelay")));
        assert!(is_ours(&c("hookrelay --config /x.json")));
        assert!(is_ours(&c("'/path with space/hookrelay' --config a")));
        assert!(!is_ours(&c("/usr/bin/hookrelay-legacy")));
        assert!(!is_ours(&c("echo hookrelay")));
        assert!(!is_ours(
            &serde_json::json!({"type": "http", "url": "http://x/hookrelay"})
        ));
    }

    #[test]
    fn matcher_only_where_the_event_takes_one() {
        assert_eq!(entry("PreToolUse", "h", 5)["matcher"], "*");
        assert!(entry("Stop", "h", 5).get("matcher").is_none());
        assert!(entry("UserPromptSubmit", "h", 5).get("matcher").is_none());
    }

    #[test]
    fn merge_is_idempotent_and_keeps_other_hooks_first() {
        let mut root = obj(
            r#"{"model":"x","hooks":{"Stop":[{"hooks":[{"type":"command","command":"notify"}]}]}}"#,
        );
        let c = merge(&mut root, &wiring(&["Stop", "PreToolUse"])).unwrap();
        assert_eq!(c.added, vec!["Stop", "PreToolUse"]);
        let once = root.clone();
        assert!(
            merge(&mut root, &wiring(&["Stop", "PreToolUse"]))
                .unwrap()
                .is_empty()
        );
        assert_eq!(root, once);
        let stop = root["hooks"]["Stop"].as_array().unwrap();
        assert_eq!(stop.len(), 2);
        assert_eq!(stop[0]["hooks"][0]["command"], "notify");
        assert_eq!(root.keys().next().unwrap(), "model");
    }

    #[test]
    fn merge_updates_a_moved_binary_and_drops_deselected_events() {
        let mut root = Map::new();
        merge(&mut root, &wiring(&["Stop", "PreToolUse"])).unwrap();
        let w = Wiring {
            command: "/new/hookrelay".into(),
            events: vec![("Stop".into(), 5)],
        };
        let c = merge(&mut root, &w).unwrap();
        assert_eq!(c.updated, vec!["Stop"]);
        assert_eq!(c.removed, vec!["PreToolUse"]);
        assert_eq!(
            root["hooks"]["Stop"][0]["hooks"][0]["command"],
            "/new/hookrelay"
        );
        assert!(root["hooks"].get("PreToolUse").is_none());
    }

    #[test]
    fn remove_leaves_only_what_was_there() {
        let text = r#"{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"notify"}]}]}}"#;
        let orig = obj(text);
        let mut root = orig.clone();
        merge(&mut root, &wiring(&["Stop", "SessionEnd"])).unwrap();
        let c = remove(&mut root);
        assert_eq!(c.removed, vec!["Stop", "SessionEnd"]);
        assert_eq!(root, orig);
        let mut fresh = Map::new();
        merge(&mut fresh, &wiring(&["Stop"])).unwrap();
        remove(&mut fresh);
        assert!(fresh.is_empty());
    }

    #[test]
    fn render_keeps_indent_and_trailing_newline() {
        let text = "{\n    \"a\": 1\n}";
        assert_eq!(render(&obj(text), Some(text)), text);
        let tabbed = "{\n\t\"a\": [\n\t\t1\n\t]\n}\n";
        assert_eq!(render(&obj(tabbed), Some(tabbed)), tabbed);
        assert_eq!(render(&Map::new(), None), "{}\n");
    }

    #[test]
    fn refuses_comments_and_non_objects() {
        let e = parse(Path::new("s.json"), "{\n // mine\n \"a\": 1}").unwrap_err();
        assert!(e.0.contains("comments"), "{e}");
        assert!(parse(Path::new("s.json"), "[1]").is_err());
        assert!(parse(Path::new("s.json"), r#"{"hooks": []}"#).is_err());
        assert!(!looks_like_jsonc(r#"{"url": "http://x//y"}"#));
    }
}
