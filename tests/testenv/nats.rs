//! The real `nats-server` for the Bloodbank NATS tests: started on a free loopback
//! port with JetStream and its own store directory, stopped and restarted on the
//! same port and store (an outage), and a small synchronous NATS client that
//! creates the stream `BLOODBANK_EVENTS` as Bloodbank does and reads the stored
//! messages back through the JetStream API (`$JS.API.…`).
//!
//! `start_tls` makes a throwaway CA and a server certificate for 127.0.0.1 /
//! localhost with `openssl` and starts a TLS-only server; its client speaks TLS
//! too (rustls, trusting that CA).
//!
//! Without a `nats-server` binary these tests fail (never skip): install the
//! Debian package `nats-server` (.ci/run does).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::TempDir;

pub const STREAM: &str = "BLOODBANK_EVENTS";

/// The `nats-server` binary, or a failure saying how to get it.
pub fn binary() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join("nats-server"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nats-server not found (PATH, /usr/sbin): the Bloodbank NATS tests need the real server; install the Debian package: apt-get install -y nats-server (.ci/run installs it)"
            )
        })
}

/// One running (or stopped) nats-server with JetStream.
pub struct NatsServer {
    pub port: u16,
    dir: TempDir,
    extra: Vec<String>,
    child: Option<Child>,
    /// The CA of a TLS server's certificate (PEM): its clients speak TLS.
    pub ca: Option<PathBuf>,
}

impl NatsServer {
    /// Starts a server with JetStream on a free loopback port; `extra` are more
    /// command-line arguments (e.g. `--auth <token>`).
    pub fn start(tag: &str, extra: &[&str]) -> NatsServer {
        Self::start_in(TempDir::new(&format!("nats-{tag}")), extra, None)
    }

    /// A server that requires TLS (`--tls`), its certificate (for 127.0.0.1 and
    /// localhost) signed by a throwaway CA made here; `ca_pem()` is that CA.
    pub fn start_tls(tag: &str, extra: &[&str]) -> NatsServer {
        let dir = TempDir::new(&format!("nats-{tag}"));
        let (ca, cert, key) = super::certs::make_certs(dir.path());
        let mut args: Vec<String> = ["--tls", "--tlscert"].map(String::from).to_vec();
        args.push(cert.to_str().unwrap().into());
        args.push("--tlskey".into());
        args.push(key.to_str().unwrap().into());
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Self::start_in(dir, &args, Some(ca))
    }

    fn start_in(dir: TempDir, extra: &[&str], ca: Option<PathBuf>) -> NatsServer {
        let mut s = NatsServer {
            port: 0,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            ca,
        };
        // A free port can be taken by another test between the probe and the
        // server's bind: then try another one.
        let mut last = String::new();
        for _ in 0..5 {
            s.port = free_port();
            match s.launch() {
                Ok(()) => return s,
                Err(e) => last = e,
            }
        }
        panic!("{last}");
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server (an outage); its store stays.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The port is free again once nothing accepts on it.
        let end = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server (again) on the same port and store; waits until it
    /// answers the NATS protocol.
    pub fn restart(&mut self) {
        if let Err(e) = self.launch() {
            panic!("{e}");
        }
    }

    fn launch(&mut self) -> Result<(), String> {
        self.stop();
        let log = std::fs::File::create(self.dir.path().join("nats-server.log")).unwrap();
        let child = Command::new(binary())
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.dir.path().join("store"))
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                if BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("INFO ") {
                    return Ok(());
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(format!("nats-server exited ({status}): {}", self.log()));
            }
            if Instant::now() > end {
                return Err(format!("nats-server does not accept: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server: it keeps its port and
    /// accepts connections, but answers nothing (a hanging server).
    pub fn freeze(&self, frozen: bool) {
        let pid = self
            .child
            .as_ref()
            .expect("server running")
            .id()
            .to_string();
        let sig = if frozen { "-STOP" } else { "-CONT" };
        let ok = Command::new("kill").args([sig, &pid]).status().unwrap();
        assert!(ok.success(), "kill {sig} {pid}");
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nats-server.log")).unwrap_or_default()
    }

    /// A client of this server (with `auth` CONNECT fields, e.g. `{"auth_token": ..}`).
    pub fn client(&self, auth: Value) -> Client {
        Client::connect(self.port, auth, self.ca.as_deref())
    }

    /// Creates `BLOODBANK_EVENTS` as Bloodbank's `compose/nats/streams.json` does:
    /// subjects `bloodbank.evt.v1.>`, limits, file storage, 7 days, the 2-minute
    /// duplicate window.
    pub fn create_bloodbank_stream(&self, auth: Value) {
        let config = json!({
            "name": STREAM,
            "subjects": ["bloodbank.evt.v1.>", "bloodbank.evt.v2.repo.maintenance.failed"],
            "retention": "limits",
            "storage": "file",
            "discard": "old",
            "max_age": 7u64 * 24 * 3600 * 1_000_000_000,
            "max_msgs": -1,
            "max_bytes": -1,
            "num_replicas": 1,
            "duplicate_window": 120u64 * 1_000_000_000,
        });
        let v = self
            .client(auth)
            .request_json(&format!("$JS.API.STREAM.CREATE.{STREAM}"), &config);
        assert!(v.get("error").is_none(), "stream create: {v}");
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One message as the stream stored it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub subject: String,
    /// The NATS header block, as text (`NATS/1.0\r\nNats-Msg-Id: …`).
    pub headers: String,
    pub data: Vec<u8>,
}

impl Stored {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.data).expect("a stored message is JSON")
    }
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

trait Io: Read + Write {}
impl<T: Read + Write> Io for T {}

/// A minimal synchronous NATS client: request/reply is all the tests need.
pub struct Client {
    reader: BufReader<Box<dyn Io>>,
    next_sid: u32,
}

impl Client {
    /// Connects (with TLS after INFO when `ca` is given, trusting that CA).
    pub fn connect(port: u16, auth: Value, ca: Option<&Path>) -> Client {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to nats-server");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut c = Client {
            reader: BufReader::new(Box::new(s.try_clone().unwrap())),
            next_sid: 1,
        };
        let info = c.line();
        assert!(info.starts_with("INFO "), "{info}");
        if let Some(ca) = ca {
            c.reader = BufReader::new(Box::new(tls_stream(s, ca)));
        }
        let mut connect = json!({"verbose": false, "pedantic": false, "headers": true, "no_responders": true, "protocol": 1});
        if let Value::Object(m) = auth {
            for (k, v) in m {
                // A seed is not sent: it signs the server's nonce (`sig`).
                if k == "nkey_seed" {
                    let info: Value = serde_json::from_str(&info[5..]).unwrap();
                    let nonce = info["nonce"].as_str().expect("a nonce in INFO");
                    let key = seed_pair(v.as_str().unwrap());
                    connect["sig"] = json!(b64url(key.sign(nonce.as_bytes()).as_ref()));
                } else {
                    connect[k] = v;
                }
            }
        }
        c.write(format!("CONNECT {connect}\r\nPING\r\n").as_bytes());
        loop {
            let l = c.line();
            match l.as_str() {
                "PONG" => break,
                "+OK" => {}
                other => panic!("nats CONNECT: {other}"),
            }
        }
        c
    }

    fn write(&mut self, b: &[u8]) {
        let w = self.reader.get_mut();
        w.write_all(b).unwrap();
        w.flush().unwrap();
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.reader
            .read_line(&mut l)
            .expect("a line from nats-server");
        l.trim_end().to_string()
    }

    /// Sends `payload` to `subject` and returns the reply's payload.
    pub fn request(&mut self, subject: &str, payload: &[u8]) -> Vec<u8> {
        let sid = self.next_sid;
        self.next_sid += 1;
        let inbox = format!("_INBOX.test.{sid}");
        let mut out = format!(
            "SUB {inbox} {sid}\r\nPUB {subject} {inbox} {}\r\n",
            payload.len()
        )
        .into_bytes();
        out.extend_from_slice(payload);
        out.extend_from_slice(b"\r\n");
        self.write(&out);
        loop {
            let l = self.line();
            let parts: Vec<&str> = l.split_whitespace().collect();
            match parts.first().copied() {
                Some("PING") => self.write(b"PONG\r\n"),
                Some("MSG") => {
                    let n: usize = parts.last().unwrap().parse().unwrap();
                    let body = self.payload(n);
                    self.write(format!("UNSUB {sid}\r\n").as_bytes());
                    return body;
                }
                Some("HMSG") => {
                    let total: usize = parts[parts.len() - 1].parse().unwrap();
                    let hlen: usize = parts[parts.len() - 2].parse().unwrap();
                    let all = self.payload(total);
                    self.write(format!("UNSUB {sid}\r\n").as_bytes());
                    let headers = String::from_utf8_lossy(&all[..hlen]).into_owned();
                    assert!(!headers.starts_with("NATS/1.0 5"), "{subject}: {headers}");
                    return all[hlen..].to_vec();
                }
                Some("+OK") | Some("PONG") | Some("INFO") => {}
                _ => panic!("nats request {subject}: {l}"),
            }
        }
    }

    fn payload(&mut self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n + 2];
        self.reader.read_exact(&mut b).unwrap();
        b.truncate(n);
        b
    }

    pub fn request_json(&mut self, subject: &str, body: &Value) -> Value {
        let reply = self.request(subject, &serde_json::to_vec(body).unwrap());
        serde_json::from_slice(&reply)
            .unwrap_or_else(|e| panic!("{subject}: {e}: {}", String::from_utf8_lossy(&reply)))
    }

    /// Every message the stream holds, oldest first.
    pub fn stored(&mut self) -> Vec<Stored> {
        let info = self.request_json(&format!("$JS.API.STREAM.INFO.{STREAM}"), &json!({}));
        assert!(info.get("error").is_none(), "stream info: {info}");
        let state = &info["state"];
        let (first, last) = (
            state["first_seq"].as_u64().unwrap(),
            state["last_seq"].as_u64().unwrap(),
        );
        if state["messages"].as_u64() == Some(0) {
            return Vec::new();
        }
        (first..=last)
            .filter_map(|seq| {
                let v = self.request_json(
                    &format!("$JS.API.STREAM.MSG.GET.{STREAM}"),
                    &json!({"seq": seq}),
                );
                let m = v.get("message")?;
                Some(Stored {
                    subject: m["subject"].as_str().unwrap().to_string(),
                    headers: String::from_utf8(base64(m["hdrs"].as_str().unwrap_or(""))).unwrap(),
                    data: base64(m["data"].as_str().unwrap_or("")),
                })
            })
            .collect()
    }
}

/// A TLS client stream over `s` trusting only `ca` (the test's own CA).
fn tls_stream(s: TcpStream, ca: &Path) -> impl Io + 'static {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    rustls::StreamOwned::new(conn, s)
}

/// The key pair of an NKey seed (any type): Ed25519 from its 32 raw bytes.
fn seed_pair(seed: &str) -> ring::signature::Ed25519KeyPair {
    let raw = nkey::base32_decode(seed).expect("base32 seed");
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&raw[2..34]).unwrap()
}

fn b64url(b: &[u8]) -> String {
    nkey::base64url(b)
}

use hookrelay::backends::bloodbank::nkey;

/// NKey type prefixes (nats-io/nkeys): operator `O`, account `A`, user `U`.
const PREFIX_OPERATOR: u8 = 14 << 3;
const PREFIX_ACCOUNT: u8 = 0;
const PREFIX_USER: u8 = 20 << 3;

/// A fresh key of one NKey type: (seed text, public key text, key pair).
fn new_key(prefix: u8) -> (String, String, ring::signature::Ed25519KeyPair) {
    use ring::signature::KeyPair;
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).unwrap();
    let with_crc = |mut b: Vec<u8>| {
        let crc = nkey::crc16(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        nkey::base32_encode(&b)
    };
    let mut s = vec![(18 << 3) | (prefix >> 5), (prefix & 31) << 3];
    s.extend_from_slice(&raw);
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&raw).unwrap();
    let mut p = vec![prefix];
    p.extend_from_slice(pair.public_key().as_ref());
    (with_crc(s), with_crc(p), pair)
}

/// A NATS JWT (`ed25519-nkey`) with `claims`, signed by `issuer`.
fn jwt(issuer: &ring::signature::Ed25519KeyPair, claims: Value) -> String {
    let header = b64url(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let body = b64url(claims.to_string().as_bytes());
    let signed = format!("{header}.{body}");
    let sig = b64url(issuer.sign(signed.as_bytes()).as_ref());
    format!("{signed}.{sig}")
}

/// Operator mode made here: an operator, an account with JetStream and the
/// system account (signed by the operator, preloaded in a memory resolver) and a user (signed by the
/// account). Returns the server config file, the user's `.creds` file (as nsc
/// writes it) and the test client's login for the same user.
pub fn operator_mode(dir: &Path) -> (PathBuf, PathBuf, Value) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (_, op_pub, op) = new_key(PREFIX_OPERATOR);
    let (_, acc_pub, acc) = new_key(PREFIX_ACCOUNT);
    // JetStream needs a system account in operator mode.
    let (_, sys_pub, _) = new_key(PREFIX_ACCOUNT);
    let (user_seed, user_pub, _) = new_key(PREFIX_USER);
    let claims = |iss: &str, sub: &str, name: &str, nats: Value| json!({"jti": format!("{name}{now}"), "iat": now, "iss": iss, "name": name, "sub": sub, "nats": nats});
    let op_jwt = jwt(
        &op,
        claims(
            &op_pub,
            &op_pub,
            "test-operator",
            json!({"type": "operator", "version": 2}),
        ),
    );
    let unlimited = json!({
        "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
        "wildcards": true, "conn": -1, "leaf": -1,
        "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1
    });
    let acc_jwt = jwt(
        &op,
        claims(
            &op_pub,
            &acc_pub,
            "test-account",
            json!({
                "limits": unlimited, "default_permissions": {"pub": {}, "sub": {}},
                "type": "account", "version": 2
            }),
        ),
    );
    let sys_jwt = jwt(
        &op,
        claims(
            &op_pub,
            &sys_pub,
            "SYS",
            json!({"type": "account", "version": 2}),
        ),
    );
    let user_jwt = jwt(
        &acc,
        claims(
            &acc_pub,
            &user_pub,
            "test-user",
            json!({
                "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
                "type": "user", "version": 2
            }),
        ),
    );
    let conf = dir.join("operator.conf");
    std::fs::write(
        &conf,
        format!(
            "operator: \"{op_jwt}\"\nsystem_account: {sys_pub}\nresolver: MEMORY\nresolver_preload: {{\n  {acc_pub}: \"{acc_jwt}\"\n  {sys_pub}: \"{sys_jwt}\"\n}}\n"
        ),
    )
    .unwrap();
    let creds = dir.join("user.creds");
    std::fs::write(
        &creds,
        format!(
            "-----BEGIN NATS USER JWT-----\n{user_jwt}\n------END NATS USER JWT------\n\n\
             ************************* IMPORTANT *************************\n\
             NKEY Seed printed below can be used to sign and prove identity.\n\
             NKEYs are sensitive and should be treated as secrets.\n\n\
             -----BEGIN USER NKEY SEED-----\n{user_seed}\n------END USER NKEY SEED------\n\n\
             *************************************************************\n"
        ),
    )
    .unwrap();
    (
        conf,
        creds,
        json!({"jwt": user_jwt, "nkey_seed": user_seed}),
    )
}

/// Standard base64 (the JetStream API's `hdrs` and `data`).
pub fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

#[test]
fn base64_decodes_padding() {
    assert_eq!(base64("aGk="), b"hi");
    assert_eq!(base64("aGV5"), b"hey");
    assert_eq!(base64("aA=="), b"h");
}
