//! The command line (clap derive). With no subcommand, hookrelay is the hook:
//! it reads one event on stdin, which is what Claude Code runs.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit::Code;

#[derive(Debug, Parser)]
#[command(
    name = "hookrelay",
    version,
    about = "One small binary for every Claude Code hook event: enrich, redact, forward, spool, answer.",
    long_about = "One small binary for every Claude Code hook event.\n\n\
With no subcommand, hookrelay reads one HookInput JSON object on stdin (as Claude Code\n\
sends it), adds event id, time, host, git and session counters, redacts secrets,\n\
forwards it to every configured backend in parallel under one deadline, keeps what\n\
was not delivered in a spool for replay, and prints Claude Code's answer (if any).\n\n\
With no configuration at all, every event is appended to a local JSONL file:\n\
  echo '{\"session_id\":\"s1\",\"hook_event_name\":\"Stop\"}' | hookrelay",
    after_help = "Configuration: ~/.config/hookrelay/config.json (or --config / $HOOKRELAY_CONFIG),\n\
plus the environment variables of existing integrations (BLOODBANK_URL, ZO_EVENT_ENDPOINT,\n\
ORGLOOP_WEBHOOK_URL, HOOK_BACKEND_URL, ...). See README.md."
)]
pub struct Cli {
    /// Config file to use instead of ~/.config/hookrelay/config.json ($HOOKRELAY_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay spooled events to their backends now, oldest first.
    Flush {
        /// Re-drive dead letters (events a backend refused) instead of the spool.
        #[arg(long)]
        dead_letters: bool,
        /// Only this backend.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
        /// When a backend just back answers 5xx (or refuses connections), keep
        /// retrying it with backoff for up to this many seconds (0: give up at once).
        #[arg(long, value_name = "SECONDS", default_value_t = crate::commands::flush::RETRY_FOR_S)]
        retry_for: u64,
    },
    /// The background drainer a hook starts once a backend is healthy again
    /// (internal: see docs/spool.md "Recovery without anyone").
    #[command(hide = true)]
    Drain {
        #[arg(long, value_name = "NAME")]
        backend: String,
    },
    /// List, show, re-drive or discard the events backends refused (dead letters).
    DeadLetters {
        #[command(subcommand)]
        action: Option<crate::commands::dead_letters::Action>,
    },
    /// Show each backend's health, breaker, spool and dead letters.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Wire hookrelay into Claude Code's settings.json (idempotent; backs up the original).
    #[command(
        after_help = "Default events: all but WorktreeCreate/WorktreeRemove (their command hooks\n\
replace git worktree handling). Timeouts are seconds, derived from delivery.deadline_ms."
    )]
    Install {
        /// Which settings file: user (~/.claude/settings.json) or project (./.claude/settings.json).
        #[arg(long, value_enum, default_value = "user")]
        scope: crate::commands::install::Scope,
        /// all, tools, lifecycle, or a comma-separated list of event names.
        #[arg(long, default_value = "all", value_name = "SET")]
        events: String,
        /// Edit this settings file instead of the scope's.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// The hookrelay binary Claude Code should run (default: this one).
        #[arg(long, value_name = "PATH")]
        binary: Option<PathBuf>,
        /// Print what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove hookrelay's entries from Claude Code's settings.json (restores the backup when nothing else changed).
    Uninstall {
        #[arg(long, value_enum, default_value = "user")]
        scope: crate::commands::install::Scope,
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Check config, backends, settings wiring, timeouts, permissions and spools; explain fixes.
    Doctor {
        /// Machine-readable output: {"checks":[{name,status,message,fix}],"ok":bool}.
        #[arg(long)]
        json: bool,
    },
    /// Send a built-in sample event through the whole pipeline (try a setup without Claude Code); exits 3 when a backend did not take it.
    Send {
        /// Event name, e.g. PreToolUse (see --list); default SessionStart.
        #[arg(value_name = "EVENT")]
        event: Option<String>,
        /// Session id to use (default: a fresh one).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// List the events that have a built-in sample.
        #[arg(long)]
        list: bool,
    },
}

/// Parses argv. Usage errors exit 1, never 2: Claude Code reads 2 as "block".
pub fn parse() -> Result<Cli, Code> {
    // The hook itself runs with no arguments on every event: building clap's
    // command tree for it is a tenth of the process's instructions.
    if std::env::args_os().len() <= 1 {
        return Ok(Cli {
            config: None,
            command: None,
        });
    }
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Code::Success,
                _ => {
                    // A mistyped hook command must still drain its pipe.
                    if !std::io::stdin().is_terminal() {
                        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                    }
                    Code::NonBlocking
                }
            };
            let _ = e.print();
            Err(code)
        }
    }
}

pub fn dispatch(cli: Cli) -> Code {
    let config = cli.config.as_deref();
    match cli.command {
        None => crate::commands::hook::run_hook(config),
        Some(Command::Flush {
            dead_letters,
            backend,
            retry_for,
        }) => crate::commands::flush::run_retrying(
            config,
            dead_letters,
            backend.as_deref(),
            std::time::Duration::from_secs(retry_for),
        ),
        Some(Command::Drain { backend }) => crate::commands::drain::run(config, &backend),
        Some(Command::DeadLetters { action }) => crate::commands::dead_letters::run(config, action),
        Some(Command::Status { json }) => crate::commands::status::run(config, json),
        Some(Command::Install {
            scope,
            events,
            settings,
            binary,
            dry_run,
        }) => crate::commands::install::run_install(crate::commands::install::InstallArgs {
            config,
            binary: binary.as_deref(),
            scope,
            events: &events,
            settings: settings.as_deref(),
            dry_run,
        }),
        Some(Command::Uninstall {
            scope,
            settings,
            dry_run,
        }) => crate::commands::install::run_uninstall(crate::commands::install::UninstallArgs {
            scope,
            settings: settings.as_deref(),
            dry_run,
        }),
        Some(Command::Doctor { json }) => crate::commands::doctor::run(config, json),
        Some(Command::Send {
            event,
            session,
            list,
        }) => crate::commands::send::run(config, event.as_deref(), session.as_deref(), list),
    }
}
