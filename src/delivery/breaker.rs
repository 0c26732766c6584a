//! Per-backend circuit breaker shared by all invocations through a small state file.
//!
//! `<state>/breakers/<backend>.json` holds failures in a row, when the backend may
//! be tried again, and the last error and success. Reading it is one small file
//! read; it is rewritten (temp file + rename, under `<backend>.lock`) only when the
//! state changes, so a healthy backend costs no write per event and a dead one
//! costs one read per event instead of a timeout.
//!
//! After the n-th failure in a row the backend is skipped for
//! `1 s * 2^(n-1)`, capped at 5 min, with ±20 % jitter so that many sessions do not
//! probe in lockstep. When the cool-down has passed, the first invocation to take
//! the lock becomes the probe (the others keep skipping for `probe window`); its
//! success closes the breaker, its failure opens it for the next, longer period.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::store::files;
use crate::store::paths::Paths;

/// First cool-down after a failure.
pub const BASE_MS: u64 = 1_000;
/// Longest cool-down: a backend back after an outage is noticed within 5 minutes.
pub const MAX_MS: u64 = 5 * 60 * 1_000;
/// A successful delivery refreshes `last_success` on disk at most this often.
const SUCCESS_REFRESH_MS: u64 = 5_000;

/// What is on disk for one backend.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct State {
    /// Failures in a row (0: closed).
    pub failures: u32,
    /// Epoch ms before which the backend is skipped (on disk: `open_until`).
    #[serde(rename = "open_until")]
    pub skip_until: u64,
    /// When the current open period began: attempts that started before it
    /// failed in the same outage and do not lengthen the cool-down.
    #[serde(rename = "opened_at")]
    pub tripped_at: u64,
    pub last_error: Option<String>,
    pub last_success: Option<u64>,
    pub last_failure: Option<u64>,
}

/// What an invocation may do with a backend right now (the breaker's
/// admission; not to be confused with a gate webhook).
#[derive(Clone, Debug, PartialEq)]
pub enum Admission {
    /// Closed: send.
    Send,
    /// Cool-down passed and this invocation won the probe: send (one request).
    Probe,
    /// Open: skip, straight to the spool. Carries the reason for the spool line.
    Skip(String),
}

/// Where the breaker's circuit stands. "Open" here means the backend is being
/// skipped; it has nothing to do with a gate's fail mode (`on_unreachable: open`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Circuit {
    /// No failures: every invocation sends.
    Closed,
    /// Failing and cooling down: skipped until `State::skip_until`.
    Tripped,
    /// Cool-down over: the next invocation probes.
    HalfOpen,
}

impl Circuit {
    pub fn of(state: &State, now_ms: u64) -> Circuit {
        if state.failures == 0 {
            Circuit::Closed
        } else if now_ms < state.skip_until {
            Circuit::Tripped
        } else {
            Circuit::HalfOpen
        }
    }

    /// The word `status` shows (users know a breaker as closed/open/half-open).
    pub fn label(self) -> &'static str {
        match self {
            Circuit::Closed => "closed",
            Circuit::Tripped => "open",
            Circuit::HalfOpen => "half-open",
        }
    }
}

fn file(paths: &Paths, backend: &str) -> PathBuf {
    paths.breakers_dir().join(format!("{backend}.json"))
}

/// Reads the state (missing or unreadable: closed).
pub fn load(paths: &Paths, backend: &str) -> State {
    files::read_json(&file(paths, backend))
}

/// Decides whether this invocation sends to `backend`. `probe_window_ms` is how
/// long the others keep skipping while this invocation probes.
pub fn check(paths: &Paths, backend: &str, now_ms: u64, probe_window_ms: u64) -> Admission {
    let state = load(paths, backend);
    if state.failures == 0 {
        return Admission::Send;
    }
    if now_ms < state.skip_until {
        return Admission::Skip(skip_reason(&state, now_ms));
    }
    // Cool-down over: whoever re-reads it still expired under the lock probes.
    let won = update(paths, backend, |s| {
        if s.failures == 0 {
            return Some(Admission::Send);
        }
        if now_ms < s.skip_until {
            return None;
        }
        s.skip_until = now_ms + probe_window_ms;
        Some(Admission::Probe)
    });
    match won {
        Some(Some(g)) => g,
        Some(None) => Admission::Skip(skip_reason(&load(paths, backend), now_ms)),
        // The state file cannot be written: better to try than to skip forever.
        None => Admission::Probe,
    }
}

fn skip_reason(state: &State, now_ms: u64) -> String {
    let secs = state.skip_until.saturating_sub(now_ms).div_ceil(1000);
    format!(
        "circuit breaker open after {} failure(s) in a row, retrying in {secs} s (last error: {})",
        state.failures,
        state.last_error.as_deref().unwrap_or("unknown")
    )
}

/// Records a delivery (or a permanent reject: the backend answered).
pub fn success(paths: &Paths, backend: &str, now_ms: u64) {
    let state = load(paths, backend);
    let fresh = state
        .last_success
        .is_some_and(|t| now_ms.saturating_sub(t) < SUCCESS_REFRESH_MS);
    if state.failures == 0 && fresh {
        return;
    }
    let _ = update(paths, backend, |s| {
        s.failures = 0;
        s.skip_until = 0;
        s.last_success = Some(now_ms);
        Some(())
    });
}

/// Records a failed attempt (begun at `started_ms`, failed at `now_ms`) and opens
/// the breaker for the next cool-down. Attempts that were already under way when
/// another invocation opened the breaker count as that same failure, so a burst
/// of parallel hooks hitting one outage does not jump to the longest cool-down.
pub fn failure(paths: &Paths, backend: &str, started_ms: u64, now_ms: u64, error: &str) {
    let _ = update(paths, backend, |s| {
        s.last_error = Some(error.chars().take(300).collect());
        s.last_failure = Some(now_ms);
        if s.failures > 0 && started_ms < s.tripped_at {
            return Some(());
        }
        s.failures = s.failures.saturating_add(1);
        s.tripped_at = now_ms;
        s.skip_until = now_ms + cooldown_ms(s.failures, jitter());
        Some(())
    });
}

/// `1 s * 2^(failures-1)` capped at 5 min, scaled by `jitter` (0.8..1.2).
pub fn cooldown_ms(failures: u32, jitter: f64) -> u64 {
    let exp = failures.saturating_sub(1).min(20);
    let base = BASE_MS.saturating_mul(1u64 << exp).min(MAX_MS);
    ((base as f64) * jitter) as u64
}

/// A factor in 0.8..1.2 from the clock's nanoseconds and the pid (no rand crate;
/// it only has to differ between processes).
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mix =
        (nanos as u64 ^ ((std::process::id() as u64) << 17)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    0.8 + ((mix >> 40) % 4001) as f64 / 10_000.0
}

/// Read-modify-write under `<backend>.lock`; `f` returns `None` to leave the file
/// alone (then `Some(None)`). Returns `None` when the state cannot be written.
fn update<T>(
    paths: &Paths,
    backend: &str,
    f: impl FnOnce(&mut State) -> Option<T>,
) -> Option<Option<T>> {
    let _lock = files::lock(&paths.breakers_dir().join(format!("{backend}.lock"))).ok()?;
    let mut state = load(paths, backend);
    let Some(out) = f(&mut state) else {
        return Some(None);
    };
    if files::replace_json(&file(paths, backend), &state).is_err() {
        return None;
    }
    Some(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooldown_doubles_and_caps() {
        assert_eq!(cooldown_ms(1, 1.0), 1_000);
        assert_eq!(cooldown_ms(2, 1.0), 2_000);
        assert_eq!(cooldown_ms(4, 1.0), 8_000);
        assert_eq!(cooldown_ms(30, 1.0), MAX_MS);
        assert_eq!(cooldown_ms(1, 0.8), 800);
        for _ in 0..100 {
            let j = jitter();
            assert!((0.8..=1.2).contains(&j), "{j}");
        }
    }

    #[test]
    fn failure_opens_then_one_probe_then_success_closes() {
        let t = crate::store::testdir::TempDir::new("breaker");
        let p = t.paths();
        assert_eq!(check(&p, "b", 1_000_000, 2_000), Admission::Send);
        failure(&p, "b", 999_000, 1_000_000, "connection refused");
        // A parallel attempt that began before the breaker opened: same outage.
        failure(&p, "b", 999_500, 1_000_010, "connection refused");
        assert_eq!(load(&p, "b").failures, 1);
        assert!(
            matches!(check(&p, "b", 1_000_100, 2_000), Admission::Skip(r) if r.contains("connection refused"))
        );
        // After the longest possible first cool-down: one probe, the others skip.
        assert_eq!(check(&p, "b", 1_002_000, 2_000), Admission::Probe);
        assert!(matches!(
            check(&p, "b", 1_002_001, 2_000),
            Admission::Skip(_)
        ));
        // The probe's failure is a new one: longer cool-down.
        failure(&p, "b", 1_002_000, 1_002_100, "still refused");
        let s = load(&p, "b");
        assert_eq!(s.failures, 2);
        assert!(s.skip_until >= 1_002_100 + 1_600, "{}", s.skip_until);
        success(&p, "b", 1_002_500);
        assert_eq!(check(&p, "b", 1_002_600, 2_000), Admission::Send);
        let s = load(&p, "b");
        assert_eq!(s.failures, 0);
        assert_eq!(s.last_success, Some(1_002_500));
        assert_eq!(s.last_error.as_deref(), Some("still refused"));
    }
}
