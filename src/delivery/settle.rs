//! Settling one event after its delivery: spools what a backend did not take,
//! dead-letters what it refused, and tells the breaker how live attempts went.
//! Routine spooling (behind a tripped breaker or older events) stays quiet; every
//! other problem is one line for stderr.

use crate::backends::Outcome;
use crate::delivery::Delivery;
use crate::delivery::breaker;
use crate::delivery::route::Routed;
use crate::protocol::envelope::Envelope;
use crate::store::paths::Paths;
use crate::store::spool::{self, DeadLetter, Entry, Kept, SpoolConfig};
use crate::util::clock;

/// What `settle` did.
#[derive(Debug, Default)]
pub struct Settled {
    /// One stderr line per problem (routine spooling behind an open breaker or
    /// older events stays quiet).
    pub problems: Vec<String>,
    /// Every backend has the event, or it is in a spool or dead-letter file.
    /// `false`: a file could not be written; keep the journal for recovery.
    pub complete: bool,
}

/// After delivery: spools what a backend did not take, dead-letters what it
/// refused, and tells the breaker how live attempts went.
pub fn settle(
    paths: &Paths,
    spool: &SpoolConfig,
    env: &Envelope,
    routed: &[Routed],
    deliveries: &[Delivery],
    now_ms: u64,
) -> Settled {
    let mut out = Settled {
        problems: Vec::new(),
        complete: true,
    };
    let now = clock::rfc3339_ms(now_ms);
    // The breaker counts from when the answer (or the deadline) came, not from
    // when the event arrived: a 1 s deadline must not eat a 1 s cool-down.
    let answered_ms = clock::now_ms();
    for (r, d) in routed.iter().zip(deliveries) {
        let name = r.backend.name();
        let attempted = r.attempted();
        match &d.outcome {
            Outcome::Delivered => {
                if attempted {
                    breaker::success(paths, name, answered_ms);
                }
            }
            Outcome::Rejected(answer) => {
                breaker::success(paths, name, answered_ms);
                refused(paths, name, env, answer, &now, &mut out);
            }
            Outcome::Retry(error) => {
                if attempted {
                    breaker::failure(paths, name, now_ms, answered_ms, error, d.retry_after_ms);
                }
                let entry = Entry {
                    envelope: env.clone(),
                    attempts: u32::from(attempted),
                    last_error: Some(error.clone()),
                    spooled_at: now.clone(),
                    recovered: false,
                };
                not_taken(paths, spool, name, &entry, attempted, &mut out);
            }
        }
    }
    out
}

/// A backend refused the event: it becomes a dead letter with the answer.
fn refused(paths: &Paths, name: &str, env: &Envelope, answer: &str, now: &str, out: &mut Settled) {
    let dl = DeadLetter {
        envelope: env.clone(),
        reason: "rejected".into(),
        error: answer.to_string(),
        attempts: 1,
        dead_at: now.to_string(),
    };
    let file = spool::dead_letters_file(paths, name);
    match spool::dead_letter(paths, name, &dl) {
        Ok(()) => out.problems.push(format!(
            "{name}: refused event {}: {answer}; kept in {} (re-drive with `hookrelay flush --dead-letters`)",
            env.id,
            file.display()
        )),
        Err(e) => {
            out.complete = false;
            out.problems.push(format!(
                "{name}: refused event {} ({answer}) and the dead-letter file {} could not be written: {e}",
                env.id,
                file.display()
            ))
        }
    }
}

/// A backend did not take the event (failed, too slow, or not tried): spool it.
fn not_taken(
    paths: &Paths,
    spool: &SpoolConfig,
    name: &str,
    entry: &Entry,
    attempted: bool,
    out: &mut Settled,
) {
    let error = entry.last_error.as_deref().unwrap_or_default();
    match spool::append(paths, spool, name, entry) {
        Ok(Kept::Spooled) if attempted => out.problems.push(format!(
            "{name}: not delivered ({error}); spooled for retry"
        )),
        Ok(Kept::Spooled) => {}
        Ok(Kept::Overflowed(msg)) => out.problems.push(msg),
        Err(e) => {
            out.complete = false;
            out.problems.push(format!(
                "{name}: not delivered ({error}) and the spool {} could not be written: {e}; \
                 the event stays in the in-flight journal for a later run",
                spool::dir(paths, name).display()
            ))
        }
    }
}
