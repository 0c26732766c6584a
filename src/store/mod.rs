//! Everything hookrelay keeps on disk: where (paths), how (private files, atomic
//! replace, JSONL appends), and what (local sink, in-flight journal, spools).

pub mod files;
pub mod journal;
pub mod jsonl;
pub mod local;
pub mod paths;
pub mod spool;
