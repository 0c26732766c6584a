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
    },
    /// Show each backend's health, breaker, spool and dead letters.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Parses argv. Usage errors exit 1, never 2: Claude Code reads 2 as "block".
pub fn parse() -> Result<Cli, Code> {
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
        None => crate::relay::run_hook(config),
        Some(Command::Flush {
            dead_letters,
            backend,
        }) => crate::flush::run(config, dead_letters, backend.as_deref()),
        Some(Command::Status { json }) => crate::status::run(config, json),
    }
}
