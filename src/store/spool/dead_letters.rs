//! Dead letters: `<spool>/dead-letters.jsonl`, the events a backend refused (or
//! that found the spool full), each with the answer. Re-driving first renames the
//! file to `dead-letters.redrive.jsonl`, so letters refused again during the
//! re-drive start a new file instead of being read twice. The re-drive records
//! how many letters it has handled in `dead-letters.redrive.pos` after each
//! one, so a killed re-drive resumes after them: a kill repeats at most the
//! letter in flight.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::protocol::envelope::Envelope;
use crate::store::files;
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::store::spool::cursor::{Position, read_position_file};
use crate::store::spool::dir;
use crate::store::spool::segments::structure_lock;

pub const DEAD_LETTERS: &str = "dead-letters.jsonl";
pub(super) const REDRIVE: &str = "dead-letters.redrive.jsonl";
const REDRIVE_POS: &str = "dead-letters.redrive.pos";
/// One drainer (or re-driver) per backend at a time.
pub const DRAIN_LOCK: &str = "drain.lock";

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

/// Where `backend`'s dead letters are kept (for messages).
pub fn dead_letters_file(paths: &Paths, backend: &str) -> PathBuf {
    dir(paths, backend).join(DEAD_LETTERS)
}

/// Appends a dead letter (takes the structure lock: re-driving renames the file).
pub fn dead_letter(paths: &Paths, backend: &str, dl: &DeadLetter) -> std::io::Result<()> {
    let dir = dir(paths, backend);
    let _lock = structure_lock(&dir)?;
    append_dead_locked(&dir, dl)
}

/// Appends a dead letter; the caller holds the structure lock.
pub(super) fn append_dead_locked(dir: &Path, dl: &DeadLetter) -> std::io::Result<()> {
    jsonl::append_line(
        &dir.join(DEAD_LETTERS),
        &serde_json::to_vec(dl).expect("a dead letter serialises"),
    )
}

/// The dead letters taken out for one re-drive, holding the drain lock (two
/// re-drives at once would send every letter twice).
pub struct Redrive {
    file: PathBuf,
    progress: PathBuf,
    position: Option<Position>,
    _drain_lock: File,
}

impl Redrive {
    /// Takes `backend`'s dead letters out of play. `Ok(None)`: there are none.
    pub fn begin(paths: &Paths, backend: &str) -> std::io::Result<Option<Redrive>> {
        let dir = dir(paths, backend);
        let file = dir.join(REDRIVE);
        let drain_lock = files::lock(&dir.join(DRAIN_LOCK))?;
        let _lock = structure_lock(&dir)?;
        let progress = dir.join(REDRIVE_POS);
        // A redrive file already there is one a killed flush did not finish
        // (its progress says how far it got); a new one starts from nothing.
        if !file.exists() {
            let _ = std::fs::remove_file(&progress);
            match std::fs::rename(dir.join(DEAD_LETTERS), &file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(Redrive {
            file,
            progress,
            position: None,
            _drain_lock: drain_lock,
        }))
    }

    /// The letters, and how many lines were torn or unreadable.
    pub fn letters(&self) -> std::io::Result<(Vec<DeadLetter>, u64)> {
        let (values, torn) = jsonl::read_values(&self.file)?;
        let mut torn = torn as u64;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            match serde_json::from_value::<DeadLetter>(v) {
                Ok(dl) => out.push(dl),
                Err(_) => torn += 1,
            }
        }
        Ok((out, torn))
    }

    /// How many of `letters` an earlier, killed re-drive of this file handled.
    pub fn done(&self) -> usize {
        read_position_file(&self.progress).map_or(0, |(_, n)| n as usize)
    }

    /// The first `n` of `letters` are handled (delivered, dead-lettered again
    /// or back in the spool).
    pub fn mark(&mut self, n: usize) {
        if self.position.is_none() {
            self.position = Position::open_file(&self.progress).ok();
        }
        if let Some(p) = &self.position {
            let _ = p.save(0, n as u64);
        }
    }

    /// Every letter is delivered, dead-lettered again or back in the spool.
    /// (The file first: a progress left alone is dropped by the next `begin`.)
    pub fn finish(self) -> std::io::Result<()> {
        std::fs::remove_file(&self.file)?;
        let _ = std::fs::remove_file(&self.progress);
        Ok(())
    }
}

/// The dead-letter files of `backend`, oldest first: a re-drive a killed flush
/// left behind, then the current file.
fn letter_files(paths: &Paths, backend: &str) -> [PathBuf; 2] {
    let dir = dir(paths, backend);
    [dir.join(REDRIVE), dir.join(DEAD_LETTERS)]
}

/// Every dead letter of `backend`, oldest first, and how many lines could not
/// be read (torn or not a dead letter).
pub fn list(paths: &Paths, backend: &str) -> std::io::Result<(Vec<DeadLetter>, u64)> {
    let mut out = Vec::new();
    let mut unreadable = 0;
    for file in letter_files(paths, backend) {
        let (values, torn) = match jsonl::read_values(&file) {
            Ok(v) => v,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        unreadable += torn as u64;
        for v in values {
            match serde_json::from_value::<DeadLetter>(v) {
                Ok(dl) => out.push(dl),
                Err(_) => unreadable += 1,
            }
        }
    }
    Ok((out, unreadable))
}

/// Removes the dead letters of `backend` that `drop` selects, and returns them.
/// Holds the drain lock (no re-drive reads the files meanwhile) and the structure
/// lock (no refusal is appended meanwhile); each file is replaced atomically, so
/// a kill leaves either the old or the new file. Unreadable lines are kept: they
/// may be evidence, and `discard` is about events.
pub fn discard(
    paths: &Paths,
    backend: &str,
    drop: &dyn Fn(&DeadLetter) -> bool,
) -> std::io::Result<Vec<DeadLetter>> {
    let dir = dir(paths, backend);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let _drain = files::lock(&dir.join(DRAIN_LOCK))?;
    let _lock = structure_lock(&dir)?;
    let mut dropped = Vec::new();
    for file in letter_files(paths, backend) {
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut kept = Vec::with_capacity(bytes.len());
        let before = dropped.len();
        for line in bytes.split_inclusive(|b| *b == b'\n') {
            match serde_json::from_slice::<DeadLetter>(line) {
                Ok(dl) if drop(&dl) => dropped.push(dl),
                _ => kept.extend_from_slice(line),
            }
        }
        if dropped.len() == before {
            continue;
        }
        if kept.is_empty() {
            std::fs::remove_file(&file)?;
        } else {
            // Temp file then rename over: a reader sees the old or the new file.
            let mut tmp = file.clone().into_os_string();
            tmp.push(".discard");
            let tmp = PathBuf::from(tmp);
            let written = files::open(
                &tmp,
                files::private().write(true).create(true).truncate(true),
            )
            .and_then(|mut f| std::io::Write::write_all(&mut f, &kept))
            .and_then(|()| std::fs::rename(&tmp, &file));
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            written?;
        }
    }
    Ok(dropped)
}
