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

/// What `settle_tail` found at the end of the last segment.
enum Tail {
    /// The line was being written and is whole now.
    Written,
    /// Torn: cut off and counted.
    Cut,
    /// Could not be settled (no lock, read-only): stop here for now.
    Stuck,
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
                if seg.is_tail && n > 0 {
                    // A line still being written, or one torn for good.
                    match self.settle_tail(n) {
                        Tail::Written => {
                            self.open = None; // read it again, whole now
                            continue;
                        }
                        Tail::Cut => return Head::End { left: false },
                        Tail::Stuck => return Head::End { left: true },
                    }
                }
                if seg.is_tail {
                    return Head::End { left: false }; // the end of the spool
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

    /// The last segment ends in `n` bytes without a newline. Under the structure
    /// lock (appenders hold it for their whole write) either the line is complete
    /// now, or nobody is writing it: it is torn (a kill, or a full disk whose
    /// roll-back failed) and is cut off and counted, so the spool neither stalls
    /// behind it nor ever delivers it. Nothing real is lost: the event of a torn
    /// line is still in its writer's in-flight journal, if anywhere.
    fn settle_tail(&mut self, n: u64) -> Tail {
        let Some(seg) = self.open.as_ref() else {
            return Tail::Stuck;
        };
        let Ok(_lock) = structure_lock(&self.dir) else {
            return Tail::Stuck;
        };
        let start = self.cur.offset;
        let len = std::fs::metadata(&seg.path).map_or(0, |m| m.len());
        if len > start + n {
            return Tail::Written;
        }
        let cut = files::private()
            .write(true)
            .open(&seg.path)
            .and_then(|f| f.set_len(start));
        if cut.is_err() {
            return Tail::Stuck; // read-only: left as it is, tried again next time
        }
        self.torn += 1;
        self.cur.torn += 1;
        let _ = write_cursor(&self.dir, &self.cur);
        self.open = None;
        Tail::Cut
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::envelope::Envelope;
    use crate::store::spool::cursor::read_cursor;
    use crate::store::spool::segments::seg_path;

    fn line(id: &str) -> String {
        let envelope: Envelope = serde_json::from_value(serde_json::json!({
            "id": id, "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
            "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap();
        let e = Entry {
            envelope,
            attempts: 0,
            last_error: None,
            spooled_at: "2026-11-22T00:00:00.000Z".into(),
            recovered: false,
        };
        format!("{}\n", serde_json::to_string(&e).unwrap())
    }

    fn ready(paths: &Paths) -> Box<Reader> {
        match Reader::open(paths, "rec", true) {
            Opened::Ready(r) => r,
            _ => panic!("spool not ready"),
        }
    }

    /// A torn last line (a kill, or a full disk whose roll-back failed) with no
    /// writer behind it is cut off and counted: the replay neither stalls behind
    /// it nor delivers it, and the next append starts on a clean line.
    #[test]
    fn a_torn_tail_is_cut_off_and_counted_not_waited_for() {
        let t = crate::store::testdir::TempDir::new("torn-tail");
        let paths = t.paths();
        let dir = dir(&paths, "rec");
        std::fs::create_dir_all(&dir).unwrap();
        let whole = format!("{}{}", line("a"), line("b"));
        std::fs::write(
            seg_path(&dir, 1),
            format!("{whole}{{\"envelope\":{{\"id\":\"c"),
        )
        .unwrap();
        let mut r = ready(&paths);
        let mut seen = Vec::new();
        loop {
            match r.head() {
                Head::Entry(e) => {
                    seen.push(e.envelope.id.clone());
                    r.pass();
                }
                Head::End { left } => {
                    assert!(!left, "nothing is left waiting behind a torn tail");
                    break;
                }
            }
        }
        assert_eq!(seen, ["a", "b"]);
        assert_eq!(r.torn, 1);
        r.finish(false);
        assert!(
            segments(&dir).is_empty(),
            "cut back to whole lines, then drained"
        );
        assert_eq!(read_cursor(&dir).torn, 1, "counted for status");
    }
}
