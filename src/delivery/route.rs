//! Routing: per backend, whether this event goes out live or to the end of the
//! backend's spool. It is queued when the circuit breaker keeps the backend out
//! (a dead backend costs one small file read, not a timeout), or when older
//! events are still waiting there (order per backend). Gate webhooks are the
//! exception to the second rule: their answer is needed now, so they are asked
//! live even with a non-empty spool; with a tripped breaker a gate counts as
//! unreachable at once and its `on_unreachable` policy applies without waiting.

use std::sync::Arc;
use std::time::Duration;

use crate::backends::Backend;
use crate::delivery::breaker::{self, Admission};
use crate::store::paths::Paths;
use crate::store::spool;

/// How one backend gets this event.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// Send now.
    Live,
    /// Send now as the breaker's half-open probe.
    Probe,
    /// Straight to the end of the spool, for this reason (breaker open, or
    /// older events waiting, which a drain sends first).
    Queue(String),
}

/// A backend and its route for this event.
#[derive(Clone)]
pub struct Routed {
    pub backend: Arc<dyn Backend>,
    pub route: Route,
}

/// Why an event went behind older ones (the drain right after sends them in order).
pub const QUEUED: &str = "queued behind older spooled events";

/// Decides each backend's route: one breaker file read and one spool `readdir`
/// per backend. `probe_window_ms` keeps other invocations off a backend while
/// this one probes it.
pub fn route(
    backends: &[Arc<dyn Backend>],
    paths: &Paths,
    now_ms: u64,
    probe_window_ms: u64,
) -> Vec<Routed> {
    backends
        .iter()
        .map(|b| {
            let route = match breaker::check(paths, b.name(), now_ms, probe_window_ms) {
                Admission::Skip(why) => Route::Queue(why),
                _ if b.gate().is_some() => Route::Live,
                Admission::Probe if spool::has_pending(paths, b.name()) => {
                    Route::Queue(QUEUED.into())
                }
                Admission::Probe => Route::Probe,
                Admission::Send if spool::has_pending(paths, b.name()) => {
                    Route::Queue(QUEUED.into())
                }
                Admission::Send => Route::Live,
            };
            Routed {
                backend: Arc::clone(b),
                route,
            }
        })
        .collect()
}

/// While one invocation probes a backend whose cool-down has passed, the others
/// keep skipping it for this long (the probe's deadline plus a margin).
pub fn probe_window_ms(delivery_time: Duration) -> u64 {
    delivery_time.as_millis() as u64 + 1_000
}

impl Routed {
    /// Was this backend sent the event now (live or as the probe)?
    pub fn attempted(&self) -> bool {
        !matches!(self.route, Route::Queue(_))
    }
}
