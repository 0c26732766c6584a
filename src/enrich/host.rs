//! The machine an event was seen on: host name, user, OS and architecture, and
//! whether Claude Code runs remotely. Read from the kernel or the environment,
//! never by spawning a process.

use crate::protocol::envelope::Host;

pub fn host() -> Host {
    Host {
        name: hostname(),
        user: env_nonempty("USER")
            .or_else(|| env_nonempty("LOGNAME"))
            .or_else(user_of_this_process)
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

/// The name `/etc/passwd` gives this process's user, else its numeric uid.
/// `$USER` is unset for root in a container and in systemd units; the password
/// file is read directly (no NSS: that would need libc's loader, and a directory
/// user is still told apart by the uid).
#[cfg(unix)]
fn user_of_this_process() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective uid.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    Some(name_for_uid(&passwd, uid).unwrap_or_else(|| uid.to_string()))
}

#[cfg(not(unix))]
fn user_of_this_process() -> Option<String> {
    None
}

/// The login name of `uid` in password-file text (`name:x:uid:gid:...`).
fn name_for_uid(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let id = f.nth(1)?.parse::<u32>().ok()?;
        (id == uid && !name.is_empty() && !name.starts_with('#')).then(|| name.to_string())
    })
}

/// An environment variable that is set and not empty.
pub(super) fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_file_names_the_uid() {
        let passwd = "# comment:x:0:0\nroot:x:0:0:root:/root:/bin/bash\n\
                      bad line\nci:x:1001:1001::/home/ci:/bin/sh\n";
        assert_eq!(name_for_uid(passwd, 0).as_deref(), Some("root"));
        assert_eq!(name_for_uid(passwd, 1001).as_deref(), Some("ci"));
        assert_eq!(name_for_uid(passwd, 1000), None);
        assert_eq!(name_for_uid("", 0), None);
    }
}
