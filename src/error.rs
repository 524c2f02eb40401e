//! Typed errors. Bad input is an [`InputError`]: it carries the file, line
//! and column it was found at, and means exit code 2 with nothing written.
//! Bugs in the simulator are not errors; they panic.

use std::fmt;
use std::path::PathBuf;

/// Where in a scenario file something was found (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line; 0 when unknown.
    pub line: u64,
    /// 1-based column; 0 when unknown.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// Input the tool cannot use: a scenario that does not parse or does not
/// make sense, or a file that cannot be read. The caller should print it and
/// exit with code 2 without writing any output.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The scenario is not valid: the location says where, the message what
    /// was expected.
    #[error("{location}: {message}")]
    Scenario {
        /// Where the problem is.
        location: Location,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl InputError {
    /// The location of a scenario error, if it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            InputError::Scenario { location, .. } => Some(location),
            InputError::Io { .. } => None,
        }
    }
}
