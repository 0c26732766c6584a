//! Routing: per backend, whether this event goes out live or to the end of the
//! backend's spool. It is queued when the circuit breaker keeps the backend out
//! (a dead backend costs one small file read, not a timeout), or when older
//! events are still waiting there (order per backend). Gate webhooks are the
//! exception to the second rule: their answer is needed now, so they are asked
//! live even with a non-empty spool; with a tripped breaker a gate counts as
//! unreachable at once and its `on_unreachable` policy applies without waiting.
//!
//! A backend the config file names but that cannot be used as written (`Held`: a
//! field of the wrong type, a bad URL) gets no live attempt: `hold` puts the event
//! at the end of its spool, so that once the file is fixed, `flush` and the next
//! hooks' drains deliver it there in order. A held backend whose name is what
//! is wrong (the name of another backend) waits in a spool named after its
//! endpoint instead (`held_spool_name`), which the backend with that endpoint
//! adopts once the names are fixed (`adopt_held`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::backends::Backend;
use crate::delivery::breaker::{self, Admission};
use crate::protocol::envelope::Envelope;
use crate::store::paths::Paths;
use crate::store::spool::{self, Entry, Head, Kept, Opened, Reader, SpoolConfig};
use crate::util::clock;

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
    /// `breaker::fingerprint` of the backend, worked out at most once per
    /// invocation: it builds and hashes a whole sample request, and the route,
    /// the settling and the held-line check all need it.
    fingerprint: OnceLock<String>,
}

/// Why an event went behind older ones (the drain right after sends them in order).
pub const QUEUED: &str = "queued behind older spooled events";

/// Decides each backend's route: one breaker file read and one spool `readdir`
/// per backend. `probe_window_ms` keeps other invocations off a backend while
/// this one probes it. The breaker is asked about the backend's destination as
/// configured now (`breaker::fingerprint`): a URL or key fixed since the last
/// failure is not held back by the old one's cool-down.
pub fn route(
    backends: &[Arc<dyn Backend>],
    paths: &Paths,
    now_ms: u64,
    probe_window_ms: u64,
) -> Vec<Routed> {
    backends
        .iter()
        .map(|b| {
            let mut routed = Routed::new(Arc::clone(b), Route::Live);
            let fp = || routed.fingerprint().to_string();
            let route = match breaker::check(paths, b.name(), &fp, now_ms, probe_window_ms) {
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
            routed.route = route;
            routed
        })
        .collect()
}

/// While one invocation probes a backend whose cool-down has passed, the others
/// keep skipping it for this long (the probe's deadline plus a margin).
pub fn probe_window_ms(delivery_time: Duration) -> u64 {
    delivery_time.as_millis() as u64 + 1_000
}

impl Routed {
    pub fn new(backend: Arc<dyn Backend>, route: Route) -> Routed {
        Routed {
            backend,
            route,
            fingerprint: OnceLock::new(),
        }
    }

    /// The backend's destination as configured now (`breaker::fingerprint`).
    pub fn fingerprint(&self) -> &str {
        self.fingerprint
            .get_or_init(|| breaker::fingerprint(self.backend.as_ref()))
    }

    /// Was this backend sent the event now (live or as the probe)?
    pub fn attempted(&self) -> bool {
        !matches!(self.route, Route::Queue(_))
    }
}

/// A backend the config file names but cannot use as written: switched off until
/// the file is fixed, while its events wait in the spool of the name it will have.
#[derive(Clone)]
pub struct Held {
    /// Its spool (the backend's name, as far as the file gives it).
    pub name: String,
    /// `config error: <field>: <what>`, kept as each event's `last_error`.
    pub reason: String,
    /// The backend as its readable fields describe it, to pick the events it
    /// wants; `None` (every event) when its event selection itself is unreadable.
    pub selector: Option<Arc<dyn Backend>>,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("name", &self.name)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl Held {
    /// Does this backend get `event` once it is fixed? (When unsure: yes.)
    pub fn wants(&self, event: &str) -> bool {
        self.selector.as_ref().is_none_or(|b| b.wants(event))
    }
}

/// Spools `env` for every held backend that wants it (attempts 0, the config
/// error as its `last_error`). One line per event that went elsewhere (spool
/// full: the dead letters) or could not be written; the local sink has it then.
pub fn hold(
    paths: &Paths,
    spool_config: &SpoolConfig,
    held: &[Held],
    env: &Envelope,
    now_ms: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    for h in held.iter().filter(|h| h.wants(&env.hook_event_name)) {
        let entry = Entry {
            envelope: env.clone(),
            attempts: 0,
            last_error: Some(h.reason.clone()),
            spooled_at: clock::rfc3339_ms(now_ms),
            recovered: false,
        };
        match spool::append(paths, spool_config, &h.name, &entry) {
            Ok(Kept::Spooled) => {}
            Ok(Kept::Overflowed(msg)) => problems.push(msg),
            Err(e) => problems.push(format!(
                "{}: off ({}) and its spool {} could not be written: {e}",
                h.name,
                h.reason,
                spool::dir(paths, &h.name).display()
            )),
        }
    }
    problems
}

/// What held gates say about `env`: a gate held by a config error cannot be asked,
/// which is what `on_unreachable` is for. A fail-closed gate keeps failing
/// closed while its entry is broken (a typo must not open it); a fail-open one
/// has no opinion. (A gate whose `gate` field itself is unreadable is no gate.)
pub fn held_gate_verdicts(held: &[Held], env: &Envelope) -> Vec<crate::protocol::answer::Verdict> {
    let unreachable: Vec<crate::delivery::Delivery> = held
        .iter()
        .filter(|h| h.wants(&env.hook_event_name))
        .filter_map(|h| {
            let gate = h.selector.as_ref()?.gate()?.clone();
            Some(crate::delivery::Delivery {
                backend: h.name.clone(),
                outcome: crate::backends::Outcome::Retry(crate::util::url::mask_urls(&h.reason)),
                answer: None,
                gate: Some(gate),
                retry_after_ms: None,
            })
        })
        .collect();
    crate::delivery::gates::gate_verdicts(env, &unreachable)
}

/// The spool a held backend waits in when its own name cannot be used (another
/// backend has it): named after its endpoint, the part of it a fix of the names
/// leaves alone (`held-` and 16 hex digits of a SHA-256, so no URL or secret
/// shows in the file name).
pub fn held_spool_name(endpoint: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(endpoint.as_bytes());
    format!("held-{}", &crate::util::text::hex(&digest)[..16])
}

/// Moves the events waiting in the endpoint-named spool of each of `backends`
/// (from when its name was a duplicate) to the end of its own spool, so the next
/// route queues behind them and a drain or `flush` sends them first. One `stat`
/// per backend when there is nothing to adopt. Not while that spool is still
/// being held (`held`: the file is still broken). Returns problem lines.
pub fn adopt_held(
    paths: &Paths,
    spool_config: &SpoolConfig,
    backends: &[Arc<dyn Backend>],
    held: &[Held],
) -> Vec<String> {
    let mut problems = Vec::new();
    for b in backends {
        let from = held_spool_name(&b.endpoint());
        if held.iter().any(|h| h.name == from) || !spool::dir(paths, &from).exists() {
            continue;
        }
        let mut reader = match Reader::open(paths, &from, false) {
            Opened::Ready(r) => r,
            // Nothing left (or someone else is moving it): only an empty directory
            // may go, dead letters (spool full) stay visible where they are.
            Opened::Empty => {
                remove_if_empty(paths, &from);
                continue;
            }
            _ => continue,
        };
        let left = loop {
            match reader.head() {
                Head::Entry(e) => match spool::append(paths, spool_config, b.name(), &e) {
                    Ok(Kept::Spooled) => reader.pass(),
                    Ok(Kept::Overflowed(msg)) => {
                        problems.push(msg);
                        reader.pass();
                    }
                    Err(e) => {
                        problems.push(format!(
                            "{}: could not move the events held in {} to its spool: {e}",
                            b.name(),
                            spool::dir(paths, &from).display()
                        ));
                        break true;
                    }
                },
                Head::End { left } => break left,
            }
        };
        reader.finish(left);
        if !left {
            remove_if_empty(paths, &from);
        }
    }
    problems
}

/// Removes an adopted spool once nothing but its bookkeeping files is left.
fn remove_if_empty(paths: &Paths, name: &str) {
    let dir = spool::dir(paths, name);
    let stats = spool::stats(paths, name);
    if stats.events == 0 && stats.dead_letters == 0 {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
