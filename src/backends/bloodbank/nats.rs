//! Bloodbank's NATS mode: a JetStream publish over the documented NATS text
//! protocol (INFO, CONNECT, SUB, HPUB, PING/PONG) on a plain `std` TCP socket.
//!
//! Unlike Bloodbank's own hook (plain PUB, no message id, "PONG = success"), every
//! event is an `HPUB` with `Nats-Msg-Id` = hookrelay's event id and a reply inbox,
//! and only JetStream's PubAck counts as delivered: the stream has stored it (or
//! already had it: `duplicate`, within its 2-minute window). Everything else (no
//! stream for the subject, a refused login, a closed connection, no PubAck before
//! the deadline, a refused connection) is a retry from the spool, with the same id.
//!
//! TLS (`tls.rs`) is the NATS way: the server's INFO comes in plain text, then
//! the client upgrades the same socket (when the config asks for TLS or the
//! server requires it) and sends CONNECT inside it. NKey and `.creds` logins
//! (`nkey.rs`) sign INFO's `nonce`.
//!
//! Split like every backend: `request` builds the message (pure), `frames` and
//! `parse_*` are the protocol (pure), `classify` reads the reply (pure); only
//! `publish` does I/O. No async runtime: one event is one short exchange, and
//! starting a runtime per process costs more than the exchange (docs/backends.md
//! has the numbers).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::cloudevent;
use super::nkey::UserKey;
use super::tls::{self, Io, TlsSetup};
use crate::backends::status::held_message;
use crate::backends::{Outcome, Request, Secret};
use crate::protocol::envelope::Envelope;

pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 4222;
/// The NATS server's default `max_payload`, until its INFO says otherwise.
pub const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;
/// The stream Bloodbank stores its events in (for messages that point at it).
pub const STREAM: &str = "BLOODBANK_EVENTS";
/// Protocol lines (INFO, -ERR, MSG headers) longer than this are not NATS.
const MAX_LINE: usize = 64 * 1024;

/// Where to publish and as whom.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub auth: Auth,
    /// `Some`: TLS always (the config asked); `None`: only when the server's
    /// INFO requires it (then trusting the webpki roots alone).
    pub tls: Option<TlsSetup>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Auth {
    None,
    Token(Secret),
    UserPassword(String, Secret),
    /// An NKey user: its seed (`SU…`); CONNECT sends the public key.
    NKey(Secret),
    /// A `.creds` file's user JWT and seed (operator mode).
    Jwt {
        jwt: Secret,
        seed: Secret,
    },
}

impl Target {
    /// `nats://host:port` (`tls://` when TLS is asked for), as shown in
    /// messages (never with credentials).
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "tls" } else { "nats" };
        if self.host.contains(':') {
            format!("{scheme}://[{}]:{}", self.host, self.port)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// The parts of a `nats://[user[:password]@|token@]host[:port]` URL
/// (`tls://…` the same, asking for TLS).
#[derive(Clone, Debug, PartialEq)]
pub struct NatsUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// Parses a `nats://` or `tls://` URL; the error says what is wrong (without
/// the credentials).
pub fn parse_url(url: &str) -> Result<NatsUrl, String> {
    let (scheme, rest) = url.split_once("://").ok_or("is not a nats:// URL")?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "nats" => false,
        "tls" => true,
        _ => return Err("is not a nats:// URL".into()),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err("has a path or query; give only nats://host:port".into());
    }
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or("has an unclosed `[` in its host")?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("has no host".into());
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("has an invalid port `{p}`")),
        },
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((user, pw)) => (Some(user.to_string()), Some(pw.to_string())),
            None => (Some(u.to_string()), None),
        },
    };
    Ok(NatsUrl {
        tls,
        host: host.to_string(),
        port,
        user,
        password,
    })
}

/// The pseudo-header that carries the subject inside a `Request` (never sent as
/// a NATS header). Not in the URL: messages mask URL path segments that look
/// like tokens, and a subject such as `bloodbank.evt.v1.agent.session.started`
/// would be shown as `***`.
pub const SUBJECT: &str = ":subject";

/// The message for one event: `url` is the server (`nats://host:port`), the
/// subject is the `:subject` pseudo-header, the one NATS header is
/// `Nats-Msg-Id` (hookrelay's event id), the body the CloudEvent. `None` when
/// the event maps to nothing.
pub fn request(target: &Target, env: &Envelope) -> Option<Request> {
    let (subject, ce) = cloudevent::build(env)?;
    Some(Request {
        method: "HPUB",
        url: target.endpoint(),
        headers: vec![
            (SUBJECT.into(), subject),
            ("Nats-Msg-Id".into(), env.id.clone()),
        ],
        body: serde_json::to_vec(&ce).expect("JSON values serialise"),
    })
}

/// The subject of a request built by `request`.
pub fn subject_of(req: &Request) -> &str {
    req.headers
        .iter()
        .find(|(k, _)| k == SUBJECT)
        .map_or("", |(_, v)| v.as_str())
}

/// What the server's INFO says that matters here.
#[derive(Clone, Debug, PartialEq)]
pub struct Info {
    pub max_payload: usize,
    pub headers: bool,
    pub tls_required: bool,
    /// The server takes TLS if the client asks (`allow_non_tls`).
    pub tls_available: bool,
    pub jetstream: bool,
    /// What an NKey or JWT login signs.
    pub nonce: Option<String>,
}

/// Reads an `INFO {json}` line.
pub fn parse_info(line: &str) -> Option<Info> {
    let json = line.trim_end().strip_prefix("INFO")?.trim_start();
    let v: Value = serde_json::from_str(json).ok()?;
    Some(Info {
        max_payload: v["max_payload"]
            .as_u64()
            .map_or(DEFAULT_MAX_PAYLOAD, |n| n as usize),
        headers: v["headers"].as_bool().unwrap_or(false),
        tls_required: v["tls_required"].as_bool().unwrap_or(false),
        tls_available: v["tls_available"].as_bool().unwrap_or(false),
        jetstream: v["jetstream"].as_bool().unwrap_or(false),
        nonce: v["nonce"].as_str().map(str::to_string),
    })
}

/// The `CONNECT` line: headers (for `Nats-Msg-Id`) and no-responders (a subject
/// no stream stores is answered at once instead of timing out), credentials.
/// NKey and JWT logins sign the server's `nonce` (without one the server asks
/// for no signature, and `sig` is left out: it then refuses the login clearly).
pub fn connect_line(auth: &Auth, nonce: Option<&str>, tls: bool) -> String {
    let mut c = json!({
        "verbose": false,
        "pedantic": false,
        "tls_required": tls,
        "name": "hookrelay",
        "lang": "rust",
        "version": env!("CARGO_PKG_VERSION"),
        "protocol": 1,
        "headers": true,
        "no_responders": true,
    });
    match auth {
        Auth::None => {}
        Auth::Token(t) => c["auth_token"] = json!(t.expose()),
        Auth::UserPassword(u, p) => {
            c["user"] = json!(u);
            c["pass"] = json!(p.expose());
        }
        Auth::NKey(seed) | Auth::Jwt { seed, .. } => {
            // The seed was checked by `validate`; one that fails here sends
            // no signature and the server refuses the login.
            if let Ok(key) = UserKey::from_seed(seed.expose()) {
                match auth {
                    Auth::Jwt { jwt, .. } => c["jwt"] = json!(jwt.expose()),
                    _ => c["nkey"] = json!(key.public_key()),
                }
                if let Some(n) = nonce {
                    c["sig"] = json!(key.sign_nonce(n));
                }
            }
        }
    }
    format!("CONNECT {c}\r\n")
}

/// The NATS header block of a message (`NATS/1.0` and one line per header).
fn header_block(headers: &[(String, String)]) -> Vec<u8> {
    let mut h = b"NATS/1.0\r\n".to_vec();
    for (k, v) in headers.iter().filter(|(k, _)| !k.starts_with(':')) {
        // A header value cannot span lines; ids never do, but stay safe.
        let v: String = v.chars().filter(|c| !c.is_control()).collect();
        h.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    h.extend_from_slice(b"\r\n");
    h
}

/// Everything sent after INFO, in one write: CONNECT, the reply inbox's SUB, the
/// HPUB, and a PING (its PONG proves the server processed all of it).
/// The body is shrunk (`cloudevent::fit`) when the message would exceed the
/// server's `max_payload`: a bigger one would close the connection, every time.
pub fn frames(auth: &Auth, info: &Info, tls: bool, req: &Request, inbox: &str) -> Vec<u8> {
    let max_payload = info.max_payload;
    let hdr = header_block(&req.headers);
    let mut body = req.body.clone();
    if hdr.len() + body.len() > max_payload
        && let Ok(mut ce) = serde_json::from_slice::<Value>(&body)
    {
        cloudevent::fit(&mut ce, max_payload.saturating_sub(hdr.len()));
        body = serde_json::to_vec(&ce).expect("JSON values serialise");
    }
    let mut out = connect_line(auth, info.nonce.as_deref(), tls).into_bytes();
    out.extend_from_slice(format!("SUB {inbox} 1\r\n").as_bytes());
    out.extend_from_slice(
        format!(
            "HPUB {} {inbox} {} {}\r\n",
            subject_of(req),
            hdr.len(),
            hdr.len() + body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&hdr);
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\r\nPING\r\n");
    out
}

/// What came back for one publish.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The reply inbox got a message: a PubAck or a JetStream error (`payload`),
    /// or a status-only message (`status`, e.g. 503 no responders).
    Msg {
        status: Option<u16>,
        payload: Vec<u8>,
    },
    /// `-ERR '…'`: the server refused (login, permissions, size); it closes.
    Err(String),
    /// The connection ended before any reply.
    Closed,
    /// No reply before the deadline.
    Timeout,
    /// The server cannot take this client at all (TLS only, no headers).
    Unusable(String),
}

/// The status code of a message's header block (`NATS/1.0 503`), if any.
pub fn header_status(block: &[u8]) -> Option<u16> {
    let first = block.split(|b| *b == b'\n').next()?;
    let first = std::str::from_utf8(first).ok()?.trim_end();
    let code = first.strip_prefix("NATS/1.0")?.split_whitespace().next()?;
    code.parse().ok()
}

/// Reads a reply the way Bloodbank reads it: a PubAck (`duplicate` too) is
/// delivered; a JetStream error of the 400 family means the stream refuses this
/// message itself; every other answer, or none, is a retry.
pub fn classify(reply: &Reply, subject: &str) -> Outcome {
    match reply {
        Reply::Msg {
            status: Some(503), ..
        } => Outcome::Retry(format!(
            "no JetStream stream stores `{subject}` (no responders): create the stream {STREAM} (subjects bloodbank.evt.v1.>) as Bloodbank does, or check the server"
        )),
        Reply::Msg {
            status: Some(code), ..
        } if *code >= 300 => Outcome::Retry(format!("the server answered status {code}")),
        Reply::Msg { payload, .. } => {
            let v: Value = match serde_json::from_slice(payload) {
                Ok(v) => v,
                Err(_) => {
                    return Outcome::Retry(format!(
                        "the reply is not a JetStream PubAck: {}",
                        one_line(&String::from_utf8_lossy(payload))
                    ));
                }
            };
            if let Some(e) = v.get("error") {
                let code = e["code"].as_u64().unwrap_or(0);
                let what = format!(
                    "JetStream refused the message: {} (code {code}, err_code {})",
                    one_line(e["description"].as_str().unwrap_or("no description")),
                    e["err_code"].as_u64().unwrap_or(0)
                );
                return if code == 400 {
                    Outcome::Rejected(what)
                } else {
                    Outcome::Retry(what)
                };
            }
            if v["stream"].as_str().is_some_and(|s| !s.is_empty()) && v["seq"].is_u64() {
                Outcome::Delivered
            } else {
                Outcome::Retry(format!(
                    "the reply is not a JetStream PubAck: {}",
                    one_line(&v.to_string())
                ))
            }
        }
        Reply::Err(e) => {
            let lower = e.to_ascii_lowercase();
            if lower.contains("authorization") || lower.contains("authentication") {
                Outcome::Retry(format!(
                    "the server refused the login ({e}): check backends.bloodbank token / user / password / nkey_seed / seed_file / creds"
                ))
            } else if lower.contains("permissions violation") {
                Outcome::Retry(format!(
                    "the server refused ({e}): the user may not publish to `{subject}`"
                ))
            } else {
                Outcome::Retry(format!("the server refused ({e})"))
            }
        }
        Reply::Closed => {
            Outcome::Retry("the server closed the connection before acknowledging".into())
        }
        Reply::Timeout => Outcome::Retry(
            "no JetStream acknowledgement before the deadline (server hanging or slow?)".into(),
        ),
        Reply::Unusable(why) => Outcome::Retry(why.clone()),
    }
}

/// The JetStream API request that describes Bloodbank's stream: answering it
/// proves the login (a reply comes only after CONNECT was accepted) and the
/// stream, and it reads, never writes: no message is created.
pub const PROBE_SUBJECT: &str = "$JS.API.STREAM.INFO.BLOODBANK_EVENTS";

/// `doctor`'s check of the NATS mode: CONNECT with the credentials, then a
/// JetStream `STREAM.INFO` request for `BLOODBANK_EVENTS` (one exchange, as a
/// publish, with an empty body to the API subject instead of an event).
pub fn probe(
    target: &Target,
    deadline: Instant,
    connect_timeout: Duration,
) -> crate::backends::Finding {
    let req = Request {
        method: "HPUB",
        url: target.endpoint(),
        headers: vec![(SUBJECT.into(), PROBE_SUBJECT.into())],
        body: Vec::new(),
    };
    match exchange(target, &req, deadline, connect_timeout) {
        Ok(reply) => judge_probe(&reply),
        Err(e) => crate::backends::Finding::failed(
            e,
            "start nats-server, or fix backends.bloodbank.url / $BLOODBANK_NATS_HOST / $BLOODBANK_NATS_PORT; events are spooled meanwhile",
        ),
    }
}

/// Reads the server's answer to the `STREAM.INFO` request (pure).
pub fn judge_probe(reply: &Reply) -> crate::backends::Finding {
    use crate::backends::Finding;
    const CREATE: &str = "create the stream BLOODBANK_EVENTS (subjects bloodbank.evt.v1.>) as Bloodbank does (starting Bloodbank creates it); until then events are spooled";
    const LOGIN: &str = "check backends.bloodbank token / user / password (or the credentials in its url) against the server's authorization";
    match reply {
        Reply::Msg {
            status: Some(503), ..
        } => Finding::failed(
            "login accepted, but JetStream did not answer (no responders): JetStream is not enabled on this server",
            format!("run nats-server with JetStream (-js), then {CREATE}"),
        ),
        Reply::Msg {
            status: Some(code), ..
        } if *code >= 300 => Finding::failed(
            format!("login accepted, but the JetStream API answered status {code}"),
            "check the server's JetStream configuration",
        ),
        Reply::Msg { payload, .. } => {
            let v: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
            if let Some(e) = v.get("error") {
                let desc = one_line(e["description"].as_str().unwrap_or("no description"));
                return if e["code"].as_u64() == Some(404) {
                    Finding::failed(
                        format!("login accepted, but the stream {STREAM} does not exist ({desc})"),
                        CREATE,
                    )
                } else {
                    Finding::failed(
                        format!(
                            "login accepted, but JetStream refused to describe {STREAM}: {desc}"
                        ),
                        "check the server's JetStream configuration and this user's permissions",
                    )
                };
            }
            if v["config"]["name"] != STREAM {
                return Finding::failed(
                    format!(
                        "login accepted, but the answer is not JetStream stream info: {}",
                        one_line(&String::from_utf8_lossy(payload))
                    ),
                    "check that the url points at Bloodbank's NATS server",
                );
            }
            let messages = v["state"]["messages"].as_u64().unwrap_or(0);
            Finding::proven(format!(
                "login accepted and the stream {STREAM} exists ({messages} message(s)); checked with a JetStream STREAM.INFO request, no message published"
            ))
        }
        Reply::Err(e) => {
            let lower = e.to_ascii_lowercase();
            if lower.contains("authorization") || lower.contains("authentication") {
                Finding::failed(format!("the server refused the login ({e})"), LOGIN)
            } else if lower.contains("permissions violation") {
                Finding::partial(
                    format!("login accepted, but this user may not use the JetStream API ({e})"),
                    &format!("whether the stream {STREAM} exists could not be checked"),
                )
            } else {
                Finding::failed(format!("the server refused ({e})"), LOGIN)
            }
        }
        Reply::Closed => {
            Finding::failed("the server closed the connection before answering", LOGIN)
        }
        Reply::Timeout => Finding::failed(
            "no answer from the server before the deadline (hanging or slow?)",
            "check the server",
        ),
        Reply::Unusable(why) => Finding::failed(why.clone(), "see the message"),
    }
}

fn one_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::util::text::truncate_chars(s.trim(), 300).to_string()
}

/// Publishes one request and waits for its PubAck, within `deadline` (the
/// connection within `connect_timeout` as well). Never panics, never blocks past
/// the deadline.
pub fn publish(
    target: &Target,
    req: &Request,
    deadline: Instant,
    connect_timeout: Duration,
) -> Outcome {
    let endpoint = target.endpoint();
    let subject = subject_of(req);
    match exchange(target, req, deadline, connect_timeout) {
        Ok(reply) => match classify(&reply, subject) {
            Outcome::Delivered => Outcome::Delivered,
            Outcome::Retry(m) => Outcome::Retry(format!("{endpoint}: {m}")),
            Outcome::Rejected(m) => Outcome::Rejected(format!("{endpoint}: {m}")),
        },
        Err(e) => Outcome::Retry(format!("{endpoint}: {e}")),
    }
}

/// The I/O of one publish: a transport failure is `Err` (with words a user can
/// act on), anything the server said is a `Reply`.
fn exchange(
    target: &Target,
    req: &Request,
    deadline: Instant,
    connect_timeout: Duration,
) -> Result<Reply, String> {
    let left = || deadline.saturating_duration_since(Instant::now());
    if left().is_zero() {
        return Err("deadline reached before sending".into());
    }
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("host not found ({e}; check the URL)"))?
        .collect();
    let mut last = None;
    let mut stream = None;
    for a in addrs {
        let t = connect_timeout.min(left());
        if t.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&a, t) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let stream = match (stream, last) {
        (Some(s), _) => s,
        (None, Some(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Err("connection refused (is nats-server running?)".into());
        }
        (None, Some(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
            return Err(format!(
                "no connection within {} ms (host down, firewalled or unreachable?)",
                connect_timeout.as_millis()
            ));
        }
        (None, Some(e)) => return Err(e.to_string()),
        (None, None) => return Err("no address to connect to".into()),
    };
    let _ = stream.set_nodelay(true);
    let mut conn = Conn {
        sock: stream.try_clone().map_err(|e| e.to_string())?,
        io: BufReader::with_capacity(16 * 1024, Box::new(stream)),
    };
    let mut line = Vec::new();

    // INFO first, in plain text even from a TLS-only server.
    match read_line(&mut conn, &mut line, deadline) {
        Ok(Some(())) => {}
        Ok(None) => return Ok(Reply::Closed),
        Err(e) if e == TIMEOUT => return Ok(Reply::Timeout),
        Err(e) => return Err(e),
    }
    let text = String::from_utf8_lossy(&line).into_owned();
    let Some(info) = parse_info(&text) else {
        return Ok(Reply::Unusable(format!(
            "not a NATS server (it said `{}`)",
            one_line(&text)
        )));
    };
    if !info.headers {
        return Ok(Reply::Unusable(
            "the server does not support message headers (NATS 2.2 or newer is needed for Nats-Msg-Id)".into(),
        ));
    }
    let tls = target.tls.is_some() || info.tls_required;
    if target.tls.is_some() && !info.tls_required && !info.tls_available {
        return Err(held_message(
            "the server does not offer TLS, which backends.bloodbank.tls (or the tls:// URL) asks for: configure TLS on the server, or remove `tls`",
        ));
    }
    if tls {
        // The server waits for the ClientHello after its INFO: anything else
        // already read would be lost in the upgrade.
        if !conn.io.buffer().is_empty() {
            return Err("not NATS protocol: data after INFO before the TLS handshake".into());
        }
        let default = TlsSetup::default();
        let setup = target.tls.as_ref().unwrap_or(&default);
        let sock = conn.sock.try_clone().map_err(|e| e.to_string())?;
        let stream = tls::handshake(sock, &target.host, setup, left())?;
        conn.io = BufReader::with_capacity(16 * 1024, Box::new(stream));
    }
    let inbox = inbox();
    let out = frames(&target.auth, &info, tls, req, &inbox);
    conn.sock
        .set_write_timeout(Some(left().max(Duration::from_millis(1))))
        .map_err(|e| e.to_string())?;
    let sent = conn.io.get_mut().write_all(&out);
    if let Err(e) = sent.and_then(|()| conn.io.get_mut().flush()) {
        return match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => Ok(Reply::Timeout),
            // The server may have closed after an -ERR: read it below.
            _ => read_reply(&mut conn, &mut line, deadline).or(Ok(Reply::Closed)),
        };
    }
    read_reply(&mut conn, &mut line, deadline)
}

/// The connection: `io` reads and writes (plain or TLS), `sock` is the socket
/// under it, where the deadline is set as read and write timeouts.
struct Conn {
    sock: TcpStream,
    io: BufReader<Box<dyn Io>>,
}

/// Reads until the reply inbox gets its message, the server errs or closes, or
/// the deadline passes; answers the server's PINGs.
fn read_reply(conn: &mut Conn, line: &mut Vec<u8>, deadline: Instant) -> Result<Reply, String> {
    loop {
        match read_line(conn, line, deadline) {
            Ok(Some(())) => {}
            Ok(None) => return Ok(Reply::Closed),
            Err(e) if e == TIMEOUT => return Ok(Reply::Timeout),
            Err(e) => return Err(e),
        }
        let text = String::from_utf8_lossy(line).trim_end().to_string();
        let mut words = text.split_ascii_whitespace();
        let op = words.next().unwrap_or("").to_ascii_uppercase();
        let args: Vec<&str> = words.collect();
        match op.as_str() {
            "PING" => {
                let w = conn.io.get_mut();
                let _ = w.write_all(b"PONG\r\n").and_then(|()| w.flush());
            }
            "PONG" | "+OK" | "INFO" | "" => {}
            "-ERR" => {
                let msg = text[4..].trim().trim_matches('\'').to_string();
                return Ok(Reply::Err(one_line(&msg)));
            }
            // MSG <subject> <sid> [reply-to] <#bytes>
            "MSG" if args.len() >= 3 => {
                let n: usize = args[args.len() - 1].parse().map_err(|_| bad(&text))?;
                let payload = read_payload(conn, n, deadline)?;
                return Ok(Reply::Msg {
                    status: None,
                    payload,
                });
            }
            // HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
            "HMSG" if args.len() >= 4 => {
                let total: usize = args[args.len() - 1].parse().map_err(|_| bad(&text))?;
                let hlen: usize = args[args.len() - 2].parse().map_err(|_| bad(&text))?;
                if hlen > total {
                    return Err(bad(&text));
                }
                let all = read_payload(conn, total, deadline)?;
                return Ok(Reply::Msg {
                    status: header_status(&all[..hlen]),
                    payload: all[hlen..].to_vec(),
                });
            }
            _ => return Err(bad(&text)),
        }
    }
}

const TIMEOUT: &str = "timeout";

fn bad(line: &str) -> String {
    format!("not NATS protocol: `{}`", one_line(line))
}

/// One CRLF-terminated line into `line` (without the terminator); `None` at EOF.
fn read_line(conn: &mut Conn, line: &mut Vec<u8>, deadline: Instant) -> Result<Option<()>, String> {
    line.clear();
    let reader = &mut conn.io;
    loop {
        set_read_timeout(&conn.sock, deadline)?;
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => return Err(io_error(&e)),
        };
        if buf.is_empty() {
            return Ok(if line.is_empty() { None } else { Some(()) });
        }
        if let Some(i) = buf.iter().position(|b| *b == b'\n') {
            line.extend_from_slice(&buf[..i]);
            reader.consume(i + 1);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Some(()));
        }
        let n = buf.len();
        line.extend_from_slice(buf);
        reader.consume(n);
        if line.len() > MAX_LINE {
            return Err("not NATS protocol: a line without end".into());
        }
    }
}

/// `n` payload bytes and the CRLF after them.
fn read_payload(conn: &mut Conn, n: usize, deadline: Instant) -> Result<Vec<u8>, String> {
    if n > 64 * 1024 * 1024 {
        return Err("a reply too large to be a PubAck".into());
    }
    let mut buf = vec![0u8; n + 2];
    let mut got = 0;
    while got < buf.len() {
        set_read_timeout(&conn.sock, deadline)?;
        match conn.io.read(&mut buf[got..]) {
            Ok(0) => return Err("the server closed the connection mid-reply".into()),
            Ok(k) => got += k,
            Err(e) => return Err(io_error(&e)),
        }
    }
    buf.truncate(n);
    Ok(buf)
}

fn set_read_timeout(sock: &TcpStream, deadline: Instant) -> Result<(), String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(TIMEOUT.into());
    }
    sock.set_read_timeout(Some(left)).map_err(|e| e.to_string())
}

fn io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => TIMEOUT.into(),
        std::io::ErrorKind::ConnectionReset => {
            "the server reset the connection before acknowledging".into()
        }
        // What rustls says when a TLS server closes without close_notify.
        std::io::ErrorKind::UnexpectedEof => {
            "the server closed the connection before acknowledging".into()
        }
        _ => e.to_string(),
    }
}

/// A fresh reply subject: the PubAck comes back on it.
fn inbox() -> String {
    let mut b = [0u8; 12];
    if getrandom::getrandom(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b[..8].copy_from_slice(&(t as u64).to_le_bytes());
        b[8..].copy_from_slice(&std::process::id().to_le_bytes());
    }
    format!("_INBOX.hookrelay.{}", crate::util::text::hex(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::testing::envelope;

    fn target() -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: 4222,
            auth: Auth::None,
            tls: None,
        }
    }

    fn info(max_payload: usize, nonce: Option<&str>) -> Info {
        Info {
            max_payload,
            headers: true,
            tls_required: false,
            tls_available: false,
            jetstream: true,
            nonce: nonce.map(str::to_string),
        }
    }

    #[test]
    fn urls_parse_with_defaults_and_credentials() {
        let u = parse_url("nats://127.0.0.1").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("127.0.0.1", 4222));
        let u = parse_url("nats://bob:s3cret@nats.internal:4333").unwrap();
        assert_eq!(u.user.as_deref(), Some("bob"));
        assert_eq!(u.password.as_deref(), Some("s3cret"));
        assert_eq!(u.port, 4333);
        let u = parse_url("nats://tok@[::1]:4222/").unwrap();
        assert_eq!((u.host.as_str(), u.user.as_deref()), ("::1", Some("tok")));
        for bad in [
            "http://h:1",
            "nats://",
            "nats://h:0",
            "nats://h:x",
            "nats://h:1/sub",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        assert!(!parse_url("nats://u:pw@h:x").unwrap_err().contains("pw"));
    }

    #[test]
    fn the_request_is_an_hpub_with_the_event_id_as_msg_id() {
        let env = envelope("PostToolUse");
        let r = request(&target(), &env).unwrap();
        assert_eq!(r.method, "HPUB");
        assert_eq!(r.url, "nats://127.0.0.1:4222");
        assert_eq!(subject_of(&r), "bloodbank.evt.v1.agent.tool.completed");
        assert_eq!(r.header("nats-msg-id"), Some(env.id.as_str()));
        let ce: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(ce["id"], env.id);
        assert_eq!(request(&target(), &env), Some(r), "a replay is identical");
        assert!(request(&target(), &envelope("Notification")).is_none());
    }

    #[test]
    fn frames_follow_the_protocol_byte_counts() {
        let env = envelope("SessionStart");
        let r = request(&target(), &env).unwrap();
        let auth = Auth::Token(Secret::new("tok-1"));
        let f = frames(
            &auth,
            &info(DEFAULT_MAX_PAYLOAD, None),
            false,
            &r,
            "_INBOX.x",
        );
        let text = String::from_utf8(f).unwrap();
        let mut lines = text.split("\r\n");
        let connect: Value =
            serde_json::from_str(lines.next().unwrap().strip_prefix("CONNECT ").unwrap()).unwrap();
        assert_eq!(connect["headers"], true);
        assert_eq!(connect["no_responders"], true);
        assert_eq!(connect["auth_token"], "tok-1");
        assert_eq!(lines.next(), Some("SUB _INBOX.x 1"));
        let hpub: Vec<&str> = lines.next().unwrap().split(' ').collect();
        assert_eq!(
            hpub[..3],
            ["HPUB", "bloodbank.evt.v1.agent.session.started", "_INBOX.x"]
        );
        let hlen: usize = hpub[3].parse().unwrap();
        let total: usize = hpub[4].parse().unwrap();
        let rest = text
            .split_once(&format!("{}\r\n", hpub.join(" ")))
            .unwrap()
            .1;
        let hdr = &rest[..hlen];
        assert_eq!(hdr, format!("NATS/1.0\r\nNats-Msg-Id: {}\r\n\r\n", env.id));
        assert_eq!(&rest.as_bytes()[hlen..total], &r.body[..]);
        assert_eq!(&rest[total..], "\r\nPING\r\n");

        let up = connect_line(
            &Auth::UserPassword("u".into(), Secret::new("p")),
            None,
            false,
        );
        assert!(up.contains(r#""user":"u""#) && up.contains(r#""pass":"p""#));
        assert!(!connect_line(&Auth::None, None, false).contains("auth_token"));
        assert!(connect_line(&Auth::None, None, true).contains(r#""tls_required":true"#));
    }

    // The nats.py / nkeys test user (see nkey.rs for where the vectors come from).
    const SEED: &str = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";
    const SIG: &str =
        "ZaAiVDgB5CeYoXoQ7cBCmq-ZllzUnGUoDVb8C7PilWvCs8XKfUchAUhz2P4BYAF--Dg3w05CqyQFRDiGL6LrDw";

    fn connect_json(line: &str) -> Value {
        serde_json::from_str(line.strip_prefix("CONNECT ").unwrap().trim_end()).unwrap()
    }

    #[test]
    fn an_nkey_login_sends_the_public_key_and_the_signed_nonce_never_the_seed() {
        let line = connect_line(
            &Auth::NKey(Secret::new(SEED)),
            Some("PXoWU7zWAMt75FY"),
            false,
        );
        let c = connect_json(&line);
        assert_eq!(c["nkey"], PUBLIC);
        assert_eq!(c["sig"], SIG);
        assert!(c.get("jwt").is_none() && !line.contains(SEED), "{line}");
        // No nonce in INFO: no signature (the server then says what it wants).
        let c = connect_json(&connect_line(&Auth::NKey(Secret::new(SEED)), None, false));
        assert!(c.get("sig").is_none() && c["nkey"] == PUBLIC);
    }

    #[test]
    fn a_creds_login_sends_the_jwt_and_the_signed_nonce() {
        let auth = Auth::Jwt {
            jwt: Secret::new("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJVIn0.c2ln"),
            seed: Secret::new(SEED),
        };
        let line = connect_line(&auth, Some("PXoWU7zWAMt75FY"), true);
        let c = connect_json(&line);
        assert_eq!(c["jwt"], "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJVIn0.c2ln");
        assert_eq!(c["sig"], SIG);
        assert_eq!(c["tls_required"], true);
        assert!(c.get("nkey").is_none() && !line.contains(SEED), "{line}");
        assert!(!format!("{auth:?}").contains(SEED), "Debug hides the seed");
    }

    #[test]
    fn tls_urls_parse_and_show_as_tls() {
        let u = parse_url("tls://nats.example.test:4443").unwrap();
        assert!(u.tls && u.port == 4443);
        assert!(!parse_url("nats://h").unwrap().tls);
        let t = Target {
            tls: Some(TlsSetup::default()),
            ..target()
        };
        assert_eq!(t.endpoint(), "tls://127.0.0.1:4222");
    }

    #[test]
    fn a_message_over_max_payload_is_shrunk_to_fit_not_refused() {
        let mut env = envelope("UserPromptSubmit");
        env.input["prompt"] = json!("x".repeat(200_000));
        let r = request(&target(), &env).unwrap();
        let f = frames(&Auth::None, &info(32 * 1024, None), false, &r, "_INBOX.x");
        let text = String::from_utf8(f).unwrap();
        let hpub = text.lines().nth(2).unwrap();
        let total: usize = hpub.trim_end().rsplit(' ').next().unwrap().parse().unwrap();
        assert!(total <= 32 * 1024, "{total}");
        assert!(text.contains("[truncated"));
        assert!(text.contains(&env.id), "the id stays");
    }

    #[test]
    fn info_is_read_with_the_default_max_payload() {
        let i = parse_info(
            r#"INFO {"server_id":"x","max_payload":1048576,"headers":true,"jetstream":true}"#,
        )
        .unwrap();
        assert_eq!(i.max_payload, 1_048_576);
        assert!(i.headers && i.jetstream && !i.tls_required && i.nonce.is_none());
        let i = parse_info(r#"INFO {"tls_required":true,"nonce":"n0nce"}"#).unwrap();
        assert!(i.tls_required && !i.headers && !i.tls_available);
        assert_eq!(i.nonce.as_deref(), Some("n0nce"));
        assert_eq!(i.max_payload, DEFAULT_MAX_PAYLOAD);
        assert!(parse_info("HTTP/1.1 400 Bad Request").is_none());
    }

    #[test]
    fn replies_are_classified_as_the_contract_says() {
        let subj = "bloodbank.evt.v1.agent.tool.completed";
        let msg = |p: &str| Reply::Msg {
            status: None,
            payload: p.as_bytes().to_vec(),
        };
        assert_eq!(
            classify(&msg(r#"{"stream":"BLOODBANK_EVENTS","seq":7}"#), subj),
            Outcome::Delivered
        );
        assert_eq!(
            classify(
                &msg(r#"{"stream":"BLOODBANK_EVENTS","seq":7,"duplicate":true}"#),
                subj
            ),
            Outcome::Delivered,
            "already stored: delivered, not stored twice"
        );
        // A PubAck names its stream and sequence; half of one is not one.
        for half in [
            r#"{"stream":"BLOODBANK_EVENTS"}"#,
            r#"{"seq":3}"#,
            r#"{"stream":"","seq":3}"#,
        ] {
            match classify(&msg(half), subj) {
                Outcome::Retry(m) => assert!(m.contains("not a JetStream PubAck"), "{m}"),
                o => panic!("{half}: {o:?}"),
            }
        }
        // Any other status of 300 and up is the server's, not a PubAck: said by
        // its code. Below 300 the payload decides.
        let timeout = Reply::Msg {
            status: Some(408),
            payload: vec![],
        };
        assert_eq!(
            classify(&timeout, subj),
            Outcome::Retry("the server answered status 408".into())
        );
        let ok_with_status = Reply::Msg {
            status: Some(200),
            payload: br#"{"stream":"BLOODBANK_EVENTS","seq":8}"#.to_vec(),
        };
        assert_eq!(classify(&ok_with_status, subj), Outcome::Delivered);
        let no_stream = Reply::Msg {
            status: Some(503),
            payload: vec![],
        };
        match classify(&no_stream, subj) {
            Outcome::Retry(m) => assert!(m.contains("no responders") && m.contains(subj), "{m}"),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            classify(
                &msg(
                    r#"{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}"#
                ),
                subj
            ),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            classify(
                &msg(
                    r#"{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}}"#
                ),
                subj
            ),
            Outcome::Rejected(_)
        ));
        assert!(matches!(classify(&msg("{}"), subj), Outcome::Retry(_)));
        assert!(matches!(classify(&msg("+OK"), subj), Outcome::Retry(_)));
        match classify(&Reply::Err("Authorization Violation".into()), subj) {
            Outcome::Retry(m) => assert!(m.contains("token"), "{m}"),
            o => panic!("{o:?}"),
        }
        for r in [Reply::Closed, Reply::Timeout, Reply::Unusable("x".into())] {
            assert!(matches!(classify(&r, subj), Outcome::Retry(_)), "{r:?}");
        }
    }

    #[test]
    fn messages_keep_the_subject_readable_after_url_scrubbing() {
        let r = request(&target(), &envelope("SessionStart")).unwrap();
        let no_stream = Reply::Msg {
            status: Some(503),
            payload: vec![],
        };
        let Outcome::Retry(m) = classify(&no_stream, subject_of(&r)) else {
            panic!()
        };
        let shown = crate::util::url::scrub(&m, &r.url);
        assert!(
            shown.contains("`bloodbank.evt.v1.agent.session.started`"),
            "{shown}"
        );
    }

    #[test]
    fn the_probe_reads_stream_info_and_refusals() {
        use crate::backends::Proof;
        let msg = |p: &str| Reply::Msg {
            status: None,
            payload: p.as_bytes().to_vec(),
        };
        let ok = judge_probe(&msg(
            r#"{"type":"io.nats.jetstream.api.v1.stream_info_response","config":{"name":"BLOODBANK_EVENTS"},"state":{"messages":3}}"#,
        ));
        assert_eq!(ok.proof, Proof::Proven, "{ok:?}");
        assert!(ok.message.contains("3 message"));
        let none = judge_probe(&msg(
            r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#,
        ));
        assert_eq!(none.proof, Proof::Failed);
        assert!(none.fix.unwrap().contains(STREAM));
        for e in ["Authorization Violation", "Authentication Timeout"] {
            let login = judge_probe(&Reply::Err(e.into()));
            assert!(login.message.contains("refused the login"), "{login:?}");
            assert!(login.fix.unwrap().contains("token"));
        }
        let slow = judge_probe(&Reply::Msg {
            status: Some(408),
            payload: vec![],
        });
        assert!(slow.message.contains("answered status 408"), "{slow:?}");
        let info_with_status = judge_probe(&Reply::Msg {
            status: Some(200),
            payload: br#"{"config":{"name":"BLOODBANK_EVENTS"},"state":{"messages":1}}"#.to_vec(),
        });
        assert_eq!(
            info_with_status.proof,
            Proof::Proven,
            "{info_with_status:?}"
        );
        let nojs = judge_probe(&Reply::Msg {
            status: Some(503),
            payload: vec![],
        });
        assert!(nojs.message.contains("JetStream"));
        assert_eq!(
            judge_probe(&Reply::Err("Permissions Violation for Publish".into())).proof,
            Proof::Partial
        );
    }

    #[test]
    fn every_publish_has_its_own_reply_inbox() {
        // Two hooks publishing at once must not take each other's PubAck.
        let (a, b) = (inbox(), inbox());
        assert_ne!(a, b);
        assert!(a.starts_with("_INBOX.hookrelay.") && a.len() > 30, "{a}");
    }

    #[test]
    fn header_status_reads_the_first_line() {
        assert_eq!(header_status(b"NATS/1.0 503\r\n\r\n"), Some(503));
        assert_eq!(
            header_status(b"NATS/1.0 408 Request Timeout\r\n\r\n"),
            Some(408)
        );
        assert_eq!(header_status(b"NATS/1.0\r\nA: b\r\n\r\n"), None);
    }

    #[test]
    fn a_refused_connection_is_an_outage() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        match publish_to(port, 2_000, 300) {
            Outcome::Retry(m) => assert!(m.contains("connection refused"), "{m}"),
            o => panic!("{o:?}"),
        }
    }

    /// `publish` of a SessionStart event to 127.0.0.1:`port`, with the
    /// deadline and connect timeout given in ms.
    fn publish_to(port: u16, deadline_ms: u64, connect_ms: u64) -> Outcome {
        let t = Target { port, ..target() };
        let r = request(&t, &envelope("SessionStart")).unwrap();
        publish(
            &t,
            &r,
            Instant::now() + Duration::from_millis(deadline_ms),
            Duration::from_millis(connect_ms),
        )
    }

    /// One connection to a fake NATS server run by `serve` (which returns what
    /// the client said): what `publish` made of it, within 800 ms.
    fn against(
        serve: impl FnOnce(std::net::TcpStream) -> String + Send + 'static,
    ) -> (Outcome, String) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let server = std::thread::spawn(move || serve(l.accept().unwrap().0));
        let o = publish_to(port, 800, 300);
        (o, server.join().unwrap())
    }

    /// A server that writes `first`, pauses (so the client reads it on its
    /// own), writes `rest` and closes; what the client made of it.
    fn after_split_info(first: Vec<u8>, rest: Vec<u8>) -> Outcome {
        against(move |mut s| {
            std::io::Write::write_all(&mut s, &first).unwrap();
            std::thread::sleep(Duration::from_millis(100));
            let _ = std::io::Write::write_all(&mut s, &rest);
            std::thread::sleep(Duration::from_millis(100));
            String::new()
        })
        .0
    }

    #[test]
    fn a_server_that_hangs_up_during_the_tls_handshake_is_said_so() {
        let (o, _) = against(|mut s| {
            use std::io::{Read, Write};
            s.write_all(b"INFO {\"server_id\":\"x\",\"headers\":true,\"tls_required\":true}\r\n")
                .unwrap();
            // Take the ClientHello, then close without a word.
            let mut hello = [0u8; 512];
            let _ = s.read(&mut hello);
            String::new()
        });
        match o {
            Outcome::Retry(m) => assert!(
                m.contains("the server closed the connection during the TLS handshake"),
                "{m}"
            ),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn a_long_info_line_in_pieces_is_nats_and_an_endless_line_is_not() {
        // A cluster's INFO lists every route in `connect_urls`: kilobytes.
        let urls: Vec<String> = (0..800)
            .map(|i| format!("\"10.0.{}.{}:4222\"", i / 250, i % 250))
            .collect();
        let info = format!(
            "INFO {{\"server_id\":\"x\",\"max_payload\":1048576,\"headers\":true,\"connect_urls\":[{}]}}\r\n",
            urls.join(",")
        )
        .into_bytes();
        assert!(info.len() > 8 * 1024);
        let (a, b) = info.split_at(info.len() / 2);
        match after_split_info(a.to_vec(), b.to_vec()) {
            Outcome::Retry(m) => assert!(!m.contains("not NATS"), "{m}"),
            o => panic!("{o:?}"),
        }
        // More than 64 KiB without a line end is not NATS.
        match after_split_info(vec![b'x'; 40 * 1024], vec![b'x'; 40 * 1024]) {
            Outcome::Retry(m) => assert!(m.contains("not NATS protocol"), "{m}"),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn a_server_that_takes_no_connection_is_said_as_a_connect_timeout() {
        // A listener whose queue of pending connections is full drops new
        // SYNs: the connect times out, as for a firewalled or lost host.
        use std::os::fd::AsRawFd;
        unsafe extern "C" {
            fn listen(fd: i32, backlog: i32) -> i32;
        }
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert_eq!(unsafe { listen(l.as_raw_fd(), 0) }, 0);
        let addr = l.local_addr().unwrap();
        let fill: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        match publish_to(addr.port(), 2_000, 300) {
            Outcome::Retry(m) => assert!(m.contains("no connection within 300 ms"), "{m}"),
            o => panic!("{o:?}"),
        }
        drop(fill);
        drop(l);
    }

    /// A NATS server that sends INFO, reads the client's frames up to its
    /// PING, then answers with `script`; returns what `publish` made of it and
    /// everything the client wrote.
    fn scripted(script: &'static [u8]) -> (Outcome, String) {
        use std::io::{Read, Write};
        against(move |mut s| {
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            s.write_all(b"INFO {\"server_id\":\"x\",\"max_payload\":1048576,\"headers\":true,\"jetstream\":true}\r\n").unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !got.ends_with(b"PING\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            s.write_all(script).unwrap();
            // Whatever the client says next (a PONG), until it hangs up.
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
            got.extend_from_slice(&rest);
            String::from_utf8_lossy(&got).into_owned()
        })
    }

    #[test]
    fn the_server_s_ping_is_answered_and_its_reply_read() {
        let (o, said) = scripted(
            b"PONG\r\nPING\r\nMSG _INBOX.x 1 37\r\n{\"stream\":\"BLOODBANK_EVENTS\",\"seq\":9}\r\n",
        );
        assert_eq!(o, Outcome::Delivered);
        assert!(said.ends_with("PING\r\nPONG\r\n"), "{said}");
        // A JetStream status arrives as a header-only HMSG.
        let (o, _) = scripted(b"HMSG _INBOX.x 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
        assert!(
            matches!(&o, Outcome::Retry(m) if m.contains("no responders")),
            "{o:?}"
        );
        let (o, _) = scripted(
            b"HMSG _INBOX.x 1 12 50\r\nNATS/1.0\r\n\r\n{\"stream\":\"BLOODBANK_EVENTS\",\"seq\":10}\r\n",
        );
        assert_eq!(o, Outcome::Delivered);
        // Not NATS: said with what came.
        let (o, _) = scripted(b"HTTP/1.1 400 Bad Request\r\n");
        assert!(
            matches!(&o, Outcome::Retry(m) if m.contains("not NATS protocol: `HTTP/1.1 400 Bad Request`")),
            "{o:?}"
        );
        // No reply: the deadline.
        let (o, _) = scripted(b"");
        assert!(
            matches!(&o, Outcome::Retry(m) if m.contains("deadline")),
            "{o:?}"
        );
    }

    #[test]
    fn replies_that_are_not_what_nats_sends_are_said_and_odd_ones_read() {
        let not_nats = |script: &'static [u8]| match scripted(script).0 {
            Outcome::Retry(m) => m,
            o => panic!("{o:?}"),
        };
        // Too few fields for a MSG or an HMSG, a line without end, a size no
        // PubAck has: not NATS as hookrelay speaks it, said as such.
        for script in [
            &b"MSG _INBOX.x 5\r\nhello\r\n"[..],
            b"HMSG _INBOX.x 5 5\r\nhello\r\n",
        ] {
            let m = not_nats(script);
            assert!(m.contains("not NATS protocol: `"), "{m}");
        }
        let endless: &'static [u8] = Box::leak(vec![b'x'; 70 * 1024].into_boxed_slice());
        assert!(not_nats(endless).contains("not NATS protocol: a line without end"));
        let huge = not_nats(b"MSG _INBOX.x 1 104857600\r\n");
        assert!(huge.contains("too large to be a PubAck"), "{huge}");
        // An HMSG naming a reply subject, and a PubAck padded to 2 MB: read.
        let (o, _) = scripted(
            b"HMSG _INBOX.x 1 reply.to 12 50\r\nNATS/1.0\r\n\r\n{\"stream\":\"BLOODBANK_EVENTS\",\"seq\":11}\r\n",
        );
        assert_eq!(o, Outcome::Delivered);
        let ack = br#"{"stream":"BLOODBANK_EVENTS","seq":12}"#;
        let mut big = format!("MSG _INBOX.x 1 {}\r\n", 2_000_000).into_bytes();
        big.extend_from_slice(ack);
        big.resize(big.len() + 2_000_000 - ack.len(), b' ');
        big.extend_from_slice(b"\r\n");
        let (o, _) = scripted(Box::leak(big.into_boxed_slice()));
        assert_eq!(o, Outcome::Delivered);
    }

    #[test]
    fn a_silent_server_is_abandoned_at_the_deadline() {
        let (port, hold) = crate::backends::testing::silent_server();
        let start = Instant::now();
        let o = publish_to(port, 300, 200);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        match o {
            Outcome::Retry(m) => assert!(m.contains("deadline"), "{m}"),
            o => panic!("{o:?}"),
        }
        drop(hold);
    }
}
