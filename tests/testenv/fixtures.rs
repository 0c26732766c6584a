//! The one fixture loader of the integration tests: the HookInputs Claude Code
//! 2.1.330 sends, one file per event in hooks/events/ (the samples users pipe in
//! too). Files are pretty-printed for reading; tests get them as values or as the
//! compact line Claude Code writes to the hook's stdin.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// hooks/events/, the one fixture directory.
fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/events")
}

/// The fixture of one event, e.g. `fixture("PreToolUse")`.
pub fn fixture(event: &str) -> Value {
    let p = dir().join(format!("{event}.json"));
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fixture of one event as one compact line, as on the wire.
pub fn fixture_line(event: &str) -> Vec<u8> {
    serde_json::to_vec(&fixture(event)).unwrap()
}

/// Every fixture as (event name, compact line), sorted by event name.
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut events: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    events.sort();
    events
        .into_iter()
        .map(|event| {
            let line = fixture_line(&event);
            (event, line)
        })
        .collect()
}
