//! Import / export: round trips, all-or-nothing imports with positioned errors,
//! and the demo answer key.

#[macro_use]
mod common;

use chartcoder::demo;
use chartcoder::domain::{Chart, ChartStatus};
use chartcoder::interchange::{self, ImportError, json};
use chartcoder::store::Store;
use serde_json::Value;

fn export_json(store: &Store, status: Option<ChartStatus>) -> Vec<u8> {
    let charts = interchange::load_charts(store, status).unwrap();
    let mut out = Vec::new();
    json::write_charts(&charts, &mut out).unwrap();
    out
}

fn parsed(bytes: &[u8]) -> Vec<Chart> {
    json::parse_charts(bytes)
        .unwrap_or_else(|p| panic!("{p:#?}"))
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

both_stores! {
    fn import_export_import_gives_the_same_charts(stores: &Stores) {
        let original = parsed(demo::DEMO_CHARTS_JSON.as_bytes());
        let mut first = stores.open();
        interchange::import_json(&mut first, demo::DEMO_CHARTS_JSON.as_bytes(), "amy").unwrap();
        let exported = export_json(&first, None);
        assert_eq!(parsed(&exported), original, "export = what was imported");

        let mut second = stores.open();
        let n = interchange::import_json(&mut second, &exported, "amy").unwrap();
        assert_eq!(n, original.len());
        let again = export_json(&second, None);
        assert_eq!(again, exported, "a second round trip is byte-identical");
        // Patients shared between charts stay one patient.
        assert_eq!(count(&first, "patients"), count(&second, "patients"));
        assert!(
            count(&first, "patients") < original.len() as i64,
            "the demo has patients with several encounters"
        );
    }
}

both_stores! {
    fn export_by_status_selects_only_that_status(stores: &Stores) {
        let mut store = stores.open();
        demo::seed(&mut store).unwrap();
        let coded = parsed(&export_json(&store, Some(ChartStatus::Coded)));
        assert!(!coded.is_empty());
        assert!(coded.iter().all(|c| c.status == ChartStatus::Coded));
        assert!(
            coded.iter().all(|c| !c.diagnoses.is_empty()),
            "coded demo charts carry their codes"
        );
    }
}

both_stores! {
    fn every_import_writes_an_audit_row_per_chart(stores: &Stores) {
        let mut store = stores.open();
        let n = demo::seed(&mut store).unwrap() as i64;
        let rows: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit WHERE action = 'chart_imported' AND actor = 'chartcoder'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, n);
        let id = chartcoder::store::charts::chart_id_for_account(store.conn(), "A26110203")
            .unwrap()
            .unwrap();
        let trail = chartcoder::store::audit::for_chart(store.conn(), id).unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(
            (trail[0].actor.as_str(), trail[0].action.as_str()),
            ("chartcoder", "chart_imported")
        );
        assert_eq!(trail[0].chart_id, Some(id));
        assert!(trail[0].at.ends_with('Z'), "UTC time: {}", trail[0].at);
    }
}

const BAD_FILE: &str = r#"{"charts": [
  {"account": "X1", "mrn": "MX1",
   "patient": {"name": "Pat One", "birth_date": "1950-02-30", "sex": "F"},
   "encounter": {"type": "inpatient", "admit_date": "2026-11-01"},
   "diagnoses": [{"code": "150.9", "poa": "Y"}, {"code": "J18.9", "poa": "Q"}]},
  {"account": "X2", "mrn": "MX2",
   "patient": {"name": "Pat Two", "birth_date": "1950-01-01", "sex": "F"},
   "encounter": {"type": "clinic", "admit_date": "2026-11-01"},
   "diagnoses": [{"code": "J06.9"}],
   "procedures": [{"code": "99213", "pointers": ["A", "C"], "modifiers": ["25", "TOOLONG"]}]},
  {"account": "X3", "mrn": "MX3",
   "patient": {"name": "Pat Three", "birth_date": "1950-01-01", "sex": "F"},
   "encounter": {"type": "clinic", "admit_date": "2026-11-01"}},
  {"account": "X3", "mrn": "MX4",
   "patient": {"name": "Pat Four", "birth_date": "1950-01-01", "sex": "M"},
   "encounter": {"type": "clinic", "admit_date": "2026-11-01"}},
  {"account": "X5", "mrn": "MX5",
   "patient": {"name": "Pat Five", "birth_date": "1950-01-01", "sex": "F"},
   "encounter": {"type": "clinic", "admit_date": "2026-11-01", "discharge_date": 20261101}}
]}"#;

both_stores! {
    fn a_bad_file_imports_nothing_and_names_every_problem_with_its_position(stores: &Stores) {
        let mut store = stores.open();
        let err = interchange::import_json(&mut store, BAD_FILE.as_bytes(), "amy").unwrap_err();
        let ImportError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let expect = [
            "charts[0] (line 2) patient.birth_date: is not a date",
            "charts[0] (line 2) encounter.discharge_date: is required for an inpatient stay",
            "charts[0] (line 2) diagnoses[0].code: \"150.9\" is not an ICD-10-CM code",
            "charts[0] (line 2) diagnoses[1].poa: \"Q\" is not a valid POA indicator",
            "charts[1] (line 6) procedures[0].pointers[1]: points past the chart's 1 diagnoses",
            "charts[1] (line 6) procedures[0].modifiers[1]: \"TOOLONG\" is not a modifier",
            "charts[3] (line 14) account: the same account as charts[2] (line 11)",
            "charts[4] (line 19) encounter.discharge_date: invalid type: integer",
        ];
        for e in expect {
            assert!(
                lines.iter().any(|l| l.starts_with(e)),
                "missing {e:?} in\n{}",
                lines.join("\n")
            );
        }
        assert_eq!(lines.len(), expect.len(), "{}", lines.join("\n"));
        assert!(
            err.to_string()
                .starts_with("nothing was imported; 8 problem(s)"),
            "{err}"
        );
        assert_eq!(count(&store, "charts"), 0);
        assert_eq!(count(&store, "audit"), 0);
    }
}

both_stores! {
    fn problems_never_echo_names_or_birth_dates(stores: &Stores) {
        let mut store = stores.open();
        let err = interchange::import_json(&mut store, BAD_FILE.as_bytes(), "amy")
            .unwrap_err()
            .to_string();
        for phi in ["Pat One", "Pat Four", "1950-02-30", "MX1", "20261101"] {
            assert!(!err.contains(phi), "{phi} leaked: {err}");
        }
    }
}

both_stores! {
    fn a_duplicate_of_a_stored_account_is_reported_not_merged(stores: &Stores) {
        let mut store = stores.open();
        demo::seed(&mut store).unwrap();
        let before = count(&store, "charts");
        let mut charts: Value = serde_json::from_str(demo::DEMO_CHARTS_JSON).unwrap();
        let arr = charts["charts"].as_array_mut().unwrap();
        let dup = arr[3].clone();
        let mut fresh = arr[4].clone();
        fresh["account"] = "NEW0001".into();
        fresh["mrn"] = "NEWMRN01".into();
        *arr = vec![fresh, dup];
        let bytes = serde_json::to_vec_pretty(&charts).unwrap();
        let err = interchange::import_json(&mut store, &bytes, "amy").unwrap_err();
        // An account already on file is a problem of the file, named by position.
        let ImportError::Invalid(problems) = &err else {
            panic!("{err}")
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].position.starts_with("charts[1]"),
            "{}",
            problems[0]
        );
        assert!(
            problems[0].message.contains("already in the database"),
            "{}",
            problems[0]
        );
        assert_eq!(
            count(&store, "charts"),
            before,
            "the good chart was not imported either"
        );
    }
}

both_stores! {
    fn an_mrn_on_file_for_another_patient_is_refused(stores: &Stores) {
        let mut store = stores.open();
        demo::seed(&mut store).unwrap();
        let mut charts: Value = serde_json::from_str(demo::DEMO_CHARTS_JSON).unwrap();
        let mut c = charts["charts"][0].clone();
        c["account"] = "NEW0002".into();
        c["patient"]["birth_date"] = "1990-01-01".into();
        charts["charts"] = Value::Array(vec![c]);
        let err = interchange::import_json(&mut store, &serde_json::to_vec(&charts).unwrap(), "amy")
            .unwrap_err();
        assert!(err.to_string().contains("MRN is already on file"), "{err}");
    }
}

#[test]
fn invalid_utf8_and_broken_json_are_refused_with_a_line() {
    let mut bytes = b"{\"charts\": [\n  {\"account\": \"A\xff\"}\n]}".to_vec();
    let problems = json::parse_charts(&bytes).unwrap_err();
    assert_eq!(problems[0].position, "line 2");
    assert!(problems[0].message.contains("UTF-8"));
    bytes = b"{\"charts\": [\n\n  {,}]}".to_vec();
    let problems = json::parse_charts(&bytes).unwrap_err();
    assert!(
        problems[0].position.starts_with("line 3"),
        "{:?}",
        problems[0]
    );
    let problems = json::parse_charts(b"[]").unwrap_err();
    assert!(
        problems[0].message.contains("{\"charts\": [...]}"),
        "{:?}",
        problems[0]
    );
}

both_stores! {
    fn csv_export_has_one_row_per_code(stores: &Stores) {
        let mut store = stores.open();
        demo::seed(&mut store).unwrap();
        let charts = interchange::load_charts(&store, Some(ChartStatus::Final)).unwrap();
        let mut out = Vec::new();
        interchange::csv::write_codes(&charts, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
        let codes: usize = charts
            .iter()
            .map(|c| c.diagnoses.len() + c.procedures.len())
            .sum();
        assert_eq!(records.len(), codes);
        let harold: Vec<&csv::StringRecord> = records.iter().filter(|r| &r[0] == "A26030417").collect();
        let dx: Vec<(&str, &str)> = harold
            .iter()
            .filter(|r| &r[7] == "dx")
            .map(|r| (&r[9], &r[11]))
            .collect();
        assert_eq!(
            dx,
            [
                ("I11.0", "Y"),
                ("I50.23", "Y"),
                ("E78.5", "Y"),
                ("Z87.891", "1")
            ]
        );
    }
}

// ---- the answer key

/// The codes of one list ("diagnoses" or "procedures") of an answer-key entry.
fn key_codes<'a>(entry: &'a Value, list: &str) -> Vec<&'a str> {
    entry[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect()
}

fn answer_key() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/demo_answer_key.json"
    ))
    .unwrap();
    let key: Value = serde_json::from_str(&text).unwrap();
    key["charts"].as_array().unwrap().clone()
}

#[test]
fn the_answer_key_covers_every_demo_chart_and_a_quarter_need_a_query() {
    let charts = parsed(demo::DEMO_CHARTS_JSON.as_bytes());
    let key = answer_key();
    assert_eq!(key.len(), charts.len());
    for (k, c) in key.iter().zip(&charts) {
        assert_eq!(k["account"], c.account.as_str());
        assert!(
            !k["diagnoses"].as_array().unwrap().is_empty(),
            "{} has no diagnosis in the key",
            c.account
        );
    }
    let queries = key.iter().filter(|k| !k["query"].is_null()).count();
    let share = queries as f64 / key.len() as f64;
    assert!(
        (0.2..=0.3).contains(&share),
        "{queries} of {} charts need a query",
        key.len()
    );
}

both_stores! {
    fn coding_the_demo_with_its_answer_key_round_trips_through_the_store(stores: &Stores) {
        let mut file: Value = serde_json::from_str(demo::DEMO_CHARTS_JSON).unwrap();
        let key = answer_key();
        for (chart, k) in file["charts"].as_array_mut().unwrap().iter_mut().zip(&key) {
            chart["diagnoses"] = k["diagnoses"].clone();
            chart["procedures"] = k["procedures"].clone();
            chart["status"] = "coded".into();
        }
        let bytes = serde_json::to_vec(&file).unwrap();
        let mut store = stores.open();
        interchange::import_json(&mut store, &bytes, "amy").unwrap_or_else(|e| panic!("{e}"));
        let stored = interchange::load_charts(&store, Some(ChartStatus::Coded)).unwrap();
        assert_eq!(stored.len(), key.len());
        for (c, k) in stored.iter().zip(&key) {
            let codes: Vec<&str> = c.diagnoses.iter().map(|d| d.code.as_str()).collect();
            let expected = key_codes(k, "diagnoses");
            assert_eq!(codes, expected, "{}", c.account);
            let px: Vec<&str> = c.procedures.iter().map(|p| p.code.as_str()).collect();
            let expected = key_codes(k, "procedures");
            assert_eq!(px, expected, "{}", c.account);
            let edition = if c.encounter.discharge_date
                >= chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
            {
                "FY2027"
            } else {
                "FY2026"
            };
            assert!(
                c.diagnoses.iter().all(|d| d.edition == edition),
                "{}",
                c.account
            );
        }
    }
}

#[test]
fn charts_already_coded_in_the_demo_match_their_answer_key() {
    let charts = parsed(demo::DEMO_CHARTS_JSON.as_bytes());
    let key = answer_key();
    let mut checked = 0;
    for (c, k) in charts.iter().zip(&key) {
        if c.diagnoses.is_empty() {
            assert_eq!(
                c.status,
                ChartStatus::Ready,
                "{} has no codes but is {}",
                c.account,
                c.status
            );
            continue;
        }
        let codes: Vec<&str> = c.diagnoses.iter().map(|d| d.code.as_str()).collect();
        let expected = key_codes(k, "diagnoses");
        assert_eq!(codes, expected, "{}", c.account);
        checked += 1;
    }
    assert!(checked >= 6, "prior encounters are coded");
}
