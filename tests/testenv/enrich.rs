//! Helpers for the enrichment tests: many hook processes at once, and real git
//! repositories built with the git CLI (tests only; hookrelay never runs git).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::TestEnv;

/// Starts one hook process per input, all before any gets its stdin, then feeds
/// them and waits: they run as concurrently as the machine allows.
pub fn hooks_at_once(env: &TestEnv, inputs: &[Vec<u8>]) -> Vec<Output> {
    let mut children: Vec<_> = inputs.iter().map(|_| env.spawn(&[])).collect();
    for (child, input) in children.iter_mut().zip(inputs) {
        // Inputs are far below a pipe buffer: this never blocks.
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
    }
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// A fixture with some fields replaced, as one compact line.
pub fn event_line(event: &str, session_id: &str, fields: &[(&str, Value)]) -> Vec<u8> {
    let mut v = super::fixture(event);
    v["session_id"] = Value::String(session_id.into());
    for (k, val) in fields {
        v[*k] = val.clone();
    }
    serde_json::to_vec(&v).unwrap()
}

/// Runs the real git CLI in `dir`, isolated from the user's git config.
pub fn git(home: &Path, dir: &Path, args: &[&str]) -> String {
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
        .env("HOME", home)
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
