//! Per-destination circuit breaker shared by all invocations through a small state file.
//!
//! `<state>/breakers/<backend>.json` holds failures in a row, when the backend may
//! be tried again, the current error, the last real delivery and the last
//! refusal, and the configuration problem the backend is held by, if any.
//!
//! The state belongs to the backend *and* its destination: the `fingerprint` (16
//! hex digits of a SHA-256 over the request the backend builds for a fixed
//! sample event: URL, headers with their keys and signatures, body) changes
//! when its URL, key or secret does, and a breaker of another fingerprint holds
//! nothing back: `check` starts afresh, so a fixed URL or key is tried on the
//! next event instead of after the old destination's cool-down. Only the hash
//! is stored, never a secret. A file of an older version (no fingerprint) is
//! taken to be the current destination's.
//!
//! A real delivery closes the breaker, sets `last_success` and clears
//! `last_error` and `held`; a refusal (the backend answered, the event was
//! dead-lettered) closes it too but is recorded as `last_refusal`, not as a
//! success. A failure whose error is a configuration problem
//! (`backends::status::config_problem`: 401/403/404/405/407, a moved endpoint, a
//! TLS certificate) sets `held`, which the hook says on every invocation that
//! spools because of it and `status` shows as the reason events wait. Reading it is one small file
//! read; it is rewritten (temp file + rename, under `<backend>.lock`) only when the
//! state changes, so a healthy backend costs no write per event and a dead one
//! costs one read per event instead of a timeout.
//!
//! After the n-th failure in a row the backend is skipped for
//! `1 s * 2^(n-1)`, capped at 5 min, with ±20 % jitter so that many sessions do not
//! probe in lockstep; a `Retry-After` the backend sent (capped at 15 min) makes
//! the cool-down at least that long. When the cool-down has passed, the first
//! invocation to take the lock becomes the probe (the others keep skipping for
//! `probe window`); its success closes the breaker, its failure opens it for the
//! next, longer period.
//!
//! Time: there is no daemon, so a cool-down must be measured across processes.
//! Each skip period is stored three ways: its length (`cooldown_ms`), its end on
//! the boot clock with the boot's id (`boot_id`, `boot_until`: monotonic, immune
//! to wall-clock steps, see `util::clock`), and its end on the wall clock
//! (`open_until`, for people and for a file read after a reboot). The boot clock
//! decides when it can; otherwise the wall clock does, except that a skip with
//! more time left than its whole length means the clock was set back since, and
//! it is over. So a clock step in either direction never holds a backend back
//! for longer than one cool-down. Wall times in the file are for display only.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::backends::Backend;
use crate::backends::status::{self, RETRY_AFTER_CAP_MS};
use crate::store::files;
use crate::store::paths::Paths;
use crate::util::clock::{self, Boot};

/// First cool-down after a failure.
pub const BASE_MS: u64 = 1_000;
/// Longest cool-down of the breaker's own schedule: a backend back after an
/// outage is noticed within 5 minutes.
pub const MAX_MS: u64 = 5 * 60 * 1_000;
/// Longest skip of any kind: the longest `Retry-After` honoured (which is longer
/// than `MAX_MS` with its jitter).
pub const MAX_SKIP_MS: u64 = RETRY_AFTER_CAP_MS;
/// A successful delivery refreshes `last_success` on disk at most this often.
const SUCCESS_REFRESH_MS: u64 = 5_000;

/// What is on disk for one backend.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct State {
    /// Failures in a row (0: closed).
    pub failures: u32,
    /// Epoch ms before which the backend is skipped (on disk: `open_until`).
    /// Wall clock: shown to people, and the fallback when the boot clock
    /// cannot decide (another boot, no `/proc`).
    #[serde(rename = "open_until")]
    pub skip_until: u64,
    /// How long the current skip period lasts (cool-down or probe window), in
    /// ms; 0 in files written by older versions.
    pub cooldown_ms: u64,
    /// The boot the skip period was measured on, and its end on that boot's
    /// clock (`util::clock::boot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_until: Option<u64>,
    /// When the current open period began: attempts that started before it
    /// failed in the same outage and do not lengthen the cool-down.
    #[serde(rename = "opened_at")]
    pub tripped_at: u64,
    /// The error of the current run of failures; cleared by a real delivery
    /// (`last_failure` keeps its time).
    pub last_error: Option<String>,
    /// The last real delivery (a refusal is not one).
    pub last_success: Option<u64>,
    pub last_failure: Option<u64>,
    /// The last answer that refused an event (a dead letter), and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_refusal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_refusal_at: Option<u64>,
    /// The configuration problem events are held by (the last failure was one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// The destination this state is about (`fingerprint`); `None` in files of
    /// older versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl State {
    /// How long the backend is still skipped, in ms (0: it may be tried), with
    /// the wall clock at `now_ms` and the boot clock at `boot`. See the module
    /// doc: the boot clock decides when the file was written on this boot; else
    /// the wall clock, where more time left than the whole period means the
    /// clock went back since the period began, so it is over.
    pub fn remaining_ms(&self, now_ms: u64, boot: Option<&Boot>) -> u64 {
        if self.failures == 0 {
            return 0;
        }
        let length = self.length_ms();
        if let (Some(b), Some(id), Some(until)) = (boot, &self.boot_id, self.boot_until)
            && *id == b.id
        {
            return until.saturating_sub(b.ms).min(length);
        }
        let left = self.skip_until.saturating_sub(now_ms);
        match left {
            _ if self.cooldown_ms == 0 => left.min(length),
            l if l > length => 0,
            l => l,
        }
    }

    /// The length of the current skip period. A file of an older version does
    /// not say: the longest skip there is (`check` then stores that length, so
    /// even such a file ends within one cool-down after a clock step).
    fn length_ms(&self) -> u64 {
        if self.cooldown_ms > 0 {
            self.cooldown_ms
        } else {
            MAX_SKIP_MS
        }
    }

    /// Starts a skip period of `ms` from now, on both clocks.
    fn skip_for(&mut self, ms: u64, now_ms: u64, boot: Option<&Boot>) {
        self.cooldown_ms = ms.max(1);
        self.skip_until = now_ms.saturating_add(ms);
        self.boot_id = boot.map(|b| b.id.clone());
        self.boot_until = boot.map(|b| b.ms.saturating_add(ms));
    }

    /// When the backend will be tried again, as a wall-clock time to show.
    pub fn retry_at_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_add(self.remaining_ms(now_ms, clock::boot().as_ref()))
    }

    /// Is this state about the destination with fingerprint `fp`? (A file of an
    /// older version does not say: it is taken to be.)
    pub fn is_for(&self, fp: &str) -> bool {
        self.fingerprint.as_deref().is_none_or(|f| f == fp)
    }

    /// The state as it applies to destination `fp`: another destination's is a
    /// fresh start (only what it is about is kept).
    fn for_destination(self, fp: &str) -> State {
        if self.is_for(fp) {
            State {
                fingerprint: Some(fp.to_string()),
                ..self
            }
        } else {
            State {
                fingerprint: Some(fp.to_string()),
                ..State::default()
            }
        }
    }
}

/// The sample event a destination's fingerprint is taken over: fixed, so the
/// same configuration always gives the same request (requests are pure).
fn sample(event: &str) -> crate::protocol::envelope::Envelope {
    serde_json::from_value(serde_json::json!({
        "id": "00000000-0000-4000-8000-000000000000",
        "ts": "2026-01-01T00:00:00.000Z",
        "hook_event_name": event,
        "session_id": "fingerprint",
        "input": {
            "session_id": "fingerprint", "hook_event_name": event, "cwd": "/",
            "prompt": "p", "last_assistant_message": "m", "reason": "other",
            "tool_name": "t", "tool_input": {}, "error": "e"
        },
        "hookrelay": {"version": "0"},
        "host": {"name": "h", "user": "u", "os": "o", "arch": "a"}
    }))
    .expect("the sample envelope is valid")
}

/// 16 hex digits of a SHA-256 over what reaches `backend`'s destination: the
/// request it builds for the first sample event it maps (URL, headers with any
/// key or signature, body), else its endpoint. A changed URL, key or secret
/// changes it; the secrets themselves cannot be read back from it.
pub fn fingerprint(backend: &dyn Backend) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let request = crate::protocol::events::names().find_map(|e| backend.request(&sample(e)));
    match request {
        Some(r) => {
            for part in [r.method.as_bytes(), r.url.as_bytes()] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
            for (k, v) in &r.headers {
                for part in [k.as_bytes(), v.as_bytes()] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part);
                }
            }
            h.update(&r.body);
        }
        None => h.update(backend.endpoint().as_bytes()),
    }
    crate::util::text::hex(&h.finalize())[..16].to_string()
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
        } else if state.remaining_ms(now_ms, clock::boot().as_ref()) > 0 {
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

/// Decides whether this invocation sends to `backend`, whose destination has
/// fingerprint `fp()` (asked only when the breaker is not closed). `probe_window_ms` is how long the others keep skipping
/// while this invocation probes. A breaker of another destination (the URL or
/// key was changed since) holds nothing back: the file starts afresh for `fp`,
/// so that what follows (a drain's failure) counts for the new destination.
pub fn check(
    paths: &Paths,
    backend: &str,
    fp: &dyn Fn() -> String,
    now_ms: u64,
    probe_window_ms: u64,
) -> Admission {
    let mut state = load(paths, backend);
    if state.failures == 0 {
        return Admission::Send;
    }
    let fp = fp();
    let fp = fp.as_str();
    if state.fingerprint.as_deref() != Some(fp) {
        // Another destination's (or not yet stamped): from now on, this one's.
        let _ = update(paths, backend, |s| {
            *s = std::mem::take(s).for_destination(fp);
            Some(())
        });
        state = load(paths, backend);
        if state.failures == 0 {
            return Admission::Send;
        }
    }
    let boot = clock::boot();
    decide(
        paths,
        backend,
        state,
        now_ms,
        boot.as_ref(),
        probe_window_ms,
    )
}

/// `check` past the closed fast path, with the boot clock read at `boot`.
fn decide(
    paths: &Paths,
    backend: &str,
    state: State,
    now_ms: u64,
    boot: Option<&Boot>,
    probe_window_ms: u64,
) -> Admission {
    let left = state.remaining_ms(now_ms, boot);
    if left > 0 && state.cooldown_ms > 0 {
        return Admission::Skip(skip_reason(&state, left));
    }
    // Cool-down over: whoever re-reads it still expired under the lock probes.
    // (A file of an older version is first given a length, so that it too
    // ends within one cool-down whatever the clock does next.)
    let won = update(paths, backend, |s| {
        if s.failures == 0 {
            return Some(Admission::Send);
        }
        let left = s.remaining_ms(now_ms, boot);
        if left > 0 {
            if s.cooldown_ms > 0 {
                return None;
            }
            s.skip_for(left, now_ms, boot);
            return Some(Admission::Skip(skip_reason(s, left)));
        }
        s.skip_for(probe_window_ms, now_ms, boot);
        Some(Admission::Probe)
    });
    match won {
        Some(Some(g)) => g,
        Some(None) => {
            let s = load(paths, backend);
            Admission::Skip(skip_reason(&s, s.remaining_ms(now_ms, boot)))
        }
        // The state file cannot be written: better to try than to skip forever.
        None => Admission::Probe,
    }
}

fn skip_reason(state: &State, left_ms: u64) -> String {
    format!(
        "circuit breaker open after {} failure(s) in a row, retrying in {} s (last error: {})",
        state.failures,
        left_ms.div_ceil(1000),
        state.last_error.as_deref().unwrap_or("unknown")
    )
}

/// The configuration problem `backend`'s events are held by, when its breaker
/// file (for destination `fp`) says so.
pub fn held(paths: &Paths, backend: &str, fp: &str) -> Option<String> {
    let state = load(paths, backend);
    let current = state.is_for(fp);
    state.held.filter(|_| current)
}

/// Closes the breaker (the backend answered).
fn close(s: &mut State) {
    s.failures = 0;
    s.skip_until = 0;
    s.cooldown_ms = 0;
    s.boot_id = None;
    s.boot_until = None;
    s.held = None;
}

/// Records a real delivery by the current destination (a drain's, or `flush`'s:
/// the file was stamped by the hook's `check`).
pub fn success(paths: &Paths, backend: &str, now_ms: u64) {
    record_success(paths, backend, None, now_ms);
}

/// Records a real delivery to destination `fp` (a live attempt).
pub fn success_for(paths: &Paths, backend: &str, fp: &dyn Fn() -> String, now_ms: u64) {
    record_success(paths, backend, Some(fp), now_ms);
}

fn record_success(paths: &Paths, backend: &str, fp: Option<&dyn Fn() -> String>, now_ms: u64) {
    let state = load(paths, backend);
    // A `last_success` in the future (the clock went back) is not fresh.
    let fresh = state
        .last_success
        .is_some_and(|t| t <= now_ms && now_ms - t < SUCCESS_REFRESH_MS);
    // Closed, fresh and without an error: nothing to write. Not even the
    // destination's stamp: a closed breaker holds nothing back whichever
    // destination it was stamped for, and the first failure re-stamps it
    // (`record_failure`). So the fingerprint (a whole sample request, hashed)
    // is not worked out on the healthy path.
    if state.failures == 0 && fresh && state.last_error.is_none() {
        return;
    }
    let fp = fp.map(|f| f());
    let _ = update(paths, backend, |s| {
        if let Some(f) = &fp {
            *s = std::mem::take(s).for_destination(f);
        }
        close(s);
        s.last_error = None;
        s.last_success = Some(now_ms);
        Some(())
    });
}

/// Records that the backend refused an event (now a dead letter): it answered,
/// so the breaker closes and the configuration is fine (`held` and the current
/// error are over), but nothing was delivered, so `last_success` stays.
pub fn refused(paths: &Paths, backend: &str, fp: Option<&str>, now_ms: u64, answer: &str) {
    let _ = update(paths, backend, |s| {
        if let Some(f) = fp {
            *s = std::mem::take(s).for_destination(f);
        }
        close(s);
        s.last_error = None;
        s.last_refusal = Some(answer.chars().take(300).collect());
        s.last_refusal_at = Some(now_ms);
        Some(())
    });
}

/// Records a failed attempt (begun at `started_ms`, failed at `now_ms`) and opens
/// the breaker for the next cool-down, or for `wait_ms` (the backend's capped
/// `Retry-After`) when that is longer. Attempts that were already under way when
/// another invocation opened the breaker count as that same failure, so a burst
/// of parallel hooks hitting one outage does not jump to the longest cool-down.
pub fn failure(
    paths: &Paths,
    backend: &str,
    started_ms: u64,
    now_ms: u64,
    error: &str,
    wait_ms: Option<u64>,
) {
    let boot = clock::boot();
    let at = Failed {
        started_ms,
        now_ms,
        error,
        wait_ms,
    };
    record_failure(paths, backend, None, &at, boot.as_ref());
}

/// `failure` of a live attempt to destination `fp`: a file about another
/// destination starts afresh.
pub fn failure_for(paths: &Paths, backend: &str, fp: &str, at: &Failed) {
    let boot = clock::boot();
    record_failure(paths, backend, Some(fp), at, boot.as_ref());
}

/// One failed attempt: when it began and failed, why, and the backend's
/// capped `Retry-After`.
#[derive(Clone, Copy, Debug)]
pub struct Failed<'a> {
    pub started_ms: u64,
    pub now_ms: u64,
    pub error: &'a str,
    pub wait_ms: Option<u64>,
}

/// `failure` with the boot clock read at `boot`.
fn record_failure(
    paths: &Paths,
    backend: &str,
    fp: Option<&str>,
    at: &Failed,
    boot: Option<&Boot>,
) {
    let Failed {
        started_ms,
        now_ms,
        error,
        wait_ms,
    } = *at;
    let _ = update(paths, backend, |s| {
        if let Some(f) = fp {
            *s = std::mem::take(s).for_destination(f);
        }
        s.held = status::config_problem(error).map(|p| p.chars().take(300).collect());
        let mut error: String = error.chars().take(300).collect();
        if let Some(w) = wait_ms {
            error.push_str(&format!(" (Retry-After: waiting {} s)", w.div_ceil(1000)));
        }
        s.last_error = Some(error);
        s.last_failure = Some(now_ms);
        // An `opened_at` in the future means the clock went back since: then
        // nothing tells the outages apart, and this counts as a new failure.
        if s.failures > 0 && started_ms < s.tripped_at && s.tripped_at <= now_ms {
            // Still, a longer wait the backend asked for is honoured.
            if let Some(w) = wait_ms
                && w > s.remaining_ms(now_ms, boot)
            {
                s.skip_for(w, now_ms, boot);
            }
            return Some(());
        }
        s.failures = s.failures.saturating_add(1);
        s.tripped_at = now_ms;
        let own = cooldown_ms(s.failures, jitter());
        s.skip_for(wait_ms.map_or(own, |w| w.max(own)), now_ms, boot);
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

    fn record(
        p: &Paths,
        b: &str,
        started_ms: u64,
        now_ms: u64,
        error: &str,
        wait_ms: Option<u64>,
        boot: Option<&Boot>,
    ) {
        let at = Failed {
            started_ms,
            now_ms,
            error,
            wait_ms,
        };
        record_failure(p, b, None, &at, boot);
    }

    /// On the wall clock alone (another boot, or no /proc): a skip lasts its
    /// full length from the moment it opens, and a clock set back by more than
    /// that length ends it at once instead of holding the backend back.
    #[test]
    fn a_wall_clock_skip_lasts_its_length_and_a_step_back_ends_it() {
        let now = 1_000_000_000;
        let open = |cooldown_ms: u64, skip_until: u64| State {
            failures: 1,
            cooldown_ms,
            skip_until,
            ..State::default()
        };
        assert_eq!(open(2_000, now + 2_000).remaining_ms(now, None), 2_000);
        assert_eq!(open(2_000, now + 1_500).remaining_ms(now, None), 1_500);
        // Opened 2 s long, and the clock went back 10 minutes since.
        assert_eq!(open(2_000, now + 600_000).remaining_ms(now, None), 0);
    }

    /// `status` shows when the backend last took an event: refreshed at most
    /// every 5 s (no write per event), but refreshed.
    #[test]
    fn last_success_is_refreshed_but_not_on_every_event() {
        let t = crate::store::testdir::TempDir::new("breaker-fresh");
        let p = t.paths();
        let t0 = 1_000_000_000;
        success(&p, "b", t0);
        success(&p, "b", t0 + 1_000);
        assert_eq!(load(&p, "b").last_success, Some(t0), "fresh: no write");
        success(&p, "b", t0 + 6_000);
        assert_eq!(load(&p, "b").last_success, Some(t0 + 6_000));
    }

    #[test]
    fn cooldown_doubles_and_caps() {
        assert_eq!(cooldown_ms(1, 1.0), 1_000);
        assert_eq!(cooldown_ms(2, 1.0), 2_000);
        assert_eq!(cooldown_ms(4, 1.0), 8_000);
        // The documented schedule (docs/spool.md), not the constant: 5 minutes at
        // most, reached at the 10th failure in a row.
        assert_eq!(cooldown_ms(9, 1.0), 256_000);
        assert_eq!(cooldown_ms(10, 1.0), 300_000);
        assert_eq!(cooldown_ms(30, 1.0), 300_000);
        assert_eq!(cooldown_ms(1, 0.8), 800);
        let mut seen = Vec::new();
        for _ in 0..100 {
            let j = jitter();
            assert!((0.8..=1.2).contains(&j), "{j}");
            seen.push(j);
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
        // Sessions must not probe in lockstep: the factor varies.
        seen.sort_by(f64::total_cmp);
        seen.dedup();
        assert!(seen.len() > 10, "{seen:?}");
    }

    const DAY: u64 = 86_400_000;

    /// `check` with the wall clock at `now` and the boot clock at `boot`.
    fn chk(p: &Paths, now: u64, boot: Option<&Boot>) -> Admission {
        decide(p, "b", load(p, "b"), now, boot, 2_000)
    }

    fn fail(p: &Paths, now: u64, wait: Option<u64>, boot: Option<&Boot>) {
        record(p, "b", now - 100, now, "refused", wait, boot);
    }

    fn boot_at(id: &str, ms: u64) -> Boot {
        Boot { id: id.into(), ms }
    }

    fn skips(a: &Admission) -> bool {
        matches!(a, Admission::Skip(_))
    }

    #[test]
    fn failure_opens_then_one_probe_then_success_closes() {
        let t = crate::store::testdir::TempDir::new("breaker");
        let p = t.paths();
        assert_eq!(
            check(&p, "b", &|| "fp".into(), 1_000_000, 2_000),
            Admission::Send
        );
        record(
            &p,
            "b",
            999_000,
            1_000_000,
            "connection refused",
            None,
            None,
        );
        // A parallel attempt that began before the breaker opened: same outage.
        record(
            &p,
            "b",
            999_500,
            1_000_010,
            "connection refused",
            None,
            None,
        );
        assert_eq!(load(&p, "b").failures, 1);
        assert!(
            matches!(chk(&p, 1_000_100, None), Admission::Skip(r) if r.contains("connection refused"))
        );
        // After the longest possible first cool-down: one probe, the others skip.
        assert_eq!(chk(&p, 1_002_000, None), Admission::Probe);
        assert!(skips(&chk(&p, 1_002_001, None)));
        // The probe's failure is a new one: longer cool-down.
        record(&p, "b", 1_002_000, 1_002_100, "still refused", None, None);
        let s = load(&p, "b");
        assert_eq!(s.failures, 2);
        assert!(s.skip_until >= 1_002_100 + 1_600, "{}", s.skip_until);
        assert_eq!(s.cooldown_ms, s.skip_until - 1_002_100);
        success(&p, "b", 1_002_500);
        assert_eq!(chk(&p, 1_002_600, None), Admission::Send);
        let s = load(&p, "b");
        assert_eq!(s.failures, 0);
        assert_eq!(s.last_success, Some(1_002_500));
        assert_eq!(s.last_error, None, "a delivery ends the error");
        assert_eq!(s.last_failure, Some(1_002_100), "its time stays");
    }

    #[test]
    fn a_clock_set_back_after_opening_ends_the_cool_down_at_once() {
        let t = crate::store::testdir::TempDir::new("breaker-back");
        let p = t.paths();
        let now = 1_795_308_638_000;
        // Opened while the clock was 10 days ahead, without a usable boot clock
        // (no /proc, or the file is from before a reboot).
        fail(&p, now + 10 * DAY, None, None);
        assert!(load(&p, "b").skip_until > now + 10 * DAY);
        assert_eq!(chk(&p, now, None), Admission::Probe, "not 10 days");
        // Same with a boot clock from another boot than the file's.
        success(&p, "b", now);
        fail(&p, now + 10 * DAY, None, Some(&boot_at("old", 5_000)));
        assert_eq!(chk(&p, now, Some(&boot_at("new", 9_000))), Admission::Probe);
        // A parallel failure that "started before" an opening 10 days ahead is
        // not the same outage: the cool-down still grows.
        record(&p, "b", now - 50, now, "x", None, None);
        assert_eq!(load(&p, "b").failures, 2);
    }

    #[test]
    fn on_one_boot_the_boot_clock_decides_whatever_the_wall_clock_does() {
        let t = crate::store::testdir::TempDir::new("breaker-boot");
        let p = t.paths();
        let now = 1_795_308_638_000;
        fail(&p, now, Some(60_000), Some(&boot_at("b1", 1_000_000)));
        // The wall clock jumps 10 days ahead 1 s later: still 59 s to go.
        let a = chk(&p, now + 10 * DAY, Some(&boot_at("b1", 1_001_000)));
        assert!(
            matches!(&a, Admission::Skip(r) if r.contains("retrying in 59 s")),
            "{a:?}"
        );
        // ... or 10 days back: the same.
        assert!(skips(&chk(
            &p,
            now - 10 * DAY,
            Some(&boot_at("b1", 1_030_000))
        )));
        // The boot clock reaches the end: the probe, whatever the wall says.
        assert_eq!(
            chk(&p, now - 10 * DAY, Some(&boot_at("b1", 1_060_001))),
            Admission::Probe
        );
    }

    #[test]
    fn retry_after_sets_the_cool_down_and_is_shown() {
        let t = crate::store::testdir::TempDir::new("breaker-ra");
        let p = t.paths();
        let now = 1_795_308_638_000;
        fail(&p, now, Some(120_000), None);
        let s = load(&p, "b");
        assert_eq!((s.failures, s.cooldown_ms), (1, 120_000));
        assert!(s.last_error.unwrap().contains("Retry-After: waiting 120 s"));
        let a = chk(&p, now + 1_500, None);
        assert!(
            matches!(&a, Admission::Skip(r) if r.contains("retrying in 119 s")),
            "{a:?}"
        );
        assert!(skips(&chk(&p, now + 119_000, None)));
        assert_eq!(chk(&p, now + 120_001, None), Admission::Probe);
        // A wait shorter than the breaker's own schedule does not shorten it.
        fail(&p, now + 120_100, Some(0), None);
        assert!(load(&p, "b").cooldown_ms >= 1_600);
        // A parallel attempt of the same outage still brings its longer wait.
        record(
            &p,
            "b",
            now + 120_000,
            now + 120_200,
            "429",
            Some(300_000),
            None,
        );
        let s = load(&p, "b");
        assert_eq!((s.failures, s.cooldown_ms), (2, 300_000));
    }

    #[test]
    fn a_file_of_an_older_version_ends_within_the_longest_skip() {
        let t = crate::store::testdir::TempDir::new("breaker-legacy");
        let p = t.paths();
        let now = 1_795_308_638_000;
        // No cooldown_ms: written before lengths were stored, 10 days ahead.
        files::replace_json(
            &file(&p, "b"),
            &serde_json::json!({"failures": 3, "open_until": now + 10 * DAY}),
        )
        .unwrap();
        let a = chk(&p, now, None);
        assert!(
            matches!(&a, Admission::Skip(r) if r.contains("retrying in 900 s")),
            "{a:?}"
        );
        assert_eq!(load(&p, "b").cooldown_ms, MAX_SKIP_MS, "given a length");
        assert!(skips(&chk(&p, now + MAX_SKIP_MS - 1, None)));
        assert_eq!(chk(&p, now + MAX_SKIP_MS, None), Admission::Probe);
    }

    #[test]
    fn a_last_success_in_the_future_is_refreshed() {
        let t = crate::store::testdir::TempDir::new("breaker-success");
        let p = t.paths();
        let now = 1_795_308_638_000;
        success(&p, "b", now + 10 * DAY);
        success(&p, "b", now);
        assert_eq!(load(&p, "b").last_success, Some(now));
        success(&p, "b", now + 1_000);
        assert_eq!(load(&p, "b").last_success, Some(now), "fresh: no write");
    }

    #[test]
    fn another_destinations_breaker_holds_nothing_back() {
        let t = crate::store::testdir::TempDir::new("breaker-fp");
        let p = t.paths();
        let now = 1_795_308_638_000;
        let held = "401: check $KEY (events are held in the spool until this is fixed)";
        let at = Failed {
            started_ms: now - 10,
            now_ms: now,
            error: held,
            wait_ms: None,
        };
        failure_for(&p, "b", "old", &at);
        assert!(skips(&check(&p, "b", &|| "old".into(), now + 10, 2_000)));
        assert_eq!(held_of(&p, "old").as_deref(), Some("401: check $KEY"));
        // The key was fixed: the new destination is tried at once, the file is
        // its own from now on (a drain's failure counts for it), and the old
        // problem is not reported for it.
        assert_eq!(
            check(&p, "b", &|| "new".into(), now + 20, 2_000),
            Admission::Send
        );
        let s = load(&p, "b");
        assert_eq!((s.failures, s.fingerprint.as_deref()), (0, Some("new")));
        assert_eq!(held_of(&p, "new"), None);
        failure(&p, "b", now + 30, now + 40, "connection refused", None);
        assert!(skips(&check(&p, "b", &|| "new".into(), now + 50, 2_000)));
        assert_eq!(held_of(&p, "new"), None, "a routine failure is not held");
    }

    fn held_of(p: &Paths, fp: &str) -> Option<String> {
        held(p, "b", fp)
    }

    #[test]
    fn a_refusal_closes_the_breaker_but_is_no_success() {
        let t = crate::store::testdir::TempDir::new("breaker-refused");
        let p = t.paths();
        let now = 1_795_308_638_000;
        fail(&p, now, None, None);
        refused(&p, "b", None, now + 5, "422 bad field");
        let s = load(&p, "b");
        assert_eq!((s.failures, s.last_success), (0, None));
        assert_eq!(s.last_refusal.as_deref(), Some("422 bad field"));
        assert_eq!((s.last_refusal_at, s.last_error), (Some(now + 5), None));
        success(&p, "b", now + 10);
        assert_eq!(load(&p, "b").last_success, Some(now + 10));
    }

    #[test]
    fn the_fingerprint_follows_url_and_key() {
        let fp = |url: &str, key: &str| {
            let c: crate::backends::webhook::WebhookConfig =
                serde_json::from_value(serde_json::json!({"url": url, "api_key": key})).unwrap();
            fingerprint(&crate::backends::webhook::Webhook::new(c, 0))
        };
        let a = fp("http://127.0.0.1:1/events", "k-fake-a");
        assert_eq!(a.len(), 16);
        assert_eq!(a, fp("http://127.0.0.1:1/events", "k-fake-a"), "stable");
        assert_ne!(a, fp("http://127.0.0.1:1/events", "k-fake-b"), "a new key");
        assert_ne!(a, fp("http://127.0.0.1:2/events", "k-fake-a"), "a new URL");
    }
}
