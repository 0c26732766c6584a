//! Where hookrelay keeps things on disk: config, kept events, spools, state.
//!
//! Everything is resolved once per invocation from the standard per-user
//! directories (`directories` crate), with overrides for tests and odd setups.

use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Paths {
    /// `~/.local/share/hookrelay` on Linux: kept events, spools, dead letters, rejects.
    pub data_dir: PathBuf,
    /// `~/.local/state/hookrelay` on Linux: session counters, breakers, in-flight journal.
    pub state_dir: PathBuf,
}

impl Paths {
    /// `data_dir` and `state_dir` are the config file's overrides (highest
    /// precedence), then `$HOOKRELAY_DATA_DIR` / `$HOOKRELAY_STATE_DIR`, then the
    /// standard per-user directories.
    pub fn resolve(data_dir: Option<&Path>, state_dir: Option<&Path>) -> Paths {
        let dirs = project_dirs();
        let data_dir = data_dir
            .map(Path::to_path_buf)
            .or_else(|| env_path("HOOKRELAY_DATA_DIR"))
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| std::env::temp_dir().join("hookrelay"));
        let state_dir = state_dir
            .map(Path::to_path_buf)
            .or_else(|| env_path("HOOKRELAY_STATE_DIR"))
            .or_else(|| {
                dirs.as_ref()
                    .and_then(|d| d.state_dir().map(Path::to_path_buf))
            })
            .unwrap_or_else(|| data_dir.join("state"));
        Paths {
            data_dir,
            state_dir,
        }
    }

    /// Directory of the date-rotated local JSONL files (`events-YYYY-MM-DD.jsonl`).
    pub fn events_dir(&self) -> PathBuf {
        self.data_dir.join("events")
    }

    /// Raw input that could not be read as an event, size-capped, one JSON line each.
    pub fn rejects_file(&self) -> PathBuf {
        self.data_dir.join("rejects.jsonl")
    }

    /// Per-backend spool, dead letters and bookkeeping live below `spool/<backend>/`.
    pub fn spool_dir(&self, backend: &str) -> PathBuf {
        self.data_dir.join("spool").join(backend)
    }

    pub fn sessions_dir(&self) -> PathBuf {
        self.state_dir.join("sessions")
    }

    pub fn breakers_dir(&self) -> PathBuf {
        self.state_dir.join("breakers")
    }

    /// Short-lived git dirty flags (`git::DIRTY_CACHE_MS`).
    pub fn git_cache_dir(&self) -> PathBuf {
        self.state_dir.join("git")
    }

    pub fn inflight_dir(&self) -> PathBuf {
        self.state_dir.join("inflight")
    }
}

/// The config file: `--config`, else `$HOOKRELAY_CONFIG`, else `~/.config/hookrelay/config.json`.
pub fn config_file(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| env_path("HOOKRELAY_CONFIG"))
        .or_else(|| project_dirs().map(|d| d.config_dir().join("config.json")))
}

/// Looked up once per process (the config file and the data paths both need it).
fn project_dirs() -> Option<&'static directories::ProjectDirs> {
    static DIRS: std::sync::OnceLock<Option<directories::ProjectDirs>> = std::sync::OnceLock::new();
    DIRS.get_or_init(|| directories::ProjectDirs::from("", "", "hookrelay"))
        .as_ref()
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}
