//! Helpers shared by the integration tests. Each test binary uses a subset.
#![allow(dead_code)]

use chartcoder::domain::Poa;
use chartcoder::store::charts;
use chartcoder::tui::app::App;
use chartcoder::tui::screens;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::process::{Command, Output};

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
pub fn diagnoses(conn: &rusqlite::Connection, chart_id: i64) -> Vec<(String, Option<Poa>)> {
    charts::load_chart(conn, chart_id)
        .unwrap()
        .diagnoses
        .into_iter()
        .map(|d| (d.code, d.poa))
        .collect()
}
