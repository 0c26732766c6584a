//! The background drainer: recovery that needs no one. hookrelay has no daemon,
//! so once a backend is healthy again its backlog is emptied by a short-lived
//! copy of the binary that a hook starts *after* answering Claude Code
//! (`spawn`), running the hidden subcommand `hookrelay drain --backend NAME`
//! (`run`).
//!
//! Why a process of its own: the hook must exit at once (Claude Code waits for
//! it, and for EOF on its stdout and stderr), so its own drain is capped by
//! `delivery.drain_budget_ms`; a backlog of thousands then took thousands of
//! hooks, or a `flush`. The drainer is detached so that it neither holds the hook
//! nor dies with it: a new session (`setsid`, so no controlling terminal, no
//! SIGHUP and outside the process group Claude Code may kill), all three standard
//! streams on `/dev/null` (it never holds the hook's pipes open). At most one per
//! backend: it takes the spool's drain lock (`drain.lock`) without waiting, and
//! the hook only starts one when that lock is free. It replays over keep-alive
//! until the spool is empty or the backend fails (the failure goes to the
//! breaker, as in any drain), and never lives longer than `MAX_LIFE`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config;
use crate::delivery::breaker::{self, Admission, Circuit};
use crate::delivery::replay::{self, Budget};
use crate::delivery::route;
use crate::delivery::transport::Transport;
use crate::exit::Code;
use crate::store::files;
use crate::store::paths::Paths;
use crate::store::spool::{self, dead_letters::DRAIN_LOCK};
use crate::util::clock;

/// The hidden subcommand the hook runs (`hookrelay drain --backend NAME`).
pub const SUBCOMMAND: &str = "drain";

/// A drainer starts no request after this long, so (with `REQUEST_TIMEOUT_CAP`)
/// it never lives much past a minute, whatever the backend does.
pub const MAX_LIFE: Duration = Duration::from_secs(55);

/// One replayed request never takes longer than this (nor than the event
/// deadline when that is longer: a backend that slow is failing).
const REQUEST_TIMEOUT_CAP: Duration = Duration::from_secs(5);

/// How long to wait before looking again when a drain stopped with nothing
/// failed but something left (a line still being written by a hook).
const SETTLE: Duration = Duration::from_millis(50);

/// Is a drainer worth starting for `backend`? Events are waiting and nobody
/// holds its drain lock (another drainer, a hook's own drain, or `flush`).
/// Costs a `readdir` and, with a backlog, one lock attempt.
pub fn wanted(paths: &Paths, backend: &str) -> bool {
    if !spool::has_pending(paths, backend) {
        return false;
    }
    let lock = spool::dir(paths, backend).join(DRAIN_LOCK);
    matches!(files::take_lock(&lock, false), Ok(Some(_)))
}

/// Whether `backend`'s breaker lets anyone try it now (closed, or its cool-down
/// is over so the drainer may be the probe). For backends this event does not
/// go to: a backlog of a backend that only takes SessionEnd must not wait for
/// the next session to end.
pub fn may_try(paths: &Paths, backend: &str) -> bool {
    Circuit::of(&breaker::load(paths, backend), clock::now_ms()) != Circuit::Tripped
}

/// Starts `hookrelay drain --backend NAME` detached (see the module doc) and
/// does not wait for it. Errors (no executable, fork refused) are returned for
/// the caller to ignore: a backlog the drainer could not take still drains as
/// before, a little per hook, or by `flush`.
pub fn spawn(config_path: Option<&Path>, backend: &str) -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;

    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    if let Some(p) = config_path {
        cmd.arg("--config").arg(p);
    }
    cmd.args([SUBCOMMAND, "--backend", backend])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    unsafe extern "C" {
        fn setsid() -> i32;
    }
    // SAFETY: `setsid` is async-signal-safe and touches no memory of the parent;
    // it is the only thing run between fork and exec. It fails only for a
    // process-group leader, which the freshly forked child is not.
    unsafe {
        cmd.pre_exec(|| {
            setsid();
            Ok(())
        });
    }
    // The child is not waited for: it outlives the hook and is re-parented.
    cmd.spawn().map(drop)
}

/// `hookrelay drain --backend NAME`: replays that backend's spool until it is
/// empty, the backend fails, or `MAX_LIFE` is up. Silent (its streams are
/// `/dev/null`): what it does shows in `status` (spool depth, breaker, dead
/// letters). Exit 0 when nothing is left, 3 otherwise.
pub fn run(config_path: Option<&Path>, backend: &str) -> Code {
    let started = Instant::now();
    close_inherited();
    let config = match config::load(config_path) {
        Ok(loaded) => loaded.config,
        Err(_) => return Code::NonBlocking,
    };
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());
    let Some(b) = config
        .backends
        .build()
        .into_iter()
        .find(|b| b.name() == backend)
    else {
        return Code::NonBlocking;
    };
    let transport = Transport::new(config.delivery.connect_timeout());
    let deadline = Duration::from_millis(config.delivery.deadline_ms);
    let budget = Budget {
        stop_at: Some(started + MAX_LIFE),
        request_timeout: deadline.min(REQUEST_TIMEOUT_CAP),
        wait_for_lock: false,
    };
    loop {
        // The breaker decides as for a hook: closed sends, a cool-down that is
        // over makes this drainer the one probe, an open one means stop.
        let window = route::probe_window_ms(budget.request_timeout);
        let fp = || breaker::fingerprint(b.as_ref());
        if let Admission::Skip(_) = breaker::check(&paths, backend, &fp, clock::now_ms(), window) {
            return Code::Attention;
        }
        let drained = replay::drain(&paths, b.as_ref(), &transport, budget);
        if drained.busy || drained.error.is_some() {
            // Someone else drains, or the backend failed again (breaker told).
            return Code::Attention;
        }
        if Instant::now() >= started + MAX_LIFE {
            return if drained.left {
                Code::Attention
            } else {
                Code::Success
            };
        }
        if drained.left {
            std::thread::sleep(SETTLE);
        } else if !spool::has_pending(&paths, backend) {
            // Empty. A hook that spooled behind us after our last read and found
            // the lock taken started no drainer; this last look catches it.
            return Code::Success;
        }
    }
}

/// Closes every descriptor above stderr this process inherited. Rust opens its
/// own files close-on-exec, but whatever ran the hook may have passed others
/// (a pipe someone waits on for EOF, like cargo's jobserver in the tests): a
/// drainer living on with it would hold that up. Nothing of ours is open yet.
fn close_inherited() {
    unsafe extern "C" {
        fn close(fd: i32) -> i32;
    }
    let Ok(dir) = std::fs::read_dir("/proc/self/fd").or_else(|_| std::fs::read_dir("/dev/fd"))
    else {
        return;
    };
    let fds: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in fds {
        // SAFETY: these descriptors belong to no object of this process (the
        // listing's own is closed by now; closing it again only fails).
        unsafe {
            close(fd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::envelope::Envelope;
    use crate::store::spool::{Entry, SpoolConfig};
    use crate::store::testdir::TempDir;

    fn spool_one(paths: &Paths) {
        let envelope: Envelope = serde_json::from_value(serde_json::json!({
            "id": "e1", "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
            "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap();
        let entry = Entry {
            envelope,
            attempts: 0,
            last_error: None,
            spooled_at: "2026-11-22T00:00:00.000Z".into(),
            recovered: false,
        };
        spool::append(paths, &SpoolConfig::default(), "b", &entry).unwrap();
    }

    #[test]
    fn a_drainer_is_wanted_only_for_a_backlog_nobody_drains() {
        let t = TempDir::new("drainer-wanted");
        let paths = t.paths();
        assert!(!wanted(&paths, "b"), "no spool, no drainer");
        spool_one(&paths);
        assert!(wanted(&paths, "b"));
        let lock = files::take_lock(&spool::dir(&paths, "b").join(DRAIN_LOCK), false)
            .unwrap()
            .expect("free");
        assert!(!wanted(&paths, "b"), "someone drains it already");
        drop(lock);
        assert!(wanted(&paths, "b"), "and the check itself holds nothing");
    }

    #[test]
    fn a_cooling_breaker_starts_no_drainer_for_others() {
        let t = TempDir::new("drainer-breaker");
        let paths = t.paths();
        assert!(may_try(&paths, "b"), "closed");
        let now = clock::now_ms();
        breaker::failure(&paths, "b", now, now, "down", None);
        assert!(!may_try(&paths, "b"), "cooling down");
        breaker::success(&paths, "b", clock::now_ms());
        assert!(may_try(&paths, "b"));
    }
}
