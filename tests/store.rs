//! The store: migrations from the first schema and keyset pagination of the queue.

#[macro_use]
mod common;

use chartcoder::domain::{
    Chart, ChartStatus, Document, DocumentKind, Encounter, EncounterType, Patient, Sex,
};
use chartcoder::store::migrations::{LATEST, MIGRATIONS, Migration};
use chartcoder::store::{
    QueueFilter, QueueKey, QueuePage, StatusFilter, Store, StoreOptions, charts, queue,
};
use chrono::{Days, NaiveDate};
use common::date;
use common::stores::Stores;
use rusqlite::Connection;

// SQLite only: no PostgreSQL database predates schema 9 (its migration 1
// creates that schema whole).
#[test]
fn a_database_at_the_first_schema_migrates_and_keeps_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = Connection::open(&path).unwrap();
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
                    ('V1-B', 1, 'clinic', '2026-02-01', '2026-02-01', 'final', 'x', 'x'),
                    ('V1-C', 1, 'inpatient', '2026-03-01', '2026-03-04', 'ready', 'x', 'x');
             INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             VALUES (1, 1, 'J18.9', 'icd10cm', 'FY2026', 'Y');
             INSERT INTO audit (at, actor, chart_id, action) VALUES ('x', 'amy', 1, 'chart_imported');",
        )
        .unwrap();
    }
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST);

    // The charts of version 1 are all there, and the counts added later know them.
    let chart = charts::load_chart(store.conn(), 1).unwrap();
    assert_eq!(chart.account, "V1-A");
    assert_eq!(chart.diagnoses[0].code, "J18.9");
    let all = queue::summary(store.conn(), &QueueFilter::default()).unwrap();
    assert_eq!(all.charts, 3);
    assert_eq!(all.oldest_uncoded, Some(date("2026-01-05")));
    let ready_ip = QueueFilter {
        status: StatusFilter::Only(ChartStatus::Ready),
        encounter_type: Some(EncounterType::Inpatient),
        ..QueueFilter::default()
    };
    assert_eq!(queue::summary(store.conn(), &ready_ip).unwrap().charts, 2);

    // Counts follow status changes made after the migration.
    store
        .write(|tx| {
            tx.execute(
                "UPDATE charts SET status = 'coded' WHERE account = 'V1-A'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(queue::summary(store.conn(), &ready_ip).unwrap().charts, 1);
    let coded = QueueFilter {
        status: StatusFilter::Only(ChartStatus::Coded),
        ..QueueFilter::default()
    };
    assert_eq!(queue::summary(store.conn(), &coded).unwrap().charts, 1);

    // Names stored before the word index existed are found by the queue filter.
    let by_name = QueueFilter {
        text: Some("timer".into()),
        ..QueueFilter::default()
    };
    assert_eq!(queue::summary(store.conn(), &by_name).unwrap().charts, 3);

    // Reopening does not migrate again.
    drop(store);
    let store = Store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(
        queue::summary(store.conn(), &QueueFilter::default())
            .unwrap()
            .charts,
        3
    );
}

/// 103 charts on only 7 discharge dates, so most page boundaries fall inside a
/// run of equal dates: the case OFFSET-free paging gets wrong when it keys on the
/// date alone.
fn store_with_ties(stores: &Stores) -> Store {
    let mut store = stores.open();
    store
        .write(|tx| {
            for i in 0..103u64 {
                let discharge = date("2026-10-01") + Days::new((i * 5) % 7);
                let chart = Chart {
                    account: format!("T{i:04}"),
                    mrn: format!("TM{i:04}"),
                    status: ChartStatus::ALL[(i % 3) as usize],
                    patient: Patient {
                        name: format!("Tie Patient {i}"),
                        birth_date: date("1960-01-01"),
                        sex: Sex::Unknown,
                    },
                    encounter: Encounter {
                        encounter_type: EncounterType::ALL[(i % 5) as usize],
                        admit_date: discharge,
                        discharge_date: discharge,
                        disposition: None,
                        attending: None,
                        other_providers: vec![],
                        payer: None,
                    },
                    documents: vec![Document {
                        kind: DocumentKind::Other,
                        author: "x".into(),
                        signed: true,
                        date: discharge,
                        title: None,
                        text: "x".into(),
                    }],
                    diagnoses: vec![],
                    procedures: vec![],
                    final_drg: None,
                };
                charts::insert_chart(tx, &chart, "2026-11-01T00:00:00Z")?;
            }
            Ok(())
        })
        .unwrap();
    store
}

fn keys(rows: &[chartcoder::store::QueueRow]) -> Vec<(NaiveDate, i64)> {
    rows.iter()
        .map(|r| (r.discharge_date, r.chart_id))
        .collect()
}

fn filters() -> Vec<QueueFilter> {
    vec![
        QueueFilter::default(),
        QueueFilter {
            status: StatusFilter::Only(ChartStatus::InProgress),
            ..QueueFilter::default()
        },
        QueueFilter {
            encounter_type: Some(EncounterType::Emergency),
            ..QueueFilter::default()
        },
        QueueFilter {
            status: StatusFilter::Only(ChartStatus::Ready),
            encounter_type: Some(EncounterType::Clinic),
            ..QueueFilter::default()
        },
        QueueFilter {
            text: Some("Patient 1".into()),
            ..QueueFilter::default()
        },
        QueueFilter {
            status: StatusFilter::Uncoded,
            ..QueueFilter::default()
        },
        QueueFilter {
            status: StatusFilter::Uncoded,
            encounter_type: Some(EncounterType::Inpatient),
            ..QueueFilter::default()
        },
    ]
}

both_stores! {
    fn keyset_pages_forward_match_offset_pages_across_every_boundary(stores: &Stores) {
        let store = store_with_ties(stores);
        for filter in filters() {
            for size in [1usize, 7, 10, 33] {
                let mut walked = Vec::new();
                let mut page = queue::page(store.conn(), &filter, &QueuePage::First, size).unwrap();
                let mut n = 0u64;
                while !page.is_empty() {
                    let by_offset =
                        queue::page_by_offset(store.conn(), &filter, n * size as u64, size).unwrap();
                    assert_eq!(
                        keys(&page),
                        keys(&by_offset),
                        "page {n} of {size} with {filter:?}"
                    );
                    walked.extend(keys(&page));
                    let last = page.last().unwrap().key();
                    page = queue::page(store.conn(), &filter, &QueuePage::After(last), size).unwrap();
                    n += 1;
                }
                let mut sorted = walked.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(
                    walked, sorted,
                    "strictly ascending, no repeats ({filter:?}, {size})"
                );
                let total = queue::summary(store.conn(), &filter).unwrap().charts;
                assert_eq!(
                    walked.len() as u64,
                    total,
                    "every chart once ({filter:?}, {size})"
                );
            }
        }
    }
}

both_stores! {
    fn keyset_pages_backward_from_the_end_visit_the_same_rows(stores: &Stores) {
        let store = store_with_ties(stores);
        for filter in filters() {
            let all = keys(&queue::page(store.conn(), &filter, &QueuePage::First, 1000).unwrap());
            let mut walked = Vec::new();
            let mut page = queue::page(store.conn(), &filter, &QueuePage::Last, 9).unwrap();
            while !page.is_empty() {
                let mut k = keys(&page);
                k.extend(walked);
                walked = k;
                let first = page[0].key();
                page = queue::page(store.conn(), &filter, &QueuePage::Before(first), 9).unwrap();
            }
            assert_eq!(walked, all, "{filter:?}");
        }
    }
}

both_stores! {
    fn a_page_from_a_key_includes_it(stores: &Stores) {
        let store = store_with_ties(stores);
        let filter = QueueFilter::default();
        let all = queue::page(store.conn(), &filter, &QueuePage::First, 1000).unwrap();
        let key: QueueKey = all[40].key();
        let from = queue::page(store.conn(), &filter, &QueuePage::From(key), 5).unwrap();
        assert_eq!(keys(&from), keys(&all[40..45]));
    }
}

both_stores! {
    fn the_queue_is_oldest_discharge_first(stores: &Stores) {
        let store = store_with_ties(stores);
        // 15 of the 103 charts (i = 0, 7, ..., 98) were discharged on the first day.
        let page = queue::page(store.conn(), &QueueFilter::default(), &QueuePage::First, 16).unwrap();
        assert!(
            page[..15]
                .iter()
                .all(|r| r.discharge_date == date("2026-10-01"))
        );
        assert_eq!(page[15].discharge_date, date("2026-10-02"));
        let last = queue::page(store.conn(), &QueueFilter::default(), &QueuePage::Last, 1).unwrap();
        assert_eq!(last[0].discharge_date, date("2026-10-07"));
    }
}

both_stores! {
    fn a_text_filter_with_sql_wildcards_matches_them_literally(stores: &Stores) {
        let store = store_with_ties(stores);
        let filter = QueueFilter {
            text: Some("%".into()),
            ..QueueFilter::default()
        };
        assert!(
            queue::page(store.conn(), &filter, &QueuePage::First, 10)
                .unwrap()
                .is_empty()
        );
        let filter = QueueFilter {
            text: Some("T00_".into()),
            ..QueueFilter::default()
        };
        assert!(
            queue::page(store.conn(), &filter, &QueuePage::First, 10)
                .unwrap()
                .is_empty()
        );
    }
}

both_stores! {
    fn typed_text_finds_account_and_mrn_prefixes_and_name_word_prefixes(stores: &Stores) {
        let store = store_with_ties(stores);
        let find = |text: &str| -> Vec<String> {
            let filter = QueueFilter {
                text: Some(text.into()),
                ..QueueFilter::default()
            };
            let rows = queue::page(store.conn(), &filter, &QueuePage::First, 1000).unwrap();
            assert_eq!(
                rows.len() as u64,
                queue::summary(store.conn(), &filter).unwrap().charts
            );
            let mut accounts: Vec<String> = rows.into_iter().map(|r| r.account).collect();
            accounts.sort();
            accounts
        };
        assert_eq!(find("T010"), ["T0100", "T0101", "T0102"], "account prefix");
        assert_eq!(
            find("t010"),
            ["T0100", "T0101", "T0102"],
            "typed in lower case"
        );
        assert_eq!(find("TM0099"), ["T0099"], "MRN prefix");
        // "Tie Patient 57": every typed word must begin a word of the name, in any order.
        assert_eq!(find("57 pat"), ["T0057"]);
        assert_eq!(find("patient tie 57"), ["T0057"]);
        assert_eq!(find("tie 10").len(), 4, "10, 100, 101, 102");
        assert!(
            find("patient 57 x").is_empty(),
            "a word that begins no word of the name"
        );
        assert!(find("atient").is_empty(), "word prefixes, not substrings");
    }
}

both_stores! {
    fn the_queue_counts_open_holds(stores: &Stores) {
        let mut store = store_with_ties(stores);
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO holds (chart_id, reason, created_by, created_at) VALUES (1, 'missing op note', 'amy', 'x'),
                            (1, 'query', 'amy', 'x')",
                    [],
                )?;
                tx.execute(
                    "INSERT INTO holds (chart_id, reason, created_by, created_at, released_by, released_at)
                     VALUES (1, 'old', 'amy', 'x', 'amy', 'y')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let all = queue::page(
            store.conn(),
            &QueueFilter::default(),
            &QueuePage::First,
            1000,
        )
        .unwrap();
        let row = all.iter().find(|r| r.chart_id == 1).unwrap();
        assert_eq!(row.open_holds, 2);
    }
}

mod coding_actions {
    use super::common::stores::Stores;
    use chartcoder::domain::{ChartStatus, CodeSystem, Poa};
    use chartcoder::store::coding::{self, Claim, CodeList};
    use chartcoder::store::{Store, StoreError, audit, charts};

    fn demo(stores: &Stores) -> (Store, Vec<i64>) {
        let mut store = stores.open();
        chartcoder::demo::seed(&mut store).unwrap();
        let ids = charts::chart_ids(store.conn(), Some(ChartStatus::Ready)).unwrap();
        (store, ids)
    }

    fn codes(store: &Store, id: i64) -> Vec<(String, Option<Poa>)> {
        super::common::diagnoses(store.conn(), id)
    }

    both_stores! {
        fn a_claimed_chart_is_coded_step_by_step_with_an_audit_row_per_step(stores: &Stores) {
            let (mut store, ids) = demo(stores);
            let id = ids[0];
            let before = audit::for_chart(store.conn(), id).unwrap().len();
            assert_eq!(
                store.write(|tx| coding::claim(tx, id, "amy")).unwrap(),
                Claim::Mine
            );
            let chart = charts::load_chart(store.conn(), id).unwrap();
            assert_eq!(chart.status, ChartStatus::InProgress);
            // Whatever the demo chart came with, start from our own codes.
            while !codes(&store, id).is_empty() {
                store
                    .write(|tx| coding::remove(tx, id, "amy", CodeList::Diagnoses, 0))
                    .unwrap();
            }
            for code in ["E11.9", "I50.9", "N18.30"] {
                store
                    .write(|tx| coding::add_diagnosis(tx, id, "amy", code, "FY2027"))
                    .unwrap();
            }
            // I50.9 up: principal.
            let at = store
                .write(|tx| coding::shift(tx, id, "amy", CodeList::Diagnoses, 1, true))
                .unwrap();
            assert_eq!(at, 0);
            store
                .write(|tx| coding::set_poa(tx, id, "amy", 0, Some(Poa::Yes)))
                .unwrap();
            store
                .write(|tx| coding::remove(tx, id, "amy", CodeList::Diagnoses, 2))
                .unwrap();
            assert_eq!(
                codes(&store, id),
                vec![("I50.9".into(), Some(Poa::Yes)), ("E11.9".into(), None)]
            );
            // Up at the top and down at the bottom stay put.
            assert_eq!(
                store
                    .write(|tx| coding::shift(tx, id, "amy", CodeList::Diagnoses, 0, true))
                    .unwrap(),
                0
            );
            store
                .write(|tx| coding::add_procedure(tx, id, "amy", "0DTJ4ZZ", CodeSystem::Icd10Pcs, None))
                .unwrap();
            store
                .write(|tx| coding::complete(tx, id, "amy", &[], None))
                .unwrap();
            let chart = charts::load_chart(store.conn(), id).unwrap();
            assert_eq!(chart.status, ChartStatus::Coded);
            assert_eq!(chart.procedures[0].code, "0DTJ4ZZ");
            let trail = audit::for_chart(store.conn(), id).unwrap();
            let actions: Vec<&str> = trail[before..].iter().map(|a| a.action.as_str()).collect();
            assert_eq!(actions.first(), Some(&"claim"));
            assert_eq!(actions.last(), Some(&"complete"));
            assert!(actions.contains(&"move_diagnosis") && actions.contains(&"set_poa"));
            assert!(trail[before..].iter().all(|a| a.actor == "amy"));
        }
    }

    both_stores! {
        fn another_coder_sees_the_chart_taken_and_cannot_change_it(stores: &Stores) {
            let (mut store, ids) = demo(stores);
            let id = ids[0];
            store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
            assert_eq!(
                store.write(|tx| coding::claim(tx, id, "bob")).unwrap(),
                Claim::TakenBy("amy".into())
            );
            let err = store
                .write(|tx| coding::add_diagnosis(tx, id, "bob", "I10", "FY2027"))
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Refused(ref m) if m.contains("claimed by amy")),
                "{err}"
            );
            // Nothing was written by the refused action.
            assert!(!codes(&store, id).iter().any(|(c, _)| c == "I10"));
        }
    }

    both_stores! {
        fn a_claim_idle_past_the_expiry_can_be_taken_and_activity_keeps_it(stores: &Stores) {
            let (mut store, ids) = demo(stores);
            let id = ids[1];
            // The site's policy (the default, 120 minutes), not the taker's.
            assert_eq!(
                chartcoder::store::site::policy(store.conn())
                    .unwrap()
                    .claim_expiry_minutes,
                120
            );
            store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
            let age = |store: &Store, minutes: i64| {
                let at = (chrono::Utc::now() - chrono::Duration::minutes(minutes))
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                store
                    .conn()
                    .execute(
                        "UPDATE charts SET claimed_at = ?2 WHERE chart_id = ?1",
                        chartcoder::params![id, at],
                    )
                    .unwrap();
            };
            // An hour idle: still amy's.
            age(&store, 60);
            let bob = store
                .write(|tx| coding::claim_expiring(tx, id, "bob"))
                .unwrap();
            assert_eq!(bob, Claim::TakenBy("amy".into()));
            // A change is activity: three hours later counts from it.
            age(&store, 180);
            store
                .write(|tx| coding::add_diagnosis(tx, id, "amy", "I10", "FY2027"))
                .unwrap();
            let bob = store
                .write(|tx| coding::claim_expiring(tx, id, "bob"))
                .unwrap();
            assert_eq!(bob, Claim::TakenBy("amy".into()));
            // Three hours with nothing (a crashed session): bob takes it, audited.
            age(&store, 180);
            let bob = store
                .write(|tx| coding::claim_expiring(tx, id, "bob"))
                .unwrap();
            assert_eq!(bob, Claim::Mine);
            let last = audit::for_chart(store.conn(), id).unwrap().pop().unwrap();
            assert_eq!(
                (last.actor.as_str(), last.action.as_str()),
                ("bob", "claim")
            );
            assert!(
                last.detail.contains("the claim of amy expired"),
                "{}",
                last.detail
            );
            // amy's next change is refused: the chart is bob's now.
            let e = store
                .write(|tx| coding::add_diagnosis(tx, id, "amy", "E78.5", "FY2027"))
                .unwrap_err();
            assert!(e.to_string().contains("claimed by bob"), "{e}");
            // Without an expiry, claims never lapse.
            age(&store, 100_000);
            let amy = store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
            assert_eq!(amy, Claim::TakenBy("bob".into()));
        }
    }

    both_stores! {
        fn an_acknowledgement_is_recorded_once_with_its_audit_row(stores: &Stores) {
            let (mut store, ids) = demo(stores);
            let id = ids[1];
            store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
            let key = "excludes1:E11.9+E08.9";
            store
                .write(|tx| coding::acknowledge(tx, id, "amy", key, "E11.9 excludes E08.9"))
                .unwrap();
            assert!(
                coding::acknowledged(store.conn(), id)
                    .unwrap()
                    .contains(key)
            );
            let again = store
                .write(|tx| coding::acknowledge(tx, id, "amy", key, "E11.9 excludes E08.9"))
                .unwrap_err();
            assert!(
                again.to_string().contains("already acknowledged"),
                "{again}"
            );
            let trail = audit::for_chart(store.conn(), id).unwrap();
            let ack: Vec<_> = trail.iter().filter(|a| a.action == "acknowledge").collect();
            assert_eq!(ack.len(), 1);
            assert_eq!(ack[0].actor, "amy");
            assert!(ack[0].detail.contains(key), "{}", ack[0].detail);
            // Only the coder who holds the chart acknowledges.
            let bob = store
                .write(|tx| coding::acknowledge(tx, id, "bob", "mce-age:O80", "x"))
                .unwrap_err();
            assert!(matches!(bob, StoreError::Refused(_)), "{bob}");
        }
    }

    both_stores! {
        fn completion_is_refused_while_a_hold_or_an_error_edit_remains(stores: &Stores) {
            let (mut store, ids) = demo(stores);
            let id = ids[1];
            store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
            store
                .write(|tx| coding::add_diagnosis(tx, id, "amy", "I10", "FY2027"))
                .unwrap();
            let err = store
                .write(|tx| {
                    coding::complete(
                        tx,
                        id,
                        "amy",
                        &[
                            "an error edit remains: I50 is a header".into(),
                            "a warning is not acknowledged: E11.9 excludes E08.9".into(),
                        ],
                        None,
                    )
                })
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains("an error edit remains: I50 is a header (and 1 more)"),
                "{err}"
            );
            store
                .write(|tx| coding::hold(tx, id, "amy", "query: heart failure type and acuity"))
                .unwrap();
            let chart = charts::load_chart(store.conn(), id).unwrap();
            assert_eq!(chart.status, ChartStatus::OnHold);
            let err = store
                .write(|tx| coding::complete(tx, id, "amy", &[], None))
                .unwrap_err();
            assert!(
                err.to_string().contains("on hold (query: heart failure"),
                "{err}"
            );
            assert_eq!(
                coding::open_holds(store.conn(), id).unwrap(),
                vec!["query: heart failure type and acuity".to_string()]
            );
            let err = store
                .write(|tx| coding::hold(tx, id, "amy", "  "))
                .unwrap_err();
            assert!(err.to_string().contains("needs a reason"));
        }
    }
}

/// What the HL7 interface keeps, on each store: messages applied, visits not
/// yet discharged (one per account, replaced), documents under the sender's
/// numbers, and the interface's holds.
mod inbound {
    use super::date;
    use chartcoder::domain::{ChartStatus, Document, DocumentKind};
    use chartcoder::store::inbound::{self, DocumentChange};
    use chartcoder::store::{audit, charts};

    fn note(title: &str, text: &str) -> Document {
        Document {
            kind: DocumentKind::Other,
            author: "Dr. Lee".into(),
            signed: true,
            date: date("2026-11-02"),
            title: Some(title.into()),
            text: text.into(),
        }
    }

    both_stores! {
        fn messages_visits_documents_and_holds_are_kept(stores: &Stores) {
            let mut store = stores.open();
            chartcoder::demo::seed(&mut store).unwrap();
            let id = charts::chart_ids(store.conn(), Some(ChartStatus::Ready)).unwrap()[0];

            assert_eq!(inbound::message_seen(store.conn(), "ADT", "M1").unwrap(), None);
            store
                .write(|tx| inbound::record_message(tx, "ADT", "M1", "ADT^A08", Some(id), "updated"))
                .unwrap();
            assert_eq!(
                inbound::message_seen(store.conn(), "ADT", "M1").unwrap().as_deref(),
                Some("updated")
            );
            assert_eq!(inbound::message_seen(store.conn(), "LAB", "M1").unwrap(), None);
            assert_eq!(inbound::messages_applied(store.conn()).unwrap(), 1);

            // Saved twice under one account: replaced, not added; listed by account.
            store
                .write(|tx| {
                    inbound::save_pending_visit(tx, "V2", "M2", "first")?;
                    inbound::save_pending_visit(tx, "V1", "M1", "one")?;
                    inbound::save_pending_visit(tx, "V2", "M2", "second")
                })
                .unwrap();
            assert_eq!(
                inbound::pending_visits(store.conn()).unwrap(),
                vec![("V1".to_string(), "one".to_string()), ("V2".into(), "second".into())]
            );
            assert!(store.write(|tx| inbound::drop_pending_visit(tx, "V1")).unwrap());
            assert!(!store.write(|tx| inbound::drop_pending_visit(tx, "V1")).unwrap());
            assert_eq!(inbound::pending_visit(store.conn(), "V1").unwrap(), None);

            // A document under a new number is added after the chart's own; the
            // same number again, or one that replaces it, takes its place.
            let before = charts::load_chart(store.conn(), id).unwrap().documents.len();
            let put = |store: &mut chartcoder::store::Store, r: &str, old: Option<&str>, d: Document| {
                store.write(|tx| inbound::put_document(tx, id, r, old, &d)).unwrap()
            };
            assert_eq!(put(&mut store, "D1", None, note("H&P", "a")), DocumentChange::Added);
            assert_eq!(put(&mut store, "D2", None, note("Op", "b")), DocumentChange::Added);
            assert_eq!(put(&mut store, "D1", None, note("H&P", "a2")), DocumentChange::Replaced);
            assert_eq!(put(&mut store, "D3", Some("D2"), note("Op", "b2")), DocumentChange::Replaced);
            let docs = charts::load_chart(store.conn(), id).unwrap().documents;
            let texts: Vec<&str> = docs[before..].iter().map(|d| d.text.as_str()).collect();
            assert_eq!(texts, ["a2", "b2"]);
            assert!(docs[before..].iter().all(|d| d.signed));

            // The interface's hold: the chart on hold until its last hold goes.
            store
                .write(|tx| {
                    inbound::hold(tx, id, "hl7", "awaiting discharge summary")?;
                    inbound::hold(tx, id, "hl7", "awaiting op note")
                })
                .unwrap();
            let status = |store: &chartcoder::store::Store| {
                inbound::chart_state(store.conn(), &charts::load_chart(store.conn(), id).unwrap().account)
                    .unwrap()
                    .unwrap()
                    .1
            };
            assert_eq!(status(&store), ChartStatus::OnHold);
            assert!(store
                .write(|tx| inbound::release_hold(tx, id, "hl7", "awaiting op note"))
                .unwrap());
            assert_eq!(status(&store), ChartStatus::OnHold, "one hold is still open");
            assert!(!store
                .write(|tx| inbound::release_hold(tx, id, "hl7", "awaiting op note"))
                .unwrap());
            assert!(store
                .write(|tx| inbound::release_hold(tx, id, "hl7", "awaiting discharge summary"))
                .unwrap());
            assert_eq!(status(&store), ChartStatus::Ready, "unclaimed: back to ready");
            let holds = audit::for_chart(store.conn(), id)
                .unwrap()
                .into_iter()
                .filter(|e| e.action == "hold" && e.actor == "hl7")
                .count();
            assert_eq!(holds, 2);
        }
    }
}

/// Typed text is a bytewise, case-sensitive prefix of an account on both
/// stores ("AB" does not find "ab200"), also in a PostgreSQL database whose
/// locale sorts case-insensitively (ICU en-US), where an unmarked TEXT
/// column's prefix range would take "ab200" in.
#[test]
fn typed_text_matches_accounts_bytewise_on_both_stores_whatever_the_locale() {
    fn accounts_found(mut store: Store) -> Vec<String> {
        chartcoder::demo::seed(&mut store).unwrap();
        let ids = charts::chart_ids(store.conn(), None).unwrap();
        for (id, account) in [(ids[0], "AB100"), (ids[1], "ab200")] {
            store
                .conn()
                .execute(
                    "UPDATE charts SET account = ?2 WHERE chart_id = ?1",
                    chartcoder::params![id, account],
                )
                .unwrap();
        }
        let filter = QueueFilter {
            text: Some("AB".into()),
            ..QueueFilter::default()
        };
        let rows = queue::page(store.conn(), &filter, &QueuePage::First, 50).unwrap();
        let summary = queue::summary(store.conn(), &filter).unwrap();
        assert_eq!(summary.charts as usize, rows.len());
        rows.into_iter().map(|r| r.account).collect()
    }
    assert_eq!(accounts_found(Store::open_in_memory().unwrap()), ["AB100"]);
    let icu = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'";
    if let Some(pg) = common::pg::TestPg::with_options("icu", icu) {
        assert_eq!(accounts_found(pg.store()), ["AB100"]);
    }
}

/// The queue's "did anything change" check: a change another coder commits
/// moves `data_version` as this connection sees it (SQLite's counter; on
/// PostgreSQL the newest audit row, which every change writes).
#[test]
fn another_connections_change_moves_the_data_version_on_both_stores() {
    fn check(mine: Store, mut theirs: Store) {
        chartcoder::demo::seed(&mut theirs).unwrap();
        let before = queue::data_version(mine.conn()).unwrap();
        assert_eq!(
            queue::data_version(mine.conn()).unwrap(),
            before,
            "nothing changed"
        );
        let id = charts::chart_ids(theirs.conn(), Some(ChartStatus::Ready)).unwrap()[0];
        theirs
            .write(|tx| chartcoder::store::coding::claim(tx, id, "bo"))
            .unwrap();
        assert_ne!(queue::data_version(mine.conn()).unwrap(), before);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("charts.db");
    let first = Store::open(&path, &StoreOptions::default()).unwrap();
    let second = Store::open(&path, &StoreOptions::default()).unwrap();
    check(first, second);
    if let Some(pg) = common::pg::TestPg::new("dv") {
        check(pg.store(), pg.store());
    }
}
