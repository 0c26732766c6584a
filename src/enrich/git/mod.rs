//! Git state of the event's `cwd` (branch, commit, dirty flag, remote), read from
//! `.git` directly: spawning `git` on every tool call would cost milliseconds.
//!
//! What is read: `HEAD`, one loose ref or `packed-refs`, `config` (for the remote
//! and the object format) and `index` (for the dirty flag). Anything malformed or
//! unreadable leaves the field it feeds unset; nothing here panics or spawns.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::protocol::envelope::GitInfo;

/// Indexes with more entries than this are not checked (`dirty: None`).
pub const MAX_INDEX_ENTRIES: u32 = 20_000;
/// Time allowed for the dirty check before giving up (`dirty: None`).
pub const DIRTY_BUDGET: Duration = Duration::from_millis(2);
/// Entries always checked (per thread), whatever the clock says.
const MIN_CHECKED: usize = 256;
/// Indexes from this size on are checked by several threads.
const PARALLEL_FROM: usize = 1024;
const MAX_THREADS: usize = 8;
/// HEAD, loose refs and config are tiny; anything bigger is not a real one.
const MAX_SMALL_FILE: u64 = 1 << 20;
/// Big monorepos have packed-refs of a few MB; past this the commit stays unknown.
const MAX_PACKED_REFS: u64 = 64 << 20;
/// Symbolic refs pointing at symbolic refs: git itself stops at 5.
const MAX_SYMREF_DEPTH: usize = 5;

/// Where one repository's pieces are.
#[derive(Debug, PartialEq)]
struct Repo {
    /// Per-work-tree git dir: HEAD and index (`.git`, or `.git/worktrees/<name>`).
    git_dir: PathBuf,
    /// Shared git dir: refs, packed-refs, config (same as `git_dir` unless linked).
    common_dir: PathBuf,
    /// The directory holding `.git`; index paths are relative to it.
    work_tree: PathBuf,
}

/// `None` when `cwd` is not inside a git work tree (or nothing about it could be read).
/// `cache`: where the dirty flag is cached between invocations, and whether this
/// event may reuse a fresh one (`DIRTY_CACHE_MS`); `None` computes it every time.
pub fn info(cwd: &Path, cache: Option<(&Path, bool)>) -> Option<GitInfo> {
    let repo = discover(cwd)?;
    let config = read_small(&repo.common_dir.join("config"))
        .map(|text| parse_config(&text))
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

/// On events where nothing has run since the last look (see `may_reuse_dirty`), a
/// dirty flag computed less than this long ago, for the same repository and an
/// unchanged index, is reused: the stat walk costs about 1 µs per tracked file.
/// Events after a tool or a turn always look again, so they see its edits.
pub const DIRTY_CACHE_MS: u64 = 2000;

/// Events that come before anything runs, or only report: a work-tree change just
/// before them can only come from outside Claude Code. Unknown (future) events
/// look again, to be safe.
pub fn may_reuse_dirty(event: &str) -> bool {
    matches!(
        event,
        "PreToolUse"
            | "PermissionRequest"
            | "PermissionDenied"
            | "UserPromptSubmit"
            | "UserPromptExpansion"
            | "Notification"
            | "MessageDisplay"
            | "PreCompact"
            | "PostCompact"
            | "PreModelSwitch"
            | "PostModelSwitch"
            | "Elicitation"
            | "ElicitationResult"
            | "InstructionsLoaded"
            | "SubagentStart"
            | "TaskCreated"
            | "TeammateIdle"
            | "ConfigChange"
            | "DirectoryAdded"
            | "Setup"
    )
}

/// What `cached_dirty` keeps per repository: `<cache_dir>/<hash of git dir>.json`.
#[derive(serde::Serialize, serde::Deserialize, PartialEq)]
struct DirtyCache {
    /// `(mtime s, mtime ns, size)` of the index the flag was computed against.
    index: (i64, i64, u64),
    checked_ms: u64,
    dirty: Option<bool>,
}

fn cached_dirty(
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

/// Walks up from `cwd` to the first `.git` (a directory, or a file with `gitdir:`).
fn discover(cwd: &Path) -> Option<Repo> {
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let dotgit = d.join(".git");
        match fs::metadata(&dotgit) {
            // Like git, a `.git` directory without HEAD is not a repository.
            Ok(m) if m.is_dir() && dotgit.join("HEAD").exists() => {
                return Some(Repo {
                    git_dir: dotgit.clone(),
                    common_dir: dotgit,
                    work_tree: d.to_path_buf(),
                });
            }
            // A linked worktree or a submodule: `gitdir: <path>`, relative to `d`.
            // A broken one ends the search, as it does for git ("invalid gitfile").
            Ok(m) if m.is_file() => return gitfile_repo(d, &dotgit),
            _ => {}
        }
        dir = d.parent();
    }
    None
}

fn gitfile_repo(work_tree: &Path, dotgit: &Path) -> Option<Repo> {
    let text = read_small(dotgit)?;
    let target = text
        .trim_end_matches(['\n', '\r'])
        .strip_prefix("gitdir:")?
        .trim();
    if target.is_empty() {
        return None;
    }
    let git_dir = work_tree.join(target);
    if !git_dir.join("HEAD").exists() {
        return None;
    }
    // Linked worktrees share refs and config with the main repository.
    let common_dir = match read_small(&git_dir.join("commondir")) {
        Some(c) if !c.trim().is_empty() => git_dir.join(c.trim()),
        _ => git_dir.clone(),
    };
    Some(Repo {
        git_dir,
        common_dir,
        work_tree: work_tree.to_path_buf(),
    })
}

/// (branch, commit) from HEAD's content.
fn head_state(repo: &Repo, head: &str) -> (Option<String>, Option<String>) {
    if let Some(target) = head.strip_prefix("ref:") {
        let name = target.trim();
        if !valid_refname(name) {
            return (None, None);
        }
        let branch = name.strip_prefix("refs/heads/").unwrap_or(name).to_string();
        // Not found anywhere: an unborn branch (no commit yet).
        (Some(branch), resolve_ref(repo, name, 0))
    } else if is_object_id(head) {
        (None, Some(head.to_ascii_lowercase()))
    } else {
        (None, None)
    }
}

/// The object id a ref points to: loose file first, then `packed-refs`.
fn resolve_ref(repo: &Repo, name: &str, depth: usize) -> Option<String> {
    if depth > MAX_SYMREF_DEPTH || !valid_refname(name) {
        return None;
    }
    let per_worktree = !name.starts_with("refs/")
        || ["refs/bisect/", "refs/worktree/", "refs/rewritten/"]
            .iter()
            .any(|p| name.starts_with(p));
    let base = if per_worktree {
        &repo.git_dir
    } else {
        &repo.common_dir
    };
    if let Some(text) = read_small(&base.join(name)) {
        let text = text.trim();
        if let Some(next) = text.strip_prefix("ref:") {
            return resolve_ref(repo, next.trim(), depth + 1);
        }
        // A loose ref that is not an id is broken; git would not fall back either.
        return is_object_id(text).then(|| text.to_ascii_lowercase());
    }
    packed_ref(&repo.common_dir.join("packed-refs"), name)
}

fn packed_ref(path: &Path, name: &str) -> Option<String> {
    let bytes = read_capped(path, MAX_PACKED_REFS)?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .find_map(|l| {
            let (id, refname) = l.split_once(' ')?;
            (refname.trim_end() == name && is_object_id(id)).then(|| id.to_ascii_lowercase())
        })
}

/// Keeps a hostile HEAD (`ref: ../../etc/passwd`) from reading outside the git dir.
fn valid_refname(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains("..")
        && !name.contains('\\')
        && !name.bytes().any(|b| b < 0x20 || b == 0x7f)
}

/// 40 hex digits (SHA-1) or 64 (SHA-256).
fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn read_small(path: &Path) -> Option<String> {
    read_capped(path, MAX_SMALL_FILE).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn read_capped(path: &Path, cap: u64) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    File::open(path)
        .ok()?
        .take(cap + 1)
        .read_to_end(&mut buf)
        .ok()?;
    (buf.len() as u64 <= cap).then_some(buf)
}

// ---------------------------------------------------------------------------
// config

/// One `key = value` of a git config file. Section and key are lowercased (git
/// compares them case-insensitively); the subsection is kept as written.
#[derive(Debug, PartialEq)]
struct ConfigEntry {
    section: String,
    subsection: Option<String>,
    key: String,
    value: String,
}

/// A small git-config reader: sections, subsections (`[remote "origin"]` and the
/// old `[remote.origin]`), quoted values, escapes and comments. `include` and
/// `includeIf` are not followed, and continuation lines are not joined.
fn parse_config(text: &str) -> Vec<ConfigEntry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    for line in text.lines() {
        let mut rest = line.trim_start();
        if rest.starts_with('[') {
            let Some((name, sub, after)) = parse_section_header(rest) else {
                // A broken header: ignore its keys rather than mis-file them.
                section.clear();
                subsection = None;
                continue;
            };
            section = name;
            subsection = sub;
            rest = after.trim_start();
        }
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with(';') || section.is_empty() {
            continue;
        }
        let key_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        let after_key = rest[key_end..].trim_start();
        let value = match after_key.strip_prefix('=') {
            Some(v) => parse_value(v),
            // `key` alone means true.
            None => "true".to_string(),
        };
        out.push(ConfigEntry {
            section: section.clone(),
            subsection: subsection.clone(),
            key,
            value,
        });
    }
    out
}

/// `[section "sub"]` or `[section.sub]` -> (section, sub, rest of the line).
fn parse_section_header(line: &str) -> Option<(String, Option<String>, &str)> {
    let inner = &line[1..];
    let name_end = inner.find([' ', '\t', '"', ']'])?;
    let name = &inner[..name_end];
    let mut rest = inner[name_end..].trim_start();
    let mut sub = None;
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut s = String::new();
        let mut chars = quoted.char_indices();
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        s.push(n);
                    }
                }
                '"' => {
                    close = Some(i);
                    break;
                }
                _ => s.push(c),
            }
        }
        rest = quoted[close? + 1..].trim_start();
        sub = Some(s);
    }
    let after = rest.strip_prefix(']')?;
    let (section, sub) = match (name.split_once('.'), sub) {
        (Some((sec, old_sub)), None) => (sec, Some(old_sub.to_ascii_lowercase())),
        (_, sub) => (name, sub),
    };
    if section.is_empty() {
        return None;
    }
    Some((section.to_ascii_lowercase(), sub, after))
}

/// A value after `=`: quotes removed, escapes resolved, trailing comment dropped.
fn parse_value(raw: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    // Whitespace is only kept when something follows it.
    let mut pending_ws = String::new();
    let mut chars = raw.trim_start().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                quoted = !quoted;
            }
            '\\' => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('b') => {
                        out.pop();
                    }
                    Some(other) => out.push(other),
                    None => {}
                }
            }
            '#' | ';' if !quoted => break,
            c if c.is_whitespace() && !quoted => pending_ws.push(c),
            c => {
                out.push_str(&pending_ws);
                pending_ws.clear();
                out.push(c);
            }
        }
    }
    out
}

fn config_value<'a>(
    config: &'a [ConfigEntry],
    section: &str,
    subsection: Option<&str>,
    key: &str,
) -> Option<&'a str> {
    // Last one wins, as in git.
    config
        .iter()
        .rev()
        .find(|e| e.section == section && e.subsection.as_deref() == subsection && e.key == key)
        .map(|e| e.value.as_str())
}

fn is_true(v: &str) -> bool {
    ["true", "yes", "on", "1"]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

fn is_false(v: &str) -> bool {
    ["false", "no", "off", "0", ""]
        .iter()
        .any(|t| v.eq_ignore_ascii_case(t))
}

/// `remote "origin"`'s url, else the first remote's (file order). For a remote with
/// several urls, the first (the one fetched from).
fn remote_url(config: &[ConfigEntry]) -> Option<String> {
    let url_of = |e: &&ConfigEntry| e.section == "remote" && e.key == "url" && !e.value.is_empty();
    config
        .iter()
        .filter(url_of)
        .find(|e| e.subsection.as_deref() == Some("origin"))
        .or_else(|| config.iter().find(url_of))
        .map(|e| e.value.clone())
}

/// Removes credentials from a remote URL so a token embedded in it never leaves the
/// machine: `https://user:token@host/x` -> `https://host/x`. Over ssh the user name
/// is kept (`ssh://git@host/x`), as it is an account, not a secret; any password
/// goes. For http(s) and every other scheme the whole user part goes, since a lone
/// "user" there is often a token (`https://ghp_…@github.com/…`).
pub fn strip_credentials(url: &str) -> String {
    if let Some(i) = url.find("://") {
        let (scheme, rest) = (&url[..i], &url[i + 3..]);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            let user = rest[..at].split(':').next().unwrap_or("");
            let ssh = scheme.to_ascii_lowercase().contains("ssh");
            let kept = if ssh && !user.is_empty() {
                format!("{user}@")
            } else {
                String::new()
            };
            return format!("{scheme}://{kept}{}", &rest[at + 1..]);
        }
        return url.to_string();
    }
    // scp-like `user@host:path`: a `user:secret@` form loses the secret.
    if let Some(at) = url.find('@') {
        let userinfo = &url[..at];
        if let Some((user, _)) = userinfo.split_once(':')
            && !userinfo.contains('/')
        {
            return format!("{user}{}", &url[at..]);
        }
    }
    url.to_string()
}

// ---------------------------------------------------------------------------
// dirty flag

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
const S_IFGITLINK: u32 = 0o160000;

const CE_VALID: u16 = 0x8000;
const CE_EXTENDED: u16 = 0x4000;
const CE_STAGEMASK: u16 = 0x3000;
const CE_SKIP_WORKTREE: u16 = 0x4000;
const CE_INTENT_TO_ADD: u16 = 0x2000;

/// Has a tracked file changed in the work tree? Git's own quick check: each index
/// entry's mtime (s + ns), size, type and exec bit against `lstat` of the file. A
/// missing file is a change; an unmerged entry is a change. Untracked files and
/// changes that are only staged are not seen. `None` when it cannot be told
/// (index too big, too slow, unreadable, split index, unknown version).
fn dirty(repo: &Repo, hash_len: usize, filemode: bool, deadline: Instant) -> Option<bool> {
    let mut file = match File::open(repo.git_dir.join("index")) {
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
    let mut buf = Vec::new();
    file.read_to_end(&mut buf).ok()?;
    let index = parse_index(&buf, version, count, hash_len)?;
    check_all(&repo.work_tree, &index, filemode, deadline)
}

/// One index entry, as far as the dirty check needs it.
#[derive(Debug)]
struct Entry {
    /// Into `Index::paths`.
    path: std::ops::Range<usize>,
    mtime_s: u32,
    mtime_ns: u32,
    mode: u32,
    size: u32,
    flags: u16,
    ext_flags: u16,
}

/// The parsed entries; all paths share one buffer (one allocation, not 20,000).
#[derive(Debug, Default)]
struct Index {
    paths: Vec<u8>,
    entries: Vec<Entry>,
}

#[derive(Debug, PartialEq)]
enum Check {
    Clean,
    Dirty,
    /// This entry could not be checked (e.g. permission denied).
    Unknown,
}

/// Parses the entries of an index (the bytes after the 12-byte header).
/// Bounds-checked throughout: a truncated or garbled index gives `None`.
fn parse_index(buf: &[u8], version: u32, count: u32, hash_len: usize) -> Option<Index> {
    let fixed = 40 + hash_len + 2;
    let mut pos = 0usize;
    let mut index = Index {
        paths: Vec::with_capacity(buf.len() / 2),
        entries: Vec::with_capacity(count as usize),
    };
    let mut prev = 0..0;
    for _ in 0..count {
        let start = pos;
        let e = buf.get(pos..pos + fixed)?;
        let flags = be16(&e[fixed - 2..]);
        pos += fixed;
        let mut ext_flags = 0;
        if flags & CE_EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            ext_flags = be16(buf.get(pos..pos + 2)?);
            pos += 2;
        }
        let path_start = index.paths.len();
        if version == 4 {
            // Prefix compression: the previous path minus N bytes, then this suffix.
            let (strip, n) = decode_varint(buf.get(pos..)?)?;
            pos += n;
            let len = buf.get(pos..)?.iter().position(|&b| b == 0)?;
            let keep = prev.len().checked_sub(usize::try_from(strip).ok()?)?;
            index
                .paths
                .extend_from_within(prev.start..prev.start + keep);
            index.paths.extend_from_slice(&buf[pos..pos + len]);
            pos += len + 1;
        } else {
            let len = buf.get(pos..)?.iter().position(|&b| b == 0)?;
            index.paths.extend_from_slice(&buf[pos..pos + len]);
            // NUL-padded to a multiple of 8 (at least one NUL).
            pos = start + ((pos - start + len + 8) & !7);
        }
        let path = path_start..index.paths.len();
        // Split-index entries that replace shared ones have no name: we cannot judge.
        if path.is_empty() {
            return None;
        }
        prev = path.clone();
        index.entries.push(Entry {
            path,
            mtime_s: be32(&e[8..12]),
            mtime_ns: be32(&e[12..16]),
            mode: be32(&e[24..28]),
            size: be32(&e[36..40]),
            flags,
            ext_flags,
        });
    }
    Some(index)
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

/// Git's offset varint (index v4 path prefixes): (value, bytes used).
fn decode_varint(buf: &[u8]) -> Option<(u64, usize)> {
    let mut i = 0;
    let mut c = *buf.first()?;
    let mut val = u64::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        val = val.checked_add(1)?;
        if val >> 57 != 0 {
            return None;
        }
        c = *buf.get(i)?;
        val = (val << 7) + u64::from(c & 0x7f);
    }
    Some((val, i + 1))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testdir::TempDir;
    use std::process::Command;

    /// Uncached, as the tests below mean it (the cache has its own test).
    fn info(cwd: &Path) -> Option<GitInfo> {
        super::info(cwd, None)
    }

    #[test]
    fn the_dirty_flag_is_cached_briefly_and_dropped_when_the_index_changes() {
        let t = Tmp::committed("cache");
        let r = t.repo();
        let cache = t.0.join("cache");
        let before = |r: &Path| super::info(r, Some((&cache, true))).unwrap().dirty;
        let after_a_tool = |r: &Path| super::info(r, Some((&cache, false))).unwrap().dirty;
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

    /// A temp dir with HOME for git and a work tree inside it.
    struct Tmp(TempDir);

    impl Tmp {
        fn new(tag: &str) -> Tmp {
            let t = TempDir::new(&format!("git-{tag}"));
            fs::create_dir_all(t.join("home")).unwrap();
            fs::create_dir_all(t.join("repo")).unwrap();
            Tmp(t)
        }
        fn repo(&self) -> PathBuf {
            self.0.join("repo")
        }
        /// Runs the real git CLI (tests only) and returns its trimmed stdout.
        fn git(&self, dir: &Path, args: &[&str]) -> String {
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
        fn committed(tag: &str) -> Tmp {
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
    fn strip_credentials_forms() {
        let cases = [
            ("https://u:p@h.example/x.git", "https://h.example/x.git"),
            ("https://tok@h.example/x", "https://h.example/x"),
            ("http://u:p%40q@h.example:8080/x", "http://h.example:8080/x"),
            ("ssh://git:pw@h.example/x", "ssh://git@h.example/x"),
            ("ssh://git@h.example/x", "ssh://git@h.example/x"),
            ("git@github.com:acme/x.git", "git@github.com:acme/x.git"),
            ("me:secret@host.example:x.git", "me@host.example:x.git"),
            ("/srv/git/x.git", "/srv/git/x.git"),
            ("https://h.example/p@v1", "https://h.example/p@v1"),
        ];
        for (url, want) in cases {
            assert_eq!(strip_credentials(url), want, "{url}");
        }
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

    #[test]
    fn config_parser_handles_quotes_comments_and_old_syntax() {
        let c = parse_config(
            "[core]\n\tbare = false ; comment\n[Remote \"Up\"]\n\tURL = \"https://a.example/x y\" # c\n[remote.old]\nurl=/srv/old\n[extensions]\n\tobjectFormat = sha256\n",
        );
        assert_eq!(config_value(&c, "core", None, "bare"), Some("false"));
        assert_eq!(
            config_value(&c, "remote", Some("Up"), "url"),
            Some("https://a.example/x y")
        );
        assert_eq!(
            config_value(&c, "remote", Some("old"), "url"),
            Some("/srv/old")
        );
        assert_eq!(
            config_value(&c, "extensions", None, "objectformat"),
            Some("sha256")
        );
        assert_eq!(remote_url(&c).as_deref(), Some("https://a.example/x y"));
    }

    #[test]
    fn varint_matches_git() {
        assert_eq!(decode_varint(&[0x05]), Some((5, 1)));
        assert_eq!(decode_varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(decode_varint(&[0x81, 0x7f]), Some((383, 2)));
        assert_eq!(decode_varint(&[0x80]), None);
    }
}
