//! The help overlay, generated from the live key map.

use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let mut lines: Vec<Line<'_>> = app
        .keymap
        .bindings()
        .map(|(action, _)| {
            Line::from(vec![
                Span::styled(format!("{:<14}", app.keymap.keys_text(action)), theme.key),
                Span::raw(action.description()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "While filtering: type, Backspace, Ctrl-U clear, Enter keep, Esc undo.",
        theme.dim,
    ));
    lines.push(Line::styled(
        "Ctrl-C quits from anywhere. Any key closes this help.",
        theme.dim,
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 72.min(area.width);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Help: queue "),
        ),
        rect,
    );
}
