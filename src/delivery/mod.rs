//! Fan-out: every backend that wants the event gets it at the same time, one
//! thread each, under one overall deadline, so the slowest backend (not the sum)
//! sets the cost and a hanging one never holds Claude Code past the deadline.
//!
//! Before that, `route` decides per backend whether the event goes out live or
//! to the end of the backend's spool: when its circuit breaker is open (a dead
//! backend costs one small file read, not a timeout), or when older events are
//! still waiting there (order per backend). Gates are the exception to the
//! second rule: their answer is needed now, so they are asked live even with a
//! non-empty spool; with an open breaker a gate counts as unreachable at once and
//! its `on_unreachable` policy applies without waiting.

pub mod breaker;
pub mod gates;
pub mod transport;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use serde_json::Value;

use crate::backends::webhook::GateConfig;
use crate::backends::{Backend, Outcome};
use crate::delivery::transport::Transport;
use crate::protocol::envelope::Envelope;
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
                breaker::Gate::Skip(why) => Route::Queue(why),
                _ if b.gate().is_some() => Route::Live,
                breaker::Gate::Probe if spool::has_pending(paths, b.name()) => {
                    Route::Queue(QUEUED.into())
                }
                breaker::Gate::Probe => Route::Probe,
                breaker::Gate::Send if spool::has_pending(paths, b.name()) => {
                    Route::Queue(QUEUED.into())
                }
                breaker::Gate::Send => Route::Live,
            };
            Routed {
                backend: Arc::clone(b),
                route,
            }
        })
        .collect()
}

/// Why an event went behind older ones (the drain right after sends them in order).
pub const QUEUED: &str = "queued behind older spooled events";

/// Sends to the live routes in parallel (`fan_out`); queued ones are reported as
/// `Retry(reason)`, in the same order as `routed`.
pub fn send(
    routed: &[Routed],
    env: &Envelope,
    transport: &Transport,
    deadline: Instant,
) -> Vec<Delivery> {
    let live: Vec<Arc<dyn Backend>> = routed
        .iter()
        .filter(|r| !matches!(r.route, Route::Queue(_)))
        .map(|r| Arc::clone(&r.backend))
        .collect();
    let mut sent = fan_out(&live, env, transport, deadline).into_iter();
    routed
        .iter()
        .map(|r| match &r.route {
            Route::Queue(why) => Delivery {
                backend: r.backend.name().to_string(),
                outcome: Outcome::Retry(why.clone()),
                answer: None,
                gate: r.backend.gate().cloned(),
            },
            _ => sent.next().expect("one delivery per live backend"),
        })
        .collect()
}

/// What happened to one event at one backend.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub backend: String,
    pub outcome: Outcome,
    /// For gates: the JSON object the gate answered with (2xx only).
    pub answer: Option<Value>,
    pub gate: Option<GateConfig>,
}

/// Sends `env` to every backend in parallel; backends still busy at `deadline`
/// are reported as `Retry("deadline reached")`.
pub fn fan_out(
    backends: &[Arc<dyn Backend>],
    env: &Envelope,
    transport: &Transport,
    deadline: Instant,
) -> Vec<Delivery> {
    let mut out: Vec<Delivery> = backends
        .iter()
        .map(|b| Delivery {
            backend: b.name().to_string(),
            outcome: Outcome::Retry("deadline reached".into()),
            answer: None,
            gate: b.gate().cloned(),
        })
        .collect();
    let mut requests = Vec::with_capacity(backends.len());
    for (i, b) in backends.iter().enumerate() {
        match b.request(env) {
            Some(req) => requests.push((i, req)),
            None => out[i].outcome = Outcome::Delivered,
        }
    }
    // One request needs no thread: the transport's own timeout ends it at the
    // deadline, and a thread start costs more than the rest of the send.
    if let [(i, req)] = requests.as_slice() {
        (out[*i].outcome, out[*i].answer) = attempt(&*backends[*i], req, transport, deadline);
        return out;
    }
    let (tx, rx) = mpsc::channel::<(usize, Outcome, Option<Value>)>();
    let mut pending = requests.len();
    for (i, req) in requests {
        let (b, tx, transport) = (Arc::clone(&backends[i]), tx.clone(), transport.clone());
        std::thread::spawn(move || {
            let (outcome, answer) = attempt(&*b, &req, &transport, deadline);
            let _ = tx.send((i, outcome, answer));
        });
    }
    drop(tx);
    while pending > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, outcome, answer)) => {
                out[i].outcome = outcome;
                out[i].answer = answer;
                pending -= 1;
            }
            Err(_) => break,
        }
    }
    out
}

/// One attempt at one event (replays): its classified answer. An event the
/// backend maps to no request counts as delivered.
pub fn try_once(
    backend: &dyn Backend,
    env: &Envelope,
    transport: &Transport,
    deadline: Instant,
) -> Outcome {
    match backend.request(env) {
        None => Outcome::Delivered,
        Some(req) => attempt(backend, &req, transport, deadline).0,
    }
}

/// One request to one backend: its classified answer, and a gate's JSON answer.
fn attempt(
    b: &dyn Backend,
    req: &crate::backends::Request,
    transport: &Transport,
    deadline: Instant,
) -> (Outcome, Option<Value>) {
    match transport.send(req, deadline) {
        Ok(resp) => {
            let answer = if b.gate().is_some() && (200..300).contains(&resp.status) {
                serde_json::from_slice::<Value>(&resp.body)
                    .ok()
                    .filter(Value::is_object)
            } else {
                None
            };
            (b.classify(&resp), answer)
        }
        Err(e) => (Outcome::Retry(e.0), None),
    }
}
