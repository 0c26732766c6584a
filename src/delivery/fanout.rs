//! Fan-out: every backend that wants the event gets it at the same time, one
//! thread each, under one overall deadline, so the slowest backend (not the sum)
//! sets the cost and a hanging one never holds Claude Code past the deadline.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use serde_json::Value;

use crate::backends::webhook::GateConfig;
use crate::backends::{Backend, Outcome, status};
use crate::delivery::route::{Route, Routed};
use crate::delivery::transport::Transport;
use crate::protocol::envelope::Envelope;

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
                retry_after_ms: None,
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
    /// A retryable answer's `Retry-After`, in ms (capped): the breaker's cool-down.
    pub retry_after_ms: Option<u64>,
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
            retry_after_ms: None,
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
        let a = attempt(&*backends[*i], req, transport, deadline);
        (out[*i].outcome, out[*i].answer, out[*i].retry_after_ms) = (a.outcome, a.answer, a.wait);
        return out;
    }
    let (tx, rx) = mpsc::channel::<(usize, Attempt)>();
    for (i, req) in requests {
        let (b, tx, transport) = (Arc::clone(&backends[i]), tx.clone(), transport.clone());
        std::thread::spawn(move || {
            let _ = tx.send((i, attempt(&*b, &req, &transport, deadline)));
        });
    }
    // Each thread drops its sender when it has answered, so the channel
    // disconnects (ending the loop) once every backend has answered; the
    // deadline ends it before that.
    drop(tx);
    while let Ok((i, a)) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        (out[i].outcome, out[i].answer, out[i].retry_after_ms) = (a.outcome, a.answer, a.wait);
    }
    out
}

/// What one request to one backend gave.
#[derive(Debug)]
pub struct Attempt {
    pub outcome: Outcome,
    /// For gates: the JSON object a 2xx answer carried.
    pub answer: Option<Value>,
    /// `Retry-After` of a retryable answer, in ms (capped).
    pub wait: Option<u64>,
}

/// One attempt at one event (replays): its classified answer and any
/// `Retry-After`. An event the backend maps to no request counts as delivered.
pub fn try_once(
    backend: &dyn Backend,
    env: &Envelope,
    transport: &Transport,
    deadline: Instant,
) -> Attempt {
    match backend.request(env) {
        None => Attempt {
            outcome: Outcome::Delivered,
            answer: None,
            wait: None,
        },
        Some(req) => attempt(backend, &req, transport, deadline),
    }
}

/// One request to one backend: its classified answer, a gate's JSON answer, and
/// the backend's `Retry-After` when the answer says "later".
fn attempt(
    b: &dyn Backend,
    req: &crate::backends::Request,
    transport: &Transport,
    deadline: Instant,
) -> Attempt {
    if let Some(outcome) = b.send(req, deadline, transport.connect_timeout()) {
        return Attempt {
            outcome: scrubbed(outcome, &req.url),
            answer: None,
            wait: None,
        };
    }
    match transport.send(req, deadline) {
        Ok(resp) => {
            let answer = if b.gate().is_some() && (200..300).contains(&resp.status) {
                serde_json::from_slice::<Value>(&resp.body)
                    .ok()
                    .filter(Value::is_object)
            } else {
                None
            };
            let outcome = scrubbed(b.classify(&resp), &req.url);
            // Only a "later" answer's hint counts (a redirect's Retry-After is
            // about following it, which hookrelay does not do).
            let wait = match outcome {
                Outcome::Retry(_) if resp.status >= 400 => {
                    status::retry_after_ms(&resp, crate::util::clock::now_ms())
                }
                _ => None,
            };
            Attempt {
                outcome,
                answer,
                wait,
            }
        }
        Err(e) => Attempt {
            outcome: scrubbed(Outcome::Retry(e.to_string()), &req.url),
            answer: None,
            wait: None,
        },
    }
}

/// An outcome whose message cannot carry the request URL's secrets (a server
/// echoing the path it was asked for, an error quoting the URL): this text goes
/// to stderr, the breaker file, the spool's `last_error` and dead letters.
fn scrubbed(outcome: Outcome, url: &str) -> Outcome {
    use crate::util::url::scrub;
    match outcome {
        Outcome::Retry(m) => Outcome::Retry(scrub(&m, url)),
        Outcome::Rejected(m) => Outcome::Rejected(scrub(&m, url)),
        Outcome::Delivered => Outcome::Delivered,
    }
}
