//! Claude Code's answer: merges what local policy rules and gate backends said
//! into the one JSON object this event accepts, or nothing at all.

use serde_json::Value;

use crate::deliver::Delivery;
use crate::event::Envelope;

/// One source's opinion, already in Claude Code's hook-output shape.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// `policy:<rule name>` or `gate:<backend name>`.
    pub source: String,
    pub output: Value,
}

/// The merged answer: what to print, and what to record in the kept event.
#[derive(Debug, Default)]
pub struct Answer {
    pub stdout: Option<String>,
    pub record: Option<Value>,
}

/// Opinions of the gates among the deliveries (including fail-closed ones).
pub fn gate_verdicts(_env: &Envelope, _deliveries: &[Delivery]) -> Vec<Verdict> {
    Vec::new()
}

/// Merges verdicts for this event. No verdict: no output ("no opinion").
pub fn merge(_env: &Envelope, verdicts: &[Verdict]) -> Answer {
    if verdicts.is_empty() {
        return Answer::default();
    }
    Answer::default()
}
