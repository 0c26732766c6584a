//! The machine an event was seen on: host name, user, OS and architecture, and
//! whether Claude Code runs remotely. Read from the kernel or the environment,
//! never by spawning a process.

use crate::protocol::envelope::Host;

pub fn host() -> Host {
    Host {
        name: hostname(),
        user: env_nonempty("USER")
            .or_else(|| env_nonempty("LOGNAME"))
            .unwrap_or_else(|| "unknown".into()),
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        remote: std::env::var("CLAUDE_CODE_REMOTE").is_ok_and(|v| v == "true"),
    }
}

/// The kernel's host name (Linux), else `$HOSTNAME`, else `/etc/hostname`.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .or_else(|| env_nonempty("HOSTNAME"))
        .unwrap_or_else(|| "unknown".into())
}

/// An environment variable that is set and not empty.
pub(super) fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}
