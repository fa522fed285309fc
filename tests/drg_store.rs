//! The final MS-DRG stored on completion: in the completion's transaction,
//! audited, loaded with the chart, exported (JSON and CSV) and imported back.

use chartcoder::domain::{ChartStatus, FinalDrg};
use chartcoder::interchange::{self, csv, json};
use chartcoder::store::{Store, audit, charts, coding, drg};
use common::pg_both::{Stores, on_both_stores};

mod common;

on_both_stores!(
    completion_stores_the_final_drg_with_its_audit_row,
    a_refused_completion_stores_no_drg,
    a_chart_without_a_weight_stores_none_and_the_schema_refuses_a_bad_drg,
    the_final_drg_is_exported_in_json_and_csv_and_imported_back,
    an_imported_drg_out_of_range_is_a_problem_of_the_file
);

const CHART: &str = r#"{"charts": [{"account": "D1", "mrn": "M1", "status": "ready",
  "patient": {"name": "Test Patient", "birth_date": "1950-01-01", "sex": "F"},
  "encounter": {"type": "inpatient", "admit_date": "2026-05-01", "discharge_date": "2026-05-10", "disposition": "01"},
  "diagnoses": [{"code": "C18.7", "poa": "Y"}, {"code": "J96.01", "poa": "Y"}],
  "procedures": [{"code": "0DTN4ZZ"}]}]}"#;

fn stored(stores: &Stores) -> (Store, i64) {
    let mut store = stores.open();
    interchange::import_json(&mut store, CHART.as_bytes(), "test").unwrap();
    let id = charts::chart_id_for_account(store.conn(), "D1")
        .unwrap()
        .unwrap();
    store.write(|tx| coding::claim(tx, id, "amy")).unwrap();
    (store, id)
}

/// DRG 329 with its FY2026 Table 5 weight (4.5965), as the chart screen hands it over.
fn drg_329() -> FinalDrg {
    FinalDrg {
        drg: 329,
        mdc: 6,
        weight: Some(4.5965),
        grouper_version: "v43.1".into(),
        table5_edition: Some("FY2026 IPPS Final Rule Table 5".into()),
    }
}

fn completion_stores_the_final_drg_with_its_audit_row(stores: &Stores) {
    let (mut store, id) = stored(stores);
    store
        .write(|tx| coding::complete(tx, id, "amy", &[], Some(&drg_329())))
        .unwrap();
    let chart = charts::load_chart(store.conn(), id).unwrap();
    assert_eq!(chart.status, ChartStatus::Coded);
    assert_eq!(chart.final_drg, Some(drg_329()));
    let trail = audit::for_chart(store.conn(), id).unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.action, "final_drg");
    assert_eq!(last.actor, "amy");
    for part in ["DRG 329", "MDC 06", "weight 4.5965", "v43.1", "FY2026"] {
        assert!(last.detail.contains(part), "{part} not in {}", last.detail);
    }
    assert_eq!(trail[trail.len() - 2].action, "complete");
    // The case mix report reads it, naming who completed the chart.
    let (rows, missing) = drg::case_mix_rows(store.conn(), None, None).unwrap();
    assert_eq!(missing, 0);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].drg, rows[0].weight), (329, Some(4.5965)));
    assert_eq!(rows[0].coder, "amy");
}

fn a_refused_completion_stores_no_drg(stores: &Stores) {
    let (mut store, id) = stored(stores);
    let err = store
        .write(|tx| {
            coding::complete(
                tx,
                id,
                "amy",
                &["an error edit remains: x".into()],
                Some(&drg_329()),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("an error edit remains"), "{err}");
    assert_eq!(drg::load_final(store.conn(), id).unwrap(), None);
    // Another coder cannot complete it either, and nothing is stored.
    assert!(
        store
            .write(|tx| coding::complete(tx, id, "bob", &[], Some(&drg_329())))
            .is_err()
    );
    assert_eq!(drg::load_final(store.conn(), id).unwrap(), None);
}

fn a_chart_without_a_weight_stores_none_and_the_schema_refuses_a_bad_drg(stores: &Stores) {
    let (mut store, id) = stored(stores);
    let v44 = FinalDrg {
        weight: None,
        table5_edition: None,
        grouper_version: "v44.0".into(),
        ..drg_329()
    };
    store
        .write(|tx| coding::complete(tx, id, "amy", &[], Some(&v44)))
        .unwrap();
    assert_eq!(drg::load_final(store.conn(), id).unwrap(), Some(v44));
    let detail = audit::for_chart(store.conn(), id)
        .unwrap()
        .last()
        .unwrap()
        .detail
        .clone();
    assert!(detail.contains("weight n/a"), "{detail}");
    let bad = FinalDrg {
        drg: 1000,
        ..drg_329()
    };
    assert!(
        store
            .write(|tx| drg::save_final(tx, id, &bad, "amy", "2026-11-22T00:00:00Z"))
            .is_err(),
        "DRG 1000 is refused by the schema"
    );
}

fn the_final_drg_is_exported_in_json_and_csv_and_imported_back(stores: &Stores) {
    let (mut store, id) = stored(stores);
    store
        .write(|tx| coding::complete(tx, id, "amy", &[], Some(&drg_329())))
        .unwrap();
    let charts = interchange::load_charts(&store, None).unwrap();
    let mut out = Vec::new();
    json::write_charts(&charts, &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let drg = &value["charts"][0]["drg"];
    assert_eq!(drg["drg"], 329);
    assert_eq!(drg["mdc"], 6);
    assert_eq!(drg["weight"], 4.5965);
    assert_eq!(drg["grouper_version"], "v43.1");
    assert_eq!(drg["table5_edition"], "FY2026 IPPS Final Rule Table 5");
    // Imported into another database, the chart keeps its DRG.
    let mut other = stores.open();
    interchange::import_json(&mut other, &out, "test").unwrap();
    let again = charts::chart_id_for_account(other.conn(), "D1")
        .unwrap()
        .unwrap();
    assert_eq!(
        charts::load_chart(other.conn(), again).unwrap().final_drg,
        Some(drg_329())
    );
    // CSV: five columns at the end of every row of the chart.
    let mut out = Vec::new();
    csv::write_codes(&charts, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",pointers,drg,mdc,drg_weight,grouper_version,table5_edition")
    );
    for row in lines {
        assert!(
            row.ends_with(",329,06,4.5965,v43.1,FY2026 IPPS Final Rule Table 5"),
            "{row}"
        );
    }
}

fn an_imported_drg_out_of_range_is_a_problem_of_the_file(stores: &Stores) {
    let bad = CHART.replace(
        r#""procedures": [{"code": "0DTN4ZZ"}]"#,
        r#""procedures": [{"code": "0DTN4ZZ"}], "drg": {"drg": 0, "mdc": 30, "grouper_version": "v43.1"}"#,
    );
    let mut store = stores.open();
    let err = interchange::import_json(&mut store, bad.as_bytes(), "test")
        .unwrap_err()
        .to_string();
    assert!(err.contains("drg.drg") && err.contains("drg.mdc"), "{err}");
}
