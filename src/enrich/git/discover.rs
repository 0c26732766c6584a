//! Finding the repository of a directory: the first `.git` above it, a directory
//! or a `gitdir:` file (linked worktrees, submodules, separate git dirs).

use std::fs;
use std::path::{Path, PathBuf};

use super::read_small;

/// Where one repository's pieces are.
#[derive(Debug, PartialEq)]
pub(super) struct Repo {
    /// Per-work-tree git dir: HEAD and index (`.git`, or `.git/worktrees/<name>`).
    pub(super) git_dir: PathBuf,
    /// Shared git dir: refs, packed-refs, config (same as `git_dir` unless linked).
    pub(super) common_dir: PathBuf,
    /// The directory holding `.git`; index paths are relative to it.
    pub(super) work_tree: PathBuf,
}

/// Walks up from `cwd` to the first `.git` (a directory, or a file with `gitdir:`).
pub(super) fn discover(cwd: &Path) -> Option<Repo> {
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
