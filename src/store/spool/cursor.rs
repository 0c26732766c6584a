//! The cursor file `<spool>/cursor`: where the first undelivered line starts, how
//! its retries went, and how many torn lines were skipped. Only this small file
//! is rewritten while draining, never a segment.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::files;

const CURSOR: &str = "cursor";

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

/// Drops the cursor (the spool is empty and counts nothing torn).
pub fn remove_cursor(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(CURSOR));
}
