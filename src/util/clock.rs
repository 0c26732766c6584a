//! Time: the wall clock as RFC 3339 UTC with milliseconds and back (and HTTP
//! dates, for `Retry-After`), without a date crate; and the boot clock, a reading
//! that never jumps when someone sets the wall clock, for cool-downs that must
//! survive across processes (the circuit breaker).
//!
//! Why two clocks: the wall clock is what people read, so it is what files show;
//! but it steps (NTP after a long suspend, a user fixing the date, a VM restored
//! from a snapshot), and a cool-down measured on it can end early or last days.
//! `std::time::Instant` does not step but means nothing to another process; the
//! kernel's boot clock (`CLOCK_BOOTTIME`, seconds since boot including suspend,
//! read from `/proc/uptime`) together with the boot's id does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as u64
}

/// A reading of the boot clock: which boot, and milliseconds since it began
/// (suspend included). Two readings compare only when their `id`s are equal.
#[derive(Clone, Debug, PartialEq)]
pub struct Boot {
    pub id: String,
    pub ms: u64,
}

/// The boot clock now, or `None` where the kernel does not offer it (not Linux,
/// `/proc` not mounted): callers then fall back to the wall clock.
pub fn boot() -> Option<Boot> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    Some(Boot {
        id: id.trim().to_string(),
        ms: parse_uptime_ms(&uptime)?,
    })
}

/// The first field of `/proc/uptime` (`9798.32 8257.35`) in milliseconds.
fn parse_uptime_ms(text: &str) -> Option<u64> {
    let first = text.split_whitespace().next()?;
    let (secs, frac) = first.split_once('.').unwrap_or((first, "0"));
    let secs: u64 = secs.parse().ok()?;
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    Some(secs * 1000 + frac.parse::<u64>().ok()?)
}

/// An HTTP date (RFC 9110 section 5.6.7) as epoch ms: the preferred IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms a recipient must still accept.
pub fn parse_http_date(s: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i as u32 + 1);
    let words: Vec<&str> = s.split_whitespace().collect();
    let (y, mo, d, hms) = match words.as_slice() {
        // IMF-fixdate: day-name "," day month year time "GMT"
        [_, d, m, y, t, "GMT"] => (y.parse::<i64>().ok()?, month(m)?, d.parse().ok()?, *t),
        // RFC 850: day-name "," day-month-2digit-year time "GMT"
        [_, dmy, t, "GMT"] => {
            let mut p = dmy.split('-');
            let (d, m, y) = (p.next()?, p.next()?, p.next()?);
            let y: i64 = y.parse().ok()?;
            // Two-digit years: 70-99 are 19xx, the rest 20xx (close enough to
            // RFC 9110's 50-year window for a server's retry hint).
            let y = if y < 70 { 2000 + y } else { 1900 + y };
            (y, month(m)?, d.parse().ok()?, *t)
        }
        // asctime: day-name month day time year
        [_, m, d, t, y] => (y.parse().ok()?, month(m)?, d.parse().ok()?, *t),
        _ => return None,
    };
    let mut t = hms.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next()??);
    if t.next().is_some() || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    u64::try_from((days * 86_400 + h * 3600 + mi * 60 + se) * 1000).ok()
}

/// `2026-11-22T00:50:38.378Z`
pub fn rfc3339_ms(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let ms = epoch_ms % 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let sod = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// `2026-11-22`, used to rotate the local JSONL file by day (UTC).
pub fn date(epoch_ms: u64) -> String {
    let (y, m, d) = civil_from_days((epoch_ms / 1000 / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses what `rfc3339_ms` writes (also without milliseconds, or with an offset of Z only).
pub fn parse_rfc3339_ms(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let ms = if b.get(19) == Some(&b'.') {
        let end = s[20..].find(|c: char| !c.is_ascii_digit())? + 20;
        let frac = &s[20..end];
        let v: i64 = frac.get(..3.min(frac.len()))?.parse().ok()?;
        v * 10_i64.pow(3 - frac.len().min(3) as u32)
    } else {
        0
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let total = ((days * 86_400 + h * 3600 + mi * 60 + se) * 1000) + ms;
    u64::try_from(total).ok()
}

// Howard Hinnant's algorithms (public domain): days since 1970-01-01 <-> civil date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_795_308_638_378), "2026-11-22T00:50:38.378Z");
        assert_eq!(rfc3339_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(date(1_795_308_638_378), "2026-11-22");
    }

    #[test]
    fn parse_round_trips() {
        for ms in [0, 1_795_308_638_378, 951_782_400_001, 4_102_444_799_999] {
            assert_eq!(parse_rfc3339_ms(&rfc3339_ms(ms)), Some(ms));
        }
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T00:50:38Z"),
            Some(1_795_308_638_000)
        );
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        // RFC 9110's own example, in each form.
        let want = Some(784_111_777_000);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), want);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), want);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), want);
        assert_eq!(
            parse_http_date("Sun, 22 Nov 2026 00:50:38 GMT"),
            Some(1_795_308_638_000)
        );
        for bad in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 36 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn boot_clock_reads_uptime_and_never_goes_back() {
        assert_eq!(parse_uptime_ms("9798.32 8257.35\n"), Some(9_798_320));
        assert_eq!(parse_uptime_ms("12 3"), Some(12_000));
        assert_eq!(parse_uptime_ms("x"), None);
        if let (Some(a), Some(b)) = (boot(), boot()) {
            assert_eq!(a.id, b.id);
            assert!(b.ms >= a.ms && a.ms > 0);
        }
    }
}
