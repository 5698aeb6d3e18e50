//! The error type of this crate: every variant names the file it is about.

use std::path::PathBuf;

/// An error reading or writing data, naming the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error (shown in the message, so not chained as a source).
        error: std::io::Error,
    },
    /// The file was read but its content is not what it should be.
    #[error("{path}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A request that no data can satisfy (an empty subset, a missing directory).
    #[error("{0}")]
    Request(String),
}

impl DataError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            error: source,
        }
    }

    /// A content error about `path`.
    pub fn invalid(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            problem: problem.into(),
        }
    }
}
