//! The help overlay: every key of the component in focus, generated from the
//! live key map (the editing keys too, for a field).

use crate::tui::app::App;
use crate::tui::focus::Help;
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The help's two closing notes: the component's other keys (or, on the
/// queue and the chart, the filter's and the search's), then the keys that
/// work everywhere.
pub fn notes(app: &App, context: Context) -> [String; 2] {
    let key = |c, a| {
        app.keymap
            .first_key(c, a)
            .map_or(String::from("-"), |k| k.to_string())
    };
    let first = match context {
        Context::Queue => format!(
            "While filtering: type, {} keep, {} undo; {} its keys.",
            key(Context::Filter, Action::Submit),
            key(Context::Filter, Action::Cancel),
            key(Context::Filter, Action::Help)
        ),
        Context::Chart => format!(
            "Search: {} assigns; a header opens its codes; {} cancels.",
            key(Context::Search, Action::Submit),
            key(Context::Search, Action::Cancel)
        ),
        c => c
            .other_keys()
            .map_or(String::new(), |other| format!("Here {other}.")),
    };
    [
        first,
        format!(
            "Changes save at once. {} quits anywhere. Other keys close help.",
            app.keymap.keys_text(Context::Global, Action::Quit)
        ),
    ]
}

pub fn render(app: &App, help: &Help, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let context = help.context;
    let mut lines: Vec<Line<'_>> = app
        .keymap
        .help_rows(context)
        .into_iter()
        .map(|(keys, description)| {
            Line::from(vec![
                Span::styled(format!("{keys:<14}"), theme.key),
                Span::raw(description),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    for note in notes(app, context) {
        lines.push(Line::styled(note, theme.dim));
    }
    let lines_total = crate::tui::app::help_lines(&app.keymap, context);
    let (rect, room) = crate::tui::layout::help(area, lines_total);
    let title = if room < lines_total {
        // The last key of each (j/k by default): the shortest to write.
        let keys = [Action::ScrollDown, Action::ScrollUp]
            .iter()
            .filter_map(|a| app.keymap.keys_of(Context::Help, *a).last())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/");
        format!(" Help: {} ({keys} scroll) ", context.label())
    } else {
        format!(" Help: {} ", context.label())
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((help.scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}
