//! `chartcoder report cmi` on a hand-computed fixture, `group --account`,
//! and the case mix index behind R on the queue. The report's figures and R
//! on the queue are checked on both stores; the commands on an SQLite file.
//!
//! The fixture: completed inpatient charts with final DRGs weighted from the
//! FY2026 IPPS Table 5 (329 = 4.5965, 331 = 1.6829, 871 = 1.9425) and one
//! v44.0 chart without a weight (DRG 291), completed by amy and bob:
//!
//! | chart | discharge  | coder | DRG | weight |
//! |-------|------------|-------|-----|--------|
//! | A     | 2026-04-10 | amy   | 329 | 4.5965 |
//! | B     | 2026-04-20 | amy   | 331 | 1.6829 |
//! | C     | 2026-05-05 | bob   | 329 | 4.5965 |
//! | D     | 2026-05-06 | bob   | 871 | 1.9425 |
//! | E     | 2026-05-07 | bob   | 329 | 4.5965 |
//! | F     | 2026-10-05 | amy   | 291 | -      |
//!
//! plus G, a coded inpatient chart of 2026-05-08 without a stored DRG, H a
//! coded clinic visit, and I an inpatient chart still in progress (with a
//! DRG in the file, which a chart not completed does not count with).
//!
//! By hand: overall 6 charts, 5 weighted, total 4.5965 x 3 + 1.6829 + 1.9425
//! = 17.4149, CMI 17.4149 / 5 = 3.48298 -> 3.4830. April: 2, total 6.2794,
//! CMI 3.1397. May: 3, total 11.1355, CMI 3.71183 -> 3.7118. October: 1, no
//! weight, CMI n/a. amy: 3 charts, 2 weighted, 6.2794, 3.1397; bob: 3,
//! 11.1355, 3.7118. Top by count: 329 (3), then 291, 331, 871 (1 each, by
//! number). Top by weight: 329 13.7895, 871 1.9425, 331 1.6829, 291 0.
//! May only: 3 charts, CMI 3.7118, one chart (G) without a DRG.

mod common;

use chartcoder::drg::case_mix;
use chartcoder::store::{Store, StoreOptions};
use common::pg_both::{Stores, on_both_stores};
use common::run_chartcoder;

on_both_stores!(
    the_case_mix_index_matches_the_hand_computed_fixture,
    r_on_the_queue_offers_the_case_mix_index,
);

fn chart(
    account: &str,
    discharge: &str,
    status: &str,
    kind: &str,
    drg: Option<(u16, Option<f64>, &str)>,
) -> String {
    let drg = match drg {
        Some((n, w, v)) => format!(
            r#", "drg": {{"drg": {n}, "mdc": 6, {}"grouper_version": "{v}"}}"#,
            w.map(|w| format!(
                r#""weight": {w}, "table5_edition": "FY2026 IPPS Final Rule Table 5", "#
            ))
            .unwrap_or_default()
        ),
        None => String::new(),
    };
    format!(
        r#"{{"account": "{account}", "mrn": "M{account}", "status": "{status}",
  "patient": {{"name": "Patient {account}", "birth_date": "1950-01-01", "sex": "F"}},
  "encounter": {{"type": "{kind}", "admit_date": "{discharge}", "discharge_date": "{discharge}", "disposition": "01"}},
  "diagnoses": [{{"code": "C18.7", "poa": "Y"}}]{drg}}}"#
    )
}

fn import(store: &mut Store, charts: &[String], actor: &str) {
    let json = format!(r#"{{"charts": [{}]}}"#, charts.join(","));
    chartcoder::interchange::import_json(store, json.as_bytes(), actor).unwrap();
}

fn fixture(store: &mut Store) {
    let t5 = "v43.1";
    import(
        store,
        &[
            chart(
                "A",
                "2026-04-10",
                "coded",
                "inpatient",
                Some((329, Some(4.5965), t5)),
            ),
            chart(
                "B",
                "2026-04-20",
                "final",
                "inpatient",
                Some((331, Some(1.6829), t5)),
            ),
            chart(
                "F",
                "2026-10-05",
                "coded",
                "inpatient",
                Some((291, None, "v44.0")),
            ),
        ],
        "amy",
    );
    import(
        store,
        &[
            chart(
                "C",
                "2026-05-05",
                "coded",
                "inpatient",
                Some((329, Some(4.5965), t5)),
            ),
            chart(
                "D",
                "2026-05-06",
                "reviewed",
                "inpatient",
                Some((871, Some(1.9425), t5)),
            ),
            chart(
                "E",
                "2026-05-07",
                "coded",
                "inpatient",
                Some((329, Some(4.5965), t5)),
            ),
            chart("G", "2026-05-08", "coded", "inpatient", None),
            chart("H", "2026-05-09", "coded", "clinic", None),
            chart(
                "I",
                "2026-05-10",
                "in_progress",
                "inpatient",
                Some((329, Some(4.5965), t5)),
            ),
        ],
        "bob",
    );
}

/// Where the commands run: a home folder and the `--db` they are given (an
/// SQLite file, or a PostgreSQL database's URL).
struct Cli {
    home: tempfile::TempDir,
    db: String,
}

impl Cli {
    /// An SQLite file in a new home folder, and the store on it.
    fn sqlite(name: &str) -> (Cli, Store) {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(name);
        let store = Store::open(&path, &StoreOptions::default()).unwrap();
        let db = path.to_str().unwrap().to_string();
        (Cli { home, db }, store)
    }

    /// A PostgreSQL database's URL, with a new home folder.
    fn postgres(db: &common::pg::TestPg) -> Cli {
        Cli {
            home: tempfile::tempdir().unwrap(),
            db: db.url(),
        }
    }

    fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["--db", self.db.as_str()];
        all.extend_from_slice(args);
        let out = run_chartcoder(self.home.path(), "amy", &all);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }
}

/// The whole-period report (`report cmi --json`) against the figures by hand.
fn check_whole_period(r: &serde_json::Value) {
    let f4 = |v: &serde_json::Value| format!("{:.4}", v.as_f64().unwrap());
    assert_eq!(r["overall"]["charts"], 6);
    assert_eq!(r["overall"]["weighted"], 5);
    assert_eq!(f4(&r["overall"]["total_weight"]), "17.4149");
    assert_eq!(f4(&r["overall"]["cmi"]), "3.4830");
    assert_eq!(r["without_drg"], 1);
    let months = r["by_month"].as_array().unwrap();
    let month = |i: usize| (months[i][0].as_str().unwrap(), &months[i][1]);
    assert_eq!(months.len(), 3);
    assert_eq!(month(0).0, "2026-04");
    assert_eq!(f4(&month(0).1["cmi"]), "3.1397");
    assert_eq!(month(1).0, "2026-05");
    assert_eq!(month(1).1["charts"], 3);
    assert_eq!(f4(&month(1).1["total_weight"]), "11.1355");
    assert_eq!(f4(&month(1).1["cmi"]), "3.7118");
    assert_eq!(month(2).0, "2026-10");
    assert!(month(2).1["cmi"].is_null());
    let coders = r["by_coder"].as_array().unwrap();
    assert_eq!(coders[0][0], "amy");
    assert_eq!(coders[0][1]["charts"], 3);
    assert_eq!(coders[0][1]["weighted"], 2);
    assert_eq!(f4(&coders[0][1]["cmi"]), "3.1397");
    assert_eq!(coders[1][0], "bob");
    assert_eq!(f4(&coders[1][1]["cmi"]), "3.7118");
    let drgs = |key: &str| -> Vec<u64> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["drg"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(drgs("top_by_count"), [329, 291, 331, 871]);
    assert_eq!(drgs("top_by_weight"), [329, 871, 331, 291]);
    assert_eq!(f4(&r["top_by_weight"][0]["total_weight"]), "13.7895");
}

/// The figures from the store, as the command computes them.
fn the_case_mix_index_matches_the_hand_computed_fixture(stores: &Stores) {
    let mut store = stores.open();
    fixture(&mut store);
    let (rows, without) = chartcoder::store::drg::case_mix_rows(store.conn(), None, None).unwrap();
    let report = case_mix::compute(&rows, without, None, None);
    check_whole_period(&serde_json::to_value(&report).unwrap());
    // May only: 3 charts, CMI 3.7118, G without a DRG; 329 twice (C, E).
    let (from, to) = (
        chrono::NaiveDate::from_ymd_opt(2026, 5, 1),
        chrono::NaiveDate::from_ymd_opt(2026, 5, 31),
    );
    let (rows, without) = chartcoder::store::drg::case_mix_rows(store.conn(), from, to).unwrap();
    assert_eq!(without, 1);
    let csv: Vec<String> = case_mix::csv_rows(&case_mix::compute(&rows, without, from, to))
        .iter()
        .map(|row| row.join(","))
        .collect();
    assert_eq!(csv[0], "overall,all,3,3,11.1355,3.7118");
    assert!(
        csv.contains(&"coder,bob,3,3,11.1355,3.7118".to_string()),
        "{csv:?}"
    );
    assert!(
        csv.contains(&"top_count,329,2,,9.1930,".to_string()),
        "{csv:?}"
    );
}

/// `report cmi` on the fixture in `store`, the database `cli` names.
fn the_cmi_command_prints_the_report_in_json_csv_and_text(cli: &Cli, mut store: Store) {
    fixture(&mut store);
    drop(store);
    let (code, out) = cli.run(&["report", "cmi", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    check_whole_period(&serde_json::from_str(&out).unwrap());

    // A period: May only.
    let (code, out) = cli.run(&[
        "report",
        "cmi",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-31",
        "--csv",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("section,key,charts,weighted,total_weight,cmi")
    );
    assert_eq!(lines.next(), Some("overall,all,3,3,11.1355,3.7118"));
    assert!(out.contains("coder,bob,3,3,11.1355,3.7118"), "{out}");
    assert!(out.contains("top_count,329,2,,9.1930,"), "{out}");

    // Text: the CMI, the charts left out and why, DRG titles.
    let (code, out) = cli.run(&["report", "cmi"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("CMI                  3.4830"), "{out}");
    assert!(out.contains("without a weight     1"), "{out}");
    assert!(out.contains("without a DRG        1"), "{out}");
    assert!(
        out.contains("Major Small and Large Bowel Procedures with MCC"),
        "{out}"
    );
}

/// `group --account` on charts stored in `store`, the database `cli` names.
fn group_account_groups_a_stored_chart_and_exits_by_outcome(cli: &Cli, mut store: Store) {
    let with = |account: &str, dx: &str| {
        format!(
            r#"{{"account": "{account}", "mrn": "M{account}",
  "patient": {{"name": "Patient {account}", "birth_date": "1950-01-01", "sex": "F"}},
  "encounter": {{"type": "inpatient", "admit_date": "2026-05-01", "discharge_date": "2026-05-10", "disposition": "01"}},
  "diagnoses": [{dx}], "procedures": [{{"code": "0DTN4ZZ"}}]}}"#
        )
    };
    import(
        &mut store,
        &[
            with(
                "OK1",
                r#"{"code": "C18.7", "poa": "Y"}, {"code": "J96.01", "poa": "Y"}"#,
            ),
            with("BAD1", r#"{"code": "W19.XXXA", "poa": "Y"}"#),
        ],
        "amy",
    );
    let (code, out) = cli.run(&["group", "--account", "OK1"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("OK1\tDRG 329\tMDC 06\t"), "{out}");
    assert!(out.contains("weight 4.5965"), "{out}");
    let (code, out) = cli.run(&["group", "--account", "OK1", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["final"]["drg"], 329);
    let (code, out) = cli.run(&["group", "--account", "BAD1"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("DRG 999"), "{out}");
    let (code, out) = cli.run(&["group", "--account", "NOPE"]);
    assert_eq!(code, Some(2), "{out}");
    // Grouping changed nothing stored: the chart is as imported, its view recorded.
    let id = chartcoder::store::charts::chart_id_for_account(store.conn(), "OK1")
        .unwrap()
        .unwrap();
    let chart = chartcoder::store::charts::load_chart(store.conn(), id).unwrap();
    assert_eq!(chart.final_drg, None);
    let trail = chartcoder::store::audit::for_chart(store.conn(), id).unwrap();
    assert!(
        trail
            .iter()
            .any(|a| a.action == "view" && a.detail == "group")
    );
}

fn r_on_the_queue_offers_the_case_mix_index(stores: &Stores) {
    use chartcoder::tui::app::{App, Mode};
    use crossterm::event::KeyCode;
    let mut store = stores.open();
    fixture(&mut store);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut app = App::new(store, "amy", today, 100, 40);
    common::press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.mode(), Mode::ReportMenu);
    common::press(&mut app, KeyCode::Char('c'));
    let Some((title, text)) = app.report() else {
        panic!("{:?}", app.mode());
    };
    assert!(title.contains("Case mix index"));
    assert!(text.contains("CMI                  3.4830"), "{text}");
    let terminal = common::draw(&app);
    assert!(common::row_of(&terminal, "Case mix index").is_some());
    common::press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn the_cmi_command_prints_the_report_in_json_csv_and_text_sqlite() {
    let (cli, store) = Cli::sqlite("cmi.db");
    the_cmi_command_prints_the_report_in_json_csv_and_text(&cli, store);
}

#[test]
fn the_cmi_command_prints_the_report_in_json_csv_and_text_postgres() {
    if let Some(db) = common::pg::TestPg::new("drg_report") {
        the_cmi_command_prints_the_report_in_json_csv_and_text(&Cli::postgres(&db), db.store());
    }
}

#[test]
fn group_account_groups_a_stored_chart_and_exits_by_outcome_sqlite() {
    let (cli, store) = Cli::sqlite("group.db");
    group_account_groups_a_stored_chart_and_exits_by_outcome(&cli, store);
}

#[test]
fn group_account_groups_a_stored_chart_and_exits_by_outcome_postgres() {
    if let Some(db) = common::pg::TestPg::new("drg_report") {
        group_account_groups_a_stored_chart_and_exits_by_outcome(&Cli::postgres(&db), db.store());
    }
}
