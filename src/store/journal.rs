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
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{self, Problem, Warnings};
use crate::protocol::envelope::Envelope;
use crate::store::files;
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
    /// the crash protection is missing.
    pub fn begin(
        paths: &Paths,
        now_ms: u64,
        env: &Envelope,
        targets: &[String],
    ) -> Result<Journal, Problem> {
        let tag: String = env
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let path = paths
            .inflight_dir()
            .join(format!("{now_ms}-{}-{tag}.jnl", std::process::id()));
        let at = |path: &Path| format!("in-flight journal {}", path.display());
        let file = files::open(&path, files::private().append(true).create_new(true))
            .map_err(|e| Problem::new(e.to_string()).at(at(&path)))?;
        // Locked before the first byte: a complete record means a live owner held it.
        file.lock()
            .map_err(|e| Problem::new(format!("lock: {e}")).at(at(&path)))?;
        let mut j = Journal { file, path };
        let rec = RecordRef {
            envelope: env,
            targets,
        };
        j.line(&serde_json::to_vec(&rec).expect("record serialises"))
            .map_err(|e| Problem::new(e.to_string()).at(at(&j.path)))?;
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

    fn line(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut buf = Vec::with_capacity(bytes.len() + 1);
        buf.extend_from_slice(bytes);
        buf.push(b'\n');
        self.file.write_all(&buf)
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
/// (`HOT_PATH_MIN_AGE_MS` on the hot path, 0 for `flush`).
pub fn recover(paths: &Paths, how: &Recovery, min_age_ms: u64) -> Recovered {
    let mut out = Recovered::default();
    let dir = paths.inflight_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return out;
    };
    let now = clock::now_ms();
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stem) = name.strip_suffix(".jnl") else {
            continue;
        };
        let born: u64 = stem
            .split('-')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        // Born "in the future": the clock went back since; its lock tells.
        if born <= now && now - born < min_age_ms {
            continue;
        }
        match recover_one(paths, how, &e.path()) {
            Ok(true) => out.events += 1,
            Ok(false) => {}
            Err(msg) => out.problems.push(msg),
        }
    }
    out
}

/// `Ok(false)`: alive, already handled, or never written.
fn recover_one(paths: &Paths, how: &Recovery, path: &Path) -> Result<bool, Problem> {
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
        .map_err(|e| Problem::new(e.to_string()).at(path.display().to_string()))?;
    let Some((envelope, targets)) = read_journal(&text, how)? else {
        // Killed before the record was written: there is nothing to recover.
        let _ = std::fs::remove_file(path);
        return Ok(false);
    };
    if how.keep_local {
        local::keep(paths, &envelope).map_err(|e| {
            Problem::new(format!(
                "recovering event {} into {}: {e}",
                envelope.id,
                paths.events_dir().display()
            ))
        })?;
    }
    respool(paths, how.spool, &envelope, &targets)?;
    let _ = std::fs::remove_file(path);
    Ok(true)
}

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
