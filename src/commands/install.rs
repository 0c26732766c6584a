//! `hookrelay install` / `uninstall`: wires hookrelay into Claude Code's
//! settings.json and takes it out again. The pure merging lives in
//! `protocol::settings_json`; this is the command around it: which events, which
//! timeouts, which file, backups, messages.
//!
//! The first install that changes an existing file saves its bytes next to it
//! (`settings.json.hookrelay-backup`); `uninstall` restores those exact bytes when
//! nothing else changed since, so an install/uninstall round trip leaves the file
//! byte-identical.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::{self, Problem};
use crate::exit::Code;
use crate::protocol::events::{self, EVENTS, HookEvent, InstallSet};
use crate::protocol::settings_json::{
    Changes, SettingsError, Wiring, merge, parse, remove, render,
};

/// The margin, in seconds, between hookrelay's own deadline and the `timeout`
/// Claude Code enforces: process start, config, git and the local write happen
/// outside the delivery deadline.
const MIN_TIMEOUT_S: u64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// ~/.claude/settings.json (every project of this user).
    User,
    /// ./.claude/settings.json (this project, shared with its repository).
    Project,
}

/// Every event hookrelay forwards: all known events but those whose command hook
/// replaces Claude Code behaviour (`EventSpec::installed_by_default`).
pub fn default_events() -> Vec<&'static str> {
    EVENTS
        .iter()
        .filter(|s| s.installed_by_default)
        .map(|s| s.name)
        .collect()
}

/// The events `install` never wires unless named (they break worktrees).
pub fn never_by_default() -> Vec<&'static str> {
    EVENTS
        .iter()
        .filter(|s| !s.installed_by_default)
        .map(|s| s.name)
        .collect()
}

/// The events of a named `--events` set.
fn install_set(set: InstallSet) -> Vec<&'static str> {
    EVENTS
        .iter()
        .filter(|s| s.install_sets.contains(&set))
        .map(|s| s.name)
        .collect()
}

/// Parses `--events`: `all`, `tools`, `lifecycle` or a comma-separated list.
pub fn parse_events(spec: &str) -> Result<Vec<String>, Problem> {
    let mut out: Vec<String> = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let names: Vec<&str> = match part {
            "all" => default_events(),
            p if p == InstallSet::Tools.word() => install_set(InstallSet::Tools),
            p if p == InstallSet::Lifecycle.word() => install_set(InstallSet::Lifecycle),
            name => match HookEvent::from_name(name) {
                Some(k) => vec![k.name()],
                None => {
                    return Err(
                        Problem::new(format!("unknown event `{name}` in --events")).fix(format!(
                            "use all, tools, lifecycle or names from: {}",
                            events::names().collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            },
        };
        for n in names {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
    }
    if out.is_empty() {
        return Err(
            Problem::new("--events is empty").fix("use all, tools, lifecycle or event names")
        );
    }
    // Keep Claude Code's declaration order, whatever order the user typed.
    out.sort_by_key(|e| HookEvent::from_name(e));
    Ok(out)
}

/// The `timeout` (seconds) written for an event, derived from hookrelay's deadlines.
///
/// SessionEnd: Claude Code gives all SessionEnd hooks one shared 1.5 s budget,
/// *raised* to the largest SessionEnd `timeout` in settings files (up to 60 s).
/// hookrelay's SessionEnd deadline (1 s) plus start-up fits in 2 s, so 2 raises the
/// budget just enough; a larger value would delay every exit behind a slow hook.
/// Every other event: the delivery deadline plus margin, at least 5 s, so Claude
/// Code never kills hookrelay before its own deadline (which would lose the spool
/// write) while a hung process still fails open quickly.
pub fn timeout_for(event: &str, delivery: &crate::delivery::DeliveryConfig) -> u64 {
    if events::spec_of(event).is_some_and(|s| s.shared_exit_budget) {
        let ms = delivery.event_deadline_ms(event);
        (ms.div_ceil(1000) + 1).clamp(2, 60)
    } else {
        (delivery.deadline_ms.div_ceil(1000) + 2).max(MIN_TIMEOUT_S)
    }
}

/// Quotes a word for `sh -c` when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:=@%,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Where a scope's settings file is.
pub fn settings_path(scope: Scope) -> Result<PathBuf, Problem> {
    match scope {
        Scope::User => home_dir()
            .map(|h| h.join(".claude").join("settings.json"))
            .ok_or_else(|| {
                Problem::new("cannot find your home directory").fix("set HOME or use --settings")
            }),
        Scope::Project => std::env::current_dir()
            .map(|d| d.join(".claude").join("settings.json"))
            .map_err(|e| {
                Problem::new(format!("cannot read the current directory ({e})"))
                    .fix("use --settings")
            }),
    }
}

pub fn home_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

pub fn backup_path(settings: &Path) -> PathBuf {
    let mut name = settings.file_name().unwrap_or_default().to_os_string();
    name.push(".hookrelay-backup");
    settings.with_file_name(name)
}

/// The command written into settings: `binary` (default: this binary) as an
/// absolute path, plus `--config FILE` when an explicit config was given, quoted
/// for `sh -c`. `install.sh` names the installed copy, so that a dry run from the
/// build tree shows the command the real run will write.
pub fn own_command(config: Option<&Path>, binary: Option<&Path>) -> Result<String, Problem> {
    let exe = match binary {
        Some(b) => std::path::absolute(b).map_err(|e| {
            Problem::new(format!("cannot make {} absolute ({e})", b.display())).at("--binary")
        })?,
        None => std::env::current_exe()
            .map_err(|e| Problem::new(format!("cannot find hookrelay's own path ({e})")))?,
    };
    let exe = exe.canonicalize().unwrap_or(exe);
    let mut cmd = shell_quote(&exe.to_string_lossy());
    if let Some(c) = config {
        let abs = std::path::absolute(c).unwrap_or_else(|_| c.to_path_buf());
        cmd.push_str(" --config ");
        cmd.push_str(&shell_quote(&abs.to_string_lossy()));
    }
    Ok(cmd)
}

pub struct InstallArgs<'a> {
    pub config: Option<&'a Path>,
    /// The binary to register (default: this one).
    pub binary: Option<&'a Path>,
    pub scope: Scope,
    pub events: &'a str,
    pub settings: Option<&'a Path>,
    pub dry_run: bool,
}

/// `hookrelay install`.
pub fn run_install(a: InstallArgs) -> Code {
    exit_code(install(&a))
}

fn install(a: &InstallArgs) -> Result<(), Problem> {
    let events = parse_events(a.events)?;
    let path = match a.settings {
        Some(p) => p.to_path_buf(),
        None => settings_path(a.scope)?,
    };
    // Timeouts follow the deadlines of the config the hook will use.
    let delivery = match config::load(a.config) {
        Ok(l) => l.config.delivery,
        Err(e) => {
            error::report(format_args!(
                "{e}; using the default deadlines for timeouts"
            ));
            crate::delivery::DeliveryConfig::default()
        }
    };
    let wiring = Wiring {
        command: own_command(a.config, a.binary)?,
        events: events
            .iter()
            .map(|e| (e.clone(), timeout_for(e, &delivery)))
            .collect(),
    };
    let original = read_existing(&path)?;
    let mut root = parse(&path, original.as_deref().unwrap_or("")).map_err(settings_problem)?;
    let changes = merge(&mut root, &wiring)
        .map_err(|e| settings_problem(e).at(path.display().to_string()))?;
    if changes.is_empty() {
        println!(
            "{}: hookrelay already wired for {} events; nothing to change",
            path.display(),
            wiring.events.len()
        );
        return Ok(());
    }
    let text = render(&root, original.as_deref());
    let verb = if a.dry_run { "would change" } else { "changed" };
    print_changes(&path, verb, &changes, &wiring.command);
    if a.dry_run {
        return Ok(());
    }
    // The backup is the file as it was before hookrelay: taken only from a file
    // without hookrelay entries (not from one an earlier install created or edited).
    let backup = backup_path(&path);
    let pristine = original.as_deref().is_some_and(|o| {
        let mut probe = parse(&path, o).unwrap_or_default();
        remove(&mut probe).is_empty()
    });
    if let Some(orig) = original.as_ref().filter(|_| pristine)
        && !backup.exists()
    {
        write_atomic(&backup, orig.as_bytes(), &path)?;
        println!("original saved as {}", backup.display());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Problem::new(format!("cannot create {} ({e})", dir.display())).fix("check permissions")
        })?;
    }
    write_atomic(&path, text.as_bytes(), &path)
}

pub struct UninstallArgs<'a> {
    pub scope: Scope,
    pub settings: Option<&'a Path>,
    pub dry_run: bool,
}

/// `hookrelay uninstall`.
pub fn run_uninstall(a: UninstallArgs) -> Code {
    exit_code(uninstall(&a))
}

fn uninstall(a: &UninstallArgs) -> Result<(), Problem> {
    let path = match a.settings {
        Some(p) => p.to_path_buf(),
        None => settings_path(a.scope)?,
    };
    let result = uninstall_from(a, &path);
    // Wiring left in the other scope's file is named, so that a user who wired a
    // project (or their user settings) knows this run did not touch it.
    if a.settings.is_none() {
        let other = match a.scope {
            Scope::User => Scope::Project,
            Scope::Project => Scope::User,
        };
        if let Ok(p) = settings_path(other)
            && p != path
            && holds_our_wiring(&p)
        {
            let word = match other {
                Scope::User => "user",
                Scope::Project => "project",
            };
            println!(
                "note: {} still runs hookrelay; remove that with `hookrelay uninstall --scope {word}`",
                p.display()
            );
        }
    }
    result
}

/// Does the settings file at `path` (if any, and parseable) hold hookrelay's entries?
fn holds_our_wiring(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    parse(path, &text).is_ok_and(|mut root| !remove(&mut root).is_empty())
}

fn uninstall_from(a: &UninstallArgs, path: &Path) -> Result<(), Problem> {
    let path = path.to_path_buf();
    let Some(original) = read_existing(&path)? else {
        println!("{}: does not exist; nothing to remove", path.display());
        return Ok(());
    };
    let mut root = parse(&path, &original).map_err(settings_problem)?;
    let changes = remove(&mut root);
    if changes.is_empty() {
        println!(
            "{}: no hookrelay entries; nothing to remove",
            path.display()
        );
        return Ok(());
    }
    let backup = backup_path(&path);
    let saved = match std::fs::read_to_string(&backup) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(cannot("read", &backup, e)),
    };
    // Restore the exact original bytes when the rest of the file is unchanged;
    // a file hookrelay created (no backup) that is now empty is removed.
    let restore = saved
        .as_ref()
        .filter(|s| parse(&backup, s).is_ok_and(|orig| orig == root));
    let created_empty = saved.is_none() && root.is_empty();
    let verb = if a.dry_run { "would change" } else { "changed" };
    print_changes(&path, verb, &changes, "");
    if a.dry_run {
        return Ok(());
    }
    if let Some(bytes) = restore {
        write_atomic(&path, bytes.as_bytes(), &path)?;
        std::fs::remove_file(&backup).map_err(|e| cannot("remove", &backup, e))?;
        println!("restored the original {}", path.display());
    } else if created_empty {
        std::fs::remove_file(&path).map_err(|e| cannot("remove", &path, e))?;
        // The `.claude` directory too, when hookrelay's file was all it held.
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
        println!("removed {} (hookrelay had created it)", path.display());
    } else {
        write_atomic(&path, render(&root, Some(&original)).as_bytes(), &path)?;
        if saved.is_some() {
            println!(
                "other settings changed since install; kept the pre-install copy at {}",
                backup.display()
            );
        }
    }
    Ok(())
}

/// The exit of `install` / `uninstall`: 1 after printing the problem.
fn exit_code(result: Result<(), Problem>) -> Code {
    match result {
        Ok(()) => Code::Success,
        Err(e) => {
            error::report(e);
            Code::NonBlocking
        }
    }
}

fn print_changes(path: &Path, verb: &str, c: &Changes, command: &str) {
    println!("{} {verb}:", path.display());
    if !c.added.is_empty() {
        println!(
            "  add {} ({} events): {}",
            command,
            c.added.len(),
            c.added.join(", ")
        );
    }
    if !c.updated.is_empty() {
        println!("  update command/timeout: {}", c.updated.join(", "));
    }
    if !c.removed.is_empty() {
        println!("  remove hookrelay from: {}", c.removed.join(", "));
    }
}

/// A settings file hookrelay cannot work on (its text already names the file).
fn settings_problem(e: SettingsError) -> Problem {
    Problem::new(e.to_string())
}

/// A file operation that failed: `cannot <verb> <path> (<error>)`.
fn cannot(verb: &str, path: &Path, e: std::io::Error) -> Problem {
    Problem::new(format!("cannot {verb} {} ({e})", path.display()))
}

fn read_existing(path: &Path) -> Result<Option<String>, Problem> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Problem::new("not UTF-8 text; left untouched").at(path.display().to_string())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(cannot("read", path, e)),
    }
}

/// Writes via a temp file and rename, with the permissions of `like` when it exists.
fn write_atomic(path: &Path, bytes: &[u8], like: &Path) -> Result<(), Problem> {
    let tmp = path.with_file_name(format!(
        ".{}.hookrelay-tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let fail =
        |e: std::io::Error| cannot("write", path, e).fix("check the directory's permissions");
    std::fs::write(&tmp, bytes).map_err(fail)?;
    if let Ok(meta) = std::fs::metadata(like) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    #[test]
    fn timeouts_are_seconds_and_cover_the_deadline() {
        let d = crate::delivery::DeliveryConfig::default();
        assert_eq!(timeout_for("PreToolUse", &d), 5);
        assert_eq!(timeout_for("SessionEnd", &d), 2);
        let slow = crate::delivery::DeliveryConfig {
            deadline_ms: 8000,
            session_end_deadline_ms: 1400,
            ..crate::delivery::DeliveryConfig::default()
        };
        assert_eq!(timeout_for("Stop", &slow), 10);
        assert_eq!(timeout_for("SessionEnd", &slow), 3);
    }

    #[test]
    fn shipped_fragments_are_what_install_writes() {
        let d = crate::delivery::DeliveryConfig::default();
        for (spec, text) in [
            ("all", include_str!("../../hooks/settings.all-events.json")),
            (
                "tools",
                include_str!("../../hooks/settings.tool-events.json"),
            ),
            (
                "SessionStart,UserPromptSubmit,PostToolUse,PostToolUseFailure,Stop,StopFailure,SessionEnd",
                include_str!("../../hooks/settings.orgloop.json"),
            ),
        ] {
            let w = Wiring {
                command: "hookrelay".into(),
                events: parse_events(spec)
                    .unwrap()
                    .into_iter()
                    .map(|e| {
                        let t = timeout_for(&e, &d);
                        (e, t)
                    })
                    .collect(),
            };
            let mut root = Map::new();
            merge(&mut root, &w).unwrap();
            assert_eq!(render(&root, None), text, "hooks/ fragment for {spec}");
        }
    }

    #[test]
    fn events_spec() {
        assert_eq!(parse_events("all").unwrap().len(), 31);
        assert!(
            !parse_events("all")
                .unwrap()
                .contains(&"WorktreeCreate".to_string())
        );
        assert_eq!(
            parse_events("Stop,PreToolUse").unwrap(),
            ["PreToolUse", "Stop"]
        );
        assert!(
            parse_events("Stopp")
                .unwrap_err()
                .to_string()
                .contains("PreToolUse")
        );
        assert_eq!(parse_events("tools").unwrap().len(), 5);
    }
}
