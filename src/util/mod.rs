//! Small helpers with no knowledge of hooks: wall-clock time and text.

pub mod clock;
pub mod text;
