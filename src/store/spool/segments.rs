//! Segment files `seg-<n>.jsonl` of one spool: listing them, measuring what is
//! still waiting, and choosing the segment the next line goes to. The hot path
//! only ever lists them and `stat`s the last one.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::store::files;
use crate::store::spool::cursor::{Cursor, read_cursor};

/// A new segment starts once the last one reaches this size.
pub const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;

pub fn seg_path(dir: &Path, seq: u64) -> PathBuf {
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

/// Holds `<dir>/lock` while appending or changing which files exist.
pub fn structure_lock(dir: &Path) -> std::io::Result<File> {
    files::lock(&dir.join("lock"))
}

/// The spool as the hot path sees it, whatever its size: a `readdir`, the
/// cursor and one `stat` of the last segment.
pub struct Tail {
    cursor: Cursor,
    /// Segments at or after the cursor, oldest first.
    live: Vec<(u64, PathBuf)>,
    last_len: u64,
}

impl Tail {
    pub fn read(dir: &Path) -> Tail {
        Tail::of(dir, segments(dir))
    }

    /// `read` with the directory already listed (`all`: `segments(dir)`).
    pub fn of(dir: &Path, all: Vec<(u64, PathBuf)>) -> Tail {
        let cursor = read_cursor(dir);
        let live: Vec<(u64, PathBuf)> = all
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
    pub fn pending_bytes(&self) -> u64 {
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
    pub fn append_seq(&self) -> u64 {
        match self.live.last() {
            Some((seq, _)) if self.last_len < SEGMENT_BYTES => *seq,
            last => last.map_or(0, |(s, _)| *s).max(self.cursor.seg) + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::spool::cursor::write_cursor;
    use crate::store::spool::dir;

    #[test]
    fn the_hot_path_estimate_of_waiting_bytes_is_within_a_line_per_segment() {
        let t = crate::store::testdir::TempDir::new("spool-approx");
        let paths = t.paths();
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
}
