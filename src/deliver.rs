//! Fan-out: every backend that wants the event gets it at the same time, one
//! thread each, under one overall deadline, so the slowest backend (not the sum)
//! sets the cost and a hanging one never holds Claude Code past the deadline.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use serde_json::Value;

use crate::backends::http::Transport;
use crate::backends::webhook::GateConfig;
use crate::backends::{Backend, Outcome};
use crate::event::Envelope;

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
    let (tx, rx) = mpsc::channel::<(usize, Outcome, Option<Value>)>();
    let mut pending = 0;
    let mut out: Vec<Delivery> = backends
        .iter()
        .map(|b| Delivery {
            backend: b.name().to_string(),
            outcome: Outcome::Retry("deadline reached".into()),
            answer: None,
            gate: b.gate().cloned(),
        })
        .collect();
    for (i, b) in backends.iter().enumerate() {
        let Some(req) = b.request(env) else {
            out[i].outcome = Outcome::Delivered;
            continue;
        };
        pending += 1;
        let (b, tx, transport) = (Arc::clone(b), tx.clone(), transport.clone());
        std::thread::spawn(move || {
            let (outcome, answer) = match transport.send(&req, deadline) {
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
            };
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
