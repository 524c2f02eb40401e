//! Typed errors. Bad input is an [`InputError`]: it carries the file, line
//! and column it was found at, and means exit code 2 with nothing written.
//! Bugs in the simulator are not errors; they panic.

use std::fmt::{self, Write};
use std::path::{Path, PathBuf};

/// A path as messages print it: control characters are escaped
/// (`\u{1b}`), since a file name holding an escape sequence would
/// otherwise rewrite the terminal it is printed on.
pub fn shown(path: &Path) -> Shown<'_> {
    Shown(path)
}

/// See [`shown`].
pub struct Shown<'a>(&'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.to_string_lossy().chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

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
            write!(f, "{}", shown(&self.file))
        } else {
            write!(f, "{}:{}:{}", shown(&self.file), self.line, self.column)
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
    #[error("{}: {source}", shown(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl InputError {
    /// An error about `file` as a whole (what it asks for, not a place in
    /// it): located at line 0, column 0.
    pub fn about_file(file: &Path, message: String) -> InputError {
        InputError::Scenario {
            location: Location {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
            },
            message,
        }
    }

    /// The location of a scenario error, if it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            InputError::Scenario { location, .. } => Some(location),
            InputError::Io { .. } => None,
        }
    }
}

/// The name among `names` a mistyped `word` most likely meant: the
/// nearest by edit distance, ignoring case, when it is within a third of
/// the word's length (at least two edits); the first of equals.
pub(crate) fn closest<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    names
        .into_iter()
        .map(|n| (strsim::levenshtein(&word, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// "; did you mean `name`?" for the name `word` most likely meant, or
/// nothing.
pub(crate) fn did_you_mean<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, names).map_or_else(String::new, |n| format!("; did you mean `{n}`?"))
}
