//! Files hookrelay creates: private to the user (files 0600, directories 0700,
//! since events may carry what redaction missed), with their directory made on
//! first use only, so the hot path never pays for a `mkdir`.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Options for a private (0600) file; add read/write/create/append as needed.
pub fn private() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.mode(0o600);
    o
}

/// Opens with `opts`; if the directory is missing, makes it (0700) and retries.
pub fn open(path: &Path, opts: &OpenOptions) -> io::Result<File> {
    match opts.open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                make_dir(dir)?;
            }
            opts.open(path)
        }
        other => other,
    }
}

/// A lock file for `File::lock` (created if missing, never truncated).
pub fn open_lock(path: &Path) -> io::Result<File> {
    open(path, private().create(true).write(true).truncate(false))
}

/// Opens (creating) the lock file `path` and waits for its exclusive lock, held
/// until the returned file is dropped.
pub fn lock(path: &Path) -> io::Result<File> {
    let f = open_lock(path)?;
    f.lock()?;
    Ok(f)
}

/// Takes the lock file `path`'s exclusive lock, waiting for it or not. `Ok(None)`:
/// someone else holds it (or it could not be taken); `Err`: no lock file.
pub fn take_lock(path: &Path, wait: bool) -> io::Result<Option<File>> {
    let f = open_lock(path)?;
    let locked = if wait {
        f.lock().is_ok()
    } else {
        f.try_lock().is_ok()
    };
    Ok(locked.then_some(f))
}

/// Replaces `path` with `bytes` for readers that hold the same exclusive lock as
/// the caller (the fixed temp name relies on that lock): write `<path>.tmp`,
/// unlink the old file, rename the temp in. Unlinking first matters: when a
/// rename *replaces* a file, ext4 (auto_da_alloc) forces the new data to disk,
/// which cost about 0.5 ms per event. A crash between unlink and rename leaves the
/// complete temp, which `read_replaced` reads; a crash while writing the temp
/// leaves the old file in place.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_of(path);
    let result = open(&tmp, private().write(true).create(true).truncate(true))
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => std::fs::rename(&tmp, path),
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads a file kept with `replace`, including one whose replacement a crash cut
/// short between unlink and rename.
pub fn read_replaced(path: &Path) -> io::Result<Vec<u8>> {
    match std::fs::read(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::read(temp_of(path)),
        other => other,
    }
}

/// A small JSON state kept with `replace` (missing or unreadable: the default).
pub fn read_json<T: DeserializeOwned + Default>(path: &Path) -> T {
    read_replaced(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Replaces `path` with `value` as JSON (see `replace` for the lock it needs).
pub fn replace_json<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    replace(path, &serde_json::to_vec(value).map_err(io::Error::other)?)
}

fn temp_of(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    name.into()
}

pub fn make_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_files_and_directories_are_private() {
        let root = crate::store::testdir::TempDir::new("files");
        let f = root.join("a/b/lock");
        open_lock(&f).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(&root.join("a/b")), 0o700);
    }

    #[test]
    fn replace_survives_a_crash_between_unlink_and_rename() {
        let root = crate::store::testdir::TempDir::new("replace");
        let p = root.join("s/state.json");
        replace(&p, b"one").unwrap();
        replace(&p, b"two").unwrap();
        assert_eq!(read_replaced(&p).unwrap(), b"two");
        // The crash window: the old file is gone, the complete temp is not yet renamed.
        std::fs::write(temp_of(&p), b"three").unwrap();
        std::fs::remove_file(&p).unwrap();
        assert_eq!(read_replaced(&p).unwrap(), b"three");
        replace(&p, b"four").unwrap();
        assert_eq!(read_replaced(&p).unwrap(), b"four");
        assert!(!temp_of(&p).exists());
    }
}
