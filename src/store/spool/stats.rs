//! Spool facts for `status` and `flush`: waiting events, their age, retries of the
//! head, dead letters. Reads the whole spool: never on the hot path.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};

use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::store::spool::cursor::read_cursor;
use crate::store::spool::dead_letters::{DEAD_LETTERS, REDRIVE};
use crate::store::spool::segments::{pending_bytes, segments};
use crate::store::spool::{Entry, dir};
use crate::util::clock;

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
