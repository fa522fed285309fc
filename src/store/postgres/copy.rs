//! `chartcoder db copy`: a department's SQLite database moved into a
//! PostgreSQL database, every row of every table, verified before it is
//! committed.
//!
//! The copy:
//!
//! 1. migrates the target ([`super::migrate`]), then, in ONE PostgreSQL
//!    transaction holding [`COPY_LOCK`] and an EXCLUSIVE lock on every table,
//!    refuses a target that holds any chart-database row (only the rows `db
//!    migrate` makes itself, the site's id and first manager and the queue's
//!    zero counts, are replaced);
//! 2. finds the tables in SQLite's `sqlite_schema` and in PostgreSQL's
//!    catalog and refuses to start unless the two sets (and each table's
//!    columns) are the same, so a table added later without its PostgreSQL
//!    twin fails loudly instead of being left behind;
//! 3. copies the tables in foreign-key order (parents first) with binary
//!    `COPY … FROM STDIN`, reading SQLite's rows in one snapshot as a stream
//!    (no table is held in memory), keeping every primary key, the audit
//!    trail's hash chain, timestamps, sent queries, reviews and the site's
//!    rows (its `database_id` too: outbox files are named after it, and the
//!    department's database is the same database moved, see README);
//! 4. switches off, for its own transaction only, the triggers in
//!    [`OFF_DURING_COPY`] (`ALTER TABLE … DISABLE TRIGGER` is transactional;
//!    only the tables' owner may run it, the workstation's role may not), and
//!    switches them on again before committing; no other guard is touched;
//! 5. sets every identity column's sequence past the highest key copied;
//! 6. reads every table back in the same transaction and compares its row
//!    count and checksum ([`super::checksum`]) with SQLite's; then checks
//!    that the sums the triggers keep (queue counts, daily coding and
//!    accuracy) add up from the rows copied. Any difference rolls everything
//!    back and names the table.

use super::checksum::{Cell, Checksum, Kind, TableSum, read_back};
use super::{PgError, said};
use crate::store::sql::{Db, Value};
use crate::store::{Store, StoreError};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// The advisory lock a copy holds for its transaction ("CHCP"): two copies
/// into one database run one after the other (the second then finds the
/// first one's rows and is refused).
pub const COPY_LOCK: i64 = 0x4348_4350;

/// Tables `db migrate` fills itself: their rows are replaced by SQLite's.
pub const MADE_BY_MIGRATE: &[&str] = &["queue_counts", "site"];

/// Tables of PostgreSQL's own, with nothing to copy from SQLite.
pub const POSTGRES_ONLY: &[&str] = &["schema_version"];

/// The column that keeps, on PostgreSQL, the order SQLite's rowid gives a
/// table without a key of its own (`chart_coding`, `query_recipients`).
const ROWID: &str = "rowid";

/// The triggers that fire on INSERT, switched off for the copy's transaction
/// (table, trigger): the sums they keep are copied as SQLite kept them (and
/// checked to add up after), so they must not count the copied rows a second
/// time; the two refusing an insert over an existing row would only look up,
/// row by row, a key the empty target cannot hold. Every other trigger stays
/// on: the final-chart and sent-query guards fire on UPDATE and DELETE,
/// which the copy never runs. The queue's word, word-pair and number
/// tables are copied as SQLite kept them (and checksummed like every
/// table), so the triggers that derive their rows from new charts and name
/// words are off too.
pub const OFF_DURING_COPY: &[(&str, &str)] = &[
    ("charts", "charts_counted_on_insert"),
    ("charts", "chart_name_words_chart_added"),
    ("patient_name_words", "chart_name_words_word_added"),
    ("charts", "chart_name_pairs_chart_added"),
    ("patient_name_words", "chart_name_pairs_word_added"),
    ("charts", "chart_numbers_chart_added"),
    ("chart_coding", "chart_coding_summed"),
    ("reviews", "reviews_scored_on_insert"),
    ("audit", "audit_no_replace"),
    ("physician_queries", "physician_queries_sent_not_replaced"),
];

/// How often (rows) a table's progress is told.
pub const PROGRESS_EVERY: u64 = 50_000;

/// A table's progress: `copied` of its `rows`.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub table: &'a str,
    pub copied: u64,
    pub rows: u64,
}

/// What a finished copy verified.
#[derive(Debug, Clone)]
pub struct CopyReport {
    /// The database's own id, the same on both sides.
    pub database_id: String,
    /// Each table in the order copied, its rows and checksum (equal on both sides).
    pub tables: Vec<(String, TableSum)>,
}

/// Why a copy did not happen. In every case the PostgreSQL database holds
/// none of the copy's rows.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Source(#[from] StoreError),
    #[error("{0}")]
    Target(#[from] PgError),
    #[error(
        "the two databases' tables differ (only in SQLite: {}; only in PostgreSQL: {}): this \
         chartcoder cannot copy them; nothing was copied",
        names(.sqlite_only), names(.postgres_only)
    )]
    Tables {
        sqlite_only: Vec<String>,
        postgres_only: Vec<String>,
    },
    #[error(
        "the table {table}'s columns differ (only in SQLite: {}; only in PostgreSQL: {}); \
         nothing was copied",
        names(.sqlite_only), names(.postgres_only)
    )]
    Columns {
        table: String,
        sqlite_only: Vec<String>,
        postgres_only: Vec<String>,
    },
    #[error(
        "the PostgreSQL database already holds a chart database (rows in {}): nothing was copied \
         and nothing in it was changed; copy into a new, empty database",
        names(.tables)
    )]
    NotEmpty { tables: Vec<String> },
    #[error(
        "{table}.{column}: SQLite holds a {found} where PostgreSQL's column takes {expected}; \
         nothing was copied"
    )]
    Type {
        table: String,
        column: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error(
        "the copy of {table} does not match SQLite's: {detail}; everything was rolled back, \
         nothing of it is left in PostgreSQL"
    )]
    Mismatch { table: String, detail: String },
    #[error(
        "the copy must run as the owner of the PostgreSQL tables (the role that ran `chartcoder \
         db migrate`), to switch the counting triggers off for its own transaction: {0}; \
         nothing was copied"
    )]
    NotOwner(String),
}

fn names(list: &[String]) -> String {
    match list.is_empty() {
        true => "none".to_string(),
        false => list.join(", "),
    }
}

impl From<postgres::Error> for CopyError {
    fn from(e: postgres::Error) -> Self {
        CopyError::Target(PgError::Sql(e))
    }
}

impl From<crate::store::sql::Error> for CopyError {
    fn from(e: crate::store::sql::Error) -> Self {
        CopyError::Source(StoreError::from(e))
    }
}

/// A table as copied: its columns (SQLite's order) with their kind, and the
/// columns its rows are ordered by (the primary key; every column when it
/// has none).
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Type)>,
    order: Vec<usize>,
}

impl Table {
    fn kinds(&self) -> Result<Vec<Kind>, CopyError> {
        self.columns
            .iter()
            .map(|(column, ty)| {
                Kind::of(ty).ok_or_else(|| CopyError::Columns {
                    table: self.name.clone(),
                    sqlite_only: Vec::new(),
                    postgres_only: vec![format!("{column} (of type {ty}, which the copy lacks)")],
                })
            })
            .collect()
    }

    fn column_list(&self) -> String {
        let names: Vec<String> = self.columns.iter().map(|(c, _)| ident(c)).collect();
        names.join(", ")
    }

    /// ORDER BY terms the same on both sides: NULLs first (SQLite's), text
    /// by its bytes (SQLite's BINARY is PostgreSQL's "C").
    fn order_by(&self, postgres: bool) -> String {
        let terms: Vec<String> = self
            .order
            .iter()
            .filter_map(|&i| self.columns.get(i))
            .map(|(column, ty)| match (postgres, *ty == Type::TEXT) {
                (true, true) => format!("{} COLLATE \"C\" NULLS FIRST", ident(column)),
                _ => format!("{} NULLS FIRST", ident(column)),
            })
            .collect();
        terms.join(", ")
    }
}

/// A name quoted as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Copies the SQLite database `source` into the PostgreSQL database
/// `client` is connected to (see the module's steps). `progress` is told
/// every [`PROGRESS_EVERY`] rows of a table, and at its end.
pub fn copy(
    source: &Store,
    client: &mut Client,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<CopyReport, CopyError> {
    super::migrate(client).map_err(|e| match e {
        PgError::Sql(e) => not_owner(e),
        other => CopyError::Target(other),
    })?;
    // One snapshot of the SQLite file, whatever coders still do to it.
    let snapshot = source.conn().read_transaction()?;
    let db: &Db = &snapshot;
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COPY_LOCK])?;
    let tables = tables(db, &mut tx)?;
    lock_and_refuse_rows(&mut tx, &tables)?;
    switch_triggers(&mut tx, false)?;
    tx.batch_execute("DELETE FROM queue_counts; DELETE FROM site")?;
    let mut sums = Vec::with_capacity(tables.len());
    for table in &tables {
        sums.push(copy_table(db, &mut tx, table, progress)?);
    }
    switch_triggers(&mut tx, true)?;
    // Anything deferred to the commit runs now, before the checks.
    tx.batch_execute("SET CONSTRAINTS ALL IMMEDIATE")?;
    set_sequences(&mut tx)?;
    for (table, sum) in tables.iter().zip(&sums) {
        let copied = read_back_sum(&mut tx, table)?;
        if copied.rows != sum.rows {
            return Err(mismatch(
                table,
                format!("{} rows in SQLite, {} read back", sum.rows, copied.rows),
            ));
        }
        if copied.sha256 != sum.sha256 {
            return Err(mismatch(
                table,
                format!(
                    "checksum {} in SQLite, {} read back",
                    short(&sum.sha256),
                    short(&copied.sha256)
                ),
            ));
        }
    }
    check_kept_sums(&mut tx)?;
    let database_id: String = tx
        .query_one("SELECT value FROM site WHERE key = 'database_id'", &[])?
        .try_get(0)?;
    tx.commit()?;
    snapshot.rollback()?;
    Ok(CopyReport {
        database_id,
        tables: tables.into_iter().map(|t| t.name).zip(sums).collect(),
    })
}

/// The first 12 hex digits of a checksum, for reports.
pub fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

fn mismatch(table: &Table, detail: String) -> CopyError {
    CopyError::Mismatch {
        table: table.name.clone(),
        detail,
    }
}

/// The tables to copy, parents before the tables whose foreign keys name
/// them, each with its columns; refused unless both sides have the same.
fn tables(db: &Db, tx: &mut Transaction<'_>) -> Result<Vec<Table>, CopyError> {
    let sqlite: BTreeSet<String> = db
        .query_map(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?
        .into_iter()
        .collect();
    let postgres: BTreeSet<String> = tx
        .query(
            "SELECT relname::text FROM pg_class
             WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')",
            &[],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let postgres: BTreeSet<String> = postgres
        .into_iter()
        .filter(|t| !POSTGRES_ONLY.contains(&t.as_str()))
        .collect();
    if sqlite != postgres {
        return Err(CopyError::Tables {
            sqlite_only: sqlite.difference(&postgres).cloned().collect(),
            postgres_only: postgres.difference(&sqlite).cloned().collect(),
        });
    }
    let parents: Vec<(String, String)> = tx
        .query(
            "SELECT t.relname::text, p.relname::text FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class p ON p.oid = c.confrelid
             WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    foreign_key_order(&sqlite, &parents)?
        .into_iter()
        .map(|name| table(db, tx, name))
        .collect()
}

/// `tables` ordered so that each comes after the tables it names in a
/// foreign key (`parents`: (table, parent)); by name among equals.
fn foreign_key_order(
    tables: &BTreeSet<String>,
    parents: &[(String, String)],
) -> Result<Vec<String>, CopyError> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (table, parent) in parents {
        if table != parent
            && let Some(set) = waiting.get_mut(table.as_str())
        {
            set.insert(parent.as_str());
        }
    }
    let mut order: Vec<String> = Vec::with_capacity(tables.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, parents)| parents.is_empty())
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            return Err(CopyError::Tables {
                sqlite_only: Vec::new(),
                postgres_only: waiting
                    .keys()
                    .map(|t| format!("{t} (in a cycle)"))
                    .collect(),
            });
        }
        for t in ready {
            waiting.remove(t);
            for parents in waiting.values_mut() {
                parents.remove(t);
            }
            order.push(t.to_string());
        }
    }
    Ok(order)
}

/// One table's columns on both sides, refused unless the same.
fn table(db: &Db, tx: &mut Transaction<'_>, name: String) -> Result<Table, CopyError> {
    let mut sqlite: Vec<(String, i64)> = db.query_map(
        "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid",
        [name.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let postgres: BTreeMap<String, Type> = tx
        .query(
            "SELECT a.attname::text, a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace
               AND a.attnum > 0 AND NOT a.attisdropped",
            &[&name],
        )?
        .iter()
        .map(|r| {
            let oid: u32 = r.try_get(1)?;
            let ty = Type::from_oid(oid).unwrap_or(Type::UNKNOWN);
            Ok((r.try_get(0)?, ty))
        })
        .collect::<Result<_, postgres::Error>>()?;
    // A table without a key of its own is read in SQLite's rowid order by
    // the store; on PostgreSQL it has that order as a column, `rowid`,
    // copied from SQLite's (so the order, and the checksum, carry across).
    let rowid_order = postgres.contains_key(ROWID) && !sqlite.iter().any(|(c, _)| c == ROWID);
    if rowid_order {
        sqlite.push((ROWID.to_string(), 0));
    }
    let in_sqlite: BTreeSet<&String> = sqlite.iter().map(|(c, _)| c).collect();
    let in_postgres: BTreeSet<&String> = postgres.keys().collect();
    if in_sqlite != in_postgres {
        return Err(CopyError::Columns {
            sqlite_only: in_sqlite
                .difference(&in_postgres)
                .map(|c| c.to_string())
                .collect(),
            postgres_only: in_postgres
                .difference(&in_sqlite)
                .map(|c| c.to_string())
                .collect(),
            table: name,
        });
    }
    let mut key: Vec<(i64, usize)> = sqlite
        .iter()
        .enumerate()
        .filter(|(_, (_, pk))| *pk > 0)
        .map(|(i, (_, pk))| (*pk, i))
        .collect();
    key.sort_unstable();
    let order = match key.is_empty() {
        true if rowid_order => vec![sqlite.len() - 1],
        true => (0..sqlite.len()).collect(),
        false => key.into_iter().map(|(_, i)| i).collect(),
    };
    let columns = sqlite
        .into_iter()
        .map(|(c, _)| {
            let ty = postgres.get(&c).cloned().unwrap_or(Type::UNKNOWN);
            (c, ty)
        })
        .collect();
    let table = Table {
        name,
        columns,
        order,
    };
    table.kinds()?;
    Ok(table)
}

/// Locks every table against writers for the transaction, then refuses a
/// target holding any row beyond those `db migrate` makes.
fn lock_and_refuse_rows(tx: &mut Transaction<'_>, tables: &[Table]) -> Result<(), CopyError> {
    let all: Vec<String> = tables.iter().map(|t| ident(&t.name)).collect();
    tx.batch_execute(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", all.join(", ")))
        .map_err(not_owner)?;
    let mut holding = Vec::new();
    for table in tables {
        let sql = match table.name.as_str() {
            "queue_counts" => "SELECT EXISTS (SELECT 1 FROM queue_counts WHERE charts <> 0)".into(),
            "site" => {
                "SELECT EXISTS (SELECT 1 FROM site WHERE key NOT IN ('database_id', 'managers'))"
                    .into()
            }
            name => format!("SELECT EXISTS (SELECT 1 FROM {})", ident(name)),
        };
        if tx.query_one(&sql, &[])?.try_get::<_, bool>(0)? {
            holding.push(table.name.clone());
        }
    }
    match holding.is_empty() {
        true => Ok(()),
        false => Err(CopyError::NotEmpty { tables: holding }),
    }
}

/// Switches the triggers of [`OFF_DURING_COPY`] off or on again.
fn switch_triggers(tx: &mut Transaction<'_>, on: bool) -> Result<(), CopyError> {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    for (table, trigger) in OFF_DURING_COPY {
        tx.batch_execute(&format!(
            "ALTER TABLE {} {verb} TRIGGER {}",
            ident(table),
            ident(trigger)
        ))
        .map_err(not_owner)?;
    }
    Ok(())
}

/// A refusal for want of privilege, said as such.
fn not_owner(e: postgres::Error) -> CopyError {
    match e.code() {
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => CopyError::NotOwner(said(&e)),
        _ => CopyError::from(e),
    }
}

/// Copies one table, returning SQLite's row count and checksum of it.
fn copy_table(
    db: &Db,
    tx: &mut Transaction<'_>,
    table: &Table,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<TableSum, CopyError> {
    let name = ident(&table.name);
    let columns = table.column_list();
    let rows: u64 = db.query_row(&format!("SELECT count(*) FROM {name}"), [], |r| r.get(0))?;
    let kinds = table.kinds()?;
    let types: Vec<Type> = table.columns.iter().map(|(_, ty)| ty.clone()).collect();
    let sink = tx.copy_in(&format!(
        "COPY {name} ({columns}) FROM STDIN (FORMAT binary)"
    ))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut sum = Checksum::new();
    let mut cells: Vec<Cell> = Vec::with_capacity(kinds.len());
    let sql = format!(
        "SELECT {columns} FROM {name} ORDER BY {}",
        table.order_by(false)
    );
    db.for_each(&sql, [], |row| -> Result<(), CopyError> {
        cells.clear();
        for (i, kind) in kinds.iter().enumerate() {
            let value: Value<'static> = row.get(i)?;
            let cell = Cell::from_sqlite(*kind, value).map_err(|found| CopyError::Type {
                table: table.name.clone(),
                column: table
                    .columns
                    .get(i)
                    .map_or_else(String::new, |c| c.0.clone()),
                found,
                expected: kind.sqlite_name(),
            })?;
            sum.value(cell.as_ref());
            cells.push(cell);
        }
        sum.end_row();
        writer.write_raw(cells.iter().map(Cell::as_sql))?;
        if sum.rows().is_multiple_of(PROGRESS_EVERY) {
            progress(Progress {
                table: &table.name,
                copied: sum.rows(),
                rows,
            });
        }
        Ok(())
    })?;
    let written = writer.finish()?;
    // The end, unless the last row was just told.
    if written == 0 || !written.is_multiple_of(PROGRESS_EVERY) {
        progress(Progress {
            table: &table.name,
            copied: written,
            rows,
        });
    }
    let sum = sum.finish();
    if written != sum.rows || rows != sum.rows {
        return Err(mismatch(
            table,
            format!(
                "{rows} rows counted in SQLite, {} read, {written} written",
                sum.rows
            ),
        ));
    }
    Ok(sum)
}

/// The table's row count and checksum as PostgreSQL now holds it.
fn read_back_sum(tx: &mut Transaction<'_>, table: &Table) -> Result<TableSum, CopyError> {
    let kinds = table.kinds()?;
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        table.column_list(),
        ident(&table.name),
        table.order_by(true)
    );
    let mut rows = tx.query_raw(&sql, std::iter::empty::<&(dyn ToSql + Sync)>())?;
    let mut sum = Checksum::new();
    while let Some(row) = rows.next()? {
        for (i, kind) in kinds.iter().enumerate() {
            sum.value(read_back(&row, i, *kind)?);
        }
        sum.end_row();
    }
    Ok(sum.finish())
}

/// Every identity column's sequence set past the highest key copied, so the
/// next row written on PostgreSQL takes a new key.
fn set_sequences(tx: &mut Transaction<'_>) -> Result<(), CopyError> {
    let identities: Vec<(String, String)> = tx
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, postgres::Error>>()?;
    for (table, column) in identities {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence($1, $2),
                               coalesce((SELECT max({}) FROM {}), 0) + 1, false)",
                ident(&column),
                ident(&table)
            ),
            &[&ident(&table), &column],
        )?;
    }
    Ok(())
}

/// The sums the triggers keep, each against the rows it sums: the queue's
/// counts (every status and encounter type), the daily coding time and the
/// daily accuracy of closed reviews. They were copied as SQLite kept them,
/// so a difference is SQLite's own, found here rather than carried across.
pub const KEPT_SUMS: &[(&str, &str)] = &[
    (
        "queue_counts",
        "SELECT count(*) FROM (
            SELECT s, t, (SELECT count(*) FROM charts c WHERE c.status = s AND c.encounter_type = t)
            FROM unnest(ARRAY['ready', 'in_progress', 'on_hold', 'coded', 'reviewed', 'final']) s,
                 unnest(ARRAY['inpatient', 'outpatient_surgery', 'emergency', 'clinic',
                              'professional']) t
            EXCEPT SELECT status, encounter_type, charts FROM queue_counts) d",
    ),
    (
        "queue_counts",
        "SELECT count(*) FROM queue_counts q WHERE q.charts <> (SELECT count(*) FROM charts c
            WHERE c.status = q.status AND c.encounter_type = q.encounter_type)",
    ),
    (
        "coding_daily",
        "SELECT count(*) FROM coding_daily d FULL JOIN (
            SELECT day, coder, encounter_type, count(*) AS charts, sum(seconds) AS seconds
            FROM chart_coding GROUP BY 1, 2, 3) c USING (day, coder, encounter_type)
         WHERE d.charts IS DISTINCT FROM c.charts OR d.seconds IS DISTINCT FROM c.seconds",
    ),
    (
        "accuracy_daily",
        "SELECT count(*) FROM accuracy_daily a FULL JOIN (
            SELECT substr(coded_at, 1, 10) AS day, coder, count(*) AS charts,
                sum(coalesce(dx_codes, 0)) AS dx_codes, sum(coalesce(dx_errors, 0)) AS dx_errors,
                sum(coalesce(px_codes, 0)) AS px_codes, sum(coalesce(px_errors, 0)) AS px_errors,
                count(principal_changed) AS principal_charts,
                sum(coalesce(principal_changed, 0)) AS principal_changed,
                count(drg_changed) AS drg_charts, sum(coalesce(drg_changed, 0)) AS drg_changed
            FROM reviews WHERE state = 'closed' GROUP BY 1, 2) r USING (day, coder)
         WHERE (a.charts, a.dx_codes, a.dx_errors, a.px_codes, a.px_errors, a.principal_charts,
                a.principal_changed, a.drg_charts, a.drg_changed)
               IS DISTINCT FROM (r.charts, r.dx_codes, r.dx_errors, r.px_codes, r.px_errors,
                r.principal_charts, r.principal_changed, r.drg_charts, r.drg_changed)",
    ),
];

fn check_kept_sums(tx: &mut Transaction<'_>) -> Result<(), CopyError> {
    for (table, sql) in KEPT_SUMS {
        let wrong: i64 = tx.query_one(*sql, &[])?.try_get(0)?;
        if wrong != 0 {
            return Err(CopyError::Mismatch {
                table: (*table).to_string(),
                detail: format!(
                    "{wrong} of its sums do not add up from the rows they count (copied as the \
                     SQLite file keeps them: the file's own sums are off)"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_the_tables_that_name_them() {
        let tables: BTreeSet<String> = ["audit", "charts", "patients", "site", "holds", "queries"]
            .into_iter()
            .map(String::from)
            .collect();
        let edge = |t: &str, p: &str| (t.to_string(), p.to_string());
        let parents = [
            edge("charts", "patients"),
            edge("audit", "charts"),
            edge("holds", "queries"),
            edge("holds", "charts"),
            edge("queries", "charts"),
            edge("charts", "charts"),
        ];
        let order = foreign_key_order(&tables, &parents).unwrap();
        // By hand: patients and site need nothing; charts needs patients;
        // audit and queries need charts; holds needs queries.
        assert_eq!(
            order,
            ["patients", "site", "charts", "audit", "queries", "holds"]
        );
        let cycle = [edge("audit", "charts"), edge("charts", "audit")];
        assert!(matches!(
            foreign_key_order(&tables, &cycle),
            Err(CopyError::Tables { .. })
        ));
    }

    #[test]
    fn names_are_quoted_as_identifiers() {
        assert_eq!(ident("charts"), "\"charts\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
