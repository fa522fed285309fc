//! The queue's typed-text filter (account or MRN prefix, or every typed word
//! beginning a word of the patient's name) finds the same charts in the same
//! order as the rule written out plainly over every chart, on SQLite and,
//! when CHARTCODER_TEST_PG names a server, on PostgreSQL: the index behind
//! it changes how fast it finds them, never which.

use chartcoder::domain::{ChartStatus, EncounterType, Patient, Sex};
use chartcoder::store::postgres as pg;
use chartcoder::store::{
    QueueFilter, QueuePage, QueueRow, QueueSummary, StatusFilter, Store, StoreOptions, coding,
    inbound, queue,
};
use std::sync::atomic::{AtomicUsize, Ordering};

const CHARTS: u64 = 400;

/// What coders type: name-word prefixes (one letter, several words, either
/// order, upper case, punctuation), account and MRN prefixes, and nothing.
const TYPED: &[&str] = &[
    "a",
    "t",
    "th",
    "tho",
    "zel",
    "zelda",
    "zelda y",
    "y z",
    "yarrow zelda",
    "ZELDA",
    "o'",
    "m-",
    "G0000001",
    "g0000002",
    "GM0000003",
    "gm000000",
    "qqqq",
    "zelda qqqq",
    "g0000001 zelda",
    "zel ya",
    "ze zelda",
    "zelda y ya",
    "m z",
    "1",
    "  ",
];

/// The rule, written plainly: lower-case words split at anything that is not
/// a letter or digit; an account or MRN starts with the text as typed or
/// upper-cased.
fn matches(row: &QueueRow, text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return true;
    }
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    for spelling in [text.to_string(), text.to_uppercase()] {
        if row.account.starts_with(&spelling) || row.mrn.starts_with(&spelling) {
            return true;
        }
    }
    let name = words(&row.patient_name);
    let typed = words(text);
    !typed.is_empty() && typed.iter().all(|t| name.iter().any(|w| w.starts_with(t)))
}

/// Every page of `filter`, walked with keyset pages of 7 rows.
fn walk(store: &Store, filter: &QueueFilter) -> Vec<QueueRow> {
    let mut rows = Vec::new();
    let mut at = QueuePage::First;
    loop {
        let page = queue::page(store.conn(), filter, &at, 7).unwrap();
        let Some(last) = page.last() else { break };
        at = QueuePage::After(last.key());
        rows.extend(page);
    }
    rows
}

fn check(store: &Store) {
    for (status, encounter_type, least) in [
        (StatusFilter::Uncoded, None, 100),
        (StatusFilter::All, None, 100),
        (
            StatusFilter::Only(ChartStatus::Ready),
            Some(EncounterType::Emergency),
            40,
        ),
    ] {
        let plain = QueueFilter {
            status,
            encounter_type,
            ..QueueFilter::default()
        };
        let mut every =
            queue::page_by_offset(store.conn(), &plain, 0, CHARTS as usize + 1).unwrap();
        every.sort_by_key(|r| (r.discharge_date, r.chart_id));
        assert!(every.len() > least, "the generated queue is too small");
        let mut found_some = 0;
        for typed in TYPED {
            let filter = QueueFilter {
                text: Some((*typed).into()),
                ..plain.clone()
            };
            let expected: Vec<QueueRow> = every
                .iter()
                .filter(|r| matches(r, typed))
                .cloned()
                .collect();
            if !expected.is_empty() && expected.len() < every.len() {
                found_some += 1;
            }
            let first =
                queue::page(store.conn(), &filter, &QueuePage::First, CHARTS as usize).unwrap();
            assert_eq!(first, expected, "{typed:?} ({status:?}): first page");
            assert_eq!(
                walk(store, &filter),
                expected,
                "{typed:?} ({status:?}): pages of 7"
            );
            // The newest rows, and the rows before a key, as the coder pages back.
            let last = queue::page(store.conn(), &filter, &QueuePage::Last, 7).unwrap();
            assert_eq!(
                last,
                expected[expected.len().saturating_sub(7)..],
                "{typed:?} ({status:?}): last page"
            );
            if let Some(row) = expected.get(10) {
                let before =
                    queue::page(store.conn(), &filter, &QueuePage::Before(row.key()), 7).unwrap();
                assert_eq!(
                    before,
                    expected[3..10],
                    "{typed:?} ({status:?}): page before"
                );
            }
            let summary = queue::summary(store.conn(), &filter).unwrap();
            assert_eq!(summary.charts, expected.len() as u64, "{typed:?}: count");
            assert!(!summary.at_least);
            let oldest = expected
                .iter()
                .filter(|r| r.status.is_uncoded())
                .map(|r| r.discharge_date)
                .min();
            assert_eq!(summary.oldest_uncoded, oldest, "{typed:?}: DNFC age");
            keystroke(store, &filter, &expected, &summary, typed);
        }
        // The texts are chosen to find some charts and not all: a filter that
        // found everything or nothing would not be tested.
        assert!(
            found_some >= 6,
            "only {found_some} texts found a strict subset"
        );
    }
}

/// A keystroke's one call (the page and the summary, the text planned once)
/// gives what the page and the summary give apart, whichever end it reads.
fn keystroke(
    store: &Store,
    filter: &QueueFilter,
    expected: &[QueueRow],
    summary: &QueueSummary,
    typed: &str,
) {
    let n = expected.len();
    for (at, limit, rows) in [
        (QueuePage::First, 7, &expected[..n.min(7)]),
        (QueuePage::First, 1, &expected[..n.min(1)]),
        (QueuePage::First, 0, &expected[..0]),
        (QueuePage::Last, 7, &expected[n.saturating_sub(7)..]),
    ] {
        let (got, both) = queue::page_and_summary(store.conn(), filter, &at, limit, true).unwrap();
        assert_eq!(got, rows, "{typed:?} {at:?} {limit}: page with summary");
        assert_eq!(both.as_ref(), Some(summary), "{typed:?} {at:?} {limit}");
        let (got, none) = queue::page_and_summary(store.conn(), filter, &at, limit, false).unwrap();
        assert_eq!(got, rows, "{typed:?} {at:?} {limit}: page alone");
        assert_eq!(none, None);
    }
}

fn generated(store: &mut Store) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    chartcoder::demo::generate(store, CHARTS, 7, today).unwrap();
}

#[test]
fn typed_text_finds_the_same_charts_in_the_same_order_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("q.db"), &StoreOptions::default()).unwrap();
    generated(&mut store);
    check(&store);
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// Runs `test` on a fresh PostgreSQL database of its own (dropped after),
/// when CHARTCODER_TEST_PG names a server.
fn on_postgresql(test: impl FnOnce(&mut Store) + std::panic::UnwindSafe) {
    let Some(server) = std::env::var("CHARTCODER_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("PostgreSQL half skipped: CHARTCODER_TEST_PG is unset");
        return;
    };
    let n = DATABASES.fetch_add(1, Ordering::SeqCst);
    let name = format!("chartcoder_test_name_filter_{}_{n}", std::process::id());
    let mut admin = pg::connect(&server).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        let mut store =
            Store::open_url(&format!("{server} dbname={name}"), &StoreOptions::default()).unwrap();
        test(&mut store);
    });
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn typed_text_finds_the_same_charts_in_the_same_order_on_postgresql() {
    on_postgresql(|store| {
        generated(store);
        check(store);
    });
}

/// The queue's word table holds exactly one row per (word of the patient's
/// name, chart), with the chart's status and discharge date; its pairs
/// table one row per (word, another word of the same name, chart).
fn word_table_is_derived(store: &Store) {
    let stale: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM (
                 SELECT word, status, discharge_date, chart_id FROM chart_name_words
                 EXCEPT SELECT w.word, c.status, c.discharge_date, c.chart_id
                 FROM charts c JOIN patient_name_words w ON w.patient_id = c.patient_id) d",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let missing: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM (
                 SELECT w.word, c.status, c.discharge_date, c.chart_id
                 FROM charts c JOIN patient_name_words w ON w.patient_id = c.patient_id
                 EXCEPT SELECT word, status, discharge_date, chart_id FROM chart_name_words) d",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((stale, missing), (0, 0), "rows stale, rows missing");
    let pairs = "SELECT a.word, b.word, c.status, c.discharge_date, c.chart_id
                 FROM charts c JOIN patient_name_words a ON a.patient_id = c.patient_id
                 JOIN patient_name_words b ON b.patient_id = c.patient_id AND b.word <> a.word";
    let table = "SELECT word, other_word, status, discharge_date, chart_id FROM chart_name_pairs";
    let differ = |sql: String| -> i64 { store.conn().query_row(&sql, [], |r| r.get(0)).unwrap() };
    let stale = differ(format!("SELECT count(*) FROM ({table} EXCEPT {pairs}) d"));
    let missing = differ(format!("SELECT count(*) FROM ({pairs} EXCEPT {table}) d"));
    let rows = differ("SELECT count(*) FROM chart_name_pairs".into());
    assert_eq!((stale, missing), (0, 0), "pairs stale, pairs missing");
    assert!(rows > 0, "no pairs to compare");
}

/// The account and MRN table holds exactly one row per (account or MRN of
/// the chart's patient, chart), with the chart's status, discharge date and
/// encounter type.
fn number_table_is_derived(store: &Store) {
    let numbers = "SELECT * FROM (
                       SELECT c.account, c.status, c.discharge_date, c.chart_id, c.encounter_type
                       FROM charts c
                       UNION SELECT p.mrn, c.status, c.discharge_date, c.chart_id, c.encounter_type
                       FROM charts c JOIN patients p ON p.patient_id = c.patient_id) n";
    let table =
        "SELECT number, status, discharge_date, chart_id, encounter_type FROM chart_numbers";
    let differ = |sql: String| -> i64 { store.conn().query_row(&sql, [], |r| r.get(0)).unwrap() };
    let stale = differ(format!("SELECT count(*) FROM ({table} EXCEPT {numbers}) d"));
    let missing = differ(format!("SELECT count(*) FROM ({numbers} EXCEPT {table}) d"));
    let rows = differ("SELECT count(*) FROM chart_numbers".into());
    let expected = differ(format!("SELECT count(*) FROM ({numbers}) d"));
    assert_eq!((stale, missing), (0, 0), "numbers stale, numbers missing");
    assert_eq!(rows, expected, "one row per number and chart");
}

/// The chart ids a typed text finds under a status filter.
fn found(store: &Store, status: StatusFilter, text: &str) -> Vec<i64> {
    let filter = QueueFilter {
        status,
        text: Some(text.into()),
        ..QueueFilter::default()
    };
    walk(store, &filter).iter().map(|r| r.chart_id).collect()
}

/// A rename, a claim (status), a new discharge date, a chart added and one
/// removed: the word table follows each, and the typed text finds what the
/// rule says, then the whole rule holds again for every text.
fn word_table_follows_changes(store: &mut Store) {
    generated(store);
    word_table_is_derived(store);
    number_table_is_derived(store);
    let all = QueueFilter::default();
    let every = queue::page_by_offset(store.conn(), &all, 0, CHARTS as usize + 1).unwrap();
    let first = every[0].clone();
    let charts_of = |mrn: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = every
            .iter()
            .filter(|r| r.mrn == mrn)
            .map(|r| r.chart_id)
            .collect();
        ids.sort();
        ids
    };
    let patient = Patient {
        name: "Quillon Brandnew-Xyzzy".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(1950, 1, 2).unwrap(),
        sex: Sex::Female,
    };
    assert!(found(store, StatusFilter::All, "brandnew").is_empty());
    store
        .write(|tx| inbound::update_patient(tx, &first.mrn, &patient))
        .unwrap();
    word_table_is_derived(store);
    let mut renamed = found(store, StatusFilter::All, "xyzzy bran");
    renamed.sort();
    assert_eq!(
        renamed,
        charts_of(&first.mrn),
        "the renamed patient's charts"
    );
    let old_word = first.patient_name.split(' ').next().unwrap().to_lowercase();
    assert!(
        !found(store, StatusFilter::All, &old_word).contains(&first.chart_id),
        "the old name ({old_word}) no longer finds the chart"
    );

    // A claim moves the chart to in progress.
    let ready = found(store, StatusFilter::Only(ChartStatus::Ready), "xyzzy");
    let Some(&chart) = ready.first() else {
        panic!("the renamed patient has no ready chart")
    };
    store
        .write(|tx| coding::claim(tx, chart, "nf2").map(|_| ()))
        .unwrap();
    word_table_is_derived(store);
    number_table_is_derived(store);
    let account = every
        .iter()
        .find(|r| r.chart_id == chart)
        .unwrap()
        .account
        .clone();
    assert!(!found(store, StatusFilter::Only(ChartStatus::Ready), &account).contains(&chart));
    assert!(found(store, StatusFilter::Only(ChartStatus::InProgress), &account).contains(&chart));
    assert!(!found(store, StatusFilter::Only(ChartStatus::Ready), "xyzzy").contains(&chart));
    assert!(found(store, StatusFilter::Only(ChartStatus::InProgress), "xyzzy").contains(&chart));

    // A new discharge date moves it to the end of the queue.
    store
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE charts SET discharge_date = '2099-12-31' WHERE chart_id = ?1",
                [chart],
            )?)
        })
        .unwrap();
    word_table_is_derived(store);
    number_table_is_derived(store);
    assert_eq!(
        found(store, StatusFilter::All, "xyzzy").last(),
        Some(&chart)
    );
    assert_eq!(found(store, StatusFilter::All, &account), vec![chart]);

    // A chart added for the patient, then removed.
    let added: i64 = store
        .write(|tx| {
            tx.execute(
                "INSERT INTO charts (account, patient_id, encounter_type, admit_date,
                     discharge_date, status, created_at, updated_at)
                 SELECT 'ZZ-ADDED', patient_id, 'clinic', '2026-01-01', '2026-01-01', 'ready',
                     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
                 FROM patients WHERE mrn = ?1",
                [first.mrn.as_str()],
            )?;
            Ok(tx.query_row(
                "SELECT chart_id FROM charts WHERE account = 'ZZ-ADDED'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    word_table_is_derived(store);
    number_table_is_derived(store);
    assert!(found(store, StatusFilter::All, "quillon").contains(&added));

    // A chart whose account begins with its patient's MRN is found once by
    // the MRN, and counted once; a new MRN moves every chart of the patient.
    store
        .write(|tx| {
            let account = format!("{}-2", first.mrn);
            Ok(tx.execute(
                "UPDATE charts SET account = ?1 WHERE chart_id = ?2",
                chartcoder::store::sql::params![account, added],
            )?)
        })
        .unwrap();
    number_table_is_derived(store);
    let mut expected = charts_of(&first.mrn);
    expected.push(added);
    expected.sort();
    let mut by_mrn = found(store, StatusFilter::All, &first.mrn);
    by_mrn.sort();
    assert_eq!(by_mrn, expected, "the MRN's charts, each once");
    let filter = QueueFilter {
        text: Some(first.mrn.clone()),
        ..QueueFilter::default()
    };
    let summary = queue::summary(store.conn(), &filter).unwrap();
    assert_eq!(
        (summary.charts, summary.at_least),
        (expected.len() as u64, false)
    );
    store
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE patients SET mrn = 'NEW-MRN-7' WHERE mrn = ?1",
                [first.mrn.as_str()],
            )?)
        })
        .unwrap();
    number_table_is_derived(store);
    let mut by_new = found(store, StatusFilter::All, "new-mrn");
    by_new.sort();
    assert_eq!(by_new, expected, "the new MRN finds the patient's charts");
    assert_eq!(
        found(store, StatusFilter::All, &first.mrn),
        vec![added],
        "the old MRN finds only the account that begins with it"
    );
    store
        .write(|tx| Ok(tx.execute("DELETE FROM charts WHERE chart_id = ?1", [added])?))
        .unwrap();
    word_table_is_derived(store);
    number_table_is_derived(store);
    assert!(!found(store, StatusFilter::All, "quillon").contains(&added));
    check(store);
}

#[test]
fn the_word_table_follows_renames_status_dates_and_deletes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("q.db"), &StoreOptions::default()).unwrap();
    word_table_follows_changes(&mut store);
}

#[test]
fn the_word_table_follows_renames_status_dates_and_deletes_on_postgresql() {
    on_postgresql(word_table_follows_changes);
}
