//! Second-level review and the quality reports in the workstation, driven by
//! keys in process, one app per user on one database file (the saver and
//! the readers on threads, as in the product): the coder codes, the
//! reviewer changes two codes with reasons and returns the chart, the coder
//! rebuts one change, a manager settles it and makes the chart final, and
//! the accuracy report shows the figures computed by hand below. The
//! refusals (one's own chart, a final chart changed, an unknown coder) say
//! why and change nothing. Snapshots of the review panel and each report at
//! 80x24 and 120x40.

mod common;

use chartcoder::domain::{Chart, ChartStatus, EncounterType, Poa, ReviewState, Role};
use chartcoder::store::{Store, StoreOptions, charts, review, users};
use chartcoder::tui::app::{App, Mode, Screen};
use chartcoder::tui::chart::Pane;
use chartcoder::tui::reports::{QualityReport, QualityTab};
use chrono::NaiveDate;
use common::date;
use common::{codesets, diagnoses, draw, key, row_of, screen_line};
use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn today() -> NaiveDate {
    date("2026-03-20")
}

/// An inpatient stay with one progress note.
fn stay(account: &str) -> Chart {
    let mut chart = common::sample::chart(
        account,
        EncounterType::Inpatient,
        "2026-03-01",
        "2026-03-04",
    );
    chart.documents = vec![chartcoder::domain::Document {
        kind: chartcoder::domain::DocumentKind::ProgressNote,
        author: "Dr Lee".into(),
        signed: true,
        date: date("2026-03-02"),
        title: None,
        text: "Pneumonia. Creatinine 2.9 on day 2: acute kidney injury.".into(),
    }];
    chart
}

/// A database file with two stays and the team: carl codes,
/// rita reviews, mona manages (the login, owner of the file, is a manager
/// by the site's policy and names them).
fn office() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let mut store = Store::open(&db, &StoreOptions::default()).unwrap();
    let me = chartcoder::identity::os_user();
    store
        .write(|tx| {
            users::add(tx, me, "carl", Role::Coder)?;
            users::add(tx, me, "rita", Role::Reviewer)?;
            users::add(tx, me, "mona", Role::Manager)?;
            charts::insert_chart(tx, &stay("R-1"), "2026-03-05T00:00:00Z")?;
            charts::insert_chart(tx, &stay("R-2"), "2026-03-05T00:00:00Z")
        })
        .unwrap();
    (dir, db)
}

/// The workstation of `user` on the database at `db`, the code sets in.
fn desk(db: &Path, user: &str, width: u16, height: u16) -> App {
    let store = Store::open(db, &StoreOptions::default()).unwrap();
    let mut app = App::new(store, user, today(), width, height);
    app.install_codesets(codesets());
    // The first page of the queue is read off the screen's thread.
    assert!(
        app.settle(Duration::from_secs(30)),
        "the queue did not land"
    );
    app
}

/// One key, and whatever it saves or reads landed.
fn hit(app: &mut App, code: KeyCode) {
    app.handle_event(&key(code));
    assert!(app.settle(Duration::from_secs(30)), "did not land");
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        hit(app, KeyCode::Char(c));
    }
}

fn message(app: &App) -> String {
    app.message.clone().unwrap_or_default()
}

/// Opens the code search with `a`, types the code, assigns the first hit
/// (the code itself), and gives it its POA.
fn add_dx(app: &mut App, code: &str, poa: char) {
    hit(app, KeyCode::Char('a'));
    typed(app, code);
    assert!(app.wait_for_search(Duration::from_secs(30)));
    assert_eq!(app.popup().unwrap().hits[0].code, code);
    hit(app, KeyCode::Enter);
    hit(app, KeyCode::Char('P'));
    hit(app, KeyCode::Char(poa));
}

/// Selects the review difference with this key in the panel.
fn select_change(app: &mut App, key_name: &str) {
    for _ in 0..20 {
        hit(app, KeyCode::Char('k'));
    }
    for _ in 0..20 {
        if app.review_panel().unwrap().selected_key() == Some(key_name) {
            return;
        }
        hit(app, KeyCode::Char('j'));
    }
    panic!("{key_name} is not a difference");
}

/// In the panel: `r`, the reason at `index` of the nine, Enter, a note, Enter.
fn give_reason(app: &mut App, key_name: &str, index: usize, note: &str) {
    select_change(app, key_name);
    hit(app, KeyCode::Char('r'));
    assert_eq!(app.mode(), Mode::ReviewReason);
    for _ in 0..9 {
        hit(app, KeyCode::Char('k'));
    }
    for _ in 0..index {
        hit(app, KeyCode::Char('j'));
    }
    hit(app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::ReviewInput);
    typed(app, note);
    hit(app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Review, "{}", message(app));
}

fn chart_id(db: &Path, account: &str) -> i64 {
    let store = Store::open(db, &StoreOptions::default()).unwrap();
    charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap()
}

fn dx_of(db: &Path, account: &str) -> Vec<(String, Option<Poa>)> {
    let store = Store::open(db, &StoreOptions::default()).unwrap();
    diagnoses(store.conn(), chart_id(db, account))
}

fn status_of(db: &Path, account: &str) -> String {
    let store = Store::open(db, &StoreOptions::default()).unwrap();
    store
        .conn()
        .query_row(
            "SELECT status FROM charts WHERE account = ?1",
            [account],
            |r| r.get(0),
        )
        .unwrap()
}

fn audit_count(db: &Path) -> i64 {
    let store = Store::open(db, &StoreOptions::default()).unwrap();
    store
        .conn()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

/// The coder opens the stay from the queue, codes J18.9 (principal), E11.9
/// and I10, all POA Y, and completes it.
fn carl_codes(db: &Path, account: &str, coder: &str) {
    let mut carl = desk(db, coder, 120, 40);
    for _ in 0..10 {
        if carl.selected_row().map(|r| r.account.as_str()) == Some(account) {
            break;
        }
        hit(&mut carl, KeyCode::Char('j'));
    }
    assert_eq!(
        carl.selected_row().map(|r| r.account.as_str()),
        Some(account)
    );
    hit(&mut carl, KeyCode::Enter);
    for code in ["J18.9", "E11.9", "I10"] {
        add_dx(&mut carl, code, 'y');
    }
    // The warnings of the edits (use-additional-code notes) acknowledged,
    // each with y in the Edits pane, then c completes.
    hit(&mut carl, KeyCode::Char('c'));
    for _ in 0..5 {
        if !message(&carl).contains("not acknowledged") {
            break;
        }
        while common::chart_of(&carl).pane != Pane::Edits {
            hit(&mut carl, KeyCode::Tab);
        }
        let n = common::chart_of(&carl).edits.as_ref().map_or(0, Vec::len);
        for _ in 0..n {
            hit(&mut carl, KeyCode::Char('k'));
        }
        for _ in 0..n {
            hit(&mut carl, KeyCode::Char('y'));
            hit(&mut carl, KeyCode::Char('j'));
        }
        hit(&mut carl, KeyCode::Char('c'));
    }
    assert!(
        message(&carl).starts_with("chart completed: coded"),
        "{}",
        message(&carl)
    );
}

/// The review queue (V) of `app` with the cursor on `account`, Enter.
fn open_from_review_queue(app: &mut App, account: &str) {
    hit(app, KeyCode::Char('V'));
    assert_eq!(app.mode(), Mode::ReviewQueue);
    let at = app
        .review_queue()
        .unwrap()
        .entries
        .iter()
        .position(|e| e.account == account)
        .unwrap_or_else(|| panic!("{account} is not in the review queue"));
    for _ in 0..at {
        hit(app, KeyCode::Char('j'));
    }
    hit(app, KeyCode::Enter);
}

#[test]
fn the_review_flow_in_the_workstation_ends_in_the_expected_accuracy() {
    let (_dir, db) = office();
    carl_codes(&db, "R-1", "carl");
    assert_eq!(status_of(&db, "R-1"), "coded");

    // The reviewer: the review queue says why the chart is chosen (carl's
    // first completed chart: the new-coder rule, 20 by default).
    let mut rita = desk(&db, "rita", 120, 40);
    hit(&mut rita, KeyCode::Char('V'));
    let q = rita.review_queue().unwrap();
    assert_eq!(q.role, Some(Role::Reviewer));
    let entry = q.entries.iter().find(|e| e.account == "R-1").unwrap();
    assert!(
        entry
            .reasons
            .contains(&"new coder: chart 1 of the first 20".to_string()),
        "{:?}",
        entry.reasons
    );
    let terminal = draw(&rita);
    let y = row_of(&terminal, "R-1").unwrap();
    assert!(screen_line(&terminal, y).contains("> R-1"));
    hit(&mut rita, KeyCode::Esc);
    open_from_review_queue(&mut rita, "R-1");
    assert!(
        matches!(rita.screen, Screen::Chart(_)),
        "{}",
        message(&rita)
    );
    assert!(
        message(&rita).starts_with("under review by you"),
        "{}",
        message(&rita)
    );
    assert!(
        common::chart_of(&rita).read_only.is_none(),
        "the codes are hers to change"
    );
    // Two changes with the chart's ordinary keys: N17.9 (POA N) added,
    // I10 removed.
    add_dx(&mut rita, "N17.9", 'n');
    let i10 = dx_of(&db, "R-1").iter().position(|(c, _)| c == "I10");
    for _ in 0..10 {
        hit(&mut rita, KeyCode::Char('k'));
    }
    for _ in 0..i10.unwrap() {
        hit(&mut rita, KeyCode::Char('j'));
    }
    hit(&mut rita, KeyCode::Char('x'));
    assert_eq!(
        dx_of(&db, "R-1"),
        vec![
            ("J18.9".into(), Some(Poa::Yes)),
            ("E11.9".into(), Some(Poa::Yes)),
            ("N17.9".into(), Some(Poa::No)),
        ]
    );
    // The review panel: both versions, three differences (N17.9, a CC,
    // moves simple pneumonia from DRG 195, without CC/MCC, to 194, with CC).
    hit(&mut rita, KeyCode::Char('v'));
    assert_eq!(rita.mode(), Mode::Review);
    let keys: Vec<String> = rita
        .review_panel()
        .unwrap()
        .view
        .as_ref()
        .unwrap()
        .changes
        .iter()
        .map(|c| c.key.clone())
        .collect();
    assert_eq!(keys, ["add-dx:N17.9", "remove-dx:I10", "drg"]);
    // Passing needs every reason: refused, nothing changes.
    let before = audit_count(&db);
    hit(&mut rita, KeyCode::Char('p'));
    assert!(message(&rita).starts_with("refused:"), "{}", message(&rita));
    assert_eq!(audit_count(&db), before);
    // Reasons: missed secondary dx (2nd of the nine), unsupported dx (3rd),
    // DRG changed (9th).
    give_reason(&mut rita, "add-dx:N17.9", 1, "AKI documented day 2");
    give_reason(&mut rita, "remove-dx:I10", 2, "no hypertension documented");
    give_reason(&mut rita, "drg", 8, "");
    for (w, h) in [(80, 24), (120, 40)] {
        rita.resize(w, h);
        let terminal = draw(&rita);
        insta::assert_snapshot!(format!("review_panel_{w}x{h}"), terminal.backend());
        // The difference under the cursor (the DRG's, given its reason
        // last) is marked > and REVERSED; the others are not.
        let reversed = |needle: &str| {
            let y = row_of(&terminal, needle).unwrap();
            let x = screen_line(&terminal, y).find(needle).unwrap() as u16;
            terminal.backend().buffer()[(x, y)]
                .style()
                .add_modifier
                .contains(Modifier::REVERSED)
        };
        assert!(reversed("> [ ] MS-DRG 195 -> 194 · DRG changed"));
        assert!(!reversed("[ ] diagnosis N17.9 added · missed secondary dx"));
    }
    // Returned to the coder with a note: back to the queue.
    hit(&mut rita, KeyCode::Char('b'));
    typed(&mut rita, "see the notes");
    hit(&mut rita, KeyCode::Enter);
    assert_eq!(message(&rita), "returned to the coder");
    assert!(matches!(rita.screen, Screen::Queue(_)));

    // The coder rebuts the removal of I10, once.
    let mut carl = desk(&db, "carl", 120, 40);
    open_from_review_queue(&mut carl, "R-1");
    hit(&mut carl, KeyCode::Char('v'));
    assert_eq!(
        carl.review_panel()
            .unwrap()
            .view
            .as_ref()
            .unwrap()
            .review
            .state,
        ReviewState::Returned
    );
    select_change(&mut carl, "remove-dx:I10");
    hit(&mut carl, KeyCode::Char(' '));
    hit(&mut carl, KeyCode::Char('B'));
    typed(&mut carl, "BP meds on the MAR");
    hit(&mut carl, KeyCode::Enter);
    assert_eq!(message(&carl), "rebutted: a manager settles it");
    // Once only: a second rebuttal is refused.
    select_change(&mut carl, "add-dx:N17.9");
    hit(&mut carl, KeyCode::Char(' '));
    hit(&mut carl, KeyCode::Char('B'));
    typed(&mut carl, "again");
    hit(&mut carl, KeyCode::Enter);
    assert!(message(&carl).starts_with("refused:"), "{}", message(&carl));

    // The manager settles for the coder (I10 is put back), then final.
    let mut mona = desk(&db, "mona", 120, 40);
    open_from_review_queue(&mut mona, "R-1");
    hit(&mut mona, KeyCode::Char('v'));
    select_change(&mut mona, "remove-dx:I10");
    hit(&mut mona, KeyCode::Char('2'));
    hit(&mut mona, KeyCode::Char('S'));
    assert_eq!(message(&mona), "settled: the chart is reviewed");
    assert_eq!(status_of(&db, "R-1"), "reviewed");
    hit(&mut mona, KeyCode::Char('F'));
    assert_eq!(message(&mona), "final: the chart is locked");
    assert_eq!(status_of(&db, "R-1"), "final");
    let settled = dx_of(&db, "R-1");
    assert!(
        settled.contains(&("I10".into(), Some(Poa::Yes))),
        "{settled:?}"
    );

    // A final chart changed: refused, nothing changed.
    let before = (dx_of(&db, "R-1"), audit_count(&db));
    hit(&mut mona, KeyCode::Esc);
    hit(&mut mona, KeyCode::Tab);
    hit(&mut mona, KeyCode::Char('x'));
    assert!(
        message(&mona).contains("final (locked)"),
        "{}",
        message(&mona)
    );
    assert_eq!((dx_of(&db, "R-1"), audit_count(&db)), before);
    // A manager reopens it with a reason: reviewed again, codes unchanged.
    hit(&mut mona, KeyCode::Char('v'));
    hit(&mut mona, KeyCode::Char('O'));
    assert_eq!(mona.mode(), Mode::ReviewInput);
    typed(&mut mona, "payer asked for a correction");
    hit(&mut mona, KeyCode::Enter);
    assert_eq!(message(&mona), "reopened");
    assert_eq!(status_of(&db, "R-1"), "reviewed");
    assert_eq!(dx_of(&db, "R-1"), before.0);
    hit(&mut mona, KeyCode::Esc);

    accuracy_on_the_reports_screen(&mut mona);
}

/// The accuracy of the one closed review, by hand (README "Accuracy
/// method"): the coder's version J18.9 Y (principal), E11.9 Y, I10 Y, DRG
/// 195; the version that stands J18.9 Y, E11.9 Y, N17.9 N, I10 Y (put back
/// by the manager), DRG 194. Diagnosis codes in either version: J18.9,
/// E11.9, I10, N17.9 = 4; wrong: N17.9 (in one version only) = 1; so
/// diagnoses 3/4 = 75.0%; no procedure ("-"); codes 3/4 = 75.0%, below the
/// 95% target; principal J18.9 in both: 1/1 = 100.0%; DRG 195 -> 194: 0/1 =
/// 0.0%.
fn accuracy_on_the_reports_screen(app: &mut App) {
    hit(app, KeyCode::Esc); // back to the queue
    hit(app, KeyCode::Char('R'));
    hit(app, KeyCode::Char('a'));
    assert_eq!(app.mode(), Mode::Quality);
    let q = app.quality().unwrap();
    let Some(QualityReport::Accuracy(r)) = &q.report else {
        panic!("no accuracy report: {:?}", q.report);
    };
    assert_eq!(r.by_coder.len(), 1);
    let (coder, a) = &r.by_coder[0];
    assert_eq!(coder, "carl");
    assert_eq!((a.charts, a.dx_codes, a.dx_errors), (1, 4, 1));
    let terminal = draw(app);
    let y = row_of(&terminal, " carl ").unwrap();
    let line = screen_line(&terminal, y);
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "carl", "1", "75.0%", "-", "75.0%", "100.0%", "0.0%", "BELOW", "95"
        ],
        "{line}"
    );
}

#[test]
fn refusals_in_the_workstation_say_why_and_change_nothing() {
    let (_dir, db) = office();
    // rita codes R-2 herself: she may not review her own chart.
    carl_codes(&db, "R-2", "rita");
    let mut rita = desk(&db, "rita", 100, 30);
    let before = audit_count(&db);
    open_from_review_queue(&mut rita, "R-2");
    assert!(
        message(&rita).contains("a reviewer may not review their own chart"),
        "{}",
        message(&rita)
    );
    assert_eq!(rita.mode(), Mode::ReviewQueue);
    assert_eq!(audit_count(&db), before);
    let store = Store::open(&db, &StoreOptions::default()).unwrap();
    assert_eq!(
        review::open_review(store.conn(), chart_id(&db, "R-2")).unwrap(),
        None
    );
    // A coder (not a reviewer) cannot pass or make final: the panel says why.
    let mut carl = desk(&db, "carl", 100, 30);
    open_from_review_queue(&mut carl, "R-2");
    hit(&mut carl, KeyCode::Char('v'));
    assert_eq!(carl.review_panel().unwrap().role, Some(Role::Coder));
    hit(&mut carl, KeyCode::Char('F'));
    assert!(
        message(&carl).contains("only a reviewer or a manager makes a chart final"),
        "{}",
        message(&carl)
    );
    assert_eq!(status_of(&db, "R-2"), "coded");
    // An unknown coder on the reports screen: refused, the scope is kept.
    hit(&mut carl, KeyCode::Esc);
    hit(&mut carl, KeyCode::Esc);
    hit(&mut carl, KeyCode::Char('R'));
    hit(&mut carl, KeyCode::Char('p'));
    hit(&mut carl, KeyCode::Char('c'));
    typed(&mut carl, "nobody");
    hit(&mut carl, KeyCode::Enter);
    assert!(
        message(&carl).contains("\"nobody\" is not a coder known to the database"),
        "{}",
        message(&carl)
    );
    assert_eq!(carl.quality().unwrap().scope.coder, None);
    assert_eq!(carl.quality().unwrap().tab, QualityTab::Productivity);
}

/// A stay discharged on `discharged` in `status`, with a stored DRG when
/// `weight` is given.
fn stay_on(account: &str, discharged: &str, status: ChartStatus, weight: Option<f64>) -> Chart {
    let mut c = stay(account);
    c.encounter.admit_date = date(discharged);
    c.encounter.discharge_date = date(discharged);
    c.status = status;
    c.final_drg = weight.map(|w| chartcoder::domain::FinalDrg {
        drg: 195,
        mdc: 4,
        weight: Some(w),
        grouper_version: "v43.1".into(),
        table5_edition: Some("T5".into()),
    });
    c
}

/// The reports' data, each figure chosen to be computed by hand:
/// accuracy sums per day (as closed reviews leave them), completions with
/// their time on chart, and charts not final at several ages.
fn report_fixture(db: &Path) {
    let mut store = Store::open(db, &StoreOptions::default()).unwrap();
    store
        .write(|tx| {
            let t = "2026-03-05T00:00:00Z";
            charts::insert_chart(
                tx,
                &stay_on("D-1", "2026-03-18", ChartStatus::Ready, None),
                t,
            )?;
            charts::insert_chart(
                tx,
                &stay_on("D-2", "2026-03-14", ChartStatus::Ready, None),
                t,
            )?;
            charts::insert_chart(
                tx,
                &stay_on("D-3", "2026-03-08", ChartStatus::Ready, None),
                t,
            )?;
            let old = stay_on("D-4", "2026-02-01", ChartStatus::Coded, Some(1.5));
            let id = charts::insert_chart(tx, &old, t)?;
            let drg = old.final_drg.as_ref().unwrap();
            chartcoder::store::drg::save_final(tx, id, drg, "carl", t)
        })
        .unwrap();
    store
        .conn()
        .execute_batch(
            "INSERT INTO accuracy_daily VALUES
               ('2026-01-15', 'carl', 4, 40, 4, 10, 0, 4, 1, 4, 1),
               ('2026-02-10', 'carl', 5, 50, 1, 10, 1, 5, 0, 5, 0),
               ('2026-02-20', 'dana', 1, 10, 0, 0, 0, 1, 0, 1, 0);
             INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds)
             VALUES (1, 'carl', 'inpatient', '2026-03-05T09:00:00Z', '2026-03-05', 1800),
                    (2, 'carl', 'inpatient', '2026-03-05T10:00:00Z', '2026-03-05', 1800),
                    (6, 'dana', 'inpatient', '2026-03-06T09:00:00Z', '2026-03-06', 3600);",
        )
        .unwrap();
}

/// The words of the screen row that starts with `name` (after a space).
fn row_words(
    terminal: &ratatui::Terminal<ratatui::backend::TestBackend>,
    name: &str,
) -> Vec<String> {
    let y = row_of(terminal, &format!(" {name} ")).unwrap_or_else(|| panic!("no {name} row"));
    screen_line(terminal, y)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Each report at 80x24 and 120x40, and without colour: no cell of the
/// screen has a colour when NO_COLOR is set. The figures, by hand:
///
/// Accuracy (target 95 %). carl: dx 90 codes, 5 wrong: 94.4 %; px 20, 1
/// wrong: 95.0 %; codes 104/110 = 94.5 %, BELOW; principal 8/9 = 88.9 %;
/// DRG 8/9 = 88.9 %. Overall with dana (10 dx codes, none wrong): dx
/// 95/100 = 95.0 %, px 95.0 %, codes 114/120 = 95.0 % (meets), principal
/// and DRG 9/10 = 90.0 %. Months: January 46/50 = 92 %, February 68/70 =
/// 97 % (the bars).
///
/// Productivity (inpatient target 3 an hour): carl 2 charts in 1 h = 2.00
/// an hour, 30 minutes each, worth 2/3 h: 66.7 %; dana 1 in 1 h: 33.3 %;
/// overall 3 in 2 h = 1.50, 50.0 %.
///
/// DNFB on 2026-03-20: D-1 2 days (0-3), D-2 6 (4-7), D-3 12 (8-14), R-1
/// and R-2 16 (15-30), D-4 47 (over 30): 6 charts; D-4 coded, with DRG
/// weight 1.5 x base rate 6000 = 9000 held; the other 5 not coded (DNFC),
/// without an estimate.
#[test]
fn the_reports_screen_reads_at_80x24_and_without_colour() {
    let (_dir, db) = office();
    report_fixture(&db);
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = desk(&db, "mona", w, h);
        app.no_color = true;
        app.base_rate = 6000.0;
        hit(&mut app, KeyCode::Char('R'));
        hit(&mut app, KeyCode::Char('a'));
        let expected: [(&str, &[&str]); 3] = [
            (
                "carl",
                &[
                    "carl", "9", "94.4%", "95.0%", "94.5%", "88.9%", "88.9%", "BELOW", "95",
                ],
            ),
            (
                "overall",
                &[
                    "overall", "10", "95.0%", "95.0%", "95.0%", "90.0%", "90.0%", "meets",
                ],
            ),
            (
                "2026-01",
                &[
                    "2026-01", "4", "90.0%", "100.0%", "92.0%", "75.0%", "75.0%", "BELOW", "95",
                ],
            ),
        ];
        let productivity: [(&str, &[&str]); 3] = [
            (
                "carl",
                &["carl", "2", "1.00", "2.00", "30.00", "-", "66.7%"],
            ),
            (
                "dana",
                &["dana", "1", "1.00", "1.00", "60.00", "-", "33.3%"],
            ),
            (
                "overall",
                &["overall", "3", "2.00", "1.50", "40.00", "-", "50.0%"],
            ),
        ];
        let dnfb: [(&str, &[&str]); 2] = [
            (
                "DNFB",
                &[
                    "DNFB", "(not", "final)", "6", "1", "1", "1", "2", "1", "9000",
                ],
            ),
            (
                "DNFC",
                &["DNFC", "(not", "coded)", "5", "1", "1", "1", "2", "0", "0"],
            ),
        ];
        for (tab, rows) in [
            ("accuracy", &expected[..]),
            ("productivity", &productivity[..]),
            ("dnfb", &dnfb[..]),
        ] {
            let terminal = draw(&app);
            insta::assert_snapshot!(format!("report_{tab}_{w}x{h}"), terminal.backend());
            for (name, words) in rows {
                assert_eq!(row_words(&terminal, name), *words, "{tab} {w}x{h}");
            }
            let buf = terminal.backend().buffer();
            for cell in buf.content() {
                assert!(
                    matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                    "a colour under NO_COLOR in the {tab} report"
                );
            }
            hit(&mut app, KeyCode::Tab);
        }
        assert_eq!(app.quality().unwrap().tab, QualityTab::Accuracy);
        // A period: from 2026-02-01, January's reviews drop out.
        hit(&mut app, KeyCode::Char('f'));
        typed(&mut app, "2026-02-01");
        hit(&mut app, KeyCode::Enter);
        let Some(QualityReport::Accuracy(r)) = &app.quality().unwrap().report else {
            panic!("no accuracy report");
        };
        assert_eq!(r.overall.charts, 6);
        assert_eq!(r.trend.len(), 1);
    }
}
