//! Shown instead of the workstation when the terminal is smaller than 80x24.

use crate::tui::app::{MIN_HEIGHT, MIN_WIDTH};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame<'_>, area: Rect) {
    let text = format!(
        "Terminal too small: {}x{}.\nchartcoder needs at least {MIN_WIDTH}x{MIN_HEIGHT}.\nEnlarge the window (nothing is lost), or press q to quit.",
        area.width, area.height
    );
    let lines = 3u16.min(area.height);
    let top = area.height.saturating_sub(lines) / 2;
    let rect = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
