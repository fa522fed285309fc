//! Second-level review and the quality reports, in the store: the review
//! flow end to end (a coder codes, a reviewer changes two codes with
//! reasons, the coder rebuts one, a manager settles, the accuracy report
//! shows the expected figures), the refusals that change nothing, the final
//! lock, the review selection rules, and each report against a fixture
//! computed by hand (the expected figures were written before the code ran).

use chartcoder::domain::{
    Chart, ChartStatus, CodeSystem, EncounterType, FinalDrg, Poa, ReviewReason, ReviewState, Role,
    Verdict,
};
use chartcoder::store::quality::{self, Scope};
use chartcoder::store::{Store, StoreError, charts, coding, review, users};
use common::date;
use common::pg_both::{Stores, on_both_stores};

mod common;

on_both_stores!(
    the_review_flow_end_to_end_gives_the_expected_accuracy,
    refusals_change_nothing,
    a_settled_principal_and_removed_code_are_put_back_in_place,
    the_selection_rules_are_deterministic_and_each_names_its_reason,
    accuracy_report_matches_the_hand_computed_fixture,
    productivity_report_matches_the_hand_computed_fixture,
    dnfb_report_matches_the_hand_computed_fixture,
    time_on_chart_is_taken_from_the_audit_trail_at_completion,
    time_on_chart_leaves_out_idle_gaps_and_earlier_work_by_hand,
);

fn me() -> &'static str {
    chartcoder::identity::os_user()
}

fn chart(account: &str, etype: EncounterType, discharged: &str) -> Chart {
    common::sample::chart(account, etype, discharged, discharged)
}

fn add(store: &mut Store, c: &Chart) -> i64 {
    store
        .write(|tx| charts::insert_chart(tx, c, "2026-01-01T00:00:00Z"))
        .unwrap()
}

fn drg(n: u16, weight: f64) -> FinalDrg {
    FinalDrg {
        drg: n,
        mdc: 4,
        weight: Some(weight),
        grouper_version: "v43.1".into(),
        table5_edition: Some("T5".into()),
    }
}

/// A stand-in grouper: pneumonia with acute kidney failure (N17.9, a CC
/// here) groups to 194, without it to 195.
fn regroup(c: &Chart) -> Option<FinalDrg> {
    if c.encounter.encounter_type != EncounterType::Inpatient || c.diagnoses.is_empty() {
        return None;
    }
    match c.diagnoses.iter().any(|d| d.code == "N17.9") {
        true => Some(drg(194, 0.9)),
        false => Some(drg(195, 0.6)),
    }
}

/// The coder claims the chart, codes it and completes it.
fn code_chart(store: &mut Store, id: i64, coder: &str, dx: &[(&str, Poa)], px: &[&str]) {
    store
        .write(|tx| {
            coding::claim(tx, id, coder)?;
            for (i, (code, poa)) in dx.iter().enumerate() {
                coding::add_diagnosis(tx, id, coder, code, "FY2026")?;
                coding::set_poa(tx, id, coder, i, Some(*poa))?;
            }
            for code in px {
                coding::add_procedure(tx, id, coder, code, CodeSystem::Icd10Pcs, None)?;
            }
            let chart = charts::load_chart(tx, id)?;
            coding::complete(tx, id, coder, &[], regroup(&chart).as_ref())
        })
        .unwrap();
}

fn audit_rows(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

fn status(store: &Store, id: i64) -> String {
    store
        .conn()
        .query_row("SELECT status FROM charts WHERE chart_id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn refused(e: StoreError, words: &str) {
    assert!(matches!(e, StoreError::Refused(_)), "{e}");
    assert!(e.to_string().contains(words), "{e}");
}

fn team(store: &mut Store) {
    store
        .write(|tx| {
            users::add(tx, me(), "carl", Role::Coder)?;
            users::add(tx, me(), "rita", Role::Reviewer)?;
            users::add(tx, me(), "mona", Role::Manager)
        })
        .unwrap();
}

fn the_review_flow_end_to_end_gives_the_expected_accuracy(stores: &Stores) {
    let mut store = stores.open();
    team(&mut store);
    let id = add(
        &mut store,
        &chart("R-1", EncounterType::Inpatient, "2026-03-04"),
    );
    code_chart(
        &mut store,
        id,
        "carl",
        &[
            ("J18.9", Poa::Yes),
            ("I50.23", Poa::No),
            ("E11.9", Poa::Yes),
        ],
        &["5A09357"],
    );
    assert_eq!(status(&store, id), "coded");
    let none: &dyn Fn(&Chart) -> Option<FinalDrg> = &regroup;

    // The reviewer starts: the chart is theirs to change with the ordinary actions.
    store.write(|tx| review::start(tx, id, "rita")).unwrap();
    store
        .write(|tx| {
            // Change 1: a missed secondary diagnosis.
            coding::add_diagnosis(tx, id, "rita", "N17.9", "FY2026")?;
            coding::set_poa(tx, id, "rita", 3, Some(Poa::Yes))?;
            // Change 2: the POA of I50.23.
            coding::set_poa(tx, id, "rita", 1, Some(Poa::Yes))
        })
        .unwrap();
    // The coder's version is kept; both sides and the differences are shown.
    let v = review::view(store.conn(), id, none).unwrap().unwrap();
    assert_eq!(v.coder.diagnoses.len(), 3);
    assert_eq!(v.reviewer.diagnoses.len(), 4);
    let keys: Vec<&str> = v.changes.iter().map(|c| c.key.as_str()).collect();
    // In the reviewer's sequence, then the DRG.
    assert_eq!(keys, vec!["poa:I50.23", "add-dx:N17.9", "drg"]);
    // Passing without reasons is refused and changes nothing.
    let before = audit_rows(&store);
    let e = store
        .write(|tx| review::pass(tx, id, "rita", none))
        .unwrap_err();
    refused(e, "has no reason");
    assert_eq!(audit_rows(&store), before);
    assert_eq!(status(&store, id), "coded");
    store
        .write(|tx| {
            review::give_reason(
                tx,
                id,
                "rita",
                "add-dx:N17.9",
                ReviewReason::MissedSecondary,
                "AKI in the progress note of day 2",
                none,
            )?;
            review::give_reason(tx, id, "rita", "poa:I50.23", ReviewReason::Poa, "", none)?;
            review::give_reason(tx, id, "rita", "drg", ReviewReason::DrgChanged, "", none)
        })
        .unwrap();
    let e = store
        .write(|tx| {
            review::give_reason(tx, id, "rita", "add-dx:Z99.9", ReviewReason::Poa, "", none)
        })
        .unwrap_err();
    refused(e, "not a difference");
    store
        .write(|tx| review::return_to_coder(tx, id, "rita", "see AKI and the HF POA", none))
        .unwrap();
    assert_eq!(
        review::open_review(store.conn(), id)
            .unwrap()
            .unwrap()
            .state,
        ReviewState::Returned
    );
    // Only the coder answers; the DRG cannot be rebutted on its own.
    let e = store.write(|tx| review::agree(tx, id, "rita")).unwrap_err();
    refused(e, "only they answer");
    let e = store
        .write(|tx| review::rebut(tx, id, "carl", &["drg".into()], "no", none))
        .unwrap_err();
    refused(e, "DRG follows the codes");
    // The coder rebuts the POA change (once).
    store
        .write(|tx| {
            review::rebut(
                tx,
                id,
                "carl",
                &["poa:I50.23".into()],
                "the HF exacerbation began on day 3",
                none,
            )
        })
        .unwrap();
    let e = store
        .write(|tx| review::rebut(tx, id, "carl", &["poa:I50.23".into()], "again", none))
        .unwrap_err();
    refused(e, "rebutted, awaiting a manager");
    // Only a manager settles, and not the reviewer (nor the coder).
    let e = store
        .write(|tx| {
            review::settle(
                tx,
                id,
                "rita",
                &[("poa:I50.23".into(), Verdict::Coder)],
                none,
            )
        })
        .unwrap_err();
    refused(e, "only a manager settles");
    let e = store
        .write(|tx| review::settle(tx, id, "mona", &[], none))
        .unwrap_err();
    refused(e, "needs a verdict");
    let s = store
        .write(|tx| {
            review::settle(
                tx,
                id,
                "mona",
                &[("poa:I50.23".into(), Verdict::Coder)],
                none,
            )
        })
        .unwrap();
    assert_eq!(status(&store, id), "reviewed");
    // The coder's POA is back; the missed diagnosis stays.
    let dx: Vec<(String, Option<String>)> = store
        .conn()
        .query_map(
            "SELECT code, poa FROM diagnoses WHERE chart_id = ?1 ORDER BY seq",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        dx,
        vec![
            ("J18.9".into(), Some("Y".into())),
            ("I50.23".into(), Some("N".into())),
            ("E11.9".into(), Some("Y".into())),
            ("N17.9".into(), Some("Y".into())),
        ]
    );
    // Hand-computed: union {J18.9, I50.23, E11.9, N17.9}, one wrong (N17.9
    // missed): 3/4; one procedure, right; principal kept; DRG 195 -> 194.
    assert_eq!(
        (s.dx_codes, s.dx_errors, s.px_codes, s.px_errors),
        (4, 1, 1, 0)
    );
    assert_eq!(
        (s.principal_changed, s.drg_changed),
        (Some(false), Some(true))
    );
    let r = quality::accuracy(store.conn(), &Scope::default()).unwrap();
    assert_eq!(r.by_coder.len(), 1);
    let a = &r.by_coder[0].1;
    assert_eq!(r.by_coder[0].0, "carl");
    assert_eq!(a.charts, 1);
    assert_eq!(a.dx_accuracy, Some(75.0));
    assert_eq!(a.px_accuracy, Some(100.0));
    assert_eq!(a.code_accuracy, Some(80.0));
    assert_eq!(a.principal_accuracy, Some(100.0));
    assert_eq!(a.drg_accuracy, Some(0.0));
    assert_eq!(a.meets_target, Some(false));
    // The DRG the chart now carries is the reviewed one; its completer is still the coder.
    let (d, by): (i64, String) = store
        .conn()
        .query_row(
            "SELECT drg, completed_by FROM chart_drgs WHERE chart_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((d, by.as_str()), (194, "carl"));

    // Final locks the chart: nothing changes, by any path, until a manager reopens it.
    let e = store
        .write(|tx| review::finalize(tx, id, "carl"))
        .unwrap_err();
    refused(e, "only a reviewer or a manager");
    store.write(|tx| review::finalize(tx, id, "rita")).unwrap();
    assert_eq!(status(&store, id), "final");
    let before = audit_rows(&store);
    let e = store
        .write(|tx| coding::add_diagnosis(tx, id, "carl", "R05.9", "FY2026"))
        .unwrap_err();
    refused(e, "final (locked)");
    let e = store
        .write(|tx| {
            tx.execute("DELETE FROM diagnoses WHERE chart_id = ?1", [id])?;
            Ok(())
        })
        .unwrap_err();
    assert!(e.to_string().contains("final (locked)"), "{e}");
    let e = store
        .write(|tx| {
            tx.execute(
                "UPDATE charts SET status = 'coded' WHERE chart_id = ?1",
                [id],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(e.to_string().contains("reopen"), "{e}");
    let e = store
        .write(|tx| review::reopen(tx, id, "rita", "wrong DRG"))
        .unwrap_err();
    refused(e, "only a manager reopens");
    let e = store
        .write(|tx| review::reopen(tx, id, "mona", " "))
        .unwrap_err();
    refused(e, "with a reason");
    assert_eq!(audit_rows(&store), before, "refusals are not recorded");
    assert_eq!(status(&store, id), "final");
    let back = store
        .write(|tx| review::reopen(tx, id, "mona", "payer asked for a correction"))
        .unwrap();
    assert_eq!(back, ChartStatus::Reviewed);
    assert_eq!(status(&store, id), "reviewed");
    let actions: Vec<String> = chartcoder::store::audit::for_chart(store.conn(), id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "review_start",
        "review_reason",
        "review_return",
        "review_rebut",
        "review_settle",
        "finalize",
        "reopen",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

fn refusals_change_nothing(stores: &Stores) {
    let mut store = stores.open();
    team(&mut store);
    let own = add(
        &mut store,
        &chart("R-2", EncounterType::Clinic, "2026-03-04"),
    );
    let other = add(
        &mut store,
        &chart("R-3", EncounterType::Clinic, "2026-03-04"),
    );
    code_chart(&mut store, own, "rita", &[("J02.9", Poa::Exempt)], &[]);
    code_chart(&mut store, other, "carl", &[("J02.9", Poa::Exempt)], &[]);
    let before = audit_rows(&store);
    let reviews = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
            .unwrap()
    };
    // A reviewer may not review their own chart.
    let e = store
        .write(|tx| review::start(tx, own, "rita"))
        .unwrap_err();
    refused(e, "may not review their own chart");
    // A coder may not review.
    let e = store
        .write(|tx| review::start(tx, other, "ann"))
        .unwrap_err();
    refused(e, "only a reviewer or a manager");
    // Nobody but a manager sets the rules or roles.
    let e = store
        .write(|tx| quality::set_setting(tx, "rita", "sample_percent", "50"))
        .unwrap_err();
    refused(e, "only a manager");
    let e = store
        .write(|tx| users::set_role(tx, "carl", "carl", Role::Manager))
        .unwrap_err();
    refused(e, "only a manager");
    // A chart not coded is not reviewed.
    let ready = add(
        &mut store,
        &chart("R-4", EncounterType::Clinic, "2026-03-04"),
    );
    let e = store
        .write(|tx| review::start(tx, ready, "rita"))
        .unwrap_err();
    refused(e, "only a coded chart");
    assert_eq!(audit_rows(&store), before);
    assert_eq!(reviews(&store), 0);
    assert_eq!(users::role_of(store.conn(), "carl").unwrap(), Role::Coder);
    // Under review, the chart is not completed again, put on hold, nor final.
    store.write(|tx| review::start(tx, other, "rita")).unwrap();
    let e = store
        .write(|tx| coding::complete(tx, other, "rita", &[], None))
        .unwrap_err();
    refused(e, "under review");
    let e = store
        .write(|tx| coding::hold(tx, other, "rita", "later"))
        .unwrap_err();
    refused(e, "under review");
    let e = store
        .write(|tx| review::finalize(tx, other, "mona"))
        .unwrap_err();
    refused(e, "finish it first");
    let e = store
        .write(|tx| review::start(tx, other, "mona"))
        .unwrap_err();
    refused(e, "already under review by rita");
    // Passing with no change closes with a perfect score.
    let none: &dyn Fn(&Chart) -> Option<FinalDrg> = &regroup;
    let e = store
        .write(|tx| review::return_to_coder(tx, other, "rita", "why", none))
        .unwrap_err();
    refused(e, "no change to return");
    let s = store
        .write(|tx| review::pass(tx, other, "rita", none))
        .unwrap();
    assert_eq!((s.dx_codes, s.dx_errors), (1, 0));
    assert_eq!(status(&store, other), "reviewed");
}

fn a_settled_principal_and_removed_code_are_put_back_in_place(stores: &Stores) {
    let mut store = stores.open();
    team(&mut store);
    let id = add(
        &mut store,
        &chart("R-5", EncounterType::Inpatient, "2026-03-04"),
    );
    code_chart(
        &mut store,
        id,
        "carl",
        &[
            ("J18.9", Poa::Yes),
            ("A41.9", Poa::Yes),
            ("E11.9", Poa::Yes),
        ],
        &[],
    );
    let none: &dyn Fn(&Chart) -> Option<FinalDrg> = &regroup;
    store.write(|tx| review::start(tx, id, "rita")).unwrap();
    store
        .write(|tx| {
            // A41.9 to the top (sequencing), E11.9 removed.
            coding::shift(tx, id, "rita", coding::CodeList::Diagnoses, 1, true)?;
            coding::remove(tx, id, "rita", coding::CodeList::Diagnoses, 2)
        })
        .unwrap();
    let v = review::view(store.conn(), id, none).unwrap().unwrap();
    let keys: Vec<&str> = v.changes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, vec!["principal", "remove-dx:E11.9"]);
    store
        .write(|tx| {
            review::give_reason(
                tx,
                id,
                "rita",
                "principal",
                ReviewReason::PrincipalSequencing,
                "",
                none,
            )?;
            review::give_reason(
                tx,
                id,
                "rita",
                "remove-dx:E11.9",
                ReviewReason::UnsupportedDx,
                "",
                none,
            )?;
            review::return_to_coder(tx, id, "rita", "sepsis first", none)?;
            review::rebut(
                tx,
                id,
                "carl",
                &["principal".into(), "remove-dx:E11.9".into()],
                "both documented",
                none,
            )
        })
        .unwrap();
    let s = store
        .write(|tx| {
            review::settle(
                tx,
                id,
                "mona",
                &[
                    ("principal".into(), Verdict::Reviewer),
                    ("remove-dx:E11.9".into(), Verdict::Coder),
                ],
                none,
            )
        })
        .unwrap();
    let codes: Vec<String> = store
        .conn()
        .query_map(
            "SELECT code FROM diagnoses WHERE chart_id = ?1 ORDER BY seq",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(codes, vec!["A41.9", "J18.9", "E11.9"]);
    // The sequencing change stands: J18.9 and A41.9 wrong (principal in one
    // version only), E11.9 right: 1/3; principal changed.
    assert_eq!((s.dx_codes, s.dx_errors), (3, 2));
    assert_eq!(s.principal_changed, Some(true));
}

fn the_selection_rules_are_deterministic_and_each_names_its_reason(stores: &Stores) {
    let mut store = stores.open();
    team(&mut store);
    store
        .write(|tx| {
            quality::set_setting(tx, me(), "new_coder_charts", "2")?;
            quality::set_setting(tx, me(), "sample_percent", "0")?;
            quality::set_setting(tx, me(), "drgs", "194")?;
            quality::set_setting(tx, me(), "principal_dx", "A41")?;
            quality::set_setting(tx, me(), "acknowledged_warnings", "true")
        })
        .unwrap();
    let mut ids = Vec::new();
    for (i, (pdx, extra)) in [
        ("J02.9", None),
        ("J02.9", None),
        ("J02.9", None),
        ("A41.9", None),
        ("J18.9", Some("N17.9")),
        ("J02.9", None),
    ]
    .iter()
    .enumerate()
    {
        let etype = match extra {
            Some(_) => EncounterType::Inpatient,
            None => EncounterType::Clinic,
        };
        let id = add(&mut store, &chart(&format!("S-{i}"), etype, "2026-03-04"));
        let mut dx = vec![(*pdx, Poa::Yes)];
        if let Some(e) = extra {
            dx.push((e, Poa::Yes));
        }
        code_chart(&mut store, id, "carl", &dx, &[]);
        ids.push(id);
    }
    // The last chart: a warning acknowledged (written as the coder would).
    store
        .conn()
        .execute(
            "INSERT INTO acknowledgements (chart_id, finding_key, message, actor, at)
             VALUES (?1, 'k', 'm', 'carl', 'x')",
            [ids[5]],
        )
        .unwrap();
    let q = review::queue(store.conn(), None).unwrap();
    let got: Vec<(i64, Vec<String>)> = q.iter().map(|e| (e.chart_id, e.reasons.clone())).collect();
    assert_eq!(
        got,
        vec![
            (
                ids[0],
                vec!["new coder: chart 1 of the first 2".to_string()]
            ),
            (
                ids[1],
                vec!["new coder: chart 2 of the first 2".to_string()]
            ),
            (ids[3], vec!["principal diagnosis A41.9 listed".to_string()]),
            (ids[4], vec!["DRG 194 listed".to_string()]),
            (ids[5], vec!["warnings acknowledged".to_string()]),
        ]
    );
    // The random draw: the same seed draws the same charts, about N% of them.
    store
        .write(|tx| {
            quality::set_setting(tx, me(), "new_coder_charts", "0")?;
            quality::set_setting(tx, me(), "drgs", "")?;
            quality::set_setting(tx, me(), "principal_dx", "")?;
            quality::set_setting(tx, me(), "acknowledged_warnings", "false")?;
            quality::set_setting(tx, me(), "sample_percent", "50")
        })
        .unwrap();
    let drawn = |s: &Store| -> Vec<i64> {
        review::queue(s.conn(), None)
            .unwrap()
            .iter()
            .map(|e| e.chart_id)
            .collect()
    };
    let first = drawn(&store);
    assert_eq!(first, drawn(&store), "deterministic");
    let expected: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| chartcoder::domain::sample_point(1, *id) < 5000)
        .collect();
    assert_eq!(first, expected);
    // The single-CC/MCC target asks the grouper (here: a chart with N17.9).
    store
        .write(|tx| quality::set_setting(tx, me(), "sample_percent", "0"))
        .unwrap();
    let single = |c: &Chart| c.diagnoses.iter().filter(|d| d.code == "N17.9").count() == 1;
    let q = review::queue(store.conn(), Some(&single)).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].chart_id, ids[4]);
    assert_eq!(q[0].reasons, vec!["DRG on a single CC/MCC".to_string()]);
}

// ---------------------------------------------------------------------------
// The reports against fixtures computed by hand

/// Rows written straight into the tables the reports read.
fn sql(store: &Store, text: &str) {
    store.conn().execute_batch(text).unwrap();
}

fn fixture_charts(store: &Store, n: i64) {
    sql(
        store,
        "INSERT INTO patients (mrn, name, birth_date, sex) VALUES ('P', 'Pat', '1950-01-01', 'F');",
    );
    for i in 1..=n {
        store
            .conn()
            .execute(
                "INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date,
                     discharge_date, status, created_at, updated_at)
                 VALUES (?1, ?2, 1, 'inpatient', '2026-01-01', '2026-01-01', 'coded', 'x', 'x')",
                chartcoder::params![i, format!("F-{i}")],
            )
            .unwrap();
    }
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a figure");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn accuracy_report_matches_the_hand_computed_fixture(stores: &Stores) {
    let store = stores.open();
    fixture_charts(&store, 7);
    // (chart, coder, coded_at, state, dx codes/errors, px codes/errors, principal changed, DRG changed)
    sql(
        &store,
        "INSERT INTO reviews (chart_id, coder, coded_at, reviewer, state, started_at,
             dx_codes, dx_errors, px_codes, px_errors, principal_changed, drg_changed) VALUES
         (1, 'ann', '2026-03-05T10:00:00Z', 'rita', 'closed', 'x', 5, 1, 2, 0, 0, 0),
         (2, 'ann', '2026-03-20T10:00:00Z', 'rita', 'closed', 'x', 4, 2, 0, 0, 1, 1),
         (3, 'ann', '2026-04-02T10:00:00Z', 'rita', 'closed', 'x', 6, 0, 3, 1, 0, NULL),
         (4, 'bob', '2026-03-10T10:00:00Z', 'rita', 'closed', 'x', 10, 0, 0, 0, 0, 0),
         (5, 'bob', '2026-04-15T10:00:00Z', 'rita', 'closed', 'x', 5, 1, 5, 0, 0, NULL),
         (6, 'bob', '2026-05-01T10:00:00Z', 'rita', 'closed', 'x', 3, 3, 0, 0, 1, 1),
         (7, 'ann', '2026-03-25T10:00:00Z', 'rita', 'in_review', 'x', NULL, NULL, NULL, NULL, NULL, NULL);",
    );
    let scope = Scope {
        from: Some(date("2026-03-01")),
        to: Some(date("2026-04-30")),
        coder: None,
    };
    let r = quality::accuracy(store.conn(), &scope).unwrap();
    assert_eq!(r.target, 95.0);
    // By hand. ann: rows 1-3: dx 15 codes, 3 errors = 80 %; px 5/1 = 80 %;
    // codes 20/4 = 80 %; principal 3 charts, 1 changed = 66.67 %; DRG 2 charts, 1 changed = 50 %.
    let (name, ann) = &r.by_coder[0];
    assert_eq!(name, "ann");
    assert_eq!((ann.charts, ann.dx_codes, ann.dx_errors), (3, 15, 3));
    close(ann.dx_accuracy, 80.0);
    close(ann.px_accuracy, 80.0);
    close(ann.code_accuracy, 80.0);
    close(ann.principal_accuracy, 200.0 / 3.0);
    close(ann.drg_accuracy, 50.0);
    assert_eq!(ann.meets_target, Some(false));
    // bob: rows 4-5 (6 is after the period): dx 15/1 = 93.33 %; px 5/0 = 100 %;
    // codes 20/1 = 95 % (meets 95); principal 2/0 = 100 %; DRG 1/0 = 100 %.
    let (name, bob) = &r.by_coder[1];
    assert_eq!(name, "bob");
    assert_eq!(bob.charts, 2);
    close(bob.dx_accuracy, 1400.0 / 15.0);
    close(bob.px_accuracy, 100.0);
    close(bob.code_accuracy, 95.0);
    close(bob.principal_accuracy, 100.0);
    close(bob.drg_accuracy, 100.0);
    assert_eq!(bob.meets_target, Some(true));
    // Overall: 5 charts; dx 30/4 = 86.67 %; px 10/1 = 90 %; codes 40/5 = 87.5 %;
    // principal 5/1 = 80 %; DRG 3/1 = 66.67 %.
    let o = &r.overall;
    assert_eq!(o.charts, 5);
    close(o.dx_accuracy, 2600.0 / 30.0);
    close(o.px_accuracy, 90.0);
    close(o.code_accuracy, 87.5);
    close(o.principal_accuracy, 80.0);
    close(o.drg_accuracy, 200.0 / 3.0);
    // Trend: March rows 1, 2, 4: dx 19/3, codes 21/3 = 85.71 %; April rows 3, 5:
    // dx 11/1, px 8/1 = 87.5 %, no DRG compared.
    assert_eq!(r.trend.len(), 2);
    assert_eq!(r.trend[0].0, "2026-03");
    close(r.trend[0].1.dx_accuracy, 1600.0 / 19.0);
    close(r.trend[0].1.code_accuracy, 600.0 / 7.0);
    assert_eq!(r.trend[1].0, "2026-04");
    close(r.trend[1].1.dx_accuracy, 1000.0 / 11.0);
    close(r.trend[1].1.px_accuracy, 87.5);
    assert_eq!(r.trend[1].1.drg_accuracy, None);
    // One coder: bob's figures alone.
    let only_bob = quality::accuracy(
        store.conn(),
        &Scope {
            coder: Some("bob".into()),
            ..scope
        },
    )
    .unwrap();
    assert_eq!(only_bob.overall, *bob);
    assert_eq!(only_bob.by_coder.len(), 1);
}

fn productivity_report_matches_the_hand_computed_fixture(stores: &Stores) {
    let store = stores.open();
    fixture_charts(&store, 12);
    sql(
        &store,
        "INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds) VALUES
         (1, 'ann', 'inpatient', '2026-03-02T09:00:00Z', '2026-03-02', 1800),
         (2, 'ann', 'inpatient', '2026-03-02T10:00:00Z', '2026-03-02', 1800),
         (3, 'ann', 'inpatient', '2026-03-03T09:00:00Z', '2026-03-03', 1200),
         (4, 'ann', 'professional', '2026-03-03T10:00:00Z', '2026-03-03', 300),
         (5, 'ann', 'professional', '2026-03-03T10:05:00Z', '2026-03-03', 300),
         (6, 'ann', 'professional', '2026-03-03T10:10:00Z', '2026-03-03', 300),
         (7, 'ann', 'professional', '2026-03-03T10:15:00Z', '2026-03-03', 300),
         (8, 'bob', 'clinic', '2026-03-04T09:00:00Z', '2026-03-04', 600),
         (9, 'bob', 'clinic', '2026-03-04T09:10:00Z', '2026-03-04', 600),
         (10, 'bob', 'inpatient', '2026-05-01T09:00:00Z', '2026-05-01', 1000);",
    );
    let scope = Scope {
        from: Some(date("2026-03-01")),
        to: Some(date("2026-04-30")),
        coder: None,
    };
    let r = quality::productivity(store.conn(), &scope).unwrap();
    // By hand (targets: inpatient 3/h, clinic 12/h, professional 12/h).
    // Overall: 9 charts in 7200 s = 2 h: 4.5/h; worth 3/3 + 4/12 + 2/12 = 1.5 h: 75 %.
    assert_eq!(r.overall.charts, 9);
    close(Some(r.overall.hours), 2.0);
    close(r.overall.charts_per_hour, 4.5);
    close(r.overall.percent_of_target, 75.0);
    // ann: 7 charts in 6000 s: 4.2/h, 14.29 min each; worth 1.3333 h of 1.6667: 80 %.
    let (name, ann) = &r.by_coder[0];
    assert_eq!(name, "ann");
    assert_eq!(ann.charts, 7);
    close(ann.charts_per_hour, 4.2);
    close(ann.minutes_per_chart, 100.0 / 7.0);
    close(ann.percent_of_target, 80.0);
    // bob: 2 clinic charts in 1200 s: 6/h, 50 % (the May chart is outside).
    let (name, bob) = &r.by_coder[1];
    assert_eq!(name, "bob");
    assert_eq!(bob.charts, 2);
    close(bob.charts_per_hour, 6.0);
    close(bob.percent_of_target, 50.0);
    // By type: inpatient 3 in 4800 s: 2.25/h of 3 = 75 %; clinic 6/h of 12 = 50 %;
    // professional 4 in 1200 s: 12/h = 100 %.
    let expected = [
        ("inpatient", 3, 2.25, 75.0),
        ("clinic", 2, 6.0, 50.0),
        ("professional", 4, 12.0, 100.0),
    ];
    assert_eq!(r.by_type.len(), expected.len());
    for ((t, o), (et, charts, per_hour, percent)) in r.by_type.iter().zip(expected) {
        assert_eq!((t.as_str(), o.charts), (et, charts));
        close(o.charts_per_hour, per_hour);
        close(o.percent_of_target, percent);
    }
    assert_eq!(r.by_type[0].1.target_per_hour, Some(3.0));
    assert_eq!(r.by_coder_and_type.len(), 3);
    // One coder.
    let only = quality::productivity(
        store.conn(),
        &Scope {
            coder: Some("bob".into()),
            ..scope
        },
    )
    .unwrap();
    assert_eq!(only.overall.charts, 2);
    // A manager's target moves the percentages: clinic 6/h makes bob 100 %.
    let mut store = store;
    store
        .write(|tx| quality::set_setting(tx, me(), "target_clinic", "6"))
        .unwrap();
    let r = quality::productivity(
        store.conn(),
        &Scope {
            coder: Some("bob".into()),
            ..Scope::default()
        },
    )
    .unwrap();
    // Without a period, bob's May inpatient chart counts too: 3 charts in
    // 2200 s; worth 2/6 + 1/3 = 0.6667 h of 0.6111: 109.09 %.
    assert_eq!(r.overall.charts, 3);
    close(
        r.overall.percent_of_target,
        (2.0 / 3.0) / (2200.0 / 3600.0) * 100.0,
    );
}

fn dnfb_report_matches_the_hand_computed_fixture(stores: &Stores) {
    let store = stores.open();
    sql(
        &store,
        "INSERT INTO patients (mrn, name, birth_date, sex) VALUES ('P', 'Pat', '1950-01-01', 'F');
         INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date, discharge_date,
                             status, claimed_by, created_at, updated_at) VALUES
         (1, 'A', 1, 'inpatient', '2026-06-28', '2026-06-29', 'ready', NULL, 'x', 'x'),
         (2, 'B', 1, 'inpatient', '2026-06-20', '2026-06-25', 'in_progress', 'ann', 'x', 'x'),
         (3, 'C', 1, 'inpatient', '2026-06-18', '2026-06-20', 'on_hold', 'bob', 'x', 'x'),
         (4, 'D', 1, 'inpatient', '2026-06-08', '2026-06-10', 'on_hold', 'bob', 'x', 'x'),
         (5, 'E', 1, 'inpatient', '2026-04-28', '2026-05-01', 'on_hold', 'bob', 'x', 'x'),
         (6, 'F', 1, 'inpatient', '2026-06-25', '2026-06-28', 'coded', NULL, 'x', 'x'),
         (7, 'G', 1, 'inpatient', '2026-06-12', '2026-06-15', 'reviewed', NULL, 'x', 'x'),
         (8, 'H', 1, 'inpatient', '2026-05-28', '2026-06-01', 'final', NULL, 'x', 'x'),
         (9, 'I', 1, 'inpatient', '2026-06-29', '2026-06-30', 'coded', NULL, 'x', 'x'),
         (10, 'J', 1, 'clinic', '2026-06-26', '2026-06-26', 'coded', NULL, 'x', 'x');
         INSERT INTO holds (chart_id, reason, created_by, created_at) VALUES
         (3, 'awaiting physician query #12', 'bob', 'x'),
         (4, 'awaiting documentation: discharge summary', 'bob', 'x'),
         (5, 'billing edit', 'bob', 'x');
         INSERT INTO chart_drgs (chart_id, drg, mdc, weight, grouper_version, completed_by, completed_at) VALUES
         (6, 194, 4, 1.5, 'v43.1', 'ann', 'x'),
         (7, 871, 18, 2.0, 'v43.1', 'bob', 'x'),
         (8, 329, 6, 3.0, 'v43.1', 'bob', 'x'),
         (9, 195, 4, 0.5, 'v43.1', 'bob', 'x');
         INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds) VALUES
         (6, 'ann', 'inpatient', '2026-06-29T10:00:00Z', '2026-06-29', 900);",
    );
    let r = quality::dnfb(store.conn(), &Scope::default(), date("2026-06-30"), 6000.0).unwrap();
    // By hand: A B C D E F G I J (H is final). Ages 1 5 10 20 60 2 15 0 4 days.
    // Amounts at 6000: F 9000, G 12000, I 3000 = 24000; six charts without a DRG.
    assert_eq!(r.total.total.charts, 9);
    close(Some(r.total.total.amount), 24000.0);
    assert_eq!(r.total.total.without_estimate, 6);
    close(r.mean_days, 13.0);
    let b: Vec<(u64, f64)> = r
        .total
        .buckets
        .iter()
        .map(|h| (h.charts, h.amount))
        .collect();
    // 0-3: A F I (12000); 4-7: B J; 8-14: C; 15-30: D G (12000); over 30: E.
    assert_eq!(
        b,
        vec![(3, 12000.0), (2, 0.0), (1, 0.0), (2, 12000.0), (1, 0.0)]
    );
    assert_eq!(r.buckets, vec!["0-3", "4-7", "8-14", "15-30", "over 30"]);
    // Not coded (DNFC): A B C D E.
    assert_eq!(r.not_coded.total.charts, 5);
    let s: Vec<(&str, u64, f64)> = r
        .by_status
        .iter()
        .map(|(s, l)| (s.as_str(), l.total.charts, l.total.amount))
        .collect();
    assert_eq!(
        s,
        vec![
            ("ready", 1, 0.0),
            ("in_progress", 1, 0.0),
            ("on_hold", 3, 0.0),
            ("coded", 3, 12000.0),
            ("reviewed", 1, 12000.0)
        ]
    );
    let h: Vec<(&str, Vec<u64>)> = r
        .by_hold
        .iter()
        .map(|(k, l)| (*k, l.buckets.iter().map(|b| b.charts).collect()))
        .collect();
    assert_eq!(
        h,
        vec![
            ("awaiting_query", vec![0, 0, 1, 0, 0]),
            ("awaiting_documentation", vec![0, 0, 0, 1, 0]),
            ("other_hold", vec![0, 0, 0, 0, 1])
        ]
    );
    // ann's: B (claimed) and F (completed): 2 charts, 9000.
    let ann = quality::dnfb(
        store.conn(),
        &Scope {
            coder: Some("ann".into()),
            ..Scope::default()
        },
        date("2026-06-30"),
        6000.0,
    )
    .unwrap();
    assert_eq!(ann.total.total.charts, 2);
    close(Some(ann.total.total.amount), 9000.0);
    // Discharged from June 15: C F G I J and B A (D on 06-10 and E out).
    let june = quality::dnfb(
        store.conn(),
        &Scope {
            from: Some(date("2026-06-15")),
            ..Scope::default()
        },
        date("2026-06-30"),
        6000.0,
    )
    .unwrap();
    assert_eq!(june.total.total.charts, 7);
}

fn time_on_chart_is_taken_from_the_audit_trail_at_completion(stores: &Stores) {
    let mut store = stores.open();
    let id = add(
        &mut store,
        &chart("T-1", EncounterType::Clinic, "2026-03-04"),
    );
    code_chart(&mut store, id, "carl", &[("J02.9", Poa::Exempt)], &[]);
    let (coder, etype, seconds): (String, String, i64) = store
        .conn()
        .query_row(
            "SELECT coder, encounter_type, seconds FROM chart_coding WHERE chart_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((coder.as_str(), etype.as_str()), ("carl", "clinic"));
    assert!((0..5).contains(&seconds), "{seconds} s in one transaction");
    let daily: i64 = store
        .conn()
        .query_row(
            "SELECT charts FROM coding_daily WHERE coder = 'carl'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(daily, 1);
}

fn time_on_chart_leaves_out_idle_gaps_and_earlier_work_by_hand(stores: &Stores) {
    let store = stores.open();
    fixture_charts(&store, 1);
    // carl's rows on chart 1 (and one of rita's, not his). The trail before
    // his previous completion is not this completion's work.
    sql(
        &store,
        "INSERT INTO audit (at, actor, chart_id, action) VALUES
         ('2026-03-02T08:00:00Z', 'carl', 1, 'claim'),
         ('2026-03-02T08:30:00Z', 'carl', 1, 'complete'),
         ('2026-03-02T09:00:00Z', 'carl', 1, 'view'),
         ('2026-03-02T09:01:00Z', 'carl', 1, 'add_diagnosis'),
         ('2026-03-02T09:01:30Z', 'rita', 1, 'view'),
         ('2026-03-02T09:02:00Z', 'carl', 1, 'set_poa'),
         ('2026-03-02T09:22:00Z', 'carl', 1, 'add_diagnosis'),
         ('2026-03-02T09:22:30Z', 'carl', 1, 'complete');",
    );
    quality::record_completion(store.conn(), 1, "carl", "2026-03-02T09:22:30Z", None).unwrap();
    // By hand: 09:00 -> 09:01 (60 s), -> 09:02 (60 s), -> 09:22 (20 min:
    // over the 15-minute lock, left out), -> 09:22:30 (30 s) = 150 s.
    let seconds: i64 = store
        .conn()
        .query_row(
            "SELECT seconds FROM chart_coding WHERE chart_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seconds, 150);
}

#[test]
fn upgrading_times_the_completions_already_in_the_trail() {
    use chartcoder::store::migrations::MIGRATIONS;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("before-review.db");
    // The schema as it was before migration 9 (coding quality: chart_coding);
    // opening the store applies 9 and every later one.
    let before = 8;
    assert!(MIGRATIONS.len() > before);
    {
        let db = chartcoder::store::sql::Db::open_sqlite(&path).unwrap();
        let tx = db.transaction().unwrap();
        for m in &MIGRATIONS[..before] {
            m.apply(&tx).unwrap();
        }
        tx.execute_batch(&format!("PRAGMA user_version = {before}"))
            .unwrap();
        tx.execute_batch(
            "INSERT INTO patients (mrn, name, birth_date, sex) VALUES ('P', 'Pat', '1950-01-01', 'F');
             INSERT INTO charts (account, patient_id, encounter_type, admit_date, discharge_date,
                                 status, created_at, updated_at)
             VALUES ('OLD-1', 1, 'emergency', '2026-02-01', '2026-02-01', 'coded', 'x', 'x');
             INSERT INTO audit (at, actor, chart_id, action) VALUES
             ('2026-02-02T10:00:00Z', 'dana', 1, 'claim'),
             ('2026-02-02T10:04:00Z', 'dana', 1, 'add_diagnosis'),
             ('2026-02-02T10:05:00Z', 'dana', 1, 'complete');",
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path, &chartcoder::store::StoreOptions::default()).unwrap();
    let row: (String, String, i64) = store
        .conn()
        .query_row(
            "SELECT coder, day, seconds FROM chart_coding WHERE chart_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(row, ("dana".to_string(), "2026-02-02".to_string(), 300));
    let r = quality::productivity(store.conn(), &Scope::default()).unwrap();
    assert_eq!(r.overall.charts, 1);
}

/// A manager makes a chart final while a reviewer starts its review: the
/// review waits for the manager's transaction and is refused, never opened
/// on a final chart (SQLite: the writers take turns; PostgreSQL: the chart's
/// row lock). `second` is another connection to `store`'s database.
fn a_review_never_starts_on_a_chart_being_made_final(mut store: Store) {
    team(&mut store);
    let id = add(
        &mut store,
        &chart("RACE-1", EncounterType::Inpatient, "2026-03-04"),
    );
    code_chart(&mut store, id, "carl", &[("J18.9", Poa::Yes)], &[]);
    let mut second = store.reopen().unwrap().unwrap();
    let (finalized, finalized_rx) = std::sync::mpsc::channel();
    let manager = std::thread::spawn(move || {
        store
            .write(|tx| {
                review::finalize(tx, id, "mona")?;
                // Made final, not committed yet: the reviewer starts now.
                finalized.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                Ok(())
            })
            .unwrap();
        store
    });
    finalized_rx.recv().unwrap();
    let started = second.write(|tx| review::start(tx, id, "rita"));
    let store = manager.join().unwrap();
    refused(started.unwrap_err(), "only a coded chart is reviewed");
    assert_eq!(status(&store, id), "final");
    assert!(review::open_review(store.conn(), id).unwrap().is_none());
}

#[test]
fn a_review_never_starts_on_a_chart_being_made_final_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    a_review_never_starts_on_a_chart_being_made_final(
        Store::open(&path, &chartcoder::store::StoreOptions::default()).unwrap(),
    );
}

#[test]
fn a_review_never_starts_on_a_chart_being_made_final_postgres() {
    if let Some(db) = common::pg::TestPg::new("review") {
        a_review_never_starts_on_a_chart_being_made_final(db.store());
    }
}
