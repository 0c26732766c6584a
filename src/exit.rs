//! Exit codes, in one place, because Claude Code gives each one a meaning.
//!
//! 0 and 1 never block a session; 2 blocks on events that can block, so hookrelay
//! returns it only for a deliberate block (and never uses it for usage errors,
//! unlike clap's default).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Success: stdout (if any) holds the one JSON answer.
    Success,
    /// Bad input, broken config or internal error: Claude Code shows the first
    /// stderr line as a non-blocking hook error and goes on.
    NonBlocking,
    /// Deliberate block (exit-code protocol). hookrelay prefers JSON answers with
    /// exit 0; this exists so the meaning of 2 is written down once.
    #[allow(dead_code)]
    Block,
    /// `status` / `doctor`: something needs attention (used by monitoring).
    Attention,
}

impl Code {
    pub fn as_u8(self) -> u8 {
        match self {
            Code::Success => 0,
            Code::NonBlocking => 1,
            Code::Block => 2,
            Code::Attention => 3,
        }
    }
}
