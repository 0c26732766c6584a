//! A strict OpenTelemetry Collector (OTLP/HTTP logs receiver) on loopback. Every
//! request body goes through the strict validator (`tests/otlp/strict_otlp_logs.py`,
//! built on the `opentelemetry-proto` package) in one long-running Python process;
//! a body it refuses is answered 400 with the validator's message, as a real
//! collector answers an undecodable request. Valid requests get the next scripted
//! answer (default `200 {}`), so a test can make the collector throttle, refuse
//! or partially accept.
//!
//! Without `python3` or the package the collector does not start and the test
//! fails saying what to install: the OTLP tests never skip.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{Recorded, Reply, Server};

const FIX: &str = "the OTLP tests need python3 with the opentelemetry-proto package: \
                   run `pip install opentelemetry-proto` (bash .ci/run does it)";

/// The Python side: one request in, one verdict out, per line.
struct Validator {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Validator {
    fn start() -> Validator {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/otlp/validate_stream.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e}): {FIX}"));
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let hello: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("validator did not start ({e}: {line:?}): {FIX}"));
        if hello["ready"] != true {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the strict OTLP validator cannot load: {}; {FIX}",
                hello["error"]
            );
        }
        Validator {
            child,
            stdin,
            stdout,
        }
    }

    /// The validator's verdict: the request as ProtoJSON, or why it is invalid.
    fn check(&mut self, r: &Recorded) -> Result<Value, String> {
        let msg = json!({
            "content_type": r.header("content-type").unwrap_or(""),
            "content_encoding": r.header("content-encoding").unwrap_or(""),
            "body_hex": r.body.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        });
        writeln!(self.stdin, "{msg}").expect("validator is running");
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("validator answers");
        let v: Value = serde_json::from_str(&line).expect("validator answers JSON");
        if v["ok"] == true {
            Ok(v["request"].clone())
        } else {
            Err(v["error"].as_str().unwrap_or("invalid").to_string())
        }
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the collector made of one request.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Valid: the decoded `ExportLogsServiceRequest` (ProtoJSON, ids base64).
    Valid(Value),
    /// Refused, with why (`POST /path: ...`).
    Invalid(String),
    /// An export with no resource (nothing to store): answered 200 as a real
    /// collector does (OTLP: "success with empty request"); `doctor`'s probe.
    Empty,
}

/// An `ExportLogsServiceRequest` without any `ResourceLogs`: `{}` or
/// `{"resourceLogs":[]}` in JSON, no bytes at all in protobuf.
fn is_empty_export(r: &Recorded) -> bool {
    if r.header("content-encoding").is_some() {
        return false;
    }
    match r.header("content-type") {
        Some("application/x-protobuf") => r.body.is_empty(),
        Some(c) if c.starts_with("application/json") => serde_json::from_slice::<Value>(&r.body)
            .is_ok_and(|v| {
                v.as_object().is_some_and(|m| {
                    m.keys().all(|k| k == "resourceLogs")
                        && m.get("resourceLogs")
                            .is_none_or(|l| l.as_array().is_some_and(Vec::is_empty))
                })
            }),
        _ => false,
    }
}

pub struct Collector {
    pub server: Server,
    verdicts: Arc<Mutex<Vec<Verdict>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
}

impl Collector {
    /// A collector answering every valid request `200 {}`, until `then` scripts
    /// other answers.
    pub fn start() -> Collector {
        let validator = Mutex::new(Validator::start());
        let verdicts: Arc<Mutex<Vec<Verdict>>> = Arc::default();
        let script: Arc<Mutex<VecDeque<Reply>>> = Arc::default();
        let (v, s) = (verdicts.clone(), script.clone());
        let server = Server::start(move |r| {
            let refuse = |status: u16, why: String| {
                v.lock()
                    .unwrap()
                    .push(Verdict::Invalid(format!("{} {}: {why}", r.method, r.path)));
                Reply {
                    content_type: "text/plain",
                    ..Reply::json(status, &why)
                }
            };
            // The collector's own router: one path, one method (405/404 as text).
            if r.path != "/v1/logs" {
                return refuse(404, "404 page not found".into());
            }
            if r.method != "POST" {
                return refuse(405, "405 method not allowed, supported: [POST]".into());
            }
            if r.chunked {
                return refuse(411, "a Content-Length is required".into());
            }
            if is_empty_export(r) {
                v.lock().unwrap().push(Verdict::Empty);
                return if r.header("content-type") == Some("application/x-protobuf") {
                    Reply {
                        content_type: "application/x-protobuf",
                        ..Reply::json(200, "")
                    }
                } else {
                    Reply::json(200, "{}")
                };
            }
            match validator.lock().unwrap().check(r) {
                Ok(request) => {
                    v.lock().unwrap().push(Verdict::Valid(request));
                    let protobuf = r.header("content-type") == Some("application/x-protobuf");
                    s.lock().unwrap().pop_front().unwrap_or_else(|| {
                        if protobuf {
                            Reply {
                                content_type: "application/x-protobuf",
                                ..Reply::json(200, "")
                            }
                        } else {
                            Reply::json(200, "{}")
                        }
                    })
                }
                Err(why) if why.contains("bad content-type") => refuse(415, why),
                Err(why) => {
                    let body = json!({"code": 3, "message": why}).to_string();
                    v.lock()
                        .unwrap()
                        .push(Verdict::Invalid(format!("{} {}: {why}", r.method, r.path)));
                    Reply::json(400, &body)
                }
            }
        });
        Collector {
            server,
            verdicts,
            script,
        }
    }

    /// The next valid request gets `reply` (in order; then `200 {}` again).
    pub fn then(&self, reply: Reply) {
        self.script.lock().unwrap().push_back(reply);
    }

    /// `http://127.0.0.1:<port>` (no path).
    pub fn base(&self) -> String {
        self.server.url("")
    }

    pub fn verdicts(&self) -> Vec<Verdict> {
        self.verdicts.lock().unwrap().clone()
    }

    /// The valid requests, decoded, in arrival order.
    pub fn valid(&self) -> Vec<Value> {
        self.verdicts()
            .into_iter()
            .filter_map(|v| match v {
                Verdict::Valid(r) => Some(r),
                Verdict::Invalid(_) | Verdict::Empty => None,
            })
            .collect()
    }

    /// The one log record of each valid request.
    pub fn records(&self) -> Vec<Value> {
        self.valid()
            .iter()
            .map(|r| r["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0].clone())
            .collect()
    }

    /// Waits for `n` verdicts (a slow machine may answer after the hook exits).
    pub fn wait_for(&self, n: usize) {
        let end = Instant::now() + Duration::from_secs(10);
        while self.verdicts.lock().unwrap().len() < n && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Fails naming every request the strict validator refused.
    #[track_caller]
    pub fn assert_all_valid(&self) {
        let bad: Vec<String> = self
            .verdicts()
            .into_iter()
            .filter_map(|v| match v {
                Verdict::Invalid(why) => Some(why),
                Verdict::Valid(_) | Verdict::Empty => None,
            })
            .collect();
        assert!(bad.is_empty(), "the strict collector refused: {bad:#?}");
    }
}

/// A record's attribute as a plain value (`stringValue` as a string, `intValue`
/// as its string, `boolValue` as a bool), `None` when absent.
pub fn attr(record: &Value, key: &str) -> Option<Value> {
    attr_in(&record["attributes"], key)
}

/// The resource's attribute of a decoded request.
pub fn resource_attr(request: &Value, key: &str) -> Option<Value> {
    attr_in(&request["resourceLogs"][0]["resource"]["attributes"], key)
}

fn attr_in(list: &Value, key: &str) -> Option<Value> {
    list.as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .and_then(|kv| kv["value"].as_object())
        .and_then(|v| v.values().next().cloned())
}
