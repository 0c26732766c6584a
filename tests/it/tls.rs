//! TLS trust against a loopback HTTPS server whose certificate is signed by a CA
//! made in the test with `openssl` (python3's `http.server` + `ssl` serves it):
//! without `ca_file` the event is held with a TLS certificate error naming the
//! fix; with `ca_file` (or that CA in the system bundle, `$SSL_CERT_FILE`) it is
//! delivered; a `ca_file` that cannot be used is a config error naming the field.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::testenv::spool::{raw_spool_lines, run_ok};
use crate::testenv::*;

/// A private CA and a server certificate for 127.0.0.1 signed by it.
struct Pki {
    _dir: TempDir,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn pki() -> Pki {
    let dir = TempDir::new("tls-pki");
    let (ca, cert, key) = crate::testenv::certs::make_certs(dir.path());
    Pki {
        ca,
        cert,
        key,
        _dir: dir,
    }
}

/// python3's HTTPS server: every POST is answered 200 and its body appended to
/// `log` (one line each).
struct HttpsServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

const SERVER: &str = r#"
import http.server, ssl, sys
cert, key, log = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(log, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "11")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;

impl HttpsServer {
    fn start(pki: &Pki) -> HttpsServer {
        let dir = TempDir::new("tls-srv");
        let log = dir.path().join("posts.log");
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(&pki.cert)
            .arg(&pki.key)
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the HTTPS test server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        HttpsServer {
            child,
            port,
            log,
            _dir: dir,
        }
    }
    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/events", self.port)
    }
    fn posts(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn webhook_config(env: &TestEnv, url: &str, ca_file: Option<&Path>) {
    let mut hook = json!({"name": "tls", "url": url});
    if let Some(f) = ca_file {
        hook["ca_file"] = json!(f.to_str().unwrap());
    }
    env.write_config(&json!({"backends": {"webhooks": [hook]}}));
}

#[test]
fn a_private_ca_is_held_until_ca_file_names_it_then_delivered() {
    let pki = pki();
    let server = HttpsServer::start(&pki);
    let env = TestEnv::new("tls-private-ca");

    webhook_config(&env, &server.url(), None);
    let out = env.hook(&fixture_line("PostToolUse"));
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("held") && err.contains("TLS"), "{err}");
    assert!(err.contains("ca_file"), "the fix is named: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(raw_spool_lines(&env, "tls").len(), 1, "kept in its spool");
    assert_eq!(server.posts(), 0);

    // doctor says the same, once, with the fix.
    let out = env.run(&["doctor", "--json"], b"");
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let c = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "backend tls")
        .unwrap()
        .clone();
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(c["fix"].as_str().unwrap().contains("ca_file"), "{c:#}");

    webhook_config(&env, &server.url(), Some(&pki.ca));
    let out = env.hook(&fixture_line("Stop"));
    assert_exit(&out, 0);
    run_ok(&env, &["flush"]);
    assert_eq!(server.posts(), 2, "the held event and the new one");
    assert!(raw_spool_lines(&env, "tls").is_empty());
}

#[test]
fn the_system_bundle_is_trusted() {
    let pki = pki();
    let server = HttpsServer::start(&pki);
    let mut env = TestEnv::new("tls-system");
    webhook_config(&env, &server.url(), None);
    // The system bundle, as OpenSSL's variable names it: here, our CA alone.
    env.set_env("SSL_CERT_FILE", pki.ca.to_str().unwrap());
    let out = env.hook(&fixture_line("PostToolUse"));
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "", "delivered without a word");
    assert_eq!(server.posts(), 1);
}

#[test]
fn a_ca_file_that_cannot_be_used_is_a_config_error_naming_the_field() {
    let env = TestEnv::new("tls-bad-ca");
    let missing = env.home().join("no-such-ca.pem");
    webhook_config(&env, "https://127.0.0.1:9/events", Some(&missing));
    let out = env.hook(&fixture_line("PostToolUse"));
    assert_stderr_has(&out, "backends.webhooks[0].ca_file");
    let not_pem = env.home().join("not.pem");
    std::fs::write(&not_pem, "just text\n").unwrap();
    webhook_config(&env, "https://127.0.0.1:9/events", Some(&not_pem));
    let out = env.hook(&fixture_line("PostToolUse"));
    assert_stderr_has(&out, "backends.webhooks[0].ca_file");
    assert_stderr_has(&out, "no PEM certificate");
}
