//! `hookrelay flush`: replays spooled events in order, per backend, over one
//! keep-alive connection each, until the spool is empty or the backend fails;
//! `--dead-letters` re-drives the events backends refused.
//!
//! First it spools the events of killed invocations (any age), so a flush after
//! a crash delivers everything. Only delivered lines are passed and the cursor
//! is saved after each one, so a flush killed midway re-sends at most the event
//! that was in flight (at-least-once, the event id is the idempotency key).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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

pub fn run(config_path: Option<&Path>, dead_letters: bool, only: Option<&str>) -> Code {
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
            Ok(replay::drain(&paths, b.as_ref(), &transport, budget))
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
