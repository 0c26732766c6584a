//! `hookrelay flush`: replays spooled events in order, per backend, over one
//! keep-alive connection each, until the spool is empty or the backend fails;
//! `--dead-letters` re-drives the events backends refused.
//!
//! First it spools the events of killed invocations (any age), so a flush after
//! a crash delivers everything. Only delivered lines are passed and the cursor
//! is saved after each one, so a flush killed midway re-sends at most the event
//! that was in flight (at-least-once, the event id is the idempotency key).
//!
//! A backend that has just come back often answers 5xx (or refuses connections)
//! for a few seconds while it reconnects to what is behind it (Bloodbank to
//! RabbitMQ: about 5 s). Giving up at once made `flush` right after a restart
//! exit 3 for nothing, so such failures are retried with backoff for a bounded
//! time (`--retry-for`, default `RETRY_FOR_S`), one progress line per wait.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backends::Backend;
use crate::commands::hook::recover_journals;
use crate::config;
use crate::delivery;
use crate::delivery::replay::{self, Budget, Drained};
use crate::delivery::transport::Transport;
use crate::error;
use crate::exit::Code;
use crate::store::paths::Paths;
use crate::store::spool;

/// Time limit of one replayed request (the hook's deadline is for Claude Code's
/// sake; a flush can afford to wait for a slow backend).
const MIN_REQUEST_TIMEOUT_MS: u64 = 10_000;

/// How long (seconds) a flush keeps retrying a backend that answers 5xx or
/// refuses connections, by default: long enough for a service restart to
/// finish (Bloodbank reconnects to RabbitMQ in about 5 s), short enough that a
/// backend that is really down costs an operator only a few seconds.
pub const RETRY_FOR_S: u64 = 10;

/// Waits between retries: 1 s twice, then every 2 s.
const RETRY_WAITS_S: [u64; 3] = [1, 1, 2];

/// `flush` with the default retry window.
pub fn run(config_path: Option<&Path>, dead_letters: bool, only: Option<&str>) -> Code {
    run_retrying(
        config_path,
        dead_letters,
        only,
        Duration::from_secs(RETRY_FOR_S),
    )
}

/// `flush`, retrying a backend that answers 5xx or refuses connections for up
/// to `retry_for` (spools only: a re-drive sends each dead letter once).
pub fn run_retrying(
    config_path: Option<&Path>,
    dead_letters: bool,
    only: Option<&str>,
    retry_for: Duration,
) -> Code {
    let Some(config) = config::load_reporting(config_path) else {
        return Code::NonBlocking;
    };
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());

    let recovered = recover_journals(&paths, &config, 0);
    recovered.problems.iter().for_each(error::report);
    if recovered.events > 0 {
        println!(
            "recovered {} event(s) of killed invocations into the spools",
            recovered.events
        );
    }

    let backends: Vec<Arc<dyn Backend>> =
        config.backends.build().into_iter().map(Arc::from).collect();
    if let Some(name) = only
        && !backends.iter().any(|b| b.name() == name)
    {
        {
            let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
            error::report(format!(
                "flush: no enabled backend named `{name}` (enabled: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
            return Code::NonBlocking;
        }
    }
    // Events held while a backend's name was a duplicate join its spool first.
    delivery::route::adopt_held(&paths, &config.spool, &backends, &config.held)
        .iter()
        .for_each(error::report);
    for orphan in spool::known_backends(&paths) {
        if !backends.iter().any(|b| b.name() == orphan) && only.is_none_or(|o| o == orphan) {
            if orphan.starts_with("held-") {
                error::report(format!(
                    "{orphan}: holds the events of a backend that is off because its name is \
                     another backend's ({}); give it its own name (same URL) and they go to it",
                    spool::dir(&paths, &orphan).display()
                ));
                continue;
            }
            error::report(format!(
                "{orphan}: has a spool in {} but is not configured (or disabled); \
                 its events stay there until it is enabled again",
                spool::dir(&paths, &orphan).display()
            ));
        }
    }

    if backends.is_empty() {
        println!(
            "no remote backends enabled: nothing to flush (events are kept locally in {})",
            paths.events_dir().display()
        );
    }
    let transport = Transport::new(config.delivery.connect_timeout());
    let timeout = Duration::from_millis(config.delivery.deadline_ms.max(MIN_REQUEST_TIMEOUT_MS));
    let mut all_done = true;
    for b in backends
        .iter()
        .filter(|b| only.is_none_or(|o| o == b.name()))
    {
        let name = b.name();
        let result = if dead_letters {
            replay::redrive_dead_letters(&paths, &config.spool, b.as_ref(), &transport, timeout)
                .map_err(|e| format!("{}: {e}", spool::dir(&paths, name).display()))
        } else {
            let budget = Budget {
                stop_at: None,
                request_timeout: timeout,
                wait_for_lock: true,
            };
            Ok(drain_retrying(
                &paths,
                b.as_ref(),
                &transport,
                budget,
                retry_for,
            ))
        };
        spool::sync(&paths, name);
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                all_done = false;
                println!("{name}: could not re-drive dead letters: {e}");
                continue;
            }
        };
        r.refusals.iter().for_each(|l| error::report(l.as_str()));
        let (line, done) = summary(&paths, name, &r, dead_letters);
        println!("{line}");
        all_done &= done;
    }
    if all_done {
        Code::Success
    } else {
        Code::Attention
    }
}

/// `replay::drain`, again after a short wait while the backend answers "not
/// now" (`worth_retrying`) and the retry window is not spent; one progress line
/// per wait, e.g. `bloodbank: 503, retrying in 1 s (3 s of 10 s)`.
fn drain_retrying(
    paths: &Paths,
    backend: &dyn Backend,
    transport: &Transport,
    budget: Budget,
    retry_for: Duration,
) -> Drained {
    let started = Instant::now();
    let mut total = Drained::default();
    for n in 0.. {
        let r = replay::drain(paths, backend, transport, budget);
        total.delivered += r.delivered;
        total.dead_lettered += r.dead_lettered;
        total.torn += r.torn;
        total.refusals.extend(r.refusals);
        total.busy = r.busy;
        total.left = r.left;
        total.error = r.error;
        let Some(why) = total.error.as_deref().and_then(worth_retrying) else {
            break;
        };
        let wait = Duration::from_secs(RETRY_WAITS_S[n.min(RETRY_WAITS_S.len() - 1)]);
        let spent = started.elapsed();
        if spent + wait > retry_for {
            break;
        }
        println!(
            "{}: {why}, retrying in {} s ({} s of {} s)",
            backend.name(),
            wait.as_secs(),
            (spent + wait).as_secs_f64().round() as u64,
            retry_for.as_secs()
        );
        std::thread::sleep(wait);
    }
    total
}

/// The short reason when a failed replay is worth a retry within seconds: the
/// backend answered 5xx, 429 or 408 (it is there but not ready, e.g. still
/// reconnecting to its broker), or refused the connection (restarting). Not a
/// timeout (each try would cost the request timeout), an auth failure or a
/// moved endpoint (waiting does not fix a config).
fn worth_retrying(error: &str) -> Option<String> {
    let status = error.split([' ', ':']).next().unwrap_or("");
    if status.len() == 3
        && let Ok(code) = status.parse::<u16>()
        && (code >= 500 || code == 429 || code == 408)
    {
        return Some(code.to_string());
    }
    error
        .contains("connection refused")
        .then(|| "connection refused".to_string())
}

/// One backend's flush result for stdout, and whether nothing is left waiting.
fn summary(paths: &Paths, name: &str, r: &Drained, dead_letters: bool) -> (String, bool) {
    let left = spool::stats(paths, name);
    let waiting = if dead_letters {
        left.dead_letters
    } else {
        left.events
    };
    let what = if dead_letters {
        "dead letters"
    } else {
        "spooled"
    };
    let mut line = format!("{name}: delivered {}", r.delivered);
    if r.dead_lettered > 0 {
        line.push_str(&format!(", {} refused (dead letters)", r.dead_lettered));
    }
    if r.torn > 0 {
        line.push_str(&format!(", {} torn line(s) skipped", r.torn));
    }
    line.push_str(&format!(", {waiting} {what} left"));
    if let Some(e) = &r.error {
        line.push_str(&format!(" (stopped: {e})"));
    }
    (line, waiting == 0 && r.error.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_not_ready_answers_and_refused_connections_are_retried() {
        assert_eq!(
            worth_retrying("503 {\"error\":\"no broker\"}").as_deref(),
            Some("503")
        );
        assert_eq!(worth_retrying("429").as_deref(), Some("429"));
        assert_eq!(worth_retrying("408 slow").as_deref(), Some("408"));
        assert_eq!(
            worth_retrying("http://127.0.0.1:9/x: connection refused (is the service running?)")
                .as_deref(),
            Some("connection refused")
        );
        for no in [
            "401 {}: check the token",
            "308 moved permanently to http://x/",
            "http://127.0.0.1:9/x: no answer before the deadline (service hanging or slow)",
            "5000 odd",
        ] {
            assert_eq!(worth_retrying(no), None, "{no}");
        }
    }
}
