//! The one shape every problem a user can hit is printed in, ripgrep-style:
//! `hookrelay: <where>: <what>; <what to do>`, and the one place that prints it.

use std::fmt;

/// A problem worth one line on stderr.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The file, field, environment variable or backend the problem is about.
    pub at: Option<String>,
    /// What is wrong.
    pub what: String,
    /// What to do about it.
    pub fix: Option<String>,
}

impl Problem {
    pub fn new(what: impl Into<String>) -> Problem {
        Problem {
            at: None,
            what: what.into(),
            fix: None,
        }
    }

    pub fn at(mut self, at: impl Into<String>) -> Problem {
        self.at = Some(at.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Problem {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        f.write_str(&self.what)?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

impl From<String> for Problem {
    fn from(what: String) -> Problem {
        Problem::new(what)
    }
}

/// Prints one problem line on stderr. A closed stderr is ignored: the event is
/// already safe by the time anything is reported.
pub fn report(problem: impl fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "hookrelay: {problem}");
}
