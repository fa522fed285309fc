//! Physician queries in the store: the lint gate, the hold, immutability once
//! sent, the lifecycle to closed or canceled, and the chart coming back.

use chartcoder::domain::ChartStatus;
use chartcoder::domain::{QueryOutcome as Outcome, QueryStatus as Status};
use chartcoder::query::{Format, OTHER, UNDETERMINED, YesNoReason};
use chartcoder::store::coding;
use chartcoder::store::queries;
use chartcoder::store::{Store, StoreError, audit, charts};
use common::drafts::heart_failure_draft;
use common::pg_both::{Stores, on_both_stores};

mod common;

on_both_stores!(
    a_query_failing_the_lint_is_refused_and_nothing_is_written,
    sending_holds_the_chart_and_the_query_as_sent_never_changes,
    the_lifecycle_answer_close_releases_the_hold_and_the_chart_completes,
    canceling_and_changing_the_recipient_need_a_reason,
    the_report_counts_code_changes_after_the_answer_and_names_the_last_recipient,
);

/// The demo store with the second chart claimed by amy.
fn claimed(stores: &Stores) -> (Store, i64) {
    let mut store = stores.open();
    chartcoder::demo::seed(&mut store).unwrap();
    let id = charts::chart_id_for_account(store.conn(), "A26110203")
        .unwrap()
        .unwrap();
    store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
    (store, id)
}

fn status(store: &Store, chart_id: i64) -> ChartStatus {
    charts::load_chart(store.conn(), chart_id).unwrap().status
}

fn a_query_failing_the_lint_is_refused_and_nothing_is_written(stores: &Stores) {
    let (mut store, id) = claimed(stores);
    let mut d = heart_failure_draft(&store, id);
    d.indicators.clear();
    d.question.push_str(" It would support an MCC.");
    let err = store
        .write(|tx| queries::send(tx, id, "amy", &d))
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("clinical indicator"), "{text}");
    assert!(text.contains("\"MCC\""), "{text}");
    assert!(queries::for_chart(store.conn(), id).unwrap().is_empty());
    assert_eq!(status(&store, id), ChartStatus::InProgress);
}

fn sending_holds_the_chart_and_the_query_as_sent_never_changes(stores: &Stores) {
    let (mut store, id) = claimed(stores);
    let d = heart_failure_draft(&store, id);
    let q = store.write(|tx| queries::send(tx, id, "amy", &d)).unwrap();
    assert_eq!(status(&store, id), ChartStatus::OnHold);
    let holds = coding::open_holds(store.conn(), id).unwrap();
    assert_eq!(
        holds,
        vec![format!("physician query #{q} to {}", d.physician)]
    );
    let stored = queries::get(store.conn(), q).unwrap().unwrap();
    assert_eq!(stored.status, Status::Open);
    assert_eq!(stored.created_by, "amy");
    assert_eq!(
        stored.options.last().map(String::as_str),
        Some(UNDETERMINED)
    );
    assert!(stored.options.contains(&OTHER.to_string()));
    let text = stored.text.clone().unwrap();
    assert!(text.starts_with(&format!("PHYSICIAN QUERY #{q}")), "{text}");
    let cited = stored.indicators[0].source.clone().unwrap();
    assert!(
        text.contains(&format!(
            "\"BNP 1,450 pg/mL\" ({}, {}, {})",
            cited.document, cited.author, cited.date
        )),
        "{text}"
    );
    assert!(text.contains("[ ] Other (please specify)"), "{text}");
    // The database refuses to change or delete it.
    for sql in [
        "UPDATE physician_queries SET question = 'Was it acute?'",
        "UPDATE physician_queries SET physician = 'Dr. Someone Else'",
        "UPDATE physician_queries SET indicators = '[]'",
        "UPDATE physician_queries SET text = 'edited'",
        "DELETE FROM physician_queries",
    ] {
        let e = store.conn().execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    // Completing is refused while it is open.
    let e = store
        .write(|tx| coding::complete(tx, id, "amy", &[], None))
        .unwrap_err();
    assert!(e.to_string().contains("on hold"), "{e}");
}

fn the_lifecycle_answer_close_releases_the_hold_and_the_chart_completes(stores: &Stores) {
    let (mut store, id) = claimed(stores);
    let d = heart_failure_draft(&store, id);
    let q = store.write(|tx| queries::send(tx, id, "amy", &d)).unwrap();
    // Closing before an answer needs the outcome "no response".
    let e = store
        .write(|tx| queries::close(tx, q, "amy", Outcome::Agreed))
        .unwrap_err();
    assert!(e.to_string().contains("no answer yet"), "{e}");
    store
        .write(|tx| {
            queries::answer(
                tx,
                q,
                "amy",
                "Acute on chronic diastolic (HFpEF) heart failure",
            )
        })
        .unwrap();
    let e = store
        .write(|tx| queries::answer(tx, q, "amy", "changed my mind"))
        .unwrap_err();
    assert!(e.to_string().contains("only an open query"), "{e}");
    let e = store
        .conn()
        .execute("UPDATE physician_queries SET answer = 'edited'", [])
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    // The coder recodes, then closes.
    store
        .write(|tx| coding::add_diagnosis(tx, id, "amy", "I50.33", "FY2027"))
        .unwrap();
    store
        .write(|tx| queries::close(tx, q, "amy", Outcome::Agreed))
        .unwrap();
    assert_eq!(status(&store, id), ChartStatus::InProgress);
    assert!(coding::open_holds(store.conn(), id).unwrap().is_empty());
    let closed = queries::get(store.conn(), q).unwrap().unwrap();
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(closed.outcome, Some(Outcome::Agreed));
    store
        .write(|tx| coding::set_poa(tx, id, "amy", 0, Some(chartcoder::domain::Poa::Yes)))
        .unwrap();
    store
        .write(|tx| coding::complete(tx, id, "amy", &[], None))
        .unwrap();
    assert_eq!(status(&store, id), ChartStatus::Coded);
    let trail = audit::for_chart(store.conn(), id).unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    for a in ["query_sent", "query_answered", "query_closed", "complete"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

fn canceling_and_changing_the_recipient_need_a_reason(stores: &Stores) {
    let (mut store, id) = claimed(stores);
    let mut d = heart_failure_draft(&store, id);
    d.format = Some(Format::YesNo);
    d.yes_no_reason = Some(YesNoReason::EstablishPoa);
    let q = store.write(|tx| queries::send(tx, id, "amy", &d)).unwrap();
    let e = store
        .write(|tx| queries::change_recipient(tx, q, "amy", "Dr. Other", " "))
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e}");
    store
        .write(|tx| queries::change_recipient(tx, q, "amy", "Dr. Other", "attending on leave"))
        .unwrap();
    let stored = queries::get(store.conn(), q).unwrap().unwrap();
    assert_eq!(
        stored.physician, d.physician,
        "the query as sent keeps its recipient"
    );
    assert_eq!(stored.recipient, "Dr. Other");
    assert_eq!(stored.options, ["Yes", "No", UNDETERMINED]);
    let e = store
        .write(|tx| queries::cancel(tx, q, "amy", ""))
        .unwrap_err();
    assert!(e.to_string().contains("needs a reason"), "{e}");
    store
        .write(|tx| queries::cancel(tx, q, "amy", "documentation amended by the physician"))
        .unwrap();
    assert_eq!(status(&store, id), ChartStatus::InProgress);
    let stored = queries::get(store.conn(), q).unwrap().unwrap();
    assert_eq!(stored.status, Status::Canceled);
    // Only the coder who holds the chart sends, closes or cancels.
    let e = store
        .write(|tx| queries::send(tx, id, "bob", &d))
        .unwrap_err();
    assert!(e.to_string().contains("claimed by amy"), "{e}");
}

#[test]
fn a_query_is_overdue_after_the_escalation_time() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(!queries::overdue("2026-11-19T12:00:00Z", now, 72));
    assert!(queries::overdue("2026-11-19T11:59:59Z", now, 72));
}

fn the_report_counts_code_changes_after_the_answer_and_names_the_last_recipient(stores: &Stores) {
    let (mut store, id) = claimed(stores);
    let d = heart_failure_draft(&store, id);
    let q = store.write(|tx| queries::send(tx, id, "amy", &d)).unwrap();
    // Two changes of recipient: the later one is who has it now.
    for (to, why) in [
        ("Dr. Other", "attending on leave"),
        ("Dr. Third", "covering"),
    ] {
        store
            .write(|tx| queries::change_recipient(tx, q, "amy", to, why))
            .unwrap();
    }
    assert_eq!(
        queries::get(store.conn(), q).unwrap().unwrap().recipient,
        "Dr. Third"
    );
    store
        .write(|tx| queries::answer(tx, q, "amy", "Chronic diastolic (HFpEF) heart failure"))
        .unwrap();
    // One code change after the answer, then closed.
    store
        .write(|tx| coding::add_diagnosis(tx, id, "amy", "I50.32", "FY2027"))
        .unwrap();
    store
        .write(|tx| queries::close(tx, q, "amy", Outcome::Agreed))
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    let (rows, coded) = queries::report_rows(store.conn(), Some(today), Some(today)).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].chart_id, id);
    assert_eq!(rows[0].physician, "Dr. Third");
    assert_eq!(rows[0].outcome, Some(Outcome::Agreed));
    assert_eq!(rows[0].code_changes, 1);
    // Discharged today: none of the demo charts.
    assert_eq!(coded, 0);
    // Without dates: the demo's 2 coded and 6 final charts (data/demo_charts.json).
    let (rows, coded) = queries::report_rows(store.conn(), None, None).unwrap();
    assert_eq!((rows.len(), coded), (1, 8));
    // Sent before the period: left out.
    let tomorrow = today.succ_opt().unwrap();
    let (rows, _) = queries::report_rows(store.conn(), Some(tomorrow), None).unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        queries::sent_between(store.conn(), None, Some(today))
            .unwrap()
            .len(),
        1
    );
}

/// The coder closes a query (no response) in one session while canceling it
/// in another: the cancel waits for the close and is refused, the query
/// stays closed with its outcome (SQLite: the writers take turns;
/// PostgreSQL: the chart's row lock).
fn a_query_closed_meanwhile_is_not_canceled_over(mut store: Store) {
    chartcoder::demo::seed(&mut store).unwrap();
    let id = charts::chart_id_for_account(store.conn(), "A26110203")
        .unwrap()
        .unwrap();
    store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
    let d = heart_failure_draft(&store, id);
    let q = store.write(|tx| queries::send(tx, id, "amy", &d)).unwrap();
    let mut second = store.reopen().unwrap().unwrap();
    let (closed, closed_rx) = std::sync::mpsc::channel();
    let first = std::thread::spawn(move || {
        store
            .write(|tx| {
                queries::close(tx, q, "amy", Outcome::NoResponse)?;
                // Closed, not committed yet: the other session cancels now.
                closed.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                Ok(())
            })
            .unwrap();
        store
    });
    closed_rx.recv().unwrap();
    let canceled = second.write(|tx| queries::cancel(tx, q, "amy", "not needed"));
    let store = first.join().unwrap();
    let e = canceled.unwrap_err();
    assert!(e.to_string().contains("already closed"), "{e}");
    let stored = queries::get(store.conn(), q).unwrap().unwrap();
    assert_eq!(stored.status, Status::Closed);
    assert_eq!(stored.outcome, Some(Outcome::NoResponse));
}

#[test]
fn a_query_closed_meanwhile_is_not_canceled_over_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    a_query_closed_meanwhile_is_not_canceled_over(
        Store::open(&path, &chartcoder::store::StoreOptions::default()).unwrap(),
    );
}

#[test]
fn a_query_closed_meanwhile_is_not_canceled_over_postgres() {
    if let Some(db) = common::pg::TestPg::new("queries") {
        a_query_closed_meanwhile_is_not_canceled_over(db.store());
    }
}
