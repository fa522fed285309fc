//! The working MS-DRG on the chart screen: the header line, the diagnoses
//! pane's marks, the DRG analysis, and the recomputation on every change.
//! Expected DRGs, titles and weights are read from the official files
//! (`codesets/msdrg`: the grouper's titles, IPPS Table 5 FY2026), and the
//! severities from the grouper's diagnosis table, never from the engine.

mod common;

use chartcoder::store::Store;
use chartcoder::tui::app::{App, Mode, Screen};
use chrono::NaiveDate;
use common::{chart_of, codesets, draw, press, row_of, screen_line};
use crossterm::event::KeyCode;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// One inpatient chart: sigmoid colon cancer (C18.7, MDC 06) with a
/// laparoscopic sigmoid resection (0DTN4ZZ: `bowel`), acute respiratory
/// failure with hypoxia (J96.01: MCC), AKI (N17.9: CC), a carcinoid of the
/// sigmoid (C7A.025: a CC that C18.7's exclusion collection 301 lists) and
/// E11.65 (neither).
fn chart_json(discharge: &str, extra: &str) -> String {
    let admit = format!("{}01", &discharge[..8]);
    format!(
        r#"{{"charts": [{{"account": "D1", "mrn": "M1", "status": "ready",
  "patient": {{"name": "Test Patient", "birth_date": "1950-01-01", "sex": "F"}},
  "encounter": {{"type": "inpatient", "admit_date": "{admit}", "discharge_date": "{discharge}", "disposition": "01"}},
  "documents": [{{"kind": "other", "author": "Dr. A", "date": "{admit}", "text": "note"}}],
  "diagnoses": [{{"code": "C18.7", "poa": "Y"}}, {{"code": "J96.01", "poa": "Y"}},
                {{"code": "N17.9", "poa": "Y"}}, {{"code": "C7A.025", "poa": "Y"}},
                {{"code": "E11.65", "poa": "Y"}}{extra}],
  "procedures": [{{"code": "0DTN4ZZ"}}]}}]}}"#
    )
}

fn app_with(json: &str, width: u16, height: u16) -> App {
    let mut store = Store::open_in_memory().unwrap();
    chartcoder::interchange::import_json(&mut store, json.as_bytes(), "test").unwrap();
    let mut app = App::new(store, "amy", today(), width, height);
    app.install_codesets(codesets());
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Chart(_)));
    app
}

/// The FY2026 Table 5 row of a DRG: (title, weight with the cap, GMLOS), as
/// the file writes them.
fn table5(drg: &str) -> (String, String, String) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/codesets/msdrg/ipps_table5/table5_fy2026_final_rule.txt"
    ))
    .unwrap();
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let row = text
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect::<Vec<_>>())
        .find(|cols| cols.first() == Some(&drg))
        .unwrap();
    (row[5].to_string(), row[7].to_string(), row[8].to_string())
}

/// The grouper's title of a DRG for v43.x (`drg_descriptions.tsv`).
fn drg_title(drg: u16) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/codesets/msdrg/grouper/drg_descriptions.tsv"
    ))
    .unwrap();
    text.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|c| c[0] == drg.to_string() && c[1].parse::<u32>().unwrap() <= 431)
        .map(|c| c[3].to_string())
        .unwrap()
}

fn header(app: &App) -> String {
    let terminal = draw(app);
    screen_line(&terminal, row_of(&terminal, "MS-DRG").expect("no DRG line"))
}

fn row_with(app: &App, needle: &str) -> String {
    let terminal = draw(app);
    screen_line(&terminal, row_of(&terminal, needle).expect(needle))
}

#[test]
fn the_header_shows_the_working_drg_with_its_table5_weight() {
    let app = app_with(&chart_json("2026-05-10", ""), 140, 40);
    let (_, weight, gmlos) = table5("329");
    let expected = format!(
        " MS-DRG 329 {} · MDC 06 · RW {weight} · GMLOS {gmlos} · v43.1",
        drg_title(329)
    );
    assert_eq!(header(&app).trim_end(), expected.trim_end());
    // The MCC that sets the severity is starred; the CC counted is plain; the
    // CC the principal excludes says so; E11.65 has no mark.
    assert!(row_with(&app, "J96.01").contains("MCC*"));
    let n17 = row_with(&app, "N17.9");
    assert!(n17.contains(" CC ") && !n17.contains("CC*"), "{n17}");
    let carcinoid = row_with(&app, "C7A.025");
    assert!(
        carcinoid.contains("-CC") && carcinoid.contains("[excluded by the PDX]"),
        "{carcinoid}"
    );
    let e11 = row_with(&app, "E11.65");
    assert!(!e11.contains(" CC") && !e11.contains("-CC"), "{e11}");
}

#[test]
fn removing_the_mcc_regroups_at_once() {
    let mut app = app_with(&chart_json("2026-05-10", ""), 140, 40);
    press(&mut app, KeyCode::Tab); // diagnoses
    press(&mut app, KeyCode::Down); // J96.01
    assert_eq!(
        chart_of(&app).chart.diagnoses[chart_of(&app).dx].code,
        "J96.01"
    );
    press(&mut app, KeyCode::Char('x'));
    let (_, weight, _) = table5("330");
    assert!(
        header(&app).contains(&format!(
            "MS-DRG 330 {} · MDC 06 · RW {weight}",
            drg_title(330)
        )),
        "{}",
        header(&app)
    );
    // N17.9 now sets the severity.
    assert!(row_with(&app, "N17.9").contains("CC*"));
}

#[test]
fn the_drg_analysis_names_the_severity_driver_and_each_principal() {
    let mut app = app_with(&chart_json("2026-05-10", ""), 140, 40);
    press(&mut app, KeyCode::Char('D'));
    let Some(lines) = app.drg_analysis() else {
        panic!("no analysis: {:?}", app.message);
    };
    let text = lines.join("\n");
    // Every diagnosis appears as a principal, the current one first with its DRG.
    for code in ["C18.7", "J96.01", "N17.9", "C7A.025", "E11.65"] {
        assert!(
            lines.iter().any(|l| l.trim_start().starts_with(code)),
            "{code} missing:\n{text}"
        );
    }
    let first = lines
        .iter()
        .find(|l| l.trim_start().starts_with("C18.7"))
        .unwrap();
    assert!(
        first.contains("DRG 329") && first.contains("(now)"),
        "{first}"
    );
    // J96.01 alone drops the severity: without it N17.9 keeps a CC (330).
    let (_, weight, _) = table5("330");
    let driver = lines
        .iter()
        .find(|l| l.contains("without it"))
        .expect("no severity driver");
    assert!(
        driver.contains("J96.01") && driver.contains("DRG 330") && driver.contains(&weight),
        "{driver}"
    );
    assert_eq!(lines.iter().filter(|l| l.contains("without it")).count(), 1);
    let terminal = draw(&app);
    assert!(row_of(&terminal, "DRG analysis").is_some());
    // [keys.reading]: z is bound to nothing there; Esc closes.
    press(&mut app, KeyCode::Char('z'));
    assert_eq!(app.mode(), Mode::DrgAnalysis);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn v44_says_which_table5_is_missing_and_other_dates_are_not_grouped() {
    let app = app_with(&chart_json("2026-10-20", ""), 140, 40);
    let line = header(&app);
    assert!(line.contains("MS-DRG 329 "), "{line}");
    assert!(
        line.contains("weight n/a (no FY2027 IPPS Table 5 installed) · v44"),
        "{line}"
    );
    let app = app_with(&chart_json("2025-06-01", ""), 140, 40);
    assert!(
        header(&app).contains("not grouped: no MS-DRG definitions installed for 2025-06-01"),
        "{}",
        header(&app)
    );
}

#[test]
fn the_drg_line_fits_80x24_and_outpatient_charts_have_none() {
    let app = app_with(&chart_json("2026-05-10", ""), 80, 24);
    assert!(header(&app).starts_with(" MS-DRG 329 "));
    let outpatient = chart_json("2026-05-10", "")
        .replace("\"inpatient\"", "\"clinic\"")
        .replace("\"C18.7\", \"poa\": \"Y\"", "\"C18.7\"");
    let mut store = Store::open_in_memory().unwrap();
    chartcoder::interchange::import_json(&mut store, outpatient.as_bytes(), "t").unwrap();
    let mut app = App::new(store, "amy", today(), 80, 24);
    app.install_codesets(codesets());
    press(&mut app, KeyCode::Enter);
    assert!(row_of(&draw(&app), "MS-DRG").is_none());
    press(&mut app, KeyCode::Char('D'));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("inpatient charts only"),
        "{:?}",
        app.message
    );
}

#[test]
fn completing_the_chart_stores_its_working_drg() {
    let json = chart_json("2026-05-10", "").replace(
        r#", {"code": "C7A.025", "poa": "Y"},
                {"code": "E11.65", "poa": "Y"}"#,
        "",
    );
    let mut app = app_with(&json, 140, 40);
    let id = chart_of(&app).chart_id;
    let open: Vec<String> = chart_of(&app)
        .edits
        .as_ref()
        .unwrap()
        .iter()
        .filter(|f| chart_of(&app).open_finding(f))
        .map(|f| f.message.clone())
        .collect();
    assert!(open.is_empty(), "{open:?}");
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.screen, Screen::Queue(_)), "{:?}", app.message);
    let (_, weight, _) = table5("329");
    let stored = chartcoder::store::drg::load_final(app.store().conn(), id)
        .unwrap()
        .unwrap();
    assert_eq!((stored.drg, stored.mdc), (329, 6));
    assert_eq!(format!("{:.4}", stored.weight.unwrap()), weight);
    assert_eq!(stored.grouper_version, "v43.1");
    assert_eq!(
        stored.table5_edition.as_deref(),
        Some("FY2026 IPPS Final Rule Table 5")
    );
    assert!(
        app.message.as_deref().unwrap_or("").contains("DRG 329"),
        "{:?}",
        app.message
    );
}
