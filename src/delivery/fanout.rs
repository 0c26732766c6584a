//! Fan-out: every backend that wants the event gets it at the same time, one
//! thread each, under one overall deadline, so the slowest backend (not the sum)
//! sets the cost and a hanging one never holds Claude Code past the deadline.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use serde_json::Value;

use crate::backends::webhook::GateConfig;
use crate::backends::{Backend, Outcome};
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
    if let Some(outcome) = b.send(req, deadline, transport.connect_timeout()) {
        return (scrubbed(outcome, &req.url), None);
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
            (scrubbed(b.classify(&resp), &req.url), answer)
        }
        Err(e) => (scrubbed(Outcome::Retry(e.0), &req.url), None),
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
