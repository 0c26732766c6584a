//! `hookrelay status`: per backend, enabled, breaker, spool depth and age, dead
//! letters, the current error, the last real delivery and the last refusal with
//! their times, and why events are waiting (held by a configuration problem
//! and what to fix, the breaker, or just queued); `--json` for scripts; exit 3
//! when something needs attention (breaker not closed, events waiting, dead
//! letters, spool near its cap, storage that cannot be written), so it can feed
//! monitoring. `collect` and `storage` are shared with `doctor`.
//!
//! The breaker's state is about one destination (`breaker::fingerprint`): when
//! the configured URL or key changed since, its breaker, error and times are the
//! old destination's and are not shown as the current one's.

use std::path::Path;

use serde::Serialize;

use crate::config::{self, Config};
use crate::delivery::breaker;
use crate::exit::Code;
use crate::store::health;
use crate::store::journal;
use crate::store::paths::Paths;
use crate::store::spool;
use crate::util::clock;

/// Everything `status` knows about one backend.
#[derive(Debug, Clone, Serialize)]
pub struct BackendStatus {
    pub name: String,
    /// Configured and enabled (a disabled or removed backend may still have a spool).
    pub enabled: bool,
    /// `closed`, `open` or `half-open`.
    pub breaker: String,
    /// Failures in a row.
    pub failures: u32,
    /// When an open breaker lets the next attempt through (RFC 3339).
    pub retry_at: Option<String>,
    pub spool_events: u64,
    pub spool_bytes: u64,
    pub spool_max_bytes: u64,
    /// `ts` of the oldest waiting event, and its age in seconds.
    pub oldest_event: Option<String>,
    pub oldest_event_age_s: Option<u64>,
    /// Delivery attempts of the oldest waiting event so far.
    pub oldest_event_attempts: u32,
    /// Torn or unreadable spool lines skipped so far.
    pub torn_lines_skipped: u64,
    pub dead_letters: u64,
    /// Dead letters that are there because the spool was full.
    pub spool_full_overflow: u64,
    /// The error of the current run of failures (`None` once a delivery
    /// succeeded), or the waiting head event's error.
    pub last_error: Option<String>,
    /// When the last attempt failed (kept after a success: then it is past).
    pub last_failure: Option<String>,
    /// The last real delivery (a refusal is not one).
    pub last_success: Option<String>,
    /// The last answer that refused an event (now a dead letter), and when.
    pub last_refusal: Option<String>,
    pub last_refusal_at: Option<String>,
    /// Why events are waiting, when they are: `held: <problem>; <fix>`, the
    /// breaker's cool-down, a config error, or queued for the next drain.
    pub waiting_reason: Option<String>,
    /// The configuration problem events are held by (a rejected key, a wrong
    /// URL), when the last attempt said so.
    pub held: Option<String>,
    /// The URL or a key was changed since the breaker last saw this backend: the
    /// next event tries the new destination at once.
    pub destination_changed: bool,
    /// Why this backend needs attention (empty: all good).
    pub attention: Vec<String>,
}

/// The status of every enabled backend, plus any backend with files on disk.
pub fn collect(config: &Config, paths: &Paths) -> Vec<BackendStatus> {
    let now = clock::now_ms();
    let built = config.backends.build();
    let enabled: Vec<String> = built.iter().map(|b| b.name().to_string()).collect();
    let fingerprints: Vec<String> = built
        .iter()
        .map(|b| breaker::fingerprint(b.as_ref()))
        .collect();
    let mut names = enabled.clone();
    for n in spool::known_backends(paths) {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mut b = breaker::load(paths, &name);
            let s = spool::stats(paths, &name);
            let cap = config.spool.max_bytes;
            let mut attention = Vec::new();
            // Another destination's breaker says nothing about this one.
            let fp = enabled.iter().position(|n| *n == name).map(|i| &fingerprints[i]);
            let destination_changed = fp.is_some_and(|f| !b.is_for(f));
            if destination_changed {
                b = breaker::State::default();
            }
            let config_held = config.held.iter().find(|h| h.name == name);
            let state = breaker::Circuit::of(&b, now).label();
            if b.failures > 0 {
                attention.push(format!(
                    "breaker {state} after {} failure(s) in a row",
                    b.failures
                ));
            }
            if s.events > 0 {
                attention.push(format!("{} event(s) waiting in the spool", s.events));
            }
            if s.bytes.saturating_mul(10) >= cap.saturating_mul(9) {
                attention.push(format!(
                    "spool at {} of its {} byte cap (spool.max_bytes)",
                    s.bytes, cap
                ));
            }
            if s.overflowed > 0 {
                attention.push(format!(
                    "{} event(s) overflowed a full spool into the dead letters",
                    s.overflowed
                ));
            }
            if s.dead_letters > 0 {
                attention.push(format!(
                    "{} dead letter(s): `hookrelay flush --dead-letters` re-drives them",
                    s.dead_letters
                ));
            }
            // Masked again on display: files written by an older hookrelay may
            // still quote a URL whole.
            let mask = |e: &String| crate::util::url::mask_urls(e);
            let waiting = s.events > 0;
            let last_error = b
                .last_error
                .clone()
                .or_else(|| s.head_error.clone().filter(|_| waiting))
                .map(|e| mask(&e));
            let held = match config_held {
                Some(h) => Some(mask(&h.reason)),
                None => b.held.as_ref().map(mask),
            };
            let waiting_reason = waiting.then(|| match (&held, config_held) {
                (Some(h), Some(_)) => format!("held: {h}; the backend is off until the config is fixed"),
                (Some(h), None) => format!("held: {h}; run `hookrelay flush` after fixing it"),
                _ if destination_changed => {
                    "the URL or key changed since the last attempt: the next event or `hookrelay flush` sends them".to_string()
                }
                _ if b.failures > 0 => format!(
                    "breaker {state} after {} failure(s): {}",
                    b.failures,
                    last_error.as_deref().unwrap_or("unknown error")
                ),
                _ => "queued: the next hook events or `hookrelay flush` send them".to_string(),
            });
            if let Some(w) = waiting_reason.as_ref().filter(|_| held.is_some()) {
                attention.push(w.clone());
            }
            BackendStatus {
                enabled: enabled.contains(&name),
                breaker: state.to_string(),
                failures: b.failures,
                // When it will really be tried (the boot clock's view), not a
                // wall time the clock may since have been set back from.
                retry_at: (b.failures > 0).then(|| clock::rfc3339_ms(b.retry_at_ms(now))),
                spool_events: s.events,
                spool_bytes: s.bytes,
                spool_max_bytes: cap,
                oldest_event: s.oldest_ms.map(clock::rfc3339_ms),
                // No age for a time in the future (the clock was set back).
                oldest_event_age_s: s.oldest_ms.filter(|t| *t <= now).map(|t| (now - t) / 1000),
                oldest_event_attempts: s.head_attempts,
                torn_lines_skipped: s.torn,
                dead_letters: s.dead_letters,
                spool_full_overflow: s.overflowed,
                last_error,
                last_failure: b.last_failure.map(clock::rfc3339_ms),
                last_success: b.last_success.map(clock::rfc3339_ms),
                last_refusal: b
                    .last_refusal
                    .as_ref()
                    .or(s.last_dead_error.as_ref())
                    .map(mask),
                last_refusal_at: b.last_refusal_at.map(clock::rfc3339_ms),
                waiting_reason,
                held,
                destination_changed,
                attention,
                name,
            }
        })
        .collect()
}

/// Whether hookrelay can write its files now, and the last failure a hook recorded.
#[derive(Debug, Clone, Serialize)]
pub struct StorageStatus {
    /// Both directories took a probe write, and no failure is on record.
    pub ok: bool,
    /// Directories a probe write failed in, with the error.
    pub unwritable: Vec<String>,
    /// When a hook last failed to write (RFC 3339), and its line.
    pub last_failure: Option<String>,
    pub last_failure_message: Option<String>,
    /// What to show (empty: all good).
    pub attention: Vec<String>,
    /// What to do about an unwritable directory.
    pub fix: Option<String>,
}

/// Probes the data and state directories with a real write (removed at once)
/// and reads the failure a hook recorded, if any (cleared by the next hook
/// whose writes succeed).
pub fn storage(paths: &Paths) -> StorageStatus {
    let mut unwritable = Vec::new();
    let mut attention = Vec::new();
    let mut fix = None;
    let mut dirs = vec![&paths.data_dir];
    if paths.state_dir != paths.data_dir {
        dirs.push(&paths.state_dir);
    }
    for dir in dirs {
        if let Err((at, e)) = health::probe(dir) {
            let line = format!("{}: cannot write: {e}", at.display());
            if fix.is_none() {
                fix = Some(health::fix_for(&e).to_string());
            }
            attention.push(line.clone());
            unwritable.push(line);
        }
    }
    let recorded = health::recorded(paths);
    if let Some(r) = &recorded {
        let when = clock::rfc3339_ms(r.at_ms);
        let what = r
            .message
            .as_deref()
            .unwrap_or("the details could not be written either (the disk had no room for them)");
        let now = if unwritable.is_empty() {
            "; writing works again, the next hook event clears this"
        } else {
            ""
        };
        attention.push(format!(
            "a hook could not write its files at {when}: {what}{now} (recorded in {})",
            r.file.display()
        ));
    }
    StorageStatus {
        ok: attention.is_empty(),
        unwritable,
        last_failure: recorded.as_ref().map(|r| clock::rfc3339_ms(r.at_ms)),
        last_failure_message: recorded.and_then(|r| r.message),
        attention,
        fix,
    }
}

pub fn run(config_path: Option<&Path>, json: bool) -> Code {
    let Some(config) = config::load_reporting(config_path) else {
        return Code::NonBlocking;
    };
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());
    let all = collect(&config, &paths);
    let inflight = journal::count(&paths);
    let storage = storage(&paths);
    let needs_attention = all.iter().any(|b| !b.attention.is_empty()) || !storage.ok;
    if json {
        let doc = serde_json::json!({
            "backends": all,
            "inflight_journals": inflight,
            "storage": storage,
            "attention": needs_attention,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("status serialises")
        );
    } else {
        print!("{}", render(&all, &paths, inflight));
        for a in &storage.attention {
            println!("storage: ! {a}");
        }
        if let Some(fix) = &storage.fix {
            println!("storage: fix: {fix}");
        }
    }
    if needs_attention {
        Code::Attention
    } else {
        Code::Success
    }
}

fn render(all: &[BackendStatus], paths: &Paths, inflight: usize) -> String {
    let mut out = String::new();
    if all.is_empty() {
        out.push_str(&format!(
            "no remote backends configured; events are kept locally in {}\n",
            paths.events_dir().display()
        ));
    }
    for b in all {
        let enabled = if b.enabled { "enabled" } else { "not enabled" };
        let mut breaker = format!("breaker {}", b.breaker);
        if b.failures > 0 {
            breaker.push_str(&format!(
                " ({} failure(s) in a row, next try {})",
                b.failures,
                b.retry_at.as_deref().unwrap_or("-")
            ));
        }
        out.push_str(&format!("{} ({enabled}): {breaker}\n", b.name));
        let mut spool = format!(
            "  spool: {} event(s), {} bytes",
            b.spool_events, b.spool_bytes
        );
        if let Some(ts) = &b.oldest_event {
            let age = b.oldest_event_age_s.map_or_else(
                || "in the future: the clock was set back since".to_string(),
                age_words,
            );
            spool.push_str(&format!(
                ", oldest {ts} ({age}, {} attempt(s))",
                b.oldest_event_attempts
            ));
        }
        if b.torn_lines_skipped > 0 {
            spool.push_str(&format!(", {} torn line(s) skipped", b.torn_lines_skipped));
        }
        out.push_str(&format!("{spool}; dead letters: {}\n", b.dead_letters));
        let error = match (&b.last_error, &b.last_failure) {
            (Some(e), Some(t)) => format!("{e} (at {t})"),
            (Some(e), None) => e.clone(),
            (None, Some(t)) => format!("none now (last failure at {t})"),
            (None, None) => "none".to_string(),
        };
        out.push_str(&format!(
            "  last success: {}; last error: {error}\n",
            b.last_success.as_deref().unwrap_or("never"),
        ));
        if let Some(r) = &b.last_refusal {
            let at = b.last_refusal_at.as_deref().unwrap_or("-");
            out.push_str(&format!("  last refusal (dead letter): {r} (at {at})\n"));
        }
        if b.destination_changed && b.waiting_reason.is_none() {
            out.push_str(
                "  the URL or key changed since the last attempt: the next event tries it\n",
            );
        }
        if let Some(w) = &b.waiting_reason {
            out.push_str(&format!("  waiting: {w}\n"));
        }
        for a in &b.attention {
            out.push_str(&format!("  ! {a}\n"));
        }
    }
    if inflight > 0 {
        out.push_str(&format!(
            "{inflight} in-flight journal(s) in {} (running hooks, or killed ones `hookrelay flush` recovers)\n",
            paths.inflight_dir().display()
        ));
    }
    out
}

fn age_words(s: u64) -> String {
    match s {
        0..120 => format!("{s} s ago"),
        120..7200 => format!("{} min ago", s / 60),
        7200..172_800 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}
