//! Test-only: a fresh temporary directory per test (a `tempfile::TempDir`),
//! removed on drop, and the hookrelay `Paths` inside it.

use std::path::{Path, PathBuf};

use crate::store::paths::Paths;

/// The tag goes into the directory's name, so a leftover dir says which test made it.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("hookrelay-unit-{tag}-"))
            .tempdir()
            .expect("create a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(p)
    }

    /// Data and state directories inside this one.
    pub fn paths(&self) -> Paths {
        Paths {
            data_dir: self.join("data"),
            state_dir: self.join("state"),
        }
    }
}
