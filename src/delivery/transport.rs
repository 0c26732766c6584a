//! The one place that talks HTTP: ureq, TLS for https endpoints (rustls, set up
//! lazily on the first https connection), timeouts and transport errors.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::backends::{HttpResponse, Request};

/// Answers larger than this are cut: classifiers and gates need only the start.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// A keep-alive HTTP client shared by every backend of one invocation.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
    connect_timeout: Duration,
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
            // ureq's default 128 KB + 128 KB are zeroed for every connection; one
            // envelope and a short answer need far less.
            .input_buffer_size(16 * 1024)
            .output_buffer_size(16 * 1024)
            .max_response_header_size(16 * 1024)
            .build();
        Transport {
            agent: ureq::Agent::with_parts(
                config,
                ureq::unversioned::transport::DefaultConnector::default(),
                LiteralFirst(ureq::unversioned::resolver::DefaultResolver::default()),
            ),
            connect_timeout,
        }
    }

    /// The connect timeout, for backends that open their own connections.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Sends one request; gives up at `deadline`.
    pub fn send(&self, req: &Request, deadline: Instant) -> Result<HttpResponse, TransportError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError("deadline reached before sending".into()));
        }
        // $HTTPS_PROXY / $ALL_PROXY apply to remote hosts; a proxy cannot reach
        // this machine's loopback services, so those are always dialled directly.
        let proxy = if targets_loopback(&req.url) {
            None
        } else {
            self.agent.config().proxy().cloned()
        };
        let result = match req.method {
            "GET" => prepare(self.agent.get(&req.url), req, left, proxy).call(),
            _ => prepare(self.agent.post(&req.url), req, left, proxy).send(&req.body[..]),
        };
        let mut resp =
            result.map_err(|e| TransportError(describe(&req.url, &e, self.connect_timeout)))?;
        let status = resp.status().as_u16();
        // The two headers classifiers read; values that are not text are ignored.
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(1024).collect::<String>())
        };
        let (retry_after, location) = (header("retry-after"), header("location"));
        let mut body = Vec::new();
        // A server that closes without a Content-Length (the ChromaDB bridge speaks
        // HTTP/1.0) ends its body at EOF; ureq handles that.
        let _ = resp
            .body_mut()
            .as_reader()
            .take(MAX_RESPONSE_BYTES)
            .read_to_end(&mut body);
        Ok(HttpResponse {
            status,
            body,
            retry_after,
            location,
        })
    }
}

/// A GET or POST with the request's timeout, proxy and headers set.
fn prepare<B>(
    builder: ureq::RequestBuilder<B>,
    req: &Request,
    left: Duration,
    proxy: Option<ureq::Proxy>,
) -> ureq::RequestBuilder<B> {
    let mut b = builder
        .config()
        .timeout_global(Some(left))
        .proxy(proxy)
        .build();
    for (k, v) in &req.headers {
        b = b.header(k, v);
    }
    b
}

/// A transport error in words a user can act on, on one line, never echoing
/// credentials.
fn describe(url: &str, e: &ureq::Error, connect_timeout: Duration) -> String {
    let target = crate::util::url::display(url);
    let text = match e {
        ureq::Error::Timeout(ureq::Timeout::Connect) => format!(
            "no connection within {} ms (host down, firewalled or unreachable?)",
            connect_timeout.as_millis()
        ),
        ureq::Error::Timeout(ureq::Timeout::Resolve) => "host name lookup timed out".into(),
        ureq::Error::Timeout(_) => "no answer before the deadline (service hanging or slow)".into(),
        ureq::Error::HostNotFound => "host not found (check the URL)".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the service running?)".into()
        }
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
            format!("host not found ({io}; check the URL)")
        }
        // rustls reports certificate problems through the socket as io errors.
        ureq::Error::Io(io) if io.to_string().contains("certificate") => {
            format!("TLS handshake failed: {io} (self-signed, expired or issued for another host?)")
        }
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::Tls(t) => format!("TLS error: {t} (check the certificate)"),
        ureq::Error::Rustls(t) => format!("TLS handshake failed: {t} (check the certificate)"),
        other => other.to_string(),
    };
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("{target}: {one_line}")
}

fn targets_loopback(url: &str) -> bool {
    url.parse::<ureq::http::Uri>()
        .ok()
        .and_then(|u| u.host().map(crate::backends::url::is_loopback))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small POST to this machine's `port`.
    fn post_to(port: u16) -> Request {
        Request {
            method: "POST",
            url: format!("http://127.0.0.1:{port}/x"),
            headers: vec![],
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn a_silent_server_is_abandoned_at_the_deadline() {
        // Accepts the connection, never answers.
        let (port, hold) = crate::backends::testing::silent_server();
        let t = Transport::new(Duration::from_millis(200));
        let req = post_to(port);
        let start = Instant::now();
        let e = t
            .send(&req, Instant::now() + Duration::from_millis(300))
            .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert!(e.0.contains("deadline"), "{e}");
        assert_eq!(e.0.lines().count(), 1);
        drop(hold);
    }

    #[test]
    fn loopback_targets_are_recognised_for_the_proxy_bypass() {
        assert!(targets_loopback("http://127.0.0.1:9/x"));
        assert!(targets_loopback("http://localhost/x"));
        assert!(targets_loopback("https://[::1]:8443/x"));
        assert!(!targets_loopback("https://example.test/x"));
    }

    #[test]
    fn refused_connection_is_a_transport_error() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let t = Transport::new(Duration::from_millis(200));
        let req = post_to(port);
        let e = t
            .send(&req, Instant::now() + Duration::from_secs(1))
            .unwrap_err();
        assert!(e.0.contains("connection refused"), "{e}");
    }
}

/// Resolves IP literals in place: ureq's default resolver starts a thread per
/// lookup whenever a timeout is set, even for `127.0.0.1`.
#[derive(Debug)]
struct LiteralFirst(ureq::unversioned::resolver::DefaultResolver);

impl ureq::unversioned::resolver::Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        if let (Some(host), Some(port)) = (uri.host(), uri.port_u16()) {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = host.parse::<std::net::IpAddr>() {
                let mut v = self.empty();
                v.push(std::net::SocketAddr::new(ip, port));
                return Ok(v);
            }
        }
        self.0.resolve(uri, config, timeout)
    }
}
