//! The cursor file `<spool>/cursor`: where the first undelivered line starts, how
//! its retries went, and how many torn lines were skipped. Only this small file
//! is rewritten while draining, never a segment.
//!
//! Between two rewrites (every few dozen lines: a replace costs ~0.2 ms on ext4,
//! more than the request) the drainer records each passed line in
//! `<spool>/cursor.pos`, one fixed-size record overwritten in place (one
//! `pwrite`, a few µs) with a checksum. A drainer resumes from the cursor moved
//! forward to that position (`resume_cursor`), so a kill re-sends at most the
//! event in flight. A position is only trusted for the cursor's own segment and
//! past its offset, and it goes with the cursor when the spool is emptied, so a
//! stale or torn one can only cost a repeat, never skip an event.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::files;

const CURSOR: &str = "cursor";
const POSITION: &str = "cursor.pos";
/// Mixed into a position's checksum, so a zeroed or foreign file never checks.
const POSITION_MAGIC: u64 = 0x6875_6b72_656c_6179;

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

impl Cursor {
    /// The start of segment `seg`, keeping the torn-line count.
    pub fn at_segment(&self, seg: u64) -> Cursor {
        Cursor {
            seg,
            offset: 0,
            attempts: 0,
            last_error: None,
            torn: self.torn,
        }
    }
}

pub fn read_cursor(dir: &Path) -> Cursor {
    files::read_json(&dir.join(CURSOR))
}

pub fn write_cursor(dir: &Path, c: &Cursor) -> std::io::Result<()> {
    files::replace_json(&dir.join(CURSOR), c)
}

/// Drops the cursor (the spool is empty and counts nothing torn), and the
/// position with it (first, so no position outlives its cursor).
pub fn remove_cursor(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(POSITION));
    let _ = std::fs::remove_file(dir.join(CURSOR));
}

/// The cursor a drainer resumes from: the saved one, moved forward to the last
/// recorded position when that is further on in the same segment.
pub fn resume_cursor(dir: &Path) -> Cursor {
    let mut c = read_cursor(dir);
    if let Some((seg, offset)) = read_position(dir)
        && seg == c.seg
        && offset > c.offset
    {
        c.offset = offset;
        c.attempts = 0;
        c.last_error = None;
    }
    c
}

fn checksum(seg: u64, offset: u64) -> u64 {
    (seg.rotate_left(29) ^ offset ^ POSITION_MAGIC).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// `seg offset checksum`, fixed width, so each write covers the last one whole.
fn position_record(seg: u64, offset: u64) -> String {
    format!("{seg:020} {offset:020} {:016x}\n", checksum(seg, offset))
}

fn read_position(dir: &Path) -> Option<(u64, u64)> {
    read_position_file(&dir.join(POSITION))
}

/// A position kept in `path` (also the re-drive's progress), if it checks.
pub fn read_position_file(path: &Path) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut f = text.split_whitespace();
    let seg: u64 = f.next()?.parse().ok()?;
    let offset: u64 = f.next()?.parse().ok()?;
    let sum = u64::from_str_radix(f.next()?, 16).ok()?;
    (sum == checksum(seg, offset)).then_some((seg, offset))
}

/// The drainer's open `cursor.pos`.
pub struct Position(File);

impl Position {
    pub fn open(dir: &Path) -> std::io::Result<Position> {
        Position::open_file(&dir.join(POSITION))
    }

    /// A position kept in another file (the re-drive's progress).
    pub fn open_file(path: &Path) -> std::io::Result<Position> {
        files::open(
            path,
            files::private().write(true).create(true).truncate(false),
        )
        .map(Position)
    }

    /// Records that every line before `offset` of segment `seg` is done.
    pub fn save(&self, seg: u64, offset: u64) -> std::io::Result<()> {
        self.0
            .write_all_at(position_record(seg, offset).as_bytes(), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_moves_the_cursor_only_forward_in_its_own_segment() {
        let t = crate::store::testdir::TempDir::new("cursor-pos");
        let dir = t.path().join("spool");
        files::make_dir(&dir).unwrap();
        let at = |seg, offset| Cursor {
            seg,
            offset,
            attempts: 2,
            ..Cursor::default()
        };
        write_cursor(&dir, &at(3, 100)).unwrap();
        assert_eq!(resume_cursor(&dir).offset, 100, "no position yet");
        let pos = Position::open(&dir).unwrap();
        pos.save(3, 400).unwrap();
        let c = resume_cursor(&dir);
        assert_eq!((c.seg, c.offset, c.attempts), (3, 400, 0));
        assert_eq!(
            read_cursor(&dir).offset,
            100,
            "the cursor file is untouched"
        );
        // Behind the cursor, or in another segment: ignored.
        write_cursor(&dir, &at(3, 500)).unwrap();
        assert_eq!(resume_cursor(&dir).offset, 500);
        write_cursor(&dir, &at(4, 0)).unwrap();
        assert_eq!(resume_cursor(&dir).offset, 0);
        // Torn or foreign: ignored.
        pos.save(4, 90).unwrap();
        assert_eq!(resume_cursor(&dir).offset, 90);
        let mut rec = position_record(4, 990).into_bytes();
        rec[30] = b'7';
        std::fs::write(dir.join(POSITION), rec).unwrap();
        assert_eq!(resume_cursor(&dir).offset, 0);
        // It goes with the cursor.
        pos.save(4, 90).unwrap();
        remove_cursor(&dir);
        assert!(!dir.join(POSITION).exists());
    }
}
