//! Small helpers with no knowledge of hooks: wall-clock time, text and URL
//! credentials.

pub mod clock;
pub mod text;
pub mod url;
