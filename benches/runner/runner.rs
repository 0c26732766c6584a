//! The benchmark runner behind `benches/run` (std only, built with `rustc -O`).
//!
//! It spawns the binary under test once per event, exactly as Claude Code does (JSON
//! on a stdin pipe, stdout and stderr read by nobody), and times each spawn from
//! `spawn()` to the child's exit. Peak RSS and CPU time of every run come from the
//! kernel through `wait4(2)`'s rusage, so no per-run `/usr/bin/time` process skews
//! the figures. The loopback HTTP backends (healthy, hanging) are threads of this
//! process; a refusing backend is a port nothing listens on.
//!
//! Scenarios are sampled in interleaved rounds (one run of each scenario per
//! round) so that background load on a shared machine hits every scenario, and the
//! floor, alike: the ratios stay meaningful even when absolute times are noisy.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// wait4(2): peak RSS and CPU time of one child, without the libc crate.

#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` on 64-bit Linux: two timevals, then 14 longs (ru_maxrss first).
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss_kb: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

/// Waits for `pid`; returns (raw wait status, rusage).
fn wait_child(pid: u32) -> (i32, Rusage) {
    let mut status = 0i32;
    let mut ru = Rusage::default();
    loop {
        // SAFETY: plain syscall wrapper with valid out-pointers to owned memory.
        let r = unsafe { wait4(pid as i32, &mut status, 0, &mut ru) };
        if r == pid as i32 {
            return (status, ru);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            panic!("wait4({pid}): {e}");
        }
    }
}

fn exit_code(status: i32) -> i32 {
    if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        128 + (status & 0x7f)
    }
}

// ---------------------------------------------------------------------------
// Loopback HTTP backends.

/// A backend on 127.0.0.1. `hits` counts complete requests answered.
struct Server {
    port: u16,
    hits: Arc<AtomicU64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// Reads each request and answers `200 {}` at once; keep-alive until the client closes.
    Healthy,
    /// Accepts the connection and never reads or answers (held open until exit).
    Hanging,
}

/// Threads of a healthy server, each blocked in `accept` on the same socket: the
/// kernel hands a new connection straight to one of them, so no thread is spawned
/// (and no hand-off made) while hookrelay waits for its answer. Up to this many
/// connections to one backend are served at once.
const ACCEPTORS: usize = 4;

fn start_server(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicU64::new(0));
    match behaviour {
        Behaviour::Hanging => {
            std::thread::spawn(move || {
                let mut held: Vec<TcpStream> = Vec::new();
                for stream in listener.incoming().flatten() {
                    held.push(stream);
                }
            });
        }
        Behaviour::Healthy => {
            for _ in 0..ACCEPTORS {
                let l = listener.try_clone().expect("clone listener");
                let h = Arc::clone(&hits);
                std::thread::spawn(move || {
                    for stream in l.incoming().flatten() {
                        serve_ok(stream, &h);
                    }
                });
            }
        }
    }
    Server { port, hits }
}

fn serve_ok(stream: TcpStream, hits: &AtomicU64) {
    let _ = stream.set_nodelay(true);
    let mut out = stream.try_clone().expect("clone stream");
    let mut r = BufReader::new(stream);
    loop {
        let mut content_length = 0usize;
        let mut chunked = false;
        let mut close = false;
        let mut first = true;
        loop {
            let mut line = String::new();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if l.is_empty() {
                if first {
                    continue; // stray CRLF between requests
                }
                break;
            }
            first = false;
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
                match k.as_str() {
                    "content-length" => content_length = v.parse().unwrap_or(0),
                    "transfer-encoding" => chunked = v.contains("chunked"),
                    "connection" => close = v.contains("close"),
                    _ => {}
                }
            }
        }
        if chunked {
            loop {
                let mut size = String::new();
                if r.read_line(&mut size).unwrap_or(0) == 0 {
                    return;
                }
                let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                    .unwrap_or(0);
                let mut buf = vec![0u8; n + 2];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if n == 0 {
                    break;
                }
            }
        } else if content_length > 0 {
            let mut buf = vec![0u8; content_length];
            if r.read_exact(&mut buf).is_err() {
                return;
            }
        }
        hits.fetch_add(1, Ordering::Relaxed);
        let resp =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        if out.write_all(resp).is_err() || close {
            return;
        }
    }
}

/// A port on 127.0.0.1 that refuses connections (bound once, then released).
fn refusing_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------
// Options.

struct Opts {
    bin: PathBuf,
    floor: PathBuf,
    event: PathBuf,
    work: PathBuf,
    runs: usize,
    warmup: usize,
    min_runs: usize,
    budget: Duration,
    spool_events: u64,
    session_events: u64,
    replay_events: u64,
    recovery_events: u64,
    hang_deadline_ms: u64,
    markdown: bool,
    update_doc: Option<PathBuf>,
    command: String,
    label: String,
    only: Option<Vec<String>>,
    spool_gen: Option<PathBuf>,
    /// GNU time, for peak RSS (see `rss_run`).
    time_bin: Option<PathBuf>,
    rss_runs: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: runner --bin HOOKRELAY --floor FLOOR --event EVENT.json --work DIR\n\
         \x20      [--quick] [--runs N] [--warmup N] [--budget SECONDS] [--only a,b,...]\n\
         \x20      [--spool-events N] [--session-events N] [--replay-events N]\n\
         \x20      [--recovery-events N]\n\
         \x20      [--hang-deadline-ms MS] [--spool-gen PROGRAM] [--time /usr/bin/time]\n\
         \x20      [--rss-runs N] [--markdown]\n\
         \x20      [--update-doc FILE] [--command TEXT] [--label TEXT]"
    );
    std::process::exit(2);
}

fn parse_opts() -> Opts {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Opts {
        bin: PathBuf::new(),
        floor: PathBuf::new(),
        event: PathBuf::new(),
        work: PathBuf::new(),
        runs: if quick { 40 } else { 300 },
        warmup: if quick { 5 } else { 20 },
        min_runs: if quick { 10 } else { 30 },
        budget: Duration::from_secs(if quick { 5 } else { 40 }),
        spool_events: 1_000_000,
        session_events: if quick { 1_000 } else { 10_000 },
        replay_events: if quick { 300 } else { 3_000 },
        recovery_events: 1_000,
        hang_deadline_ms: 100,
        markdown: false,
        update_doc: None,
        command: String::new(),
        label: String::new(),
        only: None,
        spool_gen: None,
        time_bin: Some(PathBuf::from("/usr/bin/time")).filter(|p| p.exists()),
        rss_runs: if quick { 3 } else { 10 },
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--quick" => {}
            "--bin" => o.bin = val().into(),
            "--floor" => o.floor = val().into(),
            "--event" => o.event = val().into(),
            "--work" => o.work = val().into(),
            "--runs" => o.runs = val().parse().unwrap_or_else(|_| usage()),
            "--warmup" => o.warmup = val().parse().unwrap_or_else(|_| usage()),
            "--budget" => {
                o.budget = Duration::from_secs_f64(val().parse().unwrap_or_else(|_| usage()))
            }
            "--spool-events" => o.spool_events = val().parse().unwrap_or_else(|_| usage()),
            "--session-events" => o.session_events = val().parse().unwrap_or_else(|_| usage()),
            "--replay-events" => o.replay_events = val().parse().unwrap_or_else(|_| usage()),
            "--recovery-events" => o.recovery_events = val().parse().unwrap_or_else(|_| usage()),
            "--hang-deadline-ms" => o.hang_deadline_ms = val().parse().unwrap_or_else(|_| usage()),
            "--spool-gen" => o.spool_gen = Some(val().into()),
            "--time" => o.time_bin = Some(val().into()).filter(|p: &PathBuf| p.exists()),
            "--rss-runs" => o.rss_runs = val().parse().unwrap_or_else(|_| usage()),
            "--markdown" => o.markdown = true,
            "--update-doc" => o.update_doc = Some(val().into()),
            "--command" => o.command = val(),
            "--label" => o.label = val(),
            "--only" => o.only = Some(val().split(',').map(str::to_string).collect()),
            _ => usage(),
        }
    }
    if o.bin.as_os_str().is_empty()
        || o.floor.as_os_str().is_empty()
        || o.work.as_os_str().is_empty()
    {
        usage();
    }
    o.min_runs = o.min_runs.min(o.runs);
    o
}

// ---------------------------------------------------------------------------
// Scenarios.

/// One way of running one event, sampled repeatedly.
struct Scenario {
    slug: &'static str,
    title: String,
    program: PathBuf,
    args: Vec<String>,
    /// HOME of this scenario (its own; config, data and state live below it).
    home: PathBuf,
    /// Config file contents, written to `$HOME/.config/hookrelay/config.json`.
    config: Option<String>,
    /// Fresh HOME for every run (first call: no breaker, spool or session state yet).
    fresh_home_each_run: bool,
    target: Target,
    servers: Vec<Arc<AtomicU64>>,
    samples: Vec<Sample>,
    spent: Duration,
    notes: Vec<String>,
    fresh_counter: usize,
    /// Peak RSS (KB) of the runs made through GNU time.
    rss: Vec<i64>,
    /// Requests the healthy backends should have received but did not.
    undelivered: u64,
    /// Another event than the fixture (the big tool outputs).
    event: Option<Vec<u8>>,
}

#[derive(Clone, Copy)]
enum Target {
    None,
    /// median ≤ k × floor
    Ratio(f64),
    /// median ≤ k × another scenario's median
    RatioOf(&'static str, f64),
    /// median ≤ floor + ms
    PlusMs(f64),
    /// flat against another scenario's median
    FlatAgainst(&'static str),
}

#[derive(Clone, Copy)]
struct Sample {
    wall_us: f64,
    cpu_us: f64,
    code: i32,
}

struct Env<'a> {
    opts: &'a Opts,
    repo: PathBuf,
    event: Vec<u8>,
}

impl Scenario {
    fn new(env: &Env, slug: &'static str, title: String, target: Target) -> Scenario {
        let home = env.opts.work.join(slug).join("home");
        std::fs::create_dir_all(&home).expect("create scenario HOME");
        Scenario {
            slug,
            title,
            program: env.opts.bin.clone(),
            args: Vec::new(),
            home,
            config: None,
            fresh_home_each_run: false,
            target,
            servers: Vec::new(),
            samples: Vec::new(),
            spent: Duration::ZERO,
            notes: Vec::new(),
            fresh_counter: 0,
            rss: Vec::new(),
            undelivered: 0,
            event: None,
        }
    }

    fn is_hookrelay(&self, opts: &Opts) -> bool {
        self.program == opts.bin
    }

    fn write_config(&self, home: &Path) {
        if let Some(c) = &self.config {
            let dir = home.join(".config/hookrelay");
            std::fs::create_dir_all(&dir).expect("create config dir");
            std::fs::write(dir.join("config.json"), c).expect("write config");
        }
    }

    /// The HOME for the next run.
    fn next_home(&mut self) -> PathBuf {
        if !self.fresh_home_each_run {
            return self.home.clone();
        }
        self.fresh_counter += 1;
        let h = self
            .home
            .with_file_name(format!("home-{}", self.fresh_counter));
        let _ = std::fs::remove_dir_all(&h);
        std::fs::create_dir_all(&h).expect("create fresh HOME");
        self.write_config(&h);
        h
    }

    fn command(&self, env: &Env, home: &Path) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("CLAUDE_PROJECT_DIR", &env.repo)
            .current_dir(&env.repo);
        c
    }

    /// One timed run: spawn, write the event to stdin, close it, wait4.
    #[allow(clippy::zombie_processes)]
    fn run_once(&mut self, env: &Env) -> Sample {
        let home = self.next_home();
        let mut cmd = self.command(env, &home);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let t0 = Instant::now();
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot run {}: {e}", self.program.display());
        });
        {
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(self.event.as_ref().unwrap_or(&env.event));
        }
        // Reaped by wait4 (for the rusage), not by Child::wait.
        let (status, ru) = wait_child(child.id());
        let wall = t0.elapsed();
        self.spent += wall;
        let cpu_us =
            (ru.utime.sec + ru.stime.sec) as f64 * 1e6 + (ru.utime.usec + ru.stime.usec) as f64;
        Sample {
            wall_us: wall.as_secs_f64() * 1e6,
            cpu_us,
            code: exit_code(status),
        }
    }

    /// Peak RSS of one untimed run, through GNU time.
    ///
    /// Not from our own wait4: Linux carries the peak RSS of the address space a
    /// process replaces at execve into its rusage, and std spawns with
    /// vfork+exec, so every child's ru_maxrss would be at least this runner's own
    /// (~3 MB, about the size of the floor). GNU time is a small C program and
    /// forks, so what leaks into its child's figure is about 1 MB, below any Rust
    /// binary's own.
    fn rss_run(&mut self, env: &Env, time: &Path) -> Option<i64> {
        let home = self.next_home();
        let out_file = env.opts.work.join(format!("{}.rss", self.slug));
        let cmd = self.command(env, &home);
        let mut t = Command::new(time);
        t.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&out_file)
            .arg(&self.program)
            .args(&self.args);
        t.env_clear();
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                t.env(k, v);
            }
        }
        t.current_dir(&env.repo)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = t.spawn().ok()?;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(self.event.as_ref().unwrap_or(&env.event))
            .ok();
        child.wait().ok()?;
        std::fs::read_to_string(&out_file)
            .ok()?
            .lines()
            .last()?
            .trim()
            .parse()
            .ok()
    }

    /// An untimed run with output captured, to show what the binary did.
    fn check_run(&mut self, env: &Env) {
        let home = self.next_home();
        let mut cmd = self.command(env, &home);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(self.event.as_ref().unwrap_or(&env.event))
            .ok();
        let out = child.wait_with_output().expect("wait");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("").trim();
        let mut note = format!("exit {code}");
        if !out.stdout.is_empty() {
            note.push_str(&format!(", stdout {} bytes", out.stdout.len()));
        }
        if !first.is_empty() {
            let short: String = first.chars().take(140).collect();
            note.push_str(&format!(", stderr: `{short}`"));
        }
        self.notes.push(note);
    }
}

fn sample_all(env: &Env, scenarios: &mut [Scenario]) {
    let opts = env.opts;
    for s in scenarios.iter_mut() {
        progress(&format!("warm-up: {}", s.slug));
        s.check_run(env);
        for _ in 1..opts.warmup {
            s.run_once(env);
        }
        s.spent = Duration::ZERO;
        for h in &s.servers {
            h.store(0, Ordering::Relaxed);
        }
    }
    progress(&format!(
        "measuring {} scenarios, up to {} runs each (interleaved rounds, {:?} budget per scenario)",
        scenarios.len(),
        opts.runs,
        opts.budget
    ));
    // A new order every round: a scenario that follows a slow one (the hanging
    // backends leave the CPU idle for the deadline, and other processes evict the
    // caches meanwhile) would otherwise always pay for it.
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    let mut rng = Rng::seeded();
    for round in 0..opts.runs {
        let mut any = false;
        rng.shuffle(&mut order);
        for &i in &order {
            let s = &mut scenarios[i];
            if s.samples.len() >= opts.min_runs && s.spent >= opts.budget {
                continue;
            }
            let sample = s.run_once(env);
            s.samples.push(sample);
            any = true;
        }
        if !any {
            break;
        }
        if (round + 1) % 50 == 0 {
            progress(&format!("  round {}", round + 1));
        }
    }
    for s in scenarios.iter_mut() {
        let failed = s.samples.iter().filter(|x| x.code != 0).count();
        if failed > 0 {
            s.notes.push(format!("{failed} runs exited non-zero"));
        }
        if !s.servers.is_empty() {
            let got: u64 = s.servers.iter().map(|h| h.load(Ordering::Relaxed)).sum();
            let want = (s.samples.len() * s.servers.len()) as u64;
            s.undelivered = want.saturating_sub(got);
            s.notes
                .push(format!("backends received {got}/{want} requests"));
        }
    }
    if let Some(time) = &opts.time_bin {
        progress(&format!(
            "peak RSS: {} runs per scenario through {}",
            opts.rss_runs,
            time.display()
        ));
        for s in scenarios.iter_mut() {
            for _ in 0..opts.rss_runs {
                if let Some(kb) = s.rss_run(env, time) {
                    s.rss.push(kb);
                }
            }
        }
    }
}

/// xorshift64*, enough to shuffle the order of scenarios.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64;
        Rng(t | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Set-up helpers.

fn progress(msg: &str) {
    eprintln!("bench: {msg}");
}

/// A git repository with some history, a modified and an untracked file: the
/// cwd of every event, as in a real project.
fn make_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("src/nested")).unwrap();
    for i in 0..40 {
        let sub = if i % 2 == 0 { "src" } else { "src/nested" };
        std::fs::write(
            repo.join(format!("{sub}/file{i}.rs")),
            format!("// file {i}\nfn f{i}() {{}}\n"),
        )
        .unwrap();
    }
    std::fs::write(repo.join("README.md"), "bench repo\n").unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args([
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@example.invalid",
            ])
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&repo)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            progress(&format!(
                "warning: `git {}` failed in {}",
                args.join(" "),
                repo.display()
            ));
        }
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    std::fs::write(repo.join("src/file0.rs"), "// changed\n").unwrap();
    git(&["commit", "-q", "-am", "second"]);
    std::fs::write(repo.join("src/file2.rs"), "// modified, not committed\n").unwrap();
    std::fs::write(repo.join("untracked.txt"), "new\n").unwrap();
    repo
}

/// The event fixture with `cwd` pointing at the bench repo.
fn event_for(path: &Path, repo: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read the event fixture {}: {e}", path.display()));
    let text = text.trim();
    let repo_json = json_str(&repo.display().to_string());
    let out = match text.find("\"cwd\":\"") {
        Some(i) => {
            let start = i + "\"cwd\":".len();
            let end = start + 1 + text[start + 1..].find('"').expect("cwd value ends");
            format!("{}{}{}", &text[..start], repo_json, &text[end + 1..])
        }
        None => text.to_string(),
    };
    let mut v = out.into_bytes();
    v.push(b'\n');
    v
}

/// The fixture event with its tool output replaced by `size` bytes of
/// realistic text: log lines with ids and hashes, source lines, a stack trace.
fn big_event(base: &[u8], size: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(base);
    let start = text
        .find("\"stdout\":\"")
        .expect("the fixture has a tool_response.stdout")
        + "\"stdout\":".len();
    let end = start + 1 + text[start + 1..].find('"').expect("stdout value ends") + 1;
    let mut out = String::with_capacity(size + 4096);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut i = 0u64;
    while out.len() < size {
        i += 1;
        let (a, b, c) = (next(), next(), next());
        let line = match i % 6 {
            0 => format!(
                "2026-01-05T10:{:02}:{:02}.{:03}Z INFO  request_id={:016x}{:016x} user=u{} GET /api/v2/items/{} 200 {}ms\n",
                i % 60,
                (i / 60) % 60,
                i % 1000,
                a,
                b,
                c % 5000,
                c % 100_000,
                a % 977
            ),
            1 => format!(
                "commit {a:016x}{b:016x}{:08x}\nAuthor: Dev {} <dev{}@example.test>\n",
                c as u32,
                i % 40,
                i % 40
            ),
            2 => format!(
                "    let config = load(&path).unwrap_or_default(); // key={} retries={}\n",
                i % 13,
                a % 5
            ),
            3 => format!(
                "  \"node_modules/pkg-{}\": {{ \"version\": \"{}.{}.{}\", \"integrity\": \"sha512-{:016x}{:016x}{:016x}\" }},\n",
                i % 500,
                a % 9,
                b % 20,
                c % 30,
                a,
                b,
                c
            ),
            4 => format!(
                "    at com.example.service.Handler.process(Handler.java:{})\n\tat java.base/java.lang.Thread.run(Thread.java:{})\n",
                a % 900,
                b % 900
            ),
            _ => format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}  {}  sha256:{a:016x}{b:016x}{c:016x}{a:016x}\n",
                a as u32,
                b as u16,
                c % 4096,
                a % 4096,
                b % (1 << 48),
                i
            ),
        };
        out.push_str(&line);
    }
    let mut v = Vec::with_capacity(text.len() + out.len() * 2);
    v.extend_from_slice(text[..start].as_bytes());
    v.extend_from_slice(json_str(&out).as_bytes());
    v.extend_from_slice(text[end..].as_bytes());
    v
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn webhook_config(urls: &[(String, String)], deadline_ms: Option<u64>, extra: &str) -> String {
    let hooks: Vec<String> = urls
        .iter()
        .map(|(name, url)| format!("{{\"name\":{},\"url\":{}}}", json_str(name), json_str(url)))
        .collect();
    let delivery = match deadline_ms {
        Some(ms) => format!("\"delivery\":{{\"deadline_ms\":{ms}}},"),
        None => String::new(),
    };
    format!(
        "{{{delivery}{extra}\"backends\":{{\"webhooks\":[{}]}}}}\n",
        hooks.join(",")
    )
}

fn data_dir(home: &Path) -> PathBuf {
    home.join(".local/share/hookrelay")
}

/// One envelope line as this binary keeps it (from its local sink), to fill spools
/// with realistic lines. Falls back to the raw event when nothing was kept.
fn sample_envelope(env: &Env) -> Vec<u8> {
    let home = env.opts.work.join("envelope-sample/home");
    std::fs::create_dir_all(&home).unwrap();
    let mut s = Scenario::new(env, "envelope-sample", String::new(), Target::None);
    s.home = home.clone();
    s.run_once(env);
    let events = data_dir(&home).join("events");
    if let Ok(rd) = std::fs::read_dir(&events) {
        for e in rd.flatten() {
            if let Ok(text) = std::fs::read(e.path())
                && let Some(line) = text.split(|b| *b == b'\n').find(|l| !l.is_empty())
            {
                let mut l = line.to_vec();
                l.push(b'\n');
                return l;
            }
        }
    }
    progress("warning: no envelope found in the local sink; spool lines are the raw event");
    env.event.clone()
}

/// Fills `<data>/spool/<backend>/` with `n` events, in the spool module's layout
/// (see src/spool.rs): one `Entry` JSON line per event, in 16 MiB segments
/// `seg-000000000001.jsonl`, ...; no cursor file means "from the start".
/// `--spool-gen PROGRAM` (or HOOKRELAY_BENCH_SPOOL_GEN for `benches/run`) replaces
/// it, called as `PROGRAM <data_dir> <backend> <n> <envelope-line-file>`.
fn generate_spool(opts: &Opts, data: &Path, backend: &str, n: u64, line: &[u8]) -> String {
    if let Some(prog) = &opts.spool_gen {
        let line_file = opts.work.join("envelope-line.json");
        std::fs::write(&line_file, line).unwrap();
        let ok = Command::new(prog)
            .arg(data)
            .arg(backend)
            .arg(n.to_string())
            .arg(&line_file)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        return if ok {
            format!("spool made by {}", prog.display())
        } else {
            format!("spool generator {} FAILED", prog.display())
        };
    }
    const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;
    let dir = data.join("spool").join(backend);
    std::fs::create_dir_all(&dir).unwrap();
    let envelope = line.strip_suffix(b"\n").unwrap_or(line);
    let mut entry = b"{\"envelope\":".to_vec();
    entry.extend_from_slice(envelope);
    entry.extend_from_slice(
        b",\"attempts\":1,\"last_error\":\"bench\",\"spooled_at\":\"2026-11-22T00:00:00.000Z\"}\n",
    );
    let (mut seq, mut in_segment) = (0u64, SEGMENT_BYTES);
    let mut w: Option<std::io::BufWriter<std::fs::File>> = None;
    for _ in 0..n {
        if in_segment >= SEGMENT_BYTES {
            if let Some(mut old) = w.take() {
                old.flush().unwrap();
            }
            seq += 1;
            let f = std::fs::File::create(dir.join(format!("seg-{seq:012}.jsonl"))).unwrap();
            w = Some(std::io::BufWriter::with_capacity(1 << 20, f));
            in_segment = 0;
        }
        w.as_mut().unwrap().write_all(&entry).unwrap();
        in_segment += entry.len() as u64;
    }
    if let Some(mut last) = w {
        last.flush().unwrap();
    }
    format!(
        "{n} events ({:.0} MB) in {seq} segments under {}",
        (n * entry.len() as u64) as f64 / 1e6,
        dir.strip_prefix(&opts.work).unwrap_or(&dir).display()
    )
}

// ---------------------------------------------------------------------------
// Statistics and output.

fn median(v: &[f64]) -> f64 {
    percentile(v, 50.0)
}

/// Nearest-rank percentile of unsorted data.
fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

struct Row {
    scenario: String,
    runs: String,
    median: String,
    p99: String,
    cpu: String,
    ratio: String,
    delta: String,
    rss: String,
    target: String,
    result: String,
}

fn ms(us: f64) -> String {
    if us.is_nan() {
        "n/a".into()
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// "Flat": within max(10 %, 0.25 ms) of the baseline's median.
fn flat(median: f64, base: f64) -> bool {
    median - base <= (0.10 * base).max(250.0)
}

struct Extra {
    replay: Result<(u64, f64, String), String>,
    recovery: Result<Recovery, String>,
    bin_size: u64,
    floor_size: u64,
}

fn rows(opts: &Opts, scenarios: &[Scenario], extra: &Extra) -> (Vec<Row>, Vec<String>) {
    let by_slug: BTreeMap<&str, &Scenario> = scenarios.iter().map(|s| (s.slug, s)).collect();
    let floor = by_slug
        .get("floor")
        .map(|s| median(&s.samples.iter().map(|x| x.wall_us).collect::<Vec<_>>()))
        .unwrap_or(f64::NAN);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut max_rss = 0i64;
    for s in scenarios {
        let wall: Vec<f64> = s.samples.iter().map(|x| x.wall_us).collect();
        let cpu: Vec<f64> = s.samples.iter().map(|x| x.cpu_us).collect();
        let rss = s.rss.iter().copied().max().unwrap_or(0);
        // The big-output scenarios hold a 1 or 5 MB event in memory by design;
        // the RSS target is about what one ordinary event costs.
        if s.is_hookrelay(opts) && !s.slug.starts_with("big") {
            max_rss = max_rss.max(rss);
        }
        let m = median(&wall);
        let (target, result) = match s.target {
            Target::None => ("—".to_string(), "info".to_string()),
            Target::Ratio(k) => (format!("≤ {k}× floor"), pass(m <= k * floor)),
            Target::PlusMs(d) => (format!("≤ floor + {d} ms"), pass(m - floor <= d * 1000.0)),
            Target::RatioOf(other, k) => match by_slug.get(other) {
                Some(b) => {
                    let bm = median(&b.samples.iter().map(|x| x.wall_us).collect::<Vec<_>>());
                    (format!("≤ {k}× `{other}` ({})", ms(bm)), pass(m <= k * bm))
                }
                None => (format!("≤ {k}× `{other}`"), "n/a".into()),
            },
            Target::FlatAgainst(other) => match by_slug.get(other) {
                Some(b) => {
                    let bm = median(&b.samples.iter().map(|x| x.wall_us).collect::<Vec<_>>());
                    (format!("flat vs `{other}` ({})", ms(bm)), pass(flat(m, bm)))
                }
                None => (format!("flat vs `{other}`"), "n/a".into()),
            },
        };
        // A "healthy backend" figure without the deliveries measures something else
        // (e.g. a config the binary rejected, falling back to the local sink).
        let result = if s.undelivered > 0 {
            "INVALID".to_string()
        } else {
            result
        };
        out.push(Row {
            scenario: format!("{} (`{}`)", s.title, s.slug),
            runs: s.samples.len().to_string(),
            median: ms(m),
            p99: ms(percentile(&wall, 99.0)),
            cpu: ms(median(&cpu)),
            ratio: format!("{:.2}×", m / floor),
            delta: if s.slug == "floor" {
                "—".into()
            } else {
                format!("{:+.2} ms", (m - floor) / 1000.0)
            },
            rss: if rss > 0 {
                format!("{:.1} MB", rss as f64 / 1024.0)
            } else {
                "n/a".into()
            },
            target,
            result,
        });
        for n in &s.notes {
            notes.push(format!("`{}`: {n}", s.slug));
        }
    }
    let blank = |scenario: String, target: &str, result: String| Row {
        scenario,
        runs: "—".into(),
        median: "—".into(),
        p99: "—".into(),
        cpu: "—".into(),
        ratio: "—".into(),
        delta: "—".into(),
        rss: "—".into(),
        target: target.into(),
        result,
    };
    let mut r = blank(
        "Peak RSS, max over hookrelay runs (big-output ones aside)".into(),
        &format!("≤ {RSS_TARGET_MB} MB"),
        if max_rss > 0 {
            pass(max_rss <= RSS_TARGET_MB * 1024)
        } else {
            "n/a".into()
        },
    );
    r.rss = if max_rss > 0 {
        format!("{:.1} MB", max_rss as f64 / 1024.0)
    } else {
        notes.push("peak RSS: n/a, GNU time not found (apt-get install time)".into());
        "n/a".into()
    };
    out.push(r);
    match &extra.replay {
        Ok((n, secs, note)) => {
            let rate = *n as f64 / secs;
            let mut r = blank(
                format!("Spool replay via `hookrelay flush` ({n} events)"),
                &format!("≥ {REPLAY_TARGET} events/s"),
                pass(rate >= REPLAY_TARGET as f64),
            );
            r.median = format!("{rate:.0} events/s");
            r.runs = "1".into();
            out.push(r);
            notes.push(format!("`replay`: {note}"));
        }
        Err(why) => {
            out.push(blank(
                "Spool replay via `hookrelay flush`".into(),
                &format!("≥ {REPLAY_TARGET} events/s"),
                "n/a".into(),
            ));
            notes.push(format!("`replay`: n/a: {why}"));
        }
    }
    let title = format!(
        "Backlog recovery: {} spooled events drained by {RECOVERY_HOOKS} ordinary hooks (`recovery`)",
        opts.recovery_events
    );
    match &extra.recovery {
        Ok(rec) => {
            let mut r = blank(
                title,
                "≤ 10 s after recovery",
                pass(rec.drained_s.is_some_and(|s| s <= 10.0)),
            );
            r.median = match rec.drained_s {
                Some(s) => format!("{:.2} s", s),
                None => format!("not drained ({} of {})", rec.got, rec.wanted),
            };
            r.runs = "1".into();
            out.push(r);
            notes.push(format!("`recovery`: {}", rec.note));
        }
        Err(why) => {
            out.push(blank(title, "≤ 10 s after recovery", "n/a".into()));
            notes.push(format!("`recovery`: n/a: {why}"));
        }
    }
    let mut r = blank("Binary size (release, stripped)".into(), "—", "info".into());
    r.median = format!("{:.2} MB", extra.bin_size as f64 / 1e6);
    r.ratio = format!(
        "{:.1}×",
        extra.bin_size as f64 / extra.floor_size.max(1) as f64
    );
    out.push(r);
    (out, notes)
}

/// Peak RSS target for one ordinary event (docs/performance.md).
const RSS_TARGET_MB: i64 = 6;
/// Replay throughput target over keep-alive.
const REPLAY_TARGET: u64 = 20_000;

fn pass(ok: bool) -> String {
    if ok { "PASS".into() } else { "FAIL".into() }
}

const HEADERS: [&str; 10] = [
    "Scenario",
    "Runs",
    "Median",
    "p99",
    "CPU (median)",
    "× floor",
    "+ floor",
    "Peak RSS",
    "Target",
    "Result",
];

fn cells(r: &Row) -> [&str; 10] {
    [
        &r.scenario,
        &r.runs,
        &r.median,
        &r.p99,
        &r.cpu,
        &r.ratio,
        &r.delta,
        &r.rss,
        &r.target,
        &r.result,
    ]
}

fn text_table(rows: &[Row]) -> String {
    let mut w = HEADERS.map(|h| h.chars().count());
    for r in rows {
        for (i, c) in cells(r).iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |c: [&str; 10]| {
        let mut s = String::new();
        for (i, x) in c.iter().enumerate() {
            let pad = w[i] - x.chars().count();
            if i == 0 {
                s.push_str(x);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(x);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(HEADERS);
    for r in rows {
        out.push_str(&line(cells(r)));
    }
    out
}

fn md_table(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n", HEADERS.join(" | "));
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for r in rows {
        out.push_str(&format!("| {} |\n", cells(r).join(" | ")));
    }
    out
}

fn machine() -> Vec<(String, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into())
    };
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    vec![
        ("CPU".into(), format!("{cpu} ({nproc} CPUs available)")),
        (
            "Kernel".into(),
            format!("Linux {}", read("/proc/sys/kernel/osrelease")),
        ),
        ("rustc".into(), rustc),
        ("Load average at start".into(), read("/proc/loadavg")),
    ]
}

fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil-from-days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

// ---------------------------------------------------------------------------
// Comparison hooks (benches/hooks/).

/// `name` on PATH, as an absolute path.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The first line `program args` prints, or `None` when it does not run.
fn first_line(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    out.status.success().then(|| {
        String::from_utf8_lossy(&text)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    })
}

/// Adds the Python, Bash + jq + curl and Node hooks of `benches/hooks/`; a
/// missing tool skips its scenario with one line saying which.
fn compare_hooks(env: &Env, wanted: &dyn Fn(&str) -> bool, scenarios: &mut Vec<Scenario>) {
    let hooks = env
        .opts
        .event
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|root| root.join("benches/hooks"))
        .filter(|d| d.is_dir());
    let Some(hooks) = hooks else {
        progress("comparison hooks: benches/hooks not found next to the event fixture; skipped");
        return;
    };
    // The interpreter itself, not a version manager's shim (pyenv's is a shell
    // script that would be timed too).
    let python = on_path("python3").and_then(|p| {
        first_line(&p, &["-c", "import sys; print(sys.executable)"])
            .map(PathBuf::from)
            .filter(|p| p.is_file())
    });
    let node = on_path("node");
    let (bash, jq, curl) = (on_path("bash"), on_path("jq"), on_path("curl"));
    let skip = |slug: &str, what: &str| {
        progress(&format!(
            "{slug}: skipped, {what} not found on PATH (install it to compare)"
        ));
    };
    let posting =
        |slug: &'static str, title: &str, program: PathBuf, args: Vec<String>, version: String| {
            let mut s = Scenario::new(env, slug, title.into(), Target::None);
            let srv = start_server(Behaviour::Healthy);
            s.program = program;
            s.args = args;
            s.args.push(format!("http://127.0.0.1:{}/events", srv.port));
            s.servers.push(srv.hits);
            s.notes.push(version);
            s
        };
    if wanted("py-append") {
        match &python {
            Some(py) => {
                let mut s = Scenario::new(
                    env,
                    "py-append",
                    "Python hook, appends the event to a file".into(),
                    Target::None,
                );
                s.program = py.clone();
                s.args = vec![
                    hooks.join("hook.py").display().to_string(),
                    "append".into(),
                    s.home.join("events.jsonl").display().to_string(),
                ];
                s.notes
                    .push(first_line(py, &["--version"]).unwrap_or_default());
                scenarios.push(s);
            }
            None => skip("py-append", "python3"),
        }
    }
    if wanted("py-post") {
        match &python {
            Some(py) => scenarios.push(posting(
                "py-post",
                "Python hook (urllib), posts the event to 1 healthy backend",
                py.clone(),
                vec![hooks.join("hook.py").display().to_string(), "post".into()],
                first_line(py, &["--version"]).unwrap_or_default(),
            )),
            None => skip("py-post", "python3"),
        }
    }
    if wanted("bash-post") {
        match (&bash, &jq, &curl) {
            (Some(b), Some(j), Some(c)) => scenarios.push(posting(
                "bash-post",
                "Bash + jq + curl hook, posts the event to 1 healthy backend",
                b.clone(),
                vec![hooks.join("hook.sh").display().to_string()],
                [(b, 4), (j, 1), (c, 2)]
                    .iter()
                    .map(|(p, words)| {
                        first_line(p, &["--version"])
                            .unwrap_or_default()
                            .split_whitespace()
                            .take(*words)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            _ => skip(
                "bash-post",
                &[("bash", &bash), ("jq", &jq), ("curl", &curl)]
                    .iter()
                    .filter(|(_, p)| p.is_none())
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
    if wanted("node-post") {
        match &node {
            Some(n) => scenarios.push(posting(
                "node-post",
                "Node hook (http), posts the event to 1 healthy backend",
                n.clone(),
                vec![hooks.join("hook.js").display().to_string()],
                format!("node {}", first_line(n, &["--version"]).unwrap_or_default()),
            )),
            None => skip("node-post", "node"),
        }
    }
}

// ---------------------------------------------------------------------------
// Replay throughput.

/// Spools `n` events for backend `replay` by running the hook against a refusing
/// port (so the spool has the real layout), then points the backend at a healthy
/// loopback server and times `hookrelay flush`.
fn measure_replay(env: &Env) -> Result<(u64, f64, String), String> {
    let opts = env.opts;
    let mut s = Scenario::new(env, "replay", String::new(), Target::None);
    let dead = format!("http://127.0.0.1:{}/events", refusing_port());
    s.config = Some(webhook_config(&[("replay".into(), dead)], None, ""));
    s.write_config(&s.home.clone());
    progress(&format!(
        "replay: spooling {} events against a refusing backend",
        opts.replay_events
    ));
    for _ in 0..opts.replay_events {
        s.run_once(env);
    }
    let spool = data_dir(&s.home).join("spool/replay");
    let spooled = dir_bytes(&spool);
    let server = start_server(Behaviour::Healthy);
    let live = format!("http://127.0.0.1:{}/events", server.port);
    s.config = Some(webhook_config(&[("replay".into(), live)], None, ""));
    s.write_config(&s.home.clone());
    s.args = vec!["flush".into()];
    let mut cmd = s.command(env, &s.home);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let t0 = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run flush: {e}"))?;
    let secs = t0.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let got = server.hits.load(Ordering::Relaxed);
    if !out.status.success() || got == 0 {
        let first = err.lines().next().unwrap_or("").trim().to_string();
        return Err(format!(
            "`hookrelay flush` exited {} after {:.0} ms, backend received {got} requests, \
             spool dir {} bytes; stderr: `{first}`",
            out.status.code().unwrap_or(-1),
            secs * 1000.0,
            spooled
        ));
    }
    Ok((
        got,
        secs,
        format!(
            "{got} of {} spooled events replayed in {:.0} ms ({} bytes spooled)",
            opts.replay_events,
            secs * 1000.0,
            spooled
        ),
    ))
}

// ---------------------------------------------------------------------------
// Backlog recovery.

/// Ordinary hook runs after the backend's recovery in the `recovery` scenario.
const RECOVERY_HOOKS: usize = 3;

/// What the `recovery` scenario saw.
struct Recovery {
    /// Seconds from the backend's recovery until every event arrived (`None`:
    /// not within `RECOVERY_LIMIT`).
    drained_s: Option<f64>,
    got: u64,
    wanted: u64,
    note: String,
}

/// How long the `recovery` scenario waits for the backlog.
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);

/// A backend was down: `--recovery-events` events wait in its spool (written
/// directly, as for `spool1m`). It is back (a healthy loopback server, breaker
/// closed); `RECOVERY_HOOKS` ordinary hook runs, nothing else (no `flush`), and
/// the time until the backend has every spooled event and the hooks' own ones.
/// Each hook's wall time is noted next to the `http1` median (one backend, no
/// backlog): the hooks hand the backlog to a background drainer and must not
/// wait for it.
fn measure_recovery(env: &Env, http1_median_us: Option<f64>) -> Result<Recovery, String> {
    let opts = env.opts;
    let mut s = Scenario::new(env, "recovery", String::new(), Target::None);
    let line = sample_envelope(env);
    let n = opts.recovery_events;
    let made = generate_spool(opts, &data_dir(&s.home), "rec", n, &line);
    let server = start_server(Behaviour::Healthy);
    let live = format!("http://127.0.0.1:{}/events", server.port);
    s.config = Some(webhook_config(&[("rec".into(), live)], None, ""));
    s.write_config(&s.home.clone());
    progress(&format!(
        "recovery: {made}; {RECOVERY_HOOKS} hooks, then waiting"
    ));
    let wanted = n + RECOVERY_HOOKS as u64;
    let back = Instant::now();
    let mut hooks_ms = Vec::new();
    for _ in 0..RECOVERY_HOOKS {
        let sample = s.run_once(env);
        if sample.code != 0 {
            return Err(format!("a hook exited {}", sample.code));
        }
        hooks_ms.push(sample.wall_us / 1000.0);
    }
    let hooks_done = back.elapsed();
    while server.hits.load(Ordering::Relaxed) < wanted && back.elapsed() < RECOVERY_LIMIT {
        std::thread::sleep(Duration::from_millis(5));
    }
    let got = server.hits.load(Ordering::Relaxed);
    let drained_s = (got >= wanted).then(|| back.elapsed().as_secs_f64());
    let hooks: Vec<String> = hooks_ms.iter().map(|m| format!("{m:.2} ms")).collect();
    let baseline = match http1_median_us {
        Some(us) => format!(" (`http1`, no backlog: {})", ms(us)),
        None => String::new(),
    };
    Ok(Recovery {
        drained_s,
        got,
        wanted,
        note: format!(
            "{got} of {wanted} requests ({n} spooled + {RECOVERY_HOOKS} hooks' own) \
             {}; the hooks took {}{baseline}, all {RECOVERY_HOOKS} within {:.0} ms",
            match drained_s {
                Some(s) => format!("delivered {:.0} ms after the backend came back", s * 1000.0),
                None => format!("after {} s", RECOVERY_LIMIT.as_secs()),
            },
            hooks.join(", "),
            hooks_done.as_secs_f64() * 1000.0
        ),
    })
}

fn dir_bytes(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let m = e.metadata();
            match m {
                Ok(m) if m.is_dir() => n += dir_bytes(&e.path()),
                Ok(m) => n += m.len(),
                Err(_) => {}
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------

fn main() {
    let opts = parse_opts();
    let started = utc_now();
    let machine = machine();
    let _ = std::fs::remove_dir_all(&opts.work);
    std::fs::create_dir_all(&opts.work).expect("create the work dir");
    let repo = make_repo(&opts.work);
    let event = event_for(&opts.event, &repo);
    let env = Env {
        opts: &opts,
        repo,
        event,
    };
    let wanted = |slug: &str| {
        slug == "floor"
            || opts
                .only
                .as_ref()
                .is_none_or(|o| o.iter().any(|x| x == slug))
    };

    let mut scenarios: Vec<Scenario> = Vec::new();
    let local_url = |port: u16| format!("http://127.0.0.1:{port}/events");

    // Floor: same env, cwd and stdin; appends the event to a file in its HOME.
    let mut floor = Scenario::new(&env, "floor", "Floor program".into(), Target::None);
    floor.program = opts.floor.clone();
    floor.args = vec![floor.home.join("events.jsonl").display().to_string()];
    scenarios.push(floor);

    if wanted("local") {
        scenarios.push(Scenario::new(
            &env,
            "local",
            "Local sink only".into(),
            Target::Ratio(1.0),
        ));
    }
    if wanted("http1") {
        let mut s = Scenario::new(
            &env,
            "http1",
            "1 healthy backend".into(),
            Target::PlusMs(0.5),
        );
        let srv = start_server(Behaviour::Healthy);
        s.config = Some(webhook_config(
            &[("b1".into(), local_url(srv.port))],
            None,
            "",
        ));
        s.servers.push(srv.hits);
        scenarios.push(s);
    }
    if wanted("http4") {
        let mut s = Scenario::new(
            &env,
            "http4",
            "4 healthy backends".into(),
            Target::PlusMs(1.5),
        );
        let mut hooks = Vec::new();
        for i in 1..=4 {
            let srv = start_server(Behaviour::Healthy);
            hooks.push((format!("b{i}"), local_url(srv.port)));
            s.servers.push(srv.hits);
        }
        s.config = Some(webhook_config(&hooks, None, ""));
        scenarios.push(s);
    }
    let refused_url = local_url(refusing_port());
    if wanted("refused") {
        let mut s = Scenario::new(
            &env,
            "refused",
            "Backend refusing connections".into(),
            Target::PlusMs(0.3),
        );
        s.config = Some(webhook_config(
            &[("down".into(), refused_url.clone())],
            None,
            "",
        ));
        scenarios.push(s);
    }
    if wanted("hang-first") || wanted("hang-open") {
        let srv = start_server(Behaviour::Hanging);
        let cfg = webhook_config(
            &[("hang".into(), local_url(srv.port))],
            Some(opts.hang_deadline_ms),
            "",
        );
        if wanted("hang-first") {
            let mut s = Scenario::new(
                &env,
                "hang-first",
                format!(
                    "Hanging backend, first call (deadline_ms {})",
                    opts.hang_deadline_ms
                ),
                Target::None,
            );
            s.config = Some(cfg.clone());
            s.fresh_home_each_run = true;
            scenarios.push(s);
        }
        if wanted("hang-open") {
            let mut s = Scenario::new(
                &env,
                "hang-open",
                "Hanging backend, breaker open (after warm-up)".into(),
                Target::PlusMs(0.3),
            );
            s.config = Some(cfg);
            scenarios.push(s);
        }
    }
    if wanted("spool1m") {
        let line = sample_envelope(&env);
        let mut s = Scenario::new(
            &env,
            "spool1m",
            format!("Refusing backend, {} events spooled", opts.spool_events),
            Target::FlatAgainst("refused"),
        );
        // Above the default 512 MB cap: a million real envelopes must fit.
        s.config = Some(webhook_config(
            &[("down".into(), refused_url.clone())],
            None,
            "\"spool\":{\"max_bytes\":17179869184},",
        ));
        progress(&format!(
            "spool1m: generating {} spooled events",
            opts.spool_events
        ));
        let note = generate_spool(&opts, &data_dir(&s.home), "down", opts.spool_events, &line);
        s.notes.push(note);
        scenarios.push(s);
    }
    // Big tool outputs (1 MB, 5 MB of log and code lines with hashes), redaction
    // on (the default) and off: what redacting a large event costs.
    for (slug, off_slug, mb) in [("big1m", "big1m-off", 1usize), ("big5m", "big5m-off", 5)] {
        let event = big_event(&env.event, mb << 20);
        if wanted(off_slug) || wanted(slug) {
            let mut s = Scenario::new(
                &env,
                off_slug,
                format!("{mb} MB tool output, redaction off"),
                Target::None,
            );
            s.config = Some("{\"redaction\":{\"enabled\":false}}".into());
            s.event = Some(event.clone());
            scenarios.push(s);
        }
        if wanted(slug) {
            let mut s = Scenario::new(
                &env,
                slug,
                format!("{mb} MB tool output, redaction on"),
                Target::RatioOf(off_slug, 2.0),
            );
            s.event = Some(event);
            scenarios.push(s);
        }
    }
    if wanted("session10k") {
        let mut s = Scenario::new(
            &env,
            "session10k",
            format!("Local sink, event #{} of a session", opts.session_events),
            Target::FlatAgainst("local"),
        );
        // Prime by running the real binary: layout-independent. The check run and the
        // warm-ups are events too, so the first measured run is event #session_events.
        let prime = opts.session_events.saturating_sub(opts.warmup as u64);
        progress(&format!(
            "session10k: priming the session with {prime} events"
        ));
        let t0 = Instant::now();
        for _ in 0..prime.saturating_sub(1) {
            s.run_once(&env);
        }
        s.spent = Duration::ZERO;
        s.notes.push(format!(
            "session primed with {} real events in {:.1} s",
            prime.saturating_sub(1),
            t0.elapsed().as_secs_f64()
        ));
        scenarios.push(s);
    }
    // The hooks people use today, doing the same job (append one line, or post
    // the event to a healthy loopback backend), for the comparison rows.
    compare_hooks(&env, &wanted, &mut scenarios);
    for s in &scenarios {
        s.write_config(&s.home);
    }

    sample_all(&env, &mut scenarios);

    let replay = if wanted("replay") {
        measure_replay(&env)
    } else {
        Err("not selected (--only)".into())
    };
    let recovery = if wanted("recovery") {
        let http1 = scenarios
            .iter()
            .find(|s| s.slug == "http1" && !s.samples.is_empty())
            .map(|s| median(&s.samples.iter().map(|x| x.wall_us).collect::<Vec<_>>()));
        measure_recovery(&env, http1)
    } else {
        Err("not selected (--only)".into())
    };
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let extra = Extra {
        replay,
        recovery,
        bin_size: size(&opts.bin),
        floor_size: size(&opts.floor),
    };
    let (rows, notes) = rows(&opts, &scenarios, &extra);

    // The big spool is not worth keeping on disk.
    let _ = std::fs::remove_dir_all(opts.work.join("spool1m"));

    let mut md = String::new();
    let _ = writeln!(
        md,
        "Measured on {started}{}.\n",
        if opts.label.is_empty() {
            String::new()
        } else {
            format!(", {}", opts.label)
        }
    );
    let _ = writeln!(md, "Command: `{}`\n", opts.command);
    for (k, v) in &machine {
        let _ = writeln!(md, "- {k}: {v}");
    }
    let load_end = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(md, "- Load average at end: {}", load_end.trim());
    let _ = writeln!(
        md,
        "- Binary: `{}`\n- Settings: up to {} runs per scenario after {} warm-up runs, \
         {:.0} s time budget per scenario, hanging backend deadline_ms {}\n",
        opts.bin.display(),
        opts.runs,
        opts.warmup,
        opts.budget.as_secs_f64(),
        opts.hang_deadline_ms
    );
    md.push_str(&md_table(&rows));
    md.push_str("\nNotes from this run:\n\n");
    for n in &notes {
        let _ = writeln!(md, "- {n}");
    }

    if let Some(doc) = &opts.update_doc {
        let begin = "<!-- bench:results:begin -->";
        let end = "<!-- bench:results:end -->";
        let text = std::fs::read_to_string(doc).unwrap_or_default();
        let new = match (text.find(begin), text.find(end)) {
            (Some(b), Some(e)) if b < e => {
                format!("{}{begin}\n{md}{}", &text[..b], &text[e..])
            }
            _ => format!("{text}\n{begin}\n{md}{end}\n"),
        };
        std::fs::write(doc, new).expect("write the doc");
        progress(&format!("results written into {}", doc.display()));
    }
    if opts.markdown {
        print!("{md}");
    } else {
        println!();
        print!("{}", text_table(&rows));
        println!();
        for n in &notes {
            println!("  {n}");
        }
    }
}
