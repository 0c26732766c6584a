//! Git state of the event's `cwd` (branch, commit, dirty flag, remote), read from
//! `.git` directly: spawning `git` on every tool call would cost milliseconds.
//!
//! What is read: `HEAD`, one loose ref or `packed-refs`, `config` (for the remote
//! and the object format) and `index` (for the dirty flag). Anything malformed or
//! unreadable leaves the field it feeds unset; nothing here panics or spawns.
//! Every file is opened through `open_regular`: the repository is someone else's,
//! and a FIFO, a device or a directory where `HEAD` should be must not block the
//! hook or feed it endless bytes; a file over its size cap is unknown too.
//!
//! `discover` finds the repository, `refs` reads HEAD and the refs, `config` the
//! git config file, `index` parses the index, `dirty` compares it with the work
//! tree and keeps the flag for a moment between invocations.

mod config;
mod dirty;
mod discover;
mod index;
mod refs;

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

use crate::protocol::envelope::GitInfo;
use config::{config_value, is_false, is_true, parse_config, remote_url};
use dirty::{cached_dirty, dirty};
use discover::discover;
use refs::head_state;

pub use config::strip_credentials;
pub use dirty::{DIRTY_BUDGET, DIRTY_CACHE_MS, MAX_INDEX_ENTRIES, may_reuse_dirty};

/// HEAD, a loose ref, `commondir` and a `gitdir:` file hold one line (a ref name
/// or a path, at most PATH_MAX); anything bigger is not a real one.
const MAX_POINTER_FILE: u64 = 8 << 10;
/// The config file: a few KB usually, more with many remotes and branches.
const MAX_CONFIG_FILE: u64 = 1 << 20;

/// `O_NONBLOCK` (no libc crate): opening a FIFO with it returns at once instead of
/// waiting for a writer. Regular files ignore it, so reads are unchanged.
#[cfg(all(
    target_os = "linux",
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(all(target_os = "linux", any(target_arch = "mips", target_arch = "mips64")))]
const O_NONBLOCK: i32 = 0x80;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "sparc", target_arch = "sparc64")
))]
const O_NONBLOCK: i32 = 0x4000;
#[cfg(not(target_os = "linux"))] // macOS and the BSDs
const O_NONBLOCK: i32 = 0x4;

/// `None` when `cwd` is not inside a git work tree (or nothing about it could be read).
/// `cache`: where the dirty flag is cached between invocations, and whether this
/// event may reuse a fresh one (`DIRTY_CACHE_MS`); `None` computes it every time.
pub fn info(cwd: &Path, cache: Option<(&Path, bool)>) -> Option<GitInfo> {
    let repo = discover(cwd)?;
    let config = read_capped(&repo.common_dir.join("config"), MAX_CONFIG_FILE)
        .map(|b| parse_config(&String::from_utf8_lossy(&b)))
        .unwrap_or_default();
    let reftable = config_value(&config, "extensions", None, "refstorage")
        .is_some_and(|v| v.eq_ignore_ascii_case("reftable"));
    let hash_len = match config_value(&config, "extensions", None, "objectformat") {
        Some(f) if f.eq_ignore_ascii_case("sha256") => 32,
        _ => 20,
    };
    let bare = config_value(&config, "core", None, "bare").is_some_and(is_true);
    let filemode = !config_value(&config, "core", None, "filemode").is_some_and(is_false);

    let (branch, commit) = match read_small(&repo.git_dir.join("HEAD")) {
        // With reftable, HEAD is a placeholder and the refs live in a binary table.
        _ if reftable => (None, None),
        Some(head) => head_state(&repo, head.trim()),
        None => (None, None),
    };
    let remote = remote_url(&config).map(|u| strip_credentials(&u));
    let dirty = if bare {
        None
    } else {
        cached_dirty(cache, &repo, || {
            dirty(&repo, hash_len, filemode, Instant::now() + DIRTY_BUDGET)
        })
    };
    let info = GitInfo {
        branch,
        commit,
        dirty,
        remote,
    };
    (info != GitInfo::default()).then_some(info)
}

/// A one-line file (HEAD, a loose ref, `commondir`, a `gitdir:` file), as text.
pub(super) fn read_small(path: &Path) -> Option<String> {
    read_capped(path, MAX_POINTER_FILE).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The whole of `path` if it is a regular file of at most `cap` bytes.
pub(super) fn read_capped(path: &Path, cap: u64) -> Option<Vec<u8>> {
    let file = open_regular(path).ok()?;
    if file.metadata().ok()?.len() > cap {
        return None;
    }
    let mut buf = Vec::new();
    // The size can change after the `fstat`: the cap holds for what is read.
    file.take(cap + 1).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= cap).then_some(buf)
}

/// Opens `path` for reading without blocking (a FIFO does not wait for a writer)
/// and keeps it only if `fstat` of the open file says it is a regular file. The
/// check is on the file actually opened, so swapping the path after a `stat`
/// cannot slip a FIFO or a device in. Not found stays `NotFound`.
pub(super) fn open_regular(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::index::{be32, parse_index};
    use super::*;
    use crate::store::testdir::TempDir;
    use std::fs;
    use std::path::PathBuf;
    use std::process::Command;

    /// Uncached, as the tests below mean it (the cache has its own test).
    pub(super) fn info(cwd: &Path) -> Option<GitInfo> {
        super::info(cwd, None)
    }

    /// A temp dir with HOME for git and a work tree inside it.
    pub(super) struct Tmp(pub(super) TempDir);

    impl Tmp {
        pub(super) fn new(tag: &str) -> Tmp {
            let t = TempDir::new(&format!("git-{tag}"));
            fs::create_dir_all(t.join("home")).unwrap();
            fs::create_dir_all(t.join("repo")).unwrap();
            Tmp(t)
        }
        pub(super) fn repo(&self) -> PathBuf {
            self.0.join("repo")
        }
        /// Runs the real git CLI (tests only) and returns its trimmed stdout.
        pub(super) fn git(&self, dir: &Path, args: &[&str]) -> String {
            let out = Command::new("git")
                .args([
                    "-c",
                    "user.name=Hook Test",
                    "-c",
                    "user.email=hook@example.invalid",
                    "-c",
                    "init.defaultBranch=main",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .current_dir(dir)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", self.0.join("home"))
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .output()
                .expect("git runs");
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        }
        /// A repository with one commit of two files (one in a subdirectory).
        pub(super) fn committed(tag: &str) -> Tmp {
            let t = Tmp::new(tag);
            let r = t.repo();
            t.git(&r, &["init", "-q"]);
            fs::write(r.join("a.txt"), "hello\n").unwrap();
            fs::create_dir_all(r.join("src")).unwrap();
            fs::write(r.join("src/b.rs"), "fn main() {}\n").unwrap();
            t.git(&r, &["add", "."]);
            t.git(&r, &["commit", "-q", "-m", "first"]);
            t
        }
    }

    #[test]
    fn branch_and_commit_match_git() {
        let t = Tmp::committed("branch");
        let r = t.repo();
        let g = info(&r).expect("a repo");
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert_eq!(g.commit.unwrap(), t.git(&r, &["rev-parse", "HEAD"]));
        assert_eq!(g.dirty, Some(false), "fresh commit is clean");
        assert_eq!(g.remote, None);
        // From a subdirectory too.
        let sub = info(&r.join("src")).unwrap();
        assert_eq!(sub.branch.as_deref(), Some("main"));
        t.git(&r, &["checkout", "-q", "-b", "feature/x"]);
        assert_eq!(info(&r).unwrap().branch.as_deref(), Some("feature/x"));
    }

    #[test]
    fn detached_head_has_commit_but_no_branch() {
        let t = Tmp::committed("detached");
        let r = t.repo();
        fs::write(r.join("a.txt"), "second\n").unwrap();
        t.git(&r, &["commit", "-q", "-am", "second"]);
        let first = t.git(&r, &["rev-parse", "HEAD~1"]);
        t.git(&r, &["checkout", "-q", "--detach", &first]);
        let g = info(&r).unwrap();
        assert_eq!(g.branch, None);
        assert_eq!(g.commit.as_deref(), Some(first.as_str()));
        assert_eq!(g.dirty, Some(false));
    }

    #[test]
    fn packed_refs_are_read() {
        let t = Tmp::committed("packed");
        let r = t.repo();
        t.git(&r, &["pack-refs", "--all"]);
        assert!(!r.join(".git/refs/heads/main").exists(), "ref was packed");
        let g = info(&r).unwrap();
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert_eq!(g.commit.unwrap(), t.git(&r, &["rev-parse", "HEAD"]));
    }

    #[test]
    fn unborn_branch_has_no_commit() {
        let t = Tmp::new("unborn");
        let r = t.repo();
        t.git(&r, &["init", "-q", "-b", "trunk"]);
        let g = info(&r).unwrap();
        assert_eq!(g.branch.as_deref(), Some("trunk"));
        assert_eq!(g.commit, None);
        assert_eq!(g.dirty, Some(false), "nothing tracked, nothing changed");
    }

    #[test]
    fn modified_or_deleted_tracked_file_is_dirty_and_commit_cleans() {
        let t = Tmp::committed("dirty");
        let r = t.repo();
        fs::write(r.join("src/b.rs"), "fn main() { println!(); }\n").unwrap();
        assert_eq!(info(&r).unwrap().dirty, Some(true));
        t.git(&r, &["commit", "-q", "-am", "edit"]);
        assert_eq!(info(&r).unwrap().dirty, Some(false));
        fs::remove_file(r.join("a.txt")).unwrap();
        assert_eq!(info(&r).unwrap().dirty, Some(true), "missing file");
        t.git(&r, &["checkout", "-q", "--", "a.txt"]);
        // Untracked files are outside this check, by design (documented).
        fs::write(r.join("untracked.txt"), "x").unwrap();
        assert_eq!(info(&r).unwrap().dirty, Some(false));
    }

    #[test]
    fn skip_worktree_entries_are_not_checked() {
        let t = Tmp::committed("skip");
        let r = t.repo();
        t.git(&r, &["update-index", "--skip-worktree", "a.txt"]);
        fs::write(r.join("a.txt"), "changed but skipped, longer\n").unwrap();
        assert_eq!(info(&r).unwrap().dirty, Some(false));
        t.git(&r, &["update-index", "--no-skip-worktree", "a.txt"]);
        assert_eq!(info(&r).unwrap().dirty, Some(true));
    }

    #[test]
    fn index_versions_3_and_4_are_read() {
        for v in ["3", "4"] {
            let t = Tmp::committed(&format!("v{v}"));
            let r = t.repo();
            // Enough shared prefixes to exercise v4's path compression.
            for n in 0..20 {
                fs::write(r.join(format!("src/file_{n:02}.rs")), format!("{n}\n")).unwrap();
            }
            t.git(&r, &["add", "."]);
            t.git(&r, &["commit", "-q", "-m", "more"]);
            t.git(&r, &["update-index", "--index-version", v]);
            if v == "3" {
                // v3 only keeps extended flags when an entry needs them.
                t.git(&r, &["update-index", "--skip-worktree", "src/file_00.rs"]);
            }
            let idx = fs::read(r.join(".git/index")).unwrap();
            assert_eq!(be32(&idx[4..8]).to_string(), v);
            assert_eq!(info(&r).unwrap().dirty, Some(false), "v{v} clean");
            fs::write(r.join("src/file_17.rs"), "changed\n").unwrap();
            assert_eq!(info(&r).unwrap().dirty, Some(true), "v{v} dirty");
        }
    }

    #[test]
    fn linked_worktree_reads_its_own_head_and_shared_refs() {
        let t = Tmp::committed("worktree");
        let r = t.repo();
        t.git(
            &r,
            &[
                "remote",
                "add",
                "origin",
                "https://example.invalid/acme/x.git",
            ],
        );
        let wt = t.0.join("wt");
        t.git(
            &r,
            &["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()],
        );
        fs::write(wt.join("a.txt"), "side change\n").unwrap();
        t.git(&wt, &["commit", "-q", "-am", "side"]);
        let g = info(&wt).unwrap();
        assert_eq!(g.branch.as_deref(), Some("side"));
        assert_eq!(g.commit.unwrap(), t.git(&wt, &["rev-parse", "HEAD"]));
        assert_eq!(
            g.remote.as_deref(),
            Some("https://example.invalid/acme/x.git")
        );
        assert_eq!(g.dirty, Some(false));
        fs::write(wt.join("src/b.rs"), "dirty in worktree only\n").unwrap();
        assert_eq!(info(&wt).unwrap().dirty, Some(true));
        // The main work tree is unaffected.
        let main = info(&r).unwrap();
        assert_eq!(main.branch.as_deref(), Some("main"));
        assert_eq!(main.dirty, Some(false));
    }

    #[test]
    fn remote_credentials_are_stripped() {
        let t = Tmp::committed("remote");
        let r = t.repo();
        t.git(
            &r,
            &[
                "remote",
                "add",
                "upstream",
                "https://someone:fake-token-123@example.invalid/up.git",
            ],
        );
        let g = info(&r).unwrap();
        assert_eq!(g.remote.as_deref(), Some("https://example.invalid/up.git"));
        t.git(
            &r,
            &[
                "remote",
                "add",
                "origin",
                "https://fake_pat_0000@example.invalid/acme/repo.git",
            ],
        );
        let g = info(&r).unwrap();
        assert_eq!(
            g.remote.as_deref(),
            Some("https://example.invalid/acme/repo.git"),
            "origin wins over the first remote"
        );
        let text = fs::read_to_string(r.join(".git/config")).unwrap();
        assert!(text.contains("fake_pat_0000"), "git kept the token itself");
    }

    #[test]
    fn submodules_and_separate_git_dirs_are_followed() {
        let t = Tmp::committed("submodule");
        let r = t.repo();
        let lib = t.0.join("lib");
        fs::create_dir_all(&lib).unwrap();
        t.git(&lib, &["init", "-q", "-b", "libmain"]);
        fs::write(lib.join("lib.rs"), "pub fn f() {}\n").unwrap();
        t.git(&lib, &["add", "."]);
        t.git(&lib, &["commit", "-q", "-m", "lib"]);
        let lib_head = t.git(&lib, &["rev-parse", "HEAD"]);
        t.git(
            &r,
            &[
                "-c",
                "protocol.file.allow=always",
                "submodule",
                "add",
                "-q",
                lib.to_str().unwrap(),
                "vendor/lib",
            ],
        );
        t.git(&r, &["commit", "-q", "-m", "add submodule"]);
        assert!(r.join("vendor/lib/.git").is_file(), "a gitfile");
        // The gitlink entry is skipped: the parent stays clean.
        assert_eq!(info(&r).unwrap().dirty, Some(false));
        let sub = info(&r.join("vendor/lib")).unwrap();
        assert_eq!(sub.commit.as_deref(), Some(lib_head.as_str()));
        let sub_branch = t.git(
            &r.join("vendor/lib"),
            &["rev-parse", "--abbrev-ref", "HEAD"],
        );
        assert_eq!(sub.branch.unwrap_or("HEAD".into()), sub_branch);
        assert_eq!(sub.dirty, Some(false));
        assert_eq!(sub.remote.as_deref(), lib.to_str());
        fs::write(r.join("vendor/lib/lib.rs"), "pub fn g() {}\n\n").unwrap();
        assert_eq!(info(&r.join("vendor/lib")).unwrap().dirty, Some(true));

        // `git init --separate-git-dir`: a gitfile with no commondir.
        let sep = t.0.join("sep");
        let store = t.0.join("store.git");
        t.git(
            t.0.path(),
            &[
                "init",
                "-q",
                "--separate-git-dir",
                store.to_str().unwrap(),
                sep.to_str().unwrap(),
            ],
        );
        fs::write(sep.join("x"), "x\n").unwrap();
        t.git(&sep, &["add", "."]);
        t.git(&sep, &["commit", "-q", "-m", "x"]);
        let g = info(&sep).unwrap();
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert_eq!(g.commit.unwrap(), t.git(&sep, &["rev-parse", "HEAD"]));
        assert_eq!(g.dirty, Some(false));
    }

    #[test]
    fn only_regular_files_within_their_cap_are_read() {
        let t = Tmp::new("regular");
        let dir = t.0.join("d");
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(
            open_regular(&dir).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let fifo = t.0.join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Would block forever without O_NONBLOCK: nobody writes to it.
        assert!(open_regular(&fifo).is_err());
        assert_eq!(
            open_regular(&t.0.join("none")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        let f = t.0.join("f");
        fs::write(&f, "abcd").unwrap();
        assert_eq!(read_capped(&f, 4).as_deref(), Some(&b"abcd"[..]));
        assert_eq!(read_capped(&f, 3), None);
    }

    #[test]
    fn not_a_repo_is_none() {
        let t = Tmp::new("norepo");
        assert_eq!(info(&t.repo()), None);
    }

    #[test]
    fn malformed_git_never_panics() {
        let t = Tmp::new("broken");
        let r = t.repo();
        // A `.git` file pointing nowhere.
        fs::write(r.join(".git"), "gitdir: ../nowhere\n").unwrap();
        assert_eq!(info(&r), None);
        fs::write(r.join(".git"), "garbage").unwrap();
        assert_eq!(info(&r), None);
        // A `.git` dir with a hostile HEAD, a garbage index and a garbage config.
        fs::remove_file(r.join(".git")).unwrap();
        fs::create_dir_all(r.join(".git")).unwrap();
        fs::write(r.join(".git/HEAD"), "ref: ../../../../etc/passwd\n").unwrap();
        fs::write(r.join(".git/index"), b"DIRC\0\0\0\x02\0\0\0\x05short").unwrap();
        fs::write(r.join(".git/config"), "[remote \"o\n\turl = x\n[").unwrap();
        let g = info(&r);
        assert!(g.is_none_or(|g| g.branch.is_none() && g.dirty.is_none()));
        // Truncations of a real v4 index at every length: never a panic.
        let t2 = Tmp::committed("trunc");
        let r2 = t2.repo();
        t2.git(&r2, &["update-index", "--index-version", "4"]);
        let idx = fs::read(r2.join(".git/index")).unwrap();
        for n in 12..idx.len() {
            let _ = parse_index(&idx[12..n], 4, be32(&idx[8..12]), 20);
        }
    }
}
