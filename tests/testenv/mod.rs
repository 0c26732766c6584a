//! The small harness every integration test drives the binary through. What each
//! file gives a test:
//! - `mod.rs` (here): [`TestEnv`], one isolated user (HOME, config, data and state
//!   in a temp dir, the developer's own variables scrubbed) running the built
//!   binary as Claude Code does (HookInput JSON on stdin); what the local sink
//!   kept; and one-line assertions on a run's exit code and output.
//! - `server.rs`: a recording HTTP/1.1 server on loopback whose handler picks each
//!   answer, and a port with nothing listening.
//! - `backends.rs`: strict fakes of the four backends' contracts (Bloodbank,
//!   ChromaDB bridge, OrgLoop, webhook) that record what they accepted or refused.
//! - `otlp.rs`: a strict OpenTelemetry Collector (OTLP/HTTP logs) that runs the
//!   strict validator (tests/otlp/) on every request.
//! - `fixtures.rs`: the HookInputs Claude Code sends (hooks/events/*.json).
//! - `spool.rs`: tagged events, a webhook that is down and comes back, and direct
//!   access to the spool, dead letters and breaker files.
//! - `install.rs`: install.sh in a throwaway HOME, settings.json helpers, and tree
//!   snapshots to prove a step changed nothing.
//! - `enrich.rs`: git repositories built for the enrichment tests.
//! - `nats.rs`: the real nats-server with JetStream, and a small client that
//!   creates Bloodbank's stream and reads the stored messages back.

pub mod backends;
pub mod certs;
pub mod disk;
pub mod enrich;
pub mod fixtures;
pub mod install;
pub mod nats;
pub mod otlp;
pub mod server;
pub mod spool;

pub use fixtures::{fixture, fixture_line, fixtures};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The hookrelay binary under test: the one cargo built for this test run, or
/// `$HOOKRELAY_TEST_BIN` (e.g. the static release build `install.sh` installs:
/// `HOOKRELAY_TEST_BIN=target/x86_64-unknown-linux-gnu/release/hookrelay cargo test`).
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("HOOKRELAY_TEST_BIN")
            .ok()
            .filter(|b| !b.is_empty())
            .map(|b| {
                std::path::absolute(&b)
                    .unwrap_or_else(|_| b.clone().into())
                    .display()
                    .to_string()
            })
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_hookrelay").to_string())
    })
}

/// Environment variables that would leak the developer's own setup into a test.
const SCRUBBED: &[&str] = &[
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "HOOKRELAY_CONFIG",
    "HOOKRELAY_DATA_DIR",
    "HOOKRELAY_STATE_DIR",
    "HOOKRELAY_PROJECT",
    "BLOODBANK_URL",
    "BLOODBANK_ENABLED",
    "BLOODBANK_DEBUG",
    "BLOODBANK_NATS_HOST",
    "BLOODBANK_NATS_PORT",
    "ZO_EVENT_ENDPOINT",
    "ZO_API_KEY",
    "ZO_EVENT_LOG_DIR",
    "ZO_REDACTION_MODE",
    "HOSTNAME_SALT",
    "ORGLOOP_WEBHOOK_URL",
    "ORGLOOP_PORT",
    "CLAUDE_CODE_WEBHOOK_SECRET",
    "HOOK_BACKEND_URL",
    "HOOK_API_KEY",
    "CLAUDE_RUN_ID",
    "CLAUDE_PROJECT_DIR",
    "CLAUDE_CODE_REMOTE",
    "CLAUDE_CODE_SESSION_ID",
];

/// A temp dir removed on drop (kept when `KEEP_TEST_DIRS` is set, for debugging);
/// the tag goes into its name so a kept dir says which test made it.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("hookrelay-test-{tag}-"))
            .disable_cleanup(std::env::var_os("KEEP_TEST_DIRS").is_some())
            .tempdir()
            .expect("create a temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// One isolated user: HOME, config, environment.
pub struct TestEnv {
    pub dir: TempDir,
    pub env: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new(tag: &str) -> TestEnv {
        let dir = TempDir::new(tag);
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        TestEnv {
            dir,
            env: Vec::new(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.home().join(".local/share/hookrelay")
    }
    pub fn state_dir(&self) -> PathBuf {
        self.home().join(".local/state/hookrelay")
    }
    pub fn config_path(&self) -> PathBuf {
        self.home().join(".config/hookrelay/config.json")
    }
    /// The user's Claude Code settings, where `hookrelay install` wires itself.
    pub fn settings_path(&self) -> PathBuf {
        self.home().join(".claude/settings.json")
    }

    /// Writes the user's Claude Code settings file as `text`, byte for byte.
    pub fn write_settings(&self, text: &str) {
        let p = self.settings_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Writes the default config file.
    pub fn write_config(&self, config: &Value) {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, serde_json::to_vec_pretty(config).unwrap()).unwrap();
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.push((k.into(), v.into()));
    }

    /// The binary with this user's environment, nothing else inherited that matters.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args);
        for k in SCRUBBED {
            c.env_remove(k);
        }
        // A developer's OpenTelemetry setup would enable the OTLP backend.
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("OTEL_") || k.starts_with("HOOKRELAY_OTLP_") {
                c.env_remove(&*k);
            }
        }
        c.env("HOME", self.home());
        c.current_dir(self.dir.path());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// The binary with `args`, started with its three standard streams piped,
    /// as Claude Code starts a hook.
    pub fn spawn(&self, args: &[&str]) -> Child {
        spawn_piped(self.command(args))
    }

    /// Runs the hook (no subcommand) with `stdin`, as Claude Code does.
    pub fn hook(&self, stdin: &[u8]) -> Output {
        self.run(&[], stdin)
    }

    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self.spawn(args);
        let mut sin = child.stdin.take().unwrap();
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = sin.write_all(&data);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        out
    }

    /// Every envelope kept by the local sink, across all day files, in file order.
    pub fn kept(&self) -> Vec<Value> {
        let dir = self.data_dir().join("events");
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => return Vec::new(),
        };
        files.sort();
        files
            .iter()
            .flat_map(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .lines()
                    .map(|l| serde_json::from_str::<Value>(l).expect("kept line is JSON"))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Lines of the rejects file.
    pub fn rejects(&self) -> Vec<Value> {
        read_jsonl(&self.data_dir().join("rejects.jsonl"))
    }
}

/// Starts `cmd` with stdin, stdout and stderr piped.
pub fn spawn_piped(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hookrelay")
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(s) => s
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A JSON file parsed (it must exist and be JSON).
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Asserts the run exited with `code`; a failure shows both streams.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// Asserts the run's stdout contains `text`; a failure shows stdout.
#[track_caller]
pub fn assert_stdout_has(out: &Output, text: &str) {
    let s = stdout(out);
    assert!(s.contains(text), "stdout lacks {text:?}: {s}");
}

/// Asserts the run's stderr contains `text`; a failure shows stderr.
#[track_caller]
pub fn assert_stderr_has(out: &Output, text: &str) {
    let s = stderr(out);
    assert!(s.contains(text), "stderr lacks {text:?}: {s}");
}

/// Waits for `child` (started at `started`) while reading its stdout and stderr;
/// if it is still running after `bound`, kills it and fails the test naming
/// `what`, so a hang fails instead of blocking the suite. Returns its output and
/// how long it ran.
pub fn wait_or_kill(
    mut child: Child,
    started: Instant,
    bound: Duration,
    what: &str,
) -> (Output, Duration) {
    use std::io::Read;
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let stdout = child.stdout.take().map(|s| drain(Box::new(s)));
    let stderr = child.stderr.take().map(|s| drain(Box::new(s)));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still runs after {bound:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    let out = Output {
        status,
        stdout: stdout.map(|t| t.join().unwrap()).unwrap_or_default(),
        stderr: stderr.map(|t| t.join().unwrap()).unwrap_or_default(),
    };
    (out, took)
}
