//! The chart store: one SQLite file, or a PostgreSQL database. All SQL of the
//! product lives in this module.
//!
//! Opening an SQLite file sets WAL, `synchronous=FULL`, a busy timeout and
//! foreign keys, then applies the migrations the file lacks; opening a
//! PostgreSQL database ([`Store::open_url`]) connects, sets the lock timeout
//! and applies the migrations it lacks when the role may. Every user action
//! is one transaction ([`Store::write`]; `BEGIN IMMEDIATE` on SQLite) that
//! carries its audit row.

#[cfg(test)]
#[macro_use]
pub(crate) mod testing;

pub mod audit;
pub mod charts;
pub mod coding;
pub mod command;
pub mod drg;
pub mod inbound;
pub mod migrations;
pub mod postgres;
pub mod quality;
pub mod queries;
pub mod queue;
pub mod review;
pub mod site;
pub mod sql;
pub mod users;

use rusqlite::{Connection, OpenFlags};
use sql::{Db, ErrorKind, Tx};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use audit::AuditEntry;
pub use charts::ImportProblem;
pub use queue::{QueueFilter, QueueKey, QueuePage, QueueRow, QueueSummary, StatusFilter};

/// What can go wrong in the store, in words a coder or an administrator can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database {path} has schema version {found}, newer than this chartcoder understands ({supported}); \
         use a newer chartcoder, or another --db"
    )]
    NewerSchema {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error("{path} is not a chartcoder database (or is damaged): {cause}")]
    NotADatabase { path: String, cause: sql::Error },
    #[error(
        "the database is busy (another chartcoder holds a lock for longer than the busy timeout); nothing was changed, try again"
    )]
    Busy,
    // The causes are part of the message (and not `source`s, which `{:#}`
    // would print a second time).
    #[error("cannot create the database folder {path}: {cause}")]
    CreateFolder { path: String, cause: std::io::Error },
    #[error("cannot create the database file {path}: {cause}")]
    CreateFile { path: String, cause: std::io::Error },
    #[error(
        "the disk holding {path} is full: nothing was changed, and everything saved before is safe; \
         free some space, then try again"
    )]
    DiskFull { path: String },
    #[error(
        "{path} cannot be written (a read-only file, folder or disk): nothing was changed, \
         and everything saved before is safe"
    )]
    ReadOnly { path: String },
    #[error(
        "the disk failed reading or writing {path} ({cause}): nothing was changed; check the disk, then try again"
    )]
    Disk { path: String, cause: sql::Error },
    #[error(
        "there is no chart database at {path}; check --db (or database.path): only the workstation, \
         import and demo create one"
    )]
    Missing { path: String },
    #[error(
        "{path} is an SQLite database of another program, not chartcoder's: it was left as it is; \
         give another --db"
    )]
    Foreign { path: String },
    #[error(
        "the database file {path} was removed or replaced while chartcoder was running: this change was \
         NOT saved; quit and restore the file (or open the new one)"
    )]
    Replaced { path: String },
    #[error("cannot use the PostgreSQL database {url}: {cause}")]
    Server { url: String, cause: String },
    #[error(
        "the connection to the database server was lost: this change was NOT saved (the server \
         undid all of it); chartcoder reconnects at the next action, so try again (if it fails \
         again, ask your administrator whether the server is up)"
    )]
    ConnectionLost,
    #[error(
        "the connection to the database server was lost while this change was being saved, and \
         the server could not be asked afterwards whether it saved it: it may or may not have been \
         saved; reopen the chart to see whether it is there before doing it again (if the server \
         cannot be reached, ask your administrator whether it is up)"
    )]
    CommitUnknown,
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// A coding action that may not be done now, with the reason.
    #[error("{0}")]
    Refused(String),
    #[error("the charts were not imported:\n{}", problems_text(.0))]
    Rejected(Vec<ImportProblem>),
    #[error("database error: {0}")]
    Sql(sql::Error),
}

fn problems_text(problems: &[ImportProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<sql::Error> for StoreError {
    fn from(e: sql::Error) -> Self {
        match e.kind() {
            ErrorKind::Busy => StoreError::Busy,
            ErrorKind::ConnectionLost => StoreError::ConnectionLost,
            ErrorKind::CommitUnknown => StoreError::CommitUnknown,
            _ => StoreError::Sql(e),
        }
    }
}

/// The store's SQLite-only code (opening, pragmas) calls rusqlite directly.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(sql::Error::from(e))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How to open the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a writer waits for another process's lock before reporting busy.
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_millis(5000),
        }
    }
}

/// An open chart database.
pub struct Store {
    conn: Db,
    path: Option<PathBuf>,
    /// The PostgreSQL database's address, as given (for a second connection).
    url: Option<String>,
    options: StoreOptions,
    /// The file opened (device and inode): a write checks that the path still
    /// names it, so that work is never "saved" into a deleted file.
    file_id: Option<(u64, u64)>,
}

impl Store {
    /// Opens (creating if needed, owner-only, in folders created 0700) and
    /// migrates the database at `path`.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::private_file::create_dir(parent).map_err(|cause| StoreError::CreateFolder {
                path: parent.display().to_string(),
                cause,
            })?;
        }
        create_owner_only(path)?;
        Store::open_file(path, options)
    }

    /// Opens the database at `path`, which must exist: a mistyped path is
    /// refused, never created (commands that only read or send out).
    pub fn open_existing(path: &Path, options: &StoreOptions) -> Result<Store> {
        // An empty file is no database either (SQLite would take it for a
        // new one and chartcoder would fill it).
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0) {
            return Err(StoreError::Missing {
                path: path.display().to_string(),
            });
        }
        Store::open_file(path, options)
    }

    fn open_file(path: &Path, options: &StoreOptions) -> Result<Store> {
        // A file this user may not write opens read-only in SQLite, which then
        // leaves a -shm file behind with the file's read-only mode, and writes
        // fail after the mode is put right until someone deletes it: open such
        // a file for reading only, without that file.
        if rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_err() {
            let refused = StoreError::ReadOnly {
                path: path.display().to_string(),
            };
            return match wal_is_empty(path) {
                true => Store::open_immutable(path, options).map_err(|_| refused),
                false => Err(refused),
            };
        }
        repair_shm_mode(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|cause| {
            match disk_fault(Some(path), cause.into()) {
                StoreError::Sql(cause) => StoreError::NotADatabase {
                    path: path.display().to_string(),
                    cause,
                },
                fault => fault,
            }
        })?;
        let mut store = Store {
            conn: Db::from_sqlite(conn),
            path: Some(path.to_path_buf()),
            url: None,
            options: options.clone(),
            file_id: file_id(path),
        };
        // Opening takes locks of its own (the journal mode, WAL recovery after a
        // crash, the migration): while other processes open or write the same
        // file at that moment, SQLite may answer "busy" at once instead of
        // waiting. Wait for them, up to the busy timeout, like any write.
        let started = std::time::Instant::now();
        loop {
            match store.configure(options).and_then(|()| store.migrate()) {
                Err(StoreError::Busy) if started.elapsed() < options.busy_timeout => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => {
                    return match store.fault(e) {
                        e @ StoreError::ReadOnly { .. } if wal_is_empty(path) => {
                            drop(store);
                            Store::open_immutable(path, options).map_err(|_| e)
                        }
                        e => Err(e),
                    };
                }
                Ok(()) => return Ok(store),
            }
        }
    }

    /// A database closed cleanly on a read-only disk, for reading (the audit
    /// trail, query lists and reports). SQLite opens a WAL database only with its
    /// -shm file beside it, which cannot be created there, unless told that
    /// nothing can change the file (`immutable`): true of a read-only disk,
    /// and safe when no -wal holds changes not yet in the file.
    fn open_immutable(path: &Path, options: &StoreOptions) -> Result<Store> {
        let mut uri = String::from("file:");
        for c in path.display().to_string().chars() {
            match c {
                '%' => uri.push_str("%25"),
                '?' => uri.push_str("%3F"),
                '#' => uri.push_str("%23"),
                c => uri.push(c),
            }
        }
        uri.push_str("?immutable=1");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let store = Store {
            conn: Db::from_sqlite(Connection::open_with_flags(uri, flags)?),
            path: Some(path.to_path_buf()),
            url: None,
            options: options.clone(),
            file_id: file_id(path),
        };
        store.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        match store.schema_version()? {
            migrations::LATEST => Ok(store),
            _ => Err(StoreError::ReadOnly {
                path: store.display_path(),
            }),
        }
    }

    /// A private in-memory database, for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store {
            conn: Db::from_sqlite(Connection::open_in_memory()?),
            path: None,
            url: None,
            options: StoreOptions::default(),
            file_id: None,
        };
        store.configure(&StoreOptions::default())?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens the PostgreSQL database `url` names (a `postgresql://` URL or
    /// libpq `key=value` words; what they leave out is taken from PGHOST,
    /// PGUSER, ... as libpq does), applying the migrations it lacks when this
    /// role may (else the owner runs `chartcoder db migrate`).
    pub fn open_url(url: &str, options: &StoreOptions) -> Result<Store> {
        Ok(Store {
            conn: postgres::open(url, options)?,
            path: None,
            url: Some(url.to_string()),
            options: options.clone(),
            file_id: None,
        })
    }

    /// A second connection to the same database (for a thread of its own);
    /// `None` for an in-memory store, which has only the one connection.
    pub fn reopen(&self) -> Option<Result<Store>> {
        if let Some(url) = &self.url {
            return Some(Store::open_url(url, &self.options));
        }
        let path = self.path.as_deref()?;
        Some(Store::open_existing(path, &self.options).and_then(|store| {
            match store.file_id == self.file_id {
                true => Ok(store),
                false => Err(StoreError::Replaced {
                    path: path.display().to_string(),
                }),
            }
        }))
    }

    /// The database's files (the file, -wal, -shm, -journal), which nothing
    /// chartcoder writes may overwrite; none for an in-memory store.
    pub fn protected_files(&self) -> Vec<PathBuf> {
        let Some(path) = self.path.as_deref() else {
            return Vec::new();
        };
        // By the name given and, for a database reached through a symbolic
        // link, beside the file itself, where SQLite keeps -wal and -shm.
        let mut files = crate::private_file::database_files(path);
        if let Ok(real) = path.canonicalize() {
            files.extend(crate::private_file::database_files(&real));
        }
        files
    }

    /// The database's own id (made when it was created), for names that must
    /// not collide between databases (outbox files).
    pub fn database_id(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT value FROM site WHERE key = 'database_id'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The database file, for messages (":memory:" for an in-memory store;
    /// a PostgreSQL database's address without its password).
    pub fn display_path(&self) -> String {
        if let Some(url) = &self.url {
            return postgres::redact(url);
        }
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".to_string(), |p| p.display().to_string())
    }

    /// The PostgreSQL database's address as given, `None` for SQLite (for
    /// what needs a connection of its own, such as listening for changes).
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    fn configure(&mut self, options: &StoreOptions) -> Result<()> {
        let path = self.display_path();
        if let Some(conn) = self.conn.sqlite() {
            conn.busy_timeout(options.busy_timeout)?;
        }
        // The first statement that reads the file tells a foreign file from a database.
        // Switching to WAL takes the write lock: only when the file is not in
        // WAL yet (a new file), so that opening beside busy writers needs none.
        let not_a_database = |cause: sql::Error| match cause.kind() {
            ErrorKind::NotADatabase => StoreError::NotADatabase {
                path: path.clone(),
                cause,
            },
            _ => StoreError::from(cause),
        };
        let mut mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(not_a_database)?;
        // Another program's file is refused before anything is written to it
        // (switching it to WAL would already change its header).
        let version: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        self.refuse_foreign(version)?;
        if !mode.eq_ignore_ascii_case("wal") {
            mode = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(not_a_database)?;
        }
        if self.path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "could not switch to WAL (journal mode is {mode})"
            )));
        }
        // A 32 MB page cache keeps the queue's index seeks and a typed filter's row
        // lookups in memory on large databases (SQLite's default is 2 MB).
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -32768;",
        )?;
        Ok(())
    }

    /// The schema version recorded in the file; for PostgreSQL, the SQLite
    /// schema version its schema matches (so both equal
    /// [`migrations::LATEST`] when up to date).
    pub fn schema_version(&self) -> Result<u32> {
        let sql = match self.conn.dialect() {
            sql::Dialect::Sqlite => "PRAGMA user_version",
            sql::Dialect::Postgres => {
                "SELECT sqlite_version FROM schema_version ORDER BY version DESC LIMIT 1"
            }
        };
        Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        // Up to date (the usual case): no write lock needed.
        let version: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == migrations::LATEST {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > migrations::LATEST {
            return Err(StoreError::NewerSchema {
                path: self
                    .path
                    .as_ref()
                    .map_or_else(String::new, |p| p.display().to_string()),
                found,
                supported: migrations::LATEST,
            });
        }
        for (i, migration) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(found as usize)
        {
            migration.apply(&tx)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i as u32 + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Another program's SQLite file is left alone: a new file has no tables;
    /// chartcoder's say so in `application_id` (or, written before it did,
    /// have its tables).
    fn refuse_foreign(&self, version: u32) -> Result<()> {
        let app: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let ours = match (version, app) {
            (_, migrations::APPLICATION_ID) => true,
            (_, id) if id != 0 => false,
            (0, _) => {
                let objects: i64 = self.conn.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )?;
                objects == 0
            }
            _ => {
                let tables: i64 = self.conn.query_row(
                    "SELECT count(*) FROM sqlite_schema
                     WHERE type = 'table' AND name IN ('charts', 'audit', 'patients')",
                    [],
                    |r| r.get(0),
                )?;
                tables == 3
            }
        };
        match ours {
            true => Ok(()),
            false => Err(StoreError::Foreign {
                path: self.display_path(),
            }),
        }
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Db {
        &self.conn
    }

    /// Reads in one transaction (a consistent snapshot) that takes no write
    /// lock: other coders keep writing meanwhile.
    pub fn read<T>(&self, action: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let result = (|| {
            let tx = self.conn.read_transaction()?;
            let value = action(&tx)?;
            tx.rollback()?;
            Ok(value)
        })();
        result.map_err(|e| self.fault(e))
    }

    /// Runs one user action as one `BEGIN IMMEDIATE` transaction: either all of it
    /// (codes, status and audit row) is saved, or none of it is.
    pub fn write<T>(&mut self, action: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        if let (Some(path), Some(opened)) = (&self.path, self.file_id)
            && file_id(path) != Some(opened)
        {
            return Err(StoreError::Replaced {
                path: path.display().to_string(),
            });
        }
        let result = (|| {
            let tx = self.conn.transaction()?;
            let value = action(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|e| self.fault(e))
    }

    /// Whether the database can only be read (SQLite opens a file it may not
    /// write read-only): the workstation refuses such a file, since it must
    /// record every chart it opens; the audit trail and reports can be read.
    pub fn is_read_only(&self) -> bool {
        self.conn
            .sqlite()
            .is_some_and(|conn| conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false))
    }

    /// The error `e` in words about the disk when the disk is what failed.
    fn fault(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Sql(cause) => disk_fault(self.path.as_deref(), cause),
            other => other,
        }
    }

    /// Whether the store holds no chart at all.
    pub fn is_empty(&self) -> Result<bool> {
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM charts)", [], |r| r.get(0))?;
        Ok(!any)
    }
}

/// Creates `path` readable and writable by its owner only, if it does not exist.
/// SQLite gives its -wal and -shm files the same permissions.
fn create_owner_only(path: &Path) -> Result<()> {
    match crate::private_file::create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(cause) => Err(StoreError::CreateFile {
            path: path.display().to_string(),
            cause,
        }),
    }
}

/// The device and inode of the file at `path`.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The database's -wal and -shm files (SQLite puts them beside the file
/// itself, so beside a symbolic link's target).
fn companion(path: &Path, suffix: &str) -> PathBuf {
    let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut name = real.into_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// A -shm file that a read-only run left with the file's read-only mode is
/// given back its owner's write permission (it is SQLite's, made by
/// chartcoder; another user's, or a link, is left alone). Opened without
/// following a link and changed through the open file.
fn repair_shm_mode(path: &Path) {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(companion(path, "-shm"));
    if let Ok(file) = opened
        && let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.uid() == nix::unistd::getuid().as_raw()
        && meta.mode() & 0o200 == 0
    {
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
}

/// Whether `path` has no -wal file with changes in it (a clean close removes it).
fn wal_is_empty(path: &Path) -> bool {
    std::fs::metadata(companion(path, "-wal")).map_or(true, |m| m.len() == 0)
}

/// Below this much free space, a failed read or write is put down to a full disk.
const LOW_SPACE: u64 = 1 << 20;

/// A full disk, a read-only one, or a failing one, told as such: SQLite says
/// "database or disk is full" and "attempt to write a readonly database", but
/// a disk that fills up while the shared-memory file (-shm) grows, or that was
/// remounted read-only, comes back as a bare "disk I/O error" or "unable to
/// open": the file system the database is on tells which.
fn disk_fault(path: Option<&Path>, cause: sql::Error) -> StoreError {
    let Some(path) = path else {
        return StoreError::Sql(cause);
    };
    let shown = path.display().to_string();
    match cause.kind() {
        ErrorKind::DiskFull => StoreError::DiskFull { path: shown },
        ErrorKind::ReadOnly => StoreError::ReadOnly { path: shown },
        kind @ (ErrorKind::IoFailure | ErrorKind::CannotOpen) => {
            let folder = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            match rustix::fs::statvfs(folder) {
                Ok(fs) if fs.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) => {
                    StoreError::ReadOnly { path: shown }
                }
                Ok(fs) if fs.f_bavail.saturating_mul(fs.f_frsize) < LOW_SPACE => {
                    StoreError::DiskFull { path: shown }
                }
                _ if kind == ErrorKind::IoFailure => StoreError::Disk { path: shown, cause },
                _ => StoreError::Sql(cause),
            }
        }
        _ => StoreError::Sql(cause),
    }
}

/// The current time as stored: RFC 3339 in UTC, to the second.
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // SQLite only, but for the last: files, their modes, WAL and PRAGMAs
    // (a PostgreSQL database's opening is tested in tests/pg_store.rs).

    #[test]
    fn a_new_database_is_at_the_latest_schema_with_wal_and_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/charts.db");
        let store = Store::open(&path, &StoreOptions::default()).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        assert!(store.is_empty().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn the_database_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("charts.db");
        drop(Store::open(&path, &StoreOptions::default()).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        {
            let conn = Connection::open(&path).unwrap();
            // A later chartcoder's file: its application id, a schema to come.
            conn.execute_batch(&format!(
                "CREATE TABLE from_the_future (x INTEGER); PRAGMA user_version = 99;
                 PRAGMA application_id = {};",
                migrations::APPLICATION_ID
            ))
            .unwrap();
        }
        let err = Store::open(&path, &StoreOptions::default()).err().unwrap();
        let text = err.to_string();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. }),
            "{text}"
        );
        assert!(text.contains("newer"), "{text}");
        let conn = Connection::open(&path).unwrap();
        let v: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'charts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "nothing of ours was written into it");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "this is a shopping list, not a database ".repeat(100),
        )
        .unwrap();
        let err = Store::open(&path, &StoreOptions::default()).err().unwrap();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
        assert!(err.to_string().contains("notes.txt"), "{err}");
    }

    both_stores! {
        fn the_audit_trail_rejects_update_and_delete(stores: &Stores) {
            let store = stores.open();
            let c = store.conn();
            c.execute(
                "INSERT INTO audit (at, actor, action) VALUES ('2026-01-01T00:00:00Z', 'amy', 'test')",
                [],
            )
            .unwrap();
            let upd = c.execute("UPDATE audit SET actor = 'eve'", []).unwrap_err();
            assert!(upd.to_string().contains("append-only"), "{upd}");
            let del = c.execute("DELETE FROM audit", []).unwrap_err();
            assert!(del.to_string().contains("append-only"), "{del}");
        }
    }
}
