//! Whether hookrelay can write its files, and the last time it could not.
//!
//! A hook that fails to write (disk full, read-only, permissions) records it in a
//! small marker file, `storage-problem`, in the state directory (else the data
//! directory): its modification time is when, its one line is what. On a full
//! disk the line itself may not fit; the empty file still says when. A later hook
//! whose writes all succeed removes it. `status` and `doctor` read it, and probe
//! the directories with a real write (`probe`), so a read-only directory where not
//! even the marker could be created is reported too.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::store::files;
use crate::store::paths::Paths;

const MARKER: &str = "storage-problem";

/// Bytes a probe writes: a few pages, so a disk with no room for an event fails it.
const PROBE_BYTES: usize = 8 * 1024;

/// A storage failure recorded by a hook.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// When (the marker's modification time, epoch ms).
    pub at_ms: u64,
    /// The hook's line, if the disk had room for it.
    pub message: Option<String>,
    pub file: PathBuf,
}

fn markers(paths: &Paths) -> [PathBuf; 2] {
    [paths.state_dir.join(MARKER), paths.data_dir.join(MARKER)]
}

/// Records a storage failure (best effort: the first directory that takes it).
pub fn record(paths: &Paths, message: &str) {
    for m in markers(paths) {
        // No temp file and rename (that needs room): truncate in place, which
        // frees the old line's space before the new one is written.
        let Ok(mut f) = files::open(&m, files::private().write(true).create(true)) else {
            continue;
        };
        let _ = f.set_len(0);
        let _ = f.write_all(format!("{message}\n").as_bytes());
        return;
    }
}

/// Writes work again: forget the recorded failure (two `unlink`s when there is none).
pub fn clear(paths: &Paths) {
    for m in markers(paths) {
        let _ = std::fs::remove_file(m);
    }
}

/// The most recent recorded failure, if any.
pub fn recorded(paths: &Paths) -> Option<Recorded> {
    markers(paths)
        .into_iter()
        .filter_map(|file| {
            let meta = std::fs::metadata(&file).ok()?;
            let at_ms = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_millis() as u64;
            let message = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| t.lines().next().map(str::to_owned))
                .filter(|l| !l.is_empty());
            Some(Recorded {
                at_ms,
                message,
                file,
            })
        })
        .max_by_key(|r| r.at_ms)
}

/// Writes and removes a probe file in `dir` (or, when `dir` does not exist yet,
/// in the nearest directory above it, where hookrelay would create it), so
/// nothing is left behind. `Err` says where and why.
pub fn probe(dir: &Path) -> Result<(), (PathBuf, io::Error)> {
    let mut at = dir;
    while !at.exists() {
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p,
            _ => break,
        }
    }
    let file = at.join(format!(".hookrelay-probe-{}", std::process::id()));
    let result = files::private()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut f| {
            let wrote = f.write_all(&[b'\n'; PROBE_BYTES]);
            let _ = std::fs::remove_file(&file);
            wrote
        });
    result.map_err(|e| (at.to_path_buf(), e))
}

/// What to do about an error writing hookrelay's files, by its kind.
pub fn fix_for(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "free space on the disk named, or point HOOKRELAY_DATA_DIR / HOOKRELAY_STATE_DIR \
             (config `data_dir` / `state_dir`) at a disk with room"
        }
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => {
            "make it writable (permissions, read-only mount), or point HOOKRELAY_DATA_DIR / \
             HOOKRELAY_STATE_DIR (config `data_dir` / `state_dir`) at a writable directory"
        }
        _ => {
            "free space or fix permissions there, or point HOOKRELAY_DATA_DIR / \
             HOOKRELAY_STATE_DIR (config `data_dir` / `state_dir`) at a writable directory"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_failure_is_read_back_and_cleared() {
        let t = crate::store::testdir::TempDir::new("health");
        let paths = t.paths();
        assert_eq!(recorded(&paths), None);
        record(&paths, "local sink /x: No space left on device");
        let r = recorded(&paths).expect("recorded");
        assert_eq!(
            r.message.as_deref(),
            Some("local sink /x: No space left on device")
        );
        assert!(r.file.starts_with(&paths.state_dir));
        clear(&paths);
        assert_eq!(recorded(&paths), None);
    }

    #[test]
    fn a_probe_fails_where_a_file_stands_in_for_the_directory() {
        let t = crate::store::testdir::TempDir::new("probe");
        let paths = t.paths();
        probe(&paths.data_dir).expect("a missing dir probes its parent");
        std::fs::create_dir_all(paths.data_dir.parent().unwrap()).unwrap();
        std::fs::write(&paths.data_dir, b"not a directory").unwrap();
        assert!(probe(&paths.data_dir.join("spool")).is_err());
        // Nothing left behind.
        let parent = paths.data_dir.parent().unwrap();
        let left: Vec<_> = std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("probe"))
            .collect();
        assert!(left.is_empty());
    }
}
