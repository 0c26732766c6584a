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
use std::time::Duration;

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
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            deadline_ms: 1000,
            session_end_deadline_ms: 1000,
            connect_timeout_ms: 300,
            drain_budget_ms: 50,
        }
    }
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

    /// The connect timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}
