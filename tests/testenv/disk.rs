//! Hostile storage for the disk tests: a tiny tmpfs holding a test's data and
//! state directories, filled up, freed, or remounted read-only, and unmounted on
//! drop. Mounting needs root (CI runs the tests as root); without it `Disk::mount`
//! says so and a test falls back to [`file_in_place_of_dirs`], a plain file where
//! the directories should be, which makes every create fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::TestEnv;

/// A tmpfs of a few KiB at `<test dir>/disk`, with `data/` and `state/` in it.
pub struct Disk {
    pub root: PathBuf,
}

impl Disk {
    /// Mounts a tmpfs of `kib` KiB (read-only with `ro`, after making the two
    /// directories) and points `env`'s data and state directories into it.
    /// `None` when it cannot be mounted (not root), or with
    /// `HOOKRELAY_TEST_NO_MOUNT` set (to try the fallback as root).
    pub fn mount(env: &mut TestEnv, kib: u32) -> Option<Disk> {
        let root = env.dir.path().join("disk");
        std::fs::create_dir_all(&root).unwrap();
        let ok = std::env::var_os("HOOKRELAY_TEST_NO_MOUNT").is_none()
            && Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={kib}k,mode=0700")])
                .arg("tmpfs")
                .arg(&root)
                .output()
                .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!(
                "cannot mount a tmpfs (not root?): falling back to a file in place of the data dir"
            );
            return None;
        }
        let disk = Disk { root };
        for d in ["data", "state"] {
            std::fs::create_dir_all(disk.root.join(d)).unwrap();
        }
        env.set_env(
            "HOOKRELAY_DATA_DIR",
            disk.root.join("data").to_str().unwrap(),
        );
        env.set_env(
            "HOOKRELAY_STATE_DIR",
            disk.root.join("state").to_str().unwrap(),
        );
        Some(disk)
    }

    fn filler(&self, n: usize) -> PathBuf {
        self.root.join(format!("filler-{n}"))
    }

    /// Fills the disk to the last byte (a filler file written until ENOSPC).
    pub fn fill(&self) {
        let mut n = 0;
        while self.filler(n).exists() {
            n += 1;
        }
        let mut f = std::fs::File::create(self.filler(n)).unwrap();
        let chunk = [b'x'; 512];
        while f.write_all(&chunk).is_ok() {}
        // The last partial chunk may have fit a few bytes: fill those too.
        while f.write_all(b"x").is_ok() {}
    }

    /// Leaves about `kib` KiB free: fills the disk, then frees that much.
    pub fn leave_free(&self, kib: u64) {
        self.fill();
        let p = self.filler(0);
        let len = std::fs::metadata(&p).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.set_len(len.saturating_sub(kib * 1024)).unwrap();
    }

    /// Frees everything the fillers took.
    pub fn free(&self) {
        let mut n = 0;
        while std::fs::remove_file(self.filler(n)).is_ok() {
            n += 1;
        }
    }

    /// Remounts the disk read-only (`rw`: back to writable).
    pub fn remount(&self, rw: bool) {
        let opt = if rw { "remount,rw" } else { "remount,ro" };
        let out = Command::new("mount")
            .args(["-o", opt])
            .arg(&self.root)
            .output()
            .unwrap();
        assert!(out.status.success(), "mount -o {opt}: {out:?}");
    }

    /// Files under the disk, relative, for assertions on what was left behind.
    pub fn files(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        walk(&self.root, &self.root, &mut out);
        out.sort();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, u64)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let len = e.metadata().map_or(0, |m| m.len());
            out.push((p.strip_prefix(root).unwrap().display().to_string(), len));
        }
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        // Lazy: a hook still holding a file must not make the unmount fail.
        let _ = Command::new("umount").arg("-l").arg(&self.root).output();
    }
}

/// Without root: a plain file where the data and state directories should be,
/// so every file hookrelay tries to create fails (`Not a directory`).
pub fn file_in_place_of_dirs(env: &mut TestEnv) {
    let f = env.dir.path().join("not-a-dir");
    std::fs::write(&f, b"a file, not a directory").unwrap();
    env.set_env("HOOKRELAY_DATA_DIR", f.join("data").to_str().unwrap());
    env.set_env("HOOKRELAY_STATE_DIR", f.join("state").to_str().unwrap());
}
