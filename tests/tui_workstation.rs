//! The chart screen and the code-search popup, driven by keys in process: the
//! screens as snapshots, and what the keys leave in the database.

mod common;

use chartcoder::domain::{ChartStatus, Poa};
use chartcoder::reference::CodeSets;
use chartcoder::search::cache::UserTables;
use chartcoder::store::{Store, StoreOptions, audit, charts};
use chartcoder::tui::app::{App, Mode, Screen};
use chartcoder::tui::chart::{Pane, PopupStage};
use chartcoder::tui::focus::QueueFocus;
use chrono::NaiveDate;
use common::{
    chart_of, codesets, diagnoses, draw, dx_codes, key, press, row_of, screen_line, search, typed,
};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use std::time::Duration;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn app_on(store: Store, user: &str, width: u16, height: u16) -> App {
    let mut app = App::new(store, user, today(), width, height);
    app.install_codesets(codesets());
    // The first page of the queue is read off the UI thread.
    assert!(app.settle(Duration::from_secs(30)));
    app
}

/// The app on the demo queue in a database file of its own, which lives as
/// long as it does: the changes go through the saver thread, as in the product.
struct Desk {
    app: App,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Desk {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl std::ops::DerefMut for Desk {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

fn demo_app(width: u16, height: u16) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db"), &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    Desk {
        app: app_on(store, "amy", width, height),
        _dir: dir,
    }
}

/// Tab to the Diagnoses pane and remove every diagnosis.
fn clear_diagnoses(app: &mut App) {
    press(app, KeyCode::Tab);
    while !dx_codes(app).is_empty() {
        press(app, KeyCode::Char('x'));
    }
}

fn ctrl(app: &mut App, c: char) {
    app.handle_event(&Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
    assert!(app.settle(Duration::from_secs(30)), "the save did not land");
}

/// f, the heart-failure template, the first line of the document and a typed
/// indicator, Ctrl-S.
fn send_heart_failure_query(app: &mut App) {
    press(app, KeyCode::Char('f'));
    assert_eq!(app.mode(), Mode::QueryForm);
    press(app, KeyCode::Down);
    for _ in 0..4 {
        press(app, KeyCode::Tab);
    }
    press(app, KeyCode::Enter);
    typed(app, "BNP 1,450 pg/mL");
    press(app, KeyCode::Enter);
    ctrl(app, 's');
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("sent: the chart is on hold"),
        "{:?}",
        app.message
    );
}

fn reversed_at(terminal: &Terminal<TestBackend>, needle: &str) -> bool {
    let buf = terminal.backend().buffer();
    let y = row_of(terminal, needle).unwrap_or_else(|| panic!("{needle} not on screen"));
    let x = screen_line(terminal, y).find(needle).unwrap() as u16;
    buf[(x, y)]
        .style()
        .add_modifier
        .contains(Modifier::REVERSED)
}

#[test]
fn chart_screen_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = demo_app(w, h);
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.screen, Screen::Chart(_)));
        let terminal = draw(&app);
        insta::assert_snapshot!(format!("chart_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn search_popup_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = demo_app(w, h);
        press(&mut app, KeyCode::Enter);
        search(&mut app, 'a', "chf");
        let popup = app.popup().unwrap();
        assert_eq!(popup.hits[0].code, "I50.9");
        let terminal = draw(&app);
        insta::assert_snapshot!(format!("search_{w}x{h}"), terminal.backend());
        assert!(reversed_at(&terminal, "> I50.9"));
        assert!(!reversed_at(&terminal, "T86.22"));
        // Badges: I50.9 maps to HCC 226 (CMS-HCC V28); I50.21 is an MCC and HCC 225.
        let line = |y: u16| screen_line(&terminal, y);
        assert!(line(row_of(&terminal, "> I50.9").unwrap()).contains("HCC226"));
        if let Some(y) = row_of(&terminal, "I50.21 ") {
            assert!(line(y).contains("MCC HCC225"), "{}", line(y));
        }
        assert!(line(row_of(&terminal, "T86.22").unwrap()).contains("CC "));
    }
}

#[test]
fn coding_a_chart_from_the_keyboard_saves_every_step() {
    let mut app = demo_app(100, 30);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    let before = dx_codes(&app).len();
    // chf -> I50.9, assigned at the end of the list.
    search(&mut app, 'a', "chf");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(dx_codes(&app)[before].0, "I50.9");
    // A secondary: type 2 diabetes with hyperglycemia.
    search(&mut app, 'a', "diab t2 hyperglyc");
    press(&mut app, KeyCode::Enter);
    assert_eq!(dx_codes(&app)[before + 1].0, "E11.65");
    // Move E11.65 up all the way: it becomes the principal diagnosis.
    assert_eq!(chart_of(&app).pane, Pane::Diagnoses);
    for _ in 0..=before {
        press(&mut app, KeyCode::Char('K'));
    }
    assert_eq!(dx_codes(&app)[0].0, "E11.65");
    // POA Y on it.
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(dx_codes(&app)[0].1, Some(Poa::Yes));
    // A code that needs a 7th character opens the picker; D picks subsequent.
    search(&mut app, 'a', "fracture neck femur right");
    assert_eq!(app.popup().unwrap().hits[0].code, "S72.001");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.popup().unwrap().stage,
        PopupStage::Seventh { .. }
    ));
    let terminal = draw(&app);
    assert!(row_of(&terminal, "7th character for S72.001").is_some());
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Enter);
    assert!(dx_codes(&app).iter().any(|(c, _)| c == "S72.001D"));
    // Removing it again.
    press(&mut app, KeyCode::Char('x'));
    assert!(!dx_codes(&app).iter().any(|(c, _)| c == "S72.001D"));
    // A header opens its codes rather than being assigned.
    search(&mut app, 'a', "I50");
    assert_eq!(app.popup().unwrap().hits[0].code, "I50");
    press(&mut app, KeyCode::Enter);
    assert!(app.wait_for_search(Duration::from_secs(30)));
    let popup = app.popup().unwrap();
    assert_eq!(popup.selected_hit().unwrap().code, "I50.1");
    press(&mut app, KeyCode::Esc);
    assert!(app.popup().is_none());
    // A physician query (the form has its own test): the chart goes on hold
    // and completion is then refused.
    send_heart_failure_query(&mut app);
    let chart = charts::load_chart(app.store().conn(), id).unwrap();
    assert_eq!(chart.status, ChartStatus::OnHold);
    press(&mut app, KeyCode::Char('c'));
    assert!(
        app.message.as_deref().unwrap_or("").contains("on hold"),
        "{:?}",
        app.message
    );
    // Every step left its audit row, by amy.
    let trail = audit::for_chart(app.store().conn(), id).unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    for a in [
        "claim",
        "add_diagnosis",
        "move_diagnosis",
        "set_poa",
        "remove_diagnosis",
        "query_sent",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Queue(_)));
}

#[test]
fn completing_a_chart_needs_its_errors_fixed() {
    let mut app = demo_app(100, 30);
    // The second chart in the queue.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    // Clear whatever the demo chart holds, then code it with a header: refused.
    clear_diagnoses(&mut app);
    press(&mut app, KeyCode::Char('c'));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("no diagnosis"),
        "{:?}",
        app.message
    );
    search(&mut app, 'a', "pneumonia");
    press(&mut app, KeyCode::Enter);
    assert_eq!(dx_codes(&app)[0].0, "J18.9");
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.screen, Screen::Queue(_)), "{:?}", app.message);
    let chart = charts::load_chart(app.store().conn(), id).unwrap();
    assert_eq!(chart.status, ChartStatus::Coded);
    assert_eq!(chart.diagnoses.len(), 1);
}

#[test]
fn a_chart_another_coder_has_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let mut amy = app_on(store, "amy", 100, 30);
    press(&mut amy, KeyCode::Enter);
    let id = chart_of(&amy).chart_id;
    let mut bob = app_on(
        Store::open(&path, &StoreOptions::default()).unwrap(),
        "bob",
        100,
        30,
    );
    press(&mut bob, KeyCode::Enter);
    assert_eq!(chart_of(&bob).chart_id, id);
    assert_eq!(
        chart_of(&bob).read_only.as_deref(),
        Some("claimed by amy: read-only")
    );
    press(&mut bob, KeyCode::Char('a'));
    assert!(bob.popup().is_none());
    assert!(
        bob.message
            .as_deref()
            .unwrap_or("")
            .contains("claimed by amy")
    );
    let terminal = draw(&bob);
    assert!(row_of(&terminal, "claimed by amy: read-only").is_some());
}

#[test]
fn chart_help_lists_every_chart_binding() {
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Help);
    let terminal = draw(&app);
    insta::assert_snapshot!("chart_help_120x40", terminal.backend());
    for (action, _) in app.keymap.bindings(chartcoder::tui::keymap::Context::Chart) {
        assert!(
            row_of(
                &terminal,
                action.description_in(chartcoder::tui::keymap::Context::Chart)
            )
            .is_some(),
            "{action:?} missing from help"
        );
    }
}

#[test]
fn a_phrase_found_in_the_document_starts_the_code_search() {
    let mut app = demo_app(100, 30);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "sigmoid colon");
    press(&mut app, KeyCode::Enter);
    let view = chart_of(&app);
    assert_eq!(view.find.as_deref(), Some("sigmoid colon"));
    assert!(!view.matches.is_empty());
    let terminal = draw(&app);
    assert!(
        reversed_at(&terminal, "sigmoid colon"),
        "the match is marked"
    );
    press(&mut app, KeyCode::Char('a'));
    assert!(app.wait_for_search(Duration::from_secs(30)));
    let popup = app.popup().unwrap();
    assert_eq!(popup.term.value(), "sigmoid colon");
    assert!(
        popup
            .hits
            .iter()
            .take(10)
            .any(|h| h.code.starts_with("C18.7")),
        "{:?}",
        popup.hits.iter().map(|h| &h.code).collect::<Vec<_>>()
    );
}

#[test]
fn the_search_popup_says_why_a_hit_is_there() {
    // The first demo chart's operative report says "Adenocarcinoma of the
    // sigmoid colon": the Index routes the morphology to the Neoplasm Table.
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Enter);
    search(&mut app, 'a', "adenocarcinoma sigmoid");
    let popup = app.popup().unwrap();
    assert!(
        popup.hits[0].code.starts_with("C18.7"),
        "{:?}",
        popup.hits[0]
    );
    let terminal = draw(&app);
    let notes: String = (0..40)
        .map(|y| screen_line(&terminal, y))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(notes.contains("Found by: Index: Adenocarcinoma"), "{notes}");
}

#[test]
fn prior_encounters_are_one_key_away() {
    let mut app = demo_app(100, 30);
    let target: i64 = app
        .store()
        .conn()
        .query_row(
            "SELECT c.chart_id FROM charts c
             WHERE c.status IN ('ready', 'in_progress', 'on_hold')
               AND EXISTS (SELECT 1 FROM charts o WHERE o.patient_id = c.patient_id
                           AND o.chart_id <> c.chart_id AND o.status = 'final')
             ORDER BY c.discharge_date, c.chart_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for _ in 0..60 {
        if app.selected_row().map(|r| r.chart_id) == Some(target) {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.selected_row().unwrap().chart_id, target);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.mode(), Mode::Prior);
    let prior = &chart_of(&app).prior;
    assert!(!prior.is_empty());
    assert!(
        prior
            .iter()
            .all(|c| c.patient.name == chart_of(&app).chart.patient.name)
    );
    let terminal = draw(&app);
    assert!(row_of(&terminal, "Prior encounters of").is_some());
    let first_code = prior
        .iter()
        .flat_map(|c| c.diagnoses.iter())
        .next()
        .expect("an earlier coded encounter has codes");
    assert!(row_of(&terminal, &first_code.code).is_some());
    // Its keys come from [keys.reading]: the footer names them, a key bound
    // nowhere there does nothing, Esc closes.
    assert!(row_of(&terminal, "Esc close").is_some());
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.mode(), Mode::Prior);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn chart_help_at_80x24_scrolls_to_its_last_line() {
    let mut app = demo_app(80, 24);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('?'));
    let terminal = draw(&app);
    assert!(row_of(&terminal, "Help: chart (j/k scroll)").is_some());
    assert!(row_of(&terminal, "Other keys close help").is_none());
    for _ in 0..10 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.mode(), Mode::Help);
    let terminal = draw(&app);
    assert!(row_of(&terminal, "Other keys close help").is_some());
    insta::assert_snapshot!("chart_help_80x24_scrolled", terminal.backend());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn the_queue_narrows_to_my_charts() {
    let mut app = demo_app(100, 30);
    let all = app.queue.summary.as_ref().unwrap().charts;
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.queue.summary.as_ref().unwrap().charts, 0);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Enter); // claims the first chart
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.queue.summary.as_ref().unwrap().charts, 1);
    assert_eq!(app.queue.rows[0].claimed_by.as_deref(), Some("amy"));
    assert!(row_of(&draw(&app), "coder: me").is_some());
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.queue.summary.as_ref().unwrap().charts, all);
}

#[test]
fn a_hcpcs_line_takes_modifiers_units_and_pointers() {
    let mut app = demo_app(100, 30);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    search(&mut app, 'a', "pneumonia");
    press(&mut app, KeyCode::Enter);
    search(&mut app, 'p', "annual wellness visit subsequent");
    let hit = app.popup().unwrap().selected_hit().unwrap().clone();
    assert_eq!(hit.code, "G0439", "{hit:?}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(chart_of(&app).pane, Pane::Procedures);
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.mode(), Mode::LineInput);
    assert_eq!(app.prompt().map(|p| p.value()), Some(" / 1 / "));
    app.handle_event(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "25 lt / 2 / a");
    press(&mut app, KeyCode::Enter);
    let line = &charts::load_chart(app.store().conn(), id)
        .unwrap()
        .procedures[0];
    assert_eq!(line.modifiers, vec!["25", "LT"]);
    assert_eq!((line.units, line.pointers.clone()), (2, vec![1]));
    // A pointer past the diagnoses is refused, and nothing changes.
    press(&mut app, KeyCode::Char('m'));
    app.handle_event(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "/ 1 / B");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("pointers are up to four letters of the 1 diagnoses"),
        "{:?}",
        app.message
    );
    let line = &charts::load_chart(app.store().conn(), id)
        .unwrap()
        .procedures[0];
    assert_eq!(line.pointers, vec![1]);
    let terminal = draw(&app);
    assert!(row_of(&terminal, "25 LT x2 A").is_some());
    // The line's service date and practitioner after its pointers (for the
    // BAR^P12's PR1): a date outside the stay is refused, nothing changes.
    let before = charts::load_chart(app.store().conn(), id).unwrap();
    let stay = before.encounter.clone();
    let before = before.procedures[0].clone();
    let outside = stay.discharge_date + chrono::Duration::days(3);
    let set = |app: &mut Desk, text: &str| {
        press(app, KeyCode::Char('m'));
        app.handle_event(&Event::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        typed(app, text);
        press(app, KeyCode::Enter);
    };
    set(
        &mut app,
        &format!("25 lt / 2 / a / {outside} / Dr. Kim Ames"),
    );
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("outside the stay"),
        "{:?}",
        app.message
    );
    let line = &charts::load_chart(app.store().conn(), id)
        .unwrap()
        .procedures[0];
    assert_eq!(line, &before);
    let day = stay.admit_date;
    set(&mut app, &format!("25 lt / 2 / a / {day} / Dr. Kim Ames"));
    let line = &charts::load_chart(app.store().conn(), id)
        .unwrap()
        .procedures[0];
    assert_eq!(line.date, Some(day), "{line:?}");
    assert_eq!(line.provider.as_deref(), Some("Dr. Kim Ames"));
    assert_eq!(line.modifiers, vec!["25", "LT"]);
}

#[test]
fn a_locked_database_refuses_the_change_says_so_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(50),
    };
    let mut store = Store::open(&path, &options).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let mut app = app_on(store, "amy", 100, 30);
    press(&mut app, KeyCode::Enter);
    search(&mut app, 'a', "chf");
    // Another process takes the write lock and keeps it.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    press(&mut app, KeyCode::Enter);
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("database is busy"), "{message}");
    // The popup stays open with the hit, so the same key can be pressed again.
    assert_eq!(app.mode(), Mode::Search);
    assert!(dx_codes(&app).is_empty());
    other.execute_batch("ROLLBACK").unwrap();
    press(&mut app, KeyCode::Enter);
    assert_eq!(dx_codes(&app), vec![("I50.9".to_string(), None)]);
}

#[test]
fn a_save_waiting_on_a_lock_keeps_the_screen_alive_and_the_keys_typed_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.db");
    let options = StoreOptions {
        busy_timeout: Duration::from_secs(20),
    };
    let mut store = Store::open(&path, &options).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let mut app = app_on(store, "amy", 100, 30);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    let before = dx_codes(&app).len();
    search(&mut app, 'a', "chf");
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Enter assigns: the save waits for the lock, and the key returns at once.
    let started = std::time::Instant::now();
    app.handle_event(&key(KeyCode::Enter));
    // POA Y on it, typed while the save waits: held, not lost, not acted on yet.
    app.handle_event(&key(KeyCode::Char('P')));
    app.handle_event(&key(KeyCode::Char('y')));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the keys blocked"
    );
    assert!(app.saving.is_some());
    assert_eq!(app.mode(), Mode::Search, "the held keys have not run yet");
    // The loop goes on polling; past the threshold the footer says why.
    while !app.slow_save {
        app.poll_background();
        std::thread::sleep(Duration::from_millis(20));
    }
    let terminal = draw(&app);
    assert!(row_of(&terminal, "saving… the database is busy").is_some());
    // The resize is not held: the screen follows it while the save waits.
    app.handle_event(&Event::Resize(110, 32));
    assert_eq!(app.width, 110);
    assert!(app.saving.is_some());
    // The other program lets go: the save lands, then the held keys run on it.
    other.execute_batch("ROLLBACK").unwrap();
    assert!(app.settle(Duration::from_secs(30)));
    assert!(!app.slow_save);
    assert_eq!(app.mode(), Mode::Normal);
    let codes = diagnoses(app.store().conn(), id);
    assert_eq!(codes.len(), before + 1);
    assert_eq!(codes[before], ("I50.9".to_string(), Some(Poa::Yes)));
    let trail = audit::for_chart(app.store().conn(), id).unwrap();
    let last: Vec<&str> = trail
        .iter()
        .rev()
        .take(2)
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(last, ["set_poa", "add_diagnosis"]);
}

#[test]
fn a_warning_blocks_completion_until_acknowledged_and_the_acknowledgement_is_audited() {
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    clear_diagnoses(&mut app);
    // E10 excludes hyperglycemia NOS (R73.9) (Excludes1): a symptom beside a
    // disease, both codable only if unrelated, so a warning to acknowledge
    // (two types of diabetes together are an error now: a query).
    for code in ["E10.9", "R73.9"] {
        search(&mut app, 'a', code);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('P'));
        press(&mut app, KeyCode::Char('y'));
    }
    assert_eq!(
        dx_codes(&app),
        vec![
            ("E10.9".to_string(), Some(Poa::Yes)),
            ("R73.9".to_string(), Some(Poa::Yes))
        ]
    );
    let findings = chart_of(&app).edits.clone().unwrap();
    let warning = findings.iter().position(|f| f.rule == "excludes1").unwrap();
    assert!(
        !findings
            .iter()
            .any(|f| f.severity == chartcoder::edits::Severity::Error),
        "{findings:#?}"
    );
    press(&mut app, KeyCode::Char('c'));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("a warning is not acknowledged"),
        "{:?}",
        app.message
    );
    assert!(row_of(&draw(&app), "to acknowledge)").is_some());
    // Tab to Edits, down to each warning, y.
    while chart_of(&app).pane != Pane::Edits {
        press(&mut app, KeyCode::Tab);
    }
    let warnings: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.severity == chartcoder::edits::Severity::Warning)
        .map(|(i, _)| i)
        .collect();
    assert!(warnings.contains(&warning));
    for &i in &warnings {
        while chart_of(&app).edit < i {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char('y'));
        assert_eq!(app.message.as_deref(), Some("warning acknowledged"));
    }
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.message.as_deref(),
        Some("that warning is already acknowledged")
    );
    let trail = audit::for_chart(app.store().conn(), id).unwrap();
    let acks: Vec<&str> = trail
        .iter()
        .filter(|a| a.action == "acknowledge")
        .map(|a| a.detail.as_str())
        .collect();
    assert_eq!(acks.len(), warnings.len());
    assert!(
        acks.iter()
            .any(|d| d.starts_with("excludes1:E10.9+R73.9: ")),
        "{acks:?}"
    );
    // Now it completes, and its BAR^P12 goes to the HL7 outbox.
    let outbox = tempfile::tempdir().unwrap();
    app.hl7_outbox = Some(outbox.path().join("hl7"));
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.screen, Screen::Queue(_)), "{:?}", app.message);
    let chart = charts::load_chart(app.store().conn(), id).unwrap();
    assert_eq!(chart.status, ChartStatus::Coded);
    assert!(app.settle(Duration::from_secs(30)));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("BAR^P12 written"),
        "{:?}",
        app.message
    );
    let written: Vec<_> = std::fs::read_dir(outbox.path().join("hl7"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(written.len(), 1);
    let dg1: Vec<&str> = written[0]
        .split('\r')
        .filter(|s| s.starts_with("DG1"))
        .collect();
    assert_eq!(dg1.len(), 2, "{}", written[0]);
    assert!(dg1[0].starts_with("DG1|1||E10.9^^I10|||F|"), "{}", dg1[0]);
    assert!(dg1[1].ends_with("|Y"), "POA in DG1-26: {}", dg1[1]);
}

#[test]
fn the_query_lifecycle_from_the_form_to_a_completed_chart() {
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    // A blank form: the lint says why it cannot be sent, and Ctrl-S refuses.
    press(&mut app, KeyCode::Char('f'));
    let terminal = draw(&app);
    assert!(row_of(&terminal, "cannot send yet").is_some());
    insta::assert_snapshot!("query_form_blank_120x40", terminal.backend());
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab); // physician, format, question
    }
    typed(
        &mut app,
        "Would documenting acute heart failure change the DRG?",
    );
    ctrl(&mut app, 's');
    let message = app.message.clone().unwrap_or_default();
    assert!(message.starts_with("cannot send:"), "{message}");
    assert!(
        message.contains("clinical indicator") && message.contains("\"DRG\""),
        "{message}"
    );
    assert!(
        chartcoder::store::queries::for_chart(app.store().conn(), id)
            .unwrap()
            .is_empty()
    );
    // Esc puts the form away, saved as a draft: leaving the chart and coming
    // back, f brings it back as it was.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(
        app.message.as_deref(),
        Some("query draft saved: f brings it back")
    );
    let draft = chartcoder::store::queries::draft_of(app.store().conn(), id, "amy")
        .unwrap()
        .unwrap();
    assert!(draft.question.contains("DRG"));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Queue(_)));
    press(&mut app, KeyCode::Enter);
    assert_eq!(chart_of(&app).chart_id, id);
    press(&mut app, KeyCode::Char('f'));
    let restored = &app.query_form().unwrap().draft;
    assert!(restored.question.contains("DRG"));
    press(&mut app, KeyCode::Esc);
    send_heart_failure_query(&mut app);
    assert!(
        chartcoder::store::queries::draft_of(app.store().conn(), id, "amy")
            .unwrap()
            .is_none(),
        "the draft became the query"
    );
    assert_eq!(
        charts::load_chart(app.store().conn(), id).unwrap().status,
        ChartStatus::OnHold
    );
    let terminal = draw(&app);
    assert!(row_of(&terminal, "on hold: physician query #1 to").is_some());
    // Q: the queries; a records the answer.
    press(&mut app, KeyCode::Char('Q'));
    assert_eq!(app.mode(), Mode::Queries);
    let terminal = draw(&app);
    assert!(row_of(&terminal, "Queries: a answer · c close · x cancel").is_some());
    let line = screen_line(&terminal, row_of(&terminal, "> #1 open").unwrap());
    assert!(
        line.contains("to Dr. Esther Lindqvist-Moyo · sent 20"),
        "{line}"
    );
    press(&mut app, KeyCode::Char('a'));
    typed(
        &mut app,
        "Acute on chronic diastolic (HFpEF) heart failure.",
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.message.as_deref(), Some("query #1: answer recorded"));
    press(&mut app, KeyCode::Esc);
    // The coder recodes from the answer (the chart is still on hold)...
    clear_diagnoses(&mut app);
    search(&mut app, 'a', "I50.33");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('c'));
    assert!(
        app.message.as_deref().unwrap_or("").contains("on hold"),
        "{:?}",
        app.message
    );
    // ... then closes the query as agreed: the hold is released.
    press(&mut app, KeyCode::Char('Q'));
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.message.as_deref(), Some("query #1 closed (agreed)"));
    press(&mut app, KeyCode::Esc);
    let chart = charts::load_chart(app.store().conn(), id).unwrap();
    assert_eq!(
        chart.status,
        ChartStatus::InProgress,
        "the hold is released"
    );
    let open: Vec<_> = chart_of(&app)
        .edits
        .clone()
        .unwrap()
        .into_iter()
        .filter(|f| f.severity != chartcoder::edits::Severity::Info)
        .collect();
    assert!(open.is_empty(), "{open:#?}");
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(app.screen, Screen::Queue(_)), "{:?}", app.message);
    let q = chartcoder::store::queries::for_chart(app.store().conn(), id).unwrap();
    assert_eq!(
        q[0].answer.as_deref(),
        Some("Acute on chronic diastolic (HFpEF) heart failure.")
    );
    assert_eq!(q[0].outcome, Some(chartcoder::domain::QueryOutcome::Agreed));
    let trail = audit::for_chart(app.store().conn(), id).unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    let at = |a: &str| {
        actions
            .iter()
            .position(|x| *x == a)
            .unwrap_or_else(|| panic!("{a}: {actions:?}"))
    };
    assert!(at("query_sent") < at("query_answered"));
    assert!(at("query_answered") < at("query_closed"));
    assert!(at("query_closed") < at("complete"));
    // R on the queue, then q: the query report.
    press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.mode(), Mode::ReportMenu);
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.mode(), Mode::Report);
    let terminal = draw(&app);
    assert!(row_of(&terminal, "sent                      1").is_some());
    assert!(row_of(&terminal, "agreement rate            100.0%").is_some());
    assert!(
        row_of(&terminal, "codes changed after       1 answers").is_some(),
        "the recoding after the answer counts"
    );
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.mode(), Mode::Report, "x is no reading key");
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn a_report_scrolls_to_its_last_row_and_closes_with_the_keys_of_its_table() {
    use chartcoder::tui::keymap::Keymap;
    let mut app = demo_app(80, 24);
    // The site binds close to x instead of Esc, q and Enter.
    let tables = [(
        "reading".to_string(),
        [("cancel".to_string(), vec!["x".to_string()])]
            .into_iter()
            .collect(),
    )]
    .into_iter()
    .collect();
    app.keymap = Keymap::with_overrides(&tables).unwrap();
    press(&mut app, KeyCode::Char('R'));
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.mode(), Mode::Report);
    // A report of 40 numbered lines in its place.
    let text: String = (1..=40).map(|i| format!("line {i:02}\n")).collect();
    app.screen = Screen::Queue(QueueFocus::Report {
        title: " Forty lines ".into(),
        text,
        scroll: 0,
    });
    // At 80x24 the report's box is 76 x 22 (80 - 4 wide, 24 - 2 high):
    // 20 rows inside its borders, so it scrolls 40 - 20 = 20 rows at most.
    let last = 20;
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.reading_scrolled(), last);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.reading_scrolled(), last, "no further than the last row");
    // The box's last row inside the border (screen row 21) is the last line,
    // its first (row 2) line 21.
    let terminal = draw(&app);
    assert!(screen_line(&terminal, 21).contains("line 40"));
    assert!(screen_line(&terminal, 2).contains("line 21"));
    // A page is the rows in view less one.
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.reading_scrolled(), 1);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.reading_scrolled(), 0);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.reading_scrolled(), 0);
    // The footer is the live map's: x closes now, and Esc does nothing.
    let terminal = draw(&app);
    assert!(row_of(&terminal, "x close").is_some());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Report);
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn a_query_open_past_the_escalation_time_is_marked_overdue_in_the_chart_and_the_queue() {
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Enter);
    let account = chart_of(&app).chart.account.clone();
    // With an outbox folder, the query sent is also written there.
    let outbox = tempfile::tempdir().unwrap();
    app.outbox = Some(outbox.path().join("queries"));
    send_heart_failure_query(&mut app);
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("written to"), "{message}");
    // Named by the database's own id, so that two databases sharing one
    // outbox never overwrite each other's queries.
    let files: Vec<_> = std::fs::read_dir(outbox.path().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("query-")
            && name.ends_with("-1.txt")
            && name.len() == "query-".len() + 12 + "-1.txt".len(),
        "{name}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("PHYSICIAN QUERY #1"), "{text}");
    assert!(text.contains("BNP 1,450 pg/mL"), "{text}");
    assert!(row_of(&draw(&app), "QUERY OVERDUE").is_none());
    app.clock += chrono::Duration::hours(73);
    app.resize(120, 40);
    assert!(row_of(&draw(&app), "QUERY OVERDUE").is_some());
    press(&mut app, KeyCode::Esc);
    let terminal = draw(&app);
    let line = screen_line(&terminal, row_of(&terminal, &account).unwrap());
    assert!(line.contains(" 1! "), "{line}");
    app.clock -= chrono::Duration::hours(2);
    let terminal = draw(&app);
    let line = screen_line(&terminal, row_of(&terminal, &account).unwrap());
    assert!(
        line.contains(" 1 ") && !line.contains("1!"),
        "71 hours: not yet overdue: {line}"
    );
}

#[test]
fn a_phrase_found_in_the_document_is_where_the_indicator_picker_starts() {
    let mut app = demo_app(120, 40);
    press(&mut app, KeyCode::Enter);
    let text = chart_of(&app).chart.documents[0].text.clone();
    let word = text
        .split_whitespace()
        .rev()
        .find(|w| w.len() > 5 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_string();
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, &word);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('f'));
    let view = chart_of(&app);
    let form = app.query_form().unwrap();
    let lines = form.document_lines(
        &view.chart,
        chartcoder::tui::query_form::picker_width(app.width),
    );
    assert!(form.line > 0, "the phrase is further down");
    assert!(
        lines[form.line].contains(&word),
        "{word}: {}",
        lines[form.line]
    );
    // Enter there (in Indicators) takes that line, cited.
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Enter);
    let form = app.query_form().unwrap();
    assert!(form.draft.indicators[0].text.contains(&word));
    assert!(form.draft.indicators[0].source.is_some());
    // Ctrl-F takes just the sentence that holds the phrase, cited.
    ctrl(&mut app, 'f');
    let form = app.query_form().unwrap();
    let sentence = &form.draft.indicators[1];
    assert_eq!(
        Some(sentence.text.clone()),
        chartcoder::tui::query_form::sentence_with(&text, &word)
    );
    assert!(sentence.source.is_some());
}

#[test]
fn a_huge_paste_and_a_1x1_terminal_do_not_break_anything() {
    let mut app = demo_app(100, 30);
    press(&mut app, KeyCode::Enter);
    let huge: String = "heart failure with reduced ejection fraction; ".repeat(220);
    assert!(huge.chars().count() > 10_000);
    // Into the search popup, the query form's question, and a line prompt.
    press(&mut app, KeyCode::Char('a'));
    app.handle_event(&Event::Paste(huge.clone()));
    assert!(app.popup().unwrap().term.value().chars().count() <= 200);
    draw(&app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('f'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    app.handle_event(&Event::Paste(huge.clone()));
    let question = app.query_form().unwrap().draft.question.clone();
    assert_eq!(question.chars().count(), 600, "capped");
    draw(&app);
    press(&mut app, KeyCode::Esc);
    // 1x1 and back: the too-small screen, then the chart as it was.
    app.handle_event(&Event::Resize(1, 1));
    let tiny = draw(&app);
    assert_eq!(tiny.backend().buffer().area.width, 1);
    app.handle_event(&Event::Resize(100, 30));
    let terminal = draw(&app);
    assert!(row_of(&terminal, "Diagnoses").is_some());
}

/// The session's audit rows (no chart): lock, unlock, failed unlocks, logoff.
fn session_audit(app: &App) -> Vec<(String, String)> {
    session_rows(app.store())
}

fn session_rows(store: &Store) -> Vec<(String, String)> {
    store
        .conn()
        .query_map(
            "SELECT action, detail FROM audit WHERE chart_id IS NULL ORDER BY audit_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn the_idle_screen_locks_hides_the_chart_and_opens_only_for_the_login_password() {
    let mut app = demo_app(100, 30);
    // The password check PAM does in the product (tests/security.rs checks
    // the real PAM stack): here, one password is right.
    app.unlock = Some(std::sync::Arc::new(|pw: &str| match pw {
        "right horse" => Ok(()),
        _ => Err("the password is not right".to_string()),
    }));
    press(&mut app, KeyCode::Enter);
    let name = chart_of(&app).chart.patient.name.clone();
    let codes = dx_codes(&app);
    assert!(row_of(&draw(&app), &name).is_some());
    app.lock_after = Some(Duration::ZERO);
    assert!(app.poll_background(), "locking redraws");
    assert!(app.locked.is_some());
    let terminal = draw(&app);
    assert!(row_of(&terminal, "chartcoder is locked").is_some());
    assert!(row_of(&terminal, "password for").is_some());
    for word in name.split_whitespace() {
        assert!(
            row_of(&terminal, word).is_none(),
            "{word} shown while locked"
        );
    }
    // The coder's name no longer unlocks (the queue shows it to anyone), and
    // keys while locked only type the password, masked: "x" removes no code.
    app.lock_after = None;
    typed(&mut app, "amy");
    assert!(row_of(&draw(&app), "***").is_some(), "masked");
    assert!(row_of(&draw(&app), "amy").is_none());
    press(&mut app, KeyCode::Enter);
    assert!(app.locked.is_some());
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("not unlocked: the password is not right (2 tries left"),
        "{:?}",
        app.message
    );
    assert_eq!(dx_codes(&app), codes);
    typed(&mut app, "right horse");
    press(&mut app, KeyCode::Enter);
    assert!(app.locked.is_none());
    assert!(
        row_of(&draw(&app), &name).is_some(),
        "the chart is back as it was"
    );
    let actions: Vec<String> = session_audit(&app).into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["lock", "unlock_failed", "unlock"], "each audited");
    assert!(!app.should_quit);

    // Three wrong passwords: logged off, audited.
    app.lock_after = Some(Duration::ZERO);
    assert!(app.poll_background());
    app.lock_after = None;
    for _ in 0..3 {
        typed(&mut app, "guess");
        press(&mut app, KeyCode::Enter);
    }
    assert!(app.should_quit, "logged off");
    assert!(
        app.logged_off
            .as_deref()
            .is_some_and(|w| w.contains("3 wrong passwords")),
        "{:?}",
        app.logged_off
    );
    let audit = session_audit(&app);
    assert_eq!(
        audit.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>()[3..],
        [
            "lock",
            "unlock_failed",
            "unlock_failed",
            "unlock_failed",
            "logoff"
        ]
    );
    assert!(
        audit.iter().all(|(_, d)| !d.contains("guess")),
        "no password recorded"
    );
}

#[test]
fn without_a_password_check_the_idle_workstation_logs_the_coder_off() {
    let mut app = demo_app(100, 30);
    assert!(app.unlock.is_none(), "no PAM here");
    press(&mut app, KeyCode::Enter);
    typed(&mut app, "a");
    app.lock_after = Some(Duration::from_secs(15 * 60));
    assert!(!app.poll_background(), "not idle yet");
    app.lock_after = Some(Duration::ZERO);
    assert!(app.poll_background());
    assert!(app.should_quit && app.locked.is_none());
    assert_eq!(
        app.logged_off.as_deref(),
        Some("logged off after 0 minutes without a key (automatic logoff)")
    );
    // The row is the saver's to write (the screen's thread writes nothing):
    // sent, its answer not yet taken.
    assert!(app.busy(), "the logoff's audit row is in the saver's hands");
    // Quitting ends the app without settling: dropping it drains the saver,
    // so the row is in the database before the process could exit.
    let Desk { app, _dir: dir } = app;
    drop(app);
    let store = Store::open(&dir.path().join("demo.db"), &StoreOptions::default()).unwrap();
    assert_eq!(
        session_rows(&store),
        [(
            "logoff".to_string(),
            "logged off after 0 minutes without a key (automatic logoff)".to_string()
        )]
    );
}

#[test]
fn a_missing_cpt_table_leaves_the_official_code_search_working_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-cpt.csv");
    let user = UserTables {
        cpt: Some(missing.clone()),
        local: Vec::new(),
    };
    let sets = CodeSets::load(Some(common::search_cache()), &user, &Default::default()).unwrap();
    let problem = sets.site_problem.clone().unwrap_or_default();
    assert!(
        problem.starts_with("code search runs without your tables: code set file")
            && problem.contains("no-such-cpt.csv")
            && problem.contains("cannot read"),
        "{problem}"
    );
    let mut store = Store::open(&dir.path().join("c.db"), &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let mut app = App::new(store, "amy", today(), 100, 30);
    app.install_codesets(sets);
    assert_eq!(app.message.as_deref(), Some(problem.as_str()));
    press(&mut app, KeyCode::Enter);
    let before = dx_codes(&app).len();
    search(&mut app, 'a', "chf");
    press(&mut app, KeyCode::Enter);
    let codes = dx_codes(&app);
    assert_eq!(codes.len(), before + 1);
    assert_eq!(codes[before].0, "I50.9");
}

/// A stay of 2026-11-02 to 2026-11-06 whose operative report (the second
/// document) is dated the 3rd.
const SURGICAL_STAY: &str = r#"{"charts": [{
  "account": "S1", "mrn": "MS1", "status": "ready",
  "patient": {"name": "Pat Surgical", "birth_date": "1960-01-01", "sex": "F"},
  "encounter": {"type": "inpatient", "admit_date": "2026-11-02", "discharge_date": "2026-11-06"},
  "documents": [
    {"kind": "discharge_summary", "author": "Dr. Imani Achterberg", "date": "2026-11-06", "text": "Cholecystitis; laparoscopic cholecystectomy on 11/03."},
    {"kind": "operative_report", "author": "Dr. Lars Oduya", "date": "2026-11-03", "text": "Laparoscopic cholecystectomy."}]
}]}"#;

#[test]
fn a_procedure_takes_the_open_operative_report_s_date_and_author_and_m_sets_them_within_the_stay() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &StoreOptions::default()).unwrap();
    chartcoder::interchange::import_json(&mut store, SURGICAL_STAY.as_bytes(), "amy").unwrap();
    let mut app = app_on(store, "amy", 100, 30);
    press(&mut app, KeyCode::Enter);
    let id = chart_of(&app).chart_id;
    let procedures = |app: &App| {
        charts::load_chart(app.store().conn(), id)
            .unwrap()
            .procedures
    };
    // With the discharge summary open: the discharge date, nobody named.
    search(&mut app, 'p', "0FT44ZZ");
    press(&mut app, KeyCode::Enter);
    assert!(app.settle(Duration::from_secs(30)));
    let first = &procedures(&app)[0];
    assert_eq!(
        first.date,
        Some(NaiveDate::from_ymd_opt(2026, 11, 6).unwrap())
    );
    assert_eq!(first.provider, None);
    // With the operative report open: its date and author.
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(chart_of(&app).document, 1);
    search(&mut app, 'p', "0FT44ZZ");
    press(&mut app, KeyCode::Enter);
    assert!(app.settle(Duration::from_secs(30)));
    let second = &procedures(&app)[1];
    assert_eq!(
        second.date,
        Some(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap())
    );
    assert_eq!(second.provider.as_deref(), Some("Dr. Lars Oduya"));
    // m on the first line: its date and practitioner, to be changed.
    assert_eq!(chart_of(&app).pane, Pane::Procedures);
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(app.mode(), Mode::ProcedureInput);
    assert_eq!(app.prompt().map(|p| p.value()), Some("2026-11-06 / "));
    let clear = |app: &mut App| {
        app.handle_event(&Event::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )))
    };
    // A date after discharge is refused with the stay named; nothing changes.
    clear(&mut app);
    typed(&mut app, "2026-11-09 / Dr. Lars Oduya");
    press(&mut app, KeyCode::Enter);
    assert!(app.settle(Duration::from_secs(30)));
    let said = app.message.clone().unwrap_or_default();
    assert!(
        said.contains("outside the stay (2026-11-02 to 2026-11-06)"),
        "{said}"
    );
    assert_eq!(procedures(&app)[0].provider, None);
    // Not a date at all: said before anything is saved, and the prompt stays.
    press(&mut app, KeyCode::Char('m'));
    clear(&mut app);
    typed(&mut app, "3rd Nov / Dr. X");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("is not a date")
    );
    clear(&mut app);
    typed(&mut app, "2026-11-04 / Dr. Imani Achterberg");
    press(&mut app, KeyCode::Enter);
    assert!(app.settle(Duration::from_secs(30)));
    let first = &procedures(&app)[0];
    assert_eq!(
        first.date,
        Some(NaiveDate::from_ymd_opt(2026, 11, 4).unwrap())
    );
    assert_eq!(first.provider.as_deref(), Some("Dr. Imani Achterberg"));
    let trail = audit::for_chart(app.store().conn(), id).unwrap();
    assert!(
        trail
            .iter()
            .any(|a| a.detail == "1: date 2026-11-04 by Dr. Imani Achterberg"),
        "{trail:#?}"
    );
}

/// Walks every component a coder can reach by keys: each has the keys, says
/// so (`App::context`), opens its own help on F1, and that help shows every
/// key the component handles (its bindings, and a field's editing keys);
/// keys the queue and the chart's panes do not bind change nothing.
#[test]
fn every_component_handles_only_the_keys_its_help_lists() {
    use chartcoder::tui::keymap::Context;
    let mut app = demo_app(120, 40);
    let check_help = |app: &mut App, context: Context| {
        assert_eq!(app.context(), context, "{:?}", app.mode());
        let mode = app.mode();
        press(app, KeyCode::F(1));
        assert_eq!(app.mode(), Mode::Help, "F1 on {context:?}");
        let terminal = draw(app);
        assert!(row_of(&terminal, &format!("Help: {}", context.label())).is_some());
        for (keys, description) in app.keymap.help_rows(context) {
            assert!(
                row_of(&terminal, &format!("{keys:<14}{description}")).is_some(),
                "{keys} {description} missing from the help of {context:?}"
            );
        }
        press(app, KeyCode::Esc);
        assert_eq!(app.mode(), mode, "help closes back to {context:?}");
    };
    // Every key a terminal sends that no binding of the queue or the chart's
    // panes names leaves them as they were.
    let mut universe: Vec<Event> = (' '..='~').map(|c| key(KeyCode::Char(c))).collect();
    for code in [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Insert,
        KeyCode::Delete,
        KeyCode::Backspace,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::F(2),
    ] {
        universe.push(key(code));
    }
    for c in 'a'..='z' {
        if c != 'c' {
            universe.push(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::CONTROL,
            )));
        }
    }
    let unbound = |app: &App, context: Context, event: &Event| match event {
        Event::Key(k) => app.keymap.action_for(context, k).is_none(),
        _ => false,
    };
    let selected = |app: &App| app.selected_row().map(|r| r.chart_id);
    check_help(&mut app, Context::Queue);
    let queue_free: Vec<Event> = universe
        .iter()
        .filter(|e| unbound(&app, Context::Queue, e))
        .cloned()
        .collect();
    for event in &queue_free {
        let before = (selected(&app), app.queue.filter.clone(), app.mode());
        app.handle_event(event);
        assert_eq!(
            (selected(&app), app.queue.filter.clone(), app.mode()),
            before,
            "{event:?} did something on the queue"
        );
    }
    press(&mut app, KeyCode::Char('/'));
    check_help(&mut app, Context::Filter);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.context(), Context::Reports);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    check_help(&mut app, Context::Chart);
    let state = |app: &App| {
        let v = chart_of(app);
        (
            app.mode(),
            v.pane,
            v.dx,
            v.px,
            v.document,
            v.scroll,
            v.edit,
            dx_codes(app),
        )
    };
    let chart_free: Vec<Event> = universe
        .iter()
        .filter(|e| unbound(&app, Context::Chart, e))
        .cloned()
        .collect();
    for event in &chart_free {
        let before = state(&app);
        app.handle_event(event);
        assert!(app.settle(Duration::from_secs(30)));
        assert_eq!(state(&app), before, "{event:?} did something on the chart");
    }
    press(&mut app, KeyCode::Char('/'));
    check_help(&mut app, Context::Prompt);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('a'));
    check_help(&mut app, Context::Search);
    press(&mut app, KeyCode::Esc);
    if dx_codes(&app).is_empty() {
        search(&mut app, 'a', "R07.9");
        press(&mut app, KeyCode::Enter);
    }
    while chart_of(&app).pane != Pane::Diagnoses {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Char('P'));
    check_help(&mut app, Context::Poa);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('f'));
    check_help(&mut app, Context::QueryForm);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn a_filter_typed_fast_is_read_off_the_ui_thread_and_only_the_newest_page_shows() {
    use chartcoder::store::{QueuePage, queue};
    use chartcoder::tui::reader::Slot;
    let mut app = demo_app(100, 30);
    app.handle_event(&key(KeyCode::Char('/')));
    // Five keys, five reads asked; none answered yet.
    for c in "A2611".chars() {
        app.handle_event(&key(KeyCode::Char(c)));
    }
    assert_eq!(app.mode(), Mode::FilterInput, "typing is never held");
    assert!(app.loading(Slot::Queue));
    assert!(row_of(&draw(&app), "reading…").is_some());
    assert!(app.settle(Duration::from_secs(30)));
    assert!(!app.loading(Slot::Queue));
    assert!(row_of(&draw(&app), "reading…").is_none());
    let shown: Vec<&str> = app.queue.rows.iter().map(|r| r.account.as_str()).collect();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|a| a.starts_with("A2611")), "{shown:?}");
    // Exactly the store's first page for the whole text.
    let expected = queue::page(
        app.store().conn(),
        &app.queue.filter,
        &QueuePage::First,
        app.page_rows(),
    )
    .unwrap();
    assert_eq!(app.queue.filter.text.as_deref(), Some("A2611"));
    assert_eq!(app.queue.rows, expected);
}

#[test]
fn a_key_typed_while_the_next_page_is_read_acts_on_that_page() {
    use chartcoder::store::{QueuePage, queue};
    let mut app = demo_app(100, 30);
    let n = app.page_rows();
    let all = queue::page(
        app.store().conn(),
        &app.queue.filter,
        &QueuePage::First,
        10_000,
    )
    .unwrap();
    // PgDn shows the next full page with the cursor on top, or, with less
    // than a page left, the last page with the cursor on the last chart.
    let expected = if all.len() >= 2 * n {
        all[n].chart_id
    } else {
        all.last().unwrap().chart_id
    };
    assert_ne!(expected, all[0].chart_id);
    // Enter right behind PgDn, before its page has landed: held, then
    // replayed on the page.
    app.handle_event(&key(KeyCode::PageDown));
    app.handle_event(&key(KeyCode::Enter));
    assert!(app.settle(Duration::from_secs(30)));
    assert_eq!(chart_of(&app).chart_id, expected);
}
