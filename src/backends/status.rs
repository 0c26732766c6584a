//! The status-code table every backend shares: which HTTP answers mean delivered,
//! retry later, held for a configuration fix, or refused. Each backend's
//! `classify` applies its contract's quirks first (Bloodbank's "500 … UUID is
//! not JSON serializable" is a success) and hands every other answer to
//! `outcome` / `outcome_with`, with its own hints naming its settings.
//!
//! The configuration class lives here once for every backend: 401, 403, 407 (a
//! key, secret or proxy credential is wrong), 404, 405 (the URL points at no such
//! endpoint), 301, 308 (the endpoint moved for good) and TLS certificate
//! failures are not the event's fault. The event is *held* in the spool, in
//! order, never dead-lettered: fixing the setting delivers it. Such a message
//! ends with `HELD` (`held_message`), which is how the breaker and `status` tell
//! "fix the setup" from "wait" (`config_problem`) without another outcome type.
//! Only payload-class answers (400, 413, 415, 422 and the other 4xx, per
//! backend contract) become dead letters.
//!
//! Two more rules for every backend: redirects are never followed (credentials
//! never travel to another URL; a permanent one names where the endpoint
//! moved); a `Retry-After` on a retryable answer (`retry_after_ms`) becomes the
//! breaker's cool-down, up to `RETRY_AFTER_CAP_MS`.

use super::{HttpResponse, Outcome};
use crate::util::clock;
use crate::util::url;

/// The longest `Retry-After` honoured (15 min). Why a cap: a server asking for
/// a day (or a bogus date years ahead) must not park events for that long
/// without anyone noticing; 15 minutes is 3 times the breaker's own longest
/// cool-down, and `hookrelay flush` (which ignores the breaker) is always there.
pub const RETRY_AFTER_CAP_MS: u64 = 15 * 60 * 1_000;

/// What an HTTP status means, before any backend's quirks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// 2xx: the backend has the event.
    Delivered,
    /// 401, 403, 404, 405, 407: the configuration is wrong (a key, a secret, a
    /// proxy credential, the URL or a source id in it); fixing it delivers, so the
    /// event is held in the spool and the operator told on every invocation.
    Config,
    /// 408, 429, 5xx: the backend is busy or broken right now.
    Transient,
    /// 301, 308: the endpoint moved for good; the config's URL needs fixing,
    /// then the held events go out. A configuration problem too.
    Moved,
    /// Any other answer: the backend refused this event itself.
    Refused,
}

pub fn classify_status(status: u16) -> Class {
    match status {
        200..=299 => Class::Delivered,
        301 | 308 => Class::Moved,
        401 | 403 | 404 | 405 | 407 => Class::Config,
        408 | 429 | 500..=599 => Class::Transient,
        _ => Class::Refused,
    }
}

/// What a backend's URL hint says when it names no setting of its own.
pub const URL_HINT: &str = "check this backend's URL in the config";

/// The end of every configuration-class error: the event is kept, in order.
pub const HELD: &str = " (events are held in the spool until this is fixed)";

/// The shared table as an outcome; `auth_hint` says what to check on a
/// 401/403/407 (it follows the status text: `"401 {...}: <auth_hint>"`), and a
/// 404/405 gets the generic `URL_HINT`.
pub fn outcome(resp: &HttpResponse, auth_hint: &str) -> Outcome {
    outcome_with(resp, auth_hint, URL_HINT)
}

/// `outcome` with the backend's own hint for a 404/405 (which setting holds the
/// URL, and what a wrong one looks like there).
pub fn outcome_with(resp: &HttpResponse, auth_hint: &str, url_hint: &str) -> Outcome {
    match classify_status(resp.status) {
        Class::Delivered => Outcome::Delivered,
        Class::Config if matches!(resp.status, 404 | 405) => held(resp, url_hint),
        Class::Config => held(resp, auth_hint),
        Class::Transient => Outcome::Retry(status_text(resp)),
        Class::Moved => Outcome::Retry(moved(resp)),
        Class::Refused => Outcome::Rejected(status_text(resp)),
    }
}

/// A configuration-class answer: held in the spool, with the backend's hint.
/// The answer's text is kept short: the line is said on every invocation.
pub fn held(resp: &HttpResponse, hint: &str) -> Outcome {
    let text: String = snippet(resp).chars().take(80).collect();
    let status = if text.is_empty() {
        resp.status.to_string()
    } else {
        format!("{} {text}", resp.status)
    };
    Outcome::Retry(held_message(&format!("{status}: {hint}")))
}

/// `what` marked as a configuration problem (see `config_problem`).
pub fn held_message(what: &str) -> String {
    format!("{what}{HELD}")
}

/// The configuration problem an error describes, without the `HELD` mark, or
/// `None` for a routine failure (down, slow, busy). TLS certificate failures
/// (from the transport) are configuration problems too: the certificate or
/// the URL's host must change, waiting will not help.
pub fn config_problem(error: &str) -> Option<&str> {
    if let Some(what) = error.strip_suffix(HELD) {
        return Some(what);
    }
    (error.contains("TLS handshake failed") || error.contains("TLS error:")).then_some(error)
}

/// The error of a permanent redirect: where the endpoint went (shown without
/// credentials or token-like parts) and what to do. The event stays spooled.
pub fn moved(resp: &HttpResponse) -> String {
    let to = match resp.location.as_deref().map(str::trim) {
        Some(l) if !l.is_empty() => {
            let shown: String = l.chars().take(300).filter(|c| !c.is_control()).collect();
            format!(
                "moved permanently to {}",
                url::mask_urls(&url::display(&shown))
            )
        }
        _ => "moved permanently (no Location given)".to_string(),
    };
    held_message(&format!(
        "{} {to}: the configured URL is out of date; set this backend's URL in the config \
         to the new location (hookrelay does not follow redirects; `hookrelay flush` sends \
         the held events once it is set)",
        resp.status
    ))
}

/// How long the backend asked us to wait (`Retry-After`: delta-seconds or an
/// HTTP date), in ms, capped at `RETRY_AFTER_CAP_MS`; `None` when the answer
/// carries none or an unreadable one. A date in the past means "now" (0).
pub fn retry_after_ms(resp: &HttpResponse, now_ms: u64) -> Option<u64> {
    let v = resp.retry_after.as_deref()?.trim();
    let ms = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only; a huge number saturates and is capped below.
        v.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(1000)
    } else {
        clock::parse_http_date(v)?.saturating_sub(now_ms)
    };
    Some(ms.min(RETRY_AFTER_CAP_MS))
}

/// `"<status> <snippet>"`, or just the status when the body is empty.
pub fn status_text(resp: &HttpResponse) -> String {
    let text = snippet(resp);
    if text.is_empty() {
        resp.status.to_string()
    } else {
        format!("{} {text}", resp.status)
    }
}

/// The first 200 characters of an answer, on one line, for error messages.
pub fn snippet(resp: &HttpResponse) -> String {
    let text = resp.body_text();
    let one_line: String = text
        .chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::resp;

    #[test]
    fn a_move_without_a_usable_location_says_so() {
        for location in [None, Some(""), Some("   ")] {
            let r = crate::backends::HttpResponse {
                location: location.map(str::to_string),
                ..resp(301, "")
            };
            assert!(
                moved(&r).starts_with("301 moved permanently (no Location given):"),
                "{location:?}: {}",
                moved(&r)
            );
        }
    }

    #[test]
    fn the_shared_table() {
        for (status, class) in [
            (200, Class::Delivered),
            (202, Class::Delivered),
            (401, Class::Config),
            (403, Class::Config),
            (404, Class::Config),
            (405, Class::Config),
            (407, Class::Config),
            (408, Class::Transient),
            (429, Class::Transient),
            (503, Class::Transient),
            (400, Class::Refused),
            (413, Class::Refused),
            (415, Class::Refused),
            (422, Class::Refused),
            (307, Class::Refused),
            (302, Class::Refused),
            (303, Class::Refused),
            (301, Class::Moved),
            (308, Class::Moved),
        ] {
            assert_eq!(classify_status(status), class, "{status}");
        }
        assert_eq!(
            outcome(&resp(401, " {\"e\":\n1} "), "check the key"),
            Outcome::Retry(format!("401 {{\"e\": 1}}: check the key{HELD}"))
        );
        assert_eq!(
            outcome_with(&resp(404, ""), "key", "check the source id"),
            Outcome::Retry(format!("404: check the source id{HELD}"))
        );
        assert_eq!(
            outcome(&resp(413, ""), "x"),
            Outcome::Rejected("413".into())
        );
    }

    #[test]
    fn configuration_problems_are_told_apart_from_routine_failures() {
        let Outcome::Retry(e) = outcome(&resp(403, &"x".repeat(500)), "fix $KEY") else {
            panic!("held");
        };
        assert_eq!(
            config_problem(&e),
            Some(format!("403 {}: fix $KEY", "x".repeat(80)).as_str()),
            "the answer's text is kept short"
        );
        let Outcome::Retry(e) = outcome(&with(308, None, None), "x") else {
            panic!("held");
        };
        assert!(config_problem(&e).is_some(), "a moved endpoint: {e}");
        let tls = "https://h:8443/x: TLS handshake failed: invalid peer certificate: UnknownIssuer";
        assert_eq!(config_problem(tls), Some(tls));
        for routine in [
            "http://127.0.0.1:9/x: connection refused (is the service running?)",
            "503 busy",
            "deadline reached",
        ] {
            assert_eq!(config_problem(routine), None, "{routine}");
        }
    }

    fn with(status: u16, retry_after: Option<&str>, location: Option<&str>) -> HttpResponse {
        HttpResponse {
            retry_after: retry_after.map(str::to_string),
            location: location.map(str::to_string),
            ..resp(status, "")
        }
    }

    #[test]
    fn a_permanent_redirect_is_held_and_names_where_it_went_without_secrets() {
        let r = with(
            301,
            None,
            Some("https://user:hunter2@new.example.test/v2/events?token=abc123"),
        );
        let Outcome::Retry(msg) = outcome(&r, "x") else {
            panic!("a 301 must be held in the spool, not refused");
        };
        assert!(
            msg.starts_with("301 moved permanently to https://new.example.test/v2/events"),
            "{msg}"
        );
        assert!(
            msg.contains("set this backend's URL in the config"),
            "{msg}"
        );
        assert!(!msg.contains("hunter2") && !msg.contains("abc123"), "{msg}");
        let Outcome::Retry(msg) = outcome(&with(308, None, None), "x") else {
            panic!("a 308 must be held");
        };
        assert!(msg.contains("no Location given"), "{msg}");
        // Temporary redirects are not followed and stay refused.
        assert!(matches!(
            outcome(&with(302, None, Some("http://127.0.0.1:1/x")), "x"),
            Outcome::Rejected(_)
        ));
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date_capped() {
        let now = 1_795_308_638_000; // Sun, 22 Nov 2026 00:50:38 GMT
        let ra = |v: &str| retry_after_ms(&with(429, Some(v), None), now);
        assert_eq!(ra("120"), Some(120_000));
        assert_eq!(ra(" 0 "), Some(0));
        assert_eq!(ra("3600"), Some(RETRY_AFTER_CAP_MS));
        assert_eq!(ra("99999999999999999999999"), Some(RETRY_AFTER_CAP_MS));
        assert_eq!(ra("Sun, 22 Nov 2026 00:52:38 GMT"), Some(120_000));
        assert_eq!(ra("Sun, 22 Nov 2026 00:40:00 GMT"), Some(0), "in the past");
        assert_eq!(
            ra("Mon, 22 Nov 2027 00:00:00 GMT"),
            Some(RETRY_AFTER_CAP_MS)
        );
        assert_eq!(ra("-5"), None);
        assert_eq!(ra("soon"), None);
        assert_eq!(retry_after_ms(&resp(503, ""), now), None);
    }
}
