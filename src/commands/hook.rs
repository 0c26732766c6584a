//! The path of one event, top to bottom in one function:
//! stdin -> event -> journal -> policy -> redact -> enrich -> route -> backends ->
//! answer -> local sink -> spool -> stdout -> recovery and drain.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backends::{Backend, Outcome};
use crate::config;
use crate::delivery;
use crate::delivery::transport::Transport;
use crate::enrich;
use crate::exit::Code;
use crate::policy;
use crate::protocol::answer;
use crate::protocol::input;
use crate::redact::Redactor;
use crate::store::journal::{self, Journal};
use crate::store::local;
use crate::store::paths::Paths;
use crate::store::spool;
use crate::util::clock;

/// What Claude Code runs: one event on stdin, the answer on stdout.
pub fn run_hook(config_path: Option<&Path>) -> Code {
    // Drain stdin first, whatever happens next (an unread pipe is a hook error).
    let raw = input::read_stdin();
    run(config_path, raw)
}

/// One event through the whole pipeline. Never blocks by accident: every failure
/// here ends in exit 0 or 1 with one line on stderr.
pub fn run(config_path: Option<&Path>, raw: input::Raw) -> Code {
    let started = Instant::now();
    let now_ms = clock::now_ms();
    let mut problems: Vec<String> = Vec::new();

    // 1. Config. A broken file falls back to environment and defaults, so the
    //    event is still kept locally; the user hears about it in one stderr line
    //    that also says where the event went.
    let (config, mut config_error) = match config::load(config_path) {
        Ok(loaded) => {
            let error = loaded.problem().map(|e| e.to_string());
            problems.extend(loaded.warnings);
            (loaded.config, error)
        }
        Err(e) => (config::fallback(), Some(e.to_string())),
    };
    let paths = Paths::resolve(&config);

    // 2. Parse. Anything that is not an event is kept in the rejects file.
    let input = match input::parse(&raw) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("{}", input::keep_reject(&paths, &raw, &e));
            return Code::NonBlocking;
        }
    };

    // 3. Who gets this event. With remote backends, the raw input is journaled
    //    before anything can fail, so a kill from here on loses nothing.
    let backends: Vec<Arc<dyn Backend>> = config
        .backends
        .for_event(&input.hook_event_name)
        .into_iter()
        .map(Arc::from)
        .collect();
    // The id and time are minted here so a recovered event keeps the same ones.
    let id = enrich::uuid_v4();
    let mut journal = if backends.is_empty() {
        None
    } else {
        Journal::begin(&paths, &raw.bytes, &id, now_ms)
            .map_err(|e| problems.push(format!("{e}; delivering without crash protection")))
            .ok()
    };

    // 4. Policy looks at the input as sent (a rule may match a secret-bearing
    //    command), then redaction, before anything is written or sent.
    let (redactor, bad_pattern) = Redactor::for_config(&config.redaction);
    if let Some(e) = bad_pattern {
        // Reported like a broken config: the user asked for these to be masked.
        config_error.get_or_insert(format!("config: {e}; redacting without the extra patterns"));
    }
    let mut verdicts = policy::evaluate(&input, &config.policy, &redactor);
    let mut input = input;
    let report = redactor.redact_map(&mut input.raw);

    // 5. Enrich: id, time, host, git, project, run, session counters.
    let mut envelope = enrich::envelope(input, id, report, &config, &paths, now_ms);
    envelope.decision = answer::merge(&envelope, &verdicts).record;
    let targets: Vec<String> = backends.iter().map(|b| b.name().to_string()).collect();
    if let Some(j) = journal.as_mut() {
        j.record(&envelope, &targets);
    }

    // 6. Forward to every backend (and ask the gates) in parallel, one deadline.
    //    A backend whose breaker is open, or whose spool still holds older events,
    //    gets the event at the end of its spool instead (drained in step 10).
    let delivery_time = deadline_for(&envelope.hook_event_name, &config.delivery);
    let deadline = started + delivery_time;
    let routed = delivery::route(&backends, &paths, now_ms, probe_window_ms(delivery_time));
    let transport = Transport::new(Duration::from_millis(config.delivery.connect_timeout_ms));
    let deliveries = delivery::send(&routed, &envelope, &transport, deadline);
    if let Some(j) = journal.as_mut() {
        j.done(&delivered(&deliveries));
    }

    // 7. The answer: local rules and gates merged, recorded in the kept event.
    verdicts.extend(delivery::gates::gate_verdicts(&envelope, &deliveries));
    let answer = answer::merge(&envelope, &verdicts);
    envelope.decision = answer.record.clone();

    // 8. Keep it locally (the embedded default), then spool what was not delivered.
    let config_broken = config_error.is_some();
    if config.local_enabled() || config_broken {
        match local::keep(&paths, &envelope) {
            Ok(file) => {
                if let Some(e) = config_error.as_mut() {
                    e.push_str(&format!("; event kept in {}", file.display()));
                }
            }
            Err(e) => problems.push(format!("local sink {}: {e}", paths.events_dir().display())),
        }
    }
    if let Some(e) = config_error {
        problems.insert(0, e);
    }
    let settled = spool::settle(&paths, &config, &envelope, &routed, &deliveries, now_ms);
    problems.extend(settled.problems);
    if let Some(j) = journal {
        // Unsettled (a spool could not be written): the journal stays for recovery.
        if settled.complete {
            j.finish();
        }
    }

    // 9. stdout holds the one JSON answer or nothing; problems go to stderr.
    if let Some(out) = answer.stdout {
        println!("{out}");
    }
    for p in &problems {
        eprintln!("hookrelay: {p}");
    }

    // 10. Housekeeping within a small budget, now that this event is safe: spool
    //     what killed invocations left behind, then replay the spools of healthy
    //     backends from the head (one drainer per backend; busy ones are skipped).
    if !backends.is_empty() {
        for p in journal::recover(&paths, &config, journal::HOT_PATH_MIN_AGE_MS).problems {
            eprintln!("hookrelay: {p}");
        }
        let drain_budget = Duration::from_millis(config.delivery.drain_budget_ms);
        let stop_at = Instant::now() + drain_budget;
        for (r, d) in routed.iter().zip(&deliveries) {
            // Drain a backend that just took an event, or one this event only
            // queued behind its own older events; never one whose breaker is open.
            let healthy = match &r.route {
                delivery::Route::Live | delivery::Route::Probe => d.outcome == Outcome::Delivered,
                delivery::Route::Queue(why) => why == delivery::QUEUED,
            };
            if healthy {
                // What is left of the event's deadline, but at least the budget.
                let left = deadline.saturating_duration_since(Instant::now());
                let budget = spool::Budget {
                    stop_at: Some(stop_at),
                    request_timeout: left.max(drain_budget),
                    wait_for_lock: false,
                };
                spool::drain(&paths, r.backend.as_ref(), &transport, budget);
            }
        }
    }
    if config_broken {
        Code::NonBlocking
    } else {
        Code::Success
    }
}

/// Backends that took the event live.
fn delivered(deliveries: &[delivery::Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .filter(|d| d.outcome == Outcome::Delivered)
        .map(|d| d.backend.clone())
        .collect()
}

/// While one invocation probes a backend whose cool-down has passed, the others
/// keep skipping it for this long (the probe's deadline plus a margin).
fn probe_window_ms(delivery_time: Duration) -> u64 {
    delivery_time.as_millis() as u64 + 1_000
}

/// SessionEnd's hooks share Claude Code's 1.5 s budget; everything else gets the
/// configured deadline.
fn deadline_for(event: &str, delivery: &config::DeliveryConfig) -> Duration {
    let ms = if event == "SessionEnd" {
        delivery
            .session_end_deadline_ms
            .min(delivery.deadline_ms.max(1))
    } else {
        delivery.deadline_ms
    };
    Duration::from_millis(ms)
}
