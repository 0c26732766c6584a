//! Settling one event after its delivery: spools what a backend did not take,
//! dead-letters what it refused, and tells the breaker how live attempts went.
//! Routine spooling (behind a tripped breaker or older events) stays quiet; every
//! other problem is one line for stderr. A backend held by a configuration
//! problem (a rejected key, a wrong URL: `backends::status::config_problem`) is
//! not routine: every invocation that spools because of it says so in one short
//! line naming the fix (`held_line`; after the drain, `held_lines`). A spool or dead-letter file that cannot
//! be written is not a line here but an `Unkept`: whether the event is then lost
//! depends on the in-flight journal, which only the caller knows about.

use crate::backends::{Outcome, status};
use crate::delivery::Delivery;
use crate::delivery::breaker;
use crate::delivery::route::Routed;
use crate::protocol::envelope::Envelope;
use crate::store::health;
use crate::store::journal;
use crate::store::paths::Paths;
use crate::store::spool::{self, DeadLetter, Entry, Kept, SpoolConfig};
use crate::util::clock;
use std::io;
use std::path::{Path, PathBuf};

/// What `settle` did.
#[derive(Debug, Default)]
pub struct Settled {
    /// One stderr line per problem (routine spooling behind an open breaker or
    /// older events stays quiet).
    pub problems: Vec<String>,
    /// Backends that did not take the event and whose spool (or dead-letter
    /// file) could not be written: the event is in no file of theirs.
    pub unkept: Vec<Unkept>,
}

/// A backend that did not take the event, whose file for it could not be written.
#[derive(Debug)]
pub struct Unkept {
    pub backend: String,
    /// Why it is not delivered (the backend's error or refusal).
    pub why: String,
    /// `spool` or `dead-letter file`.
    pub what: &'static str,
    /// The spool directory or dead-letter file that could not be written.
    pub file: PathBuf,
    pub error: io::Error,
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
    let mut out = Settled::default();
    let now = clock::rfc3339_ms(now_ms);
    // The breaker counts from when the answer (or the deadline) came, not from
    // when the event arrived: a 1 s deadline must not eat a 1 s cool-down.
    let answered_ms = clock::now_ms();
    for (r, d) in routed.iter().zip(deliveries) {
        let name = r.backend.name();
        let attempted = r.attempted();
        // The destination as configured now: its breaker state is its own.
        let fp = || r.fingerprint();
        match &d.outcome {
            Outcome::Delivered => {
                if attempted {
                    breaker::success_for(paths, name, &|| fp().to_string(), answered_ms);
                }
            }
            Outcome::Rejected(answer) => {
                // The backend answered (the breaker closes), but took nothing.
                breaker::refused(paths, name, Some(fp()), answered_ms, answer);
                refused(paths, name, env, answer, &now, &mut out);
            }
            Outcome::Retry(error) => {
                if attempted {
                    let at = breaker::Failed {
                        started_ms: now_ms,
                        now_ms: answered_ms,
                        error,
                        wait_ms: d.retry_after_ms,
                    };
                    breaker::failure_for(paths, name, fp(), &at);
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
        Err(error) => out.unkept.push(Unkept {
            backend: name.to_string(),
            why: format!("refused: {answer}"),
            what: "dead-letter file",
            file,
            error,
        }),
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
        Ok(Kept::Spooled) if attempted => out.problems.push(match status::config_problem(error) {
            Some(problem) => held_line(name, problem),
            None => format!("{name}: not delivered ({error}); spooled for retry"),
        }),
        Ok(Kept::Spooled) => {}
        Ok(Kept::Overflowed(msg)) => out.problems.push(msg),
        Err(e) => out.unkept.push(Unkept {
            backend: name.to_string(),
            why: error.to_string(),
            what: "spool",
            file: spool::dir(paths, name),
            error: e,
        }),
    }
}

/// The one line a backend held by a configuration problem gets on every
/// invocation that spools because of it: what is wrong (naming the setting),
/// that nothing is lost, and what to run once it is fixed.
pub fn held_line(backend: &str, problem: &str) -> String {
    format!(
        "{backend}: held: {problem}; events are kept in its spool (not dead letters), \
         run `hookrelay flush` after fixing it"
    )
}

/// After the drain: one `held_line` for each backend this event was queued for
/// (not sent) that still has events waiting while its breaker says it is held
/// by a configuration problem. Routine queueing (an outage, a busy backend)
/// stays quiet; a live attempt's failure was said by `settle`.
pub fn held_lines(paths: &Paths, routed: &[Routed], deliveries: &[Delivery]) -> Vec<String> {
    routed
        .iter()
        .zip(deliveries)
        .filter(|(r, d)| !r.attempted() && matches!(d.outcome, Outcome::Retry(_)))
        .filter(|(r, _)| spool::has_pending(paths, r.backend.name()))
        .filter_map(|(r, _)| {
            let name = r.backend.name();
            breaker::held(paths, name, r.fingerprint()).map(|problem| held_line(name, &problem))
        })
        .collect()
}

/// What became of the event's local copy.
#[derive(Debug)]
pub enum Local {
    /// Not wanted (the local sink is off).
    Off,
    Kept(PathBuf),
    /// The events directory could not be written.
    Failed(PathBuf, io::Error),
}

/// Everything the storage line is made of.
pub struct Facts<'a> {
    pub id: &'a str,
    /// The remote backends that wanted the event.
    pub backends: &'a [String],
    pub local: &'a Local,
    /// The in-flight journal, when it was written (it stays while `unkept`).
    pub journal: Option<&'a Path>,
    pub journal_failed: Option<&'a journal::Unwritten>,
    pub unkept: &'a [Unkept],
}

/// The one line about files that could not be written, and whether the event is
/// lost (in no file, and not with every backend that wanted it).
#[derive(Debug, PartialEq)]
pub struct StorageLine {
    pub line: String,
    pub lost: bool,
}

/// The storage line for one event, or `None` when every write went through.
/// Each clause says what happened, never more: "stays in the journal" only when
/// the journal was written.
pub fn storage_line(f: &Facts) -> Option<StorageLine> {
    let mut failed: Vec<String> = Vec::new();
    let mut first_error: Option<&io::Error> = None;
    for u in f.unkept {
        failed.push(format!("{} {}: {}", u.what, u.file.display(), u.error));
        first_error.get_or_insert(&u.error);
    }
    if let Some(j) = f.journal_failed {
        failed.push(j.to_string());
        first_error.get_or_insert(&j.error);
    }
    if let Local::Failed(dir, e) = f.local {
        failed.push(format!("local sink {}: {e}", dir.display()));
        first_error.get_or_insert(e);
    }
    let first_error = first_error?;
    let fix = health::fix_for(first_error);
    let could_not = failed.join("; ");
    let id = f.id;
    let kept_locally = match f.local {
        Local::Kept(p) => Some(p),
        _ => None,
    };
    let (what, lost) = if f.backends.is_empty() {
        // Local only: the sink was the one place the event was to go.
        (
            format!("event {id} is LOST: it could not be written ({could_not})"),
            true,
        )
    } else if f.unkept.is_empty() {
        let kept = "every backend has it or has it spooled";
        (
            format!(
                "event {id} is safe ({kept}), but could not be written everywhere: {could_not}"
            ),
            false,
        )
    } else {
        let names: Vec<&str> = f.unkept.iter().map(|u| u.backend.as_str()).collect();
        let why: Vec<String> = match f.unkept {
            [one] => vec![one.why.clone()],
            many => many
                .iter()
                .map(|u| format!("{}: {}", u.backend, u.why))
                .collect(),
        };
        let names = names.join(", ");
        let why = why.join("; ");
        match (f.journal, kept_locally) {
            (Some(j), _) => (
                format!(
                    "event {id} was not delivered to {names} ({why}) and its spool could not be written \
                     ({could_not}); it stays in the in-flight journal {}, which a later hook \
                     or `hookrelay flush` spools once there is room",
                    j.display()
                ),
                false,
            ),
            (None, Some(local)) => (
                format!(
                    "event {id} is LOST for {names}: not delivered ({why}) and could not be \
                     written ({could_not}); only the local copy in {} remains, which is never \
                     replayed",
                    local.display()
                ),
                true,
            ),
            (None, None) => (
                format!(
                    "event {id} is LOST: not delivered to {names} ({why}) and could not be \
                     written anywhere ({could_not})"
                ),
                true,
            ),
        }
    };
    Some(StorageLine {
        line: format!("{what}; {fix}"),
        lost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> io::Error {
        io::Error::from(io::ErrorKind::StorageFull)
    }

    fn unkept() -> Vec<Unkept> {
        vec![Unkept {
            backend: "hook".into(),
            why: "connection refused".into(),
            what: "spool",
            file: "/d/spool/hook".into(),
            error: full(),
        }]
    }

    fn journal_failed() -> journal::Unwritten {
        journal::Unwritten {
            path: "/s/inflight/1.jnl".into(),
            error: full(),
        }
    }

    #[test]
    fn every_write_through_says_nothing() {
        let f = Facts {
            id: "e1",
            backends: &["hook".into()],
            local: &Local::Off,
            journal: Some(Path::new("/s/inflight/1.jnl")),
            journal_failed: None,
            unkept: &[],
        };
        assert_eq!(storage_line(&f), None);
    }

    #[test]
    fn lost_only_when_no_file_and_not_every_backend_has_it() {
        let (u, jf) = (unkept(), journal_failed());
        let base = Facts {
            id: "e1",
            backends: &["hook".into()],
            local: &Local::Off,
            journal: None,
            journal_failed: Some(&jf),
            unkept: &u,
        };
        let s = storage_line(&base).unwrap();
        assert!(s.lost && s.line.contains("LOST"), "{s:?}");
        assert!(s.line.contains("/d/spool/hook") && s.line.contains("/s/inflight/1.jnl"));
        assert!(!s.line.contains("stays in"), "{s:?}");

        // The journal was written: safe there, and said so with its file.
        let kept = Facts {
            journal: Some(Path::new("/s/inflight/2.jnl")),
            journal_failed: None,
            ..base
        };
        let s = storage_line(&kept).unwrap();
        assert!(
            !s.lost
                && s.line
                    .contains("stays in the in-flight journal /s/inflight/2.jnl")
        );

        // Only the local copy: still lost for the backend, and the copy named.
        let local = Local::Kept("/d/events/e.jsonl".into());
        let s = storage_line(&Facts {
            local: &local,
            ..base
        })
        .unwrap();
        assert!(s.lost && s.line.contains("/d/events/e.jsonl"), "{s:?}");

        // Every backend took it: safe, the failed journal still said.
        let s = storage_line(&Facts {
            unkept: &[],
            ..base
        })
        .unwrap();
        assert!(!s.lost && s.line.contains("is safe"), "{s:?}");

        // Local only: the sink was the one destination.
        let failed = Local::Failed("/d/events".into(), full());
        let s = storage_line(&Facts {
            backends: &[],
            local: &failed,
            journal_failed: None,
            unkept: &[],
            ..base
        })
        .unwrap();
        assert!(s.lost && s.line.contains("local sink /d/events"), "{s:?}");
    }
}
