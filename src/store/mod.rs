//! Everything hookrelay keeps on disk: where (paths), how (private files, atomic
//! replace, JSONL appends), and what (local sink, in-flight journal, rejects,
//! spools). Storage only: nothing here sends, redacts or enriches.

pub mod files;
pub mod health;
pub mod journal;
pub mod jsonl;
pub mod local;
pub mod paths;
pub mod rejects;
pub mod spool;
#[cfg(test)]
pub mod testdir;
