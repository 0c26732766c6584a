//! The path of one event, top to bottom in one function:
//! stdin -> event -> policy -> redact -> enrich -> journal -> route -> backends ->
//! answer -> local sink -> spool -> stdout -> recovery and drain.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backends::{Backend, Outcome};
use crate::commands::drain as drainer;
use crate::config::{self, Config};
use crate::delivery::replay::{self, Budget};
use crate::delivery::route::{self, Route, Routed};
use crate::delivery::settle::{self, settle};
use crate::delivery::transport::Transport;
use crate::delivery::{self, Delivery};
use crate::enrich;
use crate::error::{self, Warnings};
use crate::exit::Code;
use crate::policy;
use crate::protocol::answer;
use crate::protocol::envelope::Envelope;
use crate::protocol::input;
use crate::redact::Redactor;
use crate::store::health;
use crate::store::journal::{self, Journal};
use crate::store::local;
use crate::store::paths::Paths;
use crate::store::rejects;
use crate::util::clock;

/// Backends shared with the delivery threads.
type Backends = Vec<Arc<dyn Backend>>;

/// What Claude Code runs: one event on stdin, the answer on stdout.
pub fn run_hook(config_path: Option<&Path>) -> Code {
    // Drain stdin first, whatever happens next (an unread pipe is a hook error).
    let raw = input::read_stdin();
    run(config_path, raw)
}

/// One event through the whole pipeline. Never blocks by accident: every failure
/// here ends in exit 0 or 1 with one line on stderr.
pub fn run(config_path: Option<&Path>, raw: input::Raw) -> Code {
    run_reporting(config_path, raw, &mut Vec::new())
}

/// What became of the event at one backend (for `send`, which must not say
/// "ok" for an event that was only spooled).
#[derive(Debug)]
pub struct BackendReport {
    pub backend: String,
    /// The backend has the event (live, or from its spool within this run).
    pub delivered: bool,
    /// `delivered`, or what happened instead and why.
    pub what: String,
}

/// `run`, also filling `reports` with one line per backend that wanted the event.
pub fn run_reporting(
    config_path: Option<&Path>,
    raw: input::Raw,
    reports: &mut Vec<BackendReport>,
) -> Code {
    let started = Instant::now();
    let now_ms = clock::now_ms();

    // 1. Config. A broken file falls back to environment and defaults, so the
    //    event is still kept locally; the user hears about it in one stderr line
    //    that also says where the event went. Its warnings open the problems.
    let (config, mut problems, mut config_error) = load_config(config_path);
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());

    // 2. Parse. Anything that is not an event is kept in the rejects file,
    //    redacted like an event (nothing raw is ever written).
    let (redactor, bad_pattern) = Redactor::for_config(&config.redaction);
    let input = match input::parse(&raw) {
        Ok(input) => input,
        Err(e) => {
            let scan = rejects::scan_text(&raw);
            let kept = redact_reject(&redactor, &scan);
            error::report(rejects::keep_reject(&paths, &raw, &kept, scan.lossy, &e));
            return Code::NonBlocking;
        }
    };

    // 3. Who gets this event (the others are only looked at in step 10, for a
    //    backlog of theirs that nobody drains).
    let (backends, others): (Backends, Backends) = config
        .backends
        .build()
        .into_iter()
        .map(Arc::<dyn Backend>::from)
        .partition(|b| b.wants(&input.hook_event_name));

    // 4. Policy looks at the input as sent (a rule may match a secret-bearing
    //    command), then redaction, before anything is written or sent.
    if let Some(e) = bad_pattern {
        // Reported like a broken config: the user asked for these to be masked.
        config_error.get_or_insert(format!("config: {e}"));
    }
    let mut verdicts = policy::evaluate(&input, &config.policy, &redactor);
    let mut input = input;
    let report = redactor.redact_map(&mut input.raw);

    // 5. Enrich: id, time, host, git, project, run, session counters. With remote
    //    backends the envelope is journaled now, so a kill from here on loses
    //    nothing (and no raw input is ever written to disk).
    let id = enrich::uuid_v4();
    let labels = enrich::EnrichConfig::new(config.project.as_deref(), config.run_id.as_deref());
    let mut envelope = enrich::envelope(input, id, report, labels, &paths, now_ms);
    envelope.decision = answer::merge(&envelope, &verdicts).record;
    let (mut journal, journal_failed) = begin_journal(&paths, now_ms, &envelope, &backends);

    // 6. Forward to every backend (and ask the gates) in parallel, one deadline.
    //    A backend whose breaker is open, or whose spool still holds older events,
    //    gets the event at the end of its spool instead (drained in step 10).
    let delivery_time = config.delivery.event_deadline(&envelope.hook_event_name);
    let deadline = config.delivery.deadline(
        &envelope.hook_event_name,
        started,
        raw.bytes.len(),
        hook_limit(started, &envelope.hook_event_name, &config.delivery),
    );
    let probe_window = route::probe_window_ms(delivery_time);
    // Events held while this backend's name was a duplicate go first.
    delivery::route::adopt_held(&paths, &config.spool, &backends, &config.held)
        .into_iter()
        .for_each(|p| problems.push(p));
    let routed = delivery::route(&backends, &paths, now_ms, probe_window);
    let transport = Transport::new(config.delivery.connect_timeout());
    let deliveries = delivery::send(&routed, &envelope, &transport, deadline);
    if let Some(j) = journal.as_mut() {
        j.done(&delivered(&deliveries));
    }

    // 7. The answer: local rules and gates merged, recorded in the kept event.
    verdicts.extend(delivery::gates::gate_verdicts(&envelope, &deliveries));
    verdicts.extend(route::held_gate_verdicts(&config.held, &envelope));
    let answer = answer::merge(&envelope, &verdicts);
    envelope.decision = answer.record.clone();

    // 8. Keep it locally (the embedded default), then spool what was not delivered.
    //    A file that cannot be written (disk full, read-only) is gathered into one
    //    storage line, true to what happened: lost (nowhere on disk and not with
    //    every backend) makes the hook exit 1 so Claude Code shows it.
    let config_broken = config_error.is_some();
    let local = keep_locally(&config, &paths, &envelope, &mut config_error);
    let settled = settle(
        &paths,
        &config.spool,
        &envelope,
        &routed,
        &deliveries,
        now_ms,
    );
    let mut settled = settled;
    let rescued = rescue(
        &routed,
        &envelope,
        &transport,
        deadline.max(Instant::now() + delivery_time),
        &mut settled.unkept,
    );
    if let Some(j) = journal.as_mut() {
        j.done(&rescued);
    }
    let storage = storage_line(
        &paths,
        &envelope.id,
        &backends,
        &local,
        journal.as_ref(),
        journal_failed.as_ref(),
        &settled.unkept,
    );
    settled.problems.into_iter().for_each(|p| problems.push(p));
    // Backends the file names but cannot use as written: the event waits in
    // their spools until the file is fixed (the config error is reported above).
    delivery::hold(&paths, &config.spool, &config.held, &envelope, now_ms)
        .into_iter()
        .for_each(|p| problems.push(p));
    if let Some(j) = journal {
        // Unsettled (a spool could not be written): the journal stays for recovery.
        if settled.unkept.is_empty() {
            j.finish();
        }
    }
    let lost = storage.as_ref().is_some_and(|s| s.lost);

    // 9. stdout holds the one JSON answer or nothing; problems go to stderr,
    //    a lost event first.
    print(
        answer.stdout.as_deref(),
        storage.as_ref(),
        config_error.as_deref(),
        &problems,
    );

    // 10. Housekeeping within a small budget, now that this event is safe: spool
    //     what killed invocations left behind, then replay the spools of healthy
    //     backends from the head (one drainer per backend; busy ones are skipped).
    //     What the budget leaves of a healthy backend's backlog is handed to a
    //     detached background drainer (`commands::drain`), which neither holds
    //     Claude Code nor dies with this process.
    //     Recovery is skipped when this event could not be written: it would
    //     fail the same way, and say so once more.
    if !backends.is_empty() {
        if storage.is_none() {
            let recovered = recover_journals(&paths, &config, journal::HOT_PATH_MIN_AGE_MS);
            recovered.problems.iter().for_each(error::report);
        }
        let drain_budget = Duration::from_millis(config.delivery.drain_budget_ms);
        let unfinished = drain_healthy(
            &paths,
            &routed,
            &deliveries,
            &transport,
            deadline,
            drain_budget,
        );
        // A backend held by a config problem is said on every event it holds.
        settle::held_lines(&paths, &routed, &deliveries)
            .iter()
            .for_each(error::report);
        if config.delivery.background_drain {
            start_drainers(config_path, &paths, &unfinished);
        }
    }
    // A backlog of a backend this event does not go to (one that takes only
    // SessionEnd, say) must not wait for its next event either.
    if config.delivery.background_drain && !others.is_empty() {
        start_drainers(config_path, &paths, &idle_backlogs(&paths, &others));
    }
    *reports = backend_reports(&paths, &routed, &deliveries, &config.held);
    if config_broken || (lost && answer.stdout.is_none()) {
        Code::NonBlocking
    } else {
        Code::Success
    }
}

/// The one storage line of step 8 (`None`: every file was written), recorded
/// for `status`/`doctor` or, when this event's files were written, cleared.
fn storage_line(
    paths: &Paths,
    id: &str,
    backends: &Backends,
    local: &settle::Local,
    journal: Option<&Journal>,
    journal_failed: Option<&journal::Unwritten>,
    unkept: &[settle::Unkept],
) -> Option<settle::StorageLine> {
    let journaled = journal.map(|j| j.path().to_path_buf());
    let names: Vec<String> = backends.iter().map(|b| b.name().to_string()).collect();
    let storage = settle::storage_line(&settle::Facts {
        id,
        backends: &names,
        local,
        journal: journaled.as_deref(),
        journal_failed,
        unkept,
    });
    match &storage {
        Some(s) => health::record(paths, &shown(&s.line)),
        None if !matches!(local, settle::Local::Off) || journaled.is_some() => health::clear(paths),
        None => {}
    }
    storage
}

/// A line as the user sees it: it may quote a URL (a config value, a transport
/// error), which is shown masked.
fn shown(line: &str) -> String {
    crate::util::url::mask_urls(line)
}

/// Step 9: the answer on stdout (a closed stdout is ignored: the event is safe
/// by now), then stderr: a lost event first (Claude Code shows the first line),
/// the broken config, the other problems. A lost event with an answer exits 0
/// (exit 1 would drop the answer), so the answer carries the line as its
/// `systemMessage`.
fn print(
    stdout: Option<&str>,
    storage: Option<&settle::StorageLine>,
    config_error: Option<&str>,
    problems: &Warnings,
) {
    if let Some(out) = stdout {
        use std::io::Write;
        let out = match storage.filter(|s| s.lost) {
            Some(s) => with_system_message(out, &format!("hookrelay: {}", shown(&s.line))),
            None => out.to_string(),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{out}").and_then(|()| stdout.flush());
    }
    storage.iter().for_each(|s| error::report(shown(&s.line)));
    config_error.iter().for_each(|e| error::report(shown(e)));
    problems
        .iter()
        .for_each(|p| error::report(shown(&p.to_string())));
}

/// The time Claude Code gives this hook (the `timeout` `install` registers), less
/// a second to spool what is late: no deadline reaches past it.
fn hook_limit(started: Instant, event: &str, delivery: &delivery::DeliveryConfig) -> Instant {
    let timeout = Duration::from_secs(crate::commands::install::timeout_for(event, delivery));
    started + timeout.saturating_sub(Duration::from_secs(1))
}

/// The answer JSON with `line` added to its `systemMessage` (the user sees it
/// even though the hook exits 0).
fn with_system_message(out: &str, line: &str) -> String {
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str(out) else {
        return out.to_string();
    };
    let msg = match doc.get("systemMessage").and_then(|m| m.as_str()) {
        Some(m) => format!("{m}\n{line}"),
        None => line.to_string(),
    };
    doc.insert("systemMessage".into(), msg.into());
    serde_json::Value::Object(doc).to_string()
}

/// The redacted text of a rejected input: a complete JSON document is redacted
/// as one (keys name secrets there) and kept compact; anything else (not JSON,
/// cut at the size limit, not UTF-8) is redacted as text.
fn redact_reject(redactor: &Redactor, scan: &rejects::ScanText) -> String {
    use serde_json::{Map, Value};
    let parsed = scan
        .complete
        .then(|| serde_json::from_str::<Value>(&scan.text).ok())
        .flatten();
    let is_json = parsed.is_some();
    let mut wrapper = Map::new();
    wrapper.insert(
        "input".into(),
        parsed.unwrap_or_else(|| Value::String(scan.text.clone())),
    );
    redactor.redact_map(&mut wrapper);
    match wrapper.remove("input") {
        Some(Value::String(s)) if !is_json => s,
        Some(v) => serde_json::to_string(&v).expect("JSON values serialise"),
        None => String::new(),
    }
}

/// The config and its warnings, or the fallback (environment and defaults) with
/// the reason it is broken.
fn load_config(config_path: Option<&Path>) -> (Config, Warnings, Option<String>) {
    match config::load(config_path) {
        Ok(loaded) => {
            let error = loaded.problem().map(|e| e.to_string());
            (loaded.config, loaded.warnings, error)
        }
        Err(e) => (config::fallback(), Warnings::new(), Some(e.to_string())),
    }
}

/// The in-flight journal of an event with remote backends (`None` without any,
/// or when it cannot be written: then delivery goes on unprotected, and the
/// failure goes into the storage line).
fn begin_journal(
    paths: &Paths,
    now_ms: u64,
    envelope: &Envelope,
    backends: &[Arc<dyn Backend>],
) -> (Option<Journal>, Option<journal::Unwritten>) {
    if backends.is_empty() {
        return (None, None);
    }
    let targets: Vec<String> = backends.iter().map(|b| b.name().to_string()).collect();
    match Journal::begin(paths, now_ms, envelope, &targets) {
        Ok(j) => (Some(j), None),
        Err(e) => (None, Some(e)),
    }
}

/// Keeps the event in the local sink when it is on, or when the config is broken
/// (then the config error says where the event went, if it could be written).
fn keep_locally(
    config: &Config,
    paths: &Paths,
    envelope: &Envelope,
    config_error: &mut Option<String>,
) -> settle::Local {
    if !(config.local_enabled() || config_error.is_some()) {
        return settle::Local::Off;
    }
    match local::keep(paths, envelope) {
        Ok(file) => {
            if let Some(e) = config_error.as_mut() {
                e.push_str(&format!("; event kept in {}", file.display()));
            }
            settle::Local::Kept(file)
        }
        Err(e) => settle::Local::Failed(paths.events_dir(), e),
    }
}

/// Last resort for an event its spool could not take: a backend that was only
/// queued (breaker open, or older events waiting) is sent the event live now,
/// out of order rather than lost. Returns the backends that took it (and drops
/// them from `unkept`); the others stay unkept with their latest error.
fn rescue(
    routed: &[Routed],
    envelope: &Envelope,
    transport: &Transport,
    deadline: Instant,
    unkept: &mut Vec<settle::Unkept>,
) -> Vec<String> {
    let queued: Vec<Routed> = routed
        .iter()
        .filter(|r| !r.attempted() && unkept.iter().any(|u| u.backend == r.backend.name()))
        .map(|r| Routed::new(Arc::clone(&r.backend), Route::Live))
        .collect();
    if queued.is_empty() {
        return Vec::new();
    }
    let sent = delivery::send(&queued, envelope, transport, deadline);
    let took = delivered(&sent);
    for d in &sent {
        if let Some(u) = unkept.iter_mut().find(|u| u.backend == d.backend) {
            match &d.outcome {
                Outcome::Delivered => {}
                Outcome::Rejected(answer) => u.why = format!("refused: {answer}"),
                Outcome::Retry(e) => u.why = format!("{}; sent live as a last resort: {e}", u.why),
            }
        }
    }
    unkept.retain(|u| !took.contains(&u.backend));
    took
}

/// Backends that took the event live.
fn delivered(deliveries: &[Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .filter(|d| d.outcome == Outcome::Delivered)
        .map(|d| d.backend.clone())
        .collect()
}

/// Drains the spool of each backend that just took an event, or that this event
/// only queued behind its own older events; never one whose breaker is open.
/// Returns the backends healthy but with events still waiting when the budget
/// ran out (the ones a background drainer should finish).
fn drain_healthy(
    paths: &Paths,
    routed: &[Routed],
    deliveries: &[Delivery],
    transport: &Transport,
    deadline: Instant,
    drain_budget: Duration,
) -> Vec<String> {
    let mut unfinished = Vec::new();
    let stop_at = Instant::now() + drain_budget;
    for (r, d) in routed.iter().zip(deliveries) {
        let healthy = match &r.route {
            Route::Live | Route::Probe => d.outcome == Outcome::Delivered,
            Route::Queue(why) => why == delivery::QUEUED,
        };
        if healthy {
            // What is left of the event's deadline, but at least the budget.
            let left = deadline.saturating_duration_since(Instant::now());
            let budget = Budget {
                stop_at: Some(stop_at),
                request_timeout: left.max(drain_budget),
                wait_for_lock: false,
            };
            let drained = replay::drain(paths, r.backend.as_ref(), transport, budget);
            drained
                .refusals
                .iter()
                .for_each(|l| error::report(l.as_str()));
            // Busy: someone else drains it (a drainer, a hook, `flush`).
            if drained.left && drained.error.is_none() && !drained.busy {
                unfinished.push(r.backend.name().to_string());
            }
        }
    }
    unfinished
}

/// Those of `others` (enabled backends this event does not go to) that have a
/// backlog and whose breaker lets them be tried.
fn idle_backlogs(paths: &Paths, others: &[Arc<dyn Backend>]) -> Vec<String> {
    others
        .iter()
        .map(|b| b.name().to_string())
        .filter(|name| {
            crate::store::spool::has_pending(paths, name) && drainer::may_try(paths, name)
        })
        .collect()
}

/// Starts one background drainer per backend in `names` (the answer is already
/// out; see `commands::drain`). A drainer that cannot be started costs nothing:
/// the backlog drains as before, a little per hook, or by `flush`.
fn start_drainers(config_path: Option<&Path>, paths: &Paths, names: &[String]) {
    for name in names {
        if drainer::wanted(paths, name) {
            let _ = drainer::spawn(config_path, name);
        }
    }
}

/// One report per backend, after housekeeping: an event spooled behind older
/// ones counts as delivered when the drain emptied that spool.
fn backend_reports(
    paths: &Paths,
    routed: &[Routed],
    deliveries: &[Delivery],
    held: &[delivery::Held],
) -> Vec<BackendReport> {
    let mut out: Vec<BackendReport> = routed
        .iter()
        .zip(deliveries)
        .map(|(r, d)| {
            let name = r.backend.name();
            let (delivered, what) = match &d.outcome {
                Outcome::Delivered => (true, "delivered".to_string()),
                Outcome::Rejected(answer) => (
                    false,
                    format!(
                        "refused ({answer}); kept as a dead letter (see `hookrelay dead-letters`)"
                    ),
                ),
                Outcome::Retry(_) if !crate::store::spool::has_pending(paths, name) => {
                    (true, "delivered from its spool".to_string())
                }
                Outcome::Retry(why) if r.attempted() => (
                    false,
                    format!("not delivered ({why}); spooled, `hookrelay flush` retries it"),
                ),
                Outcome::Retry(why) => (
                    false,
                    format!("not sent ({why}); spooled, `hookrelay flush` retries it"),
                ),
            };
            BackendReport {
                backend: name.to_string(),
                delivered,
                what,
            }
        })
        .collect();
    out.extend(held.iter().map(|h| BackendReport {
        backend: h.name.clone(),
        delivered: false,
        what: format!(
            "held by a config error ({}); kept in its spool until the config is fixed",
            h.reason
        ),
    }));
    out
}

/// Spools the events of killed invocations (`journal::recover`) with this
/// configuration. Used by the hook and by `flush`.
pub fn recover_journals(paths: &Paths, config: &Config, min_age_ms: u64) -> journal::Recovered {
    let rebuild = |old: &journal::Legacy| rebuild_legacy(paths, config, old);
    let how = journal::Recovery {
        spool: &config.spool,
        keep_local: config.local_enabled(),
        rebuild: &rebuild,
    };
    journal::recover(paths, &how, min_age_ms)
}

/// A journal written by an older hookrelay holds the raw input of an event killed
/// before enrichment: parse, redact and enrich it as the hook does, with the id
/// and time it was given on receipt.
fn rebuild_legacy(
    paths: &Paths,
    config: &Config,
    old: &journal::Legacy,
) -> Result<(Envelope, Vec<String>), String> {
    let raw = input::Raw {
        bytes: old.raw.as_bytes().to_vec(),
        total: old.raw.len(),
        read_error: None,
    };
    let mut parsed = input::parse(&raw).map_err(|e| format!("recovering event {}: {e}", old.id))?;
    let (redactor, _) = Redactor::for_config(&config.redaction);
    let report = redactor.redact_map(&mut parsed.raw);
    let targets: Vec<String> = config
        .backends
        .for_event(&parsed.hook_event_name)
        .iter()
        .map(|b| b.name().to_string())
        .collect();
    let labels = enrich::EnrichConfig::new(config.project.as_deref(), config.run_id.as_deref());
    let env = enrich::envelope(parsed, old.id.clone(), report, labels, paths, old.now_ms);
    Ok((env, targets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_event_line_joins_the_answers_system_message() {
        let out = with_system_message(r#"{"systemMessage":"gate says hi"}"#, "hookrelay: LOST");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["systemMessage"], "gate says hi\nhookrelay: LOST");
        let out = with_system_message(r#"{"decision":"block","reason":"r"}"#, "x");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (v["decision"].as_str(), v["systemMessage"].as_str()),
            (Some("block"), Some("x"))
        );
    }
}
