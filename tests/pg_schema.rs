//! The PostgreSQL schema (src/store/postgres): the same tables, columns,
//! constraints, indexes and triggers as SQLite's at `migrations::LATEST`, and
//! its guarantees tried as an attacker would try them: the audit trail and
//! sent queries unchangeable (triggers, even for the owner; grants, for
//! `chartcoder_app`), the final lock, distinct charts to two coders asking at
//! once, and migrations applied once however often and however concurrently
//! they run.
//!
//! The tests need a PostgreSQL server: `CHARTCODER_TEST_PG` holds libpq
//! settings for a superuser (`bash tests/run.sh` starts a throwaway server
//! and sets it). Each test makes its own database and drops it after. Without
//! the variable the tests pass, saying they were skipped, except under CI,
//! where they fail.

use chartcoder::store::Store;
use chartcoder::store::migrations;
use chartcoder::store::postgres::{self as pg, PgError};
use postgres::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

/// The server's settings, or None (the tests skip) outside CI.
fn server() -> Option<String> {
    match std::env::var("CHARTCODER_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CHARTCODER_TEST_PG is unset under CI: tests/run.sh starts the server and sets it"
            )
        }
        _ => {
            eprintln!(
                "PostgreSQL tests skipped: CHARTCODER_TEST_PG is unset (bash tests/run.sh sets it)"
            );
            None
        }
    }
}

/// A database of the test's own, dropped when the test ends (also failing).
struct TestDb {
    server: String,
    name: String,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    fn new(tag: &str) -> Option<TestDb> {
        let server = server()?;
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let name = format!("chartcoder_test_{tag}_{}_{n}", std::process::id());
        let mut admin = pg::connect(&server).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Some(TestDb { server, name })
    }

    fn client(&self) -> Client {
        pg::config(&self.server)
            .unwrap()
            .dbname(&self.name)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// A client on a migrated database.
    fn migrated(&self) -> Client {
        let mut client = self.client();
        assert_eq!(pg::migrate(&mut client).unwrap(), pg::LATEST);
        client
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = pg::connect(&self.server) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The message of a refusal (the server's, as a trigger raised it).
fn refusal<T: std::fmt::Debug>(result: Result<T, postgres::Error>) -> String {
    let error = result.expect_err("the change was accepted");
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => panic!("not a refusal by the server: {error}"),
    }
}

/// The SQLSTATE of a refusal.
fn sqlstate<T: std::fmt::Debug>(result: Result<T, postgres::Error>) -> String {
    let error = result.expect_err("the change was accepted");
    match error.code() {
        Some(code) => code.code().to_string(),
        None => panic!("not a refusal by the server: {error}"),
    }
}

const APPEND_ONLY: &str = "the audit trail is append-only";
const SENT_IMMUTABLE: &str = "a sent query is immutable";
const RECIPIENTS_KEPT: &str = "a change of recipient is kept as recorded";
const FINAL_LOCKED: &str = "the chart is final (locked): a manager reopens it first";
const FINAL_REOPEN_ONLY: &str =
    "the chart is final (locked): only a manager's reopen, with a reason, changes it";
/// PostgreSQL's "permission denied".
const INSUFFICIENT_PRIVILEGE: &str = "42501";

/// A patient and charts (id, status, discharge date), written as the owner.
fn seed_charts(client: &mut Client, charts: &[(i64, &str, &str)]) {
    client
        .batch_execute(
            "INSERT INTO patients (patient_id, mrn, name, birth_date, sex)
             VALUES (1, 'MRN1', 'Ada Lovelace', '1970-01-01', 'F')",
        )
        .unwrap();
    for (id, status, discharged) in charts {
        client
            .execute(
                "INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date,
                     discharge_date, status, created_at, updated_at)
                 VALUES ($1, $4, 1, 'inpatient', '2026-01-01', $3, $2,
                     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                &[id, status, discharged, &format!("A{id}")],
            )
            .unwrap();
    }
}

fn audit_row(client: &mut Client, chart_id: i64, action: &str) -> i64 {
    client
        .query_one(
            "INSERT INTO audit (at, actor, chart_id, action, detail)
             VALUES ('2026-02-01T00:00:00Z', 'ann', $1, $2, 'detail') RETURNING audit_id",
            &[&chart_id, &action],
        )
        .unwrap()
        .get(0)
}

fn count(client: &mut Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

// ---------------------------------------------------------------- parity --

/// A column as either database describes it: type, not-null, default.
type Columns = BTreeMap<(String, String), (String, bool, Option<String>)>;

/// SQLite's declared type as PostgreSQL's (the translation the module
/// states: integers BIGINT, REAL double precision, text TEXT).
fn pg_type_of(sqlite_type: &str) -> &'static str {
    match sqlite_type {
        "INTEGER" => "bigint",
        "REAL" => "double precision",
        "TEXT" => "text",
        other => panic!("a SQLite type the PostgreSQL schema has no rule for: {other}"),
    }
}

/// A default or predicate with the casts and brackets PostgreSQL adds taken
/// out, so that SQLite's `'[]'` and PostgreSQL's `'[]'::text` compare equal.
fn normal(sql: &str) -> String {
    sql.replace("::text", "")
        .replace("::bigint", "")
        .chars()
        .filter(|c| !matches!(c, '(' | ')') && !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// chartcoder's SQLite schema, on a file opened with rusqlite itself (the
/// store's own connection speaks only its SQL layer).
fn sqlite_schema() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    drop(Store::open(&path, &chartcoder::store::StoreOptions::default()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    (dir, conn)
}

fn sqlite_tables(store: &rusqlite::Connection) -> Vec<(String, String)> {
    let conn = store;
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn sqlite_columns(store: &rusqlite::Connection) -> Columns {
    let mut out = Columns::new();
    for (table, _) in sqlite_tables(store) {
        let mut stmt = store
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (column, ty, notnull, default, pk) = row.unwrap();
            // STRICT tables' primary-key columns are NOT NULL.
            let not_null = notnull || pk > 0;
            out.insert(
                (table.clone(), column),
                (
                    pg_type_of(&ty).to_string(),
                    not_null,
                    default.map(|d| normal(&d)),
                ),
            );
        }
    }
    out
}

fn pg_columns(client: &mut Client) -> Columns {
    client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO',
                    column_default::text
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> 'schema_version'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            let default: Option<String> = r.get(4);
            (
                (r.get(0), r.get(1)),
                (r.get(2), r.get(3), default.map(|d| normal(&d))),
            )
        })
        .collect()
}

#[test]
fn every_sqlite_column_is_in_postgresql_with_its_type_nullability_and_default() {
    let Some(db) = TestDb::new("columns") else {
        return;
    };
    let mut client = db.migrated();
    let (_dir, store) = sqlite_schema();
    let sqlite = sqlite_columns(&store);
    let pg = pg_columns(&mut client);
    // A sanity check of the reading itself: the audit trail's hash column.
    assert_eq!(
        sqlite.get(&("audit".into(), "hash".into())),
        Some(&("text".to_string(), true, Some("''".to_string())))
    );
    let missing: Vec<_> = sqlite.keys().filter(|k| !pg.contains_key(*k)).collect();
    assert!(missing.is_empty(), "not in PostgreSQL: {missing:?}");
    // PostgreSQL's own: SQLite's implicit rowid, made explicit where the
    // store orders by it.
    let extra: Vec<_> = pg
        .keys()
        .filter(|k| !sqlite.contains_key(*k) && k.1 != "rowid")
        .collect();
    assert!(extra.is_empty(), "not in SQLite: {extra:?}");
    let differ: Vec<_> = sqlite
        .iter()
        .filter(|(k, v)| pg.get(*k) != Some(v))
        .map(|(k, v)| format!("{k:?}: SQLite {v:?}, PostgreSQL {:?}", pg.get(k)))
        .collect();
    assert!(differ.is_empty(), "columns differ:\n{}", differ.join("\n"));
}

/// An index: (table, columns in order, unique, partial predicate).
type Index = (String, Vec<String>, bool, Option<String>);

fn sqlite_indexes(store: &rusqlite::Connection) -> BTreeMap<Index, String> {
    let conn = store;
    let mut out = BTreeMap::new();
    for (table, _) in sqlite_tables(store) {
        let mut list = conn
            .prepare(&format!("PRAGMA index_list({table})"))
            .unwrap();
        let indexes: Vec<(String, bool, String)> = list
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (name, unique, origin) in indexes {
            let mut info = conn.prepare(&format!("PRAGMA index_info({name})")).unwrap();
            let columns: Vec<String> = info
                .query_map([], |r| r.get(2))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let sql: Option<String> = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .unwrap_or(None);
            let predicate = sql
                .as_deref()
                .and_then(|s| s.split_once(" WHERE "))
                .map(|(_, p)| normal(p));
            // Indexes SQLite makes for UNIQUE and PRIMARY KEY have names of
            // its own; those made by CREATE INDEX keep theirs.
            let name = if origin == "c" { name } else { String::new() };
            out.insert((table.clone(), columns, unique, predicate), name);
        }
    }
    out
}

fn pg_indexes(client: &mut Client) -> BTreeMap<Index, (String, bool)> {
    client
        .query(
            "SELECT t.relname::text, i.relname::text,
                    array(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o),
                    ix.indisunique, pg_get_expr(ix.indpred, ix.indrelid), ix.indisprimary,
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_class t ON t.oid = ix.indrelid
             WHERE t.relnamespace = current_schema()::regnamespace
               AND t.relname <> 'schema_version'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            let predicate: Option<String> = r.get(4);
            let primary: bool = r.get(5);
            let constraint: bool = r.get(6);
            let name: String = r.get(1);
            (
                (r.get(0), r.get(2), r.get(3), predicate.map(|p| normal(&p))),
                (if constraint { String::new() } else { name }, primary),
            )
        })
        .collect()
}

#[test]
fn every_sqlite_index_and_unique_constraint_has_its_postgresql_counterpart() {
    let Some(db) = TestDb::new("indexes") else {
        return;
    };
    let mut client = db.migrated();
    let (_dir, store) = sqlite_schema();
    let sqlite = sqlite_indexes(&store);
    let pg = pg_indexes(&mut client);
    // The reading itself: the partial unique index of open reviews.
    let open_reviews = (
        "reviews".to_string(),
        vec!["chart_id".to_string()],
        true,
        Some("state<>'closed'".to_string()),
    );
    assert_eq!(
        sqlite.get(&open_reviews).map(String::as_str),
        Some("reviews_chart_id_open_idx")
    );
    for (index, name) in &sqlite {
        assert_eq!(
            pg.get(index).map(|(n, _)| n),
            Some(name),
            "SQLite's index {name:?} {index:?} has no PostgreSQL twin"
        );
    }
    // PostgreSQL's own: only the primary keys that SQLite keeps as rowids
    // (a single INTEGER PRIMARY KEY, no index of its own).
    for (index, (name, primary)) in &pg {
        if sqlite.contains_key(index) {
            continue;
        }
        assert!(
            *primary && index.1.len() == 1,
            "PostgreSQL's index {name:?} {index:?} is not SQLite's"
        );
        let (table, columns, ..) = index;
        let ty: String = store
            .query_row(
                &format!(
                    "SELECT type FROM pragma_table_info('{table}') WHERE name = ?1 AND pk = 1"
                ),
                [&columns[0]],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            ty, "INTEGER",
            "{table}.{} is not SQLite's rowid",
            columns[0]
        );
    }
}

#[test]
fn every_sqlite_foreign_key_and_check_is_in_postgresql() {
    let Some(db) = TestDb::new("constraints") else {
        return;
    };
    let mut client = db.migrated();
    let (_dir, store) = sqlite_schema();
    let mut sqlite_fks = BTreeSet::new();
    let mut sqlite_checks = BTreeMap::new();
    for (table, sql) in sqlite_tables(&store) {
        let mut stmt = store
            .prepare(&format!("PRAGMA foreign_key_list({table})"))
            .unwrap();
        let fks: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (to_table, from, to) in fks {
            sqlite_fks.insert((table.clone(), from, to_table, to));
        }
        let checks = sql.to_uppercase().matches("CHECK (").count() as i64;
        if checks > 0 {
            sqlite_checks.insert(table, checks);
        }
    }
    let pg_fks: BTreeSet<(String, String, String, String)> = client
        .query(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text,
                    af.attname::text
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert!(sqlite_fks.contains(&(
        "holds".into(),
        "physician_query_id".into(),
        "physician_queries".into(),
        "physician_query_id".into()
    )));
    assert_eq!(sqlite_fks, pg_fks);
    let pg_checks: BTreeMap<String, i64> = client
        .query(
            "SELECT conrelid::regclass::text, count(*) FROM pg_constraint
             WHERE contype = 'c' AND connamespace = current_schema()::regnamespace GROUP BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    // The reading itself: charts check encounter type and status.
    assert_eq!(sqlite_checks.get("charts"), Some(&2));
    assert_eq!(sqlite_checks, pg_checks);
}

#[test]
fn every_sqlite_trigger_has_its_postgresql_twin() {
    let Some(db) = TestDb::new("triggers") else {
        return;
    };
    let mut client = db.migrated();
    // The numbering moves in step: the newest PostgreSQL migration reaches
    // the newest SQLite version.
    assert_eq!(
        pg::MIGRATIONS.last().map(|m| m.sqlite_version),
        Some(migrations::LATEST)
    );
    let (_dir, store) = sqlite_schema();
    let sqlite: BTreeSet<String> = {
        let mut stmt = store
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(sqlite.contains("charts_final_reopened_only"));
    let twins: BTreeSet<String> = pg::SQLITE_TRIGGER_TWINS
        .iter()
        .map(|(s, ..)| s.to_string())
        .collect();
    assert_eq!(
        sqlite, twins,
        "SQLite's triggers and the twins listed differ"
    );
    let pg_triggers: BTreeSet<(String, String)> = client
        .query(
            "SELECT tgrelid::regclass::text, tgname::text FROM pg_trigger WHERE NOT tgisinternal",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected: BTreeSet<(String, String)> = pg::SQLITE_TRIGGER_TWINS
        .iter()
        .map(|(_, t, n)| (t.to_string(), n.to_string()))
        .chain(
            pg::TRUNCATE_GUARDS
                .iter()
                .chain(pg::QUEUE_NOTIFIERS)
                .map(|(t, n)| (t.to_string(), n.to_string())),
        )
        .collect();
    assert_eq!(pg_triggers, expected);
}

// ------------------------------------------------------------ guarantees --

#[test]
fn the_audit_trail_refuses_every_change_even_to_its_owner() {
    let Some(db) = TestDb::new("audit") else {
        return;
    };
    // The superuser who migrated owns the tables: only the triggers stand
    // in its way.
    let mut client = db.migrated();
    seed_charts(&mut client, &[(1, "ready", "2026-01-10")]);
    let id = audit_row(&mut client, 1, "claim");
    for attack in [
        "UPDATE audit SET detail = 'rewritten'",
        "UPDATE audit SET audit_id = audit_id + 100",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "TRUNCATE charts CASCADE",
        "INSERT INTO audit (audit_id, at, actor, action) VALUES (1, 'x', 'eve', 'claim')
         ON CONFLICT (audit_id) DO UPDATE SET detail = 'rewritten'",
        "INSERT INTO audit (audit_id, at, actor, action) VALUES (1, 'x', 'eve', 'claim')
         ON CONFLICT DO NOTHING",
    ] {
        assert_eq!(
            refusal(client.batch_execute(attack)),
            APPEND_ONLY,
            "{attack}"
        );
    }
    let row = client
        .query_one("SELECT audit_id, detail, actor FROM audit", &[])
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ),
        (id, "detail".to_string(), "ann".to_string())
    );
    // Adding stays possible.
    audit_row(&mut client, 1, "save");
    assert_eq!(count(&mut client, "SELECT count(*) FROM audit"), 2);
}

/// A chart with a draft (1), an open (2) and an answered (3) query, and a
/// recorded change of recipient of the open one.
fn seed_queries(client: &mut Client) {
    seed_charts(client, &[(1, "on_hold", "2026-01-10")]);
    client
        .batch_execute(
            "INSERT INTO physician_queries (physician_query_id, chart_id, status, physician, format,
                 question, created_by, created_at, sent_at, text, answer, answered_at)
             VALUES (1, 1, 'draft', 'Dr A', 'open_ended', 'Q1?', 'ann', 't0', NULL, NULL, NULL, NULL),
                    (2, 1, 'open', 'Dr A', 'open_ended', 'Q2?', 'ann', 't0', 't1', 'sent text', NULL, NULL),
                    (3, 1, 'answered', 'Dr B', 'yes_no', 'Q3?', 'ann', 't0', 't1', 'sent 3', 'Yes', 't2');
             INSERT INTO query_recipients (physician_query_id, physician, reason, changed_by, changed_at)
             VALUES (2, 'Dr A', 'on call', 'ann', 't1');",
        )
        .unwrap();
}

#[test]
fn a_sent_query_refuses_change_and_removal_even_to_its_owner() {
    let Some(db) = TestDb::new("queries") else {
        return;
    };
    let mut client = db.migrated();
    seed_queries(&mut client);
    for attack in [
        "UPDATE physician_queries SET question = 'Changed?' WHERE physician_query_id = 2",
        "UPDATE physician_queries SET text = 'other' WHERE physician_query_id = 2",
        "UPDATE physician_queries SET status = 'draft' WHERE physician_query_id = 2",
        "UPDATE physician_queries SET answer = 'No' WHERE physician_query_id = 3",
        "DELETE FROM physician_queries WHERE physician_query_id = 2",
        "TRUNCATE physician_queries, holds, query_recipients",
        "INSERT INTO physician_queries (physician_query_id, chart_id, status, physician, format,
             question, created_by, created_at) VALUES (2, 1, 'draft', 'Dr E', 'open_ended', 'E?', 'eve', 't9')
         ON CONFLICT (physician_query_id) DO UPDATE SET question = 'E?'",
    ] {
        let message = refusal(client.batch_execute(attack));
        assert!(
            message == SENT_IMMUTABLE || message == RECIPIENTS_KEPT,
            "{attack}: {message}"
        );
    }
    for attack in [
        "UPDATE query_recipients SET physician = 'Dr E'",
        "DELETE FROM query_recipients",
        "TRUNCATE query_recipients",
    ] {
        assert_eq!(
            refusal(client.batch_execute(attack)),
            RECIPIENTS_KEPT,
            "{attack}"
        );
    }
    // What a query's life does is still allowed: answering an open query,
    // closing it, and deleting a draft.
    client
        .batch_execute(
            "UPDATE physician_queries SET status = 'answered', answer = 'Sepsis', answered_at = 't3'
             WHERE physician_query_id = 2;
             UPDATE physician_queries SET status = 'closed', outcome = 'agreed', closed_at = 't4'
             WHERE physician_query_id = 2;
             DELETE FROM physician_queries WHERE physician_query_id = 1;",
        )
        .unwrap();
    let row = client
        .query_one(
            "SELECT question, text, answer, status FROM physician_queries WHERE physician_query_id = 2",
            &[],
        )
        .unwrap();
    let got: (String, String, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(
        got,
        (
            "Q2?".into(),
            "sent text".into(),
            "Sepsis".into(),
            "closed".into()
        )
    );
    // Closed: not even its status changes.
    assert_eq!(
        refusal(client.batch_execute(
            "UPDATE physician_queries SET status = 'canceled' WHERE physician_query_id = 2"
        )),
        SENT_IMMUTABLE
    );
    assert_eq!(
        count(&mut client, "SELECT count(*) FROM physician_queries"),
        2
    );
}

/// The role `chartcoder_app` (cluster-wide: made once, whichever test is
/// first) and a client acting as it on `db`, migrated with its grants.
fn app_client(db: &TestDb) -> (Client, Client) {
    let mut owner = db.client();
    owner
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE chartcoder_app NOLOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        )
        .unwrap();
    assert_eq!(pg::migrate(&mut owner).unwrap(), pg::LATEST);
    let mut app = db.client();
    app.batch_execute("SET ROLE chartcoder_app").unwrap();
    (owner, app)
}

#[test]
fn the_app_role_may_not_change_the_trail_or_sent_queries() {
    let Some(db) = TestDb::new("grants") else {
        return;
    };
    let (mut owner, mut app) = app_client(&db);
    seed_queries(&mut owner);
    audit_row(&mut owner, 1, "claim");
    for attack in [
        "UPDATE audit SET detail = 'rewritten'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "UPDATE query_recipients SET physician = 'Dr E'",
        "DELETE FROM query_recipients",
        "UPDATE physician_queries SET question = 'Changed?' WHERE physician_query_id = 2",
        "UPDATE physician_queries SET physician = 'Dr E' WHERE physician_query_id = 2",
        "TRUNCATE physician_queries CASCADE",
        "TRUNCATE charts CASCADE",
        "UPDATE review_diagnoses SET code = 'X'",
        "INSERT INTO schema_version (version, sqlite_version) VALUES (99, 99)",
        "DROP TRIGGER audit_no_update ON audit",
        "ALTER TABLE audit DISABLE TRIGGER USER",
        "ALTER TABLE physician_queries DISABLE ROW LEVEL SECURITY",
        "SET session_replication_role = replica",
    ] {
        assert_eq!(
            sqlstate(app.batch_execute(attack)),
            INSUFFICIENT_PRIVILEGE,
            "{attack}"
        );
    }
    // A sent query is not even a candidate for its DELETE (the row policy):
    // nothing is deleted, and the draft still is.
    let deleted = app
        .execute(
            "DELETE FROM physician_queries WHERE physician_query_id IN (1, 2, 3)",
            &[],
        )
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(
        count(
            &mut owner,
            "SELECT count(*) FROM physician_queries WHERE physician_query_id IN (2, 3)"
        ),
        2
    );
    // What the workstation does is granted: add to the trail, answer.
    audit_row(&mut app, 1, "save");
    app.batch_execute(
        "UPDATE physician_queries SET status = 'answered', answer = 'Yes', answered_at = 't3'
         WHERE physician_query_id = 2",
    )
    .unwrap();
    assert_eq!(count(&mut owner, "SELECT count(*) FROM audit"), 2);
}

#[test]
fn a_final_chart_refuses_changes_until_an_audited_reopen() {
    let Some(db) = TestDb::new("final") else {
        return;
    };
    let mut client = db.migrated();
    seed_charts(
        &mut client,
        &[
            (1, "final", "2026-01-10"),
            (2, "final", "2026-01-11"),
            (3, "coded", "2026-01-12"),
        ],
    );
    client
        .batch_execute(
            "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             VALUES (1, 1, 'A41.9', 'icd10cm', '2026', 'Y'), (3, 1, 'J18.9', 'icd10cm', '2026', 'Y');
             INSERT INTO procedures (chart_id, seq, code, code_system) VALUES (1, 1, '0DTJ4ZZ', 'icd10pcs');
             INSERT INTO chart_drgs (chart_id, drg, mdc, grouper_version, completed_by, completed_at)
             VALUES (1, 871, 18, '43', 'ann', 't1');",
        )
        .unwrap();
    for attack in [
        "UPDATE diagnoses SET code = 'A41.0' WHERE chart_id = 1",
        "DELETE FROM diagnoses WHERE chart_id = 1",
        "TRUNCATE diagnoses",
        "UPDATE procedures SET code = '0DTJ0ZZ' WHERE chart_id = 1",
        "DELETE FROM procedures",
        "TRUNCATE procedures",
        "UPDATE chart_drgs SET drg = 872",
        "DELETE FROM chart_drgs",
        "TRUNCATE chart_drgs",
    ] {
        assert_eq!(
            refusal(client.batch_execute(attack)),
            FINAL_LOCKED,
            "{attack}"
        );
    }
    let leave_final = "UPDATE charts SET status = 'coded' WHERE chart_id = 1";
    assert_eq!(
        refusal(client.batch_execute(leave_final)),
        FINAL_REOPEN_ONLY
    );
    // A reopen of another chart does not open this one; nor does this
    // chart's reopen followed by other work on it.
    audit_row(&mut client, 2, "reopen");
    assert_eq!(
        refusal(client.batch_execute(leave_final)),
        FINAL_REOPEN_ONLY
    );
    audit_row(&mut client, 1, "reopen");
    audit_row(&mut client, 1, "claim");
    assert_eq!(
        refusal(client.batch_execute(leave_final)),
        FINAL_REOPEN_ONLY
    );
    // The reopen, then the status, in one change: allowed, even with another
    // chart's audit row in between (a coder saving elsewhere).
    let mut tx = client.transaction().unwrap();
    tx.execute(
        "INSERT INTO audit (at, actor, chart_id, action) VALUES ('t5', 'mia', 1, 'reopen')",
        &[],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO audit (at, actor, chart_id, action) VALUES ('t5', 'ann', 3, 'save')",
        &[],
    )
    .unwrap();
    tx.execute(leave_final, &[]).unwrap();
    tx.commit().unwrap();
    // Reopened, its codes change again; a chart never final was never locked.
    client
        .batch_execute(
            "UPDATE diagnoses SET code = 'A41.0' WHERE chart_id = 1;
             DELETE FROM diagnoses WHERE chart_id = 3;",
        )
        .unwrap();
    assert_eq!(
        count(
            &mut client,
            "SELECT count(*) FROM diagnoses WHERE code = 'A41.0'"
        ),
        1
    );
}

#[test]
fn two_coders_asking_at_once_get_different_charts() {
    let Some(db) = TestDb::new("next") else {
        return;
    };
    let mut client = db.migrated();
    // The oldest discharge first: chart 12, then 10, then 11; 13 is taken.
    seed_charts(
        &mut client,
        &[
            (10, "ready", "2026-01-05"),
            (11, "ready", "2026-01-07"),
            (12, "ready", "2026-01-02"),
            (13, "in_progress", "2026-01-01"),
        ],
    );
    let (claimed_tx, claimed) = mpsc::channel::<Option<i64>>();
    let (go_tx, go) = mpsc::channel::<()>();
    let mut ann = db.client();
    // Ann claims and holds her transaction open until Bob has claimed too.
    let ann_thread = thread::spawn(move || {
        let mut tx = ann.transaction().unwrap();
        let row = tx
            .query_opt(pg::CLAIM_NEXT_READY_SQL, &[&"ann", &"2026-02-01T09:00:00Z"])
            .unwrap();
        claimed_tx.send(row.map(|r| r.get(0))).unwrap();
        go.recv().unwrap();
        tx.commit().unwrap();
    });
    let ann_chart = claimed.recv().unwrap();
    let mut bob = db.client();
    let bob_thread = thread::spawn(move || {
        let mut tx = bob.transaction().unwrap();
        // Not blocked by Ann's lock: SKIP LOCKED passes her chart by.
        tx.batch_execute("SET LOCAL lock_timeout = '5s'").unwrap();
        let row = tx
            .query_opt(pg::CLAIM_NEXT_READY_SQL, &[&"bob", &"2026-02-01T09:00:01Z"])
            .unwrap();
        tx.commit().unwrap();
        row.map(|r| r.get::<_, i64>(0))
    });
    let bob_chart = bob_thread.join().unwrap();
    go_tx.send(()).unwrap();
    ann_thread.join().unwrap();
    assert_eq!((ann_chart, bob_chart), (Some(12), Some(10)));
    let third = client
        .query_opt(pg::CLAIM_NEXT_READY_SQL, &[&"cy", &"t"])
        .unwrap()
        .map(|r| r.get::<_, i64>(0));
    assert_eq!(third, Some(11));
    assert!(
        client
            .query_opt(pg::CLAIM_NEXT_READY_SQL, &[&"dee", &"t"])
            .unwrap()
            .is_none()
    );
    let owners: Vec<(i64, String)> = client
        .query(
            "SELECT chart_id, claimed_by FROM charts WHERE chart_id <> 13 ORDER BY chart_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        owners,
        vec![(10, "bob".into()), (11, "cy".into()), (12, "ann".into())]
    );
    // The queue's counts followed, by trigger: four in progress, none ready.
    let counts: Vec<(String, i64)> = client
        .query(
            "SELECT status, charts FROM queue_counts
             WHERE encounter_type = 'inpatient' AND status IN ('ready', 'in_progress') ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(counts, vec![("in_progress".into(), 4), ("ready".into(), 0)]);
}

#[test]
fn one_chart_is_claimed_by_one_coder_when_two_claim_it_at_once() {
    let Some(db) = TestDb::new("claim") else {
        return;
    };
    let mut client = db.migrated();
    seed_charts(&mut client, &[(7, "ready", "2026-01-05")]);
    let claim = "UPDATE charts SET claimed_by = $1, status = 'in_progress'
                 WHERE chart_id = 7 AND claimed_by IS NULL";
    let mut ann = db.client();
    let mut tx = ann.transaction().unwrap();
    assert_eq!(tx.execute(claim, &[&"ann"]).unwrap(), 1);
    // Bob's claim waits on Ann's row lock, then finds the chart taken.
    let mut bob = db.client();
    let (started_tx, started) = mpsc::channel();
    let bob_thread = thread::spawn(move || {
        started_tx.send(()).unwrap();
        bob.execute(claim, &[&"bob"]).unwrap()
    });
    started.recv().unwrap();
    // Bob is waiting on the lock (seen by the server) before Ann commits.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(
        &mut client,
        "SELECT count(*) FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND datname = current_database()",
    ) == 0
    {
        assert!(std::time::Instant::now() < deadline, "Bob never waited");
        thread::sleep(std::time::Duration::from_millis(10));
    }
    tx.commit().unwrap();
    assert_eq!(bob_thread.join().unwrap(), 0);
    let owner: String = client
        .query_one("SELECT claimed_by FROM charts WHERE chart_id = 7", &[])
        .unwrap()
        .get(0);
    assert_eq!(owner, "ann");
}

// ------------------------------------------------------------ migrations --

/// What a schema is made of: tables, columns, indexes, triggers, functions
/// and policies, counted; and the database's own id.
fn fingerprint(client: &mut Client) -> (Vec<i64>, String) {
    let counts = client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace),
                    (SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()),
                    (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal),
                    (SELECT count(*) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace),
                    (SELECT count(*) FROM pg_policy),
                    (SELECT count(*) FROM schema_version),
                    (SELECT count(*) FROM site),
                    (SELECT count(*) FROM queue_counts)",
            &[],
        )
        .unwrap();
    let counts = (0..8).map(|i| counts.get(i)).collect();
    let id: String = client
        .query_one("SELECT value FROM site WHERE key = 'database_id'", &[])
        .unwrap()
        .get(0);
    (counts, id)
}

#[test]
fn migrating_twice_changes_nothing_and_a_newer_schema_is_refused() {
    let Some(db) = TestDb::new("twice") else {
        return;
    };
    let mut client = db.migrated();
    let first = fingerprint(&mut client);
    // A version row per migration; the 6 statuses by 5 encounter types of
    // the queue's counts; the site's id (12 hex digits) and first manager.
    assert_eq!(first.0[5..], [i64::from(pg::LATEST), 2, 30]);
    assert_eq!(first.1.len(), 12);
    assert!(first.1.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(pg::migrate(&mut client).unwrap(), pg::LATEST);
    assert_eq!(fingerprint(&mut client), first);
    client
        .execute(
            "INSERT INTO schema_version (version, sqlite_version) VALUES ($1, 99)",
            &[&(i64::from(pg::LATEST) + 1)],
        )
        .unwrap();
    match pg::migrate(&mut client) {
        Err(PgError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (pg::LATEST + 1, pg::LATEST));
        }
        other => panic!("a newer schema was not refused: {other:?}"),
    }
}

#[test]
fn two_processes_migrating_at_once_leave_one_schema() {
    let Some(db) = TestDb::new("together") else {
        return;
    };
    let barrier = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mut client = db.client();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                pg::migrate(&mut client).map_err(|e| e.to_string())
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), Ok(pg::LATEST));
    }
    let mut client = db.client();
    let together = fingerprint(&mut client);
    let Some(alone) = TestDb::new("alone") else {
        return;
    };
    let mut alone = alone.migrated();
    let reference = fingerprint(&mut alone);
    assert_eq!(together.0, reference.0);
    let versions: Vec<i64> = client
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=i64::from(pg::LATEST)).collect::<Vec<_>>());
}

#[test]
fn the_connection_settings_follow_libpq() {
    // Words and URLs both; what they leave out comes from the environment
    // as libpq takes it (the variables are read, not set, here: a test that
    // set them would race the others).
    let config = pg::config("host=/tmp/sock user=ann dbname=charts port=5433").unwrap();
    assert_eq!(config.get_user(), Some("ann"));
    assert_eq!(config.get_dbname(), Some("charts"));
    assert_eq!(config.get_ports(), [5433]);
    assert!(matches!(
        config.get_hosts(),
        [postgres::config::Host::Unix(p)] if p == std::path::Path::new("/tmp/sock")
    ));
    let config = pg::config("postgresql://bob@db.example:6543/dept").unwrap();
    assert_eq!(config.get_user(), Some("bob"));
    assert_eq!(config.get_dbname(), Some("dept"));
    assert!(matches!(
        config.get_hosts(),
        [postgres::config::Host::Tcp(h)] if h == "db.example"
    ));
    let config = pg::config("postgresql:///chartcoder?host=/var/run/postgresql").unwrap();
    assert_eq!(config.get_dbname(), Some("chartcoder"));
    assert!(matches!(
        config.get_hosts(),
        [postgres::config::Host::Unix(p)] if p == std::path::Path::new("/var/run/postgresql")
    ));
    assert!(pg::is_url("postgresql://x/y") && pg::is_url("postgres://x/y"));
    assert!(!pg::is_url("/var/lib/chartcoder/charts.db"));
    assert!(matches!(
        pg::config("postgresql://[bad"),
        Err(PgError::Url { .. })
    ));
}

#[test]
fn db_migrate_and_every_other_command_take_a_postgresql_url() {
    let Some(db) = TestDb::new("cli") else {
        return;
    };
    // The server's socket folder and user, given as libpq takes them from
    // the environment, the database by the URL.
    let server = pg::config(&db.server).unwrap();
    let Some(postgres::config::Host::Unix(socket)) = server.get_hosts().first().cloned() else {
        panic!("CHARTCODER_TEST_PG names no socket folder (host=/path)")
    };
    let url = format!("postgresql:///{}", db.name);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chartcoder"))
            .args(args)
            .env("PGHOST", &socket)
            .env("PGUSER", server.get_user().unwrap())
            .env("CHARTCODER_CONFIG", "/dev/null")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    let expected = format!(
        "PostgreSQL schema version {} (the schema of SQLite's version {})\n",
        pg::LATEST,
        migrations::LATEST
    );
    for _ in 0..2 {
        let out = run(&["db", "migrate", "--db", &url]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
    let mut client = db.client();
    assert_eq!(
        count(&mut client, "SELECT count(*) FROM schema_version"),
        i64::from(pg::LATEST)
    );
    // Its first manager: the login that migrated it.
    let managers: String = client
        .query_one("SELECT value FROM site WHERE key = 'managers'", &[])
        .unwrap()
        .get(0);
    assert_eq!(managers, chartcoder::identity::os_user());
    // Every other command takes the URL too (never a file of that name).
    let out = run(&["users", "list", "--db", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.starts_with(&format!("{}\tmanager", chartcoder::identity::os_user())),
        "{listed}"
    );
    assert!(!std::env::temp_dir().join("postgresql:").exists());
}

#[test]
fn the_sums_kept_by_triggers_add_up() {
    let Some(db) = TestDb::new("sums") else {
        return;
    };
    let mut client = db.migrated();
    seed_charts(
        &mut client,
        &[(1, "ready", "2026-01-05"), (2, "ready", "2026-01-06")],
    );
    client
        .batch_execute(
            "INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds)
             VALUES (1, 'ann', 'inpatient', '2026-02-01T10:00:00Z', '2026-02-01', 600),
                    (2, 'ann', 'inpatient', '2026-02-01T11:00:00Z', '2026-02-01', 900),
                    (2, 'bob', 'inpatient', '2026-02-02T11:00:00Z', '2026-02-02', 60);
             -- Closed at once; opened, then closed; still open.
             INSERT INTO reviews (chart_id, coder, coded_at, reviewer, state, started_at,
                 dx_codes, dx_errors, px_codes, px_errors, principal_changed, drg_changed)
             VALUES (1, 'ann', '2026-02-01T10:00:00Z', 'rita', 'closed', 't', 10, 2, 3, 0, 1, NULL),
                    (2, 'ann', '2026-02-01T11:00:00Z', 'rita', 'in_review', 't', 5, 1, NULL, NULL, 0, 1);
             UPDATE reviews SET state = 'closed' WHERE chart_id = 2;
             INSERT INTO reviews (chart_id, coder, coded_at, reviewer, state, started_at, dx_codes)
             VALUES (2, 'ann', '2026-02-01T11:00:00Z', 'rita', 'in_review', 't', 99);
             UPDATE charts SET status = 'coded' WHERE chart_id = 1;
             UPDATE charts SET encounter_type = 'clinic' WHERE chart_id = 2;",
        )
        .unwrap();
    let coding: Vec<(String, String, i64, i64)> = client
        .query(
            "SELECT day, coder, charts, seconds FROM coding_daily ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        coding,
        vec![
            ("2026-02-01".into(), "ann".into(), 2, 1500),
            ("2026-02-02".into(), "bob".into(), 1, 60)
        ]
    );
    // Two closed reviews of 2026-02-01: dx 10+5 codes, 2+1 errors; px 3
    // codes, 0 errors; the principal judged on both (changed on one), the
    // DRG on one (changed).
    let row = client
        .query_one(
            "SELECT day, charts, dx_codes, dx_errors, px_codes, px_errors, principal_charts,
                    principal_changed, drg_charts, drg_changed FROM accuracy_daily WHERE coder = 'ann'",
            &[],
        )
        .unwrap();
    let day: String = row.get(0);
    let sums: Vec<i64> = (1..10).map(|i| row.get(i)).collect();
    assert_eq!(day, "2026-02-01");
    assert_eq!(sums, [2, 15, 3, 3, 0, 2, 1, 1, 1]);
    // The queue's counts: chart 1 inpatient coded, chart 2 clinic ready.
    let counts: Vec<(String, String, i64)> = client
        .query(
            "SELECT status, encounter_type, charts FROM queue_counts WHERE charts <> 0 ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("coded".into(), "inpatient".into(), 1),
            ("ready".into(), "clinic".into(), 1)
        ]
    );
}
