//! Drawing: pure functions of the state. Nothing here changes state or does I/O.

pub mod chart;
pub mod help;
pub mod query;
pub mod queue;
pub mod search;
pub mod too_small;

use super::app::{App, Mode, Screen};
use super::theme::Theme;
use ratatui::Frame;

/// The footer line: that a slow save is waiting, the message if there is one, else the first key of each
/// of `actions` on the screen `context`, from the live key map.
pub(crate) fn footer(
    app: &App,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: ratatui::layout::Rect,
    context: super::keymap::Context,
    actions: &[super::keymap::Action],
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
            spans.push(Span::styled(format!(" {}  ", action.short()), theme.dim));
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

/// A `width` x `height` rectangle in the middle of `area` (clamped to it).
pub(crate) fn centered(
    area: ratatui::layout::Rect,
    width: u16,
    height: u16,
) -> ratatui::layout::Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    ratatui::layout::Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// The lock screen: no patient information, only how to come back.
fn render_lock(
    app: &App,
    typed: &str,
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
        Line::raw(" Type your login password and Enter to continue."),
        Line::raw(""),
        Line::from(vec![
            Span::styled(prompt.clone(), theme.key),
            Span::raw("*".repeat(typed.chars().count())),
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
        rect.x + 1 + (prompt.chars().count() + typed.chars().count()) as u16,
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
    match app.screen {
        Screen::Queue => queue::render(app, &theme, frame, area),
        Screen::Chart(_) => chart::render(app, &theme, frame, area),
    }
    if app.popup.is_some() {
        search::render(app, &theme, frame, area);
    }
    if app.mode == Mode::QueryForm
        && let Screen::Chart(view) = &app.screen
        && let Some(form) = &view.query_form
    {
        query::render(app, form, &theme, frame, area);
    }
    if app.mode == Mode::ReportMenu {
        let rect = centered(area, 60, 7);
        overlay(
            frame,
            rect,
            &theme,
            " Reports ".into(),
            vec![
                ratatui::text::Line::raw("q  physician queries (report queries)"),
                ratatui::text::Line::raw("c  case mix index of completed inpatient charts"),
                ratatui::text::Line::raw(""),
                ratatui::text::Line::raw("any other key closes"),
            ],
        );
    }
    if let Mode::Report { title, text } = &app.mode {
        let rect = centered(
            area,
            area.width.saturating_sub(4).min(100),
            area.height.saturating_sub(2),
        );
        overlay(
            frame,
            rect,
            &theme,
            title.clone(),
            text.lines().map(ratatui::text::Line::raw).collect(),
        );
    }
    if let Mode::DrgAnalysis { lines } = &app.mode {
        let rect = centered(
            area,
            area.width.saturating_sub(4).min(110),
            area.height.saturating_sub(2),
        );
        overlay(
            frame,
            rect,
            &theme,
            " DRG analysis (any key closes) ".into(),
            lines
                .iter()
                .map(|l| ratatui::text::Line::raw(l.clone()))
                .collect(),
        );
    }
    if app.mode == Mode::Help {
        help::render(app, &theme, frame, area);
    }
}
