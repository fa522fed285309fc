//! Screens rendered to a TestBackend and compared with reviewed snapshots.
//! Snapshots record text only, so selection style is asserted separately.

mod common;

use chartcoder::demo;
use chartcoder::store::Store;
use chartcoder::tui::app::App;
use chartcoder::tui::keymap::Action;
use chartcoder::tui::screens;
use chrono::NaiveDate;
use common::{draw, row_of};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn demo_app(width: u16, height: u16) -> App {
    let mut store = Store::open_in_memory().unwrap();
    demo::seed(&mut store).unwrap();
    App::new(store, "amy", today(), width, height)
}

fn assert_row_reversed(terminal: &Terminal<TestBackend>, y: u16, reversed: bool) {
    let buf = terminal.backend().buffer();
    // Column 3 is inside the table, past the border and the marker.
    let style = buf[(3, y)].style();
    assert_eq!(
        style.add_modifier.contains(Modifier::REVERSED),
        reversed,
        "row {y}: {style:?}"
    );
}

#[test]
fn queue_80x24() {
    let app = demo_app(80, 24);
    let terminal = draw(&app);
    insta::assert_snapshot!(terminal.backend());
    let selected = &app.queue.rows[0];
    let y = row_of(&terminal, &format!("> {}", selected.account))
        .expect("the selected row has the > marker");
    assert_row_reversed(&terminal, y, true);
    assert_row_reversed(&terminal, y + 1, false);
}

#[test]
fn queue_120x40_after_moving_down_twice() {
    let mut app = demo_app(120, 40);
    app.apply(Action::MoveDown);
    app.apply(Action::MoveDown);
    let terminal = draw(&app);
    insta::assert_snapshot!(terminal.backend());
    let y = row_of(&terminal, &format!("> {}", app.queue.rows[2].account)).unwrap();
    assert_row_reversed(&terminal, y, true);
    assert_row_reversed(&terminal, y - 1, false);
}

#[test]
fn queue_filtered_to_ready_inpatients() {
    let mut app = demo_app(80, 24);
    app.apply(Action::CycleStatus); // uncoded -> all
    app.apply(Action::CycleStatus); // all -> ready
    app.apply(Action::CycleType); // all -> inpatient
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn queue_while_typing_a_filter() {
    let mut app = demo_app(80, 24);
    for c in "/traore".chars() {
        app.handle_event(&Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let mut terminal = draw(&app);
    insta::assert_snapshot!(terminal.backend());
    let cursor = terminal.get_cursor_position().unwrap();
    assert_eq!(cursor.y, 1, "the cursor is on the filter line");
}

#[test]
fn help_80x24() {
    let mut app = demo_app(80, 24);
    app.apply(Action::Help);
    let terminal = draw(&app);
    insta::assert_snapshot!(terminal.backend());
    // Every binding of the live key map is on the help screen.
    for (action, _) in app.keymap.bindings(chartcoder::tui::keymap::Context::Queue) {
        assert!(
            row_of(&terminal, action.description()).is_some(),
            "{action:?} missing from help"
        );
    }
}

#[test]
fn empty_queue_80x24() {
    let app = App::new(Store::open_in_memory().unwrap(), "amy", today(), 80, 24);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn too_small_60x20() {
    let app = demo_app(60, 20);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn tiny_terminals_never_panic() {
    let mut app = demo_app(80, 24);
    for (w, h) in [
        (1, 1),
        (0, 0),
        (2, 30),
        (200, 2),
        (79, 24),
        (80, 23),
        (80, 24),
    ] {
        app.resize(w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| screens::render(&app, f)).unwrap();
    }
    assert_eq!(
        app.queue.rows.len(),
        18,
        "back at 80x24 the window is full again"
    );
}
