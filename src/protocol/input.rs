//! Reading the HookInput from stdin (what could not be read is kept by
//! `store::rejects`).
//!
//! stdin is drained to EOF, even when the input is rejected, because Claude
//! Code turns an unread pipe (EPIPE) into a hook error and loses the hook's answer.
//! A writer that keeps stdin open after the event (a wrapper, a test harness)
//! must not hang the hook: once a complete JSON object or array has arrived and
//! the pipe stays idle for `IDLE_AFTER_VALUE`, reading stops; and nothing is
//! waited for beyond `READ_DEADLINE`.

use std::borrow::Cow;
use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::protocol::envelope::HookInput;

/// Inputs larger than this are rejected (kept, size-capped, in the rejects file).
/// Claude Code hands a hook whole tool inputs and outputs (a `Write` of a large
/// file, an MCP tool's answer) without a size limit, so the cap is far above what
/// a real tool call produces; it exists so that a runaway producer cannot take
/// the machine's memory (parsing holds about three copies of the input).
/// Backends with a smaller body limit get the event shrunk to fit (ChromaDB bridge).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Bytes read from stdin.
pub struct Raw {
    /// At most `MAX_INPUT_BYTES + 1` bytes (one more tells "too large").
    pub bytes: Vec<u8>,
    /// Total bytes that arrived, kept or not.
    pub total: usize,
    /// Set when reading stopped on an I/O error (what was read is still kept).
    pub read_error: Option<String>,
}

/// Why an input is not an event. Each message says what and where.
#[derive(Debug, PartialEq)]
pub enum InputError {
    Empty,
    TooLarge(usize),
    NotUtf8(usize),
    NotJson(String),
    NotObject(&'static str),
    MissingField(&'static str),
    NotAString(&'static str),
    Unreadable(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Empty => write!(f, "stdin was empty; expected one HookInput JSON object"),
            InputError::TooLarge(n) => write!(
                f,
                "stdin held {n} bytes, over the {MAX_INPUT_BYTES}-byte limit for one event"
            ),
            InputError::NotUtf8(at) => write!(f, "stdin is not valid UTF-8 (at byte {at})"),
            InputError::NotJson(e) => write!(f, "stdin is not valid JSON ({e})"),
            InputError::NotObject(kind) => {
                write!(
                    f,
                    "stdin holds a JSON {kind}; expected one HookInput object"
                )
            }
            InputError::MissingField(k) => write!(f, "the HookInput has no `{k}` field"),
            InputError::NotAString(k) => write!(f, "the HookInput's `{k}` is not a string"),
            InputError::Unreadable(e) => write!(f, "stdin could not be read ({e})"),
        }
    }
}

/// How long the pipe may stay idle after a complete JSON value before reading stops.
pub const IDLE_AFTER_VALUE: Duration = Duration::from_millis(100);

/// The longest stdin is read for when it is left open.
pub const READ_DEADLINE: Duration = Duration::from_secs(5);

/// What waiting for stdin to become readable found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wait {
    /// Data or end of file can be read without blocking (or it cannot be told).
    Ready,
    /// Nothing arrived within the timeout.
    Idle,
}

pub fn read_stdin() -> Raw {
    let stdin = std::io::stdin();
    let mut wait = |t: Duration| wait_for_stdin(&stdin, t);
    read_until_idle(&mut stdin.lock(), &mut wait, READ_DEADLINE)
}

/// Reads to EOF like `read_all`, but asks `wait` before every read whether data
/// is there: it stops once a complete JSON value has arrived and `wait` reports
/// the pipe idle for `IDLE_AFTER_VALUE`, or when `deadline` has passed (then,
/// without a complete value, `read_error` says so and the input is rejected).
pub fn read_until_idle(
    r: &mut dyn Read,
    wait: &mut dyn FnMut(Duration) -> Wait,
    deadline: Duration,
) -> Raw {
    let started = Instant::now();
    let limit = MAX_INPUT_BYTES + 1;
    // bytes[..len] arrived; the rest of `bytes` is zeroed room for the next read.
    let mut bytes: Vec<u8> = Vec::new();
    let mut len = 0;
    let mut total = 0;
    // Looked at only when the pipe goes idle, so a writer that closes stdin
    // (Claude Code) costs one poll per read and no scan.
    let mut value = ValueEnd::default();
    let mut scanned = 0;
    let mut read_error = None;
    loop {
        let left = deadline.saturating_sub(started.elapsed());
        let may_be_complete = total > 0 && total < limit && !value.trailing;
        let timeout = if may_be_complete {
            left.min(IDLE_AFTER_VALUE)
        } else {
            left
        };
        if timeout.is_zero() || wait(timeout) == Wait::Idle {
            value.scan(&bytes[scanned..len]);
            scanned = len;
            if value.complete() && total < limit {
                break;
            }
            if deadline <= started.elapsed() {
                if total < limit {
                    read_error = Some(format!(
                        "it stayed open {} s without a complete JSON value; \
                         the writer must close stdin after the event",
                        deadline.as_secs_f32()
                    ));
                }
                break;
            }
            continue;
        }
        let n = if len < limit {
            if len == bytes.len() {
                // Zeroed chunks that grow with the input: a large one up front
                // would touch pages a small event never needs.
                let chunk = len.clamp(4096, 1 << 20).min(limit - len);
                bytes.resize(len + chunk, 0);
            }
            let n = read_some(r, &mut bytes[len..]);
            len += *n.as_ref().unwrap_or(&0);
            n
        } else {
            read_some(r, &mut [0u8; 8192])
        };
        match n {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) => {
                read_error = Some(e.to_string());
                break;
            }
        }
    }
    bytes.truncate(len);
    if bytes.capacity() > bytes.len() + (1 << 20) {
        bytes.shrink_to_fit();
    }
    Raw {
        bytes,
        total,
        read_error,
    }
}

/// One read, retried when interrupted.
fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Tells when the bytes seen so far end one complete JSON object or array: the
/// brackets outside strings balance. Fed chunk by chunk, so each byte is looked
/// at once. Anything but whitespace after the value makes it incomplete for good
/// (then only end of file or the deadline stop reading; the parser reports it).
#[derive(Default)]
struct ValueEnd {
    depth: usize,
    started: bool,
    in_string: bool,
    escaped: bool,
    ended: bool,
    trailing: bool,
}

impl ValueEnd {
    fn complete(&self) -> bool {
        self.ended && !self.trailing
    }

    fn scan(&mut self, chunk: &[u8]) {
        for &c in chunk {
            if self.trailing {
                return;
            }
            if self.ended || !self.started {
                if c.is_ascii_whitespace() {
                    continue;
                }
                if self.ended || !(c == b'{' || c == b'[') {
                    // Trailing data, or a scalar: never judged complete early.
                    self.trailing = true;
                    return;
                }
                self.started = true;
                self.depth = 1;
                continue;
            }
            if self.in_string {
                match (self.escaped, c) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.ended = true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Waits up to `timeout` for stdin to be readable (data or end of file) with
/// poll(2). Any error from poll itself says `Ready`: the read then blocks or
/// fails as it would have without this check.
#[cfg(unix)]
fn wait_for_stdin(stdin: &std::io::Stdin, timeout: Duration) -> Wait {
    use std::os::fd::{AsFd, AsRawFd};

    #[repr(C)]
    struct PollFd {
        fd: i32,
        events: i16,
        revents: i16,
    }
    #[cfg(target_os = "linux")]
    type NFds = std::ffi::c_ulong;
    #[cfg(not(target_os = "linux"))]
    type NFds = std::ffi::c_uint;
    unsafe extern "C" {
        fn poll(fds: *mut PollFd, nfds: NFds, timeout: i32) -> i32;
    }
    const POLLIN: i16 = 0x1;

    let fd = stdin.as_fd().as_raw_fd();
    let until = Instant::now() + timeout;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        // Rounded up so a sub-millisecond remainder does not spin.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        let mut p = PollFd {
            fd,
            events: POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, nfds 1; poll only writes `revents`.
        let n = unsafe { poll(&mut p, 1, ms) };
        match n {
            0 => return Wait::Idle,
            n if n > 0 => return Wait::Ready,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
                continue;
            }
            _ => return Wait::Ready,
        }
    }
}

#[cfg(not(unix))]
fn wait_for_stdin(_stdin: &std::io::Stdin, _timeout: Duration) -> Wait {
    Wait::Ready
}

/// Reads to EOF, keeping at most `MAX_INPUT_BYTES + 1` bytes.
pub fn read_all(r: &mut dyn Read) -> Raw {
    // read_to_end fills spare capacity without zeroing it first (a zeroed 64 KB
    // chunk cost 16 page faults per event); Interrupted is retried inside.
    let mut bytes = Vec::with_capacity(16 * 1024);
    let limit = (MAX_INPUT_BYTES + 1) as u64;
    let mut read_error = r
        .take(limit)
        .read_to_end(&mut bytes)
        .err()
        .map(|e| e.to_string());
    let mut total = bytes.len();
    if read_error.is_none() && bytes.len() as u64 == limit {
        match std::io::copy(r, &mut std::io::sink()) {
            Ok(n) => total += n as usize,
            Err(e) => read_error = Some(e.to_string()),
        }
    }
    Raw {
        bytes,
        total,
        read_error,
    }
}

/// Parses one HookInput. Only `session_id` and `hook_event_name` are required.
pub fn parse(raw: &Raw) -> Result<HookInput, InputError> {
    if let Some(e) = &raw.read_error {
        return Err(InputError::Unreadable(e.clone()));
    }
    if raw.total > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(raw.total));
    }
    let text = std::str::from_utf8(&raw.bytes).map_err(|e| InputError::NotUtf8(e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let text = replace_lone_surrogates(text);
    let value: Value =
        serde_json::from_str(&text).map_err(|e| InputError::NotJson(e.to_string()))?;
    let raw = match value {
        Value::Object(map) => map,
        Value::Array(_) => return Err(InputError::NotObject("array")),
        Value::String(_) => return Err(InputError::NotObject("string")),
        Value::Number(_) => return Err(InputError::NotObject("number")),
        Value::Bool(_) => return Err(InputError::NotObject("boolean")),
        Value::Null => return Err(InputError::NotObject("null")),
    };
    let session_id = required(&raw, "session_id")?;
    let hook_event_name = required(&raw, "hook_event_name")?;
    Ok(HookInput {
        session_id,
        hook_event_name,
        raw,
    })
}

/// JSON text with every `\uXXXX` escape of a lone UTF-16 surrogate (a high one
/// not followed by a low one, or a low one on its own) rewritten to `\ufffd`.
/// JavaScript's `JSON.stringify` emits these for a string cut in the middle of an
/// emoji (Claude Code truncates tool output that way), and serde_json rejects
/// them; one replacement character loses less than rejecting the event.
/// Without any `\ud`/`\uD` in the text this is one search and no copy.
pub fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    if !(text.contains("\\ud") || text.contains("\\uD")) {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0; // b[..copied] is in `out` already
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        // Outside strings a backslash is a JSON error anyway; inside, every
        // escape is skipped whole, so `\\ud800` (an escaped backslash) is text.
        if b.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(unit) = hex4(b, i + 2) else {
            i += 2; // a malformed \u escape: left for the parser to report
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => match hex4_escape(b, i + 6) {
                Some(0xDC00..=0xDFFF) => {
                    i += 12; // a valid pair
                    continue;
                }
                _ => true,
            },
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
            o.extend_from_slice(&b[copied..i]);
            o.extend_from_slice(b"\\ufffd");
            copied = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.extend_from_slice(&b[copied..]);
            // Only ASCII escapes were swapped for ASCII escapes.
            Cow::Owned(String::from_utf8(o).expect("still UTF-8"))
        }
    }
}

/// The value of four hex digits at `b[at..at + 4]`.
fn hex4(b: &[u8], at: usize) -> Option<u16> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// The code unit of a `\uXXXX` escape starting at `b[at]`.
fn hex4_escape(b: &[u8], at: usize) -> Option<u16> {
    if b.get(at..at + 2)? != b"\\u" {
        return None;
    }
    hex4(b, at + 2)
}

fn required(map: &Map<String, Value>, key: &'static str) -> Result<String, InputError> {
    match map.get(key) {
        None | Some(Value::Null) => Err(InputError::MissingField(key)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(InputError::MissingField(key)),
        Some(_) => Err(InputError::NotAString(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(b: &[u8]) -> Raw {
        Raw {
            bytes: b.to_vec(),
            total: b.len(),
            read_error: None,
        }
    }

    #[test]
    fn accepts_minimal_and_keeps_unknown_fields() {
        let i = parse(&raw(
            br#"{"session_id":"s","hook_event_name":"FutureEvent","x":{"y":1}}"#,
        ))
        .unwrap();
        assert_eq!(i.hook_event_name, "FutureEvent");
        assert_eq!(i.raw["x"]["y"], 1);
    }

    #[test]
    fn names_each_kind_of_bad_input() {
        assert_eq!(parse(&raw(b"")), Err(InputError::Empty));
        assert_eq!(parse(&raw(b"  \n")), Err(InputError::Empty));
        assert_eq!(parse(&raw(b"[1]")), Err(InputError::NotObject("array")));
        assert!(matches!(
            parse(&raw(b"{\"session_id\":")),
            Err(InputError::NotJson(_))
        ));
        assert_eq!(
            parse(&raw(b"{\"a\":\"\xff\"}")),
            Err(InputError::NotUtf8(6))
        );
        assert_eq!(
            parse(&raw(br#"{"hook_event_name":"Stop"}"#)),
            Err(InputError::MissingField("session_id"))
        );
        assert_eq!(
            parse(&raw(br#"{"session_id":7,"hook_event_name":"Stop"}"#)),
            Err(InputError::NotAString("session_id"))
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fix = |s: &str| replace_lone_surrogates(s).into_owned();
        // JSON.stringify("ab😀".slice(0, 3)), a string cut mid-emoji.
        assert_eq!(fix(r#""ab\ud83d""#), r#""ab\ufffd""#);
        assert_eq!(fix(r#""\udc00x""#), r#""\ufffdx""#);
        assert_eq!(fix(r#""\uD83D\u0041""#), r#""\ufffd\u0041""#);
        assert_eq!(fix(r#""\ud83d\ud83d\ude00""#), r#""\ufffd\ud83d\ude00""#);
        // Valid pairs, escaped backslashes and other escapes are left alone, uncopied.
        for ok in [
            r#""\ud83d\ude00""#,
            r#""\\ud83d""#,
            r#""\u00e9\n""#,
            r#""\ud8""#,
            "plain",
        ] {
            assert!(
                matches!(replace_lone_surrogates(ok), Cow::Borrowed(_)),
                "{ok}"
            );
        }
        let i = parse(&raw(
            br#"{"session_id":"s","hook_event_name":"Stop","t":"ab\ud83d","u":"\udc00"}"#,
        ))
        .unwrap();
        assert_eq!(i.raw["t"], "ab\u{fffd}");
        assert_eq!(i.raw["u"], "\u{fffd}");
    }

    /// A reader that hands out its chunks, then stays open: `left` counts the
    /// chunks not yet read, which is what the fake wait looks at.
    struct HeldOpen {
        chunks: Vec<Vec<u8>>,
        left: std::rc::Rc<std::cell::Cell<usize>>,
    }
    impl Read for HeldOpen {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let chunk = self.chunks.remove(0);
            self.left.set(self.chunks.len());
            buf[..chunk.len()].copy_from_slice(&chunk);
            Ok(chunk.len())
        }
    }

    fn read_held_open(chunks: &[&[u8]]) -> Raw {
        let left = std::rc::Rc::new(std::cell::Cell::new(chunks.len()));
        let mut r = HeldOpen {
            chunks: chunks.iter().map(|c| c.to_vec()).collect(),
            left: left.clone(),
        };
        let mut wait = |_| {
            if left.get() == 0 {
                Wait::Idle
            } else {
                Wait::Ready
            }
        };
        read_until_idle(&mut r, &mut wait, Duration::from_millis(30))
    }

    #[test]
    fn a_complete_value_on_an_open_pipe_ends_the_read() {
        let r = read_held_open(&[b" {\"a\":\"}{\\\"\",", b"\"b\":[1,{}]} \n"]);
        assert_eq!(r.read_error, None);
        assert_eq!(r.bytes, b" {\"a\":\"}{\\\"\",\"b\":[1,{}]} \n");
        assert_eq!(r.total, r.bytes.len());
        // Cut short, a scalar, or trailing data: the deadline's error, bytes kept.
        for cut in [&b"{\"a\":\"}\""[..], b"{\"a\":[}", b"\"x\"", b"{} x"] {
            let r = read_held_open(&[cut]);
            assert!(
                r.read_error
                    .unwrap()
                    .contains("without a complete JSON value")
            );
            assert_eq!(r.bytes, cut);
        }
    }

    #[test]
    fn reading_until_idle_matches_reading_to_end() {
        let event = br#"{"session_id":"s","hook_event_name":"Stop"}"#;
        let mut wait = |_| Wait::Ready;
        let r = read_until_idle(&mut &event[..], &mut wait, READ_DEADLINE);
        assert_eq!(
            (r.bytes.as_slice(), r.total, r.read_error),
            (&event[..], event.len(), None)
        );
        let big = vec![b' '; MAX_INPUT_BYTES + 5000];
        let r = read_until_idle(&mut &big[..], &mut wait, READ_DEADLINE);
        assert_eq!(r.total, big.len());
        assert_eq!(r.bytes.len(), MAX_INPUT_BYTES + 1);
        assert_eq!(parse(&r), Err(InputError::TooLarge(big.len())));
    }

    #[test]
    fn reading_caps_memory_but_counts_everything() {
        let big = vec![b' '; MAX_INPUT_BYTES + 5000];
        let r = read_all(&mut &big[..]);
        assert_eq!(r.total, big.len());
        assert_eq!(r.bytes.len(), MAX_INPUT_BYTES + 1);
        assert_eq!(parse(&r), Err(InputError::TooLarge(big.len())));
    }
}
