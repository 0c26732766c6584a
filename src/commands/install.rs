//! `hookrelay install` / `uninstall`: merges hookrelay's entries into Claude Code's
//! settings.json without touching anything else.
//!
//! Own entries are recognised by their command: a `type: "command"` handler whose
//! program (first word, quotes removed) is a file named `hookrelay`. Everything
//! else in the file is kept as it is, in its order; the file is re-serialized with
//! its own indent width and trailing newline. The first install that changes an
//! existing file saves its bytes next to it (`settings.json.hookrelay-backup`);
//! `uninstall` restores those exact bytes when nothing else changed since, so an
//! install/uninstall round trip leaves the file byte-identical.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config;
use crate::exit::Code;
use crate::protocol::envelope::KNOWN_EVENTS;

/// Events whose command hook replaces Claude Code's own behaviour: a WorktreeCreate
/// command hook must print the new worktree's path (it *replaces* `git worktree
/// add`), and WorktreeRemove replaces the removal. A relay answering nothing would
/// break worktrees, so they are never registered by default.
pub const NEVER_BY_DEFAULT: [&str; 2] = ["WorktreeCreate", "WorktreeRemove"];

/// Events that ignore a matcher; for them the entry has no `matcher` key.
const NO_MATCHER: [&str; 10] = [
    "UserPromptSubmit",
    "PostToolBatch",
    "Stop",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "WorktreeCreate",
    "WorktreeRemove",
    "CwdChanged",
    "MessageDisplay",
];

/// The five tool events (`--events tools`).
const TOOL_EVENTS: [&str; 5] = [
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "PermissionDenied",
];

/// Session lifecycle events (`--events lifecycle`).
const LIFECYCLE_EVENTS: [&str; 7] = [
    "SessionStart",
    "SessionEnd",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "Setup",
];

/// The margin, in seconds, between hookrelay's own deadline and the `timeout`
/// Claude Code enforces: process start, config, git and the local write happen
/// outside the delivery deadline.
const MIN_TIMEOUT_S: u64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// ~/.claude/settings.json (every project of this user).
    User,
    /// ./.claude/settings.json (this project, shared with its repository).
    Project,
}

/// Every event hookrelay forwards: all known events but the two that replace
/// Claude Code behaviour.
pub fn default_events() -> Vec<&'static str> {
    KNOWN_EVENTS
        .iter()
        .copied()
        .filter(|e| !NEVER_BY_DEFAULT.contains(e))
        .collect()
}

pub fn takes_matcher(event: &str) -> bool {
    !NO_MATCHER.contains(&event)
}

/// Parses `--events`: `all`, `tools`, `lifecycle` or a comma-separated list.
pub fn parse_events(spec: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let names: Vec<&str> = match part {
            "all" => default_events(),
            "tools" => TOOL_EVENTS.to_vec(),
            "lifecycle" => LIFECYCLE_EVENTS.to_vec(),
            name => match KNOWN_EVENTS.iter().find(|k| **k == name) {
                Some(k) => vec![*k],
                None => {
                    return Err(format!(
                        "unknown event `{name}` in --events; use all, tools, lifecycle or names from: {}",
                        KNOWN_EVENTS.join(", ")
                    ));
                }
            },
        };
        for n in names {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err("--events is empty; use all, tools, lifecycle or event names".into());
    }
    // Keep Claude Code's declaration order, whatever order the user typed.
    out.sort_by_key(|e| KNOWN_EVENTS.iter().position(|k| k == e));
    Ok(out)
}

/// The `timeout` (seconds) written for an event, derived from hookrelay's deadlines.
///
/// SessionEnd: Claude Code gives all SessionEnd hooks one shared 1.5 s budget,
/// *raised* to the largest SessionEnd `timeout` in settings files (up to 60 s).
/// hookrelay's SessionEnd deadline (1 s) plus start-up fits in 2 s, so 2 raises the
/// budget just enough; a larger value would delay every exit behind a slow hook.
/// Every other event: the delivery deadline plus margin, at least 5 s, so Claude
/// Code never kills hookrelay before its own deadline (which would lose the spool
/// write) while a hung process still fails open quickly.
pub fn timeout_for(event: &str, delivery: &crate::delivery::DeliveryConfig) -> u64 {
    if event == "SessionEnd" {
        let ms = delivery.event_deadline_ms(event);
        (ms.div_ceil(1000) + 1).clamp(2, 60)
    } else {
        (delivery.deadline_ms.div_ceil(1000) + 2).max(MIN_TIMEOUT_S)
    }
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

/// Quotes a word for `sh -c` when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:=@%,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
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
                if h.get("command").and_then(Value::as_str) != Some(wiring.command.as_str()) {
                    h["command"] = Value::String(wiring.command.clone());
                    updated = true;
                }
                if h.get("timeout").and_then(Value::as_u64) != Some(*timeout) {
                    h["timeout"] = Value::from(*timeout);
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

/// Where a scope's settings file is.
pub fn settings_path(scope: Scope) -> Result<PathBuf, String> {
    match scope {
        Scope::User => home_dir()
            .map(|h| h.join(".claude").join("settings.json"))
            .ok_or_else(|| "cannot find your home directory; set HOME or use --settings".into()),
        Scope::Project => std::env::current_dir()
            .map(|d| d.join(".claude").join("settings.json"))
            .map_err(|e| format!("cannot read the current directory ({e}); use --settings")),
    }
}

pub fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

pub fn backup_path(settings: &Path) -> PathBuf {
    let mut name = settings.file_name().unwrap_or_default().to_os_string();
    name.push(".hookrelay-backup");
    settings.with_file_name(name)
}

/// The command written into settings: this binary's absolute path (plus
/// `--config FILE` when an explicit config was given), quoted for `sh -c`.
pub fn own_command(config: Option<&Path>) -> Result<String, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find hookrelay's own path ({e})"))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let mut cmd = shell_quote(&exe.to_string_lossy());
    if let Some(c) = config {
        let abs = std::path::absolute(c).unwrap_or_else(|_| c.to_path_buf());
        cmd.push_str(" --config ");
        cmd.push_str(&shell_quote(&abs.to_string_lossy()));
    }
    Ok(cmd)
}

pub struct InstallArgs<'a> {
    pub config: Option<&'a Path>,
    pub scope: Scope,
    pub events: &'a str,
    pub settings: Option<&'a Path>,
    pub dry_run: bool,
}

/// `hookrelay install`.
pub fn run_install(a: InstallArgs) -> Code {
    match install(&a) {
        Ok(()) => Code::Success,
        Err(e) => {
            eprintln!("hookrelay install: {e}");
            Code::NonBlocking
        }
    }
}

fn install(a: &InstallArgs) -> Result<(), String> {
    let events = parse_events(a.events)?;
    let path = match a.settings {
        Some(p) => p.to_path_buf(),
        None => settings_path(a.scope)?,
    };
    // Timeouts follow the deadlines of the config the hook will use.
    let delivery = match config::load(a.config) {
        Ok(l) => l.config.delivery,
        Err(e) => {
            eprintln!("hookrelay install: {e}; using the default deadlines for timeouts");
            crate::delivery::DeliveryConfig::default()
        }
    };
    let wiring = Wiring {
        command: own_command(a.config)?,
        events: events
            .iter()
            .map(|e| (e.clone(), timeout_for(e, &delivery)))
            .collect(),
    };
    let original = read_existing(&path)?;
    let mut root = parse(&path, original.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
    let changes = merge(&mut root, &wiring).map_err(|e| format!("{}: {e}", path.display()))?;
    if changes.is_empty() {
        println!(
            "{}: hookrelay already wired for {} events; nothing to change",
            path.display(),
            wiring.events.len()
        );
        return Ok(());
    }
    let text = render(&root, original.as_deref());
    let verb = if a.dry_run { "would change" } else { "changed" };
    print_changes(&path, verb, &changes, &wiring.command);
    if a.dry_run {
        return Ok(());
    }
    // The backup is the file as it was before hookrelay: taken only from a file
    // without hookrelay entries (not from one an earlier install created or edited).
    let backup = backup_path(&path);
    let pristine = original.as_deref().is_some_and(|o| {
        let mut probe = parse(&path, o).unwrap_or_default();
        remove(&mut probe).is_empty()
    });
    if let Some(orig) = original.as_ref().filter(|_| pristine)
        && !backup.exists()
    {
        write_atomic(&backup, orig.as_bytes(), &path)?;
        println!("original saved as {}", backup.display());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {} ({e}); check permissions", dir.display()))?;
    }
    write_atomic(&path, text.as_bytes(), &path)
}

pub struct UninstallArgs<'a> {
    pub scope: Scope,
    pub settings: Option<&'a Path>,
    pub dry_run: bool,
}

/// `hookrelay uninstall`.
pub fn run_uninstall(a: UninstallArgs) -> Code {
    match uninstall(&a) {
        Ok(()) => Code::Success,
        Err(e) => {
            eprintln!("hookrelay uninstall: {e}");
            Code::NonBlocking
        }
    }
}

fn uninstall(a: &UninstallArgs) -> Result<(), String> {
    let path = match a.settings {
        Some(p) => p.to_path_buf(),
        None => settings_path(a.scope)?,
    };
    let Some(original) = read_existing(&path)? else {
        println!("{}: does not exist; nothing to remove", path.display());
        return Ok(());
    };
    let mut root = parse(&path, &original).map_err(|e| e.to_string())?;
    let changes = remove(&mut root);
    if changes.is_empty() {
        println!(
            "{}: no hookrelay entries; nothing to remove",
            path.display()
        );
        return Ok(());
    }
    let backup = backup_path(&path);
    let saved = match std::fs::read_to_string(&backup) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {} ({e})", backup.display())),
    };
    // Restore the exact original bytes when the rest of the file is unchanged;
    // a file hookrelay created (no backup) that is now empty is removed.
    let restore = saved
        .as_ref()
        .filter(|s| parse(&backup, s).is_ok_and(|orig| orig == root));
    let created_empty = saved.is_none() && root.is_empty();
    let verb = if a.dry_run { "would change" } else { "changed" };
    print_changes(&path, verb, &changes, "");
    if a.dry_run {
        return Ok(());
    }
    if let Some(bytes) = restore {
        write_atomic(&path, bytes.as_bytes(), &path)?;
        std::fs::remove_file(&backup)
            .map_err(|e| format!("cannot remove {} ({e})", backup.display()))?;
        println!("restored the original {}", path.display());
    } else if created_empty {
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot remove {} ({e})", path.display()))?;
        // The `.claude` directory too, when hookrelay's file was all it held.
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        println!("removed {} (hookrelay had created it)", path.display());
    } else {
        write_atomic(&path, render(&root, Some(&original)).as_bytes(), &path)?;
        if saved.is_some() {
            println!(
                "other settings changed since install; kept the pre-install copy at {}",
                backup.display()
            );
        }
    }
    Ok(())
}

fn print_changes(path: &Path, verb: &str, c: &Changes, command: &str) {
    println!("{} {verb}:", path.display());
    if !c.added.is_empty() {
        println!(
            "  add {} ({} events): {}",
            command,
            c.added.len(),
            c.added.join(", ")
        );
    }
    if !c.updated.is_empty() {
        println!("  update command/timeout: {}", c.updated.join(", "));
    }
    if !c.removed.is_empty() {
        println!("  remove hookrelay from: {}", c.removed.join(", "));
    }
}

fn read_existing(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{}: not UTF-8 text; left untouched", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {} ({e})", path.display())),
    }
}

/// Writes via a temp file and rename, with the permissions of `like` when it exists.
fn write_atomic(path: &Path, bytes: &[u8], like: &Path) -> Result<(), String> {
    let tmp = path.with_file_name(format!(
        ".{}.hookrelay-tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let fail = |e: std::io::Error| {
        format!(
            "cannot write {} ({e}); check the directory's permissions",
            path.display()
        )
    };
    std::fs::write(&tmp, bytes).map_err(fail)?;
    if let Ok(meta) = std::fs::metadata(like) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
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

    #[test]
    fn timeouts_are_seconds_and_cover_the_deadline() {
        let d = crate::delivery::DeliveryConfig::default();
        assert_eq!(timeout_for("PreToolUse", &d), 5);
        assert_eq!(timeout_for("SessionEnd", &d), 2);
        let slow = crate::delivery::DeliveryConfig {
            deadline_ms: 8000,
            session_end_deadline_ms: 1400,
            ..crate::delivery::DeliveryConfig::default()
        };
        assert_eq!(timeout_for("Stop", &slow), 10);
        assert_eq!(timeout_for("SessionEnd", &slow), 3);
    }

    #[test]
    fn shipped_fragments_are_what_install_writes() {
        let d = crate::delivery::DeliveryConfig::default();
        for (spec, text) in [
            ("all", include_str!("../../hooks/settings.all-events.json")),
            (
                "tools",
                include_str!("../../hooks/settings.tool-events.json"),
            ),
            (
                "SessionStart,SessionEnd",
                include_str!("../../hooks/settings.orgloop.json"),
            ),
        ] {
            let w = Wiring {
                command: "hookrelay".into(),
                events: parse_events(spec)
                    .unwrap()
                    .into_iter()
                    .map(|e| {
                        let t = timeout_for(&e, &d);
                        (e, t)
                    })
                    .collect(),
            };
            let mut root = Map::new();
            merge(&mut root, &w).unwrap();
            assert_eq!(render(&root, None), text, "hooks/ fragment for {spec}");
        }
    }

    #[test]
    fn events_spec() {
        assert_eq!(parse_events("all").unwrap().len(), 31);
        assert!(
            !parse_events("all")
                .unwrap()
                .contains(&"WorktreeCreate".to_string())
        );
        assert_eq!(
            parse_events("Stop,PreToolUse").unwrap(),
            ["PreToolUse", "Stop"]
        );
        assert!(parse_events("Stopp").unwrap_err().contains("PreToolUse"));
        assert_eq!(parse_events("tools").unwrap().len(), 5);
    }
}
