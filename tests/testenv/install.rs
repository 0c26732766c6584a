//! Helpers for the install tests: running install.sh in a throwaway HOME with a
//! clean environment, what it wrote, and snapshots of a directory tree (bytes and modes) to prove
//! that a step changed nothing, or restored everything.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::TempDir;

/// A throwaway machine for install.sh: a temp dir (also the working directory)
/// holding an empty `home/`. Returns both: the dir lives as long as the test.
pub fn empty_home(tag: &str) -> (TempDir, PathBuf) {
    let t = TempDir::new(tag);
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    (t, home)
}

/// Like [`empty_home`], with the user's own Claude Code settings
/// ([`USER_SETTINGS`]) in `~/.claude/settings.json`.
pub fn home_with_user_settings(tag: &str) -> (TempDir, PathBuf) {
    let (t, home) = empty_home(tag);
    std::fs::create_dir_all(home.join(".claude")).unwrap();
    std::fs::write(home.join(".claude/settings.json"), USER_SETTINGS).unwrap();
    (t, home)
}

/// The config install.sh wrote under `home` (it must be valid JSON).
pub fn installed_config(home: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(home.join(".config/hookrelay/config.json")).unwrap())
        .expect("install.sh writes valid JSON")
}

/// A file's permission bits (`0o600`, ...).
pub fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The repository's install.sh.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh")
}

/// Runs install.sh with `--binary <the binary under test>` (no cargo build).
pub fn install_sh(home: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["--binary", super::bin()];
    all.extend_from_slice(args);
    install_sh_raw(home, cwd, &all, env)
}

/// Runs install.sh like [`install_sh`] and asserts it succeeded.
#[track_caller]
pub fn install_sh_ok(home: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = install_sh(home, cwd, args, env);
    super::assert_exit(&out, 0);
    out
}

/// Runs `install.sh --uninstall` (it needs no binary) in `cwd`.
pub fn uninstall_sh(home: &Path, cwd: &Path) -> Output {
    install_sh_raw(home, cwd, &["--uninstall"], &[])
}

/// Runs install.sh with exactly `args`, only PATH (system tools, no cargo) and HOME
/// set, plus `env`, in `cwd`.
pub fn install_sh_raw(home: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("sh");
    c.arg(script()).args(args);
    c.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run install.sh")
}

/// What a tree holds: every file's bytes and mode, every directory (bytes `None`).
pub type Snapshot = BTreeMap<String, (Option<Vec<u8>>, u32)>;

pub fn snapshot(root: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let p = e.unwrap().path();
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(format!("{rel}/"), (None, mode));
            walk(root, &p, out);
        } else {
            out.insert(rel, (Some(std::fs::read(&p).unwrap()), mode));
        }
    }
}

/// Names that differ between two snapshots (for readable failures).
pub fn diff(a: &Snapshot, b: &Snapshot) -> Vec<String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// The binary under test, as `hookrelay install` writes it into settings.
pub fn exe() -> String {
    std::fs::canonicalize(super::bin())
        .unwrap()
        .display()
        .to_string()
}

/// A settings file as a user might have it: other hooks, other keys, 4-space
/// indent with inline arrays (so a re-serialization would not match byte for byte).
pub const USER_SETTINGS: &str = r#"{
    "model": "opus",
    "permissions": { "allow": ["Bash(git status)"] },
    "hooks": {
        "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ],
        "PreToolUse": [
            { "matcher": "Bash", "hooks": [ { "type": "command", "command": "/usr/local/bin/guard", "timeout": 3 } ] }
        ]
    },
    "theme": "dark"
}
"#;
