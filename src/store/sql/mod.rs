//! The store's SQL layer: one small interface over the database backends, so
//! that every store function is written once and runs on SQLite or PostgreSQL.
//!
//! [`Db`] runs statements (`execute`, `query_row`, `query_opt`, `query_map`,
//! `for_each`, `for_each_while`, `execute_batch`), caching them where the backend can; [`Tx`]
//! is a transaction that dereferences to its `Db`, commits when told and rolls
//! back when dropped. Parameters are anything [`ToSql`] ([`params!`](crate::params)
//! for mixed types), columns anything [`FromSql`], both through [`Value`]:
//! the five storage classes both backends share. SQL is written with SQLite's
//! numbered placeholders (`?1`); [`numbered_to_dollar`] turns them into
//! PostgreSQL's (`$1`). Where a statement must differ, the store function
//! asks [`Db::dialect`].
//!
//! The PostgreSQL backend holds its client in a `RefCell` (it needs `&mut`),
//! which is why every method takes `&self`; see `postgres.rs` for how it
//! converts values and replaces a lost connection.

mod error;
mod placeholders;
mod postgres;
mod sqlite;
mod value;

pub use crate::params;
pub use error::{Error, ErrorKind, FromSqlError, Result};
pub use placeholders::numbered_to_dollar;
pub use value::{FromSql, Params, ToSql, Value, ValueRef};

/// The advisory lock every PostgreSQL write transaction holds ("CHCW").
pub const WRITE_LOCK: i64 = 0x4348_4357;

/// How a PostgreSQL write transaction starts: see [`Db::transaction`].
const POSTGRES_BEGIN_WRITE: &str = "BEGIN; SELECT pg_advisory_xact_lock(1128809303)";

/// The SQL dialect a [`Db`] speaks, for the statements that must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One connection to the chart database.
pub struct Db {
    backend: Backend,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Pg>),
}

/// One row of a result, read column by column (from 0).
pub struct Row<'a> {
    inner: RowInner<'a>,
}

enum RowInner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a ::postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`.
    #[inline]
    pub fn get<T: FromSql>(&self, index: usize) -> Result<T> {
        match self.inner {
            RowInner::Sqlite(row) => sqlite::get(row, index),
            RowInner::Postgres(row) => postgres::get(row, index),
        }
    }
}

impl Db {
    /// A database on an open SQLite connection.
    pub(in crate::store) fn from_sqlite(conn: rusqlite::Connection) -> Db {
        conn.set_prepared_statement_cache_capacity(sqlite::STATEMENT_CACHE);
        Db {
            backend: Backend::Sqlite(conn),
        }
    }

    /// A bare SQLite database at `path` (created if missing): no pragmas, no
    /// migrations. For building a database step by step (an older schema in a
    /// test); the store opens its file with [`crate::store::Store::open`].
    pub fn open_sqlite(path: &std::path::Path) -> Result<Db> {
        Ok(Db::from_sqlite(rusqlite::Connection::open(path)?))
    }

    /// A database on an open PostgreSQL connection made with `settings`
    /// (which make a new one when the server closes it).
    pub(in crate::store) fn from_postgres(
        settings: crate::store::postgres::Settings,
        client: ::postgres::Client,
    ) -> Db {
        Db {
            backend: Backend::Postgres(Box::new(postgres::Pg::new(settings, client))),
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the file,
    /// the busy timeout); `None` on another backend.
    pub(in crate::store) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(conn) => Some(conn),
            Backend::Postgres(_) => None,
        }
    }

    /// The dialect this database speaks.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        params.with_slice(|params| match &self.backend {
            Backend::Sqlite(conn) => Ok(sqlite::bind(conn, sql, params)?.raw_execute()?),
            Backend::Postgres(pg) => pg.execute(sql, params),
        })
    }

    /// Runs one `INSERT` of one row and returns the new row's integer key
    /// `key`: on SQLite the insert's rowid (an `INSERT … RETURNING` there costs
    /// 11% more instructions when generating charts), on PostgreSQL by
    /// `RETURNING key`.
    pub fn insert_id(&self, sql: &str, params: impl Params, key: &str) -> Result<i64> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let _ = key;
                self.execute(sql, params)?;
                Ok(conn.last_insert_rowid())
            }
            Backend::Postgres(_) => {
                self.query_row(&format!("{sql} RETURNING {key}"), params, |r| r.get(0))
            }
        }
    }

    /// Runs statements separated by semicolons, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(pg) => pg.execute_batch(sql),
        }
    }

    /// The first row of a query, read by `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or(Error::NoRows)
    }

    /// The first row of a query, read by `f`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        params.with_slice(|params| match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt = sqlite::bind(conn, sql, params)?;
                let mut rows = stmt.raw_query();
                match rows.next()? {
                    Some(row) => f(&Row {
                        inner: RowInner::Sqlite(row),
                    })
                    .map(Some),
                    None => Ok(None),
                }
            }
            Backend::Postgres(pg) => match pg.query(sql, params)?.first() {
                Some(row) => f(&Row {
                    inner: RowInner::Postgres(row),
                })
                .map(Some),
                None => Ok(None),
            },
        })
    }

    /// Every row of a query, each read by `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, params, |row| {
            out.push(f(row)?);
            Ok::<_, Error>(())
        })?;
        Ok(out)
    }

    /// Calls `f` on every row of a query in turn, stopping at its first error
    /// (which may be the caller's own).
    pub fn for_each<E: From<Error>>(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_while(sql, params, |row| f(row).map(|()| true))
    }

    /// Calls `f` on the rows of a query in turn while it returns `true`: the
    /// rest are never read.
    pub fn for_each_while<E: From<Error>>(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<bool, E>,
    ) -> Result<(), E> {
        params.with_slice(|params| match &self.backend {
            Backend::Sqlite(conn) => {
                let mut stmt = sqlite::bind(conn, sql, params)?;
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next().map_err(Error::from)? {
                    let more = f(&Row {
                        inner: RowInner::Sqlite(row),
                    })?;
                    if !more {
                        break;
                    }
                }
                Ok(())
            }
            Backend::Postgres(pg) => {
                for row in &pg.query(sql, params)? {
                    let more = f(&Row {
                        inner: RowInner::Postgres(row),
                    })?;
                    if !more {
                        break;
                    }
                }
                Ok(())
            }
        })
    }

    /// Starts a write transaction, holding the write lock from its start
    /// (SQLite's `BEGIN IMMEDIATE`), so that it never fails half-way for a lock.
    ///
    /// On PostgreSQL the write lock is a transaction-level advisory lock
    /// ([`WRITE_LOCK`]) that every write transaction takes first: writes
    /// are one at a time as on SQLite, which the audit trail's hash chain
    /// needs (each row seals the one before it, so two transactions must not
    /// both append after the same row), and a lock taken first by all cannot
    /// deadlock. Reads ([`Db::read_transaction`]) take none.
    pub fn transaction(&self) -> Result<Tx<'_>> {
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => POSTGRES_BEGIN_WRITE,
        };
        let mut tx = self.begin(begin)?;
        if self.dialect() == Dialect::Postgres {
            // Its number, to ask the server afterwards whether it was saved
            // when the connection is lost during its COMMIT.
            tx.txid = Some(self.query_row("SELECT txid_current()", [], |r| r.get(0))?);
        }
        Ok(tx)
    }

    fn begin(&self, begin: &str) -> Result<Tx<'_>> {
        match &self.backend {
            Backend::Sqlite(_) => self.execute_batch(begin)?,
            Backend::Postgres(pg) => pg.begin(begin)?,
        }
        Ok(Tx {
            db: self,
            open: true,
            txid: None,
        })
    }

    /// Marks the end of a transaction (for the PostgreSQL backend's
    /// reconnecting).
    fn ended(&self) {
        if let Backend::Postgres(pg) = &self.backend {
            pg.set_in_transaction(false);
        }
    }

    /// Starts a transaction for reading (one consistent snapshot) that takes
    /// no lock until it writes.
    pub fn read_transaction(&self) -> Result<Tx<'_>> {
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN DEFERRED",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ",
        };
        self.begin(begin)
    }
}

/// A transaction on a [`Db`]: runs statements as the `Db` does, is saved by
/// [`Tx::commit`], and rolled back if dropped without it.
pub struct Tx<'a> {
    db: &'a Db,
    open: bool,
    /// A PostgreSQL write transaction's id (`txid_current()`).
    txid: Option<i64>,
}

impl Tx<'_> {
    /// Saves the transaction. If that fails, it is rolled back.
    ///
    /// A PostgreSQL write transaction whose connection is lost during its
    /// COMMIT may have been saved or not (the server may have applied it
    /// before the reply was lost): the server is asked on a new connection
    /// which it was, so that a saved change is never reported as not saved
    /// (and done twice when the coder redoes it). When it cannot be asked,
    /// the error says so ([`ErrorKind::CommitUnknown`]).
    pub fn commit(mut self) -> Result<()> {
        let result = self.db.execute_batch("COMMIT");
        match (result, self.txid, &self.db.backend) {
            (Ok(()), _, _) => {
                self.open = false;
                self.db.ended();
                Ok(())
            }
            (Err(e), Some(txid), Backend::Postgres(pg))
                if e.kind() == ErrorKind::ConnectionLost =>
            {
                // The server ended the transaction with the connection.
                self.open = false;
                self.db.ended();
                pg.outcome(txid, e)
            }
            (Err(e), _, _) => Err(e),
        }
    }

    /// Ends the transaction without saving it.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        let result = self.db.execute_batch("ROLLBACK");
        self.db.ended();
        result
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;

    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // A failed COMMIT may have ended the transaction already; nothing
            // else can be done about a failed rollback in a destructor.
            // (On PostgreSQL a ROLLBACK with none open is only a warning.)
            let still_open = match &self.db.backend {
                Backend::Sqlite(conn) => !conn.is_autocommit(),
                Backend::Postgres(_) => true,
            };
            if still_open {
                let _ = self.db.execute_batch("ROLLBACK");
            }
            self.db.ended();
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod lock_tests {
    #[test]
    fn the_write_lock_in_the_begin_statement_is_write_lock() {
        assert_eq!(
            super::POSTGRES_BEGIN_WRITE,
            format!("BEGIN; SELECT pg_advisory_xact_lock({})", super::WRITE_LOCK)
        );
    }
}
