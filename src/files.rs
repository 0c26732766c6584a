//! Files hookrelay creates: private to the user (files 0600, directories 0700,
//! since events may carry what redaction missed), with their directory made on
//! first use only, so the hot path never pays for a `mkdir`.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

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

pub fn make_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_files_and_directories_are_private() {
        let root = crate::testdir::TempDir::new("files");
        let f = root.join("a/b/lock");
        open_lock(&f).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(&root.join("a/b")), 0o700);
    }
}
