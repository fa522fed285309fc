//! Drawing: pure functions of the state. Nothing here changes state or does I/O.

pub mod chart;
pub mod help;
pub mod queue;
pub mod search;
pub mod too_small;

use super::app::{App, Mode, Screen};
use super::theme::Theme;
use ratatui::Frame;

/// Draws the whole screen for the current state.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    if !super::app::fits(area.width, area.height) {
        too_small::render(frame, area);
        return;
    }
    let theme = Theme::new(app.no_color);
    match app.screen {
        Screen::Queue => queue::render(app, &theme, frame, area),
        Screen::Chart(_) => chart::render(app, &theme, frame, area),
    }
    if app.popup.is_some() {
        search::render(app, &theme, frame, area);
    }
    if app.mode == Mode::Help {
        help::render(app, &theme, frame, area);
    }
}
