//! Helpers shared by the integration tests. Each test binary uses a subset.
#![allow(dead_code)]

pub mod coders;
pub mod drafts;
pub mod pg;
pub mod sample;
pub mod tmux;
#[macro_use]
pub mod stores;

use chartcoder::domain::Poa;
use chartcoder::reference::CodeSets;
use chartcoder::search::cache::UserTables;
use chartcoder::store::charts;
use chartcoder::tui::app::{App, Mode, Screen};
use chartcoder::tui::chart::ChartView;
use chartcoder::tui::screens;
use chrono::NaiveDate;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

/// A date as the tests write it, `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The search index cache every test run shares (built once per target folder).
pub fn search_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-cache")
}

/// The code sets without site tables, loaded once per test binary.
pub fn codesets() -> CodeSets {
    static SETS: OnceLock<CodeSets> = OnceLock::new();
    SETS.get_or_init(|| {
        CodeSets::load(
            Some(search_cache()),
            &UserTables::default(),
            &Default::default(),
        )
        .unwrap()
    })
    .clone()
}

/// Runs the chartcoder binary as `user`, with a private home and data folder
/// and no config in the environment.
pub fn run_chartcoder(home: &Path, user: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("USER", user)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap()
}

/// The app drawn once on a terminal of its size.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|f| screens::render(app, f)).unwrap();
    terminal
}

/// The text of one screen row.
pub fn screen_line(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buf = terminal.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// The screen row on which a text appears.
pub fn row_of(terminal: &Terminal<TestBackend>, needle: &str) -> Option<u16> {
    let height = terminal.backend().buffer().area.height;
    (0..height).find(|&y| screen_line(terminal, y).contains(needle))
}

/// A chart's diagnoses as stored, in sequence: code and POA.
pub fn diagnoses(conn: &chartcoder::store::sql::Db, chart_id: i64) -> Vec<(String, Option<Poa>)> {
    charts::load_chart(conn, chart_id)
        .unwrap()
        .diagnoses
        .into_iter()
        .map(|d| (d.code, d.poa))
        .collect()
}

/// The key event of `code` (Shift with a capital letter).
pub fn key(code: KeyCode) -> Event {
    let modifiers = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    Event::Key(KeyEvent::new(code, modifiers))
}

/// One key, and whatever it saves saved.
pub fn press(app: &mut App, code: KeyCode) {
    app.handle_event(&key(code));
    assert!(app.settle(Duration::from_secs(30)), "the save did not land");
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Opens the code search, types `term` and waits for the worker's answer.
pub fn search(app: &mut App, open: char, term: &str) {
    press(app, KeyCode::Char(open));
    assert_eq!(app.mode(), Mode::Search);
    typed(app, term);
    assert!(app.wait_for_search(Duration::from_secs(30)), "no answer");
}

/// The open chart.
pub fn chart_of(app: &App) -> &ChartView {
    match &app.screen {
        Screen::Chart(v) => v,
        Screen::Queue(_) => panic!("no chart open"),
    }
}

/// The open chart's diagnoses as stored.
pub fn dx_codes(app: &App) -> Vec<(String, Option<Poa>)> {
    diagnoses(app.store().conn(), chart_of(app).chart_id)
}

/// Claims the chart `account` in the database at `db` for `coder` and sends
/// the heart-failure query the tests use, with one indicator (as the chart
/// screen does); returns the query's id.
pub fn send_query(db: &Path, account: &str, coder: &str, indicator: &str) -> i64 {
    use chartcoder::query::{Draft, Format, Indicator};
    use chartcoder::store::{Store, StoreOptions, coding, queries};
    let mut store = Store::open(db, &StoreOptions::default()).unwrap();
    let chart = charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap();
    store.write(|tx| coding::claim(tx, chart, coder)).unwrap();
    let draft = Draft {
        template: None,
        physician: "Dr. Imani Achterberg".into(),
        format: Some(Format::OpenEnded),
        yes_no_reason: None,
        question: "Please clarify the type and acuity of the heart failure.".into(),
        indicators: vec![Indicator {
            text: indicator.into(),
            source: None,
        }],
        choices: vec![],
    };
    store
        .write(|tx| queries::send(tx, chart, coder, &draft))
        .unwrap()
}

// Part B's both-stores helper, at the end of the file to stay clear of part
// A's `stores` beside `pg` (the two are to be made one).
pub mod pg_both;
