//! `hookrelay doctor`: checks a setup end to end and says how to fix what is wrong.
//!
//! Each check is ok, warn or error, with a one-line fix. Errors exit 3
//! (`Code::Attention`); warnings alone exit 0. Checks never change anything.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::backends::url::{Url, exposes_secret};
use crate::backends::{Backend, Finding, Probe, Proof};
use crate::commands::install;
use crate::config::{self, Config};
use crate::delivery::transport::Transport;
use crate::exit::Code;
use crate::protocol::events;
use crate::protocol::settings_json;
use crate::store::paths::{self, Paths};
use crate::util::url::display;

/// How long a health check or reachability probe may take per backend.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Error,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Error => "error",
        }
    }
}

#[derive(Debug)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
    /// Print the fix on an ok line too (a backend proven only in part: the fix
    /// says how to prove the rest).
    pub show_fix: bool,
}

fn check(name: &str, status: Status, message: String, fix: Option<String>) -> Check {
    Check {
        name: name.to_string(),
        status,
        message,
        fix,
        show_fix: false,
    }
}

pub fn run(config_path: Option<&Path>, as_json: bool) -> Code {
    let checks = all_checks(config_path);
    let ok = !checks.iter().any(|c| c.status == Status::Error);
    if as_json {
        let list: Vec<Value> = checks
            .iter()
            .map(|c| {
                json!({"name": c.name, "status": c.status.as_str(), "message": c.message, "fix": c.fix})
            })
            .collect();
        println!("{}", json!({"checks": list, "ok": ok}));
    } else {
        for c in &checks {
            println!("{:<5} {}: {}", c.status.as_str(), c.name, c.message);
            if let Some(fix) = c
                .fix
                .as_ref()
                .filter(|_| c.status != Status::Ok || c.show_fix)
            {
                println!("      fix: {fix}");
            }
        }
        let (w, e) = (
            checks.iter().filter(|c| c.status == Status::Warn).count(),
            checks.iter().filter(|c| c.status == Status::Error).count(),
        );
        println!("{e} error(s), {w} warning(s)");
    }
    if ok { Code::Success } else { Code::Attention }
}

pub fn all_checks(config_path: Option<&Path>) -> Vec<Check> {
    let mut out = vec![check_binary()];
    let (config, source) = check_config(config_path, &mut out);
    if let (_, Some(p)) = crate::redact::Redactor::for_config(&config.redaction) {
        out.push(check("redaction", Status::Error, p.to_string(), None));
    }
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());
    check_backends(&config, &mut out);
    let wired = check_settings(&mut out);
    check_timeouts(&config, &wired, &mut out);
    check_permissions(source.as_deref(), &paths, &mut out);
    check_storage(&paths, &mut out);
    check_spool(&config, &paths, &mut out);
    // Every URL a check quotes (a config error, a spool's last error) in the
    // form that may be shown: no credentials, query values or token-like paths.
    for c in &mut out {
        c.message = crate::util::url::mask_urls(&c.message);
        c.fix = c.fix.as_deref().map(crate::util::url::mask_urls);
    }
    out
}

fn check_config(config_path: Option<&Path>, out: &mut Vec<Check>) -> (Config, Option<PathBuf>) {
    match config::load(config_path) {
        Ok(loaded) => {
            let where_ = match &loaded.source {
                Some(p) => format!("{} parses", p.display()),
                None => format!(
                    "no config file ({}); using environment variables and defaults",
                    paths::config_file(config_path)
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "no config directory".into())
                ),
            };
            if let Some(e) = loaded.problem() {
                out.push(check(
                    "config",
                    Status::Error,
                    format!("{}: {}", e.path().display(), e.message()),
                    Some("fix these fields; until then those backends are off and their events are kept locally".into()),
                ));
            } else if loaded.warnings.is_empty() {
                out.push(check("config", Status::Ok, where_, None));
            } else {
                out.push(check(
                    "config",
                    Status::Warn,
                    format!("{where_}, but: {}", loaded.warnings.join("; ")),
                    Some("set the variables named, or edit the config file".into()),
                ));
            }
            (loaded.config, loaded.source)
        }
        Err(e) => {
            out.push(check(
                "config",
                Status::Error,
                format!("{}: {}", e.path().display(), e.message()),
                Some(
                    "fix the file (the hook falls back to environment and defaults meanwhile)"
                        .into(),
                ),
            ));
            (config::fallback(), None)
        }
    }
}

fn check_backends(config: &Config, out: &mut Vec<Check>) {
    let backends = config.backends.build();
    // A backend off because of a config error is configured, and held.
    for h in &config.held {
        out.push(check(
            &format!("backend {}", h.name),
            Status::Error,
            format!("held: {}", crate::util::url::mask_urls(&h.reason)),
            Some("fix that setting; its events wait in its spool until then".into()),
        ));
    }
    if backends.is_empty() && config.held.is_empty() {
        out.push(check(
            "backends",
            Status::Ok,
            format!(
                "no remote backend configured; events are kept in {}",
                Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref())
                    .events_dir()
                    .display()
            ),
            None,
        ));
        return;
    }
    let transport = Transport::new(PROBE_TIMEOUT);
    for b in &backends {
        let name = format!("backend {}", b.name());
        let url = b.endpoint();
        let shown = display(&url);
        // URL shape and transport security.
        let Some(u) = Url::parse(&url) else {
            out.push(check(
                &name,
                Status::Error,
                format!("`{shown}` is not an http(s) URL"),
                Some("use http://host:port/... or https://...".into()),
            ));
            continue;
        };
        if exposes_secret(&u, b.carries_secret()) {
            out.push(check(
                &format!("url {}", b.name()),
                Status::Warn,
                format!(
                    "{shown} is plain http to {} and a key or secret is sent with it",
                    u.host
                ),
                Some("use https, or reach it through a loopback tunnel".into()),
            ));
        }
        out.push(probe_backend(b.as_ref(), &transport, &name, &shown));
    }
}

/// Which kind of binary this is. Statically linked and not position-independent
/// (what `install.sh` builds) starts without the dynamic loader or a
/// self-relocation, about half a millisecond less per event (docs/performance.md);
/// the other kinds work the same, so this is never a warning.
fn check_binary() -> Check {
    const FAST: &str = "RUSTFLAGS=\"-C target-feature=+crt-static -C relocation-model=static\" \
        cargo build --release --locked --target x86_64-unknown-linux-gnu";
    // ELF e_type (offset 16): 2 is a fixed-address executable, 3 position-independent.
    let fixed = std::fs::File::open("/proc/self/exe")
        .ok()
        .and_then(|mut f| {
            use std::io::Read;
            let mut head = [0u8; 18];
            f.read_exact(&mut head).ok()?;
            Some(head.starts_with(b"\x7fELF") && u16::from_le_bytes([head[16], head[17]]) == 2)
        });
    let message = match (cfg!(target_feature = "crt-static"), fixed) {
        (true, Some(true)) => "statically linked, fixed address (the fast build)".to_string(),
        (true, _) => format!(
            "statically linked, position-independent: each event pays a self-relocation; \
             for the fast build run ./install.sh, or {FAST} (docs/performance.md)"
        ),
        (false, _) => format!(
            "dynamically linked: works, but each event pays the dynamic loader; for the \
             fast build run ./install.sh, or {FAST} (docs/performance.md)"
        ),
    };
    check("binary", Status::Ok, message, None)
}

/// Proves one backend as far as it can without creating an event
/// (`Backend::probe`): a request the service answers without storing anything,
/// through the shared transport, read by the backend; or the backend's own
/// probe (NATS). The line says what was checked, the result and the fix; a
/// part that only an event could prove is said, with `hookrelay send`.
fn probe_backend(b: &dyn Backend, transport: &Transport, name: &str, shown: &str) -> Check {
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let (what, finding) = match b.probe() {
        Probe::Own => (shown.to_string(), b.run_probe(deadline, PROBE_TIMEOUT)),
        Probe::Http(req) => {
            let what = format!("{} {}", req.method, display(&req.url));
            match transport.send(&req, deadline) {
                Ok(resp) => (what, b.judge_probe(&resp)),
                // The transport's reason alone: `what` already names the URL.
                Err(e) => {
                    let fix = if e.reason.contains("TLS") {
                        "trust the server's certificate (a private CA: set this backend's `ca_file`); events are spooled meanwhile".to_string()
                    } else {
                        "start the service, or fix its URL; events are spooled meanwhile"
                            .to_string()
                    };
                    (what, Finding::failed(e.reason, fix))
                }
            }
        }
    };
    let status = match finding.proof {
        Proof::Proven | Proof::Partial => Status::Ok,
        Proof::Failed => Status::Error,
    };
    let mut c = check(
        name,
        status,
        format!("{what}: {}", finding.message),
        finding.fix,
    );
    // What was not proven is part of an ok line: its fix is shown too.
    c.show_fix = finding.proof == Proof::Partial;
    c
}

/// One hookrelay handler found in a settings file.
struct Wired {
    file: PathBuf,
    event: String,
    command: String,
    timeout: Option<f64>,
}

/// The settings files Claude Code reads for this user and this directory: user,
/// project, project-local (run doctor from the project to see its wiring).
fn settings_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let user = install::settings_path(install::Scope::User).ok();
    let project = install::settings_path(install::Scope::Project).ok();
    let local = project
        .as_ref()
        .map(|p| p.with_file_name("settings.local.json"));
    for p in [user, project, local].into_iter().flatten() {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// What doctor says about hookrelay's wiring in Claude Code's settings files.
fn check_settings(out: &mut Vec<Check>) -> Vec<Wired> {
    let (wired, broken) = find_wired(&settings_files());
    for p in broken {
        out.push(check(
            "settings",
            Status::Error,
            p,
            Some("Claude Code cannot use a broken settings file; fix it".into()),
        ));
    }
    if wired.is_empty() {
        // A choice (`install.sh --no-wire`, or wired by hand elsewhere), not a
        // fault: said plainly, with how to wire, without failing the check run.
        out.push(check(
            "settings",
            Status::Warn,
            "hookrelay is not wired into any Claude Code settings file: Claude Code does not run it yet".into(),
            Some("run `hookrelay install` (or `hookrelay install --scope project`) when you want it to".into()),
        ));
        return wired;
    }
    check_wired_files(&wired, out);
    check_wired_commands(&wired, out);
    check_wired_events(&wired, out);
    wired
}

/// hookrelay's handlers in those of `files` that exist, and the messages of the
/// ones that cannot be parsed.
fn find_wired(files: &[PathBuf]) -> (Vec<Wired>, Vec<String>) {
    let mut wired = Vec::new();
    let mut broken = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        match settings_json::parse(file, &text) {
            Ok(root) => wired.extend(wired_in(file, &root)),
            Err(e) => broken.push(e.to_string()),
        }
    }
    (wired, broken)
}

/// hookrelay's handlers in one parsed settings file, in file order.
fn wired_in(file: &Path, root: &serde_json::Map<String, Value>) -> Vec<Wired> {
    let Some(Value::Object(hooks)) = root.get("hooks") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (event, groups) in hooks {
        let handlers = groups.as_array().into_iter().flatten().flat_map(|g| {
            g.get("hooks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
        for h in handlers.filter(|h| settings_json::is_ours(h)) {
            out.push(Wired {
                file: file.to_path_buf(),
                event: event.clone(),
                command: h["command"].as_str().unwrap_or("").to_string(),
                timeout: h.get("timeout").and_then(Value::as_f64),
            });
        }
    }
    out
}

/// Which files hold the wiring: one is right, several relay every event twice.
fn check_wired_files(wired: &[Wired], out: &mut Vec<Check>) {
    let mut files: Vec<&PathBuf> = wired.iter().map(|w| &w.file).collect();
    files.dedup();
    // One line per file: a sum over files would hide which one holds what.
    for file in &files {
        let n = wired.iter().filter(|w| &&w.file == file).count();
        out.push(check(
            "settings",
            Status::Ok,
            format!("hookrelay wired for {n} event(s) in {}", file.display()),
            None,
        ));
    }
    if files.len() > 1 {
        out.push(check(
            "settings",
            Status::Warn,
            format!(
                "wired in {} files: every event is relayed once per file",
                files.len()
            ),
            Some("keep one: `hookrelay uninstall --scope project` (or --scope user)".into()),
        ));
    }
}

/// Entries that run another hookrelay binary than the one running doctor.
fn check_wired_commands(wired: &[Wired], out: &mut Vec<Check>) {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let elsewhere: Vec<String> = wired
        .iter()
        .filter(|w| me.is_some() && resolve_program(&w.command) != me)
        .map(|w| format!("{} ({})", w.event, w.command))
        .collect();
    if !elsewhere.is_empty() {
        out.push(check(
            "settings",
            Status::Warn,
            format!(
                "{} entr(ies) run another hookrelay than this one ({}): {}",
                elsewhere.len(),
                me.map(|p| p.display().to_string()).unwrap_or_default(),
                elsewhere.join(", ")
            ),
            Some("re-run `hookrelay install` with the binary you want Claude Code to run".into()),
        ));
    }
}

/// Default events that are not wired, and wired events that break worktrees.
fn check_wired_events(wired: &[Wired], out: &mut Vec<Check>) {
    let events: Vec<&str> = wired.iter().map(|w| w.event.as_str()).collect();
    let missing: Vec<&str> = install::default_events()
        .into_iter()
        .filter(|e| !events.contains(e))
        .collect();
    let breaking: Vec<&str> = install::never_by_default()
        .into_iter()
        .filter(|e| events.contains(e))
        .collect();
    if !missing.is_empty() {
        out.push(check(
            "settings",
            Status::Warn,
            format!("not wired for: {}", missing.join(", ")),
            Some("`hookrelay install` (default --events all) if these should be relayed".into()),
        ));
    }
    if !breaking.is_empty() {
        out.push(check(
            "settings",
            Status::Error,
            format!(
                "hookrelay is registered for {}: such a command hook replaces git worktree handling and breaks worktrees",
                breaking.join(", ")
            ),
            Some("`hookrelay install` (without these events) or remove them by hand".into()),
        ));
    }
}

/// The file a command's program resolves to (PATH lookup for a bare name).
fn resolve_program(command: &str) -> Option<PathBuf> {
    let prog = settings_json::program_of(command)?;
    let p = Path::new(&prog);
    if prog.contains('/') {
        return p.canonicalize().ok();
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(&prog))
        .find(|c| c.is_file())
        .and_then(|c| c.canonicalize().ok())
}

/// SessionEnd: its hooks share one short budget instead of each its own timeout.
fn shares_exit_budget(event: &str) -> bool {
    events::spec_of(event).is_some_and(|s| s.shared_exit_budget)
}

fn check_timeouts(config: &Config, wired: &[Wired], out: &mut Vec<Check>) {
    if wired.is_empty() {
        return;
    }
    let d = &config.delivery;
    let mut problems: Vec<(Status, String)> = Vec::new();
    for w in wired {
        match w.timeout {
            None => problems.push((
                Status::Warn,
                format!("{}: no timeout (Claude Code waits up to 600 s on a hung hook)", w.event),
            )),
            Some(t) if t >= 100.0 => problems.push((
                Status::Warn,
                format!("{}: timeout {t} looks like milliseconds; Claude Code reads seconds", w.event),
            )),
            Some(t) if !shares_exit_budget(&w.event) && t * 1000.0 < d.deadline_ms as f64 => {
                problems.push((
                    Status::Error,
                    format!(
                        "{}: timeout {t} s is shorter than delivery.deadline_ms ({} ms): Claude Code kills hookrelay before it can spool",
                        w.event, d.deadline_ms
                    ),
                ))
            }
            _ => {}
        }
    }
    // SessionEnd: one shared budget, 1.5 s raised to the largest SessionEnd timeout (max 60 s).
    let se_max = wired
        .iter()
        .filter(|w| shares_exit_budget(&w.event))
        .filter_map(|w| w.timeout)
        .fold(0.0f64, f64::max);
    if wired.iter().any(|w| shares_exit_budget(&w.event)) {
        let budget_ms = match std::env::var("CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
        {
            Some(ms) => ms,
            None => (se_max * 1000.0).clamp(1500.0, 60_000.0),
        };
        let need = d.event_deadline_ms(events::HookEvent::SessionEnd.name()) as f64 + 300.0;
        if budget_ms < need {
            problems.push((
                Status::Warn,
                format!(
                    "SessionEnd: Claude Code's budget is {budget_ms} ms, less than delivery.session_end_deadline_ms + 300 ms start-up ({need} ms); the last event may be cut off (it is journaled and replayed later)",
                ),
            ));
        }
    }
    if problems.is_empty() {
        out.push(check(
            "timeouts",
            Status::Ok,
            format!(
                "hook timeouts cover hookrelay's deadline ({} ms; SessionEnd {} ms)",
                d.deadline_ms, d.session_end_deadline_ms
            ),
            None,
        ));
        return;
    }
    let worst = if problems.iter().any(|(s, _)| *s == Status::Error) {
        Status::Error
    } else {
        Status::Warn
    };
    let msgs: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
    out.push(check(
        "timeouts",
        worst,
        msgs.join("; "),
        Some(
            "re-run `hookrelay install`: it writes timeouts in seconds derived from the config"
                .into(),
        ),
    ));
}

/// Does the config file hold a secret literally (not as `${VAR}`)?
fn holds_secret(v: &Value, key: &str) -> bool {
    match v {
        Value::String(s) => {
            let k = key.to_ascii_lowercase();
            let secret_key = [
                "key",
                "secret",
                "token",
                "salt",
                "password",
                "authorization",
            ]
            .iter()
            .any(|n| k.contains(n));
            let only_var = s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1;
            secret_key && !s.is_empty() && !only_var
        }
        Value::Array(a) => a.iter().any(|x| holds_secret(x, key)),
        Value::Object(m) => m.iter().any(|(k, x)| holds_secret(x, k)),
        _ => false,
    }
}

fn check_permissions(config_file: Option<&Path>, paths: &Paths, out: &mut Vec<Check>) {
    use std::os::unix::fs::PermissionsExt;
    let mut problems = Vec::new();
    let mut fixes = Vec::new();
    if let Some(f) = config_file {
        let secret = std::fs::read(f)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|v| holds_secret(&v, ""));
        let mode = std::fs::metadata(f).map(|m| m.permissions().mode() & 0o777);
        if let Ok(mode) = mode
            && secret
            && mode & 0o077 != 0
        {
            problems.push(format!(
                "{} holds a key or secret and is mode {mode:o}",
                f.display()
            ));
            fixes.push(format!("chmod 600 {}", f.display()));
        }
    }
    // Kept events and spools hold prompts and tool output: files should be 0600.
    let mut loose = Vec::new();
    for dir in [paths.data_dir.join("spool"), paths.events_dir()] {
        walk_files(&dir, &mut |p| {
            if std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
                loose.push(p.to_path_buf());
            }
        });
    }
    if !loose.is_empty() {
        problems.push(format!(
            "{} file(s) under {} readable by others (e.g. {})",
            loose.len(),
            paths.data_dir.display(),
            loose[0].display()
        ));
        fixes.push(format!("chmod -R go-rwx {}", paths.data_dir.display()));
    }
    if problems.is_empty() {
        out.push(check(
            "permissions",
            Status::Ok,
            "config, spool and kept events are private to this user".into(),
            None,
        ));
    } else {
        out.push(check(
            "permissions",
            Status::Error,
            problems.join("; "),
            Some(fixes.join("; ")),
        ));
    }
}

fn walk_files(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk_files(&p, f),
            Ok(t) if t.is_file() => f(&p),
            _ => {}
        }
    }
}

/// The data and state directories take a write (a probe file, removed at once),
/// and no hook recorded a failed write since the last one that succeeded.
fn check_storage(paths: &Paths, out: &mut Vec<Check>) {
    let st = crate::commands::status::storage(paths);
    let (status, message) = if st.ok {
        (
            Status::Ok,
            format!(
                "{} and {} are writable",
                paths.data_dir.display(),
                paths.state_dir.display()
            ),
        )
    } else if st.unwritable.is_empty() {
        (Status::Warn, st.attention.join("; "))
    } else {
        (Status::Error, st.attention.join("; "))
    };
    let fix = st.fix.unwrap_or_else(|| {
        "nothing to do if the cause is gone (the next hook event clears the record); \
         events a hook reported LOST are not recoverable"
            .into()
    });
    out.push(check("storage", status, message, Some(fix)));
}

/// Spool, breaker and dead-letter state, as `hookrelay status` sees it.
fn check_spool(config: &Config, paths: &Paths, out: &mut Vec<Check>) {
    let statuses = crate::commands::status::collect(config, paths);
    let mut any = false;
    for st in statuses.iter().filter(|s| !s.attention.is_empty()) {
        any = true;
        let fix = if st.dead_letters > 0 {
            format!(
                "read the reasons in the dead-letter file, fix them, then `hookrelay flush --dead-letters --backend {}`",
                st.name
            )
        } else {
            format!(
                "fix the backend, then `hookrelay flush --backend {}` (the hook also replays it once healthy)",
                st.name
            )
        };
        out.push(check(
            &format!("spool {}", st.name),
            Status::Warn,
            st.attention.join("; "),
            Some(fix),
        ));
    }
    if !any {
        out.push(check(
            "spool",
            Status::Ok,
            "nothing spooled, no dead letters, no breaker open".into(),
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::url::is_loopback;

    #[test]
    fn urls() {
        let u = Url::parse("http://user:pw@example.com:8080/x").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.userinfo),
            ("example.com", 8080, true)
        );
        let u = Url::parse("https://[::1]/ingest").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 443));
        assert!(Url::parse("example.com:80").is_none());
        assert!(Url::parse("ftp://x").is_none());
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && !is_loopback("10.0.0.1"));
        let p = |s: &str| Url::parse(s).unwrap();
        assert!(exposes_secret(&p("http://10.0.0.5:8000/e"), true));
        assert!(exposes_secret(&p("http://u:pw@bridge.lan/e"), false));
        assert!(!exposes_secret(&p("https://10.0.0.5/e"), true));
        assert!(!exposes_secret(&p("http://127.0.0.1:8000/e"), true));
        assert!(!exposes_secret(&p("http://10.0.0.5:8000/e"), false));
    }

    #[test]
    fn secrets_in_config() {
        assert!(holds_secret(
            &json!({"backends": {"chroma": {"api_key": "zo_fake"}}}),
            ""
        ));
        assert!(!holds_secret(
            &json!({"backends": {"chroma": {"api_key": "${ZO_API_KEY}"}}}),
            ""
        ));
        assert!(!holds_secret(
            &json!({"backends": {"bloodbank": {"url": "http://x"}}}),
            ""
        ));
        assert!(holds_secret(
            &json!({"backends": {"webhooks": [{"secret": "s"}]}}),
            ""
        ));
    }
}
