//! Reading a spool from its head, in order, for one drainer at a time (it holds
//! `drain.lock`). The caller says what became of each line (`pass` or `keep`);
//! only passed lines move the cursor, which is saved at least every
//! `CURSOR_EVERY` lines and, in between, after each line as a position
//! (`cursor::Position`), so a kill at any point re-sends at most the event in
//! flight (at-least-once), never skips one. Fully read segments are deleted.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::store::files;
use crate::store::paths::Paths;
use crate::store::spool::cursor::{Cursor, Position, remove_cursor, resume_cursor, write_cursor};
use crate::store::spool::dead_letters::DRAIN_LOCK;
use crate::store::spool::segments::{segments, structure_lock};
use crate::store::spool::{Entry, dir};

/// The cursor file is replaced at least every this many consumed lines while
/// draining; every line in between is recorded as a position (one in-place
/// write). Replacing it after every line would be simplest but costs about as
/// much as the request (ext4), and a position alone is enough: without either,
/// repeated kills re-sent the same head events once per kill, 25 times and more.
const CURSOR_EVERY: u32 = 64;

/// What `Reader::open` found.
pub enum Opened {
    /// No segments: nothing to do.
    Empty,
    /// The drain lock file could not be opened.
    Unavailable,
    /// Someone else is draining this spool.
    Busy,
    Ready(Box<Reader>),
}

/// What is at the head.
pub enum Head {
    /// The next event, to `pass` or `keep`.
    Entry(Box<Entry>),
    /// Nothing more to read now; `left`: a line is still being written.
    End { left: bool },
}

/// The segment being read.
struct Open {
    seq: u64,
    path: PathBuf,
    is_tail: bool,
    reader: BufReader<File>,
}

/// A drainer's hold on one spool.
pub struct Reader {
    dir: PathBuf,
    _drain_lock: File,
    cur: Cursor,
    unsaved: u32,
    /// `cursor.pos`, opened on the first line passed (`None` until then, or
    /// when it cannot be opened: then only the cursor file counts).
    position: Option<Position>,
    open: Option<Open>,
    line: Vec<u8>,
    /// Length of the line last returned by `head`.
    head_len: u64,
    /// Torn or unreadable lines skipped by this reader.
    pub torn: u64,
}

impl Reader {
    /// Takes `backend`'s drain lock (waiting for it with `wait`).
    pub fn open(paths: &Paths, backend: &str, wait: bool) -> Opened {
        let dir = dir(paths, backend);
        if segments(&dir).is_empty() {
            return Opened::Empty;
        }
        let lock = match files::take_lock(&dir.join(DRAIN_LOCK), wait) {
            Err(_) => return Opened::Unavailable,
            Ok(None) => return Opened::Busy,
            Ok(Some(lock)) => lock,
        };
        Opened::Ready(Box::new(Reader {
            cur: resume_cursor(&dir),
            position: None,
            dir,
            _drain_lock: lock,
            unsaved: 0,
            open: None,
            line: Vec::new(),
            head_len: 0,
            torn: 0,
        }))
    }

    /// Failed attempts at the head line so far (by earlier drains too).
    pub fn head_attempts(&self) -> u32 {
        self.cur.attempts
    }

    /// The next event, skipping (and counting) torn or unreadable lines.
    pub fn head(&mut self) -> Head {
        loop {
            if self.open.is_none() {
                match self.open_next() {
                    Some(o) => self.open = Some(o),
                    None => return Head::End { left: false },
                }
            }
            let seg = self.open.as_mut().expect("a segment is open");
            self.line.clear();
            let n = match seg.reader.read_until(b'\n', &mut self.line) {
                Ok(n) => n as u64,
                Err(_) => return Head::End { left: false },
            };
            if n == 0 || self.line.last() != Some(&b'\n') {
                if seg.is_tail {
                    // End of the spool (or a line still being written).
                    return Head::End { left: n > 0 };
                }
                if n > 0 {
                    // A line torn by a kill, never closed because the spool moved on.
                    self.torn += 1;
                    self.cur.torn += 1;
                }
                // On to the next segment; this one is done.
                let (seq, path) = (seg.seq, seg.path.clone());
                self.cur = self.cur.at_segment(seq + 1);
                let _ = write_cursor(&self.dir, &self.cur);
                self.unsaved = 0;
                let _ = std::fs::remove_file(path);
                self.open = None;
                continue;
            }
            match serde_json::from_slice::<Entry>(&self.line[..self.line.len() - 1]) {
                Ok(e) => {
                    self.head_len = n;
                    return Head::Entry(Box::new(e));
                }
                Err(_) => {
                    self.torn += 1;
                    self.cur.torn += 1;
                    self.advance(n);
                }
            }
        }
    }

    /// The head event is delivered or dead-lettered: move past it.
    pub fn pass(&mut self) {
        self.advance(self.head_len);
    }

    /// The head event failed: it stays at the head, with this error.
    pub fn keep(&mut self, error: &str) {
        self.cur.attempts += 1;
        self.cur.last_error = Some(error.to_string());
    }

    /// Saves the cursor; when nothing is `left`, removes what was fully read.
    pub fn finish(self, left: bool) {
        let _ = write_cursor(&self.dir, &self.cur);
        if !left {
            remove_if_drained(&self.dir, &self.cur);
        }
    }

    /// Opens the first segment at or after the cursor, deleting the ones before
    /// it (fully delivered, left by a kill).
    fn open_next(&mut self) -> Option<Open> {
        let segs = segments(&self.dir);
        let pos = segs.iter().position(|(seq, _)| *seq >= self.cur.seg)?;
        for (_, p) in &segs[..pos] {
            let _ = std::fs::remove_file(p);
        }
        let (seq, ref path) = segs[pos];
        if seq != self.cur.seg {
            // Saved at once: a position is only trusted in the cursor's segment.
            self.cur = self.cur.at_segment(seq);
            let _ = write_cursor(&self.dir, &self.cur);
            self.unsaved = 0;
        }
        let mut f = File::open(path).ok()?;
        f.seek(SeekFrom::Start(self.cur.offset)).ok()?;
        Some(Open {
            seq,
            path: path.clone(),
            is_tail: pos + 1 == segs.len(),
            reader: BufReader::with_capacity(64 * 1024, f),
        })
    }

    fn advance(&mut self, n: u64) {
        self.cur.offset += n;
        self.cur.attempts = 0;
        self.cur.last_error = None;
        self.unsaved += 1;
        if self.unsaved >= CURSOR_EVERY {
            let _ = write_cursor(&self.dir, &self.cur);
            self.unsaved = 0;
        } else {
            if self.position.is_none() {
                self.position = Position::open(&self.dir).ok();
            }
            if let Some(p) = &self.position {
                let _ = p.save(self.cur.seg, self.cur.offset);
            }
        }
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
            remove_cursor(dir);
        } else {
            // Keep the torn-line count for `status`, pointing past every segment.
            if write_cursor(dir, &cur.at_segment(cur.seg + 1)).is_err() {
                return;
            }
        }
        for (_, p) in segs {
            let _ = std::fs::remove_file(p);
        }
    }
}
