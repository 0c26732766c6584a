//! The one place that talks HTTP: ureq, TLS for https endpoints (rustls, set up
//! lazily on the first https connection), timeouts and transport errors.
//!
//! Trust: the system's CA bundle (`$SSL_CERT_FILE`, else the first of the usual
//! bundle files), read with ureq's own PEM parser on the first https request,
//! plus a backend's `ca_file` (carried by the request's `:ca-file`
//! pseudo-header). Without a system bundle, Mozilla's roots (webpki) are used.
//! One agent per trust, made on first use, so keep-alive works within each.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::backends::{CA_FILE, HttpResponse, Request};

/// Where Linux and the BSDs/macOS keep the system's CA bundle (Debian/Ubuntu/
/// Alpine/Arch, Fedora/RHEL, openSUSE, macOS/FreeBSD).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Answers larger than this are cut: classifiers and gates need only the start.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// A keep-alive HTTP client shared by every backend of one invocation.
#[derive(Clone)]
pub struct Transport {
    /// For http:// (no TLS set up at all).
    agent: ureq::Agent,
    /// For https://, one per `ca_file` (`None`: the system's roots alone).
    tls_agents: Arc<Mutex<HashMap<Option<String>, ureq::Agent>>>,
    connect_timeout: Duration,
}

/// Why no HTTP answer came back. Always worth a retry later.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    /// The URL, as it may be shown (`util::url::display`).
    pub target: String,
    /// What went wrong, in words a user can act on, without the URL.
    pub reason: String,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.target, self.reason)
    }
}

/// The agent every request goes through: statuses are answers, no redirects,
/// small buffers, IP literals resolved in place.
fn agent(connect_timeout: Duration, tls: Option<TlsConfig>) -> ureq::Agent {
    let mut b = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(connect_timeout))
        .max_redirects(0)
        .user_agent(format!("hookrelay/{}", env!("CARGO_PKG_VERSION")))
        // ureq's default 128 KB + 128 KB are zeroed for every connection; one
        // envelope and a short answer need far less.
        .input_buffer_size(16 * 1024)
        .output_buffer_size(16 * 1024)
        .max_response_header_size(16 * 1024);
    if let Some(tls) = tls {
        b = b.tls_config(tls);
    }
    ureq::Agent::with_parts(
        b.build(),
        ureq::unversioned::transport::DefaultConnector::default(),
        LiteralFirst(ureq::unversioned::resolver::DefaultResolver::default()),
    )
}

/// The system's CA certificates, read once per process on the first https
/// request; `None` when no bundle is found (then Mozilla's roots apply).
fn system_roots() -> Option<&'static [Certificate<'static>]> {
    static ROOTS: OnceLock<Option<Vec<Certificate<'static>>>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let from_env = std::env::var("SSL_CERT_FILE")
                .ok()
                .filter(|f| !f.is_empty());
            from_env
                .iter()
                .map(String::as_str)
                .chain(SYSTEM_BUNDLES.iter().copied())
                .find_map(|f| {
                    let pem = std::fs::read(f).ok()?;
                    crate::backends::ca::certificates(&pem)
                        .ok()
                        .filter(|c| !c.is_empty())
                })
        })
        .as_deref()
}

/// The trust for one https request: the system's roots plus `ca_file`'s.
fn trust(ca_file: Option<&str>) -> Result<Option<TlsConfig>, String> {
    let mut certs: Vec<Certificate<'static>> =
        system_roots().map(<[_]>::to_vec).unwrap_or_default();
    if let Some(f) = ca_file {
        let pem = std::fs::read(f).map_err(|e| format!("cannot read the ca_file `{f}`: {e}"))?;
        let extra = crate::backends::ca::certificates(&pem)
            .map_err(|e| format!("the ca_file `{f}` is not valid PEM: {e}"))?;
        certs.extend(extra);
    }
    if certs.is_empty() {
        return Ok(None); // ureq's default: Mozilla's roots
    }
    Ok(Some(
        TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&certs))
            .build(),
    ))
}

impl Transport {
    pub fn new(connect_timeout: Duration) -> Transport {
        Transport {
            agent: agent(connect_timeout, None),
            tls_agents: Arc::default(),
            connect_timeout,
        }
    }

    /// The agent for `req`: the plain one for http://, else the one trusting the
    /// system's roots and the request's `ca_file` (made on first use).
    fn agent_for(&self, req: &Request) -> Result<ureq::Agent, String> {
        let https = req
            .url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        if !https {
            return Ok(self.agent.clone());
        }
        let ca_file = req
            .headers
            .iter()
            .find(|(k, _)| k == CA_FILE)
            .map(|(_, v)| v.clone());
        let mut agents = self.tls_agents.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = agents.get(&ca_file) {
            return Ok(a.clone());
        }
        let a = agent(self.connect_timeout, trust(ca_file.as_deref())?);
        agents.insert(ca_file, a.clone());
        Ok(a)
    }

    /// The connect timeout, for backends that open their own connections.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Sends one request; gives up at `deadline`.
    pub fn send(&self, req: &Request, deadline: Instant) -> Result<HttpResponse, TransportError> {
        let error = |reason: String| TransportError {
            target: crate::util::url::display(&req.url),
            reason,
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(error("deadline reached before sending".into()));
        }
        let agent = self.agent_for(req).map_err(error)?;
        // $HTTPS_PROXY / $ALL_PROXY apply to remote hosts; a proxy cannot reach
        // this machine's loopback services, so those are always dialled directly.
        let proxy = if targets_loopback(&req.url) {
            None
        } else {
            agent.config().proxy().cloned()
        };
        let result = match req.method {
            "GET" => prepare(agent.get(&req.url), req, left, proxy).call(),
            _ => prepare(agent.post(&req.url), req, left, proxy).send(&req.body[..]),
        };
        let mut resp = result.map_err(|e| error(describe(&e, self.connect_timeout)))?;
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
    // `:`-headers are hookrelay's own notes to the transport, never sent.
    for (k, v) in req.headers.iter().filter(|(k, _)| !k.starts_with(':')) {
        b = b.header(k, v);
    }
    b
}

/// A transport error in words a user can act on, on one line, never echoing
/// credentials (nor the URL: `TransportError` carries that apart).
fn describe(e: &ureq::Error, connect_timeout: Duration) -> String {
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
            format!("TLS handshake failed: {io} ({CERT_HINT})")
        }
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::Tls(t) => format!("TLS error: {t} (check the certificate)"),
        ureq::Error::Rustls(t) => format!("TLS handshake failed: {t} ({CERT_HINT})"),
        other => other.to_string(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What to do about a certificate the handshake refused.
const CERT_HINT: &str = "self-signed, expired or issued for another host? A server with a private CA: set this backend's `ca_file` to that CA's PEM file";

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
        assert!(e.reason.contains("deadline"), "{e}");
        assert_eq!(e.to_string().lines().count(), 1);
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
        assert!(e.reason.contains("connection refused"), "{e}");
        assert!(
            !e.reason.contains("127.0.0.1"),
            "the URL is carried apart: {e}"
        );
        assert!(e.to_string().starts_with("http://127.0.0.1:"), "{e}");
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
