//! Enrichment: everything hookrelay adds around the HookInput (event id, receive
//! time, host, user, OS, git state, project and run labels, session counters).
//!
//! Cheap by design: no process is spawned (git state is read from `.git` by
//! `git/`), and the host facts come from the kernel or the environment (`host`).

pub mod git;
mod host;
pub mod session;

use crate::protocol::envelope::{Agent, Envelope, HookInput, RedactionReport};
use crate::store::paths::Paths;
use crate::util::clock;
use host::env_nonempty;

pub use host::{host, hostname};

/// What enrichment reads from the configuration: the labels put on every event.
/// Its own type, so enrichment does not depend on the config loader above it.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnrichConfig<'a> {
    /// Project label (config file, else `$HOOKRELAY_PROJECT`).
    pub project: Option<&'a str>,
    /// Run label (config file, else `$CLAUDE_RUN_ID`).
    pub run_id: Option<&'a str>,
}

impl<'a> EnrichConfig<'a> {
    pub fn new(project: Option<&'a str>, run_id: Option<&'a str>) -> Self {
        EnrichConfig { project, run_id }
    }
}

/// Wraps a (redacted) HookInput into an envelope.
/// `id` is minted by the caller before the event is journaled, so a recovered
/// event keeps it.
pub fn envelope(
    input: HookInput,
    id: String,
    redaction: RedactionReport,
    config: EnrichConfig<'_>,
    paths: &Paths,
    now_ms: u64,
) -> Envelope {
    let project_dir = env_nonempty("CLAUDE_PROJECT_DIR");
    // config.project already holds `$HOOKRELAY_PROJECT` when the file leaves it unset.
    let project = config
        .project
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            project_dir.as_deref().and_then(|d| {
                std::path::Path::new(d)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
        });
    let git = input.str_field("cwd").and_then(|cwd| {
        let reuse = git::may_reuse_dirty(&input.hook_event_name);
        git::info(
            std::path::Path::new(cwd),
            Some((&paths.git_cache_dir(), reuse)),
        )
    });
    let session = session::record(paths, &input, now_ms);
    let agent_id = input.str_field("agent_id").map(str::to_owned);
    Envelope {
        id,
        ts: clock::rfc3339_ms(now_ms),
        hook_event_name: input.hook_event_name,
        session_id: input.session_id,
        input: serde_json::Value::Object(input.raw),
        hookrelay: Agent {
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        host: host(),
        git,
        project,
        project_dir,
        // From the config file, else `$CLAUDE_RUN_ID` (applied by config/).
        run_id: config.run_id.filter(|r| !r.is_empty()).map(str::to_owned),
        agent_id,
        session,
        redaction,
        decision: None,
    }
}

/// A random (version 4) UUID from the OS's random source: the `getrandom` crate
/// uses the getrandom system call (Linux 3.17+; a probe and a read, no file to
/// open and close) and falls back to `/dev/urandom` itself on older kernels.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    if getrandom::getrandom(&mut b).is_err() {
        // No OS random source: mix time, pid and a std RandomState (SipHash with
        // OS-seeded keys).
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .as_nanos(),
        );
        h.write_u32(std::process::id());
        let a = h.finish();
        h.write_u64(a);
        b[..8].copy_from_slice(&a.to_le_bytes());
        b[8..].copy_from_slice(&h.finish().to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(x >> 4) as usize] as char);
        s.push(HEX[(x & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_and_distinct() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!("89ab".contains(&a[19..20]));
        let dashes: Vec<usize> = a.match_indices('-').map(|(i, _)| i).collect();
        assert_eq!(dashes, [8, 13, 18, 23]);
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
