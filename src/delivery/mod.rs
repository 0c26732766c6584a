//! Delivery: getting an event to every backend that wants it, within one
//! deadline, and keeping what did not get through.
//!
//! `route` decides per backend whether the event goes out live, as the breaker's
//! probe, or straight to the spool; `fanout` sends the live ones in parallel;
//! `settle` spools or dead-letters what was not delivered and tells the
//! `breaker`; `replay` drains spools and re-drives dead letters; `transport` is
//! the HTTP client. Storage itself is `store::spool`.

pub mod breaker;
pub mod fanout;
pub mod gates;
pub mod replay;
pub mod route;
pub mod settle;
pub mod transport;

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use crate::protocol::events;

use serde::Deserialize;

pub use fanout::{Delivery, fan_out, send, try_once};
pub use route::{Held, QUEUED, Route, Routed, hold, route};

/// Bounds of `delivery.deadline_ms` and `delivery.session_end_deadline_ms`. The
/// floor: below it not even a loopback backend answers once process start-up,
/// git and redaction have used their share (0 would spool every event). The cap:
/// the hook holds Claude Code for up to this long on every event while a backend
/// hangs, and `install` writes Claude Code's `timeout` as this plus 2 s, so 10 s
/// keeps every registered timeout at 12 s or less (Claude Code's own default is
/// 600 s, which is what an unbounded value amounted to).
pub const DEADLINE_MS: RangeInclusive<u64> = 100..=10_000;
/// Bounds of `delivery.connect_timeout_ms`: a connect (with TLS) needs some tens of
/// ms even on a good network; beyond 10 s the deadline has long cut it anyway.
pub const CONNECT_TIMEOUT_MS: RangeInclusive<u64> = 50..=10_000;
/// Bounds of `delivery.drain_budget_ms`: 0 replays one event per invocation; the
/// drain runs after the answer but before the hook exits, inside the 2 s margin
/// `install` leaves between the deadline and Claude Code's `timeout`.
pub const DRAIN_BUDGET_MS: RangeInclusive<u64> = 0..=2_000;

/// Time limits of one invocation (the `delivery` section of the config). See
/// README "Deadlines" for why these numbers. The config loader reads each field
/// on its own and keeps it within the bounds above (`config::parse`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Overall deadline for all backends of one event, in milliseconds.
    pub deadline_ms: u64,
    /// Deadline for SessionEnd, whose hooks share Claude Code's 1.5 s budget.
    pub session_end_deadline_ms: u64,
    /// TCP (and TLS) connect timeout per backend, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time an invocation may spend replaying a backend's spool once it is healthy.
    pub drain_budget_ms: u64,
    /// Start a detached background drainer for what that budget leaves
    /// (`commands::drain`, docs/spool.md "Recovery without anyone").
    pub background_drain: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            deadline_ms: 1000,
            session_end_deadline_ms: 1000,
            connect_timeout_ms: 300,
            drain_budget_ms: 50,
            background_drain: true,
        }
    }
}

/// Bodies up to this size fit in the plain deadline.
const SMALL_BODY_BYTES: u64 = 1024 * 1024;
/// The upload rate a large body is given time for: a remote VM posting to a
/// collector across the internet still manages this.
const UPLOAD_BYTES_PER_S: u64 = 4 * 1024 * 1024;

/// The extra time a body of `bytes` needs on the wire (zero up to 1 MiB).
pub fn upload_allowance(bytes: usize) -> Duration {
    let over = (bytes as u64).saturating_sub(SMALL_BODY_BYTES);
    Duration::from_millis(over.saturating_mul(1000) / UPLOAD_BYTES_PER_S)
}

impl DeliveryConfig {
    /// The deadline of one `event`, in ms. SessionEnd's hooks share Claude Code's
    /// 1.5 s budget, so its own (shorter) deadline applies, never a longer one
    /// than the general deadline; everything else gets the configured deadline.
    /// The hook, `install` (hook timeouts) and `doctor` all use this one formula.
    pub fn event_deadline_ms(&self, event: &str) -> u64 {
        if events::spec_of(event).is_some_and(|s| s.shared_exit_budget) {
            self.session_end_deadline_ms.min(self.deadline_ms.max(1))
        } else {
            self.deadline_ms
        }
    }

    /// `event_deadline_ms` as a duration.
    pub fn event_deadline(&self, event: &str) -> Duration {
        Duration::from_millis(self.event_deadline_ms(event))
    }

    /// When this event's delivery must be over. Ordinarily `started` plus its
    /// deadline. A large body (over 1 MiB) also gets the time it needs on the
    /// wire at 4 MiB/s, counted from now (reading, redacting and enriching 20 MB
    /// take time of their own), so a big `Write` or tool output is not cut off by
    /// a deadline meant for small events; never past `limit` (Claude Code's
    /// timeout for the hook, less the margin to spool what is late).
    pub fn deadline(
        &self,
        event: &str,
        started: Instant,
        body_bytes: usize,
        limit: Instant,
    ) -> Instant {
        let time = self.event_deadline(event);
        let plain = started + time;
        let extra = upload_allowance(body_bytes);
        if extra.is_zero() {
            return plain;
        }
        (Instant::now() + time + extra).min(limit).max(plain)
    }

    /// The connect timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_body_gets_its_upload_time_within_the_hooks_limit() {
        assert_eq!(upload_allowance(0), Duration::ZERO);
        assert_eq!(upload_allowance(1024 * 1024), Duration::ZERO);
        assert_eq!(upload_allowance(5 * 1024 * 1024), Duration::from_secs(1));
        assert_eq!(upload_allowance(21 * 1024 * 1024), Duration::from_secs(5));
        let d = DeliveryConfig::default();
        let started = Instant::now();
        let far = started + Duration::from_secs(3600);
        let plain = started + d.event_deadline("Stop");
        assert_eq!(
            d.deadline("Stop", started, 1000, far),
            plain,
            "small: as ever"
        );
        let big = d.deadline("Stop", started, 9 * 1024 * 1024, far);
        assert!(big >= plain + Duration::from_secs(2), "{:?}", big - started);
        let near = started + Duration::from_millis(1500);
        assert_eq!(d.deadline("Stop", started, 90 << 20, near), near, "capped");
        let before = started + Duration::from_millis(10);
        assert_eq!(
            d.deadline("Stop", started, 90 << 20, before),
            plain,
            "never shorter"
        );
    }
}
