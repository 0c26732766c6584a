//! A recording HTTP/1.1 server on 127.0.0.1 (random port) for integration tests.
//! A handler decides each answer, so a test server can enforce a backend's
//! contract strictly and answer the way the real service does, odd answers included.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// True when the body came chunked (no Content-Length).
    pub chunked: bool,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// Wait this long before answering (a slow or hanging backend).
    pub delay: Duration,
    /// HTTP/1.0 style: no Content-Length, close after the body.
    pub close_without_length: bool,
    /// Extra headers (`Retry-After`, `Location`).
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.as_bytes().to_vec(),
            content_type: "application/json",
            delay: Duration::ZERO,
            close_without_length: false,
            headers: Vec::new(),
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
    pub fn http10(mut self) -> Reply {
        self.close_without_length = true;
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

pub struct Server {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Server {
        Self::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), handler)
    }

    /// Starts on a given listener (e.g. to bring a backend back on the same port).
    pub fn start_on(
        listener: TcpListener,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, stop2) = (requests.clone(), stop.clone());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let (h, r, st) = (handler.clone(), reqs.clone(), stop2.clone());
                        std::thread::spawn(move || serve(s, h, r, st));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server {
            port,
            requests,
            stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A port with nothing listening (connection refused).
pub fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Serves one connection: request after request until the peer or a reply closes it.
fn serve(
    stream: TcpStream,
    handler: Arc<Handler>,
    reqs: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
) {
    stream.set_nonblocking(false).unwrap();
    // Head and body go out in two writes: without this, Nagle holds the body
    // for the client's delayed ACK (40 ms per keep-alive request).
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    while let Some((rec, version)) = read_request(&mut reader) {
        reqs.lock().unwrap().push(rec.clone());
        let reply = handler(&rec);
        wait_unless_stopped(reply.delay, &stop);
        let close = reply.close_without_length
            || version == "HTTP/1.0"
            || rec
                .headers
                .get("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if !write_reply(&mut out, &reply, close) {
            return;
        }
        if close {
            let _ = out.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

/// Reads one request and the HTTP version it spoke; `None` when the connection
/// ended or broke mid-request.
fn read_request(reader: &mut impl BufRead) -> Option<(Recorded, String)> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let version = parts.next().unwrap_or("HTTP/1.1").to_string();
    let headers = read_headers(reader)?;
    let chunked = headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"));
    let body = read_body(reader, &headers, chunked)?;
    let rec = Recorded {
        method,
        path,
        headers,
        body,
        chunked,
    };
    Some((rec, version))
}

/// The header lines up to the blank line, names lower-cased.
fn read_headers(reader: &mut impl BufRead) -> Option<BTreeMap<String, String>> {
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            return Some(headers);
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
}

/// The body by Content-Length, else chunked, else empty.
fn read_body(
    reader: &mut impl BufRead,
    headers: &BTreeMap<String, String>,
    chunked: bool,
) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    if let Some(n) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(n, 0);
        reader.read_exact(&mut body).ok()?;
    } else if chunked {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).unwrap_or(0) == 0 {
                return None;
            }
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Some(body)
}

/// Sleeps `delay` in small steps, cut short when the server is dropped.
fn wait_unless_stopped(delay: Duration, stop: &AtomicBool) {
    if delay.is_zero() {
        return;
    }
    let end = std::time::Instant::now() + delay;
    while std::time::Instant::now() < end && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Writes the status line, headers and body; false when the peer is gone.
fn write_reply(out: &mut impl Write, reply: &Reply, close: bool) -> bool {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.close_without_length {
        head = head.replacen("HTTP/1.1", "HTTP/1.0", 1);
        head.push_str("Connection: close\r\n");
    } else {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
    }
    head.push_str("\r\n");
    if out.write_all(head.as_bytes()).is_err() || out.write_all(&reply.body).is_err() {
        return false;
    }
    let _ = out.flush();
    true
}
