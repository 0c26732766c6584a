//! Per-backend spools of events not yet delivered, and dead letters for events a
//! backend refused, under `<data>/spool/<backend>/`:
//!
//! ```text
//! seg-000000000001.jsonl   spooled events, oldest first, one JSON line each
//! seg-000000000002.jsonl   (a new segment starts when the last one passes 16 MiB)
//! cursor                   where the first undelivered line starts (+ its attempts)
//! dead-letters.jsonl       events the backend refused, with its answer
//! lock, drain.lock         append/structure lock; one drainer at a time
//! ```
//!
//! Appends go to the last segment under `lock` (one `write` per line, see `jsonl`).
//! Draining reads from the cursor forward and only rewrites the small cursor file,
//! so a spool of a million events costs an invocation a `readdir` and a few `stat`s,
//! never a read of the whole spool. Fully drained segments are deleted.
//!
//! Storage only: what to spool after a delivery, and replaying the spool to a
//! backend, are `delivery::settle` and `delivery::replay`.

pub mod cursor;
pub mod dead_letters;
pub mod reader;
pub mod segments;
pub mod stats;

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::protocol::envelope::Envelope;
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::util::clock;

pub use dead_letters::{DEAD_LETTERS, DeadLetter, Redrive, dead_letter, dead_letters_file};
pub use reader::{Head, Opened, Reader};
pub use segments::SEGMENT_BYTES;
pub use stats::{Stats, stats};

use dead_letters::append_dead_locked;
use segments::{Tail, seg_path, structure_lock};

/// Bounds of `spool.max_bytes`. Any value loses nothing (an event that does not
/// fit goes to the dead letters), so the floor only keeps 0 and typos from sending
/// every event there; the cap, 1 TiB, catches a unit mistake before a dead backend
/// fills the disk.
pub const MAX_BYTES: std::ops::RangeInclusive<u64> = 1024..=(1 << 40);

/// The `spool` section of the config.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpoolConfig {
    /// Size cap per backend spool, in bytes. See README "Delivery guarantee".
    pub max_bytes: u64,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        SpoolConfig {
            max_bytes: 512 * 1024 * 1024,
        }
    }
}

/// One spooled event.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub envelope: Envelope,
    /// Attempts made before it was spooled (0: skipped, e.g. breaker open).
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub spooled_at: String,
    /// Rebuilt from the in-flight journal of a killed invocation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
}

pub fn dir(paths: &Paths, backend: &str) -> PathBuf {
    paths.spool_dir(backend)
}

/// Are older events waiting for this backend? (The hot path's only spool check.)
pub fn has_pending(paths: &Paths, backend: &str) -> bool {
    // No segment, nothing waiting: one `readdir` (most often of a missing
    // directory), without looking for a cursor.
    let dir = dir(paths, backend);
    let all = segments::segments(&dir);
    !all.is_empty() && Tail::of(&dir, all).pending_bytes() > 0
}

/// What happened to an event handed to the spool.
#[derive(Debug, PartialEq)]
pub enum Kept {
    Spooled,
    /// The spool was at its cap: the event went to the dead letters instead.
    Overflowed(String),
}

/// Appends an event to the end of `backend`'s spool, or, when the spool is at
/// `spool.max_bytes`, to its dead letters with reason `spool full`.
pub fn append(
    paths: &Paths,
    spool: &SpoolConfig,
    backend: &str,
    entry: &Entry,
) -> std::io::Result<Kept> {
    let dir = dir(paths, backend);
    let line = serde_json::to_vec(entry).expect("an entry serialises");
    let _lock = structure_lock(&dir)?;
    let cap = spool.max_bytes;
    let tail = Tail::read(&dir);
    if tail.pending_bytes() + line.len() as u64 + 1 > cap {
        let msg = format!(
            "SPOOL FULL: the spool of backend `{backend}` holds more than spool.max_bytes = {cap} bytes; \
             event {} went to {} instead (nothing is dropped). Bring the backend back and run \
             `hookrelay flush`, then `hookrelay flush --dead-letters`, or raise spool.max_bytes",
            entry.envelope.id,
            dir.join(DEAD_LETTERS).display()
        );
        let dl = DeadLetter {
            envelope: entry.envelope.clone(),
            reason: "spool full".into(),
            error: format!("the spool held more than spool.max_bytes = {cap} bytes"),
            attempts: entry.attempts,
            dead_at: clock::rfc3339_ms(clock::now_ms()),
        };
        append_dead_locked(&dir, &dl)?;
        return Ok(Kept::Overflowed(msg));
    }
    jsonl::append_line(&seg_path(&dir, tail.append_seq()), &line)?;
    Ok(Kept::Spooled)
}

/// Backend names that have a spool directory (configured or not any more).
pub fn known_backends(paths: &Paths) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(paths.data_dir.join("spool")) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// `fsync`s the spool files (used by `flush`; the hot path does not, see docs).
pub fn sync(paths: &Paths, backend: &str) {
    let dir = dir(paths, backend);
    for (_, p) in segments::segments(&dir) {
        sync_file(&p);
    }
    sync_file(&dir);
}

fn sync_file(p: &Path) {
    if let Ok(f) = File::open(p) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            envelope: serde_json::from_value(serde_json::json!({
                "id": id, "ts": "2026-12-05T00:00:00.000Z", "hook_event_name": "Stop",
                "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
                "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
            }))
            .unwrap(),
            attempts: 0,
            last_error: None,
            spooled_at: "2026-12-05T00:00:00.000Z".into(),
            recovered: false,
        }
    }

    /// `spool.max_bytes` is exact: an event whose line (newline included) fills
    /// the spool to the byte is spooled; one byte less room and it goes to the
    /// dead letters (nothing dropped).
    #[test]
    fn max_bytes_is_an_exact_limit() {
        for (room, spooled) in [(0i64, true), (-1, false)] {
            let t = crate::store::testdir::TempDir::new("spool-cap");
            let paths = t.paths();
            std::fs::create_dir_all(dir(&paths, "cap")).unwrap();
            let e = entry("00000000-0000-4000-8000-00000000000a");
            let line = serde_json::to_vec(&e).unwrap().len() as i64 + 1;
            let cap = SpoolConfig {
                max_bytes: (line + room) as u64,
            };
            let kept = append(&paths, &cap, "cap", &e).unwrap();
            assert_eq!(
                matches!(kept, Kept::Spooled),
                spooled,
                "room {room}: {kept:?}"
            );
            assert_eq!(stats(&paths, "cap").events, u64::from(spooled));
            assert_eq!(stats(&paths, "cap").dead_letters, u64::from(!spooled));
        }
    }
}
