//! The one place that talks HTTP: ureq, TLS for https endpoints (rustls, set up
//! lazily on the first https connection), timeouts and transport errors.

use std::io::Read;
use std::time::{Duration, Instant};

use super::{HttpResponse, Request};

/// Answers larger than this are cut: classifiers and gates need only the start.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// A keep-alive HTTP client shared by every backend of one invocation.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
}

/// Why no HTTP answer came back. Always worth a retry later.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Transport {
    pub fn new(connect_timeout: Duration) -> Transport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(connect_timeout))
            .max_redirects(0)
            .user_agent(format!("hookrelay/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Transport {
            agent: config.into(),
        }
    }

    /// Sends one request; gives up at `deadline`.
    pub fn send(&self, req: &Request, deadline: Instant) -> Result<HttpResponse, TransportError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError("deadline reached before sending".into()));
        }
        let result = match req.method {
            "GET" => {
                let mut b = self
                    .agent
                    .get(&req.url)
                    .config()
                    .timeout_global(Some(left))
                    .build();
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b.call()
            }
            _ => {
                let mut b = self
                    .agent
                    .post(&req.url)
                    .config()
                    .timeout_global(Some(left))
                    .build();
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b.send(&req.body[..])
            }
        };
        let mut resp = result.map_err(|e| TransportError(describe(&req.url, &e)))?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        // A server that closes without a Content-Length (the ChromaDB bridge speaks
        // HTTP/1.0) ends its body at EOF; ureq handles that.
        let _ = resp
            .body_mut()
            .as_reader()
            .take(MAX_RESPONSE_BYTES)
            .read_to_end(&mut body);
        Ok(HttpResponse { status, body })
    }
}

/// A transport error in words a user can act on, never echoing credentials.
fn describe(url: &str, e: &ureq::Error) -> String {
    let target = redact_userinfo(url);
    match e {
        ureq::Error::Timeout(what) => format!("{target}: timed out ({what:?})"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("{target}: connection refused (is the service running?)")
        }
        ureq::Error::Io(io) => format!("{target}: {io}"),
        ureq::Error::Tls(t) => format!("{target}: TLS error: {t} (check the certificate)"),
        ureq::Error::Rustls(t) => format!("{target}: TLS error: {t} (check the certificate)"),
        other => format!("{target}: {other}"),
    }
}

/// `scheme://user:pass@host/...` -> `scheme://host/...` for messages.
pub fn redact_userinfo(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_url_credentials() {
        assert_eq!(
            redact_userinfo("https://bob:hunter2@example.test:8443/x"),
            "https://example.test:8443/x"
        );
        assert_eq!(
            redact_userinfo("http://127.0.0.1:9/a@b"),
            "http://127.0.0.1:9/a@b"
        );
    }

    #[test]
    fn refused_connection_is_a_transport_error() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let t = Transport::new(Duration::from_millis(200));
        let req = Request {
            method: "POST",
            url: format!("http://127.0.0.1:{port}/x"),
            headers: vec![],
            body: b"{}".to_vec(),
        };
        let e = t
            .send(&req, Instant::now() + Duration::from_secs(1))
            .unwrap_err();
        assert!(e.0.contains("connection refused"), "{e}");
    }
}
