//! Appending one line to a JSONL file so that concurrent writers never interleave
//! or tear lines, shared by the local sink, the spools, dead letters and rejects.
//!
//! Each append is one `write` of the whole line on an `O_APPEND` descriptor under
//! an exclusive `flock`. If a previous writer was killed mid-line, the file does not
//! end in `\n`; the next writer first ends that torn line so its own line stays
//! whole (readers skip the torn one and count it).
//!
//! A write that fails part-way (disk full, quota, I/O error) is rolled back: the
//! file is cut back to its length before the append, so a full disk leaves no
//! torn line behind, only the error for the caller to report.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use crate::store::files;

/// Appends `line` (no trailing newline) plus `\n` to `path`, creating the file (0600)
/// and its directory as needed.
pub fn append_line(path: &Path, line: &[u8]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(line.len() + 2);
    buf.extend_from_slice(line);
    buf.push(b'\n');
    append_raw(path, &buf)
}

/// Appends pre-framed bytes (one or more `\n`-terminated lines) in one write.
pub fn append_raw(path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Readable too: the torn-line check reads the last byte.
    let mut file = files::open(path, files::private().read(true).append(true).create(true))?;
    file.lock()?;
    let len = file.metadata()?.len();
    if len > 0 && !ends_with_newline(&mut file, len)? {
        let mut repaired = Vec::with_capacity(bytes.len() + 1);
        repaired.push(b'\n');
        repaired.extend_from_slice(bytes);
        write_or_roll_back(&mut file, len, &repaired)
    } else {
        write_or_roll_back(&mut file, len, bytes)
    }
}

/// Writes `bytes` at the end of `file`, whose length was `len` (the caller holds
/// whatever lock keeps other writers out). If the write fails part-way, the file
/// is cut back to `len`, so no partial line survives; the write's error is
/// returned either way (with the truncation's, if that failed too).
pub fn write_or_roll_back(file: &mut File, len: u64, bytes: &[u8]) -> io::Result<()> {
    let Err(e) = file.write_all(bytes) else {
        return Ok(());
    };
    match file.set_len(len) {
        Ok(()) => Err(e),
        Err(t) => Err(io::Error::new(
            e.kind(),
            format!("{e} (and the partial line could not be cut off: {t})"),
        )),
    }
}

fn ends_with_newline(file: &mut File, len: u64) -> io::Result<bool> {
    use std::os::unix::fs::FileExt;
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] == b'\n')
}

/// Lines of a JSONL file that parse as JSON, and how many did not (torn or foreign).
pub fn read_values(path: &Path) -> io::Result<(Vec<serde_json::Value>, usize)> {
    let mut text = Vec::new();
    File::open(path)?.read_to_end(&mut text)?;
    let mut good = Vec::new();
    let mut bad = 0;
    for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice(line) {
            Ok(v) => good.push(v),
            Err(_) => bad += 1,
        }
    }
    Ok((good, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_last_line_is_closed_before_the_next_append() {
        let dir = crate::store::testdir::TempDir::new("jsonl");
        let p = dir.join("x.jsonl");
        append_line(&p, br#"{"a":1}"#).unwrap();
        append_raw(&p, br#"{"torn":"#).unwrap(); // a writer killed mid-line
        append_line(&p, br#"{"b":2}"#).unwrap();
        let (good, bad) = read_values(&p).unwrap();
        assert_eq!(good.len(), 2);
        assert_eq!(bad, 1);
        assert_eq!(good[1]["b"], 2);
    }
}
