//! Time and answers that misbehave: a backend asking to be left alone
//! (`Retry-After`, both forms), an endpoint that moved for good (301/308), and a
//! wall clock set back after the breaker opened. Each runs the real binary
//! against a loopback server.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::testenv::server::{Reply, Server};
use crate::testenv::spool::*;
use crate::testenv::*;
use serde_json::{Value, json};

const DAY_MS: u64 = 86_400_000;

fn ok() -> Reply {
    Reply::json(200, r#"{"ok":true}"#)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for an epoch time in ms (Howard Hinnant's
/// civil-from-days, as the binary has it; written out here so the test does
/// not trust the code under test).
fn http_date(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let sod = secs % 86_400;
    format!(
        "{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT",
        WD[(days % 7) as usize],
        MO[(m - 1) as usize],
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Epoch ms of `status --json`'s RFC 3339 `retry_at` (`2026-11-22T01:31:08.891Z`).
fn epoch_ms_of(rfc3339: &str) -> u64 {
    let n = |r: std::ops::Range<usize>| rfc3339[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    secs as u64 * 1000 + n(20..23) as u64
}

#[test]
fn the_date_helpers_agree_with_rfc_9110() {
    assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(epoch_ms_of("1994-11-06T08:49:37.250Z"), 784_111_777_250);
}

/// A backend that answers its first request with `first` and every later one
/// with 200; returns it and its request count.
fn busy_once(first: Reply) -> (Server, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let server = Server::start(move |_| {
        if n2.fetch_add(1, Ordering::SeqCst) == 0 {
            first.clone()
        } else {
            ok()
        }
    });
    (server, n)
}

#[test]
fn retry_after_keeps_the_backend_skipped_that_long_in_seconds_and_as_a_date() {
    for (form, value) in [
        ("seconds", "120".to_string()),
        ("date", http_date(now_ms() + 120_000)),
    ] {
        let env = TestEnv::new(&format!("retry-after-{form}"));
        let (server, requests) =
            busy_once(Reply::json(429, r#"{"error":"slow down"}"#).header("Retry-After", &value));
        env.write_config(&webhook_config(&server.url("/events"), json!({})));
        let out = env.hook(&tagged_event(0));
        assert_exit(&out, 0);
        assert_stderr_has(&out, "429");
        // Past the breaker's own first cool-down (1 s + 20 % jitter at most):
        // without Retry-After the next hook would probe.
        std::thread::sleep(Duration::from_millis(1_500));
        for i in 1..3 {
            assert_exit(&env.hook(&tagged_event(i)), 0);
        }
        assert_eq!(
            requests.load(Ordering::SeqCst),
            1,
            "{form}: the backend asked for 120 s and was probed anyway"
        );
        assert_eq!(spooled_tags(&env, "hook"), vec![tag(0), tag(1), tag(2)]);
        let (st, code) = status_json(&env);
        assert_eq!(code, 3);
        let b = &st["backends"][0];
        assert_eq!(b["breaker"], "open", "{form}: {st}");
        let retry_in = epoch_ms_of(b["retry_at"].as_str().unwrap()).saturating_sub(now_ms());
        assert!(
            (100_000..=121_000).contains(&retry_in),
            "{form}: next try in {retry_in} ms, want about 120 s: {st}"
        );
        assert!(
            b["last_error"].as_str().unwrap().contains("Retry-After"),
            "{st}"
        );
        // `flush` does not wait: the operator asked.
        let out = run_ok(&env, &["flush"]);
        assert_stdout_has(&out, "hook: delivered 3");
    }
}

#[test]
fn a_permanent_redirect_holds_the_event_names_the_new_place_and_flush_delivers_after_the_fix() {
    for status in [301, 308] {
        let env = TestEnv::new(&format!("moved-{status}"));
        let moved = Arc::new(AtomicBool::new(true));
        let m2 = moved.clone();
        let server = Server::start(move |_| {
            if m2.load(Ordering::SeqCst) {
                // A redirect's Retry-After is about following it (RFC 9110
                // 10.2.3), which hookrelay does not do: no 10-minute wait.
                Reply::json(status, "")
                    .header(
                        "Location",
                        "http://ops:hunter2@127.0.0.1:9/v2/events?token=s3cr3t-t0ken",
                    )
                    .header("Retry-After", "600")
            } else {
                ok()
            }
        });
        env.write_config(&webhook_config(&server.url("/events"), json!({})));
        let out = env.hook(&tagged_event(0));
        assert_exit(&out, 0);
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.contains("moved permanently"))
            .unwrap_or_else(|| panic!("{status}: no line about the move: {err}"));
        assert!(line.contains("hook"), "names the backend: {line}");
        assert!(line.contains("http://127.0.0.1:9/v2/events"), "{line}");
        assert!(
            line.contains("URL in the config"),
            "says what to fix: {line}"
        );
        assert!(
            !err.contains("hunter2") && !err.contains("s3cr3t-t0ken"),
            "{err}"
        );
        assert!(
            dead_letters(&env, "hook").is_empty(),
            "{status}: not refused"
        );
        assert_eq!(
            spooled_tags(&env, "hook"),
            vec![tag(0)],
            "held in the spool"
        );
        let (st, code) = status_json(&env);
        assert_eq!(code, 3);
        if let Some(at) = st["backends"][0]["retry_at"].as_str() {
            let retry_in = epoch_ms_of(at).saturating_sub(now_ms());
            assert!(
                retry_in < 60_000,
                "{status}: next try in {retry_in} ms: {st}"
            );
        }
        assert_eq!(st["backends"][0]["spool_events"], 1);
        assert_eq!(st["backends"][0]["dead_letters"], 0);
        assert!(
            st["backends"][0]["last_error"]
                .as_str()
                .unwrap()
                .contains("moved permanently"),
            "{st}"
        );
        // Fixed (here: the server takes it again); the held event goes out.
        moved.store(false, Ordering::SeqCst);
        let out = run_ok(&env, &["flush"]);
        assert_stdout_has(&out, "hook: delivered 1");
        assert_eq!(tag_of(server.received().last().unwrap()), tag(0));
        assert_eq!(status_json(&env).1, 0);
    }
}

/// Rewrites the spool so its events carry a receive time 10 years ahead (they
/// were spooled while the clock was wrong).
fn spool_in_the_future(env: &TestEnv) {
    for seg in segments(env, "hook") {
        let text = std::fs::read_to_string(&seg).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            let ts = v["envelope"]["ts"].as_str().unwrap().to_string();
            let year: u32 = ts[..4].parse().unwrap();
            v["envelope"]["ts"] = json!(format!("{}{}", year + 10, &ts[4..]));
            out.push_str(&format!("{v}\n"));
        }
        std::fs::write(&seg, out).unwrap();
    }
}

#[test]
fn a_breaker_opened_while_the_clock_was_10_days_ahead_does_not_wait_10_days() {
    let env = TestEnv::new("clock-back");
    let port = webhook_down(&env, json!({}));
    for i in 0..2 {
        assert_exit(&env.hook(&tagged_event(i)), 0);
    }
    spool_in_the_future(&env);
    // The breaker as hookrelay wrote it while the clock was 10 days ahead (on
    // a boot whose clock cannot be compared: only the wall clock is left).
    let ahead = now_ms() + 10 * DAY_MS;
    std::fs::write(
        breaker_file(&env, "hook"),
        json!({
            "failures": 1, "open_until": ahead + 1_000, "cooldown_ms": 1_000,
            "opened_at": ahead, "last_failure": ahead,
            "boot_id": "00000000-0000-4000-8000-000000000000", "boot_until": 1_000,
            "last_error": "connection refused"
        })
        .to_string(),
    )
    .unwrap();
    let (st, _) = status_json(&env);
    let b = &st["backends"][0];
    let retry_in = epoch_ms_of(b["retry_at"].as_str().unwrap()).saturating_sub(now_ms());
    assert!(retry_in <= 1_000, "retry in {retry_in} ms: {st}");
    assert_ne!(b["breaker"], "open", "{st}");
    assert!(
        b["oldest_event_age_s"].is_null(),
        "no age for a future time: {st}"
    );
    let text = stdout(&env.run(&["status"], b""));
    assert!(text.contains("in the future"), "{text}");
    assert!(!text.contains("0 s ago"), "{text}");

    // The backend is back: the next hook probes and drains, no 10-day wait.
    let server = backend_back_on(port);
    assert_exit(&env.hook(&tagged_event(2)), 0);
    assert_eq!(received_tags(&server), vec![tag(0), tag(1), tag(2)]);
    let (st, code) = status_json(&env);
    assert_eq!(code, 0, "{st}");
    assert_eq!(st["backends"][0]["breaker"], "closed");
}

#[test]
fn a_breaker_file_of_an_older_version_10_days_ahead_waits_at_most_15_minutes() {
    let env = TestEnv::new("clock-back-legacy");
    webhook_down(&env, json!({}));
    // Older versions stored only wall times: nothing says how long the skip was.
    set_breaker(&env, "hook", 3, now_ms() + 10 * DAY_MS);
    assert_exit(&env.hook(&tagged_event(0)), 0);
    let (st, _) = status_json(&env);
    let b = &st["backends"][0];
    assert_eq!(b["breaker"], "open");
    let retry_in = epoch_ms_of(b["retry_at"].as_str().unwrap()).saturating_sub(now_ms());
    assert!(
        (1..=15 * 60_000).contains(&retry_in),
        "retry in {retry_in} ms, want within 15 min: {st}"
    );
    let file: Value = read_json(&breaker_file(&env, "hook"));
    assert_eq!(file["cooldown_ms"], 15 * 60_000, "{file}");
}

#[test]
fn a_killed_hook_journaled_while_the_clock_was_ahead_is_recovered_by_the_next_hook() {
    let env = TestEnv::new("clock-back-journal");
    let server = Server::start(|_| ok());
    env.write_config(&webhook_config(&server.url("/events"), json!({})));
    // A hook killed 10 days "from now" (the clock has since been set back).
    let born = now_ms() + 10 * DAY_MS;
    let dir = env.state_dir().join("inflight");
    std::fs::create_dir_all(&dir).unwrap();
    let raw = String::from_utf8(tagged_event(1)).unwrap();
    let header =
        json!({ "id": "11111111-2222-4333-8444-555555555555", "now_ms": born, "raw": raw });
    std::fs::write(
        dir.join(format!("{born}-999999-11111111.jnl")),
        format!("{header}\n"),
    )
    .unwrap();
    assert_exit(&env.hook(&tagged_event(2)), 0);
    let mut tags = received_tags(&server);
    tags.sort();
    assert_eq!(tags, vec![tag(1), tag(2)], "recovered without a flush");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}
