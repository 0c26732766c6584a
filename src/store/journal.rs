//! The in-flight journal: a write-ahead record of an event that is about to be
//! sent, so that a kill (even SIGKILL) at any point leaves it recoverable.
//!
//! `<state>/inflight/<ms>-<pid>-<id>.jnl` is created once the event's envelope
//! exists (redacted and enriched: no raw input is ever written here), holding the
//! envelope and its target backends, and is `flock`ed for the life of the process
//! (the kernel drops the lock when the process dies, however it dies). Then come
//! the backends that took it live; once every backend is settled (delivered,
//! spooled or dead-lettered) the file is deleted. Cost on the happy path: one
//! create, two small writes, one unlink; no fsync.
//!
//! `recover` finds files whose lock is free (their owner is dead) and puts the
//! journaled envelope into the spool of every target that had not taken it, as
//! it is: recovery never re-runs the pipeline. Journals of older versions began
//! with the raw input (`Legacy`); the caller rebuilds those (`Recovery::rebuild`).
//! Recovery may duplicate (at-least-once), it never drops.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{self, Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::store::files;
use crate::store::jsonl;
use crate::store::local;
use crate::store::paths::Paths;
use crate::store::spool::{self, SpoolConfig};
use crate::util::clock;

/// The hot path leaves younger orphans alone (their owners are most likely
/// alive, and trying every lock of 100 concurrent hooks would cost): they are
/// picked up by a later invocation or by `flush`.
pub const HOT_PATH_MIN_AGE_MS: u64 = 2_000;

pub struct Journal {
    file: File,
    path: PathBuf,
    /// Bytes written so far: a line that fails part-way is cut back to this.
    len: u64,
}

/// The first line of a journal written by an older hookrelay, which journaled
/// the raw input before redaction and enrichment. Its envelope must be rebuilt
/// with the same id and receive time.
#[derive(Deserialize)]
pub struct Legacy {
    pub id: String,
    pub now_ms: u64,
    pub raw: String,
}

#[derive(Deserialize)]
struct Record {
    envelope: Envelope,
    targets: Vec<String>,
}

/// What `begin` writes (borrowed: no copy of the envelope on the hot path).
#[derive(Serialize)]
struct RecordRef<'a> {
    envelope: &'a Envelope,
    targets: &'a [String],
}

#[derive(Serialize, Deserialize)]
struct Done {
    done: Vec<String>,
}

impl Journal {
    /// Opens the journal with the envelope and the backends it is owed to. `Err`
    /// (with the reason) if it cannot be written: delivery still goes on, only
    /// the crash protection is missing, and no file is left behind (a full disk
    /// would otherwise leave an empty journal that looks like a kept event).
    pub fn begin(
        paths: &Paths,
        now_ms: u64,
        env: &Envelope,
        targets: &[String],
    ) -> Result<Journal, Unwritten> {
        let tag: String = env
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let path = paths
            .inflight_dir()
            .join(format!("{now_ms}-{}-{tag}.jnl", std::process::id()));
        let file = match files::open(&path, files::private().append(true).create_new(true)) {
            Ok(f) => f,
            Err(error) => return Err(Unwritten { path, error }),
        };
        // Locked before the first byte: a complete record means a live owner held it.
        if let Err(e) = file.lock() {
            let _ = std::fs::remove_file(&path);
            let error = std::io::Error::new(e.kind(), format!("lock: {e}"));
            return Err(Unwritten { path, error });
        }
        let mut j = Journal { file, path, len: 0 };
        let rec = RecordRef {
            envelope: env,
            targets,
        };
        if let Err(error) = j.line(&serde_json::to_vec(&rec).expect("record serialises")) {
            // Ours alone (created new, locked): nothing else can need it.
            let _ = std::fs::remove_file(&j.path);
            return Err(Unwritten {
                path: j.path.clone(),
                error,
            });
        }
        Ok(j)
    }

    /// These backends have the event: recovery will not spool it for them.
    pub fn done(&mut self, backends: &[String]) {
        if backends.is_empty() {
            return;
        }
        let d = Done {
            done: backends.to_vec(),
        };
        let _ = self.line(&serde_json::to_vec(&d).expect("done serialises"));
    }

    /// Everything settled (delivered, spooled or dead-lettered): drop the record.
    pub fn finish(self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// Where the journal is (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One whole line or nothing: a write cut short by a full disk is rolled back.
    fn line(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(bytes.len() + 1);
        buf.extend_from_slice(bytes);
        buf.push(b'\n');
        jsonl::write_or_roll_back(&mut self.file, self.len, &buf)?;
        self.len += buf.len() as u64;
        Ok(())
    }
}

/// A journal that could not be written (and was not left behind).
#[derive(Debug)]
pub struct Unwritten {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for Unwritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "in-flight journal {}: {}",
            self.path.display(),
            self.error
        )
    }
}

/// A `Legacy` journal's envelope and its target backends.
pub type Rebuilt = (Envelope, Vec<String>);

/// What recovery needs from the configuration, and how to rebuild a `Legacy`
/// journal's envelope and targets (the pipeline lives above the store).
pub struct Recovery<'a> {
    pub spool: &'a SpoolConfig,
    /// Keep recovered events in the local sink too (as the hook would have).
    pub keep_local: bool,
    pub rebuild: &'a dyn Fn(&Legacy) -> Result<Rebuilt, String>,
}

/// What recovery did.
#[derive(Debug, Default)]
pub struct Recovered {
    pub events: u64,
    pub problems: Warnings,
}

/// Spools the events of dead invocations. `min_age_ms` skips younger journals
/// (`HOT_PATH_MIN_AGE_MS` on the hot path, 0 for `flush`). Stops at the first
/// journal whose event cannot be written (disk full, read-only): the others
/// would fail the same way, and each stays for a later run; one line says so.
pub fn recover(paths: &Paths, how: &Recovery, min_age_ms: u64) -> Recovered {
    let mut out = Recovered::default();
    let dir = paths.inflight_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return out;
    };
    let now = clock::now_ms();
    let due: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".jnl")) else {
                return false;
            };
            let born: u64 = stem
                .split('-')
                .next()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            // Born "in the future": the clock went back since; its lock tells.
            born > now || now - born >= min_age_ms
        })
        .map(|e| e.path())
        .collect();
    for (i, path) in due.iter().enumerate() {
        match recover_one(paths, how, path) {
            Ok(true) => out.events += 1,
            Ok(false) => {}
            Err(Failed::Event(p)) => out.problems.push(p),
            Err(Failed::Storage(p)) => {
                let left = due.len() - i - 1;
                out.problems.push(if left > 0 {
                    Problem {
                        what: format!(
                            "{}; {left} more journal(s) in {} wait for a later run",
                            p.what,
                            dir.display()
                        ),
                        ..p
                    }
                } else {
                    p
                });
                break;
            }
        }
    }
    out
}

/// Why a journal could not be recovered: its own content (a legacy input that no
/// longer parses), or storage that cannot be written (which stops the run).
enum Failed {
    Event(Problem),
    Storage(Problem),
}

/// `Ok(false)`: alive, already handled, or never written.
fn recover_one(paths: &Paths, how: &Recovery, path: &Path) -> Result<bool, Failed> {
    use std::os::unix::fs::MetadataExt;
    let Ok(file) = File::open(path) else {
        return Ok(false);
    };
    if file.try_lock().is_err() {
        return Ok(false); // its owner is alive
    }
    // Deleted by its owner (or another recoverer) while we opened it.
    if file.metadata().map(|m| m.nlink() == 0).unwrap_or(true) {
        return Ok(false);
    }
    let text = std::fs::read(path)
        .map_err(|e| Failed::Event(Problem::new(e.to_string()).at(path.display().to_string())))?;
    let Some((envelope, targets)) = read_journal(&text, how).map_err(Failed::Event)? else {
        // Killed (or out of space) before the record was complete: there is
        // nothing to recover, and an empty journal must not wait forever.
        let _ = std::fs::remove_file(path);
        return Ok(false);
    };
    if how.keep_local {
        local::keep(paths, &envelope).map_err(|e| {
            Failed::Storage(
                Problem::new(format!(
                    "recovering event {} into {}: {e}; the journal {} is kept for a later run",
                    envelope.id,
                    paths.events_dir().display(),
                    path.display()
                ))
                .fix(STORAGE_FIX),
            )
        })?;
    }
    respool(paths, how.spool, &envelope, &targets).map_err(|p| {
        Failed::Storage(
            Problem::new(format!(
                "{}; the journal {} is kept for a later run",
                p.what,
                path.display()
            ))
            .fix(STORAGE_FIX),
        )
    })?;
    let _ = std::fs::remove_file(path);
    Ok(true)
}

/// What to do when hookrelay cannot write its files.
const STORAGE_FIX: &str = "free space or fix permissions there, or point HOOKRELAY_DATA_DIR / \
     HOOKRELAY_STATE_DIR (config `data_dir` / `state_dir`) at a writable directory";

/// The journaled envelope and the targets that had not taken it; `None` when
/// the first line is incomplete.
fn read_journal(text: &[u8], how: &Recovery) -> Result<Option<Rebuilt>, Problem> {
    // The last piece is whatever followed the final newline: incomplete, ignored.
    let mut complete: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    complete.pop();
    let Some(first) = complete.first() else {
        return Ok(None);
    };
    let mut record = serde_json::from_slice::<Record>(first).ok();
    let legacy = match record {
        Some(_) => None,
        None => match serde_json::from_slice::<Legacy>(first) {
            Ok(l) => Some(l),
            Err(_) => return Ok(None),
        },
    };
    let mut done: Vec<String> = Vec::new();
    for l in &complete[1..] {
        if let Ok(r) = serde_json::from_slice::<Record>(l) {
            record = Some(r); // a legacy journal's record, after its raw input
        } else if let Ok(d) = serde_json::from_slice::<Done>(l) {
            done.extend(d.done);
        }
    }
    let (envelope, mut targets) = match (record, legacy) {
        (Some(r), _) => (r.envelope, r.targets),
        (None, Some(l)) => (how.rebuild)(&l)?,
        (None, None) => return Ok(None),
    };
    targets.retain(|t| !done.contains(t));
    Ok(Some((envelope, targets)))
}

/// Appends a recovered envelope to the spool of each target.
fn respool(
    paths: &Paths,
    spool: &SpoolConfig,
    envelope: &Envelope,
    targets: &[String],
) -> Result<(), Problem> {
    let spooled_at = clock::rfc3339_ms(clock::now_ms());
    for t in targets {
        let entry = spool::Entry {
            envelope: envelope.clone(),
            attempts: 0,
            last_error: Some("recovered: the invocation sending it was killed".into()),
            spooled_at: spooled_at.clone(),
            recovered: true,
        };
        match spool::append(paths, spool, t, &entry) {
            Ok(spool::Kept::Spooled) => {}
            Ok(spool::Kept::Overflowed(msg)) => error::report(msg),
            Err(e) => {
                // Keep the journal: the next recovery tries again.
                return Err(Problem::new(format!(
                    "recovering event {} into the spool {}: {e}",
                    envelope.id,
                    spool::dir(paths, t).display()
                )));
            }
        }
    }
    Ok(())
}

/// Journals of running or dead invocations (for `status`).
pub fn count(paths: &Paths) -> usize {
    std::fs::read_dir(paths.inflight_dir())
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".jnl"))
                .count()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empty or cut-short journals (a full disk, a kill before the first line)
    /// hold nothing: recovery removes them, says nothing, and still recovers a
    /// complete one next to them.
    #[test]
    fn empty_and_cut_short_journals_are_cleaned_without_losing_a_real_one() {
        let t = crate::store::testdir::TempDir::new("journal-empty");
        let paths = t.paths();
        let env: Envelope = serde_json::from_value(serde_json::json!({
            "id": "real", "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
            "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap();
        let j = Journal::begin(&paths, 1, &env, &["rec".to_string()]).unwrap();
        drop(j); // closed, not finished: what a killed owner leaves
        let dir = paths.inflight_dir();
        std::fs::write(dir.join("2-1-empty.jnl"), b"").unwrap();
        std::fs::write(dir.join("3-1-cut.jnl"), br#"{"envelope":{"id":"cu"#).unwrap();
        let spool = SpoolConfig::default();
        let rebuild = |_: &Legacy| -> Result<Rebuilt, String> { Err("none".into()) };
        let how = Recovery {
            spool: &spool,
            keep_local: false,
            rebuild: &rebuild,
        };
        let out = recover(&paths, &how, 0);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.events, 1, "the complete journal is recovered");
        assert_eq!(crate::store::spool::stats(&paths, "rec").events, 1);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert!(left.is_empty(), "every journal handled and removed");
    }

    /// A spool that cannot be written fails every journal the same way: one
    /// line, and every journal stays for a later run.
    #[test]
    fn recovery_stops_at_the_first_unwritable_spool_and_keeps_the_journals() {
        let t = crate::store::testdir::TempDir::new("journal-stuck");
        let paths = t.paths();
        for (n, id) in ["a1", "b2", "c3"].iter().enumerate() {
            let env: Envelope = serde_json::from_value(serde_json::json!({
                "id": id, "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
                "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
                "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
            }))
            .unwrap();
            drop(Journal::begin(&paths, n as u64 + 1, &env, &["rec".to_string()]).unwrap());
        }
        // A file where the spool directory should be.
        std::fs::create_dir_all(paths.data_dir.join("spool")).unwrap();
        std::fs::write(paths.spool_dir("rec"), b"x").unwrap();
        let spool = SpoolConfig::default();
        let rebuild = |_: &Legacy| -> Result<Rebuilt, String> { Err("none".into()) };
        let how = Recovery {
            spool: &spool,
            keep_local: false,
            rebuild: &rebuild,
        };
        let out = recover(&paths, &how, 0);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0].what.contains("2 more journal(s)"),
            "{:?}",
            out.problems
        );
        assert_eq!(std::fs::read_dir(paths.inflight_dir()).unwrap().count(), 3);
    }
}
