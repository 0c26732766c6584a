//! The local JSONL sink: the embedded default. Every event is appended as one
//! envelope line to `events-YYYY-MM-DD.jsonl` (UTC date of receipt).

use std::path::PathBuf;

use crate::protocol::envelope::Envelope;
use crate::store::jsonl;
use crate::store::paths::Paths;
use crate::util::clock;

/// Appends the envelope; returns the file it went to.
pub fn keep(paths: &Paths, env: &Envelope) -> std::io::Result<PathBuf> {
    let day = clock::parse_rfc3339_ms(&env.ts)
        .map(clock::date)
        .unwrap_or_else(|| clock::date(clock::now_ms()));
    let file = paths.events_dir().join(format!("events-{day}.jsonl"));
    jsonl::append_line(&file, &env.to_line())?;
    Ok(file)
}
