//! Per-session counters, in one small file per session under the state directory,
//! read and written in place under a lock on that same file (hooks of one event
//! run in parallel, and subagents share the session id).
//!
//! Layout: `<state>/sessions/<id>.json`, the counters, which is also the file that
//! is `flock`ed. One update is: open it (creating it), `flock` it, check it is
//! still the file at that path (SessionEnd and garbage collection delete it),
//! read it, write the new state over it from offset 0 with one `pwrite`, padded
//! with spaces to the old length (JSON allows trailing whitespace, so the file
//! never needs truncating), close. That is one file and no directory change per
//! event, where writing a temp file, unlinking and renaming cost about 50 µs on
//! ext4 (measured; docs/performance.md).
//!
//! **What a crash can do.** A state is typically a few hundred bytes to about 3 KB (the
//! bounds below), written with one `pwrite` at offset 0, which Linux copies into
//! the page cache page by page: a killed process leaves either the old or the
//! new state when it fits in one page, as it does unless a session uses hundreds
//! of distinct tool names. A power cut or a kill in the middle of a larger write
//! can leave a mix: the next event reports it (one line) and starts the
//! counters over. No fsync: losing the last update in a power cut is acceptable
//! for counters.
//!
//! Older versions kept a separate `<id>.lock` and replaced `<id>.json` through
//! `<id>.json.tmp`: their state is read as is; a `.tmp` left by a crash between
//! unlink and rename is read for a session whose state is missing; leftover
//! `.lock` and `.tmp` files are deleted by garbage collection and SessionEnd.
//!
//! The file never grows with the session: the duplicate-detection ring, the
//! per-tool maps, the set of event kinds seen and the kept message are all
//! bounded. SessionEnd deletes the file; sessions that never ended are deleted
//! after a week (checked on SessionStart).
//!
//! **Known or not.** hookrelay sees only the events Claude Code is wired to send
//! it, so a counter is only as good as its events: the state records which event
//! kinds the session has seen, and `SessionCounters::known` says which counters
//! those can tell (turns need UserPromptSubmit, tool calls a tool event, the
//! session's start SessionStart, the last turn's outcome Stop/StopFailure). A
//! counter whose events never arrived is unknown, and backends leave it out
//! rather than send a zero. (A session that is wired for prompts but has had
//! none yet reads as unknown too: nothing tells the two apart.)
//!
//! **Tool calls are counted once.** A call is seen by up to three events
//! (PreToolUse, then PostToolUse or PostToolUseFailure). Started and completed
//! calls are counted apart; the count reported is the completed one as soon as
//! the session has seen a completion event (those are wired), else the started
//! one. A duplicate firing (same `tool_use_id` on the same event kind) counts
//! once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{self, Problem};
use crate::protocol::envelope::{HookInput, Known, SessionCounters};
use crate::protocol::events::{self, HookEvent, SessionRole};
use crate::store::files;
use crate::store::paths::Paths;
use crate::util::clock;
use crate::util::text::truncate_chars;

/// How many recent tool_use_ids / prompt_ids are remembered to spot duplicate firings.
pub const SEEN_RING: usize = 64;
/// Distinct tool names counted one by one; the rest go to `_other`.
pub const MAX_TOOL_NAMES: usize = 256;
pub const OTHER_TOOLS: &str = "_other";
/// Longer tool names (or ids) are cut, so one odd input cannot bloat the file.
const MAX_NAME_CHARS: usize = 128;
/// `last_assistant_message` is kept up to this many characters.
pub const LAST_MESSAGE_CHARS: usize = 1000;
/// A session with no event for this long is considered abandoned and deleted.
pub const ABANDONED_AFTER_MS: u64 = 7 * 24 * 60 * 60 * 1000;
/// Temp files older than this were left by a killed writer.
const STALE_TMP_MS: u64 = 60 * 60 * 1000;

/// What is kept between events. `v` is the format version.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct State {
    v: u32,
    session_id: String,
    first_seen_ms: u64,
    last_seen_ms: u64,
    events: u64,
    turn: u64,
    /// Tool calls started (PreToolUse), in total and per tool.
    tool_calls: u64,
    duplicates: u64,
    tools: BTreeMap<String, u64>,
    /// Tool calls completed (PostToolUse, PostToolUseFailure), in total and per tool.
    completed: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tools_completed: BTreeMap<String, u64>,
    /// The event kinds seen (names from the event table only, so at most one per row).
    kinds: BTreeSet<String>,
    /// Recently counted `t:<tool_use_id>` (started), `c:<tool_use_id>`
    /// (completed) / `p:<prompt_id>`, oldest first.
    seen: VecDeque<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_assistant_message: Option<String>,
    /// The main thread's last turn ended in StopFailure with this `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_turn_error: Option<String>,
}

/// What one event does to the counters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Count {
    /// The table's role (`SessionRole`) says it all.
    Role(SessionRole),
    /// A tool call finished, successfully or not (PostToolUse, PostToolUseFailure).
    ToolDone,
}

/// The event kinds that tell each counter (see the module comment).
const TOOL_EVENTS: [HookEvent; 3] = [
    HookEvent::PreToolUse,
    HookEvent::PostToolUse,
    HookEvent::PostToolUseFailure,
];
const DONE_EVENTS: [HookEvent; 2] = [HookEvent::PostToolUse, HookEvent::PostToolUseFailure];
const TURN_END_EVENTS: [HookEvent; 2] = [HookEvent::Stop, HookEvent::StopFailure];

/// Counts this event into its session and returns the counters as of this event.
///
/// `None` only when the state could not be read at all (e.g. the state directory
/// is not writable); a failed write still returns this event's counters. Either
/// way the problem is one line on stderr and the event goes on.
pub fn record(paths: &Paths, input: &HookInput, now_ms: u64) -> Option<SessionCounters> {
    let dir = paths.sessions_dir();
    let stem = file_stem(&input.session_id);
    let role = role_of(input);
    if role == SessionRole::Start {
        collect_garbage(&dir, &stem, now_ms);
    }
    let state_path = dir.join(format!("{stem}.json"));
    let lock = match Lock::acquire(&state_path) {
        Ok(l) => l,
        Err(e) => {
            warn(&dir, &e);
            return None;
        }
    };
    // Not `files::read_json`: a broken or unreadable state is said, not silently reset.
    let mut state = match lock.read() {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => State::default(),
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            error::report(
                Problem::new(format!("not valid JSON ({e})"))
                    .at(format!("session state {}", state_path.display()))
                    .fix("starting its counters over"),
            );
            State::default()
        }),
        Err(e) => {
            warn(&state_path, &e);
            return None;
        }
    };
    let duplicate = apply(&mut state, input, now_ms);
    let ended = role == SessionRole::End;
    let counters = counters(&state, now_ms, duplicate, ended);
    if ended {
        // Delete while still holding the lock: a waiter then finds the file
        // unlinked and retries on a new one, never sharing a lock with a newcomer.
        // (The `.lock` and `.tmp` of older versions go too.)
        for p in [
            lock.path.clone(),
            legacy(&dir, &stem, "lock"),
            legacy(&dir, &stem, "json.tmp"),
        ] {
            if let Err(e) = fs::remove_file(&p)
                && e.kind() != io::ErrorKind::NotFound
            {
                warn(&p, &e);
            }
        }
    } else if let Err(e) = lock.write(&state) {
        warn(&state_path, &e);
    }
    drop(lock);
    Some(counters)
}

/// A file of the layout older versions used (`<stem>.<ext>`).
fn legacy(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    dir.join(format!("{stem}.{ext}"))
}

/// What this event means for the counters (unknown events: counted only).
fn role_of(input: &HookInput) -> SessionRole {
    events::spec_of(&input.hook_event_name).map_or(SessionRole::Other, |s| s.session)
}

/// `role_of`, with the tool completions the table's roles do not single out.
fn count_of(input: &HookInput) -> Count {
    if DONE_EVENTS.iter().any(|e| e.is(&input.hook_event_name)) {
        Count::ToolDone
    } else {
        Count::Role(role_of(input))
    }
}

fn warn(path: &Path, e: &io::Error) {
    error::report(
        Problem::new(e.to_string())
            .at(format!("session state {}", path.display()))
            .fix("session counters for this event are not saved (the event itself goes on)"),
    );
}

/// Counts the event; returns whether it is a duplicate firing of one already counted.
fn apply(state: &mut State, input: &HookInput, now_ms: u64) -> bool {
    // Parallel invocations reach the lock in any order: keep the earliest and latest.
    if state.events == 0 || now_ms < state.first_seen_ms {
        state.first_seen_ms = now_ms;
    }
    state.last_seen_ms = state.last_seen_ms.max(now_ms);
    state.v = 1;
    if state.session_id.is_empty() {
        state.session_id = truncate_chars(&input.session_id, MAX_NAME_CHARS).to_string();
    }
    state.events += 1;
    if let Some(spec) = events::spec_of(&input.hook_event_name) {
        state.kinds.insert(spec.name.to_string());
    }

    let count = count_of(input);
    let key = match count {
        Count::Role(SessionRole::ToolCall) => {
            input.str_field("tool_use_id").map(|id| format!("t:{id}"))
        }
        Count::ToolDone => input.str_field("tool_use_id").map(|id| format!("c:{id}")),
        Count::Role(SessionRole::Prompt) => {
            input.str_field("prompt_id").map(|id| format!("p:{id}"))
        }
        _ => None,
    };
    if let Some(key) = key {
        let key = truncate_chars(&key, MAX_NAME_CHARS + 2).to_string();
        if state.seen.contains(&key) {
            state.duplicates += 1;
            return true;
        }
        state.seen.push_back(key);
        while state.seen.len() > SEEN_RING {
            state.seen.pop_front();
        }
    }
    match count {
        Count::Role(SessionRole::Prompt) => state.turn += 1,
        Count::Role(SessionRole::ToolCall) => {
            state.tool_calls += 1;
            count_tool(&mut state.tools, input);
        }
        Count::ToolDone => {
            state.completed += 1;
            count_tool(&mut state.tools_completed, input);
        }
        // The main thread's last answer and outcome, kept for SessionEnd
        // (subagents have their own).
        Count::Role(SessionRole::TurnEnd) if input.str_field("agent_id").is_none() => {
            if let Some(m) = input.str_field("last_assistant_message")
                && !m.is_empty()
            {
                state.last_assistant_message =
                    Some(truncate_chars(m, LAST_MESSAGE_CHARS).to_string());
            }
            state.last_turn_error = HookEvent::StopFailure.is(&input.hook_event_name).then(|| {
                let e = input.str_field("error").filter(|e| !e.is_empty());
                truncate_chars(e.unwrap_or("unknown"), MAX_NAME_CHARS).to_string()
            });
        }
        _ => {}
    }
    false
}

/// One more call of the input's tool in `tools` (bounded: past `MAX_TOOL_NAMES`
/// names, new ones go to `_other`).
fn count_tool(tools: &mut BTreeMap<String, u64>, input: &HookInput) {
    let name = truncate_chars(
        input.str_field("tool_name").unwrap_or("_unknown"),
        MAX_NAME_CHARS,
    );
    let slot = if tools.contains_key(name) || tools.len() < MAX_TOOL_NAMES {
        name
    } else {
        OTHER_TOOLS
    };
    *tools.entry(slot.to_string()).or_insert(0) += 1;
}

fn counters(state: &State, now_ms: u64, duplicate: bool, ended: bool) -> SessionCounters {
    let seen = |events: &[HookEvent]| events.iter().any(|e| state.kinds.contains(e.name()));
    // Completions once they are wired (seen), so a call is never counted twice.
    let (tool_calls, tools) = if seen(&DONE_EVENTS) {
        (state.completed, &state.tools_completed)
    } else {
        (state.tool_calls, &state.tools)
    };
    SessionCounters {
        first_seen: clock::rfc3339_ms(state.first_seen_ms),
        duration_ms: now_ms.saturating_sub(state.first_seen_ms),
        events: state.events,
        turn: state.turn,
        tool_calls,
        tools: tools.clone(),
        last_assistant_message: if ended {
            state.last_assistant_message.clone()
        } else {
            None
        },
        last_turn_error: if ended {
            state.last_turn_error.clone()
        } else {
            None
        },
        known: Known {
            start: seen(&[HookEvent::SessionStart]),
            turns: seen(&[HookEvent::UserPromptSubmit]),
            tool_calls: seen(&TOOL_EVENTS),
            turn_ends: seen(&TURN_END_EVENTS),
        },
        duplicate,
    }
}

/// The file name for a session: the id itself when it is a plain token (UUIDs
/// are), else a hash of it, so no id can reach outside the sessions directory.
fn file_stem(session_id: &str) -> String {
    let plain = !session_id.is_empty()
        && session_id.len() <= 64
        && session_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        session_id.to_string()
    } else {
        let digest = Sha256::digest(session_id.as_bytes());
        format!("h-{}", crate::util::text::hex(&digest[..16]))
    }
}

/// An exclusive `flock` on a session's state file, released when dropped; the
/// state is read and written through it.
struct Lock {
    file: File,
    path: PathBuf,
    /// The file's length when locked.
    len: u64,
}

impl Lock {
    /// Blocks until the lock is ours. Holders only read and write a small file,
    /// so the wait is short; a killed holder releases the lock with its process.
    fn acquire(path: &Path) -> io::Result<Lock> {
        // The file may be deleted (SessionEnd, garbage collection) between our
        // open and our flock; then we hold a lock nobody else will see. So after
        // locking, check that the path still names our file, else retry.
        let opts = files::private()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .clone();
        for _ in 0..16 {
            let file = files::open(path, &opts)?;
            file.lock()?;
            if let Some(len) = same_file_len(&file, path)? {
                return Ok(Lock {
                    file,
                    path: path.to_path_buf(),
                    len,
                });
            }
        }
        Err(io::Error::other(
            "its state file kept being replaced while waiting for it",
        ))
    }

    /// Like `acquire` but without waiting or creating: `None` when busy or gone.
    /// (Garbage collection must not bring back a file a SessionEnd just deleted.)
    fn try_existing(path: &Path) -> Option<Lock> {
        let file = files::private().read(true).open(path).ok()?;
        file.try_lock().ok()?;
        let len = same_file_len(&file, path).ok()??;
        Some(Lock {
            file,
            path: path.to_path_buf(),
            len,
        })
    }

    /// The state as locked (empty for a new session; then the complete temp file
    /// an older version's crash left between unlink and rename, if any).
    fn read(&self) -> io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        if self.len == 0 {
            let mut tmp = self.path.as_os_str().to_owned();
            tmp.push(".tmp");
            return match fs::read(PathBuf::from(tmp)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
                other => other,
            };
        }
        let mut buf = vec![0; usize::try_from(self.len).map_err(io::Error::other)?];
        self.file.read_exact_at(&mut buf, 0)?;
        Ok(buf)
    }

    /// Writes `state` over the file in one `pwrite`, padded with spaces to the
    /// old length (so no truncation, and no moment without a whole state).
    fn write(&self, state: &State) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut bytes = serde_json::to_vec(state).map_err(io::Error::other)?;
        let len = usize::try_from(self.len).unwrap_or(usize::MAX);
        if bytes.len() < len {
            bytes.resize(len, b' ');
        }
        self.file.write_all_at(&bytes, 0)
    }
}

/// The file's length when `path` still names `file`; `None` when it does not.
fn same_file_len(file: &File, path: &Path) -> io::Result<Option<u64>> {
    let ours = file.metadata()?;
    match fs::metadata(path) {
        Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => Ok(Some(ours.len())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes sessions with no event for `ABANDONED_AFTER_MS` (they never got a
/// SessionEnd: killed terminal, crash) and temp files of killed writers. One
/// directory scan, only on SessionStart; `keep` (the starting session) is spared.
fn collect_garbage(dir: &Path, keep: &str, now_ms: u64) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let age = |p: &Path| -> Option<u64> {
        let m = fs::symlink_metadata(p).ok()?;
        let ms = u64::try_from(
            m.modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_millis(),
        )
        .ok()?;
        Some(now_ms.saturating_sub(ms))
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".tmp") {
            if age(&path).is_some_and(|a| a > STALE_TMP_MS) {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        // Older versions' lock files: only ever locked by those versions.
        if name.ends_with(".lock") {
            if age(&path).is_some_and(|a| a > ABANDONED_AFTER_MS) {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        if stem == keep || age(&path).is_none_or(|a| a <= ABANDONED_AFTER_MS) {
            continue;
        }
        // Busy means alive: leave it.
        let Some(lock) = Lock::try_existing(&path) else {
            continue;
        };
        // Re-check under the lock: an event may have arrived since the scan.
        if age(&path).is_some_and(|a| a > ABANDONED_AFTER_MS) {
            let _ = fs::remove_file(&lock.path);
            let _ = fs::remove_file(legacy(dir, stem, "lock"));
        }
        drop(lock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testdir::TempDir;
    use serde_json::{Value, json};

    const SID: &str = "bec247b5-945b-4438-957d-99b44004f6e2";

    fn ev(event: &str, extra: Value) -> HookInput {
        let mut raw = json!({"session_id": SID, "hook_event_name": event, "cwd": "/tmp"});
        for (k, v) in extra.as_object().unwrap() {
            raw[k] = v.clone();
        }
        HookInput {
            session_id: raw["session_id"].as_str().unwrap().to_string(),
            hook_event_name: event.to_string(),
            raw: raw.as_object().unwrap().clone(),
        }
    }

    fn tool(id: &str, name: &str) -> HookInput {
        ev("PreToolUse", json!({"tool_use_id": id, "tool_name": name}))
    }

    const T0: u64 = 1_795_308_638_378;

    #[test]
    fn counts_turns_tools_and_events() {
        let t = TempDir::new("count");
        let p = t.paths();
        record(&p, &ev("SessionStart", json!({})), T0).unwrap();
        record(
            &p,
            &ev("UserPromptSubmit", json!({"prompt_id": "p1"})),
            T0 + 10,
        )
        .unwrap();
        record(&p, &tool("t1", "Bash"), T0 + 20).unwrap();
        record(&p, &tool("t2", "Read"), T0 + 30).unwrap();
        record(&p, &ev("Notification", json!({})), T0 + 40);
        record(
            &p,
            &ev("UserPromptSubmit", json!({"prompt_id": "p2"})),
            T0 + 50,
        )
        .unwrap();
        let c = record(&p, &tool("t3", "Bash"), T0 + 1500).unwrap();
        assert_eq!(c.first_seen, clock::rfc3339_ms(T0));
        assert_eq!(c.duration_ms, 1500);
        assert_eq!((c.events, c.turn, c.tool_calls), (7, 2, 3));
        assert_eq!(
            c.tools,
            BTreeMap::from([("Bash".into(), 2), ("Read".into(), 1)])
        );
        assert!(!c.duplicate);
        assert_eq!(c.last_assistant_message, None, "only on SessionEnd");
        let file = p.sessions_dir().join(format!("{SID}.json"));
        let kept: Value = serde_json::from_slice(&fs::read(file).unwrap()).unwrap();
        assert_eq!(kept["tool_calls"], 3);
    }

    fn done(event: &str, id: &str, name: &str) -> HookInput {
        ev(event, json!({"tool_use_id": id, "tool_name": name}))
    }

    #[test]
    fn tool_calls_are_counted_once_from_whichever_tool_events_arrive() {
        let t = TempDir::new("tools-once");
        let p = t.paths();
        // Only PreToolUse wired: started calls.
        let c = record(&p, &tool("t1", "Bash"), T0).unwrap();
        assert_eq!((c.tool_calls, c.known.tool_calls), (1, true));
        // Pre and Post of one call, then a failed one, then a duplicate firing
        // of a completion: each call once.
        record(&p, &done("PostToolUse", "t1", "Bash"), T0 + 1).unwrap();
        record(&p, &tool("t2", "Read"), T0 + 2).unwrap();
        record(&p, &done("PostToolUseFailure", "t2", "Read"), T0 + 3).unwrap();
        let c = record(&p, &done("PostToolUseFailure", "t2", "Read"), T0 + 4).unwrap();
        assert!(c.duplicate);
        // A call still running is not completed yet.
        let c = record(&p, &tool("t3", "Bash"), T0 + 5).unwrap();
        assert_eq!(c.tool_calls, 2);
        assert_eq!(
            c.tools,
            BTreeMap::from([("Bash".into(), 1), ("Read".into(), 1)])
        );
        // Only Post* wired (no PreToolUse at all): still counted.
        let mut post_only = done("PostToolUse", "u1", "Grep");
        post_only.session_id = "post-only".into();
        let c = record(&p, &post_only, T0).unwrap();
        assert_eq!((c.tool_calls, c.known.tool_calls), (1, true));
        assert_eq!(c.tools["Grep"], 1);
    }

    #[test]
    fn counters_say_which_events_they_could_see() {
        let t = TempDir::new("known");
        let p = t.paths();
        // Only SessionEnd wired: nothing but events is known.
        let c = record(&p, &ev("SessionEnd", json!({})), T0).unwrap();
        assert_eq!(c.known, Known::default());
        assert_eq!(c.events, 1);
        record(&p, &ev("SessionStart", json!({})), T0).unwrap();
        let c = record(&p, &ev("UserPromptSubmit", json!({})), T0 + 1).unwrap();
        assert!(c.known.start && c.known.turns && !c.known.tool_calls && !c.known.turn_ends);
        let c = record(&p, &ev("Stop", json!({})), T0 + 2).unwrap();
        assert!(c.known.turn_ends);
        let kept: Value = serde_json::from_slice(
            &fs::read(p.sessions_dir().join(format!("{SID}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            kept["kinds"],
            json!(["SessionStart", "Stop", "UserPromptSubmit"])
        );
    }

    #[test]
    fn a_failed_last_turn_is_reported_at_session_end() {
        let t = TempDir::new("failed");
        let p = t.paths();
        let fail = ev(
            "StopFailure",
            json!({"error": "rate_limit", "last_assistant_message": "API Error: 429"}),
        );
        record(&p, &fail, T0).unwrap();
        // A subagent's ending says nothing about the main thread's turn.
        record(
            &p,
            &ev(
                "Stop",
                json!({"agent_id": "a1", "last_assistant_message": "sub"}),
            ),
            T0 + 1,
        );
        let c = record(&p, &ev("SessionEnd", json!({})), T0 + 2).unwrap();
        assert_eq!(c.last_turn_error.as_deref(), Some("rate_limit"));
        assert_eq!(c.last_assistant_message.as_deref(), Some("API Error: 429"));
        // A later turn that ended well clears it.
        record(&p, &fail, T0).unwrap();
        assert_eq!(
            record(&p, &fail, T0).unwrap().last_turn_error,
            None,
            "only on SessionEnd"
        );
        record(
            &p,
            &ev("Stop", json!({"last_assistant_message": "ok"})),
            T0 + 1,
        );
        let c = record(&p, &ev("SessionEnd", json!({})), T0 + 2).unwrap();
        assert_eq!(c.last_turn_error, None);
    }

    #[test]
    fn duplicate_firings_are_not_counted_twice() {
        let t = TempDir::new("dup");
        let p = t.paths();
        record(&p, &tool("toolu_1", "Bash"), T0).unwrap();
        let again = record(&p, &tool("toolu_1", "Bash"), T0 + 1).unwrap();
        assert!(again.duplicate);
        assert_eq!((again.tool_calls, again.events), (1, 2));
        let prompt = ev("UserPromptSubmit", json!({"prompt_id": "p-1"}));
        record(&p, &prompt, T0 + 2).unwrap();
        let c = record(&p, &prompt, T0 + 3).unwrap();
        assert!(c.duplicate);
        assert_eq!(c.turn, 1);
        // Without an id there is nothing to recognise a repeat by: it counts.
        let no_id = ev("PreToolUse", json!({"tool_name": "Read"}));
        record(&p, &no_id, T0 + 4).unwrap();
        let c = record(&p, &no_id, T0 + 5).unwrap();
        assert_eq!(c.tool_calls, 3);
    }

    #[test]
    fn tool_map_and_seen_ring_are_bounded() {
        let t = TempDir::new("bound");
        let p = t.paths();
        let n = MAX_TOOL_NAMES + 44;
        let mut last = None;
        for i in 0..n {
            last = record(
                &p,
                &tool(&format!("id{i}"), &format!("mcp__srv__tool_{i}")),
                T0,
            );
        }
        let c = last.unwrap();
        assert_eq!(c.tool_calls, n as u64);
        assert_eq!(c.tools.len(), MAX_TOOL_NAMES + 1);
        assert_eq!(c.tools[OTHER_TOOLS], 44);
        let file = p.sessions_dir().join(format!("{SID}.json"));
        let size_then = fs::metadata(&file).unwrap().len();
        // A thousand more calls of known tools: the file does not grow.
        for i in 0..1000 {
            record(&p, &tool(&format!("more{i}"), "mcp__srv__tool_1"), T0);
        }
        let kept: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        assert_eq!(kept["seen"].as_array().unwrap().len(), SEEN_RING);
        let size_now = fs::metadata(&file).unwrap().len();
        // Keeping every id would add at least 9 bytes per event (9000 here); only
        // counter digits and slightly longer ids in the ring may add a little.
        assert!(size_now < size_then + 1000, "{size_then} -> {size_now}");
    }

    #[test]
    fn session_end_reports_and_removes_the_state() {
        let t = TempDir::new("end");
        let p = t.paths();
        record(&p, &ev("UserPromptSubmit", json!({"prompt_id": "p1"})), T0).unwrap();
        let long = "é".repeat(LAST_MESSAGE_CHARS + 50);
        record(
            &p,
            &ev("Stop", json!({"last_assistant_message": long})),
            T0 + 5,
        )
        .unwrap();
        record(
            &p,
            &ev(
                "SubagentStop",
                json!({"agent_id": "a1", "last_assistant_message": "sub"}),
            ),
            T0 + 6,
        );
        record(
            &p,
            &ev(
                "Stop",
                json!({"agent_id": "a1", "last_assistant_message": "sub stop"}),
            ),
            T0 + 7,
        );
        let c = record(&p, &ev("SessionEnd", json!({"reason": "other"})), T0 + 900).unwrap();
        assert_eq!((c.events, c.turn, c.duration_ms), (5, 1, 900));
        let m = c.last_assistant_message.unwrap();
        assert_eq!(
            m.chars().count(),
            LAST_MESSAGE_CHARS,
            "cut on a char boundary"
        );
        assert!(
            m.chars().all(|ch| ch == 'é'),
            "main thread's message, not a subagent's"
        );
        let left: Vec<_> = fs::read_dir(p.sessions_dir()).unwrap().collect();
        assert!(left.is_empty(), "state and lock removed: {left:?}");
        // A duplicate SessionEnd does not leave a new file behind.
        record(&p, &ev("SessionEnd", json!({})), T0 + 901).unwrap();
        assert_eq!(fs::read_dir(p.sessions_dir()).unwrap().count(), 0);
    }

    #[test]
    fn odd_session_ids_stay_inside_the_sessions_dir() {
        let t = TempDir::new("odd");
        let p = t.paths();
        let mut input = ev("SessionStart", json!({}));
        input.session_id = "../../escape/../x".into();
        record(&p, &input, T0).unwrap();
        let names: Vec<String> = fs::read_dir(p.sessions_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("h-") && n.ends_with(".json")),
            "{names:?}"
        );
        assert!(!t.join("escape").exists() && !t.join("x.json").exists());
        assert_eq!(file_stem(SID), SID);
    }

    #[test]
    fn abandoned_sessions_are_collected_on_session_start() {
        let t = TempDir::new("gc");
        let p = t.paths();
        let old_input = {
            let mut i = ev("UserPromptSubmit", json!({}));
            i.session_id = "old-session".into();
            i
        };
        record(&p, &old_input, T0).unwrap();
        let mut fresh = ev("UserPromptSubmit", json!({}));
        fresh.session_id = "fresh-session".into();
        record(&p, &fresh, T0).unwrap();
        let dir = p.sessions_dir();
        // A lock file as older versions left next to each state.
        fs::write(dir.join("old-session.lock"), "").unwrap();
        let week_ago = std::time::SystemTime::now()
            - std::time::Duration::from_millis(ABANDONED_AFTER_MS + 60_000);
        for name in ["old-session.json", "old-session.lock"] {
            File::options()
                .write(true)
                .open(dir.join(name))
                .unwrap()
                .set_modified(week_ago)
                .unwrap();
        }
        fs::write(dir.join("x.json.123.tmp"), "{").unwrap();
        File::options()
            .write(true)
            .open(dir.join("x.json.123.tmp"))
            .unwrap()
            .set_modified(week_ago)
            .unwrap();
        record(&p, &ev("SessionStart", json!({})), clock::now_ms()).unwrap();
        assert!(!dir.join("old-session.json").exists());
        assert!(!dir.join("old-session.lock").exists());
        assert!(!dir.join("x.json.123.tmp").exists());
        assert!(dir.join("fresh-session.json").exists());
        assert!(dir.join(format!("{SID}.json")).exists());
    }

    #[test]
    fn a_state_is_one_file_rewritten_in_place_and_stays_valid_when_it_shrinks() {
        let t = TempDir::new("inplace");
        let p = t.paths();
        let long = "x".repeat(900);
        record(&p, &ev("Stop", json!({"last_assistant_message": long})), T0).unwrap();
        let file = p.sessions_dir().join(format!("{SID}.json"));
        let ino = fs::metadata(&file).unwrap().ino();
        let before = fs::metadata(&file).unwrap().len();
        record(
            &p,
            &ev("Stop", json!({"last_assistant_message": "short"})),
            T0 + 1,
        )
        .unwrap();
        let names: Vec<String> = fs::read_dir(p.sessions_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{SID}.json")], "no lock or temp file");
        assert_eq!(fs::metadata(&file).unwrap().ino(), ino, "written in place");
        assert_eq!(
            fs::metadata(&file).unwrap().len(),
            before,
            "padded, not truncated"
        );
        let kept: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        assert_eq!(kept["last_assistant_message"], "short");
        let c = record(&p, &tool("a", "Bash"), T0 + 2).unwrap();
        assert_eq!(c.events, 3);
    }

    #[test]
    fn an_older_versions_state_goes_on_counting() {
        let t = TempDir::new("legacy");
        let p = t.paths();
        record(&p, &tool("a", "Bash"), T0).unwrap();
        let dir = p.sessions_dir();
        let file = dir.join(format!("{SID}.json"));
        // The old layout: the state, its separate lock, nothing padded.
        fs::write(dir.join(format!("{SID}.lock")), "").unwrap();
        let c = record(&p, &tool("b", "Read"), T0 + 1).unwrap();
        assert_eq!((c.events, c.tool_calls), (2, 2));
        // An old version's crash between unlink and rename: the temp holds the state.
        fs::rename(&file, dir.join(format!("{SID}.json.tmp"))).unwrap();
        let c = record(&p, &tool("c", "Read"), T0 + 2).unwrap();
        assert_eq!((c.events, c.tool_calls), (3, 3));
        record(&p, &ev("SessionEnd", json!({})), T0 + 3).unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "all of it removed");
    }

    #[test]
    fn corrupt_state_starts_over_and_is_repaired() {
        let t = TempDir::new("corrupt");
        let p = t.paths();
        fs::create_dir_all(p.sessions_dir()).unwrap();
        let file = p.sessions_dir().join(format!("{SID}.json"));
        fs::write(&file, "{\"events\": 4, \"tur").unwrap();
        let c = record(&p, &tool("a", "Bash"), T0).unwrap();
        assert_eq!((c.events, c.tool_calls), (1, 1));
        let kept: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
        assert_eq!(kept["events"], 1);
    }

    #[test]
    fn unwritable_state_dir_does_not_fail_the_event() {
        let t = TempDir::new("ro");
        fs::create_dir_all(t.path()).unwrap();
        // A file where the state directory should be.
        fs::write(t.join("state"), "not a dir").unwrap();
        assert!(record(&t.paths(), &tool("a", "Bash"), T0).is_none());
    }

    #[test]
    fn parallel_threads_lose_no_update() {
        let t = TempDir::new("threads");
        let p = t.paths();
        std::thread::scope(|s| {
            for th in 0..8 {
                let p = &p;
                s.spawn(move || {
                    for i in 0..25 {
                        record(
                            p,
                            &tool(
                                &format!("{th}-{i}"),
                                if i % 2 == 0 { "Bash" } else { "Read" },
                            ),
                            T0,
                        );
                    }
                });
            }
        });
        let c = record(&p, &ev("Notification", json!({})), T0).unwrap();
        assert_eq!((c.events, c.tool_calls), (201, 200));
        assert_eq!(c.tools["Bash"], 104);
        assert_eq!(c.tools["Read"], 96);
    }
}
