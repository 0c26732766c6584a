//! A hostile repository as the event's cwd (issue 12): a FIFO where git keeps
//! `HEAD`, `config`, the index, a ref, `packed-refs` or a worktree's `commondir`,
//! or a huge `HEAD`. The hook reads these files itself; each case must return
//! quickly with exit 0 and keep the event (git state partial or absent), never
//! wait for a writer that will not come.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::testenv::enrich::*;
use crate::testenv::*;
use serde_json::{Value, json};

const SID: &str = "5d0c2f7e-8a41-4b6f-9e3a-12c4d5e6f7a8";
/// A hook takes milliseconds; a blocked open takes forever. The margin is for a
/// loaded machine.
const BOUND: Duration = Duration::from_secs(5);

/// A repository with one commit on `main`, in `env`'s temp dir.
fn repo(env: &TestEnv) -> PathBuf {
    let repo = env.dir.path().join("proj");
    std::fs::create_dir_all(&repo).unwrap();
    let home = env.home();
    git(&home, &repo, &["init", "-q"]);
    std::fs::write(repo.join("README.md"), "# proj\n").unwrap();
    git(&home, &repo, &["add", "."]);
    git(&home, &repo, &["commit", "-q", "-m", "init"]);
    repo
}

/// Replaces `path` (a file, or nothing) with a FIFO nobody writes to.
fn fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// Runs the hook on one event whose cwd is `cwd`; fails (after killing it) if it
/// has not exited within `BOUND`. Returns the one envelope it kept.
fn hook_in(env: &TestEnv, cwd: &Path) -> Value {
    let mut child = env.spawn(&[]);
    let line = event_line("PostToolUse", SID, &[("cwd", json!(cwd))]);
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &line).unwrap();
    let what = format!("the hook in {}", cwd.display());
    let (out, _) = wait_or_kill(child, Instant::now(), BOUND, &what);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let kept = env.kept();
    assert_eq!(kept.len(), 1, "the event is kept: {kept:?}");
    assert_eq!(kept[0]["session_id"], SID);
    kept[0].clone()
}

#[test]
fn a_fifo_as_head_leaves_the_branch_unknown() {
    let env = TestEnv::new("fifo-head");
    let r = repo(&env);
    fifo(&r.join(".git/HEAD"));
    let kept = hook_in(&env, &r);
    assert!(kept["git"].get("branch").is_none(), "{kept}");
    assert!(kept["git"].get("commit").is_none(), "{kept}");
}

#[test]
fn a_fifo_as_config_leaves_the_remote_unknown() {
    let env = TestEnv::new("fifo-config");
    let r = repo(&env);
    fifo(&r.join(".git/config"));
    let kept = hook_in(&env, &r);
    assert_eq!(kept["git"]["branch"], "main", "{kept}");
    assert!(kept["git"].get("remote").is_none(), "{kept}");
}

#[test]
fn a_fifo_as_index_leaves_dirty_unknown() {
    let env = TestEnv::new("fifo-index");
    let r = repo(&env);
    fifo(&r.join(".git/index"));
    let kept = hook_in(&env, &r);
    assert_eq!(kept["git"]["branch"], "main", "{kept}");
    assert!(kept["git"].get("dirty").is_none(), "{kept}");
}

#[test]
fn a_fifo_as_a_loose_ref_leaves_the_commit_unknown() {
    let env = TestEnv::new("fifo-ref");
    let r = repo(&env);
    fifo(&r.join(".git/refs/heads/main"));
    let kept = hook_in(&env, &r);
    assert_eq!(kept["git"]["branch"], "main", "{kept}");
    assert!(kept["git"].get("commit").is_none(), "{kept}");
}

#[test]
fn a_fifo_as_packed_refs_leaves_the_commit_unknown() {
    let env = TestEnv::new("fifo-packed");
    let r = repo(&env);
    // No loose ref: the commit can only come from packed-refs.
    std::fs::remove_file(r.join(".git/refs/heads/main")).unwrap();
    fifo(&r.join(".git/packed-refs"));
    let kept = hook_in(&env, &r);
    assert_eq!(kept["git"]["branch"], "main", "{kept}");
    assert!(kept["git"].get("commit").is_none(), "{kept}");
}

#[test]
fn a_fifo_as_a_worktrees_commondir_is_not_waited_for() {
    let env = TestEnv::new("fifo-commondir");
    let r = repo(&env);
    let wt = env.dir.path().join("wt");
    git(
        &env.home(),
        &r,
        &["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()],
    );
    let pointer = std::fs::read_to_string(wt.join(".git")).unwrap();
    let git_dir = PathBuf::from(pointer.trim().strip_prefix("gitdir:").unwrap().trim());
    fifo(&git_dir.join("commondir"));
    // Without commondir the shared refs are not found: the branch is still known.
    let kept = hook_in(&env, &wt);
    assert_eq!(kept["git"]["branch"], "side", "{kept}");
}

#[test]
fn a_20_mb_head_is_not_read() {
    let env = TestEnv::new("huge-head");
    let r = repo(&env);
    let mut head = b"ref: refs/heads/main\n".to_vec();
    head.resize(20 << 20, b'x');
    std::fs::write(r.join(".git/HEAD"), head).unwrap();
    let kept = hook_in(&env, &r);
    assert!(kept["git"].get("branch").is_none(), "{kept}");
}
