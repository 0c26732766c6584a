//! The in-flight journal: a write-ahead record of an event that is about to be
//! sent, so that a kill (even SIGKILL) at any point leaves it recoverable.
//!
//! `<state>/inflight/<ms>-<pid>-<n>.jnl` is created as soon as the input has
//! parsed, holding the raw input with the event's id and receive time, and is
//! `flock`ed for the life of the process (the kernel drops the lock when the
//! process dies, however it dies). Then the envelope and its target backends are
//! added, then which backends took it live; once every backend is settled
//! (delivered, spooled or dead-lettered) the file is deleted. Cost on the happy
//! path: one create, three small writes, one unlink; no fsync.
//!
//! `recover` finds files whose lock is free (their owner is dead) and puts the
//! event into the spool of every target that had not taken it; an event that
//! died before its envelope existed is rebuilt from the raw input with the same
//! id and time. Recovery may duplicate (at-least-once), it never drops.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::enrich;
use crate::protocol::envelope::Envelope;
use crate::protocol::input;
use crate::redact::Redactor;
use crate::store::files;
use crate::store::local;
use crate::store::paths::Paths;
use crate::store::spool;
use crate::util::clock;

/// The hot path leaves younger orphans alone (their owners are most likely
/// alive, and trying every lock of 100 concurrent hooks would cost): they are
/// picked up by a later invocation or by `flush`.
pub const HOT_PATH_MIN_AGE_MS: u64 = 2_000;

pub struct Journal {
    file: File,
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Header {
    id: String,
    now_ms: u64,
    raw: String,
}

#[derive(Deserialize)]
struct Record {
    envelope: Envelope,
    targets: Vec<String>,
}

/// What `record` writes (borrowed: no copy of the envelope on the hot path).
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
    /// Opens the journal with the raw input and the id/time the event will carry,
    /// before anything else can fail. `None` (with the reason) if it cannot be
    /// written: delivery still goes on, only the crash protection is missing.
    pub fn begin(paths: &Paths, raw: &[u8], id: &str, now_ms: u64) -> Result<Journal, String> {
        let dir = paths.inflight_dir();
        let path = dir.join(format!(
            "{now_ms}-{}-{}.jnl",
            std::process::id(),
            &enrich::uuid_v4()[..8]
        ));
        let file = files::open(&path, files::private().append(true).create_new(true))
            .map_err(|e| format!("in-flight journal {}: {e}", path.display()))?;
        // Locked before the first byte: a complete header means a live owner held it.
        file.lock()
            .map_err(|e| format!("in-flight journal {}: lock: {e}", path.display()))?;
        let mut j = Journal { file, path };
        let header = Header {
            id: id.to_string(),
            now_ms,
            raw: String::from_utf8_lossy(raw).into_owned(),
        };
        j.line(&serde_json::to_vec(&header).expect("header serialises"))
            .map_err(|e| format!("in-flight journal {}: {e}", j.path.display()))?;
        Ok(j)
    }

    /// Records the envelope and the backends it is owed to.
    pub fn record(&mut self, env: &Envelope, targets: &[String]) {
        let rec = RecordRef {
            envelope: env,
            targets,
        };
        let _ = self.line(&serde_json::to_vec(&rec).expect("record serialises"));
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

/// What recovery did.
#[derive(Debug, Default)]
pub struct Recovered {
    pub events: u64,
    pub problems: Vec<String>,
}

/// Spools the events of dead invocations. `min_age_ms` skips younger journals
/// (`HOT_PATH_MIN_AGE_MS` on the hot path, 0 for `flush`).
pub fn recover(paths: &Paths, config: &Config, min_age_ms: u64) -> Recovered {
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
        if now.saturating_sub(born) < min_age_ms {
            continue;
        }
        match recover_one(paths, config, &e.path()) {
            Ok(true) => out.events += 1,
            Ok(false) => {}
            Err(msg) => out.problems.push(msg),
        }
    }
    out
}

/// `Ok(false)`: alive, already handled, or never written.
fn recover_one(paths: &Paths, config: &Config, path: &Path) -> Result<bool, String> {
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
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The last piece is whatever followed the final newline: incomplete, ignored.
    let mut complete: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    complete.pop();
    let Some(header) = complete
        .first()
        .and_then(|l| serde_json::from_slice::<Header>(l).ok())
    else {
        // Killed before the header was written: there is nothing to recover.
        let _ = std::fs::remove_file(path);
        return Ok(false);
    };
    let mut record: Option<Record> = None;
    let mut done: Vec<String> = Vec::new();
    for l in &complete[1..] {
        if let Ok(r) = serde_json::from_slice::<Record>(l) {
            record = Some(r);
        } else if let Ok(d) = serde_json::from_slice::<Done>(l) {
            done.extend(d.done);
        }
    }
    let (envelope, targets) = match record {
        Some(r) => (r.envelope, r.targets),
        None => rebuild(paths, config, &header)?,
    };
    if config.local_enabled() {
        local::keep(paths, &envelope).map_err(|e| {
            format!(
                "recovering event {} into {}: {e}",
                envelope.id,
                paths.events_dir().display()
            )
        })?;
    }
    let spooled_at = clock::rfc3339_ms(clock::now_ms());
    for t in targets.iter().filter(|t| !done.contains(t)) {
        let entry = spool::Entry {
            envelope: envelope.clone(),
            attempts: 0,
            last_error: Some("recovered: the invocation sending it was killed".into()),
            spooled_at: spooled_at.clone(),
            recovered: true,
        };
        match spool::append(paths, config, t, &entry) {
            Ok(spool::Kept::Spooled) => {}
            Ok(spool::Kept::Overflowed(msg)) => {
                eprintln!("hookrelay: {msg}");
            }
            Err(e) => {
                // Keep the journal: the next recovery tries again.
                return Err(format!(
                    "recovering event {} into the spool {}: {e}",
                    envelope.id,
                    spool::dir(paths, t).display()
                ));
            }
        }
    }
    let _ = std::fs::remove_file(path);
    Ok(true)
}

/// An event killed before enrichment: parse, redact and enrich its raw input
/// again, with the id and time it was given on receipt.
fn rebuild(
    paths: &Paths,
    config: &Config,
    header: &Header,
) -> Result<(Envelope, Vec<String>), String> {
    let raw = input::Raw {
        bytes: header.raw.as_bytes().to_vec(),
        total: header.raw.len(),
        read_error: None,
    };
    let mut parsed =
        input::parse(&raw).map_err(|e| format!("recovering event {}: {e}", header.id))?;
    let (redactor, _) = Redactor::for_config(&config.redaction);
    let report = redactor.redact_map(&mut parsed.raw);
    let targets: Vec<String> = config
        .backends
        .for_event(&parsed.hook_event_name)
        .iter()
        .map(|b| b.name().to_string())
        .collect();
    let env = enrich::envelope(
        parsed,
        header.id.clone(),
        report,
        enrich::EnrichConfig::new(config.project.as_deref(), config.run_id.as_deref()),
        paths,
        header.now_ms,
    );
    Ok((env, targets))
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
