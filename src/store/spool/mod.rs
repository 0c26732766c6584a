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

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::backends::{Backend, Outcome};
use crate::config::Config;
use crate::delivery::breaker;
use crate::delivery::transport::Transport;
use crate::delivery::{Delivery, Route, Routed};
use crate::protocol::envelope::Envelope;
use crate::store::files;
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::util::clock;

/// A new segment starts once the last one reaches this size.
pub const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;
/// The cursor is saved at least every this many consumed lines while draining
/// (a crash re-sends at most this many: at-least-once).
const CURSOR_EVERY: u32 = 64;
pub const DEAD_LETTERS: &str = "dead-letters.jsonl";
const REDRIVE: &str = "dead-letters.redrive.jsonl";

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

/// One dead letter: the event, why, and what the backend answered.
#[derive(Debug, Serialize, Deserialize)]
pub struct DeadLetter {
    pub envelope: Envelope,
    /// `rejected` (the backend refused it) or `spool full`.
    pub reason: String,
    /// The answer received (status and start of the body), or the cap message.
    pub error: String,
    pub attempts: u32,
    pub dead_at: String,
}

/// Where the first undelivered line is, and how its retries went.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Cursor {
    pub seg: u64,
    pub offset: u64,
    /// Failed replay attempts of the line at the cursor.
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Torn or unreadable lines skipped so far.
    pub torn: u64,
}

pub fn dir(paths: &Paths, backend: &str) -> PathBuf {
    paths.spool_dir(backend)
}

fn seg_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("seg-{seq:012}.jsonl"))
}

/// Segment files, oldest first.
pub fn segments(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, PathBuf)> = rd
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name();
            let name = name.to_str()?;
            let seq = name
                .strip_prefix("seg-")?
                .strip_suffix(".jsonl")?
                .parse()
                .ok()?;
            Some((seq, e.path()))
        })
        .collect();
    out.sort();
    out
}

pub fn read_cursor(dir: &Path) -> Cursor {
    files::read_replaced(&dir.join("cursor"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_cursor(dir: &Path, c: &Cursor) -> std::io::Result<()> {
    files::replace(
        &dir.join("cursor"),
        &serde_json::to_vec(c).expect("cursor serialises"),
    )
}

/// Bytes waiting to be delivered (a `readdir` plus one `stat` per segment).
pub fn pending_bytes(dir: &Path) -> u64 {
    let segs = segments(dir);
    if segs.is_empty() {
        return 0;
    }
    let cur = read_cursor(dir);
    segs.iter()
        .filter(|(seq, _)| *seq >= cur.seg)
        .map(|(seq, p)| {
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            if *seq == cur.seg {
                len.saturating_sub(cur.offset)
            } else {
                len
            }
        })
        .sum()
}

/// The spool as the hot path sees it, whatever its size: a `readdir`, the
/// cursor and one `stat` of the last segment.
struct Tail {
    cursor: Cursor,
    /// Segments at or after the cursor, oldest first.
    live: Vec<(u64, PathBuf)>,
    last_len: u64,
}

impl Tail {
    fn read(dir: &Path) -> Tail {
        let cursor = read_cursor(dir);
        let live: Vec<(u64, PathBuf)> = segments(dir)
            .into_iter()
            .filter(|(seq, _)| *seq >= cursor.seg)
            .collect();
        let last_len = live
            .last()
            .and_then(|(_, p)| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        Tail {
            cursor,
            live,
            last_len,
        }
    }

    /// Bytes waiting. Full segments count as `SEGMENT_BYTES` (each is longer by
    /// less than one line), so this is within a line per segment of
    /// `pending_bytes`.
    fn pending_bytes(&self) -> u64 {
        let Some((first, _)) = self.live.first() else {
            return 0;
        };
        let full = (self.live.len() as u64 - 1) * SEGMENT_BYTES;
        let consumed = if *first == self.cursor.seg {
            self.cursor.offset
        } else {
            0
        };
        (full + self.last_len).saturating_sub(consumed)
    }

    /// The segment the next line goes to: the last one until it is full, then a
    /// new number, never one at or below the cursor (those count as delivered).
    fn append_seq(&self) -> u64 {
        match self.live.last() {
            Some((seq, _)) if self.last_len < SEGMENT_BYTES => *seq,
            last => last.map_or(0, |(s, _)| *s).max(self.cursor.seg) + 1,
        }
    }
}

/// Are older events waiting for this backend? (The hot path's only spool check.)
pub fn has_pending(paths: &Paths, backend: &str) -> bool {
    Tail::read(&dir(paths, backend)).pending_bytes() > 0
}

/// Holds `<dir>/lock` while appending or changing which files exist.
fn structure_lock(dir: &Path) -> std::io::Result<File> {
    let f = files::open_lock(&dir.join("lock"))?;
    f.lock()?;
    Ok(f)
}

/// What happened to an event handed to the spool.
#[derive(Debug, PartialEq)]
pub enum Kept {
    Spooled,
    /// The spool was at its cap: the event went to the dead letters instead.
    Overflowed(String),
}

/// Appends an event to the end of `backend`'s spool, or, when the spool is at
/// `config.spool.max_bytes`, to its dead letters with reason `spool full`.
pub fn append(
    paths: &Paths,
    config: &Config,
    backend: &str,
    entry: &Entry,
) -> std::io::Result<Kept> {
    let dir = dir(paths, backend);
    let line = serde_json::to_vec(entry).expect("an entry serialises");
    let _lock = structure_lock(&dir)?;
    let cap = config.spool.max_bytes;
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
            error: format!("spool full (max_bytes {cap})"),
            attempts: entry.attempts,
            dead_at: clock::rfc3339_ms(clock::now_ms()),
        };
        append_dead_locked(&dir, &dl)?;
        return Ok(Kept::Overflowed(msg));
    }
    jsonl::append_line(&seg_path(&dir, tail.append_seq()), &line)?;
    Ok(Kept::Spooled)
}

/// Appends a dead letter (takes the structure lock: re-driving renames the file).
pub fn dead_letter(paths: &Paths, backend: &str, dl: &DeadLetter) -> std::io::Result<()> {
    let dir = dir(paths, backend);
    let _lock = structure_lock(&dir)?;
    append_dead_locked(&dir, dl)
}

fn append_dead_locked(dir: &Path, dl: &DeadLetter) -> std::io::Result<()> {
    jsonl::append_line(
        &dir.join(DEAD_LETTERS),
        &serde_json::to_vec(dl).expect("a dead letter serialises"),
    )
}

/// What `settle` did.
#[derive(Debug, Default)]
pub struct Settled {
    /// One stderr line per problem (routine spooling behind an open breaker or
    /// older events stays quiet).
    pub problems: Vec<String>,
    /// Every backend has the event, or it is in a spool or dead-letter file.
    /// `false`: a file could not be written; keep the journal for recovery.
    pub complete: bool,
}

/// After delivery: spools what a backend did not take, dead-letters what it
/// refused, and tells the breaker how live attempts went.
pub fn settle(
    paths: &Paths,
    config: &Config,
    env: &Envelope,
    routed: &[Routed],
    deliveries: &[Delivery],
    now_ms: u64,
) -> Settled {
    let mut problems = Vec::new();
    let mut complete = true;
    let now = clock::rfc3339_ms(now_ms);
    // The breaker counts from when the answer (or the deadline) came, not from
    // when the event arrived: a 1 s deadline must not eat a 1 s cool-down.
    let answered_ms = clock::now_ms();
    for (r, d) in routed.iter().zip(deliveries) {
        let name = r.backend.name();
        let attempted = !matches!(r.route, Route::Queue(_));
        match &d.outcome {
            Outcome::Delivered => {
                if attempted {
                    breaker::success(paths, name, answered_ms);
                }
            }
            Outcome::Rejected(answer) => {
                breaker::success(paths, name, answered_ms);
                let dl = DeadLetter {
                    envelope: env.clone(),
                    reason: "rejected".into(),
                    error: answer.clone(),
                    attempts: 1,
                    dead_at: now.clone(),
                };
                match dead_letter(paths, name, &dl) {
                    Ok(()) => problems.push(format!(
                        "{name}: refused event {}: {answer}; kept in {} (re-drive with `hookrelay flush --dead-letters`)",
                        env.id,
                        dir(paths, name).join(DEAD_LETTERS).display()
                    )),
                    Err(e) => {
                        complete = false;
                        problems.push(format!(
                            "{name}: refused event {} ({answer}) and the dead-letter file {} could not be written: {e}",
                            env.id,
                            dir(paths, name).join(DEAD_LETTERS).display()
                        ))
                    }
                }
            }
            Outcome::Retry(error) => {
                if attempted {
                    breaker::failure(paths, name, now_ms, answered_ms, error);
                }
                let entry = Entry {
                    envelope: env.clone(),
                    attempts: u32::from(attempted),
                    last_error: Some(error.clone()),
                    spooled_at: now.clone(),
                    recovered: false,
                };
                match append(paths, config, name, &entry) {
                    Ok(Kept::Spooled) if attempted => problems.push(format!(
                        "{name}: not delivered ({error}); spooled for retry"
                    )),
                    Ok(Kept::Spooled) => {}
                    Ok(Kept::Overflowed(msg)) => problems.push(msg),
                    Err(e) => {
                        complete = false;
                        problems.push(format!(
                            "{name}: not delivered ({error}) and the spool {} could not be written: {e}; \
                             the event stays in the in-flight journal for a later run",
                            dir(paths, name).display()
                        ))
                    }
                }
            }
        }
    }
    Settled { problems, complete }
}

/// How long a drain may go on.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// No new request starts after this instant (`None`: until empty or failing).
    pub stop_at: Option<Instant>,
    /// Time limit of each request.
    pub request_timeout: Duration,
    /// Wait for another drainer to finish instead of skipping (`flush`).
    pub wait_for_lock: bool,
}

/// What one drain did.
#[derive(Debug, Default, Clone)]
pub struct Drained {
    pub delivered: u64,
    pub dead_lettered: u64,
    /// Torn or unreadable lines skipped (and counted in the cursor).
    pub torn: u64,
    /// Someone else was draining: nothing was done.
    pub busy: bool,
    /// Stopped on this error (the event at the head stays for later).
    pub error: Option<String>,
    /// Events still waiting afterwards.
    pub left: bool,
}

/// Replays `backend`'s spool from the head, in order, until it is empty, a
/// delivery fails, or the budget is spent. Only delivered (or dead-lettered)
/// lines are passed; a kill at any point re-sends at most the lines since the
/// last saved cursor.
pub fn drain(
    paths: &Paths,
    backend: &dyn Backend,
    transport: &Transport,
    budget: Budget,
) -> Drained {
    let name = backend.name();
    let dir = dir(paths, name);
    let mut out = Drained::default();
    if segments(&dir).is_empty() {
        return out;
    }
    let Ok(lock) = files::open_lock(&dir.join("drain.lock")) else {
        out.left = true;
        return out;
    };
    let locked = if budget.wait_for_lock {
        lock.lock().is_ok()
    } else {
        lock.try_lock().is_ok()
    };
    if !locked {
        out.busy = true;
        out.left = true;
        return out;
    }
    let mut cur = read_cursor(&dir);
    let mut unsaved = 0u32;
    let mut answered = false;
    let mut requests = 0u32;
    'segments: loop {
        let segs = segments(&dir);
        let Some(pos) = segs.iter().position(|(seq, _)| *seq >= cur.seg) else {
            break;
        };
        // Segments before the cursor were fully delivered (left by a kill).
        for (_, p) in &segs[..pos] {
            let _ = std::fs::remove_file(p);
        }
        let (seq, ref path) = segs[pos];
        if seq != cur.seg {
            cur = Cursor {
                seg: seq,
                offset: 0,
                attempts: 0,
                last_error: None,
                torn: cur.torn,
            };
        }
        let is_tail = pos + 1 == segs.len();
        let Ok(mut f) = File::open(path) else { break };
        if f.seek(SeekFrom::Start(cur.offset)).is_err() {
            break;
        }
        let mut reader = BufReader::with_capacity(64 * 1024, f);
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = match reader.read_until(b'\n', &mut line) {
                Ok(n) => n as u64,
                Err(_) => break 'segments,
            };
            if n == 0 || line.last() != Some(&b'\n') {
                if is_tail {
                    // End of the spool (or a line still being written).
                    if n > 0 {
                        out.left = true;
                    }
                    break 'segments;
                }
                if n > 0 {
                    // A line torn by a kill, never closed because the spool moved on.
                    out.torn += 1;
                    cur.torn += 1;
                }
                // On to the next segment; this one is done.
                cur = Cursor {
                    seg: seq + 1,
                    offset: 0,
                    attempts: 0,
                    last_error: None,
                    torn: cur.torn,
                };
                let _ = write_cursor(&dir, &cur);
                unsaved = 0;
                let _ = std::fs::remove_file(path);
                continue 'segments;
            }
            let entry: Entry = match serde_json::from_slice(&line[..line.len() - 1]) {
                Ok(e) => e,
                Err(_) => {
                    out.torn += 1;
                    cur.torn += 1;
                    advance(&mut cur, n, &mut unsaved, &dir);
                    continue;
                }
            };
            // At least one request per drain, so a spent budget still makes progress.
            if budget.stop_at.is_some_and(|t| Instant::now() >= t) && requests > 0 {
                out.left = true;
                break 'segments;
            }
            requests += 1;
            let started_ms = clock::now_ms();
            let outcome = crate::delivery::try_once(
                backend,
                &entry.envelope,
                transport,
                Instant::now() + budget.request_timeout,
            );
            match outcome {
                Outcome::Delivered => {
                    answered = true;
                    out.delivered += 1;
                    advance(&mut cur, n, &mut unsaved, &dir);
                }
                Outcome::Rejected(answer) => {
                    answered = true;
                    let dl = DeadLetter {
                        envelope: entry.envelope,
                        reason: "rejected".into(),
                        error: answer,
                        attempts: entry.attempts + cur.attempts + 1,
                        dead_at: clock::rfc3339_ms(clock::now_ms()),
                    };
                    if dead_letter(paths, name, &dl).is_err() {
                        out.error = Some(format!(
                            "refused, and {} could not be written",
                            dir.join(DEAD_LETTERS).display()
                        ));
                        out.left = true;
                        break 'segments;
                    }
                    out.dead_lettered += 1;
                    advance(&mut cur, n, &mut unsaved, &dir);
                }
                Outcome::Retry(e) => {
                    cur.attempts += 1;
                    cur.last_error = Some(e.clone());
                    breaker::failure(paths, name, started_ms, clock::now_ms(), &e);
                    out.error = Some(e);
                    out.left = true;
                    break 'segments;
                }
            }
        }
    }
    let _ = write_cursor(&dir, &cur);
    if answered {
        breaker::success(paths, name, clock::now_ms());
    }
    if !out.left {
        remove_if_drained(&dir, &cur);
    }
    out
}

fn advance(cur: &mut Cursor, n: u64, unsaved: &mut u32, dir: &Path) {
    cur.offset += n;
    cur.attempts = 0;
    cur.last_error = None;
    *unsaved += 1;
    if *unsaved >= CURSOR_EVERY {
        let _ = write_cursor(dir, cur);
        *unsaved = 0;
    }
}

/// Everything delivered: drop the last segment and the cursor (under the
/// structure lock, so no append slips in between), leaving an empty spool that
/// the hot path recognises with one `readdir`.
fn remove_if_drained(dir: &Path, cur: &Cursor) {
    let Ok(_lock) = structure_lock(dir) else {
        return;
    };
    let segs = segments(dir);
    let all_read = segs.iter().all(|(seq, p)| {
        *seq < cur.seg
            || (*seq == cur.seg && std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) == cur.offset)
    });
    if all_read {
        // Cursor first: a kill in between leaves a segment without a cursor,
        // which is re-sent (duplicates), never skipped.
        if cur.torn == 0 {
            let _ = std::fs::remove_file(dir.join("cursor"));
        } else {
            // Keep the torn-line count for `status`, pointing past every segment.
            let kept = Cursor {
                seg: cur.seg + 1,
                offset: 0,
                attempts: 0,
                last_error: None,
                torn: cur.torn,
            };
            if write_cursor(dir, &kept).is_err() {
                return;
            }
        }
        for (_, p) in segs {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Moves the dead letters back into play: each is sent once more; delivered ones
/// are gone, refused ones come back as dead letters with the new answer, and
/// those that fail for a transient reason go to the end of the spool.
pub fn redrive_dead_letters(
    paths: &Paths,
    config: &Config,
    backend: &dyn Backend,
    transport: &Transport,
    timeout: Duration,
) -> std::io::Result<Drained> {
    let name = backend.name();
    let dir = dir(paths, name);
    let mut out = Drained::default();
    let redrive = dir.join(REDRIVE);
    // One re-drive at a time (two would send every dead letter twice).
    let drain_lock = files::open_lock(&dir.join("drain.lock"))?;
    drain_lock.lock()?;
    {
        let _lock = structure_lock(&dir)?;
        // A redrive file already there is one a killed flush did not finish.
        if !redrive.exists() {
            match std::fs::rename(dir.join(DEAD_LETTERS), &redrive) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
                Err(e) => return Err(e),
            }
        }
    }
    let (values, torn) = jsonl::read_values(&redrive)?;
    out.torn = torn as u64;
    let mut answered = false;
    for v in values {
        let Ok(dl) = serde_json::from_value::<DeadLetter>(v) else {
            out.torn += 1;
            continue;
        };
        let outcome =
            crate::delivery::try_once(backend, &dl.envelope, transport, Instant::now() + timeout);
        match outcome {
            Outcome::Delivered => {
                answered = true;
                out.delivered += 1;
            }
            Outcome::Rejected(answer) => {
                answered = true;
                out.dead_lettered += 1;
                dead_letter(
                    paths,
                    name,
                    &DeadLetter {
                        error: answer,
                        attempts: dl.attempts + 1,
                        dead_at: clock::rfc3339_ms(clock::now_ms()),
                        ..dl
                    },
                )?;
            }
            Outcome::Retry(e) => {
                out.left = true;
                out.error = Some(e.clone());
                let entry = Entry {
                    envelope: dl.envelope,
                    attempts: dl.attempts + 1,
                    last_error: Some(e),
                    spooled_at: clock::rfc3339_ms(clock::now_ms()),
                    recovered: false,
                };
                append(paths, config, name, &entry)?;
            }
        }
    }
    if answered {
        breaker::success(paths, name, clock::now_ms());
    }
    std::fs::remove_file(&redrive)?;
    Ok(out)
}

/// Spool facts for `status` (reads the spool; not for the hot path).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub events: u64,
    pub bytes: u64,
    /// `ts` of the oldest waiting event (epoch ms).
    pub oldest_ms: Option<u64>,
    pub torn: u64,
    pub head_attempts: u32,
    pub head_error: Option<String>,
    pub dead_letters: u64,
    /// Dead letters that are there because the spool was full.
    pub overflowed: u64,
    /// Last error recorded in a dead letter.
    pub last_dead_error: Option<String>,
}

pub fn stats(paths: &Paths, backend: &str) -> Stats {
    let dir = dir(paths, backend);
    let cur = read_cursor(&dir);
    let mut s = Stats {
        torn: cur.torn,
        head_attempts: cur.attempts,
        head_error: cur.last_error.clone(),
        bytes: pending_bytes(&dir),
        ..Stats::default()
    };
    let mut looked = false;
    for (seq, p) in segments(&dir).iter().filter(|(seq, _)| *seq >= cur.seg) {
        let Ok(mut f) = File::open(p) else { continue };
        let start = if *seq == cur.seg { cur.offset } else { 0 };
        if f.seek(SeekFrom::Start(start)).is_err() {
            continue;
        }
        let mut r = BufReader::with_capacity(256 * 1024, f);
        loop {
            let buf = match r.fill_buf() {
                Ok([]) | Err(_) => break,
                Ok(b) => b,
            };
            if !looked && let Some(end) = buf.iter().position(|b| *b == b'\n') {
                looked = true;
                s.oldest_ms = serde_json::from_slice::<Entry>(&buf[..end])
                    .ok()
                    .and_then(|e| clock::parse_rfc3339_ms(&e.envelope.ts));
            }
            let n = buf.len();
            s.events += buf.iter().filter(|b| **b == b'\n').count() as u64;
            r.consume(n);
        }
    }
    for f in [DEAD_LETTERS, REDRIVE] {
        if let Ok((vals, _)) = jsonl::read_values(&dir.join(f)) {
            s.dead_letters += vals.len() as u64;
            for v in &vals {
                if v["reason"] == "spool full" {
                    s.overflowed += 1;
                }
            }
            if let Some(e) = vals.last().and_then(|v| v["error"].as_str()) {
                s.last_dead_error = Some(e.to_string());
            }
        }
    }
    s
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
    for (_, p) in segments(&dir) {
        if let Ok(f) = File::open(&p) {
            let _ = f.sync_all();
        }
    }
    if let Ok(f) = File::open(&dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::backends::{HttpResponse, Request};
    use crate::util::testdir::TempDir;

    /// Records the ids it is asked for; "sends" nothing (request `None` counts as
    /// delivered), or fails every request with `fail`.
    struct Recorder {
        seen: Arc<Mutex<Vec<String>>>,
        fail: bool,
    }

    impl Backend for Recorder {
        fn name(&self) -> &str {
            "rec"
        }
        fn endpoint(&self) -> String {
            "memory:".into()
        }
        fn carries_secret(&self) -> bool {
            false
        }
        fn wants(&self, _: &str) -> bool {
            true
        }
        fn request(&self, env: &Envelope) -> Option<Request> {
            self.seen.lock().unwrap().push(env.id.clone());
            self.fail.then(|| Request {
                method: "POST",
                url: "http://127.0.0.1:1/nothing-listens".into(),
                headers: vec![],
                body: vec![],
            })
        }
        fn classify(&self, _: &HttpResponse) -> Outcome {
            Outcome::Delivered
        }
    }

    fn setup(tag: &str) -> (TempDir, Paths, Config) {
        let t = TempDir::new(&format!("spool-{tag}"));
        let paths = t.paths();
        (t, paths, Config::default())
    }

    fn entry(id: &str) -> Entry {
        let envelope: Envelope = serde_json::from_value(serde_json::json!({
            "id": id, "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
            "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap();
        Entry {
            envelope,
            attempts: 0,
            last_error: None,
            spooled_at: "2026-11-22T00:00:00.000Z".into(),
            recovered: false,
        }
    }

    fn line(id: &str) -> String {
        format!("{}\n", serde_json::to_string(&entry(id)).unwrap())
    }

    fn budget() -> Budget {
        Budget {
            stop_at: None,
            request_timeout: Duration::from_secs(2),
            wait_for_lock: true,
        }
    }

    #[test]
    fn the_hot_path_estimate_of_waiting_bytes_is_within_a_line_per_segment() {
        let (_t, paths, _) = setup("approx");
        let dir = dir(&paths, "rec");
        std::fs::create_dir_all(&dir).unwrap();
        let line = vec![b'x'; 999];
        let lines_per_full = SEGMENT_BYTES / 1000 + 1; // a segment rolls once past 16 MiB
        for seq in 1..=3u64 {
            let n = if seq < 3 { lines_per_full } else { 10 };
            let mut body = Vec::new();
            for _ in 0..n {
                body.extend_from_slice(&line);
                body.push(b'\n');
            }
            std::fs::write(seg_path(&dir, seq), body).unwrap();
        }
        write_cursor(
            &dir,
            &Cursor {
                seg: 1,
                offset: 5_000,
                ..Cursor::default()
            },
        )
        .unwrap();
        let (exact, approx) = (pending_bytes(&dir), Tail::read(&dir).pending_bytes());
        assert!(exact.abs_diff(approx) <= 2 * 1000, "{exact} vs {approx}");
        // Everything delivered: nothing pending, by either count.
        let last_len = std::fs::metadata(seg_path(&dir, 3)).unwrap().len();
        write_cursor(
            &dir,
            &Cursor {
                seg: 3,
                offset: last_len,
                ..Cursor::default()
            },
        )
        .unwrap();
        assert_eq!(
            (pending_bytes(&dir), Tail::read(&dir).pending_bytes()),
            (0, 0)
        );
    }

    #[test]
    fn drains_across_segments_from_the_cursor_in_order_and_cleans_up() {
        let (_t, paths, _) = setup("segments");
        let dir = dir(&paths, "rec");
        std::fs::create_dir_all(&dir).unwrap();
        // Segment 1 was delivered up to its second line; segment 2 ends in a line
        // torn by a kill (never closed, because segment 3 was started).
        std::fs::write(
            seg_path(&dir, 1),
            format!("{}{}{}", line("a"), line("b"), line("c")),
        )
        .unwrap();
        std::fs::write(
            seg_path(&dir, 2),
            format!("{}{{\"envelope\":{{\"id", line("d")),
        )
        .unwrap();
        std::fs::write(seg_path(&dir, 3), format!("{}{}", line("e"), line("f"))).unwrap();
        let cur = Cursor {
            seg: 1,
            offset: (line("a").len() + line("b").len()) as u64,
            ..Cursor::default()
        };
        write_cursor(&dir, &cur).unwrap();
        assert!(has_pending(&paths, "rec"));

        let seen = Arc::new(Mutex::new(Vec::new()));
        let b = Recorder {
            seen: seen.clone(),
            fail: false,
        };
        let t = Transport::new(Duration::from_millis(100));
        let r = drain(&paths, &b, &t, budget());
        assert_eq!(*seen.lock().unwrap(), ["c", "d", "e", "f"]);
        assert_eq!((r.delivered, r.torn, r.left), (4, 1, false));
        assert!(segments(&dir).is_empty(), "delivered segments are deleted");
        assert!(!has_pending(&paths, "rec"));
        assert_eq!(
            read_cursor(&dir).torn,
            1,
            "the torn count is kept for status"
        );

        // The next append starts a segment after everything the cursor passed.
        append(&paths, &Config::default(), "rec", &entry("g")).unwrap();
        assert!(segments(&dir)[0].0 >= read_cursor(&dir).seg);
        drain(&paths, &b, &t, budget());
        assert_eq!(seen.lock().unwrap().last().unwrap(), "g");
    }

    #[test]
    fn a_failed_replay_keeps_the_head_and_counts_its_attempts() {
        let (_t, paths, config) = setup("fail");
        for id in ["a", "b"] {
            append(&paths, &config, "rec", &entry(id)).unwrap();
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let b = Recorder {
            seen: seen.clone(),
            fail: true,
        };
        let t = Transport::new(Duration::from_millis(100));
        for n in 1..=2 {
            let r = drain(&paths, &b, &t, budget());
            assert!(r.left && r.error.is_some());
            assert_eq!(read_cursor(&dir(&paths, "rec")).attempts, n);
        }
        assert_eq!(
            *seen.lock().unwrap(),
            ["a", "a"],
            "never skips ahead of the head"
        );
        assert!(breaker::load(&paths, "rec").failures >= 1);
        assert_eq!(stats(&paths, "rec").events, 2);
    }

    #[test]
    fn a_busy_drainer_is_skipped_not_waited_for() {
        let (_t, paths, config) = setup("busy");
        append(&paths, &config, "rec", &entry("a")).unwrap();
        let lock = files::open_lock(&dir(&paths, "rec").join("drain.lock")).unwrap();
        lock.lock().unwrap();
        let b = Recorder {
            seen: Arc::default(),
            fail: false,
        };
        let t = Transport::new(Duration::from_millis(100));
        let r = drain(
            &paths,
            &b,
            &t,
            Budget {
                wait_for_lock: false,
                ..budget()
            },
        );
        assert!(r.busy && r.left);
        assert!(b.seen.lock().unwrap().is_empty());
    }
}
