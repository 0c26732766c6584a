//! End to end with the real Claude Code CLI (2.1.330): `claude -p` runs offline
//! against a scripted fake Messages API on 127.0.0.1 (tests/claude/fake_anthropic.py),
//! with hookrelay registered for every hook event, and we check what the CLI did.
//!
//! The CLI comes from `$CLAUDE_BIN`, else `<target>/claude-code-2.1.330`, else it is
//! installed there from the npm registry on first use (tests/claude/install_claude.sh).
//! Without npm (or python3 for the fake API) these tests fail with a clear message:
//! they never pass silently.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::testenv::server::{Reply, Server, dead_port};
use crate::testenv::*;
use serde_json::{Value, json};

const CLAUDE_VERSION: &str = "2.1.330";
const FAKE_AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The claude binary, installed once per test process when needed.
fn claude() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("CLAUDE_BIN").filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            assert!(
                runs(&p),
                "CLAUDE_BIN={} does not run `--version`",
                p.display()
            );
            return p;
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest().join("target"));
        let prefix = target.join(format!("claude-code-{CLAUDE_VERSION}"));
        let bin = prefix.join("node_modules/.bin/claude");
        if runs(&bin) {
            return bin;
        }
        let script = manifest().join("tests/claude/install_claude.sh");
        let out = Command::new("sh")
            .arg(&script)
            .arg(&prefix)
            .arg(CLAUDE_VERSION)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "installing @anthropic-ai/claude-code@{CLAUDE_VERSION} into {} failed \
             (exit {:?}); these tests need Node.js with npm and the npm registry, \
             or CLAUDE_BIN pointing at a claude {CLAUDE_VERSION} binary",
            prefix.display(),
            out.status.code()
        );
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(runs(&p), "{} does not run after install", p.display());
        p
    })
}

fn runs(bin: &Path) -> bool {
    Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The fake Messages API, stopped (by its own pid) on drop.
struct FakeApi {
    child: Child,
    port: u16,
}

impl FakeApi {
    fn start(dir: &Path, steps: &[String]) -> FakeApi {
        let steps_file = dir.join("steps");
        std::fs::write(&steps_file, steps.join("\n") + "\n").unwrap();
        let port_file = dir.join("port");
        let child = Command::new("python3")
            .arg(manifest().join("tests/claude/fake_anthropic.py"))
            .args(["--port", "0", "--port-file"])
            .arg(&port_file)
            .arg("--log")
            .arg(dir.join("reqs.jsonl"))
            .arg("--steps-file")
            .arg(&steps_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("these tests need python3 on PATH to run the fake Messages API");
        let mut api = FakeApi { child, port: 0 };
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                api.port = p;
                return api;
            }
            if let Ok(Some(st)) = api.child.try_wait() {
                panic!("fake_anthropic.py exited early ({st})");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("fake_anthropic.py did not report its port within 20 s");
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `claude -p` run and what it left behind.
struct Run {
    env: TestEnv,
    /// The hook command as registered (it names the hook in the debug log).
    command: String,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn proj(&self) -> PathBuf {
        self.env.dir.path().join("proj")
    }
    fn debug_log(&self) -> String {
        std::fs::read_to_string(self.env.dir.path().join("debug.log")).unwrap_or_default()
    }
    /// Requests the CLI sent to the fake Messages API.
    fn requests(&self) -> Vec<Value> {
        read_jsonl(&self.env.dir.path().join("reqs.jsonl"))
    }
    /// Main-agent requests (the ones offering the Bash tool), in order.
    fn main_requests(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r["body"]["tools"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t["name"] == "Bash"))
            })
            .collect()
    }
    /// The tool_result blocks of the last user message of each main request.
    fn tool_results(&self) -> Vec<Value> {
        self.main_requests()
            .iter()
            .filter_map(|r| r["body"]["messages"].as_array()?.last().cloned())
            .filter_map(|m| m["content"].as_array().cloned())
            .flatten()
            .filter(|b| b["type"] == "tool_result")
            .collect()
    }
    /// Events the CLI reports having run our command for, with their exit status.
    fn fired(&self) -> Vec<(String, i32)> {
        let marker = format!(" [{}] ", self.command);
        self.debug_log()
            .lines()
            .filter_map(|l| {
                let at = l.find(&marker)?;
                let head = l[..at].rsplit("] ").next()?;
                let head = head.strip_prefix("Hooks: ").unwrap_or(head);
                let event = head.split(':').next()?.to_string();
                let status = l[at..].split("with status ").nth(1)?;
                let status: i32 = status.split_whitespace().next()?.parse().ok()?;
                Some((event, status))
            })
            .collect()
    }
    /// Debug-log lines that show a hook problem the CLI attributes to our command.
    fn hook_errors(&self) -> Vec<String> {
        const SIGNS: &[&str] = &[
            "hook error",
            "Failed with non-blocking status",
            "incorrect event name",
            "not valid JSON",
            "Expected schema",
            "Hook failed to run",
            "cancelled",
            "timed out",
        ];
        let mut errors: Vec<String> = self
            .debug_log()
            .lines()
            .filter(|l| {
                SIGNS
                    .iter()
                    .any(|s| l.to_lowercase().contains(&s.to_lowercase()))
            })
            .map(String::from)
            .collect();
        errors.extend(
            self.fired()
                .into_iter()
                .filter(|(_, s)| *s != 0)
                .map(|(e, s)| format!("{e} exited {s}")),
        );
        errors
    }
    fn result(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("claude stdout is not JSON ({e}): {}", self.stdout))
    }
    fn kept_of(&self, event: &str) -> Vec<Value> {
        self.env
            .kept()
            .into_iter()
            .filter(|e| e["hook_event_name"] == event)
            .collect()
    }
}

/// Runs `claude -p PROMPT` once, offline, in a throwaway HOME, with hookrelay
/// (config `config`) registered for every event, the fake model making `steps`.
fn run_claude(tag: &str, config: Value, prompt: &str, steps: &[String]) -> Run {
    let env = TestEnv::new(&format!("e2e-{tag}"));
    // Wired the way a user does it: config in its default place, and
    // `hookrelay install` writing the user's ~/.claude/settings.json.
    env.write_config(&config);
    let installed = env.run(&["install", "--scope", "user"], b"");
    assert_eq!(
        installed.status.code(),
        Some(0),
        "hookrelay install: {}",
        stderr(&installed)
    );
    run_wired(tag, env, prompt, steps)
}

/// Runs `claude -p` as the user of `env`, whose ~/.claude/settings.json already
/// registers hookrelay.
fn run_wired(tag: &str, env: TestEnv, prompt: &str, steps: &[String]) -> Run {
    let claude = claude();
    let dir = env.dir.path().to_path_buf();
    std::fs::create_dir_all(dir.join("proj")).unwrap();
    let written = read_json(&env.settings_path());
    let command = written["hooks"]["Stop"][0]["hooks"][0]["command"]
        .as_str()
        .expect("install registered a command for Stop")
        .to_string();

    let api = FakeApi::start(&dir, steps);
    let mut child = Command::new(claude)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", env.home())
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .env(
            "ANTHROPIC_BASE_URL",
            format!("http://127.0.0.1:{}", api.port),
        )
        .env("ANTHROPIC_API_KEY", "sk-ant-dummy-not-a-real-key")
        // As root, --dangerously-skip-permissions needs this.
        .env("IS_SANDBOX", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .arg("-p")
        .arg(prompt)
        .arg("--dangerously-skip-permissions")
        .args(["--output-format", "json"])
        .arg("--debug-file")
        .arg(dir.join("debug.log"))
        .current_dir(dir.join("proj"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", claude.display()));
    let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let end = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("{tag}: claude did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(api);
    Run {
        env,
        command,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        code: status.code(),
    }
}

fn assert_clean(run: &Run) {
    assert_eq!(run.code, Some(0), "claude failed: {}", run.stderr);
    let errors = run.hook_errors();
    assert!(
        errors.is_empty(),
        "hook errors in the debug log: {errors:#?}"
    );
}

fn touch(run_marker: &str) -> String {
    format!("touch {run_marker}")
}

#[test]
fn every_fired_event_is_kept_once_with_the_cli_session_id() {
    let run = run_claude(
        "all",
        json!({}),
        "say hello",
        &["echo hello-from-hookrelay-e2e".into()],
    );
    assert_clean(&run);
    let session = run.result()["session_id"]
        .as_str()
        .expect("the CLI reports its session id")
        .to_string();
    let mut fired: Vec<String> = run.fired().into_iter().map(|(e, _)| e).collect();
    let kept = run.env.kept();
    let mut kept_names: Vec<String> = kept
        .iter()
        .map(|e| e["hook_event_name"].as_str().unwrap().to_string())
        .collect();
    for must in [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "Stop",
        "SessionEnd",
    ] {
        assert!(fired.iter().any(|e| e == must), "{must} fired: {fired:?}");
    }
    fired.sort();
    kept_names.sort();
    assert_eq!(kept_names, fired, "each fired event kept exactly once");
    for e in &kept {
        assert_eq!(
            e["session_id"],
            session.as_str(),
            "{}",
            e["hook_event_name"]
        );
        assert_eq!(e["input"]["session_id"], session.as_str());
        assert!(e.get("decision").is_none(), "no rule, no decision: {e}");
    }
    // No rule, no gate: the tool ran and its output went back to the model.
    let results = run.tool_results();
    assert_eq!(results.len(), 1);
    assert_ne!(results[0]["is_error"], true, "{results:?}");
    assert!(results[0].to_string().contains("hello-from-hookrelay-e2e"));
}

#[test]
fn policy_deny_rule_stops_the_bash_command() {
    let reason = "hookrelay-e2e: the marker file must never be created";
    let config = json!({"policy": {"rules": [{"name": "no-marker", "tool": "Bash",
        "command": "touch .*marker-policy", "decision": "deny", "reason": reason}]}});
    let env_dir_marker = "marker-policy";
    let run = run_claude(
        "policy-deny",
        config,
        "make the marker",
        &[touch(env_dir_marker)],
    );
    assert_clean(&run);
    assert!(
        !run.proj().join(env_dir_marker).exists(),
        "the denied command ran"
    );
    let results = run.tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["is_error"], true);
    assert!(results[0].to_string().contains(reason), "{results:?}");
    let pre = run.kept_of("PreToolUse");
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0]["decision"]["outcome"], "deny");
    assert_eq!(pre[0]["decision"]["by"], json!(["policy:no-marker"]));
    assert!(run.kept_of("PostToolUse").is_empty(), "the tool never ran");
}

fn gate_config(url: &str, mode: &str) -> Value {
    json!({
        "local": {"enabled": true},
        "delivery": {"deadline_ms": 2000},
        "backends": {"webhooks": [{"name": "guard", "url": url,
            "gate": {"on_unreachable": mode}}]}
    })
}

/// In `-p` mode with --dangerously-skip-permissions there is nobody to ask: the CLI
/// treats a hook's `ask` like a refusal. The tool does not run and the model gets an
/// error tool_result carrying the ask reason (observed with 2.1.330).
#[test]
fn gate_deny_and_ask_are_honoured_by_the_cli() {
    let server = Server::start(|r| {
        let v = r.json();
        if v["hook_event_name"] != "PreToolUse" {
            return Reply::json(200, "{}");
        }
        let cmd = v["input"]["tool_input"]["command"].as_str().unwrap_or("");
        let (d, why) = if cmd.contains("marker-gate-deny") {
            ("deny", "hookrelay-e2e: gate denies marker-gate-deny")
        } else if cmd.contains("marker-gate-ask") {
            ("ask", "hookrelay-e2e: gate asks about marker-gate-ask")
        } else {
            return Reply::json(200, "{}");
        };
        Reply::json(
            200,
            &json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "permissionDecision": d, "permissionDecisionReason": why}})
            .to_string(),
        )
    });
    let run = run_claude(
        "gate",
        gate_config(&server.url("/gate"), "closed"),
        "make the markers",
        &[
            touch("marker-gate-deny"),
            touch("marker-gate-ask"),
            "echo after-the-gate".into(),
        ],
    );
    assert_clean(&run);
    assert!(!run.proj().join("marker-gate-deny").exists());
    assert!(!run.proj().join("marker-gate-ask").exists());
    let results = run.tool_results();
    assert_eq!(results.len(), 3, "{results:#?}");
    assert_eq!(results[0]["is_error"], true);
    assert!(
        results[0]
            .to_string()
            .contains("gate denies marker-gate-deny")
    );
    assert_eq!(results[1]["is_error"], true);
    assert!(
        results[1]
            .to_string()
            .contains("gate asks about marker-gate-ask")
    );
    assert_ne!(
        results[2]["is_error"], true,
        "a call the gate has no opinion on runs"
    );
    assert!(results[2].to_string().contains("after-the-gate"));
    let pre = run.kept_of("PreToolUse");
    let outcomes: Vec<&Value> = pre.iter().map(|e| &e["decision"]["outcome"]).collect();
    assert_eq!(outcomes, [&json!("deny"), &json!("ask"), &Value::Null]);
    assert_eq!(pre[0]["decision"]["by"], json!(["gate:guard"]));
    // The gate saw every event hookrelay kept.
    assert_eq!(server.received().len(), run.env.kept().len());
}

#[test]
fn gate_down_fails_open_or_closed() {
    let url = format!("http://127.0.0.1:{}/gate", dead_port());
    let open = run_claude(
        "down-open",
        gate_config(&url, "open"),
        "make the marker",
        &[touch("marker-open")],
    );
    assert_clean(&open);
    assert!(
        open.proj().join("marker-open").exists(),
        "fail-open: the tool runs"
    );
    assert_ne!(open.tool_results()[0]["is_error"], true);

    let closed = run_claude(
        "down-closed",
        gate_config(&url, "closed"),
        "make the marker",
        &[touch("marker-closed")],
    );
    // A fail-closed gate that is down also blocks the prompt itself.
    assert_eq!(closed.code, Some(0), "{}", closed.stderr);
    assert!(
        closed.hook_errors().is_empty(),
        "{:#?}",
        closed.hook_errors()
    );
    assert!(!closed.proj().join("marker-closed").exists());
    let result = closed.result();
    let text = result["result"].as_str().unwrap_or_default();
    assert!(
        text.contains("gate `guard` was unreachable"),
        "the user is told why: {result}"
    );
    assert!(
        closed.main_requests().is_empty(),
        "no prompt reached the model"
    );
    let ups = closed.kept_of("UserPromptSubmit");
    assert_eq!(ups[0]["decision"]["outcome"], "block");
    assert_eq!(ups[0]["decision"]["by"], json!(["gate:guard"]));
}

/// A fail-closed gate that is down on tool calls only (`events` limits it).
#[test]
fn gate_down_fail_closed_denies_the_tool_call() {
    let url = format!("http://127.0.0.1:{}/gate", dead_port());
    let mut config = gate_config(&url, "closed");
    config["backends"]["webhooks"][0]["events"] = json!(["PreToolUse"]);
    let run = run_claude(
        "down-closed-tool",
        config,
        "make the marker",
        &[touch("m-closed")],
    );
    assert_clean(&run);
    assert!(!run.proj().join("m-closed").exists());
    let results = run.tool_results();
    assert_eq!(results[0]["is_error"], true);
    let text = results[0].to_string();
    assert!(text.contains("gate `guard` was unreachable"), "{text}");
    assert!(text.contains("on_unreachable: closed"), "{text}");
}

#[test]
fn prompt_with_a_secret_never_reaches_the_model() {
    let config = json!({
        "policy": {"block_secret_prompts": true}
    });
    let prompt = format!("deploy to prod, the key is {FAKE_AWS_SECRET} thanks");
    let run = run_claude("secret", config, &prompt, &[touch("marker-secret")]);
    assert_clean(&run);
    let requests = run.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.to_string().contains(FAKE_AWS_SECRET)),
        "a model request carried the secret"
    );
    assert!(run.main_requests().is_empty(), "the turn never started");
    assert!(!run.proj().join("marker-secret").exists());
    let result = run.result();
    let text = result["result"].as_str().unwrap_or_default();
    assert!(text.contains("blocked by hook"), "{result}");
    assert!(text.contains("AWS secret access key"), "{result}");
    assert_eq!(result["num_turns"], 0, "{result}");
    let ups = run.kept_of("UserPromptSubmit");
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0]["decision"]["outcome"], "block");
    assert_eq!(
        ups[0]["decision"]["by"],
        json!(["policy:block_secret_prompts"])
    );
}

/// Issue 6's "done when": install.sh on a fresh HOME wires hookrelay, a real
/// Claude Code session delivers to Bloodbank and the ChromaDB bridge (strict
/// contract servers), doctor reports every check ok, and --uninstall takes out
/// exactly what install.sh put in.
#[test]
fn install_sh_then_a_real_session_delivers_doctor_is_ok_and_uninstall_restores() {
    use crate::testenv::backends as contract;
    use crate::testenv::install::{install_sh, snapshot};

    let bb = contract::bloodbank();
    let ch = contract::chroma(Some("zo-fake-e2e-key"));
    let env = TestEnv::new("e2e-install-sh");
    let prefix = env.dir.path().join("prefix");
    let home_before = snapshot(&env.home());
    let prefix_s = prefix.display().to_string();
    let (bb_url, ch_url) = (bb.url(""), ch.url("/ingest"));
    let args = [
        "--prefix",
        prefix_s.as_str(),
        "--bloodbank-url",
        bb_url.as_str(),
        "--chroma-endpoint",
        ch_url.as_str(),
        "--api-key",
        "zo-fake-e2e-key",
    ];
    let out = install_sh(&env.home(), env.dir.path(), &args, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "install.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = prefix.join("bin/hookrelay");
    assert!(installed.exists());

    let run = run_wired("install-sh", env, "say hello", &[touch("marker-install")]);
    assert_clean(&run);
    let session = run.result()["session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!session.is_empty(), "{}", run.stdout);
    bb.wait_for(4);
    assert!(
        bb.refused().is_empty(),
        "Bloodbank refused: {:?}",
        bb.refused()
    );
    let routes = bb.accepted();
    for route in ["session-start", "message", "tool-action", "session-end"] {
        assert!(
            routes.iter().any(|r| r.ends_with(route)),
            "Bloodbank got no {route}: {routes:?}"
        );
    }
    assert!(
        ch.refused().is_empty(),
        "bridge refused: {:?}",
        ch.refused()
    );
    let bodies: Vec<Value> = ch.server.received().iter().map(|r| r.json()).collect();
    assert!(bodies.len() >= 5, "{bodies:?}");
    assert!(bodies.iter().all(|b| b["session_id"] == session.as_str()));

    // doctor, from the installed binary, with the user's HOME: every check ok.
    let doctor = Command::new(&installed)
        .args(["doctor", "--json"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", run.env.home())
        .current_dir(run.env.dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("doctor --json");
    let not_ok: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "ok")
        .collect();
    assert!(not_ok.is_empty(), "doctor: {not_ok:#?}");
    assert_exit(&doctor, 0);

    // --uninstall: settings, config and binary are gone again; what the session
    // kept (Claude Code's own files, hookrelay's data) is the user's and stays.
    let out = install_sh(
        &run.env.home(),
        run.env.dir.path(),
        &["--uninstall", "--prefix", prefix_s.as_str()],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "install.sh --uninstall: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!installed.exists());
    let after = snapshot(&run.env.home());
    for added in [".claude/settings.json", ".config/hookrelay/config.json"] {
        assert_eq!(after.get(added), home_before.get(added), "{added} restored");
    }
}

/// Recovery that needs no one (docs/spool.md): a backlog spooled while the
/// backend was down is handed by the session's ordinary hooks to a detached
/// background drainer. The CLI never waits for it (the session, SessionEnd
/// included, ends while the drain is still running, with no hook timing out),
/// and it does not die with the session: the rest of the backlog and the
/// session's own events arrive after the CLI exited, in order, each once.
#[test]
fn a_backlog_drains_in_the_background_and_never_holds_the_session() {
    use crate::testenv::spool::{set_breaker, tag, tag_of, tagged_event};
    const BACKLOG: usize = 300;
    let env = TestEnv::new("e2e-recovery");
    let port = dead_port();
    let url = format!("http://127.0.0.1:{port}/events");
    env.write_config(&json!({"backends": {"webhooks": [{"name": "hook", "url": url}]}}));
    // The outage: one real event spooled, then cloned into a backlog of 300.
    assert_eq!(env.hook(&tagged_event(0)).status.code(), Some(0));
    let seg = env.data_dir().join("spool/hook/seg-000000000001.jsonl");
    let template: Value =
        serde_json::from_str(std::fs::read_to_string(&seg).unwrap().trim()).unwrap();
    let mut backlog = String::new();
    for i in 1..=BACKLOG {
        let mut line = template.clone();
        line["envelope"]["id"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
        line["envelope"]["input"]["tool_use_id"] = json!(tag(i));
        backlog.push_str(&format!("{line}\n"));
    }
    std::fs::write(&seg, backlog).unwrap();
    let installed = env.run(&["install", "--scope", "user"], b"");
    assert_eq!(installed.status.code(), Some(0), "{}", stderr(&installed));

    // Back, but slow (30 ms an event): the backlog takes at least 9 s to drain,
    // longer than a whole session here.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = Server::start_on(listener, |_| {
        Reply::json(200, "{}").delayed(Duration::from_millis(30))
    });
    set_breaker(&env, "hook", 0, 0);
    let started = Instant::now();
    let run = run_wired(
        "recovery",
        env,
        "say hello",
        &["echo hello-from-hookrelay-e2e".into()],
    );
    let session = started.elapsed();
    let at_exit = server.received().len();
    assert_clean(&run);
    let fired: Vec<String> = run.fired().into_iter().map(|(e, _)| e).collect();
    assert!(fired.iter().any(|e| e == "SessionEnd"), "{fired:?}");
    let session_events = fired.len();
    assert!(
        at_exit < BACKLOG,
        "the session ({session:?}) lasted until {at_exit} of {BACKLOG} backlog events were \
         delivered: it waited for the drain"
    );

    // The drainer lives on after the CLI: everything arrives.
    let total = BACKLOG + session_events;
    let end = Instant::now() + Duration::from_secs(50);
    while server.received().len() < total && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let received = server.received();
    let tags: Vec<String> = received[..BACKLOG.min(received.len())]
        .iter()
        .map(tag_of)
        .collect();
    assert_eq!(
        tags,
        (1..=BACKLOG).map(tag).collect::<Vec<_>>(),
        "the backlog first, in order, each once ({} requests in all)",
        received.len()
    );
    let mut after: Vec<String> = received[BACKLOG..]
        .iter()
        .map(|r| {
            r.json()["hook_event_name"]
                .as_str()
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    assert_eq!(after.last().map(String::as_str), Some("SessionEnd"));
    let mut fired = fired;
    after.sort();
    fired.sort();
    assert_eq!(
        after, fired,
        "then each session event once, SessionEnd included"
    );
}
