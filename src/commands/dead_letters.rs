//! `hookrelay dead-letters`: the events backends refused, for an operator to
//! list, read, re-drive (after fixing what the backend objected to) or discard
//! (an event that will never be valid), so that `status` and `doctor` come
//! clean again without anyone editing files by hand.

use std::path::Path;

use crate::config;
use crate::error::{self, Problem};
use crate::exit::Code;
use crate::store::paths::Paths;
use crate::store::spool::{self, DeadLetter, dead_letters};

/// What to do with the dead letters.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// One line per dead letter: id, when, event, the backend's answer (the default).
    List {
        /// Only this backend.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
    /// The kept (redacted) event and the backend's answer, as JSON.
    Show {
        /// The event id, or its first 8 or more characters.
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Send them again, oldest first (same as `hookrelay flush --dead-letters`).
    Redrive {
        /// Only this backend.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
    /// Delete dead letters for good (prints what it deleted).
    Discard {
        /// Event ids (or their first 8 or more characters).
        #[arg(value_name = "ID", required_unless_present = "all")]
        ids: Vec<String>,
        /// Every dead letter (of `--backend`, or of every backend).
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Only this backend.
        #[arg(long, value_name = "NAME")]
        backend: Option<String>,
    },
}

pub fn run(config_path: Option<&Path>, action: Option<Action>) -> Code {
    let config = match config::load(config_path) {
        Ok(l) => l.config,
        Err(_) => config::fallback(),
    };
    let paths = Paths::resolve(config.data_dir.as_deref(), config.state_dir.as_deref());
    match action.unwrap_or(Action::List { backend: None }) {
        Action::List { backend } => list(&paths, backend.as_deref()),
        Action::Show { id } => show(&paths, &id),
        Action::Redrive { backend } => {
            crate::commands::flush::run(config_path, true, backend.as_deref())
        }
        Action::Discard { ids, all, backend } => discard(&paths, &ids, all, backend.as_deref()),
    }
}

/// Backends with a spool directory (dead letters outlive a backend's config).
fn backends(paths: &Paths, only: Option<&str>) -> Vec<String> {
    let all = spool::known_backends(paths);
    match only {
        Some(name) => all.into_iter().filter(|b| b == name).collect(),
        None => all,
    }
}

/// The letters of `backend`, or the problem that kept them from being read.
fn letters(paths: &Paths, backend: &str) -> Result<(Vec<DeadLetter>, u64), Code> {
    dead_letters::list(paths, backend).map_err(|e| {
        error::report(
            Problem::new(format!("cannot read the dead letters of `{backend}` ({e})"))
                .at(spool::dead_letters_file(paths, backend)
                    .display()
                    .to_string())
                .fix("check the permissions of hookrelay's data directory"),
        );
        Code::NonBlocking
    })
}

fn list(paths: &Paths, only: Option<&str>) -> Code {
    let mut total = 0;
    for backend in backends(paths, only) {
        let (letters, unreadable) = match letters(paths, &backend) {
            Ok(l) => l,
            Err(code) => return code,
        };
        if letters.is_empty() && unreadable == 0 {
            continue;
        }
        total += letters.len();
        println!("{backend}: {} dead letter(s)", letters.len());
        for dl in &letters {
            println!("  {}", one_line(dl));
        }
        if unreadable > 0 {
            println!(
                "  ({unreadable} unreadable line(s) in {})",
                spool::dead_letters_file(paths, &backend).display()
            );
        }
    }
    if total == 0 {
        println!("no dead letters");
    } else {
        println!(
            "read one: hookrelay dead-letters show ID; send again: hookrelay dead-letters redrive; \
             delete: hookrelay dead-letters discard ID|--all"
        );
    }
    Code::Success
}

/// `<id> <dead_at> <event>[ <tool>] (<n> attempt(s)): <reason>: <answer>`.
fn one_line(dl: &DeadLetter) -> String {
    let e = &dl.envelope;
    let tool = e
        .input
        .get("tool_name")
        .and_then(|t| t.as_str())
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    format!(
        "{} {} {}{tool} ({} attempt(s)): {}: {}",
        e.id, dl.dead_at, e.hook_event_name, dl.attempts, dl.reason, dl.error
    )
}

/// Does `id` name this letter (whole, or a prefix of at least 8 characters)?
fn names(id: &str, dl: &DeadLetter) -> bool {
    id == dl.envelope.id || (id.len() >= 8 && dl.envelope.id.starts_with(id))
}

fn show(paths: &Paths, id: &str) -> Code {
    let mut found = Vec::new();
    for backend in backends(paths, None) {
        match letters(paths, &backend) {
            Ok((letters, _)) => found.extend(
                letters
                    .into_iter()
                    .filter(|dl| names(id, dl))
                    .map(|dl| (backend.clone(), dl)),
            ),
            Err(code) => return code,
        }
    }
    if found.is_empty() {
        error::report(
            Problem::new(format!("no dead letter with id `{id}`"))
                .fix("list them with `hookrelay dead-letters`"),
        );
        return Code::NonBlocking;
    }
    for (backend, dl) in found {
        let v = serde_json::json!({"backend": backend, "dead_letter": dl});
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("dead letters serialise")
        );
    }
    Code::Success
}

fn discard(paths: &Paths, ids: &[String], all: bool, only: Option<&str>) -> Code {
    if let Some(name) = only
        && backends(paths, Some(name)).is_empty()
    {
        error::report(
            Problem::new(format!("backend `{name}` has no spool"))
                .fix("list the dead letters with `hookrelay dead-letters`"),
        );
        return Code::NonBlocking;
    }
    let short: Vec<&String> = ids.iter().filter(|i| i.len() < 8).collect();
    if !short.is_empty() {
        error::report(
            Problem::new(format!("id `{}` is too short", short[0]))
                .fix("give the whole event id, or at least its first 8 characters"),
        );
        return Code::NonBlocking;
    }
    let mut removed = 0;
    let mut matched = vec![false; ids.len()];
    for backend in backends(paths, only) {
        let select = |dl: &DeadLetter| all || ids.iter().any(|id| names(id, dl));
        match dead_letters::discard(paths, &backend, &select) {
            Ok(gone) => {
                for dl in &gone {
                    println!("discarded {backend}: {}", one_line(dl));
                    for (i, id) in ids.iter().enumerate() {
                        matched[i] |= names(id, dl);
                    }
                }
                removed += gone.len();
            }
            Err(e) => {
                error::report(
                    Problem::new(format!("cannot discard dead letters of `{backend}` ({e})"))
                        .at(spool::dead_letters_file(paths, &backend)
                            .display()
                            .to_string())
                        .fix("check the permissions of hookrelay's data directory"),
                );
                return Code::NonBlocking;
            }
        }
    }
    let missing: Vec<&str> = ids
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(id, _)| id.as_str())
        .collect();
    if !missing.is_empty() {
        error::report(
            Problem::new(format!("no dead letter with id {}", missing.join(", ")))
                .fix("list them with `hookrelay dead-letters`"),
        );
        return Code::NonBlocking;
    }
    println!("{removed} dead letter(s) discarded");
    Code::Success
}
