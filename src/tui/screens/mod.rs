//! Drawing: pure functions of the state. Nothing here changes state or does I/O.

pub mod chart;
pub mod help;
pub mod query;
pub mod queue;
pub mod reports;
pub mod review;
pub mod search;
pub mod too_small;

use super::app::{App, Screen};
use super::focus::{ChartFocus, QueueFocus};
use super::keymap::{Action, Context};
use super::theme::Theme;
use ratatui::Frame;

/// A hint line from the live key map: per group of actions, their first
/// keys joined with "/" and the first one's footer word ("Up/Down choose ·
/// Enter assign · Esc cancel").
pub(crate) fn hint_text(app: &App, context: Context, groups: &[&[Action]]) -> String {
    groups
        .iter()
        .filter_map(|group| {
            let keys: Vec<String> = group
                .iter()
                .filter_map(|a| app.keymap.first_key(context, *a))
                .map(|k| k.to_string())
                .collect();
            let first = group.first()?;
            (!keys.is_empty()).then(|| format!("{} {}", keys.join("/"), first.short_in(context)))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Every key of a component as a hint line, in help order.
pub(crate) fn all_hints(app: &App, context: Context) -> String {
    let actions: Vec<Action> = app.keymap.bindings(context).map(|(a, _)| a).collect();
    let groups: Vec<&[Action]> = actions.iter().map(std::slice::from_ref).collect();
    hint_text(app, context, &groups)
}

/// The footer line: that a slow save is waiting, the message if there is one, else the first key of each
/// of `actions` on the screen `context`, from the live key map.
pub(crate) fn footer(
    app: &App,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    context: Context,
    actions: &[Action],
) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    if app.slow_save {
        frame.render_widget(
            Paragraph::new(Span::styled(
                " saving… the database is busy (another program holds it); keys typed now are kept",
                theme.alert,
            )),
            area,
        );
        return;
    }
    if let Some(message) = &app.message {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {message}"), theme.alert)),
            area,
        );
        return;
    }
    let mut spans = vec![Span::raw(" ")];
    for action in actions {
        if let Some(key) = app.keymap.first_key(context, *action) {
            spans.push(Span::styled(key.to_string(), theme.key));
            spans.push(Span::styled(
                format!(" {}  ", action.short_in(context)),
                theme.dim,
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The title line: `left` from the left edge, "coder: NAME" at the right.
pub(crate) fn title_bar(
    app: &App,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    left: ratatui::text::Line<'_>,
) {
    use ratatui::layout::{Constraint, Layout};
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;
    let right = format!("coder: {} ", app.user);
    let [left_area, right_area] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(right.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim)), right_area);
}

/// A bordered box of text over `area` (what was drawn there is cleared).
pub(crate) fn overlay(
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    theme: &Theme,
    title: String,
    lines: Vec<ratatui::text::Line<'_>>,
) {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.key)
                .title(Span::styled(title, theme.key)),
        ),
        area,
    );
}

pub(crate) use super::layout::centered;

/// The footer's keys on a text to read (`[keys.reading]`).
pub(crate) const READING_FOOTER: &[Action] = &[
    Action::ScrollDown,
    Action::PageDown,
    Action::First,
    Action::Last,
    Action::Cancel,
    Action::Help,
];

/// A text to read over `area`, its rows already fitted to the box (see
/// `reading`), from row `scroll`.
pub(crate) fn reading_overlay(
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    theme: &Theme,
    title: String,
    lines: Vec<ratatui::text::Line<'_>>,
    scroll: u16,
) {
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph};
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.key)
                .title(Span::styled(title, theme.key)),
        ),
        area,
    );
}

/// The lock screen: no patient information, only how to come back.
fn render_lock(
    app: &App,
    typed: &super::input::TextInput,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Block, Borders, Paragraph};
    let minutes = app.lock_after.map_or(0, |d| d.as_secs() / 60);
    let prompt = format!(" password for {}: ", crate::identity::os_user());
    let mut lines = vec![
        Line::raw(""),
        Line::styled(" chartcoder is locked", theme.header),
        Line::raw(format!(
            " {minutes} minutes without a key: the chart is hidden (automatic logoff)."
        )),
        Line::raw(format!(
            " Type your login password and {} to continue.",
            app.keymap.keys_text(Context::Lock, Action::Submit)
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled(prompt.clone(), theme.key),
            Span::raw("*".repeat(typed.value().chars().count())),
        ]),
    ];
    if let Some(m) = &app.message {
        lines.push(Line::styled(format!(" {m}"), theme.alert));
    }
    let rect = centered(area, 72.min(area.width), 10.min(area.height));
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.key),
        ),
        rect,
    );
    frame.set_cursor_position(ratatui::layout::Position::new(
        rect.x + 1 + (prompt.chars().count() + typed.cursor()) as u16,
        rect.y + 6,
    ));
}

/// Draws the whole screen for the current state.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    if !super::app::fits(area.width, area.height) {
        too_small::render(frame, area);
        return;
    }
    let theme = Theme::new(app.no_color);
    if let Some(typed) = &app.locked {
        render_lock(app, typed, &theme, frame, area);
        return;
    }
    match &app.screen {
        Screen::Queue(QueueFocus::ReviewQueue(q)) => {
            review::render_queue(app, q, &theme, frame, area)
        }
        Screen::Queue(QueueFocus::Quality(q)) => reports::render(app, q, &theme, frame, area),
        Screen::Queue(focus) => {
            queue::render(app, &theme, frame, area);
            render_queue_overlay(app, focus, &theme, frame, area);
        }
        Screen::Chart(view) => {
            chart::render(app, &theme, frame, area);
            match &view.focus {
                ChartFocus::Search(_) => search::render(app, &theme, frame, area),
                ChartFocus::QueryForm(form) => query::render(app, form, &theme, frame, area),
                ChartFocus::Review(panel) => review::render_panel(app, panel, &theme, frame, area),
                ChartFocus::DrgAnalysis { lines, scroll } => {
                    use super::layout::{Reading, reading, reading_text};
                    let kind = Reading::DrgAnalysis;
                    let (width, _) = reading_text(kind, area.width, area.height);
                    let rows = super::reading::text_rows(&lines.join("\n"), width);
                    overlay_rows(
                        frame,
                        reading(kind, area),
                        &theme,
                        " DRG analysis ",
                        rows,
                        *scroll,
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(h) = &app.help {
        help::render(app, h, &theme, frame, area);
    }
}

/// Plain rows to read in `rect`, from row `scroll`.
fn overlay_rows(
    frame: &mut Frame<'_>,
    rect: ratatui::layout::Rect,
    theme: &Theme,
    title: &str,
    rows: Vec<String>,
    scroll: u16,
) {
    let lines = rows.into_iter().map(ratatui::text::Line::raw).collect();
    reading_overlay(frame, rect, theme, title.to_string(), lines, scroll);
}

/// The report menu, or a report, over the queue.
fn render_queue_overlay(
    app: &App,
    focus: &QueueFocus,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
) {
    use ratatui::text::Line;
    match focus {
        QueueFocus::Reports => {
            let rect = centered(area, 60, 7);
            let key = |a| {
                app.keymap
                    .first_key(Context::Reports, a)
                    .map_or(String::new(), |k| k.to_string())
            };
            overlay(
                frame,
                rect,
                theme,
                " Reports ".into(),
                vec![
                    Line::raw(format!(
                        "{}  {}",
                        key(Action::ReportQueries),
                        Action::ReportQueries.description()
                    )),
                    Line::raw(format!(
                        "{}  {}",
                        key(Action::ReportCaseMix),
                        Action::ReportCaseMix.description()
                    )),
                    Line::raw(""),
                    Line::raw("any other key closes"),
                ],
            );
        }
        QueueFocus::Report {
            title,
            text,
            scroll,
        } => {
            use super::layout::{Reading, reading, reading_text};
            let kind = Reading::Report;
            let (width, _) = reading_text(kind, area.width, area.height);
            let rows = super::reading::text_rows(text, width);
            overlay_rows(frame, reading(kind, area), theme, title, rows, *scroll);
        }
        QueueFocus::Rows
        | QueueFocus::Filter { .. }
        | QueueFocus::ReviewQueue(_)
        | QueueFocus::Quality(_) => {}
    }
}
