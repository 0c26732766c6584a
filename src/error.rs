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

impl std::error::Error for Problem {}

/// Non-fatal findings gathered while something loads (an unset `${VAR}`, an event
/// name that is not a Claude Code event), said once the load is done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Warnings(Vec<Problem>);

impl Warnings {
    pub fn new() -> Warnings {
        Warnings::default()
    }

    pub fn push(&mut self, problem: impl Into<Problem>) {
        self.0.push(problem.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }

    /// The warnings as their lines, separated by `sep` (for one-line summaries).
    pub fn join(&self, sep: &str) -> String {
        self.lines().collect::<Vec<_>>().join(sep)
    }

    /// Each warning as the line it is printed as (without the `hookrelay: ` prefix).
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(Problem::to_string)
    }

    /// Prints every warning through `report`.
    pub fn report(&self) {
        self.0.iter().for_each(report);
    }
}

impl std::ops::Index<usize> for Warnings {
    type Output = Problem;
    fn index(&self, i: usize) -> &Problem {
        &self.0[i]
    }
}

impl<'a> IntoIterator for &'a Warnings {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Owned, the warnings are their printed lines: callers that collect every
/// problem of a run as text (the hook's stderr list) extend it with them.
impl IntoIterator for Warnings {
    type Item = String;
    type IntoIter = std::iter::Map<std::vec::IntoIter<Problem>, fn(Problem) -> String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().map(|p| p.to_string())
    }
}
