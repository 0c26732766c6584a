//! The status-code table every backend shares: which HTTP answers mean delivered,
//! retry later or refused. Each backend's `classify` applies its contract's quirks
//! first (Bloodbank's "500 … UUID is not JSON serializable" is a success) and hands
//! every other answer to `outcome`, with its own hint for an auth failure.

use super::{HttpResponse, Outcome};

/// What an HTTP status means, before any backend's quirks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// 2xx: the backend has the event.
    Delivered,
    /// 401, 403: a key or signature is wrong; fixing it delivers, so keep the event.
    Auth,
    /// 408, 429, 5xx: the backend is busy or broken right now.
    Transient,
    /// Any other answer: the backend refused this event itself.
    Refused,
}

pub fn classify_status(status: u16) -> Class {
    match status {
        200..=299 => Class::Delivered,
        401 | 403 => Class::Auth,
        408 | 429 | 500..=599 => Class::Transient,
        _ => Class::Refused,
    }
}

/// The shared table as an outcome; `auth_hint` says what to check on a 401/403
/// (it follows the status text: `"401 {...}: <auth_hint>"`).
pub fn outcome(resp: &HttpResponse, auth_hint: &str) -> Outcome {
    match classify_status(resp.status) {
        Class::Delivered => Outcome::Delivered,
        Class::Auth => Outcome::Retry(format!("{}: {auth_hint}", status_text(resp))),
        Class::Transient => Outcome::Retry(status_text(resp)),
        Class::Refused => Outcome::Rejected(status_text(resp)),
    }
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
    fn the_shared_table() {
        for (status, class) in [
            (200, Class::Delivered),
            (202, Class::Delivered),
            (401, Class::Auth),
            (403, Class::Auth),
            (408, Class::Transient),
            (429, Class::Transient),
            (503, Class::Transient),
            (400, Class::Refused),
            (404, Class::Refused),
            (307, Class::Refused),
        ] {
            assert_eq!(classify_status(status), class, "{status}");
        }
        assert_eq!(
            outcome(&resp(401, " {\"e\":\n1} "), "check the key"),
            Outcome::Retry("401 {\"e\": 1}: check the key".into())
        );
        assert_eq!(
            outcome(&resp(413, ""), "x"),
            Outcome::Rejected("413".into())
        );
    }
}
