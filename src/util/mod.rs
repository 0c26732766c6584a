//! Small helpers with no knowledge of hooks: wall-clock time and text.

pub mod clock;
#[cfg(test)]
pub mod testdir;
pub mod text;
