//! What can make a config file unusable, said in one line: where (the file, or the
//! environment), what, and what to do.

use std::path::{Path, PathBuf};

use crate::backends;

/// A config that could not be used (as a whole, or some of its fields).
#[derive(Debug)]
pub enum Error {
    /// The file exists (or was named explicitly) but cannot be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not JSON.
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The file is JSON but not an object.
    NotObject { path: PathBuf },
    /// Fields that cannot be used, each naming its path: a backend's switched
    /// that backend off; a global one fell back to its default.
    /// `path` is `None` when they came from the environment alone.
    Backends {
        path: Option<PathBuf>,
        errors: Vec<backends::Error>,
    },
}

impl Error {
    /// The file the problem is in, or `(environment)`.
    pub fn path(&self) -> &Path {
        match self {
            Error::Read { path, .. }
            | Error::Json { path, .. }
            | Error::NotObject { path }
            | Error::Backends {
                path: Some(path), ..
            } => path,
            Error::Backends { path: None, .. } => Path::new("(environment)"),
        }
    }

    /// What is wrong, without where.
    pub fn message(&self) -> String {
        match self {
            Error::Read { source, .. } => format!("cannot read: {source}"),
            Error::Json { source, .. } => format!("not valid JSON: {source}"),
            Error::NotObject { .. } => "the top level must be a JSON object".into(),
            Error::Backends { errors, .. } => errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Errors that all name environment variables are not the file's.
        let env_only = matches!(self, Error::Backends { errors, .. } if errors.iter().all(|e| {
            e.0.at.as_deref().is_some_and(|a| a.starts_with("environment variable"))
        }));
        let (path, fix) = match env_only {
            true => (Path::new("(environment)"), "fix the variable"),
            false => (self.path(), "fix the file"),
        };
        write!(
            f,
            "config {}: {} ({fix}, or run `hookrelay doctor`)",
            path.display(),
            self.message()
        )
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } => Some(source),
            Error::Json { source, .. } => Some(source),
            Error::NotObject { .. } | Error::Backends { .. } => None,
        }
    }
}
