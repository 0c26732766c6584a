//! HEAD and the refs it points to: loose ref files first, then `packed-refs`.
//! Ref names are checked so a hostile HEAD cannot read outside the git dir.

use std::path::Path;

use super::discover::Repo;
use super::{read_capped, read_small};

/// Big monorepos have packed-refs of a few MB; past this the commit stays unknown.
const MAX_PACKED_REFS: u64 = 64 << 20;
/// Symbolic refs pointing at symbolic refs: git itself stops at 5.
const MAX_SYMREF_DEPTH: usize = 5;

/// (branch, commit) from HEAD's content.
pub(super) fn head_state(repo: &Repo, head: &str) -> (Option<String>, Option<String>) {
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
