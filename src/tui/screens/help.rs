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
        .bindings(app.context())
        .map(|(action, _)| {
            Line::from(vec![
                Span::styled(
                    format!("{:<14}", app.keymap.keys_text(app.context(), action)),
                    theme.key,
                ),
                Span::raw(action.description_in(app.context())),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        match app.context() {
            crate::tui::keymap::Context::Queue => {
                "While filtering: type, Backspace, Ctrl-U clear, Enter keep, Esc undo."
            }
            crate::tui::keymap::Context::Chart => {
                "Search: Enter assigns; a header opens its codes; Esc cancels."
            }
        },
        theme.dim,
    ));
    lines.push(Line::styled(
        "Changes save at once. Ctrl-C quits anywhere. Other keys close help.",
        theme.dim,
    ));
    let needed = lines.len() as u16 + 2;
    let height = needed.min(area.height);
    let title = if needed > area.height {
        format!(" Help: {} (j/k scroll) ", app.context().label())
    } else {
        format!(" Help: {} ", app.context().label())
    };
    let rect = super::centered(area, 72, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((app.help_scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
