//! Replay: sending a backend's spool from the head, in order, until it is
//! empty, a delivery fails or the budget is spent (`drain`, by the hook after a
//! delivery and by `flush`), and sending dead letters once more (`redrive`, by
//! `flush --dead-letters`). The spool's reader only moves past delivered or
//! dead-lettered lines and saves its cursor after each, so a kill at any point
//! re-sends at most the event that was in flight.

use std::time::{Duration, Instant};

use crate::backends::{Backend, Outcome};
use crate::delivery::breaker;
use crate::delivery::fanout::try_once;
use crate::delivery::transport::Transport;
use crate::protocol::envelope::Envelope;
use crate::store::paths::Paths;
use crate::store::spool::{self, DeadLetter, Entry, Head, Opened, Reader, Redrive, SpoolConfig};
use crate::util::clock;

/// How long a drain may go on.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// No new request starts after this instant (`None`: until empty or failing).
    pub stop_at: Option<Instant>,
    /// Time limit of each request.
    pub request_timeout: Duration,
    /// Wait for another drainer to finish instead of skipping (`flush`).
    pub wait_for_lock: bool,
}

/// What one drain did.
#[derive(Debug, Default, Clone)]
pub struct Drained {
    pub delivered: u64,
    pub dead_lettered: u64,
    /// One line per event refused (dead-lettered) here, for the user: every
    /// dead letter is said when it happens, in a drain as in a live send.
    pub refusals: Vec<String>,
    /// Torn or unreadable lines skipped (and counted in the cursor).
    pub torn: u64,
    /// Someone else was draining: nothing was done.
    pub busy: bool,
    /// Stopped on this error (the event at the head stays for later).
    pub error: Option<String>,
    /// Events still waiting afterwards.
    pub left: bool,
}

/// Replays `backend`'s spool from the head, in order, until it is empty, a
/// delivery fails, or the budget is spent. Only delivered (or dead-lettered)
/// lines are passed, each saved at once: a kill at any point re-sends at most
/// the event in flight.
pub fn drain(
    paths: &Paths,
    backend: &dyn Backend,
    transport: &Transport,
    budget: Budget,
) -> Drained {
    let name = backend.name();
    let mut out = Drained::default();
    let mut reader = match Reader::open(paths, name, budget.wait_for_lock) {
        Opened::Empty => return out,
        Opened::Unavailable => {
            out.left = true;
            return out;
        }
        Opened::Busy => {
            out.busy = true;
            out.left = true;
            return out;
        }
        Opened::Ready(r) => r,
    };
    let answered = send_from_head(paths, backend, transport, budget, &mut reader, &mut out);
    out.torn = reader.torn;
    reader.finish(out.left);
    // A refusal closed the breaker (`breaker::refused`) but is no success; a
    // drain that ended on a failure has told the breaker so, and a success
    // recorded after it would close the breaker on a backend that just failed.
    if answered && out.delivered > 0 && out.error.is_none() {
        breaker::success(paths, name, clock::now_ms());
    }
    out
}

/// The drain loop proper; `true` when the backend answered at least once.
fn send_from_head(
    paths: &Paths,
    backend: &dyn Backend,
    transport: &Transport,
    budget: Budget,
    reader: &mut Reader,
    out: &mut Drained,
) -> bool {
    let name = backend.name();
    let mut answered = false;
    let mut requests = 0u32;
    loop {
        let entry = match reader.head() {
            Head::Entry(e) => *e,
            Head::End { left } => {
                out.left |= left;
                return answered;
            }
        };
        // At least one request per drain, so a spent budget still makes progress.
        if budget.stop_at.is_some_and(|t| Instant::now() >= t) && requests > 0 {
            out.left = true;
            return answered;
        }
        requests += 1;
        let started_ms = clock::now_ms();
        let deadline = Instant::now() + budget.request_timeout;
        let attempt = try_once(backend, &entry.envelope, transport, deadline);
        match attempt.outcome {
            Outcome::Delivered => {
                answered = true;
                out.delivered += 1;
                reader.pass();
            }
            Outcome::Rejected(answer) => {
                answered = true;
                breaker::refused(paths, name, None, clock::now_ms(), &answer);
                let line = refusal(paths, name, &entry.envelope, &answer);
                let dl = DeadLetter {
                    attempts: entry.attempts + reader.head_attempts() + 1,
                    envelope: entry.envelope,
                    reason: "rejected".into(),
                    error: answer,
                    dead_at: clock::rfc3339_ms(clock::now_ms()),
                };
                if spool::dead_letter(paths, name, &dl).is_err() {
                    out.error = Some(format!(
                        "refused, and {} could not be written",
                        spool::dead_letters_file(paths, name).display()
                    ));
                    out.left = true;
                    return answered;
                }
                out.dead_lettered += 1;
                out.refusals.push(line);
                reader.pass();
            }
            Outcome::Retry(e) => {
                reader.keep(&e);
                breaker::failure(paths, name, started_ms, clock::now_ms(), &e, attempt.wait);
                out.error = Some(e);
                out.left = true;
                return answered;
            }
        }
    }
}

/// The line that says `backend` refused `env` and where it is kept.
fn refusal(paths: &Paths, backend: &str, env: &Envelope, answer: &str) -> String {
    format!(
        "{backend}: refused event {} ({}): {answer}; kept as a dead letter in {} (see `hookrelay dead-letters`)",
        env.id,
        env.hook_event_name,
        spool::dead_letters_file(paths, backend).display()
    )
}

/// Moves the dead letters back into play: each is sent once more; delivered ones
/// are gone, refused ones come back as dead letters with the new answer, and
/// those that fail for a transient reason go to the end of the spool.
pub fn redrive_dead_letters(
    paths: &Paths,
    spool: &SpoolConfig,
    backend: &dyn Backend,
    transport: &Transport,
    timeout: Duration,
) -> std::io::Result<Drained> {
    let name = backend.name();
    let mut out = Drained::default();
    let Some(mut redrive) = Redrive::begin(paths, name)? else {
        return Ok(out);
    };
    let (letters, torn) = redrive.letters()?;
    out.torn = torn;
    let mut answered = false;
    // Letters a killed re-drive already handled are not sent again.
    let skip = redrive.done();
    for (i, dl) in letters.into_iter().enumerate().skip(skip) {
        let attempt = try_once(backend, &dl.envelope, transport, Instant::now() + timeout);
        match attempt.outcome {
            Outcome::Delivered => {
                answered = true;
                out.delivered += 1;
            }
            Outcome::Rejected(answer) => {
                answered = true;
                breaker::refused(paths, name, None, clock::now_ms(), &answer);
                out.dead_lettered += 1;
                out.refusals
                    .push(refusal(paths, name, &dl.envelope, &answer));
                spool::dead_letter(
                    paths,
                    name,
                    &DeadLetter {
                        error: answer,
                        attempts: dl.attempts + 1,
                        dead_at: clock::rfc3339_ms(clock::now_ms()),
                        ..dl
                    },
                )?;
            }
            Outcome::Retry(e) => {
                out.left = true;
                out.error = Some(e.clone());
                let entry = Entry {
                    envelope: dl.envelope,
                    attempts: dl.attempts + 1,
                    last_error: Some(e),
                    spooled_at: clock::rfc3339_ms(clock::now_ms()),
                    recovered: false,
                };
                spool::append(paths, spool, name, &entry)?;
            }
        }
        redrive.mark(i + 1);
    }
    if answered && out.delivered > 0 {
        breaker::success(paths, name, clock::now_ms());
    }
    redrive.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::backends::{HttpResponse, Request};
    use crate::protocol::envelope::Envelope;
    use crate::store::files;
    use crate::store::spool::cursor::{Cursor, read_cursor, write_cursor};
    use crate::store::spool::segments::{seg_path, segments};
    use crate::store::spool::{append, dir, has_pending, stats};
    use crate::store::testdir::TempDir;

    /// Records the ids it is asked for; "sends" nothing (request `None` counts as
    /// delivered), or fails every request with `fail`.
    struct Recorder {
        seen: Arc<Mutex<Vec<String>>>,
        fail: bool,
    }

    impl Backend for Recorder {
        fn name(&self) -> &str {
            "rec"
        }
        fn endpoint(&self) -> String {
            "memory:".into()
        }
        fn carries_secret(&self) -> bool {
            false
        }
        fn wants(&self, _: &str) -> bool {
            true
        }
        fn request(&self, env: &Envelope) -> Option<Request> {
            self.seen.lock().unwrap().push(env.id.clone());
            self.fail.then(|| Request {
                method: "POST",
                url: "http://127.0.0.1:1/nothing-listens".into(),
                headers: vec![],
                body: vec![],
            })
        }
        fn classify(&self, _: &HttpResponse) -> Outcome {
            Outcome::Delivered
        }
    }

    fn setup(tag: &str) -> (TempDir, Paths, SpoolConfig) {
        let t = TempDir::new(&format!("spool-{tag}"));
        let paths = t.paths();
        (t, paths, SpoolConfig::default())
    }

    fn entry(id: &str) -> Entry {
        let envelope: Envelope = serde_json::from_value(serde_json::json!({
            "id": id, "ts": "2026-11-22T00:00:00.000Z", "hook_event_name": "Stop",
            "session_id": "s", "input": {}, "hookrelay": {"version": "0"},
            "host": {"name": "h", "user": "u", "os": "linux", "arch": "x86_64"}
        }))
        .unwrap();
        Entry {
            envelope,
            attempts: 0,
            last_error: None,
            spooled_at: "2026-11-22T00:00:00.000Z".into(),
            recovered: false,
        }
    }

    fn line(id: &str) -> String {
        format!("{}\n", serde_json::to_string(&entry(id)).unwrap())
    }

    fn budget() -> Budget {
        Budget {
            stop_at: None,
            request_timeout: Duration::from_secs(2),
            wait_for_lock: true,
        }
    }

    #[test]
    fn drains_across_segments_from_the_cursor_in_order_and_cleans_up() {
        let (_t, paths, _) = setup("segments");
        let dir = dir(&paths, "rec");
        std::fs::create_dir_all(&dir).unwrap();
        // Segment 1 was delivered up to its second line; segment 2 ends in a line
        // torn by a kill (never closed, because segment 3 was started).
        std::fs::write(
            seg_path(&dir, 1),
            format!("{}{}{}", line("a"), line("b"), line("c")),
        )
        .unwrap();
        std::fs::write(
            seg_path(&dir, 2),
            format!("{}{{\"envelope\":{{\"id", line("d")),
        )
        .unwrap();
        std::fs::write(seg_path(&dir, 3), format!("{}{}", line("e"), line("f"))).unwrap();
        let cur = Cursor {
            seg: 1,
            offset: (line("a").len() + line("b").len()) as u64,
            ..Cursor::default()
        };
        write_cursor(&dir, &cur).unwrap();
        assert!(has_pending(&paths, "rec"));

        let seen = Arc::new(Mutex::new(Vec::new()));
        let b = Recorder {
            seen: seen.clone(),
            fail: false,
        };
        let t = Transport::new(Duration::from_millis(100));
        let r = drain(&paths, &b, &t, budget());
        assert_eq!(*seen.lock().unwrap(), ["c", "d", "e", "f"]);
        assert_eq!((r.delivered, r.torn, r.left), (4, 1, false));
        assert!(segments(&dir).is_empty(), "delivered segments are deleted");
        assert!(!has_pending(&paths, "rec"));
        assert_eq!(
            read_cursor(&dir).torn,
            1,
            "the torn count is kept for status"
        );

        // The next append starts a segment after everything the cursor passed.
        append(&paths, &SpoolConfig::default(), "rec", &entry("g")).unwrap();
        assert!(segments(&dir)[0].0 >= read_cursor(&dir).seg);
        drain(&paths, &b, &t, budget());
        assert_eq!(seen.lock().unwrap().last().unwrap(), "g");
    }

    #[test]
    fn a_failed_replay_keeps_the_head_and_counts_its_attempts() {
        let (_t, paths, config) = setup("fail");
        for id in ["a", "b"] {
            append(&paths, &config, "rec", &entry(id)).unwrap();
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let b = Recorder {
            seen: seen.clone(),
            fail: true,
        };
        let t = Transport::new(Duration::from_millis(100));
        for n in 1..=2 {
            let r = drain(&paths, &b, &t, budget());
            assert!(r.left && r.error.is_some());
            assert_eq!(read_cursor(&dir(&paths, "rec")).attempts, n);
        }
        assert_eq!(
            *seen.lock().unwrap(),
            ["a", "a"],
            "never skips ahead of the head"
        );
        assert!(breaker::load(&paths, "rec").failures >= 1);
        assert_eq!(stats(&paths, "rec").events, 2);
    }

    /// Delivers its first `ok` requests, then fails every one (nothing listens).
    struct FailsAfter {
        ok: Mutex<u32>,
    }

    impl Backend for FailsAfter {
        fn name(&self) -> &str {
            "rec"
        }
        fn endpoint(&self) -> String {
            "memory:".into()
        }
        fn carries_secret(&self) -> bool {
            false
        }
        fn wants(&self, _: &str) -> bool {
            true
        }
        fn request(&self, _: &Envelope) -> Option<Request> {
            let mut ok = self.ok.lock().unwrap();
            if *ok > 0 {
                *ok -= 1;
                return None;
            }
            Some(Request {
                method: "POST",
                url: "http://127.0.0.1:1/nothing-listens".into(),
                headers: vec![],
                body: vec![],
            })
        }
        fn classify(&self, _: &HttpResponse) -> Outcome {
            Outcome::Delivered
        }
    }

    #[test]
    fn a_drain_that_ends_on_a_failure_leaves_the_breaker_open() {
        let (_t, paths, config) = setup("fails-after");
        for id in ["a", "b", "c"] {
            append(&paths, &config, "rec", &entry(id)).unwrap();
        }
        let b = FailsAfter { ok: Mutex::new(2) };
        let t = Transport::new(Duration::from_millis(100));
        let r = drain(&paths, &b, &t, budget());
        assert_eq!((r.delivered, r.left, r.error.is_some()), (2, true, true));
        assert_eq!(
            breaker::load(&paths, "rec").failures,
            1,
            "the deliveries before the failure do not close it again"
        );
    }

    #[test]
    fn a_busy_drainer_is_skipped_not_waited_for() {
        let (_t, paths, config) = setup("busy");
        append(&paths, &config, "rec", &entry("a")).unwrap();
        let lock = files::open_lock(&dir(&paths, "rec").join("drain.lock")).unwrap();
        lock.lock().unwrap();
        let b = Recorder {
            seen: Arc::default(),
            fail: false,
        };
        let t = Transport::new(Duration::from_millis(100));
        let r = drain(
            &paths,
            &b,
            &t,
            Budget {
                wait_for_lock: false,
                ..budget()
            },
        );
        assert!(r.busy && r.left);
        assert!(b.seen.lock().unwrap().is_empty());
    }
}
