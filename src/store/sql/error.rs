//! The layer's error: the backend's own error, kept whole (its message is what
//! a coder or an administrator reads), plus the few the layer finds itself.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong running a statement or reading its rows.
#[derive(Debug)]
pub enum Error {
    /// The SQLite library's error, unchanged.
    Sqlite(rusqlite::Error),
    /// A statement that must return a row returned none.
    NoRows,
    /// A column held a value the asked-for type cannot take.
    Column { index: usize, cause: FromSqlError },
    /// A parameter that cannot be bound (a number too large, a tampered value).
    Param(String),
}

impl Error {
    /// A value the store refuses to bind, in words.
    pub fn param(message: impl Into<String>) -> Error {
        Error::Param(message.into())
    }

    /// The kind of failure, the same for every backend.
    pub fn kind(&self) -> ErrorKind {
        use rusqlite::ErrorCode as C;
        let Error::Sqlite(e) = self else {
            return ErrorKind::Other;
        };
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => ErrorKind::Busy,
            Some(C::NotADatabase) => ErrorKind::NotADatabase,
            Some(C::DiskFull) => ErrorKind::DiskFull,
            Some(C::ReadOnly) => ErrorKind::ReadOnly,
            Some(C::SystemIoFailure) => ErrorKind::IoFailure,
            Some(C::CannotOpen) => ErrorKind::CannotOpen,
            Some(C::ConstraintViolation) => ErrorKind::Constraint,
            _ => ErrorKind::Other,
        }
    }
}

/// Failures the store tells apart, whatever the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Another connection holds a lock longer than the busy timeout.
    Busy,
    /// The file is not a database.
    NotADatabase,
    DiskFull,
    /// The database cannot be written.
    ReadOnly,
    /// The disk failed reading or writing.
    IoFailure,
    /// The database file could not be opened.
    CannotOpen,
    /// A constraint (unique, foreign key, check, trigger) refused the change.
    Constraint,
    Other,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            Error::NoRows => f.write_str("Query returned no rows"),
            Error::Column { index, cause } => write!(f, "column {index}: {cause}"),
            Error::Param(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

/// Why a column's value does not convert to the type asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum FromSqlError {
    /// The value is of another SQL type (text where a number was asked for).
    InvalidType {
        expected: &'static str,
        found: &'static str,
    },
    /// An integer outside the asked-for type's range.
    OutOfRange(i64),
    /// Text that is not UTF-8.
    NotUtf8,
}

impl fmt::Display for FromSqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FromSqlError::InvalidType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            FromSqlError::OutOfRange(n) => write!(f, "integer {n} out of range"),
            FromSqlError::NotUtf8 => f.write_str("text is not valid UTF-8"),
        }
    }
}

impl std::error::Error for FromSqlError {}
