//! Drawing: pure functions of the state. Nothing here changes state or does I/O.

pub mod help;
pub mod queue;
pub mod too_small;

use super::app::{App, Mode};
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
    queue::render(app, &theme, frame, area);
    if app.mode == Mode::Help {
        help::render(app, &theme, frame, area);
    }
}
