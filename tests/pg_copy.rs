//! `chartcoder db copy`: a department's SQLite database, made through the
//! store's own API (demo charts, coding, holds, sent and draft queries, an
//! answer, a change of recipient, a review, a final chart, the audit trail),
//! copied into PostgreSQL; every table compared row by row with SQLite's (by
//! this test's own reading, not the copy's checksums), hand-picked values
//! checked, the audit chain recomputed, the guards on again, the next keys
//! free. Then what must be refused: a target holding rows, a value changed on
//! the way (a test trigger), a table the copy does not know, a missing or
//! garbage source file.
//!
//! Needs `CHARTCODER_TEST_PG` (libpq settings for a superuser; `bash
//! tests/run.sh` sets it); without it the tests pass saying so, except under
//! CI. Each test makes its own databases and drops them after.

use chartcoder::domain::{Chart, CodeSystem, EncounterType, FinalDrg, Poa, QueryOutcome, Role};
mod common;

use chartcoder::store::postgres::{self as pg, copy::CopyError};
use chartcoder::store::{Store, StoreOptions, charts, coding, queries, review, users};
use common::date;
use common::drafts::heart_failure_draft;
use common::pg::TestPg;
use postgres::Client;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ------------------------------------------------------------ the source --

fn me() -> &'static str {
    chartcoder::identity::os_user()
}

fn inpatient(account: &str, discharged: &str) -> Chart {
    let mut chart =
        common::sample::chart(account, EncounterType::Inpatient, discharged, discharged);
    chart.patient.name = "Zoë O'Brien-Ünal".into();
    chart
}

/// A DRG whose weight is no short decimal (0.1 + 0.2), to see it bit-exact.
fn drg() -> FinalDrg {
    FinalDrg {
        drg: 195,
        mdc: 4,
        weight: Some(0.1 + 0.2),
        grouper_version: "v43.1".into(),
        table5_edition: Some("T5".into()),
    }
}

fn chart_id(store: &Store, account: &str) -> i64 {
    charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap()
}

/// What the department's database holds besides the demo charts.
struct Made {
    /// A query sent, answered and closed; one sent and still open; a draft.
    closed_query: i64,
    open_query: i64,
    final_chart: i64,
}

/// A department's SQLite file, everything written through the store's API.
fn department(dir: &Path) -> (PathBuf, Made) {
    let path = dir.join("dept.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    store
        .write(|tx| {
            users::add(tx, me(), "carl", Role::Coder)?;
            users::add(tx, me(), "rita", Role::Reviewer)
        })
        .unwrap();
    // A query sent, answered, closed; the chart recoded.
    let a = chart_id(&store, "A26110203");
    let d = heart_failure_draft(&store, a);
    let closed_query = store
        .write(|tx| {
            coding::claim(tx, a, "amy")?;
            queries::send(tx, a, "amy", &d)
        })
        .unwrap();
    store
        .write(|tx| {
            queries::answer(
                tx,
                closed_query,
                "amy",
                "Acute on chronic diastolic (HFpEF) heart failure",
            )?;
            coding::add_diagnosis(tx, a, "amy", "I50.33", "FY2027")?;
            queries::close(tx, closed_query, "amy", QueryOutcome::Agreed)
        })
        .unwrap();
    // A query sent and still open (the chart on hold), its recipient changed.
    let b = chart_id(&store, "A26111034");
    let d = heart_failure_draft(&store, b);
    let open_query = store
        .write(|tx| {
            coding::claim(tx, b, "amy")?;
            queries::send(tx, b, "amy", &d)
        })
        .unwrap();
    store
        .write(|tx| queries::change_recipient(tx, open_query, "amy", "Dr. Lars Oduya", "on leave"))
        .unwrap();
    // A draft, and a hold with no query.
    let c = chart_id(&store, "A26110877");
    let d = heart_failure_draft(&store, c);
    store
        .write(|tx| {
            coding::claim(tx, c, "bea")?;
            queries::save_draft(tx, c, "bea", &d)
        })
        .unwrap();
    let h = chart_id(&store, "A26111512");
    store
        .write(|tx| {
            coding::claim(tx, h, "bea")?;
            coding::hold(tx, h, "bea", "awaiting the pathology report")
        })
        .unwrap();
    // A chart coded, reviewed (passed) and made final.
    let f = store
        .write(|tx| {
            charts::insert_chart(tx, &inpatient("F-1", "2026-03-04"), "2026-03-05T08:00:00Z")
        })
        .unwrap();
    store
        .write(|tx| {
            coding::claim(tx, f, "carl")?;
            coding::add_diagnosis(tx, f, "carl", "J18.9", "FY2026")?;
            coding::set_poa(tx, f, "carl", 0, Some(Poa::Yes))?;
            coding::add_procedure(tx, f, "carl", "5A09357", CodeSystem::Icd10Pcs, None)?;
            coding::complete(tx, f, "carl", &[], Some(&drg()))
        })
        .unwrap();
    let same: &dyn Fn(&Chart) -> Option<FinalDrg> = &|_| Some(drg());
    store
        .write(|tx| {
            review::start(tx, f, "rita")?;
            review::pass(tx, f, "rita", same)?;
            review::finalize(tx, f, "rita")
        })
        .unwrap();
    drop(store);
    (
        path,
        Made {
            closed_query,
            open_query,
            final_chart: f,
        },
    )
}

// ------------------------------------------- both sides, read by the test --

/// A table's rows, each value rendered with its type, sorted.
type Dump = BTreeMap<String, Vec<Vec<String>>>;

/// The tables whose order is SQLite's rowid, a column on PostgreSQL.
const ROWID_ORDERED: [&str; 2] = ["chart_coding", "query_recipients"];

fn sqlite_dump(path: &Path) -> Dump {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut dump = Dump::new();
    for table in tables {
        // The tables without a key of their own keep SQLite's rowid order on
        // PostgreSQL as a last column, `rowid`.
        let sql = match ROWID_ORDERED.contains(&table.as_str()) {
            true => format!("SELECT *, rowid FROM {table}"),
            false => format!("SELECT * FROM {table}"),
        };
        let mut stmt = conn.prepare(&sql).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<Vec<String>> = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        rusqlite::types::ValueRef::Integer(v) => format!("i{v}"),
                        rusqlite::types::ValueRef::Real(v) => format!("r{:x}", v.to_bits()),
                        rusqlite::types::ValueRef::Text(t) => {
                            format!("t{}", String::from_utf8(t.to_vec()).unwrap())
                        }
                        rusqlite::types::ValueRef::Blob(b) => format!("b{b:?}"),
                    })
                    .collect())
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        dump.insert(table, rows);
    }
    dump
}

fn pg_dump(client: &mut Client) -> Dump {
    let tables: Vec<String> = client
        .query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = current_schema()::regnamespace
             AND relkind = 'r' AND relname <> 'schema_version'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut dump = Dump::new();
    for table in tables {
        // SQLite's column order, so that rows compare as they are.
        let columns: Vec<String> = client
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[&table],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let rows = client
            .query(&format!("SELECT {} FROM {table}", columns.join(", ")), &[])
            .unwrap();
        let mut rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| match *r.columns()[i].type_() {
                        postgres::types::Type::INT8 => r
                            .get::<_, Option<i64>>(i)
                            .map_or("NULL".into(), |v| format!("i{v}")),
                        postgres::types::Type::FLOAT8 => r
                            .get::<_, Option<f64>>(i)
                            .map_or("NULL".into(), |v| format!("r{:x}", v.to_bits())),
                        postgres::types::Type::TEXT => r
                            .get::<_, Option<String>>(i)
                            .map_or("NULL".into(), |v| format!("t{v}")),
                        ref other => panic!("{table}: a column of type {other}"),
                    })
                    .collect()
            })
            .collect();
        rows.sort();
        dump.insert(table, rows);
    }
    dump
}

fn count(client: &mut Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

fn source(path: &Path) -> Store {
    Store::open_existing(path, &StoreOptions::default()).unwrap()
}

/// The audit chain as store::audit documents it: SHA-256 over the previous
/// hash and every field, each prefixed with its length (u64, little-endian);
/// ids as 8 little-endian bytes; no chart as an empty field; no seal as "-".
fn recompute_chain(client: &mut Client) -> (u64, Vec<String>) {
    let mut prev = "0000000000000000000000000000000000000000000000000000000000000000".to_string();
    let mut problems = Vec::new();
    let rows = client
        .query(
            "SELECT audit_id, at, actor, os_user, chart_id, action, detail, seal, hash
             FROM audit ORDER BY audit_id",
            &[],
        )
        .unwrap();
    for (n, r) in rows.iter().enumerate() {
        let id: i64 = r.get(0);
        if id != n as i64 + 1 {
            problems.push(format!("row {id} out of sequence"));
        }
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(prev.as_bytes());
        field(&id.to_le_bytes());
        for i in [1, 2, 3] {
            field(r.get::<_, &str>(i).as_bytes());
        }
        match r.get::<_, Option<i64>>(4) {
            Some(c) => field(&c.to_le_bytes()),
            None => field(b""),
        }
        field(r.get::<_, &str>(5).as_bytes());
        field(r.get::<_, &str>(6).as_bytes());
        match r.get::<_, Option<&str>>(7) {
            Some(s) => field(s.as_bytes()),
            None => field(b"-"),
        }
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let stored: String = r.get(8);
        if hash != stored {
            problems.push(format!("row {id} does not match its hash"));
        }
        prev = stored;
    }
    (rows.len() as u64, problems)
}

// ----------------------------------------------------------------- tests --

#[test]
fn a_department_is_copied_whole_with_its_keys_trail_and_guards() {
    let Some(db) = TestPg::new("whole") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, made) = department(dir.path());
    let store = source(&path);
    let trail = chartcoder::store::audit::verify(store.conn(), None).unwrap();
    assert!(trail.intact(), "{:?}", trail.problems);
    let database_id = store.database_id().unwrap();
    let sent = queries::get(store.conn(), made.open_query)
        .unwrap()
        .unwrap();
    let mut client = db.client();
    let mut told = Vec::new();
    let report = pg::copy::copy(&store, &mut client, &mut |p| {
        told.push((p.table.to_string(), p.copied, p.rows));
    })
    .unwrap();
    drop(store);

    // Every table, every row, every value: the same on both sides.
    let sqlite = sqlite_dump(&path);
    let postgres = pg_dump(&mut client);
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &sqlite {
        assert_eq!(Some(rows), postgres.get(table), "{table} differs");
    }
    // The report names every table once, with SQLite's row counts; each
    // table's progress ended at its row count.
    let reported: BTreeMap<&str, u64> = report
        .tables
        .iter()
        .map(|(t, s)| (t.as_str(), s.rows))
        .collect();
    assert_eq!(reported.len(), sqlite.len());
    for (table, rows) in &sqlite {
        assert_eq!(reported.get(table.as_str()), Some(&(rows.len() as u64)));
        let end = (table.clone(), rows.len() as u64, rows.len() as u64);
        assert_eq!(
            told.iter().filter(|t| **t == end).count(),
            1,
            "{table}: {told:?}"
        );
    }
    // The source held what the department made (not an empty copy).
    for table in [
        "patients",
        "charts",
        "documents",
        "diagnoses",
        "procedures",
        "physician_queries",
        "query_recipients",
        "holds",
        "audit",
        "reviews",
        "review_diagnoses",
        "chart_drgs",
        "chart_coding",
        "coding_daily",
        "accuracy_daily",
        "users",
    ] {
        assert!(!sqlite[table].is_empty(), "{table} is empty in the source");
    }
    // Parents before children: charts after patients, holds after queries.
    let at = |t: &str| report.tables.iter().position(|(n, _)| n == t).unwrap();
    assert!(at("patients") < at("charts") && at("charts") < at("audit"));
    assert!(at("physician_queries") < at("holds") && at("reviews") < at("review_changes"));

    // Hand-picked values, by SQL on PostgreSQL.
    assert_eq!(report.database_id, database_id);
    let id: String = client
        .query_one("SELECT value FROM site WHERE key = 'database_id'", &[])
        .unwrap()
        .get(0);
    assert_eq!(id, database_id);
    let row = client
        .query_one(
            "SELECT status, text, sent_at, physician FROM physician_queries WHERE physician_query_id = $1",
            &[&made.open_query],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "open");
    assert_eq!(row.get::<_, Option<String>>(1), sent.text);
    assert_eq!(row.get::<_, Option<String>>(2), sent.sent_at);
    // Sent to the chart's attending (the demo data's); the change of
    // recipient is its own row, the query as sent unchanged.
    assert_eq!(row.get::<_, String>(3), "Dr. Grace Holloway-Ng");
    let row = client
        .query_one(
            "SELECT physician, reason FROM query_recipients WHERE physician_query_id = $1",
            &[&made.open_query],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1)),
        ("Dr. Lars Oduya".to_string(), "on leave".to_string())
    );
    let row = client
        .query_one(
            "SELECT status, outcome FROM physician_queries WHERE physician_query_id = $1",
            &[&made.closed_query],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, Option<String>>(1)),
        ("closed".to_string(), Some("agreed".to_string()))
    );
    assert_eq!(
        count(
            &mut client,
            "SELECT count(*) FROM physician_queries WHERE status = 'draft'"
        ),
        1
    );
    let row = client
        .query_one(
            "SELECT c.status, d.drg, d.weight, p.name, r.state FROM charts c
             JOIN chart_drgs d USING (chart_id) JOIN patients p USING (patient_id)
             JOIN reviews r USING (chart_id) WHERE chart_id = $1",
            &[&made.final_chart],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "final");
    assert_eq!(row.get::<_, i64>(1), 195);
    assert_eq!(row.get::<_, f64>(2).to_bits(), (0.1f64 + 0.2).to_bits());
    assert_eq!(row.get::<_, String>(3), "Zoë O'Brien-Ünal");
    assert_eq!(row.get::<_, String>(4), "closed");
    // The queue's counts: every chart counted once; the final inpatient
    // charts as the file counts them (the demo's and F-1).
    assert_eq!(
        count(&mut client, "SELECT sum(charts)::bigint FROM queue_counts"),
        count(&mut client, "SELECT count(*) FROM charts")
    );
    let final_inpatient: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM charts WHERE status = 'final' AND encounter_type = 'inpatient'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(final_inpatient >= 2, "{final_inpatient}");
    assert_eq!(
        count(
            &mut client,
            "SELECT charts FROM queue_counts WHERE status = 'final' AND encounter_type = 'inpatient'"
        ),
        final_inpatient
    );

    // The audit chain, recomputed on PostgreSQL's rows, holds.
    let (rows, problems) = recompute_chain(&mut client);
    assert_eq!(rows, trail.rows);
    assert!(problems.is_empty(), "{problems:?}");

    // The guards are on again: every trigger enabled, a sent query and a
    // final chart's codes refuse change, the queue still counts.
    assert_eq!(
        count(
            &mut client,
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'"
        ),
        0
    );
    let e = client
        .execute(
            "UPDATE physician_queries SET text = 'edited' WHERE physician_query_id = $1",
            &[&made.open_query],
        )
        .unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "a sent query is immutable"
    );
    let e = client
        .execute(
            "UPDATE physician_queries SET answer = 'edited' WHERE physician_query_id = $1",
            &[&made.closed_query],
        )
        .unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "a sent query is immutable"
    );
    let e = client
        .execute(
            "DELETE FROM diagnoses WHERE chart_id = $1",
            &[&made.final_chart],
        )
        .unwrap_err();
    assert!(
        e.as_db_error()
            .unwrap()
            .message()
            .contains("final (locked)"),
        "{e}"
    );

    // The next keys are past the copied ones: a new patient, chart and
    // audit row take max + 1, and the counting trigger counts the chart.
    let max = |client: &mut Client, sql: &str| count(client, sql);
    let next_patient = max(&mut client, "SELECT max(patient_id) + 1 FROM patients");
    let next_chart = max(&mut client, "SELECT max(chart_id) + 1 FROM charts");
    let next_audit = max(&mut client, "SELECT max(audit_id) + 1 FROM audit");
    let ready_before = max(
        &mut client,
        "SELECT charts FROM queue_counts WHERE status = 'ready' AND encounter_type = 'clinic'",
    );
    let patient: i64 = client
        .query_one(
            "INSERT INTO patients (mrn, name, birth_date, sex) VALUES ('NEW-1', 'New Patient',
             '1980-01-01', 'M') RETURNING patient_id",
            &[],
        )
        .unwrap()
        .get(0);
    let chart: i64 = client
        .query_one(
            "INSERT INTO charts (account, patient_id, encounter_type, admit_date, discharge_date,
                 status, created_at, updated_at)
             VALUES ('NEW-A', $1, 'clinic', '2026-04-01', '2026-04-01', 'ready', 't', 't')
             RETURNING chart_id",
            &[&patient],
        )
        .unwrap()
        .get(0);
    let audit: i64 = client
        .query_one(
            "INSERT INTO audit (at, actor, action) VALUES ('t', 'amy', 'note') RETURNING audit_id",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        (patient, chart, audit),
        (next_patient, next_chart, next_audit)
    );
    assert_eq!(
        max(
            &mut client,
            "SELECT charts FROM queue_counts WHERE status = 'ready' AND encounter_type = 'clinic'"
        ),
        ready_before + 1
    );
    // Every other identity column's next value is past its table's keys too.
    let identities: Vec<(String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(identities.len() >= 8, "{identities:?}");
    for (table, column) in identities {
        let free: bool = client
            .query_one(
                &format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', '{column}'))
                     > coalesce((SELECT max({column}) FROM {table}), 0)"
                ),
                &[],
            )
            .unwrap()
            .get(0);
        assert!(free, "{table}.{column}'s next value collides");
    }
}

/// The tables' contents, for "nothing changed".
fn fingerprint(client: &mut Client) -> Dump {
    pg_dump(client)
}

#[test]
fn a_target_holding_rows_is_refused_and_left_as_it_was() {
    let Some(db) = TestPg::new("full") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = department(dir.path());
    let store = source(&path);
    let mut client = db.client();
    pg::copy::copy(&store, &mut client, &mut |_| {}).unwrap();
    let before = fingerprint(&mut client);
    match pg::copy::copy(&store, &mut client, &mut |_| {}) {
        Err(CopyError::NotEmpty { tables }) => {
            assert!(tables.contains(&"charts".to_string()), "{tables:?}");
            assert!(tables.contains(&"audit".to_string()), "{tables:?}");
        }
        other => panic!("a second copy was not refused: {other:?}"),
    }
    assert_eq!(fingerprint(&mut client), before);

    // One row anywhere is enough: a manager's user row on a database
    // migrated and otherwise empty.
    let Some(other) = TestPg::new("onerow") else {
        return;
    };
    let mut client = other.client();
    pg::migrate(&mut client).unwrap();
    client
        .batch_execute(
            "INSERT INTO users (name, role, changed_by, changed_at) VALUES ('mona', 'manager', 'x', 't')",
        )
        .unwrap();
    let before = fingerprint(&mut client);
    let e = pg::copy::copy(&store, &mut client, &mut |_| {}).unwrap_err();
    assert!(matches!(&e, CopyError::NotEmpty { tables } if tables == &["users".to_string()]));
    assert!(e.to_string().contains("nothing in it was changed"), "{e}");
    assert_eq!(fingerprint(&mut client), before);
}

/// Every table but those `db migrate` fills is empty, and those hold what
/// it put there (its own database id, zero counts).
fn assert_as_migrated(client: &mut Client, source_id: &str) {
    let dump = pg_dump(client);
    for (table, rows) in &dump {
        match table.as_str() {
            "queue_counts" => {
                assert_eq!(rows.len(), 30);
                assert!(rows.iter().all(|r| r[2] == "i0"), "{rows:?}");
            }
            "site" => assert_eq!(rows.len(), 2),
            _ => assert!(rows.is_empty(), "{table} holds {} rows", rows.len()),
        }
    }
    let id: String = client
        .query_one("SELECT value FROM site WHERE key = 'database_id'", &[])
        .unwrap()
        .get(0);
    assert_ne!(id, source_id);
    assert_eq!(
        count(
            client,
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'"
        ),
        0
    );
}

#[test]
fn a_value_changed_on_the_way_fails_the_copy_and_leaves_nothing() {
    let Some(db) = TestPg::new("tamper") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = department(dir.path());
    let store = source(&path);
    let mut client = db.client();
    pg::migrate(&mut client).unwrap();
    // A trigger of the test's own (the copy leaves other triggers on): a
    // character added to each patient's name as it is written.
    client
        .batch_execute(
            "CREATE FUNCTION test_tamper() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.name := NEW.name || '.'; RETURN NEW; END $$;
             CREATE TRIGGER test_tamper BEFORE INSERT ON patients
             FOR EACH ROW EXECUTE FUNCTION test_tamper();",
        )
        .unwrap();
    let e = pg::copy::copy(&store, &mut client, &mut |_| {}).unwrap_err();
    match &e {
        CopyError::Mismatch { table, detail } => {
            assert_eq!(table, "patients");
            assert!(detail.contains("checksum"), "{detail}");
        }
        other => panic!("not a mismatch: {other}"),
    }
    assert!(e.to_string().contains("rolled back"), "{e}");
    assert_as_migrated(&mut client, &store.database_id().unwrap());
}

#[test]
fn a_table_the_copy_does_not_know_fails_it_loudly() {
    let Some(db) = TestPg::new("extra") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = department(dir.path());
    // A table added on the SQLite side only (a later migration without its
    // PostgreSQL twin).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE chart_notes (chart_id INTEGER, note TEXT) STRICT")
        .unwrap();
    let store = source(&path);
    let mut client = db.client();
    let e = pg::copy::copy(&store, &mut client, &mut |_| {}).unwrap_err();
    match &e {
        CopyError::Tables {
            sqlite_only,
            postgres_only,
        } => {
            assert_eq!(sqlite_only, &["chart_notes".to_string()]);
            assert!(postgres_only.is_empty());
        }
        other => panic!("not refused for the table: {other}"),
    }
    assert!(e.to_string().contains("chart_notes"), "{e}");
    assert_as_migrated(&mut client, &store.database_id().unwrap());
}

#[test]
fn the_triggers_switched_off_are_exactly_the_schemas_insert_triggers() {
    let Some(db) = TestPg::new("triggers") else {
        return;
    };
    let mut client = db.client();
    pg::migrate(&mut client).unwrap();
    // The PostgreSQL twins of SQLite's triggers that fire on INSERT (bit 2
    // of tgtype): each must be switched off by the copy (or it would count
    // or look up every copied row), and nothing else is.
    let twins: std::collections::BTreeSet<&str> = pg::SQLITE_TRIGGER_TWINS
        .iter()
        .map(|(_, _, t)| *t)
        .collect();
    let mut on_insert: Vec<(String, String)> = client
        .query(
            "SELECT c.relname::text, t.tgname::text FROM pg_trigger t
             JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgtype & 4 <> 0",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .filter(|(_, t): &(String, String)| twins.contains(t.as_str()))
        .collect();
    on_insert.sort();
    let mut off: Vec<(String, String)> = pg::copy::OFF_DURING_COPY
        .iter()
        .map(|(t, g)| (t.to_string(), g.to_string()))
        .collect();
    off.sort();
    assert_eq!(on_insert, off);
}

/// The chartcoder binary run with `args`, the server's socket folder and
/// user given as libpq takes them from the environment.
fn chartcoder(db: &TestPg, args: &[&str]) -> std::process::Output {
    let server = pg::config(db.server()).unwrap();
    let Some(postgres::config::Host::Unix(socket)) = server.get_hosts().first().cloned() else {
        panic!("CHARTCODER_TEST_PG names no socket folder (host=/path)")
    };
    std::process::Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(args)
        .env("PGHOST", &socket)
        .env("PGUSER", server.get_user().unwrap())
        .env("CHARTCODER_CONFIG", "/dev/null")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn a_file_at_an_older_schema_is_migrated_then_copied() {
    use chartcoder::store::migrations::{LATEST, MIGRATIONS, Migration};
    let Some(db) = TestPg::new("older") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let Migration::Sql(first) = MIGRATIONS[0] else {
            panic!("the first schema is SQL")
        };
        conn.execute_batch(first).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO patients (mrn, name, birth_date, sex) VALUES ('M1', 'Old Timer', '1940-01-01', 'F');
             INSERT INTO charts (account, patient_id, encounter_type, admit_date, discharge_date, status,
                                 created_at, updated_at)
             VALUES ('V1-A', 1, 'inpatient', '2026-01-02', '2026-01-05', 'ready', 'x', 'x'),
                    ('V1-B', 1, 'clinic', '2026-02-01', '2026-02-01', 'final', 'x', 'x');
             INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             VALUES (1, 1, 'J18.9', 'icd10cm', 'FY2026', 'Y');
             INSERT INTO audit (at, actor, chart_id, action) VALUES ('x', 'amy', 1, 'chart_imported');",
        )
        .unwrap();
    }
    let url = format!("postgresql:///{}", db.name);
    let out = chartcoder(
        &db,
        &["db", "copy", "--from", path.to_str().unwrap(), "--to", &url],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let version: u32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST);
    let mut client = db.client();
    let charts: Vec<(i64, String, String)> = client
        .query(
            "SELECT chart_id, account, status FROM charts ORDER BY chart_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        charts,
        vec![
            (1, "V1-A".into(), "ready".into()),
            (2, "V1-B".into(), "final".into())
        ]
    );
    // The counts the later migrations added know the old charts.
    assert_eq!(
        count(
            &mut client,
            "SELECT charts FROM queue_counts WHERE status = 'final' AND encounter_type = 'clinic'"
        ),
        1
    );
}

/// A login of the test's own, dropped after the databases it was given
/// rights in (declare it before them).
struct TestRole(String, String);

impl Drop for TestRole {
    fn drop(&mut self) {
        if let Ok(mut admin) = pg::connect(&self.1) {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.0));
        }
    }
}

#[test]
fn a_copy_by_a_login_that_does_not_own_the_tables_is_refused_saying_so() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let role = TestRole(
        format!("chartcoder_test_coder_{}", std::process::id()),
        server,
    );
    let Some(db) = TestPg::new("notowner") else {
        return;
    };
    pg::migrate(&mut db.client()).unwrap();
    pg::connect(db.server())
        .unwrap()
        .batch_execute(&format!("CREATE ROLE {} LOGIN", role.0))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = department(dir.path());
    let mut coder = pg::config(db.server())
        .unwrap()
        .dbname(&db.name)
        .user(&role.0)
        .connect(postgres::NoTls)
        .unwrap();
    let e = pg::copy::copy(&source(&path), &mut coder, &mut |_| {}).unwrap_err();
    assert!(matches!(e, CopyError::NotOwner(_)), "{e}");
    assert!(
        e.to_string().contains("owner of the PostgreSQL tables"),
        "{e}"
    );
    drop(coder);
    assert_as_migrated(&mut db.client(), "");
}

#[test]
fn the_command_reports_each_table_and_refuses_bad_sources_clearly() {
    let Some(db) = TestPg::new("cli") else {
        return;
    };
    let url = format!("postgresql:///{}", db.name);
    let run = |args: &[&str]| chartcoder(&db, args);
    let dir = tempfile::tempdir().unwrap();
    // A missing file, a file that is no database, a --to that is no URL.
    let missing = dir.path().join("nope.db");
    let out = run(&[
        "db",
        "copy",
        "--from",
        missing.to_str().unwrap(),
        "--to",
        &url,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no SQLite database file there"), "{err}");
    assert!(!missing.exists());
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![b'x'; 8192]).unwrap();
    let out = run(&[
        "db",
        "copy",
        "--from",
        garbage.to_str().unwrap(),
        "--to",
        &url,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a chartcoder database"), "{err}");
    let (path, _) = department(dir.path());
    let from = path.to_str().unwrap();
    let out = run(&["db", "copy", "--from", from, "--to", "/tmp/x.db"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to takes"));
    // Nothing was made in the target by the refusals.
    assert_eq!(
        count(
            &mut db.client(),
            "SELECT count(*) FROM pg_class WHERE relname = 'charts'"
        ),
        0
    );

    let id = source(&path).database_id().unwrap();
    let out = run(&["db", "copy", "--from", from, "--to", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("(database id {id} kept)")),
        "{stdout}"
    );
    let sqlite = sqlite_dump(&path);
    for (table, rows) in &sqlite {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table.as_str()))
            .unwrap_or_else(|| panic!("{table} not in the report:\n{stdout}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{line}");
        assert_eq!(words[1], rows.len().to_string(), "{line}");
        assert_eq!(words[2].len(), 12, "{line}");
        assert_eq!(words[3], "OK", "{line}");
    }
    assert!(stdout.contains("verified intact"), "{stdout}");
    // Run again: refused, exit status non-zero, the message says why.
    let out = run(&["db", "copy", "--from", from, "--to", &url]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds a chart database"), "{err}");
}

/// The time to copy 100,000 charts with codes and their audit rows (run by
/// hand: `cargo test --release --test pg_copy -- --ignored --nocapture`).
#[test]
#[ignore = "a measurement: 100,000 charts"]
fn copying_100k_charts_is_timed() {
    let Some(db) = TestPg::new("big") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    let made = std::time::Instant::now();
    chartcoder::demo::generate(&mut store, 100_000, 7, date("2026-06-01")).unwrap();
    // Codes on every chart (three diagnoses, one procedure) and a second
    // audit row each, as coding leaves them.
    store
        .conn()
        .execute_batch(
            "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             SELECT chart_id, s.value, CASE s.value WHEN 0 THEN 'J18.9' WHEN 1 THEN 'I50.23'
                 ELSE 'E11.9' END, 'icd10cm', 'FY2026', 'Y'
             FROM charts, json_each('[0,1,2]') s;
             INSERT INTO procedures (chart_id, seq, code, code_system)
             SELECT chart_id, 0, '5A09357', 'icd10pcs' FROM charts;",
        )
        .unwrap();
    let ids = charts::chart_ids(store.conn(), None).unwrap();
    for batch in ids.chunks(10_000) {
        store
            .write(|tx| {
                for id in batch {
                    chartcoder::store::audit::record(
                        tx,
                        "amy",
                        Some(*id),
                        chartcoder::domain::AuditAction::Complete,
                        "3 dx, 1 px",
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }
    eprintln!("made in {:.1} s", made.elapsed().as_secs_f64());
    let mut client = db.client();
    let started = std::time::Instant::now();
    let report = pg::copy::copy(&store, &mut client, &mut |p| {
        if p.rows >= pg::copy::PROGRESS_EVERY {
            eprintln!("{}: {} of {}", p.table, p.copied, p.rows);
        }
    })
    .unwrap();
    let rows: u64 = report.tables.iter().map(|(_, s)| s.rows).sum();
    eprintln!(
        "copied {rows} rows (100,000 charts) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(count(&mut client, "SELECT count(*) FROM charts"), 100_000);
}
