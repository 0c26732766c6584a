//! hookrelay as a library: the layers of the one command hook Claude Code runs for
//! every event, lowest first. Each layer uses only the layers above it in this
//! file (a test below keeps it so); `docs/architecture.md` is the map.

/// Helpers with no knowledge of hooks: time, text, byte search.
pub mod util;

/// The one-line problem shape, and exit codes (Claude Code gives each a meaning).
pub mod error;
pub mod exit;

/// Claude Code's side of the wire: the events table, input, envelope, answer.
pub mod protocol;

/// Everything on disk: paths, private files, local sink, journal, spools.
pub mod store;

/// Secrets out of every string before anything is written or sent.
pub mod redact;

/// What hookrelay adds: id, host, git, session counters.
pub mod enrich;

/// One module per destination: config, pure request builder, response classifier.
pub mod backends;

/// Local rules that answer Claude Code (deny, ask, secret prompts).
pub mod policy;

/// Getting an event to its backends: route, fan-out, settle, replay, breaker, HTTP.
pub mod delivery;

/// The configuration file and environment, turned into one `Config` early.
pub mod config;

pub mod cli;
/// What a user runs: the hook itself and the operator commands.
pub mod commands;

/// The whole program: parse the command line, run the command, return its exit code.
pub fn main() -> exit::Code {
    match cli::parse() {
        Ok(cli) => cli::dispatch(cli),
        Err(code) => code,
    }
}

#[cfg(test)]
mod layering {
    //! The layers above, as a rule: no module imports from a layer declared after
    //! its own (test code aside). A new import that breaks the order fails here.

    const LAYERS: [&str; 13] = [
        "util", "error", "exit", "protocol", "store", "redact", "enrich", "backends", "policy",
        "delivery", "config", "commands", "cli",
    ];

    fn rank(layer: &str) -> Option<usize> {
        LAYERS.iter().position(|l| *l == layer)
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_layer_imports_from_a_layer_above_it() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut upward = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(&src).unwrap();
            let layer = rel.iter().next().unwrap().to_str().unwrap();
            let Some(own) = rank(layer.trim_end_matches(".rs")) else {
                continue; // lib.rs, main.rs
            };
            let text = std::fs::read_to_string(file).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            for (at, _) in code.match_indices("crate::") {
                let used: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if rank(&used).is_some_and(|r| r > own) {
                    upward.push(format!("{} uses crate::{used}", rel.display()));
                }
            }
        }
        assert!(
            upward.is_empty(),
            "imports against the layer order: {upward:#?}"
        );
        assert!(
            files.len() > 40,
            "read the whole tree ({} files)",
            files.len()
        );
    }
}
