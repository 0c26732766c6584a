//! The dirty flag: has a tracked file changed in the work tree (git's own stat
//! check of each index entry), and its short-lived cache between invocations.
//! `may_reuse_dirty` is the one list of events on which a cached flag is reused.

use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use super::discover::Repo;
use super::index::{
    CE_INTENT_TO_ADD, CE_SKIP_WORKTREE, CE_STAGEMASK, CE_VALID, Entry, Index, S_IFDIR, S_IFGITLINK,
    S_IFLNK, S_IFMT, S_IFREG, be32, parse_index,
};

/// Indexes with more entries than this are not checked (`dirty: None`).
pub const MAX_INDEX_ENTRIES: u32 = 20_000;
/// Bytes of the index read at most: 20,000 entries of ~100 bytes each (path
/// included) are 2 MB; extensions after the entries are not needed.
const MAX_INDEX_BYTES: u64 = 16 << 20;
/// Time allowed for the dirty check before giving up (`dirty: None`).
pub const DIRTY_BUDGET: Duration = Duration::from_millis(2);
/// Entries always checked (per thread), whatever the clock says.
const MIN_CHECKED: usize = 256;
/// Indexes from this size on are checked by several threads.
const PARALLEL_FROM: usize = 1024;
const MAX_THREADS: usize = 8;

/// On events where nothing has run since the last look (see `may_reuse_dirty`), a
/// dirty flag computed less than this long ago, for the same repository and an
/// unchanged index, is reused: the stat walk costs about 1 µs per tracked file.
/// Events after a tool or a turn always look again, so they see its edits.
pub const DIRTY_CACHE_MS: u64 = 2000;

/// Events that come before anything runs, or only report: a work-tree change just
/// before them can only come from outside Claude Code. Unknown (future) events
/// look again, to be safe.
pub fn may_reuse_dirty(event: &str) -> bool {
    crate::protocol::events::spec_of(event).is_some_and(|s| s.reuses_git_dirty)
}

/// What `cached_dirty` keeps per repository: `<cache_dir>/<hash of git dir>.json`.
#[derive(serde::Serialize, serde::Deserialize, PartialEq)]
struct DirtyCache {
    /// `(mtime s, mtime ns, size)` of the index the flag was computed against.
    index: (i64, i64, u64),
    checked_ms: u64,
    dirty: Option<bool>,
}

pub(super) fn cached_dirty(
    cache: Option<(&Path, bool)>,
    repo: &Repo,
    compute: impl FnOnce() -> Option<bool>,
) -> Option<bool> {
    let Some((dir, reuse)) = cache else {
        return compute();
    };
    let Ok(meta) = fs::metadata(repo.git_dir.join("index")) else {
        return compute();
    };
    let index = (meta.mtime(), meta.mtime_nsec(), meta.size());
    use sha2::Digest;
    let key =
        crate::util::text::hex(&sha2::Sha256::digest(repo.git_dir.as_os_str().as_bytes())[..12]);
    let file = dir.join(format!("{key}.json"));
    let now = crate::util::clock::now_ms();
    if reuse
        && let Some(c) = fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<DirtyCache>(&b).ok())
        && c.index == index
        && now.saturating_sub(c.checked_ms) < DIRTY_CACHE_MS
    {
        return c.dirty;
    }
    let dirty = compute();
    // A cache: written in place, since a torn read only means computing again.
    let bytes = serde_json::to_vec(&DirtyCache {
        index,
        checked_ms: now,
        dirty,
    })
    .expect("cache serialises");
    let opts = crate::store::files::private()
        .write(true)
        .create(true)
        .truncate(true)
        .clone();
    let _ = crate::store::files::open(&file, &opts)
        .and_then(|mut f| io::Write::write_all(&mut f, &bytes));
    dirty
}

/// Has a tracked file changed in the work tree? Git's own quick check: each index
/// entry's mtime (s + ns), size, type and exec bit against `lstat` of the file. A
/// missing file is a change; an unmerged entry is a change. Untracked files and
/// changes that are only staged are not seen. `None` when it cannot be told
/// (index too big, too slow, unreadable, split index, unknown version).
pub(super) fn dirty(
    repo: &Repo,
    hash_len: usize,
    filemode: bool,
    deadline: Instant,
) -> Option<bool> {
    let mut file = match super::open_regular(&repo.git_dir.join("index")) {
        Ok(f) => f,
        // No index yet (fresh repository): nothing is tracked, so nothing changed.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some(false),
        Err(_) => return None,
    };
    let mut header = [0u8; 12];
    file.read_exact(&mut header).ok()?;
    if &header[..4] != b"DIRC" {
        return None;
    }
    let version = be32(&header[4..8]);
    let count = be32(&header[8..12]);
    if !(2..=4).contains(&version) || count > MAX_INDEX_ENTRIES {
        return None;
    }
    // Only the entries are parsed: past the cap an index counts as truncated.
    let mut buf = Vec::new();
    file.take(MAX_INDEX_BYTES).read_to_end(&mut buf).ok()?;
    let index = parse_index(&buf, version, count, hash_len)?;
    check_all(&repo.work_tree, &index, filemode, deadline)
}

#[derive(Debug, PartialEq)]
enum Check {
    Clean,
    Dirty,
    /// This entry could not be checked (e.g. permission denied).
    Unknown,
}

/// Checks every entry against the work tree, stopping at the first change. Big
/// indexes are split over a few threads, as git's own preload does: the cost is
/// one `lstat` per file, and the kernel serves those in parallel.
fn check_all(work_tree: &Path, index: &Index, filemode: bool, deadline: Instant) -> Option<bool> {
    use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};
    const RUNNING: u8 = 0;
    const DIRTY: u8 = 1;
    const GAVE_UP: u8 = 2;
    let state = AtomicU8::new(RUNNING);
    let unknown = AtomicBool::new(false);
    let run = |part: &[Entry]| {
        let mut path = work_tree.as_os_str().as_bytes().to_vec();
        path.push(b'/');
        let base = path.len();
        for (i, e) in part.iter().enumerate() {
            if state.load(Relaxed) != RUNNING {
                return;
            }
            // The first entries are always checked: a scheduler hiccup must not
            // turn a ten-file repository into "unknown".
            if i >= MIN_CHECKED && i % 32 == 0 && Instant::now() > deadline {
                let _ = state.compare_exchange(RUNNING, GAVE_UP, Relaxed, Relaxed);
                return;
            }
            path.truncate(base);
            path.extend_from_slice(&index.paths[e.path.clone()]);
            match check_entry(Path::new(std::ffi::OsStr::from_bytes(&path)), e, filemode) {
                Check::Clean => {}
                // A change found by any thread is an answer, even after a give-up.
                Check::Dirty => return state.store(DIRTY, Relaxed),
                Check::Unknown => unknown.store(true, Relaxed),
            }
        }
    };
    let entries = &index.entries[..];
    let threads = if entries.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS))
    };
    if threads <= 1 {
        run(entries);
    } else {
        std::thread::scope(|s| {
            for part in entries.chunks(entries.len().div_ceil(threads)) {
                let spawned = std::thread::Builder::new().spawn_scoped(s, || run(part));
                if spawned.is_err() {
                    run(part); // no thread to be had: do it here
                }
            }
        });
    }
    match state.load(Relaxed) {
        DIRTY => Some(true),
        GAVE_UP => None,
        _ => (!unknown.load(Relaxed)).then_some(false),
    }
}

fn check_entry(file: &Path, e: &Entry, filemode: bool) -> Check {
    if e.flags & CE_STAGEMASK != 0 {
        return Check::Dirty; // unmerged: a conflict is in progress
    }
    let kind = e.mode & S_IFMT;
    if e.flags & CE_VALID != 0
        || e.ext_flags & CE_SKIP_WORKTREE != 0
        || kind == S_IFGITLINK
        || kind == S_IFDIR
    {
        return Check::Clean; // assume-unchanged, sparse, submodule: not ours to check
    }
    if e.ext_flags & CE_INTENT_TO_ADD != 0 {
        return Check::Dirty; // `git add -N`: shows as a work-tree change
    }
    let meta = match fs::symlink_metadata(file) {
        Ok(m) => m,
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Check::Dirty;
        }
        Err(_) => return Check::Unknown,
    };
    let type_ok = match kind {
        S_IFLNK => meta.file_type().is_symlink(),
        S_IFREG => meta.file_type().is_file(),
        _ => true,
    };
    let exec_changed =
        filemode && kind == S_IFREG && (meta.mode() & 0o100 != 0) != (e.mode & 0o100 != 0);
    // The index keeps 32 bits of each; ns is 0 when the writer did not record it.
    let mtime_changed = meta.mtime() as u32 != e.mtime_s
        || (e.mtime_ns != 0 && meta.mtime_nsec() as u32 != e.mtime_ns);
    if !type_ok || exec_changed || mtime_changed || meta.size() as u32 != e.size {
        Check::Dirty
    } else {
        Check::Clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::git::discover::discover;
    use crate::enrich::git::info as git_info;
    use crate::enrich::git::tests::{Tmp, info};

    #[test]
    fn the_dirty_flag_is_cached_briefly_and_dropped_when_the_index_changes() {
        let t = Tmp::committed("cache");
        let r = t.repo();
        let cache = t.0.join("cache");
        let before = |r: &Path| git_info(r, Some((&cache, true))).unwrap().dirty;
        let after_a_tool = |r: &Path| git_info(r, Some((&cache, false))).unwrap().dirty;
        assert_eq!(before(&r), Some(false));
        fs::write(r.join("a.txt"), "edited, and longer than before\n").unwrap();
        assert_eq!(
            before(&r),
            Some(false),
            "within DIRTY_CACHE_MS the flag is reused"
        );
        assert_eq!(
            after_a_tool(&r),
            Some(true),
            "events after a tool look again"
        );
        assert_eq!(before(&r), Some(true), "and refresh the cache");
        // A commit rewrites the index: the entry for the old index is not reused.
        t.git(&r, &["commit", "-q", "-am", "second"]);
        assert_eq!(before(&r), Some(false));
        // An expired entry is computed again.
        fs::write(r.join("a.txt"), "edited once more\n").unwrap();
        assert_eq!(before(&r), Some(false), "reused while fresh");
        let f = fs::read_dir(&cache)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut c: serde_json::Value = serde_json::from_slice(&fs::read(&f).unwrap()).unwrap();
        c["checked_ms"] = 0.into();
        fs::write(&f, c.to_string()).unwrap();
        assert_eq!(before(&r), Some(true));
    }

    #[test]
    fn big_indexes_are_checked_in_parallel_and_give_up_past_the_deadline() {
        let t = Tmp::committed("big");
        let r = t.repo();
        let n = PARALLEL_FROM + 200;
        for i in 0..n {
            fs::write(r.join(format!("src/f{i:04}.txt")), format!("{i}\n")).unwrap();
        }
        t.git(&r, &["add", "."]);
        t.git(&r, &["commit", "-q", "-m", "many"]);
        let repo = discover(&r).unwrap();
        let later = || Instant::now() + Duration::from_secs(30);
        assert_eq!(dirty(&repo, 20, true, later()), Some(false));
        // A change in the last thread's share is found too.
        fs::write(r.join(format!("src/f{:04}.txt", n - 1)), "changed!\n").unwrap();
        assert_eq!(dirty(&repo, 20, true, later()), Some(true));

        // Past the deadline, each thread stops after its first MIN_CHECKED entries.
        let meta = fs::symlink_metadata(r.join("a.txt")).unwrap();
        let mut index = Index {
            paths: b"a.txt".to_vec(),
            entries: Vec::new(),
        };
        for _ in 0..MIN_CHECKED * MAX_THREADS * 2 {
            index.entries.push(Entry {
                path: 0..5,
                mtime_s: meta.mtime() as u32,
                mtime_ns: meta.mtime_nsec() as u32,
                mode: S_IFREG | (meta.mode() & 0o777),
                size: meta.size() as u32,
                flags: 0,
                ext_flags: 0,
            });
        }
        assert_eq!(check_all(&r, &index, true, later()), Some(false));
        let past = Instant::now() - Duration::from_millis(1);
        assert_eq!(check_all(&r, &index, true, past), None);
    }

    #[test]
    fn huge_index_is_unknown() {
        let mut hdr = b"DIRC\0\0\0\x02".to_vec();
        hdr.extend_from_slice(&(MAX_INDEX_ENTRIES + 1).to_be_bytes());
        let t = Tmp::new("huge");
        let r = t.repo();
        fs::create_dir_all(r.join(".git")).unwrap();
        fs::write(r.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        fs::write(r.join(".git/index"), &hdr).unwrap();
        let g = info(&r).unwrap();
        assert_eq!(g.branch.as_deref(), Some("main"));
        assert_eq!(g.dirty, None);
    }
}
