//! The layer's error: the backend's own error, kept whole (its message is what
//! a coder or an administrator reads), plus the few the layer finds itself.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong running a statement or reading its rows.
#[derive(Debug)]
pub enum Error {
    /// The SQLite library's error, unchanged.
    Sqlite(rusqlite::Error),
    /// The PostgreSQL client's error (the server's, or the connection's), unchanged.
    Postgres(postgres::Error),
    /// A statement that must return a row returned none.
    NoRows,
    /// A column held a value the asked-for type cannot take.
    Column { index: usize, cause: FromSqlError },
    /// A parameter that cannot be bound (a number too large, a tampered value).
    Param(String),
    /// The connection was lost during a COMMIT and the server could not be
    /// asked afterwards whether it applied it; the lost connection's error.
    CommitUnknown(Box<Error>),
}

impl Error {
    /// A value the store refuses to bind, in words.
    pub fn param(message: impl Into<String>) -> Error {
        Error::Param(message.into())
    }

    /// The kind of failure, the same for every backend.
    pub fn kind(&self) -> ErrorKind {
        use rusqlite::ErrorCode as C;
        let e = match self {
            Error::Sqlite(e) => e,
            Error::Postgres(e) => return postgres_kind(e),
            Error::CommitUnknown(_) => return ErrorKind::CommitUnknown,
            _ => return ErrorKind::Other,
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

/// The kind of a PostgreSQL failure: by the server's SQLSTATE, or a
/// connection the server closed.
fn postgres_kind(e: &postgres::Error) -> ErrorKind {
    use postgres::error::SqlState as S;
    if e.is_closed() {
        return ErrorKind::ConnectionLost;
    }
    let Some(code) = e.code() else {
        // The client's own failures (I/O on the socket) mean the connection
        // is gone; a conversion error is the caller's.
        return match std::error::Error::source(e).is_some_and(|c| c.is::<std::io::Error>()) {
            true => ErrorKind::ConnectionLost,
            false => ErrorKind::Other,
        };
    };
    match code {
        c if *c == S::T_R_SERIALIZATION_FAILURE
            || *c == S::T_R_DEADLOCK_DETECTED
            || *c == S::LOCK_NOT_AVAILABLE =>
        {
            ErrorKind::Busy
        }
        c if *c == S::DISK_FULL => ErrorKind::DiskFull,
        c if *c == S::READ_ONLY_SQL_TRANSACTION => ErrorKind::ReadOnly,
        c if *c == S::ADMIN_SHUTDOWN
            || *c == S::CRASH_SHUTDOWN
            || *c == S::CANNOT_CONNECT_NOW
            || *c == S::CONNECTION_FAILURE
            || *c == S::CONNECTION_EXCEPTION =>
        {
            ErrorKind::ConnectionLost
        }
        c if c.code().starts_with("23") || *c == S::RAISE_EXCEPTION => ErrorKind::Constraint,
        _ => ErrorKind::Other,
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
    /// The connection to the database server was lost (the server restarted
    /// or was stopped); an open transaction was rolled back by the server.
    ConnectionLost,
    /// The connection was lost during a COMMIT and the server could not be
    /// reached afterwards to learn whether it applied it.
    CommitUnknown,
    Other,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            Error::Postgres(e) => f.write_str(&postgres_said(e)),
            Error::NoRows => f.write_str("Query returned no rows"),
            Error::Column { index, cause } => write!(f, "column {index}: {cause}"),
            Error::Param(message) => f.write_str(message),
            Error::CommitUnknown(lost) => {
                write!(f, "the connection was lost during COMMIT ({lost})")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sqlite(e) => Some(e),
            // Its words, and its causes', are the message already.
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

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

/// What the server said (its message and detail, as a trigger raised it),
/// rather than the client's bare "db error"; else the client's words.
fn postgres_said(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                let words = c.to_string();
                if !text.contains(&words) {
                    text = format!("{text}: {words}");
                }
                cause = c.source();
            }
            text
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
